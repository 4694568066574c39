import Foundation
import Testing
import Learn

/// Sizes a user passes are checked against ``ParameterLimits`` with an error stating the limit,
/// before any expensive work.
@Suite struct ParameterBoundsTests {
    /// The reason of an `invalidParameter` error for `name`, or nil when something else happened.
    func refusal(_ name: String, _ body: () throws -> Void) -> String? {
        do { try body() } catch LearnError.invalidParameter(let n, _, let reason) where n == name { return reason } catch { return "other error: \(error)" }
        return nil
    }

    @Test func sizesAboveTheLimitsAreRefusedWithTheLimit() throws {
        let cases: [(String, String, ParamValue, Int)] = [
            ("random-forest", "n_estimators", .double(1e12), ParameterLimits.estimators),
            ("logistic-regression", "max_iter", .int(ParameterLimits.iterations + 1), ParameterLimits.iterations),
            ("svc", "degree", .int(ParameterLimits.kernelDegree + 1), ParameterLimits.kernelDegree),
            ("svr", "degree", .double(1e9), ParameterLimits.kernelDegree),
        ]
        for (model, name, value, limit) in cases {
            let e = try ModelRegistry.make(model)
            let reason = refusal(name) { try e.setParameters([name: value]) }
            #expect(reason?.contains("\(limit)") == true, "\(model) \(name)=\(value): \(reason ?? "accepted")")
        }
        // At the limit is accepted.
        try ModelRegistry.make("svc").setParameters(["degree": .int(ParameterLimits.kernelDegree)])
    }

    @Test func polynomialWidthIsCountedWithoutOverflowAndRefusedBeforeWork() throws {
        let x = Matrix([[1, 2, 3], [4, 5, 6]])
        // Widths scikit-learn gives (n_output_features_): 3 inputs, degree 2 → 10; interaction only → 7;
        // degree (2, 3) without bias → 16.
        for (deg, inter, bias, width) in [(ParamValue.int(2), false, true, 10), (.int(2), true, true, 7),
                                          (.list([.int(2), .int(3)]), false, false, 16), (.int(3), true, false, 7)] {
            let p = PolynomialFeatures()
            try p.setParameters(["degree": deg, "interaction_only": .bool(inter), "include_bias": .bool(bias)])
            try p.fit(x)
            #expect(p.outputCount == width, "\(deg) \(inter) \(bias)")
            #expect(try p.transform(x).columns == width)
        }
        // A degree whose width overflows Int is refused at once (no enumeration), naming the limit.
        for deg in [1_000_000, Int.max / 2] {
            let p = PolynomialFeatures(degree: deg)
            let reason = refusal("degree") { try p.fit(x) }
            #expect(reason?.contains("\(ParameterLimits.tableElements)") == true, "\(deg): \(reason ?? "accepted")")
        }
        // Many inputs: C(2001, 2) ≈ 2e6 outputs × 2000 inputs exceeds the table limit.
        let wide = Matrix(rows: 1, columns: 2000)
        #expect(refusal("degree") { try PolynomialFeatures(degree: 2).fit(wide) } != nil)
        // Interaction-only with a huge degree stops at the number of inputs.
        let p = PolynomialFeatures(degree: 1_000_000_000, interactionOnly: true)
        try p.fit(x)
        #expect(p.outputCount == 8)
    }

    /// Like scikit-learn, kNN accepts n_neighbors > samples at fit and refuses it at query time.
    @Test func neighborsAboveTheSampleCountAreRefusedAtQueryTime() throws {
        let knn = KNeighborsClassifier(nNeighbors: 5)
        try knn.fit(Matrix([[0], [1], [2]]), [0, 1, 0])
        do {
            _ = try knn.predict(Matrix([[0.5]]))
            Issue.record("accepted")
        } catch LearnError.invalidInput(let message) {
            #expect(message.contains("Expected n_neighbors <= n_samples_fit, but n_neighbors = 5, n_samples_fit = 3, n_samples = 1"), "\(message)")
        }
    }

    /// `1e400` parses as +∞ and `nan` as NaN; no hyper-parameter takes either (`--set C=1e400`
    /// used to fit an SVC with an infinite C). SimpleImputer's `missing_values=nan` still works.
    @Test func nonFiniteNumbersAreRefused() throws {
        for (model, name) in [("svc", "C"), ("logistic-regression", "tol"), ("ridge", "alpha"), ("tsne", "perplexity"), ("gmm", "reg_covar")] {
            for text in ["1e400", "-1e400", "nan", "inf"] {
                let e = try ModelRegistry.make(model)
                let reason = refusal(name) { try e.setParameters([name: ParamValue.parse(text)]) }
                #expect(reason == "must be a finite number", "\(model) \(name)=\(text): \(reason ?? "accepted")")
            }
        }
        let imputer = SimpleImputer()
        try imputer.setParameters(["missing_values": ParamValue.parse("nan")])
        #expect(imputer.missingValues.isNaN)
        try imputer.setParameters(["missing_values": ParamValue.parse("-1")])
        #expect(imputer.missingValues == -1)
    }

    /// Sizes of decomposition and manifold tables: power iterations, oversampling, embedding
    /// width and the exact t-SNE's n² affinities are refused with the limit, before any work.
    @Test func decompositionSizesAreBounded() throws {
        let big = ParamValue.double(1e15)
        for (model, name, limit) in [("pca", "iterated_power", ParameterLimits.iterations), ("pca", "n_oversamples", ParameterLimits.tableElements),
                                     ("truncated-svd", "n_oversamples", ParameterLimits.tableElements),
                                     ("truncated-svd", "n_components", ParameterLimits.tableElements),
                                     ("tsne", "n_components", ParameterLimits.tableElements)] {
            let reason = refusal(name) { try ModelRegistry.make(model).setParameters([name: big]) }
            #expect(reason?.contains("\(limit)") == true, "\(model) \(name): \(reason ?? "accepted")")
        }
        // n_samples × n_components past the table limit (random init: no PCA to refuse it first).
        let x = Matrix(rows: 40, columns: 2, values: (0..<80).map { Double($0 % 7) + Double($0) / 80 })
        let wide = TSNE(nComponents: ParameterLimits.tableElements / 8, perplexity: 5, initMethod: "random", method: "exact")
        #expect(refusal("n_components") { try wide.fit(x, target: nil) }?.contains("\(ParameterLimits.tableElements)") == true)
        // The exact method on more rows than n² allows (checked before the affinities are built).
        let many = Matrix(rows: 40_000, columns: 1)
        #expect(refusal("method") { try TSNE(perplexity: 5, method: "exact").fit(many, target: nil) }?.contains("barnes_hut") == true)
    }
}

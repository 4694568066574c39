import Foundation
import Testing
import Learn
import Datasets

/// Mutation tests of decoded model files: a real saved model of each family with one field
/// corrupted must fail with ``LearnError/corruptModel(_:)`` naming that field — never crash, never
/// predict silently. `ModelFileValidationTests` holds the structural cases per family; this suite
/// adds the value checks (scales, priors, weights, covariances, categories) with the field named,
/// and a sweep that corrupts every field of every registered model.
@Suite struct DecodedMutationTests {
    typealias M = ModelFileValidationTests

    /// Decoding `e`'s file with `value` at `path` (inside `model.state`) throws `corruptModel`
    /// whose message names `field`.
    static func expectCorrupt(_ e: any Estimator, _ path: [Any], _ value: Any, naming field: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let mutated = M.setting(try M.json(e), ["model", "state"] + path, value)
        let data = try JSONSerialization.data(withJSONObject: mutated)
        do {
            _ = try ModelFile.decode(data)
            Issue.record("\(path) = \(value) was accepted", sourceLocation: sourceLocation)
        } catch LearnError.corruptModel(let message) {
            #expect(message.contains(field), "\(path) = \(value): '\(message)' does not name \(field)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(path) = \(value): \(error) is not a corruptModel error", sourceLocation: sourceLocation)
        }
    }

    /// The JSON value at `path` inside `model.state`.
    static func value(_ e: any Estimator, _ path: [Any]) throws -> Any {
        var v: Any = (try M.json(e)["model"] as! [String: Any])["state"]!
        for p in path {
            if let k = p as? String { v = (v as! [String: Any])[k]! } else { v = (v as! [Any])[p as! Int] }
        }
        return v
    }

    @Test func scalersNeedPositiveScales() throws {
        let (x, _) = try M.iris()
        let standard = StandardScaler(); try standard.fit(x)
        try Self.expectCorrupt(standard, ["scale", 1], 0.0, naming: "scale[1]")
        try Self.expectCorrupt(standard, ["scale", 0], -2.0, naming: "scale[0]")
        try Self.expectCorrupt(standard, ["variance", 2], -1.0, naming: "variance[2]")
        let minMax = MinMaxScaler(); try minMax.fit(x)
        try Self.expectCorrupt(minMax, ["scale", 3], 0.0, naming: "scale[3]")
        let robust = RobustScaler(); try robust.fit(x)
        try Self.expectCorrupt(robust, ["scale", 0], -1.0, naming: "scale[0]")
    }

    @Test func encoderCategoriesSortedAndDistinct() throws {
        let x = Matrix(rows: 6, columns: 2, values: [0, 5, 1, 6, 2, 7, 0, 5, 1, 6, 2, .nan])
        let oneHot = OneHotEncoder(); try oneHot.fit(x)
        try Self.expectCorrupt(oneHot, ["categories", 0], [2.0, 1.0, 0.0], naming: "categories[0]")    // unsorted
        try Self.expectCorrupt(oneHot, ["categories", 0], [0.0, 1.0, 1.0], naming: "categories[0]")    // duplicate
        try Self.expectCorrupt(oneHot, ["categories", 1], ["nan", 5.0, 6.0, 7.0], naming: "categories[1]")  // NaN not last
        let ordinal = OrdinalEncoder(); try ordinal.fit(x)
        try Self.expectCorrupt(ordinal, ["categories", 0], [0.0, 2.0, 1.0], naming: "categories[0]")
        try Self.expectCorrupt(ordinal, ["categories", 1], [5.0, 5.0, 7.0, "nan"], naming: "categories[1]")
        try Self.expectCorrupt(ordinal, ["categories", 0], [0.0, "inf", 2.0], naming: "categories[0]")
        // The unmutated files (NaN category last) still load and transform alike.
        for e: any Transformer in [oneHot, ordinal] {
            let back = try ModelFile.decode(ModelFile.encode(e)).estimator as! any Transformer
            let a = try back.transform(x).values, b = try e.transform(x).values
            #expect(a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
        }
    }

    @Test func mixtureWeightsAndCovariances() throws {
        let (x, _) = try M.iris()
        for type in ["full", "tied", "diag", "spherical"] {
            let gmm = GaussianMixture(); try gmm.setParameter("n_components", 2); try gmm.setParameter("covariance_type", .string(type))
            try gmm.setParameter("random_state", 0); try gmm.fit(x)
            let w = try Self.value(gmm, ["weights"]) as! [Double]
            try Self.expectCorrupt(gmm, ["weights"], w.map { $0 * 2 }, naming: "weights")                 // sums to 2
            try Self.expectCorrupt(gmm, ["weights"], [1.5, -0.5], naming: "weights[1]")                   // negative
            try Self.expectCorrupt(gmm, ["covariances", 0], -1.0, naming: "covariances")                  // not positive definite
            let p0 = (try Self.value(gmm, ["precisionsCholesky", 0]) as! NSNumber).doubleValue
            try Self.expectCorrupt(gmm, ["precisionsCholesky", 0], p0 * 1.5, naming: "precisionsCholesky[0]")  // not the covariances' factor
            let back = try ModelFile.decode(ModelFile.encode(gmm)).estimator as! GaussianMixture
            #expect(try back.predict(x) == gmm.predict(x), "\(type)")
        }
    }

    @Test func naiveBayesAndDiscriminantValues() throws {
        let (x, y) = try M.iris()
        let nb = GaussianNB(); try nb.fit(x, y)
        try Self.expectCorrupt(nb, ["variance", "values", 4], 0.0, naming: "variance[4]")
        try Self.expectCorrupt(nb, ["variance", "values", 0], -1.0, naming: "variance[0]")
        try Self.expectCorrupt(nb, ["classPrior"], [0.5, 0.5, 0.5], naming: "classPrior")
        try Self.expectCorrupt(nb, ["classCount", 1], -10.0, naming: "classCount[1]")
        let counts = Matrix(rows: x.rows, columns: x.columns, values: x.values.map { $0.rounded() })
        let mnb = MultinomialNB(); try mnb.fit(counts, y)
        try Self.expectCorrupt(mnb, ["featureCount", "values", 0], -3.0, naming: "featureCount[0]")
        try Self.expectCorrupt(mnb, ["classLogPrior", 0], "inf", naming: "classLogPrior[0]")
        try Self.expectCorrupt(mnb, ["featureLogProb", "values", 2], 0.5, naming: "featureLogProb[2]")       // a log-probability > 0
        let bnb = BernoulliNB(); try bnb.fit(x, y)
        try Self.expectCorrupt(bnb, ["featureLogProb", "values", 0], 0.5, naming: "featureLogProb[0]")
        try Self.expectCorrupt(bnb, ["featureLogProb", "values", 3], 0.0, naming: "featureLogProb[3]")    // θ = 1: NaN scores
        try Self.expectCorrupt(bnb, ["classLogPrior", 1], 0.1, naming: "classLogPrior[1]")
        let lda = LinearDiscriminantAnalysis(); try lda.fit(x, y)
        try Self.expectCorrupt(lda, ["classPriors"], [0.9, 0.9, 0.9], naming: "classPriors")
    }

    /// Every fitted classifier file relabelled as its family's regressor (and back) is refused.
    @Test func relabelledFamiliesAreRefused() throws {
        let (x, y) = try M.iris()
        var pairs = 0
        for name in ModelRegistry.builtIn.map({ $0.modelName }).sorted() {   // not test doubles other suites register
            let e = try ModelRegistry.make(name)
            let isRegressor = e is any Regressor
            guard e is any Classifier || isRegressor, let other = ModelRegistry.familyTwin(of: name, regressor: !isRegressor) else { continue }
            for key in e.parameters.keys where key == "n_estimators" || key.hasSuffix("__n_estimators") { try e.setParameter(key, 5) }
            guard M.fit(e, x, y) else { continue }
            pairs += 1
            let relabelled = M.setting(try M.json(e), ["model", "model"], other)
            #expect(throws: LearnError.self, "\(name) as \(other)") {
                _ = try ModelFile.decode(JSONSerialization.data(withJSONObject: relabelled))
            }
        }
        #expect(pairs >= 16, "\(pairs) relabelled files")
    }

    /// Holes the sweep found, each a trap before its fix.
    @Test func sweepRegressions() throws {
        let (x, y) = try M.iris()
        let rfe = RFE(); try rfe.setParameter("n_features_to_select", 2); try rfe.fit(x, target: .classes(y))
        for v in ["nan", "inf"] {
            try Self.expectCorrupt(rfe, ["step"], v, naming: "step")
            try Self.expectCorrupt(rfe, ["nFeaturesToSelect"], v, naming: "n_features_to_select")
        }
        #expect(throws: LearnError.self) { try rfe.setParameter("step", .double(.infinity)) }
        let big = RFE(nFeaturesToSelect: 1e300, step: 1e300)
        #expect(big.parameters["step"] == .double(1e300))
        try big.fit(x, target: .classes(y))
        #expect(big.support == [true, true, true, true])
    }

    // MARK: - Sweep

    /// One corrupted copy of a model file.
    struct Mutation { let path: [Any]; let value: Any }

    /// Corruptions of every field under `node`: each number becomes −1, 0, 2⁴⁰, 0.5, NaN and ∞;
    /// each string an unknown name; each list empty, one shorter and reversed; lists are followed
    /// into their first and last element.
    static func mutations(_ node: Any, _ path: [Any] = []) -> [Mutation] {
        switch node {
        case let d as [String: Any]:
            return d.keys.sorted().flatMap { mutations(d[$0]!, path + [$0]) }
        case let a as [Any]:
            var out = [Mutation(path: path, value: [Any]())]
            if !a.isEmpty { out.append(Mutation(path: path, value: Array(a.dropLast()))) }
            if a.count > 1 { out.append(Mutation(path: path, value: Array(a.reversed()))) }
            if !a.isEmpty { for i in Set([0, a.count - 1]).sorted() { out += mutations(a[i], path + [i]) } }
            return out
        case is String:
            return [Mutation(path: path, value: "bogus")]
        case let n as NSNumber:
            if ["c", "B"].contains(String(cString: n.objCType)) { return [] }    // a Bool
            return [-1, 0, 1_099_511_627_776, 0.5, "nan", "inf"].map { Mutation(path: path, value: $0) }
        default:
            return []
        }
    }

    /// Uses a decoded model on `x`; errors are fine, a trap is what the sweep looks for. Returns
    /// a description of a silently wrong output (a label outside the model's classes, a
    /// non-finite value). Relabelled classes are a legitimate edit, not a failure.
    static func use(_ e: any Estimator, _ x: Matrix) -> String? {
        do {
            switch e {
            case let c as any Classifier:
                let p = try c.predict(x), classes = Set(c.classes)
                if let bad = p.first(where: { !classes.contains($0) }) { return "predicted label \(bad) outside its classes" }
                if let pc = c as? any ProbabilisticClassifier, let v = try? pc.predictProbabilities(x).values,
                   v.contains(where: { !$0.isFinite }) { return "non-finite probability" }
            case let r as any Regressor:
                if try r.predict(x).contains(where: { !$0.isFinite }) { return "non-finite prediction" }
            case let t as any Transformer:
                if try t.transform(x).values.contains(where: { !$0.isFinite }) { return "non-finite transform" }
            case let c as any PredictingClusterer:
                _ = try c.predict(x)
            default: break
            }
        } catch {}
        return nil
    }

    /// Every field of every registered model, corrupted one at a time: decoding throws a
    /// `LearnError` or yields a model that errors or predicts labels it knows and finite values.
    /// Set `LEARN_MUTATION_TRACE=1` to print each mutation before it runs (to find a trap).
    @Test func everyFieldOfEveryModel() throws {
        let (x, y) = try M.iris()
        let trace = ProcessInfo.processInfo.environment["LEARN_MUTATION_TRACE"] == "1"
        var tried = 0, models = 0
        for name in ModelRegistry.builtIn.map({ $0.modelName }).sorted() {   // not test doubles other suites register
            let e = try ModelRegistry.make(name)
            // Small ensembles: the sweep visits the first and last member anyway.
            for key in e.parameters.keys where key == "n_estimators" || key.hasSuffix("__n_estimators") { try e.setParameter(key, 5) }
            if name.hasPrefix("hist-gradient-boosting") { try e.setParameter("max_iter", 5) }
            guard M.fit(e, x, y) else { continue }
            models += 1
            let started = Date()
            defer { if trace { FileHandle.standardError.write(Data("\(name): \(Date().timeIntervalSince(started)) s\n".utf8)) } }
            let root = try M.json(e)
            let state = (root["model"] as! [String: Any])["state"]!
            for m in Self.mutations(state) {
                if trace { FileHandle.standardError.write(Data("\(name) \(m.path) = \(m.value)\n".utf8)) }
                let data = try JSONSerialization.data(withJSONObject: M.setting(root, ["model", "state"] + m.path, m.value))
                tried += 1
                let decoded: any Estimator
                do { decoded = try ModelFile.decode(data).estimator } catch is LearnError { continue } catch {
                    Issue.record("\(name) \(m.path) = \(m.value): \(error) is not a LearnError"); continue
                }
                if let wrong = Self.use(decoded, x) {
                    Issue.record("\(name) \(m.path) = \(m.value) decodes and gives a \(wrong)")
                }
            }
        }
        print("DecodedMutationTests sweep: \(models) models, \(tried) mutations")
        #expect(models >= 40 && tried >= 2000, "\(models) models, \(tried) mutations")
    }
}

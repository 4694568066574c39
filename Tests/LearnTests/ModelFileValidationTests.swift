import Foundation
import Testing
import Learn
import Datasets

/// A saved model file is outside data: `ModelFile.decode` must validate every estimator and
/// throw `LearnError` (never crash) on hand-edited files; unmutated and older files still load.
@Suite struct ModelFileValidationTests {
    /// 30 iris rows (10 per class).
    static func iris() throws -> (x: Matrix, y: [Int]) {
        let d = try Datasets.load(.iris)
        let idx = Array(0..<10) + Array(50..<60) + Array(100..<110)
        let s = d.subset(idx)
        return (s.features, s.labels)
    }

    /// The model file as mutable JSON.
    static func json(_ e: any Estimator) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: ModelFile.encode(e)) as! [String: Any]
    }

    /// Sets the value at `path` (string keys and int indices) inside nested JSON.
    static func setting(_ root: Any, _ path: [Any], _ value: Any) -> Any {
        guard let head = path.first else { return value }
        let rest = Array(path.dropFirst())
        if let k = head as? String, var d = root as? [String: Any] {
            d[k] = setting(d[k] as Any, rest, value); return d
        }
        if let i = head as? Int, var a = root as? [Any] { a[i] = setting(a[i], rest, value); return a }
        Issue.record("bad path \(path)")
        return root
    }

    /// Decoding the file with `value` at `path` throws a LearnError.
    static func expectCorrupt(_ e: any Estimator, _ path: [Any], _ value: Any, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let mutated = setting(try json(e), ["model", "state"] + path, value)
        let data = try JSONSerialization.data(withJSONObject: mutated)
        #expect(throws: LearnError.self, "\(path) = \(value)", sourceLocation: sourceLocation) { _ = try ModelFile.decode(data) }
    }

    /// The unmutated file decodes and predicts as the original.
    static func expectRoundTrip(_ e: any Classifier, _ x: Matrix) throws {
        let back = try ModelFile.decode(ModelFile.encode(e)).estimator as! any Classifier
        #expect(try back.predict(x) == e.predict(x))
    }

    @Test func decisionTreeMutations() throws {
        let (x, y) = try Self.iris()
        let t = DecisionTreeClassifier(randomState: 0); try t.fit(x, y)
        try Self.expectRoundTrip(t, x)
        let nodes = (try Self.json(t)["model"] as! [String: Any])["state"].flatMap { ($0 as! [String: Any])["tree"] as? [String: Any] }!
        let left = nodes["childrenLeft"] as! [Int]
        let split = left.firstIndex { $0 != -1 }!
        try Self.expectCorrupt(t, ["tree", "childrenLeft", split], 4000)            // out of range
        try Self.expectCorrupt(t, ["tree", "childrenLeft", split], -7)              // negative
        try Self.expectCorrupt(t, ["tree", "childrenLeft", split], 0)               // cycle to the root
        try Self.expectCorrupt(t, ["tree", "feature", split], 4)                    // feature past n_features
        try Self.expectCorrupt(t, ["tree", "childrenLeft"], [Int]())                // empty arrays
        try Self.expectCorrupt(t, ["tree", "nOutputs"], -3)                         // negative count
        try Self.expectCorrupt(t, ["tree", "threshold", split], "nan")              // NaN threshold
        try Self.expectCorrupt(t, ["classes"], [0, 1, 2, 3])                        // extra class
        try Self.expectCorrupt(t, ["criterion"], "bogus")                           // unknown enum string
        let relabelled = Self.setting(try Self.json(t), ["model", "model"], "decision-tree-regressor")
        #expect(throws: LearnError.self) { _ = try ModelFile.decode(JSONSerialization.data(withJSONObject: relabelled)) }
    }

    @Test func linearMutations() throws {
        let (x, y) = try Self.iris()
        let lr = LogisticRegression(); try lr.fit(x, y)
        try Self.expectRoundTrip(lr, x)
        try Self.expectCorrupt(lr, ["coef", "rows"], 7)                             // rows disagree with values
        try Self.expectCorrupt(lr, ["coef", "values"], [Double]())                  // empty
        try Self.expectCorrupt(lr, ["coef", "values", 0], "nan")                    // NaN coefficient
        try Self.expectCorrupt(lr, ["intercept"], [1.0])                            // wrong length
        try Self.expectCorrupt(lr, ["classes"], [0, 0, 2])                          // duplicate classes
        try Self.expectCorrupt(lr, ["solver"], "magic")                             // unknown enum string
        let ridge = Ridge(); try ridge.fit(x, y.map(Double.init))
        try Self.expectCorrupt(ridge, ["coef", 0], "inf")
        let sgd = SGDClassifier(); try sgd.fit(x, y)
        try Self.expectCorrupt(sgd, ["coef", "columns"], -4)
    }

    @Test func ensembleMutations() throws {
        let (x, y) = try Self.iris()
        let rf = RandomForestClassifier(); rf.nEstimators = 3; rf.randomState = 0; try rf.fit(x, y)
        try Self.expectRoundTrip(rf, x)
        try Self.expectCorrupt(rf, ["model", "trees", 0, "childrenRight", 0], 999)
        try Self.expectCorrupt(rf, ["model", "nFeatures"], -1)
        try Self.expectCorrupt(rf, ["model", "trees"], [Any]())
        let gb = GradientBoostingClassifier(); try gb.setParameter("n_estimators", 3); try gb.fit(x, y)
        try Self.expectRoundTrip(gb, x)
        try Self.expectCorrupt(gb, ["model", "stages", 0, 0, "feature", 0], 10)
        try Self.expectCorrupt(gb, ["model", "initial"], [Double]())
        let hgb = HistGradientBoostingClassifier(); try hgb.setParameter("max_iter", 3); try hgb.fit(x, y)
        try Self.expectRoundTrip(hgb, x)
        try Self.expectCorrupt(hgb, ["model", "trees", 0, 0, "left", 0], 0)
        try Self.expectCorrupt(hgb, ["model", "baseline", 0], "nan")
        let ada = AdaBoostClassifier(); try ada.setParameter("n_estimators", 3); try ada.fit(x, y)
        try Self.expectRoundTrip(ada, x)
        try Self.expectCorrupt(ada, ["estimatorWeights"], [1.0])
        try Self.expectCorrupt(ada, ["fittedBoxes", 0, "state", "tree", "feature", 0], 99)
    }

    @Test func otherFamilyMutations() throws {
        let (x, y) = try Self.iris()
        let knn = KNeighborsClassifier(); try knn.fit(x, y)
        try Self.expectRoundTrip(knn, x)
        try Self.expectCorrupt(knn, ["encodedTargets", 0], 9)
        try Self.expectCorrupt(knn, ["neighborsIndex", "data", "rows"], 31)
        let svc = SVC(); try svc.fit(x, y)
        try Self.expectRoundTrip(svc, x)
        try Self.expectCorrupt(svc, ["nSupport", 0], 1000)
        try Self.expectCorrupt(svc, ["dualCoef", "values", 0], "nan")
        let nb = GaussianNB(); try nb.fit(x, y)
        try Self.expectCorrupt(nb, ["theta", "rows"], 2)
        try Self.expectCorrupt(nb, ["classPrior"], [Double]())
        let lda = LinearDiscriminantAnalysis(); try lda.fit(x, y)
        try Self.expectCorrupt(lda, ["means", "values", 0], "inf")
        let scaler = StandardScaler(); try scaler.fit(x)
        try Self.expectCorrupt(scaler, ["mean"], [0.0])
        let pca = PCA(); try pca.fit(x)
        try Self.expectCorrupt(pca, ["components", "columns"], 5)
        let km = KMeans(); try km.setParameter("n_clusters", 3); try km.setParameter("n_init", 1); try km.fit(x)
        try Self.expectCorrupt(km, ["labels", 0], 17)
    }

    @Test func compositeMutations() throws {
        let (x, y) = try Self.iris()
        let vote = VotingClassifier(estimators: [("a", DecisionTreeClassifier(randomState: 0)), ("b", LogisticRegression())])
        try vote.fit(x, y)
        try Self.expectRoundTrip(vote, x)
        try Self.expectCorrupt(vote, ["fitted", 0, "state", "tree", "childrenLeft", 0], 5000)   // nested member
        try Self.expectCorrupt(vote, ["fitted", 1, "state", "classes"], [0, 1, 5])              // member classes differ
        try Self.expectCorrupt(vote, ["fitted", 0, "model"], "no-such-model")
    }

    @Test func garbageAndMessages() throws {
        #expect(throws: LearnError.self) { _ = try ModelFile.decode(Data("{".utf8)) }
        let (x, y) = try Self.iris()
        let lr = LogisticRegression(); try lr.fit(x, y)
        let mutated = Self.setting(try Self.json(lr), ["model", "state", "tol"], "fast")
        do {
            _ = try ModelFile.decode(JSONSerialization.data(withJSONObject: mutated)); Issue.record("no error")
        } catch let e as LearnError {
            #expect(e.description.contains("tol") && e.description.contains("expected a number"))
            #expect(!e.description.contains("DecodingError") && !e.description.contains("Swift."))
        }
    }

    /// Fits `e` on `(x, y)` as its kind allows; false when it cannot fit this set.
    static func fit(_ e: any Estimator, _ x: Matrix, _ y: [Int]) -> Bool {
        do {
            switch e {
            case let c as any Classifier: try c.fit(x, y)
            case let r as any Regressor: try r.fit(x, y.map(Double.init))
            case let t as any Transformer: try t.fit(x, target: .classes(y))
            case let c as any Clusterer: try c.fit(x)
            default: Issue.record("\(type(of: e).modelName): unknown kind"); return false
            }
            return true
        } catch { return false }
    }

    @Test func everyRegisteredModelRoundTrips() throws {
        let (x, y) = try Self.iris()
        var done = 0
        for name in ModelRegistry.names {
            let e = try ModelRegistry.make(name)
            guard Self.fit(e, x, y) else { continue }    // a model that cannot fit this tiny set is covered elsewhere
            let data = try ModelFile.encode(e)
            let back = try ModelFile.decode(data).estimator
            let again = try JSONSerialization.jsonObject(with: ModelFile.encode(back)) as! NSDictionary
            #expect(again.isEqual(try JSONSerialization.jsonObject(with: data) as! NSDictionary), "\(name) does not round-trip")
            done += 1
        }
        #expect(done >= 40)
    }

    @Test func legacyFilesStillLoad() throws {
        let expected = try LearnFixtures.json("legacy-predictions") as! [String: [Int]]
        let d = try Datasets.load(.iris)
        for name in ["random-forest", "logistic-regression"] {
            let url = try #require(Bundle.module.url(forResource: "Fixtures/legacy-\(name)", withExtension: "json"))
            let m = try ModelFile.load(path: url.path).estimator as! any Classifier
            #expect(try m.predict(d.features) == expected[name]!)
        }
    }
}

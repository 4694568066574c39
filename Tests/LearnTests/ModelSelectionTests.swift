import Foundation
import Testing
import Learn
import Datasets

/// scikit-learn's `NearestCentroid` (uniform priors, Euclidean), with shrunken centroids — a
/// small deterministic classifier owned by the tests, for grid search and pipelines.
final class PrepTestNearestCentroid: Classifier {
    static let modelName = "prep-test-nearest-centroid"
    var shrinkThreshold: Double?
    private(set) var classes: [Int] = []
    var centroids: [[Double]] = []

    init(shrinkThreshold: Double? = nil) { self.shrinkThreshold = shrinkThreshold }
    convenience init() { self.init(shrinkThreshold: nil) }

    var parameters: [String: ParamValue] { ["shrink_threshold": shrinkThreshold.param] }
    func setParameter(_ name: String, _ value: ParamValue) throws {
        guard name == "shrink_threshold" else { throw unknownParameter(name) }
        shrinkThreshold = try value.optionalDouble(name)
    }

    func fit(_ x: Matrix, _ y: [Int]) throws {
        let (set, code) = try LabelSet.fitting(x, y, "PrepTestNearestCentroid.fit")
        let k = set.count, p = x.columns, n = Double(x.rows)
        var nk = [Double](repeating: 0, count: k)
        var c = [[Double]](repeating: [Double](repeating: 0, count: p), count: k)
        for i in 0..<x.rows { nk[code[i]] += 1; for j in 0..<p { c[code[i]][j] += x[i, j] } }
        for a in 0..<k { for j in 0..<p { c[a][j] /= nk[a] } }
        if let t = shrinkThreshold {
            var within = [Double](repeating: 0, count: p)
            for i in 0..<x.rows { for j in 0..<p { let d = x[i, j] - c[code[i]][j]; within[j] += d * d } }
            within = within.map { ($0 / (n - Double(k))).squareRoot() }
            let sorted = within.sorted()
            let median = p % 2 == 1 ? sorted[p / 2] : (sorted[p / 2 - 1] + sorted[p / 2]) / 2
            let s = within.map { $0 + median }
            let center = x.columnMeans()
            for a in 0..<k {
                let m = (1 / nk[a] - 1 / n).squareRoot()
                for j in 0..<p {
                    let ms = m * s[j]
                    var dev = (c[a][j] - center[j]) / ms
                    let sign: Double = dev > 0 ? 1 : (dev < 0 ? -1 : 0)
                    dev = max(abs(dev) - t, 0) * sign
                    c[a][j] = center[j] + ms * dev
                }
            }
        }
        classes = set.classes
        centroids = c
    }

    func predict(_ x: Matrix) throws -> [Int] {
        guard !classes.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: centroids[0].count, "PrepTestNearestCentroid.predict")
        return (0..<x.rows).map { i in
            var best = 0, bestD = Double.infinity
            for (a, c) in centroids.enumerated() {
                var d = 0.0
                for j in 0..<c.count { d += (x[i, j] - c[j]) * (x[i, j] - c[j]) }
                if d < bestD { bestD = d; best = a }
            }
            return classes[best]
        }
    }
}

@Suite struct ModelSelectionTests {
    @Test func stratifiedKFoldEqualsScikitLearn() throws {
        let fx = try PrepFx.load("prep_model_selection")
        for (set, key) in [(BundledDataset.iris, "iris"), (.wine, "wine"), (.breastCancer, "breast_cancer"), (.digits, "digits")] {
            let (train, _) = try LearnFixtures.split(set)
            let folds = try StratifiedKFold().split(count: train.count, labels: train.labels)
            #expect(folds.map(\.test) == (fx["skf_" + key] as! [Any]).map(PrepFx.ints), "\(key)")
            for f in folds { #expect(Set(f.train).union(f.test).count == train.count && Set(f.train).isDisjoint(with: f.test)) }
        }
        let crafted = PrepFx.dict(fx["skf_crafted"])
        let y = PrepFx.ints(crafted["y"]!)
        #expect(try StratifiedKFold(nSplits: 3).split(count: y.count, labels: y).map(\.test) == (crafted["folds3"] as! [Any]).map(PrepFx.ints))
        #expect(try StratifiedKFold(nSplits: 4).split(count: y.count, labels: y).map(\.test) == (crafted["folds4"] as! [Any]).map(PrepFx.ints))
        let kf = PrepFx.dict(fx["kfold"])
        for (n, k) in [(23, 5), (10, 3), (150, 7)] {
            #expect(try KFold(nSplits: k).split(count: n).map(\.test) == (kf[String(n)] as! [Any]).map(PrepFx.ints))
        }
        // Shuffled folds still partition the samples and keep class counts.
        let sh = try StratifiedKFold(nSplits: 3, shuffle: true, randomState: 1).split(count: y.count, labels: y)
        #expect(sh.flatMap(\.test).sorted() == Array(0..<y.count))
        #expect(throws: LearnError.self) { try KFold(nSplits: 1).split(count: 10) }
        #expect(throws: LearnError.self) { try KFold(nSplits: 11).split(count: 10) }
        #expect(throws: LearnError.self) { try StratifiedKFold(nSplits: 5).split(count: 4, labels: [0, 0, 1, 1]) }
    }

    @Test func trainTestSplitSizesAndStratification() throws {
        let (train, _) = try LearnFixtures.split(.iris)
        let s = try trainTestSplit(count: 112, randomState: 3)
        #expect(s.test.count == 28 && s.train.count == 84)  // ceil(0.25·112)
        #expect(Set(s.train + s.test).count == 112)
        let st = try trainTestSplit(count: train.count, testSize: 0.2, stratify: train.labels, randomState: 0)
        #expect(st.test.count == Int((0.2 * Double(train.count)).rounded(.up)))
        let counts = Dictionary(grouping: st.test.map { train.labels[$0] }, by: { $0 }).mapValues(\.count)
        #expect(counts.values.allSatisfy { abs($0 - st.test.count / 3) <= 1 })
        let plain = try trainTestSplit(count: 10, testSize: 3, shuffle: false)
        #expect(plain.train == Array(0..<7) && plain.test == [7, 8, 9])
        let m = try trainTestSplit(train.features, train.labels, testSize: 0.5, stratify: true, randomState: 2)
        #expect(m.xTrain.rows + m.xTest.rows == train.count && m.yTest.count == m.xTest.rows)
        #expect(throws: LearnError.self) { try trainTestSplit(count: 10, testSize: 1.5) }
        #expect(throws: LearnError.self) { try trainTestSplit(count: 10, testSize: 0.5, trainSize: 0.8) }
        let ss = try StratifiedShuffleSplit(nSplits: 3, testSize: 0.3, randomState: 0).split(count: train.count, labels: train.labels)
        #expect(ss.count == 3 && ss.allSatisfy { $0.test.count == Int((0.3 * Double(train.count)).rounded(.up)) })
        #expect(try ShuffleSplit(nSplits: 2, randomState: 1).split(count: 50).allSatisfy { $0.test.count == 5 && $0.train.count == 45 })
    }

    @Test func gridSearchEqualsScikitLearn() throws {
        let fx = try PrepFx.load("prep_model_selection")
        ModelRegistry.register([PrepTestNearestCentroid.self, StandardScaler.self])
        for (set, key) in [(BundledDataset.iris, "iris"), (.wine, "wine"), (.breastCancer, "breast_cancer")] {
            let (train, test) = try LearnFixtures.split(set)
            let d = PrepFx.dict(fx["grid_" + key])
            let grid: [String: [ParamValue]] = ["shrink_threshold": [.none, 0.1, 0.5, 1.0, 2.0, 4.0]]
            let gs = GridSearchCV(PrepTestNearestCentroid(), paramGrid: grid)
            try gs.fit(train.features, train.labels)
            let r = gs.cvResults!
            #expect(PrepFx.err(r.meanTestScore, PrepFx.doubles(d["mean"]!)) < 1e-12, "\(key) means")
            #expect(PrepFx.err(r.stdTestScore, PrepFx.doubles(d["std"]!)) < 1e-9, "\(key) stds")
            #expect(r.rankTestScore == PrepFx.ints(d["rank"]!), "\(key) ranks")
            #expect(gs.bestIndex == (d["best_index"] as! Int))
            #expect(PrepFx.err([gs.bestScore], [PrepFx.num(d["best_score"]!)]) < 1e-12)
            let pred: [Int] = try gs.predict(test.features)
            #expect(pred == PrepFx.ints(d["test_pred"]!))

            let pipe = Pipeline([("scaler", StandardScaler()), ("nc", PrepTestNearestCentroid())])
            let gp = GridSearchCV(pipe, paramGrid: ["scaler__with_std": [false, true], "nc__shrink_threshold": [.none, 0.5, 2.0]], scoring: .f1Macro)
            try gp.fit(train.features, train.labels)
            let wantParams = (d["pipe_params"] as! [[Any]])
            for (c, p) in gp.cvResults!.params.enumerated() {
                let thr = wantParams[c][0] is NSNull ? ParamValue.none : ParamValue.double(PrepFx.num(wantParams[c][0]))
                #expect(p["nc__shrink_threshold"]!.description == thr.description || (try? p["nc__shrink_threshold"]!.double("")) == (try? thr.double("")))
                #expect(p["scaler__with_std"] == .bool((wantParams[c][1] as! NSNumber).boolValue))
            }
            #expect(PrepFx.err(gp.cvResults!.meanTestScore, PrepFx.doubles(d["pipe_mean"]!)) < 1e-9, "\(key) pipeline grid")
            #expect(gp.bestIndex == (d["pipe_best_index"] as! Int))

            let cvs = try crossValScore(PrepTestNearestCentroid(shrinkThreshold: 0.5), train.features, train.labels)
            #expect(PrepFx.err(cvs, PrepFx.doubles(d["cvs"]!)) < 1e-12)
            #expect(try crossValPredict(PrepTestNearestCentroid(), train.features, train.labels) == PrepFx.ints(d["cvp"]!))
        }
    }

    @Test func learningAndValidationCurvesEqualScikitLearn() throws {
        let fx = try PrepFx.load("prep_model_selection")
        let (train, _) = try LearnFixtures.split(.iris)
        let lc = PrepFx.dict(fx["learning_curve"])
        let curve = try learningCurve(PrepTestNearestCentroid(), train.features, .classes(train.labels))
        #expect(curve.trainSizes == PrepFx.ints(lc["sizes"]!))
        #expect(PrepFx.err(curve.trainScores.flatMap { $0 }, (lc["train"] as! [Any]).flatMap(PrepFx.doubles)) < 1e-12)
        #expect(PrepFx.err(curve.testScores.flatMap { $0 }, (lc["test"] as! [Any]).flatMap(PrepFx.doubles)) < 1e-12)
        let vc = PrepFx.dict(fx["validation_curve"])
        let v = try validationCurve(PrepTestNearestCentroid(), train.features, .classes(train.labels), paramName: "shrink_threshold",
                                    paramRange: [0.1, 1.0, 3.0])
        #expect(PrepFx.err(v.trainScores.flatMap { $0 }, (vc["train"] as! [Any]).flatMap(PrepFx.doubles)) < 1e-12)
        #expect(PrepFx.err(v.testScores.flatMap { $0 }, (vc["test"] as! [Any]).flatMap(PrepFx.doubles)) < 1e-12)
    }

    @Test func randomizedSearchAndScoringNames() throws {
        let (train, _) = try LearnFixtures.split(.wine)
        let rs = RandomizedSearchCV(PrepTestNearestCentroid(), paramDistributions: ["shrink_threshold": .uniform(loc: 0, scale: 3)], nIter: 6, randomState: 4)
        try rs.fit(train.features, train.labels)
        #expect(rs.cvResults!.params.count == 6)
        let thresholds = rs.cvResults!.params.map { try! $0["shrink_threshold"]!.double("") }
        #expect(thresholds.allSatisfy { $0 >= 0 && $0 <= 3 })
        #expect(rs.bestScore == rs.cvResults!.meanTestScore.max())
        let listOnly = RandomizedSearchCV(PrepTestNearestCentroid(), paramDistributions: ["shrink_threshold": .values([.none, 1.0])], nIter: 10, randomState: 0)
        try listOnly.fit(train.features, train.labels)
        #expect(listOnly.cvResults!.params.count == 2)  // the whole grid, without repeats
        #expect(try Scoring(name: "neg_root_mean_squared_error") == .negRootMeanSquaredError)
        #expect(throws: LearnError.self) { try Scoring(name: "f3") }
        #expect(throws: LearnError.self) {
            try GridSearchCV(PrepTestNearestCentroid(), paramGrid: ["no_such": [1]]).fit(train.features, train.labels)
        }
        // A classifier without probabilities cannot be scored by log loss.
        #expect(throws: LearnError.self) { try crossValScore(PrepTestNearestCentroid(), train.features, train.labels, scoring: .negLogLoss) }
    }

    @Test func pipelineForwardsParametersClonesAndRoundTrips() throws {
        ModelRegistry.register([PrepTestNearestCentroid.self, StandardScaler.self, Pipeline.self, MinMaxScaler.self])
        let (train, test) = try LearnFixtures.split(.breastCancer)
        let pipe = Pipeline([("scale", MinMaxScaler()), ("std", StandardScaler()), ("nc", PrepTestNearestCentroid(shrinkThreshold: 0.3))])
        try pipe.setParameter("std__with_mean", false)
        #expect(pipe.parameters["std__with_mean"] == .bool(false))
        #expect(pipe.parameters["nc__shrink_threshold"] == .double(0.3))
        try pipe.fit(train.features, train.labels)
        // Same as running the steps by hand.
        let a = MinMaxScaler(), b = StandardScaler(withMean: false), c = PrepTestNearestCentroid(shrinkThreshold: 0.3)
        let xt = try b.fitTransform(try a.fitTransform(train.features))
        try c.fit(xt, train.labels)
        let want = try c.predict(try b.transform(try a.transform(test.features)))
        let got: [Int] = try pipe.predict(test.features)
        #expect(got == want)
        #expect(pipe.classes == [0, 1])
        let clone = pipe.cloned()
        #expect(clone.parameters.mapValues(\.description) == pipe.parameters.mapValues(\.description))
        try clone.fit(train.features, train.labels)
        #expect(try clone.predict(test.features) as [Int] == want)
        let back = try ModelFile.decode(try ModelFile.encode(pipe)).estimator as! Pipeline
        #expect(try back.predict(test.features) as [Int] == want)
        #expect(throws: LearnError.self) { try pipe.setParameter("nope__x", 1) }
        #expect(throws: LearnError.self) { try pipe.predictProbabilities(test.features) }
        #expect(throws: LearnError.self) { try Pipeline([("nc", PrepTestNearestCentroid()), ("s", StandardScaler())]).fit(train.features, train.labels) }
        #expect(throws: LearnError.self) { try Pipeline().fit(train.features, train.labels) }
        // Transformer-only pipelines transform.
        let tp = Pipeline([("a", MinMaxScaler()), ("b", StandardScaler())])
        try tp.fit(train.features, target: nil)
        let a2 = MinMaxScaler(), b2 = StandardScaler()
        _ = try b2.fitTransform(try a2.fitTransform(train.features))
        #expect(try tp.transform(test.features) == (try b2.transform(try a2.transform(test.features))))
        // Cross-validating a pipeline clones it per fold.
        let scores = try crossValScore(pipe, train.features, .classes(train.labels), cv: 3)
        #expect(scores.count == 3 && scores.allSatisfy { $0 > 0.8 })
    }

    @Test func classAndSampleWeightsEqualScikitLearn() throws {
        let d = PrepFx.dict(try PrepFx.load("prep_model_selection")["class_weight"])
        let y = PrepFx.ints(d["y"]!)
        #expect(PrepFx.err(try computeClassWeight(.balanced, classes: [0, 1, 2], y: y), PrepFx.doubles(d["balanced"]!)) < 1e-12)
        #expect(PrepFx.err(try computeSampleWeight(.balanced, y: y), PrepFx.doubles(d["sample_balanced"]!)) < 1e-12)
        #expect(PrepFx.err(try computeSampleWeight(.balanced, y: y, indices: [0, 1, 3, 3, 6]), PrepFx.doubles(d["sample_indices"]!)) < 1e-12)
        #expect(PrepFx.err(try computeSampleWeight(.custom([0: 2, 2: 0.5]), y: y), PrepFx.doubles(d["sample_dict"]!)) < 1e-12)
        #expect(throws: LearnError.self) { try computeClassWeight(.balanced, classes: [0, 1, 2, 3], y: y) }
        #expect(throws: LearnError.self) { try computeClassWeight(.custom([7: 1]), classes: [0, 1, 2], y: y) }
    }
}

extension PrepTestNearestCentroid { func validateDecoded() throws {} }

import Foundation
import Testing
import Learn
import Datasets
import TestSupport

private func knnFixture(_ set: String) throws -> [String: Any] {
    (try LearnFixtures.json("svm_knn") as! [String: Any])[set] as! [String: Any]
}

private func knnBools(_ any: Any) -> [Bool] { (any as! [Any]).map { ($0 as! NSNumber).boolValue } }

/// Checks neighbours against scikit-learn's: sorted distances on every row; the index list on rows
/// whose k+1 nearest distances are all distinct; the index *set* on rows where the k-th and
/// (k+1)-th distances differ (elsewhere which of several equidistant points is kept, and their
/// order, is a tie-breaking choice: ours is the smaller training index).
private func knnCheckNeighbors(_ label: String, _ dist: Matrix, _ idx: [[Int]], _ ref: [String: Any]) {
    let tieFree = knnBools(ref["tie_free"]!), unique = knnBools(ref["set_unique"]!)
    let refIdx = (ref["indices"] as! [Any]).map { LearnFixtures.ints($0) }
    let refDist = LearnFixtures.matrix(ref["distances"]!)
    var worst = 0.0
    for r in 0..<idx.count {
        for t in 0..<dist.columns { worst = worse(worst, abs(dist[r, t] - refDist[r, t]) / (1e-3 + refDist[r, t])) }
        if tieFree[r] { #expect(idx[r] == refIdx[r], "\(label) row \(r)") }
        if unique[r] { #expect(Set(idx[r]) == Set(refIdx[r]), "\(label) row \(r)") }
    }
    #expect(worst < 1e-9, "\(label) distances \(worst)")
}

@Suite struct NeighborsTests {
    static let classification: [(BundledDataset, String)] = [(.iris, "iris"), (.wine, "wine"), (.breastCancer, "breast_cancer"), (.digits, "digits")]

    @Test func classifierDefaultsMatchScikitLearn() throws {
        for (set, name) in Self.classification {
            let (train, test) = try LearnFixtures.split(set)
            let ref = try knnFixture(name)["knn"] as! [String: Any]
            let model = KNeighborsClassifier()
            try model.fit(train.features, train.labels)
            let pred = try model.predict(test.features)
            let refPred = LearnFixtures.ints(ref["predictions"]!)
            let unique = knnBools(ref["set_unique"]!)
            let agree = agreement(pred, refPred)
            let acc = try model.score(test.features, test.labels)
            print("knn \(name) [\(model.fitMethod.rawValue)]: accuracy \(acc) (scikit-learn \(ref["accuracy"]!)), agreement \(agree)")
            #expect(agree >= 0.99)
            #expect(acc >= (ref["accuracy"] as! NSNumber).doubleValue - 0.01)
            for r in 0..<pred.count where unique[r] { #expect(pred[r] == refPred[r], "\(name) row \(r)") }
            let (dist, idx) = try model.kneighbors(test.features)
            knnCheckNeighbors(name, dist, idx, ref)
            let proba = try model.predictProbabilities(test.features)
            let refProba = LearnFixtures.matrix(ref["proba"]!)
            for r in 0..<proba.rows where unique[r] {
                for c in 0..<proba.columns { #expect(abs(proba[r, c] - refProba[r, c]) < 1e-12) }
            }
            let weighted = KNeighborsClassifier(weights: .distance)
            try weighted.fit(train.features, train.labels)
            let wRef = LearnFixtures.ints((try knnFixture(name)["knn_distance"] as! [String: Any])["predictions"]!)
            #expect(agreement(try weighted.predict(test.features), wRef) >= 0.99)
        }
    }

    @Test func everyMetricMatchesScikitLearn() throws {
        let details = (try LearnFixtures.json("svm_knn_details") as! [String: Any])["knn_metrics"] as! [String: Any]
        for (set, name) in [(BundledDataset.iris, "iris"), (.wine, "wine")] {
            let (train, test) = try LearnFixtures.split(set)
            let cases: [(String, KNeighborsClassifier)] = [("manhattan", KNeighborsClassifier(metric: .manhattan)),
                                                           ("chebyshev", KNeighborsClassifier(metric: .chebyshev)),
                                                           ("cosine", KNeighborsClassifier(metric: .cosine)),
                                                           ("euclidean", KNeighborsClassifier(metric: .euclidean)),
                                                           ("minkowski_p3", KNeighborsClassifier(p: 3))]
            for (label, model) in cases {
                let ref = details["\(name)/\(label)"] as! [String: Any]
                try model.fit(train.features, train.labels)
                let pred = try model.predict(test.features)
                let refPred = LearnFixtures.ints(ref["predictions"]!)
                let unique = knnBools(ref["set_unique"]!)
                let agree = agreement(pred, refPred)
                print("knn \(name)/\(label): agreement \(agree), neighbour set unique on \(unique.filter { $0 }.count)/\(unique.count) rows")
                #expect(agree >= 0.95, "\(name)/\(label)")
                for r in 0..<pred.count where unique[r] { #expect(pred[r] == refPred[r], "\(name)/\(label) row \(r)") }
                let (dist, idx) = try model.kneighbors(test.features)
                knnCheckNeighbors("\(name)/\(label)", dist, idx, ref)
            }
        }
    }

    @Test func treesEqualBruteForceExactly() throws {
        var rng = SeededRandom(seed: 7)
        // Random data with duplicated rows and a coarse grid (many exact distance ties).
        var rows: [[Double]] = (0..<400).map { _ in (0..<3).map { _ in Double(rng.int(below: 6)) + (rng.uniform() < 0.5 ? 0 : rng.uniform()) } }
        rows += rows[0..<40]
        let x = Matrix(rows)
        let q = Matrix((0..<120).map { _ in (0..<3).map { _ in Double(rng.int(below: 7)) - 0.5 } })
        let iris = try Datasets.load(.iris).features
        for (data, queries) in [(x, q), (iris, iris)] {
            for (metric, p) in [(NeighborsMetric.minkowski, 2.0), (.manhattan, 2), (.chebyshev, 2), (.minkowski, 3), (.minkowski, 1.5)] {
                var results: [(Matrix, [[Int]])] = []
                for algorithm in [NeighborsAlgorithm.brute, .kdTree, .ballTree] {
                    for leaf in [1, 30] {
                        let m = KNeighborsRegressor(nNeighbors: 7, algorithm: algorithm, leafSize: leaf, p: p, metric: metric)
                        try m.fit(data, [Double](repeating: 0, count: data.rows))
                        results.append(try m.kneighbors(queries))
                    }
                }
                for r in results.dropFirst() {
                    #expect(r.0 == results[0].0, "\(metric) p=\(p) distances")
                    #expect(r.1 == results[0].1, "\(metric) p=\(p) indices")
                }
            }
        }
        // The public trees directly.
        let kd = KDTree(x, leafSize: 5).query(q, k: 4), ball = BallTree(x, leafSize: 5).query(q, k: 4)
        #expect(kd.distances == ball.distances && kd.indices == ball.indices)
    }

    @Test func regressorMatchesScikitLearn() throws {
        for (set, name) in [(BundledDataset.diabetes, "diabetes"), (.diamonds, "diamonds")] {
            let (train, test) = try LearnFixtures.split(set)
            let fixture = try knnFixture(name)
            let ref = fixture["knn-regressor"] as! [String: Any]
            let model = KNeighborsRegressor()
            try model.fit(train.features, train.target)
            let pred = try model.predict(test.features)
            let refPred = LearnFixtures.doubles(ref["predictions"]!)
            let unique = knnBools(ref["set_unique"]!)
            let r2 = try model.score(test.features, test.target)
            let skR2 = (ref["r2"] as! NSNumber).doubleValue
            var close = 0
            for r in 0..<pred.count where abs(pred[r] - refPred[r]) <= 1e-9 * max(abs(refPred[r]), 1) { close += 1 }
            print("knn-regressor \(name) [\(model.fitMethod.rawValue)]: R² \(r2) (scikit-learn \(skR2)), predictions equal on \(close)/\(pred.count)")
            #expect(abs(r2 - skR2) <= 0.02)
            for r in 0..<pred.count where unique[r] { #expect(abs(pred[r] - refPred[r]) <= 1e-9 * max(abs(refPred[r]), 1)) }
            #expect(Double(close) >= 0.99 * Double(pred.count))
            let weighted = KNeighborsRegressor(weights: .distance)
            try weighted.fit(train.features, train.target)
            let wRef = LearnFixtures.doubles((fixture["knn-regressor_distance"] as! [String: Any])["predictions"]!)
            let wPred = try weighted.predict(test.features)
            let wClose: Int = zip(wPred, wRef).filter { (a: Double, b: Double) -> Bool in abs(a - b) <= 1e-9 * max(abs(b), 1) }.count
            #expect(wClose >= pred.count * 99 / 100)
        }
    }

    @Test func distanceWeightsAndExactMatches() throws {
        let x = Matrix([[0], [1], [2], [10]])
        let m = KNeighborsRegressor(nNeighbors: 2, weights: .distance)
        try m.fit(x, [0, 10, 20, 100])
        let p = try m.predict(Matrix([[1], [1.5], [0.25]]))
        #expect(p[0] == 10)                        // a training point at distance 0 takes all weight
        #expect(abs(p[1] - 15) < 1e-12)
        #expect(abs(p[2] - (0 / 0.25 + 10 / 0.75) / (1 / 0.25 + 1 / 0.75)) < 1e-12)
        let c = KNeighborsClassifier(nNeighbors: 2)
        try c.fit(x, [5, 3, 3, 5])
        // Ties in votes go to the smaller label; equal distances to the smaller index.
        #expect(try c.predict(Matrix([[0.5]])) == [3])
        let (d, i) = try c.kneighbors(Matrix([[1.5]]), nNeighbors: 3)
        #expect(i == [[1, 2, 0]] && d.values == [0.5, 0.5, 1.5])
    }

    @Test func neighborsBadInputsAndParameters() throws {
        let x = Matrix([[0, 0], [1, 1], [2, 2]])
        #expect(throws: LearnError.self) { try KNeighborsClassifier().predict(x) }
        #expect(throws: LearnError.self) { try KNeighborsClassifier(nNeighbors: 0).fit(x, [0, 1, 0]) }
        #expect(throws: LearnError.self) { try KNeighborsClassifier(leafSize: 0).fit(x, [0, 1, 0]) }
        #expect(throws: LearnError.self) { try KNeighborsClassifier(p: -1).fit(x, [0, 1, 0]) }
        #expect(throws: LearnError.self) { try KNeighborsClassifier(algorithm: .kdTree, metric: .cosine).fit(x, [0, 1, 0]) }
        #expect(throws: LearnError.self) { try KNeighborsClassifier().fit(x, [0, 1]) }
        #expect(throws: LearnError.self) { try KNeighborsRegressor().fit(Matrix([[.nan, 0]]), [1]) }
        let m = KNeighborsClassifier()
        try m.fit(x, [0, 1, 0])
        #expect(throws: LearnError.self) { try m.predict(x) }          // 5 neighbours, 3 samples
        #expect(throws: LearnError.self) { try m.kneighbors(Matrix([[1, 2, 3]]), nNeighbors: 1) }
        #expect(throws: LearnError.self) { try m.setParameter("metric", "hamming") }
        #expect(throws: LearnError.self) { try m.setParameter("n_neighbours", 3) }
    }

    @Test func neighborsParametersCloneAndModelFile() throws {
        ModelRegistry.register([KNeighborsClassifier.self, KNeighborsRegressor.self])
        let m = KNeighborsClassifier()
        try m.setParameters(["n_neighbors": 3, "weights": "distance", "algorithm": "ball_tree", "leaf_size": 10, "p": 1, "metric": "minkowski"])
        #expect(m.nNeighbors == 3 && m.weights == .distance && m.algorithm == .ballTree && m.leafSize == 10 && m.p == 1)
        #expect(m.cloned().parameters == m.parameters)
        #expect(Set(KNeighborsClassifier.parameterNames) == ["algorithm", "leaf_size", "metric", "n_jobs", "n_neighbors", "p", "weights"])
        let (train, test) = try LearnFixtures.split(.wine)
        for algorithm in [NeighborsAlgorithm.brute, .kdTree, .ballTree] {
            let model = KNeighborsClassifier(algorithm: algorithm)
            try model.fit(train.features, train.labels)
            let back = try ModelFile.decode(try ModelFile.encode(model)).estimator as! KNeighborsClassifier
            #expect(try back.predictProbabilities(test.features) == model.predictProbabilities(test.features))
            #expect(back.fitMethod == algorithm)
        }
        let (rtr, rte) = try LearnFixtures.split(.diabetes)
        let reg = KNeighborsRegressor(weights: .distance)
        try reg.fit(rtr.features, rtr.target)
        let regBack = try ModelFile.decode(try ModelFile.encode(reg)).estimator as! KNeighborsRegressor
        #expect(try regBack.predict(rte.features) == reg.predict(rte.features))
        #expect(reg.fitMethod == .kdTree)   // 10 features: auto picks the k-d tree
    }
}

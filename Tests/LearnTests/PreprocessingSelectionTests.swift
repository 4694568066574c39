import Foundation
import Testing
import Learn
import Datasets

/// Ordinary least squares with intercept (normal equations on centred data), importances |coef|:
/// a regressor owned by the tests for RFE.
final class PrepTestLinearRegression: Regressor, FeatureImportanceProviding {
    static let modelName = "prep-test-linear-regression"
    var coef: [Double] = []
    var intercept = 0.0
    init() {}
    var parameters: [String: ParamValue] { [:] }
    func setParameter(_ name: String, _ value: ParamValue) throws { throw unknownParameter(name) }
    var featureImportances: [Double] { coef.map(abs) }

    func fit(_ x: Matrix, _ y: [Double]) throws {
        try Check.targets(x, y, "PrepTestLinearRegression.fit")
        let p = x.columns, mx = x.columnMeans(), my = y.reduce(0, +) / Double(y.count)
        var a = [[Double]](repeating: [Double](repeating: 0, count: p + 1), count: p)
        for i in 0..<x.rows {
            for j in 0..<p {
                let xj = x[i, j] - mx[j]
                for k in 0..<p { a[j][k] += xj * (x[i, k] - mx[k]) }
                a[j][p] += xj * (y[i] - my)
            }
        }
        // Gauss–Jordan with partial pivoting.
        for c in 0..<p {
            let piv = (c..<p).max { abs(a[$0][c]) < abs(a[$1][c]) }!
            a.swapAt(c, piv)
            for r in 0..<p where r != c {
                let f = a[r][c] / a[c][c]
                for k in c...p { a[r][k] -= f * a[c][k] }
            }
        }
        coef = (0..<p).map { a[$0][p] / a[$0][$0] }
        intercept = my - zip(coef, mx).map(*).reduce(0, +)
    }

    func predict(_ x: Matrix) throws -> [Double] { (0..<x.rows).map { i in intercept + (0..<x.columns).map { coef[$0] * x[i, $0] }.reduce(0, +) } }
}

@Suite struct PreprocessingSelectionTests {
    @Test func univariateScoresEqualScikitLearn() throws {
        let fx = try PrepFx.load("prep_feature_selection")
        for (set, key) in [(BundledDataset.iris, "iris"), (.wine, "wine"), (.breastCancer, "breast_cancer"), (.digits, "digits")] {
            let (train, _) = try LearnFixtures.split(set)
            let d = PrepFx.dict(fx[key])
            let f = try fClassif(train.features, train.labels)
            #expect(PrepFx.err(f.scores, PrepFx.doubles(d["f"]!)) < 1e-9, "\(key) F")
            #expect(PrepFx.err(f.pvalues, PrepFx.doubles(d["fp"]!), floor: 1e-300) < 1e-7, "\(key) F p")
            let c = try chi2(train.features, train.labels)
            #expect(PrepFx.err(c.scores, PrepFx.doubles(d["chi2"]!)) < 1e-9, "\(key) chi2")
            #expect(PrepFx.err(c.pvalues, PrepFx.doubles(d["chi2p"]!), floor: 1e-300) < 1e-7, "\(key) chi2 p")
            let sel = SelectKBest(k: 5)
            try sel.fit(train.features, target: .classes(train.labels))
            #expect(sel.support == PrepFx.bools(d["support_f5"]!), "\(key) support")
            let sc = SelectKBest(scoreFunc: "chi2", k: 3)
            try sc.fit(train.features, target: .classes(train.labels))
            #expect(sc.support == PrepFx.bools(d["support_chi2_3"]!))
            #expect(try sc.transform(train.features).columns == 3)
            if let mi = d["mi"] {
                // Randomized tie-breaking: compare averages over 5 seeds, loosely.
                var ours = [Double](repeating: 0, count: train.features.columns)
                for s in 0..<5 { ours = zip(ours, try mutualInfoClassif(train.features, train.labels, randomState: s)).map { $0 + $1 / 5 } }
                let want = PrepFx.doubles(mi)
                #expect(zip(ours, want).allSatisfy { abs($0 - $1) < 0.02 + 0.05 * $1 }, "\(key) MI \(ours) vs \(want)")
            }
        }
        for (set, key) in [(BundledDataset.diabetes, "diabetes"), (.diamonds, "diamonds")] {
            let (train, _) = try LearnFixtures.split(set)
            let d = PrepFx.dict(fx[key])
            let f = try fRegression(train.features, train.target)
            #expect(PrepFx.err(f.scores, PrepFx.doubles(d["f"]!)) < 1e-9, "\(key) F")
            #expect(PrepFx.err(f.pvalues, PrepFx.doubles(d["fp"]!), floor: 1e-300) < 1e-7, "\(key) F p")
            let sel = SelectKBest(scoreFunc: "f_regression", k: 4)
            try sel.fit(train.features, target: .values(train.target))
            #expect(sel.support == PrepFx.bools(d["support_f4"]!))
            if let mi = d["mi"] {
                var ours = [Double](repeating: 0, count: train.features.columns)
                for s in 0..<5 { ours = zip(ours, try mutualInfoRegression(train.features, train.target, randomState: s)).map { $0 + $1 / 5 } }
                let want = PrepFx.doubles(mi)
                #expect(zip(ours, want).allSatisfy { abs($0 - $1) < 0.02 + 0.05 * $1 }, "\(key) MI \(ours) vs \(want)")
            }
        }
    }

    @Test func specialFunctionsKnownValues() {
        #expect(abs(SpecialFunctions.regularizedIncompleteBeta(2, 3, 0.4) - 0.5248) < 1e-12)
        #expect(abs(SpecialFunctions.chi2Survival(3.84145882069412, 1) - 0.05) < 1e-12)
        #expect(abs(SpecialFunctions.fSurvival(4.0, 2, 10) - 0.052922149401344654) < 1e-12)
        #expect(abs(SpecialFunctions.digamma(1) + 0.5772156649015329) < 1e-14)
        #expect(abs(SpecialFunctions.regularizedGammaP(2.5, 1.0) - 0.15085496391539036) < 1e-13)
    }

    @Test func rfeRankingEqualsScikitLearn() throws {
        ModelRegistry.register([PrepTestLinearRegression.self, RFE.self])
        let d = PrepFx.dict(try PrepFx.load("prep_feature_selection")["diabetes"])
        let (train, test) = try LearnFixtures.split(.diabetes)
        let xs = try StandardScaler().fitTransform(train.features)
        let rfe = RFE(estimator: PrepTestLinearRegression(), nFeaturesToSelect: 3)
        try rfe.fit(xs, train.target)
        #expect(rfe.ranking == PrepFx.ints(d["rfe_ranking"]!))
        #expect(rfe.selectedFeatures.count == 3)
        let r2 = RFE(estimator: PrepTestLinearRegression(), step: 2)
        try r2.fit(xs, train.target)
        #expect(r2.ranking == PrepFx.ints(d["rfe_ranking_step2"]!))
        // Predicts through the inner estimator, clones and round-trips.
        let p: [Double] = try rfe.predict(try StandardScaler().fitTransform(test.features))
        #expect(p.count == test.count)
        let clone = rfe.cloned()
        try clone.fit(xs, train.target)
        #expect(clone.ranking == rfe.ranking)
        let back = try ModelFile.decode(try ModelFile.encode(rfe)).estimator as! RFE
        #expect(try back.transform(xs) == (try rfe.transform(xs)))
        // Without an estimator: logistic regression, as for a classification target.
        let iris = try LearnFixtures.split(.iris)
        let byDefault = RFE(nFeaturesToSelect: 2)
        try byDefault.fit(iris.train.features, iris.train.labels)
        #expect(byDefault.selectedFeatures.count == 2)
        let kept: [Int] = try byDefault.predict(iris.test.features)
        #expect(agreement(kept, iris.test.labels) > 0.8)
        #expect(throws: LearnError.self) { try RFE(estimator: PrepTestLinearRegression(), step: 0).fit(xs, train.target) }
    }

    @Test func crossValidatedRegressionEqualsScikitLearn() throws {
        let d = PrepFx.dict(try PrepFx.load("prep_feature_selection")["diabetes"])
        let (train, _) = try LearnFixtures.split(.diabetes)
        let model = PrepTestLinearRegression()
        #expect(PrepFx.err(try crossValScore(model, train.features, train.target), PrepFx.doubles(d["cvs_r2"]!)) < 1e-9)
        #expect(PrepFx.err(try crossValScore(model, train.features, train.target, scoring: .negMeanSquaredError), PrepFx.doubles(d["cvs_neg_mse"]!)) < 1e-9)
        #expect(PrepFx.err(try crossValScore(model, train.features, train.target, scoring: .negMeanAbsoluteError), PrepFx.doubles(d["cvs_neg_mae"]!)) < 1e-9)
        #expect(PrepFx.err(try crossValPredict(model, train.features, train.target), PrepFx.doubles(d["cvp"]!)) < 1e-9)
        // A class scorer on a regressor is an error, not a crash.
        #expect(throws: LearnError.self) { try crossValScore(model, train.features, train.target, scoring: .accuracy) }
    }

    @Test func samplersGiveImbalancedLearnCounts() throws {
        let d = PrepFx.dict(try PrepFx.load("prep_imbalance"))
        let (train, _) = try LearnFixtures.split(.wine)
        let rows = PrepFx.ints(d["rows"]!)
        let x = train.features.rows(rows), y = rows.map { train.labels[$0] }
        let counts = PrepFx.dict(d["counts"])
        func bincount(_ v: [Int], _ k: Int) -> [Int] { (0..<k).map { c in v.filter { $0 == c }.count } }
        let over: [(String, SamplingStrategy)] = [("auto", .auto), ("minority", .minority), ("not_majority", .notMajority), ("all", .all),
                                                  ("dict", .counts([1: 40, 2: 30]))]
        for (key, s) in over {
            let (xs, ys) = try SMOTE(samplingStrategy: s, randomState: 0).fitResample(x, y)
            #expect(bincount(ys, 3) == PrepFx.ints(counts["smote_" + key]!), "smote \(key)")
            #expect(xs.rows == ys.count && xs.rows(Array(0..<x.rows)) == x)
            let (_, yr) = try RandomOverSampler(samplingStrategy: s, randomState: 0).fitResample(x, y)
            #expect(bincount(yr, 3) == PrepFx.ints(counts["ros_" + key]!), "ros \(key)")
        }
        let under: [(String, SamplingStrategy)] = [("auto", .auto), ("majority", .majority), ("not_minority", .notMinority), ("dict", .counts([0: 20, 1: 15]))]
        for (key, s) in under {
            let (_, yr) = try RandomUnderSampler(samplingStrategy: s, randomState: 0).fitResample(x, y)
            #expect(bincount(yr, 3) == PrepFx.ints(counts["rus_" + key]!), "rus \(key)")
        }
        let yb = y.map { $0 == 2 ? 1 : 0 }
        #expect(bincount(try SMOTE(samplingStrategy: .ratio(0.5), randomState: 0).fitResample(x, yb).1, 2) == PrepFx.ints(counts["smote_ratio"]!))
        #expect(bincount(try RandomOverSampler(samplingStrategy: .ratio(0.5), randomState: 0).fitResample(x, yb).1, 2) == PrepFx.ints(counts["ros_ratio"]!))
        #expect(bincount(try RandomUnderSampler(samplingStrategy: .ratio(0.5), randomState: 0).fitResample(x, yb).1, 2) == PrepFx.ints(counts["rus_ratio"]!))
    }

    @Test func smotePointsLieOnSegmentsToNearestMinorityNeighbours() throws {
        let (train, _) = try LearnFixtures.split(.iris)
        let keep = train.labels.indices.filter { train.labels[$0] != 2 || $0 % 4 == 0 }
        let x = train.features.rows(keep), y = keep.map { train.labels[$0] }
        let (xs, ys) = try SMOTE(randomState: 7).fitResample(x, y)
        let minority = y.indices.filter { y[$0] == 2 }
        func dist2(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
        // The 5 nearest minority neighbours of each minority sample.
        var nn = [Int: [Int]]()
        for i in minority {
            nn[i] = Array(minority.filter { $0 != i }.sorted { dist2(x.row(i), x.row($0)) < dist2(x.row(i), x.row($1)) }.prefix(5))
        }
        for r in x.rows..<xs.rows {
            #expect(ys[r] == 2)
            let p = xs.row(r)
            let onSegment = minority.contains { a in
                nn[a]!.contains { b in
                    let pa = x.row(a), pb = x.row(b)
                    let d = zip(pb, pa).map { $0 - $1 }
                    let dd = d.map { $0 * $0 }.reduce(0, +)
                    let u = zip(zip(p, pa).map { $0 - $1 }, d).map(*).reduce(0, +) / dd
                    let proj = zip(pa, d).map { $0 + u * $1 }
                    return u >= -1e-12 && u <= 1 + 1e-12 && dist2(proj, p) < 1e-20
                }
            }
            #expect(onSegment, "synthetic row \(r) is not on a minority segment")
        }
        #expect(throws: LearnError.self) { try SMOTE(kNeighbors: 50).fitResample(x, y) }
        #expect(throws: LearnError.self) { try SMOTE().fitResample(x, [Int](repeating: 0, count: x.rows)) }
        #expect(throws: LearnError.self) { try RandomUnderSampler().fitResample(x, Array(y.dropLast())) }
    }
}

extension PrepTestLinearRegression { func validateDecoded() throws {} }

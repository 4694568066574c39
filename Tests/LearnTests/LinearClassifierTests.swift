import Foundation
import Testing
import Learn
import Datasets
import TestSupport

@Suite struct LinearModelsClassificationTests {
    static let sets: [BundledDataset] = [.iris, .wine, .breastCancer, .digits]

    @Test(arguments: sets)
    func logisticRegressionMatchesScikitLearn(set: BundledDataset) throws {
        let fx = try linFixture("linear_classification", set.rawValue)
        // Raw features, defaults: scikit-learn stops at max_iter=100 unconverged, so only accuracy.
        let (rtr, rte, s) = try linData(set, standardized: false)
        let raw = LogisticRegression()
        try raw.fit(rtr, s.train.labels)
        let rawAcc = try raw.score(rte, s.test.labels)
        let skRaw = ((fx["logistic-raw"] as! [String: Any])["accuracy"] as! NSNumber).doubleValue
        print("linear-fixture logistic raw \(set.rawValue): accuracy \(rawAcc) vs \(skRaw)")
        #expect(rawAcc >= skRaw - 0.01)
        // Standardized, converged: the unique optimum (scikit-learn newton-cholesky, tol 1e-12).
        let (xtr, xte, _) = try linData(set, standardized: true)
        let ref = fx["logistic-std"] as! [String: Any]
        for solver in ["lbfgs", "newton-cholesky"] {
            let m = LogisticRegression(solver: solver, maxIter: 10_000, tol: 1e-10)
            try m.fit(xtr, s.train.labels)
            let err = linRel(m.coef.values + m.intercept, linFlat(ref["coef"]!) + linFlat(ref["intercept"]!))
            let agree = agreement(try m.predict(xte), LearnFixtures.ints(ref["predictions"]!))
            let probErr = linRel(try m.predictProbabilities(xte.rows(Array(0..<5))).values, linFlat(ref["proba"]!))
            print("linear-fixture logistic std \(solver) \(set.rawValue): coef rel \(err), agreement \(agree), proba rel \(probErr), iterations \(m.nIterations)")
            // Near 10× the worst seen over CI's four configurations (lbfgs: coef 8.0e-6, proba
            // 4.9e-7; newton-cholesky: 1.0e-9, 8.8e-11).
            let (coefBar, probBar) = solver == "lbfgs" ? (8e-5, 5e-6) : (1e-8, 1e-9)
            #expect(err <= coefBar, "\(solver) \(set): \(err)")
            #expect(agree >= 0.99)
            #expect(probErr <= probBar, "\(solver) \(set): \(probErr)")
        }
        // Balanced class weights and a stronger penalty.
        let bal = LogisticRegression(C: 0.1, solver: "newton-cholesky", maxIter: 1000, tol: 1e-10, classWeight: .balanced)
        try bal.fit(xtr, s.train.labels)
        let bref = fx["logistic-std-balanced"] as! [String: Any]
        let berr = linRel(bal.coef.values + bal.intercept, linFlat(bref["coef"]!) + linFlat(bref["intercept"]!))
        print("linear-fixture logistic balanced \(set.rawValue): coef rel \(berr)")
        #expect(berr <= 2e-7, "\(berr)")   // seen: 1.5e-8
        // L1 by saga (randomized solver, converged tightly: same optimum to solver precision).
        if let l1 = fx["logistic-std-l1"] as? [String: Any] {
            let m = LogisticRegression(l1Ratio: 1, solver: "saga", maxIter: 20_000, tol: 1e-10, randomState: 0)
            try m.fit(xtr, s.train.labels)
            let err = linRel(m.coef.values + m.intercept, linFlat(l1["coef"]!) + linFlat(l1["intercept"]!))
            print("linear-fixture logistic L1 saga \(set.rawValue): coef rel \(err), zeros \(m.coef.values.filter { $0 == 0 }.count)")
            #expect(err <= 5e-8, "\(err)")   // seen: 4.1e-9
            #expect(try m.score(xte, s.test.labels) >= (l1["accuracy"] as! NSNumber).doubleValue - 0.01)
        }
    }

    /// Elastic-net penalty by saga (l1_ratio strictly between 0 and 1), against
    /// scripts/fixtures/make_learn_elasticnet_fixtures.py.
    @Test(arguments: [BundledDataset.iris, .breastCancer, .wine])
    func elasticNetLogisticMatchesScikitLearn(set: BundledDataset) throws {
        let cases = try LearnFixtures.json("linear_elasticnet") as! [String: Any]
        let (xtr, xte, s) = try linData(set, standardized: true)
        var worst = 0.0
        for case let ref as [String: Any] in cases[set.rawValue] as! [Any] {
            let l1Ratio = (ref["l1_ratio"] as! NSNumber).doubleValue, c = (ref["C"] as! NSNumber).doubleValue
            let m = LogisticRegression(C: c, l1Ratio: l1Ratio, solver: "saga", maxIter: 20_000, tol: 1e-10, randomState: 0)
            try m.fit(xtr, s.train.labels)
            let err = linRel(m.coef.values + m.intercept, linFlat(ref["coef"]!) + linFlat(ref["intercept"]!))
            let probErr = linRel(try m.predictProbabilities(xte.rows(Array(0..<5))).values, linFlat(ref["proba"]!))
            worst = max(worst, err)
            // Near 10× the worst seen (coef 2.8e-9 on wine; proba below it).
            #expect(err <= 3e-8, "l1_ratio \(l1Ratio) C \(c): \(err)")
            #expect(probErr <= 3e-8, "l1_ratio \(l1Ratio) C \(c): proba \(probErr)")
            #expect(m.coef.values.filter { $0 == 0 }.count == (ref["zeros"] as! NSNumber).intValue)
            #expect(try m.score(xte, s.test.labels) >= (ref["accuracy"] as! NSNumber).doubleValue - 0.01)
        }
        print("linear-fixture logistic elastic-net saga \(set.rawValue): worst coef rel \(worst)")
    }

    @Test(arguments: sets)
    func ldaMatchesScikitLearn(set: BundledDataset) throws {
        let fx = try linFixture("linear_classification", set.rawValue)
        let (xtr, xte, s) = try linData(set, standardized: false)
        let head = xte.rows(Array(0..<5))
        for (key, lda) in [("lda-svd", LinearDiscriminantAnalysis()),
                           ("lda-lsqr-auto", LinearDiscriminantAnalysis(solver: "lsqr", shrinkage: .auto)),
                           ("lda-eigen-auto", LinearDiscriminantAnalysis(solver: "eigen", shrinkage: .auto))] {
            let ref = fx[key] as! [String: Any]
            try lda.fit(xtr, s.train.labels)
            let err = linRel(lda.coef.values + lda.intercept, linFlat(ref["coef"]!) + linFlat(ref["intercept"]!))
            let agree = agreement(try lda.predict(xte), LearnFixtures.ints(ref["predictions"]!))
            let acc = try lda.score(xte, s.test.labels)
            let probErr = linRel(try lda.predictProbabilities(head).values, linFlat(ref["proba"]!))
            print("linear-fixture \(key) \(set.rawValue): accuracy \(acc) vs \((ref["accuracy"] as! NSNumber).doubleValue), agreement \(agree), coef rel \(err), proba rel \(probErr)")
            // Near 10× the worst seen over the three solvers and four sets (coef 2.5e-12, proba 5.1e-13),
            // widened for lsqr by scikit-learn's own error: on unscaled breast cancer (Σ condition
            // 1.5e11) its gelsd solution is 1.4e-8 from the 60-digit one, and which 8 digits it keeps
            // depends on the BLAS kernels of the machine, so the tight comparison is with the exact one.
            let refErr = (ref["sklearn_error_vs_exact"] as? NSNumber)?.doubleValue ?? 0
            #expect(err <= max(3e-11, 3 * refErr), "\(key) \(set): \(err)")
            #expect(agree >= 0.99)
            #expect(probErr <= max(5e-12, 5 * refErr), "\(key) \(set): \(probErr)")
            if let exact = ref["coef_exact"] {
                let exactErr = linRel(lda.coef.values + lda.intercept, linFlat(exact) + linFlat(ref["intercept_exact"]!))
                print("linear-fixture \(key) \(set.rawValue): coef rel to the 60-digit solution \(exactErr) (scikit-learn's \(refErr))")
                // Seen: 7.8e-15 (breast cancer) with the equilibrated solve; a plain SVD solve gives ~1e-8 there.
                #expect(exactErr <= 1e-13, "\(key) \(set) vs exact: \(exactErr)")
            }
            if let evr = ref["explained_variance_ratio"] {
                let evrErr = linRel(lda.explainedVarianceRatio, linFlat(evr))
                let t = try lda.transform(head)
                // Directions are defined up to sign: compare magnitudes.
                let tErr = linRel(t.values.map(abs), linFlat(ref["transform_abs"]!))
                print("linear-fixture \(key) \(set.rawValue): explained variance rel \(evrErr), transform rel \(tErr)")
                // Seen: explained variance 2.0e-12, transform 4.6e-12 (eigen, breast cancer).
                #expect(evrErr <= 2e-11, "\(key) \(set): \(evrErr)")
                #expect(tErr <= 5e-11, "\(key) \(set) transform: \(tErr)")
            }
            if let means = ref["means"] { #expect(linRel(lda.means.values, linFlat(means)) <= 1e-10) }
        }
    }

    @Test(arguments: sets)
    func naiveBayesMatchesScikitLearn(set: BundledDataset) throws {
        let fx = try linFixture("linear_classification", set.rawValue)
        let (xtr, xte, s) = try linData(set, standardized: false)
        let head = xte.rows(Array(0..<5))
        let models: [(String, any NaiveBayesClassifier)] = [("gaussian-nb", GaussianNB()), ("multinomial-nb", MultinomialNB()),
                                                            ("bernoulli-nb", BernoulliNB())]
        for (key, nb) in models {
            let ref = fx[key] as! [String: Any]
            try nb.fit(xtr, s.train.labels)
            let agree = agreement(try nb.predict(xte), LearnFixtures.ints(ref["predictions"]!))
            let acc = try nb.score(xte, s.test.labels)
            let lp = try nb.predictLogProbabilities(head).values
            // Log-probabilities: near-zero entries absolutely, the rest relatively.
            let lpRef = linFlat(ref["log_proba"]!)
            let lpErr = maxRelativeError(lp, lpRef, floor: 1)
            print("linear-fixture \(key) \(set.rawValue): accuracy \(acc) vs \((ref["accuracy"] as! NSNumber).doubleValue), agreement \(agree), log-proba err \(lpErr)")
            #expect(agree >= 0.99, "\(key) \(set)")
            #expect(lpErr <= 1e-6, "\(key) \(set)")
            switch nb {
            case let g as GaussianNB:
                #expect(linRel(g.theta.values, linFlat(ref["theta"]!)) <= 1e-10)
                #expect(maxRelativeError(g.variance.values, linFlat(ref["var"]!)) <= 1e-8)
            case let m as MultinomialNB:
                #expect(maxRelativeError(m.featureLogProb.values, linFlat(ref["feature_log_prob"]!)) <= 1e-10)
            case let b as BernoulliNB:
                #expect(maxRelativeError(b.featureLogProb.values, linFlat(ref["feature_log_prob"]!)) <= 1e-10)
            default: break
            }
        }
    }

    @Test func naiveBayesSampleWeights() throws {
        let (s) = try LearnFixtures.split(.iris)
        let w = (0..<s.train.features.rows).map { 1.0 + Double($0 % 3) }
        let fx = try linFixture("linear_classification", "weighted")
        let g = GaussianNB()
        try g.fit(s.train.features, s.train.labels, sampleWeight: w)
        let gref = fx["gaussian-nb"] as! [String: Any]
        #expect(linRel(g.theta.values, linFlat(gref["theta"]!)) <= 1e-10)
        #expect(maxRelativeError(g.variance.values, linFlat(gref["var"]!)) <= 1e-8)
        let m = MultinomialNB()
        try m.fit(s.train.features, s.train.labels, sampleWeight: w)
        #expect(maxRelativeError(m.featureLogProb.values, linFlat((fx["multinomial-nb"] as! [String: Any])["feature_log_prob"]!)) <= 1e-10)
        // Probabilities are normalized and consistent with the log-probabilities.
        let p = try g.predictProbabilities(s.test.features)
        for i in 0..<p.rows { #expect(abs(p.row(i).reduce(0, +) - 1) < 1e-12) }
    }
}

import Foundation
import Testing
import Learn
import Datasets

/// SGD models are randomized: mean test score over seeds 0…4 against scikit-learn's mean over
/// random_state 0…4 (the streams differ, so only the averages are comparable).
@Suite struct LinearModelsSGDTests {
    /// The bar is checked on means over seeds 0…39 (ours vs scikit-learn's random_state 0…39):
    /// single runs vary by up to 0.14 (sd) between seeds, so 5-seed means differ by more than the
    /// 0.01 bar by chance alone. The 5-seed figures are printed as well. digits (slow, and its
    /// seed-to-seed spread is small) is checked on seeds 0…4 only.
    @Test(arguments: [BundledDataset.iris, .wine, .breastCancer, .digits])
    func classifierAccuracy(set: BundledDataset) throws {
        let fx = try linFixture("linear_classification", set.rawValue)
        for (tag, standardized, loss) in [("sgd-raw", false, "hinge"), ("sgd-std", true, "hinge"), ("sgd-log-std", true, "log_loss")] {
            let (xtr, xte, s) = try linData(set, standardized: standardized)
            var scores: [Double] = []
            let seedCount = set == .digits ? 5 : 40
            for seed in 0..<seedCount {
                let m = SGDClassifier(loss: loss, randomState: seed)
                try m.fit(xtr, s.train.labels)
                scores.append(try m.score(xte, s.test.labels))
            }
            let ref = fx[tag] as! [String: Any]
            let ours5 = scores.prefix(5).reduce(0, +) / 5, theirs5 = (ref["mean_accuracy"] as! NSNumber).doubleValue
            let ours40 = scores.reduce(0, +) / Double(seedCount), theirs40 = (ref[seedCount == 40 ? "mean_accuracy_40" : "mean_accuracy"] as! NSNumber).doubleValue
            print("linear-fixture \(tag) \(set.rawValue): mean accuracy seeds 0-4 \(ours5) vs \(theirs5); seeds 0-\(seedCount - 1) \(ours40) vs \(theirs40)")
            #expect(ours40 >= theirs40 - 0.01, "\(tag) \(set)")
        }
    }

    @Test func regressorR2() throws {
        // diamonds on raw features diverges in scikit-learn too (mean R² ≈ −1e17): standardized only.
        for (set, standardized) in [(BundledDataset.diabetes, false), (.diabetes, true), (.diamonds, true)] {
            let fx = try linFixture("linear_regression", set.rawValue, standardized ? "std" : "raw")
            let (xtr, xte, s) = try linData(set, standardized: standardized)
            var total = 0.0
            for seed in 0..<5 {
                let m = SGDRegressor(randomState: seed)
                try m.fit(xtr, s.train.target)
                total += try m.score(xte, s.test.target)
            }
            let ours = total / 5
            let theirs = ((fx["sgd-regressor"] as! [String: Any])["mean_r2"] as! NSNumber).doubleValue
            print("linear-fixture sgd-regressor \(set.rawValue) \(standardized ? "std" : "raw"): mean R² \(ours) vs \(theirs)")
            #expect(ours >= theirs - 0.02)
        }
    }

    @Test func otherLossesAndOptions() throws {
        let (xtr, xte, s) = try linData(.breastCancer, standardized: true)
        for loss in ["modified_huber", "squared_hinge", "perceptron"] {
            let m = SGDClassifier(loss: loss, randomState: 0)
            try m.fit(xtr, s.train.labels)
            #expect(try m.score(xte, s.test.labels) > 0.9, "\(loss)")
        }
        for (penalty, lr) in [("l1", "optimal"), ("elasticnet", "adaptive"), ("l2", "constant"), ("l2", "invscaling")] {
            let m = SGDClassifier(penalty: penalty, randomState: 1, learningRate: lr, eta0: 0.01, earlyStopping: lr == "adaptive",
                                  classWeight: .balanced, average: lr == "constant" ? 1 : 0)
            try m.fit(xtr, s.train.labels)
            #expect(try m.score(xte, s.test.labels) > 0.9, "\(penalty) \(lr)")
        }
        let p = SGDClassifier(loss: "log_loss", randomState: 0)
        try p.fit(xtr, s.train.labels)
        let prob = try p.predictProbabilities(xte)
        #expect(abs(prob.row(0).reduce(0, +) - 1) < 1e-12)
        #expect(throws: LearnError.self) { _ = try SGDClassifier(randomState: 0).fitted(xtr, s.train.labels).predictProbabilities(xte) }
        let (rtr, rte, r) = try linData(.diabetes, standardized: true)
        for loss in ["huber", "epsilon_insensitive"] {
            let m = SGDRegressor(loss: loss, epsilon: 1.0, randomState: 0, eta0: 0.1)
            try m.fit(rtr, r.train.target)
            #expect(try m.score(rte, r.test.target) > 0.2, "\(loss)")
        }
    }
}

extension SGDClassifier {
    func fitted(_ x: Matrix, _ y: [Int]) throws -> SGDClassifier { try fit(x, y); return self }
}

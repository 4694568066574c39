import Foundation
import Testing
import Learn

@Suite struct MetricsTests {
    static let classification = ["iris", "wine", "breast_cancer", "digits"]

    @Test func classificationMetricsMatchScikitLearn() throws {
        let fx = try PrepFx.load("prep_metrics")
        for key in Self.classification {
            let d = PrepFx.dict(fx[key])
            let yt = PrepFx.ints(d["y_true"]!), yp = PrepFx.ints(d["y_pred"]!)
            func close(_ a: Double, _ name: String) { #expect(PrepFx.err([a], [PrepFx.num(d[name]!)]) < 1e-9, "\(key) \(name)") }
            close(try Metrics.accuracy(yt, yp), "accuracy")
            close(try Metrics.balancedAccuracy(yt, yp), "balanced_accuracy")
            close(try Metrics.balancedAccuracy(yt, yp, adjusted: true), "balanced_accuracy_adj")
            close(try Metrics.matthewsCorrcoef(yt, yp), "mcc")
            #expect(try Metrics.confusionMatrix(yt, yp) == (d["confusion"] as! [[Any]]).map { $0.map { ($0 as! NSNumber).intValue } })
            var averages: [Metrics.Average] = [.micro, .macro, .weighted]
            if key == "breast_cancer" { averages.append(.binary) }
            for a in averages {
                close(try Metrics.precision(yt, yp, average: a), "precision_\(a.rawValue)")
                close(try Metrics.recall(yt, yp, average: a), "recall_\(a.rawValue)")
                close(try Metrics.f1(yt, yp, average: a), "f1_\(a.rawValue)")
                close(try Metrics.fbeta(yt, yp, beta: 2, average: a), "f2_\(a.rawValue)")
            }
            let per = try Metrics.precisionRecallFScoreSupport(yt, yp)
            let pc = PrepFx.dict(d["per_class"])
            #expect(PrepFx.err(per.precision, PrepFx.doubles(pc["p"]!)) < 1e-12)
            #expect(PrepFx.err(per.fScore, PrepFx.doubles(pc["f"]!)) < 1e-12)
            #expect(PrepFx.err(per.support, PrepFx.doubles(pc["s"]!)) == 0)
            let report = try Metrics.classificationReport(yt, yp)
            #expect(report.text == (d["report"] as! String), "\(key) report:\n\(report.text)\n\((d["report"] as! String))")
            let classes = Array(Set(yt)).sorted()
            let r4 = try Metrics.classificationReport(yt, yp, targetNames: classes.map { "class \($0)" }, digits: 4)
            #expect(r4.text == (d["report_digits4"] as! String))
            let proba = PrepFx.matrix(d["proba"]!)
            close(try Metrics.logLoss(yt, proba), "log_loss")
            if key == "breast_cancer" {
                let s = proba.column(1)
                close(try Metrics.rocAUC(yt, s), "roc_auc")
                close(try Metrics.rocAUC(yt, probabilities: proba), "roc_auc")
                close(try Metrics.averagePrecision(yt, s), "average_precision")
                close(try Metrics.logLoss(yt, Matrix(column: s)), "log_loss_1col")
                for (name, drop) in [("roc", true), ("roc_all", false)] {
                    let c = try Metrics.rocCurve(yt, s, dropIntermediate: drop)
                    let r = PrepFx.dict(d[name])
                    #expect(PrepFx.err(c.fpr, PrepFx.doubles(r["fpr"]!)) < 1e-12 && PrepFx.err(c.tpr, PrepFx.doubles(r["tpr"]!)) < 1e-12, "\(name)")
                    #expect(PrepFx.err(c.thresholds, PrepFx.doubles(r["thr"]!)) < 1e-12, "\(name) thresholds")
                }
                for (name, drop) in [("pr", false), ("pr_drop", true)] {
                    let c = try Metrics.precisionRecallCurve(yt, s, dropIntermediate: drop)
                    let r = PrepFx.dict(d[name])
                    #expect(PrepFx.err(c.precision, PrepFx.doubles(r["p"]!)) < 1e-12 && PrepFx.err(c.recall, PrepFx.doubles(r["r"]!)) < 1e-12, "\(name)")
                    #expect(PrepFx.err(c.thresholds, PrepFx.doubles(r["thr"]!)) < 1e-12, "\(name) thresholds")
                }
            } else {
                for mc in [Metrics.MultiClass.ovr, .ovo] {
                    for a in [Metrics.Average.macro, .weighted] {
                        close(try Metrics.rocAUC(yt, probabilities: proba, multiClass: mc, average: a), "roc_auc_\(mc.rawValue)_\(a.rawValue)")
                    }
                }
            }
        }
    }

    @Test func tiedScoresAndZeroDivision() throws {
        let fx = try PrepFx.load("prep_metrics")
        let t = PrepFx.dict(fx["ties"])
        let y = PrepFx.ints(t["y"]!), s = PrepFx.doubles(t["s"]!)
        #expect(PrepFx.err([try Metrics.rocAUC(y, s)], [PrepFx.num(t["auc"]!)]) < 1e-12)
        #expect(PrepFx.err([try Metrics.averagePrecision(y, s)], [PrepFx.num(t["ap"]!)]) < 1e-12)
        let roc = try Metrics.rocCurve(y, s)
        #expect(PrepFx.err(roc.fpr, PrepFx.doubles(t["fpr"]!)) < 1e-12 && PrepFx.err(roc.tpr, PrepFx.doubles(t["tpr"]!)) < 1e-12)
        #expect(PrepFx.err(roc.thresholds, PrepFx.doubles(t["thr"]!)) == 0)
        let pr = try Metrics.precisionRecallCurve(y, s)
        #expect(PrepFx.err(pr.precision, PrepFx.doubles(t["p"]!)) < 1e-12 && PrepFx.err(pr.recall, PrepFx.doubles(t["r"]!)) < 1e-12)

        let z = PrepFx.dict(fx["zero_division"])
        let yt = PrepFx.ints(z["y_true"]!), yp = PrepFx.ints(z["y_pred"]!)
        let values = PrepFx.dict(z["values"])
        for (zv, zn) in [(0.0, "0"), (1.0, "1"), (Double.nan, "nan")] {
            for a in [Metrics.Average.macro, .weighted, .micro] {
                let r = try Metrics.precisionRecallFScoreSupport(yt, yp, average: a, zeroDivision: zv)
                #expect(PrepFx.err([r.precision[0], r.recall[0], r.fScore[0]], PrepFx.doubles(values["\(a.rawValue)_\(zn)"]!)) < 1e-12, "\(a) \(zn)")
            }
            let r = try Metrics.precisionRecallFScoreSupport(yt, yp, zeroDivision: zv)
            let want = (values["none_\(zn)"] as! [Any]).map(PrepFx.doubles)
            #expect(PrepFx.err(r.precision, want[0]) < 1e-12 && PrepFx.err(r.recall, want[1]) < 1e-12 && PrepFx.err(r.fScore, want[2]) < 1e-12, "none \(zn)")
        }
        #expect(try Metrics.classificationReport(yt, yp).text == (z["report"] as! String))
        let withLabels = try Metrics.classificationReport(yt, yp, labels: [0, 2])
        #expect(withLabels.text == (z["report_labels"] as! String), "\(withLabels.text)\n\((z["report_labels"] as! String))")
        #expect(withLabels.accuracy == nil && withLabels.microAverage != nil)
    }

    @Test func regressionMetricsMatchScikitLearn() throws {
        let fx = try PrepFx.load("prep_metrics")
        for key in ["diabetes", "diamonds"] {
            let d = PrepFx.dict(fx[key])
            let yt = PrepFx.doubles(d["y_true"]!), yp = PrepFx.doubles(d["y_pred"]!)
            let ours: [(String, Double)] = [
                ("mse", try Metrics.meanSquaredError(yt, yp)), ("rmse", try Metrics.rootMeanSquaredError(yt, yp)),
                ("mae", try Metrics.meanAbsoluteError(yt, yp)), ("r2", try Metrics.r2Score(yt, yp)),
                ("ev", try Metrics.explainedVariance(yt, yp)), ("medae", try Metrics.medianAbsoluteError(yt, yp)),
                ("mape", try Metrics.meanAbsolutePercentageError(yt, yp)),
            ]
            for (name, v) in ours { #expect(PrepFx.err([v], [PrepFx.num(d[name]!)]) < 1e-9, "\(key) \(name)") }
        }
        #expect(try Metrics.r2Score([1, 1, 1], [1, 1, 1]) == 1)
        #expect(try Metrics.r2Score([1, 1, 1], [1, 2, 1]) == 0)
    }

    @Test func fairnessMatchesFairlearn() throws {
        let fx = try PrepFx.load("prep_metrics")
        let d = PrepFx.dict(fx["breast_cancer"]), f = PrepFx.dict(fx["fairness"])
        let yt = PrepFx.ints(d["y_true"]!), yp = PrepFx.ints(d["y_pred"]!), g = PrepFx.ints(f["groups"]!)
        #expect(PrepFx.err([try Metrics.demographicParityDifference(yPred: yp, groups: g)], [PrepFx.num(f["dpd"]!)]) < 1e-12)
        #expect(PrepFx.err([try Metrics.disparateImpact(yPred: yp, groups: g)], [PrepFx.num(f["dpr"]!)]) < 1e-12)
        #expect(PrepFx.err([try Metrics.equalizedOddsDifference(yTrue: yt, yPred: yp, groups: g)], [PrepFx.num(f["eod"]!)]) < 1e-12)
        let rep = try Metrics.groupReport(yTrue: yt, yPred: yp, groups: g)
        let by = PrepFx.dict(f["by_group"])
        #expect(PrepFx.err(rep.groups.map(\.selectionRate), PrepFx.doubles(by["sel"]!)) < 1e-12)
        #expect(PrepFx.err(rep.groups.map(\.truePositiveRate), PrepFx.doubles(by["tpr"]!)) < 1e-12)
        #expect(PrepFx.err(rep.groups.map(\.falsePositiveRate), PrepFx.doubles(by["fpr"]!)) < 1e-12)
        #expect(PrepFx.err(rep.groups.map(\.accuracy), PrepFx.doubles(by["acc"]!)) < 1e-12)
        // String groups work too.
        let named = try Metrics.demographicParityDifference(yPred: [1, 0, 1, 1], groups: ["a", "a", "b", "b"])
        #expect(named == 0.5)
    }

    @Test func badInputThrows() throws {
        #expect(throws: LearnError.self) { try Metrics.accuracy([], []) }
        #expect(throws: LearnError.self) { try Metrics.accuracy([1, 0], [1]) }
        #expect(throws: LearnError.self) { try Metrics.f1([0, 1, 2], [0, 1, 2]) }  // binary on multiclass
        #expect(throws: LearnError.self) { try Metrics.rocAUC([1, 1, 1], [0.1, 0.2, 0.3]) }
        #expect(throws: LearnError.self) { try Metrics.rocAUC([0, 1], [0.1, .nan]) }
        #expect(throws: LearnError.self) { try Metrics.meanSquaredError([1, 2], [1]) }
        #expect(throws: LearnError.self) { try Metrics.meanSquaredError([], []) }
        #expect(throws: LearnError.self) { try Metrics.r2Score([1], [1]) }
        #expect(throws: LearnError.self) { try Metrics.logLoss([0, 1], Matrix([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0]])) }
        #expect(throws: LearnError.self) { try Metrics.logLoss([0, 1], Matrix([[1.5, -0.5], [0.2, 0.8]])) }
        #expect(throws: LearnError.self) { try Metrics.demographicParityDifference(yPred: [1, 0], groups: [1]) }
        #expect(throws: LearnError.self) { try Metrics.groupReport(yTrue: [], yPred: [], groups: [Int]()) }
        #expect(throws: LearnError.self) { try Metrics.confusionMatrix([0], [0], labels: []) }
    }
}

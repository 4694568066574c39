import Foundation

/// Evaluation metrics with scikit-learn's definitions (`sklearn.metrics`) and fairness metrics
/// with fairlearn's (`fairlearn.metrics`).
///
/// Every function checks its input and throws ``LearnError/invalidInput(_:)`` on empty arrays,
/// arrays of different lengths, or non-finite numbers. Labels are integers; the label set of a
/// classification metric is, as in scikit-learn, the sorted union of the labels in `yTrue` and
/// `yPred` unless `labels` is given.
///
/// Clustering metrics (silhouette, adjusted Rand index, …) live in `ClusterMetrics`.
public enum Metrics {
    /// How per-class precision / recall / F-scores are combined (scikit-learn's `average`).
    public enum Average: String, Sendable, CaseIterable {
        /// Only the class `posLabel` (two-class targets only).
        case binary
        /// Global counts: total true positives over total predicted / true positives.
        case micro
        /// Unweighted mean of the per-class scores.
        case macro
        /// Mean of the per-class scores weighted by each class's support (true count).
        case weighted
    }

    // MARK: - Input checks

    static func checkPair(_ a: Int, _ b: Int, _ caller: String) throws {
        if a == 0 { throw LearnError.invalidInput("Metrics.\(caller): empty input") }
        if a != b { throw LearnError.invalidInput("Metrics.\(caller): inputs have different lengths (\(a) and \(b))") }
    }

    static func checkFinite(_ v: [Double], _ caller: String, _ what: String) throws {
        if let k = v.firstIndex(where: { !$0.isFinite }) {
            throw LearnError.invalidInput("Metrics.\(caller): \(what) contains \(v[k]) at index \(k)")
        }
    }

    static func checkWeights(_ w: [Double]?, _ n: Int, _ caller: String) throws {
        guard let w else { return }
        if w.count != n { throw LearnError.invalidInput("Metrics.\(caller): sampleWeight has \(w.count) values for \(n) samples") }
        if let k = w.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw LearnError.invalidInput("Metrics.\(caller): sampleWeight[\(k)] = \(w[k]) is not a finite non-negative number")
        }
    }

    /// Weighted mean of `values` (plain mean without weights).
    static func weightedMean(_ values: [Double], _ w: [Double]?) -> Double {
        guard let w else { return values.reduce(0, +) / Double(values.count) }
        var s = 0.0, t = 0.0
        for i in values.indices { s += values[i] * w[i]; t += w[i] }
        return s / t
    }

    // MARK: - Classification

    /// Fraction of samples whose prediction equals the truth (`accuracy_score`); with weights,
    /// the weighted fraction.
    public static func accuracy(_ yTrue: [Int], _ yPred: [Int], sampleWeight: [Double]? = nil) throws -> Double {
        try checkPair(yTrue.count, yPred.count, "accuracy")
        try checkWeights(sampleWeight, yTrue.count, "accuracy")
        return weightedMean(zip(yTrue, yPred).map { $0 == $1 ? 1 : 0 }, sampleWeight)
    }

    /// The confusion matrix `C[i][j]`: number of samples with true label `labels[i]` predicted as
    /// `labels[j]` (`confusion_matrix`). `labels` defaults to the sorted union of both arrays;
    /// samples whose labels are not in `labels` are left out.
    public static func confusionMatrix(_ yTrue: [Int], _ yPred: [Int], labels: [Int]? = nil) throws -> [[Int]] {
        try checkPair(yTrue.count, yPred.count, "confusionMatrix")
        let labs = labels ?? Array(Set(yTrue).union(yPred)).sorted()
        if labs.isEmpty { throw LearnError.invalidInput("Metrics.confusionMatrix: labels is empty") }
        var index = [Int: Int]()
        for (k, l) in labs.enumerated() { index[l] = k }
        var c = [[Int]](repeating: [Int](repeating: 0, count: labs.count), count: labs.count)
        for (t, p) in zip(yTrue, yPred) {
            if let i = index[t], let j = index[p] { c[i][j] += 1 }
        }
        return c
    }

    /// Per-label counts: true positives, predicted count, true count (weighted).
    static func labelCounts(_ yTrue: [Int], _ yPred: [Int], _ labels: [Int], _ w: [Double]?) -> (tp: [Double], pred: [Double], truth: [Double]) {
        var index = [Int: Int]()
        for (k, l) in labels.enumerated() { index[l] = k }
        var tp = [Double](repeating: 0, count: labels.count), pred = tp, truth = tp
        for i in yTrue.indices {
            let wi = w?[i] ?? 1
            if let k = index[yTrue[i]] { truth[k] += wi; if yPred[i] == yTrue[i] { tp[k] += wi } }
            if let k = index[yPred[i]] { pred[k] += wi }
        }
        return (tp, pred, truth)
    }

    /// Per-class (or averaged) precision, recall, F-beta and support, as
    /// `precision_recall_fscore_support`.
    ///
    /// precision = tp / (tp + fp), recall = tp / (tp + fn),
    /// Fβ = (1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp). A ratio with a zero denominator takes
    /// `zeroDivision` (scikit-learn's default `"warn"` acts as 0; pass `.nan` for `np.nan`, which
    /// averages then skip). With `average` nil the arrays hold one value per label; otherwise one.
    public static func precisionRecallFScoreSupport(
        _ yTrue: [Int], _ yPred: [Int], beta: Double = 1, labels: [Int]? = nil, posLabel: Int = 1,
        average: Average? = nil, zeroDivision: Double = 0, sampleWeight: [Double]? = nil
    ) throws -> (precision: [Double], recall: [Double], fScore: [Double], support: [Double]) {
        try checkPair(yTrue.count, yPred.count, "precisionRecallFScoreSupport")
        try checkWeights(sampleWeight, yTrue.count, "precisionRecallFScoreSupport")
        try require(beta >= 0, "beta", beta, "must be non-negative")
        let present = Array(Set(yTrue).union(yPred)).sorted()
        var labs = labels ?? present
        if average == .binary {
            if present.count > 2 {
                throw LearnError.invalidInput("Metrics: target is multiclass but average='binary'; choose micro, macro or weighted")
            }
            if !present.contains(posLabel) && present.count >= 2 {
                throw LearnError.invalidInput("Metrics: posLabel=\(posLabel) is not a valid label; it should be one of \(present)")
            }
            labs = [posLabel]
        }
        if labs.isEmpty { throw LearnError.invalidInput("Metrics: labels is empty") }
        var (tp, pred, truth) = labelCounts(yTrue, yPred, labs, sampleWeight)
        if average == .micro { tp = [tp.reduce(0, +)]; pred = [pred.reduce(0, +)]; truth = [truth.reduce(0, +)] }
        func divide(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $1 == 0 ? zeroDivision : $0 / $1 } }
        let precision = divide(tp, pred), recall = divide(tp, truth)
        let f: [Double]
        if beta.isInfinite { f = recall } else if beta == 0 { f = precision } else {
            let b2 = beta * beta
            f = divide(tp.map { (1 + b2) * $0 }, zip(truth, pred).map { b2 * $0 + $1 })
        }
        guard let average else { return (precision, recall, f, truth) }
        let weights: [Double]? = average == .weighted ? truth : nil
        func avg(_ a: [Double]) -> Double {
            let keep = a.indices.filter { !a[$0].isNaN }
            if keep.isEmpty { return .nan }
            let v = keep.map { a[$0] }
            if let weights {
                let w = keep.map { weights[$0] }
                if w.reduce(0, +) > 0 { return weightedMean(v, w) }
            }
            return weightedMean(v, nil)
        }
        return ([avg(precision)], [avg(recall)], [avg(f)], [truth.reduce(0, +)])
    }

    /// Precision tp / (tp + fp) (`precision_score`, default `average="binary"`, `pos_label=1`).
    public static func precision(_ yTrue: [Int], _ yPred: [Int], average: Average = .binary, posLabel: Int = 1,
                                 labels: [Int]? = nil, zeroDivision: Double = 0) throws -> Double {
        try precisionRecallFScoreSupport(yTrue, yPred, labels: labels, posLabel: posLabel, average: average, zeroDivision: zeroDivision).precision[0]
    }

    /// Recall tp / (tp + fn) (`recall_score`, default `average="binary"`, `pos_label=1`).
    public static func recall(_ yTrue: [Int], _ yPred: [Int], average: Average = .binary, posLabel: Int = 1,
                              labels: [Int]? = nil, zeroDivision: Double = 0) throws -> Double {
        try precisionRecallFScoreSupport(yTrue, yPred, labels: labels, posLabel: posLabel, average: average, zeroDivision: zeroDivision).recall[0]
    }

    /// F1 = 2·tp / (2·tp + fp + fn), the harmonic mean of precision and recall (`f1_score`).
    public static func f1(_ yTrue: [Int], _ yPred: [Int], average: Average = .binary, posLabel: Int = 1,
                          labels: [Int]? = nil, zeroDivision: Double = 0) throws -> Double {
        try fbeta(yTrue, yPred, beta: 1, average: average, posLabel: posLabel, labels: labels, zeroDivision: zeroDivision)
    }

    /// Fβ = (1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp): recall weighs β times as much as
    /// precision (`fbeta_score`).
    public static func fbeta(_ yTrue: [Int], _ yPred: [Int], beta: Double, average: Average = .binary, posLabel: Int = 1,
                             labels: [Int]? = nil, zeroDivision: Double = 0) throws -> Double {
        try precisionRecallFScoreSupport(yTrue, yPred, beta: beta, labels: labels, posLabel: posLabel, average: average, zeroDivision: zeroDivision).fScore[0]
    }

    /// Mean of the per-class recalls over the classes present in `yTrue`
    /// (`balanced_accuracy_score`). `adjusted` rescales so that chance scores 0:
    /// (score − 1/k) / (1 − 1/k).
    public static func balancedAccuracy(_ yTrue: [Int], _ yPred: [Int], adjusted: Bool = false) throws -> Double {
        try checkPair(yTrue.count, yPred.count, "balancedAccuracy")
        let labs = Array(Set(yTrue).union(yPred)).sorted()
        let (tp, _, truth) = labelCounts(yTrue, yPred, labs, nil)
        let recalls = labs.indices.filter { truth[$0] > 0 }.map { tp[$0] / truth[$0] }
        var score = recalls.reduce(0, +) / Double(recalls.count)
        if adjusted {
            let chance = 1 / Double(recalls.count)
            score = (score - chance) / (1 - chance)
        }
        return score
    }

    /// Matthews correlation coefficient, multiclass form (`matthews_corrcoef`):
    /// (c·s − Σ p_k t_k) / √((s² − Σ p_k²)(s² − Σ t_k²)) with c correct, s samples, p_k / t_k
    /// predicted / true counts of class k. 0 when a denominator factor is 0.
    public static func matthewsCorrcoef(_ yTrue: [Int], _ yPred: [Int]) throws -> Double {
        let cm = try confusionMatrix(yTrue, yPred)
        let k = cm.count
        var t = [Double](repeating: 0, count: k), p = t
        var c = 0.0, s = 0.0
        for i in 0..<k { for j in 0..<k { let v = Double(cm[i][j]); t[i] += v; p[j] += v; s += v; if i == j { c += v } } }
        var pt = 0.0, pp = 0.0, tt = 0.0
        for i in 0..<k { pt += p[i] * t[i]; pp += p[i] * p[i]; tt += t[i] * t[i] }
        let cov = c * s - pt, a = s * s - pp, b = s * s - tt
        if a * b == 0 { return 0 }
        return cov / (a * b).squareRoot()
    }

    /// One row of a classification report.
    public struct ReportRow: Equatable, Sendable {
        /// The row's label (class name or average kind).
        public var name: String
        /// tp / (tp + fp).
        public var precision: Double
        /// tp / (tp + fn).
        public var recall: Double
        /// Harmonic mean of precision and recall.
        public var f1: Double
        /// Number of true samples (of the class, or in total for averages).
        public var support: Double
    }

    /// The structured form of `classification_report(output_dict=True)`: one row per label, then
    /// `accuracy` (when micro-averaging equals accuracy; else a `micro avg` row), `macro avg`,
    /// `weighted avg`.
    public struct ClassificationReport: Sendable {
        /// Per-label rows in label order.
        public var classes: [ReportRow]
        /// Accuracy, when the micro average equals it (all labels reported).
        public var accuracy: Double?
        /// The micro-average row, when it differs from accuracy.
        public var microAverage: ReportRow?
        /// Unweighted mean over labels.
        public var macroAverage: ReportRow
        /// Mean over labels weighted by support.
        public var weightedAverage: ReportRow
        /// The text table exactly as scikit-learn prints it.
        public var text: String
    }

    /// Precision, recall, F1 and support per label and averaged (`classification_report`);
    /// ``ClassificationReport/text`` is formatted like scikit-learn's, with `digits` decimals.
    public static func classificationReport(_ yTrue: [Int], _ yPred: [Int], labels: [Int]? = nil, targetNames: [String]? = nil,
                                            digits: Int = 2, zeroDivision: Double = 0) throws -> ClassificationReport {
        try checkPair(yTrue.count, yPred.count, "classificationReport")
        let present = Array(Set(yTrue).union(yPred)).sorted()
        let labs = labels ?? present
        let microIsAccuracy = labels == nil || Set(labs).isSuperset(of: present)
        if let targetNames, targetNames.count != labs.count, labels == nil {
            throw LearnError.invalidInput("Metrics.classificationReport: \(labs.count) classes but \(targetNames.count) target names")
        }
        let names = (targetNames?.count == labs.count ? targetNames : nil) ?? labs.map(String.init)
        let per = try precisionRecallFScoreSupport(yTrue, yPred, labels: labs, zeroDivision: zeroDivision)
        let total = per.support.reduce(0, +)
        let rows = labs.indices.map { ReportRow(name: names[$0], precision: per.precision[$0], recall: per.recall[$0], f1: per.fScore[$0], support: per.support[$0]) }
        func avgRow(_ a: Average, _ name: String) throws -> ReportRow {
            let r = try precisionRecallFScoreSupport(yTrue, yPred, labels: labs, average: a, zeroDivision: zeroDivision)
            return ReportRow(name: name, precision: r.precision[0], recall: r.recall[0], f1: r.fScore[0], support: total)
        }
        let micro = try avgRow(.micro, microIsAccuracy ? "accuracy" : "micro avg")
        let macro = try avgRow(.macro, "macro avg"), weighted = try avgRow(.weighted, "weighted avg")
        let width = max(names.map(\.count).max() ?? 0, "weighted avg".count, digits)
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
        func num(_ v: Double) -> String { pad(String(format: "%.\(digits)f", v), 9) }
        func sup(_ v: Double) -> String { pad(v == v.rounded() ? String(Int(v)) : String(v), 9) }
        func line(_ r: ReportRow) -> String { pad(r.name, width) + "  " + [num(r.precision), num(r.recall), num(r.f1), sup(r.support)].joined(separator: " ") + "\n" }
        var text = pad("", width) + "  " + ["precision", "recall", "f1-score", "support"].map { pad($0, 9) }.joined(separator: " ") + "\n\n"
        for r in rows { text += line(r) }
        text += "\n"
        if microIsAccuracy {
            text += pad("accuracy", width) + "  " + [pad("", 9), pad("", 9), num(micro.f1), sup(total)].joined(separator: " ") + "\n"
        } else { text += line(micro) }
        text += line(macro) + line(weighted)
        return ClassificationReport(classes: rows, accuracy: microIsAccuracy ? micro.f1 : nil, microAverage: microIsAccuracy ? nil : micro,
                                    macroAverage: macro, weightedAverage: weighted, text: text)
    }

    /// Mean negative log-likelihood of the true labels under predicted probabilities
    /// (`log_loss`): −(1/n) Σ_i log p_i,y_i, with probabilities clipped to [ε, 1 − ε], ε the
    /// float64 machine epsilon (scikit-learn ≥ 1.5). Columns of `probabilities` follow `labels`
    /// (default: the sorted labels of `yTrue`); a single column is the positive-class probability.
    public static func logLoss(_ yTrue: [Int], _ probabilities: Matrix, labels: [Int]? = nil, sampleWeight: [Double]? = nil) throws -> Double {
        try checkPair(yTrue.count, probabilities.rows, "logLoss")
        try checkFinite(probabilities.values, "logLoss", "probabilities")
        try checkWeights(sampleWeight, yTrue.count, "logLoss")
        if probabilities.values.contains(where: { $0 < 0 || $0 > 1 }) {
            throw LearnError.invalidInput("Metrics.logLoss: probabilities must lie in [0, 1]")
        }
        let labsUsed = labels ?? Array(Set(yTrue)).sorted()
        let nCols = probabilities.columns == 1 ? 2 : probabilities.columns
        if labsUsed.count < 2 {
            throw LearnError.invalidInput("Metrics.logLoss: y_true contains only one label (\(labsUsed)); pass labels explicitly")
        }
        if labsUsed.count != nCols {
            throw LearnError.invalidInput("Metrics.logLoss: \(labsUsed.count) classes but probabilities have \(nCols) columns; pass labels")
        }
        var index = [Int: Int]()
        for (k, l) in labsUsed.enumerated() { index[l] = k }
        let eps = Double.ulpOfOne
        var losses = [Double](repeating: 0, count: yTrue.count)
        for i in yTrue.indices {
            guard let k = index[yTrue[i]] else {
                throw LearnError.invalidInput("Metrics.logLoss: label \(yTrue[i]) is not in labels \(labsUsed)")
            }
            let p: Double
            if probabilities.columns == 1 {
                let p1 = probabilities[i, 0]
                p = k == 1 ? p1 : 1 - p1
            } else { p = probabilities[i, k] }
            losses[i] = -Foundation.log(min(max(p, eps), 1 - eps))
        }
        return weightedMean(losses, sampleWeight)
    }
}

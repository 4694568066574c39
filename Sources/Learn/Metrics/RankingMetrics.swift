import Foundation

extension Metrics {
    /// How a multiclass ROC AUC is formed from binary ones (`multi_class`).
    public enum MultiClass: String, Sendable {
        /// One class against the rest, per class.
        case ovr
        /// One class against one other, per pair (Hand & Till 2001).
        case ovo
    }

    /// Counts at each distinct score threshold, highest threshold first
    /// (scikit-learn's `confusion_matrix_at_thresholds`): `fps[k]`, `tps[k]` are the false and
    /// true positives when every sample scoring ≥ `thresholds[k]` is called positive.
    static func thresholdCounts(_ yTrue: [Int], _ scores: [Double], posLabel: Int, _ w: [Double]?) -> (fps: [Double], tps: [Double], thresholds: [Double]) {
        // Sort (score, sample) pairs by decreasing score; tied scores collapse into one
        // threshold below, so the order within ties does not matter.
        var pairs = scores.enumerated().map { ($0.element, $0.offset) }
        pairs.sort { $0.0 > $1.0 }
        var fps = [Double](), tps = [Double](), thr = [Double]()
        var tp = 0.0, fp = 0.0
        for r in pairs.indices {
            let (s, i) = pairs[r]
            let wi = w?[i] ?? 1
            if yTrue[i] == posLabel { tp += wi } else { fp += wi }
            // The end of a group of tied scores is a threshold.
            if r == pairs.count - 1 || pairs[r + 1].0 != s {
                tps.append(tp); fps.append(fp); thr.append(s)
            }
        }
        return (fps, tps, thr)
    }

    static func checkScores(_ yTrue: [Int], _ scores: [Double], _ caller: String) throws {
        try checkPair(yTrue.count, scores.count, caller)
        try checkFinite(scores, caller, "scores")
    }

    /// Resolves `pos_label` like scikit-learn: given, or 1 when labels are {0,1} / {−1,1} / {1}
    /// / {0} / {−1}, else an error.
    static func positiveLabel(_ yTrue: [Int], _ posLabel: Int?, _ caller: String) throws -> Int {
        let labs = Set(yTrue)
        if labs.count > 2 { throw LearnError.invalidInput("Metrics.\(caller): y_true has \(labs.count) classes; a binary target is needed") }
        if let posLabel { return posLabel }
        if labs.isSubset(of: [0, 1]) || labs.isSubset(of: [-1, 1]) { return 1 }
        throw LearnError.invalidInput("Metrics.\(caller): y_true takes values \(labs.sorted()); pass posLabel")
    }

    /// Receiver operating characteristic (`roc_curve`): false- and true-positive rates at each
    /// distinct score threshold, decreasing. The first threshold is +∞ (nothing positive).
    /// `dropIntermediate` drops thresholds on straight segments of the curve (collinear points),
    /// which does not change its area. A rate is NaN when `yTrue` has no negatives / positives.
    public static func rocCurve(_ yTrue: [Int], _ scores: [Double], posLabel: Int? = nil, sampleWeight: [Double]? = nil,
                                dropIntermediate: Bool = true) throws -> (fpr: [Double], tpr: [Double], thresholds: [Double]) {
        try checkScores(yTrue, scores, "rocCurve")
        try checkWeights(sampleWeight, yTrue.count, "rocCurve")
        let pos = try positiveLabel(yTrue, posLabel, "rocCurve")
        var (fps, tps, thr) = thresholdCounts(yTrue, scores, posLabel: pos, sampleWeight)
        if dropIntermediate && fps.count > 2 {
            var keep = [0]
            for k in 1..<(fps.count - 1) {
                let d2f = fps[k + 1] - 2 * fps[k] + fps[k - 1], d2t = tps[k + 1] - 2 * tps[k] + tps[k - 1]
                if d2f != 0 || d2t != 0 { keep.append(k) }
            }
            keep.append(fps.count - 1)
            fps = keep.map { fps[$0] }; tps = keep.map { tps[$0] }; thr = keep.map { thr[$0] }
        }
        fps.insert(0, at: 0); tps.insert(0, at: 0); thr.insert(.infinity, at: 0)
        let fn = fps.last!, tn = tps.last!
        return (fps.map { fn > 0 ? $0 / fn : .nan }, tps.map { tn > 0 ? $0 / tn : .nan }, thr)
    }

    /// Area under a curve by the trapezoidal rule (`auc`); `x` must be monotonic.
    public static func auc(_ x: [Double], _ y: [Double]) throws -> Double {
        try checkPair(x.count, y.count, "auc")
        if x.count < 2 { throw LearnError.invalidInput("Metrics.auc: at least 2 points are needed") }
        var direction = 1.0
        let dx = zip(x.dropFirst(), x).map { $0 - $1 }
        if dx.contains(where: { $0 < 0 }) {
            if dx.allSatisfy({ $0 <= 0 }) { direction = -1 } else {
                throw LearnError.invalidInput("Metrics.auc: x is neither increasing nor decreasing")
            }
        }
        var area = 0.0
        for k in 1..<x.count { area += (x[k] - x[k - 1]) * (y[k] + y[k - 1]) / 2 }
        return direction * area
    }

    /// Binary ROC AUC from scores of the positive class (`roc_auc_score`): the probability that
    /// a random positive scores above a random negative (ties count one half). Throws when
    /// `yTrue` holds one class only.
    public static func rocAUC(_ yTrue: [Int], _ scores: [Double], posLabel: Int? = nil, sampleWeight: [Double]? = nil) throws -> Double {
        try checkScores(yTrue, scores, "rocAUC")
        if Set(yTrue).count != 2 {
            throw LearnError.invalidInput("Metrics.rocAUC: only one class present in y_true; ROC AUC is not defined")
        }
        let roc = try rocCurve(yTrue, scores, posLabel: posLabel, sampleWeight: sampleWeight)
        return try auc(roc.fpr, roc.tpr)
    }

    /// ROC AUC from a matrix of class probabilities (`roc_auc_score(y, proba, multi_class=…)`),
    /// columns in sorted label order (or `labels`). Two columns with two classes: the binary AUC of
    /// column 1. More: `ovr` averages each class against the rest; `ovo` averages over class pairs
    /// the mean of AUC(a vs b) and AUC(b vs a) on the pair's samples. `average` is macro or
    /// weighted (by class prevalence, or pair prevalence for ovo). Rows must sum to 1.
    public static func rocAUC(_ yTrue: [Int], probabilities: Matrix, multiClass: MultiClass = .ovr, average: Average = .macro,
                              labels: [Int]? = nil) throws -> Double {
        try checkPair(yTrue.count, probabilities.rows, "rocAUC")
        try checkFinite(probabilities.values, "rocAUC", "probabilities")
        let classes = labels ?? Array(Set(yTrue)).sorted()
        if classes.count != probabilities.columns {
            throw LearnError.invalidInput("Metrics.rocAUC: \(classes.count) classes but probabilities have \(probabilities.columns) columns")
        }
        if classes.count == 2 { return try rocAUC(yTrue, probabilities.column(1), posLabel: classes[1]) }
        if classes.count < 2 { throw LearnError.invalidInput("Metrics.rocAUC: at least two classes are needed") }
        guard average == .macro || average == .weighted else {
            throw LearnError.invalidParameter(name: "average", value: average.rawValue, reason: "multiclass ROC AUC supports macro or weighted")
        }
        for i in 0..<probabilities.rows {
            var s = 0.0
            for j in 0..<probabilities.columns { s += probabilities[i, j] }
            if abs(s - 1) > 1e-8 + 1e-5 {
                throw LearnError.invalidInput("Metrics.rocAUC: probability rows must sum to 1 (row \(i) sums to \(s))")
            }
        }
        if Set(yTrue) != Set(classes) {
            throw LearnError.invalidInput("Metrics.rocAUC: y_true must contain every class of labels for a multiclass AUC")
        }
        let n = Double(yTrue.count)
        switch multiClass {
        case .ovr:
            var scores = [Double](), weights = [Double]()
            for (k, c) in classes.enumerated() {
                let y = yTrue.map { $0 == c ? 1 : 0 }
                scores.append(try rocAUC(y, probabilities.column(k)))
                weights.append(Double(y.reduce(0, +)))
            }
            return weightedMean(scores, average == .weighted ? weights : nil)
        case .ovo:
            var scores = [Double](), weights = [Double]()
            for a in 0..<classes.count {
                for b in (a + 1)..<classes.count {
                    let rows = yTrue.indices.filter { yTrue[$0] == classes[a] || yTrue[$0] == classes[b] }
                    let ya = rows.map { yTrue[$0] == classes[a] ? 1 : 0 }
                    let aucA = try rocAUC(ya, rows.map { probabilities[$0, a] })
                    let aucB = try rocAUC(ya.map { 1 - $0 }, rows.map { probabilities[$0, b] })
                    scores.append((aucA + aucB) / 2)
                    weights.append(Double(rows.count) / n)
                }
            }
            return weightedMean(scores, average == .weighted ? weights : nil)
        }
    }

    /// Precision and recall at each distinct score threshold (`precision_recall_curve`):
    /// thresholds increasing; `precision` and `recall` have one more element, ending in 1 and 0.
    /// `dropIntermediate` (default false, as scikit-learn) drops thresholds where recall does not
    /// change on either side.
    public static func precisionRecallCurve(_ yTrue: [Int], _ scores: [Double], posLabel: Int? = nil, sampleWeight: [Double]? = nil,
                                            dropIntermediate: Bool = false) throws -> (precision: [Double], recall: [Double], thresholds: [Double]) {
        try checkScores(yTrue, scores, "precisionRecallCurve")
        try checkWeights(sampleWeight, yTrue.count, "precisionRecallCurve")
        let pos = try positiveLabel(yTrue, posLabel, "precisionRecallCurve")
        var (fps, tps, thr) = thresholdCounts(yTrue, scores, posLabel: pos, sampleWeight)
        if dropIntermediate && fps.count > 2 {
            var keep = [0]
            for k in 1..<(tps.count - 1) where tps[k] != tps[k - 1] || tps[k + 1] != tps[k] { keep.append(k) }
            keep.append(tps.count - 1)
            fps = keep.map { fps[$0] }; tps = keep.map { tps[$0] }; thr = keep.map { thr[$0] }
        }
        let precision = zip(tps, fps).map { $0 + $1 != 0 ? $0 / ($0 + $1) : 0 }
        let last = tps.last!
        let recall = tps.map { last == 0 ? 1 : $0 / last }
        return (precision.reversed() + [1], recall.reversed() + [0], thr.reversed())
    }

    /// Average precision (`average_precision_score`): Σ_k (R_k − R_{k−1})·P_k over thresholds,
    /// the area under the step-wise precision–recall curve (no interpolation).
    public static func averagePrecision(_ yTrue: [Int], _ scores: [Double], posLabel: Int = 1, sampleWeight: [Double]? = nil) throws -> Double {
        try checkScores(yTrue, scores, "averagePrecision")
        let present = Set(yTrue)
        if present.count > 2 { throw LearnError.invalidInput("Metrics.averagePrecision: y_true must be binary") }
        if present.count == 2 && !present.contains(posLabel) {
            throw LearnError.invalidInput("Metrics.averagePrecision: posLabel=\(posLabel) is not one of \(present.sorted())")
        }
        let c = try precisionRecallCurve(yTrue, scores, posLabel: posLabel, sampleWeight: sampleWeight)
        var s = 0.0
        for k in 0..<(c.recall.count - 1) { s += (c.recall[k + 1] - c.recall[k]) * c.precision[k] }
        return max(0, -s)
    }
}

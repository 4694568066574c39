import Foundation

extension Metrics {
    /// Per-group rates of a binary classifier, as fairlearn's `MetricFrame` gives them.
    public struct GroupRates<Group: Hashable & Comparable & Sendable>: Sendable {
        /// The group value.
        public var group: Group
        /// Number of samples in the group.
        public var count: Int
        /// Fraction predicted positive (`selection_rate`).
        public var selectionRate: Double
        /// True-positive rate tp / (tp + fn); 0 when the group has no positives (fairlearn).
        public var truePositiveRate: Double
        /// False-positive rate fp / (fp + tn); 0 when the group has no negatives.
        public var falsePositiveRate: Double
        /// Fraction of correct predictions.
        public var accuracy: Double
    }

    /// A fairness audit: per-group rates in group order and the summary gaps.
    public struct GroupReport<Group: Hashable & Comparable & Sendable>: Sendable {
        /// One entry per distinct group, sorted.
        public var groups: [GroupRates<Group>]
        /// max − min selection rate (``demographicParityDifference(yPred:groups:posLabel:)``).
        public var demographicParityDifference: Double
        /// min / max selection rate (``disparateImpact(yPred:groups:posLabel:)``).
        public var disparateImpact: Double
        /// The larger of the TPR gap and the FPR gap; nil when the report had no `yTrue`.
        public var equalizedOddsDifference: Double?
    }

    static func groupIndices<G: Hashable & Comparable>(_ groups: [G]) -> [(G, [Int])] {
        var d = [G: [Int]]()
        for (i, g) in groups.enumerated() { d[g, default: []].append(i) }
        return d.keys.sorted().map { ($0, d[$0]!) }
    }

    static func selectionRates<G: Hashable & Comparable>(_ yPred: [Int], _ groups: [G], _ pos: Int, _ caller: String) throws -> [Double] {
        try checkPair(yPred.count, groups.count, caller)
        return groupIndices(groups).map { _, idx in Double(idx.filter { yPred[$0] == pos }.count) / Double(idx.count) }
    }

    /// Demographic parity difference (fairlearn `demographic_parity_difference`,
    /// `method="between_groups"`): the largest minus the smallest per-group selection rate
    /// P(ŷ = pos | group). 0 means every group is selected equally often.
    public static func demographicParityDifference<G: Hashable & Comparable>(yPred: [Int], groups: [G], posLabel: Int = 1) throws -> Double {
        let r = try selectionRates(yPred, groups, posLabel, "demographicParityDifference")
        return r.max()! - r.min()!
    }

    /// Disparate impact, fairlearn's `demographic_parity_ratio`: the smallest per-group selection
    /// rate divided by the largest (1 is parity; the "four-fifths rule" flags < 0.8). When every
    /// group's rate is 0 the ratio is 0 / 0 = NaN, as in fairlearn.
    public static func disparateImpact<G: Hashable & Comparable>(yPred: [Int], groups: [G], posLabel: Int = 1) throws -> Double {
        let r = try selectionRates(yPred, groups, posLabel, "disparateImpact")
        let hi = r.max()!, lo = r.min()!
        return hi == 0 ? .nan : lo / hi
    }

    /// Equalized odds difference (fairlearn `equalized_odds_difference`, worst case): the larger
    /// of the between-group gaps in true-positive rate and in false-positive rate.
    public static func equalizedOddsDifference<G: Hashable & Comparable & Sendable>(yTrue: [Int], yPred: [Int], groups: [G], posLabel: Int = 1) throws -> Double {
        try groupReport(yTrue: yTrue, yPred: yPred, groups: groups, posLabel: posLabel).equalizedOddsDifference!
    }

    /// Per-group selection rate, TPR, FPR and accuracy, with the summary gaps (fairlearn's
    /// `MetricFrame` over `selection_rate`, `true_positive_rate`, `false_positive_rate`,
    /// `accuracy_score`). Labels other than `posLabel` count as negative.
    public static func groupReport<G: Hashable & Comparable & Sendable>(yTrue: [Int], yPred: [Int], groups: [G], posLabel: Int = 1) throws -> GroupReport<G> {
        try checkPair(yTrue.count, yPred.count, "groupReport")
        try checkPair(yTrue.count, groups.count, "groupReport")
        var rows = [GroupRates<G>]()
        for (g, idx) in groupIndices(groups) {
            var tp = 0.0, fp = 0.0, tn = 0.0, fn = 0.0, correct = 0.0
            for i in idx {
                let t = yTrue[i] == posLabel, p = yPred[i] == posLabel
                switch (t, p) {
                case (true, true): tp += 1
                case (false, true): fp += 1
                case (false, false): tn += 1
                case (true, false): fn += 1
                }
                if yTrue[i] == yPred[i] { correct += 1 }
            }
            let n = Double(idx.count)
            rows.append(GroupRates(group: g, count: idx.count, selectionRate: (tp + fp) / n,
                                   truePositiveRate: tp + fn > 0 ? tp / (tp + fn) : 0,
                                   falsePositiveRate: fp + tn > 0 ? fp / (fp + tn) : 0, accuracy: correct / n))
        }
        func gap(_ v: [Double]) -> Double { v.max()! - v.min()! }
        let sel = rows.map(\.selectionRate)
        let eod = max(gap(rows.map(\.truePositiveRate)), gap(rows.map(\.falsePositiveRate)))
        return GroupReport(groups: rows, demographicParityDifference: gap(sel),
                           disparateImpact: sel.max()! == 0 ? .nan : sel.min()! / sel.max()!, equalizedOddsDifference: eod)
    }
}

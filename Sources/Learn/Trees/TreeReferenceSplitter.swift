import Foundation

/// The readable split search, for reading beside the textbook and for checking the optimized
/// builder (TreeGrower.swift) in tests. It is O(features · n²) and not used for fitting.
///
/// For every feature, sort the node's rows by that feature; for every boundary between two
/// distinct consecutive values, put the rows on each side into a left and a right child, compute
/// both children's impurity from scratch, and score the split by the weighted impurity decrease
/// `W/W_root · (I(node) − W_L/W · I(L) − W_R/W · I(R))`. The threshold is the midpoint of the two
/// values. The best-scoring split (first feature on ties) wins.
public enum TreeReferenceSplitter {
    /// Impurity of a set of rows: `"gini"`, `"entropy"` (class labels in `y`) or `"squared_error"`.
    public static func impurity(_ y: [Double], _ w: [Double], criterion: String) -> Double {
        let total = w.reduce(0, +)
        guard total > 0 else { return 0 }
        switch criterion {
        case "squared_error":
            let mean = zip(y, w).map { $0 * $1 }.reduce(0, +) / total
            return zip(y, w).map { $1 * ($0 - mean) * ($0 - mean) }.reduce(0, +) / total
        default:
            var weightOf: [Double: Double] = [:]
            for (label, wi) in zip(y, w) { weightOf[label, default: 0] += wi }
            let p = weightOf.values.map { $0 / total }
            if criterion == "gini" { return 1 - p.map { $0 * $0 }.reduce(0, +) }
            return -p.filter { $0 > 0 }.map { $0 * log2($0) }.reduce(0, +)
        }
    }

    /// The best split of the rows `x` (all rows form the node): `(feature, threshold, improvement)`,
    /// or nil when every feature is constant. Features are compared as 32-bit floats, like the trees.
    public static func bestSplit(_ x: Matrix, _ y: [Double], weights: [Double]? = nil, criterion: String,
                                 minSamplesLeaf: Int = 1) -> (feature: Int, threshold: Double, improvement: Double)? {
        let w = weights ?? [Double](repeating: 1, count: x.rows)
        let node = impurity(y, w, criterion: criterion)
        let total = w.reduce(0, +)
        var best: (feature: Int, threshold: Double, improvement: Double)?
        for f in 0..<x.columns {
            let order = (0..<x.rows).sorted { Float(x[$0, f]) < Float(x[$1, f]) }
            let values = order.map { Double(Float(x[$0, f])) }
            for p in 1..<order.count where values[p] > values[p - 1] + 1e-7 {
                if p < minSamplesLeaf || order.count - p < minSamplesLeaf { continue }
                let left = Array(order[..<p]), right = Array(order[p...])
                let wl = left.map { w[$0] }.reduce(0, +), wr = right.map { w[$0] }.reduce(0, +)
                let il = impurity(left.map { y[$0] }, left.map { w[$0] }, criterion: criterion)
                let ir = impurity(right.map { y[$0] }, right.map { w[$0] }, criterion: criterion)
                let gain = node - wl / total * il - wr / total * ir
                if best == nil || gain > best!.improvement + 1e-12 {
                    best = (f, values[p - 1] / 2 + values[p] / 2, gain)
                }
            }
        }
        return best
    }
}

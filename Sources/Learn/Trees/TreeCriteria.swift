import Foundation

// Split criteria for the optimized tree builder (TreeGrower.swift).
//
// A criterion keeps weighted sufficient statistics of the node's samples and of the samples moved
// so far to the left child; samples move left one at a time in increasing feature order, so every
// candidate split costs O(1) (regression) or O(classes) (classification) to score. The readable,
// from-scratch versions of the same formulas are in TreeReferenceSplitter.swift.
//
// Impurities (w = sample weight, W = total weight of the node):
//   gini      1 − Σ_k p_k²                      p_k = Σ_{y=k} w / W
//   entropy   −Σ_k p_k log₂ p_k
//   squared   Σ w (y − ȳ)² / W
//   friedman  squared error for the node; a split scores (W_R·S_L − W_L·S_R)² / (W_L W_R W)
//   absolute  Σ w |y − median| / W

/// The statistics one criterion keeps for the optimized split search.
protocol TreeCriterion: AnyObject {
    /// Number of values a node stores (classes, or 1).
    var nOutputs: Int { get }
    /// Total weight of the current node.
    var weightNode: Double { get }
    /// Weight moved to the left child so far.
    var weightLeft: Double { get }
    /// Loads the node made of `samples[start..<end]`; everything starts on the right.
    func initNode(_ samples: UnsafeMutablePointer<Int32>, _ start: Int, _ end: Int)
    /// Moves everything back to the right.
    func resetLeft()
    /// Moves one sample to the left child.
    func moveLeft(_ sample: Int)
    /// Impurity of the whole node.
    func nodeImpurity() -> Double
    /// Impurities of the current left and right children.
    func childImpurities() -> (left: Double, right: Double)
    /// A quantity that orders candidate splits like the impurity improvement does, cheaper to get.
    func proxyImprovement() -> Double
    /// The improvement `W/W_root · (I − W_L/W · I_L − W_R/W · I_R)` of the current split.
    func improvement(parent: Double, left: Double, right: Double, rootWeight: Double) -> Double
    /// Writes the node's value (class proportions, mean or median).
    func nodeValue(_ out: UnsafeMutablePointer<Double>)
}

extension TreeCriterion {
    func improvement(parent: Double, left: Double, right: Double, rootWeight: Double) -> Double {
        let w = weightNode, wl = weightLeft, wr = w - wl
        return w / rootWeight * (parent - wr / w * right - wl / w * left)
    }
    func proxyImprovement() -> Double {
        let (l, r) = childImpurities()
        return -(weightNode - weightLeft) * r - weightLeft * l
    }
}

/// Gini or entropy over weighted class counts.
final class TreeClassificationCriterion: TreeCriterion {
    let nOutputs: Int
    let entropy: Bool
    private let y: UnsafePointer<Int32>
    private let w: UnsafePointer<Double>
    private let total: UnsafeMutablePointer<Double>
    private let left: UnsafeMutablePointer<Double>
    private(set) var weightNode = 0.0
    private(set) var weightLeft = 0.0

    init(classes: Int, entropy: Bool, y: UnsafePointer<Int32>, weights: UnsafePointer<Double>) {
        nOutputs = classes; self.entropy = entropy; self.y = y; w = weights
        total = .allocate(capacity: classes); left = .allocate(capacity: classes)
        total.initialize(repeating: 0, count: classes); left.initialize(repeating: 0, count: classes)
    }
    deinit { total.deallocate(); left.deallocate() }

    func initNode(_ samples: UnsafeMutablePointer<Int32>, _ start: Int, _ end: Int) {
        total.update(repeating: 0, count: nOutputs)
        var s = 0.0
        for p in start..<end {
            let i = Int(samples[p]); let wi = w[i]
            total[Int(y[i])] += wi; s += wi
        }
        weightNode = s
        resetLeft()
    }

    func resetLeft() { left.update(repeating: 0, count: nOutputs); weightLeft = 0 }

    @inline(__always) func moveLeft(_ sample: Int) {
        let wi = w[sample]
        left[Int(y[sample])] += wi; weightLeft += wi
    }

    @inline(__always) private func impurity(_ counts: (Int) -> Double, _ weight: Double) -> Double {
        guard weight > 0 else { return 0 }
        if entropy {
            var e = 0.0
            for k in 0..<nOutputs {
                let c = counts(k)
                if c > 0 { let p = c / weight; e -= p * log2(p) }
            }
            return e
        }
        var sq = 0.0
        for k in 0..<nOutputs { let c = counts(k); sq += c * c }
        return 1 - sq / (weight * weight)
    }

    func nodeImpurity() -> Double { impurity({ self.total[$0] }, weightNode) }

    func childImpurities() -> (left: Double, right: Double) {
        (impurity({ self.left[$0] }, weightLeft), impurity({ self.total[$0] - self.left[$0] }, weightNode - weightLeft))
    }

    func nodeValue(_ out: UnsafeMutablePointer<Double>) {
        for k in 0..<nOutputs { out[k] = weightNode > 0 ? total[k] / weightNode : 0 }
    }
}

/// Squared error (and Friedman's improvement score) from running weighted sums.
final class TreeSquaredErrorCriterion: TreeCriterion {
    let nOutputs = 1
    let friedman: Bool
    private let y: UnsafePointer<Double>
    private let w: UnsafePointer<Double>
    private(set) var weightNode = 0.0
    private(set) var weightLeft = 0.0
    private var sumNode = 0.0, sqNode = 0.0, sumLeft = 0.0, sqLeft = 0.0

    init(friedman: Bool, y: UnsafePointer<Double>, weights: UnsafePointer<Double>) {
        self.friedman = friedman; self.y = y; w = weights
    }

    func initNode(_ samples: UnsafeMutablePointer<Int32>, _ start: Int, _ end: Int) {
        var ws = 0.0, s = 0.0, q = 0.0
        for p in start..<end {
            let i = Int(samples[p]); let wi = w[i], yi = y[i]
            ws += wi; s += wi * yi; q += wi * yi * yi
        }
        weightNode = ws; sumNode = s; sqNode = q
        resetLeft()
    }

    func resetLeft() { weightLeft = 0; sumLeft = 0; sqLeft = 0 }

    @inline(__always) func moveLeft(_ sample: Int) {
        let wi = w[sample], yi = y[sample]
        weightLeft += wi; sumLeft += wi * yi; sqLeft += wi * yi * yi
    }

    func nodeImpurity() -> Double {
        let m = sumNode / weightNode
        return sqNode / weightNode - m * m
    }

    func childImpurities() -> (left: Double, right: Double) {
        let wr = weightNode - weightLeft
        let ml = sumLeft / weightLeft, mr = (sumNode - sumLeft) / wr
        return (sqLeft / weightLeft - ml * ml, (sqNode - sqLeft) / wr - mr * mr)
    }

    func proxyImprovement() -> Double {
        let wr = weightNode - weightLeft, sr = sumNode - sumLeft
        if friedman {
            let diff = wr * sumLeft - weightLeft * sr
            return diff * diff / (weightLeft * wr)
        }
        return sumLeft * sumLeft / weightLeft + sr * sr / wr
    }

    func improvement(parent: Double, left: Double, right: Double, rootWeight: Double) -> Double {
        let w = weightNode, wl = weightLeft, wr = w - wl
        if friedman {
            let diff = wr * sumLeft - wl * (sumNode - sumLeft)
            return diff * diff / (wl * wr * w)
        }
        return w / rootWeight * (parent - wr / w * right - wl / w * left)
    }

    func nodeValue(_ out: UnsafeMutablePointer<Double>) { out[0] = sumNode / weightNode }
}

/// Absolute error around the weighted median. Weighted medians of the left and right children
/// come from two Fenwick (binary indexed) trees over the node's target ranks, so each candidate
/// split costs O(log n).
final class TreeAbsoluteErrorCriterion: TreeCriterion {
    let nOutputs = 1
    private let y: UnsafePointer<Double>
    private let w: UnsafePointer<Double>
    private(set) var weightNode = 0.0
    private(set) var weightLeft = 0.0
    private var sumNode = 0.0, sumLeft = 0.0
    private var rank: [Int32]          // rank of each sample's target in the node (by sample id)
    private var sortedY: [Double] = []   // node targets in increasing order
    private var sortedW: [Double] = []
    private var fenTotalW: [Double] = [], fenTotalS: [Double] = []
    private var fenLeftW: [Double] = [], fenLeftS: [Double] = []
    private var size = 0

    init(y: UnsafePointer<Double>, weights: UnsafePointer<Double>, samples: Int) {
        self.y = y; w = weights
        rank = [Int32](repeating: 0, count: samples)
    }

    func initNode(_ samples: UnsafeMutablePointer<Int32>, _ start: Int, _ end: Int) {
        let ids = (start..<end).map { Int(samples[$0]) }.sorted { y[$0] < y[$1] }
        size = ids.count
        sortedY = ids.map { y[$0] }; sortedW = ids.map { w[$0] }
        for (r, i) in ids.enumerated() { rank[i] = Int32(r) }
        fenTotalW = [Double](repeating: 0, count: size + 1); fenTotalS = fenTotalW
        weightNode = 0; sumNode = 0
        for r in 0..<size {
            Self.add(&fenTotalW, r, sortedW[r]); Self.add(&fenTotalS, r, sortedW[r] * sortedY[r])
            weightNode += sortedW[r]; sumNode += sortedW[r] * sortedY[r]
        }
        resetLeft()
    }

    private static func add(_ f: inout [Double], _ r: Int, _ v: Double) {
        var i = r + 1
        while i < f.count { f[i] += v; i += i & -i }
    }

    func resetLeft() {
        fenLeftW = [Double](repeating: 0, count: size + 1); fenLeftS = fenLeftW
        weightLeft = 0; sumLeft = 0
    }

    func moveLeft(_ sample: Int) {
        let r = Int(rank[sample])
        Self.add(&fenLeftW, r, sortedW[r]); Self.add(&fenLeftS, r, sortedW[r] * sortedY[r])
        weightLeft += sortedW[r]; sumLeft += sortedW[r] * sortedY[r]
    }

    /// Σ w|y − median| / W for the left child, or the right one (node sums minus left sums).
    private func sideImpurity(right: Bool) -> Double {
        let wAll = right ? weightNode - weightLeft : weightLeft
        guard wAll > 0 else { return 0 }
        let sAll = right ? sumNode - sumLeft : sumLeft
        @inline(__always) func nodeW(_ i: Int) -> Double { right ? fenTotalW[i] - fenLeftW[i] : fenLeftW[i] }
        @inline(__always) func nodeS(_ i: Int) -> Double { right ? fenTotalS[i] - fenLeftS[i] : fenLeftS[i] }
        // Descend to the largest position whose prefix weight is < W/2; the median is the next rank.
        var pos = 0, accW = 0.0, accS = 0.0
        var step = 1
        while step * 2 <= size { step *= 2 }
        while step > 0 {
            let nxt = pos + step
            if nxt <= size && accW + nodeW(nxt) < wAll / 2 { pos = nxt; accW += nodeW(nxt); accS += nodeS(nxt) }
            step /= 2
        }
        let m = sortedY[Swift.min(pos, size - 1)]
        // Ranks < pos are ≤ m; everything else ≥ m.
        let below = m * accW - accS
        let above = (sAll - accS) - m * (wAll - accW)
        return (below + above) / wAll
    }

    func nodeImpurity() -> Double {
        let m = weightedMedian()
        var s = 0.0
        for r in 0..<size { s += sortedW[r] * abs(sortedY[r] - m) }
        return s / weightNode
    }

    func childImpurities() -> (left: Double, right: Double) { (sideImpurity(right: false), sideImpurity(right: true)) }

    /// scikit-learn's weighted median: the first value whose cumulative weight reaches half,
    /// averaged with the next when it lands exactly on half.
    private func weightedMedian() -> Double {
        var acc = 0.0
        for r in 0..<size {
            acc += sortedW[r]
            if acc >= weightNode / 2 {
                if acc == weightNode / 2 && r + 1 < size { return (sortedY[r] + sortedY[r + 1]) / 2 }
                return sortedY[r]
            }
        }
        return sortedY.last ?? 0
    }

    func nodeValue(_ out: UnsafeMutablePointer<Double>) { out[0] = weightedMedian() }
}

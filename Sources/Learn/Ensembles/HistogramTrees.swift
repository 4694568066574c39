import Foundation

/// Feature binning for histogram gradient boosting.
///
/// Each feature's non-missing values are cut into at most `maxBins` bins: midpoints between
/// distinct values when there are few enough, else the `k/maxBins` quantiles (NumPy's
/// "midpoint" percentiles, on at most 200 000 rows). Bin `b` holds `x ≤ thresholds[b]`
/// (above the previous threshold); NaN goes to the extra bin `maxBins`.
struct HistBinner: Codable {
    var thresholds: [[Double]] = []
    var maxBins = 255

    /// The missing-value bin.
    var missingBin: Int { maxBins }

    static func fit(_ x: Matrix, maxBins: Int, rng: inout SeededRandom) -> HistBinner {
        var b = HistBinner()
        b.maxBins = maxBins
        let rows = x.rows > 200_000 ? rng.sample(x.rows, count: 200_000).sorted() : Array(0..<x.rows)
        for j in 0..<x.columns {
            let col = rows.map { x[$0, j] }.filter { !$0.isNaN }.sorted()
            var distinct: [Double] = []
            for v in col where distinct.last != v { distinct.append(v) }
            var t: [Double] = []
            if distinct.count <= maxBins {
                for k in 0..<Swift.max(0, distinct.count - 1) { t.append((distinct[k] + distinct[k + 1]) * 0.5) }
            } else {
                for k in 1..<maxBins {
                    let pos = Double(k) / Double(maxBins) * Double(col.count - 1)
                    let lo = Int(pos.rounded(.down)), hi = Swift.min(lo + 1, col.count - 1)
                    t.append(pos == Double(lo) ? col[lo] : (col[lo] + col[hi]) * 0.5)
                }
            }
            b.thresholds.append(t)
        }
        return b
    }

    /// Bins per feature (non-missing).
    func binCount(_ j: Int) -> Int { thresholds[j].count + 1 }

    /// Column-major bin codes of `x`.
    func transform(_ x: Matrix) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: x.rows * x.columns)
        for j in 0..<x.columns {
            let t = thresholds[j]
            for i in 0..<x.rows {
                let v = x[i, j]
                if v.isNaN { out[j * x.rows + i] = UInt8(missingBin); continue }
                // First threshold ≥ v.
                var lo = 0, hi = t.count
                while lo < hi { let m = (lo + hi) / 2; if t[m] < v { lo = m + 1 } else { hi = m } }
                out[j * x.rows + i] = UInt8(lo)
            }
        }
        return out
    }
}

/// One fitted histogram tree: flat arrays, real-valued thresholds and a learned direction for
/// missing values at every split. Leaf values already include the learning rate.
struct HistTree: Codable {
    var left: [Int] = []
    var right: [Int] = []
    var feature: [Int] = []
    var threshold: [Double] = []
    var missingGoLeft: [Bool] = []
    var value: [Double] = []

    var nodeCount: Int { left.count }

    mutating func addLeaf(_ v: Double) -> Int {
        left.append(-1); right.append(-1); feature.append(-2); threshold.append(0); missingGoLeft.append(false); value.append(v)
        return left.count - 1
    }

    /// The value of the leaf a row reaches.
    @inline(__always) func predict(_ row: UnsafePointer<Double>) -> Double {
        var n = 0
        while left[n] != -1 {
            let v = row[feature[n]]
            n = (v.isNaN ? missingGoLeft[n] : v <= threshold[n]) ? left[n] : right[n]
        }
        return value[n]
    }
}

/// The grower's limits and regularization.
struct HistGrowthSettings {
    var maxLeafNodes: Int? = 31
    var maxDepth: Int? = nil
    var minSamplesLeaf = 20
    var l2 = 0.0
    var minHessianToSplit = 1e-3
    var shrinkage = 0.1
}

/// Leaf-wise growth of one tree on binned data from per-row gradients and hessians
/// (the LightGBM scheme, as in scikit-learn's `HistGradientBoosting*`).
///
/// Every node keeps, for each feature and bin, the sums of gradients `G`, hessians `H` and row
/// counts. A split at bin `b` sends bins `≤ b` left; its gain is
/// `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)`, and missing values (their own bin) are tried on each
/// side. A child's histogram is computed from its rows only for the smaller child; the larger is
/// the parent's minus the smaller's (the subtraction trick). The frontier leaf with the largest
/// gain is split next until `max_leaf_nodes` leaves exist; a leaf's value is
/// `−shrinkage · G/(H+λ)`. Histogram building is the hot loop: it runs over features in
/// parallel for large nodes.
final class HistTreeGrower {
    private let binned: [UInt8]
    private let n: Int
    private let nFeatures: Int
    private let binner: HistBinner
    private let hasMissing: [Bool]
    private let settings: HistGrowthSettings
    /// Histogram slots: feature `f` owns `offsets[f] ..< offsets[f] + binCount(f) + 1`, the last
    /// slot for missing values (compact: a feature with 17 distinct values takes 18 slots).
    private let offsets: [Int]
    private let slots: Int
    private var samples: [Int32]

    private struct Histogram {
        var g: [Double], h: [Double], c: [Int32]
    }

    private struct SplitInfo {
        var gain = -Double.infinity
        var feature = -1
        var bin = 0
        var missingLeft = false
        var gLeft = 0.0, hLeft = 0.0, cLeft = 0
    }

    private struct Node {
        var id: Int
        var start: Int, end: Int, depth: Int
        var g: Double, h: Double
        var hist: Histogram?
        var split: SplitInfo
    }

    init(binned: [UInt8], rows: Int, binner: HistBinner, hasMissing: [Bool], settings: HistGrowthSettings) {
        n = rows; nFeatures = binner.thresholds.count; self.binner = binner
        self.hasMissing = hasMissing; self.settings = settings
        var off = [Int](), total = 0
        for f in 0..<binner.thresholds.count { off.append(total); total += binner.binCount(f) + 1 }
        offsets = off; slots = total
        // Re-code missing values as the feature's own last bin.
        var codes = binned
        let missing = UInt8(binner.missingBin)
        for f in 0..<binner.thresholds.count {
            let m = UInt8(binner.binCount(f))
            for i in 0..<rows where codes[f * rows + i] == missing { codes[f * rows + i] = m }
        }
        self.binned = codes
        samples = (0..<rows).map { Int32($0) }
    }

    /// Grows a tree; also returns the leaf value of every training row (to update predictions).
    func grow(gradients g: [Double], hessians h: [Double]) -> (HistTree, [Double]) {
        var tree = HistTree()
        var rowValue = [Double](repeating: 0, count: n)
        // Every tree starts from rows in their natural order (the previous tree left them
        // partitioned), so the root histogram and the first levels read memory sequentially.
        samples.withUnsafeMutableBufferPointer { sp in for i in 0..<sp.count { sp[i] = Int32(i) } }
        var gSum = 0.0, hSum = 0.0
        for i in 0..<n { gSum += g[i]; hSum += h[i] }
        var root = Node(id: tree.addLeaf(leafValue(gSum, hSum)), start: 0, end: n, depth: 0, g: gSum, h: hSum, hist: nil, split: SplitInfo())
        root.hist = histogram(start: 0, end: n, g: g, h: h)
        root.split = bestSplit(root)
        var frontier = TreeMaxHeap<Node>()
        var leaves: [Node] = []
        if splittable(root) { frontier.push(root, priority: root.split.gain) } else { leaves.append(root) }
        var nLeaves = 1
        while let node = frontier.pop() {
            if let m = settings.maxLeafNodes, nLeaves >= m { leaves.append(node); continue }
            let s = node.split
            // Partition the node's rows: bins ≤ s.bin go left, missing as learned.
            let col = s.feature * n
            let missing = UInt8(binner.binCount(s.feature))
            let pos: Int = binned.withUnsafeBufferPointer { b in
                samples.withUnsafeMutableBufferPointer { sp in
                    var lo = node.start, hi = node.end
                    while lo < hi {
                        let v = b[col + Int(sp[lo])]
                        let goLeft = v == missing ? s.missingLeft : Int(v) <= s.bin
                        if goLeft { lo += 1 } else { hi -= 1; sp.swapAt(lo, hi) }
                    }
                    return lo
                }
            }
            let thresholds = binner.thresholds[s.feature]
            tree.feature[node.id] = s.feature
            tree.threshold[node.id] = s.bin < thresholds.count ? thresholds[s.bin] : .infinity
            tree.missingGoLeft[node.id] = s.missingLeft
            let gR = node.g - s.gLeft, hR = node.h - s.hLeft
            var l = Node(id: tree.addLeaf(leafValue(s.gLeft, s.hLeft)), start: node.start, end: pos, depth: node.depth + 1,
                         g: s.gLeft, h: s.hLeft, hist: nil, split: SplitInfo())
            var r = Node(id: tree.addLeaf(leafValue(gR, hR)), start: pos, end: node.end, depth: node.depth + 1,
                         g: gR, h: hR, hist: nil, split: SplitInfo())
            tree.left[node.id] = l.id; tree.right[node.id] = r.id
            nLeaves += 1
            let atLimit = settings.maxLeafNodes.map { nLeaves >= $0 } ?? false
            let children = [l, r].map { canSplit($0) && !atLimit }
            if children[0] || children[1] {
                // Subtraction trick: scan only the smaller child.
                let parent = node.hist!
                let smallIsLeft = pos - node.start <= node.end - pos
                let small = smallIsLeft ? histogram(start: node.start, end: pos, g: g, h: h)
                                        : histogram(start: pos, end: node.end, g: g, h: h)
                var large = parent
                for k in 0..<large.g.count { large.g[k] -= small.g[k]; large.h[k] -= small.h[k]; large.c[k] -= small.c[k] }
                l.hist = smallIsLeft ? small : large
                r.hist = smallIsLeft ? large : small
            }
            for (child, ok) in zip([l, r], children) {
                var c = child
                if ok { c.split = bestSplit(c) }
                if ok && splittable(c) { frontier.push(c, priority: c.split.gain) } else { c.hist = nil; leaves.append(c) }
            }
        }
        for leaf in leaves {
            let v = tree.value[leaf.id]
            for p in leaf.start..<leaf.end { rowValue[Int(samples[p])] = v }
        }
        return (tree, rowValue)
    }

    private func leafValue(_ g: Double, _ h: Double) -> Double { -settings.shrinkage * g / (h + settings.l2 + 1e-300) }

    private func canSplit(_ node: Node) -> Bool {
        if let d = settings.maxDepth, node.depth >= d { return false }
        if node.end - node.start < 2 * settings.minSamplesLeaf { return false }
        return node.h >= settings.minHessianToSplit
    }

    private func splittable(_ node: Node) -> Bool { canSplit(node) && node.split.feature >= 0 && node.split.gain > 0 }

    /// Sums of gradients, hessians and counts per feature and bin over `samples[start..<end]`.
    private func histogram(start: Int, end: Int, g: [Double], h: [Double]) -> Histogram {
        var hist = Histogram(g: [Double](repeating: 0, count: slots),
                             h: [Double](repeating: 0, count: slots),
                             c: [Int32](repeating: 0, count: slots))
        let count = end - start
        // Gradients in node order, so each feature's pass reads them sequentially.
        // (Fast path: raw pointers, so the gather pays no bounds or exclusivity checks per row.)
        var og = [Double](repeating: 0, count: count), oh = og
        samples.withUnsafeBufferPointer { sp in
            g.withUnsafeBufferPointer { gp in
                h.withUnsafeBufferPointer { hp in
                    og.withUnsafeMutableBufferPointer { ogp in
                        oh.withUnsafeMutableBufferPointer { ohp in
                            for p in 0..<count { let i = Int(sp[start + p]); ogp[p] = gp[i]; ohp[p] = hp[i] }
                        }
                    }
                }
            }
        }
        let offsets = self.offsets, n = self.n
        binned.withUnsafeBufferPointer { b in
            samples.withUnsafeBufferPointer { sp in
                og.withUnsafeBufferPointer { ogp in
                    oh.withUnsafeBufferPointer { ohp in
                        hist.g.withUnsafeMutableBufferPointer { hgBuf in
                            hist.h.withUnsafeMutableBufferPointer { hhBuf in
                                hist.c.withUnsafeMutableBufferPointer { hcBuf in
                                    let hg = hgBuf, hh = hhBuf, hc = hcBuf
                                    let work = { (f: Int) in
                                        let col = b.baseAddress! + f * n
                                        let base = offsets[f]
                                        for p in 0..<count {
                                            let bin = base + Int(col[Int(sp[start + p])])
                                            hg[bin] += ogp[p]; hh[bin] += ohp[p]; hc[bin] += 1
                                        }
                                    }
                                    if count * nFeatures > 100_000 {
                                        ForestModel.parallel(nFeatures, jobs: nil, work)
                                    } else {
                                        for f in 0..<nFeatures { work(f) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return hist
    }

    /// The best split over all features from the node's histogram.
    private func bestSplit(_ node: Node) -> SplitInfo {
        guard let hist = node.hist else { return SplitInfo() }
        let lambda = settings.l2, minLeaf = settings.minSamplesLeaf, minH = settings.minHessianToSplit
        let total = node.end - node.start
        let parentScore = node.g * node.g / (node.h + lambda)
        var best = SplitInfo()
        func consider(_ f: Int, _ b: Int, _ gl: Double, _ hl: Double, _ cl: Int, missingLeft: Bool) {
            let cr = total - cl, gr = node.g - gl, hr = node.h - hl
            if cl < minLeaf || cr < minLeaf || hl < minH || hr < minH { return }
            let gain = gl * gl / (hl + lambda) + gr * gr / (hr + lambda) - parentScore
            if gain > best.gain {
                best = SplitInfo(gain: gain, feature: f, bin: b, missingLeft: missingLeft, gLeft: gl, hLeft: hl, cLeft: cl)
            }
        }
        for f in 0..<nFeatures {
            let base = offsets[f]
            let nb = binner.binCount(f)
            let miss = hasMissing[f]
            // Missing values to the right: scan bins left to right (with missing values, also
            // try "every non-missing value left").
            var gl = 0.0, hl = 0.0, cl = 0
            let lastBin = miss ? nb - 1 : nb - 2
            if lastBin >= 0 {
                for b in 0...lastBin {
                    gl += hist.g[base + b]; hl += hist.h[base + b]; cl += Int(hist.c[base + b])
                    consider(f, b, gl, hl, cl, missingLeft: false)
                }
            }
            // Missing values to the left: scan right to left.
            if miss && nb >= 2 {
                var gr = 0.0, hr = 0.0, cr = 0
                for b in Swift.stride(from: nb - 1, through: 1, by: -1) {
                    gr += hist.g[base + b]; hr += hist.h[base + b]; cr += Int(hist.c[base + b])
                    consider(f, b - 1, node.g - gr, node.h - hr, total - cr, missingLeft: true)
                }
            }
        }
        // Features without missing values at fit time send NaN to the child with more rows.
        if best.feature >= 0 && !hasMissing[best.feature] { best.missingLeft = best.cLeft >= total - best.cLeft }
        return best
    }
}

import Foundation

/// Training rows for tree growing, converted once and shared by every tree of an ensemble:
/// features as 32-bit floats in column-major order (what scikit-learn's trees use), so the split
/// search reads one contiguous column per feature.
struct TreeTrainingData: @unchecked Sendable {
    let nSamples: Int
    let nFeatures: Int
    let columns: [Float]

    init(_ x: Matrix) {
        nSamples = x.rows; nFeatures = x.columns
        var c = [Float](repeating: 0, count: x.rows * x.columns)
        x.values.withUnsafeBufferPointer { xv in
            c.withUnsafeMutableBufferPointer { cv in
                for i in 0..<x.rows { for j in 0..<x.columns { cv[j * x.rows + i] = Float(xv[i * x.columns + j]) } }
            }
        }
        columns = c
    }
}

/// The growth limits of one tree (scikit-learn's names in the comments), already resolved to
/// counts and weights.
struct TreeGrowthLimits: Sendable {
    var maxDepth = Int.max                 // max_depth
    var minSamplesSplit = 2                // min_samples_split
    var minSamplesLeaf = 1                 // min_samples_leaf
    var minWeightLeaf = 0.0                // min_weight_fraction_leaf × total weight
    var maxFeatures = Int.max              // max_features
    var maxLeafNodes: Int? = nil           // max_leaf_nodes (best-first growth when set)
    var minImpurityDecrease = 0.0          // min_impurity_decrease
    var randomSplits = false               // splitter = "random"
}

/// The optimized tree builder (the fast path; TreeReferenceSplitter.swift has the readable split
/// search it must agree with).
///
/// Each node owns a contiguous range `samples[start..<end]`. To split a node the builder visits
/// features in random order (as scikit-learn does: `max_features` of them, more if all those were
/// constant), sorts the node's samples by the feature with one integer sort of packed
/// (float-order bits, sample id) keys, and sweeps the sorted order moving one sample at a time
/// into the left child's running statistics, scoring each boundary between distinct values.
/// The chosen split partitions the range in place, so children are sub-ranges. Features found
/// constant in a node are remembered and never redrawn below it.
final class TreeGrower<C: TreeCriterion> {
    private let data: TreeTrainingData
    private let criterion: C
    private let limits: TreeGrowthLimits
    private var rng: SeededRandom
    private let weights: UnsafePointer<Double>
    private var samples: [Int32]
    private var keys: [UInt64]
    private var xf: [Float]
    private var features: [Int]
    private var constantFeatures: [Int]
    private var rootWeight = 0.0
    private let scratch: UnsafeMutablePointer<UInt64>
    private var nodeValue: [Double]
    private(set) var tree = TreeStructure()

    /// Values closer than this count as equal (scikit-learn's FEATURE_THRESHOLD, compared in double).
    static var featureThreshold: Double { 1e-7 }

    /// `weights` has one entry per training row; rows with weight 0 (out of a bootstrap) are left out.
    init(data: TreeTrainingData, criterion: C, weights: UnsafePointer<Double>, limits: TreeGrowthLimits, seed: UInt64) {
        self.data = data; self.criterion = criterion; self.limits = limits; self.weights = weights
        rng = SeededRandom(seed: seed)
        samples = []
        samples.reserveCapacity(data.nSamples)
        for i in 0..<data.nSamples where weights[i] != 0 { samples.append(Int32(i)) }
        keys = [UInt64](repeating: 0, count: samples.count)
        scratch = .allocate(capacity: Swift.max(1, samples.count))
        xf = [Float](repeating: 0, count: samples.count)
        features = Array(0..<data.nFeatures)
        constantFeatures = [Int](repeating: 0, count: data.nFeatures)
        nodeValue = [Double](repeating: 0, count: criterion.nOutputs)
        tree.nOutputs = criterion.nOutputs
    }

    deinit { scratch.deallocate() }

    /// A found split: the feature, threshold, boundary position in `samples`, children impurities.
    private struct Split {
        var feature = -2
        var threshold = -2.0
        var pos = 0
        var improvement = -Double.infinity
        var impurityLeft = 0.0
        var impurityRight = 0.0
    }

    /// A node evaluated and added to the tree, with what its children need.
    private struct NodeRecord {
        var id: Int
        var start: Int, end: Int, depth: Int
        var isLeaf: Bool
        var split: Split
        var constants: Int
    }

    /// Grows the whole tree.
    func grow() -> TreeStructure {
        guard !samples.isEmpty else { return tree }
        if let maxLeaves = limits.maxLeafNodes { growBestFirst(maxLeaves) } else { growDepthFirst() }
        return tree
    }

    // MARK: growth orders

    /// Depth-first growth: nodes get ids in preorder, left subtree first.
    private func growDepthFirst() {
        var stack: [(start: Int, end: Int, depth: Int, parent: Int, isLeft: Bool, impurity: Double?, constants: Int)] =
            [(0, samples.count, 0, -1, false, nil, 0)]
        while let e = stack.popLast() {
            let rec = addNode(start: e.start, end: e.end, depth: e.depth, parent: e.parent, isLeft: e.isLeft,
                              impurity: e.impurity, constants: e.constants)
            if !rec.isLeaf {
                stack.append((rec.split.pos, e.end, e.depth + 1, rec.id, false, rec.split.impurityRight, rec.constants))
                stack.append((e.start, rec.split.pos, e.depth + 1, rec.id, true, rec.split.impurityLeft, rec.constants))
            }
        }
    }

    /// Best-first growth (`max_leaf_nodes`): always split the frontier node with the largest
    /// impurity improvement, until `maxLeaves` leaves exist.
    private func growBestFirst(_ maxLeaves: Int) {
        var frontier = TreeMaxHeap<NodeRecord>()
        let root = addNode(start: 0, end: samples.count, depth: 0, parent: -1, isLeft: false, impurity: nil, constants: 0)
        frontier.push(root, priority: root.isLeaf ? 0 : root.split.improvement)
        var splitsLeft = maxLeaves - 1
        while let rec = frontier.pop() {
            if rec.isLeaf || splitsLeft <= 0 { tree.makeLeaf(rec.id); continue }
            splitsLeft -= 1
            let l = addNode(start: rec.start, end: rec.split.pos, depth: rec.depth + 1, parent: rec.id, isLeft: true,
                            impurity: rec.split.impurityLeft, constants: rec.constants)
            frontier.push(l, priority: l.isLeaf ? 0 : l.split.improvement)
            let r = addNode(start: rec.split.pos, end: rec.end, depth: rec.depth + 1, parent: rec.id, isLeft: false,
                            impurity: rec.split.impurityRight, constants: rec.constants)
            frontier.push(r, priority: r.isLeaf ? 0 : r.split.improvement)
        }
    }

    /// Evaluates a node (value, impurity, stopping rules, best split) and appends it to the tree.
    private func addNode(start: Int, end: Int, depth: Int, parent: Int, isLeft: Bool, impurity: Double?, constants: Int) -> NodeRecord {
        samples.withUnsafeMutableBufferPointer { criterion.initNode($0.baseAddress!, start, end) }
        let n = end - start, wn = criterion.weightNode
        if parent == -1 { rootWeight = wn }
        let imp = impurity ?? criterion.nodeImpurity()
        var isLeaf = depth >= limits.maxDepth || n < limits.minSamplesSplit || n < 2 * limits.minSamplesLeaf
            || wn < 2 * limits.minWeightLeaf || imp <= Double.ulpOfOne
        var split = Split()
        var nConstants = constants
        nodeValue.withUnsafeMutableBufferPointer { criterion.nodeValue($0.baseAddress!) }
        if !isLeaf {
            (split, nConstants) = findSplit(start: start, end: end, impurity: imp, knownConstants: constants)
            // Best-first growth visits nodes out of depth-first order, where the shared record of
            // constant features would not describe the node's ancestors: it does not use it.
            if limits.maxLeafNodes != nil { nConstants = 0 }
            isLeaf = split.pos >= end || split.feature < 0 || split.improvement + Double.ulpOfOne < limits.minImpurityDecrease
        }
        let id = nodeValue.withUnsafeBufferPointer { v in
            tree.addNode(feature: isLeaf ? -2 : split.feature, threshold: isLeaf ? -2 : split.threshold,
                         impurity: imp, samples: n, weight: wn, value: v)
        }
        if parent >= 0 { if isLeft { tree.childrenLeft[parent] = id } else { tree.childrenRight[parent] = id } }
        return NodeRecord(id: id, start: start, end: end, depth: depth, isLeaf: isLeaf, split: split, constants: nConstants)
    }

    // MARK: split search (optimized)

    /// Order-preserving map of a float to unsigned bits (negative floats reversed).
    @inline(__always) private static func orderBits(_ v: Float) -> UInt64 {
        let b = v.bitPattern
        return UInt64((b & 0x8000_0000) != 0 ? ~b : b | 0x8000_0000)
    }

    /// Sorts `samples[start..<end]` by feature `f`, filling `xf` with the sorted values.
    private func sortNode(feature f: Int, start: Int, end: Int) {
        let n = data.nSamples
        data.columns.withUnsafeBufferPointer { cols in
            let col = cols.baseAddress! + f * n
            samples.withUnsafeMutableBufferPointer { s in
                keys.withUnsafeMutableBufferPointer { k in
                    xf.withUnsafeMutableBufferPointer { v in
                        for p in start..<end { k[p] = Self.orderBits(col[Int(s[p])]) << 32 | UInt64(UInt32(bitPattern: s[p])) }
                        // One integer sort of the packed keys sorts samples by feature value.
                        TreeKeySort.sort(UnsafeMutableBufferPointer(rebasing: k[start..<end]), scratch: scratch)
                        for p in start..<end {
                            let i = Int32(truncatingIfNeeded: k[p] & 0xFFFF_FFFF)
                            s[p] = i; v[p] = col[Int(i)]
                        }
                    }
                }
            }
        }
    }

    /// Moves samples with `x[f] <= threshold` to the front of the range; returns the boundary.
    private func partition(feature f: Int, threshold: Double, start: Int, end: Int) -> Int {
        let n = data.nSamples
        return data.columns.withUnsafeBufferPointer { cols in
            let col = cols.baseAddress! + f * n
            return samples.withUnsafeMutableBufferPointer { s in
                var lo = start, hi = end
                while lo < hi {
                    if Double(col[Int(s[lo])]) <= threshold { lo += 1 } else { hi -= 1; s.swapAt(lo, hi) }
                }
                return lo
            }
        }
    }

    /// The best split of a node and the node's count of known constant features for its children.
    private func findSplit(start: Int, end: Int, impurity: Double, knownConstants: Int) -> (Split, Int) {
        var best = Split()
        best.pos = end
        var bestProxy = -Double.infinity
        let nF = data.nFeatures
        var fi = nF
        var drawnConstants = 0, foundConstants = 0, totalConstants = knownConstants, visited = 0
        let maxFeatures = Swift.min(limits.maxFeatures, nF)
        // features[0..<knownConstants] are the parent's constant features (in constantFeatures' order).
        while fi > totalConstants && (visited < maxFeatures || visited <= foundConstants + drawnConstants) {
            visited += 1
            // Draw uniformly among features neither drawn yet nor found constant here.
            var fj = drawnConstants + rng.int(below: fi - foundConstants - drawnConstants)
            if fj < knownConstants {
                features.swapAt(drawnConstants, fj); drawnConstants += 1
                continue
            }
            fj += foundConstants
            let f = features[fj]
            let candidate: (proxy: Double, split: Split)?
            if limits.randomSplits {
                candidate = randomCandidate(feature: f, start: start, end: end)
            } else {
                candidate = bestCandidate(feature: f, start: start, end: end)
            }
            guard let candidate else {
                // Constant in this node: remember it for the descendants.
                features.swapAt(fj, totalConstants)
                foundConstants += 1; totalConstants += 1
                continue
            }
            fi -= 1
            features.swapAt(fi, fj)
            if candidate.proxy > bestProxy { bestProxy = candidate.proxy; best = candidate.split }
        }
        // Restore the known constants' order (draws permuted them) and record the new ones.
        for k in 0..<knownConstants { features[k] = constantFeatures[k] }
        for k in 0..<foundConstants { constantFeatures[knownConstants + k] = features[knownConstants + k] }
        if best.feature >= 0 {
            best.pos = partition(feature: best.feature, threshold: best.threshold, start: start, end: end)
            samples.withUnsafeMutableBufferPointer { s in
                criterion.resetLeft()
                for p in start..<best.pos { criterion.moveLeft(Int(s[p])) }
            }
            best.improvement = criterion.improvement(parent: impurity, left: best.impurityLeft,
                                                     right: best.impurityRight, rootWeight: rootWeight)
        }
        return (best, totalConstants)
    }

    /// Best threshold on one feature (nil when the feature is constant in the node).
    private func bestCandidate(feature f: Int, start: Int, end: Int) -> (proxy: Double, split: Split)? {
        sortNode(feature: f, start: start, end: end)
        let eps = Self.featureThreshold
        if Double(xf[end - 1]) <= Double(xf[start]) + eps { return nil }
        let minLeaf = limits.minSamplesLeaf, minW = limits.minWeightLeaf
        var bestProxy = -Double.infinity
        var found = Split()
        criterion.resetLeft()
        samples.withUnsafeBufferPointer { s in
            xf.withUnsafeBufferPointer { v in
                var p = start
                while p < end {
                    // Move every sample tied with v[p] to the left, then score the boundary.
                    criterion.moveLeft(Int(s[p]))
                    while p + 1 < end && Double(v[p + 1]) <= Double(v[p]) + eps { p += 1; criterion.moveLeft(Int(s[p])) }
                    p += 1
                    if p >= end { break }
                    if p - start < minLeaf || end - p < minLeaf { continue }
                    if criterion.weightLeft < minW || criterion.weightNode - criterion.weightLeft < minW { continue }
                    let proxy = criterion.proxyImprovement()
                    if proxy > bestProxy {
                        bestProxy = proxy
                        var t = Double(v[p - 1]) / 2 + Double(v[p]) / 2
                        if t == Double(v[p]) || t.isInfinite { t = Double(v[p - 1]) }
                        let (il, ir) = criterion.childImpurities()
                        found = Split(feature: f, threshold: t, pos: p, improvement: 0, impurityLeft: il, impurityRight: ir)
                    }
                }
            }
        }
        return (bestProxy, found)
    }

    /// One uniformly drawn threshold on one feature (extremely randomized trees).
    private func randomCandidate(feature f: Int, start: Int, end: Int) -> (proxy: Double, split: Split)? {
        let n = data.nSamples
        var lo = Float.infinity, hi = -Float.infinity
        data.columns.withUnsafeBufferPointer { cols in
            let col = cols.baseAddress! + f * n
            samples.withUnsafeBufferPointer { s in
                for p in start..<end { let v = col[Int(s[p])]; lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
            }
        }
        if Double(hi) <= Double(lo) + Self.featureThreshold { return nil }
        var t = Double(lo) + rng.uniform() * (Double(hi) - Double(lo))
        if t == Double(hi) { t = Double(lo) }
        let pos = partition(feature: f, threshold: t, start: start, end: end)
        // A valid feature whose draw violates the leaf limits still counts as visited.
        if pos - start < limits.minSamplesLeaf || end - pos < limits.minSamplesLeaf { return (-Double.infinity, Split()) }
        criterion.resetLeft()
        samples.withUnsafeBufferPointer { s in for p in start..<pos { criterion.moveLeft(Int(s[p])) } }
        if criterion.weightLeft < limits.minWeightLeaf || criterion.weightNode - criterion.weightLeft < limits.minWeightLeaf {
            return (-Double.infinity, Split())
        }
        let (il, ir) = criterion.childImpurities()
        return (criterion.proxyImprovement(), Split(feature: f, threshold: t, pos: pos, improvement: 0, impurityLeft: il, impurityRight: ir))
    }
}

/// A small binary max-heap (the best-first frontier).
struct TreeMaxHeap<T> {
    private var items: [(priority: Double, order: Int, item: T)] = []
    private var counter = 0

    mutating func push(_ item: T, priority: Double) {
        items.append((priority, counter, item)); counter += 1
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if before(i, p) { items.swapAt(i, p); i = p } else { break }
        }
    }

    /// Higher priority first; among equals, the earlier pushed.
    private func before(_ a: Int, _ b: Int) -> Bool {
        items[a].priority > items[b].priority || (items[a].priority == items[b].priority && items[a].order < items[b].order)
    }

    mutating func pop() -> T? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast().item
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && before(l, m) { m = l }
            if r < items.count && before(r, m) { m = r }
            if m == i { break }
            items.swapAt(i, m); i = m
        }
        return top
    }
}

/// Sorting of packed `(value bits << 32) | sample` keys by their value half: an LSD radix sort
/// (4 passes of 8 bits, a pass skipped when every key shares its byte) for large nodes, insertion
/// sort for small ones. Part of the optimized builder.
enum TreeKeySort {
    static func sort(_ keys: UnsafeMutableBufferPointer<UInt64>, scratch: UnsafeMutablePointer<UInt64>) {
        let n = keys.count
        guard n > 1, let base = keys.baseAddress else { return }
        if n <= 48 {
            for i in 1..<n {
                let k = base[i]
                var j = i - 1
                while j >= 0 && base[j] > k { base[j + 1] = base[j]; j -= 1 }
                base[j + 1] = k
            }
            return
        }
        var src = base, dst = scratch
        var counts = [Int](repeating: 0, count: 256)
        counts.withUnsafeMutableBufferPointer { c in
            for pass in 0..<4 {
                let shift = UInt64(32 + 8 * pass)
                for b in 0..<256 { c[b] = 0 }
                for i in 0..<n { c[Int((src[i] >> shift) & 0xFF)] += 1 }
                if c[Int((src[0] >> shift) & 0xFF)] == n { continue }
                var sum = 0
                for b in 0..<256 { let t = c[b]; c[b] = sum; sum += t }
                for i in 0..<n {
                    let k = src[i]
                    let b = Int((k >> shift) & 0xFF)
                    dst[c[b]] = k; c[b] += 1
                }
                swap(&src, &dst)
            }
        }
        if src != base { base.update(from: src, count: n) }
    }
}

import Foundation

/// Bottom-up hierarchical clustering (`sklearn.cluster.AgglomerativeClustering`).
///
/// Starts with every sample in its own cluster and repeatedly merges the two closest clusters
/// until one remains; the tree is then cut into `n_clusters` clusters (or where merge distances
/// reach `distance_threshold`). Cluster distance by `linkage`:
/// - `ward` (default): the increase of within-cluster variance (Lance–Williams form on Euclidean
///   distances: `d(u, s∪t)² = ((|u|+|s|) d(u,s)² + (|u|+|t|) d(u,t)² − |u| d(s,t)²) / (|u|+|s|+|t|)`);
/// - `complete`: largest pairwise distance; `average`: mean pairwise distance;
/// - `single`: smallest pairwise distance.
///
/// Ward, complete and average run the nearest-neighbour-chain algorithm on the condensed distance
/// matrix (O(n²) memory and time, as SciPy's `linkage`); single linkage builds the minimum
/// spanning tree with Prim's algorithm (as scikit-learn). ``children`` and ``distances`` follow
/// scikit-learn's `children_`/`distances_` layout (merge `i` creates node `n + i`), and labels are
/// numbered by scikit-learn's tree cut, so they equal scikit-learn's labels.
///
/// Defaults: `n_clusters=2, metric="euclidean", linkage="ward", distance_threshold=None,
/// compute_distances=False`.
public final class AgglomerativeClustering: Clusterer {
    public static let modelName = "agglomerative"

    /// Number of clusters (`n_clusters`); nil when cutting by ``distanceThreshold``.
    public var nClusters: Int?
    /// `"euclidean"`, `"l2"`, `"manhattan"`/`"l1"`/`"cityblock"`, `"cosine"` (`metric`); ward needs Euclidean.
    public var metric: String
    /// `"ward"`, `"complete"`, `"average"` or `"single"` (`linkage`).
    public var linkage: String
    /// Cut the tree where merge distances reach this value (`distance_threshold`).
    public var distanceThreshold: Double?
    /// Store merge distances even without a threshold (`compute_distances`).
    public var computeDistances: Bool

    /// Cluster of each training sample (`labels_`).
    public private(set) var labels: [Int] = []
    /// Merges, `(n − 1) × 2`: row `i` joins nodes `children[i]` into node `n + i` (`children_`).
    public private(set) var children: [[Int]] = []
    /// Merge distances (`distances_`); empty unless `distance_threshold` or `compute_distances`.
    public private(set) var distances: [Double] = []
    /// Number of leaves `n` (`n_leaves_`).
    public private(set) var nLeaves = 0
    /// Number of clusters found (`n_clusters_`).
    public private(set) var nClustersFound = 0

    /// Agglomerative clustering with scikit-learn's defaults.
    public init(nClusters: Int? = 2, metric: String = "euclidean", linkage: String = "ward",
                distanceThreshold: Double? = nil, computeDistances: Bool = false) {
        self.nClusters = nClusters; self.metric = metric; self.linkage = linkage
        self.distanceThreshold = distanceThreshold; self.computeDistances = computeDistances
    }
    public convenience init() { self.init(nClusters: 2) }

    public var parameters: [String: ParamValue] {
        ["n_clusters": nClusters.param, "metric": .string(metric), "linkage": .string(linkage),
         "distance_threshold": distanceThreshold.param, "compute_distances": .bool(computeDistances)]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "n_clusters": nClusters = try value.optionalInt(name)
        case "metric": metric = try value.choice(name, ["euclidean", "l2", "manhattan", "l1", "cityblock", "cosine"])
        case "linkage": linkage = try value.choice(name, ["ward", "complete", "average", "single"])
        case "distance_threshold": distanceThreshold = try value.optionalDouble(name)
        case "compute_distances": computeDistances = try value.bool(name)
        default: throw unknownParameter(name)
        }
    }

    private var resolvedMetric: UnsupMetric? {
        switch metric {
        case "euclidean", "l2": return .euclidean
        case "manhattan", "l1", "cityblock": return .manhattan
        case "cosine": return .cosine
        default: return nil
        }
    }

    /// Builds the merge tree of `x` and cuts it.
    public func fit(_ x: Matrix) throws {
        try require(["ward", "complete", "average", "single"].contains(linkage), "linkage", linkage, "unknown linkage")
        guard let m = resolvedMetric else { throw LearnError.invalidParameter(name: "metric", value: metric, reason: "unsupported metric") }
        try require(linkage != "ward" || m == .euclidean, "metric", metric, "ward linkage works only with Euclidean distances")
        try require((nClusters == nil) != (distanceThreshold == nil), "n_clusters", nClusters.param.description,
                    "exactly one of n_clusters and distance_threshold has to be set")
        if let k = nClusters { try require(k >= 1, "n_clusters", k, "must be at least 1") }
        try Check.features(x, "AgglomerativeClustering.fit", minRows: 2)
        if let k = nClusters, k > x.rows {
            throw LearnError.invalidInput("AgglomerativeClustering.fit: cannot extract \(k) clusters from \(x.rows) samples")
        }
        if m == .cosine {
            for i in 0..<x.rows where x.row(i).allSatisfy({ $0 == 0 }) {
                throw LearnError.invalidInput("AgglomerativeClustering.fit: cosine distance is not defined for the all-zero row \(i)")
            }
        }
        let n = x.rows
        let tree: (children: [[Int]], distances: [Double])
        if linkage == "single" && m != .cosine {
            tree = AgglomerativeClustering.primSingleLinkage(x, metric: m)
        } else {
            let condensed = AgglomerativeClustering.condensedDistances(x, metric: m)
            tree = AgglomerativeClustering.nnChain(condensed, n: n, linkage: linkage)
        }
        nLeaves = n
        children = tree.children
        distances = (distanceThreshold != nil || computeDistances) ? tree.distances : []
        let k: Int
        if let t = distanceThreshold { k = tree.distances.filter { $0 >= t }.count + 1 } else { k = nClusters! }
        nClustersFound = k
        labels = AgglomerativeClustering.cut(k, children: tree.children, leaves: n)
    }

    // MARK: - Tree building

    /// The condensed (upper-triangle, row by row) distance matrix, as SciPy's `pdist`.
    static func condensedDistances(_ x: Matrix, metric: UnsupMetric) -> [Double] {
        let n = x.rows, d = x.columns
        var out = [Double](repeating: 0, count: n * (n - 1) / 2)
        let norms = unsupRowSquaredNorms(x).map { $0.squareRoot() }
        x.values.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                let op = op
                unsupParallelChunks(n, costPerItem: n * d / 2) { s, e in
                    for i in s..<e {
                        var idx = n * i - i * (i + 1) / 2
                        for j in (i + 1)..<Swift.max(n, i + 1) {
                            op[idx] = metric.distance(xp, i, xp, j, d, normA: norms[i], normB: norms[j])
                            idx += 1
                        }
                    }
                }
            }
        }
        return out
    }

    /// Nearest-neighbour chain (Murtagh 1983) as SciPy's `nn_chain`: follow nearest neighbours
    /// until two clusters are each other's nearest, merge them (Lance–Williams update), repeat.
    /// Merges are then sorted by distance (stably) and relabelled as SciPy's `linkage` does.
    static func nnChain(_ condensed: [Double], n: Int, linkage: String) -> (children: [[Int]], distances: [Double]) {
        var dist = condensed
        @inline(__always) func index(_ a: Int, _ b: Int) -> Int {
            let i = Swift.min(a, b), j = Swift.max(a, b)
            return n * i - i * (i + 1) / 2 + (j - i - 1)
        }
        var size = [Int](repeating: 1, count: n)
        var chain = [Int]()
        chain.reserveCapacity(n)
        var merges = [(x: Int, y: Int, d: Double)]()
        merges.reserveCapacity(n - 1)
        dist.withUnsafeMutableBufferPointer { dp in
            for _ in 0..<(n - 1) {
                if chain.isEmpty { chain.append(size.firstIndex { $0 > 0 }!) }
                var x = 0, y = 0, current = 0.0
                while true {
                    x = chain[chain.count - 1]
                    if chain.count > 1 { y = chain[chain.count - 2]; current = dp[index(x, y)] } else { current = .infinity }
                    for i in 0..<n where size[i] > 0 && i != x {
                        let v = dp[index(x, i)]
                        if v < current { current = v; y = i }
                    }
                    if chain.count > 1 && y == chain[chain.count - 2] { break }
                    chain.append(y)
                }
                chain.removeLast(2)
                if x > y { swap(&x, &y) }
                let nx = Double(size[x]), ny = Double(size[y])
                merges.append((x, y, current))
                size[x] = 0
                size[y] = Int(nx + ny)
                for i in 0..<n where size[i] > 0 && i != y {
                    let ni = Double(size[i])
                    let dxi = dp[index(i, x)], dyi = dp[index(i, y)]
                    let v: Double
                    switch linkage {
                    case "ward":
                        let t = 1 / (nx + ny + ni)
                        v = ((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * current * current).squareRoot()
                    case "complete": v = Swift.max(dxi, dyi)
                    case "average": v = (nx * dxi + ny * dyi) / (nx + ny)
                    default: v = Swift.min(dxi, dyi)          // single (cosine only)
                    }
                    dp[index(i, y)] = v
                }
            }
        }
        // Stable sort by distance, then relabel merged clusters n, n+1, … (SciPy's `label`).
        return relabel(merges, n: n, sortPairs: true)
    }

    /// Turns merges between original indices, stably sorted by distance, into the tree layout:
    /// a union–find maps each side to its current cluster (`n + step` after step `step`).
    /// SciPy orders each pair (smaller id first); scikit-learn's single linkage keeps edge order.
    static func relabel(_ merges: [(x: Int, y: Int, d: Double)], n: Int, sortPairs: Bool) -> (children: [[Int]], distances: [Double]) {
        let order = merges.indices.sorted { (merges[$0].d, $0) < (merges[$1].d, $1) }
        var parent = Array(0..<(2 * n - 1))
        func find(_ a: Int) -> Int {
            var r = a
            while parent[r] != r { r = parent[r] }
            var c = a
            while parent[c] != r { let next = parent[c]; parent[c] = r; c = next }
            return r
        }
        var children = [[Int]](), distances = [Double]()
        for (step, m) in order.enumerated() {
            let rx = find(merges[m].x), ry = find(merges[m].y)
            children.append(sortPairs ? [Swift.min(rx, ry), Swift.max(rx, ry)] : [rx, ry])
            distances.append(merges[m].d)
            parent[rx] = n + step; parent[ry] = n + step
        }
        return (children, distances)
    }

    /// Single linkage as scikit-learn: Prim's minimum spanning tree from sample 0, edges sorted
    /// stably by weight, then joined with a union–find (children in edge order, not sorted).
    static func primSingleLinkage(_ x: Matrix, metric: UnsupMetric) -> (children: [[Int]], distances: [Double]) {
        let n = x.rows, d = x.columns
        var inTree = [Bool](repeating: false, count: n)
        var current = [Double](repeating: .infinity, count: n)
        var edges = [(a: Int, b: Int, w: Double)]()
        let norms = unsupRowSquaredNorms(x).map { $0.squareRoot() }
        var node = 0
        x.values.withUnsafeBufferPointer { xp in
            for _ in 1..<n {
                inTree[node] = true
                var best = Double.infinity, next = 0
                for j in 0..<n where !inTree[j] {
                    let v = metric.distance(xp, node, xp, j, d, normA: norms[node], normB: norms[j])
                    if v < current[j] { current[j] = v }
                    if current[j] < best { best = current[j]; next = j }
                }
                edges.append((node, next, best))
                node = next
            }
        }
        return relabel(edges.map { (x: $0.a, y: $0.b, d: $0.w) }, n: n, sortPairs: false)
    }

    /// Cuts the tree into `k` clusters exactly as scikit-learn's `_hc_cut`: a max-heap of node ids
    /// (Python's `heapq` on negated ids) where the newest node is split `k − 1` times; cluster `i`
    /// is the `i`-th entry of the heap's array.
    static func cut(_ k: Int, children: [[Int]], leaves n: Int) -> [Int] {
        var heap = UnsupPyHeap()
        heap.push(-(Swift.max(children[n - 2][0], children[n - 2][1]) + 1))
        for _ in 0..<(k - 1) {
            let these = children[-heap.items[0] - n]
            heap.push(-these[0])
            _ = heap.pushPop(-these[1])
        }
        var labels = [Int](repeating: 0, count: n)
        for (i, negNode) in heap.items.enumerated() {
            var stack = [-negNode]
            while let node = stack.popLast() {
                if node < n { labels[node] = i } else { stack.append(contentsOf: children[node - n]) }
            }
        }
        return labels
    }
}

/// A min-heap of Ints with exactly the array layout of Python's `heapq` (`heappush`,
/// `heappushpop`), so that tree cuts number clusters as scikit-learn does.
struct UnsupPyHeap {
    var items: [Int] = []

    private mutating func siftDown(_ start: Int, _ pos0: Int) {
        var pos = pos0
        let newItem = items[pos]
        while pos > start {
            let parentPos = (pos - 1) >> 1
            let parent = items[parentPos]
            if newItem < parent { items[pos] = parent; pos = parentPos; continue }
            break
        }
        items[pos] = newItem
    }

    private mutating func siftUp(_ pos0: Int) {
        var pos = pos0
        let end = items.count, start = pos
        let newItem = items[pos]
        var child = 2 * pos + 1
        while child < end {
            let right = child + 1
            if right < end && !(items[child] < items[right]) { child = right }
            items[pos] = items[child]
            pos = child
            child = 2 * pos + 1
        }
        items[pos] = newItem
        siftDown(start, pos)
    }

    mutating func push(_ v: Int) { items.append(v); siftDown(0, items.count - 1) }

    mutating func pushPop(_ v: Int) -> Int {
        var item = v
        if !items.isEmpty && items[0] < item {
            swap(&item, &items[0])
            siftUp(0)
        }
        return item
    }
}

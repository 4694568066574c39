import Foundation

/// A k-d tree for exact k-nearest-neighbour queries under Minkowski metrics (Euclidean,
/// Manhattan, Chebyshev, any p).
///
/// Built by recursive halving: each node's points are split at the median of the coordinate with
/// the largest spread until at most `leafSize` points remain. Each node keeps its axis-aligned
/// bounding box. A query visits the nearer child first and skips a node when the distance from
/// the query to its box exceeds the current k-th best distance, so it usually touches O(log n)
/// leaves in low dimension. Results are exactly those of brute force (same distances bit for bit;
/// ties to the smaller training index), because a node is skipped only when its bound is
/// *strictly* worse than the k-th best.
public struct KDTree: Codable, Sendable {
    var core: NeighborsTreeCore

    /// A tree over the rows of `x`.
    public init(_ x: Matrix, leafSize: Int = 40, metric: NeighborsMetric = .minkowski, p: Double = 2) {
        core = NeighborsTreeCore(x, leafSize: leafSize, distance: NeighborsDistance(metric: metric, p: p), ball: false)
    }

    init(_ x: Matrix, leafSize: Int, distance: NeighborsDistance) {
        core = NeighborsTreeCore(x, leafSize: leafSize, distance: distance, ball: false)
    }

    /// The `k` nearest training rows to each row of `x`: distances (rows × k, increasing) and indices.
    public func query(_ x: Matrix, k: Int) -> (distances: Matrix, indices: [[Int]]) { core.query(x, k: k) }
}

/// A ball tree for exact k-nearest-neighbour queries under Minkowski metrics.
///
/// Like ``KDTree`` but each node keeps a ball (centroid c, radius r) instead of a box: every point
/// of the node is within r of c, so by the triangle inequality no point is closer to a query q
/// than d(q, c) − r. Balls suit higher dimensions better than boxes. The bound is shrunk by a
/// relative 1e-10 to absorb rounding, so results still equal brute force exactly.
public struct BallTree: Codable, Sendable {
    var core: NeighborsTreeCore

    /// A tree over the rows of `x`.
    public init(_ x: Matrix, leafSize: Int = 40, metric: NeighborsMetric = .minkowski, p: Double = 2) {
        core = NeighborsTreeCore(x, leafSize: leafSize, distance: NeighborsDistance(metric: metric, p: p), ball: true)
    }

    init(_ x: Matrix, leafSize: Int, distance: NeighborsDistance) {
        core = NeighborsTreeCore(x, leafSize: leafSize, distance: distance, ball: true)
    }

    /// The `k` nearest training rows to each row of `x`: distances (rows × k, increasing) and indices.
    public func query(_ x: Matrix, k: Int) -> (distances: Matrix, indices: [[Int]]) { core.query(x, k: k) }
}

/// The shared tree: nodes in flat arrays (node n covers `order[start[n]..<end[n]]`, children
/// `left[n]`, `right[n]`, −1 for a leaf) with a box (k-d) or a ball per node.
struct NeighborsTreeCore: Codable, Sendable {
    var data: Matrix
    var distance: NeighborsDistance
    var ball: Bool
    var order: [Int]
    var start: [Int] = [], end: [Int] = [], left: [Int] = [], right: [Int] = []
    /// k-d: per node, `columns` lower then `columns` upper bounds. Ball: `columns` centroid values.
    var bounds: [Double] = []
    /// Ball radius per node (distance units).
    var radius: [Double] = []

    init(_ x: Matrix, leafSize: Int, distance: NeighborsDistance, ball: Bool) {
        data = x
        self.distance = distance
        self.ball = ball
        order = Array(0..<x.rows)
        if x.rows > 0 { _ = build(0, x.rows, max(1, leafSize)) }
    }

    /// Builds the node over `order[s..<e]`; returns its id.
    private mutating func build(_ s: Int, _ e: Int, _ leafSize: Int) -> Int {
        let id = start.count
        let d = data.columns
        start.append(s); end.append(e); left.append(-1); right.append(-1)
        var lo = [Double](repeating: .infinity, count: d), hi = [Double](repeating: -.infinity, count: d)
        for q in s..<e {
            let base = order[q] * d
            for j in 0..<d { let v = data.values[base + j]; lo[j] = min(lo[j], v); hi[j] = max(hi[j], v) }
        }
        if ball {
            var c = [Double](repeating: 0, count: d)
            for q in s..<e { let base = order[q] * d; for j in 0..<d { c[j] += data.values[base + j] } }
            for j in 0..<d { c[j] /= Double(e - s) }
            var r = 0.0
            c.withUnsafeBufferPointer { cp in
                data.values.withUnsafeBufferPointer { xp in
                    for q in s..<e { r = max(r, distance.distance(fromReduced: distance.reduced(xp.baseAddress! + order[q] * d, cp.baseAddress!, d))) }
                }
            }
            bounds.append(contentsOf: c); radius.append(r)
        } else {
            bounds.append(contentsOf: lo); bounds.append(contentsOf: hi)
        }
        guard e - s > leafSize else { return id }
        // Split at the median of the widest coordinate (ties ordered by index for determinism).
        var axis = 0
        for j in 1..<d where hi[j] - lo[j] > hi[axis] - lo[axis] { axis = j }
        let x = data
        order[s..<e].sort { a, b in
            let va = x.values[a * d + axis], vb = x.values[b * d + axis]
            return va < vb || (va == vb && a < b)
        }
        let mid = s + (e - s) / 2
        let l = build(s, mid, leafSize)
        let r = build(mid, e, leafSize)
        left[id] = l; right[id] = r
        return id
    }

    /// Lower bound on the reduced distance from `q` to any point of node `n`.
    @inline(__always)
    private func bound(_ n: Int, _ q: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
        let d = data.columns
        if ball {
            let centre = distance.distance(fromReduced: distance.reduced(q, b + n * d, d))
            let gap = centre - radius[n]
            return gap <= 0 ? 0 : distance.reduced(fromDistance: gap * (1 - 1e-10))
        }
        let lo = b + n * 2 * d, hi = lo + d
        var s = 0.0
        for j in 0..<d {
            let t = q[j] < lo[j] ? lo[j] - q[j] : (q[j] > hi[j] ? q[j] - hi[j] : 0)
            s = distance.accumulate(s, distance.term(t))
        }
        return s
    }

    private func search(_ n: Int, _ q: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                        _ best: inout NeighborsKBest) {
        let d = data.columns
        if left[n] < 0 {
            for p in start[n]..<end[n] {
                let i = order[p]
                best.offer(distance.reduced(q, x + i * d, d), i)
            }
            return
        }
        let bl = bound(left[n], q, b), br = bound(right[n], q, b)
        let first = bl <= br ? left[n] : right[n], second = bl <= br ? right[n] : left[n]
        let b1 = min(bl, br), b2 = max(bl, br)
        if !(best.isFull && b1 > best.worst) { search(first, q, x, b, &best) }
        if !(best.isFull && b2 > best.worst) { search(second, q, x, b, &best) }
    }

    /// Exact k nearest neighbours of every row of `queries` (k ≤ training rows).
    func query(_ queries: Matrix, k: Int) -> (distances: Matrix, indices: [[Int]]) {
        let m = queries.rows, d = data.columns
        var dist = [Double](repeating: 0, count: m * k)
        var idx = [[Int]](repeating: [], count: m)
        let chunk = 64, chunks = (m + chunk - 1) / chunk
        dist.withUnsafeMutableBufferPointer { dp in
            idx.withUnsafeMutableBufferPointer { ip in
                let dOut = dp, iOut = ip   // disjoint rows per chunk
                queries.values.withUnsafeBufferPointer { qp in
                    data.values.withUnsafeBufferPointer { xp in
                        bounds.withUnsafeBufferPointer { bp in
                            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                                for r in (c * chunk)..<min(m, (c + 1) * chunk) {
                                    var best = NeighborsKBest(k: k)
                                    if !start.isEmpty { search(0, qp.baseAddress! + r * d, xp.baseAddress!, bp.baseAddress!, &best) }
                                    for t in 0..<k { dOut[r * k + t] = distance.distance(fromReduced: best.distances[t]) }
                                    iOut[r] = best.indices
                                }
                            }
                        }
                    }
                }
            }
        }
        return (Matrix(rows: m, columns: k, values: dist), idx)
    }
}

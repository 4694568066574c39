import Foundation

/// Training rows organised for k-nearest-neighbour queries by one of brute force, ``KDTree`` or
/// ``BallTree``. All three return identical neighbours (ties to the smaller training index).
struct NeighborsIndex: Codable {
    var data: Matrix
    var distance: NeighborsDistance
    /// `brute`, `kdTree` or `ballTree` (never `auto`).
    var method: NeighborsAlgorithm
    var kdTree: KDTree?
    var ballTree: BallTree?
    /// Squared row norms, for the Euclidean GEMM path.
    var squaredNorms: [Double]

    init(_ x: Matrix, distance: NeighborsDistance, method: NeighborsAlgorithm, leafSize: Int) {
        data = x
        self.distance = distance
        self.method = method
        squaredNorms = (0..<x.rows).map { i in
            var s = 0.0
            for j in 0..<x.columns { s += x[i, j] * x[i, j] }
            return s
        }
        switch method {
        case .kdTree: kdTree = KDTree(x, leafSize: leafSize, distance: distance)
        case .ballTree: ballTree = BallTree(x, leafSize: leafSize, distance: distance)
        default: break
        }
    }

    /// The `k` nearest training rows of every query row: distances (increasing) and indices.
    func query(_ x: Matrix, k: Int) -> (distances: Matrix, indices: [[Int]]) {
        if let kdTree { return kdTree.query(x, k: k) }
        if let ballTree { return ballTree.query(x, k: k) }
        if distance.kind == .euclidean { return bruteEuclidean(x, k: k) }
        return bruteExact(x, k: k)
    }

    /// Reference brute force: every reduced distance computed directly, the k best kept.
    func bruteExact(_ x: Matrix, k: Int) -> (distances: Matrix, indices: [[Int]]) {
        let n = data.rows, d = data.columns
        return neighborsForEachQuery(x.rows, k: k) { r, best in
            x.values.withUnsafeBufferPointer { qp in
                data.values.withUnsafeBufferPointer { xp in
                    let q = qp.baseAddress! + r * d
                    for i in 0..<n { best.offer(distance.reduced(q, xp.baseAddress! + i * d, d), i) }
                }
            }
        }
    }

    /// Fast path for Euclidean brute force: squared distances ‖q‖² + ‖x‖² − 2q·x for a block of
    /// queries at once by one GEMM (blocks bound the memory to ~16 MB), which picks candidates;
    /// the candidates within rounding slack of the k-th are then re-ranked by exact distances, so
    /// the answer is the same as ``bruteExact(_:k:)`` (and the trees).
    func bruteEuclidean(_ x: Matrix, k: Int) -> (distances: Matrix, indices: [[Int]]) {
        let n = data.rows, d = data.columns, m = x.rows
        let blockRows = max(1, min(m, (1 << 21) / max(n, 1)))
        let maxNorm = squaredNorms.max() ?? 0
        var dist = Matrix(rows: m, columns: k)
        var idx = [[Int]](repeating: [], count: m)
        var blockStart = 0
        while blockStart < m {
            let blockEnd = min(m, blockStart + blockRows)
            let qBlock = x.rows(Array(blockStart..<blockEnd))
            let dots = Matrix.product(qBlock, data, transposeB: true)
            let part = neighborsForEachQuery(blockEnd - blockStart, k: k) { r, best in
                dots.values.withUnsafeBufferPointer { g in
                    qBlock.values.withUnsafeBufferPointer { qp in
                        data.values.withUnsafeBufferPointer { xp in
                            let q = qp.baseAddress! + r * d
                            var qn = 0.0
                            for j in 0..<d { qn += q[j] * q[j] }
                            var approx = NeighborsKBest(k: k)
                            for i in 0..<n { approx.offer(qn + squaredNorms[i] - 2 * g[r * n + i], i) }
                            let threshold = approx.worst + 1e-9 * (qn + maxNorm) + 1e-300
                            for i in 0..<n where qn + squaredNorms[i] - 2 * g[r * n + i] <= threshold {
                                best.offer(distance.reduced(q, xp.baseAddress! + i * d, d), i)
                            }
                        }
                    }
                }
            }
            for r in 0..<(blockEnd - blockStart) {
                for t in 0..<k { dist[blockStart + r, t] = part.distances[r, t] }
                idx[blockStart + r] = part.indices[r]
            }
            blockStart = blockEnd
        }
        return (dist, idx)
    }

    /// Runs `fill` for each query row (concurrently, in chunks) and collects the k best.
    private func neighborsForEachQuery(_ m: Int, k: Int, _ fill: (Int, inout NeighborsKBest) -> Void) -> (distances: Matrix, indices: [[Int]]) {
        var dist = [Double](repeating: 0, count: m * k)
        var idx = [[Int]](repeating: [], count: m)
        let chunk = 32, chunks = (m + chunk - 1) / chunk
        let metric = distance
        dist.withUnsafeMutableBufferPointer { dp in
            idx.withUnsafeMutableBufferPointer { ip in
                let dOut = dp, iOut = ip   // each chunk writes its own rows
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    for r in (c * chunk)..<min(m, (c + 1) * chunk) {
                        var best = NeighborsKBest(k: k)
                        fill(r, &best)
                        for t in 0..<k { dOut[r * k + t] = metric.distance(fromReduced: best.distances[t]) }
                        iOut[r] = best.indices
                    }
                }
            }
        }
        return (Matrix(rows: m, columns: k, values: dist), idx)
    }
}

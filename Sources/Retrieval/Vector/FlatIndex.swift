import CSwiftLearnKernels
import Dispatch
import Foundation
import Tensors

/// Exact (brute-force) nearest-neighbour search, like faiss's `IndexFlatIP` / `IndexFlatL2`.
///
/// A batch of queries is scored against the base in blocks with one GEMM per block
/// (`S = Q · Bᵀ` through ``Tensors/BLAS/gemm(transposeA:transposeB:m:n:k:a:lda:b:ldb:c:ldc:)``),
/// then each query's row of scores goes through a k-sized heap (queries spread over all cores).
/// For L2, ‖q − x‖² = ‖q‖² + ‖x‖² − 2 q·x with the base norms cached (clamped at 0, as faiss
/// does). A single query uses the SIMD distance kernels directly. Cost: O(n·d) per query.
///
/// ```swift
/// let index = try FlatIndex(dimension: 384, metric: .cosine)
/// try index.add(vectors, ids: ids)
/// let hits = try index.search(query, k: 10)
/// ```
public final class FlatIndex: VectorIndex {
    public let dimension: Int
    public let metric: DistanceMetric
    public var kind: String { "flat" }
    let store: VectorStore
    let rows: FloatRows
    /// ‖x‖² of each row (L2 only).
    private var sqNorms: [Float] = []

    /// Base rows scored per GEMM block.
    static let blockRows = 2048
    /// Below this many queries, queries are scored one by one with the SIMD kernels.
    static let gemmMinQueries = 8

    /// An empty index of `dimension`-dimensional vectors (``RetrievalLimits/dimensions``).
    public init(dimension: Int, metric: DistanceMetric = .l2) throws {
        try RetrievalLimits.check(dimension, in: RetrievalLimits.dimensions, "dimension")
        self.dimension = dimension
        self.metric = metric
        store = VectorStore(dimension: dimension, metric: metric)
        rows = FloatRows(dimension: dimension)
    }

    public var count: Int { store.liveCount }
    public var ids: [Int64] { store.ids }
    public func contains(_ id: Int64) -> Bool { store.slotOf[id] != nil }
    public func vector(for id: Int64) throws -> [Float] { rows.array(Int(try store.slot(of: id))) }
    public func setMetadata(_ metadata: Metadata, for id: Int64) throws { _ = try store.slot(of: id); store.metadata[id] = metadata }
    public func metadata(for id: Int64) -> Metadata? { store.metadata[id] }

    public func add(_ vectors: [Float], ids: [Int64]) throws {
        let prepared = try store.prepare(vectors, ids: ids)
        rows.reserve(rows.count + ids.count)
        prepared.withUnsafeBufferPointer { p in
            for (i, id) in ids.enumerated() {
                store.allocate(id)
                let r = p.baseAddress! + i * dimension
                rows.append(r)
                if metric == .l2 { sqNorms.append(sl_vec_dot_f32(r, r, dimension)) }
            }
        }
    }

    public func remove(ids: [Int64]) throws {
        try store.checkKnown(ids)
        for id in ids {
            let slot = try store.kill(id)
            let last = Int32(rows.count - 1)
            rows.swapRemove(Int(slot))
            if metric == .l2 { sqNorms[Int(slot)] = sqNorms[Int(last)]; sqNorms.removeLast() }
            if slot != last { store.moveSlot(from: last, to: slot) }
            store.dropLast()
        }
    }

    public func update(_ vectors: [Float], ids: [Int64]) throws {
        let prepared = try store.prepare(vectors, ids: ids, allowExisting: true)
        prepared.withUnsafeBufferPointer { p in
            for (i, id) in ids.enumerated() {
                let slot = Int(store.slotOf[id]!)
                let r = p.baseAddress! + i * dimension
                rows.set(slot, r)
                if metric == .l2 { sqNorms[slot] = sl_vec_dot_f32(r, r, dimension) }
            }
        }
    }

    public func search(batch queries: [Float], k: Int, filter: VectorFilter? = nil) throws -> [[SearchHit]] {
        let k = try store.effectiveK(k)
        let q = try store.prepareQueries(queries)
        let nq = q.count / dimension
        let n = rows.count
        if n == 0 { return Array(repeating: [], count: nq) }
        var allowed: [Bool]? = nil
        if let pred = store.slotPredicate(filter) { allowed = (0..<n).map { pred(Int32($0)) } }
        return q.withUnsafeBufferPointer { qp in
            nq < Self.gemmMinQueries
                ? (0..<nq).map { scanOne(qp.baseAddress! + $0 * dimension, k: k, allowed: allowed) }
                : scanGEMM(qp.baseAddress!, nq: nq, k: k, allowed: allowed)
        }
    }

    /// One query against every row with the SIMD kernels.
    private func scanOne(_ q: UnsafePointer<Float>, k: Int, allowed: [Bool]?) -> [SearchHit] {
        let n = rows.count
        var scores = [Float](repeating: 0, count: n)
        scores.withUnsafeMutableBufferPointer { s in
            if metric == .l2 {
                sl_vec_l2sq_rows_f32(q, rows.base, nil, n, dimension, s.baseAddress!)
                for i in 0..<n { s[i] = -s[i] }
            } else {
                sl_vec_dot_rows_f32(q, rows.base, nil, n, dimension, s.baseAddress!)
            }
        }
        var top = TopK(k: k)
        let ids = store.ids
        for i in 0..<n where scores[i] >= top.threshold {
            if let a = allowed, !a[i] { continue }
            top.push(scores[i], ids[i])
        }
        return top.sortedHits()
    }

    /// Queries × base in GEMM blocks, heaps per query updated in parallel.
    private func scanGEMM(_ q: UnsafePointer<Float>, nq: Int, k: Int, allowed: [Bool]?) -> [[SearchHit]] {
        let n = rows.count, d = dimension
        let block = Self.blockRows
        var tops = [TopK](repeating: TopK(k: k), count: nq)
        var qNorms = [Float](repeating: 0, count: nq)
        if metric == .l2 { for i in 0..<nq { qNorms[i] = sl_vec_dot_f32(q + i * d, q + i * d, d) } }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: nq * block)
        defer { scratch.deallocate() }
        let ids = store.ids
        let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, nq / 16))
        let l2 = metric == .l2
        var start = 0
        while start < n {
            let nb = min(block, n - start)
            BLAS.gemm(transposeB: true, m: nq, n: nb, k: d, a: q, lda: d, b: UnsafePointer(rows.row(start)), ldb: d, c: scratch, ldc: nb)
            tops.withUnsafeMutableBufferPointer { tp in
                let tp = tp
                sqNorms.withUnsafeBufferPointer { norms in
                    DispatchQueue.concurrentPerform(iterations: threads) { t in
                        let lo = nq * t / threads, hi = nq * (t + 1) / threads
                        for qi in lo..<hi {
                            let srow = scratch + qi * nb
                            var top = tp[qi]
                            let qn = qNorms[qi]
                            for j in 0..<nb {
                                var s = srow[j]
                                if l2 { s = -max(0, qn + norms[start + j] - 2 * s) }
                                if s < top.threshold { continue }
                                if let a = allowed, !a[start + j] { continue }
                                top.push(s, ids[start + j])
                            }
                            tp[qi] = top
                        }
                    }
                }
            }
            start += nb
        }
        return tops.map { $0.sortedHits() }
    }

    public func save(to url: URL) throws {
        var w = BinaryWriter()
        store.encode(&w)
        rows.encode(&w)
        try VectorIndexFile.write(kind: .flat, dimension: dimension, metric: metric, payload: w.bytes, to: url)
    }

    /// Loads a flat index saved with `save(to:)`.
    public static func load(from url: URL) throws -> FlatIndex { try VectorIndexFile.load(FlatIndex.self, from: url) }

    init(decoding r: inout BinaryReader, dimension: Int, metric: DistanceMetric) throws {
        self.dimension = dimension
        self.metric = metric
        store = try VectorStore.decode(&r, dimension: dimension, metric: metric)
        rows = try FloatRows.decode(&r, dimension: dimension)
        guard rows.count == store.slotCount, store.liveCount == store.slotCount else {
            throw RetrievalError.corruptFile(path: r.path, reason: "flat index has \(rows.count) vectors for \(store.slotCount) ids")
        }
        if metric == .l2 { sqNorms = (0..<rows.count).map { sl_vec_dot_f32(rows.row($0), rows.row($0), dimension) } }
    }
}

import CSwiftLearnKernels
import Dispatch
import Foundation

/// Inverted-file index with exact distances inside the visited lists, like faiss's
/// `IndexIVFFlat`: k-means splits the space into `nlist` cells; a query scans only the vectors
/// of its `nprobe` nearest cells. Cost per query ≈ nlist + n·nprobe/nlist distance evaluations;
/// recall grows with nprobe (nprobe = nlist is exact search).
///
/// Call ``train(_:)`` on representative vectors (at least nlist of them) before ``add(_:ids:)``.
public final class IVFFlatIndex: VectorIndex {
    public let dimension: Int
    public let metric: DistanceMetric
    public var kind: String { "ivf" }
    /// Number of inverted lists (k-means cells).
    public var nlist: Int { quantizer.nlist }
    /// Lists visited per query (default 1, as in faiss).
    public var nprobe: Int
    /// Threads used by batch search (0 = all logical CPUs).
    public var searchThreads = 0
    /// Seed of the k-means sampling.
    public let seed: UInt64

    var quantizer: CoarseQuantizer
    let store: VectorStore
    let rows: FloatRows
    /// Slots of each list.
    var lists: [[Int32]]
    /// List of each slot (−1 once removed).
    var listOf: [Int32] = []

    /// An untrained index. `nlist` ≥ 1, `nprobe` ≥ 1.
    public init(dimension: Int, metric: DistanceMetric = .l2, nlist: Int = 100, nprobe: Int = 1, seed: UInt64 = 1234) throws {
        try RetrievalLimits.check(dimension, in: RetrievalLimits.dimensions, "dimension")
        try RetrievalLimits.check(nlist, in: RetrievalLimits.cells, "nlist")
        try RetrievalLimits.check(nprobe, in: RetrievalLimits.cells, "nprobe")
        self.dimension = dimension
        self.metric = metric
        self.nprobe = nprobe
        self.seed = seed
        quantizer = CoarseQuantizer(dimension: dimension, nlist: nlist, metric: metric)
        store = VectorStore(dimension: dimension, metric: metric)
        rows = FloatRows(dimension: dimension)
        lists = Array(repeating: [], count: nlist)
    }

    /// Whether ``train(_:)`` has run.
    public var isTrained: Bool { quantizer.isTrained }
    public var count: Int { store.liveCount }
    public var ids: [Int64] { store.ids.indices.filter { store.live[$0] }.map { store.ids[$0] } }
    public func contains(_ id: Int64) -> Bool { store.slotOf[id] != nil }
    public func vector(for id: Int64) throws -> [Float] { rows.array(Int(try store.slot(of: id))) }
    public func setMetadata(_ metadata: Metadata, for id: Int64) throws { _ = try store.slot(of: id); store.metadata[id] = metadata }
    public func metadata(for id: Int64) -> Metadata? { store.metadata[id] }

    /// Trains the coarse quantizer on `vectors` (n × dimension, n ≥ nlist).
    public func train(_ vectors: [Float]) throws {
        let x = try store.prepareQueries(vectors, what: "training vectors")
        try x.withUnsafeBufferPointer { try quantizer.train($0.baseAddress!, n: x.count / dimension, seed: seed) }
    }

    public func add(_ vectors: [Float], ids: [Int64]) throws {
        guard isTrained else { throw RetrievalError.notTrained("IVFFlatIndex: call train(_:) before add") }
        let x = try store.prepare(vectors, ids: ids)
        let assignment = x.withUnsafeBufferPointer { quantizer.assign($0.baseAddress!, n: ids.count) }
        rows.reserve(rows.count + ids.count)
        x.withUnsafeBufferPointer { p in
            for (i, id) in ids.enumerated() {
                let slot = store.allocate(id)
                rows.append(p.baseAddress! + i * dimension)
                listOf.append(assignment[i])
                lists[Int(assignment[i])].append(slot)
            }
        }
    }

    private func unlink(_ slot: Int32) {
        let l = Int(listOf[Int(slot)])
        if let pos = lists[l].firstIndex(of: slot) { lists[l].swapAt(pos, lists[l].count - 1); lists[l].removeLast() }
        listOf[Int(slot)] = -1
    }

    public func remove(ids: [Int64]) throws {
        try store.checkKnown(ids)
        for id in ids { unlink(try store.kill(id)) }
    }

    public func update(_ vectors: [Float], ids: [Int64]) throws {
        let x = try store.prepare(vectors, ids: ids, allowExisting: true)
        let assignment = x.withUnsafeBufferPointer { quantizer.assign($0.baseAddress!, n: ids.count) }
        x.withUnsafeBufferPointer { p in
            for (i, id) in ids.enumerated() {
                let slot = store.slotOf[id]!
                unlink(slot)
                rows.set(Int(slot), p.baseAddress! + i * dimension)
                listOf[Int(slot)] = assignment[i]
                lists[Int(assignment[i])].append(slot)
            }
        }
    }

    public func search(batch queries: [Float], k: Int, filter: VectorFilter? = nil) throws -> [[SearchHit]] {
        let k = try store.effectiveK(k)
        let q = try store.prepareQueries(queries)
        // nprobe is settable between searches: checked at query time exactly as at build time.
        try RetrievalLimits.check(nprobe, in: RetrievalLimits.cells, "nprobe")
        guard isTrained else { throw RetrievalError.notTrained("IVFFlatIndex: call train(_:) before search") }
        let nq = q.count / dimension
        let pred = store.slotPredicate(filter)
        let probes = q.withUnsafeBufferPointer { quantizer.probeBatch($0.baseAddress!, nq: nq, nprobe: Swift.min(nprobe, nlist)) }
        return parallelQueries(nq, threads: searchThreads) { i in
            q.withUnsafeBufferPointer { self.searchOne($0.baseAddress! + i * self.dimension, probes: probes[i], k: k, allowed: pred) }
        }
    }

    private func searchOne(_ q: UnsafePointer<Float>, probes: [(list: Int, dot: Float)], k: Int,
                           allowed: ((Int32) -> Bool)?) -> [SearchHit] {
        var top = TopK(k: k)
        var dist: [Float] = []
        for (l, _) in probes {
            let slots = lists[l]
            if slots.isEmpty { continue }
            if dist.count < slots.count { dist = [Float](repeating: 0, count: slots.count) }
            dist.withUnsafeMutableBufferPointer { dp in
                slots.withUnsafeBufferPointer { sp in
                    if metric == .l2 {
                        sl_vec_l2sq_rows_f32(q, rows.base, sp.baseAddress!, slots.count, dimension, dp.baseAddress!)
                    } else {
                        sl_vec_dot_rows_f32(q, rows.base, sp.baseAddress!, slots.count, dimension, dp.baseAddress!)
                    }
                }
                for j in 0..<slots.count {
                    let s = metric == .l2 ? -dp[j] : dp[j]
                    if s < top.threshold { continue }
                    if let a = allowed, !a(slots[j]) { continue }
                    top.push(s, store.ids[Int(slots[j])])
                }
            }
        }
        return top.sortedHits()
    }

    public func save(to url: URL) throws {
        var w = BinaryWriter()
        w.int(nprobe); w.u64(seed)
        quantizer.encode(&w)
        store.encode(&w)
        rows.encode(&w)
        w.array(listOf)
        try VectorIndexFile.write(kind: .ivfFlat, dimension: dimension, metric: metric, payload: w.bytes, to: url)
    }

    /// Loads an IVF-Flat index saved with `save(to:)`.
    public static func load(from url: URL) throws -> IVFFlatIndex { try VectorIndexFile.load(IVFFlatIndex.self, from: url) }

    init(decoding r: inout BinaryReader, dimension: Int, metric: DistanceMetric) throws {
        self.dimension = dimension
        self.metric = metric
        nprobe = try r.int(in: RetrievalLimits.cells, "nprobe")
        seed = try r.u64()
        quantizer = try CoarseQuantizer.decode(&r, dimension: dimension, metric: metric)
        store = try VectorStore.decode(&r, dimension: dimension, metric: metric)
        rows = try FloatRows.decode(&r, dimension: dimension)
        listOf = try r.array(Int32.self)
        guard rows.count == store.slotCount, listOf.count == rows.count else {
            throw RetrievalError.corruptFile(path: r.path, reason: "IVF tables disagree")
        }
        lists = Array(repeating: [], count: quantizer.nlist)
        for (slot, l) in listOf.enumerated() where l >= 0 {
            guard Int(l) < quantizer.nlist, store.live[slot] else { throw RetrievalError.corruptFile(path: r.path, reason: "IVF list id out of range") }
            lists[Int(l)].append(Int32(slot))
        }
    }
}

/// Runs `body` for queries 0..<n on `threads` threads (0 = all CPUs) and collects the results.
func parallelQueries(_ n: Int, threads: Int, _ body: (Int) -> [SearchHit]) -> [[SearchHit]] {
    var out = [[SearchHit]](repeating: [], count: n)
    let t = max(1, min(threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount, n))
    out.withUnsafeMutableBufferPointer { op in
        let op = op
        if t == 1 {
            for i in 0..<n { op[i] = body(i) }
        } else {
            DispatchQueue.concurrentPerform(iterations: t) { w in
                for i in stride(from: w, to: n, by: t) { op[i] = body(i) }
            }
        }
    }
    return out
}

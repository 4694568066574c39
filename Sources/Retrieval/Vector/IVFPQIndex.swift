import CSwiftLearnKernels
import Foundation

/// Inverted file with product-quantized vectors, like faiss's `IndexIVFPQ`: a coarse k-means
/// quantizer (`nlist` cells, `nprobe` visited per query) and a ``ProductQuantizer`` of `m` bytes
/// per vector. With `byResidual` (the default, as in faiss) the PQ encodes x − c(x), the offset
/// from the vector's cell centroid, which is much more accurate than encoding x.
///
/// Search per probed cell c (ADC): for L2, a table of ‖(q − c)_s − p_{s,j}‖² and the distance is
/// the sum of m lookups; for inner product, q·c + Σ q_s·p_{s,j(x)} (the table is shared by all
/// cells). Only codes are kept (m bytes per vector), so ``vector(for:)`` returns the
/// reconstruction c + decode(code) and scores are approximate.
public final class IVFPQIndex: VectorIndex {
    public let dimension: Int
    public let metric: DistanceMetric
    public var kind: String { "ivfpq" }
    /// Number of inverted lists.
    public var nlist: Int { quantizer.nlist }
    /// Lists visited per query (default 1).
    public var nprobe: Int
    /// Whether the PQ encodes residuals from the cell centroid.
    public let byResidual: Bool
    /// Threads used by batch search (0 = all logical CPUs).
    public var searchThreads = 0
    /// Seed of the k-means sampling.
    public let seed: UInt64
    /// The product quantizer (trained by ``train(_:)``).
    public private(set) var pq: ProductQuantizer

    var quantizer: CoarseQuantizer
    let store: VectorStore
    /// Per list: slots and their codes (m bytes each).
    var listSlots: [[Int32]]
    var listCodes: [[UInt8]]
    /// List of each slot (−1 once removed).
    var listOf: [Int32] = []

    /// An untrained index: `m` sub-quantizers of 8 bits (`dimension % m == 0`).
    public init(dimension: Int, metric: DistanceMetric = .l2, nlist: Int = 100, m: Int = 8, nprobe: Int = 1,
                byResidual: Bool = true, seed: UInt64 = 1234) throws {
        try RetrievalLimits.check(dimension, in: RetrievalLimits.dimensions, "dimension")
        try RetrievalLimits.check(nlist, in: RetrievalLimits.cells, "nlist")
        try RetrievalLimits.check(nprobe, in: RetrievalLimits.cells, "nprobe")
        self.dimension = dimension
        self.metric = metric
        self.nprobe = nprobe
        self.byResidual = byResidual
        self.seed = seed
        pq = try ProductQuantizer(dimension: dimension, m: m)
        quantizer = CoarseQuantizer(dimension: dimension, nlist: nlist, metric: metric)
        store = VectorStore(dimension: dimension, metric: metric)
        listSlots = Array(repeating: [], count: nlist)
        listCodes = Array(repeating: [], count: nlist)
    }

    /// Whether ``train(_:)`` has run.
    public var isTrained: Bool { quantizer.isTrained && pq.isTrained }
    public var count: Int { store.liveCount }
    public var ids: [Int64] { store.ids.indices.filter { store.live[$0] }.map { store.ids[$0] } }
    public func contains(_ id: Int64) -> Bool { store.slotOf[id] != nil }
    public func setMetadata(_ metadata: Metadata, for id: Int64) throws { _ = try store.slot(of: id); store.metadata[id] = metadata }
    public func metadata(for id: Int64) -> Metadata? { store.metadata[id] }

    /// The reconstruction of `id`'s vector (centroid + decoded residual).
    public func vector(for id: Int64) throws -> [Float] {
        let slot = try store.slot(of: id)
        let l = Int(listOf[Int(slot)])
        let pos = listSlots[l].firstIndex(of: slot)!
        var v = pq.decode(listCodes[l][(pos * pq.m)..<((pos + 1) * pq.m)])
        if byResidual { for j in 0..<dimension { v[j] += quantizer.centroids[l * dimension + j] } }
        return v
    }

    /// Trains the coarse quantizer, then the PQ on the (residual) training vectors (n ≥ max(nlist, 256)).
    public func train(_ vectors: [Float]) throws {
        var x = try store.prepareQueries(vectors, what: "training vectors")
        let n = x.count / dimension
        try x.withUnsafeBufferPointer { try quantizer.train($0.baseAddress!, n: n, seed: seed) }
        if byResidual { residualize(&x, n: n) }
        try x.withUnsafeBufferPointer { try pq.train($0.baseAddress!, n: min(n, 65_536), seed: seed) }
    }

    /// Replaces each row by its offset from its cell centroid; returns the cells.
    @discardableResult
    private func residualize(_ x: inout [Float], n: Int) -> [Int32] {
        let assignment = x.withUnsafeBufferPointer { quantizer.assign($0.baseAddress!, n: n) }
        for i in 0..<n {
            let c = Int(assignment[i]) * dimension
            for j in 0..<dimension { x[i * dimension + j] -= quantizer.centroids[c + j] }
        }
        return assignment
    }

    public func add(_ vectors: [Float], ids: [Int64]) throws {
        guard isTrained else { throw RetrievalError.notTrained("IVFPQIndex: call train(_:) before add") }
        var x = try store.prepare(vectors, ids: ids)
        let n = ids.count
        let assignment = byResidual ? residualize(&x, n: n) : x.withUnsafeBufferPointer { quantizer.assign($0.baseAddress!, n: n) }
        let codes = x.withUnsafeBufferPointer { pq.encode($0.baseAddress!, n: n) }
        for (i, id) in ids.enumerated() {
            let slot = store.allocate(id)
            let l = Int(assignment[i])
            listOf.append(Int32(l))
            listSlots[l].append(slot)
            listCodes[l].append(contentsOf: codes[(i * pq.m)..<((i + 1) * pq.m)])
        }
    }

    private func unlink(_ slot: Int32) {
        let l = Int(listOf[Int(slot)])
        guard let pos = listSlots[l].firstIndex(of: slot) else { return }
        let last = listSlots[l].count - 1
        let m = pq.m
        if pos != last {
            listSlots[l][pos] = listSlots[l][last]
            for s in 0..<m { listCodes[l][pos * m + s] = listCodes[l][last * m + s] }
        }
        listSlots[l].removeLast()
        listCodes[l].removeLast(m)
        listOf[Int(slot)] = -1
    }

    public func remove(ids: [Int64]) throws {
        try store.checkKnown(ids)
        for id in ids { unlink(try store.kill(id)) }
    }

    /// Replaces vectors: the old codes are removed and the new vectors encoded under the same ids.
    public func update(_ vectors: [Float], ids: [Int64]) throws {
        _ = try store.prepare(vectors, ids: ids, allowExisting: true)
        let saved = ids.map { store.metadata[$0] }
        try remove(ids: ids)
        try add(vectors, ids: ids)
        for (i, id) in ids.enumerated() { store.metadata[id] = saved[i] }
    }

    public func search(batch queries: [Float], k: Int, filter: VectorFilter? = nil) throws -> [[SearchHit]] {
        let k = try store.effectiveK(k)
        let q = try store.prepareQueries(queries)
        // nprobe is settable between searches: checked at query time exactly as at build time.
        try RetrievalLimits.check(nprobe, in: RetrievalLimits.cells, "nprobe")
        guard isTrained else { throw RetrievalError.notTrained("IVFPQIndex: call train(_:) before search") }
        let pred = store.slotPredicate(filter)
        let probes = q.withUnsafeBufferPointer { quantizer.probeBatch($0.baseAddress!, nq: q.count / dimension, nprobe: Swift.min(nprobe, nlist)) }
        return parallelQueries(q.count / dimension, threads: searchThreads) { i in
            q.withUnsafeBufferPointer { self.searchOne($0.baseAddress! + i * self.dimension, probes: probes[i], k: k, allowed: pred) }
        }
    }

    private func searchOne(_ q: UnsafePointer<Float>, probes: [(list: Int, dot: Float)], k: Int,
                           allowed: ((Int32) -> Bool)?) -> [SearchHit] {
        let ip = metric.usesInnerProduct
        let m = pq.m
        var table = [Float](repeating: 0, count: m * 256)
        var residual = [Float](repeating: 0, count: dimension)
        var dist: [Float] = []
        var top = TopK(k: k)
        if ip || !byResidual { table.withUnsafeMutableBufferPointer { pq.distanceTable(q, innerProduct: ip, into: $0.baseAddress!) } }
        for (l, dot) in probes {
            let slots = listSlots[l]
            if slots.isEmpty { continue }
            if !ip && byResidual {
                for j in 0..<dimension { residual[j] = q[j] - quantizer.centroids[l * dimension + j] }
                residual.withUnsafeBufferPointer { r in
                    table.withUnsafeMutableBufferPointer { pq.distanceTable(r.baseAddress!, innerProduct: false, into: $0.baseAddress!) }
                }
            }
            if dist.count < slots.count { dist = [Float](repeating: 0, count: slots.count) }
            let offset: Float = ip && byResidual ? -dot : 0
            table.withUnsafeBufferPointer { t in
                listCodes[l].withUnsafeBufferPointer { c in
                    dist.withUnsafeMutableBufferPointer { sl_pq_adc_u8(t.baseAddress!, 256, c.baseAddress!, slots.count, m, $0.baseAddress!) }
                }
            }
            for j in 0..<slots.count {
                let s = -(dist[j] + offset)
                if s < top.threshold { continue }
                if let a = allowed, !a(slots[j]) { continue }
                top.push(s, store.ids[Int(slots[j])])
            }
        }
        return top.sortedHits()
    }

    public func save(to url: URL) throws {
        var w = BinaryWriter()
        w.int(nprobe); w.u64(seed); w.u8(byResidual ? 1 : 0)
        quantizer.encode(&w)
        pq.encode(&w)
        store.encode(&w)
        w.array(listOf)
        for l in 0..<nlist {
            w.array(listSlots[l])
            w.array(listCodes[l])
        }
        try VectorIndexFile.write(kind: .ivfPQ, dimension: dimension, metric: metric, payload: w.bytes, to: url)
    }

    /// Loads an IVF-PQ index saved with `save(to:)`.
    public static func load(from url: URL) throws -> IVFPQIndex { try VectorIndexFile.load(IVFPQIndex.self, from: url) }

    init(decoding r: inout BinaryReader, dimension: Int, metric: DistanceMetric) throws {
        func bad(_ why: String) -> RetrievalError { .corruptFile(path: r.path, reason: "IVF-PQ: \(why)") }
        self.dimension = dimension
        self.metric = metric
        nprobe = try r.int(in: RetrievalLimits.cells, "nprobe")
        seed = try r.u64()
        byResidual = try r.u8() != 0
        quantizer = try CoarseQuantizer.decode(&r, dimension: dimension, metric: metric)
        pq = try ProductQuantizer.decode(&r, dimension: dimension)
        store = try VectorStore.decode(&r, dimension: dimension, metric: metric)
        listOf = try r.array(Int32.self)
        guard listOf.count == store.slotCount else { throw bad("list table size") }
        listSlots = []
        listCodes = []
        for _ in 0..<quantizer.nlist {
            let s = try r.array(Int32.self)
            let c = try r.array(UInt8.self)
            guard c.count == s.count * pq.m else { throw bad("code block size") }
            for slot in s where slot < 0 || Int(slot) >= listOf.count { throw bad("slot out of range") }
            listSlots.append(s)
            listCodes.append(c)
        }
    }
}

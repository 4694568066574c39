import CSwiftLearnKernels
import Dispatch
import Foundation
import SwiftLearnCore

/// Hierarchical Navigable Small World graph (Malkov & Yashunin, 2018), like hnswlib and faiss's
/// `IndexHNSWFlat`: approximate nearest neighbours in roughly O(log n) distance evaluations.
///
/// Each vector gets a level ℓ = ⌊−ln(U) · mL⌋ with mL = 1/ln M (U uniform in (0,1]); it appears
/// in layers 0…ℓ. Insertion descends greedily from the top layer to ℓ + 1, then on each layer
/// ℓ…0 runs a beam search of width `efConstruction` and links the new node to at most M
/// neighbours picked by the paper's *heuristic* (Algorithm 4: a candidate is kept only if it is
/// closer to the new node than to every neighbour already kept, which spreads the links over
/// directions). Links are made both ways; a neighbour whose list overflows (M on upper layers,
/// 2M on layer 0) is pruned with the same heuristic. Search descends greedily to layer 1 and
/// runs a beam of width max(efSearch, k) on layer 0.
///
/// Removal marks a tombstone: the node still routes searches but never appears in results (as
/// hnswlib's `markDelete`); `update` removes the old node and inserts the new vector under the
/// same id. Defaults follow faiss: M = 32, efConstruction = 40, efSearch = 16.
public final class HNSWIndex: VectorIndex {
    public let dimension: Int
    public let metric: DistanceMetric
    public var kind: String { "hnsw" }
    /// Links per node on the upper layers (2M on layer 0).
    public let m: Int
    /// Beam width while inserting.
    public let efConstruction: Int
    /// Beam width while searching (raised to k when smaller).
    public var efSearch: Int
    /// Threads used by batch search (0 = all logical CPUs, 1 = the calling thread only).
    public var searchThreads = 0

    let store: VectorStore
    let rows: FloatRows
    let maxM0: Int
    let levelMultiplier: Double
    private var rng: SplitMix64
    private var levels: [Int8] = []
    /// Layer-0 links: per node `maxM0 + 1` ints (count, then neighbours).
    private var links0: Int32Buffer
    /// Upper-layer links: node → offset of its layer-1 block in `upperLinks` (−1 if level 0);
    /// each layer is `m + 1` ints.
    private var upperOffset: [Int] = []
    private var upperLinks = Int32Buffer()
    private(set) var entryPoint: Int32 = -1
    private(set) var maxLevel = -1
    private let visitedPool = VisitedPool()

    /// An empty graph. `m` ≥ 2, `efConstruction` ≥ 1, `efSearch` ≥ 1; `seed` fixes the levels.
    public init(dimension: Int, metric: DistanceMetric = .l2, m: Int = 32, efConstruction: Int = 40,
                efSearch: Int = 16, seed: UInt64 = 42) throws {
        try RetrievalLimits.check(dimension, in: RetrievalLimits.dimensions, "dimension")
        try RetrievalLimits.check(m, in: 2...2048, "M")
        try RetrievalLimits.check(efConstruction, in: RetrievalLimits.beamWidth, "ef_construction")
        try RetrievalLimits.check(efSearch, in: RetrievalLimits.beamWidth, "ef_search")
        self.dimension = dimension
        self.metric = metric
        self.m = m
        self.efConstruction = efConstruction
        self.efSearch = efSearch
        maxM0 = 2 * m
        levelMultiplier = 1 / log(Double(m))
        rng = SplitMix64(seed: seed)
        store = VectorStore(dimension: dimension, metric: metric)
        rows = FloatRows(dimension: dimension)
        links0 = Int32Buffer()
    }

    public var count: Int { store.liveCount }

    /// `efSearch` is settable between searches: checked at query time exactly as at build time.
    private func checkSearchParameters() throws {
        try RetrievalLimits.check(efSearch, in: RetrievalLimits.beamWidth, "ef_search")
    }
    public var ids: [Int64] { store.ids.indices.filter { store.live[$0] }.map { store.ids[$0] } }
    public func contains(_ id: Int64) -> Bool { store.slotOf[id] != nil }
    public func vector(for id: Int64) throws -> [Float] { rows.array(Int(try store.slot(of: id))) }
    public func setMetadata(_ metadata: Metadata, for id: Int64) throws { _ = try store.slot(of: id); store.metadata[id] = metadata }
    public func metadata(for id: Int64) -> Metadata? { store.metadata[id] }

    // MARK: Distances (lower is closer inside the graph)

    @inline(__always) private func distance(_ q: UnsafePointer<Float>, _ node: Int32) -> Float {
        metric == .l2 ? sl_vec_l2sq_f32(q, rows.row(Int(node)), dimension) : -sl_vec_dot_f32(q, rows.row(Int(node)), dimension)
    }

    @inline(__always) private func score(_ d: Float) -> Double { Double(-d) }

    @inline(__always) private func links(_ node: Int32, _ level: Int) -> UnsafeMutablePointer<Int32> {
        level == 0 ? links0.base + Int(node) * (maxM0 + 1) : upperLinks.base + upperOffset[Int(node)] + (level - 1) * (m + 1)
    }

    // MARK: Insertion

    public func add(_ vectors: [Float], ids: [Int64]) throws {
        let prepared = try store.prepare(vectors, ids: ids)
        rows.reserve(rows.count + ids.count)
        prepared.withUnsafeBufferPointer { p in
            for (i, id) in ids.enumerated() { insert(p.baseAddress! + i * dimension, id: id) }
        }
    }

    private func insert(_ v: UnsafePointer<Float>, id: Int64) {
        let node = store.allocate(id)
        rows.append(v)
        let q = UnsafePointer(rows.row(Int(node)))
        let level = min(Int(-log(max(rng.uniform(), 1e-300)) * levelMultiplier), 64)
        levels.append(Int8(level))
        _ = links0.append(repeating: 0, count: maxM0 + 1)
        upperOffset.append(level > 0 ? upperLinks.append(repeating: 0, count: level * (m + 1)) : -1)
        guard entryPoint >= 0 else {
            entryPoint = node
            maxLevel = level
            return
        }
        var cur = entryPoint
        var curDist = distance(q, cur)
        if maxLevel > level {
            for l in stride(from: maxLevel, to: level, by: -1) { greedy(q, &cur, &curDist, level: l) }
        }
        var entries = [(curDist, cur)]
        let visited = visitedPool.take(count: rows.count)
        defer { visitedPool.give(visited) }
        for l in stride(from: min(level, maxLevel), through: 0, by: -1) {
            let found = searchLayer(q, entries: entries, ef: efConstruction, level: l, visited: visited, allowed: nil)
            let candidates = found.sortedAscending()
            let chosen = selectNeighbors(candidates, max: m)
            let own = links(node, l)
            own[0] = Int32(chosen.count)
            for (j, c) in chosen.enumerated() { own[j + 1] = c.1 }
            for c in chosen { connect(c.1, to: node, distance: c.0, level: l) }
            entries = candidates
        }
        if level > maxLevel {
            maxLevel = level
            entryPoint = node
        }
    }

    /// Greedy walk on one layer: move to the closest neighbour until none is closer.
    private func greedy(_ q: UnsafePointer<Float>, _ cur: inout Int32, _ curDist: inout Float, level: Int) {
        var changed = true
        while changed {
            changed = false
            let l = links(cur, level)
            for j in 0..<Int(l[0]) {
                let n = l[j + 1]
                let d = distance(q, n)
                if d < curDist { curDist = d; cur = n; changed = true }
            }
        }
    }

    /// Beam search on one layer (Algorithm 2); returns up to `ef` nearest allowed nodes in a
    /// max-heap. Disallowed nodes still route the search.
    private func searchLayer(_ q: UnsafePointer<Float>, entries: [(Float, Int32)], ef: Int, level: Int,
                             visited: VisitedList, allowed: ((Int32) -> Bool)?) -> DistanceHeap {
        visited.reset(count: rows.count)
        let epoch = visited.epoch
        // A beam wider than the graph finds nothing more: size the heaps by what exists.
        let ef = Swift.max(1, Swift.min(ef, rows.count))
        var candidates = DistanceHeap(isMax: false, capacity: ef * 4)
        var results = DistanceHeap(isMax: true, capacity: ef)
        for (d, n) in entries where visited.tags[Int(n)] != epoch {
            visited.tags[Int(n)] = epoch
            candidates.push(d, n)
            if allowed?(n) ?? true {
                results.push(d, n)
                if results.count > ef { results.pop() }
            }
        }
        let cap = level == 0 ? maxM0 : m
        var batch = [Int32](repeating: 0, count: cap)
        var dists = [Float](repeating: 0, count: cap)
        let l2 = metric == .l2
        visited.tags.withUnsafeMutableBufferPointer { tags in
            batch.withUnsafeMutableBufferPointer { bp in
                dists.withUnsafeMutableBufferPointer { dp in
                    while !candidates.isEmpty {
                        let cd = candidates.topDistance
                        if results.count >= ef && cd > results.topDistance { break }
                        let c = candidates.topNode
                        candidates.pop()
                        let l = links(c, level)
                        var nb = 0
                        for j in 0..<Int(l[0]) {
                            let n = l[j + 1]
                            if tags[Int(n)] != epoch {
                                tags[Int(n)] = epoch
                                bp[nb] = n
                                nb += 1
                            }
                        }
                        if nb == 0 { continue }
                        if l2 {
                            sl_vec_l2sq_rows_f32(q, rows.base, bp.baseAddress!, nb, dimension, dp.baseAddress!)
                        } else {
                            sl_vec_dot_rows_f32(q, rows.base, bp.baseAddress!, nb, dimension, dp.baseAddress!)
                            for j in 0..<nb { dp[j] = -dp[j] }
                        }
                        for j in 0..<nb {
                            let d = dp[j]
                            if results.count < ef || d < results.topDistance {
                                candidates.push(d, bp[j])
                                if allowed?(bp[j]) ?? true {
                                    results.push(d, bp[j])
                                    if results.count > ef { results.pop() }
                                }
                            }
                        }
                    }
                }
            }
        }
        return results
    }

    /// The paper's heuristic (Algorithm 4) over candidates sorted by ascending distance to the
    /// base point: keep a candidate only if it is closer to the base than to every kept one.
    private func selectNeighbors(_ candidates: [(Float, Int32)], max count: Int) -> [(Float, Int32)] {
        if candidates.count <= count { return candidates }
        var kept: [(Float, Int32)] = []
        kept.reserveCapacity(count)
        for c in candidates {
            let cv = UnsafePointer(rows.row(Int(c.1)))
            var good = true
            for k in kept where distance(cv, k.1) < c.0 {
                good = false
                break
            }
            if good {
                kept.append(c)
                if kept.count >= count { break }
            }
        }
        return kept
    }

    /// Adds the reverse link `node → newNode`, pruning `node`'s list with the heuristic when full.
    private func connect(_ node: Int32, to newNode: Int32, distance d: Float, level: Int) {
        let cap = level == 0 ? maxM0 : m
        let l = links(node, level)
        let n = Int(l[0])
        if n < cap {
            l[n + 1] = newNode
            l[0] = Int32(n + 1)
            return
        }
        let base = UnsafePointer(rows.row(Int(node)))
        var candidates: [(Float, Int32)] = [(d, newNode)]
        for j in 0..<n { candidates.append((distance(base, l[j + 1]), l[j + 1])) }
        candidates.sort { $0.0 < $1.0 }
        let kept = selectNeighbors(candidates, max: cap)
        l[0] = Int32(kept.count)
        for (j, k) in kept.enumerated() { l[j + 1] = k.1 }
    }

    // MARK: Removal and update

    public func remove(ids: [Int64]) throws {
        try store.checkKnown(ids)
        for id in ids { try store.kill(id) }
    }

    public func update(_ vectors: [Float], ids: [Int64]) throws {
        let prepared = try store.prepare(vectors, ids: ids, allowExisting: true)
        let saved = ids.map { store.metadata[$0] }
        for id in ids { try store.kill(id) }
        prepared.withUnsafeBufferPointer { p in
            for (i, id) in ids.enumerated() {
                insert(p.baseAddress! + i * dimension, id: id)
                store.metadata[id] = saved[i]
            }
        }
    }

    // MARK: Search

    public func search(_ query: [Float], k: Int, filter: VectorFilter? = nil) throws -> [SearchHit] {
        guard query.count == dimension || query.isEmpty else { throw RetrievalError.dimensionMismatch(expected: dimension, got: query.count) }
        let k = try store.effectiveK(k)
        try checkSearchParameters()
        let q = try store.prepareQueries(query)
        guard q.count == dimension else { throw RetrievalError.dimensionMismatch(expected: dimension, got: q.count) }
        return q.withUnsafeBufferPointer { searchOne($0.baseAddress!, k: k, allowed: allowedPredicate(filter)) }
    }

    public func search(batch queries: [Float], k: Int, filter: VectorFilter? = nil) throws -> [[SearchHit]] {
        let k = try store.effectiveK(k)
        try checkSearchParameters()
        let q = try store.prepareQueries(queries)
        let nq = q.count / dimension
        let allowed = allowedPredicate(filter)
        var out = [[SearchHit]](repeating: [], count: nq)
        let threads = max(1, min(searchThreads > 0 ? searchThreads : ProcessInfo.processInfo.activeProcessorCount, nq))
        q.withUnsafeBufferPointer { qp in
            out.withUnsafeMutableBufferPointer { op in
                let op = op
                if threads == 1 {
                    for i in 0..<nq { op[i] = searchOne(qp.baseAddress! + i * dimension, k: k, allowed: allowed) }
                } else {
                    DispatchQueue.concurrentPerform(iterations: threads) { t in
                        for i in stride(from: t, to: nq, by: threads) {
                            op[i] = searchOne(qp.baseAddress! + i * dimension, k: k, allowed: allowed)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Live nodes that pass the filter (nil when every live node passes).
    private func allowedPredicate(_ filter: VectorFilter?) -> ((Int32) -> Bool)? {
        let live = store.live
        let hasDeleted = store.liveCount != store.slotCount
        if let p = store.slotPredicate(filter) { return { live[Int($0)] && p($0) } }
        return hasDeleted ? { live[Int($0)] } : nil
    }

    private func searchOne(_ q: UnsafePointer<Float>, k: Int, allowed: ((Int32) -> Bool)?) -> [SearchHit] {
        guard entryPoint >= 0, store.liveCount > 0 else { return [] }
        var cur = entryPoint
        var curDist = distance(q, cur)
        if maxLevel > 0 {
            for l in stride(from: maxLevel, to: 0, by: -1) { greedy(q, &cur, &curDist, level: l) }
        }
        let visited = visitedPool.take(count: rows.count)
        defer { visitedPool.give(visited) }
        let found = searchLayer(q, entries: [(curDist, cur)], ef: max(efSearch, k), level: 0, visited: visited, allowed: allowed)
        return found.sortedAscending().prefix(k).map { SearchHit(id: store.ids[Int($0.1)], score: score($0.0)) }
    }

    // MARK: Persistence

    public func save(to url: URL) throws {
        var w = BinaryWriter()
        w.int(m); w.int(efConstruction); w.int(efSearch)
        w.u64(rng.state)
        w.int(Int(entryPoint)); w.int(maxLevel)
        store.encode(&w)
        rows.encode(&w)
        w.array(levels)
        w.array(UnsafeBufferPointer(start: links0.base, count: links0.count))
        w.array(upperOffset)
        w.array(UnsafeBufferPointer(start: upperLinks.base, count: upperLinks.count))
        try VectorIndexFile.write(kind: .hnsw, dimension: dimension, metric: metric, payload: w.bytes, to: url)
    }

    /// Loads an HNSW index saved with `save(to:)`.
    public static func load(from url: URL) throws -> HNSWIndex { try VectorIndexFile.load(HNSWIndex.self, from: url) }

    init(decoding r: inout BinaryReader, dimension: Int, metric: DistanceMetric) throws {
        let path = r.path
        func bad(_ why: String) -> RetrievalError { .corruptFile(path: path, reason: "HNSW: \(why)") }
        self.dimension = dimension
        self.metric = metric
        m = try r.int(in: 2...2048, "M")
        efConstruction = try r.int(in: RetrievalLimits.beamWidth, "ef_construction")
        efSearch = try r.int(in: RetrievalLimits.beamWidth, "ef_search")
        maxM0 = 2 * m
        levelMultiplier = 1 / log(Double(m))
        rng = SplitMix64(seed: try r.u64())
        let ep = try r.int(in: -1...Int(Int32.max), "entry point")
        maxLevel = try r.int(in: -1...64, "max level")
        store = try VectorStore.decode(&r, dimension: dimension, metric: metric)
        rows = try FloatRows.decode(&r, dimension: dimension)
        levels = try r.array(Int8.self)
        let l0 = try r.array(Int32.self)
        upperOffset = try r.array(Int.self)
        let up = try r.array(Int32.self)
        let n = rows.count
        guard store.slotCount == n, levels.count == n, upperOffset.count == n, l0.count == n * (maxM0 + 1), ep < n,
              (ep < 0) == (n == 0) else { throw bad("table sizes disagree") }
        // Validate every link so a damaged file cannot send a search out of bounds.
        for node in 0..<n {
            let lv = Int(levels[node])
            guard lv >= 0, lv <= maxLevel else { throw bad("node \(node) has level \(lv)") }
            let c0 = Int(l0[node * (maxM0 + 1)])
            guard c0 >= 0, c0 <= maxM0 else { throw bad("node \(node) has \(c0) links") }
            for j in 0..<c0 where l0[node * (maxM0 + 1) + 1 + j] < 0 || Int(l0[node * (maxM0 + 1) + 1 + j]) >= n { throw bad("link out of range") }
            if lv > 0 {
                let o = upperOffset[node]
                guard o >= 0, o + lv * (m + 1) <= up.count else { throw bad("node \(node) upper links out of range") }
                for l in 0..<lv {
                    let b = o + l * (m + 1)
                    let c = Int(up[b])
                    guard c >= 0, c <= m else { throw bad("node \(node) has \(c) links on layer \(l + 1)") }
                    for j in 0..<c {
                        let t = Int(up[b + 1 + j])
                        guard t >= 0, t < n, Int(levels[t]) > l else { throw bad("upper link out of range") }
                    }
                }
            }
        }
        if ep >= 0 && Int(levels[ep]) != maxLevel { throw bad("entry point is not on the top layer") }
        entryPoint = Int32(ep)
        links0 = Int32Buffer(l0)
        upperLinks = Int32Buffer(up)
    }
}

import CSwiftLearnKernels
import Foundation

/// The id bookkeeping shared by every vector index: the external Int64 id of each internal slot,
/// which slots are live, the slot of each id, and per-id metadata.
final class VectorStore {
    let dimension: Int
    let metric: DistanceMetric
    /// External id of each slot.
    private(set) var ids: [Int64] = []
    /// Whether each slot is live (false after `remove`: a tombstone).
    private(set) var live: [Bool] = []
    private(set) var slotOf: [Int64: Int32] = [:]
    var metadata: [Int64: Metadata] = [:]

    init(dimension: Int, metric: DistanceMetric) {
        self.dimension = dimension
        self.metric = metric
    }

    var liveCount: Int { slotOf.count }
    var slotCount: Int { ids.count }

    /// Checks vectors (count, finiteness) and ids (no duplicates, none present); returns the rows,
    /// normalized when the metric is cosine.
    func prepare(_ vectors: [Float], ids newIDs: [Int64], allowExisting: Bool = false) throws -> [Float] {
        let rows = try prepareQueries(vectors, what: "vectors")
        guard rows.count / dimension == newIDs.count else {
            throw RetrievalError.invalidInput("\(rows.count / dimension) vectors but \(newIDs.count) ids")
        }
        var seen = Set<Int64>(minimumCapacity: newIDs.count)
        for id in newIDs {
            if !seen.insert(id).inserted { throw RetrievalError.duplicateID("\(id) appears twice in one call") }
            if allowExisting {
                if slotOf[id] == nil { throw RetrievalError.unknownID("\(id)") }
            } else if slotOf[id] != nil {
                throw RetrievalError.duplicateID("\(id) is already in the index (use update)")
            }
        }
        return rows
    }

    /// Validates a flat array of query rows: non-empty, a multiple of the dimension, finite;
    /// normalized for cosine (a zero vector throws).
    func prepareQueries(_ values: [Float], what: String = "query") throws -> [Float] {
        guard !values.isEmpty else { throw RetrievalError.emptyQuery("the \(what) has no components") }
        guard values.count % dimension == 0 else {
            throw RetrievalError.dimensionMismatch(expected: dimension, got: values.count < dimension ? values.count : values.count % dimension)
        }
        var out = values
        let d = dimension
        for r in 0..<(values.count / d) {
            for j in 0..<d where !values[r * d + j].isFinite {
                throw RetrievalError.invalidInput("\(what) row \(r) has a non-finite value at component \(j)")
            }
        }
        if metric == .cosine {
            try out.withUnsafeMutableBufferPointer { buf in
                for r in 0..<(values.count / d) {
                    let p = buf.baseAddress! + r * d
                    let norm = sl_vec_dot_f32(p, p, d).squareRoot()
                    guard norm > 0 else { throw RetrievalError.invalidInput("\(what) row \(r) is a zero vector (cosine needs a direction)") }
                    let inv = 1 / norm
                    for j in 0..<d { p[j] *= inv }
                }
            }
        }
        return out
    }

    /// Registers `id` in a new slot and returns it.
    @discardableResult
    func allocate(_ id: Int64) -> Int32 {
        let slot = Int32(ids.count)
        ids.append(id)
        live.append(true)
        slotOf[id] = slot
        return slot
    }

    /// Marks `id`'s slot dead and returns it; throws for an unknown id.
    @discardableResult
    func kill(_ id: Int64) throws -> Int32 {
        guard let slot = slotOf.removeValue(forKey: id) else { throw RetrievalError.unknownID("\(id)") }
        live[Int(slot)] = false
        metadata[id] = nil
        return slot
    }

    /// Moves slot `from` to slot `to` (for indexes that compact with swap-remove).
    func moveSlot(from: Int32, to: Int32) {
        let id = ids[Int(from)]
        ids[Int(to)] = id
        live[Int(to)] = live[Int(from)]
        if live[Int(from)] { slotOf[id] = to }
    }

    /// Drops the last slot (after `moveSlot` into the freed one).
    func dropLast() {
        ids.removeLast()
        live.removeLast()
    }

    func slot(of id: Int64) throws -> Int32 {
        guard let s = slotOf[id] else { throw RetrievalError.unknownID("\(id)") }
        return s
    }

    func checkKnown(_ ids: [Int64]) throws {
        var seen = Set<Int64>()
        for id in ids {
            guard slotOf[id] != nil else { throw RetrievalError.unknownID("\(id)") }
            guard seen.insert(id).inserted else { throw RetrievalError.duplicateID("\(id) appears twice in one call") }
        }
    }

    /// `k` checked (≥ 1) and clamped to the number of live vectors: asking for more neighbours
    /// than exist returns all of them (faiss pads the rest with -1 ids; we return fewer hits), and
    /// a huge `k` never sizes an allocation.
    func effectiveK(_ k: Int) throws -> Int {
        try require(k > 0, "k", k, "must be at least 1")
        return Swift.min(k, liveCount)
    }

    /// A slot predicate for a filter (nil = all live slots pass).
    func slotPredicate(_ filter: VectorFilter?) -> ((Int32) -> Bool)? {
        guard let filter else { return nil }
        let ids = self.ids
        switch filter {
        case .ids(let set): return { set.contains(ids[Int($0)]) }
        case .predicate(let p): return { p(ids[Int($0)]) }
        case .metadata(let f):
            let md = metadata
            return { f.matches(md[ids[Int($0)]]) }
        }
    }

    // MARK: Persistence

    func encode(_ w: inout BinaryWriter) {
        w.array(ids)
        w.array(live.map { $0 ? UInt8(1) : 0 })
        let keys = metadata.keys.sorted()
        w.int(keys.count)
        for k in keys {
            w.i64(k)
            w.string(metadataJSON(metadata[k]!))
        }
    }

    static func decode(_ r: inout BinaryReader, dimension: Int, metric: DistanceMetric) throws -> VectorStore {
        let s = VectorStore(dimension: dimension, metric: metric)
        let ids = try r.array(Int64.self)
        let live = try r.array(UInt8.self)
        guard ids.count == live.count, ids.count < Int(Int32.max) else {
            throw RetrievalError.corruptFile(path: r.path, reason: "id table sizes disagree")
        }
        s.ids = ids
        s.live = live.map { $0 != 0 }
        for (slot, id) in ids.enumerated() where s.live[slot] {
            guard s.slotOf.updateValue(Int32(slot), forKey: id) == nil else {
                throw RetrievalError.corruptFile(path: r.path, reason: "id \(id) is stored twice")
            }
        }
        let n = try r.int(in: 0...ids.count, "metadata count")
        for _ in 0..<n {
            let id = try r.i64()
            let text = try r.string()
            guard let m = try? parseMetadataJSON(text) else {
                throw RetrievalError.corruptFile(path: r.path, reason: "bad metadata for id \(id)")
            }
            s.metadata[id] = m
        }
        return s
    }
}

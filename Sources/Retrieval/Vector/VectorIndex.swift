import Foundation
import Tensors

/// The common interface of the vector indexes (``FlatIndex``, ``HNSWIndex``, ``IVFFlatIndex``,
/// ``IVFPQIndex``): float32 vectors of a fixed `dimension`, identified by Int64 ids, compared
/// under a ``DistanceMetric``; scores are higher-is-better.
///
/// Vectors are passed as flat row-major `[Float]` arrays (`n × dimension` values). Every method
/// that takes user data validates it and throws ``RetrievalError``: a dimension mismatch, an
/// empty query, an unknown or duplicate id, non-finite values. Indexes are not thread-safe for
/// writes; concurrent searches without concurrent writes are safe.
public protocol VectorIndex: AnyObject {
    /// Number of components of each vector.
    var dimension: Int { get }
    /// The metric the index ranks by.
    var metric: DistanceMetric { get }
    /// Number of live vectors.
    var count: Int { get }
    /// Short kind name: "flat", "hnsw", "ivf", "ivfpq".
    var kind: String { get }

    /// Adds vectors (`ids.count × dimension` values) under new ids.
    func add(_ vectors: [Float], ids: [Int64]) throws
    /// Removes the vectors of `ids` (each must be present).
    func remove(ids: [Int64]) throws
    /// Replaces the vectors of existing `ids`.
    func update(_ vectors: [Float], ids: [Int64]) throws
    /// Whether `id` is present.
    func contains(_ id: Int64) -> Bool
    /// The stored vector of `id` (normalized for cosine; reconstructed from codes for IVF-PQ).
    func vector(for id: Int64) throws -> [Float]
    /// The ids present, in insertion order of their current slots.
    var ids: [Int64] { get }

    /// Attaches metadata to an existing id (used by `.metadata` filters; saved with the index).
    func setMetadata(_ metadata: Metadata, for id: Int64) throws
    /// The metadata of `id`, if any was set.
    func metadata(for id: Int64) -> Metadata?

    /// The `k` best hits for one query (`dimension` values), best first; fewer when fewer
    /// vectors pass the filter.
    func search(_ query: [Float], k: Int, filter: VectorFilter?) throws -> [SearchHit]
    /// The `k` best hits for each of `queries.count / dimension` queries.
    func search(batch queries: [Float], k: Int, filter: VectorFilter?) throws -> [[SearchHit]]

    /// Writes the index to `url` (atomically) in the SwiftLearn index format.
    func save(to url: URL) throws
}

extension VectorIndex {
    /// One query through the batched search (the default for indexes whose single-query path is
    /// the batched one; HNSW has its own).
    public func search(_ query: [Float], k: Int, filter: VectorFilter?) throws -> [SearchHit] {
        guard query.count == dimension || query.isEmpty else { throw RetrievalError.dimensionMismatch(expected: dimension, got: query.count) }
        return try search(batch: query, k: k, filter: filter)[0]
    }

    /// `search(query, k: k, filter: nil)`.
    public func search(_ query: [Float], k: Int) throws -> [SearchHit] { try search(query, k: k, filter: nil) }

    /// `search(batch: queries, k: k, filter: nil)`.
    public func search(batch queries: [Float], k: Int) throws -> [[SearchHit]] { try search(batch: queries, k: k, filter: nil) }

    /// Adds rows given as arrays of arrays.
    public func add(rows: [[Float]], ids: [Int64]) throws {
        for r in rows where r.count != dimension { throw RetrievalError.dimensionMismatch(expected: dimension, got: r.count) }
        try add(rows.flatMap { $0 }, ids: ids)
    }

    /// Adds the rows of a 2-D float32/float64 .npy file under ids `firstID ..< firstID + n`.
    public func add(npy url: URL, firstID: Int64 = 0) throws {
        let (values, n) = try readVectors(npy: url, dimension: dimension)
        try add(values, ids: (0..<Int64(n)).map { firstID + $0 })
    }
}

/// Reads a 2-D .npy array (float32 or float64, C order) as flat float32 rows; checks the width
/// when `dimension` is given. Returns the values and the row count.
public func readVectors(npy url: URL, dimension: Int? = nil) throws -> (values: [Float], rows: Int) {
    let payload: ArrayPayload
    do { payload = try NPY.read(contentsOf: url) } catch {
        throw RetrievalError.io("cannot read vectors from \(url.path): \(error)")
    }
    guard payload.shape.count == 2 else {
        throw RetrievalError.invalidInput("\(url.path) holds an array of shape \(payload.shape); expected [n, dimension]")
    }
    guard RetrievalLimits.dimensions.contains(payload.shape[1]) else {
        throw RetrievalError.invalidInput("\(url.path) holds vectors of dimension \(payload.shape[1]); expected \(RetrievalLimits.dimensions)")
    }
    let values: [Float]
    switch payload.dtype {
    case .float32: values = payload.values(as: Float.self) ?? []
    case .float64: values = (payload.values(as: Double.self) ?? []).map { Float($0) }
    default: throw RetrievalError.invalidInput("\(url.path) has dtype \(payload.dtype); expected float32 or float64")
    }
    if let d = dimension, payload.shape[1] != d { throw RetrievalError.dimensionMismatch(expected: d, got: payload.shape[1]) }
    return (values, payload.shape[0])
}

/// Writes `rows × cols` values as a 2-D .npy file (float32 or int64).
public func writeNPY<T: ArrayPayloadScalar>(_ values: [T], rows: Int, cols: Int, to url: URL) throws {
    do { try NPY.write(try ArrayPayload(values, shape: [rows, cols]), to: url) } catch {
        throw RetrievalError.io("cannot write \(url.path): \(error)")
    }
}

/// Search with a cap on how many candidates a filter may reject; shared by the batch defaults.
func searchEach(_ index: VectorIndex, _ queries: [Float], k: Int, filter: VectorFilter?) throws -> [[SearchHit]] {
    let d = index.dimension
    guard !queries.isEmpty else { throw RetrievalError.emptyQuery("no query vectors") }
    guard queries.count % d == 0 else { throw RetrievalError.dimensionMismatch(expected: d, got: queries.count % d) }
    return try (0..<(queries.count / d)).map { i in
        try index.search(Array(queries[(i * d)..<((i + 1) * d)]), k: k, filter: filter)
    }
}

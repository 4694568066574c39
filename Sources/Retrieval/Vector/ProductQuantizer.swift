import CSwiftLearnKernels
import Foundation
import SwiftLearnCore

/// Product quantization (Jégou, Douze & Schmid, 2011), as faiss's `ProductQuantizer` with
/// 8 bits per code: the d components are cut into `m` sub-vectors of d/m components; each
/// sub-space gets 256 centroids by k-means; a vector is stored as m bytes (its nearest
/// sub-centroid in each sub-space).
///
/// Distances are *asymmetric* (ADC): the query stays exact; one table of 256 entries per
/// sub-space (‖q_s − c_{s,j}‖² for L2, q_s·c_{s,j} for inner product) turns each code into a sum
/// of m table lookups.
public struct ProductQuantizer: Sendable {
    /// Vector dimension (a multiple of `m`).
    public let dimension: Int
    /// Number of sub-quantizers (bytes per code).
    public let m: Int
    /// Centroids per sub-quantizer (2⁸).
    public let ksub = 256
    /// Components per sub-vector.
    public var dsub: Int { dimension / m }
    /// `m × 256 × dsub` sub-centroids, sub-space major (empty until trained).
    public private(set) var centroids: [Float] = []
    /// The centroids transposed per sub-quantizer (s, component, j) for the table kernel.
    private(set) var transposed: [Float] = []
    /// ‖c_{s,j}‖² (m × 256).
    private(set) var norms: [Float] = []

    /// Sets the codebooks and derives the transposed copy and norms used by the table kernel.
    mutating func setCentroids(_ values: [Float]) {
        centroids = values
        derive()
    }

    private mutating func derive() {
        guard !centroids.isEmpty else { transposed = []; norms = []; return }
        var t = [Float](repeating: 0, count: centroids.count)
        var n = [Float](repeating: 0, count: m * ksub)
        for s in 0..<m {
            for j in 0..<ksub {
                for c in 0..<dsub {
                    let v = centroids[(s * ksub + j) * dsub + c]
                    t[(s * dsub + c) * ksub + j] = v
                    n[s * ksub + j] += v * v
                }
            }
        }
        transposed = t
        norms = n
    }

    /// A PQ for `dimension`-d vectors with `m` sub-quantizers (`dimension % m == 0`).
    public init(dimension: Int, m: Int) throws {
        try require(m >= 1 && dimension % m == 0, "m", m, "must divide the dimension \(dimension)")
        self.dimension = dimension
        self.m = m
    }

    /// Whether the codebooks have been trained.
    public var isTrained: Bool { !centroids.isEmpty }

    /// Trains the m codebooks on `n` rows (n ≥ 256).
    public mutating func train(_ x: UnsafePointer<Float>, n: Int, seed: UInt64 = 1234) throws {
        guard n >= ksub else {
            throw RetrievalError.invalidParameter(name: "m", value: "\(m)", reason: "PQ training needs at least 256 vectors, got \(n)")
        }
        var books = [Float](repeating: 0, count: m * ksub * dsub)
        var sub = [Float](repeating: 0, count: n * dsub)
        for s in 0..<m {
            for i in 0..<n { for j in 0..<dsub { sub[i * dsub + j] = x[i * dimension + s * dsub + j] } }
            var km = KMeansQuantizer()
            km.seed = seed &+ UInt64(s)
            let c = sub.withUnsafeBufferPointer { km.train($0.baseAddress!, n: n, d: dsub, k: ksub) }
            for j in 0..<(ksub * dsub) { books[s * ksub * dsub + j] = c[j] }
        }
        setCentroids(books)
    }

    /// Encodes `n` rows into `n × m` bytes (nearest sub-centroid by L2 in every sub-space).
    public func encode(_ x: UnsafePointer<Float>, n: Int) -> [UInt8] {
        ensure(isTrained, "ProductQuantizer.encode: not trained")
        var codes = [UInt8](repeating: 0, count: n * m)
        var table = [Float](repeating: 0, count: m * ksub)
        table.withUnsafeMutableBufferPointer { t in
            for i in 0..<n {
                distanceTable(x + i * dimension, innerProduct: false, into: t.baseAddress!)
                for s in 0..<m {
                    var best = 0
                    for j in 1..<ksub where t[s * ksub + j] < t[s * ksub + best] { best = j }
                    codes[i * m + s] = UInt8(best)
                }
            }
        }
        return codes
    }

    /// Decodes one code (m bytes) into a vector.
    public func decode(_ code: ArraySlice<UInt8>) -> [Float] {
        var out = [Float](repeating: 0, count: dimension)
        for (s, c) in code.enumerated() {
            for j in 0..<dsub { out[s * dsub + j] = centroids[(s * ksub + Int(c)) * dsub + j] }
        }
        return out
    }

    /// Fills `table` (m × 256) with ‖q_s − c_{s,j}‖² (`innerProduct` false) or −q_s·c_{s,j}
    /// (true), so that summing lookups always gives a distance where lower is closer.
    func distanceTable(_ q: UnsafePointer<Float>, innerProduct: Bool, into table: UnsafeMutablePointer<Float>) {
        transposed.withUnsafeBufferPointer { t in
            norms.withUnsafeBufferPointer { n in
                sl_pq_tables_f32(q, t.baseAddress!, n.baseAddress!, m, dsub, innerProduct ? 1 : 0, table)
            }
        }
    }

    func encode(_ w: inout BinaryWriter) {
        w.int(m)
        w.array(centroids)
    }

    static func decode(_ r: inout BinaryReader, dimension: Int) throws -> ProductQuantizer {
        let m = try r.int(in: 1...dimension, "PQ m")
        guard dimension % m == 0 else { throw RetrievalError.corruptFile(path: r.path, reason: "PQ m does not divide the dimension") }
        var pq = try ProductQuantizer(dimension: dimension, m: m)
        let books = try r.array(Float.self)
        guard books.isEmpty || books.count == m * 256 * (dimension / m) else {
            throw RetrievalError.corruptFile(path: r.path, reason: "PQ codebook size is wrong")
        }
        pq.setCentroids(books)
        return pq
    }
}

import CSwiftLearnKernels
import Foundation
import Tensors

/// The coarse quantizer of the IVF indexes: `nlist` centroids trained by k-means; a vector goes
/// to the list of its nearest centroid (L2), or of the largest inner product (ip / cosine, as
/// faiss's `IndexFlatIP` quantizer). Searches visit the `nprobe` best lists.
struct CoarseQuantizer {
    let dimension: Int
    let nlist: Int
    let metric: DistanceMetric
    /// `nlist × dimension` centroids (empty until trained).
    var centroids: [Float] = []

    var isTrained: Bool { !centroids.isEmpty }

    /// Trains on `n` rows (n ≥ nlist; throws otherwise).
    mutating func train(_ x: UnsafePointer<Float>, n: Int, seed: UInt64) throws {
        guard n >= nlist else {
            throw RetrievalError.invalidParameter(name: "nlist", value: "\(nlist)", reason: "needs at least nlist training vectors, got \(n)")
        }
        var km = KMeansQuantizer()
        km.seed = seed
        centroids = km.train(x, n: n, d: dimension, k: nlist)
        if metric == .cosine {
            for c in 0..<nlist {
                let norm = centroids[(c * dimension)..<((c + 1) * dimension)].reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
                if norm > 0 { for j in 0..<dimension { centroids[c * dimension + j] /= norm } }
            }
        }
    }

    /// The list of each of `n` rows.
    func assign(_ x: UnsafePointer<Float>, n: Int) -> [Int32] {
        centroids.withUnsafeBufferPointer {
            KMeansQuantizer.nearest(x, n: n, centroids: $0.baseAddress!, k: nlist, d: dimension, innerProduct: metric.usesInnerProduct)
        }
    }

    /// The `nprobe` best lists of each of `nq` queries, best first, with the query–centroid inner
    /// products (used by IVF-PQ's inner-product scores). The products come from one GEMM per
    /// block of 256 queries (as faiss does for batched searches); lists are ranked by q·c, or for
    /// L2 by 2 q·c − ‖c‖² (which orders like −‖q − c‖²).
    func probeBatch(_ q: UnsafePointer<Float>, nq: Int, nprobe: Int) -> [[(list: Int, dot: Float)]] {
        let block = 256
        var out: [[(list: Int, dot: Float)]] = []
        out.reserveCapacity(nq)
        var cNorms = [Float](repeating: 0, count: nlist)
        centroids.withUnsafeBufferPointer { c in
            if metric == .l2 { for j in 0..<nlist { cNorms[j] = sl_vec_dot_f32(c.baseAddress! + j * dimension, c.baseAddress! + j * dimension, dimension) } }
            let dots = UnsafeMutablePointer<Float>.allocate(capacity: min(block, nq) * nlist)
            defer { dots.deallocate() }
            var lo = 0
            while lo < nq {
                let hi = min(nq, lo + block)
                BLAS.gemm(transposeB: true, m: hi - lo, n: nlist, k: dimension, a: q + lo * dimension, lda: dimension,
                          b: c.baseAddress!, ldb: dimension, c: dots, ldc: nlist)
                for i in 0..<(hi - lo) {
                    let row = dots + i * nlist
                    var top = TopK(k: min(nprobe, nlist))
                    for j in 0..<nlist { top.push(metric == .l2 ? 2 * row[j] - cNorms[j] : row[j], Int64(j)) }
                    out.append(top.sortedHits().map { (Int($0.id), row[Int($0.id)]) })
                }
                lo = hi
            }
        }
        return out
    }

    func encode(_ w: inout BinaryWriter) {
        w.int(nlist)
        w.array(centroids)
    }

    static func decode(_ r: inout BinaryReader, dimension: Int, metric: DistanceMetric) throws -> CoarseQuantizer {
        let nlist = try r.int(in: RetrievalLimits.cells, "nlist")
        var q = CoarseQuantizer(dimension: dimension, nlist: nlist, metric: metric)
        q.centroids = try r.array(Float.self)
        guard q.centroids.isEmpty || q.centroids.count == nlist * dimension else {
            throw RetrievalError.corruptFile(path: r.path, reason: "coarse quantizer has \(q.centroids.count) values for \(nlist) lists")
        }
        return q
    }
}

import CSwiftLearnKernels
import Foundation

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

    /// The `nprobe` best lists for query `q`, best first, with the query–centroid inner products
    /// (used by IVF-PQ's inner-product tables).
    func probe(_ q: UnsafePointer<Float>, nprobe: Int) -> [(list: Int, dot: Float)] {
        var scores = [Float](repeating: 0, count: nlist)
        var dots = [Float](repeating: 0, count: nlist)
        centroids.withUnsafeBufferPointer { c in
            dots.withUnsafeMutableBufferPointer { sl_vec_dot_rows_f32(q, c.baseAddress!, nil, nlist, dimension, $0.baseAddress!) }
            if metric == .l2 {
                scores.withUnsafeMutableBufferPointer { sl_vec_l2sq_rows_f32(q, c.baseAddress!, nil, nlist, dimension, $0.baseAddress!) }
                for i in 0..<nlist { scores[i] = -scores[i] }
            } else {
                scores = dots
            }
        }
        var top = TopK(k: min(nprobe, nlist))
        for i in 0..<nlist { top.push(scores[i], Int64(i)) }
        return top.sortedHits().map { (Int($0.id), dots[Int($0.id)]) }
    }

    func encode(_ w: inout BinaryWriter) {
        w.int(nlist)
        w.array(centroids)
    }

    static func decode(_ r: inout BinaryReader, dimension: Int, metric: DistanceMetric) throws -> CoarseQuantizer {
        let nlist = try r.int(in: 1...(1 << 24), "nlist")
        var q = CoarseQuantizer(dimension: dimension, nlist: nlist, metric: metric)
        q.centroids = try r.array(Float.self)
        guard q.centroids.isEmpty || q.centroids.count == nlist * dimension else {
            throw RetrievalError.corruptFile(path: r.path, reason: "coarse quantizer has \(q.centroids.count) values for \(nlist) lists")
        }
        return q
    }
}

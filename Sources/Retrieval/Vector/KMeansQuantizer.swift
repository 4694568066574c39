import CSwiftLearnKernels
import Foundation
import SwiftLearnCore
import Tensors

/// Lloyd's k-means for the coarse quantizer of the IVF indexes and the codebooks of
/// ``ProductQuantizer``, following faiss's `Clustering` defaults: at most
/// `maxPointsPerCentroid · k` training points (a seeded random sample), initial centroids drawn
/// from distinct training points, 25 iterations, and an empty cluster is revived by splitting a
/// large one (its centroid copied with a ±1/1024 relative perturbation, as faiss does).
/// Assignment scores points × centroids with one GEMM per block of points.
struct KMeansQuantizer {
    var iterations = 25
    var maxPointsPerCentroid = 256
    var seed: UInt64 = 1234

    /// Returns `k × d` centroids of the `n × d` points at `x` (n ≥ k).
    func train(_ x: UnsafePointer<Float>, n: Int, d: Int, k: Int) -> [Float] {
        var rng = SplitMix64(seed: seed)
        // Sample the training set (partial Fisher–Yates over point indices).
        var order = Array(0..<n)
        let nt = min(n, k * maxPointsPerCentroid)
        for i in 0..<nt { order.swapAt(i, i + rng.below(n - i)) }
        var data = [Float](repeating: 0, count: nt * d)
        data.withUnsafeMutableBufferPointer { p in
            for i in 0..<nt { (p.baseAddress! + i * d).update(from: x + order[i] * d, count: d) }
        }
        var centroids = [Float](repeating: 0, count: k * d)
        centroids.withUnsafeMutableBufferPointer { c in
            data.withUnsafeBufferPointer { p in
                for j in 0..<k { (c.baseAddress! + j * d).update(from: p.baseAddress! + j * d, count: d) }
            }
        }
        var assign = [Int32](repeating: 0, count: nt)
        for _ in 0..<iterations {
            data.withUnsafeBufferPointer { p in
                centroids.withUnsafeBufferPointer { c in
                    assign = Self.nearest(p.baseAddress!, n: nt, centroids: c.baseAddress!, k: k, d: d, innerProduct: false)
                }
            }
            var sums = [Double](repeating: 0, count: k * d)
            var counts = [Int](repeating: 0, count: k)
            for i in 0..<nt {
                let a = Int(assign[i])
                counts[a] += 1
                for j in 0..<d { sums[a * d + j] += Double(data[i * d + j]) }
            }
            for c in 0..<k where counts[c] > 0 {
                for j in 0..<d { centroids[c * d + j] = Float(sums[c * d + j] / Double(counts[c])) }
            }
            // Revive empty clusters by splitting a cluster chosen with probability ∝ its size.
            for c in 0..<k where counts[c] == 0 {
                var target = 0
                while true {
                    target = rng.below(k)
                    if Double(counts[target]) / Double(nt - k) > rng.uniform() && counts[target] > 1 { break }
                    if nt <= k { break }
                }
                for j in 0..<d {
                    let v = centroids[target * d + j]
                    let e: Float = 1.0 / 1024
                    if j % 2 == 0 {
                        centroids[c * d + j] = v * (1 + e); centroids[target * d + j] = v * (1 - e)
                    } else {
                        centroids[c * d + j] = v * (1 - e); centroids[target * d + j] = v * (1 + e)
                    }
                }
                counts[c] = counts[target] / 2
                counts[target] -= counts[c]
            }
        }
        return centroids
    }

    /// Index of the best centroid for each of `n` points: the smallest ‖x − c‖² (or the largest
    /// x·c when `innerProduct`). Blocks of points are scored with one GEMM each, one block at a
    /// time (the GEMM spreads over the cores itself; a BLAS must not be entered from several
    /// threads at once), and the arg-min of each row is taken right after.
    static func nearest(_ x: UnsafePointer<Float>, n: Int, centroids: UnsafePointer<Float>, k: Int, d: Int,
                        innerProduct: Bool) -> [Int32] {
        var cNorms = [Float](repeating: 0, count: k)
        for j in 0..<k { cNorms[j] = innerProduct ? 0 : sl_vec_dot_f32(centroids + j * d, centroids + j * d, d) }
        var out = [Int32](repeating: 0, count: n)
        let block = 1024
        let s = UnsafeMutablePointer<Float>.allocate(capacity: min(block, n) * k + 4096)
        defer { s.deallocate() }
        var lo = 0
        while lo < n {
            let hi = min(n, lo + block)
            BLAS.gemm(transposeB: true, m: hi - lo, n: k, k: d, a: x + lo * d, lda: d, b: centroids, ldb: d, c: s, ldc: k)
            for i in 0..<(hi - lo) {
                var best: Float = .infinity, arg = 0
                let row = s + i * k
                for j in 0..<k {
                    let v = innerProduct ? -row[j] : cNorms[j] - 2 * row[j]
                    if v < best { best = v; arg = j }
                }
                out[lo + i] = Int32(arg)
            }
            lo = hi
        }
        return out
    }
}

import Foundation
import SwiftLearnCore
import Tensors

// Shared helpers of the clustering / decomposition / manifold family. Internal, prefixed
// `Unsup` so they cannot clash with other families in the one `Learn` module.

/// Squared Euclidean norm of every row.
func unsupRowSquaredNorms(_ x: Matrix) -> [Double] {
    var out = [Double](repeating: 0, count: x.rows)
    x.values.withUnsafeBufferPointer { p in
        for i in 0..<x.rows {
            var s = 0.0
            let base = i * x.columns
            for j in 0..<x.columns { s += p[base + j] * p[base + j] }
            out[i] = s
        }
    }
    return out
}

/// Squared Euclidean distances between the rows of `a` and the rows of `b` (`a.rows × b.rows`),
/// by the GEMM identity ‖a−b‖² = ‖a‖² − 2 a·b + ‖b‖², clipped at zero.
/// Fast path: one GEMM; rounding makes tiny distances inexact (≈1e-12 relative to the norms).
func unsupSquaredDistances(_ a: Matrix, _ b: Matrix, aNorms: [Double]? = nil, bNorms: [Double]? = nil) -> Matrix {
    let an = aNorms ?? unsupRowSquaredNorms(a), bn = bNorms ?? unsupRowSquaredNorms(b)
    var d = Matrix.product(a, b, transposeB: true)
    let m = b.rows
    d.values.withUnsafeMutableBufferPointer { p in
        for i in 0..<a.rows {
            let base = i * m
            for j in 0..<m { p[base + j] = Swift.max(an[i] - 2 * p[base + j] + bn[j], 0) }
        }
    }
    return d
}

/// Exact squared Euclidean distance between row `i` of `a` and row `j` of `b` (no cancellation).
@inline(__always)
func unsupExactSquaredDistance(_ a: UnsafeBufferPointer<Double>, _ i: Int, _ b: UnsafeBufferPointer<Double>, _ j: Int, _ d: Int) -> Double {
    var s = 0.0
    let bi = i * d, bj = j * d
    for k in 0..<d { let t = a[bi + k] - b[bj + k]; s += t * t }
    return s
}

/// The distances `DBSCAN` and `AgglomerativeClustering` accept, as scikit-learn names them.
enum UnsupMetric: String, Codable {
    case euclidean, manhattan, chebyshev, cosine, minkowski

    /// Distance between row `i` of `a` and row `j` of `b` (both with `d` columns). `norms` are
    /// the Euclidean row norms (used by cosine only); `p` is Minkowski's exponent.
    @inline(__always)
    func distance(_ a: UnsafeBufferPointer<Double>, _ i: Int, _ b: UnsafeBufferPointer<Double>, _ j: Int, _ d: Int,
                  normA: Double = 0, normB: Double = 0, p: Double = 2) -> Double {
        let bi = i * d, bj = j * d
        switch self {
        case .euclidean:
            return unsupExactSquaredDistance(a, i, b, j, d).squareRoot()
        case .manhattan:
            var s = 0.0
            for k in 0..<d { s += Swift.abs(a[bi + k] - b[bj + k]) }
            return s
        case .chebyshev:
            var s = 0.0
            for k in 0..<d { s = Swift.max(s, Swift.abs(a[bi + k] - b[bj + k])) }
            return s
        case .cosine:
            var s = 0.0
            for k in 0..<d { s += a[bi + k] * b[bj + k] }
            let den = normA * normB
            return den == 0 ? 1 : 1 - s / den
        case .minkowski:
            var s = 0.0
            for k in 0..<d { s += Foundation.pow(Swift.abs(a[bi + k] - b[bj + k]), p) }
            return Foundation.pow(s, 1 / p)
        }
    }
}

/// Runs `body(start, end)` over `0..<count` split into chunks, on all cores when the work is big
/// enough (`count * costPerItem` above a threshold), serially otherwise.
func unsupParallelChunks(_ count: Int, costPerItem: Int = 1, _ body: (Int, Int) -> Void) {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    if count * Swift.max(costPerItem, 1) < 200_000 || cores < 2 || count < 2 {
        if count > 0 { body(0, count) }
        return
    }
    let chunks = Swift.min(count, cores * 4)
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let s = count * c / chunks, e = count * (c + 1) / chunks
        if e > s { body(s, e) }
    }
}

/// `log Σ exp(v)` computed stably (``logSumExp``, shared through SwiftLearnCore).
@inline(__always)
func unsupLogSumExp(_ v: UnsafeBufferPointer<Double>) -> Double { logSumExp(v) }

/// Population variance of each column (NumPy's `var(axis=0)`).
func unsupColumnVariances(_ x: Matrix) -> [Double] {
    let mean = x.columnMeans()
    var v = [Double](repeating: 0, count: x.columns)
    for i in 0..<x.rows { for j in 0..<x.columns { let t = x[i, j] - mean[j]; v[j] += t * t } }
    return v.map { $0 / Double(Swift.max(x.rows, 1)) }
}

/// Flips the sign of each row of `vt` (`k × n`) so that its largest-magnitude entry is positive,
/// and the matching column of `u` (`m × k`, when given) too: scikit-learn's
/// `svd_flip(u, v, u_based_decision=False)`.
func unsupSVDFlipRows(_ vt: inout [Double], k: Int, n: Int, u: inout [Double]?, uRows: Int, uCols: Int) {
    for r in 0..<k {
        var best = 0, bestAbs = -1.0
        for j in 0..<n where Swift.abs(vt[r * n + j]) > bestAbs { bestAbs = Swift.abs(vt[r * n + j]); best = j }
        if vt[r * n + best] < 0 {
            for j in 0..<n { vt[r * n + j] = -vt[r * n + j] }
            if u != nil { for i in 0..<uRows { u![i * uCols + r] = -u![i * uCols + r] } }
        }
    }
}

/// A random-state parameter value (`None` or an integer).
extension Optional where Wrapped == Int {
    /// `random_state` as a seed for ``SeededRandom``.
    var unsupSeed: UInt64? { map { UInt64(bitPattern: Int64($0)) } }
}

import Foundation
import Tensors

/// Randomized SVD of the `m × n` matrix `a` (Halko, Martinsson & Tropp 2011, as
/// `sklearn.utils.extmath.randomized_svd`): a Gaussian test matrix of `k + oversamples` columns,
/// `powerIterations` rounds of `A Aᵀ` (re-orthonormalized by QR each half step, which spans the
/// same subspace as scikit-learn's LU normalizer), then the exact SVD of the small `Qᵀ A`.
/// Returns the leading `k` triplets (`u` is `m × k`, `vt` is `k × n`). Works on `Aᵀ` when it is wide.
func unsupRandomizedSVD(_ a: Matrix, k: Int, oversamples: Int, powerIterations: Int, rng: inout SeededRandom) throws -> (u: Matrix, s: [Double], vt: Matrix) {
    if a.rows < a.columns {
        let t = try unsupRandomizedSVD(a.transposed, k: k, oversamples: oversamples, powerIterations: powerIterations, rng: &rng)
        return (t.vt.transposed, t.s, t.u.transposed)
    }
    let m = a.rows, n = a.columns
    let size = Swift.min(k + oversamples, n)
    var omega = Matrix(rows: n, columns: size)
    for i in 0..<omega.values.count { omega.values[i] = rng.normal() }
    func orthonormal(_ y: Matrix) throws -> Matrix {
        let q = try Linalg.qr(y.values, rows: y.rows, cols: y.columns)
        return Matrix(rows: y.rows, columns: q.k, values: q.q)
    }
    var q = Matrix.product(a, omega)
    for _ in 0..<powerIterations {
        q = try orthonormal(q)
        q = try orthonormal(Matrix.product(a, q, transposeA: true))
        q = Matrix.product(a, q)
    }
    q = try orthonormal(q)
    let b = Matrix.product(q, a, transposeA: true)             // size × n
    let f = try Linalg.svd(b.values, rows: b.rows, cols: b.columns, fullMatrices: false)
    let uHat = Matrix(rows: b.rows, columns: f.uCols, values: f.u)
    let u = Matrix.product(q, uHat)                             // m × r
    let r = Swift.min(k, f.s.count)
    let vt = Matrix(rows: f.vtRows, columns: n, values: f.vt).rows(Array(0..<r))
    _ = m
    return (u.columns(Array(0..<r)), Array(f.s.prefix(r)), vt)
}

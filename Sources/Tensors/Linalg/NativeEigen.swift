import RealModule

// MARK: - Symmetric eigendecomposition

extension NativeLinalg {
    /// Eigenvalues (ascending) and orthonormal eigenvectors of a real symmetric matrix, as
    /// `numpy.linalg.eigh(a, UPLO='L')`: `A = V diag(λ) Vᵀ`, eigenvector `i` in column `i` of `V`.
    ///
    /// Two classical steps (Golub & Van Loan §8.3; Wilkinson & Reinsch's `tred2`/`tql2`):
    ///
    /// 1. **Householder tridiagonalization** (``tridiagonalize(_:n:)``): `A = Q T Qᵀ` with `T`
    ///    symmetric tridiagonal (diagonal `d`, off-diagonal `e`).
    /// 2. **Implicit QL with Wilkinson's shift** (``tridiagonalQL(d:e:zt:n:)``): plane rotations
    ///    chase the bulge until every off-diagonal entry is negligible; `T = Y diag(λ) Yᵀ`.
    ///
    /// Then `V = Q Y`. Only the lower triangle of `a` is read.
    ///
    /// - Parameters:
    ///   - a: `n × n` row-major (lower triangle used).
    ///   - computeVectors: when false, `eigenvectors` is empty and the rotations are not
    ///     accumulated.
    /// - Throws: ``LinalgError/didNotConverge(_:)`` if an eigenvalue needs more than 60 QL
    ///   iterations (LAPACK's limit too).
    /// - Complexity: `4n³/3` flops for step 1, `≈ 6n³` to accumulate the vectors (`O(n²)` for
    ///   eigenvalues only).
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func eigh<T: BinaryFloatingPoint & Real>(
        _ a: [T], n: Int, computeVectors: Bool
    ) throws -> SymmetricEigendecomposition<T> {
        var (d, e, q) = tridiagonalize(a, n: n)
        // The QL step rotates eigenvector *rows* of Zᵀ (contiguous); Z starts as Q.
        var zt = computeVectors ? transpose(q, rows: n, cols: n) : []
        try tridiagonalQL(d: &d, e: &e, zt: &zt, n: n)

        let order = (0..<n).sorted { d[$0] < d[$1] || (d[$0] == d[$1] && $0 < $1) }
        let values = order.map { d[$0] }
        guard computeVectors else { return SymmetricEigendecomposition(eigenvalues: values, eigenvectors: []) }
        var v = [T](repeating: 0, count: n * n)
        for (c, i) in order.enumerated() {
            for r in 0..<n { v[r * n + c] = zt[i * n + r] }
        }
        return SymmetricEigendecomposition(eigenvalues: values, eigenvectors: v)
    }

    /// Householder reduction of a symmetric matrix to tridiagonal form, `A = Q T Qᵀ`.
    ///
    /// At step `k` the reflector `H_k = I − τ v vᵀ` (acting on indices `k+1..<n`) zeroes
    /// `A[k, k+2...]` (and, by symmetry, `A[k+2..., k]`). It is applied from both sides to the
    /// trailing block `S = A[k+1..., k+1...]` as a symmetric rank-2 update:
    ///
    ///     p = τ S v,   w = p − (τ/2)(pᵀv) v,   S ← S − v wᵀ − w vᵀ
    ///
    /// `Q = H₀ H₁ ⋯ H_{n−3}` is formed at the end by backward accumulation.
    ///
    /// - Returns: the diagonal `d` (`n`), the off-diagonal `e` (`n`, `e[i]` couples `i` and
    ///   `i+1`, `e[n−1] = 0`) and `Q` (`n × n` row-major).
    /// - Complexity: `8n³/3` flops here (the full trailing block is updated, for clarity) plus
    ///   `4n³/3` to form `Q`.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func tridiagonalize<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int) -> (d: [T], e: [T], q: [T]) {
        // Symmetrize from the lower triangle.
        var s = a
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) { s[i * n + j] = s[j * n + i] }
        }
        var d = [T](repeating: 0, count: n)
        var e = [T](repeating: 0, count: n)
        var tau = [T](repeating: 0, count: max(n - 2, 0))
        var p = [T](repeating: 0, count: n)
        s.withUnsafeMutableBufferPointer { sBuf in
            p.withUnsafeMutableBufferPointer { pBuf in
                guard let m = sBuf.baseAddress, let pw = pBuf.baseAddress else { return }
                for k in 0..<max(n - 2, 0) {
                    // Reflector from row k: α = A[k, k+1], x = A[k, k+2...]; v[0] = 1 at k+1.
                    let rowK = m + k * n
                    var alpha = rowK[k + 1]
                    let t = makeReflector(alpha: &alpha, x: rowK + k + 2, count: n - k - 2, stride: 1)
                    tau[k] = t
                    e[k] = alpha
                    rowK[k + 1] = alpha
                    m[(k + 1) * n + k] = alpha
                    if t == 0 { continue }
                    let l = n - k - 1                      // order of the trailing block
                    let first = k + 1
                    // v as a dense length-l vector is (1, rowK[k+2...]); read it through vAt.
                    func vAt(_ i: Int) -> T { i == 0 ? 1 : rowK[first + i] }
                    // p = τ S v.
                    for i in 0..<l {
                        let rowI = m + (first + i) * n + first
                        var acc = rowI[0]
                        for j in 1..<max(1, l) { acc += rowI[j] * rowK[first + j] }
                        pw[i] = t * acc
                    }
                    // w = p − (τ/2)(pᵀv) v.
                    var pv: T = 0
                    for i in 0..<l { pv += pw[i] * vAt(i) }
                    let kappa = t / 2 * pv
                    for i in 0..<l { pw[i] -= kappa * vAt(i) }
                    // S ← S − v wᵀ − w vᵀ.
                    for i in 0..<l {
                        let rowI = m + (first + i) * n + first
                        let vi = vAt(i), wi = pw[i]
                        rowI[0] -= vi * pw[0] + wi
                        for j in 1..<max(1, l) { rowI[j] -= vi * pw[j] + wi * rowK[first + j] }
                    }
                }
            }
        }
        for i in 0..<n { d[i] = s[i * n + i] }
        if n >= 2 { e[n - 2] = s[(n - 1) * n + (n - 2)] }

        // Q = H₀ ⋯ H_{n−3}: apply H_{n−3}, …, H₀ to I from the left (columns < k+1 stay e_c).
        var q = [T](repeating: 0, count: n * n)
        for i in 0..<n { q[i * n + i] = 1 }
        var work = [T](repeating: 0, count: n)
        s.withUnsafeBufferPointer { sBuf in
            q.withUnsafeMutableBufferPointer { qBuf in
                work.withUnsafeMutableBufferPointer { wBuf in
                    guard let m = sBuf.baseAddress, let qp = qBuf.baseAddress, let w = wBuf.baseAddress else { return }
                    for k in stride(from: tau.count - 1, through: 0, by: -1) {
                        applyReflector(tau: tau[k], v: m + k * n + k + 2, vStride: 1,
                                       to: qp, rows: n, cols: n, firstRow: k + 1, firstCol: k + 1, work: w)
                    }
                }
            }
        }
        return (d, e, q)
    }

    /// Diagonalizes the symmetric tridiagonal matrix (`d`, `e`) by the implicit QL algorithm
    /// with Wilkinson's shift, accumulating the rotations into the rows of `zt` (`Zᵀ`).
    ///
    /// For each `l`, look for the first `m ≥ l` with a negligible `e[m]`
    /// (`|e[m]| ≤ ε(|d[m]| + |d[m+1]|)` or `|e[m]| ≤ ε‖T‖`): the block `l...m` is unreduced. If `m == l`, `d[l]` is
    /// an eigenvalue. Otherwise take the shift `σ` = the eigenvalue of the leading 2 × 2 block
    /// nearer `d[l]`, and perform one implicit QL step on `T − σI`: a rotation in plane
    /// `(m−1, m)` creates a bulge, and rotations in planes `(i, i+1)`, `i = m−1 … l`, chase it
    /// up to the top (Golub & Van Loan §8.3.3, with QL instead of QR). Each step converges
    /// cubically in practice.
    ///
    /// On return `d` holds the eigenvalues (unsorted), `e` is destroyed, and row `i` of `zt`
    /// is the eigenvector of `d[i]` (when `zt` is not empty).
    /// - Complexity: `O(n²)` for the eigenvalues, `≈ 6n³` with vectors.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func tridiagonalQL<T: BinaryFloatingPoint & Real>(d: inout [T], e: inout [T], zt: inout [T], n: Int) throws {
        let eps = T.ulpOfOne
        let maxIterations = 60
        let withVectors = !zt.isEmpty
        // Scale of T (max row sum of |T|, as EISPACK's tql2 tracks): an off-diagonal below
        // ε·scale is negligible in absolute terms. Without it, clusters of (near-)zero
        // eigenvalues — e.g. XᵀX of rank 128 in 784 dimensions, float32 — never pass the purely
        // relative test and the iteration stalls.
        var scale: T = 0
        for i in 0..<n { scale = Swift.max(scale, abs(d[i]) + (i < n - 1 ? abs(e[i]) : 0) + (i > 0 ? abs(e[i - 1]) : 0)) }
        for l in 0..<n {
            var iterations = 0
            while true {
                var m = l
                while m < n - 1 {
                    let dd = abs(d[m]) + abs(d[m + 1])
                    if abs(e[m]) <= eps * dd || abs(e[m]) <= eps * scale || abs(e[m]) < T.leastNormalMagnitude { break }
                    m += 1
                }
                if m == l { break }
                iterations += 1
                if iterations > maxIterations {
                    throw LinalgError.didNotConverge("symmetric QL: eigenvalue \(l) not found in \(maxIterations) iterations")
                }
                // Shift: eigenvalue of [[d_l, e_l], [e_l, d_{l+1}]] closer to d_l, as g = d_m − σ.
                var g = (d[l + 1] - d[l]) / (2 * e[l])
                var r = T.hypot(g, 1)
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r))
                var s: T = 1, c: T = 1, p: T = 0
                var underflow = false
                var i = m - 1
                while i >= l {
                    let f = s * e[i], b = c * e[i]
                    r = T.hypot(f, g)
                    e[i + 1] = r
                    if r == 0 {
                        // The bulge vanished: the matrix split; undo the pending shift and retry.
                        d[i + 1] -= p
                        e[m] = 0
                        underflow = true
                        break
                    }
                    s = f / r
                    c = g / r
                    g = d[i + 1] - p
                    r = (d[i] - g) * s + 2 * c * b
                    p = s * r
                    d[i + 1] = g + p
                    g = c * r - b
                    if withVectors {
                        zt.withUnsafeMutableBufferPointer { zBuf in
                            let zi = zBuf.baseAddress! + i * n, zi1 = zi + n
                            for k in 0..<n {
                                let x = zi[k], y = zi1[k]
                                zi1[k] = s * x + c * y
                                zi[k] = c * x - s * y
                            }
                        }
                    }
                    i -= 1
                }
                if underflow { continue }
                d[l] -= p
                e[l] = g
                e[m] = 0
            }
        }
    }
}

import RealModule

// MARK: - SVD by one-sided Jacobi

extension NativeLinalg {
    /// Singular value decomposition `A = U Σ Vᵀ` of an `m × n` row-major matrix, as
    /// `numpy.linalg.svd`: singular values descending, `U` and `Vᵀ` full or reduced.
    ///
    /// The algorithm (Drmač & Veselić, "New fast and accurate Jacobi SVD algorithm", 2008,
    /// simplified):
    ///
    /// 1. If `m < n`, decompose `Aᵀ = U' Σ V'ᵀ` instead and return `U = V'`, `Vᵀ = U'ᵀ`.
    /// 2. Householder QR, `A = Q R` with `R` `n × n` (``householderQR(_:m:n:)``). Jacobi then
    ///    works on `n`-vectors instead of `m`-vectors, and starts from a triangular matrix,
    ///    which it diagonalizes in fewer sweeps.
    /// 3. One-sided Jacobi (Hestenes, 1958) on `R`: repeatedly pick a pair of columns
    ///    `(r_p, r_q)` and rotate them by the plane rotation that makes them orthogonal,
    ///
    ///        α = ‖r_p‖², β = ‖r_q‖², γ = r_pᵀ r_q,   ζ = (β − α) / 2γ,
    ///        t = sign(ζ) / (|ζ| + √(1 + ζ²)),   c = 1/√(1 + t²),   s = c t,
    ///        r_p ← c r_p − s r_q,   r_q ← s r_p + c r_q,
    ///
    ///    applying the same rotation to the columns of `V` (which starts as `I`). Cyclic sweeps
    ///    over all pairs repeat until every pair satisfies `|γ| ≤ 2ε·√(αβ)`. Then
    ///    `R V = [σ₀ u₀, …, σ_{n−1} u_{n−1}]` with orthogonal columns: `σ_i = ‖column i‖`,
    ///    `u_i = column i / σ_i`. Jacobi computes even tiny singular values to high relative
    ///    accuracy.
    /// 4. Sort descending; complete `U` where `σ_i ≤ ε‖A‖_F` (numerically zero; ``completeOrthonormalColumns(_:n:missing:)``);
    ///    `U_A = Q · [U_R 0; 0 I]` (``applyQ(factors:tau:m:n:to:p:transpose:)``).
    ///
    /// - Parameters:
    ///   - a: `m × n` row-major.
    ///   - fullMatrices: `U` is `m × m` and `Vᵀ` is `n × n` when true; `m × k` and `k × n`
    ///     (`k = min(m, n)`) when false.
    ///   - computeUV: when false only the singular values are computed (`u`, `vt` empty).
    /// - Throws: ``LinalgError/didNotConverge(_:)`` after 80 sweeps (not expected in practice:
    ///   cyclic Jacobi converges quadratically, typically in 6–12 sweeps).
    /// - Complexity: `2mn² + O(sweeps · n³)` flops with `sweeps ≈ 6–12`; `O(m² + n²)` storage.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func svd<T: BinaryFloatingPoint & Real>(
        _ a: [T], m: Int, n: Int, fullMatrices: Bool, computeUV: Bool
    ) throws -> SVDDecomposition<T> {
        if m < n {
            let t = try svd(transpose(a, rows: m, cols: n), m: n, n: m, fullMatrices: fullMatrices, computeUV: computeUV)
            guard computeUV else { return t }
            // Aᵀ = U' Σ V'ᵀ  ⇒  A = V' Σ U'ᵀ.
            return SVDDecomposition(
                u: transpose(t.vt, rows: t.vtRows, cols: m), s: t.s,
                vt: transpose(t.u, rows: n, cols: t.uCols),
                rows: m, cols: n, uCols: t.vtRows, vtRows: t.uCols)
        }
        // Now m ≥ n.  A = Q R.
        var factors = a
        let tau = householderQR(&factors, m: m, n: n)
        // Columns of R are the rows of G = Rᵀ (contiguous); rows of W = Vᵀ.
        var g = [T](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n { g[j * n + i] = factors[i * n + j] }
        }
        var w = [T](repeating: 0, count: computeUV ? n * n : 0)
        for i in 0..<(computeUV ? n : 0) { w[i * n + i] = 1 }
        try jacobiOrthogonalizeRows(&g, &w, n: n, accumulate: computeUV)

        // σ_i = ‖row i of G‖, sorted descending.
        var sigma = [T](repeating: 0, count: n)
        g.withUnsafeBufferPointer { p in
            for i in 0..<n { sigma[i] = scaledNorm(p.baseAddress! + i * n, count: n, stride: 1) }
        }
        let order = (0..<n).sorted { sigma[$0] > sigma[$1] || (sigma[$0] == sigma[$1] && $0 < $1) }
        let s = order.map { sigma[$0] }
        guard computeUV else {
            return SVDDecomposition(u: [], s: s, vt: [], rows: m, cols: n, uCols: 0, vtRows: 0)
        }

        // U_R (n × n): column c is row order[c] of G divided by its norm.
        var uR = [T](repeating: 0, count: n * n)
        // Columns of norm ≤ ε‖R‖_F carry no direction (see jacobiOrthogonalizeRows): complete them.
        let negligible = T.ulpOfOne * g.withUnsafeBufferPointer { scaledNorm($0.baseAddress!, count: n * n, stride: 1) }
        var missing: [Int] = []
        for (c, i) in order.enumerated() {
            let sv = sigma[i]
            if sv <= negligible { missing.append(c); continue }
            for r in 0..<n { uR[r * n + c] = g[i * n + r] / sv }
        }
        if !missing.isEmpty { completeOrthonormalColumns(&uR, n: n, missing: missing) }
        var vt = [T](repeating: 0, count: n * n)
        for (c, i) in order.enumerated() {
            for j in 0..<n { vt[c * n + j] = w[i * n + j] }
        }

        // U = Q · [U_R 0; 0 I]  (m × m), or its first n columns Q · [U_R; 0]  (m × n).
        let uCols = fullMatrices ? m : n
        var u = [T](repeating: 0, count: m * uCols)
        for r in 0..<n {
            for c in 0..<n { u[r * uCols + c] = uR[r * n + c] }
        }
        if fullMatrices { for r in n..<m { u[r * uCols + r] = 1 } }
        applyQ(factors: factors, tau: tau, m: m, n: n, to: &u, p: uCols, transpose: false)
        return SVDDecomposition(u: u, s: s, vt: vt, rows: m, cols: n, uCols: uCols, vtRows: n)
    }

    /// The Jacobi sweeps of ``svd(_:m:n:fullMatrices:computeUV:)``, on rows: rotates pairs of
    /// rows of `g` (`n × n`) until all rows are mutually orthogonal to working precision,
    /// applying the same rotations to the rows of `w` when `accumulate` is true.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func jacobiOrthogonalizeRows<T: BinaryFloatingPoint & Real>(
        _ g: inout [T], _ w: inout [T], n: Int, accumulate: Bool
    ) throws {
        guard n > 1 else { return }
        let eps = T.ulpOfOne
        let maxSweeps = 80
        // Rows of norm ≤ ε‖G‖_F are numerically zero: rotating them against others only
        // shuffles rounding noise (and may never satisfy the relative test), so they are left
        // alone; their singular vectors are completed later.
        let negligible = g.withUnsafeBufferPointer { T.ulpOfOne * scaledNorm($0.baseAddress!, count: n * n, stride: 1) }
        let converged: Bool = g.withUnsafeMutableBufferPointer { gBuf in
            w.withUnsafeMutableBufferPointer { wBuf in
                let gp = gBuf.baseAddress!
                let wp = wBuf.baseAddress
                for sweep in 0..<maxSweeps {
                    // 2ε is about the rounding level of γ for orthogonal rows; should rounding keep
                    // a pair just above it (never seen in tests), relax to nε after 30 sweeps.
                    let tolerance = sweep < 30 ? 2 * eps : T(n) * eps
                    var rotated = false
                    for p in 0..<(n - 1) {
                        for q in (p + 1)..<n {
                            let rp = gp + p * n, rq = gp + q * n
                            var alpha: T = 0, beta: T = 0, gamma: T = 0
                            for k in 0..<n {
                                alpha += rp[k] * rp[k]
                                beta += rq[k] * rq[k]
                                gamma += rp[k] * rq[k]
                            }
                            let normP = T.sqrt(alpha), normQ = T.sqrt(beta)
                            if gamma == 0 || abs(gamma) <= tolerance * normP * normQ { continue }
                            if normP <= negligible || normQ <= negligible { continue }
                            rotated = true
                            let zeta = (beta - alpha) / (2 * gamma)
                            let t = (zeta >= 0 ? 1 : -1) / (abs(zeta) + T.sqrt(1 + zeta * zeta))
                            let c = 1 / T.sqrt(1 + t * t)
                            let s = c * t
                            for k in 0..<n {
                                let x = rp[k], y = rq[k]
                                rp[k] = c * x - s * y
                                rq[k] = s * x + c * y
                            }
                            if accumulate, let wp {
                                let vp = wp + p * n, vq = wp + q * n
                                for k in 0..<n {
                                    let x = vp[k], y = vq[k]
                                    vp[k] = c * x - s * y
                                    vq[k] = s * x + c * y
                                }
                            }
                        }
                    }
                    if !rotated { return true }
                }
                return false
            }
        }
        if !converged {
            throw LinalgError.didNotConverge("one-sided Jacobi SVD did not converge in \(maxSweeps) sweeps")
        }
    }

    /// Fills the columns listed in `missing` of the `n × n` row-major matrix `u` so that all
    /// its columns are orthonormal, given that the other columns already are.
    ///
    /// For each missing column, takes the unit vector `e_k` with the largest component outside
    /// the span of the present columns (`1 − Σ_c u[k, c]²` is largest), removes that span from it
    /// by modified Gram–Schmidt run twice ("twice is enough", Parlett), and normalizes.
    /// - Complexity: `O(n² · r)` per missing column, `r` present columns.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func completeOrthonormalColumns<T: BinaryFloatingPoint & Real>(_ u: inout [T], n: Int, missing: [Int]) {
        var present = (0..<n).filter { !missing.contains($0) }
        var v = [T](repeating: 0, count: n)
        for col in missing {
            var bestK = 0
            var bestResidual = -T.infinity
            for k in 0..<n {
                var inSpan: T = 0
                for c in present { inSpan += u[k * n + c] * u[k * n + c] }
                if 1 - inSpan > bestResidual { bestResidual = 1 - inSpan; bestK = k }
            }
            for i in 0..<n { v[i] = i == bestK ? 1 : 0 }
            for _ in 0..<2 {
                for c in present {
                    var dot: T = 0
                    for i in 0..<n { dot += u[i * n + c] * v[i] }
                    for i in 0..<n { v[i] -= dot * u[i * n + c] }
                }
            }
            var norm: T = 0
            for i in 0..<n { norm += v[i] * v[i] }
            norm = T.sqrt(norm)
            for i in 0..<n { u[i * n + col] = v[i] / norm }
            present.append(col)
        }
    }
}

// MARK: - Least squares

extension NativeLinalg {
    /// Minimum-norm least-squares solution of `A X ≈ B`, as `numpy.linalg.lstsq`.
    ///
    /// With the SVD `A = U Σ Vᵀ` (``svd(_:m:n:fullMatrices:computeUV:)``), singular values
    /// `σ_i ≤ rcond · σ₀` are treated as zero, which defines the rank `r`, and
    ///
    ///     X = Σ_{i<r} v_i (u_iᵀ B) / σ_i
    ///
    /// is the solution of least norm among all minimizers of `‖A X − B‖_F` (the pseudo-inverse
    /// applied to `B`; LAPACK `?gelsd` computes the same thing).
    ///
    /// - Parameters:
    ///   - a: `m × n` row-major.
    ///   - b: `m × nrhs` row-major.
    ///   - rcond: relative cut-off; `nil` means `ε · max(m, n)` (NumPy's `rcond=None`), a
    ///     negative value means `ε`.
    /// - Returns: the solution (`n × nrhs`), the squared residual norms per column (only when
    ///   `r == n` and `m > n`; else empty, as NumPy), the rank and the singular values.
    /// - Complexity: the SVD plus `2(m + n) · r · nrhs` flops.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func lstsq<T: BinaryFloatingPoint & Real>(
        _ a: [T], _ b: [T], m: Int, n: Int, nrhs: Int, rcond: T?
    ) throws -> LeastSquaresSolution<T> {
        let k = min(m, n)
        let f = try svd(a, m: m, n: n, fullMatrices: false, computeUV: true)
        var cutoffRatio = rcond ?? T.ulpOfOne * T(max(m, n))
        if cutoffRatio < 0 { cutoffRatio = T.ulpOfOne }
        let cutoff = cutoffRatio * (f.s.first ?? 0)
        let rank = f.s.prefix { $0 > cutoff }.count

        // C = Σ_r⁻¹ U_rᵀ B  (rank × nrhs), then X = V_r C  (n × nrhs); row axpys throughout.
        var c = [T](repeating: 0, count: rank * nrhs)
        var x = [T](repeating: 0, count: n * nrhs)
        f.u.withUnsafeBufferPointer { u in
            f.vt.withUnsafeBufferPointer { vt in
                b.withUnsafeBufferPointer { bb in
                    c.withUnsafeMutableBufferPointer { cc in
                        x.withUnsafeMutableBufferPointer { xx in
                            guard rank > 0, nrhs > 0, let pc = cc.baseAddress, let px = xx.baseAddress,
                                  let pb = bb.baseAddress else { return }
                            for row in 0..<m {
                                let bRow = pb + row * nrhs
                                for i in 0..<rank {
                                    let uri = u[row * k + i]
                                    let cRow = pc + i * nrhs
                                    for j in 0..<nrhs { cRow[j] += uri * bRow[j] }
                                }
                            }
                            for i in 0..<rank {
                                let cRow = pc + i * nrhs, inv = 1 / f.s[i]
                                for j in 0..<nrhs { cRow[j] *= inv }
                            }
                            for i in 0..<rank {
                                let cRow = pc + i * nrhs
                                for row in 0..<n {
                                    let v = vt[i * n + row]
                                    let xRow = px + row * nrhs
                                    for j in 0..<nrhs { xRow[j] += v * cRow[j] }
                                }
                            }
                        }
                    }
                }
            }
        }

        var residuals: [T] = []
        if rank == n && m > n {
            let ax = matmul(a, x, m: m, k: n, n: nrhs)
            residuals = [T](repeating: 0, count: nrhs)
            for row in 0..<m {
                for j in 0..<nrhs {
                    let d = b[row * nrhs + j] - ax[row * nrhs + j]
                    residuals[j] += d * d
                }
            }
        }
        return LeastSquaresSolution(solution: x, residuals: residuals, rank: rank, singularValues: f.s)
    }
}

import RealModule

// MARK: - Householder reflectors

extension NativeLinalg {
    /// The Euclidean norm `‖x‖₂` of `count` elements spaced `stride` apart, scaled by the
    /// largest magnitude first so that squaring neither overflows nor underflows
    /// (the idea of LAPACK's `?nrm2`). - Complexity: `2 · count`.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func scaledNorm<T: BinaryFloatingPoint & Real>(_ x: UnsafePointer<T>, count: Int, stride: Int) -> T {
        var scale: T = 0
        for i in 0..<count { scale = max(scale, abs(x[i * stride])) }
        guard scale > 0, scale.isFinite else { return scale }
        var sum: T = 0
        for i in 0..<count {
            let t = x[i * stride] / scale
            sum += t * t
        }
        return scale * T.sqrt(sum)
    }

    /// Makes the Householder reflector `H = I − τ v vᵀ` with `v[0] = 1` that maps
    /// `[α, x]` to `[β, 0, …, 0]` (LAPACK `?larfg`'s convention, which NumPy's QR inherits):
    ///
    ///     β = −sign(α) · ‖[α, x]‖₂,   τ = (β − α) / β,   v[1...] = x / (α − β)
    ///
    /// Choosing `β` with the sign opposite to `α` avoids cancellation in `α − β`. When `x` is
    /// already zero, `τ = 0` and `H = I` (so `β = α` keeps its sign).
    ///
    /// - Parameters:
    ///   - alpha: the first entry; overwritten by `β`.
    ///   - x: the remaining `count` entries, `stride` apart; overwritten by `v[1...]`.
    /// - Returns: `τ`.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func makeReflector<T: BinaryFloatingPoint & Real>(
        alpha: inout T, x: UnsafeMutablePointer<T>, count: Int, stride: Int
    ) -> T {
        let xNorm = scaledNorm(UnsafePointer(x), count: count, stride: stride)
        if xNorm == 0 { return 0 }
        let norm = T.hypot(alpha, xNorm)
        let beta = alpha >= 0 ? -norm : norm
        let tau = (beta - alpha) / beta
        let scale = 1 / (alpha - beta)
        for i in 0..<count { x[i * stride] *= scale }
        alpha = beta
        return tau
    }

    /// Applies `H = I − τ v vᵀ` from the left to rows `firstRow..<rows` and columns
    /// `firstCol..<cols` of the row-major matrix `c` (leading dimension `cols`).
    ///
    /// `v[0] = 1` is implied; `v[1...]` is read from `v`, `vStride` apart. Computed as
    /// `wᵀ = vᵀ C` (a sum of contiguous rows) followed by the rank-1 update `C −= τ v wᵀ`.
    /// `work` must hold `cols` elements. - Complexity: `4 · (rows − firstRow) · (cols − firstCol)`.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func applyReflector<T: BinaryFloatingPoint & Real>(
        tau: T, v: UnsafePointer<T>, vStride: Int,
        to c: UnsafeMutablePointer<T>, rows: Int, cols: Int, firstRow: Int, firstCol: Int,
        work: UnsafeMutablePointer<T>
    ) {
        if tau == 0 || firstCol >= cols || firstRow >= rows { return }
        let width = cols - firstCol
        let w = work + firstCol
        let row0 = c + firstRow * cols + firstCol
        for j in 0..<width { w[j] = row0[j] }
        for i in (firstRow + 1)..<rows {
            let vi = v[(i - firstRow - 1) * vStride]
            if vi == 0 { continue }
            let rowI = c + i * cols + firstCol
            for j in 0..<width { w[j] += vi * rowI[j] }
        }
        for j in 0..<width { row0[j] -= tau * w[j] }
        for i in (firstRow + 1)..<rows {
            let tv = tau * v[(i - firstRow - 1) * vStride]
            if tv == 0 { continue }
            let rowI = c + i * cols + firstCol
            for j in 0..<width { rowI[j] -= tv * w[j] }
        }
    }
}

// MARK: - QR

extension NativeLinalg {
    /// Householder QR in place (LAPACK `?geqr2`): `A = Q R` with `Q = H₀ H₁ ⋯ H_{k−1}`,
    /// `k = min(m, n)`.
    ///
    /// Step `j` builds the reflector `H_j` that zeroes `A[j+1..<m, j]` (see
    /// ``makeReflector(alpha:x:count:stride:)``) and applies it to the columns right of `j`.
    /// On return the upper triangle holds `R`, the entries below the diagonal of column `j`
    /// hold `v_j[1...]`, and `tau[j]` holds `τ_j` — the same compact form LAPACK uses.
    ///
    /// - Parameters:
    ///   - a: `m × n` row-major, overwritten.
    /// - Returns: `τ` (length `min(m, n)`).
    /// - Complexity: `2n²(m − n/3)` flops.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func householderQR<T: BinaryFloatingPoint & Real>(_ a: inout [T], m: Int, n: Int) -> [T] {
        let k = min(m, n)
        var tau = [T](repeating: 0, count: k)
        var work = [T](repeating: 0, count: n)
        a.withUnsafeMutableBufferPointer { aBuf in
            work.withUnsafeMutableBufferPointer { wBuf in
                guard let p = aBuf.baseAddress, let w = wBuf.baseAddress else { return }
                for j in 0..<k {
                    let below = m - j - 1
                    var alpha = p[j * n + j]
                    let t = makeReflector(alpha: &alpha, x: p + (j + 1) * n + j, count: below, stride: n)
                    p[j * n + j] = alpha
                    tau[j] = t
                    applyReflector(tau: t, v: p + (j + 1) * n + j, vStride: n,
                                   to: p, rows: m, cols: n, firstRow: j, firstCol: j + 1, work: w)
                }
            }
        }
        return tau
    }

    /// Forms the first `qCols` columns of `Q = H₀ H₁ ⋯ H_{k−1}` from the compact form of
    /// ``householderQR(_:m:n:)`` (LAPACK `?org2r`).
    ///
    /// Backward accumulation: start from the first `qCols` columns of the identity and apply
    /// `H_{k−1}`, …, `H₀` from the left. When `H_j` is applied, rows `≥ j` of columns `< j`
    /// are still zero, so only columns `≥ j` need updating.
    ///
    /// - Parameters:
    ///   - factors: the `m × n` output of `householderQR`.
    ///   - tau: its `τ`.
    ///   - qCols: `min(m, n)` for the reduced `Q`, `m` for the complete one.
    /// - Returns: `Q`, `m × qCols` row-major.
    /// - Complexity: about `4mk·qCols − 2k²(m + qCols) + 4k³/3` flops.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func formQ<T: BinaryFloatingPoint & Real>(factors: [T], tau: [T], m: Int, n: Int, qCols: Int) -> [T] {
        var q = [T](repeating: 0, count: m * qCols)
        for i in 0..<min(m, qCols) { q[i * qCols + i] = 1 }
        var work = [T](repeating: 0, count: qCols)
        factors.withUnsafeBufferPointer { fBuf in
            q.withUnsafeMutableBufferPointer { qBuf in
                work.withUnsafeMutableBufferPointer { wBuf in
                    guard let f = fBuf.baseAddress, let p = qBuf.baseAddress, let w = wBuf.baseAddress else { return }
                    for j in stride(from: tau.count - 1, through: 0, by: -1) {
                        applyReflector(tau: tau[j], v: f + (j + 1) * n + j, vStride: n,
                                       to: p, rows: m, cols: qCols, firstRow: j, firstCol: j, work: w)
                    }
                }
            }
        }
        return q
    }

    /// Multiplies `C` (`m × p`, row-major, in place) by `Q` or `Qᵀ` from the left, where `Q`
    /// is held in the compact form of ``householderQR(_:m:n:)`` (LAPACK `?orm2r`).
    ///
    /// `Q C = H₀(H₁(⋯ H_{k−1} C))` applies the reflectors last to first; `Qᵀ C` first to last.
    /// - Complexity: `4mkp − 2k²p` flops.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func applyQ<T: BinaryFloatingPoint & Real>(
        factors: [T], tau: [T], m: Int, n: Int, to c: inout [T], p: Int, transpose: Bool
    ) {
        var work = [T](repeating: 0, count: p)
        factors.withUnsafeBufferPointer { fBuf in
            c.withUnsafeMutableBufferPointer { cBuf in
                work.withUnsafeMutableBufferPointer { wBuf in
                    guard let f = fBuf.baseAddress, let pc = cBuf.baseAddress, let w = wBuf.baseAddress else { return }
                    let order = transpose ? Array(0..<tau.count) : Array((0..<tau.count).reversed())
                    for j in order {
                        applyReflector(tau: tau[j], v: f + (j + 1) * n + j, vStride: n,
                                       to: pc, rows: m, cols: p, firstRow: j, firstCol: 0, work: w)
                    }
                }
            }
        }
    }

    /// QR decomposition `A = Q R` of an `m × n` row-major matrix, as `numpy.linalg.qr`.
    ///
    /// Householder QR (``householderQR(_:m:n:)``) followed by forming `Q`
    /// (``formQ(factors:tau:m:n:qCols:)``), which is what NumPy does with LAPACK
    /// `?geqrf` + `?orgqr`; the signs of `R`'s diagonal therefore agree with NumPy's.
    ///
    /// - Parameters:
    ///   - a: `m × n` row-major.
    ///   - mode: `.reduced` (`Q` `m × k`, `R` `k × n`, `k = min(m, n)`), `.complete`
    ///     (`Q` `m × m`, `R` `m × n`) or `.r` (only `R`, `k × n`).
    /// - Complexity: `2n²(m − n/3)` flops for `R`, about as much again for `Q`.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func qr<T: BinaryFloatingPoint & Real>(_ a: [T], m: Int, n: Int, mode: QRMode) -> QRDecomposition<T> {
        var factors = a
        let tau = householderQR(&factors, m: m, n: n)
        let k = min(m, n)
        let rRows = mode == .complete ? m : k
        var r = [T](repeating: 0, count: rRows * n)
        for i in 0..<k {
            for j in i..<n { r[i * n + j] = factors[i * n + j] }
        }
        if mode == .r {
            return QRDecomposition(q: [], r: r, rows: m, cols: n, k: k)
        }
        let qCols = mode == .complete ? m : k
        let q = formQ(factors: factors, tau: tau, m: m, n: n, qCols: qCols)
        return QRDecomposition(q: q, r: r, rows: m, cols: n, k: qCols)
    }
}

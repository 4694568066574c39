import CSwiftLearnKernels
import RealModule

/// The LAPACK backend of ``Linalg``: the same operations as `NativeLinalg`, routed through
/// the run-time loaded LAPACK (`sl_lapack_*` in `CSwiftLearnKernels`), as NumPy does.
///
/// LAPACK is column-major; the public API is row-major. A row-major `m × n` buffer read
/// column-major is the `n × m` matrix `Aᵀ`, so each routine either transposes on the way in and
/// out (`O(mn)`, negligible next to the `O(n³)` work), or uses the transpose directly where
/// that is exact (Cholesky and `eigh` of a symmetric matrix: the lower triangle of `A` is the
/// upper triangle of `Aᵀ`).
///
/// LAPACK's `info` codes map to ``LinalgError``: `info < 0` (a bad argument, a bug here) to
/// ``LinalgError/invalidArgument(_:)``, `info > 0` to the routine's own failure, `-1000` (routine
/// not found) to ``LinalgError/backendUnavailable(_:)``.
///
/// Only `Float` and `Double` are supported; ``Linalg/resolvedBackend(_:for:)`` never routes
/// other types here, and ``Linalg`` sends empty matrices (a zero dimension) to the native
/// code, so the buffers here are never empty.
enum LAPACKLinalg {
    /// Throws the ``LinalgError`` for a non-zero `info` of `routine`; `positive` builds the
    /// error for `info > 0`.
    static func check(_ info: Int32, _ routine: String, positive: (Int) -> LinalgError) throws {
        if info == 0 { return }
        if info == -1000 { throw LinalgError.backendUnavailable("LAPACK routine \(routine) is not available") }
        if info < 0 { throw LinalgError.invalidArgument("LAPACK \(routine): argument \(-info) had an illegal value") }
        throw positive(Int(info))
    }

    /// Converts a matrix dimension to LAPACK's 32-bit `int`, or throws.
    static func lapackInt(_ v: Int, _ routine: String) throws -> Int32 {
        guard let r = Int32(exactly: v) else {
            throw LinalgError.invalidArgument("LAPACK \(routine): dimension \(v) exceeds 32-bit LAPACK limits")
        }
        return r
    }

    /// Leading dimension: LAPACK requires `lda ≥ max(1, rows)`.
    static func ld(_ rows: Int) -> Int32 { Int32(max(1, rows)) }

    // MARK: LU: solve, inverse, determinant

    /// `A X = B` by `?gesv` (`A` `n × n`, `B` `n × nrhs`, row-major in and out).
    static func solve<T: BinaryFloatingPoint & Real>(_ a: [T], _ b: [T], n: Int, nrhs: Int) throws -> [T] {
        let n32 = try lapackInt(n, "gesv"), nrhs32 = try lapackInt(nrhs, "gesv")
        var colA = NativeLinalg.transpose(a, rows: n, cols: n)
        var colB = NativeLinalg.transpose(b, rows: n, cols: nrhs)
        var ipiv = [Int32](repeating: 0, count: max(1, n))
        let info = LAPACKCall.gesv(n32, nrhs32, &colA, ld(n), &ipiv, &colB, ld(n))
        try check(info, "gesv") { .singularMatrix(pivot: $0 - 1) }
        return NativeLinalg.transpose(colB, rows: nrhs, cols: n)
    }

    /// `A⁻¹` by `?gesv` with `B = I`, as `numpy.linalg.inv`.
    static func inverse<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int) throws -> [T] {
        var identity = [T](repeating: 0, count: n * n)
        for i in 0..<n { identity[i * n + i] = 1 }
        return try solve(a, identity, n: n, nrhs: n)
    }

    /// `?getrf` of `A` (column-major copy): the factors and the pivots (1-based).
    static func luFactors<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int) throws -> (lu: [T], ipiv: [Int32]) {
        let n32 = try lapackInt(n, "getrf")
        var colA = NativeLinalg.transpose(a, rows: n, cols: n)
        var ipiv = [Int32](repeating: 0, count: max(1, n))
        let info = LAPACKCall.getrf(n32, n32, &colA, ld(n), &ipiv)
        // info > 0: exactly singular, the factorization is still complete; det is 0.
        if info < 0 || info == -1000 { try check(info, "getrf") { _ in .invalidArgument("") } }
        return (colA, ipiv)
    }

    /// `det A` from `?getrf`, as `numpy.linalg.det`.
    static func det<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int) throws -> T {
        let (lu, ipiv) = try luFactors(a, n: n)
        var d: T = 1
        for k in 0..<n {
            d *= lu[k * n + k]
            if ipiv[k] != Int32(k + 1) { d = -d }
        }
        return d
    }

    /// `(sign, log |det A|)` from `?getrf`, as `numpy.linalg.slogdet`.
    static func slogdet<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int) throws -> (sign: T, logAbsDet: T) {
        let (lu, ipiv) = try luFactors(a, n: n)
        var sign: T = 1
        var logAbs: T = 0
        for k in 0..<n {
            let d = lu[k * n + k]
            if d == 0 { return (0, -.infinity) }
            if ipiv[k] != Int32(k + 1) { sign = -sign }
            if d < 0 { sign = -sign }
            logAbs += T.log(abs(d))
        }
        return (sign, logAbs)
    }

    // MARK: Cholesky

    /// `L` with `A = L Lᵀ` by `?potrf`. The row-major buffer is `Aᵀ` column-major, whose upper
    /// triangle is `A`'s lower triangle; `potrf('U')` on it yields `Uᵀ = L` read row-major.
    static func cholesky<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int) throws -> [T] {
        let n32 = try lapackInt(n, "potrf")
        var l = a
        let info = LAPACKCall.potrf(CChar(UInt8(ascii: "U")), n32, &l, ld(n))
        try check(info, "potrf") { .notPositiveDefinite(order: $0) }
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) { l[i * n + j] = 0 }
        }
        return l
    }

    // MARK: QR

    /// `A = Q R` by `?geqrf` + `?orgqr`, exactly as `numpy.linalg.qr` calls them.
    static func qr<T: BinaryFloatingPoint & Real>(_ a: [T], m: Int, n: Int, mode: QRMode) throws -> QRDecomposition<T> {
        let m32 = try lapackInt(m, "geqrf"), n32 = try lapackInt(n, "geqrf")
        let k = min(m, n)
        var colA = NativeLinalg.transpose(a, rows: m, cols: n)   // column-major m × n, lda = m
        var tau = [T](repeating: 0, count: max(1, k))
        if m > 0 && n > 0 {
            try check(LAPACKCall.geqrf(m32, n32, &colA, ld(m), &tau), "geqrf") { _ in .invalidArgument("geqrf") }
        }
        let rRows = mode == .complete ? m : k
        var r = [T](repeating: 0, count: rRows * n)
        for i in 0..<k {
            for j in i..<n { r[i * n + j] = colA[j * m + i] }
        }
        if mode == .r { return QRDecomposition(q: [], r: r, rows: m, cols: n, k: k) }

        // Q: the first qCols columns of H₀ ⋯ H_{k−1}; orgqr needs an m × qCols array whose first
        // k columns hold the reflectors.
        let qCols = mode == .complete ? m : k
        var colQ = [T](repeating: 0, count: m * qCols)
        for j in 0..<min(n, qCols) {
            for i in 0..<m { colQ[j * m + i] = colA[j * m + i] }
        }
        if m > 0 && qCols > 0 {
            let info = LAPACKCall.orgqr(m32, Int32(qCols), Int32(k), &colQ, ld(m), tau)
            try check(info, "orgqr") { _ in .invalidArgument("orgqr") }
        }
        return QRDecomposition(q: NativeLinalg.transpose(colQ, rows: qCols, cols: m), r: r, rows: m, cols: n, k: qCols)
    }

    // MARK: SVD

    /// `A = U Σ Vᵀ` by `?gesdd` (divide and conquer), as `numpy.linalg.svd`.
    static func svd<T: BinaryFloatingPoint & Real>(
        _ a: [T], m: Int, n: Int, fullMatrices: Bool, computeUV: Bool
    ) throws -> SVDDecomposition<T> {
        let m32 = try lapackInt(m, "gesdd"), n32 = try lapackInt(n, "gesdd")
        let k = min(m, n)
        var colA = NativeLinalg.transpose(a, rows: m, cols: n)
        var s = [T](repeating: 0, count: max(1, k))
        let jobz: UInt8 = !computeUV ? UInt8(ascii: "N") : (fullMatrices ? UInt8(ascii: "A") : UInt8(ascii: "S"))
        let uCols = computeUV ? (fullMatrices ? m : k) : 0
        let vtRows = computeUV ? (fullMatrices ? n : k) : 0
        var u = [T](repeating: 0, count: max(1, m * uCols))
        var vt = [T](repeating: 0, count: max(1, vtRows * n))
        if k > 0 {
            let info = LAPACKCall.gesdd(CChar(jobz), m32, n32, &colA, ld(m), &s, &u, ld(m), &vt, ld(vtRows))
            try check(info, "gesdd") { _ in .didNotConverge("LAPACK gesdd: the divide-and-conquer SVD did not converge") }
        } else if computeUV {
            // An empty A: U and Vᵀ are identities of their (possibly zero) orders.
            for i in 0..<min(m, uCols) { u[i * m + i] = 1 }
            for i in 0..<min(n, vtRows) { vt[i * max(1, vtRows) + i] = 1 }
        }
        s = Array(s.prefix(k))
        guard computeUV else { return SVDDecomposition(u: [], s: s, vt: [], rows: m, cols: n, uCols: 0, vtRows: 0) }
        return SVDDecomposition(
            u: NativeLinalg.transpose(Array(u.prefix(m * uCols)), rows: uCols, cols: m), s: s,
            vt: NativeLinalg.transpose(Array(vt.prefix(vtRows * n)), rows: n, cols: vtRows),
            rows: m, cols: n, uCols: uCols, vtRows: vtRows)
    }

    // MARK: Symmetric eigendecomposition

    /// Eigenvalues ascending and eigenvectors by `?syevd`, as `numpy.linalg.eigh(UPLO='L')`.
    /// The row-major buffer is `Aᵀ` column-major, so `A`'s lower triangle is passed as `'U'`.
    static func eigh<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int, computeVectors: Bool) throws -> SymmetricEigendecomposition<T> {
        let n32 = try lapackInt(n, "syevd")
        var buf = a
        var w = [T](repeating: 0, count: max(1, n))
        if n > 0 {
            let jobz = CChar(UInt8(ascii: computeVectors ? "V" : "N"))
            let info = LAPACKCall.syevd(jobz, CChar(UInt8(ascii: "U")), n32, &buf, ld(n), &w)
            try check(info, "syevd") { _ in .didNotConverge("LAPACK syevd: the eigensolver did not converge") }
        }
        let values = Array(w.prefix(n))
        guard computeVectors else { return SymmetricEigendecomposition(eigenvalues: values, eigenvectors: []) }
        // Column-major V (eigenvector i in column i) → row-major V.
        return SymmetricEigendecomposition(eigenvalues: values, eigenvectors: NativeLinalg.transpose(buf, rows: n, cols: n))
    }

    // MARK: Least squares

    /// Minimum-norm least squares by `?gelsd`, as `numpy.linalg.lstsq` (including its rule for
    /// the residuals: the squared norms of rows `n..<m` of the transformed right-hand side).
    static func lstsq<T: BinaryFloatingPoint & Real>(
        _ a: [T], _ b: [T], m: Int, n: Int, nrhs: Int, rcond: T?
    ) throws -> LeastSquaresSolution<T> {
        let m32 = try lapackInt(m, "gelsd"), n32 = try lapackInt(n, "gelsd"), nrhs32 = try lapackInt(nrhs, "gelsd")
        let k = min(m, n)
        let ldb = max(1, m, n)
        var colA = NativeLinalg.transpose(a, rows: m, cols: n)
        var colB = [T](repeating: 0, count: ldb * max(1, nrhs))
        for i in 0..<m {
            for j in 0..<nrhs { colB[j * ldb + i] = b[i * nrhs + j] }
        }
        var s = [T](repeating: 0, count: max(1, k))
        var rank: Int32 = 0
        let cutoff = rcond ?? T.ulpOfOne * T(max(m, n))
        if k > 0 {
            let info = LAPACKCall.gelsd(m32, n32, nrhs32, &colA, ld(m), &colB, Int32(ldb), &s, cutoff, &rank)
            try check(info, "gelsd") { _ in .didNotConverge("LAPACK gelsd: the SVD did not converge") }
        }
        var x = [T](repeating: 0, count: n * nrhs)
        for i in 0..<n {
            for j in 0..<nrhs { x[i * nrhs + j] = colB[j * ldb + i] }
        }
        var residuals: [T] = []
        if Int(rank) == n && m > n {
            residuals = (0..<nrhs).map { j in
                var sum: T = 0
                for i in n..<m { sum += colB[j * ldb + i] * colB[j * ldb + i] }
                return sum
            }
        }
        return LeastSquaresSolution(solution: x, residuals: residuals, rank: Int(rank), singularValues: Array(s.prefix(k)))
    }
}

/// Calls the `Double` or `Float` variant of a `sl_lapack_*` wrapper for a generic element type.
///
/// `T` is always `Double` or `Float` here (``Linalg/resolvedBackend(_:for:)`` guarantees it), so
/// the buffers are reinterpreted without copying; any other type answers `-1000`
/// ("unavailable"), which the caller turns into ``LinalgError/backendUnavailable(_:)``.
enum LAPACKCall {
    /// Reinterprets a pointer to `T` as a pointer to `U` (`T == U` at run time).
    @inline(__always)
    static func cast<T, U>(_ p: UnsafeMutablePointer<T>, _: U.Type) -> UnsafeMutablePointer<U> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: U.self)
    }

    /// `?gesv`.
    static func gesv<T>(_ n: Int32, _ nrhs: Int32, _ a: inout [T], _ lda: Int32, _ ipiv: inout [Int32], _ b: inout [T], _ ldb: Int32) -> Int32 {
        a.withUnsafeMutableBufferPointer { pa in
            b.withUnsafeMutableBufferPointer { pb in
                ipiv.withUnsafeMutableBufferPointer { pi in
                    let a = pa.baseAddress!, b = pb.baseAddress!, ip = pi.baseAddress!
                    if T.self == Double.self { return sl_lapack_gesv_d(n, nrhs, cast(a, Double.self), lda, ip, cast(b, Double.self), ldb) }
                    if T.self == Float.self { return sl_lapack_gesv_s(n, nrhs, cast(a, Float.self), lda, ip, cast(b, Float.self), ldb) }
                    return -1000
                }
            }
        }
    }

    /// `?getrf`.
    static func getrf<T>(_ m: Int32, _ n: Int32, _ a: inout [T], _ lda: Int32, _ ipiv: inout [Int32]) -> Int32 {
        a.withUnsafeMutableBufferPointer { pa in
            ipiv.withUnsafeMutableBufferPointer { pi in
                let a = pa.baseAddress!, ip = pi.baseAddress!
                if T.self == Double.self { return sl_lapack_getrf_d(m, n, cast(a, Double.self), lda, ip) }
                if T.self == Float.self { return sl_lapack_getrf_s(m, n, cast(a, Float.self), lda, ip) }
                return -1000
            }
        }
    }

    /// `?potrf`.
    static func potrf<T>(_ uplo: CChar, _ n: Int32, _ a: inout [T], _ lda: Int32) -> Int32 {
        a.withUnsafeMutableBufferPointer { pa in
            guard let a = pa.baseAddress else { return 0 }
            if T.self == Double.self { return sl_lapack_potrf_d(uplo, n, cast(a, Double.self), lda) }
            if T.self == Float.self { return sl_lapack_potrf_s(uplo, n, cast(a, Float.self), lda) }
            return -1000
        }
    }

    /// `?geqrf`.
    static func geqrf<T>(_ m: Int32, _ n: Int32, _ a: inout [T], _ lda: Int32, _ tau: inout [T]) -> Int32 {
        a.withUnsafeMutableBufferPointer { pa in
            tau.withUnsafeMutableBufferPointer { pt in
                let a = pa.baseAddress!, t = pt.baseAddress!
                if T.self == Double.self { return sl_lapack_geqrf_d(m, n, cast(a, Double.self), lda, cast(t, Double.self)) }
                if T.self == Float.self { return sl_lapack_geqrf_s(m, n, cast(a, Float.self), lda, cast(t, Float.self)) }
                return -1000
            }
        }
    }

    /// `?orgqr`.
    static func orgqr<T>(_ m: Int32, _ n: Int32, _ k: Int32, _ a: inout [T], _ lda: Int32, _ tau: [T]) -> Int32 {
        var tau = tau
        return a.withUnsafeMutableBufferPointer { pa in
            tau.withUnsafeMutableBufferPointer { pt in
                let a = pa.baseAddress!, t = pt.baseAddress!
                if T.self == Double.self { return sl_lapack_orgqr_d(m, n, k, cast(a, Double.self), lda, cast(t, Double.self)) }
                if T.self == Float.self { return sl_lapack_orgqr_s(m, n, k, cast(a, Float.self), lda, cast(t, Float.self)) }
                return -1000
            }
        }
    }

    /// `?gesdd`.
    static func gesdd<T>(
        _ jobz: CChar, _ m: Int32, _ n: Int32, _ a: inout [T], _ lda: Int32, _ s: inout [T],
        _ u: inout [T], _ ldu: Int32, _ vt: inout [T], _ ldvt: Int32
    ) -> Int32 {
        a.withUnsafeMutableBufferPointer { pa in
            s.withUnsafeMutableBufferPointer { ps in
                u.withUnsafeMutableBufferPointer { pu in
                    vt.withUnsafeMutableBufferPointer { pv in
                        let a = pa.baseAddress!, s = ps.baseAddress!, u = pu.baseAddress!, v = pv.baseAddress!
                        if T.self == Double.self {
                            return sl_lapack_gesdd_d(jobz, m, n, cast(a, Double.self), lda, cast(s, Double.self),
                                                     cast(u, Double.self), ldu, cast(v, Double.self), ldvt)
                        }
                        if T.self == Float.self {
                            return sl_lapack_gesdd_s(jobz, m, n, cast(a, Float.self), lda, cast(s, Float.self),
                                                     cast(u, Float.self), ldu, cast(v, Float.self), ldvt)
                        }
                        return -1000
                    }
                }
            }
        }
    }

    /// `?syevd`.
    static func syevd<T>(_ jobz: CChar, _ uplo: CChar, _ n: Int32, _ a: inout [T], _ lda: Int32, _ w: inout [T]) -> Int32 {
        a.withUnsafeMutableBufferPointer { pa in
            w.withUnsafeMutableBufferPointer { pw in
                let a = pa.baseAddress!, w = pw.baseAddress!
                if T.self == Double.self { return sl_lapack_syevd_d(jobz, uplo, n, cast(a, Double.self), lda, cast(w, Double.self)) }
                if T.self == Float.self { return sl_lapack_syevd_s(jobz, uplo, n, cast(a, Float.self), lda, cast(w, Float.self)) }
                return -1000
            }
        }
    }

    /// `?gelsd`.
    static func gelsd<T: BinaryFloatingPoint>(
        _ m: Int32, _ n: Int32, _ nrhs: Int32, _ a: inout [T], _ lda: Int32, _ b: inout [T], _ ldb: Int32,
        _ s: inout [T], _ rcond: T, _ rank: inout Int32
    ) -> Int32 {
        a.withUnsafeMutableBufferPointer { pa in
            b.withUnsafeMutableBufferPointer { pb in
                s.withUnsafeMutableBufferPointer { ps in
                    let a = pa.baseAddress!, b = pb.baseAddress!, s = ps.baseAddress!
                    if T.self == Double.self {
                        return sl_lapack_gelsd_d(m, n, nrhs, cast(a, Double.self), lda, cast(b, Double.self), ldb,
                                                 cast(s, Double.self), Double(rcond), &rank)
                    }
                    if T.self == Float.self {
                        return sl_lapack_gelsd_s(m, n, nrhs, cast(a, Float.self), lda, cast(b, Float.self), ldb,
                                                 cast(s, Float.self), Float(rcond), &rank)
                    }
                    return -1000
                }
            }
        }
    }
}

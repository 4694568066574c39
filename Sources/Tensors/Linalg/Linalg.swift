import CSwiftLearnKernels
import RealModule

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// Dense linear algebra on one matrix at a time, as `numpy.linalg`: solve, inverse,
/// determinant, Cholesky, QR, SVD, symmetric eigendecomposition, least squares and norms.
///
/// Matrices are flat **row-major** arrays with an explicit shape: element `(i, j)` of an
/// `m × n` matrix is `a[i * n + j]`. Every routine works on a single matrix, so batched
/// (`[..., m, n]`) input is handled by looping over the leading dimensions.
///
/// Each routine runs on LAPACK when a LAPACK library is found at run time (see
/// ``LinalgBackend``) and on the pure-Swift reference implementations otherwise; both agree
/// with `numpy.linalg` to about `1e-10` (float64) on well-conditioned input. Failures throw
/// ``LinalgError``.
///
/// ```swift
/// // Solve [[3, 1], [1, 2]] x = [9, 8].
/// let x = try Linalg.solve([3.0, 1, 1, 2], [9, 8], n: 2)          // [2.0, 3.0]
/// let (s, logAbs) = try Linalg.slogdet([3.0, 1, 1, 2], n: 2)      // (1.0, log 5)
/// let f = try Linalg.svd([1.0, 2, 3, 4, 5, 6], rows: 2, cols: 3, fullMatrices: false)
/// // f.u is 2 × 2, f.s has 2 values, f.vt is 2 × 3.
/// ```
public enum Linalg {}

// MARK: - Backend selection

extension Linalg {
    /// Loads BLAS/LAPACK once (through ``BLAS/loadLibrary()``, which also tames OpenBLAS's idle
    /// threads): true when a library and its LAPACK routines were found.
    private static let lapackLoaded: Bool = BLAS.loadLibrary() && sl_lapack_available() != 0

    /// True when a LAPACK library was loaded at run time (the first call tries to load it).
    public static var isLAPACKAvailable: Bool { lapackLoaded }

    /// True when `SWIFTLEARN_LAPACK=native` or `SWIFTLEARN_BLAS=native` is set, which makes
    /// ``LinalgBackend/auto`` choose the native implementations.
    static var nativeRequestedByEnvironment: Bool {
        for name in ["SWIFTLEARN_LAPACK", "SWIFTLEARN_BLAS"] {
            if let value = getenv(name), String(cString: value).lowercased() == "native" { return true }
        }
        return false
    }

    /// The backend a routine would run on for element type `T`: ``LinalgBackend/native`` or
    /// ``LinalgBackend/lapack`` (never `.auto`).
    ///
    /// - Throws: ``LinalgError/backendUnavailable(_:)`` when `.lapack` is requested but LAPACK
    ///   is not loaded or `T` is neither `Float` nor `Double`.
    public static func resolvedBackend<T>(_ backend: LinalgBackend = .auto, for type: T.Type) throws -> LinalgBackend {
        let supported = T.self == Double.self || T.self == Float.self
        switch backend {
        case .native:
            return .native
        case .lapack:
            guard supported else {
                throw LinalgError.backendUnavailable("LAPACK supports Float and Double, not \(T.self)")
            }
            guard isLAPACKAvailable else {
                throw LinalgError.backendUnavailable("no LAPACK library could be loaded (set SWIFTLEARN_BLAS_PATH, or install OpenBLAS)")
            }
            return .lapack
        case .auto:
            if !supported || nativeRequestedByEnvironment || !isLAPACKAvailable { return .native }
            return .lapack
        }
    }

    /// True when the operation on these operands runs on LAPACK. Empty operands (a zero
    /// dimension) always take the native path, which handles them without special cases.
    static func useLAPACK<T>(_ backend: LinalgBackend, _ type: T.Type, _ operands: [T]...) throws -> Bool {
        try resolvedBackend(backend, for: type) == .lapack && !operands.contains { $0.isEmpty }
    }

    /// Checks that `buffer` holds a `rows × cols` matrix; names the operation in the message.
    static func checkShape<T>(_ buffer: [T], rows: Int, cols: Int, _ name: String, _ op: String) throws {
        guard rows >= 0, cols >= 0 else {
            throw LinalgError.invalidArgument("\(op): negative shape [\(rows), \(cols)] for \(name)")
        }
        guard buffer.count == rows * cols else {
            throw LinalgError.invalidArgument("\(op): \(name) has \(buffer.count) elements, expected \(rows) × \(cols) = \(rows * cols)")
        }
    }
}

// MARK: - Square systems: solve, inverse, determinant

extension Linalg {
    /// Solves `A X = B` for `X`, as `numpy.linalg.solve`.
    ///
    /// LU factorization with partial pivoting, then two triangular solves (LAPACK `?gesv`).
    ///
    /// - Parameters:
    ///   - a: `A`, row-major `n × n`.
    ///   - b: `B`, row-major `n × nrhs` (a vector when `nrhs` is 1).
    ///   - n: the order of `A`.
    ///   - nrhs: the number of right-hand sides (columns of `B`).
    ///   - backend: which implementation runs (``LinalgBackend/auto`` by default).
    /// - Returns: `X`, row-major `n × nrhs`.
    /// - Throws: ``LinalgError/singularMatrix(pivot:)`` when `A` is exactly singular;
    ///   ``LinalgError/invalidArgument(_:)`` on mismatched shapes.
    /// - Complexity: `2n³/3 + 2n²·nrhs` flops.
    public static func solve<T: BinaryFloatingPoint & Real>(
        _ a: [T], _ b: [T], n: Int, nrhs: Int = 1, backend: LinalgBackend = .auto
    ) throws -> [T] {
        try checkShape(a, rows: n, cols: n, "a", "solve")
        try checkShape(b, rows: n, cols: nrhs, "b", "solve")
        if try useLAPACK(backend, T.self, a, b) { return try LAPACKLinalg.solve(a, b, n: n, nrhs: nrhs) }
        return try NativeLinalg.solve(a, b, n: n, nrhs: nrhs)
    }

    /// The inverse `A⁻¹`, as `numpy.linalg.inv` (computed by solving `A X = I`).
    ///
    /// - Parameters:
    ///   - a: row-major `n × n`.
    ///   - n: the order.
    ///   - backend: which implementation runs.
    /// - Throws: ``LinalgError/singularMatrix(pivot:)``, ``LinalgError/invalidArgument(_:)``.
    /// - Complexity: `8n³/3` flops.
    public static func inverse<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int, backend: LinalgBackend = .auto) throws -> [T] {
        try checkShape(a, rows: n, cols: n, "a", "inverse")
        if try useLAPACK(backend, T.self, a) { return try LAPACKLinalg.inverse(a, n: n) }
        return try NativeLinalg.inverse(a, n: n)
    }

    /// The determinant, as `numpy.linalg.det`: `(−1)^(row swaps) · ∏ U[k, k]` from `P A = L U`.
    ///
    /// A singular matrix gives `0` (no error). For large matrices prefer
    /// ``slogdet(_:n:backend:)``, which cannot overflow.
    ///
    /// - Parameters:
    ///   - a: row-major `n × n`.
    ///   - n: the order (`det` of a `0 × 0` matrix is `1`).
    ///   - backend: which implementation runs.
    /// - Throws: ``LinalgError/invalidArgument(_:)`` on a bad shape.
    /// - Complexity: `2n³/3` flops.
    public static func det<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int, backend: LinalgBackend = .auto) throws -> T {
        try checkShape(a, rows: n, cols: n, "a", "det")
        if try useLAPACK(backend, T.self, a) { return try LAPACKLinalg.det(a, n: n) }
        return NativeLinalg.det(a, n: n)
    }

    /// Sign and natural logarithm of the absolute determinant, as `numpy.linalg.slogdet`:
    /// `det A = sign · exp(logAbsDet)`. A singular matrix gives `(0, −∞)`.
    ///
    /// - Parameters:
    ///   - a: row-major `n × n`.
    ///   - n: the order.
    ///   - backend: which implementation runs.
    /// - Throws: ``LinalgError/invalidArgument(_:)`` on a bad shape.
    /// - Complexity: `2n³/3` flops.
    public static func slogdet<T: BinaryFloatingPoint & Real>(
        _ a: [T], n: Int, backend: LinalgBackend = .auto
    ) throws -> (sign: T, logAbsDet: T) {
        try checkShape(a, rows: n, cols: n, "a", "slogdet")
        if try useLAPACK(backend, T.self, a) { return try LAPACKLinalg.slogdet(a, n: n) }
        return NativeLinalg.slogdet(a, n: n)
    }
}

// MARK: - Factorizations

extension Linalg {
    /// The Cholesky factor `L` of a symmetric positive-definite matrix, `A = L Lᵀ`, as
    /// `numpy.linalg.cholesky` (lower triangular; only the lower triangle of `a` is read).
    ///
    /// - Parameters:
    ///   - a: row-major `n × n`.
    ///   - n: the order.
    ///   - backend: which implementation runs (LAPACK `?potrf`).
    /// - Returns: `L`, row-major `n × n`, zeros above the diagonal.
    /// - Throws: ``LinalgError/notPositiveDefinite(order:)``, ``LinalgError/invalidArgument(_:)``.
    /// - Complexity: `n³/3` flops.
    public static func cholesky<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int, backend: LinalgBackend = .auto) throws -> [T] {
        try checkShape(a, rows: n, cols: n, "a", "cholesky")
        if try useLAPACK(backend, T.self, a) { return try LAPACKLinalg.cholesky(a, n: n) }
        return try NativeLinalg.cholesky(a, n: n)
    }

    /// The QR decomposition `A = Q R`, as `numpy.linalg.qr` (Householder; LAPACK
    /// `?geqrf` + `?orgqr`). The signs follow LAPACK's, so `R`'s diagonal may be negative.
    ///
    /// - Parameters:
    ///   - a: row-major `rows × cols`.
    ///   - rows: `m`.
    ///   - cols: `n`.
    ///   - mode: ``QRMode/reduced`` (default), ``QRMode/complete`` or ``QRMode/r``.
    ///   - backend: which implementation runs.
    /// - Throws: ``LinalgError/invalidArgument(_:)`` on a bad shape.
    /// - Complexity: `2n²(m − n/3)` flops for `R`, about the same again for `Q`.
    public static func qr<T: BinaryFloatingPoint & Real>(
        _ a: [T], rows: Int, cols: Int, mode: QRMode = .reduced, backend: LinalgBackend = .auto
    ) throws -> QRDecomposition<T> {
        try checkShape(a, rows: rows, cols: cols, "a", "qr")
        if try useLAPACK(backend, T.self, a) { return try LAPACKLinalg.qr(a, m: rows, n: cols, mode: mode) }
        return NativeLinalg.qr(a, m: rows, n: cols, mode: mode)
    }

    /// The singular value decomposition `A = U diag(s) Vᵀ`, as `numpy.linalg.svd`
    /// (singular values descending; each pair of singular vectors is unique up to sign when
    /// the singular values are distinct).
    ///
    /// Native: QR then one-sided Jacobi. LAPACK: `?gesdd` (divide and conquer), as NumPy.
    ///
    /// - Parameters:
    ///   - a: row-major `rows × cols`.
    ///   - rows: `m`.
    ///   - cols: `n`.
    ///   - fullMatrices: `U` `m × m` and `Vᵀ` `n × n` when true (default); `m × k` and `k × n`,
    ///     `k = min(m, n)`, when false.
    ///   - computeUV: when false only `s` is computed (`numpy.linalg.svd(compute_uv=False)`).
    ///   - backend: which implementation runs.
    /// - Throws: ``LinalgError/didNotConverge(_:)``, ``LinalgError/invalidArgument(_:)``.
    /// - Complexity: `O(mn·min(m, n))` flops.
    public static func svd<T: BinaryFloatingPoint & Real>(
        _ a: [T], rows: Int, cols: Int, fullMatrices: Bool = true, computeUV: Bool = true,
        backend: LinalgBackend = .auto
    ) throws -> SVDDecomposition<T> {
        try checkShape(a, rows: rows, cols: cols, "a", "svd")
        if try useLAPACK(backend, T.self, a) {
            return try LAPACKLinalg.svd(a, m: rows, n: cols, fullMatrices: fullMatrices, computeUV: computeUV)
        }
        return try NativeLinalg.svd(a, m: rows, n: cols, fullMatrices: fullMatrices, computeUV: computeUV)
    }

    /// Eigenvalues (ascending) and eigenvectors (columns) of a real symmetric matrix, as
    /// `numpy.linalg.eigh` with `UPLO='L'`: only the lower triangle of `a` is read.
    ///
    /// Native: Householder tridiagonalization + implicit QL. LAPACK: `?syevd`, as NumPy.
    ///
    /// - Parameters:
    ///   - a: row-major `n × n`.
    ///   - n: the order.
    ///   - computeVectors: when false only the eigenvalues are computed
    ///     (`numpy.linalg.eigvalsh`).
    ///   - backend: which implementation runs.
    /// - Throws: ``LinalgError/didNotConverge(_:)``, ``LinalgError/invalidArgument(_:)``.
    /// - Complexity: `O(n³)` flops.
    public static func eigh<T: BinaryFloatingPoint & Real>(
        _ a: [T], n: Int, computeVectors: Bool = true, backend: LinalgBackend = .auto
    ) throws -> SymmetricEigendecomposition<T> {
        try checkShape(a, rows: n, cols: n, "a", "eigh")
        if try useLAPACK(backend, T.self, a) {
            return try LAPACKLinalg.eigh(a, n: n, computeVectors: computeVectors)
        }
        return try NativeLinalg.eigh(a, n: n, computeVectors: computeVectors)
    }

    /// The minimum-norm least-squares solution of `A X ≈ B`, as `numpy.linalg.lstsq`.
    ///
    /// Computed from the SVD: singular values `≤ rcond · σ_max` count as zero (NumPy's rule);
    /// `X = V Σ⁺ Uᵀ B`. LAPACK: `?gelsd`, as NumPy.
    ///
    /// - Parameters:
    ///   - a: row-major `rows × cols`.
    ///   - b: row-major `rows × nrhs`.
    ///   - rows: `m`.
    ///   - cols: `n`.
    ///   - nrhs: columns of `B` (1 for a vector).
    ///   - rcond: relative cut-off for small singular values; `nil` (default) is
    ///     `ε · max(m, n)`, NumPy's `rcond=None`.
    ///   - backend: which implementation runs.
    /// - Returns: solution (`cols × nrhs`), residuals, rank and singular values; see
    ///   ``LeastSquaresSolution``.
    /// - Throws: ``LinalgError/didNotConverge(_:)``, ``LinalgError/invalidArgument(_:)``.
    /// - Complexity: `O(mn·min(m, n) + (m + n)·nrhs·min(m, n))` flops.
    public static func lstsq<T: BinaryFloatingPoint & Real>(
        _ a: [T], _ b: [T], rows: Int, cols: Int, nrhs: Int = 1, rcond: T? = nil,
        backend: LinalgBackend = .auto
    ) throws -> LeastSquaresSolution<T> {
        try checkShape(a, rows: rows, cols: cols, "a", "lstsq")
        try checkShape(b, rows: rows, cols: nrhs, "b", "lstsq")
        if try useLAPACK(backend, T.self, a, b) {
            return try LAPACKLinalg.lstsq(a, b, m: rows, n: cols, nrhs: nrhs, rcond: rcond)
        }
        return try NativeLinalg.lstsq(a, b, m: rows, n: cols, nrhs: nrhs, rcond: rcond)
    }
}

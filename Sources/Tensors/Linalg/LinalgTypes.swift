/// Which implementation a ``Linalg`` routine runs on.
///
/// - ``auto``: LAPACK when a LAPACK library was loaded at run time and the element type is
///   `Float` or `Double`, unless the environment variable `SWIFTLEARN_LAPACK=native` (or
///   `SWIFTLEARN_BLAS=native`) is set; the native Swift implementation otherwise.
/// - ``native``: always the pure-Swift reference implementation.
/// - ``lapack``: always LAPACK; throws ``LinalgError/backendUnavailable(_:)`` when it cannot run.
public enum LinalgBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    /// LAPACK when available, native otherwise (the default).
    case auto
    /// The pure-Swift implementations (`NativeLinalg`).
    case native
    /// LAPACK through the run-time loaded library (OpenBLAS, Accelerate, reference LAPACK).
    case lapack

    /// The raw value, e.g. `lapack`.
    public var description: String { rawValue }
}

/// The shapes ``Linalg/qr(_:rows:cols:mode:backend:)`` returns, as `numpy.linalg.qr`'s `mode`.
public enum QRMode: String, Sendable, CaseIterable {
    /// `Q` is `m × k`, `R` is `k × n`, `k = min(m, n)` (NumPy's default).
    case reduced
    /// `Q` is `m × m`, `R` is `m × n` (rows below `min(m, n)` are zero).
    case complete
    /// Only `R` (`k × n`); `q` is empty.
    case r
}

/// The result of ``Linalg/qr(_:rows:cols:mode:backend:)``: `A = Q R`, `Q` with orthonormal
/// columns, `R` upper triangular. Both row-major.
public struct QRDecomposition<T> {
    /// `Q`, row-major `rows × k` (empty for ``QRMode/r``).
    public var q: [T]
    /// `R`, row-major `k × cols`, upper triangular.
    public var r: [T]
    /// `m`, the rows of `A`.
    public var rows: Int
    /// `n`, the columns of `A`.
    public var cols: Int
    /// The columns of `Q` and rows of `R`: `min(m, n)` for reduced (and `.r`), `m` for complete.
    public var k: Int

    /// Creates a result from its parts (shapes as documented on the properties).
    public init(q: [T], r: [T], rows: Int, cols: Int, k: Int) {
        self.q = q
        self.r = r
        self.rows = rows
        self.cols = cols
        self.k = k
    }
}

/// The result of ``Linalg/svd(_:rows:cols:fullMatrices:computeUV:backend:)``:
/// `A = U diag(s) Vᵀ` with singular values descending, as `numpy.linalg.svd`.
public struct SVDDecomposition<T> {
    /// `U`, row-major `rows × uCols` (empty when `computeUV` is false).
    public var u: [T]
    /// The singular values, descending, `min(rows, cols)` of them.
    public var s: [T]
    /// `Vᵀ`, row-major `vtRows × cols` (empty when `computeUV` is false).
    public var vt: [T]
    /// `m`, the rows of `A`.
    public var rows: Int
    /// `n`, the columns of `A`.
    public var cols: Int
    /// Columns of `U`: `m` with full matrices, `min(m, n)` without, `0` without `U`.
    public var uCols: Int
    /// Rows of `Vᵀ`: `n` with full matrices, `min(m, n)` without, `0` without `Vᵀ`.
    public var vtRows: Int

    /// Creates a result from its parts (shapes as documented on the properties).
    public init(u: [T], s: [T], vt: [T], rows: Int, cols: Int, uCols: Int, vtRows: Int) {
        self.u = u
        self.s = s
        self.vt = vt
        self.rows = rows
        self.cols = cols
        self.uCols = uCols
        self.vtRows = vtRows
    }
}

/// The result of ``Linalg/eigh(_:n:computeVectors:backend:)``: `A = V diag(λ) Vᵀ`, as
/// `numpy.linalg.eigh`.
public struct SymmetricEigendecomposition<T> {
    /// The eigenvalues `λ`, ascending.
    public var eigenvalues: [T]
    /// `V`, row-major `n × n`, eigenvector `i` in **column** `i` (empty without vectors).
    /// Each eigenvector's sign is arbitrary (LAPACK and the native solver may differ).
    public var eigenvectors: [T]

    /// Creates a result from its parts.
    public init(eigenvalues: [T], eigenvectors: [T]) {
        self.eigenvalues = eigenvalues
        self.eigenvectors = eigenvectors
    }
}

/// The result of ``Linalg/lstsq(_:_:rows:cols:nrhs:rcond:backend:)``, as `numpy.linalg.lstsq`.
public struct LeastSquaresSolution<T> {
    /// The minimum-norm minimizer `X` of `‖A X − B‖`, row-major `cols × nrhs`.
    public var solution: [T]
    /// `‖A x_j − b_j‖²` for each right-hand side `j`; empty unless `rank == cols` and
    /// `rows > cols` (NumPy's rule).
    public var residuals: [T]
    /// The effective rank: the number of singular values `> rcond · σ_max`.
    public var rank: Int
    /// The singular values of `A`, descending.
    public var singularValues: [T]

    /// Creates a result from its parts.
    public init(solution: [T], residuals: [T], rank: Int, singularValues: [T]) {
        self.solution = solution
        self.residuals = residuals
        self.rank = rank
        self.singularValues = singularValues
    }
}

/// Matrix norms, as the `ord` argument of `numpy.linalg.norm` for 2-D input.
public enum MatrixNorm: String, Sendable, CaseIterable {
    /// `'fro'`: `√(Σ a_ij²)` (NumPy's default for matrices).
    case frobenius
    /// `'nuc'`: the sum of the singular values.
    case nuclear
    /// `1`: the largest column sum of `|a_ij|`.
    case one
    /// `-1`: the smallest column sum of `|a_ij|`.
    case negativeOne
    /// `2`: the largest singular value (spectral norm).
    case two
    /// `-2`: the smallest singular value.
    case negativeTwo
    /// `inf`: the largest row sum of `|a_ij|`.
    case infinity
    /// `-inf`: the smallest row sum of `|a_ij|`.
    case negativeInfinity
}

extension QRDecomposition: Sendable where T: Sendable {}

extension SVDDecomposition: Sendable where T: Sendable {}

extension SymmetricEigendecomposition: Sendable where T: Sendable {}

extension LeastSquaresSolution: Sendable where T: Sendable {}

/// A recoverable failure of a linear-algebra routine in ``Linalg``.
///
/// The cases mirror the `info` codes that LAPACK reports, so the native and the LAPACK backends
/// fail the same way on the same input:
///
/// | case                     | LAPACK                                  | NumPy message               |
/// |--------------------------|-----------------------------------------|-----------------------------|
/// | ``singularMatrix(pivot:)``        | `?getrf` / `?gesv` `info > 0`  | "Singular matrix"           |
/// | ``notPositiveDefinite(order:)``   | `?potrf` `info > 0`            | "Matrix is not positive definite" |
/// | ``didNotConverge(_:)``            | `?gesdd` / `?syevd` / `?gelsd` `info > 0` | "SVD did not converge" |
/// | ``invalidArgument(_:)``           | `info < 0`, or a shape that does not fit | shape errors          |
public enum LinalgError: Error, CustomStringConvertible, Equatable, Sendable {
    /// LU factorization met an exactly zero pivot: `U[pivot, pivot] == 0` (0-based index).
    ///
    /// The factorization itself is complete (as LAPACK's `?getrf` completes it), so the
    /// determinant is zero, but the matrix cannot be inverted or used to solve a system.
    case singularMatrix(pivot: Int)

    /// Cholesky factorization failed: the leading minor of this order (1-based, `1...n`) is not
    /// positive definite. This is LAPACK's `?potrf` `info`.
    case notPositiveDefinite(order: Int)

    /// An iterative algorithm (SVD, symmetric eigensolver) did not converge; the string names
    /// the routine and what did not converge.
    case didNotConverge(String)

    /// Shapes or arguments that do not fit the operation, e.g. a non-square matrix for
    /// ``Linalg/inverse(_:n:backend:)``, or a buffer whose length is not `rows * cols`.
    case invalidArgument(String)

    /// The requested backend cannot run here, e.g. ``LinalgBackend/lapack`` when no LAPACK
    /// library could be loaded, or for an element type other than `Float` and `Double`.
    case backendUnavailable(String)

    /// A sentence a person can act on, e.g. `singular matrix: U[2, 2] is exactly zero`.
    public var description: String {
        switch self {
        case .singularMatrix(let pivot):
            return "singular matrix: pivot U[\(pivot), \(pivot)] is exactly zero"
        case .notPositiveDefinite(let order):
            return "matrix is not positive definite: the leading minor of order \(order) is not positive"
        case .didNotConverge(let what):
            return "did not converge: \(what)"
        case .invalidArgument(let message):
            return "invalid argument: \(message)"
        case .backendUnavailable(let message):
            return "linear-algebra backend unavailable: \(message)"
        }
    }
}

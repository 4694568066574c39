import RealModule

// MARK: - Norms

extension Linalg {
    /// The vector norm of `x`, as `numpy.linalg.norm(x, ord)` for 1-D input:
    ///
    /// | `ord`        | value                          |
    /// |--------------|--------------------------------|
    /// | `2` (default)| `√(Σ xᵢ²)`                     |
    /// | `.infinity`  | `max |xᵢ|`                     |
    /// | `-.infinity` | `min |xᵢ|`                     |
    /// | `0`          | number of non-zero entries     |
    /// | `1`          | `Σ |xᵢ|`                       |
    /// | other `p`    | `(Σ |xᵢ|ᵖ)^(1/p)`              |
    ///
    /// The 2-norm is computed with scaling by the largest magnitude, so it neither overflows
    /// nor underflows where the result is representable (NumPy's `√(x·x)` can).
    ///
    /// - Parameters:
    ///   - x: the vector (any flat array; a matrix is treated as one long vector, which gives
    ///     its Frobenius norm for `ord == 2`).
    ///   - ord: the order `p`.
    /// - Returns: the norm (`0` for an empty vector and a finite positive order).
    /// - Throws: ``LinalgError/invalidArgument(_:)`` for a NaN order, or an order `±∞` with an
    ///   empty vector (NumPy raises there too: the max/min of nothing).
    /// - Complexity: `O(x.count)`.
    public static func norm<T: BinaryFloatingPoint & Real>(_ x: [T], ord: Double = 2) throws -> T {
        if ord.isNaN { throw LinalgError.invalidArgument("norm: invalid order nan") }
        if ord.isInfinite && x.isEmpty {
            throw LinalgError.invalidArgument("norm: order \(ord) of an empty vector (max/min of nothing)")
        }
        return x.withUnsafeBufferPointer { buf -> T in
            let n = buf.count
            if ord == .infinity { return buf.reduce(0) { max($0, abs($1)) } }
            if ord == -.infinity { return buf.reduce(T.infinity) { min($0, abs($1)) } }
            if ord == 0 { return T(buf.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }) }
            if ord == 1 { return buf.reduce(0) { $0 + abs($1) } }
            guard let base = buf.baseAddress else { return 0 }
            if ord == 2 { return NativeLinalg.scaledNorm(base, count: n, stride: 1) }
            let p = T(ord)
            var sum: T = 0
            for v in buf { sum += T.pow(abs(v), p) }
            return T.pow(sum, 1 / p)
        }
    }

    /// The matrix norm of `a`, as `numpy.linalg.norm(a, ord)` for 2-D input; see
    /// ``MatrixNorm`` for the definitions.
    ///
    /// The `2`, `-2` and nuclear norms need the singular values, which are computed with
    /// ``svd(_:rows:cols:fullMatrices:computeUV:backend:)`` on `backend` (as NumPy does);
    /// the others are sums over rows, columns or entries.
    ///
    /// - Parameters:
    ///   - a: row-major `rows × cols`.
    ///   - rows: `m`.
    ///   - cols: `n`.
    ///   - ord: the norm (default ``MatrixNorm/frobenius``).
    ///   - backend: which implementation computes singular values.
    /// - Throws: ``LinalgError/invalidArgument(_:)`` on a bad shape, or an empty matrix for the
    ///   norms that NumPy also rejects there; ``LinalgError/didNotConverge(_:)`` from the SVD.
    /// - Complexity: `O(mn)` for sum norms, an SVD without vectors for `2`, `-2`, `nuclear`.
    public static func norm<T: BinaryFloatingPoint & Real>(
        _ a: [T], rows: Int, cols: Int, ord: MatrixNorm = .frobenius, backend: LinalgBackend = .auto
    ) throws -> T {
        try checkShape(a, rows: rows, cols: cols, "a", "norm")
        switch ord {
        case .frobenius:
            return try norm(a, ord: 2)
        case .nuclear, .two, .negativeTwo:
            guard rows > 0, cols > 0 else {
                throw LinalgError.invalidArgument("norm: \(ord) norm of an empty \(rows) × \(cols) matrix")
            }
            let s = try svd(a, rows: rows, cols: cols, computeUV: false, backend: backend).s
            switch ord {
            case .two: return s.first!
            case .negativeTwo: return s.last!
            default: return s.reduce(0, +)
            }
        case .one, .negativeOne, .infinity, .negativeInfinity:
            guard rows > 0, cols > 0 else {
                throw LinalgError.invalidArgument("norm: \(ord) norm of an empty \(rows) × \(cols) matrix")
            }
            let byColumn = ord == .one || ord == .negativeOne
            var sums = [T](repeating: 0, count: byColumn ? cols : rows)
            for i in 0..<rows {
                for j in 0..<cols { sums[byColumn ? j : i] += abs(a[i * cols + j]) }
            }
            let largest = ord == .one || ord == .infinity
            return largest ? sums.max()! : sums.min()!
        }
    }
}

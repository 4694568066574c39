import RealModule

/// Reference implementations of dense linear algebra in plain Swift.
///
/// Every routine works on one matrix stored **row-major** in a flat buffer with explicit
/// `rows`/`cols`: element `(i, j)` of an `m × n` matrix lives at `i * n + j`. The routines are
/// generic over `T: BinaryFloatingPoint & Real` and are written to be read beside a textbook
/// (Golub & Van Loan, *Matrix Computations*; Trefethen & Bau, *Numerical Linear Algebra*):
/// one algorithm per function, the math in the doc comment, unsafe buffer pointers in the inner
/// loops and no allocation per element.
///
/// The public front door is ``Linalg``, which picks this backend or LAPACK. The files are:
/// - `NativeLinalg.swift` (this file): LU with partial pivoting (solve, inverse, determinant)
///   and Cholesky.
/// - `NativeQR.swift`: Householder QR.
/// - `NativeSVD.swift`: one-sided Jacobi SVD and minimum-norm least squares.
/// - `NativeEigen.swift`: symmetric eigendecomposition (tridiagonalization + implicit QL).
enum NativeLinalg {}

// MARK: - LU with partial pivoting

extension NativeLinalg {
    /// Factors the square matrix `a` in place as `P A = L U` with partial (row) pivoting.
    ///
    /// Right-looking Gaussian elimination (Golub & Van Loan, Algorithm 3.4.1; LAPACK `?getf2`):
    /// at step `k` the row with the largest `|a[i, k]|`, `i ≥ k`, is swapped into row `k`
    /// (the first such row on ties, as `i?amax` does); then for every row below,
    /// `l[i, k] = a[i, k] / a[k, k]` and `a[i, k+1...] -= l[i, k] · a[k, k+1...]`.
    /// On return the strict lower triangle holds `L` (unit diagonal implied) and the upper
    /// triangle holds `U`.
    ///
    /// A zero pivot does not stop the factorization (its column below the diagonal is already
    /// zero), exactly as in LAPACK, so the determinant of a singular matrix comes out as zero.
    ///
    /// - Parameters:
    ///   - a: `n × n` row-major, overwritten by `L` and `U`.
    ///   - n: the order of the matrix.
    ///   - pivots: `n` entries; row `k` was swapped with row `pivots[k]` (0-based) at step `k`.
    /// - Returns: the index of the first exactly zero pivot `U[k, k]`, or `nil`.
    /// - Complexity: `2n³/3` flops.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func luFactor<T: BinaryFloatingPoint & Real>(
        _ a: UnsafeMutableBufferPointer<T>, n: Int, pivots: UnsafeMutableBufferPointer<Int>
    ) -> Int? {
        precondition(a.count >= n * n && pivots.count >= n, "luFactor: buffers too small for n = \(n)")
        guard let base = a.baseAddress else { return nil }
        var firstZero: Int? = nil
        for k in 0..<n {
            // Choose the pivot: the largest magnitude in column k on or below the diagonal.
            var p = k
            var best = abs(base[k * n + k])
            for i in (k + 1)..<max(k + 1, n) where abs(base[i * n + k]) > best {
                best = abs(base[i * n + k])
                p = i
            }
            pivots[k] = p
            if p != k {
                let rowK = base + k * n, rowP = base + p * n
                for j in 0..<n { swap(&rowK[j], &rowP[j]) }
            }
            let pivot = base[k * n + k]
            if pivot == 0 {
                if firstZero == nil { firstZero = k }
                continue
            }
            // Eliminate below the pivot; each update is a contiguous row operation (an axpy).
            let rowK = base + k * n
            for i in (k + 1)..<max(k + 1, n) {
                let rowI = base + i * n
                let l = rowI[k] / pivot
                rowI[k] = l
                if l == 0 { continue }
                for j in (k + 1)..<n { rowI[j] -= l * rowK[j] }
            }
        }
        return firstZero
    }

    /// Solves `A X = B` in place in `b`, given the factorization from ``luFactor(_:n:pivots:)``.
    ///
    /// Applies the row interchanges to `B`, then forward substitution with the unit lower
    /// triangle `L` and back substitution with `U` (LAPACK `?getrs`). Every update is an axpy on
    /// a contiguous row of `B`.
    ///
    /// - Parameters:
    ///   - lu: the `n × n` factors.
    ///   - pivots: the row interchanges.
    ///   - b: `n × nrhs` row-major right-hand sides, overwritten by the solution.
    /// - Complexity: `2n² · nrhs` flops.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func luSolve<T: BinaryFloatingPoint & Real>(
        lu: UnsafeBufferPointer<T>, n: Int, pivots: UnsafeBufferPointer<Int>,
        b: UnsafeMutableBufferPointer<T>, nrhs: Int
    ) {
        guard n > 0, nrhs > 0, let u = lu.baseAddress, let x = b.baseAddress else { return }
        for k in 0..<n where pivots[k] != k {
            let rowK = x + k * nrhs, rowP = x + pivots[k] * nrhs
            for j in 0..<nrhs { swap(&rowK[j], &rowP[j]) }
        }
        // L y = P b  (unit diagonal).
        for i in 0..<n {
            let rowI = x + i * nrhs
            for k in 0..<i {
                let l = u[i * n + k]
                if l == 0 { continue }
                let rowK = x + k * nrhs
                for j in 0..<nrhs { rowI[j] -= l * rowK[j] }
            }
        }
        // U x = y.
        for i in stride(from: n - 1, through: 0, by: -1) {
            let rowI = x + i * nrhs
            for k in (i + 1)..<max(i + 1, n) {
                let uik = u[i * n + k]
                if uik == 0 { continue }
                let rowK = x + k * nrhs
                for j in 0..<nrhs { rowI[j] -= uik * rowK[j] }
            }
            let d = u[i * n + i]
            for j in 0..<nrhs { rowI[j] /= d }
        }
    }

    /// Solves `A X = B` for square `A` (`n × n`) and `B` (`n × nrhs`), both row-major.
    ///
    /// - Throws: ``LinalgError/singularMatrix(pivot:)`` when `U` has an exactly zero pivot.
    /// - Complexity: `2n³/3 + 2n² · nrhs` flops, `n²` extra storage.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func solve<T: BinaryFloatingPoint & Real>(_ a: [T], _ b: [T], n: Int, nrhs: Int) throws -> [T] {
        var lu = a
        var x = b
        var pivots = [Int](repeating: 0, count: n)
        let zero = lu.withUnsafeMutableBufferPointer { luBuf in
            pivots.withUnsafeMutableBufferPointer { luFactor(luBuf, n: n, pivots: $0) }
        }
        if let zero { throw LinalgError.singularMatrix(pivot: zero) }
        lu.withUnsafeBufferPointer { luBuf in
            pivots.withUnsafeBufferPointer { pivBuf in
                x.withUnsafeMutableBufferPointer { luSolve(lu: luBuf, n: n, pivots: pivBuf, b: $0, nrhs: nrhs) }
            }
        }
        return x
    }

    /// The inverse of the square matrix `a` (`n × n`), computed as the solution of `A X = I`
    /// (as `numpy.linalg.inv` does).
    ///
    /// - Throws: ``LinalgError/singularMatrix(pivot:)``.
    /// - Complexity: `8n³/3` flops.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func inverse<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int) throws -> [T] {
        var identity = [T](repeating: 0, count: n * n)
        for i in 0..<n { identity[i * n + i] = 1 }
        return try solve(a, identity, n: n, nrhs: n)
    }

    /// Sign and natural logarithm of `|det A|` from an LU factorization:
    /// `det A = (−1)^(number of interchanges) · ∏ U[k, k]`.
    ///
    /// Summing logarithms instead of multiplying avoids overflow and underflow for large `n`
    /// (`numpy.linalg.slogdet`). A singular matrix gives `(0, −∞)`.
    ///
    /// - Complexity: `2n³/3` flops.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func slogdet<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int) -> (sign: T, logAbsDet: T) {
        var lu = a
        var pivots = [Int](repeating: 0, count: n)
        _ = lu.withUnsafeMutableBufferPointer { luBuf in
            pivots.withUnsafeMutableBufferPointer { luFactor(luBuf, n: n, pivots: $0) }
        }
        var sign: T = 1
        var logAbs: T = 0
        for k in 0..<n {
            let d = lu[k * n + k]
            if d == 0 { return (0, -.infinity) }
            if pivots[k] != k { sign = -sign }
            if d < 0 { sign = -sign }
            logAbs += T.log(abs(d))
        }
        return (sign, logAbs)
    }

    /// The determinant `det A = (−1)^(interchanges) · ∏ U[k, k]` from an LU factorization.
    ///
    /// The diagonal is multiplied directly (as `numpy.linalg.det` does), so very large matrices
    /// may overflow to `±∞` or underflow to `0`; use ``slogdet(_:n:)`` there.
    ///
    /// - Complexity: `2n³/3` flops.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func det<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int) -> T {
        var lu = a
        var pivots = [Int](repeating: 0, count: n)
        _ = lu.withUnsafeMutableBufferPointer { luBuf in
            pivots.withUnsafeMutableBufferPointer { luFactor(luBuf, n: n, pivots: $0) }
        }
        var d: T = 1
        for k in 0..<n {
            d *= lu[k * n + k]
            if pivots[k] != k { d = -d }
        }
        return d
    }
}

// MARK: - Cholesky

extension NativeLinalg {
    /// The Cholesky factor `L` (lower triangular, positive diagonal) with `A = L Lᵀ`.
    ///
    /// Row-by-row (Cholesky–Banachiewicz) form: for `i = 0..<n` and `j ≤ i`,
    ///
    ///     s       = A[i, j] − Σ_{k<j} L[i, k] · L[j, k]
    ///     L[i, i] = √s                  (j == i; s must be > 0)
    ///     L[i, j] = s / L[j, j]          (j <  i)
    ///
    /// Both sums run over contiguous row prefixes of `L`. Only the lower triangle of `A` is read
    /// (as `numpy.linalg.cholesky` does); the upper triangle of the result is zero.
    ///
    /// - Parameters:
    ///   - a: `n × n` row-major, symmetric positive definite (lower triangle used).
    ///   - n: the order.
    /// - Throws: ``LinalgError/notPositiveDefinite(order:)`` with the order of the first leading
    ///   minor whose pivot `s` is not positive (or is NaN).
    /// - Complexity: `n³/3` flops.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func cholesky<T: BinaryFloatingPoint & Real>(_ a: [T], n: Int) throws -> [T] {
        var l = [T](repeating: 0, count: n * n)
        let failedOrder: Int? = a.withUnsafeBufferPointer { aBuf in
            l.withUnsafeMutableBufferPointer { lBuf -> Int? in
                guard let src = aBuf.baseAddress, let dst = lBuf.baseAddress else { return nil }
                for i in 0..<n {
                    let rowI = dst + i * n
                    for j in 0...i {
                        let rowJ = dst + j * n
                        var s = src[i * n + j]
                        for k in 0..<j { s -= rowI[k] * rowJ[k] }
                        if j == i {
                            guard s > 0 else { return i + 1 }  // also catches NaN
                            rowI[i] = T.sqrt(s)
                        } else {
                            rowI[j] = s / rowJ[j]
                        }
                    }
                }
                return nil
            }
        }
        if let failedOrder { throw LinalgError.notPositiveDefinite(order: failedOrder) }
        return l
    }
}

// MARK: - Small helpers shared by the native routines

extension NativeLinalg {
    /// `C = A · B` for row-major `A` (`m × k`) and `B` (`k × n`), by the cache-friendly
    /// `i-k-j` loop order (every inner loop is an axpy over a contiguous row of `B` and `C`).
    ///
    /// A plain reference product for the small internal uses here; the fast GEMM lives in the
    /// kernels. - Complexity: `2mkn` flops.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func matmul<T: BinaryFloatingPoint>(_ a: [T], _ b: [T], m: Int, k: Int, n: Int) -> [T] {
        var c = [T](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { aBuf in
            b.withUnsafeBufferPointer { bBuf in
                c.withUnsafeMutableBufferPointer { cBuf in
                    guard let pa = aBuf.baseAddress, let pb = bBuf.baseAddress,
                          let pc = cBuf.baseAddress else { return }
                    for i in 0..<m {
                        let rowC = pc + i * n
                        for p in 0..<k {
                            let aip = pa[i * k + p]
                            if aip == 0 { continue }
                            let rowB = pb + p * n
                            for j in 0..<n { rowC[j] += aip * rowB[j] }
                        }
                    }
                }
            }
        }
        return c
    }

    /// The transpose of a row-major `rows × cols` matrix (so a `cols × rows` row-major matrix;
    /// equivalently, the same matrix in column-major order). - Complexity: `rows · cols`.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func transpose<T>(_ a: [T], rows: Int, cols: Int) -> [T] {
        guard rows * cols > 0 else { return [] }
        return [T](unsafeUninitializedCapacity: rows * cols) { out, count in
            a.withUnsafeBufferPointer { src in
                for i in 0..<rows {
                    for j in 0..<cols {
                        (out.baseAddress! + j * rows + i).initialize(to: src[i * cols + j])
                    }
                }
            }
            count = rows * cols
        }
    }
}

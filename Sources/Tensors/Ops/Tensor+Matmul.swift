import SwiftLearnCore
// Matrix products with NumPy's `matmul` rules: 1-D operands are promoted to matrices and the
// added axis removed afterwards; leading (batch) axes broadcast. Float products run on GEMM
// (BLAS or the native kernel); transposed views are passed as transpose flags, not copied.

extension Tensor {
    /// The matrix product (NumPy's `@` / `matmul`). d/dA = G·Bᵀ, d/dB = Aᵀ·G.
    public func matmul(_ other: Tensor) -> Tensor {
        ensure(rank >= 1 && other.rank >= 1, "matmul: operands must have at least one dimension, got shapes \(shape) and \(other.shape)")
        if rank == 1 && other.rank == 1 {
            ensure(shape[0] == other.shape[0], "matmul: shapes \(shape) and \(other.shape) are not aligned")
            return unsqueezed(0).matmul(other.unsqueezed(1)).reshaped([])
        }
        if rank == 1 { return unsqueezed(0).matmul(other).squeezed(-2) }
        if other.rank == 1 { return matmul(other.unsqueezed(1)).squeezed(-1) }
        let a = self, b = other
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], k2 = b.shape[b.rank - 2], n = b.shape[b.rank - 1]
        ensure(k == k2, "matmul: shapes \(a.shape) and \(b.shape) are not aligned: \(k) (dim \(a.rank - 1)) != \(k2) (dim \(b.rank - 2))")
        let batch = broadcastShapes(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul")
        let t = DType.promote(a.dtype, b.dtype)
        let y = Tensor.batchedProduct(a.detached().to(t), b.detached().to(t), batch: batch, m: m, n: n, k: k)
        guard GradMode.isEnabled, a.node != nil || b.node != nil else { return y }
        let ad = a.detached(), bd = b.detached(), needA = a.node != nil, needB = b.node != nil
        return Tensor.record(y, [a, b], "matmul") { g in
            [needA ? g.matmul(bd.transposed()) : nil, needB ? ad.transposed().matmul(g) : nil]
        }
    }

    /// How a 2-D matrix view can be handed to GEMM without a copy: (transposed, leading dim).
    private static func gemmLayout(rows: Int, cols: Int, rowStride: Int, colStride: Int) -> (Bool, Int)? {
        if colStride == 1 && (rowStride >= Swift.max(cols, 1) || rows == 1) { return (false, Swift.max(rowStride, cols, 1)) }
        if rowStride == 1 && (colStride >= Swift.max(rows, 1) || cols == 1) { return (true, Swift.max(colStride, rows, 1)) }
        return nil
    }

    private static func batchedProduct(_ a: Tensor, _ b: Tensor, batch: [Int], m: Int, n: Int, k: Int) -> Tensor {
        let dt = a.dtype
        guard dt.isFloatingPoint else {
            return integerProduct(a.to(.int64), b.to(.int64), batch: batch, m: m, n: n, k: k).to(dt)
        }
        let out = Tensor(uninitializedShape: batch + [m, n], dtype: dt)
        // Operands as [batch..., rows, cols] views with broadcast batch strides (0 where broadcast).
        var a = a, b = b
        var la = gemmLayout(rows: m, cols: k, rowStride: a.strides[a.rank - 2], colStride: a.strides[a.rank - 1])
        if la == nil { a = a.copied(); la = (false, k) }
        var lb = gemmLayout(rows: k, cols: n, rowStride: b.strides[b.rank - 2], colStride: b.strides[b.rank - 1])
        if lb == nil { b = b.copied(); lb = (false, n) }
        let aBatch = Tensor(storage: a.storage, shape: Array(a.shape.dropLast(2)), strides: Array(a.strides.dropLast(2)), offset: a.offset, dtype: dt)
            .broadcastStrides(to: batch)
        let bBatch = Tensor(storage: b.storage, shape: Array(b.shape.dropLast(2)), strides: Array(b.strides.dropLast(2)), offset: b.offset, dtype: dt)
            .broadcastStrides(to: batch)
        let count = batch.reduce(1, *)
        let plan = LoopPlan(shape: batch, strides: [aBatch, bBatch])
        var offsets: [(Int, Int)] = []
        offsets.reserveCapacity(count)
        if count > 0 {
            plan.forEachRunSequential { offs, len in
                for i in 0..<len { offsets.append((offs[0] + i * plan.innerStrides[0], offs[1] + i * plan.innerStrides[1])) }
            }
        }
        let (ta, lda) = la!, (tb, ldb) = lb!
        // Many small products: one thread each. Few large ones: each GEMM uses every core.
        let perProduct = m * n * k
        let parallelBatches = count > 1 && perProduct < 128 * 128 * 128
        func run<T: FloatScalar>(_: T.Type) {
            let pa = UnsafePointer(a.pointer(as: T.self)), pb = UnsafePointer(b.pointer(as: T.self)), pc = out.pointer(as: T.self)
            if parallelBatches {
                Parallel.forRange(count, cost: perProduct) { s, e in
                    for i in s..<e { Gemm.run(ta, tb, m: m, n: n, k: k, pa + offsets[i].0, lda: lda, pb + offsets[i].1, ldb: ldb, pc + i * m * n, ldc: n, threads: 1) }
                }
            } else {
                for i in 0..<count { Gemm.run(ta, tb, m: m, n: n, k: k, pa + offsets[i].0, lda: lda, pb + offsets[i].1, ldb: ldb, pc + i * m * n, ldc: n) }
            }
        }
        if dt == .float32 { run(Float.self) } else { run(Double.self) }
        return out
    }

    /// Integer matmul (wrapping int64 accumulation), a plain triple loop.
    private static func integerProduct(_ a: Tensor, _ b: Tensor, batch: [Int], m: Int, n: Int, k: Int) -> Tensor {
        let a = a.expanded(to: batch + [m, k]).contiguous(), b = b.expanded(to: batch + [k, n]).contiguous()
        let out = Tensor.zeros(batch + [m, n], dtype: .int64)
        let pa = a.pointer(as: Int64.self), pb = b.pointer(as: Int64.self), pc = out.pointer(as: Int64.self)
        for bi in 0..<batch.reduce(1, *) {
            for i in 0..<m {
                for p in 0..<k {
                    let av = pa[bi * m * k + i * k + p]
                    for j in 0..<n { pc[bi * m * n + i * n + j] &+= av &* pb[bi * k * n + p * n + j] }
                }
            }
        }
        return out
    }

    /// Inner product of two 1-D tensors (a 0-d tensor).
    public func dot(_ other: Tensor) -> Tensor {
        ensure(rank == 1 && other.rank == 1, "dot: expects 1-D tensors, got shapes \(shape) and \(other.shape)")
        return matmul(other)
    }

    /// Outer product of two 1-D tensors: `out[i, j] = a[i] · b[j]`.
    public func outer(_ other: Tensor) -> Tensor {
        ensure(rank == 1 && other.rank == 1, "outer: expects 1-D tensors, got shapes \(shape) and \(other.shape)")
        return unsqueezed(1) * other.unsqueezed(0)
    }
}

/// Matrix product (NumPy's `matmul`).
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor { a.matmul(b) }

infix operator •: MultiplicationPrecedence
/// Matrix product operator (`a • b`, NumPy's `a @ b`).
public func • (a: Tensor, b: Tensor) -> Tensor { a.matmul(b) }

import Tensors
import SwiftLearnCore
import CSwiftLearnKernels

// Fused dense (Linear) forward and backward on raw pointers: one GEMM each way, the bias added in
// the same pass over the output, so a Linear layer is a single autograd node.

enum DenseKernels {
    /// y[M, N] = relu(x[M, K] · w[N, K]ᵀ + b[N]): the GEMM, then bias and ReLU in one pass.
    static func forwardReLU<T: FloatScalar>(_: T.Type, x: Tensor, w: Tensor, b: Tensor?, m: Int, n: Int, k: Int) -> Tensor {
        let y = Tensor.uninitialized([m, n], dtype: x.dtype)
        let px = UnsafePointer(x.raw(T.self)), pw = UnsafePointer(w.raw(T.self)), py = y.raw(T.self)
        BLAS.gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, a: px, lda: k, b: pw, ldb: k, c: py, ldc: n)
        if T.self == Float.self {
            sl_bias_relu_f32(UnsafeMutableRawPointer(py).assumingMemoryBound(to: Float.self),
                             b.map { UnsafeRawPointer($0.raw(T.self)).assumingMemoryBound(to: Float.self) }, m, n)
        } else {
            sl_bias_relu_f64(UnsafeMutableRawPointer(py).assumingMemoryBound(to: Double.self),
                             b.map { UnsafeRawPointer($0.raw(T.self)).assumingMemoryBound(to: Double.self) }, m, n)
        }
        return y
    }

    /// y[M, N] = x[M, K] · w[N, K]ᵀ (+ b[N]).
    static func forward<T: FloatScalar>(_: T.Type, x: Tensor, w: Tensor, b: Tensor?, m: Int, n: Int, k: Int) -> Tensor {
        let y = Tensor.uninitialized([m, n], dtype: x.dtype)
        let px = UnsafePointer(x.raw(T.self)), pw = UnsafePointer(w.raw(T.self)), py = y.raw(T.self)
        BLAS.gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, a: px, lda: k, b: pw, ldb: k, c: py, ldc: n)
        if let b {
            let pb = UnsafePointer(b.raw(T.self))
            for i in 0..<m {
                let row = py + i * n
                for j in 0..<n { row[j] += pb[j] }
            }
        }
        return y
    }

    /// Gradients of y = x·wᵀ + b: dx = g·w, dw = gᵀ·x, db = Σ_rows g.
    static func backward<T: FloatScalar>(_: T.Type, g: Tensor, x: Tensor, w: Tensor, m: Int, n: Int, k: Int,
                                         needX: Bool, needW: Bool, needB: Bool) -> (Tensor?, Tensor?, Tensor?) {
        let pg = UnsafePointer(g.raw(T.self))
        var dx: Tensor? = nil, dw: Tensor? = nil, db: Tensor? = nil
        if needX {
            let t = Tensor.uninitialized([m, k], dtype: g.dtype)
            BLAS.gemm(m: m, n: k, k: n, a: pg, lda: n, b: UnsafePointer(w.raw(T.self)), ldb: k, c: t.raw(T.self), ldc: k)
            dx = t
        }
        if needW {
            let t = Tensor.uninitialized([n, k], dtype: g.dtype)
            BLAS.gemm(transposeA: true, m: n, n: k, k: m, a: pg, lda: n, b: UnsafePointer(x.raw(T.self)), ldb: k, c: t.raw(T.self), ldc: k)
            dw = t
        }
        if needB {
            let t = Tensor.zeros([n], dtype: g.dtype)
            let pb = t.raw(T.self)
            for i in 0..<m {
                let row = pg + i * n
                for j in 0..<n { pb[j] += row[j] }
            }
            db = t
        }
        return (dx, dw, db)
    }
}

/// `relu(x · wᵀ + b)` as one autograd node: what `Sequential` runs for a `Linear` followed by a
/// `ReLU` (same values as the two layers; one output tensor and one pass over it instead of two,
/// and the backward masks the gradient with the output before the two GEMMs).
func linearReLU(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor { dense(x, weight: weight, bias: bias, relu: true) }

/// The affine map `x · wᵀ + b` over the last axis of `x` (PyTorch's `F.linear`), as one autograd
/// node: forward and backward are single GEMMs on raw pointers.
///
/// - Parameters:
///   - x: `[*, inFeatures]`.
///   - weight: `[outFeatures, inFeatures]`.
///   - bias: `[outFeatures]` or nil.
/// - Returns: `[*, outFeatures]`.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor { dense(x, weight: weight, bias: bias, relu: false) }

/// `x · wᵀ + b`, followed by a ReLU in the same pass when `relu`, as one autograd node.
private func dense(_ x: Tensor, weight: Tensor, bias: Tensor?, relu: Bool) -> Tensor {
    ensure(weight.rank == 2, "linear: weight must be 2-D [out, in], got shape \(weight.shape)")
    let n = weight.shape[0], k = weight.shape[1]
    ensure(x.rank >= 1 && x.shape[x.rank - 1] == k,
           "linear: input shape \(x.shape) does not end with in_features \(k) (weight shape \(weight.shape))")
    if let bias { ensure(bias.shape == [n], "linear: bias shape \(bias.shape) does not match out_features \(n)") }
    let dt = weight.dtype
    ensure(dt == .float32 || dt == .float64, "linear: weight dtype must be float32 or float64, got \(dt)")
    ensure(x.dtype == dt, "linear: input dtype \(x.dtype) does not match weight dtype \(dt)")
    let m = x.count / Swift.max(k, 1)
    let xs = x.plain(dt), ws = weight.plain(dt), bs = bias?.plain(dt)
    let y2: Tensor
    switch (dt, relu) {
    case (.float32, false): y2 = DenseKernels.forward(Float.self, x: xs, w: ws, b: bs, m: m, n: n, k: k)
    case (_, false): y2 = DenseKernels.forward(Double.self, x: xs, w: ws, b: bs, m: m, n: n, k: k)
    case (.float32, true): y2 = DenseKernels.forwardReLU(Float.self, x: xs, w: ws, b: bs, m: m, n: n, k: k)
    case (_, true): y2 = DenseKernels.forwardReLU(Double.self, x: xs, w: ws, b: bs, m: m, n: n, k: k)
    }
    let y = y2.reshaped(Array(x.shape.dropLast()) + [n])
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    guard GradMode.isEnabled, needX || needW || needB else { return y }
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    let xShape = x.shape
    return Tensor.differentiable(y, inputs: inputs, name: relu ? "linear_relu" : "linear") { g in
        var gs = g.plain(dt)
        if relu {
            // d relu: the gradient where the output is positive (relu's rule, x > 0).
            let masked = Tensor.uninitialized([m, n], dtype: dt)
            if dt == .float32 {
                sl_leaky_relu_backward_f32(UnsafeRawPointer(y2.raw(Float.self)).assumingMemoryBound(to: Float.self),
                                           UnsafeRawPointer(gs.raw(Float.self)).assumingMemoryBound(to: Float.self), masked.raw(Float.self), m * n, 0)
            } else {
                sl_leaky_relu_backward_f64(UnsafeRawPointer(y2.raw(Double.self)).assumingMemoryBound(to: Double.self),
                                           UnsafeRawPointer(gs.raw(Double.self)).assumingMemoryBound(to: Double.self), masked.raw(Double.self), m * n, 0)
            }
            gs = masked
        }
        let (dx, dw, db) = dt == .float32
            ? DenseKernels.backward(Float.self, g: gs, x: xs, w: ws, m: m, n: n, k: k, needX: needX, needW: needW, needB: needB)
            : DenseKernels.backward(Double.self, g: gs, x: xs, w: ws, m: m, n: n, k: k, needX: needX, needW: needW, needB: needB)
        var out: [Tensor?] = [dx?.reshaped(xShape), dw]
        if bias != nil { out.append(db) }
        return out
    }
}

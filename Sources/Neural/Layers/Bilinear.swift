import Tensors
import SwiftLearnCore

// Bilinear form y = x1ᵀ·A·x2 + b as one autograd node. With A viewed as [out·in1, in2],
// V = x2·Aᵀ is one GEMM ([M, out·in1]); then y[m, o] = Σ_i x1[m, i]·V[m, o, i]. Backward:
// dx1[m, i] = Σ_o g[m, o]·V[m, o, i]; with gV[m, o, i] = g[m, o]·x1[m, i], dx2 = gV·A and
// dA = gVᵀ·x2 (two GEMMs).

enum BilinearKernels {
    static func forward<T: FloatScalar>(_: T.Type, x1: Tensor, x2: Tensor, w: Tensor, b: Tensor?, m: Int, out: Int, in1: Int, in2: Int)
        -> (Tensor, Tensor) {
        let v = Tensor.uninitialized([m, out * in1], dtype: x1.dtype), y = Tensor.uninitialized([m, out], dtype: x1.dtype)
        let pv = v.raw(T.self), py = y.raw(T.self), p1 = x1.raw(T.self), pb = b?.raw(T.self)
        BLAS.gemm(transposeB: true, m: m, n: out * in1, k: in2, a: UnsafePointer(x2.raw(T.self)), lda: in2,
                  b: UnsafePointer(w.raw(T.self)), ldb: in2, c: pv, ldc: out * in1)
        for r in 0..<m {
            let a = p1 + r * in1, vr = pv + r * out * in1
            for o in 0..<out {
                var s: T = pb?[o] ?? 0
                let vo = vr + o * in1
                for i in 0..<in1 { s += a[i] * vo[i] }
                py[r * out + o] = s
            }
        }
        return (y, v)
    }

    static func backward<T: FloatScalar>(_: T.Type, g: Tensor, x1: Tensor, x2: Tensor, w: Tensor, v: Tensor, m: Int, out: Int, in1: Int, in2: Int)
        -> (Tensor, Tensor, Tensor, Tensor) {
        let dt = g.dtype
        let dx1 = Tensor.zeros([m, in1], dtype: dt), gv = Tensor.uninitialized([m, out * in1], dtype: dt)
        let pg = g.raw(T.self), p1 = x1.raw(T.self), pv = v.raw(T.self), pd1 = dx1.raw(T.self), pgv = gv.raw(T.self)
        for r in 0..<m {
            let a = p1 + r * in1, d1 = pd1 + r * in1
            for o in 0..<out {
                let go = pg[r * out + o], vo = pv + (r * out + o) * in1, gvo = pgv + (r * out + o) * in1
                for i in 0..<in1 { d1[i] += go * vo[i]; gvo[i] = go * a[i] }
            }
        }
        let dx2 = Tensor.uninitialized([m, in2], dtype: dt), dw = Tensor.uninitialized([out, in1, in2], dtype: dt)
        BLAS.gemm(m: m, n: in2, k: out * in1, a: UnsafePointer(pgv), lda: out * in1, b: UnsafePointer(w.raw(T.self)), ldb: in2,
                  c: dx2.raw(T.self), ldc: in2)
        BLAS.gemm(transposeA: true, m: out * in1, n: in2, k: m, a: UnsafePointer(pgv), lda: out * in1, b: UnsafePointer(x2.raw(T.self)),
                  ldb: in2, c: dw.raw(T.self), ldc: in2)
        let db = g.sum(axis: 0)
        return (dx1, dx2, dw, db)
    }
}

/// The bilinear map `y_o = x1ᵀ·A_o·x2 + b_o` over the last axes (PyTorch's `F.bilinear`), one
/// autograd node.
///
/// - Parameters:
///   - x1: `[*, in1]`; x2: `[*, in2]` with the same leading axes.
///   - weight: A, `[out, in1, in2]`; bias: `[out]` or nil.
/// - Returns: `[*, out]`.
public func bilinear(_ x1: Tensor, _ x2: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    ensure(weight.rank == 3, "bilinear: weight must be [out, in1, in2], got shape \(weight.shape)")
    let out = weight.shape[0], in1 = weight.shape[1], in2 = weight.shape[2]
    ensure(x1.rank >= 1 && x2.rank >= 1 && x1.shape.last == in1 && x2.shape.last == in2 && x1.shape.dropLast() == x2.shape.dropLast(),
           "bilinear: inputs \(x1.shape) and \(x2.shape) must be [*, \(in1)] and [*, \(in2)] with equal leading axes (weight \(weight.shape))")
    if let bias { ensure(bias.shape == [out], "bilinear: bias shape \(bias.shape) must be [\(out)]") }
    let dt = weight.dtype
    ensure(dt == .float32 || dt == .float64, "bilinear: weight dtype must be float32 or float64, got \(dt)")
    ensure(x1.dtype == dt && x2.dtype == dt, "bilinear: input dtypes \(x1.dtype), \(x2.dtype) do not match weight dtype \(dt)")
    let m = x1.count / Swift.max(in1, 1)
    let a = x1.plain(dt).reshaped([m, in1]), c = x2.plain(dt).reshaped([m, in2]), ws = weight.plain(dt), bs = bias?.plain(dt)
    let (y2, v) = dt == .float32 ? BilinearKernels.forward(Float.self, x1: a, x2: c, w: ws, b: bs, m: m, out: out, in1: in1, in2: in2)
                                 : BilinearKernels.forward(Double.self, x1: a, x2: c, w: ws, b: bs, m: m, out: out, in1: in1, in2: in2)
    let y = y2.reshaped(Array(x1.shape.dropLast()) + [out])
    var inputs = [x1, x2, weight]
    if let bias { inputs.append(bias) }
    guard GradMode.isEnabled, inputs.contains(where: \.requiresGrad) else { return y }
    let s1 = x1.shape, s2 = x2.shape, hasBias = bias != nil
    return Tensor.differentiable(y, inputs: inputs, name: "bilinear") { g in
        let gs = g.plain(dt).reshaped([m, out])
        let (d1, d2, dw, db) = dt == .float32
            ? BilinearKernels.backward(Float.self, g: gs, x1: a, x2: c, w: ws, v: v, m: m, out: out, in1: in1, in2: in2)
            : BilinearKernels.backward(Double.self, g: gs, x1: a, x2: c, w: ws, v: v, m: m, out: out, in1: in1, in2: in2)
        return [d1.reshaped(s1), d2.reshaped(s2), dw] + (hasBias ? [db] : [])
    }
}

/// A bilinear layer (PyTorch's `nn.Bilinear`): `y = x1ᵀ·A·x2 + b` with weight `[out, in1, in2]`
/// and bias `[out]`, both U(±1/√in1) as PyTorch initializes them.
///
/// ```swift
/// let bil = Bilinear(20, 30, 40)
/// let y = bil(x1, x2)     // [B, 20], [B, 30] → [B, 40]
/// ```
public final class Bilinear: Module {
    /// Size of each first input.
    public let in1Features: Int
    /// Size of each second input.
    public let in2Features: Int
    /// Size of each output.
    public let outFeatures: Int
    /// `[outFeatures, in1Features, in2Features]`.
    public var weight: Parameter
    /// `[outFeatures]` or nil.
    public var bias: Parameter?

    /// Creates the layer with PyTorch's defaults and initialization.
    public init(_ in1Features: Int, _ in2Features: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32,
                generator: RandomGenerator? = nil) {
        ensure(in1Features > 0 && in2Features > 0 && outFeatures > 0, "Bilinear: feature counts must be positive, got \(in1Features), \(in2Features), \(outFeatures)")
        self.in1Features = in1Features; self.in2Features = in2Features; self.outFeatures = outFeatures
        let bound = 1 / Double(in1Features).squareRoot()
        weight = Parameter(Tensor.uniform([outFeatures, in1Features, in2Features], low: -bound, high: bound, dtype: dtype, generator: generator))
        self.bias = bias ? Parameter(Tensor.uniform([outFeatures], low: -bound, high: bound, dtype: dtype, generator: generator)) : nil
        super.init()
    }

    /// `[*, in1Features]`, `[*, in2Features]` → `[*, outFeatures]`.
    public func callAsFunction(_ x1: Tensor, _ x2: Tensor) -> Tensor {
        ensure(x1.shape.last == in1Features && x2.shape.last == in2Features,
               "Bilinear(\(in1Features), \(in2Features), \(outFeatures)): expected inputs [*, \(in1Features)] and [*, \(in2Features)], got \(x1.shape) and \(x2.shape)")
        return bilinear(x1, x2, weight: weight.value, bias: bias?.value)
    }

    public override var extraDescription: String {
        "in1_features=\(in1Features), in2_features=\(in2Features), out_features=\(outFeatures), bias=\(bias != nil)"
    }
}

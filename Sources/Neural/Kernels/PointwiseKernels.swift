import CSwiftLearnKernels
import Foundation
import Tensors
import SwiftLearnCore

// Fused activation kernels: each activation is one pass forward and one pass backward over raw
// memory, recorded as one autograd node (instead of the several elementwise ops of its formula).

/// The elementwise activations with a fused forward/backward kernel.
enum PointwiseActivation {
    case relu, leakyRelu(Double), elu(Double), gelu, geluTanh, silu, sigmoid, tanh

    var name: String {
        switch self {
        case .relu: return "relu"
        case .leakyRelu: return "leakyRelu"
        case .elu: return "elu"
        case .gelu, .geluTanh: return "gelu"
        case .silu: return "silu"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        }
    }

    private static let sqrt2 = 2.0.squareRoot(), invSqrt2Pi = 1 / (2 * Double.pi).squareRoot()
    private static let tanhK = (2 / Double.pi).squareRoot(), tanhC = 0.044715

    @inline(__always) private static func sig(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : { let e = Foundation.exp(x); return e / (1 + e) }()
    }

    /// ReLU (slope 0) and leaky ReLU forward through the C kernel (vectorized selects; ReLU keeps
    /// NaN and maps −∞ to 0, as PyTorch's).
    private func leakyReluForward<T: FloatScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, slope: Double) {
        if T.self == Float.self {
            sl_leaky_relu_f32(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                              UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n, Float(slope))
        } else {
            sl_leaky_relu_f64(UnsafeRawPointer(x).assumingMemoryBound(to: Double.self),
                              UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), n, slope)
        }
    }

    /// dx = x > 0 ? g : slope·g through the C kernel.
    private func leakyReluBackward<T: FloatScalar>(_ x: UnsafePointer<T>, _ g: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>,
                                                   _ n: Int, slope: Double) {
        if T.self == Float.self {
            sl_leaky_relu_backward_f32(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), UnsafeRawPointer(g).assumingMemoryBound(to: Float.self),
                                       UnsafeMutableRawPointer(dx).assumingMemoryBound(to: Float.self), n, Float(slope))
        } else {
            sl_leaky_relu_backward_f64(UnsafeRawPointer(x).assumingMemoryBound(to: Double.self), UnsafeRawPointer(g).assumingMemoryBound(to: Double.self),
                                       UnsafeMutableRawPointer(dx).assumingMemoryBound(to: Double.self), n, slope)
        }
    }

    /// out = tanh(k·(x + c·x³)), GELU's tanh term, for float32 (the tanh by the vectorised C kernel).
    private static func geluTanhInner(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        let k = Float(tanhK), c = Float(tanhC)
        for i in 0..<n { let v = x[i]; out[i] = k * (v + c * v * v * v) }
        sl_tanh_f32(out, out, n)
    }

    /// y = f(x) over n contiguous elements.
    func forward<T: FloatScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        switch self {
        case .relu: leakyReluForward(x, y, n, slope: 0)
        case .leakyRelu(let s): leakyReluForward(x, y, n, slope: s)
        case .elu(let a): for i in 0..<n { let v = x[i]; y[i] = v > 0 ? v : T(a * Foundation.expm1(Double(v))) }
        case .gelu: for i in 0..<n { let v = Double(x[i]); y[i] = T(0.5 * v * (1 + Foundation.erf(v / Self.sqrt2))) }
        case .geluTanh:
            if T.self == Float.self {
                // tanh of the inner polynomial by the vectorised C kernel in y, then x/2·(1 + t) in place.
                let yf = UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self)
                let xf = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
                Self.geluTanhInner(xf, yf, n)
                for i in 0..<n { yf[i] = 0.5 * xf[i] * (1 + yf[i]) }
            } else {
                for i in 0..<n {
                    let v = Double(x[i])
                    y[i] = T(0.5 * v * (1 + Foundation.tanh(Self.tanhK * (v + Self.tanhC * v * v * v))))
                }
            }
        case .silu:
            if T.self == Float.self {
                // σ(x) by the vectorised C kernel into y, then x·σ(x) in place.
                let yf = UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self)
                let xf = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
                sl_sigmoid_f32(xf, yf, n)
                for i in 0..<n { yf[i] *= xf[i] }
            } else { for i in 0..<n { let v = Double(x[i]); y[i] = T(v * Self.sig(v)) } }
        case .sigmoid:
            if T.self == Float.self {
                sl_sigmoid_f32(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n)
            } else { for i in 0..<n { y[i] = T(Self.sig(Double(x[i]))) } }
        case .tanh:
            if T.self == Float.self {
                sl_tanh_f32(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n)
            } else { for i in 0..<n { y[i] = T(Foundation.tanh(Double(x[i]))) } }
        }
    }

    /// dx = g · f′(x) (using y = f(x) where cheaper) over n contiguous elements.
    func backward<T: FloatScalar>(_ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ g: UnsafePointer<T>,
                                  _ dx: UnsafeMutablePointer<T>, _ n: Int) {
        switch self {
        case .relu: leakyReluBackward(x, g, dx, n, slope: 0)
        case .leakyRelu(let s): leakyReluBackward(x, g, dx, n, slope: s)
        case .elu(let a): let a = T(a); for i in 0..<n { dx[i] = x[i] > 0 ? g[i] : g[i] * (y[i] + a) }
        case .gelu:
            for i in 0..<n {
                let v = Double(x[i])
                let cdf = 0.5 * (1 + Foundation.erf(v / Self.sqrt2)), pdf = Self.invSqrt2Pi * Foundation.exp(-0.5 * v * v)
                dx[i] = g[i] * T(cdf + v * pdf)
            }
        case .geluTanh:
            if T.self == Float.self {
                // t = tanh(k·(x + c·x³)) vectorised into dx, then the derivative in place.
                let df = UnsafeMutableRawPointer(dx).assumingMemoryBound(to: Float.self)
                let xf = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), gf = UnsafeRawPointer(g).assumingMemoryBound(to: Float.self)
                Self.geluTanhInner(xf, df, n)
                let k = Float(Self.tanhK), c3 = Float(3 * Self.tanhC)
                for i in 0..<n {
                    let v = xf[i], t = df[i]
                    df[i] = gf[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * k * (1 + c3 * v * v))
                }
            } else {
                for i in 0..<n {
                    let v = Double(x[i])
                    let t = Foundation.tanh(Self.tanhK * (v + Self.tanhC * v * v * v))
                    let d = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * Self.tanhK * (1 + 3 * Self.tanhC * v * v)
                    dx[i] = g[i] * T(d)
                }
            }
        case .silu:
            if T.self == Float.self {
                // σ(x) by the vectorised C kernel into dx, then g·σ·(1 + x·(1 − σ)) in place.
                let df = UnsafeMutableRawPointer(dx).assumingMemoryBound(to: Float.self)
                let xf = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), gf = UnsafeRawPointer(g).assumingMemoryBound(to: Float.self)
                sl_sigmoid_f32(xf, df, n)
                for i in 0..<n { let s = df[i]; df[i] = gf[i] * (s * (1 + xf[i] * (1 - s))) }
            } else { for i in 0..<n { let v = Double(x[i]), s = Self.sig(v); dx[i] = g[i] * T(s * (1 + v * (1 - s))) } }
        case .sigmoid: for i in 0..<n { dx[i] = g[i] * y[i] * (1 - y[i]) }
        case .tanh: for i in 0..<n { dx[i] = g[i] * (1 - y[i] * y[i]) }
        }
    }

    /// Applies the activation to a float tensor as one autograd node.
    func apply(_ x: Tensor) -> Tensor {
        let dt = x.dtype
        ensure(dt == .float32 || dt == .float64, "\(name): expects a float32 or float64 tensor, got \(dt)")
        let xs = x.plain(dt)
        let y = Tensor.uninitialized(x.shape, dtype: dt)
        let n = x.count
        func fwd<T: FloatScalar>(_: T.Type) {
            let px = UnsafePointer(xs.raw(T.self)), py = y.raw(T.self)
            NeuralParallel.forRange(n, cost: 8) { s, e in forward(px + s, py + s, e - s) }
        }
        if dt == .float32 { fwd(Float.self) } else { fwd(Double.self) }
        guard GradMode.isEnabled, x.requiresGrad else { return y }
        let kind = self
        return Tensor.differentiable(y, inputs: [x], name: name) { g in
            let gs = g.plain(dt)
            let dx = Tensor.uninitialized(gs.shape, dtype: dt)
            func bwd<T: FloatScalar>(_: T.Type) {
                let px = UnsafePointer(xs.raw(T.self)), py = UnsafePointer(y.raw(T.self))
                let pg = UnsafePointer(gs.raw(T.self)), pd = dx.raw(T.self)
                NeuralParallel.forRange(n, cost: 8) { s, e in kind.backward(px + s, py + s, pg + s, pd + s, e - s) }
            }
            if dt == .float32 { bwd(Float.self) } else { bwd(Double.self) }
            return [dx]
        }
    }
}

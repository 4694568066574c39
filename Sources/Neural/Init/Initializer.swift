import Foundation
import Tensors
import SwiftLearnCore

/// Weight initialisers (PyTorch's `torch.nn.init`), seeded through a ``RandomGenerator``.
///
/// Each one exists twice: as a function of a shape that returns a new tensor, and as a function
/// of a ``Parameter`` that replaces its values in place of PyTorch's trailing-underscore form.
/// Fans follow PyTorch: for a weight of shape `[out, in, k…]`, fanIn = in·∏k and
/// fanOut = out·∏k (a Linear weight is `[out, in]`).
///
/// ```swift
/// let g = RandomGenerator(seed: 0)
/// Initializer.kaimingNormal(linear.weight, nonlinearity: .relu, generator: g)
/// Initializer.zeros(linear.bias!)
/// let w = Initializer.xavierUniform([256, 784], generator: g)
/// ```
public enum Initializer {
    /// Activation after the layer, for the recommended gain (PyTorch's `calculate_gain`).
    public enum Nonlinearity: Equatable, Sendable {
        /// Identity and all convolutions: gain 1.
        case linear
        /// Gain 1.
        case sigmoid
        /// Gain 5/3.
        case tanh
        /// Gain √2.
        case relu
        /// Gain √(2 / (1 + slope²)).
        case leakyReLU(negativeSlope: Double)
        /// Gain 3/4 (self-normalising networks).
        case selu

        /// The recommended gain: the factor that keeps activations' variance stable.
        public var gain: Double {
            switch self {
            case .linear, .sigmoid: return 1
            case .tanh: return 5.0 / 3
            case .relu: return 2.0.squareRoot()
            case .leakyReLU(let a): return (2 / (1 + a * a)).squareRoot()
            case .selu: return 0.75
            }
        }
    }

    /// Which fan scales Kaiming initialisation.
    public enum FanMode: String, Sendable {
        /// Preserve the variance of activations in the forward pass (default).
        case fanIn
        /// Preserve the variance of gradients in the backward pass.
        case fanOut
    }

    /// (fanIn, fanOut) of a weight shape; needs at least two dimensions.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        ensure(shape.count >= 2, "Initializer: fan in and fan out need a shape of at least 2 dimensions, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    // MARK: - Fresh tensors

    /// U(−a, a) with a = gain·√(6 / (fanIn + fanOut)) (Glorot & Bengio, 2010).
    public static func xavierUniform(_ shape: [Int], gain: Double = 1, dtype: DType = .float32,
                                     generator: RandomGenerator? = nil) -> Tensor {
        let (fi, fo) = fans(shape)
        let a = gain * (6 / Double(fi + fo)).squareRoot()
        return Tensor.uniform(shape, low: -a, high: a, dtype: dtype, generator: generator)
    }

    /// N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)).
    public static func xavierNormal(_ shape: [Int], gain: Double = 1, dtype: DType = .float32,
                                    generator: RandomGenerator? = nil) -> Tensor {
        let (fi, fo) = fans(shape)
        return Tensor.normal(shape, std: gain * (2 / Double(fi + fo)).squareRoot(), dtype: dtype, generator: generator)
    }

    /// U(−b, b) with b = gain·√(3 / fan) (He et al., 2015). PyTorch's default nonlinearity is
    /// leaky ReLU with slope `a` = 0; nn.Linear's own default is `a = √5`.
    public static func kaimingUniform(_ shape: [Int], nonlinearity: Nonlinearity = .leakyReLU(negativeSlope: 0),
                                      mode: FanMode = .fanIn, dtype: DType = .float32,
                                      generator: RandomGenerator? = nil) -> Tensor {
        let b = nonlinearity.gain * (3 / Double(fan(shape, mode))).squareRoot()
        return Tensor.uniform(shape, low: -b, high: b, dtype: dtype, generator: generator)
    }

    /// N(0, σ²) with σ = gain / √fan.
    public static func kaimingNormal(_ shape: [Int], nonlinearity: Nonlinearity = .leakyReLU(negativeSlope: 0),
                                     mode: FanMode = .fanIn, dtype: DType = .float32,
                                     generator: RandomGenerator? = nil) -> Tensor {
        let std = nonlinearity.gain / Double(fan(shape, mode)).squareRoot()
        return Tensor.normal(shape, std: std, dtype: dtype, generator: generator)
    }

    /// A (semi-)orthogonal matrix times `gain` (Saxe et al., 2013): the weight viewed as
    /// `[shape[0], rest]` has orthonormal rows or columns, whichever are fewer. Made as PyTorch
    /// does: QR of a Gaussian matrix with the signs of R's diagonal folded into Q.
    public static func orthogonal(_ shape: [Int], gain: Double = 1, dtype: DType = .float32,
                                  generator: RandomGenerator? = nil) -> Tensor {
        ensure(shape.count >= 2, "Initializer.orthogonal: needs at least 2 dimensions, got \(shape)")
        let rows = shape[0], cols = shape.dropFirst().reduce(1, *)
        ensure(rows > 0 && cols > 0, "Initializer.orthogonal: empty shape \(shape)")
        var flat = Tensor.normal([rows, cols], dtype: .float64, generator: generator)
        if rows < cols { flat = flat.transposed().contiguous() }
        return GradMode.withoutGrad {
            guard let (q, r) = try? Linalg.qr(flat) else {
                fatalError("Initializer.orthogonal: QR of a Gaussian \(flat.shape) matrix failed")
            }
            let k = Swift.min(rows, cols)
            let signs = Tensor((0..<k).map { r.value(at: [$0, $0]) < 0 ? -1.0 : 1.0 })
            var result = q * signs
            if rows < cols { result = result.transposed() }
            return (result * gain).contiguous().reshaped(shape).to(dtype)
        }
    }

    // MARK: - In place on parameters

    /// Replaces the parameter's values with ``xavierUniform(_:gain:dtype:generator:)``.
    public static func xavierUniform(_ p: Parameter, gain: Double = 1, generator: RandomGenerator? = nil) {
        p.value = xavierUniform(p.shape, gain: gain, dtype: p.value.dtype, generator: generator)
    }

    /// Replaces the parameter's values with ``xavierNormal(_:gain:dtype:generator:)``.
    public static func xavierNormal(_ p: Parameter, gain: Double = 1, generator: RandomGenerator? = nil) {
        p.value = xavierNormal(p.shape, gain: gain, dtype: p.value.dtype, generator: generator)
    }

    /// Replaces the parameter's values with ``kaimingUniform(_:nonlinearity:mode:dtype:generator:)``.
    public static func kaimingUniform(_ p: Parameter, nonlinearity: Nonlinearity = .leakyReLU(negativeSlope: 0),
                                      mode: FanMode = .fanIn, generator: RandomGenerator? = nil) {
        p.value = kaimingUniform(p.shape, nonlinearity: nonlinearity, mode: mode, dtype: p.value.dtype, generator: generator)
    }

    /// Replaces the parameter's values with ``kaimingNormal(_:nonlinearity:mode:dtype:generator:)``.
    public static func kaimingNormal(_ p: Parameter, nonlinearity: Nonlinearity = .leakyReLU(negativeSlope: 0),
                                     mode: FanMode = .fanIn, generator: RandomGenerator? = nil) {
        p.value = kaimingNormal(p.shape, nonlinearity: nonlinearity, mode: mode, dtype: p.value.dtype, generator: generator)
    }

    /// Replaces the parameter's values with ``orthogonal(_:gain:dtype:generator:)``.
    public static func orthogonal(_ p: Parameter, gain: Double = 1, generator: RandomGenerator? = nil) {
        p.value = orthogonal(p.shape, gain: gain, dtype: p.value.dtype, generator: generator)
    }

    /// Fills the parameter with U(low, high).
    public static func uniform(_ p: Parameter, low: Double = 0, high: Double = 1, generator: RandomGenerator? = nil) {
        p.value = Tensor.uniform(p.shape, low: low, high: high, dtype: p.value.dtype, generator: generator)
    }

    /// Fills the parameter with N(mean, std²).
    public static func normal(_ p: Parameter, mean: Double = 0, std: Double = 1, generator: RandomGenerator? = nil) {
        p.value = Tensor.normal(p.shape, mean: mean, std: std, dtype: p.value.dtype, generator: generator)
    }

    /// Fills the parameter with `value`.
    public static func constant(_ p: Parameter, _ value: Double) {
        p.value = Tensor.full(p.shape, value, dtype: p.value.dtype)
    }

    /// Fills the parameter with zeros.
    public static func zeros(_ p: Parameter) { constant(p, 0) }

    /// Fills the parameter with ones.
    public static func ones(_ p: Parameter) { constant(p, 1) }

    private static func fan(_ shape: [Int], _ mode: FanMode) -> Int {
        let (fi, fo) = fans(shape)
        let f = mode == .fanIn ? fi : fo
        ensure(f > 0, "Initializer: zero fan for shape \(shape)")
        return f
    }
}

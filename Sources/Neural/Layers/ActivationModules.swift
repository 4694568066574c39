import Tensors

/// `max(x, 0)` as a layer (PyTorch's `nn.ReLU`).
public final class ReLU: Module {
    /// Creates the layer.
    public override init() { super.init() }
    /// Any shape → same shape.
    public override func forward(_ x: Tensor) -> Tensor { relu(x) }
}

/// Leaky ReLU as a layer (PyTorch's `nn.LeakyReLU`, slope 0.01 by default).
public final class LeakyReLU: Module {
    /// Slope for negative inputs.
    public let negativeSlope: Double
    /// Creates the layer.
    public init(negativeSlope: Double = 0.01) { self.negativeSlope = negativeSlope; super.init() }
    /// Any shape → same shape.
    public override func forward(_ x: Tensor) -> Tensor { leakyRelu(x, negativeSlope: negativeSlope) }
    public override var extraDescription: String { "negative_slope=\(negativeSlope)" }
}

/// ELU as a layer (PyTorch's `nn.ELU`, α = 1 by default).
public final class ELU: Module {
    /// Scale of the negative branch.
    public let alpha: Double
    /// Creates the layer.
    public init(alpha: Double = 1) { self.alpha = alpha; super.init() }
    /// Any shape → same shape.
    public override func forward(_ x: Tensor) -> Tensor { elu(x, alpha: alpha) }
    public override var extraDescription: String { "alpha=\(alpha)" }
}

/// GELU as a layer (PyTorch's `nn.GELU`, exact by default).
public final class GELU: Module {
    /// Exact or tanh approximation.
    public let approximate: GELUApproximation
    /// Creates the layer.
    public init(approximate: GELUApproximation = .none) { self.approximate = approximate; super.init() }
    /// Any shape → same shape.
    public override func forward(_ x: Tensor) -> Tensor { gelu(x, approximate: approximate) }
    public override var extraDescription: String { "approximate='\(approximate.rawValue)'" }
}

/// SiLU / swish as a layer (PyTorch's `nn.SiLU`).
public final class SiLU: Module {
    /// Creates the layer.
    public override init() { super.init() }
    /// Any shape → same shape.
    public override func forward(_ x: Tensor) -> Tensor { silu(x) }
}

/// The logistic function as a layer (PyTorch's `nn.Sigmoid`).
public final class Sigmoid: Module {
    /// Creates the layer.
    public override init() { super.init() }
    /// Any shape → same shape.
    public override func forward(_ x: Tensor) -> Tensor { sigmoid(x) }
}

/// tanh as a layer (PyTorch's `nn.Tanh`).
public final class Tanh: Module {
    /// Creates the layer.
    public override init() { super.init() }
    /// Any shape → same shape.
    public override func forward(_ x: Tensor) -> Tensor { PointwiseActivation.tanh.apply(x) }
}

/// Softmax along an axis as a layer (PyTorch's `nn.Softmax(dim)`).
public final class Softmax: Module {
    /// The axis normalized over.
    public let axis: Int
    /// Creates the layer (default: last axis).
    public init(axis: Int = -1) { self.axis = axis; super.init() }
    /// Any shape → same shape.
    public override func forward(_ x: Tensor) -> Tensor { x.softmax(axis: axis) }
    public override var extraDescription: String { "dim=\(axis)" }
}

/// Log-softmax along an axis as a layer (PyTorch's `nn.LogSoftmax(dim)`).
public final class LogSoftmax: Module {
    /// The axis normalized over.
    public let axis: Int
    /// Creates the layer (default: last axis).
    public init(axis: Int = -1) { self.axis = axis; super.init() }
    /// Any shape → same shape.
    public override func forward(_ x: Tensor) -> Tensor { x.logSoftmax(axis: axis) }
    public override var extraDescription: String { "dim=\(axis)" }
}

/// The identity as a layer (PyTorch's `nn.Identity`), e.g. to remove a model's head.
public final class Identity: Module {
    /// Creates the layer.
    public override init() { super.init() }
    /// Returns its input.
    public override func forward(_ x: Tensor) -> Tensor { x }
}

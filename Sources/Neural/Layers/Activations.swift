import Tensors

// Activation functions (PyTorch's `torch.nn.functional`), each a fused kernel recorded as one
// autograd node. Module forms (ReLU, GELU, …) are in ActivationModules.swift.

/// max(x, 0). d/dx = 1 where x > 0, else 0.
public func relu(_ x: Tensor) -> Tensor { PointwiseActivation.relu.apply(x) }

/// x for x > 0, `negativeSlope`·x otherwise (PyTorch's default slope 0.01).
public func leakyRelu(_ x: Tensor, negativeSlope: Double = 0.01) -> Tensor {
    PointwiseActivation.leakyRelu(negativeSlope).apply(x)
}

/// x for x > 0, α(eˣ − 1) otherwise (ELU, α = 1 by default).
public func elu(_ x: Tensor, alpha: Double = 1) -> Tensor { PointwiseActivation.elu(alpha).apply(x) }

/// How ``gelu(_:approximate:)`` evaluates the normal CDF (PyTorch's `approximate=` argument).
public enum GELUApproximation: String, Sendable {
    /// x·Φ(x) with the exact CDF (PyTorch's default, `approximate='none'`).
    case none
    /// ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (`approximate='tanh'`, GPT-2's form).
    case tanh
}

/// GELU: x·Φ(x), exact or with the tanh approximation.
public func gelu(_ x: Tensor, approximate: GELUApproximation = .none) -> Tensor {
    (approximate == .none ? PointwiseActivation.gelu : .geluTanh).apply(x)
}

/// SiLU / swish: x·σ(x).
public func silu(_ x: Tensor) -> Tensor { PointwiseActivation.silu.apply(x) }

/// The logistic function σ(x) = 1/(1 + e⁻ˣ).
public func sigmoid(_ x: Tensor) -> Tensor { PointwiseActivation.sigmoid.apply(x) }

/// Softmax along `axis` (default: last): eˣ / Σ eˣ.
public func softmax(_ x: Tensor, axis: Int = -1) -> Tensor { x.softmax(axis: axis) }

/// Log-softmax along `axis` (default: last): x − log Σ eˣ, computed stably.
public func logSoftmax(_ x: Tensor, axis: Int = -1) -> Tensor { x.logSoftmax(axis: axis) }

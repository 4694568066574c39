import Tensors
import SwiftLearnCore

/// Layer normalization over the trailing `normalizedShape` axes (PyTorch's `F.layer_norm`), one
/// fused autograd node: `y = (x − μ)/√(σ² + ε) · γ + β` with the mean and biased variance of each
/// sample's last `normalizedShape.count` axes.
///
/// - Parameters:
///   - x: `[*, normalizedShape…]`.
///   - weight, bias: γ and β of shape `normalizedShape`, or nil.
/// - Returns: the shape of `x`.
public func layerNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) -> Tensor {
    let k = normalizedShape.count
    ensure(k >= 1 && x.rank >= k && Array(x.shape.suffix(k)) == normalizedShape,
           "layerNorm: input shape \(x.shape) does not end with normalized shape \(normalizedShape)")
    if let weight { ensure(weight.shape == normalizedShape, "layerNorm: weight shape \(weight.shape) must be \(normalizedShape)") }
    if let bias { ensure(bias.shape == normalizedShape, "layerNorm: bias shape \(bias.shape) must be \(normalizedShape)") }
    let d = normalizedShape.reduce(1, *)
    let geo = NormGeometry(rows: d == 0 ? 0 : x.count / d, length: d, eps: eps)
    return fusedNorm(x, geo, weight: weight, bias: bias, name: "layerNorm")
}

/// Layer normalization (PyTorch's `nn.LayerNorm`): normalizes each sample over its trailing
/// `normalizedShape` axes, then scales by `weight` (ones) and shifts by `bias` (zeros).
///
/// ```swift
/// let norm = LayerNorm(512)
/// let y = norm(x)      // [B, T, 512] → [B, T, 512]
/// ```
public final class LayerNorm: Module {
    /// The trailing axes normalized together.
    public let normalizedShape: [Int]
    /// Added to the variance (1e-5).
    public let eps: Double
    /// γ of shape `normalizedShape` (ones), or nil without `elementwiseAffine`.
    public var weight: Parameter?
    /// β of shape `normalizedShape` (zeros), or nil without `elementwiseAffine` or with `bias: false`.
    public var bias: Parameter?

    /// Creates the layer with PyTorch's defaults.
    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
                dtype: DType = .float32) {
        ensure(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 }, "LayerNorm: normalized shape must be non-empty and positive, got \(normalizedShape)")
        self.normalizedShape = normalizedShape; self.eps = eps
        if elementwiseAffine {
            weight = Parameter(Tensor.ones(normalizedShape, dtype: dtype))
            if bias { self.bias = Parameter(Tensor.zeros(normalizedShape, dtype: dtype)) }
        }
        super.init()
    }

    /// Normalizes the last axis of size `features`.
    public convenience init(_ features: Int, eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true, dtype: DType = .float32) {
        self.init([features], eps: eps, elementwiseAffine: elementwiseAffine, bias: bias, dtype: dtype)
    }

    /// `[*, normalizedShape…]` → same shape.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank >= normalizedShape.count && Array(x.shape.suffix(normalizedShape.count)) == normalizedShape,
               "LayerNorm(\(normalizedShape)): expected input shape [*, \(normalizedShape.map(String.init).joined(separator: ", "))], got \(x.shape)")
        return layerNorm(x, normalizedShape: normalizedShape, weight: weight?.value, bias: bias?.value, eps: eps)
    }

    public override var extraDescription: String {
        "\(normalizedShape), eps=\(eps), elementwise_affine=\(weight != nil)"
    }
}

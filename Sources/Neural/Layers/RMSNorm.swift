import Tensors
import SwiftLearnCore

/// Root-mean-square normalization over the trailing `normalizedShape` axes (PyTorch's
/// `F.rms_norm`, the norm of T5 and Llama), one fused autograd node:
/// `y = x / √(mean(x²) + ε) · γ`. No mean is subtracted and there is no bias.
///
/// - Parameters:
///   - x: `[*, normalizedShape…]`.
///   - weight: γ of shape `normalizedShape`, or nil.
///   - eps: added to the mean square; nil uses the dtype's machine epsilon, as PyTorch does.
public func rmsNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, eps: Double? = nil) -> Tensor {
    let k = normalizedShape.count
    ensure(k >= 1 && x.rank >= k && Array(x.shape.suffix(k)) == normalizedShape,
           "rmsNorm: input shape \(x.shape) does not end with normalized shape \(normalizedShape)")
    if let weight { ensure(weight.shape == normalizedShape, "rmsNorm: weight shape \(weight.shape) must be \(normalizedShape)") }
    let d = normalizedShape.reduce(1, *)
    let e = eps ?? (x.dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne)
    let geo = NormGeometry(rows: d == 0 ? 0 : x.count / d, length: d, centered: false, eps: e)
    return fusedNorm(x, geo, weight: weight, bias: nil, name: "rmsNorm")
}

/// RMS normalization (PyTorch's `nn.RMSNorm`): `y = x / √(mean(x²) + ε) · weight` over the
/// trailing `normalizedShape` axes; `weight` starts at ones.
///
/// ```swift
/// let norm = RMSNorm(4096, eps: 1e-6)
/// let y = norm(h)      // [B, T, 4096] → same shape
/// ```
public final class RMSNorm: Module {
    /// The trailing axes normalized together.
    public let normalizedShape: [Int]
    /// Added to the mean square; nil: machine epsilon of the input dtype (PyTorch's default).
    public let eps: Double?
    /// γ of shape `normalizedShape` (ones), or nil without `elementwiseAffine`.
    public var weight: Parameter?

    /// Creates the layer with PyTorch's defaults.
    public init(_ normalizedShape: [Int], eps: Double? = nil, elementwiseAffine: Bool = true, dtype: DType = .float32) {
        ensure(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 }, "RMSNorm: normalized shape must be non-empty and positive, got \(normalizedShape)")
        self.normalizedShape = normalizedShape; self.eps = eps
        if elementwiseAffine { weight = Parameter(Tensor.ones(normalizedShape, dtype: dtype)) }
        super.init()
    }

    /// Normalizes the last axis of size `features`.
    public convenience init(_ features: Int, eps: Double? = nil, elementwiseAffine: Bool = true, dtype: DType = .float32) {
        self.init([features], eps: eps, elementwiseAffine: elementwiseAffine, dtype: dtype)
    }

    /// `[*, normalizedShape…]` → same shape.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank >= normalizedShape.count && Array(x.shape.suffix(normalizedShape.count)) == normalizedShape,
               "RMSNorm(\(normalizedShape)): expected input shape [*, \(normalizedShape.map(String.init).joined(separator: ", "))], got \(x.shape)")
        return rmsNorm(x, normalizedShape: normalizedShape, weight: weight?.value, eps: eps)
    }

    public override var extraDescription: String {
        "\(normalizedShape), eps=\(eps.map { "\($0)" } ?? "None"), elementwise_affine=\(weight != nil)"
    }
}

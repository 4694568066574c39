import Tensors
import SwiftLearnCore

/// Group normalization (PyTorch's `F.group_norm`), one fused autograd node: the C channels of each
/// sample are split into `groups` groups, each group (its channels and all spatial positions) is
/// normalized to zero mean and unit (biased) variance, then every channel c is scaled by γ_c and
/// shifted by β_c.
///
/// - Parameters:
///   - x: `[N, C, *]`.
///   - groups: G, dividing C.
///   - weight, bias: `[C]` or nil.
public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) -> Tensor {
    ensure(x.rank >= 2, "groupNorm: expected input [N, C, *], got shape \(x.shape)")
    let c = x.shape[1]
    ensure(groups >= 1 && c % groups == 0, "groupNorm: \(c) channels are not divisible into \(groups) groups (input \(x.shape))")
    if let weight { ensure(weight.shape == [c], "groupNorm: weight shape \(weight.shape) must be [\(c)]") }
    if let bias { ensure(bias.shape == [c], "groupNorm: bias shape \(bias.shape) must be [\(c)]") }
    let spatial = x.shape.dropFirst(2).reduce(1, *)
    let geo = NormGeometry(rows: x.shape[0] * groups, length: c / groups * spatial, groups: groups, span: Swift.max(spatial, 1), eps: eps)
    return fusedNorm(x, geo, weight: weight, bias: bias, name: "groupNorm")
}

/// Group normalization (PyTorch's `nn.GroupNorm`): statistics per sample over groups of channels,
/// independent of the batch size; `weight` (ones) and `bias` (zeros) are per channel.
/// `GroupNorm(1, C)` normalizes each sample over all its channels, `GroupNorm(C, C)` is instance norm.
///
/// ```swift
/// let gn = GroupNorm(8, 64)
/// let y = gn(x)      // [N, 64, H, W] → same shape
/// ```
public final class GroupNorm: Module {
    /// Number of groups G.
    public let numGroups: Int
    /// Number of channels C (divisible by G).
    public let numChannels: Int
    /// Added to the variance (1e-5).
    public let eps: Double
    /// γ `[C]` (ones), or nil without `affine`.
    public var weight: Parameter?
    /// β `[C]` (zeros), or nil without `affine`.
    public var bias: Parameter?

    /// Creates the layer with PyTorch's defaults.
    public init(_ numGroups: Int, _ numChannels: Int, eps: Double = 1e-5, affine: Bool = true, dtype: DType = .float32) {
        ensure(numGroups >= 1 && numChannels % numGroups == 0, "GroupNorm: num_channels \(numChannels) must be divisible by num_groups \(numGroups)")
        self.numGroups = numGroups; self.numChannels = numChannels; self.eps = eps
        if affine {
            weight = Parameter(Tensor.ones([numChannels], dtype: dtype))
            bias = Parameter(Tensor.zeros([numChannels], dtype: dtype))
        }
        super.init()
    }

    /// `[N, C, *]` → same shape.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank >= 2 && x.shape[1] == numChannels,
               "GroupNorm(\(numGroups), \(numChannels)): expected input [N, \(numChannels), *], got \(x.shape)")
        return groupNorm(x, groups: numGroups, weight: weight?.value, bias: bias?.value, eps: eps)
    }

    public override var extraDescription: String { "\(numGroups), \(numChannels), eps=\(eps), affine=\(weight != nil)" }
}

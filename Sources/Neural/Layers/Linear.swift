import Tensors
import SwiftLearnCore

/// A fully connected layer: `y = x · Wᵀ + b` over the last axis (PyTorch's `nn.Linear`).
///
/// Parameters `weight` `[outFeatures, inFeatures]` and `bias` `[outFeatures]`, initialized as
/// PyTorch does: `weight ~ kaiming_uniform(a = √5)`, i.e. U(−1/√in, 1/√in), and
/// `bias ~ U(−1/√in, 1/√in)`. Forward and backward are one GEMM each (one autograd node).
///
/// ```swift
/// let fc = Linear(784, 10)
/// let logits = fc(x)          // [B, 784] → [B, 10]
/// ```
public final class Linear: Module {
    /// Size of each input sample.
    public let inFeatures: Int
    /// Size of each output sample.
    public let outFeatures: Int
    /// `[outFeatures, inFeatures]`.
    public var weight: Parameter
    /// `[outFeatures]`, or nil when created with `bias: false`.
    public var bias: Parameter?
    /// A LoRA adapter whose update is added to the output (nil by default; see
    /// ``attachAdapter(rank:alpha:dropout:generator:)``), under the key `adapter`.
    public var adapter: LowRankAdapter?

    /// Creates a layer with PyTorch's default initialization drawn from `generator` (the shared
    /// default generator when nil).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32,
                generator: RandomGenerator? = nil) {
        ensure(inFeatures >= 0 && outFeatures >= 0, "Linear: feature counts must be non-negative, got \(inFeatures), \(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let bound = inFeatures > 0 ? 1 / Double(inFeatures).squareRoot() : 0
        weight = Parameter(Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound, dtype: dtype, generator: generator))
        self.bias = bias ? Parameter(Tensor.uniform([outFeatures], low: -bound, high: bound, dtype: dtype, generator: generator)) : nil
        super.init()
    }

    /// `[*, inFeatures]` → `[*, outFeatures]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank >= 1 && x.shape[x.rank - 1] == inFeatures,
               "Linear(\(inFeatures), \(outFeatures)): expected input shape [*, \(inFeatures)], got \(x.shape)")
        let y = linear(x, weight: weight.value, bias: bias?.value)
        if let adapter, !adapter.isMerged { return y + adapter(x) }
        return y
    }

    public override var extraDescription: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias != nil)"
    }
}

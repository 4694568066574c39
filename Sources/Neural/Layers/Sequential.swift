import Tensors
import SwiftLearnCore

/// Modules applied one after another (PyTorch's `nn.Sequential`); children are keyed `0`, `1`, …
/// so state-dict keys read `0.weight`, `3.bias` as in PyTorch.
///
/// ```swift
/// let mlp = Sequential(Linear(784, 256), ReLU(), Linear(256, 10))
/// let logits = mlp(x)     // [B, 784] → [B, 10]
/// ```
public final class Sequential: Module {
    /// The layers in order (a `var`: layers may be replaced, appended or removed).
    public var layers: [Module]

    /// Creates a sequence from a list of layers.
    public init(_ layers: [Module]) { self.layers = layers; super.init() }

    /// Creates a sequence from layers given as arguments.
    public convenience init(_ layers: Module...) { self.init(layers) }

    /// Children keyed by position (`0`, `1`, …), as PyTorch numbers them.
    public override func namedChildren() -> [(String, Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    /// Applies every layer in turn.
    public override func forward(_ x: Tensor) -> Tensor {
        var h = x
        var i = 0
        while i < layers.count {
            // A Linear followed by a ReLU runs as one fused node (same values, one pass fewer),
            // unless an unmerged LoRA adapter adds to the Linear's output.
            if i + 1 < layers.count, let linear = layers[i] as? Linear, layers[i + 1] is ReLU, linear.adapter?.isMerged ?? true,
               h.rank >= 1, h.shape[h.rank - 1] == linear.inFeatures {
                h = linearReLU(h, weight: linear.weight.value, bias: linear.bias?.value)
                ModuleTrace.record(linear, output: h)
                ModuleTrace.record(layers[i + 1], output: h)
                i += 2
                continue
            }
            h = layers[i](h)
            i += 1
        }
        return h
    }

    /// The layer at `index`.
    public subscript(index: Int) -> Module {
        get { layers[index] }
        set { layers[index] = newValue }
    }

    /// Number of layers.
    public var count: Int { layers.count }

    /// Appends a layer.
    public func append(_ layer: Module) { layers.append(layer) }
}

/// Flattens a contiguous range of axes into one (PyTorch's `nn.Flatten`, default axes 1…−1:
/// `[B, C, H, W]` → `[B, C·H·W]`).
public final class Flatten: Module {
    /// First axis flattened.
    public let startAxis: Int
    /// Last axis flattened (inclusive).
    public let endAxis: Int
    /// Creates the layer.
    public init(startAxis: Int = 1, endAxis: Int = -1) { self.startAxis = startAxis; self.endAxis = endAxis; super.init() }
    /// `[d0, …, ds, …, de, …]` → `[d0, …, ds·…·de, …]`.
    public override func forward(_ x: Tensor) -> Tensor {
        let r = x.rank
        let s = startAxis < 0 ? startAxis + r : startAxis, e = endAxis < 0 ? endAxis + r : endAxis
        ensure(s >= 0 && e < r && s <= e, "Flatten(start_dim=\(startAxis), end_dim=\(endAxis)): input shape \(x.shape) has too few axes")
        return x.flattened(from: s, to: e)
    }
    public override var extraDescription: String { "start_dim=\(startAxis), end_dim=\(endAxis)" }
}

import Tensors
import SwiftLearnCore

/// Randomly zeroes elements with probability `p` during training and scales the rest by
/// 1/(1 − p) (inverted dropout, PyTorch's `nn.Dropout`); the identity in eval mode.
///
/// The mask comes from `generator` (the shared default when nil), so a seed reproduces it; the
/// numbers differ from PyTorch's generator.
public final class Dropout: Module {
    /// Probability of zeroing an element.
    public let p: Double
    private let generator: RandomGenerator?

    /// Creates the layer (`p` = 0.5 by default, as PyTorch).
    public init(_ p: Double = 0.5, generator: RandomGenerator? = nil) {
        ensure(p >= 0 && p <= 1, "Dropout: p must be in [0, 1], got \(p)")
        self.p = p
        self.generator = generator
        super.init()
    }

    /// Any shape → same shape.
    public override func forward(_ x: Tensor) -> Tensor { dropout(x, p: p, training: isTraining, generator: generator) }
    public override var extraDescription: String { "p=\(p)" }
}

/// Inverted dropout (PyTorch's `F.dropout`): in training, each element is zeroed with
/// probability `p` and the survivors are scaled by 1/(1 − p); otherwise returns `x`.
public func dropout(_ x: Tensor, p: Double = 0.5, training: Bool = true, generator: RandomGenerator? = nil) -> Tensor {
    guard training, p > 0 else { return x }
    if p >= 1 { return x * Tensor.zeros([], dtype: x.dtype) }
    let keep = Tensor.bernoulli(x.shape, p: 1 - p, dtype: x.dtype, generator: generator) * (1 / (1 - p))
    return x * keep
}

import Tensors
import SwiftLearnCore

/// A residual connection around a block: `y = body(x) + shortcut(x)` (the identity shortcut when
/// `shortcut` is nil), the skip connection of ResNets and transformer blocks. Keys: `body.*`,
/// `shortcut.*`.
///
/// ```swift
/// let block = Residual(Sequential(LayerNorm(64), Linear(64, 256), GELU(), Linear(256, 64)))
/// let y = block(x)      // [B, T, 64] → x + MLP(LN(x))
/// ```
public final class Residual: Module {
    /// The residual branch.
    public var body: Module
    /// A projection of the input when shapes change (e.g. a 1×1 convolution), or nil for the identity.
    public var shortcut: Module?

    /// Wraps `body` with an identity (or `shortcut`) skip connection.
    public init(_ body: Module, shortcut: Module? = nil) { self.body = body; self.shortcut = shortcut; super.init() }

    /// `body(x) + shortcut(x)`; the shapes must agree.
    public override func forward(_ x: Tensor) -> Tensor {
        let y = body(x), skip = shortcut.map { $0(x) } ?? x
        ensure(y.shape == skip.shape, "Residual: the body's output \(y.shape) does not match the shortcut's \(skip.shape) (input \(x.shape))")
        return y + skip
    }
}

import Tensors

/// A tensor a module owns that is not learned by gradient descent (PyTorch's registered buffer),
/// such as BatchNorm's `running_mean`, `running_var` and `num_batches_tracked`.
///
/// A reference type, like ``Parameter``, so a module can update it in place during the forward
/// pass and a state dict load can replace it. Persistent buffers appear in
/// ``Module/stateDict()``; non-persistent ones (cached tables such as a sinusoidal positional
/// encoding) do not.
public final class ModuleBuffer {
    /// The current values (never part of an autograd graph).
    public var value: Tensor {
        didSet { if value.requiresGrad { value = value.detached() } }
    }

    /// Whether the buffer is saved in and loaded from state dicts (PyTorch's `persistent=True`).
    public let persistent: Bool

    /// Creates a buffer holding `value` (detached, contiguous).
    public init(_ value: Tensor, persistent: Bool = true) {
        self.value = value.detached().contiguous()
        self.persistent = persistent
    }

    /// Shape of the buffer.
    public var shape: [Int] { value.shape }
}

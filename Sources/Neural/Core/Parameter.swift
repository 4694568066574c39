import Tensors

/// A learnable tensor owned by a module (PyTorch's `nn.Parameter`).
///
/// A reference type on purpose: a module, its optimizer and a state dict all see the same
/// parameter, and an optimizer step changes it for everyone. The tensor in ``value`` is a leaf of
/// the autograd graph while ``requiresGrad`` is true, so after `loss.backward()` its gradient is in
/// ``grad``. Assigning a new tensor to ``value`` keeps the parameter's gradient requirement.
///
/// ```swift
/// let w = Parameter(Tensor.zeros([3, 2]))
/// let loss = (x.matmul(w.value)).sum()
/// loss.backward()
/// w.grad      // d loss / d w, shape [3, 2]
/// ```
public final class Parameter {
    /// The current values (a leaf tensor that requires a gradient unless the parameter is frozen).
    public var value: Tensor {
        didSet { attachGradient() }
    }

    /// Whether gradients flow to this parameter; `false` freezes it (PyTorch's `requires_grad_(False)`).
    public var requiresGrad: Bool {
        didSet { attachGradient() }
    }

    /// Creates a parameter holding `value` (stored contiguous, detached from any graph).
    public init(_ value: Tensor, requiresGrad: Bool = true) {
        self.value = value.contiguous().detached()
        self.requiresGrad = requiresGrad
        attachGradient()
    }

    /// The gradient accumulated by the last `backward()` calls (nil after ``zeroGrad()``).
    public var grad: Tensor? {
        get { value.grad }
        set { value.grad = newValue }
    }

    /// Shape of the parameter.
    public var shape: [Int] { value.shape }

    /// Number of scalars in the parameter.
    public var count: Int { value.count }

    /// Clears the accumulated gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() { value.zeroGrad() }

    private func attachGradient() {
        if requiresGrad {
            if !value.requiresGrad || !value.isLeaf { value = value.detached().requiringGrad() }
        } else if value.requiresGrad {
            value = value.detached()
        }
    }
}

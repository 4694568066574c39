import Tensors

/// How a loss combines per-element losses (PyTorch's `reduction=` argument).
public enum LossReduction: String, Sendable, CaseIterable {
    /// The (weighted) mean over elements (PyTorch's default).
    case mean
    /// The sum over elements.
    case sum
    /// No reduction: one loss per element, in the input's batch shape.
    case none

    /// Applies the reduction to a tensor of per-element losses.
    func apply(_ losses: Tensor) -> Tensor {
        switch self {
        case .mean: return losses.mean()
        case .sum: return losses.sum()
        case .none: return losses
        }
    }
}

import Foundation
import Tensors

/// How ``klDivergence(_:_:reduction:logTarget:)`` combines the pointwise terms (PyTorch's
/// `reduction=` for `kl_div`, which adds `batchmean`).
public enum KLDivergenceReduction: String, Sendable, CaseIterable {
    /// Mean over all elements (PyTorch's default, though not the mathematical KL divergence).
    case mean
    /// Sum divided by the batch size (axis 0): the KL divergence per sample — use this one.
    case batchMean
    /// Sum over all elements.
    case sum
    /// One term per element.
    case none
}

/// Kullback–Leibler divergence KL(target ‖ input) with `input` given as log-probabilities
/// (PyTorch's `F.kl_div`): pointwise `y·(log y − x)` (0 where y = 0), or with `logTarget`
/// (target also in log space) `eʸ·(y − x)`. Differentiable in both arguments (the target
/// derivative is taken as 0 where a probability target is 0).
///
/// - Parameters:
///   - input: log-probabilities, any shape (e.g. `logSoftmax(logits)`).
///   - target: probabilities (or log-probabilities with `logTarget`), the same shape.
public func klDivergence(_ input: Tensor, _ target: Tensor, reduction: KLDivergenceReduction = .mean, logTarget: Bool = false) -> Tensor {
    let base: LossReduction = reduction == .none ? .none : (reduction == .mean ? .mean : .sum)
    let divisor: Double? = reduction == .batchMean ? Double(Swift.max(input.rank == 0 ? 1 : input.shape[0], 1)) : nil
    return pointwiseLoss("klDivergence", input, target, reduction: base, divisor: divisor) { _, x, y in
        if logTarget {
            let e = Foundation.exp(y)
            return (e * (y - x), -e, e * (y - x + 1))
        }
        guard y > 0 else { return (0, -y, 0) }
        let ly = Foundation.log(y)
        return (y * (ly - x), -y, ly + 1 - x)
    }
}

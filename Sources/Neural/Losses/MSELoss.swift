import Tensors
import SwiftLearnCore

/// Mean squared error `(input − target)²` (PyTorch's `F.mse_loss`), reduced by `reduction`.
/// Shapes must be equal (PyTorch only warns on broadcasting; here it is a programming error).
/// Differentiable in both arguments.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean) -> Tensor {
    ensure(input.shape == target.shape, "mseLoss: input shape \(input.shape) and target shape \(target.shape) differ")
    return reduction.apply((input - target).square())
}

import Tensors
import SwiftLearnCore

/// Negative log-likelihood of class-index targets given log-probabilities (PyTorch's
/// `F.nll_loss`), one autograd node: the loss of a sample with target y is `−w_y·x[y]`; samples
/// whose target equals `ignoreIndex` contribute nothing, and `.mean` divides by `Σ w_y` over the
/// samples kept (their count without weights), as PyTorch does. With `logSoftmax` before it this
/// is ``crossEntropy(_:_:weight:ignoreIndex:reduction:labelSmoothing:)``.
///
/// - Parameters:
///   - input: log-probabilities `[N, C]`, `[N, C, d1, …]` (class axis 1) or `[C]`.
///   - target: class indices (int32/int64) `[N]` / `[N, d1, …]` / `[]`.
///   - weight: per-class weights `[C]` (a constant), or nil.
/// - Returns: the loss (0-d), or per-sample losses with `.none`.
public func nllLoss(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                    reduction: LossReduction = .mean) -> Tensor {
    let dt = input.dtype
    ensure(dt == .float32 || dt == .float64, "nllLoss: input must be float32 or float64, got \(dt)")
    ensure(input.rank >= 1, "nllLoss: input must have a class axis, got shape \(input.shape)")
    ensure(target.dtype == .int64 || target.dtype == .int32, "nllLoss: targets must be int32/int64 class indices, got \(target.dtype)")
    let unbatched = input.rank == 1
    let x = unbatched ? input.unsqueezed(0) : input
    let c = x.shape[1], n = x.shape[0]
    let batchShape = [n] + Array(x.shape.dropFirst(2))
    ensure(target.shape == (unbatched ? [] : batchShape), "nllLoss: target shape \(target.shape) does not match input \(input.shape) (expected \(unbatched ? [] : batchShape))")
    if let weight { ensure(weight.shape == [c], "nllLoss: weight shape \(weight.shape) must be [\(c)] (one per class)") }
    let spatial = x.count / Swift.max(n * c, 1)   // positions per sample along d1, …
    let values = x.plain(.float64).toArray(as: Double.self)
    let t = target.toArray(as: Int64.self).map(Int.init), w = weight?.plain(.float64).toArray(as: Double.self)
    // Sample s = (i, p): element (i, class k, p) lies at (i·C + k)·spatial + p.
    var losses = [Double](repeating: 0, count: t.count), coefficient = losses
    var denominator = 0.0
    for (s, y) in t.enumerated() where y != ignoreIndex {
        ensure(y >= 0 && y < c, "nllLoss: target \(y) is out of bounds for \(c) classes")
        let i = s / Swift.max(spatial, 1), p = s % Swift.max(spatial, 1), wy = w?[y] ?? 1
        losses[s] = -wy * values[(i * c + y) * spatial + p]
        coefficient[s] = wy
        denominator += wy
    }
    let out: Tensor
    switch reduction {
    case .none: out = Tensor(losses, shape: unbatched ? [] : batchShape).to(dt)
    case .sum: out = Tensor(losses.reduce(0, +), dtype: dt)
    case .mean: out = Tensor(losses.reduce(0, +) / denominator, dtype: dt)
    }
    guard GradMode.isEnabled, input.requiresGrad else { return out }
    let count = values.count
    return Tensor.differentiable(out, inputs: [input], name: "nllLoss") { g in
        let gs = g.plain(.float64).toArray(as: Double.self)
        var d = [Double](repeating: 0, count: count)
        for (s, y) in t.enumerated() where y != ignoreIndex {
            let i = s / Swift.max(spatial, 1), p = s % Swift.max(spatial, 1)
            let scale = reduction == .none ? gs[s] : (reduction == .sum ? gs[0] : gs[0] / denominator)
            d[(i * c + y) * spatial + p] = -coefficient[s] * scale
        }
        return [Tensor(d, shape: input.shape).to(dt)]
    }
}

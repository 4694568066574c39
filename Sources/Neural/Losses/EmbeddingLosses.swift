import Tensors
import SwiftLearnCore

// Losses on pairs and triplets of embeddings, composed from differentiable tensor ops.

/// Cosine embedding loss (PyTorch's `F.cosine_embedding_loss`): for a pair (x1, x2) with label
/// y = 1 (similar) `1 − cos(x1, x2)`, with y = −1 (dissimilar) `max(0, cos(x1, x2) − margin)`, where
/// `cos = x1·x2 / √((‖x1‖² + ε)(‖x2‖² + ε))`, ε = 1e-12.
///
/// - Parameters:
///   - x1, x2: `[N, D]` (or `[D]`).
///   - target: labels ±1, `[N]` (or `[]`), integer or float.
///   - margin: in [−1, 1]; 0 to 0.5 is typical.
public func cosineEmbeddingLoss(_ x1: Tensor, _ x2: Tensor, _ target: Tensor, margin: Double = 0,
                                reduction: LossReduction = .mean) -> Tensor {
    ensure(x1.shape == x2.shape && (x1.rank == 1 || x1.rank == 2), "cosineEmbeddingLoss: inputs must both be [N, D] or [D], got \(x1.shape) and \(x2.shape)")
    ensure(target.shape == Array(x1.shape.dropLast()), "cosineEmbeddingLoss: target shape \(target.shape) must be \(Array(x1.shape.dropLast()))")
    let labels = target.to(.float64).toArray(as: Double.self)
    ensure(labels.allSatisfy { $0 == 1 || $0 == -1 }, "cosineEmbeddingLoss: targets must be 1 or -1")
    let eps = 1e-12
    let dot = (x1 * x2).sum(axis: -1)
    let cos = dot / (((x1 * x1).sum(axis: -1) + eps) * ((x2 * x2).sum(axis: -1) + eps)).sqrt()
    let positive = Tensor(labels.map { $0 == 1 ? 1.0 : 0 }, shape: target.shape).to(x1.dtype)
    let negative = Tensor(labels.map { $0 == -1 ? 1.0 : 0 }, shape: target.shape).to(x1.dtype)
    return reduction.apply((1 - cos) * positive + (cos - margin).clamp(min: 0) * negative)
}

/// The p-norm distance `‖x1 − x2 + ε‖_p` along the last axis (PyTorch's `F.pairwise_distance`).
public func pairwiseDistance(_ x1: Tensor, _ x2: Tensor, p: Double = 2, eps: Double = 1e-6) -> Tensor {
    ensure(p > 0, "pairwiseDistance: p must be positive, got \(p)")
    let diff = x1 - x2 + eps
    if p == 2 { return diff.square().sum(axis: -1).sqrt() }
    if p == 1 { return diff.abs().sum(axis: -1) }
    return (diff.abs() ** p).sum(axis: -1) ** (1 / p)
}

/// Triplet margin loss (PyTorch's `F.triplet_margin_loss`, FaceNet's objective):
/// `max(d(a, p) − d(a, n) + margin, 0)` with the p-norm ``pairwiseDistance(_:_:p:eps:)``; with
/// `swap` (Balntas et al. 2016) d(a, n) is replaced by min(d(a, n), d(p, n)).
///
/// - Parameters:
///   - anchor, positive, negative: `[N, D]` (or `[D]`).
public func tripletMarginLoss(_ anchor: Tensor, _ positive: Tensor, _ negative: Tensor, margin: Double = 1, p: Double = 2,
                              eps: Double = 1e-6, swap: Bool = false, reduction: LossReduction = .mean) -> Tensor {
    ensure(anchor.shape == positive.shape && anchor.shape == negative.shape && (anchor.rank == 1 || anchor.rank == 2),
           "tripletMarginLoss: anchor, positive and negative must share a shape [N, D] or [D], got \(anchor.shape), \(positive.shape), \(negative.shape)")
    let dPositive = pairwiseDistance(anchor, positive, p: p, eps: eps)
    var dNegative = pairwiseDistance(anchor, negative, p: p, eps: eps)
    if swap { dNegative = Tensor.minimum(dNegative, pairwiseDistance(positive, negative, p: p, eps: eps)) }
    return reduction.apply((dPositive - dNegative + margin).clamp(min: 0))
}

import Foundation
import Tensors
import SwiftLearnCore

/// The per-element value and derivatives of a pointwise loss ℓ(x, y): (ℓ, ∂ℓ/∂x, ∂ℓ/∂y).
typealias PointwiseTerm = (loss: Double, dInput: Double, dTarget: Double)

/// A loss that is a sum of per-element terms `w_i·ℓ(x_i, y_i)`, as one autograd node: the terms and
/// both derivatives are computed in one pass (float64 arithmetic), reduced by `reduction` (or
/// divided by `divisor` when given: KL divergence's `batchmean`). Differentiable in `input` and
/// `target`; `weight` (broadcast to the input's shape) is a constant.
func pointwiseLoss(_ name: String, _ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: LossReduction,
                   divisor: Double? = nil, _ term: (Int, Double, Double) -> PointwiseTerm) -> Tensor {
    let dt = input.dtype
    ensure(dt == .float32 || dt == .float64, "\(name): input must be float32 or float64, got \(dt)")
    ensure(target.dtype.isFloatingPoint, "\(name): target must be a float tensor, got \(target.dtype)")
    ensure(input.shape == target.shape, "\(name): input shape \(input.shape) and target shape \(target.shape) differ")
    let n = input.count
    let x = input.plain(.float64).toArray(as: Double.self), y = target.plain(.float64).toArray(as: Double.self)
    var w: [Double]? = nil
    if let weight {
        ensure(broadcastable(weight.shape, to: input.shape), "\(name): weight shape \(weight.shape) does not broadcast to the input shape \(input.shape)")
        w = weight.detached().broadcast(to: input.shape).plain(.float64).toArray(as: Double.self)
    }
    var losses = [Double](repeating: 0, count: n), dx = losses, dy = losses
    for i in 0..<n {
        let t = term(i, x[i], y[i]), wi = w?[i] ?? 1
        losses[i] = wi * t.loss; dx[i] = wi * t.dInput; dy[i] = wi * t.dTarget
    }
    let scale: Double
    let out: Tensor
    switch reduction {
    case .none: out = Tensor(losses, shape: input.shape).to(dt); scale = 1
    case .sum: out = Tensor(losses.reduce(0, +) / (divisor ?? 1), dtype: dt); scale = 1 / (divisor ?? 1)
    case .mean:
        let d = divisor ?? Double(n)
        out = Tensor(losses.reduce(0, +) / d, dtype: dt); scale = 1 / d
    }
    guard GradMode.isEnabled, input.requiresGrad || target.requiresGrad else { return out }
    let shape = input.shape
    return Tensor.differentiable(out, inputs: [input, target], name: name) { g in
        let gs = g.plain(.float64).toArray(as: Double.self)
        func chain(_ d: [Double]) -> Tensor {
            let v = reduction == .none ? (0..<n).map { gs[$0] * d[$0] } : d.map { gs[0] * scale * $0 }
            return Tensor(v, shape: shape).to(dt)
        }
        return [chain(dx), chain(dy)]
    }
}

/// Whether `shape` broadcasts to `target` (NumPy rules, without growing `target`).
func broadcastable(_ shape: [Int], to target: [Int]) -> Bool {
    guard shape.count <= target.count else { return false }
    for (a, b) in zip(shape.reversed(), target.reversed()) where a != b && a != 1 { return false }
    return true
}

@inline(__always) private func sign(_ v: Double) -> Double { v > 0 ? 1 : (v < 0 ? -1 : 0) }

/// Mean absolute error `|input − target|` (PyTorch's `F.l1_loss`). ∂/∂x = sign(x − y).
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean) -> Tensor {
    pointwiseLoss("l1Loss", input, target, reduction: reduction) { _, x, y in
        let d = x - y
        return (Swift.abs(d), sign(d), -sign(d))
    }
}

/// Huber loss (PyTorch's `F.huber_loss`): with d = x − y, `½d²` where |d| < δ, else
/// `δ·(|d| − ½δ)` — quadratic near zero, linear (robust to outliers) beyond δ.
public func huberLoss(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean, delta: Double = 1) -> Tensor {
    ensure(delta > 0, "huberLoss: delta must be positive, got \(delta)")
    return pointwiseLoss("huberLoss", input, target, reduction: reduction) { _, x, y in
        let d = x - y
        if Swift.abs(d) < delta { return (0.5 * d * d, d, -d) }
        return (delta * (Swift.abs(d) - 0.5 * delta), delta * sign(d), -delta * sign(d))
    }
}

/// Smooth L1 loss (PyTorch's `F.smooth_l1_loss`): `½d²/β` where |d| < β, else `|d| − ½β`
/// (the Huber loss divided by β; β = 0 gives the L1 loss).
public func smoothL1Loss(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean, beta: Double = 1) -> Tensor {
    ensure(beta >= 0, "smoothL1Loss: beta must be non-negative, got \(beta)")
    return pointwiseLoss("smoothL1Loss", input, target, reduction: reduction) { _, x, y in
        let d = x - y
        if Swift.abs(d) < beta { return (0.5 * d * d / beta, d / beta, -d / beta) }
        return (Swift.abs(d) - 0.5 * beta, sign(d), -sign(d))
    }
}

/// Binary cross-entropy between probabilities and targets (PyTorch's `F.binary_cross_entropy`):
/// `−w·(y·log x + (1 − y)·log(1 − x))`, each log clamped at −100 as PyTorch does (so x = 0 or 1
/// gives a finite loss). Inputs must lie in [0, 1]; prefer ``binaryCrossEntropyWithLogits(_:_:weight:posWeight:reduction:)``
/// on raw scores, which is numerically stable.
///
/// - Parameters:
///   - input: probabilities, any shape; target: the same shape, in [0, 1].
///   - weight: per-element rescaling weight broadcast to the input's shape (a constant), or nil.
public func binaryCrossEntropy(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: LossReduction = .mean) -> Tensor {
    pointwiseLoss("binaryCrossEntropy", input, target, weight: weight, reduction: reduction) { _, x, y in
        ensure(x >= 0 && x <= 1, "binaryCrossEntropy: all elements of input should be between 0 and 1, got \(x)")
        let lx = Swift.max(Foundation.log(x), -100), l1x = Swift.max(Foundation.log1p(-x), -100)
        return (-(y * lx + (1 - y) * l1x), (x - y) / Swift.max((1 - x) * x, 1e-12), l1x - lx)
    }
}

/// Binary cross-entropy on logits (PyTorch's `F.binary_cross_entropy_with_logits`), computed
/// stably as `w·((1 − y)·x + (1 + (p − 1)·y)·softplus(−x))` with
/// `softplus(−x) = log(1 + e^{−|x|}) + max(−x, 0)` — equal to BCE(σ(x), y) with positive examples
/// weighted by p, without overflow for large |x|.
///
/// - Parameters:
///   - input: logits, any shape; target: the same shape, in [0, 1].
///   - weight: per-element weight broadcast to the input's shape (a constant), or nil.
///   - posWeight: weight p of positive examples, broadcast along the last axis (`[C]` for C
///     classes); p > 1 raises recall. A constant.
public func binaryCrossEntropyWithLogits(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, posWeight: Tensor? = nil,
                                         reduction: LossReduction = .mean) -> Tensor {
    var p: [Double]? = nil
    if let posWeight {
        ensure(broadcastable(posWeight.shape, to: input.shape),
               "binaryCrossEntropyWithLogits: pos_weight shape \(posWeight.shape) does not broadcast to the input shape \(input.shape)")
        p = posWeight.detached().broadcast(to: input.shape).plain(.float64).toArray(as: Double.self)
    }
    return pointwiseLoss("binaryCrossEntropyWithLogits", input, target, weight: weight, reduction: reduction) { i, x, y in
        let pw = p?[i] ?? 1, lw = 1 + (pw - 1) * y
        let softplusNeg = Foundation.log1p(Foundation.exp(-Swift.abs(x))) + Swift.max(-x, 0)
        let sigmoidNeg = x >= 0 ? Foundation.exp(-x) / (1 + Foundation.exp(-x)) : 1 / (1 + Foundation.exp(x))
        return ((1 - y) * x + lw * softplusNeg, (1 - y) - lw * sigmoidNeg, -x + (pw - 1) * softplusNeg)
    }
}

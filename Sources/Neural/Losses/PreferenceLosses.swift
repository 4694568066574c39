import Tensors
import SwiftLearnCore

/// The summed log-probability of each sequence's target tokens: `logits` `[B, T, V]`, `targets`
/// `[B, T]` (positions whose target is `ignoreIndex`, such as prompt tokens and padding, count
/// nothing) → `[B]`. Differentiable in `logits`; what DPO compares between the policy and the
/// reference (TRL's `concatenated_forward` log-probabilities).
public func sequenceLogProbabilities(_ logits: Tensor, targets: Tensor, ignoreIndex: Int = -100) -> Tensor {
    ensure(logits.rank == 3 && targets.shape == Array(logits.shape.prefix(2)),
           "sequenceLogProbabilities: expected logits [B, T, V] and targets [B, T], got \(logits.shape) and \(targets.shape)")
    let (b, t, v) = (logits.shape[0], logits.shape[1], logits.shape[2])
    let nll = crossEntropy(logits.reshaped([b * t, v]), targets.reshaped([b * t]), ignoreIndex: ignoreIndex, reduction: .none)
    return -nll.reshaped([b, t]).sum(axis: 1)
}

/// Direct Preference Optimization's loss (Rafailov et al. 2023; TRL's `sigmoid` loss with label
/// smoothing ε, the conservative DPO of cDPO): with the log-ratio margin
/// `m = (log π(y_w) − log π(y_l)) − (log π_ref(y_w) − log π_ref(y_l))`,
/// `loss = mean(−(1 − ε)·log σ(β·m) − ε·log σ(−β·m))`.
///
/// - Parameters:
///   - policyChosen, policyRejected: `[B]` sequence log-probabilities under the trained model
///     (``sequenceLogProbabilities(_:targets:ignoreIndex:)``), differentiable.
///   - referenceChosen, referenceRejected: `[B]` the same under the frozen reference (constants).
///   - beta: β, how far from the reference the policy may move (TRL's default 0.1).
///   - labelSmoothing: ε in [0, 0.5), the assumed rate of flipped preference labels.
/// - Returns: the 0-d mean loss.
public func dpoLoss(policyChosen: Tensor, policyRejected: Tensor, referenceChosen: Tensor, referenceRejected: Tensor,
                    beta: Double = 0.1, labelSmoothing: Double = 0) -> Tensor {
    ensure(policyChosen.rank == 1 && [policyRejected, referenceChosen, referenceRejected].allSatisfy { $0.shape == policyChosen.shape },
           "dpoLoss: expected four [B] log-probability vectors, got \(policyChosen.shape), \(policyRejected.shape), \(referenceChosen.shape), \(referenceRejected.shape)")
    ensure(beta > 0 && beta.isFinite, "dpoLoss: beta must be positive, got \(beta)")
    ensure(labelSmoothing >= 0 && labelSmoothing < 0.5, "dpoLoss: label smoothing must be in [0, 0.5), got \(labelSmoothing)")
    let margin = (policyChosen - policyRejected) - (referenceChosen.detached() - referenceRejected.detached())
    let z = margin * beta
    // −log σ(z) = softplus(−z), −log σ(−z) = softplus(z).
    var loss = (-z).softplus()
    if labelSmoothing > 0 { loss = loss * (1 - labelSmoothing) + z.softplus() * labelSmoothing }
    return loss.mean()
}

/// Knowledge distillation's loss (Hinton et al. 2015): `α·T²·KL(softmax(t/T) ‖ softmax(s/T))` on
/// the temperature-softened distributions (batch mean, as PyTorch's `kl_div(…, reduction="batchmean")`),
/// plus `(1 − α)·CE(s, labels)` when `labels` are given. `student`, `teacher` `[N, C]` logits;
/// the teacher is a constant.
public func distillationLoss(student: Tensor, teacher: Tensor, temperature: Double = 2, alpha: Double = 0.5, labels: Tensor? = nil) -> Tensor {
    ensure(student.rank == 2 && teacher.shape == student.shape, "distillationLoss: expected student and teacher logits [N, C] of one shape, got \(student.shape) and \(teacher.shape)")
    ensure(temperature > 0 && temperature.isFinite, "distillationLoss: temperature must be positive, got \(temperature)")
    ensure(alpha >= 0 && alpha <= 1, "distillationLoss: alpha must be in [0, 1], got \(alpha)")
    let logQ = (student / temperature).logSoftmax(axis: -1)
    let p = (teacher.detached() / temperature).softmax(axis: -1), logP = (teacher.detached() / temperature).logSoftmax(axis: -1)
    let kl = (p * (logP - logQ)).sum() / Double(student.shape[0])
    var loss = kl * (alpha * temperature * temperature)
    if let labels, alpha < 1 { loss = loss + crossEntropy(student, labels) * (1 - alpha) }
    return loss
}

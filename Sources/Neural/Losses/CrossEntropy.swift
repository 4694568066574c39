import Foundation
import Tensors
import SwiftLearnCore

/// Cross-entropy between logits and targets (PyTorch's `F.cross_entropy`): log-softmax and
/// negative log-likelihood fused into one pass forward and one backward (one autograd node).
///
/// For class-index targets `y` with class weights `w` and label smoothing ε over C classes, the
/// loss of one sample is
/// `ℓ = −(1−ε)·w_y·log p_y − (ε/C)·Σ_c w_c·log p_c`, with `log p = logSoftmax(logits)`;
/// samples whose target equals `ignoreIndex` contribute nothing. `.mean` divides the sum by
/// `Σ w_y` over the samples not ignored (the number of such samples without weights), exactly as
/// PyTorch does. For probability targets `t` (a float tensor shaped like the logits)
/// `ℓ = −Σ_c w_c·t′_c·log p_c` with `t′ = (1−ε)t + ε/C`, and `.mean` divides by the sample count.
///
/// - Parameters:
///   - logits: `[N, C]`, `[N, C, d1, …]` (class axis 1, as PyTorch) or `[C]` (one sample).
///   - target: class indices (int32/int64) `[N]` / `[N, d1, …]` / `[]`, or probabilities shaped
///     like `logits`.
///   - weight: optional per-class weights `[C]`.
///   - ignoreIndex: target value to skip (default −100, PyTorch's).
///   - reduction: `.mean` (default), `.sum` or `.none` (shape of the target's batch axes).
///   - labelSmoothing: ε in [0, 1].
/// - Returns: the loss (0-d unless `.none`). Differentiable in `logits`.
public func crossEntropy(_ logits: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                         reduction: LossReduction = .mean, labelSmoothing: Double = 0) -> Tensor {
    let dt = logits.dtype
    ensure(dt == .float32 || dt == .float64, "crossEntropy: logits must be float32 or float64, got \(dt)")
    ensure(logits.rank >= 1, "crossEntropy: logits must have a class axis, got shape \(logits.shape)")
    ensure(labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropy: labelSmoothing must be in [0, 1], got \(labelSmoothing)")
    let unbatched = logits.rank == 1
    let x = unbatched ? logits.unsqueezed(0) : logits
    let c = x.shape[1]
    let probTargets = target.dtype.isFloatingPoint
    var t = unbatched ? target.unsqueezed(0) : target
    if probTargets {
        ensure(t.shape == x.shape, "crossEntropy: probability targets must have the logits' shape \(logits.shape), got \(target.shape)")
    } else {
        ensure(t.dtype == .int64 || t.dtype == .int32, "crossEntropy: class targets must be int32/int64 (or float probabilities), got \(target.dtype)")
        let expected = [x.shape[0]] + Array(x.shape.dropFirst(2))
        ensure(t.shape == expected, "crossEntropy: target shape \(target.shape) does not match logits \(logits.shape) (expected \(unbatched ? [] : expected))")
    }
    if let weight { ensure(weight.shape == [c], "crossEntropy: weight shape \(weight.shape) must be [\(c)] (one per class)") }
    // Rows [R, C] with the class axis last.
    let batchShape = [x.shape[0]] + Array(x.shape.dropFirst(2))
    let classLast = x.rank > 2 ? x.permuted([0] + Array(2..<x.rank) + [1]) : x
    let rows = classLast.reshaped([-1, c]).plain(dt)
    if probTargets {
        t = (x.rank > 2 ? t.permuted([0] + Array(2..<x.rank) + [1]) : t).reshaped([-1, c])
    }
    let kernel = CrossEntropyKernel(rows: rows.shape[0], classes: c, weight: weight?.scalars, ignoreIndex: ignoreIndex,
                                    smoothing: labelSmoothing, reduction: reduction,
                                    indices: probTargets ? nil : t.toArray(as: Int64.self),
                                    probabilities: probTargets ? t.plain(.float64).toArray(as: Double.self) : nil)
    let (losses, lse, denominator) = dt == .float32 ? kernel.forward(Float.self, rows) : kernel.forward(Double.self, rows)
    let outShape = unbatched ? [] : batchShape
    let out: Tensor
    switch reduction {
    case .none: out = Tensor(losses, shape: outShape).to(dt)
    case .sum: out = Tensor(losses.reduce(0, +), dtype: dt)
    case .mean: out = Tensor(losses.reduce(0, +) / denominator, dtype: dt)
    }
    guard GradMode.isEnabled, logits.requiresGrad else { return out }
    let xShape = x.shape, permutedShape = classLast.shape
    return Tensor.differentiable(out, inputs: [logits], name: "crossEntropy") { g in
        let gd = g.plain(.float64).toArray(as: Double.self)
        var d = dt == .float32 ? kernel.backward(Float.self, rows, lse: lse, g: gd, denominator: denominator)
                               : kernel.backward(Double.self, rows, lse: lse, g: gd, denominator: denominator)
        if xShape.count > 2 {
            let r = xShape.count
            var inverse = [Int](repeating: 0, count: r)
            let perm = [0] + Array(2..<r) + [1]
            for (i, p) in perm.enumerated() { inverse[p] = i }
            d = d.reshaped(permutedShape).permuted(inverse).contiguous()
        }
        return [d.reshaped(logits.shape)]
    }
}

/// The fused log-softmax + NLL kernel over rows of logits (plain loops over raw memory; the
/// composed reference `−(logSoftmax(x) · onehot)` is used in tests).
struct CrossEntropyKernel {
    let rows: Int, classes: Int
    let weight: [Double]?
    let ignoreIndex: Int
    let smoothing: Double
    let reduction: LossReduction
    let indices: [Int64]?
    let probabilities: [Double]?

    /// The per-class coefficients a_c of row r (ℓ_r = −Σ a_c·log p_c), nil for an ignored row.
    @inline(__always)
    func coefficients(_ r: Int, into a: inout [Double]) -> Bool {
        let c = classes, eps = smoothing
        if let indices {
            let y = Int(indices[r])
            if y == ignoreIndex { return false }
            ensure(y >= 0 && y < c, "crossEntropy: target \(y) is out of bounds for \(c) classes")
            for k in 0..<c { a[k] = eps / Double(c) * (weight?[k] ?? 1) }
            a[y] += (1 - eps) * (weight?[y] ?? 1)
        } else if let probabilities {
            for k in 0..<c { a[k] = (weight?[k] ?? 1) * ((1 - eps) * probabilities[r * c + k] + eps / Double(c)) }
        }
        return true
    }

    /// Per-row losses, per-row log-sum-exp, and the `.mean` denominator.
    func forward<T: FloatScalar>(_: T.Type, _ x: Tensor) -> ([Double], [Double], Double) {
        let c = classes
        let px = x.raw(T.self)
        var losses = [Double](repeating: 0, count: rows), lse = [Double](repeating: 0, count: rows)
        var denominator = 0.0
        var a = [Double](repeating: 0, count: c)
        for r in 0..<rows {
            let row = px + r * c
            var m = -Double.infinity
            for k in 0..<c { m = Swift.max(m, Double(row[k])) }
            var s = 0.0
            for k in 0..<c { s += Foundation.exp(Double(row[k]) - m) }
            let l = m + Foundation.log(s)
            lse[r] = l
            guard coefficients(r, into: &a) else { continue }
            var loss = 0.0
            for k in 0..<c where a[k] != 0 { loss -= a[k] * (Double(row[k]) - l) }
            losses[r] = loss
            if let indices { denominator += weight?[Int(indices[r])] ?? 1 } else { denominator += 1 }
        }
        return (losses, lse, denominator)
    }

    /// d loss / d logits as a `[rows, classes]` tensor: s_r·(A·softmax − a), A = Σ a_c.
    func backward<T: FloatScalar>(_: T.Type, _ x: Tensor, lse: [Double], g: [Double], denominator: Double) -> Tensor {
        let c = classes
        let d = Tensor.uninitialized([rows, c], dtype: x.dtype)
        let px = x.raw(T.self), pd = d.raw(T.self)
        var a = [Double](repeating: 0, count: c)
        for r in 0..<rows {
            let row = px + r * c, out = pd + r * c
            guard coefficients(r, into: &a) else { for k in 0..<c { out[k] = 0 }; continue }
            let s: Double
            switch reduction {
            case .none: s = g[r]
            case .sum: s = g[0]
            case .mean: s = g[0] / denominator
            }
            var total = 0.0
            for k in 0..<c { total += a[k] }
            for k in 0..<c { out[k] = T(s * (total * Foundation.exp(Double(row[k]) - lse[r]) - a[k])) }
        }
        return d
    }
}

import Foundation
import Tensors
import SwiftLearnCore

/// Rescales gradients so that their joint norm is at most `maxNorm`
/// (PyTorch's `torch.nn.utils.clip_grad_norm_`).
///
/// The total norm is the `normType`-norm of all gradients taken together,
/// ‖(‖g₁‖, ‖g₂‖, …)‖ (`.infinity` for the largest absolute entry). When it exceeds `maxNorm`,
/// every gradient is multiplied by `maxNorm / (total + 1e-6)`, as PyTorch does. Parameters
/// without a gradient are ignored.
///
/// - Returns: The total norm before clipping (PyTorch returns it too; log it to watch for
///   exploding gradients). A non-finite total (a NaN or infinite gradient) is returned as is and
///   the gradients are left unscaled; check `isFinite` to skip such a step.
@discardableResult
public func clipGradNorm(_ parameters: [Parameter], maxNorm: Double, normType: Double = 2) -> Double {
    ensure(maxNorm >= 0, "clipGradNorm: maxNorm \(maxNorm) must be >= 0")
    ensure(normType > 0, "clipGradNorm: normType \(normType) must be > 0")
    let grads = parameters.compactMap { $0.grad == nil ? nil : $0 }
    if grads.isEmpty { return 0 }
    var total = 0.0
    for p in grads {
        let g = p.grad!.contiguous()
        let part = g.dtype == .float32 ? gradientNormPart(g, Float.self, normType) : gradientNormPart(g, Double.self, normType)
        total = normType.isInfinite ? Swift.max(total, part) : total + part
    }
    if !normType.isInfinite { total = normType == 2 ? total.squareRoot() : Foundation.pow(total, 1 / normType) }
    if !total.isFinite { return total }
    let scale = maxNorm / (total + 1e-6)
    if scale < 1 {
        GradMode.withoutGrad {
            for p in grads { p.grad = p.grad! * scale }
        }
    }
    return total
}

/// Σ|gᵢ|^p (or max |gᵢ| for p = ∞) of one gradient.
private func gradientNormPart<T: BinaryFloatingPoint>(_ g: Tensor, _: T.Type, _ p: Double) -> Double {
    let x = readPointer(g, as: T.self)
    var acc = 0.0
    for i in 0..<g.count {
        let a = Double(Swift.abs(x[i]))
        if p.isInfinite { acc = Swift.max(acc, a) } else if p == 2 { acc += a * a } else { acc += Foundation.pow(a, p) }
    }
    return acc
}

/// Clamps every gradient entry to [−clipValue, clipValue]
/// (PyTorch's `torch.nn.utils.clip_grad_value_`).
public func clipGradValue(_ parameters: [Parameter], clipValue: Double) {
    ensure(clipValue >= 0, "clipGradValue: clipValue \(clipValue) must be >= 0")
    GradMode.withoutGrad {
        for p in parameters {
            guard let g = p.grad else { continue }
            p.grad = g.clamp(min: -clipValue, max: clipValue)
        }
    }
}

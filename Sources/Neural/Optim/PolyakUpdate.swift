import Tensors
import SwiftLearnCore

/// Moves each target parameter a fraction `tau` of the way toward its source, in place:
/// `target ← target + τ·(source − target)` (Polyak averaging, as Stable-Baselines3's
/// `polyak_update` and PyTorch's `torch._foreach_lerp_` do for target networks in DQN, DDPG,
/// TD3 and SAC). `tau = 1` copies. The lists pair up in order and must match in shape and dtype.
///
/// ```swift
/// polyakUpdate(target: criticTarget.parameters(), source: critic.parameters(), tau: 0.005)
/// ```
public func polyakUpdate(target: [Parameter], source: [Parameter], tau: Double) {
    ensure(target.count == source.count, "polyakUpdate: \(target.count) target parameters for \(source.count) sources")
    ensure(tau >= 0 && tau <= 1, "polyakUpdate: tau must be in [0, 1], got \(tau)")
    for (t, s) in zip(target, source) {
        ensure(t.shape == s.shape && t.value.dtype == s.value.dtype,
               "polyakUpdate: target \(t.shape) \(t.value.dtype) does not match source \(s.shape) \(s.value.dtype)")
        guard t.count > 0 else { continue }
        t.makeStorageUnique()
        let src = s.value.contiguous()
        switch t.value.dtype {
        case .float32: lerp(mutablePointer(t.value, as: Float.self), readPointer(src, as: Float.self), t.count, Float(tau))
        case .float64: lerp(mutablePointer(t.value, as: Double.self), readPointer(src, as: Double.self), t.count, tau)
        default:
            GradMode.withoutGrad { t.value = t.value + (src - t.value) * tau }
        }
    }
}

@inline(__always)
private func lerp<T: BinaryFloatingPoint>(_ t: UnsafeMutablePointer<T>, _ s: UnsafePointer<T>, _ n: Int, _ tau: T) {
    for i in 0..<n { t[i] += tau * (s[i] - t[i]) }
}

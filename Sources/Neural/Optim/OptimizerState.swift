import Tensors
import SwiftLearnCore

/// The state an optimizer keeps for one parameter: a step count and named buffers of the
/// parameter's shape and dtype (PyTorch's `optimizer.state[p]`).
final class ParameterState {
    /// Number of updates applied to this parameter.
    var step = 0
    /// Buffers in creation order (names as PyTorch's: `exp_avg`, `momentum_buffer`, …).
    var buffers: [(name: String, tensor: Tensor)] = []

    /// The buffer called `name`, created zero-filled (or filled with `initial`) like `like`.
    func buffer(_ name: String, like parameter: Tensor, initial: Double = 0) -> Tensor {
        if let b = buffers.first(where: { $0.name == name }) { return b.tensor }
        let t = initial == 0 ? Tensor.zeros(parameter.shape, dtype: parameter.dtype)
                             : Tensor.full(parameter.shape, initial, dtype: parameter.dtype)
        buffers.append((name, t))
        return t
    }

    /// Whether the buffer exists yet.
    func has(_ name: String) -> Bool { buffers.contains { $0.name == name } }
}

/// Per-parameter states of one optimizer, with the bookkeeping shared by all optimizers:
/// finding the gradient, making the parameter contiguous, dtype dispatch, saving and loading.
final class OptimizerStateStore {
    private var states: [ObjectIdentifier: ParameterState] = [:]

    /// The state of `p` (created empty on first use).
    func state(for p: Parameter) -> ParameterState {
        let id = ObjectIdentifier(p)
        if let s = states[id] { return s }
        let s = ParameterState()
        states[id] = s
        return s
    }

    /// The state of `p` if it has one.
    func existingState(for p: Parameter) -> ParameterState? { states[ObjectIdentifier(p)] }

    /// Calls `body` for every parameter with a gradient, with its gradient as a contiguous
    /// tensor of the parameter's dtype, after making the parameter's own storage contiguous.
    func forEachGradient(_ groups: [ParameterGroup], _ body: (ParameterGroup, Parameter, Tensor) -> Void) {
        GradMode.withoutGrad {
            for group in groups {
                for p in group.parameters {
                    guard let g = p.grad else { continue }
                    ensure(g.shape == p.value.shape,
                                  "optimizer: gradient shape \(g.shape) does not match parameter shape \(p.value.shape)")
                    p.makeStorageUnique()
                    let grad = (g.dtype == p.value.dtype ? g : g.to(p.value.dtype)).contiguous()
                    body(group, p, grad)
                }
            }
        }
    }

    /// Named state tensors over `groups` in PyTorch's order (`state.<index>.<buffer>`).
    func tensors(_ groups: [ParameterGroup]) -> [(name: String, tensor: Tensor)] {
        var out: [(name: String, tensor: Tensor)] = []
        for (i, p) in groups.flatMap(\.parameters).enumerated() {
            guard let s = existingState(for: p) else { continue }
            out.append(("state.\(i).step", Tensor([Double(s.step)])))
            for b in s.buffers { out.append(("state.\(i).\(b.name)", GradMode.withoutGrad { b.tensor.copied() })) }
        }
        return out
    }

    /// Replaces the states with saved ones (see ``tensors(_:)``).
    func load(_ saved: [(name: String, tensor: Tensor)], groups: [ParameterGroup]) throws {
        let params = groups.flatMap(\.parameters)
        var fresh: [ObjectIdentifier: ParameterState] = [:]
        for (name, tensor) in saved {
            let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0] == "state", let i = Int(parts[1]) else {
                throw TrainingError.stateMismatch("unexpected entry '\(name)' (expected state.<index>.<buffer>)")
            }
            guard i >= 0 && i < params.count else {
                throw TrainingError.stateMismatch("entry '\(name)' names parameter \(i), but the optimizer has \(params.count)")
            }
            let p = params[i]
            let id = ObjectIdentifier(p)
            let s = fresh[id] ?? ParameterState()
            fresh[id] = s
            if parts[2] == "step" {
                guard tensor.count == 1 else { throw TrainingError.stateMismatch("'\(name)' must hold one number") }
                let v = tensor.item()
                guard v >= 0, v == v.rounded() else { throw TrainingError.stateMismatch("'\(name)' = \(v) is not a step count") }
                s.step = Int(v)
            } else {
                guard tensor.shape == p.value.shape else {
                    throw TrainingError.stateMismatch("'\(name)' has shape \(tensor.shape), parameter \(i) has \(p.value.shape)")
                }
                guard tensor.dtype.isFloatingPoint else {
                    throw TrainingError.stateMismatch("'\(name)' has dtype \(tensor.dtype)")
                }
                let t = GradMode.withoutGrad { tensor.detached().to(p.value.dtype).copied() }
                s.buffers.append((parts[2], t))
            }
        }
        states = fresh
    }
}

extension Parameter {
    /// Makes this parameter the only owner of a contiguous buffer (copying it first when another
    /// tensor shares it: a state-dict snapshot, a view, a graph still alive), keeping its
    /// gradient. After this an in-place update is seen by no one else, so tensors taken from a
    /// parameter keep their values, as Swift value semantics promise. It goes through a public
    /// copy-on-write write of one element (rewriting its own value), the only public path.
    func makeStorageUnique() {
        guard value.count > 0 else { return }
        let first = [Int](repeating: 0, count: value.rank)
        let v = value.value(at: first)
        GradMode.withoutGrad { value.setValue(v, at: first) }
    }
}

/// Mutable pointer to the first element of a contiguous tensor's storage.
///
/// Writes through it bypass copy-on-write: callers first make the storage unique
/// (``Parameter/makeStorageUnique()``) or own it (state buffers they allocated).
@inline(__always)
func mutablePointer<T>(_ t: Tensor, as type: T.Type) -> UnsafeMutablePointer<T> {
    t.storage.base.assumingMemoryBound(to: T.self) + t.offset
}

/// Read-only pointer to the first element of a contiguous tensor.
@inline(__always)
func readPointer<T>(_ t: Tensor, as type: T.Type) -> UnsafePointer<T> {
    UnsafePointer(t.storage.base.assumingMemoryBound(to: T.self) + t.offset)
}

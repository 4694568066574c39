import Tensors
import SwiftLearnCore

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay
/// (PyTorch's `torch.optim.SGD`, same update and defaults).
///
/// For each parameter θ with gradient g (λ = weight decay, μ = momentum, τ = dampening, η = lr):
///
///     g ← g + λ·θ
///     b ← g                      (first step)
///     b ← μ·b + (1 − τ)·g        (later steps)
///     d ← g + μ·b  (Nesterov)   or   d ← b   (μ > 0)   or   d ← g   (μ = 0)
///     θ ← θ − η·d
///
/// With `maximize` the gradient's sign is flipped first.
///
/// ```swift
/// let optimizer = SGD(model.parameters(), learningRate: 0.1, momentum: 0.9, nesterov: true)
/// ```
public final class SGD: Optimizer {
    public let parameterGroups: [ParameterGroup]
    /// Dampening τ of the momentum buffer's gradient term.
    public let dampening: Double
    /// Whether the Nesterov form of momentum is used.
    public let nesterov: Bool
    /// Whether the objective is maximized instead of minimized.
    public let maximize: Bool
    private let store = OptimizerStateStore()

    /// Creates SGD over parameter groups (unset group values take these defaults).
    /// - Parameters:
    ///   - learningRate: η (PyTorch's default 1e-3).
    ///   - momentum: μ ≥ 0 (default 0).
    ///   - dampening: τ (default 0).
    ///   - weightDecay: L2 penalty λ ≥ 0 added to the gradient (default 0).
    ///   - nesterov: Nesterov momentum; needs μ > 0 and τ = 0.
    public init(groups: [ParameterGroup], learningRate: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        parameterGroups = resolvedGroups(groups, learningRate: learningRate, weightDecay: weightDecay,
                                         momentum: momentum, optimizer: "SGD")
        for g in parameterGroups {
            ensure(g.momentum >= 0, "SGD: momentum \(g.momentum) must be >= 0")
            ensure(!nesterov || (g.momentum > 0 && dampening == 0),
                          "SGD: Nesterov momentum requires a momentum > 0 and zero dampening")
        }
        self.dampening = dampening
        self.nesterov = nesterov
        self.maximize = maximize
    }

    /// Creates SGD over one group of parameters.
    public convenience init(_ parameters: [Parameter], learningRate: Double = 1e-3, momentum: Double = 0,
                            dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        self.init(groups: [ParameterGroup(parameters)], learningRate: learningRate, momentum: momentum,
                  dampening: dampening, weightDecay: weightDecay, nesterov: nesterov, maximize: maximize)
    }

    public func step() {
        store.forEachGradient(parameterGroups) { group, p, grad in
            let state = store.state(for: p)
            let first = !state.has("momentum_buffer")
            let buffer: Tensor? = group.momentum != 0 ? state.buffer("momentum_buffer", like: p.value) : nil
            state.step += 1
            switch p.value.dtype {
            case .float32: update(Float.self, p.value, grad, buffer, group, first: first)
            default: update(Double.self, p.value, grad, buffer, group, first: first)
            }
        }
    }

    private func update<T: BinaryFloatingPoint>(_: T.Type, _ param: Tensor, _ grad: Tensor, _ buffer: Tensor?,
                                                 _ group: ParameterGroup, first: Bool) {
        let n = param.count
        let theta = mutablePointer(param, as: T.self), g = readPointer(grad, as: T.self)
        let lr = T(group.learningRate), wd = T(group.weightDecay), mu = T(group.momentum)
        let keep = T(1 - dampening), sign: T = maximize ? -1 : 1
        guard let buffer else {
            for i in 0..<n {
                let d = sign * g[i] + wd * theta[i]
                theta[i] -= lr * d
            }
            return
        }
        let b = mutablePointer(buffer, as: T.self)
        for i in 0..<n {
            let d = sign * g[i] + wd * theta[i]
            b[i] = first ? d : mu * b[i] + keep * d
            theta[i] -= lr * (nesterov ? d + mu * b[i] : b[i])
        }
    }

    public func stateTensors() -> [(name: String, tensor: Tensor)] { store.tensors(parameterGroups) }

    public func loadStateTensors(_ tensors: [(name: String, tensor: Tensor)]) throws {
        try store.load(tensors, groups: parameterGroups)
    }
}

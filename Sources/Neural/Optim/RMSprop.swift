import Tensors
import SwiftLearnCore

/// RMSprop (Hinton's lecture 6e), optionally centered and with momentum (PyTorch's
/// `torch.optim.RMSprop`, same update and defaults).
///
/// For θ with gradient g (α = smoothing, μ = the group's momentum, η = lr, λ = weight decay):
///
///     g ← g + λ·θ
///     s ← α·s + (1 − α)·g²
///     a ← α·a + (1 − α)·g;  s̃ ← s − a²      (centered; otherwise s̃ = s)
///     d ← √s̃ + ε
///     b ← μ·b + g / d;  θ ← θ − η·b         (μ > 0)
///     θ ← θ − η·g / d                       (μ = 0)
///
/// ```swift
/// let optimizer = RMSprop(model.parameters(), learningRate: 1e-3, centered: true)
/// ```
public final class RMSprop: Optimizer {
    public let parameterGroups: [ParameterGroup]
    /// Smoothing constant α of the squared-gradient average.
    public let alpha: Double
    /// ε added to the denominator.
    public let epsilon: Double
    /// Whether the gradient is normalized by an estimate of its variance instead of its second moment.
    public let centered: Bool
    /// Whether the objective is maximized instead of minimized.
    public let maximize: Bool
    private let store = OptimizerStateStore()

    /// Creates RMSprop over parameter groups (unset group values take these defaults).
    /// - Parameters:
    ///   - learningRate: η (default 1e-2).
    ///   - alpha: α in [0, 1] (default 0.99).
    ///   - epsilon: ε (default 1e-8).
    ///   - weightDecay: λ (default 0).
    ///   - momentum: μ ≥ 0 (default 0).
    ///   - centered: centered RMSprop (default false).
    public init(groups: [ParameterGroup], learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false, maximize: Bool = false) {
        parameterGroups = resolvedGroups(groups, learningRate: learningRate, weightDecay: weightDecay,
                                         momentum: momentum, optimizer: "RMSprop")
        ensure(alpha >= 0 && alpha <= 1, "RMSprop: alpha \(alpha) must be in [0, 1]")
        ensure(epsilon >= 0, "RMSprop: epsilon \(epsilon) must be >= 0")
        for g in parameterGroups { ensure(g.momentum >= 0, "RMSprop: momentum \(g.momentum) must be >= 0") }
        self.alpha = alpha
        self.epsilon = epsilon
        self.centered = centered
        self.maximize = maximize
    }

    /// Creates RMSprop over one group of parameters.
    public convenience init(_ parameters: [Parameter], learningRate: Double = 1e-2, alpha: Double = 0.99,
                            epsilon: Double = 1e-8, weightDecay: Double = 0, momentum: Double = 0,
                            centered: Bool = false, maximize: Bool = false) {
        self.init(groups: [ParameterGroup(parameters)], learningRate: learningRate, alpha: alpha, epsilon: epsilon,
                  weightDecay: weightDecay, momentum: momentum, centered: centered, maximize: maximize)
    }

    public func step() {
        store.forEachGradient(parameterGroups) { group, p, grad in
            let state = store.state(for: p)
            let square = state.buffer("square_avg", like: p.value)
            let buffer = group.momentum > 0 ? state.buffer("momentum_buffer", like: p.value) : nil
            let average = centered ? state.buffer("grad_avg", like: p.value) : nil
            state.step += 1
            switch p.value.dtype {
            case .float32: update(Float.self, p.value, grad, square, buffer, average, group)
            default: update(Double.self, p.value, grad, square, buffer, average, group)
            }
        }
    }

    private func update<T: BinaryFloatingPoint>(_: T.Type, _ param: Tensor, _ grad: Tensor, _ squareT: Tensor,
                                                 _ bufferT: Tensor?, _ averageT: Tensor?, _ group: ParameterGroup) {
        let n = param.count
        let theta = mutablePointer(param, as: T.self), g = readPointer(grad, as: T.self)
        let s = mutablePointer(squareT, as: T.self)
        let b = bufferT.map { mutablePointer($0, as: T.self) }
        let a = averageT.map { mutablePointer($0, as: T.self) }
        let lr = T(group.learningRate), wd = T(group.weightDecay), mu = T(group.momentum)
        let al = T(alpha), oneMinusAlpha = T(1 - alpha), eps = T(epsilon), sign: T = maximize ? -1 : 1
        for i in 0..<n {
            let gi = sign * g[i] + wd * theta[i]
            s[i] = al * s[i] + oneMinusAlpha * (gi * gi)
            var second = s[i]
            if let a {
                a[i] += oneMinusAlpha * (gi - a[i])
                second -= a[i] * a[i]
            }
            let denominator = second.squareRoot() + eps
            if let b {
                b[i] = mu * b[i] + gi / denominator
                theta[i] -= lr * b[i]
            } else {
                theta[i] -= lr * (gi / denominator)
            }
        }
    }

    public func stateTensors() -> [(name: String, tensor: Tensor)] { store.tensors(parameterGroups) }

    public func loadStateTensors(_ tensors: [(name: String, tensor: Tensor)]) throws {
        try store.load(tensors, groups: parameterGroups)
    }
}

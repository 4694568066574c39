import Tensors
import SwiftLearnCore

/// Adagrad (Duchi, Hazan & Singer, 2011; PyTorch's `torch.optim.Adagrad`, same update and
/// defaults): each coordinate's step shrinks with its accumulated squared gradients.
///
/// At step t (η = lr, δ = learning-rate decay, λ = weight decay):
///
///     g ← g + λ·θ
///     η̃ ← η / (1 + (t − 1)·δ)
///     s ← s + g²
///     θ ← θ − η̃·g / (√s + ε)
///
/// ```swift
/// let optimizer = Adagrad(model.parameters(), learningRate: 0.05)
/// ```
public final class Adagrad: Optimizer {
    public let parameterGroups: [ParameterGroup]
    /// Learning-rate decay δ.
    public let learningRateDecay: Double
    /// Initial value of the squared-gradient sums.
    public let initialAccumulatorValue: Double
    /// ε added to the denominator.
    public let epsilon: Double
    /// Whether the objective is maximized instead of minimized.
    public let maximize: Bool
    private let store = OptimizerStateStore()

    /// Creates Adagrad over parameter groups (unset group values take these defaults).
    /// - Parameters:
    ///   - learningRate: η (default 1e-2).
    ///   - learningRateDecay: δ ≥ 0 (default 0).
    ///   - weightDecay: λ (default 0).
    ///   - initialAccumulatorValue: starting sum ≥ 0 (default 0).
    ///   - epsilon: ε (default 1e-10).
    public init(groups: [ParameterGroup], learningRate: Double = 1e-2, learningRateDecay: Double = 0,
                weightDecay: Double = 0, initialAccumulatorValue: Double = 0, epsilon: Double = 1e-10,
                maximize: Bool = false) {
        parameterGroups = resolvedGroups(groups, learningRate: learningRate, weightDecay: weightDecay,
                                         momentum: 0, optimizer: "Adagrad")
        ensure(learningRateDecay >= 0, "Adagrad: learning-rate decay \(learningRateDecay) must be >= 0")
        ensure(initialAccumulatorValue >= 0, "Adagrad: initial accumulator value \(initialAccumulatorValue) must be >= 0")
        ensure(epsilon >= 0, "Adagrad: epsilon \(epsilon) must be >= 0")
        self.learningRateDecay = learningRateDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
        self.maximize = maximize
    }

    /// Creates Adagrad over one group of parameters.
    public convenience init(_ parameters: [Parameter], learningRate: Double = 1e-2, learningRateDecay: Double = 0,
                            weightDecay: Double = 0, initialAccumulatorValue: Double = 0, epsilon: Double = 1e-10,
                            maximize: Bool = false) {
        self.init(groups: [ParameterGroup(parameters)], learningRate: learningRate, learningRateDecay: learningRateDecay,
                  weightDecay: weightDecay, initialAccumulatorValue: initialAccumulatorValue, epsilon: epsilon,
                  maximize: maximize)
    }

    public func step() {
        store.forEachGradient(parameterGroups) { group, p, grad in
            let state = store.state(for: p)
            let sum = state.buffer("sum", like: p.value, initial: initialAccumulatorValue)
            state.step += 1
            let clr = group.learningRate / (1 + Double(state.step - 1) * learningRateDecay)
            switch p.value.dtype {
            case .float32: update(Float.self, p.value, grad, sum, clr: clr, wd: group.weightDecay)
            default: update(Double.self, p.value, grad, sum, clr: clr, wd: group.weightDecay)
            }
        }
    }

    private func update<T: BinaryFloatingPoint>(_: T.Type, _ param: Tensor, _ grad: Tensor, _ sumT: Tensor,
                                                 clr: Double, wd: Double) {
        let n = param.count
        let theta = mutablePointer(param, as: T.self), g = readPointer(grad, as: T.self)
        let s = mutablePointer(sumT, as: T.self)
        let lr = T(clr), decay = T(wd), eps = T(epsilon), sign: T = maximize ? -1 : 1
        for i in 0..<n {
            let gi = sign * g[i] + decay * theta[i]
            s[i] += gi * gi
            theta[i] -= lr * (gi / (s[i].squareRoot() + eps))
        }
    }

    public func stateTensors() -> [(name: String, tensor: Tensor)] { store.tensors(parameterGroups) }

    public func loadStateTensors(_ tensors: [(name: String, tensor: Tensor)]) throws {
        try store.load(tensors, groups: parameterGroups)
    }
}

import Foundation
import Tensors
import SwiftLearnCore
import CSwiftLearnKernels

/// Adam (Kingma & Ba, 2015), optionally AMSGrad, with coupled (L2) or decoupled weight decay
/// (PyTorch's `torch.optim.Adam`; ``AdamW`` is the decoupled form).
///
/// At step t, for θ with gradient g (β₁ = the group's momentum, η = lr, λ = weight decay):
///
///     g ← g + λ·θ                          (coupled: Adam)
///     θ ← θ·(1 − η·λ)                      (decoupled: AdamW)
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     v̂ ← max(v̂, v)                        (AMSGrad; v̂ replaces v below)
///     θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// ```swift
/// let optimizer = Adam(model.parameters(), learningRate: 1e-3)
/// ```
public class Adam: Optimizer {
    public let parameterGroups: [ParameterGroup]
    /// Decay rate β₂ of the squared-gradient average.
    public let beta2: Double
    /// ε added to the denominator for numerical stability.
    public let epsilon: Double
    /// Whether the maximum of past squared-gradient averages is used (AMSGrad).
    public let amsgrad: Bool
    /// Whether weight decay is applied to the weights directly (AdamW) instead of to the gradient.
    public let decoupledWeightDecay: Bool
    /// Whether the objective is maximized instead of minimized.
    public let maximize: Bool
    private let store = OptimizerStateStore()
    private let name: String

    /// Creates Adam over parameter groups (unset group values take these defaults; a group's
    /// ``ParameterGroup/momentum`` is its β₁).
    /// - Parameters:
    ///   - learningRate: η (default 1e-3).
    ///   - betas: (β₁, β₂), each in [0, 1) (default (0.9, 0.999)).
    ///   - epsilon: ε (default 1e-8).
    ///   - weightDecay: λ (default 0).
    ///   - amsgrad: use AMSGrad (default false).
    ///   - decoupledWeightDecay: AdamW's decay (default false).
    public init(groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false,
                decoupledWeightDecay: Bool = false, maximize: Bool = false) {
        name = decoupledWeightDecay ? "AdamW" : "Adam"
        parameterGroups = resolvedGroups(groups, learningRate: learningRate, weightDecay: weightDecay,
                                         momentum: betas.0, optimizer: name)
        ensure(betas.1 >= 0 && betas.1 < 1, "\(name): beta2 \(betas.1) must be in [0, 1)")
        ensure(epsilon >= 0, "\(name): epsilon \(epsilon) must be >= 0")
        for g in parameterGroups {
            ensure(g.momentum >= 0 && g.momentum < 1, "\(name): beta1 \(g.momentum) must be in [0, 1)")
        }
        beta2 = betas.1
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self.decoupledWeightDecay = decoupledWeightDecay
        self.maximize = maximize
    }

    /// Creates Adam over one group of parameters.
    public convenience init(_ parameters: [Parameter], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            epsilon: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false) {
        self.init(groups: [ParameterGroup(parameters)], learningRate: learningRate, betas: betas, epsilon: epsilon,
                  weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize)
    }

    public func step() {
        store.forEachGradient(parameterGroups) { group, p, grad in
            let state = store.state(for: p)
            let m = state.buffer("exp_avg", like: p.value)
            let v = state.buffer("exp_avg_sq", like: p.value)
            let vMax = amsgrad ? state.buffer("max_exp_avg_sq", like: p.value) : nil
            state.step += 1
            switch p.value.dtype {
            case .float32: update(Float.self, p.value, grad, m, v, vMax, group, step: state.step)
            default: update(Double.self, p.value, grad, m, v, vMax, group, step: state.step)
            }
        }
    }

    private func update<T: BinaryFloatingPoint>(_: T.Type, _ param: Tensor, _ grad: Tensor, _ mT: Tensor, _ vT: Tensor,
                                                 _ vMaxT: Tensor?, _ group: ParameterGroup, step: Int) {
        let n = param.count
        let theta = mutablePointer(param, as: T.self), g = readPointer(grad, as: T.self)
        let m = mutablePointer(mT, as: T.self), v = mutablePointer(vT, as: T.self)
        let beta1 = group.momentum
        let lr = group.learningRate, wd = group.weightDecay
        // Scalars are formed in double precision, as PyTorch forms them in Python floats.
        let stepSize = T(lr / (1 - pow(beta1, Double(step))))
        let correction2 = T((1 - pow(beta2, Double(step))).squareRoot())
        let oneMinusBeta1 = T(1 - beta1), b2 = T(beta2), oneMinusBeta2 = T(1 - beta2)
        let eps = T(epsilon), sign: T = maximize ? -1 : 1
        let coupled = decoupledWeightDecay ? T(0) : T(wd)
        let shrink = decoupledWeightDecay ? T(1 - lr * wd) : T(1)
        let vMax = vMaxT.map { mutablePointer($0, as: T.self) }
        if coupled == 0 && shrink == 1 && vMax == nil {
            // The common case runs in a C kernel that vectorizes (same arithmetic, same order).
            if T.self == Float.self {
                sl_adam_step_f32(UnsafeMutableRawPointer(theta).assumingMemoryBound(to: Float.self),
                                 UnsafeRawPointer(g).assumingMemoryBound(to: Float.self),
                                 UnsafeMutableRawPointer(m).assumingMemoryBound(to: Float.self),
                                 UnsafeMutableRawPointer(v).assumingMemoryBound(to: Float.self), n,
                                 Float(sign), Float(oneMinusBeta1), Float(b2), Float(oneMinusBeta2), Float(stepSize), Float(correction2), Float(eps))
                return
            } else if T.self == Double.self {
                sl_adam_step_f64(UnsafeMutableRawPointer(theta).assumingMemoryBound(to: Double.self),
                                 UnsafeRawPointer(g).assumingMemoryBound(to: Double.self),
                                 UnsafeMutableRawPointer(m).assumingMemoryBound(to: Double.self),
                                 UnsafeMutableRawPointer(v).assumingMemoryBound(to: Double.self), n,
                                 Double(sign), Double(oneMinusBeta1), Double(b2), Double(oneMinusBeta2), Double(stepSize), Double(correction2), Double(eps))
                return
            }
        }
        for i in 0..<n {
            var gi = sign * g[i]
            if coupled != 0 { gi += coupled * theta[i] }
            if shrink != 1 { theta[i] *= shrink }
            m[i] += oneMinusBeta1 * (gi - m[i])
            v[i] = b2 * v[i] + oneMinusBeta2 * (gi * gi)
            var second = v[i]
            if let vMax {
                vMax[i] = Swift.max(vMax[i], second)
                second = vMax[i]
            }
            let denominator = second.squareRoot() / correction2 + eps
            theta[i] -= stepSize * (m[i] / denominator)
        }
    }

    public func stateTensors() -> [(name: String, tensor: Tensor)] { store.tensors(parameterGroups) }

    public func loadStateTensors(_ tensors: [(name: String, tensor: Tensor)]) throws {
        try store.load(tensors, groups: parameterGroups)
    }
}

/// Adam with decoupled weight decay (Loshchilov & Hutter, 2019; PyTorch's `torch.optim.AdamW`):
/// the weights shrink by `1 − η·λ` each step instead of λ·θ being added to the gradient.
/// Default weight decay 0.01, as PyTorch's.
public final class AdamW: Adam {
    /// Creates AdamW over parameter groups.
    public init(groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Double = 1e-8, weightDecay: Double = 0.01, amsgrad: Bool = false, maximize: Bool = false) {
        super.init(groups: groups, learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay,
                   amsgrad: amsgrad, decoupledWeightDecay: true, maximize: maximize)
    }

    /// Creates AdamW over one group of parameters.
    public convenience init(_ parameters: [Parameter], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            epsilon: Double = 1e-8, weightDecay: Double = 0.01, amsgrad: Bool = false, maximize: Bool = false) {
        self.init(groups: [ParameterGroup(parameters)], learningRate: learningRate, betas: betas, epsilon: epsilon,
                  weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize)
    }
}

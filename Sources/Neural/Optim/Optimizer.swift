import Tensors
import SwiftLearnCore

/// Something that updates parameters from their gradients (PyTorch's `torch.optim.Optimizer`).
///
/// An optimizer holds one or more ``ParameterGroup``s; each group has its own learning rate,
/// weight decay and momentum, which schedules (``StepLR``, ``OneCycleLR``, …) change between
/// steps. The training loop is PyTorch's:
///
/// ```swift
/// let optimizer = Adam(model.parameters(), learningRate: 1e-3)
/// for (x, y) in loader {
///     optimizer.zeroGrad()
///     let loss = crossEntropy(model(x), y)
///     loss.backward()
///     optimizer.step()
/// }
/// ```
///
/// Updates happen in place on each parameter's storage, under no-grad, through raw pointers
/// and preallocated state buffers: a step allocates nothing while the parameter owns its
/// storage. Value semantics hold: when another tensor still shares the storage (a `let w =
/// parameter.value` taken earlier, a state dict, the autograd graph of a loss still alive), the
/// parameter first gets its own copy (copy-on-write), so those tensors keep their values.
/// Release the loss before stepping (as ``Trainer`` does) to keep steps allocation-free.
/// Parameters without a gradient are skipped. Float32 and float64 parameters are supported.
public protocol Optimizer: AnyObject {
    /// The parameter groups, in the order given at construction.
    var parameterGroups: [ParameterGroup] { get }
    /// Performs one update of every parameter that has a gradient.
    func step()
    /// The optimizer's per-parameter state (moment buffers, step counts) as named tensors,
    /// keyed as PyTorch's `state_dict()["state"]`: `"state.<index>.<buffer>"`, index counting
    /// parameters over all groups in order.
    func stateTensors() -> [(name: String, tensor: Tensor)]
    /// Restores state saved by ``stateTensors()`` from an optimizer built over the same
    /// parameters; throws when a name, shape or dtype does not fit.
    func loadStateTensors(_ tensors: [(name: String, tensor: Tensor)]) throws
}

extension Optimizer {
    /// Clears every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for group in parameterGroups { for p in group.parameters { p.zeroGrad() } }
    }

    /// All parameters over all groups, in order.
    public var allParameters: [Parameter] { parameterGroups.flatMap(\.parameters) }

    /// The learning rate of each group.
    public var learningRates: [Double] { parameterGroups.map(\.learningRate) }
}

/// A set of parameters that share hyper-parameters inside an optimizer (PyTorch's param group).
///
/// Values left `nil` at construction take the optimizer's defaults. Schedules read and write
/// ``learningRate`` (and ``momentum``) between steps.
///
/// ```swift
/// let optimizer = SGD(groups: [
///     ParameterGroup(backbone.parameters(), learningRate: 1e-3),
///     ParameterGroup(head.parameters()),                 // the optimizer's learning rate
/// ], learningRate: 1e-2, momentum: 0.9)
/// ```
public final class ParameterGroup {
    /// The parameters updated with this group's settings.
    public let parameters: [Parameter]
    /// Step size.
    public var learningRate: Double
    /// L2 penalty (coupled, added to the gradient) or decoupled decay (AdamW).
    public var weightDecay: Double
    /// Momentum-like coefficient: SGD and RMSprop momentum, Adam's β₁ (0 for Adagrad).
    public var momentum: Double
    /// The learning rate the group had when the optimizer was built (PyTorch's `initial_lr`).
    public internal(set) var initialLearningRate: Double

    let explicitLearningRate: Double?
    let explicitWeightDecay: Double?
    let explicitMomentum: Double?

    /// Creates a group; `nil` settings take the optimizer's values.
    public init(_ parameters: [Parameter], learningRate: Double? = nil, weightDecay: Double? = nil,
                momentum: Double? = nil) {
        self.parameters = parameters
        explicitLearningRate = learningRate
        explicitWeightDecay = weightDecay
        explicitMomentum = momentum
        self.learningRate = learningRate ?? 0
        self.weightDecay = weightDecay ?? 0
        self.momentum = momentum ?? 0
        self.initialLearningRate = learningRate ?? 0
    }

    /// Fills unset values from the optimizer's defaults and checks them.
    func resolve(learningRate lr: Double, weightDecay wd: Double, momentum m: Double, optimizer: String) {
        learningRate = explicitLearningRate ?? lr
        weightDecay = explicitWeightDecay ?? wd
        momentum = explicitMomentum ?? m
        initialLearningRate = learningRate
        ensure(learningRate >= 0 && learningRate.isFinite, "\(optimizer): learning rate \(learningRate) must be finite and >= 0")
        ensure(weightDecay >= 0 && weightDecay.isFinite, "\(optimizer): weight decay \(weightDecay) must be finite and >= 0")
    }
}

/// Builds and checks the groups of a new optimizer.
func resolvedGroups(_ groups: [ParameterGroup], learningRate: Double, weightDecay: Double, momentum: Double,
                    optimizer: String) -> [ParameterGroup] {
    var seen = Set<ObjectIdentifier>()
    for g in groups {
        g.resolve(learningRate: learningRate, weightDecay: weightDecay, momentum: momentum, optimizer: optimizer)
        for p in g.parameters {
            ensure(seen.insert(ObjectIdentifier(p)).inserted,
                          "\(optimizer): a parameter appears in more than one group (or twice in one)")
            ensure(p.value.dtype == .float32 || p.value.dtype == .float64,
                          "\(optimizer): parameters must be float32 or float64, got \(p.value.dtype)")
        }
    }
    return groups
}


/// Errors of optimizer state loading and other training utilities.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A saved optimizer state does not fit the optimizer it is loaded into.
    case stateMismatch(String)
    /// A value handed to a training utility is out of its valid range.
    case invalidArgument(String)
    /// Training produced a loss that is NaN or infinite (1-based epoch and step within it), or
    /// left non-finite parameters: the run stops there instead of going on with NaN weights
    /// (Keras' `TerminateOnNaN`).
    case nonFinite(epoch: Int, step: Int, what: String)

    public var description: String {
        switch self {
        case .stateMismatch(let m): return "optimizer state does not fit: \(m)"
        case .invalidArgument(let m): return m
        case .nonFinite(let epoch, let step, let what):
            return "training diverged at epoch \(epoch), step \(step): \(what) (try a smaller learning rate or gradient clipping)"
        }
    }
}

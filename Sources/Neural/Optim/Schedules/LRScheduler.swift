import Tensors
import SwiftLearnCore

/// Base of the learning-rate schedules that change an optimizer's learning rates once per
/// ``step()`` (PyTorch's `torch.optim.lr_scheduler.LRScheduler`).
///
/// As in PyTorch, building a schedule performs its first step (epoch 0) and sets the first
/// learning rates; call ``step()`` after each `optimizer.step()` (per epoch, or per batch for
/// ``OneCycleLR``). Schedules are chainable: each step scales the groups' *current* learning
/// rates, so two schedules on one optimizer compose, and the sequences equal PyTorch's.
///
/// ```swift
/// let optimizer = SGD(model.parameters(), learningRate: 0.1, momentum: 0.9)
/// let schedule = StepLR(optimizer, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<90 { trainOneEpoch(); schedule.step() }
/// ```
public class LRScheduler {
    /// The optimizer whose learning rates change.
    public let optimizer: Optimizer
    /// Each group's learning rate when the schedule was built (PyTorch's `base_lrs`).
    public let baseLearningRates: [Double]
    /// Number of steps taken since construction (0 right after construction).
    public internal(set) var lastEpoch = -1
    /// The learning rates set by the most recent step (PyTorch's `get_last_lr()`).
    public internal(set) var lastLearningRates: [Double] = []
    /// True only while the constructor's own first step runs.
    var isInitialStep = true

    init(_ optimizer: Optimizer) {
        self.optimizer = optimizer
        baseLearningRates = optimizer.parameterGroups.map(\.initialLearningRate)
    }

    /// Runs the first step; called at the end of each subclass's initializer.
    func start() {
        step()
        isInitialStep = false
    }

    /// Advances the schedule by one step and writes the new learning rates to the groups.
    public func step() {
        lastEpoch += 1
        let rates = nextLearningRates()
        for (group, lr) in zip(optimizer.parameterGroups, rates) { group.learningRate = lr }
        lastLearningRates = rates
    }

    /// Sets every group back to its base learning rate and replays the first step (PyTorch's
    /// `step(0)` as ``SequentialLR`` uses it at a milestone).
    func restartFromBase() {
        for (group, base) in zip(optimizer.parameterGroups, baseLearningRates) { group.learningRate = base }
        lastEpoch = -1
        isInitialStep = true
        step()
        isInitialStep = false
    }

    /// The groups' current learning rates.
    var currentRates: [Double] { optimizer.parameterGroups.map(\.learningRate) }

    /// The learning rates for the step that just began (``lastEpoch`` already advanced).
    func nextLearningRates() -> [Double] { fatalError("LRScheduler subclasses override nextLearningRates()") }
}

/// Multiplies the learning rate by `gamma` every `stepSize` steps (PyTorch's `StepLR`):
/// ηₜ = η₀·γ^⌊t / stepSize⌋.
public final class StepLR: LRScheduler {
    /// Steps between decays.
    public let stepSize: Int
    /// Decay factor.
    public let gamma: Double

    /// Creates the schedule and sets the first learning rates.
    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = 0.1) {
        ensure(stepSize > 0, "StepLR: stepSize \(stepSize) must be > 0")
        self.stepSize = stepSize
        self.gamma = gamma
        super.init(optimizer)
        start()
    }

    override func nextLearningRates() -> [Double] {
        if lastEpoch == 0 || lastEpoch % stepSize != 0 { return currentRates }
        return currentRates.map { $0 * gamma }
    }
}

/// Multiplies the learning rate by `gamma` every step (PyTorch's `ExponentialLR`): ηₜ = η₀·γᵗ.
public final class ExponentialLR: LRScheduler {
    /// Decay factor per step.
    public let gamma: Double

    /// Creates the schedule and sets the first learning rates.
    public init(_ optimizer: Optimizer, gamma: Double) {
        self.gamma = gamma
        super.init(optimizer)
        start()
    }

    override func nextLearningRates() -> [Double] {
        lastEpoch == 0 ? currentRates : currentRates.map { $0 * gamma }
    }
}

/// A learning rate given by a function of the step: ηₜ = η₀·f(t) (PyTorch's `LambdaLR`).
public final class LambdaLR: LRScheduler {
    private let factor: (Int) -> Double

    /// Creates the schedule; `factor(t)` multiplies each group's base learning rate at step t.
    public init(_ optimizer: Optimizer, factor: @escaping (Int) -> Double) {
        self.factor = factor
        super.init(optimizer)
        start()
    }

    override func nextLearningRates() -> [Double] { baseLearningRates.map { $0 * factor(lastEpoch) } }
}

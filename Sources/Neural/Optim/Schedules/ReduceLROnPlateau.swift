import Tensors
import SwiftLearnCore

/// Cuts the learning rate by `factor` when a monitored metric stops improving for `patience`
/// steps (PyTorch's `ReduceLROnPlateau`, same rules and defaults). Call ``step(_:)`` with the
/// validation metric once per epoch.
///
/// A value improves on the best one when it is lower (`.min`) or higher (`.max`) by more than
/// `threshold`, relative (`best·(1 ∓ threshold)`) or absolute (`best ∓ threshold`). After
/// `patience + 1` epochs without improvement each group's rate becomes
/// `max(lr·factor, minimumLearningRate)` (a change smaller than `epsilon` is skipped), then
/// `cooldown` epochs pass before bad epochs count again.
///
/// ```swift
/// let plateau = ReduceLROnPlateau(optimizer, mode: .min, factor: 0.5, patience: 2)
/// for epoch in 1...50 { train(); plateau.step(validationLoss()) }
/// ```
public final class ReduceLROnPlateau {
    /// How the improvement threshold is measured.
    public enum ThresholdMode: String, Sendable {
        /// Relative to the best value.
        case relative
        /// In the metric's units.
        case absolute
    }

    /// The optimizer whose learning rates change.
    public let optimizer: Optimizer
    /// Whether lower (`.min`) or higher (`.max`) is better.
    public let mode: EarlyStopping.Mode
    /// Multiplier applied to the learning rate on a plateau (in (0, 1)).
    public let factor: Double
    /// Epochs without improvement tolerated.
    public let patience: Int
    /// Minimum significant change.
    public let threshold: Double
    /// Relative or absolute threshold.
    public let thresholdMode: ThresholdMode
    /// Epochs to wait after a reduction before counting bad epochs again.
    public let cooldown: Int
    /// Lower bound of each group's learning rate.
    public let minimumLearningRates: [Double]
    /// Smallest change of learning rate that is applied.
    public let epsilon: Double

    /// Best value seen.
    public private(set) var best: Double
    /// Consecutive epochs without improvement.
    public private(set) var badEpochs = 0
    /// Steps taken.
    public private(set) var lastEpoch = 0
    /// The learning rates after the latest step.
    public private(set) var lastLearningRates: [Double]
    private var cooldownCounter = 0

    /// Creates the rule.
    /// - Parameters:
    ///   - mode: `.min` (default) or `.max`.
    ///   - factor: default 0.1.
    ///   - patience: default 10.
    ///   - threshold: default 1e-4 (relative).
    ///   - cooldown: default 0.
    ///   - minimumLearningRate: one floor for every group (default 0).
    ///   - epsilon: default 1e-8.
    public init(_ optimizer: Optimizer, mode: EarlyStopping.Mode = .min, factor: Double = 0.1, patience: Int = 10,
                threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                minimumLearningRate: Double = 0, epsilon: Double = 1e-8) {
        ensure(factor > 0 && factor < 1, "ReduceLROnPlateau: factor \(factor) must be in (0, 1)")
        ensure(patience >= 0 && cooldown >= 0, "ReduceLROnPlateau: patience and cooldown must be >= 0")
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        minimumLearningRates = optimizer.parameterGroups.map { _ in minimumLearningRate }
        self.epsilon = epsilon
        best = mode == .min ? .infinity : -.infinity
        lastLearningRates = optimizer.parameterGroups.map(\.learningRate)
    }

    /// Whether `value` improves on ``best``.
    public func isBetter(_ value: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .relative): return value < best * (1 - threshold)
        case (.min, .absolute): return value < best - threshold
        case (.max, .relative): return value > best * (threshold + 1)
        case (.max, .absolute): return value > best + threshold
        }
    }

    /// Records one epoch's metric and reduces the learning rates on a plateau.
    public func step(_ metric: Double) {
        lastEpoch += 1
        if isBetter(metric) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEpochs = 0
        }
        if badEpochs > patience {
            for (group, floor) in zip(optimizer.parameterGroups, minimumLearningRates) {
                let reduced = Swift.max(group.learningRate * factor, floor)
                if group.learningRate - reduced > epsilon { group.learningRate = reduced }
            }
            cooldownCounter = cooldown
            badEpochs = 0
        }
        lastLearningRates = optimizer.parameterGroups.map(\.learningRate)
    }
}

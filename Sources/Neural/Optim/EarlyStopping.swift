import Tensors
import SwiftLearnCore

/// Stops training when a validation metric has not improved for `patience` epochs, and keeps
/// the parameters of the best epoch to restore them (Keras' `EarlyStopping`, PyTorch Lightning's
/// callback of the same name).
///
/// An epoch improves on the best value when it is better by more than `minDelta`
/// (lower in `.min` mode, higher in `.max` mode).
///
/// ```swift
/// let stopper = EarlyStopping(patience: 3, mode: .min)
/// for epoch in 1...100 {
///     train(); let loss = validate()
///     if stopper.update(loss, parameters: model.parameters()) { break }
/// }
/// stopper.restoreBest(into: model.parameters())
/// ```
public final class EarlyStopping {
    /// Whether lower or higher metric values are better.
    public enum Mode: String, Sendable {
        /// Lower is better (losses, RMSE).
        case min
        /// Higher is better (accuracy).
        case max
    }

    /// Epochs without improvement tolerated before stopping.
    public let patience: Int
    /// Smallest change that counts as an improvement.
    public let minDelta: Double
    /// Direction of improvement.
    public let mode: Mode
    /// Whether parameter snapshots of the best epoch are kept (for ``restoreBest(into:)``).
    public let keepsBestState: Bool

    /// Best metric seen so far (nil before the first update).
    public private(set) var bestValue: Double?
    /// Number of the update (1-based) that gave ``bestValue``.
    public private(set) var bestEpoch = 0
    /// Updates seen so far.
    public private(set) var epochs = 0
    /// Consecutive updates without improvement.
    public private(set) var epochsWithoutImprovement = 0
    /// True once patience has run out.
    public private(set) var shouldStop = false
    private var bestState: [Tensor]?
    private var bestModuleState: [String: Tensor]?

    /// Creates an early-stopping rule.
    /// - Parameters:
    ///   - patience: epochs without improvement before stopping (≥ 0; default 5).
    ///   - minDelta: minimum improvement (≥ 0; default 0).
    ///   - mode: `.min` (default) or `.max`.
    ///   - keepsBestState: keep a copy of the best parameters (default true).
    public init(patience: Int = 5, minDelta: Double = 0, mode: Mode = .min, keepsBestState: Bool = true) {
        ensure(patience >= 0, "EarlyStopping: patience \(patience) must be >= 0")
        ensure(minDelta >= 0, "EarlyStopping: minDelta \(minDelta) must be >= 0")
        self.patience = patience
        self.minDelta = minDelta
        self.mode = mode
        self.keepsBestState = keepsBestState
    }

    /// Whether `value` improves on the best value by more than ``minDelta``.
    public func isImprovement(_ value: Double) -> Bool {
        guard let best = bestValue else { return !value.isNaN }
        switch mode {
        case .min: return value < best - minDelta
        case .max: return value > best + minDelta
        }
    }

    /// Records one epoch's metric; snapshots `parameters` when it improves.
    /// - Returns: Whether training should stop now.
    @discardableResult
    public func update(_ value: Double, parameters: [Parameter] = []) -> Bool {
        epochs += 1
        if isImprovement(value) {
            bestValue = value
            bestEpoch = epochs
            epochsWithoutImprovement = 0
            if keepsBestState && !parameters.isEmpty {
                bestState = GradMode.withoutGrad { parameters.map { $0.value.detached().copied() } }
            }
        } else {
            epochsWithoutImprovement += 1
            if epochsWithoutImprovement > patience { shouldStop = true }
        }
        return shouldStop
    }

    /// Records one epoch's metric; snapshots the module's whole state dict (parameters and
    /// persistent buffers such as BatchNorm's running statistics) when it improves.
    /// - Returns: Whether training should stop now.
    @discardableResult
    public func update(_ value: Double, module: Module) -> Bool {
        let improved = isImprovement(value)
        let stop = update(value)
        if improved && keepsBestState {
            bestModuleState = GradMode.withoutGrad { module.stateDict().mapValues { $0.detached().copied() } }
        }
        return stop
    }

    /// Loads the best epoch's state dict (from ``update(_:module:)``) back into `module`.
    /// Returns false when no snapshot exists.
    @discardableResult
    public func restoreBest(into module: Module) throws -> Bool {
        guard let best = bestModuleState else { return false }
        try module.loadStateDict(best)
        return true
    }

    /// Copies the best epoch's values back into `parameters` (the same list, in the same order,
    /// as given to ``update(_:parameters:)``). Returns false when no snapshot exists.
    @discardableResult
    public func restoreBest(into parameters: [Parameter]) -> Bool {
        guard let best = bestState, best.count == parameters.count else { return false }
        for (p, v) in zip(parameters, best) {
            ensure(p.value.shape == v.shape,
                          "EarlyStopping.restoreBest: parameter shape \(p.value.shape) differs from the snapshot's \(v.shape)")
            p.value = v.copied()
        }
        return true
    }
}

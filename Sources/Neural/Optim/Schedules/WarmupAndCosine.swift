import Foundation
import Tensors
import SwiftLearnCore

/// Scales the learning rate linearly from `startFactor` to `endFactor` over `totalIterations`
/// steps, then holds it (PyTorch's `LinearLR`; the usual linear warm-up).
///
/// ηₜ = η₀·(s + (e − s)·min(t, T)/T), computed step by step as PyTorch does.
public final class LinearLR: LRScheduler {
    /// Factor at step 0.
    public let startFactor: Double
    /// Factor from step `totalIterations` on.
    public let endFactor: Double
    /// Steps of the linear ramp.
    public let totalIterations: Int

    /// Creates the schedule and sets the first learning rates.
    /// - Parameters:
    ///   - startFactor: in (0, 1] (default 1/3, as PyTorch's).
    ///   - endFactor: in [0, 1] (default 1).
    ///   - totalIterations: ramp length (default 5).
    public init(_ optimizer: Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalIterations: Int = 5) {
        ensure(startFactor > 0 && startFactor <= 1, "LinearLR: startFactor \(startFactor) must be in (0, 1]")
        ensure(endFactor >= 0 && endFactor <= 1, "LinearLR: endFactor \(endFactor) must be in [0, 1]")
        ensure(totalIterations > 0, "LinearLR: totalIterations \(totalIterations) must be > 0")
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIterations = totalIterations
        super.init(optimizer)
        start()
    }

    override func nextLearningRates() -> [Double] {
        if lastEpoch == 0 { return currentRates.map { $0 * startFactor } }
        if lastEpoch > totalIterations { return currentRates }
        let ratio = 1 + (endFactor - startFactor)
            / (Double(totalIterations) * startFactor + Double(lastEpoch - 1) * (endFactor - startFactor))
        return currentRates.map { $0 * ratio }
    }
}

/// Cosine annealing from the base learning rate down to `minimumLearningRate` over `period`
/// steps (SGDR without restarts; PyTorch's `CosineAnnealingLR`):
///
///     ηₜ = η_min + ½(η₀ − η_min)(1 + cos(π·t/T))
///
/// computed by PyTorch's recursive form (so it composes with other schedules); past T the
/// rate rises again along the same cosine.
public final class CosineAnnealingLR: LRScheduler {
    /// T, the number of steps of one half-period.
    public let period: Int
    /// η_min.
    public let minimumLearningRate: Double

    /// Creates the schedule and sets the first learning rates.
    public init(_ optimizer: Optimizer, period: Int, minimumLearningRate: Double = 0) {
        ensure(period > 0, "CosineAnnealingLR: period \(period) must be > 0")
        self.period = period
        self.minimumLearningRate = minimumLearningRate
        super.init(optimizer)
        start()
    }

    override func nextLearningRates() -> [Double] {
        if isInitialStep { return currentRates }
        let t = Double(lastEpoch), T = Double(period), lo = minimumLearningRate
        if (lastEpoch - 1 - period) % (2 * period) == 0 {
            return zip(currentRates, baseLearningRates).map { lr, base in lr + (base - lo) * (1 - cos(Double.pi / T)) / 2 }
        }
        let ratio = (1 + cos(Double.pi * t / T)) / (1 + cos(Double.pi * (t - 1) / T))
        return currentRates.map { ratio * ($0 - lo) + lo }
    }
}

/// Runs schedules one after another, switching at the given steps (PyTorch's `SequentialLR`):
/// e.g. a ``LinearLR`` warm-up for 5 epochs, then ``CosineAnnealingLR``.
///
/// ```swift
/// let warmup = LinearLR(optimizer, startFactor: 0.1, totalIterations: 5)
/// let cosine = CosineAnnealingLR(optimizer, period: 45)
/// let schedule = SequentialLR(optimizer, schedules: [warmup, cosine], milestones: [5])
/// ```
public final class SequentialLR: LRScheduler {
    private let schedules: [LRScheduler]
    private let milestones: [Int]

    /// Creates the combined schedule; `milestones` (increasing, one fewer than schedules) are
    /// the steps at which the next schedule takes over. Resets the learning rates to their
    /// base values and restarts the first schedule, as PyTorch does.
    public init(_ optimizer: Optimizer, schedules: [LRScheduler], milestones: [Int]) {
        ensure(!schedules.isEmpty, "SequentialLR: needs at least one schedule")
        ensure(milestones.count == schedules.count - 1,
                      "SequentialLR: \(schedules.count) schedules need \(schedules.count - 1) milestones, got \(milestones.count)")
        ensure(zip(milestones, milestones.dropFirst()).allSatisfy { $0 < $1 }, "SequentialLR: milestones must increase")
        ensure(schedules.allSatisfy { $0.optimizer === optimizer }, "SequentialLR: every schedule must drive the same optimizer")
        self.schedules = schedules
        self.milestones = milestones
        super.init(optimizer)
        // Undo the first steps the schedules took when built, then replay the first one's.
        for s in schedules { s.lastEpoch = -1 }
        schedules[0].restartFromBase()
        lastEpoch = 0
        lastLearningRates = schedules[0].lastLearningRates
        isInitialStep = false
    }

    public override func step() {
        lastEpoch += 1
        let index = milestones.firstIndex { $0 > lastEpoch } ?? milestones.count
        let schedule = schedules[index]
        if index > 0 && milestones[index - 1] == lastEpoch {
            schedule.restartFromBase()
        } else {
            schedule.step()
        }
        lastLearningRates = schedule.lastLearningRates
    }

    override func nextLearningRates() -> [Double] { currentRates }
}

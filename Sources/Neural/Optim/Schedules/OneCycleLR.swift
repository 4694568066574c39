import Foundation
import Tensors
import SwiftLearnCore

/// The 1cycle policy (Smith & Topin, 2017; PyTorch's `OneCycleLR`): the learning rate rises
/// from `maxLearningRate / divFactor` to `maxLearningRate` over the first `pctStart` of the
/// steps, then anneals to `initial / finalDivFactor`; momentum (SGD/RMSprop momentum, Adam's β₁)
/// moves the opposite way between `maxMomentum` and `baseMomentum`. Step it after every batch.
///
/// ```swift
/// let schedule = OneCycleLR(optimizer, maxLearningRate: 0.1, totalSteps: epochs * loader.count)
/// ```
public final class OneCycleLR: LRScheduler {
    /// How the rate moves inside a phase.
    public enum Annealing: String, Sendable {
        /// Half a cosine between the phase's end points.
        case cosine
        /// A straight line.
        case linear
    }

    private struct Phase {
        let endStep: Double
        let startLR: KeyPath<OneCycleLR, [Double]>, endLR: KeyPath<OneCycleLR, [Double]>
        let startMomentum: KeyPath<OneCycleLR, [Double]>, endMomentum: KeyPath<OneCycleLR, [Double]>
    }

    /// Number of steps of the whole cycle.
    public let totalSteps: Int
    /// Annealing strategy.
    public let annealing: Annealing
    /// Whether momentum is cycled inversely to the learning rate.
    public let cyclesMomentum: Bool
    private let initialLRs: [Double], maxLRs: [Double], minLRs: [Double]
    private let maxMomenta: [Double], baseMomenta: [Double]
    private var phases: [Phase] = []

    /// Creates the schedule and sets the first learning rate (and momentum).
    /// - Parameters:
    ///   - maxLearningRate: peak rate (one value for every group).
    ///   - totalSteps: steps in the cycle (epochs × batches per epoch).
    ///   - pctStart: fraction of steps spent rising (default 0.3).
    ///   - annealing: `.cosine` (default) or `.linear`.
    ///   - cycleMomentum: cycle momentum too (default true; needs an optimizer with momentum).
    ///   - baseMomentum, maxMomentum: momentum range (defaults 0.85, 0.95).
    ///   - divFactor: initial rate = max / divFactor (default 25).
    ///   - finalDivFactor: final rate = initial / finalDivFactor (default 1e4).
    ///   - threePhase: PyTorch's three-phase variant (symmetric rise and fall, then annihilation).
    public init(_ optimizer: Optimizer, maxLearningRate: Double, totalSteps: Int, pctStart: Double = 0.3,
                annealing: Annealing = .cosine, cycleMomentum: Bool = true, baseMomentum: Double = 0.85,
                maxMomentum: Double = 0.95, divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false) {
        ensure(totalSteps > 0, "OneCycleLR: totalSteps \(totalSteps) must be > 0")
        ensure(pctStart >= 0 && pctStart <= 1, "OneCycleLR: pctStart \(pctStart) must be in [0, 1]")
        ensure(maxLearningRate > 0, "OneCycleLR: maxLearningRate \(maxLearningRate) must be > 0")
        ensure(!cycleMomentum || !(optimizer is Adagrad),
                      "OneCycleLR: the optimizer has no momentum to cycle (pass cycleMomentum: false)")
        let groups = optimizer.parameterGroups
        self.totalSteps = totalSteps
        self.annealing = annealing
        cyclesMomentum = cycleMomentum
        initialLRs = groups.map { _ in maxLearningRate / divFactor }
        maxLRs = groups.map { _ in maxLearningRate }
        minLRs = initialLRs.map { $0 / finalDivFactor }
        maxMomenta = groups.map { _ in maxMomentum }
        baseMomenta = groups.map { _ in baseMomentum }
        for (g, lr) in zip(groups, initialLRs) { g.initialLearningRate = lr }
        if cycleMomentum { for g in groups { g.momentum = maxMomentum } }
        super.init(optimizer)
        let n = Double(totalSteps)
        if threePhase {
            phases = [Phase(endStep: pctStart * n - 1, startLR: \.initialLRs, endLR: \.maxLRs, startMomentum: \.maxMomenta, endMomentum: \.baseMomenta),
                      Phase(endStep: 2 * pctStart * n - 2, startLR: \.maxLRs, endLR: \.initialLRs, startMomentum: \.baseMomenta, endMomentum: \.maxMomenta),
                      Phase(endStep: n - 1, startLR: \.initialLRs, endLR: \.minLRs, startMomentum: \.maxMomenta, endMomentum: \.maxMomenta)]
        } else {
            phases = [Phase(endStep: pctStart * n - 1, startLR: \.initialLRs, endLR: \.maxLRs, startMomentum: \.maxMomenta, endMomentum: \.baseMomenta),
                      Phase(endStep: n - 1, startLR: \.maxLRs, endLR: \.minLRs, startMomentum: \.baseMomenta, endMomentum: \.maxMomenta)]
        }
        start()
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch annealing {
        case .cosine: return end + (start - end) / 2 * (cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }

    override func nextLearningRates() -> [Double] {
        ensure(lastEpoch <= totalSteps,
                      "OneCycleLR: stepped \(lastEpoch) times, but the cycle has \(totalSteps) steps")
        let t = Double(lastEpoch)
        var rates: [Double] = []
        for (i, group) in optimizer.parameterGroups.enumerated() {
            var start = 0.0
            for (k, phase) in phases.enumerated() {
                if t <= phase.endStep || k == phases.count - 1 {
                    let pct = (t - start) / (phase.endStep - start)
                    rates.append(anneal(self[keyPath: phase.startLR][i], self[keyPath: phase.endLR][i], pct))
                    if cyclesMomentum {
                        group.momentum = anneal(self[keyPath: phase.startMomentum][i], self[keyPath: phase.endMomentum][i], pct)
                    }
                    break
                }
                start = phase.endStep
            }
        }
        return rates
    }
}

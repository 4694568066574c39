import Foundation
import Neural
import Tensors

/// Evaluation during training, as Stable-Baselines3's `EvalCallback` (and rl-zoo's `--eval-freq`)
/// does it: every `frequency` environment steps the deterministic policy plays `episodes` episodes
/// on a separate copy of the environment (with the observation statistics of that moment), and the
/// best-scoring weights are kept (`best_model`).
///
/// ```swift
/// let agent = try DeepAgent(.dqn, env: "CartPole-v1", config: ZooPresets.config(.dqn, env: "CartPole-v1"), seed: 2)
/// let evals = try agent.train(steps: 50_000, evaluation: PeriodicEvaluation(frequency: 5_000))
/// // the agent now holds the weights of the best evaluation (evals.max(by: \.mean))
/// ```
public struct PeriodicEvaluation: Sendable, Equatable {
    /// Environment steps between evaluations (summed over copies, as the budget is).
    public var frequency: Int
    /// Deterministic episodes per evaluation (SB3's `n_eval_episodes`, 5 by default).
    public var episodes: Int
    /// Episode i of every evaluation is reset with `seed + i`, so evaluations compare like with like.
    public var seed: UInt64
    /// Whether training ends with the best evaluation's weights (and observation statistics)
    /// restored instead of the last ones. The final weights are evaluated too.
    public var keepBest: Bool

    /// An evaluation every `frequency` steps (SB3's defaults: 5 episodes, the best weights kept).
    public init(frequency: Int, episodes: Int = 5, seed: UInt64 = 1_000_000, keepBest: Bool = true) {
        self.frequency = frequency; self.episodes = episodes; self.seed = seed; self.keepBest = keepBest
    }

    func validate() throws {
        guard frequency >= 1, frequency <= 1_000_000_000 else { throw RLError.invalidArgument("evaluation frequency must be 1…1e9 steps, got \(frequency)") }
        guard episodes >= 1, episodes <= 10_000 else { throw RLError.invalidArgument("evaluation episodes must be 1…10000, got \(episodes)") }
    }
}

/// One evaluation made during training.
public struct EvaluationRecord: Sendable, Equatable {
    /// Environment steps taken when it ran.
    public var steps: Int
    /// The returns it saw.
    public var summary: ReturnSummary
    /// Whether it was the best so far (the weights then kept).
    public var isBest: Bool
    /// Mean return.
    public var mean: Double { summary.mean }
}

extension DeepAgent {
    /// The learnable state (every network and the observation statistics), copied.
    struct Snapshot {
        var modules: [String: [String: Tensor]]
        var normalizer: ObservationNormalizer?
    }

    func snapshot() -> Snapshot {
        // State dicts share storage with the parameters, which copy on write when updated.
        Snapshot(modules: Dictionary(modules.map { ($0.0, $0.1.stateDict()) }, uniquingKeysWith: { a, _ in a }), normalizer: normalizer)
    }

    func restore(_ s: Snapshot) throws {
        for (name, module) in modules { if let state = s.modules[name] { try module.loadStateDict(state, strict: true) } }
        normalizer = s.normalizer
    }

    /// A checkpoint closure for `TrainingProgress` that evaluates, records and keeps the best.
    func evaluator(_ schedule: PeriodicEvaluation, records: Box<[EvaluationRecord]>, best: Box<Snapshot?>,
                   onEvaluation: @escaping (EvaluationRecord) -> Void) throws -> (EnvironmentDriver) throws -> Void {
        let env = try Environments.make(envID, options: envOptions, maxEpisodeSteps: maxEpisodeSteps)
        return { [unowned self] driver in
            let live = self.normalizer
            self.normalizer = driver.normalizer
            defer { self.normalizer = live }
            let summary = try self.evaluate(on: env, episodes: schedule.episodes, seed: schedule.seed)
            let isBest = records.value.allSatisfy { summary.mean > $0.mean }
            if isBest && schedule.keepBest { best.value = self.snapshot() }
            let record = EvaluationRecord(steps: driver.steps, summary: summary, isBest: isBest)
            records.value.append(record)
            onEvaluation(record)
        }
    }
}

/// A reference cell for state a closure updates.
final class Box<Value> {
    var value: Value
    init(_ value: Value) { self.value = value }
}

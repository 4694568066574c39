import Foundation
import Neural
import Tensors

/// rl-baselines3-zoo's tuned hyper-parameters (rl_zoo3 2.9.2, `hyperparams/*.yml`; identical in
/// v2.8.0) for the environments here, with `n_timesteps` as the training budget.
/// `benchmarks/rl/zoo_hyperparams.json` holds the same values as read from the zoo, and a test
/// checks the two agree.
public enum ZooPresets {
    /// `(settings, n_timesteps)` for an algorithm and environment; nil where the zoo has none.
    public static func preset(_ algorithm: DeepAlgorithm, env: String) -> (settings: [(String, String)], steps: Int)? {
        switch (algorithm, env) {
        case (.ppo, "CartPole-v1"):
            return ([("n_envs", "8"), ("n_steps", "32"), ("batch_size", "256"), ("gae_lambda", "0.8"), ("gamma", "0.98"),
                     ("n_epochs", "20"), ("ent_coef", "0"), ("learning_rate", "lin_0.001"), ("clip_range", "lin_0.2")], 100_000)
        case (.ppo, "Acrobot-v1"):
            return ([("normalize", "true"), ("n_envs", "16"), ("n_steps", "256"), ("gae_lambda", "0.94"), ("gamma", "0.99"),
                     ("n_epochs", "4"), ("ent_coef", "0")], 1_000_000)
        case (.dqn, "CartPole-v1"):
            return ([("learning_rate", "0.0023"), ("batch_size", "64"), ("buffer_size", "100000"), ("learning_starts", "1000"),
                     ("gamma", "0.99"), ("target_update_interval", "10"), ("train_freq", "256"), ("gradient_steps", "128"),
                     ("exploration_fraction", "0.16"), ("exploration_final_eps", "0.04"), ("net_arch", "256,256")], 50_000)
        case (.a2c, "CartPole-v1"):
            return ([("n_envs", "8"), ("ent_coef", "0")], 500_000)
        case (.sac, "Pendulum-v1"):
            return ([("learning_rate", "0.001")], 20_000)
        case (.td3, "Pendulum-v1"), (.ddpg, "Pendulum-v1"):
            return ([("gamma", "0.98"), ("buffer_size", "200000"), ("learning_starts", "10000"), ("noise_type", "normal"),
                     ("noise_std", "0.1"), ("gradient_steps", "1"), ("train_freq", "1"), ("learning_rate", "0.001"),
                     ("net_arch", "400,300")], 20_000)
        default:
            return nil
        }
    }

    /// SB3's defaults, then the zoo's values for `env` when it has them.
    public static func config(_ algorithm: DeepAlgorithm, env: String) -> DeepConfig {
        var c = DeepConfig(algorithm)
        for (k, v) in preset(algorithm, env: env)?.settings ?? [] { try? c.set(k, v) }
        return c
    }
}

/// A deep reinforcement-learning agent: PPO, A2C, REINFORCE, DQN, SAC, TD3 or DDPG on `Neural`,
/// trained on copies of an environment and evaluated, saved and loaded as one object.
///
/// ```swift
/// let config = ZooPresets.config(.ppo, env: "CartPole-v1")
/// let agent = try DeepAgent(.ppo, env: "CartPole-v1", config: config, seed: 0)
/// try agent.train(steps: 100_000) { print($0.steps, $0.meanReturn ?? .nan) }
/// let score = try agent.evaluate(episodes: 10, seed: 1000)      // ≈ 500
/// ```
public final class DeepAgent {
    /// The algorithm.
    public let algorithm: DeepAlgorithm
    /// Its hyper-parameters.
    public let config: DeepConfig
    /// The environment id and options it trains and acts on.
    public let envID: String, envOptions: [String: String]
    /// A time limit replacing the registered one (nil: the registered one).
    public let maxEpisodeSteps: Int?
    /// Observation statistics when `normalize` is on (frozen after training).
    public internal(set) var normalizer: ObservationNormalizer?
    /// The seed the networks and exploration were drawn from.
    public let seed: UInt64
    /// The spaces of the environment it was built for.
    public let observationSpace: Space, actionSpace: Space
    let observationLayout: ObservationLayout
    let actionLayout: ActionLayout
    let learner: Learner

    /// The largest network (weights and biases) an agent may build: 50 million parameters.
    public static let maxParametersPerNetwork = 50_000_000

    enum Learner {
        case onPolicy(OnPolicyLearner), reinforce(ReinforceLearner), dqn(DQNLearner), sac(SACLearner), td3(TD3Learner)
        case bc(BehaviourCloningLearner)
    }

    /// A fresh agent for `env` (checked against the algorithm: DQN needs discrete actions,
    /// SAC/TD3/DDPG bounded continuous ones; REINFORCE one environment copy).
    public init(_ algorithm: DeepAlgorithm, env: String, options: [String: String] = [:], maxEpisodeSteps: Int? = nil,
                config: DeepConfig, seed: UInt64 = 0) throws {
        guard config.algorithm == algorithm else {
            throw RLError.invalidArgument("the settings are for \(config.algorithm.rawValue), not \(algorithm.rawValue)")
        }
        let probe = try Environments.make(env, options: options, maxEpisodeSteps: maxEpisodeSteps)
        self.algorithm = algorithm; self.config = config; envID = env; envOptions = options; self.seed = seed
        self.maxEpisodeSteps = maxEpisodeSteps
        observationSpace = probe.observationSpace; actionSpace = probe.actionSpace
        observationLayout = try ObservationLayout(probe.observationSpace)
        actionLayout = try ActionLayout(probe.actionSpace, algorithm: algorithm)
        if algorithm == .reinforce && config.int(.nEnvs) != 1 {
            throw RLError.invalidArgument("reinforce runs whole episodes on one environment: n_envs must be 1")
        }
        if algorithm == .ppo && config.int(.batchSize) > config.int(.nSteps) * config.int(.nEnvs) {
            throw RLError.invalidArgument("batch_size \(config.int(.batchSize)) is larger than a rollout (n_steps × n_envs = \(config.int(.nSteps) * config.int(.nEnvs)))")
        }
        let width = observationLayout.width
        // Refuse networks too large to build (a setting or a file asking for one must not exhaust memory).
        let widths = [width + (algorithm.isOffPolicy && algorithm != .dqn ? actionLayout.width : 0)] + config.netArch + [Swift.max(actionLayout.width, 1)]
        var perNetwork = 0
        for (a, b) in zip(widths, widths.dropFirst()) {
            let (p, o1) = a.multipliedReportingOverflow(by: b)
            let (sum, o2) = perNetwork.addingReportingOverflow(p + b)
            guard !o1, !o2 else { perNetwork = Int.max; break }
            perNetwork = sum
        }
        guard perNetwork <= Self.maxParametersPerNetwork else {
            throw RLError.invalidArgument("net_arch \(config.netArch) makes networks of about \(perNetwork) parameters; the limit is \(Self.maxParametersPerNetwork)")
        }
        switch algorithm {
        case .ppo, .a2c:
            learner = .onPolicy(OnPolicyLearner(algorithm: algorithm, observationWidth: width, actions: actionLayout, config: config, seed: seed))
        case .reinforce:
            learner = .reinforce(ReinforceLearner(observationWidth: width, actions: actionLayout, config: config, seed: seed))
        case .dqn:
            learner = .dqn(DQNLearner(observationWidth: width, actions: actionLayout.width, config: config, seed: seed))
        case .sac:
            learner = .sac(SACLearner(observationWidth: width, actionWidth: actionLayout.width, config: config, seed: seed))
        case .td3, .ddpg:
            learner = .td3(TD3Learner(observationWidth: width, actionWidth: actionLayout.width, config: config, seed: seed))
        case .bc:
            learner = .bc(BehaviourCloningLearner(observationWidth: width, actions: actionLayout, config: config, seed: seed))
        }
        if algorithm != .bc && config.flag(.normalize) { normalizer = ObservationNormalizer(width: width, gamma: config.double(.gamma)) }
    }

    /// The networks, by name (what is saved).
    var modules: [(String, Module)] {
        switch learner {
        case .onPolicy(let l): return [("policy", l.policy)]
        case .reinforce(let l): return [("policy", l.policy)]
        case .bc(let l): return [("policy", l.policy)]
        case .dqn(let l): return [("q_net", l.qNet), ("q_net_target", l.target)]
        case .sac(let l): return [("actor", l.actor), ("critic", l.critic), ("critic_target", l.criticTarget)]
        case .td3(let l): return [("actor", l.actor), ("actor_target", l.actorTarget), ("critic", l.critic), ("critic_target", l.criticTarget)]
        }
    }

    /// Trains for `steps` environment steps over `n_envs` copies (reset with `seed`, `seed + 1`, …),
    /// calling `report` about 50 times and once at the end.
    ///
    /// With `evaluation`, the deterministic policy is also evaluated every `evaluation.frequency`
    /// steps and at the end (SB3's `EvalCallback`); the evaluations are returned and, with
    /// `keepBest`, the agent ends with the best one's weights.
    @discardableResult
    public func train(steps: Int, evaluation: PeriodicEvaluation? = nil,
                      onEvaluation: @escaping (EvaluationRecord) -> Void = { _ in },
                      report: @escaping (DeepTrainingLog) -> Void = { _ in }) throws -> [EvaluationRecord] {
        guard steps >= 1, steps <= 1_000_000_000 else { throw RLError.invalidArgument("steps must be 1…1e9, got \(steps)") }
        if case .bc = learner { throw RLError.unsupported("bc learns from an expert's demonstrations: use clone(from:) (rl train --algo bc --expert FILE)") }
        let count = algorithm.isOffPolicy || algorithm == .reinforce ? 1 : config.int(.nEnvs)
        let driver = try EnvironmentDriver(make: { try Environments.make(envID, options: envOptions, maxEpisodeSteps: maxEpisodeSteps) }, count: count,
                                           observationLayout: observationLayout, actionLayout: actionLayout, normalizer: normalizer)
        driver.reset(seed: seed)
        var progress = TrainingProgress(totalSteps: steps, report: report)
        let records = Box<[EvaluationRecord]>([]), best = Box<Snapshot?>(nil)
        if let evaluation {
            try evaluation.validate()
            progress.checkpoint = try evaluator(evaluation, records: records, best: best, onEvaluation: onEvaluation)
            progress.checkpointEvery = evaluation.frequency
            progress.nextCheckpoint = evaluation.frequency
        }
        switch learner {
        case .onPolicy(let l): try l.learn(driver, progress: &progress)
        case .reinforce(let l): try l.learn(driver, progress: &progress)
        case .dqn(let l):
            var noise: ActionNoise? = nil
            try OffPolicyLoop.run(l, driver: driver, progress: &progress, noise: &noise)
        case .sac(let l):
            var noise: ActionNoise? = nil
            try OffPolicyLoop.run(l, driver: driver, progress: &progress, noise: &noise)
        case .td3(let l):
            var noise = ActionNoise(config, width: actionLayout.width)
            try OffPolicyLoop.run(l, driver: driver, progress: &progress, noise: &noise)
        case .bc: break
        }
        normalizer = driver.normalizer
        if let kept = best.value, evaluation?.keepBest == true { try restore(kept) }
        return records.value
    }

    /// The action for an environment observation (normalised with the frozen statistics);
    /// deterministic by default (greedy, the Gaussian mean, tanh of the mean).
    public func action(for observation: [Float], deterministic: Bool = true) -> Action {
        var o = observationLayout.encode(observation)
        guard o.count == observationLayout.width else { return actionLayout.discrete != nil ? .discrete(0) : .continuous(actionLayout.low) }
        if let normalizer { o = normalizer.normalize(o) }
        let a: [Float]
        switch learner {
        case .onPolicy(let l): a = l.environmentActions(l.act([o], deterministic: deterministic))[0]
        case .reinforce(let l):
            let raw = l.act([o], deterministic: deterministic)[0]
            a = actionLayout.discrete != nil ? raw : actionLayout.clip(raw)
        case .bc(let l):
            let raw = l.act([o], deterministic: deterministic)[0]
            a = actionLayout.discrete != nil ? raw : actionLayout.clip(raw)
        case .dqn(let l): a = deterministic ? l.greedy([o])[0] : l.explore([o], steps: 0)[0]
        case .sac(let l): a = actionLayout.unscale(deterministic ? l.deterministic([o])[0] : l.explore([o], steps: 0)[0])
        case .td3(let l): a = actionLayout.unscale(l.deterministic([o])[0])
        }
        if let n = actionLayout.discrete {
            let i = a.first.map { $0.isFinite ? Int(Swift.min(Swift.max($0, 0), Float(n - 1))) : 0 } ?? 0
            return .discrete(i)
        }
        return .continuous(a)
    }

    /// Whether `env` has the spaces this agent acts in.
    public func fits(_ env: Environment) -> Bool {
        env.observationSpace == observationSpace && env.actionSpace == actionSpace
    }

    /// Mean return of `episodes` episodes of the deterministic policy on the agent's own
    /// environment, episode i reset with `seed + i` (raw rewards, the registered time limit).
    public func evaluate(episodes: Int, seed: UInt64 = 0, deterministic: Bool = true) throws -> ReturnSummary {
        try evaluate(on: try Environments.make(envID, options: envOptions, maxEpisodeSteps: maxEpisodeSteps),
                     episodes: episodes, seed: seed, deterministic: deterministic)
    }

    /// The same on another environment with the same spaces (an error otherwise).
    public func evaluate(on env: Environment, episodes: Int, seed: UInt64 = 0, deterministic: Bool = true) throws -> ReturnSummary {
        guard episodes >= 1, episodes <= 1_000_000 else { throw RLError.invalidArgument("episodes must be 1…1e6") }
        guard fits(env) else {
            throw RLError.unsupported("the agent acts in \(observationSpace) → \(actionSpace); \(env.id) has \(env.observationSpace) → \(env.actionSpace)")
        }
        var returns: [Double] = []
        for i in 0..<episodes {
            var o = env.reset(seed: seed &+ UInt64(i)), total = 0.0, steps = 0
            while steps < 1_000_000 {
                let r = try env.step(action(for: o, deterministic: deterministic))
                total += r.reward; steps += 1; o = r.observation
                if r.done { break }
            }
            returns.append(total)
        }
        return ReturnSummary(returns)
    }
}

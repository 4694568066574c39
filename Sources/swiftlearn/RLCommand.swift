import ArgumentParser
import Foundation
import RL

/// `swiftlearn rl …`: Gymnasium-identical environments, tabular and dynamic-programming agents.
struct RLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rl",
        abstract: "Reinforcement learning: step Gymnasium-identical environments, train, evaluate and watch agents.",
        subcommands: [RLEnvCommand.self, RLTrainCommand.self, RLEvalCommand.self, RLPlayCommand.self]
    )
}

/// A float as JSON with every digit (Swift's shortest round-trip form), for parity checks.
func exactJSON(_ d: Double) -> JSONValue {
    guard d.isFinite else { return .null }
    if d == d.rounded() && abs(d) < 1e15 { return .raw(String(format: "%.1f", d)) }
    return .raw("\(d)")
}

/// The environment options shared by the rl subcommands.
struct RLEnvOptions: ParsableArguments {
    @Option(help: "The environment id (CartPole-v1, MountainCar-v0, MountainCarContinuous-v0, Pendulum-v1, Acrobot-v1, FrozenLake-v1, FrozenLake8x8-v1, CliffWalking-v1, Taxi-v4, Blackjack-v1, Catch-v0, Bandit-v0; or one a program registered).")
    var env: String?
    @Option(name: .customLong("env-option"), help: "A Gymnasium keyword argument as key=value (is_slippery=false, map_name=8x8, desc=SFFF/FHFH/FFFH/HFFG); repeatable.")
    var envOption: [String] = []
    @Option(help: "Override the registered time limit (max_episode_steps).") var maxEpisodeSteps: Int?

    func validate() throws {
        if let env, !Environments.ids.contains(env) {
            throw ValidationError("unknown environment '\(env)' (known: \(Environments.ids.joined(separator: ", ")))")
        }
        _ = try options()
        if let m = maxEpisodeSteps, m < 1 { throw ValidationError("--max-episode-steps must be ≥ 1") }
    }

    func options() throws -> [String: String] { try parseSettings(envOption, option: "--env-option") }

    func make(_ id: String? = nil) throws -> Environment {
        guard let id = id ?? env else { throw ValidationError("give --env ID") }
        return try Environments.make(id, options: options(), maxEpisodeSteps: maxEpisodeSteps)
    }
}

/// `swiftlearn rl env`: step an environment with given actions, or print its transition table.
struct RLEnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Step an environment from a seed or an exact state with a list of actions (one JSON object per step), print a toy-text table P, or list environments."
    )
    @OptionGroup var environment: RLEnvOptions
    @Option(help: "Reset with this seed (Gymnasium's reset(seed=…)).") var seed: UInt64?
    @Option(help: "Set the internal state exactly, comma-separated (Gymnasium's env.unwrapped.state), after reset(seed=0).") var state: String?
    @Option(help: "Actions, comma-separated: integers for discrete spaces, floats for continuous ones (vector components joined by ':').") var actions: String?
    @Flag(help: "Print the transition table P as {\"state\": {\"action\": [[p, next_state, reward, terminated], …]}}.") var transitions = false
    @Flag(help: "JSON output.") var json = false

    func validate() throws {
        if environment.env == nil {
            if seed != nil || state != nil || actions != nil || transitions { throw ValidationError("give --env ID") }
            return
        }
        if transitions && (seed != nil || state != nil || actions != nil) { throw ValidationError("--transitions takes no --seed, --state or --actions") }
        if !transitions && seed != nil && state != nil { throw ValidationError("give --seed or --state, not both") }
        if let state { _ = try parseState(state) }
        if let actions { _ = try parseActions(actions) }
    }

    func parseState(_ s: String) throws -> [Double] {
        let parts = s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count <= 64 else { throw ValidationError("--state has at most 64 values") }
        return try parts.map {
            guard let d = Double($0), d.isFinite else { throw ValidationError("--state values must be numbers, got '\($0)'") }
            return d
        }
    }

    func parseActions(_ s: String) throws -> [[Double]] {
        let parts = s.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= 1_000_000 else { throw ValidationError("--actions has at most 1,000,000 actions") }
        return try parts.map { part in
            try part.split(separator: ":", omittingEmptySubsequences: false).map {
                guard let d = Double($0.trimmingCharacters(in: .whitespaces)), d.isFinite else {
                    throw ValidationError("--actions must be numbers, got '\(part)'")
                }
                return d
            }
        }
    }

    func run() throws {
        guard let id = environment.env else {
            for s in Environments.specs {
                let env = try Environments.make(s.id)
                if json {
                    print(JSONLine([("id", .string(s.id)), ("observation_space", .string(env.observationSpace.description)),
                                    ("action_space", .string(env.actionSpace.description)),
                                    ("max_episode_steps", s.maxEpisodeSteps.map { .int($0) } ?? .null),
                                    ("reward_threshold", s.rewardThreshold.map { .double($0) } ?? .null)]).text)
                } else {
                    print("\(s.id.padding(toLength: 26, withPad: " ", startingAt: 0)) obs \(env.observationSpace)  actions \(env.actionSpace)  limit \(s.maxEpisodeSteps.map(String.init) ?? "none")")
                }
            }
            return
        }
        let env = try environment.make(id)
        if transitions {
            guard let table = env.unwrapped as? TabularEnvironment else {
                throw RLError.unsupported("\(id) has no transition table (only the toy-text environments do)")
            }
            var states: [String] = []
            for s in 0..<table.stateCount {
                let acts = (0..<table.actionCount).map { a in
                    "\"\(a)\": [" + table.transitions(state: s, action: a).map {
                        "[\(exactJSON($0.probability).text), \($0.nextState), \(exactJSON($0.reward).text), \($0.terminated)]"
                    }.joined(separator: ", ") + "]"
                }
                states.append("\"\(s)\": {" + acts.joined(separator: ", ") + "}")
            }
            print("{" + states.joined(separator: ", ") + "}")
            return
        }
        let acts = try actions.map(parseActions) ?? []
        if let state {
            _ = env.reset(seed: 0)
            guard let stateful = env.unwrapped as? StatefulEnvironment else { throw RLError.unsupported("\(id) has no settable state") }
            try stateful.setState(try parseState(state))
        } else {
            let obs = env.reset(seed: seed)
            emit([("step", .int(0)), ("reset", .bool(true)), ("observation", .array(obs.map { exactJSON(Double($0)) }))], text: env.renderText())
        }
        for (i, a) in acts.enumerated() {
            let action: Action
            if env.actionSpace.actionCount != nil {
                guard a.count == 1, let k = Int(exactly: a[0]) else { throw RLError.invalidAction("\(id) takes integer actions, got \(a)") }
                action = .discrete(k)
            } else {
                action = .continuous(a.map { Float($0) })
            }
            let r = try env.step(action)
            var fields: [(String, JSONValue)] = [("step", .int(i + 1)), ("action", .string(action.description)),
                                                 ("observation", .array(r.observation.map { exactJSON(Double($0)) })),
                                                 ("reward", exactJSON(r.reward)), ("terminated", .bool(r.terminated)), ("truncated", .bool(r.truncated))]
            if let s = (env.unwrapped as? StatefulEnvironment)?.state { fields.append(("state", .array(s.map(exactJSON)))) }
            emit(fields, text: env.renderText())
            if r.done { break }
        }
    }

    func emit(_ fields: [(String, JSONValue)], text: String) {
        if json { print(JSONLine(fields).text) } else {
            print(fields.filter { $0.0 != "state" }.map { "\($0.0)=\($0.1.text)" }.joined(separator: " "))
            print(text)
        }
    }
}

/// The algorithms `rl train` knows.
enum RLAlgorithm {
    static let tabular = TabularMethod.allCases.map(\.rawValue)
    static let planning = ["value-iteration", "policy-iteration"]
    static let deep = DeepAlgorithm.allCases.map(\.rawValue)
    static var all: [String] { deep + planning + tabular }
}

/// `swiftlearn rl train`.
struct RLTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an agent: a deep learner (ppo, a2c, reinforce, dqn, sac, td3, ddpg; rl-zoo's hyper-parameters where it has them), value-iteration, policy-iteration (on the model), or a tabular learner (q-learning, sarsa, …)."
    )
    @Option(help: "ppo, a2c, reinforce, dqn, sac, td3, ddpg, value-iteration, policy-iteration, q-learning, sarsa, expected-sarsa, double-q-learning, n-step-sarsa, sarsa-lambda, dyna-q, monte-carlo, monte-carlo-every-visit.")
    var algo: String
    @OptionGroup var environment: RLEnvOptions
    @Option(help: "Training episodes (tabular learners; default 20000).") var episodes: Int?
    @Option(help: "A budget of environment steps: training stops when it is spent (deep learners: rl-zoo's n_timesteps, else 100000).") var steps: Int?
    @Option(name: .customLong("set"), help: "A hyper-parameter as key=value, named as Stable-Baselines3 names it (deep: learning_rate=lin_0.001, n_steps, batch_size, n_epochs, gamma, gae_lambda, clip_range, ent_coef, net_arch=64,64, buffer_size, train_freq, …; tabular: gamma, learning_rate, exploration_*, n_steps, lambda, planning_steps, initial_q; theta for planning); repeatable.")
    var settings: [String] = []
    @Option(help: "Seed for the agent and the environment.") var seed: UInt64 = 0
    @Option(help: "Episodes of greedy evaluation after training (default 10 for deep learners, 1000 for tabular ones).") var evalEpisodes: Int?
    @Option(help: "Deep learners: also evaluate the deterministic policy every N steps during training and keep the best weights (Stable-Baselines3's EvalCallback, rl-zoo's --eval-freq); the final weights are evaluated too.") var evalFreq: Int?
    @Option(help: "Episodes per evaluation during training (SB3's n_eval_episodes).") var nEvalEpisodes = 5
    @Flag(help: "With --eval-freq: end with the last weights instead of the best evaluation's.") var keepLast = false
    @Option(help: "Write the trained agent here (tabular: JSON; deep: safetensors with the settings in its metadata).") var save: String?
    @Option(help: "bc only: the saved expert agent whose episodes are cloned (n_episodes of them, deterministic).") var expert: String?
    @Flag(help: "JSON lines: one per batch of episodes, then a final object with mean_return.") var json = false
    @OptionGroup var tracking: TrackingOptions

    func validate() throws {
        guard RLAlgorithm.all.contains(algo) else { throw ValidationError("unknown --algo '\(algo)' (known: \(RLAlgorithm.all.joined(separator: ", ")))") }
        guard environment.env != nil else { throw ValidationError("give --env ID") }
        if let e = episodes, e < 1 || e > 100_000_000 { throw ValidationError("--episodes must be 1–100000000") }
        if let s = steps, s < 1 { throw ValidationError("--steps must be ≥ 1") }
        if let e = evalEpisodes, e < 1 || e > 10_000_000 { throw ValidationError("--eval-episodes must be 1–10000000") }
        if let algorithm = DeepAlgorithm(rawValue: algo) {
            if let s = steps, s > 1_000_000_000 { throw ValidationError("--steps must be at most 1000000000") }
            guard episodes == nil else { throw ValidationError("--episodes is for tabular learners; give deep learners --steps") }
            if algorithm == .bc && expert == nil { throw ValidationError("bc clones an expert: give --expert FILE (a saved agent)") }
            if algorithm != .bc && expert != nil { throw ValidationError("--expert is for --algo bc") }
            if let f = evalFreq, f < 1 || f > 1_000_000_000 { throw ValidationError("--eval-freq must be 1–1000000000 steps") }
            if algorithm == .bc && evalFreq != nil { throw ValidationError("--eval-freq is for learners that interact with the environment, not bc") }
            if nEvalEpisodes < 1 || nEvalEpisodes > 10_000 { throw ValidationError("--n-eval-episodes must be 1–10000") }
            if keepLast && evalFreq == nil { throw ValidationError("--keep-last goes with --eval-freq") }
            _ = try deepConfig(algorithm)
        } else {
            if evalFreq != nil || keepLast { throw ValidationError("--eval-freq and --keep-last are for deep learners") }
            _ = try config()
        }
    }

    /// SB3's defaults, rl-zoo's values for the environment, then `--set`.
    func deepConfig(_ algorithm: DeepAlgorithm) throws -> DeepConfig {
        var c = ZooPresets.config(algorithm, env: environment.env ?? "")
        for (k, v) in try parseSettings(settings).sorted(by: { $0.key < $1.key }) {
            do { try c.set(k, v) } catch let e as RLError { throw ValidationError(e.description) }
        }
        return c
    }

    func runDeep(_ algorithm: DeepAlgorithm) throws {
        let id = environment.env ?? ""
        let config = try deepConfig(algorithm)
        let budget = steps ?? ZooPresets.preset(algorithm, env: id)?.steps ?? 100_000
        var params: [(String, String)] = [("algo", algorithm.rawValue), ("env", id), ("seed", String(seed))]
        if algorithm != .bc { params.append(("n_timesteps", String(budget))) }
        params += config.keys.map { ($0, config.values[$0] ?? "") }
        let tracked = try tracking.start(defaultExperiment: "rl-\(algorithm.rawValue)-\(id)", params: params)
        try TrackedCommandRun.around(tracked) { try trainDeep(algorithm, id: id, config: config, budget: budget, tracked: tracked) }
    }

    private func trainDeep(_ algorithm: DeepAlgorithm, id: String, config: DeepConfig, budget: Int, tracked: TrackedCommandRun?) throws {
        let agent = try DeepAgent(algorithm, env: id, options: try environment.options(), maxEpisodeSteps: environment.maxEpisodeSteps,
                                  config: config, seed: seed)
        if !json { print("\(algorithm.rawValue) on \(id)\(algorithm == .bc ? "" : ", \(budget) steps"): \(config.summary)") }
        let start = Date()
        let report: (DeepTrainingLog) -> Void = { log in
            var values: [(String, Double)] = [("episodes", Double(log.episodes))]
            if let m = log.meanReturn { values.append(("mean_return_100", m)) }
            if let m = log.meanLength { values.append(("mean_length_100", m)) }
            tracked?.metrics(values + log.metrics.map { ($0.name, $0.value) }, step: log.steps)
            if json {
                var fields: [(String, JSONValue)] = [("steps", .int(log.steps)), ("episodes", .int(log.episodes)),
                                                     ("mean_return_100", log.meanReturn.map { .double($0) } ?? .null),
                                                     ("mean_length_100", log.meanLength.map { .double($0) } ?? .null),
                                                     ("seconds", .double(log.seconds))]
                fields += log.metrics.map { ($0.name, exactJSON($0.value)) }
                print(JSONLine(fields).text)
            } else {
                let metrics = log.metrics.map { "\($0.name) \(String(format: "%.4g", $0.value))" }.joined(separator: "  ")
                print(String(format: "%@ %9d  %@ %6d  mean return (last 100) %9@  %6.1f s  ", algorithm == .bc ? "pairs" : "steps", log.steps, algorithm == .bc ? "epochs" : "episodes", log.episodes,
                             log.meanReturn.map { String(format: "%.2f", $0) } ?? "–", log.seconds) + metrics)
            }
            fflush(stdout)
        }
        var evaluations: [EvaluationRecord] = []
        if algorithm == .bc, let expert {
            let teacher = try LoadedAgent.read(expert)
            let env = try environment.make()
            let demos = try Demonstrations.record(env: env, episodes: config.int(.nEpisodes), seed: seed) { try teacher.action($0, env: env) }
            let mean = demos.episodeReturns.reduce(0, +) / Double(demos.episodeReturns.count)
            if json {
                print(JSONLine([("expert", .string(expert)), ("expert_episodes", .int(demos.episodeReturns.count)), ("pairs", .int(demos.observations.count)),
                                ("expert_mean_return", .double(mean))]).text)
            } else {
                print("expert \(teacher.algo): \(demos.episodeReturns.count) episodes, \(demos.observations.count) pairs, mean return \(String(format: "%.2f", mean))")
            }
            try agent.clone(from: demos, report: report)
        } else {
            let evaluation = evalFreq.map { PeriodicEvaluation(frequency: $0, episodes: nEvalEpisodes, seed: seed &+ 2_000_003, keepBest: !keepLast) }
            evaluations = try agent.train(steps: budget, evaluation: evaluation, onEvaluation: { e in
                tracked?.metrics([("periodic_eval_mean_return", e.mean)], step: e.steps)
                if json {
                    print(JSONLine([("eval_steps", .int(e.steps)), ("eval_mean_return", exactJSON(e.mean)),
                                    ("eval_std_return", exactJSON(e.summary.standardDeviation)), ("best", .bool(e.isBest))]).text)
                } else {
                    print(String(format: "eval at %9d steps: mean return %.2f ± %.2f over %d episodes%@", e.steps, e.mean,
                                 e.summary.standardDeviation, e.summary.episodes, e.isBest ? "  (best so far)" : ""))
                }
                fflush(stdout)
            }, report: report)
        }
        let kept = evaluations.isEmpty || keepLast ? nil : evaluations.last(where: \.isBest)
        let trainSeconds = Date().timeIntervalSince(start)
        let r = try agent.evaluate(episodes: evalEpisodes ?? 10, seed: seed &+ 1_000_003)
        if let save { try agent.save(to: URL(fileURLWithPath: save)) }
        tracked?.metrics([("eval_mean_return", r.mean), ("eval_std_return", r.standardDeviation), ("eval_episodes", Double(r.episodes)),
                          ("train_seconds", trainSeconds)], step: algorithm == .bc ? 0 : budget)
        if let save { tracked?.artifact(save) }
        if json {
            print(JSONLine([("algo", .string(algorithm.rawValue)), ("env", .string(id)), ("steps", .int(algorithm == .bc ? 0 : budget)),
                            ("train_seconds", .double(trainSeconds)), ("eval_episodes", .int(r.episodes)),
                            ("mean_return", exactJSON(r.mean)), ("std_return", exactJSON(r.standardDeviation)),
                            ("kept_eval_steps", kept.map { .int($0.steps) } ?? .null),
                            ("saved", save.map { .string($0) } ?? .null)]).text)
        } else {
            print(String(format: "%@ on %@: deterministic mean return %.2f ± %.2f over %d episodes; trained %@ in %.1f s",
                         algorithm.rawValue, id, r.mean, r.standardDeviation, r.episodes, algorithm == .bc ? "on the demonstrations" : "\(budget) steps", trainSeconds))
            if let kept { print("kept the weights of the best evaluation, at \(kept.steps) steps (mean return \(String(format: "%.2f", kept.mean)))") }
            if let save { print("saved to \(save)") }
        }
    }

    func config() throws -> (TabularConfig, theta: Double) {
        var c = TabularConfig()
        var theta = 1e-10
        for (k, v) in try parseSettings(settings).sorted(by: { $0.key < $1.key }) {
            if k == "theta" {
                guard let t = Double(v), t > 0, t.isFinite else { throw ValidationError("theta must be a positive number") }
                theta = t
            } else {
                do { try c.set(k, v) } catch let e as RLError { throw ValidationError(e.description) }
            }
        }
        return (c, theta)
    }

    func run() throws {
        if let algorithm = DeepAlgorithm(rawValue: algo) { return try runDeep(algorithm) }
        let env = try environment.make()
        let (cfg, theta) = try config()
        let start = Date()
        let saved: SavedTabularAgent
        var trainedEpisodes = 0, trainedSteps = 0
        if RLAlgorithm.planning.contains(algo) {
            guard let tab = env.unwrapped as? TabularEnvironment else {
                throw RLError.unsupported("\(algo) needs the model P, which only the toy-text environments expose; try a tabular learner such as q-learning")
            }
            let mdp = try TabularMDP(tab)
            let r = algo == "value-iteration"
                ? try DynamicProgramming.valueIteration(mdp, gamma: cfg.gamma, theta: theta)
                : try DynamicProgramming.policyIteration(mdp, gamma: cfg.gamma, theta: theta)
            if json {
                print(JSONLine([("iterations", .int(r.iterations)), ("delta", .double(r.delta)),
                                ("value_of_start", .double(zip(tab.startDistribution, r.values).reduce(0) { $0 + $1.0 * $1.1 }))]).text)
            } else {
                print("\(algo): \(r.iterations) \(algo == "value-iteration" ? "sweeps" : "improvement rounds"), last |ΔV| \(r.delta)")
            }
            saved = SavedTabularAgent(q: r.q, algo: algo, env: env.id, envOptions: try environment.options(), config: cfg)
        } else {
            let method = TabularMethod(rawValue: algo)!
            let agent = try TabularAgent(method: method, env: env, config: cfg, seed: seed)
            let total = episodes ?? 20_000
            let every = max(1, total / 20)
            var window: [Double] = []
            let records = try agent.train(env, episodes: total, seed: seed, stepBudget: steps) { rec in
                window.append(rec.totalReturn)
                if window.count > 100 { window.removeFirst() }
                trainedSteps += rec.length
                guard rec.episode % every == 0 || rec.episode == total else { return }
                let mean = window.reduce(0, +) / Double(window.count)
                if json {
                    print(JSONLine([("episodes", .int(rec.episode)), ("steps", .int(trainedSteps)), ("mean_return_100", .double(mean)),
                                    ("epsilon", .double(rec.epsilon))]).text)
                } else {
                    print(String(format: "episodes %7d  steps %9d  mean return (last 100) %8.3f  ε %.3f", rec.episode, trainedSteps, mean, rec.epsilon))
                }
            }
            let done = records.count
            trainedEpisodes = done
            saved = SavedTabularAgent(agent: agent, algo: algo, env: env.id, envOptions: try environment.options())
        }
        let trainSeconds = Date().timeIntervalSince(start)
        let evalEnv = try environment.make()
        let r = ReturnSummary(try saved.agent().evaluate(evalEnv, episodes: evalEpisodes ?? 1000, seed: seed &+ 1_000_003))
        if let save {
            try saved.write(to: URL(fileURLWithPath: save))
        }
        if json {
            print(JSONLine([("algo", .string(algo)), ("env", .string(env.id)), ("episodes", .int(trainedEpisodes)), ("steps", .int(trainedSteps)),
                            ("train_seconds", .double(trainSeconds)), ("eval_episodes", .int(r.episodes)),
                            ("mean_return", exactJSON(r.mean)), ("std_return", exactJSON(r.standardDeviation)), ("success_rate", exactJSON(r.positiveRate)),
                            ("saved", save.map { .string($0) } ?? .null)]).text)
        } else {
            print(String(format: "%@ on %@: greedy mean return %.4f ± %.4f over %d episodes (positive-return rate %.3f); trained in %.2f s",
                         algo, env.id, r.mean, r.standardDeviation, r.episodes, r.positiveRate, trainSeconds))
            if let save { print("saved to \(save)") }
        }
    }
}

/// `swiftlearn rl eval`.
struct RLEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Evaluate a saved agent's greedy policy.")
    @Option(help: "A saved agent (rl train --save).") var load: String
    @OptionGroup var environment: RLEnvOptions
    @Option(help: "Evaluation episodes.") var episodes = 100
    @Option(help: "Seed of the first reset.") var seed: UInt64 = 0
    @Flag(help: "JSON output.") var json = false

    func validate() throws {
        guard episodes >= 1 && episodes <= 10_000_000 else { throw ValidationError("--episodes must be 1–10000000") }
    }

    func run() throws {
        let loaded = try LoadedAgent.read(load)
        let id = environment.env ?? loaded.env
        let options = environment.envOption.isEmpty ? loaded.envOptions : try environment.options()
        let env = try Environments.make(id, options: options, maxEpisodeSteps: environment.maxEpisodeSteps ?? loaded.maxEpisodeSteps)
        let r: ReturnSummary
        switch loaded {
        case .tabular(_, let agent):
            guard env.observationSpace.cardinality == agent.stateCount, env.actionSpace.actionCount == agent.actionCount else {
                throw RLError.unsupported("the agent's table is \(agent.stateCount)×\(agent.actionCount); \(id) has \(env.observationSpace) and \(env.actionSpace)")
            }
            r = ReturnSummary(try agent.evaluate(env, episodes: episodes, seed: seed))
        case .deep(let agent):
            r = try agent.evaluate(on: env, episodes: episodes, seed: seed)
        }
        if json {
            print(JSONLine([("algo", .string(loaded.algo)), ("env", .string(id)), ("episodes", .int(r.episodes)),
                            ("mean_return", exactJSON(r.mean)), ("std_return", exactJSON(r.standardDeviation)), ("success_rate", exactJSON(r.positiveRate))]).text)
        } else {
            print(String(format: "%@ on %@: mean return %.4f ± %.4f over %d episodes (positive-return rate %.3f)", loaded.algo, id, r.mean, r.standardDeviation, r.episodes, r.positiveRate))
        }
    }
}

/// A saved agent of either kind: a tabular learner's JSON or a deep learner's safetensors file.
enum LoadedAgent {
    case tabular(SavedTabularAgent, TabularAgent)
    case deep(DeepAgent)

    static func read(_ path: String) throws -> LoadedAgent {
        let url = URL(fileURLWithPath: path)
        if DeepAgent.isDeepAgentFile(url) { return .deep(try DeepAgent.load(from: url)) }
        let saved = try SavedTabularAgent.read(url)
        return .tabular(saved, try saved.agent(path: path))
    }

    var algo: String {
        switch self { case .tabular(let s, _): return s.algo; case .deep(let a): return a.algorithm.rawValue }
    }
    var env: String {
        switch self { case .tabular(let s, _): return s.env; case .deep(let a): return a.envID }
    }
    var envOptions: [String: String] {
        switch self { case .tabular(let s, _): return s.envOptions; case .deep(let a): return a.envOptions }
    }
    var maxEpisodeSteps: Int? {
        if case .deep(let a) = self { return a.maxEpisodeSteps }
        return nil
    }

    /// The greedy (deterministic) action for an observation of `env`.
    func action(_ obs: [Float], env: Environment) throws -> Action {
        switch self {
        case .tabular(_, let agent):
            guard let s = env.observationSpace.index(of: obs), s < agent.stateCount else { throw RLError.unsupported("the agent does not fit \(env.id)") }
            return .discrete(agent.greedy(s))
        case .deep(let agent):
            guard agent.fits(env) else { throw RLError.unsupported("the agent acts in \(agent.observationSpace) → \(agent.actionSpace); \(env.id) has \(env.observationSpace) → \(env.actionSpace)") }
            return agent.action(for: obs)
        }
    }
}

/// `swiftlearn rl play`.
struct RLPlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "play", abstract: "Watch an episode in the terminal: a saved agent's greedy policy, or random actions.")
    @OptionGroup var environment: RLEnvOptions
    @Option(help: "A saved agent (rl train --save); without it actions are random.") var load: String?
    @Option(help: "Seed of the reset (and of random actions).") var seed: UInt64 = 0
    @Option(help: "Milliseconds between frames.") var delay = 0
    @Option(help: "Stop after this many steps.") var maxSteps = 1000
    @Option(help: "Also write the episode as an animated SVG here.") var svg: String?
    @Option(help: "Also write the episode as an HTML page (slider, play button) here.") var html: String?

    func validate() throws {
        guard delay >= 0 && delay <= 10_000 else { throw ValidationError("--delay must be 0–10000 ms") }
        guard maxSteps >= 1 && maxSteps <= 1_000_000 else { throw ValidationError("--max-steps must be 1–1000000") }
        if load == nil && environment.env == nil { throw ValidationError("give --env ID or --load FILE") }
    }

    func run() throws {
        let agent = try load.map { try LoadedAgent.read($0) }
        guard let id = environment.env ?? agent?.env else { throw ValidationError("give --env ID or --load FILE") }
        let env = try Environments.make(id, options: environment.envOption.isEmpty ? (agent?.envOptions ?? [:]) : try environment.options(),
                                        maxEpisodeSteps: environment.maxEpisodeSteps ?? agent?.maxEpisodeSteps)
        var rng = NumPyGenerator(seed: seed &+ 17)
        var obs = env.reset(seed: seed)
        print(env.renderText())
        var recording = EpisodeRecording(title: "\(id)\(load.map { " — \(agent?.algo ?? "") agent from \(URL(fileURLWithPath: $0).lastPathComponent)" } ?? " — random actions")")
        recording.capture(env, caption: "reset (seed \(seed))")
        var total = 0.0
        defer {
            if (svg != nil || html != nil) && recording.frames.isEmpty { print("(\(id) draws no SVG frames)") }
            if let svg, !recording.frames.isEmpty { try? recording.animatedSVG().write(toFile: svg, atomically: true, encoding: .utf8); print("episode written to \(svg)") }
            if let html, !recording.frames.isEmpty { try? recording.html().write(toFile: html, atomically: true, encoding: .utf8); print("episode written to \(html)") }
        }
        for step in 1...maxSteps {
            let action: Action
            if let agent {
                action = try agent.action(obs, env: env)
            } else {
                action = env.actionSpace.sampleAction(&rng)
            }
            let r = try env.step(action)
            total += r.reward
            obs = r.observation
            recording.capture(env, caption: "step \(step): action \(action), reward \(r.reward), return \(total)")
            if delay > 0 { usleep(UInt32(delay) * 1000) }
            print("step \(step): action \(action), reward \(r.reward)")
            print(env.renderText())
            if r.done { print("episode \(r.terminated ? "terminated" : "truncated") after \(step) steps, return \(total)"); return }
        }
        print("stopped after \(maxSteps) steps, return \(total)")
    }
}

/// `swiftlearn bench rl`: environment steps per second, random actions, resets included.
struct RLBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rl", abstract: "Environment steps/s of each built-in environment (gym.make-equivalent, random actions drawn beforehand; medians).")
    @Option(help: "Steps per timed run.") var steps = 200_000
    @Option(help: "Timed runs per environment (the median is reported).") var runs = 5
    @Option(help: "Comma-separated environment ids (default: every classic-control and toy-text one).") var envs: String?
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        try checkRange(steps, option: "--steps", 1...100_000_000)
        try checkRange(runs, option: "--runs", 1...maximumRuns)
        let ids = try envs.map { list in
            try list.split(separator: ",").map { id -> String in
                let s = String(id)
                guard Environments.ids.contains(s) else { throw ValidationError("unknown environment '\(s)' (known: \(Environments.ids.joined(separator: ", ")))") }
                return s
            }
        } ?? Environments.ids.filter { $0 != "Bandit-v0" && $0 != "CartPole-v0" }
        for id in ids {
            let env = try Environments.make(id)
            var rng = NumPyGenerator(seed: 0)
            let actions = (0..<min(steps, 65_536)).map { _ in env.actionSpace.sampleAction(&rng) }
            var rates: [Double] = []
            var episodes = 0
            for round in 0...runs {
                _ = env.reset(seed: 0)
                episodes = 0
                let start = DispatchTime.now().uptimeNanoseconds
                for i in 0..<steps {
                    let r = try env.step(actions[i % actions.count])
                    if r.terminated || r.truncated { _ = env.reset(seed: nil); episodes += 1 }
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if round > 0 { rates.append(Double(steps) / seconds) }    // round 0 warms up
            }
            let median = rates.sorted()[rates.count / 2]
            if json {
                print(JSONLine([("env", .string(id)), ("steps", .int(steps)), ("episodes", .int(episodes)), ("runs", .int(runs)),
                                ("steps_per_second", .double(median))]).text)
            } else {
                print(id.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: " %12.0f steps/s  (%d steps, %d episodes per run, median of %d)", median, steps, episodes, runs))
            }
        }
    }
}

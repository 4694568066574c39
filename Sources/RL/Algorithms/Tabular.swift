import Foundation

/// The model-free tabular methods of Sutton & Barto chapters 5–8.
public enum TabularMethod: String, Sendable, Codable, CaseIterable {
    /// On-policy first-visit Monte Carlo control with an ε-soft policy.
    case monteCarlo = "monte-carlo"
    /// Every-visit Monte Carlo control.
    case monteCarloEveryVisit = "monte-carlo-every-visit"
    case sarsa
    case expectedSarsa = "expected-sarsa"
    case qLearning = "q-learning"
    case doubleQLearning = "double-q-learning"
    /// n-step SARSA (`n` steps).
    case nStepSarsa = "n-step-sarsa"
    /// SARSA(λ) with replacing eligibility traces.
    case sarsaLambda = "sarsa-lambda"
    /// Dyna-Q: Q-learning plus `planningSteps` replayed model transitions per real step.
    case dynaQ = "dyna-q"
}

/// Hyper-parameters of a tabular learner. Names as Stable-Baselines3/rl-zoo spell the shared ones
/// (`gamma`, `learning_rate`, `exploration_initial_eps`, `exploration_final_eps`,
/// `exploration_fraction`) so `--set key=value` reads the same.
public struct TabularConfig: Sendable, Codable, Equatable {
    /// Discount factor γ.
    public var gamma = 0.99
    /// Step size α.
    public var learningRate = 0.1
    /// ε decays linearly from the initial to the final value over this fraction of the episodes.
    public var explorationInitialEps = 1.0
    /// ε at the end of the decay.
    public var explorationFinalEps = 0.05
    /// Fraction of the episodes over which ε decays.
    public var explorationFraction = 0.5
    /// n-step SARSA's n.
    public var nSteps = 4
    /// SARSA(λ)'s λ.
    public var lambda = 0.9
    /// Dyna-Q's planning updates per real step.
    public var planningSteps = 10
    /// The initial Q value (optimistic initialisation when positive).
    public var initialQ = 0.0

    /// The defaults (rl-zoo-like).
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case gamma, learningRate = "learning_rate", explorationInitialEps = "exploration_initial_eps"
        case explorationFinalEps = "exploration_final_eps", explorationFraction = "exploration_fraction"
        case nSteps = "n_steps", lambda = "lambda", planningSteps = "planning_steps", initialQ = "initial_q"
        static var allKeys: [String] { allCases.map(\.rawValue) }
    }

    /// Checks every value's range (a decoded file is checked the same way as `--set`).
    public func validate() throws {
        for (k, v, lo, hi) in [("gamma", gamma, 0.0, 1.0), ("learning_rate", learningRate, 0, 1),
                               ("exploration_initial_eps", explorationInitialEps, 0, 1), ("exploration_final_eps", explorationFinalEps, 0, 1),
                               ("exploration_fraction", explorationFraction, 0, 1), ("lambda", lambda, 0, 1),
                               ("initial_q", initialQ, -1e9, 1e9)] where !(v >= lo && v <= hi) {
            throw RLError.invalidArgument("\(k) must be in [\(lo), \(hi)], got \(v)")
        }
        guard nSteps >= 1 && nSteps <= 10_000 else { throw RLError.invalidArgument("n_steps must be 1–10000") }
        guard planningSteps >= 0 && planningSteps <= 100_000 else { throw RLError.invalidArgument("planning_steps must be 0–100000") }
    }

    /// Applies a `key=value` setting; an unknown key, a non-number or a value out of range (as
    /// ``validate()`` checks it) is an error.
    public mutating func set(_ key: String, _ value: String) throws {
        var c = self
        let integerKeys: Set = ["n_steps", "planning_steps"]
        if integerKeys.contains(key) {
            guard let i = Int(value) else { throw RLError.invalidArgument("\(key) must be an integer, got '\(value)'") }
            if key == "n_steps" { c.nSteps = i } else { c.planningSteps = i }
        } else {
            guard let d = Double(value), d.isFinite else {
                throw RLError.invalidArgument(CodingKeys.allKeys.contains(key) || key == "alpha" || key == "gae_lambda"
                                                ? "\(key) must be a number, got '\(value)'"
                                                : "unknown tabular setting '\(key)' (\(CodingKeys.allKeys.joined(separator: ", ")))")
            }
            switch key {
            case "gamma": c.gamma = d
            case "learning_rate", "alpha": c.learningRate = d
            case "exploration_initial_eps": c.explorationInitialEps = d
            case "exploration_final_eps": c.explorationFinalEps = d
            case "exploration_fraction": c.explorationFraction = d
            case "lambda", "gae_lambda": c.lambda = d
            case "initial_q": c.initialQ = d
            default: throw RLError.invalidArgument("unknown tabular setting '\(key)' (\(CodingKeys.allKeys.joined(separator: ", ")))")
            }
        }
        try c.validate()
        self = c
    }
}

/// Mean, standard deviation and the share of positive returns over evaluation episodes.
public struct ReturnSummary: Sendable, Equatable {
    /// Number of episodes summarised.
    public var episodes: Int
    /// Mean return.
    public var mean: Double
    /// Population standard deviation (NumPy's `std`).
    public var standardDeviation: Double
    /// The fraction of episodes with a positive return (the success rate where only reaching
    /// the goal pays, as in FrozenLake).
    public var positiveRate: Double

    /// The summary of episode returns.
    public init(_ returns: [Double]) {
        episodes = returns.count
        let n = Double(max(returns.count, 1))
        mean = returns.reduce(0, +) / n
        let m = mean
        standardDeviation = (returns.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n).squareRoot()
        positiveRate = Double(returns.filter { $0 > 0 }.count) / n
    }
}

/// One finished training episode.
public struct EpisodeRecord: Sendable, Equatable {
    /// 1-based episode number.
    public var episode: Int
    /// Undiscounted return.
    public var totalReturn: Double
    /// Steps taken.
    public var length: Int
    /// ε used during the episode.
    public var epsilon: Double
}

/// A tabular action-value learner for environments with a finite observation space and discrete
/// actions (FrozenLake, CliffWalking, Taxi, Blackjack, custom ones).
public final class TabularAgent: @unchecked Sendable {
    /// The learning rule.
    public let method: TabularMethod
    /// Its settings.
    public var config: TabularConfig
    /// Rows of the table.
    public let stateCount: Int
    /// Columns of the table.
    public let actionCount: Int
    /// Q[s][a] (for double Q-learning, the first of its two tables).
    public private(set) var q: [[Double]]
    /// Double Q-learning's second table (equal to `q` for the other methods).
    public private(set) var q2: [[Double]]
    var rng: NumPyGenerator

    /// A learner with a table of `initial_q` values; `seed` seeds its exploration.
    public init(method: TabularMethod, stateCount: Int, actionCount: Int, config: TabularConfig = TabularConfig(), seed: UInt64 = 0) throws {
        guard stateCount >= 1, actionCount >= 1 else { throw RLError.invalidArgument("a table needs at least one state and one action") }
        try config.validate()
        guard stateCount.multipliedReportingOverflow(by: actionCount).partialValue <= 50_000_000,
              !stateCount.multipliedReportingOverflow(by: actionCount).overflow else {
            throw RLError.invalidArgument("\(stateCount) × \(actionCount) is too many table entries (at most 50 million)")
        }
        self.method = method; self.config = config; self.stateCount = stateCount; self.actionCount = actionCount
        q = Array(repeating: Array(repeating: config.initialQ, count: actionCount), count: stateCount)
        q2 = q
        rng = NumPyGenerator(seed: seed)
    }

    /// A learner sized for an environment's spaces.
    public convenience init(method: TabularMethod, env: Environment, config: TabularConfig = TabularConfig(), seed: UInt64 = 0) throws {
        guard let n = env.observationSpace.cardinality, n < Int.max else {
            throw RLError.unsupported("\(method.rawValue) needs a finite observation space; \(env.id) has \(env.observationSpace)")
        }
        guard let a = env.actionSpace.actionCount else {
            throw RLError.unsupported("\(method.rawValue) needs discrete actions; \(env.id) has \(env.actionSpace)")
        }
        try self.init(method: method, stateCount: n, actionCount: a, config: config, seed: seed)
    }

    /// Restores a learner from saved tables (`q2` only for double Q-learning).
    public init(method: TabularMethod, q: [[Double]], q2: [[Double]]? = nil, config: TabularConfig, seed: UInt64 = 0) throws {
        func valid(_ t: [[Double]]) -> Bool {
            !t.isEmpty && (t.first?.count ?? 0) > 0 && t.allSatisfy { $0.count == t[0].count && $0.allSatisfy(\.isFinite) }
        }
        guard valid(q), q2.map({ valid($0) && $0.count == q.count && $0[0].count == q[0].count }) ?? true else {
            throw RLError.invalidArgument("a Q table must be a non-empty rectangle of finite numbers")
        }
        try config.validate()
        self.method = method; self.config = config; stateCount = q.count; actionCount = q[0].count
        self.q = q; self.q2 = q2 ?? q; rng = NumPyGenerator(seed: seed)
    }

    /// The action values the policy acts on: Q, or for double Q-learning the mean of its two tables.
    public func values(_ s: Int) -> [Double] {
        method == .doubleQLearning ? (0..<actionCount).map { (q[s][$0] + q2[s][$0]) / 2 } : q[s]
    }

    /// The greedy action (first best on ties).
    public func greedy(_ s: Int) -> Int {
        let row = values(s)
        var best = 0
        for a in 1..<actionCount where row[a] > row[best] { best = a }
        return best
    }

    /// ε-greedy with random tie-breaking among the best actions (so an all-zero table explores).
    func epsilonGreedy(_ s: Int, _ eps: Double) -> Int {
        if rng.random() < eps { return rng.integers(actionCount) }
        let row = values(s)
        let m = row.max()!
        var ties = 0
        for x in row where x == m { ties += 1 }
        var k = ties == 1 ? 0 : rng.integers(ties)
        for (i, x) in row.enumerated() where x == m {
            if k == 0 { return i }
            k -= 1
        }
        return 0
    }

    func epsilon(_ episode: Int, of total: Int) -> Double {
        let span = config.explorationFraction * Double(total)
        guard span > 0 else { return config.explorationFinalEps }
        let f = min(1, Double(episode) / span)
        return config.explorationInitialEps + f * (config.explorationFinalEps - config.explorationInitialEps)
    }

    func index(_ env: Environment, _ obs: [Float]) throws -> Int {
        guard let s = env.observationSpace.index(of: obs), s < stateCount else {
            throw RLError.unsupported("observation \(obs) of \(env.id) is outside the table's \(stateCount) states")
        }
        return s
    }

    /// Trains for `episodes` episodes (each capped at `maxSteps` steps besides the environment's
    /// own time limit), or until `stepBudget` environment steps are spent (the episode that spends
    /// it finishes). `seed` seeds the first reset; later resets continue its stream. `onEpisode`
    /// sees each finished episode.
    @discardableResult
    public func train(_ env: Environment, episodes: Int, maxSteps: Int = 10_000, seed: UInt64? = nil, stepBudget: Int? = nil,
                      onEpisode: ((EpisodeRecord) -> Void)? = nil) throws -> [EpisodeRecord] {
        guard episodes >= 1 else { throw RLError.invalidArgument("episodes must be ≥ 1") }
        if let stepBudget, stepBudget < 1 { throw RLError.invalidArgument("the step budget must be ≥ 1") }
        var records: [EpisodeRecord] = []
        records.reserveCapacity(min(episodes, 1 << 20))
        var budget = stepBudget ?? Int.max
        for ep in 0..<episodes where budget > 0 {
            let rec = try trainEpisode(env, episode: ep, of: episodes, seed: ep == 0 ? seed : nil, maxSteps: maxSteps)
            budget -= rec.length
            records.append(rec)
            onEpisode?(rec)
        }
        return records
    }

    /// ε at an episode of a run of `total` episodes (linear decay over `exploration_fraction`).
    public func epsilonAt(_ episode: Int, of total: Int) -> Double { epsilon(episode, of: total) }

    /// Dyna-Q's model: the observed (reward, next state, terminal) outcomes of each visited
    /// state-action pair (up to 64, replaced at random when full), sampled uniformly in planning,
    /// so a stochastic environment is modelled by its empirical distribution rather than by
    /// its last outcome (the deterministic model of Sutton & Barto's Figure 8.2).
    var model: [Int: [(reward: Double, next: Int, terminal: Bool)]] = [:]
    var modelKeys: [Int] = []

    /// Runs and learns from one episode, episode `episode` of a run of `total` (for ε's schedule).
    public func trainEpisode(_ env: Environment, episode ep: Int, of total: Int, seed: UInt64? = nil, maxSteps: Int = 10_000) throws -> EpisodeRecord {
        guard maxSteps >= 1 else { throw RLError.invalidArgument("max steps must be ≥ 1") }
        let eps = epsilon(ep, of: total)
        var s = try index(env, env.reset(seed: seed))
        // SARSA-style methods carry the next action over; the others choose at each step's start.
        let choosesEachStep = method == .qLearning || method == .doubleQLearning || method == .expectedSarsa || method == .dynaQ
        var a = choosesEachStep ? 0 : epsilonGreedy(s, eps)
        var episodeReturn = 0.0, length = 0
        var states: [Int] = [s], actions: [Int] = [a], rewards: [Double] = [0]
        var traces: [Int: Double] = [:]
        var done = false
        var terminalReached = false
        while !done && length < maxSteps {
            if choosesEachStep { a = epsilonGreedy(s, eps) }
            let r = try env.step(.discrete(a))
            let s2 = try index(env, r.observation)
            episodeReturn += r.reward; length += 1
            done = r.done
            terminalReached = r.terminated
            let notTerminal = r.terminated ? 0.0 : 1.0
            let alpha = config.learningRate, gamma = config.gamma
            switch method {
            case .qLearning:
                q[s][a] += alpha * (r.reward + gamma * notTerminal * q[s2].max()! - q[s][a])
            case .dynaQ:
                q[s][a] += alpha * (r.reward + gamma * notTerminal * q[s2].max()! - q[s][a])
                let key = s * actionCount + a
                if var outcomes = model[key] {
                    if outcomes.count < 64 { outcomes.append((r.reward, s2, r.terminated)) } else { outcomes[rng.integers(64)] = (r.reward, s2, r.terminated) }
                    model[key] = outcomes
                } else {
                    model[key] = [(r.reward, s2, r.terminated)]
                    modelKeys.append(key)
                }
                for _ in 0..<config.planningSteps {
                    let k = modelKeys[rng.integers(modelKeys.count)]
                    let outcomes = model[k]!
                    let m = outcomes[outcomes.count == 1 ? 0 : rng.integers(outcomes.count)]
                    let ps = k / actionCount, pa = k % actionCount
                    q[ps][pa] += alpha * (m.reward + gamma * (m.terminal ? 0 : 1) * q[m.next].max()! - q[ps][pa])
                }
            case .doubleQLearning:
                if rng.random() < 0.5 {
                    let best = q[s2].indices.max { q[s2][$0] < q[s2][$1] }!
                    q[s][a] += alpha * (r.reward + gamma * notTerminal * q2[s2][best] - q[s][a])
                } else {
                    let best = q2[s2].indices.max { q2[s2][$0] < q2[s2][$1] }!
                    q2[s][a] += alpha * (r.reward + gamma * notTerminal * q[s2][best] - q2[s][a])
                }
            case .expectedSarsa:
                let row = q[s2], m = row.max()!
                let nBest = Double(row.filter { $0 == m }.count)
                var expected = 0.0
                for x in row { expected += (eps / Double(actionCount) + (x == m ? (1 - eps) / nBest : 0)) * x }
                q[s][a] += alpha * (r.reward + gamma * notTerminal * expected - q[s][a])
            case .sarsa:
                let a2 = epsilonGreedy(s2, eps)
                q[s][a] += alpha * (r.reward + gamma * notTerminal * q[s2][a2] - q[s][a])
                a = a2
            case .sarsaLambda:
                let a2 = epsilonGreedy(s2, eps)
                let delta = r.reward + gamma * notTerminal * q[s2][a2] - q[s][a]
                for b in 0..<actionCount where b != a { traces[s * actionCount + b] = nil }
                traces[s * actionCount + a] = 1          // replacing traces
                for (k, e) in traces {
                    q[k / actionCount][k % actionCount] += alpha * delta * e
                    let ne = gamma * config.lambda * e
                    traces[k] = ne < 1e-8 ? nil : ne
                }
                a = a2
            case .nStepSarsa, .monteCarlo, .monteCarloEveryVisit:
                rewards.append(r.reward)
                states.append(s2)
                let a2 = epsilonGreedy(s2, eps)
                actions.append(a2)
                a = a2
                if method == .nStepSarsa {
                    // Update the state-action pair n steps back (τ = t − n + 1).
                    let t = length - 1, n = config.nSteps
                    let tau = t - n + 1
                    if tau >= 0 && !done { nStepUpdate(tau: tau, end: t + 1, bootstrap: true, states, actions, rewards) }
                }
            }
            s = s2
        }
        switch method {
        case .nStepSarsa:
            // Flush the last n updates, bootstrapping only from a cut (non-terminal) end.
            let T = length, n = config.nSteps
            for tau in max(0, T - n)..<T {
                nStepUpdate(tau: tau, end: T, bootstrap: !terminalReached, states, actions, rewards)
            }
        case .monteCarlo, .monteCarloEveryVisit:
            var g = 0.0
            var firstVisit: [Int: Int] = [:]
            if method == .monteCarlo { for t in (0..<length).reversed() { firstVisit[states[t] * actionCount + actions[t]] = t } }
            for t in (0..<length).reversed() {
                g = config.gamma * g + rewards[t + 1]
                let key = states[t] * actionCount + actions[t]
                if method == .monteCarlo && firstVisit[key] != t { continue }
                q[states[t]][actions[t]] += config.learningRate * (g - q[states[t]][actions[t]])
            }
        default: break
        }
        return EpisodeRecord(episode: ep + 1, totalReturn: episodeReturn, length: length, epsilon: eps)
    }

    func nStepUpdate(tau: Int, end: Int, bootstrap: Bool, _ states: [Int], _ actions: [Int], _ rewards: [Double]) {
        let gamma = config.gamma
        var g = 0.0, discount = 1.0
        for i in (tau + 1)...end { g += discount * rewards[i]; discount *= gamma }
        if bootstrap && end < states.count { g += discount * q[states[end]][actions[end]] }
        q[states[tau]][actions[tau]] += config.learningRate * (g - q[states[tau]][actions[tau]])
    }

    /// Runs the greedy policy for `episodes` episodes and returns each episode's return.
    public func evaluate(_ env: Environment, episodes: Int, seed: UInt64? = nil, maxSteps: Int = 10_000) throws -> [Double] {
        guard episodes >= 1 else { throw RLError.invalidArgument("episodes must be ≥ 1") }
        var out: [Double] = []
        for ep in 0..<episodes {
            var s = try index(env, env.reset(seed: ep == 0 ? seed : nil))
            var total = 0.0, steps = 0
            while steps < maxSteps {
                let r = try env.step(.discrete(greedy(s)))
                total += r.reward; steps += 1
                if r.done { break }
                s = try index(env, r.observation)
            }
            out.append(total)
        }
        return out
    }
}

import Foundation

/// A finite MDP's model, `P[s][a]` as in Gymnasium's toy-text environments.
public struct TabularMDP: Sendable {
    /// Number of states.
    public let stateCount: Int
    /// Number of actions in every state.
    public let actionCount: Int
    /// `P[s][a]`.
    public let transitions: [[[Transition]]]

    /// A checked model: rectangular, next states in range, probabilities finite, non-negative and summing to 1.
    public init(transitions: [[[Transition]]]) throws {
        guard !transitions.isEmpty, let nA = transitions.first?.count, nA > 0, transitions.allSatisfy({ $0.count == nA }) else {
            throw RLError.invalidArgument("an MDP needs at least one state and the same number of actions in every state")
        }
        for (s, row) in transitions.enumerated() {
            for (a, list) in row.enumerated() {
                guard !list.isEmpty else { throw RLError.invalidArgument("P[\(s)][\(a)] is empty") }
                for t in list {
                    guard t.nextState >= 0, t.nextState < transitions.count else { throw RLError.invalidArgument("P[\(s)][\(a)] leads to state \(t.nextState), outside 0..<\(transitions.count)") }
                    guard t.probability >= 0, t.probability.isFinite, t.reward.isFinite else { throw RLError.invalidArgument("P[\(s)][\(a)] has a negative or non-finite probability or reward") }
                }
                let total = list.reduce(0) { $0 + $1.probability }
                guard abs(total - 1) < 1e-9 else { throw RLError.invalidArgument("P[\(s)][\(a)]'s probabilities sum to \(total), not 1") }
            }
        }
        self.transitions = transitions
        stateCount = transitions.count
        actionCount = transitions[0].count
    }

    /// The model of a tabular environment (FrozenLake, CliffWalking, Taxi).
    public init(_ env: TabularEnvironment) throws {
        try self.init(transitions: (0..<env.stateCount).map { s in (0..<env.actionCount).map { env.transitions(state: s, action: $0) } })
    }

    /// The one-step look-ahead `Σ p·(r + γ·V[s']·(1 − terminated))`, summed in `P`'s order.
    @inlinable public func q(_ s: Int, _ a: Int, _ v: [Double], gamma: Double) -> Double {
        var q = 0.0
        for t in transitions[s][a] { q += t.probability * (t.reward + gamma * v[t.nextState] * (t.terminated ? 0 : 1)) }
        return q
    }
}

/// The result of a dynamic-programming solve.
public struct DPResult: Sendable {
    /// V(s).
    public var values: [Double]
    /// Q(s, a).
    public var q: [[Double]]
    /// The greedy policy (the first best action on ties, as NumPy's `argmax`).
    public var policy: [Int]
    /// Sweeps (value iteration, policy evaluation) or improvement rounds (policy iteration).
    public var iterations: Int
    /// Max |ΔV| of the last sweep.
    public var delta: Double
}

/// Dynamic programming on a known model (Sutton & Barto ch. 4): policy evaluation, policy
/// iteration and value iteration, with synchronous (Jacobi) sweeps as the usual NumPy code does.
public enum DynamicProgramming {
    static func check(_ gamma: Double, _ theta: Double, _ maxIterations: Int) throws {
        guard gamma >= 0, gamma <= 1 else { throw RLError.invalidArgument("gamma must be in [0, 1]") }
        guard theta > 0, theta.isFinite else { throw RLError.invalidArgument("theta must be a positive number") }
        guard maxIterations >= 1 else { throw RLError.invalidArgument("max iterations must be ≥ 1") }
    }

    static func greedy(_ mdp: TabularMDP, _ v: [Double], gamma: Double) -> ([[Double]], [Int]) {
        let q = (0..<mdp.stateCount).map { s in (0..<mdp.actionCount).map { mdp.q(s, $0, v, gamma: gamma) } }
        let policy = q.map { row in row.indices.reduce(0) { row[$1] > row[$0] ? $1 : $0 } }
        return (q, policy)
    }

    /// Iterative policy evaluation of a stochastic policy `policy[s][a]` (rows sum to 1).
    public static func evaluate(_ mdp: TabularMDP, policy: [[Double]], gamma: Double = 0.99, theta: Double = 1e-10,
                                maxIterations: Int = 100_000) throws -> DPResult {
        try check(gamma, theta, maxIterations)
        guard policy.count == mdp.stateCount, policy.allSatisfy({ $0.count == mdp.actionCount && abs($0.reduce(0, +) - 1) < 1e-9 }) else {
            throw RLError.invalidArgument("the policy must give \(mdp.actionCount) action probabilities summing to 1 for each of \(mdp.stateCount) states")
        }
        var v = Array(repeating: 0.0, count: mdp.stateCount)
        var it = 0, delta = Double.infinity
        while it < maxIterations && delta >= theta {
            var nv = v
            for s in 0..<mdp.stateCount {
                var x = 0.0
                for a in 0..<mdp.actionCount where policy[s][a] > 0 { x += policy[s][a] * mdp.q(s, a, v, gamma: gamma) }
                nv[s] = x
            }
            delta = zip(nv, v).reduce(0) { max($0, abs($1.0 - $1.1)) }
            v = nv; it += 1
        }
        let (q, greedyPolicy) = greedy(mdp, v, gamma: gamma)
        return DPResult(values: v, q: q, policy: greedyPolicy, iterations: it, delta: delta)
    }

    /// Value iteration: `V ← max_a Q(V)` until max |ΔV| < θ.
    public static func valueIteration(_ mdp: TabularMDP, gamma: Double = 0.99, theta: Double = 1e-10,
                                      maxIterations: Int = 100_000) throws -> DPResult {
        try check(gamma, theta, maxIterations)
        var v = Array(repeating: 0.0, count: mdp.stateCount)
        var q = Array(repeating: Array(repeating: 0.0, count: mdp.actionCount), count: mdp.stateCount)
        var it = 0, delta = Double.infinity
        while it < maxIterations && delta >= theta {
            var nv = v
            for s in 0..<mdp.stateCount {
                for a in 0..<mdp.actionCount { q[s][a] = mdp.q(s, a, v, gamma: gamma) }
                nv[s] = q[s].max()!
            }
            delta = zip(nv, v).reduce(0) { max($0, abs($1.0 - $1.1)) }
            v = nv; it += 1
        }
        // The policy is greedy in the last sweep's Q (as the usual NumPy loop returns it).
        let policy = q.map { row in row.indices.reduce(0) { row[$1] > row[$0] ? $1 : $0 } }
        return DPResult(values: v, q: q, policy: policy, iterations: it, delta: delta)
    }

    /// Policy iteration: evaluate the current deterministic policy, improve greedily, until stable.
    public static func policyIteration(_ mdp: TabularMDP, gamma: Double = 0.99, theta: Double = 1e-10,
                                       maxIterations: Int = 1000) throws -> DPResult {
        try check(gamma, theta, maxIterations)
        var policy = Array(repeating: 0, count: mdp.stateCount)
        var rounds = 0
        while true {
            let onehot = policy.map { a in (0..<mdp.actionCount).map { $0 == a ? 1.0 : 0.0 } }
            let e = try evaluate(mdp, policy: onehot, gamma: gamma, theta: theta)
            rounds += 1
            // Keep the current action unless another is better by more than round-off.
            var stable = true
            for s in 0..<mdp.stateCount {
                let best = e.q[s].indices.reduce(0) { e.q[s][$1] > e.q[s][$0] ? $1 : $0 }
                if e.q[s][best] > e.q[s][policy[s]] + 1e-12 * max(1, abs(e.q[s][best])) { policy[s] = best; stable = false }
            }
            if stable || rounds >= maxIterations {
                return DPResult(values: e.values, q: e.q, policy: policy, iterations: rounds, delta: e.delta)
            }
        }
    }
}

public extension TabularEnvironment {
    /// The distribution of the first state: a table environment's, else uniform.
    var startDistribution: [Double] {
        (self as? TableEnvironment)?.initialDistribution ?? Array(repeating: 1 / Double(stateCount), count: stateCount)
    }
}

import Foundation

/// Model-free prediction (Sutton & Barto ch. 5–7, 12): the value function of a fixed policy
/// learned from episodes, without the model — the counterpart of
/// ``DynamicProgramming/evaluate(_:policy:gamma:theta:maxIterations:)``.
public enum Prediction {
    static func check(_ env: Environment, _ policy: [[Double]], _ episodes: Int, _ alpha: Double, _ gamma: Double, _ lambda: Double) throws -> (Int, Int) {
        guard let n = env.observationSpace.cardinality, n < 50_000_000, let a = env.actionSpace.actionCount else {
            throw RLError.unsupported("prediction needs a finite observation space and discrete actions; \(env.id) has \(env.observationSpace) and \(env.actionSpace)")
        }
        guard policy.count == n, policy.allSatisfy({ $0.count == a && $0.allSatisfy { $0 >= 0 } && abs($0.reduce(0, +) - 1) < 1e-9 }) else {
            throw RLError.invalidArgument("the policy must give \(a) action probabilities summing to 1 for each of \(n) states")
        }
        guard episodes >= 1 else { throw RLError.invalidArgument("episodes must be ≥ 1") }
        guard alpha > 0 && alpha <= 1, gamma >= 0 && gamma <= 1, lambda >= 0 && lambda <= 1 else {
            throw RLError.invalidArgument("alpha must be in (0, 1], gamma and lambda in [0, 1]")
        }
        return (n, a)
    }

    static func sample(_ probs: [Double], _ rng: inout NumPyGenerator) -> Int {
        let u = rng.random()
        var c = 0.0
        for (i, p) in probs.enumerated() { c += p; if u < c { return i } }
        return probs.count - 1
    }

    /// TD(λ) with accumulating eligibility traces (λ = 0 is TD(0)): after each step
    /// δ = r + γV(s') − V(s), e(s) += 1, V += αδe, e *= γλ.
    public static func temporalDifference(_ env: Environment, policy: [[Double]], episodes: Int, alpha: Double = 0.05,
                                          gamma: Double = 0.99, lambda: Double = 0, seed: UInt64 = 0, maxSteps: Int = 10_000) throws -> [Double] {
        let (n, _) = try check(env, policy, episodes, alpha, gamma, lambda)
        var v = Array(repeating: 0.0, count: n), e = Array(repeating: 0.0, count: n)
        var rng = NumPyGenerator(seed: seed &+ 0x7D)
        for ep in 0..<episodes {
            guard var s = env.observationSpace.index(of: env.reset(seed: ep == 0 ? seed : nil)) else { throw RLError.unsupported("observation outside the space") }
            var touched: [Int] = []
            for _ in 0..<maxSteps {
                let r = try env.step(.discrete(sample(policy[s], &rng)))
                guard let s2 = env.observationSpace.index(of: r.observation) else { throw RLError.unsupported("observation outside the space") }
                let delta = r.reward + (r.terminated ? 0 : gamma * v[s2]) - v[s]
                if lambda == 0 {
                    v[s] += alpha * delta
                } else {
                    if e[s] == 0 { touched.append(s) }
                    e[s] += 1
                    for x in touched { v[x] += alpha * delta * e[x]; e[x] *= gamma * lambda }
                }
                s = s2
                if r.done { break }
            }
            for x in touched { e[x] = 0 }
        }
        return v
    }

    /// First-visit Monte Carlo prediction with a constant step size α (or sample averages when
    /// `alpha` is nil).
    public static func monteCarlo(_ env: Environment, policy: [[Double]], episodes: Int, alpha: Double? = nil,
                                  gamma: Double = 0.99, seed: UInt64 = 0, maxSteps: Int = 10_000) throws -> [Double] {
        let (n, _) = try check(env, policy, episodes, alpha ?? 0.5, gamma, 0)
        var v = Array(repeating: 0.0, count: n), visits = Array(repeating: 0, count: n)
        var rng = NumPyGenerator(seed: seed &+ 0x3C)
        for ep in 0..<episodes {
            guard var s = env.observationSpace.index(of: env.reset(seed: ep == 0 ? seed : nil)) else { throw RLError.unsupported("observation outside the space") }
            var states: [Int] = [], rewards: [Double] = []
            for _ in 0..<maxSteps {
                let r = try env.step(.discrete(sample(policy[s], &rng)))
                states.append(s); rewards.append(r.reward)
                guard let s2 = env.observationSpace.index(of: r.observation) else { throw RLError.unsupported("observation outside the space") }
                s = s2
                if r.done { break }
            }
            var first: [Int: Int] = [:]
            for (t, x) in states.enumerated().reversed() { first[x] = t }
            var g = 0.0
            for t in states.indices.reversed() {
                g = gamma * g + rewards[t]
                let x = states[t]
                guard first[x] == t else { continue }
                visits[x] += 1
                v[x] += (alpha ?? 1 / Double(visits[x])) * (g - v[x])
            }
        }
        return v
    }
}

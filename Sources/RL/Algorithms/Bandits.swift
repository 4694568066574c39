import Foundation

/// The action-selection rules of Sutton & Barto ch. 2 for a k-armed bandit.
public enum BanditStrategy: Sendable, Equatable, CustomStringConvertible {
    /// ε-greedy on sample averages.
    case epsilonGreedy(epsilon: Double)
    /// UCB1: argmax Q + c·√(ln t / N) (untried arms first).
    case ucb(c: Double)
    /// Thompson sampling for unit-variance Gaussian rewards with a N(0, 1) prior on each mean.
    case thompson
    /// The gradient bandit: softmax preferences, updated with step α against the average reward
    /// baseline (or none).
    case gradient(alpha: Double, baseline: Bool)

    public var description: String {
        switch self {
        case .epsilonGreedy(let e): return "ε-greedy (ε=\(e))"
        case .ucb(let c): return "UCB (c=\(c))"
        case .thompson: return "Thompson sampling"
        case .gradient(let a, let b): return "gradient (α=\(a)\(b ? ", baseline" : ""))"
        }
    }
}

/// A run's curves, averaged over runs: reward per step, cumulative regret, and the fraction of
/// runs that chose the optimal arm at each step.
public struct BanditResult: Sendable {
    /// The strategy that ran.
    public var strategy: BanditStrategy
    /// Mean reward at each step over the runs.
    public var averageReward: [Double]
    /// Mean cumulative regret (best mean minus the chosen arm's mean, summed) at each step.
    public var cumulativeRegret: [Double]
    /// Fraction of runs choosing the best arm at each step.
    public var optimalActionRate: [Double]
}

/// The k-armed testbed experiments of Sutton & Barto ch. 2.
public enum Bandits {
    /// Runs a strategy on `runs` independent testbed problems (arm means from N(0, 1), rewards
    /// N(mean, 1)) for `steps` steps each; run r uses problem seed `seed + r`.
    public static func run(_ strategy: BanditStrategy, arms: Int = 10, steps: Int = 1000, runs: Int = 200, seed: UInt64 = 0) throws -> BanditResult {
        guard steps >= 1, steps <= 10_000_000, runs >= 1, runs <= 100_000 else {
            throw RLError.invalidArgument("bandits: steps must be 1–10^7 and runs 1–10^5")
        }
        switch strategy {
        case .epsilonGreedy(let e) where !(0...1).contains(e): throw RLError.invalidArgument("ε must be in [0, 1]")
        case .ucb(let c) where !(c >= 0 && c.isFinite): throw RLError.invalidArgument("UCB's c must be ≥ 0")
        case .gradient(let a, _) where !(a > 0 && a.isFinite): throw RLError.invalidArgument("the gradient bandit's α must be > 0")
        default: break
        }
        var reward = Array(repeating: 0.0, count: steps), regret = Array(repeating: 0.0, count: steps)
        var optimal = Array(repeating: 0.0, count: steps)
        for r in 0..<runs {
            let bandit = try MultiArmedBandit(arms: arms, seed: seed &+ UInt64(r))
            var rng = NumPyGenerator(seed: seed &+ UInt64(r) &+ 0x5EED)
            let best = bandit.optimalArm, bestMean = bandit.means[best]
            var counts = Array(repeating: 0, count: arms), sums = Array(repeating: 0.0, count: arms)
            var prefs = Array(repeating: 0.0, count: arms), average = 0.0
            var totalRegret = 0.0
            for t in 0..<steps {
                let a: Int
                var probs: [Double] = []
                switch strategy {
                case .epsilonGreedy(let e):
                    if rng.random() < e { a = rng.integers(arms) } else {
                        let q = (0..<arms).map { counts[$0] == 0 ? 0 : sums[$0] / Double(counts[$0]) }
                        let m = q.max()!
                        let ties = q.indices.filter { q[$0] == m }
                        a = ties[rng.integers(ties.count)]
                    }
                case .ucb(let c):
                    if let untried = counts.firstIndex(of: 0) { a = untried } else {
                        let lnT = Foundation.log(Double(t + 1))
                        a = (0..<arms).max { x, y in
                            sums[x] / Double(counts[x]) + c * (lnT / Double(counts[x])).squareRoot()
                                < sums[y] / Double(counts[y]) + c * (lnT / Double(counts[y])).squareRoot()
                        }!
                    }
                case .thompson:
                    let draws = (0..<arms).map { sums[$0] / Double(counts[$0] + 1) + rng.normal() / Double(counts[$0] + 1).squareRoot() }
                    a = draws.indices.max { draws[$0] < draws[$1] }!
                case .gradient:
                    let m = prefs.max()!
                    let e = prefs.map { Foundation.exp($0 - m) }
                    let z = e.reduce(0, +)
                    probs = e.map { $0 / z }
                    let u = rng.random()
                    var c = 0.0, pick = arms - 1
                    for i in 0..<arms { c += probs[i]; if u < c { pick = i; break } }
                    a = pick
                }
                let x = bandit.means[a] + rng.normal()
                counts[a] += 1; sums[a] += x
                if case .gradient(let alpha, let baseline) = strategy {
                    let b = baseline ? average : 0
                    for i in 0..<arms { prefs[i] += alpha * (x - b) * ((i == a ? 1 : 0) - probs[i]) }
                    average += (x - average) / Double(t + 1)
                }
                totalRegret += bestMean - bandit.means[a]
                reward[t] += x; regret[t] += totalRegret; optimal[t] += a == best ? 1 : 0
            }
        }
        let n = Double(runs)
        return BanditResult(strategy: strategy, averageReward: reward.map { $0 / n },
                            cumulativeRegret: regret.map { $0 / n }, optimalActionRate: optimal.map { $0 / n })
    }
}

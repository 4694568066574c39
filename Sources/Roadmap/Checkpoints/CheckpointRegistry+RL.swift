import Foundation
import Plot
import RL

extension CheckpointRegistry {
    /// Checkpoint projects of reinforcement learning on the Gymnasium-identical environments.
    public static let reinforcementLearning: [Checkpoint] = [
        Checkpoint("rl-frozenlake-q-learning", "FrozenLake solved by Q-learning",
                   topics: ["q-learning", "temporal-difference"],
                   criterion: "tabular Q-learning trained for 20,000 episodes on FrozenLake-v1 (4x4, slippery, Gymnasium's dynamics) reaches the goal in at least 70 % of 1000 greedy episodes, for three seeds") { ctx in
            var lines: [String] = []
            var rates: [Double] = []
            for k in 0..<3 {
                let seed = ctx.seed &+ UInt64(k)
                let env = try Environments.make("FrozenLake-v1")
                let agent = try TabularAgent(method: .qLearning, env: env, seed: seed)
                try agent.train(env, episodes: 20_000, seed: seed)
                let rate = try agent.evaluate(try Environments.make("FrozenLake-v1"), episodes: 1000, seed: seed &+ 99).reduce(0, +) / 1000
                rates.append(rate)
                lines.append("seed \(seed): greedy success \(f(rate))")
            }
            let worst = rates.min()!
            return DemoOutcome(passed: worst >= 0.70, result: (lines + ["worst of three: \(f(worst)) (criterion ≥ 0.70)"]).joined(separator: "\n"),
                               metrics: [("worst_success_rate", worst)])
        },
        Checkpoint("rl-value-iteration", "An MDP solved exactly: value iteration on FrozenLake 8x8",
                   topics: ["dynamic-programming", "bellman-equations", "mdp"],
                   criterion: "value iteration and policy iteration agree on V* of FrozenLake 8x8 (γ = 0.99) to 1e-8, and the greedy policy reaches the goal in at least 80 % of 1000 episodes of the real (sampled) environment") { ctx in
            let env = try Environments.make("FrozenLake8x8-v1")
            let mdp = try TabularMDP(env.unwrapped as! TabularEnvironment)
            let vi = try DynamicProgramming.valueIteration(mdp, gamma: 0.99, theta: 1e-12)
            let pi = try DynamicProgramming.policyIteration(mdp, gamma: 0.99, theta: 1e-12)
            let diff = zip(vi.values, pi.values).map { abs($0 - $1) }.max()!
            let agent = try TabularAgent(method: .qLearning, q: vi.q, config: TabularConfig())
            let success = try agent.evaluate(env, episodes: 1000, seed: ctx.seed).reduce(0, +) / 1000
            let grid = (0..<8).map { r in (0..<8).map { vi.values[r * 8 + $0] } }
            return DemoOutcome(passed: diff < 1e-8 && success >= 0.80,
                               result: ["V*(start) = \(f(vi.values[0], 4)); value iteration \(vi.iterations) sweeps, policy iteration \(pi.iterations) rounds; max |ΔV| \(String(format: "%.1e", diff))",
                                        "greedy success over 1000 sampled episodes: \(f(success)) (criterion ≥ 0.80)"].joined(separator: "\n"),
                               metrics: [("success_rate", success), ("v_star_start", vi.values[0])],
                               figures: [DemoFigure("value-map", HeatmapChart(title: "FrozenLake 8x8: V* (γ = 0.99)", rowLabels: (0..<8).map { "\($0)" },
                                                                             columnLabels: (0..<8).map { "\($0)" }, values: grid, valueDecimals: 2),
                                                    caption: "Optimal values; the holes are 0.")])
        },
    ]
}

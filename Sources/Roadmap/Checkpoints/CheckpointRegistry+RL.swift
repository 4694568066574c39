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
            Checkpoint("rl-cartpole-dqn-ppo", "CartPole solved by DQN and by PPO at rl-zoo's budgets",
                   topics: ["dqn", "ppo-trpo"],
                   criterion: "DQN (rl-zoo's CartPole settings, 50k steps, the best of evaluations every 5k steps kept as rl-zoo's EvalCallback keeps best_model) and PPO (rl-zoo's settings, 100k steps) each reach a mean return of at least 475 over 10 deterministic episodes", quick: false) { ctx in
            var lines: [String] = [], scores: [Double] = []
            for (algo, steps) in [(DeepAlgorithm.ppo, 100_000), (.dqn, 50_000)] {
                let agent = try DeepAgent(algo, env: "CartPole-v1", config: ZooPresets.config(algo, env: "CartPole-v1"), seed: ctx.seed)
                let start = Date()
                try agent.train(steps: steps, evaluation: algo == .dqn ? PeriodicEvaluation(frequency: 5_000) : nil)
                let r = try agent.evaluate(episodes: 10, seed: 1000)
                scores.append(r.mean)
                lines.append("\(algo.rawValue): \(steps) steps in \(f(Date().timeIntervalSince(start), 1)) s, mean return \(f(r.mean, 1)) ± \(f(r.standardDeviation, 1))")
            }
            let worst = scores.min() ?? 0
            return DemoOutcome(passed: worst >= 475, result: (lines + ["worst: \(f(worst, 1)) (criterion ≥ 475)"]).joined(separator: "\n"),
                               metrics: [("worst_mean_return", worst)])
        },
        Checkpoint("rl-acrobot-ppo", "Acrobot swung up by PPO with normalised observations",
                   topics: ["ppo-trpo", "actor-critic"],
                   criterion: "PPO with rl-zoo's Acrobot settings (16 copies, VecNormalize-style observation and reward normalisation, 1M steps) reaches a mean return of at least −100 over 10 deterministic episodes", quick: false) { ctx in
            let agent = try DeepAgent(.ppo, env: "Acrobot-v1", config: ZooPresets.config(.ppo, env: "Acrobot-v1"), seed: ctx.seed)
            let curve = try trainWithCurve(agent, steps: 1_000_000)
            let r = try agent.evaluate(episodes: 10, seed: 1000)
            return DemoOutcome(passed: r.mean >= -100,
                               result: "mean return over 10 episodes: \(f(r.mean, 1)) ± \(f(r.standardDeviation, 1)) (criterion ≥ −100; random play scores −500)",
                               metrics: [("mean_return", r.mean)],
                               figures: [learningCurves("learning-curve", "PPO on Acrobot-v1 (rl-zoo settings)", [("PPO", curve)], caption: "Mean return of the last 100 training episodes.")])
        },
        Checkpoint("rl-pendulum-sac", "Pendulum swung up by SAC at rl-zoo's budget",
                   topics: ["continuous-control"],
                   criterion: "SAC with rl-zoo's Pendulum settings (256-unit networks, learning rate 1e-3, automatic entropy tuning, 20k steps) reaches a mean return of at least −200 over 10 deterministic episodes", quick: false) { ctx in
            let agent = try DeepAgent(.sac, env: "Pendulum-v1", config: ZooPresets.config(.sac, env: "Pendulum-v1"), seed: ctx.seed)
            let curve = try trainWithCurve(agent, steps: 20_000)
            let r = try agent.evaluate(episodes: 10, seed: 1000)
            return DemoOutcome(passed: r.mean >= -200,
                               result: "mean return over 10 episodes: \(f(r.mean, 1)) ± \(f(r.standardDeviation, 1)) (criterion ≥ −200; random torques score about −1200)",
                               metrics: [("mean_return", r.mean)],
                               figures: [learningCurves("learning-curve", "SAC on Pendulum-v1 (rl-zoo settings)", [("SAC", curve)], caption: "Mean return of the last 100 training episodes.")])
        },
            Checkpoint("rl-cartpole-imitation", "CartPole learned by imitation: behaviour cloning of a PPO expert",
                   topics: ["imitation-learning"],
                   criterion: "a policy fitted only to 10 recorded episodes of a PPO expert (rl-zoo's settings, 100k steps), never interacting with the environment while it learns, reaches a mean return of at least 475 over 10 deterministic episodes", quick: false) { ctx in
            let expert = try DeepAgent(.ppo, env: "CartPole-v1", config: ZooPresets.config(.ppo, env: "CartPole-v1"), seed: ctx.seed)
            try expert.train(steps: 100_000)
            let demos = try Demonstrations.record(env: try Environments.make("CartPole-v1"), episodes: 10, seed: ctx.seed &+ 50) { expert.action(for: $0) }
            let student = try DeepAgent(.bc, env: "CartPole-v1", config: DeepConfig(.bc), seed: ctx.seed)
            try student.clone(from: demos)
            let r = try student.evaluate(episodes: 10, seed: 1000)
            return DemoOutcome(passed: r.mean >= 475,
                               result: "expert episodes \(demos.episodeReturns.map { f($0, 0) }.joined(separator: ", ")) (\(demos.observations.count) pairs); clone mean return \(f(r.mean, 1)) ± \(f(r.standardDeviation, 1)) (criterion ≥ 475)",
                               metrics: [("clone_mean_return", r.mean)])
        },
    ]
}

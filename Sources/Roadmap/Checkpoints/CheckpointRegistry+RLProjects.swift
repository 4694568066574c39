import Foundation
import Plot
import RL

extension CheckpointRegistry {
    /// Checkpoint projects for the reinforcement-learning topics beyond the zoo benchmarks: bandits,
    /// Monte Carlo control against an exact solution, planning with a model, REINFORCE, and a
    /// game-playing agent on a custom environment.
    public static let reinforcementLearningProjects: [Checkpoint] = [
        Checkpoint("rl-bandit-regret", "Bandits: regret that stops growing",
                   topics: ["exploration-exploitation"],
                   criterion: "on Sutton & Barto's 10-armed testbed (2000 problems × 1000 steps) UCB (c = 2) and Thompson sampling each end with less cumulative regret than ε-greedy at ε = 0.1 and at ε = 0.01 and than pure greedy, and Thompson sampling's regret over steps 501–1000 is less than a third of its regret over steps 1–500 (sub-linear growth)") { ctx in
            let strategies: [BanditStrategy] = [.epsilonGreedy(epsilon: 0), .epsilonGreedy(epsilon: 0.01), .epsilonGreedy(epsilon: 0.1), .ucb(c: 2), .thompson]
            let results = try strategies.map { try Bandits.run($0, steps: 1000, runs: 2000, seed: ctx.seed) }
            let final = results.map { $0.cumulativeRegret.last ?? .infinity }
            let worstDirected = max(final[3], final[4]), bestUndirected = final[0...2].min() ?? 0
            let thompson = results[4].cumulativeRegret
            let firstHalf = thompson[499], secondHalf = thompson[999] - thompson[499]
            let lines = results.map { "\($0.strategy.description.padding(toLength: 22, withPad: " ", startingAt: 0)) regret \(f($0.cumulativeRegret.last ?? 0, 1))" }
            return DemoOutcome(passed: worstDirected < bestUndirected && secondHalf < firstHalf / 3,
                               result: (lines + ["Thompson sampling: regret \(f(firstHalf, 1)) over steps 1–500, \(f(secondHalf, 1)) over steps 501–1000 (criterion: under a third)"]).joined(separator: "\n"),
                               metrics: [("ucb_regret", final[3]), ("thompson_regret", final[4]), ("best_epsilon_greedy_regret", bestUndirected),
                                         ("thompson_second_half_ratio", secondHalf / max(firstHalf, 1e-12))],
                               figures: [DemoFigure("regret", LineChart(title: "Cumulative regret, 10-armed testbed (2000 problems)", xLabel: "step", yLabel: "regret",
                                                                       series: results.map { ChartSeries(name: $0.strategy.description, y: $0.cumulativeRegret) }),
                                                    caption: "ε-greedy's regret grows linearly (it explores forever); UCB's and Thompson sampling's flatten.")])
        },
        Checkpoint("rl-blackjack-monte-carlo", "Blackjack: Monte Carlo control against the exact optimum",
                   topics: ["monte-carlo-rl"],
                   criterion: "first-visit Monte Carlo control trained on 500,000 hands of Blackjack-v1 (Sutton & Barto's rules) learns a policy whose exact expected return — computed by recursion over the infinite-deck model, not by sampling — is within 0.01 of the optimal policy's") { ctx in
            let env = try Environments.make("Blackjack-v1")
            var cfg = TabularConfig()
            cfg.gamma = 1; cfg.learningRate = 0.01; cfg.explorationFinalEps = 0.05
            let agent = try TabularAgent(method: .monteCarlo, env: env, config: cfg, seed: ctx.seed)
            try agent.train(env, episodes: 500_000, seed: ctx.seed)
            guard let game = env.unwrapped as? Blackjack else { throw RLError.unsupported("Blackjack-v1 is not the Blackjack class") }
            let optimal = game.exactReturn()
            let space = env.observationSpace
            let learned = game.exactReturn { sum, dealer, ace in
                space.index(of: [Float(sum), Float(dealer), ace ? 1 : 0]).map(agent.greedy) ?? 0
            }
            let stick = game.exactReturn { _, _, _ in 0 }
            let keys = optimal.actions.keys.filter { $0.sum >= 12 }
            let agree = Double(keys.filter { optimal.actions[$0] == learned.actions[$0] }.count) / Double(max(keys.count, 1))
            let gap = optimal.value - learned.value
            let grid = (12...21).reversed().map { s in (1...10).map { d in Double(learned.actions[.init(sum: s, dealer: d, usableAce: false)] ?? 0) } }
            return DemoOutcome(passed: gap <= 0.01,
                               result: ["exact expected return per hand: optimal \(f(optimal.value, 4)), learned \(f(learned.value, 4)) (gap \(f(gap, 4)); criterion ≤ 0.01), always stick \(f(stick.value, 4))",
                                        "the learned policy takes the optimal action in \(pct(agree)) of the \(keys.count) states with a sum of 12–21"].joined(separator: "\n"),
                               metrics: [("optimal_return", optimal.value), ("learned_return", learned.value), ("gap", gap), ("agreement", agree)],
                               figures: [DemoFigure("policy", HeatmapChart(title: "Learned policy, no usable ace (1 = hit)", rowLabels: (12...21).reversed().map { "\($0)" },
                                                                          columnLabels: (1...10).map { $0 == 1 ? "A" : "\($0)" }, values: grid, valueDecimals: 0),
                                                    caption: "Rows: the player's sum; columns: the dealer's card. Sutton & Barto's Figure 5.2 has the optimal one.")])
        },
        Checkpoint("rl-dyna-q-planning", "Planning pays: Dyna-Q against Q-learning on the cliff",
                   topics: ["model-based-rl"],
                   criterion: "on deterministic CliffWalking, over 10 seeds of 30 real episodes each (ε = 0.1, α = 0.5), Dyna-Q with 50 planning updates per step needs at most half the real steps of Q-learning, and its greedy policy is the optimal 13-step path on every seed") { ctx in
            var cfg = TabularConfig()
            cfg.explorationInitialEps = 0.1; cfg.explorationFinalEps = 0.1; cfg.learningRate = 0.5; cfg.gamma = 1; cfg.planningSteps = 50
            var steps: [TabularMethod: [Double]] = [:], optimal = 0
            var curves: [TabularMethod: [Double]] = [:]
            for k in 0..<10 {
                for m in [TabularMethod.dynaQ, .qLearning] {
                    let env = try Environments.make("CliffWalking-v1", maxEpisodeSteps: 1000)
                    let agent = try TabularAgent(method: m, env: env, config: cfg, seed: ctx.seed &+ UInt64(k))
                    let rec = try agent.train(env, episodes: 30, seed: ctx.seed &+ UInt64(k))
                    steps[m, default: []].append(Double(rec.map(\.length).reduce(0, +)))
                    let lengths = rec.map { Double($0.length) }
                    curves[m] = curves[m].map { zip($0, lengths).map { $0 + $1 / 10 } } ?? lengths.map { $0 / 10 }
                    if m == .dynaQ, try agent.evaluate(env, episodes: 1, seed: 0)[0] == -13 { optimal += 1 }
                }
            }
            let dyna = steps[.dynaQ, default: []].reduce(0, +) / 10, q = steps[.qLearning, default: []].reduce(0, +) / 10
            return DemoOutcome(passed: dyna <= q / 2 && optimal == 10,
                               result: ["real steps over 30 episodes (mean of 10 seeds): Dyna-Q \(f(dyna, 0)), Q-learning \(f(q, 0)) (ratio \(f(dyna / q, 2)); criterion ≤ 0.5)",
                                        "Dyna-Q's greedy path is the optimal 13 steps on \(optimal) of 10 seeds"].joined(separator: "\n"),
                               metrics: [("dyna_steps", dyna), ("q_steps", q), ("optimal_seeds", Double(optimal))],
                               figures: [DemoFigure("steps", LineChart(title: "CliffWalking: steps per episode (mean of 10 seeds)", xLabel: "episode", yLabel: "steps",
                                                                      series: [ChartSeries(name: "Dyna-Q (50 planning steps)", y: curves[.dynaQ] ?? []),
                                                                               ChartSeries(name: "Q-learning", y: curves[.qLearning] ?? [])]),
                                                    caption: "Each real step feeds 50 simulated updates from the learned model.")])
        },
        Checkpoint("rl-cartpole-reinforce", "CartPole balanced by REINFORCE with a baseline",
                   topics: ["policy-gradients"],
                   criterion: "REINFORCE with a learned value baseline (4 episodes per update, Adam 1e-3, two 64-unit tanh layers) trained for 100k steps reaches a greedy mean return of at least 350 over 10 episodes on each of three seeds (random play ≈ 22)", quick: false) { ctx in
            var config = DeepConfig(.reinforce)
            try config.set("baseline", "true")
            var scores: [Double] = [], runs: [(String, (x: [Double], y: [Double]))] = []
            for k in 0..<3 {
                let agent = try DeepAgent(.reinforce, env: "CartPole-v1", config: config, seed: ctx.seed &+ UInt64(k))
                runs.append(("seed \(ctx.seed &+ UInt64(k))", try trainWithCurve(agent, steps: 100_000)))
                scores.append(try agent.evaluate(episodes: 10, seed: 1000).mean)
            }
            let worst = scores.min() ?? 0
            return DemoOutcome(passed: worst >= 350,
                               result: "greedy mean return per seed: \(scores.map { f($0, 1) }.joined(separator: ", ")); worst \(f(worst, 1)) (criterion ≥ 350)",
                               metrics: [("worst_mean_return", worst)],
                               figures: [learningCurves("learning-curves", "REINFORCE with a baseline on CartPole-v1", runs, caption: "Mean return of the last 100 training episodes.")])
        },
        Checkpoint("rl-catch-game-agent", "A game-playing agent: a custom environment, checked, registered and learned by DQN and PPO",
                   topics: ["project-game-agent", "rl-environments"],
                   criterion: "the Catch game (a custom Environment: 10 balls fall on a 10×5 board, +1 per catch, −1 per miss) passes the environment checker, is registered under a new id, and both DQN (30k steps) and PPO (100k steps) reach a greedy mean return of at least 9.5 of 10 on each of three seeds (random play scores below 0)", quick: false) { ctx in
            let id = "CatchProject-v0"
            // Registered once per process; a second run finds it there.
            if !Environments.ids.contains(id) {
                _ = try? Environments.register(EnvironmentSpec(id: id, maxEpisodeSteps: 1000) { o in try Catch(options: o, id: id) })
            }
            let report = try EnvironmentChecker.check(steps: 2000, seed: ctx.seed) { try Environments.make(id) }
            var lines = ["checker: \(report.steps) random steps, \(report.episodes) episodes, \(report.warnings.isEmpty ? "no warnings" : report.warnings.joined(separator: "; "))"]
            var worst = Double.infinity, runs: [(String, (x: [Double], y: [Double]))] = []
            for (algo, budget) in [(DeepAlgorithm.dqn, 30_000), (.ppo, 100_000)] {
                let config = try catchSettings(algo)
                var scores: [Double] = []
                for k in 0..<3 {
                    let agent = try DeepAgent(algo, env: id, config: config, seed: ctx.seed &+ UInt64(k))
                    let curve = try trainWithCurve(agent, steps: budget)
                    if k == 0 { runs.append((algo.rawValue.uppercased(), curve)) }
                    scores.append(try agent.evaluate(episodes: 10, seed: 1000).mean)
                }
                worst = min(worst, scores.min() ?? -10)
                lines.append("\(algo.rawValue) (\(budget / 1000)k steps): greedy mean return per seed \(scores.map { f($0, 1) }.joined(separator: ", "))")
            }
            var rng = NumPyGenerator(seed: ctx.seed)
            let random = try Environments.make(id)
            var randomTotal = 0.0
            for ep in 0..<100 {
                _ = random.reset(seed: ctx.seed &+ UInt64(ep))
                while true { let r = try random.step(random.actionSpace.sampleAction(&rng)); randomTotal += r.reward; if r.done { break } }
            }
            lines.append("random play: \(f(randomTotal / 100, 2)) over 100 episodes; worst learned \(f(worst, 1)) (criterion ≥ 9.5)")
            return DemoOutcome(passed: worst >= 9.5 && randomTotal / 100 < 0, result: lines.joined(separator: "\n"),
                               metrics: [("worst_mean_return", worst), ("random_return", randomTotal / 100)],
                               figures: [learningCurves("learning-curves", "Catch (a custom environment): DQN and PPO", runs,
                                                        caption: "Mean return of the last 100 training episodes (seed \(ctx.seed)).")])
        },
    ]
}

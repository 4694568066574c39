import Foundation
import Plot
import RL

/// The greedy action of each FrozenLake cell as an arrow (holes and the goal as their letter).
func policyArrows(_ policy: [Int], map: [[Character]]) -> [String] {
    let arrows: [Character] = ["←", "↓", "→", "↑"]
    return map.enumerated().map { r, row in
        String(row.enumerated().map { c, ch in "HG".contains(ch) ? ch : arrows[policy[r * row.count + c]] })
    }
}

/// Mean of the last `n` values.
func tailMean(_ xs: [Double], _ n: Int) -> Double {
    let t = xs.suffix(n)
    return t.isEmpty ? 0 : t.reduce(0, +) / Double(t.count)
}

/// A moving average (window w) for learning curves.
func movingAverage(_ xs: [Double], _ w: Int) -> [Double] {
    var out: [Double] = [], sum = 0.0
    for (i, x) in xs.enumerated() {
        sum += x
        if i >= w { sum -= xs[i - w] }
        out.append(sum / Double(min(i + 1, w)))
    }
    return out
}

extension DemoRegistry {
    /// Demos of reinforcement learning on the Gymnasium-identical environments: MDPs and Bellman
    /// equations on FrozenLake's model, dynamic programming, bandits, Monte Carlo, TD, SARSA and
    /// Q-learning, Dyna-Q, and the environment API itself.
    public static let reinforcementLearning: [Demo] = [
        Demo("mdp", "A Markov decision process: FrozenLake's states, actions and transition table",
             shows: "FrozenLake 4x4 as Gymnasium defines it: 16 states, 4 actions, and P[s][a] — on slippery ice the intended move happens with probability 1/3 and each perpendicular slip with 1/3. Every row of P sums to 1; holes and the goal are absorbing.") { _ in
            let env = try FrozenLake()
            let mdp = try TabularMDP(env)
            let p = env.transitions(state: 0, action: 2)
            let absorbing = (0..<16).filter { s in "HG".contains(env.map[s / 4][s % 4]) }.allSatisfy { s in
                (0..<4).allSatisfy { env.transitions(state: s, action: $0) == [Transition(1, s, 0, true)] }
            }
            let sums = (0..<16).flatMap { s in (0..<4).map { a in env.transitions(state: s, action: a).reduce(0) { $0 + $1.probability } } }
            let lines = [env.map.map { String($0) }.joined(separator: "\n"),
                         "states \(mdp.stateCount), actions \(mdp.actionCount) (0 ←, 1 ↓, 2 →, 3 ↑)",
                         "P[0][→] = " + p.map { "(p \(f($0.probability)), s' \($0.nextState), r \($0.reward), done \($0.terminated))" }.joined(separator: ", ")]
            return DemoOutcome(passed: sums.allSatisfy { abs($0 - 1) < 1e-12 } && absorbing && p.count == 3,
                               result: lines.joined(separator: "\n"), metrics: [("states", 16), ("actions", 4)])
        },
        Demo("bellman-equations", "Bellman equations: V, Q and the advantage of a policy",
             shows: "For the uniform random policy on FrozenLake, iterative policy evaluation solves V = Σ π(a|s) Σ p (r + γV'); Q(s, a) follows from one look-ahead and V(s) = Σ π Q(s, ·) holds to 1e-10. The optimal V* satisfies V*(s) = max_a Q*(s, a); the advantage A = Q − V is ≤ 0 for every action under the optimal policy.") { _ in
            let mdp = try TabularMDP(FrozenLake())
            let uniform = Array(repeating: Array(repeating: 0.25, count: 4), count: 16)
            let ev = try DynamicProgramming.evaluate(mdp, policy: uniform, gamma: 0.99, theta: 1e-13)
            let consistency = (0..<16).map { s in abs(ev.values[s] - ev.q[s].reduce(0, +) / 4) }.max()!
            let opt = try DynamicProgramming.valueIteration(mdp, gamma: 0.99, theta: 1e-13)
            let maxAdvantage = (0..<16).flatMap { s in opt.q[s].map { $0 - opt.values[s] } }.max()!
            return DemoOutcome(passed: consistency < 1e-10 && maxAdvantage < 1e-9,
                               result: ["uniform policy: V(start) = \(f(ev.values[0], 4)) after \(ev.iterations) sweeps; max |V − Σπ·Q| = \(String(format: "%.1e", consistency))",
                                        "optimal: V*(start) = \(f(opt.values[0], 4)); max advantage Q* − V* = \(String(format: "%.1e", maxAdvantage)) (never positive)"].joined(separator: "\n"),
                               metrics: [("v_uniform_start", ev.values[0]), ("v_star_start", opt.values[0])])
        },
        Demo("dynamic-programming", "Value iteration and policy iteration on FrozenLake",
             shows: "Both solve FrozenLake 4x4 (γ = 0.99) to the same V* (the values equal a NumPy implementation to 1e-12 in the test suite); the greedy policy is drawn as arrows and V* as a heatmap; run 1000 times it reaches the goal about 74 % of the time.") { ctx in
            let env = try FrozenLake()
            let mdp = try TabularMDP(env)
            let vi = try DynamicProgramming.valueIteration(mdp, gamma: 0.99, theta: 1e-12)
            let pi = try DynamicProgramming.policyIteration(mdp, gamma: 0.99, theta: 1e-12)
            let diff = zip(vi.values, pi.values).map { abs($0 - $1) }.max()!
            let agent = try TabularAgent(method: .qLearning, q: vi.q, config: TabularConfig())
            let returns = try agent.evaluate(try Environments.make("FrozenLake-v1"), episodes: 1000, seed: ctx.seed)
            let success = returns.reduce(0, +) / 1000
            let grid = (0..<4).map { r in (0..<4).map { vi.values[r * 4 + $0] } }
            return DemoOutcome(passed: diff < 1e-8 && success > 0.65,
                               result: (["value iteration: \(vi.iterations) sweeps; policy iteration: \(pi.iterations) rounds; max |ΔV| between them \(String(format: "%.1e", diff))",
                                         "greedy policy:"] + policyArrows(vi.policy, map: env.map).map { "  " + $0 }
                                        + ["success rate of the greedy policy over 1000 episodes: \(f(success))"]).joined(separator: "\n"),
                               metrics: [("success_rate", success), ("v_star_start", vi.values[0]), ("sweeps", Double(vi.iterations))],
                               figures: [DemoFigure("value-map", HeatmapChart(title: "FrozenLake 4x4: V* (γ = 0.99)", rowLabels: (0..<4).map { "row \($0)" },
                                                                             columnLabels: (0..<4).map { "col \($0)" }, values: grid, valueDecimals: 3),
                                                    caption: "The optimal state values; holes and the goal are 0 (absorbing).")])
        },
        Demo("exploration-exploitation", "Bandits: ε-greedy, UCB, Thompson sampling and the gradient bandit",
             shows: "Sutton & Barto's 10-armed testbed, 200 problems × 1000 steps: pure greedy gets stuck, ε = 0.1 keeps exploring, UCB and Thompson sampling end with the least regret; the regret curves are drawn.") { ctx in
            let strategies: [BanditStrategy] = [.epsilonGreedy(epsilon: 0), .epsilonGreedy(epsilon: 0.1), .ucb(c: 2), .thompson, .gradient(alpha: 0.1, baseline: true)]
            let results = try strategies.map { try Bandits.run($0, steps: 1000, runs: 200, seed: ctx.seed) }
            let regret = results.map { $0.cumulativeRegret.last! }
            let lines = results.map { "\($0.strategy.description.padding(toLength: 30, withPad: " ", startingAt: 0)) regret \(f($0.cumulativeRegret.last!, 1))  optimal arm \(f(100 * tailMean($0.optimalActionRate, 100), 1)) %" }
            return DemoOutcome(passed: regret[2] < regret[1] && regret[3] < regret[1] && regret[1] < regret[0],
                               result: lines.joined(separator: "\n"),
                               metrics: zip(["greedy", "eps_0.1", "ucb", "thompson", "gradient"], regret).map { ("regret_\($0.0)", $0.1) },
                               figures: [DemoFigure("regret", LineChart(title: "Cumulative regret, 10-armed testbed (200 runs)", xLabel: "step", yLabel: "regret",
                                                                       series: results.map { ChartSeries(name: $0.strategy.description, y: $0.cumulativeRegret) }),
                                                    caption: "Lower is better: UCB and Thompson sampling explore where it pays.")])
        },
        Demo("monte-carlo-rl", "Monte Carlo control on Blackjack",
             shows: "First-visit Monte Carlo control learns Blackjack (Gymnasium's Blackjack-v1, Sutton & Barto's rules) from complete episodes; its greedy policy's mean return beats always-stick and always-hit.") { ctx in
            let env = try Environments.make("Blackjack-v1")
            var cfg = TabularConfig()
            cfg.gamma = 1; cfg.learningRate = 0.02; cfg.explorationFinalEps = 0.05
            let agent = try TabularAgent(method: .monteCarlo, env: env, config: cfg, seed: ctx.seed)
            try agent.train(env, episodes: 100_000, seed: ctx.seed)
            let learned = try agent.evaluate(env, episodes: 20_000, seed: ctx.seed + 1).reduce(0, +) / 20_000
            func fixed(_ a: Int) throws -> Double {
                let e = try Environments.make("Blackjack-v1")
                var total = 0.0
                _ = e.reset(seed: ctx.seed + 1)
                for _ in 0..<20_000 {
                    while true { let r = try e.step(.discrete(a)); if r.done { total += r.reward; break } }
                    _ = e.reset()
                }
                return total / 20_000
            }
            let stick = try fixed(0), hit = try fixed(1)
            return DemoOutcome(passed: learned > stick && learned > hit,
                               result: "mean return over 20,000 hands: learned policy \(f(learned)), always stick \(f(stick)), always hit \(f(hit))",
                               metrics: [("learned_return", learned), ("stick_return", stick), ("hit_return", hit)])
        },
        Demo("temporal-difference", "TD control: SARSA versus Q-learning on the cliff",
             shows: "Sutton & Barto's Example 6.6 on CliffWalking: with ε = 0.1 exploration SARSA learns the safe path away from the cliff and earns more per episode while learning; Q-learning learns the optimal path along the edge (greedy return −13) but falls off more often during training.") { ctx in
            var cfg = TabularConfig()
            cfg.explorationInitialEps = 0.1; cfg.explorationFinalEps = 0.1; cfg.learningRate = 0.5; cfg.gamma = 1
            func run(_ m: TabularMethod) throws -> (curve: [Double], greedy: Double) {
                let env = try Environments.make("CliffWalking-v1", maxEpisodeSteps: 1000)
                let agent = try TabularAgent(method: m, env: env, config: cfg, seed: ctx.seed)
                let rec = try agent.train(env, episodes: 500, seed: ctx.seed)
                return (rec.map(\.totalReturn), try agent.evaluate(env, episodes: 1, seed: 0)[0])
            }
            let sarsa = try run(.sarsa), q = try run(.qLearning)
            let sOnline = tailMean(sarsa.curve, 200), qOnline = tailMean(q.curve, 200)
            return DemoOutcome(passed: sOnline > qOnline && q.greedy == -13 && sarsa.greedy > -100,
                               result: ["return while learning (mean of the last 200 episodes): SARSA \(f(sOnline, 1)), Q-learning \(f(qOnline, 1))",
                                        "greedy return after training: SARSA \(sarsa.greedy) (safe path), Q-learning \(q.greedy) (the edge, optimal)"].joined(separator: "\n"),
                               metrics: [("sarsa_online", sOnline), ("q_online", qOnline), ("q_greedy", q.greedy)],
                               figures: [DemoFigure("cliff", LineChart(title: "CliffWalking: return per episode (ε = 0.1, 20-episode average)", xLabel: "episode", yLabel: "return",
                                                                      series: [ChartSeries(name: "SARSA", y: movingAverage(sarsa.curve, 20)), ChartSeries(name: "Q-learning", y: movingAverage(q.curve, 20))]),
                                                    caption: "SARSA's on-policy values account for its own exploration.")])
        },
        Demo("q-learning", "Q-learning on slippery FrozenLake",
             shows: "Tabular Q-learning with a decaying ε on FrozenLake 4x4 (slippery, Gymnasium's dynamics): 20,000 episodes in well under a second, then the greedy policy reaches the goal in ≥ 70 % of 1000 episodes — the value-iteration optimum is about 74 %.") { ctx in
            let env = try Environments.make("FrozenLake-v1")
            let agent = try TabularAgent(method: .qLearning, env: env, seed: ctx.seed)
            let rec = try agent.train(env, episodes: 20_000, seed: ctx.seed)
            let success = try agent.evaluate(try Environments.make("FrozenLake-v1"), episodes: 1000, seed: ctx.seed + 99).reduce(0, +) / 1000
            let curve = movingAverage(rec.map(\.totalReturn), 500)
            return DemoOutcome(passed: success >= 0.70,
                               result: (["greedy success over 1000 episodes: \(f(success)) (target ≥ 0.70)", "greedy policy:"]
                                        + policyArrows((0..<16).map(agent.greedy), map: (env.unwrapped as! FrozenLake).map).map { "  " + $0 }).joined(separator: "\n"),
                               metrics: [("success_rate", success)],
                               figures: [DemoFigure("learning-curve", LineChart(title: "Q-learning on FrozenLake: success while learning (500-episode average)", xLabel: "episode", yLabel: "success",
                                                                               series: [ChartSeries(name: "ε-greedy return", y: curve)]),
                                                    caption: "Success rises as ε decays over the first half of training.")])
        },
        Demo("model-based-rl", "Dyna-Q: planning with a learned model",
             shows: "On deterministic CliffWalking with few real episodes, Dyna-Q (10 planning updates per step from its learned model) reaches the goal reliably sooner than plain Q-learning with the same real experience.") { ctx in
            var cfg = TabularConfig()
            cfg.explorationInitialEps = 0.1; cfg.explorationFinalEps = 0.1; cfg.learningRate = 0.5; cfg.gamma = 1
            func firstGood(_ m: TabularMethod) throws -> (Int, [Double]) {
                let env = try Environments.make("CliffWalking-v1", maxEpisodeSteps: 1000)
                let agent = try TabularAgent(method: m, env: env, config: cfg, seed: ctx.seed)
                let rec = try agent.train(env, episodes: 60, seed: ctx.seed)
                let ret = rec.map(\.totalReturn)
                return ((ret.firstIndex { $0 > -40 } ?? 60) + 1, ret)
            }
            let (dyna, dr) = try firstGood(.dynaQ), (q, qr) = try firstGood(.qLearning)
            return DemoOutcome(passed: dyna < q,
                               result: "first episode with return > −40: Dyna-Q episode \(dyna), Q-learning episode \(q); steps in the first 10 episodes: Dyna-Q \(Int(-dr.prefix(10).reduce(0, +))), Q-learning \(Int(-qr.prefix(10).reduce(0, +))) (−return)",
                               metrics: [("dyna_first_good", Double(dyna)), ("q_first_good", Double(q))])
        },
        Demo("rl-environments", "Environments: Gymnasium's API, spaces, wrappers and vector environments",
             shows: "CartPole-v1 made as gym.make makes it: reset(seed: 42) gives Gymnasium's exact first observation (NumPy's PCG64 stream reproduced); a random policy is truncated or terminated; RecordEpisodeStatistics, FrameStack and a SyncVectorEnvironment of 4 copies run on top; steps per second are measured.") { ctx in
            let env = RecordEpisodeStatistics(try Environments.make("CartPole-v1"))
            let first = env.reset(seed: 42)
            let expected: [Float] = [0.0273956, -0.00611216, 0.03585979, 0.0197368]
            let matches = zip(first, expected).allSatisfy { abs($0 - $1) < 1e-6 }
            var rng = NumPyGenerator(seed: ctx.seed)
            var lengths: [Double] = []
            while lengths.count < 200 {
                let r = try env.step(env.actionSpace.sampleAction(&rng))
                if r.done { lengths.append(r.info["episode_length"] ?? 0); _ = env.reset() }
            }
            let vec = try SyncVectorEnvironment({ try FrameStack(try Environments.make("CartPole-v1"), stackSize: 4) }, count: 4)
            let obs = vec.reset(seed: ctx.seed)
            let start = DispatchTime.now().uptimeNanoseconds
            let raw = try Environments.make("CartPole-v1")
            _ = raw.reset(seed: 0)
            for i in 0..<200_000 { if try raw.step(.discrete(i & 1)).done { _ = raw.reset() } }
            let rate = 200_000 / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            return DemoOutcome(passed: matches && obs.count == 4 && obs[0].count == 16,
                               result: ["observation space \(env.observationSpace), action space \(env.actionSpace)",
                                        "reset(seed: 42) → \(first.map { f(Double($0), 5) }) (Gymnasium: \(expected.map { f(Double($0), 5) }))",
                                        "random policy: mean episode length \(f(lengths.reduce(0, +) / 200, 1)) over 200 episodes",
                                        "4 frame-stacked copies: observations of \(obs[0].count) floats each",
                                        "CartPole steps per second (alternating actions): \(Int(rate))"].joined(separator: "\n"),
                               metrics: [("steps_per_second", rate), ("random_episode_length", lengths.reduce(0, +) / 200)])
        },
    ]
}

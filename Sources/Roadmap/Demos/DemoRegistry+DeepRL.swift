import Foundation
import Plot
import RL

/// Trains `agent` for `steps`, keeping the reported (steps, mean return of the last 100 episodes).
func trainWithCurve(_ agent: DeepAgent, steps: Int) throws -> (x: [Double], y: [Double]) {
    var x: [Double] = [], y: [Double] = []
    try agent.train(steps: steps) { log in
        if let m = log.meanReturn { x.append(Double(log.steps)); y.append(m) }
    }
    return (x, y)
}

/// Settings that learn Catch (measured: 10/10 on seeds 0–2): DQN with frequent small updates and a
/// target network synced every 500 steps; PPO on 8 copies with 128-step rollouts.
func catchSettings(_ algorithm: DeepAlgorithm) throws -> DeepConfig {
    var c = DeepConfig(algorithm)
    let settings: [(String, String)] = algorithm == .dqn
        ? [("learning_starts", "1000"), ("train_freq", "4"), ("gradient_steps", "1"), ("target_update_interval", "500"),
           ("exploration_fraction", "0.2"), ("exploration_final_eps", "0.02"), ("learning_rate", "0.001"), ("net_arch", "64,64"), ("buffer_size", "50000")]
        : [("n_envs", "8"), ("n_steps", "128"), ("batch_size", "256"), ("n_epochs", "4"), ("ent_coef", "0.01"), ("learning_rate", "0.001")]
    for (k, v) in settings { try c.set(k, v) }
    return c
}

/// A learning-curve figure from several runs.
func learningCurves(_ id: String, _ title: String, _ runs: [(String, (x: [Double], y: [Double]))], caption: String) -> DemoFigure {
    DemoFigure(id, LineChart(title: title, xLabel: "environment steps", yLabel: "mean return (last 100 episodes)",
                             series: runs.map { ChartSeries(name: $0.0, x: $0.1.x, y: $0.1.y) }), caption: caption)
}

extension DemoRegistry {
    /// Demos of deep reinforcement learning on `Neural`: DQN, policy gradients, actor–critic,
    /// PPO and continuous control, with Stable-Baselines3's hyper-parameter names and rl-zoo's
    /// settings where the zoo has them.
    public static let deepReinforcementLearning: [Demo] = [
        Demo("dqn", "Deep Q-network on CartPole: replay, target network, double and dueling heads",
             shows: "DQN with rl-zoo's CartPole settings (two 256-unit layers, replay of 100k transitions, 128 updates every 256 steps, a target network) plus double Q-learning, a dueling head and prioritised replay, trained for 12k steps — a quarter of the zoo budget. DQN's greedy policy swings while it learns, so it is evaluated every ~2.4k steps and the best is kept, as rl-zoo's EvalCallback does; it balances the pole far longer than random play (≈ 22 steps).") { ctx in
            var config = ZooPresets.config(.dqn, env: "CartPole-v1")
            for (k, v) in [("double_q", "true"), ("dueling", "true"), ("prioritized_replay", "true"), ("exploration_fraction", "0.5")] { try config.set(k, v) }
            let agent = try DeepAgent(.dqn, env: "CartPole-v1", config: config, seed: ctx.seed &+ 2)
            var x: [Double] = [], y: [Double] = [], evals: [(steps: Int, mean: Double)] = [], reports = 0
            var failure: Error?
            try agent.train(steps: 12_000) { log in
                if let m = log.meanReturn { x.append(Double(log.steps)); y.append(m) }
                reports += 1
                if reports % 10 == 0 {
                    do { evals.append((log.steps, try agent.evaluate(episodes: 5, seed: 1000).mean)) } catch { failure = error }
                }
            }
            if let failure { throw failure }
            let best = evals.map(\.mean).max() ?? 0
            return DemoOutcome(passed: best >= 100,
                               result: "greedy mean return (5 episodes) during training: " + evals.map { "\($0.steps) steps \(f($0.mean, 1))" }.joined(separator: ", ")
                                   + "; best \(f(best, 1)) (random ≈ 22; criterion ≥ 100; the zoo's 50k steps reach 500 — see checkpoint rl-cartpole-dqn-ppo)",
                               metrics: [("best_mean_return", best)],
                               figures: [learningCurves("learning-curve", "DQN (double, dueling, prioritised) on CartPole-v1", [("ε-greedy training", (x, y))],
                                                        caption: "Training returns include ε-greedy exploration; the greedy policy is evaluated separately.")])
        },
        Demo("policy-gradients", "REINFORCE with and without a baseline",
             shows: "REINFORCE on CartPole: whole episodes, the log-probability of each action weighted by its return. Subtracting a learned value baseline lowers the variance of the gradient; both versions learn from 30k steps, the baseline version faster.") { ctx in
            var runs: [(String, (x: [Double], y: [Double]))] = []
            var scores: [Double] = []
            for baseline in [false, true] {
                var config = DeepConfig(.reinforce)
                try config.set("baseline", baseline ? "true" : "false")
                let agent = try DeepAgent(.reinforce, env: "CartPole-v1", config: config, seed: ctx.seed)
                runs.append((baseline ? "with baseline" : "no baseline", try trainWithCurve(agent, steps: 30_000)))
                scores.append(try agent.evaluate(episodes: 10, seed: 1000).mean)
            }
            return DemoOutcome(passed: scores[1] >= 100 && scores[0] > 30,
                               result: "greedy mean return after 30k steps: no baseline \(f(scores[0], 1)), with baseline \(f(scores[1], 1)) (random ≈ 22)",
                               metrics: [("baseline_return", scores[1]), ("plain_return", scores[0])],
                               figures: [learningCurves("learning-curves", "REINFORCE on CartPole-v1", runs, caption: "Mean return of the last 100 training episodes.")])
        },
        Demo("actor-critic", "A2C: synchronous advantage actor–critic on 8 copies of CartPole",
             shows: "A2C with rl-zoo's CartPole settings (8 environment copies, 5-step rollouts, RMSprop, GAE with λ = 1): the critic's value is the baseline of the actor's gradient, one update per 40 transitions; 100k steps take about a second and a half.") { ctx in
            let agent = try DeepAgent(.a2c, env: "CartPole-v1", config: ZooPresets.config(.a2c, env: "CartPole-v1"), seed: ctx.seed)
            let curve = try trainWithCurve(agent, steps: 100_000)
            let r = try agent.evaluate(episodes: 10, seed: 1000)
            return DemoOutcome(passed: r.mean >= 400,
                               result: "greedy mean return after 100k steps: \(f(r.mean, 1)) ± \(f(r.standardDeviation, 1)) (criterion ≥ 400; the zoo trains 500k)",
                               metrics: [("mean_return", r.mean)],
                               figures: [learningCurves("learning-curve", "A2C on CartPole-v1", [("A2C", curve)], caption: "Mean return of the last 100 training episodes.")])
        },
        Demo("ppo-trpo", "PPO solves CartPole at rl-zoo's settings; GRPO learns from group-relative rewards",
             shows: "Proximal policy optimisation with rl-zoo's CartPole hyper-parameters (8 copies, 32-step rollouts, 20 epochs of 256-sample minibatches, clipped ratio with the clip range and learning rate annealed to 0, GAE λ = 0.8): 100k steps in a few seconds, then every greedy episode lasts the full 500 steps. GRPO — PPO's clipped ratio without a critic, each sampled answer's advantage its reward standardised within a group of 8 answers to the same prompt, a KL penalty to the starting policy, as DeepSeekMath and TRL train language models — learns to write two digits that sum to a prompt.") { ctx in
            let agent = try DeepAgent(.ppo, env: "CartPole-v1", config: ZooPresets.config(.ppo, env: "CartPole-v1"), seed: ctx.seed)
            var x: [Double] = [], y: [Double] = [], kl: [Double] = []
            try agent.train(steps: 100_000) { log in
                if let m = log.meanReturn { x.append(Double(log.steps)); y.append(m) }
                kl.append(log.metrics.first { $0.name == "approx_kl" }?.value ?? 0)
            }
            let r = try agent.evaluate(episodes: 10, seed: 1000)
            let grpo = try GRPOTrainer(task: DigitSumTask(), seed: ctx.seed)
            let before = grpo.greedyAccuracy()
            var rewards: [Double] = []
            for _ in 0..<300 { rewards.append(grpo.step().meanReward) }
            let after = grpo.greedyAccuracy()
            return DemoOutcome(passed: r.mean >= 475 && after >= 0.9,
                               result: ["PPO: greedy mean return over 10 episodes \(f(r.mean, 1)) (criterion ≥ 475); largest approximate KL between consecutive policies \(String(format: "%.4f", kl.max() ?? 0))",
                                        "GRPO on the digit-sum task: greedy accuracy over the 19 prompts \(f(before, 2)) → \(f(after, 2)) after 300 updates of 16 prompts × 8 answers (criterion ≥ 0.9)"].joined(separator: "\n"),
                               metrics: [("mean_return", r.mean), ("grpo_accuracy", after)],
                               figures: [learningCurves("learning-curve", "PPO on CartPole-v1 (rl-zoo settings)", [("PPO", (x, y))], caption: "Mean return of the last 100 training episodes."),
                                         DemoFigure("grpo-reward", LineChart(title: "GRPO on the digit-sum task: mean reward of the sampled answers", xLabel: "update", yLabel: "mean reward",
                                                                             series: [ChartSeries(name: "GRPO", x: (1...rewards.count).map(Double.init), y: movingAverage(rewards, 10))]),
                                                    caption: "10-update moving average; a random policy scores about 0.1.")])
        },
        Demo("continuous-control", "Continuous control: SAC and TD3 swing up the pendulum",
             shows: "Pendulum-v1 has one continuous action (torque in [−2, 2]). SAC (a squashed Gaussian policy, twin critics, automatic entropy tuning) and TD3 (a deterministic actor, clipped double Q, delayed updates, target smoothing) with 64-unit networks learn to swing up and hold the pendulum within 5k steps; random torques score about −1200.") { ctx in
            var scores: [Double] = []
            var runs: [(String, (x: [Double], y: [Double]))] = []
            for algo in [DeepAlgorithm.sac, .td3] {
                var config = ZooPresets.config(algo, env: "Pendulum-v1")
                try config.set("net_arch", "64,64")
                try config.set("learning_starts", algo == .td3 ? "1000" : "100")
                let agent = try DeepAgent(algo, env: "Pendulum-v1", config: config, seed: ctx.seed)
                runs.append((algo.rawValue.uppercased(), try trainWithCurve(agent, steps: 5_000)))
                scores.append(try agent.evaluate(episodes: 10, seed: 1000).mean)
            }
            return DemoOutcome(passed: scores[0] > -500,
                               result: "deterministic mean return over 10 episodes after 5k steps: SAC \(f(scores[0], 1)), TD3 \(f(scores[1], 1)) (random ≈ −1200; criterion SAC > −500; the zoo's 20k steps with 256-unit networks reach about −150 — see checkpoint rl-pendulum-sac)",
                               metrics: [("sac_return", scores[0]), ("td3_return", scores[1])],
                               figures: [learningCurves("learning-curves", "SAC and TD3 on Pendulum-v1", runs, caption: "Mean return of the last 100 training episodes (exploration included).")])
        },
            Demo("imitation-learning", "Behaviour cloning: a PPO expert copied from ten episodes",
             shows: "PPO trained at rl-zoo's settings is the expert; ten of its CartPole episodes (5000 observation–action pairs) are recorded, and a fresh 32-unit policy is fitted to them by maximum likelihood (the imitation library's BC). The clone never interacts with the environment during training, yet balances the pole as well as the expert.") { ctx in
            let expert = try DeepAgent(.ppo, env: "CartPole-v1", config: ZooPresets.config(.ppo, env: "CartPole-v1"), seed: ctx.seed)
            try expert.train(steps: 100_000)
            let env = try Environments.make("CartPole-v1")
            let demos = try Demonstrations.record(env: env, episodes: 10, seed: ctx.seed &+ 50) { expert.action(for: $0) }
            let student = try DeepAgent(.bc, env: "CartPole-v1", config: DeepConfig(.bc), seed: ctx.seed)
            var nll: [Double] = []
            try student.clone(from: demos) { log in nll.append(log.metrics.first { $0.name == "neglogp" }?.value ?? .nan) }
            let teacher = try expert.evaluate(episodes: 10, seed: 1000), clone = try student.evaluate(episodes: 10, seed: 1000)
            return DemoOutcome(passed: clone.mean >= 475,
                               result: "expert (PPO) \(f(teacher.mean, 1)); clone from \(demos.observations.count) pairs \(f(clone.mean, 1)) over 10 episodes (criterion ≥ 475); negative log-likelihood per epoch \(nll.map { f($0, 3) }.joined(separator: " → "))",
                               metrics: [("clone_return", clone.mean), ("expert_return", teacher.mean)],
                               figures: [DemoFigure("nll", LineChart(title: "Behaviour cloning: negative log-likelihood of the expert's actions", xLabel: "epoch", yLabel: "NLL",
                                                                     series: [ChartSeries(name: "BC", x: (1...nll.count).map(Double.init), y: nll)]),
                                                    caption: "Ten epochs of 32-sample minibatches.")])
        },
        Demo("project-game-agent", "A game-playing agent: Catch, a custom environment, learned by PPO",
             shows: "Catch is a small arcade game written as a learner would write a custom environment (RL.Catch: BaseEnvironment, a Box observation, three actions): ten balls fall on a 10×5 board and the paddle must be under each one. The environment checker (Gymnasium's check_env) passes it, PPO learns it in about a second and a half, and the last ball of a greedy episode is drawn as text frames.") { ctx in
            let report = try EnvironmentChecker.check(steps: 1000, seed: ctx.seed) { try Environments.make("Catch-v0") }
            let agent = try DeepAgent(.ppo, env: "Catch-v0", config: try catchSettings(.ppo), seed: ctx.seed)
            let curve = try trainWithCurve(agent, steps: 100_000)
            let score = try agent.evaluate(episodes: 10, seed: 1000)
            let env = try Environments.make("Catch-v0")
            var o = env.reset(seed: ctx.seed), frames: [String] = []
            while true {
                let r = try env.step(agent.action(for: o)); o = r.observation
                frames.append(env.renderText())
                if r.done { break }
            }
            let last = frames.suffix(3).map { $0.split(separator: "\n").map(String.init) }
            let side = (0..<(last.first?.count ?? 0)).map { i in last.map { i < $0.count ? $0[i].padding(toLength: 16, withPad: " ", startingAt: 0) : "" }.joined() }
            return DemoOutcome(passed: score.mean >= 9 && report.warnings.isEmpty,
                               result: (["checker: \(report.steps) steps, \(report.episodes) episodes, no warnings",
                                         "PPO, 100k steps: greedy mean return \(f(score.mean, 1)) of 10 (criterion ≥ 9; random play ≈ −5)",
                                         "the last three frames of a greedy episode (o ball, = paddle):"] + side.map { "  " + $0 }).joined(separator: "\n"),
                               metrics: [("mean_return", score.mean)],
                               figures: [learningCurves("learning-curve", "PPO on Catch (a custom environment)", [("PPO", curve)], caption: "Mean return of the last 100 training episodes.")])
        },
    ]
}

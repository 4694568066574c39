import Foundation
import RL
import Testing

@Suite struct EnvironmentAPITests {
    @Test func stepBeforeResetAndBadActionsThrow() throws {
        let env = try Environments.make("CartPole-v1")
        #expect(throws: RLError.self) { try env.step(.discrete(0)) }
        _ = env.reset(seed: 1)
        #expect(throws: RLError.self) { try env.step(.discrete(2)) }
        #expect(throws: RLError.self) { try env.step(.continuous([0])) }
        let pendulum = try Environments.make("Pendulum-v1")
        _ = pendulum.reset(seed: 0)
        #expect(throws: RLError.self) { try pendulum.step(.continuous([.nan])) }
        #expect(throws: RLError.self) { try pendulum.step(.continuous([0, 1])) }
        #expect(throws: RLError.self) { try Environments.make("CartPole-v9") }
        #expect(throws: RLError.self) { try Environments.make("FrozenLake-v1", options: ["map_name": "5x5"]) }
        #expect(throws: RLError.self) { try Environments.make("FrozenLake-v1", options: ["desc": "SFX/FFG"]) }
        #expect(throws: RLError.self) { try Environments.make("CartPole-v1", options: ["colour": "red"]) }
        #expect(throws: RLError.self) { try (Environments.make("CartPole-v1").unwrapped as! StatefulEnvironment).setState([1, 2]) }
    }

    @Test func timeLimitTruncatesAndStatisticsAreRecorded() throws {
        let env = RecordEpisodeStatistics(try Environments.make("Pendulum-v1"))
        _ = env.reset(seed: 3)
        var last = StepResult(observation: [], reward: 0, terminated: false)
        var steps = 0, total = 0.0
        repeat { last = try env.step(.continuous([0])); steps += 1; total += last.reward } while !last.done
        #expect(steps == 200 && last.truncated && !last.terminated)
        #expect(last.info["episode_length"] == 200)
        #expect(abs(last.info["episode_return"]! - total) < 1e-9)
    }

    @Test func spacesSampleContainAndIndex() {
        var g = NumPyGenerator(seed: 5)
        let box = Space.box(low: -2, high: 2, shape: [3])
        for _ in 0..<100 { #expect(box.contains(.continuous(box.sample(&g)))) }
        let t = Space.tuple([.discrete(n: 32), .discrete(n: 11), .discrete(n: 2)])
        #expect(t.cardinality == 704)
        #expect(t.index(of: [3, 10, 1]) == (3 * 11 + 10) * 2 + 1)
        #expect(t.index(of: [3, 11, 1]) == nil)
        #expect(Space.discrete(n: 3, start: -1).index(of: [-1]) == 0)
        #expect(!Space.discrete(n: 2).contains(.discrete(2)))
        #expect(Space.multiDiscrete([2, 3]).cardinality == 6)
    }

    @Test func wrappersTransformAsGymnasiums() throws {
        let stacked = try FrameStack(try Environments.make("CartPole-v1"), stackSize: 3)
        let o = stacked.reset(seed: 0)
        #expect(o.count == 12 && Array(o[0..<4]) == Array(o[8..<12]))
        let r = try stacked.step(.discrete(1))
        #expect(Array(r.observation[4..<8]) == Array(o[8..<12]))
        let norm = NormalizeObservation(try Environments.make("CartPole-v1"))
        _ = norm.reset(seed: 0)
        for _ in 0..<50 { if try norm.step(.discrete(Int.random(in: 0...1))).done { _ = norm.reset() } }
        #expect(norm.stats.count > 50)
        let clip = ClipAction(try Environments.make("Pendulum-v1"))
        _ = clip.reset(seed: 0)
        _ = try clip.step(.continuous([100]))
    }

    @Test func vectorEnvironmentAutoresets() throws {
        let next = try SyncVectorEnvironment({ try Environments.make("CartPole-v1") }, count: 3)
        let same = try SyncVectorEnvironment({ try Environments.make("CartPole-v1") }, count: 3, autoreset: .sameStep)
        let a = next.reset(seed: 7), b = same.reset(seed: 7)
        #expect(a == b)
        // Copy i is seeded with seed + i, as Gymnasium's vector reset.
        #expect(a[1] == (try Environments.make("CartPole-v1")).reset(seed: 8))
        var sawNextStepReset = false, sawSameStepReset = false
        for _ in 0..<200 {
            let rn = try next.step([.discrete(0), .discrete(1), .discrete(0)])
            let rs = try same.step([.discrete(0), .discrete(1), .discrete(0)])
            for i in 0..<3 {
                if rs[i].done { sawSameStepReset = true; #expect(same.finalObservations[i] != nil) }
                if rn[i].reward == 0 && !rn[i].done { sawNextStepReset = true }
            }
        }
        #expect(sawNextStepReset && sawSameStepReset)
    }
}

@Suite struct TabularAlgorithmTests {
    @Test func valueAndPolicyIterationAgree() throws {
        for id in ["FrozenLake-v1", "FrozenLake8x8-v1", "CliffWalking-v1", "Taxi-v4"] {
            let mdp = try TabularMDP(Environments.make(id).unwrapped as! TabularEnvironment)
            let vi = try DynamicProgramming.valueIteration(mdp, gamma: 0.95, theta: 1e-12)
            let pi = try DynamicProgramming.policyIteration(mdp, gamma: 0.95, theta: 1e-12)
            let diff = zip(vi.values, pi.values).map { abs($0 - $1) }.max()!
            #expect(diff < 1e-8, "\(id): |V_vi − V_pi| = \(diff)")
            // Evaluating VI's greedy policy gives VI's values back (Bellman optimality).
            let onehot = vi.policy.map { a in (0..<mdp.actionCount).map { $0 == a ? 1.0 : 0.0 } }
            let ev = try DynamicProgramming.evaluate(mdp, policy: onehot, gamma: 0.95, theta: 1e-12)
            #expect(zip(ev.values, vi.values).map { abs($0 - $1) }.max()! < 1e-8, "\(id)")
        }
    }

    @Test func badModelsAndSettingsAreRefused() throws {
        #expect(throws: RLError.self) { try TabularMDP(transitions: [[[Transition(0.5, 0, 0, false)]]]) }
        #expect(throws: RLError.self) { try TabularMDP(transitions: [[[Transition(1, 3, 0, false)]]]) }
        var c = TabularConfig()
        #expect(throws: RLError.self) { try c.set("gamma", "1.5") }
        #expect(throws: RLError.self) { try c.set("warp", "1") }
        #expect(throws: RLError.self) { try TabularAgent(method: .qLearning, q: [[1, .nan]], config: c) }
    }

    /// The acceptance point: Q-learning on FrozenLake 4x4 slippery reaches ≥ 0.70 greedy success
    /// (1000 evaluation episodes) for three seeds.
    @Test(arguments: [0, 1, 2] as [UInt64])
    func qLearningSolvesSlipperyFrozenLake(seed: UInt64) throws {
        let env = try Environments.make("FrozenLake-v1")
        let agent = try TabularAgent(method: .qLearning, env: env, seed: seed)
        try agent.train(env, episodes: 20_000, seed: seed)
        let returns = try agent.evaluate(try Environments.make("FrozenLake-v1"), episodes: 1000, seed: seed + 99)
        let success = returns.reduce(0, +) / 1000
        #expect(success >= 0.70, "seed \(seed): success \(success)")
    }

    @Test(arguments: TabularMethod.allCases)
    func everyMethodLearnsCliffWalking(method: TabularMethod) throws {
        // The deterministic cliff: every method finds a path to the goal (return > −100).
        let env = try Environments.make("CliffWalking-v1", maxEpisodeSteps: 500)
        var cfg = TabularConfig()
        cfg.explorationFinalEps = 0.01
        if method == .monteCarlo || method == .monteCarloEveryVisit { cfg.learningRate = 0.05 }
        let agent = try TabularAgent(method: method, env: env, config: cfg, seed: 4)
        try agent.train(env, episodes: 3000, seed: 4)
        let r = try agent.evaluate(env, episodes: 1, seed: 0)[0]
        #expect(r > -100 && r <= -13, "\(method.rawValue): greedy return \(r)")
    }

    @Test func savedAgentsRoundTripAndBadFilesAreRefused() throws {
        let env = try Environments.make("FrozenLake-v1")
        let agent = try TabularAgent(method: .doubleQLearning, env: env, seed: 1)
        try agent.train(env, episodes: 500, seed: 1)
        let saved = SavedTabularAgent(agent: agent, algo: "double-q-learning", env: "FrozenLake-v1", envOptions: [:])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rl-agent-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try saved.write(to: url)
        let back = try SavedTabularAgent.read(url)
        #expect(back == saved)
        let restored = try back.agent()
        #expect((0..<16).map(restored.greedy) == (0..<16).map(agent.greedy))
        for bad in ["{}", "[]", "{\"format\": \"x\"}",
                    String(data: try JSONEncoder().encode(saved), encoding: .utf8)!.replacingOccurrences(of: "\"version\":1", with: "\"version\":9"),
                    String(data: try JSONEncoder().encode(saved), encoding: .utf8)!.replacingOccurrences(of: "\"gamma\":0.99", with: "\"gamma\":7")] {
            #expect(throws: RLError.self, "\(bad.prefix(40))") { try SavedTabularAgent.decode(Data(bad.utf8)) }
        }
    }
}

@Suite struct BanditTests {
    @Test func strategiesBeatRandomAndUCBHasLowRegret() throws {
        let greedy = try Bandits.run(.epsilonGreedy(epsilon: 0), steps: 1000, runs: 100, seed: 1)
        let eps = try Bandits.run(.epsilonGreedy(epsilon: 0.1), steps: 1000, runs: 100, seed: 1)
        let ucb = try Bandits.run(.ucb(c: 2), steps: 1000, runs: 100, seed: 1)
        let ts = try Bandits.run(.thompson, steps: 1000, runs: 100, seed: 1)
        let grad = try Bandits.run(.gradient(alpha: 0.1, baseline: true), steps: 1000, runs: 100, seed: 1)
        // Sutton & Barto Figure 2.2/2.4: ε = 0.1 finds the best arm more often than pure greedy;
        // UCB and Thompson sampling end with less regret than ε-greedy.
        #expect(eps.optimalActionRate.suffix(100).reduce(0, +) > greedy.optimalActionRate.suffix(100).reduce(0, +))
        #expect(ucb.cumulativeRegret.last! < eps.cumulativeRegret.last!)
        #expect(ts.cumulativeRegret.last! < eps.cumulativeRegret.last!)
        #expect(grad.optimalActionRate.suffix(100).reduce(0, +) / 100 > 0.5)
        #expect(throws: RLError.self) { try Bandits.run(.epsilonGreedy(epsilon: 2)) }
    }
}

@Suite struct PredictionTests {
    /// TD(0), TD(λ) and Monte Carlo estimates of the uniform policy on the deterministic 4x4 lake
    /// approach the exact values from the model.
    @Test func modelFreePredictionApproachesTheModelsValues() throws {
        let options = ["is_slippery": "false"]
        let mdp = try TabularMDP(Environments.make("FrozenLake-v1", options: options).unwrapped as! TabularEnvironment)
        let uniform = Array(repeating: Array(repeating: 0.25, count: 4), count: 16)
        let exact = try DynamicProgramming.evaluate(mdp, policy: uniform, gamma: 0.9, theta: 1e-12).values
        func err(_ v: [Double]) -> Double { zip(v, exact).map { abs($0 - $1) }.max()! }
        let env = try Environments.make("FrozenLake-v1", options: options)
        let td0 = try Prediction.temporalDifference(env, policy: uniform, episodes: 100_000, alpha: 0.002, gamma: 0.9, seed: 1)
        let tdl = try Prediction.temporalDifference(env, policy: uniform, episodes: 100_000, alpha: 0.002, gamma: 0.9, lambda: 0.8, seed: 1)
        let mc = try Prediction.monteCarlo(env, policy: uniform, episodes: 100_000, gamma: 0.9, seed: 1)
        #expect(err(td0) < 0.02, "TD(0) max error \(err(td0))")
        #expect(err(tdl) < 0.02, "TD(λ) max error \(err(tdl))")
        #expect(err(mc) < 0.02, "MC max error \(err(mc))")
        #expect(throws: RLError.self) { try Prediction.temporalDifference(env, policy: [[1]], episodes: 1) }
    }
}

@Suite struct RenderingTests {
    /// The fuzzer's find: a set state far outside the track must render, not trap in Int(_:).
    @Test func renderingASetStateFarOutsideTheTrack() throws {
        for id in ["CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "Acrobot-v1"] {
            let env = try Environments.make(id)
            _ = env.reset(seed: 0)
            let stateful = try #require(env.unwrapped as? StatefulEnvironment)
            try stateful.setState(Array(repeating: 1.1e40, count: stateful.state.count))
            #expect(!env.renderText().isEmpty)
            try stateful.setState(Array(repeating: -1.1e300, count: stateful.state.count))
            #expect(!env.renderText().isEmpty)
        }
        for id in ["FrozenLake-v1", "CliffWalking-v1", "Taxi-v4", "Blackjack-v1"] {
            let env = try Environments.make(id)
            _ = env.reset(seed: 0)
            #expect(!env.renderText().isEmpty)
        }
    }
}

@Suite struct EpisodeRecordingTests {
    @Test func everyDrawnEnvironmentRecordsAnAnimatedEpisode() throws {
        for id in ["CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "Acrobot-v1", "FrozenLake-v1", "CliffWalking-v1", "Taxi-v4"] {
            let env = try Environments.make(id, maxEpisodeSteps: 20)
            var rng = NumPyGenerator(seed: 1)
            var rec = EpisodeRecording(title: id)
            _ = env.reset(seed: 1)
            rec.capture(env, caption: "reset")
            while true {
                let r = try env.step(env.actionSpace.sampleAction(&rng))
                rec.capture(env, caption: "reward \(r.reward) <&>")
                if r.done { break }
            }
            let svg = rec.animatedSVG(fps: 5)
            #expect(rec.frames.count >= 2, "\(id)")
            #expect(svg.components(separatedBy: "<animate ").count - 1 == rec.frames.count, "\(id)")
            #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n") && !svg.contains("<&>") && !svg.contains("nan"), "\(id)")
            let html = rec.html()
            #expect(html.components(separatedBy: "class=\"frame\"").count - 1 == rec.frames.count, "\(id)")
        }
        // Blackjack draws no frame; the recording stays empty rather than failing.
        var none = EpisodeRecording(title: "bj")
        let bj = try Environments.make("Blackjack-v1")
        _ = bj.reset(seed: 0)
        none.capture(bj, caption: "x")
        #expect(none.frames.isEmpty)
    }
}

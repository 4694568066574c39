import Foundation
import RL
import Testing

/// A deliberately broken environment for the checker: each flaw can be switched on.
private final class Faulty: BaseEnvironment, Environment {
    let id = "Faulty-v0"
    let observationSpace: Space = .box(low: -1, high: 1, shape: [2])
    let actionSpace: Space = .discrete(n: 2)
    var steps = 0
    let flaw: Flaw
    enum Flaw { case none, stepsWithoutReset, ignoresSeed, leavesSpace, nanReward, acceptsBadAction, neverEnds }
    init(_ flaw: Flaw) { self.flaw = flaw }

    func reset(seed: UInt64?) -> [Float] {
        if flaw == .ignoresSeed { rng = .fromEntropy(); needsReset = false } else { seedForReset(seed) }
        steps = 0
        return [Float(rng!.uniform(-0.5, 0.5)), 0]
    }

    func step(_ action: Action) throws -> StepResult {
        if flaw != .stepsWithoutReset { try requireReset(id) } else if rng == nil { rng = NumPyGenerator(seed: 0) }
        if flaw != .acceptsBadAction { try actionSpace.validate(action) }
        steps += 1
        let x = Float(rng!.uniform(-0.5, 0.5))
        return StepResult(observation: [flaw == .leavesSpace && steps == 7 ? 3 : x, Float(steps % 2)],
                          reward: flaw == .nanReward && steps == 5 ? .nan : 1,
                          terminated: flaw != .neverEnds && steps == 20)
    }
}

@Suite struct EnvironmentCheckerTests {
    @Test func everyBuiltInEnvironmentPasses() throws {
        for id in Environments.ids {
            let report = try EnvironmentChecker.check(steps: 600) { try Environments.make(id) }
            #expect(report.steps == 600, "\(id)")
            if let limit = try Environments.spec(id).maxEpisodeSteps, limit <= 600 {
                #expect(report.episodes > 0, "\(id): \(report.warnings)")
            }
        }
    }

    @Test func aSoundCustomEnvironmentPassesAndEachFlawIsNamed() throws {
        let ok = try EnvironmentChecker.check { Faulty(.none) }
        #expect(ok.episodes == 25 && ok.warnings.isEmpty)
        let cases: [(Faulty.Flaw, String)] = [
            (.stepsWithoutReset, "step before reset"), (.ignoresSeed, "seeded resets must be deterministic"),
            (.leavesSpace, "not in Box"), (.nanReward, "rewards must be finite"), (.acceptsBadAction, "accepted an action outside"),
        ]
        for (flaw, message) in cases {
            do {
                try EnvironmentChecker.check { Faulty(flaw) }
                Issue.record("\(flaw) passed the checker")
            } catch let e as RLError {
                #expect(e.description.contains(message) && e.description.hasPrefix("check_env(Faulty-v0)"), "\(flaw): \(e)")
            }
        }
        let endless = try EnvironmentChecker.check(steps: 100) { Faulty(.neverEnds) }
        #expect(endless.warnings.contains { $0.contains("no episode ended") })
        let shared = Faulty(.none)
        #expect(throws: RLError.self) { try EnvironmentChecker.check { shared } }
    }

    @Test func observationMembershipFollowsTheSpace() {
        #expect(Space.discrete(n: 3, start: 1).containsObservation([3]) && !Space.discrete(n: 3, start: 1).containsObservation([0]))
        #expect(!Space.discrete(n: 3).containsObservation([1.5]) && !Space.discrete(n: 3).containsObservation([1, 1]))
        let box = Space.box(low: [0, -1], high: [1, 1], shape: [2])
        #expect(box.containsObservation([1, -1]) && !box.containsObservation([.nan, 0]) && !box.containsObservation([0]))
        let tuple = Space.tuple([.discrete(n: 32), .discrete(n: 11), .discrete(n: 2)])
        #expect(tuple.containsObservation([31, 10, 1]) && !tuple.containsObservation([31, 11, 1]))
        #expect(Space.multiDiscrete([2, 3]).containsObservation([1, 2]) && !Space.multiDiscrete([2, 3]).containsObservation([2, 0]))
    }
}

@Suite struct EnvironmentRegistrationTests {
    @Test func aRegisteredEnvironmentIsMadeLikeABuiltInOne() throws {
        let id = "RegTest-Catch-v\(UInt32.random(in: 0...UInt32.max))"
        try Environments.register(EnvironmentSpec(id: id, maxEpisodeSteps: 15) { o in try Catch(options: o, id: id) })
        defer { Environments.unregister(id) }
        #expect(Environments.ids.contains(id) && Environments.ids.first == "CartPole-v1")
        let env = try Environments.make(id, options: ["balls": "3"])
        #expect(env.id == id && env is TimeLimit && (env.unwrapped as? Catch)?.balls == 3)
        #expect(throws: RLError.self) { try Environments.make(id, options: ["speed": "2"]) }
        // Learners that take an id can train on it.
        let agent = try DeepAgent(.ppo, env: id, config: DeepConfig(.ppo), seed: 0)
        #expect(try agent.evaluate(episodes: 2).episodes == 2)
        #expect(throws: RLError.self) { try Environments.register(EnvironmentSpec(id: id) { _ in try Catch() }) }
        #expect(Environments.unregister(id) && !Environments.unregister(id))
        #expect(throws: RLError.self) { try Environments.make(id) }
    }

    @Test func badRegistrationsAreRefused() {
        for bad in ["", "CartPole-v1", "has space-v0", "émoji-v0", String(repeating: "x", count: 101)] {
            #expect(throws: RLError.self, "\(bad)") { try Environments.register(EnvironmentSpec(id: bad) { _ in try Catch() }) }
        }
        #expect(throws: RLError.self) { try Environments.register(EnvironmentSpec(id: "Zero-v0", maxEpisodeSteps: 0) { _ in try Catch() }) }
    }
}

@Suite struct CatchTests {
    /// Moves the paddle toward the falling ball's column.
    static func chase(_ o: [Float], columns: Int) -> Action {
        let ball = Int((o[0] * Float(columns - 1)).rounded()), paddle = Int((o[2] * Float(columns - 1)).rounded())
        return .discrete(ball < paddle ? 0 : ball > paddle ? 2 : 1)
    }

    @Test func aPerfectPlayerCatchesEveryBallAndRandomPlayMissesMost() throws {
        let env = try Environments.make("Catch-v0")
        var o = env.reset(seed: 3), total = 0.0, steps = 0
        while true {
            let r = try env.step(Self.chase(o, columns: 5)); total += r.reward; steps += 1; o = r.observation
            if r.done { #expect(r.terminated); break }
        }
        #expect(total == 10 && steps == 90)
        var rng = NumPyGenerator(seed: 1)
        var randomTotal = 0.0
        for ep in 0..<20 {
            _ = env.reset(seed: UInt64(ep))
            while true { let r = try env.step(env.actionSpace.sampleAction(&rng)); randomTotal += r.reward; if r.done { break } }
        }
        #expect(randomTotal / 20 < 0)
        #expect(throws: RLError.self) { try env.step(.discrete(0)) }   // after the end, before a reset
    }

    @Test func stateIsReadAndSetExactly() throws {
        let game = try Catch(rows: 4, columns: 3, balls: 2)
        try game.setState([2, 0, 1, 1])
        let r = try game.step(.discrete(0))                  // the paddle moves under the ball as it lands
        #expect(r.reward == 1 && r.terminated)
        for bad: [Double] in [[3, 0, 0, 1], [0, 3, 0, 1], [0, 0, 0, 0], [0.5, 0, 0, 1], [0, 0, 0]] {
            #expect(throws: RLError.self, "\(bad)") { try game.setState(bad) }
        }
        #expect(throws: RLError.self) { try Catch(rows: 1) }
        #expect(throws: RLError.self) { try Catch(options: ["balls": "0"]) }
    }
}

@Suite struct PeriodicEvaluationTests {
    func smallDQN() throws -> DeepConfig {
        var c = ZooPresets.config(.dqn, env: "CartPole-v1")
        try c.set("net_arch", "32,32"); try c.set("gradient_steps", "16")
        return c
    }

    @Test func theBestEvaluationsWeightsAreKept() throws {
        let agent = try DeepAgent(.dqn, env: "CartPole-v1", config: try smallDQN(), seed: 1)
        let schedule = PeriodicEvaluation(frequency: 1500, episodes: 3, seed: 77)
        var seen: [EvaluationRecord] = []
        let records = try agent.train(steps: 6000, evaluation: schedule, onEvaluation: { seen.append($0) })
        #expect(records == seen && records.count == 4 && records.last?.steps == 6000)
        #expect(zip(records, records.dropFirst()).allSatisfy { $0.steps < $1.steps })
        let best = try #require(records.last { $0.isBest })
        #expect(best.mean == records.map(\.mean).max())
        // The agent now acts with those weights: the same episodes give the same returns.
        #expect(try agent.evaluate(episodes: 3, seed: 77) == best.summary)
    }

    @Test func keepLastEndsWithTheFinalWeights() throws {
        let agent = try DeepAgent(.dqn, env: "CartPole-v1", config: try smallDQN(), seed: 1)
        let records = try agent.train(steps: 4000, evaluation: PeriodicEvaluation(frequency: 2000, episodes: 2, seed: 5, keepBest: false))
        #expect(records.count == 2)
        #expect(try agent.evaluate(episodes: 2, seed: 5) == records.last?.summary)
        #expect(throws: RLError.self) { try agent.train(steps: 10, evaluation: PeriodicEvaluation(frequency: 0)) }
        #expect(throws: RLError.self) { try agent.train(steps: 10, evaluation: PeriodicEvaluation(frequency: 5, episodes: 0)) }
    }

    @Test func normalisedAgentsAreEvaluatedWithTheStatisticsOfTheMoment() throws {
        var c = DeepConfig(.ppo)
        try c.set("normalize", "true"); try c.set("n_steps", "256"); try c.set("n_envs", "2"); try c.set("batch_size", "64")
        let agent = try DeepAgent(.ppo, env: "CartPole-v1", config: c, seed: 0)
        let records = try agent.train(steps: 3072, evaluation: PeriodicEvaluation(frequency: 1024, episodes: 2, seed: 9))
        let best = try #require(records.last { $0.isBest })
        #expect(try agent.evaluate(episodes: 2, seed: 9) == best.summary)
    }
}

@Suite struct BlackjackExactReturnTests {
    /// Sutton & Barto's fixed policy: stick on 20 or 21, hit otherwise.
    static func sticksOn20(_ sum: Int, _ dealer: Int, _ ace: Bool) -> Int { sum >= 20 ? 0 : 1 }

    @Test func theRecursionAgreesWithSampledHands() throws {
        for (options, hands) in [([String: String](), 400_000), (["sab": "false", "natural": "true"], 400_000)] {
            let env = try Environments.make("Blackjack-v1", options: options)
            let game = try #require(env.unwrapped as? Blackjack)
            let exact = game.exactReturn(policy: Self.sticksOn20).value
            _ = env.reset(seed: 5)
            var total = 0.0, squares = 0.0
            for _ in 0..<hands {
                var o = env.reset()
                while true {
                    let r = try env.step(.discrete(Self.sticksOn20(Int(o[0]), Int(o[1]), o[2] == 1)))
                    o = r.observation
                    if r.done { total += r.reward; squares += r.reward * r.reward; break }
                }
            }
            let mean = total / Double(hands), se = ((squares / Double(hands) - mean * mean) / Double(hands)).squareRoot()
            #expect(abs(mean - exact) < 4 * se, "\(options): sampled \(mean) ± \(se), exact \(exact)")
        }
    }

    @Test func theOptimumBeatsEveryFixedThresholdAndIsAFixedPoint() {
        let game = Blackjack()
        let best = game.exactReturn()
        for threshold in 12...21 {
            #expect(game.exactReturn { s, _, _ in s >= threshold ? 0 : 1 }.value <= best.value + 1e-12)
        }
        // Following the optimal table gives the optimal value again.
        let replay = game.exactReturn { s, d, a in best.actions[.init(sum: s, dealer: d, usableAce: a)] ?? 1 }
        #expect(abs(replay.value - best.value) < 1e-12 && replay.actions == best.actions)
        // Sutton & Barto's Figure 5.2: with no usable ace, stick on 13–16 against a dealer's 2–6, hit on 12–16 against 7–A.
        #expect(best.actions[.init(sum: 14, dealer: 4, usableAce: false)] == 0 && best.actions[.init(sum: 16, dealer: 10, usableAce: false)] == 1)
        #expect(best.actions[.init(sum: 12, dealer: 2, usableAce: false)] == 1 && best.actions[.init(sum: 18, dealer: 9, usableAce: true)] == 1)
    }
}

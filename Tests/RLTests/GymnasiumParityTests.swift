import Foundation
import RL
import Testing

/// Compares every environment with Gymnasium through Tests/RLTests/Fixtures/gymnasium_parity.json,
/// written by scripts/fixtures/rl/make_gymnasium_fixtures.py (Gymnasium 1.4.0, NumPy 2.4.6).
struct GymFixture: Decodable {
    struct Step: Decodable {
        let action: Double
        let observation: [Double]
        let reward: Double
        let terminated: Bool
        let truncated: Bool
        let state: [Double]
    }
    struct Episode: Decodable {
        let reset: [Double]?
        let steps: [Step]
    }
    struct Seeded: Decodable {
        let id: String
        let kwargs: [String: String]
        let seed: UInt64
        let reset: [Double]
        let steps: [Step]
        let second_episode: Episode
    }
    struct FromState: Decodable {
        let id: String
        let state: [Double]
        let steps: [Step]
    }
    struct Table: Decodable {
        let id: String
        let kwargs: [String: String]
        let P: [[[[Double]]]]
        let initial: [Double]
    }
    struct VI: Decodable {
        let id: String
        let gamma: Double
        let theta: Double
        let V: [Double]
        let policy: [Int]
    }
    struct NPRandom: Decodable {
        let seed: String
        let random: [Double]
        let integers: [String: [Int]]
        let uniform: [Double]
    }
    struct SpaceSamples: Decodable {
        let name: String
        let seed: UInt64
        let samples: [[Double]]
    }
    let gymnasium: String
    let space_samples: [SpaceSamples]
    let seeded: [Seeded]
    let from_state: [FromState]
    let tables: [Table]
    let value_iteration: [VI]
    let numpy_random: [NPRandom]

    static let shared: GymFixture = {
        let url = Bundle.module.url(forResource: "Fixtures/gymnasium_parity", withExtension: "json")!
        return try! JSONDecoder().decode(GymFixture.self, from: Data(contentsOf: url))
    }()

    /// The repository root (this file is Tests/RLTests/GymnasiumParityTests.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

func action(for env: Environment, _ a: Double) -> Action {
    if case .discrete = env.actionSpace { return .discrete(Int(a)) }
    return .continuous([Float(a)])
}

/// Steps `env` through a recorded trajectory, returning the first mismatch or nil.
func replay(_ env: Environment, _ steps: [GymFixture.Step], label: String) throws -> String? {
    let stateful = env.unwrapped as? StatefulEnvironment
    for (i, st) in steps.enumerated() {
        let r = try env.step(action(for: env, st.action))
        let obs = r.observation.map(Double.init)
        if obs != st.observation.map({ Double(Float($0)) }) { return "\(label) step \(i): observation \(obs) vs Gymnasium \(st.observation)" }
        if abs(r.reward - st.reward) > 1e-12 * max(1, abs(st.reward)) { return "\(label) step \(i): reward \(r.reward) vs \(st.reward)" }
        if r.terminated != st.terminated || r.truncated != st.truncated {
            return "\(label) step \(i): terminated/truncated \(r.terminated)/\(r.truncated) vs \(st.terminated)/\(st.truncated)"
        }
        if let s = stateful?.state {
            guard s.count == st.state.count else { return "\(label) step \(i): state length \(s.count) vs \(st.state.count)" }
            for (x, y) in zip(s, st.state) where abs(x - y) > 1e-12 * max(1, abs(y)) {
                return "\(label) step \(i): state \(s) vs \(st.state)"
            }
        }
    }
    return nil
}

@Suite struct GymnasiumParityTests {
    var fixture = GymFixture.shared

    @Test func numpyGeneratorMatchesNumPy() {
        for rec in fixture.numpy_random {
            let seed = UInt64(rec.seed)!
            var g = NumPyGenerator(seed: seed)
            #expect((0..<5).map { _ in g.random() } == rec.random, "random() seed \(seed)")
            for n in [2, 3, 13, 500, 2_147_483_647, 1 << 40] {
                #expect((0..<7).map { _ in g.integers(n) } == rec.integers[String(n)], "integers(\(n)) seed \(seed)")
            }
            #expect((0..<3).map { _ in g.uniform(-0.05, 0.05) } == rec.uniform, "uniform seed \(seed)")
        }
    }

    @Test func seededSpaceSamplesMatchGymnasium() throws {
        let spaces: [String: Space] = [
            "discrete5": .discrete(n: 5), "discrete3_start2": .discrete(n: 3, start: -2), "box3": .box(low: -2, high: 2, shape: [3]),
            "box_mixed": .box(low: [-1, 0], high: [1, 10], shape: [2]), "multidiscrete": .multiDiscrete([3, 4, 5]),
            "tuple_blackjack": .tuple([.discrete(n: 32), .discrete(n: 11), .discrete(n: 2)]),
            "dict": .dict(["b": .discrete(n: 4), "a": .box(low: 0, high: 1, shape: [2])]),
            "nested": .tuple([.discrete(n: 2), .tuple([.discrete(n: 3), .box(low: -1, high: 1, shape: [1])])]),
        ]
        #expect(fixture.space_samples.count == spaces.count)
        for rec in fixture.space_samples {
            let sampler = SpaceSampler(try #require(spaces[rec.name]), seed: rec.seed)
            let ours = (0..<rec.samples.count).map { _ in sampler.sample().map(Double.init) }
            #expect(ours == rec.samples.map { $0.map { Double(Float($0)) } }, "\(rec.name)")
        }
    }

    @Test func seededEpisodesMatchGymnasium() throws {
        var checked = 0
        for rec in fixture.seeded {
            let env = try Environments.make(rec.id, options: rec.kwargs)
            let label = "\(rec.id)\(rec.kwargs) seed \(rec.seed)"
            let first = env.reset(seed: rec.seed).map(Double.init)
            #expect(first == rec.reset.map { Double(Float($0)) }, "\(label): reset \(first) vs \(rec.reset)")
            let mismatch = try replay(env, rec.steps, label: label)
            #expect(mismatch == nil, "\(mismatch ?? "")")
            let second = env.reset(seed: nil).map(Double.init)
            #expect(second == rec.second_episode.reset!.map { Double(Float($0)) }, "\(label): second reset")
            let mismatch2 = try replay(env, rec.second_episode.steps, label: label + " (second episode)")
            #expect(mismatch2 == nil, "\(mismatch2 ?? "")")
            checked += rec.steps.count + rec.second_episode.steps.count
        }
        #expect(checked > 2000)
    }

    @Test func trajectoriesFromASetStateMatchGymnasium() throws {
        for rec in fixture.from_state {
            let env = try Environments.make(rec.id)
            _ = env.reset(seed: 0)
            try #require(env.unwrapped as? StatefulEnvironment).setState(rec.state)
            let mismatch = try replay(env, rec.steps, label: "\(rec.id) from \(rec.state)")
            #expect(mismatch == nil, "\(mismatch ?? "")")
        }
    }

    @Test func transitionTablesEqualGymnasiums() throws {
        for rec in fixture.tables {
            let env = try #require(Environments.make(rec.id, options: rec.kwargs).unwrapped as? TableEnvironment)
            #expect(env.initialDistribution == rec.initial, "\(rec.id) \(rec.kwargs) initial distribution")
            #expect(env.stateCount == rec.P.count)
            var differences = 0
            for s in 0..<rec.P.count {
                for a in 0..<rec.P[s].count {
                    let ours = env.transitions(state: s, action: a).map { [$0.probability, Double($0.nextState), $0.reward, $0.terminated ? 1 : 0] }
                    if ours != rec.P[s][a] { differences += 1 }
                }
            }
            #expect(differences == 0, "\(rec.id) \(rec.kwargs): \(differences) of P[s][a] differ")
        }
    }

    @Test func valueIterationMatchesNumPy() throws {
        for rec in fixture.value_iteration {
            let env = try #require(Environments.make(rec.id).unwrapped as? TabularEnvironment)
            let result = try DynamicProgramming.valueIteration(TabularMDP(env), gamma: rec.gamma, theta: rec.theta)
            let maxDiff = zip(result.values, rec.V).map { abs($0 - $1) }.max()!
            #expect(maxDiff <= 1e-12, "\(rec.id): max |ΔV| \(maxDiff)")
            #expect(result.policy == rec.policy, "\(rec.id): greedy policy")
        }
    }
}

/// The same comparisons against Gymnasium run now (CI: SWIFTLEARN_PYTHON_CHECK=1, gymnasium
/// pinned in .ci/requirements.txt), so the committed fixture cannot drift from the library.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SWIFTLEARN_PYTHON_CHECK"] == "1", "set SWIFTLEARN_PYTHON_CHECK=1 (needs gymnasium)"))
struct GymnasiumLiveCrossCheck {
    @Test func freshGymnasiumTrajectoriesMatch() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gym-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", GymFixture.repositoryRoot.appendingPathComponent("scripts/fixtures/rl/make_gymnasium_fixtures.py").path, "--out", out.path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "the fixture script failed: \(errText.suffix(600))")
        let live = try JSONDecoder().decode(GymFixture.self, from: Data(contentsOf: out))
        var tests = GymnasiumParityTests()
        tests.fixture = live
        tests.numpyGeneratorMatchesNumPy()
        try tests.seededSpaceSamplesMatchGymnasium()
        try tests.seededEpisodesMatchGymnasium()
        try tests.trajectoriesFromASetStateMatchGymnasium()
        try tests.transitionTablesEqualGymnasiums()
        try tests.valueIterationMatchesNumPy()
    }
}

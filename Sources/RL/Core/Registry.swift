import Foundation

/// A registered environment: Gymnasium's `EnvSpec` (id, time limit, reward threshold).
public struct EnvironmentSpec: Sendable {
    /// The id `make` takes.
    public let id: String
    /// The `TimeLimit` that `make` applies, as Gymnasium registers it.
    public let maxEpisodeSteps: Int?
    /// The return at which the task counts as solved, as Gymnasium registers it.
    public let rewardThreshold: Double?
    let build: @Sendable ([String: String]) throws -> Environment

    /// A spec for ``Environments/register(_:)``: `make` builds the environment from Gymnasium-style
    /// keyword options (throw for an unknown or bad one).
    public init(id: String, maxEpisodeSteps: Int? = nil, rewardThreshold: Double? = nil,
                make: @escaping @Sendable ([String: String]) throws -> Environment) {
        self.id = id; self.maxEpisodeSteps = maxEpisodeSteps; self.rewardThreshold = rewardThreshold; build = make
    }
}

/// The environment registry: `Environments.make("CartPole-v1")` is `gym.make("CartPole-v1")`,
/// with the same time limits, defaults and keyword options.
public enum Environments {
    /// Every registered environment.
    public static let specs: [EnvironmentSpec] = [
        EnvironmentSpec(id: "CartPole-v1", maxEpisodeSteps: 500, rewardThreshold: 475) { o in
            try checkKeys(o, ["sutton_barto_reward"], "CartPole-v1")
            return CartPole(suttonBartoReward: try bool(o, "sutton_barto_reward") ?? false)
        },
        EnvironmentSpec(id: "CartPole-v0", maxEpisodeSteps: 200, rewardThreshold: 195) { o in
            try checkKeys(o, ["sutton_barto_reward"], "CartPole-v0")
            return CartPole(id: "CartPole-v0", suttonBartoReward: try bool(o, "sutton_barto_reward") ?? false)
        },
        EnvironmentSpec(id: "MountainCar-v0", maxEpisodeSteps: 200, rewardThreshold: -110) { o in
            try checkKeys(o, ["goal_velocity"], "MountainCar-v0")
            return MountainCar(goalVelocity: try double(o, "goal_velocity") ?? 0)
        },
        EnvironmentSpec(id: "MountainCarContinuous-v0", maxEpisodeSteps: 999, rewardThreshold: 90) { o in
            try checkKeys(o, ["goal_velocity"], "MountainCarContinuous-v0")
            return MountainCarContinuous(goalVelocity: try double(o, "goal_velocity") ?? 0)
        },
        EnvironmentSpec(id: "Pendulum-v1", maxEpisodeSteps: 200, rewardThreshold: nil) { o in
            try checkKeys(o, ["g"], "Pendulum-v1")
            return Pendulum(g: try double(o, "g") ?? 10)
        },
        EnvironmentSpec(id: "Acrobot-v1", maxEpisodeSteps: 500, rewardThreshold: -100) { o in
            try checkKeys(o, [], "Acrobot-v1")
            return Acrobot()
        },
        EnvironmentSpec(id: "FrozenLake-v1", maxEpisodeSteps: 100, rewardThreshold: 0.7) { o in try frozenLake(o, defaultMap: "4x4", id: "FrozenLake-v1") },
        EnvironmentSpec(id: "FrozenLake8x8-v1", maxEpisodeSteps: 200, rewardThreshold: 0.85) { o in try frozenLake(o, defaultMap: "8x8", id: "FrozenLake8x8-v1") },
        EnvironmentSpec(id: "CliffWalking-v1", maxEpisodeSteps: nil, rewardThreshold: nil) { o in
            try checkKeys(o, ["is_slippery"], "CliffWalking-v1")
            return CliffWalking(isSlippery: try bool(o, "is_slippery") ?? false)
        },
        EnvironmentSpec(id: "CliffWalkingSlippery-v1", maxEpisodeSteps: nil, rewardThreshold: nil) { o in
            try checkKeys(o, [], "CliffWalkingSlippery-v1")
            return CliffWalking(isSlippery: true)
        },
        EnvironmentSpec(id: "Taxi-v4", maxEpisodeSteps: 200, rewardThreshold: 8) { o in
            try checkKeys(o, [], "Taxi-v4")
            return Taxi()
        },
        EnvironmentSpec(id: "Blackjack-v1", maxEpisodeSteps: nil, rewardThreshold: nil) { o in
            try checkKeys(o, ["natural", "sab"], "Blackjack-v1")
            return Blackjack(natural: try bool(o, "natural") ?? false, sab: try bool(o, "sab") ?? true)
        },
        EnvironmentSpec(id: "Catch-v0", maxEpisodeSteps: nil, rewardThreshold: nil) { o in try Catch(options: o) },
        EnvironmentSpec(id: "Bandit-v0", maxEpisodeSteps: nil, rewardThreshold: nil) { o in
            try checkKeys(o, ["arms", "seed"], "Bandit-v0")
            let arms = try int(o, "arms") ?? 10, seed = try int(o, "seed") ?? 0
            guard seed >= 0 else { throw RLError.invalidArgument("Bandit-v0: seed must be ≥ 0") }
            return try MultiArmedBandit(arms: arms, seed: UInt64(seed))
        },
    ]

    /// The registered ids: the built-in ones, then those added with ``register(_:)``.
    public static var ids: [String] { specs.map(\.id) + custom.withLock { $0.map(\.id) } }

    /// The spec of an id; an unknown id throws, listing the known ones.
    public static func spec(_ id: String) throws -> EnvironmentSpec {
        if let s = specs.first(where: { $0.id == id }) ?? custom.withLock({ $0.first(where: { $0.id == id }) }) { return s }
        throw RLError.unknown(kind: "environment", name: id, known: ids)
    }

    private static let custom = LockedSpecs()

    /// Registers a custom environment under an id (Gymnasium's `gym.register`), so that `make`,
    /// every learner that takes an id (``DeepAgent``) and saved agents can build it. The id must be
    /// new: a built-in id or one already registered throws (ids look like `Name-v0`: letters,
    /// digits, `_`, `-`, `/`, 1–100 characters).
    ///
    /// ```swift
    /// try Environments.register(EnvironmentSpec(id: "BigCatch-v0", maxEpisodeSteps: 500) { _ in
    ///     try Catch(rows: 20, columns: 9, id: "BigCatch-v0")
    /// })
    /// let agent = try DeepAgent(.dqn, env: "BigCatch-v0", config: DeepConfig(.dqn))
    /// ```
    public static func register(_ spec: EnvironmentSpec) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-/"))
        guard (1...100).contains(spec.id.count), spec.id.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }) else {
            throw RLError.invalidArgument("environment id '\(spec.id)' must be 1–100 ASCII letters, digits, '_', '-' or '/'")
        }
        if let limit = spec.maxEpisodeSteps, limit < 1 { throw RLError.invalidArgument("\(spec.id): max_episode_steps must be ≥ 1") }
        guard !specs.contains(where: { $0.id == spec.id }) else { throw RLError.invalidArgument("'\(spec.id)' is a built-in environment") }
        try custom.withLock { list in
            guard !list.contains(where: { $0.id == spec.id }) else { throw RLError.invalidArgument("'\(spec.id)' is already registered") }
            list.append(spec)
        }
    }

    /// Removes a custom environment added with ``register(_:)`` (true if it was there).
    @discardableResult
    public static func unregister(_ id: String) -> Bool {
        custom.withLock { list in
            guard let i = list.firstIndex(where: { $0.id == id }) else { return false }
            list.remove(at: i)
            return true
        }
    }

    /// `gym.make(id, **options)`: the environment with its registered `TimeLimit` (or
    /// `maxEpisodeSteps` when given). Options are Gymnasium's keyword arguments as strings
    /// (`is_slippery=false`, `map_name=8x8`, `desc=SFFF/FHFH/FFFH/HFFG`); an unknown one is an error.
    public static func make(_ id: String, options: [String: String] = [:], maxEpisodeSteps: Int? = nil) throws -> Environment {
        let s = try spec(id)
        let env = try s.build(options)
        if let limit = maxEpisodeSteps ?? s.maxEpisodeSteps { return try TimeLimit(env, maxEpisodeSteps: limit) }
        return env
    }

    static func checkKeys(_ o: [String: String], _ allowed: [String], _ id: String) throws {
        for k in o.keys where !allowed.contains(k) {
            throw RLError.invalidArgument("\(id) has no option '\(k)'\(allowed.isEmpty ? "" : " (options: \(allowed.joined(separator: ", ")))")")
        }
    }
    static func bool(_ o: [String: String], _ k: String) throws -> Bool? {
        guard let v = o[k] else { return nil }
        switch v.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw RLError.invalidArgument("option \(k) must be true or false, got '\(v)'")
        }
    }
    static func double(_ o: [String: String], _ k: String) throws -> Double? {
        guard let v = o[k] else { return nil }
        guard let d = Double(v), d.isFinite else { throw RLError.invalidArgument("option \(k) must be a number, got '\(v)'") }
        return d
    }
    static func int(_ o: [String: String], _ k: String) throws -> Int? {
        guard let v = o[k] else { return nil }
        guard let i = Int(v) else { throw RLError.invalidArgument("option \(k) must be an integer, got '\(v)'") }
        return i
    }
    static func frozenLake(_ o: [String: String], defaultMap: String, id: String) throws -> Environment {
        try checkKeys(o, ["map_name", "desc", "is_slippery", "success_rate"], id)
        let map: [String]
        if let desc = o["desc"] {
            map = desc.split(separator: "/").map(String.init)
        } else {
            let name = o["map_name"] ?? defaultMap
            guard let m = FrozenLake.maps[name] else { throw RLError.invalidArgument("\(id): map_name must be 4x4 or 8x8, got '\(name)'") }
            map = m
        }
        return try FrozenLake(map: map, isSlippery: try bool(o, "is_slippery") ?? true,
                              successRate: try double(o, "success_rate") ?? 1.0 / 3.0, id: id)
    }
}

/// Gymnasium's `SyncVectorEnv`: `count` copies stepped in turn, results batched. With
/// `.nextStep` (Gymnasium 1.x's default) a finished sub-environment is reset on the *next*
/// `step` call, which returns its reset observation with reward 0; with `.sameStep`
/// (Stable-Baselines3's convention) it is reset at once and the final observation is kept in
/// `finalObservations`.
public final class SyncVectorEnvironment {
    /// When a finished copy is reset: on the next `step` call (Gymnasium 1.x) or at once (Stable-Baselines3).
    public enum AutoresetMode: Sendable { case nextStep, sameStep }
    /// The copies.
    public let environments: [Environment]
    /// The autoreset convention.
    public let autoreset: AutoresetMode
    var pendingReset: [Bool]
    /// After a `.sameStep` step: the observation each finished sub-environment ended on.
    public private(set) var finalObservations: [[Float]?]

    /// `count` copies built by `make` (1–4096).
    public init(_ make: () throws -> Environment, count: Int, autoreset: AutoresetMode = .nextStep) throws {
        guard count >= 1, count <= 4096 else { throw RLError.invalidArgument("vector environment: count must be 1–4096") }
        environments = try (0..<count).map { _ in try make() }
        self.autoreset = autoreset
        pendingReset = Array(repeating: false, count: count)
        finalObservations = Array(repeating: nil, count: count)
    }

    /// Number of copies.
    public var count: Int { environments.count }

    /// Resets every copy; with a seed, copy i gets seed + i (as Gymnasium's `reset(seed=s)`).
    public func reset(seed: UInt64? = nil) -> [[Float]] {
        pendingReset = Array(repeating: false, count: count)
        return environments.indices.map { i in environments[i].reset(seed: seed.map { $0 &+ UInt64(i) }) }
    }

    /// Steps every copy with its action.
    public func step(_ actions: [Action]) throws -> [StepResult] {
        guard actions.count == count else { throw RLError.invalidAction("\(actions.count) actions for \(count) environments") }
        var out: [StepResult] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            finalObservations[i] = nil
            if autoreset == .nextStep && pendingReset[i] {
                pendingReset[i] = false
                out.append(StepResult(observation: environments[i].reset(seed: nil), reward: 0, terminated: false))
                continue
            }
            var r = try environments[i].step(actions[i])
            if r.done {
                switch autoreset {
                case .nextStep: pendingReset[i] = true
                case .sameStep:
                    finalObservations[i] = r.observation
                    r.observation = environments[i].reset(seed: nil)
                }
            }
            out.append(r)
        }
        return out
    }
}

/// The custom registrations, behind a lock (Foundation's, so it builds on every platform).
private final class LockedSpecs: @unchecked Sendable {
    private var specs: [EnvironmentSpec] = []
    private let lock = NSLock()
    func withLock<T>(_ body: (inout [EnvironmentSpec]) throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body(&specs)
    }
}

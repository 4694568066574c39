import Foundation

/// What one `step` returns: Gymnasium's `(observation, reward, terminated, truncated, info)`.
public struct StepResult: Sendable, Equatable {
    /// The observation after the step, flattened to floats (a `Discrete` state is one float).
    public var observation: [Float]
    /// The reward of the step.
    public var reward: Double
    /// The episode reached a terminal state of the MDP (pole fell, goal reached, hole).
    public var terminated: Bool
    /// The episode was cut short from outside the MDP (a time limit).
    public var truncated: Bool
    /// Extra numbers: `prob` for the toy-text environments, `episode_return`/`episode_length`
    /// from ``RecordEpisodeStatistics`` when an episode ends.
    public var info: [String: Double]

    /// A step's result.
    public init(observation: [Float], reward: Double, terminated: Bool, truncated: Bool = false, info: [String: Double] = [:]) {
        self.observation = observation; self.reward = reward; self.terminated = terminated
        self.truncated = truncated; self.info = info
    }

    /// `terminated || truncated`.
    public var done: Bool { terminated || truncated }
}

/// Gymnasium's `Env` API: `reset(seed:)` then `step(action)` until terminated or truncated.
///
/// Observations are flat float arrays (`Box` values as float32, a `Discrete` state as one float)
/// so one algorithm serves every environment; ``Space/index(of:)`` turns a finite observation
/// back into a table index. Environments are classes: a wrapper or an algorithm steps the same
/// instance. Seeding follows Gymnasium: `reset(seed: s)` re-seeds the environment's NumPy-identical
/// generator; `reset(seed: nil)` keeps the current stream (seeding from entropy the first time).
public protocol Environment: AnyObject {
    /// The registered id (`CartPole-v1`), or a name for a custom environment.
    var id: String { get }
    var observationSpace: Space { get }
    var actionSpace: Space { get }
    /// Starts an episode and returns the first observation.
    func reset(seed: UInt64?) -> [Float]
    /// Applies an action. Throws ``RLError/invalidAction(_:)`` for an action outside the action
    /// space and ``RLError/resetNeeded(_:)`` before the first reset.
    func step(_ action: Action) throws -> StepResult
    /// The episode so far as text (Gymnasium's `render_mode="ansi"` where it has one).
    func renderText() -> String
}

/// Conveniences on every environment.
public extension Environment {
    func reset() -> [Float] { reset(seed: nil) }
    func renderText() -> String { "\(id)" }
    /// The innermost environment under any wrappers (Gymnasium's `env.unwrapped`).
    var unwrapped: Environment { (self as? EnvironmentWrapper)?.inner.unwrapped ?? self }
}

/// An environment whose internal physical state can be read and set, as Gymnasium's
/// `env.unwrapped.state` (CartPole's `[x, ẋ, θ, θ̇]`, Pendulum's `[θ, θ̇]`, a toy-text state index).
public protocol StatefulEnvironment: Environment {
    /// The state as float64 values; setting it marks the environment as reset.
    var state: [Double] { get }
    /// Sets the state exactly (Gymnasium: `env.unwrapped.state = …`). Throws for a wrong length
    /// or a value outside the state space.
    func setState(_ state: [Double]) throws
}

/// A finite MDP with a known model: Gymnasium's toy-text `P[s][a]`, a list of
/// `(probability, next state, reward, terminated)` per state and action.
public protocol TabularEnvironment: StatefulEnvironment {
    var stateCount: Int { get }
    var actionCount: Int { get }
    /// `P[s][a]`.
    func transitions(state: Int, action: Int) -> [Transition]
}

/// One entry of `P[s][a]`.
public struct Transition: Sendable, Equatable {
    /// p(s', r | s, a).
    public var probability: Double
    /// s'.
    public var nextState: Int
    /// r.
    public var reward: Double
    /// Whether s' ends the episode.
    public var terminated: Bool
    /// An entry `(p, s', r, terminated)`, Gymnasium's tuple order.
    public init(_ probability: Double, _ nextState: Int, _ reward: Double, _ terminated: Bool) {
        self.probability = probability; self.nextState = nextState; self.reward = reward; self.terminated = terminated
    }
}

/// Shared bookkeeping for the built-in environments: the generator, the reset check.
open class BaseEnvironment {
    /// The environment's generator (Gymnasium's `np_random`), set by the first reset.
    public var rng: NumPyGenerator?
    /// True until `reset` (or `setState`) has run.
    public var needsReset = true

    /// An environment that needs a reset.
    public init() {}

    /// Gymnasium's `super().reset(seed=seed)`: a seed re-seeds; no seed keeps the stream.
    public func seedForReset(_ seed: UInt64?) {
        if let seed { rng = NumPyGenerator(seed: seed) } else if rng == nil { rng = .fromEntropy() }
        needsReset = false
    }

    /// Throws ``RLError/resetNeeded(_:)`` before the first reset.
    public func requireReset(_ id: String) throws {
        if needsReset { throw RLError.resetNeeded("\(id): call reset() before step()") }
    }

    /// Gymnasium's `categorical_sample`: the first index whose cumulative probability exceeds a
    /// uniform draw.
    public func categoricalSample(_ probabilities: [Double]) -> Int {
        let u = rng!.random()
        var c = 0.0
        for (i, p) in probabilities.enumerated() {
            c += p
            if c > u { return i }
        }
        return 0   // np.argmax of an all-false array
    }
}

/// Checks a discrete action against `Discrete(n)`.
@inlinable func discreteAction(_ action: Action, _ n: Int, _ id: String) throws -> Int {
    guard case .discrete(let a) = action, a >= 0, a < n else {
        throw RLError.invalidAction("\(id) takes an integer action in 0..<\(n), got \(action)")
    }
    return a
}

/// Checks a continuous action's length and finiteness (bounds are the environment's business:
/// Gymnasium's Pendulum and MountainCarContinuous clip).
@inlinable func continuousAction(_ action: Action, _ count: Int, _ id: String) throws -> [Float] {
    guard case .continuous(let v) = action, v.count == count else {
        throw RLError.invalidAction("\(id) takes a vector of \(count) float(s), got \(action)")
    }
    guard v.allSatisfy(\.isFinite) else { throw RLError.invalidAction("\(id): the action \(action) is not finite") }
    return v
}

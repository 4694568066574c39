import Foundation

/// A wrapper: an environment that forwards to an inner one, changing some of what passes through
/// (Gymnasium's `gymnasium.Wrapper`). Subclasses override `reset`/`step`.
open class EnvironmentWrapper: Environment {
    /// The wrapped environment.
    public let inner: Environment
    /// Wraps `inner`.
    public init(_ inner: Environment) { self.inner = inner }
    open var id: String { inner.id }
    open var observationSpace: Space { inner.observationSpace }
    open var actionSpace: Space { inner.actionSpace }
    open func reset(seed: UInt64?) -> [Float] { inner.reset(seed: seed) }
    open func step(_ action: Action) throws -> StepResult { try inner.step(action) }
    open func renderText() -> String { inner.renderText() }
}

/// Gymnasium's `TimeLimit`: truncates an episode after `maxEpisodeSteps` steps.
public final class TimeLimit: EnvironmentWrapper {
    /// Steps after which an episode is truncated.
    public let maxEpisodeSteps: Int
    /// Steps taken in the current episode.
    public private(set) var elapsedSteps = 0

    /// Truncates after `maxEpisodeSteps` (≥ 1).
    public init(_ inner: Environment, maxEpisodeSteps: Int) throws {
        guard maxEpisodeSteps >= 1 else { throw RLError.invalidArgument("TimeLimit: max_episode_steps must be ≥ 1") }
        self.maxEpisodeSteps = maxEpisodeSteps
        super.init(inner)
    }
    public override func reset(seed: UInt64?) -> [Float] { elapsedSteps = 0; return inner.reset(seed: seed) }
    public override func step(_ action: Action) throws -> StepResult {
        var r = try inner.step(action)
        elapsedSteps += 1
        if elapsedSteps >= maxEpisodeSteps { r.truncated = true }
        return r
    }
}

/// Gymnasium's `RecordEpisodeStatistics`: at the end of an episode `info` gets `episode_return`,
/// `episode_length` and `episode_time` (seconds); the last `bufferLength` returns are kept.
public final class RecordEpisodeStatistics: EnvironmentWrapper {
    /// The current episode's return and length so far.
    public private(set) var episodeReturn = 0.0, episodeLength = 0
    /// Returns and lengths of the last `bufferLength` episodes.
    public private(set) var returnQueue: [Double] = [], lengthQueue: [Int] = []
    /// How many finished episodes are kept.
    public let bufferLength: Int
    var start = Date()

    /// Records statistics of `inner`'s episodes.
    public init(_ inner: Environment, bufferLength: Int = 100) {
        self.bufferLength = max(1, bufferLength)
        super.init(inner)
    }
    public override func reset(seed: UInt64?) -> [Float] {
        episodeReturn = 0; episodeLength = 0; start = Date()
        return inner.reset(seed: seed)
    }
    public override func step(_ action: Action) throws -> StepResult {
        var r = try inner.step(action)
        episodeReturn += r.reward; episodeLength += 1
        if r.done {
            r.info["episode_return"] = episodeReturn
            r.info["episode_length"] = Double(episodeLength)
            r.info["episode_time"] = Date().timeIntervalSince(start)
            returnQueue.append(episodeReturn); lengthQueue.append(episodeLength)
            if returnQueue.count > bufferLength { returnQueue.removeFirst(); lengthQueue.removeFirst() }
        }
        return r
    }
}

/// Welford-style running mean and variance with Gymnasium's (and Stable-Baselines3's) parallel
/// update, starting from count ε = 1e-4.
public struct RunningMeanStd: Sendable, Codable, Equatable {
    /// Running mean, variance and (fractional) count.
    public var mean: [Double], variance: [Double], count: Double
    /// Zero mean, unit variance, count ε.
    public init(count: Int, epsilon: Double = 1e-4) {
        mean = Array(repeating: 0, count: count); variance = Array(repeating: 1, count: count); self.count = epsilon
    }
    /// Folds in a batch of rows (each `mean.count` wide).
    public mutating func update(_ batch: [[Double]]) {
        guard !batch.isEmpty else { return }
        let n = Double(batch.count)
        for j in mean.indices {
            let bm = batch.reduce(0) { $0 + $1[j] } / n
            let bv = batch.reduce(0) { $0 + ($1[j] - bm) * ($1[j] - bm) } / n
            let delta = bm - mean[j], total = count + n
            let newMean = mean[j] + delta * n / total
            let m2 = variance[j] * count + bv * n + delta * delta * count * n / total
            mean[j] = newMean; variance[j] = m2 / total
        }
        count += n
    }
}

/// Gymnasium's `NormalizeObservation`: observations become (x − mean) / √(var + ε) with running
/// statistics; `training = false` freezes them (evaluation).
public final class NormalizeObservation: EnvironmentWrapper {
    /// The running statistics (per observation element).
    public var stats: RunningMeanStd
    /// Whether statistics are still updated.
    public var training = true
    /// Added to the variance before the square root.
    public let epsilon: Double

    /// Normalises `inner`'s observations.
    public init(_ inner: Environment, epsilon: Double = 1e-8) {
        stats = RunningMeanStd(count: inner.observationSpace.flatCount)
        self.epsilon = epsilon
        super.init(inner)
    }
    public override var observationSpace: Space {
        let n = inner.observationSpace.flatCount
        return .box(low: -.infinity, high: .infinity, shape: [n])
    }
    func normalize(_ o: [Float]) -> [Float] {
        if training { stats.update([o.map(Double.init)]) }
        return o.indices.map { Float((Double(o[$0]) - stats.mean[$0]) / (stats.variance[$0] + epsilon).squareRoot()) }
    }
    public override func reset(seed: UInt64?) -> [Float] { normalize(inner.reset(seed: seed)) }
    public override func step(_ action: Action) throws -> StepResult {
        var r = try inner.step(action)
        r.observation = normalize(r.observation)
        return r
    }
}

/// Gymnasium's `NormalizeReward`: rewards divided by the running standard deviation of the
/// discounted return.
public final class NormalizeReward: EnvironmentWrapper {
    /// The running statistics of the discounted return.
    public var stats = RunningMeanStd(count: 1)
    /// Whether statistics are still updated.
    public var training = true
    /// Discount of the return and the variance's ε.
    public let gamma: Double, epsilon: Double
    var discounted = 0.0

    /// Scales `inner`'s rewards (γ in [0, 1]).
    public init(_ inner: Environment, gamma: Double = 0.99, epsilon: Double = 1e-8) throws {
        guard gamma >= 0, gamma <= 1 else { throw RLError.invalidArgument("NormalizeReward: gamma must be in [0, 1]") }
        self.gamma = gamma; self.epsilon = epsilon
        super.init(inner)
    }
    // As Gymnasium's, the discounted return is not cleared on reset (a terminal step clears it).
    public override func step(_ action: Action) throws -> StepResult {
        var r = try inner.step(action)
        discounted = discounted * gamma * (r.terminated ? 0 : 1) + r.reward
        if training { stats.update([[discounted]]) }
        r.reward /= (stats.variance[0] + epsilon).squareRoot()
        return r
    }
}

/// Gymnasium's `ClipAction`: continuous actions are clipped into the action space's bounds.
public final class ClipAction: EnvironmentWrapper {
    public override var actionSpace: Space {
        guard case .box(_, _, let shape) = inner.actionSpace else { return inner.actionSpace }
        return .box(low: -.infinity, high: .infinity, shape: shape)
    }
    public override func step(_ action: Action) throws -> StepResult {
        guard case .continuous(let v) = action, case .box(let lo, let hi, _) = inner.actionSpace, v.count == lo.count else {
            return try inner.step(action)
        }
        return try inner.step(.continuous(v.indices.map { min(max(v[$0], lo[$0]), hi[$0]) }))
    }
}

/// Gymnasium's `FrameStackObservation`: the last `stackSize` observations side by side. At reset
/// the stack is padded with copies of the reset observation (Gymnasium's default `"reset"`) or
/// with zeros (`zeroPadding`).
public final class FrameStack: EnvironmentWrapper {
    /// Observations stacked.
    public let stackSize: Int
    /// Pad with zeros instead of the reset observation.
    public let zeroPadding: Bool
    var frames: [[Float]] = []

    /// Stacks the last `stackSize` (1–1024) observations.
    public init(_ inner: Environment, stackSize: Int, zeroPadding: Bool = false) throws {
        guard stackSize >= 1, stackSize <= 1024 else { throw RLError.invalidArgument("FrameStack: stack_size must be 1–1024") }
        self.stackSize = stackSize
        self.zeroPadding = zeroPadding
        super.init(inner)
    }
    public override var observationSpace: Space {
        guard case .box(let lo, let hi, let shape) = inner.observationSpace else {
            let n = inner.observationSpace.flatCount
            return .box(low: -.infinity, high: .infinity, shape: [stackSize, n])
        }
        return .box(low: Array([[Float]](repeating: lo, count: stackSize).joined()),
                    high: Array([[Float]](repeating: hi, count: stackSize).joined()), shape: [stackSize] + shape)
    }
    public override func reset(seed: UInt64?) -> [Float] {
        let o = inner.reset(seed: seed)
        frames = Array(repeating: zeroPadding ? Array(repeating: 0, count: o.count) : o, count: stackSize - 1) + [o]
        return Array(frames.joined())
    }
    public override func step(_ action: Action) throws -> StepResult {
        var r = try inner.step(action)
        frames.removeFirst(); frames.append(r.observation)
        r.observation = Array(frames.joined())
        return r
    }
}

/// Gymnasium's `TransformReward`: a function applied to every reward (scaling, clipping).
public final class TransformReward: EnvironmentWrapper {
    let transform: (Double) -> Double
    /// Applies `transform` to every reward.
    public init(_ inner: Environment, _ transform: @escaping (Double) -> Double) { self.transform = transform; super.init(inner) }
    public override func step(_ action: Action) throws -> StepResult {
        var r = try inner.step(action)
        r.reward = transform(r.reward)
        return r
    }
}

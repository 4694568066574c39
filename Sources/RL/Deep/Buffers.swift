import Foundation

/// Stable-Baselines3's `VecNormalize`: observations standardised by running statistics shared by
/// every copy of the environment and clipped to ±`clipObservation`; rewards divided by the running
/// standard deviation of the discounted return and clipped to ±`clipReward`. Saved with the agent
/// so evaluation sees observations as training did (statistics frozen, rewards untouched).
public struct ObservationNormalizer: Sendable, Codable, Equatable {
    /// Running statistics of the observations.
    public var observations: RunningMeanStd
    /// Running statistics of the discounted returns.
    public var returnStats: RunningMeanStd
    /// Discount used for the return statistics.
    public var gamma: Double
    /// Observation clip (10, SB3's default).
    public var clipObservation = 10.0
    /// Reward clip (10).
    public var clipReward = 10.0
    /// Added to variances before the square root.
    public var epsilon = 1e-8
    var returns: [Double] = []

    enum CodingKeys: String, CodingKey { case observations, returnStats = "return_stats", gamma, clipObservation = "clip_obs", clipReward = "clip_reward", epsilon }

    /// Equal statistics and settings (the running returns of an unfinished training run are not compared).
    public static func == (a: ObservationNormalizer, b: ObservationNormalizer) -> Bool {
        a.observations == b.observations && a.returnStats == b.returnStats && a.gamma == b.gamma
            && a.clipObservation == b.clipObservation && a.clipReward == b.clipReward && a.epsilon == b.epsilon
    }

    /// Fresh statistics for `width`-wide observations and discount `gamma`.
    public init(width: Int, gamma: Double) {
        observations = RunningMeanStd(count: width)
        returnStats = RunningMeanStd(count: 1)
        self.gamma = gamma
    }

    /// One observation, standardised and clipped.
    public func normalize(_ o: [Float]) -> [Float] {
        guard o.count == observations.mean.count else { return o }
        return o.indices.map { j in
            let z = (Double(o[j]) - observations.mean[j]) / (observations.variance[j] + epsilon).squareRoot()
            return Float(Swift.min(Swift.max(z, -clipObservation), clipObservation))
        }
    }

    /// A batch from the copies: statistics updated first (training), then normalised.
    public mutating func observe(_ batch: [[Float]]) -> [[Float]] {
        observations.update(batch.map { $0.map(Double.init) })
        return batch.map(normalize)
    }

    /// Rewards of one vector step scaled by the return's running deviation; finished copies'
    /// returns restart.
    public mutating func scaleRewards(_ rewards: [Double], dones: [Bool]) -> [Double] {
        if returns.count != rewards.count { returns = Array(repeating: 0, count: rewards.count) }
        for i in rewards.indices { returns[i] = returns[i] * gamma + rewards[i] }
        returnStats.update(returns.map { [$0] })
        let scale = (returnStats.variance[0] + epsilon).squareRoot()
        let out = rewards.map { Swift.min(Swift.max($0 / scale, -clipReward), clipReward) }
        for i in dones.indices where dones[i] { returns[i] = 0 }
        return out
    }
}

/// Generalised advantage estimation (Schulman et al., 2016) as Stable-Baselines3's
/// `RolloutBuffer.compute_returns_and_advantage` computes it.
public enum AdvantageEstimation {
    /// Advantages Âₜ = Σₖ (γλ)ᵏ δₜ₊ₖ with δₜ = rₜ + γ·V(sₜ₊₁)·(1 − doneₜ) − V(sₜ), cut where an
    /// episode starts, and returns Âₜ + V(sₜ). Arrays are step-major: index `step · environments + e`.
    /// `episodeStarts[i]` marks the first step of an episode; `lastValues`/`lastDones` are the
    /// values of the observations after the rollout and whether each copy's last step ended an episode.
    /// λ = 1 gives Monte Carlo returns (bootstrapped at the cut), λ = 0 one-step TD targets.
    public static func gae(rewards: [Double], values: [Double], episodeStarts: [Bool], environments nEnvs: Int,
                           lastValues: [Double], lastDones: [Bool], gamma: Double, lambda: Double) -> (advantages: [Double], returns: [Double]) {
        let n = rewards.count
        precondition(nEnvs >= 1 && n % nEnvs == 0 && values.count == n && episodeStarts.count == n
                     && lastValues.count == nEnvs && lastDones.count == nEnvs, "gae: inconsistent array sizes")
        let steps = n / nEnvs
        var advantages = [Double](repeating: 0, count: n)
        var lastGae = [Double](repeating: 0, count: nEnvs)
        for step in stride(from: steps - 1, through: 0, by: -1) {
            for e in 0..<nEnvs {
                let i = step * nEnvs + e
                let nextNonTerminal: Double, nextValue: Double
                if step == steps - 1 {
                    nextNonTerminal = lastDones[e] ? 0 : 1; nextValue = lastValues[e]
                } else {
                    nextNonTerminal = episodeStarts[i + nEnvs] ? 0 : 1; nextValue = values[i + nEnvs]
                }
                let delta = rewards[i] + gamma * nextValue * nextNonTerminal - values[i]
                lastGae[e] = delta + gamma * lambda * nextNonTerminal * lastGae[e]
                advantages[i] = lastGae[e]
            }
        }
        return (advantages, zip(advantages, values).map { $0 + $1 })
    }
}

/// The on-policy rollout (SB3's `RolloutBuffer`): `nSteps × nEnvs` transitions with the values
/// and log-probabilities the policy had when acting, then GAE(λ) advantages and returns.
struct RolloutBuffer {
    let nSteps: Int, nEnvs: Int, obsWidth: Int, actionWidth: Int
    var observations: [Float], actions: [Float]
    var rewards: [Double], episodeStarts: [Bool], values: [Double], logProbs: [Double]
    var advantages: [Double], returns: [Double]
    var position = 0

    init(nSteps: Int, nEnvs: Int, obsWidth: Int, actionWidth: Int) {
        self.nSteps = nSteps; self.nEnvs = nEnvs; self.obsWidth = obsWidth; self.actionWidth = actionWidth
        let n = nSteps * nEnvs
        observations = Array(repeating: 0, count: n * obsWidth)
        actions = Array(repeating: 0, count: n * actionWidth)
        rewards = Array(repeating: 0, count: n); episodeStarts = Array(repeating: false, count: n)
        values = rewards; logProbs = rewards; advantages = rewards; returns = rewards
    }

    var count: Int { nSteps * nEnvs }
    var isFull: Bool { position == nSteps }

    /// Stores one vector step (row `position`, copy-major inside the row).
    mutating func add(observations obs: [[Float]], actions act: [[Float]], rewards r: [Double], episodeStarts starts: [Bool],
                      values v: [Double], logProbs lp: [Double]) {
        for e in 0..<nEnvs {
            let i = position * nEnvs + e
            observations.replaceSubrange(i * obsWidth..<(i + 1) * obsWidth, with: obs[e])
            actions.replaceSubrange(i * actionWidth..<(i + 1) * actionWidth, with: act[e])
            rewards[i] = r[e]; episodeStarts[i] = starts[e]; values[i] = v[e]; logProbs[i] = lp[e]
        }
        position += 1
    }

    /// SB3's `compute_returns_and_advantage` (see ``AdvantageEstimation/gae``).
    mutating func computeReturnsAndAdvantages(lastValues: [Double], dones: [Bool], gamma: Double, lambda: Double) {
        (advantages, returns) = AdvantageEstimation.gae(rewards: rewards, values: values, episodeStarts: episodeStarts, environments: nEnvs,
                                                        lastValues: lastValues, lastDones: dones, gamma: gamma, lambda: lambda)
    }

    mutating func reset() { position = 0 }
}

/// The off-policy replay memory (SB3's `ReplayBuffer`): a ring of the last `capacity`
/// transitions. `done` is true only for a real termination; a time-limit truncation is stored
/// as not done so its value is bootstrapped (SB3's `handle_timeout_termination`).
struct ReplayBuffer {
    let capacity: Int, obsWidth: Int, actionWidth: Int
    var observations: [Float], nextObservations: [Float], actions: [Float], rewards: [Float], dones: [Float]
    var position = 0
    var isFull = false
    /// Transitions stored since creation.
    var added = 0

    init(capacity: Int, obsWidth: Int, actionWidth: Int) throws {
        let cells = capacity.multipliedReportingOverflow(by: obsWidth * 2 + actionWidth + 2)
        guard !cells.overflow, cells.partialValue <= 1 << 31 else {
            throw RLError.invalidArgument("buffer_size \(capacity) × \(obsWidth * 2 + actionWidth + 2) floats is more than 8 GiB; lower buffer_size")
        }
        self.capacity = capacity; self.obsWidth = obsWidth; self.actionWidth = actionWidth
        observations = []; nextObservations = []; actions = []; rewards = []; dones = []
    }

    var count: Int { isFull ? capacity : position }

    /// Appends one transition (storage grows up to `capacity`, then the oldest is overwritten).
    mutating func add(_ obs: [Float], _ next: [Float], _ action: [Float], _ reward: Double, _ done: Bool) {
        if observations.count < capacity * obsWidth {
            observations.append(contentsOf: obs); nextObservations.append(contentsOf: next)
            actions.append(contentsOf: action); rewards.append(Float(reward)); dones.append(done ? 1 : 0)
        } else {
            observations.replaceSubrange(position * obsWidth..<(position + 1) * obsWidth, with: obs)
            nextObservations.replaceSubrange(position * obsWidth..<(position + 1) * obsWidth, with: next)
            actions.replaceSubrange(position * actionWidth..<(position + 1) * actionWidth, with: action)
            rewards[position] = Float(reward); dones[position] = done ? 1 : 0
        }
        position += 1; added += 1
        if position == capacity { position = 0; isFull = true }
    }

    /// The rows at `indices`, as flat arrays.
    func gather(_ indices: [Int]) -> ReplayBatch {
        var b = ReplayBatch(size: indices.count)
        b.observations.reserveCapacity(indices.count * obsWidth)
        b.nextObservations.reserveCapacity(indices.count * obsWidth)
        b.actions.reserveCapacity(indices.count * actionWidth)
        for i in indices {
            b.observations.append(contentsOf: observations[i * obsWidth..<(i + 1) * obsWidth])
            b.nextObservations.append(contentsOf: nextObservations[i * obsWidth..<(i + 1) * obsWidth])
            b.actions.append(contentsOf: actions[i * actionWidth..<(i + 1) * actionWidth])
            b.rewards.append(rewards[i]); b.dones.append(dones[i])
        }
        b.indices = indices
        return b
    }

    /// `size` rows drawn uniformly with replacement.
    func sample(_ size: Int, _ rng: inout NumPyGenerator) -> ReplayBatch {
        gather((0..<size).map { _ in rng.integers(0, count) })
    }
}

/// A sampled mini-batch, flat row-major.
struct ReplayBatch {
    var size: Int
    var observations: [Float] = [], nextObservations: [Float] = [], actions: [Float] = []
    var rewards: [Float] = [], dones: [Float] = []
    var indices: [Int] = []
    /// Importance-sampling weights (prioritised replay; all 1 otherwise).
    var weights: [Float] = []
    init(size: Int) { self.size = size; weights = Array(repeating: 1, count: size) }
}

/// The sum tree behind proportional prioritised replay (Schaul et al., 2016): leaf i holds a
/// priority, each inner node the sum below it, so setting a priority and finding the leaf where
/// the running sum passes a mass are O(log n). DQN's `prioritized_replay` draws stratified over
/// equal slices of the total, weights by (N·P(i))^−β / max, and sets priorities (|δ| + ε)^α.
public final class SumTree {
    /// Number of leaves.
    public let capacity: Int
    var tree: [Double]
    /// The largest priority set so far (new transitions enter with it).
    public var maxPriority = 1.0

    /// `capacity` leaves of priority 0.
    public init(capacity: Int) {
        precondition(capacity >= 1, "SumTree: capacity must be at least 1")
        self.capacity = capacity
        tree = Array(repeating: 0, count: 2 * capacity)
    }

    /// The sum of every priority.
    public var total: Double { tree[1] }

    /// Sets leaf `index`'s priority (non-negative).
    public func set(_ index: Int, _ priority: Double) {
        var i = index + capacity
        tree[i] = priority
        i /= 2
        while i >= 1 { tree[i] = tree[2 * i] + tree[2 * i + 1]; i /= 2 }
    }

    /// Leaf `index`'s priority.
    public func priority(_ index: Int) -> Double { tree[index + capacity] }

    /// The leaf where the running sum passes `mass` (0 ≤ mass < ``total``).
    public func find(_ mass: Double) -> Int {
        var i = 1, m = mass
        while i < capacity {
            if m < tree[2 * i] || tree[2 * i + 1] <= 0 { i = 2 * i } else { m -= tree[2 * i]; i = 2 * i + 1 }
        }
        return i - capacity
    }
}

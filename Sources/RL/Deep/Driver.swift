import Foundation

/// One progress report of a deep learner (what `rl train` prints a line of).
public struct DeepTrainingLog: Sendable {
    /// Environment steps taken so far (over every copy).
    public var steps: Int
    /// Episodes finished so far.
    public var episodes: Int
    /// Mean undiscounted return of the last 100 finished episodes (raw rewards), nil before the first.
    public var meanReturn: Double?
    /// Mean length of those episodes.
    public var meanLength: Double?
    /// Seconds since training began.
    public var seconds: Double
    /// The last update's diagnostics (`policy_loss`, `value_loss`, `entropy`, `approx_kl`,
    /// `learning_rate`, `exploration_rate`, `ent_coef`, …).
    public var metrics: [(name: String, value: Double)]
}

/// Finished-episode statistics from raw rewards (SB3's `Monitor` and its 100-episode window).
struct EpisodeTracker {
    var running: [Double], lengths: [Int]
    var recentReturns: [Double] = [], recentLengths: [Int] = []
    var episodes = 0

    init(count: Int) { running = Array(repeating: 0, count: count); lengths = Array(repeating: 0, count: count) }

    mutating func record(rewards: [Double], dones: [Bool]) {
        for i in rewards.indices {
            running[i] += rewards[i]; lengths[i] += 1
            if dones[i] {
                recentReturns.append(running[i]); recentLengths.append(lengths[i])
                if recentReturns.count > 100 { recentReturns.removeFirst(); recentLengths.removeFirst() }
                episodes += 1; running[i] = 0; lengths[i] = 0
            }
        }
    }

    var meanReturn: Double? { recentReturns.isEmpty ? nil : recentReturns.reduce(0, +) / Double(recentReturns.count) }
    var meanLength: Double? { recentLengths.isEmpty ? nil : Double(recentLengths.reduce(0, +)) / Double(recentLengths.count) }
}

/// The result of one vector step as the learners see it.
struct DriverStep {
    /// Observations after the step (reset observations for finished copies), encoded and normalised.
    var observations: [[Float]]
    /// Rewards as the learner trains on them (scaled when `normalize` is on).
    var rewards: [Double]
    var terminated: [Bool], truncated: [Bool]
    /// For finished copies: the observation the episode ended on, encoded and normalised.
    var finalObservations: [[Float]?]
    var dones: [Bool] { zip(terminated, truncated).map { $0 || $1 } }
}

/// Steps copies of an environment for a learner: Stable-Baselines3's `DummyVecEnv` (a finished
/// copy is reset at once, its last observation kept), `Monitor` statistics on raw rewards, and
/// `VecNormalize` when the agent normalises.
final class EnvironmentDriver {
    let envs: SyncVectorEnvironment
    let observationLayout: ObservationLayout
    let actionLayout: ActionLayout
    var normalizer: ObservationNormalizer?
    var tracker: EpisodeTracker
    private(set) var observations: [[Float]] = []
    var steps = 0

    init(make: () throws -> Environment, count: Int, observationLayout: ObservationLayout, actionLayout: ActionLayout,
         normalizer: ObservationNormalizer?) throws {
        envs = try SyncVectorEnvironment(make, count: count, autoreset: .sameStep)
        self.observationLayout = observationLayout; self.actionLayout = actionLayout
        self.normalizer = normalizer
        tracker = EpisodeTracker(count: count)
    }

    var count: Int { envs.count }

    /// Resets every copy (copy i with `seed + i`).
    func reset(seed: UInt64) {
        let raw = envs.reset(seed: seed).map(observationLayout.encode)
        if var n = normalizer { observations = n.observe(raw); normalizer = n } else { observations = raw }
    }

    /// The environment action for a network action (`[index]` for discrete spaces).
    func environmentAction(_ a: [Float]) -> Action {
        if let n = actionLayout.discrete {
            let i = a.first.map { $0.isFinite ? Int(Swift.min(Swift.max($0, 0), Float(n - 1))) : 0 } ?? 0
            return .discrete(i)
        }
        return .continuous(a)
    }

    /// Steps every copy.
    func step(_ actions: [[Float]]) throws -> DriverStep {
        let results = try envs.step(actions.map(environmentAction))
        steps += results.count
        let raw = results.map(\.reward)
        let terminated = results.map(\.terminated), truncated = results.map(\.truncated)
        let dones = zip(terminated, truncated).map { $0 || $1 }
        tracker.record(rewards: raw, dones: dones)
        var next = results.map { observationLayout.encode($0.observation) }
        var finals: [[Float]?] = envs.finalObservations.map { $0.map(observationLayout.encode) }
        var rewards = raw
        if var n = normalizer {
            next = n.observe(next)
            finals = finals.map { $0.map(n.normalize) }
            rewards = n.scaleRewards(raw, dones: dones)
            normalizer = n
        }
        observations = next
        return DriverStep(observations: next, rewards: rewards, terminated: terminated, truncated: truncated, finalObservations: finals)
    }
}

/// Training progress shared by the loops: the budget, the clock, the report cadence and the
/// periodic evaluations (SB3's `EvalCallback`).
struct TrainingProgress {
    let totalSteps: Int
    let started = Date()
    let reportEvery: Int
    var nextReport: Int
    let report: (DeepTrainingLog) -> Void
    /// Called with the driver every `checkpointEvery` steps and once at the end (nil: never).
    var checkpoint: ((EnvironmentDriver) throws -> Void)?
    var checkpointEvery = Int.max
    var nextCheckpoint = Int.max
    var lastCheckpoint = -1
    var lastReport = -1

    init(totalSteps: Int, report: @escaping (DeepTrainingLog) -> Void) {
        self.totalSteps = totalSteps
        reportEvery = Swift.max(totalSteps / 50, 1)
        nextReport = reportEvery
        self.report = report
    }

    /// SB3's `progress_remaining`: 1 at the start, 0 when the budget is spent.
    func remaining(_ steps: Int) -> Double { Swift.max(1 - Double(steps) / Double(Swift.max(totalSteps, 1)), 0) }

    /// Reports when `steps` passed the next report point (or at the end), and runs the checkpoint
    /// when it passed the next evaluation point (or at the end).
    mutating func maybeReport(_ driver: EnvironmentDriver, metrics: [(name: String, value: Double)], force: Bool = false) throws {
        if let checkpoint, driver.steps != lastCheckpoint, force || driver.steps >= nextCheckpoint {
            while nextCheckpoint <= driver.steps { nextCheckpoint += checkpointEvery }
            lastCheckpoint = driver.steps
            try checkpoint(driver)
        }
        guard driver.steps != lastReport, force || driver.steps >= nextReport else { return }
        while nextReport <= driver.steps { nextReport += reportEvery }
        lastReport = driver.steps
        report(DeepTrainingLog(steps: driver.steps, episodes: driver.tracker.episodes, meanReturn: driver.tracker.meanReturn,
                               meanLength: driver.tracker.meanLength, seconds: Date().timeIntervalSince(started), metrics: metrics))
    }
}

extension NumPyGenerator {
    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, integers(0, i + 1)) } }
        return p
    }

    /// `count` standard normal draws as floats.
    mutating func normals(_ count: Int) -> [Float] { (0..<count).map { _ in Float(normal()) } }
}

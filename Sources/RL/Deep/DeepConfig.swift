import Foundation

/// The deep reinforcement-learning algorithms `swiftlearn rl train --algo` knows.
public enum DeepAlgorithm: String, CaseIterable, Sendable, Codable {
    case ppo, a2c, reinforce, dqn, sac, td3, ddpg
    /// Behaviour cloning from an expert's recorded episodes (the `imitation` library's `BC`).
    case bc

    /// Whether the algorithm learns from a replay buffer (one environment, `train_freq`).
    public var isOffPolicy: Bool { [.dqn, .sac, .td3, .ddpg].contains(self) }
}

/// A value that changes with training progress, as Stable-Baselines3 schedules do: called with
/// `progress_remaining`, 1 at the start and 0 at the end. rl-zoo writes the linear one `lin_X`.
public enum Schedule: Sendable, Equatable, CustomStringConvertible {
    /// The same value throughout.
    case constant(Double)
    /// `X · progress_remaining` (rl-zoo's `lin_X`): from X down to 0.
    case linear(Double)

    /// The value at `progressRemaining` (1 → 0).
    public func value(progressRemaining p: Double) -> Double {
        switch self {
        case .constant(let x): return x
        case .linear(let x): return x * p
        }
    }

    /// The starting value.
    public var initial: Double { value(progressRemaining: 1) }

    /// Parses `0.001`, `1e-3` or `lin_0.001`; nil when it is neither.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("lin_"), let x = Double(t.dropFirst(4)), x.isFinite { self = .linear(x) }
        else if let x = Double(t), x.isFinite { self = .constant(x) }
        else { return nil }
    }

    public var description: String {
        switch self {
        case .constant(let x): return formatSetting(x)
        case .linear(let x): return "lin_" + formatSetting(x)
        }
    }
}

/// Shortest round-tripping text of a number (integers without a fraction).
func formatSetting(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return "\(x)"
}

/// Every hyper-parameter of the deep learners, named as Stable-Baselines3 (and rl-zoo) name
/// them, so a zoo configuration carries over key for key. A few keys SB3 keeps elsewhere are
/// flattened: `net_arch`, `activation_fn`, `ortho_init` and `log_std_init` (SB3's
/// `policy_kwargs`), `normalize` and `n_envs` (rl-zoo's), `noise_type`/`noise_std` (rl-zoo's
/// action noise), and the DQN extensions `double_q`, `dueling`, `prioritized_replay*` (the names
/// Stable-Baselines 2 used).
public enum DeepKey: String, CaseIterable, Sendable {
    case learningRate = "learning_rate", gamma, nEnvs = "n_envs", normalize
    case netArch = "net_arch", activationFn = "activation_fn", orthoInit = "ortho_init", logStdInit = "log_std_init"
    case nSteps = "n_steps", batchSize = "batch_size", nEpochs = "n_epochs", gaeLambda = "gae_lambda"
    case clipRange = "clip_range", clipRangeVf = "clip_range_vf", normalizeAdvantage = "normalize_advantage"
    case entCoef = "ent_coef", vfCoef = "vf_coef", maxGradNorm = "max_grad_norm", targetKl = "target_kl"
    case useRmsProp = "use_rms_prop", rmsPropEps = "rms_prop_eps"
    case nEpisodes = "n_episodes", baseline
    case bufferSize = "buffer_size", learningStarts = "learning_starts", tau, trainFreq = "train_freq"
    case gradientSteps = "gradient_steps", targetUpdateInterval = "target_update_interval"
    case explorationFraction = "exploration_fraction", explorationInitialEps = "exploration_initial_eps"
    case explorationFinalEps = "exploration_final_eps"
    case doubleQ = "double_q", dueling, prioritizedReplay = "prioritized_replay"
    case prioritizedReplayAlpha = "prioritized_replay_alpha", prioritizedReplayBeta0 = "prioritized_replay_beta0"
    case prioritizedReplayEps = "prioritized_replay_eps"
    case targetEntropy = "target_entropy", nCritics = "n_critics"
    case policyDelay = "policy_delay", targetPolicyNoise = "target_policy_noise", targetNoiseClip = "target_noise_clip"
    case noiseType = "noise_type", noiseStd = "noise_std"
    case entWeight = "ent_weight", l2Weight = "l2_weight"

    /// What a value of this key may be.
    enum Kind {
        case number(ClosedRange<Double>), integer(ClosedRange<Int>), flag, schedule(ClosedRange<Double>)
        case optionalNumber(ClosedRange<Double>), list, choice([String]), entropyCoefficient, autoOrNumber, trainFrequency
    }

    var kind: Kind {
        switch self {
        case .learningRate: return .schedule(0...10)
        case .gamma, .gaeLambda, .tau, .explorationFraction, .explorationInitialEps, .explorationFinalEps,
             .prioritizedReplayAlpha, .prioritizedReplayBeta0: return .number(0...1)
        case .nEnvs: return .integer(1...1024)
        case .normalize, .orthoInit, .normalizeAdvantage, .useRmsProp, .baseline, .doubleQ, .dueling, .prioritizedReplay: return .flag
        case .netArch: return .list
        case .activationFn: return .choice(["tanh", "relu", "elu", "leaky_relu"])
        case .logStdInit: return .number(-20...2)
        case .nSteps: return .integer(1...1_000_000)
        case .batchSize: return .integer(1...1_000_000)
        case .nEpochs: return .integer(1...10_000)
        case .clipRange: return .schedule(0...100)
        case .clipRangeVf: return .optionalNumber(0...1e6)
        case .entCoef: return .entropyCoefficient
        case .vfCoef: return .number(0...1e6)
        case .maxGradNorm: return .number(0...1e9)
        case .targetKl: return .optionalNumber(0...1e6)
        case .rmsPropEps, .prioritizedReplayEps: return .number(0...1)
        case .nEpisodes: return .integer(1...100_000)
        case .bufferSize: return .integer(1...100_000_000)
        case .learningStarts: return .integer(0...1_000_000_000)
        case .trainFreq: return .trainFrequency
        case .gradientSteps: return .integer(-1...1_000_000)
        case .targetUpdateInterval: return .integer(1...1_000_000_000)
        case .targetEntropy: return .autoOrNumber
        case .nCritics: return .integer(1...16)
        case .policyDelay: return .integer(1...1_000_000)
        case .targetPolicyNoise, .targetNoiseClip, .noiseStd: return .number(0...1e6)
        case .noiseType: return .choice(["none", "normal", "ornstein-uhlenbeck"])
        case .entWeight, .l2Weight: return .number(0...1e6)
        }
    }

    /// Stable-Baselines3's default for `algorithm` (text as `--set` takes it); nil when the key
    /// does not belong to that algorithm.
    func defaultValue(_ a: DeepAlgorithm) -> String? {
        let onPolicy: Set<DeepAlgorithm> = [.ppo, .a2c, .reinforce, .bc]
        let offPolicy: Set<DeepAlgorithm> = [.dqn, .sac, .td3, .ddpg]
        let actorCritic: Set<DeepAlgorithm> = [.sac, .td3, .ddpg]
        switch self {
        case .learningRate:
            switch a { case .ppo: return "0.0003"; case .a2c: return "0.0007"; case .reinforce, .bc: return "0.001"
            case .dqn: return "0.0001"; case .sac: return "0.0003"; case .td3, .ddpg: return "0.001" }
        case .gamma: return a == .bc ? nil : "0.99"
        case .nEnvs: return [.ppo, .a2c, .reinforce].contains(a) ? "1" : nil
        case .normalize: return a == .bc ? nil : "false"
        case .netArch:
            switch a { case .ppo, .a2c, .reinforce, .dqn: return "64,64"; case .bc: return "32,32"; case .sac: return "256,256"; case .td3, .ddpg: return "400,300" }
        case .activationFn: return onPolicy.contains(a) ? "tanh" : "relu"
        case .orthoInit: return [.ppo, .a2c, .bc].contains(a) ? "true" : (a == .reinforce ? "false" : nil)
        case .logStdInit: return onPolicy.contains(a) ? "0" : nil
        case .nSteps: return a == .ppo ? "2048" : a == .a2c ? "5" : nil
        case .batchSize:
            switch a { case .ppo: return "64"; case .dqn, .bc: return "32"; case .sac, .td3, .ddpg: return "256"; default: return nil }
        case .nEpochs: return a == .ppo || a == .bc ? "10" : nil
        case .gaeLambda: return a == .ppo ? "0.95" : a == .a2c ? "1" : nil
        case .clipRange: return a == .ppo ? "0.2" : nil
        case .clipRangeVf, .targetKl: return a == .ppo ? "none" : nil
        case .normalizeAdvantage: return a == .ppo ? "true" : a == .a2c ? "false" : a == .reinforce ? "true" : nil
        case .entCoef: return [.ppo, .a2c, .reinforce].contains(a) ? "0" : a == .sac ? "auto" : nil
        case .vfCoef: return [.ppo, .a2c, .reinforce].contains(a) ? "0.5" : nil
        case .maxGradNorm: return [.ppo, .a2c, .reinforce].contains(a) ? "0.5" : a == .dqn ? "10" : nil
        case .useRmsProp: return a == .a2c ? "true" : nil
        case .rmsPropEps: return a == .a2c ? "0.00001" : nil
        case .nEpisodes: return a == .reinforce ? "4" : a == .bc ? "10" : nil
        case .baseline: return a == .reinforce ? "true" : nil
        case .bufferSize: return offPolicy.contains(a) ? "1000000" : nil
        case .learningStarts: return offPolicy.contains(a) ? "100" : nil
        case .tau: return a == .dqn ? "1" : actorCritic.contains(a) ? "0.005" : nil
        case .trainFreq: return a == .dqn ? "4" : actorCritic.contains(a) ? "1" : nil
        case .gradientSteps: return offPolicy.contains(a) ? "1" : nil
        case .targetUpdateInterval: return a == .dqn ? "10000" : a == .sac ? "1" : nil
        case .explorationFraction: return a == .dqn ? "0.1" : nil
        case .explorationInitialEps: return a == .dqn ? "1" : nil
        case .explorationFinalEps: return a == .dqn ? "0.05" : nil
        case .doubleQ, .dueling, .prioritizedReplay: return a == .dqn ? "false" : nil
        case .prioritizedReplayAlpha: return a == .dqn ? "0.6" : nil
        case .prioritizedReplayBeta0: return a == .dqn ? "0.4" : nil
        case .prioritizedReplayEps: return a == .dqn ? "0.000001" : nil
        case .targetEntropy: return a == .sac ? "auto" : nil
        case .nCritics: return a == .sac || a == .td3 ? "2" : a == .ddpg ? "1" : nil
        case .policyDelay: return a == .td3 ? "2" : a == .ddpg ? "1" : nil
        case .targetPolicyNoise: return a == .td3 ? "0.2" : a == .ddpg ? "0" : nil
        case .targetNoiseClip: return a == .td3 ? "0.5" : a == .ddpg ? "0" : nil
        case .noiseType: return a == .td3 || a == .ddpg ? "none" : nil
        case .noiseStd: return a == .td3 || a == .ddpg ? "0.1" : nil
        case .entWeight: return a == .bc ? "0.001" : nil
        case .l2Weight: return a == .bc ? "0" : nil
        }
    }
}

/// How often an off-policy learner trains: every `count` steps or every `count` episodes
/// (Stable-Baselines3's `TrainFreq`; rl-zoo writes the second `[1, "episode"]`).
public struct TrainFrequency: Sendable, Equatable {
    /// How many steps (or episodes) between training rounds.
    public var count: Int
    /// Whether `count` counts episodes.
    public var perEpisode: Bool
    /// Every `count` steps, or episodes with `perEpisode`.
    public init(count: Int, perEpisode: Bool) { self.count = count; self.perEpisode = perEpisode }
}

/// The hyper-parameters of one deep learner: Stable-Baselines3's defaults for the algorithm,
/// then rl-zoo's values for the environment where it has them, then `--set key=value`
/// overrides. Every value is checked when set (a saved file is re-checked the same way).
public struct DeepConfig: Sendable, Equatable, Codable {
    /// The algorithm the settings are for.
    public let algorithm: DeepAlgorithm
    /// Each setting's canonical text, by SB3 name.
    public private(set) var values: [String: String]

    /// Stable-Baselines3's defaults.
    public init(_ algorithm: DeepAlgorithm) {
        self.algorithm = algorithm
        var v: [String: String] = [:]
        for k in DeepKey.allCases { if let d = k.defaultValue(algorithm) { v[k.rawValue] = (try? Self.canonical(k, d)) ?? d } }
        values = v
    }

    /// The keys this algorithm takes.
    public var keys: [String] { DeepKey.allCases.filter { $0.defaultValue(algorithm) != nil }.map(\.rawValue) }

    /// Applies `key=value`: an unknown key, a key of another algorithm, or a value of the wrong
    /// kind or out of range is an error naming what is accepted.
    public mutating func set(_ key: String, _ text: String) throws {
        let aliases = ["policy_kwargs.net_arch": "net_arch", "noise": "noise_type"]
        let name = aliases[key] ?? key
        guard let k = DeepKey(rawValue: name), k.defaultValue(algorithm) != nil else {
            throw RLError.invalidArgument("unknown \(algorithm.rawValue) setting '\(key)' (known: \(keys.joined(separator: ", ")))")
        }
        values[k.rawValue] = try Self.canonical(k, text)
    }

    /// Checks and normalises one value.
    static func canonical(_ k: DeepKey, _ raw: String) throws -> String {
        let text = raw.trimmingCharacters(in: .whitespaces)
        func bad(_ what: String) -> RLError { .invalidArgument("\(k.rawValue) must be \(what), got '\(raw)'") }
        func number(_ range: ClosedRange<Double>) throws -> Double {
            guard let x = Double(text), x.isFinite, range.contains(x) else { throw bad("a number in [\(formatSetting(range.lowerBound)), \(formatSetting(range.upperBound))]") }
            return x
        }
        switch k.kind {
        case .number(let r): return formatSetting(try number(r))
        case .integer(let r):
            guard let i = Int(text), r.contains(i) else { throw bad("an integer in \(r.lowerBound)…\(r.upperBound)") }
            return String(i)
        case .flag:
            switch text.lowercased() {
            case "true", "1", "yes": return "true"
            case "false", "0", "no": return "false"
            default: throw bad("true or false")
            }
        case .schedule(let r):
            guard let s = Schedule(parsing: text), r.contains(s.initial) else {
                throw bad("a number in [\(formatSetting(r.lowerBound)), \(formatSetting(r.upperBound))] or lin_X")
            }
            return s.description
        case .optionalNumber(let r):
            if ["none", "null", ""].contains(text.lowercased()) { return "none" }
            return formatSetting(try number(r))
        case .list:
            let inner = text.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
            let parts = inner.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let sizes = inner.isEmpty ? [] : parts.map { Int($0) }
            guard sizes.count <= 16, sizes.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 65_536 }) else {
                throw bad("layer widths like 64,64 (at most 16 layers of 1–65536 units)")
            }
            return sizes.map { String($0!) }.joined(separator: ",")
        case .choice(let options):
            let aliases = ["nn.tanh": "tanh", "nn.relu": "relu", "nn.elu": "elu", "nn.leakyrelu": "leaky_relu", "ornstein_uhlenbeck": "ornstein-uhlenbeck"]
            let t = aliases[text.lowercased()] ?? text.lowercased()
            guard options.contains(t) else { throw bad("one of \(options.joined(separator: ", "))") }
            return t
        case .entropyCoefficient:
            if text == "auto" { return "auto" }
            if text.hasPrefix("auto_"), let x = Double(text.dropFirst(5)), x.isFinite, x > 0 { return "auto_" + formatSetting(x) }
            return formatSetting(try number(0...1e6))
        case .autoOrNumber:
            if text == "auto" { return "auto" }
            return formatSetting(try number(-1e6...1e6))
        case .trainFrequency:
            // 4, "4 step", "[1, episode]", "1_episode"
            let cleaned = text.lowercased().filter { !"[]()\"' ".contains($0) }.replacingOccurrences(of: "_", with: ",")
            let parts = cleaned.split(separator: ",").map(String.init)
            guard let n = parts.first.flatMap({ Int($0) }), n >= 1, n <= 1_000_000,
                  parts.count == 1 || (parts.count == 2 && ["step", "steps", "episode", "episodes"].contains(parts[1])) else {
                throw bad("N, N_step or N_episode (N ≥ 1)")
            }
            return parts.count == 2 && parts[1].hasPrefix("episode") ? "\(n)_episode" : String(n)
        }
    }

    // MARK: Typed reads (the values were checked when set, so these only convert)

    func text(_ k: DeepKey) -> String { values[k.rawValue] ?? k.defaultValue(algorithm) ?? "" }
    /// A number setting.
    public func double(_ k: DeepKey) -> Double { Double(text(k)) ?? 0 }
    /// An integer setting.
    public func int(_ k: DeepKey) -> Int { Int(text(k)) ?? 0 }
    /// A true/false setting.
    public func flag(_ k: DeepKey) -> Bool { text(k) == "true" }
    /// A schedule setting (`learning_rate`, `clip_range`).
    public func schedule(_ k: DeepKey) -> Schedule { Schedule(parsing: text(k)) ?? .constant(0) }
    /// A setting that may be `none`.
    public func optional(_ k: DeepKey) -> Double? { Double(text(k)) }
    /// `net_arch`'s layer widths.
    public var netArch: [Int] { text(.netArch).split(separator: ",").compactMap { Int($0) } }
    /// `train_freq`.
    public var trainFrequency: TrainFrequency {
        let t = text(.trainFreq)
        return TrainFrequency(count: Int(t.split(separator: "_").first ?? "1") ?? 1, perEpisode: t.hasSuffix("_episode"))
    }

    // MARK: Files

    enum CodingKeys: String, CodingKey { case algorithm, values }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let algorithm = try c.decode(DeepAlgorithm.self, forKey: .algorithm)
        var config = DeepConfig(algorithm)
        for (k, v) in try c.decode([String: String].self, forKey: .values) {
            do { try config.set(k, v) } catch let e as RLError {
                throw DecodingError.dataCorruptedError(forKey: .values, in: c, debugDescription: e.description)
            }
        }
        self = config
    }

    /// Settings in key order, `key=value` (what a run prints).
    public var summary: String { keys.map { "\($0)=\(values[$0] ?? "")" }.joined(separator: " ") }
}

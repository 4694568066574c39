import Foundation

/// A trained tabular agent on disk (JSON): what `swiftlearn rl train --save` writes and
/// `rl eval`/`rl play --load` read. The environment id and options are kept so the agent is
/// evaluated on what it was trained on.
public struct SavedTabularAgent: Codable, Sendable, Equatable {
    /// The `format` field every saved agent carries.
    public static let format = "swiftlearn-rl-tabular"
    /// Files over this size are refused before they are read.
    public static let maxFileBytes = 256 << 20

    /// Must equal ``format``.
    public var format: String
    /// The file layout version (1).
    public var version: Int
    /// The `rl train --algo` name that produced it.
    public var algo: String
    /// The environment id it was trained on.
    public var env: String
    /// The environment options it was trained with.
    public var envOptions: [String: String]
    /// The learner's settings.
    public var config: TabularConfig
    /// The action values, `q[state][action]`.
    public var q: [[Double]]
    /// Double Q-learning's second table.
    public var q2: [[Double]]?

    enum CodingKeys: String, CodingKey { case format, version, algo, env, envOptions = "env_options", config, q, q2 }

    /// The file for a trained learner.
    public init(agent: TabularAgent, algo: String, env: String, envOptions: [String: String]) {
        format = Self.format; version = 1; self.algo = algo; self.env = env; self.envOptions = envOptions
        config = agent.config; q = agent.q
        q2 = agent.method == .doubleQLearning ? agent.q2 : nil
    }

    /// A greedy-policy agent from a dynamic-programming solution (its Q).
    public init(q: [[Double]], algo: String, env: String, envOptions: [String: String], config: TabularConfig) {
        format = Self.format; version = 1; self.algo = algo; self.env = env; self.envOptions = envOptions
        self.config = config; self.q = q; q2 = nil
    }

    /// Writes the JSON atomically.
    public func write(to url: URL) throws {
        let data = try JSONEncoder().encode(self)
        try data.write(to: url, options: .atomic)
    }

    /// Parses and checks a saved agent.
    public static func decode(_ data: Data, path: String = "agent") throws -> SavedTabularAgent {
        let a: SavedTabularAgent
        do { a = try JSONDecoder().decode(SavedTabularAgent.self, from: data) } catch {
            throw RLError.invalidFile(path: path, reason: "not a saved SwiftLearn RL agent (\(error))")
        }
        guard a.format == format else { throw RLError.invalidFile(path: path, reason: "format is '\(a.format)', expected '\(format)'") }
        guard a.version == 1 else { throw RLError.invalidFile(path: path, reason: "version \(a.version) is not supported (1 is)") }
        _ = try a.agent(path: path)
        return a
    }

    /// Reads and checks a saved agent (size-checked before reading).
    public static func read(_ url: URL) throws -> SavedTabularAgent {
        try decode(readAgentFile(url, maxBytes: maxFileBytes), path: url.path)
    }

    /// The agent, checked: a known method (or a DP solver), finite rectangular tables.
    public func agent(path: String = "agent") throws -> TabularAgent {
        let method = TabularMethod(rawValue: algo) ?? (["value-iteration", "policy-iteration"].contains(algo) ? .qLearning : nil)
        guard let method else {
            throw RLError.invalidFile(path: path, reason: "unknown algo '\(algo)'")
        }
        do { return try TabularAgent(method: method, q: q, q2: q2, config: config) } catch let e as RLError {
            throw RLError.invalidFile(path: path, reason: e.description)
        }
    }
}

/// A saved agent's bytes, its size checked before anything is read (a missing, unreadable or
/// oversized file is an ``RLError/invalidFile(path:reason:)``).
func readAgentFile(_ url: URL, maxBytes: Int) throws -> Data {
    let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
    guard let size else { throw RLError.invalidFile(path: url.path, reason: "cannot be read") }
    guard size <= maxBytes else { throw RLError.invalidFile(path: url.path, reason: "larger than \(maxBytes >> 20) MiB") }
    do { return try Data(contentsOf: url) } catch {
        throw RLError.invalidFile(path: url.path, reason: "cannot be read (\(error.localizedDescription))")
    }
}

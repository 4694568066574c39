import Foundation
import Neural
import Tensors

/// Saving and loading deep agents: one safetensors file whose tensors are the networks' state
/// dicts under `policy.` / `q_net.` / `actor.` / `critic.` … prefixes (loadable with
/// `safetensors.torch.load_file`), and whose `__metadata__` holds the format tag, algorithm,
/// environment, settings and observation statistics as JSON strings.
extension DeepAgent {
    /// The `format` metadata value every saved deep agent carries.
    public static let fileFormat = "swiftlearn-rl-deep"
    /// Files over this size are refused before they are read.
    public static let maxFileBytes = 2 << 30

    /// Writes the agent atomically.
    public func save(to url: URL) throws {
        var tensors: [(name: String, tensor: Tensor)] = []
        for (prefix, module) in modules {
            for (k, t) in module.orderedStateDict() { tensors.append((prefix + "." + k, t.contiguous())) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ v: T) throws -> String { String(decoding: try encoder.encode(v), as: UTF8.self) }
        var metadata = ["format": Self.fileFormat, "version": "1", "algo": algorithm.rawValue, "env": envID,
                        "env_options": try json(envOptions), "config": try json(config), "seed": String(seed)]
        if let normalizer { metadata["normalizer"] = try json(normalizer) }
        if let maxEpisodeSteps { metadata["max_episode_steps"] = String(maxEpisodeSteps) }
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        do {
            try Tensor.save(safetensors: tensors, metadata: metadata, to: tmp)
            _ = try? FileManager.default.removeItem(at: url)
            try FileManager.default.moveItem(at: tmp, to: url)
        } catch {
            _ = try? FileManager.default.removeItem(at: tmp)
            throw RLError.invalidFile(path: url.path, reason: "cannot be written (\(error))")
        }
    }

    /// Whether a file looks like a saved deep agent (a safetensors header), as opposed to a
    /// tabular agent's JSON.
    public static func isDeepAgentFile(_ url: URL) -> Bool {
        guard let h = FileHandle(forReadingAtPath: url.path) else { return false }
        defer { try? h.close() }
        guard let first = try? h.read(upToCount: 9), first.count == 9 else { return false }
        // An 8-byte little-endian header length below 100 MB, then the header's `{`.
        let length = first.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        return length < 100_000_000 && first[8] == UInt8(ascii: "{")
    }

    /// Reads and checks a saved agent (size-checked before reading; see ``decode(_:path:)``).
    public static func load(from url: URL) throws -> DeepAgent {
        try decode([UInt8](readAgentFile(url, maxBytes: maxFileBytes)), path: url.path)
    }

    /// Checks and builds a saved agent from its bytes: format and version, a known algorithm and
    /// environment, valid settings, a state dict that fits the networks exactly, finite float32
    /// weights. Every problem is an ``RLError/invalidFile(path:reason:)``.
    public static func decode(_ bytes: [UInt8], path: String = "agent") throws -> DeepAgent {
        func bad(_ reason: String) -> RLError { .invalidFile(path: path, reason: reason) }
        let loaded: (tensors: [(name: String, tensor: Tensor)], metadata: [String: String])
        do {
            let contents = try Safetensors.decode(bytes)
            loaded = (contents.tensors.map { ($0.name, Tensor(payload: $0.payload)) }, contents.metadata)
        } catch { throw bad("not a safetensors file (\(error))") }
        let m = loaded.metadata
        guard m["format"] == fileFormat else { throw bad("format is '\(m["format"] ?? "none")', expected '\(fileFormat)'") }
        guard m["version"] == "1" else { throw bad("version \(m["version"] ?? "none") is not supported (1 is)") }
        guard let algo = m["algo"].flatMap(DeepAlgorithm.init(rawValue:)) else { throw bad("unknown algo '\(m["algo"] ?? "none")'") }
        guard let env = m["env"] else { throw bad("no env") }
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            guard let text = m[key] else { throw bad("no \(key)") }
            do { return try decoder.decode(T.self, from: Data(text.utf8)) } catch { throw bad("\(key): \(error)") }
        }
        let options = try decode([String: String].self, "env_options")
        let config = try decode(DeepConfig.self, "config")
        guard config.algorithm == algo else { throw bad("config is for \(config.algorithm.rawValue), algo is \(algo.rawValue)") }
        let seed = m["seed"].flatMap { UInt64($0) } ?? 0
        let maxSteps = try m["max_episode_steps"].map { text -> Int in
            guard let n = Int(text), n >= 1 else { throw bad("max_episode_steps '\(text)' is not a positive integer") }
            return n
        }
        let agent: DeepAgent
        do { agent = try DeepAgent(algo, env: env, options: options, maxEpisodeSteps: maxSteps, config: config, seed: seed) } catch let e as RLError {
            throw bad(e.description)
        }
        if m["normalizer"] != nil {
            let n = try decode(ObservationNormalizer.self, "normalizer")
            guard n.observations.mean.count == agent.observationLayout.width, n.returnStats.mean.count == 1,
                  (n.observations.mean + n.observations.variance + n.returnStats.variance).allSatisfy(\.isFinite),
                  n.observations.variance.allSatisfy({ $0 >= 0 }), n.clipObservation > 0, n.epsilon >= 0 else {
                throw bad("normalizer statistics do not fit the observation space")
            }
            agent.normalizer = n
        }
        var byModule: [String: [String: Tensor]] = [:]
        for (name, t) in loaded.tensors {
            guard let dot = name.firstIndex(of: ".") else { throw bad("tensor '\(name)' has no module prefix") }
            guard t.dtype == .float32 else { throw bad("tensor '\(name)' is \(t.dtype), expected float32") }
            guard t.toArray(as: Float.self).allSatisfy(\.isFinite) else { throw bad("tensor '\(name)' has non-finite values") }
            byModule[String(name[..<dot]), default: [:]][String(name[name.index(after: dot)...])] = t
        }
        let expected = Set(agent.modules.map(\.0))
        if let extra = byModule.keys.first(where: { !expected.contains($0) }) { throw bad("unexpected module '\(extra)'") }
        for (prefix, module) in agent.modules {
            do { try module.loadStateDict(byModule[prefix] ?? [:], strict: true) } catch {
                throw bad("\(prefix): \(error)")
            }
        }
        return agent
    }
}

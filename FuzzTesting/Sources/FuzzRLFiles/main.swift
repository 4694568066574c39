// libFuzzer target: the RL module's readers of outside data. The first byte picks the reader:
// a saved tabular agent (JSON), a saved deep agent (safetensors + metadata), or an environment made from `key=value` options (as `rl env
// --env-option` passes them) and stepped with actions and a set state decoded from the rest
// (as `rl env --actions/--state` pass them). Everything must throw RLError, never crash or hang.
import Foundation
import RL

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let rest = Data(bytes[1...])
    switch bytes[0] % 4 {
    case 3:
        // A saved deep agent: loaded, then asked for actions on its own environment.
        if let agent = try? DeepAgent.decode([UInt8](rest)), let env = try? Environments.make(agent.envID, options: agent.envOptions, maxEpisodeSteps: 20) {
            var o = env.reset(seed: 0)
            for _ in 0..<20 {
                guard let r = try? env.step(agent.action(for: o)) else { break }
                if r.done { break }
                o = r.observation
            }
        }
    case 0:
        if let saved = try? SavedTabularAgent.decode(rest), let agent = try? saved.agent() {
            _ = agent.greedy(0)
            if let env = try? Environments.make(saved.env, options: saved.envOptions, maxEpisodeSteps: 50),
               env.observationSpace.cardinality == agent.stateCount, env.actionSpace.actionCount == agent.actionCount {
                _ = try? agent.evaluate(env, episodes: 2, seed: 0, maxSteps: 50)
            }
        }
    case 1:
        // "ID\nkey=value\nkey=value…\n--\nstate…\n--\nactions"
        guard let text = String(data: rest, encoding: .utf8) else { return 0 }
        let sections = text.components(separatedBy: "\n--\n")
        let head = sections[0].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let ids = Environments.ids
        let id = ids.first { $0 == head.first } ?? ids[Int(bytes[0] / 4) % ids.count]
        var options: [String: String] = [:]
        for line in head.dropFirst().prefix(8) {
            guard let eq = line.firstIndex(of: "=") else { continue }
            options[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard let env = try? Environments.make(id, options: options, maxEpisodeSteps: 200) else { return 0 }
        _ = env.reset(seed: UInt64(count))
        if sections.count > 1, let stateful = env.unwrapped as? StatefulEnvironment {
            let values = sections[1].split(separator: ",").prefix(64).compactMap { Double($0) }
            _ = try? stateful.setState(values)
        }
        let actions = (sections.count > 2 ? sections[2] : "").split(separator: ",").prefix(300)
        for a in actions {
            let parts = a.split(separator: ":").prefix(8).compactMap { Double($0) }
            let action: Action = env.actionSpace.actionCount != nil ? .discrete(Int(exactly: parts.first ?? 0.5) ?? -1)
                : .continuous(parts.map { Float($0) })
            guard let r = try? env.step(action) else { continue }
            if r.done { _ = env.reset(seed: nil) }
        }
        _ = env.renderText()
    default:
        // A custom FrozenLake map and a DP solve on it.
        guard let text = String(data: rest.prefix(4096), encoding: .utf8) else { return 0 }
        let rows = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let lake = try? FrozenLake(map: rows, isSlippery: bytes[0] & 8 != 0), lake.stateCount <= 400,
              let mdp = try? TabularMDP(lake) else { return 0 }
        _ = try? DynamicProgramming.valueIteration(mdp, gamma: 0.9, theta: 1e-6, maxIterations: 200)
        _ = lake.reset(seed: 1)
        _ = try? lake.step(.discrete(1))
        _ = lake.renderText()
    }
    return 0
}

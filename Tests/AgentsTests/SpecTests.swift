import Agents
import Foundation
import Testing

@Suite struct SpecFileTests {
    private let minimal = """
    name: demo
    process: react
    agents:
      - name: helper
        role: assistant
        max_steps: 3
    """

    @Test func yamlSpecParses() throws {
        let spec = try AgentSpec.parse(minimal, yaml: true)
        #expect(spec.name == "demo")
        #expect(spec.agents.map(\.name) == ["helper"])
        #expect(spec.agents[0].maxSteps == 3)
    }

    @Test func anchorsAndAliasesAreResolved() throws {
        let yaml = """
        name: demo
        process: debate
        agents:
          - &a {name: pro, role: debater}
          - {name: con, role: *role}
        extra: &role debater
        """
        // An alias used before its anchor is a YAML error, thrown, not a crash.
        #expect(throws: AgentError.self) { try AgentSpec.parse(yaml, yaml: true) }
        let ok = """
        name: demo
        process: debate
        role: &role debater
        agents:
          - {name: pro, role: *role}
          - {name: con, role: *role}
        """
        #expect(try AgentSpec.parse(ok, yaml: true).agents.map(\.role) == ["debater", "debater"])
    }

    /// The fuzzer's find (FuzzTesting/Regressions/FuzzAgentFiles/): a sequence used as a mapping
    /// key made Yams' `load(yaml:)` force-unwrap nil and abort the process.
    @Test func aNonScalarMappingKeyIsAnError() {
        for yaml in ["nas:\n?  - nam\nset: debate\n", "? [a, b]\n: c\n", "{? {x: 1}: y}\n"] {
            #expect(throws: AgentError.self) { try AgentSpec.parse(yaml, yaml: true) }
            #expect(throws: AgentError.self) { try AgentEvalSuite.parse(yaml, yaml: true) }
        }
    }

    @Test func aliasBombIsRefusedNotExpanded() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<9 { yaml += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        do {
            _ = try AgentSpec.parse(yaml, yaml: true)
            Issue.record("an alias bomb parsed")
        } catch let error as AgentError {
            #expect("\(error)".contains("YAML nodes"))
        } catch { Issue.record("unexpected \(error)") }
    }

    /// libyaml stops at 1000 levels; Yams' composer recurses once per level below that, and the
    /// converter refuses more than 64. Both flow and block nesting, on a test (non-main) thread.
    @Test func deepNestingIsRefused() {
        for depth in [200, 999, 1001, 5000] {
            let flow = "a: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            #expect(throws: AgentError.self) { try AgentSpec.parse(flow, yaml: true) }
            let block = (0..<min(depth, 1500)).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n")
            #expect(throws: AgentError.self) { try AgentSpec.parse(block, yaml: true) }
        }
    }
}

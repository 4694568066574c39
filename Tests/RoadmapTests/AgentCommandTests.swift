import SwiftLearn
import Foundation
import GRDB
import Testing

/// The repository's root (for the committed suite file).
private let repositoryFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct AgentCommandTests {
    @Test(arguments: [
        (["agent", "run", "--preset", "research"], "give a model"),
        (["agent", "run", "--preset", "nope", "--scripted", "x.json"], "--preset must be one of"),
        (["agent", "run", "spec.yaml", "--preset", "research", "--scripted", "x.json"], "not both"),
        (["agent", "run", "--preset", "research", "--llm", "a.gguf", "--scripted", "x.json"], "give one of"),
        (["agent", "run", "--preset", "research", "--endpoint", "ftp://x", "--model", "m"], "http(s) URL"),
        (["agent", "resume", "--thread", "t", "--scripted", "x.json", "--value", "{oops"], "must be JSON"),
        (["agent", "eval", "suite.yaml", "--scripted", "x.json"], "replays each task's own script"),
    ])
    func badArgumentsExit64(_ args: [String], _ hint: String) throws {
        let home = temporaryHome("agent-args")
        defer { try? FileManager.default.removeItem(at: home) }
        let r = try swiftlearn(args, home: home)
        #expect(r.status == 64, "\(args): \(r.status) \(r.err)")
        #expect(r.err.contains(hint), "\(args): \(r.err)")
    }

    @Test func badFilesExit1WithTheReason() throws {
        let home = temporaryHome("agent-files")
        defer { try? FileManager.default.removeItem(at: home) }
        let spec = home.appendingPathComponent("bad.yaml")
        try "name: x\nprocess: react\nagents: []\n".write(to: spec, atomically: true, encoding: .utf8)
        let script = home.appendingPathComponent("s.json")
        try "[{\"content\": \"hi\"}]".write(to: script, atomically: true, encoding: .utf8)
        let r = try swiftlearn(["agent", "run", spec.path, "--scripted", script.path, "--input", "x"], home: home)
        #expect(r.status == 1 && r.err.contains("'agents' is empty"), "\(r.err)")
        try "[{\"content\": 3}]".write(to: script, atomically: true, encoding: .utf8)
        let bad = try swiftlearn(["agent", "run", "--preset", "debate", "--scripted", script.path], home: home)
        #expect(bad.status == 1 && bad.err.contains("turn 1"), "\(bad.err)")
        let missing = try swiftlearn(["agent", "resume", "--thread", "nothing", "--scripted", script.path], home: home)
        #expect(missing.status == 1 && missing.err.contains("not in"), "\(missing.err)")
    }

    @Test func suiteOfTheRoadmapProjectsPasses() throws {
        let home = temporaryHome("agent-eval")
        defer { try? FileManager.default.removeItem(at: home) }
        let r = try swiftlearn(["agent", "eval", repositoryFolder.appendingPathComponent("benchmarks/agents/suite.yaml").path, "--json"], input: Data(), home: home, timeout: 300)
        #expect(r.status == 0, "\(r.out)\n\(r.err)")
        let report = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        #expect(report?["success_rate"] as? Double == 1)
    }

    @Test func approvalThenResume() throws {
        let home = temporaryHome("agent-approve")
        defer { try? FileManager.default.removeItem(at: home) }
        let spec = home.appendingPathComponent("calc.yaml")
        try """
            name: calc
            process: react
            agents:
              - name: calc
                tools: [calculator]
                approval: [calculator]
            """.write(to: spec, atomically: true, encoding: .utf8)
        let script = home.appendingPathComponent("s.json")
        try """
            [{"tool_calls": [{"id": "c1", "name": "calculator", "arguments": {"expression": "6*7"}}]}, {"content": "It is 42."}]
            """.write(to: script, atomically: true, encoding: .utf8)
        let first = try swiftlearn(["agent", "run", spec.path, "--scripted", script.path, "--input", "6 times 7?", "--thread", "q", "--json"], home: home)
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out.contains("\"status\":\"interrupted\""), "\(first.out)")
        let second = try swiftlearn(["agent", "resume", "--thread", "q", "--value", "\"approve\"", "--scripted", script.path, "--json"], home: home)
        #expect(second.out.contains("\"answer\":\"It is 42.\""), "\(second.out) \(second.err)")
        let again = try swiftlearn(["agent", "resume", "--thread", "q", "--value", "\"approve\"", "--scripted", script.path], home: home)
        #expect(again.status == 1 && again.err.contains("no interrupted run"), "\(again.err)")
    }

    /// kill -9 while a tool runs: the call that had finished is not run again, the one that had
    /// not is, and the run completes from its last checkpoint.
    @Test func killedRunResumesWithoutRepeatingFinishedToolCalls() throws {
        let home = temporaryHome("agent-crash")
        defer { try? FileManager.default.removeItem(at: home) }
        let database = home.appendingPathComponent("data.sqlite").path
        let db = try DatabaseQueue(path: database)
        try db.write { try $0.execute(sql: "CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('fast')") }
        let spec = home.appendingPathComponent("sql.yaml")
        try "name: sql\nprocess: react\nagents:\n  - name: sql\n    tools: [sql_query]\n".write(to: spec, atomically: true, encoding: .utf8)
        let slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) SELECT count(*) FROM c"
        let script = home.appendingPathComponent("s.json")
        let turns: [[String: Any]] = [
            ["tool_calls": [["id": "fast", "name": "sql_query", "arguments": ["query": "SELECT v FROM t"]],
                            ["id": "slow", "name": "sql_query", "arguments": ["query": slow]]]],
            ["content": "finished"],
        ]
        try JSONSerialization.data(withJSONObject: turns).write(to: script)
        let store = home.appendingPathComponent("agents/threads.sqlite")

        let p = Process()
        p.executableURL = swiftlearnBinary!
        p.arguments = ["agent", "run", spec.path, "--scripted", script.path, "--input", "go", "--thread", "k", "--database", database]
        var env = ProcessInfo.processInfo.environment
        env["SWIFTLEARN_HOME"] = home.path
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait until the fast call's result is saved, then kill the process while the slow one runs.
        func doneCalls() -> [String] {
            guard FileManager.default.fileExists(atPath: store.path), let q = try? DatabaseQueue(path: store.path),
                  let rows = try? q.read({ try Data.fetchAll($0, sql: "SELECT payload FROM writes WHERE thread = 'k'") }) else { return [] }
            return rows.compactMap { data -> String? in
                guard let w = try? JSONSerialization.jsonObject(with: data) as? [String: Any], w["done"] as? Bool == true,
                      let u = w["update"] as? [String: Any], let m = (u["messages"] as? [[String: Any]])?.first else { return nil }
                return m["tool_call_id"] as? String
            }
        }
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && Date() < deadline && !doneCalls().contains("fast") { usleep(20_000) }
        #expect(p.isRunning, "the run ended before it could be killed")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(doneCalls() == ["fast"], "at the kill: \(doneCalls())")

        let trace = home.appendingPathComponent("resume.jsonl")
        let r = try swiftlearn(["agent", "resume", "--thread", "k", "--scripted", script.path, "--trace", trace.path, "--json"], input: Data(),
                               home: home, timeout: 120)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("\"answer\":\"finished\""), "\(r.out)")
        // Only the slow call ran again.
        let lines = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n")
        let toolUpdates = lines.filter { $0.contains("\"type\":\"update\"") && $0.contains("\"node\":\"tools\"") }
        #expect(toolUpdates.count == 1 && toolUpdates[0].contains("\"tool_call_id\":\"slow\""), "\(toolUpdates)")
        // The thread holds each call's result once.
        let payload = try DatabaseQueue(path: store.path).read { try Data.fetchOne($0, sql: "SELECT payload FROM checkpoints WHERE thread = 'k' ORDER BY seq DESC LIMIT 1") }
        let values = (try JSONSerialization.jsonObject(with: try #require(payload)) as? [String: Any])?["values"] as? [String: Any]
        let ids = (values?["messages"] as? [[String: Any]] ?? []).compactMap { $0["tool_call_id"] as? String }
        #expect(ids.sorted() == ["fast", "slow"], "\(ids)")
    }
}

@Suite struct AgentSuiteFileTests {
    /// The committed suite file and the text the demos and checkpoints use stay the same.
    @Test func committedSuiteMatchesTheBundledOne() throws {
        let file = try String(contentsOf: repositoryFolder.appendingPathComponent("benchmarks/agents/suite.yaml"), encoding: .utf8)
        let body = file.split(separator: "\n", omittingEmptySubsequences: false).drop { $0.hasPrefix("#") }.joined(separator: "\n")
        #expect(body.trimmingCharacters(in: .whitespacesAndNewlines) == AgentPresets.projectSuiteYAML.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

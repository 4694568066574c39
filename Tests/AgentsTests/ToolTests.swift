import APIClient
import Agents
import Datasets
import Foundation
import GRDB
import Testing

struct WeatherArgs: Decodable, Sendable, DescribedArguments {
    var city: String
    var days: Int?
    var unit: Unit
    var hours: [Double]
    var place: Place?
    var tags: [String: String]?
    enum Unit: String, ToolArgumentEnum { case celsius, fahrenheit }
    struct Place: Decodable, Sendable { var lat: Double; var lon: Double }
    static let fieldDescriptions = ["city": "The city's name", "unit": "Temperature unit"]
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct ToolSchemaTests {
    @Test func schemaFromCodableArguments() throws {
        let schema = try ArgumentSchema.derive(WeatherArgs.self)
        let expected: JSONValue = [
            "type": "object", "additionalProperties": false,
            "required": ["city", "unit", "hours"],
            "properties": [
                "city": ["type": "string", "description": "The city's name"],
                "days": ["type": "integer"],
                "unit": ["type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"],
                "hours": ["type": "array", "items": ["type": "number"]],
                "place": ["type": "object", "additionalProperties": false, "required": ["lat", "lon"],
                          "properties": ["lat": ["type": "number"], "lon": ["type": "number"]]],
                "tags": ["type": "object", "additionalProperties": ["type": "string"]],
            ],
        ]
        #expect(schema == expected, "\(schema.serialized)")
    }

    @Test func badToolNamesAreRefused() {
        #expect(throws: AgentError.self) { try JSONTool(name: "no spaces", description: "", parameters: [:]) { _ in "" } }
        #expect(throws: AgentError.self) { try JSONTool(name: "", description: "", parameters: [:]) { _ in "" } }
    }
}

@Suite struct ToolExecutorTests {
    let weather = try! FunctionTool(name: "weather", description: "Forecast") { (a: WeatherArgs) in
        "\(a.city): \(a.hours.count) hours in \(a.unit.rawValue)"
    }

    @Test func validCallRuns() async throws {
        let ex = try ToolExecutor([weather])
        let r = await ex.run(AgentToolCall(id: "1", name: "weather", arguments: ["city": "Oslo", "unit": "celsius", "hours": [1, 2]]))
        #expect(!r.isError)
        #expect(r.content == "Oslo: 2 hours in celsius")
    }

    @Test func schemaViolationsGoBackToTheModel() async throws {
        let ex = try ToolExecutor([weather])
        let missing = await ex.run(AgentToolCall(id: "1", name: "weather", arguments: ["city": "Oslo"]))
        #expect(missing.isError && missing.content.contains("unit") && missing.content.contains("Fix the arguments"))
        let wrongEnum = await ex.run(AgentToolCall(id: "2", name: "weather", arguments: ["city": "Oslo", "unit": "kelvin", "hours": []]))
        #expect(wrongEnum.isError && wrongEnum.attempts == 0)
        let notJSON = await ex.run(AgentToolCall(id: "3", name: "weather", arguments: .string("{city: Oslo")))
        #expect(notJSON.isError && notJSON.content.contains("not a JSON object"))
        let unknown = await ex.run(AgentToolCall(id: "4", name: "forecast", arguments: [:]))
        #expect(unknown.isError && unknown.content.contains("there is no tool 'forecast'") && unknown.content.contains("weather"))
    }

    @Test func timeoutsAndRetries() async throws {
        final class Flaky: @unchecked Sendable { var calls = 0; let lock = NSLock() }
        let flaky = Flaky()
        let tool = try JSONTool(name: "flaky", description: "", parameters: ["type": "object"]) { _ in
            let n = flaky.lock.withLock { flaky.calls += 1; return flaky.calls }
            if n < 3 { throw AgentError.toolFailed(tool: "flaky", reason: "try again") }
            return "ok after \(n)"
        }
        let slow = try JSONTool(name: "slow", description: "", parameters: ["type": "object"]) { _ in
            try await Task.sleep(nanoseconds: 5_000_000_000)
            return "late"
        }
        let ex = try ToolExecutor([tool, slow], policy: ToolPolicy(timeout: 0.2, retries: 2, retryDelay: 0.01))
        let r = await ex.run(AgentToolCall(id: "1", name: "flaky", arguments: [:]))
        #expect(!r.isError && r.attempts == 3 && r.content == "ok after 3")
        let t = await ex.run(AgentToolCall(id: "2", name: "slow", arguments: [:]))
        // The timeout error shows the limit fired before the tool's 5 s (no bound on elapsed time:
        // on 2 cores other suites can delay this test's resumption).
        #expect(t.isError && t.content.contains("longer than 0.2"), "\(t.content)")
    }

    @Test func callsOfOneTurnRunConcurrently() async throws {
        // Each call waits until all three have started: run one after another, the first would
        // wait alone until its minute is up.
        final class Gauge: @unchecked Sendable { var started = 0; let lock = NSLock() }
        let g = Gauge()
        let tool = try JSONTool(name: "wait", description: "", parameters: ["type": "object"]) { _ in
            g.lock.withLock { g.started += 1 }
            let deadline = Date().addingTimeInterval(60)
            while g.lock.withLock({ g.started }) < 3 && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
            return g.lock.withLock { g.started } == 3 ? "together" : "alone"
        }
        let ex = try ToolExecutor([tool], policy: ToolPolicy(timeout: 120))
        let results = await ex.run((0..<3).map { AgentToolCall(id: "c\($0)", name: "wait", arguments: [:]) })
        #expect(results.map(\.callID) == ["c0", "c1", "c2"])
        #expect(results.map(\.content) == ["together", "together", "together"])
    }
}

@Suite struct BuiltinToolTests {
    @Test func calculator() throws {
        #expect(try Calculator.evaluate("(12 + 3) * 4 / 5") == 12)
        #expect(try Calculator.evaluate("2^10 - -3") == 1027)
        #expect(try Calculator.evaluate("-2^2") == -4)
        #expect(abs(try Calculator.evaluate("sqrt(2) * sqrt(2)") - 2) < 1e-12)
        #expect(try Calculator.evaluate("max(3, 7, 5) % 4") == 3)
        #expect(try Calculator.evaluate("1.5e3 + ln(e)") == 1501)
        #expect(Calculator.format(84) == "84")
        #expect(Calculator.format(0.1 + 0.2) == "0.3")
        for bad in ["1/0", "2 +", "sqrt(-1)", "foo(1)", "x", String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300),
                    "1e400 * 1e400", "3 3", String(repeating: "1+", count: 1500) + "1"] {
            #expect(throws: AgentError.self, "\(bad.prefix(40))") { try Calculator.evaluate(bad) }
        }
    }

    @Test func filesStayUnderTheirRoot() async throws {
        let root = try temporaryDirectory()
        try "inside".write(to: root.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        let outside = root.deletingLastPathComponent().appendingPathComponent("secret-\(UUID().uuidString).txt")
        try "TOPSECRET".write(to: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("link.txt"), withDestinationURL: outside)
        let ex = try ToolExecutor([try BuiltinTools.readFile(root: root), try BuiltinTools.listFiles(root: root)])
        #expect(await ex.run(AgentToolCall(id: "1", name: "read_file", arguments: ["path": "a.txt"])).content == "inside")
        for path in ["../\(outside.lastPathComponent)", "/etc/passwd", "link.txt", "missing.txt"] {
            let r = await ex.run(AgentToolCall(id: "2", name: "read_file", arguments: ["path": .string(path)]))
            #expect(r.isError && !r.content.contains("TOPSECRET"), "\(path): \(r.content)")
        }
        #expect(await ex.run(AgentToolCall(id: "3", name: "list_files", arguments: [:])).content == "a.txt")
    }

    @Test func sqlIsReadOnly() async throws {
        let root = try temporaryDirectory()
        let path = root.appendingPathComponent("shop.sqlite").path
        let db = try DatabaseQueue(path: path)
        try await db.write { db in
            try db.execute(sql: "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, total REAL)")
            try db.execute(sql: "INSERT INTO orders (customer, total) VALUES ('ada', 12.5), ('ada', 7.5), ('bob', 3)")
        }
        let ex = try ToolExecutor([try BuiltinTools.sqlQuery(database: path)])
        #expect(ex.apiTools[0].description!.contains("CREATE TABLE orders"))
        let r = await ex.run(AgentToolCall(id: "1", name: "sql_query", arguments: ["query": "SELECT customer, SUM(total) FROM orders GROUP BY customer ORDER BY customer"]))
        #expect(r.content == "customer | SUM(total)\nada | 20.0\nbob | 3.0", "\(r.content)")
        for bad in ["DELETE FROM orders", "SELECT 1; DROP TABLE orders", "WITH x AS (SELECT 1) DELETE FROM orders", "SELECT * FROM nowhere"] {
            let e = await ex.run(AgentToolCall(id: "2", name: "sql_query", arguments: ["query": .string(bad)]))
            #expect(e.isError, "\(bad)")
        }
        let count = try await db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM orders") }
        #expect(count == 3)
    }

    @Test func describeAndFitACSV() async throws {
        let root = try temporaryDirectory()
        try Datasets.table(.iris).csvText().write(to: root.appendingPathComponent("iris.csv"), atomically: true, encoding: .utf8)
        let ex = try ToolExecutor([try BuiltinTools.describeCSV(root: root), try BuiltinTools.fitModel(root: root)])
        let d = await ex.run(AgentToolCall(id: "1", name: "describe_csv", arguments: ["path": "iris.csv"]))
        #expect(d.content.hasPrefix("150 rows, 5 columns"), "\(d.content)")
        let f = await ex.run(AgentToolCall(id: "2", name: "fit_model", arguments: ["path": "iris.csv", "target": "target", "model": "logistic-regression"]))
        #expect(!f.isError, "\(f.content)")
        let accuracy = Double(f.content.components(separatedBy: "test accuracy ").last!.split(separator: " ").first!)!
        #expect(accuracy > 0.85, "\(f.content)")
        let bad = await ex.run(AgentToolCall(id: "3", name: "fit_model", arguments: ["path": "iris.csv", "target": "colour"]))
        #expect(bad.isError && bad.content.contains("colour"), "\(bad.content)")
    }
}

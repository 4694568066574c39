import APIClient
import Foundation
import SwiftLearnCore

/// A suite of agent tasks with checkable outcomes (`swiftlearn agent eval SUITE`).
///
/// ```yaml
/// name: smoke
/// tasks:
///   - name: iris-accuracy
///     preset: data-analysis
///     input: Fit a model on iris.csv predicting target and report the test accuracy.
///     expect: {tools: [fit_model], contains: ["accuracy"]}
///     script:            # turns replayed when no real model is given
///       - tool_calls: [{id: c1, name: fit_model, arguments: {path: iris.csv, target: target}}]
///       - content: The test accuracy is 0.97.
/// ```
public struct AgentEvalSuite: Codable, Sendable {
    public struct Expectation: Codable, Sendable, Equatable {
        /// Every one must appear in the answer (case-insensitive).
        public var contains: [String]?
        /// At least one must appear.
        public var anyOf: [String]?
        /// None may appear.
        public var notContains: [String]?
        /// Tools that must have been called (successfully).
        public var tools: [String]?
        /// Texts that must appear in what the model was sent (memory recalled, a tool result seen).
        public var promptContains: [String]?
        enum CodingKeys: String, CodingKey { case contains, anyOf = "any_of", notContains = "not_contains", tools, promptContains = "prompt_contains" }
    }

    public struct Task: Codable, Sendable {
        public var name: String
        public var preset: String?
        /// A spec file, relative to the suite's folder.
        public var spec: String?
        public var input: String
        public var expect: Expectation
        /// Values given, in order, to the interrupts the run stops at.
        public var resume: [JSONValue]?
        /// Scripted turns (used when no model is given).
        public var script: [JSONValue]?
    }

    public var name: String
    public var tasks: [Task]

    /// Reads a suite (YAML or JSON by extension).
    public static func load(_ url: URL) throws -> AgentEvalSuite {
        try checkFileSize(url, limit: 16 << 20)
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw AgentError.invalidFile(path: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        return try parse(text, yaml: ["yaml", "yml"].contains(url.pathExtension.lowercased()), path: url.path)
    }

    /// Parses and checks a suite.
    public static func parse(_ text: String, yaml: Bool, path: String = "suite") throws -> AgentEvalSuite {
        let json: JSONValue
        if yaml {
            json = try YAMLDocument.jsonValue(text, path: path)
        } else {
            do { json = try JSONValue.parse(text) } catch { throw AgentError.invalidFile(path: path, reason: "not valid JSON: \(error)") }
        }
        let suite: AgentEvalSuite
        do { suite = try json.decode(AgentEvalSuite.self) } catch let e as DecodingError {
            throw AgentError.invalidFile(path: path, reason: DecodingErrorText.describe(e))
        }
        guard !suite.tasks.isEmpty else { throw AgentError.invalidFile(path: path, reason: "'tasks' is empty") }
        for t in suite.tasks where (t.preset == nil) == (t.spec == nil) {
            throw AgentError.invalidFile(path: path, reason: "task '\(t.name)' needs exactly one of preset and spec")
        }
        return suite
    }
}

/// One task's outcome.
public struct AgentEvalResult: Sendable {
    public var task: String
    public var success: Bool
    /// Why it failed (empty on success).
    public var failures: [String]
    public var answer: String?
    public var modelCalls: Int
    public var usage: TokenUsage
    public var cost: Double
    public var seconds: Double
}

/// Runs a suite and scores each task.
public enum AgentEvaluation {
    /// Checks an answer and the tools called against an expectation; the reasons it fails.
    public static func check(_ expect: AgentEvalSuite.Expectation, answer: String?, toolsCalled: [String], prompts: [String] = []) -> [String] {
        var failures: [String] = []
        let text = (answer ?? "").lowercased()
        if answer == nil { failures.append("no answer") }
        for s in expect.contains ?? [] where !text.contains(s.lowercased()) { failures.append("answer lacks '\(s)'") }
        if let any = expect.anyOf, !any.isEmpty, !any.contains(where: { text.contains($0.lowercased()) }) {
            failures.append("answer has none of \(any.map { "'\($0)'" }.joined(separator: ", "))")
        }
        for s in expect.notContains ?? [] where text.contains(s.lowercased()) { failures.append("answer contains '\(s)'") }
        for t in expect.tools ?? [] where !toolsCalled.contains(t) { failures.append("tool \(t) was not called successfully") }
        for p in expect.promptContains ?? [] where !prompts.contains(where: { $0.contains(p) }) { failures.append("the model was never sent '\(p)'") }
        return failures
    }

    /// Tools whose calls succeeded in a run's state (single agents keep `tool_results`).
    static func toolsCalled(_ state: GraphState) -> [String] {
        state.array("tool_results").compactMap { r in r["isError"] == false ? r["name"]?.stringValue : nil }
    }

    /// Runs every task. `model` answers every task (nil: each task's script); `tools(preset)`
    /// gives a preset's tools; `specFolder` resolves spec paths. The tasks share one memory
    /// store, so an agent with memory remembers what earlier tasks told it.
    public static func run(_ suite: AgentEvalSuite, model: (any ChatModel)?, specFolder: URL,
                           tools: (String?) throws -> ToolRegistry, costPerMillion: (input: Double, output: Double) = (0, 0),
                           onResult: (AgentEvalResult) -> Void = { _ in }) async throws -> [AgentEvalResult] {
        var out: [AgentEvalResult] = []
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlearn-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let memory = try MemoryStore(path: scratch.appendingPathComponent("memory.sqlite").path)
        for task in suite.tasks {
            let spec = try task.preset.map { try AgentPresets.spec($0) }
                ?? AgentSpec.load(specFolder.appendingPathComponent(task.spec!))
            let chosen: any ChatModel
            if let model { chosen = model } else {
                guard let script = task.script else {
                    throw AgentError.invalidParameter(name: "task", value: task.name, reason: "has no script; give a model")
                }
                chosen = try ScriptedChatModel(json: JSONValue.array(script).data, path: "\(suite.name)/\(task.name)")
            }
            let recorder = PromptRecorder(chosen)
            let system = try AgentSystem(spec: spec, model: recorder, tools: try tools(task.preset), memoryStore: memory,
                                         memoryDirectory: scratch.appendingPathComponent("vector"))
            let thread = "eval-\(task.name)"
            var result: AgentSystemResult
            var failures: [String] = []
            var calls = 0, usage = TokenUsage(), seconds = 0.0
            do {
                result = try await system.run(task.input, thread: thread)
                calls += result.modelCalls; usage = usage + result.usage; seconds += result.seconds
                for value in task.resume ?? [] where !result.interrupts.isEmpty {
                    result = try await system.resume(thread: thread, value: value)
                    calls += result.modelCalls; usage = usage + result.usage; seconds += result.seconds
                }
                failures = check(task.expect, answer: result.answer, toolsCalled: toolsCalled(result.state), prompts: recorder.prompts)
                let r = AgentEvalResult(task: task.name, success: failures.isEmpty, failures: failures, answer: result.answer, modelCalls: calls,
                                        usage: usage, cost: (Double(usage.inputTokens) * costPerMillion.input + Double(usage.outputTokens) * costPerMillion.output) / 1e6,
                                        seconds: seconds)
                onResult(r)
                out.append(r)
            } catch {
                let r = AgentEvalResult(task: task.name, success: false, failures: ["error: \(error)"], answer: nil, modelCalls: calls,
                                        usage: usage, cost: 0, seconds: seconds)
                onResult(r)
                out.append(r)
            }
        }
        return out
    }
}

/// Keeps the text of every message sent to a model.
final class PromptRecorder: ChatModel, @unchecked Sendable {
    let base: any ChatModel
    private let lock = NSLock()
    private var texts: [String] = []
    init(_ base: any ChatModel) { self.base = base }
    var name: String { base.name }
    var prompts: [String] { lock.withLock { texts } }
    func respond(to messages: [AgentMessage], tools: [APITool], options: ChatOptions,
                 onText: @escaping @Sendable (String) -> Void) async throws -> ChatResponse {
        lock.withLock { texts += messages.map(\.content) }
        return try await base.respond(to: messages, tools: tools, options: options, onText: onText)
    }
}

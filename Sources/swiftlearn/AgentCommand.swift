import Agents
import APIClient
import ArgumentParser
import Foundation
import SwiftLearn

/// `swiftlearn agent …`: tool-using agents, teams and graphs with durable threads.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run agents and agent teams from a spec or a preset, resume interrupted threads, show history, evaluate suites.",
        subcommands: [AgentRunCommand.self, AgentResumeCommand.self, AgentHistoryCommand.self, AgentEvalCommand.self, AgentPresetsCommand.self]
    )
}

/// Which model the agents use.
struct AgentModelOptions: ParsableArguments {
    @Option(help: "A GGUF chat model (tool calls kept valid by constrained decoding).") var llm: String?
    @Option(help: "An OpenAI- or Anthropic-compatible base URL, e.g. http://127.0.0.1:8080/v1.") var endpoint: String?
    @Option(help: "The endpoint's model name.") var model: String?
    @Option(help: "openai or anthropic: the API the endpoint speaks.") var api = "openai"
    @Option(help: "API key for the endpoint (default: OPENAI_API_KEY or ANTHROPIC_API_KEY).") var apiKey: String?
    @Option(help: "A JSON file of scripted model turns to replay instead of a model (deterministic runs).") var scripted: String?
    @Option(help: "A trace written by --trace: its model replies are replayed.") var replay: String?
    @Option(help: "Context length of the local model (default: its own, at most 4096).") var context: Int?

    func validate() throws {
        let given = [llm, endpoint, scripted, replay].compactMap { $0 }.count
        if given > 1 { throw ValidationError("give one of --llm, --endpoint, --scripted, --replay") }
        try validateModelSource(endpoint: endpoint, model: model, api: api, context: context)
    }

    var isGiven: Bool { llm != nil || endpoint != nil || scripted != nil || replay != nil }

    /// The model; a scripted one skips the first `skip` turns (already used by an earlier run of the thread).
    func load(skip: Int = 0) throws -> any ChatModel {
        if let llm { return try LocalChatModel(contentsOf: URL(fileURLWithPath: llm), contextLength: context) }
        if let endpoint, let model {
            return EndpointChatModel(baseURL: URL(string: endpoint)!, model: model, apiKey: endpointKey(apiKey, api: api), anthropic: api == "anthropic")
        }
        let script = try scripted.map { try ScriptedChatModel(contentsOf: URL(fileURLWithPath: $0)) }
            ?? replay.map { try TraceWriter.replayModel(URL(fileURLWithPath: $0)) }
        guard let script else { throw ValidationError("give a model: --llm FILE, --endpoint URL --model NAME, --scripted FILE or --replay TRACE") }
        return skip == 0 ? script : ScriptedChatModel(turns: Array(script.turns.dropFirst(skip)), name: script.name)
    }
}

/// Where threads, memories and preset data live.
struct AgentStoreOptions: ParsableArguments {
    @OptionGroup var home: HomeOption
    @Option(help: "The SQLite file of threads and checkpoints (default <home>/agents/threads.sqlite).") var store: String?

    var folder: URL { home.url.appendingPathComponent("agents") }

    func checkpointer() throws -> SQLiteCheckpointer {
        let url = store.map { URL(fileURLWithPath: $0) } ?? folder.appendingPathComponent("threads.sqlite")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        return try SQLiteCheckpointer(path: url.path)
    }

    func memoryStore() throws -> MemoryStore {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try MemoryStore(path: folder.appendingPathComponent("memory.sqlite").path)
    }
}

/// What a thread was started with, kept in the store so `resume` can rebuild it.
struct ThreadSetup: Codable {
    var spec: AgentSpec
    var preset: String?
    var root: String?
    var collection: String?
    var database: String?
    var modelCalls: Int

    func tools(_ options: AgentStoreOptions) throws -> ToolRegistry {
        var registry = try preset.map { try AgentPresets.tools(for: $0, in: options.folder.appendingPathComponent($0)) } ?? ToolRegistry()
        let extra = try ToolRegistry.library(root: root.map { URL(fileURLWithPath: $0) },
                                             collection: try collection.map { try options.home.collections.openWithStoredEmbedding($0) },
                                             database: database)
        for name in extra.names where registry.tools[name] == nil { registry.add(extra.tools[name]!) }
        return registry
    }
}

/// Prints an agent run's events as they happen (tool calls, results, interrupts) and its outcome.
struct AgentPrinter {
    let json: Bool

    func onEvent(_ e: GraphEvent) {
        guard !json else { return }
        if case .update(let node, let update) = e {
            for m in (update["messages"]?.arrayValue ?? []).compactMap({ try? $0.decode(AgentMessage.self) }) {
                for c in m.toolCalls { print("→ \(node): \(c.name)(\(c.arguments.serialized))") }
                if m.role == "tool" { print("← \(m.name ?? "tool"): \(m.content.count > 300 ? String(m.content.prefix(300)) + "…" : m.content)") }
                if m.role == "assistant", m.toolCalls.isEmpty, let name = m.name { print("\(name): \(m.content)") }
            }
        }
    }

    func finish(_ r: AgentSystemResult) {
        let fields: [(String, APIClient.JSONValue)] = [
            ("thread", .string(r.thread)), ("status", .string(r.status)), ("answer", r.answer.map { .string($0) } ?? .null),
            ("interrupts", .array(r.interrupts)), ("model_calls", .number(Double(r.modelCalls))),
            ("input_tokens", .number(Double(r.usage.inputTokens))), ("output_tokens", .number(Double(r.usage.outputTokens))),
            ("seconds", .number((r.seconds * 1000).rounded() / 1000)),
        ]
        if json { print(APIClient.JSONValue.object(Dictionary(uniqueKeysWithValues: fields)).serialized); return }
        if let a = r.answer { print("\nanswer: \(a)") }
        for i in r.interrupts {
            print("\ninterrupted: \(i["value"]?.serialized ?? "")")
            print("resume with: swiftlearn agent resume --thread \(r.thread) --value '\"approve\"'  (or '\"deny\"')")
        }
        print("thread \(r.thread): \(r.status), \(r.modelCalls) model calls, \(r.usage.inputTokens)+\(r.usage.outputTokens) tokens, \(String(format: "%.2f", r.seconds)) s")
    }
}

/// A failure the command reports itself (exit 1).
struct RuntimeError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

struct AgentRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an agent spec (YAML or JSON) or a preset on an input.",
        discussion: """
        Presets: \(AgentPresets.names.joined(separator: ", ")) (their data is prepared under <home>/agents/<preset>/). \
        The thread's checkpoints go to the store, so an interrupted run (a tool that needs approval) \
        can be resumed, and a crashed one continues from its last step with `agent resume`.
        """
    )

    @Argument(help: "An agent spec file (.yaml, .yml or .json).") var spec: String?
    @Option(help: "A preset instead of a spec: research, data-analysis, support or debate.") var preset: String?
    @Option(help: "The request (default: the spec's `input`).") var input: String?
    @OptionGroup var modelOptions: AgentModelOptions
    @OptionGroup var storeOptions: AgentStoreOptions
    @Option(help: "Thread id (default: a new one). Reusing a thread continues its conversation.") var thread: String?
    @Option(help: "Folder the file and CSV tools may read.") var root: String?
    @Option(help: "A collection (under <home>/collections) for search_collection.") var collection: String?
    @Option(help: "A SQLite file for sql_query (opened read-only).") var database: String?
    @Option(help: "Write the run's trace (JSON Lines) to this file.") var trace: String?
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var tracking: TrackingOptions

    func validate() throws {
        if (spec == nil) == (preset == nil) { throw ValidationError("give a spec file or --preset, not both or neither") }
        if let p = preset, !AgentPresets.names.contains(p) { throw ValidationError("--preset must be one of \(AgentPresets.names.joined(separator: ", ")), got '\(p)'") }
        if !modelOptions.isGiven { throw ValidationError("give a model: --llm FILE, --endpoint URL --model NAME, --scripted FILE or --replay TRACE") }
        if let t = thread, t.isEmpty || t.count > 200 { throw ValidationError("--thread must be 1–200 characters") }
        if let r = root { try checkFolderPath(r, option: "--root") }
    }

    func run() async throws {
        do {
            let agentSpec = try spec.map { try AgentSpec.load(URL(fileURLWithPath: $0)) } ?? AgentPresets.spec(preset!)
            guard let request = input ?? agentSpec.input else { throw ValidationError("give --input (the spec has no `input`)") }
            let store = try storeOptions.checkpointer()
            let id = thread ?? "t-" + UUID().uuidString.prefix(8).lowercased()
            var setup = ThreadSetup(spec: agentSpec, preset: preset, root: root, collection: collection, database: database, modelCalls: 0)
            if let old = try store.metadata(thread: id), let previous = try? old.decode(ThreadSetup.self) { setup.modelCalls = previous.modelCalls }
            let writer = try trace.map { try TraceWriter(url: URL(fileURLWithPath: $0)) }
            writer?.write(["type": "run", "spec": .string(agentSpec.name), "thread": .string(id), "input": .string(request)])
            let system = try AgentSystem(spec: agentSpec, model: try modelOptions.load(skip: setup.modelCalls), tools: try setup.tools(storeOptions),
                                         checkpointer: store, memoryStore: try storeOptions.memoryStore(),
                                         memoryDirectory: storeOptions.folder.appendingPathComponent("memory"), trace: writer)
            try store.setMetadata(try APIClient.JSONValue(encoding: setup), thread: id)
            let printer = AgentPrinter(json: json)
            var params: [(String, String)] = [("spec", agentSpec.name), ("thread", id), ("input", request)]
            if let preset { params.append(("preset", preset)) }
            let tracked = try tracking.start(defaultExperiment: "agent-\(agentSpec.name)", params: params)
            let result: AgentSystemResult
            do {
                result = try await system.run(request, thread: id) { e in writer?.record(e); printer.onEvent(e) }
            } catch {
                tracked?.finish(succeeded: false)
                throw error
            }
            setup.modelCalls += result.modelCalls
            try store.setMetadata(try APIClient.JSONValue(encoding: setup), thread: id)
            writer?.write(summary(result))
            printer.finish(result)
            if let tracked {
                tracked.metrics([("model_calls", Double(result.modelCalls)), ("input_tokens", Double(result.usage.inputTokens)),
                                 ("output_tokens", Double(result.usage.outputTokens)), ("seconds", result.seconds)])
                tracked.tags([("agent.status", result.status), ("agent.answer", String((result.answer ?? "").prefix(TrackingStore.maxTagValueLength)))])
                if let trace { tracked.artifact(trace) }
                tracked.finish(succeeded: true)
            }
        }
    }
}

func summary(_ r: AgentSystemResult) -> [String: APIClient.JSONValue] {
    ["type": "summary", "status": .string(r.status), "answer": r.answer.map { .string($0) } ?? .null,
     "model_calls": .number(Double(r.modelCalls)), "input_tokens": .number(Double(r.usage.inputTokens)),
     "output_tokens": .number(Double(r.usage.outputTokens)), "seconds": .number(r.seconds)]
}

struct AgentResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a thread: answer its interrupt with --value, or continue a run that stopped (crash) from its last checkpoint.")

    @Option(help: "The thread to resume.") var thread: String
    @Option(help: "The resume value as JSON, e.g. '\"approve\"' (omit to continue a run cut short).") var value: String?
    @OptionGroup var modelOptions: AgentModelOptions
    @OptionGroup var storeOptions: AgentStoreOptions
    @Option(help: "Write the trace (JSON Lines) to this file.") var trace: String?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if !modelOptions.isGiven { throw ValidationError("give the model again: --llm, --endpoint, --scripted or --replay") }
        if let v = value, (try? APIClient.JSONValue.parse(v)) == nil { throw ValidationError("--value must be JSON, e.g. '\"approve\"', got '\(v)'") }
    }

    func run() async throws {
        do {
            let store = try storeOptions.checkpointer()
            guard let meta = try store.metadata(thread: thread), var setup = try? meta.decode(ThreadSetup.self) else {
                throw RuntimeError("thread '\(thread)' is not in \(store.path) (start it with agent run)")
            }
            let writer = try trace.map { try TraceWriter(url: URL(fileURLWithPath: $0)) }
            func build(skip: Int) throws -> AgentSystem {
                try AgentSystem(spec: setup.spec, model: try modelOptions.load(skip: skip), tools: try setup.tools(storeOptions),
                                checkpointer: store, memoryStore: try storeOptions.memoryStore(),
                                memoryDirectory: storeOptions.folder.appendingPathComponent("memory"), trace: writer)
            }
            var system = try build(skip: setup.modelCalls)
            // A run that crashed never recorded its model calls; a single agent's checkpoints hold them.
            if let recorded = try system.recordedModelCalls(thread: thread), recorded != setup.modelCalls {
                setup.modelCalls = recorded
                system = try build(skip: recorded)
            }
            let printer = AgentPrinter(json: json)
            let result: AgentSystemResult
            if let value {
                result = try await system.resume(thread: thread, value: try APIClient.JSONValue.parse(value)) { e in writer?.record(e); printer.onEvent(e) }
            } else {
                result = try await system.proceed(thread: thread) { e in writer?.record(e); printer.onEvent(e) }
            }
            setup.modelCalls += result.modelCalls
            try store.setMetadata(try APIClient.JSONValue(encoding: setup), thread: thread)
            writer?.write(summary(result))
            printer.finish(result)
        }
    }
}

struct AgentHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List a thread's checkpoints, newest first (or the threads in the store).")

    @Option(help: "The thread (omit to list threads).") var thread: String?
    @OptionGroup var storeOptions: AgentStoreOptions
    @Flag(help: "Print JSON lines.") var json = false

    func run() async throws {
        do {
            let store = try storeOptions.checkpointer()
            guard let thread else {
                for t in try store.threads() { print(t) }
                return
            }
            let history = try store.history(thread: thread, limit: nil)
            if history.isEmpty { throw RuntimeError("thread '\(thread)' has no checkpoints in \(store.path)") }
            for cp in history {
                let waiting = try store.writes(thread: thread, checkpointID: cp.id).filter(\.waiting).compactMap(\.interrupt)
                if json {
                    print(APIClient.JSONValue.object(["id": .string(cp.id), "step": .number(Double(cp.step)), "source": .string(cp.source),
                                            "next": .array(cp.nextNodes.map { .string($0) }), "waiting": .array(waiting),
                                            "messages": .number(Double(cp.values["messages"]?.arrayValue?.count ?? 0))]).serialized)
                } else {
                    print("step \(cp.step) \(cp.source) next=\(cp.nextNodes.joined(separator: ",")) messages=\(cp.values["messages"]?.arrayValue?.count ?? 0)"
                          + (waiting.isEmpty ? "" : " waiting=\(waiting.map(\.serialized).joined(separator: " "))") + "  \(cp.id)")
                }
            }
        }
    }
}

struct AgentPresetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "presets", abstract: "List the presets with their process and agents.")
    func run() async throws {
        for name in AgentPresets.names {
            let s = try AgentPresets.spec(name)
            print("\(name): \(s.process.rawValue), agents \(s.agents.map(\.name).joined(separator: ", ")) — \(s.description ?? "")")
        }
    }
}

struct AgentEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run a suite of agent tasks and report success, model calls, tokens, cost and seconds per task and in total.",
        discussion: "Without a model option each task replays its `script`; with --llm or --endpoint the same tasks run for real.")

    @Argument(help: "The suite file (.yaml or .json).") var suite: String
    @OptionGroup var modelOptions: AgentModelOptions
    @OptionGroup var home: HomeOption
    @Option(help: "Dollars per million input tokens (for the cost column).") var priceIn = 0.0
    @Option(help: "Dollars per million output tokens.") var priceOut = 0.0
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if priceIn < 0 || priceOut < 0 { throw ValidationError("prices must be ≥ 0") }
        if modelOptions.scripted != nil || modelOptions.replay != nil { throw ValidationError("eval replays each task's own script; give --llm or --endpoint, or no model") }
    }

    func run() async throws {
        let url = URL(fileURLWithPath: suite)
        let loaded = try AgentEvalSuite.load(url)
        let model: (any ChatModel)? = modelOptions.isGiven ? try modelOptions.load() : nil
        let folder = home.url.appendingPathComponent("agents")
        if !json { print("task                      ok   calls  tokens   cost      seconds  notes") }
        let results = try await AgentEvaluation.run(loaded, model: model, specFolder: url.deletingLastPathComponent(), tools: { preset in
            try preset.map { try AgentPresets.tools(for: $0, in: folder.appendingPathComponent($0)) } ?? ToolRegistry.library()
        }, costPerMillion: (priceIn, priceOut)) { r in
            guard !json else { return }
            let name = r.task.count > 25 ? String(r.task.prefix(24)) + "…" : r.task.padding(toLength: 25, withPad: " ", startingAt: 0)
            print("\(name) \(r.success ? "yes" : "no ")  \(String(format: "%5d  %6d  %8.5f  %7.2f", r.modelCalls, r.usage.totalTokens, r.cost, r.seconds))  \(r.failures.joined(separator: "; "))")
        }
        let passed = results.filter(\.success).count
        let tokens = results.reduce(0) { $0 + $1.usage.totalTokens }
        let calls = results.reduce(0) { $0 + $1.modelCalls }
        let seconds = results.reduce(0) { $0 + $1.seconds }
        let cost = results.reduce(0) { $0 + $1.cost }
        if json {
            let tasks: [APIClient.JSONValue] = results.map { r in
                .object(["task": .string(r.task), "success": .bool(r.success), "failures": .array(r.failures.map { .string($0) }),
                         "answer": r.answer.map { .string($0) } ?? .null, "model_calls": .number(Double(r.modelCalls)),
                         "tokens": .number(Double(r.usage.totalTokens)), "cost": .number(r.cost), "seconds": .number(r.seconds)])
            }
            print(APIClient.JSONValue.object(["suite": .string(loaded.name), "model": .string(model?.name ?? "scripted"), "tasks": .array(tasks),
                                              "success_rate": .number(Double(passed) / Double(results.count)), "model_calls": .number(Double(calls)),
                                              "tokens": .number(Double(tokens)), "cost": .number(cost), "seconds": .number(seconds)]).serialized)
        } else {
            print("total: \(passed)/\(results.count) succeeded, \(calls) model calls, \(tokens) tokens, $\(String(format: "%.5f", cost)), \(String(format: "%.2f", seconds)) s (model: \(model?.name ?? "scripted turns"))")
        }
        if passed < results.count { throw ExitCode.failure }
    }
}

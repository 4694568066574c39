import Datasets
import Foundation
import Learn
import LLM
import Serve

/// A saved random forest (penguins, held-out split) behind `ServeApp`, and the request helpers
/// the serving demos and checkpoint share. Requests go through `ServeApp.handle`, the same
/// function `swiftlearn serve` runs for each HTTP request, so no port is opened.
struct ServedForest {
    let app: ServeApp
    let service: PredictService
    let forest: RandomForestClassifier
    let preparation: TabularPreparation
    let test: CSVTable
    let folder: URL

    init(randomState: Int) throws {
        let table = try Datasets.table(.penguins)
        let split = try trainTestSplit(count: table.rowCount, testSize: 0.25, randomState: randomState)
        let train = table.rows(split.train)
        test = table.rows(split.test)
        preparation = try TabularPreparation(fitting: train, target: "species")
        forest = RandomForestClassifier(nEstimators: 50, randomState: randomState)
        try forest.fit(try preparation.features(train), try preparation.labels(train))
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlearn-serve-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("penguins.json").path
        try ModelFile.save(forest, metadata: ["preparation": String(decoding: try JSONEncoder().encode(preparation), as: UTF8.self)], to: path)
        service = try PredictService(name: "penguins", path: path)
        app = ServeApp(configuration: ServeConfiguration(), llm: nil, embeddings: nil, models: [service], metrics: ServerMetrics(), log: { _ in })
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// The model's own predictions (class names) for the test rows.
    func direct() throws -> [String] {
        try forest.predict(try preparation.features(test)).map { preparation.classNames![$0] }
    }

    /// The test rows as `{"columns", "data"}` (null for missing cells).
    func columnsAndData(rows: Range<Int>? = nil) throws -> JSON {
        let names = service.schema.map(\.name)
        let range = rows ?? 0..<test.rowCount
        let data: [JSON] = try range.map { i in
            .array(try names.map { name in
                switch try test.column(name) {
                case .numeric(let v): return v[i].isNaN ? .null : .double(v[i])
                case .categorical(let v): return v[i].map(JSON.string) ?? .null
                }
            })
        }
        return .object([("columns", .array(names.map(JSON.string))), ("data", .array(data))])
    }
}

/// Sends one request to an app and reads the JSON answer (in-process).
func serveCall(_ app: ServeApp, _ method: String, _ path: String, json: JSON? = nil, text: String? = nil,
               contentType: String = "application/json") async -> (status: Int, body: JSON?, raw: String) {
    let body = json.map { Array($0.serialized().utf8) } ?? Array((text ?? "").utf8)
    let response = await app.handle(ServeRequest(method: method, target: path, headers: ["content-type": contentType], body: body))
    var bytes: [UInt8] = []
    switch response.body {
    case .bytes(let b): bytes = b
    case .stream(let s): do { for try await chunk in s { bytes += chunk } } catch {}
    }
    return (response.status, try? JSON.parse(bytes), String(decoding: bytes, as: UTF8.self))
}

/// Runs async work from a synchronous demo and waits for it. The work runs on
/// `DedicatedExecutor`'s own thread, not on Swift's cooperative pool: the caller may itself be
/// one of the pool's few threads (Swift Testing runs demo tests there, in parallel), and a pool
/// whose threads all wait on semaphores would never run the work they wait for.
func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task(executorPreference: DedicatedExecutor.shared) {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// A task executor on a serial dispatch queue of its own (serial queues get a thread even when
/// the global pool is busy), for `blocking`.
final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    // Safety: the queue is the only state, and DispatchQueue is thread-safe.
    static let shared = DedicatedExecutor()
    private let queue = DispatchQueue(label: "swiftlearn.roadmap.blocking")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

/// A result written by one task and read after a semaphore wait (never concurrently).
final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

extension DemoRegistry {
    /// Demos of serving: a saved model behind an HTTP API, and an LLM behind OpenAI's and
    /// Anthropic's APIs (`swiftlearn serve`).
    public static let serving: [Demo] = [
        Demo("model-serving-api", "Serving a saved model behind a REST API",
             shows: "A random forest saved by `learn fit --save` served as `swiftlearn serve` does: JSON rows, MLflow's dataframe_records and CSV in, predictions and probabilities out, wrong input refused with the field named, and the latency of one-row requests.") { ctx in
            let served = try ServedForest(randomState: ctx.randomState)
            defer { served.remove() }
            let direct = try served.direct()
            let (status, body, _) = try blocking { await serveCall(served.app, "POST", "/v1/models/penguins/predict", json: try served.columnsAndData()) }
            var served1: [String] = []
            if case .array(let items)? = body?["predictions"] { served1 = items.compactMap(\.stringValue) }
            let names = served.service.schema.map(\.name)
            let record = try served.columnsAndData(rows: 0..<1)
            let firstRow: [JSON] = { if case .array(let rows)? = record["data"], case .array(let cells) = rows[0] { return cells } else { return [] } }()
            let mlflowBody = JSON.object([("dataframe_records", .array([.object(Array(zip(names, firstRow)).map { ($0.0, $0.1) })]))])
            let mlflow = try blocking { await serveCall(served.app, "POST", "/invocations", json: mlflowBody) }
            let csv = names.joined(separator: ",") + "\n" + firstRow.map { v -> String in
                switch v { case .string(let s): return s; case .null: return ""; default: return v.serialized() }
            }.joined(separator: ",") + "\n"
            let csvAnswer = try blocking { await serveCall(served.app, "POST", "/v1/models/penguins/predict", text: csv, contentType: "text/csv") }
            // The first row again, with a number column holding text.
            let numeric = served.service.schema.first { $0.type == "number" }?.name ?? ""
            let bad = JSON.object([("instances", .array([.object(zip(names, firstRow).map { ($0.0, $0.0 == numeric ? JSON.string("long") : $0.1) })]))])
            let refused = try blocking { await serveCall(served.app, "POST", "/v1/models/penguins/predict", json: bad) }
            var latencies: [Double] = []
            for i in 0..<200 {
                let one = try served.columnsAndData(rows: (i % served.test.rowCount)..<(i % served.test.rowCount + 1))
                let t0 = Date()
                _ = try blocking { await serveCall(served.app, "POST", "/v1/models/penguins/predict", json: one) }
                latencies.append(Date().timeIntervalSince(t0) * 1000)
            }
            latencies.sort()
            let agree = zip(served1, direct).filter { $0 == $1 }.count
            let refusal = refused.body?["error"]?["message"]?.stringValue ?? refused.raw
            let passed = status == 200 && served1 == direct && mlflow.body?["predictions"] == .array([.string(direct[0])])
                && csvAnswer.body?["predictions"] == .array([.string(direct[0])]) && refused.status == 400
            return DemoOutcome(passed: passed, result: """
                POST /v1/models/penguins/predict with \(direct.count) held-out rows: \(agree)/\(direct.count) predictions equal the model's own
                POST /invocations (MLflow dataframe_records): \(mlflow.raw)
                POST /v1/models/penguins/predict as CSV: \(csvAnswer.raw)
                a wrong-typed cell: \(refused.status) — \(refusal)
                one-row requests through the handler: p50 \(f(latencies[100], 3)) ms, p99 \(f(latencies[197], 3)) ms (HTTP adds the network; see benchmarks/serve_load.py)
                run it for real: swiftlearn serve --model-file penguins=MODEL.json, then POST JSON or CSV rows
                """, metrics: [("agreement", Double(agree) / Double(max(1, direct.count))), ("p50_ms", latencies[100])])
        },
        Demo("llm-apis", "An LLM behind OpenAI's and Anthropic's APIs",
             shows: "The requests the official clients send — chat messages, streaming as server-sent events, a tool call, Anthropic's Messages — answered by a local GGUF model the way `swiftlearn serve` answers them.") { ctx in
            guard let url = ctx.languageModel else { return .skipped(LanguageModelLocator.howToGet) }
            let (_, generator) = try LoadedLanguageModels.shared.open(url)
            let metrics = ServerMetrics()
            let name = url.deletingPathExtension().lastPathComponent
            let engine = GenerationEngine(generator: generator, maxQueue: 8, timeout: 300, metrics: metrics)
            let llm = LanguageModelService(name: name, generator: generator, engine: engine, taskExecutor: DedicatedExecutor.shared)
            let app = ServeApp(configuration: ServeConfiguration(), llm: llm, embeddings: nil, models: [], metrics: metrics, log: { _ in })
            func request(_ text: String) throws -> JSON { try JSON.parse(Array(text.utf8)) }
            let chat = try request(#"{"model":"\#(name)","messages":[{"role":"system","content":"Answer in one sentence."},{"role":"user","content":"What is the capital of France?"}],"max_tokens":40,"temperature":0}"#)
            let answer = try blocking { await serveCall(app, "POST", "/v1/chat/completions", json: chat) }
            var streaming = chat
            streaming.set("stream", .bool(true))
            let streamed = streaming
            let stream = try blocking { await serveCall(app, "POST", "/v1/chat/completions", json: streamed) }
            let chunks = stream.raw.components(separatedBy: "\n\n").filter { $0.hasPrefix("data: ") }
            let tools = try request(#"{"model":"\#(name)","messages":[{"role":"user","content":"What is the weather in Paris?"}],"max_tokens":60,"temperature":0,"tool_choice":"required","tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]}"#)
            let call = try blocking { await serveCall(app, "POST", "/v1/chat/completions", json: tools) }
            let anthropic = try request(#"{"model":"\#(name)","max_tokens":30,"messages":[{"role":"user","content":"Say hello."}],"temperature":0}"#)
            let message = try blocking { await serveCall(app, "POST", "/v1/messages", json: anthropic) }
            let content: JSON? = { if case .array(let c)? = answer.body?["choices"] { return c.first?["message"]?["content"] } else { return nil } }()
            let toolCall: JSON? = { if case .array(let c)? = call.body?["choices"], case .array(let calls)? = c.first?["message"]?["tool_calls"] { return calls.first?["function"] } else { return nil } }()
            let arguments = toolCall?["arguments"]?.stringValue ?? ""
            let argumentsParse = (try? JSON.parse(Array(arguments.utf8))) != nil
            let passed = answer.status == 200 && content?.stringValue?.isEmpty == false && chunks.last == "data: [DONE]"
                && argumentsParse && message.body?["type"] == .string("message")
            return DemoOutcome(passed: passed, result: """
                POST /v1/chat/completions → \(answer.status): \(content?.serialized() ?? answer.raw)
                  usage \(answer.body?["usage"]?.serialized() ?? "-")
                the same with "stream": true → \(chunks.count) server-sent events, the last "data: [DONE]"
                a forced tool call → \(toolCall?.serialized() ?? call.raw)
                  (arguments are produced under a grammar made from the tool's JSON schema, so they always parse: \(argumentsParse))
                POST /v1/messages (Anthropic) → \(message.status): \((message.body?["content"]).map { $0.serialized() } ?? message.raw)
                run it for real: swiftlearn serve --llm \(url.lastPathComponent), then point the openai or anthropic client at http://127.0.0.1:8080
                """, metrics: [("stream_events", Double(chunks.count))])
        },
    ]
}

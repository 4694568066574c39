import Foundation

/// What a server runs with.
public struct ServeConfiguration: Sendable {
    /// Accepted API keys (`Authorization: Bearer KEY` or `x-api-key: KEY`); empty: no check.
    public var apiKeys: Set<String> = []
    /// Largest request body, in bytes.
    public var maxBodyBytes = 8 << 20
    /// Most generation jobs waiting for the model (beyond: 429).
    public var maxQueue = 64
    /// Longest a request may wait and run, in seconds.
    public var requestTimeout: TimeInterval = 600
    public init() {}
}

/// The HTTP API as a function from requests to responses, independent of the server library:
/// routing, API keys, errors in the client family's shape, metrics and one log line per request.
public final class ServeApp: Sendable {
    /// Keys, limits and timeouts.
    public let configuration: ServeConfiguration
    /// What is served: a language model, an embedding model, saved models by name (each optional).
    public let llm: LanguageModelService?
    public let embeddings: EmbeddingService?
    public let models: [String: PredictService]
    /// Counters, gauges and histograms behind `GET /metrics`.
    public let metrics: ServerMetrics
    /// Where each request's log line goes (standard error by default).
    let log: @Sendable (String) -> Void
    private let state = DrainState()

    public init(configuration: ServeConfiguration, llm: LanguageModelService?, embeddings: EmbeddingService?, models: [PredictService],
                metrics: ServerMetrics, log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.configuration = configuration
        self.llm = llm
        self.embeddings = embeddings
        self.models = Dictionary(models.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.metrics = metrics
        self.log = log
    }

    final class DrainState: @unchecked Sendable {
        // Safety: guarded by `lock`.
        private let lock = NSLock()
        private var draining = false
        var isDraining: Bool { lock.lock(); defer { lock.unlock() }; return draining }
        func start() { lock.lock(); draining = true; lock.unlock() }
    }

    /// Stops taking requests (503) and waits for admitted generations to finish.
    public func drain() async {
        state.start()
        await llm?.engine.drain()
    }

    /// Routes, as (method, path pattern) for `/openapi.json` and 405 answers.
    public static let routes: [(method: String, path: String, summary: String)] = [
        ("GET", "/", "The web page: a chat and a predict form."),
        ("GET", "/health", "Liveness and what is loaded."),
        ("GET", "/metrics", "Prometheus metrics."),
        ("GET", "/openapi.json", "This description."),
        ("GET", "/v1/models", "Models served (OpenAI's list)."),
        ("GET", "/v1/models/{name}", "One model; tabular models include their input schema."),
        ("POST", "/v1/chat/completions", "OpenAI chat completions (stream, tools, response_format, logprobs)."),
        ("POST", "/v1/completions", "OpenAI text completions."),
        ("POST", "/v1/embeddings", "OpenAI embeddings (float or base64)."),
        ("POST", "/v1/messages", "Anthropic Messages API (stream, tools)."),
        ("POST", "/v1/models/{name}/predict", "Predictions of a saved model from JSON rows or CSV."),
        ("POST", "/invocations", "MLflow's scoring protocol (dataframe_split, dataframe_records, instances, inputs)."),
    ]

    /// Answers one request; never throws (errors become their JSON responses).
    public func handle(_ request: ServeRequest) async -> ServeResponse {
        let start = Date()
        let route = Self.routeName(request.path)
        let anthropic = request.path == "/v1/messages"
        var response: ServeResponse
        do {
            response = try await dispatch(request)
        } catch let e as APIError {
            response = e.response(anthropic: anthropic)
        } catch is CancellationError {
            response = APIError(status: 499, message: "the client closed the request", type: "cancelled").response(anthropic: anthropic)
        } catch {
            response = APIError.internal("\(error)").response(anthropic: anthropic)
        }
        metrics.count("http_requests", ["route": route, "method": request.method, "status": String(response.status)])
        let status = response.status, method = request.method, path = request.path, bytesIn = request.body.count
        let finish: @Sendable (_ bytesOut: Int, _ streamed: Bool, _ outcome: String?) -> Void = { [metrics, log] bytesOut, streamed, outcome in
            let seconds = Date().timeIntervalSince(start)
            metrics.observe("http_request_seconds", seconds, ["route": route])
            var fields: [(key: String, value: JSON)] = [
                ("time", .string(ISO8601DateFormatter().string(from: start))), ("method", .string(method)), ("path", .string(path)),
                ("status", .int(status)), ("ms", .double((seconds * 1e5).rounded() / 100)), ("bytes_in", .int(bytesIn)),
                ("bytes_out", .int(bytesOut)), ("stream", .bool(streamed)),
            ]
            if let outcome { fields.append(("outcome", .string(outcome))) }
            log(JSON.object(fields).serialized())
        }
        switch response.body {
        case .bytes(let b):
            finish(b.count, false, nil)
        case .stream(let chunks):
            // A streamed response is logged when it ends (its duration, what it sent, and whether
            // the client went away first), not when its first byte leaves.
            response.body = .stream(Self.observing(chunks, finish: finish))
        }
        return response
    }

    /// Forwards a stream's chunks and reports, once, how it ended: finished (nil), failed, or
    /// abandoned (the consumer dropped it — the client went away).
    static func observing(_ chunks: AsyncThrowingStream<[UInt8], any Error>,
                          finish: @escaping @Sendable (Int, Bool, String?) -> Void) -> AsyncThrowingStream<[UInt8], any Error> {
        final class State: @unchecked Sendable {
            // Safety: `iterator` is used by the unfolding closure only, which a single consumer
            // calls one at a time (an AsyncThrowingStream has one iterator); `bytes` and
            // `reported` are guarded by `lock`.
            var iterator: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
            let finish: @Sendable (Int, Bool, String?) -> Void
            let lock = NSLock()
            var bytes = 0, reported = false
            init(_ i: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator, _ finish: @escaping @Sendable (Int, Bool, String?) -> Void) {
                iterator = i; self.finish = finish
            }
            func add(_ n: Int) { lock.withLock { bytes += n } }
            func report(_ outcome: String?) {
                let (first, count) = lock.withLock { () -> (Bool, Int) in
                    defer { reported = true }
                    return (!reported, bytes)
                }
                if first { finish(count, true, outcome) }
            }
            deinit { report("abandoned") }
        }
        let state = State(chunks.makeAsyncIterator(), finish)
        return AsyncThrowingStream {
            do {
                guard let chunk = try await state.iterator.next() else { state.report(nil); return nil }
                state.add(chunk.count)
                return chunk
            } catch {
                state.report(error is CancellationError ? "cancelled" : "failed")
                throw error
            }
        }
    }

    /// The route a path belongs to, for metrics labels (bounded: never the raw path).
    static func routeName(_ path: String) -> String {
        if path.hasPrefix("/v1/models/") { return path.hasSuffix("/predict") ? "/v1/models/{name}/predict" : "/v1/models/{name}" }
        return routes.contains { $0.path == path } ? path : "other"
    }

    func authorize(_ request: ServeRequest) throws {
        guard !configuration.apiKeys.isEmpty else { return }
        let open: Set<String> = ["/health", "/", "/openapi.json"]
        if open.contains(request.path) { return }
        var key = request.headers["x-api-key"]
        if let auth = request.headers["authorization"], auth.lowercased().hasPrefix("bearer ") {
            key = String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        guard let key else { throw APIError.unauthorized("no API key: send 'Authorization: Bearer KEY'") }
        // Compared in constant time over the longest key.
        let matched = configuration.apiKeys.contains { candidate in
            let a = Array(candidate.utf8), b = Array(key.utf8)
            var diff = a.count ^ b.count
            for i in 0..<max(a.count, b.count) { diff |= Int((i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)) }
            return diff == 0
        }
        guard matched else { throw APIError.unauthorized("Incorrect API key provided") }
    }

    func body(_ request: ServeRequest) throws -> JSON {
        if let type = request.headers["content-type"]?.lowercased(), !type.hasPrefix("application/json"), !type.isEmpty {
            throw APIError.unsupportedMediaType(type, expected: "application/json")
        }
        guard !request.body.isEmpty else { throw APIError.invalid("the body is empty; expected a JSON object") }
        return try JSON.parse(request.body)
    }

    func dispatch(_ request: ServeRequest) async throws -> ServeResponse {
        if state.isDraining && request.path != "/health" { throw APIError.unavailable("the server is shutting down", retryAfter: 5) }
        try authorize(request)
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        func need(_ method: String) throws {
            if request.method != method && !(method == "GET" && request.method == "HEAD") {
                throw APIError.methodNotAllowed(request.method, path, allowed: [method])
            }
        }
        switch path {
        case "/":
            try need("GET")
            return .text(WebPage.html, contentType: "text/html; charset=utf-8")
        case "/health":
            try need("GET")
            let load = llm?.engine.load
            return .json(.object([("status", .string(state.isDraining ? "draining" : "ok")),
                                  ("llm", llm.map { .string($0.name) } ?? .null), ("embeddings", embeddings.map { .string($0.name) } ?? .null),
                                  ("models", .array(models.keys.sorted().map(JSON.string))),
                                  ("queue", .int(load?.waiting ?? 0)), ("active", .int(load?.active ?? 0))]))
        case "/metrics":
            try need("GET")
            return .text(metrics.prometheusText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        case "/openapi.json":
            try need("GET")
            return .json(OpenAPIDocument.make(routes: Self.routes))
        case "/v1/models":
            try need("GET")
            return .json(.object([("object", .string("list")), ("data", .array(modelList()))]))
        case "/v1/chat/completions":
            try need("POST")
            return try await languageModel().chatCompletion(try body(request))
        case "/v1/completions":
            try need("POST")
            return try await languageModel().textCompletion(try body(request))
        case "/v1/messages":
            try need("POST")
            return try await languageModel().anthropicMessages(try body(request))
        case "/v1/embeddings":
            try need("POST")
            guard let embeddings else { throw APIError.notFound("this server has no embedding model (start it with --embeddings)", param: "model", code: "model_not_found") }
            return try await embeddings.embeddings(try body(request))
        case "/invocations":
            try need("POST")
            guard let model = models.count == 1 ? models.values.first : request.query["model"].flatMap({ models[$0] }) else {
                throw APIError.notFound(models.isEmpty ? "this server has no saved models (start it with --model-file NAME=PATH)"
                                                       : "several models are served: name one with /invocations?model=NAME (\(models.keys.sorted().joined(separator: ", ")))")
            }
            return try model.invocations(request)
        default:
            if path.hasPrefix("/v1/models/") {
                var rest = String(path.dropFirst("/v1/models/".count))
                let predict = rest.hasSuffix("/predict")
                if predict { rest = String(rest.dropLast("/predict".count)) }
                let name = rest.removingPercentEncoding ?? rest
                if predict {
                    try need("POST")
                    guard let model = models[name] else { throw unknownModel(name) }
                    return try model.predict(request)
                }
                try need("GET")
                guard let entry = modelList().first(where: { $0["id"] == .string(name) }) else { throw unknownModel(name) }
                return .json(models[name]?.info ?? entry)
            }
            throw APIError.notFound("no route \(request.method) \(request.path) (see /openapi.json)")
        }
    }

    func languageModel() throws -> LanguageModelService {
        guard let llm else { throw APIError.notFound("this server has no language model (start it with --llm)", param: "model", code: "model_not_found") }
        return llm
    }

    func unknownModel(_ name: String) -> APIError {
        .notFound("The model '\(name)' does not exist", param: "model", code: "model_not_found")
    }

    func modelList() -> [JSON] {
        var list: [JSON] = []
        func entry(_ id: String, _ created: Int) -> JSON {
            .object([("id", .string(id)), ("object", .string("model")), ("created", .int(created)), ("owned_by", .string("swiftlearn"))])
        }
        if let llm { list.append(entry(llm.name, llm.created)) }
        if let embeddings { list.append(entry(embeddings.name, llm?.created ?? Int(Date().timeIntervalSince1970))) }
        for name in models.keys.sorted() { list.append(entry(name, llm?.created ?? 0)) }
        return list
    }
}

import Foundation

/// What every client call runs with.
public struct ClientConfiguration: Sendable {
    /// The server's base URL, with or without `/v1` (e.g. `http://127.0.0.1:8080`).
    public var baseURL: URL
    public var apiKey: String?
    /// Seconds a request may take (for a stream: until its headers arrive).
    public var timeout: Double = 120
    public var retry = RetryPolicy()
    public var rateLimiter: RateLimiter?
    public var costs: CostTracker?
    /// Sent with every request.
    public var extraHeaders: [String: String] = [:]

    public init(baseURL: URL, apiKey: String? = nil, timeout: Double = 120, retry: RetryPolicy = RetryPolicy(),
                rateLimiter: RateLimiter? = nil, costs: CostTracker? = nil) {
        self.baseURL = baseURL; self.apiKey = apiKey; self.timeout = timeout; self.retry = retry
        self.rateLimiter = rateLimiter; self.costs = costs
    }

    /// `path` (e.g. `/v1/chat/completions`) under the base URL; a base already ending in `/v1` is not doubled.
    func url(_ path: String) -> URL {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var p = path
        if base.hasSuffix("/v1") && p.hasPrefix("/v1/") { p.removeFirst(3) }
        return URL(string: base + p) ?? baseURL.appendingPathComponent(p)
    }
}

/// Sending with retries, timeouts, rate limiting and cost accounting; shared by both clients.
struct RequestRunner: Sendable {
    let configuration: ClientConfiguration
    let transport: any HTTPTransport

    func request(_ method: String, _ path: String, headers: [String: String], body: JSONValue?) -> HTTPRequest {
        var h = ["accept": "application/json"].merging(configuration.extraHeaders) { _, b in b }.merging(headers) { _, b in b }
        if body != nil { h["content-type"] = "application/json" }
        return HTTPRequest(method: method, url: configuration.url(path), headers: h, body: body?.data ?? Data(), timeout: configuration.timeout)
    }

    static func asClientError(_ error: any Error) -> APIClientError {
        if let e = error as? APIClientError { return e }
        if error is CancellationError { return .cancelled }
        return .transport("\(error)")
    }

    /// Runs `attempt` until it succeeds, fails for good, or runs out of tries.
    func withRetries<T: Sendable>(_ attempt: @escaping @Sendable () async throws -> T) async throws -> T {
        let policy = configuration.retry
        var tries = 0
        while true {
            tries += 1
            if Task.isCancelled { throw APIClientError.cancelled }
            do {
                return try await attempt()
            } catch {
                let e = Self.asClientError(error)
                guard tries < policy.maxAttempts, RetryPolicy.isRetryable(e), !Task.isCancelled else { throw e }
                var requested: Double?
                if case .server(let info) = e { requested = info.retryAfter }
                do { try await policy.sleep(policy.delay(retry: tries, serverRequested: requested)) } catch { throw Self.asClientError(error) }
            }
        }
    }

    /// Sends a request and returns its JSON body (2xx), with retries.
    func send(_ request: HTTPRequest) async throws -> JSONValue {
        let timeout = configuration.timeout
        let transport = self.transport
        return try await withRetries {
            let response = try await withTimeout(timeout) { try await transport.send(request) }
            guard (200..<300).contains(response.status) else {
                throw APIClientError.server(ServerErrorInfo.decode(status: response.status, body: response.body, headers: response.headers))
            }
            return try JSONValue.parse(response.body)
        }
    }

    /// Opens a stream (retrying only until a 2xx status line arrives) and parses it into
    /// server-sent events with `handle`, which returns the events to hand out (or throws).
    func stream(_ request: HTTPRequest,
                handle: @escaping @Sendable (ServerSentEvent) throws -> [ChatStreamEvent]) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        let timeout = configuration.timeout
        let transport = self.transport
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await withRetries {
                        let r = try await withTimeout(timeout) { try await transport.stream(request) }
                        guard (200..<300).contains(r.status) else {
                            let body = (try? await r.collect()) ?? Data()
                            throw APIClientError.server(ServerErrorInfo.decode(status: r.status, body: body, headers: r.headers))
                        }
                        return r
                    }
                    // From here on nothing is retried: bytes have been (or are being) delivered.
                    var parser = ServerSentEventParser()
                    for try await chunk in response.body {
                        for event in parser.feed(chunk) {
                            for e in try handle(event) { continuation.yield(e) }
                        }
                    }
                    for event in parser.finish() {
                        for e in try handle(event) { continuation.yield(e) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: Task.isCancelled ? APIClientError.cancelled : Self.asClientError(error))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Waits for the rate limiter, if any.
    func acquire(_ estimate: Int) async throws {
        guard let limiter = configuration.rateLimiter else { return }
        do { try await limiter.acquire(tokens: estimate) } catch { throw Self.asClientError(error) }
    }

    /// Corrects the rate limiter and adds the cost once usage is known.
    func account(model: String, estimate: Int, usage: TokenUsage?) async {
        guard let usage else { return }
        if let limiter = configuration.rateLimiter { await limiter.record(estimated: estimate, actual: usage.totalTokens) }
        configuration.costs?.record(model: model, usage: usage)
    }

    /// A chat reply as a stream: waits for the rate limiter, opens the stream (`stream`), and
    /// accounts its usage when it ends. `makeRequest` builds the request inside the stream's task,
    /// so a request that cannot be encoded fails the stream with a typed error.
    func chatStream(model: String, estimate: Int, handle: @escaping @Sendable (ServerSentEvent) throws -> [ChatStreamEvent],
                    _ makeRequest: @escaping @Sendable () throws -> HTTPRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        let runner = self
        return AsyncThrowingStream { continuation in
            let task = Task {
                var builder = ChatReplyBuilder()
                do {
                    let http = try makeRequest()
                    try await runner.acquire(estimate)
                    for try await e in runner.stream(http, handle: handle) { builder.add(e); continuation.yield(e) }
                    await runner.account(model: builder.reply.model.isEmpty ? model : builder.reply.model, estimate: estimate, usage: builder.reply.usage)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: Self.asClientError(error))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A chat client of either API.
public protocol ChatClient: Sendable {
    /// Sends a chat request and waits for the whole reply.
    func chat(_ request: APIChatRequest) async throws -> APIChatReply
    /// Sends a chat request and returns its reply as it streams.
    func streamChat(_ request: APIChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error>
}

extension ChatClient {
    /// Streams a reply and assembles it (the stream's events in one reply).
    public func streamedReply(_ request: APIChatRequest, onEvent: @Sendable (ChatStreamEvent) -> Void = { _ in }) async throws -> APIChatReply {
        var builder = ChatReplyBuilder()
        for try await e in streamChat(request) { onEvent(e); builder.add(e) }
        return builder.reply
    }
}

/// A chat client for `baseURL`: Anthropic's Messages API when `anthropic`, else OpenAI's chat
/// completions.
public func makeChatClient(baseURL: URL, apiKey: String? = nil, anthropic: Bool = false,
                           transport: any HTTPTransport = URLSessionTransport()) -> any ChatClient {
    let configuration = ClientConfiguration(baseURL: baseURL, apiKey: apiKey)
    return anthropic ? AnthropicClient(configuration: configuration, transport: transport) : OpenAIClient(configuration: configuration, transport: transport)
}

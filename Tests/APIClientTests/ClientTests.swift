import APIClient
import Foundation
import XCTest

/// Records values from concurrent code (sleeps asked for, events seen).
final class Recorder<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func add(_ x: T) { lock.lock(); items.append(x); lock.unlock() }
    var all: [T] { lock.lock(); defer { lock.unlock() }; return items }
}

/// The client against `ScriptedTransport`: retries, errors, streams, rate limiting, costs.
final class ClientTests: XCTestCase {
    static let base = URL(string: "http://example.test:8080")!
    static let okChat = #"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hi there"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"#

    /// A client whose sleeps are recorded (and return at once) and whose jitter is `random`.
    func openAI(_ transport: ScriptedTransport, attempts: Int = 3, random: @escaping @Sendable (Double) -> Double = { $0 },
                costs: CostTracker? = nil, timeout: Double = 30) -> (OpenAIClient, Recorder<Double>) {
        let sleeps = Recorder<Double>()
        let policy = RetryPolicy(maxAttempts: attempts, initialDelay: 0.5, maxDelay: 8, random: random, sleep: { sleeps.add($0) })
        let config = ClientConfiguration(baseURL: Self.base, apiKey: "sk-test", timeout: timeout, retry: policy, costs: costs)
        return (OpenAIClient(configuration: config, transport: transport), sleeps)
    }

    static let request = APIChatRequest(model: "gpt-4o-mini", messages: [.system("be brief"), .user("hello")], maxTokens: 16, temperature: 0)

    func testRetriesA429HonouringRetryAfterThenSucceeds() async throws {
        let transport = ScriptedTransport([
            .json(#"{"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":"queue_full"}}"#, status: 429, headers: ["Retry-After": "0.01"]),
            .json(#"{"error":{"message":"busy"}}"#, status: 503, headers: ["retry-after-ms": "20"]),
            .json(Self.okChat),
        ])
        let (client, sleeps) = openAI(transport)
        let reply = try await client.chat(Self.request)
        XCTAssertEqual(reply.text, "hi there")
        XCTAssertEqual(reply.usage, TokenUsage(inputTokens: 12, outputTokens: 3))
        XCTAssertEqual(sleeps.all, [0.01, 0.02])
        XCTAssertEqual(transport.requests.count, 3)
        let sent = transport.requests[0]
        XCTAssertEqual(sent.url.absoluteString, "http://example.test:8080/v1/chat/completions")
        XCTAssertEqual(sent.headers["authorization"], "Bearer sk-test")
        let body = try JSONValue.parse(sent.body)
        XCTAssertEqual(body["messages"]?[0]?["role"], "system")
        XCTAssertEqual(body["max_tokens"], 16)
        XCTAssertEqual(body["temperature"], 0)
    }

    func testRetryAfterHeaderForms() {
        XCTAssertEqual(RetryPolicy.retryAfter(headers: ["Retry-After": "3"]), 3)
        XCTAssertEqual(RetryPolicy.retryAfter(headers: ["retry-after-ms": "250", "retry-after": "9"]), 0.25)
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        XCTAssertEqual(RetryPolicy.retryAfter(headers: ["Retry-After": "Tue, 14 Nov 2023 22:13:50 GMT"], now: now) ?? -1, 30, accuracy: 0.001)
        XCTAssertNil(RetryPolicy.retryAfter(headers: ["Retry-After": "soon"]))
        XCTAssertNil(RetryPolicy.retryAfter(headers: [:]))
        // A server asking for more than maxRetryAfter is capped.
        XCTAssertEqual(RetryPolicy(maxRetryAfter: 5).delay(retry: 1, serverRequested: 600), 5)
    }

    func testBackoffIsFullJitterUnderAnExponentialCeiling() {
        let top = RetryPolicy(initialDelay: 0.5, maxDelay: 8, random: { $0 })
        XCTAssertEqual((1...7).map { top.delay(retry: $0, serverRequested: nil) }, [0.5, 1, 2, 4, 8, 8, 8])
        let bottom = RetryPolicy(initialDelay: 0.5, maxDelay: 8, random: { _ in 0 })
        XCTAssertEqual(bottom.delay(retry: 4, serverRequested: nil), 0)
        let real = RetryPolicy(initialDelay: 0.5, maxDelay: 8)
        for retry in 1...6 {
            let samples = (0..<200).map { _ in real.delay(retry: retry, serverRequested: nil) }
            XCTAssertTrue(samples.allSatisfy { $0 >= 0 && $0 <= real.backoffCeiling(retry: retry) }, "retry \(retry)")
            XCTAssertGreaterThan(Set(samples).count, 100, "jitter spreads the waits")
        }
    }

    func testNoRetryOnA400AndTheErrorIsTyped() async throws {
        let transport = ScriptedTransport([
            .json(#"{"error":{"message":"'temperature' is 5","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}"#, status: 400),
            .json(Self.okChat),
        ])
        let (client, sleeps) = openAI(transport)
        do {
            _ = try await client.chat(Self.request)
            XCTFail("no error")
        } catch let e as APIClientError {
            XCTAssertEqual(e, .server(ServerErrorInfo(status: 400, type: "invalid_request_error", message: "'temperature' is 5",
                                                      param: "temperature", code: "invalid_value")))
        }
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertEqual(sleeps.all, [])
    }

    func testRetriesStopAfterMaxAttemptsAndTransportErrorsAreRetried() async throws {
        let transport = ScriptedTransport([.failure(.transport("connection refused")), .json("{}", status: 502), .json("{}", status: 500)])
        let (client, sleeps) = openAI(transport, attempts: 3, random: { $0 / 2 })
        do { _ = try await client.chat(Self.request); XCTFail("no error") } catch let e as APIClientError { XCTAssertEqual(e.status, 500) }
        XCTAssertEqual(transport.requests.count, 3)
        XCTAssertEqual(sleeps.all, [0.25, 0.5])
    }

    func testErrorBodiesOfBothShapesAndGarbage() async throws {
        let openAIShape = ServerErrorInfo.decode(status: 404, body: Data(#"{"error":{"message":"no such model","type":"not_found_error","param":"model","code":"model_not_found"}}"#.utf8))
        XCTAssertEqual(openAIShape, ServerErrorInfo(status: 404, type: "not_found_error", message: "no such model", param: "model", code: "model_not_found"))
        let anthropicShape = ServerErrorInfo.decode(status: 529, body: Data(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.utf8),
                                                    headers: ["Retry-After": "2"])
        XCTAssertEqual(anthropicShape, ServerErrorInfo(status: 529, type: "overloaded_error", message: "Overloaded", retryAfter: 2))
        let html = ServerErrorInfo.decode(status: 502, body: Data("<html>Bad Gateway</html>".utf8))
        XCTAssertEqual(html.message, "<html>Bad Gateway</html>")
        XCTAssertNil(html.type)

        // 200 with a body that is not the API's answer: typed errors, no crash, no retry.
        for body in ["not json at all", #"{"choices":[]}"#, #"{"choices":[{"message":{"tool_calls":[{"function":{}}]}}]}"#, "[1,2", ""] {
            let transport = ScriptedTransport([.json(body)])
            let (client, _) = openAI(transport)
            do { _ = try await client.chat(Self.request); XCTFail(body) } catch let e as APIClientError {
                guard case .malformedResponse = e else { return XCTFail("\(body): \(e)") }
            }
            XCTAssertEqual(transport.requests.count, 1)
        }
    }

    func testTimeoutAndCancellation() async throws {
        struct Slow: HTTPTransport {
            func send(_ request: HTTPRequest) async throws -> HTTPResponse {
                try await Task.sleep(nanoseconds: 20_000_000_000)
                return HTTPResponse(status: 200)
            }
            func stream(_ request: HTTPRequest) async throws -> HTTPStreamResponse {
                try await Task.sleep(nanoseconds: 20_000_000_000)
                return HTTPStreamResponse(status: 200, body: AsyncThrowingStream { $0.finish() })
            }
        }
        let config = ClientConfiguration(baseURL: Self.base, timeout: 0.05, retry: .none)
        let client = OpenAIClient(configuration: config, transport: Slow())
        do { _ = try await client.chat(Self.request); XCTFail("no timeout") } catch let e as APIClientError {
            XCTAssertEqual(e, .timedOut(seconds: 0.05))
        }
        let patient = OpenAIClient(configuration: ClientConfiguration(baseURL: Self.base, timeout: 60, retry: .none), transport: Slow())
        let task = Task { try await patient.chat(Self.request) }
        try await Task.sleep(nanoseconds: 20_000_000)
        task.cancel()
        let started = Date()
        do { _ = try await task.value; XCTFail("not cancelled") } catch let e as APIClientError { XCTAssertEqual(e, .cancelled) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    // MARK: Streams

    /// Splits bytes into chunks at the given offsets.
    static func chunks(_ text: String, cuts: [Int]) -> [Data] {
        let bytes = Array(text.utf8)
        var out: [Data] = [], start = 0
        for c in cuts.sorted() where c > start && c < bytes.count { out.append(Data(bytes[start..<c])); start = c }
        out.append(Data(bytes[start...]))
        return out
    }

    func testSSEParserIsIndifferentToChunkBoundaries() {
        let text = ": comment\r\nevent: greeting\r\ndata: héllo 🌍\r\ndata: second line\r\n\r\nid: 7\ndata: {\"a\": \"ü\"}\n\ndata:no space\n\ndata: tail without blank line"
        var whole = ServerSentEventParser()
        let expected = whole.feed(Array(text.utf8)) + whole.finish()
        XCTAssertEqual(expected, [ServerSentEvent(event: "greeting", data: "héllo 🌍\nsecond line"),
                                  ServerSentEvent(data: #"{"a": "ü"}"#, id: "7"), ServerSentEvent(data: "no space", id: "7"),
                                  ServerSentEvent(data: "tail without blank line", id: "7")])
        let bytes = Array(text.utf8)
        // Every single cut (inside lines, between \r and \n, inside the 4-byte 🌍 and 2-byte é).
        for cut in 1..<bytes.count {
            var p = ServerSentEventParser()
            let events = p.feed(bytes[..<cut]) + p.feed(bytes[cut...]) + p.finish()
            XCTAssertEqual(events, expected, "cut at \(cut)")
        }
        var p = ServerSentEventParser()
        var oneByOne: [ServerSentEvent] = []
        for b in bytes { oneByOne += p.feed([b]) }
        XCTAssertEqual(oneByOne + p.finish(), expected)
    }

    static let toolStream = [
        #"{"id":"c1","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
        #"{"id":"c1","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}"#,
        #"{"id":"c1","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": \"Os"}}]},"finish_reason":null}]}"#,
        #"{"id":"c1","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}}]},"finish_reason":null}]}"#,
        #"{"id":"c1","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"lo\", \"unit\": \"°C\"}"}}]},"finish_reason":null}]}"#,
        #"{"id":"c1","model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        #"{"id":"c1","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":40,"completion_tokens":18,"total_tokens":58}}"#,
        "[DONE]",
    ].map { "data: \($0)\n\n" }.joined()

    func testOpenAIStreamAssemblesToolCallDeltasAcrossSplitChunks() async throws {
        let bytes = Array(Self.toolStream.utf8)
        let degree = bytes.firstIndex(of: 0xC2)!  // "°" is C2 B0: cut inside it
        for cuts in [[], [7, degree + 1, 300], Array(stride(from: 3, to: bytes.count, by: 5))] {
            let costs = CostTracker()
            let transport = ScriptedTransport([.stream(chunks: Self.chunks(Self.toolStream, cuts: cuts))])
            let (client, _) = openAI(transport, costs: costs)
            var request = Self.request
            request.tools = [APITool(name: "get_weather"), APITool(name: "get_time")]
            request.toolChoice = .required
            let events = Recorder<ChatStreamEvent>()
            let reply = try await client.streamedReply(request) { events.add($0) }
            XCTAssertEqual(reply.toolCalls, [ToolCall(id: "call_a", name: "get_weather", arguments: #"{"city": "Oslo", "unit": "°C"}"#),
                                             ToolCall(id: "call_b", name: "get_time", arguments: "{}")], "cuts \(cuts)")
            XCTAssertEqual(reply.toolCalls[0].argumentsJSON?["unit"], "°C")
            XCTAssertEqual(reply.finishReason, "tool_calls")
            XCTAssertEqual(reply.usage, TokenUsage(inputTokens: 40, outputTokens: 18))
            XCTAssertEqual(reply.id, "c1")
            XCTAssertEqual(events.all.first, .started(id: "c1", model: "gpt-4o-mini"))
            let body = try JSONValue.parse(transport.requests[0].body)
            XCTAssertEqual(body["stream"], true)
            XCTAssertEqual(body["tool_choice"], "required")
            XCTAssertEqual(body["tools"]?[1]?["function"]?["name"], "get_time")
            XCTAssertEqual(costs.byModel["gpt-4o-mini"]?.usage, TokenUsage(inputTokens: 40, outputTokens: 18))
        }
    }

    func testOpenAIStreamTextAndAnErrorEventMidStream() async throws {
        let text = ["Hé", "llo ", "🌍", "!"].map { #"data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"\#($0)"},"finish_reason":null}]}"# + "\n\n" }.joined()
        let bytes = Array(text.utf8)
        let globe = bytes.firstIndex(of: 0xF0)!
        let transport = ScriptedTransport([.stream(chunks: Self.chunks(text, cuts: [globe + 1, globe + 2, globe + 3]))])
        let (client, _) = openAI(transport)
        let reply = try await client.streamedReply(Self.request)
        XCTAssertEqual(reply.text, "Héllo 🌍!")

        let failing = ScriptedTransport([.stream(chunks: [Data((#"data: {"choices":[{"index":0,"delta":{"content":"par"}}]}"# + "\n\n" +
                                                                #"data: {"error":{"message":"generation failed","type":"server_error"}}"# + "\n\n").utf8)])])
        let (client2, _) = openAI(failing)
        let seen = Recorder<ChatStreamEvent>()
        do { _ = try await client2.streamedReply(Self.request) { seen.add($0) }; XCTFail("no error") } catch let e as APIClientError {
            XCTAssertEqual(e, .server(ServerErrorInfo(status: 0, type: "server_error", message: "generation failed")))
        }
        XCTAssertEqual(seen.all, [.text("par")])
    }

    func testAStreamIsRetriedBeforeItsFirstByteButNeverAfter() async throws {
        let ok = #"data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}"# + "\n\ndata: [DONE]\n\n"
        let transport = ScriptedTransport([.json(#"{"error":{"message":"busy"}}"#, status: 429, headers: ["Retry-After": "0"]),
                                           .failure(.transport("reset")), .stream(chunks: [Data(ok.utf8)])])
        let (client, sleeps) = openAI(transport, attempts: 3)
        let reply = try await client.streamedReply(Self.request)
        XCTAssertEqual(reply.text, "ok")
        XCTAssertEqual(transport.requests.count, 3)
        XCTAssertEqual(sleeps.all.count, 2)

        let broken = ScriptedTransport([.stream(chunks: [Data((#"data: {"choices":[{"index":0,"delta":{"content":"half"}}]}"# + "\n\n").utf8)],
                                                failure: .transport("connection reset")),
                                        .stream(chunks: [Data(ok.utf8)])])
        let (client2, sleeps2) = openAI(broken, attempts: 3)
        do { _ = try await client2.streamedReply(Self.request); XCTFail("no error") } catch let e as APIClientError {
            XCTAssertEqual(e, .transport("connection reset"))
        }
        XCTAssertEqual(broken.requests.count, 1)
        XCTAssertEqual(sleeps2.all, [])
    }

    static let anthropicStream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[],"stop_reason":null,"usage":{"input_tokens":25,"output_tokens":1}}}

        event: ping
        data: {"type":"ping"}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me chéck"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" the weather."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\": \\"Par"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"is\\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":31}}

        event: message_stop
        data: {"type":"message_stop"}


        """

    func testAnthropicStreamAssembly() async throws {
        let costs = CostTracker()
        let transport = ScriptedTransport([.stream(chunks: Self.chunks(Self.anthropicStream, cuts: Array(stride(from: 11, to: 3000, by: 13))))])
        let config = ClientConfiguration(baseURL: URL(string: "https://api.example.test/v1")!, apiKey: "ak", retry: .none, costs: costs)
        let client = AnthropicClient(configuration: config, transport: transport)
        var request = APIChatRequest(model: "claude-3-5-haiku-20241022", messages: [
            .system("terse"), .user("weather?"),
            .assistant("", toolCalls: [ToolCall(id: "toolu_0", name: "get_weather", arguments: #"{"city":"Rome"}"#)]),
            .toolResult(id: "toolu_0", "sunny"), .user("and Paris?"),
        ])
        request.tools = [APITool(name: "get_weather", description: "Weather now", parameters: ["type": "object", "properties": ["city": ["type": "string"]]])]
        request.toolChoice = .tool("get_weather")
        let reply = try await client.streamedReply(request)
        XCTAssertEqual(reply.text, "Let me chéck the weather.")
        XCTAssertEqual(reply.toolCalls, [ToolCall(id: "toolu_1", name: "get_weather", arguments: #"{"city": "Paris"}"#)])
        XCTAssertEqual(reply.finishReason, "tool_use")
        XCTAssertEqual(reply.usage, TokenUsage(inputTokens: 25, outputTokens: 31))
        XCTAssertEqual(reply.model, "claude-3-5-haiku-20241022")
        XCTAssertEqual(costs.byModel["claude-3-5-haiku-20241022"]?.cost ?? -1, (25 * 0.8 + 31 * 4) / 1e6, accuracy: 1e-12)

        let sent = transport.requests[0]
        XCTAssertEqual(sent.url.absoluteString, "https://api.example.test/v1/messages")
        XCTAssertEqual(sent.headers["x-api-key"], "ak")
        XCTAssertEqual(sent.headers["anthropic-version"], "2023-06-01")
        let body = try JSONValue.parse(sent.body)
        XCTAssertEqual(body["system"], "terse")
        XCTAssertEqual(body["max_tokens"], 1024)
        XCTAssertEqual(body["tool_choice"], ["type": "tool", "name": "get_weather"])
        XCTAssertEqual(body["tools"]?[0]?["input_schema"]?["type"], "object")
        XCTAssertEqual(body["messages"]?[1]?["content"]?[0]?["type"], "tool_use")
        XCTAssertEqual(body["messages"]?[1]?["content"]?[0]?["input"], ["city": "Rome"])
        XCTAssertEqual(body["messages"]?[2]?["content"]?[0], ["type": "tool_result", "tool_use_id": "toolu_0", "content": "sunny"])
        XCTAssertEqual(body["stream"], true)
    }

    func testAnthropicWholeReplyAndErrorEvent() async throws {
        let message = #"{"id":"msg_2","type":"message","role":"assistant","model":"claude-3-5-sonnet-20241022","content":[{"type":"text","text":"Hi"},{"type":"tool_use","id":"toolu_9","name":"f","input":{"x":1}}],"stop_reason":"tool_use","usage":{"input_tokens":5,"output_tokens":7}}"#
        let transport = ScriptedTransport([.json(message),
                                           .stream(chunks: [Data("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n".utf8)])])
        let client = AnthropicClient(configuration: ClientConfiguration(baseURL: Self.base, retry: .none), transport: transport)
        let request = APIChatRequest(model: "claude-3-5-sonnet-20241022", messages: [.user("x")])
        let reply = try await client.chat(request)
        XCTAssertEqual(reply, APIChatReply(id: "msg_2", model: "claude-3-5-sonnet-20241022", text: "Hi",
                                           toolCalls: [ToolCall(id: "toolu_9", name: "f", arguments: #"{"x":1}"#)],
                                           finishReason: "tool_use", usage: TokenUsage(inputTokens: 5, outputTokens: 7)))
        do { _ = try await client.streamedReply(request); XCTFail("no error") } catch let e as APIClientError {
            XCTAssertEqual(e, .server(ServerErrorInfo(status: 0, type: "overloaded_error", message: "Overloaded")))
        }
        var json = request
        json.responseFormat = .jsonObject
        do { _ = try await client.chat(json); XCTFail("no error") } catch let e as APIClientError {
            guard case .invalidRequest = e else { return XCTFail("\(e)") }
        }
    }

    // MARK: Embeddings, models

    func testEmbeddingsFloatAndBase64AndModels() async throws {
        var bytes: [UInt8] = []
        for x: Float in [1, -2.5, 0.125] { withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes += $0 } }
        let b64 = Data(bytes).base64EncodedString()
        let transport = ScriptedTransport([
            .json(#"{"object":"list","model":"text-embedding-3-small","data":[{"object":"embedding","index":1,"embedding":"\#(b64)"},{"object":"embedding","index":0,"embedding":"\#(b64)"}],"usage":{"prompt_tokens":4,"total_tokens":4}}"#),
            .json(#"{"object":"list","model":"m","data":[{"object":"embedding","index":0,"embedding":[0.5,-1,2e-3]}]}"#),
            .json(#"{"object":"list","data":[{"id":"tiny_llama","object":"model"},{"id":"tiny_bert","object":"model"}]}"#),
            .json(#"{"object":"list","data":[{"index":0,"embedding":"@@@"}]}"#),
        ])
        let costs = CostTracker()
        let (client, _) = openAI(transport, costs: costs)
        let b = try await client.embeddings(model: "text-embedding-3-small", inputs: ["a", "b"], encoding: .base64)
        XCTAssertEqual(b.vectors, [[1, -2.5, 0.125], [1, -2.5, 0.125]])
        XCTAssertEqual(try JSONValue.parse(transport.requests[0].body)["encoding_format"], "base64")
        XCTAssertEqual(costs.byModel["text-embedding-3-small"]?.usage.inputTokens, 4)
        let f = try await client.embeddings(model: "m", inputs: ["x"])
        XCTAssertEqual(f.vectors, [[0.5, -1, 0.002]])
        let models = try await client.models()
        XCTAssertEqual(models, ["tiny_llama", "tiny_bert"])
        XCTAssertEqual(transport.requests[2].method, "GET")
        do { _ = try await client.embeddings(model: "m", inputs: ["x"], encoding: .base64); XCTFail("no error") } catch let e as APIClientError {
            guard case .malformedResponse = e else { return XCTFail("\(e)") }
        }
    }

    // MARK: Rate limiter, costs

    func testRateLimiterWaitsForRequestsAndTokens() async throws {
        final class Clock: @unchecked Sendable {
            let lock = NSLock(); var t = 1000.0
            var now: Double { lock.lock(); defer { lock.unlock() }; return t }
            func advance(_ s: Double) { lock.lock(); t += s; lock.unlock() }
        }
        let clock = Clock()
        let sleeps = Recorder<Double>()
        let limiter = RateLimiter(requestsPerMinute: 2, tokensPerMinute: 100, now: { clock.now }, sleep: { sleeps.add($0); clock.advance($0) })
        try await limiter.acquire(tokens: 10)
        try await limiter.acquire(tokens: 10)
        XCTAssertEqual(sleeps.all, [])
        try await limiter.acquire(tokens: 10)  // the request bucket is empty: one request refills in 30 s
        XCTAssertEqual(sleeps.all.count, 1)
        XCTAssertEqual(sleeps.all[0], 30, accuracy: 1e-9)
        // Tokens: 80 left, +50 in 30 s (capped at 100), -10.
        let left = await limiter.availableTokens ?? -1
        XCTAssertEqual(left, 90, accuracy: 1e-9)
        // A large request waits for its tokens (and the request bucket).
        try await limiter.acquire(tokens: 95)
        let waited = await limiter.waited
        XCTAssertEqual(waited, 30 + 30, accuracy: 1e-9)
        // Usage lower than estimated gives tokens back.
        let before = await limiter.availableTokens ?? 0
        await limiter.record(estimated: 95, actual: 15)
        let after = await limiter.availableTokens ?? 0
        XCTAssertEqual(after - before, 80, accuracy: 1e-9)
    }

    func testRateLimitedClientWaitsInsteadOfFailing() async throws {
        let sleeps = Recorder<Double>()
        let limiter = RateLimiter(requestsPerMinute: 1, sleep: { sleeps.add($0); try await Task.sleep(nanoseconds: 1_000_000) })
        let transport = ScriptedTransport([.json(Self.okChat), .json(Self.okChat)])
        var config = ClientConfiguration(baseURL: Self.base, retry: .none)
        config.rateLimiter = limiter
        let client = OpenAIClient(configuration: config, transport: transport)
        _ = try await client.chat(Self.request)
        XCTAssertEqual(sleeps.all, [])
        let task = Task { try await client.chat(Self.request) }
        try await Task.sleep(nanoseconds: 200_000_000)
        XCTAssertFalse(sleeps.all.isEmpty, "the second request waits for the bucket")
        XCTAssertEqual(transport.requests.count, 1)
        task.cancel()
        do { _ = try await task.value; XCTFail("not cancelled") } catch let e as APIClientError { XCTAssertEqual(e, .cancelled) }
    }

    func testCostsArePricedPerModelAndSummed() async throws {
        let costs = CostTracker()
        XCTAssertEqual(costs.record(model: "gpt-4o", usage: TokenUsage(inputTokens: 1_000_000, outputTokens: 1_000_000)), 12.5)
        XCTAssertEqual(costs.record(model: "gpt-4o-mini-2024-07-18", usage: TokenUsage(inputTokens: 2_000_000, outputTokens: 0)) ?? -1, 0.30, accuracy: 1e-12)
        XCTAssertEqual(costs.record(model: "tiny_llama.gguf", usage: TokenUsage(inputTokens: 500, outputTokens: 500)), 0)
        XCTAssertNil(costs.record(model: "mystery-model", usage: TokenUsage(inputTokens: 1, outputTokens: 1)))
        costs.record(model: "gpt-4o", usage: TokenUsage(inputTokens: 0, outputTokens: 100_000))
        XCTAssertEqual(costs.byModel["gpt-4o"]?.requests, 2)
        XCTAssertEqual(costs.byModel["gpt-4o"]?.cost ?? -1, 13.5, accuracy: 1e-9)
        XCTAssertEqual(costs.totalCost, 13.8, accuracy: 1e-9)
        XCTAssertEqual(costs.totalUsage, TokenUsage(inputTokens: 3_000_501, outputTokens: 1_100_501))
        XCTAssertTrue(costs.summary.contains("mystery-model: 1 request, 1 in + 1 out tokens, no price"), costs.summary)
        XCTAssertTrue(costs.summary.hasSuffix("total: $13.800000"), costs.summary)

        // Through a client: each reply's usage is added.
        let client = openAI(ScriptedTransport([.json(Self.okChat), .json(Self.okChat)]), costs: costs).0
        _ = try await client.chat(Self.request)
        _ = try await client.chat(Self.request)
        XCTAssertEqual(costs.byModel["gpt-4o-mini"]?.usage, TokenUsage(inputTokens: 24, outputTokens: 6))
        XCTAssertEqual(costs.byModel["gpt-4o-mini"]?.cost ?? -1, (24 * 0.15 + 6 * 0.6) / 1e6, accuracy: 1e-15)
    }

    func testRequestBodyCarriesToolsChoiceAndResponseFormat() async throws {
        var r = APIChatRequest(model: "m", messages: [.user("q"), .assistant("", toolCalls: [ToolCall(id: "c1", name: "f", arguments: "{}")]),
                                                      .toolResult(id: "c1", "42")])
        r.tools = [APITool(name: "f", description: "d", parameters: ["type": "object"])]
        r.toolChoice = .tool("f")
        var body = OpenAIClient.body(r, stream: false)
        XCTAssertEqual(body["tool_choice"], ["type": "function", "function": ["name": "f"]])
        XCTAssertEqual(body["tools"]?[0], ["type": "function", "function": ["name": "f", "description": "d", "parameters": ["type": "object"]]])
        XCTAssertEqual(body["messages"]?[1]?["content"], .null)
        XCTAssertEqual(body["messages"]?[1]?["tool_calls"]?[0]?["function"]?["arguments"], "{}")
        XCTAssertEqual(body["messages"]?[2], ["role": "tool", "content": "42", "tool_call_id": "c1"])
        XCTAssertNil(body["stream"])
        r.tools = []; r.toolChoice = nil
        r.responseFormat = .jsonSchema(name: "p", schema: ["type": "object"], strict: true)
        body = OpenAIClient.body(r, stream: true)
        XCTAssertEqual(body["response_format"], ["type": "json_schema", "json_schema": ["name": "p", "schema": ["type": "object"], "strict": true]])
        XCTAssertEqual(body["stream_options"], ["include_usage": true])
        r.responseFormat = .jsonObject
        XCTAssertEqual(OpenAIClient.body(r, stream: false)["response_format"], ["type": "json_object"])
    }
}

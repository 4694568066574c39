import APIClient
import Foundation
import LLM
import Serve
import XCTest

/// A transport that hands requests straight to `ServeApp.handle` (no sockets, no signal handlers).
struct InProcessTransport: HTTPTransport {
    let app: ServeApp

    func serveRequest(_ r: HTTPRequest) -> ServeRequest {
        var target = r.url.path
        if let q = r.url.query { target += "?" + q }
        return ServeRequest(method: r.method, target: target, headers: r.headers, body: Array(r.body))
    }

    static func headers(_ r: ServeResponse) -> [String: String] {
        Dictionary(r.headers.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { a, _ in a })
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let r = await app.handle(serveRequest(request))
        switch r.body {
        case .bytes(let b): return HTTPResponse(status: r.status, headers: Self.headers(r), body: Data(b))
        case .stream(let s):
            var data = Data()
            for try await chunk in s { data.append(contentsOf: chunk) }
            return HTTPResponse(status: r.status, headers: Self.headers(r), body: data)
        }
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamResponse {
        let r = await app.handle(serveRequest(request))
        switch r.body {
        case .bytes(let b):
            return HTTPStreamResponse(status: r.status, headers: Self.headers(r), body: AsyncThrowingStream { $0.yield(Data(b)); $0.finish() })
        case .stream(let s):
            let body = AsyncThrowingStream<Data, any Error> { continuation in
                let task = Task {
                    do {
                        for try await chunk in s { continuation.yield(Data(chunk)) }
                        continuation.finish()
                    } catch { continuation.finish(throwing: error) }
                }
                continuation.onTermination = { _ in task.cancel() }
            }
            return HTTPStreamResponse(status: r.status, headers: Self.headers(r), body: body)
        }
    }
}

/// The client against the real server code in-process, on the tiny random Llama of the LLM
/// fixtures (its text is noise; tool calls are grammar-constrained so they parse).
final class EndToEndTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("LLMTests/Fixtures")

    /// tiny_llama with a 1,024-token context (as ServeAppTests builds it).
    static func makeApp() throws -> ServeApp {
        let file = try GGUFFile(contentsOf: fixtures.appendingPathComponent("tiny_llama.gguf"))
        let longer = try GGUFFile(data: Data(try GGUFWriter(copying: file, overriding: ["llama.context_length": .uint32(1024)]).encode()))
        let generator = Generator(model: try LlamaModel(file: longer), tokenizer: try GGUFTokenizer(file: longer))
        let metrics = ServerMetrics()
        let engine = GenerationEngine(generator: generator, maxQueue: 16, timeout: 60, metrics: metrics)
        let llm = LanguageModelService(name: "tiny_llama", generator: generator, engine: engine)
        var configuration = ServeConfiguration()
        configuration.apiKeys = ["sk-local"]
        return ServeApp(configuration: configuration, llm: llm, embeddings: nil, models: [], metrics: metrics, log: { _ in })
    }

    func testChatStreamingAndAForcedToolCallThroughTheClient() async throws {
        let app = try Self.makeApp()
        let costs = CostTracker()
        let config = ClientConfiguration(baseURL: URL(string: "http://127.0.0.1:8080")!, apiKey: "sk-local", timeout: 120, retry: .none, costs: costs)
        let client = OpenAIClient(configuration: config, transport: InProcessTransport(app: app))

        let models = try await client.models()
        XCTAssertEqual(models, ["tiny_llama"])

        // Whole and streamed replies agree (greedy), with usage.
        let request = APIChatRequest(model: "tiny_llama", messages: [.system("be brief"), .user("hello there")], maxTokens: 8, temperature: 0)
        let whole = try await client.chat(request)
        XCTAssertEqual(whole.model, "tiny_llama")
        XCTAssertLessThanOrEqual(whole.usage?.outputTokens ?? 99, 8)
        XCTAssertGreaterThan(whole.usage?.inputTokens ?? 0, 0)
        let streamed = try await client.streamedReply(request)
        XCTAssertEqual(streamed.text, whole.text)
        XCTAssertEqual(streamed.usage, whole.usage)
        XCTAssertEqual(streamed.finishReason, whole.finishReason)
        XCTAssertEqual(costs.byModel["tiny_llama"]?.requests, 2)
        XCTAssertEqual(costs.byModel["tiny_llama"]?.cost, 0)

        // A forced tool call, whole and streamed: the arguments parse and follow the schema.
        var toolRequest = APIChatRequest(model: "tiny_llama", messages: [.user("weather in Oslo?")], maxTokens: 200, temperature: 1)
        toolRequest.seed = 3
        toolRequest.tools = [APITool(name: "get_weather", description: "Weather now",
                                     parameters: ["type": "object", "properties": ["city": ["type": "string", "maxLength": 12],
                                                                                   "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]]],
                                                  "required": ["city", "unit"]])]
        toolRequest.toolChoice = .tool("get_weather")
        for reply in [try await client.chat(toolRequest), try await client.streamedReply(toolRequest)] {
            XCTAssertEqual(reply.finishReason, "tool_calls")
            XCTAssertEqual(reply.toolCalls.count, 1)
            XCTAssertEqual(reply.toolCalls.first?.name, "get_weather")
            XCTAssertTrue(reply.toolCalls.first?.id.hasPrefix("call_") ?? false)
            let args = reply.toolCalls.first?.argumentsJSON
            XCTAssertNotNil(args?["city"]?.stringValue, reply.toolCalls.first?.arguments ?? "")
            XCTAssertTrue(["celsius", "fahrenheit"].contains(args?["unit"]?.stringValue ?? ""), reply.toolCalls.first?.arguments ?? "")
        }

        // The Anthropic client on /v1/messages: streamed text and a forced tool use.
        let anthropic = AnthropicClient(configuration: config, transport: InProcessTransport(app: app))
        let a = try await anthropic.streamedReply(request)
        XCTAssertEqual(a.text, whole.text)
        XCTAssertEqual(a.usage, whole.usage)
        XCTAssertEqual(a.finishReason, whole.finishReason == "length" ? "max_tokens" : "end_turn")
        let call = try await anthropic.streamedReply(toolRequest)
        XCTAssertEqual(call.finishReason, "tool_use")
        XCTAssertEqual(call.toolCalls.first?.name, "get_weather")
        XCTAssertNotNil(call.toolCalls.first?.argumentsJSON?["city"]?.stringValue, call.toolCalls.first?.arguments ?? "")

        // Server errors arrive typed: a wrong key (401) and an unknown model (404).
        let wrongKey = OpenAIClient(configuration: ClientConfiguration(baseURL: config.baseURL, apiKey: "nope", retry: .none), transport: InProcessTransport(app: app))
        do { _ = try await wrongKey.chat(request); XCTFail("no error") } catch let e as APIClientError { XCTAssertEqual(e.status, 401) }
        var unknown = request
        unknown.model = "gpt-99"
        do { _ = try await client.chat(unknown); XCTFail("no error") } catch let e as APIClientError {
            guard case .server(let info) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(info.status, 404)
            XCTAssertEqual(info.param, "model")
            XCTAssertEqual(info.code, "model_not_found")
        }
        do { _ = try await anthropic.chat(unknown); XCTFail("no error") } catch let e as APIClientError {
            guard case .server(let info) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(info.status, 404)
            XCTAssertEqual(info.type, "not_found_error")
        }
    }
}

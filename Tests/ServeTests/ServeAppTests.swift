import Datasets
import Foundation
import Learn
import LLM
import Serve
import XCTest

/// The HTTP API through `ServeApp.handle` (no sockets): a tiny random Llama model from the LLM
/// fixtures (its text is noise, but prompts, grammar-constrained tool calls, streaming and errors
/// are exercised for real), the tiny BERT for embeddings, and a random forest fitted here.
final class ServeAppTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("LLMTests/Fixtures")

    /// tiny_llama with a 1,024-token context (the fixture's 64 cannot hold a tool description):
    /// its random weights do not care where positions end.
    static func tinyLlama() throws -> Generator {
        let file = try GGUFFile(contentsOf: fixtures.appendingPathComponent("tiny_llama.gguf"))
        let longer = try GGUFFile(data: Data(try GGUFWriter(copying: file, overriding: ["llama.context_length": .uint32(1024)]).encode()))
        return Generator(model: try LlamaModel(file: longer), tokenizer: try GGUFTokenizer(file: longer))
    }

    static func makeApp(maxQueue: Int = 16, apiKeys: Set<String> = [], models: [PredictService] = []) throws -> (ServeApp, Generator) {
        let generator = try tinyLlama()
        let metrics = ServerMetrics()
        let engine = GenerationEngine(generator: generator, maxQueue: maxQueue, timeout: 60, metrics: metrics)
        let llm = LanguageModelService(name: "tiny_llama", generator: generator, engine: engine)
        let encoder = try BertEncoder(directory: fixtures.appendingPathComponent("tiny_bert"))
        var configuration = ServeConfiguration()
        configuration.apiKeys = apiKeys
        let app = ServeApp(configuration: configuration, llm: llm, embeddings: EmbeddingService(name: "tiny_bert", encoder: encoder, maxQueue: 4),
                           models: models, metrics: metrics, log: { _ in })
        return (app, generator)
    }

    func post(_ app: ServeApp, _ path: String, _ body: String, headers: [String: String] = ["content-type": "application/json"]) async -> (Int, JSON?) {
        let r = await app.handle(ServeRequest(method: "POST", target: path, headers: headers, body: Array(body.utf8)))
        let bytes = await Self.bytes(r)
        return (r.status, try? JSON.parse(bytes))
    }

    static func bytes(_ r: ServeResponse) async -> [UInt8] {
        switch r.body {
        case .bytes(let b): return b
        case .stream(let s):
            var out: [UInt8] = []
            do { for try await chunk in s { out += chunk } } catch { XCTFail("stream failed: \(error)") }
            return out
        }
    }

    /// `data:` payloads of a server-sent event stream.
    static func events(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n\n").compactMap { block in
            block.split(separator: "\n").first { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
        }
    }

    func testChatCompletionMatchesTheGeneratorOnTheTemplatePrompt() async throws {
        let (app, generator) = try Self.makeApp()
        let (status, body) = await post(app, "/v1/chat/completions",
                                        #"{"model":"tiny_llama","messages":[{"role":"user","content":"hello there"}],"max_tokens":8,"temperature":0}"#)
        XCTAssertEqual(status, 200)
        let template = try ChatTemplate(tokenizer: generator.tokenizer, path: "tiny")
        let expected = try generator.generate(prompt: try template.render([.user("hello there")]), maxTokens: 8, sampling: .greedy)
        XCTAssertEqual(body?["choices"].flatMap { if case .array(let c) = $0 { return c[0]["message"]?["content"] } else { return nil } },
                       .string(expected.text))
        XCTAssertEqual(body?["usage"]?["completion_tokens"], .int(expected.tokens.count))
        XCTAssertEqual(body?["usage"]?["prompt_tokens"], .int(expected.promptTokens))
        XCTAssertEqual(body?["object"], .string("chat.completion"))
    }

    func testStreamedChatEqualsTheWholeReplyAndEndsWithDone() async throws {
        let (app, _) = try Self.makeApp()
        let request = #"{"model":"tiny_llama","messages":[{"role":"user","content":"hi"}],"max_tokens":10,"temperature":0"#
        let (_, whole) = await post(app, "/v1/chat/completions", request + "}")
        let r = await app.handle(ServeRequest(method: "POST", target: "/v1/chat/completions", headers: ["content-type": "application/json"],
                                              body: Array((request + #","stream":true,"stream_options":{"include_usage":true}}"#).utf8)))
        XCTAssertEqual(r.headers.first { $0.0 == "Content-Type" }?.1, "text/event-stream")
        let events = Self.events(await Self.bytes(r))
        XCTAssertEqual(events.last, "[DONE]")
        var text = ""
        var finish: [String] = []
        for e in events.dropLast() {
            let chunk = try JSON.parse(Array(e.utf8))
            guard case .array(let choices)? = chunk["choices"] else { return XCTFail(e) }
            for c in choices {
                if case .string(let t)? = c["delta"]?["content"] { text += t }
                if case .string(let f)? = c["finish_reason"] { finish.append(f) }
            }
        }
        guard case .array(let choices)? = whole?["choices"] else { return XCTFail("no choices") }
        XCTAssertEqual(.string(text), choices[0]["message"]?["content"])
        XCTAssertEqual(finish.count, 1)
        let usage = try JSON.parse(Array(events[events.count - 2].utf8))["usage"]
        XCTAssertEqual(usage?["completion_tokens"], whole?["usage"]?["completion_tokens"])
    }

    static let weatherTool = #"{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string","maxLength":12},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city","unit"]}}}"#

    func testForcedToolCallsParseAndFollowTheSchemaEvenFromANoiseModel() async throws {
        let (app, _) = try Self.makeApp()
        let validator = try JSONSchemaValidator(schema: #"{"type":"object","properties":{"city":{"type":"string","maxLength":12},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city","unit"],"additionalProperties":false}"#)
        for seed in 0..<4 {
            let (status, body) = await post(app, "/v1/chat/completions", """
                {"model":"tiny_llama","messages":[{"role":"user","content":"weather?"}],"tools":[\(Self.weatherTool)],
                 "tool_choice":"required","max_tokens":200,"temperature":1,"seed":\(seed)}
                """)
            XCTAssertEqual(status, 200)
            guard case .array(let choices)? = body?["choices"], case .array(let calls)? = choices[0]["message"]?["tool_calls"] else {
                return XCTFail("no tool call: \(body?.serialized() ?? "")")
            }
            XCTAssertEqual(choices[0]["finish_reason"], .string("tool_calls"))
            XCTAssertEqual(calls[0]["function"]?["name"], .string("get_weather"))
            guard case .string(let arguments)? = calls[0]["function"]?["arguments"] else { return XCTFail("no arguments") }
            XCTAssertEqual(validator.validate(json: arguments), [], arguments)
        }
    }

    func testToolCallStreamerHandsOutNameThenArgumentsOnly() {
        let text = #"{"name": "get_weather", "arguments": {"city": "O\"slo}", "n": [1, {"a": 2}]}}"#
        for step in [1, 3, 7, 100] {
            var streamer = ToolCallStreamer()
            var names: [String] = [], args = ""
            var i = text.startIndex
            while i < text.endIndex {
                let j = text.index(i, offsetBy: step, limitedBy: text.endIndex) ?? text.endIndex
                let (name, piece) = streamer.feed(String(text[i..<j]))
                if let name { names.append(name) }
                args += piece
                i = j
            }
            XCTAssertEqual(names, ["get_weather"], "step \(step)")
            XCTAssertEqual(args, #"{"city": "O\"slo}", "n": [1, {"a": 2}]}"#, "step \(step)")
        }
    }

    func testJSONSchemaResponseFormatGivesValidJSON() async throws {
        let (app, _) = try Self.makeApp()
        let schema = #"{"type":"object","properties":{"name":{"type":"string","maxLength":8},"age":{"type":"integer"}},"required":["name","age"],"additionalProperties":false}"#
        let (status, body) = await post(app, "/v1/chat/completions", """
            {"model":"tiny_llama","messages":[{"role":"user","content":"x"}],"max_tokens":200,"seed":5,
             "response_format":{"type":"json_schema","json_schema":{"name":"person","strict":true,"schema":\(schema)}}}
            """)
        XCTAssertEqual(status, 200)
        guard case .array(let choices)? = body?["choices"], case .string(let content)? = choices[0]["message"]?["content"] else { return XCTFail("no content") }
        XCTAssertEqual(try JSONSchemaValidator(schema: schema).validate(json: content), [], content)
    }

    func testErrorsHaveOpenAIShapeStatusAndParam() async throws {
        let (app, _) = try Self.makeApp()
        let cases: [(String, String, Int, String?)] = [
            ("/v1/chat/completions", #"{"model":"nope","messages":[{"role":"user","content":"x"}]}"#, 404, "model"),
            ("/v1/chat/completions", #"{"model":"tiny_llama","messages":[{"role":"user","content":"x"}],"temperature":5}"#, 400, "temperature"),
            ("/v1/chat/completions", #"{"model":"tiny_llama","messages":[]}"#, 400, "messages"),
            ("/v1/chat/completions", #"{"model":"tiny_llama","messages":[{"role":"user","content":7}]}"#, 400, "messages[0].content"),
            ("/v1/chat/completions", #"{"model":"tiny_llama","messages":[{"role":"user","content":"x"}],"max_tokens":1.5}"#, 400, "max_tokens"),
            ("/v1/chat/completions", #"{"model":"tiny_llama","messages":[{"role":"user","content":"x"}],"max_tokens":100000}"#, 400, "max_tokens"),
            ("/v1/chat/completions", #"{"model":"tiny_llama","messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"]}"#, 400, "stop"),
            ("/v1/chat/completions", #"{"model":"tiny_llama","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"bad name"}}]}"#, 400, "tools[0].function.name"),
            ("/v1/chat/completions", #"{"model":"tiny_llama","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"schema":{"type":"object","patternProperties":{}}}}}"#, 400, "response_format.json_schema.schema"),
            ("/v1/chat/completions", "{bad", 400, nil),
            ("/v1/embeddings", #"{"model":"tiny_bert","input":[]}"#, 400, "input"),
            ("/v1/embeddings", #"{"model":"tiny_bert","input":"x","encoding_format":"int8"}"#, 400, "encoding_format"),
            ("/v1/completions", #"{"model":"tiny_llama","prompt":[99999999]}"#, 400, "prompt[0]"),
        ]
        for (path, body, status, param) in cases {
            let (s, json) = await post(app, path, body)
            XCTAssertEqual(s, status, body)
            let error = json?["error"]
            XCTAssertNotNil(error?["message"]?.stringValue, body)
            XCTAssertEqual(error?["param"], param.map(JSON.string) ?? .null, body)
        }
        let get = await app.handle(ServeRequest(method: "GET", target: "/v1/chat/completions"))
        XCTAssertEqual(get.status, 405)
        let missing = await app.handle(ServeRequest(method: "GET", target: "/nowhere"))
        XCTAssertEqual(missing.status, 404)
        let csv = await post(app, "/v1/chat/completions", "a,b", headers: ["content-type": "text/csv"])
        XCTAssertEqual(csv.0, 415)
    }

    func testAPIKeysAndAFullQueue() async throws {
        let (keyed, _) = try Self.makeApp(apiKeys: ["sk-1"])
        let request = #"{"model":"tiny_llama","messages":[{"role":"user","content":"x"}],"max_tokens":2}"#
        var (status, _) = await post(keyed, "/v1/chat/completions", request)
        XCTAssertEqual(status, 401)
        (status, _) = await post(keyed, "/v1/chat/completions", request, headers: ["content-type": "application/json", "authorization": "Bearer sk-2"])
        XCTAssertEqual(status, 401)
        (status, _) = await post(keyed, "/v1/chat/completions", request, headers: ["content-type": "application/json", "authorization": "Bearer sk-1"])
        XCTAssertEqual(status, 200)
        let health = await keyed.handle(ServeRequest(method: "GET", target: "/health"))
        XCTAssertEqual(health.status, 200)

        let (full, _) = try Self.makeApp(maxQueue: 0)
        let r = await full.handle(ServeRequest(method: "POST", target: "/v1/chat/completions", headers: ["content-type": "application/json"], body: Array(request.utf8)))
        XCTAssertEqual(r.status, 429)
        XCTAssertEqual(r.headers.first { $0.0 == "Retry-After" }?.1, "1")
    }

    func testEmbeddingsBase64EqualsFloatAndTheEncoder() async throws {
        let (app, _) = try Self.makeApp()
        let (s1, floats) = await post(app, "/v1/embeddings", #"{"model":"tiny_bert","input":["a cat","the dog"],"encoding_format":"float"}"#)
        let (s2, b64) = await post(app, "/v1/embeddings", #"{"model":"tiny_bert","input":["a cat","the dog"],"encoding_format":"base64"}"#)
        XCTAssertEqual(s1, 200); XCTAssertEqual(s2, 200)
        let encoder = try BertEncoder(directory: Self.fixtures.appendingPathComponent("tiny_bert"))
        let expected = try encoder.embed(["a cat", "the dog"])
        guard case .array(let fd)? = floats?["data"], case .array(let bd)? = b64?["data"] else { return XCTFail("no data") }
        for i in 0..<2 {
            guard case .array(let values)? = fd[i]["embedding"], case .string(let text)? = bd[i]["embedding"], let data = Data(base64Encoded: text) else {
                return XCTFail("bad embedding \(i)")
            }
            let decoded = data.withUnsafeBytes { raw in (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
            XCTAssertEqual(decoded, expected[i])
            XCTAssertEqual(values.compactMap { v -> Float? in v.doubleValue.map { Float($0) } }, expected[i])
        }
    }

    func testPredictionsEqualTheModelAndBadRowsNameTheField() async throws {
        let table = try Datasets.table(.penguins)
        let prep = try TabularPreparation(fitting: table, target: "species")
        let forest = RandomForestClassifier()
        try forest.setParameters(["n_estimators": .int(20), "random_state": .int(0)])
        try forest.fit(try prep.features(table), try prep.labels(table))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("serve-rf-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.save(forest, metadata: ["preparation": String(decoding: try JSONEncoder().encode(prep), as: UTF8.self)], to: path)
        let service = try PredictService(name: "penguins", path: path)
        let (app, _) = try Self.makeApp(models: [service])
        let rows = table.rows(Array(0..<10))
        let expected = try forest.predict(try prep.features(rows)).map { prep.classNames![$0] }
        let names = service.schema.map(\.name)
        let data = (0..<10).map { i in
            "[" + names.map { name -> String in
                switch try! rows.column(name) {
                case .numeric(let v): return v[i].isNaN ? "null" : "\(v[i])"
                case .categorical(let v): return v[i].map { "\"\($0)\"" } ?? "null"
                }
            }.joined(separator: ",") + "]"
        }
        let columns = "[" + names.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        let (status, body) = await post(app, "/v1/models/penguins/predict", #"{"columns":\#(columns),"data":[\#(data.joined(separator: ","))]}"#)
        XCTAssertEqual(status, 200)
        XCTAssertEqual(body?["predictions"], .array(expected.map(JSON.string)))
        let (ms, mlflow) = await post(app, "/invocations", #"{"dataframe_split":{"columns":\#(columns),"data":[\#(data.joined(separator: ","))]}}"#)
        XCTAssertEqual(ms, 200)
        XCTAssertEqual(mlflow?["predictions"], .array(expected.map(JSON.string)))
        let numeric = service.schema.first { $0.type == "number" }!.name
        let badRow = data[0].replacingOccurrences(of: "[", with: "").replacingOccurrences(of: "]", with: "").split(separator: ",", omittingEmptySubsequences: false)
        var cells = badRow.map(String.init)
        cells[names.firstIndex(of: numeric)!] = "\"abc\""
        let (bs, bad) = await post(app, "/v1/models/penguins/predict", #"{"columns":\#(columns),"data":[[\#(cells.joined(separator: ","))]]}"#)
        XCTAssertEqual(bs, 400)
        XCTAssertTrue(bad?["error"]?["message"]?.stringValue?.contains(numeric) == true, bad?.serialized() ?? "")
        let (us, _) = await post(app, "/v1/models/nope/predict", #"{"instances":[]}"#)
        XCTAssertEqual(us, 404)
    }

    func testAnthropicMessagesAndItsEventStream() async throws {
        let (app, _) = try Self.makeApp()
        let request = #"{"model":"tiny_llama","max_tokens":6,"system":"be brief","messages":[{"role":"user","content":"hi"}],"temperature":0"#
        let (status, body) = await post(app, "/v1/messages", request + "}")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(body?["type"], .string("message"))
        guard case .array(let content)? = body?["content"], case .string(let text)? = content.first?["text"] else { return XCTFail("no text") }
        let r = await app.handle(ServeRequest(method: "POST", target: "/v1/messages", headers: ["content-type": "application/json"],
                                              body: Array((request + #","stream":true}"#).utf8)))
        let raw = String(decoding: await Self.bytes(r), as: UTF8.self)
        let names = raw.components(separatedBy: "\n").filter { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
        XCTAssertEqual(names.first, "message_start")
        XCTAssertEqual(Array(names.suffix(3)), ["content_block_stop", "message_delta", "message_stop"])
        var streamed = ""
        for e in Self.events(Array(raw.utf8)) {
            if case .string(let t)? = try JSON.parse(Array(e.utf8))["delta"]?["text"] { streamed += t }
        }
        XCTAssertEqual(streamed, text)
        let (es, error) = await post(app, "/v1/messages", #"{"model":"tiny_llama","messages":[{"role":"user","content":"hi"}]}"#)
        XCTAssertEqual(es, 400)
        XCTAssertEqual(error?["type"], .string("error"))
    }

    func testMetricsAndOpenAPI() async throws {
        let (app, _) = try Self.makeApp()
        _ = await post(app, "/v1/chat/completions", #"{"model":"tiny_llama","messages":[{"role":"user","content":"x"}],"max_tokens":3}"#)
        let metrics = String(decoding: await Self.bytes(await app.handle(ServeRequest(method: "GET", target: "/metrics"))), as: UTF8.self)
        XCTAssertTrue(metrics.contains(#"swiftlearn_http_requests_total{method="POST",route="/v1/chat/completions",status="200"} 1"#), metrics)
        XCTAssertTrue(metrics.contains("swiftlearn_generated_tokens_total"), metrics)
        XCTAssertTrue(metrics.contains(#"swiftlearn_http_request_seconds_bucket{route="/v1/chat/completions",le="+Inf"} 1"#), metrics)
        let spec = try JSON.parse(await Self.bytes(await app.handle(ServeRequest(method: "GET", target: "/openapi.json"))))
        for route in ServeApp.routes {
            XCTAssertNotNil(spec["paths"]?[route.path]?[route.method.lowercased()], route.path)
        }
    }
}

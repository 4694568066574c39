import APIClient
import Agents
import Datasets
import Foundation
import Learn
import TestSupport
import Testing

// MARK: - Helpers

/// The `swiftlearn` executable next to the test bundle, or in .build (release, then debug).
let swiftlearnBinary: URL? = builtSwiftlearnBinary

let pythonChecks = ProcessInfo.processInfo.environment["SWIFTLEARN_PYTHON_CHECK"] == "1"

/// The client's messages go straight to a server session, in process.
final class InProcessTransport: MCPTransport {
    let session: MCPServerSession
    init(_ server: MCPServer) { session = server.session() }
    func request(_ request: JSONRPCMessage) async throws -> JSONRPCMessage {
        guard let reply = await session.respond(to: request) else { throw AgentError.mcpTransport("no reply") }
        return reply
    }
    func notify(_ notification: JSONRPCMessage) async throws { _ = await session.respond(to: notification) }
    func close() async {}
}

/// Tools for the server under test: the calculator, an echo, one that always fails, one that sleeps.
func mcpTestTools() throws -> [any AgentTool] {
    [
        BuiltinTools.calculator(),
        try JSONTool(name: "echo", description: "Echo the text", parameters: [
            "type": "object", "properties": ["text": ["type": "string"]], "required": ["text"],
        ]) { args in args["text"]?.stringValue ?? "" },
        try JSONTool(name: "broken", description: "Always fails", parameters: ["type": "object", "properties": [:]]) { _ in
            throw AgentError.toolFailed(tool: "broken", reason: "out of order")
        },
        try JSONTool(name: "slow", description: "Sleeps", parameters: ["type": "object", "properties": ["seconds": ["type": "number"]]]) { args in
            try await Task.sleep(nanoseconds: UInt64((args["seconds"]?.doubleValue ?? 1) * 1e9))
            return "slept"
        },
    ]
}

func request(_ id: Int, _ method: String, _ params: JSONValue? = nil) -> JSONRPCMessage {
    .request(id: .number(id), method: method, params: params)
}

let initializeParams: JSONValue = ["protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ["name": "test", "version": "1"]]

/// The JSON-RPC error code of a reply (nil for a result).
func errorCode(_ reply: JSONRPCMessage?) -> Int? {
    if case .failure(_, let e)? = reply { return e.code }
    return nil
}

func result(_ reply: JSONRPCMessage?) -> JSONValue? {
    if case .result(_, let r)? = reply { return r }
    return nil
}

/// Runs an MCP HTTP server on a free port until `body` returns.
func withHTTPServer<T>(_ server: MCPServer, eventStream: Bool = false,
                       _ body: (_ url: URL, _ endpoint: MCPHTTPEndpoint) async throws -> T) async throws -> T {
    let http = MCPHTTPServer(server: server, port: 0, eventStream: eventStream)
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let task = Task { try await http.run(handleSignals: false) { continuation.yield($0); continuation.finish() } }
    defer { task.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw AgentError.mcpTransport("the server did not start") }
    guard let url = URL(string: "http://127.0.0.1:\(port)/mcp") else { throw AgentError.mcpTransport("bad URL") }
    let value = try await body(url, http.endpoint)
    task.cancel()
    _ = try? await task.value
    return value
}

/// One raw HTTP request (for what the client never sends).
func rawHTTP(_ method: String, _ url: URL, headers: [String: String] = [:], body: String = "") async throws -> (status: Int, headers: [String: String], json: JSONValue?) {
    var h = ["Content-Type": "application/json", "Accept": "application/json, text/event-stream"]
    for (k, v) in headers { h[k] = v }
    let r = try await URLSessionTransport().send(HTTPRequest(method: method, url: url, headers: h, body: Data(body.utf8), timeout: 10))
    return (r.status, r.headers, try? JSONValue.parse(r.body))
}

// MARK: - Messages and framing

@Suite struct MCPMessageTests {
    @Test func linesAreSplitAcrossChunksAndOversizedOnesSkipped() {
        var buffer = MCPLineBuffer(limit: 10)
        var events: [MCPLineBuffer.Event] = []
        for chunk in ["ab", "c\r\n\n  \nde", "f\n0123456789ABC", "DEF", "\nxyz"] { events += buffer.feed(Array(chunk.utf8)) }
        events += buffer.finish()
        #expect(events == [.line(Data("abc".utf8)), .line(Data("def".utf8)), .tooLong(13), .line(Data("xyz".utf8))])
        // A long line that arrives whole is refused too, and the next one still gets through.
        var whole = MCPLineBuffer(limit: 4)
        #expect(whole.feed(Array("123456\nok\n".utf8)) == [.tooLong(6), .line(Data("ok".utf8))])
        #expect(whole.finish().isEmpty)
    }

    @Test func messagesParseAndMalformedOnesGetTheRightErrors() throws {
        #expect(try JSONRPCMessage.parse(Data(#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#.utf8)) == .request(id: .number(7), method: "ping", params: nil))
        #expect(try JSONRPCMessage.parse(Data(#"{"jsonrpc":"2.0","id":"a","result":{}}"#.utf8)) == .result(id: .string("a"), [:]))
        #expect(try JSONRPCMessage.parse(Data(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.utf8)) == .notification(method: "notifications/initialized", params: nil))
        #expect(try JSONRPCMessage.parse(Data(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no"}}"#.utf8))
            == .failure(id: .number(1), JSONRPCError(code: -32601, message: "no")))
        let cases: [(String, Int, JSONRPCID?)] = [
            ("{not json", -32700, nil),
            ("[1, 2]", -32600, nil),
            (#"{"jsonrpc":"1.0","id":3,"method":"ping"}"#, -32600, .number(3)),
            (#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, -32600, nil),
            (#"{"jsonrpc":"2.0","id":4,"method":42}"#, -32600, .number(4)),
            (#"{"jsonrpc":"2.0","id":5,"method":"tools/list","params":[1]}"#, -32602, .number(5)),
            (#"{"jsonrpc":"2.0","id":6}"#, -32600, .number(6)),
            (#""just a string""#, -32600, nil),
        ]
        for (text, code, id) in cases {
            do {
                _ = try JSONRPCMessage.parse(Data(text.utf8))
                Issue.record("\(text) parsed")
            } catch {
                #expect(error.error.code == code, "\(text)")
                #expect(error.id == id, "\(text)")
            }
        }
    }
}

// MARK: - Server sessions

@Suite struct MCPServerTests {
    @Test func handshakeNegotiatesTheVersionAndGuardsTheOrder() async throws {
        let server = try MCPServer(tools: try mcpTestTools(), name: "test-server", version: "9.9", instructions: "Use the tools.")
        let session = server.session()
        #expect(errorCode(await session.respond(to: request(1, "tools/list"))) == -32600)      // not initialized
        #expect(result(await session.respond(to: request(2, "ping"))) == [:])                    // ping always works
        #expect(errorCode(await session.respond(to: request(3, "server/discover"))) == -32601)   // unknown method first
        #expect(errorCode(await session.respond(to: request(4, "initialize", ["capabilities": [:]]))) == -32602)
        let initialized = result(await session.respond(to: request(5, "initialize", initializeParams)))
        #expect(initialized?["protocolVersion"] == "2025-11-25")
        #expect(initialized?["serverInfo"] == ["name": "test-server", "version": "9.9"])
        #expect(initialized?["capabilities"]?["tools"] != nil)
        #expect(initialized?["instructions"] == "Use the tools.")
        #expect(session.protocolVersion == "2025-11-25")
        #expect(errorCode(await session.respond(to: request(6, "initialize", initializeParams))) == -32600)   // twice
        #expect(await session.respond(to: .notification(method: "notifications/initialized", params: nil)) == nil)

        for (asked, agreed) in [("2025-06-18", "2025-06-18"), ("2025-03-26", "2025-03-26"), ("2024-11-05", "2025-11-25"), ("2099-01-01", "2025-11-25")] {
            let s = server.session()
            let r = result(await s.respond(to: request(1, "initialize", ["protocolVersion": .string(asked)])))
            #expect(r?["protocolVersion"] == .string(agreed), "\(asked)")
        }
    }

    @Test func toolsAreListedAndCalled() async throws {
        let session = try MCPServer(tools: try mcpTestTools()).session()
        _ = await session.respond(to: request(1, "initialize", initializeParams))
        let list = result(await session.respond(to: request(2, "tools/list")))
        let tools = list?["tools"]?.arrayValue ?? []
        #expect(tools.compactMap { $0["name"]?.stringValue } == ["calculator", "echo", "broken", "slow"])
        #expect(tools.allSatisfy { $0["inputSchema"]?["type"] == "object" && $0["description"]?.stringValue != nil })
        #expect(errorCode(await session.respond(to: request(3, "tools/list", ["cursor": "x"]))) == -32602)

        func call(_ id: Int, _ name: String, _ arguments: JSONValue?) async -> JSONRPCMessage? {
            var params: [String: JSONValue] = ["name": .string(name)]
            if let arguments { params["arguments"] = arguments }
            return await session.respond(to: request(id, "tools/call", .object(params)))
        }
        let ok = result(await call(4, "calculator", ["expression": "(12 + 3) * 4 / 5"]))
        #expect(ok == ["content": [["type": "text", "text": "12"]], "isError": false])
        let failed = result(await call(5, "broken", nil))
        #expect(failed?["isError"] == true)
        #expect(failed?["content"]?[0]?["text"]?.stringValue?.contains("out of order") == true)
        let badArguments = result(await call(6, "echo", ["text": 5]))                 // schema check: an error result
        #expect(badArguments?["isError"] == true)
        #expect(badArguments?["content"]?[0]?["text"]?.stringValue?.contains("invalid arguments") == true)
        #expect(result(await call(7, "calculator", ["expression": "2 +"]))?["isError"] == true)
        #expect(errorCode(await call(8, "no_such_tool", [:])) == -32602)               // unknown tool: a protocol error
        #expect(errorCode(await call(9, "echo", "not an object")) == -32602)
        #expect(errorCode(await session.respond(to: request(10, "tools/call", ["arguments": [:]]))) == -32602)
        #expect(errorCode(await session.respond(to: request(11, "resources/list"))) == -32601)
        // Bytes in, bytes out: what cannot be read is answered with an error carrying a null id.
        let parseError = await session.respond(toBytes: Data("{oops".utf8))
        #expect(parseError.flatMap { try? JSONValue.parse($0) }?["error"]?["code"] == -32700)
        #expect(parseError.flatMap { try? JSONValue.parse($0) }?["id"] == .null)
        #expect(await session.respond(toBytes: Data(#"{"jsonrpc":"2.0","method":"notifications/whatever"}"#.utf8)) == nil)
    }

    @Test func cancelledRequestsGetNoAnswer() async throws {
        let session = try MCPServer(tools: try mcpTestTools()).session()
        _ = await session.respond(to: request(1, "initialize", initializeParams))
        async let reply = session.respond(to: request(2, "tools/call", ["name": "slow", "arguments": ["seconds": 0.5]]))
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(await session.respond(to: .notification(method: "notifications/cancelled", params: ["requestId": 2])) == nil)
        #expect(await reply == nil)
        // The id is free again, and a cancellation of nothing in flight changes nothing.
        _ = await session.respond(to: .notification(method: "notifications/cancelled", params: ["requestId": 3]))
        #expect(result(await session.respond(to: request(3, "tools/call", ["name": "echo", "arguments": ["text": "hi"]])))?["isError"] == false)
    }
}

// MARK: - Client

@Suite struct MCPClientTests {
    @Test func clientListsAndCallsToolsAndMakesAgentTools() async throws {
        let client = MCPClient(transport: InProcessTransport(try MCPServer(tools: try mcpTestTools(), name: "inproc")))
        try await client.initialize()
        #expect(await client.protocolVersion == "2025-11-25")
        #expect(await client.serverInfo?["name"] == "inproc")
        try await client.ping()
        let tools = try await client.listTools()
        #expect(tools.map(\.name) == ["calculator", "echo", "broken", "slow"])
        let r = try await client.callTool("calculator", arguments: ["expression": "2^10"])
        #expect(r.text == "1024" && !r.isError)
        #expect(try await client.callTool("broken").isError)
        await #expect(throws: AgentError.mcpRemote(code: -32602, message: "Unknown tool: nope (tools: calculator, echo, broken, slow)")) {
            try await client.callTool("nope")
        }
        // As agent tools: results are text, error results throw toolFailed, and an executor runs them.
        let agentTools = try await client.agentTools(prefix: "remote_")
        #expect(agentTools.map(\.name) == ["remote_calculator", "remote_echo", "remote_broken", "remote_slow"])
        #expect(try await agentTools[1].call(["text": "hello"]) == "hello")
        do {
            _ = try await agentTools[2].call([:])
            Issue.record("no error")
        } catch let e as AgentError {
            guard case .toolFailed(let tool, let reason) = e else { Issue.record("\(e)"); return }
            #expect(tool == "remote_broken" && reason.contains("out of order"))
        }
        let executor = try ToolExecutor(agentTools)
        let results = await executor.run([AgentToolCall(id: "a", name: "remote_calculator", arguments: ["expression": "6*7"]),
                                          AgentToolCall(id: "b", name: "remote_echo", arguments: ["text": "x"])])
        #expect(results.map(\.content) == ["42", "x"])
    }

    @Test func requestsTimeOut() async throws {
        let client = MCPClient(transport: InProcessTransport(try MCPServer(tools: try mcpTestTools())), toolTimeout: 0.2)
        try await client.initialize()
        // The timeout error itself shows the limit fired before the tool's minute was up (no
        // bound on elapsed time: on 2 cores other suites can delay this test's resumption).
        await #expect(throws: AgentError.mcpTimeout(method: "tools/call", seconds: 0.2)) {
            try await client.callTool("slow", arguments: ["seconds": 60])
        }
    }

    @Test func resultTextCoversEveryContentKind() {
        let r = MCPToolResult(content: [["type": "text", "text": "a"], ["type": "image", "data": "…", "mimeType": "image/png"],
                                        ["type": "resource_link", "uri": "file:///x"], ["type": "resource", "resource": ["uri": "u", "text": "body"]]],
                              isError: false)
        #expect(r.text == "a\n[image image/png]\n[resource file:///x]\nbody")
        #expect(MCPToolResult(content: [], isError: false, structuredContent: ["n": 1]).text == #"{"n":1}"#)
    }
}

// MARK: - Stdio subprocesses

@Suite struct MCPStdioTests {
    @Test func aServerThatExitsIsATransportErrorWithItsStandardError() async throws {
        do {
            _ = try await MCPClient.launch("/bin/sh", arguments: ["-c", "read line; echo 'boom: no config' >&2; exit 3"])
            Issue.record("no error")
        } catch let e as AgentError {
            guard case .mcpTransport(let reason) = e else { Issue.record("\(e)"); return }
            #expect(reason.contains("exit status 3") && reason.contains("boom: no config"), "\(reason)")
        }
        await #expect(throws: AgentError.self) { _ = try await MCPClient.launch("no-such-mcp-server-command") }
    }

    @Test func silenceTimesOutAndNoiseIsNamed() async throws {
        let silent = try MCPStdioTransport(command: "/bin/sh", arguments: ["-c", "cat > /dev/null"])
        let client = MCPClient(transport: silent, requestTimeout: 0.3)
        await #expect(throws: AgentError.mcpTimeout(method: "initialize", seconds: 0.3)) { try await client.initialize() }
        await client.close()
        #expect(!silent.isRunning)

        let noisyTransport = try MCPStdioTransport(command: "/bin/sh", arguments: ["-c", "read l; echo 'hello, not JSON'; sleep 10"])
        noisyTransport.stopGrace = 0.2
        let noisy = MCPClient(transport: noisyTransport, requestTimeout: 0.5)
        do {
            try await noisy.initialize()
            Issue.record("no error")
        } catch let e as AgentError {
            #expect(e.description.contains("not JSON-RPC") && e.description.contains("hello, not JSON"), "\(e)")
        }
        await noisy.close()
    }

    @Test func anOversizedLineFromTheServerStopsIt() async throws {
        let transport = try MCPStdioTransport(command: "/bin/sh", arguments: ["-c", "head -c 17000000 /dev/zero | tr '\\000' x; echo; sleep 30"])
        let client = MCPClient(transport: transport, requestTimeout: 30)
        do {
            try await client.initialize()
            Issue.record("no error")
        } catch let e as AgentError {
            #expect(e.description.contains("more than"), "\(e)")
        }
        await client.close()
        #expect(!transport.isRunning)
    }

    @Test func closeStopsAServerWithSIGTERMWhenClosingItsInputIsNotEnough() async throws {
        // The server ignores its input closing; SIGTERM reaches its trap (servers are started
        // without the concurrency pool's blocked signals, which would hold SIGTERM back for good).
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let marker = dir.appendingPathComponent("term")
        let transport = try MCPStdioTransport(command: "/bin/sh", arguments: ["-c", "trap 'echo got > \"$0\"; exit 0' TERM; while :; do sleep 0.05; done", marker.path])
        transport.stopGrace = 0.5
        await transport.close()
        #expect(!transport.isRunning)
        #expect((try? String(contentsOf: marker, encoding: .utf8)) == "got\n")
    }

    // Without SIGKILL, close() would never return: the time limit turns that into a failure. No
    // bound on the elapsed time itself: on 2 cores, synchronous suites beside this one can hold
    // both of the test process's pool threads for minutes, and the waits between signals resume late.
    @Test(.timeLimit(.minutes(10))) func closeKillsAServerThatIgnoresSIGTERM() async throws {
        let transport = try MCPStdioTransport(command: "/bin/sh", arguments: ["-c", "trap '' TERM; while :; do sleep 0.05; done"])
        transport.stopGrace = 0.3
        #expect(transport.isRunning)
        await transport.close()
        #expect(!transport.isRunning)
        await #expect(throws: AgentError.mcpTransport("the client is closed")) { _ = try await transport.request(request(1, "ping")) }
    }
}

@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct MCPCommandTests {
    @Test func ourClientUsesSwiftlearnMCPServeOverStdio() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try Datasets.table(.iris).csvText().write(to: root.appendingPathComponent("iris.csv"), atomically: true, encoding: .utf8)
        let binary = try #require(swiftlearnBinary)
        let client = try await MCPClient.launch(binary.path, arguments: ["mcp", "serve", "--stdio", "--root", root.path])
        let names = try await client.listTools().map(\.name)
        #expect(names == ["calculator", "list_files", "read_file", "describe_csv", "fit_model"])
        #expect(try await client.callTool("calculator", arguments: ["expression": "sqrt(16) + 1"]).text == "5")
        #expect(try await client.callTool("list_files").text == "iris.csv")
        #expect(try await client.callTool("describe_csv", arguments: ["path": "iris.csv"]).text.hasPrefix("150 rows, 5 columns"))
        #expect(try await client.callTool("read_file", arguments: ["path": "../etc/passwd"]).isError)
        await client.close()
    }

    @Test func collectionSearchAndPredictionsOverStdio() async throws {
        let binary = try #require(swiftlearnBinary)
        let home = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let doc = home.appendingPathComponent("penguins.txt")
        try "Adelie penguins nest on rocky Antarctic shores and eat krill.".write(to: doc, atomically: true, encoding: .utf8)
        for args in [["collection", "create", "notes"], ["collection", "add", "notes", doc.path]] {
            let p = Process()
            p.executableURL = binary
            p.arguments = args + ["--home", home.path]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(args)")
        }
        let model = try saveIrisModel(in: home)
        let file = home.appendingPathComponent("collections/notes.sqlite").path
        for collection in ["notes", file] {
            let client = try await MCPClient.launch(binary.path, arguments: ["mcp", "serve", "--collection", collection, "--home", home.path, "--model", model])
            #expect(try await client.listTools().map(\.name) == ["calculator", "search_collection", "predict"])
            let hits = try await client.callTool("search_collection", arguments: ["query": "what do penguins eat", "k": 2])
            #expect(!hits.isError && hits.text.contains("krill") && hits.text.contains("penguins.txt"), "\(hits.text)")
            let predicted = try await client.callTool("predict", arguments: ["rows": [irisRow, irisRow]])
            #expect(!predicted.isError)
            #expect(try JSONValue.parse(predicted.text)["predictions"]?.arrayValue?.count == 2, "\(predicted.text)")
            #expect(try await client.callTool("predict", arguments: ["rows": []]).isError)
            await client.close()
        }
    }

    /// Raw lines into `swiftlearn mcp serve --stdio`: malformed JSON, a line over 16 MiB, a request
    /// before `initialize` and an unknown method get JSON-RPC errors, and serving goes on.
    @Test func malformedAndOversizedLinesGetErrorsAndServingGoesOn() throws {
        let binary = try #require(swiftlearnBinary)
        let p = Process()
        p.executableURL = binary
        p.arguments = ["mcp", "serve", "--stdio"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        var lines = [
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            "this is not json",
            #"{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#,
            String(repeating: "x", count: (16 << 20) + 10),
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"calculator","arguments":{"expression":"2+2"}}}"#,
            #"{"jsonrpc":"2.0","id":4,"method":"no/such"}"#,
            #"[{"jsonrpc":"2.0","id":5,"method":"ping"}]"#,
            #"{"jsonrpc":"2.0","id":6,"method":"ping"}"#,
        ]
        lines[0] += "\r"   // CRLF framing is read too
        for line in lines { input.fileHandleForWriting.write(Data((line + "\n").utf8)) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let replies = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        #expect(replies.count == 8, "\(replies)")
        func reply(_ id: Int) -> JSONValue? { replies.first { $0["id"] == .number(Double(id)) } }
        #expect(reply(1)?["error"]?["code"] == -32600)
        #expect(reply(2)?["result"]?["protocolVersion"] == "2025-06-18")
        #expect(reply(3)?["result"]?["content"]?[0]?["text"] == "4")
        #expect(reply(4)?["error"]?["code"] == -32601)
        #expect(reply(6)?["result"] == [:])
        let anonymous = replies.filter { $0["id"] == .null }.compactMap { $0["error"]?["code"]?.intValue }
        #expect(anonymous.sorted() == [-32700, -32600, -32600].sorted(), "\(replies)")
    }

    @Test func badArgumentsExit64AndRuntimeErrorsExit1() throws {
        let binary = try #require(swiftlearnBinary)
        func run(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = binary
            p.arguments = args
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            p.standardInput = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (args, hint) in [(["--stdio", "--port", "1"], "not both"), (["--port", "70000"], "--port"), (["--root", "/no/such/dir"], "--root"),
                             (["--model", "/no/such/model.slm"], "--model"), (["--collection", "/tmp/x.txt"], "--collection"),
                             (["--event-stream"], "--port"), (["--tool-timeout", "0"], "--tool-timeout")] {
            let (status, text) = try run(["mcp", "serve"] + args)
            #expect(status == 64, "\(args): \(status) \(text)")
            #expect(text.contains(hint), "\(args): \(text)")
        }
        let notAModel = dir.appendingPathComponent("model.slm")
        try Data("not a model".utf8).write(to: notAModel)
        let (status, text) = try run(["mcp", "serve", "--model", notAModel.path])
        #expect(status == 1, "\(text)")
        #expect(text.contains("model.slm"), "\(text)")
        let (missing, message) = try run(["mcp", "serve", "--collection", "no-such-collection", "--home", dir.path])
        #expect(missing == 1 && message.contains("no-such-collection"), "\(message)")
    }
}

// MARK: - Predict tool

/// A logistic regression fitted on iris and saved as `learn fit --save` does; its path.
func saveIrisModel(in dir: URL) throws -> String {
    let table = try Datasets.table(.iris)
    let prep = try TabularPreparation(fitting: table, target: "target")
    let model = LogisticRegression()
    try model.fit(try prep.features(table), try prep.labels(table))
    let path = dir.appendingPathComponent("iris.slm").path
    try ModelFile.save(model, metadata: ["preparation": String(decoding: try JSONEncoder().encode(prep), as: UTF8.self)], to: path)
    return path
}

/// One row of iris features.
let irisRow: JSONValue = ["sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2]

@Suite struct PredictToolTests {
    @Test func predictToolUsesASavedModel() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try saveIrisModel(in: dir)
        let tool = try BuiltinTools.predict(modelFile: path)
        #expect(tool.name == "predict")
        #expect(tool.description.contains("sepal length (cm) (number)"), "\(tool.description)")
        let executor = try ToolExecutor([tool])
        let ok = await executor.run(AgentToolCall(id: "1", name: "predict", arguments: ["rows": [irisRow]]))
        #expect(!ok.isError, "\(ok.content)")
        let json = try JSONValue.parse(ok.content)
        #expect(json["predictions"]?.arrayValue?.count == 1)
        #expect(json["probabilities"]?[0]?.arrayValue?.count == 3)
        let missingColumn = await executor.run(AgentToolCall(id: "2", name: "predict", arguments: ["rows": [["sepal length (cm)": 5.1]]]))
        #expect(missingColumn.isError)
        let wrongType = await executor.run(AgentToolCall(id: "3", name: "predict", arguments: ["rows": [["sepal length (cm)": "big", "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2]]]))
        #expect(wrongType.isError)
        #expect(throws: (any Error).self) { try BuiltinTools.predict(modelFile: dir.appendingPathComponent("none.slm").path) }
    }
}

// MARK: - Streamable HTTP

@Suite struct MCPHTTPTests {
    @Test(arguments: [false, true])
    func clientOverHTTPWithSessions(eventStream: Bool) async throws {
        try await withHTTPServer(try MCPServer(tools: try mcpTestTools(), name: "http-test"), eventStream: eventStream) { url, endpoint in
            let client = try await MCPClient.connect(url: url)
            #expect(await client.protocolVersion == "2025-11-25")
            #expect(endpoint.sessionCount == 1)
            let transport = try #require(client.transport as? MCPHTTPTransport)
            let session = try #require(transport.sessionID)
            #expect(try await client.listTools().count == 4)
            #expect(try await client.callTool("calculator", arguments: ["expression": "1+2"]).text == "3")
            #expect(try await client.callTool("broken").isError)
            await #expect(throws: AgentError.self) { try await client.callTool("nope") }
            // Concurrent calls on one session.
            let texts = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<8 { group.addTask { try await client.callTool("echo", arguments: ["text": .string("m\(i)")]).text } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(texts.sorted() == (0..<8).map { "m\($0)" })
            await client.close()                               // DELETE ends the session
            #expect(endpoint.sessionCount == 0)
            let after = try await rawHTTP("POST", url, headers: ["Mcp-Session-Id": session], body: #"{"jsonrpc":"2.0","id":9,"method":"ping"}"#)
            #expect(after.status == 404)
            #expect(after.json?["error"]?["code"] == -32600)
        }
    }

    @Test func endpointRefusesWhatItMust() async throws {
        try await withHTTPServer(try MCPServer(tools: try mcpTestTools())) { url, endpoint in
            let ping = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
            let noSession = try await rawHTTP("POST", url, body: ping)
            #expect(noSession.status == 400 && noSession.json?["error"]?["code"] == -32600)
            let discover = try await rawHTTP("POST", url, body: #"{"jsonrpc":"2.0","id":1,"method":"server/discover"}"#)
            #expect(discover.status == 400 && discover.json?["error"]?["code"] == -32601)
            #expect(try await rawHTTP("POST", url, headers: ["Mcp-Session-Id": "made-up"], body: ping).status == 404)
            let malformed = try await rawHTTP("POST", url, body: "{nope")
            #expect(malformed.status == 400 && malformed.json?["error"]?["code"] == -32700)
            #expect(try await rawHTTP("GET", url).status == 405)
            #expect(try await rawHTTP("DELETE", url).status == 400)
            #expect(try await rawHTTP("POST", url, headers: ["Content-Type": "text/plain"], body: ping).status == 415)
            #expect(try await rawHTTP("POST", url, headers: ["Accept": "text/html"], body: ping).status == 406)
            #expect(try await rawHTTP("POST", url, headers: ["Origin": "http://evil.example"], body: ping).status == 403)
            #expect(try await rawHTTP("POST", url, headers: ["MCP-Protocol-Version": "1999-01-01"], body: ping).status == 400)
            let other = try #require(URL(string: url.absoluteString.replacingOccurrences(of: "/mcp", with: "/other")))
            #expect(try await rawHTTP("POST", other, body: ping).status == 404)

            // initialize by hand: the session header, then a notification gets 202.
            let initialize = try await rawHTTP("POST", url, headers: ["Origin": "http://localhost:3000"],
                                               body: JSONRPCMessage.request(id: .number(1), method: "initialize", params: initializeParams).json.serialized)
            #expect(initialize.status == 200)
            let session = try #require(initialize.headers["mcp-session-id"])
            let headers = ["Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"]
            #expect(try await rawHTTP("POST", url, headers: headers, body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).status == 202)
            #expect(try await rawHTTP("POST", url, headers: headers, body: ping).json?["result"] == [:])
            // A body over 16 MiB is refused before it is read whole.
            let huge = try await rawHTTP("POST", url, headers: headers, body: String(repeating: " ", count: (16 << 20) + 1))
            #expect(huge.status == 413)
            #expect(try await rawHTTP("DELETE", url, headers: headers).status == 200)
            #expect(endpoint.sessionCount == 0)
        }
    }
}

// MARK: - Python cross-checks

@Suite(.enabled(if: pythonChecks, "SWIFTLEARN_PYTHON_CHECK=1 runs the official Python MCP SDK against our server and client"))
struct MCPPythonTests {
    static let pythonServer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/mcp/python_server.py")

    @Test(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built"))
    func pythonClientUsesOurServer() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try Datasets.table(.iris).csvText().write(to: root.appendingPathComponent("iris.csv"), atomically: true, encoding: .utf8)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/mcp/check_python_client.py")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script.path, "--binary", try #require(swiftlearnBinary).path, "--root", root.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let json = try JSONValue.parse(data)
        #expect(p.terminationStatus == 0, "\(json)")
        for key in ["stdio", "http", "http_sse"] {
            let r = try #require(json[key], "\(key) missing")
            #expect(r["error"] == nil, "\(key): \(r)")
            #expect(r["protocol"] == "2025-11-25", "\(key)")
            #expect(r["server"] == "swiftlearn", "\(key)")
            #expect(r["tools"] == ["calculator", "describe_csv", "fit_model", "list_files", "read_file"], "\(key)")
            #expect(r["schemas"] == true && r["ping"] == true, "\(key)")
            #expect(r["calc"] == "12" && r["calc_is_error"] == false, "\(key)")
            #expect(r["calc_error"] == true && r["bad_args"] == true, "\(key)")
            #expect(r["unknown_tool"] == -32602, "\(key)")
            #expect(r["csv"] == "150 rows, 5 columns", "\(key)")
        }
    }

    func checkPythonTools(_ client: MCPClient) async throws {
        #expect(try await client.listTools().map(\.name) == ["add", "echo", "fail"])
        #expect(await client.serverInfo?["name"] == "python-check")
        let tools = try await client.agentTools()
        let executor = try ToolExecutor(tools)
        let results = await executor.run([AgentToolCall(id: "1", name: "add", arguments: ["a": 2, "b": 40]),
                                          AgentToolCall(id: "2", name: "echo", arguments: ["text": "abc"]),
                                          AgentToolCall(id: "3", name: "fail", arguments: ["reason": "on purpose"]),
                                          AgentToolCall(id: "4", name: "add", arguments: ["a": "two", "b": 1])])
        #expect(results[0].content == "42" && !results[0].isError)
        #expect(results[1].content == "CBA")
        #expect(results[2].isError && results[2].content.contains("failed on purpose: on purpose"), "\(results[2].content)")
        #expect(results[3].isError)   // our executor checks the Python tool's schema first
        let raw = try await client.callTool("add", arguments: ["a": 1, "b": 2])
        #expect(raw.structuredContent == ["result": 3])
        // The Python SDK answers an unknown tool with an error result (ours: a JSON-RPC error).
        let unknown = try await client.callTool("nope")
        #expect(unknown.isError && unknown.text.contains("nope"), "\(unknown)")
    }

    @Test func ourClientUsesAPythonServerOverStdio() async throws {
        let client = try await MCPClient.launch("python3", arguments: [Self.pythonServer.path])
        try await checkPythonTools(client)
        await client.close()
    }

    @Test func ourClientUsesAPythonServerOverHTTP() async throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.pythonServer.path, "--http"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer {
            // SIGKILL: started from a thread of the concurrency pool, the server inherited a
            // signal mask that blocks SIGTERM (MCPStdioTransport starts its servers without one).
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        var portText = ""
        while !portText.hasSuffix("\n") {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            portText += String(decoding: byte, as: UTF8.self)
        }
        let port = try #require(Int(portText.trimmingCharacters(in: .whitespacesAndNewlines)))
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/mcp"))
        var client: MCPClient?
        for _ in 0..<100 where client == nil {
            client = try? await MCPClient.connect(url: url, requestTimeout: 10)
            if client == nil { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        let connected = try #require(client, "the Python server did not answer on \(url)")
        try await checkPythonTools(connected)
        await connected.close()
    }
}

import Agents
import ArgumentParser
import Foundation
import SwiftLearn

/// `swiftlearn mcp …`: the Model Context Protocol.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve SwiftLearn's tools to MCP clients (Claude Desktop, IDEs, agents).",
        subcommands: [MCPServeCommand.self]
    )
}

/// `swiftlearn mcp serve`: the built-in tools over stdio or streamable HTTP.
struct MCPServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve tools over MCP: stdio (default) or streamable HTTP (POST /mcp).",
        discussion: """
        Tools: calculator always; describe_csv, fit_model, read_file and list_files for files under --root; \
        search_collection over --collection; predict with a model saved by `learn fit --save` (--model). \
        Over stdio the protocol uses standard output, so logs go to standard error. Over HTTP the server \
        listens on 127.0.0.1 by default and prints its address to standard error.
        """
    )

    @Flag(help: "Serve over standard input and output (the default).") var stdio = false
    @Option(help: "Serve streamable HTTP on this port instead (0: any free port).") var port: Int?
    @Option(help: "Address to listen on with --port.") var host = "127.0.0.1"
    @Flag(help: "Answer HTTP requests with server-sent events instead of JSON bodies.") var eventStream = false
    @Option(help: "A folder whose files the file, CSV and model-fitting tools may use.") var root: String?
    @Option(help: "A collection to search: its name (under --home), or its .sqlite file.") var collection: String?
    @Option(help: "A model file saved by `learn fit --save`, for the predict tool.") var model: String?
    @Option(help: "Longest a tool call may run, in seconds.") var toolTimeout = 300
    @OptionGroup var home: HomeOption

    func validate() throws {
        if stdio && port != nil { throw ValidationError("give --stdio or --port, not both") }
        if let port { try checkRange(port, option: "--port", 0...65535) }
        if eventStream && port == nil { throw ValidationError("--event-stream applies to HTTP: give --port too") }
        try checkRange(toolTimeout, option: "--tool-timeout", 1...86_400)
        var isDirectory: ObjCBool = false
        if let root, !(FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw ValidationError("--root \(root) is not a folder")
        }
        if let model, !(FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory) && !isDirectory.boolValue) {
            throw ValidationError("--model \(model) is not a file")
        }
        if let collection, Self.isPath(collection) {
            guard collection.hasSuffix(".sqlite"), FileManager.default.fileExists(atPath: collection) else {
                throw ValidationError("--collection \(collection): give a collection name, or the .sqlite file of one (under a collections/ folder)")
            }
            guard URL(fileURLWithPath: collection).deletingLastPathComponent().lastPathComponent == "collections" else {
                throw ValidationError("--collection \(collection) is not in a collections/ folder (where `collection create` and `rag index` put them)")
            }
        }
    }

    /// A value that names a file rather than a collection.
    static func isPath(_ value: String) -> Bool { value.contains("/") || value.hasSuffix(".sqlite") }

    func tools() throws -> [any AgentTool] {
        var tools = [BuiltinTools.calculator()]
        if let root {
            let url = URL(fileURLWithPath: root)
            tools += [try BuiltinTools.listFiles(root: url), try BuiltinTools.readFile(root: url),
                      try BuiltinTools.describeCSV(root: url), try BuiltinTools.fitModel(root: url)]
        }
        if let collection {
            let store: CollectionStore, name: String
            if Self.isPath(collection) {
                let file = URL(fileURLWithPath: collection).standardizedFileURL
                store = CollectionStore(home: file.deletingLastPathComponent().deletingLastPathComponent())
                name = file.deletingPathExtension().lastPathComponent
            } else {
                store = home.collections
                name = collection
            }
            tools.append(try BuiltinTools.searchCollection(try RAGIndex.open(name, in: store).collection))
        }
        if let model { tools.append(try BuiltinTools.predict(modelFile: model)) }
        return tools
    }

    func run() async throws {
        let tools = try tools()
        let names = tools.map(\.name).joined(separator: ", ")
        let server = try MCPServer(tools: tools, name: "swiftlearn",
                                   instructions: "SwiftLearn's machine-learning toolkit. Tools: \(names). Each tool's description says what it takes.",
                                   policy: ToolPolicy(timeout: Double(toolTimeout), maxResultCharacters: 1 << 20))
        guard let port else {
            mcpLog("swiftlearn mcp: serving \(tools.count) tools over stdio (\(names))")
            await MCPStdioServer(server: server).run()
            return
        }
        let http = MCPHTTPServer(server: server, host: host, port: port, eventStream: eventStream)
        let host = self.host
        try await http.run { bound in
            mcpLog("swiftlearn mcp: serving \(tools.count) tools (\(names)); listening on http://\(host):\(bound)/mcp")
        }
    }
}

private func mcpLog(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

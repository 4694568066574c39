import ArgumentParser
import Foundation
import SwiftLearn
import Serve

/// `swiftlearn serve`: the OpenAI/Anthropic-compatible LLM server, embeddings and saved-model
/// predictions over HTTP.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a GGUF language model (OpenAI and Anthropic APIs), an embedding model and saved models over HTTP.",
        discussion: """
        Routes: POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/messages, /v1/models/NAME/predict, /invocations; \
        GET /v1/models, /health, /metrics, /openapi.json, and a web page at /. SIGTERM or Ctrl-C: new requests get 503, \
        requests in flight finish, then the server exits.
        """
    )

    @Option(help: "A GGUF language model to serve (its id is the file name without .gguf).") var llm: String?
    @Option(help: "A sentence-embedding model folder (config.json, model.safetensors, tokenizer.json), e.g. models/all-MiniLM-L6-v2.") var embeddings: String?
    @Option(name: .customLong("model-file"), help: "NAME=PATH of a model saved by `learn fit --save` (repeatable).") var modelFiles: [String] = []
    @Option(name: .customLong("model-uri"), help: "A registered model, models:/NAME@ALIAS or models:/NAME/VERSION|STAGE|latest, served as NAME (repeatable); its version's files must hold a `learn fit --save` file.") var modelURIs: [String] = []
    @Option(help: ArgumentHelp("The registry of --model-uri: a tracking server (http://…), 'local' or a store folder (default: $MLFLOW_TRACKING_URI, else local).", valueName: "URL|local|DIR")) var trackingUri: String?
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port (0: any free port; the chosen one is printed).") var port = 8080
    @Option(help: "Require this API key (Authorization: Bearer KEY).") var apiKey: String?
    @Option(help: "A file of API keys, one per line (# comments).") var apiKeys: String?
    @Option(help: "Most sequences generated at once.") var maxConcurrency = 8
    @Option(help: "Most requests waiting for the model (beyond: 429 with Retry-After).") var maxQueue = 64
    @Option(help: "Threads for the matrix products (0: all CPUs).") var threads = 0
    @Option(help: "Context length of each sequence (default: the model's).") var context: Int?
    @Option(help: "Largest request body in bytes.") var maxBody = 8 << 20
    @Option(help: "Longest a request may wait and run, in seconds.") var timeout = 600

    func validate() throws {
        try checkRange(port, option: "--port", 0...65535)
        try checkRange(maxConcurrency, option: "--max-concurrency", 1...256)
        try checkRange(maxQueue, option: "--max-queue", 0...100_000)
        try checkRange(threads, option: "--threads", 0...1024)
        try checkRange(maxBody, option: "--max-body", 1024...(1 << 30))
        try checkRange(timeout, option: "--timeout", 1...86_400)
        if let c = context { try checkRange(c, option: "--context", 2...10_000_000) }
        if apiKey != nil && apiKeys != nil { throw ValidationError("give --api-key or --api-keys, not both") }
        if llm == nil && embeddings == nil && modelFiles.isEmpty && modelURIs.isEmpty {
            throw ValidationError("nothing to serve: give --llm, --embeddings, --model-file NAME=PATH and/or --model-uri models:/NAME@ALIAS")
        }
        for uri in modelURIs {
            do { _ = try RegistryModelURI(uri) } catch let e as TrackingError { throw ValidationError("--model-uri: \(e.message)") }
        }
        if trackingUri != nil && modelURIs.isEmpty { throw ValidationError("--tracking-uri applies to --model-uri") }
        for spec in modelFiles where !spec.contains("=") || spec.hasPrefix("=") || spec.hasSuffix("=") {
            throw ValidationError("--model-file takes NAME=PATH, got '\(spec)'")
        }
    }

    func run() async throws {
        var configuration = ServeConfiguration()
        configuration.maxBodyBytes = maxBody
        configuration.maxQueue = maxQueue
        configuration.requestTimeout = TimeInterval(timeout)
        if let apiKey { configuration.apiKeys = [apiKey] }
        if let apiKeys {
            let text: String
            do { text = try String(contentsOfFile: apiKeys, encoding: .utf8) } catch {
                throw ValidationError("cannot read --api-keys \(apiKeys): \(error.localizedDescription)")
            }
            configuration.apiKeys = Set(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") })
            if configuration.apiKeys.isEmpty { throw ValidationError("--api-keys \(apiKeys) holds no key") }
        }
        let metrics = ServerMetrics()
        var llmService: LanguageModelService?
        if let llm {
            let file = try openGGUF(llm)
            let model = try LlamaModel(file: file)
            model.threads = threads
            if let c = context, c > model.configuration.contextLength {
                throw ValidationError("--context \(c) is longer than the model's \(model.configuration.contextLength) tokens")
            }
            let generator = Generator(model: model, tokenizer: try GGUFTokenizer(file: file))
            let engine = GenerationEngine(generator: generator, maxQueue: maxQueue, maxConcurrency: maxConcurrency, contextLength: context, timeout: TimeInterval(timeout), metrics: metrics)
            let name = URL(fileURLWithPath: llm).deletingPathExtension().lastPathComponent
            llmService = LanguageModelService(name: name, generator: generator, engine: engine, contextLength: context)
        }
        var embeddingService: EmbeddingService?
        if let embeddings {
            let url = URL(fileURLWithPath: embeddings)
            embeddingService = EmbeddingService(name: url.lastPathComponent, encoder: try BertEncoder(directory: url), maxQueue: maxQueue)
        }
        var models = try modelFiles.map { spec -> PredictService in
            let parts = spec.split(separator: "=", maxSplits: 1)
            return try PredictService(name: String(parts[0]), path: String(parts[1]))
        }
        models += try registryModels()
        let app = ServeApp(configuration: configuration, llm: llmService, embeddings: embeddingService, models: models, metrics: metrics)
        let server = HTTPServer(app: app, host: host, port: port)
        let host = self.host
        try await server.run { port in
            FileHandle.standardError.write(Data("swiftlearn serve: listening on http://\(host):\(port)\n".utf8))
        }
    }

    /// The `--model-uri` models: each version resolved in the registry, its model file fetched
    /// into a scratch folder (removed once loaded), and served under the registered name.
    func registryModels() throws -> [PredictService] {
        guard !modelURIs.isEmpty else { return [] }
        let target = trackingUri ?? ProcessInfo.processInfo.environment["MLFLOW_TRACKING_URI"] ?? "local"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlearn-serve-registry-\(UUID().uuidString)")
        do {
            guard let registry = try RunTracker.open(target, home: ProgressStore.home(override: nil)) as? any ModelRegistryReader else {
                throw ValidationError("--tracking-uri \(target) is not a model registry")
            }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            return try modelURIs.map { text in
                let uri = try RegistryModelURI(text)
                let (version, bytes) = try registry.modelFile(uri)
                let file = folder.appendingPathComponent("\(UUID().uuidString).json")
                try Data(bytes).write(to: file)
                FileHandle.standardError.write(Data("swiftlearn serve: \(text) is version \(version.version) of '\(version.name)' (\(version.source)), served as \(uri.name)\n".utf8))
                return try PredictService(name: uri.name, path: file.path)
            }
        } catch let e as TrackingError {
            throw ValidationError("--model-uri (registry \(target)): \(e.message)")
        }
    }
}

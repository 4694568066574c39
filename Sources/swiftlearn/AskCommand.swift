import APIClient
import ArgumentParser
import Foundation

/// `swiftlearn ask`: one prompt to an OpenAI- or Anthropic-compatible server (`swiftlearn serve`
/// or a hosted API), the reply on standard output (streamed by default), usage and cost on
/// standard error.
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Ask an OpenAI- or Anthropic-compatible server (e.g. swiftlearn serve) one question.",
        discussion: """
        The API key comes from --api-key, else OPENAI_API_KEY (--api openai) or ANTHROPIC_API_KEY (--api anthropic). \
        Failed requests (429, 5xx, connection errors) are retried with back-off. Usage and an estimated cost \
        (example list prices; local models cost 0) go to standard error.
        """
    )

    enum API: String, ExpressibleByArgument, CaseIterable { case openai, anthropic }

    @Option(help: "The server's base URL, e.g. http://127.0.0.1:8080.") var endpoint: String
    @Option(help: "The model to ask.") var model: String
    @Option(help: "API key (default: OPENAI_API_KEY or ANTHROPIC_API_KEY).") var apiKey: String?
    @Option(help: "Which API the server speaks: openai or anthropic.") var api: API = .openai
    @Option(help: "A system prompt.") var system: String?
    @Option(help: "Most tokens to generate.") var maxTokens: Int?
    @Option(help: "Sampling temperature (0 to 2; Anthropic 0 to 1).") var temperature: Double?
    @Option(help: "Seconds a request may take.") var timeout = 120
    @Option(help: "Tries per request, the first included.") var retries = 3
    @Flag(inversion: .prefixedNo, help: "Print the reply as it arrives.") var stream = true
    @Flag(help: "Ask for a JSON object as the reply (OpenAI's response_format json_object).") var json = false
    @Argument(help: "The prompt.") var prompt: String

    func validate() throws {
        guard let url = URL(string: endpoint), let scheme = url.scheme, scheme == "http" || scheme == "https", url.host != nil else {
            throw ValidationError("--endpoint must be an http(s) URL, got '\(endpoint)'")
        }
        if model.isEmpty { throw ValidationError("--model must not be empty") }
        if prompt.isEmpty { throw ValidationError("the prompt must not be empty") }
        if let m = maxTokens { try checkRange(m, option: "--max-tokens", 1...1_000_000) }
        try checkRange(timeout, option: "--timeout", 1...86_400)
        try checkRange(retries, option: "--retries", 1...10)
        if let t = temperature, !(t >= 0 && t <= (api == .anthropic ? 1 : 2)) {
            throw ValidationError("--temperature must be 0 to \(api == .anthropic ? 1 : 2), got \(t)")
        }
        if json && api == .anthropic { throw ValidationError("--json needs --api openai (Anthropic's API has no response_format)") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let key = apiKey ?? environment[api == .openai ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY"]
        let costs = CostTracker()
        let configuration = ClientConfiguration(baseURL: URL(string: endpoint)!, apiKey: key, timeout: Double(timeout),
                                                retry: RetryPolicy(maxAttempts: retries), costs: costs)
        let client: any ChatClient = api == .openai ? OpenAIClient(configuration: configuration) : AnthropicClient(configuration: configuration)
        var messages: [APIMessage] = []
        if let system { messages.append(.system(system)) }
        messages.append(.user(prompt))
        var request = APIChatRequest(model: model, messages: messages, maxTokens: maxTokens, temperature: temperature)
        if json { request.responseFormat = .jsonObject }
        // An `APIClientError` is printed by its description (exit status 1).
        let reply: APIChatReply
        if stream {
            reply = try await client.streamedReply(request) { event in
                if case .text(let t) = event { FileHandle.standardOutput.write(Data(t.utf8)) }
            }
            print("")
        } else {
            reply = try await client.chat(request)
            print(reply.text)
        }
        for call in reply.toolCalls { print("tool call \(call.name)(\(call.arguments))") }
        var line = "finish: \(reply.finishReason ?? "?")"
        if let u = reply.usage { line += "; tokens: \(u.inputTokens) in, \(u.outputTokens) out" }
        let model = reply.model.isEmpty ? self.model : reply.model
        if let entry = costs.byModel[model] {
            line += entry.cost.map { String(format: "; cost: $%.6f", $0) } ?? "; cost: unknown (no price for '\(model)')"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

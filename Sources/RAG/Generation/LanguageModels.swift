import APIClient
import Foundation
import LLM
import SwiftLearnCore

/// One message of a conversation given to a ``RAGLanguageModel``.
public struct RAGMessage: Sendable, Equatable {
    /// "system", "user" or "assistant".
    public var role: String
    /// The text.
    public var content: String

    /// Creates a message.
    public init(role: String, content: String) { self.role = role; self.content = content }
    /// A system message.
    public static func system(_ s: String) -> RAGMessage { RAGMessage(role: "system", content: s) }
    /// A user message.
    public static func user(_ s: String) -> RAGMessage { RAGMessage(role: "user", content: s) }
    /// An assistant message.
    public static func assistant(_ s: String) -> RAGMessage { RAGMessage(role: "assistant", content: s) }
}

/// The language model behind generation, query rewriting, HyDE, LLM re-ranking and the judge:
/// a local GGUF model (``LocalLanguageModel``) or any OpenAI/Anthropic-compatible endpoint
/// (``EndpointLanguageModel``).
public protocol RAGLanguageModel: Sendable {
    /// A name for reports ("SmolLM2-135M-Instruct.Q4_1", "gpt-4o-mini at https://…").
    var name: String { get }
    /// The most prompt + answer tokens a call may use.
    var contextLength: Int { get }
    /// Tokens in `text` (exact for a local model; characters / 4 for an endpoint).
    func tokenCount(_ text: String) -> Int
    /// Replies to `messages` (greedy unless `temperature` > 0), streaming the text to `onText`.
    func complete(_ messages: [RAGMessage], maxTokens: Int, temperature: Double,
                  onText: @escaping @Sendable (String) -> Void) async throws -> String
}

extension RAGLanguageModel {
    /// Replies to `messages` greedily without streaming.
    public func complete(_ messages: [RAGMessage], maxTokens: Int) async throws -> String {
        try await complete(messages, maxTokens: maxTokens, temperature: 0, onText: { _ in })
    }
}

/// A GGUF chat model run by the LLM module on this machine. Each `complete` runs the (synchronous)
/// generation on a thread of its own, so awaiting it never ties up Swift's cooperative pool.
public struct LocalLanguageModel: RAGLanguageModel {
    /// The model and its tokenizer.
    public let generator: Generator
    /// The model file's chat template.
    public let template: ChatTemplate
    /// The file name without extension.
    public let name: String
    /// The session length in tokens.
    public let contextLength: Int
    /// llama.cpp's repeat penalty over the last 64 tokens, prompt included (1: none). It is off by
    /// default: in RAG the prompt holds the sources, and penalizing their words keeps a small model
    /// from quoting them (SmolLM2-135M then often ends at once). Loops are cut by ``stopsLoops``.
    public var repeatPenalty: Float = 1
    /// Stop when the answer repeats a sentence it already wrote (the repeat is dropped): small
    /// models fall into loops under greedy decoding.
    public var stopsLoops = true

    /// Opens a GGUF model with a chat template.
    /// - Parameter contextLength: the session length (the model's own, at most 4096, by default).
    /// - Throws: `LLMError` for a bad file; `RAGError.invalidParameter` when it has no chat template.
    public init(contentsOf url: URL, contextLength: Int? = nil) throws {
        generator = try Generator(contentsOf: url)
        guard let template = try? ChatTemplate(tokenizer: generator.tokenizer, path: url.path) else {
            throw RAGError.invalidParameter(name: "llm", value: url.path, reason: "the model file has no chat template")
        }
        self.template = template
        name = url.deletingPathExtension().lastPathComponent
        let own = generator.model.configuration.contextLength
        self.contextLength = min(contextLength ?? min(own, 4096), own)
        try check(self.contextLength >= 64, "context", self.contextLength, "must be at least 64 tokens")
    }

    public func tokenCount(_ text: String) -> Int { generator.tokenizer.encode(text).count }

    public func complete(_ messages: [RAGMessage], maxTokens: Int, temperature: Double,
                         onText: @escaping @Sendable (String) -> Void) async throws -> String {
        let prompt = try template.render(messages.map { ChatMessage(role: $0.role, content: $0.content) })
        var sampling = SamplingParameters.greedy
        if temperature > 0 { sampling = SamplingParameters(); sampling.temperature = Float(temperature) }
        sampling.repeatPenalty = repeatPenalty
        let ids = generator.tokenizer.encode(prompt)
        guard ids.count < contextLength else {
            throw RAGError.generation("the prompt has \(ids.count) tokens; the context holds \(contextLength)")
        }
        let chosen = sampling
        return try await onOwnThread { try self.run(ids, maxTokens: maxTokens, sampling: chosen, onText: onText) }
    }

    private func run(_ ids: [Int], maxTokens: Int, sampling: SamplingParameters, onText: @Sendable (String) -> Void) throws -> String {
        var guardText = LoopGuard()
        var looped = false
        let result = try generator.generate(promptTokens: ids, maxTokens: max(1, min(maxTokens, contextLength - ids.count)),
                                            sampling: sampling, contextLength: contextLength) { token in
                if stopsLoops, guardText.append(token.text) { looped = true; return false }
            if !token.text.isEmpty { onText(token.text) }
            return !Task.isCancelled
        }
        return looped ? guardText.kept : result.text
    }
}

/// A model behind an OpenAI- or Anthropic-compatible HTTP API (APIClient: retries, rate limits).
public struct EndpointLanguageModel: RAGLanguageModel {
    /// The API client (OpenAI or Anthropic).
    public let client: any ChatClient
    /// The model name sent with each request.
    public let model: String
    /// "MODEL at URL".
    public let name: String
    /// The context length assumed for budgeting (tokens estimated as characters / 4).
    public let contextLength: Int

    /// - Parameters:
    ///   - baseURL: e.g. `http://127.0.0.1:8080/v1` (OpenAI style) or `https://api.anthropic.com/v1`.
    ///   - anthropic: speak Anthropic's Messages API instead of OpenAI's chat completions.
    public init(baseURL: URL, model: String, apiKey: String? = nil, anthropic: Bool = false, contextLength: Int = 8192,
                transport: any HTTPTransport = URLSessionTransport()) {
        client = makeChatClient(baseURL: baseURL, apiKey: apiKey, anthropic: anthropic, transport: transport)
        self.model = model
        name = "\(model) at \(baseURL.absoluteString)"
        self.contextLength = contextLength
    }

    public func tokenCount(_ text: String) -> Int { (text.count + 3) / 4 }

    public func complete(_ messages: [RAGMessage], maxTokens: Int, temperature: Double,
                         onText: @escaping @Sendable (String) -> Void) async throws -> String {
        let request = APIChatRequest(model: model, messages: messages.map {
            APIMessage(role: APIRole(rawValue: $0.role) ?? .user, content: $0.content)
        }, maxTokens: maxTokens, temperature: temperature)
        let reply = try await client.streamedReply(request) { event in
            if case .text(let piece) = event { onText(piece) }
        }
        return reply.text
    }
}

/// Watches generated text for loops: a sentence that repeats an earlier one, or a run of five
/// words that has already appeared twice ("because the explanation was incorrect because the
/// explanation was incorrect because …"). ``kept`` is the text before the loop began.
struct LoopGuard {
    private(set) var text = ""
    /// The text up to the end of the last sentence that was not a repeat, or up to the end of a
    /// repeated run's first occurrence.
    private(set) var kept = ""
    private var sentences = Set<String>()
    private var sentenceStart: String.Index?
    private var words: [(word: String, end: String.Index)] = []
    private var runs: [String: [Int]] = [:]
    private var pending = ""
    static let run = 5

    /// Adds a piece; true when it completed a loop.
    mutating func append(_ piece: String) -> Bool {
        if sentenceStart == nil { sentenceStart = text.endIndex }
        for ch in piece {
            text.append(ch)
            if ch.isLetter || ch.isNumber { pending.append(ch); continue }
            if !pending.isEmpty, wordEnded() { return true }
            if ".!?\n".contains(ch) {
                let start = sentenceStart ?? text.startIndex
                let sentence = text[start...].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                sentenceStart = text.endIndex
                if sentence.count >= 8 {
                    if !sentences.insert(sentence).inserted { return true }
                    kept = text
                }
            }
        }
        return false
    }

    /// Records the word just finished; true when its run of words is a third occurrence.
    private mutating func wordEnded() -> Bool {
        words.append((pending.lowercased(), text.index(before: text.endIndex)))
        pending = ""
        guard words.count >= Self.run else { return false }
        let key = words.suffix(Self.run).map(\.word).joined(separator: " ")
        var seen = runs[key, default: []]
        seen.append(words.count - 1)
        runs[key] = seen
        if seen.count >= 3 {
            kept = String(text[..<words[seen[0]].end])
            return true
        }
        return false
    }
}

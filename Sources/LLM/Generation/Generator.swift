import Foundation

/// Why generation ended.
public enum FinishReason: String, Sendable, Equatable {
    /// The model produced an end-of-generation token (EOS/EOT).
    case endOfText = "stop"
    /// A stop string was produced (it is not part of the text).
    case stopString = "stop_string"
    /// `maxTokens` tokens were generated.
    case length = "length"
    /// The context is full.
    case contextFull = "context_full"
    /// The caller's callback asked to stop.
    case cancelled = "cancelled"
}

/// One generated token as it streams.
public struct GeneratedToken: Sendable {
    /// The token id; -1 for the last call, which flushes text held back until the end (an
    /// incomplete character, or the start of a stop string that did not follow).
    public let id: Int
    /// The text this token makes visible now (empty while a character or a possible stop string
    /// is incomplete).
    public let text: String
    /// Its log-probability and the most likely alternatives, when asked for.
    public let logprob: TokenLogprob?
}

/// What `Generator.generate` returns.
public struct GenerationResult: Sendable {
    /// The generated text (stop string excluded) and its token ids.
    public let text: String
    public let tokens: [Int]
    /// Tokens in the prompt.
    public let promptTokens: Int
    /// Why generation ended.
    public let finishReason: FinishReason
    /// Seconds spent evaluating the prompt and generating.
    public let promptSeconds: Double, generationSeconds: Double

    /// Prompt tokens evaluated per second.
    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0 }
    /// Tokens generated per second.
    public var generationTokensPerSecond: Double { generationSeconds > 0 ? Double(tokens.count) / generationSeconds : 0 }
}

/// Text generation with a Llama model and its GGUF tokenizer: prompt evaluation, then sampling one
/// token at a time with streaming that never splits a UTF-8 character.
public struct Generator: Sendable {
    /// The model and the tokenizer of its file.
    public let model: LlamaModel
    public let tokenizer: GGUFTokenizer

    /// A generator over an opened model and its tokenizer.
    public init(model: LlamaModel, tokenizer: GGUFTokenizer) {
        self.model = model; self.tokenizer = tokenizer
    }

    /// Opens the model and tokenizer of a GGUF file.
    public init(contentsOf url: URL) throws {
        let file = try GGUFFile(contentsOf: url)
        self.init(model: try LlamaModel(file: file), tokenizer: try GGUFTokenizer(file: file))
    }

    /// Generates a continuation of `prompt` (special tokens in it are parsed; BOS added as the
    /// model's file asks).
    /// - Parameters:
    ///   - maxTokens: most tokens to generate (≥ 1).
    ///   - stop: stop strings (not included in the text).
    ///   - logprobs: how many alternatives to report per token (nil: no log-probabilities).
    ///   - contextLength: the session's length (the model's by default).
    ///   - contextShift: when the context is full, nil stops with `.contextFull`; k keeps the first
    ///     k tokens, discards the older half of the rest and goes on (llama.cpp's `n_keep`).
    ///   - grammar: constrains the output to the grammar's language (`Grammar(gbnf:)`,
    ///     `JSONSchemaGrammar`): before each draw the tokens it cannot accept get −∞, end-of-text
    ///     only where the grammar can end, and generation stops when nothing more can follow.
    ///   - onToken: called for every token; return false to stop.
    /// - Throws: `LLMError.invalidParameter` for bad parameters or a prompt longer than the context;
    ///   `GrammarError.noTokenAllowed` when the grammar leaves no token to generate.
    public func generate(prompt: String, maxTokens: Int, sampling: SamplingParameters = SamplingParameters(),
                         stop: [String] = [], logprobs: Int? = nil, contextLength: Int? = nil, contextShift: Int? = nil,
                         grammar: Grammar? = nil, onToken: (GeneratedToken) -> Bool = { _ in true }) throws -> GenerationResult {
        let ids = tokenizer.encode(prompt)
        return try generate(promptTokens: ids, maxTokens: maxTokens, sampling: sampling, stop: stop, logprobs: logprobs,
                            contextLength: contextLength, contextShift: contextShift, grammar: grammar, onToken: onToken)
    }

    /// As `generate(prompt:…)` from token ids.
    public func generate(promptTokens ids: [Int], maxTokens: Int, sampling: SamplingParameters = SamplingParameters(),
                         stop: [String] = [], logprobs: Int? = nil, contextLength: Int? = nil, contextShift: Int? = nil,
                         grammar: Grammar? = nil,
                         onToken: (GeneratedToken) -> Bool = { _ in true }) throws -> GenerationResult {
        let sequence = try GenerationSequence(model: model, tokenizer: tokenizer, promptTokens: ids, maxTokens: maxTokens, sampling: sampling,
                                              stop: stop, logprobs: logprobs, contextLength: contextLength, contextShift: contextShift,
                                              grammar: grammar) { GrammarTokenFilter(grammar: $0, tokenizer: tokenizer) }
        var reason = FinishReason.length
        loop: while true {
            switch try sequence.draw() {
            case .end(let why, let token):
                reason = token.map(onToken) == false ? .cancelled : why
                break loop
            case .next(let token):
                guard onToken(token) else { reason = .cancelled; break loop }
                try sequence.makeRoom()
                sequence.logits = try sequence.session.evaluate(token.id)
            }
        }
        let (tail, result) = sequence.finish(reason)
        if !tail.isEmpty { _ = onToken(GeneratedToken(id: -1, text: tail, logprob: nil)) }
        return result
    }
}

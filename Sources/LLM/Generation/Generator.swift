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
        let n = contextLength ?? model.configuration.contextLength
        guard maxTokens >= 1 else { throw LLMError.invalidParameter(name: "max_tokens", value: "\(maxTokens)", expected: "at least 1") }
        guard !ids.isEmpty else { throw LLMError.invalidParameter(name: "prompt", value: "empty", expected: "at least one token") }
        guard ids.count < n else {
            throw LLMError.invalidParameter(name: "prompt", value: "\(ids.count) tokens", expected: "fewer than the context length \(n)")
        }
        if let keep = contextShift, !(0..<(n - 1)).contains(keep) {
            throw LLMError.invalidParameter(name: "context_shift", value: "\(keep)", expected: "0…\(n - 2) tokens to keep")
        }
        if let k = logprobs, !(0...20).contains(k) { throw LLMError.invalidParameter(name: "top_logprobs", value: "\(k)", expected: "0…20") }
        var sampler = try Sampler(sampling, vocabularySize: model.configuration.vocabularySize)
        let session = try model.makeSession(contextLength: n)
        let t0 = Date()
        var logits = try session.evaluate(ids)
        let promptSeconds = Date().timeIntervalSince(t0)
        var stream = TextStream(stopStrings: stop)
        var out: [Int] = []
        var history = ids
        var reason = FinishReason.length
        let filter = grammar.map { GrammarTokenFilter(grammar: $0, tokenizer: tokenizer) }
        let endIDs = [tokenizer.eosID, tokenizer.eotID].compactMap { $0 }
        let t1 = Date()
        while out.count < maxTokens {
            var allowed = logits
            if let filter, filter.mask(&allowed, endIDs: endIDs) == 0 {
                if filter.canEnd { reason = .endOfText; break }
                throw GrammarError.noTokenAllowed(afterText: String(decoding: filter.acceptedBytes, as: UTF8.self))
            }
            let next = sampler.sample(allowed, history: history)
            let lp = logprobs.map { k in logits.withUnsafeBufferPointer { Sampler.logprob($0, chosen: next, top: k) } }
            if tokenizer.isEndOfGeneration(next) { reason = .endOfText; break }
            if let filter, !filter.accept(token: next) {   // only when every allowed logit was −∞
                throw GrammarError.noTokenAllowed(afterText: String(decoding: filter.acceptedBytes, as: UTF8.self))
            }
            out.append(next)
            history.append(next)
            let text = stream.append(tokenizer.pieceBytes(next, skipSpecial: true))
            if !onToken(GeneratedToken(id: next, text: text, logprob: lp)) { reason = .cancelled; break }
            if stream.stopped { reason = .stopString; break }
            if filter?.isComplete == true { reason = .endOfText; break }
            if out.count == maxTokens { break }
            if session.tokens.count >= n {
                // Full: stop, or shift as llama.cpp does — keep the first `keep` tokens, drop half
                // of the rest (the oldest) and go on.
                guard let keep = contextShift else { reason = .contextFull; break }
                try session.discard(from: keep, count: max(1, (session.tokens.count - keep) / 2))
            }
            logits = try session.evaluate(next)
        }
        let tail = stream.finish()
        if !tail.isEmpty { _ = onToken(GeneratedToken(id: -1, text: tail, logprob: nil)) }
        return GenerationResult(text: stream.text, tokens: out, promptTokens: ids.count, finishReason: reason,
                                promptSeconds: promptSeconds, generationSeconds: Date().timeIntervalSince(t1))
    }
}

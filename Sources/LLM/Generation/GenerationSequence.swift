import Foundation

/// One generation in progress — its session, sampler, text stream, grammar filter and limits — and
/// the per-token logic that `Generator.generate` and `BatchedGenerator` share, so a sequence
/// produces the same tokens and text whichever of them runs it. The caller evaluates the tokens
/// (one session at a time, or many sessions per `LlamaModel.decode`) and stores the logits.
final class GenerationSequence {
    /// What `draw()` decided.
    enum Draw {
        /// A token that goes on: show it, `makeRoom()`, evaluate it, store the logits.
        case next(GeneratedToken)
        /// The end, with the token drawn at this step when there was one (shown, not evaluated).
        case end(FinishReason, GeneratedToken?)
    }

    let session: LlamaSession
    let tokenizer: GGUFTokenizer
    private var sampler: Sampler
    private var stream: TextStream
    private let filter: GrammarTokenFilter?
    private let endIDs: [Int]
    private let maxTokens: Int, logprobs: Int?, contextShift: Int?
    private let promptCount: Int, promptSeconds: Double, started: Date
    private var history: [Int]
    private(set) var generated: [Int] = []
    /// The logits the next token is drawn from.
    var logits: [Float]

    /// Checks the parameters (as `Generator.generate` documents them), makes the session and
    /// evaluates the prompt. `makeFilter` builds the grammar's token filter.
    /// - Throws: `LLMError.invalidParameter` for bad parameters or a prompt longer than the context.
    init(model: LlamaModel, tokenizer: GGUFTokenizer, promptTokens ids: [Int], maxTokens: Int, sampling: SamplingParameters, stop: [String],
         logprobs: Int?, contextLength: Int?, contextShift: Int?, grammar: Grammar?,
         makeFilter: (Grammar) -> GrammarTokenFilter) throws {
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
        sampler = try Sampler(sampling, vocabularySize: model.configuration.vocabularySize)
        session = try model.makeSession(contextLength: n)
        let t0 = Date()
        logits = try session.evaluate(ids)
        promptSeconds = Date().timeIntervalSince(t0)
        self.tokenizer = tokenizer
        stream = TextStream(stopStrings: stop)
        filter = grammar.map(makeFilter)
        endIDs = [tokenizer.eosID, tokenizer.eotID].compactMap { $0 }
        self.maxTokens = maxTokens; self.logprobs = logprobs; self.contextShift = contextShift
        promptCount = ids.count
        history = ids
        started = Date()
    }

    /// Draws the next token from `logits`: the grammar's mask, the sampler, end-of-text, the stop
    /// strings, the grammar's completion, `maxTokens`, a full context without a shift.
    /// - Throws: `GrammarError.noTokenAllowed` when the grammar leaves no token and cannot end.
    func draw() throws -> Draw {
        var allowed = logits
        if let filter, filter.mask(&allowed, endIDs: endIDs) == 0 {
            if filter.canEnd { return .end(.endOfText, nil) }
            throw GrammarError.noTokenAllowed(afterText: String(decoding: filter.acceptedBytes, as: UTF8.self))
        }
        let next = sampler.sample(allowed, history: history)
        let lp = logprobs.map { k in logits.withUnsafeBufferPointer { Sampler.logprob($0, chosen: next, top: k) } }
        if tokenizer.isEndOfGeneration(next) { return .end(.endOfText, nil) }
        if let filter, !filter.accept(token: next) {   // only when every allowed logit was −∞
            throw GrammarError.noTokenAllowed(afterText: String(decoding: filter.acceptedBytes, as: UTF8.self))
        }
        generated.append(next)
        history.append(next)
        let token = GeneratedToken(id: next, text: stream.append(tokenizer.pieceBytes(next, skipSpecial: true)), logprob: lp)
        if stream.stopped { return .end(.stopString, token) }
        if filter?.isComplete == true { return .end(.endOfText, token) }
        if generated.count == maxTokens { return .end(.length, token) }
        if session.tokens.count >= session.contextLength && contextShift == nil { return .end(.contextFull, token) }
        return .next(token)
    }

    /// Before evaluating a `.next` token: when the context is full, the shift llama.cpp does — keep
    /// the first `contextShift` tokens, drop half of the rest (the oldest).
    /// - Throws: as `LlamaSession.discard(from:count:)` (learned positions cannot shift).
    func makeRoom() throws {
        guard session.tokens.count >= session.contextLength, let keep = contextShift else { return }
        try session.discard(from: keep, count: max(1, (session.tokens.count - keep) / 2))
    }

    /// Ends the sequence: the text held back until now, and the result.
    func finish(_ reason: FinishReason) -> (tail: String, result: GenerationResult) {
        let tail = stream.finish()
        return (tail, GenerationResult(text: stream.text, tokens: generated, promptTokens: promptCount, finishReason: reason,
                                       promptSeconds: promptSeconds, generationSeconds: Date().timeIntervalSince(started)))
    }
}

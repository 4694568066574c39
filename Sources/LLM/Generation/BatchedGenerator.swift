import Foundation

/// Several generations advanced together (continuous batching, for a server): each `step()` takes
/// one token from every active sequence and evaluates them all with one `LlamaModel.decode` call,
/// so each weight matrix is read once per step instead of once per sequence.
///
/// Each sequence has its own session (KV cache), sampler (its own seed), stop strings, token
/// limit, optional grammar and log-probabilities, and produces exactly what
/// `Generator.generate` produces for the same prompt and parameters — the same tokens, the same
/// streamed text pieces, the same finish reason (decode gives every session the bits it would get
/// alone). Sequences join with `add`, which evaluates the prompt at once on its own (in batches,
/// `LlamaSession.evaluate(_:)`): the running sequences wait for it, and the new one takes part
/// from the next `step()`, which samples its first token. `cancel` ends one early.
///
/// Synchronous and single-threaded: no Dispatch, no async. It is not `Sendable` — it holds mutable
/// per-sequence state (samplers, grammar filters, text streams) without locks — so create and use
/// it on one thread (a server's generation thread), handing requests and events across with the
/// server's own queue. The model and tokenizer it uses may be shared with other threads.
public final class BatchedGenerator {
    /// The model and the tokenizer of its file.
    public let model: LlamaModel
    public let tokenizer: GGUFTokenizer

    /// What a step (or `cancel`) reports for one sequence.
    public struct Event: Sendable {
        /// The sequence (as `add` returned it).
        public let sequence: Int
        /// The token generated at this step, with the text it makes visible now and its
        /// log-probabilities when asked for; nil when the sequence ended without one (end-of-text,
        /// a grammar with nothing left to allow, cancellation, a failure).
        public let token: GeneratedToken?
        /// On a sequence's last event, the text held back until the end (an incomplete character, a
        /// partial stop string that did not follow) — `Generator.generate`'s final `onToken` call
        /// with id -1; empty otherwise.
        public let tail: String
        /// On the last event of a sequence that finished: the whole result.
        public let result: GenerationResult?
        /// On the last event of a sequence that failed: why (`GrammarError.noTokenAllowed` when the
        /// grammar leaves no token and cannot end, as `Generator.generate` throws).
        public let error: (any Error & Sendable)?

        /// All the text this event makes visible.
        public var text: String { (token?.text ?? "") + tail }
        /// Whether this is the sequence's last event (it is no longer active).
        public var isFinal: Bool { result != nil || error != nil }
        /// How the sequence ended, on its last event when it finished.
        public var finishReason: FinishReason? { result?.finishReason }
    }

    /// One active sequence.
    private final class Sequence {
        let id: Int
        let session: LlamaSession
        var sampler: Sampler
        var stream: TextStream
        let filter: GrammarTokenFilter?
        let maxTokens: Int, logprobs: Int?, contextShift: Int?
        let promptCount: Int, promptSeconds: Double
        let started: Date
        var history: [Int]
        var generated: [Int] = []
        /// The logits the next token is drawn from.
        var logits: [Float]

        init(id: Int, session: LlamaSession, sampler: Sampler, stream: TextStream, filter: GrammarTokenFilter?, maxTokens: Int,
             logprobs: Int?, contextShift: Int?, prompt: [Int], promptSeconds: Double, logits: [Float]) {
            self.id = id; self.session = session; self.sampler = sampler; self.stream = stream; self.filter = filter
            self.maxTokens = maxTokens; self.logprobs = logprobs; self.contextShift = contextShift
            promptCount = prompt.count; self.promptSeconds = promptSeconds; started = Date()
            history = prompt; self.logits = logits
        }
    }

    private var sequences: [Sequence] = []
    private var nextID = 0
    private let endIDs: [Int]
    /// The vocabulary as grammars see it (built on the first grammar, then shared by all).
    private var grammarVocabulary: (bytes: [[UInt8]], trie: TokenTrie)?

    /// A batch with no sequences, over an opened model and its tokenizer.
    public init(model: LlamaModel, tokenizer: GGUFTokenizer) {
        self.model = model; self.tokenizer = tokenizer
        endIDs = [tokenizer.eosID, tokenizer.eotID].compactMap { $0 }
    }

    /// The active sequences, in the order they were added.
    public var activeSequences: [Int] { sequences.map(\.id) }
    /// Whether no sequence is active.
    public var isEmpty: Bool { sequences.isEmpty }

    /// Adds a sequence continuing `prompt` (special tokens in it are parsed; BOS added as the
    /// model's file asks); see `add(promptTokens:…)`.
    @discardableResult
    public func add(prompt: String, maxTokens: Int, sampling: SamplingParameters = SamplingParameters(), stop: [String] = [],
                    logprobs: Int? = nil, contextLength: Int? = nil, contextShift: Int? = nil, grammar: Grammar? = nil) throws -> Int {
        try add(promptTokens: tokenizer.encode(prompt), maxTokens: maxTokens, sampling: sampling, stop: stop, logprobs: logprobs,
                contextLength: contextLength, contextShift: contextShift, grammar: grammar)
    }

    /// Adds a sequence continuing the token ids `ids`, with the parameters of
    /// `Generator.generate(promptTokens:…)`, and evaluates its prompt now. Returns the sequence's id
    /// (ids count up from 0 and are never reused); its first token comes with the next `step()`.
    /// - Throws: `LLMError.invalidParameter` for bad parameters or a prompt longer than the context
    ///   (nothing is added then).
    @discardableResult
    public func add(promptTokens ids: [Int], maxTokens: Int, sampling: SamplingParameters = SamplingParameters(), stop: [String] = [],
                    logprobs: Int? = nil, contextLength: Int? = nil, contextShift: Int? = nil, grammar: Grammar? = nil) throws -> Int {
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
        let sampler = try Sampler(sampling, vocabularySize: model.configuration.vocabularySize)
        let session = try model.makeSession(contextLength: n)
        let t0 = Date()
        let logits = try session.evaluate(ids)
        let promptSeconds = Date().timeIntervalSince(t0)
        let filter = grammar.map { g -> GrammarTokenFilter in
            let vocabulary = grammarVocabulary ?? {
                var bytes = (0..<tokenizer.vocabularySize).map { tokenizer.pieceBytes($0, skipSpecial: true) }
                for id in endIDs { bytes[id] = [] }   // as GrammarTokenFilter(grammar:tokenizer:)
                return (bytes, TokenTrie(tokens: bytes))
            }()
            grammarVocabulary = vocabulary
            return GrammarTokenFilter(grammar: g, tokenBytes: vocabulary.bytes, trie: vocabulary.trie)
        }
        let id = nextID
        nextID += 1
        sequences.append(Sequence(id: id, session: session, sampler: sampler, stream: TextStream(stopStrings: stop), filter: filter,
                                  maxTokens: maxTokens, logprobs: logprobs, contextShift: contextShift, prompt: ids,
                                  promptSeconds: promptSeconds, logits: logits))
        return id
    }

    /// Advances every active sequence by one token: draws each one's next token from its logits
    /// (grammar mask, sampler, stop strings, limits, as `Generator.generate` does), then evaluates
    /// the tokens of the sequences that go on with one `LlamaModel.decode` call. Returns one event
    /// per sequence that was active, in the order they were added; those whose event is final are
    /// no longer active. Never throws: a sequence that fails ends with an event carrying the error.
    public func step() -> [Event] {
        var events: [Event] = []
        var going: [(sequence: Sequence, token: Int)] = []
        for s in sequences {
            let (event, next) = draw(s)
            events.append(event)
            if let next { going.append((s, next)) }
        }
        var failed: [Int: any Error & Sendable] = [:]
        if !going.isEmpty {
            do {
                let logits = try model.decode(going.map { DecodeStep(session: $0.sequence.session, token: $0.token) })
                for (g, l) in zip(going, logits) { g.sequence.logits = l }
            } catch {
                // Not expected (every step was checked); each sequence of the call fails with it.
                let e = error as? LLMError ?? .invalidParameter(name: "decode", value: "\(error)", expected: "a valid decode step")
                for g in going { failed[g.sequence.id] = e }
            }
        }
        let active = Set(going.map { ObjectIdentifier($0.sequence) })
        sequences.removeAll { !active.contains(ObjectIdentifier($0)) || failed[$0.id] != nil }
        return events.map { e in
            guard let error = failed[e.sequence] else { return e }
            return Event(sequence: e.sequence, token: e.token, tail: e.tail, result: nil, error: error)
        }
    }

    /// Ends sequence `id` now with `FinishReason.cancelled` (its tokens so far make the result) and
    /// returns its final event; nil when no such sequence is active.
    @discardableResult
    public func cancel(_ id: Int) -> Event? {
        guard let i = sequences.firstIndex(where: { $0.id == id }) else { return nil }
        let s = sequences.remove(at: i)
        return finish(s, .cancelled, token: nil)
    }

    /// One token of `s` from its logits: the event, and the token to evaluate when it goes on.
    private func draw(_ s: Sequence) -> (Event, Int?) {
        var allowed = s.logits
        if let filter = s.filter, filter.mask(&allowed, endIDs: endIDs) == 0 {
            if filter.canEnd { return (finish(s, .endOfText, token: nil), nil) }
            return (fail(s, GrammarError.noTokenAllowed(afterText: String(decoding: filter.acceptedBytes, as: UTF8.self)), token: nil), nil)
        }
        let next = s.sampler.sample(allowed, history: s.history)
        let lp = s.logprobs.map { k in s.logits.withUnsafeBufferPointer { Sampler.logprob($0, chosen: next, top: k) } }
        if tokenizer.isEndOfGeneration(next) { return (finish(s, .endOfText, token: nil), nil) }
        if let filter = s.filter, !filter.accept(token: next) {   // only when every allowed logit was −∞
            return (fail(s, GrammarError.noTokenAllowed(afterText: String(decoding: filter.acceptedBytes, as: UTF8.self)), token: nil), nil)
        }
        s.generated.append(next)
        s.history.append(next)
        let token = GeneratedToken(id: next, text: s.stream.append(tokenizer.pieceBytes(next, skipSpecial: true)), logprob: lp)
        if s.stream.stopped { return (finish(s, .stopString, token: token), nil) }
        if s.filter?.isComplete == true { return (finish(s, .endOfText, token: token), nil) }
        if s.generated.count == s.maxTokens { return (finish(s, .length, token: token), nil) }
        if s.session.tokens.count >= s.session.contextLength {
            // Full: stop, or shift as Generator does.
            guard let keep = s.contextShift else { return (finish(s, .contextFull, token: token), nil) }
            do {
                try s.session.discard(from: keep, count: max(1, (s.session.tokens.count - keep) / 2))
            } catch {
                return (fail(s, (error as? LLMError) ?? LLMError.unsupported(path: model.path, what: "a context shift"), token: token), nil)
            }
        }
        return (Event(sequence: s.id, token: token, tail: "", result: nil, error: nil), next)
    }

    private func finish(_ s: Sequence, _ reason: FinishReason, token: GeneratedToken?) -> Event {
        let tail = s.stream.finish()
        let result = GenerationResult(text: s.stream.text, tokens: s.generated, promptTokens: s.promptCount, finishReason: reason,
                                      promptSeconds: s.promptSeconds, generationSeconds: Date().timeIntervalSince(s.started))
        return Event(sequence: s.id, token: token, tail: tail, result: result, error: nil)
    }

    private func fail(_ s: Sequence, _ error: any Error & Sendable, token: GeneratedToken?) -> Event {
        Event(sequence: s.id, token: token, tail: "", result: nil, error: error)
    }
}

import Foundation

/// Several generations advanced together (continuous batching, for a server): each `step()` takes
/// one token from every active sequence and evaluates them all with one `LlamaModel.decode` call,
/// so each weight matrix is read once per step instead of once per sequence.
///
/// Each sequence has its own session (KV cache), sampler (its own seed), stop strings, token
/// limit, optional grammar and log-probabilities, and produces exactly what
/// `Generator.generate` produces for the same prompt and parameters — the same tokens, the same
/// streamed text pieces, the same finish reason (decode gives every session the bits it would get
/// alone, and both run the same per-token code, `GenerationSequence`). Sequences join with `add`, which evaluates the prompt at once on its own (in batches,
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

    /// The active sequences with their ids, in the order they were added.
    private var sequences: [(id: Int, sequence: GenerationSequence)] = []
    private var nextID = 0
    /// The vocabulary as grammars see it (built on the first grammar, then shared by all).
    private var grammarVocabulary: (bytes: [[UInt8]], trie: TokenTrie)?

    /// A batch with no sequences, over an opened model and its tokenizer.
    public init(model: LlamaModel, tokenizer: GGUFTokenizer) {
        self.model = model; self.tokenizer = tokenizer
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
        let sequence = try GenerationSequence(model: model, tokenizer: tokenizer, promptTokens: ids, maxTokens: maxTokens, sampling: sampling,
                                              stop: stop, logprobs: logprobs, contextLength: contextLength, contextShift: contextShift,
                                              grammar: grammar) { g in
            let vocabulary = grammarVocabulary ?? {
                var bytes = (0..<tokenizer.vocabularySize).map { tokenizer.pieceBytes($0, skipSpecial: true) }
                for id in [tokenizer.eosID, tokenizer.eotID].compactMap({ $0 }) { bytes[id] = [] }   // as GrammarTokenFilter(grammar:tokenizer:)
                return (bytes, TokenTrie(tokens: bytes))
            }()
            grammarVocabulary = vocabulary
            return GrammarTokenFilter(grammar: g, tokenBytes: vocabulary.bytes, trie: vocabulary.trie)
        }
        let id = nextID
        nextID += 1
        sequences.append((id, sequence))
        return id
    }

    /// Advances every active sequence by one token: draws each one's next token from its logits
    /// (grammar mask, sampler, stop strings, limits, as `Generator.generate` does), then evaluates
    /// the tokens of the sequences that go on with one `LlamaModel.decode` call. Returns one event
    /// per sequence that was active, in the order they were added; those whose event is final are
    /// no longer active. Never throws: a sequence that fails ends with an event carrying the error.
    public func step() -> [Event] {
        var events: [Event] = []
        var going: [(id: Int, sequence: GenerationSequence, token: Int)] = []
        for (id, s) in sequences {
            do {
                switch try s.draw() {
                case .end(let reason, let token):
                    events.append(finish(id, s, reason, token: token))
                case .next(let token):
                    do {
                        try s.makeRoom()
                        events.append(Event(sequence: id, token: token, tail: "", result: nil, error: nil))
                        going.append((id, s, token.id))
                    } catch {
                        events.append(Event(sequence: id, token: token, tail: "", result: nil, error: Self.sendable(error)))
                    }
                }
            } catch {
                events.append(Event(sequence: id, token: nil, tail: "", result: nil, error: Self.sendable(error)))
            }
        }
        var failed: [Int: any Error & Sendable] = [:]
        if !going.isEmpty {
            do {
                let logits = try model.decode(going.map { DecodeStep(session: $0.sequence.session, token: $0.token) })
                for (g, l) in zip(going, logits) { g.sequence.logits = l }
            } catch {
                // Not expected (every step was checked): each sequence of the call fails with it.
                for g in going { failed[g.id] = Self.sendable(error) }
            }
        }
        let active = Set(going.map(\.id)).subtracting(failed.keys)
        sequences.removeAll { !active.contains($0.id) }
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
        return finish(id, sequences.remove(at: i).sequence, .cancelled, token: nil)
    }

    private func finish(_ id: Int, _ s: GenerationSequence, _ reason: FinishReason, token: GeneratedToken?) -> Event {
        let (tail, result) = s.finish(reason)
        return Event(sequence: id, token: token, tail: tail, result: result, error: nil)
    }

    /// The errors a sequence can meet are `GrammarError` and `LLMError`, both `Sendable`.
    private static func sendable(_ error: any Error) -> any Error & Sendable {
        if let e = error as? GrammarError { return e }
        return error as? LLMError ?? LLMError.invalidParameter(name: "generation", value: "\(error)", expected: "no error")
    }
}

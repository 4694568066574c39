import Foundation

/// One finished hypothesis of a beam search.
public struct BeamHypothesis: Sendable, Equatable {
    /// The generated ids (the end-of-generation token excluded).
    public let tokens: [Int]
    /// Σ log p of the generated ids (and of the end token when it ended with one).
    public let logprob: Double
    /// `logprob / length^lengthPenalty`, what hypotheses are ranked by (length: the generated ids,
    /// the end token included, as transformers 5 counts it).
    public let score: Double
    /// Whether it ended with an end-of-generation token rather than at `maxTokens`.
    public let ended: Bool
}

extension LlamaSession {
    /// A new session holding the same tokens and cache (the cache arrays are copied on write).
    public func copy() -> LlamaSession {
        let s = LlamaSession(model: model, contextLength: contextLength)
        s.tokens = tokens
        s.keys16 = keys16; s.values16 = values16; s.keys32 = keys32; s.values32 = values32
        s.cachedPositions = cachedPositions
        s.x = x
        return s
    }
}

extension Generator {
    /// Beam search from `ids`, closing hypotheses at the tokenizer's end-of-generation tokens (see
    /// `LlamaModel.beamSearch`).
    public func beamSearch(promptTokens ids: [Int], beams: Int, maxTokens: Int, lengthPenalty: Double = 1,
                           earlyStopping: Bool = false, contextLength: Int? = nil) throws -> [BeamHypothesis] {
        let ends = Set([tokenizer.eosID, tokenizer.eotID].compactMap { $0 })
        return try model.beamSearch(promptTokens: ids, beams: beams, maxTokens: maxTokens, endTokens: ends, lengthPenalty: lengthPenalty,
                                    earlyStopping: earlyStopping, contextLength: contextLength)
    }
}

extension LlamaModel {
    /// Beam search as transformers' `generate(num_beams:, do_sample: false)`: `beams` running
    /// sequences; at each step every (beam, token) candidate is scored by the beam's summed
    /// log-probability plus log softmax of the token, the best 2·`beams` are taken in order, an
    /// end-of-generation candidate among the first `beams` closes a hypothesis, the others fill the
    /// next beams. Search stops after `maxTokens` (the running beams are closed then) or, with
    /// `earlyStopping`, once `beams` hypotheses are closed (transformers' `early_stopping=True`;
    /// without it, transformers may also stop early when its estimate says no running beam can
    /// still win, which can only drop hypotheses this search keeps). Returns the hypotheses best
    /// first.
    /// - Throws: `LLMError.invalidParameter` for bad counts or a prompt that leaves no room.
    public func beamSearch(promptTokens ids: [Int], beams: Int, maxTokens: Int, endTokens: Set<Int>, lengthPenalty: Double = 1,
                           earlyStopping: Bool = false, contextLength: Int? = nil) throws -> [BeamHypothesis] {
        let n = contextLength ?? configuration.contextLength
        guard (1...64).contains(beams) else { throw LLMError.invalidParameter(name: "beams", value: "\(beams)", expected: "1…64") }
        guard maxTokens >= 1 else { throw LLMError.invalidParameter(name: "max_tokens", value: "\(maxTokens)", expected: "at least 1") }
        guard !ids.isEmpty, ids.count + maxTokens <= n else {
            throw LLMError.invalidParameter(name: "prompt", value: "\(ids.count) tokens", expected: "1…\(n - maxTokens) tokens, leaving room for \(maxTokens) more")
        }
        guard lengthPenalty.isFinite else { throw LLMError.invalidParameter(name: "length_penalty", value: "\(lengthPenalty)", expected: "a finite number") }
        let first = try makeSession(contextLength: n)
        var running: [(session: LlamaSession, tokens: [Int], logprob: Double, logits: [Float])] = [(first, [], 0, try first.evaluate(ids))]
        var finished: [BeamHypothesis] = []
        func close(_ tokens: [Int], _ logprob: Double, ended: Bool) {
            let length = Double(tokens.count + (ended ? 1 : 0))
            finished.append(BeamHypothesis(tokens: tokens, logprob: logprob, score: logprob / pow(length, lengthPenalty), ended: ended))
        }
        for step in 0..<maxTokens {
            // Every beam's log-probabilities, and its best 2·beams candidates (enough for the merge).
            var candidates: [(beam: Int, token: Int, logprob: Double)] = []
            for (b, beam) in running.enumerated() {
                let m = Double(beam.logits.max() ?? 0)
                var sum = 0.0
                for v in beam.logits { sum += exp(Double(v) - m) }
                let logZ = m + log(sum)
                let top = beam.logits.indices.sorted { beam.logits[$0] != beam.logits[$1] ? beam.logits[$0] > beam.logits[$1] : $0 < $1 }.prefix(2 * beams)
                for t in top { candidates.append((b, t, beam.logprob + Double(beam.logits[t]) - logZ)) }
            }
            candidates.sort { $0.logprob != $1.logprob ? $0.logprob > $1.logprob : ($0.beam, $0.token) < ($1.beam, $1.token) }
            var next: [(session: LlamaSession, tokens: [Int], logprob: Double, logits: [Float])] = []
            var reused = Set<Int>()
            for (rank, c) in candidates.prefix(2 * beams).enumerated() {
                if endTokens.contains(c.token) {
                    if rank < beams { close(running[c.beam].tokens, c.logprob, ended: true) }
                    continue
                }
                let parent = running[c.beam]
                let tokens = parent.tokens + [c.token]
                if step == maxTokens - 1 {
                    next.append((parent.session, tokens, c.logprob, []))
                } else {
                    // The first child of a beam takes over its session; the others copy it.
                    let session = reused.insert(c.beam).inserted ? parent.session : parent.session.copy()
                    next.append((session, tokens, c.logprob, []))
                }
                if next.count == beams { break }
            }
            if step == maxTokens - 1 {
                for beam in next { close(beam.tokens, beam.logprob, ended: false) }
                break
            }
            // Copies were taken before any child evaluated, so each sees its parent's cache; the
            // beams' sessions are distinct, so one decode step evaluates them all.
            let logits = try decode(next.map { DecodeStep(session: $0.session, token: $0.tokens.last!) })
            for i in next.indices { next[i].logits = logits[i] }
            running = next
            if earlyStopping && finished.count >= beams { break }
            if running.isEmpty { break }
        }
        return finished.sorted { $0.score != $1.score ? $0.score > $1.score : $0.tokens.lexicographicallyPrecedes($1.tokens) }
    }
}

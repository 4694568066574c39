import Foundation
import Testing
import LLM

/// `BatchedGenerator` against `Generator.generate`: sequences joining at different steps, each
/// producing exactly what it produces alone — the same tokens, streamed text pieces,
/// log-probabilities, text and finish reason.
enum BatchedGeneration {
    struct Request {
        var prompt: String
        var maxTokens: Int
        var sampling = SamplingParameters.greedy
        var stop: [String] = []
        var logprobs: Int? = nil
        var contextLength: Int? = nil
        var contextShift: Int? = nil
        var grammar: Grammar? = nil
        /// The step before which it is added, and the step before which it is cancelled.
        var join = 0
        var cancel: Int? = nil
    }

    /// A streamed piece: `GeneratedToken`'s fields (id -1 for the final flush).
    struct Piece: Equatable, CustomStringConvertible {
        let id: Int, text: String, logprob: TokenLogprob?
        var description: String { "(\(id), \(text.debugDescription))" }
    }

    /// Runs every request alone with `generator` and all of them through one `BatchedGenerator`,
    /// and compares. Returns the finish reasons of the batched run and the largest number of
    /// sequences active in one step.
    @discardableResult
    static func check(_ generator: Generator, _ requests: [Request]) throws -> (reasons: [FinishReason], widest: Int) {
        var expected: [(pieces: [Piece], result: GenerationResult)] = []
        for r in requests {
            var pieces: [Piece] = []
            let result = try generator.generate(prompt: r.prompt, maxTokens: r.maxTokens, sampling: r.sampling, stop: r.stop, logprobs: r.logprobs,
                                                contextLength: r.contextLength, contextShift: r.contextShift, grammar: r.grammar) {
                pieces.append(Piece(id: $0.id, text: $0.text, logprob: $0.logprob)); return true
            }
            expected.append((pieces, result))
        }
        let batch = BatchedGenerator(model: generator.model, tokenizer: generator.tokenizer)
        var request: [Int: Int] = [:]                      // sequence id → request index
        var pieces = [[Piece]](repeating: [], count: requests.count)
        var results = [GenerationResult?](repeating: nil, count: requests.count)
        func record(_ e: BatchedGenerator.Event) {
            let k = request[e.sequence]!
            if let t = e.token { pieces[k].append(Piece(id: t.id, text: t.text, logprob: t.logprob)) }
            if !e.tail.isEmpty { pieces[k].append(Piece(id: -1, text: e.tail, logprob: nil)) }
            #expect(e.error == nil, "request \(k): \(String(describing: e.error))")
            if let r = e.result { results[k] = r }
        }
        let lastJoin = requests.map(\.join).max() ?? 0
        var widest = 0
        for step in 0..<10_000 {
            for (k, r) in requests.enumerated() where r.join == step {
                let id = try batch.add(prompt: r.prompt, maxTokens: r.maxTokens, sampling: r.sampling, stop: r.stop, logprobs: r.logprobs,
                                       contextLength: r.contextLength, contextShift: r.contextShift, grammar: r.grammar)
                request[id] = k
            }
            for (k, r) in requests.enumerated() where r.cancel == step {
                if let id = request.first(where: { $0.value == k })?.key, let e = batch.cancel(id) {
                    #expect(e.isFinal && e.finishReason == .cancelled)
                    record(e)
                }
            }
            if step > lastJoin && batch.isEmpty { break }
            widest = max(widest, batch.activeSequences.count)
            let events = batch.step()
            #expect(events.map(\.sequence) == events.map(\.sequence).sorted(), "events in the order sequences were added")
            for e in events { record(e) }
        }
        #expect(batch.isEmpty)
        for (k, r) in requests.enumerated() {
            let want = expected[k]
            guard let got = results[k] else { Issue.record("request \(k) has no result"); continue }
            #expect(pieces[k].map(\.text).joined() == got.text, "request \(k): the events spell the result's text")
            #expect(got.promptTokens == want.result.promptTokens)
            if r.cancel != nil {
                #expect(got.finishReason == .cancelled)
                #expect(Array(want.result.tokens.prefix(got.tokens.count)) == got.tokens, "request \(k): cancelled, not a prefix")
                #expect(Array(want.pieces.prefix(got.tokens.count)) == pieces[k].filter { $0.id >= 0 }, "request \(k)")
            } else {
                #expect(got.tokens == want.result.tokens, "request \(k): \(got.tokens) vs \(want.result.tokens)")
                #expect(got.text == want.result.text, "request \(k)")
                #expect(got.finishReason == want.result.finishReason, "request \(k): \(got.finishReason) vs \(want.result.finishReason)")
                #expect(pieces[k] == want.pieces, "request \(k): \(pieces[k]) vs \(want.pieces)")
            }
        }
        return (results.map { $0?.finishReason ?? .cancelled }, widest)
    }
}

@Suite struct BatchedGeneratorTests {
    /// Eight sequences on the tiny Llama in both precisions, joining at steps 0…7, one cancelled:
    /// greedy and seeded sampling, a stop string, log-probabilities, a grammar, a 16-token context
    /// that fills (stop) or shifts, end-of-text.
    @Test(arguments: LlamaModel.Precision.allCases)
    func sequencesMatchGeneratorAlone(precision: LlamaModel.Precision) throws {
        let file = try GGUFFile(contentsOf: FixtureFiles.url("tiny_llama.gguf"))
        let tokenizer = try GGUFTokenizer(file: file)
        let generator = Generator(model: try LlamaModel(file: file, precision: precision), tokenizer: tokenizer)
        var noEnd = SamplingParameters.greedy
        for id in [tokenizer.eosID, tokenizer.eotID].compactMap({ $0 }) { noEnd.logitBias[id] = -.infinity }
        func seeded(_ seed: UInt64, temperature: Float = 0.9, banEnd: Bool = false) -> SamplingParameters {
            var p = banEnd ? noEnd : SamplingParameters()
            p.temperature = temperature; p.seed = seed
            return p
        }
        // A stop string the greedy continuation of "once upon a time" is known to contain.
        let plain = try generator.generate(prompt: "once upon a time", maxTokens: 40, sampling: noEnd)
        let stop = String(Array(plain.text).dropFirst(6).prefix(2))
        typealias R = BatchedGeneration.Request
        let requests = [
            R(prompt: "the", maxTokens: 24, sampling: noEnd),
            R(prompt: "the cat sat on the mat and", maxTokens: 30, sampling: seeded(5), logprobs: 3),
            R(prompt: "once upon a time", maxTokens: 40, sampling: noEnd, stop: [stop], join: 2),
            R(prompt: "the", maxTokens: 10, sampling: seeded(2, temperature: 1), grammar: try Grammar(gbnf: #"root ::= ("yes" | "no") "!""#), join: 3),
            R(prompt: "a b c", maxTokens: 30, sampling: seeded(3, banEnd: true), contextLength: 16, contextShift: 1, join: 5),
            R(prompt: "the dog", maxTokens: 40, sampling: noEnd, join: 1, cancel: 6),
            R(prompt: "x", maxTokens: 60, sampling: seeded(11, temperature: 1.2), logprobs: 0, join: 4),
            R(prompt: "to be or not", maxTokens: 40, sampling: seeded(4, banEnd: true), contextLength: 16, join: 7),
        ]
        let (reasons, widest) = try BatchedGeneration.check(generator, requests)
        print("tiny Llama \(precision): finish reasons \(reasons.map(\.rawValue)), up to \(widest) sequences per step")
        #expect(reasons[2] == .stopString && reasons[4] == .length && reasons[5] == .cancelled && reasons[7] == .contextFull)
        #expect(widest >= 5)
    }

    /// Bad requests are refused and add nothing; cancelling an unknown id returns nil.
    @Test func badRequestsAreRefused() throws {
        let file = try GGUFFile(contentsOf: FixtureFiles.url("tiny_llama.gguf"))
        let batch = BatchedGenerator(model: try LlamaModel(file: file), tokenizer: try GGUFTokenizer(file: file))
        #expect(throws: LLMError.self) { try batch.add(promptTokens: [], maxTokens: 4) }
        #expect(throws: LLMError.self) { try batch.add(promptTokens: [1], maxTokens: 0) }
        #expect(throws: LLMError.self) { try batch.add(promptTokens: [1, 2, 3], maxTokens: 4, contextLength: 3) }
        #expect(throws: LLMError.self) { try batch.add(promptTokens: [1], maxTokens: 4, logprobs: 21) }
        #expect(throws: LLMError.self) { try batch.add(promptTokens: [1], maxTokens: 4, contextLength: 8, contextShift: 7) }
        #expect(throws: LLMError.self) { try batch.add(promptTokens: [-1], maxTokens: 4) }
        var bad = SamplingParameters()
        bad.topP = 0
        #expect(throws: LLMError.self) { try batch.add(promptTokens: [1], maxTokens: 4, sampling: bad) }
        #expect(batch.isEmpty && batch.step().isEmpty)
        #expect(batch.cancel(0) == nil)
        let id = try batch.add(promptTokens: [1, 2], maxTokens: 1)
        let events = batch.step()
        #expect(events.count == 1 && events[0].sequence == id && events[0].isFinal)
        #expect(batch.cancel(id) == nil && batch.isEmpty)
    }
}

/// SmolLM2 (ggml precision, as `swiftlearn generate` runs it): four chat prompts of different
/// lengths joining at steps 0, 0, 3 and 9, greedy (one with log-probabilities), each identical to
/// `Generator.generate` alone.
@Suite(.enabled(if: FixtureFiles.smolLM2 != nil, "needs models/SmolLM2-135M-Instruct.Q4_1.gguf (scripts/fetch_models.sh)"))
struct SmolLM2BatchedGeneratorTests {
    @Test func greedySequencesMatchGeneratorAlone() throws {
        let generator = try Generator(contentsOf: FixtureFiles.smolLM2!)
        let template = try ChatTemplate(tokenizer: generator.tokenizer, path: "SmolLM2")
        func chat(_ user: String) throws -> String { try template.render([.user(user)]) }
        typealias R = BatchedGeneration.Request
        let requests = [
            R(prompt: try chat("Hi!"), maxTokens: 32),
            R(prompt: try chat("Write a haiku about the sea, then explain in one sentence why you chose its images."), maxTokens: 40, logprobs: 2),
            R(prompt: try chat("What is the capital of France?"), maxTokens: 24, join: 3),
            R(prompt: try chat("List three prime numbers greater than ten and say which is largest. Be brief, but show how you checked each."), maxTokens: 36, join: 9),
        ]
        let (reasons, widest) = try BatchedGeneration.check(generator, requests)
        print("SmolLM2: finish reasons \(reasons.map(\.rawValue)), up to \(widest) sequences per step")
        #expect(widest >= 3)
    }
}

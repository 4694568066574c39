import Foundation
import Testing
import LLM
import Tensors

/// The decoder on each architecture it computes, against the Hugging Face model each tiny file was
/// converted from by llama.cpp's own converter (scripts/fixtures/make_llm_arch_fixtures.py): all
/// logits at every position of a 12-token sequence.
@Suite struct ArchitectureTests {
    static let names = ["mistral", "qwen2", "gemma", "phi3", "gpt2"]

    static func reference() throws -> (ids: [Int], logits: [String: [Float]]) {
        let a = Dictionary(uniqueKeysWithValues: try NPZ.read(contentsOf: FixtureFiles.url("tiny_arch_logits.npz")).map { ($0.name, $0.payload) })
        let ids = LlamaModelTests.ints(try #require(a["ids"]))
        var logits: [String: [Float]] = [:]
        for name in names { logits[name] = LlamaModelTests.floats(try #require(a["logits_\(name)"])) }
        return (ids, logits)
    }

    /// Every logit of every position, token by token, within 1e-5 of transformers in float32 (seen:
    /// ≤ 2.9e-6); and within 1e-2 in ggml precision (float16 cache and attention; seen ≤ 4.2e-3).
    @Test(arguments: names)
    func logitsMatchTransformers(name: String) throws {
        let (ids, reference) = try Self.reference()
        let want = try #require(reference[name])
        let file = try GGUFFile(contentsOf: FixtureFiles.url("tiny_\(name).gguf"))
        for (precision, tolerance) in [(LlamaModel.Precision.float32, Float(1e-5)), (.ggml, 1e-2)] {
            let model = try LlamaModel(file: file, precision: precision)
            let session = try model.makeSession()
            var worst: Float = 0
            for (t, id) in ids.enumerated() {
                let logits = try session.evaluate(id)
                #expect(logits.count == 256)
                for (j, l) in logits.enumerated() { worst = max(worst, l.isNaN ? .infinity : abs(l - want[t * 256 + j])) }
            }
            print("\(name) \(precision) vs transformers: max |Δlogit| \(worst)")
            #expect(worst <= tolerance, "\(name) \(precision): max |Δlogit| \(worst)")
            // The whole sequence as one batch ends with the same logits, bit for bit.
            let batched = try model.makeSession().evaluate(ids)
            let stepwise = try model.makeSession()
            var last: [Float] = []
            for id in ids { last = try stepwise.evaluate(id) }
            #expect(batched == last, "\(name) \(precision): batched and stepwise logits differ")
        }
    }

    /// The recorded attention probabilities of the last layer equal transformers' (eager attention,
    /// `output_attentions`) for every head, query and key, to 1e-5; future keys are absent.
    @Test(arguments: names)
    func recordedAttentionMatchesTransformers(name: String) throws {
        let a = Dictionary(uniqueKeysWithValues: try NPZ.read(contentsOf: FixtureFiles.url("tiny_arch_logits.npz")).map { ($0.name, $0.payload) })
        let ids = LlamaModelTests.ints(try #require(a["ids"]))
        let want = LlamaModelTests.floats(try #require(a["attention_\(name)"]))
        let model = try LlamaModel(file: GGUFFile(contentsOf: FixtureFiles.url("tiny_\(name).gguf")), precision: .float32)
        let session = try model.makeSession()
        session.recordedAttentionLayer = model.configuration.layerCount - 1
        _ = try session.evaluate(ids)
        let n = ids.count, heads = model.configuration.headCount
        #expect(session.recordedAttention.map(\.position) == Array(0..<n) && want.count == heads * n * n)
        var worst: Float = 0
        for r in session.recordedAttention {
            for h in 0..<heads {
                #expect(r.weights[h].count == r.position + 1)
                for k in 0..<n {
                    let ours: Float = k <= r.position ? r.weights[h][k] : 0
                    worst = max(worst, abs(ours - want[(h * n + r.position) * n + k]))
                }
            }
        }
        print("\(name): recorded attention vs transformers max |Δ| \(worst)")
        #expect(worst <= 1e-5, "\(name): \(worst)")
    }

    /// Beam search (4 beams, 10 tokens after the first 4 ids, no end token) finds transformers'
    /// `generate(num_beams=4)` sequence, with its summed log-probability.
    @Test(arguments: names)
    func beamSearchMatchesTransformers(name: String) throws {
        let a = Dictionary(uniqueKeysWithValues: try NPZ.read(contentsOf: FixtureFiles.url("tiny_arch_logits.npz")).map { ($0.name, $0.payload) })
        let ids = LlamaModelTests.ints(try #require(a["ids"]))
        let want = LlamaModelTests.ints(try #require(a["beam_\(name)"]))
        let wantScore = try #require(a["beam_score_\(name)"]).bytes.withUnsafeBytes { $0.loadUnaligned(as: Double.self) }
        let file = try GGUFFile(contentsOf: FixtureFiles.url("tiny_\(name).gguf"))
        let model = try LlamaModel(file: file, precision: .float32)
        let hypotheses = try model.beamSearch(promptTokens: Array(ids[0..<4]), beams: 4, maxTokens: 10, endTokens: [])
        let best = try #require(hypotheses.first)
        print("\(name): beam \(best.tokens) Σlog p \(best.logprob) vs transformers \(want) \(wantScore)")
        #expect(best.tokens == want && abs(best.logprob - wantScore) < 1e-3)
        #expect(hypotheses.count == 4 && hypotheses.allSatisfy { $0.tokens.count == 10 && !$0.ended })
        // The best beam is at least as likely as greedy decoding.
        let session = try model.makeSession()
        var logits = try session.evaluate(Array(ids[0..<4])), greedyLogprob = 0.0
        for _ in 0..<10 {
            let t = Sampler.argmax(logits)
            greedyLogprob += LlamaModel.logprob(logits, of: t).0
            logits = try session.evaluate(t)
        }
        #expect(best.logprob >= greedyLogprob - 1e-9)
        // With the best sequence's fourth token as an end token, a hypothesis ends there.
        let ended = try model.beamSearch(promptTokens: Array(ids[0..<4]), beams: 4, maxTokens: 10, endTokens: [want[3]])
        #expect(ended.contains { $0.ended } && !ended.contains { $0.tokens.contains(want[3]) })
        #expect(throws: LLMError.self) { try model.beamSearch(promptTokens: [1], beams: 0, maxTokens: 4, endTokens: []) }
        #expect(throws: LLMError.self) { try model.beamSearch(promptTokens: [1], beams: 2, maxTokens: 64, endTokens: []) }
    }

    /// What each file's architecture selects.
    @Test func configurations() throws {
        func config(_ name: String) throws -> LlamaConfiguration {
            try LlamaConfiguration(file: GGUFFile(contentsOf: FixtureFiles.url("tiny_\(name).gguf")))
        }
        let mistral = try config("mistral"), qwen = try config("qwen2"), gemma = try config("gemma")
        let phi = try config("phi3"), gpt = try config("gpt2")
        #expect(mistral.architecture == "llama" && mistral.ropeStyle == .adjacentPairs && mistral.feedForward == .swiglu)
        #expect(qwen.ropeStyle == .halves && qwen.normalization == .rms && qwen.ropeBase == 1e6)
        #expect(gemma.headDimension == 16 && gemma.queryDimension == 64 && gemma.kvDimension == 16 && gemma.feedForward == .geglu)
        #expect(gemma.embeddingScale == Float(32).squareRoot())
        #expect(phi.ropeStyle == .halves && phi.kvHeadCount == 2)
        #expect(gpt.ropeStyle == .none && gpt.normalization == .layer && gpt.feedForward == .gelu && gpt.feedForwardDimension == 128)
        // GPT-2's learned positions end at its context length: a longer session is refused.
        let model = try LlamaModel(file: GGUFFile(contentsOf: FixtureFiles.url("tiny_gpt2.gguf")), precision: .float32)
        #expect(throws: LLMError.self) { try model.makeSession(contextLength: gpt.contextLength + 1) }
    }
}

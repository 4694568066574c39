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

import Foundation
import Testing
import LLM

/// Context shifting: removing tokens from a session's cache and re-rotating the later keys.
@Suite struct ContextShiftTests {
    /// `name`'s tiny model cut to its first layer (written with GGUFWriter): with one layer, each
    /// cached key and value depends on its own token and position only, so a shifted session must
    /// equal a fresh one over the kept tokens.
    static func oneLayerFile(_ name: String) throws -> GGUFFile {
        let file = try GGUFFile(contentsOf: FixtureFiles.url("tiny_\(name).gguf"))
        let arch = try file.metadata.string("general.architecture")
        let w = try GGUFWriter(copying: file, overriding: ["\(arch).block_count": .uint32(1)]) { t in
            !t.name.hasPrefix("blk.") || t.name.hasPrefix("blk.0.")
        }
        return try GGUFFile(data: Data(w.encode()))
    }

    /// After `discard(from: 2, count: 4)` of 10 tokens, the next token's logits equal a fresh
    /// session's over the 6 kept tokens: to 1e-5 in float32 (rotation rounding; seen ≤ 7.2e-7), 1e-2 in ggml
    /// precision (keys rounded to float16 once more), for both RoPE layouts.
    @Test(arguments: ["mistral", "qwen2", "gemma"])
    func oneLayerShiftEqualsFreshSession(name: String) throws {
        let file = try Self.oneLayerFile(name)
        let ids = [3, 200, 17, 65, 65, 101, 0, 255, 42, 128], next = 7
        let kept = Array(ids[0..<2] + ids[6...])
        for (precision, tolerance) in [(LlamaModel.Precision.float32, Float(1e-5)), (.ggml, 1e-2)] {
            let model = try LlamaModel(file: file, precision: precision)
            #expect(model.configuration.layerCount == 1)
            let shifted = try model.makeSession()
            _ = try shifted.evaluate(ids)
            try shifted.discard(from: 2, count: 4)
            #expect(shifted.tokens == kept)
            let a = try shifted.evaluate(next)
            let fresh = try model.makeSession()
            _ = try fresh.evaluate(kept)
            let b = try fresh.evaluate(next)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
            print("\(name) \(precision): shifted vs fresh max |Δlogit| \(worst)")
            #expect(worst <= tolerance, "\(name) \(precision): \(worst)")
        }
    }

    /// Discarding the newest tokens (nothing moves) equals never having evaluated them, bit for bit.
    @Test func truncationIsExact() throws {
        let model = try LlamaModel(file: GGUFFile(contentsOf: FixtureFiles.url("tiny_qwen2.gguf")), precision: .ggml)
        let ids = [3, 200, 17, 65, 65, 101, 0, 255]
        let a = try model.makeSession()
        _ = try a.evaluate(ids)
        try a.discard(from: 5, count: 3)
        let b = try model.makeSession()
        _ = try b.evaluate(Array(ids[0..<5]))
        #expect(try a.evaluate(9) == b.evaluate(9))
    }

    @Test func badShiftsAreRefused() throws {
        let gpt = try LlamaModel(file: GGUFFile(contentsOf: FixtureFiles.url("tiny_gpt2.gguf")), precision: .float32)
        let s = try gpt.makeSession()
        _ = try s.evaluate([1, 2, 3])
        #expect(throws: LLMError.self) { try s.discard(from: 0, count: 1) }   // learned positions
        let model = try LlamaModel(file: GGUFFile(contentsOf: FixtureFiles.url("tiny_qwen2.gguf")))
        let t = try model.makeSession()
        _ = try t.evaluate([1, 2, 3])
        #expect(throws: LLMError.self) { try t.discard(from: 2, count: 2) }
        #expect(throws: LLMError.self) { try t.discard(from: -1, count: 1) }
        #expect(throws: LLMError.self) { try t.discard(from: 0, count: 0) }
    }

    /// Generation past a 16-token context: it stops with `.contextFull` without a shift, and goes
    /// on to `maxTokens` with one, the session never holding more than 16 tokens.
    @Test func generationShiftsWhenFull() throws {
        let file = try GGUFFile(contentsOf: FixtureFiles.url("tiny_llama.gguf"))
        let tokenizer = try GGUFTokenizer(file: file)
        let generator = Generator(model: try LlamaModel(file: file), tokenizer: tokenizer)
        var sampling = SamplingParameters()
        sampling.seed = 3
        for id in [tokenizer.eosID, tokenizer.eotID].compactMap({ $0 }) { sampling.logitBias[id] = -.infinity }
        let prompt = tokenizer.encode("the cat")
        let stopped = try generator.generate(promptTokens: prompt, maxTokens: 40, sampling: sampling, contextLength: 16)
        // The last token is sampled from the full context and not evaluated.
        #expect(stopped.finishReason == .contextFull && stopped.tokens.count == 16 - prompt.count + 1)
        let shifted = try generator.generate(promptTokens: prompt, maxTokens: 40, sampling: sampling, contextLength: 16, contextShift: 1)
        #expect(shifted.finishReason == .length && shifted.tokens.count == 40)
        #expect(Array(shifted.tokens.prefix(stopped.tokens.count)) == stopped.tokens)
        #expect(throws: LLMError.self) { try generator.generate(promptTokens: prompt, maxTokens: 4, contextLength: 16, contextShift: 15) }
    }
}

import Foundation
import Testing
import LLM
import LMTraining
import Neural
import Tensors
import TestSupport

@Suite("Quantizing our models (GGUFQuantize)")
struct QuantizeTests {
    @Test("A float32 GPT export converts to every type: matrices quantized as ggml, vectors and positions kept, logits close")
    func gptConverts() throws {
        let vocabulary = CharacterVocabulary(text: "abcdefgh ")
        let model = GPT(GPTConfiguration(vocabularySize: vocabulary.size, contextLength: 32, layers: 2, heads: 2, embedding: 64),
                        generator: RandomGenerator(seed: 4))
        let file = try GGUFFile(data: Data(try GPTExport.gguf(model, vocabulary: vocabulary)))
        let ids = try vocabulary.encode("abc defg")
        func logits(_ f: GGUFFile) throws -> [Float] {
            let session = try LlamaModel(file: f, precision: .float32).makeSession()
            var out: [Float] = []
            for id in ids { out += try session.evaluate(id) }
            return out
        }
        let reference = try logits(file)
        var previous = 0.0
        for (type, tolerance) in [("f16", 1e-3), ("q8_0", 2e-2), ("q5_1", 8e-2), ("q4_0", 0.3)] {
            let (bytes, report) = try GGUFQuantize.convert(file, to: type)
            let q = try GGUFFile(data: Data(bytes))
            #expect(report.converted == 1 + 2 * 4 && report.bytesAfter < report.bytesBefore)   // token_embd and 4 matrices per layer
            #expect(q.tensor(named: "blk.1.ffn_down.weight")?.type.name == type && q.tensor(named: "token_embd.weight")?.type.name == type)
            #expect(q.tensor(named: "position_embd.weight")?.type.name == "f32" && q.tensor(named: "blk.0.attn_norm.weight")?.type.name == "f32")
            #expect(try q.metadata.int("general.file_type") == Int(GGUFQuantize.fileTypes[type]!))
            let t = q.tensor(named: "blk.0.attn_qkv.weight")!, original = file.tensor(named: "blk.0.attn_qkv.weight")!
            let values = try GGMLQuantizer.dequantize(Array(file.bytes(of: original)), as: "f32", count: original.elementCount)
            #expect(Array(q.bytes(of: t)) == (try GGMLQuantizer.quantize(values, as: type)))   // ggml's blocks, bit for bit
            let error = zip(try logits(q), reference).map { Double(abs($0 - $1)) }.max() ?? .infinity
            #expect(error <= tolerance, "\(type): largest logit difference \(error)")
            #expect(Double(report.bytesAfter) < (previous == 0 ? .infinity : previous) || type == "f16")
            previous = Double(report.bytesAfter)
        }
    }

    @Test("Quantized sources need allowRequantize; unknown types are refused")
    func refusals() throws {
        let url = Bundle.module.url(forResource: "tiny_llama", withExtension: "gguf", subdirectory: "Fixtures")!
        let file = try GGUFFile(contentsOf: url)
        #expect(throws: LLMError.self) { try GGUFQuantize.convert(file, to: "q4_0") }
        let (bytes, report) = try GGUFQuantize.convert(file, to: "q4_0", allowRequantize: true)
        #expect(report.converted > 0)
        _ = try LlamaModel(file: GGUFFile(data: Data(bytes)))
        #expect(throws: LLMError.self) { try GGUFQuantize.convert(file, to: "q3_K", allowRequantize: true) }
    }
}

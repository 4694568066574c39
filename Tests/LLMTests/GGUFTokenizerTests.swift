import Foundation
import Testing
import LLM

/// SmolLM2-135M-Instruct's GGUF file and tokenizer against llama.cpp (llama-cpp-python 0.3.36,
/// scripts/fixtures/make_llm_tokenizer_fixtures.py). Needs the model: scripts/fetch_models.sh.
@Suite(.enabled(if: FixtureFiles.smolLM2 != nil, "needs models/SmolLM2-135M-Instruct.Q4_1.gguf (scripts/fetch_models.sh)"))
struct GGUFTokenizerTests {
    static let file: GGUFFile = try! GGUFFile(contentsOf: FixtureFiles.smolLM2!)

    @Test func readsTheModelDirectory() throws {
        let f = Self.file
        #expect(f.version == 3)
        #expect(f.tensors.count == 272)
        #expect(try f.metadata.string("general.architecture") == "llama")
        #expect(try f.metadata.int("llama.block_count") == 30)
        #expect(try f.metadata.int("llama.embedding_length") == 576)
        #expect(try f.metadata.int("llama.attention.head_count_kv") == 3)
        #expect(try f.metadata.double("llama.rope.freq_base") == 100_000)
        let types = Dictionary(grouping: f.tensors, by: \.type.name).mapValues(\.count)
        #expect(types == ["q4_1": 210, "f32": 61, "q8_0": 1])
        let embedding = try #require(f.tensor(named: "token_embd.weight"))
        #expect(embedding.dimensions == [576, 49152])
        #expect(embedding.shape == [49152, 576])
        #expect(embedding.byteCount == 49152 * 576 / 32 * 34)
        #expect(f.tensor(named: "output.weight") == nil)   // tied to the embedding
    }

    @Test func idsEqualLlamaCpp() throws {
        let tok = try GGUFTokenizer(file: Self.file)
        #expect(tok.vocabularySize == 49152)
        #expect(tok.preTokenizer == "smollm")
        let fixture = try FixtureFiles.json("smollm2_tokens.json") as! [String: Any]
        let cases = fixture["cases"] as! [[String: Any]]
        #expect(cases.count >= 200)
        var mismatches: [String] = []
        for c in cases {
            let text = c["text"] as! String
            let special = tok.encode(text, addSpecial: true, parseSpecial: true)
            let plain = tok.encode(text, addSpecial: true, parseSpecial: false)
            if special != c["ids"] as! [Int] { mismatches.append("special \(text.debugDescription): \(special) vs \(c["ids"]!)") }
            if plain != c["ids_no_special"] as! [Int] { mismatches.append("plain \(text.debugDescription): \(plain) vs \(c["ids_no_special"]!)") }
            // Byte-exact round trip of plain text.
            #expect(tok.decode(plain) == text, "\(text.debugDescription)")
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(2 * cases.count) differ; first: \(mismatches.prefix(3))")
    }

    @Test func specialTokensAndTemplate() throws {
        let tok = try GGUFTokenizer(file: Self.file)
        #expect(tok.bosID == 1 && tok.eosID == 2)
        #expect(!tok.addBOS)
        #expect(tok.encode("<|im_start|>") == [1])
        #expect(tok.encode("<|im_start|>", parseSpecial: false).count > 1)
        #expect(tok.decode([1, 2], skipSpecial: true) == "")
        #expect(tok.decode([1]) == "<|im_start|>")
        #expect(tok.chatTemplate?.contains("<|im_start|>") == true)
        #expect(tok.isEndOfGeneration(2))
    }
}

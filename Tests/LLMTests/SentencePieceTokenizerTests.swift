import Foundation
import Testing
import LLM

/// The `llama` (SentencePiece BPE) tokenizer of a GGUF vocabulary written by llama.cpp's converter,
/// against SentencePiece's own `encode` (scripts/fixtures/make_llm_spm_fixtures.py).
@Suite struct SentencePieceTokenizerTests {
    static let tokenizer: GGUFTokenizer = try! GGUFTokenizer(file: GGUFFile(contentsOf: FixtureFiles.url("tiny_spm_vocab.gguf")))

    static func cases(_ key: String) throws -> [(text: String, ids: [Int])] {
        let root = try #require(try FixtureFiles.json("tiny_spm_tokens.json") as? [String: Any])
        let list = try #require(root[key] as? [[String: Any]])
        return try list.map { (try #require($0["text"] as? String), try #require($0["ids"] as? [Int])) }
    }

    /// Every text's ids equal SentencePiece's, byte fallback and whitespace runs included; the
    /// pieces decode back to the text.
    @Test func idsEqualSentencePiece() throws {
        let t = Self.tokenizer
        #expect(t.model == "llama" && t.vocabularySize == 1000 && t.addBOS && t.bosID == 1 && t.eosID == 2)
        let cases = try Self.cases("cases")
        #expect(cases.count >= 190)
        var equal = 0
        for c in cases {
            let ids = t.encode(c.text, addSpecial: false, parseSpecial: false)
            if ids == c.ids { equal += 1 } else { Issue.record("\(c.text.debugDescription): \(ids) vs SentencePiece \(c.ids)") }
            // Decoding gives the text back, with the leading space the dummy prefix added.
            if !c.text.isEmpty { #expect(t.decode(ids) == " " + c.text, "\(c.text.debugDescription) round trip") }
        }
        print("SentencePiece ids equal on \(equal)/\(cases.count) texts")
        #expect(t.encode("", addSpecial: true) == [1] && t.encode("", addSpecial: false).isEmpty)
        #expect(t.encode("Hello", addSpecial: true).first == 1)
    }

    /// Control tokens in the text become their ids, and the text after one starts with "▁" again.
    @Test func controlTokensAndSpacePrefix() throws {
        for c in try Self.cases("special") {
            #expect(Self.tokenizer.encode(c.text, addSpecial: false, parseSpecial: true) == c.ids, "\(c.text)")
        }
        // Without parseSpecial "<s>" is spelled out.
        #expect(!Self.tokenizer.encode("<s>", addSpecial: false, parseSpecial: false).contains(1))
    }
}

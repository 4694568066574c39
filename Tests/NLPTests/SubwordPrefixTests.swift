import Foundation
import Testing
import NLP

/// The `##` continuation prefix followed by a combining mark (Indic vowel signs are 40 of
/// all-MiniLM-L6-v2's pieces): Swift's `hasPrefix` compares grapheme clusters, in which `#` and
/// the mark are one, so such pieces were never found. Expected ids and texts are what Hugging
/// Face `tokenizers` 0.23.3 gives for the same vocabulary (WordPiece with BertNormalizer(lowercase
/// and strip_accents off) + BertPreTokenizer + WordPiece decoder; BPE with
/// continuing_subword_prefix "##").
@Suite struct SubwordPrefixTests {
    static let vocabulary = ["[UNK]", "[CLS]", "[SEP]", "नम", "##ा", "##स", "##्", "ते", "##ि", "a", "##b"]

    @Test func wordPieceMatchesContinuationsThatStartWithACombiningMark() throws {
        let wp = try WordPieceTokenizer(tokens: Self.vocabulary, normalizer: BertNormalizer(stripAccents: false, lowercase: false),
                                        addSpecialTokens: false)
        #expect(wp.encode("नमा") == [3, 4])
        #expect(wp.encode("नमास") == [3, 4, 5])
        #expect(wp.encode("नमि ab") == [3, 8, 9, 10])
        #expect(wp.encode("नमस्ते") == [0])
        #expect(wp.decode([3, 8, 9, 10]) == "नमि ab")
        #expect(wp.decode([3, 4, 5]) == "नमास")
    }

    @Test func bpeMergesWithAMarkContinuationFindTheMergedToken() throws {
        // ("क", "##ा") merges to "का"; with the cluster comparison it became "क##ा", which is not
        // in the vocabulary, and the model was refused.
        let model = try BPEModel(vocabulary: ["[UNK]": 0, "क": 1, "##ा": 2, "का": 3], merges: [("क", "##ा")], unknownToken: "[UNK]",
                                 continuingSubwordPrefix: "##")
        #expect(model.merges.count == 1)
    }
}

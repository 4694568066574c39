import Foundation
import Testing
import NLP

/// Byte-level BPE, WordPiece and tokenizer.json against Hugging Face `tokenizers` 0.23.3
/// (scripts/fixtures/nlp_tokenizer_fixtures.py).
@Suite struct SubwordTokenizerTests {
    static let fixture: [String: Any] = try! FixtureFiles.json("nlp_tokenizers.json") as! [String: Any]
    static let texts = fixture["texts"] as! [String]
    static let bpe = fixture["bpe"] as! [String: Any]
    static let minilm = fixture["minilm"] as! [String: Any]
    static let corpus: [String] = (try! FixtureFiles.json("nlp_corpus.json") as! [String: Any])["documents"] as! [String]

    static func firstMismatch<T: Equatable>(_ got: [T], _ want: [T]) -> String {
        guard let i = zip(got, want).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? (got.count != want.count ? min(got.count, want.count) : nil) else { return "none" }
        return "text \(i) \(texts[i].debugDescription.prefix(80)): got \(i < got.count ? "\(got[i])" : "-") want \(i < want.count ? "\(want[i])" : "-")"
    }

    @Test func preTokenizerMatchesGPT2Pattern() {
        let want = Self.bpe["pretokenized"] as! [[String]]
        let got = Self.texts.map { t in ByteLevel.preTokenize(t).map { r in ByteLevel.encode(Array(t.utf8)[r]) } }
        #expect(got == want, "first mismatch: \(Self.firstMismatch(got, want))")
    }

    @Test func trainingGivesHuggingFaceVocabularyAndMerges() throws {
        let trained = try BPETokenizer.train(corpus: Self.corpus, vocabularySize: 700, minimumFrequency: 2,
                                             specialTokens: ["<|endoftext|>", "<pad>"])
        let ref = try HFTokenizer(contentsOf: FixtureFiles.url("nlp_bpe_trained.json"))
        guard case .bpe(let hf) = ref.model else { Issue.record("not BPE"); return }
        #expect(trained.model.vocabulary == hf.model.vocabulary)
        #expect(trained.model.merges.map { [$0.0, $0.1] } == hf.model.merges.map { [$0.0, $0.1] })
        #expect(trained.addedTokens.map(\.content) == ["<|endoftext|>", "<pad>"])
    }

    @Test func byteLevelBPEEncodesLikeHuggingFace() throws {
        let tok = try HFTokenizer(contentsOf: FixtureFiles.url("nlp_bpe_trained.json"))
        let want = Self.bpe["ids"] as! [[Int]]
        let got = Self.texts.map { tok.encode($0).ids }
        #expect(got == want, "first mismatch: \(Self.firstMismatch(got, want))")
        #expect(Self.texts.map { tok.encode($0).tokens } == Self.bpe["tokens"] as! [[String]])
        #expect(want.map { tok.decode($0, skipSpecialTokens: false) } == Self.bpe["decoded"] as! [String])
    }

    @Test func byteLevelRoundTripsAnyUTF8() throws {
        let tok = try BPETokenizer.train(corpus: Array(Self.corpus.prefix(80)), vocabularySize: 400)
        var g = SplitMix(seed: 42)
        var samples = ["", " ", "  \n\t ", "🙂🎉👍🏽 👨‍👩‍👧‍👦 🇫🇷", "東京は日本の首都", "cafe\u{301} a\u{300}\u{301}\u{302}", "\u{0}\u{7}\u{FFFD}\u{10FFFF}",
                       "'s 're  'll\r\n", String(repeating: "x", count: 500)]
        for _ in 0..<300 {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int(g.next() % 30) {
                let plane = g.next() % 4
                let v: UInt32 = plane == 0 ? UInt32(g.next() % 0x80) : plane == 1 ? UInt32(g.next() % 0x800) : plane == 2 ? UInt32(g.next() % 0x10000) : UInt32(0x10000 + g.next() % 0x100000)
                if let u = Unicode.Scalar(v) { s.append(u) }
            }
            samples.append(String(s))
        }
        for s in samples {
            let ids = tok.encode(s)
            #expect(Array(tok.decode(ids).utf8) == Array(s.utf8), "\(s.debugDescription)")
            #expect(ids.allSatisfy { $0 >= 0 && $0 < tok.vocabularySize })
        }
    }

    /// The fast path (byte ids, word cache) against the reference merge loop over a word's characters.
    @Test func fastEncodingEqualsReferenceMerges() throws {
        let tok = try HFTokenizer(contentsOf: FixtureFiles.url("nlp_bpe_trained.json"))
        guard case .bpe(let bpe) = tok.model else { Issue.record("not BPE"); return }
        for text in Self.texts + Self.texts {   // twice: the second pass is served from the cache
            let bytes = Array(text.utf8)
            let reference = ByteLevel.preTokenize(text).flatMap { r in bpe.model.tokenize(word: ByteLevel.encode(bytes[r])) }
            let specialFree = !bpe.addedTokens.contains { text.contains($0.content) }
            if specialFree { #expect(bpe.encode(text) == reference, "\(text.debugDescription)") }
        }
    }

    @Test func bertProcessingAndBatchPadding() throws {
        let json = #"""
        {"added_tokens": [{"id": 0, "content": "[PAD]", "special": true}, {"id": 1, "content": "[UNK]", "special": true},
                          {"id": 2, "content": "[CLS]", "special": true}, {"id": 3, "content": "[SEP]", "special": true}],
         "normalizer": {"type": "BertNormalizer", "lowercase": true}, "pre_tokenizer": {"type": "BertPreTokenizer"},
         "post_processor": {"type": "BertProcessing", "cls": ["[CLS]", 2], "sep": ["[SEP]", 3]},
         "padding": {"strategy": "BatchLongest", "direction": "Left", "pad_id": 0, "pad_token": "[PAD]", "pad_type_id": 0},
         "truncation": {"max_length": 5, "strategy": "LongestFirst"},
         "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 4, "##b": 5, "c": 6}}}
        """#
        let tok = try HFTokenizer(jsonData: Data(json.utf8))
        let batch = tok.encode(batch: ["AB", "a c c x"])
        #expect(batch[1].ids == [2, 4, 6, 6, 3])
        #expect(batch[0].ids == [0, 2, 4, 5, 3] && batch[0].attentionMask == [0, 1, 1, 1, 1])
        #expect(tok.encode("a", pair: "c").typeIds == [0, 0, 0, 1, 1])
    }

    static func minilmTokenizer() throws -> HFTokenizer {
        try HFTokenizer(contentsOf: FixtureFiles.url("minilm_tokenizer.json"))
    }

    @Test func miniLMTokenizerJSONMatchesHuggingFace() throws {
        let tok = try Self.minilmTokenizer()
        let padded = Self.texts.map { tok.encode($0) }
        #expect(padded.map(\.ids) == Self.minilm["padded_ids"] as! [[Int]])
        #expect(padded.map(\.attentionMask) == Self.minilm["padded_attention_mask"] as! [[Int]])
        tok.padding = nil
        tok.truncation = nil
        let want = Self.minilm["ids"] as! [[Int]]
        let got = Self.texts.map { tok.encode($0).ids }
        #expect(got == want, "first mismatch: \(Self.firstMismatch(got, want))")
        #expect(Self.texts.map { tok.encode($0).tokens } == Self.minilm["tokens"] as! [[String]])
        #expect(Self.texts.map { tok.encode($0, addSpecialTokens: false).ids } == Self.minilm["ids_no_special"] as! [[Int]])
        let pair = tok.encode(Self.texts[0], pair: Self.texts[1])
        #expect(pair.ids == Self.minilm["pair_ids"] as! [Int] && pair.typeIds == Self.minilm["pair_type_ids"] as! [Int])
        let decoded = want.map { tok.decode($0) }
        #expect(decoded == Self.minilm["decoded"] as! [String], "first mismatch: \(Self.firstMismatch(decoded, Self.minilm["decoded"] as! [String]))")
    }

    @Test func miniLMVocabTxtMatchesHuggingFace() throws {
        let wp = try WordPieceTokenizer(vocabularyFile: FixtureFiles.url("minilm_vocab.txt"))
        let want = Self.minilm["ids"] as! [[Int]]
        let got = Self.texts.map { wp.encode($0) }
        #expect(got == want, "first mismatch: \(Self.firstMismatch(got, want))")
        #expect(wp.encodeWithTokens("Tokenization!").tokens == ["[CLS]", "token", "##ization", "!", "[SEP]"])
    }

    @Test func splitDigitsIsolatesEveryNumberCharacter() throws {
        let trained = try BPETokenizer.train(corpus: Self.corpus + ["2024 1999 ٣٤ ½"], vocabularySize: 600)
        let digits = BPETokenizer(model: trained.model, splitDigits: true)
        // Each number character (ASCII, Arabic-Indic, vulgar fraction) is its own pre-token; the text
        // between them goes through GPT-2's pattern on its own.
        for (text, pieces) in [("year 2024!", ["year", " ", "2", "0", "2", "4", "!"]), ("x٣٤ ½y", ["x", "٣", "٤", " ", "½", "y"]),
                               ("no digits here", ["no", " digits", " here"])] {
            #expect(digits.encode(text) == pieces.flatMap { trained.encode($0) }, "\(text)")
        }
        #expect(trained.encode("year 2024") != digits.encode("year 2024"))
        let json = try HFTokenizer(jsonData: try HFTokenizer(digits).jsonData())
        #expect(json.encode("year 2024!").ids == digits.encode("year 2024!"))
    }

    @Test func writtenFilesReloadWithTheSameIds() throws {
        let minilm = try Self.minilmTokenizer()
        let bpe = try HFTokenizer(contentsOf: FixtureFiles.url("nlp_bpe_trained.json"))
        for tok in [minilm, bpe] {
            let again = try HFTokenizer(jsonData: try tok.jsonData())
            #expect(Self.texts.map { again.encode($0).ids } == Self.texts.map { tok.encode($0).ids })
        }
    }

    /// With SWIFTLEARN_PYTHON_CHECK=1: files written here load in Python's `tokenizers` and give the same ids.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SWIFTLEARN_PYTHON_CHECK"] == "1",
                   "SWIFTLEARN_PYTHON_CHECK=1 loads our tokenizer.json files in Hugging Face tokenizers"))
    func writtenFilesLoadInHuggingFaceTokenizers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlearn-nlp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let textsURL = dir.appendingPathComponent("texts.json")
        try JSONSerialization.data(withJSONObject: Self.texts).write(to: textsURL)
        let trained = HFTokenizer(try BPETokenizer.train(corpus: Self.corpus, vocabularySize: 800, specialTokens: ["<|endoftext|>"]))
        let wp = HFTokenizer(try WordPieceTokenizer(vocabularyFile: FixtureFiles.url("minilm_vocab.txt")))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/fixtures/check_tokenizer_json.py")
        // The same BPE with Hugging Face's Digits(individual_digits) step first (SmolLM's pre-tokenizer).
        guard case .bpe(let trainedBPE) = trained.model else { Issue.record("not BPE"); return }
        let digits = HFTokenizer(BPETokenizer(model: trainedBPE.model, addedTokens: trainedBPE.addedTokens, splitDigits: true))
        for (name, tok) in [("bpe", trained), ("bpe-digits", digits), ("wordpiece", wp)] {
            let file = dir.appendingPathComponent("\(name).json")
            try tok.write(to: file)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", script.path, file.path, textsURL.path]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(name): python failed")
            let ids = try JSONSerialization.jsonObject(with: data) as? [[Int]]
            #expect(ids == Self.texts.map { tok.encode($0).ids }, "\(name)")
        }
    }

    @Test func badFilesAndSettingsThrow() throws {
        #expect(throws: NLPError.self) { try HFTokenizer(contentsOf: URL(fileURLWithPath: "/nonexistent/tokenizer.json")) }
        #expect(throws: NLPError.self) { try HFTokenizer(jsonData: Data("{not json".utf8)) }
        #expect(throws: NLPError.self) { try HFTokenizer(jsonData: Data("[]".utf8)) }
        #expect(throws: NLPError.self) { try HFTokenizer(jsonData: Data(#"{"model": {"type": "Unigram", "vocab": []}}"#.utf8)) }
        #expect(throws: NLPError.self) {
            try HFTokenizer(jsonData: Data(#"{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": [["a", "b"]]}}"#.utf8))
        }
        #expect(throws: NLPError.self) {
            try HFTokenizer(jsonData: Data(#"{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": "zero"}, "merges": []}}"#.utf8))
        }
        // Sizes a file can state are bounded before anything is allocated: an id of 10^9 (the
        // table is sized by the largest id), fixed padding or truncation to 10^9 tokens.
        let bpe = #"{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0, "b": ID}, "merges": []}%@}"#
        func bpeFile(id: String = "1", extra: String = "") -> Data {
            Data(bpe.replacingOccurrences(of: "ID", with: id).replacingOccurrences(of: "%@", with: extra).utf8)
        }
        #expect(try HFTokenizer(jsonData: bpeFile()).encode("ab").ids == [0, 1])
        #expect(try HFTokenizer(jsonData: bpeFile(id: "1000")).encode("b").ids == [1000])          // a gap is fine
        for bad in [bpeFile(id: "1000000000"), bpeFile(id: "9223372036854775807"),
                    bpeFile(extra: #", "padding": {"strategy": {"Fixed": 1000000000}}"#),
                    bpeFile(extra: #", "padding": {"strategy": "BatchLongest", "pad_to_multiple_of": 0}"#),
                    bpeFile(extra: #", "truncation": {"max_length": 1000000000}"#)] {
            #expect(throws: NLPError.self, "\(String(decoding: bad, as: UTF8.self))") { try HFTokenizer(jsonData: bad) }
        }
        #expect(throws: NLPError.self) { try BPETokenizer.train(corpus: ["hello"], vocabularySize: 100) }
        #expect(throws: NLPError.self) { try BPETokenizer.train(corpus: [""], vocabularySize: 300) }
        #expect(throws: NLPError.self) { try WordPieceTokenizer(tokens: ["a", "b"]) }             // no [UNK]
        #expect(throws: NLPError.self) { try WordPieceTokenizer(tokens: ["[UNK]", "a", "a"]) }
        #expect(throws: NLPError.self) { try WordPieceTokenizer(vocabularyFile: URL(fileURLWithPath: "/nonexistent/vocab.txt")) }
    }
}

/// A small seeded generator for reproducible random strings.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

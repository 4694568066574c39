import Foundation
import Testing
import LLM
import Tensors
import TestSupport

/// The BERT sentence encoder against Hugging Face transformers / sentence-transformers
/// (scripts/fixtures/make_minilm_fixtures.py): a tiny random BERT always, all-MiniLM-L6-v2 when
/// scripts/fetch_models.sh has put it in models/.
@Suite struct BertEncoderTests {
    static let tinyDirectory = FixtureFiles.url("tiny_bert")

    static func tinyFiles() throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in ["config.json", "model.safetensors", "tokenizer.json", "vocab.txt"] {
            files[name] = try Data(contentsOf: tinyDirectory.appendingPathComponent(name))
        }
        return files
    }

    @Test func tinyBertMatchesTransformers() throws {
        let expected = try FixtureFiles.json("tiny_bert_expected.json") as! [String: Any]
        let cases = expected["cases"] as! [[String: Any]]
        let encoder = try BertEncoder(directory: Self.tinyDirectory)
        #expect(encoder.maxSequenceLength == expected["max_length"] as! Int)
        #expect(encoder.pooling == .mean && encoder.normalize)
        var worstHidden = 0.0, worstEmbedding = 0.0
        for c in cases {
            let text = c["text"] as! String, ids = c["ids"] as! [Int]
            #expect(encoder.tokenize(text) == ids, "\(text)")
            let hidden = try encoder.lastHiddenStates(tokenIDs: [ids])[0]
            worstHidden = worse(worstHidden, maxAbsoluteError(hidden.map(Double.init), c["hidden"] as! [Double]))
            let embedding = try encoder.embed([text])[0]
            worstEmbedding = worse(worstEmbedding, maxAbsoluteError(embedding.map(Double.init), c["embedding"] as! [Double]))
        }
        print("tiny BERT: max |Δ| hidden states \(worstHidden), embeddings \(worstEmbedding)")
        #expect(worstHidden <= 1e-5)
        #expect(worstEmbedding <= 1e-6)
        // One batch of all texts gives the same vectors as one text at a time (batches are unpadded).
        let texts = cases.map { $0["text"] as! String }
        let batched = try encoder.embed(texts)
        for (k, t) in texts.enumerated() {
            #expect(maxAbsoluteError(batched[k].map(Double.init), try encoder.embed([t])[0].map(Double.init)) <= 1e-6)
        }
        // A fixed thread count takes the native GEMM on that many threads: the same vectors to rounding.
        for threads in [1, 2] {
            encoder.threads = threads
            let fixed = try encoder.embed(texts)
            #expect(zip(fixed, batched).allSatisfy { maxAbsoluteError($0.map(Double.init), $1.map(Double.init)) <= 1e-6 }, "threads \(threads)")
        }
    }

    @Test func vocabularyFileGivesTheSameTokensAsTokenizerJSON() throws {
        var files = try Self.tinyFiles()
        files["tokenizer.json"] = nil
        let fromVocab = try BertEncoder(files: files, directory: "tiny")
        let fromJSON = try BertEncoder(directory: Self.tinyDirectory)
        for text in ["The cat sat on the mat.", "Café 東京 big and fast?", "don't run slowly", String(repeating: "the ", count: 40)] {
            #expect(fromVocab.tokenize(text) == fromJSON.tokenize(text), "\(text)")
        }
    }

    @Test func sentenceTransformersSettingsAreRead() throws {
        var files = try Self.tinyFiles()
        files["sentence_bert_config.json"] = Data(#"{"max_seq_length": 6}"#.utf8)
        files["1_Pooling/config.json"] = Data(#"{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}"#.utf8)
        files["modules.json"] = Data(#"[{"type": "sentence_transformers.models.Transformer"}]"#.utf8)
        let e = try BertEncoder(files: files, directory: "tiny")
        #expect(e.maxSequenceLength == 6 && e.pooling == .cls && !e.normalize)
        #expect(e.tokenize("the cat sat on the mat and the dog") .count == 6)
        let ids = e.tokenize("the cat sat on the mat")
        let states = try e.lastHiddenStates(tokenIDs: [ids])[0]
        #expect(try e.embed(tokenIDs: [ids])[0] == Array(states.prefix(e.dimension)))
    }

    /// Each broken input is refused with a typed error naming the file it came from.
    @Test func brokenModelFilesAreTypedErrorsNamingTheFile() throws {
        func refused(_ change: (inout [String: Data]) -> Void, naming file: String, _ fragment: String,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
            var files = try Self.tinyFiles()
            change(&files)
            do {
                _ = try BertEncoder(files: files, directory: "/m")
                Issue.record("loaded, expected an error naming \(file)", sourceLocation: sourceLocation)
            } catch let e as LLMError {
                let text = "\(e)"
                #expect(text.contains("/m/\(file)") && text.contains(fragment), "\(text)", sourceLocation: sourceLocation)
            }
        }
        let config = String(decoding: try Self.tinyFiles()["config.json"]!, as: UTF8.self)
        try refused({ $0["config.json"] = nil }, naming: "config.json", "missing")
        try refused({ $0["config.json"] = Data("[1, 2]".utf8) }, naming: "config.json", "not a JSON object")
        try refused({ $0["config.json"] = Data(config.replacingOccurrences(of: "\"hidden_size\": 32", with: "\"hidden_size\": 33").utf8) },
                    naming: "config.json", "multiple of num_attention_heads")
        try refused({ $0["config.json"] = Data(config.replacingOccurrences(of: "\"hidden_size\": 32", with: "\"hidden_size\": 1e30").utf8) },
                    naming: "config.json", "hidden_size")
        try refused({ $0["config.json"] = Data(config.replacingOccurrences(of: "\"hidden_act\": \"gelu\"", with: "\"hidden_act\": \"relu\"").utf8) },
                    naming: "config.json", "relu")
        try refused({ $0["config.json"] = Data(config.replacingOccurrences(of: "\"intermediate_size\": 64", with: "\"intermediate_size\": 65").utf8) },
                    naming: "model.safetensors", "expected [65, 32]")
        try refused({ $0["model.safetensors"] = nil }, naming: "model.safetensors", "missing")
        try refused({ $0["model.safetensors"] = Data($0["model.safetensors"]!.prefix(100)) }, naming: "model.safetensors", "header")
        try refused({ $0["tokenizer.json"] = nil; $0["vocab.txt"] = nil }, naming: "tokenizer.json", "missing")
        try refused({ $0["tokenizer.json"] = Data("{\"model\": 3}".utf8) }, naming: "tokenizer.json", "model")
        try refused({ $0["tokenizer.json"] = nil; $0["vocab.txt"] = Data(("[UNK]\n" + (0..<50).map { "w\($0)" }.joined(separator: "\n")).utf8) },
                    naming: "vocab.txt", "vocab_size")
        try refused({ $0["sentence_bert_config.json"] = Data(#"{"max_seq_length": "long"}"#.utf8) }, naming: "sentence_bert_config.json", "max_seq_length")
        try refused({ $0["modules.json"] = Data("{}".utf8) }, naming: "modules.json", "array")
        #expect(throws: LLMError.fileError(path: "/no/such/model", reason: "no such model directory")) {
            try BertEncoder(directory: URL(fileURLWithPath: "/no/such/model"))
        }
    }

    @Test func configurationReadsOnesAndRefusesBooleans() throws {
        // On Linux every JSON number also answers `is Bool`: 1 must still be an integer, true must not.
        let ones = #"{"hidden_size": 1, "num_hidden_layers": 1, "num_attention_heads": 1, "intermediate_size": 1, "vocab_size": 1, "max_position_embeddings": 1}"#
        let c = try BertConfiguration(jsonData: Data(ones.utf8), path: "c.json")
        #expect(c.hiddenSize == 1 && c.layerCount == 1 && c.typeVocabularySize == 2 && c.layerNormEpsilon == 1e-12)
        #expect(throws: LLMError.self) { try BertConfiguration(jsonData: Data(ones.replacingOccurrences(of: "\"num_hidden_layers\": 1", with: "\"num_hidden_layers\": true").utf8), path: "c.json") }
        #expect(throws: LLMError.self) { try BertConfiguration(jsonData: Data(ones.replacingOccurrences(of: "\"hidden_size\": 1,", with: "\"hidden_size\": 1.5,").utf8), path: "c.json") }
    }

    @Test func badTokenIDsAreRefused() throws {
        let e = try BertEncoder(directory: Self.tinyDirectory)
        for ids in [[Int](), [-1], [e.configuration.vocabularySize], Array(repeating: 5, count: e.maxSequenceLength + 1)] {
            #expect(throws: LLMError.self) { try e.embed(tokenIDs: [ids]) }
        }
        #expect(try e.embed(tokenIDs: []).isEmpty)
        #expect(try e.embed([]).isEmpty)
    }
}

/// all-MiniLM-L6-v2 against sentence-transformers on the fixture texts.
@Suite(.enabled(if: FixtureFiles.miniLM != nil, "needs models/all-MiniLM-L6-v2 (scripts/fetch_models.sh)"))
struct MiniLMAgreementTests {
    @Test func tokenIDsAndEmbeddingsMatchSentenceTransformers() throws {
        let fixture = try FixtureFiles.json("minilm_texts.json") as! [String: Any]
        let texts = fixture["texts"] as! [String], ids = fixture["ids"] as! [[Int]]
        let payload = try NPZ.read(contentsOf: FixtureFiles.url("minilm_embeddings.npz")).first { $0.name == "embeddings" }!.payload
        let reference: [Float] = payload.bytes.withUnsafeBytes { raw in
            (0..<payload.elementCount).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
        }
        #expect(texts.count >= 1000 && payload.shape == [texts.count, 384])
        let encoder = try BertEncoder(directory: FixtureFiles.miniLM!)
        #expect(encoder.maxSequenceLength == 256 && encoder.dimension == 384)
        let ours = texts.map(encoder.tokenize)
        let agreeing = zip(ours, ids).filter { $0 == $1 }.count
        let firstDifferent = zip(ours, ids).enumerated().first { $0.element.0 != $0.element.1 }.map { "text \($0.offset) \(texts[$0.offset].debugDescription.prefix(80))" }
        print("MiniLM token ids: \(agreeing)/\(texts.count) texts equal to sentence-transformers'")
        #expect(agreeing == texts.count, "first difference: \(firstDifferent ?? "none")")
        let vectors = try encoder.embed(tokenIDs: ids)
        var worst = 0.0, lowestCosine = 1.0
        for (k, v) in vectors.enumerated() {
            let r = reference[(k * 384)..<((k + 1) * 384)].map(Double.init)
            worst = worse(worst, maxAbsoluteError(v.map(Double.init), r))
            let dot = zip(v, r).reduce(0.0) { $0 + Double($1.0) * $1.1 }
            let norms = (v.reduce(0.0) { $0 + Double($1) * Double($1) } * r.reduce(0.0) { $0 + $1 * $1 }).squareRoot()
            lowestCosine = min(lowestCosine, errorValue(dot / norms) == .infinity ? -1 : dot / norms)
        }
        print("MiniLM embeddings over \(texts.count) texts: max |Δ| \(worst), min cosine \(lowestCosine)")
        #expect(worst <= 1e-5)
        #expect(lowestCosine >= 0.99999)
    }
}

// libFuzzer target: LLM.BertEncoder(files:directory:) on the files of a sentence-transformers
// model directory. The input is the files' contents joined by the line `#FILE#`, in the order
// config.json, model.safetensors, tokenizer (tokenizer.json when it starts with `{`, else
// vocab.txt), sentence_bert_config.json, 1_Pooling/config.json, modules.json; fewer parts mean
// absent files. An encoder that loads then embeds fixed texts (ASCII, accents, CJK, emoji, a text
// longer than any position table here) and token ids at the edges of its vocabulary.
//
// `SWIFTLEARN_FUZZ_WRITE_SEEDS=DIR FuzzBertEncoder` writes seeds into DIR and exits: a micro BERT
// (1 layer, width 8, 2 heads, 16-token vocabulary, 12 positions) with random weights, with
// vocab.txt or tokenizer.json, with and without the sentence-transformers settings.
import Foundation
import LLM
import NLP
import Tensors

private let separator = Array("\n#FILE#\n".utf8)
private let texts = ["Hello, world! the cat sat", "", "café 東京 🙂 [CLS] ##ing", String(repeating: "the cat ", count: 40)]

private func split(_ bytes: [UInt8]) -> [[UInt8]] {
    var parts: [[UInt8]] = [], start = 0, i = 0
    while i + separator.count <= bytes.count {
        if bytes[i] == separator[0], Array(bytes[i..<(i + separator.count)]) == separator {
            parts.append(Array(bytes[start..<i])); i += separator.count; start = i
        } else { i += 1 }
    }
    parts.append(Array(bytes[start...]))
    return parts
}

private func files(_ parts: [[UInt8]]) -> [String: Data] {
    var out: [String: Data] = [:]
    let names = ["config.json", "model.safetensors", "", "sentence_bert_config.json", "1_Pooling/config.json", "modules.json"]
    for (k, p) in parts.prefix(names.count).enumerated() {
        let name = k == 2 ? (p.first == UInt8(ascii: "{") ? "tokenizer.json" : "vocab.txt") : names[k]
        out[name] = Data(p)
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let encoder = try? BertEncoder(files: files(split(bytes)), directory: "fuzz") else { return 0 }
    encoder.threads = 1
    _ = try? encoder.embed(texts)
    let v = encoder.configuration.vocabularySize
    _ = try? encoder.embed(tokenIDs: [[0], [v - 1, 0], [v], [-1], []])
    _ = try? encoder.lastHiddenStates(tokenIDs: [Array(repeating: 0, count: encoder.maxSequenceLength)])
    return 0
}

// MARK: - Seeds

private func seedModel() throws -> (config: [UInt8], weights: [UInt8], vocab: [String]) {
    let h = 8, inner = 8, positions = 12
    let vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "##s", "##ing", ",", "!", "caf", "##e", "東", "🙂"]
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func values(_ n: Int, around center: Float = 0) -> ArrayPayload {
        let v: [Float] = (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return center + Float(Int64(state >> 40) - (1 << 23)) / Float(1 << 24)
        }
        return try! ArrayPayload(v, shape: [n])
    }
    func shaped(_ p: ArrayPayload, _ shape: [Int]) -> ArrayPayload { try! ArrayPayload(dtype: p.dtype, shape: shape, bytes: p.bytes) }
    var tensors: [(name: String, payload: ArrayPayload)] = [
        ("embeddings.word_embeddings.weight", shaped(values(vocab.count * h), [vocab.count, h])),
        ("embeddings.position_embeddings.weight", shaped(values(positions * h), [positions, h])),
        ("embeddings.token_type_embeddings.weight", shaped(values(2 * h), [2, h])),
        ("embeddings.LayerNorm.weight", values(h, around: 1)), ("embeddings.LayerNorm.bias", values(h)),
    ]
    let p = "encoder.layer.0."
    for m in ["query", "key", "value"] {
        tensors += [(p + "attention.self.\(m).weight", shaped(values(h * h), [h, h])), (p + "attention.self.\(m).bias", values(h))]
    }
    tensors += [
        (p + "attention.output.dense.weight", shaped(values(h * h), [h, h])), (p + "attention.output.dense.bias", values(h)),
        (p + "attention.output.LayerNorm.weight", values(h, around: 1)), (p + "attention.output.LayerNorm.bias", values(h)),
        (p + "intermediate.dense.weight", shaped(values(inner * h), [inner, h])), (p + "intermediate.dense.bias", values(inner)),
        (p + "output.dense.weight", shaped(values(h * inner), [h, inner])), (p + "output.dense.bias", values(h)),
        (p + "output.LayerNorm.weight", values(h, around: 1)), (p + "output.LayerNorm.bias", values(h)),
    ]
    let config = """
        {"model_type": "bert", "hidden_size": \(h), "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": \(inner),
         "vocab_size": \(vocab.count), "max_position_embeddings": \(positions), "type_vocab_size": 2, "layer_norm_eps": 1e-12,
         "hidden_act": "gelu", "position_embedding_type": "absolute"}
        """
    return (Array(config.utf8), try Safetensors.encode(tensors, metadata: ["format": "pt"]), vocab)
}

private func writeSeeds(to directory: String) throws {
    let (config, weights, vocab) = try seedModel()
    let vocabText = Array((vocab.joined(separator: "\n") + "\n").utf8)
    let tokenizer = try HFTokenizer(try WordPieceTokenizer(tokens: vocab)).jsonData()
    let settings: [[UInt8]] = [Array(#"{"max_seq_length": 10, "do_lower_case": false}"#.utf8),
                               Array(#"{"word_embedding_dimension": 8, "pooling_mode_mean_tokens": true}"#.utf8),
                               Array(#"[{"idx": 0, "type": "sentence_transformers.models.Transformer"}, {"idx": 2, "type": "sentence_transformers.models.Normalize"}]"#.utf8)]
    let seeds: [String: [[UInt8]]] = [
        "micro_vocab": [config, weights, vocabText],
        "micro_tokenizer_json": [config, weights, Array(tokenizer)],
        "micro_sentence_transformers": [config, weights, vocabText] + settings,
        "micro_cls_pooling": [config, weights, Array(tokenizer), settings[0], Array(#"{"pooling_mode_cls_token": true}"#.utf8)],
    ]
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (name, parts) in seeds {
        var bytes: [UInt8] = []
        for (k, part) in parts.enumerated() { if k > 0 { bytes += separator }; bytes += part }
        do { _ = try BertEncoder(files: files(split(bytes)), directory: "seed") } catch {
            throw LLMError.invalidParameter(name: "seed \(name)", value: "\(error)", expected: "a model that loads")
        }
        try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let directory = ProcessInfo.processInfo.environment["SWIFTLEARN_FUZZ_WRITE_SEEDS"] {
        do { try writeSeeds(to: directory); exit(0) } catch { FileHandle.standardError.write(Data("\(error)\n".utf8)); exit(1) }
    }
    return 0
}

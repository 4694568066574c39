import Foundation
import Tensors

/// The parameters of a BERT encoder in float32, read from a safetensors file with Hugging Face's
/// `BertModel` names (with or without a `bert.` prefix). Linear weights keep PyTorch's layout
/// `[out, in]`, so a layer computes `y = x Wᵀ + b`; the query, key and value projections are
/// stacked into one `[3·hidden, hidden]` matrix so one product computes all three.
struct BertWeights: Sendable {
    struct Layer: Sendable {
        /// [3H, H] rows: query, key, value; bias [3H].
        var qkv: [Float], qkvBias: [Float]
        /// Attention output projection [H, H], bias [H], then its LayerNorm.
        var attentionOut: [Float], attentionOutBias: [Float]
        var attentionNormWeight: [Float], attentionNormBias: [Float]
        /// Feed-forward: [I, H] + [I], GELU, [H, I] + [H], then LayerNorm.
        var intermediate: [Float], intermediateBias: [Float]
        var output: [Float], outputBias: [Float]
        var outputNormWeight: [Float], outputNormBias: [Float]
    }

    /// [vocabularySize, H], [maxPositions, H], [typeVocabularySize, H].
    var wordEmbeddings: [Float], positionEmbeddings: [Float], typeEmbeddings: [Float]
    var embeddingNormWeight: [Float], embeddingNormBias: [Float]
    var layers: [Layer]

    /// Checks and converts every tensor the configuration needs: present, a float dtype (float32,
    /// float16 or bfloat16, widened to float32) and exactly the expected shape.
    /// - Throws: `LLMError.invalidModelFile` naming `path` and the tensor (missing, wrong shape or dtype).
    init(_ contents: Safetensors.Contents, configuration c: BertConfiguration, path: String) throws {
        let prefix = contents["embeddings.word_embeddings.weight"] == nil && contents["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        func tensor(_ name: String, _ shape: [Int]) throws -> [Float] {
            guard let p = contents[prefix + name] else {
                throw LLMError.invalidModelFile(path: path, reason: "tensor '\(prefix + name)' is missing")
            }
            guard p.shape == shape else {
                throw LLMError.invalidModelFile(path: path, reason: "tensor '\(prefix + name)' has shape \(p.shape), expected \(shape) from config.json")
            }
            return try Self.floats(p, name: prefix + name, path: path)
        }
        let h = c.hiddenSize, i = c.intermediateSize
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [c.maxPositions, h])
        typeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])
        embeddingNormWeight = try tensor("embeddings.LayerNorm.weight", [h])
        embeddingNormBias = try tensor("embeddings.LayerNorm.bias", [h])
        layers = try (0..<c.layerCount).map { l in
            let p = "encoder.layer.\(l)."
            let a = p + "attention."
            return Layer(
                qkv: try ["query", "key", "value"].flatMap { try tensor(a + "self.\($0).weight", [h, h]) },
                qkvBias: try ["query", "key", "value"].flatMap { try tensor(a + "self.\($0).bias", [h]) },
                attentionOut: try tensor(a + "output.dense.weight", [h, h]), attentionOutBias: try tensor(a + "output.dense.bias", [h]),
                attentionNormWeight: try tensor(a + "output.LayerNorm.weight", [h]), attentionNormBias: try tensor(a + "output.LayerNorm.bias", [h]),
                intermediate: try tensor(p + "intermediate.dense.weight", [i, h]), intermediateBias: try tensor(p + "intermediate.dense.bias", [i]),
                output: try tensor(p + "output.dense.weight", [h, i]), outputBias: try tensor(p + "output.dense.bias", [h]),
                outputNormWeight: try tensor(p + "output.LayerNorm.weight", [h]), outputNormBias: try tensor(p + "output.LayerNorm.bias", [h]))
        }
    }

    /// The values of a float payload as float32.
    static func floats(_ p: ArrayPayload, name: String, path: String) throws -> [Float] {
        let n = p.elementCount
        return try p.bytes.withUnsafeBytes { raw -> [Float] in
            switch p.dtype {
            case .float32: return (0..<n).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian) }
            case .float16: return (0..<n).map { halfBitsToFloat(raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian) }
            case .bfloat16:
                return (0..<n).map { Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian) << 16) }
            default:
                throw LLMError.invalidModelFile(path: path, reason: "tensor '\(name)' has dtype \(p.dtype), expected a float type (F32, F16, BF16)")
            }
        }
    }
}

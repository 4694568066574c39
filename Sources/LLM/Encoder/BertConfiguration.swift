import Foundation
import SwiftLearnCore

/// The hyper-parameters of a BERT encoder, read from a Hugging Face `config.json`
/// (`BertConfig`): sizes, LayerNorm ε and the activation. Every number is checked against
/// `Limits` when read, so nothing sized by the file is allocated before the weights confirm it.
public struct BertConfiguration: Sendable, Equatable {
    /// Width of every token vector (`hidden_size`, e.g. 384 for all-MiniLM-L6-v2).
    public var hiddenSize: Int
    /// Transformer layers (`num_hidden_layers`).
    public var layerCount: Int
    /// Attention heads per layer (`num_attention_heads`); `hiddenSize` is a multiple of it.
    public var headCount: Int
    /// Width of the feed-forward layer (`intermediate_size`).
    public var intermediateSize: Int
    /// Rows of the word-embedding table (`vocab_size`).
    public var vocabularySize: Int
    /// Rows of the position-embedding table: the longest input (`max_position_embeddings`).
    public var maxPositions: Int
    /// Rows of the token-type (segment) table (`type_vocab_size`).
    public var typeVocabularySize: Int
    /// ε of every LayerNorm (`layer_norm_eps`).
    public var layerNormEpsilon: Float

    /// Width of one head: `hiddenSize / headCount`.
    public var headDimension: Int { hiddenSize / headCount }

    /// The bounds a `config.json` must respect (generous: BERT-large is 1024 wide, 24 layers).
    public enum Limits {
        public static let hiddenSize = 1...8192
        public static let layerCount = 1...128
        public static let headCount = 1...256
        public static let intermediateSize = 1...65_536
        public static let vocabularySize = 1...(1 << 22)
        public static let maxPositions = 1...65_536
        public static let typeVocabularySize = 1...1024
    }

    /// Creates a configuration (no checks: for code that builds models; files go through `init(jsonData:path:)`).
    public init(hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int, vocabularySize: Int,
                maxPositions: Int, typeVocabularySize: Int = 2, layerNormEpsilon: Float = 1e-12) {
        self.hiddenSize = hiddenSize; self.layerCount = layerCount; self.headCount = headCount
        self.intermediateSize = intermediateSize; self.vocabularySize = vocabularySize; self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize; self.layerNormEpsilon = layerNormEpsilon
    }

    /// Reads `config.json`.
    /// - Throws: `LLMError.fileError` when it cannot be read, `LLMError.invalidModelFile` naming
    ///   the file and the field when it is not a JSON object, a field is missing, not an integer,
    ///   outside `Limits`, or asks for something this encoder does not implement (an activation
    ///   other than the erf GELU, relative position embeddings, a model type other than BERT).
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw LLMError.fileError(path: url.path, reason: readableReason(error))
        }
        try self.init(jsonData: data, path: url.path)
    }

    /// Parses the content of a `config.json` (`path` names it in errors). See `init(contentsOf:)`.
    public init(jsonData data: Data, path: String) throws {
        func bad(_ reason: String) -> LLMError { .invalidModelFile(path: path, reason: reason) }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw bad("not a JSON object")
        }
        func integer(_ key: String, _ range: ClosedRange<Int>, default d: Int? = nil) throws -> Int {
            guard let value = object[key], !(value is NSNull) else {
                if let d { return d }
                throw bad("missing field '\(key)'")
            }
            guard let n = value as? NSNumber, !Self.isBoolean(value), n.doubleValue.isFinite, let i = Int(exactly: n.doubleValue) else {
                throw bad("field '\(key)' must be an integer, found \(value)")
            }
            guard range.contains(i) else { throw bad("field '\(key)' is \(i), outside \(range.lowerBound)...\(range.upperBound)") }
            return i
        }
        func text(_ key: String, default d: String) throws -> String {
            guard let value = object[key], !(value is NSNull) else { return d }
            guard let s = value as? String else { throw bad("field '\(key)' must be a string") }
            return s
        }
        if let type = object["model_type"] as? String, !["bert"].contains(type) {
            throw bad("model_type '\(type)' is not supported (a BERT encoder is)")
        }
        let activation = try text("hidden_act", default: "gelu")
        guard activation == "gelu" else { throw bad("hidden_act '\(activation)' is not supported (only the erf form 'gelu')") }
        let positions = try text("position_embedding_type", default: "absolute")
        guard positions == "absolute" else { throw bad("position_embedding_type '\(positions)' is not supported (only 'absolute')") }
        hiddenSize = try integer("hidden_size", Limits.hiddenSize)
        layerCount = try integer("num_hidden_layers", Limits.layerCount)
        headCount = try integer("num_attention_heads", Limits.headCount)
        intermediateSize = try integer("intermediate_size", Limits.intermediateSize)
        vocabularySize = try integer("vocab_size", Limits.vocabularySize)
        maxPositions = try integer("max_position_embeddings", Limits.maxPositions)
        typeVocabularySize = try integer("type_vocab_size", Limits.typeVocabularySize, default: 2)
        guard hiddenSize % headCount == 0 else {
            throw bad("hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(headCount)")
        }
        var eps = 1e-12
        if let value = object["layer_norm_eps"], !(value is NSNull) {
            guard let n = value as? NSNumber, !Self.isBoolean(value), n.doubleValue.isFinite, n.doubleValue > 0, n.doubleValue < 1 else {
                throw bad("field 'layer_norm_eps' must be a number in (0, 1), found \(value)")
            }
            eps = n.doubleValue
        }
        layerNormEpsilon = Float(eps)
    }

    /// Whether a `JSONSerialization` value is `true`/`false`: on Linux every JSON number also
    /// answers `is Bool`, so the boolean is told apart by its Objective-C type code.
    static func isBoolean(_ value: Any) -> Bool {
        guard let n = value as? NSNumber else { return false }
        return String(cString: n.objCType) == "c"
    }
}

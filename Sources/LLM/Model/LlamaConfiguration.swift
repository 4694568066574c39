/// The shape of a Llama-family decoder, read from GGUF metadata (`<arch>.*` keys), and the
/// per-architecture choices of the same block (llama.cpp's graph for each `general.architecture`):
///
/// | arch  | RoPE pairs        | norm      | feed-forward       | other                              |
/// |-------|-------------------|-----------|--------------------|------------------------------------|
/// | llama | adjacent (2i,2i+1)| RMSNorm   | SwiGLU             | Mistral files are `llama`          |
/// | qwen2 | halves (i, i+n/2) | RMSNorm   | SwiGLU             | Q/K/V biases                       |
/// | gemma | halves            | RMSNorm   | GeGLU (tanh GELU)  | embeddings × √d, head size own key |
/// | phi3  | halves            | RMSNorm   | SwiGLU, gate+up fused | Q/K/V fused                     |
/// | gpt2  | none (learned positions) | LayerNorm | GELU MLP    | fused QKV, biases everywhere       |
///
/// Biases are used wherever the file has them (`*.bias`), as llama.cpp does.
public struct LlamaConfiguration: Sendable, Equatable {
    /// How RoPE pairs the dimensions of a head (ggml's `LLAMA_ROPE_TYPE_NORM` / `_NEOX`), or no
    /// RoPE (positions learned and added to the embedding).
    public enum RoPEStyle: String, Sendable, Equatable { case adjacentPairs = "normal", halves = "neox", none }
    /// The normalization before attention, before the feed-forward block and at the end.
    public enum Normalization: String, Sendable, Equatable { case rms = "rms_norm", layer = "layer_norm" }
    /// The feed-forward block: gated by silu (SwiGLU) or tanh-GELU (GeGLU), or a plain GELU MLP.
    public enum FeedForward: String, Sendable, Equatable { case swiglu, geglu, gelu }

    /// `general.architecture` (`llama`, `qwen2`, `gemma`, `phi3`, `gpt2`).
    public var architecture: String
    /// Token ids (`vocab_size`, equal to the tokenizer's).
    public var vocabularySize: Int
    /// Width of the residual stream (`embedding_length`).
    public var dimension: Int
    /// Decoder blocks and attention (query) heads.
    public var layerCount: Int
    public var headCount: Int
    /// Key/value heads (grouped-query attention when fewer than `headCount`).
    public var kvHeadCount: Int
    /// Width of one head (`attention.key_length`, else `dimension / headCount`).
    public var headDimension: Int
    /// Hidden width of the feed-forward block.
    public var feedForwardDimension: Int
    /// Longest sequence the model was trained on, and RoPE's frequency base.
    public var contextLength: Int
    public var ropeBase: Float
    /// Dimensions of each head that RoPE rotates (all of them unless the file says fewer).
    public var ropeDimensionCount: Int
    /// ε of every normalization.
    public var normEpsilon: Float
    /// The architecture's choices (table above).
    public var ropeStyle: RoPEStyle
    public var normalization: Normalization
    public var feedForward: FeedForward
    /// Factor on the token embedding (√d for Gemma), nil for none.
    public var embeddingScale: Float?

    /// Width of all query heads together, and of all key (or value) heads.
    public var queryDimension: Int { headCount * headDimension }
    public var kvDimension: Int { kvHeadCount * headDimension }

    /// Architectures this runtime computes.
    public static let supportedArchitectures: Set<String> = ["llama", "qwen2", "gemma", "phi3", "gpt2"]
    /// Bounds on what a file may declare (far above any released model), so a hostile header
    /// cannot ask for a huge allocation before the tensors are checked.
    static let maximumDimension = 1 << 16, maximumLayers = 1024, maximumHeads = 1024, maximumContext = 1 << 20

    /// Reads and checks the configuration of `file`.
    /// - Throws: `LLMError.unsupported` for an architecture not implemented; `LLMError.missing` for
    ///   an absent or out-of-range key; `LLMError.invalidGGUF` when the sizes disagree.
    public init(file: GGUFFile) throws {
        let m = file.metadata
        architecture = try m.string("general.architecture")
        guard Self.supportedArchitectures.contains(architecture) else {
            throw LLMError.unsupported(path: file.path, what: "architecture '\(architecture)' (implemented: \(Self.supportedArchitectures.sorted().joined(separator: ", ")))")
        }
        let a = architecture
        switch a {
        case "llama": (ropeStyle, normalization, feedForward) = (.adjacentPairs, .rms, .swiglu)
        case "qwen2", "phi3": (ropeStyle, normalization, feedForward) = (.halves, .rms, .swiglu)
        case "gemma": (ropeStyle, normalization, feedForward) = (.halves, .rms, .geglu)
        default: (ropeStyle, normalization, feedForward) = (.none, .layer, .gelu)   // gpt2
        }
        dimension = try m.int("\(a).embedding_length", in: 1...Self.maximumDimension)
        layerCount = try m.int("\(a).block_count", in: 1...Self.maximumLayers)
        headCount = try m.int("\(a).attention.head_count", in: 1...Self.maximumHeads)
        kvHeadCount = try m.optionalInt("\(a).attention.head_count_kv", in: 1...Self.maximumHeads) ?? headCount
        feedForwardDimension = try m.int("\(a).feed_forward_length", in: 1...(Self.maximumDimension * 8))
        contextLength = try m.int("\(a).context_length", in: 1...Self.maximumContext)
        ropeBase = Float(try m.optionalDouble("\(a).rope.freq_base") ?? 10_000)
        normEpsilon = Float(try m.double(normalization == .rms ? "\(a).attention.layer_norm_rms_epsilon" : "\(a).attention.layer_norm_epsilon"))
        embeddingScale = a == "gemma" ? Float(dimension).squareRoot() : nil
        let tokens = try m.strings("tokenizer.ggml.tokens").count
        vocabularySize = try m.optionalInt("\(a).vocab_size", in: 1...(1 << 24)) ?? tokens
        let keyLength = try m.optionalInt("\(a).attention.key_length", in: 1...Self.maximumDimension)
        let valueLength = try m.optionalInt("\(a).attention.value_length", in: 1...Self.maximumDimension)
        headDimension = keyLength ?? (dimension / headCount)
        ropeDimensionCount = try m.optionalInt("\(a).rope.dimension_count", in: 1...Self.maximumDimension) ?? headDimension
        func bad(_ what: String) -> LLMError { .invalidGGUF(path: file.path, field: "metadata[\"\(a).*\"]", offset: 0, reason: what) }
        guard keyLength != nil || dimension % headCount == 0 else { throw bad("embedding_length \(dimension) is not a multiple of head_count \(headCount)") }
        guard (valueLength ?? headDimension) == headDimension else {
            throw LLMError.unsupported(path: file.path, what: "attention.value_length \(valueLength ?? 0) different from key_length \(headDimension)")
        }
        guard headCount.multipliedReportingOverflow(by: headDimension).partialValue <= Self.maximumDimension * 8 else { throw bad("head_count × key_length is too large") }
        guard headCount % kvHeadCount == 0 else { throw bad("head_count \(headCount) is not a multiple of head_count_kv \(kvHeadCount)") }
        guard ropeDimensionCount <= headDimension, ropeDimensionCount % 2 == 0 else { throw bad("rope.dimension_count \(ropeDimensionCount) must be even and ≤ the head size \(headDimension)") }
        guard ropeBase.isFinite, ropeBase > 1 else { throw bad("rope.freq_base \(ropeBase) must be a finite number > 1") }
        guard normEpsilon.isFinite, normEpsilon > 0, normEpsilon < 1 else { throw bad("the norm epsilon \(normEpsilon) must be in (0, 1)") }
        guard vocabularySize == tokens else { throw bad("vocab_size \(vocabularySize) disagrees with the \(tokens) tokenizer tokens") }
    }
}

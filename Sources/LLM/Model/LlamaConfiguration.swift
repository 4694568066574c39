/// The shape of a Llama-family decoder, read from GGUF metadata (`<arch>.*` keys).
public struct LlamaConfiguration: Sendable, Equatable {
    /// `general.architecture` (`llama`).
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
    /// Hidden width of the SwiGLU feed-forward block.
    public var feedForwardDimension: Int
    /// Longest sequence the model was trained on, and RoPE's frequency base.
    public var contextLength: Int
    public var ropeBase: Float
    /// Dimensions of each head that RoPE rotates (all of them for Llama).
    public var ropeDimensionCount: Int
    /// ε of every RMSNorm.
    public var rmsEpsilon: Float

    /// Width of one head, and of all key (or value) heads together.
    public var headDimension: Int { dimension / headCount }
    public var kvDimension: Int { kvHeadCount * headDimension }

    /// Architectures this runtime computes.
    public static let supportedArchitectures: Set<String> = ["llama"]
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
        dimension = try m.int("\(a).embedding_length", in: 1...Self.maximumDimension)
        layerCount = try m.int("\(a).block_count", in: 1...Self.maximumLayers)
        headCount = try m.int("\(a).attention.head_count", in: 1...Self.maximumHeads)
        kvHeadCount = try m.optionalInt("\(a).attention.head_count_kv", in: 1...Self.maximumHeads) ?? headCount
        feedForwardDimension = try m.int("\(a).feed_forward_length", in: 1...(Self.maximumDimension * 8))
        contextLength = try m.int("\(a).context_length", in: 1...Self.maximumContext)
        ropeBase = Float(try m.optionalDouble("\(a).rope.freq_base") ?? 10_000)
        rmsEpsilon = Float(try m.double("\(a).attention.layer_norm_rms_epsilon"))
        let tokens = try m.strings("tokenizer.ggml.tokens").count
        vocabularySize = try m.optionalInt("\(a).vocab_size", in: 1...(1 << 24)) ?? tokens
        ropeDimensionCount = try m.optionalInt("\(a).rope.dimension_count", in: 1...Self.maximumDimension) ?? (dimension / headCount)
        func bad(_ what: String) -> LLMError { .invalidGGUF(path: file.path, field: "metadata[\"\(a).*\"]", offset: 0, reason: what) }
        guard dimension % headCount == 0 else { throw bad("embedding_length \(dimension) is not a multiple of head_count \(headCount)") }
        guard headCount % kvHeadCount == 0 else { throw bad("head_count \(headCount) is not a multiple of head_count_kv \(kvHeadCount)") }
        guard ropeDimensionCount <= headDimension, ropeDimensionCount % 2 == 0 else { throw bad("rope.dimension_count \(ropeDimensionCount) must be even and ≤ the head size \(headDimension)") }
        guard ropeBase.isFinite, ropeBase > 1 else { throw bad("rope.freq_base \(ropeBase) must be a finite number > 1") }
        guard rmsEpsilon.isFinite, rmsEpsilon > 0, rmsEpsilon < 1 else { throw bad("layer_norm_rms_epsilon \(rmsEpsilon) must be in (0, 1)") }
        guard vocabularySize == tokens else { throw bad("vocab_size \(vocabularySize) disagrees with the \(tokens) tokenizer tokens") }
    }
}

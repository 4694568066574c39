import Foundation
import Tensors
import Neural
import LLM
import SwiftLearnCore

/// The sizes of a ``LlamaCausalLM`` (Hugging Face's `LlamaConfig` names in JSON).
public struct LlamaTrainingConfiguration: Codable, Sendable, Equatable {
    /// Tokens (`vocab_size`), model width (`hidden_size`), decoder layers (`num_hidden_layers`),
    /// query heads, key/value heads (grouped-query attention) and the width of each head.
    public var vocabularySize: Int, hiddenSize: Int, layers: Int, heads: Int, kvHeads: Int, headDimension: Int
    /// SwiGLU width (`intermediate_size`), longest context, RoPE base θ, RMSNorm ε, and whether
    /// `lm_head` shares the token embeddings.
    public var intermediateSize: Int, contextLength: Int, ropeTheta: Double, rmsNormEpsilon: Double, tiedEmbeddings: Bool

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size", hiddenSize = "hidden_size", layers = "num_hidden_layers", heads = "num_attention_heads"
        case kvHeads = "num_key_value_heads", headDimension = "head_dim", intermediateSize = "intermediate_size"
        case contextLength = "max_position_embeddings", ropeTheta = "rope_theta", rmsNormEpsilon = "rms_norm_eps"
        case tiedEmbeddings = "tie_word_embeddings"
    }

    /// Creates a configuration.
    public init(vocabularySize: Int, hiddenSize: Int, layers: Int, heads: Int, kvHeads: Int, headDimension: Int? = nil,
                intermediateSize: Int, contextLength: Int, ropeTheta: Double = 10_000, rmsNormEpsilon: Double = 1e-5, tiedEmbeddings: Bool = true) {
        self.vocabularySize = vocabularySize; self.hiddenSize = hiddenSize; self.layers = layers; self.heads = heads; self.kvHeads = kvHeads
        self.headDimension = headDimension ?? (heads > 0 ? hiddenSize / heads : 0)
        self.intermediateSize = intermediateSize; self.contextLength = contextLength; self.ropeTheta = ropeTheta
        self.rmsNormEpsilon = rmsNormEpsilon; self.tiedEmbeddings = tiedEmbeddings
    }

    /// The reasons this configuration cannot build a model (empty when it can).
    public var problems: [String] {
        var p: [String] = []
        for (name, v) in [("vocab_size", vocabularySize), ("hidden_size", hiddenSize), ("num_attention_heads", heads),
                          ("num_key_value_heads", kvHeads), ("head_dim", headDimension), ("intermediate_size", intermediateSize),
                          ("max_position_embeddings", contextLength)] where v < 1 {
            p.append("\(name) must be at least 1, got \(v)")
        }
        if layers < 0 { p.append("num_hidden_layers must be non-negative, got \(layers)") }
        if kvHeads > 0 && heads % kvHeads != 0 { p.append("num_attention_heads (\(heads)) must be a multiple of num_key_value_heads (\(kvHeads))") }
        if headDimension % 2 != 0 { p.append("head_dim must be even for rotary embeddings, got \(headDimension)") }
        if !(ropeTheta > 0 && ropeTheta.isFinite) || !(rmsNormEpsilon > 0 && rmsNormEpsilon.isFinite) { p.append("rope_theta and rms_norm_eps must be positive") }
        return p
    }
}

/// Grouped-query attention of a Llama layer (`q_proj`, `k_proj`, `v_proj`, `o_proj`, no biases),
/// rotary embeddings on queries and keys, fused causal attention.
public final class LlamaAttention: Module {
    /// `q_proj` `[heads·d, hidden]`, `k_proj` and `v_proj` `[kvHeads·d, hidden]`, `o_proj` `[hidden, heads·d]`.
    public var qProj: Linear, kProj: Linear, vProj: Linear, oProj: Linear
    let c: LlamaTrainingConfiguration

    init(_ c: LlamaTrainingConfiguration, dtype: DType, generator: RandomGenerator?) {
        self.c = c
        qProj = Linear(c.hiddenSize, c.heads * c.headDimension, bias: false, dtype: dtype, generator: generator)
        kProj = Linear(c.hiddenSize, c.kvHeads * c.headDimension, bias: false, dtype: dtype, generator: generator)
        vProj = Linear(c.hiddenSize, c.kvHeads * c.headDimension, bias: false, dtype: dtype, generator: generator)
        oProj = Linear(c.heads * c.headDimension, c.hiddenSize, bias: false, dtype: dtype, generator: generator)
        super.init()
    }

    /// `[B, T, hidden]` → `[B, T, hidden]`.
    public override func forward(_ x: Tensor) -> Tensor {
        let b = x.shape[0], t = x.shape[1], d = c.headDimension, group = c.heads / c.kvHeads
        func heads(_ y: Tensor, _ n: Int) -> Tensor { y.reshaped([b, t, n, d]).permuted([0, 2, 1, 3]) }   // [B, n, T, d]
        // Rotary pairs are adjacent features: the GGUF layout (llama.cpp's converter permutes the
        // rows of q_proj/k_proj so that its "normal" RoPE sees Hugging Face's rotate_half pairs).
        let q = applyRotaryEmbedding(heads(qProj(x), c.heads), base: c.ropeTheta, layout: .interleaved)
        var k = applyRotaryEmbedding(heads(kProj(x), c.kvHeads), base: c.ropeTheta, layout: .interleaved)
        var v = heads(vProj(x), c.kvHeads)
        if group > 1 {
            func repeatHeads(_ y: Tensor) -> Tensor {
                y.reshaped([b, c.kvHeads, 1, t, d]).expanded(to: [b, c.kvHeads, group, t, d]).reshaped([b, c.heads, t, d])
            }
            k = repeatHeads(k); v = repeatHeads(v)
        }
        let y = scaledDotProductAttention(q, k, v, isCausal: true).permuted([0, 2, 1, 3]).reshaped([b, t, c.heads * d])
        return oProj(y)
    }
}

/// The SwiGLU feed-forward part: `down_proj(silu(gate_proj(x)) · up_proj(x))`.
public final class LlamaMLP: Module {
    /// `gate_proj`, `up_proj` `[intermediate, hidden]` and `down_proj` `[hidden, intermediate]`.
    public var gateProj: Linear, upProj: Linear, downProj: Linear

    init(_ c: LlamaTrainingConfiguration, dtype: DType, generator: RandomGenerator?) {
        gateProj = Linear(c.hiddenSize, c.intermediateSize, bias: false, dtype: dtype, generator: generator)
        upProj = Linear(c.hiddenSize, c.intermediateSize, bias: false, dtype: dtype, generator: generator)
        downProj = Linear(c.intermediateSize, c.hiddenSize, bias: false, dtype: dtype, generator: generator)
        super.init()
    }

    /// `[B, T, hidden]` → `[B, T, hidden]`.
    public override func forward(_ x: Tensor) -> Tensor { downProj(silu(gateProj(x)) * upProj(x)) }
}

/// One pre-norm decoder layer.
public final class LlamaDecoderLayer: Module {
    /// The attention (`self_attn`) and feed-forward (`mlp`) parts.
    public var selfAttn: LlamaAttention, mlp: LlamaMLP
    /// RMSNorms before each part.
    public var inputLayernorm: RMSNorm, postAttentionLayernorm: RMSNorm

    init(_ c: LlamaTrainingConfiguration, dtype: DType, generator: RandomGenerator?) {
        selfAttn = LlamaAttention(c, dtype: dtype, generator: generator)
        mlp = LlamaMLP(c, dtype: dtype, generator: generator)
        inputLayernorm = RMSNorm(c.hiddenSize, eps: c.rmsNormEpsilon, dtype: dtype)
        postAttentionLayernorm = RMSNorm(c.hiddenSize, eps: c.rmsNormEpsilon, dtype: dtype)
        super.init()
    }

    /// `[B, T, hidden]` → `[B, T, hidden]`.
    public override func forward(_ x: Tensor) -> Tensor {
        let h = x + selfAttn(inputLayernorm(x))
        return h + mlp(postAttentionLayernorm(h))
    }
}

/// Embeddings, layers and the final norm (`model.` in Hugging Face's keys).
public final class LlamaBackbone: Module {
    /// `embed_tokens`, the decoder layers and the final RMSNorm.
    public var embedTokens: Embedding, layers: [LlamaDecoderLayer], norm: RMSNorm

    init(_ c: LlamaTrainingConfiguration, dtype: DType, generator: RandomGenerator?) {
        embedTokens = Embedding(c.vocabularySize, c.hiddenSize, dtype: dtype, generator: generator)
        layers = (0..<c.layers).map { _ in LlamaDecoderLayer(c, dtype: dtype, generator: generator) }
        norm = RMSNorm(c.hiddenSize, eps: c.rmsNormEpsilon, dtype: dtype)
        super.init()
    }
}

/// A trainable Llama decoder (Hugging Face's `LlamaForCausalLM`, its key names), to fine-tune an
/// open-weight model such as SmolLM2: ``load(gguf:)`` dequantizes a GGUF file's weights to float32.
///
/// The rows of `q_proj` and `k_proj` are kept in the GGUF order (llama.cpp's converter permutes
/// each head's rows so rotary pairs are adjacent), and rotary embeddings pair adjacent features:
/// the same function as Hugging Face's model on its own row order. ``huggingFaceRowOrder(_:heads:)``
/// undoes the permutation for export.
///
/// ```swift
/// let model = try LlamaCausalLM.load(gguf: GGUFFile(contentsOf: smolLM2))
/// let logits = model(ids)     // [B, T] → [B, T, 49152]
/// ```
public final class LlamaCausalLM: Module {
    /// The sizes.
    public let configuration: LlamaTrainingConfiguration
    /// Embeddings, layers and the final norm (`model.`).
    public var model: LlamaBackbone
    /// The output head (`lm_head`; its weight is the token embeddings' when tied).
    public var lmHead: Linear

    /// A randomly initialised model (PyTorch's default layer initialisation).
    public init(_ configuration: LlamaTrainingConfiguration, dtype: DType = .float32, generator: RandomGenerator? = nil) {
        let problems = configuration.problems
        ensure(problems.isEmpty, "LlamaCausalLM: \(problems.joined(separator: "; "))")
        self.configuration = configuration
        model = LlamaBackbone(configuration, dtype: dtype, generator: generator)
        lmHead = Linear(configuration.hiddenSize, configuration.vocabularySize, bias: false, dtype: dtype, generator: generator)
        super.init()
        if configuration.tiedEmbeddings { lmHead.weight = model.embedTokens.weight }
    }

    /// Token ids `[B, T]` → logits `[B, T, V]`.
    public override func forward(_ idx: Tensor) -> Tensor {
        ensure(idx.rank == 2 && (idx.dtype == .int64 || idx.dtype == .int32), "LlamaCausalLM: expected token ids [B, T], got \(idx.dtype) \(idx.shape)")
        var x = model.embedTokens(idx)
        for layer in model.layers { x = layer(x) }
        return lmHead(model.norm(x))
    }

    /// Mean cross-entropy of `targets` `[B, T]` (ids < 0 are ignored: prompt tokens and padding).
    public func loss(_ idx: Tensor, targets: Tensor) -> Tensor {
        crossEntropy(self(idx).reshaped([-1, configuration.vocabularySize]), targets.reshaped([-1]), ignoreIndex: -100)
    }

    /// The largest model ``load(gguf:)`` accepts: 4 billion parameters (16 GB of float32).
    public static let maximumParameters = 4_000_000_000

    /// Reads a Llama-architecture GGUF file (any tensor type the runtime reads: f32, f16, bf16,
    /// q4_0, q4_1, q8_0, k-quants) into a float32 model.
    /// - Throws: `LLMError` for another architecture, a missing or mis-shaped tensor, or a model
    ///   larger than ``maximumParameters``.
    public static func load(gguf file: GGUFFile) throws -> LlamaCausalLM {
        let lc = try LlamaConfiguration(file: file)
        guard lc.architecture == "llama" else {
            throw LLMError.unsupported(path: file.path, what: "training a '\(lc.architecture)' model (implemented: llama)")
        }
        let c = LlamaTrainingConfiguration(vocabularySize: lc.vocabularySize, hiddenSize: lc.dimension, layers: lc.layerCount, heads: lc.headCount,
                                           kvHeads: lc.kvHeadCount, headDimension: lc.headDimension, intermediateSize: lc.feedForwardDimension,
                                           contextLength: lc.contextLength, ropeTheta: Double(lc.ropeBase), rmsNormEpsilon: Double(lc.normEpsilon),
                                           tiedEmbeddings: file.tensor(named: "output.weight") == nil)
        guard c.problems.isEmpty else { throw LLMError.unsupported(path: file.path, what: c.problems.joined(separator: "; ")) }
        let perLayer = c.hiddenSize * (c.heads + 2 * c.kvHeads) * c.headDimension + c.heads * c.headDimension * c.hiddenSize
            + 3 * c.hiddenSize * c.intermediateSize
        guard c.vocabularySize * c.hiddenSize * 2 + c.layers * perLayer <= maximumParameters else {
            throw LLMError.unsupported(path: file.path, what: "a model above \(maximumParameters) parameters")
        }
        // Every tensor is found and its shape checked before anything is dequantized or built,
        // so the model is never larger than what the file holds.
        let d = c.hiddenSize, hd = c.headDimension
        var plan: [(key: String, name: String, shape: [Int])] = [("model.embed_tokens.weight", "token_embd.weight", [c.vocabularySize, d]),
                                                                  ("model.norm.weight", "output_norm.weight", [d])]
        if !c.tiedEmbeddings { plan.append(("lm_head.weight", "output.weight", [c.vocabularySize, d])) }
        for i in 0..<c.layers {
            let g = "blk.\(i).", p = "model.layers.\(i)."
            plan += [(p + "input_layernorm.weight", g + "attn_norm.weight", [d]), (p + "post_attention_layernorm.weight", g + "ffn_norm.weight", [d]),
                     (p + "self_attn.q_proj.weight", g + "attn_q.weight", [c.heads * hd, d]),
                     (p + "self_attn.k_proj.weight", g + "attn_k.weight", [c.kvHeads * hd, d]),
                     (p + "self_attn.v_proj.weight", g + "attn_v.weight", [c.kvHeads * hd, d]),
                     (p + "self_attn.o_proj.weight", g + "attn_output.weight", [d, c.heads * hd]),
                     (p + "mlp.gate_proj.weight", g + "ffn_gate.weight", [c.intermediateSize, d]),
                     (p + "mlp.up_proj.weight", g + "ffn_up.weight", [c.intermediateSize, d]),
                     (p + "mlp.down_proj.weight", g + "ffn_down.weight", [d, c.intermediateSize])]
        }
        var infos: [GGUFTensorInfo] = []
        for (_, name, shape) in plan {
            guard let t = file.tensor(named: name) else { throw LLMError.missing(path: file.path, what: "tensor '\(name)' is missing") }
            guard t.dimensions == shape.reversed() else {
                throw LLMError.missing(path: file.path, what: "tensor '\(name)' has dimensions \(t.dimensions), expected \(Array(shape.reversed()))")
            }
            infos.append(t)
        }
        var state: [String: Tensor] = [:]
        for ((key, name, shape), t) in zip(plan, infos) {
            let values = try GGMLQuantizer.dequantize(Array(file.bytes(of: t)), as: t.type.name, count: t.elementCount)
            guard values.allSatisfy(\.isFinite) else { throw LLMError.missing(path: file.path, what: "tensor '\(name)' holds values that are not finite") }
            state[key] = Tensor(values, shape: shape)
        }
        if c.tiedEmbeddings { state["lm_head.weight"] = state["model.embed_tokens.weight"] }
        let m = LlamaCausalLM(c)
        try m.loadStateDict(state)
        return m
    }

    /// The rows of a `q_proj`/`k_proj` weight (or a LoRA `B` matrix) `[heads·d, in]` in Hugging
    /// Face's order: llama.cpp's converter stores each head's rows as (d/2 pairs × 2); Hugging Face
    /// as (2 halves × d/2).
    public static func huggingFaceRowOrder(_ w: Tensor, heads: Int) -> Tensor {
        let rows = w.shape[0], d = rows / heads
        return w.reshaped([heads, d / 2, 2] + w.shape.dropFirst()).transposed(1, 2).contiguous().reshaped(w.shape)
    }
}

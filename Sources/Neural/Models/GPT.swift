import Foundation
import Tensors
import SwiftLearnCore

/// The sizes of a ``GPT`` (nanoGPT's `GPTConfig`, with its JSON names).
public struct GPTConfiguration: Codable, Sendable, Equatable {
    /// Tokens in the vocabulary (`vocab_size`).
    public var vocabularySize: Int
    /// Longest context, the number of learned positions (`block_size`).
    public var contextLength: Int
    /// Transformer blocks (`n_layer`).
    public var layers: Int
    /// Attention heads per block (`n_head`; divides `embedding`).
    public var heads: Int
    /// Model width (`n_embd`).
    public var embedding: Int
    /// Dropout on embeddings, attention weights and residual branches in training (`dropout`).
    public var dropout: Double
    /// Whether the linear layers and layer norms have biases (`bias`; GPT-2 has them).
    public var bias: Bool

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size", contextLength = "block_size", layers = "n_layer", heads = "n_head"
        case embedding = "n_embd", dropout, bias
    }

    /// Creates a configuration; the defaults are nanoGPT's `shakespeare_char` baby model
    /// scaled to two cores (4 layers, 4 heads, width 128, context 128).
    public init(vocabularySize: Int, contextLength: Int = 128, layers: Int = 4, heads: Int = 4, embedding: Int = 128,
                dropout: Double = 0, bias: Bool = true) {
        self.vocabularySize = vocabularySize; self.contextLength = contextLength; self.layers = layers
        self.heads = heads; self.embedding = embedding; self.dropout = dropout; self.bias = bias
    }

    /// The reasons this configuration cannot build a model (empty when it can).
    public var problems: [String] {
        var p: [String] = []
        if vocabularySize < 1 { p.append("vocab_size must be at least 1, got \(vocabularySize)") }
        if contextLength < 1 { p.append("block_size must be at least 1, got \(contextLength)") }
        if layers < 0 { p.append("n_layer must be non-negative, got \(layers)") }
        if heads < 1 || embedding < 1 || embedding % heads != 0 { p.append("n_embd (\(embedding)) must be a positive multiple of n_head (\(heads))") }
        if !(dropout >= 0 && dropout < 1) { p.append("dropout must be in [0, 1), got \(dropout)") }
        return p
    }

    /// The shape of every state-dict entry (`lm_head.weight` included), computed without
    /// building the model, so a loader can check a file against a configuration before allocating.
    public var stateShapes: [String: [Int]] {
        let c = embedding
        var d: [String: [Int]] = ["transformer.wte.weight": [vocabularySize, c], "transformer.wpe.weight": [contextLength, c],
                                  "transformer.ln_f.weight": [c], "lm_head.weight": [vocabularySize, c]]
        if bias { d["transformer.ln_f.bias"] = [c] }
        for i in 0..<layers {
            let p = "transformer.h.\(i)."
            for (name, out, inp) in [("attn.c_attn", 3 * c, c), ("attn.c_proj", c, c), ("mlp.c_fc", 4 * c, c), ("mlp.c_proj", c, 4 * c)] {
                d[p + name + ".weight"] = [out, inp]
                if bias { d[p + name + ".bias"] = [out] }
            }
            for norm in ["ln_1", "ln_2"] {
                d[p + norm + ".weight"] = [c]
                if bias { d[p + norm + ".bias"] = [c] }
            }
        }
        return d
    }

    /// Parameters of the model (the tied output head counted once).
    public var parameterCount: Int {
        let c = embedding, b = bias ? 1 : 0
        let block = 2 * (c + b * c) + (3 * c * c + b * 3 * c) + (c * c + b * c) + (4 * c * c + b * 4 * c) + (4 * c * c + b * c)
        return vocabularySize * c + contextLength * c + layers * block + (c + b * c)
    }
}

/// Causal self-attention of a GPT block: one packed projection to Q, K and V (`c_attn`), the fused
/// causal attention of all heads (``causalSelfAttention(packed:heads:)``), the output projection
/// (`c_proj`) and residual dropout.
public final class GPTAttention: Module {
    /// `Linear(C, 3C)`: Q, K and V side by side.
    public var cAttn: Linear
    /// `Linear(C, C)`.
    public var cProj: Linear
    /// Heads.
    public let heads: Int
    /// Dropout on the attention weights and on the output.
    public let dropout: Double
    private let generator: RandomGenerator?

    init(_ c: GPTConfiguration, dtype: DType, generator: RandomGenerator?) {
        cAttn = Linear(c.embedding, 3 * c.embedding, bias: c.bias, dtype: dtype, generator: generator)
        cProj = Linear(c.embedding, c.embedding, bias: c.bias, dtype: dtype, generator: generator)
        heads = c.heads; dropout = c.dropout; self.generator = generator
        super.init()
    }

    /// `[B, T, C]` → `[B, T, C]`.
    public override func forward(_ x: Tensor) -> Tensor {
        let qkv = cAttn(x)
        let y: Tensor
        if dropout > 0 && isTraining {
            // Dropout on the attention weights needs them materialised: the composed path.
            let b = x.shape[0], t = x.shape[1], c = x.shape[2], d = c / heads
            let parts = qkv.reshaped([b, t, 3, heads, d]).permuted([2, 0, 3, 1, 4])   // [3, B, H, T, d]
            let q = parts[0], k = parts[1], v = parts[2]
            let mask = Tensor((0..<(t * t)).map { $0 % t > $0 / t ? -Double.infinity : 0 }, shape: [t, t]).to(x.dtype)
            var attention = (q.matmul(k.transposed(-2, -1)) * (1 / Double(d).squareRoot()) + mask).softmax(axis: -1)
            attention = Neural.dropout(attention, p: dropout, training: true, generator: generator)
            y = attention.matmul(v).permuted([0, 2, 1, 3]).reshaped([b, t, c])
        } else {
            y = causalSelfAttention(packed: qkv, heads: heads)
        }
        return Neural.dropout(cProj(y), p: dropout, training: isTraining, generator: generator)
    }

    public override var extraDescription: String { "heads=\(heads)" + (dropout > 0 ? ", dropout=\(dropout)" : "") }
}

/// The feed-forward part of a GPT block: `c_proj(gelu(c_fc(x)))` with width 4C, the tanh
/// approximation of GELU (GPT-2's `gelu_new`, ggml's `gelu`), and residual dropout.
public final class GPTMLP: Module {
    /// `Linear(C, 4C)`.
    public var cFc: Linear
    /// `Linear(4C, C)`.
    public var cProj: Linear
    /// Dropout on the output.
    public let dropout: Double
    private let generator: RandomGenerator?

    init(_ c: GPTConfiguration, dtype: DType, generator: RandomGenerator?) {
        cFc = Linear(c.embedding, 4 * c.embedding, bias: c.bias, dtype: dtype, generator: generator)
        cProj = Linear(4 * c.embedding, c.embedding, bias: c.bias, dtype: dtype, generator: generator)
        dropout = c.dropout; self.generator = generator
        super.init()
    }

    /// `[B, T, C]` → `[B, T, C]`.
    public override func forward(_ x: Tensor) -> Tensor {
        Neural.dropout(cProj(gelu(cFc(x), approximate: .tanh)), p: dropout, training: isTraining, generator: generator)
    }
}

/// One pre-norm transformer block: `x + attn(ln_1(x))`, then `+ mlp(ln_2(x))`.
public final class GPTBlock: Module {
    /// LayerNorm before attention (`ln_1`).
    public var norm1: LayerNorm
    /// Causal self-attention (`attn`).
    public var attention: GPTAttention
    /// LayerNorm before the MLP (`ln_2`).
    public var norm2: LayerNorm
    /// The feed-forward part (`mlp`).
    public var mlp: GPTMLP

    init(_ c: GPTConfiguration, dtype: DType, generator: RandomGenerator?) {
        norm1 = LayerNorm(c.embedding, bias: c.bias, dtype: dtype)
        attention = GPTAttention(c, dtype: dtype, generator: generator)
        norm2 = LayerNorm(c.embedding, bias: c.bias, dtype: dtype)
        mlp = GPTMLP(c, dtype: dtype, generator: generator)
        super.init()
    }

    /// GPT-2's key names.
    public override func namedChildren() -> [(String, Module)] { [("ln_1", norm1), ("attn", attention), ("ln_2", norm2), ("mlp", mlp)] }

    /// `[B, T, C]` → `[B, T, C]`.
    public override func forward(_ x: Tensor) -> Tensor {
        let h = x + attention(norm1(x))
        return h + mlp(norm2(h))
    }
}

/// The body of a ``GPT``: token and position embeddings, the blocks and the final LayerNorm, under
/// GPT-2's names (`wte`, `wpe`, `h.N`, `ln_f`).
public final class GPTTransformer: Module {
    /// Token embeddings `[V, C]` (shared with the output head).
    public var wte: Embedding
    /// Position embeddings `[contextLength, C]`.
    public var wpe: Embedding
    /// The blocks.
    public var h: [GPTBlock]
    /// The final LayerNorm.
    public var lnF: LayerNorm

    init(_ c: GPTConfiguration, dtype: DType, generator: RandomGenerator?) {
        wte = Embedding(c.vocabularySize, c.embedding, dtype: dtype, generator: generator)
        wpe = Embedding(c.contextLength, c.embedding, dtype: dtype, generator: generator)
        h = (0..<c.layers).map { _ in GPTBlock(c, dtype: dtype, generator: generator) }
        lnF = LayerNorm(c.embedding, bias: c.bias, dtype: dtype)
        super.init()
    }
}

/// A GPT decoder-only language model as nanoGPT builds it (and GPT-2 names it): token plus learned
/// position embeddings, pre-norm blocks of fused causal self-attention and a GELU MLP, a final
/// LayerNorm and an output head tied to the token embeddings.
///
/// Initialisation follows nanoGPT: every linear and embedding weight N(0, 0.02), the residual
/// projections (`c_proj`) N(0, 0.02/√(2·layers)), biases zero, norms one. The state-dict keys are
/// GPT-2's (`transformer.h.0.attn.c_attn.weight`, …; linear weights `[out, in]` as `nn.Linear`),
/// with `lm_head.weight` the same parameter as `transformer.wte.weight`.
///
/// ```swift
/// let model = GPT(GPTConfiguration(vocabularySize: 65))
/// let logits = model(idx)                            // idx [B, T] int64 → [B, T, 65]
/// let loss = model.loss(idx, targets: targets)      // mean cross-entropy, nats per token
/// ```
public final class GPT: Module {
    /// The sizes.
    public let configuration: GPTConfiguration
    /// Embeddings, blocks and the final norm.
    public var transformer: GPTTransformer
    /// The output head (`Linear(C, V)` without bias, weight tied to `transformer.wte.weight`).
    public var lmHead: Linear
    private let generator: RandomGenerator?

    /// Creates the model with nanoGPT's initialisation drawn from `generator`.
    public init(_ configuration: GPTConfiguration, dtype: DType = .float32, generator: RandomGenerator? = nil) {
        let problems = configuration.problems
        ensure(problems.isEmpty, "GPT: \(problems.joined(separator: "; "))")
        self.configuration = configuration
        self.generator = generator
        transformer = GPTTransformer(configuration, dtype: dtype, generator: generator)
        lmHead = Linear(configuration.embedding, configuration.vocabularySize, bias: false, dtype: dtype, generator: generator)
        super.init()
        lmHead.weight = transformer.wte.weight
        let std = 0.02, projectionStd = 0.02 / Double(2 * configuration.layers).squareRoot()
        for (name, p) in namedParameters() {
            if name.hasSuffix(".bias") {
                p.value = Tensor.zeros(p.value.shape, dtype: dtype)
            } else if name.hasSuffix("c_proj.weight") {
                p.value = Tensor.randn(p.value.shape, dtype: dtype, generator: generator) * projectionStd
            } else if p.value.rank == 2 {
                p.value = Tensor.randn(p.value.shape, dtype: dtype, generator: generator) * std
            }
        }
    }

    /// Token ids `[B, T]` (int64, `T ≤ contextLength`) → logits `[B, T, V]`.
    public override func forward(_ idx: Tensor) -> Tensor {
        let c = configuration
        ensure(idx.rank == 2 && (idx.dtype == .int64 || idx.dtype == .int32),
               "GPT: expected token ids [B, T] of an integer dtype, got \(idx.dtype) \(idx.shape)")
        let t = idx.shape[1]
        ensure(t <= c.contextLength, "GPT: sequence of \(t) tokens is longer than the context of \(c.contextLength)")
        let positions = transformer.wpe.weight.value.slice(axis: 0, 0, t)
        var x = Neural.dropout(transformer.wte(idx) + positions, p: c.dropout, training: isTraining, generator: generator)
        for block in transformer.h { x = block(x) }
        return lmHead(transformer.lnF(x))
    }

    /// Mean cross-entropy of predicting `targets` `[B, T]` from `idx` `[B, T]` (nats per token).
    public func loss(_ idx: Tensor, targets: Tensor) -> Tensor {
        ensure(targets.shape == idx.shape, "GPT.loss: targets \(targets.shape) must have the shape of the inputs \(idx.shape)")
        return crossEntropy(self(idx).reshaped([-1, configuration.vocabularySize]), targets.reshaped([-1]))
    }

    /// nanoGPT's AdamW parameter groups: weight decay on every parameter of rank ≥ 2 (linear and
    /// embedding weights), none on biases and norm weights.
    public func parameterGroups(weightDecay: Double) -> [ParameterGroup] {
        let params = parameters()
        return [ParameterGroup(params.filter { $0.value.rank >= 2 }, weightDecay: weightDecay),
                ParameterGroup(params.filter { $0.value.rank < 2 }, weightDecay: 0)]
    }

    public override var extraDescription: String {
        let c = configuration
        return "vocab_size=\(c.vocabularySize), block_size=\(c.contextLength), n_layer=\(c.layers), n_head=\(c.heads), n_embd=\(c.embedding)"
    }
}

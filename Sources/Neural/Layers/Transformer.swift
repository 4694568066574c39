import Tensors

/// The activation of a transformer layer's feed-forward block (PyTorch's `activation=`).
public enum TransformerActivation: String, Sendable {
    /// max(x, 0) (PyTorch's default).
    case relu
    /// The exact GELU, x·Φ(x).
    case gelu

    func callAsFunction(_ x: Tensor) -> Tensor { self == .relu ? Neural.relu(x) : Neural.gelu(x) }
}

/// The position-wise feed-forward block `linear2(dropout(act(linear1(x))))` of both layers.
private func feedForward(_ x: Tensor, _ l1: Linear, _ act: TransformerActivation, _ drop: Dropout, _ l2: Linear) -> Tensor {
    l2(drop(act(l1(x))))
}

/// One transformer encoder layer (PyTorch's `nn.TransformerEncoderLayer`): self-attention and a
/// feed-forward block, each with dropout, a residual connection and layer normalization —
/// after the residual sum (post-norm, "Attention Is All You Need", the default) or before each
/// block (`normFirst`, pre-norm):
/// ```
/// post-norm: x = norm1(x + SA(x));   x = norm2(x + FF(x))
/// pre-norm:  x = x + SA(norm1(x));   x = x + FF(norm2(x))
/// ```
/// Keys as in PyTorch: `self_attn.*`, `linear1.*`, `linear2.*`, `norm1.*`, `norm2.*`.
///
/// ```swift
/// let layer = TransformerEncoderLayer(dModel: 128, nhead: 4, dimFeedforward: 512, batchFirst: true)
/// let y = layer(x, keyPaddingMask: pad)     // [B, T, 128] → [B, T, 128]
/// ```
public final class TransformerEncoderLayer: Module {
    /// Self-attention over the input.
    public var selfAttn: MultiheadAttention
    /// d_model → dim_feedforward.
    public var linear1: Linear
    /// Dropout inside the feed-forward block.
    public var dropout: Dropout
    /// dim_feedforward → d_model.
    public var linear2: Linear
    /// Norm of the attention block.
    public var norm1: LayerNorm
    /// Norm of the feed-forward block.
    public var norm2: LayerNorm
    /// Dropout on the attention block's output.
    public var dropout1: Dropout
    /// Dropout on the feed-forward block's output.
    public var dropout2: Dropout
    /// Pre-norm (true) or post-norm (false, default).
    public let normFirst: Bool
    /// The feed-forward activation.
    public let activation: TransformerActivation
    private let generator: RandomGenerator?

    /// Creates the layer with PyTorch's defaults (`dimFeedforward` 2048, dropout 0.1, ReLU,
    /// `layerNormEps` 1e-5, sequence-first).
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1, activation: TransformerActivation = .relu,
                layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false, bias: Bool = true,
                dtype: DType = .float32, generator: RandomGenerator? = nil) {
        self.generator = generator
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, bias: bias, batchFirst: batchFirst,
                                      dtype: dtype, generator: generator)
        linear1 = Linear(dModel, dimFeedforward, bias: bias, dtype: dtype, generator: generator)
        self.dropout = Dropout(dropout, generator: generator)
        linear2 = Linear(dimFeedforward, dModel, bias: bias, dtype: dtype, generator: generator)
        norm1 = LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype)
        norm2 = LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype)
        dropout1 = Dropout(dropout, generator: generator); dropout2 = Dropout(dropout, generator: generator)
        self.normFirst = normFirst; self.activation = activation
        super.init()
    }

    /// Encodes `src` (`[S, B, E]`, `[B, S, E]` batch first, or `[S, E]`).
    ///
    /// - Parameters:
    ///   - mask: attention mask `[S, S]` or `[B·nhead, S, S]` (bool: true = blocked; float: added).
    ///   - keyPaddingMask: `[B, S]`, true = padding.
    ///   - isCausal: apply a causal mask when `mask` is nil.
    public func callAsFunction(_ src: Tensor, mask: Tensor? = nil, keyPaddingMask: Tensor? = nil, isCausal: Bool = false) -> Tensor {
        func sa(_ x: Tensor) -> Tensor {
            dropout1(selfAttn(x, x, x, keyPaddingMask: keyPaddingMask, needWeights: false, attnMask: mask, isCausal: isCausal).output)
        }
        func ff(_ x: Tensor) -> Tensor { dropout2(feedForward(x, linear1, activation, dropout, linear2)) }
        var x = src
        if normFirst {
            x = x + sa(norm1(x))
            x = x + ff(norm2(x))
        } else {
            x = norm1(x + sa(x))
            x = norm2(x + ff(x))
        }
        return x
    }

    /// Encodes without masks.
    public override func forward(_ x: Tensor) -> Tensor { self(x, mask: nil) }

    /// A new layer with the same configuration and a copy of these weights (PyTorch's
    /// `copy.deepcopy`, which ``TransformerEncoder`` uses to stack the layer), in the same mode.
    public func copy() -> TransformerEncoderLayer {
        layerCopy(self, selfAttn, linear1, dropout, norm1, activation, normFirst, generator,
                  make: TransformerEncoderLayer.init(dModel:nhead:dimFeedforward:dropout:activation:layerNormEps:batchFirst:normFirst:bias:dtype:generator:))
    }
}

/// One transformer decoder layer (PyTorch's `nn.TransformerDecoderLayer`): masked self-attention,
/// attention to the encoder's `memory`, and a feed-forward block, each with dropout, a residual
/// connection and layer normalization (post-norm by default, pre-norm with `normFirst`).
/// Keys as in PyTorch: `self_attn.*`, `multihead_attn.*`, `linear1.*`, `linear2.*`, `norm1.*`,
/// `norm2.*`, `norm3.*`.
///
/// ```swift
/// let layer = TransformerDecoderLayer(dModel: 128, nhead: 4, batchFirst: true)
/// let y = layer(tgt, memory: encoded, tgtIsCausal: true)    // [B, T, 128] → [B, T, 128]
/// ```
public final class TransformerDecoderLayer: Module {
    /// Self-attention over the target.
    public var selfAttn: MultiheadAttention
    /// Attention from the target to the memory.
    public var multiheadAttn: MultiheadAttention
    /// d_model → dim_feedforward.
    public var linear1: Linear
    /// Dropout inside the feed-forward block.
    public var dropout: Dropout
    /// dim_feedforward → d_model.
    public var linear2: Linear
    /// Norm of the self-attention block.
    public var norm1: LayerNorm
    /// Norm of the memory-attention block.
    public var norm2: LayerNorm
    /// Norm of the feed-forward block.
    public var norm3: LayerNorm
    /// Dropouts on the three blocks' outputs.
    public var dropout1: Dropout, dropout2: Dropout, dropout3: Dropout
    /// Pre-norm (true) or post-norm (false, default).
    public let normFirst: Bool
    /// The feed-forward activation.
    public let activation: TransformerActivation
    private let generator: RandomGenerator?

    /// Creates the layer with PyTorch's defaults (`dimFeedforward` 2048, dropout 0.1, ReLU,
    /// `layerNormEps` 1e-5, sequence-first).
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1, activation: TransformerActivation = .relu,
                layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false, bias: Bool = true,
                dtype: DType = .float32, generator: RandomGenerator? = nil) {
        self.generator = generator
        func attention() -> MultiheadAttention {
            MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, bias: bias, batchFirst: batchFirst, dtype: dtype, generator: generator)
        }
        selfAttn = attention(); multiheadAttn = attention()
        linear1 = Linear(dModel, dimFeedforward, bias: bias, dtype: dtype, generator: generator)
        self.dropout = Dropout(dropout, generator: generator)
        linear2 = Linear(dimFeedforward, dModel, bias: bias, dtype: dtype, generator: generator)
        norm1 = LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype)
        norm2 = LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype)
        norm3 = LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype)
        dropout1 = Dropout(dropout, generator: generator); dropout2 = Dropout(dropout, generator: generator)
        dropout3 = Dropout(dropout, generator: generator)
        self.normFirst = normFirst; self.activation = activation
        super.init()
    }

    /// Decodes `tgt` (`[T, B, E]`, `[B, T, E]` batch first, or `[T, E]`) against `memory` (`[S, B, E]` …).
    ///
    /// - Parameters:
    ///   - tgtMask, memoryMask: attention masks `[T, T]` / `[T, S]` (or per batch·head); bool true = blocked, float added.
    ///   - tgtKeyPaddingMask, memoryKeyPaddingMask: `[B, T]` / `[B, S]`, true = padding.
    ///   - tgtIsCausal, memoryIsCausal: apply a causal mask where the matching mask is nil.
    public func callAsFunction(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               tgtIsCausal: Bool = false, memoryIsCausal: Bool = false) -> Tensor {
        func sa(_ x: Tensor) -> Tensor {
            dropout1(selfAttn(x, x, x, keyPaddingMask: tgtKeyPaddingMask, needWeights: false, attnMask: tgtMask, isCausal: tgtIsCausal).output)
        }
        func mha(_ x: Tensor) -> Tensor {
            dropout2(multiheadAttn(x, memory, memory, keyPaddingMask: memoryKeyPaddingMask, needWeights: false, attnMask: memoryMask,
                                   isCausal: memoryIsCausal).output)
        }
        func ff(_ x: Tensor) -> Tensor { dropout3(feedForward(x, linear1, activation, dropout, linear2)) }
        var x = tgt
        if normFirst {
            x = x + sa(norm1(x))
            x = x + mha(norm2(x))
            x = x + ff(norm3(x))
        } else {
            x = norm1(x + sa(x))
            x = norm2(x + mha(x))
            x = norm3(x + ff(x))
        }
        return x
    }

    /// A new layer with the same configuration and a copy of these weights, in the same mode
    /// (what ``TransformerDecoder`` stacks).
    public func copy() -> TransformerDecoderLayer {
        layerCopy(self, selfAttn, linear1, dropout, norm1, activation, normFirst, generator,
                  make: TransformerDecoderLayer.init(dModel:nhead:dimFeedforward:dropout:activation:layerNormEps:batchFirst:normFirst:bias:dtype:generator:))
    }
}

/// A new transformer layer built by `make` with `source`'s configuration (read back from its
/// sub-layers), holding a copy of its weights in fresh storage — the optimizers update parameters
/// in place, so shared tensors would tie the copies — with the same frozen parameters and training mode.
private func layerCopy<L: Module>(_ source: L, _ attention: MultiheadAttention, _ linear1: Linear, _ dropout: Dropout, _ norm1: LayerNorm,
                                  _ activation: TransformerActivation, _ normFirst: Bool, _ generator: RandomGenerator?,
                                  make: (Int, Int, Int, Double, TransformerActivation, Double, Bool, Bool, Bool, DType, RandomGenerator?) -> L) -> L {
    let copy = make(linear1.inFeatures, attention.numHeads, linear1.outFeatures, dropout.p, activation, norm1.eps, attention.batchFirst,
                    normFirst, linear1.bias != nil, linear1.weight.value.dtype, generator)
    do { try copy.loadStateDict(source.stateDict().mapValues { $0.copied() }) } catch { fatalError("\(source.typeName).copy(): \(error)") }
    for (mine, theirs) in zip(copy.parameters(), source.parameters()) { mine.requiresGrad = theirs.requiresGrad }   // frozen stays frozen
    return copy.train(source.isTraining)
}

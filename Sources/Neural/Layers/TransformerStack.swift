import Tensors
import SwiftLearnCore

/// A stack of ``TransformerEncoderLayer``s with an optional final norm (PyTorch's
/// `nn.TransformerEncoder`). Like PyTorch, the layers are copies of one prototype — identical
/// weights at the start — unless built from a closure. Keys: `layers.0.self_attn.in_proj_weight`,
/// …, `norm.weight`.
///
/// ```swift
/// let layer = TransformerEncoderLayer(dModel: 64, nhead: 4, dimFeedforward: 256, batchFirst: true)
/// let encoder = TransformerEncoder(layer, numLayers: 3, norm: LayerNorm(64))
/// let memory = encoder(x, srcKeyPaddingMask: pad)     // [B, S, 64] → [B, S, 64]
/// ```
public final class TransformerEncoder: Module {
    /// The layers, applied in order.
    public var layers: [TransformerEncoderLayer]
    /// Applied to the last layer's output when present.
    public var norm: LayerNorm?

    /// `numLayers` copies of `layer` (PyTorch's deep copies), then `norm`.
    public convenience init(_ layer: TransformerEncoderLayer, numLayers: Int, norm: LayerNorm? = nil) {
        ensure(numLayers > 0, "TransformerEncoder: numLayers must be positive, got \(numLayers)")
        self.init(layers: (0..<numLayers).map { _ in layer.copy() }, norm: norm)
    }

    /// The given layers (for example each freshly initialized), then `norm`.
    public init(layers: [TransformerEncoderLayer], norm: LayerNorm? = nil) {
        ensure(!layers.isEmpty, "TransformerEncoder: needs at least one layer")
        self.layers = layers
        self.norm = norm
        super.init()
    }

    /// Encodes `src` through every layer with the same masks (see
    /// ``TransformerEncoderLayer/callAsFunction(_:mask:keyPaddingMask:isCausal:)``).
    public func callAsFunction(_ src: Tensor, mask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil, isCausal: Bool = false) -> Tensor {
        var x = src
        for layer in layers { x = layer(x, mask: mask, keyPaddingMask: srcKeyPaddingMask, isCausal: isCausal) }
        return norm.map { $0(x) } ?? x
    }

    /// Encodes without masks.
    public override func forward(_ x: Tensor) -> Tensor { self(x) }

    public override var extraDescription: String { "num_layers=\(layers.count)" }
}

/// A stack of ``TransformerDecoderLayer``s with an optional final norm (PyTorch's
/// `nn.TransformerDecoder`); layers copied from one prototype as in PyTorch. Keys:
/// `layers.0.self_attn.…`, `layers.0.multihead_attn.…`, …, `norm.weight`.
///
/// ```swift
/// let decoder = TransformerDecoder(TransformerDecoderLayer(dModel: 64, nhead: 4, batchFirst: true), numLayers: 2)
/// let y = decoder(tgt, memory: memory, tgtIsCausal: true)   // [B, T, 64] → [B, T, 64]
/// ```
public final class TransformerDecoder: Module {
    /// The layers, applied in order.
    public var layers: [TransformerDecoderLayer]
    /// Applied to the last layer's output when present.
    public var norm: LayerNorm?

    /// `numLayers` copies of `layer`, then `norm`.
    public convenience init(_ layer: TransformerDecoderLayer, numLayers: Int, norm: LayerNorm? = nil) {
        ensure(numLayers > 0, "TransformerDecoder: numLayers must be positive, got \(numLayers)")
        self.init(layers: (0..<numLayers).map { _ in layer.copy() }, norm: norm)
    }

    /// The given layers, then `norm`.
    public init(layers: [TransformerDecoderLayer], norm: LayerNorm? = nil) {
        ensure(!layers.isEmpty, "TransformerDecoder: needs at least one layer")
        self.layers = layers
        self.norm = norm
        super.init()
    }

    /// Decodes `tgt` against `memory` through every layer with the same masks (see
    /// ``TransformerDecoderLayer/callAsFunction(_:memory:tgtMask:memoryMask:tgtKeyPaddingMask:memoryKeyPaddingMask:tgtIsCausal:memoryIsCausal:)``).
    public func callAsFunction(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               tgtIsCausal: Bool = false, memoryIsCausal: Bool = false) -> Tensor {
        var x = tgt
        for layer in layers {
            x = layer(x, memory: memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                      memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal, memoryIsCausal: memoryIsCausal)
        }
        return norm.map { $0(x) } ?? x
    }

    public override var extraDescription: String { "num_layers=\(layers.count)" }
}

/// The encoder–decoder transformer of "Attention Is All You Need" (PyTorch's `nn.Transformer`):
/// an encoder stack and a decoder stack, each ending in a LayerNorm, every weight matrix
/// re-initialized Xavier-uniform as PyTorch does. Keys: `encoder.layers.0.…`, `encoder.norm.…`,
/// `decoder.layers.0.…`, `decoder.norm.…`. Embeddings, positional encodings and the output
/// projection are the caller's, as in PyTorch. (Named `TransformerModel` because `Transformer`
/// is the `Learn` module's protocol for fit/transform estimators.)
///
/// ```swift
/// let model = TransformerModel(dModel: 128, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, batchFirst: true)
/// let mask = TransformerModel.squareSubsequentMask(tgtLength)
/// let y = model(src, tgt, tgtMask: mask)     // src [B, S, 128], tgt [B, T, 128] → [B, T, 128]
/// ```
public final class TransformerModel: Module {
    /// The encoder stack (with its final norm).
    public var encoder: TransformerEncoder
    /// The decoder stack (with its final norm).
    public var decoder: TransformerDecoder
    /// Model width.
    public let dModel: Int
    /// Attention heads per layer.
    public let nhead: Int
    /// Whether inputs and outputs are `[B, L, E]` (else `[L, B, E]`).
    public let batchFirst: Bool

    /// Creates the model with PyTorch's defaults (d_model 512, 8 heads, 6 + 6 layers,
    /// feed-forward 2048, dropout 0.1, ReLU, eps 1e-5, sequence-first, post-norm).
    public init(dModel: Int = 512, nhead: Int = 8, numEncoderLayers: Int = 6, numDecoderLayers: Int = 6, dimFeedforward: Int = 2048,
                dropout: Double = 0.1, activation: TransformerActivation = .relu, layerNormEps: Double = 1e-5, batchFirst: Bool = false,
                normFirst: Bool = false, bias: Bool = true, dtype: DType = .float32, generator: RandomGenerator? = nil) {
        ensure(numEncoderLayers > 0 && numDecoderLayers > 0,
               "Transformer: layer counts must be positive, got \(numEncoderLayers) and \(numDecoderLayers)")
        let enc = TransformerEncoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                          activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                                          normFirst: normFirst, bias: bias, dtype: dtype, generator: generator)
        let dec = TransformerDecoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                          activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                                          normFirst: normFirst, bias: bias, dtype: dtype, generator: generator)
        encoder = TransformerEncoder(enc, numLayers: numEncoderLayers, norm: LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype))
        decoder = TransformerDecoder(dec, numLayers: numDecoderLayers, norm: LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype))
        self.dModel = dModel; self.nhead = nhead; self.batchFirst = batchFirst
        super.init()
        // PyTorch's _reset_parameters: Xavier-uniform for every parameter with more than one axis.
        for p in parameters() where p.shape.count > 1 { Initializer.xavierUniform(p, generator: generator) }
    }

    /// Encodes `src` and decodes `tgt` against it.
    ///
    /// - Parameters:
    ///   - src: `[S, B, E]` (`[B, S, E]` batch first, or `[S, E]`); tgt: `[T, B, E]` (…).
    ///   - srcMask `[S, S]`, tgtMask `[T, T]`, memoryMask `[T, S]` (or per batch·head): bool true =
    ///     blocked, float added (see ``squareSubsequentMask(_:dtype:)``).
    ///   - srcKeyPaddingMask `[B, S]`, tgtKeyPaddingMask `[B, T]`, memoryKeyPaddingMask `[B, S]`: true = padding.
    ///   - srcIsCausal, tgtIsCausal, memoryIsCausal: apply a causal mask where the matching mask is nil.
    /// - Returns: `[T, B, E]` (batch first if configured).
    public func callAsFunction(_ src: Tensor, _ tgt: Tensor, srcMask: Tensor? = nil, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               srcKeyPaddingMask: Tensor? = nil, tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               srcIsCausal: Bool = false, tgtIsCausal: Bool = false, memoryIsCausal: Bool = false) -> Tensor {
        let name = "TransformerModel(d_model=\(dModel), nhead=\(nhead))"
        ensure(src.rank == tgt.rank && (src.rank == 2 || src.rank == 3),
               "\(name): src and tgt must both have 3 axes (or both 2, unbatched), got \(src.shape) and \(tgt.shape)")
        ensure(src.shape.last == dModel && tgt.shape.last == dModel,
               "\(name): the feature size of src and tgt must be \(dModel), got \(src.shape) and \(tgt.shape)")
        if src.rank == 3 {
            let axis = batchFirst ? 0 : 1
            ensure(src.shape[axis] == tgt.shape[axis], "\(name): the batch size of src and tgt must be equal, got \(src.shape) and \(tgt.shape)")
        }
        let memory = encoder(src, mask: srcMask, srcKeyPaddingMask: srcKeyPaddingMask, isCausal: srcIsCausal)
        return decoder(tgt, memory: memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                       memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal, memoryIsCausal: memoryIsCausal)
    }

    /// The additive causal mask `[n, n]` (PyTorch's `generate_square_subsequent_mask`): 0 on and
    /// below the diagonal, −∞ above it, so position i attends to positions ≤ i only.
    public static func squareSubsequentMask(_ n: Int, dtype: DType = .float32) -> Tensor {
        ensure(n > 0, "TransformerModel.squareSubsequentMask: size must be positive, got \(n)")
        return Tensor((0..<(n * n)).map { $0 % n > $0 / n ? -Double.infinity : 0 }, shape: [n, n]).to(dtype)
    }

    public override var extraDescription: String {
        "d_model=\(dModel), nhead=\(nhead), encoder_layers=\(encoder.layers.count), decoder_layers=\(decoder.layers.count)"
            + (batchFirst ? ", batch_first=true" : "")
    }
}

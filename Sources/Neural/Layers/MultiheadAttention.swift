import Foundation
import Tensors
import SwiftLearnCore

/// Multi-head scaled dot-product attention (PyTorch's `nn.MultiheadAttention`).
///
/// For each head h, with `d = embedDim / numHeads`:
/// ```
/// Q_h = query·W_qhᵀ + b_qh,  K_h = key·W_khᵀ + b_kh,  V_h = value·W_vhᵀ + b_vh
/// A_h = softmax(Q_h·K_hᵀ/√d + M)        (M: −∞ where masked, or the additive float mask)
/// out = concat_h(A_h·V_h)·W_oᵀ + b_o
/// ```
/// Parameters carry PyTorch's names: `in_proj_weight` `[3E, E]` (rows: W_q, W_k, W_v) and
/// `in_proj_bias` `[3E]` — or `q_proj_weight`, `k_proj_weight` `[E, kdim]`, `v_proj_weight`
/// `[E, vdim]` when the key/value sizes differ from `embedDim` — and `out_proj.weight`,
/// `out_proj.bias`; initialized as PyTorch (Xavier-uniform projections, zero biases, a default
/// ``Linear`` output projection). The scores of all heads are batched GEMMs.
///
/// ```swift
/// let mha = MultiheadAttention(embedDim: 64, numHeads: 8, batchFirst: true)
/// let (y, w) = mha(x, x, x, isCausal: true)    // x [B, T, 64] → y [B, T, 64], w [B, T, T]
/// ```
public final class MultiheadAttention: Module {
    /// E, the model width (query features and output features).
    public let embedDim: Int
    /// Number of heads (divides E).
    public let numHeads: Int
    /// E / numHeads.
    public let headDim: Int
    /// Features of each key (E by default).
    public let kdim: Int
    /// Features of each value (E by default).
    public let vdim: Int
    /// Dropout on the attention weights in training.
    public let dropout: Double
    /// Whether inputs and outputs are `[B, L, E]` (else `[L, B, E]`).
    public let batchFirst: Bool
    /// `[3E, E]` packed W_q, W_k, W_v (when kdim = vdim = E), else nil.
    public var inProjWeight: Parameter?
    /// `[E, E]` when the projections are separate, else nil.
    public var qProjWeight: Parameter?
    /// `[E, kdim]` when the projections are separate, else nil.
    public var kProjWeight: Parameter?
    /// `[E, vdim]` when the projections are separate, else nil.
    public var vProjWeight: Parameter?
    /// `[3E]` (zeros) or nil without bias.
    public var inProjBias: Parameter?
    /// `[1, 1, E]`: a learned key appended to every sequence of keys (`addBiasKV`), else nil.
    public var biasK: Parameter?
    /// `[1, 1, E]`: the matching learned value (`addBiasKV`), else nil.
    public var biasV: Parameter?
    /// Whether a zero key and value are appended to every sequence (after the learned ones).
    public let addZeroAttn: Bool
    /// The output projection `Linear(E, E)` (its bias zeroed at creation).
    public var outProj: Linear
    private let generator: RandomGenerator?

    /// Creates the layer with PyTorch's defaults and initialization. `addBiasKV` appends a learned
    /// key and value (Xavier-normal, `bias_k`, `bias_v`) and `addZeroAttn` a zero key and value to
    /// every key/value sequence, so each query can attend to "nothing"; masks get matching unmasked columns.
    public init(embedDim: Int, numHeads: Int, dropout: Double = 0, bias: Bool = true, addBiasKV: Bool = false, addZeroAttn: Bool = false,
                kdim: Int? = nil, vdim: Int? = nil, batchFirst: Bool = false, dtype: DType = .float32, generator: RandomGenerator? = nil) {
        ensure(embedDim > 0 && numHeads > 0 && embedDim % numHeads == 0,
               "MultiheadAttention: embed_dim \(embedDim) must be divisible by num_heads \(numHeads)")
        ensure(dropout >= 0 && dropout <= 1, "MultiheadAttention: dropout must be in [0, 1], got \(dropout)")
        self.embedDim = embedDim; self.numHeads = numHeads; self.headDim = embedDim / numHeads
        self.kdim = kdim ?? embedDim; self.vdim = vdim ?? embedDim
        self.dropout = dropout; self.batchFirst = batchFirst; self.generator = generator; self.addZeroAttn = addZeroAttn
        func xavier(_ shape: [Int]) -> Parameter {
            let bound = (6 / Double(shape[0] + shape[1])).squareRoot()
            return Parameter(Tensor.uniform(shape, low: -bound, high: bound, dtype: dtype, generator: generator))
        }
        if self.kdim == embedDim && self.vdim == embedDim {
            inProjWeight = xavier([3 * embedDim, embedDim])
        } else {
            qProjWeight = xavier([embedDim, embedDim])
            kProjWeight = xavier([embedDim, self.kdim])
            vProjWeight = xavier([embedDim, self.vdim])
        }
        if bias { inProjBias = Parameter(Tensor.zeros([3 * embedDim], dtype: dtype)) }
        if addBiasKV {
            // PyTorch: xavier_normal_ on [1, 1, E] (fan in 1·E, fan out 1·E).
            let std = (2 / Double(2 * embedDim)).squareRoot()
            biasK = Parameter(Tensor.randn([1, 1, embedDim], dtype: dtype, generator: generator) * std)
            biasV = Parameter(Tensor.randn([1, 1, embedDim], dtype: dtype, generator: generator) * std)
        }
        let projection = Linear(embedDim, embedDim, bias: bias, dtype: dtype, generator: generator)
        projection.bias?.value = Tensor.zeros([embedDim], dtype: dtype)
        outProj = projection
        super.init()
    }

    /// The projection weight and bias of part `i` (0: query, 1: key, 2: value).
    private func projection(_ i: Int) -> (Tensor, Tensor?) {
        let e = embedDim
        let w = inProjWeight.map { $0.value.slice(axis: 0, i * e, (i + 1) * e) } ?? [qProjWeight, kProjWeight, vProjWeight][i]!.value
        return (w, inProjBias.map { $0.value.slice(axis: 0, i * e, (i + 1) * e) })
    }

    /// Attends from `query` to `key`/`value`.
    ///
    /// - Parameters:
    ///   - query: `[L, B, E]` (`[B, L, E]` with `batchFirst`) or `[L, E]` unbatched.
    ///   - key: `[S, B, kdim]` (`[B, S, kdim]`) or `[S, kdim]`; value: the same with `vdim`.
    ///   - keyPaddingMask: `[B, S]` (or `[S]`): bool, true = the key is padding and ignored; or a
    ///     float mask added to the scores.
    ///   - needWeights: whether to return the attention weights.
    ///   - attnMask: `[L, S]` or `[B·numHeads, L, S]`: bool, true = not allowed to attend; or float, added.
    ///   - averageAttnWeights: average the returned weights over heads (`[B, L, S]`), else `[B, heads, L, S]`.
    ///   - isCausal: forbid attending to later positions. Used when `attnMask` is nil (PyTorch
    ///     requires the mask and treats the flag as a hint; here the causal mask is built).
    /// - Returns: the output `[L, B, E]` (batch first if configured) and the weights (or nil).
    public func callAsFunction(_ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil,
                               needWeights: Bool = true, attnMask: Tensor? = nil, averageAttnWeights: Bool = true,
                               isCausal: Bool = false) -> (output: Tensor, weights: Tensor?) {
        let name = "MultiheadAttention(embed_dim=\(embedDim), num_heads=\(numHeads))"
        let unbatched = query.rank == 2
        ensure((query.rank == 3 || unbatched) && key.rank == query.rank && value.rank == query.rank,
               "\(name): expected query, key and value with 3 axes (or 2 unbatched), got \(query.shape), \(key.shape), \(value.shape)")
        // [B, L, E] views.
        func batchMajor(_ t: Tensor) -> Tensor { unbatched ? t.unsqueezed(0) : (batchFirst ? t : t.transposed(0, 1)) }
        let q = batchMajor(query), k = batchMajor(key), v = batchMajor(value)
        let b = q.shape[0], l = q.shape[1], s = k.shape[1], h = numHeads, d = headDim
        ensure(q.shape[2] == embedDim && k.shape[2] == kdim && v.shape[2] == vdim && k.shape[0] == b && v.shape[0] == b && v.shape[1] == s,
               "\(name): expected query [.., \(embedDim)], key [.., \(kdim)], value [.., \(vdim)] with matching batch and key/value lengths, got \(query.shape), \(key.shape), \(value.shape)")
        let (wq, bq) = projection(0), (wk, bk) = projection(1), (wv, bv) = projection(2)
        // [B, L, E] → [B, H, L, d]
        func heads(_ t: Tensor, _ n: Int) -> Tensor { t.reshaped([b, n, h, d]).permuted([0, 2, 1, 3]) }
        let qh = heads(linear(q, weight: wq, bias: bq), l)
        var kh = heads(linear(k, weight: wk, bias: bk), s), vh = heads(linear(v, weight: wv, bias: bv), s)
        // Extra key/value positions every query may attend to: the learned bias_k/bias_v, then zeros.
        var extra = 0
        if let biasK, let biasV {
            kh = Tensor.concat([kh, biasK.value.reshaped([1, h, 1, d]).expanded(to: [b, h, 1, d])], axis: 2)
            vh = Tensor.concat([vh, biasV.value.reshaped([1, h, 1, d]).expanded(to: [b, h, 1, d])], axis: 2)
            extra += 1
        }
        if addZeroAttn {
            kh = Tensor.concat([kh, Tensor.zeros([b, h, 1, d], dtype: kh.dtype)], axis: 2)
            vh = Tensor.concat([vh, Tensor.zeros([b, h, 1, d], dtype: vh.dtype)], axis: 2)
            extra += 1
        }
        var scores = qh.matmul(kh.transposed(-2, -1)) * (1 / Double(d).squareRoot())   // [B, H, L, S + extra]
        if var mask = combinedMask(keyPaddingMask: keyPaddingMask, attnMask: attnMask, isCausal: isCausal, b: b, l: l, s: s,
                                   unbatched: unbatched, dtype: scores.dtype, name: name) {
            if extra > 0 {
                var shape = mask.shape
                shape[shape.count - 1] = extra
                mask = Tensor.concat([mask, Tensor.zeros(shape, dtype: mask.dtype)], axis: mask.rank - 1)
            }
            scores = scores + mask
        }
        var attn = scores.softmax(axis: -1)
        if dropout > 0 && isTraining { attn = Neural.dropout(attn, p: dropout, training: true, generator: generator) }
        let merged = attn.matmul(vh).permuted([0, 2, 1, 3]).reshaped([b, l, embedDim])
        var out = outProj(merged)
        out = unbatched ? out.squeezed(0) : (batchFirst ? out : out.transposed(0, 1))
        guard needWeights else { return (out, nil) }
        var weights = averageAttnWeights ? attn.mean(axis: 1) : attn
        if unbatched { weights = weights.squeezed(0) }
        return (out, weights)
    }

    /// The additive mask `[B or 1, H or 1, L, S]` from the padding mask, the attention mask and the
    /// causal flag (nil when there is none).
    private func combinedMask(keyPaddingMask: Tensor?, attnMask: Tensor?, isCausal: Bool, b: Int, l: Int, s: Int,
                              unbatched: Bool, dtype: DType, name: String) -> Tensor? {
        func additive(_ m: Tensor) -> Tensor {
            if m.dtype == .bool {
                return Tensor.where(m, Tensor.full(m.shape, -Double.infinity, dtype: dtype), Tensor.zeros(m.shape, dtype: dtype))
            }
            ensure(m.dtype.isFloatingPoint, "\(name): masks must be bool or floating point, got \(m.dtype)")
            return m.detached().to(dtype)
        }
        var total: Tensor? = nil
        if let m = attnMask {
            let ok = m.shape == [l, s] || m.shape == [b * numHeads, l, s] || (unbatched && m.shape == [numHeads, l, s])
            ensure(ok, "\(name): attn_mask must be [\(l), \(s)] or [\(b * numHeads), \(l), \(s)], got \(m.shape)")
            total = m.rank == 2 ? additive(m) : additive(m).reshaped([b, numHeads, l, s])
        } else if isCausal {
            let causal = Tensor((0..<(l * s)).map { $0 % s > $0 / s }, shape: [l, s])
            total = additive(causal)
        }
        if let m = keyPaddingMask {
            ensure(m.shape == [b, s] || (unbatched && m.shape == [s]), "\(name): key_padding_mask must be [\(b), \(s)], got \(m.shape)")
            let pad = additive(m).reshaped([b, 1, 1, s])
            total = total.map { $0 + pad } ?? pad
        }
        return total
    }

    public override var extraDescription: String {
        "embed_dim=\(embedDim), num_heads=\(numHeads)" + (dropout > 0 ? ", dropout=\(dropout)" : "") + (batchFirst ? ", batch_first=true" : "")
            + (biasK != nil ? ", add_bias_kv=true" : "") + (addZeroAttn ? ", add_zero_attn=true" : "")
    }
}

import Foundation
import Tensors
import SwiftLearnCore
import CSwiftLearnKernels

// Fused scaled dot-product attention: one autograd node for softmax(scale·Q·Kᵀ + mask)·V, forward
// and backward, the way FlashAttention-2 organises the work at the granularity of one head:
//
//   forward, per head:  P = softmax(scale·Q·Kᵀ) (causal rows cut at the diagonal), O = P·V, and the
//                       log-sum-exp of each row kept (L numbers) instead of the L×S matrix P;
//   backward, per head: P recomputed from Q, K and the log-sum-exps, then
//                       dV = Pᵀ·dO,  dP = dO·Vᵀ,  dS = P ∘ (dP − rowsum(dO ∘ O)),
//                       dQ = scale·dS·K,  dK = scale·dSᵀ·Q.
//
// Only one head's L×S scores live at a time (per thread), so memory stays O(B·H·L·d) however many
// heads run, and the backward needs no saved attention weights.

enum AttentionKernels {
    /// exp of `n` values in place (the vectorized kernels of vecmath.c).
    @inline(__always)
    static func expInPlace<T: FloatScalar>(_ p: UnsafeMutablePointer<T>, _ n: Int) {
        if T.self == Float.self {
            let f = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
            sl_exp_f32(f, f, n)
        } else {
            let f = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
            sl_exp_f64(f, f, n)
        }
    }

    /// The columns row `i` may attend to: all `s`, or the first `i + 1` when causal (PyTorch's
    /// `is_causal`: the mask is the lower triangle aligned at the top-left corner).
    @inline(__always)
    static func width(row i: Int, s: Int, causal: Bool) -> Int { causal ? Swift.min(s, i + 1) : s }

    /// Where one operand's rows sit: head `h` of `n = batches × heads` starts at
    /// `(h / heads)·batchStride + (h % heads)·headStride` and its rows are `rowStride` apart. A
    /// contiguous `[n, rows, width]` tensor is (rows·width, 0, width) with heads 1; the packed
    /// `[B, T, 3C]` output of a QKV projection gives Q, K and V of each head in place, at column
    /// offsets 0, C and 2C with row stride 3C, so no head is ever copied out.
    struct Operand {
        var base: Int = 0
        var batchStride: Int
        var headStride: Int
        var rowStride: Int

        @inline(__always)
        func offset(_ h: Int, heads: Int) -> Int { base + (h / heads) * batchStride + (h % heads) * headStride }

        /// A contiguous `[n, rows, width]` tensor.
        static func contiguous(rows: Int, width: Int) -> Operand { Operand(batchStride: rows * width, headStride: 0, rowStride: width) }
    }

    /// The shapes and layouts of one attention call: `n` heads in all (`heads` per batch entry),
    /// `l` queries and `s` keys per head, key width `d`, value width `dv`.
    struct Geometry {
        let n: Int, heads: Int, l: Int, s: Int, d: Int, dv: Int
        let q: Operand, k: Operand, v: Operand, o: Operand
        let causal: Bool
    }

    /// Writes O (through `g.o`) and returns the log-sum-exp of each score row [n, l].
    static func forward<T: FloatScalar>(_: T.Type, _ g: Geometry, scale: T, q: UnsafePointer<T>, k: UnsafePointer<T>,
                                        v: UnsafePointer<T>, out: UnsafeMutablePointer<T>, dtype: DType) -> Tensor {
        let (l, s, d, dv) = (g.l, g.s, g.d, g.dv)
        let lse = Tensor.uninitialized([g.n, l], dtype: dtype)
        let pl = lse.raw(T.self)
        NeuralParallel.forChunks(g.n, cost: l * s * (d + dv)) { _, start, end in
            let p = UnsafeMutablePointer<T>.allocate(capacity: l * s)
            defer { p.deallocate() }
            for h in start..<end {
                NativeGemm.run(false, true, m: l, n: s, k: d, alpha: scale, q + g.q.offset(h, heads: g.heads), lda: g.q.rowStride,
                               k + g.k.offset(h, heads: g.heads), ldb: g.k.rowStride, p, ldc: s)
                for i in 0..<l {
                    let row = p + i * s, w = width(row: i, s: s, causal: g.causal)
                    var m = row[0]
                    for j in 1..<w where row[j] > m { m = row[j] }
                    for j in 0..<w { row[j] -= m }
                    expInPlace(row, w)
                    var sum: T = 0
                    for j in 0..<w { sum += row[j] }
                    let inverse = 1 / sum
                    for j in 0..<w { row[j] *= inverse }
                    for j in w..<s { row[j] = 0 }
                    pl[h * l + i] = m + T.log(sum)
                }
                NativeGemm.run(false, false, m: l, n: dv, k: s, p, lda: s, v + g.v.offset(h, heads: g.heads), ldb: g.v.rowStride,
                               out + g.o.offset(h, heads: g.heads), ldc: g.o.rowStride)
            }
        }
        return lse
    }

    /// Writes dQ, dK and dV (each when its pointer is given, laid out as its input) from the
    /// upstream gradient `grad` (laid out as O) and the forward's inputs, output and log-sum-exps.
    static func backward<T: FloatScalar>(_: T.Type, _ g: Geometry, scale: T, grad: UnsafePointer<T>, q: UnsafePointer<T>,
                                         k: UnsafePointer<T>, v: UnsafePointer<T>, out: UnsafePointer<T>, lse: UnsafePointer<T>,
                                         dq: UnsafeMutablePointer<T>?, dk: UnsafeMutablePointer<T>?, dv dV: UnsafeMutablePointer<T>?) {
        let (l, s, d, dv) = (g.l, g.s, g.d, g.dv)
        NeuralParallel.forChunks(g.n, cost: l * s * (2 * d + 2 * dv)) { _, start, end in
            let p = UnsafeMutablePointer<T>.allocate(capacity: l * s), dp = UnsafeMutablePointer<T>.allocate(capacity: l * s)
            defer { p.deallocate(); dp.deallocate() }
            for h in start..<end {
                let qo = g.q.offset(h, heads: g.heads), ko = g.k.offset(h, heads: g.heads), vo = g.v.offset(h, heads: g.heads)
                let oo = g.o.offset(h, heads: g.heads)
                // P again, from the scores and each row's log-sum-exp.
                NativeGemm.run(false, true, m: l, n: s, k: d, alpha: scale, q + qo, lda: g.q.rowStride, k + ko, ldb: g.k.rowStride, p, ldc: s)
                for i in 0..<l {
                    let row = p + i * s, w = width(row: i, s: s, causal: g.causal), m = lse[h * l + i]
                    for j in 0..<w { row[j] -= m }
                    expInPlace(row, w)
                    for j in w..<s { row[j] = 0 }
                }
                if let dV { NativeGemm.run(true, false, m: s, n: dv, k: l, p, lda: s, grad + oo, ldb: g.o.rowStride, dV + vo, ldc: g.v.rowStride) }
                guard dq != nil || dk != nil else { continue }
                NativeGemm.run(false, true, m: l, n: s, k: dv, grad + oo, lda: g.o.rowStride, v + vo, ldb: g.v.rowStride, dp, ldc: s)
                for i in 0..<l {
                    let gi = grad + oo + i * g.o.rowStride, oi = out + oo + i * g.o.rowStride
                    var delta: T = 0   // Σ_j P_ij·dP_ij = dO_i · O_i
                    for c in 0..<dv { delta += gi[c] * oi[c] }
                    let row = dp + i * s, prow = p + i * s, w = width(row: i, s: s, causal: g.causal)
                    for j in 0..<w { row[j] = prow[j] * (row[j] - delta) }
                    for j in w..<s { row[j] = 0 }
                }
                if let dq { NativeGemm.run(false, false, m: l, n: d, k: s, alpha: scale, dp, lda: s, k + ko, ldb: g.k.rowStride, dq + qo, ldc: g.q.rowStride) }
                if let dk { NativeGemm.run(true, false, m: s, n: d, k: l, alpha: scale, dp, lda: s, q + qo, ldb: g.q.rowStride, dk + ko, ldc: g.k.rowStride) }
            }
        }
    }

    /// Runs forward (and records the backward) for float32 or float64 tensors already contiguous:
    /// `inputs` are the autograd inputs, `qSource`/`kSource`/`vSource` the plain tensors holding
    /// Q, K and V per `geo` (the same tensor three times for a packed QKV), `outShape` the shape of O.
    /// The backward returns one gradient per input: `gradients(dq, dk, dv)` maps the three written
    /// buffers (`packed`: one buffer holding all three) to them.
    static func run(_ geo: Geometry, scale: Double, inputs: [Tensor], sources: [Tensor], outShape: [Int], name: String,
                    packed: Bool) -> Tensor {
        let dt = sources[0].dtype
        let out = Tensor.uninitialized(outShape, dtype: dt)
        func pointers<T: FloatScalar>(_: T.Type) -> (UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>) {
            packed ? (UnsafePointer(sources[0].raw(T.self)), UnsafePointer(sources[0].raw(T.self)), UnsafePointer(sources[0].raw(T.self)))
                   : (UnsafePointer(sources[0].raw(T.self)), UnsafePointer(sources[1].raw(T.self)), UnsafePointer(sources[2].raw(T.self)))
        }
        let lse: Tensor
        if dt == .float32 {
            let (q, k, v) = pointers(Float.self)
            lse = forward(Float.self, geo, scale: Float(scale), q: q, k: k, v: v, out: out.raw(Float.self), dtype: dt)
        } else {
            let (q, k, v) = pointers(Double.self)
            lse = forward(Double.self, geo, scale: scale, q: q, k: k, v: v, out: out.raw(Double.self), dtype: dt)
        }
        let need = inputs.map(\.requiresGrad)
        guard GradMode.isEnabled, need.contains(true) else { return out }
        return Tensor.differentiable(out, inputs: inputs, name: name) { gradient in
            let gs = gradient.plain(dt)
            // Packed: one buffer shaped as the QKV input receives all three; every element is written
            // once (dQ, dK, dV of each head fill its own columns of the Q, K and V thirds). Else one
            // buffer per input.
            let buffers: [Tensor?] = packed ? [Tensor.uninitialized(sources[0].shape, dtype: dt)]
                                            : (0..<3).map { need[$0] ? Tensor.uninitialized(sources[$0].shape, dtype: dt) : nil }
            func go<T: FloatScalar>(_: T.Type) {
                let (q, k, v) = pointers(T.self)
                let targets: [UnsafeMutablePointer<T>?] = packed ? [buffers[0]!.raw(T.self), buffers[0]!.raw(T.self), buffers[0]!.raw(T.self)]
                                                                 : buffers.map { $0?.raw(T.self) }
                backward(T.self, geo, scale: T(fromDouble: scale), grad: gs.raw(T.self), q: q, k: k, v: v,
                         out: UnsafePointer(out.raw(T.self)), lse: UnsafePointer(lse.raw(T.self)),
                         dq: targets[0], dk: targets[1], dv: targets[2])
            }
            if dt == .float32 { go(Float.self) } else { go(Double.self) }
            return packed ? [buffers[0]!.reshaped(inputs[0].shape)] : (0..<3).map { buffers[$0]?.reshaped(inputs[$0].shape) }
        }
    }
}

/// Scaled dot-product attention (PyTorch's `F.scaled_dot_product_attention` without a mask tensor
/// or dropout) as one fused autograd node: `softmax(scale · Q·Kᵀ) · V`, causal if asked.
///
/// The attention weights are never stored: each head's scores are formed, normalised and used in
/// one pass (per thread), and the backward recomputes them from the row log-sum-exps, so memory is
/// that of Q, K, V and O whatever the sequence length. Heads run in parallel.
///
/// ```swift
/// let y = scaledDotProductAttention(q, k, v, isCausal: true)   // q, k, v [B, H, T, d] → y [B, H, T, d]
/// ```
///
/// - Parameters:
///   - query: `[*, L, E]`; key: `[*, S, E]`; value: `[*, S, Ev]`, with the same leading axes
///     (no broadcasting) and the same float dtype.
///   - isCausal: query `i` attends to keys `0…i` only (the lower triangle from the top-left, as PyTorch).
///   - scale: multiplies the scores; default `1/√E`.
/// - Returns: `[*, L, Ev]`.
public func scaledDotProductAttention(_ query: Tensor, _ key: Tensor, _ value: Tensor, isCausal: Bool = false,
                                      scale: Double? = nil) -> Tensor {
    let r = query.rank
    ensure(r >= 2 && key.rank == r && value.rank == r && Array(query.shape.dropLast(2)) == Array(key.shape.dropLast(2))
           && Array(key.shape.dropLast(2)) == Array(value.shape.dropLast(2)) && query.shape[r - 1] == key.shape[r - 1]
           && key.shape[r - 2] == value.shape[r - 2],
           "scaledDotProductAttention: expected query [*, L, E], key [*, S, E] and value [*, S, Ev] with the same leading axes, got \(query.shape), \(key.shape), \(value.shape)")
    let dt = query.dtype
    ensure((dt == .float32 || dt == .float64) && key.dtype == dt && value.dtype == dt,
           "scaledDotProductAttention: expects float32 or float64 tensors of one dtype, got \(query.dtype), \(key.dtype), \(value.dtype)")
    let l = query.shape[r - 2], s = key.shape[r - 2], d = query.shape[r - 1], dv = value.shape[r - 1]
    let n = query.shape.dropLast(2).reduce(1, *)
    ensure((s > 0 && d > 0) || l == 0, "scaledDotProductAttention: no keys to attend to (S = \(s), E = \(d)) for \(l) queries")
    let outShape = Array(query.shape.dropLast()) + [dv]
    if n == 0 || l == 0 || dv == 0 { return Tensor.zeros(outShape, dtype: dt) }
    let factor = scale ?? 1 / Double(d).squareRoot()
    let geo = AttentionKernels.Geometry(n: n, heads: 1, l: l, s: s, d: d, dv: dv, q: .contiguous(rows: l, width: d),
                                        k: .contiguous(rows: s, width: d), v: .contiguous(rows: s, width: dv),
                                        o: .contiguous(rows: l, width: dv), causal: isCausal)
    return AttentionKernels.run(geo, scale: factor, inputs: [query, key, value], sources: [query, key, value].map { $0.plain(dt) },
                                outShape: outShape, name: "scaledDotProductAttention", packed: false)
}

/// Causal multi-head self-attention straight from a packed QKV projection (GPT-2's `c_attn`
/// output): `qkv [B, T, 3C]` holds Q, K and V side by side, each split into `heads` heads of width
/// `C / heads`; returns the heads' outputs merged back to `[B, T, C]` (ready for the output
/// projection). Same values as splitting, permuting to `[B, H, T, d]`, calling
/// ``scaledDotProductAttention(_:_:_:isCausal:scale:)`` and merging — without any of the copies:
/// the kernel reads each head where the projection wrote it, writes its output where the merge
/// would put it, and the backward writes dQ, dK and dV into one `[B, T, 3C]` gradient.
public func causalSelfAttention(packed qkv: Tensor, heads: Int) -> Tensor {
    ensure(qkv.rank == 3 && heads > 0 && qkv.shape[2] % (3 * heads) == 0,
           "causalSelfAttention: expected qkv [B, T, 3C] with C divisible by \(heads) heads, got \(qkv.shape)")
    let dt = qkv.dtype
    ensure(dt == .float32 || dt == .float64, "causalSelfAttention: expects float32 or float64, got \(dt)")
    let b = qkv.shape[0], t = qkv.shape[1], c = qkv.shape[2] / 3, d = c / heads
    if b == 0 || t == 0 || c == 0 { return Tensor.zeros([b, t, c], dtype: dt) }
    func operand(_ column: Int) -> AttentionKernels.Operand {
        AttentionKernels.Operand(base: column, batchStride: t * 3 * c, headStride: d, rowStride: 3 * c)
    }
    let geo = AttentionKernels.Geometry(n: b * heads, heads: heads, l: t, s: t, d: d, dv: d, q: operand(0), k: operand(c), v: operand(2 * c),
                                        o: AttentionKernels.Operand(batchStride: t * c, headStride: d, rowStride: c), causal: true)
    return AttentionKernels.run(geo, scale: 1 / Double(d).squareRoot(), inputs: [qkv], sources: [qkv.plain(dt)], outShape: [b, t, c],
                                name: "causalSelfAttention", packed: true)
}

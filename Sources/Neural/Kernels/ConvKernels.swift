import Tensors

// 2-D convolution as im2col + GEMM (NCHW). Per sample, the receptive fields are unfolded into a
// [C·kh·kw, Hout·Wout] matrix (skipped for 1×1 convolutions with stride 1 and no padding, where
// the input already has that layout); each group is then one GEMM with its weight block, which
// writes the output directly in NCHW order. Samples are split across cores, each running
// single-threaded GEMMs; a batch of one gives all cores to each GEMM instead.

/// Sizes of one convolution (2-D; a 1-D convolution uses h = kh = 1).
struct ConvGeometry {
    var n, cin, h, w, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups: Int
    var hout: Int { (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1 }
    var wout: Int { (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1 }
    /// Output positions per sample.
    var l: Int { hout * wout }
    /// Rows of the unfolded matrix per group (input channels per group × kernel area).
    var kg: Int { cin / groups * kh * kw }
    var coutG: Int { cout / groups }
    /// Whether the unfolded matrix is the input itself (1×1, stride 1, no padding).
    var isPointwise: Bool { kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 }

    /// Unfolds sample `x` [cin, h, w] into `cols` [cin·kh·kw, hout·wout].
    func im2col<T: FloatScalar>(_ x: UnsafePointer<T>, _ cols: UnsafeMutablePointer<T>) {
        let ho = hout, wo = wout, L = l
        for c in 0..<cin {
            let plane = x + c * h * w
            for i in 0..<kh {
                for j in 0..<kw {
                    let row = cols + ((c * kh + i) * kw + j) * L
                    for oh in 0..<ho {
                        let ih = oh * sh - ph + i * dh
                        let dst = row + oh * wo
                        if ih < 0 || ih >= h { dst.update(repeating: 0, count: wo); continue }
                        let src = plane + ih * w
                        let base = j * dw - pw
                        if sw == 1 {
                            // Contiguous run: zero the padded ends, copy the middle.
                            let a = Swift.min(Swift.max(0, -base), wo)
                            let b = Swift.max(a, Swift.min(wo, w - base))
                            if a > 0 { dst.update(repeating: 0, count: a) }
                            if b > a { (dst + a).update(from: src + base + a, count: b - a) }
                            if b < wo { (dst + b).update(repeating: 0, count: wo - b) }
                        } else {
                            for ow in 0..<wo {
                                let iw = ow * sw + base
                                dst[ow] = (iw >= 0 && iw < w) ? src[iw] : 0
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the unfolded gradient `cols` [cin·kh·kw, hout·wout] back into `dx` [cin, h, w].
    func col2im<T: FloatScalar>(_ cols: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>) {
        let ho = hout, wo = wout, L = l
        for c in 0..<cin {
            let plane = dx + c * h * w
            for i in 0..<kh {
                for j in 0..<kw {
                    let row = cols + ((c * kh + i) * kw + j) * L
                    for oh in 0..<ho {
                        let ih = oh * sh - ph + i * dh
                        if ih < 0 || ih >= h { continue }
                        let src = row + oh * wo, dst = plane + ih * w
                        let base = j * dw - pw
                        // The outputs ow whose input column ow·sw + base lies in [0, w), computed once
                        // instead of testing every element (no branch in the inner loop).
                        let lo = base >= 0 ? 0 : (-base + sw - 1) / sw
                        let last = w - 1 - base
                        guard last >= 0 else { continue }
                        let hi = Swift.min(wo, last / sw + 1)
                        if lo >= hi { continue }
                        if sw == 1 {
                            for ow in lo..<hi { dst[ow + base] += src[ow] }
                        } else {
                            for ow in lo..<hi { dst[ow * sw + base] += src[ow] }
                        }
                    }
                }
            }
        }
    }
}

enum ConvKernels {
    /// y [n, cout, hout, wout] = conv(x, w) + b; returns y and the unfolded inputs (for backward;
    /// nil when pointwise, where the input itself is used).
    static func forward<T: FloatScalar>(_: T.Type, _ g: ConvGeometry, x: Tensor, w: Tensor, b: Tensor?) -> (Tensor, Tensor?) {
        let y = Tensor.uninitialized([g.n, g.cout, g.hout, g.wout], dtype: x.dtype)
        let K = g.cin * g.kh * g.kw, L = g.l
        let cols: Tensor? = g.isPointwise ? nil : Tensor.uninitialized([g.n, K, L], dtype: x.dtype)
        let px = UnsafePointer(x.raw(T.self)), pw = UnsafePointer(w.raw(T.self)), py = y.raw(T.self)
        let pc = cols?.raw(T.self), pb = b.map { UnsafePointer($0.raw(T.self)) }
        let inner = g.n == 1 ? 0 : 1   // GEMM threads: all cores for a single sample
        NeuralParallel.forChunks(g.n, cost: K * L * g.coutG) { _, s, e in
            for i in s..<e {
                let xs = px + i * g.cin * g.h * g.w
                let colsI: UnsafePointer<T>
                if let pc { g.im2col(xs, pc + i * K * L); colsI = UnsafePointer(pc + i * K * L) } else { colsI = xs }
                let yi = py + i * g.cout * L
                for gr in 0..<g.groups {
                    NativeGemm.run(false, false, m: g.coutG, n: L, k: g.kg, pw + gr * g.coutG * g.kg, lda: g.kg,
                                   colsI + gr * g.kg * L, ldb: L, yi + gr * g.coutG * L, ldc: L, threads: inner)
                }
                if let pb {
                    for o in 0..<g.cout { let row = yi + o * L, bo = pb[o]; for p in 0..<L { row[p] += bo } }
                }
            }
        }
        return (y, cols)
    }

    /// Gradients of the convolution: (dx, dw, db) for the requested ones.
    static func backward<T: FloatScalar>(_: T.Type, _ g: ConvGeometry, gy: Tensor, x: Tensor, cols: Tensor?, w: Tensor,
                                         needX: Bool, needW: Bool, needB: Bool) -> (Tensor?, Tensor?, Tensor?) {
        let K = g.cin * g.kh * g.kw, L = g.l, dt = gy.dtype
        let pg = UnsafePointer(gy.raw(T.self)), pw = UnsafePointer(w.raw(T.self)), px = UnsafePointer(x.raw(T.self))
        let pc = cols.map { UnsafePointer($0.raw(T.self)) }
        let dx: Tensor? = needX ? Tensor.zeros(x.shape, dtype: dt) : nil
        let pdx = dx?.raw(T.self)
        let chunks = NeuralParallel.chunkCount(g.n, cost: K * L * g.coutG * 2)
        // Per-chunk partial weight and bias gradients, summed at the end.
        let dwParts = needW ? Tensor.zeros([Swift.max(chunks, 1), g.cout * g.kg], dtype: dt) : nil
        let dbParts = needB ? Tensor.zeros([Swift.max(chunks, 1), g.cout], dtype: dt) : nil
        let scratch = needX && !g.isPointwise ? Tensor.uninitialized([Swift.max(chunks, 1), K * L], dtype: dt) : nil
        let pdw = dwParts?.raw(T.self), pdb = dbParts?.raw(T.self), pscr = scratch?.raw(T.self)
        let inner = g.n == 1 ? 0 : 1
        NeuralParallel.forChunks(g.n, cost: K * L * g.coutG * 2) { chunk, s, e in
            for i in s..<e {
                let gi = pg + i * g.cout * L
                let colsI = pc.map { $0 + i * K * L } ?? (px + i * g.cin * g.h * g.w)
                if let pdw {
                    let acc = pdw + chunk * g.cout * g.kg
                    for gr in 0..<g.groups {
                        NativeGemm.run(false, true, m: g.coutG, n: g.kg, k: L, gi + gr * g.coutG * L, lda: L,
                                       colsI + gr * g.kg * L, ldb: L, beta: 1, acc + gr * g.coutG * g.kg, ldc: g.kg, threads: inner)
                    }
                }
                if let pdb {
                    let acc = pdb + chunk * g.cout
                    for o in 0..<g.cout { var s: T = 0; let row = gi + o * L; for p in 0..<L { s += row[p] }; acc[o] += s }
                }
                if let pdx {
                    let dxi = pdx + i * g.cin * g.h * g.w
                    // Pointwise: the unfolded gradient is the input gradient itself.
                    let dcols = pscr.map { $0 + chunk * K * L } ?? dxi
                    for gr in 0..<g.groups {
                        NativeGemm.run(true, false, m: g.kg, n: L, k: g.coutG, pw + gr * g.coutG * g.kg, lda: g.kg,
                                       gi + gr * g.coutG * L, ldb: L, dcols + gr * g.kg * L, ldc: L, threads: inner)
                    }
                    if pscr != nil { g.col2im(UnsafePointer(dcols), dxi) }
                }
            }
        }
        let dw = dwParts.map { $0.sum(axis: 0).reshaped(w.shape) }
        let db = dbParts.map { $0.sum(axis: 0) }
        return (dx, dw, db)
    }
}

import CSwiftLearnKernels
import Foundation
import Tensors

// One LSTM layer in one direction over a whole sequence, fused: the input projection of every
// time step is one GEMM, each step is one GEMM (h·W_hhᵀ accumulated into the gates) plus one pass
// of gate math, and backward-through-time mirrors it (one GEMM per step, then three GEMMs for the
// input and weight gradients of all steps). Time-major layout [T, B, ·]; gate order i, f, g, o.

/// In-place logistic function over n contiguous elements (vectorized for float32).
@inline(__always)
func sigmoidInPlace<T: FloatScalar>(_ p: UnsafeMutablePointer<T>, _ n: Int) {
    if T.self == Float.self {
        let f = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
        sl_sigmoid_f32(f, f, n)
    } else {
        for i in 0..<n { let v = Double(p[i]); p[i] = T(v >= 0 ? 1 / (1 + Foundation.exp(-v)) : Foundation.exp(v) / (1 + Foundation.exp(v))) }
    }
}

/// tanh of n contiguous elements into `y` (may alias `x`; vectorized for float32).
@inline(__always)
func tanhArray<T: FloatScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
    if T.self == Float.self {
        sl_tanh_f32(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n)
    } else {
        for i in 0..<n { y[i] = T(Foundation.tanh(Double(x[i]))) }
    }
}

/// Threads for a per-step GEMM of this many multiply-adds: one unless very large (waking the pool
/// for each of the many small recurrent products cost 10× on a loaded 2-core machine).
@inline(__always) func gemmThreads(_ macs: Int) -> Int { macs >= 1 << 24 ? 0 : 1 }

/// Saved forward state of one LSTM layer-direction.
struct LSTMTape {
    var gates: Tensor      // [T, B, 4H] activated gates i, f, g, o
    var cells: Tensor      // [T, B, H] cell states c_t
    var tanhCells: Tensor  // [T, B, H] tanh(c_t)
    var hPrev: Tensor      // [T, B, H] the hidden state each step started from
}

enum LSTMKernels {
    /// Runs the sequence; returns outputs [T, B, H], final h and c [B, H], and the tape.
    static func forward<T: FloatScalar>(_: T.Type, x: Tensor, h0: Tensor, c0: Tensor, wih: Tensor, whh: Tensor, bias: Tensor?,
                                        reverse: Bool) -> (Tensor, Tensor, Tensor, LSTMTape) {
        let steps = x.shape[0], b = x.shape[1], inp = x.shape[2], h = whh.shape[1], g4 = 4 * h, dt = x.dtype
        let gates = Tensor.uninitialized([steps, b, g4], dtype: dt)
        let cells = Tensor.uninitialized([steps, b, h], dtype: dt), tanhCells = Tensor.uninitialized([steps, b, h], dtype: dt)
        let out = Tensor.uninitialized([steps, b, h], dtype: dt), hPrev = Tensor.uninitialized([steps, b, h], dtype: dt)
        let pg = gates.raw(T.self), pc = cells.raw(T.self), ptc = tanhCells.raw(T.self), po = out.raw(T.self), php = hPrev.raw(T.self)
        let pwh = UnsafePointer(whh.raw(T.self))
        // Input projection of all steps: [T·B, I] · W_ihᵀ → [T·B, 4H], plus both biases.
        BLAS.gemm(transposeB: true, m: steps * b, n: g4, k: inp, a: UnsafePointer(x.raw(T.self)), lda: inp,
                  b: UnsafePointer(wih.raw(T.self)), ldb: inp, c: pg, ldc: g4)
        if let bias {
            let pb = bias.raw(T.self)
            for r in 0..<(steps * b) { let row = pg + r * g4; for j in 0..<g4 { row[j] += pb[j] } }
        }
        var hp = UnsafePointer(h0.raw(T.self)), cp = UnsafePointer(c0.raw(T.self))
        for s in 0..<steps {
            let t = reverse ? steps - 1 - s : s
            let gt = pg + t * b * g4, ct = pc + t * b * h, tct = ptc + t * b * h, ht = po + t * b * h
            (php + t * b * h).update(from: hp, count: b * h)
            // gates += h_prev · W_hhᵀ
            NativeGemm.run(false, true, m: b, n: g4, k: h, hp, lda: h, pwh, ldb: h, beta: 1, gt, ldc: g4, threads: gemmThreads(b * g4 * h))
            for r in 0..<b {
                let row = gt + r * g4
                sigmoidInPlace(row, 2 * h)              // i, f
                tanhArray(row + 2 * h, row + 2 * h, h)  // g
                sigmoidInPlace(row + 3 * h, h)          // o
                let cr = ct + r * h, cpr = cp + r * h
                for j in 0..<h { cr[j] = row[h + j] * cpr[j] + row[j] * row[2 * h + j] }
                tanhArray(cr, tct + r * h, h)
                let hr = ht + r * h, tr = tct + r * h
                for j in 0..<h { hr[j] = row[3 * h + j] * tr[j] }
            }
            hp = UnsafePointer(ht); cp = UnsafePointer(ct)
        }
        let hT = Tensor.uninitialized([b, h], dtype: dt), cT = Tensor.uninitialized([b, h], dtype: dt)
        hT.raw(T.self).update(from: hp, count: b * h)
        cT.raw(T.self).update(from: cp, count: b * h)
        return (out, hT, cT, LSTMTape(gates: gates, cells: cells, tanhCells: tanhCells, hPrev: hPrev))
    }

    /// Backward through time. Returns dx [T, B, I], dh0, dc0 [B, H], dW_ih, dW_hh, db [4H].
    static func backward<T: FloatScalar>(_: T.Type, tape: LSTMTape, x: Tensor, c0: Tensor, wih: Tensor, whh: Tensor,
                                         dOut: Tensor, dhT: Tensor, dcT: Tensor, reverse: Bool)
        -> (Tensor, Tensor, Tensor, Tensor, Tensor, Tensor) {
        let steps = x.shape[0], b = x.shape[1], inp = x.shape[2], h = whh.shape[1], g4 = 4 * h, dt = x.dtype
        let dG = Tensor.uninitialized([steps, b, g4], dtype: dt)
        let dh = Tensor.uninitialized([b, h], dtype: dt), dc = Tensor.uninitialized([b, h], dtype: dt)
        let dhNext = Tensor.uninitialized([b, h], dtype: dt)
        let pdG = dG.raw(T.self), pdh = dh.raw(T.self), pdc = dc.raw(T.self), pdhn = dhNext.raw(T.self)
        pdh.update(from: dhT.raw(T.self), count: b * h)
        pdc.update(from: dcT.raw(T.self), count: b * h)
        let pg = tape.gates.raw(T.self), pc = tape.cells.raw(T.self), ptc = tape.tanhCells.raw(T.self)
        let pdo = dOut.raw(T.self), pc0 = c0.raw(T.self), pwh = UnsafePointer(whh.raw(T.self))
        for s in stride(from: steps - 1, through: 0, by: -1) {
            let t = reverse ? steps - 1 - s : s
            let prevT = reverse ? t + 1 : t - 1
            let cPrev = s == 0 ? pc0 : pc + prevT * b * h
            let gt = pg + t * b * g4, tct = ptc + t * b * h, dgt = pdG + t * b * g4, dot = pdo + t * b * h
            for r in 0..<b {
                let row = gt + r * g4, drow = dgt + r * g4
                let dhr = pdh + r * h, dcr = pdc + r * h, tcr = tct + r * h, cpr = cPrev + r * h, dor = dot + r * h
                for j in 0..<h {
                    let i = row[j], f = row[h + j], gg = row[2 * h + j], o = row[3 * h + j], tc = tcr[j]
                    let dhv = dhr[j] + dor[j]
                    let dcv = dcr[j] + dhv * o * (1 - tc * tc)
                    drow[j] = dcv * gg * i * (1 - i)
                    drow[h + j] = dcv * cpr[j] * f * (1 - f)
                    drow[2 * h + j] = dcv * i * (1 - gg * gg)
                    drow[3 * h + j] = dhv * tc * o * (1 - o)
                    dcr[j] = dcv * f
                }
            }
            // dh_prev = dG_t · W_hh
            NativeGemm.run(false, false, m: b, n: h, k: g4, UnsafePointer(dgt), lda: g4, pwh, ldb: h, pdhn, ldc: h, threads: gemmThreads(b * g4 * h))
            pdh.update(from: pdhn, count: b * h)
        }
        let rows = steps * b
        let dx = Tensor.uninitialized([steps, b, inp], dtype: dt)
        let dWih = Tensor.uninitialized([g4, inp], dtype: dt), dWhh = Tensor.uninitialized([g4, h], dtype: dt)
        let cg = UnsafePointer(pdG)
        BLAS.gemm(m: rows, n: inp, k: g4, a: cg, lda: g4, b: UnsafePointer(wih.raw(T.self)), ldb: inp, c: dx.raw(T.self), ldc: inp)
        BLAS.gemm(transposeA: true, m: g4, n: inp, k: rows, a: cg, lda: g4, b: UnsafePointer(x.raw(T.self)), ldb: inp, c: dWih.raw(T.self), ldc: inp)
        BLAS.gemm(transposeA: true, m: g4, n: h, k: rows, a: cg, lda: g4, b: UnsafePointer(tape.hPrev.raw(T.self)), ldb: h, c: dWhh.raw(T.self), ldc: h)
        let db = Tensor.zeros([g4], dtype: dt)
        let pdb = db.raw(T.self)
        for r in 0..<rows { let row = cg + r * g4; for j in 0..<g4 { pdb[j] += row[j] } }
        return (dx, dh, dc, dWih, dWhh, db)
    }
}

/// One LSTM layer in one direction over a time-major sequence, as a single autograd node
/// (the functional core of ``LSTM``).
///
/// - Parameters:
///   - x: `[T, B, I]`; `h0`, `c0`: `[B, H]`; `wih`: `[4H, I]`; `whh`: `[4H, H]`; `bih`, `bhh`: `[4H]` or nil.
///   - reverse: run from the last step to the first (the backward direction of a bidirectional LSTM).
/// - Returns: outputs `[T, B, H]` (in input order) and the final `h`, `c` `[B, H]`. The three are
///   slices of one flat result, so one backward closure serves them all.
public func lstmLayer(_ x: Tensor, h0: Tensor, c0: Tensor, wih: Tensor, whh: Tensor, bih: Tensor?, bhh: Tensor?,
               reverse: Bool) -> (Tensor, Tensor, Tensor) {
    let dt = wih.dtype
    ensure(x.rank == 3 && wih.rank == 2 && whh.rank == 2 && wih.shape[0] == whh.shape[0] && whh.shape[0] == 4 * whh.shape[1]
           && wih.shape[1] == x.shape[2], "lstmLayer: input \(x.shape) does not fit weights \(wih.shape) and \(whh.shape)")
    let steps = x.shape[0], b = x.shape[1], h = whh.shape[1]
    ensure(h0.shape == [b, h] && c0.shape == [b, h], "lstmLayer: h0 \(h0.shape) and c0 \(c0.shape) must be [\(b), \(h)]")
    ensure(x.dtype == dt, "lstmLayer: input dtype \(x.dtype) does not match weight dtype \(dt)")
    let xs = x.plain(dt), h0s = h0.plain(dt), c0s = c0.plain(dt), wihs = wih.plain(dt), whhs = whh.plain(dt)
    let bias: Tensor? = bih.map { b in (bhh.map { b + $0 } ?? b).plain(dt) } ?? bhh?.plain(dt)
    let (out, hT, cT, tape) = dt == .float32
        ? LSTMKernels.forward(Float.self, x: xs, h0: h0s, c0: c0s, wih: wihs, whh: whhs, bias: bias, reverse: reverse)
        : LSTMKernels.forward(Double.self, x: xs, h0: h0s, c0: c0s, wih: wihs, whh: whhs, bias: bias, reverse: reverse)
    var inputs = [x, h0, c0, wih, whh]
    if let bih { inputs.append(bih) }
    if let bhh { inputs.append(bhh) }
    let needGrad = GradMode.isEnabled && inputs.contains { $0.requiresGrad }
    guard needGrad else { return (out, hT, cT) }
    let n = steps * b * h, bh = b * h
    let flat = Tensor.concat([out.reshaped([-1]), hT.reshaped([-1]), cT.reshaped([-1])])
    let hasBih = bih != nil, hasBhh = bhh != nil
    let y = Tensor.differentiable(flat, inputs: inputs, name: "lstm") { g in
        let gs = g.plain(dt)
        let dOut = gs.slice(axis: 0, 0, n).reshaped([steps, b, h]).contiguous()
        let dhT = gs.slice(axis: 0, n, n + bh).reshaped([b, h]).contiguous()
        let dcT = gs.slice(axis: 0, n + bh, n + 2 * bh).reshaped([b, h]).contiguous()
        let (dx, dh0, dc0, dWih, dWhh, db) = dt == .float32
            ? LSTMKernels.backward(Float.self, tape: tape, x: xs, c0: c0s, wih: wihs, whh: whhs, dOut: dOut, dhT: dhT, dcT: dcT, reverse: reverse)
            : LSTMKernels.backward(Double.self, tape: tape, x: xs, c0: c0s, wih: wihs, whh: whhs, dOut: dOut, dhT: dhT, dcT: dcT, reverse: reverse)
        var grads: [Tensor?] = [dx, dh0, dc0, dWih, dWhh]
        if hasBih { grads.append(db) }
        if hasBhh { grads.append(db) }
        return grads
    }
    return (y.slice(axis: 0, 0, n).reshaped([steps, b, h]),
            y.slice(axis: 0, n, n + bh).reshaped([b, h]),
            y.slice(axis: 0, n + bh, n + 2 * bh).reshaped([b, h]))
}

import CSwiftLearnKernels
import Foundation
import Tensors
import SwiftLearnCore

// One LSTM layer in one direction over a whole sequence, fused: the input projection of every
// time step is one GEMM, the time loop runs in C (`sl_lstm_forward_*`: per step one GEMM
// h·W_hhᵀ plus one pass of gate math, the hidden units split across threads with one barrier per
// step), and backward-through-time mirrors it (`sl_lstm_backward_*`, then three GEMMs for the
// input and weight gradients of all steps). Time-major layout [T, B, ·]; gate order i, f, g, o.

/// The pointer retyped for the float32 C kernels (callers check `T.self == Float.self`).
@inline(__always) func f32<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

/// The pointer retyped for the float64 C kernels.
@inline(__always) func f64<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Double> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
}

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
                                        reverse: Bool, threads: Int) -> (Tensor, Tensor, Tensor, LSTMTape) {
        let steps = x.shape[0], b = x.shape[1], inp = x.shape[2], h = whh.shape[1], g4 = 4 * h, dt = x.dtype
        let gates = Tensor.uninitialized([steps, b, g4], dtype: dt)
        let cells = Tensor.uninitialized([steps, b, h], dtype: dt), tanhCells = Tensor.uninitialized([steps, b, h], dtype: dt)
        let out = Tensor.uninitialized([steps, b, h], dtype: dt), hPrev = Tensor.uninitialized([steps, b, h], dtype: dt)
        let pg = gates.raw(T.self), pc = cells.raw(T.self), ptc = tanhCells.raw(T.self), po = out.raw(T.self), php = hPrev.raw(T.self)
        // Input projection of all steps: [T·B, I] · W_ihᵀ → [T·B, 4H], plus both biases.
        BLAS.gemm(transposeB: true, m: steps * b, n: g4, k: inp, a: UnsafePointer(x.raw(T.self)), lda: inp,
                  b: UnsafePointer(wih.raw(T.self)), ldb: inp, c: pg, ldc: g4)
        if let bias {
            let pb = bias.raw(T.self)
            for r in 0..<(steps * b) { let row = pg + r * g4; for j in 0..<g4 { row[j] += pb[j] } }
        }
        let status = T.self == Float.self
            ? sl_lstm_forward_f32(steps, b, h, f32(pg), f32(pc), f32(ptc), f32(po), f32(php), f32(h0.raw(T.self)), f32(c0.raw(T.self)),
                                  f32(whh.raw(T.self)), reverse ? 1 : 0, Int32(threads))
            : sl_lstm_forward_f64(steps, b, h, f64(pg), f64(pc), f64(ptc), f64(po), f64(php), f64(h0.raw(T.self)), f64(c0.raw(T.self)),
                                  f64(whh.raw(T.self)), reverse ? 1 : 0, Int32(threads))
        ensure(status == 0, "lstmLayer: out of memory for the time loop's scratch (\(4 * h * h + b * 4 * h) values)")
        // The final states: those of the last step run (the initial ones for an empty sequence).
        let last = (reverse ? 0 : steps - 1) * b * h
        let hT = Tensor.uninitialized([b, h], dtype: dt), cT = Tensor.uninitialized([b, h], dtype: dt)
        hT.raw(T.self).update(from: steps == 0 ? h0.raw(T.self) : po + last, count: b * h)
        cT.raw(T.self).update(from: steps == 0 ? c0.raw(T.self) : pc + last, count: b * h)
        return (out, hT, cT, LSTMTape(gates: gates, cells: cells, tanhCells: tanhCells, hPrev: hPrev))
    }

    /// Backward through time. Returns dx [T, B, I], dh0, dc0 [B, H], dW_ih, dW_hh, db [4H].
    static func backward<T: FloatScalar>(_: T.Type, tape: LSTMTape, x: Tensor, c0: Tensor, wih: Tensor, whh: Tensor,
                                         dOut: Tensor, dhT: Tensor, dcT: Tensor, reverse: Bool, threads: Int)
        -> (Tensor, Tensor, Tensor, Tensor, Tensor, Tensor) {
        let steps = x.shape[0], b = x.shape[1], inp = x.shape[2], h = whh.shape[1], g4 = 4 * h, dt = x.dtype
        let dG = Tensor.uninitialized([steps, b, g4], dtype: dt)
        let dh = Tensor.uninitialized([b, h], dtype: dt), dc = Tensor.uninitialized([b, h], dtype: dt)
        let pdG = dG.raw(T.self), pdh = dh.raw(T.self), pdc = dc.raw(T.self)
        pdh.update(from: dhT.raw(T.self), count: b * h)
        pdc.update(from: dcT.raw(T.self), count: b * h)
        let status = T.self == Float.self
            ? sl_lstm_backward_f32(steps, b, h, f32(tape.gates.raw(T.self)), f32(tape.cells.raw(T.self)), f32(tape.tanhCells.raw(T.self)),
                                   f32(c0.raw(T.self)), f32(whh.raw(T.self)), f32(dOut.raw(T.self)), f32(pdh), f32(pdc), f32(pdG),
                                   reverse ? 1 : 0, Int32(threads))
            : sl_lstm_backward_f64(steps, b, h, f64(tape.gates.raw(T.self)), f64(tape.cells.raw(T.self)), f64(tape.tanhCells.raw(T.self)),
                                   f64(c0.raw(T.self)), f64(whh.raw(T.self)), f64(dOut.raw(T.self)), f64(pdh), f64(pdc), f64(pdG),
                                   reverse ? 1 : 0, Int32(threads))
        ensure(status == 0, "lstmLayer: out of memory for the backward time loop's scratch")
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
///   - threads: threads for the time loop; 0 chooses by size (the hidden units are split across
///     threads, one barrier per step). Any count gives the same values up to rounding.
/// - Returns: outputs `[T, B, H]` (in input order) and the final `h`, `c` `[B, H]`. The three are
///   slices of one flat result, so one backward closure serves them all.
public func lstmLayer(_ x: Tensor, h0: Tensor, c0: Tensor, wih: Tensor, whh: Tensor, bih: Tensor?, bhh: Tensor?,
                      reverse: Bool, threads: Int = 0) -> (Tensor, Tensor, Tensor) {
    ensure(threads >= 0, "lstmLayer: threads must be 0 (automatic) or positive, got \(threads)")
    let dt = wih.dtype
    ensure(x.rank == 3 && wih.rank == 2 && whh.rank == 2 && wih.shape[0] == whh.shape[0] && whh.shape[0] == 4 * whh.shape[1]
           && wih.shape[1] == x.shape[2], "lstmLayer: input \(x.shape) does not fit weights \(wih.shape) and \(whh.shape)")
    let steps = x.shape[0], b = x.shape[1], h = whh.shape[1]
    ensure(h0.shape == [b, h] && c0.shape == [b, h], "lstmLayer: h0 \(h0.shape) and c0 \(c0.shape) must be [\(b), \(h)]")
    ensure(x.dtype == dt, "lstmLayer: input dtype \(x.dtype) does not match weight dtype \(dt)")
    let xs = x.plain(dt), h0s = h0.plain(dt), c0s = c0.plain(dt), wihs = wih.plain(dt), whhs = whh.plain(dt)
    let bias: Tensor? = bih.map { b in (bhh.map { b + $0 } ?? b).plain(dt) } ?? bhh?.plain(dt)
    let (out, hT, cT, tape) = dt == .float32
        ? LSTMKernels.forward(Float.self, x: xs, h0: h0s, c0: c0s, wih: wihs, whh: whhs, bias: bias, reverse: reverse, threads: threads)
        : LSTMKernels.forward(Double.self, x: xs, h0: h0s, c0: c0s, wih: wihs, whh: whhs, bias: bias, reverse: reverse, threads: threads)
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
            ? LSTMKernels.backward(Float.self, tape: tape, x: xs, c0: c0s, wih: wihs, whh: whhs, dOut: dOut, dhT: dhT, dcT: dcT, reverse: reverse, threads: threads)
            : LSTMKernels.backward(Double.self, tape: tape, x: xs, c0: c0s, wih: wihs, whh: whhs, dOut: dOut, dhT: dhT, dcT: dcT, reverse: reverse, threads: threads)
        var grads: [Tensor?] = [dx, dh0, dc0, dWih, dWhh]
        if hasBih { grads.append(db) }
        if hasBhh { grads.append(db) }
        return grads
    }
    return (y.slice(axis: 0, 0, n).reshaped([steps, b, h]),
            y.slice(axis: 0, n, n + bh).reshaped([b, h]),
            y.slice(axis: 0, n + bh, n + 2 * bh).reshaped([b, h]))
}

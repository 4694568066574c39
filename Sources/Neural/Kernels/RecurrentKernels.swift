import CSwiftLearnKernels
import Foundation
import Tensors
import SwiftLearnCore

// One Elman RNN or GRU layer in one direction over a whole sequence, fused like the LSTM kernel:
// the input projection of all steps is one GEMM, the time loop runs in C (`sl_gru_rnn_*`: per step
// one GEMM h·W_hhᵀ plus one pass of gate math, hidden units split across threads with one barrier
// per step), and backward-through-time mirrors it, then three GEMMs give the input and weight
// gradients of all steps. Time-major layout [T, B, ·].
//
// GRU (PyTorch's gate order r, z, n; b_hn stays inside the reset product):
//   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h′ = (1 − z) ⊙ n + z ⊙ h

/// The recurrence of one layer.
enum RecurrentCell: Equatable {
    case tanh, relu, gru
    /// Rows of W_ih per hidden unit (3 for the GRU's r, z, n).
    var gates: Int { self == .gru ? 3 : 1 }
    var name: String { self == .gru ? "gru" : "rnn" }
    /// The C kernels' cell code.
    var code: Int32 {
        switch self {
        case .tanh: SL_CELL_TANH
        case .relu: SL_CELL_RELU
        case .gru: SL_CELL_GRU
        }
    }
}

/// Saved forward state of one layer-direction.
struct RecurrentTape {
    var gates: Tensor   // [T, B, G·H]: RNN h_t; GRU r, z, n
    var hn: Tensor?     // [T, B, H]: GRU W_hn h + b_hn
    var hPrev: Tensor   // [T, B, H]: the hidden state each step started from
}

enum RecurrentKernels {
    /// Runs the sequence; returns outputs [T, B, H], the final h [B, H] and the tape.
    static func forward<T: FloatScalar>(_: T.Type, _ cell: RecurrentCell, x: Tensor, h0: Tensor, wih: Tensor, whh: Tensor,
                                        bih: Tensor?, bhh: Tensor?, reverse: Bool, threads: Int) -> (Tensor, Tensor, RecurrentTape) {
        let steps = x.shape[0], b = x.shape[1], inp = x.shape[2], h = whh.shape[1], gh = cell.gates * h, dt = x.dtype
        let gates = Tensor.uninitialized([steps, b, gh], dtype: dt), hPrev = Tensor.uninitialized([steps, b, h], dtype: dt)
        let out = Tensor.uninitialized([steps, b, h], dtype: dt)
        let hn: Tensor? = cell == .gru ? Tensor.uninitialized([steps, b, h], dtype: dt) : nil
        let pg = gates.raw(T.self), php = hPrev.raw(T.self), po = out.raw(T.self)
        // Input projection of all steps into `gates`, with b_ih (and b_hh for the Elman RNN, where both simply add).
        BLAS.gemm(transposeB: true, m: steps * b, n: gh, k: inp, a: UnsafePointer(x.raw(T.self)), lda: inp,
                  b: UnsafePointer(wih.raw(T.self)), ldb: inp, c: pg, ldc: gh)
        let inputBiases = cell == .gru ? [bih] : [bih, bhh]
        for bias in inputBiases.compactMap({ $0 }) {
            let pb = bias.raw(T.self)
            for r in 0..<(steps * b) { let row = pg + r * gh; for j in 0..<gh { row[j] += pb[j] } }
        }
        let gruBias = cell == .gru ? bhh : nil
        let status = T.self == Float.self
            ? sl_gru_rnn_forward_f32(cell.code, steps, b, h, f32(pg), f32(po), f32(php), hn.map { f32($0.raw(T.self)) },
                                     f32(h0.raw(T.self)), f32(whh.raw(T.self)), gruBias.map { f32($0.raw(T.self)) }, reverse ? 1 : 0, Int32(threads))
            : sl_gru_rnn_forward_f64(cell.code, steps, b, h, f64(pg), f64(po), f64(php), hn.map { f64($0.raw(T.self)) },
                                     f64(h0.raw(T.self)), f64(whh.raw(T.self)), gruBias.map { f64($0.raw(T.self)) }, reverse ? 1 : 0, Int32(threads))
        ensure(status == 0, "\(cell == .gru ? "gruLayer" : "rnnLayer"): out of memory for the time loop's scratch")
        // The final state: that of the last step run (the initial one for an empty sequence).
        let hT = Tensor.uninitialized([b, h], dtype: dt)
        hT.raw(T.self).update(from: steps == 0 ? h0.raw(T.self) : po + (reverse ? 0 : steps - 1) * b * h, count: b * h)
        return (out, hT, RecurrentTape(gates: gates, hn: hn, hPrev: hPrev))
    }

    /// Backward through time. Returns dx [T, B, I], dh0 [B, H], dW_ih, dW_hh, db_ih, db_hh [G·H].
    static func backward<T: FloatScalar>(_: T.Type, _ cell: RecurrentCell, tape: RecurrentTape, x: Tensor, wih: Tensor, whh: Tensor,
                                         dOut: Tensor, dhT: Tensor, reverse: Bool, threads: Int) -> (Tensor, Tensor, Tensor, Tensor, Tensor, Tensor) {
        let steps = x.shape[0], b = x.shape[1], inp = x.shape[2], h = whh.shape[1], gh = cell.gates * h, dt = x.dtype
        // Gradients of the input-side and hidden-side pre-activations (the same tensor for the Elman RNN).
        let dX = Tensor.uninitialized([steps, b, gh], dtype: dt)
        let dH = cell == .gru ? Tensor.uninitialized([steps, b, gh], dtype: dt) : dX
        let dh = Tensor.uninitialized([b, h], dtype: dt)
        let pdX = dX.raw(T.self), pdH = dH.raw(T.self), pdh = dh.raw(T.self)
        pdh.update(from: dhT.raw(T.self), count: b * h)
        let php = tape.hPrev.raw(T.self)
        let status = T.self == Float.self
            ? sl_gru_rnn_backward_f32(cell.code, steps, b, h, f32(tape.gates.raw(T.self)), tape.hn.map { f32($0.raw(T.self)) }, f32(php),
                                      f32(whh.raw(T.self)), f32(dOut.raw(T.self)), f32(pdh), f32(pdX), f32(pdH), reverse ? 1 : 0, Int32(threads))
            : sl_gru_rnn_backward_f64(cell.code, steps, b, h, f64(tape.gates.raw(T.self)), tape.hn.map { f64($0.raw(T.self)) }, f64(php),
                                      f64(whh.raw(T.self)), f64(dOut.raw(T.self)), f64(pdh), f64(pdX), f64(pdH), reverse ? 1 : 0, Int32(threads))
        ensure(status == 0, "\(cell == .gru ? "gruLayer" : "rnnLayer"): out of memory for the backward time loop's scratch")
        let rows = steps * b
        let dx = Tensor.uninitialized([steps, b, inp], dtype: dt)
        let dWih = Tensor.uninitialized([gh, inp], dtype: dt), dWhh = Tensor.uninitialized([gh, h], dtype: dt)
        BLAS.gemm(m: rows, n: inp, k: gh, a: UnsafePointer(pdX), lda: gh, b: UnsafePointer(wih.raw(T.self)), ldb: inp, c: dx.raw(T.self), ldc: inp)
        BLAS.gemm(transposeA: true, m: gh, n: inp, k: rows, a: UnsafePointer(pdX), lda: gh, b: UnsafePointer(x.raw(T.self)), ldb: inp,
                  c: dWih.raw(T.self), ldc: inp)
        BLAS.gemm(transposeA: true, m: gh, n: h, k: rows, a: UnsafePointer(pdH), lda: gh, b: UnsafePointer(php), ldb: h,
                  c: dWhh.raw(T.self), ldc: h)
        let dbih = dX.reshaped([rows, gh]).sum(axis: 0), dbhh = dH.reshaped([rows, gh]).sum(axis: 0)
        return (dx, dh, dWih, dWhh, dbih, dbhh)
    }
}

/// One layer-direction of an Elman RNN or a GRU as a single autograd node (shared by
/// ``rnnLayer(_:h0:wih:whh:bih:bhh:nonlinearity:reverse:threads:)`` and ``gruLayer(_:h0:wih:whh:bih:bhh:reverse:threads:)``).
func recurrentLayer(_ cell: RecurrentCell, _ x: Tensor, h0: Tensor, wih: Tensor, whh: Tensor, bih: Tensor?, bhh: Tensor?,
                    reverse: Bool, threads: Int = 0) -> (Tensor, Tensor) {
    let dt = wih.dtype, op = cell == .gru ? "gruLayer" : "rnnLayer", g = cell.gates
    ensure(threads >= 0, "\(op): threads must be 0 (automatic) or positive, got \(threads)")
    ensure(dt == .float32 || dt == .float64, "\(op): weights must be float32 or float64, got \(dt)")
    ensure(x.rank == 3 && wih.rank == 2 && whh.rank == 2 && wih.shape[0] == whh.shape[0] && whh.shape[0] == g * whh.shape[1]
           && wih.shape[1] == x.shape[2], "\(op): input \(x.shape) does not fit weights \(wih.shape) and \(whh.shape)")
    let steps = x.shape[0], b = x.shape[1], h = whh.shape[1]
    ensure(h0.shape == [b, h], "\(op): h0 \(h0.shape) must be [\(b), \(h)]")
    ensure(x.dtype == dt && h0.dtype == dt, "\(op): input dtype \(x.dtype) / h0 dtype \(h0.dtype) do not match weight dtype \(dt)")
    for bias in [bih, bhh].compactMap({ $0 }) { ensure(bias.shape == [g * h] && bias.dtype == dt, "\(op): bias \(bias.shape) must be [\(g * h)] of \(dt)") }
    let xs = x.plain(dt), h0s = h0.plain(dt), wihs = wih.plain(dt), whhs = whh.plain(dt), bihs = bih?.plain(dt), bhhs = bhh?.plain(dt)
    let (out, hT, tape) = dt == .float32
        ? RecurrentKernels.forward(Float.self, cell, x: xs, h0: h0s, wih: wihs, whh: whhs, bih: bihs, bhh: bhhs, reverse: reverse, threads: threads)
        : RecurrentKernels.forward(Double.self, cell, x: xs, h0: h0s, wih: wihs, whh: whhs, bih: bihs, bhh: bhhs, reverse: reverse, threads: threads)
    var inputs = [x, h0, wih, whh]
    if let bih { inputs.append(bih) }
    if let bhh { inputs.append(bhh) }
    guard GradMode.isEnabled, inputs.contains(where: \.requiresGrad) else { return (out, hT) }
    let n = steps * b * h, hasBih = bih != nil, hasBhh = bhh != nil
    let flat = Tensor.concat([out.reshaped([-1]), hT.reshaped([-1])])
    let y = Tensor.differentiable(flat, inputs: inputs, name: cell.name) { gy in
        let gs = gy.plain(dt)
        let dOut = gs.slice(axis: 0, 0, n).reshaped([steps, b, h]).contiguous()
        let dhT = gs.slice(axis: 0, n, n + b * h).reshaped([b, h]).contiguous()
        let (dx, dh0, dWih, dWhh, dbih, dbhh) = dt == .float32
            ? RecurrentKernels.backward(Float.self, cell, tape: tape, x: xs, wih: wihs, whh: whhs, dOut: dOut, dhT: dhT, reverse: reverse, threads: threads)
            : RecurrentKernels.backward(Double.self, cell, tape: tape, x: xs, wih: wihs, whh: whhs, dOut: dOut, dhT: dhT, reverse: reverse, threads: threads)
        var grads: [Tensor?] = [dx, dh0, dWih, dWhh]
        if hasBih { grads.append(dbih) }
        if hasBhh { grads.append(dbhh) }
        return grads
    }
    return (y.slice(axis: 0, 0, n).reshaped([steps, b, h]), y.slice(axis: 0, n, n + b * h).reshaped([b, h]))
}

/// The nonlinearity of an Elman ``RNN`` (PyTorch's `nonlinearity=`).
public enum RNNNonlinearity: String, Sendable {
    /// h′ = tanh(…) (PyTorch's default).
    case tanh
    /// h′ = max(…, 0).
    case relu
}

/// One Elman RNN layer in one direction over a time-major sequence, one autograd node:
/// `h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)`.
///
/// - Parameters:
///   - x: `[T, B, I]`; h0: `[B, H]`; wih: `[H, I]`; whh: `[H, H]`; bih, bhh: `[H]` or nil.
///   - reverse: run from the last step to the first (the backward direction).
///   - threads: threads for the time loop; 0 chooses by size (as ``lstmLayer(_:h0:c0:wih:whh:bih:bhh:reverse:threads:)``).
/// - Returns: the outputs `[T, B, H]` (in input order) and the final state `[B, H]`.
public func rnnLayer(_ x: Tensor, h0: Tensor, wih: Tensor, whh: Tensor, bih: Tensor?, bhh: Tensor?,
                     nonlinearity: RNNNonlinearity = .tanh, reverse: Bool = false, threads: Int = 0) -> (Tensor, Tensor) {
    recurrentLayer(nonlinearity == .tanh ? .tanh : .relu, x, h0: h0, wih: wih, whh: whh, bih: bih, bhh: bhh, reverse: reverse,
                   threads: threads)
}

/// One GRU layer in one direction over a time-major sequence, one autograd node (gates r, z, n in
/// PyTorch's order and layout; see ``GRU``).
///
/// - Parameters:
///   - x: `[T, B, I]`; h0: `[B, H]`; wih: `[3H, I]`; whh: `[3H, H]`; bih, bhh: `[3H]` or nil.
///   - threads: threads for the time loop; 0 chooses by size.
/// - Returns: the outputs `[T, B, H]` and the final state `[B, H]`.
public func gruLayer(_ x: Tensor, h0: Tensor, wih: Tensor, whh: Tensor, bih: Tensor?, bhh: Tensor?, reverse: Bool = false,
                     threads: Int = 0) -> (Tensor, Tensor) {
    recurrentLayer(.gru, x, h0: h0, wih: wih, whh: whh, bih: bih, bhh: bhh, reverse: reverse, threads: threads)
}

import Foundation
import Tensors

// One Elman RNN or GRU layer in one direction over a whole sequence, fused like the LSTM kernel:
// the input projection of all steps is one GEMM, each step is one GEMM (h·W_hhᵀ) plus one pass of
// gate math, and backward-through-time mirrors it with one GEMM per step, then three GEMMs for the
// input and weight gradients of all steps. Time-major layout [T, B, ·].
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
                                        bih: Tensor?, bhh: Tensor?, reverse: Bool) -> (Tensor, Tensor, RecurrentTape) {
        let steps = x.shape[0], b = x.shape[1], inp = x.shape[2], h = whh.shape[1], gh = cell.gates * h, dt = x.dtype
        let gates = Tensor.uninitialized([steps, b, gh], dtype: dt), hPrev = Tensor.uninitialized([steps, b, h], dtype: dt)
        let out = Tensor.uninitialized([steps, b, h], dtype: dt)
        let hn: Tensor? = cell == .gru ? Tensor.uninitialized([steps, b, h], dtype: dt) : nil
        let hp = Tensor.uninitialized([b, gh], dtype: dt)
        let pg = gates.raw(T.self), php = hPrev.raw(T.self), po = out.raw(T.self), pn = hn?.raw(T.self), phh = hp.raw(T.self)
        let pwh = UnsafePointer(whh.raw(T.self))
        // Input projection of all steps into `gates`, with b_ih (and b_hh for the Elman RNN, where both simply add).
        BLAS.gemm(transposeB: true, m: steps * b, n: gh, k: inp, a: UnsafePointer(x.raw(T.self)), lda: inp,
                  b: UnsafePointer(wih.raw(T.self)), ldb: inp, c: pg, ldc: gh)
        let inputBiases = cell == .gru ? [bih] : [bih, bhh]
        for bias in inputBiases.compactMap({ $0 }) {
            let pb = bias.raw(T.self)
            for r in 0..<(steps * b) { let row = pg + r * gh; for j in 0..<gh { row[j] += pb[j] } }
        }
        let pbh = cell == .gru ? bhh?.raw(T.self) : nil
        var hcur = UnsafePointer(h0.raw(T.self))
        for s in 0..<steps {
            let t = reverse ? steps - 1 - s : s
            let gt = pg + t * b * gh, ht = po + t * b * h
            (php + t * b * h).update(from: hcur, count: b * h)
            NativeGemm.run(false, true, m: b, n: gh, k: h, hcur, lda: h, pwh, ldb: h, phh, ldc: gh, threads: gemmThreads(b * gh * h))
            for r in 0..<b {
                let row = gt + r * gh, hrow = phh + r * gh, out = ht + r * h, prev = hcur + r * h
                switch cell {
                case .tanh:
                    for j in 0..<h { row[j] += hrow[j] }
                    tanhArray(row, row, h)
                    out.update(from: row, count: h)
                case .relu:
                    for j in 0..<h { let v = row[j] + hrow[j]; row[j] = v > 0 ? v : 0 }
                    out.update(from: row, count: h)
                case .gru:
                    if let pbh { for j in 0..<gh { hrow[j] += pbh[j] } }
                    for j in 0..<(2 * h) { row[j] += hrow[j] }
                    sigmoidInPlace(row, 2 * h)   // r, z
                    let hnr = pn! + (t * b + r) * h
                    for j in 0..<h { hnr[j] = hrow[2 * h + j]; row[2 * h + j] += row[j] * hrow[2 * h + j] }
                    tanhArray(row + 2 * h, row + 2 * h, h)   // n
                    for j in 0..<h { let z = row[h + j]; out[j] = (1 - z) * row[2 * h + j] + z * prev[j] }
                }
            }
            hcur = UnsafePointer(ht)
        }
        let hT = Tensor.uninitialized([b, h], dtype: dt)
        hT.raw(T.self).update(from: hcur, count: b * h)
        return (out, hT, RecurrentTape(gates: gates, hn: hn, hPrev: hPrev))
    }

    /// Backward through time. Returns dx [T, B, I], dh0 [B, H], dW_ih, dW_hh, db_ih, db_hh [G·H].
    static func backward<T: FloatScalar>(_: T.Type, _ cell: RecurrentCell, tape: RecurrentTape, x: Tensor, wih: Tensor, whh: Tensor,
                                         dOut: Tensor, dhT: Tensor, reverse: Bool) -> (Tensor, Tensor, Tensor, Tensor, Tensor, Tensor) {
        let steps = x.shape[0], b = x.shape[1], inp = x.shape[2], h = whh.shape[1], gh = cell.gates * h, dt = x.dtype
        // Gradients of the input-side and hidden-side pre-activations (the same tensor for the Elman RNN).
        let dX = Tensor.uninitialized([steps, b, gh], dtype: dt)
        let dH = cell == .gru ? Tensor.uninitialized([steps, b, gh], dtype: dt) : dX
        let dh = Tensor.uninitialized([b, h], dtype: dt), dhNext = Tensor.uninitialized([b, h], dtype: dt)
        let pdX = dX.raw(T.self), pdH = dH.raw(T.self), pdh = dh.raw(T.self), pdhn = dhNext.raw(T.self)
        pdh.update(from: dhT.raw(T.self), count: b * h)
        let pg = tape.gates.raw(T.self), pn = tape.hn?.raw(T.self), php = tape.hPrev.raw(T.self), pdo = dOut.raw(T.self)
        let pwh = UnsafePointer(whh.raw(T.self))
        for s in stride(from: steps - 1, through: 0, by: -1) {
            let t = reverse ? steps - 1 - s : s
            for r in 0..<b {
                let i = t * b + r
                let row = pg + i * gh, dxr = pdX + i * gh, dhr = pdH + i * gh, dor = pdo + i * h, dcur = pdh + r * h, dnext = pdhn + r * h
                switch cell {
                case .tanh: for j in 0..<h { let y = row[j]; dxr[j] = (dcur[j] + dor[j]) * (1 - y * y) }
                case .relu: for j in 0..<h { dxr[j] = row[j] > 0 ? dcur[j] + dor[j] : 0 }
                case .gru:
                    let hnr = pn! + i * h, prev = php + i * h
                    for j in 0..<h {
                        let rr = row[j], z = row[h + j], n = row[2 * h + j], g = dcur[j] + dor[j]
                        let dan = g * (1 - z) * (1 - n * n)
                        let dar = dan * hnr[j] * rr * (1 - rr), daz = g * (prev[j] - n) * z * (1 - z)
                        dxr[j] = dar; dxr[h + j] = daz; dxr[2 * h + j] = dan
                        dhr[j] = dar; dhr[h + j] = daz; dhr[2 * h + j] = dan * rr
                        dnext[j] = g * z
                    }
                }
            }
            // dh_prev = (direct term) + dH_t · W_hh
            NativeGemm.run(false, false, m: b, n: h, k: gh, UnsafePointer(pdH + t * b * gh), lda: gh, pwh, ldb: h,
                           beta: cell == .gru ? 1 : 0, pdhn, ldc: h, threads: gemmThreads(b * gh * h))
            pdh.update(from: pdhn, count: b * h)
        }
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
/// ``rnnLayer(_:h0:wih:whh:bih:bhh:nonlinearity:reverse:)`` and ``gruLayer(_:h0:wih:whh:bih:bhh:reverse:)``).
func recurrentLayer(_ cell: RecurrentCell, _ x: Tensor, h0: Tensor, wih: Tensor, whh: Tensor, bih: Tensor?, bhh: Tensor?,
                    reverse: Bool) -> (Tensor, Tensor) {
    let dt = wih.dtype, op = cell == .gru ? "gruLayer" : "rnnLayer", g = cell.gates
    ensure(dt == .float32 || dt == .float64, "\(op): weights must be float32 or float64, got \(dt)")
    ensure(x.rank == 3 && wih.rank == 2 && whh.rank == 2 && wih.shape[0] == whh.shape[0] && whh.shape[0] == g * whh.shape[1]
           && wih.shape[1] == x.shape[2], "\(op): input \(x.shape) does not fit weights \(wih.shape) and \(whh.shape)")
    let steps = x.shape[0], b = x.shape[1], h = whh.shape[1]
    ensure(h0.shape == [b, h], "\(op): h0 \(h0.shape) must be [\(b), \(h)]")
    ensure(x.dtype == dt && h0.dtype == dt, "\(op): input dtype \(x.dtype) / h0 dtype \(h0.dtype) do not match weight dtype \(dt)")
    for bias in [bih, bhh].compactMap({ $0 }) { ensure(bias.shape == [g * h] && bias.dtype == dt, "\(op): bias \(bias.shape) must be [\(g * h)] of \(dt)") }
    let xs = x.plain(dt), h0s = h0.plain(dt), wihs = wih.plain(dt), whhs = whh.plain(dt), bihs = bih?.plain(dt), bhhs = bhh?.plain(dt)
    let (out, hT, tape) = dt == .float32
        ? RecurrentKernels.forward(Float.self, cell, x: xs, h0: h0s, wih: wihs, whh: whhs, bih: bihs, bhh: bhhs, reverse: reverse)
        : RecurrentKernels.forward(Double.self, cell, x: xs, h0: h0s, wih: wihs, whh: whhs, bih: bihs, bhh: bhhs, reverse: reverse)
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
            ? RecurrentKernels.backward(Float.self, cell, tape: tape, x: xs, wih: wihs, whh: whhs, dOut: dOut, dhT: dhT, reverse: reverse)
            : RecurrentKernels.backward(Double.self, cell, tape: tape, x: xs, wih: wihs, whh: whhs, dOut: dOut, dhT: dhT, reverse: reverse)
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
/// - Returns: the outputs `[T, B, H]` (in input order) and the final state `[B, H]`.
public func rnnLayer(_ x: Tensor, h0: Tensor, wih: Tensor, whh: Tensor, bih: Tensor?, bhh: Tensor?,
                     nonlinearity: RNNNonlinearity = .tanh, reverse: Bool = false) -> (Tensor, Tensor) {
    recurrentLayer(nonlinearity == .tanh ? .tanh : .relu, x, h0: h0, wih: wih, whh: whh, bih: bih, bhh: bhh, reverse: reverse)
}

/// One GRU layer in one direction over a time-major sequence, one autograd node (gates r, z, n in
/// PyTorch's order and layout; see ``GRU``).
///
/// - Parameters:
///   - x: `[T, B, I]`; h0: `[B, H]`; wih: `[3H, I]`; whh: `[3H, H]`; bih, bhh: `[3H]` or nil.
/// - Returns: the outputs `[T, B, H]` and the final state `[B, H]`.
public func gruLayer(_ x: Tensor, h0: Tensor, wih: Tensor, whh: Tensor, bih: Tensor?, bhh: Tensor?, reverse: Bool = false) -> (Tensor, Tensor) {
    recurrentLayer(.gru, x, h0: h0, wih: wih, whh: whh, bih: bih, bhh: bhh, reverse: reverse)
}

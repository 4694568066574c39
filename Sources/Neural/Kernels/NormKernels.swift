import Foundation
import Tensors
import SwiftLearnCore

// Fused normalization over rows (LayerNorm, GroupNorm, RMSNorm): one pass computes each row's
// statistics and the normalized values, the affine map is applied in the same pass, and backward
// is one pass per row. A row is R-th block of D contiguous elements; the affine parameter of
// element d of row r is `((r % groups)·D + d) / span` (LayerNorm/RMSNorm: groups = span = 1;
// GroupNorm: groups = G, span = spatial size, so every channel shares one γ and β).

/// Layout of one fused normalization.
struct NormGeometry {
    /// Rows normalized independently and the length of each.
    var rows, length: Int
    /// Rows per sample that use different affine parameters (GroupNorm's G), and how many
    /// consecutive elements share one parameter (GroupNorm's spatial size).
    var groups = 1, span = 1
    /// Whether the mean is subtracted (LayerNorm/GroupNorm) or only the RMS divided (RMSNorm).
    var centered = true
    var eps: Double

    @inline(__always) func parameterIndex(row r: Int, _ d: Int) -> Int { ((r % groups) * length + d) / span }
}

enum NormKernels {
    /// y = x̂·γ + β with x̂ = (x − μ)·rstd (centered) or x·rstd; returns y, x̂ and rstd per row.
    static func forward<T: FloatScalar>(_: T.Type, _ geo: NormGeometry, x: Tensor, weight: Tensor?, bias: Tensor?)
        -> (Tensor, Tensor, [Double]) {
        let d = geo.length, dt = x.dtype
        let y = Tensor.uninitialized(x.shape, dtype: dt), xhat = Tensor.uninitialized(x.shape, dtype: dt)
        var rstd = [Double](repeating: 0, count: geo.rows)
        let px = UnsafePointer(x.raw(T.self)), py = y.raw(T.self), ph = xhat.raw(T.self)
        let pw = weight.map { UnsafePointer($0.raw(T.self)) }, pb = bias.map { UnsafePointer($0.raw(T.self)) }
        rstd.withUnsafeMutableBufferPointer { prs in
            let prs = prs.baseAddress!
            NeuralParallel.forRange(geo.rows, cost: 6 * d) { s, e in
                for r in s..<e {
                    let row = px + r * d, hrow = ph + r * d, yrow = py + r * d
                    var mean = 0.0
                    if geo.centered { for j in 0..<d { mean += Double(row[j]) }; mean /= Double(Swift.max(d, 1)) }
                    var sq = 0.0
                    for j in 0..<d { let v = Double(row[j]) - mean; sq += v * v }
                    let rs = 1 / (sq / Double(Swift.max(d, 1)) + geo.eps).squareRoot()
                    prs[r] = rs
                    if geo.span == 1 {
                        // One parameter per element: straight loops in T the compiler vectorises.
                        let m = T(fromDouble: mean), rsT = T(fromDouble: rs), base = (r % geo.groups) * d
                        for j in 0..<d { hrow[j] = (row[j] - m) * rsT }
                        switch (pw, pb) {
                        case let (w?, b?): for j in 0..<d { yrow[j] = hrow[j] * w[base + j] + b[base + j] }
                        case let (w?, nil): for j in 0..<d { yrow[j] = hrow[j] * w[base + j] }
                        case let (nil, b?): for j in 0..<d { yrow[j] = hrow[j] + b[base + j] }
                        case (nil, nil): yrow.update(from: hrow, count: d)
                        }
                        continue
                    }
                    for j in 0..<d {
                        let h = (Double(row[j]) - mean) * rs
                        hrow[j] = T(h)
                        let k = geo.parameterIndex(row: r, j)
                        var v = h
                        if let pw { v *= Double(pw[k]) }
                        if let pb { v += Double(pb[k]) }
                        yrow[j] = T(v)
                    }
                }
            }
        }
        return (y, xhat, rstd)
    }

    /// Gradients (dx, dγ, dβ). With ĝ = g·γ:
    /// centered `dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))`, RMS `dx = rstd·(ĝ − x̂·mean(ĝ·x̂))`;
    /// dγ = Σ g·x̂ and dβ = Σ g over the elements sharing the parameter.
    static func backward<T: FloatScalar>(_: T.Type, _ geo: NormGeometry, g: Tensor, xhat: Tensor, rstd: [Double], weight: Tensor?,
                                         parameterCount: Int, needX: Bool, needW: Bool, needB: Bool) -> (Tensor?, Tensor?, Tensor?) {
        let d = geo.length, dt = g.dtype
        let pg = UnsafePointer(g.raw(T.self)), ph = UnsafePointer(xhat.raw(T.self))
        let pw = weight.map { UnsafePointer($0.raw(T.self)) }
        let dx: Tensor? = needX ? Tensor.uninitialized(g.shape, dtype: dt) : nil
        let pdx = dx?.raw(T.self)
        let chunks = Swift.max(NeuralParallel.chunkCount(geo.rows, cost: 8 * d), 1)
        // Per-chunk partial parameter gradients (float64), summed at the end.
        let needParameters = (needW || needB) && parameterCount > 0
        var dwParts = [Double](repeating: 0, count: needParameters ? chunks * parameterCount * 2 : 0)
        dwParts.withUnsafeMutableBufferPointer { parts in
            // (An empty buffer may still have a base address: only use it when there is something to sum.)
            let parts = needParameters ? parts.baseAddress : nil
            NeuralParallel.forChunks(geo.rows, cost: 8 * d) { c, s, e in
                let accW = parts.map { $0 + c * parameterCount * 2 }, accB = accW.map { $0 + parameterCount }
                for r in s..<e where geo.span == 1 {
                    // One parameter per element (LayerNorm, RMSNorm): straight loops the compiler
                    // vectorises; row sums in T, parameter sums in float64.
                    let grow = pg + r * d, hrow = ph + r * d, base = (r % geo.groups) * d
                    var meanG: T = 0, meanGH: T = 0
                    if let pw {
                        for i in 0..<d { let gw = grow[i] * pw[base + i]; meanG += gw; meanGH += gw * hrow[i] }
                    } else {
                        for i in 0..<d { meanG += grow[i]; meanGH += grow[i] * hrow[i] }
                    }
                    if let accW, let accB {
                        for i in 0..<d { let gv = Double(grow[i]); accW[base + i] += gv * Double(hrow[i]); accB[base + i] += gv }
                    }
                    guard let pdx else { continue }
                    let scale = T(fromDouble: 1 / Double(d))
                    meanG = geo.centered ? meanG * scale : 0
                    meanGH *= scale
                    let rs = T(fromDouble: rstd[r]), out = pdx + r * d
                    if let pw {
                        for i in 0..<d { out[i] = rs * (grow[i] * pw[base + i] - meanG - hrow[i] * meanGH) }
                    } else {
                        for i in 0..<d { out[i] = rs * (grow[i] - meanG - hrow[i] * meanGH) }
                    }
                }
                for r in s..<e where geo.span != 1 {
                    let grow = pg + r * d, hrow = ph + r * d
                    // The row splits into blocks of consecutive elements that share one parameter k
                    // (GroupNorm: a channel's spatial positions), so γ is read once per block and
                    // the per-block sums Σg and Σg·x̂ serve dγ, dβ and the row means alike.
                    let base = (r % geo.groups) * d
                    var meanG = 0.0, meanGH = 0.0
                    var j = 0
                    while j < d {
                        let k = (base + j) / geo.span, end = Swift.min(d, (k + 1) * geo.span - base)
                        var sg = 0.0, sgh = 0.0
                        for i in j..<end { let gv = Double(grow[i]); sg += gv; sgh += gv * Double(hrow[i]) }
                        if let accW, let accB { accW[k] += sgh; accB[k] += sg }
                        let w = pw.map { Double($0[k]) } ?? 1
                        meanG += sg * w; meanGH += sgh * w
                        j = end
                    }
                    guard let pdx else { continue }
                    meanG /= Double(d); meanGH /= Double(d)
                    if !geo.centered { meanG = 0 }
                    let rs = rstd[r], out = pdx + r * d
                    j = 0
                    while j < d {
                        let k = (base + j) / geo.span, end = Swift.min(d, (k + 1) * geo.span - base)
                        let w = pw.map { Double($0[k]) } ?? 1
                        for i in j..<end { out[i] = T(rs * (Double(grow[i]) * w - meanG - Double(hrow[i]) * meanGH)) }
                        j = end
                    }
                }
            }
        }
        func total(_ offset: Int) -> Tensor {
            var s = [Double](repeating: 0, count: parameterCount)
            for c in 0..<chunks { for k in 0..<parameterCount { s[k] += dwParts[c * parameterCount * 2 + offset + k] } }
            return Tensor(s, shape: [parameterCount]).to(dt)
        }
        return (dx, needW && needParameters ? total(0) : nil, needB && needParameters ? total(parameterCount) : nil)
    }
}

/// Runs a fused normalization as one autograd node (shared by ``layerNorm(_:normalizedShape:weight:bias:eps:)``,
/// ``groupNorm(_:groups:weight:bias:eps:)`` and ``rmsNorm(_:normalizedShape:weight:eps:)``).
/// `weight` and `bias` have `parameterShape`; their element count is the number of affine parameters.
func fusedNorm(_ x: Tensor, _ geo: NormGeometry, weight: Tensor?, bias: Tensor?, name: String) -> Tensor {
    let dt = x.dtype
    ensure(dt == .float32 || dt == .float64, "\(name): expects float32 or float64, got \(dt)")
    for p in [weight, bias].compactMap({ $0 }) {
        ensure(p.dtype == dt, "\(name): parameter dtype \(p.dtype) does not match input dtype \(dt)")
    }
    let xs = x.plain(dt), ws = weight?.plain(dt), bs = bias?.plain(dt)
    let (y, xhat, rstd) = dt == .float32 ? NormKernels.forward(Float.self, geo, x: xs, weight: ws, bias: bs)
                                         : NormKernels.forward(Double.self, geo, x: xs, weight: ws, bias: bs)
    let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
    guard GradMode.isEnabled, needX || needW || needB else { return y }
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    let count = weight?.count ?? bias?.count ?? 0
    let wShape = weight?.shape, bShape = bias?.shape
    return Tensor.differentiable(y, inputs: inputs, name: name) { g in
        let gs = g.plain(dt)
        let (dx, dw, db) = dt == .float32
            ? NormKernels.backward(Float.self, geo, g: gs, xhat: xhat, rstd: rstd, weight: ws, parameterCount: count,
                                   needX: needX, needW: needW, needB: needB)
            : NormKernels.backward(Double.self, geo, g: gs, xhat: xhat, rstd: rstd, weight: ws, parameterCount: count,
                                   needX: needX, needW: needW, needB: needB)
        var out: [Tensor?] = [dx]
        if let wShape { out.append(dw?.reshaped(wShape)) }
        if let bShape { out.append(db?.reshaped(bShape)) }
        return out
    }
}

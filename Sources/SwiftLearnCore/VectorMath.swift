import Foundation

/// Dot product of two buffers over their common length.
///
/// Fast path: eight running sums in two SIMD4 registers (a plain `s += a[i]·b[i]` loop is one
/// long dependency chain the compiler may not reorder, about 4× slower on long columns).
@inline(__always)
package func simdDot(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
    let n = Swift.min(a.count, b.count)
    guard n > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return 0 }
    let ra = UnsafeRawPointer(pa), rb = UnsafeRawPointer(pb)
    var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
    var i = 0
    while i + 8 <= n {
        s0 += ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
        s1 += ra.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self)
        i += 8
    }
    var s = (s0 + s1).sum()
    while i < n { s += pa[i] * pb[i]; i += 1 }
    return s
}

/// log Σ exp(v) without overflow: `m + log Σ exp(v − m)` with `m = max v` (SciPy's `logsumexp`
/// factoring); an empty or all −∞ input gives −∞, a +∞ or NaN maximum is returned as it is.
@inline(__always)
package func logSumExp(_ v: UnsafeBufferPointer<Double>) -> Double {
    var m = -Double.infinity
    for a in v where a > m { m = a }
    if !m.isFinite { return m }
    var s = 0.0
    for a in v { s += Foundation.exp(a - m) }
    return m + Foundation.log(s)
}

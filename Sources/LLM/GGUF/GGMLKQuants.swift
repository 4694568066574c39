/// ggml's "k-quants": super-blocks of 256 values split into sub-blocks that each carry a small
/// integer scale (and, for the affine types, a minimum), themselves scaled by one or two float16
/// numbers per super-block. Decoding, for value i of a super-block with sub-block s = i / n:
///
///   q2_K  (84 bytes,  16×16): y = (d·(sc_s & 15))·q − dmin·(sc_s >> 4),  q ∈ 0…3 (2 bits)
///   q3_K  (110 bytes, 16×16): y = (d·(sc_s − 32))·q,  q = low 2 bits − 4·(1 − high bit) ∈ −4…3,
///                             sc_s a 6-bit number packed as 4 + 2 bits
///   q4_K  (144 bytes, 8×32):  y = (d·sc_s)·q − dmin·m_s,  q ∈ 0…15, sc/m 6-bit, packed 12 bytes
///   q5_K  (176 bytes, 8×32):  as q4_K with a fifth bit per value, q ∈ 0…31
///   q6_K  (210 bytes, 16×16): y = (d·sc_s)·(q − 32),  q ∈ 0…63 (4 low + 2 high bits), sc_s int8
///
/// Each product and difference is rounded to float32 in this order, as ggml's `dequantize_row_*`
/// does, so the values are bit-identical to ggml's (and to gguf-py's `quants`). The bit layouts
/// (which byte and shift hold value i) are spelled out beside each decoder.
func kQuantBlock(_ type: String, _ b: UnsafeRawBufferPointer, _ y: UnsafeMutableBufferPointer<Float>) {
    func half(_ offset: Int) -> Float {
        Float(Float16(bitPattern: UInt16(b[offset]) | UInt16(b[offset + 1]) << 8))
    }
    switch type {
    case "q2_K":
        // scales[16] @0, qs[64] @16, d @80, dmin @82. Value i: half h = i/128, shift 2·((i%128)/32),
        // byte qs[32h + i%32].
        let d = half(80), dmin = half(82)
        for i in 0..<256 {
            let sc = b[i / 16], h = i / 128, r = i % 128
            let q = (b[16 + 32 * h + r % 32] >> UInt8(2 * (r / 32))) & 3
            y[i] = (d * Float(sc & 15)) * Float(q) - dmin * Float(sc >> 4)
        }
    case "q3_K":
        // hmask[32] @0, qs[64] @32, scales[12] @96, d @108. Scale j: low 4 bits from byte j%8
        // (nibble j/8), high 2 bits from byte 8 + j%4 (shift 2·(j/4)). Value i: low bits as q2_K,
        // high bit = bit i/32 of hmask[i%32] (a set bit means no −4 offset).
        let d = half(108)
        for i in 0..<256 {
            let j = i / 16
            let low = (b[96 + j % 8] >> UInt8(4 * (j / 8))) & 15
            let high = (b[104 + j % 4] >> UInt8(2 * (j / 4))) & 3
            let scale = Float(Int(low | high << 4) - 32)
            let h = i / 128, r = i % 128
            let ql = Int((b[32 + 32 * h + r % 32] >> UInt8(2 * (r / 32))) & 3)
            let hbit = Int((b[i % 32] >> UInt8(i / 32)) & 1)
            y[i] = (d * scale) * Float(ql - (hbit == 0 ? 4 : 0))
        }
    case "q4_K", "q5_K":
        // d @0, dmin @2, scales[12] @4 (below), then q5_K's qh[32] @16, then qs[128]. Value i:
        // sub-block s = i/32, byte qs[32·(s/2) + i%32], nibble s%2; q5_K's fifth bit is bit s of
        // qh[i%32].
        let five = type == "q5_K", qs = five ? 48 : 16
        let d = half(0), dmin = half(2)
        for i in 0..<256 {
            let s = i / 32, l = i % 32
            let (sc, m) = kScaleMin(b, 4, s)
            var q = Int((b[qs + 32 * (s / 2) + l] >> UInt8(4 * (s % 2))) & 15)
            if five { q |= Int((b[16 + l] >> UInt8(s)) & 1) << 4 }
            y[i] = (d * Float(sc)) * Float(q) - dmin * Float(m)
        }
    case "q6_K":
        // ql[128] @0, qh[64] @128, scales[16] (int8) @192, d @208. Value i: half h = i/128,
        // r = i%128; low 4 bits from ql[64h + r%64] (nibble r/64), high 2 bits from qh[32h + r%32]
        // (shift 2·(r/32)).
        let d = half(208)
        for i in 0..<256 {
            let h = i / 128, r = i % 128
            let low = (b[64 * h + r % 64] >> UInt8(4 * (r / 64))) & 15
            let high = (b[128 + 32 * h + r % 32] >> UInt8(2 * (r / 32))) & 3
            let scale = Float(Int8(bitPattern: b[192 + i / 16]))
            y[i] = (d * scale) * Float(Int(low | high << 4) - 32)
        }
    default:
        preconditionFailure("kQuantBlock called with \(type)")
    }
}

/// The 6-bit scale and minimum of sub-block `j` (0…7) from q4_K/q5_K's 12 packed bytes at `at`:
/// sub-blocks 0–3 keep theirs in the low 6 bits of bytes 0–3 (scales) and 4–7 (minimums);
/// sub-blocks 4–7 take 4 bits from a nibble of bytes 8–11 and 2 bits from the top of bytes 0–7.
func kScaleMin(_ b: UnsafeRawBufferPointer, _ at: Int, _ j: Int) -> (UInt8, UInt8) {
    if j < 4 { return (b[at + j] & 63, b[at + j + 4] & 63) }
    let packed = b[at + j + 4]
    return ((packed & 15) | (b[at + j - 4] >> 6) << 4, (packed >> 4) | (b[at + j] >> 6) << 4)
}

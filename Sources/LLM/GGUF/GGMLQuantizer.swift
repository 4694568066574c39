/// Float32 values to and from ggml's storage types, computed as ggml's reference quantizers
/// (`quantize_row_*_ref` in ggml-quants.c) and gguf-py's `gguf.quants` compute them, bit for bit.
///
/// | type   | block | bytes | bits/weight | stored per block of 32                              |
/// |--------|-------|-------|-------------|-----------------------------------------------------|
/// | `f32`  | 1     | 4     | 32          |                                                     |
/// | `f16`  | 1     | 2     | 16          | IEEE half, round to nearest even                    |
/// | `bf16` | 1     | 2     | 16          | top half of the float32, round to nearest even      |
/// | `q8_0` | 32    | 34    | 8.5         | scale d = max\|x\|/127, q = round(x/d) in −127…127  |
/// | `q5_1` | 32    | 24    | 6           | d = (max−min)/31, min; q in 0…31                    |
/// | `q5_0` | 32    | 22    | 5.5         | d = (signed extreme)/−16; q − 16 in −16…15          |
/// | `q4_1` | 32    | 20    | 5           | d = (max−min)/15, min; q in 0…15                    |
/// | `q4_0` | 32    | 18    | 4.5         | d = (signed extreme)/−8; q − 8 in −8…7              |
///
/// Scales are stored as float16 but the codes are computed with the float32 scale, as ggml does.
///
/// ```swift
/// let bytes = try GGMLQuantizer.quantize(weights, as: "q4_0")       // 18 bytes per 32 weights
/// let back = try GGMLQuantizer.dequantize(bytes, as: "q4_0", count: weights.count)
/// ```
public enum GGMLQuantizer {
    /// The types `quantize` writes, widest first.
    public static let types = ["f32", "f16", "bf16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0"]
    /// The types `dequantize` reads (and model weights may have): `types` and the k-quants.
    public static let readableTypes = types + ["q6_K", "q5_K", "q4_K", "q3_K", "q2_K"]

    /// Storage bits per weight of `type` (block bytes × 8 / block size), nil for an unknown name.
    public static func bitsPerWeight(_ type: String) -> Double? {
        guard let layout = layout(type) else { return nil }
        return Double(layout.blockBytes * 8) / Double(layout.blockSize)
    }

    /// Encodes `values` in `type`. The count must be a multiple of the type's block size (32 for
    /// the block types), every value finite, and every stored float16 (values of `f16`, scales and
    /// minimums of the block types) within float16's range.
    public static func quantize(_ values: [Float], as type: String) throws -> [UInt8] {
        guard let layout = layout(type), types.contains(type) else {
            throw LLMError.invalidParameter(name: "type", value: type, expected: "one of \(types.joined(separator: ", "))")
        }
        guard values.count % layout.blockSize == 0 else {
            throw LLMError.invalidParameter(name: "count", value: "\(values.count)",
                                            expected: "a multiple of \(layout.blockSize) for \(type)")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw LLMError.invalidParameter(name: "values[\(bad)]", value: "\(values[bad])", expected: "a finite number")
        }
        var out = [UInt8]()
        out.reserveCapacity(values.count / layout.blockSize * layout.blockBytes)
        switch type {
        case "f32": for v in values { put(v.bitPattern, &out) }
        case "f16": for (i, v) in values.enumerated() { try putHalf(v, &out, i) }
        case "bf16":
            for (i, v) in values.enumerated() {
                let h = bfloat16(v)
                guard h & 0x7F80 != 0x7F80 else {
                    throw LLMError.invalidParameter(name: "values[\(i)]", value: "\(v)", expected: "a magnitude that rounds to a finite bfloat16")
                }
                put(h, &out)
            }
        default:
            try values.withUnsafeBufferPointer { all in
                for b in 0..<(values.count / 32) {
                    let x = UnsafeBufferPointer(rebasing: all[(b * 32)..<(b * 32 + 32)])
                    switch type {
                    case "q8_0": try q8_0(x, &out, b * 32)
                    case "q4_0": try symmetric(x, levels: 16, &out, b * 32)
                    case "q5_0": try symmetric(x, levels: 32, &out, b * 32)
                    case "q4_1": try affine(x, levels: 16, &out, b * 32)
                    default: try affine(x, levels: 32, &out, b * 32)    // q5_1
                    }
                }
            }
        }
        return out
    }

    /// Decodes `count` values of `type` from `bytes` (which must hold exactly that many).
    public static func dequantize(_ bytes: [UInt8], as type: String, count: Int) throws -> [Float] {
        guard let layout = layout(type), readableTypes.contains(type) else {
            throw LLMError.invalidParameter(name: "type", value: type, expected: "one of \(readableTypes.joined(separator: ", "))")
        }
        guard count >= 0, let need = layout.rowBytes(count), need == bytes.count else {
            throw LLMError.invalidParameter(name: "bytes", value: "\(bytes.count) bytes",
                                            expected: "\(type) data for \(count) values (\(layout.rowBytes(max(count, 0)).map(String.init) ?? "a multiple of \(layout.blockSize)") bytes)")
        }
        return try bytes.withUnsafeBytes { try GGMLDequantize.float32($0, type: layout, count: count, name: "values", path: "") }
    }

    // MARK: - Block encoders

    static func layout(_ type: String) -> GGMLTypeLayout? {
        GGMLTypeLayout.table.values.first { $0.name == type }
    }

    private static func put<T: FixedWidthInteger>(_ v: T, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    /// Appends `v` as float16. ggml would store ±inf for |v| ≥ 65520 and decode the whole block as
    /// inf or NaN; that is refused instead, naming the first value of the block.
    private static func putHalf(_ v: Float, _ out: inout [UInt8], _ first: Int) throws {
        let h = Float16(v)
        guard h.isFinite else {
            throw LLMError.invalidParameter(name: "values[\(first)…]", value: "\(v)",
                                            expected: "magnitudes that fit a float16 scale (below 65520)")
        }
        put(h.bitPattern, &out)
    }

    /// ggml_compute_fp32_to_bf16 for finite values: round to nearest even on the top 16 bits.
    private static func bfloat16(_ v: Float) -> UInt16 {
        let n = v.bitPattern
        return UInt16(truncatingIfNeeded: (UInt64(n) + UInt64(0x7FFF + ((n >> 16) & 1))) >> 16)
    }

    /// The 1/d that multiplies every value (0 when the block is all zeros).
    private static func inverse(_ d: Float) -> Float { d == 0 ? 0 : 1 / d }

    private static func q8_0(_ x: UnsafeBufferPointer<Float>, _ out: inout [UInt8], _ first: Int) throws {
        let amax = x.reduce(Float(0)) { max($0, abs($1)) }
        let d = amax / 127, id = inverse(d)
        try putHalf(d, &out, first)
        // roundf: half away from zero; |x·id| ≤ 127 by construction.
        for v in x { out.append(UInt8(bitPattern: Int8((v * id).rounded(.toNearestOrAwayFromZero)))) }
    }

    /// q4_0 (levels 16) and q5_0 (32): d is the value of largest magnitude, sign kept, over
    /// −levels/2, so that value maps to code 0 and zero to levels/2.
    private static func symmetric(_ x: UnsafeBufferPointer<Float>, levels: Int, _ out: inout [UInt8], _ first: Int) throws {
        var amax: Float = 0, extreme: Float = 0
        for v in x where abs(v) > amax { amax = abs(v); extreme = v }
        let half = Float(levels / 2)
        let d = extreme / -half, id = inverse(d)
        try putHalf(d, &out, first)
        // x·id lies in [−half, half]: + half + 0.5 truncates to 0…levels, clipped to levels − 1.
        codes(x, levels: levels, &out) { min(levels - 1, Int(($0 * id + half + 0.5).rounded(.towardZero))) }
    }

    /// q4_1 (levels 16) and q5_1 (32): d = (max − min)/(levels − 1) and the minimum, codes from 0.
    private static func affine(_ x: UnsafeBufferPointer<Float>, levels: Int, _ out: inout [UInt8], _ first: Int) throws {
        let lo = x.min() ?? 0, hi = x.max() ?? 0
        let d = (hi - lo) / Float(levels - 1), id = inverse(d)
        try putHalf(d, &out, first)
        try putHalf(lo, &out, first)
        codes(x, levels: levels, &out) { min(levels - 1, Int((($0 - lo) * id + 0.5).rounded(.towardZero))) }
    }

    /// Packs 32 codes: low nibbles of values j and j + 16 share byte j; for 5-bit codes the fifth
    /// bits go first, as a little-endian 32-bit mask (bit j for value j).
    private static func codes(_ x: UnsafeBufferPointer<Float>, levels: Int, _ out: inout [UInt8], _ code: (Float) -> Int) {
        let q = x.map { UInt32(max(0, code($0))) }
        if levels == 32 {
            var high: UInt32 = 0
            for j in 0..<32 { high |= ((q[j] >> 4) & 1) << UInt32(j) }
            put(high, &out)
        }
        for j in 0..<16 { out.append(UInt8((q[j] & 0x0F) | ((q[j + 16] & 0x0F) << 4))) }
    }
}

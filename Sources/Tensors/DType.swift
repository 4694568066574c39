/// The element type of a ``Tensor``, chosen at run time as in NumPy and PyTorch.
///
/// Arithmetic is defined for `float32`, `float64`, `int32`, `int64` and `bool`.
/// `float16` and `bfloat16` are storage types: they can be created, loaded, saved and converted
/// with ``Tensor/to(_:)``; math on them promotes to `float32` first.
public enum DType: String, CaseIterable, Sendable, CustomStringConvertible {
    case float32, float64, int32, int64, bool, float16, bfloat16

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16: return 2
        case .bool: return 1
        }
    }

    /// True for the floating-point types (including the 16-bit storage types).
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16, .bfloat16: return true
        default: return false
        }
    }

    /// True for `int32` and `int64`.
    public var isInteger: Bool { self == .int32 || self == .int64 }

    /// The type math is carried out in: 16-bit floats compute in `float32`.
    public var computeType: DType {
        switch self {
        case .float16, .bfloat16: return .float32
        default: return self
        }
    }

    /// The dtype of a floating-point result (for `mean`, `exp`, `/`, ...): floats keep their type
    /// (16-bit floats compute in `float32`); integers and bools become `float64`, as in NumPy.
    public var floatingResultType: DType {
        switch self {
        case .float32, .float16, .bfloat16: return .float32
        case .float64: return .float64
        case .int32, .int64, .bool: return .float64
        }
    }

    public var description: String { rawValue }

    /// NumPy-like promotion of two dtypes for a binary operation.
    ///
    /// bool < int32 < int64 < float32 < float64, with NumPy's rule that mixing `int64` with
    /// `float32` gives `float64` and `int32` with `float32` gives `float64` (NumPy 2 semantics).
    public static func promote(_ a: DType, _ b: DType) -> DType {
        let a = a.computeType, b = b.computeType
        if a == b { return a }
        switch (a, b) {
        case (.bool, let x), (let x, .bool): return x
        case (.int32, .int64), (.int64, .int32): return .int64
        case (.float32, .float64), (.float64, .float32): return .float64
        case (.float32, .int32), (.int32, .float32), (.float32, .int64), (.int64, .float32): return .float64
        case (.float64, _), (_, .float64): return .float64
        default: return .float64
        }
    }

    /// NumPy's name for this dtype in `.npy` headers (little-endian), e.g. `<f4`.
    public var numpyDescr: String {
        switch self {
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .int32: return "<i4"
        case .int64: return "<i8"
        case .bool: return "|b1"
        case .float16: return "<f2"
        case .bfloat16: return "<V2"  // NumPy has no bfloat16; written as raw 2-byte void.
        }
    }

    /// The safetensors name of this dtype, e.g. `F32`.
    public var safetensorsName: String {
        switch self {
        case .float32: return "F32"
        case .float64: return "F64"
        case .int32: return "I32"
        case .int64: return "I64"
        case .bool: return "BOOL"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        }
    }
}

// MARK: - Half precision conversion (bit-exact, round-to-nearest-even; no platform Float16 needed)

/// Converts a `Float` to IEEE 754 binary16 bits with round-to-nearest-even.
@inlinable
public func floatToHalfBits(_ value: Float) -> UInt16 {
    let x = value.bitPattern
    let sign = UInt16((x >> 16) & 0x8000)
    let exp = Int((x >> 23) & 0xFF)
    var mant = x & 0x7F_FFFF
    if exp == 0xFF {  // inf or nan
        return sign | 0x7C00 | (mant != 0 ? 0x200 | UInt16(mant >> 13) : 0)
    }
    let e = exp - 127 + 15
    if e >= 0x1F { return sign | 0x7C00 }  // overflow -> inf
    if e <= 0 {  // subnormal or zero in half
        if e < -10 { return sign }
        mant |= 0x80_0000
        let shift = UInt32(14 - e)
        var h = mant >> shift
        let rem = mant & ((1 << shift) - 1)
        let half = UInt32(1) << (shift - 1)
        if rem > half || (rem == half && (h & 1) == 1) { h += 1 }
        return sign | UInt16(h)
    }
    var h = UInt32(e << 10) | (mant >> 13)
    let rem = mant & 0x1FFF
    if rem > 0x1000 || (rem == 0x1000 && (h & 1) == 1) { h += 1 }  // may carry into exponent: correct
    return sign | UInt16(truncatingIfNeeded: h)
}

/// Converts IEEE 754 binary16 bits to a `Float` (exact).
@inlinable
public func halfBitsToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exp = UInt32((h >> 10) & 0x1F)
    let mant = UInt32(h & 0x3FF)
    if exp == 0 {
        if mant == 0 { return Float(bitPattern: sign) }
        // subnormal: value = mant * 2^-24
        let v = Float(mant) * Float(bitPattern: 0x3380_0000)  // 2^-24
        return sign != 0 ? -v : v
    }
    if exp == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
    return Float(bitPattern: sign | ((exp + 112) << 23) | (mant << 13))
}

/// Converts a `Float` to bfloat16 bits with round-to-nearest-even (NaN stays NaN).
@inlinable
public func floatToBFloat16Bits(_ value: Float) -> UInt16 {
    let x = value.bitPattern
    if value.isNaN { return UInt16(x >> 16) | 0x40 }
    let rounding = 0x7FFF + ((x >> 16) & 1)
    return UInt16((x &+ rounding) >> 16)
}

/// Converts bfloat16 bits to a `Float` (exact).
@inlinable
public func bfloat16BitsToFloat(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

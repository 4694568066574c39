import RealModule

/// A Swift type that can be the element of a ``Tensor``: `Float`, `Double`, `Int32`, `Int64`
/// (`Int` maps to `int64`) and `Bool`.
public protocol TensorScalar: Sendable {
    /// The ``DType`` this Swift type stores as.
    static var dtype: DType { get }
    /// The value as a `Double` (for conversions and printing).
    var doubleValue: Double { get }
    /// The value as an `Int64` (floats truncate toward zero; NaN and out-of-range give `Int64.min`,
    /// as NumPy does, instead of trapping).
    var int64Value: Int64 { get }
    /// Creates the value from a `Double` (integers truncate toward zero; NaN/out-of-range → `min`).
    init(fromDouble value: Double)
    /// Creates the value from an `Int64` (wrapping for `Int32`, as NumPy's casts do).
    init(fromInt64 value: Int64)
}

/// A scalar with arithmetic: `Float`, `Double`, `Int32`, `Int64`.
public protocol NumericScalar: TensorScalar, Numeric, Comparable {
    /// Smallest representable value (−∞ for floats).
    static var lowest: Self { get }
    /// Largest representable value (+∞ for floats).
    static var highest: Self { get }
    /// a + b, wrapping on integer overflow (as NumPy does) instead of trapping.
    static func addWrapping(_ a: Self, _ b: Self) -> Self
    /// a − b, wrapping on integer overflow instead of trapping.
    static func subWrapping(_ a: Self, _ b: Self) -> Self
    /// a · b, wrapping on integer overflow instead of trapping.
    static func mulWrapping(_ a: Self, _ b: Self) -> Self
}

extension NumericScalar where Self: FloatScalar {
    @inlinable @inline(__always) public static func addWrapping(_ a: Self, _ b: Self) -> Self { a + b }
    @inlinable @inline(__always) public static func subWrapping(_ a: Self, _ b: Self) -> Self { a - b }
    @inlinable @inline(__always) public static func mulWrapping(_ a: Self, _ b: Self) -> Self { a * b }
}

extension NumericScalar where Self: FixedWidthInteger {
    @inlinable @inline(__always) public static func addWrapping(_ a: Self, _ b: Self) -> Self { a &+ b }
    @inlinable @inline(__always) public static func subWrapping(_ a: Self, _ b: Self) -> Self { a &- b }
    @inlinable @inline(__always) public static func mulWrapping(_ a: Self, _ b: Self) -> Self { a &* b }
}

/// A floating-point scalar: `Float` or `Double`.
public protocol FloatScalar: NumericScalar, BinaryFloatingPoint, Real {}

@inline(__always)
private func saturatingInt64(_ v: Double) -> Int64 {
    (v.isNaN || v >= 9.223372036854775807e18 || v < -9.223372036854775808e18) ? Int64.min : Int64(v)
}

extension Float: FloatScalar {
    public static var dtype: DType { .float32 }
    @inlinable public var doubleValue: Double { Double(self) }
    public var int64Value: Int64 { saturatingInt64(Double(self)) }
    @inlinable public init(fromDouble value: Double) { self = Float(value) }
    @inlinable public init(fromInt64 value: Int64) { self = Float(value) }
    @inlinable public static var lowest: Float { -.infinity }
    @inlinable public static var highest: Float { .infinity }
}

extension Double: FloatScalar {
    public static var dtype: DType { .float64 }
    @inlinable public var doubleValue: Double { self }
    public var int64Value: Int64 { saturatingInt64(self) }
    @inlinable public init(fromDouble value: Double) { self = value }
    @inlinable public init(fromInt64 value: Int64) { self = Double(value) }
    @inlinable public static var lowest: Double { -.infinity }
    @inlinable public static var highest: Double { .infinity }
}

extension Int32: NumericScalar {
    public static var dtype: DType { .int32 }
    @inlinable public var doubleValue: Double { Double(self) }
    @inlinable public var int64Value: Int64 { Int64(self) }
    public init(fromDouble value: Double) { self = Int32(truncatingIfNeeded: saturatingInt64(value)) }
    @inlinable public init(fromInt64 value: Int64) { self = Int32(truncatingIfNeeded: value) }
    @inlinable public static var lowest: Int32 { .min }
    @inlinable public static var highest: Int32 { .max }
}

extension Int64: NumericScalar {
    public static var dtype: DType { .int64 }
    @inlinable public var doubleValue: Double { Double(self) }
    @inlinable public var int64Value: Int64 { self }
    public init(fromDouble value: Double) { self = saturatingInt64(value) }
    @inlinable public init(fromInt64 value: Int64) { self = value }
    @inlinable public static var lowest: Int64 { .min }
    @inlinable public static var highest: Int64 { .max }
}

extension Bool: TensorScalar {
    public static var dtype: DType { .bool }
    @inlinable public var doubleValue: Double { self ? 1 : 0 }
    @inlinable public var int64Value: Int64 { self ? 1 : 0 }
    @inlinable public init(fromDouble value: Double) { self = value != 0 }
    @inlinable public init(fromInt64 value: Int64) { self = value != 0 }
}

/// `Int` is stored as `int64` (same size on 64-bit platforms), so `Tensor([1, 2, 3])` is `int64`.
extension Int: TensorScalar {
    public static var dtype: DType { .int64 }
    @inlinable public var doubleValue: Double { Double(self) }
    @inlinable public var int64Value: Int64 { Int64(self) }
    public init(fromDouble value: Double) { self = Int(Int64(fromDouble: value)) }
    @inlinable public init(fromInt64 value: Int64) { self = Int(value) }
}

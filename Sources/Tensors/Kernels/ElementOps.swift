import RealModule

// Per-element operations as types, not closures.
//
// The loops in Map.swift run inside `DispatchQueue.concurrentPerform`, an opaque call, so a
// closure handed to them would be captured and called indirectly for every element (measured:
// 2.6× slower than NumPy on a 10M-element add). A type parameter is different: generic
// specialization gives each (kernel, op) pair its own copy of the loop with `apply` inlined,
// which LLVM then vectorizes. Each op is one line; the math lives here, in one place.

/// An operation on one element.
protocol UnaryElementOp {
    associatedtype Input
    associatedtype Output
    static func apply(_ x: Input) -> Output
}

/// An operation on two elements.
protocol BinaryElementOp {
    associatedtype Left
    associatedtype Right
    associatedtype Output
    static func apply(_ a: Left, _ b: Right) -> Output
}

enum ElementOps {
    // MARK: Floating-point unary
    enum Exp<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { T.exp(x) } }
    enum Log<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { T.log(x) } }
    enum Log1p<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { T.log(onePlus: x) } }
    enum Expm1<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { T.expMinusOne(x) } }
    enum Sqrt<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { x.squareRoot() } }
    enum Rsqrt<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { 1 / x.squareRoot() } }
    enum Sin<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { T.sin(x) } }
    enum Cos<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { T.cos(x) } }
    enum Tan<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { T.tan(x) } }
    enum Tanh<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { T.tanh(x) } }
    enum Erf<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { T.erf(x) } }
    enum Reciprocal<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { 1 / x } }
    enum Floor<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { x.rounded(.down) } }
    enum Ceil<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { x.rounded(.up) } }
    enum Round<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { x.rounded(.toNearestOrEven) } }
    /// σ(x) = 1/(1 + e⁻ˣ), without overflow for large |x|.
    enum Sigmoid<T: FloatScalar>: UnaryElementOp {
        @inline(__always) static func apply(_ x: T) -> T {
            if x >= 0 { return 1 / (1 + T.exp(-x)) }
            let e = T.exp(x)
            return e / (1 + e)
        }
    }
    /// log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)), exact for large |x|.
    enum Softplus<T: FloatScalar>: UnaryElementOp {
        @inline(__always) static func apply(_ x: T) -> T { Swift.max(x, 0) + T.log(onePlus: T.exp(-Swift.abs(x))) }
    }
    /// x·Φ(x) with the exact normal CDF.
    enum Gelu<T: FloatScalar>: UnaryElementOp {
        @inline(__always) static func apply(_ x: T) -> T { x * (1 + T.erf(x * T(0.70710678118654752440))) / 2 }
    }
    /// The tanh approximation of GELU.
    enum GeluTanh<T: FloatScalar>: UnaryElementOp {
        @inline(__always) static func apply(_ x: T) -> T {
            x * (1 + T.tanh(T(0.79788456080286535588) * (x + T(0.044715) * x * x * x))) / 2
        }
    }

    // MARK: Numeric unary (integers wrap)
    enum Neg<T: NumericScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { T.subWrapping(0, x) } }
    enum Abs<T: NumericScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { x < 0 ? T.subWrapping(0, x) : x } }
    /// max(x, 0); NaN stays NaN.
    enum Relu<T: NumericScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { x > 0 || x != x ? x : 0 } }
    enum Square<T: NumericScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> T { T.mulWrapping(x, x) } }
    /// −1, 0, +1 (NaN and ±0 stay themselves).
    enum Sign<T: NumericScalar>: UnaryElementOp {
        @inline(__always) static func apply(_ x: T) -> T { x > 0 ? 1 : (x < 0 ? T.subWrapping(0, 1) : x) }
    }
    enum IsNaN<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> Bool { x.isNaN } }
    enum IsFinite<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> Bool { x.isFinite } }
    enum IsInfinite<T: FloatScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: T) -> Bool { x.isInfinite } }
    enum Not: UnaryElementOp { @inline(__always) static func apply(_ x: Bool) -> Bool { !x } }

    // MARK: Binary arithmetic (integers wrap, as NumPy's do)
    enum Add<T: NumericScalar>: BinaryElementOp { @inline(__always) static func apply(_ a: T, _ b: T) -> T { T.addWrapping(a, b) } }
    enum Sub<T: NumericScalar>: BinaryElementOp { @inline(__always) static func apply(_ a: T, _ b: T) -> T { T.subWrapping(a, b) } }
    enum Mul<T: NumericScalar>: BinaryElementOp { @inline(__always) static func apply(_ a: T, _ b: T) -> T { T.mulWrapping(a, b) } }
    enum Div<T: FloatScalar>: BinaryElementOp { @inline(__always) static func apply(_ a: T, _ b: T) -> T { a / b } }
    /// Maximum with NaN propagation (`a != a` folds away for integers).
    enum Maximum<T: NumericScalar>: BinaryElementOp {
        @inline(__always) static func apply(_ a: T, _ b: T) -> T { a != a ? a : (b != b ? b : Swift.max(a, b)) }
    }
    /// Minimum with NaN propagation.
    enum Minimum<T: NumericScalar>: BinaryElementOp {
        @inline(__always) static func apply(_ a: T, _ b: T) -> T { a != a ? a : (b != b ? b : Swift.min(a, b)) }
    }
    enum Atan2<T: FloatScalar>: BinaryElementOp { @inline(__always) static func apply(_ a: T, _ b: T) -> T { T.atan2(y: a, x: b) } }
    /// IEEE pow, with the cheap exponents special-cased and negative bases with integral exponents.
    enum Pow<T: FloatScalar>: BinaryElementOp {
        @inline(__always) static func apply(_ x: T, _ y: T) -> T {
            if y == 2 { return x * x }
            if y == 1 { return x }
            if y == 0.5 { return x.squareRoot() }
            if x < 0, y == y.rounded() {
                let r = T.pow(-x, y)
                return y.truncatingRemainder(dividingBy: 2) == 0 ? r : -r
            }
            return T.pow(x, y)
        }
    }
    /// Python's `//`: division rounded toward −∞.
    enum FloorDivide<T: FloatScalar>: BinaryElementOp { @inline(__always) static func apply(_ a: T, _ b: T) -> T { (a / b).rounded(.down) } }
    /// Python's `%`: the result has the sign of the divisor.
    enum Remainder<T: FloatScalar>: BinaryElementOp {
        @inline(__always) static func apply(_ a: T, _ b: T) -> T {
            let r = a.truncatingRemainder(dividingBy: b)
            return (r != 0 && (r < 0) != (b < 0)) ? r + b : r
        }
    }
    /// Integer power by squaring, wrapping; negative exponents give 0 except for bases ±1.
    enum PowInt<T: FixedWidthInteger & NumericScalar>: BinaryElementOp {
        @inline(__always) static func apply(_ x: T, _ y: T) -> T {
            if y < 0 { return x == 1 ? 1 : (x == 0 &- 1 ? (y & 1 == 0 ? 1 : x) : 0) }
            var result: T = 1, base = x, e = y
            while e > 0 {
                if e & 1 == 1 { result = result &* base }
                base = base &* base
                e >>= 1
            }
            return result
        }
    }
    /// Integer `//` (toward −∞); division by zero gives 0, as NumPy does (with a warning there).
    enum FloorDivideInt<T: FixedWidthInteger & NumericScalar>: BinaryElementOp {
        @inline(__always) static func apply(_ x: T, _ y: T) -> T {
            if y == 0 { return 0 }
            if y == 0 &- 1 { return 0 &- x }
            let q = x / y
            return (x % y != 0 && ((x < 0) != (y < 0))) ? q &- 1 : q
        }
    }
    /// Integer `%` with the sign of the divisor; by zero gives 0.
    enum RemainderInt<T: FixedWidthInteger & NumericScalar>: BinaryElementOp {
        @inline(__always) static func apply(_ x: T, _ y: T) -> T {
            if y == 0 || y == 0 &- 1 { return 0 }
            let r = x % y
            return (r != 0 && ((r < 0) != (y < 0))) ? r &+ y : r
        }
    }

    // MARK: Comparison and logic
    enum Equal<T: NumericScalar>: BinaryElementOp { @inline(__always) static func apply(_ a: T, _ b: T) -> Bool { a == b } }
    enum NotEqual<T: NumericScalar>: BinaryElementOp { @inline(__always) static func apply(_ a: T, _ b: T) -> Bool { a != b } }
    enum Less<T: NumericScalar>: BinaryElementOp { @inline(__always) static func apply(_ a: T, _ b: T) -> Bool { a < b } }
    enum LessEqual<T: NumericScalar>: BinaryElementOp { @inline(__always) static func apply(_ a: T, _ b: T) -> Bool { a <= b } }
    enum Greater<T: NumericScalar>: BinaryElementOp { @inline(__always) static func apply(_ a: T, _ b: T) -> Bool { a > b } }
    enum GreaterEqual<T: NumericScalar>: BinaryElementOp { @inline(__always) static func apply(_ a: T, _ b: T) -> Bool { a >= b } }
    enum And: BinaryElementOp { @inline(__always) static func apply(_ a: Bool, _ b: Bool) -> Bool { a && b } }
    enum Or: BinaryElementOp { @inline(__always) static func apply(_ a: Bool, _ b: Bool) -> Bool { a || b } }
    enum Xor: BinaryElementOp { @inline(__always) static func apply(_ a: Bool, _ b: Bool) -> Bool { a != b } }

    // MARK: Conversions
    enum ToFloat<S: TensorScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: S) -> Float { Float(fromDouble: x.doubleValue) } }
    enum ToDouble<S: TensorScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: S) -> Double { x.doubleValue } }
    enum ToInt32<S: TensorScalar>: UnaryElementOp {
        @inline(__always) static func apply(_ x: S) -> Int32 {
            S.dtype.isFloatingPoint ? Int32(fromDouble: x.doubleValue) : Int32(truncatingIfNeeded: x.int64Value)
        }
    }
    enum ToInt64<S: TensorScalar>: UnaryElementOp { @inline(__always) static func apply(_ x: S) -> Int64 { x.int64Value } }
    /// Non-zero (and NaN) is true, as NumPy's cast.
    enum ToBool<S: TensorScalar>: UnaryElementOp {
        @inline(__always) static func apply(_ x: S) -> Bool { let d = x.doubleValue; return d != 0 || d.isNaN }
    }
    enum HalfToFloat: UnaryElementOp { @inline(__always) static func apply(_ x: UInt16) -> Float { halfBitsToFloat(x) } }
    enum FloatToHalf: UnaryElementOp { @inline(__always) static func apply(_ x: Float) -> UInt16 { floatToHalfBits(x) } }
    enum BFloat16ToFloat: UnaryElementOp { @inline(__always) static func apply(_ x: UInt16) -> Float { bfloat16BitsToFloat(x) } }
    enum FloatToBFloat16: UnaryElementOp { @inline(__always) static func apply(_ x: Float) -> UInt16 { floatToBFloat16Bits(x) } }
}

import CSwiftLearnKernels
import RealModule

/// Unary operations on floating-point tensors (integers are promoted to float64 first).
enum UnaryFloatOp {
    case exp, log, log1p, expm1, sqrt, rsqrt, sin, cos, tan, tanh, sigmoid, softplus, erf, gelu, geluTanh
    case reciprocal, floor, ceil, round

    /// Relative cost per element, for deciding when to split work across cores.
    var cost: Int {
        switch self {
        case .floor, .ceil, .round, .reciprocal, .sqrt, .rsqrt: return 2
        default: return 16
        }
    }
}

/// Unary operations that keep the dtype of numeric tensors.
enum UnaryNumericOp { case neg, abs, relu, square, sign }

/// Binary arithmetic operations.
enum BinaryOp: String {
    case add, sub, mul, div, pow, maximum, minimum, floorDivide, remainder, atan2
}

/// Comparison operations (bool output).
enum CompareOp: String { case eq, ne, lt, le, gt, ge }

extension Kernels {
    // MARK: Unary

    static func unaryFloat(_ x: Tensor, _ op: UnaryFloatOp) -> Tensor {
        let x = x.dtype.isFloatingPoint && x.dtype == x.dtype.computeType ? x : x.to(x.dtype.floatingResultType)
        if x.isContiguous, let fast = fastUnary(x, op) { return fast }
        switch x.dtype {
        case .float32: return unaryFloat(x, Float.self, op)
        default: return unaryFloat(x, Double.self, op)
        }
    }

    /// The C SIMD kernels for the common contiguous cases (run on all cores for large inputs).
    private static func fastUnary(_ x: Tensor, _ op: UnaryFloatOp) -> Tensor? {
        typealias F32 = (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
        typealias F64 = (UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, Int) -> Void
        func run<T>(_ t: T.Type, _ k: (UnsafePointer<T>?, UnsafeMutablePointer<T>?, Int) -> Void) -> Tensor {
            let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
            let src = UnsafePointer(x.pointer(as: T.self)), dst = out.pointer(as: T.self)
            Parallel.forRange(x.count, cost: op.cost) { s, e in k(src + s, dst + s, e - s) }
            return out
        }
        switch (x.dtype, op) {
        case (.float32, .exp): return run(Float.self, sl_exp_f32)
        case (.float32, .log): return run(Float.self, sl_log_f32)
        case (.float32, .tanh): return run(Float.self, sl_tanh_f32)
        case (.float32, .sigmoid): return run(Float.self, sl_sigmoid_f32)
        case (.float64, .exp): return run(Double.self, sl_exp_f64)
        case (.float64, .log): return run(Double.self, sl_log_f64)
        default: return nil
        }
    }

    @inline(__always)
    private static func unaryFloat<T: FloatScalar>(_ x: Tensor, _: T.Type, _ op: UnaryFloatOp) -> Tensor {
        let d = T.dtype, c = op.cost
        switch op {
        case .exp: return map1(x, d, cost: c) { (v: T) in T.exp(v) }
        case .log: return map1(x, d, cost: c) { (v: T) in T.log(v) }
        case .log1p: return map1(x, d, cost: c) { (v: T) in T.log(onePlus: v) }
        case .expm1: return map1(x, d, cost: c) { (v: T) in T.expMinusOne(v) }
        case .sqrt: return map1(x, d, cost: c) { (v: T) in v.squareRoot() }
        case .rsqrt: return map1(x, d, cost: c) { (v: T) in 1 / v.squareRoot() }
        case .sin: return map1(x, d, cost: c) { (v: T) in T.sin(v) }
        case .cos: return map1(x, d, cost: c) { (v: T) in T.cos(v) }
        case .tan: return map1(x, d, cost: c) { (v: T) in T.tan(v) }
        case .tanh: return map1(x, d, cost: c) { (v: T) in T.tanh(v) }
        case .sigmoid: return map1(x, d, cost: c) { (v: T) in stableSigmoid(v) }
        case .softplus:
            // log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)), exact for large |x|.
            return map1(x, d, cost: c) { (v: T) in Swift.max(v, 0) + T.log(onePlus: T.exp(-Swift.abs(v))) }
        case .erf: return map1(x, d, cost: c) { (v: T) in T.erf(v) }
        case .gelu:
            return map1(x, d, cost: c) { (v: T) in v * (1 + T.erf(v * T(0.70710678118654752440))) / 2 }
        case .geluTanh:
            return map1(x, d, cost: c) { (v: T) -> T in
                let inner = T(0.79788456080286535588) * (v + T(0.044715) * v * v * v)
                return v * (1 + T.tanh(inner)) / 2
            }
        case .reciprocal: return map1(x, d, cost: c) { (v: T) in 1 / v }
        case .floor: return map1(x, d, cost: c) { (v: T) in v.rounded(.down) }
        case .ceil: return map1(x, d, cost: c) { (v: T) in v.rounded(.up) }
        case .round: return map1(x, d, cost: c) { (v: T) in v.rounded(.toNearestOrEven) }
        }
    }

    @inline(__always)
    static func stableSigmoid<T: FloatScalar>(_ v: T) -> T {
        if v >= 0 { return 1 / (1 + T.exp(-v)) }
        let e = T.exp(v)
        return e / (1 + e)
    }

    static func unaryNumeric(_ x: Tensor, _ op: UnaryNumericOp) -> Tensor {
        let x = x.dtype == .bool || x.dtype != x.dtype.computeType ? x.to(x.dtype == .bool ? .int64 : .float32) : x
        switch x.dtype {
        case .float32: return unaryFloatNumeric(x, Float.self, op)
        case .float64: return unaryFloatNumeric(x, Double.self, op)
        case .int32: return unaryInt(x, Int32.self, op)
        default: return unaryInt(x, Int64.self, op)
        }
    }

    @inline(__always)
    private static func unaryFloatNumeric<T: FloatScalar>(_ x: Tensor, _: T.Type, _ op: UnaryNumericOp) -> Tensor {
        let d = T.dtype
        switch op {
        case .neg: return map1(x, d) { (v: T) in -v }
        case .abs: return map1(x, d) { (v: T) in Swift.abs(v) }
        case .relu: return map1(x, d) { (v: T) in v > 0 ? v : (v.isNaN ? v : 0) }
        case .square: return map1(x, d) { (v: T) in v * v }
        case .sign: return map1(x, d) { (v: T) in v > 0 ? 1 : (v < 0 ? -1 : v) }
        }
    }

    @inline(__always)
    private static func unaryInt<T: FixedWidthInteger & NumericScalar>(_ x: Tensor, _: T.Type, _ op: UnaryNumericOp) -> Tensor {
        let d = T.dtype
        switch op {
        case .neg: return map1(x, d) { (v: T) in 0 &- v }
        case .abs: return map1(x, d) { (v: T) in v < 0 ? 0 &- v : v }
        case .relu: return map1(x, d) { (v: T) in v > 0 ? v : 0 }
        case .square: return map1(x, d) { (v: T) in v &* v }
        case .sign: return map1(x, d) { (v: T) in v > 0 ? 1 : (v < 0 ? 0 &- 1 : 0) }
        }
    }

    // MARK: Binary

    /// The dtype `op` computes in for operands of dtypes `a` and `b`.
    static func resultType(_ op: BinaryOp, _ a: DType, _ b: DType) -> DType {
        var t = DType.promote(a, b)
        if t == .bool { t = .int64 }
        switch op {
        case .div, .atan2: return t.isFloatingPoint ? t : .float64
        default: return t
        }
    }

    static func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOp) -> Tensor {
        let t = resultType(op, a.dtype, b.dtype)
        let a = a.to(t), b = b.to(t)
        switch t {
        case .float32: return binaryFloat(a, b, Float.self, op)
        case .float64: return binaryFloat(a, b, Double.self, op)
        case .int32: return binaryInt(a, b, Int32.self, op)
        default: return binaryInt(a, b, Int64.self, op)
        }
    }

    @inline(__always)
    private static func binaryFloat<T: FloatScalar>(_ a: Tensor, _ b: Tensor, _: T.Type, _ op: BinaryOp) -> Tensor {
        let d = T.dtype, name = op.rawValue
        switch op {
        case .add: return map2(a, b, d, op: name) { (x: T, y: T) in x + y }
        case .sub: return map2(a, b, d, op: name) { (x: T, y: T) in x - y }
        case .mul: return map2(a, b, d, op: name) { (x: T, y: T) in x * y }
        case .div: return map2(a, b, d, op: name) { (x: T, y: T) in x / y }
        case .pow: return map2(a, b, d, op: name, cost: 16) { (x: T, y: T) in powFloat(x, y) }
        case .maximum: return map2(a, b, d, op: name) { (x: T, y: T) in x.isNaN || y.isNaN ? T.nan : Swift.max(x, y) }
        case .minimum: return map2(a, b, d, op: name) { (x: T, y: T) in x.isNaN || y.isNaN ? T.nan : Swift.min(x, y) }
        case .floorDivide: return map2(a, b, d, op: name) { (x: T, y: T) in (x / y).rounded(.down) }
        case .remainder:
            // Python/NumPy modulo: result has the sign of the divisor.
            return map2(a, b, d, op: name) { (x: T, y: T) -> T in
                let r = x.truncatingRemainder(dividingBy: y)
                return (r != 0 && (r < 0) != (y < 0)) ? r + y : r
            }
        case .atan2: return map2(a, b, d, op: name, cost: 16) { (x: T, y: T) in T.atan2(y: x, x: y) }
        }
    }

    @inline(__always)
    static func powFloat<T: FloatScalar>(_ x: T, _ y: T) -> T {
        if y == 2 { return x * x }
        if y == 1 { return x }
        if y == 0.5 { return x.squareRoot() }
        // IEEE pow semantics (negative base with integral exponent is defined).
        if x < 0, y == y.rounded() {
            let r = T.pow(-x, y)
            return y.truncatingRemainder(dividingBy: 2) == 0 ? r : -r
        }
        return T.pow(x, y)
    }

    @inline(__always)
    private static func binaryInt<T: FixedWidthInteger & NumericScalar>(_ a: Tensor, _ b: Tensor, _: T.Type, _ op: BinaryOp) -> Tensor {
        let d = T.dtype, name = op.rawValue
        switch op {
        case .add: return map2(a, b, d, op: name) { (x: T, y: T) in x &+ y }
        case .sub: return map2(a, b, d, op: name) { (x: T, y: T) in x &- y }
        case .mul: return map2(a, b, d, op: name) { (x: T, y: T) in x &* y }
        case .pow:
            return map2(a, b, d, op: name) { (x: T, y: T) -> T in
                // Exponentiation by squaring with wrapping; negative exponents give 0 (except ±1 bases).
                if y < 0 { return x == 1 ? 1 : (x == 0 &- 1 ? (y & 1 == 0 ? 1 : x) : 0) }
                var result: T = 1, base = x, e = y
                while e > 0 {
                    if e & 1 == 1 { result = result &* base }
                    base = base &* base
                    e >>= 1
                }
                return result
            }
        case .maximum: return map2(a, b, d, op: name) { (x: T, y: T) in Swift.max(x, y) }
        case .minimum: return map2(a, b, d, op: name) { (x: T, y: T) in Swift.min(x, y) }
        case .floorDivide:
            // NumPy: division by zero gives 0 (with a warning there); floor rounding toward −∞.
            return map2(a, b, d, op: name) { (x: T, y: T) -> T in
                if y == 0 { return 0 }
                if y == 0 &- 1 { return 0 &- x }
                let q = x / y
                return (x % y != 0 && ((x < 0) != (y < 0))) ? q &- 1 : q
            }
        case .remainder:
            return map2(a, b, d, op: name) { (x: T, y: T) -> T in
                if y == 0 || y == 0 &- 1 { return 0 }
                let r = x % y
                return (r != 0 && ((r < 0) != (y < 0))) ? r &+ y : r
            }
        case .div, .atan2: fatalError("unreachable: \(op) computes in floating point")
        }
    }

    // MARK: Comparison

    static func compare(_ a: Tensor, _ b: Tensor, _ op: CompareOp) -> Tensor {
        let t = DType.promote(a.dtype, b.dtype)
        let a = a.to(t), b = b.to(t)
        switch t {
        case .float32: return compare(a, b, Float.self, op)
        case .float64: return compare(a, b, Double.self, op)
        case .int32: return compare(a, b, Int32.self, op)
        case .int64: return compare(a, b, Int64.self, op)
        default:
            return compare(a.to(.int32), b.to(.int32), Int32.self, op)
        }
    }

    @inline(__always)
    private static func compare<T: NumericScalar>(_ a: Tensor, _ b: Tensor, _: T.Type, _ op: CompareOp) -> Tensor {
        let name = op.rawValue
        switch op {
        case .eq: return map2(a, b, .bool, op: name) { (x: T, y: T) in x == y }
        case .ne: return map2(a, b, .bool, op: name) { (x: T, y: T) in x != y }
        case .lt: return map2(a, b, .bool, op: name) { (x: T, y: T) in x < y }
        case .le: return map2(a, b, .bool, op: name) { (x: T, y: T) in x <= y }
        case .gt: return map2(a, b, .bool, op: name) { (x: T, y: T) in x > y }
        case .ge: return map2(a, b, .bool, op: name) { (x: T, y: T) in x >= y }
        }
    }
}

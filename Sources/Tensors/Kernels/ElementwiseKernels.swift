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
        case .exp: return map1(x, d, cost: c, ElementOps.Exp<T>.self)
        case .log: return map1(x, d, cost: c, ElementOps.Log<T>.self)
        case .log1p: return map1(x, d, cost: c, ElementOps.Log1p<T>.self)
        case .expm1: return map1(x, d, cost: c, ElementOps.Expm1<T>.self)
        case .sqrt: return map1(x, d, cost: c, ElementOps.Sqrt<T>.self)
        case .rsqrt: return map1(x, d, cost: c, ElementOps.Rsqrt<T>.self)
        case .sin: return map1(x, d, cost: c, ElementOps.Sin<T>.self)
        case .cos: return map1(x, d, cost: c, ElementOps.Cos<T>.self)
        case .tan: return map1(x, d, cost: c, ElementOps.Tan<T>.self)
        case .tanh: return map1(x, d, cost: c, ElementOps.Tanh<T>.self)
        case .sigmoid: return map1(x, d, cost: c, ElementOps.Sigmoid<T>.self)
        case .softplus: return map1(x, d, cost: c, ElementOps.Softplus<T>.self)
        case .erf: return map1(x, d, cost: c, ElementOps.Erf<T>.self)
        case .gelu: return map1(x, d, cost: c, ElementOps.Gelu<T>.self)
        case .geluTanh: return map1(x, d, cost: c, ElementOps.GeluTanh<T>.self)
        case .reciprocal: return map1(x, d, cost: c, ElementOps.Reciprocal<T>.self)
        case .floor: return map1(x, d, cost: c, ElementOps.Floor<T>.self)
        case .ceil: return map1(x, d, cost: c, ElementOps.Ceil<T>.self)
        case .round: return map1(x, d, cost: c, ElementOps.Round<T>.self)
        }
    }

    static func unaryNumeric(_ x: Tensor, _ op: UnaryNumericOp) -> Tensor {
        let x = x.dtype == .bool || x.dtype != x.dtype.computeType ? x.to(x.dtype == .bool ? .int64 : .float32) : x
        switch x.dtype {
        case .float32: return unaryNumeric(x, Float.self, op)
        case .float64: return unaryNumeric(x, Double.self, op)
        case .int32: return unaryNumeric(x, Int32.self, op)
        default: return unaryNumeric(x, Int64.self, op)
        }
    }

    @inline(__always)
    private static func unaryNumeric<T: NumericScalar>(_ x: Tensor, _: T.Type, _ op: UnaryNumericOp) -> Tensor {
        let d = T.dtype
        switch op {
        case .neg: return map1(x, d, ElementOps.Neg<T>.self)
        case .abs: return map1(x, d, ElementOps.Abs<T>.self)
        case .relu: return map1(x, d, ElementOps.Relu<T>.self)
        case .square: return map1(x, d, ElementOps.Square<T>.self)
        case .sign: return map1(x, d, ElementOps.Sign<T>.self)
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
        case .add: return map2(a, b, d, op: name, ElementOps.Add<T>.self)
        case .sub: return map2(a, b, d, op: name, ElementOps.Sub<T>.self)
        case .mul: return map2(a, b, d, op: name, ElementOps.Mul<T>.self)
        case .div: return map2(a, b, d, op: name, ElementOps.Div<T>.self)
        case .pow: return map2(a, b, d, op: name, cost: 16, ElementOps.Pow<T>.self)
        case .maximum: return map2(a, b, d, op: name, ElementOps.Maximum<T>.self)
        case .minimum: return map2(a, b, d, op: name, ElementOps.Minimum<T>.self)
        case .floorDivide: return map2(a, b, d, op: name, ElementOps.FloorDivide<T>.self)
        case .remainder: return map2(a, b, d, op: name, ElementOps.Remainder<T>.self)
        case .atan2: return map2(a, b, d, op: name, cost: 16, ElementOps.Atan2<T>.self)
        }
    }

    @inline(__always)
    private static func binaryInt<T: FixedWidthInteger & NumericScalar>(_ a: Tensor, _ b: Tensor, _: T.Type, _ op: BinaryOp) -> Tensor {
        let d = T.dtype, name = op.rawValue
        switch op {
        case .add: return map2(a, b, d, op: name, ElementOps.Add<T>.self)
        case .sub: return map2(a, b, d, op: name, ElementOps.Sub<T>.self)
        case .mul: return map2(a, b, d, op: name, ElementOps.Mul<T>.self)
        case .pow: return map2(a, b, d, op: name, ElementOps.PowInt<T>.self)
        case .maximum: return map2(a, b, d, op: name, ElementOps.Maximum<T>.self)
        case .minimum: return map2(a, b, d, op: name, ElementOps.Minimum<T>.self)
        case .floorDivide: return map2(a, b, d, op: name, ElementOps.FloorDivideInt<T>.self)
        case .remainder: return map2(a, b, d, op: name, ElementOps.RemainderInt<T>.self)
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
        case .eq: return map2(a, b, .bool, op: name, ElementOps.Equal<T>.self)
        case .ne: return map2(a, b, .bool, op: name, ElementOps.NotEqual<T>.self)
        case .lt: return map2(a, b, .bool, op: name, ElementOps.Less<T>.self)
        case .le: return map2(a, b, .bool, op: name, ElementOps.LessEqual<T>.self)
        case .gt: return map2(a, b, .bool, op: name, ElementOps.Greater<T>.self)
        case .ge: return map2(a, b, .bool, op: name, ElementOps.GreaterEqual<T>.self)
        }
    }
}

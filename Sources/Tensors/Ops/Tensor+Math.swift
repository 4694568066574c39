import Foundation

// Elementwise math with NumPy broadcasting and type promotion. Each differentiable op states its
// derivative right beside it (micrograd style); gradients of broadcast inputs are summed back to
// the input's shape by the autograd engine.

precedencegroup PowerPrecedence {
    higherThan: MultiplicationPrecedence
    associativity: right
}
/// Elementwise power: `x ** 2`, `x ** y`.
infix operator **: PowerPrecedence

extension Tensor {
    // MARK: - Unary, floating point

    private func floatOp(_ op: UnaryFloatOp, _ name: String, _ derivative: @escaping (_ x: Tensor, _ y: Tensor, _ g: Tensor) -> Tensor) -> Tensor {
        let y = Kernels.unaryFloat(self, op)
        let x = detached()
        return recordUnary(y, self, name) { g in derivative(x, y, g) }
    }

    /// eˣ. d/dx = eˣ.
    public func exp() -> Tensor { floatOp(.exp, "exp") { _, y, g in g * y } }
    /// Natural logarithm. d/dx = 1/x.
    public func log() -> Tensor { floatOp(.log, "log") { x, _, g in g / x } }
    /// log(1 + x), accurate near 0. d/dx = 1/(1 + x).
    public func log1p() -> Tensor { floatOp(.log1p, "log1p") { x, _, g in g / (x + 1) } }
    /// eˣ − 1, accurate near 0. d/dx = eˣ.
    public func expm1() -> Tensor { floatOp(.expm1, "expm1") { _, y, g in g * (y + 1) } }
    /// √x. d/dx = 1/(2√x).
    public func sqrt() -> Tensor { floatOp(.sqrt, "sqrt") { _, y, g in g / (y * 2) } }
    /// 1/√x. d/dx = −½ x^(−3/2).
    public func rsqrt() -> Tensor { floatOp(.rsqrt, "rsqrt") { x, y, g in g * y * -0.5 / x } }
    /// sin x. d/dx = cos x.
    public func sin() -> Tensor { floatOp(.sin, "sin") { x, _, g in g * x.cos() } }
    /// cos x. d/dx = −sin x.
    public func cos() -> Tensor { floatOp(.cos, "cos") { x, _, g in -(g * x.sin()) } }
    /// tan x. d/dx = 1 + tan² x.
    public func tan() -> Tensor { floatOp(.tan, "tan") { _, y, g in g * (y * y + 1) } }
    /// tanh x. d/dx = 1 − tanh² x.
    public func tanh() -> Tensor { floatOp(.tanh, "tanh") { _, y, g in g * (1 - y * y) } }
    /// The logistic function 1/(1 + e⁻ˣ), computed stably. d/dx = σ(x)(1 − σ(x)).
    public func sigmoid() -> Tensor { floatOp(.sigmoid, "sigmoid") { _, y, g in g * y * (1 - y) } }
    /// log(1 + eˣ), computed stably. d/dx = σ(x).
    public func softplus() -> Tensor { floatOp(.softplus, "softplus") { x, _, g in g * x.sigmoid() } }
    /// The error function. d/dx = 2/√π · e^(−x²).
    public func erf() -> Tensor {
        floatOp(.erf, "erf") { x, _, g in g * (-(x * x)).exp() * (2 / Double.pi.squareRoot()) }
    }
    /// GELU: x·Φ(x) with the exact normal CDF (PyTorch's default), or the tanh approximation.
    /// d/dx = Φ(x) + x·φ(x) (exact form).
    public func gelu(approximateTanh: Bool = false) -> Tensor {
        if approximateTanh {
            return floatOp(.geluTanh, "gelu") { x, _, g in
                let k = (2 / Double.pi).squareRoot()
                let inner = (x + x * x * x * 0.044715) * k
                let t = inner.tanh()
                let dInner = (x * x * (3 * 0.044715) + 1) * k
                return g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * dInner)
            }
        }
        return floatOp(.gelu, "gelu") { x, _, g in
            let cdf = ((x * (1 / 2.0.squareRoot())).erf() + 1) * 0.5
            let pdf = (x * x * -0.5).exp() * (1 / (2 * Double.pi).squareRoot())
            return g * (cdf + x * pdf)
        }
    }
    /// SiLU / swish: x·σ(x). d/dx = σ(x)(1 + x(1 − σ(x))).
    public func silu() -> Tensor { self * sigmoid() }
    /// 1/x. d/dx = −1/x².
    public func reciprocal() -> Tensor { floatOp(.reciprocal, "reciprocal") { _, y, g in -(g * y * y) } }
    /// Largest integer ≤ x (zero gradient).
    public func floor() -> Tensor { dtype.isFloatingPoint ? floatOp(.floor, "floor") { x, _, _ in Tensor.zeros(like: x) } : self }
    /// Smallest integer ≥ x (zero gradient).
    public func ceil() -> Tensor { dtype.isFloatingPoint ? floatOp(.ceil, "ceil") { x, _, _ in Tensor.zeros(like: x) } : self }
    /// Nearest integer, ties to even as NumPy (zero gradient).
    public func rounded() -> Tensor { dtype.isFloatingPoint ? floatOp(.round, "round") { x, _, _ in Tensor.zeros(like: x) } : self }

    // MARK: - Unary, numeric (keeps integer dtypes)

    private func numericOp(_ op: UnaryNumericOp, _ name: String, _ derivative: @escaping (_ x: Tensor, _ g: Tensor) -> Tensor) -> Tensor {
        let y = Kernels.unaryNumeric(self, op)
        let x = detached()
        return recordUnary(y, self, name) { g in derivative(x, g) }
    }

    /// −x.
    public static prefix func - (x: Tensor) -> Tensor { x.numericOp(.neg, "neg") { _, g in -g } }
    /// |x|. d/dx = sign(x).
    public func abs() -> Tensor { numericOp(.abs, "abs") { x, g in g * x.sign() } }
    /// max(x, 0). d/dx = 1 where x > 0.
    public func relu() -> Tensor { numericOp(.relu, "relu") { x, g in g * (x .> 0).to(g.dtype) } }
    /// x². d/dx = 2x.
    public func square() -> Tensor { numericOp(.square, "square") { x, g in g * x * 2 } }
    /// −1, 0 or +1 by the sign of x (zero gradient).
    public func sign() -> Tensor { numericOp(.sign, "sign") { x, _ in Tensor.zeros(like: x) } }

    /// Clamps to `[min, max]` (either may be nil). d/dx = 1 inside the interval, 0 outside.
    public func clamp(min lo: Double? = nil, max hi: Double? = nil) -> Tensor {
        var y = detached()
        if let lo { y = Kernels.binary(y, Tensor.weakScalar(lo, like: y), .maximum) }
        if let hi { y = Kernels.binary(y, Tensor.weakScalar(hi, like: y), .minimum) }
        let x = detached()
        return recordUnary(y, self, "clamp") { g in
            var mask = Tensor.ones(like: g)
            if let lo { mask = mask * (x .>= lo).to(g.dtype) }
            if let hi { mask = mask * (x .<= hi).to(g.dtype) }
            return g * mask
        }
    }

    // MARK: - Binary

    /// A 0-d tensor for a Swift number combined with `other`, typed as NumPy 2 types Python
    /// scalars ("weak" typing): it takes the tensor's dtype unless a float meets an integer tensor.
    static func weakScalar(_ v: Double, like other: Tensor) -> Tensor {
        let t: DType
        if other.dtype.isFloatingPoint { t = other.dtype.computeType }
        else if v == v.rounded() && Swift.abs(v) < 9e15 { t = other.dtype == .bool ? .int64 : other.dtype }
        else { t = .float64 }
        return Tensor(v, dtype: t)
    }

    static func binaryOp(_ a: Tensor, _ b: Tensor, _ op: BinaryOp,
                         _ derivative: @escaping (_ a: Tensor, _ b: Tensor, _ y: Tensor, _ g: Tensor, _ needA: Bool, _ needB: Bool) -> [Tensor?]) -> Tensor {
        let y = Kernels.binary(a, b, op)
        guard GradMode.isEnabled, a.node != nil || b.node != nil else { return y }
        let ad = a.detached(), bd = b.detached()
        let needA = a.node != nil, needB = b.node != nil
        return record(y, [a, b], op.rawValue) { g in derivative(ad, bd, y, g, needA, needB) }
    }

    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { binaryOp(a, b, .add) { _, _, _, g, _, _ in [g, g] } }
    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { binaryOp(a, b, .sub) { _, _, _, g, _, nb in [g, nb ? -g : nil] } }
    /// Elementwise product with broadcasting. d/da = b, d/db = a.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binaryOp(a, b, .mul) { a, b, _, g, na, nb in [na ? g * b : nil, nb ? g * a : nil] }
    }
    /// Elementwise true division (integers give float64, as NumPy). d/da = 1/b, d/db = −a/b².
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binaryOp(a, b, .div) { a, b, _, g, na, nb in [na ? g / b : nil, nb ? -(g * a / (b * b)) : nil] }
    }
    /// Elementwise power. d/da = b·a^(b−1), d/db = aᵇ·log a.
    public static func ** (a: Tensor, b: Tensor) -> Tensor {
        binaryOp(a, b, .pow) { a, b, y, g, na, nb in
            [na ? g * b * (a ** (b - 1)) : nil, nb ? g * y * a.log() : nil]
        }
    }
    /// Elementwise maximum (NaN propagates). The gradient goes to the larger input; ties split it.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        binaryOp(a, b, .maximum) { a, b, _, g, _, _ in
            let wa = (a .> b).to(g.dtype) + (a .== b).to(g.dtype) * 0.5
            return [g * wa, g * (1 - wa)]
        }
    }
    /// Elementwise minimum (NaN propagates). The gradient goes to the smaller input; ties split it.
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        binaryOp(a, b, .minimum) { a, b, _, g, _, _ in
            let wa = (a .< b).to(g.dtype) + (a .== b).to(g.dtype) * 0.5
            return [g * wa, g * (1 - wa)]
        }
    }
    /// Floor division (rounding toward −∞, as Python's `//`). Not differentiable.
    public static func floorDivide(_ a: Tensor, _ b: Tensor) -> Tensor { Kernels.binary(a.detached(), b.detached(), .floorDivide) }
    /// Remainder with the sign of the divisor (Python's `%`). d/da = 1.
    public static func remainder(_ a: Tensor, _ b: Tensor) -> Tensor {
        binaryOp(a, b, .remainder) { a, b, _, g, _, nb in [g, nb ? -(g * floorDivide(a, b).to(g.dtype)) : nil] }
    }
    /// atan2(a, b), the angle of the point (b, a). d/da = b/(a²+b²), d/db = −a/(a²+b²).
    public static func atan2(_ a: Tensor, _ b: Tensor) -> Tensor {
        binaryOp(a, b, .atan2) { a, b, _, g, _, _ in
            let r = a * a + b * b
            return [g * b / r, -(g * a / r)]
        }
    }

    /// Elementwise power by a Swift number.
    public func pow(_ exponent: Double) -> Tensor { self ** exponent }
    /// Elementwise power by a tensor.
    public func pow(_ exponent: Tensor) -> Tensor { self ** exponent }

    // Mixed tensor/scalar forms (the scalar is typed "weakly", as NumPy 2 types Python scalars).
    /// Sum with a Swift number (typed weakly, like a Python scalar).
    public static func + (a: Tensor, b: Double) -> Tensor { a + weakScalar(b, like: a) }
    /// Sum with a Swift number (typed weakly, like a Python scalar).
    public static func + (a: Double, b: Tensor) -> Tensor { weakScalar(a, like: b) + b }
    /// Difference with a Swift number (typed weakly, like a Python scalar).
    public static func - (a: Tensor, b: Double) -> Tensor { a - weakScalar(b, like: a) }
    /// Difference with a Swift number (typed weakly, like a Python scalar).
    public static func - (a: Double, b: Tensor) -> Tensor { weakScalar(a, like: b) - b }
    /// Product with a Swift number (typed weakly, like a Python scalar).
    public static func * (a: Tensor, b: Double) -> Tensor { a * weakScalar(b, like: a) }
    /// Product with a Swift number (typed weakly, like a Python scalar).
    public static func * (a: Double, b: Tensor) -> Tensor { weakScalar(a, like: b) * b }
    /// True division with a Swift number (typed weakly, like a Python scalar).
    public static func / (a: Tensor, b: Double) -> Tensor { a / weakScalar(b, like: a) }
    /// True division with a Swift number (typed weakly, like a Python scalar).
    public static func / (a: Double, b: Tensor) -> Tensor { weakScalar(a, like: b) / b }
    /// Power with a Swift number (typed weakly, like a Python scalar).
    public static func ** (a: Tensor, b: Double) -> Tensor { a ** weakScalar(b, like: a) }
    /// Power with a Swift number (typed weakly, like a Python scalar).
    public static func ** (a: Double, b: Tensor) -> Tensor { weakScalar(a, like: b) ** b }

    /// In-place (rebinding) sum of two tensors with broadcasting.
    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    /// In-place (rebinding) difference of two tensors with broadcasting.
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    /// In-place (rebinding) product of two tensors with broadcasting.
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    /// In-place (rebinding) division of two tensors with broadcasting.
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }
    /// In-place (rebinding) sum with a Swift number (typed weakly, like a Python scalar).
    public static func += (a: inout Tensor, b: Double) { a = a + b }
    /// In-place (rebinding) difference with a Swift number (typed weakly, like a Python scalar).
    public static func -= (a: inout Tensor, b: Double) { a = a - b }
    /// In-place (rebinding) product with a Swift number (typed weakly, like a Python scalar).
    public static func *= (a: inout Tensor, b: Double) { a = a * b }
    /// In-place (rebinding) division with a Swift number (typed weakly, like a Python scalar).
    public static func /= (a: inout Tensor, b: Double) { a = a / b }

    // MARK: - Comparison and logic (bool results, not differentiable)

    /// Elementwise == of two tensors with broadcasting; a bool tensor.
    public static func .== (a: Tensor, b: Tensor) -> Tensor { Kernels.compare(a, b, .eq) }
    /// Elementwise != of two tensors with broadcasting; a bool tensor.
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { Kernels.compare(a, b, .ne) }
    /// Elementwise < of two tensors with broadcasting; a bool tensor.
    public static func .< (a: Tensor, b: Tensor) -> Tensor { Kernels.compare(a, b, .lt) }
    /// Elementwise <= of two tensors with broadcasting; a bool tensor.
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { Kernels.compare(a, b, .le) }
    /// Elementwise > of two tensors with broadcasting; a bool tensor.
    public static func .> (a: Tensor, b: Tensor) -> Tensor { Kernels.compare(a, b, .gt) }
    /// Elementwise >= of two tensors with broadcasting; a bool tensor.
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { Kernels.compare(a, b, .ge) }
    /// Elementwise == with a Swift number (typed weakly, like a Python scalar); a bool tensor.
    public static func .== (a: Tensor, b: Double) -> Tensor { a .== weakScalar(b, like: a) }
    /// Elementwise != with a Swift number (typed weakly, like a Python scalar); a bool tensor.
    public static func .!= (a: Tensor, b: Double) -> Tensor { a .!= weakScalar(b, like: a) }
    /// Elementwise < with a Swift number (typed weakly, like a Python scalar); a bool tensor.
    public static func .< (a: Tensor, b: Double) -> Tensor { a .< weakScalar(b, like: a) }
    /// Elementwise <= with a Swift number (typed weakly, like a Python scalar); a bool tensor.
    public static func .<= (a: Tensor, b: Double) -> Tensor { a .<= weakScalar(b, like: a) }
    /// Elementwise > with a Swift number (typed weakly, like a Python scalar); a bool tensor.
    public static func .> (a: Tensor, b: Double) -> Tensor { a .> weakScalar(b, like: a) }
    /// Elementwise >= with a Swift number (typed weakly, like a Python scalar); a bool tensor.
    public static func .>= (a: Tensor, b: Double) -> Tensor { a .>= weakScalar(b, like: a) }

    /// Elementwise logical and (non-bool inputs are true where non-zero).
    public static func .& (a: Tensor, b: Tensor) -> Tensor {
        Kernels.map2(a.to(.bool), b.to(.bool), .bool, op: "logical_and", ElementOps.And.self)
    }
    /// Elementwise logical or.
    public static func .| (a: Tensor, b: Tensor) -> Tensor {
        Kernels.map2(a.to(.bool), b.to(.bool), .bool, op: "logical_or", ElementOps.Or.self)
    }
    /// Elementwise logical exclusive or.
    public static func .^ (a: Tensor, b: Tensor) -> Tensor {
        Kernels.map2(a.to(.bool), b.to(.bool), .bool, op: "logical_xor", ElementOps.Xor.self)
    }
    /// Elementwise logical not.
    public static prefix func .! (a: Tensor) -> Tensor {
        Kernels.map1(a.to(.bool), .bool, ElementOps.Not.self)
    }

    /// True where the element is NaN.
    public func isNaN() -> Tensor {
        switch dtype.computeType {
        case .float32: return Kernels.map1(to(.float32), .bool, ElementOps.IsNaN<Float>.self)
        case .float64: return Kernels.map1(self, .bool, ElementOps.IsNaN<Double>.self)
        default: return Tensor.zeros(shape, dtype: .bool)
        }
    }
    /// True where the element is neither infinite nor NaN.
    public func isFinite() -> Tensor {
        switch dtype.computeType {
        case .float32: return Kernels.map1(to(.float32), .bool, ElementOps.IsFinite<Float>.self)
        case .float64: return Kernels.map1(self, .bool, ElementOps.IsFinite<Double>.self)
        default: return Tensor.ones(shape, dtype: .bool)
        }
    }
    /// True where the element is ±∞.
    public func isInfinite() -> Tensor {
        switch dtype.computeType {
        case .float32: return Kernels.map1(to(.float32), .bool, ElementOps.IsInfinite<Float>.self)
        case .float64: return Kernels.map1(self, .bool, ElementOps.IsInfinite<Double>.self)
        default: return Tensor.zeros(shape, dtype: .bool)
        }
    }

    /// Elementwise choice: `a` where `condition` is true, else `b` (NumPy's `where`).
    /// Differentiable in `a` and `b`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let t = DType.promote(a.dtype, b.dtype)
        let c = condition.to(.bool), av = a.to(t), bv = b.to(t)
        let y: Tensor
        switch t.byteSize {
        case 1: y = Kernels.select(c, av, bv, t, UInt8.self)
        case 4: y = Kernels.select(c, av, bv, t, UInt32.self)
        default: y = Kernels.select(c, av, bv, t, UInt64.self)
        }
        guard GradMode.isEnabled, a.node != nil || b.node != nil else { return y }
        let cd = c.detached()
        return record(y, [a, b], "where") { g in
            let zero = Tensor.zeros([], dtype: g.dtype)
            return [Tensor.where(cd, g, zero), Tensor.where(cd, zero, g)]
        }
    }
}

// MARK: - Free-function spellings (NumPy / PyTorch style)

/// eˣ elementwise.
public func exp(_ x: Tensor) -> Tensor { x.exp() }
/// Natural log elementwise.
public func log(_ x: Tensor) -> Tensor { x.log() }
/// √x elementwise.
public func sqrt(_ x: Tensor) -> Tensor { x.sqrt() }
/// tanh elementwise.
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }
/// sin elementwise.
public func sin(_ x: Tensor) -> Tensor { x.sin() }
/// cos elementwise.
public func cos(_ x: Tensor) -> Tensor { x.cos() }
/// |x| elementwise.
public func abs(_ x: Tensor) -> Tensor { x.abs() }
/// Elementwise maximum of two tensors.
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.maximum(a, b) }
/// Elementwise minimum of two tensors.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.minimum(a, b) }
/// Elementwise power.
public func pow(_ a: Tensor, _ b: Double) -> Tensor { a ** b }

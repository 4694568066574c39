/// dtype conversion kernels. Integer-to-integer conversions go through `Int64` (exact, wrapping
/// like NumPy's casts); anything involving a float goes through `Double`. 16-bit floats convert
/// through `Float` with round-to-nearest-even.
extension Kernels {
    static func convert(_ x: Tensor, to target: DType) -> Tensor {
        if x.dtype == target { return x }
        switch (x.dtype, target) {
        case (.float16, _), (.bfloat16, _):
            let decode = x.dtype == .float16 ? halfBitsToFloat : bfloat16BitsToFloat
            let f = map1(x, .float32) { (h: UInt16) -> Float in decode(h) }
            return convert(f, to: target)
        case (_, .float16):
            let f = convert(x, to: .float32)
            return map1(f, .float16) { (v: Float) -> UInt16 in floatToHalfBits(v) }
        case (_, .bfloat16):
            let f = convert(x, to: .float32)
            return map1(f, .bfloat16) { (v: Float) -> UInt16 in floatToBFloat16Bits(v) }
        default:
            switch x.dtype {
            case .float32: return convert(x, from: Float.self, to: target)
            case .float64: return convert(x, from: Double.self, to: target)
            case .int32: return convert(x, from: Int32.self, to: target)
            case .int64: return convert(x, from: Int64.self, to: target)
            default: return convert(x, from: Bool.self, to: target)
            }
        }
    }

    @inline(__always)
    private static func convert<S: TensorScalar>(_ x: Tensor, from: S.Type, to target: DType) -> Tensor {
        switch target {
        case .float32: return map1(x, target) { (v: S) -> Float in Float(fromDouble: v.doubleValue) }
        case .float64: return map1(x, target) { (v: S) -> Double in v.doubleValue }
        case .int32:
            if S.dtype.isFloatingPoint { return map1(x, target) { (v: S) -> Int32 in Int32(fromDouble: v.doubleValue) } }
            return map1(x, target) { (v: S) -> Int32 in Int32(truncatingIfNeeded: v.int64Value) }
        case .int64:
            return map1(x, target) { (v: S) -> Int64 in v.int64Value }
        case .bool:
            return map1(x, target) { (v: S) -> Bool in v.doubleValue != 0 || v.doubleValue.isNaN }
        case .float16, .bfloat16:
            fatalError("unreachable: 16-bit targets are handled by the caller")
        }
    }
}

extension Tensor {
    /// This tensor converted to `dtype` (a copy unless the dtype is already `dtype`).
    /// Differentiable between floating-point types.
    public func to(_ dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let out = Kernels.convert(self, to: dtype)
        guard dtype.isFloatingPoint && self.dtype.isFloatingPoint else { return out }
        let from = self.dtype
        return recordUnary(out, self, "to") { g in g.to(from) }
    }
}

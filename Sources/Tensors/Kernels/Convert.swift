/// dtype conversion kernels. Integer-to-integer conversions go through `Int64` (exact, wrapping
/// like NumPy's casts); anything involving a float goes through `Double`. 16-bit floats convert
/// through `Float` with round-to-nearest-even.
extension Kernels {
    static func convert(_ x: Tensor, to target: DType) -> Tensor {
        if x.dtype == target { return x }
        switch (x.dtype, target) {
        case (.float16, _), (.bfloat16, _):
            let f = x.dtype == .float16 ? map1(x, .float32, ElementOps.HalfToFloat.self) : map1(x, .float32, ElementOps.BFloat16ToFloat.self)
            return convert(f, to: target)
        case (_, .float16):
            let f = convert(x, to: .float32)
            return map1(f, .float16, ElementOps.FloatToHalf.self)
        case (_, .bfloat16):
            let f = convert(x, to: .float32)
            return map1(f, .bfloat16, ElementOps.FloatToBFloat16.self)
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
        case .float32: return map1(x, target, ElementOps.ToFloat<S>.self)
        case .float64: return map1(x, target, ElementOps.ToDouble<S>.self)
        case .int32: return map1(x, target, ElementOps.ToInt32<S>.self)
        case .int64: return map1(x, target, ElementOps.ToInt64<S>.self)
        case .bool: return map1(x, target, ElementOps.ToBool<S>.self)
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

import SwiftLearnCore
/// Elementwise kernels: typed maps over one, two or three strided operands into a fresh
/// contiguous output, with NumPy broadcasting. The per-element operation is a type parameter
/// (see ElementOps.swift), so each (kernel, op) pair is specialised with the op inlined: no
/// dynamic dispatch, allocation or ARC per element; the contiguous case is a flat loop LLVM
/// vectorizes.
enum Kernels {
    /// out[i] = f(x[i]) with `out` a new contiguous tensor of `outType`.
    @inline(__always)
    static func map1<Op: UnaryElementOp>(_ x: Tensor, _ outType: DType, cost: Int = 1, _ op: Op.Type) -> Tensor {
        typealias A = Op.Input
        typealias R = Op.Output
        let out = Tensor(uninitializedShape: x.shape, dtype: outType)
        let plan = LoopPlan(shape: x.shape, strides: [out.strides, x.strides])
        let po = out.pointer(as: R.self), px = x.pointer(as: A.self)
        let so = plan.innerStrides[0], sx = plan.innerStrides[1]
        plan.forEachRun(cost: cost) { offs, n in
            let o = po + offs[0], a = px + offs[1]
            if so == 1 && sx == 1 {
                for i in 0..<n { o[i] = Op.apply(a[i]) }
            } else {
                for i in 0..<n { o[i &* so] = Op.apply(a[i &* sx]) }
            }
        }
        return out
    }

    /// out = f(a, b) with broadcasting; `op` names the operation in shape errors.
    @inline(__always)
    static func map2<Op: BinaryElementOp>(_ a: Tensor, _ b: Tensor, _ outType: DType, op: String, cost: Int = 1,
                                          _: Op.Type) -> Tensor {
        typealias A = Op.Left
        typealias B = Op.Right
        typealias R = Op.Output
        let shape = broadcastShapes(a.shape, b.shape, op: op)
        let out = Tensor(uninitializedShape: shape, dtype: outType)
        let plan = LoopPlan(shape: shape, strides: [out.strides, a.broadcastStrides(to: shape), b.broadcastStrides(to: shape)])
        let po = out.pointer(as: R.self), pa = a.pointer(as: A.self), pb = b.pointer(as: B.self)
        let so = plan.innerStrides[0], sa = plan.innerStrides[1], sb = plan.innerStrides[2]
        plan.forEachRun(cost: cost) { offs, n in
            let o = po + offs[0], x = pa + offs[1], y = pb + offs[2]
            if so == 1 && sa == 1 && sb == 1 {
                for i in 0..<n { o[i] = Op.apply(x[i], y[i]) }
            } else if so == 1 && sa == 1 && sb == 0 {
                let s = y[0]
                for i in 0..<n { o[i] = Op.apply(x[i], s) }
            } else if so == 1 && sa == 0 && sb == 1 {
                let s = x[0]
                for i in 0..<n { o[i] = Op.apply(s, y[i]) }
            } else {
                for i in 0..<n { o[i &* so] = Op.apply(x[i &* sa], y[i &* sb]) }
            }
        }
        return out
    }

    /// out = condition ? a : b with broadcasting over the three inputs (`B` is a bit pattern of
    /// the element size: selection never needs arithmetic).
    @inline(__always)
    static func select<B>(_ c: Tensor, _ a: Tensor, _ b: Tensor, _ outType: DType, _: B.Type) -> Tensor {
        let shape = broadcastShapes(broadcastShapes(c.shape, a.shape, op: "where"), b.shape, op: "where")
        let out = Tensor(uninitializedShape: shape, dtype: outType)
        let plan = LoopPlan(shape: shape, strides: [out.strides, c.broadcastStrides(to: shape),
                                                    a.broadcastStrides(to: shape), b.broadcastStrides(to: shape)])
        let po = out.pointer(as: B.self), pc = c.pointer(as: Bool.self)
        let pa = a.pointer(as: B.self), pb = b.pointer(as: B.self)
        let so = plan.innerStrides[0], sc = plan.innerStrides[1], sa = plan.innerStrides[2], sb = plan.innerStrides[3]
        plan.forEachRun { offs, n in
            let o = po + offs[0], z = pc + offs[1], x = pa + offs[2], y = pb + offs[3]
            for i in 0..<n { o[i &* so] = z[i &* sc] ? x[i &* sa] : y[i &* sb] }
        }
        return out
    }

    /// Copies the values of `src` into `dst` (same dtype; `src` broadcast to `dst.shape`).
    static func copy(from src: Tensor, into dst: inout Tensor) {
        ensure(src.dtype == dst.dtype, "copy: dtype \(src.dtype) into \(dst.dtype)")
        let shape = dst.shape
        _ = broadcastShapes(src.shape, shape, op: "copy")
        let plan = LoopPlan(shape: shape, strides: [dst.strides, src.broadcastStrides(to: shape)])
        func run<T>(_: T.Type) {
            let pd = dst.pointer(as: T.self), ps = src.pointer(as: T.self)
            let sd = plan.innerStrides[0], ss = plan.innerStrides[1]
            plan.forEachRun { offs, n in
                let d = pd + offs[0], s = ps + offs[1]
                if sd == 1 && ss == 1 {
                    d.update(from: s, count: n)
                } else {
                    for i in 0..<n { d[i &* sd] = s[i &* ss] }
                }
            }
        }
        switch src.dtype.byteSize {
        case 1: run(UInt8.self)
        case 2: run(UInt16.self)
        case 4: run(UInt32.self)
        default: run(UInt64.self)
        }
    }

    /// Reads one element (offset relative to the tensor's own offset) as a `Double`.
    static func readDouble(_ t: Tensor, elementOffset o: Int) -> Double {
        switch t.dtype {
        case .float32: return Double(t.pointer(as: Float.self)[o])
        case .float64: return t.pointer(as: Double.self)[o]
        case .int32: return Double(t.pointer(as: Int32.self)[o])
        case .int64: return Double(t.pointer(as: Int64.self)[o])
        case .bool: return t.pointer(as: Bool.self)[o] ? 1 : 0
        case .float16: return Double(halfBitsToFloat(t.pointer(as: UInt16.self)[o]))
        case .bfloat16: return Double(bfloat16BitsToFloat(t.pointer(as: UInt16.self)[o]))
        }
    }
}

// MARK: - Broadcasting

/// The broadcast shape of two shapes under NumPy's rules, or a stop naming `op` and both shapes.
public func broadcastShapes(_ a: [Int], _ b: [Int], op: String) -> [Int] {
    if a == b { return a }
    let n = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
        let x = i < n - a.count ? 1 : a[i - (n - a.count)]
        let y = i < n - b.count ? 1 : b[i - (n - b.count)]
        ensure(x == y || x == 1 || y == 1,
                     "\(op): operands could not be broadcast together with shapes \(a) and \(b)")
        out[i] = x == 1 ? y : x
    }
    return out
}

extension Tensor {
    /// Strides that view this tensor as `shape` under broadcasting (0 on broadcast dimensions).
    func broadcastStrides(to target: [Int]) -> [Int] {
        let lead = target.count - rank
        ensure(lead >= 0, "broadcast: cannot broadcast shape \(shape) to \(target)")
        var s = [Int](repeating: 0, count: target.count)
        for d in 0..<rank {
            if shape[d] == target[lead + d] {
                s[lead + d] = shape[d] == 1 ? 0 : strides[d]
            } else {
                ensure(shape[d] == 1, "broadcast: cannot broadcast shape \(shape) to \(target)")
            }
        }
        return s
    }
}

import CSwiftLearnKernels
import SwiftLearnCore

/// Reductions run on a canonical layout: a contiguous tensor seen as `[P, R, Q]`, reducing the
/// middle axis. Reducing trailing axes is `Q == 1` (each output reduces one contiguous block);
/// reducing leading axes is `P == 1` (rows are accumulated into a vector, which vectorizes).
/// Any other set of axes is first permuted (kept axes first) and copied into that form.
struct ReductionLayout {
    var p: Int, r: Int, q: Int
    /// The contiguous input in [P, R, Q] order.
    var input: Tensor
    /// Output shape with reduced axes kept as size 1, and without.
    var keptShape: [Int]
    var droppedShape: [Int]

    init(_ x: Tensor, axes: [Int]?) {
        let rank = x.rank
        let axesSet: [Int]
        if let axes {
            let norm = axes.map { x.normalizedAxis($0, op: "reduction") }
            ensure(Set(norm).count == norm.count, "reduction: repeated axis in \(axes)")
            axesSet = norm.sorted()
        } else {
            axesSet = Array(0..<rank)
        }
        keptShape = x.shape.enumerated().map { axesSet.contains($0.offset) ? 1 : $0.element }
        droppedShape = x.shape.enumerated().filter { !axesSet.contains($0.offset) }.map { $0.element }
        let isRun = axesSet.isEmpty || axesSet.last! - axesSet.first! + 1 == axesSet.count
        if isRun && x.isContiguous {
            let a = axesSet.first ?? rank, b = axesSet.last ?? (rank - 1)
            p = x.shape[..<a].reduce(1, *)
            r = axesSet.isEmpty ? 1 : x.shape[a...b].reduce(1, *)
            q = b + 1 < rank ? x.shape[(b + 1)...].reduce(1, *) : 1
            input = x
        } else {
            let kept = (0..<rank).filter { !axesSet.contains($0) }
            input = x.permuted(kept + axesSet).detached().copied()
            p = kept.map { x.shape[$0] }.reduce(1, *)
            r = axesSet.map { x.shape[$0] }.reduce(1, *)
            q = 1
        }
    }
}

/// Reduction operations with an accumulator of the input type.
enum ReduceOp { case sum, prod, max, min }

extension Kernels {
    /// Reduces `x` over `axes` with `op`. Sums of integers and bools accumulate in int64.
    static func reduce(_ x: Tensor, axes: [Int]?, keepDims: Bool, _ op: ReduceOp) -> Tensor {
        var x = x
        if x.dtype != x.dtype.computeType { x = x.to(x.dtype.computeType) }
        if (op == .sum || op == .prod) && (x.dtype == .bool || x.dtype == .int32) { x = x.to(.int64) }
        if x.dtype == .bool { x = x.to(.int32) }  // max/min of bools: compute in int32, cast back below
        let layout = ReductionLayout(x, axes: axes)
        let shape = keepDims ? layout.keptShape : layout.droppedShape
        let out: Tensor
        switch x.dtype {
        case .float32: out = reduce(layout, Float.self, op, shape: shape)
        case .float64: out = reduce(layout, Double.self, op, shape: shape)
        case .int32: out = reduce(layout, Int32.self, op, shape: shape)
        default: out = reduce(layout, Int64.self, op, shape: shape)
        }
        return out
    }

    @inline(__always)
    private static func reduce<T: NumericScalar>(_ l: ReductionLayout, _: T.Type, _ op: ReduceOp, shape: [Int]) -> Tensor {
        switch op {
        case .sum:
            if T.self == Float.self && l.q == 1 {
                return reduceBlocks(l, Float.self, shape: shape, identity: 0, blockReduce: { sl_sum_f32($0, $1) }, merge: +)
            }
            if T.self == Double.self && l.q == 1 {
                return reduceBlocks(l, Double.self, shape: shape, identity: 0, blockReduce: { sl_sum_f64($0, $1) }, merge: +)
            }
            return reduceGeneric(l, T.self, shape: shape, identity: 0) { T.addWrapping($0, $1) }
        case .prod:
            return reduceGeneric(l, T.self, shape: shape, identity: 1) { T.mulWrapping($0, $1) }
        case .max:
            ensure(l.r > 0, "max: zero-size array to reduction operation maximum which has no identity")
            // NaN propagates (b != b is false for integers and folds away).
            return reduceGeneric(l, T.self, shape: shape, identity: T.lowest) { a, b in (b > a || b != b) && a == a ? b : a }
        case .min:
            ensure(l.r > 0, "min: zero-size array to reduction operation minimum which has no identity")
            return reduceGeneric(l, T.self, shape: shape, identity: T.highest) { a, b in (b < a || b != b) && a == a ? b : a }
        }
    }

    /// Q == 1 with a block kernel (C SIMD sum): parallel over outputs, or over pieces of one block.
    @inline(__always)
    private static func reduceBlocks<T: NumericScalar>(_ l: ReductionLayout, _: T.Type, shape: [Int], identity: T,
                                                       blockReduce: (UnsafePointer<T>, Int) -> T, merge: (T, T) -> T) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: T.dtype)
        let src = UnsafePointer(l.input.pointer(as: T.self)), dst = out.pointer(as: T.self)
        let p = l.p, r = l.r
        if p >= Parallel.cpuCount || p * r < Parallel.grain {
            Parallel.forRange(p, cost: r) { s, e in
                for i in s..<e { dst[i] = r == 0 ? identity : blockReduce(src + i * r, r) }
            }
        } else {
            // Few long blocks: split each block into pieces reduced on all cores, then merge.
            let pieces = Parallel.cpuCount * 4
            for i in 0..<p {
                var partial = [T](repeating: identity, count: pieces)
                partial.withUnsafeMutableBufferPointer { part in
                    let pp = part.baseAddress!
                    Parallel.forRange(pieces, cost: Parallel.grain) { s, e in
                        for k in s..<e {
                            let a = r * k / pieces, b = r * (k + 1) / pieces
                            if b > a { pp[k] = blockReduce(src + i * r + a, b - a) }
                        }
                    }
                }
                dst[i] = partial.reduce(identity, merge)
            }
        }
        return out
    }

    /// Any [P, R, Q] with an elementwise combine: rows accumulate into the output (vectorizes over Q).
    @inline(__always)
    private static func reduceGeneric<T: NumericScalar>(_ l: ReductionLayout, _: T.Type, shape: [Int], identity: T,
                                                        combine: (T, T) -> T) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: T.dtype)
        let src = UnsafePointer(l.input.pointer(as: T.self)), dst = out.pointer(as: T.self)
        let p = l.p, r = l.r, q = l.q
        if q == 1 {
            Parallel.forRange(p, cost: r) { s, e in
                for i in s..<e {
                    var acc = identity
                    let row = src + i * r
                    for k in 0..<r { acc = combine(acc, row[k]) }
                    dst[i] = acc
                }
            }
        } else if p >= Parallel.cpuCount {
            Parallel.forRange(p, cost: r * q) { s, e in
                for i in s..<e { accumulateRows(src + i * r * q, dst + i * q, r: r, q: q, cols: 0..<q, identity, combine) }
            }
        } else {
            for i in 0..<p {
                Parallel.forRange(q, cost: r) { s, e in
                    accumulateRows(src + i * r * q, dst + i * q, r: r, q: q, cols: s..<e, identity, combine)
                }
            }
        }
        return out
    }

    @inline(__always)
    private static func accumulateRows<T>(_ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, r: Int, q: Int,
                                          cols: Range<Int>, _ identity: T, _ combine: (T, T) -> T) {
        for j in cols { dst[j] = identity }
        for k in 0..<r {
            let row = src + k * q
            for j in cols { dst[j] = combine(dst[j], row[j]) }
        }
    }

    // MARK: - Arg reductions

    /// Index (int64) of the max (or min) along one axis; the first occurrence wins and NaN counts
    /// as the extreme, as in NumPy.
    static func argReduce(_ x: Tensor, axis: Int?, keepDims: Bool, max: Bool) -> Tensor {
        var x = x.dtype == .bool ? x.to(.int32) : x
        if x.dtype != x.dtype.computeType { x = x.to(.float32) }
        let flat = axis == nil
        let src = flat ? x.reshaped([x.count]) : x
        let layout = ReductionLayout(src, axes: flat ? [0] : [axis!])
        ensure(layout.r > 0, "argmax/argmin: attempt to get the arg-extreme of an empty sequence")
        var shape = keepDims ? layout.keptShape : layout.droppedShape
        if flat && keepDims { shape = [Int](repeating: 1, count: x.rank) }
        switch x.dtype {
        case .float32: return argReduce(layout, Float.self, shape: shape, max: max)
        case .float64: return argReduce(layout, Double.self, shape: shape, max: max)
        case .int32: return argReduce(layout, Int32.self, shape: shape, max: max)
        default: return argReduce(layout, Int64.self, shape: shape, max: max)
        }
    }

    @inline(__always)
    private static func argReduce<T: NumericScalar>(_ l: ReductionLayout, _: T.Type, shape: [Int], max: Bool) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: .int64)
        let src = UnsafePointer(l.input.pointer(as: T.self)), dst = out.pointer(as: Int64.self)
        let r = l.r, q = l.q
        Parallel.forRange(l.p * q, cost: r) { s, e in
            for o in s..<e {
                let i = o / q, j = o % q
                let base = src + i * r * q + j
                var best = base[0], bestK = 0
                if best != best { dst[o] = 0; continue }
                for k in 1..<Swift.max(r, 1) {
                    let v = base[k * q]
                    if v != v { bestK = k; break }
                    if max ? v > best : v < best { best = v; bestK = k }
                }
                dst[o] = Int64(bestK)
            }
        }
        return out
    }

    // MARK: - Scans

    /// Cumulative sum or product along `axis` (same shape; integers and bools accumulate in int64).
    static func scan(_ x: Tensor, axis: Int, product: Bool) -> Tensor {
        var x = x
        if x.dtype != x.dtype.computeType { x = x.to(.float32) }
        if x.dtype == .bool || x.dtype == .int32 { x = x.to(.int64) }
        // A contiguous input with one reduced axis always has the direct [P, R, Q] layout.
        let l = ReductionLayout(x.contiguous(), axes: [axis])
        switch x.dtype {
        case .float32: return scan(l, Float.self, product, x.shape)
        case .float64: return scan(l, Double.self, product, x.shape)
        default: return scan(l, Int64.self, product, x.shape)
        }
    }

    @inline(__always)
    private static func scan<T: NumericScalar>(_ l: ReductionLayout, _: T.Type, _ product: Bool, _ shape: [Int]) -> Tensor {
        let out = Tensor(uninitializedShape: [l.p, l.r, l.q], dtype: T.dtype)
        let src = UnsafePointer(l.input.pointer(as: T.self)), dst = out.pointer(as: T.self)
        let r = l.r, q = l.q
        Parallel.forRange(l.p, cost: r * q) { s, e in
            for i in s..<e where r > 0 {
                let a = src + i * r * q, b = dst + i * r * q
                for j in 0..<q { b[j] = a[j] }
                for k in 1..<Swift.max(r, 1) {
                    let prev = b + (k - 1) * q, cur = b + k * q, inp = a + k * q
                    if product { for j in 0..<q { cur[j] = T.mulWrapping(prev[j], inp[j]) } }
                    else { for j in 0..<q { cur[j] = T.addWrapping(prev[j], inp[j]) } }
                }
            }
        }
        return out.reshaped(shape).detached()
    }
}

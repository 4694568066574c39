import SwiftLearnCore
// Advanced indexing (copies): gather/scatter along an axis, index-select, boolean masks, and the
// joining and tiling ops. Index kernels move elements as raw bits of the element size, so one
// loop serves every dtype; only the accumulating forms (scatter-add, index-add) do arithmetic.

extension Tensor {
    /// Element offsets of `index` positions along `axis` (trapping with a message when out of range).
    @inline(__always)
    private static func checkedIndex(_ i: Int64, size: Int, op: String) -> Int {
        let j = i < 0 ? Int(i) + size : Int(i)
        ensure(j >= 0 && j < size, "\(op): index \(i) is out of bounds for axis with size \(size)")
        return j
    }

    private func integerIndex(_ index: Tensor, op: String) -> Tensor {
        ensure(index.dtype == .int64 || index.dtype == .int32, "\(op): index tensor must be int32 or int64, got \(index.dtype)")
        return index.to(.int64)
    }

    // MARK: - gather / scatter

    /// PyTorch's `gather`: `out[i][j][k] = self[i][index[i][j][k]][k]` for `axis == 1`.
    /// `index` has this tensor's rank and sizes ≤ this tensor's along the other axes.
    /// d/dself: scatter-add of the gradient.
    public func gather(axis: Int, index: Tensor) -> Tensor {
        let a = normalizedAxis(axis, op: "gather")
        let idx = integerIndex(index, op: "gather")
        ensure(idx.rank == rank && (0..<rank).allSatisfy { $0 == a || idx.shape[$0] <= shape[$0] },
                     "gather: index shape \(idx.shape) is incompatible with input shape \(shape) along axis \(a)")
        var out = Tensor(uninitializedShape: idx.shape, dtype: dtype)
        var xs = strides
        xs[a] = 0
        let plan = LoopPlan(shape: idx.shape, strides: [out.strides, idx.strides, xs])
        let axisStride = strides[a], size = shape[a]
        func run<B>(_: B.Type) {
            let po = out.pointer(as: B.self), pi = idx.pointer(as: Int64.self), px = pointer(as: B.self)
            let so = plan.innerStrides[0], si = plan.innerStrides[1], sx = plan.innerStrides[2]
            plan.forEachRun { offs, n in
                for k in 0..<n {
                    let j = Tensor.checkedIndex(pi[offs[1] + k * si], size: size, op: "gather")
                    po[offs[0] + k * so] = px[offs[2] + k * sx + j * axisStride]
                }
            }
        }
        switch dtype.byteSize {
        case 1: run(UInt8.self)
        case 2: run(UInt16.self)
        case 4: run(UInt32.self)
        default: run(UInt64.self)
        }
        out = Tensor.record(out, [self], "gather") { [shape] g in
            [Tensor.zeros(shape, dtype: g.dtype).scatterAdding(axis: a, index: idx, source: g)]
        }
        return out
    }

    /// A copy with `source` values written at `index` along `axis` (PyTorch's `scatter`):
    /// `out[i][index[i][j][k]][k] = source[i][j][k]` for `axis == 1`. When indices repeat, the
    /// last write wins. d/dself: the gradient with written positions zeroed; d/dsource: gather.
    public func scattering(axis: Int, index: Tensor, source: Tensor) -> Tensor {
        scatterImpl(axis: axis, index: index, source: source, add: false)
    }

    /// A copy with `source` values added at `index` along `axis` (PyTorch's `scatter_add`).
    public func scatterAdding(axis: Int, index: Tensor, source: Tensor) -> Tensor {
        scatterImpl(axis: axis, index: index, source: source, add: true)
    }

    private func scatterImpl(axis: Int, index: Tensor, source: Tensor, add: Bool) -> Tensor {
        let op = add ? "scatterAdd" : "scatter"
        let a = normalizedAxis(axis, op: op)
        let idx = integerIndex(index, op: op)
        let src = source.to(dtype)
        ensure(idx.rank == rank && src.rank == rank &&
                     (0..<rank).allSatisfy { idx.shape[$0] <= src.shape[$0] && ($0 == a || idx.shape[$0] <= shape[$0]) },
                     "\(op): index shape \(idx.shape), source shape \(src.shape) and input shape \(shape) are incompatible along axis \(a)")
        let out = detached().copied()  // a fresh buffer, written below through its pointer
        var os = out.strides
        os[a] = 0
        let plan = LoopPlan(shape: idx.shape, strides: [idx.strides, src.strides, os])
        let axisStride = out.strides[a], size = shape[a]
        func run<T>(_: T.Type, _ combine: (T, T) -> T) {
            let pi = idx.pointer(as: Int64.self), ps = src.pointer(as: T.self), po = out.pointer(as: T.self)
            let si = plan.innerStrides[0], ss = plan.innerStrides[1], so = plan.innerStrides[2]
            // Sequential: writes to the same position must happen in order.
            plan.forEachRunSequential { offs, n in
                for k in 0..<n {
                    let j = Tensor.checkedIndex(pi[offs[0] + k * si], size: size, op: op)
                    let o = offs[2] + k * so + j * axisStride
                    po[o] = combine(po[o], ps[offs[1] + k * ss])
                }
            }
        }
        if add {
            switch dtype.computeType {
            case .float32: run(Float.self, +)
            case .float64: run(Double.self, +)
            case .int32: run(Int32.self, &+)
            case .int64: run(Int64.self, &+)
            default: run(Bool.self) { $0 || $1 }
            }
        } else {
            switch dtype.byteSize {
            case 1: run(UInt8.self) { $1 }
            case 2: run(UInt16.self) { $1 }
            case 4: run(UInt32.self) { $1 }
            default: run(UInt64.self) { $1 }
            }
        }
        let needSelf = node != nil
        return Tensor.record(out, [self, source], op) { g in
            let gs = g.gather(axis: a, index: idx)
            let gSelf: Tensor? = needSelf ? (add ? g : g.scattering(axis: a, index: idx, source: Tensor.zeros(idx.shape, dtype: g.dtype))) : nil
            return [gSelf, gs]
        }
    }

    // MARK: - index-select and masks

    /// The entries at `indices` (1-D, negative allowed) along `axis`. d/dself: index-add.
    public func indexSelect(axis: Int, indices: Tensor) -> Tensor {
        let a = normalizedAxis(axis, op: "indexSelect")
        let idx = integerIndex(indices, op: "indexSelect").reshaped([-1]).contiguous()
        let x = detached().contiguous()
        let p = shape[..<a].reduce(1, *), d = shape[a], q = shape[(a + 1)...].reduce(1, *), n = idx.count
        var outShape = shape
        outShape[a] = n
        let out = Tensor(uninitializedShape: outShape, dtype: dtype)
        let pi = idx.pointer(as: Int64.self)
        let rows = (0..<n).map { Tensor.checkedIndex(pi[$0], size: d, op: "indexSelect") }
        let esize = dtype.byteSize
        let src = x.storage.base + x.offset * esize, dst = out.storage.base
        Parallel.forRange(p * n, cost: q) { s, e in
            for o in s..<e {
                let i = o / n, k = o % n
                (dst + (o * q) * esize).copyMemory(from: src + ((i * d + rows[k]) * q) * esize, byteCount: q * esize)
            }
        }
        return Tensor.record(out, [self], "indexSelect") { [shape] g in
            [Tensor.indexAdd(shape: shape, axis: a, rows: rows, grad: g.contiguous())]
        }
    }

    /// zeros(shape) with `grad[..., k, ...]` added at `rows[k]` along `axis` (the index-select adjoint).
    private static func indexAdd(shape: [Int], axis a: Int, rows: [Int], grad: Tensor) -> Tensor {
        let out = Tensor.zeros(shape, dtype: grad.dtype)
        let p = shape[..<a].reduce(1, *), d = shape[a], q = shape[(a + 1)...].reduce(1, *), n = rows.count
        func run<T: NumericScalar>(_: T.Type) {
            let g = grad.pointer(as: T.self), o = out.pointer(as: T.self)
            Parallel.forRange(p, cost: n * q) { s, e in
                for i in s..<e {
                    for k in 0..<n {
                        let dst = o + (i * d + rows[k]) * q, src = g + (i * n + k) * q
                        for j in 0..<q { dst[j] = T.addWrapping(dst[j], src[j]) }
                    }
                }
            }
        }
        switch grad.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int32: run(Int32.self)
        default: run(Int64.self)
        }
        return out
    }

    /// Indices of non-zero elements, shape `[n, rank]`, int64, in C order (NumPy's `argwhere`).
    public func nonzero() -> Tensor {
        let b = to(.bool).contiguous()
        let p = b.pointer(as: Bool.self)
        var coords: [Int64] = []
        var idx = [Int](repeating: 0, count: rank)
        for flat in 0..<count {
            if p[flat] {
                var r = flat
                for d in stride(from: rank - 1, through: 0, by: -1) { idx[d] = r % shape[d]; r /= shape[d] }
                coords.append(contentsOf: idx.map(Int64.init))
            }
        }
        return Tensor(coords, shape: [coords.count / Swift.max(rank, 1), rank])
    }

    /// Boolean-mask selection: the entries where `mask` is true. `mask` has this tensor's leading
    /// shape (all of it gives a 1-D result; a row mask gives whole rows). Differentiable.
    public func masked(_ mask: Tensor) -> Tensor {
        ensure(mask.rank <= rank && Array(shape[..<mask.rank]) == mask.shape,
                     "boolean index: mask shape \(mask.shape) does not match the leading dimensions of \(shape)")
        let m = mask.to(.bool).reshaped([-1])
        let rows = m.nonzero().reshaped([-1])
        let lead = mask.shape.reduce(1, *)
        return reshaped([lead] + Array(shape[mask.rank...])).indexSelect(axis: 0, indices: rows)
    }

    /// A copy with `value` where `mask` (broadcast) is true.
    public func maskedFill(_ mask: Tensor, _ value: Double) -> Tensor {
        Tensor.where(mask, Tensor.weakScalar(value, like: self).to(dtype.computeType), self)
    }

    // MARK: - Joining and splitting

    /// Joins tensors along an existing axis (dtypes promote). d/dinput: the matching slice.
    public static func concat(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        ensure(!tensors.isEmpty, "concat: need at least one tensor")
        let first = tensors[0]
        let a = first.normalizedAxis(axis, op: "concat")
        let t = tensors.map(\.dtype).reduce(first.dtype) { DType.promote($0, $1) }
        let dt = tensors.allSatisfy { $0.dtype == first.dtype } ? first.dtype : t
        for x in tensors {
            ensure(x.rank == first.rank && (0..<x.rank).allSatisfy { $0 == a || x.shape[$0] == first.shape[$0] },
                         "concat: all shapes must match except along axis \(a), got \(tensors.map(\.shape))")
        }
        var shape = first.shape
        shape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        var out = Tensor(uninitializedShape: shape, dtype: dt)
        var start = 0
        var starts: [Int] = []
        for x in tensors {
            starts.append(start)
            var idx = [TensorIndex](repeating: .all, count: a)
            idx.append(.slice(start: start, stop: start + x.shape[a], step: 1))
            let g = out.viewGeometry(idx)
            var target = out.view(shape: g.shape, strides: g.strides, offset: g.offset)
            Kernels.copy(from: x.to(dt), into: &target)
            start += x.shape[a]
        }
        out = record(out, tensors, "concat") { g in
            zip(tensors, starts).map { x, s in g.slice(axis: a, s, s + x.shape[a]) }
        }
        return out
    }

    /// Joins same-shaped tensors along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        ensure(!tensors.isEmpty, "stack: need at least one tensor")
        ensure(tensors.allSatisfy { $0.shape == tensors[0].shape }, "stack: all shapes must be equal, got \(tensors.map(\.shape))")
        let a = axis < 0 ? axis + tensors[0].rank + 1 : axis
        return concat(tensors.map { $0.unsqueezed(a) }, axis: a)
    }

    /// Splits along `axis` into pieces of the given sizes (views).
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        let a = normalizedAxis(axis, op: "split")
        ensure(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[a],
                     "split: sizes \(sizes) do not add up to \(shape[a]) along axis \(a) of shape \(shape)")
        var start = 0
        return sizes.map { n in
            defer { start += n }
            return slice(axis: a, start, start + n)
        }
    }

    /// Splits along `axis` into `parts` nearly equal pieces (the first ones one larger; NumPy's
    /// `array_split`).
    public func split(parts: Int, axis: Int = 0) -> [Tensor] {
        ensure(parts > 0, "split: parts must be positive, got \(parts)")
        let n = shape[normalizedAxis(axis, op: "split")]
        return split(sizes: (0..<parts).map { n / parts + ($0 < n % parts ? 1 : 0) }, axis: axis)
    }

    /// PyTorch's `chunk`: pieces of size ⌈n/chunks⌉ along `axis` (the last may be smaller).
    public func chunked(_ chunks: Int, axis: Int = 0) -> [Tensor] {
        ensure(chunks > 0, "chunk: chunks must be positive, got \(chunks)")
        let n = shape[normalizedAxis(axis, op: "chunk")]
        let size = Swift.max(1, (n + chunks - 1) / chunks)
        var sizes: [Int] = []
        var left = n
        while left > 0 { sizes.append(Swift.min(size, left)); left -= size }
        return split(sizes: sizes.isEmpty ? [0] : sizes, axis: axis)
    }

    // MARK: - Padding, tiling, repeating

    /// How ``padded(_:mode:)`` fills new elements.
    public enum PadMode: Sendable {
        /// A constant value.
        case constant(Double)
        /// Mirror without repeating the edge (NumPy's `reflect`, PyTorch's `reflect`).
        case reflect
        /// Repeat the edge value (NumPy's `edge`, PyTorch's `replicate`).
        case replicate
        /// Wrap around (NumPy's `wrap`, PyTorch's `circular`).
        case circular
    }

    /// Pads each axis by `(before, after)` elements (NumPy's `pad` convention: one pair per axis
    /// from the first; fewer pairs pad the leading axes only). Differentiable.
    public func padded(_ widths: [(Int, Int)], mode: PadMode = .constant(0)) -> Tensor {
        ensure(widths.count <= rank && widths.allSatisfy { $0.0 >= 0 && $0.1 >= 0 },
                     "pad: widths \(widths) invalid for shape \(shape)")
        if case .constant(let v) = mode {
            let outShape = shape.enumerated().map { d, n in d < widths.count ? n + widths[d].0 + widths[d].1 : n }
            var out = Tensor.full(outShape, v, dtype: dtype)
            let idx = (0..<rank).map { d -> TensorIndex in
                d < widths.count ? .slice(start: widths[d].0, stop: widths[d].0 + shape[d], step: 1) : .all
            }
            let g = out.viewGeometry(idx)
            var target = out.view(shape: g.shape, strides: g.strides, offset: g.offset)
            Kernels.copy(from: self, into: &target)
            out = Tensor.record(out, [self], "pad") { g in [g.indexed(idx)] }
            return out
        }
        var x = self
        for (d, (before, after)) in widths.enumerated() where before + after > 0 {
            let n = shape[d]
            ensure(n > 0, "pad: cannot pad an empty axis \(d) with mode \(mode)")
            let positions = (-before..<(n + after)).map { i -> Int64 in
                switch mode {
                case .replicate: return Int64(Swift.min(Swift.max(i, 0), n - 1))
                case .circular: return Int64(((i % n) + n) % n)
                default:
                    ensure(n > 1 || before + after == 0, "pad: reflect needs at least 2 elements along axis \(d)")
                    let period = 2 * (n - 1)
                    var j = ((i % period) + period) % period
                    if j >= n { j = period - j }
                    return Int64(j)
                }
            }
            x = x.indexSelect(axis: d, indices: Tensor(positions))
        }
        return x
    }

    /// NumPy's `tile` / PyTorch's `repeat`: the whole tensor repeated `reps[d]` times along each
    /// axis (extra leading reps add axes).
    public func tiled(_ reps: [Int]) -> Tensor {
        ensure(reps.allSatisfy { $0 >= 0 }, "tile: repetitions must be non-negative, got \(reps)")
        let r = reps.count
        var x = self
        if r > rank { x = x.reshaped([Int](repeating: 1, count: r - rank) + shape) }
        let reps = [Int](repeating: 1, count: Swift.max(0, x.rank - r)) + reps
        // [a, b] → [1, a, 1, b] → expand [ra, a, rb, b] → reshape [ra·a, rb·b].
        var inter: [Int] = [], expanded: [Int] = []
        for (n, k) in zip(x.shape, reps) { inter += [1, n]; expanded += [k, n] }
        return x.reshaped(inter).expanded(to: expanded).reshaped(zip(x.shape, reps).map { $0 * $1 })
    }

    /// NumPy's `repeat` / PyTorch's `repeat_interleave`: each element repeated `repeats` times
    /// along `axis` (flattened first when nil).
    public func repeated(_ repeats: Int, axis: Int? = nil) -> Tensor {
        ensure(repeats >= 0, "repeat: repeats must be non-negative, got \(repeats)")
        let x = axis == nil ? reshaped([-1]) : self
        let a = x.normalizedAxis(axis ?? 0, op: "repeat")
        var target = x.shape
        target.insert(repeats, at: a + 1)
        var merged = x.shape
        merged[a] *= repeats
        return x.unsqueezed(a + 1).expanded(to: target).reshaped(merged)
    }
}

import SwiftLearnCore
// Views: new shape/stride/offset over the same storage, no copy (where NumPy would not copy).
// Each is differentiable: the gradient is the inverse view applied to the output gradient.

extension Tensor {
    /// A view with new shape/strides/offset over the same storage (autograd not attached).
    func view(shape: [Int], strides: [Int], offset: Int) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
    }

    // MARK: - Reshape

    /// The same elements in a new shape (one dimension may be -1 and is inferred).
    /// A view when the strides allow it (always for contiguous tensors), otherwise a copy.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let shape = resolvedShape(newShape)
        let out: Tensor
        if let s = Tensor.reshapeStrides(from: self.shape, strides: strides, to: shape) {
            out = view(shape: shape, strides: s, offset: offset)
        } else {
            let c = detached().copied()
            out = c.view(shape: shape, strides: Tensor.contiguousStrides(for: shape), offset: 0)
        }
        let original = self.shape
        return recordUnary(out, self, "reshape") { g in g.reshaped(original) }
    }

    /// Variadic form of ``reshaped(_:)``.
    public func reshaped(_ dims: Int...) -> Tensor { reshaped(dims) }

    /// A 1-D view of all elements (or of dimensions `start...end` merged).
    public func flattened(from start: Int = 0, to end: Int = -1) -> Tensor {
        if rank == 0 { return reshaped([1]) }
        let s = normalizedAxis(start, op: "flatten"), e = normalizedAxis(end, op: "flatten")
        ensure(s <= e, "flatten: start axis \(start) is after end axis \(end) for shape \(shape)")
        let merged = shape[s...e].reduce(1, *)
        return reshaped(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    private func resolvedShape(_ newShape: [Int]) -> [Int] {
        let n = count
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        ensure(unknown.count <= 1 && newShape.allSatisfy { $0 >= -1 },
                     "reshape: invalid target shape \(newShape)")
        var shape = newShape
        if let u = unknown.first {
            let known = newShape.enumerated().filter { $0.offset != u }.reduce(1) { $0 * $1.element }
            ensure(known != 0 && n % known == 0, "reshape: cannot reshape array of size \(n) into shape \(newShape)")
            shape[u] = n / known
        }
        ensure(Tensor.checkedCount(shape) == n, "reshape: cannot reshape array of size \(n) into shape \(newShape)")
        return shape
    }

    /// Strides that view (shape, strides) as `newShape` without copying, or nil if impossible
    /// (NumPy's no-copy reshape: match groups of old and new dimensions with equal products, and
    /// require each old group to be contiguous within itself).
    static func reshapeStrides(from shape: [Int], strides: [Int], to newShape: [Int]) -> [Int]? {
        if shape.reduce(1, *) == 0 { return contiguousStrides(for: newShape) }
        let old = zip(shape, strides).filter { $0.0 != 1 }
        var out = [Int](repeating: 0, count: newShape.count)
        var oi = 0, ni = 0
        while ni < newShape.count || oi < old.count {
            // Size-1 new dimensions take any stride (1 here) and match no old dimension.
            if ni < newShape.count && newShape[ni] == 1 {
                out[ni] = 1
                ni += 1
                continue
            }
            guard oi < old.count, ni < newShape.count else { return nil }
            var np = newShape[ni], op = old[oi].0
            let ns = ni, os = oi
            while np != op {
                if np < op { ni += 1; guard ni < newShape.count else { return nil }; np *= newShape[ni] }
                else { oi += 1; guard oi < old.count else { return nil }; op *= old[oi].0 }
            }
            // The old group os...oi must be contiguous within itself.
            for k in os..<oi where old[k].1 != old[k + 1].1 * old[k + 1].0 { return nil }
            // Assign strides to the new group ns...ni from the innermost old stride.
            var st = old[oi].1
            for k in stride(from: ni, through: ns, by: -1) {
                out[k] = st
                st *= newShape[k]
            }
            ni += 1
            oi += 1
        }
        return out
    }

    // MARK: - Axis order

    /// A view with the axes reordered (`permuted([2, 0, 1])` is NumPy's `transpose(2, 0, 1)`).
    public func permuted(_ axes: [Int]) -> Tensor {
        ensure(axes.count == rank, "permute: \(axes) does not list \(rank) axes for shape \(shape)")
        let ax = axes.map { normalizedAxis($0, op: "permute") }
        ensure(Set(ax).count == rank, "permute: repeated axis in \(axes)")
        let out = view(shape: ax.map { shape[$0] }, strides: ax.map { strides[$0] }, offset: offset)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in ax.enumerated() { inverse[a] = i }
        return recordUnary(out, self, "permute") { g in g.permuted(inverse) }
    }

    /// Variadic form of ``permuted(_:)``.
    public func permuted(_ axes: Int...) -> Tensor { permuted(axes) }

    /// A view with two axes swapped (default: the last two, the matrix transpose of a batch).
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        if rank < 2 { return self }
        var axes = Array(0..<rank)
        axes.swapAt(normalizedAxis(a, op: "transpose"), normalizedAxis(b, op: "transpose"))
        return permuted(axes)
    }

    /// The transpose with all axes reversed (NumPy's `.T`).
    public var T: Tensor { permuted(Array((0..<rank).reversed())) }

    // MARK: - Size-1 axes and broadcasting

    /// A view with a size-1 axis inserted at `axis` (negative counts from the end of the result).
    public func unsqueezed(_ axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        ensure(a >= 0 && a <= rank, "unsqueeze: axis \(axis) out of range for shape \(shape)")
        var sh = shape, st = strides
        sh.insert(1, at: a)
        st.insert(a < rank ? strides[a] * shape[a] : 1, at: a)
        let out = view(shape: sh, strides: st, offset: offset)
        return recordUnary(out, self, "unsqueeze") { g in g.squeezed(a) }
    }

    /// A view without size-1 axes (all of them, or only `axis`, which must have size 1).
    public func squeezed(_ axis: Int? = nil) -> Tensor {
        var keep = Array(0..<rank)
        if let axis {
            let a = normalizedAxis(axis, op: "squeeze")
            ensure(shape[a] == 1, "squeeze: axis \(axis) of shape \(shape) does not have size 1")
            keep.remove(at: a)
        } else {
            keep = keep.filter { shape[$0] != 1 }
        }
        let out = view(shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, offset: offset)
        let original = shape
        return recordUnary(out, self, "squeeze") { g in g.reshaped(original) }
    }

    /// A broadcast view with `shape` (size-1 axes repeat with stride 0; new leading axes allowed;
    /// -1 keeps a size). The gradient sums over the broadcast axes.
    public func expanded(to target: [Int]) -> Tensor {
        ensure(target.count >= rank, "expand: cannot expand shape \(shape) to \(target)")
        let lead = target.count - rank
        var t = target
        for d in 0..<rank where t[lead + d] == -1 { t[lead + d] = shape[d] }
        _ = broadcastShapes(shape, t, op: "expand")
        ensure(broadcastShapes(shape, t, op: "expand") == t, "expand: cannot expand shape \(shape) to \(target)")
        let out = view(shape: t, strides: broadcastStrides(to: t), offset: offset)
        let original = shape
        return recordUnary(out, self, "expand") { g in g.sumToShape(original) }
    }

    /// NumPy's name for ``expanded(to:)``.
    public func broadcast(to shape: [Int]) -> Tensor { expanded(to: shape) }

    /// Sums a gradient of a broadcast shape back to `target` (the inverse of broadcasting).
    public func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        ensure(lead >= 0, "sumToShape: cannot reduce \(shape) to \(target)")
        var axes = Array(0..<lead)
        for d in 0..<target.count where target[d] == 1 && shape[lead + d] != 1 { axes.append(lead + d) }
        var r = axes.isEmpty ? self : sum(axes: axes, keepDims: true)
        if lead > 0 { r = r.reshaped(target) }
        return r.shape == target ? r : r.reshaped(target)
    }
}

import SwiftLearnCore
// Basic indexing: integers, ranges with steps, negative indices, new axes and ellipsis, as
// NumPy's basic slicing. Reading gives a view (no copy); writing copies into the view.

/// One entry of a subscript: an index, a slice, a new axis or an ellipsis.
///
/// Spell them with a leading dot inside a subscript: `x[.index(0)]`, `x[.all, 2]`,
/// `x[.slice(start: 1, stop: nil, step: 2)]`, `x[.stride(by: -1)]`, `x[.newAxis]`, `x[.ellipsis, 0]`.
public struct TensorIndex: Sendable {
    enum Kind: Sendable {
        case index(Int)
        case slice(start: Int?, stop: Int?, step: Int)
        case newAxis
        case ellipsis
    }
    let kind: Kind
}

/// Types usable inside `tensor[...]`: `Int`, Swift ranges of `Int` (negative bounds count from the
/// end, as in Python) and ``TensorIndex``.
public protocol TensorIndexExpression {
    /// The index this value stands for.
    var tensorIndex: TensorIndex { get }
}

extension Int: TensorIndexExpression { public var tensorIndex: TensorIndex { TensorIndex(kind: .index(self)) } }
extension TensorIndex: TensorIndexExpression { public var tensorIndex: TensorIndex { self } }
extension Range: TensorIndexExpression where Bound == Int {
    public var tensorIndex: TensorIndex { .slice(start: lowerBound, stop: upperBound) }
}
extension ClosedRange: TensorIndexExpression where Bound == Int {
    public var tensorIndex: TensorIndex { .slice(start: lowerBound, stop: upperBound == -1 ? nil : upperBound + 1, step: 1) }
}
extension PartialRangeFrom: TensorIndexExpression where Bound == Int {
    public var tensorIndex: TensorIndex { .slice(start: lowerBound, stop: nil, step: 1) }
}
extension PartialRangeUpTo: TensorIndexExpression where Bound == Int {
    public var tensorIndex: TensorIndex { .slice(start: nil, stop: upperBound, step: 1) }
}
extension PartialRangeThrough: TensorIndexExpression where Bound == Int {
    public var tensorIndex: TensorIndex { .slice(start: nil, stop: upperBound == -1 ? nil : upperBound + 1, step: 1) }
}

/// Python's `slice.indices`: clamps start/stop for a dimension of size `n`; returns start, step, count.
func resolveSlice(start: Int?, stop: Int?, step: Int, size n: Int) -> (start: Int, step: Int, count: Int) {
    ensure(step != 0, "slice: step cannot be zero")
    func clamp(_ v: Int?, _ dflt: Int, lo: Int, hi: Int) -> Int {
        guard var v else { return dflt }
        if v < 0 { v += n }
        return Swift.min(Swift.max(v, lo), hi)
    }
    if step > 0 {
        let s = clamp(start, 0, lo: 0, hi: n), e = clamp(stop, n, lo: 0, hi: n)
        return (s, step, e > s ? (e - s + step - 1) / step : 0)
    }
    let s = clamp(start, n - 1, lo: -1, hi: n - 1), e = clamp(stop, -1, lo: -1, hi: n - 1)
    return (s, step, s > e ? (s - e - step - 1) / -step : 0)
}

extension Tensor {
    /// The view selected by `indices` (shape, strides, offset).
    func viewGeometry(_ indices: [TensorIndex]) -> (shape: [Int], strides: [Int], offset: Int) {
        let consumed = indices.filter { if case .newAxis = $0.kind { return false }; if case .ellipsis = $0.kind { return false }; return true }.count
        let ellipses = indices.filter { if case .ellipsis = $0.kind { return true }; return false }.count
        ensure(ellipses <= 1, "index: an index can only have a single ellipsis")
        ensure(consumed <= rank, "index: too many indices (\(consumed)) for a tensor of shape \(shape)")
        var full: [TensorIndex] = []
        for i in indices {
            if case .ellipsis = i.kind { full += [TensorIndex](repeating: .all, count: rank - consumed) } else { full.append(i) }
        }
        while full.filter({ if case .newAxis = $0.kind { return false }; return true }).count < rank { full.append(.all) }
        var sh: [Int] = [], st: [Int] = [], off = offset, d = 0
        for i in full {
            switch i.kind {
            case .index(let k):
                let j = k < 0 ? k + shape[d] : k
                ensure(j >= 0 && j < shape[d], "index: index \(k) is out of bounds for axis \(d) with size \(shape[d])")
                off += j * strides[d]
                d += 1
            case .slice(let s, let e, let step):
                let r = resolveSlice(start: s, stop: e, step: step, size: shape[d])
                if r.count > 0 { off += r.start * strides[d] }
                sh.append(r.count)
                st.append(strides[d] * r.step)
                d += 1
            case .newAxis:
                sh.append(1)
                st.append(0)
            case .ellipsis:
                break
            }
        }
        return (sh, st, off)
    }

    /// Basic indexing: `x[0]`, `x[1..<3, .all, -1]`, `x[.ellipsis, .newAxis]`,
    /// `x[TensorIndex.stride(by: -1)]`. Reading gives a view; assigning broadcasts the new value
    /// into the selected elements (copy-on-write protects other values sharing the storage).
    public subscript(_ indices: TensorIndexExpression...) -> Tensor {
        get { indexed(indices.map { $0.tensorIndex }) }
        set { assign(newValue, at: indices.map { $0.tensorIndex }) }
    }

    /// Basic indexing with an array of ``TensorIndex``.
    public func indexed(_ indices: [TensorIndex]) -> Tensor {
        let g = viewGeometry(indices)
        let out = view(shape: g.shape, strides: g.strides, offset: g.offset)
        let inputShape = shape
        return recordUnary(out, self, "index") { grad in
            var z = Tensor.zeros(inputShape, dtype: grad.dtype)
            let v = z.viewGeometry(indices)
            var target = z.view(shape: v.shape, strides: v.strides, offset: v.offset)
            Kernels.copy(from: grad.contiguous(), into: &target)
            z.node = nil
            return z
        }
    }

    /// Writes `value` (broadcast, converted to this dtype) into the elements selected by `indices`.
    public mutating func assign(_ value: Tensor, at indices: [TensorIndex]) {
        ensure(!(GradMode.isEnabled && (node != nil || value.node != nil)),
                     "index assignment: in-place writes are not differentiable; build the result with where/concat, or assign under GradMode.withoutGrad")
        makeUniqueContiguous()
        let g = viewGeometry(indices)
        var target = view(shape: g.shape, strides: g.strides, offset: g.offset)
        Kernels.copy(from: value.to(dtype), into: &target)
    }

    /// Writes a Swift number into the elements selected by `indices` (converted to this dtype).
    public mutating func assign(_ value: Double, at indices: [TensorIndex]) {
        assign(Tensor(value, dtype: dtype.computeType), at: indices)
    }

    /// Sets the element at a full multi-index (negative indices allowed).
    public mutating func setValue(_ value: Double, at index: [Int]) {
        ensure(index.count == rank, "setValue: index \(index) does not address an element of shape \(shape)")
        assign(value, at: index.map { .index($0) })
    }

    /// The elements `start..<end` (by `step`) along `axis`, as a view.
    public func slice(axis: Int, _ start: Int?, _ end: Int?, step: Int = 1) -> Tensor {
        let a = normalizedAxis(axis, op: "slice")
        var idx = [TensorIndex](repeating: .all, count: a)
        idx.append(.slice(start: start, stop: end, step: step))
        return indexed(idx)
    }

    /// A view with the order of elements reversed along `axes` (negative strides, no copy).
    public func flipped(axes: [Int]) -> Tensor {
        var idx = [TensorIndex](repeating: .all, count: rank)
        for a in axes { idx[normalizedAxis(a, op: "flip")] = .stride(by: -1) }
        return indexed(idx)
    }
}

// The constructors live on the protocol (constrained to TensorIndex) so that leading-dot syntax
// works both where a `TensorIndex` and where any `TensorIndexExpression` is expected.
extension TensorIndexExpression where Self == TensorIndex {
    /// A single position (negative counts from the end); removes the axis.
    public static func index(_ i: Int) -> TensorIndex { TensorIndex(kind: .index(i)) }
    /// Python's `start:stop:step` (nil bounds take the defaults for the step's sign).
    public static func slice(start: Int?, stop: Int?, step: Int = 1) -> TensorIndex {
        TensorIndex(kind: .slice(start: start, stop: stop, step: step))
    }
    /// `start:stop:step` with a step (e.g. `.stride(by: -1)` reverses an axis).
    public static func stride(from start: Int? = nil, to stop: Int? = nil, by step: Int) -> TensorIndex {
        TensorIndex(kind: .slice(start: start, stop: stop, step: step))
    }
    /// The full slice `:`.
    public static var all: TensorIndex { TensorIndex(kind: .slice(start: nil, stop: nil, step: 1)) }
    /// Inserts a size-1 axis (NumPy's `None` / `np.newaxis`).
    public static var newAxis: TensorIndex { TensorIndex(kind: .newAxis) }
    /// Stands for as many full slices as needed (`...`).
    public static var ellipsis: TensorIndex { TensorIndex(kind: .ellipsis) }
}

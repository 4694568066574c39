import SwiftLearnCore
// Sorting and selection along an axis. Orders follow NumPy: ascending with NaN last, stable
// (equal elements keep their order). Values are gathered by the sorted indices, so they carry
// gradients through `gather`.

extension Tensor {
    /// Indices that sort the tensor along `axis` (int64), stable; NaN sorts last.
    public func argsort(axis: Int = -1, descending: Bool = false) -> Tensor {
        if rank == 0 { return Tensor.zeros([], dtype: .int64) }
        let a = normalizedAxis(axis, op: "argsort")
        let moved = detached().transposed(a, -1).to(.float64).contiguous()
        let n = shape[a], rows = n == 0 ? 0 : moved.count / n
        let values = moved.pointer(as: Double.self)
        let out = Tensor(uninitializedShape: moved.shape, dtype: .int64)
        let dst = out.pointer(as: Int64.self)
        Parallel.forRange(rows, cost: n * 8) { s, e in
            var order = [Int](repeating: 0, count: n)
            for r in s..<e {
                let v = values + r * n
                for i in 0..<n { order[i] = i }
                order.sort { i, j in
                    let x = v[i], y = v[j]
                    if x.isNaN || y.isNaN {
                        // NaN last in ascending order, first in descending (NumPy's flip of ascending).
                        if x.isNaN && y.isNaN { return i < j }
                        return descending ? x.isNaN : y.isNaN
                    }
                    if x == y { return i < j }
                    return descending ? x > y : x < y
                }
                for i in 0..<n { dst[r * n + i] = Int64(order[i]) }
            }
        }
        return out.transposed(a, -1).contiguous()
    }

    /// The tensor sorted along `axis`, with the indices that sort it.
    public func sorted(axis: Int = -1, descending: Bool = false) -> (values: Tensor, indices: Tensor) {
        if rank == 0 { return (self, Tensor.zeros([], dtype: .int64)) }
        let idx = argsort(axis: axis, descending: descending)
        return (gather(axis: axis, index: idx), idx)
    }

    /// The `k` largest (or smallest) entries along `axis`, in sorted order, with their indices.
    public func topk(_ k: Int, axis: Int = -1, largest: Bool = true) -> (values: Tensor, indices: Tensor) {
        let a = normalizedAxis(axis, op: "topk")
        ensure(k >= 0 && k <= shape[a], "topk: k = \(k) is out of range for axis \(a) of size \(shape[a])")
        let idx = argsort(axis: a, descending: largest).slice(axis: a, 0, k).contiguous()
        return (gather(axis: a, index: idx), idx)
    }

    /// The sorted distinct values of the flattened tensor (NumPy's `unique`), with, for each input
    /// element, the index of its value in the result (`inverse`), and how often each value occurs.
    public func unique() -> (values: Tensor, inverse: Tensor, counts: Tensor) {
        let flat = detached().reshaped([-1])
        let order = flat.argsort().toArray(as: Int64.self)
        let v = flat.to(.float64).contiguous().scalars
        var keep: [Int64] = [], counts: [Int64] = []
        var inverse = [Int64](repeating: 0, count: v.count)
        var last: Double? = nil
        for i in order.map(Int.init) {
            let x = v[i]
            let same = last.map { $0 == x || ($0.isNaN && x.isNaN) } ?? false
            if !same { keep.append(Int64(i)); counts.append(0); last = x }
            counts[counts.count - 1] += 1
            inverse[i] = Int64(keep.count - 1)
        }
        let values = flat.indexSelect(axis: 0, indices: Tensor(keep, shape: [keep.count]))
        return (values, Tensor(inverse, shape: shape), Tensor(counts, shape: [counts.count]))
    }
}

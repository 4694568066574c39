import CSwiftLearnKernels

// Reductions over any set of axes (nil: all), with NumPy's keepDims. Sums of integers and bools
// are int64, means of integers float64, as in NumPy.

extension Tensor {
    /// Expands a reduced gradient (or value) back to this tensor's shape for backward passes.
    private func expandReduced(_ g: Tensor, axes: [Int]?, keepDims: Bool) -> Tensor {
        let kept = ReductionLayout.keptShape(shape, axes: axes, rank: rank)
        return (keepDims ? g : g.reshaped(kept)).expanded(to: shape)
    }

    /// Number of elements reduced over `axes`.
    private func reducedCount(_ axes: [Int]?) -> Int {
        guard let axes else { return count }
        return Set(axes.map { normalizedAxis($0, op: "reduction") }).reduce(1) { $0 * shape[$1] }
    }

    // MARK: - Sum, mean, product

    /// Sum over `axes` (all when nil). d/dx = 1 broadcast back.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let y = Kernels.reduce(self, axes: axes, keepDims: keepDims, .sum)
        return recordUnary(y, self, "sum") { [self] g in expandReduced(g, axes: axes, keepDims: keepDims) }
    }
    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Arithmetic mean over `axes` (float result; float64 for integer input).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let x = dtype.isFloatingPoint ? self : to(dtype.floatingResultType)
        return x.sum(axes: axes, keepDims: keepDims) / Double(Swift.max(reducedCount(axes), 0))
    }
    /// Mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Variance with `correction` degrees of freedom removed (0: population, NumPy's default;
    /// 1: sample, PyTorch's default). Two-pass for accuracy.
    public func variance(axes: [Int]? = nil, correction: Int = 0, keepDims: Bool = false) -> Tensor {
        let x = dtype.isFloatingPoint ? self : to(dtype.floatingResultType)
        let d = x - x.mean(axes: axes, keepDims: true)
        let n = reducedCount(axes) - correction
        return (d * d).sum(axes: axes, keepDims: keepDims) / Double(Swift.max(n, 0))
    }
    /// Variance over one axis.
    public func variance(axis: Int, correction: Int = 0, keepDims: Bool = false) -> Tensor {
        variance(axes: [axis], correction: correction, keepDims: keepDims)
    }

    /// Standard deviation: √variance.
    public func std(axes: [Int]? = nil, correction: Int = 0, keepDims: Bool = false) -> Tensor {
        variance(axes: axes, correction: correction, keepDims: keepDims).sqrt()
    }
    /// Standard deviation over one axis.
    public func std(axis: Int, correction: Int = 0, keepDims: Bool = false) -> Tensor {
        std(axes: [axis], correction: correction, keepDims: keepDims)
    }

    /// Product over `axes`. The gradient is the product of the other elements (exact with zeros).
    public func prod(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let y = Kernels.reduce(self, axes: axes, keepDims: keepDims, .prod)
        let x = detached()
        return recordUnary(y, self, "prod") { g in
            // Move reduced axes last, flatten them, and form exclusive prefix · suffix products.
            let axesSet = axes.map { Set($0.map { x.normalizedAxis($0) }) } ?? Set(0..<x.rank)
            let kept = (0..<x.rank).filter { !axesSet.contains($0) }, red = axesSet.sorted()
            let perm = kept + red
            let keptDims = kept.map { x.shape[$0] }
            let flat = x.permuted(perm).reshaped(keptDims + [-1])
            let ones = Tensor.ones(keptDims + [1], dtype: x.dtype)
            let n = flat.shape.last!
            let left = Tensor.concat([ones, flat.slice(axis: -1, 0, n - 1).cumprod(axis: -1)], axis: -1)
            let right = Tensor.concat([flat.flipped(axes: [-1]).slice(axis: -1, 0, n - 1).cumprod(axis: -1).flipped(axes: [-1]), ones], axis: -1)
            let others = (left * right).reshaped(perm.map { x.shape[$0] })
            var inverse = [Int](repeating: 0, count: x.rank)
            for (i, a) in perm.enumerated() { inverse[a] = i }
            return x.expandReduced(g, axes: axes, keepDims: keepDims) * others.permuted(inverse)
        }
    }

    // MARK: - Extremes

    /// Maximum over `axes` (NaN propagates). The gradient is shared evenly among tied maxima.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let y = Kernels.reduce(self, axes: axes, keepDims: keepDims, .max).to(dtype)
        return recordExtreme(y, axes: axes, keepDims: keepDims)
    }
    /// Maximum over one axis.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { max(axes: [axis], keepDims: keepDims) }

    /// Minimum over `axes` (NaN propagates). The gradient is shared evenly among tied minima.
    public func min(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let y = Kernels.reduce(self, axes: axes, keepDims: keepDims, .min).to(dtype)
        return recordExtreme(y, axes: axes, keepDims: keepDims)
    }
    /// Minimum over one axis.
    public func min(axis: Int, keepDims: Bool = false) -> Tensor { min(axes: [axis], keepDims: keepDims) }

    private func recordExtreme(_ y: Tensor, axes: [Int]?, keepDims: Bool) -> Tensor {
        let x = detached()
        return recordUnary(y, self, "max/min") { g in
            let mask = (x .== x.expandReduced(y, axes: axes, keepDims: keepDims)).to(g.dtype)
            let ties = x.expandReduced(mask.sum(axes: axes, keepDims: true), axes: axes, keepDims: true)
            return x.expandReduced(g, axes: axes, keepDims: keepDims) * mask / ties
        }
    }

    /// Index of the maximum along `axis` (over the flattened tensor when nil), int64.
    public func argmax(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        Kernels.argReduce(detached(), axis: axis, keepDims: keepDims, max: true)
    }
    /// Index of the minimum along `axis` (over the flattened tensor when nil), int64.
    public func argmin(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        Kernels.argReduce(detached(), axis: axis, keepDims: keepDims, max: false)
    }

    /// True where all elements over `axes` are non-zero.
    public func all(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        Kernels.reduce(to(.bool).to(.int32), axes: axes, keepDims: keepDims, .min).to(.bool)
    }
    /// True where any element over `axes` is non-zero.
    public func any(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        Kernels.reduce(to(.bool).to(.int32), axes: axes, keepDims: keepDims, .max).to(.bool)
    }

    // MARK: - Log-sum-exp and softmax

    /// log Σ eˣ over `axes`, computed stably by subtracting the maximum. d/dx = softmax.
    public func logsumexp(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let x = dtype.isFloatingPoint ? self : to(dtype.floatingResultType)
        let m = x.detached().max(axes: axes, keepDims: true)
        let shift = Tensor.where(m.isFinite(), m, Tensor.zeros([], dtype: m.dtype))
        let s = (x - shift).exp().sum(axes: axes, keepDims: true).log() + shift
        return keepDims ? s : s.reshaped(ReductionLayout.droppedShape(shape, axes: axes, rank: rank))
    }
    /// log Σ eˣ over one axis.
    public func logsumexp(axis: Int, keepDims: Bool = false) -> Tensor { logsumexp(axes: [axis], keepDims: keepDims) }

    /// Softmax along `axis`: eˣ / Σ eˣ, stable. d/dx: y ⊙ (g − Σ g⊙y).
    public func softmax(axis: Int = -1) -> Tensor {
        let y = softmaxForward(axis: axis, log: false)
        let a = normalizedAxis(axis, op: "softmax")
        return recordUnary(y, self, "softmax") { g in y * (g - (g * y).sum(axis: a, keepDims: true)) }
    }

    /// Log-softmax along `axis`: x − logsumexp(x), stable. d/dx: g − softmax ⊙ Σ g.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let y = softmaxForward(axis: axis, log: true)
        let a = normalizedAxis(axis, op: "logSoftmax")
        return recordUnary(y, self, "logSoftmax") { g in g - y.exp() * g.sum(axis: a, keepDims: true) }
    }

    private func softmaxForward(axis: Int, log: Bool) -> Tensor {
        let a = normalizedAxis(axis, op: "softmax")
        let x = (dtype.isFloatingPoint && dtype == dtype.computeType ? self : to(dtype.floatingResultType)).detached()
        if rank == 0 { return log ? Tensor.zeros(like: x) : Tensor.ones(like: x) }
        // Fast path: the axis is last and contiguous (C kernel, rows split across cores).
        if a == rank - 1, x.isContiguous, shape[a] > 0 {
            let cols = shape[a], rows = count / cols
            let out = Tensor(uninitializedShape: shape, dtype: x.dtype)
            if x.dtype == .float32 {
                let s = UnsafePointer(x.pointer(as: Float.self)), d = out.pointer(as: Float.self)
                Parallel.forRange(rows, cost: cols * 16) { r0, r1 in
                    let f = log ? sl_logsoftmax_rows_f32 : sl_softmax_rows_f32
                    f(s + r0 * cols, d + r0 * cols, r1 - r0, cols)
                }
            } else {
                let s = UnsafePointer(x.pointer(as: Double.self)), d = out.pointer(as: Double.self)
                Parallel.forRange(rows, cost: cols * 16) { r0, r1 in
                    let f = log ? sl_logsoftmax_rows_f64 : sl_softmax_rows_f64
                    f(s + r0 * cols, d + r0 * cols, r1 - r0, cols)
                }
            }
            return out
        }
        let shifted = x - x.max(axis: a, keepDims: true)
        if log { return shifted - shifted.exp().sum(axis: a, keepDims: true).log() }
        let e = shifted.exp()
        return e / e.sum(axis: a, keepDims: true)
    }

    // MARK: - Scans

    /// Cumulative sum along `axis`. d/dx: reversed cumulative sum of the gradient.
    public func cumsum(axis: Int) -> Tensor {
        let y = Kernels.scan(self, axis: axis, product: false)
        let a = normalizedAxis(axis, op: "cumsum")
        return recordUnary(y, self, "cumsum") { g in g.flipped(axes: [a]).cumsum(axis: a).flipped(axes: [a]) }
    }

    /// Cumulative product along `axis`. d/dx_i = Σ_{j≥i} g_j · y_j / x_i (inputs without zeros).
    public func cumprod(axis: Int) -> Tensor {
        let y = Kernels.scan(self, axis: axis, product: true)
        let a = normalizedAxis(axis, op: "cumprod")
        let x = detached()
        return recordUnary(y, self, "cumprod") { g in
            (g * y).flipped(axes: [a]).cumsum(axis: a).flipped(axes: [a]) / x
        }
    }
}

extension ReductionLayout {
    /// The shape after reducing `axes` with keepDims = true.
    static func keptShape(_ shape: [Int], axes: [Int]?, rank: Int) -> [Int] {
        guard let axes else { return [Int](repeating: 1, count: rank) }
        let set = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        return shape.enumerated().map { set.contains($0.offset) ? 1 : $0.element }
    }

    /// The shape after reducing `axes` with keepDims = false.
    static func droppedShape(_ shape: [Int], axes: [Int]?, rank: Int) -> [Int] {
        guard let axes else { return [] }
        let set = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        return shape.enumerated().filter { !set.contains($0.offset) }.map { $0.element }
    }
}

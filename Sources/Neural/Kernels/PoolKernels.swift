import CSwiftLearnKernels
import Tensors

// Max and average pooling over the last two axes of [N, C, H, W] (each (n, c) plane independent,
// planes split across cores). Max pooling keeps the arg-max offsets for its backward pass.

/// Window geometry for pooling along one axis.
struct PoolAxis {
    var size, kernel, stride, padding, dilation: Int
    var ceilMode: Bool

    /// Output length, with PyTorch's rule that the last window must start inside the input or
    /// the left padding.
    var out: Int {
        let span = size + 2 * padding - dilation * (kernel - 1) - 1
        var o = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        if ceilMode && (o - 1) * stride >= size + padding { o -= 1 }
        return o
    }
}

enum PoolKernels {
    /// Max pooling: output values and the flat in-plane offset of each maximum (C kernel
    /// `sl_maxpool2d_*`; a NaN in a window wins, as in PyTorch).
    static func maxForward<T: FloatScalar>(_: T.Type, x: Tensor, planes: Int, ah: PoolAxis, aw: PoolAxis) -> (Tensor, [Int32]) {
        let H = ah.size, W = aw.size, oh = ah.out, ow = aw.out
        var shape = x.shape
        shape[shape.count - 2] = oh; shape[shape.count - 1] = ow
        let y = Tensor.uninitialized(shape, dtype: x.dtype)
        var idx = [Int32](repeating: 0, count: planes * oh * ow)
        let px = UnsafePointer(x.raw(T.self)), py = y.raw(T.self)
        idx.withUnsafeMutableBufferPointer { ib in
            let pi = ib.baseAddress!
            NeuralParallel.forRange(planes, cost: oh * ow * ah.kernel * aw.kernel) { s, e in
                let n = e - s, src = px + s * H * W, dst = py + s * oh * ow, at = pi + s * oh * ow
                if T.self == Float.self {
                    sl_maxpool2d_f32(UnsafeRawPointer(src).assumingMemoryBound(to: Float.self), n, H, W, oh, ow, ah.kernel, aw.kernel,
                                     ah.stride, aw.stride, ah.padding, aw.padding, ah.dilation, aw.dilation,
                                     UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Float.self), at)
                } else {
                    sl_maxpool2d_f64(UnsafeRawPointer(src).assumingMemoryBound(to: Double.self), n, H, W, oh, ow, ah.kernel, aw.kernel,
                                     ah.stride, aw.stride, ah.padding, aw.padding, ah.dilation, aw.dilation,
                                     UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Double.self), at)
                }
            }
        }
        return (y, idx)
    }

    /// Scatters the output gradient to the arg-max positions.
    static func maxBackward<T: FloatScalar>(_: T.Type, g: Tensor, idx: [Int32], inputShape: [Int], planes: Int, hw: Int, ohw: Int) -> Tensor {
        let dx = Tensor.zeros(inputShape, dtype: g.dtype)
        let pg = UnsafePointer(g.raw(T.self)), pd = dx.raw(T.self)
        idx.withUnsafeBufferPointer { ib in
            NeuralParallel.forRange(planes, cost: ohw) { s, e in
                for p in s..<e {
                    for q in 0..<ohw { let at = Int(ib[p * ohw + q]); if at >= 0 { pd[p * hw + at] += pg[p * ohw + q] } }
                }
            }
        }
        return dx
    }

    /// One average-pooling window: rows [r0, r1) × cols [c0, c1) (clipped to the input) and its divisor.
    struct Window { var r0, r1, c0, c1: Int; var divisor: Double }

    /// The windows of average pooling (PyTorch's divisor rules) or adaptive pooling.
    static func averageWindows(ah: PoolAxis, aw: PoolAxis, countIncludePad: Bool) -> [Window] {
        var out: [Window] = []
        for i in 0..<ah.out {
            for j in 0..<aw.out {
                var r0 = i * ah.stride - ah.padding, c0 = j * aw.stride - aw.padding
                var r1 = Swift.min(r0 + ah.kernel, ah.size + ah.padding), c1 = Swift.min(c0 + aw.kernel, aw.size + aw.padding)
                let padded = (r1 - r0) * (c1 - c0)
                r0 = Swift.max(r0, 0); c0 = Swift.max(c0, 0); r1 = Swift.min(r1, ah.size); c1 = Swift.min(c1, aw.size)
                out.append(Window(r0: r0, r1: r1, c0: c0, c1: c1, divisor: Double(countIncludePad ? padded : (r1 - r0) * (c1 - c0))))
            }
        }
        return out
    }

    /// Adaptive average pooling windows: start ⌊i·H/O⌋, end ⌈(i+1)·H/O⌉.
    static func adaptiveWindows(h: Int, w: Int, oh: Int, ow: Int) -> [Window] {
        var out: [Window] = []
        for i in 0..<oh {
            for j in 0..<ow {
                let r0 = i * h / oh, r1 = ((i + 1) * h + oh - 1) / oh
                let c0 = j * w / ow, c1 = ((j + 1) * w + ow - 1) / ow
                out.append(Window(r0: r0, r1: r1, c0: c0, c1: c1, divisor: Double((r1 - r0) * (c1 - c0))))
            }
        }
        return out
    }

    static func averageForward<T: FloatScalar>(_: T.Type, x: Tensor, planes: Int, h: Int, w: Int, windows: [Window], outShape: [Int]) -> Tensor {
        let y = Tensor.uninitialized(outShape, dtype: x.dtype)
        let px = UnsafePointer(x.raw(T.self)), py = y.raw(T.self), nw = windows.count
        NeuralParallel.forRange(planes, cost: h * w) { s, e in
            for p in s..<e {
                let src = px + p * h * w
                for (q, win) in windows.enumerated() {
                    var acc: T = 0
                    for r in win.r0..<Swift.max(win.r0, win.r1) { for c in win.c0..<Swift.max(win.c0, win.c1) { acc += src[r * w + c] } }
                    py[p * nw + q] = acc / T(win.divisor)
                }
            }
        }
        return y
    }

    static func averageBackward<T: FloatScalar>(_: T.Type, g: Tensor, planes: Int, h: Int, w: Int, windows: [Window], inputShape: [Int]) -> Tensor {
        let dx = Tensor.zeros(inputShape, dtype: g.dtype)
        let pg = UnsafePointer(g.raw(T.self)), pd = dx.raw(T.self), nw = windows.count
        NeuralParallel.forRange(planes, cost: h * w) { s, e in
            for p in s..<e {
                let dst = pd + p * h * w
                for (q, win) in windows.enumerated() {
                    let v = pg[p * nw + q] / T(win.divisor)
                    for r in win.r0..<Swift.max(win.r0, win.r1) { for c in win.c0..<Swift.max(win.c0, win.c1) { dst[r * w + c] += v } }
                }
            }
        }
        return dx
    }
}

import Tensors
import SwiftLearnCore

// Pooling over the trailing spatial axes (PyTorch's F.max_pool2d / avg_pool2d /
// adaptive_avg_pool2d and their 1-D forms), each one autograd node. Inputs are [N, C, H, W] or
// [C, H, W] (1-D: [N, C, L] or [C, L]).

private func checkPoolInput(_ x: Tensor, _ op: String, spatial: Int) {
    ensure(x.rank == spatial + 1 || x.rank == spatial + 2,
           "\(op): expected input with \(spatial + 1) or \(spatial + 2) axes, got shape \(x.shape)")
    ensure(x.dtype == .float32 || x.dtype == .float64, "\(op): expects float32 or float64, got \(x.dtype)")
}

/// 2-D max pooling: the largest value in each window (padding counts as −∞).
/// `stride` defaults to the kernel size. d/dx: the gradient goes to each window's maximum.
public func maxPool2d(_ x: Tensor, kernelSize: Spatial2D, stride: Spatial2D? = nil, padding: Spatial2D = 0,
                      dilation: Spatial2D = 1, ceilMode: Bool = false) -> Tensor {
    checkPoolInput(x, "maxPool2d", spatial: 2)
    let s = stride ?? kernelSize
    ensure(padding.h * 2 <= kernelSize.h && padding.w * 2 <= kernelSize.w,
           "maxPool2d: padding \(padding) should be at most half the kernel size \(kernelSize)")
    let r = x.rank, h = x.shape[r - 2], w = x.shape[r - 1]
    let ah = PoolAxis(size: h, kernel: kernelSize.h, stride: s.h, padding: padding.h, dilation: dilation.h, ceilMode: ceilMode)
    let aw = PoolAxis(size: w, kernel: kernelSize.w, stride: s.w, padding: padding.w, dilation: dilation.w, ceilMode: ceilMode)
    ensure(ah.out > 0 && aw.out > 0, "maxPool2d: input shape \(x.shape) is too small for kernel \(kernelSize)")
    let dt = x.dtype, xs = x.plain(dt), planes = x.count / Swift.max(h * w, 1)
    let (y, idx) = dt == .float32 ? PoolKernels.maxForward(Float.self, x: xs, planes: planes, ah: ah, aw: aw)
                                  : PoolKernels.maxForward(Double.self, x: xs, planes: planes, ah: ah, aw: aw)
    guard GradMode.isEnabled, x.requiresGrad else { return y }
    let shape = x.shape, ohw = ah.out * aw.out
    return Tensor.differentiable(y, inputs: [x], name: "maxPool2d") { g in
        let gs = g.plain(dt)
        return [dt == .float32 ? PoolKernels.maxBackward(Float.self, g: gs, idx: idx, inputShape: shape, planes: planes, hw: h * w, ohw: ohw)
                               : PoolKernels.maxBackward(Double.self, g: gs, idx: idx, inputShape: shape, planes: planes, hw: h * w, ohw: ohw)]
    }
}

/// Average pooling over the given windows (shared by the fixed-size and adaptive forms).
private func averagePool(_ x: Tensor, windows: [PoolKernels.Window], oh: Int, ow: Int, name: String) -> Tensor {
    let r = x.rank, h = x.shape[r - 2], w = x.shape[r - 1]
    let dt = x.dtype, xs = x.plain(dt), planes = x.count / Swift.max(h * w, 1)
    var outShape = x.shape
    outShape[r - 2] = oh; outShape[r - 1] = ow
    let y = dt == .float32 ? PoolKernels.averageForward(Float.self, x: xs, planes: planes, h: h, w: w, windows: windows, outShape: outShape)
                           : PoolKernels.averageForward(Double.self, x: xs, planes: planes, h: h, w: w, windows: windows, outShape: outShape)
    guard GradMode.isEnabled, x.requiresGrad else { return y }
    let shape = x.shape
    return Tensor.differentiable(y, inputs: [x], name: name) { g in
        let gs = g.plain(dt)
        return [dt == .float32 ? PoolKernels.averageBackward(Float.self, g: gs, planes: planes, h: h, w: w, windows: windows, inputShape: shape)
                               : PoolKernels.averageBackward(Double.self, g: gs, planes: planes, h: h, w: w, windows: windows, inputShape: shape)]
    }
}

/// 2-D average pooling. With `countIncludePad` (PyTorch's default) padded zeros count in the
/// divisor; windows clipped by `ceilMode` never count positions past the padding.
public func avgPool2d(_ x: Tensor, kernelSize: Spatial2D, stride: Spatial2D? = nil, padding: Spatial2D = 0,
                      ceilMode: Bool = false, countIncludePad: Bool = true) -> Tensor {
    checkPoolInput(x, "avgPool2d", spatial: 2)
    let s = stride ?? kernelSize
    ensure(padding.h * 2 <= kernelSize.h && padding.w * 2 <= kernelSize.w,
           "avgPool2d: padding \(padding) should be at most half the kernel size \(kernelSize)")
    let r = x.rank
    let ah = PoolAxis(size: x.shape[r - 2], kernel: kernelSize.h, stride: s.h, padding: padding.h, dilation: 1, ceilMode: ceilMode)
    let aw = PoolAxis(size: x.shape[r - 1], kernel: kernelSize.w, stride: s.w, padding: padding.w, dilation: 1, ceilMode: ceilMode)
    ensure(ah.out > 0 && aw.out > 0, "avgPool2d: input shape \(x.shape) is too small for kernel \(kernelSize)")
    return averagePool(x, windows: PoolKernels.averageWindows(ah: ah, aw: aw, countIncludePad: countIncludePad),
                       oh: ah.out, ow: aw.out, name: "avgPool2d")
}

/// Adaptive 2-D average pooling to a fixed output size (window i spans ⌊iH/O⌋ ..< ⌈(i+1)H/O⌉).
public func adaptiveAvgPool2d(_ x: Tensor, outputSize: Spatial2D) -> Tensor {
    checkPoolInput(x, "adaptiveAvgPool2d", spatial: 2)
    let r = x.rank, h = x.shape[r - 2], w = x.shape[r - 1]
    ensure(outputSize.h > 0 && outputSize.w > 0, "adaptiveAvgPool2d: output size \(outputSize) must be positive")
    return averagePool(x, windows: PoolKernels.adaptiveWindows(h: h, w: w, oh: outputSize.h, ow: outputSize.w),
                       oh: outputSize.h, ow: outputSize.w, name: "adaptiveAvgPool2d")
}

/// 1-D max pooling over the last axis of `[N, C, L]` or `[C, L]`.
public func maxPool1d(_ x: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false) -> Tensor {
    checkPoolInput(x, "maxPool1d", spatial: 1)
    return maxPool2d(x.unsqueezed(-2), kernelSize: Spatial2D(1, kernelSize), stride: Spatial2D(1, stride ?? kernelSize),
                     padding: Spatial2D(0, padding), dilation: Spatial2D(1, dilation), ceilMode: ceilMode).squeezed(-2)
}

/// 1-D average pooling over the last axis of `[N, C, L]` or `[C, L]`.
public func avgPool1d(_ x: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false,
                      countIncludePad: Bool = true) -> Tensor {
    checkPoolInput(x, "avgPool1d", spatial: 1)
    return avgPool2d(x.unsqueezed(-2), kernelSize: Spatial2D(1, kernelSize), stride: Spatial2D(1, stride ?? kernelSize),
                     padding: Spatial2D(0, padding), ceilMode: ceilMode, countIncludePad: countIncludePad).squeezed(-2)
}

/// 2-D max pooling layer (PyTorch's `nn.MaxPool2d`; stride defaults to the kernel size).
public final class MaxPool2d: Module {
    /// Window size.
    public let kernelSize: Spatial2D
    /// Window step.
    public let stride: Spatial2D
    /// Implicit −∞ padding on both sides.
    public let padding: Spatial2D
    /// Spacing between window taps.
    public let dilation: Spatial2D
    /// Whether the output size rounds up.
    public let ceilMode: Bool
    /// Creates the layer.
    public init(kernelSize: Spatial2D, stride: Spatial2D? = nil, padding: Spatial2D = 0, dilation: Spatial2D = 1, ceilMode: Bool = false) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
        self.dilation = dilation; self.ceilMode = ceilMode
        super.init()
    }
    /// `[N, C, H, W]` → `[N, C, Hout, Wout]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank == 3 || x.rank == 4, "MaxPool2d(kernel_size=\(kernelSize)): expected input [N, C, H, W] or [C, H, W], got \(x.shape)")
        return maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
    public override var extraDescription: String { "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding)" }
}

/// 2-D average pooling layer (PyTorch's `nn.AvgPool2d`).
public final class AvgPool2d: Module {
    /// Window size.
    public let kernelSize: Spatial2D
    /// Window step.
    public let stride: Spatial2D
    /// Implicit zero padding on both sides.
    public let padding: Spatial2D
    /// Whether the output size rounds up.
    public let ceilMode: Bool
    /// Whether padded zeros count in the divisor.
    public let countIncludePad: Bool
    /// Creates the layer.
    public init(kernelSize: Spatial2D, stride: Spatial2D? = nil, padding: Spatial2D = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
        self.ceilMode = ceilMode; self.countIncludePad = countIncludePad
        super.init()
    }
    /// `[N, C, H, W]` → `[N, C, Hout, Wout]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank == 3 || x.rank == 4, "AvgPool2d(kernel_size=\(kernelSize)): expected input [N, C, H, W] or [C, H, W], got \(x.shape)")
        return avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
    public override var extraDescription: String { "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding)" }
}

/// Adaptive 2-D average pooling layer (PyTorch's `nn.AdaptiveAvgPool2d`).
public final class AdaptiveAvgPool2d: Module {
    /// Output height and width.
    public let outputSize: Spatial2D
    /// Creates the layer.
    public init(_ outputSize: Spatial2D) { self.outputSize = outputSize; super.init() }
    /// `[N, C, H, W]` → `[N, C, outH, outW]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank == 3 || x.rank == 4, "AdaptiveAvgPool2d(\(outputSize)): expected input [N, C, H, W] or [C, H, W], got \(x.shape)")
        return adaptiveAvgPool2d(x, outputSize: outputSize)
    }
    public override var extraDescription: String { "output_size=\(outputSize)" }
}

/// 1-D max pooling layer (PyTorch's `nn.MaxPool1d`).
public final class MaxPool1d: Module {
    /// Window size, step, padding, dilation and rounding.
    public let kernelSize: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool
    /// Creates the layer.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
        self.dilation = dilation; self.ceilMode = ceilMode
        super.init()
    }
    /// `[N, C, L]` → `[N, C, Lout]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank == 2 || x.rank == 3, "MaxPool1d(kernel_size=\(kernelSize)): expected input [N, C, L] or [C, L], got \(x.shape)")
        return maxPool1d(x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
}

/// 1-D average pooling layer (PyTorch's `nn.AvgPool1d`).
public final class AvgPool1d: Module {
    /// Window size, step, padding and rounding.
    public let kernelSize: Int, stride: Int, padding: Int, ceilMode: Bool, countIncludePad: Bool
    /// Creates the layer.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
        self.ceilMode = ceilMode; self.countIncludePad = countIncludePad
        super.init()
    }
    /// `[N, C, L]` → `[N, C, Lout]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank == 2 || x.rank == 3, "AvgPool1d(kernel_size=\(kernelSize)): expected input [N, C, L] or [C, L], got \(x.shape)")
        return avgPool1d(x, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

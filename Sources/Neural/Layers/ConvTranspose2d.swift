import Tensors
import SwiftLearnCore

/// 2-D transposed convolution over `[N, Cin, H, W]` inputs (PyTorch's `F.conv_transpose2d`, the
/// gradient of a convolution with respect to its input), one autograd node.
///
/// Each input pixel scatters `x[n, c, y, x] · w[c, o, i, j]` to output position
/// `(y·s − p + i·d, x·s − p + j·d)` of channel o in its group. The forward pass is the input
/// gradient of the matching ``conv2d(_:weight:bias:stride:padding:dilation:groups:)`` (a GEMM and a
/// col2im); the backward pass is that convolution itself (input gradient) and its weight gradient.
///
/// - Parameters:
///   - x: `[N, Cin, H, W]` or `[Cin, H, W]`.
///   - weight: `[Cin, Cout/groups, kh, kw]` (input channels first, as PyTorch).
///   - bias: `[Cout]` or nil.
///   - outputPadding: extra rows/columns added at the bottom/right of the output (less than the
///     stride or the dilation), to pick one of the input sizes a strided convolution maps to H.
/// - Returns: `[N, Cout, Hout, Wout]`, `Hout = (H − 1)·s − 2p + d·(kh − 1) + outputPadding + 1`.
public func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Spatial2D = 1, padding: Spatial2D = 0,
                            outputPadding: Spatial2D = 0, groups: Int = 1, dilation: Spatial2D = 1) -> Tensor {
    ensure(weight.rank == 4, "convTranspose2d: weight must be [Cin, Cout/groups, kh, kw], got shape \(weight.shape)")
    ensure(x.rank == 4 || x.rank == 3, "convTranspose2d: expected input [N, C, H, W] or [C, H, W], got shape \(x.shape)")
    if x.rank == 3 {
        return convTranspose2d(x.unsqueezed(0), weight: weight, bias: bias, stride: stride, padding: padding,
                               outputPadding: outputPadding, groups: groups, dilation: dilation).squeezed(0)
    }
    let cin = weight.shape[0], cout = weight.shape[1] * groups
    ensure(groups >= 1 && cin % groups == 0 && x.shape[1] == cin,
           "convTranspose2d: input shape \(x.shape) does not match weight shape \(weight.shape) with groups=\(groups)")
    ensure(stride.h > 0 && stride.w > 0 && dilation.h > 0 && dilation.w > 0 && padding.h >= 0 && padding.w >= 0,
           "convTranspose2d: stride and dilation must be positive and padding non-negative")
    ensure(outputPadding.h >= 0 && outputPadding.w >= 0
           && (outputPadding.h < stride.h || outputPadding.h < dilation.h) && (outputPadding.w < stride.w || outputPadding.w < dilation.w),
           "convTranspose2d: output padding \(outputPadding) must be smaller than either stride \(stride) or dilation \(dilation)")
    let dt = weight.dtype
    ensure(dt == .float32 || dt == .float64, "convTranspose2d: weight dtype must be float32 or float64, got \(dt)")
    ensure(x.dtype == dt, "convTranspose2d: input dtype \(x.dtype) does not match weight dtype \(dt)")
    if let bias { ensure(bias.shape == [cout], "convTranspose2d: bias shape \(bias.shape) must be [\(cout)]") }
    let n = x.shape[0], h = x.shape[2], w = x.shape[3], kh = weight.shape[2], kw = weight.shape[3]
    let hout = (h - 1) * stride.h - 2 * padding.h + dilation.h * (kh - 1) + outputPadding.h + 1
    let wout = (w - 1) * stride.w - 2 * padding.w + dilation.w * (kw - 1) + outputPadding.w + 1
    ensure(hout > 0 && wout > 0, "convTranspose2d: padding \(padding) is too large for input \(x.shape) and kernel \([kh, kw])")
    // The convolution this op transposes maps [N, Cout, Hout, Wout] to [N, Cin, H', W'] with H' = H
    // unless the output padding reaches a whole stride (allowed when it is below the dilation):
    // then the input is extended by zero rows/columns to H', which add nothing.
    let geo = ConvGeometry(n: n, cin: cout, h: hout, w: wout, cout: cin, kh: kh, kw: kw, sh: stride.h, sw: stride.w,
                           ph: padding.h, pw: padding.w, dh: dilation.h, dw: dilation.w, groups: groups)
    ensure(geo.hout >= h && geo.wout >= w, "internal: convTranspose2d geometry \(geo) does not cover input \(x.shape)")
    let extended = geo.hout > h || geo.wout > w
    var xs = x.plain(dt)
    if extended { xs = xs.padded([(0, 0), (0, 0), (0, geo.hout - h), (0, geo.wout - w)]).contiguous() }
    let ws = weight.plain(dt)
    let shapeOnly = Tensor.uninitialized([n, cout, hout, wout], dtype: dt)   // only its size is read
    var y = (dt == .float32
        ? ConvKernels.backward(Float.self, geo, gy: xs, x: shapeOnly, cols: nil, w: ws, needX: true, needW: false, needB: false)
        : ConvKernels.backward(Double.self, geo, gy: xs, x: shapeOnly, cols: nil, w: ws, needX: true, needW: false, needB: false)).0!
    if let bias { y = (y + bias.detached().to(dt).reshaped([1, cout, 1, 1])).contiguous() }
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    guard GradMode.isEnabled, needX || needW || needB else { return y }
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    return Tensor.differentiable(y, inputs: inputs, name: "convTranspose2d") { g in
        let gs = g.plain(dt)
        var dx: Tensor? = nil, dw: Tensor? = nil
        if needX || needW {
            let (conv, cols) = dt == .float32 ? ConvKernels.forward(Float.self, geo, x: gs, w: ws, b: nil)
                                              : ConvKernels.forward(Double.self, geo, x: gs, w: ws, b: nil)
            if needX { dx = extended ? conv.slice(axis: 2, 0, h).slice(axis: 3, 0, w).contiguous() : conv }
            if needW {
                dw = (dt == .float32
                    ? ConvKernels.backward(Float.self, geo, gy: xs, x: gs, cols: cols, w: ws, needX: false, needW: true, needB: false)
                    : ConvKernels.backward(Double.self, geo, gy: xs, x: gs, cols: cols, w: ws, needX: false, needW: true, needB: false)).1
            }
        }
        var out: [Tensor?] = [dx, dw]
        if bias != nil { out.append(needB ? gs.sum(axes: [0, 2, 3]) : nil) }
        return out
    }
}

/// A 2-D transposed convolution layer (PyTorch's `nn.ConvTranspose2d`, "deconvolution"), the
/// upsampling layer of decoders and U-Nets: weight `[in, out/groups, kh, kw]`, bias `[out]`, both
/// U(±1/√fan_in) with fan_in = out/groups·kh·kw, as PyTorch initializes them.
///
/// ```swift
/// let up = ConvTranspose2d(64, 32, kernelSize: 4, stride: 2, padding: 1)
/// let y = up(x)     // [N, 64, H, W] → [N, 32, 2H, 2W]
/// ```
public final class ConvTranspose2d: Module {
    /// Input channels.
    public let inChannels: Int
    /// Output channels.
    public let outChannels: Int
    /// Kernel height and width.
    public let kernelSize: Spatial2D
    /// Step between input pixels in the output.
    public let stride: Spatial2D
    /// Rows/columns removed from both sides of the full output (`dilation·(k − 1) − padding` of zero padding of the equivalent convolution).
    public let padding: Spatial2D
    /// Extra rows/columns at the bottom/right of the output.
    public let outputPadding: Spatial2D
    /// Number of blocked connections from input to output channels.
    public let groups: Int
    /// Spacing between kernel taps.
    public let dilation: Spatial2D
    /// `[inChannels, outChannels/groups, kh, kw]`.
    public var weight: Parameter
    /// `[outChannels]` or nil.
    public var bias: Parameter?

    /// Creates the layer with PyTorch's defaults and initialization.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Spatial2D, stride: Spatial2D = 1, padding: Spatial2D = 0,
                outputPadding: Spatial2D = 0, groups: Int = 1, bias: Bool = true, dilation: Spatial2D = 1,
                dtype: DType = .float32, generator: RandomGenerator? = nil) {
        ensure(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
               "ConvTranspose2d: in_channels \(inChannels) and out_channels \(outChannels) must be divisible by groups \(groups)")
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernelSize = kernelSize; self.stride = stride
        self.padding = padding; self.outputPadding = outputPadding; self.groups = groups; self.dilation = dilation
        let fanIn = outChannels / groups * kernelSize.h * kernelSize.w
        let bound = fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0
        weight = Parameter(Tensor.uniform([inChannels, outChannels / groups, kernelSize.h, kernelSize.w], low: -bound, high: bound,
                                          dtype: dtype, generator: generator))
        self.bias = bias ? Parameter(Tensor.uniform([outChannels], low: -bound, high: bound, dtype: dtype, generator: generator)) : nil
        super.init()
    }

    /// `[N, inChannels, H, W]` (or `[inChannels, H, W]`) → `[N, outChannels, Hout, Wout]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure((x.rank == 4 || x.rank == 3) && x.shape[x.rank - 3] == inChannels,
               "ConvTranspose2d(\(inChannels), \(outChannels)): expected input shape [N, \(inChannels), H, W], got \(x.shape)")
        return convTranspose2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
                               outputPadding: outputPadding, groups: groups, dilation: dilation)
    }

    /// Runs the layer with the output size chosen (PyTorch's `forward(input, output_size)`): a
    /// strided transposed convolution can produce any of `stride` sizes per axis, and this picks
    /// one (e.g. the size of the matching encoder feature map) through the output padding.
    ///
    /// - Parameter outputSize: the wanted spatial size; each axis within
    ///   [`min`, `min` + stride − 1] where `min` = (in − 1)·stride − 2·padding + dilation·(k − 1) + 1.
    public func callAsFunction(_ x: Tensor, outputSize: Spatial2D) -> Tensor {
        ensure((x.rank == 4 || x.rank == 3) && x.shape[x.rank - 3] == inChannels,
               "ConvTranspose2d(\(inChannels), \(outChannels)): expected input shape [N, \(inChannels), H, W], got \(x.shape)")
        let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
        let minH = (h - 1) * stride.h - 2 * padding.h + dilation.h * (kernelSize.h - 1) + 1
        let minW = (w - 1) * stride.w - 2 * padding.w + dilation.w * (kernelSize.w - 1) + 1
        ensure(outputSize.h >= minH && outputSize.h < minH + stride.h && outputSize.w >= minW && outputSize.w < minW + stride.w,
               "ConvTranspose2d(\(inChannels), \(outChannels)): requested output size \(outputSize) is not in the range "
               + "[\(minH), \(minH + stride.h - 1)] × [\(minW), \(minW + stride.w - 1)] for input \(x.shape)")
        let y = convTranspose2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
                                outputPadding: [outputSize.h - minH, outputSize.w - minW], groups: groups, dilation: dilation)
        ModuleTrace.record(self, output: y)
        return y
    }

    public override var extraDescription: String {
        var s = "\(inChannels), \(outChannels), kernel_size=\(kernelSize), stride=\(stride)"
        if padding != 0 { s += ", padding=\(padding)" }
        if outputPadding != 0 { s += ", output_padding=\(outputPadding)" }
        if dilation != 1 { s += ", dilation=\(dilation)" }
        if groups != 1 { s += ", groups=\(groups)" }
        if bias == nil { s += ", bias=false" }
        return s
    }
}

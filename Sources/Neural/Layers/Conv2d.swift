import Tensors
import SwiftLearnCore

/// 2-D convolution over `[N, C, H, W]` inputs (PyTorch's `F.conv2d`), as one autograd node
/// (im2col + GEMM forward, hand-written backward).
///
/// `out[n, o, y, x] = b[o] + Σ_{c, i, j} w[o, c, i, j] · in[n, g·C/G + c, y·s − p + i·d, x·s − p + j·d]`
/// for output channel o of group g.
///
/// - Parameters:
///   - x: `[N, Cin, H, W]`.
///   - weight: `[Cout, Cin/groups, kh, kw]`.
///   - bias: `[Cout]` or nil.
/// - Returns: `[N, Cout, Hout, Wout]` with `Hout = ⌊(H + 2p − d(kh − 1) − 1)/s⌋ + 1`.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Spatial2D = 1, padding: Spatial2D = 0,
                   dilation: Spatial2D = 1, groups: Int = 1) -> Tensor {
    ensure(weight.rank == 4, "conv2d: weight must be [Cout, Cin/groups, kh, kw], got shape \(weight.shape)")
    ensure(x.rank == 4, "conv2d: expected input [N, C, H, W], got shape \(x.shape)")
    let cout = weight.shape[0], cinG = weight.shape[1]
    ensure(groups >= 1 && cout % groups == 0 && x.shape[1] == cinG * groups,
           "conv2d: input shape \(x.shape) does not match weight shape \(weight.shape) with groups=\(groups)")
    ensure(stride.h > 0 && stride.w > 0 && dilation.h > 0 && dilation.w > 0 && padding.h >= 0 && padding.w >= 0,
           "conv2d: stride and dilation must be positive and padding non-negative")
    let dt = weight.dtype
    ensure(dt == .float32 || dt == .float64, "conv2d: weight dtype must be float32 or float64, got \(dt)")
    ensure(x.dtype == dt, "conv2d: input dtype \(x.dtype) does not match weight dtype \(dt)")
    if let bias { ensure(bias.shape == [cout], "conv2d: bias shape \(bias.shape) must be [\(cout)]") }
    let geo = ConvGeometry(n: x.shape[0], cin: x.shape[1], h: x.shape[2], w: x.shape[3], cout: cout,
                           kh: weight.shape[2], kw: weight.shape[3], sh: stride.h, sw: stride.w,
                           ph: padding.h, pw: padding.w, dh: dilation.h, dw: dilation.w, groups: groups)
    ensure(geo.hout > 0 && geo.wout > 0,
           "conv2d: input shape \(x.shape) is too small for kernel \(Array(weight.shape[2...])) with padding \(padding) and dilation \(dilation)")
    let xs = x.plain(dt), ws = weight.plain(dt), bs = bias?.plain(dt)
    let (y, cols) = dt == .float32 ? ConvKernels.forward(Float.self, geo, x: xs, w: ws, b: bs)
                                   : ConvKernels.forward(Double.self, geo, x: xs, w: ws, b: bs)
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    guard GradMode.isEnabled, needX || needW || needB else { return y }
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    return Tensor.differentiable(y, inputs: inputs, name: "conv2d") { g in
        let gs = g.plain(dt)
        let (dx, dw, db) = dt == .float32
            ? ConvKernels.backward(Float.self, geo, gy: gs, x: xs, cols: cols, w: ws, needX: needX, needW: needW, needB: needB)
            : ConvKernels.backward(Double.self, geo, gy: gs, x: xs, cols: cols, w: ws, needX: needX, needW: needW, needB: needB)
        return bias == nil ? [dx, dw] : [dx, dw, db]
    }
}

/// A 2-D convolution layer (PyTorch's `nn.Conv2d`): weight `[out, in/groups, kh, kw]`, bias
/// `[out]`, initialized as PyTorch (kaiming_uniform(a = √5) → U(±1/√fan_in), bias U(±1/√fan_in),
/// fan_in = in/groups·kh·kw).
///
/// ```swift
/// let conv = Conv2d(3, 16, kernelSize: 3, padding: 1)
/// let y = conv(images)     // [N, 3, H, W] → [N, 16, H, W]
/// ```
public final class Conv2d: Module {
    /// Input channels.
    public let inChannels: Int
    /// Output channels.
    public let outChannels: Int
    /// Kernel height and width.
    public let kernelSize: Spatial2D
    /// Step between applications of the kernel.
    public let stride: Spatial2D
    /// Padding added on both sides of each spatial axis (0 when ``paddingRule`` is set).
    public let padding: Spatial2D
    /// `same` or `valid` when the layer was created with PyTorch's string padding, else nil.
    public let paddingRule: ConvPadding?
    /// How the padding is filled (zeros by default).
    public let paddingMode: PaddingMode
    /// Spacing between kernel taps.
    public let dilation: Spatial2D
    /// Number of blocked connections from input to output channels.
    public let groups: Int
    /// `[outChannels, inChannels/groups, kh, kw]`.
    public var weight: Parameter
    /// `[outChannels]` or nil.
    public var bias: Parameter?

    /// Creates the layer with PyTorch's default initialization; `padding` on both sides of each
    /// axis, filled as `paddingMode` says.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Spatial2D, stride: Spatial2D = 1, padding: Spatial2D = 0,
                            dilation: Spatial2D = 1, groups: Int = 1, bias: Bool = true, paddingMode: PaddingMode = .zeros,
                            dtype: DType = .float32, generator: RandomGenerator? = nil) {
        self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, explicit: padding, rule: nil, dilation: dilation,
                  groups: groups, bias: bias, paddingMode: paddingMode, dtype: dtype, generator: generator)
    }

    /// Creates the layer with PyTorch's string padding: `.same` (stride 1 only) keeps the spatial
    /// size, `.valid` pads nothing.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Spatial2D, stride: Spatial2D = 1, padding: ConvPadding,
                            dilation: Spatial2D = 1, groups: Int = 1, bias: Bool = true, paddingMode: PaddingMode = .zeros,
                            dtype: DType = .float32, generator: RandomGenerator? = nil) {
        ensure(padding != .same || stride == 1, "Conv2d: padding='same' is not supported for strided convolutions (stride \(stride))")
        self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, explicit: 0, rule: padding, dilation: dilation,
                  groups: groups, bias: bias, paddingMode: paddingMode, dtype: dtype, generator: generator)
    }

    private init(_ inChannels: Int, _ outChannels: Int, kernelSize: Spatial2D, stride: Spatial2D, explicit padding: Spatial2D,
                 rule: ConvPadding?, dilation: Spatial2D, groups: Int, bias: Bool, paddingMode: PaddingMode, dtype: DType,
                 generator: RandomGenerator?) {
        ensure(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
               "Conv2d: in_channels \(inChannels) and out_channels \(outChannels) must be divisible by groups \(groups)")
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernelSize = kernelSize
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
        self.paddingRule = rule; self.paddingMode = paddingMode
        let fanIn = inChannels / groups * kernelSize.h * kernelSize.w
        let bound = fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0
        weight = Parameter(Tensor.uniform([outChannels, inChannels / groups, kernelSize.h, kernelSize.w], low: -bound, high: bound,
                                          dtype: dtype, generator: generator))
        self.bias = bias ? Parameter(Tensor.uniform([outChannels], low: -bound, high: bound, dtype: dtype, generator: generator)) : nil
        super.init()
    }

    /// `[N, inChannels, H, W]` → `[N, outChannels, Hout, Wout]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank == 4 && x.shape[1] == inChannels,
               "Conv2d(\(inChannels), \(outChannels)): expected input shape [N, \(inChannels), H, W], got \(x.shape)")
        let ph = convPaddingAmounts(explicit: padding.h, rule: paddingRule, kernel: kernelSize.h, dilation: dilation.h)
        let pw = convPaddingAmounts(explicit: padding.w, rule: paddingRule, kernel: kernelSize.w, dilation: dilation.w)
        if paddingMode == .zeros && ph.0 == ph.1 && pw.0 == pw.1 {
            return conv2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: [ph.0, pw.0], dilation: dilation, groups: groups)
        }
        // Non-zero modes and uneven 'same' padding: pad the input first (PyTorch does the same).
        let padded = x.padded([(0, 0), (0, 0), ph, pw], mode: paddingMode.tensorMode)
        return conv2d(padded, weight: weight.value, bias: bias?.value, stride: stride, padding: 0, dilation: dilation, groups: groups)
    }

    public override var extraDescription: String {
        var s = "\(inChannels), \(outChannels), kernel_size=\(kernelSize), stride=\(stride)"
        if let paddingRule { s += ", padding=\(paddingRule.rawValue)" } else if padding != 0 { s += ", padding=\(padding)" }
        if dilation != 1 { s += ", dilation=\(dilation)" }
        if groups != 1 { s += ", groups=\(groups)" }
        if bias == nil { s += ", bias=false" }
        if paddingMode != .zeros { s += ", padding_mode=\(paddingMode.rawValue)" }
        return s
    }
}

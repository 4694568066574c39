import Tensors
import SwiftLearnCore

/// 1-D convolution over `[N, Cin, L]` inputs (PyTorch's `F.conv1d`): the fused 2-D im2col + GEMM
/// node with a kernel height of one.
///
/// `out[n, o, t] = b[o] + Σ_{c, j} w[o, c, j] · in[n, g·Cin/G + c, t·s − p + j·d]` for output channel o of group g.
///
/// - Parameters:
///   - x: `[N, Cin, L]` or `[Cin, L]` (one sample).
///   - weight: `[Cout, Cin/groups, k]`.
///   - bias: `[Cout]` or nil.
/// - Returns: `[N, Cout, Lout]` with `Lout = ⌊(L + 2p − d(k − 1) − 1)/s⌋ + 1` (`[Cout, Lout]` unbatched).
public func conv1d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                   dilation: Int = 1, groups: Int = 1) -> Tensor {
    ensure(weight.rank == 3, "conv1d: weight must be [Cout, Cin/groups, k], got shape \(weight.shape)")
    ensure(x.rank == 3 || x.rank == 2, "conv1d: expected input [N, C, L] or [C, L], got shape \(x.shape)")
    if x.rank == 2 { return conv1d(x.unsqueezed(0), weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups).squeezed(0) }
    let cout = weight.shape[0], cinG = weight.shape[1]
    ensure(groups >= 1 && cout % groups == 0 && x.shape[1] == cinG * groups,
           "conv1d: input shape \(x.shape) does not match weight shape \(weight.shape) with groups=\(groups)")
    ensure(stride > 0 && dilation > 0 && padding >= 0, "conv1d: stride and dilation must be positive and padding non-negative")
    let dt = weight.dtype
    ensure(dt == .float32 || dt == .float64, "conv1d: weight dtype must be float32 or float64, got \(dt)")
    ensure(x.dtype == dt, "conv1d: input dtype \(x.dtype) does not match weight dtype \(dt)")
    if let bias { ensure(bias.shape == [cout], "conv1d: bias shape \(bias.shape) must be [\(cout)]") }
    // A [N, C, L] signal is a [N, C, 1, L] image and the kernel a [Cout, Cin/G, 1, k] one: the 2-D
    // im2col + GEMM node does the work (the added axes are views).
    ensure(x.shape[2] + 2 * padding - dilation * (weight.shape[2] - 1) - 1 >= 0,
           "conv1d: input length \(x.shape[2]) is too small for kernel \(weight.shape[2]) with padding \(padding) and dilation \(dilation)")
    return conv2d(x.unsqueezed(2), weight: weight.unsqueezed(2), bias: bias, stride: [1, stride], padding: [0, padding],
                  dilation: [1, dilation], groups: groups).squeezed(2)
}

/// A 1-D convolution layer (PyTorch's `nn.Conv1d`): weight `[out, in/groups, k]`, bias `[out]`,
/// initialized as PyTorch (U(±1/√fan_in), fan_in = in/groups·k).
///
/// ```swift
/// let conv = Conv1d(16, 32, kernelSize: 5, padding: 2)
/// let y = conv(signal)     // [N, 16, L] → [N, 32, L]
/// ```
public final class Conv1d: Module {
    /// Input channels.
    public let inChannels: Int
    /// Output channels.
    public let outChannels: Int
    /// Kernel length.
    public let kernelSize: Int
    /// Step between applications of the kernel.
    public let stride: Int
    /// Padding added at both ends (0 when ``paddingRule`` is set).
    public let padding: Int
    /// `same` or `valid` when the layer was created with PyTorch's string padding, else nil.
    public let paddingRule: ConvPadding?
    /// How the padding is filled (zeros by default).
    public let paddingMode: PaddingMode
    /// Spacing between kernel taps.
    public let dilation: Int
    /// Number of blocked connections from input to output channels.
    public let groups: Int
    /// `[outChannels, inChannels/groups, kernelSize]`.
    public var weight: Parameter
    /// `[outChannels]` or nil.
    public var bias: Parameter?

    /// Creates the layer with PyTorch's default initialization; `padding` at both ends, filled as
    /// `paddingMode` says.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
                            groups: Int = 1, bias: Bool = true, paddingMode: PaddingMode = .zeros, dtype: DType = .float32,
                            generator: RandomGenerator? = nil) {
        self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, explicit: padding, rule: nil, dilation: dilation,
                  groups: groups, bias: bias, paddingMode: paddingMode, dtype: dtype, generator: generator)
    }

    /// Creates the layer with PyTorch's string padding: `.same` (stride 1 only) keeps the length,
    /// `.valid` pads nothing.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvPadding, dilation: Int = 1,
                            groups: Int = 1, bias: Bool = true, paddingMode: PaddingMode = .zeros, dtype: DType = .float32,
                            generator: RandomGenerator? = nil) {
        ensure(padding != .same || stride == 1, "Conv1d: padding='same' is not supported for strided convolutions (stride \(stride))")
        self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, explicit: 0, rule: padding, dilation: dilation,
                  groups: groups, bias: bias, paddingMode: paddingMode, dtype: dtype, generator: generator)
    }

    private init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int, explicit padding: Int, rule: ConvPadding?,
                 dilation: Int, groups: Int, bias: Bool, paddingMode: PaddingMode, dtype: DType, generator: RandomGenerator?) {
        ensure(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
               "Conv1d: in_channels \(inChannels) and out_channels \(outChannels) must be divisible by groups \(groups)")
        ensure(kernelSize > 0, "Conv1d: kernel size must be positive, got \(kernelSize)")
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernelSize = kernelSize
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
        self.paddingRule = rule; self.paddingMode = paddingMode
        let bound = 1 / Double(inChannels / groups * kernelSize).squareRoot()
        weight = Parameter(Tensor.uniform([outChannels, inChannels / groups, kernelSize], low: -bound, high: bound, dtype: dtype, generator: generator))
        self.bias = bias ? Parameter(Tensor.uniform([outChannels], low: -bound, high: bound, dtype: dtype, generator: generator)) : nil
        super.init()
    }

    /// `[N, inChannels, L]` (or `[inChannels, L]`) → `[N, outChannels, Lout]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure((x.rank == 3 || x.rank == 2) && x.shape[x.rank - 2] == inChannels,
               "Conv1d(\(inChannels), \(outChannels)): expected input shape [N, \(inChannels), L] or [\(inChannels), L], got \(x.shape)")
        let (before, after) = convPaddingAmounts(explicit: padding, rule: paddingRule, kernel: kernelSize, dilation: dilation)
        if paddingMode == .zeros && before == after {
            return conv1d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: before, dilation: dilation, groups: groups)
        }
        // Non-zero modes and uneven 'same' padding: pad the input first (PyTorch does the same).
        let padded = x.padded((0..<(x.rank - 1)).map { _ in (0, 0) } + [(before, after)], mode: paddingMode.tensorMode)
        return conv1d(padded, weight: weight.value, bias: bias?.value, stride: stride, padding: 0, dilation: dilation, groups: groups)
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

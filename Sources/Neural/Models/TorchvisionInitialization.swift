import Tensors

// The weight initializations torchvision's classification models apply after building their
// layers (the loops at the end of `VGG.__init__`, `MobileNetV2.__init__`, …). The draws come from
// our generator, so the values differ from torch's; the distributions are the same.

/// How a model re-initializes its convolutions and linear layers after construction.
enum TorchvisionInitialization {
    /// Convolution weights ~ N(0, 2/fan_out) (`kaiming_normal_(mode="fan_out", nonlinearity="relu")`,
    /// fan_out = out_channels·kh·kw), convolution biases 0.
    static func kaimingNormalFanOutConvolutions(in model: Module, generator: RandomGenerator?) {
        for case let conv as Conv2d in model.modules() {
            let w = conv.weight.value
            let fanOut = w.shape[0] * w.shape[2] * w.shape[3]
            conv.weight.value = Tensor.normal(w.shape, std: (2 / Double(fanOut)).squareRoot(), dtype: w.dtype, generator: generator)
            if let b = conv.bias { b.value = Tensor.zeros(b.shape, dtype: b.value.dtype) }
        }
    }

    /// Linear weights ~ N(0, std²) and biases 0 (`normal_(m.weight, 0, std)`, `constant_(m.bias, 0)`).
    static func normalLinears(in model: Module, std: Double, generator: RandomGenerator?) {
        for case let fc as Linear in model.modules() {
            fc.weight.value = Tensor.normal(fc.weight.shape, std: std, dtype: fc.weight.value.dtype, generator: generator)
            if let b = fc.bias { b.value = Tensor.zeros(b.shape, dtype: b.value.dtype) }
        }
    }

    /// Linear weights ~ U(±1/√out_features) and biases 0 (EfficientNet's head).
    static func uniformFanOutLinears(in model: Module, generator: RandomGenerator?) {
        for case let fc as Linear in model.modules() {
            let bound = 1 / Double(fc.outFeatures).squareRoot()
            fc.weight.value = Tensor.uniform(fc.weight.shape, low: -bound, high: bound, dtype: fc.weight.value.dtype, generator: generator)
            if let b = fc.bias { b.value = Tensor.zeros(b.shape, dtype: b.value.dtype) }
        }
    }

    /// Convolution and linear weights ~ N(0, std²) truncated to [a, b] (`trunc_normal_`, GoogLeNet:
    /// std 0.01, bounds ±2, i.e. ±200σ — truncation never triggers in practice, but draws outside
    /// are redrawn all the same); biases keep their default initialization, as in torchvision.
    static func truncatedNormalWeights(in model: Module, std: Double, bounds: ClosedRange<Double>, generator: RandomGenerator?) {
        func draw(_ p: Parameter) {
            var t = Tensor.normal(p.shape, std: std, dtype: p.value.dtype, generator: generator)
            while true {
                let outside = (t .< bounds.lowerBound) .| (t .> bounds.upperBound)
                guard outside.any().item() != 0 else { break }
                let redraw = Tensor.normal(p.shape, std: std, dtype: p.value.dtype, generator: generator)
                t = Tensor.where(outside, redraw, t)
            }
            p.value = t
        }
        for m in model.modules() {
            if let conv = m as? Conv2d { draw(conv.weight) } else if let fc = m as? Linear { draw(fc.weight) }
        }
    }
}

/// A convolution followed by batch norm and an optional activation, as a ``Sequential`` keyed
/// `0` (conv), `1` (bn), `2` (activation) — torchvision's `Conv2dNormActivation`. Padding defaults
/// to `(kernelSize − 1)/2 · dilation` ("same" for odd kernels at stride 1); the convolution has
/// no bias because the batch norm's β replaces it.
func conv2dNormActivation(_ inChannels: Int, _ outChannels: Int, kernelSize: Int = 3, stride: Int = 1, groups: Int = 1,
                          dilation: Int = 1, eps: Double = 1e-5, momentum: Double = 0.1, activation: Module?,
                          generator: RandomGenerator?) -> Sequential {
    let pad = (kernelSize - 1) / 2 * dilation
    var layers: [Module] = [
        Conv2d(inChannels, outChannels, kernelSize: Spatial2D(kernelSize, kernelSize), stride: Spatial2D(stride, stride),
               padding: Spatial2D(pad, pad), dilation: Spatial2D(dilation, dilation), groups: groups, bias: false, generator: generator),
        BatchNorm2d(outChannels, eps: eps, momentum: momentum),
    ]
    if let activation { layers.append(activation) }
    return Sequential(layers)
}

/// Rounds `value` to the nearest multiple of `divisor` (at least `minValue`, default `divisor`)
/// without going more than 10 % below it — torchvision's `_make_divisible`, used to scale channel
/// counts by a width multiplier in MobileNet and EfficientNet.
func makeDivisible(_ value: Double, _ divisor: Int, minValue: Int? = nil) -> Int {
    let minimum = minValue ?? divisor
    var v = Swift.max(minimum, Int(value + Double(divisor) / 2) / divisor * divisor)
    if Double(v) < 0.9 * value { v += divisor }
    return v
}

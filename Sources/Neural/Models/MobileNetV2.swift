import Tensors
import SwiftLearnCore

// MobileNetV2 (Sandler et al., 2018) as in torchvision: inverted residual blocks (1×1 expansion,
// 3×3 depthwise, linear 1×1 projection) with ReLU6, and a width multiplier. 3,504,872
// parameters for width 1.0 and 1000 classes, equal to `torchvision.models.mobilenet_v2()`.

/// `min(max(x, 0), 6)`, PyTorch's `nn.ReLU6` (hardtanh on [0, 6]); gradient 1 inside the
/// interval. Named for MobileNet to stay clear of a general activation module.
public final class MobileNetReLU6: Module {
    /// Creates the layer.
    public override init() { super.init() }
    /// Any shape → same shape.
    public override func forward(_ x: Tensor) -> Tensor { x.clamp(min: 0, max: 6) }
}

/// MobileNetV2's inverted residual block: expand the channels by `expandRatio` with a 1×1
/// convolution, filter each channel with a 3×3 depthwise convolution (carrying the stride), then
/// project linearly (no activation) to `outChannels`; a residual connection when the shape is kept.
///
/// ```
/// [B, in, H, W] → 1×1, bn, relu6 (omitted when expandRatio = 1)   [B, in·t, H, W]
///               → 3×3 depthwise /stride, bn, relu6                 [B, in·t, H/s, W/s]
///               → 1×1, bn                                          [B, out, H/s, W/s]   (+ x when s = 1 and in = out)
/// ```
/// Keys as torchvision's: `conv.0.0.weight` (expansion conv), `conv.0.1.*` (its bn), …,
/// `conv.<n−2>.weight` (projection), `conv.<n−1>.*` (its bn).
public final class InvertedResidual: Module {
    /// Stride of the depthwise convolution (1 or 2).
    public let stride: Int
    /// Whether the input is added to the output.
    public let usesResidual: Bool
    /// [expansion,] depthwise, projection conv, projection bn.
    public var conv: Sequential

    /// Creates the block; `stride` must be 1 or 2.
    public init(_ inChannels: Int, _ outChannels: Int, stride: Int, expandRatio: Int, generator: RandomGenerator? = nil) {
        ensure(stride == 1 || stride == 2, "InvertedResidual: stride should be 1 or 2 instead of \(stride)")
        self.stride = stride
        usesResidual = stride == 1 && inChannels == outChannels
        let hidden = inChannels * expandRatio
        var layers: [Module] = []
        if expandRatio != 1 {
            layers.append(conv2dNormActivation(inChannels, hidden, kernelSize: 1, activation: MobileNetReLU6(), generator: generator))
        }
        layers.append(conv2dNormActivation(hidden, hidden, stride: stride, groups: hidden, activation: MobileNetReLU6(), generator: generator))
        layers.append(Conv2d(hidden, outChannels, kernelSize: 1, bias: false, generator: generator))
        layers.append(BatchNorm2d(outChannels))
        conv = Sequential(layers)
        super.init()
    }

    /// `[B, in, H, W]` → `[B, out, H/stride, W/stride]`.
    public override func forward(_ x: Tensor) -> Tensor {
        usesResidual ? x + conv(x) : conv(x)
    }
}

/// MobileNetV2 for 3×224×224 images, with torchvision's module names.
///
/// ```
/// features.0: conv 3×3/2 → 32·w, bn, relu6                      [B, 32, 112, 112]
/// features.1…17: inverted residuals, (t, c, n, s) per stage:
///   (1, 16, 1, 1) (6, 24, 2, 2) (6, 32, 3, 2) (6, 64, 4, 2)
///   (6, 96, 3, 1) (6, 160, 3, 2) (6, 320, 1, 1)                 [B, 320, 7, 7]
/// features.18: conv 1×1 → 1280·max(1, w), bn, relu6             [B, 1280, 7, 7]
/// global average pool, flatten, classifier (dropout 0.2, fc)     [B, numClasses]
/// ```
/// Channel counts are scaled by the width multiplier `w` and rounded to multiples of
/// `roundNearest` (torchvision's `_make_divisible`). Initialization as torchvision's: convolutions
/// kaiming-normal (fan-out), batch norm γ = 1, β = 0, linear N(0, 0.01²) with zero bias.
public final class MobileNetV2: Module {
    /// One row of the inverted-residual table: expansion t, output channels c, repeats n, first stride s.
    public struct Stage: Hashable, Sendable {
        /// Expansion ratio t.
        public var expandRatio: Int
        /// Output channels c (before the width multiplier).
        public var channels: Int
        /// Number of blocks n.
        public var repeats: Int
        /// Stride s of the first block.
        public var stride: Int
        /// Creates a row `(t, c, n, s)`.
        public init(_ expandRatio: Int, _ channels: Int, _ repeats: Int, _ stride: Int) {
            self.expandRatio = expandRatio; self.channels = channels; self.repeats = repeats; self.stride = stride
        }
    }

    /// The paper's table 2 (torchvision's default `inverted_residual_setting`).
    public static let defaultStages: [Stage] = [
        Stage(1, 16, 1, 1), Stage(6, 24, 2, 2), Stage(6, 32, 3, 2), Stage(6, 64, 4, 2),
        Stage(6, 96, 3, 1), Stage(6, 160, 3, 2), Stage(6, 320, 1, 1),
    ]

    /// Channels of the last convolution (1280 for w ≤ 1).
    public let lastChannel: Int
    /// Stem, inverted residual blocks, last 1×1 convolution.
    public var features: Sequential
    /// Dropout and the linear classifier.
    public var classifier: Sequential

    /// Creates the network.
    /// - Parameters:
    ///   - widthMultiplier: scales every channel count (e.g. 0.35, 0.5, 0.75, 1.0, 1.4).
    ///   - stages: the inverted-residual table (non-empty).
    ///   - roundNearest: channel counts are multiples of this (1 turns rounding off).
    ///   - dropout: probability of the dropout before the classifier (0.2).
    public init(numClasses: Int = 1000, widthMultiplier: Double = 1.0, stages: [Stage] = MobileNetV2.defaultStages,
                roundNearest: Int = 8, dropout: Double = 0.2, generator: RandomGenerator? = nil) {
        ensure(!stages.isEmpty, "MobileNetV2: the inverted residual setting must not be empty")
        ensure(widthMultiplier > 0 && roundNearest > 0, "MobileNetV2: width multiplier and rounding must be positive")
        var inputChannel = makeDivisible(32 * widthMultiplier, roundNearest)
        lastChannel = makeDivisible(1280 * Swift.max(1.0, widthMultiplier), roundNearest)
        var layers: [Module] = [conv2dNormActivation(3, inputChannel, stride: 2, activation: MobileNetReLU6(), generator: generator)]
        for stage in stages {
            let outputChannel = makeDivisible(Double(stage.channels) * widthMultiplier, roundNearest)
            for i in 0..<stage.repeats {
                layers.append(InvertedResidual(inputChannel, outputChannel, stride: i == 0 ? stage.stride : 1,
                                               expandRatio: stage.expandRatio, generator: generator))
                inputChannel = outputChannel
            }
        }
        layers.append(conv2dNormActivation(inputChannel, lastChannel, kernelSize: 1, activation: MobileNetReLU6(), generator: generator))
        features = Sequential(layers)
        classifier = Sequential(Dropout(dropout, generator: generator), Linear(lastChannel, numClasses, generator: generator))
        super.init()
        TorchvisionInitialization.kaimingNormalFanOutConvolutions(in: self, generator: generator)
        TorchvisionInitialization.normalLinears(in: self, std: 0.01, generator: generator)
    }

    /// `[B, 3, H, W]` → logits `[B, numClasses]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank == 4 && x.shape[1] == 3, "MobileNetV2: expected input [B, 3, H, W], got \(x.shape)")
        let h = features(x)                                                  // [B, 1280, H/32, W/32]
        return classifier(adaptiveAvgPool2d(h, outputSize: 1).flattened(from: 1))   // [B, numClasses]
    }
}

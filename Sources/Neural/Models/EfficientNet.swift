import Foundation
import Tensors
import SwiftLearnCore

// EfficientNet B0–B7 (Tan & Le, 2019) as in torchvision: MBConv blocks (expansion, depthwise
// convolution, squeeze-and-excitation, projection) with SiLU and stochastic depth, scaled in width
// and depth. EfficientNet-B0 has 5,288,548 parameters and B1 7,794,184 (1000 classes), equal to
// torchvision's.

/// Squeeze-and-excitation (Hu et al., 2018): per-channel gates from the globally pooled input,
/// `x · σ(fc2(δ(fc1(avgpool(x)))))`, with 1×1 convolutions as the two layers (torchvision's
/// `SqueezeExcitation`; keys `fc1.*`, `fc2.*`).
public final class SqueezeExcitation: Module {
    /// Global average pooling.
    public var avgpool: AdaptiveAvgPool2d
    /// 1×1 convolution C → squeeze channels.
    public var fc1: Conv2d
    /// 1×1 convolution squeeze channels → C.
    public var fc2: Conv2d
    /// δ (SiLU in EfficientNet, ReLU by default).
    public var activation: Module
    /// σ (the logistic function).
    public var scaleActivation: Module

    /// Creates the block for `inputChannels` channels squeezed to `squeezeChannels`.
    public init(_ inputChannels: Int, _ squeezeChannels: Int, activation: Module = ReLU(), scaleActivation: Module = Sigmoid(),
                generator: RandomGenerator? = nil) {
        avgpool = AdaptiveAvgPool2d(1)
        fc1 = Conv2d(inputChannels, squeezeChannels, kernelSize: 1, generator: generator)
        fc2 = Conv2d(squeezeChannels, inputChannels, kernelSize: 1, generator: generator)
        self.activation = activation
        self.scaleActivation = scaleActivation
        super.init()
    }

    /// `[B, C, H, W]` → same shape, each channel scaled by its gate in (0, 1).
    public override func forward(_ x: Tensor) -> Tensor {
        let scale = scaleActivation(fc2(activation(fc1(avgpool(x)))))   // [B, C, 1, 1]
        return x * scale
    }
}

/// Stochastic depth (Huang et al., 2016), torchvision's `StochasticDepth`: in training, drops a
/// residual branch with probability `p` and scales survivors by 1/(1 − p); the identity in eval
/// mode or when p = 0. `.row` draws one Bernoulli per sample (axis 0), `.batch` one for the batch.
public final class StochasticDepth: Module {
    /// Which elements share a draw.
    public enum Mode: String, Sendable {
        /// One draw per sample (row of axis 0).
        case row
        /// One draw for the whole input.
        case batch
    }
    /// Probability of dropping the branch.
    public let p: Double
    /// Row or batch mode.
    public let mode: Mode
    private let generator: RandomGenerator?

    /// Creates the layer; `p` must lie in [0, 1].
    public init(p: Double, mode: Mode = .row, generator: RandomGenerator? = nil) {
        ensure(p >= 0 && p <= 1, "StochasticDepth: drop probability has to be between 0 and 1, but got \(p)")
        self.p = p; self.mode = mode; self.generator = generator
        super.init()
    }

    /// `[B, *]` → same shape.
    public override func forward(_ x: Tensor) -> Tensor {
        guard isTraining, p > 0 else { return x }
        let survival = 1 - p
        let shape = mode == .row ? [x.shape[0]] + Array(repeating: 1, count: x.rank - 1) : Array(repeating: 1, count: x.rank)
        var noise = Tensor.bernoulli(shape, p: survival, dtype: x.dtype, generator: generator)
        if survival > 0 { noise = noise * (1 / survival) }
        return x * noise
    }

    public override var extraDescription: String { "p=\(p), mode=\(mode.rawValue)" }
}

/// EfficientNet's mobile inverted bottleneck block with squeeze-and-excitation.
///
/// ```
/// [B, in, H, W] → 1×1 expand to in·t, bn, silu (omitted when t = 1)
///               → k×k depthwise /stride, bn, silu            [B, in·t, H/s, W/s]
///               → squeeze-excitation (squeeze to max(1, in/4))
///               → 1×1 project to out, bn                     [B, out, H/s, W/s]
///               (+ x after stochastic depth when s = 1 and in = out)
/// ```
/// Keys as torchvision's: `block.<i>.…` and `stochastic_depth` (no parameters).
public final class MBConv: Module {
    /// Whether the input is added to the output.
    public let usesResidual: Bool
    /// [expand,] depthwise, squeeze-excitation, project.
    public var block: Sequential
    /// Drops the residual branch in training.
    public var stochasticDepth: StochasticDepth

    /// Creates the block (`stride` 1 or 2; channels already scaled by the width multiplier).
    public init(_ inChannels: Int, _ outChannels: Int, expandRatio: Double, kernelSize: Int, stride: Int,
                stochasticDepthProbability: Double, batchNormEps: Double = 1e-5, batchNormMomentum: Double = 0.1,
                generator: RandomGenerator? = nil) {
        ensure(stride == 1 || stride == 2, "MBConv: illegal stride value \(stride)")
        usesResidual = stride == 1 && inChannels == outChannels
        let expanded = makeDivisible(Double(inChannels) * expandRatio, 8)
        var layers: [Module] = []
        if expanded != inChannels {
            layers.append(conv2dNormActivation(inChannels, expanded, kernelSize: 1, eps: batchNormEps, momentum: batchNormMomentum,
                                               activation: SiLU(), generator: generator))
        }
        layers.append(conv2dNormActivation(expanded, expanded, kernelSize: kernelSize, stride: stride, groups: expanded,
                                           eps: batchNormEps, momentum: batchNormMomentum, activation: SiLU(), generator: generator))
        layers.append(SqueezeExcitation(expanded, Swift.max(1, inChannels / 4), activation: SiLU(), generator: generator))
        layers.append(conv2dNormActivation(expanded, outChannels, kernelSize: 1, eps: batchNormEps, momentum: batchNormMomentum,
                                           activation: nil, generator: generator))
        block = Sequential(layers)
        stochasticDepth = StochasticDepth(p: stochasticDepthProbability, mode: .row, generator: generator)
        super.init()
    }

    /// `[B, in, H, W]` → `[B, out, H/stride, W/stride]`.
    public override func forward(_ x: Tensor) -> Tensor {
        let y = block(x)
        return usesResidual ? stochasticDepth(y) + x : y
    }
}

/// EfficientNet B0–B7 for square images (224 for B0), with torchvision's module names.
///
/// ```
/// features.0: conv 3×3/2 → 32, bn, silu                         [B, 32, 112, 112]
/// features.1…7: MBConv stages (t, k, s, in, out, n) for B0:
///   (1, 3, 1, 32, 16, 1) (6, 3, 2, 16, 24, 2) (6, 5, 2, 24, 40, 2) (6, 3, 2, 40, 80, 3)
///   (6, 5, 1, 80, 112, 3) (6, 5, 2, 112, 192, 4) (6, 3, 1, 192, 320, 1)   [B, 320, 7, 7]
/// features.8: conv 1×1 → 4·320, bn, silu                        [B, 1280, 7, 7]
/// avgpool, flatten, classifier (dropout, fc)                    [B, numClasses]
/// ```
/// Channels scale by `widthMultiplier` (rounded to multiples of 8), repeats by `depthMultiplier`
/// (rounded up). The stochastic-depth probability grows linearly with the block index:
/// `0.2 · i / (number of blocks)`. Initialization as torchvision's: convolutions kaiming-normal
/// (fan-out) with zero bias, linear U(±1/√out) with zero bias.
public final class EfficientNet: Module {
    /// A published configuration (width, depth, dropout, batch-norm settings of torchvision's
    /// `efficientnet_b0` … `efficientnet_b7`).
    public enum Variant: String, CaseIterable, Sendable {
        /// EfficientNet-B0 … B7 (B0: width 1.0, depth 1.0, dropout 0.2, 224 px).
        case b0, b1, b2, b3, b4, b5, b6, b7
        /// Width multiplier.
        public var widthMultiplier: Double { [1.0, 1.0, 1.1, 1.2, 1.4, 1.6, 1.8, 2.0][index] }
        /// Depth multiplier.
        public var depthMultiplier: Double { [1.0, 1.1, 1.2, 1.4, 1.8, 2.2, 2.6, 3.1][index] }
        /// Dropout before the classifier.
        public var dropout: Double { [0.2, 0.2, 0.3, 0.3, 0.4, 0.4, 0.5, 0.5][index] }
        /// Batch norm ε and momentum (B5–B7 use 0.001 and 0.01, as torchvision).
        public var batchNorm: (eps: Double, momentum: Double) { index >= 5 ? (0.001, 0.01) : (1e-5, 0.1) }
        /// Input resolution the variant was trained at.
        public var resolution: Int { [224, 240, 260, 300, 380, 456, 528, 600][index] }
        private var index: Int { Variant.allCases.firstIndex(of: self)! }
    }

    /// One MBConv stage before scaling: expansion, kernel, first stride, channels in and out, repeats.
    public struct Stage: Hashable, Sendable {
        /// Expansion ratio t, depthwise kernel k, first stride s, channels in and out, repeats n.
        public var expandRatio: Double, kernelSize: Int, stride: Int, inChannels: Int, outChannels: Int, repeats: Int
        /// Creates a stage row `(t, k, s, in, out, n)` as torchvision's `MBConvConfig`.
        public init(_ expandRatio: Double, _ kernelSize: Int, _ stride: Int, _ inChannels: Int, _ outChannels: Int, _ repeats: Int) {
            self.expandRatio = expandRatio; self.kernelSize = kernelSize; self.stride = stride
            self.inChannels = inChannels; self.outChannels = outChannels; self.repeats = repeats
        }
    }

    /// The B0 table (table 1 of the paper).
    public static let baseStages: [Stage] = [
        Stage(1, 3, 1, 32, 16, 1), Stage(6, 3, 2, 16, 24, 2), Stage(6, 5, 2, 24, 40, 2), Stage(6, 3, 2, 40, 80, 3),
        Stage(6, 5, 1, 80, 112, 3), Stage(6, 5, 2, 112, 192, 4), Stage(6, 3, 1, 192, 320, 1),
    ]

    /// Stem, one `Sequential` of MBConv blocks per stage, last 1×1 convolution.
    public var features: Sequential
    /// Global average pooling.
    public var avgpool: AdaptiveAvgPool2d
    /// Dropout and the linear classifier.
    public var classifier: Sequential

    /// Creates a network from explicit multipliers (see ``init(_:numClasses:stochasticDepthProbability:generator:)``
    /// for the published variants).
    public init(widthMultiplier: Double, depthMultiplier: Double, dropout: Double, numClasses: Int = 1000,
                stochasticDepthProbability: Double = 0.2, stages: [Stage] = EfficientNet.baseStages,
                batchNormEps: Double = 1e-5, batchNormMomentum: Double = 0.1, generator: RandomGenerator? = nil) {
        ensure(!stages.isEmpty, "EfficientNet: the stage table must not be empty")
        ensure(widthMultiplier > 0 && depthMultiplier > 0, "EfficientNet: multipliers must be positive")
        func width(_ c: Int) -> Int { makeDivisible(Double(c) * widthMultiplier, 8) }
        func depth(_ n: Int) -> Int { Int((Double(n) * depthMultiplier).rounded(.up)) }
        let g = generator, eps = batchNormEps, momentum = batchNormMomentum
        var layers: [Module] = [conv2dNormActivation(3, width(stages[0].inChannels), stride: 2, eps: eps, momentum: momentum,
                                                     activation: SiLU(), generator: g)]
        let totalBlocks = stages.reduce(0) { $0 + depth($1.repeats) }
        var blockIndex = 0
        for s in stages {
            var blocks: [Module] = []
            for i in 0..<depth(s.repeats) {
                let p = stochasticDepthProbability * Double(blockIndex) / Double(totalBlocks)
                blocks.append(MBConv(i == 0 ? width(s.inChannels) : width(s.outChannels), width(s.outChannels),
                                     expandRatio: s.expandRatio, kernelSize: s.kernelSize, stride: i == 0 ? s.stride : 1,
                                     stochasticDepthProbability: p, batchNormEps: eps, batchNormMomentum: momentum, generator: g))
                blockIndex += 1
            }
            layers.append(Sequential(blocks))
        }
        let lastIn = width(stages[stages.count - 1].outChannels), lastOut = 4 * lastIn
        layers.append(conv2dNormActivation(lastIn, lastOut, kernelSize: 1, eps: eps, momentum: momentum, activation: SiLU(), generator: g))
        features = Sequential(layers)
        avgpool = AdaptiveAvgPool2d(1)
        classifier = Sequential(Dropout(dropout, generator: g), Linear(lastOut, numClasses, generator: g))
        super.init()
        TorchvisionInitialization.kaimingNormalFanOutConvolutions(in: self, generator: g)
        TorchvisionInitialization.uniformFanOutLinears(in: self, generator: g)
    }

    /// A published variant (`EfficientNet(.b0)` is torchvision's `efficientnet_b0()`).
    public convenience init(_ variant: Variant, numClasses: Int = 1000, stochasticDepthProbability: Double = 0.2,
                            generator: RandomGenerator? = nil) {
        self.init(widthMultiplier: variant.widthMultiplier, depthMultiplier: variant.depthMultiplier, dropout: variant.dropout,
                  numClasses: numClasses, stochasticDepthProbability: stochasticDepthProbability,
                  batchNormEps: variant.batchNorm.eps, batchNormMomentum: variant.batchNorm.momentum, generator: generator)
    }

    /// `[B, 3, H, W]` → logits `[B, numClasses]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank == 4 && x.shape[1] == 3, "EfficientNet: expected input [B, 3, H, W], got \(x.shape)")
        let h = avgpool(features(x))                   // [B, 4·320·w, 1, 1]
        return classifier(h.flattened(from: 1))        // [B, numClasses]
    }
}

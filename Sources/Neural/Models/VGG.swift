import Tensors
import SwiftLearnCore

/// VGG (Simonyan & Zisserman, 2014) as in torchvision: stacks of 3×3 convolutions (optionally
/// with batch norm) separated by 2×2 max pools, then three fully connected layers.
///
/// ```
/// input                                   [B, 3, 224, 224]
/// features: per configuration entry,
///   n → conv 3×3 (pad 1) → n [, bn], relu  (size kept)
///   M → maxpool 2×2/2                      (size halved; five of them) → [B, 512, 7, 7]
/// avgpool (adaptive 7×7), flatten          [B, 25088]
/// fc 4096, relu, dropout, fc 4096, relu, dropout, fc classes → [B, numClasses]
/// ```
/// Parameter counts equal torchvision's (1000 classes): VGG-11 132,863,336; VGG-11-BN 132,868,840;
/// VGG-16 138,357,544; VGG-16-BN 138,365,992. Keys: `features.<i>.weight` numbered over the
/// flattened layer list (conv, [bn,] relu, …, pool) and `classifier.0`, `.3`, `.6`.
/// Initialization as torchvision's (`init_weights=True`): convolutions kaiming-normal (fan-out,
/// ReLU gain) with zero bias, linear layers N(0, 0.01²) with zero bias.
public final class VGG: Module {
    /// One entry of a VGG configuration: a 3×3 convolution to `n` channels, or a max pool.
    public enum Layer: Hashable, Sendable, ExpressibleByIntegerLiteral {
        /// 3×3 convolution (padding 1) to this many channels, [batch norm,] ReLU.
        case conv(Int)
        /// 2×2 max pooling, stride 2.
        case maxPool
        /// `64` reads as `.conv(64)`.
        public init(integerLiteral value: Int) { self = .conv(value) }
    }

    /// torchvision's `cfgs`: "A" (VGG-11), "B" (VGG-13), "D" (VGG-16), "E" (VGG-19).
    public static let configurations: [String: [Layer]] = [
        "A": [64, .maxPool, 128, .maxPool, 256, 256, .maxPool, 512, 512, .maxPool, 512, 512, .maxPool],
        "B": [64, 64, .maxPool, 128, 128, .maxPool, 256, 256, .maxPool, 512, 512, .maxPool, 512, 512, .maxPool],
        "D": [64, 64, .maxPool, 128, 128, .maxPool, 256, 256, 256, .maxPool, 512, 512, 512, .maxPool, 512, 512, 512, .maxPool],
        "E": [64, 64, .maxPool, 128, 128, .maxPool, 256, 256, 256, 256, .maxPool, 512, 512, 512, 512, .maxPool,
              512, 512, 512, 512, .maxPool],
    ]

    /// The convolution stack built from the configuration (torchvision's `make_layers`).
    public var features: Sequential
    /// Adaptive average pooling to 7×7.
    public var avgpool: AdaptiveAvgPool2d
    /// fc, relu, dropout, fc, relu, dropout, fc.
    public var classifier: Sequential

    /// Creates a VGG from a configuration (channels of the last convolution feed the classifier).
    /// - Parameters:
    ///   - configuration: e.g. `VGG.configurations["D"]!`; must contain at least one convolution.
    ///   - batchNorm: insert `BatchNorm2d` after every convolution (the `_bn` variants).
    ///   - initWeights: torchvision's initialization (true) or the layers' PyTorch defaults (false).
    public init(configuration: [Layer], batchNorm: Bool = false, numClasses: Int = 1000, dropout: Double = 0.5,
                initWeights: Bool = true, generator: RandomGenerator? = nil) {
        var layers: [Module] = []
        var channels = 3
        for entry in configuration {
            switch entry {
            case .maxPool:
                layers.append(MaxPool2d(kernelSize: 2, stride: 2))
            case .conv(let n):
                ensure(n > 0, "VGG: convolution widths must be positive, got \(n)")
                layers.append(Conv2d(channels, n, kernelSize: 3, padding: 1, generator: generator))
                if batchNorm { layers.append(BatchNorm2d(n)) }
                layers.append(ReLU())
                channels = n
            }
        }
        ensure(configuration.contains { $0 != .maxPool }, "VGG: the configuration has no convolution")
        features = Sequential(layers)
        avgpool = AdaptiveAvgPool2d(Spatial2D(7, 7))
        classifier = Sequential(
            Linear(channels * 7 * 7, 4096, generator: generator), ReLU(), Dropout(dropout, generator: generator),
            Linear(4096, 4096, generator: generator), ReLU(), Dropout(dropout, generator: generator),
            Linear(4096, numClasses, generator: generator))
        super.init()
        if initWeights {
            TorchvisionInitialization.kaimingNormalFanOutConvolutions(in: self, generator: generator)
            TorchvisionInitialization.normalLinears(in: self, std: 0.01, generator: generator)
        }
    }

    /// VGG-11 (configuration "A"), optionally with batch norm (`vgg11_bn`).
    public static func vgg11(batchNorm: Bool = false, numClasses: Int = 1000, generator: RandomGenerator? = nil) -> VGG {
        VGG(configuration: configurations["A"]!, batchNorm: batchNorm, numClasses: numClasses, generator: generator)
    }
    /// VGG-13 (configuration "B").
    public static func vgg13(batchNorm: Bool = false, numClasses: Int = 1000, generator: RandomGenerator? = nil) -> VGG {
        VGG(configuration: configurations["B"]!, batchNorm: batchNorm, numClasses: numClasses, generator: generator)
    }
    /// VGG-16 (configuration "D"), optionally with batch norm (`vgg16_bn`).
    public static func vgg16(batchNorm: Bool = false, numClasses: Int = 1000, generator: RandomGenerator? = nil) -> VGG {
        VGG(configuration: configurations["D"]!, batchNorm: batchNorm, numClasses: numClasses, generator: generator)
    }
    /// VGG-19 (configuration "E").
    public static func vgg19(batchNorm: Bool = false, numClasses: Int = 1000, generator: RandomGenerator? = nil) -> VGG {
        VGG(configuration: configurations["E"]!, batchNorm: batchNorm, numClasses: numClasses, generator: generator)
    }

    /// `[B, 3, H, W]` (H, W ≥ 32) → logits `[B, numClasses]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank == 4 && x.shape[1] == 3, "VGG: expected input [B, 3, H, W], got \(x.shape)")
        let h = avgpool(features(x))                   // [B, 512, 7, 7]
        return classifier(h.flattened(from: 1))        // [B, numClasses]
    }
}

import Tensors
import SwiftLearnCore

// GoogLeNet / Inception v1 (Szegedy et al., 2014) as in torchvision: batch-normalized
// convolutions (`BasicConv2d`), nine Inception modules and, optionally, two auxiliary classifiers
// used in training only. Parameter counts equal torchvision's: 13,004,888 with the auxiliary
// classifiers (torchvision's default, `aux_logits=True`), 6,624,904 without (1000 classes).

/// Convolution (no bias) → batch norm (ε = 0.001) → ReLU, torchvision's `BasicConv2d`
/// (keys `conv.weight`, `bn.*`).
public final class BasicConv2d: Module {
    /// The convolution.
    public var conv: Conv2d
    /// Batch norm with ε = 0.001.
    public var bn: BatchNorm2d

    /// Creates the block.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Spatial2D, stride: Spatial2D = 1, padding: Spatial2D = 0,
                generator: RandomGenerator? = nil) {
        conv = Conv2d(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, bias: false, generator: generator)
        bn = BatchNorm2d(outChannels, eps: 0.001)
        super.init()
    }

    /// `[B, in, H, W]` → `[B, out, H', W']`.
    public override func forward(_ x: Tensor) -> Tensor { relu(bn(conv(x))) }
}

/// An Inception module: four parallel branches concatenated along the channels,
/// `ch1x1 + ch3x3 + ch5x5 + poolProj` output channels.
///
/// ```
/// branch1: 1×1 → ch1x1
/// branch2: 1×1 → ch3x3red, 3×3 → ch3x3
/// branch3: 1×1 → ch5x5red, 3×3 → ch5x5   (3×3, not the paper's 5×5: torchvision's known
///                                        deviation, kept so its weights load — vision#906)
/// branch4: maxpool 3×3/1 (pad 1), 1×1 → poolProj
/// ```
public final class Inception: Module {
    /// 1×1 branch.
    public var branch1: BasicConv2d
    /// 1×1 reduction then 3×3.
    public var branch2: Sequential
    /// 1×1 reduction then 3×3 (the "5×5" branch).
    public var branch3: Sequential
    /// Max pooling then 1×1 projection.
    public var branch4: Sequential

    /// Creates the module with torchvision's argument order.
    public init(_ inChannels: Int, ch1x1: Int, ch3x3red: Int, ch3x3: Int, ch5x5red: Int, ch5x5: Int, poolProj: Int,
                generator: RandomGenerator? = nil) {
        branch1 = BasicConv2d(inChannels, ch1x1, kernelSize: 1, generator: generator)
        branch2 = Sequential(BasicConv2d(inChannels, ch3x3red, kernelSize: 1, generator: generator),
                             BasicConv2d(ch3x3red, ch3x3, kernelSize: 3, padding: 1, generator: generator))
        branch3 = Sequential(BasicConv2d(inChannels, ch5x5red, kernelSize: 1, generator: generator),
                             BasicConv2d(ch5x5red, ch5x5, kernelSize: 3, padding: 1, generator: generator))
        branch4 = Sequential(MaxPool2d(kernelSize: 3, stride: 1, padding: 1, ceilMode: true),
                             BasicConv2d(inChannels, poolProj, kernelSize: 1, generator: generator))
        super.init()
    }

    /// `[B, in, H, W]` → `[B, ch1x1 + ch3x3 + ch5x5 + poolProj, H, W]`.
    public override func forward(_ x: Tensor) -> Tensor {
        Tensor.concat([branch1(x), branch2(x), branch3(x), branch4(x)], axis: 1)
    }
}

/// An auxiliary classifier attached after inception4a and inception4d (training only).
///
/// ```
/// adaptive avgpool 4×4     [B, in, 4, 4]
/// 1×1 conv → 128, flatten  [B, 2048]
/// fc1 1024, relu, dropout (0.7), fc2 → [B, numClasses]
/// ```
public final class InceptionAux: Module {
    /// 1×1 convolution to 128 channels.
    public var conv: BasicConv2d
    /// 2048 → 1024.
    public var fc1: Linear
    /// 1024 → classes.
    public var fc2: Linear
    /// Dropout before fc2.
    public var dropout: Dropout

    /// Creates the head.
    public init(_ inChannels: Int, numClasses: Int, dropout: Double = 0.7, generator: RandomGenerator? = nil) {
        conv = BasicConv2d(inChannels, 128, kernelSize: 1, generator: generator)
        fc1 = Linear(2048, 1024, generator: generator)
        fc2 = Linear(1024, numClasses, generator: generator)
        self.dropout = Dropout(dropout, generator: generator)
        super.init()
    }

    /// `[B, in, H, W]` → `[B, numClasses]`.
    public override func forward(_ x: Tensor) -> Tensor {
        let h = conv(adaptiveAvgPool2d(x, outputSize: 4)).flattened(from: 1)   // [B, 2048]
        return fc2(dropout(relu(fc1(h))))                                       // [B, numClasses]
    }
}

/// GoogLeNet (Inception v1) for 3×224×224 images, with torchvision's module names.
///
/// ```
/// conv1 7×7/2 → 64, maxpool1 3/2 (ceil)       [B, 64, 56, 56]
/// conv2 1×1 → 64, conv3 3×3 → 192, maxpool2   [B, 192, 28, 28]
/// inception3a, 3b, maxpool3                   [B, 480, 14, 14]
/// inception4a (→ aux1), 4b, 4c, 4d (→ aux2), 4e, maxpool4   [B, 832, 7, 7]
/// inception5a, 5b                             [B, 1024, 7, 7]
/// avgpool, flatten, dropout (0.2), fc         [B, numClasses]
/// ```
/// In training mode with `auxLogits`, ``forwardWithAuxiliary(_:)`` also returns the two auxiliary
/// logits (the paper adds 0.3 × their losses); in eval mode, or through ``forward(_:)``, only
/// the main logits are computed. Initialization as torchvision's (`init_weights=True`):
/// convolution and linear weights N(0, 0.01²) truncated to ±2, linear biases PyTorch's default.
public final class GoogLeNet: Module {
    /// Whether the auxiliary classifiers exist.
    public let auxLogits: Bool
    /// Whether the input is re-normalized from ImageNet statistics to [−1, 1] scaling first
    /// (torchvision's `transform_input`, for the ported Google weights).
    public let transformInput: Bool
    /// Stem convolution 7×7/2.
    public var conv1: BasicConv2d
    /// 3×3/2 max pool (ceil mode).
    public var maxpool1: MaxPool2d
    /// 1×1 convolution.
    public var conv2: BasicConv2d
    /// 3×3 convolution to 192.
    public var conv3: BasicConv2d
    /// 3×3/2 max pool (ceil mode).
    public var maxpool2: MaxPool2d
    /// Inception 3a (→ 256 channels).
    public var inception3a: Inception
    /// Inception 3b (→ 480).
    public var inception3b: Inception
    /// 3×3/2 max pool (ceil mode).
    public var maxpool3: MaxPool2d
    /// Inception 4a (→ 512).
    public var inception4a: Inception
    /// Inception 4b (→ 512).
    public var inception4b: Inception
    /// Inception 4c (→ 512).
    public var inception4c: Inception
    /// Inception 4d (→ 528).
    public var inception4d: Inception
    /// Inception 4e (→ 832).
    public var inception4e: Inception
    /// 2×2/2 max pool (ceil mode).
    public var maxpool4: MaxPool2d
    /// Inception 5a (→ 832).
    public var inception5a: Inception
    /// Inception 5b (→ 1024).
    public var inception5b: Inception
    /// Auxiliary classifier on inception4a's output, or nil.
    public var aux1: InceptionAux?
    /// Auxiliary classifier on inception4d's output, or nil.
    public var aux2: InceptionAux?
    /// Global average pooling.
    public var avgpool: AdaptiveAvgPool2d
    /// Dropout before the classifier.
    public var dropout: Dropout
    /// The classifier (1024 → classes).
    public var fc: Linear

    /// Creates the network with torchvision's defaults (`aux_logits=True`, dropout 0.2, auxiliary
    /// dropout 0.7).
    public init(numClasses: Int = 1000, auxLogits: Bool = true, transformInput: Bool = false, initWeights: Bool = true,
                dropout: Double = 0.2, dropoutAux: Double = 0.7, generator: RandomGenerator? = nil) {
        self.auxLogits = auxLogits
        self.transformInput = transformInput
        let g = generator
        conv1 = BasicConv2d(3, 64, kernelSize: 7, stride: 2, padding: 3, generator: g)
        maxpool1 = MaxPool2d(kernelSize: 3, stride: 2, ceilMode: true)
        conv2 = BasicConv2d(64, 64, kernelSize: 1, generator: g)
        conv3 = BasicConv2d(64, 192, kernelSize: 3, padding: 1, generator: g)
        maxpool2 = MaxPool2d(kernelSize: 3, stride: 2, ceilMode: true)
        inception3a = Inception(192, ch1x1: 64, ch3x3red: 96, ch3x3: 128, ch5x5red: 16, ch5x5: 32, poolProj: 32, generator: g)
        inception3b = Inception(256, ch1x1: 128, ch3x3red: 128, ch3x3: 192, ch5x5red: 32, ch5x5: 96, poolProj: 64, generator: g)
        maxpool3 = MaxPool2d(kernelSize: 3, stride: 2, ceilMode: true)
        inception4a = Inception(480, ch1x1: 192, ch3x3red: 96, ch3x3: 208, ch5x5red: 16, ch5x5: 48, poolProj: 64, generator: g)
        inception4b = Inception(512, ch1x1: 160, ch3x3red: 112, ch3x3: 224, ch5x5red: 24, ch5x5: 64, poolProj: 64, generator: g)
        inception4c = Inception(512, ch1x1: 128, ch3x3red: 128, ch3x3: 256, ch5x5red: 24, ch5x5: 64, poolProj: 64, generator: g)
        inception4d = Inception(512, ch1x1: 112, ch3x3red: 144, ch3x3: 288, ch5x5red: 32, ch5x5: 64, poolProj: 64, generator: g)
        inception4e = Inception(528, ch1x1: 256, ch3x3red: 160, ch3x3: 320, ch5x5red: 32, ch5x5: 128, poolProj: 128, generator: g)
        maxpool4 = MaxPool2d(kernelSize: 2, stride: 2, ceilMode: true)
        inception5a = Inception(832, ch1x1: 256, ch3x3red: 160, ch3x3: 320, ch5x5red: 32, ch5x5: 128, poolProj: 128, generator: g)
        inception5b = Inception(832, ch1x1: 384, ch3x3red: 192, ch3x3: 384, ch5x5red: 48, ch5x5: 128, poolProj: 128, generator: g)
        if auxLogits {
            aux1 = InceptionAux(512, numClasses: numClasses, dropout: dropoutAux, generator: g)
            aux2 = InceptionAux(528, numClasses: numClasses, dropout: dropoutAux, generator: g)
        }
        avgpool = AdaptiveAvgPool2d(1)
        self.dropout = Dropout(dropout, generator: g)
        fc = Linear(1024, numClasses, generator: g)
        super.init()
        if initWeights {
            TorchvisionInitialization.truncatedNormalWeights(in: self, std: 0.01, bounds: -2...2, generator: g)
        }
    }

    /// Main logits, and in training mode with `auxLogits` the auxiliary logits of aux2 and aux1
    /// (torchvision's `GoogLeNetOutputs(logits, aux_logits2, aux_logits1)`); nil otherwise.
    public func forwardWithAuxiliary(_ input: Tensor) -> (logits: Tensor, aux2: Tensor?, aux1: Tensor?) {
        ensure(input.rank == 4 && input.shape[1] == 3, "GoogLeNet: expected input [B, 3, H, W], got \(input.shape)")
        var x = transformInput ? Self.transform(input) : input
        x = maxpool1(conv1(x))                          // [B, 64, 56, 56]
        x = maxpool2(conv3(conv2(x)))                   // [B, 192, 28, 28]
        x = maxpool3(inception3b(inception3a(x)))       // [B, 480, 14, 14]
        x = inception4a(x)                              // [B, 512, 14, 14]
        let a1 = isTraining ? aux1.map { $0(x) } : nil
        x = inception4d(inception4c(inception4b(x)))    // [B, 528, 14, 14]
        let a2 = isTraining ? aux2.map { $0(x) } : nil
        x = maxpool4(inception4e(x))                    // [B, 832, 7, 7]
        x = inception5b(inception5a(x))                 // [B, 1024, 7, 7]
        let logits = fc(dropout(avgpool(x).flattened(from: 1)))   // [B, numClasses]
        return (logits, a2, a1)
    }

    /// `[B, 3, H, W]` → main logits `[B, numClasses]` (auxiliary heads still run in training, so
    /// their batch-norm statistics update as in torchvision; use ``forwardWithAuxiliary(_:)`` for
    /// their outputs).
    public override func forward(_ x: Tensor) -> Tensor { forwardWithAuxiliary(x).logits }

    /// Maps ImageNet-normalized channels to the (x − 0.5)/0.5 scaling of the original weights.
    static func transform(_ x: Tensor) -> Tensor {
        let stats: [(std: Double, mean: Double)] = [(0.229, 0.485), (0.224, 0.456), (0.225, 0.406)]
        let channels = stats.enumerated().map { c, s in
            x[.all, c..<(c + 1)] * (s.std / 0.5) + (s.mean - 0.5) / 0.5
        }
        return Tensor.concat(channels, axis: 1)
    }
}

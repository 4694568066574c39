import Tensors
import SwiftLearnCore

// ResNet (He et al., 2015) as in torchvision: same module tree and state-dict keys
// (conv1, bn1, layer1.0.conv1, layer1.0.downsample.0, fc, …) and the same parameter counts:
// ResNet-18 11,689,512; ResNet-34 21,797,672; ResNet-50 25,557,032 (1000 classes).

/// The two-convolution residual block of ResNet-18/34: `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`.
public final class BasicBlock: Module {
    /// Output channels = planes × expansion.
    public static let expansion = 1
    /// 3×3 convolution (carries the stride).
    public var conv1: Conv2d
    /// Batch norm after conv1.
    public var bn1: BatchNorm2d
    /// 3×3 convolution.
    public var conv2: Conv2d
    /// Batch norm after conv2.
    public var bn2: BatchNorm2d
    /// 1×1 convolution + batch norm on the shortcut when the shape changes, else nil.
    public var downsample: Sequential?

    /// Creates a block from `inplanes` to `planes` channels.
    public init(_ inplanes: Int, _ planes: Int, stride: Int = 1, downsample: Sequential? = nil, generator: RandomGenerator? = nil) {
        conv1 = Conv2d(inplanes, planes, kernelSize: 3, stride: Spatial2D(stride, stride), padding: 1, bias: false, generator: generator)
        bn1 = BatchNorm2d(planes)
        conv2 = Conv2d(planes, planes, kernelSize: 3, padding: 1, bias: false, generator: generator)
        bn2 = BatchNorm2d(planes)
        self.downsample = downsample
        super.init()
    }

    /// `[B, inplanes, H, W]` → `[B, planes, H/stride, W/stride]`.
    public override func forward(_ x: Tensor) -> Tensor {
        let out = bn2(conv2(relu(bn1(conv1(x)))))
        return relu(out + (downsample.map { $0(x) } ?? x))
    }
}

/// The bottleneck block of ResNet-50/101/152 (1×1 reduce, 3×3, 1×1 expand ×4; stride on the 3×3
/// as torchvision's "ResNet v1.5").
public final class Bottleneck: Module {
    /// Output channels = planes × expansion.
    public static let expansion = 4
    /// 1×1 reduction.
    public var conv1: Conv2d
    /// Batch norm after conv1.
    public var bn1: BatchNorm2d
    /// 3×3 convolution (carries the stride).
    public var conv2: Conv2d
    /// Batch norm after conv2.
    public var bn2: BatchNorm2d
    /// 1×1 expansion to planes × 4.
    public var conv3: Conv2d
    /// Batch norm after conv3.
    public var bn3: BatchNorm2d
    /// Shortcut projection when the shape changes, else nil.
    public var downsample: Sequential?

    /// Creates a block from `inplanes` to `planes × 4` channels.
    public init(_ inplanes: Int, _ planes: Int, stride: Int = 1, downsample: Sequential? = nil, generator: RandomGenerator? = nil) {
        conv1 = Conv2d(inplanes, planes, kernelSize: 1, bias: false, generator: generator)
        bn1 = BatchNorm2d(planes)
        conv2 = Conv2d(planes, planes, kernelSize: 3, stride: Spatial2D(stride, stride), padding: 1, bias: false, generator: generator)
        bn2 = BatchNorm2d(planes)
        conv3 = Conv2d(planes, planes * 4, kernelSize: 1, bias: false, generator: generator)
        bn3 = BatchNorm2d(planes * 4)
        self.downsample = downsample
        super.init()
    }

    /// `[B, inplanes, H, W]` → `[B, 4·planes, H/stride, W/stride]`.
    public override func forward(_ x: Tensor) -> Tensor {
        var out = relu(bn1(conv1(x)))
        out = relu(bn2(conv2(out)))
        out = bn3(conv3(out))
        return relu(out + (downsample.map { $0(x) } ?? x))
    }
}

/// ResNet for 3×224×224 images (torchvision's `resnet18/34/50`), with torchvision's module
/// names so its state dicts load unchanged.
///
/// ```
/// conv1 7×7/2 → bn1 → relu → maxpool 3×3/2      [B, 64, 56, 56]
/// layer1 … layer4 (stride 1, 2, 2, 2)           [B, 512·e, 7, 7]
/// avgpool → flatten → fc                        [B, numClasses]
/// ```
/// Transfer learning: `model.fc = Linear(512, 10)` replaces the head; `model.freeze()` then
/// `model.fc.unfreeze()` trains only the head.
public final class ResNet: Module {
    /// The block type.
    public enum Block: Sendable { case basic, bottleneck }

    /// Stem convolution 7×7, stride 2.
    public var conv1: Conv2d
    /// Stem batch norm.
    public var bn1: BatchNorm2d
    /// Stem max pooling 3×3, stride 2.
    public var maxpool: MaxPool2d
    /// Stage 1 (64 planes).
    public var layer1: Sequential
    /// Stage 2 (128 planes, stride 2).
    public var layer2: Sequential
    /// Stage 3 (256 planes, stride 2).
    public var layer3: Sequential
    /// Stage 4 (512 planes, stride 2).
    public var layer4: Sequential
    /// Global average pooling.
    public var avgpool: AdaptiveAvgPool2d
    /// The classifier head (replaceable).
    public var fc: Module

    /// Creates a ResNet with `layers` blocks per stage.
    public init(block: Block, layers: [Int], numClasses: Int = 1000, generator: RandomGenerator? = nil) {
        ensure(layers.count == 4, "ResNet: expected 4 stage sizes, got \(layers)")
        let expansion = block == .basic ? BasicBlock.expansion : Bottleneck.expansion
        var inplanes = 64
        func stage(_ planes: Int, _ count: Int, _ stride: Int) -> Sequential {
            var blocks: [Module] = []
            for i in 0..<count {
                let s = i == 0 ? stride : 1
                var down: Sequential? = nil
                if i == 0 && (stride != 1 || inplanes != planes * expansion) {
                    down = Sequential(Conv2d(inplanes, planes * expansion, kernelSize: 1, stride: Spatial2D(s, s), bias: false, generator: generator),
                                      BatchNorm2d(planes * expansion))
                }
                blocks.append(block == .basic ? BasicBlock(inplanes, planes, stride: s, downsample: down, generator: generator)
                                              : Bottleneck(inplanes, planes, stride: s, downsample: down, generator: generator))
                inplanes = planes * expansion
            }
            return Sequential(blocks)
        }
        conv1 = Conv2d(3, 64, kernelSize: 7, stride: 2, padding: 3, bias: false, generator: generator)
        bn1 = BatchNorm2d(64)
        maxpool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        layer1 = stage(64, layers[0], 1)
        layer2 = stage(128, layers[1], 2)
        layer3 = stage(256, layers[2], 2)
        layer4 = stage(512, layers[3], 2)
        avgpool = AdaptiveAvgPool2d(1)
        fc = Linear(512 * expansion, numClasses, generator: generator)
        super.init()
    }

    /// ResNet-18: basic blocks [2, 2, 2, 2].
    public static func resnet18(numClasses: Int = 1000, generator: RandomGenerator? = nil) -> ResNet {
        ResNet(block: .basic, layers: [2, 2, 2, 2], numClasses: numClasses, generator: generator)
    }
    /// ResNet-34: basic blocks [3, 4, 6, 3].
    public static func resnet34(numClasses: Int = 1000, generator: RandomGenerator? = nil) -> ResNet {
        ResNet(block: .basic, layers: [3, 4, 6, 3], numClasses: numClasses, generator: generator)
    }
    /// ResNet-50: bottleneck blocks [3, 4, 6, 3].
    public static func resnet50(numClasses: Int = 1000, generator: RandomGenerator? = nil) -> ResNet {
        ResNet(block: .bottleneck, layers: [3, 4, 6, 3], numClasses: numClasses, generator: generator)
    }

    /// `[B, 3, H, W]` → logits `[B, numClasses]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank == 4 && x.shape[1] == 3, "ResNet: expected input [B, 3, H, W], got \(x.shape)")
        var h = maxpool(relu(bn1(conv1(x))))           // [B, 64, H/4, W/4]
        h = layer4(layer3(layer2(layer1(h))))          // [B, 512·e, H/32, W/32]
        return fc(avgpool(h).flattened(from: 1))       // [B, numClasses]
    }
}

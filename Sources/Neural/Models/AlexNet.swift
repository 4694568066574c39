import Tensors
import SwiftLearnCore

/// AlexNet (Krizhevsky, Sutskever & Hinton, 2012) in torchvision's single-tower form ("One weird
/// trick", 2014): five convolutions, three max pools and three fully connected layers, with
/// torchvision's module names so its state dicts load unchanged.
///
/// ```
/// input                                      [B, 3, 224, 224]
/// conv 11×11/4 → 64, relu, maxpool 3/2       [B, 64, 27, 27]
/// conv 5×5 → 192, relu, maxpool 3/2          [B, 192, 13, 13]
/// conv 3×3 → 384, relu                       [B, 384, 13, 13]
/// conv 3×3 → 256, relu                       [B, 256, 13, 13]
/// conv 3×3 → 256, relu, maxpool 3/2          [B, 256, 6, 6]
/// avgpool (adaptive 6×6), flatten            [B, 9216]
/// dropout, fc 4096, relu, dropout, fc 4096, relu, fc classes → [B, numClasses]
/// ```
/// 61,100,840 parameters for 1000 classes, equal to `torchvision.models.alexnet()`. The layers keep
/// PyTorch's default initialization, as torchvision's AlexNet does. Keys: `features.0.weight`
/// (conv1), `features.3`, `.6`, `.8`, `.10`; `classifier.1`, `.4`, `.6`.
public final class AlexNet: Module {
    /// The convolution stages (indices 0–12 as torchvision's).
    public var features: Sequential
    /// Adaptive average pooling to 6×6 (so inputs other than 224×224 work).
    public var avgpool: AdaptiveAvgPool2d
    /// Dropout, fc, relu, dropout, fc, relu, fc.
    public var classifier: Sequential

    /// Creates the network; `dropout` is the probability of the two dropout layers (0.5).
    public init(numClasses: Int = 1000, dropout: Double = 0.5, generator: RandomGenerator? = nil) {
        features = Sequential(
            Conv2d(3, 64, kernelSize: 11, stride: 4, padding: 2, generator: generator), ReLU(),
            MaxPool2d(kernelSize: 3, stride: 2),
            Conv2d(64, 192, kernelSize: 5, padding: 2, generator: generator), ReLU(),
            MaxPool2d(kernelSize: 3, stride: 2),
            Conv2d(192, 384, kernelSize: 3, padding: 1, generator: generator), ReLU(),
            Conv2d(384, 256, kernelSize: 3, padding: 1, generator: generator), ReLU(),
            Conv2d(256, 256, kernelSize: 3, padding: 1, generator: generator), ReLU(),
            MaxPool2d(kernelSize: 3, stride: 2))
        avgpool = AdaptiveAvgPool2d(Spatial2D(6, 6))
        classifier = Sequential(
            Dropout(dropout, generator: generator), Linear(256 * 6 * 6, 4096, generator: generator), ReLU(),
            Dropout(dropout, generator: generator), Linear(4096, 4096, generator: generator), ReLU(),
            Linear(4096, numClasses, generator: generator))
        super.init()
    }

    /// `[B, 3, H, W]` (H, W ≥ 63) → logits `[B, numClasses]`.
    public override func forward(_ x: Tensor) -> Tensor {
        ensure(x.rank == 4 && x.shape[1] == 3, "AlexNet: expected input [B, 3, H, W], got \(x.shape)")
        let h = avgpool(features(x))                   // [B, 256, 6, 6]
        return classifier(h.flattened(from: 1))        // [B, numClasses]
    }
}

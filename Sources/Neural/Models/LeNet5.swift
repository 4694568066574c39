import Tensors

/// LeNet-5 (LeCun et al., 1998) in its common modern form: two convolution + pooling stages and
/// three fully connected layers.
///
/// ```
/// input            [B, 1, 28, 28]  (padding 2; use padding 0 for 32×32 inputs)
/// conv 5×5 → 6     [B, 6, 28, 28]   act, pool 2 → [B, 6, 14, 14]
/// conv 5×5 → 16    [B, 16, 10, 10]  act, pool 2 → [B, 16, 5, 5]
/// flatten          [B, 400]
/// fc 120, act, fc 84, act, fc classes → [B, classes]
/// ```
/// 61,706 parameters for 10 classes (equal to the torch module in
/// scripts/fixtures/make_neural_arch_fixtures.py). State-dict keys: `features.0.weight`,
/// `features.3.weight`, `classifier.1.weight`, `classifier.3.weight`, `classifier.5.weight`.
public final class LeNet5: Module {
    /// The activation between layers.
    public enum Activation: String, Sendable { case relu, tanh }
    /// The pooling after each convolution.
    public enum Pooling: String, Sendable { case max, average }

    /// Convolution stages: conv, act, pool, conv, act, pool.
    public var features: Sequential
    /// Flatten and three linear layers.
    public var classifier: Sequential

    /// Creates the network (ReLU and max pooling by default; `.tanh` / `.average` give the 1998 flavour).
    public init(inputChannels: Int = 1, numClasses: Int = 10, padding: Int = 2, activation: Activation = .relu,
                pooling: Pooling = .max, generator: RandomGenerator? = nil) {
        func act() -> Module { activation == .relu ? ReLU() : Tanh() }
        func pool() -> Module { pooling == .max ? MaxPool2d(kernelSize: 2) : AvgPool2d(kernelSize: 2) }
        features = Sequential(Conv2d(inputChannels, 6, kernelSize: 5, padding: Spatial2D(padding, padding), generator: generator), act(), pool(),
                              Conv2d(6, 16, kernelSize: 5, generator: generator), act(), pool())
        classifier = Sequential(Flatten(), Linear(16 * 5 * 5, 120, generator: generator), act(),
                                Linear(120, 84, generator: generator), act(), Linear(84, numClasses, generator: generator))
        super.init()
    }

    /// `[B, C, 28, 28]` (or 32×32 with padding 0) → logits `[B, numClasses]`.
    public override func forward(_ x: Tensor) -> Tensor {
        classifier(features(x))
    }
}

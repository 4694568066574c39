import Foundation
import Neural
import SwiftLearnCore
import Tensors

/// The network family of a ``GANGenerator`` and ``GANDiscriminator``.
public enum GANArchitecture: String, Codable, Sendable, CaseIterable {
    /// Fully connected networks with LeakyReLU (Goodfellow et al. 2014's setting).
    case mlp
    /// Transposed-convolution generator and strided-convolution discriminator with batch norm
    /// (Radford et al. 2016, with their N(0, 0.02) initialisation), for image sides divisible by 4.
    case dcgan
}

/// The shape of a GAN, stored beside a saved generator.
public struct GANConfiguration: Codable, Sendable, Equatable {
    /// Network family.
    public var architecture: GANArchitecture
    /// Dimension of the noise z ~ N(0, I).
    public var latent: Int
    /// Side of the square single-channel images (28 for MNIST).
    public var imageSide: Int
    /// Number of classes of a conditional GAN (Mirza & Osindero 2014): the one-hot label joins
    /// the generator's noise and the discriminator's input (as extra constant planes for DCGAN).
    /// 0 for an unconditional GAN.
    public var classes: Int
    /// Width scale: hidden units of the MLPs' narrowest layer, or feature maps of DCGAN's
    /// first discriminator convolution.
    public var width: Int
    /// Spectral normalisation (Miyato et al. 2018) of every discriminator weight; replaces the
    /// discriminator's batch norm in DCGAN.
    public var spectralNorm: Bool

    /// Creates a configuration (defaults: an unconditional MLP GAN on 28×28 images).
    public init(architecture: GANArchitecture = .mlp, latent: Int = 64, imageSide: Int = 28, classes: Int = 0,
                width: Int = 256, spectralNorm: Bool = false) {
        self.architecture = architecture
        self.latent = latent
        self.imageSide = imageSide
        self.classes = classes
        self.width = width
        self.spectralNorm = spectralNorm
    }

    /// Throws ``GenerativeError/invalidConfiguration(_:)`` for sizes out of range.
    public func validate() throws {
        guard (1...4096).contains(latent) else { throw GenerativeError.invalidConfiguration("GAN latent size must be 1 to 4096, got \(latent)") }
        guard (4...256).contains(imageSide) else { throw GenerativeError.invalidConfiguration("GAN image side must be 4 to 256, got \(imageSide)") }
        guard (0...1000).contains(classes) else { throw GenerativeError.invalidConfiguration("GAN classes must be 0 to 1000, got \(classes)") }
        guard (4...4096).contains(width) else { throw GenerativeError.invalidConfiguration("GAN width must be 4 to 4096, got \(width)") }
        if architecture == .dcgan, imageSide % 4 != 0 {
            throw GenerativeError.invalidConfiguration("DCGAN needs an image side divisible by 4, got \(imageSide)")
        }
    }

    var pixels: Int { imageSide * imageSide }
}

/// Spectral normalisation of a ``Linear`` or ``Conv2d`` weight (PyTorch's
/// `nn.utils.parametrizations.spectral_norm`, one power iteration per training forward): the
/// layer computes with W / σ(W), σ estimated as uᵀWv from the running singular vectors u and v
/// (buffers), so the layer is 1-Lipschitz. The gradient flows through σ into W.
public final class SpectralNorm: Module {
    /// The wrapped layer (its `weight` is the unnormalised W).
    public var layer: Module
    /// Left singular vector estimate `[out]`.
    public var u: ModuleBuffer
    /// Right singular vector estimate `[in·kh·kw]`.
    public var v: ModuleBuffer
    /// Power iterations per training forward.
    public let iterations: Int
    let eps = 1e-12

    /// Wraps `layer` (a ``Linear`` or ``Conv2d``), drawing the initial u and v from `generator`.
    public init(_ layer: Module, iterations: Int = 1, generator: RandomGenerator? = nil) {
        let w: Tensor
        if let l = layer as? Linear { w = l.weight.value } else if let c = layer as? Conv2d { w = c.weight.value } else {
            fatalError("SpectralNorm: wraps Linear or Conv2d, not \(layer.typeName)")
        }
        ensure(iterations >= 1, "SpectralNorm: iterations must be at least 1, got \(iterations)")
        self.layer = layer
        self.iterations = iterations
        let rows = w.shape[0], cols = w.count / Swift.max(rows, 1)
        func unit(_ n: Int) -> Tensor {
            let t = Tensor.randn([n], dtype: w.dtype, generator: generator)
            return t / (t.square().sum().sqrt() + 1e-12)
        }
        u = ModuleBuffer(unit(rows))
        v = ModuleBuffer(unit(cols))
        super.init()
    }

    /// The normalised weight W / σ, updating u and v first in training mode.
    public func normalizedWeight() -> Tensor {
        let w = (layer as? Linear)?.weight.value ?? (layer as! Conv2d).weight.value
        let matrix = w.reshaped([w.shape[0], -1])
        if isTraining {
            GradMode.withoutGrad {
                let m = matrix.detached()
                var uu = u.value, vv = v.value
                // PyTorch's order: u from v, then v from u; each divided by max(‖·‖, ε).
                for _ in 0..<iterations {
                    uu = m.matmul(vv.unsqueezed(1)).reshaped([-1])
                    uu = uu / Swift.max(uu.square().sum().sqrt().item(), eps)
                    vv = m.transposed().matmul(uu.unsqueezed(1)).reshaped([-1])
                    vv = vv / Swift.max(vv.square().sum().sqrt().item(), eps)
                }
                u.value = uu.contiguous()
                v.value = vv.contiguous()
            }
        }
        let sigma = u.value.unsqueezed(0).matmul(matrix).matmul(v.value.unsqueezed(1)).reshaped([])
        return w / sigma
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let w = normalizedWeight()
        if let l = layer as? Linear { return linear(x, weight: w, bias: l.bias?.value) }
        let c = layer as! Conv2d
        return conv2d(x, weight: w, bias: c.bias?.value, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
    }
}

/// The generator G(z [, y]) of an MLP or DCGAN GAN: noise `[B, latent]` (and labels `[B]` for a
/// conditional GAN) to images `[B, 1, side, side]` in [−1, 1] (tanh).
public final class GANGenerator: Module {
    /// The model's shape.
    public let configuration: GANConfiguration
    /// The network: noise (with the one-hot label) to the flat image or, for DCGAN, to the first
    /// feature maps.
    public var project: Sequential
    /// DCGAN's upsampling stack (nil for an MLP).
    public var upsample: Sequential?

    /// Creates a generator with PyTorch's default initialisation from `generator`.
    public init(_ configuration: GANConfiguration, generator g: RandomGenerator? = nil) throws {
        try configuration.validate()
        self.configuration = configuration
        let c = configuration, input = c.latent + c.classes
        switch c.architecture {
        case .mlp:
            project = Sequential(Linear(input, c.width, generator: g), LeakyReLU(negativeSlope: 0.2),
                                 Linear(c.width, 2 * c.width, generator: g), LeakyReLU(negativeSlope: 0.2),
                                 Linear(2 * c.width, 4 * c.width, generator: g), LeakyReLU(negativeSlope: 0.2),
                                 Linear(4 * c.width, c.pixels, generator: g), Tanh())
            upsample = nil
        case .dcgan:
            let q = c.imageSide / 4, maps = 2 * c.width
            project = Sequential(Linear(input, maps * q * q, generator: g), Unflatten(shape: [maps, q, q]),
                                 BatchNorm2d(maps), ReLU())
            upsample = Sequential(ConvTranspose2d(maps, c.width, kernelSize: 4, stride: 2, padding: 1, generator: g),
                                  BatchNorm2d(c.width), ReLU(),
                                  ConvTranspose2d(c.width, 1, kernelSize: 4, stride: 2, padding: 1, generator: g), Tanh())
        }
        super.init()
        if c.architecture == .dcgan { dcganInitialization(self, generator: g) }
    }

    /// Images `[B, 1, side, side]` in [−1, 1] from noise `z` `[B, latent]`.
    public func generate(_ z: Tensor, labels: Tensor? = nil) -> Tensor {
        let c = configuration
        ensure(z.rank == 2 && z.shape[1] == c.latent, "GANGenerator: expected noise [B, \(c.latent)], got \(z.shape)")
        let input = conditionedVector(z, labels, classes: c.classes, caller: "GANGenerator")
        let h = project(input)
        if let upsample { return upsample(h) }
        return h.reshaped([z.shape[0], 1, c.imageSide, c.imageSide])
    }

    public override func forward(_ z: Tensor) -> Tensor { generate(z) }

    /// `n` images `[n, side, side]` in [0, 1] from fresh noise (eval mode, no gradient).
    public func sampleImages(_ n: Int, labels: Tensor? = nil, generator: RandomGenerator? = nil) -> Tensor {
        GradMode.withoutGrad {
            let wasTraining = isTraining
            eval()
            defer { train(wasTraining) }
            let x = generate(Tensor.randn([n, configuration.latent], dtype: dtype, generator: generator), labels: labels)
            return ((x + 1) * 0.5).reshaped([n, configuration.imageSide, configuration.imageSide])
        }
    }
}

/// The discriminator D(x [, y]) of a GAN: images `[B, 1, side, side]` in [−1, 1] to one logit each, `[B]`.
public final class GANDiscriminator: Module {
    /// The model's shape.
    public let configuration: GANConfiguration
    /// The network.
    public var net: Sequential

    /// Creates a discriminator with PyTorch's default initialisation from `generator`.
    public init(_ configuration: GANConfiguration, generator g: RandomGenerator? = nil) throws {
        try configuration.validate()
        self.configuration = configuration
        let c = configuration
        func normed(_ m: Module) -> Module { c.spectralNorm ? SpectralNorm(m, generator: g) : m }
        switch c.architecture {
        case .mlp:
            net = Sequential(Flatten(), normed(Linear(c.pixels + c.classes, 2 * c.width, generator: g)), LeakyReLU(negativeSlope: 0.2),
                             normed(Linear(2 * c.width, c.width, generator: g)), LeakyReLU(negativeSlope: 0.2),
                             normed(Linear(c.width, 1, generator: g)))
        case .dcgan:
            let q = c.imageSide / 4
            var layers: [Module] = [normed(Conv2d(1 + c.classes, c.width / 2, kernelSize: 4, stride: 2, padding: 1, generator: g)),
                                    LeakyReLU(negativeSlope: 0.2),
                                    normed(Conv2d(c.width / 2, c.width, kernelSize: 4, stride: 2, padding: 1, generator: g))]
            if !c.spectralNorm { layers.append(BatchNorm2d(c.width)) }
            layers += [LeakyReLU(negativeSlope: 0.2), Flatten(), normed(Linear(c.width * q * q, 1, generator: g))]
            net = Sequential(layers)
        }
        super.init()
        if c.architecture == .dcgan { dcganInitialization(self, generator: g) }
    }

    /// Logits `[B]` for images `x` `[B, 1, side, side]`.
    public func score(_ x: Tensor, labels: Tensor? = nil) -> Tensor {
        let c = configuration
        ensure(x.rank == 4 && x.shape[1] == 1 && x.shape[2] == c.imageSide && x.shape[3] == c.imageSide,
               "GANDiscriminator: expected [B, 1, \(c.imageSide), \(c.imageSide)], got \(x.shape)")
        let b = x.shape[0]
        switch c.architecture {
        case .mlp:
            return net(conditionedVector(x.reshaped([b, c.pixels]), labels, classes: c.classes, caller: "GANDiscriminator")).reshaped([b])
        case .dcgan:
            guard c.classes > 0 else {
                ensure(labels == nil, "GANDiscriminator: this GAN is not conditional; pass no labels")
                return net(x).reshaped([b])
            }
            guard let labels else { fatalError("GANDiscriminator: a conditional GAN needs labels") }
            let planes = oneHot(labels, classes: c.classes, dtype: x.dtype).reshaped([b, c.classes, 1, 1])
                .expanded(to: [b, c.classes, c.imageSide, c.imageSide])
            return net(Tensor.concat([x, planes], axis: 1)).reshaped([b])
        }
    }

    public override func forward(_ x: Tensor) -> Tensor { score(x) }
}

/// Radford et al.'s initialisation, as PyTorch's DCGAN tutorial applies it: convolution and
/// linear weights ~ N(0, 0.02), batch-norm scales ~ N(1, 0.02) and shifts 0.
func dcganInitialization(_ model: Module, generator g: RandomGenerator?) {
    for m in model.modules() {
        if let c = m as? Conv2d { Initializer.normal(c.weight, std: 0.02, generator: g) }
        if let c = m as? ConvTranspose2d { Initializer.normal(c.weight, std: 0.02, generator: g) }
        if let l = m as? Linear { Initializer.normal(l.weight, std: 0.02, generator: g) }
        if let b = m as? BatchNorm, let w = b.weight {
            Initializer.normal(w, mean: 1, std: 0.02, generator: g)
            if let bias = b.bias { Initializer.constant(bias, 0) }
        }
    }
}

/// Reshapes `[B, n]` to `[B] + shape` (PyTorch's `nn.Unflatten(1, shape)`).
public final class Unflatten: Module {
    /// The trailing shape.
    public let shape: [Int]
    /// Creates the layer.
    public init(shape: [Int]) { self.shape = shape; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.reshaped([x.shape[0]] + shape) }
}

/// Joins one-hot labels to the rows of `x` when `classes` > 0.
func conditionedVector(_ x: Tensor, _ labels: Tensor?, classes: Int, caller: String) -> Tensor {
    guard classes > 0 else {
        ensure(labels == nil, "\(caller): this model is not conditional; pass no labels")
        return x
    }
    guard let labels else { fatalError("\(caller): a conditional model needs labels") }
    ensure(labels.count == x.shape[0], "\(caller): \(labels.count) labels for \(x.shape[0]) inputs")
    return Tensor.concat([x, oneHot(labels, classes: classes, dtype: x.dtype)], axis: 1)
}

/// The losses of GAN training, on discriminator logits (means over the batch).
public enum GANLoss {
    /// The discriminator's binary cross-entropy, real → `realTarget`, fake → 0. `realTarget` 0.9
    /// is one-sided label smoothing (Salimans et al. 2016).
    public static func discriminator(real: Tensor, fake: Tensor, realTarget: Double = 1) -> Tensor {
        binaryCrossEntropyWithLogits(real, Tensor.full(like: real, realTarget))
            + binaryCrossEntropyWithLogits(fake, Tensor.zeros(like: fake))
    }

    /// The generator's non-saturating loss −log D(G(z)) (Goodfellow et al.'s practical form).
    public static func generator(fake: Tensor) -> Tensor {
        binaryCrossEntropyWithLogits(fake, Tensor.ones(like: fake))
    }

    /// The generator's original minimax loss log(1 − D(G(z))) (saturates early in training;
    /// given for the lesson).
    public static func generatorMinimax(fake: Tensor) -> Tensor {
        -binaryCrossEntropyWithLogits(fake, Tensor.zeros(like: fake))
    }

    /// Hinge loss of the discriminator: mean relu(1 − D(x)) + mean relu(1 + D(G(z))).
    public static func discriminatorHinge(real: Tensor, fake: Tensor) -> Tensor {
        (1 - real).relu().mean() + (1 + fake).relu().mean()
    }

    /// Wasserstein critic loss mean D(G(z)) − mean D(x) (the generator's is −mean D(G(z))).
    public static func criticWasserstein(real: Tensor, fake: Tensor) -> Tensor {
        fake.mean() - real.mean()
    }
}

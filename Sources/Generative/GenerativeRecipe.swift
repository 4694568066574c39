import Datasets
import Foundation
import Neural
import Tensors

/// Ready-made generative training runs on the bundled MNIST (`swiftlearn train --recipe NAME`).
///
/// | recipe | model | final figures |
/// |---|---|---|
/// | `ae-mnist` | denoising autoencoder 784-512-128-2 | `test_bce`, `test_mse`, `latent_knn_accuracy` |
/// | `vae-mnist` | VAE 784-400-20, Bernoulli decoder (PyTorch's `examples/vae`) | `test_neg_elbo`, its reconstruction and KL terms, `test_nll_iw` |
/// | `cvae-mnist` | the same VAE conditioned on the digit | as `vae-mnist`, and `label_accuracy` of conditional samples |
/// | `gan-mnist` | MLP GAN, non-saturating loss, label smoothing 0.9 | `d_loss`, `g_loss`, `d_real`, `d_fake` |
/// | `cgan-mnist` | conditional MLP GAN | as `gan-mnist`, and `label_accuracy` of conditional samples |
/// | `dcgan-mnist` | DCGAN (transposed convolutions, batch norm) | as `gan-mnist` |
///
/// | `ddpm-mnist` | DDPM with a small U-Net, class labels for classifier-free guidance | `train_loss`, and samples by DDIM |
/// | `realnvp-moons` | RealNVP, 8 affine couplings, on two moons | `test_nll` (nats/point) beside `gaussian_test_nll` |
/// | `simclr-digits` | SimCLR encoder on the 8×8 digits | `linear_probe_accuracy`, beside random-encoder and pixel probes |
/// | `protonet-digits` | prototypical network trained on digits 0–4 (and their rotations and mirrors as extra classes) | 5-way 5-shot `test_accuracy_5way_5shot` on digits 5–9 |
/// | `maml-sinusoid` | first-order MAML, MLP 1-40-40-1 | test MSE after 1 and 10 steps, beside a pre-trained baseline |
///
/// Every MNIST recipe ends by judging samples with a LeNet-5 trained here on MNIST (2 epochs of the
/// `lenet-mnist` recipe, seed 0; its test accuracy is `judge_test_accuracy`): `fid`, `precision`,
/// `recall` and `inception_score` of ``GenerativeOptions/qualitySamples`` samples against the
/// test images on its features (see ``SampleQuality``), and for conditional models
/// `label_accuracy`, the share of samples of class c that it classifies as c.
public enum GenerativeRecipe: String, CaseIterable, Sendable {
    /// Denoising autoencoder with a 2-D code.
    case aeMNIST = "ae-mnist"
    /// Variational autoencoder.
    case vaeMNIST = "vae-mnist"
    /// Conditional variational autoencoder.
    case cvaeMNIST = "cvae-mnist"
    /// Unconditional MLP GAN.
    case ganMNIST = "gan-mnist"
    /// Class-conditional MLP GAN.
    case cganMNIST = "cgan-mnist"
    /// DCGAN.
    case dcganMNIST = "dcgan-mnist"
    /// Denoising diffusion with classifier-free guidance.
    case ddpmMNIST = "ddpm-mnist"
    /// A RealNVP flow on two moons.
    case realnvpMoons = "realnvp-moons"
    /// SimCLR on the 8×8 digits with a linear probe.
    case simclrDigits = "simclr-digits"
    /// Prototypical networks on held-out digit classes.
    case protonetDigits = "protonet-digits"
    /// First-order MAML on sinusoid regression.
    case mamlSinusoid = "maml-sinusoid"

    /// The settings used when ``GenerativeOptions`` leaves them unset.
    public var defaults: (epochs: Int, batchSize: Int, learningRate: Double) {
        switch self {
        case .aeMNIST: return (10, 128, 1e-3)
        case .vaeMNIST, .cvaeMNIST: return (10, 128, 1e-3)
        case .ganMNIST, .cganMNIST: return (20, 64, 2e-4)
        case .dcganMNIST: return (5, 64, 2e-4)
        case .ddpmMNIST: return (4, 64, 1e-3)
        case .realnvpMoons: return (150, 256, 1e-3)
        case .simclrDigits: return (60, 256, 1e-3)
        case .protonetDigits: return (20, 100, 1e-3)
        case .mamlSinusoid: return (50, 10, 1e-3)
        }
    }

    /// One line on what the recipe trains.
    public var summary: String {
        switch self {
        case .aeMNIST: return "denoising autoencoder 784-512-128-2 on MNIST (reconstructions, 2-D latent codes)"
        case .vaeMNIST: return "VAE 784-400-20 with a Bernoulli decoder on MNIST (Adam; test negative ELBO in nats/image)"
        case .cvaeMNIST: return "conditional VAE 784-400-20 on MNIST digits (samples of a chosen digit)"
        case .ganMNIST: return "MLP GAN on MNIST (non-saturating loss, one-sided label smoothing)"
        case .cganMNIST: return "class-conditional MLP GAN on MNIST (label accuracy of samples by a LeNet)"
        case .dcganMNIST: return "DCGAN on MNIST (transposed convolutions, batch norm)"
        case .ddpmMNIST: return "DDPM on MNIST: small U-Net, ε-prediction, classifier-free guidance, DDIM sampling"
        case .realnvpMoons: return "RealNVP normalizing flow (8 affine couplings) on two moons: exact test log-likelihood"
        case .simclrDigits: return "SimCLR (NT-Xent on augmented views) on the 8x8 digits, then a linear probe"
        case .protonetDigits: return "prototypical network, 5-way 5-shot on digit classes 5-9 after training on 0-4"
        case .mamlSinusoid: return "first-order MAML on sinusoid regression against pre-training + fine-tuning"
        }
    }

    var isConditional: Bool { self == .cvaeMNIST || self == .cganMNIST || self == .ddpmMNIST }
    var isVAE: Bool { self == .vaeMNIST || self == .cvaeMNIST }
    /// Whether the recipe ends with a model `--save` can write (and `swiftlearn sample` read).
    public var savesSampler: Bool { ![.aeMNIST, .simclrDigits, .protonetDigits, .mamlSinusoid].contains(self) }

    /// Looks a recipe up by its CLI name.
    /// - Throws: ``GenerativeError/unknownRecipe(_:)``.
    public static func named(_ name: String) throws -> GenerativeRecipe {
        guard let r = GenerativeRecipe(rawValue: name) else { throw GenerativeError.unknownRecipe(name) }
        return r
    }
}

/// Settings of a generative recipe run; nil takes the recipe's default.
public struct GenerativeOptions: Sendable {
    /// Passes over the training data.
    public var epochs: Int?
    /// Samples per batch.
    public var batchSize: Int?
    /// Adam's learning rate.
    public var learningRate: Double?
    /// Seed of initialisation, shuffling and sampling.
    public var seed: UInt64
    /// Use only the first N training images (quick runs); nil = all 60,000.
    public var trainingLimit: Int?
    /// KL weight β of the VAEs (1: the ELBO; > 1: a β-VAE).
    public var beta: Double
    /// Latent size (default: 20 for the VAEs, 64 for the GANs).
    public var latent: Int?
    /// Importance samples K of the VAEs' `test_nll_iw`, on the first 1,000 test images (0 skips it).
    public var importanceSamples: Int
    /// Spectral normalisation of the GAN discriminators.
    public var spectralNorm: Bool
    /// Samples judged for FID, precision/recall and the Inception-style score (0 skips judging).
    public var qualitySamples: Int
    /// DDPM: DDIM steps used to sample.
    public var samplingSteps: Int
    /// DDPM: classifier-free guidance scale w (1: the conditional model alone).
    public var guidance: Double

    /// Creates options.
    public init(epochs: Int? = nil, batchSize: Int? = nil, learningRate: Double? = nil, seed: UInt64 = 0,
                trainingLimit: Int? = nil, beta: Double = 1, latent: Int? = nil, importanceSamples: Int = 100,
                spectralNorm: Bool = false, qualitySamples: Int = 1000, samplingSteps: Int = 25, guidance: Double = 2) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
        self.trainingLimit = trainingLimit
        self.beta = beta
        self.latent = latent
        self.importanceSamples = importanceSamples
        self.spectralNorm = spectralNorm
        self.qualitySamples = qualitySamples
        self.samplingSteps = samplingSteps
        self.guidance = guidance
    }
}

/// One epoch's figures of a generative recipe, in report order.
public struct GenerativeEpoch {
    /// 1-based epoch number.
    public let epoch: Int
    /// Named figures (`train_loss`, `test_neg_elbo`, `d_loss`, …).
    public let figures: [(name: String, value: Double)]
    /// Wall time of the epoch.
    public let seconds: Double
    /// For the VAE and GAN recipes, 64 samples from the same fixed noise every epoch (a grid
    /// `[1, H, W]`), so grids of successive epochs show training progress; nil otherwise.
    public let picture: Tensor?

    /// Creates a record.
    public init(epoch: Int, figures: [(name: String, value: Double)], seconds: Double, picture: Tensor? = nil) {
        self.epoch = epoch
        self.figures = figures
        self.seconds = seconds
        self.picture = picture
    }
}

/// What a generative recipe produced.
public struct GenerativeResult {
    /// The recipe.
    public let recipe: GenerativeRecipe
    /// The trained model (what `--save` writes and `swiftlearn sample` loads); nil for the
    /// autoencoder, self-supervised and meta-learning recipes, which do not train samplers.
    public let model: GenerativeModelFile.Model?
    /// Every epoch's figures.
    public let history: [GenerativeEpoch]
    /// The final figures (`test_neg_elbo`, `label_accuracy`, …).
    public let final: [(name: String, value: Double)]
    /// A picture `[1, H, W]` in [0, 1]: 64 samples (rows of one digit each for conditional
    /// models), the flow's density beside its samples, augmented views, or fitted sinusoids.
    public let samples: Tensor
    /// Number of trainable scalars (generator and discriminator for GANs).
    public let parameterCount: Int
    /// Wall time of the whole run.
    public internal(set) var totalSeconds: Double = 0

    /// Saves the model for `swiftlearn sample`.
    /// - Throws: ``GenerativeError/invalidOption(_:)`` for a recipe without a sampler.
    public func save(to url: URL) throws {
        guard let model else { throw GenerativeError.invalidOption("\(recipe.rawValue) trains no model that samples; --save applies to the generative recipes") }
        switch model {
        case .vae(let m): try GenerativeModelFile.save(m, to: url)
        case .ganGenerator(let g): try GenerativeModelFile.save(g, to: url)
        case .diffusion(let u): try GenerativeModelFile.save(u, to: url)
        case .flow(let f): try GenerativeModelFile.save(f, to: url)
        }
    }
}

extension GenerativeRecipe {
    /// Trains the recipe, reporting each epoch to `onEpoch`.
    /// - Throws: ``GenerativeError/invalidOption(_:)`` for options out of range, data-loading errors.
    public static func run(_ recipe: GenerativeRecipe, options: GenerativeOptions = GenerativeOptions(),
                           onEpoch: (GenerativeEpoch) -> Void = { _ in }) throws -> GenerativeResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let s = try GenerativeSettings(recipe, options)
        var result: GenerativeResult
        switch recipe {
        case .aeMNIST: result = try AutoencoderRecipe.run(s, onEpoch)
        case .vaeMNIST, .cvaeMNIST: result = try VAERecipe.run(s, onEpoch)
        case .ganMNIST, .cganMNIST, .dcganMNIST: result = try GANRecipe.run(s, onEpoch)
        case .ddpmMNIST: result = try DiffusionRecipe.run(s, onEpoch)
        case .realnvpMoons: result = try FlowRecipe.run(s, onEpoch)
        case .simclrDigits: result = try SimCLRRecipe.run(s, onEpoch)
        case .protonetDigits: result = try ProtoNetRecipe.run(s, onEpoch)
        case .mamlSinusoid: result = try MAMLRecipe.run(s, onEpoch)
        }
        result.totalSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result
    }
}

/// Resolved, validated settings.
struct GenerativeSettings {
    let recipe: GenerativeRecipe
    let epochs: Int, batchSize: Int, learningRate: Double, seed: UInt64
    let trainingLimit: Int?, beta: Double, latent: Int, importanceSamples: Int, spectralNorm: Bool
    let qualitySamples: Int, samplingSteps: Int, guidance: Double

    init(_ recipe: GenerativeRecipe, _ o: GenerativeOptions) throws {
        let d = recipe.defaults
        self.recipe = recipe
        epochs = o.epochs ?? d.epochs
        batchSize = o.batchSize ?? d.batchSize
        learningRate = o.learningRate ?? d.learningRate
        seed = o.seed
        trainingLimit = o.trainingLimit
        beta = o.beta
        latent = o.latent ?? (recipe.isVAE ? 20 : recipe == .aeMNIST ? 2 : 64)
        importanceSamples = o.importanceSamples
        spectralNorm = o.spectralNorm
        qualitySamples = o.qualitySamples
        samplingSteps = o.samplingSteps
        guidance = o.guidance
        guard (0...10_000).contains(qualitySamples), qualitySamples != 1 else {
            throw GenerativeError.invalidOption("quality samples must be 0 or 2 to 10000, got \(qualitySamples)")
        }
        guard (1...1000).contains(samplingSteps) else { throw GenerativeError.invalidOption("sampling steps must be 1 to 1000, got \(samplingSteps)") }
        guard guidance >= 0, guidance <= 100 else { throw GenerativeError.invalidOption("guidance must be 0 to 100, got \(guidance)") }
        guard (1...10_000).contains(epochs) else { throw GenerativeError.invalidOption("epochs must be 1 to 10000, got \(epochs)") }
        guard (1...60_000).contains(batchSize) else { throw GenerativeError.invalidOption("batch size must be 1 to 60000, got \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else { throw GenerativeError.invalidOption("learning rate must be a positive number, got \(learningRate)") }
        guard beta >= 0, beta.isFinite else { throw GenerativeError.invalidOption("beta must be a non-negative number, got \(beta)") }
        guard (1...1024).contains(latent) else { throw GenerativeError.invalidOption("latent size must be 1 to 1024, got \(latent)") }
        guard (0...10_000).contains(importanceSamples) else { throw GenerativeError.invalidOption("importance samples must be 0 to 10000, got \(importanceSamples)") }
        if let l = trainingLimit, l < 1 { throw GenerativeError.invalidOption("training limit must be at least 1, got \(l)") }
    }
}

/// MNIST in [0, 1] (the VAE's Bernoulli targets), flattened.
struct MNISTPixels {
    let trainX: Tensor, trainY: Tensor, testX: Tensor, testY: Tensor

    init(limit: Int?) throws {
        let train = try MNIST.load(.train), test = try MNIST.load(.test)
        var x = train.images.reshaped([-1, 784]), y = train.labelsTensor
        if let limit, limit < x.shape[0] { x = x.slice(axis: 0, 0, limit); y = y.slice(axis: 0, 0, limit) }
        trainX = x.contiguous(); trainY = y.contiguous()
        testX = test.images.reshaped([-1, 784]).contiguous(); testY = test.labelsTensor
    }

    var count: Int { trainX.shape[0] }

    /// Shuffled batches of row indices for an epoch (seeded).
    func batches(epoch: Int, batchSize: Int, seed: UInt64) -> [Tensor] {
        let order = Tensor.permutation(count, generator: RandomGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)).toArray(as: Int64.self)
        return stride(from: 0, to: count, by: batchSize).map { Tensor(Array(order[$0..<Swift.min($0 + batchSize, count)])) }
    }
}

/// Ten rows of `perClass` labels 0…9 (the label layout of conditional sample grids).
func gridLabels(perClass: Int = 8, classes: Int = 10) -> Tensor {
    Tensor((0..<classes).flatMap { c in [Int64](repeating: Int64(c), count: perClass) })
}

enum VAERecipe {
    static func run(_ s: GenerativeSettings, _ onEpoch: (GenerativeEpoch) -> Void) throws -> GenerativeResult {
        let data = try MNISTPixels(limit: s.trainingLimit)
        let g = RandomGenerator(seed: s.seed)
        let conditional = s.recipe.isConditional
        let vae = try VAE(VAEConfiguration(latent: s.latent, classes: conditional ? 10 : 0), generator: g)
        let optimizer = Adam(vae.parameters(), learningRate: s.learningRate)
        let fixedNoise = Tensor.randn([conditional ? 80 : 64, s.latent], generator: RandomGenerator(seed: s.seed &+ 2))
        var history: [GenerativeEpoch] = []
        var lastTest = (negElbo: Double.nan, reconstruction: Double.nan, kl: Double.nan)
        for epoch in 1...s.epochs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            vae.train()
            var total = 0.0
            for idx in data.batches(epoch: epoch, batchSize: s.batchSize, seed: s.seed) {
                let x = data.trainX.indexSelect(axis: 0, indices: idx)
                let y = conditional ? data.trainY.indexSelect(axis: 0, indices: idx) : nil
                optimizer.zeroGrad()
                let terms = vae.elbo(x, labels: y, beta: s.beta, generator: g)
                terms.loss.backward()
                optimizer.step()
                let loss = terms.loss.item()
                guard loss.isFinite else { throw GenerativeError.invalidOption("training diverged at epoch \(epoch) (loss \(loss)); lower --lr") }
                total += loss * Double(idx.count)
            }
            lastTest = evaluate(vae, data, conditional: conditional, seed: s.seed)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let picture = GradMode.withoutGrad {
                imageGrid(vae.decodeMeans(fixedNoise, labels: conditional ? gridLabels() : nil).reshaped([-1, 28, 28]))
            }
            let e = GenerativeEpoch(epoch: epoch, figures: [("train_loss", total / Double(data.count)), ("test_neg_elbo", lastTest.negElbo),
                                                             ("test_reconstruction", lastTest.reconstruction), ("test_kl", lastTest.kl)],
                                    seconds: seconds, picture: picture)
            history.append(e)
            onEpoch(e)
        }
        vae.eval()
        var final: [(String, Double)] = [("test_neg_elbo", lastTest.negElbo), ("test_reconstruction", lastTest.reconstruction),
                                         ("test_kl", lastTest.kl)]
        if s.importanceSamples > 0 {
            let n = Swift.min(1000, data.testX.shape[0])
            let x = data.testX.slice(axis: 0, 0, n), y = conditional ? data.testY.slice(axis: 0, 0, n) : nil
            let ll = GradMode.withoutGrad {
                vae.importanceWeightedLogLikelihood(x, labels: y, samples: s.importanceSamples, generator: RandomGenerator(seed: s.seed &+ 7))
            }
            final.append(("test_nll_iw", -ll.mean().item()))
        }
        let sampler = RandomGenerator(seed: s.seed &+ 1)
        let labels = conditional ? gridLabels() : nil
        let images = vae.sample(conditional ? 80 : 64, labels: labels, generator: sampler).reshaped([-1, 28, 28])
        final += try judged(s, data) { n, labels in vae.sample(n, labels: labels, generator: sampler).reshaped([-1, 28, 28]) }
        return GenerativeResult(recipe: s.recipe, model: .vae(vae), history: history, final: final,
                                samples: imageGrid(images, columns: conditional ? 8 : 8), parameterCount: vae.trainableParameterCount)
    }

    /// Test negative ELBO and its terms over the 10,000 test images (one z per image from a fixed seed).
    static func evaluate(_ vae: VAE, _ data: MNISTPixels, conditional: Bool, seed: UInt64) -> (negElbo: Double, reconstruction: Double, kl: Double) {
        vae.eval()
        defer { vae.train() }
        let g = RandomGenerator(seed: seed &+ 99)
        var r = 0.0, k = 0.0
        let n = data.testX.shape[0]
        GradMode.withoutGrad {
            for start in stride(from: 0, to: n, by: 1000) {
                let end = Swift.min(start + 1000, n)
                let x = data.testX.slice(axis: 0, start, end), y = conditional ? data.testY.slice(axis: 0, start, end) : nil
                let t = vae.elbo(x, labels: y, generator: g)
                r += t.reconstruction.item() * Double(end - start)
                k += t.kl.item() * Double(end - start)
            }
        }
        return ((r + k) / Double(n), r / Double(n), k / Double(n))
    }
}

/// The judge's figures for a trained model: `fid`, `precision`, `recall`, `inception_score` of
/// `s.qualitySamples` samples (class-balanced for conditional models) against as many test
/// images, `label_accuracy` for conditional models, and `judge_test_accuracy`. `draw(n, labels)`
/// returns `[n, 28, 28]` images in [0, 1].
func judged(_ s: GenerativeSettings, _ data: MNISTPixels, draw: (Int, Tensor?) throws -> Tensor) throws -> [(String, Double)] {
    guard s.qualitySamples > 0 else { return [] }
    let judge = try MNISTJudge.trained()
    let n = s.qualitySamples
    let labels = s.recipe.isConditional ? Tensor((0..<n).map { Int64($0 % 10) }) : nil
    let samples = try draw(n, labels)
    let real = data.testX.slice(axis: 0, 0, Swift.min(n, data.testX.shape[0])).reshaped([-1, 28, 28])
    var out = try judge.quality(samples: samples, real: real).map { ($0.name, $0.value) }
    if let labels { out.append(("label_accuracy", judge.accuracy(images: samples, labels: labels))) }
    out.append(("judge_test_accuracy", judge.testAccuracy))
    return out
}

enum GANRecipe {
    static func run(_ s: GenerativeSettings, _ onEpoch: (GenerativeEpoch) -> Void) throws -> GenerativeResult {
        let data = try MNISTPixels(limit: s.trainingLimit)
        let g = RandomGenerator(seed: s.seed)
        let conditional = s.recipe.isConditional
        let config = GANConfiguration(architecture: s.recipe == .dcganMNIST ? .dcgan : .mlp, latent: s.latent, imageSide: 28,
                                      classes: conditional ? 10 : 0, width: s.recipe == .dcganMNIST ? 64 : 256, spectralNorm: s.spectralNorm)
        let gen = try GANGenerator(config, generator: g)
        let disc = try GANDiscriminator(config, generator: g)
        // Radford et al.'s Adam settings: β₁ = 0.5.
        let optG = Adam(gen.parameters(), learningRate: s.learningRate, betas: (0.5, 0.999))
        let optD = Adam(disc.parameters(), learningRate: s.learningRate, betas: (0.5, 0.999))
        let fixedNoise = Tensor.randn([conditional ? 80 : 64, s.latent], generator: RandomGenerator(seed: s.seed &+ 2))
        var history: [GenerativeEpoch] = []
        var last: [(String, Double)] = []
        for epoch in 1...s.epochs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            var sums = [0.0, 0.0, 0.0, 0.0]
            var batches = 0
            for idx in data.batches(epoch: epoch, batchSize: s.batchSize, seed: s.seed) {
                let b = idx.count
                let real = data.trainX.indexSelect(axis: 0, indices: idx).reshaped([b, 1, 28, 28]) * 2 - 1
                let y = conditional ? data.trainY.indexSelect(axis: 0, indices: idx) : nil
                // Discriminator step on real and detached fake images.
                let z = Tensor.randn([b, s.latent], generator: g)
                let fake = gen.generate(z, labels: y)
                optD.zeroGrad()
                let dReal = disc.score(real, labels: y), dFake = disc.score(fake.detached(), labels: y)
                let lossD = GANLoss.discriminator(real: dReal, fake: dFake, realTarget: 0.9)
                lossD.backward()
                optD.step()
                // Generator step through the updated discriminator.
                optG.zeroGrad()
                let lossG = GANLoss.generator(fake: disc.score(fake, labels: y))
                lossG.backward()
                optG.step()
                let ld = lossD.item(), lg = lossG.item()
                guard ld.isFinite, lg.isFinite else { throw GenerativeError.invalidOption("training diverged at epoch \(epoch); lower --lr") }
                sums[0] += ld; sums[1] += lg
                sums[2] += dReal.detached().sigmoid().mean().item(); sums[3] += dFake.detached().sigmoid().mean().item()
                batches += 1
            }
            let n = Double(batches)
            last = [("d_loss", sums[0] / n), ("g_loss", sums[1] / n), ("d_real", sums[2] / n), ("d_fake", sums[3] / n)]
            let picture: Tensor = GradMode.withoutGrad {
                gen.eval()
                defer { gen.train() }
                let x = gen.generate(fixedNoise, labels: conditional ? gridLabels() : nil)
                return imageGrid(((x + 1) * 0.5).reshaped([-1, 28, 28]))
            }
            let e = GenerativeEpoch(epoch: epoch, figures: last, seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9,
                                    picture: picture)
            history.append(e)
            onEpoch(e)
        }
        gen.eval()
        let sampler = RandomGenerator(seed: s.seed &+ 1)
        var final = last
        let images = gen.sampleImages(conditional ? 80 : 64, labels: conditional ? gridLabels() : nil, generator: sampler)
        final += try judged(s, data) { n, labels in gen.sampleImages(n, labels: labels, generator: sampler) }
        return GenerativeResult(recipe: s.recipe, model: .ganGenerator(gen), history: history, final: final,
                                samples: imageGrid(images), parameterCount: gen.trainableParameterCount + disc.trainableParameterCount)
    }
}

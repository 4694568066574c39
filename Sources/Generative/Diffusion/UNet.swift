import Foundation
import Neural
import SwiftLearnCore
import Tensors

/// The shape of a ``DiffusionUNet``, stored beside its weights.
public struct UNetConfiguration: Codable, Sendable, Equatable {
    /// Channels of the images (1 for MNIST).
    public var imageChannels: Int
    /// Side of the square images; must be divisible by 2^(levels − 1).
    public var imageSide: Int
    /// Channels of the first level.
    public var base: Int
    /// Channel multiplier of each level (resolution halves from one level to the next).
    public var multipliers: [Int]
    /// Width of the timestep (and label) embedding.
    public var embedding: Int
    /// Classes for classifier-free guidance (one more embedding row is the "no label" token);
    /// 0 for an unconditional model.
    public var classes: Int
    /// The noise schedule it is trained with (stored so a saved model samples with its own).
    public var trainTimesteps: Int
    /// The β schedule.
    public var schedule: BetaSchedule

    /// Creates a configuration (defaults: a 28×28 MNIST model with levels of 32, 64, 64 channels).
    public init(imageChannels: Int = 1, imageSide: Int = 28, base: Int = 32, multipliers: [Int] = [1, 2, 2], embedding: Int = 128,
                classes: Int = 0, trainTimesteps: Int = 1000, schedule: BetaSchedule = .linear) {
        self.imageChannels = imageChannels
        self.imageSide = imageSide
        self.base = base
        self.multipliers = multipliers
        self.embedding = embedding
        self.classes = classes
        self.trainTimesteps = trainTimesteps
        self.schedule = schedule
    }

    /// Throws ``GenerativeError/invalidConfiguration(_:)`` for sizes out of range.
    public func validate() throws {
        guard (1...4).contains(imageChannels) else { throw GenerativeError.invalidConfiguration("U-Net image channels must be 1 to 4, got \(imageChannels)") }
        guard (1...5).contains(multipliers.count), multipliers.allSatisfy({ (1...16).contains($0) }) else {
            throw GenerativeError.invalidConfiguration("U-Net needs 1 to 5 levels with multipliers 1 to 16, got \(multipliers)")
        }
        let factor = 1 << (multipliers.count - 1)
        guard (4...512).contains(imageSide), imageSide % factor == 0 else {
            throw GenerativeError.invalidConfiguration("U-Net image side must be 4 to 512 and divisible by \(factor), got \(imageSide)")
        }
        guard (8...1024).contains(base), base % 8 == 0 else { throw GenerativeError.invalidConfiguration("U-Net base channels must be a multiple of 8 from 8 to 1024, got \(base)") }
        guard (4...4096).contains(embedding), embedding % 2 == 0 else { throw GenerativeError.invalidConfiguration("U-Net embedding must be even, 4 to 4096, got \(embedding)") }
        guard (0...1000).contains(classes) else { throw GenerativeError.invalidConfiguration("U-Net classes must be 0 to 1000, got \(classes)") }
        guard (1...100_000).contains(trainTimesteps) else { throw GenerativeError.invalidConfiguration("U-Net timesteps must be 1 to 100000, got \(trainTimesteps)") }
    }
}

/// Sinusoidal embeddings of timesteps (Vaswani et al.; DDPM's): `[B, dim]` with
/// sin(t·ω_i) in the first half and cos(t·ω_i) in the second, ω_i = 10000^(−i/(dim/2)).
public func timestepEmbedding(_ timesteps: [Int], dim: Int, dtype: DType = .float32) -> Tensor {
    ensure(dim >= 2 && dim % 2 == 0, "timestepEmbedding: dim must be even and ≥ 2, got \(dim)")
    let half = dim / 2
    var values = [Double](repeating: 0, count: timesteps.count * dim)
    for (row, t) in timesteps.enumerated() {
        for i in 0..<half {
            let angle = Double(t) * Foundation.exp(-Foundation.log(10_000) * Double(i) / Double(half))
            values[row * dim + i] = Foundation.sin(angle)
            values[row * dim + half + i] = Foundation.cos(angle)
        }
    }
    return Tensor(values, shape: [timesteps.count, dim]).to(dtype)
}

/// A residual block with the timestep embedding added between its two convolutions
/// (GroupNorm → SiLU → 3×3 conv, + projected embedding, GroupNorm → SiLU → 3×3 conv, + skip).
public final class TimeResidualBlock: Module {
    /// First normalisation.
    public var norm1: GroupNorm
    /// First convolution.
    public var conv1: Conv2d
    /// Projection of the embedding to the block's channels.
    public var embed: Linear
    /// Second normalisation.
    public var norm2: GroupNorm
    /// Second convolution.
    public var conv2: Conv2d
    /// 1×1 convolution on the skip path when the channel count changes.
    public var skip: Conv2d?

    /// Creates a block from `input` to `output` channels for embeddings of width `embedding`.
    public init(_ input: Int, _ output: Int, embedding: Int, generator g: RandomGenerator?) {
        norm1 = GroupNorm(Swift.min(8, input), input)
        conv1 = Conv2d(input, output, kernelSize: 3, padding: 1, generator: g)
        embed = Linear(embedding, output, generator: g)
        norm2 = GroupNorm(Swift.min(8, output), output)
        conv2 = Conv2d(output, output, kernelSize: 3, padding: 1, generator: g)
        skip = input == output ? nil : Conv2d(input, output, kernelSize: 1, generator: g)
        super.init()
    }

    /// `x` `[B, in, H, W]`, `emb` `[B, embedding]` → `[B, out, H, W]`.
    public func forward(_ x: Tensor, embedding emb: Tensor) -> Tensor {
        var h = conv1(silu(norm1(x)))
        h = h + embed(silu(emb)).unsqueezed(2).unsqueezed(3)
        h = conv2(silu(norm2(h)))
        return h + (skip.map { $0(x) } ?? x)
    }
}

/// A small U-Net ε(x_t, t [, y]) for DDPM (Ho et al. 2020's design, scaled down for CPUs): per
/// level a time-conditioned residual block with a skip connection, strided-convolution
/// downsampling, a middle block, and transposed-convolution upsampling whose blocks take the skip
/// concatenated. With `classes` > 0 a label embedding joins the time embedding, and the extra
/// "no label" row makes classifier-free guidance (Ho & Salimans 2022) possible.
public final class DiffusionUNet: Module {
    /// The model's shape.
    public let configuration: UNetConfiguration
    /// Timestep MLP over the sinusoidal embedding.
    public var timeMLP: Sequential
    /// Label embedding (`classes + 1` rows; the last is "no label"), nil when unconditional.
    public var labelEmbedding: Embedding?
    /// Image to the first level's channels.
    public var inputConv: Conv2d
    /// One residual block per level on the way down.
    public var down: [TimeResidualBlock]
    /// Strided 3×3 convolutions between levels.
    public var downsample: [Conv2d]
    /// The block at the lowest resolution.
    public var middle: TimeResidualBlock
    /// One residual block per level on the way up (input: the running features and the skip).
    public var up: [TimeResidualBlock]
    /// Transposed convolutions between levels on the way up.
    public var upsample: [ConvTranspose2d]
    /// Output normalisation.
    public var outputNorm: GroupNorm
    /// Features to the predicted noise.
    public var outputConv: Conv2d

    /// Creates the network with PyTorch's default initialisation from `generator`.
    public init(_ configuration: UNetConfiguration, generator g: RandomGenerator? = nil) throws {
        try configuration.validate()
        self.configuration = configuration
        let c = configuration
        let channels = c.multipliers.map { $0 * c.base }
        timeMLP = Sequential(Linear(c.base, c.embedding, generator: g), SiLU(), Linear(c.embedding, c.embedding, generator: g))
        labelEmbedding = c.classes > 0 ? Embedding(c.classes + 1, c.embedding, generator: g) : nil
        inputConv = Conv2d(c.imageChannels, c.base, kernelSize: 3, padding: 1, generator: g)
        var previous = c.base
        down = channels.map { ch in defer { previous = ch }; return TimeResidualBlock(previous, ch, embedding: c.embedding, generator: g) }
        downsample = channels.dropLast().map { Conv2d($0, $0, kernelSize: 3, stride: 2, padding: 1, generator: g) }
        middle = TimeResidualBlock(channels.last!, channels.last!, embedding: c.embedding, generator: g)
        up = channels.map { TimeResidualBlock(2 * $0, $0, embedding: c.embedding, generator: g) }
        upsample = (1..<channels.count).map { ConvTranspose2d(channels[$0], channels[$0 - 1], kernelSize: 4, stride: 2, padding: 1, generator: g) }
        outputNorm = GroupNorm(8, channels[0])
        outputConv = Conv2d(channels[0], c.imageChannels, kernelSize: 3, padding: 1, generator: g)
        super.init()
    }

    /// The "no label" index (classifier-free guidance's unconditional input).
    public var nullLabel: Int64 { Int64(configuration.classes) }

    /// Predicted noise `[B, C, S, S]` for noisy images `x` at `timesteps` (one per image); `labels`
    /// `[B]` (int64, `nullLabel` for "none") for a class-conditional model.
    public func predict(_ x: Tensor, timesteps: [Int], labels: Tensor? = nil) -> Tensor {
        let c = configuration
        ensure(x.rank == 4 && x.shape[1] == c.imageChannels && x.shape[2] == c.imageSide && x.shape[3] == c.imageSide,
               "DiffusionUNet: expected [B, \(c.imageChannels), \(c.imageSide), \(c.imageSide)], got \(x.shape)")
        ensure(timesteps.count == x.shape[0], "DiffusionUNet: \(timesteps.count) timesteps for a batch of \(x.shape[0])")
        var emb = timeMLP(timestepEmbedding(timesteps, dim: c.base, dtype: x.dtype))
        if let labelEmbedding {
            let l = labels ?? Tensor([Int64](repeating: nullLabel, count: x.shape[0]))
            ensure(l.count == x.shape[0], "DiffusionUNet: \(l.count) labels for a batch of \(x.shape[0])")
            emb = emb + labelEmbedding(l)
        } else {
            ensure(labels == nil, "DiffusionUNet: this model is not class-conditional; pass no labels")
        }
        var h = inputConv(x)
        var skips: [Tensor] = []
        for (i, block) in down.enumerated() {
            h = block.forward(h, embedding: emb)
            skips.append(h)
            if i < downsample.count { h = downsample[i](h) }
        }
        h = middle.forward(h, embedding: emb)
        for i in stride(from: up.count - 1, through: 0, by: -1) {
            h = up[i].forward(Tensor.concat([h, skips[i]], axis: 1), embedding: emb)
            if i > 0 { h = upsample[i - 1](h) }
        }
        return outputConv(silu(outputNorm(h)))
    }

    /// Classifier-free guidance: ε_uncond + w·(ε_cond − ε_uncond), both from one batched forward
    /// pass. w = 1 is the conditional model alone; w = 0 the unconditional one.
    public func guidedPrediction(_ x: Tensor, timesteps: [Int], labels: Tensor, scale w: Double) -> Tensor {
        ensure(configuration.classes > 0, "DiffusionUNet.guidedPrediction: the model is not class-conditional")
        let b = x.shape[0]
        let both = predict(Tensor.concat([x, x], axis: 0), timesteps: timesteps + timesteps,
                           labels: Tensor.concat([labels.to(.int64), Tensor([Int64](repeating: nullLabel, count: b))], axis: 0))
        let conditional = both.slice(axis: 0, 0, b), unconditional = both.slice(axis: 0, b, 2 * b)
        return unconditional + (conditional - unconditional) * w
    }

    /// Draws `n` images `[n, S, S]` (first channel) in [0, 1] by DDIM with `steps` steps (η = `eta`)
    /// or, when `ddpm` is true, by DDPM ancestral sampling over every training step; with labels,
    /// classifier-free guidance of scale `guidance`.
    public func sampleImages(_ n: Int, labels: Tensor? = nil, guidance: Double = 2, steps: Int = 50, eta: Double = 0,
                             ddpm: Bool = false, generator: RandomGenerator? = nil) throws -> Tensor {
        let c = configuration
        let schedule = try NoiseSchedule(trainTimesteps: c.trainTimesteps, schedule: c.schedule)
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        return try GradMode.withoutGrad {
            var x = Tensor.randn([n, c.imageChannels, c.imageSide, c.imageSide], dtype: dtype, generator: generator)
            func model(_ x: Tensor, _ t: Int) -> Tensor {
                let ts = [Int](repeating: t, count: n)
                if let labels, c.classes > 0 { return guidedPrediction(x, timesteps: ts, labels: labels, scale: guidance) }
                return predict(x, timesteps: ts, labels: labels)
            }
            if ddpm {
                let s = try DDPMScheduler(schedule: schedule)
                for t in s.timesteps { x = s.step(model(x, t), timestep: t, sample: x, generator: generator).previous }
            } else {
                let s = try DDIMScheduler(schedule: schedule, steps: steps)
                for t in s.timesteps { x = s.step(model(x, t), timestep: t, sample: x, eta: eta, generator: generator).previous }
            }
            return ((x.slice(axis: 1, 0, 1) + 1) * 0.5).clamp(min: 0, max: 1).reshaped([n, c.imageSide, c.imageSide])
        }
    }
}

import Foundation
import Neural
import SwiftLearnCore
import Tensors

/// How a ``VAE``'s decoder models a pixel given the latent code.
public enum DecoderLikelihood: String, Codable, Sendable, CaseIterable {
    /// Independent Bernoulli pixels: the decoder outputs logits and the reconstruction term is
    /// binary cross-entropy summed over pixels (Kingma & Welling's MNIST model; PyTorch's
    /// `examples/vae`). Targets may be grey levels in [0, 1], as in that example.
    case bernoulli
    /// Independent Gaussian pixels with a mean and a log-variance per pixel, both output by the
    /// decoder (the paper's model for real-valued data).
    case gaussian
}

/// The shape of a ``VAE``: what is stored beside its weights so that a saved model can be rebuilt.
public struct VAEConfiguration: Codable, Sendable, Equatable {
    /// Size of a flattened input (784 for MNIST).
    public var inputSize: Int
    /// Widths of the hidden layers of the encoder; the decoder mirrors them.
    public var hidden: [Int]
    /// Dimension of the latent code z.
    public var latent: Int
    /// Number of classes for a conditional VAE (the one-hot label joins the encoder's input and
    /// the decoder's latent code); 0 for an unconditional one.
    public var classes: Int
    /// The decoder's pixel model.
    public var likelihood: DecoderLikelihood

    /// Creates a configuration (defaults: Kingma & Welling's and PyTorch's 784-400-20 model).
    public init(inputSize: Int = 784, hidden: [Int] = [400], latent: Int = 20, classes: Int = 0,
                likelihood: DecoderLikelihood = .bernoulli) {
        self.inputSize = inputSize
        self.hidden = hidden
        self.latent = latent
        self.classes = classes
        self.likelihood = likelihood
    }

    /// Throws ``GenerativeError/invalidConfiguration(_:)`` unless every size is positive and bounded.
    public func validate() throws {
        let limit = 1 << 20
        guard (1...limit).contains(inputSize) else { throw GenerativeError.invalidConfiguration("VAE input size must be 1 to \(limit), got \(inputSize)") }
        guard (1...limit).contains(latent) else { throw GenerativeError.invalidConfiguration("VAE latent size must be 1 to \(limit), got \(latent)") }
        guard hidden.count <= 16, hidden.allSatisfy({ (1...limit).contains($0) }) else {
            throw GenerativeError.invalidConfiguration("VAE hidden widths must be at most 16 layers of 1 to \(limit), got \(hidden)")
        }
        guard (0...10_000).contains(classes) else { throw GenerativeError.invalidConfiguration("VAE classes must be 0 to 10000, got \(classes)") }
    }
}

/// The terms of the evidence lower bound of a batch, each averaged over the batch (nats per sample).
public struct ELBOTerms {
    /// E_q[−log p(x | z)], one sample of z per input: the reconstruction term.
    public let reconstruction: Tensor
    /// KL(q(z | x) ‖ N(0, I)) in closed form.
    public let kl: Tensor
    /// The training loss, `reconstruction + β·kl` (the negative ELBO when β = 1).
    public let loss: Tensor
}

/// A variational autoencoder (Kingma & Welling 2014) with a Gaussian encoder q(z | x) =
/// N(μ(x), diag σ²(x)), a standard normal prior, the reparameterisation z = μ + σ·ε, and a
/// Bernoulli or Gaussian decoder; β-VAE (Higgins et al. 2017) through the KL weight, and the
/// conditional VAE (Sohn et al. 2015) when ``VAEConfiguration/classes`` > 0.
///
/// ```swift
/// let vae = VAE(VAEConfiguration())                       // 784-400-20, Bernoulli decoder
/// let terms = vae.elbo(x, generator: g)                   // x: [B, 784] in [0, 1]
/// terms.loss.backward()                                  // reconstruction + KL, nats per image
/// let digits = vae.sample(64, generator: g)               // [64, 784] pixel means
/// ```
///
/// Parameter keys: `encoder.N`, `mean`, `log_variance`, `decoder.N`, `output` (and
/// `output_log_variance` for a Gaussian decoder), each a ``Linear``; the same names in a PyTorch
/// module load the same weights.
public final class VAE: Module {
    /// The model's shape.
    public let configuration: VAEConfiguration
    /// Hidden layers of the encoder (ReLU after each).
    public var encoder: [Linear]
    /// μ(x).
    public var mean: Linear
    /// log σ²(x).
    public var logVariance: Linear
    /// Hidden layers of the decoder (ReLU after each).
    public var decoder: [Linear]
    /// Logits (Bernoulli) or means (Gaussian) of the pixels.
    public var output: Linear
    /// Log-variances of the pixels (Gaussian decoder only).
    public var outputLogVariance: Linear?

    /// Creates a model with PyTorch's default initialisation drawn from `generator`.
    /// - Throws: ``GenerativeError/invalidConfiguration(_:)`` for sizes out of range.
    public init(_ configuration: VAEConfiguration, generator: RandomGenerator? = nil) throws {
        try configuration.validate()
        self.configuration = configuration
        let c = configuration
        var widths = [c.inputSize + c.classes] + c.hidden
        encoder = zip(widths, widths.dropFirst()).map { Linear($0, $1, generator: generator) }
        let top = widths.last ?? c.inputSize
        mean = Linear(top, c.latent, generator: generator)
        logVariance = Linear(top, c.latent, generator: generator)
        widths = [c.latent + c.classes] + c.hidden.reversed()
        decoder = zip(widths, widths.dropFirst()).map { Linear($0, $1, generator: generator) }
        let last = widths.last ?? c.latent
        output = Linear(last, c.inputSize, generator: generator)
        outputLogVariance = c.likelihood == .gaussian ? Linear(last, c.inputSize, generator: generator) : nil
        super.init()
    }

    /// q(z | x): `(μ, log σ²)`, each `[B, latent]`. `labels` (int64 `[B]`) are required exactly
    /// when the model is conditional.
    public func encode(_ x: Tensor, labels: Tensor? = nil) -> (mean: Tensor, logVariance: Tensor) {
        ensure(x.rank == 2 && x.shape[1] == configuration.inputSize,
               "VAE.encode: expected [B, \(configuration.inputSize)], got \(x.shape)")
        var h = conditioned(x, labels, "encode")
        for layer in encoder { h = relu(layer(h)) }
        return (mean(h), logVariance(h))
    }

    /// p(x | z): the decoder's output `[B, inputSize]` — logits (Bernoulli) or means (Gaussian) —
    /// and, for a Gaussian decoder, the pixel log-variances.
    public func decode(_ z: Tensor, labels: Tensor? = nil) -> (output: Tensor, logVariance: Tensor?) {
        ensure(z.rank == 2 && z.shape[1] == configuration.latent, "VAE.decode: expected [B, \(configuration.latent)], got \(z.shape)")
        var h = conditioned(z, labels, "decode")
        for layer in decoder { h = relu(layer(h)) }
        return (output(h), outputLogVariance.map { $0(h) })
    }

    /// Pixel means of p(x | z): σ(logits) for a Bernoulli decoder, the means for a Gaussian one.
    public func decodeMeans(_ z: Tensor, labels: Tensor? = nil) -> Tensor {
        let d = decode(z, labels: labels)
        return configuration.likelihood == .bernoulli ? d.output.sigmoid() : d.output
    }

    /// z = μ + exp(½ log σ²)·ε with ε ~ N(0, I) drawn from `generator`, or `noise` when given
    /// (same shape as μ; for tests against a reference with the same ε).
    public func reparameterize(mean mu: Tensor, logVariance lv: Tensor, noise: Tensor? = nil,
                               generator: RandomGenerator? = nil) -> Tensor {
        let eps = noise ?? Tensor.randn(mu.shape, dtype: mu.dtype, generator: generator)
        ensure(eps.shape == mu.shape, "VAE.reparameterize: noise shape \(eps.shape) must equal the mean's \(mu.shape)")
        return mu + (lv * 0.5).exp() * eps
    }

    /// −log p(x | z) per sample, `[B]`, summed over pixels.
    public func reconstructionNLL(_ x: Tensor, decoded: (output: Tensor, logVariance: Tensor?)) -> Tensor {
        switch configuration.likelihood {
        case .bernoulli:
            // BCE with logits ℓ, target x: softplus(ℓ) − x·ℓ, in vectorised tensor ops (the same
            // value as binaryCrossEntropyWithLogits, whose per-element loss is general but slower).
            return (decoded.output.softplus() - decoded.output * x).sum(axis: 1)
        case .gaussian:
            let lv = decoded.logVariance ?? Tensor.zeros(like: decoded.output)
            let squared = (x - decoded.output).square() * (-lv).exp()
            return ((squared + lv + Foundation.log(2 * Double.pi)) * 0.5).sum(axis: 1)
        }
    }

    /// The ELBO's terms for a batch `x` `[B, inputSize]`, one z per input: reconstruction and KL
    /// averaged over the batch, and the loss `reconstruction + beta·kl` (β = 1: the negative ELBO;
    /// β > 1: a β-VAE).
    public func elbo(_ x: Tensor, labels: Tensor? = nil, beta: Double = 1, noise: Tensor? = nil,
                     generator: RandomGenerator? = nil) -> ELBOTerms {
        let (mu, lv) = encode(x, labels: labels)
        let z = reparameterize(mean: mu, logVariance: lv, noise: noise, generator: generator)
        let batch = Double(x.shape[0])
        let reconstruction = reconstructionNLL(x, decoded: decode(z, labels: labels)).sum() / batch
        let kl = ((1 + lv - mu.square() - lv.exp()).sum() * -0.5) / batch
        return ELBOTerms(reconstruction: reconstruction, kl: kl, loss: reconstruction + kl * beta)
    }

    /// The importance-weighted estimate of log p(x) (Burda et al. 2016) per input, `[B]`:
    /// `log (1/K) Σ_k p(x | z_k) p(z_k) / q(z_k | x)` with K samples z_k ~ q(z | x). It is a lower
    /// bound of log p(x) that tightens as K grows (K = 1 gives the ELBO); −mean is the test
    /// negative log-likelihood in nats. `noise`, when given, is `[K, B, latent]`.
    public func importanceWeightedLogLikelihood(_ x: Tensor, labels: Tensor? = nil, samples k: Int = 100,
                                                noise: Tensor? = nil, generator: RandomGenerator? = nil) -> Tensor {
        ensure(k >= 1, "VAE.importanceWeightedLogLikelihood: samples must be at least 1, got \(k)")
        let (mu, lv) = encode(x, labels: labels)
        let b = x.shape[0], d = configuration.latent
        if let noise { ensure(noise.shape == [k, b, d], "VAE.importanceWeightedLogLikelihood: noise must be [\(k), \(b), \(d)], got \(noise.shape)") }
        let log2pi = Foundation.log(2 * Double.pi)
        var logWeights: [Tensor] = []
        for s in 0..<k {
            let eps = noise.map { $0.slice(axis: 0, s, s + 1).reshaped([b, d]) } ?? Tensor.randn([b, d], dtype: mu.dtype, generator: generator)
            let z = mu + (lv * 0.5).exp() * eps
            let logPxz = -reconstructionNLL(x, decoded: decode(z, labels: labels))
            let logPz = ((z.square() + log2pi) * -0.5).sum(axis: 1)
            let logQz = ((eps.square() + lv + log2pi) * -0.5).sum(axis: 1)
            logWeights.append((logPxz + logPz - logQz).unsqueezed(0))
        }
        return Tensor.concat(logWeights, axis: 0).logsumexp(axis: 0) - Foundation.log(Double(k))
    }

    /// `n` samples of pixel means decoded from z ~ N(0, I), `[n, inputSize]` (`labels` `[n]` for a
    /// conditional model). No gradient is recorded.
    public func sample(_ n: Int, labels: Tensor? = nil, generator: RandomGenerator? = nil) -> Tensor {
        GradMode.withoutGrad {
            decodeMeans(Tensor.randn([n, configuration.latent], dtype: dtype, generator: generator), labels: labels)
        }
    }

    /// Pixel means decoded along the straight line between the latent means of `a` and `b`
    /// (each `[1, inputSize]`), `steps` points including both ends: `[steps, inputSize]`.
    public func interpolate(_ a: Tensor, _ b: Tensor, steps: Int, labels: Tensor? = nil) -> Tensor {
        ensure(steps >= 2, "VAE.interpolate: steps must be at least 2, got \(steps)")
        return GradMode.withoutGrad {
            let za = encode(a, labels: labels).mean, zb = encode(b, labels: labels).mean
            let path = Tensor.concat((0..<steps).map { i -> Tensor in
                let t = Double(i) / Double(steps - 1)
                return za * (1 - t) + zb * t
            }, axis: 0)
            return decodeMeans(path, labels: labels.map { $0.repeated(steps, axis: 0) })
        }
    }

    /// Joins the one-hot label to `x` for a conditional model.
    private func conditioned(_ x: Tensor, _ labels: Tensor?, _ caller: String) -> Tensor {
        guard configuration.classes > 0 else {
            ensure(labels == nil, "VAE.\(caller): this VAE is not conditional; pass no labels")
            return x
        }
        guard let labels else { fatalError("VAE.\(caller): a conditional VAE needs labels") }
        return Tensor.concat([x, oneHot(labels, classes: configuration.classes, dtype: x.dtype)], axis: 1)
    }

    public override var extraDescription: String {
        let c = configuration
        return "input=\(c.inputSize), hidden=\(c.hidden), latent=\(c.latent), classes=\(c.classes), likelihood=\(c.likelihood.rawValue)"
    }
}

/// One-hot rows `[B, classes]` of int64 class indices `[B]` (a constant: no gradient).
/// Indices outside `0..<classes` stop with a message naming the index.
public func oneHot(_ labels: Tensor, classes: Int, dtype: DType = .float32) -> Tensor {
    ensure(labels.rank == 1, "oneHot: labels must be [B], got \(labels.shape)")
    let ids = labels.to(.int64).contiguous().toArray(as: Int64.self)
    var values = [Double](repeating: 0, count: ids.count * classes)
    for (row, id) in ids.enumerated() {
        ensure(id >= 0 && Int(id) < classes, "oneHot: label \(id) is outside 0..<\(classes)")
        values[row * classes + Int(id)] = 1
    }
    return Tensor(values, shape: [ids.count, classes]).to(dtype)
}

import Foundation
import Neural
import SwiftLearnCore
import Tensors

/// An affine coupling layer (Dinh et al. 2017, RealNVP): the coordinates where `mask` is 1 pass
/// through and condition a scale s and shift t of the others,
/// `y = m⊙x + (1 − m)⊙(x·exp(s(m⊙x)) + t(m⊙x))`, with log|det ∂y/∂x| = Σ (1 − m)⊙s — exact and
/// cheap, and the inverse is as cheap. s ends in tanh, which keeps early training stable.
public final class AffineCoupling: Module {
    /// 1 where a coordinate passes through unchanged.
    public var mask: ModuleBuffer
    /// The scale network (its output goes through tanh).
    public var scale: Sequential
    /// The shift network.
    public var translation: Sequential

    /// Creates a coupling over `dimension` coordinates with the given 0/1 `mask` and MLPs of
    /// `hidden` units (two hidden layers, ReLU).
    public init(dimension: Int, mask: [Double], hidden: Int, generator g: RandomGenerator? = nil) {
        ensure(mask.count == dimension && mask.allSatisfy({ $0 == 0 || $0 == 1 }), "AffineCoupling: mask must be \(dimension) zeros and ones")
        self.mask = ModuleBuffer(Tensor(mask, shape: [dimension]).to(.float32))
        func net() -> Sequential {
            Sequential(Linear(dimension, hidden, generator: g), ReLU(), Linear(hidden, hidden, generator: g), ReLU(),
                       Linear(hidden, dimension, generator: g))
        }
        scale = net()
        translation = net()
        super.init()
    }

    private func parts(_ kept: Tensor) -> (s: Tensor, t: Tensor) {
        let free = 1 - mask.value.to(kept.dtype)
        return (scale(kept).tanh() * free, translation(kept) * free)
    }

    /// x → y and log|det ∂y/∂x| per row, `[B]`.
    public func forward(_ x: Tensor) -> (output: Tensor, logDeterminant: Tensor) {
        let m = mask.value.to(x.dtype)
        let kept = x * m
        let (s, t) = parts(kept)
        return (kept + (1 - m) * (x * s.exp() + t), s.sum(axis: 1))
    }

    /// y → x.
    public func inverse(_ y: Tensor) -> Tensor {
        let m = mask.value.to(y.dtype)
        let kept = y * m
        let (s, t) = parts(kept)
        return kept + (1 - m) * ((y - t) * (-s).exp())
    }
}

/// A RealNVP normalizing flow: affine couplings with alternating masks over a standard normal
/// base, trained by exact maximum likelihood, log p(x) = log N(f(x); 0, I) + Σ log|det ∂f/∂x|.
///
/// ```swift
/// let flow = RealNVP(dimension: 2, couplings: 8, hidden: 64)
/// let nll = -flow.logProbability(x).mean()               // nats per point; minimise with Adam
/// let points = flow.sample(1000, generator: g)
/// ```
public final class RealNVP: Module {
    /// The couplings, data side first.
    public var couplings: [AffineCoupling]
    /// Number of coordinates.
    public let dimension: Int
    /// Hidden units of each coupling's networks.
    public let hidden: Int

    /// Creates a flow whose masks alternate between the even and odd coordinates.
    public init(dimension: Int, couplings count: Int = 8, hidden: Int = 64, generator g: RandomGenerator? = nil) {
        ensure(dimension >= 2 && count >= 1 && hidden >= 1, "RealNVP: needs dimension ≥ 2, couplings ≥ 1, hidden ≥ 1")
        self.dimension = dimension
        self.hidden = hidden
        couplings = (0..<count).map { k in
            AffineCoupling(dimension: dimension, mask: (0..<dimension).map { ($0 + k) % 2 == 0 ? 1 : 0 }, hidden: hidden, generator: g)
        }
        super.init()
    }

    /// z = f(x) and Σ log|det| per row.
    public func transform(_ x: Tensor) -> (latent: Tensor, logDeterminant: Tensor) {
        ensure(x.rank == 2 && x.shape[1] == dimension, "RealNVP: expected [B, \(dimension)], got \(x.shape)")
        var h = x
        var total = Tensor.zeros([x.shape[0]], dtype: x.dtype)
        for c in couplings {
            let (y, ld) = c.forward(h)
            h = y
            total = total + ld
        }
        return (h, total)
    }

    /// Exact log-density of each row of `x`, `[B]`, in nats.
    public func logProbability(_ x: Tensor) -> Tensor {
        let (z, logDet) = transform(x)
        let logBase = ((z.square() + Foundation.log(2 * Double.pi)) * -0.5).sum(axis: 1)
        return logBase + logDet
    }

    /// x = f⁻¹(z) for latent points `z`.
    public func inverse(_ z: Tensor) -> Tensor {
        var h = z
        for c in couplings.reversed() { h = c.inverse(h) }
        return h
    }

    /// `n` samples `[n, dimension]` (no gradient).
    public func sample(_ n: Int, generator: RandomGenerator? = nil) -> Tensor {
        GradMode.withoutGrad { inverse(Tensor.randn([n, dimension], dtype: dtype, generator: generator)) }
    }
}

/// SimCLR's normalized-temperature cross-entropy (NT-Xent, Chen et al. 2020) for two views
/// `a`, `b` `[N, D]` of the same N examples: each of the 2N embeddings (L2-normalised) must pick
/// its partner out of the other 2N − 1 by cosine similarity / τ; the mean cross-entropy.
public func ntXentLoss(_ a: Tensor, _ b: Tensor, temperature: Double = 0.5) -> Tensor {
    ensure(a.rank == 2 && a.shape == b.shape && a.shape[0] >= 1, "ntXentLoss: expected two [N, D] views, got \(a.shape) and \(b.shape)")
    ensure(temperature > 0, "ntXentLoss: temperature must be positive, got \(temperature)")
    let n = a.shape[0]
    let z = Tensor.concat([a, b], axis: 0)
    let unit = z / (z.square().sum(axis: 1, keepDims: true).sqrt().clamp(min: 1e-12))
    let logits = unit.matmul(unit.transposed()) / temperature
    // A large negative on the diagonal removes each embedding's similarity with itself.
    let eye = Tensor((0..<(4 * n * n)).map { $0 / (2 * n) == $0 % (2 * n) ? -1e9 : 0.0 }, shape: [2 * n, 2 * n]).to(logits.dtype)
    let targets = Tensor((0..<(2 * n)).map { Int64(($0 + n) % (2 * n)) })
    return crossEntropy(logits + eye, targets)
}

import Foundation
import SwiftLearnCore
import Tensors

/// How the noise variances β_t of a diffusion model grow over the training timesteps (the
/// names are diffusers' `beta_schedule` values).
public enum BetaSchedule: String, Codable, Sendable, CaseIterable {
    /// β evenly spaced from `betaStart` to `betaEnd` (Ho et al. 2020: 1e-4 to 0.02 over 1000 steps).
    case linear
    /// √β evenly spaced (latent diffusion / Stable Diffusion).
    case scaledLinear = "scaled_linear"
    /// Nichol & Dhariwal's cosine schedule: ᾱ(t) = cos²((t + 0.008)/1.008 · π/2), β capped at 0.999.
    case cosine = "squaredcos_cap_v2"
    /// β = σ(linspace(−6, 6)) · (end − start) + start (GeoDiff).
    case sigmoid
}

/// What the denoising network predicts (diffusers' `prediction_type`).
public enum DiffusionPrediction: String, Codable, Sendable, CaseIterable {
    /// The added noise ε (DDPM's choice).
    case epsilon
    /// The clean sample x₀.
    case sample
    /// v = √ᾱ·ε − √(1−ᾱ)·x₀ (Salimans & Ho 2022).
    case velocity = "v_prediction"
}

/// How inference timesteps are chosen among the training ones (diffusers' `timestep_spacing`).
public enum TimestepSpacing: String, Codable, Sendable, CaseIterable {
    /// 0, r, 2r, … reversed, r = T div N, plus `stepsOffset`.
    case leading
    /// T, T − r, … − 1 with r = T / N, rounded.
    case trailing
    /// N points evenly spaced over [0, T − 1], rounded.
    case linspace
}

/// The forward (noising) process q(x_t | x₀) = N(√ᾱ_t·x₀, (1 − ᾱ_t)·I): the β_t, α_t = 1 − β_t
/// and ᾱ_t = Π α_s of `trainTimesteps` steps, in float64 (diffusers keeps float32; the two agree
/// to ~4e-7 relative).
public struct NoiseSchedule: Sendable, Equatable {
    /// β_t, t = 0 … T−1.
    public let betas: [Double]
    /// α_t = 1 − β_t.
    public let alphas: [Double]
    /// ᾱ_t = Π_{s ≤ t} α_s.
    public let alphasCumprod: [Double]

    /// Number of training timesteps T.
    public var trainTimesteps: Int { betas.count }

    /// Builds a schedule (defaults: DDPM's linear 1e-4 … 0.02 over 1000 steps).
    /// - Throws: ``GenerativeError/invalidConfiguration(_:)`` for T outside 1…100000 or β outside (0, 1).
    public init(trainTimesteps: Int = 1000, betaStart: Double = 1e-4, betaEnd: Double = 0.02, schedule: BetaSchedule = .linear) throws {
        guard (1...100_000).contains(trainTimesteps) else {
            throw GenerativeError.invalidConfiguration("diffusion timesteps must be 1 to 100000, got \(trainTimesteps)")
        }
        guard betaStart > 0, betaEnd < 1, betaStart <= betaEnd else {
            throw GenerativeError.invalidConfiguration("betas must satisfy 0 < start ≤ end < 1, got \(betaStart), \(betaEnd)")
        }
        let n = trainTimesteps
        func linspace(_ a: Double, _ b: Double) -> [Double] {
            n == 1 ? [a] : (0..<n).map { a + (b - a) * Double($0) / Double(n - 1) }
        }
        switch schedule {
        case .linear: betas = linspace(betaStart, betaEnd)
        case .scaledLinear: betas = linspace(betaStart.squareRoot(), betaEnd.squareRoot()).map { $0 * $0 }
        case .sigmoid: betas = linspace(-6, 6).map { 1 / (1 + Foundation.exp(-$0)) * (betaEnd - betaStart) + betaStart }
        case .cosine:
            func alphaBar(_ t: Double) -> Double {
                let c = Foundation.cos((t + 0.008) / 1.008 * Double.pi / 2)
                return c * c
            }
            betas = (0..<n).map { i in Swift.min(1 - alphaBar(Double(i + 1) / Double(n)) / alphaBar(Double(i) / Double(n)), 0.999) }
        }
        alphas = betas.map { 1 - $0 }
        var product = 1.0
        alphasCumprod = alphas.map { product *= $0; return product }
    }

    /// x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε for a batch (`timesteps` one per row of `x0`).
    public func addNoise(_ x0: Tensor, noise: Tensor, timesteps: [Int]) -> Tensor {
        let (a, b) = perRow(timesteps, like: x0, "addNoise")
        ensure(noise.shape == x0.shape, "NoiseSchedule.addNoise: noise \(noise.shape) must match the sample \(x0.shape)")
        return a * x0 + b * noise
    }

    /// The v-prediction target v = √ᾱ_t·ε − √(1 − ᾱ_t)·x₀ (diffusers' `get_velocity`).
    public func velocity(_ x0: Tensor, noise: Tensor, timesteps: [Int]) -> Tensor {
        let (a, b) = perRow(timesteps, like: x0, "velocity")
        return a * noise - b * x0
    }

    /// √ᾱ_t and √(1 − ᾱ_t) as `[B, 1, …]` tensors broadcasting over the rows of `x`.
    private func perRow(_ timesteps: [Int], like x: Tensor, _ caller: String) -> (Tensor, Tensor) {
        ensure(x.rank >= 1 && timesteps.count == x.shape[0], "NoiseSchedule.\(caller): \(timesteps.count) timesteps for \(x.shape)")
        ensure(timesteps.allSatisfy { $0 >= 0 && $0 < trainTimesteps }, "NoiseSchedule.\(caller): timesteps must be in 0..<\(trainTimesteps)")
        let shape = [timesteps.count] + [Int](repeating: 1, count: x.rank - 1)
        let a = Tensor(timesteps.map { alphasCumprod[$0].squareRoot() }, shape: shape).to(x.dtype)
        let b = Tensor(timesteps.map { (1 - alphasCumprod[$0]).squareRoot() }, shape: shape).to(x.dtype)
        return (a, b)
    }

    /// Inference timesteps, descending (diffusers' `set_timesteps` spacing rules).
    func inferenceTimesteps(_ steps: Int, spacing: TimestepSpacing, offset: Int) throws -> [Int] {
        let t = trainTimesteps
        guard (1...t).contains(steps) else {
            throw GenerativeError.invalidOption("inference steps must be 1 to \(t) (the training timesteps), got \(steps)")
        }
        switch spacing {
        case .leading:
            let ratio = t / steps
            return (0..<steps).reversed().map { $0 * ratio + offset }
        case .trailing:
            // numpy's arange(T, 0, −r): ⌈T / r⌉ values T − i·r.
            let ratio = Double(t) / Double(steps)
            let count = Int((Double(t) / ratio).rounded(.up))
            return (0..<count).map { i in Int((Double(t) - Double(i) * ratio).rounded(.toNearestOrEven)) - 1 }
        case .linspace:
            return (0..<steps).reversed().map { i in
                Int((steps == 1 ? 0 : Double(t - 1) * Double(i) / Double(steps - 1)).rounded(.toNearestOrEven))
            }
        }
    }
}

/// The x₀ estimate and its use, shared by both samplers.
func predictedOriginal(_ output: Tensor, sample: Tensor, alphaProduct: Double, prediction: DiffusionPrediction) -> Tensor {
    let beta = 1 - alphaProduct
    switch prediction {
    case .epsilon: return (sample - output * beta.squareRoot()) / alphaProduct.squareRoot()
    case .sample: return output
    case .velocity: return sample * alphaProduct.squareRoot() - output * beta.squareRoot()
    }
}

/// The variance of DDPM's reverse step (diffusers' `variance_type`).
public enum DDPMVariance: String, Codable, Sendable, CaseIterable {
    /// β̃_t = (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · β_t, the posterior variance (DDPM's σ² choice for ε models).
    case fixedSmall = "fixed_small"
    /// β_t (DDPM's other choice).
    case fixedLarge = "fixed_large"
}

/// Ancestral sampling of DDPM (Ho et al. 2020), step for step as diffusers' `DDPMScheduler`:
/// from the model's output at x_t, the posterior mean of x_{t−1} given the (clipped) x₀ estimate,
/// plus σ_t·z.
///
/// ```swift
/// var scheduler = try DDPMScheduler()                    // 1000 linear steps, ε-prediction
/// var x = Tensor.randn([16, 1, 28, 28], generator: g)
/// for t in scheduler.timesteps { x = scheduler.step(model(x, t), timestep: t, sample: x, generator: g).previous }
/// ```
public struct DDPMScheduler: Sendable {
    /// The forward process.
    public let schedule: NoiseSchedule
    /// What the model predicts.
    public var prediction: DiffusionPrediction
    /// The reverse step's variance.
    public var variance: DDPMVariance
    /// Clip the x₀ estimate to ±`clipRange` (diffusers' `clip_sample`, default on).
    public var clipSample: Bool
    /// The clipping bound (default 1: data scaled to [−1, 1]).
    public var clipRange: Double
    /// The timesteps run by sampling, descending (all T unless ``setTimesteps(_:spacing:offset:)`` chose fewer).
    public private(set) var timesteps: [Int]
    private var customSpacing = false

    /// Creates the scheduler over `schedule` (diffusers' defaults).
    public init(schedule: NoiseSchedule? = nil, prediction: DiffusionPrediction = .epsilon, variance: DDPMVariance = .fixedSmall,
                clipSample: Bool = true, clipRange: Double = 1) throws {
        self.schedule = try schedule ?? NoiseSchedule()
        self.prediction = prediction
        self.variance = variance
        self.clipSample = clipSample
        self.clipRange = clipRange
        timesteps = Array((0..<self.schedule.trainTimesteps).reversed())
    }

    /// Samples with `steps` of the T timesteps (spaced as diffusers does; the step then jumps to
    /// the next chosen timestep).
    public mutating func setTimesteps(_ steps: Int, spacing: TimestepSpacing = .leading, offset: Int = 0) throws {
        timesteps = try schedule.inferenceTimesteps(steps, spacing: spacing, offset: offset)
        customSpacing = true
    }

    /// The timestep after `t` in the sampling order (−1 after the last).
    public func previousTimestep(_ t: Int) -> Int {
        guard customSpacing else { return t - 1 }
        guard let i = timesteps.firstIndex(of: t), i + 1 < timesteps.count else { return -1 }
        return timesteps[i + 1]
    }

    /// σ²_t of the step from `t`.
    public func stepVariance(_ t: Int) -> Double {
        let prev = previousTimestep(t)
        let a = schedule.alphasCumprod[t], aPrev = prev >= 0 ? schedule.alphasCumprod[prev] : 1
        let beta = 1 - a / aPrev
        switch variance {
        case .fixedSmall: return Swift.max((1 - aPrev) / (1 - a) * beta, 1e-20)
        case .fixedLarge: return beta
        }
    }

    /// One reverse step from x_t: `(previous: x_{t−1}, original: the x₀ estimate)`. The noise z is
    /// `noise` when given, else drawn from `generator`; none is added at t = 0.
    public func step(_ modelOutput: Tensor, timestep t: Int, sample: Tensor, noise: Tensor? = nil,
                     generator: RandomGenerator? = nil) -> (previous: Tensor, original: Tensor) {
        ensure(t >= 0 && t < schedule.trainTimesteps, "DDPMScheduler.step: timestep \(t) outside 0..<\(schedule.trainTimesteps)")
        ensure(modelOutput.shape == sample.shape, "DDPMScheduler.step: model output \(modelOutput.shape) must match the sample \(sample.shape)")
        let prev = previousTimestep(t)
        let a = schedule.alphasCumprod[t], aPrev = prev >= 0 ? schedule.alphasCumprod[prev] : 1
        let beta = 1 - a, betaPrev = 1 - aPrev
        let currentAlpha = a / aPrev, currentBeta = 1 - currentAlpha
        var x0 = predictedOriginal(modelOutput, sample: sample, alphaProduct: a, prediction: prediction)
        if clipSample { x0 = x0.clamp(min: -clipRange, max: clipRange) }
        var previous = x0 * (aPrev.squareRoot() * currentBeta / beta) + sample * (currentAlpha.squareRoot() * betaPrev / beta)
        if t > 0 {
            let z = noise ?? Tensor.randn(sample.shape, dtype: sample.dtype, generator: generator)
            ensure(z.shape == sample.shape, "DDPMScheduler.step: noise \(z.shape) must match the sample \(sample.shape)")
            previous = previous + z * stepVariance(t).squareRoot()
        }
        return (previous, x0)
    }
}

/// DDIM sampling (Song et al. 2021) as diffusers' `DDIMScheduler`: deterministic for η = 0, with
/// far fewer steps than training used; η = 1 recovers DDPM's variance.
public struct DDIMScheduler: Sendable {
    /// The forward process.
    public let schedule: NoiseSchedule
    /// What the model predicts.
    public var prediction: DiffusionPrediction
    /// Clip the x₀ estimate to ±`clipRange`.
    public var clipSample: Bool
    /// The clipping bound.
    public var clipRange: Double
    /// ᾱ used after the last step: 1 (`set_alpha_to_one`, the default) or ᾱ₀.
    public let finalAlphaCumprod: Double
    /// The sampling timesteps, descending.
    public private(set) var timesteps: [Int]

    /// Creates the scheduler with `steps` sampling steps (diffusers' defaults otherwise).
    public init(schedule: NoiseSchedule? = nil, steps: Int = 50, spacing: TimestepSpacing = .leading, offset: Int = 0,
                prediction: DiffusionPrediction = .epsilon, clipSample: Bool = true, clipRange: Double = 1,
                setAlphaToOne: Bool = true) throws {
        let s = try schedule ?? NoiseSchedule()
        self.schedule = s
        self.prediction = prediction
        self.clipSample = clipSample
        self.clipRange = clipRange
        finalAlphaCumprod = setAlphaToOne ? 1 : s.alphasCumprod[0]
        timesteps = try s.inferenceTimesteps(steps, spacing: spacing, offset: offset)
    }

    /// Number of sampling steps.
    public var steps: Int { timesteps.count }

    /// σ²_t of the step from `t` to `previous` (DDIM's eq. 16 without η).
    public func stepVariance(_ t: Int, previous: Int) -> Double {
        let a = schedule.alphasCumprod[t], aPrev = previous >= 0 ? schedule.alphasCumprod[previous] : finalAlphaCumprod
        return (1 - aPrev) / (1 - a) * (1 - a / aPrev)
    }

    /// One step from x_t to the next chosen timestep (t − T div N, as diffusers computes it).
    /// `eta` scales the added noise (0: deterministic); `noise` (or `generator`) supplies it.
    public func step(_ modelOutput: Tensor, timestep t: Int, sample: Tensor, eta: Double = 0, useClippedModelOutput: Bool = false,
                     noise: Tensor? = nil, generator: RandomGenerator? = nil) -> (previous: Tensor, original: Tensor) {
        ensure(t >= 0 && t < schedule.trainTimesteps, "DDIMScheduler.step: timestep \(t) outside 0..<\(schedule.trainTimesteps)")
        ensure(modelOutput.shape == sample.shape, "DDIMScheduler.step: model output \(modelOutput.shape) must match the sample \(sample.shape)")
        let prev = t - schedule.trainTimesteps / steps
        let a = schedule.alphasCumprod[t], aPrev = prev >= 0 ? schedule.alphasCumprod[prev] : finalAlphaCumprod
        let beta = 1 - a
        var x0 = predictedOriginal(modelOutput, sample: sample, alphaProduct: a, prediction: prediction)
        var epsilon: Tensor
        switch prediction {
        case .epsilon: epsilon = modelOutput
        case .sample: epsilon = (sample - x0 * a.squareRoot()) / beta.squareRoot()
        case .velocity: epsilon = modelOutput * a.squareRoot() + sample * beta.squareRoot()
        }
        if clipSample { x0 = x0.clamp(min: -clipRange, max: clipRange) }
        let sigma = eta * stepVariance(t, previous: prev).squareRoot()
        if useClippedModelOutput { epsilon = (sample - x0 * a.squareRoot()) / beta.squareRoot() }
        var previous = x0 * aPrev.squareRoot() + epsilon * Swift.max(1 - aPrev - sigma * sigma, 0).squareRoot()
        if eta > 0 {
            let z = noise ?? Tensor.randn(sample.shape, dtype: sample.dtype, generator: generator)
            previous = previous + z * sigma
        }
        return (previous, x0)
    }
}

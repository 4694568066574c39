import ArgumentParser
import Foundation
import SwiftLearn

/// `swiftlearn bench generative`: training steps per second of the generative recipes' models on
/// random data with fixed seeds. `benchmarks/compare_generative.py` builds the same models in
/// PyTorch and runs both in the same run, alternating rounds.
///
/// Workloads (one JSON line each with `name`, `steps_per_second`, `batch`, `threads`):
/// - `vae`: VAE 784-400-20, Bernoulli decoder, batch 128: ELBO, backward, Adam step.
/// - `dcgan`: DCGAN (latent 64, width 64, 28×28), batch 64: a discriminator step on real and
///   detached fake images, then a generator step (BCE with logits, Adam β₁ = 0.5).
/// - `unet`: the `ddpm-mnist` U-Net (base 16, levels 16/32/32, 10 classes), batch 64: noise
///   prediction MSE at random timesteps, backward, gradient clipping at 1, Adam step.
struct GenerativeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generative",
        abstract: "Training steps per second of the VAE, DCGAN and diffusion U-Net of the generative recipes."
    )

    @Option(help: "Timed runs per workload (the median is reported).") var runs = 5
    @Option(help: "Training steps per timed run.") var steps = 10
    @Option(help: "Only run workloads whose name contains this text.") var filter: String?
    @Flag(help: "One JSON object per line.") var json = false

    func validate() throws {
        try checkRange(runs, option: "--runs", 1...maximumRuns)
        try checkRange(steps, option: "--steps", 1...100_000)
    }

    func run() throws {
        let g = RandomGenerator(seed: 0)
        func report(_ name: String, _ stepsPerSecond: Double, batch: Int) {
            let all: [(String, JSONValue)] = [("name", .string(name)), ("steps_per_second", .double(stepsPerSecond)),
                                              ("batch", .int(batch)), ("threads", .int(CPU.count))]
            if json { print(JSONLine(all).text) } else { print(all.map { "\($0.0) \($0.1)" }.joined(separator: "  ")) }
            fflush(stdout)
        }
        func wanted(_ name: String) -> Bool { filter.map { name.contains($0) } ?? true }
        func timed(_ step: () -> Void) -> Double {
            step()                                                  // warm-up (allocations, optimizer state)
            return Double(steps) / medianSeconds(runs: runs) { for _ in 0..<steps { step() } }
        }

        if wanted("vae") {
            let vae = try VAE(VAEConfiguration(), generator: g)
            let opt = Adam(vae.parameters(), learningRate: 1e-3)
            let x = Tensor.rand([128, 784], generator: g)
            report("vae", timed {
                opt.zeroGrad()
                vae.elbo(x, generator: g).loss.backward()
                opt.step()
            }, batch: 128)
        }
        if wanted("dcgan") {
            let config = GANConfiguration(architecture: .dcgan, latent: 64, imageSide: 28, width: 64)
            let gen = try GANGenerator(config, generator: g), disc = try GANDiscriminator(config, generator: g)
            let optG = Adam(gen.parameters(), learningRate: 2e-4, betas: (0.5, 0.999)), optD = Adam(disc.parameters(), learningRate: 2e-4, betas: (0.5, 0.999))
            let real = Tensor.rand([64, 1, 28, 28], generator: g) * 2 - 1
            let z = Tensor.randn([64, 64], generator: g)
            report("dcgan", timed {
                let fake = gen.generate(z)
                optD.zeroGrad()
                GANLoss.discriminator(real: disc.score(real), fake: disc.score(fake.detached())).backward()
                optD.step()
                optG.zeroGrad()
                GANLoss.generator(fake: disc.score(fake)).backward()
                optG.step()
            }, batch: 64)
        }
        if wanted("unet") {
            let unet = try DiffusionUNet(UNetConfiguration(base: 16, multipliers: [1, 2, 2], embedding: 64, classes: 10), generator: g)
            let schedule = try NoiseSchedule()
            let opt = Adam(unet.parameters(), learningRate: 1e-3)
            let x0 = Tensor.rand([64, 1, 28, 28], generator: g) * 2 - 1
            let noise = Tensor.randn([64, 1, 28, 28], generator: g)
            let t = Tensor.randint(0, 1000, [64], generator: g).toArray(as: Int64.self).map { Int($0) }
            let labels = Tensor.randint(0, 11, [64], generator: g)
            report("unet", timed {
                opt.zeroGrad()
                mseLoss(unet.predict(schedule.addNoise(x0, noise: noise, timesteps: t), timesteps: t, labels: labels), noise).backward()
                _ = clipGradNorm(unet.parameters(), maxNorm: 1)
                opt.step()
            }, batch: 64)
        }
    }
}

import Datasets
import Foundation
import Generative
import Neural
import Plot
import Tensors

extension DemoRegistry {
    /// Demos for generative models and the self-supervised and few-shot paradigms, on the
    /// `Generative` module: autoencoders, VAEs, GANs, diffusion, flows, SimCLR and MAML.
    public static let generative: [Demo] = [
        Demo("autoencoders", "A denoising autoencoder squeezes MNIST through two numbers",
             shows: "A dense autoencoder 784-512-128-2 trained for 3 epochs on 10,000 noisy digits (noise 0.3) reconstructs clean test digits; its 2-D codes, plotted by digit, group the classes (5-NN accuracy on the codes of test digits).") { ctx in
            let train = try MNIST.load(.train), test = try MNIST.load(.test)
            let g = RandomGenerator(seed: ctx.seed)
            let ae = Autoencoder(kind: .dense, latent: 2, generator: g)
            let opt = Adam(ae.parameters(), learningRate: 2e-3)
            let x = train.images.reshaped([-1, 784]).slice(axis: 0, 0, 10_000), testX = test.images.reshaped([-1, 784]).slice(axis: 0, 0, 4000)
            func testBCE() -> Double { GradMode.withoutGrad { ae.loss(testX.slice(axis: 0, 0, 2000)).item() } }
            let before = testBCE()
            for epoch in 0..<3 {
                let order = Tensor.permutation(10_000, generator: RandomGenerator(seed: ctx.seed &+ UInt64(epoch) &+ 1))
                for start in stride(from: 0, to: 10_000, by: 128) {
                    opt.zeroGrad()
                    ae.loss(x.indexSelect(axis: 0, indices: order.slice(axis: 0, start, Swift.min(start + 128, 10_000))), noise: 0.3, generator: g).backward()
                    opt.step()
                }
            }
            let after = testBCE()
            let codes = GradMode.withoutGrad { ae.encode(testX) }.to(.float64)
            let knn = nearestNeighbourAccuracy(codes: codes, labels: test.labels, train: 2000)
            let v = codes.scalars
            let series = (0..<10).map { d -> ChartSeries in
                let rows = (0..<1000).filter { test.labels[$0] == d }
                return ChartSeries(name: "\(d)", x: rows.map { v[2 * $0] }, y: rows.map { v[2 * $0 + 1] })
            }
            return DemoOutcome(passed: after < 0.5 * before && knn > 0.4,
                               result: "test reconstruction BCE \(f(after, 1)) nats/image (untrained \(f(before, 1))); 5-NN accuracy of digits from their 2-D codes \(pct(knn)) (chance 10%)",
                               metrics: [("test_bce", after), ("latent_knn_accuracy", knn)],
                               figures: [DemoFigure("latent-space", ScatterChart(title: "2-D codes of 1,000 test digits", xLabel: "z₁", yLabel: "z₂", series: series),
                                                    caption: "Each colour is one digit: the bottleneck keeps what tells digits apart.")])
        },
        Demo("vae", "A variational autoencoder's ELBO, term by term",
             shows: "The VAE 784-400-20 of Kingma & Welling on 6,000 MNIST digits for 3 epochs: the test negative ELBO splits into reconstruction and KL; the importance-weighted bound (K = 20) is tighter than the ELBO.") { ctx in
            let r = try GenerativeRecipe.run(.vaeMNIST, options: GenerativeOptions(epochs: 3, batchSize: 64, seed: ctx.seed, trainingLimit: 6000,
                                                                                   importanceSamples: 20, qualitySamples: 0))
            let v = Dictionary(uniqueKeysWithValues: r.final.map { ($0.name, $0.value) })
            let elbo = v["test_neg_elbo"] ?? .nan, iw = v["test_nll_iw"] ?? .nan
            let epochs = r.history.map { Double($0.epoch) }
            func series(_ name: String) -> ChartSeries { ChartSeries(name: name, x: epochs, y: r.history.map { e in e.figures.first { $0.name == name }?.value ?? .nan }) }
            return DemoOutcome(passed: elbo < 200 && iw < elbo,
                               result: "test −ELBO \(f(elbo, 1)) nats = reconstruction \(f(v["test_reconstruction"] ?? .nan, 1)) + KL \(f(v["test_kl"] ?? .nan, 1)); importance-weighted −log p(x) ≤ \(f(iw, 1)) (K = 20, first 1,000 test digits)",
                               metrics: [("test_neg_elbo", elbo), ("test_nll_iw", iw)],
                               figures: [DemoFigure("elbo-terms", LineChart(title: "VAE: the test ELBO's terms per epoch", xLabel: "epoch", yLabel: "nats / image",
                                                                             series: [series("test_reconstruction"), series("test_kl")], showMarkers: true),
                                                    caption: "Reconstruction falls while the KL term (the price of a usable latent space) rises a little.")])
        },
        Demo("gan", "A GAN learns two moons",
             shows: "A generator (noise 8 → 64 → 64 → 2) and a discriminator trained against each other for 1,500 steps with the non-saturating loss: the generated points move from a blob onto the two half circles (distance to the nearest real point, and how much of the data they cover).") { ctx in
            let g = RandomGenerator(seed: ctx.seed)
            let real = twoMoons(2000, noise: 0.05, generator: RandomGenerator(seed: 11))
            let gen = Sequential(Linear(8, 64, generator: g), LeakyReLU(negativeSlope: 0.2), Linear(64, 64, generator: g), LeakyReLU(negativeSlope: 0.2), Linear(64, 2, generator: g))
            let disc = Sequential(Linear(2, 64, generator: g), LeakyReLU(negativeSlope: 0.2), Linear(64, 64, generator: g), LeakyReLU(negativeSlope: 0.2), Linear(64, 1, generator: g))
            let optG = Adam(gen.parameters(), learningRate: 1e-3, betas: (0.5, 0.999)), optD = Adam(disc.parameters(), learningRate: 1e-3, betas: (0.5, 0.999))
            let initial = GradMode.withoutGrad { gen(Tensor.randn([500, 8], generator: RandomGenerator(seed: 5))) }
            let before = nearestDistance(initial, real)
            var dLosses: [Double] = [], gLosses: [Double] = []
            for _ in 0..<1500 {
                let batch = real.indexSelect(axis: 0, indices: Tensor.randint(0, 2000, [128], generator: g))
                let fake = gen(Tensor.randn([128, 8], generator: g))
                optD.zeroGrad()
                let ld = GANLoss.discriminator(real: disc(batch).reshaped([128]), fake: disc(fake.detached()).reshaped([128]))
                ld.backward(); optD.step()
                optG.zeroGrad()
                let lg = GANLoss.generator(fake: disc(fake).reshaped([128]))
                lg.backward(); optG.step()
                dLosses.append(ld.item()); gLosses.append(lg.item())
            }
            let samples = GradMode.withoutGrad { gen(Tensor.randn([500, 8], generator: RandomGenerator(seed: 5))) }
            let after = nearestDistance(samples, real)
            // Coverage: the share of real points with a generated point within 0.15 (a collapsed
            // generator can sit close to the data and still miss most of it).
            let realSubset = real.slice(axis: 0, 0, 1000)
            let coverBefore = coverage(realSubset, by: initial), coverAfter = coverage(realSubset, by: samples)
            return DemoOutcome(passed: after < 0.1 && coverAfter > 0.8 && coverAfter > coverBefore + 0.3,
                               result: "500 generated points: mean distance to the nearest real point \(f(before)) → \(f(after)); real points covered within 0.15: \(pct(coverBefore)) → \(pct(coverAfter))",
                               metrics: [("distance_after", after), ("coverage_after", coverAfter)],
                               figures: [DemoFigure("samples", ScatterChart(title: "Real (2,000) and generated (500) points", xLabel: "x", yLabel: "y",
                                                                             series: [points("real", real.slice(axis: 0, 0, 1000)), points("generated", samples)]),
                                                    caption: "The generator covers both moons; a collapse would put every point on one."),
                                         DemoFigure("losses", LineChart(title: "GAN losses per step", xLabel: "step", yLabel: "loss",
                                                                        series: [ChartSeries(name: "discriminator", y: smooth(dLosses)), ChartSeries(name: "generator", y: smooth(gLosses))]),
                                                    caption: "Neither loss goes to zero: the two players stay in balance (moving averages of 50 steps).")])
        },
        Demo("diffusion-models", "Diffusion: noise two moons away, then learn to undo it",
             shows: "A 2-D DDPM: 100 steps of a cosine noise schedule destroy the moons; an MLP trained to predict the added noise (3,000 steps) turns fresh Gaussian noise back into moons by DDPM's 100 ancestral steps and by DDIM in 20 deterministic ones.") { ctx in
            let g = RandomGenerator(seed: ctx.seed)
            let data = twoMoons(4000, noise: 0.05, generator: RandomGenerator(seed: 12))
            let mean = data.mean(axis: 0, keepDims: true)
            let x0All = data - mean                                   // centred: the noise is centred too
            let schedule = try NoiseSchedule(trainTimesteps: 100, schedule: .cosine)
            let net = Sequential(Linear(2 + 16, 128, generator: g), SiLU(), Linear(128, 128, generator: g), SiLU(), Linear(128, 2, generator: g))
            func predict(_ x: Tensor, _ t: [Int]) -> Tensor { net(Tensor.concat([x, timestepEmbedding(t, dim: 16)], axis: 1)) }
            let opt = Adam(net.parameters(), learningRate: 2e-3)
            var losses: [Double] = []
            for _ in 0..<3000 {
                let x0 = x0All.indexSelect(axis: 0, indices: Tensor.randint(0, 4000, [256], generator: g))
                let t = Tensor.randint(0, 100, [256], generator: g).toArray(as: Int64.self).map { Int($0) }
                let eps = Tensor.randn([256, 2], generator: g)
                opt.zeroGrad()
                let loss = mseLoss(predict(schedule.addNoise(x0, noise: eps, timesteps: t), t), eps)
                loss.backward(); opt.step()
                losses.append(loss.item())
            }
            let start = Tensor.randn([500, 2], generator: RandomGenerator(seed: 6))
            let ddpm = try DDPMScheduler(schedule: schedule, clipSample: false)
            var x = start
            GradMode.withoutGrad { for t in ddpm.timesteps { x = ddpm.step(predict(x, [Int](repeating: t, count: 500)), timestep: t, sample: x, generator: g).previous } }
            let ddim = try DDIMScheduler(schedule: schedule, steps: 20, clipSample: false)
            var y = start
            GradMode.withoutGrad { for t in ddim.timesteps { y = ddim.step(predict(y, [Int](repeating: t, count: 500)), timestep: t, sample: y).previous } }
            let ddpmPoints = x + mean, ddimPoints = y + mean
            let noise = nearestDistance(start + mean, data), dA = nearestDistance(ddpmPoints, data), dB = nearestDistance(ddimPoints, data)
            let alphaBars = try [BetaSchedule.linear, .cosine].map { s in
                // Linear: DDPM's 1e-4 … 0.02 over 1000 steps rescaled to 100 steps.
                ChartSeries(name: s.rawValue, y: try NoiseSchedule(trainTimesteps: 100, betaStart: 1e-3, betaEnd: 0.2, schedule: s).alphasCumprod)
            }
            return DemoOutcome(passed: dA < 0.4 * noise && dB < 0.4 * noise,
                               result: "mean distance to the nearest data point: Gaussian noise \(f(noise)), DDPM samples (100 steps) \(f(dA)), DDIM samples (20 steps) \(f(dB))",
                               metrics: [("noise_distance", noise), ("ddpm_distance", dA), ("ddim_distance", dB)],
                               figures: [DemoFigure("samples", ScatterChart(title: "Data and diffusion samples", xLabel: "x", yLabel: "y",
                                                                             series: [points("data", data.slice(axis: 0, 0, 1000)), points("DDPM, 100 steps", ddpmPoints), points("DDIM, 20 steps", ddimPoints)]),
                                                    caption: "Both samplers land on the moons; DDIM needs a fifth of the network calls."),
                                         DemoFigure("schedules", LineChart(title: "ᾱ_t, the share of signal left after t steps", xLabel: "t", yLabel: "ᾱ_t", series: alphaBars),
                                                    caption: "The cosine schedule destroys information more evenly than the linear one."),
                                         DemoFigure("loss", LineChart(title: "Noise-prediction loss", xLabel: "step", yLabel: "MSE", series: [ChartSeries(name: "loss", y: smooth(losses))]),
                                                    caption: "Moving average of 50 steps.")])
        },
        Demo("normalizing-flows", "RealNVP: exact likelihoods from invertible couplings",
             shows: "Eight affine coupling layers fitted by maximum likelihood to 2,000 two-moons points for 20 epochs: the test log-likelihood is exact, and beats the best single Gaussian's.") { ctx in
            let r = try GenerativeRecipe.run(.realnvpMoons, options: GenerativeOptions(epochs: 20, seed: ctx.seed))
            let v = Dictionary(uniqueKeysWithValues: r.final.map { ($0.name, $0.value) })
            let flow = v["test_nll"] ?? .nan, gauss = v["gaussian_test_nll"] ?? .nan
            let epochs = r.history.map { Double($0.epoch) }
            return DemoOutcome(passed: flow < gauss - 0.3,
                               result: "test negative log-likelihood: RealNVP \(f(flow)) nats/point, best Gaussian \(f(gauss)) nats/point",
                               metrics: [("test_nll", flow), ("gaussian_test_nll", gauss)],
                               figures: [DemoFigure("nll", LineChart(title: "RealNVP on two moons", xLabel: "epoch", yLabel: "nats / point",
                                                                     series: [ChartSeries(name: "train", x: epochs, y: r.history.map { $0.figures[0].value }),
                                                                              ChartSeries(name: "test", x: epochs, y: r.history.map { $0.figures[1].value }),
                                                                              ChartSeries(name: "Gaussian (test)", x: [epochs.first ?? 1, epochs.last ?? 1], y: [gauss, gauss])]),
                                                    caption: "The flow's density bends around the moons; a Gaussian cannot.")])
        },
        Demo("contrastive-learning", "SimCLR without labels, then a linear probe",
             shows: "The digit encoder trained for 5 epochs with NT-Xent on two augmented views of each 8×8 digit (shifts, contrast, noise) — no labels — then logistic regression on its frozen features, beside the same probe on a random encoder and on raw pixels.") { ctx in
            let r = try GenerativeRecipe.run(.simclrDigits, options: GenerativeOptions(epochs: 5, seed: ctx.seed))
            let v = Dictionary(uniqueKeysWithValues: r.final.map { ($0.name, $0.value) })
            let probe = v["linear_probe_accuracy"] ?? .nan
            let losses = r.history.map { $0.figures[0].value }
            return DemoOutcome(passed: probe >= 0.95 && (losses.last ?? .nan) < (losses.first ?? .nan),
                               result: "linear-probe test accuracy: SimCLR encoder \(pct(probe)), random encoder \(pct(v["random_encoder_probe_accuracy"] ?? .nan)), raw pixels \(pct(v["pixel_probe_accuracy"] ?? .nan)); NT-Xent \(f(losses.first ?? .nan)) → \(f(losses.last ?? .nan))",
                               metrics: [("linear_probe_accuracy", probe)],
                               figures: [DemoFigure("nt-xent", LineChart(title: "NT-Xent per epoch", xLabel: "epoch", yLabel: "loss", series: [ChartSeries(name: "NT-Xent", y: losses)], showMarkers: true),
                                                    caption: "Views of one digit are pulled together, others pushed apart.")])
        },
        Demo("few-shot-learning", "MAML learns to fit a new sinusoid from 10 points",
             shows: "First-order MAML on Finn et al.'s sinusoid tasks (500 meta-iterations) against a network pre-trained on the same tasks; both fine-tuned on 10 points of 600 new tasks and tested on 100.") { ctx in
            let r = try GenerativeRecipe.run(.mamlSinusoid, options: GenerativeOptions(epochs: 5, seed: ctx.seed))
            let v = Dictionary(uniqueKeysWithValues: r.final.map { ($0.name, $0.value) })
            let maml = v["maml_mse_10_steps"] ?? .nan, pre = v["pretrained_mse_10_steps"] ?? .nan
            return DemoOutcome(passed: maml < pre,
                               result: "test MSE after fine-tuning on 10 points: MAML \(f(v["maml_mse_1_step"] ?? .nan)) (1 step), \(f(maml)) (10 steps); pre-trained \(f(v["pretrained_mse_1_step"] ?? .nan)), \(f(pre))",
                               metrics: [("maml_mse_10_steps", maml), ("pretrained_mse_10_steps", pre)],
                               figures: [DemoFigure("meta-training", LineChart(title: "Query MSE during meta-training", xLabel: "epoch (100 meta-iterations)", yLabel: "MSE",
                                                                                series: [ChartSeries(name: "MAML, after 1 inner step", y: r.history.map { $0.figures[0].value }),
                                                                                         ChartSeries(name: "pre-training", y: r.history.map { $0.figures[1].value })], showMarkers: true),
                                                    caption: "Pre-training can only learn the average sinusoid (zero); MAML learns a start that adapts.")])
        },
    ]

    /// Mean distance from each row of `a` to its nearest row of `b` (both `[N, 2]`).
    static func nearestDistance(_ a: Tensor, _ b: Tensor) -> Double {
        let x = a.to(.float64), y = b.to(.float64)
        let d = (x.square().sum(axis: 1, keepDims: true) + y.square().sum(axis: 1).unsqueezed(0) - x.matmul(y.transposed()) * 2).clamp(min: 0)
        return d.min(axis: 1).sqrt().mean().item()
    }

    /// Share of the rows of `points` with a row of `by` within 0.15.
    static func coverage(_ points: Tensor, by other: Tensor) -> Double {
        let x = points.to(.float64), y = other.to(.float64)
        let d = (x.square().sum(axis: 1, keepDims: true) + y.square().sum(axis: 1).unsqueezed(0) - x.matmul(y.transposed()) * 2).clamp(min: 0)
        let nearest = d.min(axis: 1).sqrt().scalars
        return Double(nearest.filter { $0 <= 0.15 }.count) / Double(Swift.max(nearest.count, 1))
    }

    /// A scatter series from `[N, 2]` points.
    static func points(_ name: String, _ p: Tensor) -> ChartSeries {
        let v = p.to(.float64).scalars
        return ChartSeries(name: name, x: stride(from: 0, to: v.count, by: 2).map { v[$0] }, y: stride(from: 1, to: v.count, by: 2).map { v[$0] })
    }

    /// Moving averages over 50 values.
    static func smooth(_ v: [Double]) -> [Double] {
        guard v.count > 50 else { return v }
        return (0...(v.count - 50)).map { i in v[i..<(i + 50)].reduce(0, +) / 50 }
    }
}

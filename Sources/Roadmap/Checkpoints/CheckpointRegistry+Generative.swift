import Foundation
import Generative

extension CheckpointRegistry {
    /// Checkpoint projects of the generative-models phase and the self-supervised unit, each the
    /// default run of a `swiftlearn train` recipe (minutes on 2 cores; not in the quick set).
    public static let generative: [Checkpoint] = [
        Checkpoint("vae-elbo", "Train a VAE to PyTorch's example's ELBO",
                   topics: ["vae"], criterion: "the vae-mnist recipe's defaults (784-400-20, Bernoulli decoder, Adam 1e-3, batch 128, 10 epochs) reach a test negative ELBO ≤ 106 nats per image (PyTorch's examples/vae reaches about 106.7 at epoch 7)",
                   quick: false) { ctx in
            let r = try GenerativeRecipe.run(.vaeMNIST, options: GenerativeOptions(seed: ctx.seed, importanceSamples: 0, qualitySamples: 0))
            let v = Dictionary(uniqueKeysWithValues: r.final.map { ($0.name, $0.value) })
            let elbo = v["test_neg_elbo"] ?? .nan
            return DemoOutcome(passed: elbo <= 106,
                               result: "test −ELBO \(f(elbo, 2)) nats/image (reconstruction \(f(v["test_reconstruction"] ?? .nan, 2)), KL \(f(v["test_kl"] ?? .nan, 2))) after \(r.history.count) epochs, \(f(r.totalSeconds, 0)) s",
                               metrics: [("test_neg_elbo", elbo)])
        },
        Checkpoint("cgan-digits", "Generate the digit you ask for with a conditional GAN",
                   topics: ["gan", "project-gan-generator"], criterion: "the cgan-mnist recipe's defaults (20 epochs) give samples that a LeNet-5 trained on MNIST classifies as the requested digit at least 90% of the time (1,000 samples, 100 of each digit)",
                   quick: false) { ctx in
            let r = try GenerativeRecipe.run(.cganMNIST, options: GenerativeOptions(seed: ctx.seed))
            let v = Dictionary(uniqueKeysWithValues: r.final.map { ($0.name, $0.value) })
            let accuracy = v["label_accuracy"] ?? .nan
            return DemoOutcome(passed: accuracy >= 0.9,
                               result: "label accuracy of conditional samples \(pct(accuracy)) (judge's own test accuracy \(pct(v["judge_test_accuracy"] ?? .nan))); FID on its features \(f(v["fid"] ?? .nan, 1)); \(f(r.totalSeconds, 0)) s",
                               metrics: [("label_accuracy", accuracy), ("fid", v["fid"] ?? .nan)])
        },
        Checkpoint("flow-moons", "Fit two moons with a normalizing flow",
                   topics: ["normalizing-flows"], criterion: "the realnvp-moons recipe's defaults reach a test negative log-likelihood at least 0.8 nats per point below the best single Gaussian's",
                   quick: false) { ctx in
            let r = try GenerativeRecipe.run(.realnvpMoons, options: GenerativeOptions(seed: ctx.seed))
            let v = Dictionary(uniqueKeysWithValues: r.final.map { ($0.name, $0.value) })
            let flow = v["test_nll"] ?? .nan, gauss = v["gaussian_test_nll"] ?? .nan
            return DemoOutcome(passed: flow <= gauss - 0.8,
                               result: "test NLL: RealNVP \(f(flow)) nats/point, Gaussian \(f(gauss))", metrics: [("test_nll", flow)])
        },
        Checkpoint("simclr-probe", "Learn digit features without labels",
                   topics: ["contrastive-learning"], criterion: "the simclr-digits recipe's defaults (60 epochs of NT-Xent, no labels) give features on which a linear probe reaches at least 95% test accuracy on the 8×8 digits",
                   quick: false) { ctx in
            let r = try GenerativeRecipe.run(.simclrDigits, options: GenerativeOptions(seed: ctx.seed))
            let v = Dictionary(uniqueKeysWithValues: r.final.map { ($0.name, $0.value) })
            let probe = v["linear_probe_accuracy"] ?? .nan
            return DemoOutcome(passed: probe >= 0.95,
                               result: "linear probe \(pct(probe)) (random encoder \(pct(v["random_encoder_probe_accuracy"] ?? .nan)), pixels \(pct(v["pixel_probe_accuracy"] ?? .nan)))",
                               metrics: [("linear_probe_accuracy", probe)])
        },
        Checkpoint("maml-sinusoid", "Meta-learn a fast-adapting regressor",
                   topics: ["few-shot-learning"], criterion: "after the maml-sinusoid recipe's defaults, fine-tuning on 10 points of new sinusoid tasks gives a lower test MSE from MAML's weights than from pre-trained ones, after 1 step and after 10",
                   quick: false) { ctx in
            let r = try GenerativeRecipe.run(.mamlSinusoid, options: GenerativeOptions(seed: ctx.seed))
            let v = Dictionary(uniqueKeysWithValues: r.final.map { ($0.name, $0.value) })
            let m1 = v["maml_mse_1_step"] ?? .nan, m10 = v["maml_mse_10_steps"] ?? .nan
            let p1 = v["pretrained_mse_1_step"] ?? .nan, p10 = v["pretrained_mse_10_steps"] ?? .nan
            return DemoOutcome(passed: m1 < p1 && m10 < p10,
                               result: "test MSE, 1 / 10 steps: MAML \(f(m1)) / \(f(m10)), pre-trained \(f(p1)) / \(f(p10))",
                               metrics: [("maml_mse_10_steps", m10), ("pretrained_mse_10_steps", p10)])
        },
    ]
}

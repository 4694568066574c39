import Foundation
import Generative
import Neural
import Tensors
import Testing
import TestSupport

/// The PyTorch reference values written by scripts/fixtures/make_generative_fixtures.py.
enum GenerativeFixtures {
    static let tensors: [String: Tensor] = {
        let url = Bundle.module.url(forResource: "generative", withExtension: "safetensors", subdirectory: "Fixtures")!
        var d: [String: Tensor] = [:]
        for (k, t) in try! Tensor.load(safetensors: url).tensors { d[k] = t }
        return d
    }()

    static func get(_ key: String) -> Tensor {
        guard let t = tensors[key] else { fatalError("fixture key \(key) missing; rerun make_generative_fixtures.py") }
        return t
    }

    /// Entries under `prefix`, the prefix removed.
    static func group(_ prefix: String) -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (k, v) in tensors where k.hasPrefix(prefix) { d[String(k.dropFirst(prefix.count))] = v }
        return d
    }

    /// Largest |a − b| / (1 + |b|); NaN is +∞.
    static func error(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape || a.count == b.count, "shapes \(a.shape) vs \(b.shape)")
        return maxScaledError(a.to(.float64).scalars, b.to(.float64).scalars)
    }
}

@Suite("Generative models against PyTorch (float64)")
struct GenerativeFixtureTests {
    let tolerance = 1e-10

    private func checkVAE(_ name: String, _ config: VAEConfiguration) throws {
        let vae = try VAE(config).to(.float64)
        let state = GenerativeFixtures.group("\(name)|p|")
        try vae.loadStateDict(state)                 // strict: the key names match PyTorch's module
        let x = GenerativeFixtures.get("\(name)|x")
        let labels = config.classes > 0 ? GenerativeFixtures.get("\(name)|labels") : nil
        let beta = GenerativeFixtures.get("\(name)|beta").item()
        let terms = vae.elbo(x, labels: labels, beta: beta, noise: GenerativeFixtures.get("\(name)|eps"))
        #expect(GenerativeFixtures.error(terms.reconstruction, GenerativeFixtures.get("\(name)|recon")) <= tolerance)
        #expect(GenerativeFixtures.error(terms.kl, GenerativeFixtures.get("\(name)|kl")) <= tolerance)
        #expect(GenerativeFixtures.error(terms.loss, GenerativeFixtures.get("\(name)|loss")) <= tolerance)
        terms.loss.backward()
        let grads = GenerativeFixtures.group("\(name)|g|")
        #expect(grads.count == vae.namedParameters().count)
        for (key, p) in vae.namedParameters() {
            let expected = try #require(grads[key], "no reference gradient for \(key)")
            let got = try #require(p.grad, "no gradient for \(key)")
            #expect(GenerativeFixtures.error(got, expected) <= tolerance, "gradient of \(key)")
        }
        let noise = GenerativeFixtures.get("\(name)|iw_noise")
        let iw = vae.importanceWeightedLogLikelihood(x, labels: labels, samples: noise.shape[0], noise: noise)
        #expect(GenerativeFixtures.error(iw, GenerativeFixtures.get("\(name)|iw")) <= tolerance)
    }

    @Test func bernoulliVAEWithBetaMatchesTorch() throws {
        try checkVAE("vae_bern", VAEConfiguration(inputSize: 12, hidden: [8], latent: 3))
    }

    @Test func gaussianVAEMatchesTorch() throws {
        try checkVAE("vae_gauss", VAEConfiguration(inputSize: 12, hidden: [8, 6], latent: 3, likelihood: .gaussian))
    }

    @Test func conditionalVAEMatchesTorch() throws {
        try checkVAE("cvae", VAEConfiguration(inputSize: 12, hidden: [8], latent: 3, classes: 4))
    }

    @Test func ganLossesAndGradientsMatchTorch() throws {
        func f(_ k: String) -> Tensor { GenerativeFixtures.get("gan_losses|\(k)") }
        var real = f("real").requiringGrad(), fake = f("fake").requiringGrad()
        let dLoss = GANLoss.discriminator(real: real, fake: fake, realTarget: 0.9)
        #expect(GenerativeFixtures.error(dLoss, f("d_bce")) <= tolerance)
        dLoss.backward()
        #expect(GenerativeFixtures.error(try #require(real.grad), f("g_real_d_bce")) <= tolerance)
        #expect(GenerativeFixtures.error(try #require(fake.grad), f("g_fake_d_bce")) <= tolerance)

        fake = f("fake").requiringGrad()
        let gLoss = GANLoss.generator(fake: fake)
        #expect(GenerativeFixtures.error(gLoss, f("g_ns")) <= tolerance)
        gLoss.backward()
        #expect(GenerativeFixtures.error(try #require(fake.grad), f("g_fake_g_ns")) <= tolerance)
        #expect(GenerativeFixtures.error(GANLoss.generatorMinimax(fake: f("fake")), f("g_minimax")) <= tolerance)

        real = f("real").requiringGrad(); fake = f("fake").requiringGrad()
        let hinge = GANLoss.discriminatorHinge(real: real, fake: fake)
        #expect(GenerativeFixtures.error(hinge, f("d_hinge")) <= tolerance)
        hinge.backward()
        #expect(GenerativeFixtures.error(try #require(real.grad), f("g_real_d_hinge")) <= tolerance)
        #expect(GenerativeFixtures.error(try #require(fake.grad), f("g_fake_d_hinge")) <= tolerance)
        #expect(GenerativeFixtures.error(GANLoss.criticWasserstein(real: f("real"), fake: f("fake")), f("critic_w")) <= tolerance)
    }

    private func checkSpectralNorm(_ name: String, _ layer: Module) throws {
        func f(_ k: String) -> Tensor { GenerativeFixtures.get("\(name)|\(k)") }
        let sn = SpectralNorm(layer).to(.float64)
        try sn.loadStateDict(["layer.weight": f("weight"), "layer.bias": f("bias"), "u": f("u"), "v": f("v")])
        sn.train()
        let x = f("x").requiringGrad()
        let out = sn(x)
        #expect(GenerativeFixtures.error(out, f("out")) <= tolerance)
        #expect(GenerativeFixtures.error(sn.u.value, f("u_after")) <= tolerance)
        #expect(GenerativeFixtures.error(sn.v.value, f("v_after")) <= tolerance)
        (out * f("gout")).sum().backward()
        let params = Dictionary(uniqueKeysWithValues: sn.namedParameters())
        #expect(GenerativeFixtures.error(try #require(params["layer.weight"]?.grad), f("g_weight")) <= tolerance)
        #expect(GenerativeFixtures.error(try #require(params["layer.bias"]?.grad), f("g_bias")) <= tolerance)
        #expect(GenerativeFixtures.error(try #require(x.grad), f("g_x")) <= tolerance)
    }

    @Test func spectralNormOfLinearMatchesTorch() throws {
        try checkSpectralNorm("sn_linear", Linear(6, 4))
    }

    @Test func spectralNormOfConvolutionMatchesTorch() throws {
        try checkSpectralNorm("sn_conv", Conv2d(2, 3, kernelSize: 3, stride: 2, padding: 1))
    }

    @Test func realNVPDensityInverseAndGradientsMatchTorch() throws {
        func f(_ k: String) -> Tensor { GenerativeFixtures.get("realnvp|\(k)") }
        let flow = RealNVP(dimension: 4, couplings: 3, hidden: 5).to(.float64)
        try flow.loadStateDict(GenerativeFixtures.group("realnvp|p|"))
        let x = f("x")
        let (z, logDet) = flow.transform(x)
        #expect(GenerativeFixtures.error(z, f("z")) <= tolerance)
        #expect(GenerativeFixtures.error(logDet, f("logdet")) <= tolerance)
        let logp = flow.logProbability(x)
        #expect(GenerativeFixtures.error(logp, f("logp")) <= tolerance)
        #expect(GenerativeFixtures.error(flow.inverse(f("z")), f("inverse")) <= tolerance)
        #expect(GenerativeFixtures.error(flow.inverse(f("z")), x) <= 1e-12)          // the inverse is exact
        (-logp.mean()).backward()
        let grads = GenerativeFixtures.group("realnvp|g|")
        #expect(grads.count == flow.namedParameters().count)
        for (key, p) in flow.namedParameters() {
            #expect(GenerativeFixtures.error(try #require(p.grad, "\(key)"), try #require(grads[key], "\(key)")) <= tolerance, "gradient of \(key)")
        }
    }

    @Test func ntXentLossAndGradientsMatchTorch() throws {
        func f(_ k: String) -> Tensor { GenerativeFixtures.get("ntxent|\(k)") }
        let a = f("a").requiringGrad(), b = f("b").requiringGrad()
        let loss = ntXentLoss(a, b, temperature: 0.5)
        #expect(GenerativeFixtures.error(loss, f("loss")) <= tolerance)
        loss.backward()
        #expect(GenerativeFixtures.error(try #require(a.grad), f("g_a")) <= tolerance)
        #expect(GenerativeFixtures.error(try #require(b.grad), f("g_b")) <= tolerance)
    }

    @Test func sampleQualityMeasuresMatchScipyAndNumpy() throws {
        func f(_ k: String) -> Tensor { GenerativeFixtures.get("quality|\(k)") }
        let fid = try SampleQuality.frechetDistance(f("real"), f("fake"))
        #expect(abs(fid - f("fid").item()) <= 1e-8 * (1 + f("fid").item()), "FID \(fid) vs scipy \(f("fid").item())")
        #expect(try SampleQuality.frechetDistance(f("real"), f("real")) < 1e-8)
        let pr = SampleQuality.precisionRecall(real: f("real"), generated: f("fake"), k: 3)
        #expect(pr.precision == f("precision").item() && pr.recall == f("recall").item())
        #expect(abs(SampleQuality.inceptionScore(probabilities: f("probs")) - f("inception").item()) <= 1e-10)
    }
}

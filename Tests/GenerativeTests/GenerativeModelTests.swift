import Foundation
import Generative
import Neural
import Tensors
import Testing
import TestSupport

@Suite("Generative models: files, grids, PNG, training")
struct GenerativeModelTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("generative-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func savedVAESamplesTheSameImagesAfterLoading() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let vae = try VAE(VAEConfiguration(inputSize: 16, hidden: [8], latent: 2, classes: 3), generator: RandomGenerator(seed: 1))
        let url = dir.appendingPathComponent("vae.safetensors")
        try GenerativeModelFile.save(vae, to: url)
        let loaded = try GenerativeModelFile.load(url)
        guard case .vae(let back) = loaded else { Issue.record("expected a VAE"); return }
        #expect(back.configuration == vae.configuration)
        #expect(loaded.classes == 3 && loaded.imageSide == 4)
        let labels = Tensor([Int64(0), 1, 2])
        let a = vae.eval().sample(3, labels: labels, generator: RandomGenerator(seed: 5))
        let b = back.sample(3, labels: labels, generator: RandomGenerator(seed: 5))
        #expect(maxAbsoluteError(a.scalars, b.scalars) == 0)
    }

    @Test func savedGANGeneratorRoundTrips() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for architecture in GANArchitecture.allCases {
            let config = GANConfiguration(architecture: architecture, latent: 8, imageSide: 8, classes: 2, width: 8)
            let g = try GANGenerator(config, generator: RandomGenerator(seed: 2))
            let url = dir.appendingPathComponent("\(architecture).safetensors")
            try GenerativeModelFile.save(g, to: url)
            let loaded = try GenerativeModelFile.load(url)
            let labels = Tensor([Int64(0), 1, 1, 0])
            let a = g.sampleImages(4, labels: labels, generator: RandomGenerator(seed: 3))
            let b = try loaded.sampleImages(4, labels: labels, generator: RandomGenerator(seed: 3))
            #expect(a.shape == [4, 8, 8])
            #expect(maxAbsoluteError(a.scalars, b.scalars) == 0, "\(architecture)")
            #expect(a.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    @Test func badModelFilesThrowTypedErrors() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func expectUnreadable(_ url: URL, _ fragment: String) {
            do {
                _ = try GenerativeModelFile.load(url)
                Issue.record("loading \(url.lastPathComponent) should fail")
            } catch let GenerativeError.unreadableModel(_, reason) {
                #expect(reason.contains(fragment), "\(reason)")
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        expectUnreadable(dir.appendingPathComponent("missing.safetensors"), "No such file")
        let garbage = dir.appendingPathComponent("garbage.safetensors")
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 9]).write(to: garbage)
        expectUnreadable(garbage, "header")
        // A plain module file has no generative metadata.
        let plain = dir.appendingPathComponent("plain.safetensors")
        try Linear(2, 2).save(to: plain)
        expectUnreadable(plain, "not a generative model")
        // Metadata that promises another shape than the weights.
        let lying = dir.appendingPathComponent("lying.safetensors")
        let vae = try VAE(VAEConfiguration(inputSize: 4, hidden: [3], latent: 2))
        try Tensor.save(safetensors: vae.orderedStateDict().map { (name: $0.0, tensor: $0.1) },
                        metadata: ["swiftlearn.generative": "vae",
                                   "swiftlearn.configuration": #"{"inputSize":4,"hidden":[5],"latent":2,"classes":0,"likelihood":"bernoulli"}"#],
                        to: lying)
        expectUnreadable(lying, "shape mismatch")
        // A configuration out of range is refused before any allocation.
        let huge = dir.appendingPathComponent("huge.safetensors")
        try Tensor.save(safetensors: vae.orderedStateDict().map { (name: $0.0, tensor: $0.1) },
                        metadata: ["swiftlearn.generative": "vae",
                                   "swiftlearn.configuration": #"{"inputSize":4,"hidden":[3],"latent":999999999,"classes":0,"likelihood":"bernoulli"}"#],
                        to: huge)
        expectUnreadable(huge, "latent")
        let kind = dir.appendingPathComponent("kind.safetensors")
        try Tensor.save(safetensors: [(name: "w", tensor: Tensor([1.0]))], metadata: ["swiftlearn.generative": "sdxl"], to: kind)
        expectUnreadable(kind, "unknown model kind")
    }

    @Test func imageGridTilesRowByRowWithPadding() {
        // Three 2×2 images with values 1, 2, 3 in two columns, padding 1 of value −1.
        let images = Tensor((1...3).flatMap { v in [Float](repeating: Float(v), count: 4) }, shape: [3, 2, 2])
        let grid = imageGrid(images, columns: 2, padding: 1, padValue: -1)
        #expect(grid.shape == [1, 7, 7])
        let g = grid.scalars
        func at(_ y: Int, _ x: Int) -> Double { g[y * 7 + x] }
        #expect(at(0, 0) == -1 && at(1, 1) == 1 && at(2, 2) == 1 && at(1, 4) == 2 && at(4, 1) == 3 && at(4, 4) == -1 && at(1, 3) == -1)
    }

    @Test func pngFilesDecodeToTheirPixels() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gray = dir.appendingPathComponent("g.png"), rgb = dir.appendingPathComponent("c.png")
        let image = Tensor((0..<(5 * 7)).map { Double($0) / 34 }, shape: [5, 7])
        try image.writePNG(to: gray)
        try Tensor((0..<(3 * 4 * 6)).map { Double($0 % 11) / 10 }, shape: [3, 4, 6]).writePNG(to: rgb)
        let bytes = [UInt8](try Data(contentsOf: gray))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR")
        #expect(Array(bytes[16..<24]) == [0, 0, 0, 7, 0, 0, 0, 5])
        #expect(throws: PNG.EncodingError.self) { try Tensor.zeros([2, 3, 3]).writePNG(to: gray) }
        #expect(throws: PNG.EncodingError.self) { try PNG.encode(pixels: [1, 2], width: 3, height: 1) }
    }

    /// A full decode (chunk CRCs, zlib stream, pixels) by Python's standard library; runs where
    /// SWIFTLEARN_PYTHON_CHECK=1 (CI), shows as skipped elsewhere.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SWIFTLEARN_PYTHON_CHECK"] == "1",
                   "SWIFTLEARN_PYTHON_CHECK=1 decodes our PNG files with Python's zlib"))
    func pngFilesDecodeInPython() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gray = dir.appendingPathComponent("g.png"), rgb = dir.appendingPathComponent("c.png")
        try Tensor((0..<(5 * 7)).map { Double($0) / 34 }, shape: [5, 7]).writePNG(to: gray)
        try Tensor((0..<(3 * 4 * 6)).map { Double($0 % 11) / 10 }, shape: [3, 4, 6]).writePNG(to: rgb)
        let script = """
        import struct, sys, zlib
        def read(path):
            b = open(path, 'rb').read()
            assert b[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
            pos, chunks = 8, {}
            while pos < len(b):
                n, = struct.unpack('>I', b[pos:pos+4]); kind = b[pos+4:pos+8]; body = b[pos+8:pos+8+n]
                crc, = struct.unpack('>I', b[pos+8+n:pos+12+n])
                assert zlib.crc32(kind + body) == crc, kind
                chunks.setdefault(kind, b''); chunks[kind] += body; pos += 12 + n
            w, h, depth, ctype = struct.unpack('>IIBB', chunks[b'IHDR'][:10])
            raw = zlib.decompress(chunks[b'IDAT']); ch = 1 if ctype == 0 else 3; row = w * ch
            assert all(raw[y * (row + 1)] == 0 for y in range(h))
            return [raw[y * (row + 1) + 1 + i] for y in range(h) for i in range(row)]
        q = lambda v: int(min(max(v, 0), 1) * 255 + 0.5)
        g = read(sys.argv[1]); assert g == [q(i / 34) for i in range(35)], g
        c = read(sys.argv[2])
        planes = [[(i % 11) / 10 for i in range(k * 24, (k + 1) * 24)] for k in range(3)]
        assert c == [q(planes[k][p]) for p in range(24) for k in range(3)], c
        print('ok')
        """
        let out = try runPython(script, arguments: [gray.path, rgb.path])
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
    }

    @Test func vaeTrainingRaisesTheELBOOnMNIST() throws {
        // 3 epochs on 2,000 images: the test negative ELBO falls well below its starting value
        // (about 543 nats for an untrained model).
        var seen: [Double] = []
        let r = try GenerativeRecipe.run(.vaeMNIST, options: GenerativeOptions(epochs: 3, batchSize: 64, trainingLimit: 2000,
                                                                               importanceSamples: 5, qualitySamples: 0)) { e in
            seen.append(e.figures.first { $0.name == "test_neg_elbo" }!.value)
        }
        #expect(seen.count == 3 && seen[2] < seen[0])
        let final = Dictionary(uniqueKeysWithValues: r.final.map { ($0.name, $0.value) })
        let negElbo = try #require(final["test_neg_elbo"]), iw = try #require(final["test_nll_iw"])
        #expect(negElbo < 200)
        #expect(abs(negElbo - (final["test_reconstruction"]! + final["test_kl"]!)) < 1e-6)
        // The importance-weighted bound is tighter than the ELBO (on the same images, up to noise).
        #expect(iw < negElbo + 2)
        #expect(r.samples.shape[0] == 1 && r.samples.shape[1] == 8 * 30 + 2)
    }

    @Test func recipeOptionsAreValidated() {
        #expect(throws: GenerativeError.self) { try GenerativeRecipe.run(.vaeMNIST, options: GenerativeOptions(epochs: 0)) }
        #expect(throws: GenerativeError.self) { try GenerativeRecipe.run(.ganMNIST, options: GenerativeOptions(learningRate: -1)) }
        #expect(throws: GenerativeError.self) { try GenerativeRecipe.run(.vaeMNIST, options: GenerativeOptions(beta: .nan)) }
        #expect(throws: GenerativeError.self) { try GenerativeRecipe.named("vae-cifar") }
        #expect(throws: GenerativeError.self) { try VAE(VAEConfiguration(latent: 0)) }
        #expect(throws: GenerativeError.self) { try GANGenerator(GANConfiguration(architecture: .dcgan, imageSide: 30)) }
    }

    @Test func ganStepsMoveTheDiscriminatorTowardTellingRealFromFake() throws {
        // A tiny conditional GAN on two fixed 4×4 patterns: after discriminator steps alone, it
        // scores the real patterns above the generator's samples.
        let config = GANConfiguration(architecture: .mlp, latent: 4, imageSide: 4, classes: 2, width: 8, spectralNorm: true)
        let g = RandomGenerator(seed: 9)
        let gen = try GANGenerator(config, generator: g), disc = try GANDiscriminator(config, generator: g)
        let real = Tensor((0..<32).map { i -> Float in (i / 16 == 0) == ((i % 16) % 2 == 0) ? 1 : -1 }, shape: [2, 1, 4, 4])
        let labels = Tensor([Int64(0), 1])
        let opt = Adam(disc.parameters(), learningRate: 1e-2)
        for _ in 0..<100 {
            opt.zeroGrad()
            let fake = gen.generate(Tensor.randn([2, 4], generator: g), labels: labels).detached()
            GANLoss.discriminator(real: disc.score(real, labels: labels), fake: disc.score(fake, labels: labels)).backward()
            opt.step()
        }
        disc.eval()
        let fake = gen.generate(Tensor.randn([2, 4], generator: g), labels: labels).detached()
        let dReal = disc.score(real, labels: labels).sigmoid().mean().item()
        let dFake = disc.score(fake, labels: labels).sigmoid().mean().item()
        #expect(dReal > 0.6 && dFake < 0.4, "D(real) \(dReal), D(fake) \(dFake)")
    }

    @Test func prototypesAreClassMeansAndQueriesGoToTheNearest() {
        // Class 0's supports 0 and 2 (prototype 1), class 1's 10 and 12 (prototype 11).
        let supports = Tensor([0.0, 2, 10, 12], shape: [2, 2, 1])
        let logp = PrototypicalNetwork.logProbabilities(queries: Tensor([1.0, 9], shape: [2, 1]), supports: supports)
        let v = logp.scalars
        // Query 1: distances 0 and 100; query 9: 64 and 4.
        #expect(abs(v[0]) < 1e-12 && abs(v[1] + 100) < 1e-9)
        #expect(abs(v[3]) < 1e-12 && abs(v[2] + 60) < 1e-9)
    }

    @Test func twoMoonsAndAutoencodersHaveTheirShapes() throws {
        let moons = twoMoons(101, noise: 0, generator: RandomGenerator(seed: 1))
        #expect(moons.shape == [101, 2])
        let p = moons.to(.float64).scalars
        // Noise-free points lie on the unit circle (outer arc) or the circle around (1, 0.5) (inner).
        for i in 0..<101 {
            let (x, y) = (p[2 * i], p[2 * i + 1])
            let outer = abs(x * x + y * y - 1), inner = abs((x - 1) * (x - 1) + (y - 0.5) * (y - 0.5) - 1)
            #expect(Swift.min(outer, inner) < 1e-5)
        }
        let x = Tensor.rand([3, 784], generator: RandomGenerator(seed: 2))
        for kind in Autoencoder.Kind.allCases {
            let ae = Autoencoder(kind: kind, latent: 5, generator: RandomGenerator(seed: 3))
            #expect(ae.encode(x).shape == [3, 5] && ae.reconstruct(x).shape == [3, 784])
            let plain = ae.loss(x).item(), sparse = ae.loss(x, sparsity: 10).item()
            #expect(plain.isFinite && sparse > plain)
            #expect(ae.loss(x, noise: 0.3, generator: RandomGenerator(seed: 4)).item().isFinite)
        }
    }
}

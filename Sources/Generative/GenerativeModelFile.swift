import Foundation
import Neural
import SwiftLearnCore
import Tensors

/// A trained generative model with what is needed to sample from it, saved as safetensors whose
/// metadata names the model kind and its configuration (JSON), so `swiftlearn sample --load FILE`
/// can rebuild it. The tensors keep PyTorch's state-dict names.
public enum GenerativeModelFile {
    /// The kinds of model a file can hold.
    public enum Kind: String, Sendable, CaseIterable {
        /// A ``VAE``.
        case vae
        /// The generator of a GAN (its discriminator is not saved).
        case ganGenerator = "gan-generator"
        /// A ``DiffusionUNet`` (the EMA weights a recipe samples with).
        case diffusion
        /// A ``RealNVP`` flow.
        case flow
    }

    /// A loaded model.
    public enum Model {
        /// A variational autoencoder.
        case vae(VAE)
        /// A GAN generator.
        case ganGenerator(GANGenerator)
        /// A diffusion model's noise predictor.
        case diffusion(DiffusionUNet)
        /// A normalizing flow (its samples are points, drawn as a histogram image).
        case flow(RealNVP)

        /// Number of classes of a conditional model (0 when unconditional).
        public var classes: Int {
            switch self {
            case .vae(let m): return m.configuration.classes
            case .ganGenerator(let g): return g.configuration.classes
            case .diffusion(let u): return u.configuration.classes
            case .flow: return 0
            }
        }

        /// Image side of the samples (square images), or nil when the output is not square.
        public var imageSide: Int? {
            let size: Int
            switch self {
            case .vae(let m): size = m.configuration.inputSize
            case .ganGenerator(let g): size = g.configuration.imageSide * g.configuration.imageSide
            case .diffusion(let u): size = u.configuration.imageSide * u.configuration.imageSide
            case .flow: return nil
            }
            let side = Int(Double(size).squareRoot().rounded())
            return side * side == size ? side : nil
        }

        /// Latent-space interpolation: `rows` straight lines between two noise draws, `steps`
        /// images each (ends included), decoded as images `[rows·steps, side, side]` in [0, 1]
        /// (`labels` `[rows]`, one class per row, for a conditional model). VAEs and GAN generators
        /// only (a diffusion model's or a flow's latent is not a code to walk in).
        /// - Throws: ``GenerativeError/invalidOption(_:)`` for other models.
        public func interpolationImages(rows: Int, steps: Int, labels: Tensor?, generator: RandomGenerator) throws -> Tensor {
            ensure(rows >= 1 && steps >= 2, "interpolationImages: rows ≥ 1 and steps ≥ 2")
            func line(latent: Int) -> Tensor {
                let a = Tensor.randn([rows, 1, latent], generator: generator), b = Tensor.randn([rows, 1, latent], generator: generator)
                let t = Tensor((0..<steps).map { Double($0) / Double(steps - 1) }, shape: [1, steps, 1]).to(.float32)
                return (a * (1 - t) + b * t).reshaped([rows * steps, latent])
            }
            let labels = labels ?? (classes > 0 ? Tensor((0..<rows).map { Int64($0 % classes) }) : nil)
            let rowLabels = labels.map { $0.to(.int64).repeated(steps, axis: 0) }
            switch self {
            case .vae(let m):
                let x = GradMode.withoutGrad { m.decodeMeans(line(latent: m.configuration.latent).to(m.dtype), labels: rowLabels) }
                guard let side = imageSide else { return x.reshaped([rows * steps, 1, m.configuration.inputSize]) }
                return x.reshaped([rows * steps, side, side])
            case .ganGenerator(let g):
                return GradMode.withoutGrad {
                    let x = g.generate(line(latent: g.configuration.latent).to(g.dtype), labels: rowLabels)
                    return ((x + 1) * 0.5).reshaped([rows * steps, g.configuration.imageSide, g.configuration.imageSide])
                }
            case .diffusion, .flow:
                throw GenerativeError.invalidOption("latent interpolation applies to VAEs and GAN generators")
            }
        }

        /// `n` samples as images `[n, side, side]` with values in [0, 1] (`labels` `[n]` for a
        /// conditional model; nil draws the classes in turn). Diffusion models sample by DDIM with `steps` steps and guidance
        /// scale `guidance` (other models ignore both).
        public func sampleImages(_ n: Int, labels: Tensor?, generator: RandomGenerator, steps: Int = 50,
                                 guidance: Double = 2) throws -> Tensor {
            // A conditional model asked for samples without labels draws the classes in turn.
            let labels = labels ?? (classes > 0 ? Tensor((0..<n).map { Int64($0 % classes) }) : nil)
            switch self {
            case .vae(let m):
                let x = m.sample(n, labels: labels, generator: generator)
                let side = imageSide ?? 1
                return imageSide == nil ? x.reshaped([n, 1, m.configuration.inputSize]) : x.reshaped([n, side, side])
            case .ganGenerator(let g):
                return g.sampleImages(n, labels: labels, generator: generator)
            case .diffusion(let u):
                return try u.sampleImages(n, labels: labels, guidance: guidance, steps: steps, generator: generator)
            case .flow(let f):
                // n² points drawn as one histogram image per sample slot would be odd: one histogram of 100·n points.
                return FlowRecipe.histogramImage(f.sample(100 * n, generator: generator)).unsqueezed(0)
            }
        }
    }

    static let kindKey = "swiftlearn.generative"
    static let configurationKey = "swiftlearn.configuration"
    /// Largest configuration text read from a file's metadata.
    static let maximumConfigurationBytes = 64 * 1024

    /// Saves a VAE.
    public static func save(_ vae: VAE, to url: URL) throws {
        try save(vae, kind: .vae, configuration: vae.configuration, to: url)
    }

    /// Saves a GAN generator.
    public static func save(_ generator: GANGenerator, to url: URL) throws {
        try save(generator, kind: .ganGenerator, configuration: generator.configuration, to: url)
    }

    /// Saves a RealNVP flow.
    public static func save(_ flow: RealNVP, to url: URL) throws {
        try save(flow, kind: .flow, configuration: FlowConfiguration(dimension: flow.dimension, couplings: flow.couplings.count,
                                                                     hidden: flow.hidden), to: url)
    }

    /// Saves a diffusion U-Net.
    public static func save(_ unet: DiffusionUNet, to url: URL) throws {
        try save(unet, kind: .diffusion, configuration: unet.configuration, to: url)
    }

    private static func save<C: Encodable>(_ module: Module, kind: Kind, configuration: C, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(configuration), as: UTF8.self)
        var seen = Set<String>()
        let entries = module.orderedStateDict().filter { seen.insert($0.0).inserted }
        try Tensor.save(safetensors: entries.map { (name: $0.0, tensor: $0.1.contiguous()) },
                        metadata: ["format": "pt", kindKey: kind.rawValue, configurationKey: text], to: url)
    }

    /// Loads a model saved by ``save(_:to:)-…``.
    /// - Throws: ``GenerativeError/unreadableModel(path:reason:)`` for a missing or corrupt file, one
    ///   without this library's metadata, a configuration out of range, or weights that do not fit it.
    public static func load(_ url: URL) throws -> Model {
        func fail(_ reason: String) -> GenerativeError { .unreadableModel(path: url.path, reason: reason) }
        let file: (tensors: [(name: String, tensor: Tensor)], metadata: [String: String])
        do { file = try Tensor.load(safetensors: url) } catch { throw fail("\(error)") }
        guard let kindName = file.metadata[kindKey] else {
            throw fail("no '\(kindKey)' metadata: not a generative model saved by swiftlearn (train one with `swiftlearn train --recipe vae-mnist --save FILE`)")
        }
        guard let kind = Kind(rawValue: kindName) else {
            throw fail("unknown model kind '\(kindName)'; known: \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let text = file.metadata[configurationKey], text.utf8.count <= maximumConfigurationBytes else {
            throw fail("missing or oversized '\(configurationKey)' metadata")
        }
        func decode<C: Decodable>(_: C.Type) throws -> C {
            do { return try JSONDecoder().decode(C.self, from: Data(text.utf8)) } catch { throw fail("bad configuration: \(error)") }
        }
        var state: [String: Tensor] = [:]
        for (k, t) in file.tensors {
            // Weights must be finite (integer buffers such as batch norm's step count pass as they are).
            if t.dtype.isFloatingPoint, t.isFinite().all().item() == 0 { throw fail("tensor '\(k)' is not finite everywhere") }
            state[k] = t
        }
        func fill(_ m: Module) throws {
            do { try m.loadStateDict(state) } catch { throw fail("\(error)") }
        }
        do {
            switch kind {
            case .vae:
                let m = try VAE(try decode(VAEConfiguration.self))
                try fill(m)
                return .vae(m.eval())
            case .ganGenerator:
                let g = try GANGenerator(try decode(GANConfiguration.self))
                try fill(g)
                return .ganGenerator(g.eval())
            case .flow:
                let c = try decode(FlowConfiguration.self)
                guard (2...4096).contains(c.dimension), (1...64).contains(c.couplings), (1...8192).contains(c.hidden) else {
                    throw fail("flow configuration out of range: \(c)")
                }
                let f = RealNVP(dimension: c.dimension, couplings: c.couplings, hidden: c.hidden)
                try fill(f)
                return .flow(f.eval())
            case .diffusion:
                let u = try DiffusionUNet(try decode(UNetConfiguration.self))
                try fill(u)
                return .diffusion(u.eval())
            }
        } catch let e as GenerativeError {
            if case .unreadableModel = e { throw e }
            throw fail(e.description)
        }
    }
}

/// The shape of a saved ``RealNVP``.
struct FlowConfiguration: Codable {
    let dimension: Int, couplings: Int, hidden: Int
}

// libFuzzer target: Generative.GenerativeModelFile.load (what `swiftlearn sample --load` reads):
// safetensors with a model kind and a JSON configuration in the metadata. The input is written to
// a scratch file and loaded; a model that loads draws two samples (one DDIM step for diffusion).
//
// SWIFTLEARN_FUZZ_WRITE_SEEDS=DIR: writes a tiny model of each kind to DIR and exits (how the
// committed seed corpus was made).
import Foundation
import Generative
import Tensors

let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-generative-\(getpid()).safetensors")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard (try? Data(bytes: start, count: count).write(to: scratch)) != nil,
          let model = try? GenerativeModelFile.load(scratch) else { return 0 }
    let labels: Tensor? = model.classes > 0 ? Tensor([Int64(0), Int64(model.classes - 1)]) : nil
    _ = try? model.sampleImages(2, labels: labels, generator: RandomGenerator(seed: 1), steps: 1, guidance: 2)
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let dir = ProcessInfo.processInfo.environment["SWIFTLEARN_FUZZ_WRITE_SEEDS"] else { return 0 }
    let url = URL(fileURLWithPath: dir)
    let g = RandomGenerator(seed: 3)
    do {
        try GenerativeModelFile.save(try VAE(VAEConfiguration(inputSize: 4, hidden: [3], latent: 2, classes: 2), generator: g),
                                     to: url.appendingPathComponent("vae.safetensors"))
        try GenerativeModelFile.save(try GANGenerator(GANConfiguration(architecture: .mlp, latent: 2, imageSide: 4, width: 4), generator: g),
                                     to: url.appendingPathComponent("gan.safetensors"))
        try GenerativeModelFile.save(RealNVP(dimension: 2, couplings: 1, hidden: 2, generator: g), to: url.appendingPathComponent("flow.safetensors"))
        try GenerativeModelFile.save(try DiffusionUNet(UNetConfiguration(imageSide: 4, base: 8, multipliers: [1], embedding: 4, classes: 2,
                                                                         trainTimesteps: 10), generator: g),
                                     to: url.appendingPathComponent("unet.safetensors"))
    } catch {
        print("could not write seeds: \(error)")
        exit(1)
    }
    exit(0)
}

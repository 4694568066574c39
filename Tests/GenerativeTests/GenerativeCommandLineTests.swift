import Foundation
import Generative
import Tensors
import Testing
import TestSupport

/// Runs the built `swiftlearn` with `arguments` in `directory`; returns status, stdout, stderr.
private func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = try #require(builtSwiftlearnBinary)
    p.arguments = arguments
    p.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    env["SWIFTLEARN_HOME"] = directory.appendingPathComponent("home").path
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

@Suite(.enabled(if: builtSwiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct GenerativeCommandLineTests {
    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("generative-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func trainSaveAndSampleAFlow() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let train = try run(["train", "--recipe", "realnvp-moons", "--epochs", "2", "--save", "flow.safetensors",
                             "--samples", "moons.png", "--plot", "none", "--json"], in: dir)
        #expect(train.status == 0, "\(train.err)")
        let lines = train.out.split(separator: "\n")
        #expect(lines.count == 3)
        let final = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any]
        #expect(final?["final"] as? Bool == true)
        #expect((final?["test_nll"] as? Double).map { $0.isFinite } == true)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("moons.png").path))
        let sample = try run(["sample", "--load", "flow.safetensors", "--n", "4", "--output", "again.png"], in: dir)
        #expect(sample.status == 0, "\(sample.err)")
        let png = try Data(contentsOf: dir.appendingPathComponent("again.png"))
        #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
    }

    @Test func progressGridsAndLatentInterpolationOfAGAN() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let train = try run(["train", "--recipe", "cgan-mnist", "--epochs", "2", "--limit", "300", "--quality-samples", "0",
                             "--samples", "grid.png", "--samples-every", "1", "--plot", "none", "--save", "g.safetensors"], in: dir)
        #expect(train.status == 0, "\(train.err)")
        for name in ["grid.png", "grid-epoch-001.png", "grid-epoch-002.png"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), "\(name)")
        }
        let line = try run(["sample", "--load", "g.safetensors", "--interpolate", "5", "--n", "3", "--labels", "1,2,3",
                            "--output", "line.png", "--json"], in: dir)
        #expect(line.status == 0, "\(line.err)")
        #expect(line.out.contains("\"steps\": 5") || line.out.contains("\"steps\":5"), "\(line.out)")
        // A flow has no latent code to walk in: a clear refusal.
        _ = try run(["train", "--recipe", "realnvp-moons", "--epochs", "1", "--save", "f.safetensors", "--samples", "none", "--plot", "none"], in: dir)
        let flow = try run(["sample", "--load", "f.safetensors", "--interpolate", "4"], in: dir)
        #expect(flow.status == 64 && flow.err.contains("VAEs and GAN generators"), "\(flow.err)")
    }

    @Test(arguments: [
        (["train", "--recipe", "protonet-digits", "--save", "p.safetensors"], "trains no model that samples"),
        (["train", "--recipe", "lenet-mnist", "--beta", "2"], "generative recipes"),
        (["train", "--recipe", "vae-mnist", "--samples", "grid.jpg"], ".png"),
        (["train", "--recipe", "ddpm-mnist", "--guidance", "-1"], "--guidance"),
        (["train", "--recipe", "vae-mnst"], "vae-mnist"),
        (["sample", "--load", "x.safetensors", "--n", "0"], "--n"),
        (["sample", "--load", "x.safetensors", "--output", "x.svg"], ".png"),
        (["sample", "--load", "x.safetensors", "--interpolate", "1"], "--interpolate"),
        (["train", "--recipe", "gan-mnist", "--samples", "none", "--samples-every", "2"], "--samples-every"),
    ])
    func badArgumentsExit64(_ args: [String], _ hint: String) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(args, in: dir)
        #expect(r.status == 64, "\(args): status \(r.status) \(r.err)")
        #expect(r.err.contains(hint), "\(args): \(r.err)")
    }

    @Test func sampleFromAMissingOrForeignFileFailsClearly() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = try run(["sample", "--load", "nothing.safetensors"], in: dir)
        #expect(missing.status == 1 && missing.err.contains("cannot load the generative model"), "\(missing.err)")
        try Tensor.save(safetensors: [(name: "w", tensor: Tensor([1.0, 2.0]))], to: dir.appendingPathComponent("plain.safetensors"))
        let foreign = try run(["sample", "--load", "plain.safetensors"], in: dir)
        #expect(foreign.status == 1 && foreign.err.contains("not a generative model"), "\(foreign.err)")
    }
}

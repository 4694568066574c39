import Foundation
import Testing
import Tensors
import Neural

/// Weights move between PyTorch and this package through safetensors state dicts.
@Suite struct StateDictInteropTests {
    static let fixture: [String: Tensor] = {
        let url = Bundle.module.url(forResource: "lenet5_interop", withExtension: "safetensors", subdirectory: "Fixtures")!
        var d: [String: Tensor] = [:]
        for (k, t) in try! Tensor.load(safetensors: url).tensors { d[k] = t }
        return d
    }()

    @Test func pyTorchWeightsGiveTheSameLogits() throws {
        var state = Self.fixture
        let x = state.removeValue(forKey: "input.x")!, expected = state.removeValue(forKey: "expected.logits")!
        let net = LeNet5()
        try net.loadStateDict(state)
        net.eval()
        let logits = net(x)
        #expect(logits.shape == [3, 10])
        // float32 logits of order 1: worst error seen 6e-8 (2.6e-8 on AVX-512); the bar is about 10× that.
        #expect(LayerFixtures.maxError(logits, expected) < 5e-7)
    }

    /// Writes LeNet-5's state dict with our loader's round trip checked; returns the file for PyTorch.
    private static func writeCheckFile(in dir: URL) throws -> URL {
        let net = LeNet5(generator: RandomGenerator(seed: 11)).eval()
        let x = Tensor.randn([2, 1, 28, 28], seed: 12)
        let logits = net(x)
        let weights = dir.appendingPathComponent("lenet5.safetensors")
        try net.save(to: weights)
        // Our own loader reads it back to the same logits.
        let back = LeNet5().eval()
        try back.load(from: weights)
        #expect(back(x).scalars == logits.scalars)
        // For the PyTorch check: the state dict plus the input and our logits.
        let checkFile = dir.appendingPathComponent("lenet5_check.safetensors")
        try Tensor.save(safetensors: net.orderedStateDict().map { (name: $0.0, tensor: $0.1) } + [("input.x", x), ("swift.logits", logits)],
                        metadata: ["format": "pt"], to: checkFile)
        return checkFile
    }

    private static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("neural-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func weightsWeSaveLoadBackHere() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Self.writeCheckFile(in: dir)
    }

    /// Needs torch, which CI does not install (fixture scripts use it, CI does not): runs with SWIFTLEARN_TORCH_CHECK=1
    /// and shows as skipped otherwise.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SWIFTLEARN_TORCH_CHECK"] == "1",
                   "SWIFTLEARN_TORCH_CHECK=1 loads our weights in PyTorch"))
    func weightsWeSaveLoadInPyTorch() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let checkFile = try Self.writeCheckFile(in: dir)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/fixtures/check_neural_interop.py")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script.path, checkFile.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        print(out)
        #expect(p.terminationStatus == 0, "check_neural_interop.py: \(out)")
    }
}

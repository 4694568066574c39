import Foundation
import Testing
import Tensors
import Neural

/// A small model declared the way users write models: plain properties, discovered by reflection.
final class TinyNet: Module {
    var features = Sequential(Linear(4, 8, generator: RandomGenerator(seed: 1)), ReLU(), Linear(8, 8, generator: RandomGenerator(seed: 2)))
    var headLayers: [Linear] = [Linear(8, 3, generator: RandomGenerator(seed: 3))]
    var outProj: Linear? = Linear(3, 2, bias: false, generator: RandomGenerator(seed: 4))
    var unused: Linear? = nil
    var scale = Parameter(Tensor.ones([2]))
    var runningTotal = ModuleBuffer(Tensor.zeros([2]))
    let width = 8   // not state: ignored by reflection

    override func forward(_ x: Tensor) -> Tensor {
        var h = features(x)
        for l in headLayers { h = l(h) }
        return outProj!(h) * scale.value
    }
}

@Suite struct ModuleTests {
    @Test func reflectionFindsParametersWithPyTorchKeys() {
        let net = TinyNet()
        let keys = net.namedParameters().map(\.0)
        #expect(keys == ["scale", "features.0.weight", "features.0.bias", "features.2.weight", "features.2.bias",
                         "head_layers.0.weight", "head_layers.0.bias", "out_proj.weight"])
        #expect(net.namedBuffers().map(\.0) == ["running_total"])
        #expect(net.parameterCount == 2 + 4 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3 + 3 * 2)
        #expect(net.children.count == 3)
        #expect(net.namedModules().map(\.0) == ["", "features", "features.0", "features.1", "features.2", "head_layers.0", "out_proj"])
        // Assigning an optional child registers it.
        net.unused = Linear(2, 2)
        #expect(net.namedParameters().map(\.0).contains("unused.weight"))
    }

    @Test func sharedParametersAreCountedOnce() {
        let a = Linear(3, 3)
        let seq = Sequential(a, a)
        #expect(seq.parameters().count == 2)
        #expect(seq.orderedStateDict().count == 4)
    }

    @Test func defaultInitFollowsPyTorchBounds() {
        let fc = Linear(400, 30, generator: RandomGenerator(seed: 7))
        let bound = 1 / 400.0.squareRoot()
        let w = fc.weight.value.scalars, b = fc.bias!.value.scalars
        #expect(w.allSatisfy { Swift.abs($0) <= bound } && b.allSatisfy { Swift.abs($0) <= bound })
        // Uniform on ±bound: the standard deviation is bound/√3.
        let mean = w.reduce(0, +) / Double(w.count)
        let sd = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(w.count)).squareRoot()
        #expect(Swift.abs(sd - bound / 3.0.squareRoot()) < 0.05 * bound)
        // A seed reproduces the weights.
        #expect(Linear(400, 30, generator: RandomGenerator(seed: 7)).weight.value.scalars == w)
        #expect(fc.weight.value.dtype == .float32)
        #expect(Linear(4, 2, dtype: .float64).weight.value.dtype == .float64)
    }

    @Test func trainEvalFreezeAndDtype() {
        let net = TinyNet()
        #expect(net.isTraining && net.features[1].isTraining)
        net.eval()
        #expect(!net.isTraining && !net.features[1].isTraining)
        net.train()
        #expect(net.features[2].isTraining)
        net.freeze(prefix: "features")
        #expect(net.namedParameters(prefix: "features").allSatisfy { !$0.1.requiresGrad })
        #expect(net.trainableParameters().count == 4)
        let y = net(Tensor.randn([5, 4], seed: 1)).sum()
        y.backward()
        #expect(net.features.parameters().allSatisfy { $0.grad == nil })
        #expect(net.outProj!.weight.grad != nil)
        net.unfreeze()
        #expect(net.trainableParameters().count == 8)
        net.to(.float64)
        #expect(net.parameters().allSatisfy { $0.value.dtype == .float64 } && net.runningTotal.value.dtype == .float64)
        #expect(net(Tensor.randn([2, 4], dtype: .float64, seed: 1)).dtype == .float64)
    }

    @Test func stateDictRoundTripAndErrors() throws {
        let a = TinyNet(), b = TinyNet()
        for p in b.parameters() { p.value = p.value * 0 }
        try b.loadStateDict(a.stateDict())
        for ((ka, pa), (kb, pb)) in zip(a.namedParameters(), b.namedParameters()) {
            #expect(ka == kb && pa.value.scalars == pb.value.scalars)
        }
        var bad = a.stateDict()
        bad["features.0.weight"] = nil
        bad["extra.weight"] = Tensor.zeros([1])
        bad["features.2.bias"] = Tensor.zeros([7])
        do {
            try b.loadStateDict(bad)
            Issue.record("expected a mismatch error")
        } catch let ModuleError.stateDictMismatch(missing, unexpected, mismatched) {
            #expect(missing == ["features.0.weight"])
            #expect(unexpected == ["extra.weight"])
            #expect(mismatched == [.init(key: "features.2.bias", expected: [8], found: [7])])
        }
        // Non-strict ignores missing and extra keys but not a wrong shape.
        bad["features.2.bias"] = Tensor.zeros([8])
        try b.loadStateDict(bad, strict: false)
        #expect(b.features.layers[2].namedDirectParameters()[1].1.value.scalars.allSatisfy { $0 == 0 })
        let message = "\(ModuleError.stateDictMismatch(missing: ["a"], unexpected: ["b"], mismatched: []))"
        #expect(message.contains("missing keys: a") && message.contains("unexpected keys: b"))
    }

    @Test func saveAndLoadSafetensors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("neural-module-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tiny.safetensors")
        let a = TinyNet()
        a.runningTotal.value = Tensor([3, 4] as [Float])
        try a.save(to: url)
        let b = TinyNet()
        try b.load(from: url)
        let x = Tensor.randn([3, 4], seed: 9)
        #expect(a(x).scalars == b(x).scalars)
        #expect(b.runningTotal.value.scalars == [3, 4])
        // Truncated and garbage files throw.
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 10).write(to: url)
        #expect(throws: ModuleError.self) { try b.load(from: url) }
        try Data("not a safetensors file".utf8).write(to: url)
        #expect(throws: ModuleError.self) { try b.load(from: url) }
        #expect(throws: ModuleError.self) { try b.load(from: dir.appendingPathComponent("missing.safetensors")) }
        // A file for another architecture throws a mismatch listing the keys.
        try Linear(2, 2).save(to: url)
        #expect(throws: ModuleError.self) { try b.load(from: url) }
    }

    @Test func summaryListsLayersShapesAndCounts() {
        let net = TinyNet()
        let s = net.summary(input: Tensor.zeros([2, 4]))
        #expect(s.contains("features.0") && s.contains("Linear") && s.contains("[2, 8]") && s.contains("[2, 3]"))
        #expect(s.contains("Total params: 147 "))
        #expect(net.isTraining)
        #expect("\(Sequential(Linear(2, 3), ReLU()))".contains("(0): Linear(in_features=2, out_features=3, bias=true)"))
    }

    @Test func dropoutTrainAndEval() {
        let d = Dropout(0.25, generator: RandomGenerator(seed: 3))
        let x = Tensor.ones([10_000])
        let y = d(x).scalars
        let zeros = y.filter { $0 == 0 }.count
        #expect(zeros > 2200 && zeros < 2800)
        #expect(y.allSatisfy { $0 == 0 || Swift.abs($0 - 1 / 0.75) < 1e-6 })
        d.eval()
        #expect(d(x).scalars == x.scalars)
    }
}

/// Shape misuse stops the process with a message naming the layer and both shapes.
@Suite struct ModuleTrapTests {
    @Test func wrongInputShapeStopsWithLayerAndShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Linear(4, 2)(Tensor.zeros([3, 5]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("Linear(4, 2)") && text.contains("[*, 4]") && text.contains("[3, 5]"))
        await #expect(processExitsWith: .failure) {
            _ = crossEntropy(Tensor.zeros([3, 5]), Tensor([0, 1] as [Int]))
        }
    }
}

/// Layers whose forward values follow from their definition alone (no reference library needed).
@Suite struct DefinitionLayerTests {
    @Test func flattenJoinsTheChosenAxes() {
        let x = Tensor((0..<24).map(Double.init), shape: [2, 3, 4])
        #expect(Flatten()(x).shape == [2, 12])
        #expect(Flatten()(x).scalars == x.scalars)
        #expect(Flatten(startAxis: 0, endAxis: 1)(x).shape == [6, 4])
        #expect(Flatten(startAxis: -2)(x).shape == [2, 12])
        #expect(Flatten(startAxis: 0)(x).shape == [24])
    }

    /// 1-d pooling windows on [N, C, L]: max and average by hand, with stride, padding and ceil mode.
    @Test func pooling1dForwardValues() {
        let x = Tensor([1.0, 3, 2, 5, 4, -1, 0], shape: [1, 1, 7])
        #expect(maxPool1d(x, kernelSize: 2).scalars == [3, 5, 4])
        #expect(avgPool1d(x, kernelSize: 2).scalars == [2, 3.5, 1.5])
        #expect(maxPool1d(x, kernelSize: 3, stride: 2).scalars == [3, 5, 4])
        #expect(maxPool1d(x, kernelSize: 2, ceilMode: true).scalars == [3, 5, 4, 0])
        // Padding counts as zeros for the average by default (count_include_pad), -inf for the max.
        #expect(avgPool1d(x, kernelSize: 2, padding: 1).scalars == [0.5, 2.5, 4.5, -0.5])
        #expect(maxPool1d(x, kernelSize: 2, padding: 1).scalars == [1, 3, 5, 0])
        #expect(MaxPool1d(kernelSize: 2)(x).scalars == [3, 5, 4])
        #expect(AvgPool1d(kernelSize: 2)(x).scalars == [2, 3.5, 1.5])
    }
}

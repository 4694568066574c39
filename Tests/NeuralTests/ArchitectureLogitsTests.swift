import Foundation
import Testing
import Tensors
import Neural
import TestSupport

/// AlexNet, VGG, GoogLeNet, MobileNetV2, EfficientNet and the seq2seq model against torchvision
/// and the torch twin (scripts/fixtures/make_neural_arch_fixtures.py): parameter counts, state-dict
/// keys with shapes, and logits from torch-initialized weights.
@Suite(.serialized) struct ArchitectureLogitsTests {
    struct Reference: Decodable {
        struct Entry: Decodable {
            var key: String
            var shape: [Int]
            init(from decoder: Decoder) throws {
                var c = try decoder.unkeyedContainer()
                key = try c.decode(String.self)
                shape = try c.decode([Int].self)
            }
        }
        var parameter_counts: [String: Int]
        var state_dict: [String: [Entry]]
    }
    static let reference: Reference = {
        let url = Bundle.module.url(forResource: "architectures_torchvision", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }()
    static let interop: [String: Tensor] = {
        let url = Bundle.module.url(forResource: "architectures_torchvision_logits", withExtension: "safetensors", subdirectory: "Fixtures")!
        var d: [String: Tensor] = [:]
        for (k, t) in try! Tensor.load(safetensors: url).tensors { d[k] = t }
        return d
    }()
    static var heavy: Bool { ProcessInfo.processInfo.environment["SWIFTLEARN_HEAVY_TESTS"] == "1" }

    /// The fixture's tensors under `prefix.` with the prefix removed.
    static func weights(_ prefix: String) -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (k, t) in interop where k.hasPrefix(prefix + ".") && !k.hasPrefix(prefix + ".expected.") {
            d[String(k.dropFirst(prefix.count + 1))] = t
        }
        return d
    }

    /// max |a − b| / max |b|: the error relative to the reference's scale.
    static func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape, "shapes \(a.shape) vs \(b.shape)")
        return maxErrorRelativeToScale(a.scalars, b.scalars)
    }

    /// Checks the count and every state-dict key and shape, in order.
    static func expectMatchesReference(_ model: Module, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(model.parameterCount == reference.parameter_counts[name], "\(name) parameter count", sourceLocation: sourceLocation)
        guard let entries = reference.state_dict[name] else { return }
        let ours = model.orderedStateDict()
        #expect(ours.map(\.0) == entries.map(\.key), "\(name) state-dict keys", sourceLocation: sourceLocation)
        #expect(ours.map(\.1.shape) == entries.map(\.shape), "\(name) state-dict shapes", sourceLocation: sourceLocation)
    }

    // MARK: - Counts and keys

    @Test func alexNetEqualsTorchvision() {
        Self.expectMatchesReference(AlexNet(), "alexnet")
    }

    /// VGG has 133–138 M parameters (≈ 0.55 GB each in float32): behind SWIFTLEARN_HEAVY_TESTS=1.
    @Test(.enabled(if: ArchitectureLogitsTests.heavy)) func vggEqualsTorchvision() {
        Self.expectMatchesReference(VGG.vgg11(), "vgg11")
        Self.expectMatchesReference(VGG.vgg11(batchNorm: true), "vgg11_bn")
        Self.expectMatchesReference(VGG.vgg16(), "vgg16")
        Self.expectMatchesReference(VGG.vgg16(batchNorm: true), "vgg16_bn")
    }

    @Test func googLeNetEqualsTorchvision() {
        Self.expectMatchesReference(GoogLeNet(), "googlenet_aux")                  // torchvision's default: aux_logits=True
        Self.expectMatchesReference(GoogLeNet(auxLogits: false), "googlenet_no_aux")
    }

    @Test func mobileNetV2EqualsTorchvision() {
        Self.expectMatchesReference(MobileNetV2(), "mobilenet_v2")
        Self.expectMatchesReference(MobileNetV2(numClasses: 10, widthMultiplier: 0.35), "mobilenet_v2_w035_10")
    }

    @Test func efficientNetEqualsTorchvision() {
        Self.expectMatchesReference(EfficientNet(.b0), "efficientnet_b0")
        Self.expectMatchesReference(EfficientNet(.b1), "efficientnet_b1")
        Self.expectMatchesReference(EfficientNet(widthMultiplier: 0.25, depthMultiplier: 0.5, dropout: 0.2, numClasses: 10),
                                    "efficientnet_w025_d05_10")
    }

    @Test func seq2SeqEqualsTheTorchTwin() {
        for score in AttentionScore.allCases {
            Self.expectMatchesReference(Self.smallSeq2Seq(score), "seq2seq_\(score.rawValue)")
        }
        let large = Seq2Seq(sourceVocabularySize: 10000, targetVocabularySize: 8000, embeddingDim: 256, hiddenSize: 512,
                            numLayers: 2, score: .additive)
        #expect(large.parameterCount == Self.reference.parameter_counts["seq2seq_large_additive"])
    }

    // MARK: - Same logits as torch

    /// Reduced-width torchvision models (random batch-norm statistics) whose weights are in the fixture.
    static func reducedModel(_ name: String) -> Module {
        name == "mobilenet_v2_w035_10" ? MobileNetV2(numClasses: 10, widthMultiplier: 0.35)
                                       : EfficientNet(widthMultiplier: 0.25, depthMultiplier: 0.5, dropout: 0.2, numClasses: 10)
    }

    @Test(arguments: ["mobilenet_v2_w035_10", "efficientnet_w025_d05_10"])
    func torchvisionWeightsGiveTheSameLogits(name: String) throws {
        let net = Self.reducedModel(name)
        try net.loadStateDict(Self.weights(name))
        net.eval()
        let logits = GradMode.withoutGrad { net(Self.interop["input.image"]!) }
        #expect(logits.shape == [2, 10])
        let error = Self.relativeError(logits, Self.interop["\(name).expected.logits"]!)
        print("\(name): max |Δ| / max |torch| of the logits \(error)")
        #expect(error < 1e-4)
    }

    @Test func weightsOfAnotherWidthAreRejected() {
        #expect(throws: ModuleError.self) { try MobileNetV2().loadStateDict(Self.weights("mobilenet_v2_w035_10")) }
    }

    static func smallSeq2Seq(_ score: AttentionScore, generator: RandomGenerator? = nil) -> Seq2Seq {
        Seq2Seq(sourceVocabularySize: 23, targetVocabularySize: 19, embeddingDim: 8, hiddenSize: 16, numLayers: 2,
                score: score, generator: generator)
    }

    @Test(arguments: AttentionScore.allCases) func seq2SeqWithTorchWeightsGivesTheSameOutputs(score: AttentionScore) throws {
        let net = Self.smallSeq2Seq(score)
        try net.loadStateDict(Self.weights("seq2seq_\(score.rawValue)"))
        net.eval()
        let source = Self.interop["seq2seq.source"]!, target = Self.interop["seq2seq.target_input"]!
        let lengths = Self.interop["seq2seq.source_lengths"]!.toArray(as: Int64.self).map(Int.init)
        let logits = GradMode.withoutGrad { net(source: source, targetInput: target, sourceLengths: lengths) }
        #expect(logits.shape == [3, 8, 19])
        let error = Self.relativeError(logits, Self.interop["seq2seq_\(score.rawValue).expected.logits"]!)
        print("seq2seq \(score): max |Δ| / max |torch| of the teacher-forced logits \(error)")
        #expect(error < 1e-4)
        // Step-by-step decoding with ratio 1 feeds the same tokens as teacher forcing.
        let stepwise = GradMode.withoutGrad {
            net(source: source, targetInput: target, sourceLengths: lengths, teacherForcingRatio: 1)
        }
        #expect(Self.relativeError(stepwise, logits) < 1e-5)
        // The twin was trained to reverse these sources: rows end with EOS at steps 7, 4 and 6,
        // are EOS-filled after it, and decoding stops at 8 tokens of the 10 allowed.
        let greedy = net.greedyDecode(source: source, bos: 1, eos: 2, maxLength: 10, sourceLengths: lengths)
        let expected = Self.interop["seq2seq_\(score.rawValue).expected.greedy"]!
        #expect(greedy.shape == [3, 8] && expected.shape == [3, 8])
        #expect(greedy.toArray(as: Int64.self) == expected.toArray(as: Int64.self))
    }

    // MARK: - Behaviour

    @Test func seq2SeqLearnsToReverseABatch() {
        // Overfit 16 fixed sequences of the reversal task with plain SGD: the teacher-forced loss
        // must fall far below its starting value (ln 12 ≈ 2.48), through every part of the model.
        let g = RandomGenerator(seed: 21)
        let net = Seq2Seq(sourceVocabularySize: 12, targetVocabularySize: 12, embeddingDim: 16, hiddenSize: 32,
                          score: .general, generator: g)
        let body = Tensor.randint(3, 12, [16, 5], generator: g)                       // tokens 3…11
        let reversed = body[.all, .stride(by: -1)].contiguous()
        let bos = Tensor([Int64](repeating: 1, count: 16), shape: [16, 1])
        let eos = Tensor([Int64](repeating: 2, count: 16), shape: [16, 1])
        let targetInput = Tensor.concat([bos, reversed], axis: 1)                     // BOS y1 … y5
        let targetOutput = Tensor.concat([reversed, eos], axis: 1)                    // y1 … y5 EOS
        func loss() -> Tensor {
            let logits = net(source: body, targetInput: targetInput)                  // [16, 6, 12]
            return crossEntropy(logits.reshaped([-1, 12]), targetOutput.reshaped([-1]))
        }
        let first = GradMode.withoutGrad { loss().item() }
        for _ in 0..<150 {
            net.zeroGrad()
            loss().backward()
            GradMode.withoutGrad {
                for p in net.parameters() { if let grad = p.grad { p.value = p.value - grad * 1.0 } }
            }
        }
        let last = GradMode.withoutGrad { loss().item() }
        print("seq2seq reversal: teacher-forced loss \(first) → \(last) after 150 SGD steps")
        #expect(first > 2.2)
        #expect(last < 0.5 * first, "loss \(first) → \(last)")
    }

    @Test func stochasticDepthDropsWholeRowsInTrainingOnly() {
        let layer = StochasticDepth(p: 0.25, mode: .row, generator: RandomGenerator(seed: 3))
        let x = Tensor.ones([4000, 3, 2])
        let y = layer(x)
        let rows = y.reshaped([4000, 6]).toArray(as: Float.self)
        var kept = 0
        for r in 0..<4000 {
            let row = rows[(r * 6)..<(r * 6 + 6)]
            let allZero = row.allSatisfy { $0 == 0 }, allScaled = row.allSatisfy { Swift.abs($0 - 1 / 0.75) < 1e-6 }
            #expect(allZero || allScaled)
            if allScaled { kept += 1 }
        }
        #expect(Swift.abs(Double(kept) / 4000 - 0.75) < 0.03)
        layer.eval()
        #expect(layer(x).scalars == x.scalars)
        #expect(StochasticDepth(p: 1, mode: .batch).train()(x).scalars.allSatisfy { $0 == 0 })
    }

    @Test func googLeNetAuxiliaryHeadsOnlyInTraining() {
        let net = GoogLeNet(numClasses: 7, generator: RandomGenerator(seed: 4))
        let x = Tensor.randn([2, 3, 96, 96], seed: 5)
        let train = net.forwardWithAuxiliary(x)
        #expect(train.logits.shape == [2, 7] && train.aux1?.shape == [2, 7] && train.aux2?.shape == [2, 7])
        net.eval()
        let eval = GradMode.withoutGrad { net.forwardWithAuxiliary(x) }
        #expect(eval.logits.shape == [2, 7] && eval.aux1 == nil && eval.aux2 == nil)
    }

    // MARK: - Forward passes on a 224×224 image

    static func forward(_ net: Module, seed: UInt64) -> Tensor {
        net.eval()
        return GradMode.withoutGrad { net(Tensor.randn([1, 3, 224, 224], seed: seed)) }
    }

    @Test func cheapForwardPassesOnAnImage() {
        for (i, net) in [AlexNet() as Module, MobileNetV2(), GoogLeNet()].enumerated() {
            let y = Self.forward(net, seed: UInt64(30 + i))
            #expect(y.shape == [1, 1000] && y.scalars.allSatisfy { $0.isFinite }, "\(net.typeName)")
        }
    }

    @Test(.enabled(if: ArchitectureLogitsTests.heavy)) func heavyForwardPassesWithTimings() {
        let builders: [(String, () -> Module)] = [
            ("alexnet", { AlexNet() }), ("mobilenet_v2", { MobileNetV2() }), ("googlenet", { GoogLeNet() }),
            ("vgg16", { VGG.vgg16() }), ("efficientnet_b0", { EfficientNet(.b0) }),
        ]
        for (i, (name, build)) in builders.enumerated() {
            let net = build()
            _ = Self.forward(net, seed: 40)                                           // warm-up
            let t = Date()
            let y = Self.forward(net, seed: UInt64(41 + i))
            print("\(name): forward 1×3×224×224 in \(String(format: "%.3f", Date().timeIntervalSince(t))) s")
            #expect(y.shape == [1, 1000] && y.scalars.allSatisfy { $0.isFinite }, "\(name)")
        }
    }
}

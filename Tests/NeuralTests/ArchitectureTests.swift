import Foundation
import Testing
import Tensors
import Neural

/// Parameter counts equal torchvision's, state-dict keys match key for key, forward passes run.
@Suite struct ArchitectureTests {
    struct Reference: Decodable {
        var parameter_counts: [String: Int]
        var state_dict_keys: [String: [String]]
    }
    static let reference: Reference = {
        let url = Bundle.module.url(forResource: "architectures", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }()

    static var heavy: Bool { ProcessInfo.processInfo.environment["SWIFTLEARN_HEAVY_TESTS"] == "1" }

    @Test func parameterCountsEqualTorchvision() {
        let c = Self.reference.parameter_counts
        #expect(LeNet5().parameterCount == c["lenet5"])
        #expect(ResNet.resnet18().parameterCount == c["resnet18"])
        #expect(ResNet.resnet34().parameterCount == c["resnet34"])
        #expect(ResNet.resnet50().parameterCount == c["resnet50"])
        #expect(ResNet.resnet18(numClasses: 10).parameterCount == c["resnet18_10_classes"])
    }

    @Test func stateDictKeysEqualTorchvision() {
        #expect(ResNet.resnet18().orderedStateDict().map(\.0) == Self.reference.state_dict_keys["resnet18"])
        #expect(ResNet.resnet50().orderedStateDict().map(\.0) == Self.reference.state_dict_keys["resnet50"])
    }

    @Test func lenetForwardAndSummary() {
        let net = LeNet5(generator: RandomGenerator(seed: 1))
        let y = net(Tensor.randn([2, 1, 28, 28], seed: 2))
        #expect(y.shape == [2, 10])
        let s = net.summary(input: Tensor.zeros([1, 1, 28, 28]))
        #expect(s.contains("[1, 6, 14, 14]") && s.contains("[1, 400]") && s.contains("61,706"))
    }

    @Test func resnet18ForwardOnAnImage() {
        let net = ResNet.resnet18(generator: RandomGenerator(seed: 3)).eval()
        let y = GradMode.withoutGrad { net(Tensor.randn([1, 3, 224, 224], seed: 4)) }
        #expect(y.shape == [1, 1000])
        #expect(y.scalars.allSatisfy { $0.isFinite })
    }

    @Test func transferLearningHelpers() {
        let net = ResNet.resnet18(generator: RandomGenerator(seed: 5))
        net.fc = Linear(512, 10, generator: RandomGenerator(seed: 6))
        net.freeze()
        net.unfreeze(prefix: "fc")
        #expect(net.trainableParameters().count == 2)
        #expect(net.trainableParameterCount == 5130)
        let groups = ["layer4", "fc"].map { net.namedParameters(prefix: $0).count }
        #expect(groups == [15, 2])   // layer4: 2 blocks × 6 + downsample conv and bn (3)
        #expect(net.namedParameters(prefix: "layer1").allSatisfy { $0.0.hasPrefix("layer1.") })
    }

    @Test(.enabled(if: ArchitectureTests.heavy)) func heavyForwardPasses() {
        let x = Tensor.randn([1, 3, 224, 224], seed: 7)
        for (name, net) in [("resnet50", ResNet.resnet50() as Module)] {
            net.eval()
            let t = Date()
            let y = GradMode.withoutGrad { net(x) }
            print("\(name): forward 1×3×224×224 in \(String(format: "%.2f", Date().timeIntervalSince(t))) s")
            #expect(y.shape == [1, 1000])
        }
    }
}

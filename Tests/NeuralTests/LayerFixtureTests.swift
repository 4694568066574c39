import Foundation
import Testing
import Tensors
import Neural

/// Forward values and gradients of every layer and loss against PyTorch 2.13 (fixtures).
@Suite struct LayerFixtureTests {
    typealias F = LayerFixtures

    @Test func linear() throws {
        try F.check("linear", build: { Linear(5, 4, dtype: $0) }, run: { m, x in [m!(x[0])] })
        try F.check("linear_nobias_3d", build: { Linear(5, 4, bias: false, dtype: $0) }, run: { m, x in [m!(x[0])] })
    }

    @Test func activations() throws {
        let cases: [(String, Module)] = [
            ("relu", ReLU()), ("leaky_relu", LeakyReLU(negativeSlope: 0.1)), ("elu", ELU(alpha: 0.7)),
            ("gelu", GELU()), ("gelu_tanh", GELU(approximate: .tanh)), ("silu", SiLU()), ("sigmoid", Sigmoid()),
            ("tanh", Tanh()), ("softmax", Softmax(axis: 1)), ("log_softmax", LogSoftmax(axis: 0)),
        ]
        for (name, module) in cases {
            try F.check(name, build: { _ in module }, run: { m, x in [m!(x[0])] })
        }
    }

    @Test func crossEntropyVariants() throws {
        let w = { (dt: DType) in Tensor([0.5, 1.0, 2.0, 1.5, 0.25] as [Double]).to(dt) }
        try F.check("ce_mean", build: { _ in nil }, run: { _, x in [crossEntropy(x[0], x[1])] })
        try F.check("ce_sum", build: { _ in nil }, run: { _, x in [crossEntropy(x[0], x[1], reduction: .sum)] })
        try F.check("ce_none", build: { _ in nil }, run: { _, x in [crossEntropy(x[0], x[1], reduction: .none)] })
        try F.check("ce_weight_smooth_ignore", build: { _ in nil }, run: { _, x in
            [crossEntropy(x[0], x[1], weight: w(x[0].dtype), ignoreIndex: -100, labelSmoothing: 0.1)] })
        try F.check("ce_weight_none", build: { _ in nil }, run: { _, x in
            [crossEntropy(x[0], x[1], weight: w(x[0].dtype), reduction: .none, labelSmoothing: 0.2)] })
        try F.check("ce_probs", build: { _ in nil }, run: { _, x in
            [crossEntropy(x[0], x[1].detached(), weight: w(x[0].dtype), labelSmoothing: 0.1)] })
        try F.check("ce_kdim", build: { _ in nil }, run: { _, x in [crossEntropy(x[0], x[1], ignoreIndex: 1)] })
    }

    @Test func meanSquaredError() throws {
        try F.check("mse_mean", build: { _ in nil }, run: { _, x in [mseLoss(x[0], x[1])] })
        try F.check("mse_sum", build: { _ in nil }, run: { _, x in [mseLoss(x[0], x[1], reduction: .sum)] })
        try F.check("mse_none", build: { _ in nil }, run: { _, x in [mseLoss(x[0], x[1], reduction: .none)] })
    }
}

/// A module holding an LSTM under the key `lstm`, as the fixture script's wrapper does.
final class LSTMHolder: Module {
    var lstm: LSTM
    init(_ lstm: LSTM) { self.lstm = lstm; super.init() }
}

/// Convolution, pooling, batch norm, LSTM and embedding against PyTorch.
@Suite struct LayerFixtureSpatialTests {
    typealias F = LayerFixtures

    @Test func convolutions() throws {
        try F.check("conv2d_basic", build: { Conv2d(3, 4, kernelSize: 3, dtype: $0) }, run: { m, x in [m!(x[0])] })
        try F.check("conv2d_strided_grouped", build: { Conv2d(4, 6, kernelSize: 3, stride: 2, padding: 1, dilation: 2, groups: 2, dtype: $0) },
                    run: { m, x in [m!(x[0])] })
        try F.check("conv2d_rect_nobias", build: { Conv2d(2, 3, kernelSize: [2, 3], stride: [1, 2], padding: [1, 0], bias: false, dtype: $0) },
                    run: { m, x in [m!(x[0])] })
        try F.check("conv2d_pointwise", build: { Conv2d(3, 5, kernelSize: 1, dtype: $0) }, run: { m, x in [m!(x[0])] })
        try F.check("conv2d_depthwise", build: { Conv2d(4, 4, kernelSize: 3, padding: 1, groups: 4, dtype: $0) }, run: { m, x in [m!(x[0])] })
    }

    @Test func pooling() throws {
        let cases: [(String, Module)] = [
            ("maxpool2d", MaxPool2d(kernelSize: 2)),
            ("maxpool2d_pad_ceil", MaxPool2d(kernelSize: 3, stride: 2, padding: 1, ceilMode: true)),
            ("avgpool2d", AvgPool2d(kernelSize: 2)),
            ("avgpool2d_pad", AvgPool2d(kernelSize: 3, stride: 2, padding: 1)),
            ("avgpool2d_pad_exclude_ceil", AvgPool2d(kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false)),
            ("adaptive_avgpool2d", AdaptiveAvgPool2d([3, 2])),
            ("adaptive_avgpool2d_1", AdaptiveAvgPool2d(1)),
        ]
        for (name, module) in cases { try F.check(name, build: { _ in module }, run: { m, x in [m!(x[0])] }) }
    }

    @Test func batchNorm() throws {
        try F.check("batchnorm1d_train", build: { BatchNorm1d(4, dtype: $0) }, run: { m, x in [m!(x[0])] })
        try F.check("batchnorm1d_3d_train", build: { BatchNorm1d(3, momentum: nil, dtype: $0) }, run: { m, x in [m!(x[0])] })
        try F.check("batchnorm2d_train", build: { BatchNorm2d(3, dtype: $0) }, run: { m, x in [m!(x[0])] })
        try F.check("batchnorm2d_eval", build: { BatchNorm2d(3, dtype: $0).eval() }, run: { m, x in [m!(x[0])] })
    }

    @Test func lstm() throws {
        try F.check("lstm_basic", build: { LSTM(inputSize: 4, hiddenSize: 5, dtype: $0) }, run: { m, x in
            let (o, (h, c)) = (m as! LSTM)(x[0], state: nil); return [o, h, c] })
        try F.check("lstm_deep_bidir_batch_first", build: {
            LSTM(inputSize: 4, hiddenSize: 5, numLayers: 2, batchFirst: true, bidirectional: true, dtype: $0) }, run: { m, x in
            let (o, (h, c)) = (m as! LSTM)(x[0], state: nil); return [o, h, c] })
        try F.check("lstm_state", build: { LSTMHolder(LSTM(inputSize: 3, hiddenSize: 4, numLayers: 2, bias: false, dtype: $0)) }, run: { m, x in
            let (o, (h, c)) = (m as! LSTMHolder).lstm(x[0], state: (x[1], x[2])); return [o, h, c] })
    }

    @Test func embedding() throws {
        try F.check("embedding", build: { Embedding(10, 4, dtype: $0) }, run: { m, x in [m!(x[0])] })
        try F.check("embedding_padding", build: { Embedding(6, 3, paddingIndex: 2, dtype: $0) }, run: { m, x in [m!(x[0])] })
    }
}

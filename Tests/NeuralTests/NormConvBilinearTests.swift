import Foundation
import Testing
import Tensors
import Neural

/// The PyTorch reference values written by scripts/fixtures/make_neural_norm_attention_rnn_fixtures.py.
enum NormAttentionRNNFixtures {
    static let tensors = LayerFixtures.load("layers_norm_attention_rnn")

    /// Runs one case of layers_norm_attention_rnn.safetensors (see ``LayerFixtures/check(_:in:build:run:sourceLocation:)``).
    @discardableResult
    static func check(_ name: String, build: (DType) -> Module?, run: (Module?, [Tensor]) -> [Tensor],
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> [DType: Double] {
        try LayerFixtures.check(name, in: tensors, build: build, run: run, sourceLocation: sourceLocation)
    }
}

/// Normalization, 1-D and transposed convolution and the bilinear layer against PyTorch 2.13.
@Suite struct NormConvBilinearTests {
    typealias F = NormAttentionRNNFixtures
    let single: (Module?, [Tensor]) -> [Tensor] = { m, x in [m!(x[0])] }

    @Test func layerNorm() throws {
        try F.check("layernorm", build: { LayerNorm(6, dtype: $0) }, run: single)
        try F.check("layernorm_2d_shape", build: { LayerNorm([3, 4], eps: 1e-3, dtype: $0) }, run: single)
        try F.check("layernorm_nobias", build: { LayerNorm(5, bias: false, dtype: $0) }, run: single)
        try F.check("layernorm_noaffine", build: { LayerNorm(5, elementwiseAffine: false, dtype: $0) }, run: single)
    }

    @Test func groupNorm() throws {
        try F.check("groupnorm", build: { GroupNorm(2, 6, dtype: $0) }, run: single)
        try F.check("groupnorm_1d_instance", build: { GroupNorm(4, 4, eps: 1e-3, dtype: $0) }, run: single)
        try F.check("groupnorm_noaffine", build: { GroupNorm(3, 6, affine: false, dtype: $0) }, run: single)
    }

    @Test func rmsNorm() throws {
        try F.check("rmsnorm", build: { RMSNorm(6, dtype: $0) }, run: single)
        try F.check("rmsnorm_eps_2d", build: { RMSNorm([2, 5], eps: 1e-6, dtype: $0) }, run: single)
        try F.check("rmsnorm_noaffine", build: { RMSNorm(4, elementwiseAffine: false, dtype: $0) }, run: single)
    }

    @Test func conv1d() throws {
        try F.check("conv1d", build: { Conv1d(3, 4, kernelSize: 3, dtype: $0) }, run: single)
        try F.check("conv1d_strided_dilated_grouped", build: { Conv1d(4, 6, kernelSize: 3, stride: 2, padding: 2, dilation: 2, groups: 2, dtype: $0) },
                    run: single)
        try F.check("conv1d_unbatched_nobias", build: { Conv1d(2, 3, kernelSize: 1, bias: false, dtype: $0) }, run: single)
        try F.check("conv1d_same_even_dilated", build: { Conv1d(3, 4, kernelSize: 4, padding: .same, dilation: 2, dtype: $0) }, run: single)
        try F.check("conv1d_valid", build: { Conv1d(3, 2, kernelSize: 3, padding: .valid, bias: false, dtype: $0) }, run: single)
        try F.check("conv1d_reflect", build: { Conv1d(3, 4, kernelSize: 3, padding: 2, paddingMode: .reflect, dtype: $0) }, run: single)
        try F.check("conv1d_circular_same", build: { Conv1d(2, 3, kernelSize: 5, padding: .same, paddingMode: .circular, dtype: $0) }, run: single)
        try F.check("conv2d_same_even", build: { Conv2d(2, 3, kernelSize: [4, 3], padding: .same, dtype: $0) }, run: single)
        try F.check("conv2d_replicate_strided", build: { Conv2d(2, 3, kernelSize: 3, stride: 2, padding: 1, paddingMode: .replicate, dtype: $0) },
                    run: single)
        try F.check("conv2d_reflect_same_dilated", build: {
            Conv2d(2, 2, kernelSize: 3, padding: .same, dilation: [1, 2], paddingMode: .reflect, dtype: $0) }, run: single)
    }

    @Test func convTranspose2d() throws {
        try F.check("convtranspose2d", build: { ConvTranspose2d(3, 4, kernelSize: 3, dtype: $0) }, run: single)
        try F.check("convtranspose2d_strided", build: {
            ConvTranspose2d(4, 6, kernelSize: [3, 2], stride: 2, padding: 1, outputPadding: 1, groups: 2, dtype: $0) }, run: single)
        try F.check("convtranspose2d_dilated", build: {
            ConvTranspose2d(2, 3, kernelSize: 3, stride: [1, 2], padding: [2, 1], outputPadding: [1, 0], bias: false, dilation: 2, dtype: $0) },
                    run: single)
        try F.check("convtranspose2d_pointwise_unbatched", build: { ConvTranspose2d(3, 2, kernelSize: 1, dtype: $0) }, run: single)
        try F.check("convtranspose2d_output_size", build: { ConvTranspose2d(3, 2, kernelSize: 3, stride: 2, padding: 1, dtype: $0) },
                    run: { m, x in [(m as! ConvTranspose2d)(x[0], outputSize: [8, 10])] })
    }

    @Test func bilinear() throws {
        try F.check("bilinear", build: { Bilinear(3, 4, 5, dtype: $0) }, run: { m, x in [(m as! Bilinear)(x[0], x[1])] })
        try F.check("bilinear_3d_nobias", build: { Bilinear(2, 3, 4, bias: false, dtype: $0) }, run: { m, x in [(m as! Bilinear)(x[0], x[1])] })
    }
}

/// Parameter counts and names of each layer of the normalization, attention and recurrent set in a default configuration, against PyTorch.
@Suite struct LayerParameterCountTests {
    static let counts: [String: (parameters: Int, names: [String])] = {
        let url = Bundle.module.url(forResource: "layer_parameter_counts", withExtension: "json", subdirectory: "Fixtures")!
        let json = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: [String: Any]]
        return json.mapValues { ($0["parameters"] as! Int, $0["names"] as! [String]) }
    }()

    /// The layers built as the fixture script's `count(...)` lines build them.
    static let layers: [String: () -> Module] = [
        "layernorm": { LayerNorm(64) }, "groupnorm": { GroupNorm(4, 32) }, "rmsnorm": { RMSNorm(48) },
        "conv1d": { Conv1d(16, 32, kernelSize: 5, groups: 4) },
        "convtranspose2d": { ConvTranspose2d(16, 8, kernelSize: 4, stride: 2, groups: 2) },
        "bilinear": { Bilinear(10, 20, 30) },
        "rnn": { RNN(inputSize: 10, hiddenSize: 20, numLayers: 2, bidirectional: true) },
        "gru": { GRU(inputSize: 10, hiddenSize: 20, numLayers: 2) },
        "mha": { MultiheadAttention(embedDim: 32, numHeads: 4) },
        "mha_kdim": { MultiheadAttention(embedDim: 32, numHeads: 4, bias: false, kdim: 16, vdim: 8) },
        "encoder_layer": { TransformerEncoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64) },
        "decoder_layer": { TransformerDecoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64, bias: false) },
        "learned_positions": { LearnedPositionalEmbedding(maxLength: 50, dModel: 16) },
        "transformer": { TransformerModel(dModel: 32, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64) },
        "mha_bias_kv": { MultiheadAttention(embedDim: 32, numHeads: 4, addBiasKV: true) },
    ]

    @Test func countsAndNamesMatchPyTorch() throws {
        for (name, make) in Self.layers {
            let expected = try #require(Self.counts[name], "\(name) missing from layer_parameter_counts.json")
            let m = make()
            #expect(m.parameterCount == expected.parameters, "\(name): \(m.parameterCount) vs \(expected.parameters)")
            #expect(m.namedParameters().map(\.0) == expected.names, "\(name)")
        }
        #expect(Set(Self.layers.keys) == Set(Self.counts.keys), "every counted layer is built")
    }
}

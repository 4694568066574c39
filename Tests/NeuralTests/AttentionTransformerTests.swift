import Testing
import Tensors
import Neural

/// A module holding a ``Residual`` body and shortcut as the fixture script's `Residual` does.
private func residualMLP(_ dt: DType) -> Module {
    Residual(Sequential(Linear(4, 6, dtype: dt), ReLU(), Linear(6, 4, dtype: dt)))
}

/// Attention, transformer layers, positional encodings and residual blocks against PyTorch 2.13.
@Suite struct AttentionTransformerTests {
    typealias F = NormAttentionRNNFixtures

    func outputs(_ r: (output: Tensor, weights: Tensor?)) -> [Tensor] { [r.output] + (r.weights.map { [$0] } ?? []) }

    @Test func multiheadAttention() throws {
        try F.check("mha_cross", build: { MultiheadAttention(embedDim: 8, numHeads: 2, dtype: $0) }, run: { m, x in
            outputs((m as! MultiheadAttention)(x[0], x[1], x[2])) })
        // Causal flag without a mask here; PyTorch gets the same mask explicitly.
        try F.check("mha_self_causal_heads", build: { MultiheadAttention(embedDim: 8, numHeads: 4, batchFirst: true, dtype: $0) }, run: { m, x in
            outputs((m as! MultiheadAttention)(x[0], x[0], x[0], averageAttnWeights: false, isCausal: true)) })
        try F.check("mha_kdim_vdim_masks", build: { MultiheadAttention(embedDim: 8, numHeads: 2, kdim: 6, vdim: 4, batchFirst: true, dtype: $0) },
                    run: { m, x in outputs((m as! MultiheadAttention)(x[0], x[1], x[2], keyPaddingMask: x[3], attnMask: x[4].detached())) })
        try F.check("mha_nobias_unbatched_bool_mask", build: { MultiheadAttention(embedDim: 6, numHeads: 3, bias: false, dtype: $0) },
                    run: { m, x in outputs((m as! MultiheadAttention)(x[0], x[1], x[1], needWeights: false, attnMask: x[2])) })
        try F.check("mha_3d_mask", build: { MultiheadAttention(embedDim: 4, numHeads: 2, batchFirst: true, dtype: $0) }, run: { m, x in
            outputs((m as! MultiheadAttention)(x[0], x[0], x[0], attnMask: x[1])) })
    }

    @Test func transformerLayers() throws {
        try F.check("encoder_post", build: { TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, batchFirst: true, dtype: $0) },
                    run: { m, x in [(m as! TransformerEncoderLayer)(x[0], keyPaddingMask: x[1])] })
        try F.check("encoder_pre_gelu_causal", build: {
            TransformerEncoderLayer(dModel: 8, nhead: 4, dimFeedforward: 12, dropout: 0, activation: .gelu, normFirst: true, dtype: $0) },
                    run: { m, x in [(m as! TransformerEncoderLayer)(x[0], isCausal: true)] })
        try F.check("decoder_post", build: { TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, batchFirst: true, dtype: $0) },
                    run: { m, x in [(m as! TransformerDecoderLayer)(x[0], memory: x[1], tgtMask: x[2], memoryKeyPaddingMask: x[3], tgtIsCausal: true)] })
        try F.check("decoder_pre_gelu", build: {
            TransformerDecoderLayer(dModel: 8, nhead: 4, dimFeedforward: 12, dropout: 0, activation: .gelu, normFirst: true, dtype: $0) },
                    run: { m, x in [(m as! TransformerDecoderLayer)(x[0], memory: x[1])] })
    }

    @Test func transformerStacksAndExtraKeys() throws {
        try F.check("encoder_stack", build: { dt in
            TransformerEncoder(TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, batchFirst: true, dtype: dt),
                               numLayers: 2, norm: LayerNorm(8, dtype: dt)) },
                    run: { m, x in [(m as! TransformerEncoder)(x[0], mask: x[1], srcKeyPaddingMask: x[2])] })
        try F.check("decoder_stack_pre", build: { dt in
            TransformerDecoder(TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, batchFirst: true, normFirst: true,
                                                       dtype: dt), numLayers: 2, norm: LayerNorm(8, dtype: dt)) },
                    run: { m, x in [(m as! TransformerDecoder)(x[0], memory: x[1], tgtMask: x[2], memoryKeyPaddingMask: x[3])] })
        try F.check("transformer_full", build: { dt in
            TransformerModel(dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0, dtype: dt) },
                    run: { m, x in
            // Our causal mask must be PyTorch's generate_square_subsequent_mask.
            #expect(TransformerModel.squareSubsequentMask(4, dtype: .float64).scalars == x[2].to(.float64).scalars)
            return [(m as! TransformerModel)(x[0], x[1], tgtMask: x[2].detached(), srcKeyPaddingMask: x[3], memoryKeyPaddingMask: x[3])] })
        try F.check("mha_bias_kv_zero_attn", build: {
            MultiheadAttention(embedDim: 8, numHeads: 2, addBiasKV: true, addZeroAttn: true, batchFirst: true, dtype: $0) },
                    run: { m, x in outputs((m as! MultiheadAttention)(x[0], x[1], x[1], keyPaddingMask: x[2], attnMask: x[3])) })
        try F.check("mha_zero_attn_unbatched", build: { MultiheadAttention(embedDim: 6, numHeads: 3, addZeroAttn: true, dtype: $0) },
                    run: { m, x in outputs((m as! MultiheadAttention)(x[0], x[1], x[1], averageAttnWeights: false)) })
        try F.check("mha_bias_kv_float_mask", build: { MultiheadAttention(embedDim: 4, numHeads: 2, addBiasKV: true, dtype: $0) },
                    run: { m, x in outputs((m as! MultiheadAttention)(x[0], x[1], x[1], attnMask: x[2].detached())) })
    }

    /// Stacked layers start as copies with equal weights but their own storage: training one
    /// must not move the others.
    @Test func stackedLayersAreIndependentCopies() {
        let proto = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0)
        let encoder = TransformerEncoder(proto, numLayers: 3)
        let keys = proto.stateDict().keys
        for layer in encoder.layers {
            for k in keys { #expect(layer.stateDict()[k]!.scalars == proto.stateDict()[k]!.scalars, "\(k)") }
        }
        let before = encoder.layers[1].linear1.weight.value.scalars
        let x = Tensor.randn([5, 2, 8], seed: 3)
        let opt = SGD(encoder.layers[0].parameters(), learningRate: 0.5)
        encoder.layers[0](x).square().sum().backward()
        opt.step()
        #expect(encoder.layers[0].linear1.weight.value.scalars != before)
        #expect(encoder.layers[1].linear1.weight.value.scalars == before)
        #expect(proto.linear1.weight.value.scalars == before)
    }

    @Test func positionalEncodingsAndResidual() throws {
        try F.check("sinusoidal", build: { SinusoidalPositionalEncoding(dModel: 9, maxLength: 20, dtype: $0).eval() }, run: { m, x in [m!(x[0])] })
        try F.check("learned_positions", build: { LearnedPositionalEmbedding(maxLength: 10, dModel: 4, dtype: $0) }, run: { m, x in [m!(x[0])] })
        try F.check("rope_halves", build: { _ in nil }, run: { _, x in [applyRotaryEmbedding(x[0], offset: 2)] })
        try F.check("rope_interleaved_partial", build: { _ in RotaryEmbedding(dim: 4, base: 500, layout: .interleaved) },
                    run: { m, x in [m!(x[0])] })
        try F.check("residual", build: residualMLP, run: { m, x in [m!(x[0])] })
        try F.check("residual_shortcut", build: { Residual(Linear(4, 3, dtype: $0), shortcut: Linear(4, 3, bias: false, dtype: $0)) },
                    run: { m, x in [m!(x[0])] })
    }

    @Test func attentionWeightsAreDistributionsAndCausal() {
        let mha = MultiheadAttention(embedDim: 8, numHeads: 2, batchFirst: true, dtype: .float64, generator: RandomGenerator(seed: 3))
        let x = Tensor.randn([2, 5, 8], dtype: .float64, seed: 4)
        let pad = Tensor([[false, false, true, true, true], [false, false, false, false, false]] as [[Bool]])
        let (_, w) = mha(x, x, x, keyPaddingMask: pad, isCausal: true)
        let weights = w!.scalars
        for b in 0..<2 {
            for i in 0..<5 {
                let row = (0..<5).map { weights[(b * 5 + i) * 5 + $0] }
                #expect(Swift.abs(row.reduce(0, +) - 1) < 1e-12)
                for j in 0..<5 where j > i || (b == 0 && j >= 2) { #expect(row[j] == 0) }
            }
        }
    }
}

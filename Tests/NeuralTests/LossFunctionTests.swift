import Testing
import Tensors
import Neural

/// L1, Huber, smooth L1, BCE, BCE with logits, NLL, KL divergence, cosine embedding and triplet
/// margin losses against `torch.nn.functional` (values and gradients for input and target).
@Suite struct LossFunctionTests {
    typealias F = NormAttentionRNNFixtures

    /// Checks `<name>_mean`, `_sum` and `_none`.
    func checkReductions(_ name: String, _ loss: @escaping ([Tensor], LossReduction) -> Tensor,
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
        for reduction in LossReduction.allCases {
            try F.check("\(name)_\(reduction.rawValue)", build: { _ in nil }, run: { _, x in [loss(x, reduction)] },
                        sourceLocation: sourceLocation)
        }
    }

    @Test func regressionLosses() throws {
        try checkReductions("l1") { l1Loss($0[0], $0[1], reduction: $1) }
        try checkReductions("huber") { huberLoss($0[0], $0[1], reduction: $1, delta: 0.7) }
        try checkReductions("smooth_l1") { smoothL1Loss($0[0], $0[1], reduction: $1, beta: 0.5) }
        try checkReductions("smooth_l1_beta0") { smoothL1Loss($0[0], $0[1], reduction: $1, beta: 0) }
    }

    @Test func binaryCrossEntropyLosses() throws {
        try checkReductions("bce") { binaryCrossEntropy($0[0], $0[1], reduction: $1) }
        try checkReductions("bce_weight") { binaryCrossEntropy($0[0], $0[1], weight: $0[2].detached(), reduction: $1) }
        try checkReductions("bce_logits") { binaryCrossEntropyWithLogits($0[0], $0[1], reduction: $1) }
        try checkReductions("bce_logits_pos_weight") {
            binaryCrossEntropyWithLogits($0[0], $0[1], weight: $0[2].detached(), posWeight: $0[3].detached(), reduction: $1)
        }
    }

    @Test func negativeLogLikelihood() throws {
        try checkReductions("nll") { nllLoss($0[0], $0[1], reduction: $1) }
        try checkReductions("nll_weight_ignore") { nllLoss($0[0], $0[1], weight: $0[2].detached(), ignoreIndex: 2, reduction: $1) }
        try checkReductions("nll_kdim") { nllLoss($0[0], $0[1], reduction: $1) }
    }

    @Test func klDivergenceReductions() throws {
        let names: [(String, KLDivergenceReduction)] = [("mean", .mean), ("batchmean", .batchMean), ("sum", .sum), ("none", .none)]
        for (name, reduction) in names {
            try F.check("kl_\(name)", build: { _ in nil }, run: { _, x in [klDivergence(x[0], x[1], reduction: reduction)] })
            try F.check("kl_log_target_\(name)", build: { _ in nil }, run: { _, x in
                [klDivergence(x[0], x[1], reduction: reduction, logTarget: true)] })
        }
    }

    @Test func embeddingLosses() throws {
        try checkReductions("cosine_embedding") { cosineEmbeddingLoss($0[0], $0[1], $0[2], margin: 0.2, reduction: $1) }
        try checkReductions("triplet") { tripletMarginLoss($0[0], $0[1], $0[2], margin: 1.5, reduction: $1) }
        try checkReductions("triplet_p1_swap") { tripletMarginLoss($0[0], $0[1], $0[2], margin: 2, p: 1, swap: true, reduction: $1) }
        try checkReductions("triplet_p3") { tripletMarginLoss($0[0], $0[1], $0[2], margin: 1, p: 3, reduction: $1) }
    }

    @Test func logitsFormIsStableWhereProbabilitiesOverflow() {
        // σ(±60) rounds to 0/1 in float32; the logits form stays exact: BCE(x=60, y=0) = 60.
        let x = Tensor([60, -60, 0] as [Float]), y = Tensor([0, 1, 1] as [Float])
        let l = binaryCrossEntropyWithLogits(x, y, reduction: .none).scalars
        #expect(Swift.abs(l[0] - 60) < 1e-4 && Swift.abs(l[1] - 60) < 1e-4 && Swift.abs(l[2] - 0.6931472) < 1e-6)
        // The probability form clamps log at −100 as PyTorch does.
        #expect(binaryCrossEntropy(Tensor([0, 1] as [Float]), Tensor([1, 0] as [Float]), reduction: .none).scalars == [100, 100])
    }
}

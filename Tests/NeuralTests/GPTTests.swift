import Foundation
import Testing
import Tensors
import Neural
import TestSupport

/// The fused attention kernels and the GPT model against PyTorch 2.15 (scripts/fixtures/make_gpt_fixtures.py).
@Suite("GPT and fused attention against PyTorch")
struct GPTTests {
    static let fixtures = LayerFixtures.load("gpt")

    static func get(_ key: String) -> Tensor {
        guard let t = fixtures[key] else { fatalError("fixture key \(key) missing; rerun make_gpt_fixtures.py") }
        return t
    }

    @Test("scaledDotProductAttention equals F.scaled_dot_product_attention with every gradient (float64 ≤ 1e-10, float32 ≤ 1e-4)",
          arguments: [("sdpa_full", false, nil), ("sdpa_causal", true, nil), ("sdpa_causal_ls", true, nil), ("sdpa_scaled", false, 0.3)] as [(String, Bool, Double?)])
    func attention(_ name: String, _ causal: Bool, _ scale: Double?) throws {
        for dt in [DType.float64, .float32] {
            let q = Self.get("\(name)|q").to(dt).requiringGrad(), k = Self.get("\(name)|k").to(dt).requiringGrad()
            let v = Self.get("\(name)|v").to(dt).requiringGrad()
            let y = scaledDotProductAttention(q, k, v, isCausal: causal, scale: scale)
            (y * Self.get("\(name)|gout").to(dt)).sum().backward()
            let tol = LayerFixtures.tolerance(dt)
            #expect(LayerFixtures.maxError(y.to(.float64), Self.get("\(name)|out")) <= tol, "\(name) \(dt) out")
            for (t, key) in [(q, "g_q"), (k, "g_k"), (v, "g_v")] {
                #expect(LayerFixtures.maxError(try #require(t.grad).to(.float64), Self.get("\(name)|\(key)")) <= tol, "\(name) \(dt) \(key)")
            }
        }
    }

    @Test("causalSelfAttention on a packed QKV equals split + scaledDotProductAttention + merge, values and gradient")
    func packedAttention() throws {
        let generator = RandomGenerator(seed: 3)
        let (b, t, c, heads) = (2, 9, 12, 3)
        let qkv = Tensor.randn([b, t, 3 * c], dtype: .float64, generator: generator).requiringGrad()
        let upstream = Tensor.randn([b, t, c], dtype: .float64, generator: generator)
        let packed = causalSelfAttention(packed: qkv, heads: heads)
        (packed * upstream).sum().backward()
        let fused = try #require(qkv.grad)

        let reference = qkv.detached().requiringGrad()
        let parts = reference.reshaped([b, t, 3, heads, c / heads]).permuted([2, 0, 3, 1, 4])
        let y = scaledDotProductAttention(parts[0], parts[1], parts[2], isCausal: true).permuted([0, 2, 1, 3]).reshaped([b, t, c])
        (y * upstream).sum().backward()
        #expect(LayerFixtures.maxError(packed, y) <= 1e-12)
        #expect(LayerFixtures.maxError(fused, try #require(reference.grad)) <= 1e-12)
    }

    @Test("GPT forward, loss and every parameter gradient equal the PyTorch twin (float64 ≤ 1e-10)", arguments: ["gpt_bias", "gpt_nobias"])
    func gpt(_ name: String) throws {
        let config = GPTConfiguration(vocabularySize: 11, contextLength: 8, layers: 2, heads: 2, embedding: 8, bias: name == "gpt_bias")
        let model = GPT(config, dtype: .float64, generator: RandomGenerator(seed: 1))
        var state: [String: Tensor] = [:]
        for (k, v) in Self.fixtures where k.hasPrefix("\(name)|p|") { state[String(k.dropFirst(name.count + 3))] = v }
        try model.loadStateDict(state)
        #expect(model.parameters().reduce(0) { $0 + $1.value.count } == config.parameterCount)
        let idx = Self.get("\(name)|idx"), targets = Self.get("\(name)|targets")
        let logits = model(idx)
        #expect(LayerFixtures.maxError(logits, Self.get("\(name)|logits")) <= 1e-10)
        let loss = model.loss(idx, targets: targets)
        #expect(abs(loss.item() - Self.get("\(name)|loss").scalars[0]) <= 1e-10)
        loss.backward()
        var checked = 0
        for (key, p) in model.namedParameters() {
            let expected = Self.get("\(name)|g|\(key)")
            let error = LayerFixtures.maxError(try #require(p.grad, "\(key) has no gradient"), expected)
            #expect(error <= 1e-10, "\(name) gradient of \(key): \(error)")
            checked += 1
        }
        #expect(checked == Self.fixtures.keys.filter { $0.hasPrefix("\(name)|g|") }.count)
    }

    @Test("GPT state-dict keys are GPT-2's, the head is tied, initialisation is nanoGPT's, bad sizes are refused")
    func structure() throws {
        let config = GPTConfiguration(vocabularySize: 65, contextLength: 32, layers: 3, heads: 4, embedding: 64)
        let model = GPT(config, generator: RandomGenerator(seed: 7))
        let keys = model.orderedStateDict().map(\.0)
        #expect(keys.contains("transformer.h.2.attn.c_attn.weight") && keys.contains("transformer.h.0.mlp.c_fc.bias")
                && keys.contains("transformer.ln_f.weight") && keys.contains("lm_head.weight") && keys.contains("transformer.wpe.weight"))
        #expect(model.lmHead.weight === model.transformer.wte.weight)
        #expect(model.parameters().reduce(0) { $0 + $1.value.count } == config.parameterCount)
        func std(_ t: Tensor) -> Double {
            let s = t.to(.float64).scalars, m = s.reduce(0, +) / Double(s.count)
            return (s.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(s.count)).squareRoot()
        }
        #expect(abs(std(model.transformer.h[0].attention.cAttn.weight.value) - 0.02) < 0.002)
        #expect(abs(std(model.transformer.h[0].mlp.cProj.weight.value) - 0.02 / 6.0.squareRoot()) < 0.001)
        #expect(model.transformer.h[1].mlp.cFc.bias!.value.to(.float64).scalars.allSatisfy { $0 == 0 })
        let groups = model.parameterGroups(weightDecay: 0.1)
        #expect(groups[0].parameters.allSatisfy { $0.value.rank == 2 } && groups[1].parameters.allSatisfy { $0.value.rank == 1 })
        #expect(groups[0].parameters.count + groups[1].parameters.count == model.parameters().count)
        #expect(GPTConfiguration(vocabularySize: 10, heads: 3, embedding: 128).problems.count == 1)
        #expect(GPTConfiguration(vocabularySize: 0, contextLength: 0, dropout: 1).problems.count == 3)
    }

    @Test("GPT training with dropout takes the composed attention path and still learns a repeated sequence")
    func learnsWithDropout() throws {
        let config = GPTConfiguration(vocabularySize: 5, contextLength: 8, layers: 1, heads: 2, embedding: 16, dropout: 0.1)
        let model = GPT(config, generator: RandomGenerator(seed: 2))
        let pattern: [Int64] = (0..<9).map { Int64($0 % 5) }
        let idx = Tensor(Array(pattern[0..<8]), shape: [1, 8]), targets = Tensor(Array(pattern[1..<9]), shape: [1, 8])
        let optimizer = AdamW(groups: model.parameterGroups(weightDecay: 0.01), learningRate: 1e-2)
        let first = model.loss(idx, targets: targets).item()
        for _ in 0..<60 {
            optimizer.zeroGrad()
            model.loss(idx, targets: targets).backward()
            optimizer.step()
        }
        model.eval()
        let last = model.loss(idx, targets: targets).item()
        #expect(first > 1.2 && last < 0.2, "loss \(first) → \(last)")
    }

    @Test("Sequence log-probabilities, DPO (± label smoothing) and distillation equal PyTorch with their gradients (float64 ≤ 1e-10)")
    func preferenceLosses() throws {
        let logits = Self.get("seqlogp|logits").requiringGrad()
        let logp = sequenceLogProbabilities(logits, targets: Self.get("seqlogp|targets"))
        #expect(LayerFixtures.maxError(logp, Self.get("seqlogp|logp")) <= 1e-10)
        (logp * Self.get("seqlogp|gout")).sum().backward()
        #expect(LayerFixtures.maxError(try #require(logits.grad), Self.get("seqlogp|g_logits")) <= 1e-10)
        for (name, beta, eps) in [("dpo", 0.1, 0.0), ("dpo_smooth", 0.5, 0.1)] {
            let pc = Self.get("\(name)|pc").requiringGrad(), pr = Self.get("\(name)|pr").requiringGrad()
            let loss = dpoLoss(policyChosen: pc, policyRejected: pr, referenceChosen: Self.get("\(name)|rc"),
                               referenceRejected: Self.get("\(name)|rr"), beta: beta, labelSmoothing: eps)
            #expect(abs(loss.item() - Self.get("\(name)|loss").scalars[0]) <= 1e-10, "\(name) loss")
            loss.backward()
            #expect(LayerFixtures.maxError(try #require(pc.grad), Self.get("\(name)|g_pc")) <= 1e-10, "\(name) d/dpc")
            #expect(LayerFixtures.maxError(try #require(pr.grad), Self.get("\(name)|g_pr")) <= 1e-10, "\(name) d/dpr")
        }
        let student = Self.get("distill|student").requiringGrad()
        let loss = distillationLoss(student: student, teacher: Self.get("distill|teacher"), temperature: 2, alpha: 0.7, labels: Self.get("distill|labels"))
        #expect(abs(loss.item() - Self.get("distill|loss").scalars[0]) <= 1e-10)
        loss.backward()
        #expect(LayerFixtures.maxError(try #require(student.grad), Self.get("distill|g_student")) <= 1e-10)
    }
}

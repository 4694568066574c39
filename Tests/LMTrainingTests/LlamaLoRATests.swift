import Foundation
import Testing
import LLM
import LMTraining
import Neural
import Tensors
import TestSupport

@Suite("Trainable Llama and LoRA adapters")
struct LlamaLoRATests {
    static let url = Bundle.module.url(forResource: "tiny_llama", withExtension: "gguf", subdirectory: "Fixtures")!
    static let ids: [Int] = [1, 17, 42, 5, 99, 3, 64, 8, 23, 11]

    static func load() throws -> LlamaCausalLM {
        let model = try LlamaCausalLM.load(gguf: GGUFFile(contentsOf: url))
        model.eval()
        return model
    }

    static func logits(_ model: LlamaCausalLM, _ ids: [Int] = ids) -> [Float] {
        model(Tensor(ids.map(Int64.init), shape: [1, ids.count])).toArray(as: Float.self)
    }

    static func worst(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? .infinity
    }

    @Test("A GGUF Llama loaded for training gives the runtime's float32 logits (≤ 1e-4)")
    func matchesTheRuntime() throws {
        let model = try Self.load()
        let c = model.configuration
        let runtime = try LlamaModel(file: GGUFFile(contentsOf: Self.url), precision: .float32)
        #expect(c.vocabularySize == runtime.configuration.vocabularySize && c.layers == runtime.configuration.layerCount)
        let ids = Self.ids.filter { $0 < c.vocabularySize }
        let ours = Self.logits(model, ids)
        let session = try runtime.makeSession()
        var theirs: [Float] = []
        for id in ids { theirs += try session.evaluate(id) }
        let e = Self.worst(ours, theirs)
        #expect(e <= 1e-4, "largest scaled logit difference \(e)")
    }

    @Test("Hugging Face's row order with rotate_half gives the same attention scores as llama.cpp's order with adjacent pairs")
    func rowOrder() throws {
        let g = RandomGenerator(seed: 5)
        let (heads, d, width, t) = (3, 8, 12, 5)
        let w = Tensor.randn([heads * d, width], dtype: .float64, generator: g), x = Tensor.randn([t, width], dtype: .float64, generator: g)
        let hf = LlamaCausalLM.huggingFaceRowOrder(w, heads: heads)
        func scores(_ weight: Tensor, _ layout: RotaryLayout) -> [Double] {
            let q = applyRotaryEmbedding(x.matmul(weight.transposed(0, 1)).reshaped([t, heads, d]).permuted([1, 0, 2]), layout: layout)
            return q.matmul(q.transposed(-2, -1)).scalars
        }
        let a = scores(w, .interleaved), b = scores(hf, .halves)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-10 })
        #expect(hf.scalars != w.scalars)
    }

    @Test("LoRA: a fresh adapter changes nothing, only adapters get gradients, merge equals the adapter path, unmerge restores the weight")
    func adapters() throws {
        let model = try Self.load()
        let before = Self.logits(model)
        let adapted = try LoRA.attach(to: model, LoRAConfiguration(rank: 4, alpha: 8, targetModules: ["q_proj", "v_proj"]), generator: RandomGenerator(seed: 1))
        #expect(adapted.count == 2 * model.configuration.layers)
        #expect(Self.logits(model) == before)
        // Train a little so B is non-zero.
        model.train()
        let idx = Tensor(Self.ids.dropLast().map(Int64.init), shape: [1, Self.ids.count - 1])
        let targets = Tensor(Self.ids.dropFirst().map(Int64.init), shape: [1, Self.ids.count - 1])
        let trainable = model.parameters().filter(\.requiresGrad)
        #expect(trainable.count == 4 * model.configuration.layers)
        let optimizer = AdamW(trainable, learningRate: 1e-2)
        let first = model.loss(idx, targets: targets).item()
        for _ in 0..<10 {
            optimizer.zeroGrad()
            model.loss(idx, targets: targets).backward()
            optimizer.step()
        }
        #expect(model.model.layers[0].selfAttn.qProj.weight.grad == nil && model.model.embedTokens.weight.grad == nil)
        model.eval()
        #expect(model.loss(idx, targets: targets).item() < first)
        let adaptedLogits = Self.logits(model)
        #expect(adaptedLogits != before)
        let w0 = model.model.layers[1].selfAttn.vProj.weight.value.toArray(as: Float.self)
        for (_, l) in adapted { l.mergeAdapter() }
        #expect(Self.worst(Self.logits(model), adaptedLogits) <= 1e-5)
        for (_, l) in adapted { l.unmergeAdapter() }
        #expect(Self.worst(model.model.layers[1].selfAttn.vProj.weight.value.toArray(as: Float.self), w0) <= 1e-6)
        #expect(throws: LMTrainingError.self) { try LoRA.attach(to: model, LoRAConfiguration(targetModules: ["no_such_layer"])) }
        #expect(throws: LMTrainingError.self) { try LoRA.attach(to: model, LoRAConfiguration(rank: 0)) }
    }

    @Test("PEFT layout: adapters saved and loaded into a fresh model give the same logits; damaged adapter files throw")
    func peftRoundTrip() throws {
        let model = try Self.load()
        let config = LoRAConfiguration(rank: 2, alpha: 4, targetModules: ["q_proj", "k_proj", "o_proj"])
        let adapted = try LoRA.attach(to: model, config, generator: RandomGenerator(seed: 2))
        for (_, l) in adapted { l.adapter!.loraB.weight.value = Tensor.randn(l.adapter!.loraB.weight.shape, generator: RandomGenerator(seed: 3)) * 0.1 }
        let expected = Self.logits(model)
        let keys = LoRA.peftTensors(model).map(\.name)
        #expect(keys.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
                && keys.contains("base_model.model.model.layers.1.self_attn.o_proj.lora_B.weight") && keys.count == 2 * adapted.count)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lora-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try LoRA.save(model, config, baseModel: "tiny_llama", to: dir)
        let fresh = try Self.load()
        let loaded = try LoRA.load(into: fresh, from: dir)
        #expect(loaded == config)
        #expect(Self.worst(Self.logits(fresh), expected) <= 1e-6)

        func fails(_ edit: () throws -> Void, _ comment: Comment) throws {
            try edit()
            #expect(comment) { try LoRA.load(into: try Self.load(), from: dir) } throws: { e in
                if case LMTrainingError.checkpoint = e { return true }
                return false
            }
        }
        let configURL = dir.appendingPathComponent("adapter_config.json"), good = try Data(contentsOf: configURL)
        try fails({ try Data(#"{"peft_type": "LORA", "r": 2, "lora_alpha": 4, "target_modules": ["mlp_nothing"]}"#.utf8).write(to: configURL) }, "targets nothing")
        try fails({ try Data(#"{"peft_type": "PREFIX_TUNING"}"#.utf8).write(to: configURL) }, "not LoRA")
        try fails({ try Data(#"{"peft_type": "LORA", "r": 3, "lora_alpha": 4, "target_modules": ["q_proj", "k_proj", "o_proj"]}"#.utf8).write(to: configURL) }, "another rank")
        try fails({ try Data("[".utf8).write(to: configURL) }, "broken JSON")
        try good.write(to: configURL)
        try fails({ try Data([0, 1, 2]).write(to: dir.appendingPathComponent("adapter_model.safetensors")) }, "a broken weights file")
    }

    /// Needs torch, transformers, peft and gguf, which CI does not install: runs with
    /// SWIFTLEARN_TORCH_CHECK=1 and shows as skipped otherwise.
    @Test("Our PEFT adapters load in Hugging Face PEFT with the same logits (base, adapted, merged)",
          .enabled(if: ProcessInfo.processInfo.environment["SWIFTLEARN_TORCH_CHECK"] == "1", "SWIFTLEARN_TORCH_CHECK=1 runs peft"))
    func adaptersLoadInPEFT() throws {
        let model = try Self.load()
        let vocabulary = model.configuration.vocabularySize
        let ids = Self.ids.filter { $0 < vocabulary }
        let base = Self.logits(model, ids)
        let config = LoRAConfiguration(rank: 4, alpha: 16, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "down_proj"])
        let adapted = try LoRA.attach(to: model, config, generator: RandomGenerator(seed: 8))
        for (i, (_, l)) in adapted.enumerated() {
            l.adapter!.loraB.weight.value = Tensor.randn(l.adapter!.loraB.weight.shape, generator: RandomGenerator(seed: UInt64(20 + i))) * 0.2
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peft-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try LoRA.save(model, config, baseModel: "tiny_llama", to: dir.appendingPathComponent("adapter"))
        try FileManager.default.copyItem(at: Self.url, to: dir.appendingPathComponent("base.gguf"))
        let json: [String: Any] = ["ids": ids, "base": base.map(Double.init), "adapted": Self.logits(model, ids).map(Double.init)]
        try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("case.json"))
        let script = testRepositoryRoot.appendingPathComponent("scripts/fixtures/check_peft_adapter.py").path
        let output = try runPython(arguments: [script, dir.path])
        print(output)
        #expect(output.contains("merged"))
    }
}

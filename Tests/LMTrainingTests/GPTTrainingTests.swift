import Foundation
import Testing
import LLM
import LMTraining
import Neural
import Tensors
import TestSupport

@Suite("GPT training, checkpoints and exports")
struct GPTTrainingTests {
    static let text = String(repeating: "to be, or not to be: that is the question.\n", count: 40)

    static func tinyModel(seed: UInt64 = 1, vocabulary: Int) -> GPT {
        GPT(GPTConfiguration(vocabularySize: vocabulary, contextLength: 16, layers: 2, heads: 2, embedding: 16), generator: RandomGenerator(seed: seed))
    }

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("The character vocabulary sorts characters, adds end-of-text, round-trips text and refuses unknown characters")
    func vocabulary() throws {
        let v = CharacterVocabulary(text: "banana!")
        #expect(v.characters == ["!", "a", "b", "n"] && v.size == 5 && v.endOfText == 4)
        #expect(try v.encode("nab") == [3, 1, 2])
        #expect(v.decode([2, 1, 3, 4, 99, -1]) == "ban")
        #expect(throws: LMTrainingError.unknownCharacter("z")) { try v.encode("zebra") }
        let data = try JSONEncoder().encode(v)
        #expect(try JSONDecoder().decode(CharacterVocabulary.self, from: data) == v)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CharacterVocabulary.self, from: Data(#"{"characters":["a","a"]}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CharacterVocabulary.self, from: Data(#"{"characters":["ab"]}"#.utf8)) }
    }

    @Test("The learning rate follows nanoGPT's get_lr: linear warm-up, cosine to min_lr, then min_lr")
    func schedule() throws {
        var o = GPTTrainingOptions()
        o.iterations = 1000; o.learningRate = 1e-3; o.minimumLearningRate = 1e-4; o.warmupIterations = 100; o.decayIterations = 900
        let trainer = try GPTTrainer(model: Self.tinyModel(vocabulary: 5), options: o)
        #expect(abs(trainer.learningRate(at: 0) - 1e-3 / 101) < 1e-15)
        #expect(abs(trainer.learningRate(at: 49) - 1e-3 * 50 / 101) < 1e-15)
        #expect(abs(trainer.learningRate(at: 100) - 1e-3) < 1e-15)
        #expect(abs(trainer.learningRate(at: 500) - 5.5e-4) < 1e-15)              // halfway: (peak + min) / 2
        #expect(abs(trainer.learningRate(at: 900) - 1e-4) < 1e-15)
        #expect(trainer.learningRate(at: 950) == 1e-4)
        for bad in [{ (o: inout GPTTrainingOptions) in o.iterations = 0 }, { $0.batchSize = 0 }, { $0.learningRate = -1 },
                    { $0.minimumLearningRate = 1 }, { $0.beta2 = 1 }, { $0.gradientAccumulation = 0 }, { $0.timeBudget = 0 },
                    { $0.evaluationIterations = 0 }] {
            var b = GPTTrainingOptions()
            bad(&b)
            #expect(throws: LMTrainingError.self) { try b.validate() }
        }
    }

    @Test("Training lowers the loss on a repeated line, with gradient accumulation and clipping; bad data is refused")
    func trains() throws {
        let v = CharacterVocabulary(text: Self.text)
        let ids = try v.encode(Self.text).map(Int64.init)
        let model = Self.tinyModel(vocabulary: v.size)
        var o = GPTTrainingOptions()
        o.iterations = 200; o.batchSize = 8; o.gradientAccumulation = 2; o.learningRate = 1e-2; o.warmupIterations = 5
        o.evaluationInterval = 100; o.evaluationIterations = 4
        let trainer = try GPTTrainer(model: model, options: o)
        let before = trainer.estimateLoss(train: ids, validation: ids)
        var seen: [Int] = []
        let result = try trainer.train(train: ids, validation: ids) { seen.append($0.iteration) }
        #expect(seen == [100, 200] && result.iterations == 200)
        let after = try #require(result.evaluations.last)
        #expect(before.validation > 2.5 && after.validationLoss < 1.0, "loss \(before.validation) → \(after.validationLoss)")
        #expect(result.tokensPerSecond > 0)
        #expect(throws: LMTrainingError.self) { try trainer.train(train: Array(ids.prefix(10)), validation: ids) }
        #expect(throws: LMTrainingError.self) { try trainer.train(train: ids + [Int64(v.size)], validation: ids) }
        var budget = o
        budget.timeBudget = 1e-9
        let stopped = try GPTTrainer(model: Self.tinyModel(vocabulary: v.size), options: budget).train(train: ids, validation: ids)
        #expect(stopped.iterations == 1)
    }

    @Test("A checkpoint reloads to the same logits; damaged checkpoints throw typed errors")
    func checkpoint() throws {
        let v = CharacterVocabulary(text: Self.text)
        let model = Self.tinyModel(seed: 4, vocabulary: v.size)
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try GPTExport.save(model, vocabulary: v, to: dir)
        let (loaded, vocab) = try GPTExport.load(from: dir)
        #expect(vocab == v && loaded.configuration == model.configuration)
        let idx = Tensor(try v.encode("to be or").map(Int64.init), shape: [1, 8])
        model.eval(); loaded.eval()
        #expect(loaded(idx).toArray(as: Float.self) == model(idx).toArray(as: Float.self))

        func expectCheckpointError(_ body: () throws -> Void, _ comment: Comment) {
            #expect(comment) {
                try body()
            } throws: { error in
                if case LMTrainingError.checkpoint = error { return true }
                return false
            }
        }
        let config = dir.appendingPathComponent("config.json")
        let good = try Data(contentsOf: config)
        try Data(#"{"vocab_size": 47, "block_size": 16, "n_layer": 2, "n_head": 3, "n_embd": 16, "dropout": 0, "bias": true}"#.utf8).write(to: config)
        expectCheckpointError({ _ = try GPTExport.load(from: dir) }, "heads that do not divide the width")
        try Data(#"{"vocab_size": 47, "block_size": 16, "n_layer": 100000, "n_head": 2, "n_embd": 16, "dropout": 0, "bias": true}"#.utf8).write(to: config)
        expectCheckpointError({ _ = try GPTExport.load(from: dir) }, "an enormous layer count")
        try Data("{".utf8).write(to: config)
        expectCheckpointError({ _ = try GPTExport.load(from: dir) }, "truncated JSON")
        // A configuration promising a 16-billion-weight model beside a 3 MB file: refused from the
        // file's shapes before anything that size is allocated.
        try Data(#"{"vocab_size": 1000000, "block_size": 65536, "n_layer": 256, "n_head": 64, "n_embd": 16384, "dropout": 0, "bias": true}"#.utf8).write(to: config)
        expectCheckpointError({ _ = try GPTExport.load(from: dir) }, "a huge configuration over small weights")
        try good.write(to: config)
        try Data(#"{"characters":["a","b"]}"#.utf8).write(to: dir.appendingPathComponent("vocabulary.json"))
        expectCheckpointError({ _ = try GPTExport.load(from: dir) }, "a vocabulary of the wrong size")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("vocabulary.json"))
        var state = model.stateDict()
        state["transformer.ln_f.bias"] = Tensor([Float](repeating: .nan, count: 16), shape: [16])
        try Tensor.save(safetensors: state.map { (name: $0.key, tensor: $0.value) }, metadata: [:], to: dir.appendingPathComponent("model.safetensors"))
        expectCheckpointError({ _ = try GPTExport.load(from: dir) }, "NaN weights")
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent("model.safetensors"))
        expectCheckpointError({ _ = try GPTExport.load(from: dir) }, "a truncated weights file")
        expectCheckpointError({ _ = try GPTExport.load(from: dir.appendingPathComponent("missing")) }, "a missing directory")
    }

    @Test("The exported GGUF loads in the LLM runtime with the same logits (≤ 1e-4) and the same tokens")
    func ggufRoundTrip() throws {
        let v = CharacterVocabulary(text: Self.text)
        let model = Self.tinyModel(seed: 9, vocabulary: v.size)
        model.eval()
        let bytes = try GPTExport.gguf(model, vocabulary: v)
        let file = try GGUFFile(data: Data(bytes))
        let runtime = try LlamaModel(file: file, precision: .float32)
        let tokenizer = try GGUFTokenizer(file: file)
        let prompt = "to be, or not"
        let ids = try v.encode(prompt)
        #expect(tokenizer.encode(prompt, addSpecial: true) == ids)
        #expect(tokenizer.decode(ids) == prompt && tokenizer.eosID == v.endOfText)
        let ours = model(Tensor(ids.map(Int64.init), shape: [1, ids.count])).toArray(as: Float.self)
        let session = try runtime.makeSession()
        var worst: Float = 0
        for (i, id) in ids.enumerated() {
            let logits = try session.evaluate(id)
            #expect(logits.count == v.size)
            for j in 0..<v.size { worst = max(worst, abs(logits[j] - ours[i * v.size + j]) / (1 + abs(ours[i * v.size + j]))) }
        }
        #expect(worst <= 1e-4, "largest scaled logit difference \(worst)")
        let sample = try GPTExport.sample(gguf: bytes, prompt: "to", length: 40, seed: 3)
        #expect(sample.hasPrefix("to") && sample.count == 42 && sample.allSatisfy { v.characters.contains($0) })
        #expect(throws: LMTrainingError.self) { try GPTExport.gguf(model, vocabulary: CharacterVocabulary(text: "ab")) }
        #expect(throws: LMTrainingError.self) { try GPTExport.gguf(Self.tinyModel(vocabulary: 3), vocabulary: CharacterVocabulary(text: "aé")) }
        let noBias = GPT(GPTConfiguration(vocabularySize: v.size, contextLength: 16, layers: 1, heads: 2, embedding: 8, bias: false))
        #expect(throws: LMTrainingError.self) { try GPTExport.gguf(noBias, vocabulary: v) }
    }

    @Test("The Hugging Face export has GPT-2's keys, Conv1D layouts and config")
    func huggingFace() throws {
        let model = Self.tinyModel(seed: 2, vocabulary: 11)
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try GPTExport.exportHuggingFace(model, to: dir, endOfText: 10)
        var saved: [String: Tensor] = [:]
        for (k, t) in try Tensor.load(safetensors: dir.appendingPathComponent("model.safetensors")).tensors { saved[k] = t }
        #expect(saved["lm_head.weight"] == nil && saved.count == model.orderedStateDict().count - 1)
        let w = model.transformer.h[1].attention.cAttn.weight.value
        #expect(saved["transformer.h.1.attn.c_attn.weight"]?.shape == [16, 48])
        #expect(saved["transformer.h.1.attn.c_attn.weight"]?.toArray(as: Float.self) == w.transposed(0, 1).contiguous().toArray(as: Float.self))
        #expect(saved["transformer.h.0.mlp.c_proj.weight"]?.shape == [64, 16] && saved["transformer.wpe.weight"]?.shape == [16, 16])
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(config["model_type"] as? String == "gpt2" && config["n_embd"] as? Int == 16 && config["activation_function"] as? String == "gelu_new")
        #expect(config["eos_token_id"] as? Int == 10 && config["n_positions"] as? Int == 16)
    }

    @Test("--set overrides are checked: unknown keys, wrong kinds and impossible sizes throw")
    func settings() throws {
        var c = GPTRecipe.shakespeareChar.defaultConfiguration(vocabularySize: 74), o = GPTRecipe.shakespeareChar.defaultTraining
        try GPTRecipe.apply(["n_layer=2", "n_embd=64", "dropout=0.1", "iterations=10", "min_lr=1e-5", "bias=false"], to: &c, &o)
        #expect(c.layers == 2 && c.embedding == 64 && c.dropout == 0.1 && !c.bias && o.iterations == 10 && o.minimumLearningRate == 1e-5)
        for bad in [["n_layers=2"], ["n_head=3"], ["n_embd=x"], ["dropout=1"], ["iterations=0"], ["bias=maybe"], ["seed=-1"], ["block_size=1000000"], ["lr"]] {
            var c2 = c, o2 = o
            #expect(throws: LMTrainingError.self, "\(bad)") { try GPTRecipe.apply(bad, to: &c2, &o2) }
        }
    }
}

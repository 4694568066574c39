import Foundation
import Testing
import Datasets
import LLM
import LMTraining
import Neural
import Tensors
import TestSupport

@Suite("Fine-tuning a GGUF Llama")
struct FineTunerTests {
    static let url = Bundle.module.url(forResource: "tiny_llama", withExtension: "gguf", subdirectory: "Fixtures")!
    static let examples = [InstructionExample(prompt: "colour of the sky", completion: "blue"),
                           InstructionExample(prompt: "colour of grass", completion: "green"),
                           InstructionExample(prompt: "colour of snow", completion: "white")]

    static func tuner() throws -> FineTuner {
        let file = try GGUFFile(contentsOf: url)
        return try FineTuner(model: try LlamaCausalLM.load(gguf: file), file: file)
    }

    @Test("Examples encode as the chat template's prompt, then the completion and end of turn; only those count in the loss")
    func encoding() throws {
        let t = try Self.tuner()
        let (ids, promptCount) = try t.encode(Self.examples[0], maxLength: 512)
        let prompt = try t.promptIDs("colour of the sky")
        #expect(Array(ids.prefix(promptCount)) == prompt && ids.last == t.endOfTurn)
        #expect(t.tokenizer.decode(Array(ids[promptCount..<(ids.count - 1)])) == "blue")
        let cut = try t.encode(Self.examples[0], maxLength: 5)
        #expect(cut.ids.count == 5 && cut.promptCount == 5)
    }

    @Test("LoRA fine-tuning learns the answers; the merged GGUF gives the tuned model's logits in LlamaModel (≤ 1e-4)")
    func loraLearnsAndExports() throws {
        let t = try Self.tuner()
        let before = try t.loss(Self.examples)
        var o = FineTuneOptions(method: .lora)
        try o.apply(["r=8", "alpha=16", "dropout=0", "target=q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj", "epochs=60", "lr=1e-2", "batch_size=3"])
        let history = try t.train(Self.examples, options: o)
        #expect(history.count == 60 && history.last!.trainLoss < history.first!.trainLoss)
        let after = try t.loss(Self.examples)
        #expect(after < 0.5 * before, "held-out loss \(before) → \(after)")
        let (rate, answers) = try t.exactMatch(Self.examples)
        #expect(rate >= 2.0 / 3.0, "answers \(answers)")
        #expect(t.model.model.layers[0].selfAttn.qProj.weight.grad == nil)

        let bytes = try FineTunedGGUF.encode(t.model, source: GGUFFile(contentsOf: Self.url))
        let runtime = try LlamaModel(file: GGUFFile(data: Data(bytes)), precision: .float32)
        let ids = try t.promptIDs("colour of grass")
        let ours = t.model(Tensor(ids.map(Int64.init), shape: [1, ids.count])).toArray(as: Float.self)
        let session = try runtime.makeSession()
        var theirs: [Float] = []
        for id in ids { theirs += try session.evaluate(id) }
        let worst = zip(ours, theirs).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? .infinity
        #expect(worst <= 1e-4, "largest scaled logit difference \(worst)")
    }

    @Test("Full fine-tuning trains every weight and writes them all back")
    func fullFineTuning() throws {
        let t = try Self.tuner()
        let embedding = t.model.model.embedTokens.weight.value.toArray(as: Float.self)
        var o = FineTuneOptions(method: .full)
        try o.apply(["epochs=5", "lr=1e-3", "batch_size=3"])
        try t.train(Self.examples, options: o)
        #expect(t.model.model.embedTokens.weight.value.toArray(as: Float.self) != embedding)
        let file = try GGUFFile(data: Data(try FineTunedGGUF.encode(t.model, source: GGUFFile(contentsOf: Self.url))))
        #expect(file.tensor(named: "blk.1.ffn_down.weight")?.type.name == "f32" && file.tensor(named: "token_embd.weight")?.type.name == "f32")
    }

    @Test("Bad settings and bad JSONL are refused with typed errors")
    func refusals() throws {
        for bad in [["r=0"], ["alpha=-1"], ["epochs=0"], ["lr=abc"], ["target="], ["nonsense=1"], ["max_length=1"], ["batch_size"]] {
            var o = FineTuneOptions()
            #expect(throws: LMTrainingError.self, "\(bad)") { try o.apply(bad) }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.jsonl")
        try Data("{\"prompt\": \"a\", \"completion\": \"b\"}\n\n{\"prompt\": \"a\"}\n".utf8).write(to: file)
        #expect { try InstructionExample.readJSONL(file) } throws: { e in
            guard case CSVError.inFile(_, .malformed(let line, _, _)) = e else { return false }
            return line == 3
        }
        #expect(throws: CSVError.self) { try InstructionExample.readJSONL(dir.appendingPathComponent("missing.jsonl")) }
        let bundled = try BundledInstructions.wordSentiment.load(.test)
        #expect(bundled.count == 551 && Set(bundled.map(\.completion)) == ["positive", "negative"])
    }

    @Test("DPO raises the chosen answers over the rejected ones; pairs from labels and JSONL")
    func dpo() throws {
        let t = try Self.tuner()
        let pairs = PreferenceExample.fromLabels(Self.examples)
        #expect(pairs.count == 3 && pairs.allSatisfy { $0.chosen != $0.rejected })
        let before = try t.preferenceAccuracy(pairs)
        var o = FineTuneOptions(method: .lora)
        try o.apply(["target=q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj", "epochs=40", "lr=1e-2", "batch_size=3", "beta=0.5"])
        let history = try t.trainDPO(pairs, options: o, beta: o.beta)
        #expect(history.last!.trainLoss < history.first!.trainLoss && history.first!.trainLoss <= log(2.0) + 1e-6)
        #expect(try t.preferenceAccuracy(pairs) == 1.0, "before \(before)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dpo-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"prompt": "p", "chosen": "a", "rejected": "b"}"#.utf8 + [10] + #"{"prompt": "p", "chosen": "a"}"#.utf8).write(to: dir)
        #expect(throws: CSVError.self) { try PreferenceExample.readJSONL(dir) }
        #expect(throws: LMTrainingError.self) { try t.trainDPO(pairs, options: o, beta: 0) }
    }
}


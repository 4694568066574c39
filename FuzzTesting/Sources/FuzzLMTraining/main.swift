// libFuzzer target: the loaders of LMTraining. The first byte picks one:
//   0: a GPT checkpoint directory for `GPTExport.load` — the rest is config.json,
//      model.safetensors and vocabulary.json joined by "\n#FILE#\n" lines (a missing part is not
//      written); a model that loads runs a forward pass, and one with a vocabulary is exported to
//      GGUF and sampled for 4 characters through the LLM runtime.
//   1: a GGUF file for `GGUFQuantize.convert` (to q8_0, re-quantizing allowed; the result must
//      read back) and `LlamaCausalLM.load(gguf:)`; a model that loads runs a forward pass.
//   3: JSON Lines for `InstructionExample.readJSONL` and `PreferenceExample.readJSONL` (what
//      `finetune --data` reads), and the label pairing of the instructions.
//   2: a PEFT adapter directory (adapter_config.json, adapter_model.safetensors, joined as above)
//      for `LoRA.load(into:from:)` on a fixed tiny Llama; a loaded adapter runs a forward pass.
//
// SWIFTLEARN_FUZZ_WRITE_SEEDS=DIR: writes one valid input per mode to DIR and exits.
import Datasets
import Foundation
import LLM
import LMTraining
import Neural
import Tensors

let separator = Data("\n#FILE#\n".utf8)
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-lmtraining-\(getpid())")

/// The tiny Llama that mode 2 loads adapters into (vocabulary 16, width 8, one layer, GQA 2:1).
let tinyLlama = LlamaTrainingConfiguration(vocabularySize: 16, hiddenSize: 8, layers: 1, heads: 2, kvHeads: 1, intermediateSize: 16, contextLength: 8)

func parts(_ data: Data) -> [Data] {
    var out: [Data] = [], rest = data
    while let r = rest.range(of: separator) {
        out.append(rest[rest.startIndex..<r.lowerBound])
        rest = rest[r.upperBound...]
    }
    out.append(rest)
    return out
}

func writeDirectory(_ files: [String], _ data: Data) -> Bool {
    try? FileManager.default.removeItem(at: scratch)
    guard (try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)) != nil else { return false }
    for (name, content) in zip(files, parts(data)) {
        guard (try? Data(content).write(to: scratch.appendingPathComponent(name))) != nil else { return false }
    }
    return true
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count >= 1 else { return 0 }
    let data = Data(bytes: start, count: count)
    let mode = data[data.startIndex] % 4, body = data.dropFirst()
    switch mode {
    case 0:
        guard writeDirectory(["config.json", "model.safetensors", "vocabulary.json"], body),
              let (model, vocabulary) = try? GPTExport.load(from: scratch) else { return 0 }
        let t = Swift.min(4, model.configuration.contextLength)
        let ids = (0..<t).map { Int64($0 % model.configuration.vocabularySize) }
        _ = GradMode.withoutGrad { model(Tensor(ids, shape: [1, t])) }
        if let vocabulary, let bytes = try? GPTExport.gguf(model, vocabulary: vocabulary), let first = vocabulary.characters.first {
            _ = try? GPTExport.sample(gguf: bytes, prompt: String(first), length: 4)
        }
    case 1:
        guard let file = try? GGUFFile(data: Data(body)) else { return 0 }
        if let (bytes, _) = try? GGUFQuantize.convert(file, to: "q8_0", allowRequantize: true) {
            _ = try? GGUFFile(data: Data(bytes))   // what `swiftlearn quantize` writes must read back
        }
        guard let model = try? LlamaCausalLM.load(gguf: file) else { return 0 }
        let ids = (0..<3).map { Int64($0 % model.configuration.vocabularySize) }
        _ = GradMode.withoutGrad { model(Tensor(ids, shape: [1, 3])) }
    case 3:
        // JSON Lines of instruction and preference examples (what `finetune --data` reads).
        let file = scratch.appendingPathExtension("jsonl")
        guard (try? Data(body).write(to: file)) != nil else { return 0 }
        if let examples = try? InstructionExample.readJSONL(file) { _ = PreferenceExample.fromLabels(examples) }
        _ = try? PreferenceExample.readJSONL(file)
    default:
        guard writeDirectory(["adapter_config.json", "adapter_model.safetensors"], body) else { return 0 }
        let model = LlamaCausalLM(tinyLlama, generator: RandomGenerator(seed: 1))
        guard (try? LoRA.load(into: model, from: scratch)) != nil else { return 0 }
        _ = GradMode.withoutGrad { model(Tensor([Int64(1), 2, 3], shape: [1, 3])) }
    }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let dir = ProcessInfo.processInfo.environment["SWIFTLEARN_FUZZ_WRITE_SEEDS"] else { return 0 }
    let out = URL(fileURLWithPath: dir)
    func bundle(_ directory: URL, _ names: [String]) throws -> Data {
        var d = Data()
        for (i, name) in names.enumerated() {
            if i > 0 { d.append(separator) }
            d.append(try Data(contentsOf: directory.appendingPathComponent(name)))
        }
        return d
    }
    do {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-lmtraining-seeds-\(getpid())")
        let vocabulary = CharacterVocabulary(text: "abc\n")
        let gpt = GPT(GPTConfiguration(vocabularySize: vocabulary.size, contextLength: 4, layers: 1, heads: 2, embedding: 4), generator: RandomGenerator(seed: 2))
        try GPTExport.save(gpt, vocabulary: vocabulary, to: work.appendingPathComponent("gpt"))
        try (Data([0]) + bundle(work.appendingPathComponent("gpt"), ["config.json", "model.safetensors", "vocabulary.json"]))
            .write(to: out.appendingPathComponent("gpt-checkpoint"))
        let llama = LlamaCausalLM(tinyLlama, generator: RandomGenerator(seed: 3))
        try LoRA.attach(to: llama, LoRAConfiguration(rank: 2, alpha: 4, targetModules: ["q_proj", "v_proj"]))
        try LoRA.save(llama, LoRAConfiguration(rank: 2, alpha: 4, targetModules: ["q_proj", "v_proj"]), baseModel: "tiny", to: work.appendingPathComponent("lora"))
        try (Data([2]) + bundle(work.appendingPathComponent("lora"), ["adapter_config.json", "adapter_model.safetensors"]))
            .write(to: out.appendingPathComponent("lora-adapter"))
        try? FileManager.default.removeItem(at: work)
    } catch {
        print("could not write seeds: \(error)")
        exit(1)
    }
    exit(0)
}

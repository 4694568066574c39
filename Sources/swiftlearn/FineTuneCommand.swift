import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn finetune`: supervised fine-tuning of a GGUF Llama (SmolLM2) on instruction
/// examples — LoRA adapters or every weight — measured before and after on held-out examples.
struct FineTuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Fine-tune a GGUF Llama model (full or LoRA) on prompt/completion examples and measure what changed.",
        discussion: """
        Data: JSON Lines of {"prompt": …, "completion": …}; by default the bundled word_sentiment set \
        (Sources/Datasets/Data/instructions; the VADER lexicon's words, answered positive or negative). \
        The prompt is rendered with the model's chat template; only the completion and the end-of-turn \
        token count in the loss. Writes to --output: adapter_model.safetensors + adapter_config.json \
        (PEFT's layout) for LoRA, and model.gguf (the source file with the changed weights as float32) \
        for both methods, so `swiftlearn generate --model DIR/model.gguf` runs the result.
        """
    )

    @Option(help: "A GGUF Llama model (e.g. models/SmolLM2-135M-Instruct.Q4_1.gguf from scripts/fetch_models.sh).") var model: String
    @Option(help: "Training examples (JSONL; default: the bundled word_sentiment train split).") var data: String?
    @Option(help: "Held-out examples (JSONL; default: the bundled word_sentiment test split).") var eval: String?
    @Option(help: "full or lora.") var method: String = "lora"
    @Option(help: "sft (learn the completions) or dpo (prefer `chosen` over `rejected`; data as {\"prompt\", \"chosen\", \"rejected\"} lines, or the bundled set's labels paired: the right one chosen, the other rejected).") var objective: String = "sft"
    @Option(name: .customLong("set"), parsing: .upToNextOption, help: "key=value settings: \(FineTuneOptions.settingNames.joined(separator: ", ")) (target takes a comma-separated list).") var settings: [String] = []
    @Option(help: "Train on the first N examples (default 240).") var limit = 240
    @Option(name: .customLong("eval-limit"), help: "Evaluate on the first N held-out examples (default 100).") var evalLimit = 100
    @Option(help: "Directory for the adapters and the fine-tuned model.gguf.") var output: String
    @Flag(help: "One JSON object per line.") var json = false

    func validate() throws {
        guard let m = FineTuneOptions.Method(rawValue: method) else { throw ValidationError("--method must be full or lora, got '\(method)'") }
        guard ["sft", "dpo"].contains(objective) else { throw ValidationError("--objective must be sft or dpo, got '\(objective)'") }
        var o = FineTuneOptions(method: m)
        do { try o.apply(settings) } catch { throw ValidationError(readableReason(error)) }
        guard (1...1_000_000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000000, got \(limit)") }
        guard (1...1_000_000).contains(evalLimit) else { throw ValidationError("--eval-limit must be 1 to 1000000, got \(evalLimit)") }
        guard FileManager.default.fileExists(atPath: model) else { throw ValidationError("--model \(model): no such file") }
    }

    func run() throws {
        var options = FineTuneOptions(method: FineTuneOptions.Method(rawValue: method)!)
        try options.apply(settings)
        let outputURL = URL(fileURLWithPath: output)
        try prepareOutputFile(outputURL.appendingPathComponent("model.gguf").path, option: "--output")
        let dpo = objective == "dpo"
        let train = dpo && data != nil ? [] : Array(try (data.map { try InstructionExample.readJSONL(URL(fileURLWithPath: $0)) } ?? BundledInstructions.wordSentiment.load(.train)).prefix(limit))
        let pairs = !dpo ? [] : Array(try data.map { try PreferenceExample.readJSONL(URL(fileURLWithPath: $0)) } ?? PreferenceExample.fromLabels(train)).prefix(limit)
        let heldOut = Array(try (eval.map { try InstructionExample.readJSONL(URL(fileURLWithPath: $0)) } ?? BundledInstructions.wordSentiment.load(.test)).prefix(evalLimit))
        guard !(dpo ? pairs.isEmpty : train.isEmpty), !heldOut.isEmpty else { throw ValidationError("no training or held-out examples") }
        let file = try GGUFFile(contentsOf: URL(fileURLWithPath: model))
        let network = try LlamaCausalLM.load(gguf: file)
        let tuner = try FineTuner(model: network, file: file)
        func emit(_ fields: [(String, JSONValue)]) {
            if json { print(JSONLine(fields).text) } else { print(fields.map { "\($0.0) \($0.1)" }.joined(separator: "  ")) }
            fflush(stdout)
        }
        let heldOutPairs = PreferenceExample.fromLabels(heldOut)
        let preferenceBefore = dpo ? try tuner.preferenceAccuracy(heldOutPairs, maxLength: options.maxLength) : .nan
        let lossBefore = try tuner.loss(heldOut, maxLength: options.maxLength)
        let (matchBefore, answersBefore) = try tuner.exactMatch(heldOut)
        emit([("stage", .string("before")), ("held_out_loss", .double(lossBefore)), ("exact_match", .double(matchBefore)),
              ("example_answer", .string(answersBefore.first ?? ""))])
        let report: (FineTuneEpoch) -> Void = { e in
            emit([("epoch", .int(e.epoch)), (dpo ? "dpo_loss" : "train_loss", .double(e.trainLoss)), ("seconds", .double(e.seconds)),
                  ("tokens_per_second", .double(e.tokensPerSecond))])
        }
        let history = dpo ? try tuner.trainDPO(Array(pairs), options: options, beta: options.beta, onEpoch: report)
                          : try tuner.train(train, options: options, onEpoch: report)
        let lossAfter = try tuner.loss(heldOut, maxLength: options.maxLength)
        let preferenceAfter = dpo ? try tuner.preferenceAccuracy(heldOutPairs, maxLength: options.maxLength) : .nan
        let (matchAfter, answersAfter) = try tuner.exactMatch(heldOut)
        var files: [String] = []
        if options.method == .lora {
            try LoRA.save(network, options.lora, baseModel: model, to: outputURL)
            files += ["adapter_model.safetensors", "adapter_config.json"].map { outputURL.appendingPathComponent($0).path }
        }
        let ggufURL = outputURL.appendingPathComponent("model.gguf")
        try FineTunedGGUF.write(network, source: file, to: ggufURL)
        files.append(ggufURL.path)
        let trainable = options.method == .lora ? LoRA.peftTensors(network).reduce(0) { $0 + $1.tensor.count } : network.parameters().reduce(0) { $0 + $1.value.count }
        var final: [(String, JSONValue)] = [("final", .bool(true)), ("method", .string(options.method.rawValue)), ("objective", .string(objective)),
                                            ("held_out_loss_before", .double(lossBefore)), ("held_out_loss_after", .double(lossAfter)),
                                            ("exact_match_before", .double(matchBefore)), ("exact_match_after", .double(matchAfter)),
                                            ("trainable_parameters", .int(trainable)), ("train_examples", .int(dpo ? pairs.count : train.count)),
                                            ("held_out_examples", .int(heldOut.count)), ("train_seconds", .double(history.reduce(0) { $0 + $1.seconds })),
                                            ("example_answer", .string(answersAfter.first ?? "")), ("files", .string(files.joined(separator: ", ")))]
        if dpo {
            final += [("preference_accuracy_before", .double(preferenceBefore)), ("preference_accuracy_after", .double(preferenceAfter))]
        }
        if !json { final.append(("example_prompt", .string(heldOut[0].prompt))) }
        if json { print(JSONLine(final).text) } else { printFields(final, json: false) }
    }
}

import Foundation
import Tensors
import Neural
import LLM
import Datasets

/// Settings of a fine-tuning run (`swiftlearn finetune --set key=value` takes the names in
/// ``apply(_:)``).
public struct FineTuneOptions: Sendable, Equatable {
    /// Which weights train.
    public enum Method: String, Sendable, CaseIterable {
        /// Every weight (the embeddings and norms too).
        case full
        /// LoRA adapters on the target layers; everything else frozen.
        case lora
    }

    /// Which weights train (default LoRA).
    public var method: Method = .lora
    /// The adapters (with `.lora`): r 8, α 16, dropout 0.05 on `q_proj` and `v_proj`.
    public var lora = LoRAConfiguration(rank: 8, alpha: 16, dropout: 0.05, targetModules: ["q_proj", "v_proj"])
    /// Passes over the training examples.
    public var epochs = 2
    /// AdamW's learning rate (constant after a linear warm-up over the first 10% of steps).
    public var learningRate = 1e-3
    /// Examples per optimizer step.
    public var batchSize = 8
    /// Examples longer than this many tokens are cut (the completion's end first).
    public var maxLength = 256
    /// AdamW's decoupled weight decay.
    public var weightDecay = 0.0
    /// Global gradient-norm clipping (0: none).
    public var gradientClip = 1.0
    /// Seed of the adapters' initialisation, the shuffles and dropout.
    public var seed: UInt64 = 0
    /// DPO's β (``FineTuner/trainDPO(_:options:beta:labelSmoothing:onEpoch:)``; TRL's default 0.1).
    public var beta = 0.1

    /// The defaults for `method`.
    public init(method: Method = .lora) { self.method = method }

    /// - Throws: ``LMTrainingError/invalidOption(_:)`` naming the first bad value.
    public func validate() throws {
        func check(_ ok: Bool, _ m: String) throws { if !ok { throw LMTrainingError.invalidOption(m) } }
        if method == .lora { try lora.validate() }
        try check((1...10_000).contains(epochs), "epochs must be 1 to 10000, got \(epochs)")
        try check(learningRate > 0 && learningRate.isFinite, "learning rate must be positive, got \(learningRate)")
        try check((1...4096).contains(batchSize), "batch size must be 1 to 4096, got \(batchSize)")
        try check((2...65_536).contains(maxLength), "max length must be 2 to 65536 tokens, got \(maxLength)")
        try check(weightDecay >= 0 && weightDecay.isFinite, "weight decay must be non-negative, got \(weightDecay)")
        try check(gradientClip >= 0 && gradientClip.isFinite, "gradient clip must be non-negative, got \(gradientClip)")
        try check(beta > 0 && beta.isFinite, "beta must be positive, got \(beta)")
    }

    /// The `key=value` names `apply` understands.
    public static let settingNames = ["r", "alpha", "dropout", "target", "epochs", "lr", "batch_size", "max_length", "weight_decay", "grad_clip", "seed", "beta"]

    /// Applies `key=value` settings (`target` takes a comma-separated list), then validates.
    public mutating func apply(_ settings: [String]) throws {
        for item in settings {
            let setting = try Setting(item)
            let (key, value) = (setting.key, setting.value)
            func int() throws -> Int { try setting.int() }
            func double() throws -> Double { try setting.double() }
            switch key {
            case "r": lora.rank = try int()
            case "alpha": lora.alpha = try double()
            case "dropout": lora.dropout = try double()
            case "target": lora.targetModules = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            case "epochs": epochs = try int()
            case "lr": learningRate = try double()
            case "batch_size": batchSize = try int()
            case "max_length": maxLength = try int()
            case "weight_decay": weightDecay = try double()
            case "grad_clip": gradientClip = try double()
            case "seed": seed = try setting.seed()
            case "beta": beta = try double()
            default: throw LMTrainingError.invalidOption("unknown setting '\(key)'; valid: \(Self.settingNames.joined(separator: ", "))")
            }
        }
        try validate()
    }
}

/// One epoch of fine-tuning.
public struct FineTuneEpoch: Sendable {
    /// 1-based epoch number.
    public let epoch: Int
    /// Mean training loss over the epoch's steps (nats per completion token).
    public let trainLoss: Double
    /// Wall time of the epoch's steps.
    public let seconds: Double
    /// Tokens (prompt and completion, padding excluded) through the model per second.
    public let tokensPerSecond: Double
}

/// Supervised fine-tuning of a ``LlamaCausalLM`` on instruction examples, rendered with the
/// model's own chat template: the loss counts only the completion's tokens (and the end-of-turn
/// token after them), as TRL's `SFTTrainer` with completion-only loss does. Also measures what
/// the fine-tune changed: held-out loss and exact match of greedy answers.
public final class FineTuner {
    /// The model being tuned (in place).
    public let model: LlamaCausalLM
    /// The GGUF file's tokenizer and chat template.
    public let tokenizer: GGUFTokenizer
    public let template: ChatTemplate
    /// The token that ends the assistant's turn (the file's end-of-sequence id).
    public let endOfTurn: Int

    /// A fine-tuner over a model read from `file`, with the file's tokenizer and chat template.
    /// - Throws: `LLMError` when the file has no tokenizer, chat template or end-of-sequence id.
    public init(model: LlamaCausalLM, file: GGUFFile) throws {
        self.model = model
        tokenizer = try GGUFTokenizer(file: file)
        template = try ChatTemplate(tokenizer: tokenizer, path: file.path)
        guard let eos = tokenizer.eosID else { throw LLMError.missing(path: file.path, what: "the tokenizer has no end-of-sequence id") }
        endOfTurn = eos
    }

    /// The prompt's token ids (ending where the assistant's answer starts).
    public func promptIDs(_ prompt: String) throws -> [Int] {
        tokenizer.encode(try template.render([.user(prompt)], addGenerationPrompt: true), addSpecial: true, parseSpecial: true)
    }

    /// The ids of one example and how many of them are prompt: prompt ids, then the completion's
    /// ids and the end-of-turn id; cut to `maxLength`.
    public func encode(_ e: InstructionExample, maxLength: Int) throws -> (ids: [Int], promptCount: Int) {
        let prompt = try promptIDs(e.prompt)
        let answer = tokenizer.encode(e.completion, addSpecial: false, parseSpecial: false) + [endOfTurn]
        let ids = Array((prompt + answer).prefix(maxLength))
        return (ids, Swift.min(prompt.count, ids.count))
    }

    /// Inputs `[B, L]` and targets `[B, L]` (−100 on prompt tokens and padding) for a batch.
    func batch(_ encoded: [(ids: [Int], promptCount: Int)]) -> (Tensor, Tensor, Int) {
        let length = encoded.map { $0.ids.count - 1 }.max() ?? 1
        var x = [Int64](), y = [Int64](), counted = 0
        for (ids, promptCount) in encoded {
            for j in 0..<length {
                x.append(Int64(j < ids.count ? ids[j] : endOfTurn))
                let target = j + 1 < ids.count && j + 1 >= promptCount ? ids[j + 1] : -100
                if target >= 0 { counted += 1 }
                y.append(Int64(target))
            }
        }
        return (Tensor(x, shape: [encoded.count, length]), Tensor(y, shape: [encoded.count, length]), counted)
    }

    /// Mean negative log-likelihood per completion token of `examples` (eval mode, no gradients).
    public func loss(_ examples: [InstructionExample], maxLength: Int = 256, batchSize: Int = 8) throws -> Double {
        let encoded = try examples.map { try encode($0, maxLength: maxLength) }.filter { $0.ids.count > $0.promptCount }
        guard !encoded.isEmpty else { return .nan }
        model.eval()
        var total = 0.0, tokens = 0
        try GradMode.withoutGrad {
            for start in stride(from: 0, to: encoded.count, by: batchSize) {
                let (x, y, n) = batch(Array(encoded[start..<Swift.min(start + batchSize, encoded.count)]))
                guard n > 0 else { continue }
                let l = model.loss(x, targets: y).item()
                guard l.isFinite else { throw LMTrainingError.invalidOption("the loss is not finite") }
                total += l * Double(n); tokens += n
            }
        }
        return total / Double(Swift.max(tokens, 1))
    }

    /// The model's greedy answer to `prompt` (up to `maxNewTokens`, stopping at end of turn).
    public func answer(_ prompt: String, maxNewTokens: Int = 8) throws -> String {
        model.eval()
        var ids = try promptIDs(prompt)
        var produced: [Int] = []
        let context = model.configuration.contextLength
        GradMode.withoutGrad {
            for _ in 0..<maxNewTokens where ids.count < context {
                let logits = model(Tensor(ids.map(Int64.init), shape: [1, ids.count]))
                let v = model.configuration.vocabularySize
                let last = logits.reshaped([-1, v]).slice(axis: 0, ids.count - 1, ids.count).toArray(as: Float.self)
                var best = 0
                for j in 1..<v where last[j] > last[best] { best = j }
                if best == endOfTurn || tokenizer.isEndOfGeneration(best) { break }
                produced.append(best)
                ids.append(best)
            }
        }
        return tokenizer.decode(produced, skipSpecial: true)
    }

    /// Fraction of `examples` whose greedy answer, trimmed of surrounding white space, equals the
    /// completion exactly; also returns the answers.
    public func exactMatch(_ examples: [InstructionExample], maxNewTokens: Int = 8) throws -> (rate: Double, answers: [String]) {
        var hits = 0, answers: [String] = []
        for e in examples {
            let a = try answer(e.prompt, maxNewTokens: maxNewTokens).trimmingCharacters(in: .whitespacesAndNewlines)
            answers.append(a)
            if a == e.completion.trimmingCharacters(in: .whitespacesAndNewlines) { hits += 1 }
        }
        return (examples.isEmpty ? .nan : Double(hits) / Double(examples.count), answers)
    }

    /// Makes the weights that `options.method` trains trainable — LoRA adapters attached (unless the
    /// model already has some: loaded from a PEFT directory, or a second call) and everything else
    /// frozen, or every weight — and returns them with their AdamW and the warm-up length (10% of
    /// all steps).
    func prepareTraining(_ options: FineTuneOptions, examples: Int, adapterDropout: Double,
                         generator: RandomGenerator) throws -> ([Parameter], AdamW, Int) {
        if options.method == .lora {
            if model.modules().compactMap({ ($0 as? Linear)?.adapter }).isEmpty {
                var lora = options.lora
                lora.dropout = adapterDropout
                try LoRA.attach(to: model, lora, generator: generator)
            }
        } else {
            for p in model.parameters() { p.requiresGrad = true }
        }
        let trainable = model.parameters().filter(\.requiresGrad)
        let optimizer = AdamW(trainable, learningRate: options.learningRate, weightDecay: options.weightDecay)
        let stepsPerEpoch = (examples + options.batchSize - 1) / options.batchSize
        return (trainable, optimizer, Swift.max(1, stepsPerEpoch * options.epochs / 10))
    }

    /// Fine-tunes on `examples` (shuffled each epoch), reporting each epoch.
    /// - Throws: ``LMTrainingError/invalidOption(_:)`` for bad options, no usable example, or a
    ///   loss that stops being finite.
    @discardableResult
    public func train(_ examples: [InstructionExample], options: FineTuneOptions,
                      onEpoch: (FineTuneEpoch) -> Void = { _ in }) throws -> [FineTuneEpoch] {
        try options.validate()
        let encoded = try examples.map { try encode($0, maxLength: options.maxLength) }.filter { $0.ids.count > $0.promptCount }
        guard !encoded.isEmpty else { throw LMTrainingError.invalidOption("no example has a completion within \(options.maxLength) tokens") }
        let generator = RandomGenerator(seed: options.seed)
        let (trainable, optimizer, warmup) = try prepareTraining(options, examples: encoded.count, adapterDropout: options.lora.dropout, generator: generator)
        var step = 0, history: [FineTuneEpoch] = []
        model.train()
        for epoch in 1...options.epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            let order = Tensor.permutation(encoded.count, generator: generator).toArray(as: Int64.self).map(Int.init)
            var lossSum = 0.0, tokens = 0, processed = 0
            for b in stride(from: 0, to: order.count, by: options.batchSize) {
                let chosen = order[b..<Swift.min(b + options.batchSize, order.count)].map { encoded[$0] }
                processed += chosen.reduce(0) { $0 + $1.ids.count - 1 }
                let (x, y, n) = batch(chosen)
                guard n > 0 else { continue }
                for group in optimizer.parameterGroups { group.learningRate = options.learningRate * Swift.min(1, Double(step + 1) / Double(warmup)) }
                optimizer.zeroGrad()
                let loss = model.loss(x, targets: y)
                let value = loss.item()
                guard value.isFinite else { throw LMTrainingError.invalidOption("the training loss became \(value) at step \(step + 1); lower the learning rate") }
                loss.backward()
                if options.gradientClip > 0 { _ = clipGradNorm(trainable, maxNorm: options.gradientClip) }
                optimizer.step()
                lossSum += value * Double(n); tokens += n; step += 1
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let e = FineTuneEpoch(epoch: epoch, trainLoss: lossSum / Double(Swift.max(tokens, 1)), seconds: seconds,
                                  tokensPerSecond: seconds > 0 ? Double(processed) / seconds : 0)
            history.append(e)
            onEpoch(e)
        }
        model.eval()
        return history
    }
}

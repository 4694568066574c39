import Foundation
import Tensors
import Neural
import Datasets

/// Ready-made GPT training runs on bundled text.
///
/// | recipe | data | model, defaults | metric |
/// |---|---|---|---|
/// | `gpt-shakespeare-char` | six Shakespeare tragedies as characters (73 + end-of-text) | GPT 4 layers × 4 heads × 128, context 128, batch 16, AdamW 1e-3 → 1e-4, 6000 steps or 14 minutes | validation nats/char |
public enum GPTRecipe: String, CaseIterable, Sendable {
    /// nanoGPT's `shakespeare_char` on the bundled tragedies.
    case shakespeareChar = "gpt-shakespeare-char"

    /// One line on what the recipe trains.
    public var summary: String {
        switch self {
        case .shakespeareChar: return "nanoGPT-style GPT (4×4×128, context 128) on Shakespeare characters; exports GGUF and GPT-2 safetensors, samples through the LLM runtime"
        }
    }

    /// The model the recipe builds by default for `vocabularySize` tokens.
    public func defaultConfiguration(vocabularySize: Int) -> GPTConfiguration {
        GPTConfiguration(vocabularySize: vocabularySize, contextLength: 128, layers: 4, heads: 4, embedding: 128, dropout: 0)
    }

    /// The training settings the recipe uses by default.
    public var defaultTraining: GPTTrainingOptions {
        var o = GPTTrainingOptions()
        o.iterations = 6000; o.batchSize = 16; o.learningRate = 1e-3; o.minimumLearningRate = 1e-4
        o.warmupIterations = 100; o.weightDecay = 0.1; o.beta2 = 0.99; o.gradientClip = 1
        o.evaluationInterval = 500; o.evaluationIterations = 20; o.timeBudget = 14 * 60
        return o
    }

    /// The settings `--set key=value` may change (nanoGPT's names), each with what it sets.
    public static let settingNames = ["n_layer", "n_head", "n_embd", "block_size", "dropout", "bias", "iterations", "batch_size",
                                      "learning_rate", "min_lr", "warmup_iters", "lr_decay_iters", "weight_decay", "beta1", "beta2",
                                      "grad_clip", "gradient_accumulation_steps", "eval_interval", "eval_iters", "seed", "time_budget"]

    /// Applies `key=value` overrides to a configuration and training options.
    /// - Throws: ``LMTrainingError/invalidOption(_:)`` for an unknown key or a value of the wrong kind.
    public static func apply(_ settings: [String], to config: inout GPTConfiguration, _ training: inout GPTTrainingOptions) throws {
        for item in settings {
            let setting = try Setting(item)
            let key = setting.key
            func int() throws -> Int { try setting.int() }
            func double() throws -> Double { try setting.double() }
            switch key {
            case "n_layer": config.layers = try int()
            case "n_head": config.heads = try int()
            case "n_embd": config.embedding = try int()
            case "block_size": config.contextLength = try int()
            case "dropout": config.dropout = try double()
            case "bias": config.bias = try setting.bool()
            case "iterations": training.iterations = try int()
            case "batch_size": training.batchSize = try int()
            case "learning_rate": training.learningRate = try double()
            case "min_lr": training.minimumLearningRate = try double()
            case "warmup_iters": training.warmupIterations = try int()
            case "lr_decay_iters": training.decayIterations = try int()
            case "weight_decay": training.weightDecay = try double()
            case "beta1": training.beta1 = try double()
            case "beta2": training.beta2 = try double()
            case "grad_clip": training.gradientClip = try double()
            case "gradient_accumulation_steps": training.gradientAccumulation = try int()
            case "eval_interval": training.evaluationInterval = try int()
            case "eval_iters": training.evaluationIterations = try int()
            case "seed": training.seed = try setting.seed()
            case "time_budget": training.timeBudget = try double()
            default:
                throw LMTrainingError.invalidOption("unknown setting '\(key)'; valid: \(settingNames.joined(separator: ", "))")
            }
        }
        let problems = config.problems
        guard problems.isEmpty else { throw LMTrainingError.invalidOption(problems.joined(separator: "; ")) }
        guard config.contextLength <= GPTExport.maximumContext, config.layers <= GPTExport.maximumLayers, config.embedding <= GPTExport.maximumWidth else {
            throw LMTrainingError.invalidOption("the model may have at most \(GPTExport.maximumContext) positions, \(GPTExport.maximumLayers) layers and width \(GPTExport.maximumWidth)")
        }
        try training.validate()
    }

    /// What a recipe run produced.
    public struct Result {
        /// The trained model.
        public let model: GPT
        /// Its character vocabulary.
        public let vocabulary: CharacterVocabulary
        /// The training run (every loss estimate; the last is the final one).
        public let training: GPTTrainingResult
        /// The final validation loss in nats per character.
        public var validationLoss: Double { training.evaluations.last?.validationLoss ?? .nan }
        /// Text sampled through the LLM runtime from the exported GGUF (nil for a model the GGUF
        /// export cannot write).
        public let sample: String?
        /// Files written (checkpoint, GGUF, Hugging Face directory), when an output directory was given.
        public let files: [String]
    }

    /// Trains the recipe.
    /// - Parameters:
    ///   - settings: `key=value` overrides (``settingNames``).
    ///   - trainingLimit: use only the first N characters of the training split (quick runs).
    ///   - output: a directory for the checkpoint (`model.safetensors`, `config.json`,
    ///     `vocabulary.json`), `model.gguf` and `hf/` (GPT-2 safetensors and config).
    ///   - sampleLength: characters to sample after the prompt (0: none).
    /// - Throws: ``LMTrainingError`` for bad settings or files that cannot be written.
    public func run(settings: [String] = [], trainingLimit: Int? = nil, output: URL? = nil, sampleLength: Int = 500,
                    onEvaluation: (GPTEvaluation) -> Void = { _ in }) throws -> Result {
        let text = try BundledText.shakespeareTragedies.load()
        let vocabulary = CharacterVocabulary(text: text)
        let ids = try vocabulary.encode(text).map(Int64.init)
        let split = ids.count * 9 / 10
        var train = Array(ids[..<split])
        let validation = Array(ids[split...])
        if let trainingLimit {
            guard trainingLimit >= 1 else { throw LMTrainingError.invalidOption("training limit must be at least 1, got \(trainingLimit)") }
            train = Array(train.prefix(trainingLimit))
        }
        var config = defaultConfiguration(vocabularySize: vocabulary.size), training = defaultTraining
        try Self.apply(settings, to: &config, &training)
        let model = GPT(config, generator: RandomGenerator(seed: training.seed))
        let trainer = try GPTTrainer(model: model, options: training)
        let result = try trainer.train(train: train, validation: validation, onEvaluation: onEvaluation)
        model.eval()
        var files: [String] = []
        let gguf = config.bias ? try GPTExport.gguf(model, vocabulary: vocabulary, name: rawValue) : nil
        if let output {
            try GPTExport.save(model, vocabulary: vocabulary, to: output)
            files += ["model.safetensors", "config.json", "vocabulary.json"].map { output.appendingPathComponent($0).path }
            if let gguf {
                let url = output.appendingPathComponent("model.gguf")
                do { try Data(gguf).write(to: url, options: .atomic) } catch { throw LMTrainingError.checkpoint(path: url.path, reason: "\(error)") }
                try GPTExport.exportHuggingFace(model, to: output.appendingPathComponent("hf"), endOfText: vocabulary.endOfText)
                files += [url.path, output.appendingPathComponent("hf").path]
            }
        }
        let sample = try gguf.flatMap { sampleLength > 0 ? try GPTExport.sample(gguf: $0, prompt: "Ham.\n", length: sampleLength, seed: training.seed) : nil }
        return Result(model: model, vocabulary: vocabulary, training: result, sample: sample, files: files)
    }
}

import Foundation
import Tensors

/// Ready-made training runs on bundled data: the deep-learning checkpoints of the roadmap.
///
/// Each recipe builds its data, model, optimizer and schedule from ``RecipeOptions`` (any
/// value left nil takes the recipe's default), trains while reporting every epoch, and returns
/// a ``RecipeResult`` with the test metric and the per-epoch history (for training curves).
///
/// ```swift
/// let result = try Recipe.run(.mlpDigits, options: RecipeOptions(epochs: 5)) { epoch in
///     print(epoch.epoch, epoch.trainLoss, epoch.validationMetric)
/// }
/// result.testMetric        // test accuracy
/// ```
///
/// | recipe | data | model | test metric, defaults |
/// |---|---|---|---|
/// | `mlp-digits` | 8×8 digits | MLP 64-128-64-10 | accuracy |
/// | `cnn-digits` | 8×8 digits | 2 conv + 2 linear | accuracy |
/// | `mlp-mnist` | MNIST | MLP 784-512-256-10, dropout | accuracy |
/// | `lenet-mnist` | MNIST | LeNet-5 (ReLU, max-pool) | accuracy |
/// | `lstm-sine` | noisy sine | LSTM(64) + linear | RMSE (and naive last-value RMSE) |
/// | `char-lstm` | Shakespeare | embedding + LSTM(256) + linear | validation nats/char, sampled text |
public enum Recipe: String, CaseIterable, Sendable {
    /// Multilayer perceptron on the 8×8 digits.
    case mlpDigits = "mlp-digits"
    /// Small convolutional network on the 8×8 digits.
    case cnnDigits = "cnn-digits"
    /// Multilayer perceptron on MNIST.
    case mlpMNIST = "mlp-mnist"
    /// LeNet-5 on MNIST.
    case lenetMNIST = "lenet-mnist"
    /// One-step-ahead forecasting of a noisy sine with an LSTM.
    case lstmSine = "lstm-sine"
    /// Character-level language model on Shakespeare.
    case charLSTM = "char-lstm"

    /// What the test metric measures.
    public var metric: RecipeMetric {
        switch self {
        case .lstmSine: return .rmse
        case .charLSTM: return .loss
        default: return .accuracy
        }
    }

    /// The settings used when ``RecipeOptions`` leaves them unset.
    public var defaults: (epochs: Int, batchSize: Int, learningRate: Double) {
        switch self {
        case .mlpDigits: return (40, 32, 2e-3)
        case .cnnDigits: return (40, 32, 2e-3)
        case .mlpMNIST: return (12, 128, 1e-3)
        case .lenetMNIST: return (10, 64, 3e-3)
        case .lstmSine: return (30, 32, 5e-3)
        case .charLSTM: return (4, 32, 3e-3)
        }
    }

    /// One line on what the recipe trains.
    public var summary: String {
        switch self {
        case .mlpDigits: return "MLP 64-128-64-10 on the 8x8 digits (Adam, cosine schedule)"
        case .cnnDigits: return "CNN (2 conv, max-pool, 2 linear) on the 8x8 digits with shift augmentation (Adam, cosine)"
        case .mlpMNIST: return "MLP 784-512-256-10 with dropout on MNIST (Adam, cosine)"
        case .lenetMNIST: return "LeNet-5 on MNIST (Adam, one-cycle schedule)"
        case .lstmSine: return "LSTM(64) forecasting a noisy sine one step ahead from 40 past values"
        case .charLSTM: return "character LSTM(256) language model on six Shakespeare tragedies"
        }
    }

    /// Looks a recipe up by its CLI name.
    /// - Throws: ``RecipeError/unknownRecipe(_:)`` listing the valid names.
    public static func named(_ name: String) throws -> Recipe {
        guard let r = Recipe(rawValue: name) else { throw RecipeError.unknownRecipe(name) }
        return r
    }

    /// Trains the recipe and reports each epoch to `onEpoch`.
    /// - Throws: ``RecipeError`` for invalid options, data-loading errors for missing data.
    public static func run(_ recipe: Recipe, options: RecipeOptions = RecipeOptions(),
                           onEpoch: (EpochRecord) -> Void = { _ in }) throws -> RecipeResult {
        let settings = try options.resolved(for: recipe)
        let start = DispatchTime.now().uptimeNanoseconds
        var result: RecipeResult
        switch recipe {
        case .mlpDigits, .cnnDigits: result = try DigitsRecipes.run(recipe, settings, onEpoch)
        case .mlpMNIST, .lenetMNIST: result = try MNISTRecipes.run(recipe, settings, onEpoch)
        case .lstmSine: result = try SineRecipe.run(settings, onEpoch)
        case .charLSTM: result = try CharLSTMRecipe.run(settings, onEpoch)
        }
        result.totalSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let url = options.saveURL { try result.model.save(to: url) }
        return result
    }

    /// Trains the recipe named `name` (see ``run(_:options:onEpoch:)``).
    public static func run(_ name: String, options: RecipeOptions = RecipeOptions(),
                           onEpoch: (EpochRecord) -> Void = { _ in }) throws -> RecipeResult {
        try run(named(name), options: options, onEpoch: onEpoch)
    }
}

/// The test metric of a recipe.
public enum RecipeMetric: String, Sendable {
    /// Fraction of correct classifications (higher is better).
    case accuracy
    /// Root-mean-square error (lower is better).
    case rmse
    /// Mean cross-entropy in nats per token (lower is better).
    case loss
}

/// Settings of a recipe run; nil takes the recipe's default (``Recipe/defaults``).
public struct RecipeOptions: Sendable {
    /// Passes over the training data (≥ 1).
    public var epochs: Int?
    /// Samples per batch (≥ 1).
    public var batchSize: Int?
    /// Peak learning rate (> 0).
    public var learningRate: Double?
    /// Seed of initialisation, shuffling, augmentation and sampling (the data split is fixed).
    public var seed: UInt64
    /// Where to save the trained weights (safetensors), if anywhere.
    public var saveURL: URL?
    /// Stop early once the training set has this many samples (for quick tests); nil = all.
    public var trainingLimit: Int?

    /// Creates options.
    public init(epochs: Int? = nil, batchSize: Int? = nil, learningRate: Double? = nil, seed: UInt64 = 0,
                saveURL: URL? = nil, trainingLimit: Int? = nil) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
        self.saveURL = saveURL
        self.trainingLimit = trainingLimit
    }

    /// The most epochs a run may ask for (the step count `epochs × batches` must stay far from overflow).
    public static let maximumEpochs = 100_000
    /// The largest batch a run may ask for (larger than every bundled training set; a larger value
    /// would only be clamped to the whole set).
    public static let maximumBatchSize = 1_000_000

    /// The options with defaults filled in, validated.
    func resolved(for recipe: Recipe) throws -> RecipeSettings {
        let d = recipe.defaults
        let s = RecipeSettings(recipe: recipe, epochs: epochs ?? d.epochs, batchSize: batchSize ?? d.batchSize,
                               learningRate: learningRate ?? d.learningRate, seed: seed, trainingLimit: trainingLimit)
        guard s.epochs >= 1, s.epochs <= Self.maximumEpochs else {
            throw RecipeError.invalidOption("epochs must be 1 to \(Self.maximumEpochs), got \(s.epochs)")
        }
        guard s.batchSize >= 1, s.batchSize <= Self.maximumBatchSize else {
            throw RecipeError.invalidOption("batch size must be 1 to \(Self.maximumBatchSize), got \(s.batchSize)")
        }
        guard s.learningRate > 0, s.learningRate.isFinite else {
            throw RecipeError.invalidOption("learning rate must be a positive number, got \(s.learningRate)")
        }
        if let l = trainingLimit, l < 1 { throw RecipeError.invalidOption("training limit must be at least 1, got \(l)") }
        return s
    }
}

/// Fully resolved settings handed to a recipe's implementation.
struct RecipeSettings {
    let recipe: Recipe
    let epochs: Int
    let batchSize: Int
    let learningRate: Double
    let seed: UInt64
    let trainingLimit: Int?
}

/// One epoch's figures.
public struct EpochRecord: Sendable {
    /// 1-based epoch number.
    public let epoch: Int
    /// Mean training loss over the epoch's batches.
    public let trainLoss: Double
    /// Loss on the validation set.
    public let validationLoss: Double
    /// Validation accuracy or RMSE (see ``Recipe/metric``); nil for language models.
    public let validationMetric: Double?
    /// Learning rate of the first parameter group at the end of the epoch.
    public let learningRate: Double
    /// Wall time of the epoch (training and validation).
    public let seconds: Double
}

/// What a recipe run produced.
public struct RecipeResult {
    /// The recipe.
    public let recipe: Recipe
    /// The trained model.
    public let model: Module
    /// Every epoch's figures, in order (the training curve).
    public let history: [EpochRecord]
    /// The test metric (accuracy, RMSE, or validation nats/char for `char-lstm`).
    public let testMetric: Double
    /// Further named figures: `naive_rmse` for `lstm-sine`, `perplexity` for `char-lstm`, …
    public let extras: [(name: String, value: Double)]
    /// Generated text (for `char-lstm`).
    public let sample: String?
    /// Number of trainable scalars.
    public var parameterCount: Int { model.trainableParameterCount }
    /// Wall time of the whole run, data preparation included.
    public internal(set) var totalSeconds: Double = 0

    /// The name of the test metric in reports (`test_accuracy`, `test_rmse`, `val_loss`).
    public var testMetricName: String {
        switch recipe.metric {
        case .accuracy: return "test_accuracy"
        case .rmse: return "test_rmse"
        case .loss: return "val_loss"
        }
    }
}

/// Errors of recipe runs.
public enum RecipeError: Error, CustomStringConvertible, Equatable {
    /// No recipe has this name.
    case unknownRecipe(String)
    /// An option is out of range.
    case invalidOption(String)

    public var description: String {
        switch self {
        case .unknownRecipe(let n):
            return "unknown recipe '\(n)'; valid recipes: \(Recipe.allCases.map(\.rawValue).joined(separator: ", "))"
        case .invalidOption(let m): return m
        }
    }
}

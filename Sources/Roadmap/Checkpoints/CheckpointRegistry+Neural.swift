import Foundation
import Neural
import Plot

extension CheckpointRegistry {
    /// Checkpoint projects of the deep-learning phase: each trains a `Neural` recipe with its
    /// default settings (``Recipe/defaults``) and checks the test figure against a threshold.
    public static let neural: [Checkpoint] = [
        recipeCheckpoint(.mlpDigits, "An MLP on the 8×8 digits", topics: ["mlp-from-scratch", "training-loops"],
                         criterion: "the mlp-digits recipe (MLP 64-128-64-10, Adam, cosine schedule, 40 epochs) reaches test accuracy ≥ 0.97 on the 360 held-out digits",
                         threshold: 0.97, quick: true),
        recipeCheckpoint(.cnnDigits, "A CNN on the 8×8 digits", topics: ["convolution-pooling", "data-augmentation"],
                         criterion: "the cnn-digits recipe (2 conv layers, max-pool, dropout, shift augmentation, 40 epochs) reaches test accuracy ≥ 0.98 on the 360 held-out digits",
                         threshold: 0.98, quick: false),
        recipeCheckpoint(.mlpMNIST, "An MLP on MNIST", topics: ["project-mnist", "regularization-dropout"],
                         criterion: "the mlp-mnist recipe (784-512-256-10 with dropout, 12 epochs) reaches test accuracy ≥ 0.98 on the 10,000 MNIST test digits",
                         threshold: 0.98, quick: false),
        recipeCheckpoint(.lenetMNIST, "LeNet-5 on MNIST", topics: ["project-mnist", "classic-cnns"],
                         criterion: "the lenet-mnist recipe (LeNet-5, Adam, one-cycle schedule, 10 epochs) reaches test accuracy ≥ 0.99 on the 10,000 MNIST test digits",
                         threshold: 0.99, quick: false),
        recipeCheckpoint(.lstmSine, "Forecasting a noisy sine with an LSTM", topics: ["lstm-gru", "project-sequence-forecast"],
                         criterion: "the lstm-sine recipe (LSTM(64), 30 epochs) reaches a test RMSE at most a fifth of the naive last-value forecast's",
                         threshold: 5, quick: false),
        recipeCheckpoint(.charLSTM, "A character-level LSTM language model", topics: ["lstm-gru", "rnn"],
                         criterion: "the char-lstm recipe (embedding + LSTM(256) on Shakespeare, 4 epochs) reaches a validation loss below 1.8 nats per character",
                         threshold: 1.8, quick: false),
    ]

    /// A checkpoint that runs `recipe` with default settings and compares its test figure with
    /// `threshold`: accuracy ≥ threshold, naive RMSE / RMSE ≥ threshold (`lstm-sine`), or
    /// validation nats/char < threshold (`char-lstm`). The first metric is that score.
    static func recipeCheckpoint(_ recipe: Recipe, _ title: String, topics: [String], criterion: String,
                                 threshold: Double, quick: Bool) -> Checkpoint {
        Checkpoint(recipe.rawValue, title, topics: topics, criterion: criterion, quick: quick) { ctx in
            let result = try Recipe.run(recipe, options: RecipeOptions(seed: ctx.seed))
            let h = result.history, epochs = h.map { Double($0.epoch) }
            let extras = result.extras.map { ($0.name, $0.value) }
            let summary = "\(h.count) epochs, \(result.parameterCount) parameters, \(f(result.totalSeconds, 1)) s"
            let passed: Bool, text: String, metrics: [(name: String, value: Double)]
            switch recipe.metric {
            case .accuracy:
                passed = result.testMetric >= threshold
                text = "test accuracy \(f(result.testMetric, 4)) (needs ≥ \(threshold)); \(summary)"
                metrics = [("test_accuracy", result.testMetric)] + extras
            case .rmse:
                let naive = result.extras.first { $0.name == "naive_rmse" }?.value ?? .nan
                let ratio = naive / result.testMetric
                passed = ratio >= threshold
                text = "test RMSE \(f(result.testMetric, 4)), naive last-value RMSE \(f(naive, 4)): \(f(ratio, 2))× better (needs ≥ \(f(threshold, 0))×); \(summary)"
                metrics = [("naive_over_model", ratio), ("test_rmse", result.testMetric), ("naive_rmse", naive)]
            case .loss:
                passed = result.testMetric < threshold
                text = "validation loss \(f(result.testMetric, 3)) nats/char (needs < \(threshold)); \(summary)" + (result.sample.map { "\nsample: \($0.prefix(300))" } ?? "")
                metrics = [("val_loss", result.testMetric)] + extras
            }
            return DemoOutcome(passed: passed, result: text, metrics: metrics,
                               figures: [DemoFigure("loss", LineChart(title: "\(recipe.rawValue): loss per epoch", xLabel: "epoch", yLabel: "loss",
                                                                       series: [ChartSeries(name: "train", x: epochs, y: h.map(\.trainLoss)),
                                                                                ChartSeries(name: "validation", x: epochs, y: h.map(\.validationLoss))], logY: true),
                                                    caption: recipe.summary)])
        }
    }
}

import Foundation
import Datasets
import Tensors

/// One-step-ahead forecaster: an LSTM over a window, a linear head on its last output.
final class WindowForecaster: Module {
    var lstm: LSTM
    var head: Linear

    init(hidden: Int, generator: RandomGenerator) {
        lstm = LSTM(inputSize: 1, hiddenSize: hidden, batchFirst: true, generator: generator)
        head = Linear(hidden, 1, generator: generator)
        super.init()
    }

    /// [B, T, 1] → [B, 1]
    override func forward(_ x: Tensor) -> Tensor {
        let (out, _) = lstm(x, state: nil)                                  // [B, T, H]
        let t = out.shape[1]
        return head(out.slice(axis: 1, t - 1, t).reshaped([out.shape[0], out.shape[2]]))
    }
}

/// `lstm-sine`: the series xₜ = sin(2πt/16) + ½·sin(2πt/50) + ε, ε ~ N(0, 0.03²), 3,000 steps
/// (fixed seed); windows of 40 values predict the next one; chronological split 70/15/15.
/// The naive forecast (the last value) is the baseline the model must beat five times over.
enum SineRecipe {
    static let window = 40

    static func series() -> [Float] {
        let noise = Tensor.normal([3000], std: 0.03, dtype: .float64, generator: RandomGenerator(seed: 0)).scalars
        return (0..<3000).map { t in
            let x = Double(t)
            return Float(sin(2 * Double.pi * x / 16) + 0.5 * sin(2 * Double.pi * x / 50) + noise[t])
        }
    }

    static func run(_ s: RecipeSettings, _ onEpoch: (EpochRecord) -> Void) throws -> RecipeResult {
        let xs = series()
        let n = xs.count - window
        var inputs = [Float](), targets = [Float](), naive = [Float]()
        for i in 0..<n {
            inputs += xs[i..<(i + window)]
            targets.append(xs[i + window])
            naive.append(xs[i + window - 1])
        }
        let x = Tensor(inputs, shape: [n, window, 1]), y = Tensor(targets, shape: [n, 1])
        let nTrain = n * 70 / 100, nVal = n * 15 / 100
        let trainEnd = Swift.min(nTrain, s.trainingLimit ?? nTrain)
        let train = try TensorDataset(x.slice(axis: 0, 0, trainEnd), y.slice(axis: 0, 0, trainEnd))
        let val = (x.slice(axis: 0, nTrain, nTrain + nVal), y.slice(axis: 0, nTrain, nTrain + nVal))
        let test = (x.slice(axis: 0, nTrain + nVal, n), y.slice(axis: 0, nTrain + nVal, n))
        let loader = try DataLoader(train, batchSize: s.batchSize, shuffle: true, seed: s.seed)

        let model = WindowForecaster(hidden: 64, generator: RandomGenerator(seed: s.seed))
        let optimizer = Adam(model.parameters(), learningRate: s.learningRate)
        let trainer = Trainer<[Tensor]>(model: model, optimizer: optimizer) { m, b in mseLoss(m(b[0]), b[1]) }
        trainer.epochSchedule = CosineAnnealingLR(optimizer, period: s.epochs)
        trainer.clipNorm = 1
        let history = try trainer.fit(epochs: s.epochs, loader: loader, validate: {
            let r = Evaluation.regression(model, val.0, val.1)
            return (r.mse, r.rmse)
        }, onEpoch: onEpoch)
        let rmse = Evaluation.regression(model, test.0, test.1).rmse
        let testNaive = naive[(nTrain + nVal)...], testTruth = targets[(nTrain + nVal)...]
        let naiveRMSE = (zip(testNaive, testTruth).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +)
            / Double(testTruth.count)).squareRoot()
        return RecipeResult(recipe: .lstmSine, model: model, history: history, testMetric: rmse,
                            extras: [("naive_rmse", naiveRMSE), ("naive_over_model", naiveRMSE / rmse)], sample: nil)
    }
}

/// Character language model: embedding → LSTM → linear over the vocabulary.
final class CharLanguageModel: Module {
    var embedding: Embedding
    var lstm: LSTM
    var head: Linear

    init(vocabulary: Int, embeddingSize: Int, hidden: Int, generator: RandomGenerator) {
        embedding = Embedding(vocabulary, embeddingSize, generator: generator)
        lstm = LSTM(inputSize: embeddingSize, hiddenSize: hidden, batchFirst: true, generator: generator)
        head = Linear(hidden, vocabulary, generator: generator)
        super.init()
    }

    /// Token ids [B, T] (and an optional state) → logits [B·T, V] and the final state.
    func logits(_ tokens: Tensor, state: (h: Tensor, c: Tensor)?) -> (Tensor, (h: Tensor, c: Tensor)) {
        let (out, next) = lstm(embedding(tokens), state: state)            // [B, T, H]
        return (head(out.reshaped([-1, out.shape[2]])), next)
    }

    override func forward(_ x: Tensor) -> Tensor { logits(x, state: nil).0 }
}

/// `char-lstm`: the bundled Shakespeare tragedies as characters; the first 90% trains, the
/// last 10% validates; sequences of 100 characters; the metric is the validation cross-entropy
/// in nats per character (each window starts from a zero state).
enum CharLSTMRecipe {
    static let sequenceLength = 100

    static func run(_ s: RecipeSettings, _ onEpoch: (EpochRecord) -> Void) throws -> RecipeResult {
        let text = Array(try BundledText.shakespeareTragedies.load().unicodeScalars)
        let vocabulary = Array(Set(text)).sorted { $0.value < $1.value }
        let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, Int64($0)) })
        let ids = text.map { index[$0]! }
        let split = ids.count * 9 / 10
        let t = sequenceLength
        let trainIDs = Array(ids[..<split]), valIDs = Array(ids[split...])

        func windows(_ source: [Int64], limit: Int?) -> (Tensor, Tensor) {
            var count = (source.count - 1) / t
            if let limit { count = Swift.min(count, Swift.max(1, limit / t)) }
            var x = [Int64](), y = [Int64]()
            x.reserveCapacity(count * t); y.reserveCapacity(count * t)
            for w in 0..<count {
                x += source[(w * t)..<(w * t + t)]
                y += source[(w * t + 1)..<(w * t + t + 1)]
            }
            return (Tensor(x, shape: [count, t]), Tensor(y, shape: [count, t]))
        }
        let (trainX, trainY) = windows(trainIDs, limit: s.trainingLimit)
        let (valX, valY) = windows(valIDs, limit: nil)
        let loader = try DataLoader(try TensorDataset(trainX, trainY), batchSize: s.batchSize, shuffle: true,
                                    dropLast: trainX.shape[0] >= s.batchSize, seed: s.seed)

        let model = CharLanguageModel(vocabulary: vocabulary.count, embeddingSize: 48, hidden: 256,
                                      generator: RandomGenerator(seed: s.seed))
        let optimizer = Adam(model.parameters(), learningRate: s.learningRate)
        let trainer = Trainer<[Tensor]>(model: model, optimizer: optimizer) { m, b in
            crossEntropy((m as! CharLanguageModel).logits(b[0], state: nil).0, b[1].reshaped([-1]))
        }
        trainer.clipNorm = 5
        trainer.epochSchedule = CosineAnnealingLR(optimizer, period: s.epochs, minimumLearningRate: s.learningRate / 20)
        func validationLoss() -> Double {
            var sum = 0.0
            let n = valX.shape[0]
            for start in stride(from: 0, to: n, by: 128) {
                let end = Swift.min(start + 128, n)
                let logits = model.logits(valX.slice(axis: 0, start, end), state: nil).0
                sum += crossEntropy(logits, valY.slice(axis: 0, start, end).reshaped([-1])).item() * Double(end - start)
            }
            return sum / Double(n)
        }
        let history = try trainer.fit(epochs: s.epochs, loader: loader, validate: { (validationLoss(), nil) }, onEpoch: onEpoch)
        let final = GradMode.withoutGrad { validationLoss() }
        let sample = GradMode.withoutGrad {
            generate(model, vocabulary: vocabulary, index: index, prompt: "HAMLET.\n", length: 400, temperature: 0.8,
                     generator: RandomGenerator(seed: s.seed))
        }
        return RecipeResult(recipe: .charLSTM, model: model, history: history, testMetric: final,
                            extras: [("perplexity", exp(final)), ("bits_per_char", final / log(2))], sample: sample)
    }

    /// Samples `length` characters after `prompt` at the given temperature.
    static func generate(_ model: CharLanguageModel, vocabulary: [Unicode.Scalar], index: [Unicode.Scalar: Int64],
                         prompt: String, length: Int, temperature: Double, generator: RandomGenerator) -> String {
        let primer = prompt.unicodeScalars.compactMap { index[$0] }
        var state: (h: Tensor, c: Tensor)? = nil
        var logits = Tensor.zeros([1, vocabulary.count])
        if !primer.isEmpty {
            let (l, st) = model.logits(Tensor(primer, shape: [1, primer.count]), state: nil)
            logits = l.slice(axis: 0, primer.count - 1, primer.count)
            state = st
        }
        var out = String(prompt)
        for _ in 0..<length {
            let probs = (logits / temperature).softmax(axis: -1).reshaped([-1])
            let next = Tensor.multinomial(probs, numSamples: 1, generator: generator).toArray(as: Int64.self)[0]
            out.unicodeScalars.append(vocabulary[Int(next)])
            let (l, st) = model.logits(Tensor([next], shape: [1, 1]), state: state)
            logits = l
            state = st
        }
        return out
    }
}

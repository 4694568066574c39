import Foundation
import Tensors
import Neural

/// The training settings of a ``GPTTrainer`` (nanoGPT's `train.py` knobs, same meanings).
public struct GPTTrainingOptions: Sendable, Equatable {
    /// Optimizer steps (`max_iters`).
    public var iterations = 5000
    /// Sequences per micro-batch (`batch_size`).
    public var batchSize = 16
    /// Micro-batches whose gradients are summed before one step (`gradient_accumulation_steps`);
    /// each micro-batch loss is divided by this, so the step sees the mean over all of them.
    public var gradientAccumulation = 1
    /// Peak learning rate (`learning_rate`).
    public var learningRate = 1e-3
    /// Learning rate at the end of the cosine decay (`min_lr`); nil = learningRate / 10.
    public var minimumLearningRate: Double? = nil
    /// Steps of linear warm-up from 0 (`warmup_iters`).
    public var warmupIterations = 100
    /// Step at which the cosine decay reaches the minimum (`lr_decay_iters`); nil = iterations.
    public var decayIterations: Int? = nil
    /// AdamW's decoupled weight decay on matrices (`weight_decay`; none on biases and norms).
    public var weightDecay = 0.1
    /// AdamW's β₁ and β₂ (`beta1`, `beta2`).
    public var beta1 = 0.9, beta2 = 0.99
    /// Clip the global gradient norm to this before each step (`grad_clip`; 0 = no clipping).
    public var gradientClip = 1.0
    /// Estimate the train and validation loss every this many steps (`eval_interval`), and at the end.
    public var evaluationInterval = 250
    /// Batches per split in each estimate (`eval_iters`).
    public var evaluationIterations = 20
    /// Seed of the batch draws (the model's initialisation has its own generator).
    public var seed: UInt64 = 1337
    /// Stop after this many seconds of training (then evaluate once more); nil = no limit.
    public var timeBudget: Double? = nil

    /// The defaults.
    public init() {}

    /// - Throws: ``LMTrainingError/invalidOption(_:)`` naming the first bad value.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw LMTrainingError.invalidOption(message) } }
        try check((1...10_000_000).contains(iterations), "iterations must be 1 to 10,000,000, got \(iterations)")
        try check((1...65_536).contains(batchSize), "batch size must be 1 to 65,536, got \(batchSize)")
        try check((1...1024).contains(gradientAccumulation), "gradient accumulation must be 1 to 1024, got \(gradientAccumulation)")
        try check(learningRate > 0 && learningRate.isFinite, "learning rate must be positive, got \(learningRate)")
        if let m = minimumLearningRate { try check(m >= 0 && m <= learningRate, "minimum learning rate must be in [0, learning rate], got \(m)") }
        try check((0...10_000_000).contains(warmupIterations), "warm-up must be 0 to 10,000,000 steps, got \(warmupIterations)")
        if let d = decayIterations { try check((0...10_000_000).contains(d), "decay iterations must be 0 to 10,000,000, got \(d)") }
        try check(weightDecay >= 0 && weightDecay.isFinite, "weight decay must be non-negative, got \(weightDecay)")
        try check((0..<1).contains(beta1) && (0..<1).contains(beta2), "betas must be in [0, 1), got \(beta1), \(beta2)")
        try check(gradientClip >= 0 && gradientClip.isFinite, "gradient clip must be non-negative, got \(gradientClip)")
        try check(evaluationInterval >= 1, "evaluation interval must be at least 1, got \(evaluationInterval)")
        try check((1...10_000).contains(evaluationIterations), "evaluation iterations must be 1 to 10,000, got \(evaluationIterations)")
        if let t = timeBudget { try check(t > 0 && t.isFinite, "time budget must be positive seconds, got \(t)") }
    }
}

/// One loss estimate during training.
public struct GPTEvaluation: Sendable, Equatable {
    /// Optimizer steps done.
    public let iteration: Int
    /// Mean loss over `evaluationIterations` random batches of each split (nats per token).
    public let trainLoss: Double, validationLoss: Double
    /// Learning rate of the last step.
    public let learningRate: Double
    /// Training seconds so far (evaluations excluded) and training tokens per second.
    public let seconds: Double, tokensPerSecond: Double
}

/// What a training run did.
public struct GPTTrainingResult: Sendable {
    /// Every estimate, in order (the last at the final step).
    public let evaluations: [GPTEvaluation]
    /// Steps taken (fewer than asked when the time budget ran out).
    public let iterations: Int
    /// Training seconds (evaluations excluded) and tokens per second over them.
    public let seconds: Double, tokensPerSecond: Double
}

/// nanoGPT's training loop for a ``GPT`` on a token stream: random windows of `contextLength + 1`
/// tokens, AdamW with decay on matrices only, linear warm-up then cosine decay, gradient
/// accumulation and clipping, and periodic loss estimates on both splits.
///
/// ```swift
/// var options = GPTTrainingOptions(); options.iterations = 2000
/// let trainer = try GPTTrainer(model: GPT(config), options: options)
/// let result = try trainer.train(train: trainIDs, validation: validationIDs) { e in print(e.iteration, e.validationLoss) }
/// ```
public final class GPTTrainer {
    /// The model (trained in place).
    public let model: GPT
    /// AdamW over ``GPT/parameterGroups(weightDecay:)``.
    public let optimizer: AdamW
    /// The settings.
    public let options: GPTTrainingOptions
    private let generator: RandomGenerator

    /// - Throws: ``LMTrainingError/invalidOption(_:)`` for bad options.
    public init(model: GPT, options: GPTTrainingOptions) throws {
        try options.validate()
        self.model = model
        self.options = options
        optimizer = AdamW(groups: model.parameterGroups(weightDecay: options.weightDecay), learningRate: options.learningRate,
                          betas: (options.beta1, options.beta2))
        generator = RandomGenerator(seed: options.seed)
    }

    /// The learning rate of step `it` (nanoGPT's `get_lr`): linear warm-up from 0 over
    /// `warmupIterations`, cosine decay to the minimum at `decayIterations`, the minimum after
    /// (a warm-up longer than the decay goes straight from the ramp to the minimum).
    public func learningRate(at it: Int) -> Double {
        let o = options, peak = o.learningRate, floor = o.minimumLearningRate ?? o.learningRate / 10
        let decay = o.decayIterations ?? o.iterations
        if it < o.warmupIterations { return peak * Double(it + 1) / Double(o.warmupIterations + 1) }
        if it > decay { return floor }
        let ratio = decay == o.warmupIterations ? 1 : Double(it - o.warmupIterations) / Double(decay - o.warmupIterations)
        return floor + 0.5 * (1 + cos(Double.pi * ratio)) * (peak - floor)
    }

    /// `batchSize` random windows of `data`: inputs `[B, T]` and the next tokens `[B, T]`.
    func batch(_ data: [Int64], from generator: RandomGenerator) -> (Tensor, Tensor) {
        let t = model.configuration.contextLength, b = options.batchSize
        let starts = Tensor.randint(0, data.count - t, [b], generator: generator).toArray(as: Int64.self)
        var x = [Int64](), y = [Int64]()
        x.reserveCapacity(b * t); y.reserveCapacity(b * t)
        data.withUnsafeBufferPointer { d in
            for s in starts.map(Int.init) {
                x.append(contentsOf: d[s..<(s + t)])
                y.append(contentsOf: d[(s + 1)...(s + t)])
            }
        }
        return (Tensor(x, shape: [b, t]), Tensor(y, shape: [b, t]))
    }

    /// Mean loss over `evaluationIterations` batches of each split, in eval mode without gradients;
    /// the batches come from a generator seeded by `seed`, so every estimate sees the same windows.
    public func estimateLoss(train: [Int64], validation: [Int64], seed: UInt64 = 0) -> (train: Double, validation: Double) {
        model.eval()
        defer { model.train() }
        return GradMode.withoutGrad {
            func mean(_ data: [Int64]) -> Double {
                let g = RandomGenerator(seed: seed)
                var sum = 0.0
                for _ in 0..<options.evaluationIterations {
                    let (x, y) = batch(data, from: g)
                    sum += model.loss(x, targets: y).item()
                }
                return sum / Double(options.evaluationIterations)
            }
            return (mean(train), mean(validation))
        }
    }

    /// Trains, reporting each loss estimate.
    /// - Throws: ``LMTrainingError/invalidOption(_:)`` when a split is shorter than one window of
    ///   `contextLength + 1` tokens or holds an id outside the vocabulary.
    public func train(train: [Int64], validation: [Int64], onEvaluation: (GPTEvaluation) -> Void = { _ in }) throws -> GPTTrainingResult {
        let c = model.configuration
        for (name, data) in [("training", train), ("validation", validation)] {
            guard data.count > c.contextLength else {
                throw LMTrainingError.invalidOption("the \(name) split has \(data.count) tokens; it needs more than the context of \(c.contextLength)")
            }
            guard data.allSatisfy({ $0 >= 0 && $0 < Int64(c.vocabularySize) }) else {
                throw LMTrainingError.invalidOption("the \(name) split holds token ids outside the vocabulary of \(c.vocabularySize)")
            }
        }
        model.train()
        var evaluations: [GPTEvaluation] = []
        var seconds = 0.0, tokens = 0, lr = learningRate(at: 0), step = 0
        let tokensPerStep = options.batchSize * c.contextLength * options.gradientAccumulation
        func evaluate() {
            let (tl, vl) = estimateLoss(train: train, validation: validation)
            let e = GPTEvaluation(iteration: step, trainLoss: tl, validationLoss: vl, learningRate: lr, seconds: seconds,
                                  tokensPerSecond: seconds > 0 ? Double(tokens) / seconds : 0)
            evaluations.append(e)
            onEvaluation(e)
        }
        while step < options.iterations {
            if let budget = options.timeBudget, seconds >= budget { break }
            let start = DispatchTime.now().uptimeNanoseconds
            lr = learningRate(at: step)
            for group in optimizer.parameterGroups { group.learningRate = lr }
            optimizer.zeroGrad()
            for _ in 0..<options.gradientAccumulation {
                let (x, y) = batch(train, from: generator)
                var loss = model.loss(x, targets: y)
                if options.gradientAccumulation > 1 { loss = loss / Double(options.gradientAccumulation) }
                loss.backward()
            }
            if options.gradientClip > 0 { _ = clipGradNorm(model.parameters(), maxNorm: options.gradientClip) }
            optimizer.step()
            step += 1
            tokens += tokensPerStep
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if step % options.evaluationInterval == 0 && step < options.iterations { evaluate() }
        }
        evaluate()
        return GPTTrainingResult(evaluations: evaluations, iterations: step, seconds: seconds,
                                 tokensPerSecond: seconds > 0 ? Double(tokens) / seconds : 0)
    }
}

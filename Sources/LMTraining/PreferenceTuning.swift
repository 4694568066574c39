import Foundation
import Tensors
import Neural
import Datasets

/// A preference: the answer to prefer and the one to avoid for one prompt (TRL's `prompt`,
/// `chosen`, `rejected` columns).
public struct PreferenceExample: Codable, Equatable, Sendable {
    /// The prompt, the preferred answer and the answer to move away from.
    public var prompt: String, chosen: String, rejected: String

    /// Creates a preference.
    public init(prompt: String, chosen: String, rejected: String) {
        self.prompt = prompt; self.chosen = chosen; self.rejected = rejected
    }

    /// Reads JSON Lines of `{"prompt", "chosen", "rejected"}` (blank lines skipped).
    /// - Throws: `CSVError` for an unreadable file or a malformed line (its number).
    public static func readJSONL(_ url: URL) throws -> [PreferenceExample] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw CSVError.unreadable(path: url.path, reason: "\(error)")
        }
        var out: [PreferenceExample] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let e = try? JSONDecoder().decode(PreferenceExample.self, from: Data(trimmed.utf8)),
                  ![e.prompt, e.chosen, e.rejected].contains(where: { $0.isEmpty || $0.count > InstructionExample.maximumLength }) else {
                throw CSVError.inFile(path: url.path, error: .malformed(line: i + 1, column: 1, reason: "expected {\"prompt\", \"chosen\", \"rejected\"} with non-empty texts"))
            }
            out.append(e)
        }
        return out
    }

    /// Pairs from labelled examples: each example's completion is chosen and another label of the
    /// set (the next one in sorted order) rejected — how the bundled `word_sentiment` set becomes
    /// preference data (`positive` over `negative` and the reverse).
    public static func fromLabels(_ examples: [InstructionExample]) -> [PreferenceExample] {
        let labels = Array(Set(examples.map(\.completion))).sorted()
        guard labels.count >= 2 else { return [] }
        return examples.compactMap { e in
            guard let i = labels.firstIndex(of: e.completion) else { return nil }
            return PreferenceExample(prompt: e.prompt, chosen: e.completion, rejected: labels[(i + 1) % labels.count])
        }
    }
}

extension FineTuner {
    /// Direct Preference Optimization (``dpoLoss(policyChosen:policyRejected:referenceChosen:referenceRejected:beta:labelSmoothing:)``)
    /// on `pairs`, TRL's `DPOTrainer` in outline: the reference is the model as it is before this
    /// call (its sequence log-probabilities computed once, in eval mode), LoRA adapters (or every
    /// weight) train, dropout off (TRL's `disable_dropout`), each step one batch of pairs.
    /// Reports the mean DPO loss per epoch.
    /// - Throws: ``LMTrainingError/invalidOption(_:)`` for bad options, no usable pair, or a loss
    ///   that stops being finite.
    @discardableResult
    public func trainDPO(_ pairs: [PreferenceExample], options: FineTuneOptions, beta: Double = 0.1, labelSmoothing: Double = 0,
                         onEpoch: (FineTuneEpoch) -> Void = { _ in }) throws -> [FineTuneEpoch] {
        try options.validate()
        guard beta > 0 && beta.isFinite, labelSmoothing >= 0 && labelSmoothing < 0.5 else {
            throw LMTrainingError.invalidOption("DPO needs beta > 0 and label smoothing in [0, 0.5), got \(beta), \(labelSmoothing)")
        }
        var encoded: [(chosen: (ids: [Int], promptCount: Int), rejected: (ids: [Int], promptCount: Int))] = []
        for p in pairs {
            let c = try encode(InstructionExample(prompt: p.prompt, completion: p.chosen), maxLength: options.maxLength)
            let r = try encode(InstructionExample(prompt: p.prompt, completion: p.rejected), maxLength: options.maxLength)
            if c.ids.count > c.promptCount && r.ids.count > r.promptCount { encoded.append((c, r)) }
        }
        guard !encoded.isEmpty else { throw LMTrainingError.invalidOption("no pair has both answers within \(options.maxLength) tokens") }
        func logps(_ items: [(ids: [Int], promptCount: Int)]) -> Tensor {
            let (x, y, _) = batch(items)
            return sequenceLogProbabilities(model(x), targets: y)
        }
        // The reference: the model before training, once, without gradients.
        model.eval()
        var refChosen = [Double](), refRejected = [Double]()
        GradMode.withoutGrad {
            for start in stride(from: 0, to: encoded.count, by: options.batchSize) {
                let part = encoded[start..<Swift.min(start + options.batchSize, encoded.count)]
                refChosen += logps(part.map(\.chosen)).to(.float64).scalars
                refRejected += logps(part.map(\.rejected)).to(.float64).scalars
            }
        }
        let generator = RandomGenerator(seed: options.seed)
        let (trainable, optimizer, warmup) = try prepareTraining(options, examples: encoded.count, adapterDropout: 0, generator: generator)
        var step = 0, history: [FineTuneEpoch] = []
        model.eval()   // dropout off; gradients still flow
        for epoch in 1...options.epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            let order = Tensor.permutation(encoded.count, generator: generator).toArray(as: Int64.self).map(Int.init)
            var lossSum = 0.0, batches = 0, processed = 0
            for b in stride(from: 0, to: order.count, by: options.batchSize) {
                let chosen = Array(order[b..<Swift.min(b + options.batchSize, order.count)])
                processed += chosen.reduce(0) { $0 + encoded[$1].chosen.ids.count + encoded[$1].rejected.ids.count - 2 }
                for group in optimizer.parameterGroups { group.learningRate = options.learningRate * Swift.min(1, Double(step + 1) / Double(warmup)) }
                optimizer.zeroGrad()
                let loss = dpoLoss(policyChosen: logps(chosen.map { encoded[$0].chosen }), policyRejected: logps(chosen.map { encoded[$0].rejected }),
                                   referenceChosen: Tensor(chosen.map { refChosen[$0] }).to(model.lmHead.weight.value.dtype),
                                   referenceRejected: Tensor(chosen.map { refRejected[$0] }).to(model.lmHead.weight.value.dtype),
                                   beta: beta, labelSmoothing: labelSmoothing)
                let value = loss.item()
                guard value.isFinite else { throw LMTrainingError.invalidOption("the DPO loss became \(value) at step \(step + 1); lower the learning rate") }
                loss.backward()
                if options.gradientClip > 0 { _ = clipGradNorm(trainable, maxNorm: options.gradientClip) }
                optimizer.step()
                lossSum += value; batches += 1; step += 1
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let e = FineTuneEpoch(epoch: epoch, trainLoss: lossSum / Double(Swift.max(batches, 1)), seconds: seconds,
                                  tokensPerSecond: seconds > 0 ? Double(processed) / seconds : 0)
            history.append(e)
            onEpoch(e)
        }
        return history
    }

    /// Fraction of `pairs` whose chosen answer the model finds more likely than the rejected one
    /// (summed log-probabilities of the answer tokens and end of turn; TRL's `rewards/accuracies`
    /// with the reference term cancelled), in eval mode without gradients.
    public func preferenceAccuracy(_ pairs: [PreferenceExample], maxLength: Int = 256, batchSize: Int = 8) throws -> Double {
        model.eval()
        var wins = 0, total = 0
        try GradMode.withoutGrad {
            for start in stride(from: 0, to: pairs.count, by: batchSize) {
                let part = pairs[start..<Swift.min(start + batchSize, pairs.count)]
                let chosen = try part.map { try encode(InstructionExample(prompt: $0.prompt, completion: $0.chosen), maxLength: maxLength) }
                let rejected = try part.map { try encode(InstructionExample(prompt: $0.prompt, completion: $0.rejected), maxLength: maxLength) }
                let (xc, yc, _) = batch(chosen), (xr, yr, _) = batch(rejected)
                let c = sequenceLogProbabilities(model(xc), targets: yc).to(.float64).scalars
                let r = sequenceLogProbabilities(model(xr), targets: yr).to(.float64).scalars
                for (a, b) in zip(c, r) { wins += a > b ? 1 : 0; total += 1 }
            }
        }
        return total == 0 ? .nan : Double(wins) / Double(total)
    }
}

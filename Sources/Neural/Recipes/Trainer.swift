import Foundation
import Tensors

/// A small training loop (the part of PyTorch Lightning's `Trainer.fit` every script repeats):
/// per batch zero the gradients, compute the loss, back-propagate, clip, step the optimizer
/// and the per-batch schedule; per epoch validate, step the per-epoch schedule, report, and
/// stop early when asked.
///
/// ```swift
/// let trainer = Trainer(model: model, optimizer: Adam(model.parameters(), learningRate: 1e-3)) { m, batch in
///     crossEntropy(m(batch[0]), batch[1])
/// }
/// trainer.epochSchedule = CosineAnnealingLR(trainer.optimizer, period: 10)
/// let history = try trainer.fit(epochs: 10, loader: loader, validate: { (loss: v, metric: acc) }) { print($0) }
/// ```
///
/// A batch whose loss is NaN or infinite stops training with ``TrainingError/nonFinite(epoch:step:what:)``
/// before the optimizer steps on it, and so do parameters left non-finite by a step (a huge
/// learning rate), so a diverged run never ends as a model with NaN weights.
/// ```swift
/// ```
public final class Trainer<Batch> {
    /// The model being trained (put in training mode for each epoch, evaluation mode to validate).
    public let model: Module
    /// The optimizer.
    public let optimizer: Optimizer
    /// A schedule stepped after every epoch.
    public var epochSchedule: LRScheduler?
    /// A schedule stepped after every batch (``OneCycleLR``).
    public var batchSchedule: LRScheduler?
    /// A plateau rule fed the validation loss after every epoch.
    public var plateau: ReduceLROnPlateau?
    /// Gradient-norm limit (``clipGradNorm(_:maxNorm:normType:)``), if any.
    public var clipNorm: Double?
    /// Early stopping on the validation loss, if any (the best parameters are restored at the end).
    public var earlyStopping: EarlyStopping?
    private let loss: (Module, Batch) -> Tensor

    /// Creates a trainer; `loss` computes a batch's scalar loss with the model.
    public init(model: Module, optimizer: Optimizer, loss: @escaping (Module, Batch) -> Tensor) {
        self.model = model
        self.optimizer = optimizer
        self.loss = loss
    }

    /// One pass over `loader`; returns the mean of the batch losses. `epoch` (1-based) only
    /// names the place in a ``TrainingError/nonFinite(epoch:step:what:)``.
    public func trainEpoch(_ loader: DataLoader<Batch>, epoch: Int = 1) throws -> Double {
        model.train()
        let parameters = optimizer.allParameters
        var total = 0.0, batches = 0
        for batch in loader {
            optimizer.zeroGrad()
            // The loss (and the graph that holds the parameters) dies in this closure, so the
            // step finds each parameter's storage unshared and updates it in place.
            let value: Double = {
                let l = loss(model, batch)
                l.backward()
                return l.item()
            }()
            guard value.isFinite else { throw TrainingError.nonFinite(epoch: epoch, step: batches + 1, what: "the loss is \(value)") }
            if let clipNorm { clipGradNorm(parameters, maxNorm: clipNorm) }
            optimizer.step()
            batchSchedule?.step()
            total += value
            batches += 1
        }
        if let bad = Self.firstNonFinite(parameters) {
            throw TrainingError.nonFinite(epoch: epoch, step: batches, what: "a parameter of shape \(bad.shape) holds NaN or infinity after the step")
        }
        return total / Double(Swift.max(batches, 1))
    }

    /// The first parameter with a NaN or infinite value, if any.
    static func firstNonFinite(_ parameters: [Parameter]) -> Tensor? {
        parameters.lazy.map(\.value).first { $0.isFinite().all().item() == 0 }
    }

    /// Trains for up to `epochs` epochs.
    /// - Parameters:
    ///   - validate: returns the validation loss and metric (called in evaluation mode, no grad).
    ///   - onEpoch: receives each epoch's record as soon as it is done.
    /// - Returns: The records of the epochs run.
    @discardableResult
    public func fit(epochs: Int, loader: DataLoader<Batch>, validate: () -> (loss: Double, metric: Double?),
                    onEpoch: (EpochRecord) -> Void = { _ in }) throws -> [EpochRecord] {
        var history: [EpochRecord] = []
        let parameters = optimizer.allParameters
        for epoch in 1...Swift.max(epochs, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            let trainLoss = try trainEpoch(loader, epoch: epoch)
            model.eval()
            let (valLoss, metric) = GradMode.withoutGrad { validate() }
            model.train()
            epochSchedule?.step()
            plateau?.step(valLoss)
            let record = EpochRecord(epoch: epoch, trainLoss: trainLoss, validationLoss: valLoss, validationMetric: metric,
                                     learningRate: optimizer.parameterGroups[0].learningRate,
                                     seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            history.append(record)
            onEpoch(record)
            if let stopper = earlyStopping, stopper.update(valLoss, parameters: parameters) { break }
        }
        earlyStopping?.restoreBest(into: parameters)
        model.eval()
        return history
    }
}

/// Batched evaluation helpers shared by the recipes (evaluation mode, no gradients).
enum Evaluation {
    /// Mean cross-entropy and accuracy of a classifier over `x` `[N, …]`, labels `[N]` int64.
    static func classification(_ model: Module, _ x: Tensor, _ y: Tensor, batchSize: Int = 1000) -> (loss: Double, accuracy: Double) {
        let n = x.shape[0]
        var lossSum = 0.0, correct = 0
        GradMode.withoutGrad {
            for start in stride(from: 0, to: n, by: batchSize) {
                let end = Swift.min(start + batchSize, n)
                let xb = x.slice(axis: 0, start, end), yb = y.slice(axis: 0, start, end)
                let logits = model(xb)
                lossSum += crossEntropy(logits, yb).item() * Double(end - start)
                let predicted = logits.argmax(axis: 1).toArray(as: Int64.self)
                let truth = yb.toArray(as: Int64.self)
                correct += zip(predicted, truth).filter { $0 == $1 }.count
            }
        }
        return (lossSum / Double(n), Double(correct) / Double(n))
    }

    /// Mean squared error and RMSE of a regressor over `x`, targets `y` (same shape as the output).
    static func regression(_ model: Module, _ x: Tensor, _ y: Tensor, batchSize: Int = 1000) -> (mse: Double, rmse: Double) {
        let n = x.shape[0]
        var sum = 0.0
        GradMode.withoutGrad {
            for start in stride(from: 0, to: n, by: batchSize) {
                let end = Swift.min(start + batchSize, n)
                let out = model(x.slice(axis: 0, start, end))
                sum += (out - y.slice(axis: 0, start, end)).square().sum().item()
            }
        }
        let mse = sum / Double(y.count)
        return (mse, mse.squareRoot())
    }
}

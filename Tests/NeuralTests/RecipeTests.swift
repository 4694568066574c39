import Foundation
import Testing
import Tensors
import Neural

@Suite struct RecipeTests {
    @Test func oneEpochOfMLPDigitsLearns() throws {
        var epochs: [EpochRecord] = []
        let result = try Recipe.run(.mlpDigits, options: RecipeOptions(epochs: 2, seed: 1)) { epochs.append($0) }
        #expect(epochs.count == 2 && result.history.count == 2)
        #expect(epochs[1].trainLoss < epochs[0].trainLoss)
        // Chance is 0.1; two epochs of 40 batches already classify most digits.
        #expect(result.testMetric > 0.85, "test accuracy \(result.testMetric)")
        #expect(epochs.allSatisfy { ($0.validationMetric ?? 0) > 0.5 && $0.seconds >= 0 })
        #expect(result.testMetricName == "test_accuracy")
        #expect(result.parameterCount == 64 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10)
    }

    @Test func sameSeedSameRun() throws {
        let a = try Recipe.run(.mlpDigits, options: RecipeOptions(epochs: 1, seed: 3, trainingLimit: 300))
        let b = try Recipe.run(.mlpDigits, options: RecipeOptions(epochs: 1, seed: 3, trainingLimit: 300))
        #expect(a.history[0].trainLoss == b.history[0].trainLoss)
        #expect(a.testMetric == b.testMetric)
    }

    @Test func badOptionsThrow() {
        #expect(throws: RecipeError.unknownRecipe("mlp")) { try Recipe.run("mlp") }
        #expect(RecipeError.unknownRecipe("x").description.contains("lenet-mnist"))
        #expect(throws: RecipeError.self) { try Recipe.run(.mlpDigits, options: RecipeOptions(epochs: 0)) }
        #expect(throws: RecipeError.self) { try Recipe.run(.mlpDigits, options: RecipeOptions(learningRate: -1)) }
        #expect(throws: RecipeError.self) { try Recipe.run(.mlpDigits, options: RecipeOptions(batchSize: 0)) }
    }

    @Test func trainerStopsEarlyAndRestoresBest() throws {
        // A one-weight regression whose validation loss we script: best at epoch 2.
        let model = Linear(1, 1, bias: false)
        let data = try TensorDataset(Tensor([[1.0], [2.0]] as [[Float]]), Tensor([[2.0], [4.0]] as [[Float]]))
        let loader = try DataLoader(data, batchSize: 2)
        let trainer = Trainer<[Tensor]>(model: model, optimizer: SGD(model.parameters(), learningRate: 0.01)) { m, b in
            mseLoss(m(b[0]), b[1])
        }
        trainer.earlyStopping = EarlyStopping(patience: 1)
        var snapshots: [Double] = []
        let scripted = [1.0, 0.5, 0.7, 0.9, 0.1]
        let history = try trainer.fit(epochs: 5, loader: loader, validate: {
            snapshots.append(model.weight.value.item())
            return (scripted[snapshots.count - 1], nil)
        })
        #expect(history.count == 4)                         // epochs 3 and 4 do not improve on 0.5
        #expect(model.weight.value.item() == snapshots[1])  // weights of epoch 2 restored
    }
}

/// A diverging run stops with the epoch and step, before NaN weights are kept (`TerminateOnNaN`).
@Suite struct TrainerNonFiniteTests {
    static func trainer(learningRate: Double, target: Float) throws -> (Trainer<[Tensor]>, DataLoader<[Tensor]>, Linear) {
        let model = Linear(1, 1, bias: false)
        let data = try TensorDataset(Tensor([[1.0], [2.0], [3.0], [4.0]] as [[Float]]), Tensor([[2.0], [4.0], [6.0], [target]] as [[Float]]))
        let loader = try DataLoader(data, batchSize: 2)
        let trainer = Trainer<[Tensor]>(model: model, optimizer: SGD(model.parameters(), learningRate: learningRate)) { m, b in
            mseLoss(m(b[0]), b[1])
        }
        return (trainer, loader, model)
    }

    @Test func hugeLearningRateStopsAtTheFirstNonFiniteStep() throws {
        // Step 1 sends the float32 weight to infinity; step 2's loss is infinite and stops the run.
        let (trainer, loader, _) = try Self.trainer(learningRate: 1e308, target: 8)
        #expect(throws: TrainingError.nonFinite(epoch: 1, step: 2, what: "the loss is inf")) {
            try trainer.fit(epochs: 3, loader: loader, validate: { (0, nil) })
        }
    }

    @Test func nanLossStopsBeforeTheOptimizerStep() throws {
        let (trainer, loader, model) = try Self.trainer(learningRate: 0.01, target: .nan)
        let before = model.weight.value.item()
        do {
            _ = try trainer.trainEpoch(loader, epoch: 4)
            Issue.record("a NaN loss was trained on")
        } catch let TrainingError.nonFinite(epoch, step, what) {
            #expect(epoch == 4 && step == 2 && what.contains("nan"), "\(epoch) \(step) \(what)")
        }
        #expect(model.weight.value.item().isFinite && model.weight.value.item() != before)  // step 1 ran, step 2 did not
        #expect(TrainingError.nonFinite(epoch: 4, step: 2, what: "the loss is nan").description.contains("epoch 4, step 2"))
    }
}

@Suite struct RecipeEarlyStoppingModuleTests {
    @Test func moduleSnapshotRestoresParametersAndBuffers() throws {
        let model = Sequential(Linear(2, 3), BatchNorm1d(3))
        let stopper = EarlyStopping(patience: 0)
        let before = model.stateDict().mapValues { $0.scalars }
        #expect(!stopper.update(1.0, module: model))
        // Change every parameter and the running statistics.
        let x = Tensor.randn([8, 2], generator: RandomGenerator(seed: 1))
        let optimizer = SGD(model.parameters(), learningRate: 0.5)
        model(x).square().sum().backward()
        optimizer.step()
        #expect(model.stateDict().mapValues { $0.scalars } != before)
        #expect(stopper.update(2.0, module: model))
        #expect(try stopper.restoreBest(into: model))
        #expect(model.stateDict().mapValues { $0.scalars } == before)
    }
}

import Foundation
import Datasets
import Tensors

/// A labelled image set split three ways (fixed split seed, so test figures compare across runs).
struct ImageSplits {
    var train: (x: Tensor, y: Tensor)
    let validation: (x: Tensor, y: Tensor)
    let test: (x: Tensor, y: Tensor)

    /// Keeps at most `limit` training samples (quick runs).
    mutating func limitTraining(_ limit: Int?) {
        guard let limit, limit < train.x.shape[0] else { return }
        train = (train.x.slice(axis: 0, 0, limit), train.y.slice(axis: 0, 0, limit))
    }
}

/// A seeded permutation of 0..<n (the same on every platform).
func seededOrder(_ n: Int, seed: UInt64) -> [Int] {
    Tensor.permutation(n, generator: RandomGenerator(seed: seed)).toArray(as: Int64.self).map { Int($0) }
}

/// Runs a classifier recipe: loaders, optimizer and schedule, fit, test accuracy.
func trainClassifier(_ model: Module, _ data: ImageSplits, _ s: RecipeSettings, augment: ImageTransform?,
                     weightDecay: Double, oneCycle: Bool, _ onEpoch: (EpochRecord) -> Void) throws -> RecipeResult {
    let train = try TensorDataset(data.train.x, data.train.y)
    let loader = try DataLoader<[Tensor]>(count: train.count, batchSize: s.batchSize, shuffle: true, seed: s.seed,
                                          prefetch: 2) { indices, g in
        var batch = train.batch(at: indices)
        if let augment { batch[0] = augment(batch[0], generator: g) }
        return batch
    }
    let optimizer = AdamW(model.parameters(), learningRate: s.learningRate, weightDecay: weightDecay)
    let trainer = Trainer<[Tensor]>(model: model, optimizer: optimizer) { m, b in crossEntropy(m(b[0]), b[1]) }
    if oneCycle {
        trainer.batchSchedule = OneCycleLR(optimizer, maxLearningRate: s.learningRate, totalSteps: s.epochs * loader.count)
    } else {
        trainer.epochSchedule = CosineAnnealingLR(optimizer, period: s.epochs)
    }
    let history = try trainer.fit(epochs: s.epochs, loader: loader, validate: {
        let r = Evaluation.classification(model, data.validation.x, data.validation.y)
        return (r.loss, r.accuracy)
    }, onEpoch: onEpoch)
    let test = Evaluation.classification(model, data.test.x, data.test.y)
    return RecipeResult(recipe: s.recipe, model: model, history: history, testMetric: test.accuracy,
                        extras: [("test_loss", test.loss)], sample: nil)
}

/// `mlp-digits` and `cnn-digits`: scikit-learn's 8×8 digits, pixels scaled to [0, 1];
/// 1,797 images split 1,257 / 180 / 360 (train / validation / test) with seed 0.
enum DigitsRecipes {
    static func splits() throws -> ImageSplits {
        let d = try Datasets.load(.digits)
        let n = d.count
        let x = Tensor(d.features.values.map { Float($0 / 16) }, shape: [n, 1, 8, 8])
        let y = Tensor(d.labels.map(Int64.init))
        let order = seededOrder(n, seed: 0)
        let nTest = n / 5, nVal = n / 10
        func take(_ idx: ArraySlice<Int>) -> (Tensor, Tensor) {
            let t = Tensor(idx.map(Int64.init))
            return (x.indexSelect(axis: 0, indices: t), y.indexSelect(axis: 0, indices: t))
        }
        return ImageSplits(train: take(order[(nTest + nVal)...]), validation: take(order[nTest..<(nTest + nVal)]),
                           test: take(order[..<nTest]))
    }

    static func run(_ recipe: Recipe, _ s: RecipeSettings, _ onEpoch: (EpochRecord) -> Void) throws -> RecipeResult {
        var data = try splits()
        data.limitTraining(s.trainingLimit)
        let g = RandomGenerator(seed: s.seed)
        let model: Module
        var augment: ImageTransform? = nil
        if recipe == .mlpDigits {
            model = Sequential(Flatten(), Linear(64, 128, generator: g), ReLU(), Linear(128, 64, generator: g), ReLU(),
                               Linear(64, 10, generator: g))
        } else {
            model = Sequential(Conv2d(1, 32, kernelSize: 3, padding: 1, generator: g), ReLU(),
                               Conv2d(32, 64, kernelSize: 3, padding: 1, generator: g), ReLU(),
                               MaxPool2d(kernelSize: 2), Flatten(),                               // [B, 64·4·4]
                               Linear(1024, 128, generator: g), ReLU(), Dropout(0.3, generator: g),
                               Linear(128, 10, generator: g))
            augment = RandomCrop(size: 8, padding: 1)
        }
        return try trainClassifier(model, data, s, augment: augment, weightDecay: 1e-4, oneCycle: false, onEpoch)
    }
}

/// `mlp-mnist` and `lenet-mnist`: MNIST standardised with the usual mean 0.1307 and std 0.3081;
/// the 60,000 training images split 55,000 / 5,000 (seed 0), the 10,000 test images for testing.
enum MNISTRecipes {
    static func splits(flatten: Bool) throws -> ImageSplits {
        let shape = flatten ? [-1, 784] : [-1, 1, 28, 28]
        func prepare(_ split: MNIST.Split) throws -> (Tensor, Tensor) {
            let d = try MNIST.load(split, standardization: MNIST.trainMeanStd)
            return (d.images.reshaped(shape), d.labelsTensor)
        }
        let (x, y) = try prepare(.train)
        let order = seededOrder(x.shape[0], seed: 0)
        func take(_ idx: ArraySlice<Int>) -> (Tensor, Tensor) {
            let t = Tensor(idx.map(Int64.init))
            return (x.indexSelect(axis: 0, indices: t), y.indexSelect(axis: 0, indices: t))
        }
        return ImageSplits(train: take(order[5000...]), validation: take(order[..<5000]), test: try prepare(.test))
    }

    static func run(_ recipe: Recipe, _ s: RecipeSettings, _ onEpoch: (EpochRecord) -> Void) throws -> RecipeResult {
        var data = try splits(flatten: recipe == .mlpMNIST)
        data.limitTraining(s.trainingLimit)
        let g = RandomGenerator(seed: s.seed)
        if recipe == .mlpMNIST {
            let model = Sequential(Linear(784, 512, generator: g), ReLU(), Dropout(0.2, generator: g),
                                   Linear(512, 256, generator: g), ReLU(), Dropout(0.2, generator: g),
                                   Linear(256, 10, generator: g))
            return try trainClassifier(model, data, s, augment: nil, weightDecay: 1e-4, oneCycle: false, onEpoch)
        }
        // LeNet-5 with ReLU and max-pooling: [B,1,28,28] → 6@28² → 6@14² → 16@10² → 16@5² → 120 → 84 → 10.
        let model = LeNet5(generator: g)
        return try trainClassifier(model, data, s, augment: nil, weightDecay: 1e-4, oneCycle: true, onEpoch)
    }
}

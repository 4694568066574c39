import Datasets
import Foundation
import Learn
import Neural
import SwiftLearnCore
import Tensors

/// scikit-learn's 8×8 digits as `[N, 1, 8, 8]` float32 in [0, 1] with labels, split with a
/// fixed seed into 1,437 training and 360 test images (stratification is not needed at this size).
struct DigitImages {
    let trainX: Tensor, trainY: [Int], testX: Tensor, testY: [Int]

    init() throws {
        let d = try Datasets.load(.digits)
        let n = d.count
        let x = Tensor(d.features.values.map { Float($0 / 16) }, shape: [n, 1, 8, 8])
        let order = Tensor.permutation(n, generator: RandomGenerator(seed: 0)).toArray(as: Int64.self).map { Int($0) }
        let nTest = n / 5
        func take(_ idx: ArraySlice<Int>) -> (Tensor, [Int]) {
            (x.indexSelect(axis: 0, indices: Tensor(idx.map(Int64.init))), idx.map { d.labels[$0] })
        }
        (testX, testY) = take(order[..<nTest])
        (trainX, trainY) = take(order[nTest...])
    }
}

/// The small convolutional encoder of the digit paradigms: two blocks of 3×3 convolution,
/// batch norm, ReLU and 2×2 max-pooling, `[B, 1, 8, 8]` → `[B, 64·2·2]` features.
public func digitEncoder(width: Int = 64, generator g: RandomGenerator? = nil) -> Sequential {
    Sequential(Conv2d(1, width, kernelSize: 3, padding: 1, generator: g), BatchNorm2d(width), ReLU(), MaxPool2d(kernelSize: 2),
               Conv2d(width, width, kernelSize: 3, padding: 1, generator: g), BatchNorm2d(width), ReLU(), MaxPool2d(kernelSize: 2),
               Flatten())
}

// MARK: - Prototypical networks

/// Prototypical networks (Snell et al. 2017): an embedding trained on episodes so that a query
/// is classified by the nearest class mean ("prototype") of the few labelled support examples,
/// by squared Euclidean distance.
public enum PrototypicalNetwork {
    /// Log-probabilities `[Q, N]` of the queries `[Q, D]` over N classes whose supports are
    /// `[N, K, D]` embeddings: log softmax of −‖q − c_n‖², c_n the mean of class n's supports.
    public static func logProbabilities(queries: Tensor, supports: Tensor) -> Tensor {
        ensure(supports.rank == 3 && queries.rank == 2 && queries.shape[1] == supports.shape[2],
               "PrototypicalNetwork: expected queries [Q, D] and supports [N, K, D], got \(queries.shape) and \(supports.shape)")
        let prototypes = supports.mean(axis: 1)                                            // [N, D]
        let d = queries.square().sum(axis: 1, keepDims: true) + prototypes.square().sum(axis: 1).unsqueezed(0)
            - queries.matmul(prototypes.transposed()) * 2
        return (-d).logSoftmax(axis: 1)
    }
}

/// An N-way K-shot episode: indices of K support and Q query images for each of N classes.
struct Episode {
    let classes: [Int]
    let support: [[Int]]
    let query: [[Int]]

    /// Draws an episode from `byClass` (image indices of each class) among `pool` classes.
    static func draw(ways: Int, shots: Int, queries: Int, pool: [Int], byClass: [Int: [Int]], generator g: RandomGenerator) -> Episode {
        let chosen = Tensor.permutation(pool.count, generator: g).toArray(as: Int64.self).prefix(ways).map { pool[Int($0)] }
        var support: [[Int]] = [], query: [[Int]] = []
        for c in chosen {
            let members = byClass[c] ?? []
            let order = Tensor.permutation(members.count, generator: g).toArray(as: Int64.self).map { members[Int($0)] }
            support.append(Array(order.prefix(shots)))
            query.append(Array(order.dropFirst(shots).prefix(queries)))
        }
        return Episode(classes: chosen, support: support, query: query)
    }
}

enum ProtoNetRecipe {
    static let trainClasses = [0, 1, 2, 3, 4], heldOutClasses = [5, 6, 7, 8, 9]

    /// `protonet-digits`: the encoder trained on 20-way 5-shot episodes (5 queries per class, shift
    /// and contrast augmentation) drawn from 40 classes — digits 0–4 under the 8 symmetries of the
    /// square — `--batch-size` episodes an epoch; tested on 1,000 5-way 5-shot episodes (10 queries
    /// per class) of the held-out digits 5–9, test images only. Reports the mean accuracy with its
    /// 95% interval, beside nearest-prototype on raw pixels.
    static func run(_ s: GenerativeSettings, _ onEpoch: (GenerativeEpoch) -> Void) throws -> GenerativeResult {
        let data = try DigitImages()
        let g = RandomGenerator(seed: s.seed)
        let encoder = digitEncoder(generator: g)
        let optimizer = Adam(encoder.parameters(), learningRate: s.learningRate)
        var trainByClass: [Int: [Int]] = [:], testByClass: [Int: [Int]] = [:]
        // Training classes are (digit, symmetry) pairs, after the protonet paper's Omniglot trick
        // of rotated characters as new classes: 5 digits × 4 quarter turns × {as is, mirrored}
        // give 40 classes, so episodes vary which 5 classes they hold.
        var trainImages: [Tensor] = []
        var offset = 0
        for transform in 0..<8 {
            let turned = rotatedQuarterTurns(data.trainX, transform % 4)
            trainImages.append(transform < 4 ? turned : turned.flipped(axes: [3]).contiguous())
            for (i, y) in data.trainY.enumerated() where trainClasses.contains(y) { trainByClass[y + 10 * transform, default: []].append(offset + i) }
            offset += data.trainY.count
        }
        let trainX = Tensor.concat(trainImages, axis: 0)
        let trainPool = trainByClass.keys.sorted()
        for (i, y) in data.testY.enumerated() where heldOutClasses.contains(y) { testByClass[y, default: []].append(i) }
        // Training episodes are 20-way (the paper trains with more ways than it tests: it helps).
        let ways = 5, shots = 5, trainWays = 20, trainQueries = 5, episodesPerEpoch = s.batchSize
        var history: [GenerativeEpoch] = []
        for epoch in 1...s.epochs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            encoder.train()
            var loss = 0.0, correct = 0.0
            for _ in 0..<episodesPerEpoch {
                let e = Episode.draw(ways: trainWays, shots: shots, queries: trainQueries, pool: trainPool, byClass: trainByClass, generator: g)
                let (l, acc) = episodeLoss(encoder, trainX, e, augment: g)
                optimizer.zeroGrad()
                l.backward()
                optimizer.step()
                loss += l.item()
                correct += acc
            }
            let record = GenerativeEpoch(epoch: epoch, figures: [("train_loss", loss / Double(episodesPerEpoch)),
                                                                  ("train_episode_accuracy", correct / Double(episodesPerEpoch))],
                                         seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            history.append(record)
            onEpoch(record)
        }
        encoder.eval()
        let testG = RandomGenerator(seed: 77)
        var accuracies: [Double] = [], pixelAccuracies: [Double] = []
        let queriesAtTest = 10                          // the held-out test split has about 36 images a class
        GradMode.withoutGrad {
            for _ in 0..<1000 {
                let e = Episode.draw(ways: ways, shots: shots, queries: queriesAtTest, pool: heldOutClasses, byClass: testByClass, generator: testG)
                accuracies.append(episodeLoss(encoder, data.testX, e).accuracy)
                pixelAccuracies.append(episodeAccuracy(supports: embed(nil, data.testX, e.support), queries: e.query.map { embed(nil, data.testX, [$0]) }))
            }
        }
        let mean = accuracies.reduce(0, +) / Double(accuracies.count)
        let sd = (accuracies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(accuracies.count - 1)).squareRoot()
        let final: [(String, Double)] = [("test_accuracy_5way_5shot", mean), ("ci95", 1.96 * sd / Double(accuracies.count).squareRoot()),
                                         ("pixel_prototype_accuracy", pixelAccuracies.reduce(0, +) / Double(pixelAccuracies.count))]
        return GenerativeResult(recipe: s.recipe, model: nil, history: history, final: final,
                                samples: imageGrid(data.testX.slice(axis: 0, 0, 40).reshaped([40, 8, 8]), columns: 10, padding: 1),
                                parameterCount: encoder.trainableParameterCount)
    }

    /// Embeddings `[groups, size, D]` of index groups (raw pixels when `encoder` is nil).
    static func embed(_ encoder: Module?, _ x: Tensor, _ groups: [[Int]]) -> Tensor {
        let flat = groups.flatMap { $0 }
        let images = x.indexSelect(axis: 0, indices: Tensor(flat.map(Int64.init)))
        let z = encoder.map { $0(images) } ?? images.reshaped([flat.count, -1])
        return z.reshaped([groups.count, groups.first?.count ?? 0, -1])
    }

    /// Share of queries (each `[1, Q, D]` per class, in class order) nearest their own prototype.
    static func episodeAccuracy(supports: Tensor, queries: [Tensor]) -> Double {
        var right = 0, total = 0
        for (c, q) in queries.enumerated() {
            let predicted = PrototypicalNetwork.logProbabilities(queries: q.reshaped([q.shape[1], -1]), supports: supports)
                .argmax(axis: 1).toArray(as: Int64.self)
            right += predicted.filter { Int($0) == c }.count
            total += predicted.count
        }
        return Double(right) / Double(Swift.max(total, 1))
    }

    /// The episode's loss (mean negative log-probability of each query's class) and accuracy.
    static func episodeLoss(_ encoder: Module, _ x: Tensor, _ e: Episode, augment: RandomGenerator? = nil) -> (loss: Tensor, accuracy: Double) {
        let shots = e.support.first?.count ?? 0, q = e.query.first?.count ?? 0, ways = e.classes.count
        // Support and query images go through the encoder as one batch (one set of batch-norm statistics).
        let flat = (e.support + e.query).flatMap { $0 }
        var images = x.indexSelect(axis: 0, indices: Tensor(flat.map(Int64.init)))
        if let augment { images = digitAugment(images, generator: augment, noise: 0.05) }
        let z = encoder(images).reshaped([flat.count, -1])
        let zs = z.slice(axis: 0, 0, ways * shots).reshaped([ways, shots, -1])
        let zq = z.slice(axis: 0, ways * shots, flat.count)
        let logp = PrototypicalNetwork.logProbabilities(queries: zq, supports: zs)
        let targets = Tensor((0..<(ways * q)).map { Int64($0 / q) })
        let predicted = logp.argmax(axis: 1).toArray(as: Int64.self)
        let accuracy = Double(zip(predicted, targets.toArray(as: Int64.self)).filter { $0 == $1 }.count) / Double(ways * q)
        return (nllLoss(logp, targets), accuracy)
    }
}

/// Images `[N, 1, H, H]` turned by `turns` quarter turns counter-clockwise.
func rotatedQuarterTurns(_ x: Tensor, _ turns: Int) -> Tensor {
    var r = x
    for _ in 0..<(turns % 4) { r = r.transposed(2, 3).flipped(axes: [2]) }
    return r.contiguous()
}

// MARK: - SimCLR

/// SimCLR's augmentations for 8×8 digits: a random shift of up to one pixel (crop of the
/// zero-padded image), random contrast scaling, and Gaussian noise, each image on its own.
func digitAugment(_ x: Tensor, generator g: RandomGenerator, noise noiseScale: Float = 0.1) -> Tensor {
    let n = x.shape[0]
    let v = x.contiguous().toArray(as: Float.self)
    var out = [Float](repeating: 0, count: v.count)
    let shifts = Tensor.randint(-1, 2, [n, 2], generator: g).toArray(as: Int64.self)
    let contrast = Tensor.uniform([n], low: 0.6, high: 1.4, generator: g).toArray(as: Float.self)
    let noise = Tensor.randn([n, 64], generator: g).toArray(as: Float.self)
    for i in 0..<n {
        let dy = Int(shifts[2 * i]), dx = Int(shifts[2 * i + 1])
        for y in 0..<8 {
            for xx in 0..<8 {
                let sy = y - dy, sx = xx - dx
                let value = (0..<8).contains(sy) && (0..<8).contains(sx) ? v[i * 64 + sy * 8 + sx] : 0
                out[i * 64 + y * 8 + xx] = Swift.min(Swift.max(value * contrast[i] + noiseScale * noise[i * 64 + y * 8 + xx], 0), 1)
            }
        }
    }
    return Tensor(out, shape: [n, 1, 8, 8])
}

enum SimCLRRecipe {
    /// `simclr-digits`: the digit encoder plus a projection head (256 → 128 → 64) trained with
    /// NT-Xent (τ = 0.5) on two augmented views of each training image, no labels; then a linear
    /// probe (logistic regression, standardised features) on the frozen encoder's features, with
    /// the same probe on raw pixels and on a randomly initialised encoder for comparison.
    static func run(_ s: GenerativeSettings, _ onEpoch: (GenerativeEpoch) -> Void) throws -> GenerativeResult {
        let data = try DigitImages()
        let g = RandomGenerator(seed: s.seed)
        let encoder = digitEncoder(generator: g)
        let random = digitEncoder(generator: RandomGenerator(seed: s.seed &+ 5))
        let head = Sequential(Linear(256, 128, generator: g), ReLU(), Linear(128, 64, generator: g))
        let optimizer = Adam(encoder.parameters() + head.parameters(), learningRate: s.learningRate, weightDecay: 1e-6)
        let n = data.trainX.shape[0]
        var history: [GenerativeEpoch] = []
        for epoch in 1...s.epochs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            encoder.train(); head.train()
            let order = Tensor.permutation(n, generator: g).toArray(as: Int64.self)
            var total = 0.0, batches = 0
            for start in stride(from: 0, to: n - 1, by: s.batchSize) {
                let idx = Tensor(Array(order[start..<Swift.min(start + s.batchSize, n)]))
                guard idx.count >= 2 else { continue }
                let x = data.trainX.indexSelect(axis: 0, indices: idx)
                optimizer.zeroGrad()
                let loss = ntXentLoss(head(encoder(digitAugment(x, generator: g))), head(encoder(digitAugment(x, generator: g))))
                loss.backward()
                optimizer.step()
                total += loss.item()
                batches += 1
            }
            let e = GenerativeEpoch(epoch: epoch, figures: [("nt_xent", total / Double(Swift.max(batches, 1)))],
                                    seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            history.append(e)
            onEpoch(e)
        }
        encoder.eval(); random.eval()
        /// Test accuracy of a logistic regression trained on `features` of the training images.
        func probe(_ features: (Tensor) -> Tensor) throws -> Double {
            func matrix(_ x: Tensor) -> Matrix {
                let f = GradMode.withoutGrad { features(x) }.to(.float64)
                return Matrix(rows: f.shape[0], columns: f.shape[1], values: f.toArray(as: Double.self))
            }
            let train = matrix(data.trainX), test = matrix(data.testX)
            let scaler = StandardScaler()
            try scaler.fit(train)
            let model = LogisticRegression(C: 1, maxIter: 1000)
            try model.fit(try scaler.transform(train), data.trainY)
            let predicted = try model.predict(try scaler.transform(test))
            return Double(zip(predicted, data.testY).filter { $0 == $1 }.count) / Double(data.testY.count)
        }
        let final: [(String, Double)] = [
            ("linear_probe_accuracy", try probe { encoder($0) }),
            ("random_encoder_probe_accuracy", try probe { random($0) }),
            ("pixel_probe_accuracy", try probe { $0.reshaped([$0.shape[0], -1]) }),
        ]
        let first = data.trainX.slice(axis: 0, 0, 8)
        let views = Tensor.concat([first, digitAugment(first, generator: g), digitAugment(first, generator: g)], axis: 0)
        return GenerativeResult(recipe: s.recipe, model: nil, history: history, final: final,
                                samples: imageGrid(views.reshaped([24, 8, 8]), columns: 8, padding: 1),
                                parameterCount: encoder.trainableParameterCount + head.trainableParameterCount)
    }
}

// MARK: - MAML

/// The sinusoid regression tasks of Finn et al. 2017: y = A·sin(x − φ), A ~ U[0.1, 5],
/// φ ~ U[0, π], x ~ U[−5, 5].
struct SinusoidTask {
    let amplitude: Double, phase: Double

    static func draw(_ g: RandomGenerator) -> SinusoidTask {
        let u = Tensor.rand([2], dtype: .float64, generator: g).toArray(as: Double.self)
        return SinusoidTask(amplitude: 0.1 + 4.9 * u[0], phase: Double.pi * u[1])
    }

    /// `k` points `([k, 1], [k, 1])`, x uniform on [−5, 5] (or `xs` when given).
    func points(_ k: Int, _ g: RandomGenerator, xs: [Double]? = nil) -> (Tensor, Tensor) {
        let x = xs ?? Tensor.uniform([k], low: -5, high: 5, dtype: .float64, generator: g).toArray(as: Double.self)
        return (Tensor(x, shape: [x.count, 1]).to(.float32), Tensor(x.map { amplitude * Foundation.sin($0 - phase) }, shape: [x.count, 1]).to(.float32))
    }
}

/// Model-agnostic meta-learning (Finn et al. 2017) in its first-order form (FOMAML, the
/// approximation the paper evaluates too): adapt a copy of the weights with a few SGD steps on a
/// task's K support points, and move the meta-weights along the adapted copy's gradient on fresh
/// query points of the same task. (Second-order MAML needs gradients of gradients, which this
/// library's autograd does not record.)
enum MAMLRecipe {
    static func mlp(_ g: RandomGenerator) -> Sequential {
        Sequential(Linear(1, 40, generator: g), ReLU(), Linear(40, 40, generator: g), ReLU(), Linear(40, 1, generator: g))
    }

    /// Mean-squared error on `query` after `steps` SGD steps of rate `innerRate` on `support`,
    /// starting from `start`'s weights (which are left unchanged).
    static func adaptedLoss(_ start: Sequential, _ work: Sequential, support: (Tensor, Tensor), query: (Tensor, Tensor),
                            steps: Int, innerRate: Double) -> Double {
        polyakUpdate(target: work.parameters(), source: start.parameters(), tau: 1)
        let sgd = SGD(work.parameters(), learningRate: innerRate)
        for _ in 0..<steps {
            sgd.zeroGrad()
            mseLoss(work(support.0), support.1).backward()
            sgd.step()
        }
        return GradMode.withoutGrad { mseLoss(work(query.0), query.1).item() }
    }

    /// `maml-sinusoid`: meta-trains on K = 10 support and 10 query points per task, 10 tasks a
    /// meta-batch, one inner SGD step of 0.01, Adam 1e-3 outside (one "epoch" = 100
    /// meta-iterations); a baseline network of the same shape is pre-trained on the same number
    /// of task batches by plain regression on all tasks at once. Both are then fine-tuned on 10
    /// points of 600 new tasks with 1 and 10 SGD steps and tested on 100 points of each — the
    /// paper's figure 2 comparison.
    static func run(_ s: GenerativeSettings, _ onEpoch: (GenerativeEpoch) -> Void) throws -> GenerativeResult {
        let g = RandomGenerator(seed: s.seed)
        let meta = mlp(g), pretrained = mlp(RandomGenerator(seed: s.seed &+ 3)), work = mlp(g)
        let metaOpt = Adam(meta.parameters(), learningRate: s.learningRate)
        let preOpt = Adam(pretrained.parameters(), learningRate: s.learningRate)
        let k = 10, tasksPerBatch = 10, innerRate = 0.01
        var history: [GenerativeEpoch] = []
        for epoch in 1...s.epochs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            var metaLoss = 0.0, preLoss = 0.0
            for _ in 0..<100 {
                // Meta-gradient: average of the adapted copies' query gradients (first order).
                var sums: [Tensor] = meta.parameters().map { Tensor.zeros(like: $0.value) }
                var batchPoints: [(Tensor, Tensor)] = []
                for _ in 0..<tasksPerBatch {
                    let task = SinusoidTask.draw(g)
                    let support = task.points(k, g), query = task.points(k, g)
                    batchPoints.append(support)
                    polyakUpdate(target: work.parameters(), source: meta.parameters(), tau: 1)
                    let sgd = SGD(work.parameters(), learningRate: innerRate)
                    sgd.zeroGrad()
                    mseLoss(work(support.0), support.1).backward()
                    sgd.step()
                    work.zeroGrad()
                    let q = mseLoss(work(query.0), query.1)
                    q.backward()
                    metaLoss += q.item()
                    for (i, p) in work.parameters().enumerated() { if let grad = p.grad { sums[i] = sums[i] + grad } }
                }
                metaOpt.zeroGrad()
                for (i, p) in meta.parameters().enumerated() { p.grad = sums[i] / Double(tasksPerBatch) }
                metaOpt.step()
                // The baseline sees the same amount of task data, pooled.
                preOpt.zeroGrad()
                let x = Tensor.concat(batchPoints.map { $0.0 }, axis: 0), y = Tensor.concat(batchPoints.map { $0.1 }, axis: 0)
                let l = mseLoss(pretrained(x), y)
                l.backward()
                preOpt.step()
                preLoss += l.item()
            }
            let e = GenerativeEpoch(epoch: epoch, figures: [("meta_query_mse", metaLoss / Double(100 * tasksPerBatch)),
                                                             ("pretrain_mse", preLoss / 100)],
                                    seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            history.append(e)
            onEpoch(e)
        }
        // Evaluation on new tasks, the same tasks and points for both models.
        let testG = RandomGenerator(seed: 2024)
        var results = [Double](repeating: 0, count: 4)
        let tasks = 600
        let grid = (0..<100).map { -5 + 10 * Double($0) / 99 }
        for _ in 0..<tasks {
            let task = SinusoidTask.draw(testG)
            let support = task.points(k, testG), query = task.points(100, testG, xs: grid)
            results[0] += adaptedLoss(meta, work, support: support, query: query, steps: 1, innerRate: innerRate)
            results[1] += adaptedLoss(meta, work, support: support, query: query, steps: 10, innerRate: innerRate)
            results[2] += adaptedLoss(pretrained, work, support: support, query: query, steps: 1, innerRate: innerRate)
            results[3] += adaptedLoss(pretrained, work, support: support, query: query, steps: 10, innerRate: innerRate)
        }
        let final: [(String, Double)] = [("maml_mse_1_step", results[0] / Double(tasks)), ("maml_mse_10_steps", results[1] / Double(tasks)),
                                         ("pretrained_mse_1_step", results[2] / Double(tasks)), ("pretrained_mse_10_steps", results[3] / Double(tasks))]
        return GenerativeResult(recipe: s.recipe, model: nil, history: history, final: final,
                                samples: sinusoidPicture(meta, work, testG), parameterCount: meta.trainableParameterCount)
    }

    /// One task's curve (white), the 10 support points, and the meta-model's fit after 1 and 10
    /// steps, drawn on a 160×96 image (grey levels: truth 1, 10-step fit 0.7, 1-step fit 0.4).
    static func sinusoidPicture(_ meta: Sequential, _ work: Sequential, _ g: RandomGenerator) -> Tensor {
        let w = 160, h = 96
        var image = [Double](repeating: 0, count: w * h)
        let task = SinusoidTask.draw(g)
        let support = task.points(10, g)
        let xs = (0..<w).map { -5 + 10 * Double($0) / Double(w - 1) }
        func plot(_ ys: [Double], _ level: Double) {
            for (col, y) in ys.enumerated() {
                let row = Int((5.5 - y) / 11 * Double(h))
                if (0..<h).contains(row) { image[row * w + col] = Swift.max(image[row * w + col], level) }
            }
        }
        plot(xs.map { task.amplitude * Foundation.sin($0 - task.phase) }, 1)
        for steps in [1, 10] {
            _ = adaptedLoss(meta, work, support: support, query: support, steps: steps, innerRate: 0.01)
            let y = GradMode.withoutGrad { work(Tensor(xs, shape: [w, 1]).to(.float32)) }.to(.float64).toArray(as: Double.self)
            plot(y, steps == 1 ? 0.4 : 0.7)
        }
        let sx = support.0.to(.float64).toArray(as: Double.self), sy = support.1.to(.float64).toArray(as: Double.self)
        for (x, y) in zip(sx, sy) {
            let col = Int((x + 5) / 10 * Double(w - 1)), row = Int((5.5 - y) / 11 * Double(h))
            for dr in -1...1 { for dc in -1...1 where (0..<h).contains(row + dr) && (0..<w).contains(col + dc) { image[(row + dr) * w + col + dc] = 1 } }
        }
        return Tensor(image, shape: [1, h, w]).to(.float32)
    }
}

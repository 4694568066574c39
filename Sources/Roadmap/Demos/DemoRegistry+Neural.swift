import Foundation
import Tensors
import Datasets
import Neural
import Plot

extension DemoRegistry {
    /// Demos for neural networks: building blocks, training techniques, CNNs and recurrent nets,
    /// all on the `Neural` module (PyTorch-style modules, losses, optimizers and schedules).
    public static let neural: [Demo] = [
        Demo("perceptron-mlp", "A perceptron cannot learn XOR; a hidden layer can",
             shows: "Noisy XOR points: a linear classifier (logistic perceptron) can get at most 3 of the 4 corners right, an MLP with one hidden layer of 8 ReLUs separates them.") { ctx in
            let (x, y) = noisyXOR(count: 200, seed: ctx.seed)
            let g = RandomGenerator(seed: ctx.seed)
            let perceptron = Sequential(Linear(2, 2, generator: g))
            let mlp = Sequential(Linear(2, 8, generator: g), ReLU(), Linear(8, 2, generator: g))
            let single = trainFullBatch(perceptron, Adam(perceptron.parameters(), learningRate: 0.05), x: x, y: y, steps: 300)
            let hidden = trainFullBatch(mlp, Adam(mlp.parameters(), learningRate: 0.05), x: x, y: y, steps: 300)
            let a1 = accuracy(perceptron(x), y), a2 = accuracy(mlp(x), y)
            return DemoOutcome(passed: a1 <= 0.8 && a2 > 0.95,
                               result: "training accuracy on 200 XOR points: perceptron \(pct(a1)), MLP 2-8-2 \(pct(a2))",
                               metrics: [("mlp_accuracy", a2), ("perceptron_accuracy", a1)],
                               figures: [DemoFigure("loss", LineChart(title: "XOR: cross-entropy per step", xLabel: "step", yLabel: "loss",
                                                                       series: [ChartSeries(name: "perceptron", y: single), ChartSeries(name: "MLP (8 hidden)", y: hidden)]),
                                                    caption: "The linear model stalls at log 2 ≈ 0.69; the hidden layer keeps going.")])
        },
        Demo("activation-functions", "Activation functions and their derivatives",
             shows: "ReLU, sigmoid, tanh, GELU and SiLU on [−4, 4], with derivatives from autograd checked against the closed forms (σ′ = σ(1−σ), tanh′ = 1 − tanh², …).") { _ in
            let grid = Tensor.linspace(-4, 4, count: 161, dtype: .float64)
            let xs = grid.scalars
            let fns: [(String, (Tensor) -> Tensor, (Double) -> Double)] = [
                ("ReLU", { relu($0) }, { $0 > 0 ? 1 : 0 }),
                ("sigmoid", { sigmoid($0) }, { let s = 1 / (1 + Foundation.exp(-$0)); return s * (1 - s) }),
                ("tanh", { $0.tanh() }, { 1 - Foundation.tanh($0) * Foundation.tanh($0) }),
                ("GELU", { gelu($0) }, { 0.5 * (1 + erf($0 / 2.0.squareRoot())) + $0 * Foundation.exp(-$0 * $0 / 2) / (2 * Double.pi).squareRoot() }),
                ("SiLU", { silu($0) }, { let s = 1 / (1 + Foundation.exp(-$0)); return s * (1 + $0 * (1 - s)) }),
            ]
            var values: [ChartSeries] = [], slopes: [ChartSeries] = [], worst = 0.0
            for (name, fn, derivative) in fns {
                let leaf = grid.requiringGrad()
                let out = fn(leaf)
                out.sum().backward()
                let auto = leaf.grad!.scalars
                let exact = xs.map(derivative)
                worst = Swift.max(worst, maxGap(zip(xs, auto).filter { $0.0 != 0 }.map(\.1), zip(xs, exact).filter { $0.0 != 0 }.map(\.1)))
                values.append(ChartSeries(name: name, x: xs, y: out.scalars))
                slopes.append(ChartSeries(name: name, x: xs, y: auto))
            }
            return DemoOutcome(passed: worst < 1e-9,
                               result: "autograd derivatives of 5 activations match the closed forms on 161 points: largest gap \(e(worst))\nsigmoid′ peaks at 0.25 (gradients shrink 4× per sigmoid layer); ReLU′ is 0 or 1",
                               metrics: [("max_derivative_gap", worst)],
                               figures: [DemoFigure("functions", LineChart(title: "Activation functions", xLabel: "x", yLabel: "f(x)", series: values), caption: "Saturating (sigmoid, tanh) versus unbounded (ReLU, GELU, SiLU)."),
                                         DemoFigure("derivatives", LineChart(title: "Their derivatives (autograd)", xLabel: "x", yLabel: "f′(x)", series: slopes), caption: "Sigmoid's slope never exceeds 0.25.")])
        },
        Demo("forward-propagation", "Forward propagation by hand",
             shows: "A 64-32-16-10 network's output computed layer by layer as h = relu(xWᵀ + b), then softmax, equals the module's forward pass.") { ctx in
            let g = RandomGenerator(seed: ctx.seed)
            let l1 = Linear(64, 32, dtype: .float64, generator: g), l2 = Linear(32, 16, dtype: .float64, generator: g), l3 = Linear(16, 10, dtype: .float64, generator: g)
            let model = Sequential(l1, ReLU(), l2, ReLU(), l3)
            let x = Tensor.randn([5, 64], dtype: .float64, seed: ctx.seed + 1)
            var h = x, shapes = ["input \(x.shape)"], scale: [Double] = []
            for (i, layer) in [l1, l2, l3].enumerated() {
                h = h.matmul(layer.weight.value.transposed()) + layer.bias!.value
                if i < 2 { h = h.relu() }
                shapes.append("layer \(i + 1) \(h.shape)")
                scale.append(h.abs().mean().item())
            }
            let byHand = h.softmax(axis: 1)
            let byModule = model(x).softmax(axis: 1)
            let gap = maxGap(byHand.scalars, byModule.scalars)
            let rowSums = byHand.sum(axis: 1).scalars
            return DemoOutcome(passed: gap < 1e-12 && rowSums.allSatisfy { Swift.abs($0 - 1) < 1e-12 },
                               result: shapes.joined(separator: " → ") + "\nby hand vs module: largest gap \(e(gap)); each softmax row sums to 1",
                               metrics: [("gap", gap)],
                               figures: [DemoFigure("scale", BarChart(title: "Mean |activation| per layer", yLabel: "mean |h|", categories: ["layer 1", "layer 2", "logits"], values: scale),
                                                    caption: "Default initialisation shrinks activations layer by layer.")])
        },
        Demo("backpropagation", "Backpropagation versus finite differences",
             shows: "Every gradient of a small tanh network's cross-entropy, from one backward pass, against central differences (f(w+ε) − f(w−ε)) / 2ε in float64.") { ctx in
            let x = Tensor.randn([20, 6], dtype: .float64, seed: ctx.seed)
            let y = Tensor.randint(0, 3, [20], seed: ctx.seed + 1)
            let params = [Tensor.randn([8, 6], dtype: .float64, seed: ctx.seed + 2) * 0.5, Tensor.zeros([8], dtype: .float64),
                          Tensor.randn([3, 8], dtype: .float64, seed: ctx.seed + 3) * 0.5, Tensor.zeros([3], dtype: .float64)]
            func loss(_ t: [Tensor]) -> Tensor {
                crossEntropy((x.matmul(t[0].transposed()) + t[1]).tanh().matmul(t[2].transposed()) + t[3], y)
            }
            let leaves = params.map { $0.requiringGrad() }
            loss(leaves).backward()
            var analytic: [Double] = [], numeric: [Double] = []
            let eps = 1e-6
            for (k, p) in params.enumerated() {
                analytic += leaves[k].grad!.scalars
                let base = p.scalars
                for i in base.indices {
                    func at(_ delta: Double) -> Double {
                        var v = base; v[i] += delta
                        var t = params; t[k] = Tensor(v, shape: p.shape)
                        return loss(t).item()
                    }
                    numeric.append((at(eps) - at(-eps)) / (2 * eps))
                }
            }
            let gap = maxGap(analytic, numeric)
            return DemoOutcome(passed: gap < 1e-7,
                               result: "\(analytic.count) gradients from one backward pass; largest gap to central differences \(e(gap))",
                               metrics: [("max_gap", gap), ("gradients", Double(analytic.count))],
                               figures: [DemoFigure("gradients", ScatterChart(title: "Backprop vs finite-difference gradients", xLabel: "finite difference", yLabel: "backpropagation",
                                                                               series: [ChartSeries(name: "parameters", x: numeric, y: analytic)]),
                                                    caption: "All points lie on the diagonal.")])
        },
        Demo("loss-functions", "Cross-entropy, label smoothing and MSE",
             shows: "The loss of one 10-class sample as its true-class logit grows: cross-entropy keeps pushing, label smoothing (ε = 0.1) has a minimum at logit ln(0.91·9/0.09) ≈ 4.51.") { _ in
            let zs = (0...160).map { -4 + Double($0) * 0.1 }
            let logits = Tensor(zs.flatMap { [$0] + [Double](repeating: 0, count: 9) }, shape: [zs.count, 10])
            let target = Tensor([Int64](repeating: 0, count: zs.count))
            let plain = crossEntropy(logits, target, reduction: .none).scalars
            let smooth = crossEntropy(logits, target, reduction: .none, labelSmoothing: 0.1).scalars
            let oneHot = Tensor(zs.flatMap { _ in [1.0] + [Double](repeating: 0, count: 9) }, shape: [zs.count, 10])
            let mse = mseLoss(logits.softmax(axis: 1), oneHot, reduction: .none).sum(axis: 1).scalars
            let manual = zs.map { -($0 - Foundation.log(Foundation.exp($0) + 9)) }
            let best = zs[smooth.indices.min { smooth[$0] < smooth[$1] }!]
            let expected = Foundation.log(0.91 * 9 / 0.09)
            let decreasing = zip(plain, plain.dropFirst()).allSatisfy { $1 < $0 }
            return DemoOutcome(passed: maxGap(plain, manual) < 1e-12 && decreasing && Swift.abs(best - expected) <= 0.05,
                               result: "cross-entropy = −log softmax (gap \(e(maxGap(plain, manual)))), falls forever as the logit grows\nwith label smoothing 0.1 the best logit is \(f(best, 2)) (theory \(f(expected, 2))): over-confidence is penalised",
                               metrics: [("smoothing_optimum", best)],
                               figures: [DemoFigure("losses", LineChart(title: "Loss of one sample vs its true-class logit (10 classes)", xLabel: "true-class logit", yLabel: "loss",
                                                                         series: [ChartSeries(name: "cross-entropy", x: zs, y: plain), ChartSeries(name: "label smoothing 0.1", x: zs, y: smooth),
                                                                                  ChartSeries(name: "squared error on probabilities", x: zs, y: mse)]),
                                                    caption: "Smoothing stops rewarding ever larger logits.")])
        },
        Demo("optimizers", "SGD, momentum, RMSprop and Adam",
             shows: "The same MLP (same initial weights) trained for 150 full-batch steps on the 8×8 digits by four optimizers: their training-loss curves.") { ctx in
            let (x, y) = try digitsTensors()
            let setups: [(String, ([Parameter]) -> Optimizer)] = [
                ("SGD 0.1", { SGD($0, learningRate: 0.1) }),
                ("SGD + momentum 0.9", { SGD($0, learningRate: 0.1, momentum: 0.9) }),
                ("RMSprop 0.003", { RMSprop($0, learningRate: 3e-3) }),
                ("Adam 0.01", { Adam($0, learningRate: 1e-2) }),
            ]
            var curves: [ChartSeries] = [], finals: [Double] = []
            for (name, make) in setups {
                let g = RandomGenerator(seed: ctx.seed)
                let model = Sequential(Linear(64, 32, generator: g), ReLU(), Linear(32, 10, generator: g))
                let losses = trainFullBatch(model, make(model.parameters()), x: x, y: y, steps: 150)
                curves.append(ChartSeries(name: name, y: losses))
                finals.append(losses.last!)
            }
            let lines = zip(setups.map(\.0), finals).map { "\($0): \(f($1, 4))" }
            return DemoOutcome(passed: finals[1] < finals[0] && finals[3] < finals[0] && finals.allSatisfy { $0 < 2.3 },
                               result: "training loss after 150 steps — " + lines.joined(separator: ", "),
                               metrics: [("sgd", finals[0]), ("momentum", finals[1]), ("rmsprop", finals[2]), ("adam", finals[3])],
                               figures: [DemoFigure("loss", LineChart(title: "Digits MLP: training loss per step", xLabel: "step", yLabel: "cross-entropy", series: curves, logY: true),
                                                    caption: "Momentum and adaptive steps get far lower than plain SGD at the same budget.")])
        },
        Demo("weight-initialization", "Initialisation keeps activations alive",
             shows: "Activation standard deviation through 10 Linear(256, 256) + ReLU layers: PyTorch's default (uniform ±1/√n), Xavier and Kaiming (He) normal initialisation.") { ctx in
            let x = Tensor.randn([512, 256], seed: ctx.seed)
            let schemes: [(String, (Parameter, RandomGenerator) -> Void)] = [
                ("default", { _, _ in }),
                ("Xavier normal", { Initializer.xavierNormal($0, generator: $1) }),
                ("Kaiming normal", { Initializer.kaimingNormal($0, nonlinearity: .relu, generator: $1) }),
            ]
            var series: [ChartSeries] = [], finals: [Double] = []
            for (name, initialise) in schemes {
                let g = RandomGenerator(seed: ctx.seed + 1)
                var h = x, stds = [x.std().item()]
                for _ in 0..<10 {
                    let layer = Linear(256, 256, generator: g)
                    initialise(layer.weight, g)
                    Initializer.zeros(layer.bias!)
                    h = GradMode.withoutGrad { layer(h).relu() }
                    stds.append(h.std().item())
                }
                series.append(ChartSeries(name: name, y: stds))
                finals.append(stds.last!)
            }
            return DemoOutcome(passed: finals[0] < 0.01 && finals[1] < 0.1 && finals[2] > 0.3 && finals[2] < 3,
                               result: "activation std after 10 layers: default \(e(finals[0])), Xavier \(f(finals[1], 4)), Kaiming \(f(finals[2], 3))\nwith ReLU only Kaiming's variance 2/n keeps the scale (Xavier halves the variance per layer)",
                               metrics: [("default_std", finals[0]), ("xavier_std", finals[1]), ("kaiming_std", finals[2])],
                               figures: [DemoFigure("std", LineChart(title: "Activation std through 10 ReLU layers", xLabel: "layer", yLabel: "std", series: series, logY: true),
                                                    caption: "Kaiming stays flat; the others vanish geometrically.")])
        },
        Demo("mlp-from-scratch", "An MLP with a hand-written backward pass",
             shows: "A 64-32-10 MLP on the 8×8 digits trained with gradients written out by hand (softmax − one-hot, then the chain rule); they match autograd, and the net learns.") { ctx in
            let (xAll, yAll) = try digitsTensors(dtype: .float64)
            let n = xAll.shape[0], nTrain = 1400
            let x = xAll.slice(axis: 0, 0, nTrain), y = yAll.slice(axis: 0, 0, nTrain)
            let xTest = xAll.slice(axis: 0, nTrain, n), yTest = yAll.slice(axis: 0, nTrain, n)
            let oneHot = Tensor(y.toArray(as: Int64.self).flatMap { c in (0..<10).map { $0 == Int(c) ? 1.0 : 0.0 } }, shape: [nTrain, 10])
            var w1 = Tensor.randn([64, 32], dtype: .float64, seed: ctx.seed) * (2.0 / 64).squareRoot(), b1 = Tensor.zeros([32], dtype: .float64)
            var w2 = Tensor.randn([32, 10], dtype: .float64, seed: ctx.seed + 1) * (2.0 / 32).squareRoot(), b2 = Tensor.zeros([10], dtype: .float64)
            func gradients() -> (loss: Double, grads: [Tensor]) {
                let z1 = x.matmul(w1) + b1, h = z1.relu()
                let logits = h.matmul(w2) + b2
                let p = logits.softmax(axis: 1)
                let loss = -(p.log() * oneHot).sum().item() / Double(nTrain)
                let dLogits = (p - oneHot) / Double(nTrain)
                let dH = dLogits.matmul(w2.transposed())
                let dZ1 = dH * z1.sign().relu()
                return (loss, [x.transposed().matmul(dZ1), dZ1.sum(axis: 0), h.transposed().matmul(dLogits), dLogits.sum(axis: 0)])
            }
            let leaves = [w1, b1, w2, b2].map { $0.requiringGrad() }
            crossEntropy((x.matmul(leaves[0]) + leaves[1]).relu().matmul(leaves[2]) + leaves[3], y).backward()
            let check = gradients().grads
            let gap = zip(check, leaves).map { maxGap($0.scalars, $1.grad!.scalars) }.max()!
            var losses: [Double] = []
            for _ in 0..<300 {
                let (loss, g) = gradients()
                losses.append(loss)
                w1 = w1 - g[0] * 0.5; b1 = b1 - g[1] * 0.5; w2 = w2 - g[2] * 0.5; b2 = b2 - g[3] * 0.5
            }
            let testAccuracy = accuracy((xTest.matmul(w1) + b1).relu().matmul(w2) + b2, yTest)
            return DemoOutcome(passed: gap < 1e-12 && testAccuracy > 0.9,
                               result: "hand-written gradients vs autograd: largest gap \(e(gap))\n300 steps of gradient descent (rate 0.5): loss \(f(losses.first!)) → \(f(losses.last!)); accuracy on \(n - nTrain) held-out digits \(pct(testAccuracy))",
                               metrics: [("test_accuracy", testAccuracy), ("gradient_gap", gap)],
                               figures: [DemoFigure("loss", LineChart(title: "MLP from scratch: training loss", xLabel: "step", yLabel: "cross-entropy", series: [ChartSeries(name: "loss", y: losses)], logY: true),
                                                    caption: "Plain full-batch gradient descent with hand-derived gradients.")])
        },
        Demo("nn-modules", "Modules: parameters, children, state dicts, modes",
             shows: "A custom Module subclass holding layers as properties: parameters are found by reflection with dotted names, a state dict round-trips, and train()/eval() reach every child.") { ctx in
            let g = RandomGenerator(seed: ctx.seed)
            let model = TinyClassifier(generator: g)
            let names = model.namedParameters().map(\.0)
            let state = model.stateDict()
            let copy = TinyClassifier(generator: RandomGenerator(seed: ctx.seed + 99))
            let x = Tensor.randn([4, 16], seed: ctx.seed + 1)
            let before = GradMode.withoutGrad { copy.eval()(x).scalars }
            try copy.loadStateDict(state)
            let same = GradMode.withoutGrad { copy(x).scalars == model.eval()(x).scalars }
            let differed = before != copy(x).scalars
            let modesFollow = model.modules().allSatisfy { !$0.isTraining } && model.train().modules().allSatisfy(\.isTraining)
            let expectedCount = 16 * 32 + 32 + 32 + 32 + 32 * 3 + 3
            let perLayer = model.namedModules().filter { !$0.0.isEmpty }.map { ($0.0, Double($0.1.namedDirectParameters().reduce(0) { $0 + $1.1.count })) }
            return DemoOutcome(passed: model.parameterCount == expectedCount && same && differed && modesFollow && names.contains("body.0.weight"),
                               result: "parameters: \(names.joined(separator: ", ")) (\(model.parameterCount) scalars)\nstate dict with \(state.count) entries (buffers included) loaded into a fresh model: identical outputs \(same)\neval()/train() reach all \(model.modules().count) modules: \(modesFollow)\n" + model.summary(input: x),
                               metrics: [("parameters", Double(model.parameterCount))],
                               figures: [DemoFigure("parameters", BarChart(title: "Parameters per module", yLabel: "scalars", categories: perLayer.map(\.0), values: perLayer.map(\.1)),
                                                    caption: "The linear layers hold almost all weights.")])
        },
        Demo("custom-layers-losses", "A custom loss with a hand-written gradient",
             shows: "The Huber loss written as one custom autograd op (forward without a graph, backward = clamp(residual, −1, 1) / N): the gradient check passes and it trains a layer like any built-in loss.") { ctx in
            let prediction = Tensor.randn([50, 3], dtype: .float64, seed: ctx.seed) * 2
            let target = Tensor.zeros([50, 3], dtype: .float64)
            let check = GradCheck.check([prediction]) { huberLoss($0[0], target) }
            let leaf = prediction.requiringGrad()
            huberLoss(leaf, target).backward()
            let composedLeaf = prediction.requiringGrad()
            let a = (composedLeaf - target).abs(), q = a.clamp(max: 1)
            (q * (a - q * 0.5)).mean().backward()
            let gap = maxGap(leaf.grad!.scalars, composedLeaf.grad!.scalars)
            // Robust regression: y = 2x + 1 with 10% gross outliers, fitted with the custom loss.
            let x = Tensor.uniform([200, 1], low: -1, high: 1, dtype: .float64, seed: ctx.seed + 1)
            let outliers = Tensor.bernoulli([200, 1], p: 0.1, dtype: .float64, seed: ctx.seed + 2) * 20
            let y = x * 2 + 1 + outliers
            let layer = Linear(1, 1, dtype: .float64, generator: RandomGenerator(seed: ctx.seed))
            let optimizer = Adam(layer.parameters(), learningRate: 0.05)
            var losses: [Double] = []
            for _ in 0..<400 {
                optimizer.zeroGrad()
                let value: Double = { let l = huberLoss(layer(x), y); l.backward(); return l.item() }()
                losses.append(value)
                optimizer.step()
            }
            let slope = layer.weight.value.item(), intercept = layer.bias!.value.item()
            return DemoOutcome(passed: check.passed && gap < 1e-12 && Swift.abs(slope - 2) < 0.3,
                               result: "gradient check: \(check)\ncustom backward vs autograd through abs/clamp: gap \(e(gap))\nfit to y = 2x + 1 with 10% outliers (+20): slope \(f(slope)), intercept \(f(intercept)) (least squares would pull the intercept to about 3)",
                               metrics: [("slope", slope), ("gradient_gap", gap)],
                               figures: [DemoFigure("loss", LineChart(title: "Training a linear layer with the custom Huber loss", xLabel: "step", yLabel: "Huber loss", series: [ChartSeries(name: "loss", y: losses)]),
                                                    caption: "The custom op plugs into backward() and the optimizer unchanged.")])
        },
        Demo("data-loading", "Data loaders: batches, shuffling, drop-last",
             shows: "A DataLoader over 10 samples with batch size 4: batch sizes with and without drop_last, a new order each epoch, every sample exactly once, and the same order from the same seed.") { ctx in
            let data = try TensorDataset(Tensor.arange(10), Tensor((0..<10).map { Int64($0 * 10) }))
            let loader = try DataLoader<[Tensor]>(data, batchSize: 4, shuffle: true, seed: ctx.seed)
            let dropping = try DataLoader<[Tensor]>(data, batchSize: 4, shuffle: true, dropLast: true, seed: ctx.seed)
            let epoch0 = Array(loader).map { $0[0].toArray(as: Int64.self) }
            let epoch1 = Array(loader).map { $0[0].toArray(as: Int64.self) }
            let pairsMatch = Array(loader).allSatisfy { $0[1].toArray(as: Int64.self) == $0[0].toArray(as: Int64.self).map { $0 * 10 } }
            let again = try DataLoader<[Tensor]>(data, batchSize: 4, shuffle: true, seed: ctx.seed)
            let replay = Array(again).map { $0[0].toArray(as: Int64.self) }
            let complete = epoch0.flatMap { $0 }.sorted() == Array(0..<10) && epoch1.flatMap { $0 }.sorted() == Array(0..<10)
            let sizes = epoch0.map { Double($0.count) }, dropSizes = Array(dropping).map { Double($0[0].count) }
            return DemoOutcome(passed: complete && epoch0 != epoch1 && replay == epoch0 && pairsMatch && sizes == [4, 4, 2] && dropSizes == [4, 4],
                               result: "epoch 1: \(epoch0)\nepoch 2: \(epoch1)\nevery sample once per epoch: \(complete); inputs and targets stay paired: \(pairsMatch); same seed, same order: \(replay == epoch0)\nbatch sizes \(sizes.map { Int($0) }), with drop_last \(dropSizes.map { Int($0) })",
                               metrics: [("batches", Double(loader.count)), ("batches_drop_last", Double(dropping.count))],
                               figures: [DemoFigure("batches", BarChart(title: "Batch sizes (10 samples, batch 4)", yLabel: "samples", categories: ["batch 1", "batch 2", "batch 3"],
                                                                         series: [(name: "keep last", values: sizes), (name: "drop last", values: dropSizes + [0])]),
                                                    caption: "drop_last skips the short final batch.")])
        },
        Demo("training-loops", "A training loop with validation",
             shows: "The epoch loop written out: shuffled mini-batches, forward, loss, backward, step; then eval mode and no-grad validation — an MLP on the 8×8 digits for 10 epochs.") { ctx in
            let (x, y) = try digitsTensors()
            let order = Tensor.permutation(x.shape[0], seed: 0)
            let xs = x.indexSelect(axis: 0, indices: order), ys = y.indexSelect(axis: 0, indices: order)
            let train = try TensorDataset(xs.slice(axis: 0, 360, nil), ys.slice(axis: 0, 360, nil))
            let (xVal, yVal) = (xs.slice(axis: 0, 0, 360), ys.slice(axis: 0, 0, 360))
            let g = RandomGenerator(seed: ctx.seed)
            let model = Sequential(Linear(64, 64, generator: g), ReLU(), Dropout(0.1, generator: g), Linear(64, 10, generator: g))
            let optimizer = Adam(model.parameters(), learningRate: 3e-3)
            let loader = try DataLoader<[Tensor]>(train, batchSize: 32, shuffle: true, seed: ctx.seed)
            var trainLosses: [Double] = [], valLosses: [Double] = [], valAccuracy: [Double] = []
            for _ in 0..<10 {
                _ = model.train()
                var total = 0.0
                for batch in loader {
                    optimizer.zeroGrad()
                    let loss: Double = {
                        let l = crossEntropy(model(batch[0]), batch[1])
                        l.backward()
                        return l.item()
                    }()
                    optimizer.step()
                    total += loss
                }
                trainLosses.append(total / Double(loader.count))
                _ = model.eval()
                let logits = GradMode.withoutGrad { model(xVal) }
                valLosses.append(crossEntropy(logits, yVal).item())
                valAccuracy.append(accuracy(logits, yVal))
            }
            return DemoOutcome(passed: valAccuracy.last! > 0.93 && trainLosses.last! < trainLosses.first! / 3,
                               result: "10 epochs of \(loader.count) batches: training loss \(f(trainLosses.first!)) → \(f(trainLosses.last!)), validation loss \(f(valLosses.first!)) → \(f(valLosses.last!)), validation accuracy \(pct(valAccuracy.last!))",
                               metrics: [("val_accuracy", valAccuracy.last!), ("val_loss", valLosses.last!)],
                               figures: [DemoFigure("loss", LineChart(title: "Training and validation loss per epoch", xLabel: "epoch", yLabel: "cross-entropy",
                                                                       series: [ChartSeries(name: "train", x: steps(10, from: 1), y: trainLosses), ChartSeries(name: "validation", x: steps(10, from: 1), y: valLosses)]),
                                                    caption: "Both fall together: no over-fitting yet.")])
        },
        Demo("training-visualization", "Watching training: curves and weight histograms",
             shows: "The mlp-digits recipe for 12 epochs: loss curves, validation accuracy, the cosine learning-rate schedule, and the first layer's weights before and after training.") { ctx in
            let initial = Sequential(Linear(64, 128, generator: RandomGenerator(seed: ctx.seed))).parameters()[0].value.scalars
            let result = try Recipe.run(.mlpDigits, options: RecipeOptions(epochs: 12, seed: ctx.seed))
            let h = result.history
            let epochs = h.map { Double($0.epoch) }
            let trained = result.model.parameters()[0].value.scalars
            let std = { (v: [Double]) -> Double in let m = v.reduce(0, +) / Double(v.count); return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot() }
            let accuracies = h.map { $0.validationMetric ?? 0 }
            return DemoOutcome(passed: accuracies.last! > accuracies.first! && h.last!.trainLoss < h.first!.trainLoss && result.testMetric > 0.93,
                               result: "12 epochs in \(f(result.totalSeconds, 2)) s: validation accuracy \(pct(accuracies.first!)) → \(pct(accuracies.last!)), test accuracy \(pct(result.testMetric))\nfirst-layer weight std \(f(std(initial), 4)) at initialisation, \(f(std(trained), 4)) after training",
                               metrics: [("test_accuracy", result.testMetric)],
                               figures: [DemoFigure("loss", LineChart(title: "mlp-digits: loss per epoch", xLabel: "epoch", yLabel: "cross-entropy",
                                                                       series: [ChartSeries(name: "train", x: epochs, y: h.map(\.trainLoss)), ChartSeries(name: "validation", x: epochs, y: h.map(\.validationLoss))], logY: true),
                                                    caption: "The usual first look at a run."),
                                         DemoFigure("accuracy", LineChart(title: "mlp-digits: validation accuracy", xLabel: "epoch", yLabel: "accuracy", series: [ChartSeries(name: "validation", x: epochs, y: accuracies)]), caption: "Accuracy saturates within a few epochs."),
                                         DemoFigure("learning-rate", LineChart(title: "Cosine learning-rate schedule", xLabel: "epoch", yLabel: "learning rate", series: [ChartSeries(name: "lr", x: epochs, y: h.map(\.learningRate))]), caption: "Annealed to zero by the last epoch."),
                                         DemoFigure("weights", HistogramChart(title: "First-layer weights after training", xLabel: "weight", values: trained, bins: 40), caption: "Started uniform on ±1/8; training spreads them.")])
        },
    ] + neuralTechniques + neuralArchitectures
}

// MARK: - Shared helpers

/// The 8×8 digits as `[1797, 64]` pixels scaled to [0, 1] and int64 labels.
func digitsTensors(dtype: DType = .float32) throws -> (x: Tensor, y: Tensor) {
    let d = try Datasets.load(.digits)
    return (Tensor(d.features.values.map { $0 / 16 }, shape: [d.count, 64]).to(dtype), Tensor(d.labels.map(Int64.init)))
}

/// Fraction of rows of `logits` whose arg-max equals the label.
func accuracy(_ logits: Tensor, _ labels: Tensor) -> Double {
    let p = logits.argmax(axis: 1).toArray(as: Int64.self), t = labels.toArray(as: Int64.self)
    return Double(zip(p, t).filter { $0 == $1 }.count) / Double(t.count)
}

/// Full-batch training with cross-entropy; returns the loss before each step.
func trainFullBatch(_ model: Module, _ optimizer: Optimizer, x: Tensor, y: Tensor, steps: Int) -> [Double] {
    _ = model.train()
    var losses: [Double] = []
    for _ in 0..<steps {
        optimizer.zeroGrad()
        let value: Double = {
            let l = crossEntropy(model(x), y)
            l.backward()
            return l.item()
        }()
        losses.append(value)
        optimizer.step()
    }
    return losses
}

/// Mean Huber loss (δ = 1) as one custom autograd node: ½r² for |r| ≤ 1, |r| − ½ beyond, with
/// the gradient clamp(r, −1, 1) / N written by hand.
func huberLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    let r = prediction.detached() - target.detached()
    let a = r.abs(), q = a.clamp(max: 1)
    let value = (q * (a - q * 0.5)).mean()
    let n = Double(r.count)
    return Tensor.differentiable(value, inputs: [prediction], name: "huberLoss") { g in [r.clamp(min: -1, max: 1) * g / n] }
}

/// Points around the four corners of the square [−1, 1]², as many per corner, labelled by XOR of the corner.
func noisyXOR(count: Int, seed: UInt64) -> (x: Tensor, y: Tensor) {
    let c: [Int64] = (0..<count).flatMap { (i: Int) -> [Int64] in [Int64(i % 2), Int64((i / 2) % 2)] }   // corners in equal shares
    let x = Tensor(c, shape: [count, 2]).to(.float32) * 2 - 1 + Tensor.normal([count, 2], std: 0.2, seed: seed + 1)
    let labels: [Int64] = (0..<count).map { (i: Int) -> Int64 in c[2 * i] ^ c[2 * i + 1] }
    return (x, Tensor(labels))
}

/// A small classifier written as a Module subclass: its layers are found by reflection.
final class TinyClassifier: Module {
    var body: Sequential
    var head: Linear

    init(generator: RandomGenerator) {
        body = Sequential(Linear(16, 32, generator: generator), BatchNorm1d(32), ReLU(), Dropout(0.2, generator: generator))
        head = Linear(32, 3, generator: generator)
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor { head(body(x)) }
}

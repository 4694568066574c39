import Foundation
import Tensors
import Neural
import Plot

extension DemoRegistry {
    /// Demos of architectures: convolutions, LeNet, ResNet, transfer learning, recurrent nets, projects.
    static let neuralArchitectures: [Demo] = [
        Demo("convolution-pooling", "Convolution with an edge kernel, then max-pooling",
             shows: "A Sobel kernel slid over an image with a vertical edge responds only at the edge; conv2d matches a hand-written loop on a digit, and 2×2 max-pooling keeps each block's largest value.") { _ in
            let sobel = Tensor([-1.0, 0, 1, -2, 0, 2, -1, 0, 1], shape: [1, 1, 3, 3])
            let step = Tensor((0..<144).map { $0 % 12 >= 6 ? 1.0 : 0.0 }, shape: [1, 1, 12, 12])
            let edges = conv2d(step, weight: sobel).scalars          // [1, 1, 10, 10], no padding
            let edgeOnly = (0..<100).allSatisfy { i in let c = i % 10; return (c == 4 || c == 5) ? edges[i] == 4 : edges[i] == 0 }
            let (x, _) = try digitsTensors(dtype: .float64)
            let digit = x.slice(axis: 0, 0, 1).reshaped([1, 1, 8, 8])
            let response = conv2d(digit, weight: sobel, padding: 1)
            let p = digit.scalars, k = sobel.scalars
            var manual = [Double](repeating: 0, count: 64)
            for r in 0..<8 { for c in 0..<8 { for i in 0..<3 { for j in 0..<3 {
                let rr = r + i - 1, cc = c + j - 1
                if (0..<8).contains(rr) && (0..<8).contains(cc) { manual[r * 8 + c] += k[i * 3 + j] * p[rr * 8 + cc] }
            } } } }
            let convGap = maxGap(response.scalars, manual)
            let pooled = maxPool2d(digit, kernelSize: 2)
            let blockMax: [Double] = (0..<16).map { (b: Int) -> Double in
                let corner = (b / 4) * 16 + (b % 4) * 2
                return Swift.max(p[corner], p[corner + 1], p[corner + 8], p[corner + 9])
            }
            let strided = conv2d(digit, weight: sobel, stride: 2, padding: 1)
            let ok = edgeOnly && convGap < 1e-12 && pooled.shape == [1, 1, 4, 4] && pooled.scalars == blockMax && strided.shape == [1, 1, 4, 4]
            func grid(_ v: [Double]) -> [[Double]] { (0..<8).map { r in Array(v[(r * 8)..<(r * 8 + 8)]) } }
            let labels = (0..<8).map(String.init)
            return DemoOutcome(passed: ok,
                               result: "Sobel-x on a step image (12×12, no padding → 10×10): response 4 on the two edge columns, 0 elsewhere: \(edgeOnly)\nconv2d vs hand-written loop on a digit (padding 1): gap \(e(convGap)); stride 2 → \(strided.shape); 2×2 max-pool → \(pooled.shape), equal to block maxima: \(pooled.scalars == blockMax)",
                               metrics: [("conv_gap", convGap)],
                               figures: [DemoFigure("digit", HeatmapChart(title: "Input digit", rowLabels: labels, columnLabels: labels, values: grid(p), showValues: false), caption: "8×8 pixels."),
                                         DemoFigure("sobel", HeatmapChart(title: "Sobel-x response (padding 1)", rowLabels: labels, columnLabels: labels, values: grid(response.scalars), showValues: false, colorScale: .viridis), caption: "Left and right strokes light up with opposite signs.")])
        },
        Demo("classic-cnns", "LeNet-5 layer by layer",
             shows: "LeNet-5 on a 28×28 image: the feature maps 6@28×28 → 6@14×14 → 16@10×10 → 16@5×5 → 120 → 84 → 10, and its 61,706 parameters, as in PyTorch.") { ctx in
            let model = LeNet5(generator: RandomGenerator(seed: ctx.seed))
            let x = Tensor.randn([2, 1, 28, 28], seed: ctx.seed)
            let maps = GradMode.withoutGrad { model.features(x) }
            let out = GradMode.withoutGrad { model.eval()(x) }
            let classic = LeNet5(activation: .tanh, pooling: .average, generator: RandomGenerator(seed: ctx.seed))
            let layers = model.namedModules().filter { !$0.1.namedDirectParameters().isEmpty }
            let counts = layers.map { Double($0.1.namedDirectParameters().reduce(0) { $0 + $1.1.count }) }
            return DemoOutcome(passed: model.parameterCount == 61_706 && classic.parameterCount == 61_706 && maps.shape == [2, 16, 5, 5] && out.shape == [2, 10],
                               result: model.summary(input: x.slice(axis: 0, 0, 1)) + "feature maps \(maps.shape), logits \(out.shape); the 1998 tanh/average-pool flavour has the same \(classic.parameterCount) parameters",
                               metrics: [("parameters", Double(model.parameterCount))],
                               figures: [DemoFigure("parameters", BarChart(title: "LeNet-5 parameters per layer", yLabel: "parameters", categories: layers.map(\.0), values: counts),
                                                    caption: "The first fully connected layer (400 → 120) holds most of them.")])
        },
        Demo("resnet", "Residual networks: ResNet-18, -34 and -50",
             shows: "Parameter counts equal torchvision's (11,689,512; 21,797,672; 25,557,032), a forward pass maps [1, 3, 64, 64] to 1,000 logits, and a basic block adds its input back (identity shortcut).") { ctx in
            let torchvision = [11_689_512, 21_797_672, 25_557_032]
            let models = [ResNet.resnet18(generator: RandomGenerator(seed: ctx.seed)), ResNet.resnet34(generator: RandomGenerator(seed: ctx.seed)),
                          ResNet.resnet50(generator: RandomGenerator(seed: ctx.seed))]
            let counts = models.map(\.parameterCount)
            let x = Tensor.randn([1, 3, 64, 64], seed: ctx.seed)
            let logits = GradMode.withoutGrad { models[0].eval()(x) }
            let block = BasicBlock(8, 8, generator: RandomGenerator(seed: ctx.seed))
            Initializer.zeros(block.bn2.weight!)                       // residual branch switched off
            let input = Tensor.randn([2, 8, 6, 6], seed: ctx.seed + 1)
            let passthrough = GradMode.withoutGrad { block.eval()(input) }
            let identity = maxGap(passthrough.scalars, input.relu().scalars) < 1e-6
            return DemoOutcome(passed: counts == torchvision && logits.shape == [1, 1000] && identity,
                               result: "parameters: ResNet-18 \(counts[0]), ResNet-34 \(counts[1]), ResNet-50 \(counts[2]) (torchvision: \(torchvision.map(String.init).joined(separator: ", ")))\nResNet-18 forward [1, 3, 64, 64] → \(logits.shape); a block whose residual branch is zeroed returns relu(x): \(identity)",
                               metrics: [("resnet18_parameters", Double(counts[0]))],
                               figures: [DemoFigure("parameters", BarChart(title: "Parameters (millions)", yLabel: "millions", categories: ["ResNet-18", "ResNet-34", "ResNet-50"], values: counts.map { Double($0) / 1e6 }),
                                                    caption: "Bottleneck blocks make ResNet-50 deeper for only 17% more weights than ResNet-34.")])
        },
        Demo("transfer-learning", "Transfer learning: freeze the backbone, replace the head",
             shows: "ResNet-18 with every weight frozen and a new 5-class head: only 2,565 of 11.2 million parameters train, and a few optimizer steps change the head alone.") { ctx in
            let model = ResNet.resnet18(generator: RandomGenerator(seed: ctx.seed))
            model.freeze()
            model.fc = Linear(512, 5, generator: RandomGenerator(seed: ctx.seed + 1))
            _ = model.eval()                                            // frozen batch-norm statistics too
            let backboneBefore = model.conv1.weight.value.scalars.prefix(200) + model.layer4.parameters()[0].value.scalars.prefix(200)
            let headBefore = model.fc.parameters()[0].value.scalars
            let x = Tensor.randn([8, 3, 32, 32], seed: ctx.seed + 2), y = Tensor.randint(0, 5, [8], seed: ctx.seed + 3)
            let optimizer = Adam(model.trainableParameters(), learningRate: 1e-2)
            var losses: [Double] = []
            for _ in 0..<10 {
                optimizer.zeroGrad()
                let value: Double = { let l = crossEntropy(model(x), y); l.backward(); return l.item() }()
                losses.append(value)
                optimizer.step()
            }
            let backboneAfter = model.conv1.weight.value.scalars.prefix(200) + model.layer4.parameters()[0].value.scalars.prefix(200)
            let headMoved = maxGap(headBefore, model.fc.parameters()[0].value.scalars)
            let ok = model.trainableParameterCount == 2_565 && Array(backboneBefore) == Array(backboneAfter) && headMoved > 0 && losses.last! < losses.first!
            return DemoOutcome(passed: ok,
                               result: "trainable \(model.trainableParameterCount) of \(model.parameterCount) parameters (the new head 512 × 5 + 5)\n10 Adam steps on 8 images: loss \(f(losses.first!)) → \(f(losses.last!)); backbone unchanged: \(Array(backboneBefore) == Array(backboneAfter)); head moved by up to \(f(headMoved, 4))",
                               metrics: [("trainable_parameters", Double(model.trainableParameterCount))],
                               figures: [DemoFigure("loss", LineChart(title: "Training only the new head", xLabel: "step", yLabel: "cross-entropy", series: [ChartSeries(name: "loss", y: losses)]),
                                                    caption: "Cheap steps: no gradient flows into the frozen backbone.")])
        },
        Demo("rnn", "Recurrent nets and vanishing gradients through time",
             shows: "Backpropagation through time in a hand-written tanh RNN (40 steps): the gradient of the last hidden state with respect to each input shrinks geometrically going back; an untrained LSTM's decays more slowly (training learns to hold its forget gates open).") { ctx in
            let length = 40, hidden = 16
            let wx = Tensor.randn([4, hidden], dtype: .float64, seed: ctx.seed) * 0.5
            let wh = Tensor.randn([hidden, hidden], dtype: .float64, seed: ctx.seed + 1) * (0.8 / Double(hidden).squareRoot())
            let inputs = (0..<length).map { Tensor.randn([1, 4], dtype: .float64, seed: ctx.seed + 10 + UInt64($0)).requiringGrad() }
            var h = Tensor.zeros([1, hidden], dtype: .float64)
            for x in inputs { h = (x.matmul(wx) + h.matmul(wh)).tanh() }
            h.sum().backward()
            let rnnNorms = inputs.map { $0.grad!.square().sum().item().squareRoot() }
            let lstm = LSTM(inputSize: 4, hiddenSize: hidden, batchFirst: true, dtype: .float64, generator: RandomGenerator(seed: ctx.seed))
            let sequence = Tensor.concat(inputs.map { $0.detached() }, axis: 0).reshaped([1, length, 4]).requiringGrad()
            lstm(sequence).slice(axis: 1, length - 1, length).sum().backward()
            let g = sequence.grad!
            let lstmNorms = (0..<length).map { g.slice(axis: 1, $0, $0 + 1).square().sum().item().squareRoot() }
            let rnnRatio = rnnNorms[0] / rnnNorms[length - 1], lstmRatio = lstmNorms[0] / lstmNorms[length - 1]
            return DemoOutcome(passed: rnnRatio < 1e-2 && lstmRatio > rnnRatio,
                               result: "‖∂h₄₀/∂x₁‖ / ‖∂h₄₀/∂x₄₀‖: tanh RNN \(e(rnnRatio)), LSTM \(e(lstmRatio))\nearly inputs barely influence the RNN's gradient: long-range dependencies are hard to learn",
                               metrics: [("rnn_ratio", rnnRatio), ("lstm_ratio", lstmRatio)],
                               figures: [DemoFigure("gradients", LineChart(title: "Gradient norm of the last state w.r.t. each input", xLabel: "time step", yLabel: "‖∂h_T/∂x_t‖",
                                                                            series: [ChartSeries(name: "tanh RNN", x: steps(length, from: 1), y: rnnNorms), ChartSeries(name: "LSTM", x: steps(length, from: 1), y: lstmNorms)], logY: true),
                                                    caption: "A straight line on a log scale: geometric decay.")])
        },
        Demo("lstm-gru", "An LSTM forecaster versus the naive baseline",
             shows: "The lstm-sine recipe for 4 epochs: an LSTM(64) reads 40 past values of a noisy sine and predicts the next; its test RMSE against repeating the last value.") { ctx in
            let result = try Recipe.run(.lstmSine, options: RecipeOptions(epochs: 4, seed: ctx.seed))
            let naive = result.extras.first { $0.name == "naive_rmse" }!.value
            let h = result.history, epochs = h.map { Double($0.epoch) }
            return DemoOutcome(passed: result.testMetric < naive,
                               result: "test RMSE \(f(result.testMetric, 4)) vs naive last-value \(f(naive, 4)) (×\(f(naive / result.testMetric, 2)) better) after 4 epochs in \(f(result.totalSeconds, 1)) s; \(result.parameterCount) parameters",
                               metrics: [("test_rmse", result.testMetric), ("naive_rmse", naive)],
                               figures: [DemoFigure("loss", LineChart(title: "lstm-sine: loss per epoch", xLabel: "epoch", yLabel: "MSE",
                                                                       series: [ChartSeries(name: "train", x: epochs, y: h.map(\.trainLoss)), ChartSeries(name: "validation", x: epochs, y: h.map(\.validationLoss))], logY: true),
                                                    caption: "The full checkpoint (30 epochs) must beat the baseline five times over.")])
        },
        Demo("project-sequence-forecast", "Forecasting a series: beat the naive baseline first",
             shows: "On a noisy sine (period 50), one-step-ahead forecasts from the last 40 values: repeat the last value, average the last 5, and a linear autoregressive model fitted by least squares — the baselines an LSTM must beat.") { ctx in
            let n = 2000, window = 40
            let noise = Tensor.normal([n], std: 0.1, dtype: .float64, seed: ctx.seed).scalars
            let series = (0..<n).map { Foundation.sin(2 * Double.pi * Double($0) / 50) + noise[$0] }
            let rows = n - window, split = rows * 4 / 5
            let lags: [Double] = (0..<rows).flatMap { (i: Int) -> [Double] in Array(series[i..<(i + window)]) + [1.0] }
            let targets = Array(series[window...])
            let design = Tensor(lags, shape: [rows, window + 1])
            let fit = try Linalg.lstsq(design.slice(axis: 0, 0, split), Tensor(Array(targets[..<split]), shape: [split, 1])).solution
            let ar = design.slice(axis: 0, split, rows).matmul(fit).scalars
            let truth = Array(targets[split...])
            let naive = (split..<rows).map { series[$0 + window - 1] }
            let average = (split..<rows).map { i in series[(i + window - 5)..<(i + window)].reduce(0, +) / 5 }
            func rmse(_ p: [Double]) -> Double { (zip(p, truth).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(truth.count)).squareRoot() }
            let scores = [rmse(naive), rmse(average), rmse(ar)]
            let shown = 0..<150
            return DemoOutcome(passed: scores[2] < scores[0] && scores[2] < scores[1] && Swift.abs(scores[2] - 0.1) < 0.01,
                               result: "test RMSE on the last \(truth.count) steps: last value \(f(scores[0], 4)), mean of last 5 \(f(scores[1], 4)), AR(40) least squares \(f(scores[2], 4))\nAR(40) reaches the noise floor (0.1): no forecaster can do better here; the lstm-sine checkpoint (another series) asks an LSTM for 5× better than the last value",
                               metrics: [("ar_rmse", scores[2]), ("naive_rmse", scores[0])],
                               figures: [DemoFigure("forecast", LineChart(title: "One-step forecasts on the test period", xLabel: "step", yLabel: "value",
                                                                           series: [ChartSeries(name: "truth", y: shown.map { truth[$0] }), ChartSeries(name: "last value", y: shown.map { naive[$0] }),
                                                                                    ChartSeries(name: "AR(40)", y: shown.map { ar[$0] })]),
                                                    caption: "The last value lags the curve; the autoregression follows it to within the noise.")])
        },
        Demo("project-mnist", "MNIST in one epoch",
             shows: "The mlp-mnist recipe for one epoch on 10,000 training images: a 784-512-256-10 MLP with dropout, tested on the 10,000 MNIST test digits.", quick: false) { ctx in
            let result = try Recipe.run(.mlpMNIST, options: RecipeOptions(epochs: 1, seed: ctx.seed, trainingLimit: 10_000))
            return DemoOutcome(passed: result.testMetric > 0.9,
                               result: "test accuracy \(pct(result.testMetric)) after one epoch on 10,000 images (\(f(result.totalSeconds, 1)) s, \(result.parameterCount) parameters); the full checkpoints reach 98% (MLP) and 99% (LeNet-5)",
                               metrics: [("test_accuracy", result.testMetric)])
        },
    ]

}

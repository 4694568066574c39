import Foundation
import Tensors
import Neural
import Plot

extension DemoRegistry {
    /// Demos of training techniques: dropout, batch norm, schedules, early stopping, clipping, augmentation.
    static let neuralTechniques: [Demo] = [
        Demo("regularization-dropout", "Dropout: random zeros in training, identity in evaluation",
             shows: "Dropout(p) zeroes a fraction p of the activations and scales the rest by 1/(1−p), so the expected value is unchanged; in eval mode it does nothing.") { ctx in
            let x = Tensor.ones([200, 200])
            let ps = [0.1, 0.3, 0.5, 0.7, 0.9]
            var zeroFractions: [Double] = [], means: [Double] = []
            for p in ps {
                let layer = Dropout(p, generator: RandomGenerator(seed: ctx.seed))
                let out = layer(x).scalars
                zeroFractions.append(Double(out.filter { $0 == 0 }.count) / Double(out.count))
                means.append(out.reduce(0, +) / Double(out.count))
            }
            let layer = Dropout(0.5, generator: RandomGenerator(seed: ctx.seed))
            let identity = layer.eval()(x).scalars == x.scalars
            let ok = zip(ps, zeroFractions).allSatisfy { Swift.abs($0 - $1) < 0.02 } && means.allSatisfy { Swift.abs($0 - 1) < 0.1 } && identity
            return DemoOutcome(passed: ok,
                               result: zip(ps, zip(zeroFractions, means)).map { "p = \($0): \(pct($1.0)) zeroed, mean \(f($1.1))" }.joined(separator: "\n") + "\neval mode returns the input unchanged: \(identity)",
                               metrics: [("zero_fraction_p0.5", zeroFractions[2])],
                               figures: [DemoFigure("dropout", BarChart(title: "Dropout on 40,000 ones (training mode)", yLabel: "value", categories: ps.map { "p = \($0)" },
                                                                         series: [(name: "fraction zeroed", values: zeroFractions), (name: "mean output", values: means)]),
                                                    caption: "The zeroed fraction tracks p while the mean stays at 1.")])
        },
        Demo("normalization-layers", "Batch normalisation and its running statistics",
             shows: "BatchNorm1d on features with means (5, −2, 0, 10) and standard deviations (3, 1, 0.5, 2): each training batch comes out standardised, and the running averages used in eval mode converge to the true statistics.") { ctx in
            let mu = [5.0, -2, 0, 10], sigma = [3.0, 1, 0.5, 2]
            let shift = Tensor(mu, shape: [1, 4]).to(.float32), scale = Tensor(sigma, shape: [1, 4]).to(.float32)
            let bn = BatchNorm1d(4)
            var runningMean: [[Double]] = [], worstBatch = 0.0
            for step in 0..<60 {
                let batch = Tensor.randn([64, 4], seed: ctx.seed + UInt64(step)) * scale + shift
                let out = GradMode.withoutGrad { bn(batch) }
                worstBatch = Swift.max(worstBatch, out.mean(axis: 0).abs().max().item(), (out.std(axis: 0) - 1).abs().max().item())
                runningMean.append(bn.runningMean!.value.scalars)
            }
            let rm = bn.runningMean!.value.scalars, rv = bn.runningVar!.value.scalars
            let meanError = (0..<4).map { Swift.abs(rm[$0] - mu[$0]) / sigma[$0] }.max()!
            let varRatio = (0..<4).map { rv[$0] / (sigma[$0] * sigma[$0]) }
            _ = bn.eval()
            let test = Tensor.randn([2000, 4], seed: ctx.seed + 1000) * scale + shift
            let evalOut = bn(test)
            let evalMean = evalOut.mean(axis: 0).abs().max().item()
            return DemoOutcome(passed: worstBatch < 1e-3 && meanError < 0.15 && varRatio.allSatisfy { $0 > 0.7 && $0 < 1.3 } && evalMean < 0.2,
                               result: "training batches come out with mean 0 and std 1 per feature (largest deviation \(e(worstBatch)))\nafter 60 batches (momentum 0.1) running mean \(rm.map { f($0, 2) }), running var / true var \(varRatio.map { f($0, 2) })\neval mode standardises new data with these: largest feature mean \(f(evalMean, 3))",
                               metrics: [("running_mean_error", meanError)],
                               figures: [DemoFigure("running-mean", LineChart(title: "Running mean per training batch", xLabel: "batch", yLabel: "running mean",
                                                                               series: (0..<4).map { k in ChartSeries(name: "feature \(k + 1) (μ = \(f(mu[k], 0)))", y: runningMean.map { $0[k] }) }),
                                                    caption: "An exponential moving average: 90% old, 10% new per batch.")])
        },
        Demo("learning-rate-schedules", "Learning-rate schedules",
             shows: "Step decay, exponential decay, cosine annealing, linear warm-up then cosine, and one-cycle over 100 steps from a base rate of 0.1.") { _ in
            func curve(_ make: (Optimizer) -> LRScheduler) -> [Double] {
                let optimizer = SGD([Parameter(Tensor.zeros([1]))], learningRate: 0.1, momentum: 0.9)
                let schedule = make(optimizer)
                var rates: [Double] = []
                for _ in 0..<100 { rates.append(optimizer.parameterGroups[0].learningRate); optimizer.step(); schedule.step() }
                return rates
            }
            let stepDecay = curve { StepLR($0, stepSize: 30, gamma: 0.1) }
            let exponential = curve { ExponentialLR($0, gamma: 0.97) }
            let cosine = curve { CosineAnnealingLR($0, period: 100) }
            let warmup = curve { SequentialLR($0, schedules: [LinearLR($0, startFactor: 0.1, totalIterations: 10), CosineAnnealingLR($0, period: 90)], milestones: [10]) }
            let oneCycle = curve { OneCycleLR($0, maxLearningRate: 0.1, totalSteps: 100) }
            let close = { (a: Double, b: Double) in Swift.abs(a - b) < 1e-9 }
            let ok = close(stepDecay[29], 0.1) && close(stepDecay[30], 0.01) && close(stepDecay[60], 0.001)
                && close(exponential[10], 0.1 * Foundation.pow(0.97, 10))
                && close(cosine[50], 0.05) && close(cosine[25], 0.05 * (1 + Foundation.cos(Double.pi / 4)))
                && close(warmup[0], 0.01) && close(warmup[10], 0.1)
                && close(oneCycle[0], 0.004) && close(oneCycle.max()!, 0.1)
            let x = steps(100)
            return DemoOutcome(passed: ok,
                               result: "step: 0.1 until step 29, 0.01 from 30, 0.001 from 60; exponential 0.97ᵗ; cosine \(f(cosine[50], 3)) halfway\nwarm-up \(f(warmup[0], 3)) → \(f(warmup[10], 3)) over 10 steps, then cosine; one-cycle \(f(oneCycle[0], 4)) → \(f(oneCycle.max()!, 3)) at step \(oneCycle.firstIndex(of: oneCycle.max()!)!) → \(e(oneCycle.last!))",
                               metrics: [("cosine_halfway", cosine[50])],
                               figures: [DemoFigure("schedules", LineChart(title: "Learning rate per step", xLabel: "step", yLabel: "learning rate",
                                                                            series: [ChartSeries(name: "step (30, ×0.1)", x: x, y: stepDecay), ChartSeries(name: "exponential 0.97", x: x, y: exponential),
                                                                                     ChartSeries(name: "cosine", x: x, y: cosine), ChartSeries(name: "warm-up + cosine", x: x, y: warmup),
                                                                                     ChartSeries(name: "one-cycle", x: x, y: oneCycle)]),
                                                    caption: "Large steps early to explore, small steps late to settle.")])
        },
        Demo("early-stopping", "Early stopping on the validation loss",
             shows: "A wide MLP trained on only 100 digits over-fits: the validation loss turns up; early stopping (patience 10) halts the run and restores the best weights.") { ctx in
            let (x, y) = try digitsTensors()
            let xTrain = x.slice(axis: 0, 0, 100), yTrain = y.slice(axis: 0, 0, 100)
            let xVal = x.slice(axis: 0, 1000, 1500), yVal = y.slice(axis: 0, 1000, 1500)
            let g = RandomGenerator(seed: ctx.seed)
            let model = Sequential(Linear(64, 256, generator: g), ReLU(), Linear(256, 10, generator: g))
            let optimizer = Adam(model.parameters(), learningRate: 1e-2)
            let stopper = EarlyStopping(patience: 10)
            var valLosses: [Double] = [], trainLosses: [Double] = []
            for _ in 0..<300 {
                trainLosses += trainFullBatch(model, optimizer, x: xTrain, y: yTrain, steps: 1)
                let v = GradMode.withoutGrad { crossEntropy(model.eval()(xVal), yVal).item() }
                valLosses.append(v)
                if stopper.update(v, module: model) { break }
            }
            let restored = try stopper.restoreBest(into: model)
            let after = GradMode.withoutGrad { crossEntropy(model.eval()(xVal), yVal).item() }
            let bestIndex = valLosses.indices.min { valLosses[$0] < valLosses[$1] }!
            let ok = restored && valLosses.count < 300 && stopper.bestEpoch == bestIndex + 1 && Swift.abs(after - valLosses[bestIndex]) < 1e-6
            let epochs = steps(valLosses.count, from: 1)
            return DemoOutcome(passed: ok,
                               result: "stopped after \(valLosses.count) epochs; best validation loss \(f(valLosses[bestIndex], 4)) at epoch \(stopper.bestEpoch), last \(f(valLosses.last!, 4)); training loss by then \(f(trainLosses.last!, 4))\nrestored weights give validation loss \(f(after, 4))",
                               metrics: [("best_epoch", Double(stopper.bestEpoch)), ("best_val_loss", valLosses[bestIndex])],
                               figures: [DemoFigure("loss", LineChart(title: "Over-fitting 100 digits: loss per epoch", xLabel: "epoch", yLabel: "cross-entropy",
                                                                       series: [ChartSeries(name: "train", x: epochs, y: trainLosses), ChartSeries(name: "validation", x: epochs, y: valLosses)], logY: true),
                                                    caption: "Training loss keeps falling; validation turns up and the run stops \(stopper.patience) epochs later.")])
        },
        Demo("gradient-clipping", "Gradient clipping by global norm",
             shows: "clip_grad_norm(max 0.2) during 60 steps of an MLP on the digits: the joint gradient norm before and after clipping; the direction is kept.") { ctx in
            let (x, y) = try digitsTensors()
            let g = RandomGenerator(seed: ctx.seed)
            let model = Sequential(Linear(64, 64, generator: g), ReLU(), Linear(64, 10, generator: g))
            let parameters = model.parameters(), limit = 0.2
            let optimizer = SGD(parameters, learningRate: 0.1, momentum: 0.9)
            var before: [Double] = [], after: [Double] = [], worstCosine = 1.0
            for _ in 0..<60 {
                optimizer.zeroGrad()
                crossEntropy(model(x), y).backward()
                let raw = parameters.flatMap { $0.grad!.scalars }
                before.append(clipGradNorm(parameters, maxNorm: limit))
                let clipped = parameters.flatMap { $0.grad!.scalars }
                let norm = clipped.map { $0 * $0 }.reduce(0, +).squareRoot()
                after.append(norm)
                let cosine = zip(raw, clipped).map { $0 * $1 }.reduce(0, +) / (norm * raw.map { $0 * $0 }.reduce(0, +).squareRoot())
                worstCosine = Swift.min(worstCosine, cosine)
                optimizer.step()
            }
            let clippedSteps = before.filter { $0 > limit }.count
            let ok = zip(before, after).allSatisfy { b, a in b > limit ? Swift.abs(a - limit) < 1e-4 : Swift.abs(a - b) < 1e-5 * Swift.max(b, 1) } && worstCosine > 0.9999 && clippedSteps > 0
            return DemoOutcome(passed: ok,
                               result: "\(clippedSteps) of 60 steps had a gradient norm above \(limit) (largest \(f(before.max()!, 3))) and were scaled to \(limit); the others were left alone\nclipped gradients keep their direction (cosine ≥ \(f(worstCosine, 6)))",
                               metrics: [("clipped_steps", Double(clippedSteps)), ("max_norm_before", before.max()!)],
                               figures: [DemoFigure("norms", LineChart(title: "Gradient norm per step", xLabel: "step", yLabel: "global L2 norm",
                                                                        series: [ChartSeries(name: "before clipping", y: before), ChartSeries(name: "after clipping", y: after)], logY: true),
                                                    caption: "Clipping caps the step size without changing its direction.")])
        },
        Demo("data-augmentation", "Data augmentation on a digit",
             shows: "Random crops with padding (shifts), horizontal flips and small rotations of an 8×8 digit: new training images with the same label.") { ctx in
            let (x, _) = try digitsTensors()
            let image = x.slice(axis: 0, 0, 1).reshaped([1, 1, 8, 8])
            let g = RandomGenerator(seed: ctx.seed)
            let copies = Tensor.concat(Array(repeating: image, count: 100), axis: 0)
            let crops = RandomCrop(size: 8, padding: 2)(copies, generator: g)
            let pixels = image.scalars
            // Each crop must be the original shifted by (dy, dx) ∈ [−2, 2]², zeros shifted in.
            func shifted(_ dy: Int, _ dx: Int) -> [Double] {
                (0..<64).map { i in let r = i / 8 + dy, c = i % 8 + dx; return (0..<8).contains(r) && (0..<8).contains(c) ? pixels[r * 8 + c] : 0 }
            }
            let shifts = (-2...2).flatMap { dy in (-2...2).map { dx in shifted(dy, dx) } }
            let cropRows = (0..<100).map { crops.slice(axis: 0, $0, $0 + 1).scalars }
            let allShifts = cropRows.allSatisfy { row in shifts.contains { maxGap($0, row) < 1e-6 } }
            let distinct = Set(cropRows.map { $0.map { Int($0 * 1000) } }).count
            let flipped = RandomHorizontalFlip(probability: 1)(image, generator: g)
            let mirrorOK = flipped.scalars == image.flipped(axes: [3]).scalars
            let rotated = RandomRotation(degrees: 15)(image, generator: g)
            func grid(_ t: Tensor) -> [[Double]] { let v = t.scalars; return (0..<8).map { r in Array(v[(r * 8)..<(r * 8 + 8)]) } }
            let labels = (0..<8).map(String.init)
            return DemoOutcome(passed: allShifts && distinct > 10 && mirrorOK && rotated.shape == image.shape,
                               result: "100 random crops (padding 2): all are shifts of the original, \(distinct) distinct; a forced flip is the exact mirror image: \(mirrorOK); rotation by up to ±15° keeps the shape \(rotated.shape)",
                               metrics: [("distinct_crops", Double(distinct))],
                               figures: [DemoFigure("original", HeatmapChart(title: "Original digit", rowLabels: labels, columnLabels: labels, values: grid(image), showValues: false), caption: "A zero from the 8×8 digits."),
                                         DemoFigure("crop", HeatmapChart(title: "Random crop (padding 2)", rowLabels: labels, columnLabels: labels, values: grid(crops.slice(axis: 0, 0, 1)), showValues: false), caption: "The same digit shifted."),
                                         DemoFigure("rotation", HeatmapChart(title: "Random rotation (±15°)", rowLabels: labels, columnLabels: labels, values: grid(rotated), showValues: false), caption: "Bilinear interpolation blurs a little.")])
        },
    ]
}

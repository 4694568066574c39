import Foundation
import Neural
import Tensors

/// `ddpm-mnist`: ε-prediction DDPM (1000 linear steps) with a small class-conditional U-Net;
/// labels dropped to "none" 10% of the time so one network learns both conditional and
/// unconditional noise (classifier-free guidance). Adam with gradient clipping at 1, an
/// exponential moving average of the weights (decay 0.999 with diffusers' warm-up) that sampling
/// uses, DDIM sampling.
enum DiffusionRecipe {
    static let labelDropout = 0.1
    static let emaDecay = 0.999

    static func run(_ s: GenerativeSettings, _ onEpoch: (GenerativeEpoch) -> Void) throws -> GenerativeResult {
        let data = try MNISTPixels(limit: s.trainingLimit)
        let g = RandomGenerator(seed: s.seed)
        let config = UNetConfiguration(base: 16, multipliers: [1, 2, 2], embedding: 64, classes: 10)
        let model = try DiffusionUNet(config, generator: g)
        let ema = try DiffusionUNet(config)
        polyakUpdate(target: ema.parameters(), source: model.parameters(), tau: 1)
        let schedule = try NoiseSchedule(trainTimesteps: config.trainTimesteps, schedule: config.schedule)
        let optimizer = Adam(model.parameters(), learningRate: s.learningRate)
        var history: [GenerativeEpoch] = []
        var step = 0
        for epoch in 1...s.epochs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            var total = 0.0, seen = 0
            for idx in data.batches(epoch: epoch, batchSize: s.batchSize, seed: s.seed) {
                let b = idx.count
                let x0 = data.trainX.indexSelect(axis: 0, indices: idx).reshaped([b, 1, 28, 28]) * 2 - 1
                let timesteps = Tensor.randint(0, config.trainTimesteps, [b], generator: g).toArray(as: Int64.self).map { Int($0) }
                let noise = Tensor.randn([b, 1, 28, 28], generator: g)
                let drop = Tensor.rand([b], generator: g).toArray(as: Float.self)
                let labels = data.trainY.indexSelect(axis: 0, indices: idx).toArray(as: Int64.self).enumerated().map { i, y in
                    Double(drop[i]) < labelDropout ? model.nullLabel : y
                }
                optimizer.zeroGrad()
                let predicted = model.predict(schedule.addNoise(x0, noise: noise, timesteps: timesteps), timesteps: timesteps,
                                              labels: Tensor(labels))
                let loss = mseLoss(predicted, noise)
                loss.backward()
                _ = clipGradNorm(model.parameters(), maxNorm: 1)
                optimizer.step()
                // diffusers' EMAModel warm-up: decay min(0.999, (1 + n) / (10 + n)) after n updates, so
                // the average does not drag the random initial weights along for thousands of steps.
                step += 1
                polyakUpdate(target: ema.parameters(), source: model.parameters(),
                              tau: 1 - Swift.min(emaDecay, Double(1 + step) / Double(10 + step)))
                let value = loss.item()
                guard value.isFinite else { throw GenerativeError.invalidOption("training diverged at epoch \(epoch) (loss \(value)); lower --lr") }
                total += value * Double(b)
                seen += b
            }
            let e = GenerativeEpoch(epoch: epoch, figures: [("train_loss", total / Double(seen))],
                                    seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            history.append(e)
            onEpoch(e)
        }
        ema.eval()
        let sampler = RandomGenerator(seed: s.seed &+ 1)
        let images = try ema.sampleImages(80, labels: gridLabels(), guidance: s.guidance, steps: s.samplingSteps, generator: sampler)
        var final: [(String, Double)] = [("train_loss", history.last?.figures[0].value ?? .nan)]
        final += try judged(s, data) { n, labels in
            try ema.sampleImages(n, labels: labels, guidance: s.guidance, steps: s.samplingSteps, generator: sampler)
        }
        return GenerativeResult(recipe: s.recipe, model: .diffusion(ema), history: history, final: final,
                                samples: imageGrid(images), parameterCount: model.trainableParameterCount)
    }
}

import Foundation
import Neural
import Tensors

/// Points on scikit-learn's two interleaving half circles (`make_moons`): n/2 on the outer arc
/// (cos θ, sin θ) and the rest on the inner (1 − cos θ, 0.5 − sin θ), θ evenly spaced on [0, π],
/// plus Gaussian noise of standard deviation `noise`; shuffled. Returns `[n, 2]` float32.
public func twoMoons(_ n: Int, noise: Double = 0.05, generator: RandomGenerator) -> Tensor {
    precondition(n >= 2, "twoMoons: n must be at least 2")
    let outer = n / 2, inner = n - outer
    func angles(_ k: Int) -> [Double] { (0..<k).map { k == 1 ? 0 : Double.pi * Double($0) / Double(k - 1) } }
    var points: [Double] = []
    for a in angles(outer) { points += [Foundation.cos(a), Foundation.sin(a)] }
    for a in angles(inner) { points += [1 - Foundation.cos(a), 0.5 - Foundation.sin(a)] }
    let x = Tensor(points, shape: [n, 2]) + Tensor.randn([n, 2], dtype: .float64, generator: generator) * noise
    return x.indexSelect(axis: 0, indices: Tensor.permutation(n, generator: generator)).to(.float32)
}

/// `realnvp-moons`: RealNVP (8 couplings, 64 hidden units) fitted by maximum likelihood to 2,000
/// two-moons points (noise 0.05), tested on 1,000 others; the baseline is the best single
/// Gaussian (full covariance) fitted to the training points.
enum FlowRecipe {
    static func run(_ s: GenerativeSettings, _ onEpoch: (GenerativeEpoch) -> Void) throws -> GenerativeResult {
        let data = RandomGenerator(seed: 1234)                  // the data are fixed; --seed varies the model
        var train = twoMoons(2000, generator: data)
        let test = twoMoons(1000, generator: data)
        if let limit = s.trainingLimit, limit < train.shape[0] { train = train.slice(axis: 0, 0, limit) }
        let g = RandomGenerator(seed: s.seed)
        let flow = RealNVP(dimension: 2, couplings: 8, hidden: 64, generator: g)
        let optimizer = Adam(flow.parameters(), learningRate: s.learningRate)
        let n = train.shape[0]
        var history: [GenerativeEpoch] = []
        var testNLL = Double.nan
        for epoch in 1...s.epochs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let order = Tensor.permutation(n, generator: g).toArray(as: Int64.self)
            var total = 0.0
            for start in stride(from: 0, to: n, by: s.batchSize) {
                let idx = Tensor(Array(order[start..<Swift.min(start + s.batchSize, n)]))
                optimizer.zeroGrad()
                let loss = -flow.logProbability(train.indexSelect(axis: 0, indices: idx)).mean()
                loss.backward()
                optimizer.step()
                let v = loss.item()
                guard v.isFinite else { throw GenerativeError.invalidOption("training diverged at epoch \(epoch); lower --lr") }
                total += v * Double(idx.count)
            }
            testNLL = GradMode.withoutGrad { -flow.logProbability(test).mean().item() }
            let e = GenerativeEpoch(epoch: epoch, figures: [("train_nll", total / Double(n)), ("test_nll", testNLL)],
                                    seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            history.append(e)
            onEpoch(e)
        }
        flow.eval()
        let samples = flow.sample(5000, generator: RandomGenerator(seed: s.seed &+ 1))
        let picture = imageGrid(Tensor.stack([densityImage(flow), histogramImage(samples)], axis: 0), columns: 2, padding: 4)
        return GenerativeResult(recipe: s.recipe, model: .flow(flow), history: history,
                                final: [("test_nll", testNLL), ("gaussian_test_nll", gaussianNLL(train: train, test: test))],
                                samples: picture, parameterCount: flow.trainableParameterCount)
    }

    /// The plotted window: x in [−1.5, 2.5], y in [−1, 1.5], 128 pixels a side (y up).
    static let window = (x0: -1.5, x1: 2.5, y0: -1.0, y1: 1.5, side: 128)

    /// The model's density on the window, scaled to [0, 1].
    static func densityImage(_ flow: RealNVP) -> Tensor {
        let w = window
        var points: [Double] = []
        for row in 0..<w.side {
            for col in 0..<w.side {
                points += [w.x0 + (w.x1 - w.x0) * (Double(col) + 0.5) / Double(w.side),
                           w.y1 - (w.y1 - w.y0) * (Double(row) + 0.5) / Double(w.side)]
            }
        }
        let density = GradMode.withoutGrad { flow.logProbability(Tensor(points, shape: [w.side * w.side, 2]).to(flow.dtype)).exp() }
        return (density / density.max().clamp(min: 1e-12)).reshaped([w.side, w.side])
    }

    /// A histogram of sample points on the window, scaled to [0, 1].
    static func histogramImage(_ samples: Tensor) -> Tensor {
        let w = window
        var counts = [Double](repeating: 0, count: w.side * w.side)
        let v = samples.to(.float64).toArray(as: Double.self)
        for i in stride(from: 0, to: v.count - 1, by: 2) {
            let cx = (v[i] - w.x0) / (w.x1 - w.x0) * Double(w.side), ry = (w.y1 - v[i + 1]) / (w.y1 - w.y0) * Double(w.side)
            // Points outside the window (or not finite) are not drawn; checked before any Int conversion.
            guard cx >= 0, cx < Double(w.side), ry >= 0, ry < Double(w.side) else { continue }
            counts[Int(ry) * w.side + Int(cx)] += 1
        }
        let top = Swift.max(counts.max() ?? 1, 1)
        return Tensor(counts.map { Swift.min(1, 2 * $0 / top) }, shape: [w.side, w.side])
    }

    /// Mean negative log-likelihood of `test` under the maximum-likelihood Gaussian of `train`.
    static func gaussianNLL(train: Tensor, test: Tensor) -> Double {
        let x = train.to(.float64), t = test.to(.float64)
        let mu = x.mean(axis: 0)
        let c = x - mu.unsqueezed(0)
        let cov = c.transposed().matmul(c) / Double(x.shape[0])
        let m = cov.toArray(as: Double.self)
        let det = m[0] * m[3] - m[1] * m[2]
        let inv = Tensor([m[3] / det, -m[1] / det, -m[2] / det, m[0] / det], shape: [2, 2])
        let d = t - mu.unsqueezed(0)
        let mahalanobis = (d.matmul(inv) * d).sum(axis: 1)
        return ((mahalanobis + Foundation.log(det) + 2 * Foundation.log(2 * Double.pi)) * 0.5).mean().item()
    }
}

import Foundation
import Neural
import SwiftLearnCore
import Tensors

/// A deterministic autoencoder: an encoder to a bottleneck code and a decoder back, trained to
/// reconstruct its input — dense (MLP) or convolutional, optionally denoising (Vincent et al.
/// 2008: reconstruct the clean input from a corrupted one) and sparse (an L1 penalty on the code).
///
/// ```swift
/// let ae = Autoencoder(kind: .dense, latent: 2)            // MNIST [B, 784] in [0, 1]
/// let loss = ae.loss(x, noise: 0.3, sparsity: 1e-3, generator: g)
/// let codes = ae.encode(x)                                 // [B, 2]: plot the latent space
/// ```
public final class Autoencoder: Module {
    /// The network family.
    public enum Kind: String, Sendable, CaseIterable {
        /// 784-512-128-latent and back, ReLU.
        case dense
        /// Two strided 3×3 convolutions (28 → 14 → 7) and a linear bottleneck; transposed
        /// convolutions back.
        case convolutional
    }

    /// The network family.
    public let kind: Kind
    /// Size of the code.
    public let latent: Int
    /// Input to code.
    public var encoder: Sequential
    /// Code to output logits (a sigmoid gives pixel values).
    public var decoder: Sequential

    /// Creates an autoencoder for 28×28 images with PyTorch's default initialisation.
    public init(kind: Kind = .dense, latent: Int = 32, generator g: RandomGenerator? = nil) {
        ensure(latent >= 1, "Autoencoder: latent must be at least 1, got \(latent)")
        self.kind = kind
        self.latent = latent
        switch kind {
        case .dense:
            encoder = Sequential(Linear(784, 512, generator: g), ReLU(), Linear(512, 128, generator: g), ReLU(), Linear(128, latent, generator: g))
            decoder = Sequential(Linear(latent, 128, generator: g), ReLU(), Linear(128, 512, generator: g), ReLU(), Linear(512, 784, generator: g))
        case .convolutional:
            encoder = Sequential(Unflatten(shape: [1, 28, 28]),
                                 Conv2d(1, 16, kernelSize: 3, stride: 2, padding: 1, generator: g), ReLU(),
                                 Conv2d(16, 32, kernelSize: 3, stride: 2, padding: 1, generator: g), ReLU(),
                                 Flatten(), Linear(32 * 7 * 7, latent, generator: g))
            decoder = Sequential(Linear(latent, 32 * 7 * 7, generator: g), ReLU(), Unflatten(shape: [32, 7, 7]),
                                 ConvTranspose2d(32, 16, kernelSize: 4, stride: 2, padding: 1, generator: g), ReLU(),
                                 ConvTranspose2d(16, 1, kernelSize: 4, stride: 2, padding: 1, generator: g), Flatten())
        }
        super.init()
    }

    /// Codes `[B, latent]` of images `[B, 784]`.
    public func encode(_ x: Tensor) -> Tensor {
        ensure(x.rank == 2 && x.shape[1] == 784, "Autoencoder: expected [B, 784], got \(x.shape)")
        return encoder(x)
    }

    /// Reconstructed pixels `[B, 784]` in [0, 1].
    public func reconstruct(_ x: Tensor) -> Tensor { decoder(encode(x)).sigmoid() }

    public override func forward(_ x: Tensor) -> Tensor { reconstruct(x) }

    /// Training loss per image: binary cross-entropy of the reconstruction of `x` (summed over
    /// pixels, mean over the batch). `noise` > 0 makes it denoising: the input is
    /// `clamp(x + noise·ε, 0, 1)` but the target stays x. `sparsity` > 0 adds λ·mean |code|₁.
    public func loss(_ x: Tensor, noise: Double = 0, sparsity: Double = 0, generator: RandomGenerator? = nil) -> Tensor {
        let input = noise > 0 ? (x + Tensor.randn(x.shape, dtype: x.dtype, generator: generator) * noise).clamp(min: 0, max: 1) : x
        let code = encode(input)
        var l = binaryCrossEntropyWithLogits(decoder(code), x, reduction: .sum) / Double(x.shape[0])
        if sparsity > 0 { l = l + code.abs().sum(axis: 1).mean() * sparsity }
        return l
    }
}

/// `ae-mnist`: a dense autoencoder with a 2-D code (`--latent` changes it) on MNIST (so the code is the latent-space
/// plot), denoising (noise 0.3) and trained with Adam; test reconstruction BCE (clean inputs) per
/// image, the test MSE, and how well the 2-D codes separate digits (k-NN accuracy on codes).
enum AutoencoderRecipe {
    static func run(_ s: GenerativeSettings, _ onEpoch: (GenerativeEpoch) -> Void) throws -> GenerativeResult {
        let data = try MNISTPixels(limit: s.trainingLimit)
        let g = RandomGenerator(seed: s.seed)
        let ae = Autoencoder(kind: .dense, latent: s.latent, generator: g)
        let optimizer = Adam(ae.parameters(), learningRate: s.learningRate)
        var history: [GenerativeEpoch] = []
        var last = (bce: Double.nan, mse: Double.nan)
        for epoch in 1...s.epochs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            ae.train()
            var total = 0.0
            for idx in data.batches(epoch: epoch, batchSize: s.batchSize, seed: s.seed) {
                optimizer.zeroGrad()
                let l = ae.loss(data.trainX.indexSelect(axis: 0, indices: idx), noise: 0.3, sparsity: 0, generator: g)
                l.backward()
                optimizer.step()
                total += l.item() * Double(idx.count)
            }
            ae.eval()
            last = GradMode.withoutGrad {
                let x = data.testX
                let logits = ae.decoder(ae.encode(x))
                return ((binaryCrossEntropyWithLogits(logits, x, reduction: .sum) / Double(x.shape[0])).item(),
                        mseLoss(logits.sigmoid(), x).item())
            }
            let e = GenerativeEpoch(epoch: epoch, figures: [("train_loss", total / Double(data.count)), ("test_bce", last.bce), ("test_mse", last.mse)],
                                    seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            history.append(e)
            onEpoch(e)
        }
        ae.eval()
        let shown = data.testX.slice(axis: 0, 0, 32)
        let rebuilt = GradMode.withoutGrad { ae.reconstruct(shown) }
        // Rows: 8 originals, their reconstructions, 8 more originals, theirs.
        let rows = [shown.slice(axis: 0, 0, 8), rebuilt.slice(axis: 0, 0, 8), shown.slice(axis: 0, 8, 16), rebuilt.slice(axis: 0, 8, 16)]
        let picture = imageGrid(Tensor.concat(rows, axis: 0).reshaped([32, 28, 28]))
        // How well the codes separate the digits: 5-NN on codes, 2,000 test images labelling 2,000 others.
        let codes = GradMode.withoutGrad { ae.encode(data.testX.slice(axis: 0, 0, 4000)) }.to(.float64)
        let knn = nearestNeighbourAccuracy(codes: codes, labels: data.testY.toArray(as: Int64.self).map { Int($0) }, train: 2000)
        return GenerativeResult(recipe: s.recipe, model: nil, history: history,
                                final: [("test_bce", last.bce), ("test_mse", last.mse), ("latent_knn_accuracy", knn)],
                                samples: picture, parameterCount: ae.trainableParameterCount)
    }

}

/// How well codes `[N, D]` separate classes: the accuracy of 5-nearest-neighbour votes (squared
/// Euclidean distance; ties to the smaller label) when the first `train` rows label the rest.
public func nearestNeighbourAccuracy(codes: Tensor, labels: [Int], train: Int) -> Double {
    ensure(codes.rank == 2 && labels.count >= codes.shape[0] && train >= 5 && train < codes.shape[0],
       "nearestNeighbourAccuracy: need [N, D] codes, N labels and 5 ≤ train < N")
    let codes = codes.to(.float64)
    let a = codes.slice(axis: 0, 0, train), b = codes.slice(axis: 0, train, codes.shape[0])
    let d = (b.square().sum(axis: 1, keepDims: true) + a.square().sum(axis: 1).unsqueezed(0) - b.matmul(a.transposed()) * 2)
    let v = d.toArray(as: Double.self)
    var right = 0
    let m = b.shape[0]
    for i in 0..<m {
        // The 5 nearest by insertion into a short sorted list.
        var best: [(Double, Int)] = []
        for j in 0..<train {
            let dist = v[i * train + j]
            if best.count < 5 || dist < best[best.count - 1].0 {
                best.insert((dist, j), at: best.firstIndex { $0.0 > dist } ?? best.count)
                if best.count > 5 { best.removeLast() }
            }
        }
        let nearest = best.map { labels[$0.1] }
        var votes: [Int: Int] = [:]
        for l in nearest { votes[l, default: 0] += 1 }
        if votes.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key == labels[train + i] { right += 1 }
    }
    return Double(right) / Double(Swift.max(m, 1))
}

import Datasets
import Foundation
import Neural
import SwiftLearnCore
import Tensors

/// Sample-quality measures computed on features of a classifier — here our own MNIST LeNet-5
/// (its 84 penultimate activations), since the usual Inception-v3 features need a download. The
/// figures therefore compare models within this library, not with published Inception FIDs.
public enum SampleQuality {
    /// Fréchet distance between Gaussians fitted to two feature sets `[N, D]` (Heusel et al.
    /// 2017's FID formula, as pytorch-fid computes it): |μ₁ − μ₂|² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁Σ₂)^½,
    /// with unbiased covariances. The trace of the matrix square root is taken from the eigenvalues
    /// of Σ₁^½ Σ₂ Σ₁^½, which is symmetric and has the same spectrum as Σ₁Σ₂.
    /// - Throws: a linear-algebra error when an eigendecomposition fails.
    public static func frechetDistance(_ a: Tensor, _ b: Tensor) throws -> Double {
        ensure(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[1] && a.shape[0] >= 2 && b.shape[0] >= 2,
               "frechetDistance: expected [N, D] and [M, D] with N, M ≥ 2, got \(a.shape) and \(b.shape)")
        let (mu1, s1) = meanAndCovariance(a.to(.float64)), (mu2, s2) = meanAndCovariance(b.to(.float64))
        let diff = mu1 - mu2
        let (values1, vectors1) = try Linalg.eigh(s1)
        let root1 = vectors1.matmul((values1.clamp(min: 0).sqrt().unsqueezed(1)) * vectors1.transposed())
        let inner = root1.matmul(s2).matmul(root1)
        let symmetric = (inner + inner.transposed()) * 0.5
        let (values, _) = try Linalg.eigh(symmetric)
        let traceRoot = values.clamp(min: 0).sqrt().sum().item()
        return diff.square().sum().item() + trace(s1) + trace(s2) - 2 * traceRoot
    }

    /// Improved precision and recall (Kynkäänniemi et al. 2019): precision is the share of
    /// generated features inside some real feature's k-NN ball (radius: distance to its k-th
    /// nearest real neighbour); recall the share of real features inside some generated ball.
    public static func precisionRecall(real: Tensor, generated: Tensor, k: Int = 3) -> (precision: Double, recall: Double) {
        ensure(real.rank == 2 && generated.rank == 2 && real.shape[1] == generated.shape[1], "precisionRecall: expected [N, D] and [M, D]")
        ensure(k >= 1 && k < real.shape[0] && k < generated.shape[0], "precisionRecall: k must be 1 to min(N, M) − 1, got \(k)")
        let r = real.to(.float64), g = generated.to(.float64)
        func distances(_ x: Tensor, _ y: Tensor) -> Tensor {
            let d = x.square().sum(axis: 1, keepDims: true) + y.square().sum(axis: 1).unsqueezed(0) - x.matmul(y.transposed()) * 2
            return d.clamp(min: 0)
        }
        func radii(_ x: Tensor) -> [Double] {
            // The k-th smallest distance to another point (index k: index 0 is the point itself).
            let d = distances(x, x)
            let n = x.shape[0], values = d.toArray(as: Double.self)
            return (0..<n).map { i in Array(values[(i * n)..<((i + 1) * n)]).sorted()[k] }
        }
        func coverage(_ manifold: Tensor, _ radius: [Double], _ queries: Tensor) -> Double {
            let d = distances(queries, manifold), m = manifold.shape[0], q = queries.shape[0]
            let values = d.toArray(as: Double.self)
            var inside = 0
            for i in 0..<q where (0..<m).contains(where: { values[i * m + $0] <= radius[$0] }) { inside += 1 }
            return Double(inside) / Double(q)
        }
        return (coverage(r, radii(r), g), coverage(g, radii(g), r))
    }

    /// Inception-style score exp(E_x KL(p(y | x) ‖ p(y))) from class probabilities `[N, C]`
    /// (Salimans et al. 2016), here with our classifier: C = 10 at best (every sample confidently
    /// one digit, the digits balanced), 1 at worst.
    public static func inceptionScore(probabilities p: Tensor) -> Double {
        let q = p.to(.float64).clamp(min: 1e-12)
        let marginal = q.mean(axis: 0, keepDims: true)
        return Foundation.exp((q * (q.log() - marginal.log())).sum(axis: 1).mean().item())
    }

    private static func meanAndCovariance(_ x: Tensor) -> (Tensor, Tensor) {
        let mu = x.mean(axis: 0)
        let centred = x - mu.unsqueezed(0)
        return (mu, centred.transposed().matmul(centred) / Double(x.shape[0] - 1))
    }

    private static func trace(_ m: Tensor) -> Double {
        let n = m.shape[0], v = m.contiguous().toArray(as: Double.self)
        return (0..<n).reduce(0) { $0 + v[$1 * n + $1] }
    }
}

/// A LeNet-5 trained on MNIST that judges samples: `label_accuracy` of class-conditional samples,
/// and the 84 penultimate activations on which FID and precision/recall are computed.
public struct MNISTJudge {
    /// The classifier (eval mode).
    public let model: LeNet5
    /// Its accuracy on the MNIST test set.
    public let testAccuracy: Double

    /// Trains the judge: 2 epochs of the `lenet-mnist` recipe, seed 0 (about 99% test accuracy).
    public static func trained() throws -> MNISTJudge {
        let r = try Recipe.run(.lenetMNIST, options: RecipeOptions(epochs: 2, seed: 0))
        guard let lenet = r.model as? LeNet5 else { throw GenerativeError.invalidConfiguration("the lenet-mnist recipe did not return a LeNet5") }
        lenet.eval()
        return MNISTJudge(model: lenet, testAccuracy: r.testMetric)
    }

    /// Standardised `[N, 1, 28, 28]` input from images `[N, 28, 28]` in [0, 1].
    private func input(_ images: Tensor) -> Tensor {
        let (mean, std) = MNIST.trainMeanStd
        return ((images.reshaped([-1, 1, 28, 28]) - mean) / std).to(.float32)
    }

    /// Penultimate features `[N, 84]` of images `[N, 28, 28]` in [0, 1] (in batches of 1000).
    public func features(_ images: Tensor) -> Tensor {
        GradMode.withoutGrad {
            let head = Sequential(Array(model.classifier.layers.dropLast()))
            let n = images.shape[0]
            return Tensor.concat(stride(from: 0, to: n, by: 1000).map { s in
                head(model.features(input(images.slice(axis: 0, s, Swift.min(s + 1000, n)))))
            }, axis: 0)
        }
    }

    /// Class probabilities `[N, 10]`.
    public func probabilities(_ images: Tensor) -> Tensor {
        GradMode.withoutGrad { model(input(images)).softmax(axis: 1) }
    }

    /// Share of `images` `[N, 28, 28]` classified as `labels` `[N]`.
    public func accuracy(images: Tensor, labels: Tensor) -> Double {
        let predicted = probabilities(images).argmax(axis: 1).toArray(as: Int64.self)
        let truth = labels.to(.int64).toArray(as: Int64.self)
        return Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(Swift.max(truth.count, 1))
    }

    /// FID, precision, recall and the Inception-style score of `samples` against `real` images
    /// (both `[N, 28, 28]` in [0, 1]), as named figures.
    public func quality(samples: Tensor, real: Tensor) throws -> [(name: String, value: Double)] {
        let fs = features(samples), fr = features(real)
        let pr = SampleQuality.precisionRecall(real: fr, generated: fs)
        return [("fid", try SampleQuality.frechetDistance(fr, fs)), ("precision", pr.precision), ("recall", pr.recall),
                ("inception_score", SampleQuality.inceptionScore(probabilities: probabilities(samples)))]
    }
}

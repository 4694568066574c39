import Tensors
import SwiftLearnCore

/// Batch normalization over the channel axis 1 (PyTorch's `_BatchNorm`; use ``BatchNorm1d`` or
/// ``BatchNorm2d``).
///
/// Training: `y = (x − μ_B)/√(σ²_B + ε) · γ + β` with the batch mean and biased variance over
/// every axis but 1; the running statistics are updated as
/// `running = (1 − momentum)·running + momentum·batch` with the *unbiased* batch variance, and
/// `num_batches_tracked` counts the updates (`momentum: nil` gives the cumulative average).
/// Evaluation: the running statistics replace the batch ones.
open class BatchNorm: Module {
    /// Number of channels C.
    public let numFeatures: Int
    /// Added to the variance for stability (1e-5).
    public let eps: Double
    /// Weight of the new batch in the running average (0.1); nil: cumulative moving average.
    public let momentum: Double?
    /// γ `[C]` (ones) or nil without `affine`.
    public var weight: Parameter?
    /// β `[C]` (zeros) or nil without `affine`.
    public var bias: Parameter?
    /// Running mean `[C]` (zeros) or nil without `trackRunningStats`.
    public var runningMean: ModuleBuffer?
    /// Running (unbiased) variance `[C]` (ones) or nil.
    public var runningVar: ModuleBuffer?
    /// Number of batches seen in training (int64, 0-d) or nil.
    public var numBatchesTracked: ModuleBuffer?
    /// Input ranks the subclass accepts (for the shape message).
    var acceptedRanks: [Int] { [2, 3, 4, 5] }

    /// Creates the layer with PyTorch's defaults.
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, dtype: DType = .float32) {
        self.numFeatures = numFeatures; self.eps = eps; self.momentum = momentum
        if affine {
            weight = Parameter(Tensor.ones([numFeatures], dtype: dtype))
            bias = Parameter(Tensor.zeros([numFeatures], dtype: dtype))
        }
        if trackRunningStats {
            runningMean = ModuleBuffer(Tensor.zeros([numFeatures], dtype: dtype))
            runningVar = ModuleBuffer(Tensor.ones([numFeatures], dtype: dtype))
            numBatchesTracked = ModuleBuffer(Tensor.zeros([], dtype: .int64))
        }
        super.init()
    }

    /// `[N, C, *]` → same shape.
    open override func forward(_ x: Tensor) -> Tensor {
        ensure(acceptedRanks.contains(x.rank) && x.shape[1] == numFeatures,
               "\(typeName)(\(numFeatures)): expected input with \(acceptedRanks.map(String.init).joined(separator: " or ")) axes and \(numFeatures) channels in axis 1, got \(x.shape)")
        var statShape = [Int](repeating: 1, count: x.rank)
        statShape[1] = numFeatures
        let axes = (0..<x.rank).filter { $0 != 1 }
        let mean: Tensor, variance: Tensor
        if isTraining || runningMean == nil {
            let n = x.count / numFeatures
            ensure(!isTraining || n > 1, "\(typeName): expected more than 1 value per channel when training, got input \(x.shape)")
            mean = x.mean(axes: axes, keepDims: true)
            variance = x.variance(axes: axes, correction: 0, keepDims: true)
            if isTraining, let rm = runningMean, let rv = runningVar, let nb = numBatchesTracked {
                nb.value = nb.value + Tensor(1, dtype: .int64)
                let factor = momentum ?? 1 / nb.value.item()
                GradMode.withoutGrad {
                    let m = mean.detached().reshaped([numFeatures]), v = variance.detached().reshaped([numFeatures]) * (Double(n) / Double(Swift.max(n - 1, 1)))
                    rm.value = (rm.value * (1 - factor) + m.to(rm.value.dtype) * factor).contiguous()
                    rv.value = (rv.value * (1 - factor) + v.to(rv.value.dtype) * factor).contiguous()
                }
            }
        } else {
            mean = runningMean!.value.reshaped(statShape)
            variance = runningVar!.value.reshaped(statShape)
        }
        var y = (x - mean) * (variance + eps).rsqrt()
        if let weight { y = y * weight.value.reshaped(statShape) }
        if let bias { y = y + bias.value.reshaped(statShape) }
        return y
    }

    open override var extraDescription: String {
        "\(numFeatures), eps=\(eps), momentum=\(momentum.map { "\($0)" } ?? "None"), affine=\(weight != nil), track_running_stats=\(runningMean != nil)"
    }
}

/// Batch normalization of `[N, C]` or `[N, C, L]` inputs (PyTorch's `nn.BatchNorm1d`).
public final class BatchNorm1d: BatchNorm {
    override var acceptedRanks: [Int] { [2, 3] }
}

/// Batch normalization of `[N, C, H, W]` inputs (PyTorch's `nn.BatchNorm2d`).
public final class BatchNorm2d: BatchNorm {
    override var acceptedRanks: [Int] { [4] }
}

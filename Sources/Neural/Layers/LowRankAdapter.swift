import Tensors
import SwiftLearnCore

/// A LoRA adapter (Hu et al. 2021; Hugging Face PEFT's `LoraLayer`) attached to a ``Linear``:
/// the layer computes `x·Wᵀ + b + (α/r)·dropout(x)·Aᵀ·Bᵀ` with `A` `[r, in]` and `B` `[out, r]`.
///
/// `A` starts as PEFT's default (`kaiming_uniform_(a = √5)`, i.e. U(−1/√in, 1/√in)) and `B` at
/// zero, so a fresh adapter leaves the layer's output unchanged. ``Linear/attachAdapter(rank:alpha:dropout:generator:)``
/// attaches one and freezes the layer's own weights; ``merge()`` folds `(α/r)·B·A` into the
/// weight (and ``unmerge()`` takes it out again), after which the adapter costs nothing at run time.
/// State-dict keys are `<layer>.adapter.lora_a.weight` / `lora_b.weight`; PEFT's file layout is
/// written by the LMTraining module.
public final class LowRankAdapter: Module {
    /// `Linear(in, r)` without bias (PEFT's `lora_A`).
    public var loraA: Linear
    /// `Linear(r, out)` without bias, zeros (PEFT's `lora_B`).
    public var loraB: Linear
    /// r.
    public let rank: Int
    /// α (`lora_alpha`); the update is scaled by α / r.
    public let alpha: Double
    /// Dropout on the adapter's input in training (`lora_dropout`).
    public let dropout: Double
    /// Whether the update is currently folded into the layer's weight.
    public internal(set) var isMerged = false
    private let generator: RandomGenerator?

    /// The scale of the update, α / r.
    public var scaling: Double { alpha / Double(rank) }

    init(inFeatures: Int, outFeatures: Int, rank: Int, alpha: Double, dropout: Double, dtype: DType, generator: RandomGenerator?) {
        ensure(rank >= 1 && rank <= 65_536, "LowRankAdapter: rank must be 1 to 65536, got \(rank)")
        ensure(alpha > 0 && alpha.isFinite, "LowRankAdapter: alpha must be positive, got \(alpha)")
        ensure(dropout >= 0 && dropout < 1, "LowRankAdapter: dropout must be in [0, 1), got \(dropout)")
        loraA = Linear(inFeatures, rank, bias: false, dtype: dtype, generator: generator)
        loraB = Linear(rank, outFeatures, bias: false, dtype: dtype, generator: generator)
        loraB.weight.value = Tensor.zeros([outFeatures, rank], dtype: dtype)
        self.rank = rank; self.alpha = alpha; self.dropout = dropout; self.generator = generator
        super.init()
    }

    /// The update `(α/r)·dropout(x)·Aᵀ·Bᵀ` (`[*, in]` → `[*, out]`).
    public override func forward(_ x: Tensor) -> Tensor {
        loraB(loraA(Neural.dropout(x, p: dropout, training: isTraining, generator: generator))) * scaling
    }

    /// `(α/r)·B·A` `[out, in]`, the weight update this adapter stands for.
    public var delta: Tensor { GradMode.withoutGrad { loraB.weight.value.matmul(loraA.weight.value) * scaling } }

    public override var extraDescription: String { "r=\(rank), alpha=\(alpha)" + (dropout > 0 ? ", dropout=\(dropout)" : "") + (isMerged ? ", merged" : "") }
}

extension Linear {
    /// Attaches a fresh LoRA adapter (replacing any) and freezes the layer's weight and bias, so
    /// only the adapter trains.
    @discardableResult
    public func attachAdapter(rank: Int, alpha: Double, dropout: Double = 0, generator: RandomGenerator? = nil) -> LowRankAdapter {
        let a = LowRankAdapter(inFeatures: inFeatures, outFeatures: outFeatures, rank: rank, alpha: alpha, dropout: dropout,
                               dtype: weight.value.dtype, generator: generator)
        adapter = a
        weight.requiresGrad = false
        bias?.requiresGrad = false
        return a
    }

    /// Folds the adapter's update into the weight (no-op without an adapter or when merged).
    public func mergeAdapter() {
        guard let a = adapter, !a.isMerged else { return }
        weight.value = GradMode.withoutGrad { weight.value + a.delta.to(weight.value.dtype) }
        a.isMerged = true
    }

    /// Takes a merged adapter's update out of the weight again.
    public func unmergeAdapter() {
        guard let a = adapter, a.isMerged else { return }
        weight.value = GradMode.withoutGrad { weight.value - a.delta.to(weight.value.dtype) }
        a.isMerged = false
    }
}

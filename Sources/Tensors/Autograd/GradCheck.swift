/// Finite-difference gradient checking (PyTorch's `gradcheck`).
///
/// For a function `f` of several tensors, compares the autograd gradient of
/// `L = Σ f(x) ⊙ w` (w fixed, random) with the central difference `(L(x+h) − L(x−h)) / 2h`
/// for every input element. Use float64 inputs: float32 has too few digits for differences.
public enum GradCheck {
    /// The outcome of a check: the largest absolute and relative discrepancies found.
    public struct Result: CustomStringConvertible, Sendable {
        /// Largest |analytic − numeric| over all input elements (+∞ where either is NaN).
        public var maxAbsoluteError: Double
        /// Largest |analytic − numeric| / max(1, |numeric|).
        public var maxRelativeError: Double
        /// Whether every element was within tolerance.
        public var passed: Bool
        public var description: String {
            "gradcheck \(passed ? "passed" : "FAILED"): max abs error \(maxAbsoluteError), max rel error \(maxRelativeError)"
        }
    }

    /// Checks `f`'s gradients at `inputs` (each must be floating point; they are made leaves).
    /// An element passes when |analytic − numeric| ≤ `atol` + `rtol`·|numeric|.
    public static func check(_ inputs: [Tensor], eps: Double = 1e-6, atol: Double = 1e-6, rtol: Double = 1e-4,
                             seed: UInt64 = 0, _ f: ([Tensor]) -> Tensor) -> Result {
        let leaves = inputs.map { $0.detached().contiguous().copied().requiringGrad() }
        let probe = GradMode.withoutGrad { f(leaves.map { $0.detached() }) }
        let weights = Tensor.uniform(probe.shape, low: -1, high: 1, dtype: .float64, seed: seed).to(probe.dtype)
        let loss = (f(leaves) * weights).sum()
        loss.backward()
        var maxAbs = 0.0, maxRel = 0.0, ok = true
        for (k, x) in leaves.enumerated() {
            let analytic = (x.grad ?? Tensor.zeros(like: x)).to(.float64).scalars
            let base = x.detached().to(.float64).scalars
            for i in 0..<base.count {
                func lossAt(_ v: Double) -> Double {
                    var values = base
                    values[i] = v
                    var args = leaves.map { $0.detached() }
                    args[k] = Tensor(values, shape: x.shape).to(x.dtype)
                    return GradMode.withoutGrad { (f(args) * weights).sum().item() }
                }
                let numeric = (lossAt(base[i] + eps) - lossAt(base[i] - eps)) / (2 * eps)
                // NaN counts as an infinite error (Swift.max would drop it and report a pass-looking figure).
                let diff = Swift.abs(analytic[i] - numeric), err = diff.isNaN ? Double.infinity : diff
                maxAbs = Swift.max(maxAbs, err)
                maxRel = Swift.max(maxRel, err / Swift.max(1, Swift.abs(numeric)))
                if !(err <= atol + rtol * Swift.abs(numeric)) { ok = false }
            }
        }
        return Result(maxAbsoluteError: maxAbs, maxRelativeError: maxRel, passed: ok)
    }
}

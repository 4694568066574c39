import SwiftLearnCore
// Random tensors. Every function takes an optional generator (the shared default when nil);
// `seed:` forms create a fresh generator, so a seed always gives the same tensor.

extension Tensor {
    /// Reseeds the process-wide default generator (PyTorch's `torch.manual_seed`).
    public static func manualSeed(_ seed: UInt64) { RandomGenerator.default.reseed(seed) }

    private static func gen(_ g: RandomGenerator?, _ seed: UInt64?) -> RandomGenerator {
        if let seed { return RandomGenerator(seed: seed) }
        return g ?? .default
    }

    private static func fromDoubles(_ shape: [Int], dtype: DType, _ draw: (RandomGenerator) -> Double, _ g: RandomGenerator) -> Tensor {
        let n = checkedCount(shape)
        let values: [Double] = g.withLock { g in (0..<n).map { _ in draw(g) } }
        return Tensor(values, shape: shape).to(dtype)
    }

    /// Uniform samples in `[low, high)`.
    public static func uniform(_ shape: [Int], low: Double = 0, high: Double = 1, dtype: DType = .float32,
                               generator: RandomGenerator? = nil, seed: UInt64? = nil) -> Tensor {
        ensure(low <= high, "uniform: low \(low) must not exceed high \(high)")
        ensure(dtype.isFloatingPoint, "uniform: dtype must be floating point, got \(dtype)")
        let g = gen(generator, seed)
        if dtype == .float32 {
            let n = checkedCount(shape)
            let lo = Float(low), span = Float(high - low)
            let v: [Float] = g.withLock { g in (0..<n).map { _ in lo + span * g.nextFloat() } }
            return Tensor(v, shape: shape)
        }
        return fromDoubles(shape, dtype: dtype, { low + (high - low) * $0.nextDouble() }, g)
    }

    /// Uniform samples in `[0, 1)` (PyTorch's `rand`).
    public static func rand(_ shape: [Int], dtype: DType = .float32, generator: RandomGenerator? = nil, seed: UInt64? = nil) -> Tensor {
        uniform(shape, dtype: dtype, generator: generator, seed: seed)
    }

    /// Normal samples with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Double = 0, std: Double = 1, dtype: DType = .float32,
                              generator: RandomGenerator? = nil, seed: UInt64? = nil) -> Tensor {
        ensure(std >= 0, "normal: std must be non-negative, got \(std)")
        ensure(dtype.isFloatingPoint, "normal: dtype must be floating point, got \(dtype)")
        return fromDoubles(shape, dtype: dtype, { mean + std * $0.nextNormal() }, gen(generator, seed))
    }

    /// Standard normal samples (PyTorch's `randn`).
    public static func randn(_ shape: [Int], dtype: DType = .float32, generator: RandomGenerator? = nil, seed: UInt64? = nil) -> Tensor {
        normal(shape, dtype: dtype, generator: generator, seed: seed)
    }

    /// Uniform integers in `[low, high)` (int64 unless `dtype` says otherwise).
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], dtype: DType = .int64,
                               generator: RandomGenerator? = nil, seed: UInt64? = nil) -> Tensor {
        ensure(low < high, "randint: empty range [\(low), \(high))")
        let span = UInt64(bitPattern: Int64(high) &- Int64(low))
        let n = checkedCount(shape)
        let v: [Int64] = gen(generator, seed).withLock { g in (0..<n).map { _ in Int64(low) &+ Int64(bitPattern: g.nextInt(below: span)) } }
        return Tensor(v, shape: shape).to(dtype)
    }

    /// A random permutation of `0..<n` (int64), by Fisher–Yates.
    public static func permutation(_ n: Int, generator: RandomGenerator? = nil, seed: UInt64? = nil) -> Tensor {
        ensure(n >= 0, "permutation: n must be non-negative, got \(n)")
        var v = (0..<n).map(Int64.init)
        gen(generator, seed).withLock { g in
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = Int(g.nextInt(below: UInt64(i + 1)))
                v.swapAt(i, j)
            }
        }
        return Tensor(v)
    }

    /// 1 with probability `p` (elementwise, `p` broadcast to its own shape), else 0, in `p`'s
    /// float dtype.
    public static func bernoulli(_ p: Tensor, generator: RandomGenerator? = nil, seed: UInt64? = nil) -> Tensor {
        let probs = p.to(.float64).contiguous().scalars
        ensure(probs.allSatisfy { $0 >= 0 && $0 <= 1 }, "bernoulli: probabilities must lie in [0, 1]")
        let v: [Double] = gen(generator, seed).withLock { g in probs.map { g.nextDouble() < $0 ? 1 : 0 } }
        return Tensor(v, shape: p.shape).to(p.dtype.isFloatingPoint ? p.dtype.computeType : .float32)
    }

    /// 1 with probability `p`, else 0, in a tensor of `shape`.
    public static func bernoulli(_ shape: [Int], p: Double, dtype: DType = .float32,
                                 generator: RandomGenerator? = nil, seed: UInt64? = nil) -> Tensor {
        ensure(p >= 0 && p <= 1, "bernoulli: probability must lie in [0, 1], got \(p)")
        return fromDoubles(shape, dtype: dtype, { $0.nextDouble() < p ? 1 : 0 }, gen(generator, seed))
    }

    /// Samples category indices from unnormalized non-negative weights (PyTorch's `multinomial`).
    /// `weights` is `[n]` or `[batch, n]`; the result is `[numSamples]` or `[batch, numSamples]`.
    public static func multinomial(_ weights: Tensor, numSamples: Int, replacement: Bool = false,
                                   generator: RandomGenerator? = nil, seed: UInt64? = nil) -> Tensor {
        ensure(weights.rank == 1 || weights.rank == 2, "multinomial: weights must be 1-D or 2-D, got shape \(weights.shape)")
        let rows = weights.rank == 1 ? 1 : weights.shape[0], n = weights.shape.last!
        let w = weights.to(.float64).contiguous().scalars
        ensure(w.allSatisfy { $0 >= 0 && $0.isFinite }, "multinomial: weights must be finite and non-negative")
        ensure(numSamples >= 0, "multinomial: numSamples must be non-negative")
        var out: [Int64] = []
        out.reserveCapacity(rows * numSamples)
        gen(generator, seed).withLock { g in
            for r in 0..<rows {
                var row = Array(w[(r * n)..<((r + 1) * n)])
                let positive = row.filter { $0 > 0 }.count
                ensure(positive > 0, "multinomial: row \(r) has no positive weight")
                ensure(replacement || numSamples <= positive,
                             "multinomial: cannot draw \(numSamples) samples without replacement from \(positive) categories")
                for _ in 0..<numSamples {
                    let total = row.reduce(0, +)
                    let u = g.nextDouble() * total
                    var acc = 0.0, pick = n - 1
                    for (i, v) in row.enumerated() where v > 0 {
                        acc += v
                        if u < acc { pick = i; break }
                        pick = i
                    }
                    out.append(Int64(pick))
                    if !replacement { row[pick] = 0 }
                }
            }
        }
        return Tensor(out, shape: weights.rank == 1 ? [numSamples] : [rows, numSamples])
    }
}

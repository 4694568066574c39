import Foundation
import Testing
import Tensors
import Neural

/// Statistical checks of the initialisers: sample moments against the distribution's, within
/// several standard errors (n ≥ 60,000 draws), and orthogonality to 1e-5.
@Suite struct OptimInitTests {
    static func moments(_ t: Tensor) -> (mean: Double, variance: Double, maxAbs: Double) {
        let v = t.scalars
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)
        return (mean, variance, v.map(Swift.abs).max()!)
    }

    /// Checks mean ≈ 0 and variance ≈ `variance` for n samples (4 standard errors).
    static func expectZeroMean(_ t: Tensor, variance: Double, _ what: String) {
        let (m, v, _) = moments(t)
        let n = Double(t.count)
        #expect(Swift.abs(m) < 4 * (variance / n).squareRoot(), "\(what): mean \(m)")
        // Var of the sample variance ≈ 2σ⁴/n (normal) and 0.8σ⁴/n (uniform): 4 standard errors of the normal case.
        #expect(Swift.abs(v - variance) < 4 * variance * (2 / n).squareRoot(), "\(what): variance \(v) vs \(variance)")
    }

    @Test func gainsAndFansFollowPyTorch() {
        #expect(Initializer.Nonlinearity.tanh.gain == 5.0 / 3)
        #expect(Initializer.Nonlinearity.relu.gain == 2.0.squareRoot())
        #expect(Swift.abs(Initializer.Nonlinearity.leakyReLU(negativeSlope: 0.2).gain - (2 / 1.04).squareRoot()) < 1e-15)
        #expect(Initializer.Nonlinearity.selu.gain == 0.75 && Initializer.Nonlinearity.sigmoid.gain == 1)
        let f = Initializer.fans([64, 32, 3, 3])
        #expect(f.fanIn == 32 * 9 && f.fanOut == 64 * 9)
    }

    @Test func xavierAndKaimingHaveTheirVariances() {
        let g = RandomGenerator(seed: 1)
        let shape = [300, 200]   // fanIn 200, fanOut 300
        let xu = Initializer.xavierUniform(shape, gain: 2, generator: g)
        let a = 2 * (6.0 / 500).squareRoot()
        #expect(Self.moments(xu).maxAbs <= a)
        Self.expectZeroMean(xu, variance: a * a / 3, "xavierUniform")
        Self.expectZeroMean(Initializer.xavierNormal(shape, generator: g), variance: 2.0 / 500, "xavierNormal")
        let ku = Initializer.kaimingUniform(shape, nonlinearity: .relu, generator: g)
        let b = 2.0.squareRoot() * (3.0 / 200).squareRoot()
        #expect(Self.moments(ku).maxAbs <= b)
        Self.expectZeroMean(ku, variance: b * b / 3, "kaimingUniform")
        Self.expectZeroMean(Initializer.kaimingNormal(shape, nonlinearity: .relu, mode: .fanOut, generator: g),
                            variance: 2.0 / 300, "kaimingNormal fanOut")
        let conv = Initializer.kaimingNormal([64, 16, 5, 5], nonlinearity: .leakyReLU(negativeSlope: 0.1), dtype: .float64, generator: g)
        #expect(conv.dtype == .float64)
        Self.expectZeroMean(conv, variance: 2 / 1.01 / 400, "kaimingNormal conv")
    }

    @Test func orthogonalIsOrthogonal() {
        let g = RandomGenerator(seed: 2)
        for shape in [[40, 40], [20, 50], [50, 20], [8, 4, 3, 3]] {
            let q = Initializer.orthogonal(shape, gain: 1.5, dtype: .float64, generator: g)
            #expect(q.shape == shape)
            let m = q.reshaped([shape[0], -1])
            let rows = m.shape[0], cols = m.shape[1]
            let gram = rows <= cols ? m.matmul(m.transposed()) : m.transposed().matmul(m)
            let k = Swift.min(rows, cols)
            let expected = Tensor.eye(k, dtype: .float64) * 2.25
            let err = (gram - expected).abs().max().item()
            #expect(err < 1e-10, "orthogonal \(shape): max |QᵀQ − g²I| = \(err)")
        }
        // Seeded: the same generator seed gives the same matrix.
        let a = Initializer.orthogonal([6, 6], generator: RandomGenerator(seed: 7))
        let b = Initializer.orthogonal([6, 6], generator: RandomGenerator(seed: 7))
        #expect(a.scalars == b.scalars)
    }

    @Test func parameterFormsReplaceValuesInPlaceOfTorchsUnderscoreFunctions() {
        let p = Parameter(Tensor.zeros([100, 600]))
        Initializer.uniform(p, low: -2, high: 3, generator: RandomGenerator(seed: 3))
        let (m, v, _) = Self.moments(p.value)
        #expect(Swift.abs(m - 0.5) < 0.03 && Swift.abs(v - 25.0 / 12) < 0.05)
        #expect(p.value.scalars.allSatisfy { $0 >= -2 && $0 < 3 })
        Initializer.normal(p, mean: 1, std: 0.5, generator: RandomGenerator(seed: 4))
        let (m2, v2, _) = Self.moments(p.value)
        #expect(Swift.abs(m2 - 1) < 0.01 && Swift.abs(v2 - 0.25) < 0.005)
        Initializer.constant(p, 0.25)
        #expect(p.value.scalars.allSatisfy { $0 == 0.25 })
        Initializer.ones(p)
        #expect(p.value.sum().item() == 60000)
        Initializer.zeros(p)
        #expect(p.value.abs().sum().item() == 0)
        #expect(p.requiresGrad && p.value.requiresGrad)
        Initializer.xavierUniform(p, generator: RandomGenerator(seed: 5))
        #expect(p.value.shape == [100, 600] && p.value.dtype == .float32)
    }
}

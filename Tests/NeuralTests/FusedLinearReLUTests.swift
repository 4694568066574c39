import Foundation
import Testing
import Tensors
import Neural

/// `Sequential` runs `Linear` + `ReLU` as one fused node; it must give exactly what the two
/// layers give one after the other, forward and backward, and polyakUpdate / Adam's C kernel
/// must match their definitions.
@Suite struct FusedLinearReLUTests {
    @Test(arguments: [DType.float32, .float64])
    func fusedEqualsLayerByLayer(_ dtype: DType) throws {
        let g = RandomGenerator(seed: 3)
        let net = Sequential(Linear(5, 7, generator: g), ReLU(), Linear(7, 3, generator: g), ReLU(), Linear(3, 2, bias: false, generator: g)).to(dtype)
        let x0 = Tensor.normal([4, 5], dtype: dtype, generator: g)
        // Fused path.
        let xa = x0.requiringGrad()
        let ya = net(xa)
        (ya * ya).sum().backward()
        let gradsA = net.parameters().map { $0.grad!.toArray(as: Double.self) }, dxA = xa.grad!.toArray(as: Double.self)
        net.zeroGrad()
        // Layer by layer.
        let xb = x0.requiringGrad()
        var h = xb
        for layer in net.layers { h = layer(h) }
        (h * h).sum().backward()
        let gradsB = net.parameters().map { $0.grad!.toArray(as: Double.self) }, dxB = xb.grad!.toArray(as: Double.self)
        #expect(ya.toArray(as: Double.self) == h.toArray(as: Double.self))
        #expect(gradsA == gradsB && dxA == dxB)
        #expect(ya.toArray(as: Double.self).contains { $0 != 0 })
    }

    @Test func wrongInputWidthStillFailsInTheLinearLayer() {
        // The fused path only runs when the width fits; otherwise Linear's own check reports it.
        let net = Sequential(Linear(3, 2), ReLU())
        let y = net(Tensor.zeros([1, 3]))
        #expect(y.shape == [1, 2])
    }

    @Test func polyakUpdateIsALerp() {
        let s = Parameter(Tensor([1.0, 2, 3] as [Float])), t = Parameter(Tensor([0.0, 0, 10] as [Float]), requiresGrad: false)
        polyakUpdate(target: [t], source: [s], tau: 0.25)
        #expect(t.value.toArray(as: Float.self) == [0.25, 0.5, 8.25])
        polyakUpdate(target: [t], source: [s], tau: 1)
        #expect(t.value.toArray(as: Float.self) == [1, 2, 3])
    }

    /// Adam's vectorised kernel against the textbook update, several steps.
    @Test func adamKernelMatchesTheDefinition() {
        let p = Parameter(Tensor([0.5, -1.5, 2.0, 0.0] as [Float]))
        let opt = Adam([p], learningRate: 0.1, betas: (0.9, 0.999), epsilon: 1e-8)
        var theta: [Double] = [0.5, -1.5, 2.0, 0.0], m = [Double](repeating: 0, count: 4), v = m
        for step in 1...5 {
            opt.zeroGrad()
            (p.value * p.value * p.value).sum().backward()   // g = 3θ²
            opt.step()
            for i in 0..<4 {
                let g = 3 * theta[i] * theta[i]
                m[i] = 0.9 * m[i] + 0.1 * g; v[i] = 0.999 * v[i] + 0.001 * g * g
                let mh = m[i] / (1 - pow(0.9, Double(step))), vh = v[i] / (1 - pow(0.999, Double(step)))
                theta[i] -= 0.1 * mh / (vh.squareRoot() + 1e-8)
            }
        }
        for (a, b) in zip(p.value.toArray(as: Float.self), theta) { #expect(abs(Double(a) - b) < 1e-5, "\(a) vs \(b)") }
    }
}

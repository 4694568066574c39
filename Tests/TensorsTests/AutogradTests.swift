import Testing
import Tensors

/// A float64 input in (lo, hi) with a fixed seed.
private func input(_ shape: [Int], _ seed: UInt64, lo: Double = -1.5, hi: Double = 1.5) -> Tensor {
    Tensor.uniform(shape, low: lo, high: hi, dtype: .float64, seed: seed)
}

private func expectGradients(_ name: String, _ inputs: [Tensor], atol: Double = 1e-6, _ f: @escaping ([Tensor]) -> Tensor) {
    let r = GradCheck.check(inputs, atol: atol, f)
    #expect(r.passed, "\(name): \(r)")
}

/// Every differentiable op, checked against float64 central finite differences.
@Suite("Gradient checks")
struct GradientCheckTests {
    static let unary: [(String, (Tensor) -> Tensor, Double, Double)] = [
        ("exp", { $0.exp() }, -1.5, 1.5), ("log", { $0.log() }, 0.2, 2), ("log1p", { $0.log1p() }, -0.5, 2),
        ("expm1", { $0.expm1() }, -1.5, 1.5), ("sqrt", { $0.sqrt() }, 0.2, 2), ("rsqrt", { $0.rsqrt() }, 0.2, 2),
        ("sin", { $0.sin() }, -1.5, 1.5), ("cos", { $0.cos() }, -1.5, 1.5), ("tan", { $0.tan() }, -1, 1),
        ("tanh", { $0.tanh() }, -1.5, 1.5), ("sigmoid", { $0.sigmoid() }, -3, 3), ("softplus", { $0.softplus() }, -3, 3),
        ("erf", { $0.erf() }, -1.5, 1.5), ("gelu", { $0.gelu() }, -2, 2), ("geluTanh", { $0.gelu(approximateTanh: true) }, -2, 2),
        ("silu", { $0.silu() }, -2, 2), ("reciprocal", { $0.reciprocal() }, 0.3, 2), ("neg", { -$0 }, -1, 1),
        ("abs", { $0.abs() }, 0.1, 1), ("relu", { $0.relu() }, 0.1, 1), ("square", { $0.square() }, -1, 1),
        ("clamp", { $0.clamp(min: -0.5, max: 0.5) }, -0.45, 0.45), ("powScalar", { $0 ** 3 }, -1, 1),
    ]

    @Test("unary ops", arguments: 0..<unary.count)
    func unaryOp(_ i: Int) {
        let (name, f, lo, hi) = Self.unary[i]
        expectGradients(name, [input([2, 3], UInt64(i), lo: lo, hi: hi)]) { f($0[0]) }
    }

    /// dtype conversion passes the gradient through, converted back (finite differences cannot
    /// see through float32 rounding, so this one is checked exactly).
    @Test func conversionPassesGradientsThrough() {
        let x = Tensor([1.0, -2.0, 3.0]).requiringGrad()
        (x.to(.float32) * Tensor([1, 2, 3] as [Float])).sum().backward()
        #expect(x.grad!.dtype == .float64 && x.grad!.scalars == [1, 2, 3])
    }

    @Test func binaryOpsWithBroadcasting() {
        let a = input([2, 3], 1), b = input([3], 2, lo: 0.5, hi: 1.5), c = input([2, 1], 3, lo: 0.5, hi: 2)
        expectGradients("add", [a, b]) { $0[0] + $0[1] }
        expectGradients("sub", [a, b]) { $0[0] - $0[1] }
        expectGradients("mul", [a, c]) { $0[0] * $0[1] }
        expectGradients("div", [a, b]) { $0[0] / $0[1] }
        expectGradients("pow", [c, a]) { $0[0] ** $0[1] }
        expectGradients("maximum", [a, input([2, 3], 4)]) { maximum($0[0], $0[1]) }
        expectGradients("minimum", [a, input([2, 3], 5)]) { minimum($0[0], $0[1]) }
        expectGradients("atan2", [a, b]) { Tensor.atan2($0[0], $0[1]) }
        expectGradients("remainder", [input([4], 6, lo: 0.1, hi: 0.9) * 5, Tensor([1.3, 1.7, 2.1, 2.9])]) { Tensor.remainder($0[0], $0[1]) }
        expectGradients("scalar ops", [a]) { 2 * $0[0] - 1 + $0[0] / 3 }
        let cond = Tensor([true, false, true])
        expectGradients("where", [a, b]) { Tensor.where(cond, $0[0], $0[1]) }
    }

    @Test func reductions() {
        let x = input([3, 4, 2], 7)
        for axes in [nil, [0], [1], [0, 2], [-1]] as [[Int]?] {
            for keep in [false, true] {
                expectGradients("sum \(String(describing: axes))", [x]) { $0[0].sum(axes: axes, keepDims: keep) }
                expectGradients("mean", [x]) { $0[0].mean(axes: axes, keepDims: keep) }
                expectGradients("variance", [x]) { $0[0].variance(axes: axes, correction: 1, keepDims: keep) }
                expectGradients("std", [x]) { $0[0].std(axes: axes, keepDims: keep) }
                expectGradients("prod", [x]) { $0[0].prod(axes: axes, keepDims: keep) }
                expectGradients("max", [x]) { $0[0].max(axes: axes, keepDims: keep) }
                expectGradients("min", [x]) { $0[0].min(axes: axes, keepDims: keep) }
                expectGradients("logsumexp", [x]) { $0[0].logsumexp(axes: axes, keepDims: keep) }
            }
        }
        expectGradients("prod with a zero", [Tensor([2.0, 0.0, 3.0, 0.5], shape: [2, 2])]) { $0[0].prod(axes: [1]) }
        for axis in [0, 1, -1] {
            expectGradients("softmax \(axis)", [x]) { $0[0].softmax(axis: axis) }
            expectGradients("logSoftmax \(axis)", [x]) { $0[0].logSoftmax(axis: axis) }
            expectGradients("cumsum \(axis)", [x]) { $0[0].cumsum(axis: axis) }
            expectGradients("cumprod \(axis)", [input([3, 4, 2], 8, lo: 0.5, hi: 1.5)]) { $0[0].cumprod(axis: axis) }
        }
    }

    @Test func viewsAndIndexing() {
        let x = input([2, 3, 4], 9)
        expectGradients("reshape", [x]) { $0[0].reshaped([4, -1]) }
        expectGradients("reshape of a transposed view (copy)", [x]) { $0[0].transposed(0, 2).reshaped([-1]) }
        expectGradients("permute", [x]) { $0[0].permuted([2, 0, 1]) }
        expectGradients("transpose", [x]) { $0[0].transposed() }
        expectGradients("unsqueeze/squeeze", [x]) { $0[0].unsqueezed(1).squeezed() * 2 }
        expectGradients("expand", [input([3, 1], 10)]) { $0[0].expanded(to: [2, 3, 4]) }
        expectGradients("flatten", [x]) { $0[0].flattened(from: 1) }
        expectGradients("slicing", [x]) { $0[0][0..<2, TensorIndex.stride(by: -2), 1...] }
        expectGradients("index + newAxis", [x]) { $0[0][1, .newAxis, .ellipsis] }
        expectGradients("flip", [x]) { $0[0].flipped(axes: [0, 2]) }
        let idx = Tensor([0, 2, 2, 1, 0, 0] as [Int64], shape: [2, 1, 3])
        expectGradients("gather", [x]) { $0[0].gather(axis: 1, index: idx) }
        expectGradients("scatter", [x, input([2, 1, 3], 11)]) { $0[0].scattering(axis: 1, index: Tensor([0, 2, 1, 1, 0, 2] as [Int64], shape: [2, 1, 3]), source: $0[1]) }
        expectGradients("scatterAdd", [x, input([2, 1, 3], 12)]) { $0[0].scatterAdding(axis: 1, index: idx, source: $0[1]) }
        expectGradients("indexSelect", [x]) { $0[0].indexSelect(axis: 2, indices: Tensor([3, 0, 3] as [Int64])) }
        expectGradients("masked", [x]) { $0[0].masked(Tensor([[true, false, true], [false, false, true]])) }
        expectGradients("maskedFill", [x]) { $0[0].maskedFill($0[0].detached() .> 0, 0) }
        expectGradients("concat", [x, input([2, 1, 4], 13)]) { Tensor.concat([$0[0], $0[1]], axis: 1) }
        expectGradients("stack", [x, input([2, 3, 4], 14)]) { Tensor.stack([$0[0], $0[1]], axis: -1) }
        expectGradients("split", [x]) { x in let p = x[0].split(sizes: [1, 3], axis: 2); return p[1] * 2 + p[0] }
        expectGradients("chunk", [x]) { $0[0].chunked(2, axis: 2)[1] }
        for mode in [Tensor.PadMode.constant(1.5), .reflect, .replicate, .circular] {
            expectGradients("pad \(mode)", [x]) { $0[0].padded([(0, 1), (2, 1), (1, 2)], mode: mode) }
        }
        expectGradients("tile", [input([2, 3], 15)]) { $0[0].tiled([2, 1, 2]) }
        expectGradients("repeat", [input([2, 3], 16)]) { $0[0].repeated(2, axis: 1) }
        expectGradients("sorted values", [x]) { $0[0].sorted(axis: 1).values }
        expectGradients("topk values", [x]) { $0[0].topk(2, axis: -1).values }
        expectGradients("tril/triu", [input([3, 3], 17)]) { $0[0].tril() + $0[0].triu(1) * 2 }
    }

    @Test func products() {
        expectGradients("matmul 2-D", [input([3, 4], 20), input([4, 5], 21)]) { $0[0].matmul($0[1]) }
        expectGradients("matmul batched broadcast", [input([2, 1, 3, 4], 22), input([5, 4, 2], 23)]) { $0[0].matmul($0[1]) }
        expectGradients("matmul transposed views", [input([4, 3], 24), input([5, 4], 25)]) { $0[0].transposed().matmul($0[1].transposed()) }
        expectGradients("matmul vector", [input([3, 4], 26), input([4], 27)]) { $0[0].matmul($0[1]) }
        expectGradients("matmul vector left", [input([4], 28), input([4, 2], 29)]) { $0[0].matmul($0[1]) }
        expectGradients("dot", [input([5], 30), input([5], 31)]) { $0[0].dot($0[1]) }
        expectGradients("outer", [input([3], 32), input([4], 33)]) { $0[0].outer($0[1]) }
        expectGradients("einsum", [input([2, 3, 4], 34), input([2, 4, 5], 35)]) { Tensor.einsum("bij,bjk->bki", $0[0], $0[1]) }
        expectGradients("einsum sum", [input([2, 3, 4], 36)]) { Tensor.einsum("bij->j", $0[0]) }
        expectGradients("einsum trace", [input([3, 3], 37)]) { Tensor.einsum("ii", $0[0]) }
        expectGradients("einsum chain", [input([2, 3], 38), input([3, 4], 39), input([4, 2], 59)]) { Tensor.einsum("ij,jk,kl->il", $0) }
        expectGradients("diagonal", [input([3, 4, 5], 60)]) { $0[0].diagonal(axis1: 0, axis2: 2) }
    }

    @Test func linearAlgebra() throws {
        // Well-conditioned inputs: diagonal dominance, SPD via X Xᵀ + 3I, symmetric via X + Xᵀ.
        let a = input([3, 3], 40) + Tensor.eye(3, dtype: .float64) * 4
        let b = input([3, 2], 41)
        expectGradients("solve", [a, b]) { try! Linalg.solve($0[0], $0[1]) }
        expectGradients("solve vector", [a, input([3], 42)]) { try! Linalg.solve($0[0], $0[1]) }
        expectGradients("inverse", [a]) { try! Linalg.inverse($0[0]) }
        expectGradients("det", [a]) { try! Linalg.det($0[0]) }
        expectGradients("slogdet", [a]) { try! Linalg.slogdet($0[0]).logAbsDet }
        let spd: ([Tensor]) -> Tensor = { $0[0].matmul($0[0].transposed()) + Tensor.eye(3, dtype: .float64) * 3 }
        expectGradients("cholesky", [input([3, 3], 43)]) { try! Linalg.cholesky(spd($0)) }
        expectGradients("eigh values", [input([3, 3], 44)]) { try! Linalg.eigh($0[0] + $0[0].transposed()).eigenvalues }
        // Eigenvectors are defined up to sign: check a sign-invariant function of them.
        expectGradients("eigh vectors", [input([3, 3], 45)]) { x in
            let v = try! Linalg.eigh(x[0] + x[0].transposed()).eigenvectors
            return v * v
        }
        expectGradients("svd values", [input([4, 3], 46)]) { try! Linalg.svd($0[0]).s }
        // Singular vectors are defined up to sign: check sign-invariant functions of them.
        expectGradients("svd U", [input([4, 3], 51)]) { let u = try! Linalg.svd($0[0]).u; return u * u }
        expectGradients("svd Vt", [input([3, 4], 52)]) { let vt = try! Linalg.svd($0[0]).vt; return vt * vt }
        expectGradients("svd reconstruct", [input([4, 3], 53)]) { x in
            let f = try! Linalg.svd(x[0])
            return (f.u * f.s.unsqueezed(-2)).matmul(f.vt) * 2
        }
        expectGradients("qr", [input([5, 3], 54)]) { x in
            let f = try! Linalg.qr(x[0])
            return f.q * 3 + f.r.sum(axis: 0, keepDims: true) * f.q
        }
        expectGradients("lstsq", [input([6, 3], 55), input([6, 2], 56)]) { try! Linalg.lstsq($0[0], $0[1]).solution }
        expectGradients("lstsq vector", [input([5, 2], 57), input([5], 58)]) { try! Linalg.lstsq($0[0], $0[1]).solution }
        expectGradients("vector norm", [input([5], 47)]) { Linalg.vectorNorm($0[0]) }
        expectGradients("vector 3-norm", [input([5], 48)]) { Linalg.vectorNorm($0[0], ord: 3) }
        expectGradients("frobenius", [input([3, 4], 49)]) { try! Linalg.matrixNorm($0[0]) }
        expectGradients("nuclear", [input([3, 4], 50)]) { try! Linalg.matrixNorm($0[0], ord: .nuclear) }
    }
}

@Suite("Autograd semantics")
struct AutogradSemanticsTests {
    @Test func gradientsAccumulateAcrossBackwardCalls() {
        let w = Tensor([1.0, 2.0, 3.0]).requiringGrad()
        (w * w).sum().backward()
        (w * 3).sum().backward()
        #expect(w.grad!.scalars == [5, 7, 9])
        w.zeroGrad()
        #expect(w.grad == nil)
    }

    @Test func sharedSubexpressionsSumTheirPaths() {
        let x = Tensor([2.0]).requiringGrad()
        let y = x * x
        let z = y + y * x   // z = x² + x³, dz/dx = 2x + 3x² = 16
        z.sum().backward()
        #expect(x.grad!.scalars == [16])
    }

    @Test func noGradScopeRecordsNothing() {
        let x = Tensor([1.0, 2.0]).requiringGrad()
        let y = GradMode.withoutGrad { x * 2 }
        #expect(!y.requiresGrad)
        #expect(GradMode.isEnabled)
    }

    @Test func detachCutsTheGraph() {
        let x = Tensor([3.0]).requiringGrad()
        let y = x.detached() * x   // d/dx = x (the detached factor is a constant)
        y.sum().backward()
        #expect(x.grad!.scalars == [3])
    }

    @Test func nonLeafGradientsOnlyWhenRetained() {
        let x = Tensor([1.0, -1.0]).requiringGrad()
        let h = x * 2
        h.retainGrad()
        let k = h * 3
        (k.sum()).backward()
        #expect(h.grad!.scalars == [3, 3])
        #expect(k.grad == nil)
        #expect(x.grad!.scalars == [6, 6])
        #expect(x.isLeaf && !h.isLeaf)
    }

    @Test func explicitGradientForNonScalarOutputs() {
        let x = Tensor([1.0, 2.0, 3.0]).requiringGrad()
        (x * x).backward(Tensor([1.0, 0.0, 2.0]))
        #expect(x.grad!.scalars == [2, 0, 12])
    }

    @Test func longChainsDoNotOverflowTheStack() {
        let x = Tensor([1.0]).requiringGrad()
        var y = x
        for _ in 0..<20000 { y = y * 1.0001 }
        y.sum().backward()
        #expect(Swift.abs(x.grad!.item() - 1.0001.pow(20000)) < 1e-9 * 1.0001.pow(20000))
    }

    @Test func float32GradientsKeepTheirDtype() {
        let w = Tensor.randn([4, 3], seed: 1).requiringGrad()
        let x = Tensor.randn([5, 4], seed: 2)
        x.matmul(w).relu().mean().backward()
        #expect(w.grad!.dtype == .float32 && w.grad!.shape == [4, 3])
    }
}

private extension Double {
    func pow(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * self } }
}

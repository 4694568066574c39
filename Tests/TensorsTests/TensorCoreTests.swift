import Foundation
import Testing
import Tensors
import TestSupport

@Suite("Tensor basics")
struct TensorBasicsTests {
    @Test func creationAndDtypes() {
        #expect(Tensor([1, 2, 3]).dtype == .int64)
        #expect(Tensor([1.5, 2] as [Float]).dtype == .float32)
        #expect(Tensor([[1.0, 2], [3, 4]]).shape == [2, 2])
        #expect(Tensor([[[1, 2]], [[3, 4]]] as [[[Int32]]]).shape == [2, 1, 2])
        #expect(Tensor(scalar: 3.5).shape == [])
        #expect(Tensor.zeros([2, 3]).scalars == [0, 0, 0, 0, 0, 0])
        #expect(Tensor.full([2], 7, dtype: .int32).toArray(as: Int32.self) == [7, 7])
        #expect(Tensor.arange(5).toArray(as: Int.self) == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(5, 0, step: -2).toArray(as: Int.self) == [5, 3, 1])
        #expect(Tensor.eye(2).scalars == [1, 0, 0, 1])
        #expect(Tensor.linspace(0, 1, count: 5).scalars == [0, 0.25, 0.5, 0.75, 1])
    }

    @Test func halfAndBFloat16StorageRoundTrip() {
        let values: [Float] = [0, 1, -2.5, 65504, 6.1035156e-05, 5.9604645e-08, .infinity, 1e-9, 3.14159]
        let h = Tensor(values).to(.float16)
        #expect(h.dtype == .float16)
        #expect(h.to(.float32).toArray(as: Float.self) == [0, 1, -2.5, 65504, 6.1035156e-05, 5.9604645e-08, .infinity, 0, 3.140625])
        let b = Tensor(values).to(.bfloat16).to(.float32).toArray(as: Float.self)
        #expect(b[2] == -2.5 && b[8] == 3.140625 && b[6] == .infinity)
        #expect(floatToHalfBits(65520) == 0x7C00)  // rounds to infinity, as IEEE and NumPy do
        #expect(halfBitsToFloat(0x3C00) == 1)
        #expect(Tensor([Float.nan]).to(.float16).to(.float32).isNaN().toArray(as: Bool.self) == [true])
    }

    @Test func numpyTypePromotion() {
        #expect(DType.promote(.int32, .float32) == .float64)
        #expect(DType.promote(.int64, .float32) == .float64)
        #expect(DType.promote(.bool, .int32) == .int32)
        #expect(DType.promote(.float16, .float32) == .float32)
        // Swift numbers are "weak" like Python scalars: they do not widen a float32 tensor.
        #expect((Tensor([1, 2] as [Float]) * 2.5).dtype == .float32)
        #expect((Tensor([1, 2]) * 2).dtype == .int64)
        #expect((Tensor([1, 2]) * 2.5).dtype == .float64)
        #expect((Tensor([1, 2]) / Tensor([2, 2])).dtype == .float64)
        #expect(Tensor([1, 2, 3] as [Int32]).mean().dtype == .float64)
        #expect(Tensor([true, true]).sum().dtype == .int64)
    }

    @Test func viewsShareStorageWithoutCopying() {
        let x = Tensor.arange(0, 24, step: 1).reshaped([2, 3, 4])
        for v in [x.reshaped([6, 4]), x.transposed(), x.permuted([2, 0, 1]), x.unsqueezed(0), x[1, 0..<2],
                  x[.ellipsis, TensorIndex.stride(by: -1)], x.expanded(to: [5, 2, 3, 4]), x.flipped(axes: [1])] {
            #expect(v.storage === x.storage)
        }
        // A reshape that strides cannot express copies, as NumPy's does.
        let t = x.transposed()
        #expect(t.reshaped([-1]).storage !== x.storage)
        #expect(t.reshaped([-1]).toArray(as: Int.self) == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23])
    }

    @Test func copyOnWriteKeepsValueSemantics() {
        let a = Tensor([1.0, 2, 3, 4], shape: [2, 2])
        var b = a
        b[0, 0] = Tensor(9.0, dtype: .float64)
        #expect(a.scalars == [1, 2, 3, 4])
        #expect(b.scalars == [9, 2, 3, 4])
        var row = a[1]
        row.fill(0)
        #expect(a.scalars == [1, 2, 3, 4] && row.scalars == [0, 0])
    }

    @Test func sliceAssignmentBroadcasts() {
        var x = Tensor.zeros([3, 4], dtype: .int32)
        x[.all, 1..<3] = Tensor([5, 6] as [Int32])
        x.assign(-1, at: [.index(-1), .all])
        #expect(x.toArray(as: Int32.self) == [0, 5, 6, 0, 0, 5, 6, 0, -1, -1, -1, -1])
        x.setValue(42, at: [0, -1])
        #expect(x.value(at: [0, 3]) == 42)
    }

    @Test func pythonSliceSemantics() {
        let x = Tensor.arange(10)
        #expect(x[(-3)...].toArray(as: Int.self) == [7, 8, 9])
        #expect(x[..<(-7)].toArray(as: Int.self) == [0, 1, 2])
        #expect(x[TensorIndex.stride(from: 8, to: 1, by: -3)].toArray(as: Int.self) == [8, 5, 2])
        #expect(x[TensorIndex.stride(by: -1)].toArray(as: Int.self) == Array((0..<10).reversed()))
        #expect(x[20...].count == 0)
    }

    @Test func descriptionIsNumpyLike() {
        let x = Tensor([[1.0, 2.5], [-3, 4]])
        #expect(x.description == "Tensor([[ 1.0000,  2.5000],\n        [-3.0000,  4.0000]], dtype: float64)")
        #expect(Tensor([1, 2, 3]).description == "Tensor([1, 2, 3], dtype: int64)")
        #expect(Tensor([true, false]).description == "Tensor([ true, false], dtype: bool)")
        let big = Tensor.arange(0, 2000, step: 1).reshaped([40, 50])
        let text = big.description
        #expect(text.contains("...") && text.contains("shape: [40, 50]") && text.count < 600)
        #expect(Tensor.zeros([0, 3]).description == "Tensor([], shape: [0, 3], dtype: float32)")
    }

    @Test func integerArithmeticWrapsLikeNumpy() {
        let big = Tensor([Int32.max])
        #expect((big + Tensor([1] as [Int32])).toArray(as: Int32.self) == [Int32.min])
        #expect(Tensor.floorDivide(Tensor([5]), Tensor([0])).toArray(as: Int.self) == [0])
        #expect(Tensor([Double.nan, 3e19, -1.5]).to(.int64).toArray(as: Int64.self) == [Int64.min, Int64.min, -1])
    }
}

@Suite("Random")
struct RandomTests {
    @Test func sameSeedSameNumbersDifferentSeedDifferent() {
        #expect(Tensor.randn([100], seed: 7).scalars == Tensor.randn([100], seed: 7).scalars)
        #expect(Tensor.randn([100], seed: 7).scalars != Tensor.randn([100], seed: 8).scalars)
        // Reseeding restarts the stream. A private generator, not the process-wide default that
        // `Tensor.manualSeed` reseeds: other suites draw from the default concurrently.
        let g = RandomGenerator(seed: 1)
        g.reseed(3)
        let a = Tensor.rand([10], generator: g)
        #expect(Tensor.rand([10], generator: g).scalars != a.scalars)
        g.reseed(3)
        #expect(Tensor.rand([10], generator: g).scalars == a.scalars)
        #expect(Tensor.rand([10], generator: RandomGenerator(seed: 3)).scalars == a.scalars)
    }

    @Test func distributionsHaveTheRightMoments() {
        let n = Tensor.normal([200_000], mean: 2, std: 3, dtype: .float64, seed: 11)
        #expect(Swift.abs(n.mean().item() - 2) < 0.03)
        #expect(Swift.abs(n.std().item() - 3) < 0.03)
        let u = Tensor.uniform([200_000], low: -1, high: 3, dtype: .float64, seed: 12)
        #expect(Swift.abs(u.mean().item() - 1) < 0.02 && u.min().item() >= -1 && u.max().item() < 3)
        let b = Tensor.bernoulli([100_000], p: 0.3, seed: 13)
        #expect(Swift.abs(b.mean().item() - 0.3) < 0.01)
        let r = Tensor.randint(-3, 4, [70_000], seed: 14)
        let counts = (0..<7).map { k in (r .== Double(k - 3)).sum().item() }
        #expect(counts.allSatisfy { Swift.abs($0 - 10_000) < 500 })
    }

    @Test func permutationAndMultinomial() {
        let p = Tensor.permutation(50, seed: 5).toArray(as: Int.self)
        #expect(p.sorted() == Array(0..<50) && p != Array(0..<50))
        let draws = Tensor.multinomial(Tensor([1.0, 0, 3]), numSamples: 40_000, replacement: true, seed: 6)
        let ones = (draws .== 2).sum().item()
        #expect((draws .== 1).sum().item() == 0)
        #expect(Swift.abs(ones / 40_000 - 0.75) < 0.01)
        let noRep = Tensor.multinomial(Tensor([[1.0, 1, 1, 1]]), numSamples: 4, seed: 9).toArray(as: Int.self)
        #expect(noRep.sorted() == [0, 1, 2, 3])
    }
}

@Suite("Matmul backends")
struct MatmulBackendTests {
    /// Plain triple loop in float64: the reference the fast kernels are checked against.
    private func reference(_ a: Tensor, _ b: Tensor) -> [Double] {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        let x = a.scalars, y = b.scalars
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for p in 0..<k { for j in 0..<n { c[i * n + j] += x[i * k + p] * y[p * n + j] } } }
        return c
    }

    @Test(arguments: [MatmulBackend.native, .auto])
    func gemmMatchesReferenceOnAwkwardShapes(_ backend: MatmulBackend) {
        // withBackend: the two arguments run concurrently, so neither may set the global backend.
        BLAS.withBackend(backend) { checkAwkwardShapes(backend) }
    }

    private func checkAwkwardShapes(_ backend: MatmulBackend) {
        for (m, k, n) in [(1, 1, 1), (7, 13, 5), (33, 65, 17), (64, 64, 64), (129, 31, 257), (3, 300, 2)] {
            for dtype in [DType.float32, .float64] {
                let a = Tensor.randn([m, k], dtype: dtype, seed: UInt64(m * 7 + k))
                let b = Tensor.randn([k, n], dtype: dtype, seed: UInt64(n * 13 + k))
                let want = reference(a, b)
                let tol = dtype == .float32 ? 1e-4 * Double(k).squareRoot() : 1e-12 * Double(k)
                for (x, y, label) in [(a, b, "plain"), (a.transposed().contiguous().transposed(), b, "Aᵀ view"),
                                      (a, b.transposed().contiguous().transposed(), "Bᵀ view")] {
                    let got = x.matmul(y).scalars
                    let err = maxAbsoluteError(got, want)
                    #expect(err < tol, "\(backend) \(dtype) \(m)x\(k)x\(n) \(label): max error \(err)")
                }
            }
        }
    }

    /// Batched products of views with negative or zero batch strides (flip, expand) use the
    /// views directly and give the same values as contiguous copies.
    @Test func batchedProductsOfStridedViews() {
        let a = Tensor.randn([3, 4, 5], dtype: .float64, seed: 1), b = Tensor.randn([5, 2], dtype: .float64, seed: 2)
        let flipped = a.flipped(axes: [0])
        #expect(flipped.matmul(b).scalars == flipped.contiguous().matmul(b).scalars)
        let expanded = b.unsqueezed(0).expanded(to: [3, 5, 2])
        #expect(a.matmul(expanded).scalars == a.matmul(b).scalars)
    }

    @Test func environmentForcesNativeAndReportsTheLibrary() {
        if ProcessInfo.processInfo.environment["SWIFTLEARN_BLAS"] == "native" {
            #expect(BLAS.backend == .native)
        }
        if BLAS.isAvailable {
            #expect(!BLAS.library.isEmpty)
        }
    }
}

@Suite("Misuse stops with a message")
struct TrapTests {
    @Test func incompatibleShapesStop() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([2, 3]))
        }
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([2, 3]).reshaped([4, 2])
        }
        await #expect(processExitsWith: .failure) {
            _ = Tensor.arange(3)[5]
        }
        await #expect(processExitsWith: .failure) {
            // A hand-made view that would read past the end of its buffer.
            let t = Tensor.zeros([4])
            _ = Tensor(storage: t.storage, shape: [3], strides: [2], dtype: .float32)
        }
    }

    @Test func broadcastErrorNamesTheOperationAndShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) * Tensor.zeros([4])
        }
        let text = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("mul") && text.contains("[2, 3]") && text.contains("[4]"), "message was: \(text)")
    }

    @Test func broadcastShapesFollowNumpyRules() {
        #expect(broadcastShapes([2, 1], [3], op: "add") == [2, 3])
        #expect(broadcastShapes([], [4, 1], op: "add") == [4, 1])
        #expect(broadcastShapes([5, 1, 3], [4, 1], op: "add") == [5, 4, 3])
    }
}

@Suite("README")
struct ReadmeExampleTests {
    /// The README's library example, kept compiling and checked.
    @Test func readmeExampleRuns() throws {
        let x = Tensor.randn([128, 784], seed: 0)
        let w = (Tensor.randn([784, 10], seed: 1) * 0.01).requiringGrad()
        let labels = Tensor.randint(0, 10, [128], seed: 2)
        let logits = x.matmul(w)
        let loss = -logits.logSoftmax(axis: -1)
            .gather(axis: 1, index: labels.unsqueezed(1)).mean()
        loss.backward()
        #expect(w.grad!.shape == [784, 10])
        let (values, vectors) = try Linalg.eigh(x.T.matmul(x))
        #expect(values.shape == [784] && vectors.shape == [784, 784])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("readme-w-\(getpid()).npy")
        defer { try? FileManager.default.removeItem(at: url) }
        try w.detached().save(npy: url)
        #expect(try Tensor.load(npy: url).scalars == w.scalars)
        #expect(x[0..<2, .stride(by: 392)].shape == [2, 2])
    }
}

@Suite("Native linalg robustness")
struct NativeLinalgRobustnessTests {
    /// Regression: XᵀX of rank 128 in 784 dimensions (float32) stalled the native QL iteration
    /// ("eigenvalue 0 not found in 30 iterations") because clusters of zero eigenvalues never pass
    /// a purely relative deflation test.
    @Test func eighOfRankDeficientGramMatrixConverges() throws {
        let x = Tensor.randn([128, 300], seed: 0)
        let gram = x.T.matmul(x)
        let f = try Linalg.eigh(gram.toArray(as: Float.self), n: 300, backend: .native)
        let values = f.eigenvalues
        #expect(values.filter { Swift.abs($0) < 1e-2 }.count >= 300 - 128)
        let a = gram.to(.float64)
        let v = Tensor(f.eigenvectors.map(Double.init), shape: [300, 300])
        let w = Tensor(values.map(Double.init), shape: [300])
        let residual = (a.matmul(v) - v * w.unsqueezed(0)).abs().max().item()
        #expect(residual < 1e-2 * a.abs().max().item())
    }
}

import Testing
import Tensors
import Neural
import TestSupport

/// Float64 finite-difference checks of every hand-written backward pass.
@Suite struct LayerGradCheckTests {
    func r(_ shape: [Int], _ seed: UInt64) -> Tensor { Tensor.randn(shape, dtype: .float64, seed: seed) }

    func expectPasses(_ name: String, _ inputs: [Tensor], _ f: ([Tensor]) -> Tensor) {
        let result = GradCheck.check(inputs, f)
        #expect(result.passed, "\(name): \(result)")
    }

    @Test func linearAndActivations() {
        expectPasses("linear", [r([3, 4], 1), r([2, 4], 2), r([2], 3)]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        expectPasses("linear 3-D no bias", [r([2, 2, 3], 4), r([2, 3], 5)]) { linear($0[0], weight: $0[1]) }
        let x = r([3, 5], 6)
        expectPasses("relu", [x]) { relu($0[0]) }
        expectPasses("leakyRelu", [x]) { leakyRelu($0[0], negativeSlope: 0.2) }
        expectPasses("elu", [x]) { elu($0[0], alpha: 0.5) }
        expectPasses("gelu", [x]) { gelu($0[0]) }
        expectPasses("gelu tanh", [x]) { gelu($0[0], approximate: .tanh) }
        expectPasses("silu", [x]) { silu($0[0]) }
        expectPasses("sigmoid", [x]) { sigmoid($0[0]) }
        expectPasses("tanh", [x]) { Tanh()($0[0]) }
    }

    @Test func crossEntropyBackward() {
        let t = Tensor([0, 2, -100, 1] as [Int])
        let w = Tensor([0.3, 1.2, 2.0] as [Double])
        expectPasses("ce mean", [r([4, 3], 7)]) { crossEntropy($0[0], t) }
        expectPasses("ce weight smoothing", [r([4, 3], 8)]) { crossEntropy($0[0], t, weight: w, labelSmoothing: 0.15) }
        expectPasses("ce none", [r([4, 3], 9)]) { crossEntropy($0[0], t, weight: w, reduction: .none, labelSmoothing: 0.1) }
        expectPasses("ce sum k-dim", [r([2, 3, 2], 10)]) { crossEntropy($0[0], Tensor([[0, 2], [1, 1]] as [[Int]]), reduction: .sum) }
        let probs = r([4, 3], 11).softmax(axis: 1)
        expectPasses("ce probabilities", [r([4, 3], 12)]) { crossEntropy($0[0], probs, weight: w, labelSmoothing: 0.2) }
    }

    @Test func convolutionAndPooling() {
        expectPasses("conv2d", [r([2, 2, 5, 4], 13), r([3, 2, 3, 2], 14), r([3], 15)]) {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: [2, 1], padding: 1)
        }
        expectPasses("conv2d dilated grouped", [r([1, 4, 6, 6], 16), r([2, 2, 2, 2], 17)]) {
            conv2d($0[0], weight: $0[1], padding: [0, 1], dilation: 2, groups: 2)
        }
        expectPasses("conv2d pointwise", [r([2, 3, 2, 2], 18), r([2, 3, 1, 1], 19)]) { conv2d($0[0], weight: $0[1]) }
        expectPasses("maxPool2d", [r([1, 2, 5, 5], 20)]) { maxPool2d($0[0], kernelSize: 3, stride: 2, padding: 1, ceilMode: true) }
        expectPasses("avgPool2d", [r([1, 2, 5, 5], 21)]) { avgPool2d($0[0], kernelSize: 3, stride: 2, padding: 1, countIncludePad: false) }
        expectPasses("adaptiveAvgPool2d", [r([1, 2, 5, 3], 22)]) { adaptiveAvgPool2d($0[0], outputSize: [2, 2]) }
        expectPasses("maxPool1d", [r([2, 7], 23)]) { maxPool1d($0[0], kernelSize: 2) }
        expectPasses("avgPool1d", [r([1, 2, 7], 24)]) { avgPool1d($0[0], kernelSize: 3, stride: 2, padding: 1) }
    }

    @Test func embeddingAndLSTM() {
        let idx = Tensor([[1, 0], [3, 1]] as [[Int]])
        expectPasses("embedding", [r([4, 3], 25)]) { embedding(idx, weight: $0[0]) }
        // The padding row is used in the forward pass but, by definition, gets no gradient.
        let w = r([4, 3], 25).requiringGrad()
        embedding(idx, weight: w, paddingIndex: 3).sum().backward()
        #expect(w.grad!.scalars[9..<12].allSatisfy { $0 == 0 } && w.grad!.scalars[0..<3].allSatisfy { $0 == 1 })
        for reverse in [false, true] {
            expectPasses("lstm layer reverse=\(reverse)", [r([3, 2, 2], 26), r([2, 3], 27), r([2, 3], 28), r([12, 2], 29), r([12, 3], 30), r([12], 31), r([12], 32)]) {
                let (o, h, c) = lstmLayer($0[0], h0: $0[1], c0: $0[2], wih: $0[3], whh: $0[4], bih: $0[5], bhh: $0[6], reverse: reverse)
                return Tensor.concat([o.reshaped([-1]), h.reshaped([-1]) * 2, c.reshaped([-1]) * 3])
            }
            // The same with the hidden units split over three threads (parts of 1, 2 and 2 units).
            expectPasses("lstm layer reverse=\(reverse) threads=3", [r([3, 2, 2], 33), r([2, 5], 34), r([2, 5], 35), r([20, 2], 36), r([20, 5], 37), r([20], 38), r([20], 39)]) {
                let (o, h, c) = lstmLayer($0[0], h0: $0[1], c0: $0[2], wih: $0[3], whh: $0[4], bih: $0[5], bhh: $0[6], reverse: reverse, threads: 3)
                return Tensor.concat([o.reshaped([-1]), h.reshaped([-1]) * 2, c.reshaped([-1]) * 3])
            }
        }
    }

    /// Splitting the time loop over threads changes only the GEMM's column blocking: outputs and
    /// every gradient agree with the single-threaded loop to rounding, for unit counts that do and
    /// do not divide evenly, both directions, both dtypes, and the automatic choice at a size where
    /// it splits (hidden 128, batch 32).
    @Test func lstmTimeLoopThreadsAgree() {
        for (dtype, tol) in [(DType.float64, 1e-12), (DType.float32, 2e-5)] {
            for (t, b, inp, h, threads) in [(7, 5, 6, 70, 2), (7, 5, 6, 70, 3), (4, 3, 2, 33, 4), (6, 32, 8, 128, 0)] {
                for reverse in [false, true] {
                    func run(_ threads: Int) -> [Tensor] {
                        var seed: UInt64 = 100
                        func p(_ shape: [Int]) -> Tensor { seed += 1; return (Tensor.randn(shape, dtype: dtype, seed: seed) * 0.3).requiringGrad() }
                        let x = p([t, b, inp]), h0 = p([b, h]), c0 = p([b, h]), wih = p([4 * h, inp]), whh = p([4 * h, h]), bih = p([4 * h])
                        let (o, hT, cT) = lstmLayer(x, h0: h0, c0: c0, wih: wih, whh: whh, bih: bih, bhh: nil, reverse: reverse, threads: threads)
                        let g = Tensor.randn([t * b * h + 2 * b * h], dtype: dtype, seed: 99)
                        (Tensor.concat([o.reshaped([-1]), hT.reshaped([-1]), cT.reshaped([-1])]) * g).sum().backward()
                        return [o, hT, cT, x.grad!, h0.grad!, c0.grad!, wih.grad!, whh.grad!, bih.grad!]
                    }
                    let one = run(1), many = run(threads)
                    for (k, (a, e)) in zip(many, one).enumerated() {
                        let err = maxScaledError(a.scalars, e.scalars)
                        #expect(err <= tol, "\(dtype) T\(t) B\(b) H\(h) threads \(threads) reverse \(reverse) tensor \(k): \(err)")
                    }
                }
            }
        }
    }
}

/// Special values through the C kernels behave as PyTorch's: ReLU keeps NaN and maps −∞ to 0;
/// a NaN in a max-pooling window wins and takes the gradient; the 2×2 fast path and the general
/// path agree.
@Suite struct SpecialValueTests {
    @Test func reluAndLeakyReluSpecialValues() {
        for dt in [DType.float32, .float64] {
            let x = Tensor([Double.nan, -.infinity, .infinity, -1, 2, 0]).to(dt)
            let y = relu(x).scalars
            #expect(y[0].isNaN && y[1] == 0 && y[2] == .infinity && y[3] == 0 && y[4] == 2 && y[5] == 0, "\(dt): \(y)")
            let l = leakyRelu(x, negativeSlope: 0.5).scalars
            #expect(l[0].isNaN && l[1] == -.infinity && l[3] == -0.5 && l[4] == 2, "\(dt): \(l)")
            let v = Tensor([-3.0, 4, 0, -0.5]).to(dt).requiringGrad()
            leakyRelu(v, negativeSlope: 0.25).sum().backward()
            #expect(v.grad!.scalars == [0.25, 1, 0.25, 0.25])
        }
    }

    @Test func maxPoolNaNWinsAndTakesTheGradient() {
        for dt in [DType.float32, .float64] {
            var values = (0..<16).map { Double($0 % 5) }
            values[5] = .nan
            let x = Tensor(values, shape: [1, 1, 4, 4]).to(dt).requiringGrad()
            let y = maxPool2d(x, kernelSize: 2)
            let s = y.scalars
            #expect(s[0].isNaN && s[1] == 3 && s[2] == 4 && s[3] == 4, "\(dt): \(s)")
            y.backward(Tensor.ones(y.shape, dtype: dt))
            #expect(x.grad!.scalars[5] == 1 && x.grad!.scalars[0] == 0)
        }
    }

    @Test func maxPoolFastPathAgreesWithTheGeneralPath() {
        // On odd sizes ceilMode adds partial last windows, which sends the call down the general
        // path; its full windows must equal what the 2×2 path gives without ceilMode.
        for dt in [DType.float32, .float64] {
            let x = Tensor.randn([3, 2, 9, 7], dtype: dt, seed: 5)
            let fast = maxPool2d(x, kernelSize: 2)
            let general = maxPool2d(x, kernelSize: 2, ceilMode: true)
            #expect(general.shape == [3, 2, 5, 4] && fast.shape == [3, 2, 4, 3])
            let cropped = general.slice(axis: 2, 0, 4).slice(axis: 3, 0, 3).contiguous()
            #expect(cropped.scalars == fast.scalars)
        }
    }
}

import Testing
import Tensors
import Neural
import TestSupport

/// Float64 finite-difference checks of the hand-written backward passes of the normalization, 1-D/transposed convolution, bilinear, recurrent, rotary and loss layers.
@Suite struct NormRecurrentGradCheckTests {
    func r(_ shape: [Int], _ seed: UInt64) -> Tensor { Tensor.randn(shape, dtype: .float64, seed: seed) }

    func expectPasses(_ name: String, _ inputs: [Tensor], _ f: ([Tensor]) -> Tensor) {
        let result = GradCheck.check(inputs, f)
        #expect(result.passed, "\(name): \(result)")
    }

    @Test func normalization() {
        expectPasses("layerNorm", [r([3, 2, 4], 1), r([2, 4], 2), r([2, 4], 3)]) {
            layerNorm($0[0], normalizedShape: [2, 4], weight: $0[1], bias: $0[2])
        }
        expectPasses("groupNorm", [r([2, 6, 3], 4), r([6], 5), r([6], 6)]) { groupNorm($0[0], groups: 3, weight: $0[1], bias: $0[2]) }
        expectPasses("groupNorm no affine", [r([2, 4, 2, 2], 7)]) { groupNorm($0[0], groups: 2) }
        expectPasses("rmsNorm", [r([3, 5], 8), r([5], 9)]) { rmsNorm($0[0], normalizedShape: [5], weight: $0[1], eps: 1e-6) }
    }

    @Test func convolutionsAndBilinear() {
        expectPasses("conv1d", [r([2, 4, 7], 10), r([6, 2, 3], 11), r([6], 12)]) {
            conv1d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, dilation: 2, groups: 2)
        }
        expectPasses("convTranspose2d", [r([2, 4, 3, 3], 13), r([4, 3, 3, 2], 14), r([6], 15)]) {
            convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], groups: 2)
        }
        expectPasses("convTranspose2d dilated", [r([1, 2, 3, 4], 16), r([2, 2, 2, 2], 17)]) {
            convTranspose2d($0[0], weight: $0[1], stride: 1, padding: 1, outputPadding: 1, dilation: 2)
        }
        expectPasses("bilinear", [r([2, 3, 2], 18), r([2, 3, 4], 19), r([3, 2, 4], 20), r([3], 21)]) {
            bilinear($0[0], $0[1], weight: $0[2], bias: $0[3])
        }
    }

    @Test func recurrentLayers() {
        for reverse in [false, true] {
            expectPasses("rnn tanh reverse=\(reverse)", [r([3, 2, 2], 22), r([2, 3], 23), r([3, 2], 24), r([3, 3], 25), r([3], 26), r([3], 27)]) {
                let (o, h) = rnnLayer($0[0], h0: $0[1], wih: $0[2], whh: $0[3], bih: $0[4], bhh: $0[5], reverse: reverse)
                return Tensor.concat([o.reshaped([-1]), h.reshaped([-1]) * 2])
            }
            expectPasses("gru reverse=\(reverse)", [r([3, 2, 2], 28), r([2, 3], 29), r([9, 2], 30), r([9, 3], 31), r([9], 32), r([9], 33)]) {
                let (o, h) = gruLayer($0[0], h0: $0[1], wih: $0[2], whh: $0[3], bih: $0[4], bhh: $0[5], reverse: reverse)
                return Tensor.concat([o.reshaped([-1]), h.reshaped([-1]) * 3])
            }
        }
        // ReLU: keep pre-activations away from the kink at 0.
        expectPasses("rnn relu", [r([3, 2, 2], 34), r([2, 3], 35) * 0.1, r([3, 2], 36), r([3, 3], 37) * 0.3]) {
            rnnLayer($0[0], h0: $0[1], wih: $0[2], whh: $0[3], bih: nil, bhh: nil, nonlinearity: .relu).0
        }
        // The time loops with the 5 hidden units split over three threads.
        expectPasses("gru threads=3", [r([3, 2, 2], 60), r([2, 5], 61), r([15, 2], 62), r([15, 5], 63), r([15], 64), r([15], 65)]) {
            let (o, h) = gruLayer($0[0], h0: $0[1], wih: $0[2], whh: $0[3], bih: $0[4], bhh: $0[5], reverse: true, threads: 3)
            return Tensor.concat([o.reshaped([-1]), h.reshaped([-1]) * 3])
        }
        expectPasses("rnn tanh threads=3", [r([3, 2, 2], 66), r([2, 5], 67), r([5, 2], 68), r([5, 5], 69), r([5], 70), r([5], 71)]) {
            let (o, h) = rnnLayer($0[0], h0: $0[1], wih: $0[2], whh: $0[3], bih: $0[4], bhh: $0[5], threads: 3)
            return Tensor.concat([o.reshaped([-1]), h.reshaped([-1]) * 2])
        }
    }

    /// Empty sequences give the initial state back; empty batches give empty outputs.
    @Test func emptySequencesAndBatches() {
        let lstm = LSTM(inputSize: 3, hiddenSize: 4), gru = GRU(inputSize: 3, hiddenSize: 4), rnn = RNN(inputSize: 3, hiddenSize: 4)
        let h0 = Tensor.randn([1, 2, 4], seed: 1), c0 = Tensor.randn([1, 2, 4], seed: 2)
        let (o, (h, c)) = lstm(Tensor.zeros([0, 2, 3]), state: (h0, c0))
        #expect(o.shape == [0, 2, 4] && h.scalars == h0.scalars && c.scalars == c0.scalars)
        let (og, hg) = gru(Tensor.zeros([0, 2, 3]), state: h0)
        #expect(og.shape == [0, 2, 4] && hg.scalars == h0.scalars)
        for net in [lstm, gru, rnn] as [RecurrentNetwork] {
            let (out, states) = net.run(Tensor.zeros([5, 0, 3]), states: nil)
            #expect(out.shape == [5, 0, 4] && states.allSatisfy { $0.shape == [1, 0, 4] })
        }
    }

    /// As for the LSTM: any thread count gives the single-threaded loop's outputs and gradients to
    /// rounding (GRU with and without biases, tanh and ReLU RNNs, both directions, both dtypes,
    /// and the automatic choice at a size where it splits).
    @Test func gruAndRNNTimeLoopThreadsAgree() {
        for (dtype, tol) in [(DType.float64, 1e-12), (DType.float32, 2e-5)] {
            for (cell, t, b, inp, h, threads, bias) in [("gru", 7, 5, 6, 70, 2, true), ("gru", 4, 3, 2, 33, 4, false), ("gru", 6, 32, 8, 128, 0, true),
                                                        ("tanh", 7, 5, 6, 70, 3, true), ("relu", 5, 4, 3, 40, 2, true), ("tanh", 6, 64, 8, 256, 0, false)] {
                let g = cell == "gru" ? 3 : 1
                for reverse in [false, true] {
                    func run(_ threads: Int) -> [Tensor] {
                        var seed: UInt64 = 200
                        func p(_ shape: [Int]) -> Tensor { seed += 1; return (Tensor.randn(shape, dtype: dtype, seed: seed) * 0.3).requiringGrad() }
                        let x = p([t, b, inp]), h0 = p([b, h]), wih = p([g * h, inp]), whh = p([g * h, h])
                        let bih = bias ? p([g * h]) : nil, bhh = bias ? p([g * h]) : nil
                        let (o, hT) = cell == "gru"
                            ? gruLayer(x, h0: h0, wih: wih, whh: whh, bih: bih, bhh: bhh, reverse: reverse, threads: threads)
                            : rnnLayer(x, h0: h0, wih: wih, whh: whh, bih: bih, bhh: bhh, nonlinearity: cell == "tanh" ? .tanh : .relu,
                                       reverse: reverse, threads: threads)
                        let w = Tensor.randn([t * b * h + b * h], dtype: dtype, seed: 99)
                        (Tensor.concat([o.reshaped([-1]), hT.reshaped([-1])]) * w).sum().backward()
                        return [o, hT, x.grad!, h0.grad!, wih.grad!, whh.grad!] + (bias ? [bih!.grad!, bhh!.grad!] : [])
                    }
                    let one = run(1), many = run(threads)
                    for (k, (a, e)) in zip(many, one).enumerated() {
                        let err = maxScaledError(a.scalars, e.scalars)
                        #expect(err <= tol, "\(cell) \(dtype) T\(t) B\(b) H\(h) threads \(threads) reverse \(reverse) tensor \(k): \(err)")
                    }
                }
            }
        }
    }

    @Test func rotaryAndLosses() {
        expectPasses("rope halves", [r([2, 3, 6], 38)]) { applyRotaryEmbedding($0[0], offset: 1) }
        expectPasses("rope interleaved partial", [r([3, 6], 39)]) { applyRotaryEmbedding($0[0], rotaryDim: 4, base: 100, layout: .interleaved) }
        let probs = r([3, 4], 40).sigmoid(), labels = r([3, 4], 41).sigmoid()
        expectPasses("bce", [probs, labels]) { binaryCrossEntropy($0[0], $0[1]) }
        expectPasses("bce logits", [r([3, 4], 42), labels]) {
            binaryCrossEntropyWithLogits($0[0], $0[1], posWeight: Tensor([0.5, 1, 2, 3] as [Double]), reduction: .sum)
        }
        expectPasses("huber", [r([3, 4], 43), r([3, 4], 44)]) { huberLoss($0[0], $0[1], delta: 0.5) }
        expectPasses("nll", [r([4, 3, 2], 45)]) { nllLoss($0[0], Tensor([[0, 2], [1, 1], [2, 0], [0, 0]] as [[Int]]), weight: Tensor([1, 2, 0.5] as [Double])) }
        expectPasses("kl batchmean", [r([2, 3], 46), r([2, 3], 47).softmax(axis: 1)]) { klDivergence($0[0], $0[1], reduction: .batchMean) }
    }
}

/// Shape misuse of these layers stops with a message naming the layer and the shapes.
@Suite struct LayerShapeErrorTests {
    @Test func wrongShapesStopWithLayerAndShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = LayerNorm(4)(Tensor.zeros([2, 5]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("LayerNorm([4])") && text.contains("[2, 5]"))
        await #expect(processExitsWith: .failure) { _ = GroupNorm(3, 6)(Tensor.zeros([2, 4, 3])) }
        await #expect(processExitsWith: .failure) { _ = Conv1d(3, 4, kernelSize: 3)(Tensor.zeros([2, 2, 9])) }
        await #expect(processExitsWith: .failure) { _ = ConvTranspose2d(3, 4, kernelSize: 3)(Tensor.zeros([2, 4, 5, 5])) }
        await #expect(processExitsWith: .failure) { _ = GRU(inputSize: 3, hiddenSize: 2)(Tensor.zeros([4, 2, 5]), state: nil) }
        await #expect(processExitsWith: .failure) {
            let x = Tensor.zeros([2, 3, 8])
            _ = MultiheadAttention(embedDim: 8, numHeads: 2, batchFirst: true)(x, x, x, keyPaddingMask: Tensor.zeros([2, 4], dtype: .bool))
        }
        await #expect(processExitsWith: .failure) { _ = MultiheadAttention(embedDim: 6, numHeads: 4) }
        await #expect(processExitsWith: .failure) { _ = l1Loss(Tensor.zeros([3]), Tensor.zeros([4])) }
        await #expect(processExitsWith: .failure) { _ = nllLoss(Tensor.zeros([2, 3]), Tensor([0, 5] as [Int])) }
        await #expect(processExitsWith: .failure) { _ = binaryCrossEntropy(Tensor([1.5] as [Float]), Tensor([1] as [Float])) }
    }

    @Test func transformerAndPaddingOptionsStopWithAReason() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = TransformerModel(dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8)(
                Tensor.zeros([5, 2, 8]), Tensor.zeros([4, 3, 8]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("TransformerModel(d_model=8, nhead=2)") && text.contains("batch size"))
        let strided = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Conv2d(2, 2, kernelSize: 3, stride: 2, padding: .same)
        }
        let stridedText = String(decoding: strided?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stridedText.contains("padding='same' is not supported for strided"))
        let size = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = ConvTranspose2d(3, 2, kernelSize: 3, stride: 2, padding: 1)(Tensor.zeros([1, 3, 4, 5]), outputSize: [9, 10])
        }
        let sizeText = String(decoding: size?.standardErrorContent ?? [], as: UTF8.self)
        #expect(sizeText.contains("[7, 8] × [9, 10]"))
        await #expect(processExitsWith: .failure) { _ = TransformerEncoder(layers: []) }
    }
}

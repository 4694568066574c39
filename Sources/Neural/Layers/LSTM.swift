import Tensors

/// A multi-layer long short-term memory network (PyTorch's `nn.LSTM`).
///
/// For each step, with gates in PyTorch's order i, f, g, o:
/// ```
/// [i f g o] = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh
/// c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g)
/// h_t = σ(o) ⊙ tanh(c_t)
/// ```
/// Parameters carry PyTorch's names (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`,
/// `…_reverse` for the backward direction), all initialized U(−1/√H, 1/√H). Each layer-direction
/// runs as one fused autograd node (input projection of all steps in one GEMM, one GEMM and one
/// pass of gate math per step).
///
/// ```swift
/// let lstm = LSTM(inputSize: 28, hiddenSize: 128, batchFirst: true)
/// let (out, (h, c)) = lstm(x, state: nil)   // x [B, T, 28] → out [B, T, 128], h, c [1, B, 128]
/// ```
public final class LSTM: Module {
    /// Features per input step.
    public let inputSize: Int
    /// Features of the hidden state.
    public let hiddenSize: Int
    /// Stacked layers.
    public let numLayers: Int
    /// Whether the input and output are `[B, T, F]` (else `[T, B, F]`).
    public let batchFirst: Bool
    /// Dropout applied to the outputs of every layer but the last, in training.
    public let dropout: Double
    /// Whether each layer also runs right to left (outputs concatenated: 2H features).
    public let bidirectional: Bool
    /// Whether the layers have biases.
    public let hasBias: Bool
    private let generator: RandomGenerator?
    /// Parameters in PyTorch's order with PyTorch's names.
    private var weights: [(String, Parameter)] = []

    /// Creates the network with PyTorch's defaults and initialization.
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .float32, generator: RandomGenerator? = nil) {
        ensure(inputSize > 0 && hiddenSize > 0 && numLayers > 0, "LSTM: sizes must be positive (input \(inputSize), hidden \(hiddenSize), layers \(numLayers))")
        ensure(dropout >= 0 && dropout <= 1, "LSTM: dropout must be in [0, 1], got \(dropout)")
        self.inputSize = inputSize; self.hiddenSize = hiddenSize; self.numLayers = numLayers
        self.batchFirst = batchFirst; self.dropout = dropout; self.bidirectional = bidirectional
        self.hasBias = bias; self.generator = generator
        super.init()
        let k = 1 / Double(hiddenSize).squareRoot()
        let dirs = bidirectional ? 2 : 1
        for layer in 0..<numLayers {
            let layerInput = layer == 0 ? inputSize : hiddenSize * dirs
            for d in 0..<dirs {
                let sfx = "_l\(layer)" + (d == 1 ? "_reverse" : "")
                func u(_ shape: [Int]) -> Parameter { Parameter(Tensor.uniform(shape, low: -k, high: k, dtype: dtype, generator: generator)) }
                weights.append(("weight_ih" + sfx, u([4 * hiddenSize, layerInput])))
                weights.append(("weight_hh" + sfx, u([4 * hiddenSize, hiddenSize])))
                if bias {
                    weights.append(("bias_ih" + sfx, u([4 * hiddenSize])))
                    weights.append(("bias_hh" + sfx, u([4 * hiddenSize])))
                }
            }
        }
    }

    /// `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, … in PyTorch's order.
    public override func namedDirectParameters() -> [(String, Parameter)] { weights }

    /// The parameter with a PyTorch name such as `weight_hh_l1_reverse`.
    public func parameter(named name: String) -> Parameter? { weights.first { $0.0 == name }?.1 }

    /// Runs the sequence from `state` (zeros when nil).
    ///
    /// - Parameters:
    ///   - x: `[T, B, inputSize]` (`[B, T, inputSize]` with `batchFirst`), or `[T, inputSize]` unbatched.
    ///   - state: initial `h` and `c`, each `[numLayers·D, B, hiddenSize]` (`[numLayers·D, H]` unbatched).
    /// - Returns: `output` `[T, B, D·hiddenSize]` (batch first if configured) and the final `(h, c)`.
    public func callAsFunction(_ x: Tensor, state: (h: Tensor, c: Tensor)?) -> (output: Tensor, state: (h: Tensor, c: Tensor)) {
        let dirs = bidirectional ? 2 : 1
        ensure((x.rank == 3 || x.rank == 2) && x.shape[x.rank - 1] == inputSize,
               "LSTM(\(inputSize), \(hiddenSize)): expected input [\(batchFirst ? "B, T" : "T, B"), \(inputSize)] or [T, \(inputSize)], got \(x.shape)")
        let unbatched = x.rank == 2
        var seq = unbatched ? x.unsqueezed(1) : (batchFirst ? x.transposed(0, 1) : x)   // [T, B, I]
        let b = seq.shape[1]
        let stateShape = [numLayers * dirs, b, hiddenSize]
        var h0: Tensor, c0: Tensor
        if let state {
            h0 = unbatched ? state.h.unsqueezed(1) : state.h
            c0 = unbatched ? state.c.unsqueezed(1) : state.c
            ensure(h0.shape == stateShape && c0.shape == stateShape,
                   "LSTM(\(inputSize), \(hiddenSize)): expected h0 and c0 of shape \(unbatched ? [numLayers * dirs, hiddenSize] : stateShape), got \(state.h.shape) and \(state.c.shape)")
        } else {
            h0 = Tensor.zeros(stateShape, dtype: dtype); c0 = h0
        }
        var hs: [Tensor] = [], cs: [Tensor] = []
        let perDir = hasBias ? 4 : 2
        for layer in 0..<numLayers {
            var outs: [Tensor] = []
            for d in 0..<dirs {
                let base = (layer * dirs + d) * perDir
                let (o, hT, cT) = lstmLayer(seq, h0: h0[layer * dirs + d], c0: c0[layer * dirs + d],
                                            wih: weights[base].1.value, whh: weights[base + 1].1.value,
                                            bih: hasBias ? weights[base + 2].1.value : nil, bhh: hasBias ? weights[base + 3].1.value : nil,
                                            reverse: d == 1)
                outs.append(o); hs.append(hT); cs.append(cT)
            }
            seq = dirs == 1 ? outs[0] : Tensor.concat(outs, axis: 2)
            if layer < numLayers - 1 && dropout > 0 && isTraining {
                seq = Neural.dropout(seq, p: dropout, training: true, generator: generator)
            }
        }
        var output = unbatched ? seq.squeezed(1) : (batchFirst ? seq.transposed(0, 1) : seq)
        if !unbatched && batchFirst { output = output.contiguous() }
        var hN = Tensor.stack(hs), cN = Tensor.stack(cs)
        if unbatched { hN = hN.squeezed(1); cN = cN.squeezed(1) }
        return (output, (hN, cN))
    }

    /// The output sequence only (see ``callAsFunction(_:state:)``).
    public override func forward(_ x: Tensor) -> Tensor { self(x, state: nil).output }

    public override var extraDescription: String {
        "\(inputSize), \(hiddenSize)" + (numLayers > 1 ? ", num_layers=\(numLayers)" : "") + (batchFirst ? ", batch_first=true" : "")
            + (bidirectional ? ", bidirectional=true" : "") + (dropout > 0 ? ", dropout=\(dropout)" : "")
    }
}

import Tensors
import SwiftLearnCore

/// What one step of a ``RecurrentNetwork`` computes.
public enum RecurrentKind: Sendable, Equatable {
    /// Elman RNN, `h′ = tanh(…)` or `relu(…)`.
    case rnn(RNNNonlinearity)
    /// Gated recurrent unit (gates r, z, n).
    case gru
    /// Long short-term memory (gates i, f, g, o; states h and c).
    case lstm

    /// Rows of `weight_ih` per hidden unit: 1, 3 or 4.
    public var gates: Int {
        switch self { case .rnn: 1; case .gru: 3; case .lstm: 4 }
    }

    /// States carried from step to step: 2 for the LSTM (h, c), else 1 (h).
    public var stateCount: Int { self == .lstm ? 2 : 1 }
}

/// The shared body of ``RNN``, ``GRU`` and ``LSTM`` (PyTorch's `nn.RNNBase`): stacked layers,
/// optional reverse direction, batch-first layout, dropout between layers, unbatched input, and
/// the parameters under PyTorch's names (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`,
/// `bias_hh_l0`, `…_reverse`), all initialized U(−1/√H, 1/√H). Each layer-direction is one fused
/// autograd node.
public class RecurrentNetwork: Module {
    /// What each step computes.
    public let kind: RecurrentKind
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

    init(kind: RecurrentKind, inputSize: Int, hiddenSize: Int, numLayers: Int, bias: Bool, batchFirst: Bool, dropout: Double,
         bidirectional: Bool, dtype: DType, generator: RandomGenerator?) {
        let name = switch kind { case .rnn: "RNN"; case .gru: "GRU"; case .lstm: "LSTM" }
        ensure(inputSize > 0 && hiddenSize > 0 && numLayers > 0, "\(name): sizes must be positive (input \(inputSize), hidden \(hiddenSize), layers \(numLayers))")
        ensure(dropout >= 0 && dropout <= 1, "\(name): dropout must be in [0, 1], got \(dropout)")
        self.kind = kind; self.inputSize = inputSize; self.hiddenSize = hiddenSize; self.numLayers = numLayers
        self.batchFirst = batchFirst; self.dropout = dropout; self.bidirectional = bidirectional
        self.hasBias = bias; self.generator = generator
        super.init()
        let k = 1 / Double(hiddenSize).squareRoot(), gh = kind.gates * hiddenSize
        for layer in 0..<numLayers {
            let layerInput = layer == 0 ? inputSize : hiddenSize * directions
            for d in 0..<directions {
                let sfx = "_l\(layer)" + (d == 1 ? "_reverse" : "")
                func u(_ shape: [Int]) -> Parameter { Parameter(Tensor.uniform(shape, low: -k, high: k, dtype: dtype, generator: generator)) }
                weights.append(("weight_ih" + sfx, u([gh, layerInput])))
                weights.append(("weight_hh" + sfx, u([gh, hiddenSize])))
                if bias {
                    weights.append(("bias_ih" + sfx, u([gh])))
                    weights.append(("bias_hh" + sfx, u([gh])))
                }
            }
        }
    }

    /// 2 when bidirectional, else 1.
    public var directions: Int { bidirectional ? 2 : 1 }

    /// `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, … in PyTorch's order.
    public override func namedDirectParameters() -> [(String, Parameter)] { weights }

    /// The parameter with a PyTorch name such as `weight_hh_l1_reverse`.
    public func parameter(named name: String) -> Parameter? { weights.first { $0.0 == name }?.1 }

    /// Runs every layer and direction from the initial states (zeros when nil).
    ///
    /// - Parameters:
    ///   - x: `[T, B, inputSize]` (`[B, T, inputSize]` with `batchFirst`), or `[T, inputSize]` unbatched.
    ///   - states: `kind.stateCount` tensors (h, then c for the LSTM), each `[numLayers·D, B, hiddenSize]`
    ///     (`[numLayers·D, hiddenSize]` unbatched).
    /// - Returns: `output` `[T, B, D·hiddenSize]` (batch first if configured): the last layer's
    ///   hidden state at every step; and the final states of every layer and direction, shaped as the initial ones.
    public func run(_ x: Tensor, states: [Tensor]?) -> (output: Tensor, states: [Tensor]) {
        ensure((x.rank == 3 || x.rank == 2) && x.shape[x.rank - 1] == inputSize,
               "\(typeName)(\(inputSize), \(hiddenSize)): expected input [\(batchFirst ? "B, T" : "T, B"), \(inputSize)] or [T, \(inputSize)], got \(x.shape)")
        let unbatched = x.rank == 2, dirs = directions, count = kind.stateCount
        var seq = unbatched ? x.unsqueezed(1) : (batchFirst ? x.transposed(0, 1) : x)   // [T, B, I]
        let stateShape = [numLayers * dirs, seq.shape[1], hiddenSize]
        let initial: [Tensor]
        if let states {
            initial = states.map { unbatched ? $0.unsqueezed(1) : $0 }
            ensure(initial.count == count && initial.allSatisfy { $0.shape == stateShape },
                   "\(typeName)(\(inputSize), \(hiddenSize)): expected \(count == 1 ? "h0" : "h0 and c0") of shape "
                   + "\(unbatched ? [numLayers * dirs, hiddenSize] : stateShape), got \(states.map(\.shape))")
        } else {
            initial = Array(repeating: Tensor.zeros(stateShape, dtype: dtype), count: count)
        }
        var finals: [[Tensor]] = Array(repeating: [], count: count)
        let perDir = hasBias ? 4 : 2
        for layer in 0..<numLayers {
            var outs: [Tensor] = []
            for d in 0..<dirs {
                let base = (layer * dirs + d) * perDir
                let (o, last) = runLayer(seq, states: initial.map { $0[layer * dirs + d] },
                                         wih: weights[base].1.value, whh: weights[base + 1].1.value,
                                         bih: hasBias ? weights[base + 2].1.value : nil, bhh: hasBias ? weights[base + 3].1.value : nil,
                                         reverse: d == 1)
                outs.append(o)
                for i in 0..<count { finals[i].append(last[i]) }
            }
            seq = dirs == 1 ? outs[0] : Tensor.concat(outs, axis: 2)
            if layer < numLayers - 1 && dropout > 0 && isTraining {
                seq = Neural.dropout(seq, p: dropout, training: true, generator: generator)
            }
        }
        var output = unbatched ? seq.squeezed(1) : (batchFirst ? seq.transposed(0, 1) : seq)
        if !unbatched && batchFirst { output = output.contiguous() }
        return (output, finals.map { unbatched ? Tensor.stack($0).squeezed(1) : Tensor.stack($0) })
    }

    /// One layer in one direction: `x` `[T, B, I]`, states `[B, H]` each → outputs `[T, B, H]` and final states.
    private func runLayer(_ x: Tensor, states: [Tensor], wih: Tensor, whh: Tensor, bih: Tensor?, bhh: Tensor?,
                          reverse: Bool) -> (Tensor, [Tensor]) {
        switch kind {
        case .lstm:
            let (o, h, c) = lstmLayer(x, h0: states[0], c0: states[1], wih: wih, whh: whh, bih: bih, bhh: bhh, reverse: reverse)
            return (o, [h, c])
        case .gru, .rnn:
            let cell: RecurrentCell = switch kind { case .rnn(.relu): .relu; case .rnn: .tanh; default: .gru }
            let (o, h) = recurrentLayer(cell, x, h0: states[0], wih: wih, whh: whh, bih: bih, bhh: bhh, reverse: reverse)
            return (o, [h])
        }
    }

    /// The output sequence only, from zero states.
    public override func forward(_ x: Tensor) -> Tensor { run(x, states: nil).output }

    public override var extraDescription: String {
        "\(inputSize), \(hiddenSize)" + (numLayers > 1 ? ", num_layers=\(numLayers)" : "") + (batchFirst ? ", batch_first=true" : "")
            + (bidirectional ? ", bidirectional=true" : "") + (dropout > 0 ? ", dropout=\(dropout)" : "") + (hasBias ? "" : ", bias=false")
    }
}

/// A multi-layer Elman recurrent network (PyTorch's `nn.RNN`):
/// `h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)` with act tanh (default) or ReLU.
///
/// ```swift
/// let rnn = RNN(inputSize: 10, hiddenSize: 20, numLayers: 2, batchFirst: true)
/// let (out, h) = rnn(x, state: nil)   // x [B, T, 10] → out [B, T, 20], h [2, B, 20]
/// ```
public final class RNN: RecurrentNetwork {
    /// The activation of each step.
    public let nonlinearity: RNNNonlinearity

    /// Creates the network with PyTorch's defaults and initialization.
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, nonlinearity: RNNNonlinearity = .tanh, bias: Bool = true,
                batchFirst: Bool = false, dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .float32,
                generator: RandomGenerator? = nil) {
        self.nonlinearity = nonlinearity
        super.init(kind: .rnn(nonlinearity), inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers,
                   bias: bias, batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, dtype: dtype, generator: generator)
    }

    /// Runs the sequence from `state` (zeros when nil).
    ///
    /// - Parameters:
    ///   - x: `[T, B, inputSize]` (`[B, T, inputSize]` with `batchFirst`), or `[T, inputSize]` unbatched.
    ///   - state: initial `h`, `[numLayers·D, B, hiddenSize]` (`[numLayers·D, hiddenSize]` unbatched).
    /// - Returns: `output` `[T, B, D·hiddenSize]` (batch first if configured) and the final `h` of every
    ///   layer and direction, `[numLayers·D, B, H]`.
    public func callAsFunction(_ x: Tensor, state: Tensor?) -> (output: Tensor, state: Tensor) {
        let (output, states) = run(x, states: state.map { [$0] })
        return (output, states[0])
    }

    public override var extraDescription: String { super.extraDescription + (nonlinearity == .relu ? ", nonlinearity=relu" : "") }
}

/// A multi-layer gated recurrent unit network (PyTorch's `nn.GRU`), gates in PyTorch's order r, z, n:
/// ```
/// r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      h′ = (1 − z) ⊙ n + z ⊙ h
/// ```
/// `weight_ih_l0` is `[W_ir; W_iz; W_in]` (`[3H, I]`), so PyTorch checkpoints load unchanged.
///
/// ```swift
/// let gru = GRU(inputSize: 28, hiddenSize: 64, bidirectional: true)
/// let (out, h) = gru(x, state: nil)   // x [T, B, 28] → out [T, B, 128], h [2, B, 64]
/// ```
public final class GRU: RecurrentNetwork {
    /// Creates the network with PyTorch's defaults and initialization.
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .float32, generator: RandomGenerator? = nil) {
        super.init(kind: .gru, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias, batchFirst: batchFirst,
                   dropout: dropout, bidirectional: bidirectional, dtype: dtype, generator: generator)
    }

    /// Runs the sequence from `state` (zeros when nil); shapes as ``RNN/callAsFunction(_:state:)``.
    public func callAsFunction(_ x: Tensor, state: Tensor?) -> (output: Tensor, state: Tensor) {
        let (output, states) = run(x, states: state.map { [$0] })
        return (output, states[0])
    }
}

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
public final class LSTM: RecurrentNetwork {
    /// Creates the network with PyTorch's defaults and initialization.
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .float32, generator: RandomGenerator? = nil) {
        super.init(kind: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias, batchFirst: batchFirst,
                   dropout: dropout, bidirectional: bidirectional, dtype: dtype, generator: generator)
    }

    /// Runs the sequence from `state` (zeros when nil).
    ///
    /// - Parameters:
    ///   - x: `[T, B, inputSize]` (`[B, T, inputSize]` with `batchFirst`), or `[T, inputSize]` unbatched.
    ///   - state: initial `h` and `c`, each `[numLayers·D, B, hiddenSize]` (`[numLayers·D, H]` unbatched).
    /// - Returns: `output` `[T, B, D·hiddenSize]` (batch first if configured) and the final `(h, c)`.
    public func callAsFunction(_ x: Tensor, state: (h: Tensor, c: Tensor)?) -> (output: Tensor, state: (h: Tensor, c: Tensor)) {
        let (output, states) = run(x, states: state.map { [$0.h, $0.c] })
        return (output, (states[0], states[1]))
    }
}

import Testing
import Tensors
import Neural

/// A recurrent network under the key `rnn`, as the fixture script's `WithState` wrapper holds it.
final class RecurrentHolder: Module {
    var rnn: RecurrentNetwork
    init(_ rnn: RecurrentNetwork) { self.rnn = rnn; super.init() }
}

/// Elman RNN and GRU against PyTorch 2.13 (outputs, final states and every gradient).
@Suite struct RNNGRUTests {
    typealias F = NormAttentionRNNFixtures
    let plain: (Module?, [Tensor]) -> [Tensor] = { m, x in let (o, h) = (m as! RecurrentNetwork).run(x[0], states: nil); return [o, h[0]] }
    let withState: (Module?, [Tensor]) -> [Tensor] = { m, x in let (o, h) = (m as! RecurrentHolder).rnn.run(x[0], states: [x[1]]); return [o, h[0]] }

    @Test func elmanRNN() throws {
        try F.check("rnn_tanh", build: { RNN(inputSize: 4, hiddenSize: 5, dtype: $0) }, run: plain)
        try F.check("rnn_relu_deep_bidir_batch_first", build: {
            RNN(inputSize: 3, hiddenSize: 4, numLayers: 2, nonlinearity: .relu, batchFirst: true, bidirectional: true, dtype: $0) }, run: plain)
        try F.check("rnn_state_nobias", build: { RecurrentHolder(RNN(inputSize: 3, hiddenSize: 4, numLayers: 2, bias: false, dtype: $0)) },
                    run: withState)
        try F.check("rnn_unbatched", build: { RNN(inputSize: 3, hiddenSize: 2, dtype: $0) }, run: plain)
    }

    @Test func gru() throws {
        try F.check("gru", build: { GRU(inputSize: 4, hiddenSize: 5, dtype: $0) }, run: plain)
        try F.check("gru_deep_bidir_batch_first", build: {
            GRU(inputSize: 4, hiddenSize: 3, numLayers: 2, batchFirst: true, bidirectional: true, dtype: $0) }, run: plain)
        try F.check("gru_state_nobias", build: { RecurrentHolder(GRU(inputSize: 3, hiddenSize: 4, numLayers: 2, bias: false, dtype: $0)) },
                    run: withState)
        try F.check("gru_unbatched_state", build: { RecurrentHolder(GRU(inputSize: 3, hiddenSize: 2, bidirectional: true, dtype: $0)) },
                    run: withState)
    }
}

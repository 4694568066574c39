import Tensors
import SwiftLearnCore

// A sequence-to-sequence model with attention: an LSTM encoder, and an LSTM decoder with Luong-
// style global attention (Luong, Pham & Manning, 2015) over the encoder outputs, scored by a dot
// product, a bilinear form ("general") or Bahdanau's additive form (Bahdanau, Cho & Bengio, 2014).
// Its parameter count and state-dict keys equal the torch twin in
// scripts/fixtures/seq2seq_twin.py, which also produces the reference logits and greedy outputs.

/// How ``Seq2SeqAttention`` scores a decoder state h_t against an encoder output h̄_s.
public enum AttentionScore: String, Sendable, CaseIterable {
    /// `h_tᵀ h̄_s` (Luong's dot; no parameters).
    case dot
    /// `h_tᵀ W_a h̄_s` (Luong's general; `key_proj` without bias).
    case general
    /// `vᵀ tanh(W_q h_t + W_k h̄_s + b)` (Bahdanau's additive score, Luong's concat).
    case additive
}

/// The encoder: token embedding (padding index 0 by default) → dropout → LSTM (batch first).
public final class Seq2SeqEncoder: Module {
    /// Source token embedding.
    public var embedding: Embedding
    /// The recurrent encoder.
    public var lstm: LSTM
    /// Dropout on the embeddings (training only).
    public var dropout: Dropout

    /// Creates the encoder; `dropout` also acts between stacked LSTM layers.
    public init(vocabularySize: Int, embeddingDim: Int, hiddenSize: Int, numLayers: Int = 1, dropout: Double = 0,
                paddingIndex: Int = 0, generator: RandomGenerator? = nil) {
        embedding = Embedding(vocabularySize, embeddingDim, paddingIndex: paddingIndex, generator: generator)
        lstm = LSTM(inputSize: embeddingDim, hiddenSize: hiddenSize, numLayers: numLayers, batchFirst: true,
                    dropout: numLayers > 1 ? dropout : 0, generator: generator)
        self.dropout = Dropout(dropout, generator: generator)
        super.init()
    }

    /// Source tokens `[B, S]` (int64) → outputs `[B, S, H]` and the final `(h, c)`, each `[L, B, H]`.
    public func callAsFunction(source: Tensor) -> (outputs: Tensor, state: (h: Tensor, c: Tensor)) {
        ensure(source.rank == 2, "Seq2SeqEncoder: expected source tokens [B, S], got \(source.shape)")
        let (out, state) = lstm(dropout(embedding(source)), state: nil)
        return (out, state)
    }
}

/// Attention weights of decoder states over encoder outputs.
///
/// ```
/// queries [B, T, H], keys [B, S, H] → scores [B, T, S] (padding → −∞) → softmax over S
/// ```
public final class Seq2SeqAttention: Module {
    /// The score function.
    public let score: AttentionScore
    /// W_q (additive only), no bias.
    public var queryProj: Linear?
    /// W_a (general) or W_k with bias b (additive).
    public var keyProj: Linear?
    /// v (additive only): H → 1, no bias.
    public var v: Linear?

    /// Creates the attention for `hiddenSize`-dimensional states.
    public init(hiddenSize: Int, score: AttentionScore, generator: RandomGenerator? = nil) {
        self.score = score
        switch score {
        case .dot: break
        case .general:
            keyProj = Linear(hiddenSize, hiddenSize, bias: false, generator: generator)
        case .additive:
            queryProj = Linear(hiddenSize, hiddenSize, bias: false, generator: generator)
            keyProj = Linear(hiddenSize, hiddenSize, generator: generator)
            v = Linear(hiddenSize, 1, bias: false, generator: generator)
        }
        super.init()
    }

    /// Weights `[B, T, S]` summing to 1 over S.
    /// - Parameters:
    ///   - queries: decoder states `[B, T, H]`.
    ///   - keys: encoder outputs `[B, S, H]`.
    ///   - padding: true at padded source positions, `[B, 1, S]`, or nil (nothing masked).
    public func weights(queries: Tensor, keys: Tensor, padding: Tensor?) -> Tensor {
        ensure(queries.rank == 3 && keys.rank == 3 && queries.shape[0] == keys.shape[0] && queries.shape[2] == keys.shape[2],
               "Seq2SeqAttention: expected queries [B, T, H] and keys [B, S, H], got \(queries.shape) and \(keys.shape)")
        var scores: Tensor
        switch score {
        case .dot:
            scores = queries.matmul(keys.transposed(1, 2))                      // [B, T, S]
        case .general:
            scores = queries.matmul(keyProj!(keys).transposed(1, 2))            // [B, T, S]
        case .additive:
            let q = queryProj!(queries).unsqueezed(2)                           // [B, T, 1, H]
            let k = keyProj!(keys).unsqueezed(1)                                // [B, 1, S, H]
            scores = v!((q + k).tanh()).squeezed(-1)                            // [B, T, S]
        }
        if let padding { scores = scores.maskedFill(padding, -Double.infinity) }
        return scores.softmax(axis: -1)
    }
}

/// The decoder: target embedding → dropout → LSTM from the encoder's final state → attention over
/// the encoder outputs → `h̃_t = tanh(W_c [c_t; h_t])` → dropout → vocabulary logits.
public final class AttentionDecoder: Module {
    /// Target token embedding.
    public var embedding: Embedding
    /// The recurrent decoder (same layers and hidden size as the encoder).
    public var lstm: LSTM
    /// Attention over the encoder outputs.
    public var attention: Seq2SeqAttention
    /// W_c: `[context; state]` (2H) → H, no bias.
    public var combine: Linear
    /// H → target vocabulary logits.
    public var out: Linear
    /// Dropout on the embeddings and on h̃ (training only).
    public var dropout: Dropout

    /// Creates the decoder.
    public init(vocabularySize: Int, embeddingDim: Int, hiddenSize: Int, numLayers: Int = 1, dropout: Double = 0,
                score: AttentionScore = .additive, paddingIndex: Int = 0, generator: RandomGenerator? = nil) {
        embedding = Embedding(vocabularySize, embeddingDim, paddingIndex: paddingIndex, generator: generator)
        lstm = LSTM(inputSize: embeddingDim, hiddenSize: hiddenSize, numLayers: numLayers, batchFirst: true,
                    dropout: numLayers > 1 ? dropout : 0, generator: generator)
        attention = Seq2SeqAttention(hiddenSize: hiddenSize, score: score, generator: generator)
        combine = Linear(2 * hiddenSize, hiddenSize, bias: false, generator: generator)
        out = Linear(hiddenSize, vocabularySize, generator: generator)
        self.dropout = Dropout(dropout, generator: generator)
        super.init()
    }

    /// Decodes `tokens` `[B, T]` from `state` (each `[L, B, H]`) attending to `encoderOutputs`
    /// `[B, S, H]`; returns logits `[B, T, V]`, the new state and the attention weights `[B, T, S]`.
    public func callAsFunction(_ tokens: Tensor, state: (h: Tensor, c: Tensor), encoderOutputs: Tensor,
                               padding: Tensor?) -> (logits: Tensor, state: (h: Tensor, c: Tensor), attention: Tensor) {
        let (h, newState) = lstm(dropout(embedding(tokens)), state: state)              // [B, T, H]
        let alpha = attention.weights(queries: h, keys: encoderOutputs, padding: padding)   // [B, T, S]
        let context = alpha.matmul(encoderOutputs)                                    // [B, T, H]
        let attentional = combine(Tensor.concat([context, h], axis: -1)).tanh()       // [B, T, H]
        return (out(dropout(attentional)), newState, alpha)
    }
}

/// An encoder-decoder for sequence transduction (translation, transliteration, summarization)
/// with attention over the source.
///
/// ```
/// source [B, S] → encoder → outputs [B, S, H], (h, c) [L, B, H]
/// target input [B, T] (BOS y_1 … y_{T−1}) → decoder from (h, c), attending to the outputs
///                                        → logits [B, T, V_target]
/// ```
/// Training uses teacher forcing (``callAsFunction(source:targetInput:sourceLengths:)``: the
/// ground-truth previous token is fed at every step, so the decoder runs over the whole target at
/// once) or scheduled sampling (``callAsFunction(source:targetInput:sourceLengths:teacherForcingRatio:generator:)``).
/// Inference decodes greedily (``greedyDecode(source:bos:eos:maxLength:sourceLengths:)``).
/// Source sequences are padded at the end; `sourceLengths` masks the padding out of the attention
/// (the encoder still reads it, as a torch LSTM without packing does).
///
/// Keys: `encoder.embedding.weight`, `encoder.lstm.weight_ih_l0`, …, `decoder.attention.key_proj.weight`,
/// `decoder.combine.weight`, `decoder.out.weight`, as the torch twin's.
public final class Seq2Seq: Module {
    /// The source encoder.
    public var encoder: Seq2SeqEncoder
    /// The attentional decoder.
    public var decoder: AttentionDecoder

    /// Creates the model; encoder and decoder share `embeddingDim`, `hiddenSize` and `numLayers`.
    public init(sourceVocabularySize: Int, targetVocabularySize: Int, embeddingDim: Int, hiddenSize: Int, numLayers: Int = 1,
                dropout: Double = 0, score: AttentionScore = .additive, paddingIndex: Int = 0, generator: RandomGenerator? = nil) {
        encoder = Seq2SeqEncoder(vocabularySize: sourceVocabularySize, embeddingDim: embeddingDim, hiddenSize: hiddenSize,
                                 numLayers: numLayers, dropout: dropout, paddingIndex: paddingIndex, generator: generator)
        decoder = AttentionDecoder(vocabularySize: targetVocabularySize, embeddingDim: embeddingDim, hiddenSize: hiddenSize,
                                   numLayers: numLayers, dropout: dropout, score: score, paddingIndex: paddingIndex, generator: generator)
        super.init()
    }

    /// True at padded positions, `[B, 1, S]`, from the true lengths (nil: no padding).
    static func paddingMask(_ lengths: [Int]?, batch: Int, sourceLength: Int) -> Tensor? {
        guard let lengths else { return nil }
        ensure(lengths.count == batch && lengths.allSatisfy { $0 >= 1 && $0 <= sourceLength },
               "Seq2Seq: expected \(batch) source lengths in 1…\(sourceLength), got \(lengths)")
        let pad = lengths.flatMap { n in (0..<sourceLength).map { $0 >= n } }
        return Tensor(pad, shape: [batch, 1, sourceLength])
    }

    /// Encodes `source` and returns the encoder outputs, the decoder's initial state and the mask.
    private func encode(_ source: Tensor, _ lengths: [Int]?) -> (Tensor, (h: Tensor, c: Tensor), Tensor?) {
        let (outputs, state) = encoder(source: source)
        return (outputs, state, Self.paddingMask(lengths, batch: source.shape[0], sourceLength: source.shape[1]))
    }

    /// Teacher forcing: logits `[B, T, V]` for source tokens `[B, S]` and target inputs `[B, T]`
    /// (the target shifted right, BOS first). Train with cross-entropy against the target shifted left.
    public func callAsFunction(source: Tensor, targetInput: Tensor, sourceLengths: [Int]? = nil) -> Tensor {
        ensure(targetInput.rank == 2 && targetInput.shape[0] == source.shape[0],
               "Seq2Seq: expected target input [\(source.shape[0]), T], got \(targetInput.shape)")
        let (outputs, state, padding) = encode(source, sourceLengths)
        return decoder(targetInput, state: state, encoderOutputs: outputs, padding: padding).logits
    }

    /// Scheduled sampling: decodes step by step; at each step after the first, the next input is
    /// the ground-truth token with probability `teacherForcingRatio` (one draw per step for the
    /// batch) and otherwise the model's own argmax prediction. Ratio 1 gives the same logits as
    /// teacher forcing. Returns logits `[B, T, V]`.
    public func callAsFunction(source: Tensor, targetInput: Tensor, sourceLengths: [Int]? = nil, teacherForcingRatio: Double,
                               generator: RandomGenerator? = nil) -> Tensor {
        ensure(teacherForcingRatio >= 0 && teacherForcingRatio <= 1, "Seq2Seq: teacher forcing ratio must be in [0, 1], got \(teacherForcingRatio)")
        ensure(targetInput.rank == 2 && targetInput.shape[0] == source.shape[0],
               "Seq2Seq: expected target input [\(source.shape[0]), T], got \(targetInput.shape)")
        let (outputs, initial, padding) = encode(source, sourceLengths)
        var state = initial
        var token = targetInput[.all, 0..<1]                                        // [B, 1]
        var steps: [Tensor] = []
        for t in 0..<targetInput.shape[1] {
            let r = decoder(token, state: state, encoderOutputs: outputs, padding: padding)
            steps.append(r.logits)
            state = r.state
            guard t + 1 < targetInput.shape[1] else { break }
            let teacher = Tensor.rand([], dtype: .float64, generator: generator).item() < teacherForcingRatio
            token = teacher ? targetInput[.all, (t + 1)..<(t + 2)] : r.logits.argmax(axis: -1)
        }
        return Tensor.concat(steps, axis: 1)
    }

    /// Greedy decoding: starting from `bos`, feeds back the argmax token until every sequence has
    /// produced `eos` or `maxLength` tokens are out. Returns int64 tokens `[B, L]`, L ≤ maxLength;
    /// positions after a sequence's EOS hold `eos`. Runs without recording gradients.
    public func greedyDecode(source: Tensor, bos: Int, eos: Int, maxLength: Int, sourceLengths: [Int]? = nil) -> Tensor {
        ensure(maxLength >= 1, "Seq2Seq.greedyDecode: maxLength must be at least 1, got \(maxLength)")
        return GradMode.withoutGrad {
            let (outputs, initial, padding) = encode(source, sourceLengths)
            var state = initial
            let b = source.shape[0]
            var token = Tensor([Int64](repeating: Int64(bos), count: b), shape: [b, 1])
            var done = [Bool](repeating: false, count: b)
            var produced: [[Int64]] = Array(repeating: [], count: b)
            for _ in 0..<maxLength {
                let r = decoder(token, state: state, encoderOutputs: outputs, padding: padding)
                state = r.state
                var next = r.logits.argmax(axis: -1).reshaped([b]).toArray(as: Int64.self)
                for i in 0..<b {
                    if done[i] { next[i] = Int64(eos) }
                    produced[i].append(next[i])
                    done[i] = done[i] || next[i] == Int64(eos)
                }
                token = Tensor(next, shape: [b, 1])
                if done.allSatisfy({ $0 }) { break }
            }
            return Tensor(produced.flatMap { $0 }, shape: [b, produced[0].count])
        }
    }
}

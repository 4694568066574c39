import CSwiftLearnKernels
import Foundation
import NLP
import Tensors

/// A BERT encoder turned into a sentence-embedding model, as sentence-transformers runs
/// all-MiniLM-L6-v2: WordPiece ids → transformer layers → pooling over the tokens → L2 norm.
///
/// For a sentence of n tokens (ids t₀ = [CLS] … t_{n−1} = [SEP]) and hidden width H:
///
///     x_p   = LN(E_word[t_p] + E_pos[p] + E_type[0])                          (embeddings)
///     per layer, with heads h of width d = H / heads:
///       q, k, v = x W_qᵀ + b_q, x W_kᵀ + b_k, x W_vᵀ + b_v
///       a_h     = softmax(q_h k_hᵀ / √d) v_h                                  (rows sum to 1)
///       x'      = LN(concat_h(a_h) W_oᵀ + b_o + x)
///       x       = LN(GELU(x' W_iᵀ + b_i) W_2ᵀ + b_2 + x'),  GELU(z) = z·½·(1 + erf(z/√2))
///     e     = (1/n) Σ_p x_p   (mean pooling)  or  x₀ ([CLS] pooling)
///     out   = e / max(‖e‖₂, 1e-12)   (when `normalize`)
///
/// LN is LayerNorm: (z − mean(z)) / √(var(z) + ε) · γ + β over the H values of a row.
///
/// Batches are *unpadded*: the tokens of all sentences of a batch are stacked into one matrix
/// (one GEMM per weight for the whole batch) and attention runs per sentence over its own rows,
/// which is what a padded batch with an attention mask computes (masked scores get probability
/// 0) without the work on padding. Products go through the Tensors GEMM (`BLAS.gemm`: OpenBLAS
/// or the native kernel); bias + GELU, residual + LayerNorm and attention are C kernels
/// (`encoder.c`), threaded with the kernels' pool. float32 throughout.
///
/// ```swift
/// let encoder = try BertEncoder(directory: URL(fileURLWithPath: "models/all-MiniLM-L6-v2"))
/// let vectors = try encoder.embed(["A man is eating food.", "Someone eats."])   // 2 × 384, unit length
/// ```
///
/// Immutable after loading, so one encoder may embed from several threads at once.
public final class BertEncoder: @unchecked Sendable {
    /// How the token vectors of a sentence become one vector.
    public enum Pooling: String, Sendable {
        /// The mean over the sentence's tokens (sentence-transformers' `pooling_mode_mean_tokens`).
        case mean
        /// The vector of the first token, [CLS] (`pooling_mode_cls_token`).
        case cls
    }

    /// The model's sizes.
    public let configuration: BertConfiguration
    /// Pooling of token vectors into the sentence vector.
    public let pooling: Pooling
    /// Divide each sentence vector by its L2 norm.
    public let normalize: Bool
    /// The most tokens per sentence, [CLS] and [SEP] included; longer texts are truncated.
    public let maxSequenceLength: Int
    /// Threads for the C kernels and the GEMM: ≤ 0 uses all CPUs and the GEMM the Tensors module
    /// chose for this machine (`BLAS.gemm`: OpenBLAS or the native kernel, whichever measured
    /// faster); > 0 runs the native GEMM on exactly that many threads (for fair comparisons).
    public var threads: Int = 0

    let weights: BertWeights
    /// The WordPiece tokenizer with BERT's [CLS] … [SEP] template and truncation to `maxSequenceLength`.
    /// Never mutated after `init` (which is what makes sharing it across threads safe).
    let tokenizer: HFTokenizer?

    /// Tokens per forward pass: bounds the activation memory (about 4·(3H + 2H + I) bytes a token,
    /// 50 KB for MiniLM) whatever the number of texts.
    public static let tokensPerBatch = 4096

    /// An encoder from parts: weights already checked against `configuration`.
    init(configuration: BertConfiguration, weights: BertWeights, tokenizer: HFTokenizer?, pooling: Pooling, normalize: Bool,
         maxSequenceLength: Int) {
        self.configuration = configuration
        self.weights = weights
        self.tokenizer = tokenizer
        self.pooling = pooling
        self.normalize = normalize
        self.maxSequenceLength = maxSequenceLength
    }

    /// Width of the sentence vectors.
    public var dimension: Int { configuration.hiddenSize }

    // MARK: - Text

    /// The token ids of `text` as the model sees them: [CLS], WordPiece ids, [SEP], truncated to
    /// `maxSequenceLength` (sentence-transformers' `tokenize`).
    public func tokenize(_ text: String) -> [Int] {
        tokenizer?.encode(text).ids ?? []
    }

    /// One vector per text (`dimension` values each; unit length when `normalize`).
    /// - Throws: `LLMError.invalidParameter` if the encoder has no tokenizer.
    public func embed(_ texts: [String]) throws -> [[Float]] {
        guard tokenizer != nil else {
            throw LLMError.invalidParameter(name: "tokenizer", value: "none", expected: "an encoder loaded with tokenizer.json or vocab.txt")
        }
        return try embed(tokenIDs: texts.map(tokenize))
    }

    // MARK: - Token ids

    /// Sentence vectors of token-id sequences (pooled, and normalized when `normalize`).
    /// - Throws: `LLMError.invalidParameter` for an empty sequence, one longer than the model's
    ///   positions, or an id outside the vocabulary.
    public func embed(tokenIDs: [[Int]]) throws -> [[Float]] {
        let h = configuration.hiddenSize
        var result: [[Float]] = []
        result.reserveCapacity(tokenIDs.count)
        try forEachBatch(tokenIDs) { states, lengths in
            var row = 0
            for n in lengths {
                var e = [Float](repeating: 0, count: h)
                switch pooling {
                case .cls:
                    for c in 0..<h { e[c] = states[row * h + c] }
                case .mean:
                    var sum = [Double](repeating: 0, count: h)   // in double: the mean of up to thousands of rows
                    for p in row..<(row + n) { for c in 0..<h { sum[c] += Double(states[p * h + c]) } }
                    for c in 0..<h { e[c] = Float(sum[c] / Double(n)) }
                }
                if normalize {
                    let norm = e.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                    let inv = Float(1 / max(norm, 1e-12))
                    for c in 0..<h { e[c] *= inv }
                }
                result.append(e)
                row += n
            }
        }
        return result
    }

    /// The last layer's token vectors of each sequence (`n × hiddenSize` values, row-major), as
    /// Hugging Face's `BertModel(...).last_hidden_state` without the padding rows.
    public func lastHiddenStates(tokenIDs: [[Int]]) throws -> [[Float]] {
        let h = configuration.hiddenSize
        var result: [[Float]] = []
        try forEachBatch(tokenIDs) { states, lengths in
            var row = 0
            for n in lengths { result.append(Array(states[(row * h)..<((row + n) * h)])); row += n }
        }
        return result
    }

    /// Checks every sequence, then runs them through the model in batches of at most
    /// `tokensPerBatch` tokens, in order, calling `body` with the stacked last hidden states.
    private func forEachBatch(_ sequences: [[Int]], _ body: ([Float], [Int]) throws -> Void) throws {
        let c = configuration
        let longest = min(c.maxPositions, maxSequenceLength)
        for (i, ids) in sequences.enumerated() {
            guard !ids.isEmpty, ids.count <= longest else {
                throw LLMError.invalidParameter(name: "sequence \(i) length", value: "\(ids.count)", expected: "1...\(longest) tokens")
            }
            if let bad = ids.first(where: { $0 < 0 || $0 >= c.vocabularySize }) {
                throw LLMError.invalidParameter(name: "token id in sequence \(i)", value: "\(bad)", expected: "an id in 0..<\(c.vocabularySize)")
            }
        }
        var start = 0
        while start < sequences.count {
            var end = start, tokens = 0
            while end < sequences.count, end == start || tokens + sequences[end].count <= Self.tokensPerBatch {
                tokens += sequences[end].count
                end += 1
            }
            let batch = Array(sequences[start..<end])
            try body(try forward(batch), batch.map(\.count))
            start = end
        }
    }

    // MARK: - The transformer

    /// The last hidden states of the stacked sequences (`Σ nᵢ × H`, row-major). Ids are checked.
    func forward(_ sequences: [[Int]]) throws -> [Float] {
        let c = configuration, w = weights
        let h = c.hiddenSize, inner = c.intermediateSize
        let t = sequences.reduce(0) { $0 + $1.count }
        var starts: [Int] = [], lengths: [Int] = []
        var x = [Float](repeating: 0, count: t * h)
        var row = 0
        for ids in sequences {
            starts.append(row); lengths.append(ids.count)
            for (p, id) in ids.enumerated() {
                for k in 0..<h {
                    x[row * h + k] = w.wordEmbeddings[id * h + k] + w.positionEmbeddings[p * h + k] + w.typeEmbeddings[k]
                }
                row += 1
            }
        }
        let threads = Int32(self.threads)
        let eps = c.layerNormEpsilon
        sl_encoder_add_layernorm_f32(&x, nil, nil, w.embeddingNormWeight, w.embeddingNormBias, t, h, eps, threads)

        var qkv = [Float](repeating: 0, count: t * 3 * h)
        var context = [Float](repeating: 0, count: t * h)
        var attended = [Float](repeating: 0, count: t * h)
        var hidden = [Float](repeating: 0, count: t * inner)
        for layer in w.layers {
            linear(x, layer.qkv, rows: t, inputs: h, outputs: 3 * h, into: &qkv)
            sl_encoder_bias_f32(&qkv, layer.qkvBias, t, 3 * h, threads)
            guard sl_encoder_attention_f32(qkv, h, c.headCount, starts, lengths, sequences.count, &context, threads) == 0 else {
                throw LLMError.invalidParameter(name: "batch", value: "\(t) tokens", expected: "memory for the attention scratch")
            }
            linear(context, layer.attentionOut, rows: t, inputs: h, outputs: h, into: &attended)
            sl_encoder_add_layernorm_f32(&attended, layer.attentionOutBias, x, layer.attentionNormWeight, layer.attentionNormBias, t, h, eps, threads)
            linear(attended, layer.intermediate, rows: t, inputs: h, outputs: inner, into: &hidden)
            sl_encoder_bias_gelu_f32(&hidden, layer.intermediateBias, t, inner, threads)
            linear(hidden, layer.output, rows: t, inputs: inner, outputs: h, into: &x)
            sl_encoder_add_layernorm_f32(&x, layer.outputBias, attended, layer.outputNormWeight, layer.outputNormBias, t, h, eps, threads)
        }
        return x
    }

    /// `y = x Wᵀ` for `rows` rows (`x`: rows × inputs, `W`: outputs × inputs, PyTorch's layout).
    func linear(_ x: [Float], _ weight: [Float], rows: Int, inputs: Int, outputs: Int, into y: inout [Float]) {
        let threads = self.threads
        x.withUnsafeBufferPointer { xp in
            weight.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    if threads > 0 {
                        sl_sgemm_native(0, 1, rows, outputs, inputs, 1, xp.baseAddress!, inputs, wp.baseAddress!, inputs, 0, yp.baseAddress!, outputs, Int32(threads))
                    } else {
                        BLAS.gemm(transposeB: true, m: rows, n: outputs, k: inputs, a: xp.baseAddress!, lda: inputs,
                                  b: wp.baseAddress!, ldb: inputs, c: yp.baseAddress!, ldc: outputs)
                    }
                }
            }
        }
    }
}

import CSwiftLearnKernels
import Foundation

/// A Llama-family decoder read from a GGUF file: token embedding, `layerCount` blocks of
/// norm → grouped-query attention with RoPE → norm → gated feed-forward, a final norm and the
/// output projection (tied to the embedding when the file has no `output.weight`). The same code
/// runs Qwen2, Gemma, Phi-3 and GPT-2, whose blocks differ only in the choices
/// `LlamaConfiguration` lists (RoPE layout, RMSNorm or LayerNorm, SwiGLU/GeGLU/GELU, biases,
/// fused projections, embedding scale, learned positions).
public final class LlamaModel: @unchecked Sendable {
    /// How the arithmetic is done.
    public enum Precision: String, Sendable, CaseIterable {
        /// As llama.cpp's CPU backend: q4_1/q8_0 weights stay quantized in the mapped file and
        /// multiply activations quantized per block (q8_1/q8_0); the KV cache is float16. Fast, and
        /// the numbers llama.cpp users see.
        case ggml
        /// Every weight dequantized to float32 once, all arithmetic in float32 (the numbers of
        /// Hugging Face transformers on the dequantized model); needs 4 bytes per parameter.
        case float32
    }

    /// The model's shape and the arithmetic it runs with.
    public let configuration: LlamaConfiguration
    public let precision: Precision
    /// The path of the file (for messages).
    public let path: String
    /// Threads the matrix products use (≤ 0: all CPUs).
    public var threads: Int = 0

    /// A weight matrix in whichever form the precision keeps it.
    enum Linear: @unchecked Sendable {
        case dense(DenseMatrix)
        case quantized(QuantizedMatrix)

        var rows: Int { switch self { case .dense(let m): return m.rows; case .quantized(let q): return q.rows } }
        var columns: Int { switch self { case .dense(let m): return m.columns; case .quantized(let q): return q.columns } }

        func row(_ r: Int, into out: UnsafeMutablePointer<Float>) {
            switch self {
            case .dense(let m): m.row(r, into: out)
            case .quantized(let q): q.row(r, into: out)
            }
        }

        /// The rows `range` as a matrix of their own (no copy for quantized weights).
        func rows(_ range: Range<Int>) -> Linear {
            switch self {
            case .dense(let m):
                return .dense(DenseMatrix(rows: range.count, columns: m.columns, values: Array(m.values[(range.lowerBound * m.columns)..<(range.upperBound * m.columns)])))
            case .quantized(let q): return .quantized(q.rows(range))
            }
        }
    }

    /// A weight vector of a normalization, and its bias when the architecture has one.
    struct Norm {
        let weight: [Float], bias: [Float]?
    }

    struct Layer {
        let attentionNorm: Norm, feedForwardNorm: Norm
        let query: Linear, key: Linear, value: Linear, attentionOutput: Linear
        let queryBias: [Float]?, keyBias: [Float]?, valueBias: [Float]?, attentionOutputBias: [Float]?
        /// nil for a plain MLP (GPT-2).
        let gate: Linear?
        let up: Linear, down: Linear
        let upBias: [Float]?, downBias: [Float]?
    }

    let file: GGUFFile
    let embedding: Linear
    /// Learned absolute positions (GPT-2), `contextLength × dimension`.
    let positionEmbedding: DenseMatrix?
    let layers: [Layer]
    let outputNorm: Norm
    let output: Linear
    let outputBias: [Float]?
    let inverseFrequencies: [Float]

    /// Opens the model in `file`.
    /// - Throws: `LLMError` when the architecture is not implemented, a tensor is missing, has the
    ///   wrong shape, or uses a type this runtime cannot decode.
    public init(file: GGUFFile, precision: Precision = .ggml) throws {
        let c = try LlamaConfiguration(file: file)
        configuration = c
        self.precision = precision
        self.file = file
        path = file.path
        func tensor(_ name: String, _ shape: [Int]) throws -> GGUFTensorInfo {
            guard let t = file.tensor(named: name) else { throw LLMError.missing(path: file.path, what: "tensor '\(name)' is missing") }
            guard t.dimensions == shape else {
                throw LLMError.missing(path: file.path, what: "tensor '\(name)' has dimensions \(t.dimensions), expected \(shape)")
            }
            return t
        }
        func linear(_ name: String, rows: Int, columns: Int) throws -> Linear {
            let t = try tensor(name, [columns, rows])
            if precision == .ggml, let q = QuantizedMatrix(t, of: file) { return .quantized(q) }
            return .dense(try DenseMatrix(t, of: file))
        }
        func vector(_ name: String, _ n: Int) throws -> [Float] { try DenseMatrix(try tensor(name, [n]), of: file).values }
        func optionalVector(_ name: String, _ n: Int) throws -> [Float]? { file.tensor(named: name) == nil ? nil : try vector(name, n) }
        func norm(_ name: String, _ n: Int) throws -> Norm {
            Norm(weight: try vector(name + ".weight", n), bias: try optionalVector(name + ".bias", n))
        }
        /// A fused tensor (`attn_qkv`, Phi-3's gate+up `ffn_up`) cut into its row blocks.
        func split(_ name: String, columns: Int, _ parts: [Int]) throws -> [Linear] {
            let whole = try linear(name, rows: parts.reduce(0, +), columns: columns)
            var start = 0
            return parts.map { n in defer { start += n }; return whole.rows(start..<(start + n)) }
        }
        func splitVector(_ name: String, _ parts: [Int]) throws -> [[Float]?] {
            guard let v = try optionalVector(name, parts.reduce(0, +)) else { return parts.map { _ in nil } }
            var start = 0
            return parts.map { n in defer { start += n }; return Array(v[start..<(start + n)]) }
        }
        if file.tensor(named: "rope_factors_long.weight") != nil || file.tensor(named: "blk.0.rope_factors_long.weight") != nil {
            throw LLMError.unsupported(path: file.path, what: "LongRoPE scaling factors (rope_factors_long/short)")
        }
        let d = c.dimension, qd = c.queryDimension, kv = c.kvDimension, f = c.feedForwardDimension
        embedding = try linear("token_embd.weight", rows: c.vocabularySize, columns: d)
        positionEmbedding = c.ropeStyle == .none ? try DenseMatrix(try tensor("position_embd.weight", [d, c.contextLength]), of: file) : nil
        var layers: [Layer] = []
        for i in 0..<c.layerCount {
            let p = "blk.\(i)."
            let fusedQKV = file.tensor(named: p + "attn_qkv.weight") != nil
            let qkv = fusedQKV ? try split(p + "attn_qkv.weight", columns: d, [qd, kv, kv])
                               : [try linear(p + "attn_q.weight", rows: qd, columns: d), try linear(p + "attn_k.weight", rows: kv, columns: d),
                                  try linear(p + "attn_v.weight", rows: kv, columns: d)]
            let qkvBias = fusedQKV ? try splitVector(p + "attn_qkv.bias", [qd, kv, kv])
                                   : [try optionalVector(p + "attn_q.bias", qd), try optionalVector(p + "attn_k.bias", kv), try optionalVector(p + "attn_v.bias", kv)]
            let gate: Linear?, up: Linear
            if c.feedForward == .gelu {
                (gate, up) = (nil, try linear(p + "ffn_up.weight", rows: f, columns: d))
            } else if file.tensor(named: p + "ffn_gate.weight") == nil {
                let halves = try split(p + "ffn_up.weight", columns: d, [f, f])   // Phi-3: gate rows, then up rows
                (gate, up) = (halves[0], halves[1])
            } else {
                (gate, up) = (try linear(p + "ffn_gate.weight", rows: f, columns: d), try linear(p + "ffn_up.weight", rows: f, columns: d))
            }
            layers.append(Layer(
                attentionNorm: try norm(p + "attn_norm", d), feedForwardNorm: try norm(p + "ffn_norm", d),
                query: qkv[0], key: qkv[1], value: qkv[2], attentionOutput: try linear(p + "attn_output.weight", rows: d, columns: qd),
                queryBias: qkvBias[0], keyBias: qkvBias[1], valueBias: qkvBias[2], attentionOutputBias: try optionalVector(p + "attn_output.bias", d),
                gate: gate, up: up, down: try linear(p + "ffn_down.weight", rows: d, columns: f),
                upBias: try optionalVector(p + "ffn_up.bias", f), downBias: try optionalVector(p + "ffn_down.bias", d)))
        }
        self.layers = layers
        outputNorm = try norm("output_norm", d)
        output = file.tensor(named: "output.weight") == nil ? embedding : try linear("output.weight", rows: c.vocabularySize, columns: d)
        outputBias = try optionalVector("output.bias", c.vocabularySize)
        let half = c.ropeDimensionCount / 2
        inverseFrequencies = (0..<half).map { powf(c.ropeBase, -2 * Float($0) / Float(c.ropeDimensionCount)) }
    }

    /// A new conversation state (KV cache) of up to `contextLength` tokens (the model's own by default).
    /// - Throws: `LLMError.invalidParameter` for a length outside 1…the model's context length.
    public func makeSession(contextLength: Int? = nil) throws -> LlamaSession {
        let n = contextLength ?? configuration.contextLength
        guard n >= 1, n <= configuration.contextLength else {
            throw LLMError.invalidParameter(name: "context_length", value: "\(n)", expected: "1…\(configuration.contextLength) (the model's context length)")
        }
        return LlamaSession(model: self, contextLength: n)
    }
}

/// The state of one sequence: its key/value cache and position.
public final class LlamaSession: @unchecked Sendable {
    /// The model, and the most tokens this session holds.
    public let model: LlamaModel
    public let contextLength: Int
    /// Tokens evaluated so far.
    public internal(set) var tokens: [Int] = []
    /// The cache, one array per layer holding `cachedPositions × kvDimension` values: float16 in
    /// `.ggml` precision (as llama.cpp's default), float32 otherwise. It grows with the tokens
    /// evaluated (doubling, up to `contextLength`), so a session's memory follows its use rather
    /// than the model's context length.
    var keys32: [[Float]] = [], values32: [[Float]] = []
    var keys16: [[UInt16]] = [], values16: [[UInt16]] = []       // float16 bit patterns
    /// Set to a layer index to record that layer's attention probabilities in
    /// `recordedAttention` for every token evaluated from then on (for inspection and plots).
    public var recordedAttentionLayer: Int?
    public var recordedAttention: [AttentionRecord] = []
    /// Positions the cache arrays have room for.
    var cachedPositions = 0
    // Scratch of one token: its residual stream and normalized copy (dimension), query and attention
    // output (queryDimension), key and value (kvDimension), attention scores (contextLength). After
    // an evaluation `x` holds the final hidden state of the session's last token.
    var x: [Float], h: [Float], q: [Float], k: [Float], v: [Float], attention: [Float], scores: [Float]
    var quantized: [UInt8] = []
    var q16: [UInt16]

    init(model: LlamaModel, contextLength: Int) {
        self.model = model
        self.contextLength = contextLength
        let c = model.configuration
        if model.precision == .ggml {
            keys16 = Array(repeating: [], count: c.layerCount); values16 = keys16
        } else {
            keys32 = Array(repeating: [], count: c.layerCount); values32 = keys32
        }
        x = [Float](repeating: 0, count: c.dimension)
        h = x
        q = [Float](repeating: 0, count: c.queryDimension); attention = q
        q16 = [UInt16](repeating: 0, count: sl_attention_scratch_f16(c.headCount, c.headDimension))
        k = [Float](repeating: 0, count: c.kvDimension); v = k
        scores = [Float](repeating: 0, count: contextLength)
    }

    /// Makes room in the cache for positions `0..<positions` (≤ `contextLength`).
    func reserveCache(_ positions: Int) {
        guard positions > cachedPositions else { return }
        let target = min(contextLength, max(positions, 2 * cachedPositions, 64))
        let extra = (target - cachedPositions) * model.configuration.kvDimension
        for li in 0..<model.configuration.layerCount {
            if model.precision == .ggml {
                keys16[li].append(contentsOf: repeatElement(0, count: extra)); values16[li].append(contentsOf: repeatElement(0, count: extra))
            } else {
                keys32[li].append(contentsOf: repeatElement(0, count: extra)); values32[li].append(contentsOf: repeatElement(0, count: extra))
            }
        }
        cachedPositions = target
    }

    /// Forgets every token (the cache is reused).
    public func reset() { tokens.removeAll(keepingCapacity: true) }

    /// Evaluates `token` at the next position and returns the logits of the token after it (a
    /// batch of one: the same code as prompt evaluation).
    /// - Throws: `LLMError.invalidParameter` for an id outside the vocabulary or a full context.
    @discardableResult
    public func evaluate(_ token: Int) throws -> [Float] {
        let c = model.configuration
        guard token >= 0, token < c.vocabularySize else {
            throw LLMError.invalidParameter(name: "token", value: "\(token)", expected: "an id in 0..<\(c.vocabularySize)")
        }
        guard tokens.count < contextLength else {
            throw LLMError.invalidParameter(name: "position", value: "\(tokens.count)", expected: "fewer than the session's \(contextLength) tokens")
        }
        return try evaluateBatched([token])
    }

    /// gate ← silu(gate) · up, elementwise (ggml's exp in `.ggml` precision, libm's otherwise).
    func swiglu(_ gate: inout [Float], _ up: [Float]) {
        if model.precision == .ggml {
            gate.withUnsafeMutableBufferPointer { g in up.withUnsafeBufferPointer { sl_swiglu_ggml(g.baseAddress!, $0.baseAddress!, g.baseAddress!, g.count) } }
        } else {
            for i in 0..<gate.count { let g = gate[i]; gate[i] = g / (1 + expf(-g)) * up[i] }
        }
    }

    /// GELU with the tanh approximation (GPT-2's `gelu_new`, PyTorch's `approximate="tanh"`, ggml's
    /// `gelu`): x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
    @inline(__always)
    static func gelu(_ x: Float) -> Float {
        0.5 * x * (1 + tanhf(0.7978845608028654 * (x + 0.044715 * x * x * x)))
    }

    /// Attention over a float32 cache.
    func attend32(layer li: Int, position pos: Int) {
        let c = model.configuration
        let hd = c.headDimension, kvd = c.kvDimension, group = c.headCount / c.kvHeadCount
        keys32[li].replaceSubrange((pos * kvd)..<((pos + 1) * kvd), with: k)
        values32[li].replaceSubrange((pos * kvd)..<((pos + 1) * kvd), with: v)
        let scale = 1 / Float(hd).squareRoot()
        keys32[li].withUnsafeBufferPointer { kc in
            values32[li].withUnsafeBufferPointer { vc in
                q.withUnsafeBufferPointer { qp in
                    for head in 0..<c.headCount {
                        let kvHead = head / group
                        let qh = qp.baseAddress! + head * hd
                        for t in 0...pos { scores[t] = DenseMatrix.dot(qh, kc.baseAddress! + t * kvd + kvHead * hd, hd) * scale }
                        softmax(pos + 1)
                        for j in 0..<hd { attention[head * hd + j] = 0 }
                        for t in 0...pos {
                            let w = scores[t]
                            let vt = vc.baseAddress! + t * kvd + kvHead * hd
                            for j in 0..<hd { attention[head * hd + j] += w * vt[j] }
                        }
                    }
                }
            }
        }
    }

    /// Attention as ggml computes it with a float16 cache: K·q with q rounded to float16, a float32
    /// softmax (double sum), the probabilities rounded to float16 for the product with V (C kernel).
    func attend16(layer li: Int, position pos: Int) {
        let c = model.configuration
        let kvd = c.kvDimension
        k.withUnsafeBufferPointer { kp in
            keys16[li].withUnsafeMutableBufferPointer { sl_f32_to_f16(kp.baseAddress!, $0.baseAddress! + pos * kvd, kvd) }
        }
        v.withUnsafeBufferPointer { vp in
            values16[li].withUnsafeMutableBufferPointer { sl_f32_to_f16(vp.baseAddress!, $0.baseAddress! + pos * kvd, kvd) }
        }
        let scale = 1 / Float(c.headDimension).squareRoot()
        keys16[li].withUnsafeBufferPointer { kc in
            values16[li].withUnsafeBufferPointer { vc in
                q.withUnsafeBufferPointer { qp in
                    scores.withUnsafeMutableBufferPointer { sp in
                        q16.withUnsafeMutableBufferPointer { scratch in
                            attention.withUnsafeMutableBufferPointer { out in
                                sl_attention_f16(qp.baseAddress!, c.headCount, c.kvHeadCount, c.headDimension, kc.baseAddress!, vc.baseAddress!,
                                                 kvd, pos + 1, scale, sp.baseAddress!, scratch.baseAddress!, out.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Softmax of `scores[0..<n]` in place (sum in double, as ggml).
    func softmax(_ n: Int) {
        var m = -Float.infinity
        for t in 0..<n { m = max(m, scores[t]) }
        var sum = 0.0
        for t in 0..<n { let e = expf(scores[t] - m); scores[t] = e; sum += Double(e) }
        let inv = Float(1 / sum)
        for t in 0..<n { scores[t] *= inv }
    }

    /// Evaluates `tokens` in order (in batches: each weight matrix is read once per batch, not once
    /// per token; the arithmetic of every token is the same as `evaluate(_:)`'s); returns the
    /// logits after the last one.
    /// - Throws: as `evaluate(_:)`.
    public func evaluate(_ tokens: [Int]) throws -> [Float] {
        guard !tokens.isEmpty else { throw LLMError.invalidParameter(name: "tokens", value: "[]", expected: "at least one token") }
        return try evaluateBatched(tokens)
    }

    /// RoPE: in ggml's "normal" layout (`adjacentPairs`) dimensions (2i, 2i+1) of each head rotate
    /// by pos·θ_i; in the NeoX layout (`halves`, transformers' `rotate_half`) dimensions (i, i + n/2),
    /// n the rotated dimensions. In `.ggml` precision the angle is built as ggml does (pos multiplied
    /// by base^(-2/n) once per pair, in float32); in `.float32` as transformers (pos · base^(-2i/n)).
    func rope(_ v: inout [Float], heads: Int, position: Int) {
        let c = model.configuration
        let hd = c.headDimension
        let ggml = model.precision == .ggml
        let halves = c.ropeStyle == .halves, half = c.ropeDimensionCount / 2
        let thetaScale = powf(c.ropeBase, -2 / Float(c.ropeDimensionCount))
        var theta = Float(position)
        for (i, f) in model.inverseFrequencies.enumerated() {
            let angle = ggml ? theta : Float(position) * f
            theta *= thetaScale
            let cs = cosf(angle), sn = sinf(angle)
            for head in 0..<heads {
                let a = head * hd + (halves ? i : 2 * i), b = halves ? a + half : a + 1
                let x0 = v[a], x1 = v[b]
                if ggml {
                    // GCC contracts ggml's `x0*cos - x1*sin` into one fused multiply-add (x86-64 builds use FMA).
                    v[a] = (-(x1 * sn)).addingProduct(x0, cs)
                    v[b] = (x1 * cs).addingProduct(x0, sn)
                } else {
                    v[a] = x0 * cs - x1 * sn
                    v[b] = x0 * sn + x1 * cs
                }
            }
        }
    }

    /// The architecture's normalization of `x` into `out`: RMSNorm or LayerNorm, times the weight,
    /// plus the bias when there is one.
    static func normalize(_ x: [Float], _ norm: LlamaModel.Norm, _ c: LlamaConfiguration, into out: inout [Float], ggml: Bool) {
        switch c.normalization {
        case .rms: rmsNorm(x, norm.weight, c.normEpsilon, into: &out, ggml: ggml)
        case .layer: layerNorm(x, norm.weight, c.normEpsilon, into: &out)
        }
        if let b = norm.bias { for i in 0..<x.count { out[i] += b[i] } }
    }

    /// (x − mean) / sqrt(variance + ε) · weight, mean and variance accumulated in double (as ggml's
    /// `norm`; transformers' float32 LayerNorm agrees to rounding).
    static func layerNorm(_ x: [Float], _ weight: [Float], _ eps: Float, into out: inout [Float]) {
        var sum = 0.0
        for v in x { sum += Double(v) }
        let mean = Float(sum / Double(x.count))
        var sum2 = 0.0
        for i in 0..<x.count { let centered = x[i] - mean; out[i] = centered; sum2 += Double(centered * centered) }
        let scale = 1 / (Float(sum2 / Double(x.count)) + eps).squareRoot()
        for i in 0..<x.count { out[i] = out[i] * scale * weight[i] }
    }

    /// x / sqrt(mean(x²) + ε) · weight, the mean accumulated in double (as ggml).
    static func rmsNorm(_ x: [Float], _ weight: [Float], _ eps: Float, into out: inout [Float], ggml: Bool = false) {
        var ss = 0.0
        // ggml squares in float32 and sums in double; the float32 path keeps the exact squares.
        if ggml { for v in x { ss += Double(v * v) } } else { for v in x { ss += Double(v) * Double(v) } }
        let scale = 1 / (Float(ss / Double(x.count)) + eps).squareRoot()
        for i in 0..<x.count { out[i] = x[i] * scale * weight[i] }
    }
}

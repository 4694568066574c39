import CSwiftLearnKernels
import Foundation

/// A Llama-family decoder read from a GGUF file: token embedding, `layerCount` blocks of
/// RMSNorm → grouped-query attention with RoPE → RMSNorm → SwiGLU feed-forward, a final RMSNorm and
/// the output projection (tied to the embedding when the file has no `output.weight`).
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

        /// `y = W x` for one activation row; `scratch` holds the quantized activation.
        func multiply(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, scratch: inout [UInt8], threads: Int) {
            switch self {
            case .dense(let m): m.multiply(x, into: y)
            case .quantized(let q):
                if scratch.count < q.activationBytes { scratch = [UInt8](repeating: 0, count: q.activationBytes) }
                scratch.withUnsafeMutableBytes { s in
                    q.quantize(x, count: 1, into: s.baseAddress!)
                    q.multiply(quantized: s.baseAddress!, count: 1, into: y, threads: threads)
                }
            }
        }
    }

    struct Layer {
        let attentionNorm: [Float], feedForwardNorm: [Float]
        let query: Linear, key: Linear, value: Linear, attentionOutput: Linear
        let gate: Linear, up: Linear, down: Linear
    }

    let file: GGUFFile
    let embedding: Linear
    let layers: [Layer]
    let outputNorm: [Float]
    let output: Linear
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
        let d = c.dimension, kv = c.kvDimension, f = c.feedForwardDimension
        embedding = try linear("token_embd.weight", rows: c.vocabularySize, columns: d)
        var layers: [Layer] = []
        for i in 0..<c.layerCount {
            let p = "blk.\(i)."
            layers.append(Layer(
                attentionNorm: try vector(p + "attn_norm.weight", d), feedForwardNorm: try vector(p + "ffn_norm.weight", d),
                query: try linear(p + "attn_q.weight", rows: d, columns: d), key: try linear(p + "attn_k.weight", rows: kv, columns: d),
                value: try linear(p + "attn_v.weight", rows: kv, columns: d), attentionOutput: try linear(p + "attn_output.weight", rows: d, columns: d),
                gate: try linear(p + "ffn_gate.weight", rows: f, columns: d), up: try linear(p + "ffn_up.weight", rows: f, columns: d),
                down: try linear(p + "ffn_down.weight", rows: d, columns: f)))
        }
        self.layers = layers
        outputNorm = try vector("output_norm.weight", d)
        output = file.tensor(named: "output.weight") == nil ? embedding : try linear("output.weight", rows: c.vocabularySize, columns: d)
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
    /// The cache: float16 in `.ggml` precision (as llama.cpp's default), float32 otherwise.
    var keys32: [[Float]] = [], values32: [[Float]] = []
    var keys16: [[UInt16]] = [], values16: [[UInt16]] = []       // float16 bit patterns
    // Scratch buffers of one step.
    var x: [Float], h: [Float], q: [Float], k: [Float], v: [Float], attention: [Float], scores: [Float]
    var gate: [Float], up: [Float], projected: [Float], quantized: [UInt8] = []
    var q16: [UInt16]

    init(model: LlamaModel, contextLength: Int) {
        self.model = model
        self.contextLength = contextLength
        let c = model.configuration
        if model.precision == .ggml {
            keys16 = Array(repeating: [UInt16](repeating: 0, count: contextLength * c.kvDimension), count: c.layerCount)
            values16 = keys16
        } else {
            keys32 = Array(repeating: [Float](repeating: 0, count: contextLength * c.kvDimension), count: c.layerCount)
            values32 = keys32
        }
        x = [Float](repeating: 0, count: c.dimension)
        h = x; q = x; attention = x; projected = x
        q16 = [UInt16](repeating: 0, count: sl_attention_scratch_f16(c.headCount, c.headDimension))
        k = [Float](repeating: 0, count: c.kvDimension); v = k
        scores = [Float](repeating: 0, count: contextLength)
        gate = [Float](repeating: 0, count: c.feedForwardDimension); up = gate
    }

    /// Forgets every token (the cache is reused).
    public func reset() { tokens.removeAll(keepingCapacity: true) }

    func multiply(_ w: LlamaModel.Linear, _ input: [Float], into out: inout [Float]) {
        let threads = model.threads
        input.withUnsafeBufferPointer { ip in
            out.withUnsafeMutableBufferPointer { op in w.multiply(ip.baseAddress!, into: op.baseAddress!, scratch: &quantized, threads: threads) }
        }
    }

    /// Evaluates `token` at the next position and returns the logits of the token after it.
    /// - Throws: `LLMError.invalidParameter` for an id outside the vocabulary or a full context.
    @discardableResult
    public func evaluate(_ token: Int) throws -> [Float] { try step(token, logits: true) }

    /// One token through every layer; the output projection (a fifth of the work for SmolLM2's
    /// 49,152-token vocabulary) only when `logits` is asked for.
    func step(_ token: Int, logits wanted: Bool) throws -> [Float] {
        let c = model.configuration
        guard token >= 0, token < c.vocabularySize else {
            throw LLMError.invalidParameter(name: "token", value: "\(token)", expected: "an id in 0..<\(c.vocabularySize)")
        }
        guard tokens.count < contextLength else {
            throw LLMError.invalidParameter(name: "position", value: "\(tokens.count)", expected: "fewer than the session's \(contextLength) tokens")
        }
        let pos = tokens.count
        tokens.append(token)
        let d = c.dimension
        x.withUnsafeMutableBufferPointer { model.embedding.row(token, into: $0.baseAddress!) }
        for (li, layer) in model.layers.enumerated() {
            Self.rmsNorm(x, layer.attentionNorm, c.rmsEpsilon, into: &h, ggml: model.precision == .ggml)
            h.withUnsafeBufferPointer { ip in
                q.withUnsafeMutableBufferPointer { qp in k.withUnsafeMutableBufferPointer { kp in v.withUnsafeMutableBufferPointer { vp in
                    LlamaModel.Linear.multiply([layer.query, layer.key, layer.value], rows: ip.baseAddress!, count: 1,
                                               into: [qp.baseAddress!, kp.baseAddress!, vp.baseAddress!], scratch: &quantized, threads: model.threads)
                } } }
            }
            rope(&q, heads: c.headCount, position: pos)
            rope(&k, heads: c.kvHeadCount, position: pos)
            if model.precision == .ggml { attend16(layer: li, position: pos) } else { attend32(layer: li, position: pos) }
            multiply(layer.attentionOutput, attention, into: &projected)
            for i in 0..<d { x[i] += projected[i] }
            Self.rmsNorm(x, layer.feedForwardNorm, c.rmsEpsilon, into: &h, ggml: model.precision == .ggml)
            h.withUnsafeBufferPointer { ip in
                gate.withUnsafeMutableBufferPointer { g in up.withUnsafeMutableBufferPointer { u in
                    LlamaModel.Linear.multiply([layer.gate, layer.up], rows: ip.baseAddress!, count: 1, into: [g.baseAddress!, u.baseAddress!],
                                               scratch: &quantized, threads: model.threads)
                } }
            }
            swiglu(&gate, up)
            multiply(layer.down, gate, into: &projected)
            for i in 0..<d { x[i] += projected[i] }
        }
        guard wanted else { return [] }
        Self.rmsNorm(x, model.outputNorm, c.rmsEpsilon, into: &h, ggml: model.precision == .ggml)
        var logits = [Float](repeating: 0, count: c.vocabularySize)
        multiply(model.output, h, into: &logits)
        return logits
    }

    /// gate ← silu(gate) · up, elementwise (ggml's exp in `.ggml` precision, libm's otherwise).
    func swiglu(_ gate: inout [Float], _ up: [Float]) {
        if model.precision == .ggml {
            gate.withUnsafeMutableBufferPointer { g in up.withUnsafeBufferPointer { sl_swiglu_ggml(g.baseAddress!, $0.baseAddress!, g.baseAddress!, g.count) } }
        } else {
            for i in 0..<gate.count { let g = gate[i]; gate[i] = g / (1 + expf(-g)) * up[i] }
        }
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

    /// RoPE in ggml's "normal" layout: dimensions (2i, 2i+1) of each head rotate by pos·θ_i. In
    /// `.ggml` precision the angle is built as ggml does (pos multiplied by base^(-2/n) once per
    /// pair, in float32); in `.float32` as transformers (pos · base^(-2i/n)).
    func rope(_ v: inout [Float], heads: Int, position: Int) {
        let c = model.configuration
        let hd = c.headDimension
        let ggml = model.precision == .ggml
        let thetaScale = powf(c.ropeBase, -2 / Float(c.ropeDimensionCount))
        var theta = Float(position)
        for (i, f) in model.inverseFrequencies.enumerated() {
            let angle = ggml ? theta : Float(position) * f
            theta *= thetaScale
            let cs = cosf(angle), sn = sinf(angle)
            for head in 0..<heads {
                let a = head * hd + 2 * i
                let x0 = v[a], x1 = v[a + 1]
                if ggml {
                    // GCC contracts ggml's `x0*cos - x1*sin` into one fused multiply-add (x86-64 builds use FMA).
                    v[a] = (-(x1 * sn)).addingProduct(x0, cs)
                    v[a + 1] = (x1 * cs).addingProduct(x0, sn)
                } else {
                    v[a] = x0 * cs - x1 * sn
                    v[a + 1] = x0 * sn + x1 * cs
                }
            }
        }
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

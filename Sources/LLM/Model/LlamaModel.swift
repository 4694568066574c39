import Foundation

/// A Llama-family decoder read from a GGUF file: token embedding, `layerCount` blocks of
/// RMSNorm → grouped-query attention with RoPE → RMSNorm → SwiGLU feed-forward, a final RMSNorm and
/// the output projection (tied to the embedding when the file has no `output.weight`).
///
/// This is the float32 reference path: weights are dequantized once when the model is opened.
public final class LlamaModel: @unchecked Sendable {
    public let configuration: LlamaConfiguration
    /// The path of the file (for messages).
    public let path: String

    struct Layer {
        let attentionNorm: [Float], feedForwardNorm: [Float]
        let query: DenseMatrix, key: DenseMatrix, value: DenseMatrix, attentionOutput: DenseMatrix
        let gate: DenseMatrix, up: DenseMatrix, down: DenseMatrix
    }

    let embedding: DenseMatrix
    let layers: [Layer]
    let outputNorm: [Float]
    let output: DenseMatrix
    /// cos/sin of every (position, pair) RoPE uses, built lazily per session length.
    let inverseFrequencies: [Float]

    /// Opens the model in `file`.
    /// - Throws: `LLMError` when the architecture is not implemented, a tensor is missing, has the
    ///   wrong shape, or uses a type the reference path cannot decode.
    public init(file: GGUFFile) throws {
        let c = try LlamaConfiguration(file: file)
        configuration = c
        path = file.path
        func tensor(_ name: String, _ shape: [Int]) throws -> GGUFTensorInfo {
            guard let t = file.tensor(named: name) else { throw LLMError.missing(path: file.path, what: "tensor '\(name)' is missing") }
            guard t.dimensions == shape else {
                throw LLMError.missing(path: file.path, what: "tensor '\(name)' has dimensions \(t.dimensions), expected \(shape)")
            }
            return t
        }
        func matrix(_ name: String, rows: Int, columns: Int) throws -> DenseMatrix {
            try DenseMatrix(try tensor(name, [columns, rows]), of: file)
        }
        func vector(_ name: String, _ n: Int) throws -> [Float] { try DenseMatrix(try tensor(name, [n]), of: file).values }
        let d = c.dimension, kv = c.kvDimension, f = c.feedForwardDimension
        embedding = try matrix("token_embd.weight", rows: c.vocabularySize, columns: d)
        var layers: [Layer] = []
        for i in 0..<c.layerCount {
            let p = "blk.\(i)."
            layers.append(Layer(
                attentionNorm: try vector(p + "attn_norm.weight", d), feedForwardNorm: try vector(p + "ffn_norm.weight", d),
                query: try matrix(p + "attn_q.weight", rows: d, columns: d), key: try matrix(p + "attn_k.weight", rows: kv, columns: d),
                value: try matrix(p + "attn_v.weight", rows: kv, columns: d), attentionOutput: try matrix(p + "attn_output.weight", rows: d, columns: d),
                gate: try matrix(p + "ffn_gate.weight", rows: f, columns: d), up: try matrix(p + "ffn_up.weight", rows: f, columns: d),
                down: try matrix(p + "ffn_down.weight", rows: d, columns: f)))
        }
        self.layers = layers
        outputNorm = try vector("output_norm.weight", d)
        output = file.tensor(named: "output.weight") == nil ? embedding : try matrix("output.weight", rows: c.vocabularySize, columns: d)
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
    public let model: LlamaModel
    public let contextLength: Int
    /// Tokens evaluated so far.
    public private(set) var tokens: [Int] = []
    var keys: [[Float]], values: [[Float]]
    // Scratch buffers of one step.
    var x: [Float], h: [Float], q: [Float], k: [Float], v: [Float], attention: [Float], scores: [Float]
    var gate: [Float], up: [Float], projected: [Float]

    init(model: LlamaModel, contextLength: Int) {
        self.model = model
        self.contextLength = contextLength
        let c = model.configuration
        keys = Array(repeating: [Float](repeating: 0, count: contextLength * c.kvDimension), count: c.layerCount)
        values = keys
        x = [Float](repeating: 0, count: c.dimension)
        h = x; q = x; attention = x; projected = x
        k = [Float](repeating: 0, count: c.kvDimension); v = k
        scores = [Float](repeating: 0, count: contextLength)
        gate = [Float](repeating: 0, count: c.feedForwardDimension); up = gate
    }

    /// Forgets every token (the cache is reused).
    public func reset() { tokens.removeAll(keepingCapacity: true) }

    /// Evaluates `token` at the next position and returns the logits of the token after it.
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
        let pos = tokens.count
        tokens.append(token)
        let d = c.dimension, hd = c.headDimension, kvd = c.kvDimension, group = c.headCount / c.kvHeadCount
        x.withUnsafeMutableBufferPointer { model.embedding.row(token, into: $0.baseAddress!) }
        for (li, layer) in model.layers.enumerated() {
            Self.rmsNorm(x, layer.attentionNorm, c.rmsEpsilon, into: &h)
            h.withUnsafeBufferPointer { hp in
                q.withUnsafeMutableBufferPointer { layer.query.multiply(hp.baseAddress!, into: $0.baseAddress!) }
                k.withUnsafeMutableBufferPointer { layer.key.multiply(hp.baseAddress!, into: $0.baseAddress!) }
                v.withUnsafeMutableBufferPointer { layer.value.multiply(hp.baseAddress!, into: $0.baseAddress!) }
            }
            rope(&q, heads: c.headCount, position: pos)
            rope(&k, heads: c.kvHeadCount, position: pos)
            keys[li].replaceSubrange((pos * kvd)..<((pos + 1) * kvd), with: k)
            values[li].replaceSubrange((pos * kvd)..<((pos + 1) * kvd), with: v)
            let scale = 1 / Float(hd).squareRoot()
            keys[li].withUnsafeBufferPointer { kc in
                values[li].withUnsafeBufferPointer { vc in
                    q.withUnsafeBufferPointer { qp in
                        for head in 0..<c.headCount {
                            let kvHead = head / group
                            let qh = qp.baseAddress! + head * hd
                            var m = -Float.infinity
                            for t in 0...pos {
                                let s = DenseMatrix.dot(qh, kc.baseAddress! + t * kvd + kvHead * hd, hd) * scale
                                scores[t] = s
                                m = max(m, s)
                            }
                            var sum: Float = 0
                            for t in 0...pos { scores[t] = expf(scores[t] - m); sum += scores[t] }
                            for j in 0..<hd { attention[head * hd + j] = 0 }
                            for t in 0...pos {
                                let w = scores[t] / sum
                                let vt = vc.baseAddress! + t * kvd + kvHead * hd
                                for j in 0..<hd { attention[head * hd + j] += w * vt[j] }
                            }
                        }
                    }
                }
            }
            attention.withUnsafeBufferPointer { ap in projected.withUnsafeMutableBufferPointer { layer.attentionOutput.multiply(ap.baseAddress!, into: $0.baseAddress!) } }
            for i in 0..<d { x[i] += projected[i] }
            Self.rmsNorm(x, layer.feedForwardNorm, c.rmsEpsilon, into: &h)
            h.withUnsafeBufferPointer { hp in
                gate.withUnsafeMutableBufferPointer { layer.gate.multiply(hp.baseAddress!, into: $0.baseAddress!) }
                up.withUnsafeMutableBufferPointer { layer.up.multiply(hp.baseAddress!, into: $0.baseAddress!) }
            }
            for i in 0..<gate.count { let g = gate[i]; gate[i] = g / (1 + expf(-g)) * up[i] }
            gate.withUnsafeBufferPointer { gp in projected.withUnsafeMutableBufferPointer { layer.down.multiply(gp.baseAddress!, into: $0.baseAddress!) } }
            for i in 0..<d { x[i] += projected[i] }
        }
        Self.rmsNorm(x, model.outputNorm, c.rmsEpsilon, into: &h)
        var logits = [Float](repeating: 0, count: c.vocabularySize)
        h.withUnsafeBufferPointer { hp in logits.withUnsafeMutableBufferPointer { model.output.multiply(hp.baseAddress!, into: $0.baseAddress!) } }
        return logits
    }

    /// Evaluates `tokens` in order; returns the logits after the last one.
    /// - Throws: as `evaluate(_:)`.
    public func evaluate(_ tokens: [Int]) throws -> [Float] {
        guard !tokens.isEmpty else { throw LLMError.invalidParameter(name: "tokens", value: "[]", expected: "at least one token") }
        var last: [Float] = []
        for t in tokens { last = try evaluate(t) }
        return last
    }

    /// RoPE in ggml's "normal" layout: dimensions (2i, 2i+1) of each head rotate by pos·θ_i.
    func rope(_ v: inout [Float], heads: Int, position: Int) {
        let hd = model.configuration.headDimension
        let p = Float(position)
        for (i, f) in model.inverseFrequencies.enumerated() {
            let theta = p * f
            let cs = cosf(theta), sn = sinf(theta)
            for head in 0..<heads {
                let a = head * hd + 2 * i
                let x0 = v[a], x1 = v[a + 1]
                v[a] = x0 * cs - x1 * sn
                v[a + 1] = x0 * sn + x1 * cs
            }
        }
    }

    static func rmsNorm(_ x: [Float], _ weight: [Float], _ eps: Float, into out: inout [Float]) {
        var ss: Float = 0
        for v in x { ss += v * v }
        let scale = 1 / (ss / Float(x.count) + eps).squareRoot()
        for i in 0..<x.count { out[i] = x[i] * scale * weight[i] }
    }
}

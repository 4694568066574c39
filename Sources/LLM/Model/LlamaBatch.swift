import CSwiftLearnKernels
import Foundation

extension LlamaModel.Linear {
    /// `Y = X Wᵀ` for `count` activation rows (row-major `count × columns` in, `count × rows` out).
    func multiply(rows x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<Float>, scratch: inout [UInt8], threads: Int) {
        switch self {
        case .dense(let m):
            for v in 0..<count { m.multiply(x + v * m.columns, into: y + v * m.rows) }
        case .quantized(let q):
            let need = q.activationBytes * count
            if scratch.count < need { scratch = [UInt8](repeating: 0, count: need) }
            scratch.withUnsafeMutableBytes { s in
                q.quantize(x, count: count, into: s.baseAddress!)
                q.multiply(quantized: s.baseAddress!, count: count, into: y, threads: threads)
            }
        }
    }
}

extension LlamaModel.Linear {
    /// `Y_m = X W_mᵀ` for several matrices over the same `count` activation rows: quantized once
    /// and multiplied in one parallel pass when they share a type and width (a layer's Q, K, V;
    /// gate and up), one by one otherwise.
    static func multiply(_ ws: [LlamaModel.Linear], rows x: UnsafePointer<Float>, count: Int, into ys: [UnsafeMutablePointer<Float>],
                         scratch: inout [UInt8], threads: Int) {
        let quantized = ws.compactMap { w -> QuantizedMatrix? in if case .quantized(let q) = w { return q } else { return nil } }
        guard quantized.count == ws.count, let first = quantized.first,
              quantized.allSatisfy({ $0.typeID == first.typeID && $0.columns == first.columns }) else {
            for (w, y) in zip(ws, ys) { w.multiply(rows: x, count: count, into: y, scratch: &scratch, threads: threads) }
            return
        }
        let need = first.activationBytes * count
        if scratch.count < need { scratch = [UInt8](repeating: 0, count: need) }
        scratch.withUnsafeMutableBytes { s in
            first.quantize(x, count: count, into: s.baseAddress!)
            let weights: [UnsafeRawPointer?] = quantized.map { $0.weights }
            let rows = quantized.map { $0.rows }
            let outputs: [UnsafeMutablePointer<Float>?] = ys
            _ = sl_quant_matmul_group(first.typeID, Int32(ws.count), weights, rows, first.columns, s.baseAddress!, count, outputs, Int32(threads))
        }
    }
}

extension LlamaSession {
    /// Tokens per batch of prompt evaluation, and sessions per chunk of `LlamaModel.decode` (bounds
    /// the scratch memory: about 20 KB per row for SmolLM2, plus the logits of the rows that
    /// return them).
    public static let batchSize = 64

    /// Evaluates `ids` batch by batch: matrix products over every token of a batch at once (the
    /// quantized kernel keeps each weight row in cache while it meets all the batch's
    /// activations), the per-token steps (norms, RoPE, attention over the cache) row by row.
    /// Generation evaluates batches of one, so both run the same code (`LlamaModel.forward`, which
    /// multi-session decoding runs too). Returns the logits after the last token.
    func evaluateBatched(_ ids: [Int]) throws -> [Float] {
        let c = model.configuration
        if let bad = ids.first(where: { $0 < 0 || $0 >= c.vocabularySize }) {
            throw LLMError.invalidParameter(name: "token", value: "\(bad)", expected: "an id in 0..<\(c.vocabularySize)")
        }
        guard tokens.count + ids.count <= contextLength else {
            throw LLMError.invalidParameter(name: "tokens", value: "\(tokens.count) + \(ids.count)",
                                            expected: "at most the session's \(contextLength) tokens in all")
        }
        var start = 0
        var logits: [[Float]] = []
        while start < ids.count {
            let end = min(start + Self.batchSize, ids.count), p0 = tokens.count
            let rows = (start..<end).map { LlamaModel.Row(session: self, token: ids[$0], position: p0 + $0 - start) }
            logits = model.forward(rows, logitsOf: end == ids.count ? [rows.count - 1] : [])
            start = end
        }
        return logits[0]
    }
}

/// One sequence's next token in a multi-session decode step (`LlamaModel.decode`).
public struct DecodeStep: Sendable {
    /// The session the token is evaluated in (at its next position) and the token.
    public let session: LlamaSession
    public let token: Int

    public init(session: LlamaSession, token: Int) {
        self.session = session; self.token = token
    }
}

extension LlamaModel {
    /// One forward step for several sessions of this model at once (continuous batching): each
    /// step's token is evaluated at its session's next position, and each session's logits of the
    /// token after it are returned, in the order of `steps`.
    ///
    /// The matrix products (Q/K/V, attention output, gate/up, down and the output projection) run
    /// over all the rows together, so each weight matrix is read once per step rather than once per
    /// session; RoPE, the cache write and attention run per row against the row's own session (its
    /// position, its cache, its recorded attention). Every row's arithmetic is that of
    /// `LlamaSession.evaluate(_:)` on its session alone — the quantized kernels quantize each
    /// activation row on its own and add each row's products in the same order whatever the number
    /// of rows — so the logits are the same bits. More than `LlamaSession.batchSize` steps are
    /// evaluated in chunks of that many.
    ///
    /// An empty `steps` returns `[]`. The sessions must not be used by another thread meanwhile.
    /// - Throws: `LLMError.invalidParameter`, before any session changes, for a session listed
    ///   twice, a session of another model, a token outside the vocabulary, or a session whose
    ///   context is full.
    public func decode(_ steps: [DecodeStep]) throws -> [[Float]] {
        var seen = Set<ObjectIdentifier>()
        for (i, step) in steps.enumerated() {
            let s = step.session
            guard s.model === self else {
                throw LLMError.invalidParameter(name: "steps[\(i)].session", value: "a session of '\(s.model.path)'",
                                                expected: "a session made by this model ('\(path)')")
            }
            guard seen.insert(ObjectIdentifier(s)).inserted else {
                throw LLMError.invalidParameter(name: "steps[\(i)].session", value: "a session already listed",
                                                expected: "each session at most once per step")
            }
            guard step.token >= 0, step.token < configuration.vocabularySize else {
                throw LLMError.invalidParameter(name: "steps[\(i)].token", value: "\(step.token)", expected: "an id in 0..<\(configuration.vocabularySize)")
            }
            guard s.tokens.count < s.contextLength else {
                throw LLMError.invalidParameter(name: "steps[\(i)].session", value: "\(s.tokens.count) tokens",
                                                expected: "fewer than the session's \(s.contextLength) tokens")
            }
        }
        var logits: [[Float]] = []
        logits.reserveCapacity(steps.count)
        var start = 0
        while start < steps.count {
            let end = min(start + LlamaSession.batchSize, steps.count)
            let rows = steps[start..<end].map { Row(session: $0.session, token: $0.token, position: $0.session.tokens.count) }
            logits += forward(rows, logitsOf: Array(rows.indices))
            start = end
        }
        return logits
    }

    /// One row of a forward pass: a token of a session at a position.
    struct Row {
        let session: LlamaSession
        let token: Int
        let position: Int
    }

    /// Runs `rows` through every layer and returns the logits of the rows `logitsOf` (indices into
    /// `rows`, in that order). The rows of one session must be its next positions, in order (a
    /// prompt batch); rows of different sessions are independent (a decode step). Matrix products
    /// run over all rows at once; per-row steps against the row's session. Each session's tokens
    /// grow by its rows and its `x` holds its last row's final hidden state. The first row's
    /// session lends its scratch for the batch-wide steps. Inputs are checked by the callers.
    func forward(_ rows: [Row], logitsOf wanted: [Int]) -> [[Float]] {
        let c = configuration
        let n = rows.count, d = c.dimension, qd = c.queryDimension, kvd = c.kvDimension, f = c.feedForwardDimension
        let ggml = precision == .ggml
        let scratch = rows[0].session
        for r in rows { r.session.reserveCache(r.position + 1) }
        var xs = [Float](repeating: 0, count: n * d), hs = xs, proj = xs
        var qs = [Float](repeating: 0, count: n * qd), att = qs
        var ks = [Float](repeating: 0, count: n * kvd), vs = ks
        var gates = [Float](repeating: 0, count: n * f), ups = gates
        xs.withUnsafeMutableBufferPointer { xp in
            for (i, r) in rows.enumerated() {
                let row = xp.baseAddress! + i * d
                embedding.row(r.token, into: row)
                if let scale = c.embeddingScale { for j in 0..<d { row[j] *= scale } }
                if let positions = positionEmbedding {
                    for j in 0..<d { row[j] += positions.values[r.position * d + j] }
                }
            }
        }
        func product(_ w: Linear, _ input: [Float], _ output: inout [Float], count: Int = n) {
            input.withUnsafeBufferPointer { ip in
                output.withUnsafeMutableBufferPointer { op in
                    w.multiply(rows: ip.baseAddress!, count: count, into: op.baseAddress!, scratch: &scratch.quantized, threads: threads)
                }
            }
        }
        /// Row `i` of `xs`, normalized, into row `o` of `out`.
        func normalize(_ norm: Norm, row i: Int, into out: inout [Float], row o: Int) {
            scratch.x.replaceSubrange(0..<d, with: xs[(i * d)..<((i + 1) * d)])
            LlamaSession.normalize(scratch.x, norm, c, into: &scratch.h, ggml: ggml)
            out.replaceSubrange((o * d)..<((o + 1) * d), with: scratch.h)
        }
        /// Adds `bias` to each of the `n` rows of `rows`.
        func add(_ bias: [Float]?, to rows: inout [Float], count: Int = n) {
            guard let bias else { return }
            for i in 0..<count { for j in 0..<bias.count { rows[i * bias.count + j] += bias[j] } }
        }
        for (li, layer) in layers.enumerated() {
            for i in 0..<n { normalize(layer.attentionNorm, row: i, into: &hs, row: i) }
            hs.withUnsafeBufferPointer { ip in
                qs.withUnsafeMutableBufferPointer { q in ks.withUnsafeMutableBufferPointer { k in vs.withUnsafeMutableBufferPointer { v in
                    Linear.multiply([layer.query, layer.key, layer.value], rows: ip.baseAddress!, count: n,
                                    into: [q.baseAddress!, k.baseAddress!, v.baseAddress!], scratch: &scratch.quantized, threads: threads)
                } } }
            }
            add(layer.queryBias, to: &qs); add(layer.keyBias, to: &ks); add(layer.valueBias, to: &vs)
            for (i, r) in rows.enumerated() {
                let s = r.session
                s.q.replaceSubrange(0..<qd, with: qs[(i * qd)..<((i + 1) * qd)])
                s.k.replaceSubrange(0..<kvd, with: ks[(i * kvd)..<((i + 1) * kvd)])
                s.v.replaceSubrange(0..<kvd, with: vs[(i * kvd)..<((i + 1) * kvd)])
                if c.ropeStyle != .none {
                    s.rope(&s.q, heads: c.headCount, position: r.position)
                    s.rope(&s.k, heads: c.kvHeadCount, position: r.position)
                }
                if ggml { s.attend16(layer: li, position: r.position) } else { s.attend32(layer: li, position: r.position) }
                if li == s.recordedAttentionLayer { s.recordAttention(layer: li, position: r.position) }
                att.replaceSubrange((i * qd)..<((i + 1) * qd), with: s.attention)
            }
            product(layer.attentionOutput, att, &proj)
            add(layer.attentionOutputBias, to: &proj)
            for j in 0..<(n * d) { xs[j] += proj[j] }
            for i in 0..<n { normalize(layer.feedForwardNorm, row: i, into: &hs, row: i) }
            if let gate = layer.gate {
                hs.withUnsafeBufferPointer { ip in
                    gates.withUnsafeMutableBufferPointer { g in ups.withUnsafeMutableBufferPointer { u in
                        Linear.multiply([gate, layer.up], rows: ip.baseAddress!, count: n, into: [g.baseAddress!, u.baseAddress!],
                                        scratch: &scratch.quantized, threads: threads)
                    } }
                }
                add(layer.upBias, to: &ups)
                if c.feedForward == .geglu {
                    for j in 0..<(n * f) { gates[j] = LlamaSession.gelu(gates[j]) * ups[j] }
                } else {
                    scratch.swiglu(&gates, ups)
                }
            } else {
                product(layer.up, hs, &gates)
                add(layer.upBias, to: &gates)
                for j in 0..<(n * f) { gates[j] = LlamaSession.gelu(gates[j]) }
            }
            product(layer.down, gates, &proj)
            add(layer.downBias, to: &proj)
            for j in 0..<(n * d) { xs[j] += proj[j] }
        }
        // The final norm and the output projection, over the wanted rows together.
        var logits: [[Float]] = []
        if !wanted.isEmpty {
            let m = wanted.count, vocabulary = c.vocabularySize
            var normalized = [Float](repeating: 0, count: m * d), all = [Float](repeating: 0, count: m * vocabulary)
            for (o, i) in wanted.enumerated() { normalize(outputNorm, row: i, into: &normalized, row: o) }
            product(output, normalized, &all, count: m)
            add(outputBias, to: &all, count: m)
            logits = (0..<m).map { Array(all[($0 * vocabulary)..<(($0 + 1) * vocabulary)]) }
        }
        for (i, r) in rows.enumerated() {
            r.session.tokens.append(r.token)
            if i == n - 1 || rows[i + 1].session !== r.session { r.session.x.replaceSubrange(0..<d, with: xs[(i * d)..<((i + 1) * d)]) }
        }
        return logits
    }
}

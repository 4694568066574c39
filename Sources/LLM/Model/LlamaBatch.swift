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
    /// Tokens per batch of prompt evaluation (bounds the scratch memory: about 20 KB per token for
    /// SmolLM2).
    public static let batchSize = 64

    /// Evaluates `ids` batch by batch: matrix products over every token of a batch at once (the
    /// quantized kernel keeps each weight row in cache while it meets all the batch's
    /// activations), the per-token steps (norms, RoPE, attention over the cache) row by row.
    /// Generation evaluates batches of one, so both run the same code. Returns the logits after
    /// the last token.
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
        while start < ids.count {
            let end = min(start + Self.batchSize, ids.count)
            batch(Array(ids[start..<end]))
            start = end
        }
        return logitsOfLastToken()
    }

    /// One batch through every layer; leaves the last token's hidden state in `x`.
    private func batch(_ ids: [Int]) {
        let c = model.configuration
        let n = ids.count, d = c.dimension, qd = c.queryDimension, kvd = c.kvDimension, f = c.feedForwardDimension
        let ggml = model.precision == .ggml
        let p0 = tokens.count
        reserveCache(p0 + n)
        var xs = [Float](repeating: 0, count: n * d), hs = xs, proj = xs
        var qs = [Float](repeating: 0, count: n * qd), att = qs
        var ks = [Float](repeating: 0, count: n * kvd), vs = ks
        var gates = [Float](repeating: 0, count: n * f), ups = gates
        xs.withUnsafeMutableBufferPointer { xp in
            for (i, t) in ids.enumerated() {
                let row = xp.baseAddress! + i * d
                model.embedding.row(t, into: row)
                if let scale = c.embeddingScale { for j in 0..<d { row[j] *= scale } }
                if let positions = model.positionEmbedding {
                    for j in 0..<d { row[j] += positions.values[(p0 + i) * d + j] }
                }
            }
        }
        func product(_ w: LlamaModel.Linear, _ input: [Float], _ output: inout [Float]) {
            input.withUnsafeBufferPointer { ip in
                output.withUnsafeMutableBufferPointer { op in
                    w.multiply(rows: ip.baseAddress!, count: n, into: op.baseAddress!, scratch: &quantized, threads: model.threads)
                }
            }
        }
        func normalize(_ norm: LlamaModel.Norm) {
            for i in 0..<n {
                x.replaceSubrange(0..<d, with: xs[(i * d)..<((i + 1) * d)])
                Self.normalize(x, norm, c, into: &h, ggml: ggml)
                hs.replaceSubrange((i * d)..<((i + 1) * d), with: h)
            }
        }
        /// Adds `bias` to each of the `n` rows of `rows`.
        func add(_ bias: [Float]?, to rows: inout [Float]) {
            guard let bias else { return }
            for i in 0..<n { for j in 0..<bias.count { rows[i * bias.count + j] += bias[j] } }
        }
        for (li, layer) in model.layers.enumerated() {
            normalize(layer.attentionNorm)
            hs.withUnsafeBufferPointer { ip in
                qs.withUnsafeMutableBufferPointer { q in ks.withUnsafeMutableBufferPointer { k in vs.withUnsafeMutableBufferPointer { v in
                    LlamaModel.Linear.multiply([layer.query, layer.key, layer.value], rows: ip.baseAddress!, count: n,
                                               into: [q.baseAddress!, k.baseAddress!, v.baseAddress!], scratch: &quantized, threads: model.threads)
                } } }
            }
            add(layer.queryBias, to: &qs); add(layer.keyBias, to: &ks); add(layer.valueBias, to: &vs)
            for i in 0..<n {
                q.replaceSubrange(0..<qd, with: qs[(i * qd)..<((i + 1) * qd)])
                k.replaceSubrange(0..<kvd, with: ks[(i * kvd)..<((i + 1) * kvd)])
                v.replaceSubrange(0..<kvd, with: vs[(i * kvd)..<((i + 1) * kvd)])
                if c.ropeStyle != .none {
                    rope(&q, heads: c.headCount, position: p0 + i)
                    rope(&k, heads: c.kvHeadCount, position: p0 + i)
                }
                if ggml { attend16(layer: li, position: p0 + i) } else { attend32(layer: li, position: p0 + i) }
                if li == recordedAttentionLayer { recordAttention(layer: li, position: p0 + i) }
                att.replaceSubrange((i * qd)..<((i + 1) * qd), with: attention)
            }
            product(layer.attentionOutput, att, &proj)
            add(layer.attentionOutputBias, to: &proj)
            for j in 0..<(n * d) { xs[j] += proj[j] }
            normalize(layer.feedForwardNorm)
            if let gate = layer.gate {
                hs.withUnsafeBufferPointer { ip in
                    gates.withUnsafeMutableBufferPointer { g in ups.withUnsafeMutableBufferPointer { u in
                        LlamaModel.Linear.multiply([gate, layer.up], rows: ip.baseAddress!, count: n, into: [g.baseAddress!, u.baseAddress!],
                                                   scratch: &quantized, threads: model.threads)
                    } }
                }
                add(layer.upBias, to: &ups)
                if c.feedForward == .geglu {
                    for j in 0..<(n * f) { gates[j] = Self.gelu(gates[j]) * ups[j] }
                } else {
                    swiglu(&gates, ups)
                }
            } else {
                product(layer.up, hs, &gates)
                add(layer.upBias, to: &gates)
                for j in 0..<(n * f) { gates[j] = Self.gelu(gates[j]) }
            }
            product(layer.down, gates, &proj)
            add(layer.downBias, to: &proj)
            for j in 0..<(n * d) { xs[j] += proj[j] }
        }
        x.replaceSubrange(0..<d, with: xs[((n - 1) * d)..<(n * d)])
        tokens.append(contentsOf: ids)
    }
}

import CSwiftLearnKernels

extension LlamaSession {
    /// Removes the tokens at positions `start..<start + count` from the session, as llama.cpp's
    /// context shift does (`llama_memory_seq_rm` then `seq_add` with −count): the cached keys and
    /// values of the later tokens move down by `count` positions, and each moved key is rotated
    /// back by `count` positions (RoPE is a rotation, so rotating a key computed at position p by
    /// −count gives the key at p − count). Values carry no position and are only moved. The moved
    /// tokens keep what they computed while attending to the removed ones — the approximation
    /// that lets generation go on past the context length.
    /// - Throws: `LLMError.invalidParameter` for a range outside the session's tokens;
    ///   `LLMError.unsupported` for learned absolute positions (GPT-2), which cannot be moved.
    public func discard(from start: Int, count: Int) throws {
        let c = model.configuration
        guard c.ropeStyle != .none else {
            throw LLMError.unsupported(path: model.path, what: "a context shift with learned absolute positions (\(c.architecture))")
        }
        guard start >= 0, count >= 1, start + count <= tokens.count else {
            throw LLMError.invalidParameter(name: "discard", value: "\(start)..<\(start + count)", expected: "a range inside the session's \(tokens.count) tokens")
        }
        let kvd = c.kvDimension, moved = tokens.count - start - count
        var key = [Float](repeating: 0, count: kvd)
        for li in 0..<c.layerCount {
            for p in 0..<moved {
                let from = (start + count + p) * kvd, to = (start + p) * kvd
                if model.precision == .ggml {
                    keys16[li].withUnsafeBufferPointer { k in key.withUnsafeMutableBufferPointer { sl_f16_to_f32(k.baseAddress! + from, $0.baseAddress!, kvd) } }
                    rope(&key, heads: c.kvHeadCount, position: -count)
                    key.withUnsafeBufferPointer { k in keys16[li].withUnsafeMutableBufferPointer { sl_f32_to_f16(k.baseAddress!, $0.baseAddress! + to, kvd) } }
                    values16[li].withUnsafeMutableBufferPointer { v in (v.baseAddress! + to).update(from: v.baseAddress! + from, count: kvd) }
                } else {
                    for j in 0..<kvd { key[j] = keys32[li][from + j] }
                    rope(&key, heads: c.kvHeadCount, position: -count)
                    for j in 0..<kvd { keys32[li][to + j] = key[j]; values32[li][to + j] = values32[li][from + j] }
                }
            }
        }
        tokens.removeSubrange(start..<(start + count))
    }
}

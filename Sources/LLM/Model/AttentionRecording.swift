import CSwiftLearnKernels
import Foundation

extension LlamaSession {
    /// The attention probabilities of one layer, recorded while `recordedAttentionLayer` is set:
    /// for each token evaluated, one row per query head over the key positions 0…its position,
    /// softmax(q·k/√d) from the cached keys (in float32, whatever the cache's precision).
    public struct AttentionRecord: Sendable {
        /// The position of the token whose query this is.
        public let position: Int
        /// `weights[head][keyPosition]`, each row summing to 1.
        public let weights: [[Float]]
    }

    func recordAttention(layer li: Int, position pos: Int) {
        let c = model.configuration
        let hd = c.headDimension, kvd = c.kvDimension, group = c.headCount / c.kvHeadCount
        var key = [Float](repeating: 0, count: hd)
        let scale = 1 / Float(hd).squareRoot()
        var rows: [[Float]] = []
        for head in 0..<c.headCount {
            let kvHead = head / group
            var row = [Float](repeating: 0, count: pos + 1)
            for t in 0...pos {
                let at = t * kvd + kvHead * hd
                if model.precision == .ggml {
                    keys16[li].withUnsafeBufferPointer { k in key.withUnsafeMutableBufferPointer { sl_f16_to_f32(k.baseAddress! + at, $0.baseAddress!, hd) } }
                } else {
                    for j in 0..<hd { key[j] = keys32[li][at + j] }
                }
                var dot: Float = 0
                for j in 0..<hd { dot += q[head * hd + j] * key[j] }
                row[t] = dot * scale
            }
            let m = row.max() ?? 0
            var sum: Float = 0
            for t in 0...pos { row[t] = expf(row[t] - m); sum += row[t] }
            rows.append(row.map { $0 / sum })
        }
        recordedAttention.append(AttentionRecord(position: pos, weights: rows))
    }
}

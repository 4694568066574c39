/// SentencePiece's BPE encoding from a GGUF vocabulary (`tokenizer.ggml.model = "llama"`: Llama 2,
/// Mistral, Gemma, Phi-3), as llama.cpp's SPM tokenizer computes it:
///
/// 1. spaces become "▁" (U+2581); the text is split into UTF-8 characters;
/// 2. among adjacent pairs whose concatenation is a vocabulary piece, the one with the highest
///    score (the leftmost on ties) is merged, again and again until no pair is a piece;
/// 3. each remaining symbol is its piece's id, or — a character outside the vocabulary — one
///    `<0xXX>` byte token per UTF-8 byte (byte fallback; the unknown id when there is none).
///
/// Merges are driven by a max-heap of candidate pairs; a popped pair whose symbols changed since
/// it was pushed (their lengths no longer add up) is stale and skipped, so the work is
/// O(n log n) in the characters of the text.
struct SentencePieceBPE: Sendable {
    /// Piece bytes → id (the first id when a piece appears twice), and each id's score.
    let ids: [[UInt8]: Int]
    let scores: [Float]
    /// The `<0xXX>` token of each byte, when the vocabulary has it.
    let byteIDs: [Int?]
    let unknownID: Int

    init(tokens: [String], scores: [Float], types: [Int], unknownID: Int) {
        var ids: [[UInt8]: Int] = [:]
        ids.reserveCapacity(tokens.count)
        var bytes = [Int?](repeating: nil, count: 256)
        for (id, t) in tokens.enumerated() {
            let utf8 = Array(t.utf8)
            if ids[utf8] == nil { ids[utf8] = id }
            if types[id] == 6, let b = Self.byteValue(t) { bytes[Int(b)] = bytes[Int(b)] ?? id }
        }
        self.ids = ids
        self.scores = scores
        byteIDs = bytes
        self.unknownID = unknownID
    }

    /// The byte a `<0xXX>` token stands for.
    static func byteValue(_ token: String) -> UInt8? {
        let u = Array(token.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E else { return nil }   // "<0x" … ">"
        return UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
    }

    /// A candidate merge of symbol `left` with the symbol after it.
    private struct Pair {
        let score: Float, left: Int, right: Int, size: Int
        /// Heap order: higher score first, then the leftmost.
        func precedes(_ o: Pair) -> Bool { score > o.score || (score == o.score && left < o.left) }
    }

    /// Appends the ids of `text` (already prefixed with a space when the caller wants one).
    func encode(_ text: String, into out: inout [Int]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 8)
        for b in text.utf8 {
            if b == 0x20 { bytes.append(contentsOf: [0xE2, 0x96, 0x81]) } else { bytes.append(b) }
        }
        guard !bytes.isEmpty else { return }
        // Symbols: byte ranges start[i]..<start[i]+length[i], linked left to right.
        var start: [Int] = [], length: [Int] = []
        var offset = 0
        while offset < bytes.count {
            let lead = bytes[offset]
            let n = lead < 0x80 ? 1 : lead >> 5 == 0b110 ? 2 : lead >> 4 == 0b1110 ? 3 : lead >> 3 == 0b11110 ? 4 : 1
            let len = min(n, bytes.count - offset)
            start.append(offset); length.append(len)
            offset += len
        }
        let count = start.count
        var next = Array(1...count), previous = Array(-1..<(count - 1))
        next[count - 1] = -1
        var heap: [Pair] = []
        func push(_ left: Int, _ right: Int) {
            guard left >= 0, right >= 0 else { return }
            let size = length[left] + length[right]
            guard let id = ids[Array(bytes[start[left]..<(start[left] + size)])] else { return }
            heap.append(Pair(score: scores[id], left: left, right: right, size: size))
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard heap[i].precedes(heap[parent]) else { break }
                heap.swapAt(i, parent); i = parent
            }
        }
        func pop() -> Pair {
            let top = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var best = i
                    if l < heap.count, heap[l].precedes(heap[best]) { best = l }
                    if r < heap.count, heap[r].precedes(heap[best]) { best = r }
                    if best == i { break }
                    heap.swapAt(i, best); i = best
                }
            }
            return top
        }
        for i in 1..<max(count, 1) { push(i - 1, i) }
        while !heap.isEmpty {
            let pair = pop()
            guard length[pair.left] > 0, length[pair.right] > 0, length[pair.left] + length[pair.right] == pair.size else { continue }
            length[pair.left] += length[pair.right]
            length[pair.right] = 0
            next[pair.left] = next[pair.right]
            if next[pair.right] >= 0 { previous[next[pair.right]] = pair.left }
            push(previous[pair.left], pair.left)
            push(pair.left, next[pair.left])
        }
        var i = 0
        while i >= 0 {
            let piece = Array(bytes[start[i]..<(start[i] + length[i])])
            if let id = ids[piece] {
                out.append(id)
            } else {
                for b in piece { out.append(byteIDs[Int(b)] ?? unknownID) }
            }
            i = next[i]
        }
    }
}

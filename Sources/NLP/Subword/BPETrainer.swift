/// Learns BPE merges from word counts the way Hugging Face's `BpeTrainer` does, so that the same
/// corpus and settings give the same vocabulary and merges.
///
/// 1. Special tokens get the first ids, then the alphabet (the characters of the words plus the
///    initial alphabet) in code-point order.
/// 2. Every adjacent pair of symbols is counted over the words, weighted by word frequency.
/// 3. Repeatedly the most frequent pair (ties: the smaller pair of ids) becomes a new token and is
///    merged in the words that held it, until the vocabulary has `vocabularySize` tokens or no pair
///    reaches `minimumFrequency`.
///
/// Pair counts live in a max-heap with lazy updates (an entry whose count went stale is re-inserted
/// with the current count), each entry remembering the words where its pair was seen, exactly as
/// the reference does.
struct BPETrainer {
    var vocabularySize: Int
    var minimumFrequency: Int
    var specialTokens: [String]
    var initialAlphabet: [Unicode.Scalar]

    struct Entry {
        var count: Int
        var left: Int32
        var right: Int32
        var words: [Int]

        /// Heap order: larger count first, then the smaller pair.
        @inline(__always)
        static func before(_ a: Entry, _ b: Entry) -> Bool {
            if a.count != b.count { return a.count > b.count }
            return a.left != b.left ? a.left < b.left : a.right < b.right
        }
    }

    /// Returns the tokens (index = id) and the merges in rank order, from `wordCounts` (words
    /// already pre-tokenized, as strings of their initial symbols).
    func train(wordCounts: [String: Int]) -> (tokens: [String], merges: [(String, String)]) {
        var idOf: [String: Int32] = [:]
        var tokens: [String] = []
        func add(_ t: String) { if idOf[t] == nil { idOf[t] = Int32(tokens.count); tokens.append(t) } }
        specialTokens.forEach(add)
        var alphabet = Set(initialAlphabet)
        let entries = wordCounts.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        for (w, _) in entries { for s in w.unicodeScalars { alphabet.insert(s) } }
        for s in alphabet.sorted(by: { $0.value < $1.value }) { add(String(s)) }

        var words: [[Int32]] = entries.map { e in e.key.unicodeScalars.compactMap { idOf[String($0)] } }
        let counts = entries.map(\.value)

        var pairCounts: [UInt64: Int] = [:]
        var whereToUpdate: [UInt64: Set<Int>] = [:]
        @inline(__always) func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
        for (i, w) in words.enumerated() where w.count > 1 {
            for k in 0..<(w.count - 1) {
                let p = key(w[k], w[k + 1])
                pairCounts[p, default: 0] += counts[i]
                whereToUpdate[p, default: []].insert(i)
            }
        }
        var heap = BinaryHeap<Entry>(by: Entry.before)
        func flush() {
            for (p, ws) in whereToUpdate {
                let c = pairCounts[p] ?? 0
                if c > 0 { heap.push(Entry(count: c, left: Int32(truncatingIfNeeded: p >> 32), right: Int32(truncatingIfNeeded: p & 0xFFFF_FFFF), words: Array(ws))) }
            }
            whereToUpdate.removeAll(keepingCapacity: true)
        }
        flush()

        var merges: [(Int32, Int32)] = []
        while tokens.count < vocabularySize, var top = heap.pop() {
            let current = pairCounts[key(top.left, top.right)] ?? 0
            if top.count != current { top.count = current; heap.push(top); continue }
            if top.count < 1 || minimumFrequency > top.count { break }
            let newToken = tokens[Int(top.left)] + tokens[Int(top.right)]
            add(newToken)
            let newId = idOf[newToken]!
            merges.append((top.left, top.right))
            for wi in top.words {
                for (p, change) in Self.merge(&words[wi], top.left, top.right, newId) {
                    pairCounts[p, default: 0] += change * counts[wi]
                    if change > 0 { whereToUpdate[p, default: []].insert(wi) }
                }
            }
            flush()
        }
        // A pair merged twice (its result was reachable by two paths) keeps its last rank, as the
        // reference's pair → rank map does.
        var lastRank: [UInt64: Int] = [:]
        for (r, m) in merges.enumerated() { lastRank[key(m.0, m.1)] = r }
        let kept = merges.enumerated().filter { lastRank[key($0.element.0, $0.element.1)] == $0.offset }
        return (tokens, kept.map { (tokens[Int($0.element.0)], tokens[Int($0.element.1)]) })
    }

    /// Merges every non-overlapping occurrence of `(a, b)` in `word`, left to right, and returns
    /// the changes of the neighbouring pairs' counts (the merged pair's own count is left alone).
    static func merge(_ word: inout [Int32], _ a: Int32, _ b: Int32, _ merged: Int32) -> [(UInt64, Int)] {
        @inline(__always) func key(_ x: Int32, _ y: Int32) -> UInt64 { UInt64(UInt32(x)) << 32 | UInt64(UInt32(y)) }
        var changes: [(UInt64, Int)] = []
        var i = 0
        while i < word.count {
            if word[i] == a, i + 1 < word.count, word[i + 1] == b {
                if i > 0 {
                    changes.append((key(word[i - 1], a), -1))
                    changes.append((key(word[i - 1], merged), 1))
                }
                word[i] = merged
                word.remove(at: i + 1)
                if i < word.count - 1 {
                    changes.append((key(b, word[i + 1]), -1))
                    changes.append((key(merged, word[i + 1]), 1))
                }
            }
            i += 1
        }
        return changes
    }
}

/// A binary max-heap under a custom "comes before" order.
struct BinaryHeap<Element> {
    private var items: [Element] = []
    private let before: (Element, Element) -> Bool

    init(by before: @escaping (Element, Element) -> Bool) { self.before = before }

    var isEmpty: Bool { items.isEmpty }

    mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard before(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < items.count, before(items[l], items[best]) { best = l }
            if r < items.count, before(items[r], items[best]) { best = r }
            if best == i { break }
            items.swapAt(i, best)
            i = best
        }
        return top
    }
}

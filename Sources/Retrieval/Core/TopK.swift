/// Keeps the `k` best (highest score) items seen so far in a binary min-heap: the root is the
/// worst kept item, so a new item needs only one comparison when it does not qualify.
/// Ties are broken by the smaller id (so results are deterministic).
struct TopK {
    let k: Int
    private(set) var scores: [Float] = []
    private(set) var ids: [Int64] = []

    init(k: Int) {
        self.k = k
        scores.reserveCapacity(k)
        ids.reserveCapacity(k)
    }

    /// Score an item must beat to enter (−∞ while fewer than k are kept; +∞ when k is 0, as for
    /// a search of an index whose vectors were all removed).
    @inline(__always) var threshold: Float { scores.count < k ? -.infinity : (k == 0 ? .infinity : scores[0]) }

    /// `a` ranks below `b`: lower score, or equal score and larger id.
    @inline(__always) private func worse(_ sa: Float, _ ia: Int64, _ sb: Float, _ ib: Int64) -> Bool {
        sa < sb || (sa == sb && ia > ib)
    }

    @inline(__always) mutating func push(_ score: Float, _ id: Int64) {
        if scores.count < k {
            scores.append(score)
            ids.append(id)
            var i = scores.count - 1
            while i > 0 {
                let p = (i - 1) / 2
                if worse(scores[i], ids[i], scores[p], ids[p]) {
                    scores.swapAt(i, p); ids.swapAt(i, p); i = p
                } else { break }
            }
        } else if k > 0 && worse(scores[0], ids[0], score, id) {
            scores[0] = score
            ids[0] = id
            var i = 0
            let n = scores.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n && worse(scores[l], ids[l], scores[m], ids[m]) { m = l }
                if r < n && worse(scores[r], ids[r], scores[m], ids[m]) { m = r }
                if m == i { break }
                scores.swapAt(i, m); ids.swapAt(i, m); i = m
            }
        }
    }

    /// The kept items, best first.
    func sortedHits() -> [SearchHit] {
        var hits = (0..<scores.count).map { SearchHit(id: ids[$0], score: Double(scores[$0])) }
        hits.sort { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) }
        return hits
    }
}

/// Top-k over double scores (BM25, fusion), best first, ties by smaller id.
func topHits(_ hits: [SearchHit], k: Int) -> [SearchHit] {
    let sorted = hits.sorted { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) }
    return Array(sorted.prefix(k))
}

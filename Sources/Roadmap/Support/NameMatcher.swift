import Foundation

/// Close-match suggestions for mistyped ids (`swiftlearn progress mark linear-regresion` →
/// "Did you mean: linear-regression?"): Levenshtein distance plus substring matches.
public enum NameMatcher {
    /// The Levenshtein edit distance between two strings (insertions, deletions, substitutions).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }

    /// Up to `limit` candidates closest to `query`: those containing it (or contained in it) first,
    /// then those within an edit distance of about a third of the query's length.
    public static func suggestions(for query: String, among candidates: [String], limit: Int = 5) -> [String] {
        let q = query.lowercased()
        guard !q.isEmpty else { return [] }
        let budget = Swift.max(2, q.count / 3)
        var scored: [(Int, String)] = []
        for c in candidates {
            let lc = c.lowercased()
            if lc == q { return [c] }
            if lc.contains(q) || (q.count >= 4 && q.contains(lc)) {
                scored.append((0, c))
            } else {
                let d = editDistance(q, lc)
                if d <= budget { scored.append((d, c)) }
            }
        }
        return scored.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(limit).map(\.1)
    }
}

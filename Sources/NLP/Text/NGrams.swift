import SwiftLearnCore
/// n-grams of token sequences and of characters, with scikit-learn's ordering: all n-grams of the
/// smallest `n` first, left to right, then the next `n`.
public enum NGrams {
    /// Contiguous token n-grams for every `n` in `range`, each a slice of `tokens`.
    ///
    /// `NGrams.tokens(["a", "b", "c"], range: 1...2)` → `[["a"], ["b"], ["c"], ["a", "b"], ["b", "c"]]`.
    public static func tokens<T>(_ tokens: [T], range: ClosedRange<Int>) -> [ArraySlice<T>] {
        ensure(range.lowerBound >= 1, "NGrams.tokens: n must be at least 1, got \(range)")
        var out: [ArraySlice<T>] = []
        for n in range where n <= tokens.count {
            for i in 0...(tokens.count - n) { out.append(tokens[i..<(i + n)]) }
        }
        return out
    }

    /// Word n-grams joined by `separator` (scikit-learn's `_word_ngrams`: `"a b"` for `("a", "b")`).
    public static func words(_ tokens: [String], range: ClosedRange<Int>, separator: String = " ") -> [String] {
        if range == 1...1 { return tokens }
        return Self.tokens(tokens, range: range).map { $0.count == 1 ? $0[$0.startIndex] : $0.joined(separator: separator) }
    }

    /// Character n-grams of `text` (Unicode scalars), scikit-learn's `analyzer="char"`: runs of two or
    /// more whitespace characters first become one space, then every substring of length `n`.
    public static func characters(_ text: String, range: ClosedRange<Int>) -> [String] {
        ensure(range.lowerBound >= 1, "NGrams.characters: n must be at least 1, got \(range)")
        let s = Array(collapsingWhitespaceRuns(text).unicodeScalars)
        var out: [String] = []
        for n in range where n <= s.count {
            for i in 0...(s.count - n) { out.append(string(s[i..<(i + n)])) }
        }
        return out
    }

    /// Character n-grams inside word boundaries, scikit-learn's `analyzer="char_wb"`: each
    /// whitespace-separated word is padded with one space on each side; a word shorter than `n`
    /// yields itself once and stops the larger `n` for that word.
    public static func charactersWithinWords(_ text: String, range: ClosedRange<Int>) -> [String] {
        ensure(range.lowerBound >= 1, "NGrams.charactersWithinWords: n must be at least 1, got \(range)")
        var out: [String] = []
        let words = collapsingWhitespaceRuns(text).unicodeScalars.split(whereSeparator: CharacterClass.isSpace)
        for word in words {
            var w: [Unicode.Scalar] = [" "]
            w.append(contentsOf: word)
            w.append(" ")
            for n in range {
                var offset = 0
                out.append(string(w[0..<min(n, w.count)]))
                while offset + n < w.count {
                    offset += 1
                    out.append(string(w[offset..<min(offset + n, w.count)]))
                }
                if offset == 0 { break }
            }
        }
        return out
    }

    /// Python's `re.sub(r"\s\s+", " ", text)`: runs of two or more whitespace scalars become one space
    /// (a single tab or newline stays as it is).
    static func collapsingWhitespaceRuns(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var run: [Unicode.Scalar] = []
        func flush() {
            if run.count >= 2 { out.append(" ") } else { out.append(contentsOf: run) }
            run.removeAll(keepingCapacity: true)
        }
        for s in text.unicodeScalars {
            if CharacterClass.isSpace(s) { run.append(s) } else { flush(); out.append(s) }
        }
        flush()
        return String(out)
    }

    @inline(__always)
    private static func string(_ s: ArraySlice<Unicode.Scalar>) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s)
        return String(v)
    }
}

/// Splits text into sentences with rules in the spirit of Punkt's heuristics, without training:
/// a sentence ends at `.`, `!`, `?` or `…` (and runs of them), optionally followed by closing quotes
/// or brackets, when whitespace follows and the next word does not continue the sentence.
///
/// A period does not end a sentence after a known abbreviation (`Dr.`, `e.g.`, `Fig.` …; those in
/// `canEndSentence`, such as `Inc.`, do when a capitalized word follows), after a single-letter
/// initial (`J. R. R. Tolkien`), or when the next word starts in lowercase. A blank line always
/// ends a sentence.
///
/// ```swift
/// SentenceTokenizer().split("Dr. Smith arrived at 5 p.m. today. He was late! Was he?")
/// // ["Dr. Smith arrived at 5 p.m. today.", "He was late!", "Was he?"]
/// ```
public struct SentenceTokenizer: Sendable {
    /// Lowercase abbreviations (without the final period) after which a period does not end a sentence.
    public let abbreviations: Set<String>
    /// Also end a sentence at every single newline (default `false`: only blank lines do).
    public let splitOnNewlines: Bool

    /// Common English abbreviations (titles, Latin, months, companies, units).
    public static let englishAbbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "rev", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep",
        "vs", "etc", "e.g", "i.e", "cf", "al", "approx", "ca", "viz", "inc", "ltd", "co", "corp", "llc", "dept", "univ",
        "fig", "figs", "eq", "eqs", "no", "nos", "vol", "vols", "p", "pp", "ch", "sec", "ed", "eds", "est", "min", "max",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "mon", "tue", "wed", "thu", "fri", "sat", "sun", "a.m", "p.m", "u.s", "u.k", "u.s.a", "ph.d", "b.sc", "m.sc", "op",
    ]

    /// Creates a tokenizer; add domain abbreviations to `englishAbbreviations` as needed.
    public init(abbreviations: Set<String> = SentenceTokenizer.englishAbbreviations, splitOnNewlines: Bool = false) {
        self.abbreviations = abbreviations
        self.splitOnNewlines = splitOnNewlines
    }

    /// The sentences of `text`, trimmed of surrounding whitespace, empty ones dropped.
    public func split(_ text: String) -> [String] {
        ranges(in: text).map { String(text[$0]) }
    }

    /// Same as `split(_:)`.
    public func callAsFunction(_ text: String) -> [String] { split(text) }

    /// The ranges of the sentences of `text` (trimmed).
    public func ranges(in text: String) -> [Range<String.Index>] {
        let chars = Array(text.indices)
        var out: [Range<String.Index>] = []
        var start = 0
        func emit(_ end: Int) {
            var s = start, e = end
            while s < e, text[chars[s]].isWhitespace { s += 1 }
            while e > s, text[chars[e - 1]].isWhitespace { e -= 1 }
            if s < e { out.append(chars[s]..<(e < chars.count ? chars[e] : text.endIndex)) }
            start = end
        }
        var i = 0
        while i < chars.count {
            let c = text[chars[i]]
            if c == "\n" {
                var j = i + 1
                while j < chars.count, text[chars[j]].isWhitespace, text[chars[j]] != "\n" { j += 1 }
                if splitOnNewlines || (j < chars.count && text[chars[j]] == "\n") { emit(i); i = j; continue }
            }
            guard Self.isTerminator(c) else { i += 1; continue }
            var j = i
            while j < chars.count, Self.isTerminator(text[chars[j]]) { j += 1 }
            while j < chars.count, Self.isCloser(text[chars[j]]) { j += 1 }
            guard j == chars.count || text[chars[j]].isWhitespace else { i = j; continue }
            var k = j
            while k < chars.count, text[chars[k]].isWhitespace { k += 1 }
            if k < chars.count, !endsSentence(text, chars, terminatorAt: i, runEnd: j, next: k) { i = j; continue }
            emit(j)
            i = j
        }
        emit(chars.count)
        return out
    }

    /// Whether the terminator run at `i..<runEnd` ends the sentence, given the next word at `next`.
    private func endsSentence(_ text: String, _ chars: [String.Index], terminatorAt i: Int, runEnd: Int, next: Int) -> Bool {
        let nextChar = text[chars[next]]
        let runIsPeriodOnly = (i..<runEnd).allSatisfy { text[chars[$0]] == "." || Self.isCloser(text[chars[$0]]) }
        // A lowercase start continues the sentence after a period or an ellipsis.
        if nextChar.isLowercase && (runIsPeriodOnly || text[chars[i]] == "…") { return false }
        // Only a single period can belong to an abbreviation or an initial.
        guard runIsPeriodOnly, text[chars[i]] == ".", !(i + 1 < runEnd && text[chars[i + 1]] == ".") else { return true }
        // The word before the period.
        var s = i
        while s > 0, !text[chars[s - 1]].isWhitespace, !"(\"'“‘[".contains(text[chars[s - 1]]) { s -= 1 }
        let word = String(text[chars[s]..<chars[i]]).lowercased()
        if abbreviations.contains(word) { return Self.canEndSentence.contains(word) && nextChar.isUppercase }
        if word.count == 1, word.first!.isLetter { return false }                        // an initial: "J. Smith"
        if word.contains("."), word.allSatisfy({ $0.isLetter || $0 == "." }) { return !(nextChar.isLowercase || nextChar.isNumber) } // "u.s.a." style
        return true
    }

    /// Abbreviations that often close a sentence too ("… Acme Inc. The company …"): these end one
    /// when the next word is capitalized. Other abbreviations (titles, "e.g.", "Fig.", months) never do.
    public static let canEndSentence: Set<String> = [
        "etc", "inc", "ltd", "co", "corp", "llc", "a.m", "p.m", "u.s", "u.k", "u.s.a", "al", "dept", "univ", "ph.d",
        "b.sc", "m.sc", "est", "min", "max",
    ]

    private static func isTerminator(_ c: Character) -> Bool { c == "." || c == "!" || c == "?" || c == "…" || c == "‼" || c == "⁇" }
    private static func isCloser(_ c: Character) -> Bool { "\"'”’)]»".contains(c) }
}

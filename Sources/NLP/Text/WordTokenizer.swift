/// Splits text into word tokens.
///
/// The built-in patterns are hand-written scanners with Python's `re` semantics (so that
/// `.sklearn` gives exactly scikit-learn's default `token_pattern`); `.regex` takes any pattern
/// and uses Swift `Regex` (Unicode-scalar semantics) instead.
///
/// ```swift
/// let t = WordTokenizer(pattern: .words, normalizer: TextNormalizer(), stopWords: .english)
/// t.tokenize("The quick brown fox's tail")   // ["quick", "brown", "fox", "s", "tail"]
/// ```
public struct WordTokenizer: @unchecked Sendable {
    /// What counts as a token.
    public enum Pattern: Equatable, @unchecked Sendable {
        /// Maximal runs of word characters (`\w+`: letters, numbers, `_`).
        case words
        /// scikit-learn's default `token_pattern` `(?u)\b\w\w+\b`: runs of two or more word characters.
        case sklearn
        /// Word runs and runs of other non-space characters (`\w+|[^\w\s]+`, NLTK's `wordpunct_tokenize`).
        case wordsAndPunctuation
        /// Maximal runs of non-whitespace characters (`str.split()`).
        case whitespace
        /// Every match of a custom regular expression (Swift `Regex`, Unicode-scalar semantics).
        /// As in scikit-learn, a pattern with one capture group yields the group's text.
        case regex(String)
    }

    /// The token pattern (default `.words`).
    public let pattern: Pattern
    /// Normalization applied before splitting (default: none).
    public let normalizer: TextNormalizer?
    /// Tokens to drop after splitting (compared after normalization).
    public let stopWords: StopWords?
    /// Tokens shorter than this (in Unicode scalars) are dropped (default 1).
    public let minimumLength: Int
    private let compiled: Regex<AnyRegexOutput>?

    /// Creates a tokenizer.
    /// - Throws: `NLPError.invalidParameter` for a `.regex` pattern that does not compile or
    ///   has more than one capture group, or a negative `minimumLength`.
    public init(pattern: Pattern = .words, normalizer: TextNormalizer? = nil, stopWords: StopWords? = nil,
                minimumLength: Int = 1) throws {
        guard minimumLength >= 0 else {
            throw NLPError.invalidParameter(name: "minimumLength", value: "\(minimumLength)", expected: "a non-negative integer")
        }
        self.pattern = pattern
        self.normalizer = normalizer
        self.stopWords = stopWords
        self.minimumLength = minimumLength
        if case .regex(let p) = pattern {
            do {
                let r = try Regex(p).matchingSemantics(.unicodeScalar)
                compiled = r
            } catch {
                throw NLPError.invalidParameter(name: "pattern", value: "'\(p)'", expected: "a valid regular expression (\(error))")
            }
            if let n = Self.captureCount(p), n > 1 {
                throw NLPError.invalidParameter(name: "pattern", value: "'\(p)'", expected: "at most one capture group")
            }
        } else {
            compiled = nil
        }
    }

    /// A tokenizer with the default settings (`.words`, no normalization, no stop words).
    public static let standard = try! WordTokenizer()

    /// The tokens of `text`, in order.
    public func tokenize(_ text: String) -> [String] {
        let t = normalizer.map { $0.normalize(text) } ?? text
        var tokens = Self.split(t, pattern: pattern, regex: compiled).map(String.init)
        if minimumLength > 1 { tokens.removeAll { $0.unicodeScalars.count < minimumLength } }
        if let stopWords { tokens.removeAll { stopWords.contains($0) } }
        return tokens
    }

    /// Same as `tokenize(_:)`.
    public func callAsFunction(_ text: String) -> [String] { tokenize(text) }

    /// The tokens of `text` as substrings of it (no normalization, no filtering), for callers that
    /// need positions (highlighting, chunking).
    public func substrings(of text: String) -> [Substring] {
        Self.split(text, pattern: pattern, regex: compiled)
    }

    /// Splits `text` by a built-in `pattern` (or the compiled regex for `.regex`).
    static func split(_ text: String, pattern: Pattern, regex: Regex<AnyRegexOutput>?) -> [Substring] {
        switch pattern {
        case .words: return runs(text, minimumRun: 1, punctuationRuns: false) { CharacterClass.isWord($0) }
        case .sklearn: return runs(text, minimumRun: 2, punctuationRuns: false) { CharacterClass.isWord($0) }
        case .wordsAndPunctuation: return runs(text, minimumRun: 1, punctuationRuns: true) { CharacterClass.isWord($0) }
        case .whitespace: return runs(text, minimumRun: 1, punctuationRuns: false) { !CharacterClass.isSpace($0) }
        case .regex:
            guard let regex else { return [] }
            var out: [Substring] = []
            for m in text.matches(of: regex) {
                if m.output.count > 1, let g = m.output[1].substring { out.append(g) } else { out.append(text[m.range]) }
            }
            return out
        }
    }

    /// Maximal runs of scalars satisfying `inRun` of at least `minimumRun` scalars; with
    /// `punctuationRuns`, also maximal runs of scalars that are neither in a run nor spaces.
    private static func runs(_ text: String, minimumRun: Int, punctuationRuns: Bool,
                             _ inRun: (Unicode.Scalar) -> Bool) -> [Substring] {
        var out: [Substring] = []
        let scalars = text.unicodeScalars
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let s = scalars[i]
            if inRun(s) {
                let start = i
                var n = 0
                while i < scalars.endIndex, inRun(scalars[i]) { i = scalars.index(after: i); n += 1 }
                if n >= minimumRun { out.append(Substring(scalars[start..<i])) }
            } else if punctuationRuns && !CharacterClass.isSpace(s) {
                let start = i
                while i < scalars.endIndex, !inRun(scalars[i]), !CharacterClass.isSpace(scalars[i]) { i = scalars.index(after: i) }
                out.append(Substring(scalars[start..<i]))
            } else {
                i = scalars.index(after: i)
            }
        }
        return out
    }

    /// Number of capturing groups in a regex pattern (unescaped `(` not followed by `?`, or `(?<name>` / `(?P<name>`).
    static func captureCount(_ pattern: String) -> Int? {
        var count = 0, escaped = false, inClass = false
        let chars = Array(pattern)
        for (k, c) in chars.enumerated() {
            if escaped { escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if inClass { if c == "]" { inClass = false }; continue }
            if c == "[" { inClass = true; continue }
            if c == "(" {
                if k + 1 < chars.count, chars[k + 1] == "?" {
                    let rest = String(chars[(k + 1)...].prefix(4))
                    if rest.hasPrefix("?<") && !rest.hasPrefix("?<=") && !rest.hasPrefix("?<!") || rest.hasPrefix("?P<") { count += 1 }
                } else { count += 1 }
            }
        }
        return count
    }
}

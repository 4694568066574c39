/// BERT's text clean-up before WordPiece (Hugging Face's `BertNormalizer` followed by
/// `BertPreTokenizer`): remove control characters, pad CJK ideographs with spaces, strip accents,
/// lowercase, then split on whitespace and isolate every punctuation character.
public struct BertNormalizer: Sendable, Equatable {
    /// Drop NUL, U+FFFD and control/format characters; turn whitespace into spaces (default `true`).
    public var cleanText: Bool
    /// Put spaces around CJK ideographs so each becomes its own word (default `true`).
    public var handleChineseCharacters: Bool
    /// Strip accents (NFD, then drop nonspacing marks); `nil` follows `lowercase` (default `nil`).
    public var stripAccents: Bool?
    /// Lowercase (default `true`, for "uncased" models).
    public var lowercase: Bool

    /// Creates a normalizer with BERT-uncased defaults.
    public init(cleanText: Bool = true, handleChineseCharacters: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseCharacters = handleChineseCharacters
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// The normalized text.
    public func normalize(_ text: String) -> String {
        var v = String.UnicodeScalarView()
        var ascii = true
        for s in text.unicodeScalars {
            if cleanText {
                if s.value == 0 || s.value == 0xFFFD || Self.isControl(s) { continue }
                if Self.isWhitespace(s) { v.append(" "); continue }
            }
            if s.value >= 0x80 { ascii = false }
            if handleChineseCharacters && Self.isChinese(s) { v.append(" "); v.append(s); v.append(" ") } else { v.append(s) }
        }
        var out = String(v)
        if !ascii, stripAccents ?? lowercase { out = TextNormalizer.stripAccents(out, mode: .marks) }
        if lowercase { out = out.lowercased() }
        return out
    }

    /// BERT's pre-tokenization of normalized text: whitespace-separated words, each punctuation
    /// character a word of its own.
    public static func preTokenize(_ text: String) -> [Substring] {
        var out: [Substring] = []
        let scalars = text.unicodeScalars
        var i = scalars.startIndex, start: String.Index? = nil
        while i < scalars.endIndex {
            let s = scalars[i]
            if isWhitespace(s) {
                if let st = start { out.append(Substring(scalars[st..<i])); start = nil }
            } else if CharacterClass.isBertPunctuation(s) {
                if let st = start { out.append(Substring(scalars[st..<i])); start = nil }
                out.append(Substring(scalars[i...i]))
            } else if start == nil {
                start = i
            }
            i = scalars.index(after: i)
        }
        if let st = start { out.append(Substring(scalars[st..<scalars.endIndex])) }
        return out
    }

    /// Whitespace as BERT counts it: space, tab, newline, carriage return, or Unicode White_Space.
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return v == 0x20 || (v >= 0x09 && v <= 0x0D) }
        return s.properties.isWhitespace
    }

    /// Control characters as Hugging Face counts them: Cc, Cf, Co, Cs except tab, newline, return.
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        if s.value < 0x80 { return s.value < 0x20 || s.value == 0x7F }
        switch s.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate: return true   // not unassigned (Cn), as Hugging Face
        default: return false
        }
    }

    /// CJK Unified Ideographs blocks (not Hiragana, Katakana or Hangul), as in BERT.
    static func isChinese(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x3400 { return false }
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: return true
        default: return false
        }
    }
}

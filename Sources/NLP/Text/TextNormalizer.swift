import Foundation

/// A configurable text normalizer: Unicode normalization form, case folding, accent stripping,
/// punctuation handling and whitespace clean-up, applied in that order.
///
/// The pieces are also available one by one as static functions
/// (`TextNormalizer.unicodeNormalized(_:form:)`, `stripAccents(_:mode:)` …), which the
/// vectorizers and the BERT tokenizer use with the exact semantics of their reference libraries.
///
/// ```swift
/// let n = TextNormalizer(form: .nfkc, lowercase: true, accents: .unicode, punctuation: .remove)
/// n("Ｃafé, déjà-vu!")   // "cafe dejavu"
/// ```
public struct TextNormalizer: Sendable, Equatable {
    /// A Unicode normalization form (UAX #15).
    public enum Form: String, Sendable, CaseIterable {
        /// Leave the text as it is.
        case none
        /// Canonical composition: `e` + U+0301 → `é`.
        case nfc
        /// Canonical decomposition: `é` → `e` + U+0301.
        case nfd
        /// Compatibility composition: also folds `ﬁ` → `fi`, full-width `Ａ` → `A`, `²` → `2`.
        case nfkc
        /// Compatibility decomposition.
        case nfkd
    }

    /// How accents (combining marks) are removed.
    public enum AccentStripping: String, Sendable, CaseIterable {
        /// Keep accents.
        case none
        /// scikit-learn's `strip_accents="unicode"`: NFKD, then drop every scalar whose canonical
        /// combining class is not 0. Works for any script.
        case unicode
        /// scikit-learn's `strip_accents="ascii"`: NFKD, then drop every non-ASCII scalar.
        case ascii
        /// BERT's `_run_strip_accents`: NFD, then drop nonspacing marks (category Mn).
        case marks
    }

    /// What happens to punctuation characters (Unicode P* categories).
    public enum PunctuationHandling: String, Sendable, CaseIterable {
        /// Keep punctuation.
        case keep
        /// Delete punctuation characters (`"don't"` → `"dont"`).
        case remove
        /// Replace each punctuation character with a space (`"don't"` → `"don t"`).
        case replaceWithSpace
        /// Surround each punctuation character with spaces so it becomes its own token.
        case isolate
    }

    /// Unicode normalization applied first (default `.nfc`).
    public var form: Form
    /// Lowercase the text (full Unicode lowercasing with the final-sigma rule, as Python's
    /// `str.lower`). Default `true`.
    public var lowercase: Bool
    /// Accent stripping (default `.none`).
    public var accents: AccentStripping
    /// Punctuation handling (default `.keep`).
    public var punctuation: PunctuationHandling
    /// Replace every run of whitespace with one space and trim both ends. Default `true`.
    public var collapseWhitespace: Bool

    /// Creates a normalizer; the defaults give NFC + lowercase + whitespace clean-up.
    public init(form: Form = .nfc, lowercase: Bool = true, accents: AccentStripping = .none,
                punctuation: PunctuationHandling = .keep, collapseWhitespace: Bool = true) {
        self.form = form
        self.lowercase = lowercase
        self.accents = accents
        self.punctuation = punctuation
        self.collapseWhitespace = collapseWhitespace
    }

    /// Normalizes `text` with every configured step.
    public func normalize(_ text: String) -> String {
        var s = Self.unicodeNormalized(text, form: form)
        if lowercase { s = CharacterClass.pythonLowercased(s) }
        s = Self.stripAccents(s, mode: accents)
        if punctuation != .keep { s = Self.handlePunctuation(s, punctuation) }
        if collapseWhitespace { s = Self.collapsingWhitespace(s) }
        return s
    }

    /// Same as `normalize(_:)`.
    public func callAsFunction(_ text: String) -> String { normalize(text) }

    /// `text` in the Unicode normalization `form`.
    public static func unicodeNormalized(_ text: String, form: Form) -> String {
        switch form {
        case .none: return text
        case .nfc: return isASCII(text) ? text : text.precomposedStringWithCanonicalMapping
        case .nfd: return isASCII(text) ? text : text.decomposedStringWithCanonicalMapping
        case .nfkc: return isASCII(text) ? text : text.precomposedStringWithCompatibilityMapping
        case .nfkd: return isASCII(text) ? text : text.decomposedStringWithCompatibilityMapping
        }
    }

    /// `text` with accents removed according to `mode` (ASCII text is returned unchanged).
    public static func stripAccents(_ text: String, mode: AccentStripping) -> String {
        if mode == .none || isASCII(text) { return text }
        var out = String.UnicodeScalarView()
        switch mode {
        case .none:
            return text
        case .unicode:
            for s in text.decomposedStringWithCompatibilityMapping.unicodeScalars
            where s.properties.canonicalCombiningClass == .notReordered { out.append(s) }
        case .ascii:
            for s in text.decomposedStringWithCompatibilityMapping.unicodeScalars where s.isASCII { out.append(s) }
        case .marks:
            for s in text.decomposedStringWithCanonicalMapping.unicodeScalars
            where s.properties.generalCategory != .nonspacingMark { out.append(s) }
        }
        return String(out)
    }

    /// `text` with its punctuation removed, replaced by spaces or isolated by spaces.
    public static func handlePunctuation(_ text: String, _ handling: PunctuationHandling) -> String {
        if handling == .keep { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            guard CharacterClass.isUnicodePunctuation(s) else { out.append(s); continue }
            switch handling {
            case .keep: out.append(s)
            case .remove: break
            case .replaceWithSpace: out.append(" ")
            case .isolate: out.append(" "); out.append(s); out.append(" ")
            }
        }
        return String(out)
    }

    /// `text` with runs of whitespace (Python's `str.isspace`) replaced by one space, trimmed.
    public static func collapsingWhitespace(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for s in text.unicodeScalars {
            if CharacterClass.isSpace(s) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.append(s)
            }
        }
        return String(out)
    }

    @inline(__always)
    static func isASCII(_ text: String) -> Bool {
        var t = text
        return t.withUTF8 { buf in buf.allSatisfy { $0 < 0x80 } }
    }
}

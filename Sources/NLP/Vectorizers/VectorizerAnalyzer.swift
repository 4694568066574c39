/// How a vectorizer turns a document into the terms it counts (scikit-learn's `analyzer`).
public enum VectorizerAnalyzer {
    /// Word n-grams of the tokens (after stop-word removal).
    case word
    /// Character n-grams of the whole text (`"char"`).
    case char
    /// Character n-grams inside words padded with spaces (`"char_wb"`).
    case charWithinWords
    /// A custom function from the raw document to its terms; preprocessing, tokenizing, stop words
    /// and n-grams are then not applied (as in scikit-learn with a callable analyzer).
    case custom((String) -> [String])
}

/// A limit on document frequency (scikit-learn's `max_df` / `min_df`): an absolute document count
/// (`Int`) or a fraction of the documents (`Double` in [0, 1]).
public enum DocumentFrequencyLimit: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    /// A number of documents.
    case count(Int)
    /// A proportion of the documents.
    case fraction(Double)

    /// `5` means `.count(5)`.
    public init(integerLiteral value: Int) { self = .count(value) }
    /// `0.5` means `.fraction(0.5)`.
    public init(floatLiteral value: Double) { self = .fraction(value) }

    /// The limit in documents for a corpus of `documents` documents.
    func threshold(documents: Int) -> Double {
        switch self {
        case .count(let c): return Double(c)
        case .fraction(let f): return f * Double(documents)
        }
    }

    func validate(_ name: String) throws {
        switch self {
        case .count(let c) where c < 0:
            throw NLPError.invalidParameter(name: name, value: "\(c)", expected: "a non-negative document count")
        case .fraction(let f) where !(f >= 0 && f <= 1):
            throw NLPError.invalidParameter(name: name, value: "\(f)", expected: "a fraction in [0, 1]")
        default: break
        }
    }
}

/// A string key compared by its exact Unicode scalars, as Python compares `str` (Swift's `String`
/// equality would merge canonically equivalent spellings such as NFC and NFD forms).
struct ExactTerm: Hashable {
    let text: String

    @inline(__always) init(_ text: String) { self.text = text }

    static func == (a: ExactTerm, b: ExactTerm) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }

    func hash(into hasher: inout Hasher) {
        var t = text
        t.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Python's code-point order (equal to UTF-8 byte order).
    static func codePointLess(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}

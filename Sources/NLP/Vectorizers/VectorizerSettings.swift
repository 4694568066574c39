import Foundation
import Tensors

/// `CountVectorizer` and `TfidfVectorizer` settings from text, under scikit-learn's parameter
/// names, for command lines (`stop_words=english min_df=2 max_df=0.95 max_features=5000
/// ngram_range=1,2 sublinear_tf=true`). The TF-IDF keys (`use_idf`, `smooth_idf`,
/// `sublinear_tf`, `norm`) only change `makeTfidfVectorizer()`.
public struct VectorizerSettings: Sendable, Equatable {
    /// Lower-case before tokenizing (`lowercase`).
    public var lowercase = true
    /// Words to drop (`stop_words`: `english` or None).
    public var stopWords: StopWords?
    /// Keep terms in at least / at most this many documents or this share (`min_df`, `max_df`).
    public var minDF: DocumentFrequencyLimit = .count(1)
    public var maxDF: DocumentFrequencyLimit = .fraction(1.0)
    /// Keep only the most frequent terms (`max_features`).
    public var maxFeatures: Int?
    /// Word n-gram lengths (`ngram_range`).
    public var ngramRange: ClosedRange<Int> = 1...1
    /// Presence instead of counts (`binary`).
    public var binary = false
    /// TF-IDF only: inverse document frequency, its +1 smoothing, 1 + log tf (`use_idf`, `smooth_idf`, `sublinear_tf`).
    public var useIDF = true, smoothIDF = true, sublinearTF = false
    /// TF-IDF only: row normalization (`norm`).
    public var norm = TfidfVectorizer.Norm.l2

    /// scikit-learn's defaults.
    public init() {}

    /// Sets one parameter by scikit-learn's name. A document-frequency limit with a decimal point
    /// is a proportion (0…1), without one a number of documents, as scikit-learn reads floats and ints.
    public mutating func set(_ key: String, _ value: String) throws {
        func limit() throws -> DocumentFrequencyLimit {
            if value.contains(".") || value.contains("e") {
                guard let f = Double(value), f >= 0, f <= 1 else { throw NLPError.invalidParameter(name: key, value: value, expected: "a proportion in 0.0…1.0 or a whole number of documents") }
                return .fraction(f)
            }
            guard let n = Int(value), n >= 0 else { throw NLPError.invalidParameter(name: key, value: value, expected: "a proportion in 0.0…1.0 or a whole number of documents") }
            return .count(n)
        }
        func flag() throws -> Bool {
            switch value.lowercased() {
            case "1", "true": return true
            case "0", "false": return false
            default: throw NLPError.invalidParameter(name: key, value: value, expected: "true or false")
            }
        }
        switch key {
        case "stop_words":
            switch value.lowercased() {
            case "english": stopWords = .english
            case "none": stopWords = nil
            default: throw NLPError.invalidParameter(name: key, value: value, expected: "english or None")
            }
        case "min_df": minDF = try limit()
        case "max_df": maxDF = try limit()
        case "max_features":
            if value == "None" { maxFeatures = nil; return }
            guard let n = Int(value), n >= 1 else { throw NLPError.invalidParameter(name: key, value: value, expected: "a whole number ≥ 1 or None") }
            maxFeatures = n
        case "ngram_range":
            let parts = value.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo >= 1, hi >= lo, hi <= 10 else {
                throw NLPError.invalidParameter(name: key, value: value, expected: "min,max with 1 ≤ min ≤ max ≤ 10")
            }
            ngramRange = lo...hi
        case "lowercase": lowercase = try flag()
        case "binary": binary = try flag()
        case "use_idf": useIDF = try flag()
        case "smooth_idf": smoothIDF = try flag()
        case "sublinear_tf": sublinearTF = try flag()
        case "norm":
            guard let n = TfidfVectorizer.Norm(rawValue: value == "None" ? "none" : value) else { throw NLPError.invalidParameter(name: key, value: value, expected: "l2, l1 or None") }
            norm = n
        default:
            throw NLPError.invalidParameter(name: key, value: value, expected: "one of stop_words, min_df, max_df, max_features, ngram_range, lowercase, binary, use_idf, smooth_idf, sublinear_tf, norm")
        }
    }

    /// A count vectorizer with these settings (float64 counts).
    public func makeCountVectorizer() -> CountVectorizer {
        CountVectorizer(lowercase: lowercase, stopWords: stopWords, ngramRange: ngramRange, maxDF: maxDF, minDF: minDF,
                        maxFeatures: maxFeatures, binary: binary, dtype: .float64)
    }

    /// A TF-IDF vectorizer with these settings.
    public func makeTfidfVectorizer() -> TfidfVectorizer {
        TfidfVectorizer(lowercase: lowercase, stopWords: stopWords, ngramRange: ngramRange, maxDF: maxDF, minDF: minDF,
                        maxFeatures: maxFeatures, binary: binary, dtype: .float64, norm: norm, useIDF: useIDF,
                        smoothIDF: smoothIDF, sublinearTF: sublinearTF)
    }
}

import Foundation
import Tensors

/// Documents → TF-IDF matrix, as scikit-learn's `TfidfVectorizer` (a `CountVectorizer` followed by
/// `TfidfTransformer`), with the same options and results.
///
/// For the count `tf(t, d)` of term `t` in document `d`, `n` documents and document frequency
/// `df(t)`:
/// - `sublinearTF`: `tf ← 1 + ln(tf)`;
/// - `useIDF`: `idf(t) = ln((1 + n) / (1 + df(t))) + 1` with `smoothIDF` (default), else
///   `ln(n / df(t)) + 1`; the value is `tf · idf`;
/// - `norm`: each row is divided by its L2 (default) or L1 norm.
///
/// Computed in the precision of `dtype` (`.float64` by default, or `.float32`), like scikit-learn.
///
/// ```swift
/// let v = TfidfVectorizer(stopWords: .english, sublinearTF: true)
/// let x = try v.fitTransform(corpus)          // SparseMatrix [documents, terms]
/// v.featureNames; v.idf
/// ```
public final class TfidfVectorizer {
    /// Row normalization of the TF-IDF matrix.
    public enum Norm: String, Sendable, CaseIterable {
        /// Divide each row by the square root of its sum of squares (default).
        case l2
        /// Divide each row by the sum of its absolute values.
        case l1
        /// No normalization.
        case none
    }

    /// The counting stage (all of `CountVectorizer`'s options).
    public let counter: CountVectorizer
    /// Row normalization (default `.l2`).
    public let norm: Norm
    /// Multiply by the inverse document frequency (default `true`).
    public let useIDF: Bool
    /// Add one to document frequencies and to `n`, as if one extra document held every term (default `true`).
    public let smoothIDF: Bool
    /// Replace `tf` with `1 + ln(tf)` (default `false`).
    public let sublinearTF: Bool
    /// `.float64` (default) or `.float32`.
    public let dtype: DType

    /// The learned inverse document frequencies, one per feature (empty before `fit` or without `useIDF`).
    public private(set) var idf: [Double] = []

    /// The learned terms in feature order.
    public var featureNames: [String] { counter.featureNames }
    /// Term → feature index.
    public var vocabulary: [String: Int] { counter.vocabulary }

    /// Creates a vectorizer with scikit-learn's defaults; see `CountVectorizer` for the counting options.
    public init(lowercase: Bool = true, stripAccents: TextNormalizer.AccentStripping = .none,
                preprocessor: ((String) -> String)? = nil, tokenizer: ((String) -> [String])? = nil,
                tokenPattern: String? = nil, stopWords: StopWords? = nil, ngramRange: ClosedRange<Int> = 1...1,
                analyzer: VectorizerAnalyzer = .word, maxDF: DocumentFrequencyLimit = .fraction(1.0),
                minDF: DocumentFrequencyLimit = .count(1), maxFeatures: Int? = nil, vocabulary: [String]? = nil,
                binary: Bool = false, dtype: DType = .float64, norm: Norm = .l2, useIDF: Bool = true,
                smoothIDF: Bool = true, sublinearTF: Bool = false) {
        counter = CountVectorizer(lowercase: lowercase, stripAccents: stripAccents, preprocessor: preprocessor,
                                  tokenizer: tokenizer, tokenPattern: tokenPattern, stopWords: stopWords,
                                  ngramRange: ngramRange, analyzer: analyzer, maxDF: maxDF, minDF: minDF,
                                  maxFeatures: maxFeatures, vocabulary: vocabulary, binary: binary, dtype: dtype)
        self.norm = norm
        self.useIDF = useIDF
        self.smoothIDF = smoothIDF
        self.sublinearTF = sublinearTF
        self.dtype = dtype
    }

    /// Learns the vocabulary and the IDF weights.
    public func fit(_ documents: [String]) throws { _ = try fitTransform(documents) }

    /// Learns the vocabulary and IDF weights and returns the TF-IDF matrix `[documents, terms]`.
    /// - Throws: `NLPError` as `CountVectorizer.fitTransform`, or for a dtype other than float32/float64.
    public func fitTransform(_ documents: [String]) throws -> SparseMatrix {
        guard dtype == .float64 || dtype == .float32 else {
            throw NLPError.invalidParameter(name: "dtype", value: "\(dtype)", expected: "float64 or float32")
        }
        let counts = try counter.fitTransform(documents)
        idf = useIDF ? computeIDF(counts) : []
        return weigh(counts)
    }

    /// The TF-IDF matrix of `documents` with the learned vocabulary and weights.
    /// - Throws: `NLPError.notFitted` before `fit`.
    public func transform(_ documents: [String]) throws -> SparseMatrix {
        guard counter.isFitted, !useIDF || !idf.isEmpty else { throw NLPError.notFitted("TfidfVectorizer") }
        return weigh(try counter.transform(documents))
    }

    private func computeIDF(_ counts: SparseMatrix) -> [Double] {
        let df = counts.columnNonzeroCounts()
        let extra = smoothIDF ? 1 : 0
        let n = counts.rows + extra
        if dtype == .float32 {
            return df.map { Double(Foundation.log(Float(n) / Float($0 + extra)) + Float(1)) }
        }
        return df.map { Foundation.log(Double(n) / Double($0 + extra)) + 1 }
    }

    private func weigh(_ counts: SparseMatrix) -> SparseMatrix {
        dtype == .float32 ? weigh(counts, as: Float.self, log: { Foundation.log($0) })
                          : weigh(counts, as: Double.self, log: { Foundation.log($0) })
    }

    /// TF-IDF weighting and row normalization computed in `T` (scikit-learn's `TfidfTransformer.transform`).
    private func weigh<T: BinaryFloatingPoint>(_ counts: SparseMatrix, as: T.Type, log: (T) -> T) -> SparseMatrix {
        var v = counts.values.map { T($0) }
        let weights = idf.map { T($0) }
        for i in 0..<counts.rows {
            let range = counts.rowPointers[i]..<counts.rowPointers[i + 1]
            for k in range {
                if sublinearTF { v[k] = log(v[k]) + 1 }
                if useIDF { v[k] *= weights[counts.columnIndices[k]] }
            }
            var total: T = 0
            switch norm {
            case .none: continue
            case .l2: for k in range { total += v[k] * v[k] }; total = total.squareRoot()
            case .l1: for k in range { total += abs(v[k]) }
            }
            if total != 0 { for k in range { v[k] /= total } }
        }
        return SparseMatrix(unchecked: counts.rows, counts.columns, counts.rowPointers, counts.columnIndices, v.map { Double($0) }, dtype)
    }
}

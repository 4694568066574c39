import Tensors

/// Turns documents into a sparse document–term count matrix, as scikit-learn's `CountVectorizer`
/// (same options, same vocabulary order, same counts).
///
/// Pipeline per document: preprocess (lowercase, then strip accents — or a custom
/// `preprocessor`), tokenize (`token_pattern` `(?u)\b\w\w+\b` by default — or a custom
/// `tokenizer`), drop stop words, form word n-grams; or character n-grams for the `.char` /
/// `.charWithinWords` analyzers. `fit` builds the vocabulary sorted by code point, then keeps the
/// terms whose document frequency lies in `[minDF, maxDF]` and, with `maxFeatures`, the most
/// frequent of those.
///
/// ```swift
/// let v = CountVectorizer(ngramRange: 1...2, stopWords: .english)
/// let x = try v.fitTransform(["The cat sat.", "The cat sat on the mat."])
/// v.featureNames   // ["cat", "cat sat", "mat", "sat"]
/// ```
///
/// Difference: with `maxFeatures`, terms of equal total count are ranked by vocabulary order
/// (a stable sort); scikit-learn uses NumPy's unstable `argsort`, so a tie exactly at the cut
/// may keep a different term.
public final class CountVectorizer {
    /// Lowercase before tokenizing (default `true`). Ignored with a custom `preprocessor`.
    public let lowercase: Bool
    /// Accent stripping after lowercasing: `.none` (default), `.unicode` or `.ascii`.
    public let stripAccents: TextNormalizer.AccentStripping
    /// Replaces lowercasing and accent stripping when given.
    public let preprocessor: ((String) -> String)?
    /// Replaces the token pattern when given.
    public let tokenizer: ((String) -> [String])?
    /// A custom token regex (`nil`: scikit-learn's default `(?u)\b\w\w+\b`, by a fast exact scanner).
    public let tokenPattern: String?
    /// Words removed after tokenizing (word analyzer only). Default none.
    public let stopWords: StopWords?
    /// Lengths of the n-grams to count (default `1...1`).
    public let ngramRange: ClosedRange<Int>
    /// Word or character n-grams, or a custom analyzer (default `.word`).
    public let analyzer: VectorizerAnalyzer
    /// Drop terms in more documents than this (default `.fraction(1.0)`). Ignored with a fixed vocabulary.
    public let maxDF: DocumentFrequencyLimit
    /// Drop terms in fewer documents than this (default `.count(1)`). Ignored with a fixed vocabulary.
    public let minDF: DocumentFrequencyLimit
    /// Keep only this many terms, the most frequent over the corpus (default all).
    public let maxFeatures: Int?
    /// A fixed vocabulary: term `i` is feature `i` (default: learned from the documents).
    public let fixedVocabulary: [String]?
    /// Count 1 for every present term instead of its count (default `false`).
    public let binary: Bool
    /// dtype of the produced matrix (default `.int64`, as scikit-learn).
    public let dtype: DType

    /// The learned (or fixed) terms in feature order; empty before `fit`.
    public private(set) var featureNames: [String] = []
    private var termIndex: [ExactTerm: Int] = [:]
    private var tokenRegex: WordTokenizer?

    /// Term → feature index (scikit-learn's `vocabulary_`).
    public var vocabulary: [String: Int] {
        Dictionary(featureNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Whether `fit` has run.
    public var isFitted: Bool { !featureNames.isEmpty }

    /// Creates a vectorizer; every parameter has scikit-learn's default. Parameters are checked in `fit`.
    public init(lowercase: Bool = true, stripAccents: TextNormalizer.AccentStripping = .none,
                preprocessor: ((String) -> String)? = nil, tokenizer: ((String) -> [String])? = nil,
                tokenPattern: String? = nil, stopWords: StopWords? = nil, ngramRange: ClosedRange<Int> = 1...1,
                analyzer: VectorizerAnalyzer = .word, maxDF: DocumentFrequencyLimit = .fraction(1.0),
                minDF: DocumentFrequencyLimit = .count(1), maxFeatures: Int? = nil, vocabulary: [String]? = nil,
                binary: Bool = false, dtype: DType = .int64) {
        self.lowercase = lowercase
        self.stripAccents = stripAccents
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.tokenPattern = tokenPattern
        self.stopWords = stopWords
        self.ngramRange = ngramRange
        self.analyzer = analyzer
        self.maxDF = maxDF
        self.minDF = minDF
        self.maxFeatures = maxFeatures
        self.fixedVocabulary = vocabulary
        self.binary = binary
        self.dtype = dtype
    }

    /// Learns the vocabulary of `documents`.
    public func fit(_ documents: [String]) throws { _ = try fitTransform(documents) }

    /// Learns the vocabulary and returns the `[documents, terms]` count matrix.
    /// - Throws: `NLPError.invalidParameter` for a bad option; `NLPError.invalidInput` when no term
    ///   remains (empty documents, only stop words, or limits that prune everything).
    public func fitTransform(_ documents: [String]) throws -> SparseMatrix {
        try validate()
        let analyze = makeAnalyzer()
        if let fixed = fixedVocabulary {
            try setVocabulary(fixed)
            return count(documents, analyze: analyze, grow: false)
        }
        termIndex = [:]
        featureNames = []
        let raw = count(documents, analyze: analyze, grow: true)
        guard !featureNames.isEmpty else {
            throw NLPError.invalidInput("empty vocabulary; perhaps the documents only contain stop words")
        }
        let sorted = sortFeatures(raw)
        let n = Double(documents.count)
        let high = maxDF.threshold(documents: Int(n)), low = minDF.threshold(documents: Int(n))
        guard high >= low else {
            throw NLPError.invalidParameter(name: "maxDF", value: "\(maxDF)", expected: "a limit of at least as many documents as minDF (\(minDF))")
        }
        let limited = try limitFeatures(sorted, high: high, low: low)
        return binary ? limited.mapValues { _ in 1 } : limited
    }

    /// The count matrix of `documents` over the learned vocabulary (unknown terms are ignored).
    /// - Throws: `NLPError.notFitted` before `fit`.
    public func transform(_ documents: [String]) throws -> SparseMatrix {
        guard isFitted else { throw NLPError.notFitted("CountVectorizer") }
        return count(documents, analyze: makeAnalyzer(), grow: false)
    }

    /// The analyzer this vectorizer applies to each document (scikit-learn's `build_analyzer()`).
    public func buildAnalyzer() throws -> (String) -> [String] {
        try validate()
        return makeAnalyzer()
    }

    // MARK: - Analysis

    private func validate() throws {
        guard ngramRange.lowerBound >= 1 else {
            throw NLPError.invalidParameter(name: "ngramRange", value: "\(ngramRange)", expected: "n-gram lengths of at least 1")
        }
        try maxDF.validate("maxDF")
        try minDF.validate("minDF")
        if let m = maxFeatures, m <= 0 {
            throw NLPError.invalidParameter(name: "maxFeatures", value: "\(m)", expected: "a positive integer or nil")
        }
        guard [.int64, .int32, .float64, .float32].contains(dtype) else {
            throw NLPError.invalidParameter(name: "dtype", value: "\(dtype)", expected: "int64, int32, float64 or float32")
        }
        if let p = tokenPattern, tokenRegex?.pattern != .regex(p) {
            tokenRegex = try WordTokenizer(pattern: .regex(p))
        }
    }

    /// scikit-learn's preprocessing: lowercase, then strip accents.
    func preprocess(_ doc: String) -> String {
        if let preprocessor { return preprocessor(doc) }
        var s = lowercase ? CharacterClass.pythonLowercased(doc) : doc
        if stripAccents != .none { s = TextNormalizer.stripAccents(s, mode: stripAccents) }
        return s
    }

    private func makeAnalyzer() -> (String) -> [String] {
        let range = ngramRange
        switch analyzer {
        case .custom(let f): return f
        case .char: return { [self] in NGrams.characters(preprocess($0), range: range) }
        case .charWithinWords: return { [self] in NGrams.charactersWithinWords(preprocess($0), range: range) }
        case .word:
            let stop = stopWords
            let regex = tokenRegex
            let tokenizer = self.tokenizer
            return { [self] doc in
                let text = preprocess(doc)
                var tokens: [String]
                if let tokenizer { tokens = tokenizer(text) }
                else if let regex { tokens = regex.substrings(of: text).map(String.init) }
                else { tokens = WordTokenizer.split(text, pattern: .sklearn, regex: nil).map(String.init) }
                if let stop { tokens.removeAll { stop.contains($0) } }
                return NGrams.words(tokens, range: range)
            }
        }
    }

    // MARK: - Counting

    private func setVocabulary(_ terms: [String]) throws {
        guard !terms.isEmpty else { throw NLPError.invalidParameter(name: "vocabulary", value: "[]", expected: "a non-empty list of terms") }
        var index: [ExactTerm: Int] = [:]
        for (i, t) in terms.enumerated() {
            guard index.updateValue(i, forKey: ExactTerm(t)) == nil else {
                throw NLPError.invalidParameter(name: "vocabulary", value: "'\(t)'", expected: "a list without duplicate terms")
            }
        }
        termIndex = index
        featureNames = terms
    }

    /// Counts the terms of each document; with `grow`, unseen terms get the next feature index.
    private func count(_ documents: [String], analyze: (String) -> [String], grow: Bool) -> SparseMatrix {
        var pointers = [0], indices: [Int] = [], values: [Double] = []
        var scratch = [Double](repeating: 0, count: featureNames.count)
        var touched: [Int] = []
        for doc in documents {
            for term in analyze(doc) {
                let key = ExactTerm(term)
                var j = termIndex[key]
                if j == nil, grow {
                    j = featureNames.count
                    termIndex[key] = j
                    featureNames.append(term)
                    scratch.append(0)
                }
                guard let j else { continue }
                if scratch[j] == 0 { touched.append(j) }
                scratch[j] += 1
            }
            touched.sort()
            for j in touched { indices.append(j); values.append(binary && !grow ? 1 : scratch[j]); scratch[j] = 0 }
            touched.removeAll(keepingCapacity: true)
            pointers.append(indices.count)
        }
        return SparseMatrix(unchecked: documents.count, featureNames.count, pointers, indices, values, dtype)
    }

    /// Renumbers the features in code-point order of their terms (scikit-learn's `_sort_features`).
    private func sortFeatures(_ x: SparseMatrix) -> SparseMatrix {
        let order = featureNames.indices.sorted { ExactTerm.codePointLess(featureNames[$0], featureNames[$1]) }
        var newIndex = [Int](repeating: 0, count: order.count)
        for (new, old) in order.enumerated() { newIndex[old] = new }
        featureNames = order.map { featureNames[$0] }
        termIndex = Dictionary(uniqueKeysWithValues: featureNames.enumerated().map { (ExactTerm($1), $0) })
        return remapColumns(x, newIndex, columns: order.count)
    }

    /// Keeps the features with `low ≤ df ≤ high` and, with `maxFeatures`, the most frequent of them.
    private func limitFeatures(_ x: SparseMatrix, high: Double, low: Double) throws -> SparseMatrix {
        let df = x.columnNonzeroCounts()
        var keep = df.map { Double($0) <= high && Double($0) >= low }
        if let limit = maxFeatures, keep.filter({ $0 }).count > limit {
            let tf = x.columnSums()
            let ranked = keep.indices.filter { keep[$0] }.sorted { tf[$0] != tf[$1] ? tf[$0] > tf[$1] : $0 < $1 }
            keep = [Bool](repeating: false, count: keep.count)
            for j in ranked.prefix(limit) { keep[j] = true }
        }
        var newIndex = [Int](repeating: -1, count: keep.count), kept: [String] = []
        for j in keep.indices where keep[j] { newIndex[j] = kept.count; kept.append(featureNames[j]) }
        guard !kept.isEmpty else {
            throw NLPError.invalidInput("after pruning, no terms remain; try a lower minDF or a higher maxDF")
        }
        featureNames = kept
        termIndex = Dictionary(uniqueKeysWithValues: kept.enumerated().map { (ExactTerm($1), $0) })
        return remapColumns(x, newIndex, columns: kept.count)
    }

    /// `x` with column `j` moved to `newIndex[j]` (dropped when -1), rows re-sorted by column.
    private func remapColumns(_ x: SparseMatrix, _ newIndex: [Int], columns: Int) -> SparseMatrix {
        var pointers = [0], indices: [Int] = [], values: [Double] = []
        indices.reserveCapacity(x.nonzeroCount); values.reserveCapacity(x.nonzeroCount)
        var row: [(Int, Double)] = []
        for i in 0..<x.rows {
            row.removeAll(keepingCapacity: true)
            for k in x.rowPointers[i]..<x.rowPointers[i + 1] where newIndex[x.columnIndices[k]] >= 0 {
                row.append((newIndex[x.columnIndices[k]], x.values[k]))
            }
            row.sort { $0.0 < $1.0 }
            for (c, v) in row { indices.append(c); values.append(v) }
            pointers.append(indices.count)
        }
        return SparseMatrix(unchecked: x.rows, columns, pointers, indices, values, x.dtype)
    }
}

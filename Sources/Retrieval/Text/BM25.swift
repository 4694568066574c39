import Foundation
import NLP

/// Okapi BM25 and its BM25+ / BM25L variants over a tokenized corpus, with the exact formulas of
/// the `rank-bm25` Python package (scores agree to ~1e-12) and an inverted index for speed.
///
/// With N documents, document length |D|, average length avgdl, term frequency f(t, D) and
/// document frequency n(t):
///
/// - **Okapi** (defaults k1 = 1.5, b = 0.75, ε = 0.25):
///   idf(t) = ln(N − n(t) + 0.5) − ln(n(t) + 0.5); terms with a negative idf (in more than half
///   the documents) get ε · mean(idf) instead (rank-bm25's floor).
///   score(D, Q) = Σ_{t∈Q} idf(t) · f·(k1 + 1) / (f + k1·(1 − b + b·|D|/avgdl))
/// - **BM25+** (Lv & Zhai 2011; k1 = 1.5, b = 0.75, δ = 1): idf(t) = ln((N + 1)/n(t)),
///   score = Σ idf(t) · (δ + f·(k1 + 1) / (k1·(1 − b + b·|D|/avgdl) + f)) — every document
///   gets δ·idf(t) for each query term, even without the term.
/// - **BM25L** (Lv & Zhai 2011; k1 = 1.5, b = 0.75, δ = 0.5): idf(t) = ln(N + 1) − ln(n(t) + 0.5),
///   c = f / (1 − b + b·|D|/avgdl), score = Σ idf(t) · f · (k1 + 1)·(c + δ) / (k1 + c + δ).
///   The factor f is rank-bm25's (the paper has the indicator [f > 0] there); it is kept so
///   scores agree with rank-bm25.
///
/// Query terms are counted with repetition (a term twice in the query counts twice); unknown
/// terms add 0. The postings (document, frequency) of each term are stored contiguously, so a
/// query costs O(Σ postings of its terms) rather than O(N · |Q|).
///
/// ```swift
/// let bm25 = try BM25(documents: ["the cat sat", "a dog barked"])
/// let hits = try bm25.search("cat", k: 5)   // ids are document indices
/// ```
public struct BM25: Sendable {
    /// The scoring function and its parameters.
    public enum Variant: Sendable, Equatable {
        /// Okapi BM25 with rank-bm25's ε floor for negative idf.
        case okapi(k1: Double = 1.5, b: Double = 0.75, epsilon: Double = 0.25)
        /// BM25+ (lower-bounded term frequency normalization).
        case plus(k1: Double = 1.5, b: Double = 0.75, delta: Double = 1)
        /// BM25L (shifted term frequency normalization).
        case l(k1: Double = 1.5, b: Double = 0.75, delta: Double = 0.5)
    }

    /// Scoring variant.
    public let variant: Variant
    /// Number of documents N.
    public let documentCount: Int
    /// Average document length (tokens).
    public let averageLength: Double
    /// Length of each document (tokens).
    public let documentLengths: [Int]
    /// Term → term number (numbers in order of first occurrence in the corpus).
    public let termIDs: [String: Int]
    /// idf of each term number (after the ε floor for Okapi).
    public let idf: [Double]
    /// Splits text into terms for the text-level API (`search(_ text:)`).
    public let analyzer: @Sendable (String) -> [String]

    // Postings in CSR form: the postings of term t are postingStart[t] ..< postingStart[t + 1].
    let postingStart: [Int]
    let postingDoc: [Int32]
    let postingFreq: [Int32]
    /// Per document k1·(1 − b + b·|D|/avgdl) (Okapi, BM25+) or (1 − b + b·|D|/avgdl) (BM25L).
    let lengthNorm: [Double]

    /// Indexes a tokenized corpus (one token array per document). Throws for an empty corpus, a
    /// corpus of only empty documents, or invalid parameters (k1 < 0, b ∉ [0, 1], δ < 0).
    public init(tokenized corpus: [[String]], variant: Variant = .okapi(),
                analyzer: @escaping @Sendable (String) -> [String] = BM25.standardAnalyzer) throws {
        guard !corpus.isEmpty else { throw RetrievalError.emptyIndex("BM25 needs at least one document") }
        let (k1, b) = variant.kb
        try require(k1 >= 0 && k1.isFinite, "k1", k1, "must be a finite number ≥ 0")
        try require(b >= 0 && b <= 1, "b", b, "must be in [0, 1]")
        switch variant {
        case .okapi(_, _, let e): try require(e.isFinite, "epsilon", e, "must be finite")
        case .plus(_, _, let d), .l(_, _, let d): try require(d >= 0 && d.isFinite, "delta", d, "must be a finite number ≥ 0")
        }
        self.variant = variant
        self.analyzer = analyzer
        let n = corpus.count
        documentCount = n
        // Pass 1: term numbers and per-document (term, frequency) pairs.
        var ids: [String: Int] = [:]
        var docTerms: [[(Int32, Int32)]] = []
        docTerms.reserveCapacity(n)
        var lengths = [Int](repeating: 0, count: n)
        var df: [Int] = []
        var local: [Int32: Int32] = [:]
        var order: [Int32] = []
        for (d, doc) in corpus.enumerated() {
            lengths[d] = doc.count
            local.removeAll(keepingCapacity: true)
            order.removeAll(keepingCapacity: true)
            for token in doc {
                let t: Int
                if let existing = ids[token] { t = existing } else {
                    t = ids.count
                    ids[token] = t
                    df.append(0)
                }
                if let c = local[Int32(t)] { local[Int32(t)] = c + 1 } else {
                    local[Int32(t)] = 1
                    order.append(Int32(t))
                    df[t] += 1
                }
            }
            docTerms.append(order.map { ($0, local[$0]!) })
        }
        let totalTokens = lengths.reduce(0, +)
        guard totalTokens > 0 else { throw RetrievalError.emptyIndex("BM25: every document is empty") }
        documentLengths = lengths
        termIDs = ids
        averageLength = Double(totalTokens) / Double(n)
        // Pass 2: postings (documents in increasing order within each term).
        var start = [Int](repeating: 0, count: df.count + 1)
        for t in 0..<df.count { start[t + 1] = start[t] + df[t] }
        var fill = start
        var pDoc = [Int32](repeating: 0, count: start[df.count])
        var pFreq = [Int32](repeating: 0, count: start[df.count])
        for (d, terms) in docTerms.enumerated() {
            for (t, f) in terms {
                pDoc[fill[Int(t)]] = Int32(d)
                pFreq[fill[Int(t)]] = f
                fill[Int(t)] += 1
            }
        }
        postingStart = start
        postingDoc = pDoc
        postingFreq = pFreq
        idf = Self.idfTable(df, n: n, variant: variant)
        let avg = averageLength
        switch variant {
        case .okapi(let k1, let b, _), .plus(let k1, let b, _):
            lengthNorm = lengths.map { k1 * (1 - b + b * Double($0) / avg) }
        case .l(_, let b, _):
            lengthNorm = lengths.map { 1 - b + b * Double($0) / avg }
        }
    }

    /// Indexes raw texts, tokenized by `analyzer` (default: ``standardAnalyzer``).
    public init(documents: [String], variant: Variant = .okapi(),
                analyzer: @escaping @Sendable (String) -> [String] = BM25.standardAnalyzer) throws {
        try self.init(tokenized: documents.map(analyzer), variant: variant, analyzer: analyzer)
    }

    /// idf per term number, computed in first-occurrence order as rank-bm25 does (so the mean
    /// used by the ε floor is summed in the same order).
    private static func idfTable(_ df: [Int], n: Int, variant: Variant) -> [Double] {
        let N = Double(n)
        switch variant {
        case .okapi(_, _, let epsilon):
            var idf = df.map { log(N - Double($0) + 0.5) - log(Double($0) + 0.5) }
            var sum = 0.0
            for v in idf { sum += v }
            let eps = epsilon * (sum / Double(idf.count))
            for i in idf.indices where idf[i] < 0 { idf[i] = eps }
            return idf
        case .plus:
            return df.map { log((N + 1) / Double($0)) }
        case .l:
            return df.map { log(N + 1) - log(Double($0) + 0.5) }
        }
    }

    /// Lowercases and splits on anything that is not a letter or digit (Unicode-aware).
    public static let standardAnalyzer: @Sendable (String) -> [String] = { text in
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// ``standardAnalyzer`` without scikit-learn's English stop words, Porter-stemmed
    /// ("splitting" and "splits" both become "split").
    public static let englishAnalyzer: @Sendable (String) -> [String] = { text in
        let stemmer = PorterStemmer()
        return text.lowercased().split { !($0.isLetter || $0.isNumber) }.compactMap { word in
            StopWords.english.contains(word) ? nil : stemmer.stem(String(word))
        }
    }

    /// The analyzers a collection can name.
    public enum AnalyzerName: String, Sendable, CaseIterable {
        /// ``standardAnalyzer``.
        case standard
        /// ``englishAnalyzer``.
        case english

        /// The analyzer function.
        public var function: @Sendable (String) -> [String] {
            switch self {
            case .standard: return BM25.standardAnalyzer
            case .english: return BM25.englishAnalyzer
            }
        }
    }

    /// The score of every document for a tokenized query (as rank-bm25's `get_scores`).
    public func scores(_ query: [String]) -> [Double] {
        var s = [Double](repeating: 0, count: documentCount)
        var constant = 0.0
        accumulate(query, into: &s, touched: nil, constant: &constant)
        if constant != 0 { for i in s.indices { s[i] += constant } }
        return s
    }

    /// Adds the term contributions of the documents containing each query term into `s`;
    /// `constant` receives the part every document gets (BM25+'s δ·idf).
    private func accumulate(_ query: [String], into s: inout [Double], touched: UnsafeMutablePointer<Bool>?,
                            constant: inout Double) {
        for term in query {
            guard let t = termIDs[term] else { continue }
            let w = idf[t]
            let lo = postingStart[t], hi = postingStart[t + 1]
            switch variant {
            case .okapi(let k1, _, _):
                for p in lo..<hi {
                    let d = Int(postingDoc[p]), f = Double(postingFreq[p])
                    s[d] += w * (f * (k1 + 1) / (f + lengthNorm[d]))
                    touched?[d] = true
                }
            case .plus(let k1, _, let delta):
                constant += w * delta
                for p in lo..<hi {
                    let d = Int(postingDoc[p]), f = Double(postingFreq[p])
                    s[d] += w * (f * (k1 + 1) / (lengthNorm[d] + f))
                    touched?[d] = true
                }
            case .l(let k1, _, let delta):
                for p in lo..<hi {
                    let d = Int(postingDoc[p]), f = Double(postingFreq[p])
                    let c = f / lengthNorm[d]
                    s[d] += w * f * (k1 + 1) * (c + delta) / (k1 + c + delta)
                    touched?[d] = true
                }
            }
        }
    }

    /// The `k` best documents for a tokenized query among those that contain at least one query
    /// term, best first (ties by smaller index); `filter` keeps only some document indices.
    /// Throws for an empty query or k < 1.
    public func search(tokens query: [String], k: Int, filter: ((Int) -> Bool)? = nil) throws -> [SearchHit] {
        try require(k >= 1, "k", k, "must be at least 1")
        guard !query.isEmpty else { throw RetrievalError.emptyQuery("the BM25 query has no tokens") }
        // More hits than documents cannot exist (as rank-bm25's get_top_n): k is clamped, which
        // also keeps the buffer below from being sized by a huge k.
        let k = Swift.min(k, Swift.max(1, documentCount))
        var s = [Double](repeating: 0, count: documentCount)
        var touched = [Bool](repeating: false, count: documentCount)
        var constant = 0.0
        touched.withUnsafeMutableBufferPointer { accumulate(query, into: &s, touched: $0.baseAddress!, constant: &constant) }
        var top = [SearchHit]()
        top.reserveCapacity(k + 1)
        var worst = -Double.infinity
        for d in 0..<documentCount where touched[d] {
            let score = s[d] + constant
            if score < worst { continue }
            if let f = filter, !f(d) { continue }
            top.append(SearchHit(id: Int64(d), score: score))
            if top.count > 2 * k + 16 {
                top = topHits(top, k: k)
                worst = top.last!.score
            }
        }
        return topHits(top, k: k)
    }

    /// Tokenizes `text` with the analyzer and searches (see ``search(tokens:k:filter:)``).
    public func search(_ text: String, k: Int, filter: ((Int) -> Bool)? = nil) throws -> [SearchHit] {
        let tokens = analyzer(text)
        guard !tokens.isEmpty else { throw RetrievalError.emptyQuery("'\(text)' has no searchable terms") }
        return try search(tokens: tokens, k: k, filter: filter)
    }
}

extension BM25.Variant {
    var kb: (Double, Double) {
        switch self {
        case .okapi(let k1, let b, _), .plus(let k1, let b, _), .l(let k1, let b, _): return (k1, b)
        }
    }
}

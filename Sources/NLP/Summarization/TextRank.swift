import Foundation

/// Extractive summaries by TextRank (Mihalcea & Tarau 2004): sentences are the nodes of a graph
/// whose edges weigh how many words two sentences share, normalized by their lengths; PageRank
/// over that graph ranks the sentences, and the summary is the best-ranked ones in document order.
///
/// - Similarity: |common word types| / (log₁₀|Sᵢ| + log₁₀|Sⱼ|), |S| counting a sentence's words
///   (0 when both have one word), as the `summa` package computes it; words are the `analyzer`'s
///   tokens (default: scikit-learn's word analyzer, lower-case, English stop words removed).
/// - Ranking: networkx's `pagerank` on the weighted undirected graph — damping 0.85, the power
///   iteration from the uniform vector, sentences sharing no word with any other as dangling
///   nodes, stopping when the L1 change is below N × `tol` — so the scores equal networkx's
///   (see TextRankTests).
public struct TextRank {
    /// One ranked sentence.
    public struct Sentence: Sendable, Equatable {
        /// Its position in the text (0-based).
        public var index: Int
        /// The sentence as split from the text.
        public var text: String
        /// Its PageRank score (the scores of a text sum to 1).
        public var score: Double
    }

    /// PageRank's damping factor α (networkx's `alpha`).
    public var damping = 0.85
    /// Most power iterations (`max_iter`).
    public var maxIterations = 100
    /// Per-node tolerance of the L1 stop (`tol`).
    public var tolerance = 1e-6
    /// Sentences the graph takes at most (its weights are a dense square).
    public static let maxSentences = 4096

    private let analyzer: (String) -> [String]
    private let splitter: SentenceTokenizer

    /// A summarizer with scikit-learn's word analyzer (English stop words removed) unless one is given.
    public init(analyzer: ((String) -> [String])? = nil, splitter: SentenceTokenizer = SentenceTokenizer()) throws {
        self.analyzer = try analyzer ?? CountVectorizer(stopWords: .english).buildAnalyzer()
        self.splitter = splitter
    }

    /// The summa similarity of two tokenized sentences.
    public static func similarity(_ a: [String], _ b: [String]) -> Double {
        let denominator = log10(Double(a.count)) + log10(Double(b.count))
        guard !a.isEmpty, !b.isEmpty, denominator != 0 else { return 0 }
        return Double(Set(a).intersection(b).count) / denominator
    }

    /// PageRank scores of a weighted undirected graph given by its symmetric weight matrix
    /// (row-major n × n, zero diagonal), as networkx's scipy implementation iterates.
    /// - Throws: `NLPError.invalidInput` when the iteration does not converge in `maxIterations`.
    public func pageRank(weights: [Double], count n: Int) throws -> [Double] {
        guard n > 0 else { return [] }
        guard weights.count == n * n else { throw NLPError.invalidInput("\(weights.count) weights for \(n) nodes") }
        var rowSums = [Double](repeating: 0, count: n)
        for i in 0..<n { for j in 0..<n { rowSums[i] += weights[i * n + j] } }
        let dangling = (0..<n).filter { rowSums[$0] == 0 }
        let uniform = 1 / Double(n)
        var x = [Double](repeating: uniform, count: n)
        for _ in 0..<maxIterations {
            var y = [Double](repeating: 0, count: n)
            for i in 0..<n where rowSums[i] != 0 {
                let share = 1 / rowSums[i]
                for j in 0..<n where weights[i * n + j] != 0 { y[j] += x[i] * (weights[i * n + j] * share) }
            }
            var danglingSum = 0.0
            for i in dangling { danglingSum += x[i] }
            var error = 0.0
            for j in 0..<n {
                let value = damping * (y[j] + danglingSum * uniform) + (1 - damping) * uniform
                error += abs(value - x[j])
                y[j] = value
            }
            x = y
            if error < Double(n) * tolerance { return x }
        }
        throw NLPError.invalidInput("PageRank did not converge in \(maxIterations) iterations")
    }

    /// Every sentence of `text` with its score, in document order.
    /// - Throws: `NLPError.invalidInput` for more than ``maxSentences`` sentences.
    public func rank(_ text: String) throws -> [Sentence] {
        try rank(sentences: splitter.split(text))
    }

    /// Scores for sentences already split.
    public func rank(sentences: [String]) throws -> [Sentence] {
        let n = sentences.count
        guard n <= Self.maxSentences else { throw NLPError.invalidInput("\(n) sentences; TextRank takes at most \(Self.maxSentences)") }
        let tokens = sentences.map(analyzer)
        var weights = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let s = Self.similarity(tokens[i], tokens[j])
                weights[i * n + j] = s; weights[j * n + i] = s
            }
        }
        let scores = try pageRank(weights: weights, count: n)
        return (0..<n).map { Sentence(index: $0, text: sentences[$0], score: scores[$0]) }
    }

    /// The `count` best-ranked sentences (ties: the earlier one), in document order.
    public func summarize(_ text: String, sentences count: Int) throws -> [Sentence] {
        guard count >= 0 else { throw NLPError.invalidParameter(name: "sentences", value: "\(count)", expected: "≥ 0") }
        return Self.best(try rank(text), count: count)
    }

    /// The `count` best-ranked of sentences already split, in document order.
    public func summarize(sentences: [String], count: Int) throws -> [Sentence] {
        guard count >= 0 else { throw NLPError.invalidParameter(name: "sentences", value: "\(count)", expected: "≥ 0") }
        return Self.best(try rank(sentences: sentences), count: count)
    }

    /// The best `ratio` of the sentences (at least one when the text has any), in document order.
    public func summarize(_ text: String, ratio: Double) throws -> [Sentence] {
        guard ratio > 0, ratio <= 1 else { throw NLPError.invalidParameter(name: "ratio", value: "\(ratio)", expected: "a number in (0, 1]") }
        let ranked = try rank(text)
        return Self.best(ranked, count: ranked.isEmpty ? 0 : max(1, Int((ratio * Double(ranked.count)).rounded())))
    }

    static func best(_ ranked: [Sentence], count: Int) -> [Sentence] {
        let order = ranked.indices.sorted { ranked[$0].score != ranked[$1].score ? ranked[$0].score > ranked[$1].score : $0 < $1 }
        return order.prefix(count).sorted().map { ranked[$0] }
    }
}

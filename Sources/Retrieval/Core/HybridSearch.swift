import Foundation

/// Reciprocal-rank fusion (Cormack, Clarke & Büttcher, 2009) of several ranked lists:
/// score(d) = Σᵢ wᵢ / (k + rankᵢ(d)), rank counted from 1 in each list where d appears.
/// Robust to lists whose scores live on different scales (BM25 vs cosine).
///
/// - Parameters:
///   - lists: ranked hits, best first (scores are ignored, only positions count).
///   - k: the smoothing constant (60, the paper's value, by default; must be ≥ 0).
///   - weights: one weight per list (default all 1).
///   - limit: how many fused hits to return (default all).
/// - Returns: hits with the fused score, best first, ties broken by smaller id.
public func reciprocalRankFusion(_ lists: [[SearchHit]], k: Double = 60, weights: [Double]? = nil,
                                 limit: Int? = nil) throws -> [SearchHit] {
    try require(k >= 0 && k.isFinite, "k", k, "must be a finite number ≥ 0")
    let w = weights ?? Array(repeating: 1, count: lists.count)
    try require(w.count == lists.count, "weights", w, "needs one weight per list (\(lists.count))")
    var fused: [Int64: Double] = [:]
    for (i, list) in lists.enumerated() {
        var seen = Set<Int64>()
        var rank = 0
        for hit in list where seen.insert(hit.id).inserted {
            rank += 1
            fused[hit.id, default: 0] += w[i] / (k + Double(rank))
        }
    }
    return topHits(fused.map { SearchHit(id: $0.key, score: $0.value) }, k: limit ?? fused.count)
}

/// Weighted score fusion: each list's scores are min-max normalized to [0, 1]
/// ((s − min)/(max − min); a list whose scores are all equal maps to 1), a missing hit counts
/// 0, and the fused score is Σᵢ wᵢ · normᵢ(d).
public func weightedScoreFusion(_ lists: [[SearchHit]], weights: [Double], limit: Int? = nil) throws -> [SearchHit] {
    try require(weights.count == lists.count, "weights", weights, "needs one weight per list (\(lists.count))")
    var fused: [Int64: Double] = [:]
    for (i, list) in lists.enumerated() where !list.isEmpty {
        let lo = list.map(\.score).min()!, hi = list.map(\.score).max()!
        var seen = Set<Int64>()
        for hit in list where seen.insert(hit.id).inserted {
            let norm = hi > lo ? (hit.score - lo) / (hi - lo) : 1
            fused[hit.id, default: 0] += weights[i] * norm
        }
    }
    return topHits(fused.map { SearchHit(id: $0.key, score: $0.value) }, k: limit ?? fused.count)
}

/// How ``HybridSearch`` combines its BM25 and vector rankings.
public enum FusionMethod: Sendable, Equatable {
    /// ``reciprocalRankFusion(_:k:weights:limit:)`` with this k (default 60).
    case reciprocalRank(k: Double = 60)
    /// ``weightedScoreFusion(_:weights:limit:)`` with weight `vectorWeight` on the vector list
    /// and 1 − vectorWeight on BM25.
    case weighted(vectorWeight: Double = 0.5)
}

/// Keyword + semantic search over one set of documents: a ``BM25`` index and a vector index whose
/// ids are the document indices (0..<n), with the query embedded by an ``EmbeddingFunction``.
/// Each side returns `candidates` hits, which are fused.
///
/// ```swift
/// let hybrid = try HybridSearch(documents: texts, embedding: HashedFeatureEmbedding())
/// let hits = try hybrid.search("solar power storage", k: 5)
/// ```
public final class HybridSearch {
    /// The keyword side.
    public let bm25: BM25
    /// The vector side (ids = document indices).
    public let index: any VectorIndex
    /// Embeds queries (must match the index's dimension).
    public let embedding: any EmbeddingFunction

    /// Combines existing indexes.
    public init(bm25: BM25, index: any VectorIndex, embedding: any EmbeddingFunction) throws {
        guard embedding.dimension == index.dimension else {
            throw RetrievalError.dimensionMismatch(expected: index.dimension, got: embedding.dimension)
        }
        self.bm25 = bm25
        self.index = index
        self.embedding = embedding
    }

    /// Builds BM25 and an exact cosine ``FlatIndex`` over `documents`.
    public convenience init(documents: [String], embedding: any EmbeddingFunction) throws {
        let bm25 = try BM25(documents: documents)
        let index = try FlatIndex(dimension: embedding.dimension, metric: .cosine)
        let vectors = try embedding.embed(documents)
        try index.add(rows: vectors, ids: (0..<Int64(documents.count)).map { $0 })
        try self.init(bm25: bm25, index: index, embedding: embedding)
    }

    /// BM25 hits only.
    public func keywordSearch(_ text: String, k: Int) throws -> [SearchHit] { try bm25.search(text, k: k) }

    /// Vector hits only.
    public func vectorSearch(_ text: String, k: Int) throws -> [SearchHit] {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw RetrievalError.emptyQuery("blank query text") }
        return try index.search(try embedding.embed([text])[0], k: k)
    }

    /// Fused hits: each side's top `candidates` (default max(50, 4k)) combined by `fusion`.
    public func search(_ text: String, k: Int, fusion: FusionMethod = .reciprocalRank(), candidates: Int? = nil) throws -> [SearchHit] {
        try require(k >= 1, "k", k, "must be at least 1")
        let n = candidates ?? max(50, 4 * k)
        let vector = try vectorSearch(text, k: n)
        // A query with no indexable terms still has a vector side.
        let keyword = (try? bm25.search(text, k: n)) ?? []
        switch fusion {
        case .reciprocalRank(let c): return try reciprocalRankFusion([keyword, vector], k: c, limit: k)
        case .weighted(let w): return try weightedScoreFusion([keyword, vector], weights: [1 - w, w], limit: k)
        }
    }
}

/// Small, self-contained demos of the module for the roadmap's `demo` command: keyword search
/// with BM25, vector search with the hashed-feature embedding, and hybrid search with
/// reciprocal-rank fusion and MMR, over a built-in corpus of short passages (written for this
/// module). Each returns the ranked passages so a caller can print or check them.
public enum RetrievalDemos {
    /// The demo corpus: short passages on a few topics (energy, pets, cooking, space, search).
    public static let corpus: [String] = [
        "Solar panels convert sunlight into electricity using photovoltaic cells made of silicon.",
        "Wind turbines turn the kinetic energy of moving air into electrical power for the grid.",
        "Lithium-ion batteries store electricity from solar farms so it can be used at night.",
        "Cats sleep for twelve to sixteen hours a day and prefer warm, quiet places.",
        "Dogs need daily walks, regular meals and training with positive rewards.",
        "Bread dough rises because yeast ferments sugar and releases carbon dioxide.",
        "A good tomato sauce simmers slowly with garlic, olive oil and fresh basil.",
        "The Moon orbits the Earth every 27 days and always shows the same face.",
        "Mars has the largest volcano in the solar system, Olympus Mons.",
        "BM25 ranks documents by term frequency, inverse document frequency and document length.",
        "Vector search finds passages whose embeddings are close to the query embedding.",
        "Hybrid search fuses keyword and vector rankings, for example with reciprocal rank fusion.",
    ]

    /// One ranked passage.
    public struct Result: Equatable, Sendable {
        /// Index of the passage in ``corpus``.
        public var index: Int
        /// Score under the demo's ranking.
        public var score: Double
        /// The passage.
        public var text: String
    }

    private static func results(_ hits: [SearchHit]) -> [Result] {
        hits.map { Result(index: Int($0.id), score: $0.score, text: corpus[Int($0.id)]) }
    }

    /// BM25 (Okapi) keyword search over the corpus.
    public static func keywordSearch(_ query: String = "solar electricity", k: Int = 3) throws -> [Result] {
        results(try BM25(documents: corpus).search(query, k: k))
    }

    /// Cosine search over ``HashedFeatureEmbedding`` vectors in an exact ``FlatIndex``.
    public static func vectorSearch(_ query: String = "storing solar energy", k: Int = 3) throws -> [Result] {
        results(try HybridSearch(documents: corpus, embedding: HashedFeatureEmbedding()).vectorSearch(query, k: k))
    }

    /// Hybrid search (RRF of BM25 and vectors), then MMR re-ranking (λ = `lambda`) of the fused
    /// candidates for diversity.
    public static func hybridSearch(_ query: String = "search ranking with vectors", k: Int = 3, lambda: Double = 0.7) throws -> [Result] {
        let hybrid = try HybridSearch(documents: corpus, embedding: HashedFeatureEmbedding())
        let fused = try hybrid.search(query, k: max(k * 3, 10))
        let q = try hybrid.embedding.embed([query])[0]
        return results(try maximalMarginalRelevance(query: q, hits: fused, in: hybrid.index, lambda: lambda, k: k))
    }
}

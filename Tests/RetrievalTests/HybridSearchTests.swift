import Foundation
import Testing
import Retrieval

@Suite struct HybridSearchTests {
    @Test func reciprocalRankFusionByHand() throws {
        let a = [SearchHit(id: 1, score: 9), SearchHit(id: 2, score: 5), SearchHit(id: 3, score: 1)]
        let b = [SearchHit(id: 3, score: 0.9), SearchHit(id: 1, score: 0.8)]
        let fused = try reciprocalRankFusion([a, b])
        // 1: 1/61 + 1/62; 3: 1/63 + 1/61; 2: 1/62.
        #expect(fused.map(\.id) == [1, 3, 2])
        #expect(abs(fused[0].score - (1.0 / 61 + 1.0 / 62)) < 1e-15)
        #expect(abs(fused[1].score - (1.0 / 63 + 1.0 / 61)) < 1e-15)
        let weighted = try reciprocalRankFusion([a, b], k: 0, weights: [1, 3], limit: 1)
        #expect(weighted.map(\.id) == [3])  // 1/3 + 3/1 beats 1/1 + 3/2
        #expect(throws: RetrievalError.self) { try reciprocalRankFusion([a, b], weights: [1]) }
    }

    @Test func weightedScoreFusionByHand() throws {
        let a = [SearchHit(id: 1, score: 10), SearchHit(id: 2, score: 6), SearchHit(id: 3, score: 2)]
        let b = [SearchHit(id: 3, score: 0.9), SearchHit(id: 2, score: 0.5)]
        let fused = try weightedScoreFusion([a, b], weights: [0.5, 0.5])
        // norms: a → 1: 1, 2: 0.5, 3: 0; b → 3: 1, 2: 0.
        let byID = Dictionary(uniqueKeysWithValues: fused.map { ($0.id, $0.score) })
        #expect(abs(byID[1]! - 0.5) < 1e-12 && abs(byID[2]! - 0.25) < 1e-12 && abs(byID[3]! - 0.5) < 1e-12)
        #expect(fused.map(\.id) == [1, 3, 2])  // tie between 1 and 3 broken by id
    }

    @Test func mmrPrefersDiversity() throws {
        let q: [Float] = [1, 0]
        let candidates: [[Float]] = [[1, 0.01], [1, 0.02], [0.6, 0.8], [0, 1]]
        // λ = 1: plain relevance order.
        #expect(try maximalMarginalRelevance(query: q, candidates: candidates, lambda: 1, k: 3) == [0, 1, 2])
        // λ = 0.7: the near-duplicate is still relevant enough (0.7·0.9998 − 0.3·0.99995 > 0.7·0.6 − 0.3·0.608).
        #expect(try maximalMarginalRelevance(query: q, candidates: candidates, lambda: 0.7, k: 2) == [0, 1])
        // λ = 0.3: diversity wins; the orthogonal vector (penalty 0.3·0.01) beats the duplicate.
        #expect(try maximalMarginalRelevance(query: q, candidates: candidates, lambda: 0.3, k: 2) == [0, 3])
        #expect(throws: RetrievalError.self) { try maximalMarginalRelevance(query: q, candidates: [[1]], k: 1) }
        #expect(throws: RetrievalError.self) { try maximalMarginalRelevance(query: q, candidates: candidates, lambda: 2, k: 1) }
    }

    @Test func hybridSearchFindsBothKinds() throws {
        let docs = ["Solar panels convert sunlight into electricity.",
                    "Batteries store electricity for the night.",
                    "The cat sleeps on the warm windowsill.",
                    "Wind turbines and solar farms feed the grid.",
                    "A recipe for apple pie with cinnamon."]
        let hybrid = try HybridSearch(documents: docs, embedding: HashedFeatureEmbedding(dimension: 256))
        let hits = try hybrid.search("solar electricity", k: 3)
        #expect(Set(hits.prefix(2).map(\.id)).isSubset(of: [0, 1, 3]))
        #expect(hits.first?.id == 0)
        let weighted = try hybrid.search("solar electricity", k: 3, fusion: .weighted(vectorWeight: 0.3))
        #expect(weighted.first?.id == 0)
        #expect(throws: RetrievalError.self) { try hybrid.search("  ", k: 3) }
        #expect(throws: RetrievalError.self) {
            try HybridSearch(bm25: BM25(documents: docs), index: try FlatIndex(dimension: 8), embedding: HashedFeatureEmbedding(dimension: 16))
        }
    }

    @Test func hashedEmbeddingIsDeterministicAndNormalized() throws {
        let e = HashedFeatureEmbedding(dimension: 64)
        let a = try e.embed(["the quick brown fox", "the quick brown fox", ""])
        #expect(a[0] == a[1])
        #expect(abs(a[0].reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
        #expect(a[2].allSatisfy { $0 == 0 })
        #expect(e.name == "hashed-features-v1-d64")
    }

    @Test func metadataFilterJSON() throws {
        let f = try MetadataFilter(json: #"{"$and": [{"lang": "en"}, {"year": {"$gte": 2020}}, {"tag": {"$in": ["a", "b"]}}]}"#)
        #expect(f.matches(["lang": .string("en"), "year": .int(2021), "tag": .string("b")]))
        #expect(!f.matches(["lang": .string("en"), "year": .int(2019), "tag": .string("b")]))
        #expect(!f.matches(["lang": .string("en"), "year": .double(2020.5)]))
        #expect(try MetadataFilter(json: #"{"draft": false}"#).matches(["draft": .bool(false)]))
        #expect(try MetadataFilter(json: #"{"n": {"$ne": 3}}"#).matches(["n": .double(3.5)]))
        #expect(try MetadataFilter(json: #"{"$or": [{"a": 1}, {"b": 2}]}"#).matches(["b": .int(2)]))
        for bad in ["[]", "{}", #"{"a": {"$near": 1}}"#, #"{"$xor": []}"#, "not json", #"{"a": {"$gt": "x"}}"#] {
            #expect(throws: RetrievalError.self, "\(bad)") { try MetadataFilter(json: bad) }
        }
    }
}

@Suite struct RetrievalDemoTests {
    @Test func demosRankTheExpectedPassages() throws {
        let keyword = try RetrievalDemos.keywordSearch("solar electricity", k: 3)
        #expect(keyword.first?.index == 0)
        #expect(keyword.allSatisfy { $0.text.lowercased().contains("solar") || $0.text.lowercased().contains("electric") })
        let vector = try RetrievalDemos.vectorSearch("wind turbines power", k: 2)
        #expect(vector.first?.index == 1)
        let hybrid = try RetrievalDemos.hybridSearch("hybrid search keyword vector rankings", k: 3)
        #expect(hybrid.count == 3 && hybrid.first?.index == 11)
        #expect(Set(hybrid.map(\.index)).count == 3)
    }
}

import Foundation
import Testing
import Retrieval
import TestSupport

@Suite struct BM25Tests {
    /// rank-bm25 0.2.2 on 300 real docstrings (tokens stored in the fixture): every score of every
    /// document for 15 queries, four configurations, within 1e-9.
    @Test func scoresMatchRankBM25() throws {
        let f = try fixture("bm25")
        let corpus = f["corpus"] as! [[String]]
        let queries = f["queries"] as! [[String]]
        let results = f["results"] as! [String: [String: Any]]
        #expect(corpus.count == 300)
        for (name, r) in results {
            let p = r["params"] as! [String: Double]
            let variant: BM25.Variant
            switch name {
            case "okapi", "okapi_custom": variant = .okapi(k1: p["k1"] ?? 1.5, b: p["b"] ?? 0.75, epsilon: p["epsilon"] ?? 0.25)
            case "plus": variant = .plus()
            default: variant = .l()
            }
            let bm25 = try BM25(tokenized: corpus, variant: variant)
            for (term, value) in r["idf"] as! [String: Double] {
                #expect(abs(bm25.idf[bm25.termIDs[term]!] - value) <= 1e-12, "\(name) idf(\(term))")
            }
            let expected = r["scores"] as! [[Double]]
            var worst = 0.0
            for (q, want) in zip(queries, expected) {
                let got = bm25.scores(q)
                #expect(got.count == want.count)
                worst = worse(worst, maxRelativeError(got, want, floor: 1))
            }
            #expect(worst <= 1e-9, "\(name): worst difference \(worst)")
        }
    }

    /// The inverted-index search returns the documents with the highest dense scores.
    @Test func searchAgreesWithDenseScores() throws {
        let f = try fixture("bm25")
        let corpus = f["corpus"] as! [[String]]
        for variant in [BM25.Variant.okapi(), .plus(), .l()] {
            let bm25 = try BM25(tokenized: corpus, variant: variant)
            for q in [["thread", "lock"], ["return", "the", "value"], ["file", "file", "gzip"]] {
                let dense = bm25.scores(q)
                let hits = try bm25.search(tokens: q, k: 10)
                // Hits are the documents that contain a query term, ranked by their dense score.
                let matching = corpus.indices.filter { !Set(corpus[$0]).isDisjoint(with: q) }
                #expect(hits.count == min(10, matching.count))
                let ranked = matching.sorted { a, b in dense[a] > dense[b] || (dense[a] == dense[b] && a < b) }
                let want = ranked.prefix(hits.count).map { Int64($0) }
                #expect(hits.map { $0.id } == want, "\(variant) \(q)")
                for h in hits { #expect(abs(h.score - dense[Int(h.id)]) < 1e-12) }
            }
        }
    }

    @Test func filterAndUnknownTerms() throws {
        let bm25 = try BM25(documents: ["the cat sat on the mat", "a dog barked", "cat and dog", "birds sing"])
        #expect(try bm25.search("zebra", k: 3).isEmpty)
        let hits = try bm25.search("cat", k: 3)
        #expect(Set(hits.map(\.id)) == [0, 2])
        let filtered = try bm25.search("cat", k: 3, filter: { $0 != 2 })
        #expect(filtered.map(\.id) == [0])
    }

    @Test func badInputThrows() throws {
        #expect(throws: RetrievalError.self) { try BM25(tokenized: []) }
        #expect(throws: RetrievalError.self) { try BM25(tokenized: [[], []]) }
        #expect(throws: RetrievalError.self) { try BM25(tokenized: [["a"]], variant: .okapi(k1: -1)) }
        #expect(throws: RetrievalError.self) { try BM25(tokenized: [["a"]], variant: .plus(b: 2)) }
        let bm25 = try BM25(documents: ["hello world"])
        #expect(throws: RetrievalError.self) { try bm25.search("   ", k: 3) }
        #expect(throws: RetrievalError.self) { try bm25.search(tokens: [], k: 3) }
        #expect(throws: RetrievalError.self) { try bm25.search("hello", k: 0) }
    }
}

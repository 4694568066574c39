import Foundation
import NLP
import Testing

/// TextRank against networkx 3.6.1's pagerank on the summa similarity graph of Lee-corpus
/// stories (`scripts/fixtures/make_textrank_fixtures.py`).
@Suite struct TextRankTests {
    static let fixture = (try? FixtureFiles.json("textrank.json")) as? [String: Any] ?? [:]

    @Test func scoresEqualNetworkxPageRank() throws {
        let cases = try #require(Self.fixture["cases"] as? [[String: Any]])
        #expect(cases.count == 8)
        let analyzer = try CountVectorizer(stopWords: .english).buildAnalyzer()
        let textRank = try TextRank()
        for c in cases {
            let sentences = c["sentences"] as! [String]
            #expect(sentences.map(analyzer) == c["tokens"] as! [[String]])
            let tokens = sentences.map(analyzer), n = sentences.count
            let weights = (c["weights"] as! [[Double]])
            for i in 0..<n { for j in 0..<n where i != j { #expect(abs(TextRank.similarity(tokens[i], tokens[j]) - weights[i][j]) < 1e-15) } }
            let ranked = try textRank.rank(sentences: sentences)
            let expected = c["scores"] as! [Double]
            for (r, e) in zip(ranked, expected) { #expect(abs(r.score - e) < 1e-14, "\(r.score) vs \(e)") }
            #expect(abs(ranked.map(\.score).reduce(0, +) - 1) < 1e-9)
            let best = try textRank.summarize(sentences: sentences, count: 3)
            #expect(best.map(\.index) == c["best3"] as! [Int], "\(best.map(\.index))")
        }
    }

    @Test func edgeCasesAndBadInput() throws {
        let t = try TextRank()
        #expect(try t.summarize("", sentences: 2).isEmpty)
        let one = try t.summarize("Only one sentence here.", sentences: 3)
        #expect(one.count == 1 && abs(one[0].score - 1) < 1e-12)
        // Sentences sharing no words are dangling nodes: uniform scores.
        let unrelated = try t.rank("Cats purr softly. Rockets launch quickly. Rivers flood valleys.")
        #expect(unrelated.count == 3 && unrelated.allSatisfy { abs($0.score - 1.0 / 3) < 1e-12 })
        #expect(try t.summarize("Cats eat fish. Dogs chase cats. Birds eat seeds. Fish swim fast.", ratio: 0.5).count == 2)
        #expect(throws: NLPError.self) { try t.summarize("x.", sentences: -1) }
        #expect(throws: NLPError.self) { try t.summarize("x.", ratio: 0) }
        #expect(throws: NLPError.self) { try t.pageRank(weights: [1, 2, 3], count: 2) }
        var slow = try TextRank(); slow.maxIterations = 1
        #expect(throws: NLPError.self) { try slow.rank("The cat sat. The cat ran far. A dog sat down. The dog ran.") }
        #expect(TextRank.similarity(["a"], ["a"]) == 0)             // log10 1 + log10 1 = 0
        #expect(TextRank.similarity([], ["a", "b"]) == 0)
    }
}

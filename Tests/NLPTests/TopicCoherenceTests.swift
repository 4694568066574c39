import Foundation
import NLP
import Testing

/// Topic coherence against gensim 4.4.0's CoherenceModel (`scripts/fixtures/make_coherence_fixtures.py`).
@Suite struct TopicCoherenceTests {
    static let fixture = (try? FixtureFiles.json("coherence.json")) as? [String: Any] ?? [:]

    @Test func coherenceEqualsGensims() throws {
        let texts = try #require(Self.fixture["texts"] as? [[String]])
        let topics = try #require(Self.fixture["topics"] as? [[String]])
        let cases = try #require(Self.fixture["cases"] as? [[String: Any]])
        #expect(cases.count == 8)
        for c in cases {
            let p = c["params"] as! [String: Any]
            let measure = try #require(CoherenceMeasure(rawValue: p["coherence"] as! String))
            let r = try TopicCoherence.score(topics: topics, texts: texts, measure: measure,
                                             windowSize: p["window_size"] as? Int, topN: p["topn"] as? Int ?? 20)
            let expected = c["coherence"] as! Double
            #expect(abs(r.coherence - expected) <= 1e-12 * max(1, abs(expected)), "\(p): \(r.coherence) vs \(expected)")
            let per = c["per_topic"] as! [Double]
            #expect(r.perTopic.count == per.count, "\(p)")
            for (a, b) in zip(r.perTopic, per) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "\(p): \(a) vs \(b)") }
            #expect(r.unknownWords == ["zzznotaword", "fire"])   // "fire" is not in the first 120 documents
        }
    }

    @Test func coherentTopicsScoreAboveShuffledOnes() throws {
        // On the same texts, topics of words that co-occur beat topics of words that do not.
        let texts = [["cat", "dog", "pet", "vet"], ["dog", "pet", "walk"], ["stock", "market", "bank"], ["bank", "loan", "market"],
                     ["cat", "pet", "vet"], ["market", "stock", "loan"]]
        for measure in CoherenceMeasure.allCases {
            let good = try TopicCoherence.score(topics: [["cat", "pet", "vet"], ["stock", "market", "loan"]], texts: texts, measure: measure)
            let bad = try TopicCoherence.score(topics: [["cat", "stock", "walk"], ["vet", "loan", "dog"]], texts: texts, measure: measure)
            #expect(good.coherence > bad.coherence, "\(measure): \(good.coherence) ≤ \(bad.coherence)")
        }
    }

    @Test func badInputThrows() throws {
        let texts = [["a", "b"], ["b", "c"]]
        #expect(throws: NLPError.self) { try TopicCoherence.score(topics: [], texts: texts, measure: .cV) }
        #expect(throws: NLPError.self) { try TopicCoherence.score(topics: [["a"]], texts: [], measure: .cV) }
        #expect(throws: NLPError.self) { try TopicCoherence.score(topics: [["x", "y"]], texts: texts, measure: .uMass) }
        #expect(throws: NLPError.self) { try TopicCoherence.score(topics: [["a", "b"]], texts: texts, measure: .cNPMI, windowSize: 0) }
        #expect(throws: NLPError.self) { try TopicCoherence.score(topics: [["a", "b"]], texts: texts, measure: .cUCI, topN: 0) }
        let many = (0..<5000).map { "w\($0)" }
        #expect(throws: NLPError.self) { try TopicCoherence.score(topics: [many], texts: [many], measure: .cV, topN: 5000) }
        // One word per topic: no pairs, so NaN as gensim's mean of nothing.
        #expect(try TopicCoherence.score(topics: [["a"]], texts: texts, measure: .uMass).coherence.isNaN)
    }
}

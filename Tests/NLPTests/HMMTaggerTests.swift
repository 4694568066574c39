import Foundation
import NLP
import Testing

/// The HMM tagger against NLTK 3.10.4's `HiddenMarkovModelTagger` (`scripts/fixtures/make_hmm_fixtures.py`).
@Suite struct HMMTaggerTests {
    static let fixture = (try? FixtureFiles.json("hmm.json")) as? [String: Any] ?? [:]

    @Test func tagsAndProbabilitiesEqualNLTKs() throws {
        let cases = try #require(Self.fixture["cases"] as? [[String: Any]])
        #expect(cases.count == 2)
        for c in cases {
            let train = (c["train"] as! [[[String]]]).map { $0.map { (word: $0[0], tag: $0[1]) } }
            let hmm = try HMMTagger(sentences: train)
            #expect(hmm.states == c["states"] as? [String])
            let words = c["test_words"] as! [[String]], tags = c["tags"] as! [[String]]
            var agree = 0
            for (w, t) in zip(words, tags) where hmm.tag(w) == t { agree += 1 }
            #expect(agree == words.count, "\(c["name"]!): \(agree) of \(words.count) sentences tagged as NLTK tags them")
            let p = c["probabilities"] as! [String: [[Any]]]
            for row in p["prior"]! { #expect(abs(hmm.prior(row[0] as! String)! - (row[1] as! Double)) < 1e-15) }
            for row in p["transition"]! { #expect(abs(hmm.transition(from: row[0] as! String, to: row[1] as! String)! - (row[2] as! Double)) < 1e-15) }
            for row in p["emission"]! { #expect(abs(hmm.emission(row[1] as! String, given: row[0] as! String)! - (row[2] as! Double)) < 1e-15) }
        }
    }

    @Test func badInputThrowsAndEdgeCasesHold() throws {
        #expect(throws: NLPError.self) { try HMMTagger(sentences: []) }
        #expect(throws: NLPError.self) { try HMMTagger(sentences: [[("a", "X")]], gamma: 0) }
        let hmm = try HMMTagger(sentences: [[("the", "D"), ("dog", "N")], [("a", "D"), ("cat", "N")]])
        #expect(hmm.tag([]).isEmpty)
        #expect(hmm.tag(["the", "cat"]) == ["D", "N"])
        #expect(hmm.prior("nope") == nil && hmm.transition(from: "D", to: "nope") == nil)
        // Priors, each transition row and each emission row (over the training words) sum with
        // the unseen share to 1: Lidstone's bins are the tags and the training words.
        #expect(abs(hmm.states.map { hmm.prior($0)! }.reduce(0, +) - 1) < 1e-12)
        for s in hmm.states { #expect(abs(hmm.states.map { hmm.transition(from: s, to: $0)! }.reduce(0, +) - 1) < 1e-12) }
        for s in hmm.states { #expect(abs(hmm.symbols.map { hmm.emission($0, given: s)! }.reduce(0, +) - 1) < 1e-12) }
    }
}

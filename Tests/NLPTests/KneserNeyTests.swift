import Foundation
import NLP
import Testing

/// Interpolated Kneser–Ney against NLTK 3.10.4's `KneserNeyInterpolated`
/// (`scripts/fixtures/make_kneser_ney_fixtures.py`, on the bundled Lee corpus).
@Suite struct KneserNeyTests {
    static let fixture = (try? FixtureFiles.json("kneser_ney.json")) as? [String: Any] ?? [:]

    static func lee() throws -> [[String]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Datasets/Data/text/lee_background.txt")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
    }

    @Test func scoresAndPerplexitiesEqualNLTKs() throws {
        let lines = try Self.lee()
        let cases = try #require(Self.fixture["cases"] as? [[String: Any]])
        #expect(cases.count == 10)
        for c in cases {
            let order = c["order"] as! Int, discount = c["discount"] as! Double, cutoff = c["unk_cutoff"] as! Int
            let lm = try KneserNeyModel(order: order, sentences: Array(lines.prefix(250)), discount: discount, unkCutoff: cutoff)
            let label = "order \(order) discount \(discount) cutoff \(cutoff)"
            #expect(lm.vocabulary.count == c["vocabulary"] as? Int, "\(label)")
            for q in c["queries"] as? [[Any]] ?? [] {
                let word = q[0] as! String, context = q[1] as! [String], expected = q[2] as! Double
                let got = lm.score(word, context: context)
                #expect(abs(got - expected) <= 1e-12 * max(1, expected), "\(label): P(\(word) | \(context)) = \(got) vs \(expected)")
            }
            let held = Array(lines[250..<258])
            let ppl = try lm.perplexity(of: held)
            if let expected = c["perplexity"] as? Double {
                #expect(abs(ppl - expected) <= 1e-9 * expected, "\(label): perplexity \(ppl) vs \(expected)")
            } else {
                #expect(ppl == .infinity, "\(label): NLTK gives inf (a held-out word is <UNK>, which never occurs in training), we \(ppl)")
            }
        }
    }

    @Test func probabilitiesSumToOneOverTheVocabulary() throws {
        let lm = try KneserNeyModel(order: 3, sentences: try Self.lee().prefix(100).map { $0 })
        for context in [["the", "Prime"], ["<s>", "<s>"], ["of", "the"]] {
            let total = lm.vocabulary.reduce(0.0) { $0 + lm.score($1, context: context) }
            // NLTK's lower-order weight counts raw followers over continuation totals, so the mass is
            // not exactly 1; it stays close for seen contexts.
            #expect(total > 0.9 && total < 1.1, "\(context): \(total)")
        }
    }

    @Test func fsumIsCorrectlyRounded() {
        #expect(ExactSum.fsum([0.1] * 10) == 1.0)
        #expect(ExactSum.fsum([1e100, 1.0, -1e100, 1e-100]) == 1.0)
        #expect(ExactSum.fsum([1, -.infinity]) == -.infinity)
    }

    @Test func badArgumentsAreTypedErrors() {
        #expect(throws: NLPError.self) { try KneserNeyModel(order: 1, sentences: [["a"]]) }
        #expect(throws: NLPError.self) { try KneserNeyModel(order: 3, sentences: [["a"]], discount: 1.5) }
        #expect(throws: NLPError.self) { try KneserNeyModel(order: 3, sentences: [[]]) }
        #expect(throws: NLPError.self) { try KneserNeyModel(order: 3, sentences: [["a"]], unkCutoff: 0) }
        #expect(throws: NLPError.self) { try KneserNeyModel(order: 2, sentences: [["a", "b"]]).entropy(of: []) }
    }
}

extension Array where Element == Double {
    static func * (a: [Double], n: Int) -> [Double] { Array((0..<n).flatMap { _ in a }) }
}

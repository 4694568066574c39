import Foundation
import NLP
import SwiftLearnCore
import Testing

/// Latent Dirichlet allocation against scikit-learn 1.9.1 on the Lee corpus, and the NumPy
/// `RandomState` draws it rests on (`scripts/fixtures/make_lda_fixtures.py`).
@Suite struct TopicModelTests {
    static let fixture = (try? FixtureFiles.json("lda.json")) as? [String: Any] ?? [:]

    static func matrix(_ key: String) throws -> SparseMatrix {
        let m = try #require(fixture[key] as? [String: Any])
        return try SparseMatrix(rows: m["rows"] as! Int, columns: m["columns"] as! Int, rowPointers: m["indptr"] as! [Int],
                                columnIndices: m["indices"] as! [Int], values: m["data"] as! [Double])
    }

    static func options(_ p: [String: Any]) throws -> LDAOptions {
        var o = LDAOptions()
        for (k, v) in p { try o.set(k, "\(v)") }
        return o
    }

    func close(_ a: Double, _ b: Double, _ tol: Double) -> Bool { abs(a - b) <= tol * max(1, abs(b)) }

    func maxRelativeError(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).map { abs($0 - $1) / max(1e-300, abs($1)) }.max() ?? 0
    }

    @Test func numpyRandomStateDrawsAreNumPysBitForBit() throws {
        let sets = try #require(Self.fixture["random_state"] as? [[String: Any]])
        for s in sets {
            var r = NumPyRandomState(seed: UInt32(s["seed"] as! Int))
            func expected(_ key: String) -> [UInt64] { (s[key] as? [String] ?? []).compactMap { UInt64($0, radix: 16) } }
            #expect((0..<7).map { _ in r.uniform().bitPattern } == expected("random_sample"))
            #expect((0..<7).map { _ in r.gauss().bitPattern } == expected("standard_normal"))
            #expect((0..<9).map { _ in r.gamma(shape: 100, scale: 0.01).bitPattern } == expected("gamma_100"))
            #expect((0..<9).map { _ in r.gamma(shape: 0.5, scale: 1).bitPattern } == expected("gamma_half"))
            #expect((0..<5).map { _ in r.standardExponential().bitPattern } == expected("standard_exponential"))
        }
    }

    @Test func ldaEqualsScikitLearnOnTheLeeCorpus() throws {
        let x = try Self.matrix("train"), held = try Self.matrix("held_out")
        let cases = try #require(Self.fixture["cases"] as? [[String: Any]])
        #expect(cases.count == 5)
        for c in cases {
            let params = c["params"] as! [String: Any]
            let lda = try LatentDirichletAllocation(options: Self.options(params))
            if let splits = c["partial_fit_splits"] as? [Int] {
                var start = 0
                for end in splits + [x.rows] {
                    try lda.partialFit(x.selectingRows(Array(start..<end)))
                    start = end
                }
            } else {
                try lda.fit(x)
                #expect(lda.iterations == c["n_iter"] as? Int, "\(params)")
                #expect(close(lda.finalPerplexity ?? 0, c["bound"] as! Double, 1e-9), "\(params): \(lda.finalPerplexity ?? 0) vs \(c["bound"]!)")
            }
            #expect(lda.batchIterations == c["n_batch_iter"] as? Int, "\(params)")
            let components = c["components"] as! [Double]
            #expect(maxRelativeError(lda.components, components) < 1e-8, "\(params): components differ by \(maxRelativeError(lda.components, components))")
            let first = try lda.transform(x.selectingRows(Array(0..<12)))
            let expected = (c["transform_first"] as! [[Double]]).flatMap { $0 }
            #expect(maxRelativeError(first.flatMap { $0 }, expected) < 1e-8, "\(params)")
            for row in first { #expect(abs(row.reduce(0, +) - 1) < 1e-12) }
            #expect(close(try lda.score(held), c["held_out_score"] as! Double, 1e-9), "\(params)")
            #expect(close(try lda.perplexity(held), c["held_out_perplexity"] as! Double, 1e-9), "\(params)")
        }
    }

    @Test func resultsDoNotDependOnTheThreadCount() throws {
        let x = try Self.matrix("train")
        var runs: [[Double]] = []
        for workers in [1, 2, 5] {
            var o = LDAOptions(); o.nComponents = 5; o.randomState = 4; o.maxIter = 3; o.workers = workers
            let lda = try LatentDirichletAllocation(options: o)
            try lda.fit(x)
            runs.append(lda.components)
        }
        #expect(runs[0] == runs[1] && runs[1] == runs[2])
    }

    @Test func topWordsAreTheHeaviestComponents() throws {
        let x = try Self.matrix("train"), names = try #require(Self.fixture["feature_names"] as? [String])
        var o = LDAOptions(); o.nComponents = 5; o.randomState = 0; o.maxIter = 5
        let lda = try LatentDirichletAllocation(options: o)
        try lda.fit(x)
        let top = try lda.topWords(featureNames: names, count: 8)
        #expect(top.count == 5 && top.allSatisfy { $0.count == 8 })
        for (t, words) in top.enumerated() {
            let row = Array(lda.components[t * x.columns..<(t + 1) * x.columns])
            #expect(words.first?.weight == row.max())
            #expect(zip(words, words.dropFirst()).allSatisfy { $0.weight >= $1.weight })
        }
        let dist = lda.topicWordDistribution
        #expect(dist.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-12 })
        #expect(throws: NLPError.self) { try lda.topWords(featureNames: ["a"], count: 3) }
    }

    @Test func badInputAndSettingsThrow() throws {
        var o = LDAOptions()
        #expect(throws: NLPError.self) { try o.set("n_components", "0") }
        #expect(throws: NLPError.self) { try o.set("learning_method", "gibbs") }
        #expect(throws: NLPError.self) { try o.set("doc_topic_prior", "2") }
        #expect(throws: NLPError.self) { try o.set("learning_offset", "0.5") }
        #expect(throws: NLPError.self) { try o.set("no_such", "1") }
        o.nComponents = 0
        #expect(throws: NLPError.self) { try LatentDirichletAllocation(options: o) }
        let lda = try LatentDirichletAllocation()
        let x = try SparseMatrix(rows: 2, columns: 3, rowPointers: [0, 1, 2], columnIndices: [0, 2], values: [1, 2])
        #expect(throws: NLPError.self) { try lda.transform(x) }   // not fitted
        let negative = try SparseMatrix(rows: 1, columns: 2, rowPointers: [0, 1], columnIndices: [1], values: [-1])
        #expect(throws: NLPError.self) { try lda.fit(negative) }
        let nan = try SparseMatrix(rows: 1, columns: 2, rowPointers: [0, 1], columnIndices: [1], values: [.nan])
        #expect(throws: NLPError.self) { try lda.fit(nan) }
        let empty = try SparseMatrix(rows: 0, columns: 2, rowPointers: [0], columnIndices: [], values: [])
        #expect(throws: NLPError.self) { try lda.fit(empty) }
        try lda.fit(x)
        let wide = try SparseMatrix(rows: 1, columns: 4, rowPointers: [0, 1], columnIndices: [3], values: [1])
        #expect(throws: NLPError.self) { try lda.transform(wide) }
        var big = LDAOptions(); big.nComponents = 100_000
        let huge = try SparseMatrix(rows: 1, columns: 1 << 20, rowPointers: [0, 1], columnIndices: [5], values: [1])
        #expect(throws: NLPError.self) { try LatentDirichletAllocation(options: big).fit(huge) }
        let blank = try SparseMatrix(rows: 3, columns: 4, rowPointers: [0, 0, 0, 0], columnIndices: [], values: [])
        #expect(throws: NLPError.self) { try LatentDirichletAllocation().fit(blank) }          // no words at all
        #expect(throws: NLPError.self) { try lda.perplexity(try SparseMatrix(rows: 1, columns: 3, rowPointers: [0, 0], columnIndices: [], values: [])) }
        // A document with no words keeps its prior-only weights, as scikit-learn.
        let withEmpty = try SparseMatrix(rows: 2, columns: 3, rowPointers: [0, 0, 2], columnIndices: [0, 2], values: [1, 2])
        let t = try lda.transform(withEmpty)
        #expect(t[0].allSatisfy { abs($0 - 0.1) < 1e-12 })
    }
}

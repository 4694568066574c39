import Foundation
import NLP
import Testing

/// Collapsed Gibbs LDA against the `lda` package 3.0.2 on the Lee corpus
/// (`scripts/fixtures/make_gibbs_lda_fixtures.py`; the counts are lda.json's).
@Suite struct GibbsLDATests {
    static let fixture = (try? FixtureFiles.json("gibbs_lda.json")) as? [String: Any] ?? [:]

    func scaledError(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count, !b.isEmpty else { return .infinity }
        return zip(a, b).map { abs($0 - $1) }.max()! / max(b.map { abs($0) }.max()!, 1e-300)
    }

    @Test func samplerDrawsTheLdaPackagesTopics() throws {
        let x = try TopicModelTests.matrix("train"), held = try TopicModelTests.matrix("held_out")
        let check = try #require(Self.fixture["train_check"] as? [String: Any])
        #expect(x.rows == check["rows"] as? Int && x.columns == check["columns"] as? Int && x.nonzeroCount == check["nnz"] as? Int)
        #expect(Int(x.values.reduce(0, +)) == check["sum"] as? Int)
        let cases = try #require(Self.fixture["cases"] as? [[String: Any]])
        #expect(cases.count == 2)
        for c in cases {
            let params = c["params"] as! [String: Any]
            var o = GibbsLDAOptions()
            for (k, v) in params { try o.set(k, "\(v)") }
            let model = try CollapsedGibbsLDA(options: o)
            try model.fit(x)
            // Integer counts equal: every token drew the same topic in every sweep.
            #expect(model.topicWordCounts.map(Int.init) == (c["nzw"] as! [[Int]]).flatMap { $0 }, "\(params)")
            #expect(model.documentTopicCounts.map(Int.init) == (c["ndz"] as! [[Int]]).flatMap { $0 }, "\(params)")
            // The package's lgamma is John D. Cook's approximation: agreement to 1e-11 relative.
            let lls = c["loglikelihoods"] as! [Double]
            #expect(model.logLikelihoods.count == lls.count)
            for (a, b) in zip(model.logLikelihoods.map(\.value), lls) { #expect(abs(a - b) <= 1e-11 * abs(b), "\(a) vs \(b)") }
            let final = c["final_loglikelihood"] as! Double
            #expect(abs(try model.logLikelihood() - final) <= 1e-11 * abs(final))
            #expect(scaledError(model.components, c["topic_word"] as! [Double]) < 1e-14)
            #expect(scaledError(model.documentTopics.prefix(10).flatMap { $0 }, (c["doc_topic_first"] as! [[Double]]).flatMap { $0 }) < 1e-14)
            let t = try model.transform(held)
            #expect(scaledError(t.flatMap { $0 }, (c["transform_held_out"] as! [[Double]]).flatMap { $0 }) < 1e-12, "\(params)")
        }
    }

    @Test func topWordsAndEmptyDocuments() throws {
        let x = try TopicModelTests.matrix("train")
        var o = GibbsLDAOptions(); o.nTopics = 4; o.nIter = 20; o.randomState = 3
        let model = try CollapsedGibbsLDA(options: o)
        try model.fit(x)
        let names = (0..<x.columns).map { "w\($0)" }
        let top = try model.topWords(featureNames: names, count: 5)
        #expect(top.count == 4 && top.allSatisfy { $0.count == 5 && zip($0, $0.dropFirst()).allSatisfy { $0.weight >= $1.weight } })
        let empty = try SparseMatrix(rows: 1, columns: x.columns, rowPointers: [0, 0], columnIndices: [], values: [])
        #expect(try model.transform(empty) == [[0.25, 0.25, 0.25, 0.25]])
        #expect(model.topicCounts.reduce(0, +) == Int32(x.values.reduce(0, +)))
    }

    @Test func badInputAndSettingsThrow() throws {
        var o = GibbsLDAOptions()
        #expect(throws: NLPError.self) { try o.set("n_topics", "0") }
        #expect(throws: NLPError.self) { try o.set("alpha", "0") }
        #expect(throws: NLPError.self) { try o.set("eta", "-1") }
        #expect(throws: NLPError.self) { try o.set("refresh", "0") }
        #expect(throws: NLPError.self) { try o.set("method", "vb") }
        let model = try CollapsedGibbsLDA()
        let x = try SparseMatrix(rows: 1, columns: 3, rowPointers: [0, 2], columnIndices: [0, 2], values: [1, 2])
        #expect(throws: NLPError.self) { try model.transform(x) }
        #expect(throws: NLPError.self) { try model.logLikelihood() }
        let fractional = try SparseMatrix(rows: 1, columns: 2, rowPointers: [0, 1], columnIndices: [1], values: [0.5])
        #expect(throws: NLPError.self) { try model.fit(fractional) }
        let negative = try SparseMatrix(rows: 1, columns: 2, rowPointers: [0, 1], columnIndices: [1], values: [-1])
        #expect(throws: NLPError.self) { try model.fit(negative) }
        let huge = try SparseMatrix(rows: 1, columns: 2, rowPointers: [0, 1], columnIndices: [1], values: [1e12])
        #expect(throws: NLPError.self) { try model.fit(huge) }
        let blank = try SparseMatrix(rows: 2, columns: 2, rowPointers: [0, 0, 0], columnIndices: [], values: [])
        #expect(throws: NLPError.self) { try model.fit(blank) }
        var few = GibbsLDAOptions(); few.nIter = 2; few.randomState = 0
        let small = try CollapsedGibbsLDA(options: few)
        try small.fit(x)
        let wide = try SparseMatrix(rows: 1, columns: 4, rowPointers: [0, 1], columnIndices: [3], values: [1])
        #expect(throws: NLPError.self) { try small.transform(wide) }
    }
}

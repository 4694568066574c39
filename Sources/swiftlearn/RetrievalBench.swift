import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn bench retrieval`: BM25 index + query time on a tokenized corpus (for
/// benchmarks/compare_retrieval.py, which times rank-bm25 on the same tokens).
struct RetrievalBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "BM25 indexing and query throughput on a tokenized corpus (JSON arrays of token arrays)."
    )

    @Option(help: "Corpus: a JSON array of token arrays.") var corpus: String
    @Option(help: "Queries: a JSON array of token arrays.") var queries: String
    @Option(help: "Results per query.") var k = 10
    @Option(help: "Timed runs (median reported).") var runs = 5
    @Flag(help: "One JSON object.") var json = false

    func readTokens(_ path: String) throws -> [[String]] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw ValidationError("cannot read \(path) (\(readableReason(error)))") }
        guard let rows = try? JSONSerialization.jsonObject(with: data) as? [[String]] else {
            throw ValidationError("\(path) must be a JSON array of arrays of strings")
        }
        return rows
    }

    func run() throws {
        try checkRange(runs, option: "--runs", 1...maximumRuns)
        try checkRange(k, option: "--k", 1...Int.max)
        let docs = try readTokens(corpus)
        let qs = try readTokens(queries).filter { !$0.isEmpty }
        var index: BM25?
        let indexSeconds = medianSeconds(runs: runs) { index = try? BM25(tokenized: docs) }
        guard let bm25 = index else { throw RetrievalError.emptyIndex("the corpus cannot be indexed") }
        var checksum = 0.0
        let querySeconds = medianSeconds(runs: runs) {
            for q in qs { checksum += (try? bm25.search(tokens: q, k: k))?.first?.score ?? 0 }
        }
        blackHole(checksum)
        printFields([("name", .string("bm25")), ("documents", .int(docs.count)), ("queries", .int(qs.count)),
                     ("index_seconds", .double(indexSeconds)), ("query_seconds", .double(querySeconds)),
                     ("total_seconds", .double(indexSeconds + querySeconds))], json: json)
    }
}

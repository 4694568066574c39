import ArgumentParser
import Foundation
import SwiftLearn

/// `swiftlearn search NAME "query"`: BM25, vector or hybrid search in a collection.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search a collection (BM25, vectors, or both fused).")

    @Argument(help: "Collection name.") var name: String
    @Argument(help: "Query text.") var query: String
    @Option(help: "bm25, vector or hybrid.") var mode = "hybrid"
    @Option(help: "Number of chunks to return.") var k = 5
    @Option(name: .customLong("where"), help: "Metadata filter as Chroma-style JSON, e.g. '{\"lang\": \"en\"}'.") var filter: String?
    @Flag(help: "Print one JSON object per hit.") var json = false
    @OptionGroup var home: HomeOption

    func run() throws {
        guard let mode = SearchMode(rawValue: mode) else { throw ValidationError("--mode must be bm25, vector or hybrid, got '\(self.mode)'") }
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
        let f = try filter.map { try MetadataFilter(json: $0) }
        let hits = try home.collections.openWithStoredEmbedding(name).query(query, k: k, mode: mode, where: f)
        for (rank, h) in hits.enumerated() {
            if json {
                print(JSONLine([("rank", .int(rank + 1)), ("document", .string(h.documentID)), ("chunk", .int(Int(h.chunkID))),
                                ("score", .double(h.score)), ("start", .int(h.start)), ("end", .int(h.end)), ("text", .string(h.text))]).text)
            } else {
                let preview = h.text.replacingOccurrences(of: "\n", with: " ").prefix(100)
                print("\(rank + 1). \(h.documentID) [\(h.start)..<\(h.end)] score \(String(format: "%.4f", h.score))  \(preview)")
            }
        }
        if hits.isEmpty && !json { print("no matches") }
    }
}

import Foundation
import RAG
import Retrieval

extension CheckpointRegistry {
    /// Checkpoint projects of retrieval-augmented generation.
    public static let rag: [Checkpoint] = [
        Checkpoint("rag-document-qa", "Document Q&A: index, retrieve and cite, measured",
                   topics: ["rag-pipeline", "project-document-qa"],
                   criterion: "the bundled handbook indexed with structure-aware chunks: hybrid search puts a chunk holding the gold passage in the top 5 for at least 75% of its 24 answerable questions (BM25 and vectors alone are reported beside it); re-indexing the unchanged pages embeds nothing, an edited page re-embeds only its changed chunks; every retrieved passage is the exact text at its offsets") { _ in
            let h = try HandbookIndex()
            defer { h.remove() }
            let bm25 = try h.metrics(.bm25), vector = try h.metrics(.vector), hybrid = try h.metrics(.hybrid)
            var lines = [("BM25", bm25), ("vector", vector), ("hybrid", hybrid)].map { "\($0.0): hit@5 \(f($0.1.hit[5] ?? 0)), MRR \(f($0.1.mrr))" }
            let unchanged = try h.index.index(h.documents)
            // Edit one sentence of one page: only that page's changed chunk is embedded again.
            var edited = h.documents
            guard let k = edited.firstIndex(where: { $0.source.hasSuffix("clustering.md") }), let dot = edited[k].text.lastIndex(of: ".") else {
                return DemoOutcome(passed: false, result: "the handbook has no clustering page")
            }
            var text = edited[k].text
            text.insert(contentsOf: " (an added remark)", at: dot)
            // Loaded again from the edited text, so its sections follow the edit.
            edited[k] = try DocumentLoader().documents(fromText: text, kind: "markdown", path: edited[k].source)[0]
            let changed = try h.index.index(edited)
            lines.append("re-index unchanged: \(unchanged.upsert.chunksEmbedded) embedded; one edited page: \(changed.upsert.updated) updated, \(changed.upsert.chunksEmbedded) embedded, \(changed.upsert.chunksReused) reused")
            var exact = true
            for q in h.questions.prefix(8) {
                let passages = try blocking { try await RAGRetriever(index: h.index).retrieve(q.question, options: RetrievalOptions()) }
                exact = try exact && h.spansAreExact(passages)
            }
            lines.append("passages equal their source spans: \(exact)")
            let passed = (hybrid.hit[5] ?? 0) >= 0.75
                && unchanged.upsert.chunksEmbedded == 0 && changed.upsert.updated == 1 && changed.upsert.chunksEmbedded == 1 && exact
            return DemoOutcome(passed: passed, result: lines.joined(separator: "\n"),
                               metrics: [("hybrid_hit_at_5", hybrid.hit[5] ?? 0), ("hybrid_mrr", hybrid.mrr)])
        },
    ]
}

import Foundation
import Tensors
import Retrieval
import Plot

extension DemoRegistry {
    /// Demos for search and retrieval: BM25, vector indexes, hybrid search, chunking.
    public static let retrieval: [Demo] = [
        Demo("keyword-search", "Keyword search with BM25",
             shows: "BM25 (Okapi, k1 = 1.5, b = 0.75) ranks short passages for a query by term frequency, rarity and document length.") { _ in
            let hits = try RetrievalDemos.keywordSearch("solar electricity", k: 3)
            let lines = hits.enumerated().map { "\($0 + 1). [\(f($1.score, 2))] \($1.text)" }
            return DemoOutcome(passed: !hits.isEmpty && hits[0].text.lowercased().contains("solar"),
                               result: "query \"solar electricity\"\n" + lines.joined(separator: "\n"),
                               metrics: [("top_score", hits.first?.score ?? 0)],
                               figures: [DemoFigure("scores", BarChart(title: "BM25 scores for \"solar electricity\"", yLabel: "score",
                                                                        categories: hits.map { "passage \($0.index)" }, values: hits.map(\.score)),
                                                    caption: "Passages sharing rare query words score highest.")])
        },
        Demo("vector-databases", "Approximate nearest neighbours: HNSW vs exact search",
             shows: "An HNSW graph index over 5,000 random unit vectors (64-d) against exact search: recall@10 as efSearch grows.") { ctx in
            let n = 5_000, d = 64, queries = 50
            func unitRows(_ count: Int, seed: UInt64) -> [Float] {
                let t = Tensor.randn([count, d], seed: seed)
                let norms = t.square().sum(axes: [1], keepDims: true).sqrt()
                return (t / norms).toArray(as: Float.self)
            }
            let base = unitRows(n, seed: ctx.seed), query = unitRows(queries, seed: ctx.seed &+ 1)
            let ids = (0..<n).map(Int64.init)
            let exact = try FlatIndex(dimension: d, metric: .innerProduct)
            try exact.add(base, ids: ids)
            let hnsw = try HNSWIndex(dimension: d, metric: .innerProduct, m: 16, efConstruction: 100, seed: ctx.seed)
            try hnsw.add(base, ids: ids)
            let truth = try exact.search(batch: query, k: 10).map { Set($0.map(\.id)) }
            let efs = [10, 20, 40, 80, 160]
            var recalls: [Double] = []
            for ef in efs {
                hnsw.efSearch = ef
                let found = try hnsw.search(batch: query, k: 10)
                recalls.append(zip(found, truth).map { Double(Set($0.map(\.id)).intersection($1).count) / 10 }.reduce(0, +) / Double(queries))
            }
            return DemoOutcome(passed: recalls.last! >= 0.9 && recalls.last! >= recalls.first!,
                               result: zip(efs, recalls).map { "efSearch \($0): recall@10 \(f($1))" }.joined(separator: "\n"),
                               metrics: [("recall_at_ef160", recalls.last!)],
                               figures: [DemoFigure("recall", LineChart(title: "HNSW recall@10 vs efSearch (5,000 × 64-d)", xLabel: "efSearch", yLabel: "recall@10",
                                                                         series: [ChartSeries(name: "HNSW, M = 16", x: efs.map(Double.init), y: recalls)], showMarkers: true),
                                                    caption: "A wider search beam finds more of the true neighbours; random high-dimensional data is the hard case.")])
        },
        Demo("semantic-search", "Vector search over embedded passages",
             shows: "Passages embedded with a hashed-feature embedding (words and bigrams hashed into 1,024 dimensions; no neural model yet) and searched by cosine similarity in an exact index.") { _ in
            let hits = try RetrievalDemos.vectorSearch("storing solar energy", k: 3)
            let lines = hits.enumerated().map { "\($0 + 1). [\(f($1.score, 3))] \($1.text)" }
            return DemoOutcome(passed: hits.count == 3 && hits[0].score >= hits[2].score,
                               result: "query \"storing solar energy\"\n" + lines.joined(separator: "\n"),
                               metrics: [("top_cosine", hits.first?.score ?? 0)])
        },
        Demo("hybrid-search", "Hybrid search and MMR re-ranking",
             shows: "BM25 and vector results fused by reciprocal-rank fusion, then re-ranked with maximal marginal relevance (λ = 0.7) so the top results are not near-duplicates.") { _ in
            let query = "storing electricity from the sun"
            let hybrid = try RetrievalDemos.hybridSearch(query, k: 3)
            let keyword = try RetrievalDemos.keywordSearch(query, k: 3)
            let vector = try RetrievalDemos.vectorSearch(query, k: 3)
            func show(_ name: String, _ r: [RetrievalDemos.Result]) -> String { "\(name): " + r.map { "#\($0.index)" }.joined(separator: ", ") }
            return DemoOutcome(passed: hybrid.count == 3 && Set(hybrid.map(\.index)).count == 3
                                   && (hybrid.contains { $0.index == keyword.first?.index } || hybrid.contains { $0.index == vector.first?.index }),
                               result: "query \"\(query)\"\n" + [show("BM25", keyword), show("vector", vector), show("hybrid + MMR", hybrid)].joined(separator: "\n")
                                   + "\n" + hybrid.enumerated().map { "\($0 + 1). \($1.text)" }.joined(separator: "\n"))
        },
        Demo("chunking", "Chunking with source offsets",
             shows: "The same text split by fixed size with overlap, recursively by separators, and by sentence; every chunk keeps its offsets into the source.") { _ in
            let text = RetrievalDemos.corpus.prefix(6).joined(separator: "\n\n")
            let strategies: [(String, TextChunker.Strategy)] = [("fixed 200 / overlap 40", .characters(size: 200, overlap: 40)),
                                                                ("recursive 200", .recursive(size: 200)),
                                                                ("sentences ≤ 200", .sentences(maxCharacters: 200))]
            var counts: [Double] = [], lines: [String] = []
            var exact = true
            let characters = Array(text)
            for (name, strategy) in strategies {
                let chunks = try TextChunker(strategy).chunks(text)
                counts.append(Double(chunks.count))
                exact = exact && chunks.allSatisfy { String(characters[$0.start..<$0.end]) == $0.text }
                lines.append("\(name): \(chunks.count) chunks, mean \(Int(chunks.map { Double($0.text.count) }.reduce(0, +) / Double(max(chunks.count, 1)))) characters")
            }
            return DemoOutcome(passed: exact && counts.allSatisfy { $0 > 1 },
                               result: lines.joined(separator: "\n") + "\nevery chunk equals the source sliced at its offsets: \(exact)",
                               figures: [DemoFigure("chunks", BarChart(title: "Chunks per strategy", yLabel: "chunks", categories: strategies.map(\.0), values: counts),
                                                    caption: "Recursive and sentence splitting respect text boundaries; fixed windows overlap.")])
        },
    ]
}

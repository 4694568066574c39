import Foundation
import Testing
import RAG
import Retrieval

/// Hashed features that count how many texts they embedded.
final class CountingEmbedding: EmbeddingFunction, @unchecked Sendable {
    let base = HashedFeatureEmbedding(dimension: 256)
    private let lock = NSLock()
    private var count = 0
    var dimension: Int { base.dimension }
    var name: String { base.name }
    var embedded: Int { lock.lock(); defer { lock.unlock() }; return count }
    func embed(_ texts: [String]) throws -> [[Float]] {
        lock.lock(); count += texts.count; lock.unlock()
        return try base.embed(texts)
    }
}

let guideMarkdown = """
    # Decision trees

    Decision trees learn simple if-then-else rules from the features. The gini impurity and the entropy measure the quality of a split.

    Deeper trees fit the training data more closely and can overfit; max_depth limits the depth.

    ```python
    from sklearn.tree import DecisionTreeClassifier

    clf = DecisionTreeClassifier(max_depth=3)
    ```

    ## Random forests

    A random forest averages many trees grown on bootstrap samples, which lowers the variance. Each split looks at a random subset of features.

    ## Gradient boosting

    Gradient boosting adds shallow trees one at a time, each fitted to the negative gradient of the loss. The learning rate shrinks every tree's contribution.
    """

let kernelsMarkdown = """
    # Support vector machines

    Support vector machines find the separating hyperplane with the largest margin. The RBF kernel compares samples by their Euclidean distance.

    ## Scaling

    Support vector machines are not scale invariant, so standardize the features first, for example with StandardScaler.
    """

@Suite struct ChunkingTests {
    func document(_ text: String) -> SourceDocument {
        let md = MarkdownStructure(text)
        return SourceDocument(id: "g.md", source: "g.md", kind: "markdown", title: "g", text: text,
                              sections: sections(from: md.headings, length: text.count))
    }

    @Test func sectionsKeepOffsetsCodeAndBoundaries() throws {
        let doc = document(guideMarkdown)
        let chunks = try RAGChunking.sections(size: 200).chunks(of: doc, embedding: HashedFeatureEmbedding())
        let chars = Array(doc.text)
        #expect(chunks.count >= 4)
        for c in chunks {
            #expect(String(chars[c.start..<c.end]) == c.text, "chunk \(c.index) text equals its span")
            let first = doc.section(at: c.start)!, last = doc.section(at: c.end - 1)!
            #expect(first == last, "a chunk never crosses a heading")
        }
        // The code block (shorter than 4 × 200) is never cut: one chunk holds all of it.
        let code = "```python\nfrom sklearn.tree import DecisionTreeClassifier\n\nclf = DecisionTreeClassifier(max_depth=3)\n```"
        #expect(chunks.contains { $0.text.contains(code) })
        #expect(chunks.map(\.index) == Array(0..<chunks.count))
    }

    @Test func semanticChunksCoverTheTextInOrder() throws {
        let doc = document(guideMarkdown)
        let chunks = try RAGChunking.semantic(size: 300, percentile: 70).chunks(of: doc, embedding: HashedFeatureEmbedding())
        let chars = Array(doc.text)
        #expect(chunks.count >= 2)
        for (a, b) in zip(chunks, chunks.dropFirst()) { #expect(a.end <= b.start) }
        for c in chunks { #expect(String(chars[c.start..<c.end]) == c.text && c.text.count <= 300) }
    }

    @Test func parsingRoundTripsAndRefusesNonsense() throws {
        for text in ["sections:1000", "semantic:800:95", "recursive:500:50", "sentences:400:1", "tokens:100:10", "characters:300:0"] {
            #expect(try RAGChunking(parsing: text).storageText == text)
        }
        for bad in ["sections", "sections:10", "semantic:800:100", "semantic:800", "recursive:10:20", "magic:1:2", ""] {
            #expect(throws: RAGError.self) { try RAGChunking(parsing: bad) }
        }
    }
}

@Suite struct IncrementalIndexTests {
    @Test func reindexingEmbedsOnlyWhatChanged() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("corpus")
        let guide = write(guideMarkdown, "guide.md", in: corpus)
        _ = write(kernelsMarkdown, "svm.md", in: corpus)
        let store = CollectionStore(home: dir.appendingPathComponent("home"))
        let embedding = CountingEmbedding()
        let index = try RAGIndex.create("docs", in: store, embedding: embedding, chunking: .sections(size: 200))
        let loader = DocumentLoader()

        let first = try index.index(loader.load(corpus.path), pruneUnder: [corpus.path])
        let chunks = try index.collection.stats().chunks
        #expect(first.upsert.added == 2 && first.upsert.chunksEmbedded == chunks && embedding.embedded == chunks)

        let again = try index.index(loader.load(corpus.path), pruneUnder: [corpus.path])
        #expect(again.upsert.unchanged == 2 && again.upsert.chunksEmbedded == 0 && embedding.embedded == chunks, "an unchanged corpus embeds nothing")

        // Change one paragraph of one file: only its new chunk is embedded.
        let edited = guideMarkdown.replacingOccurrences(of: "lowers the variance", with: "reduces the variance a lot")
        try edited.write(toFile: guide, atomically: true, encoding: .utf8)
        let before = embedding.embedded
        let third = try index.index(loader.load(corpus.path), pruneUnder: [corpus.path])
        #expect(third.upsert.updated == 1 && third.upsert.unchanged == 1)
        #expect(third.upsert.chunksEmbedded == 1 && embedding.embedded == before + 1)
        #expect(third.upsert.chunksReused == (try index.collection.chunks(of: guide).count) - 1)

        // A file removed from the folder is removed from the index.
        try FileManager.default.removeItem(atPath: guide)
        let fourth = try index.index(loader.load(corpus.path), pruneUnder: [corpus.path])
        let remaining = try index.collection.documentIDs()
        #expect(fourth.removed == 1 && remaining.count == 1)

        // Reopening restores the chunking and the analyzer.
        let reopened = try RAGIndex.open("docs", in: store, embedding: embedding)
        #expect(reopened.chunking == .sections(size: 200) && reopened.collection.analyzer == .english)
        let doc = try reopened.document(try reopened.collection.documentIDs()[0])
        #expect(doc.kind == "markdown" && doc.sections.map(\.title) == ["Support vector machines", "Scaling"])
    }
}

@Suite struct RetrieverTests {
    static func makeIndex(_ dir: URL) throws -> RAGIndex {
        let corpus = dir.appendingPathComponent("corpus")
        _ = write(guideMarkdown, "guide.md", in: corpus)
        _ = write(kernelsMarkdown, "svm.md", in: corpus)
        let index = try RAGIndex.create("docs", in: CollectionStore(home: dir.appendingPathComponent("home")),
                                        embedding: HashedFeatureEmbedding(dimension: 256), chunking: .sections(size: 200))
        try index.index(DocumentLoader().load(corpus.path))
        return index
    }

    @Test func findsPassagesWithTheirPlaceInTheSource() async throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = try Self.makeIndex(dir)
        let retriever = RAGRetriever(index: index)
        for mode in SearchMode.allCases {
            var o = RetrievalOptions()
            o.mode = mode
            o.k = 3
            let passages = try await retriever.retrieve("Why should features be standardized for support vector machines?", options: o)
            let top = try #require(passages.first)
            #expect(top.source.hasSuffix("svm.md") && top.section == "Scaling", "\(mode)")
            #expect(passages.map(\.rank) == Array(1...passages.count))
            let text = try index.collection.get(id: top.documentID).text
            #expect(String(Array(text)[top.start..<top.end]) == top.text)
        }
        // Small-to-big: the hit widens to its parent window, still an exact span.
        var o = RetrievalOptions()
        o.parentSize = 400
        o.k = 2
        for p in try await retriever.retrieve("learning rate shrinks each tree", options: o) {
            let text = try index.collection.get(id: p.documentID).text
            #expect(String(Array(text)[p.start..<p.end]) == p.text && p.text.count >= 1)
        }
        // Compression keeps the best sentence, and offsets span the kept sentences.
        o = RetrievalOptions()
        o.compression = 0.99
        let compressed = try await retriever.retrieve("random subset of features", options: o)
        #expect(compressed.allSatisfy { !$0.text.isEmpty && $0.end > $0.start })
        // MMR returns k distinct chunks.
        o = RetrievalOptions()
        o.rerank = .mmr(lambda: 0.3)
        o.k = 4
        let diverse = try await retriever.retrieve("trees", options: o)
        #expect(Set(diverse.map(\.chunkID)).count == diverse.count && diverse.count == 4)
        // The model-based options say what they need.
        o = RetrievalOptions()
        o.expansion = .hypotheticalDocument
        await #expect(throws: RAGError.self) { try await retriever.retrieve("trees", options: o) }
        o.expansion = .multiQuery(count: 0)
        await #expect(throws: RAGError.self) { try await retriever.retrieve("trees", options: o) }
    }

    @Test func fusionAddsReciprocalRanks() {
        func hit(_ id: Int64) -> CollectionHit {
            CollectionHit(chunkID: id, documentID: "d", text: "t\(id)", start: 0, end: 1, score: 0, metadata: [:])
        }
        let fused = RAGRetriever.fuse([[hit(1), hit(2), hit(3)], [hit(3), hit(1)]], limit: 10)
        #expect(fused.map(\.chunkID) == [1, 3, 2])
        #expect(abs(fused[0].score - (1.0 / 61 + 1.0 / 62)) < 1e-12)
    }
}

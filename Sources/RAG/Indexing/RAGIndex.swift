import Foundation
import Retrieval
import SwiftLearnCore

/// A RAG index: a Retrieval ``DocumentCollection`` (SQLite: documents, chunks, embeddings; BM25
/// and vector search) whose documents carry their source, kind, title and sections, chunked by a
/// ``RAGChunking`` that the index remembers.
///
/// Indexing is incremental (``index(_:pruneUnder:)``): an unchanged document embeds nothing, a
/// changed one embeds only the chunks whose text is new, and documents that disappeared from the
/// indexed paths are removed.
public final class RAGIndex: @unchecked Sendable {
    /// The collection holding everything.
    public let collection: DocumentCollection
    /// How documents are chunked.
    public let chunking: RAGChunking

    static let chunkingKey = "rag.chunking"

    init(collection: DocumentCollection, chunking: RAGChunking) {
        self.collection = collection
        self.chunking = chunking
    }

    /// Creates index `name` in `store`.
    public static func create(_ name: String, in store: CollectionStore, embedding: any EmbeddingFunction,
                              chunking: RAGChunking = .standard, analyzer: BM25.AnalyzerName = .english) throws -> RAGIndex {
        // The collection's own strategy only matters to `collection add`; RAG passes its chunks.
        let base: TextChunker.Strategy
        if case .text(let s) = chunking { base = s } else { base = .recursive(size: 500, overlap: 50) }
        let collection = try store.create(name, embedding: embedding, chunking: base, analyzer: analyzer)
        try collection.setProperty(chunkingKey, chunking.storageText)
        return RAGIndex(collection: collection, chunking: chunking)
    }

    /// Opens index `name`, with `embedding` or else the one it was made with (a model directory,
    /// an endpoint, or the hashed features).
    public static func open(_ name: String, in store: CollectionStore, embedding: (any EmbeddingFunction)? = nil,
                            apiKey: String? = nil) throws -> RAGIndex {
        let collection: DocumentCollection
        if let embedding {
            collection = try store.open(name, embedding: embedding)
        } else {
            let stored = try store.storedEmbedding(of: name)
            if let source = stored.source, stored.name.hasPrefix("endpoint-") {
                collection = try store.open(name, embedding: try EndpointEmbedding(source: source, apiKey: apiKey))
            } else {
                collection = try store.openWithStoredEmbedding(name)
            }
        }
        let chunking = try collection.property(chunkingKey).map(RAGChunking.init(parsing:)) ?? .text(collection.chunking)
        return RAGIndex(collection: collection, chunking: chunking)
    }

    /// What one ``index(_:pruneUnder:)`` call did.
    public struct Report: Equatable, Sendable {
        /// What the collection added, updated, skipped, embedded and reused.
        public var upsert = UpsertReport()
        /// Documents removed because their file is gone.
        public var removed = 0
        /// Seconds spent.
        public var seconds = 0.0
    }

    /// Adds or updates `documents`; then removes stored documents whose source lies under one of
    /// `pruneUnder` (paths as given when indexing) but that are not among `documents`.
    @discardableResult
    public func index(_ documents: [SourceDocument], pruneUnder: [String] = [], batchSize: Int = 32,
                      onCommit: (([String]) -> Void)? = nil) throws -> Report {
        let started = Date()
        var report = Report()
        var seen = Set<String>()
        var stored: [CollectionDocument] = []
        var byID: [String: SourceDocument] = [:]
        for d in documents where seen.insert(d.id).inserted && !d.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            stored.append(CollectionDocument(id: d.id, text: d.text, metadata: Self.metadata(of: d)))
            byID[d.id] = d
        }
        let embedding = collection.embedding
        report.upsert = try collection.upsert(stored, chunker: { [chunking] doc in
            guard let source = byID[doc.id] else { return [] }
            return try chunking.chunks(of: source, embedding: embedding)
        }, embeddingText: contextualHeaders ? { doc, chunk in
            guard let source = byID[doc.id] else { return chunk.text }
            return Self.header(source, at: chunk.start) + chunk.text
        } : nil, batchSize: batchSize, onCommit: onCommit)
        if !pruneUnder.isEmpty {
            let roots = pruneUnder.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            var gone: [String] = []
            for id in try collection.documentIDs() where !seen.contains(id) {
                let source = try collection.get(id: id).metadata["source"].map { "\($0)" } ?? id
                let path = URL(fileURLWithPath: source).standardizedFileURL.path
                if roots.contains(where: { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) { gone.append(id) }
            }
            if !gone.isEmpty { try collection.delete(ids: gone) }
            report.removed = gone.count
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// Embed each chunk under its document's title and section heading ("Title — Section\n"
    /// before the text; the stored and searched-by-BM25 text stays the chunk itself). On by
    /// default; it raised hit@5 on the scikit-learn guide (see benchmarks/rag/README.md).
    public var contextualHeaders = true

    /// The header embedded before a chunk starting at `offset`.
    static func header(_ d: SourceDocument, at offset: Int) -> String {
        let section = d.section(at: offset)?.title ?? ""
        if section.isEmpty || section == d.title { return d.title + "\n" }
        return d.title + " — " + section + "\n"
    }

    /// The stored form of a document's fields.
    static func metadata(of d: SourceDocument) -> Metadata {
        var m = d.metadata
        m["source"] = .string(d.source)
        m["kind"] = .string(d.kind)
        m["title"] = .string(d.title)
        m["sections"] = .string(d.sections.map { "\($0.start)\t\($0.end)\t\($0.level)\t\($0.title.replacingOccurrences(of: "\n", with: " "))" }
            .joined(separator: "\n"))
        return m
    }

    /// A stored document with its fields (sections parsed back).
    public func document(_ id: String) throws -> SourceDocument {
        let stored = try collection.get(id: id)
        var m = stored.metadata
        func take(_ key: String) -> String? { m.removeValue(forKey: key).map { "\($0)" } }
        let source = take("source") ?? id, kind = take("kind") ?? "text", title = take("title") ?? id
        let sections: [DocumentSection] = (take("sections") ?? "").split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false)
            guard f.count >= 3, let a = Int(f[0]), let b = Int(f[1]), let l = Int(f[2]) else { return nil }
            return DocumentSection(title: f.count > 3 ? String(f[3]) : "", level: l, start: a, end: b)
        }
        return SourceDocument(id: id, source: source, kind: kind, title: title, text: stored.text, sections: sections, metadata: m)
    }
}

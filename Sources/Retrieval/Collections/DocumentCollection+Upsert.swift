import Foundation
import GRDB

/// What ``DocumentCollection/upsert(_:chunker:batchSize:onCommit:)`` did.
public struct UpsertReport: Equatable, Sendable {
    /// Documents that were not in the collection.
    public var added = 0
    /// Documents whose text or metadata changed (their chunks were replaced).
    public var updated = 0
    /// Documents already stored with the same text and metadata (not touched, nothing embedded).
    public var unchanged = 0
    /// Chunks whose embedding was computed now.
    public var chunksEmbedded = 0
    /// Chunks of a changed document whose text was already stored for that document, so their
    /// stored embedding was kept.
    public var chunksReused = 0

    /// An empty report.
    public init() {}
}

extension DocumentCollection {
    /// Adds new documents and replaces changed ones, embedding only what is new: a document stored
    /// with the same text and metadata is skipped; for a changed document, every chunk whose text
    /// equals one of its stored chunks keeps the stored embedding, and only the other chunks are
    /// embedded. (LlamaIndex's `refresh` re-embeds every node of a changed document.)
    ///
    /// - Parameters:
    ///   - chunker: cuts a document into chunks (offsets into its text); nil uses the collection's
    ///     ``chunking``. Chunks must lie inside the text and must not be blank.
    ///   - embeddingText: the text embedded for a chunk (nil: the chunk's text) — e.g. the chunk
    ///     under its document's title and section heading. Stored embeddings are reused by chunk
    ///     text, so a change to this function alone does not re-embed unchanged chunks.
    ///   - batchSize: documents per transaction; `onCommit` gets each committed batch's ids.
    /// - Throws: as ``add(_:batchSize:onCommit:)`` for bad documents (before anything is written),
    ///   `invalidInput` for a chunk outside its document, and the embedding function's errors.
    @discardableResult
    public func upsert(_ documents: [CollectionDocument], chunker: ((CollectionDocument) throws -> [Chunk])? = nil,
                       embeddingText: ((CollectionDocument, Chunk) -> String)? = nil,
                       batchSize: Int = 64, onCommit: (([String]) -> Void)? = nil) throws -> UpsertReport {
        try Self.checkBatch(documents, batchSize: batchSize)
        let defaultChunker = try TextChunker(chunking)
        var report = UpsertReport()
        var start = 0
        while start < documents.count {
            let batch = Array(documents[start..<min(start + batchSize, documents.count)])
            start += batch.count
            // What is stored now for these ids: text, metadata, and chunk text → embedding.
            let stored: [String: (text: String, metadata: String, vectors: [String: Data])] = try Self.wrap(url) {
                try pool.read { db in
                    var out: [String: (String, String, [String: Data])] = [:]
                    for doc in batch {
                        guard let row = try Row.fetchOne(db, sql: "SELECT text, metadata FROM documents WHERE id = ?", arguments: [doc.id]) else { continue }
                        var vectors: [String: Data] = [:]
                        for c in try Row.fetchAll(db, sql: "SELECT text, embedding FROM chunks WHERE document_id = ?", arguments: [doc.id]) {
                            vectors[c["text"]] = c["embedding"]
                        }
                        out[doc.id] = (row["text"], row["metadata"], vectors)
                    }
                    return out
                }
            }
            var changed: [(doc: CollectionDocument, chunks: [Chunk])] = []
            for doc in batch {
                if let old = stored[doc.id], old.text == doc.text, (try? parseMetadataJSON(old.metadata)) == doc.metadata {
                    report.unchanged += 1
                    continue
                }
                let chunks = try chunker.map { try $0(doc) } ?? defaultChunker.chunks(doc.text)
                let length = doc.text.count
                for c in chunks where c.start < 0 || c.end > length || c.start >= c.end || c.text.isEmpty {
                    throw RetrievalError.invalidInput("chunk \(c.index) of document '\(doc.id)' spans \(c.start)..<\(c.end), outside its \(length) characters")
                }
                changed.append((doc, chunks))
                if stored[doc.id] == nil { report.added += 1 } else { report.updated += 1 }
            }
            guard !changed.isEmpty else { continue }
            // Embed the chunks no stored chunk of the same document already covers (each text once).
            var pending: [String] = []
            var pendingIndex: [String: Int] = [:]
            for (doc, chunks) in changed {
                for c in chunks where stored[doc.id]?.vectors[c.text] == nil && pendingIndex[c.text] == nil {
                    pendingIndex[c.text] = pending.count
                    pending.append(embeddingText?(doc, c) ?? c.text)
                }
            }
            let fresh = pending.isEmpty ? [] : try embedding.embed(pending)
            guard fresh.count == pending.count else {
                throw RetrievalError.invalidInput("embedding \(embedding.name) returned \(fresh.count) vectors for \(pending.count) texts")
            }
            if let bad = fresh.first(where: { $0.count != embedding.dimension }) {
                throw RetrievalError.dimensionMismatch(expected: embedding.dimension, got: bad.count)
            }
            let freshBlobs = fresh.map { v in v.withUnsafeBufferPointer { Data(buffer: $0) } }
            let now = Date().timeIntervalSince1970
            try Self.wrap(url) {
                try pool.write { db in
                    for (doc, chunks) in changed {
                        let old = stored[doc.id]?.vectors ?? [:]
                        try db.execute(sql: "DELETE FROM documents WHERE id = ?", arguments: [doc.id])
                        try db.execute(sql: "INSERT INTO documents(id, text, metadata, added_at) VALUES (?, ?, ?, ?)",
                                       arguments: [doc.id, doc.text, metadataJSON(doc.metadata), now])
                        for c in chunks {
                            let blob: Data
                            if let kept = old[c.text] { blob = kept; report.chunksReused += 1 } else { blob = freshBlobs[pendingIndex[c.text]!] }
                            try db.execute(sql: "INSERT INTO chunks(document_id, position, text, start_offset, end_offset, embedding) VALUES (?, ?, ?, ?, ?, ?)",
                                           arguments: [doc.id, c.index, c.text, c.start, c.end, blob])
                        }
                    }
                    try Self.bumpGeneration(db)
                }
            }
            report.chunksEmbedded += pending.count
            onCommit?(changed.map(\.doc.id))
        }
        return report
    }

    /// The stored embeddings of chunks, by chunk id (ids not stored are absent).
    public func embeddings(ofChunks ids: [Int64]) throws -> [Int64: [Float]] {
        let dimension = embedding.dimension
        return try Self.wrap(url) {
            try pool.read { db in
                var out: [Int64: [Float]] = [:]
                for id in ids {
                    guard let blob = try Data.fetchOne(db, sql: "SELECT embedding FROM chunks WHERE id = ?", arguments: [id]) else { continue }
                    guard blob.count == dimension * 4 else {
                        throw RetrievalError.corruptFile(path: url.path, reason: "chunk \(id) has a \(blob.count)-byte embedding, expected \(dimension * 4)")
                    }
                    out[id] = blob.withUnsafeBytes { raw in (0..<dimension).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
                }
                return out
            }
        }
    }

    /// A value an application stored with the collection (``setProperty(_:_:)``), or nil.
    public func property(_ key: String) throws -> String? {
        try Self.wrap(url) {
            try pool.read { try String.fetchOne($0, sql: "SELECT value FROM collection_info WHERE key = ?", arguments: ["user." + key]) }
        }
    }

    /// Stores a string with the collection (kept apart from the collection's own settings).
    public func setProperty(_ key: String, _ value: String) throws {
        guard !key.isEmpty else { throw RetrievalError.invalidInput("a property key is empty") }
        try Self.wrap(url) {
            try pool.write {
                try $0.execute(sql: "INSERT OR REPLACE INTO collection_info(key, value) VALUES (?, ?)", arguments: ["user." + key, value])
            }
        }
    }
}

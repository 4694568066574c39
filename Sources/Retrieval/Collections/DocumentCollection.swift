import Foundation
import GRDB
import SwiftLearnCore

/// A persistent, Chroma-like collection: documents, their chunks, metadata and embeddings in one
/// SQLite file (through GRDB, WAL mode), searchable by BM25, vectors or both.
///
/// Layout (schema migrations registered from v1 with `DatabaseMigrator`):
/// `collection_info(key, value)` — format, embedding name and dimension, chunking, generation;
/// `documents(id, text, metadata, added_at)`; `chunks(id, document_id → documents ON DELETE
/// CASCADE, position, text, start_offset, end_offset, embedding BLOB of float32)`.
///
/// Writes run in transactions (`add` commits one batch at a time and reports each commit), and
/// bump a generation counter. Queries read one snapshot: the in-memory BM25 and flat cosine
/// index are rebuilt from that snapshot when the generation changed, so a reader never mixes
/// two states even while another connection writes. Thread-safe.
public final class DocumentCollection: @unchecked Sendable {
    /// The collection's name.
    public let name: String
    /// The SQLite file.
    public let url: URL
    /// Embeds documents and queries.
    public let embedding: any EmbeddingFunction
    /// How documents are cut into chunks.
    public let chunking: TextChunker.Strategy
    /// How BM25 tokenizes chunks and queries (collections made before analyzers were stored use
    /// the standard one).
    public let analyzer: BM25.AnalyzerName

    let pool: DatabasePool
    private let lock = NSLock()
    private var cache: SearchSnapshot?

    static let formatTag = "swiftlearn-collection-v1"

    // MARK: Opening

    /// Creates a new collection file at `url` (throws `collectionExists` if the file exists).
    public static func create(at url: URL, name: String, embedding: any EmbeddingFunction = HashedFeatureEmbedding(),
                              chunking: TextChunker.Strategy = .recursive(size: 500, overlap: 50),
                              analyzer: BM25.AnalyzerName = .standard) throws -> DocumentCollection {
        _ = try TextChunker(chunking)
        try RetrievalLimits.check(embedding.dimension, in: RetrievalLimits.dimensions, "dimension")
        // Under the file lock: two processes creating the same name at once get one collection
        // and one `collectionExists`, never two half-made schemas.
        let pool: DatabasePool = try withCreationLock(url) {
            if FileManager.default.fileExists(atPath: url.path) { throw RetrievalError.collectionExists(name) }
            let pool = try openPool(url, locked: true)
            try wrap(url) {
                try pool.write { db in
                    for (k, v) in [("format", formatTag), ("name", name), ("embedding", embedding.name),
                                   ("dimension", String(embedding.dimension)), ("chunking", chunking.storageText), ("generation", "0"),
                                   ("analyzer", analyzer.rawValue)]
                                   + (embedding.source.map { [("embedding_source", $0)] } ?? []) {
                        try db.execute(sql: "INSERT INTO collection_info(key, value) VALUES (?, ?)", arguments: [k, v])
                    }
                }
            }
            return pool
        }
        return DocumentCollection(name: name, url: url, pool: pool, embedding: embedding, chunking: chunking, analyzer: analyzer)
    }

    /// The embedding a collection file was created with: its name, dimension and, for an
    /// embedding that loads a model (``EmbeddingFunction/source``), where the model is. Collections
    /// made before sources were stored have none.
    public static func storedEmbedding(at url: URL) throws -> StoredEmbedding {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw RetrievalError.collectionNotFound(url.deletingPathExtension().lastPathComponent)
        }
        let info = try readInfo(url, try openPool(url))
        guard info["format"] == formatTag, let name = info["embedding"], let dimension = info["dimension"].flatMap(Int.init) else {
            throw RetrievalError.corruptFile(path: url.path, reason: "not a SwiftLearn collection (missing collection_info entries)")
        }
        return StoredEmbedding(name: name, dimension: dimension, source: info["embedding_source"])
    }

    /// Opens an existing collection. The stored embedding must be the built-in
    /// ``HashedFeatureEmbedding`` or be passed as `embedding` (same name and dimension).
    public static func open(at url: URL, embedding: (any EmbeddingFunction)? = nil) throws -> DocumentCollection {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw RetrievalError.collectionNotFound(url.deletingPathExtension().lastPathComponent)
        }
        let pool = try openPool(url)
        let info = try readInfo(url, pool)
        guard info["format"] == formatTag, let name = info["name"], let embName = info["embedding"],
              let dim = info["dimension"].flatMap(Int.init), let chunkText = info["chunking"] else {
            throw RetrievalError.corruptFile(path: url.path, reason: "not a SwiftLearn collection (missing collection_info entries)")
        }
        guard RetrievalLimits.dimensions.contains(dim) else {
            throw RetrievalError.corruptFile(path: url.path, reason: "stored dimension \(dim) is outside \(RetrievalLimits.dimensions)")
        }
        let chunking = try TextChunker.Strategy(parsing: chunkText)
        guard let analyzer = BM25.AnalyzerName(rawValue: info["analyzer"] ?? "standard") else {
            throw RetrievalError.corruptFile(path: url.path, reason: "unknown BM25 analyzer '\(info["analyzer"] ?? "")'")
        }
        let emb: any EmbeddingFunction
        if let e = embedding {
            guard e.name == embName, e.dimension == dim else {
                throw RetrievalError.invalidInput("collection '\(name)' was built with embedding \(embName) (d=\(dim)), got \(e.name) (d=\(e.dimension))")
            }
            emb = e
        } else if embName == HashedFeatureEmbedding(dimension: dim).name {
            emb = HashedFeatureEmbedding(dimension: dim)
        } else {
            throw RetrievalError.invalidInput("collection '\(name)' uses embedding \(embName); pass that embedding function to open it")
        }
        return DocumentCollection(name: name, url: url, pool: pool, embedding: emb, chunking: chunking, analyzer: analyzer)
    }

    /// The `collection_info` table as a dictionary.
    private static func readInfo(_ url: URL, _ pool: DatabasePool) throws -> [String: String] {
        try wrap(url) {
            try pool.read { db in
                var out: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT key, value FROM collection_info") { out[row["key"]] = row["value"] as String }
                return out
            }
        }
    }

    private init(name: String, url: URL, pool: DatabasePool, embedding: any EmbeddingFunction, chunking: TextChunker.Strategy,
                 analyzer: BM25.AnalyzerName) {
        self.name = name
        self.url = url
        self.pool = pool
        self.embedding = embedding
        self.chunking = chunking
        self.analyzer = analyzer
    }

    static func migrator() -> DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE collection_info (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                CREATE TABLE documents (
                    id TEXT PRIMARY KEY NOT NULL, text TEXT NOT NULL,
                    metadata TEXT NOT NULL DEFAULT '{}', added_at REAL NOT NULL);
                CREATE TABLE chunks (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL, text TEXT NOT NULL,
                    start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, embedding BLOB NOT NULL);
                CREATE INDEX chunks_by_document ON chunks(document_id);
                """)
        }
        return m
    }

    /// Opens the pool and migrates the schema, holding the creation lock unless the caller does
    /// (`locked`): concurrent first openers migrate one at a time.
    private static func openPool(_ url: URL, locked: Bool = false) throws -> DatabasePool {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = true
        let open: () throws -> DatabasePool = {
            try wrap(url) {
                try refuseForeignDatabase(url)
                let pool = try DatabasePool(path: url.path, configuration: config)
                try migrator().migrate(pool)
                return pool
            }
        }
        return try locked ? open() : withCreationLock(url, open)
    }

    /// Runs `body` holding ``FileLock`` on `<collection>.sqlite.lock`.
    private static func withCreationLock<T>(_ url: URL, _ body: () throws -> T) throws -> T {
        do { return try FileLock.withExclusiveLock(at: url.path + ".lock", body) } catch let failure as FileLock.Failure {
            throw RetrievalError.io(failure.description)
        }
    }

    /// Throws `corruptFile` when `url` is an SQLite database with tables but no collection
    /// (another application's file), after looking at it through a read-only connection: opening
    /// it for writing would switch it to WAL and migrate our tables into it before the refusal.
    private static func refuseForeignDatabase(_ url: URL) throws {
        guard let size = try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int, size > 0 else { return }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        let tables = try DatabaseQueue(path: url.path, configuration: config).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        }
        if !tables.isEmpty && !tables.contains("collection_info") {
            throw RetrievalError.corruptFile(path: url.path, reason: "an SQLite database of another application (tables: \(tables.prefix(5).joined(separator: ", "))), not a SwiftLearn collection; it was not changed")
        }
    }

    /// Runs `body`, turning SQLite errors into `RetrievalError` (damaged files → corruptFile).
    static func wrap<T>(_ url: URL, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as RetrievalError { throw e } catch let e as DatabaseError {
            let code = e.resultCode.primaryResultCode
            if code == .SQLITE_NOTADB || code == .SQLITE_CORRUPT {
                throw RetrievalError.corruptFile(path: url.path, reason: "SQLite: \(e.message ?? "\(code)")")
            }
            throw RetrievalError.database("\(url.lastPathComponent): \(e.message ?? "\(e)")")
        } catch {
            throw RetrievalError.database("\(url.lastPathComponent): \(error)")
        }
    }

    // MARK: Writing

    /// Chunks, embeds and stores `documents`, committing `batchSize` documents per transaction;
    /// `onCommit` receives the ids of each batch after its transaction committed (a crash
    /// afterwards cannot lose them). Throws for a duplicate or empty id, or a blank text —
    /// before writing the batch that holds it.
    public func add(_ documents: [CollectionDocument], batchSize: Int = 64, onCommit: (([String]) -> Void)? = nil) throws {
        try Self.checkBatch(documents, batchSize: batchSize)
        let chunker = try TextChunker(chunking)
        var start = 0
        while start < documents.count {
            let batch = Array(documents[start..<min(start + batchSize, documents.count)])
            let chunks = batch.map { chunker.chunks($0.text) }
            let vectors = try embedding.embed(chunks.flatMap { $0.map(\.text) })
            guard vectors.allSatisfy({ $0.count == embedding.dimension }) else {
                throw RetrievalError.dimensionMismatch(expected: embedding.dimension, got: vectors.first { $0.count != embedding.dimension }!.count)
            }
            let now = Date().timeIntervalSince1970
            try Self.wrap(url) {
                try pool.write { db in
                    var v = 0
                    for (i, doc) in batch.enumerated() {
                        if try Bool.fetchOne(db, sql: "SELECT 1 FROM documents WHERE id = ?", arguments: [doc.id]) != nil {
                            throw RetrievalError.duplicateID("document '\(doc.id)' is already in collection '\(name)'")
                        }
                        try db.execute(sql: "INSERT INTO documents(id, text, metadata, added_at) VALUES (?, ?, ?, ?)",
                                       arguments: [doc.id, doc.text, metadataJSON(doc.metadata), now])
                        for c in chunks[i] {
                            let blob = vectors[v].withUnsafeBufferPointer { Data(buffer: $0) }
                            v += 1
                            try db.execute(sql: "INSERT INTO chunks(document_id, position, text, start_offset, end_offset, embedding) VALUES (?, ?, ?, ?, ?, ?)",
                                           arguments: [doc.id, c.index, c.text, c.start, c.end, blob])
                        }
                    }
                    try Self.bumpGeneration(db)
                }
            }
            onCommit?(batch.map(\.id))
            start += batch.count
        }
    }

    /// Throws for batchSize < 1, an empty or repeated id, or a blank text (what `add` and
    /// `upsert` refuse before writing anything).
    static func checkBatch(_ documents: [CollectionDocument], batchSize: Int) throws {
        try require(batchSize >= 1, "batchSize", batchSize, "must be at least 1")
        var seen = Set<String>()
        for d in documents {
            guard !d.id.isEmpty else { throw RetrievalError.invalidInput("a document id is empty") }
            guard seen.insert(d.id).inserted else { throw RetrievalError.duplicateID("document '\(d.id)' appears twice") }
            guard !d.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw RetrievalError.invalidInput("document '\(d.id)' has no text")
            }
        }
    }

    static func bumpGeneration(_ db: Database) throws {
        try db.execute(sql: "UPDATE collection_info SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'generation'")
    }

    /// Deletes documents (and their chunks) in one transaction; unknown ids throw and delete nothing.
    public func delete(ids: [String]) throws {
        try Self.wrap(url) {
            try pool.write { db in
                for id in ids where try Bool.fetchOne(db, sql: "SELECT 1 FROM documents WHERE id = ?", arguments: [id]) == nil {
                    throw RetrievalError.unknownID("document '\(id)' is not in collection '\(name)'")
                }
                for id in ids { try db.execute(sql: "DELETE FROM documents WHERE id = ?", arguments: [id]) }
                try Self.bumpGeneration(db)
            }
        }
    }

    // MARK: Reading

    /// A stored document.
    public func get(id: String) throws -> CollectionDocument {
        try Self.wrap(url) {
            try pool.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT text, metadata FROM documents WHERE id = ?", arguments: [id]) else {
                    throw RetrievalError.unknownID("document '\(id)' is not in collection '\(name)'")
                }
                return CollectionDocument(id: id, text: row["text"], metadata: try parseMetadataJSON(row["metadata"]))
            }
        }
    }

    /// The chunks of a document, in order.
    public func chunks(of id: String) throws -> [Chunk] {
        try Self.wrap(url) {
            try pool.read { db in
                let rows = try Row.fetchAll(db, sql: "SELECT position, text, start_offset, end_offset FROM chunks WHERE document_id = ? ORDER BY position", arguments: [id])
                if rows.isEmpty, try Bool.fetchOne(db, sql: "SELECT 1 FROM documents WHERE id = ?", arguments: [id]) == nil {
                    throw RetrievalError.unknownID("document '\(id)' is not in collection '\(name)'")
                }
                return rows.map { Chunk(text: $0["text"], start: $0["start_offset"], end: $0["end_offset"], index: $0["position"]) }
            }
        }
    }

    /// All document ids, sorted.
    public func documentIDs() throws -> [String] {
        try Self.wrap(url) { try pool.read { try String.fetchAll($0, sql: "SELECT id FROM documents ORDER BY id") } }
    }

    /// Document and chunk counts of one snapshot.
    public func stats() throws -> CollectionStats {
        try Self.wrap(url) {
            try pool.read { db in
                CollectionStats(documents: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM documents") ?? 0,
                                chunks: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chunks") ?? 0,
                                generation: try Self.generation(db))
            }
        }
    }

    static func generation(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM collection_info WHERE key = 'generation'") ?? 0
    }

    /// The `k` best chunks for `text` by `mode`, restricted to documents whose metadata match
    /// `filter`. Throws for blank text, k < 1 or an empty collection.
    public func query(_ text: String, k: Int = 5, mode: SearchMode = .hybrid, where filter: MetadataFilter? = nil) throws -> [CollectionHit] {
        try require(k >= 1, "k", k, "must be at least 1")
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw RetrievalError.emptyQuery("blank query text") }
        let snap = try snapshot()
        guard !snap.texts.isEmpty else { throw RetrievalError.emptyIndex("collection '\(name)' has no documents") }
        let allowed: ((Int) -> Bool)? = filter.map { f in { f.matches(snap.metadata[snap.documentIDs[$0]]) } }
        // More than every chunk cannot be returned (and 4·k must not overflow): k is clamped to the chunk count.
        let k = min(k, snap.texts.count)
        let n = mode == .hybrid ? max(50, 4 * k) : k
        func keyword() throws -> [SearchHit] {
            guard let bm25 = snap.bm25 else { return [] }
            let tokens = bm25.analyzer(text)
            if tokens.isEmpty { if mode == .bm25 { throw RetrievalError.emptyQuery("'\(text)' has no searchable terms") } else { return [] } }
            return try bm25.search(tokens: tokens, k: n, filter: allowed)
        }
        func vector() throws -> [SearchHit] {
            let q = try embedding.embed([text])[0]
            guard q.contains(where: { $0 != 0 }) else { return [] }
            return try snap.index.search(q, k: n, filter: allowed.map { a in .predicate { a(Int($0)) } })
        }
        let hits: [SearchHit]
        switch mode {
        case .bm25: hits = try keyword()
        case .vector: hits = try vector()
        case .hybrid: hits = try reciprocalRankFusion([try keyword(), try vector()], limit: k)
        }
        return hits.map { h in
            let i = Int(h.id)
            return CollectionHit(chunkID: snap.chunkIDs[i], documentID: snap.documentIDs[i], text: snap.texts[i], start: snap.starts[i],
                                 end: snap.ends[i], score: h.score, metadata: snap.metadata[snap.documentIDs[i]] ?? [:])
        }
    }

    /// The search structures of the current snapshot (rebuilt when the generation changed).
    private func snapshot() throws -> SearchSnapshot {
        try Self.wrap(url) {
            try pool.read { db in
                let gen = try Self.generation(db)
                lock.lock()
                let cached = cache
                lock.unlock()
                if let c = cached, c.generation == gen { return c }
                let snap = try SearchSnapshot(db, generation: gen, dimension: embedding.dimension, path: url.path, analyzer: analyzer.function)
                lock.lock()
                if (cache?.generation ?? -1) < gen { cache = snap }
                lock.unlock()
                return snap
            }
        }
    }
}

/// Everything a query needs, read from one database snapshot.
struct SearchSnapshot {
    let generation: Int64
    var chunkIDs: [Int64] = []
    var documentIDs: [String] = []
    var texts: [String] = []
    var starts: [Int] = []
    var ends: [Int] = []
    var metadata: [String: Metadata] = [:]
    var bm25: BM25?
    let index: FlatIndex

    init(_ db: Database, generation: Int64, dimension: Int, path: String, analyzer: @escaping @Sendable (String) -> [String]) throws {
        self.generation = generation
        index = try FlatIndex(dimension: dimension, metric: .cosine)
        for row in try Row.fetchAll(db, sql: "SELECT id, metadata FROM documents") {
            metadata[row["id"]] = try parseMetadataJSON(row["metadata"])
        }
        var vectors: [Float] = []
        var ids: [Int64] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT id, document_id, text, start_offset, end_offset, embedding FROM chunks ORDER BY id")
        while let row = try rows.next() {
            let blob: Data = row["embedding"]
            guard blob.count == dimension * 4 else {
                throw RetrievalError.corruptFile(path: path, reason: "chunk \(row["id"] as Int64) has a \(blob.count)-byte embedding, expected \(dimension * 4)")
            }
            let v = blob.withUnsafeBytes { raw in (0..<dimension).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
            let i = Int64(texts.count)
            chunkIDs.append(row["id"])
            documentIDs.append(row["document_id"])
            texts.append(row["text"])
            starts.append(row["start_offset"])
            ends.append(row["end_offset"])
            // Chunks without any term embed to zero vectors, which cosine cannot rank: skip them.
            if v.contains(where: { $0 != 0 }) {
                vectors += v
                ids.append(i)
            }
        }
        if !ids.isEmpty { try index.add(vectors, ids: ids) }
        bm25 = texts.isEmpty ? nil : try? BM25(documents: texts, analyzer: analyzer)
    }
}

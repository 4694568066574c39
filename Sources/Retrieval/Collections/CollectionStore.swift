import Foundation
import SwiftLearnCore

/// The directory of named collections: `<home>/collections/<name>.sqlite`, where home is
/// `$SWIFTLEARN_HOME` or `~/.swiftlearn` unless given.
public struct CollectionStore: Sendable {
    /// The `collections` directory.
    public let root: URL

    /// The SwiftLearn home: `$SWIFTLEARN_HOME`, else `~/.swiftlearn`.
    public static var defaultHome: URL {
        if let h = ProcessInfo.processInfo.environment["SWIFTLEARN_HOME"], !h.isEmpty { return URL(fileURLWithPath: h) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".swiftlearn")
    }

    /// A store under `home` (default ``defaultHome``); the directory is created on first write.
    public init(home: URL? = nil) {
        root = (home ?? Self.defaultHome).appendingPathComponent("collections")
    }

    /// Names are 1–64 characters of letters, digits, `-`, `_`, `.` (not starting with `.`).
    static func validate(_ name: String) throws {
        let ok = !name.isEmpty && name.count <= 64 && !name.hasPrefix(".") &&
            name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }
        guard ok else { throw RetrievalError.invalidParameter(name: "name", value: name, reason: "use 1-64 letters, digits, '-', '_' or '.'") }
    }

    /// The file of collection `name`.
    public func url(of name: String) -> URL { root.appendingPathComponent(name + ".sqlite") }

    /// Creates a collection (throws `collectionExists` if it exists).
    public func create(_ name: String, embedding: any EmbeddingFunction = HashedFeatureEmbedding(),
                       chunking: TextChunker.Strategy = .recursive(size: 500, overlap: 50),
                       analyzer: BM25.AnalyzerName = .standard) throws -> DocumentCollection {
        try Self.validate(name)
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) } catch {
            throw RetrievalError.io("cannot create \(root.path): \(readableReason(error))")
        }
        return try DocumentCollection.create(at: url(of: name), name: name, embedding: embedding, chunking: chunking, analyzer: analyzer)
    }

    /// Opens collection `name` (throws `collectionNotFound`).
    public func open(_ name: String, embedding: (any EmbeddingFunction)? = nil) throws -> DocumentCollection {
        try Self.validate(name)
        guard FileManager.default.fileExists(atPath: url(of: name).path) else { throw RetrievalError.collectionNotFound(name) }
        return try DocumentCollection.open(at: url(of: name), embedding: embedding)
    }

    /// The embedding collection `name` was created with (throws `collectionNotFound`).
    public func storedEmbedding(of name: String) throws -> StoredEmbedding {
        try Self.validate(name)
        return try DocumentCollection.storedEmbedding(at: url(of: name))
    }

    /// Names of the collections, sorted.
    public func list() throws -> [String] {
        guard FileManager.default.fileExists(atPath: root.path) else { return [] }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return files.filter { $0.hasSuffix(".sqlite") }.map { String($0.dropLast(7)) }.sorted()
    }

    /// Deletes collection `name`, its WAL files and its creation lock file.
    public func delete(_ name: String) throws {
        try Self.validate(name)
        let u = url(of: name)
        guard FileManager.default.fileExists(atPath: u.path) else { throw RetrievalError.collectionNotFound(name) }
        for suffix in ["", "-wal", "-shm", ".lock"] {
            let p = u.path + suffix
            if FileManager.default.fileExists(atPath: p) {
                do { try FileManager.default.removeItem(atPath: p) } catch { throw RetrievalError.io("cannot delete \(p): \(readableReason(error))") }
            }
        }
    }
}

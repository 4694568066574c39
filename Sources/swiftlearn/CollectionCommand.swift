import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn collection …`: persistent document collections (SQLite) for search.
struct CollectionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collection",
        abstract: "Create, fill, list and delete document collections (stored under $SWIFTLEARN_HOME/collections).",
        subcommands: [CollectionCreate.self, CollectionAdd.self, CollectionList.self, CollectionDelete.self, CollectionGet.self]
    )
}

struct CollectionCreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an empty collection.")
    @Argument(help: "Collection name.") var name: String
    @Option(help: "Chunking as KIND:SIZE:OVERLAP (characters, tokens, recursive, sentences).") var chunking = "recursive:500:50"
    @Option(help: "Dimension of the built-in hashed-feature embedding.") var dimension = 384
    @Option(help: "A sentence-transformers model directory (e.g. models/all-MiniLM-L6-v2) to embed with instead of hashed features; the collection remembers it.")
    var embedding: String?
    @OptionGroup var home: HomeOption

    func run() throws {
        guard RetrievalLimits.dimensions.contains(dimension) else {
            throw ValidationError("--dimension must be in \(RetrievalLimits.dimensions.lowerBound)...\(RetrievalLimits.dimensions.upperBound), got \(dimension)")
        }
        let strategy = try TextChunker.Strategy(parsing: chunking)
        let function: any EmbeddingFunction = try embedding.map { try TransformerEmbedding(modelDirectory: URL(fileURLWithPath: $0)) }
            ?? HashedFeatureEmbedding(dimension: dimension)
        let c = try home.collections.create(name, embedding: function, chunking: strategy)
        print("created collection \(name) at \(c.url.path) (embedding \(c.embedding.name), chunking \(chunking))")
    }
}

struct CollectionAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add text files (id = file name) or a JSON-lines file of {\"id\", \"text\", \"metadata\"} objects.",
        discussion: "Prints `committed ID` for every document once its transaction has committed.")
    @Argument(help: "Collection name.") var name: String
    @Argument(help: "Text files to add.") var files: [String] = []
    @Option(help: "A JSON-lines file of documents.") var jsonl: String?
    @Option(help: "Metadata for the files, a JSON object.") var metadata: String?
    @Option(help: "Documents per transaction.") var batchSize = 32
    @OptionGroup var home: HomeOption

    func run() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard !files.isEmpty || jsonl != nil else { throw ValidationError("give files to add or --jsonl FILE") }
        let shared = try metadata.map { try parseMetadata($0) } ?? [:]
        var docs: [CollectionDocument] = []
        for f in files {
            let text = try readTextFile(f)
            docs.append(CollectionDocument(id: URL(fileURLWithPath: f).lastPathComponent, text: text, metadata: shared.merging(["source": .string(f)]) { a, _ in a }))
        }
        if let jsonl { docs += try readJSONL(jsonl) }
        let collection = try home.collections.openWithStoredEmbedding(name)
        var count = 0
        try collection.add(docs, batchSize: batchSize) { ids in
            for id in ids { print("committed \(id)") }
            count += ids.count
            fflush(stdout)
        }
        print("added \(count) documents to \(name)")
    }
}

/// Parses a JSON object of scalar metadata (CLI errors as ValidationError).
func parseMetadata(_ text: String) throws -> Metadata {
    do { return try decodeMetadata(json: text) } catch { throw ValidationError("\(error)") }
}

/// Reads documents from JSON lines: {"id": …, "text": …, "metadata": {…}} per line.
func readJSONL(_ path: String) throws -> [CollectionDocument] {
    let text = try readTextFile(path)
    var docs: [CollectionDocument] = []
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let id = obj["id"] as? String, let body = obj["text"] as? String else {
            throw RetrievalError.invalidInput("\(path) line \(n + 1): expected {\"id\": string, \"text\": string, \"metadata\": {…}}")
        }
        var meta = Metadata()
        if let m = obj["metadata"] {
            let data = try JSONSerialization.data(withJSONObject: m)
            meta = try parseMetadata(String(decoding: data, as: UTF8.self))
        }
        docs.append(CollectionDocument(id: id, text: body, metadata: meta))
    }
    return docs
}

struct CollectionList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List collections, or the documents of one.")
    @Argument(help: "Collection name (omit to list collections).") var name: String?
    @Flag(help: "Print JSON lines.") var json = false
    @OptionGroup var home: HomeOption

    func run() throws {
        let store = home.collections
        if let name {
            let c = try store.openWithStoredEmbedding(name)
            for id in try c.documentIDs() { print(json ? JSONLine([("id", .string(id))]).text : id) }
            return
        }
        for n in try store.list() {
            let stats = try store.openWithStoredEmbedding(n).stats()
            printFields([("name", .string(n)), ("documents", .int(stats.documents)), ("chunks", .int(stats.chunks))], json: json)
        }
    }
}

struct CollectionDelete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a collection, or only some of its documents.")
    @Argument(help: "Collection name.") var name: String
    @Option(name: .customLong("document"), help: "Delete only this document (repeatable).") var documents: [String] = []
    @OptionGroup var home: HomeOption

    func run() throws {
        if documents.isEmpty {
            try home.collections.delete(name)
            print("deleted collection \(name)")
        } else {
            try home.collections.openWithStoredEmbedding(name).delete(ids: documents)
            print("deleted \(documents.count) document(s) from \(name)")
        }
    }
}

struct CollectionGet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Print one document of a collection.")
    @Argument(help: "Collection name.") var name: String
    @Argument(help: "Document id.") var id: String
    @OptionGroup var home: HomeOption

    func run() throws {
        let doc = try home.collections.openWithStoredEmbedding(name).get(id: id)
        print(doc.text)
    }
}

import Foundation
import Testing
import SwiftLearn

/// Collections with a transformer embedding (the tiny random BERT fixture stands in for
/// all-MiniLM-L6-v2): the model directory is stored and loaded again on open, older collections
/// keep opening with the hashed features, and the CLI commands use the stored embedding.
@Suite struct TransformerEmbeddingTests {
    static let tinyBert = repositoryRoot.appendingPathComponent("Tests/LLMTests/Fixtures/tiny_bert")
    static let documents = [CollectionDocument(id: "cats", text: "the cat sat on the mat. the cat is small."),
                            CollectionDocument(id: "dogs", text: "the dog is big and fast, not slow!"),
                            CollectionDocument(id: "cafe", text: "café 東京")]

    static func home() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("transformer-embedding-\(UUID().uuidString)") }

    @Test func collectionStoresAndReloadsItsModel() throws {
        let home = Self.home()
        defer { try? FileManager.default.removeItem(at: home) }
        let store = CollectionStore(home: home)
        let embedding = try TransformerEmbedding(modelDirectory: Self.tinyBert)
        #expect(embedding.name == "transformer-tiny_bert-d32" && embedding.dimension == 32)
        let created = try store.create("neural", embedding: embedding)
        try created.add(Self.documents)
        let stored = try store.storedEmbedding(of: "neural")
        #expect(stored == StoredEmbedding(name: embedding.name, dimension: 32, source: Self.tinyBert.standardizedFileURL.path))
        let reopened = try store.openWithStoredEmbedding("neural")
        #expect(reopened.embedding.name == embedding.name)
        let hits = try reopened.query("the dog is fast", k: 3, mode: .vector)
        #expect(hits.count == 3)
        // The vector search ranks by the model's own cosine similarity.
        let q = try embedding.embed(["the dog is fast"])[0]
        let scores = try Self.documents.map { d -> Float in zip(q, try embedding.embed([d.text])[0]).reduce(0) { $0 + $1.0 * $1.1 } }
        #expect(hits.first?.documentID == Self.documents[scores.indices.max { scores[$0] < scores[$1] }!].id)
        // Without the model, the stored embedding cannot be rebuilt: the error names the directory.
        #expect(throws: (any Error).self) { try store.open("neural") }
    }

    @Test func hashedCollectionsOpenAsBefore() throws {
        let home = Self.home()
        defer { try? FileManager.default.removeItem(at: home) }
        let store = CollectionStore(home: home)
        try store.create("plain", embedding: HashedFeatureEmbedding(dimension: 64)).add(Self.documents)
        #expect(try store.storedEmbedding(of: "plain").source == nil)
        let c = try store.openWithStoredEmbedding("plain")
        #expect(c.embedding.name == HashedFeatureEmbedding(dimension: 64).name)
        #expect(try c.query("cat", k: 1, mode: .hybrid).first?.documentID == "cats")
    }
}

@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct EmbedCommandTests {
    func run(_ args: [String], home: URL) throws -> (status: Int32, out: String, err: String) { try swiftlearn(args, input: Data(), home: home) }

    @Test func embedWritesVectorsAndJSONLines() throws {
        let home = TransformerEmbeddingTests.home()
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let input = home.appendingPathComponent("texts.txt"), output = home.appendingPathComponent("v.npy")
        try Data("the cat sat\nCafé 東京 big and fast?\n\n".utf8).write(to: input)
        let model = TransformerEmbeddingTests.tinyBert.path
        let r = try run(["embed", "--model", model, "--input", input.path, "--output", output.path, "--json"], home: home)
        #expect(r.status == 0, "\(r.err)")
        let rows = r.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(rows.count == 4)
        let encoder = try BertEncoder(directory: TransformerEmbeddingTests.tinyBert)
        let want = try encoder.embed(["the cat sat", "Café 東京 big and fast?", ""])
        for k in 0..<3 {
            let got = (rows[k]["embedding"] as? [Double]) ?? []
            #expect(got.count == 32 && zip(got, want[k]).allSatisfy { abs($0 - Double($1)) < 1e-6 }, "line \(k + 1)")
            #expect(rows[k]["tokens"] as? Int == encoder.tokenize(["the cat sat", "Café 東京 big and fast?", ""][k]).count)
        }
        let saved = try NPY.read(contentsOf: output)
        #expect(saved.shape == [3, 32] && saved.dtype == .float32)
        let bad = try run(["embed", "--model", home.path, "--input", input.path], home: home)
        #expect(bad.status == 1 && bad.err.contains("config.json"), "\(bad)")
    }

    @Test func collectionCreateWithEmbeddingSearchesWithIt() throws {
        let home = TransformerEmbeddingTests.home()
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let doc = home.appendingPathComponent("cats.txt")
        try Data("the cat sat on the mat".utf8).write(to: doc)
        let create = try run(["collection", "create", "neural", "--embedding", TransformerEmbeddingTests.tinyBert.path], home: home)
        #expect(create.status == 0 && create.out.contains("transformer-tiny_bert-d32"), "\(create)")
        #expect(try run(["collection", "add", "neural", doc.path], home: home).status == 0)
        let search = try run(["search", "neural", "a cat", "--mode", "vector", "--json"], home: home)
        #expect(search.status == 0 && search.out.contains("cats.txt"), "\(search)")
    }
}

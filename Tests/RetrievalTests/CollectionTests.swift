import Foundation
import Testing
import Retrieval

@Suite struct CollectionTests {
    static let docs = [
        CollectionDocument(id: "solar", text: "Solar panels convert sunlight into electricity. Panels work best facing south.", metadata: ["topic": .string("energy"), "year": .int(2021)]),
        CollectionDocument(id: "battery", text: "Lithium batteries store electricity for use at night.", metadata: ["topic": .string("energy"), "year": .int(2019)]),
        CollectionDocument(id: "cat", text: "The cat sleeps on the warm windowsill all afternoon.", metadata: ["topic": .string("pets")]),
        CollectionDocument(id: "pie", text: "Apple pie needs cinnamon, butter and a hot oven.", metadata: ["topic": .string("food")]),
    ]

    @Test func createAddQueryDeleteReopen() throws {
        let store = CollectionStore(home: temporaryDirectory())
        defer { try? FileManager.default.removeItem(at: store.root.deletingLastPathComponent()) }
        let c = try store.create("notes", embedding: HashedFeatureEmbedding(dimension: 128), chunking: .sentences(maxCharacters: 60))
        #expect(throws: RetrievalError.self) { try c.query("solar", k: 3) }  // empty collection
        var committed: [String] = []
        try c.add(Self.docs, batchSize: 3) { committed += $0 }
        #expect(committed == Self.docs.map(\.id))
        #expect(try c.stats().documents == 4)
        #expect(try c.chunks(of: "solar").count == 2)
        for mode in SearchMode.allCases {
            let hits = try c.query("solar electricity", k: 3, mode: mode)
            #expect(hits.first?.documentID == "solar", "\(mode)")
            for h in hits {
                let source = try c.get(id: h.documentID).text
                #expect(String(Array(source)[h.start..<h.end]) == h.text)
            }
        }
        let energy2020 = try c.query("electricity", k: 5, mode: .bm25, where: try MetadataFilter(json: #"{"year": {"$lt": 2020}}"#))
        #expect(energy2020.map(\.documentID) == ["battery"])
        let pets = try c.query("electricity", k: 5, mode: .vector, where: .equals("topic", .string("pets")))
        #expect(pets.allSatisfy { $0.documentID == "cat" })
        try c.delete(ids: ["solar"])
        #expect(try c.query("solar panels", k: 3, mode: .bm25).isEmpty)
        #expect(throws: RetrievalError.self) { try c.delete(ids: ["solar"]) }
        #expect(throws: RetrievalError.self) { try c.get(id: "solar") }
        #expect(throws: RetrievalError.self) { try c.add([Self.docs[1]]) }  // duplicate id
        #expect(throws: RetrievalError.self) { try c.add([CollectionDocument(id: "x", text: "  ")]) }
        #expect(throws: RetrievalError.self) { try c.query("   ", k: 3) }
        // Reopen from disk.
        let again = try store.open("notes")
        #expect(try again.documentIDs() == ["battery", "cat", "pie"])
        #expect(again.chunking == .sentences(maxCharacters: 60, overlap: 0))
        #expect(try again.get(id: "pie").metadata == ["topic": .string("food")])
        #expect(try store.list() == ["notes"])
        #expect(throws: RetrievalError.collectionExists("notes")) { try store.create("notes") }
        #expect(throws: RetrievalError.self) { try store.open("notes", embedding: HashedFeatureEmbedding(dimension: 64)) }
        try store.delete("notes")
        #expect(throws: RetrievalError.collectionNotFound("notes")) { try store.open("notes") }
        #expect(throws: RetrievalError.self) { try store.create("../escape") }
    }

    @Test func corruptedFileThrowsClearError() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = CollectionStore(home: dir)
        try FileManager.default.createDirectory(at: store.root, withIntermediateDirectories: true)
        try Data(repeating: 0x5A, count: 8192).write(to: store.url(of: "junk"))
        #expect {
            try store.open("junk")
        } throws: { error in
            guard case RetrievalError.corruptFile = error else { return false }
            return true
        }
        // A valid SQLite file that is not a collection.
        let c = try store.create("real")
        try c.add([Self.docs[0]])
        var bytes = try Data(contentsOf: store.url(of: "real"))
        for i in 0..<16 { bytes[i] = 0 }  // destroy the SQLite header
        try bytes.write(to: store.url(of: "broken"))
        #expect(throws: RetrievalError.self) { try store.open("broken") }
    }

    /// A reader querying through its own connection pool while a writer adds documents always
    /// sees a consistent snapshot: every document has all its chunks, and every hit belongs to a
    /// document present in that snapshot.
    @Test func readerSeesConsistentSnapshotsWhileWriting() async throws {
        let store = CollectionStore(home: temporaryDirectory())
        defer { try? FileManager.default.removeItem(at: store.root.deletingLastPathComponent()) }
        let writer = try store.create("live", embedding: HashedFeatureEmbedding(dimension: 64), chunking: .sentences(maxCharacters: 40))
        let reader = try store.open("live")
        // Each document has exactly 3 sentences → 3 chunks.
        let docs = (0..<240).map { i in
            CollectionDocument(id: "doc\(i)", text: "Document \(i) talks about topic\(i % 7). It has a second sentence. And a third one about rivers.")
        }
        try writer.add(Array(docs[0..<8]))
        let done = ManagedAtomicFlag()
        async let writing: Void = {
            try writer.add(Array(docs[8...]), batchSize: 8)
            done.set()
        }()
        var checks = 0
        while !done.isSet || checks < 5 {
            let stats = try reader.stats()
            #expect(stats.chunks == 3 * stats.documents)
            let hits = try reader.query("rivers topic3", k: 10, mode: .hybrid)
            #expect(!hits.isEmpty)
            for h in hits { #expect(h.documentID.hasPrefix("doc") && h.text.count <= 40) }
            checks += 1
        }
        try await writing
        #expect(try reader.stats().documents == 240)
        #expect(checks >= 5)
    }
}

/// A flag shared between tasks.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// First use by many at once: creating one name from 8 threads gives one collection and seven
/// `collectionExists`, never a half-made schema; 8 threads opening a new collection all succeed.
@Suite struct CollectionFirstUseTests {
    @Test func concurrentCreateAndOpen() throws {
        for round in 0..<10 {
            let dir = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let store = CollectionStore(home: dir)
            let outcomes = NSMutableArray()
            let lock = NSLock()
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                let result: String
                do { _ = try store.create("notes"); result = "created" } catch RetrievalError.collectionExists {
                    result = "exists"
                } catch { result = "error: \(error)" }
                lock.lock(); outcomes.add(result); lock.unlock()
            }
            let all = outcomes.compactMap { $0 as? String }
            #expect(all.filter { $0 == "created" }.count == 1 && all.filter { $0 == "exists" }.count == 7, "round \(round): \(all)")
            let opened = NSMutableArray()
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                let ok = (try? store.open("notes")) != nil
                lock.lock(); opened.add(ok); lock.unlock()
            }
            #expect(opened.allSatisfy { ($0 as? Bool) == true }, "round \(round)")
            try store.delete("notes")
            #expect(try store.list().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: store.url(of: "notes").path + ".lock"))
        }
    }
}

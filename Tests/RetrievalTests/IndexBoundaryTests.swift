import Foundation
import GRDB
import Testing
import Retrieval

/// Sizes and settings at the edges: validated the same way at build time, at query time and on
/// load; sizes larger than the data are clamped, never allocated; every header byte is checked.
@Suite struct IndexBoundaryTests {
    static let d = 16
    static let base = clusteredVectors(300, d: d, clusters: 6, seed: 21)
    static let ids = (0..<300).map { Int64($0) }

    /// One trained, filled index of each kind.
    static func indexes() throws -> [any VectorIndex] {
        let ivf = try IVFFlatIndex(dimension: d, nlist: 4, nprobe: 2)
        try ivf.train(base)
        let pq = try IVFPQIndex(dimension: d, nlist: 4, m: 4, nprobe: 2)
        try pq.train(base)
        let all: [any VectorIndex] = [try FlatIndex(dimension: d), try HNSWIndex(dimension: d, m: 8, efConstruction: 32), ivf, pq]
        for index in all { try index.add(base, ids: ids) }
        return all
    }

    @Test func kLargerThanTheIndexReturnsWhatExists() throws {
        let queries = Array(Self.base[0..<(3 * Self.d)])
        for index in try Self.indexes() {
            for k in [301, 1_000_000_000, Int.max] {
                let hits = try index.search(batch: queries, k: k)
                // Every vector comes back once (IVF: with nprobe = nlist; HNSW: the graph is connected).
                if let ivf = index as? IVFFlatIndex { ivf.nprobe = ivf.nlist }
                if let pq = index as? IVFPQIndex { pq.nprobe = pq.nlist }
                let all = try index.search(batch: queries, k: k)
                #expect(hits.allSatisfy { $0.count <= 300 }, "\(index.kind) k=\(k)")
                #expect(all.allSatisfy { Set($0.map(\.id)).count == $0.count }, "\(index.kind) k=\(k): duplicate ids")
                if index.kind != "hnsw" { #expect(all.allSatisfy { $0.count == 300 }, "\(index.kind) k=\(k): \(all.map(\.count))") }
            }
            #expect(throws: RetrievalError.self, "\(index.kind) k=0") { try index.search(batch: queries, k: 0) }
            #expect(throws: RetrievalError.self, "\(index.kind) k=-1") { try index.search(batch: queries, k: -1) }
        }
    }

    /// With every vector removed (or none added to a trained index) `k` clamps to 0: each kind
    /// returns empty hit lists, never traps.
    @Test func emptyIndexesReturnNothing() throws {
        let query = Array(Self.base[0..<Self.d])
        for index in try Self.indexes() {
            try index.remove(ids: Self.ids)
            #expect(index.count == 0)
            #expect(try index.search(query, k: 5).isEmpty, "\(index.kind)")
            #expect(try index.search(batch: query + query, k: 5) == [[], []], "\(index.kind)")
        }
        let ivf = try IVFFlatIndex(dimension: Self.d, nlist: 4)
        try ivf.train(Self.base)
        #expect(try ivf.search(query, k: 3).isEmpty)
    }

    @Test func searchSettingsAreCheckedAtQueryTimeAsAtBuildTime() throws {
        let query = Array(Self.base[0..<Self.d])
        let indexes = try Self.indexes()
        let hnsw = indexes[1] as! HNSWIndex, ivf = indexes[2] as! IVFFlatIndex, pq = indexes[3] as! IVFPQIndex
        for bad in [0, -3, RetrievalLimits.beamWidth.upperBound + 1] {
            hnsw.efSearch = bad
            #expect(throws: RetrievalError.self, "ef_search \(bad)") { try hnsw.search(query, k: 5) }
            #expect(throws: RetrievalError.self, "ef_search \(bad) at build") { try HNSWIndex(dimension: Self.d, efSearch: bad) }
            #expect(throws: RetrievalError.self, "ef_construction \(bad)") { try HNSWIndex(dimension: Self.d, efConstruction: bad) }
        }
        // The widest allowed beam on a small graph: clamped to the graph, same answer as exhaustive.
        hnsw.efSearch = RetrievalLimits.beamWidth.upperBound
        #expect(try hnsw.search(query, k: 5).first?.id == 0)
        for bad in [0, -1, RetrievalLimits.cells.upperBound + 1] {
            ivf.nprobe = bad
            pq.nprobe = bad
            #expect(throws: RetrievalError.self, "ivf nprobe \(bad)") { try ivf.search(query, k: 5) }
            #expect(throws: RetrievalError.self, "ivfpq nprobe \(bad)") { try pq.search(query, k: 5) }
            #expect(throws: RetrievalError.self) { try IVFFlatIndex(dimension: Self.d, nprobe: bad) }
        }
        // nprobe above nlist visits every cell (faiss clamps the same way): exact for IVF-Flat.
        ivf.nprobe = 1_000
        #expect(try ivf.search(query, k: 1).first?.id == 0)
        for bad in [0, -1, RetrievalLimits.dimensions.upperBound + 1] {
            #expect(throws: RetrievalError.self, "dimension \(bad)") { try FlatIndex(dimension: bad) }
            #expect(throws: RetrievalError.self, "dimension \(bad)") { try HNSWIndex(dimension: bad) }
            #expect(throws: RetrievalError.self, "dimension \(bad)") { try IVFFlatIndex(dimension: bad) }
            #expect(throws: RetrievalError.self, "dimension \(bad)") { try IVFPQIndex(dimension: bad, m: 1) }
        }
    }

    /// Version 2 files checksum the header too: a flipped bit in any header byte (the metric, the
    /// dimension, the kind) is refused, not loaded as a different index.
    @Test func everyHeaderByteIsChecked() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = try FlatIndex(dimension: Self.d, metric: .l2)
        try index.add(Self.base, ids: Self.ids)
        let url = dir.appendingPathComponent("flat.idx")
        try index.save(to: url)
        let bytes = try Data(contentsOf: url)
        let headerSize = 8 + 4 * 4 + 8 + 8
        for i in 0..<headerSize {
            for bit: UInt8 in [0x01, 0x80] {
                var damaged = bytes
                damaged[i] ^= bit
                let bad = dir.appendingPathComponent("bad.idx")
                try damaged.write(to: bad)
                #expect(throws: RetrievalError.self, "header byte \(i) ^ \(bit) loaded") { try VectorIndexFile.load(from: bad) }
            }
        }
    }

    /// Files written before the format moved to version 2 (payload-only checksum) still load and
    /// search the same: `Fixtures/index_v1_*.idx`, written by `swiftlearn index build` at commit
    /// 41a06bd from `Fixtures/index_v1_vectors.npy`.
    @Test func versionOneFilesStillLoad() throws {
        let vectors = try #require(Bundle.module.url(forResource: "index_v1_vectors", withExtension: "npy", subdirectory: "Fixtures"))
        let (values, rows) = try readVectors(npy: vectors)
        for kind in ["flat", "hnsw"] {
            let url = try #require(Bundle.module.url(forResource: "index_v1_\(kind)", withExtension: "idx", subdirectory: "Fixtures"))
            #expect(try Data(contentsOf: url)[8] == 1, "\(kind): the sample is a version-1 file")
            let index = try VectorIndexFile.load(from: url)
            #expect(index.kind == kind && index.count == rows)
            let hits = try index.search(batch: values, k: 1)
            #expect(hits.map { $0.first?.id } == (0..<rows).map { Int64($0) }, "\(kind): each vector finds itself")
        }
    }

    @Test func zeroWidthAndHugeVectorFilesAreRefused() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("empty-rows.npy")
        try writeNPY([Float](), rows: 5, cols: 0, to: url)
        #expect(throws: RetrievalError.self) { try readVectors(npy: url) }
    }

    /// Another application's SQLite file is refused without being changed (no WAL switch, no
    /// tables added).
    @Test func foreignDatabaseIsNotTouched() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("other.sqlite")
        let queue = try DatabaseQueue(path: url.path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE people(name TEXT)")
            try db.execute(sql: "INSERT INTO people VALUES ('Ada')")
        }
        try queue.close()
        let before = try Data(contentsOf: url)
        do {
            _ = try DocumentCollection.open(at: url)
            Issue.record("a foreign database opened as a collection")
        } catch let e as RetrievalError {
            guard case .corruptFile = e else { Issue.record("\(e)"); return }
            #expect("\(e)".contains("another application"))
        }
        #expect(try Data(contentsOf: url) == before, "the foreign file changed")
        #expect(!FileManager.default.fileExists(atPath: url.path + "-wal"))
    }
}

import Foundation
import Testing
import Retrieval

@Suite struct FlatIndexTests {
    /// Same neighbours and distances as faiss's IndexFlatL2 / IndexFlatIP (1.15.1), through both
    /// the single-query SIMD path and the GEMM batch path.
    @Test func matchesFaiss() throws {
        let f = try fixture("flat")
        let base = (f["base"] as! [[Double]]).flatMap { $0.map { Float($0) } }
        let queries = (f["queries"] as! [[Double]]).flatMap { $0.map { Float($0) } }
        for (name, metric) in [("l2", DistanceMetric.l2), ("ip", .innerProduct)] {
            let ref = f[name] as! [String: [[Double]]]
            let index = try FlatIndex(dimension: 32, metric: metric)
            try index.add(base, ids: (0..<500).map { Int64($0) })
            // 12 queries take the GEMM path; one at a time takes the SIMD path.
            let batch = try index.search(batch: queries, k: 10)
            for qi in 0..<12 {
                let single = try index.search(Array(queries[(qi * 32)..<((qi + 1) * 32)]), k: 10)
                for hits in [batch[qi], single] {
                    let want = ref["ids"]![qi].map { Int64($0) }
                    #expect(hits.map { $0.id } == want, "\(name) query \(qi)")
                    for (h, dist) in zip(hits, ref["distances"]![qi]) {
                        let want = metric == .l2 ? -dist : dist
                        #expect(abs(h.score - want) <= 1e-4 * max(1, abs(want)))
                    }
                }
            }
        }
    }

    @Test func cosineMatchesPlainLoop() throws {
        let d = 24
        let base = clusteredVectors(300, d: d, seed: 3)
        let q = clusteredVectors(9, d: d, seed: 4)
        let index = try FlatIndex(dimension: d, metric: .cosine)
        try index.add(base, ids: (0..<300).map { Int64($0) })
        let hits = try index.search(batch: q, k: 5)
        for i in 0..<9 {
            #expect(hits[i].map(\.id) == bruteForce(base, q[(i * d)..<((i + 1) * d)], d: d, k: 5, metric: .cosine))
            #expect(hits[i][0].score <= 1.0001)
        }
    }

    @Test func addRemoveUpdateAndFilters() throws {
        let index = try FlatIndex(dimension: 2, metric: .l2)
        try index.add([0, 0, 1, 0, 2, 0, 3, 0], ids: [10, 11, 12, 13])
        #expect(index.count == 4)
        try index.remove(ids: [11])
        #expect(!index.contains(11))
        #expect(try index.search([1, 0], k: 2).map(\.id) == [10, 12])
        try index.update([1, 0], ids: [13])
        #expect(try index.search([1, 0], k: 1).map(\.id) == [13])
        #expect(try index.vector(for: 13) == [1, 0])
        try index.setMetadata(["lang": .string("en")], for: 12)
        try index.setMetadata(["lang": .string("de")], for: 10)
        let en = try index.search([0, 0], k: 3, filter: .metadata(.equals("lang", .string("en"))))
        #expect(en.map(\.id) == [12])
        #expect(try index.search([0, 0], k: 3, filter: .ids([13])).map(\.id) == [13])
        #expect(try index.search([0, 0], k: 3, filter: .predicate { $0 > 11 }).map(\.id) == [13, 12])
    }

    @Test func badInputThrows() throws {
        let index = try FlatIndex(dimension: 3, metric: .cosine)
        #expect(throws: RetrievalError.dimensionMismatch(expected: 3, got: 2)) { try index.add([1, 2], ids: [1]) }
        try index.add([1, 2, 3], ids: [1])
        #expect(throws: RetrievalError.self) { try index.add([1, 2, 3], ids: [1]) }  // duplicate
        #expect(throws: RetrievalError.self) { try index.add([0, 0, 0], ids: [2]) }  // zero vector under cosine
        #expect(throws: RetrievalError.self) { try index.add([.nan, 0, 1], ids: [3]) }
        #expect(throws: RetrievalError.self) { try index.search([], k: 1) }
        #expect(throws: RetrievalError.dimensionMismatch(expected: 3, got: 4)) { try index.search([1, 2, 3, 4], k: 1) }
        #expect(throws: RetrievalError.self) { try index.search([1, 2, 3], k: 0) }
        #expect(throws: RetrievalError.unknownID("99")) { try index.remove(ids: [99]) }
        #expect(throws: RetrievalError.self) { try index.update([1, 1, 1], ids: [99]) }
        #expect(throws: RetrievalError.self) { try index.vector(for: 99) }
        #expect(try (try FlatIndex(dimension: 3)).search([1, 2, 3], k: 2).isEmpty)
    }
}

@Suite struct ApproximateIndexTests {
    static let d = 32
    static let base = clusteredVectors(3000, d: d, clusters: 30, seed: 11, normalize: true)
    static let queries = clusteredVectors(50, d: d, clusters: 30, seed: 12, normalize: true)
    static func truth(_ metric: DistanceMetric, k: Int = 10) -> [[Int64]] {
        (0..<50).map { bruteForce(base, queries[($0 * d)..<(($0 + 1) * d)], d: d, k: k, metric: metric) }
    }
    static let ids = (0..<3000).map { Int64($0) }

    @Test func hnswRecall() throws {
        for metric in [DistanceMetric.l2, .innerProduct] {
            let index = try HNSWIndex(dimension: Self.d, metric: metric, m: 16, efConstruction: 100, efSearch: 64)
            try index.add(Self.base, ids: Self.ids)
            let r = recall(try index.search(batch: Self.queries, k: 10), Self.truth(metric))
            #expect(r >= 0.95, "HNSW \(metric) recall@10 = \(r)")
            // A tiny beam finds fewer nearest neighbours than a wide one, at the same k: the
            // parameter matters.
            index.searchThreads = 1
            let wide = recall(try index.search(batch: Self.queries, k: 1), Self.truth(metric, k: 1))
            index.efSearch = 1
            let low = recall(try index.search(batch: Self.queries, k: 1), Self.truth(metric, k: 1))
            #expect(low < wide, "HNSW \(metric) recall@1: efSearch 1 gives \(low), efSearch 64 gives \(wide)")
        }
    }

    @Test func hnswRemoveUpdateFilter() throws {
        let index = try HNSWIndex(dimension: Self.d, metric: .l2, m: 8, efConstruction: 64, efSearch: 64)
        try index.add(Self.base, ids: Self.ids)
        let q = Array(Self.queries[0..<Self.d])
        let first = try index.search(q, k: 5)
        try index.remove(ids: first.map(\.id))
        let after = try index.search(q, k: 5)
        #expect(Set(after.map(\.id)).isDisjoint(with: first.map(\.id)))
        #expect(index.count == 2995)
        // Updating a vector to equal the query makes it the best hit.
        try index.update(q, ids: [after.last!.id])
        #expect(try index.search(q, k: 1).first?.id == after.last!.id)
        let even = try index.search(q, k: 10, filter: .predicate { $0 % 2 == 0 })
        #expect(even.count == 10 && even.allSatisfy { $0.id % 2 == 0 })
    }

    @Test func ivfFlatIsExactWithAllLists() throws {
        let index = try IVFFlatIndex(dimension: Self.d, metric: .l2, nlist: 16, nprobe: 16)
        #expect(throws: RetrievalError.self) { try index.add(Self.base, ids: Self.ids) }  // not trained
        try index.train(Self.base)
        try index.add(Self.base, ids: Self.ids)
        let found = try index.search(batch: Self.queries, k: 10)
        #expect(recall(found, Self.truth(.l2)) == 1)
        index.nprobe = 4
        #expect(recall(try index.search(batch: Self.queries, k: 10), Self.truth(.l2)) >= 0.8)
        try index.remove(ids: [found[0][0].id])
        #expect(try index.search(Array(Self.queries[0..<Self.d]), k: 1).first?.id != found[0][0].id)
    }

    @Test func ivfPQRecallAndReconstruction() throws {
        for metric in [DistanceMetric.l2, .innerProduct] {
            let index = try IVFPQIndex(dimension: Self.d, metric: metric, nlist: 8, m: 8, nprobe: 8)
            try index.train(Self.base)
            try index.add(Self.base, ids: Self.ids)
            // recall@10 of the true nearest neighbour (faiss's 1-recall@10).
            let truth1 = Self.truth(metric, k: 1)
            let found = try index.search(batch: Self.queries, k: 10)
            let r = Double(zip(found, truth1).filter { f, t in f.contains { $0.id == t[0] } }.count) / 50
            #expect(r >= 0.8, "IVF-PQ \(metric) 1-recall@10 = \(r)")
            // Reconstruction error is far below the data's spread.
            var err = 0.0, spread = 0.0
            for i in 0..<100 {
                let v = try index.vector(for: Int64(i))
                for j in 0..<Self.d {
                    err += Double((v[j] - Self.base[i * Self.d + j]) * (v[j] - Self.base[i * Self.d + j]))
                    spread += Double(Self.base[i * Self.d + j] * Self.base[i * Self.d + j])
                }
            }
            #expect(err / spread < 0.1, "relative reconstruction error \(err / spread)")
        }
        #expect(throws: RetrievalError.self) { try IVFPQIndex(dimension: 30, m: 8) }
    }

    /// Every kind saves and loads to the same answers; damaged files throw a clear error.
    @Test func saveLoadAndCorruption() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ivf = try IVFFlatIndex(dimension: Self.d, metric: .cosine, nlist: 8, nprobe: 3)
        try ivf.train(Self.base)
        let pq = try IVFPQIndex(dimension: Self.d, metric: .l2, nlist: 8, m: 4, nprobe: 3)
        try pq.train(Self.base)
        let indexes: [any VectorIndex] = [try FlatIndex(dimension: Self.d, metric: .l2),
                                         try HNSWIndex(dimension: Self.d, metric: .cosine, m: 8, efConstruction: 40), ivf, pq]
        for index in indexes {
            try index.add(Array(Self.base[0..<(500 * Self.d)]), ids: (0..<500).map { Int64($0) })
            try index.remove(ids: [3, 7])
            try index.setMetadata(["tag": .int(1)], for: 5)
            let url = dir.appendingPathComponent("\(index.kind).idx")
            try index.save(to: url)
            let loaded = try VectorIndexFile.load(from: url)
            #expect(loaded.kind == index.kind && loaded.count == 498 && loaded.dimension == Self.d && loaded.metric == index.metric)
            #expect(loaded.metadata(for: 5) == ["tag": .int(1)])
            #expect(try loaded.search(batch: Self.queries, k: 5) == index.search(batch: Self.queries, k: 5))
            // Truncated, flipped byte, wrong magic, empty file: each a corruptFile error.
            let bytes = try Data(contentsOf: url)
            var flipped = bytes
            flipped[bytes.count / 2] ^= 0x40
            var magic = bytes
            magic[0] = 0
            for (label, damaged) in [("truncated", bytes.prefix(bytes.count - 9)), ("flipped", flipped), ("magic", magic), ("empty", Data())] {
                let bad = dir.appendingPathComponent("bad-\(label).idx")
                try damaged.write(to: bad)
                do {
                    _ = try VectorIndexFile.load(from: bad)
                    Issue.record("\(index.kind) \(label) file loaded")
                } catch let e as RetrievalError {
                    guard case .corruptFile = e else { Issue.record("\(label): \(e)"); continue }
                }
            }
        }
        #expect(throws: RetrievalError.self) { try VectorIndexFile.load(from: dir.appendingPathComponent("missing.idx")) }
        #expect(throws: RetrievalError.self) { try HNSWIndex.load(from: dir.appendingPathComponent("flat.idx")) }
    }

    @Test func npyRoundTrip() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("v.npy")
        try writeNPY(Array(Self.base[0..<(10 * Self.d)]), rows: 10, cols: Self.d, to: url)
        let (values, rows) = try readVectors(npy: url, dimension: Self.d)
        #expect(rows == 10 && values == Array(Self.base[0..<(10 * Self.d)]))
        #expect(throws: RetrievalError.dimensionMismatch(expected: 8, got: Self.d)) { try readVectors(npy: url, dimension: 8) }
        let index = try FlatIndex(dimension: Self.d)
        try index.add(npy: url, firstID: 100)
        #expect(index.ids == (100..<110).map { Int64($0) })
    }
}

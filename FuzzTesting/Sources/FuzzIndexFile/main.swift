// libFuzzer target: Retrieval.VectorIndexFile.load(from:) (flat, HNSW, IVF-flat and IVF-PQ
// index files, what `swiftlearn index query` opens). The loader reads a file, so each input is
// written to one scratch file per process (under /dev/shm when it exists). An index that loads
// is then searched with a fixed query of its dimension, and its ids and first vector read.
//
// SWIFTLEARN_FUZZ_WRITE_SEEDS=DIR: builds a tiny index of each kind, saves them to DIR and exits
// (how the committed seed corpus was made).
import Foundation
import Retrieval

private let scratch: URL = {
    let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return URL(fileURLWithPath: dir).appendingPathComponent("swiftlearn-fuzz-index-\(getpid()).idx")
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard (try? data.write(to: scratch)) != nil else { fatalError("cannot write the scratch file \(scratch.path)") }
    guard let index = try? VectorIndexFile.load(from: scratch) else { return 0 }
    if index.dimension <= 4096 {
        let query = (0..<index.dimension).map { Float($0 % 5) - 2 }
        _ = try? index.search(query, k: 3)
        _ = try? index.search(query, k: 1, filter: .ids(Set(index.ids.prefix(2))))
    }
    let ids = index.ids
    _ = index.count
    if let first = ids.first { _ = try? index.vector(for: first); _ = index.metadata(for: first); _ = index.contains(first) }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let dir = ProcessInfo.processInfo.environment["SWIFTLEARN_FUZZ_WRITE_SEEDS"] else { return 0 }
    let d = 4, n = 16
    let vectors = (0..<(n * d)).map { Float(($0 * 37) % 11) * 0.25 - 1 }
    let ids = (0..<n).map { Int64($0 * 3 + 1) }
    do {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let flat = try FlatIndex(dimension: d, metric: .l2)
        try flat.add(vectors, ids: ids)
        try flat.setMetadata(["title": .string("café"), "year": .int(2024), "score": .double(0.5), "ok": .bool(true)], for: ids[0])
        try flat.save(to: URL(fileURLWithPath: dir + "/flat-l2.idx"))
        let flatCos = try FlatIndex(dimension: d, metric: .cosine)
        try flatCos.add(vectors, ids: ids)
        try flatCos.save(to: URL(fileURLWithPath: dir + "/flat-cosine.idx"))
        let hnsw = try HNSWIndex(dimension: d, metric: .innerProduct, m: 4, efConstruction: 8)
        try hnsw.add(vectors, ids: ids)
        try hnsw.setMetadata(["tag": .string("x")], for: ids[1])
        try hnsw.save(to: URL(fileURLWithPath: dir + "/hnsw-ip.idx"))
        let ivf = try IVFFlatIndex(dimension: d, metric: .l2, nlist: 2, nprobe: 2)
        try ivf.train(vectors)
        try ivf.add(vectors, ids: ids)
        try ivf.save(to: URL(fileURLWithPath: dir + "/ivfflat-l2.idx"))
        let pq = try IVFPQIndex(dimension: d, metric: .l2, nlist: 2, m: 2, nprobe: 2)
        try pq.train((0..<(256 * d)).map { Float(($0 * 53) % 17) * 0.125 - 1 })  // PQ trains on >= 256 vectors
        try pq.add(vectors, ids: ids)
        try pq.save(to: URL(fileURLWithPath: dir + "/ivfpq-l2.idx"))
        for f in try FileManager.default.contentsOfDirectory(atPath: dir) {
            _ = try VectorIndexFile.load(from: URL(fileURLWithPath: dir + "/" + f))
        }
    } catch { print("seed generation failed: \(error)"); exit(1) }
    print("wrote seeds to \(dir)")
    exit(0)
}

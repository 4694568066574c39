import ArgumentParser
import Foundation
import SwiftLearn

/// `swiftlearn index build|query`: vector indexes over .npy files.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build a vector index from a .npy file and query it.",
        subcommands: [IndexBuild.self, IndexQuery.self]
    )
}

/// Parses `key=value` settings into a dictionary (keys lowercased, `-` read as `_`).
func parseSettings(_ settings: [String], option: String = "--set") throws -> [String: String] {
    var out: [String: String] = [:]
    for s in settings {
        guard let eq = s.firstIndex(of: "="), eq != s.startIndex, s.index(after: eq) != s.endIndex else {
            throw ValidationError("\(option) takes key=value, got '\(s)'")
        }
        out[s[..<eq].lowercased().replacingOccurrences(of: "-", with: "_")] = String(s[s.index(after: eq)...])
    }
    return out
}

/// Reads integer settings, rejecting unknown keys and non-integers.
struct IndexSettings {
    var values: [String: String]
    var used: Set<String> = []

    mutating func int(_ key: String, default d: Int) throws -> Int {
        used.insert(key)
        guard let v = values[key] else { return d }
        guard let i = Int(v) else { throw ValidationError("--set \(key) takes an integer, got '\(v)'") }
        return i
    }

    /// A seed: an integer ≥ 0 (a negative one is refused, not reinterpreted or trapped on).
    mutating func seed(default d: UInt64) throws -> UInt64 {
        let value = try int("seed", default: Int(d))
        guard value >= 0 else { throw ValidationError("--set seed takes an integer ≥ 0, got \(value)") }
        return UInt64(value)
    }

    func checkAllUsed(kind: String) throws {
        let unknown = Set(values.keys).subtracting(used)
        if !unknown.isEmpty {
            throw ValidationError("unknown setting(s) for \(kind): \(unknown.sorted().joined(separator: ", ")); valid: \(used.sorted().joined(separator: ", "))")
        }
    }
}

struct IndexBuild: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build an index from a 2-D float32 .npy file (row i gets id i).")

    @Option(help: "Vectors, a 2-D float32/float64 .npy file.") var vectors: String
    @Option(help: "Index kind: flat, hnsw, ivf or ivfpq.") var kind: String
    @Option(help: "Metric: cosine, ip or l2.") var metric = "l2"
    @Option(name: .customLong("set"), parsing: .upToNextOption,
            help: ArgumentHelp("Parameters: hnsw M, ef_construction, ef_search, seed; ivf nlist, nprobe, seed; ivfpq nlist, m, nprobe, residual (0/1), seed.", valueName: "key=value"))
    var settings: [String] = []
    @Option(help: "Where to write the index.") var output: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let metric = try DistanceMetric(parsing: self.metric)
        var s = IndexSettings(values: try parseSettings(settings))
        let (values, n) = try readVectors(npy: URL(fileURLWithPath: vectors))
        guard n > 0 else { throw RetrievalError.emptyIndex("\(vectors) has no rows") }
        let d = values.count / n
        let ids = (0..<Int64(n)).map { $0 }
        let index: any VectorIndex
        switch kind {
        case "flat": index = try FlatIndex(dimension: d, metric: metric)
        case "hnsw":
            index = try HNSWIndex(dimension: d, metric: metric, m: s.int("m", default: 32), efConstruction: s.int("ef_construction", default: 40),
                                  efSearch: s.int("ef_search", default: 16), seed: s.seed(default: 42))
        case "ivf":
            index = try IVFFlatIndex(dimension: d, metric: metric, nlist: s.int("nlist", default: 100), nprobe: s.int("nprobe", default: 1),
                                     seed: s.seed(default: 1234))
        case "ivfpq":
            index = try IVFPQIndex(dimension: d, metric: metric, nlist: s.int("nlist", default: 100), m: s.int("m", default: 8),
                                   nprobe: s.int("nprobe", default: 1), byResidual: s.int("residual", default: 1) != 0,
                                   seed: s.seed(default: 1234))
        default: throw ValidationError("--kind must be flat, hnsw, ivf or ivfpq, got '\(kind)'")
        }
        try s.checkAllUsed(kind: kind)
        _ = BLAS.backendName(for: .float32)  // one-time GEMM calibration outside the timing
        let (_, seconds) = try timed { () throws -> Void in
            if let i = index as? IVFFlatIndex { try i.train(values) }
            if let i = index as? IVFPQIndex { try i.train(values) }
            try index.add(values, ids: ids)
        }
        try index.save(to: URL(fileURLWithPath: output))
        printFields([("kind", .string(index.kind)), ("metric", .string(metric.rawValue)), ("vectors", .int(n)), ("dimension", .int(d)),
                     ("build_seconds", .double(seconds)), ("output", .string(output))], json: json)
    }
}

struct IndexQuery: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Search an index with the rows of a .npy file; writes the ids (int64, −1 pads).")

    @Option(help: "Index file written by `index build`.") var index: String
    @Option(help: "Queries, a 2-D float32/float64 .npy file.") var queries: String
    @Option(help: "Neighbours per query.") var k = 10
    @Option(name: .customLong("set"), parsing: .upToNextOption, help: ArgumentHelp("Search parameters: ef_search (hnsw), nprobe (ivf, ivfpq).", valueName: "key=value"))
    var settings: [String] = []
    @Option(help: "Search threads (0 = all CPUs).") var threads = 0
    @Option(help: "Timed runs over all queries (the median is reported).") var runs = 1
    @Option(help: "Where to write the ids (.npy, int64, queries × k).") var output: String?
    @Option(help: "Where to write the scores (.npy, float32, queries × k; higher is better).") var scores: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
        try checkRange(runs, option: "--runs", 1...maximumRuns)
        try checkRange(threads, option: "--threads", 0...4096)
        let loaded = try VectorIndexFile.load(from: URL(fileURLWithPath: index))
        var s = IndexSettings(values: try parseSettings(settings))
        switch loaded {
        case let h as HNSWIndex:
            h.efSearch = try s.int("ef_search", default: h.efSearch)
            h.searchThreads = threads
        case let i as IVFFlatIndex:
            i.nprobe = try s.int("nprobe", default: i.nprobe)
            i.searchThreads = threads
        case let i as IVFPQIndex:
            i.nprobe = try s.int("nprobe", default: i.nprobe)
            i.searchThreads = threads
        default: break
        }
        try s.checkAllUsed(kind: loaded.kind)
        let (q, nq) = try readVectors(npy: URL(fileURLWithPath: queries), dimension: loaded.dimension)
        _ = BLAS.backendName(for: .float32)
        var hits: [[SearchHit]] = []
        var times: [Double] = []
        for _ in 0..<runs {
            let (h, t) = try timed { try loaded.search(batch: q, k: k) }
            hits = h
            times.append(t)
        }
        times.sort()
        let median = times[times.count / 2]
        // Output columns: k, or the number of vectors when k asks for more than exist (the search
        // returned them all; faiss would pad with -1 ids, we make the arrays narrower and say so).
        let width = Swift.min(k, loaded.count)
        if width < k {
            FileHandle.standardError.write(Data("note: --k \(k) is more than the \(loaded.count) vectors in the index; returning \(width) per query\n".utf8))
        }
        if let output {
            var ids = [Int64](repeating: -1, count: nq * width)
            for (i, row) in hits.enumerated() { for (j, h) in row.enumerated() { ids[i * width + j] = h.id } }
            try writeNPY(ids, rows: nq, cols: width, to: URL(fileURLWithPath: output))
        }
        if let scores {
            var v = [Float](repeating: -.infinity, count: nq * width)
            for (i, row) in hits.enumerated() { for (j, h) in row.enumerated() { v[i * width + j] = Float(h.score) } }
            try writeNPY(v, rows: nq, cols: width, to: URL(fileURLWithPath: scores))
        }
        printFields([("kind", .string(loaded.kind)), ("queries", .int(nq)), ("k", .int(width)), ("requested_k", .int(k)),
                     ("query_seconds", .double(median)),
                     ("queries_per_second", .double(Double(nq) / median))], json: json)
    }
}

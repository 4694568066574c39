// libFuzzer target: the MLflow-compatible tracking server (Ops) — its search grammar and its REST
// handling. The first byte picks the mode:
//   even: the rest, as text, is parsed as a search filter and an order_by item for each kind of
//         search (runs, experiments, registered models, model versions), and applied;
//   2 mod 4: the rest is two CSV texts split at the first NUL, compared by `DriftMonitor` (every
//         column of the first, as `swiftlearn monitor` does);
//   odd:  the rest is one request, "METHOD TARGET\n" then the body, answered by a server over a
//         store in a scratch folder (state accumulates across inputs, as on a real server).
// Every answer must have an HTTP status and, except artifact downloads, a JSON body that parses.
import Datasets
import Foundation
import Ops
import Serve

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-tracking-\(getpid())")
let server: TrackingServer? = {
    guard let store = try? TrackingStore(directory: folder) else { return nil }
    // Something to search and log to: an experiment with one run.
    if let id = try? store.createExperiment(name: "fuzz"), let run = try? store.createRun(experimentID: id, runName: "r") {
        try? store.logBatch(runID: run.info.runID, metrics: [Metric(key: "m", value: 1, timestamp: 1)], params: [("p", "v")], tags: [("t", "x")])
    }
    return TrackingServer(store: store, maxBodyBytes: 1 << 20)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let server else { fatalError("the fuzz store cannot be made in \(folder.path)") }
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let mode = bytes.first else { return 0 }
    let rest = Array(bytes.dropFirst())
    if mode % 4 == 2 {
        let split = rest.firstIndex(of: 0) ?? rest.count
        let first = String(decoding: rest[..<split], as: UTF8.self)
        let second = split < rest.count ? String(decoding: rest[(split + 1)...], as: UTF8.self) : ""
        if let reference = try? CSVTable.parse(first), let current = try? CSVTable.parse(second),
           let report = try? DriftMonitor.compare(reference: reference, current: current) {
            for c in report.columns where !(c.score >= 0) || !(c.psi.isFinite || c.psi.isNaN) {
                fatalError("column \(c.column): score \(c.score), psi \(c.psi)")
            }
        }
        return 0
    }
    if mode % 2 == 0 {
        let text = String(decoding: rest, as: UTF8.self)
        for schema in [SearchSchema.runs, .experiments, .registeredModels, .modelVersions] {
            if let filter = try? SearchFilter(text, schema: schema) {
                _ = filter.matches { _, key in key.count % 2 == 0 ? .number(Double(key.count)) : .string(key) }
            }
            _ = try? SearchOrder(text, schema: schema)
        }
        return 0
    }
    let newline = rest.firstIndex(of: 10) ?? rest.count
    let head = String(decoding: rest[..<newline], as: UTF8.self).split(separator: " ", maxSplits: 1)
    guard head.count == 2 else { return 0 }
    let body = newline < rest.count ? Array(rest[(newline + 1)...]) : []
    let request = ServeRequest(method: String(head[0]), target: String(head[1]), body: body)
    let response = server.respond(request)
    guard (200...599).contains(response.status) else { fatalError("status \(response.status)") }
    let isDownload = request.method == "GET" && request.path.contains("mlflow-artifacts/artifacts/") && response.status == 200
    if !isDownload, case .bytes(let out) = response.body, response.status != 200 || !out.isEmpty {
        let isText = response.headers.contains { $0.0 == "Content-Type" && $0.1.hasPrefix("text/") }
        if !isText, (try? JSON.parse(out)) == nil { fatalError("a non-JSON answer to \(request.method) \(request.path): \(String(decoding: out.prefix(200), as: UTF8.self))") }
    }
    return 0
}

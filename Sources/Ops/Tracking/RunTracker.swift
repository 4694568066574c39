import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import APIClient
import Serve
import SwiftLearnCore

/// Where a ``RunTracker`` logs: a local ``TrackingStore`` or an MLflow-compatible server over REST
/// (`swiftlearn track serve`, or MLflow's own `mlflow server` with artifact proxying).
public protocol TrackingBackend: Sendable {
    /// The id of the experiment with this name, created when missing.
    func experimentID(named name: String) throws -> String
    func startRun(experimentID: String, runName: String?, tags: [String: String]) throws -> RunInfo
    func log(runID: String, metrics: [Metric], params: [(String, String)], tags: [(String, String)]) throws
    func endRun(runID: String, status: RunStatus, endTime: Int64) throws
    /// Stores `bytes` as the artifact `path` of the run.
    func uploadArtifact(_ bytes: [UInt8], run: RunInfo, path: String) throws
}

extension TrackingStore: TrackingBackend {
    public func experimentID(named name: String) throws -> String {
        do { return try experiment(named: name).id } catch let e as TrackingError where e.code == .resourceDoesNotExist {
            do { return try createExperiment(name: name) } catch let e as TrackingError where e.code == .resourceAlreadyExists {
                return try experiment(named: name).id  // another process created it meanwhile
            }
        }
    }

    public func startRun(experimentID: String, runName: String?, tags: [String: String]) throws -> RunInfo {
        try createRun(experimentID: experimentID, userID: ProcessInfo.processInfo.environment["USER"] ?? "", runName: runName, tags: tags).info
    }

    public func log(runID: String, metrics: [Metric], params: [(String, String)], tags: [(String, String)]) throws {
        try logBatch(runID: runID, metrics: metrics, params: params, tags: tags)
    }

    public func endRun(runID: String, status: RunStatus, endTime: Int64) throws {
        _ = try updateRun(id: runID, status: status, endTime: endTime, runName: nil)
    }

    public func uploadArtifact(_ bytes: [UInt8], run: RunInfo, path: String) throws {
        let prefix = "mlflow-artifacts:/"
        guard run.artifactURI.hasPrefix(prefix) else { throw TrackingError.invalid("the run's artifacts go to \(run.artifactURI), which this store does not write") }
        try ArtifactFiles(root: artifactRoot).write(bytes, to: String(run.artifactURI.dropFirst(prefix.count)) + "/" + path)
    }
}

/// MLflow's REST API as a client: what `MlflowClient` sends, so it works against this project's
/// server and MLflow's. Calls are synchronous (training loops log between steps), each bounded
/// by `timeout`; an MLflow error answer becomes a ``TrackingError`` with its code.
public struct RESTTrackingBackend: TrackingBackend {
    /// The server, e.g. `http://127.0.0.1:5000`.
    public let baseURL: URL
    /// Longest wait for one answer, in seconds.
    public let timeout: Double

    public init(baseURL: URL, timeout: Double = 30) throws {
        guard let scheme = baseURL.scheme?.lowercased(), scheme == "http" || scheme == "https", baseURL.host != nil else {
            throw TrackingError.invalid("a tracking URI must be http:// or https:// with a host, got '\(baseURL.absoluteString)'")
        }
        self.baseURL = baseURL; self.timeout = timeout
    }

    /// Sends one request and returns the answer's body; non-2xx answers throw.
    func send(_ method: String, _ path: String, query: [String: String] = [:], json: JSON? = nil, body: [UInt8]? = nil) throws -> [UInt8] {
        guard var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false) else {
            throw TrackingError.invalid("cannot form a URL for \(path) on \(baseURL.absoluteString)")
        }
        if !query.isEmpty { components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        guard let url = components.url else { throw TrackingError.invalid("cannot form a URL for \(path)") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if let json {
            request.httpBody = Data(json.serialized().utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = Data(body)
        }
        let (data, status): (Data, Int)
        do { (data, status) = try sendWaiting(request) } catch let e as URLError where e.code == .timedOut {
            throw TrackingError(.internalError, "the tracking server at \(baseURL.absoluteString) did not answer \(method) \(path) within \(Int(timeout)) s")
        } catch {
            throw TrackingError(.internalError, "cannot reach the tracking server at \(baseURL.absoluteString): \(error.localizedDescription)")
        }
        guard (200..<300).contains(status) else {
            let answer = try? JSON.parse([UInt8](data))
            let code = answer?["error_code"]?.stringValue.flatMap(TrackingError.Code.init(rawValue:)) ?? .internalError
            let message = answer?["message"]?.stringValue ?? String(decoding: data.prefix(300), as: UTF8.self)
            throw TrackingError(code, "\(method) \(path) → \(status): \(message)")
        }
        return [UInt8](data)
    }

    func call(_ method: String, _ endpoint: String, query: [String: String] = [:], json: JSON? = nil) throws -> JSON {
        let bytes = try send(method, "api/2.0/mlflow/" + endpoint, query: query, json: json)
        do { return try JSON.parse(bytes) } catch { throw TrackingError(.internalError, "the tracking server answered \(endpoint) with something that is not JSON") }
    }

    public func experimentID(named name: String) throws -> String {
        do {
            let answer = try call("GET", "experiments/get-by-name", query: ["experiment_name": name])
            if let id = answer["experiment"]?["experiment_id"]?.stringValue { return id }
        } catch let e as TrackingError where e.code == .resourceDoesNotExist {
            let created = try call("POST", "experiments/create", json: .object([("name", .string(name))]))
            if let id = created["experiment_id"]?.stringValue { return id }
        }
        throw TrackingError(.internalError, "the tracking server did not return an experiment id for '\(name)'")
    }

    public func startRun(experimentID: String, runName: String?, tags: [String: String]) throws -> RunInfo {
        var pairs: [(key: String, value: JSON)] = [("experiment_id", .string(experimentID)), ("start_time", .int(Int(nowMillis()))),
                                                   ("tags", TrackingJSON.tags(tags))]
        if let user = ProcessInfo.processInfo.environment["USER"] { pairs.append(("user_id", .string(user))) }
        if let runName { pairs.append(("run_name", .string(runName))) }
        let answer = try call("POST", "runs/create", json: .object(pairs))
        guard let info = answer["run"]?["info"], let id = info["run_id"]?.stringValue, let uri = info["artifact_uri"]?.stringValue else {
            throw TrackingError(.internalError, "the tracking server's runs/create answer has no run id")
        }
        return RunInfo(runID: id, runName: info["run_name"]?.stringValue ?? runName ?? "", experimentID: experimentID, userID: "",
                       status: .running, startTime: nil, endTime: nil, artifactURI: uri, lifecycleStage: "active")
    }

    public func log(runID: String, metrics: [Metric], params: [(String, String)], tags: [(String, String)]) throws {
        let kv = { (items: [(String, String)]) in JSON.array(items.map { .object([("key", .string($0.0)), ("value", .string($0.1))]) }) }
        _ = try call("POST", "runs/log-batch", json: .object([("run_id", .string(runID)), ("metrics", .array(metrics.map(TrackingJSON.metric))),
                                                             ("params", kv(params)), ("tags", kv(tags))]))
    }

    public func endRun(runID: String, status: RunStatus, endTime: Int64) throws {
        _ = try call("POST", "runs/update", json: .object([("run_id", .string(runID)), ("status", .string(status.rawValue)),
                                                          ("end_time", .int(Int(endTime)))]))
    }

    public func uploadArtifact(_ bytes: [UInt8], run: RunInfo, path: String) throws {
        let prefix = "mlflow-artifacts:/"
        guard run.artifactURI.hasPrefix(prefix) else {
            throw TrackingError.invalid("the run's artifacts go to \(run.artifactURI); this client uploads through the server's artifact proxy (mlflow-artifacts:/) only")
        }
        let relative = String(run.artifactURI.dropFirst(prefix.count)).split(separator: "/").joined(separator: "/") + "/" + path
        _ = try ArtifactFiles.components(relative)
        _ = try send("PUT", "api/2.0/mlflow-artifacts/artifacts/" + relative, body: bytes)
    }
}

/// One run being logged, MLflow-style: parameters, metrics by step, tags and artifacts, then an
/// end status. `RunTracker.open("http://127.0.0.1:5000" | "local" | folder)` picks the backend.
///
///     let run = try RunTracker(backend: try RunTracker.open("local", home: home), experiment: "digits")
///     try run.logParams(["lr": "0.01"])
///     try run.logMetrics(["val_loss": 0.31], step: 1)
///     try run.finish()
public final class RunTracker: @unchecked Sendable {
    /// Where the run is logged.
    public let backend: any TrackingBackend
    /// The run as the backend created it (id, name, artifact location).
    public let info: RunInfo
    private var finished = false

    /// The backend `target` names: an http(s) URL (a tracking server), `local` (the store in
    /// `<home>/tracking`, which `swiftlearn track serve` serves by default), or a store folder.
    public static func open(_ target: String, home: URL) throws -> any TrackingBackend {
        let lower = target.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let url = URL(string: target) else { throw TrackingError.invalid("'\(target)' is not a URL") }
            return try RESTTrackingBackend(baseURL: url)
        }
        if lower == "local" { return try TrackingStore(directory: home.appendingPathComponent("tracking", isDirectory: true)) }
        guard !target.isEmpty, !target.contains("://") else {
            throw TrackingError.invalid("--track takes an http(s):// URL, 'local', or a store folder; got '\(target)'")
        }
        return try TrackingStore(directory: URL(fileURLWithPath: target))
    }

    /// Starts a run in `experiment` (created when missing). `mlflow.source.name` records the program.
    public init(backend: any TrackingBackend, experiment: String, runName: String? = nil, tags: [String: String] = [:]) throws {
        self.backend = backend
        var all = ["mlflow.source.type": "LOCAL", "mlflow.source.name": "swiftlearn"]
        if let user = ProcessInfo.processInfo.environment["USER"] { all["mlflow.user"] = user }
        for (k, v) in tags { all[k] = v }
        info = try backend.startRun(experimentID: try backend.experimentID(named: experiment), runName: runName, tags: all)
    }

    /// Logs parameters (in batches of MLflow's 100); values longer than 6000 characters are cut
    /// with a `…` so a long setting never fails a run.
    public func logParams(_ params: [(String, String)]) throws {
        let clipped = params.map { ($0.0, $0.1.count > TrackingStore.maxParamValueLength ? String($0.1.prefix(TrackingStore.maxParamValueLength - 1)) + "…" : $0.1) }
        for start in stride(from: 0, to: clipped.count, by: TrackingStore.maxBatchParams) {
            try backend.log(runID: info.runID, metrics: [], params: Array(clipped[start..<min(clipped.count, start + TrackingStore.maxBatchParams)]), tags: [])
        }
    }

    /// Logs metric values at one step (timestamp now), in batches of MLflow's 1000.
    public func logMetrics(_ values: [(String, Double)], step: Int = 0) throws {
        let now = nowMillis()
        let metrics = values.map { Metric(key: $0.0, value: $0.1, timestamp: now, step: Int64(step)) }
        for start in stride(from: 0, to: metrics.count, by: TrackingStore.maxBatchMetrics) {
            try backend.log(runID: info.runID, metrics: Array(metrics[start..<min(metrics.count, start + TrackingStore.maxBatchMetrics)]), params: [], tags: [])
        }
    }

    /// Sets tags of the run (`mlflow.runName` renames it).
    public func setTags(_ tags: [(String, String)]) throws {
        try backend.log(runID: info.runID, metrics: [], params: [], tags: tags)
    }

    /// Uploads a file as the artifact `path` (default: its name).
    public func logArtifact(file: URL, as path: String? = nil) throws {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: file)) } catch {
            throw TrackingError.invalid("cannot read \(file.path) to log it as an artifact: \(readableReason(error))")
        }
        try backend.uploadArtifact(bytes, run: info, path: path ?? file.lastPathComponent)
    }

    /// Ends the run (once) with `status`.
    public func finish(_ status: RunStatus = .finished) throws {
        guard !finished else { return }
        finished = true
        try backend.endRun(runID: info.runID, status: status, endTime: nowMillis())
    }
}

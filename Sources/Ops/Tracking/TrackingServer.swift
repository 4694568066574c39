import Foundation
import Serve

/// An MLflow-compatible tracking server: MLflow's REST API (`/api/2.0/mlflow/…`) over a
/// ``TrackingStore``, the artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/…`) over its
/// artifact folder, and what the MLflow 3 client probes (`/api/3.0/mlflow/server-info`,
/// `logged-models/search`, `/health`). The unmodified Python `mlflow` client pointed at it with
/// `MLFLOW_TRACKING_URI` works as against `mlflow server` (checked by scripts/ops/check_mlflow_client.py).
///
/// Errors are MLflow's: `{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": …}` with its status.
/// Endpoints this server does not implement (traces, logged models, datasets, prompts, webhooks)
/// answer 404 `ENDPOINT_NOT_FOUND` naming the endpoint, never a silent success.
public final class TrackingServer: @unchecked Sendable {
    /// Runs, experiments and the registry.
    public let store: TrackingStore
    /// The artifact proxy's files (the store's `artifacts/` folder).
    public let artifacts: ArtifactFiles
    /// Largest request body (artifact uploads included), in bytes.
    public let maxBodyBytes: Int
    private let lock = NSLock()
    private var inFlight = 0
    private var draining = false

    /// The MLflow version this server answers as (`/version`), the client release it is tested with.
    public static let mlflowVersion = "3.18.0"

    public init(store: TrackingStore, maxBodyBytes: Int = 512 << 20) {
        self.store = store
        self.artifacts = ArtifactFiles(root: store.artifactRoot)
        self.maxBodyBytes = maxBodyBytes
    }

    /// Serves over HTTP until SIGTERM/SIGINT; `onListening` gets the bound port.
    public func run(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        try await HTTPServer.serve(self, host: host, port: port, bodyTimeout: 300, logLabel: "swiftlearn.track", onListening: onListening)
    }

    static func error(_ e: TrackingError) -> ServeResponse {
        .json(.object([("error_code", .string(e.code.rawValue)), ("message", .string(e.message))]), status: e.code.httpStatus)
    }

    /// Answers one request (also callable without HTTP, as the tests do).
    public func respond(_ request: ServeRequest) -> ServeResponse {
        do {
            return try route(request)
        } catch let e as TrackingError {
            return Self.error(e)
        } catch {
            return Self.error(TrackingError(.internalError, "\(error)"))
        }
    }

    private func route(_ request: ServeRequest) throws -> ServeResponse {
        let path = request.path.removingPercentEncoding ?? request.path
        let method = request.method
        if path == "/health" { return .text("OK") }
        if method == "GET", path == "/favicon.ico" {
            let icon = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f77b4"/></svg>"##
            return ServeResponse(status: 200, headers: [("Content-Type", "image/svg+xml")], body: .bytes(Array(icon.utf8)))
        }
        if method == "GET", path == "/" || path == "/index.html" {
            return .text(try RunComparisonPage.index(store), contentType: "text/html; charset=utf-8")
        }
        if method == "GET", path == "/compare" {
            guard let id = request.query["experiment_id"] else { throw TrackingError.invalid("give /compare?experiment_id=ID") }
            let runs = request.query["runs"].map { $0.split(separator: ",").map(String.init) }
            return .text(try RunComparisonPage.compare(store, experimentID: id, runIDs: runs), contentType: "text/html; charset=utf-8")
        }
        if path == "/version" { return .text(Self.mlflowVersion) }
        if path == "/api/3.0/mlflow/server-info" || path == "/ajax-api/3.0/mlflow/server-info" {
            return .json(.object([("store_type", .string("SqlStore")), ("artifact_serving_enabled", .bool(true)),
                                  ("workspaces_enabled", .bool(false)), ("multipart_uploads_enabled", .bool(false)),
                                  ("multipart_downloads_enabled", .bool(false)), ("artifacts_presigned_only", .bool(false))]))
        }
        for prefix in ["/api/2.0/mlflow-artifacts/artifacts", "/ajax-api/2.0/mlflow-artifacts/artifacts"] where path == prefix || path.hasPrefix(prefix + "/") {
            return try artifactProxy(method: method, relative: String(path.dropFirst(prefix.count)), request: request)
        }
        for prefix in ["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/", "/api/2.0/preview/mlflow/"] where path.hasPrefix(prefix) {
            let fields = try RequestFields(method: method, body: request.body, query: request.query)
            return try endpoint(method: method, name: String(path.dropFirst(prefix.count)), fields)
        }
        throw TrackingError(.endpointNotFound, "no endpoint \(method) \(path) on this tracking server")
    }

    private func artifactProxy(method: String, relative: String, request: ServeRequest) throws -> ServeResponse {
        switch method {
        case "GET" where relative.isEmpty || relative == "/":
            let entries = try artifacts.list(request.query["path"] ?? "")
            return .json(.object([("files", .array(entries.map(Self.fileInfo)))]))
        case "GET":
            return ServeResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: .bytes(try artifacts.read(relative)))
        case "PUT":
            try artifacts.write(request.body, to: relative)
            return .json(.object([]))
        case "DELETE":
            try artifacts.delete(relative)
            return .json(.object([]))
        default:
            throw TrackingError(.endpointNotFound, "no endpoint \(method) on the artifact proxy")
        }
    }

    static func fileInfo(_ e: ArtifactFiles.Entry) -> JSON {
        var pairs: [(key: String, value: JSON)] = [("path", .string(e.path)), ("is_dir", .bool(e.isDirectory))]
        if let size = e.size { pairs.append(("file_size", .int(size))) }
        return .object(pairs)
    }

    private static func ok(_ pairs: [(key: String, value: JSON)] = []) -> ServeResponse { .json(.object(pairs)) }

    private static func page(_ key: String, _ items: [JSON], _ token: String?) -> ServeResponse {
        var pairs: [(key: String, value: JSON)] = [(key, .array(items))]
        if let token { pairs.append(("next_page_token", .string(token))) }
        return .json(.object(pairs))
    }

    private static func view(_ f: RequestFields, _ key: String) throws -> ViewType {
        guard let text = try f.string(key) else { return .activeOnly }
        if let v = ViewType(rawValue: text) { return v }
        // The protobuf enum's numbers, which some clients send.
        switch text { case "1": return .activeOnly; case "2": return .deletedOnly; case "3": return .all; default: break }
        throw TrackingError.invalid("'\(key)' must be ACTIVE_ONLY, DELETED_ONLY or ALL, got '\(text)'")
    }

    private static func version(_ f: RequestFields) throws -> Int {
        let text = try f.required("version")
        guard let v = Int(text), v > 0 else { throw TrackingError.invalid("Model version must be a positive integer, got '\(text)'") }
        return v
    }

    private static func runID(_ f: RequestFields) throws -> String {
        if let id = try f.string("run_id"), !id.isEmpty { return id }
        if let id = try f.string("run_uuid"), !id.isEmpty { return id }
        throw TrackingError.invalid("Missing value for required parameter 'run_id'.")
    }

    private func endpoint(method: String, name: String, _ f: RequestFields) throws -> ServeResponse {
        switch (method, name) {
        // Experiments
        case ("POST", "experiments/create"):
            let id = try store.createExperiment(name: try f.required("name"), artifactLocation: try f.string("artifact_location"),
                                                tags: Dictionary(try f.keyValues("tags"), uniquingKeysWith: { _, b in b }))
            return Self.ok([("experiment_id", .string(id))])
        case ("GET", "experiments/get"):
            return Self.ok([("experiment", TrackingJSON.experiment(try store.experiment(id: try f.required("experiment_id"))))])
        case ("GET", "experiments/get-by-name"):
            return Self.ok([("experiment", TrackingJSON.experiment(try store.experiment(named: try f.required("experiment_name"))))])
        case ("POST", "experiments/search"), ("GET", "experiments/search"):
            let (items, token) = try store.searchExperiments(filter: try f.string("filter"), view: try Self.view(f, "view_type"),
                                                             maxResults: try f.int("max_results", default: 1000),
                                                             orderBy: try f.strings("order_by"), pageToken: try f.string("page_token"))
            return Self.page("experiments", items.map(TrackingJSON.experiment), token)
        case ("POST", "experiments/update"):
            try store.renameExperiment(id: try f.required("experiment_id"), newName: try f.required("new_name"))
            return Self.ok()
        case ("POST", "experiments/delete"), ("POST", "experiments/restore"):
            try store.setExperimentDeleted(id: try f.required("experiment_id"), name.hasSuffix("delete"))
            return Self.ok()
        case ("POST", "experiments/set-experiment-tag"):
            try store.setExperimentTag(id: try f.required("experiment_id"), key: try f.required("key"), value: try f.string("value") ?? "")
            return Self.ok()

        // Runs
        case ("POST", "runs/create"):
            let run = try store.createRun(experimentID: try f.string("experiment_id") ?? "0", userID: try f.string("user_id") ?? "",
                                          runName: try f.string("run_name"), startTime: try f.int64("start_time"),
                                          tags: Dictionary(try f.keyValues("tags"), uniquingKeysWith: { _, b in b }))
            return Self.ok([("run", TrackingJSON.run(run))])
        case ("POST", "runs/update"):
            let status = try f.string("status").map { s -> RunStatus in
                guard let st = RunStatus(rawValue: s) else { throw TrackingError.invalid("invalid run status '\(s)' (one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", ")))") }
                return st
            }
            let info = try store.updateRun(id: try Self.runID(f), status: status, endTime: try f.int64("end_time"), runName: try f.string("run_name"))
            return Self.ok([("run_info", TrackingJSON.runInfo(info))])
        case ("GET", "runs/get"):
            return Self.ok([("run", TrackingJSON.run(try store.run(id: try Self.runID(f))))])
        case ("POST", "runs/delete"), ("POST", "runs/restore"):
            try store.setRunDeleted(id: try Self.runID(f), name.hasSuffix("delete"))
            return Self.ok()
        case ("POST", "runs/search"), ("GET", "runs/search"):
            let (runs, token) = try store.searchRuns(experimentIDs: try f.strings("experiment_ids"), filter: try f.string("filter"),
                                                     view: try Self.view(f, "run_view_type"), maxResults: try f.int("max_results", default: 1000),
                                                     orderBy: try f.strings("order_by"), pageToken: try f.string("page_token"))
            return Self.page("runs", runs.map(TrackingJSON.run), token)
        case ("POST", "runs/log-metric"):
            try store.logBatch(runID: try Self.runID(f), metrics: [try f.metric()])
            return Self.ok()
        case ("POST", "runs/log-parameter"):
            try store.logBatch(runID: try Self.runID(f), params: [(try f.required("key"), try f.string("value") ?? "")])
            return Self.ok()
        case ("POST", "runs/set-tag"):
            try store.logBatch(runID: try Self.runID(f), tags: [(try f.required("key"), try f.string("value") ?? "")])
            return Self.ok()
        case ("POST", "runs/delete-tag"):
            try store.deleteTag(runID: try Self.runID(f), key: try f.required("key"))
            return Self.ok()
        case ("POST", "runs/log-batch"):
            try store.logBatch(runID: try Self.runID(f), metrics: try f.metrics("metrics"), params: try f.keyValues("params"), tags: try f.keyValues("tags"))
            return Self.ok()
        case ("GET", "metrics/get-history"):
            let history = try store.metricHistory(runID: try Self.runID(f), key: try f.required("metric_key"))
            let (items, token) = try PageToken.page(history, maxResults: try f.int("max_results", default: 25_000), token: try f.string("page_token"))
            return Self.page("metrics", items.map(TrackingJSON.metric), token)
        case ("GET", "artifacts/list"):
            let run = try store.run(id: try Self.runID(f))
            let prefix = "mlflow-artifacts:/"
            guard run.info.artifactURI.hasPrefix(prefix) else {
                throw TrackingError.invalid("the run's artifacts are at \(run.info.artifactURI), which this server does not serve")
            }
            let base = String(run.info.artifactURI.dropFirst(prefix.count))
            let sub = try f.string("path") ?? ""
            _ = try ArtifactFiles.components(sub)
            let entries = try artifacts.list(sub.isEmpty ? base : base + "/" + sub)
            let files = entries.map { e in
                TrackingServer.fileInfo(ArtifactFiles.Entry(path: sub.isEmpty ? e.path : sub + "/" + e.path, isDirectory: e.isDirectory, size: e.size))
            }
            return Self.ok([("root_uri", .string(run.info.artifactURI)), ("files", .array(files))])
        case ("POST", "logged-models/search"):
            // Logged models (MLflow 3's model entities) are not kept by this server: none match.
            return Self.ok([("models", .array([]))])

        // Registered models
        case ("POST", "registered-models/create"):
            let m = try store.createRegisteredModel(name: try f.required("name"), description: try f.string("description") ?? "",
                                                    tags: Dictionary(try f.keyValues("tags"), uniquingKeysWith: { _, b in b }))
            return Self.ok([("registered_model", TrackingJSON.registeredModel(m))])
        case ("GET", "registered-models/get"):
            return Self.ok([("registered_model", TrackingJSON.registeredModel(try store.registeredModel(name: try f.required("name"))))])
        case ("PATCH", "registered-models/update"):
            let m = try store.updateRegisteredModel(name: try f.required("name"), description: try f.string("description") ?? "")
            return Self.ok([("registered_model", TrackingJSON.registeredModel(m))])
        case ("POST", "registered-models/rename"):
            let m = try store.renameRegisteredModel(name: try f.required("name"), newName: try f.required("new_name"))
            return Self.ok([("registered_model", TrackingJSON.registeredModel(m))])
        case ("DELETE", "registered-models/delete"):
            try store.deleteRegisteredModel(name: try f.required("name"))
            return Self.ok()
        case ("GET", "registered-models/search"):
            let (items, token) = try store.searchRegisteredModels(filter: try f.string("filter"), maxResults: try f.int("max_results", default: 100),
                                                                  orderBy: try f.strings("order_by"), pageToken: try f.string("page_token"))
            return Self.page("registered_models", items.map(TrackingJSON.registeredModel), token)
        case ("POST", "registered-models/get-latest-versions"), ("GET", "registered-models/get-latest-versions"):
            let versions = try store.latestVersions(name: try f.required("name"), stages: try f.strings("stages"))
            return Self.ok([("model_versions", .array(versions.map(TrackingJSON.modelVersion)))])
        case ("POST", "registered-models/set-tag"):
            try store.setRegisteredModelTag(name: try f.required("name"), key: try f.required("key"), value: try f.string("value") ?? "")
            return Self.ok()
        case ("DELETE", "registered-models/delete-tag"):
            try store.setRegisteredModelTag(name: try f.required("name"), key: try f.required("key"), value: nil)
            return Self.ok()
        case ("POST", "registered-models/alias"):
            try store.setAlias(name: try f.required("name"), alias: try f.required("alias"), version: try Self.version(f))
            return Self.ok()
        case ("DELETE", "registered-models/alias"):
            try store.deleteAlias(name: try f.required("name"), alias: try f.required("alias"))
            return Self.ok()
        case ("GET", "registered-models/alias"):
            let v = try store.modelVersion(name: try f.required("name"), alias: try f.required("alias"))
            return Self.ok([("model_version", TrackingJSON.modelVersion(v))])

        // Model versions
        case ("POST", "model-versions/create"):
            let v = try store.createModelVersion(name: try f.required("name"), source: try f.required("source"), runID: try f.string("run_id") ?? "",
                                                 runLink: try f.string("run_link") ?? "", description: try f.string("description") ?? "",
                                                 tags: Dictionary(try f.keyValues("tags"), uniquingKeysWith: { _, b in b }))
            return Self.ok([("model_version", TrackingJSON.modelVersion(v))])
        case ("GET", "model-versions/get"):
            return Self.ok([("model_version", TrackingJSON.modelVersion(try store.modelVersion(name: try f.required("name"), version: try Self.version(f))))])
        case ("PATCH", "model-versions/update"):
            let v = try store.updateModelVersion(name: try f.required("name"), version: try Self.version(f), description: try f.string("description") ?? "")
            return Self.ok([("model_version", TrackingJSON.modelVersion(v))])
        case ("DELETE", "model-versions/delete"):
            try store.deleteModelVersion(name: try f.required("name"), version: try Self.version(f))
            return Self.ok()
        case ("GET", "model-versions/search"):
            let (items, token) = try store.searchModelVersions(filter: try f.string("filter"), maxResults: try f.int("max_results", default: 10_000),
                                                               orderBy: try f.strings("order_by"), pageToken: try f.string("page_token"))
            return Self.page("model_versions", items.map(TrackingJSON.modelVersion), token)
        case ("POST", "model-versions/transition-stage"):
            let v = try store.transitionStage(name: try f.required("name"), version: try Self.version(f), stage: try f.required("stage"),
                                              archiveExisting: try f.bool("archive_existing_versions"))
            return Self.ok([("model_version", TrackingJSON.modelVersion(v))])
        case ("GET", "model-versions/get-download-uri"):
            let v = try store.modelVersion(name: try f.required("name"), version: try Self.version(f))
            return Self.ok([("artifact_uri", .string(v.source))])
        case ("POST", "model-versions/set-tag"):
            try store.setModelVersionTag(name: try f.required("name"), version: try Self.version(f), key: try f.required("key"), value: try f.string("value") ?? "")
            return Self.ok()
        case ("DELETE", "model-versions/delete-tag"):
            try store.setModelVersionTag(name: try f.required("name"), version: try Self.version(f), key: try f.required("key"), value: nil)
            return Self.ok()
        default:
            throw TrackingError(.endpointNotFound, "this tracking server does not implement \(method) /api/2.0/mlflow/\(name)")
        }
    }

    private func enter() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard !draining else { return false }
        inFlight += 1
        return true
    }

    private func leave() { lock.lock(); inFlight -= 1; lock.unlock() }
}

extension TrackingServer: HTTPHandler {
    package func handle(_ request: ServeRequest) async -> ServeResponse {
        guard enter() else {
            return .json(.object([("error_code", .string("TEMPORARILY_UNAVAILABLE")), ("message", .string("the server is shutting down"))]), status: 503)
        }
        defer { leave() }
        return respond(request)
    }

    package func refusal(_ error: APIError, path: String) -> ServeResponse {
        .json(.object([("error_code", .string(error.status == 413 ? "INVALID_PARAMETER_VALUE" : "BAD_REQUEST")),
                       ("message", .string(error.message))]), status: error.status)
    }

    package func drain() async {
        lock.withLock { draining = true }
        for _ in 0..<600 {
            if lock.withLock({ inFlight }) == 0 { return }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
    }
}

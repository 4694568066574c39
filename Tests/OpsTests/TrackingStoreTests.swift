import Foundation
import Testing
import Ops
import Serve
import Plot

private func temporaryStore() throws -> TrackingStore {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ops-\(UUID().uuidString)")
    return try TrackingStore(directory: folder)
}

@Suite struct SearchFilterTests {
    @Test func parsesMLflowSyntax() throws {
        let f = try SearchFilter("metrics.rmse < 1 and params.model_class = 'LogisticRegression' AND tags.\"user-name\" LIKE 'Tom%'", schema: .runs)
        #expect(f.clauses == [
            SearchClause(entity: .metric, key: "rmse", op: .lt, operand: .number(1)),
            SearchClause(entity: .param, key: "model_class", op: .eq, operand: .string("LogisticRegression")),
            SearchClause(entity: .tag, key: "user-name", op: .like, operand: .string("Tom%")),
        ])
        let g = try SearchFilter("attributes.run_id IN ('a', 'b') and run_name != \"x\" and metrics.`my key` >= -1.5e-3 and start_time > '17'", schema: .runs)
        #expect(g.clauses.map(\.key) == ["run_id", "run_name", "my key", "start_time"])
        #expect(g.clauses[0].operand == .list(["a", "b"]))
        #expect(g.clauses[2].operand == .number(-1.5e-3))
        #expect(g.clauses[3].operand == .number(17))
        #expect(try SearchFilter("  ", schema: .runs).clauses.isEmpty)
    }

    @Test func badFiltersAreInvalidParameterValues() {
        for bad in ["metrics.rmse < 'a'", "params.x > 1", "params.x = 1", "metrics.rmse", "metrics.rmse < 1 or metrics.x > 2",
                    "attributes.nope = 'x'", "metrics.x IN ('a')", "tags.x = 'unterminated", "metrics. < 1", "run_id IN ('a' 'b')",
                    "params.x = 'a' AND", "metrics.x ! 1", "metrics.x < 1e999"] {
            #expect(throws: TrackingError.self, "\(bad)") { try SearchFilter(bad, schema: .runs) }
            do { _ = try SearchFilter(bad, schema: .runs) } catch let e as TrackingError { #expect(e.code == .invalidParameterValue) } catch {}
        }
        #expect(throws: TrackingError.self) { try SearchFilter("metrics.x > 1", schema: .experiments) }
    }

    @Test func likeFollowsSQL() {
        func like(_ s: String, _ p: String) -> Bool {
            let filter = try! SearchFilter("params.x LIKE '\(p)'", schema: .runs)
            return filter.matches { _, _ in .string(s) }
        }
        #expect(like("LogisticRegression", "Log%"))
        #expect(like("LogisticRegression", "%Reg%"))
        #expect(like("abc", "a_c"))
        #expect(!like("abc", "a_"))
        #expect(like("", "%"))
        #expect(!like("abc", "ABC"))
        #expect(like("a%b", "a%b"))
        #expect(like("aaa", "%a%a%a%"))
        #expect(!like("aa", "%a%a%a%"))
    }
}

@Suite struct TrackingStoreTests {
    @Test func runsKeepMLflowsRules() throws {
        let store = try temporaryStore()
        let exp = try store.createExperiment(name: "exp")
        #expect(exp == "1")
        #expect(throws: TrackingError(.resourceAlreadyExists, "Experiment(name=exp) already exists.")) { try store.createExperiment(name: "exp") }
        let run = try store.createRun(experimentID: exp, userID: "me", runName: "first", tags: ["team": "ml"])
        #expect(run.info.runName == "first" && run.tags["mlflow.runName"] == "first" && run.info.status == .running)
        #expect(run.info.artifactURI == "mlflow-artifacts:/1/\(run.info.runID)/artifacts")
        let id = run.info.runID
        try store.logBatch(runID: id, params: [("lr", "0.1")])
        try store.logBatch(runID: id, params: [("lr", "0.1")])  // same value: fine
        #expect(throws: TrackingError.self) { try store.logBatch(runID: id, params: [("lr", "0.2")]) }
        #expect(throws: TrackingError.self) { try store.logBatch(runID: id, params: [("a", "1"), ("a", "2")]) }
        // Latest value per key: largest step, then timestamp; full history kept, NaN included.
        try store.logBatch(runID: id, metrics: [Metric(key: "loss", value: 3, timestamp: 10, step: 2), Metric(key: "loss", value: 5, timestamp: 20, step: 1),
                                                Metric(key: "loss", value: .nan, timestamp: 30, step: 0), Metric(key: "acc", value: .infinity, timestamp: 1)])
        let got = try store.run(id: id)
        #expect(got.metrics.first { $0.key == "loss" }?.value == 3)
        #expect(got.metrics.first { $0.key == "acc" }?.value == .infinity)
        let history = try store.metricHistory(runID: id, key: "loss")
        #expect(history.count == 3 && history[0].value.isNaN && history.map(\.step) == [0, 1, 2])
        // Exact duplicates are stored once, as MLflow's primary key does.
        try store.logBatch(runID: id, metrics: [Metric(key: "loss", value: 3, timestamp: 10, step: 2)])
        #expect(try store.metricHistory(runID: id, key: "loss").count == 3)
        // Keys are checked; a deleted run takes no data.
        for bad in ["", "../x", "/abs", "a/./b", String(repeating: "k", count: 251), "semi;colon"] {
            #expect(throws: TrackingError.self, "\(bad)") { try store.logBatch(runID: id, metrics: [Metric(key: bad, value: 1, timestamp: 1)]) }
        }
        _ = try store.updateRun(id: id, status: .finished, endTime: 99, runName: "renamed")
        #expect(try store.run(id: id).tags["mlflow.runName"] == "renamed")
        try store.setRunDeleted(id: id, true)
        #expect(throws: TrackingError.self) { try store.logBatch(runID: id, tags: [("x", "y")]) }
        #expect(throws: TrackingError(.resourceDoesNotExist, "Run with id=nope not found")) { try store.run(id: "nope") }
    }

    @Test func searchRunsFiltersOrdersAndPages() throws {
        let store = try temporaryStore()
        let exp = try store.createExperiment(name: "grid")
        var ids: [String] = []
        for (i, lr) in ["0.1", "0.01", "0.001", "0.0001"].enumerated() {
            let run = try store.createRun(experimentID: exp, runName: "r\(i)", startTime: Int64(1000 + i))
            ids.append(run.info.runID)
            try store.logBatch(runID: run.info.runID, metrics: [Metric(key: "acc", value: Double(i) / 10, timestamp: 5)],
                               params: [("lr", lr), ("model", i % 2 == 0 ? "svc" : "tree")])
        }
        _ = try store.createRun(experimentID: exp, runName: "no-metrics", startTime: 2000)
        let (all, _) = try store.searchRuns(experimentIDs: [exp])
        #expect(all.map(\.info.runName) == ["no-metrics", "r3", "r2", "r1", "r0"])  // newest first
        let (svc, _) = try store.searchRuns(experimentIDs: [exp], filter: "params.model = 'svc' and metrics.acc > 0.05")
        #expect(svc.map(\.info.runName) == ["r2"])
        let (best, _) = try store.searchRuns(experimentIDs: [exp], orderBy: ["metrics.acc DESC"])
        #expect(best.map(\.info.runName) == ["r3", "r2", "r1", "r0", "no-metrics"])  // missing values last
        let (asc, _) = try store.searchRuns(experimentIDs: [exp], orderBy: ["metrics.acc"])
        #expect(asc.map(\.info.runName) == ["r0", "r1", "r2", "r3", "no-metrics"])
        let (named, _) = try store.searchRuns(experimentIDs: [exp], filter: "attributes.run_id IN ('\(ids[0])', '\(ids[3])')")
        #expect(Set(named.map(\.info.runName)) == ["r0", "r3"])
        // Pages of two, until no token is left.
        var seen: [String] = [], token: String? = nil
        repeat {
            let (page, next) = try store.searchRuns(experimentIDs: [exp], maxResults: 2, orderBy: ["attributes.run_name"], pageToken: token)
            seen += page.map(\.info.runName); token = next
        } while token != nil
        #expect(seen == ["no-metrics", "r0", "r1", "r2", "r3"])
        #expect(throws: TrackingError.self) { try store.searchRuns(experimentIDs: [exp], pageToken: "garbage!") }
        #expect(throws: TrackingError.self) { try store.searchRuns(experimentIDs: [exp], maxResults: 0) }
        #expect(throws: TrackingError.self) { try store.searchRuns(experimentIDs: ["x"]) }
        #expect(throws: TrackingError.self) { try store.searchRuns(experimentIDs: Array(repeating: exp, count: 1001)) }
    }

    @Test func registryVersionsStagesAndAliases() throws {
        let store = try temporaryStore()
        try store.createRegisteredModel(name: "iris", description: "d")
        #expect(throws: TrackingError.self) { try store.createRegisteredModel(name: "iris") }
        let v1 = try store.createModelVersion(name: "iris", source: "mlflow-artifacts:/0/a/artifacts/model")
        let v2 = try store.createModelVersion(name: "iris", source: "mlflow-artifacts:/0/b/artifacts/model")
        #expect(v1.version == 1 && v2.version == 2 && v2.currentStage == "None" && v2.status == "READY")
        try store.setAlias(name: "iris", alias: "champion", version: 1)
        #expect(try store.modelVersion(name: "iris", alias: "champion").source == v1.source)
        try store.setAlias(name: "iris", alias: "champion", version: 2)  // an alias moves
        #expect(try store.modelVersion(name: "iris", alias: "champion").version == 2)
        #expect(try store.modelVersion(name: "iris", version: 1).aliases.isEmpty)
        for bad in ["latest", "v3", "V12", "has space", ""] {
            #expect(throws: TrackingError.self, "\(bad)") { try store.setAlias(name: "iris", alias: bad, version: 1) }
        }
        _ = try store.transitionStage(name: "iris", version: 1, stage: "production", archiveExisting: false)
        _ = try store.transitionStage(name: "iris", version: 2, stage: "Production", archiveExisting: true)
        #expect(try store.modelVersion(name: "iris", version: 1).currentStage == "Archived")
        #expect(try store.latestVersions(name: "iris", stages: ["Production"]).map(\.version) == [2])
        #expect(throws: TrackingError.self) { try store.transitionStage(name: "iris", version: 2, stage: "Prod", archiveExisting: false) }
        // The registry's `!=` on a tag matches models without it (the mlflow client hides prompts so).
        #expect(try store.searchRegisteredModels(filter: "tag.`mlflow.prompt.is_prompt` != 'true'").0.map(\.name) == ["iris"])
        #expect(try store.searchRegisteredModels(filter: "tag.`mlflow.prompt.is_prompt` = 'true'").0.isEmpty)
        let (found, _) = try store.searchModelVersions(filter: "name = 'iris' and version_number > 1")
        #expect(found.map(\.version) == [2])
        let renamed = try store.renameRegisteredModel(name: "iris", newName: "iris2")
        #expect(renamed.aliases == ["champion": 2])
        try store.deleteModelVersion(name: "iris2", version: 2)
        #expect(try store.registeredModel(name: "iris2").aliases.isEmpty)
        #expect(throws: TrackingError.self) { try store.modelVersion(name: "iris2", alias: "champion") }
    }

    @Test func artifactPathsStayInsideTheRoot() throws {
        let store = try temporaryStore()
        let files = ArtifactFiles(root: store.artifactRoot)
        try files.write(Array("hello".utf8), to: "1/run/artifacts/dir/a.txt")
        #expect(try files.read("1/run/artifacts/dir/a.txt") == Array("hello".utf8))
        #expect(try files.list("1/run/artifacts") == [ArtifactFiles.Entry(path: "dir", isDirectory: true, size: nil)])
        #expect(try files.list("1/run/artifacts/dir") == [ArtifactFiles.Entry(path: "a.txt", isDirectory: false, size: 5)])
        #expect(try files.list("1/run/artifacts/dir/a.txt").isEmpty)
        for bad in ["../x", "1/../../etc/passwd", "a/./b", "a\\b", "a\0b"] {
            #expect(throws: TrackingError.self, "\(bad)") { try files.write([1], to: bad) }
            #expect(throws: TrackingError.self, "\(bad)") { try files.read(bad) }
        }
        #expect(throws: TrackingError.self) { try files.read("1/run/artifacts/missing") }
        #expect(throws: TrackingError.self) { try files.write([1], to: "1/run/artifacts/dir") }  // a folder
        try files.delete("1/run/artifacts/dir")
        #expect(try files.list("1/run/artifacts").isEmpty)
    }
}

@Suite struct TrackingServerTests {
    private func call(_ server: TrackingServer, _ method: String, _ target: String, _ body: String = "") -> (Int, JSON?) {
        let response = server.respond(ServeRequest(method: method, target: target, body: Array(body.utf8)))
        guard case .bytes(let bytes) = response.body else { return (response.status, nil) }
        return (response.status, try? JSON.parse(bytes))
    }

    @Test func restEndpointsAnswerAsMLflow() throws {
        let server = TrackingServer(store: try temporaryStore())
        var (status, json) = call(server, "POST", "/api/2.0/mlflow/experiments/create", #"{"name": "e"}"#)
        #expect(status == 200 && json?["experiment_id"] == .string("1"))
        (status, json) = call(server, "GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name=e")
        #expect(json?["experiment"]?["artifact_location"] == .string("mlflow-artifacts:/1"))
        (status, json) = call(server, "POST", "/api/2.0/mlflow/runs/create", #"{"experiment_id": "1", "start_time": 5, "tags": [{"key": "a", "value": "b"}]}"#)
        guard let runID = json?["run"]?["info"]?["run_id"]?.stringValue else { Issue.record("no run id"); return }
        (status, _) = call(server, "POST", "/api/2.0/mlflow/runs/log-batch",
                           #"{"run_id": "\#(runID)", "metrics": [{"key": "m", "value": "NaN", "timestamp": 1, "step": 0}, {"key": "m", "value": 2.5, "timestamp": 2, "step": 1}], "params": [{"key": "p", "value": "1"}]}"#)
        #expect(status == 200)
        (status, json) = call(server, "GET", "/api/2.0/mlflow/metrics/get-history?run_id=\(runID)&metric_key=m")
        #expect(json?["metrics"] == .array([
            .object([("key", .string("m")), ("value", .string("NaN")), ("timestamp", .int(1)), ("step", .int(0))]),
            .object([("key", .string("m")), ("value", .double(2.5)), ("timestamp", .int(2)), ("step", .int(1))]),
        ]))
        // MLflow's errors: code and status.
        (status, json) = call(server, "POST", "/api/2.0/mlflow/runs/log-parameter", #"{"run_id": "\#(runID)", "key": "p", "value": "2"}"#)
        #expect(status == 400 && json?["error_code"] == .string("INVALID_PARAMETER_VALUE"))
        (status, json) = call(server, "GET", "/api/2.0/mlflow/runs/get?run_id=missing")
        #expect(status == 404 && json?["error_code"] == .string("RESOURCE_DOES_NOT_EXIST"))
        (status, json) = call(server, "POST", "/api/2.0/mlflow/runs/create", "[1,2]")
        #expect(status == 400)
        (status, json) = call(server, "POST", "/api/2.0/mlflow/runs/log-metric", #"{"run_id": "\#(runID)", "key": "m", "value": {"x": 1}}"#)
        #expect(status == 400)
        (status, json) = call(server, "POST", "/api/2.0/mlflow/traces/start", "{}")
        #expect(status == 404 && json?["error_code"] == .string("ENDPOINT_NOT_FOUND"))
        // Artifacts through the proxy.
        let put = server.respond(ServeRequest(method: "PUT", target: "/api/2.0/mlflow-artifacts/artifacts/1/\(runID)/artifacts/a%20b.txt", body: [1, 2, 3]))
        #expect(put.status == 200)
        (status, json) = call(server, "GET", "/api/2.0/mlflow-artifacts/artifacts?path=1/\(runID)/artifacts")
        #expect(json?["files"] == .array([.object([("path", .string("a b.txt")), ("is_dir", .bool(false)), ("file_size", .int(3))])]))
        let traversal = server.respond(ServeRequest(method: "PUT", target: "/api/2.0/mlflow-artifacts/artifacts/1/..%2F..%2Fescape", body: [1]))
        #expect(traversal.status == 400)
        (status, json) = call(server, "GET", "/api/2.0/mlflow/artifacts/list?run_id=\(runID)")
        #expect(json?["files"] == .array([.object([("path", .string("a b.txt")), ("is_dir", .bool(false)), ("file_size", .int(3))])]))
    }
}

@Suite struct ComparisonPageTests {
    @Test func pagesListAndCompareRuns() throws {
        let store = try temporaryStore()
        let exp = try store.createExperiment(name: "grid <b>")
        for (i, lr) in ["0.1", "0.01"].enumerated() {
            let run = try store.createRun(experimentID: exp, runName: "r\(i)")
            try store.logBatch(runID: run.info.runID, metrics: (0..<3).map { Metric(key: "loss", value: Double(3 - $0) / Double(i + 1), timestamp: 1, step: Int64($0)) }
                               + [Metric(key: "acc", value: 0.8 + Double(i) / 10, timestamp: 1)], params: [("lr", lr), ("model", "mlp")])
        }
        let server = TrackingServer(store: store)
        func page(_ target: String) -> (Int, String) {
            let r = server.respond(ServeRequest(method: "GET", target: target))
            guard case .bytes(let b) = r.body else { return (r.status, "") }
            return (r.status, String(decoding: b, as: UTF8.self))
        }
        let (status, index) = page("/")
        #expect(status == 200 && index.contains("href=\"/compare?experiment_id=\(exp)\"") && index.contains("grid &lt;b&gt;"))
        let (s2, compare) = page("/compare?experiment_id=\(exp)")
        #expect(s2 == 200)
        #expect(compare.contains("parallel-coordinates-chart") && compare.contains("lr *") && !compare.contains("model *"))
        #expect(compare.components(separatedBy: "class=\"swiftlearn-chart line-chart").count - 1 == 2)  // loss and acc
        #expect(page("/compare?experiment_id=99").0 == 404)
        #expect(page("/compare").0 == 400)
        #expect(throws: PlotError.self) { try ParallelCoordinatesChart(title: "t", dimensions: ["a"], items: [(name: "x", values: [1])]).validate() }
    }
}

import Datasets
import Foundation
import Learn
import Ops
import Serve

/// A sweep of scaled logistic regressions over C on breast cancer, each run logged as MLflow
/// logs it (parameters, metrics, the fitted model as an artifact) to a fresh tracking store, and
/// the store's MLflow REST API (`TrackingServer.respond`, what `swiftlearn track serve` answers
/// over HTTP; no port is opened). The tracking and registry demos and checkpoints share it.
struct TrackedSweep {
    struct Entry { let c: Double; let runID: String; let accuracy: Double; let predictions: [Int] }
    static let experiment = "breast-cancer-logistic"
    static let values: [Double] = [0.0005, 0.005, 0.05, 0.5, 5]

    let folder: URL
    let store: TrackingStore
    let server: TrackingServer
    let entries: [Entry]
    let xTest: Matrix

    init(_ ctx: DemoContext) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlearn-tracking-demo-\(UUID().uuidString)")
        store = try TrackingStore(directory: folder.appendingPathComponent("store"))
        server = TrackingServer(store: store)
        let s = try classificationSplit(.breastCancer, ctx)
        xTest = s.xTest
        var entries: [Entry] = []
        for c in Self.values {
            let run = try RunTracker(backend: store, experiment: Self.experiment, runName: "C=\(c)")
            try run.logParams([("C", "\(c)"), ("model", "standard-scaler + logistic-regression"), ("random_state", String(ctx.randomState))])
            let model = scaled(LogisticRegression(C: c, maxIter: 1000))
            try model.fit(s.xTrain, s.yTrain)
            let predictions: [Int] = try model.predict(s.xTest)
            let accuracy = try Metrics.accuracy(s.yTest, predictions)
            let trainPredictions: [Int] = try model.predict(s.xTrain)
            try run.logMetrics([("train_accuracy", try Metrics.accuracy(s.yTrain, trainPredictions)), ("test_accuracy", accuracy)])
            let file = folder.appendingPathComponent("model-\(c).json")
            try ModelFile.save(model, to: file.path)
            try run.logArtifact(file: file, as: "model/model.json")
            try run.finish()
            entries.append(Entry(c: c, runID: run.info.runID, accuracy: accuracy, predictions: predictions))
        }
        self.entries = entries
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// One REST call, as the mlflow client makes it.
    func call(_ method: String, _ target: String, _ body: JSON? = nil) -> (status: Int, json: JSON?) {
        let response = server.respond(ServeRequest(method: method, target: target, body: body.map { Array($0.serialized().utf8) } ?? []))
        guard case .bytes(let bytes) = response.body else { return (response.status, nil) }
        return (response.status, try? JSON.parse(bytes))
    }

    /// `runs/search` with a filter and an order, as (run name, test accuracy) pairs.
    func search(filter: String, orderBy: String) throws -> [(name: String, accuracy: Double)] {
        let experimentID = try store.experiment(named: Self.experiment).id
        let answer = call("POST", "/api/2.0/mlflow/runs/search", .object([("experiment_ids", .array([.string(experimentID)])),
                                                                          ("filter", .string(filter)), ("order_by", .array([.string(orderBy)]))]))
        guard answer.status == 200, case .array(let runs)? = answer.json?["runs"] else {
            throw TrackingError(.internalError, "runs/search answered \(answer.status): \(answer.json?.serialized() ?? "")")
        }
        return runs.map { run in
            let name = run["info"]?["run_name"]?.stringValue ?? "?"
            var accuracy = Double.nan
            if case .array(let metrics)? = run["data"]?["metrics"] {
                for m in metrics where m["key"]?.stringValue == "test_accuracy" { accuracy = m["value"]?.doubleValue ?? .nan }
            }
            return (name, accuracy)
        }
    }

    /// The fitted model behind a registry URI's download location (`mlflow-artifacts:/…`), loaded from the artifact proxy.
    func loadModel(downloadURI: String) throws -> any Estimator {
        let prefix = "mlflow-artifacts:/"
        guard downloadURI.hasPrefix(prefix) else { throw TrackingError(.invalidParameterValue, "unexpected model location \(downloadURI)") }
        let response = server.respond(ServeRequest(method: "GET", target: "/api/2.0/mlflow-artifacts/artifacts/" + downloadURI.dropFirst(prefix.count) + "/model.json"))
        guard response.status == 200, case .bytes(let bytes) = response.body else { throw TrackingError(.resourceDoesNotExist, "no model file under \(downloadURI)") }
        return try ModelFile.decode(Data(bytes)).estimator
    }
}

extension DemoRegistry {
    /// Demos of MLOps: experiment tracking and the model registry (`swiftlearn track serve`).
    public static let mlops: [Demo] = [driftDemo] + [
        Demo("experiment-tracking", "Experiment tracking, MLflow-compatible",
             shows: "Five runs of a logistic-regression sweep logged with parameters, metrics and the fitted model as an artifact, then found again with MLflow's search syntax through the REST API the mlflow client uses (`swiftlearn track serve`).") { ctx in
            let sweep = try TrackedSweep(ctx)
            defer { sweep.remove() }
            let found = try sweep.search(filter: "metrics.test_accuracy >= 0.9 and params.model LIKE '%logistic%'", orderBy: "metrics.test_accuracy DESC")
            let best = sweep.entries.max { $0.accuracy < $1.accuracy }!
            let expected = sweep.entries.filter { $0.accuracy >= 0.9 }.count
            let history = try sweep.store.metricHistory(runID: best.runID, key: "test_accuracy")
            let lines = sweep.entries.map { "C=\($0.c): test accuracy \(f($0.accuracy))" }.joined(separator: "\n")
            return DemoOutcome(passed: found.count == expected && found.first?.accuracy == best.accuracy && history.count == 1,
                               result: """
                               \(lines)
                               runs/search "metrics.test_accuracy >= 0.9 and params.model LIKE '%logistic%'" ordered by test_accuracy DESC:
                                 \(found.map { "\($0.name) (\(f($0.accuracy)))" }.joined(separator: ", "))
                               run it for real: swiftlearn track serve --store DIR, then MLFLOW_TRACKING_URI=http://127.0.0.1:5000 with the mlflow client,
                                 or swiftlearn learn fit … --track http://127.0.0.1:5000 (also train and rl train)
                               """, metrics: [("best_test_accuracy", best.accuracy), ("runs_found", Double(found.count))])
        },
        Demo("model-registry", "A model registry with versions and aliases",
             shows: "The sweep's two best runs registered as versions 1 and 2 of a model, the `champion` alias pointed at the better one, and the model loaded back through `models:/NAME@champion` predicting exactly as the logged one.") { ctx in
            let sweep = try TrackedSweep(ctx)
            defer { sweep.remove() }
            let ranked = sweep.entries.sorted { $0.accuracy > $1.accuracy }
            try sweep.store.createRegisteredModel(name: "breast-cancer", description: "scaled logistic regression")
            var versions: [ModelVersion] = []
            for entry in [ranked[1], ranked[0]] {
                let run = try sweep.store.run(id: entry.runID)
                versions.append(try sweep.store.createModelVersion(name: "breast-cancer", source: run.info.artifactURI + "/model", runID: entry.runID))
            }
            let set = sweep.call("POST", "/api/2.0/mlflow/registered-models/alias", .object([("name", .string("breast-cancer")), ("alias", .string("champion")), ("version", .string("2"))]))
            let byAlias = sweep.call("GET", "/api/2.0/mlflow/registered-models/alias?name=breast-cancer&alias=champion")
            let version = byAlias.json?["model_version"]?["version"]?.stringValue ?? "?"
            let download = sweep.call("GET", "/api/2.0/mlflow/model-versions/get-download-uri?name=breast-cancer&version=\(version)")
            let uri = download.json?["artifact_uri"]?.stringValue ?? ""
            guard let model = try sweep.loadModel(downloadURI: uri) as? any Classifier else { return DemoOutcome(passed: false, result: "the registered file is not a classifier") }
            let same = try model.predict(sweep.xTest) == ranked[0].predictions
            return DemoOutcome(passed: set.status == 200 && version == "2" && same,
                               result: """
                               version 1: C=\(ranked[1].c) (test accuracy \(f(ranked[1].accuracy))); version 2: C=\(ranked[0].c) (\(f(ranked[0].accuracy)))
                               alias champion → version \(version); download URI \(uri)
                               loaded through models:/breast-cancer@champion: \(same ? "predicts the test set exactly as the logged model" : "predictions differ")
                               run it for real: mlflow.register_model("runs:/<id>/model", "breast-cancer") against swiftlearn track serve
                               """, metrics: [("champion_version", Double(version) ?? 0), ("champion_accuracy", ranked[0].accuracy)])
        },
    ]
}

/// Diamonds split in two at random, and the second half shifted (prices ×1.25, a third of the
/// cuts set to Ideal): the drift demo and checkpoint compare both against the first half.
struct DriftScenario {
    let reference: CSVTable
    let same: CSVTable
    let shifted: CSVTable

    init(_ ctx: DemoContext, rows: Int) throws {
        let table = try Datasets.table(.diamonds)
        let split = try trainTestSplit(count: table.rowCount, testSize: 0.5, randomState: ctx.randomState)
        reference = table.rows(Array(split.train.prefix(rows)))
        same = table.rows(Array(split.test.prefix(rows)))
        var columns = same.columns
        for (k, name) in same.header.enumerated() {
            switch (name, columns[k]) {
            case ("price", .numeric(let v)): columns[k] = .numeric(v.map { $0 * 1.25 })
            case ("cut", .categorical(let v)): columns[k] = .categorical(v.enumerated().map { $0.offset % 3 == 0 ? "Ideal" : $0.element })
            default: break
            }
        }
        shifted = try CSVTable(header: same.header, columns: columns)
    }
}

extension DemoRegistry {
    /// The drift demo (kept beside the other MLOps demos).
    static let driftDemo = Demo("drift-detection", "Detecting data drift",
             shows: "Two random halves of diamonds compared column by column with the tests Evidently picks by default (normed Wasserstein for numbers, Jensen–Shannon for categories at this size; K-S, χ² and Z-tests for small references), then the second half with prices ×1.25 and a third of the cuts set to Ideal.") { ctx in
        let scenario = try DriftScenario(ctx, rows: 1500)
        let calm = try DriftMonitor.compare(reference: scenario.reference, current: scenario.same)
        let drifted = try DriftMonitor.compare(reference: scenario.reference, current: scenario.shifted)
        let small = try DriftMonitor.compare(reference: scenario.reference.rows(Array(0..<800)), current: scenario.shifted.rows(Array(0..<800)))
        func line(_ c: ColumnDrift) -> String {
            "\(c.drift ? "DRIFT" : "ok   ") \(c.column): \(c.test) \(c.pValue.map { "p = \(f($0, 4))" } ?? "= \(f(c.statistic, 4))"), PSI \(f(c.psi))"
        }
        let flagged = Set(drifted.columns.filter(\.drift).map(\.column))
        let passed = !calm.datasetDrift && calm.driftedColumns == 0 && flagged.isSuperset(of: ["price", "cut"])
            && small.columns.first { $0.column == "price" }.map { $0.test == "ks" && $0.drift } == true
        return DemoOutcome(passed: passed, result: """
            random halves (1500 rows each): \(calm.driftedColumns) of \(calm.columns.count) columns drifted
            shifted half: \(drifted.driftedColumns) of \(drifted.columns.count) drifted — \(drifted.datasetDrift ? "dataset drift" : "no dataset drift") at a share of 0.5
            \(drifted.columns.map(line).joined(separator: "\n"))
            the same with 800-row samples: price by \(small.columns.first { $0.column == "price" }.map(line) ?? "?")
            run it for real: swiftlearn monitor --reference ref.csv --current cur.csv [--model-file M] --report drift.html
            """, metrics: [("drifted_columns", Double(drifted.driftedColumns)), ("calm_drifted_columns", Double(calm.driftedColumns))])
    }
}

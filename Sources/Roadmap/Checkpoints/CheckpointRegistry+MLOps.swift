import Foundation
import Learn
import Ops
import Serve

extension CheckpointRegistry {
    /// Checkpoint projects of the MLOps unit.
    public static let mlops: [Checkpoint] = [
        Checkpoint("detect-drift", "Monitor a data set for drift",
                   topics: ["drift-detection"],
                   criterion: "comparing two random halves of diamonds (1500 rows each) flags no column; after prices ×1.25 and a third of the cuts set to Ideal, price (normed Wasserstein ≥ 0.1) and cut (Jensen–Shannon ≥ 0.1) drift and no column that was left alone does; with 800-row samples price is tested by K-S instead and still drifts (p ≤ 0.05)") { ctx in
            let scenario = try DriftScenario(ctx, rows: 1500)
            let calm = try DriftMonitor.compare(reference: scenario.reference, current: scenario.same)
            let drifted = try DriftMonitor.compare(reference: scenario.reference, current: scenario.shifted)
            let small = try DriftMonitor.compare(reference: scenario.reference.rows(Array(0..<800)), current: scenario.shifted.rows(Array(0..<800)))
            let flagged = drifted.columns.filter(\.drift).map(\.column).sorted()
            let price = drifted.columns.first { $0.column == "price" }, cut = drifted.columns.first { $0.column == "cut" }
            let smallPrice = small.columns.first { $0.column == "price" }
            let passed = calm.driftedColumns == 0 && flagged == ["cut", "price"] && price?.test == "wasserstein" && cut?.test == "jensenshannon"
                && smallPrice?.test == "ks" && smallPrice?.drift == true
            return DemoOutcome(passed: passed,
                               result: "random halves: \(calm.driftedColumns) columns drifted; shifted: \(flagged.joined(separator: ", ")) (price \(price?.test ?? "?") \(f(price?.statistic ?? .nan)), cut \(cut?.test ?? "?") \(f(cut?.statistic ?? .nan))); 800 rows: price by \(smallPrice?.test ?? "?"), p = \(f(smallPrice?.pValue ?? .nan, 4))",
                               metrics: [("price_wasserstein", price?.statistic ?? .nan), ("cut_jensenshannon", cut?.statistic ?? .nan)])
        },
        Checkpoint("track-a-sweep", "Track a hyper-parameter sweep and find the best run",
                   topics: ["experiment-tracking"],
                   criterion: "five logistic-regression runs over C are logged with parameters, train/test accuracy and the fitted model as an artifact; MLflow's runs/search with a filter (metrics.test_accuracy >= 0.9) and order (DESC) returns exactly the runs that qualify, best first; and the best run's artifact, loaded back, predicts the test set exactly as the model that was logged") { ctx in
            let sweep = try TrackedSweep(ctx)
            defer { sweep.remove() }
            let found = try sweep.search(filter: "metrics.test_accuracy >= 0.9", orderBy: "metrics.test_accuracy DESC")
            let qualifying = sweep.entries.filter { $0.accuracy >= 0.9 }.map(\.accuracy).sorted(by: >)
            let best = sweep.entries.max { $0.accuracy < $1.accuracy }!
            let run = try sweep.store.run(id: best.runID)
            guard let model = try sweep.loadModel(downloadURI: run.info.artifactURI + "/model") as? any Classifier else {
                return DemoOutcome(passed: false, result: "the logged artifact is not a classifier")
            }
            let same = try model.predict(sweep.xTest) == best.predictions
            let ordered = found.map(\.accuracy) == qualifying
            return DemoOutcome(passed: ordered && !found.isEmpty && same,
                               result: "\(found.count) of \(sweep.entries.count) runs have test accuracy ≥ 0.9: \(found.map { "\($0.name) \(f($0.accuracy))" }.joined(separator: ", ")) (\(ordered ? "best first" : "wrong order"))\nthe best run's artifact \(same ? "predicts exactly as the logged model" : "predicts differently")",
                               metrics: [("best_test_accuracy", best.accuracy), ("qualifying_runs", Double(found.count))])
        },
        Checkpoint("registry-champion", "Promote a better model version with an alias",
                   topics: ["model-registry"],
                   criterion: "the sweep's second-best run is registered as version 1 with the alias champion; the best run becomes version 2 and the alias moves to it; loading models:/NAME@champion through the registry's download URI and the artifact proxy then predicts the test set exactly as the best logged model, and the previous version keeps no alias") { ctx in
            let sweep = try TrackedSweep(ctx)
            defer { sweep.remove() }
            let ranked = sweep.entries.sorted { $0.accuracy > $1.accuracy }
            _ = sweep.call("POST", "/api/2.0/mlflow/registered-models/create", .object([("name", .string("cancer"))]))
            func register(_ e: TrackedSweep.Entry) throws -> String {
                let uri = try sweep.store.run(id: e.runID).info.artifactURI + "/model"
                let answer = sweep.call("POST", "/api/2.0/mlflow/model-versions/create", .object([("name", .string("cancer")), ("source", .string(uri)), ("run_id", .string(e.runID))]))
                return answer.json?["model_version"]?["version"]?.stringValue ?? "?"
            }
            func champion(_ version: String) { _ = sweep.call("POST", "/api/2.0/mlflow/registered-models/alias", .object([("name", .string("cancer")), ("alias", .string("champion")), ("version", .string(version))])) }
            let v1 = try register(ranked[1]); champion(v1)
            let v2 = try register(ranked[0]); champion(v2)
            let resolved = sweep.call("GET", "/api/2.0/mlflow/registered-models/alias?name=cancer&alias=champion").json?["model_version"]?["version"]?.stringValue
            let uri = sweep.call("GET", "/api/2.0/mlflow/model-versions/get-download-uri?name=cancer&version=\(resolved ?? "")").json?["artifact_uri"]?.stringValue ?? ""
            guard let model = try sweep.loadModel(downloadURI: uri) as? any Classifier else { return DemoOutcome(passed: false, result: "the registered file is not a classifier") }
            let same = try model.predict(sweep.xTest) == ranked[0].predictions
            let oldAliases = sweep.call("GET", "/api/2.0/mlflow/model-versions/get?name=cancer&version=\(v1)").json?["model_version"]?["aliases"]
            let passed = v1 == "1" && v2 == "2" && resolved == "2" && same && oldAliases == .array([])
            return DemoOutcome(passed: passed,
                               result: "v1 = C=\(ranked[1].c) (\(f(ranked[1].accuracy))), v2 = C=\(ranked[0].c) (\(f(ranked[0].accuracy))); champion → v\(resolved ?? "?"); loaded by alias: \(same ? "same predictions as the best run" : "different predictions"); v1's aliases now \(oldAliases?.serialized() ?? "?")",
                               metrics: [("champion_version", Double(resolved ?? "") ?? 0)])
        },
    ]
}

import Foundation
import Testing
import Ops
import Serve

@Suite struct RunTrackerTests {
    private func folder() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("ops-tracker-\(UUID().uuidString)") }

    /// Logs a small run through `backend`, then reads it back from `store`.
    private func logAndCheck(_ backend: any TrackingBackend, store: TrackingStore) throws {
        let tracker = try RunTracker(backend: backend, experiment: "tracker-check", runName: "r1", tags: ["kind": "test"])
        try tracker.logParams([("lr", "0.01"), ("long", String(repeating: "x", count: 7000))])
        try tracker.logMetrics([("loss", 0.5), ("nan", .nan)], step: 1)
        try tracker.logMetrics([("loss", 0.25)], step: 2)
        let file = folder().appendingPathExtension("txt")
        try Data("weights".utf8).write(to: file)
        try tracker.logArtifact(file: file, as: "model/w.txt")
        try tracker.finish()
        try tracker.finish()  // a second end is a no-op

        let run = try store.run(id: tracker.info.runID)
        #expect(run.info.status == .finished && run.info.endTime != nil && run.info.runName == "r1")
        #expect(run.params["lr"] == "0.01" && run.params["long"]?.count == 6000 && run.params["long"]?.hasSuffix("…") == true)
        #expect(run.tags["kind"] == "test" && run.tags["mlflow.source.name"] == "swiftlearn")
        #expect(try store.metricHistory(runID: run.info.runID, key: "loss").map(\.value) == [0.5, 0.25])
        #expect(try store.metricHistory(runID: run.info.runID, key: "nan").first?.value.isNaN == true)
        let artifacts = ArtifactFiles(root: store.artifactRoot)
        let base = String(run.info.artifactURI.dropFirst("mlflow-artifacts:/".count))
        #expect(try artifacts.read(base + "/model/w.txt") == Array("weights".utf8))
        // The experiment is reused, not created twice.
        let again = try RunTracker(backend: backend, experiment: "tracker-check")
        #expect(again.info.experimentID == run.info.experimentID)
    }

    @Test func localStoreBackend() throws {
        let store = try TrackingStore(directory: folder())
        try logAndCheck(store, store: store)
    }

    @Test func restBackendAgainstTheServer() async throws {
        let store = try TrackingStore(directory: folder())
        let server = TrackingServer(store: store)
        let port = PortBox()
        let task = Task { try await HTTPServer.serve(server, host: "127.0.0.1", port: 0, handleSignals: false, logLabel: "test.track") { port.set($0) } }
        defer { task.cancel() }
        for _ in 0..<200 where port.get() == nil { try await Task.sleep(nanoseconds: 20_000_000) }
        guard let bound = port.get() else { Issue.record("the server did not start"); return }
        let backend = try RESTTrackingBackend(baseURL: URL(string: "http://127.0.0.1:\(bound)")!)
        try await Task.detached { try self.logAndCheck(backend, store: store) }.value
        // MLflow's error codes come back as typed errors.
        await #expect(throws: TrackingError(.resourceDoesNotExist, "POST api/2.0/mlflow/runs/update → 404: Run with id=nope not found")) {
            try await Task.detached { try backend.endRun(runID: "nope", status: .finished, endTime: 1) }.value
        }
    }

    @Test func badTargetsAreRefused() throws {
        #expect(throws: TrackingError.self) { try RESTTrackingBackend(baseURL: URL(string: "ftp://host")!) }
        #expect(throws: TrackingError.self) { try RunTracker.open("s3://bucket", home: folder()) }
        #expect(throws: TrackingError.self) { try RunTracker.open("", home: folder()) }
        // A server that is not there: a typed error, quickly.
        let backend = try RESTTrackingBackend(baseURL: URL(string: "http://127.0.0.1:1")!, timeout: 5)
        #expect(throws: TrackingError.self) { try backend.experimentID(named: "x") }
    }
}

private final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?
    func set(_ p: Int) { lock.lock(); port = p; lock.unlock() }
    func get() -> Int? { lock.lock(); defer { lock.unlock() }; return port }
}

@Suite struct RegistryModelURITests {
    @Test func parsesMLflowsForms() throws {
        #expect(try RegistryModelURI("models:/iris@champion") == RegistryModelURI(name: "iris", selector: .alias("champion")))
        #expect(try RegistryModelURI("models:/iris/3").selector == .version(3))
        #expect(try RegistryModelURI("models:/iris/production").selector == .stage("Production"))
        #expect(try RegistryModelURI("models:/iris/latest").selector == .latest)
        for bad in ["runs:/x/model", "models:/", "models:/iris", "models:/iris/0", "models:/iris/Prod", "models:/iris@", "models:/a/b/c"] {
            #expect(throws: TrackingError.self, "\(bad)") { try RegistryModelURI(bad) }
        }
    }

    @Test func aVersionsModelFileIsFound() throws {
        let store = try TrackingStore(directory: FileManager.default.temporaryDirectory.appendingPathComponent("ops-uri-\(UUID().uuidString)"))
        let run = try store.createRun(experimentID: "0")
        let files = ArtifactFiles(root: store.artifactRoot)
        let base = String(run.info.artifactURI.dropFirst("mlflow-artifacts:/".count))
        try files.write(Array("{\"a\":1}".utf8), to: base + "/model/model.json")
        try files.write(Array("notes".utf8), to: base + "/model/README.txt")
        try files.write(Array("{\"b\":2}".utf8), to: base + "/single.json")
        try files.write(Array("x".utf8), to: base + "/two/a.json")
        try files.write(Array("y".utf8), to: base + "/two/b.json")
        try store.createRegisteredModel(name: "m")
        _ = try store.createModelVersion(name: "m", source: run.info.artifactURI + "/model")
        _ = try store.createModelVersion(name: "m", source: run.info.artifactURI + "/single.json")
        _ = try store.createModelVersion(name: "m", source: run.info.artifactURI + "/two")
        _ = try store.createModelVersion(name: "m", source: "s3://bucket/model")
        try store.setAlias(name: "m", alias: "champion", version: 1)
        #expect(try store.modelFile(try RegistryModelURI("models:/m@champion")).bytes == Array("{\"a\":1}".utf8))
        #expect(try store.modelFile(try RegistryModelURI("models:/m/2")).bytes == Array("{\"b\":2}".utf8))
        #expect(throws: TrackingError.self) { try store.modelFile(try RegistryModelURI("models:/m/3")) }  // two candidates
        #expect(throws: TrackingError.self) { try store.modelFile(try RegistryModelURI("models:/m/4")) }  // not our store
        #expect(try store.resolve(try RegistryModelURI("models:/m/latest")).version == 4)
        #expect(throws: TrackingError.self) { try store.resolve(try RegistryModelURI("models:/m/Production")) }
    }
}

import ArgumentParser
import Foundation
import Ops
import SwiftLearn

/// `swiftlearn track`: experiment tracking compatible with MLflow.
struct TrackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Experiment tracking and a model registry that the mlflow client talks to.",
        subcommands: [TrackServeCommand.self]
    )
}

/// `swiftlearn track serve`: MLflow's REST API, artifact proxy and model registry.
struct TrackServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve an MLflow-compatible tracking server (REST API, artifacts, model registry).",
        discussion: """
        Point the unmodified Python client at it: MLFLOW_TRACKING_URI=http://127.0.0.1:5000.
        Runs, metrics, parameters, tags and the registry live in <store>/tracking.sqlite;
        artifacts are files under <store>/artifacts/ (run artifacts: mlflow-artifacts:/<experiment>/<run>/artifacts).
        """
    )

    @Option(help: "Folder of the store (default: <home>/tracking).") var store: String?
    @Option(help: "Port to listen on (0: any free port).") var port = 5000
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Largest request body, artifact uploads included, in MiB.") var maxBodyMb = 512
    @OptionGroup var home: HomeOption

    func validate() throws {
        try checkRange(port, option: "--port", 0...65535)
        try checkRange(maxBodyMb, option: "--max-body-mb", 1...16384)
        if let store { try checkFolderPath(store, option: "--store") }
    }

    func run() async throws {
        let folder = store.map { URL(fileURLWithPath: $0) } ?? home.url.appendingPathComponent("tracking", isDirectory: true)
        let trackingStore = try TrackingStore(directory: folder)
        let server = TrackingServer(store: trackingStore, maxBodyBytes: maxBodyMb << 20)
        let host = self.host
        try await server.run(host: host, port: port) { bound in
            FileHandle.standardError.write(Data("swiftlearn track: store \(folder.path); listening on http://\(host):\(bound) (MLFLOW_TRACKING_URI=http://\(host):\(bound))\n".utf8))
        }
    }
}

/// `--track URL|local|DIR`, `--experiment`, `--run-name`: log a command's run MLflow-style.
struct TrackingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Log this run's parameters, metrics and artifacts: to a tracking server (http://host:port, ours or MLflow's), to 'local' (<home>/tracking, what `swiftlearn track serve` serves), or to a store folder.", valueName: "URL|local|DIR"))
    var track: String?
    @Option(help: "Experiment of the tracked run (default: one per command and model).") var experiment: String?
    @Option(help: "Name of the tracked run (default: a generated one).") var runName: String?

    func validate() throws {
        if track == nil, experiment != nil || runName != nil { throw ValidationError("--experiment and --run-name apply to tracked runs: give --track too") }
        if let track, track.isEmpty { throw ValidationError("--track needs a URL, 'local' or a folder") }
        if let experiment, experiment.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--experiment must not be empty") }
    }

    /// Starts the run when `--track` is given (failing before any work when the store or server
    /// cannot be reached) and logs `params`.
    func start(defaultExperiment: String, params: [(String, String)], tags: [(String, String)] = []) throws -> TrackedCommandRun? {
        guard let track else { return nil }
        do {
            let backend = try RunTracker.open(track, home: ProgressStore.home(override: nil))
            let tracker = try RunTracker(backend: backend, experiment: experiment ?? defaultExperiment, runName: runName,
                                         tags: Dictionary(tags, uniquingKeysWith: { _, b in b }))
            try tracker.logParams(params)
            FileHandle.standardError.write(Data("tracking run \(tracker.info.runID) (\(tracker.info.runName)) in experiment '\(experiment ?? defaultExperiment)' at \(track)\n".utf8))
            return TrackedCommandRun(tracker)
        } catch let e as TrackingError {
            throw ValidationError("--track \(track): \(e.message)")
        }
    }
}

/// A command's tracked run. Logging never stops the work it records: the first failure is
/// printed as a warning and tracking stops there.
final class TrackedCommandRun {
    let tracker: RunTracker
    private var broken = false

    init(_ tracker: RunTracker) { self.tracker = tracker }

    private func attempt(_ what: String, _ body: () throws -> Void) {
        guard !broken else { return }
        do { try body() } catch {
            broken = true
            FileHandle.standardError.write(Data("warning: tracking stopped (\(what) failed: \(error)); the work goes on untracked\n".utf8))
        }
    }

    func metrics(_ values: [(String, Double)], step: Int = 0) { attempt("logging metrics") { try tracker.logMetrics(values, step: step) } }
    func params(_ values: [(String, String)]) { attempt("logging parameters") { try tracker.logParams(values) } }
    func tags(_ values: [(String, String)]) { attempt("setting tags") { try tracker.setTags(values) } }
    func artifact(_ path: String, as name: String? = nil) { attempt("uploading \(path)") { try tracker.logArtifact(file: URL(fileURLWithPath: path), as: name) } }

    /// Ends the run: FINISHED when the work succeeded, else FAILED.
    func finish(succeeded: Bool) {
        let status: RunStatus = succeeded ? .finished : .failed
        do { try tracker.finish(status) } catch {
            FileHandle.standardError.write(Data("warning: could not end the tracked run \(tracker.info.runID): \(error)\n".utf8))
        }
    }

    /// Runs `work`, ending the run FINISHED or (on an error, which is rethrown) FAILED.
    static func around<T>(_ run: TrackedCommandRun?, _ work: () throws -> T) throws -> T {
        do {
            let value = try work()
            run?.finish(succeeded: true)
            return value
        } catch {
            run?.finish(succeeded: false)
            throw error
        }
    }
}

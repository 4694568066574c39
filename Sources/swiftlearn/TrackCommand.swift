import ArgumentParser
import Foundation
import Ops

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

import Foundation
import Serve

/// A registry model URI as MLflow writes them: `models:/NAME@ALIAS`, `models:/NAME/VERSION`,
/// `models:/NAME/STAGE` (`Production`, `Staging`, …) or `models:/NAME/latest`.
public struct RegistryModelURI: Sendable, Equatable {
    public enum Selector: Sendable, Equatable { case alias(String), version(Int), stage(String), latest }
    /// The registered model's name.
    public let name: String
    /// Which of its versions: by alias, number, stage, or the latest.
    public let selector: Selector

    public init(name: String, selector: Selector) { self.name = name; self.selector = selector }

    public init(_ uri: String) throws {
        let prefix = "models:/"
        guard uri.hasPrefix(prefix) else { throw TrackingError.invalid("a model URI starts with models:/ (models:/NAME@ALIAS, models:/NAME/VERSION), got '\(uri)'") }
        let rest = String(uri.dropFirst(prefix.count))
        if let at = rest.lastIndex(of: "@"), !rest[..<at].contains("/") {
            name = String(rest[..<at]); selector = .alias(String(rest[rest.index(after: at)...]))
        } else {
            let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw TrackingError.invalid("a model URI is models:/NAME@ALIAS or models:/NAME/VERSION|STAGE|latest, got '\(uri)'") }
            name = parts[0]
            if let v = Int(parts[1]) {
                guard v > 0 else { throw TrackingError.invalid("model versions start at 1, got '\(parts[1])'") }
                selector = .version(v)
            } else if parts[1].lowercased() == "latest" {
                selector = .latest
            } else {
                selector = .stage(try TrackingStore.stage(parts[1]))
            }
        }
        guard !name.isEmpty else { throw TrackingError.invalid("the model URI '\(uri)' names no model") }
        if case .alias(let a) = selector, a.isEmpty { throw TrackingError.invalid("the model URI '\(uri)' names no alias") }
    }
}

/// What `serve --model-uri` needs from a registry: the version a URI names, and the bytes of the
/// model file under its source.
public protocol ModelRegistryReader: Sendable {
    func resolve(_ uri: RegistryModelURI) throws -> ModelVersion
    /// The files directly under an `mlflow-artifacts:/` location (names and sizes; none for a file).
    func listArtifacts(_ location: String) throws -> [ArtifactFiles.Entry]
    func downloadArtifact(_ location: String) throws -> [UInt8]
}

extension ModelRegistryReader {
    /// The model file of the version `uri` names: the source itself when it is a file, else the
    /// folder's `model.json`, else its one `.json` file.
    public func modelFile(_ uri: RegistryModelURI) throws -> (version: ModelVersion, bytes: [UInt8]) {
        let version = try resolve(uri)
        let source = version.source
        guard source.hasPrefix("mlflow-artifacts:/") else {
            throw TrackingError.invalid("version \(version.version) of '\(uri.name)' has its files at \(source); only mlflow-artifacts:/ sources (the tracking server's artifact store) can be fetched")
        }
        let entries = try listArtifacts(source).filter { !$0.isDirectory }
        if entries.isEmpty { return (version, try downloadArtifact(source)) }
        let json = entries.filter { $0.path.hasSuffix(".json") }
        guard let file = entries.first(where: { $0.path == "model.json" }) ?? (json.count == 1 ? json[0] : nil) else {
            throw TrackingError.invalid("version \(version.version) of '\(uri.name)' (\(source)) holds \(entries.map(\.path).joined(separator: ", ")): expected model.json or one .json model file saved by `learn fit --save`")
        }
        return (version, try downloadArtifact(source + "/" + file.path))
    }
}

extension TrackingStore: ModelRegistryReader {
    public func resolve(_ uri: RegistryModelURI) throws -> ModelVersion {
        switch uri.selector {
        case .alias(let a): return try modelVersion(name: uri.name, alias: a)
        case .version(let v): return try modelVersion(name: uri.name, version: v)
        case .stage(let s):
            guard let v = try latestVersions(name: uri.name, stages: [s]).first else { throw TrackingError.missing("'\(uri.name)' has no version in stage \(s)") }
            return v
        case .latest:
            let (versions, _) = try searchModelVersions(filter: "name = '\(uri.name.replacingOccurrences(of: "'", with: "''"))'", orderBy: ["version_number DESC"])
            guard let v = versions.first else { throw TrackingError.missing("Registered Model with name=\(uri.name) has no versions") }
            return v
        }
    }

    static func relative(_ location: String) throws -> String {
        let prefix = "mlflow-artifacts:/"
        guard location.hasPrefix(prefix) else { throw TrackingError.invalid("not an mlflow-artifacts:/ location: \(location)") }
        return String(location.dropFirst(prefix.count))
    }

    public func listArtifacts(_ location: String) throws -> [ArtifactFiles.Entry] {
        try ArtifactFiles(root: artifactRoot).list(try Self.relative(location))
    }

    public func downloadArtifact(_ location: String) throws -> [UInt8] {
        try ArtifactFiles(root: artifactRoot).read(try Self.relative(location))
    }
}

extension RESTTrackingBackend: ModelRegistryReader {
    static func version(_ json: JSON?) throws -> ModelVersion {
        guard let v = json, let name = v["name"]?.stringValue, let number = v["version"]?.stringValue.flatMap({ Int($0) }),
              let source = v["source"]?.stringValue else {
            throw TrackingError(.internalError, "the tracking server's answer holds no model version")
        }
        return ModelVersion(name: name, version: number, creationTimestamp: 0, lastUpdatedTimestamp: 0, userID: v["user_id"]?.stringValue ?? "",
                            currentStage: v["current_stage"]?.stringValue ?? "None", description: v["description"]?.stringValue ?? "",
                            source: source, runID: v["run_id"]?.stringValue ?? "", runLink: "", status: v["status"]?.stringValue ?? "READY",
                            tags: [:], aliases: [])
    }

    public func resolve(_ uri: RegistryModelURI) throws -> ModelVersion {
        switch uri.selector {
        case .alias(let a):
            return try Self.version(try call("GET", "registered-models/alias", query: ["name": uri.name, "alias": a])["model_version"])
        case .version(let v):
            return try Self.version(try call("GET", "model-versions/get", query: ["name": uri.name, "version": String(v)])["model_version"])
        case .stage, .latest:
            var body: [(key: String, value: JSON)] = [("name", .string(uri.name))]
            if case .stage(let s) = uri.selector { body.append(("stages", .array([.string(s)]))) }
            let answer = try call("POST", "registered-models/get-latest-versions", json: .object(body))
            guard case .array(let items)? = answer["model_versions"], !items.isEmpty else {
                throw TrackingError.missing("'\(uri.name)' has no version\(uri.selector == .latest ? "s" : " in that stage")")
            }
            return try items.map { try Self.version($0) }.max { $0.version < $1.version }!
        }
    }

    public func listArtifacts(_ location: String) throws -> [ArtifactFiles.Entry] {
        let relative = try TrackingStore.relative(location)
        _ = try ArtifactFiles.components(relative)
        let bytes = try send("GET", "api/2.0/mlflow-artifacts/artifacts", query: ["path": relative])
        guard case .array(let files)? = (try? JSON.parse(bytes))?["files"] else { return [] }
        return files.compactMap { f in
            guard let path = f["path"]?.stringValue, case .bool(let dir)? = f["is_dir"] else { return nil }
            return ArtifactFiles.Entry(path: path, isDirectory: dir, size: f["file_size"]?.doubleValue.map { Int($0) })
        }
    }

    public func downloadArtifact(_ location: String) throws -> [UInt8] {
        let relative = try TrackingStore.relative(location)
        _ = try ArtifactFiles.components(relative)
        return try send("GET", "api/2.0/mlflow-artifacts/artifacts/" + relative)
    }
}

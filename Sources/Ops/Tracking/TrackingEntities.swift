import Foundation

/// An experiment: a named group of runs, MLflow's `Experiment`.
public struct Experiment: Sendable, Equatable {
    /// The id (`0` is the Default experiment).
    public var id: String
    /// The name.
    public var name: String
    /// Where its runs' artifacts go (`mlflow-artifacts:/<id>`).
    public var artifactLocation: String
    /// `active` or `deleted`.
    public var lifecycleStage: String
    /// Milliseconds since 1970.
    public var creationTime: Int64
    /// Milliseconds since 1970 of the last change.
    public var lastUpdateTime: Int64
    /// Tags by key.
    public var tags: [String: String]
}

/// A run's status, as MLflow names it.
public enum RunStatus: String, Sendable, CaseIterable {
    case running = "RUNNING", scheduled = "SCHEDULED", finished = "FINISHED", failed = "FAILED", killed = "KILLED"
}

/// What identifies a run and where it stands: MLflow's `RunInfo`.
public struct RunInfo: Sendable, Equatable {
    /// The run's id (32 hex digits).
    public var runID: String
    /// The run's name (also its `mlflow.runName` tag).
    public var runName: String
    /// The experiment it belongs to.
    public var experimentID: String
    /// Who started it.
    public var userID: String
    /// Running, finished, failed, …
    public var status: RunStatus
    /// Milliseconds since 1970.
    public var startTime: Int64?
    /// Milliseconds since 1970 when it ended.
    public var endTime: Int64?
    /// Where its artifacts are (`mlflow-artifacts:/<experiment>/<run>/artifacts`).
    public var artifactURI: String
    /// `active` or `deleted`.
    public var lifecycleStage: String
}

/// One logged value of a metric.
public struct Metric: Sendable, Equatable {
    /// The metric's name.
    public var key: String
    /// The value (NaN and ±inf kept).
    public var value: Double
    /// Milliseconds since 1970.
    public var timestamp: Int64
    /// The training step it belongs to.
    public var step: Int64

    public init(key: String, value: Double, timestamp: Int64, step: Int64 = 0) {
        self.key = key; self.value = value; self.timestamp = timestamp; self.step = step
    }

    /// Whether self is the later value of a key by MLflow's rule: larger step, then larger
    /// timestamp, then larger value.
    func supersedes(_ other: Metric) -> Bool {
        if step != other.step { return step > other.step }
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        if value.isNaN || other.value.isNaN { return other.value.isNaN && !value.isNaN }
        return value > other.value
    }
}

/// A run with its data: each metric's latest value, its parameters and its tags.
public struct Run: Sendable, Equatable {
    /// Identity and state.
    public var info: RunInfo
    /// Each metric's latest value, by key.
    public var metrics: [Metric]
    /// Parameters by key.
    public var params: [String: String]
    /// Tags by key.
    public var tags: [String: String]

    /// The value a search names: a metric's latest value, a parameter, a tag or an attribute.
    public func searchValue(_ entity: SearchEntity, _ key: String) -> SearchValue? {
        switch entity {
        case .metric: return metrics.first { $0.key == key }.map { .number($0.value) }
        case .param: return params[key].map { .string($0) }
        case .tag: return tags[key].map { .string($0) }
        case .attribute:
            switch key {
            case "run_id": return .string(info.runID)
            case "run_name": return .string(info.runName)
            case "status": return .string(info.status.rawValue)
            case "user_id": return .string(info.userID)
            case "artifact_uri": return .string(info.artifactURI)
            case "lifecycle_stage": return .string(info.lifecycleStage)
            case "start_time": return info.startTime.map { .number(Double($0)) }
            case "end_time": return info.endTime.map { .number(Double($0)) }
            default: return nil
            }
        }
    }
}

/// Which of the active and deleted runs or experiments a search returns.
public enum ViewType: String, Sendable {
    case activeOnly = "ACTIVE_ONLY", deletedOnly = "DELETED_ONLY", all = "ALL"

    func includes(_ lifecycleStage: String) -> Bool {
        switch self {
        case .activeOnly: return lifecycleStage == "active"
        case .deletedOnly: return lifecycleStage == "deleted"
        case .all: return true
        }
    }
}

/// A registered model: a name under which versions of a model are kept, MLflow's `RegisteredModel`.
public struct RegisteredModel: Sendable, Equatable {
    /// The name.
    public var name: String
    /// Milliseconds since 1970 when it was created.
    public var creationTimestamp: Int64
    /// Milliseconds since 1970 of the last change.
    public var lastUpdatedTimestamp: Int64
    /// Free text.
    public var description: String
    /// Tags by key.
    public var tags: [String: String]
    /// Alias → version number.
    public var aliases: [String: Int]
    /// The latest version in each stage.
    public var latestVersions: [ModelVersion]
}

/// One version of a registered model, MLflow's `ModelVersion`.
public struct ModelVersion: Sendable, Equatable {
    /// The name.
    public var name: String
    /// The version number (1, 2, …).
    public var version: Int
    /// Milliseconds since 1970 when it was created.
    public var creationTimestamp: Int64
    /// Milliseconds since 1970 of the last change.
    public var lastUpdatedTimestamp: Int64
    /// Who started it.
    public var userID: String
    /// `None`, `Staging`, `Production` or `Archived`.
    public var currentStage: String
    /// Free text.
    public var description: String
    /// Where the model's files are (`mlflow-artifacts:/…`, `runs:/…`, a path).
    public var source: String
    /// The run's id (32 hex digits).
    public var runID: String
    /// A link to the run, when the client gave one.
    public var runLink: String
    /// `READY` (versions are ready as soon as they are created).
    public var status: String
    /// Tags by key.
    public var tags: [String: String]
    /// The aliases that point at this version.
    public var aliases: [String]

    /// The value a registry search names: a tag or an attribute.
    public func searchValue(_ entity: SearchEntity, _ key: String) -> SearchValue? {
        switch entity {
        case .tag: return tags[key].map { .string($0) }
        case .attribute:
            switch key {
            case "name": return .string(name)
            case "run_id": return .string(runID)
            case "source": return .string(source)
            case "current_stage": return .string(currentStage)
            case "version": return .number(Double(version))
            case "creation_timestamp": return .number(Double(creationTimestamp))
            case "last_updated_timestamp": return .number(Double(lastUpdatedTimestamp))
            default: return nil
            }
        default: return nil
        }
    }
}

/// Milliseconds since 1970, now.
func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

/// A page token: the offset of the next item, as MLflow writes it (base64 of `{"offset": N}`).
enum PageToken {
    static func encode(_ offset: Int) -> String {
        Data("{\"offset\": \(offset)}".utf8).base64EncodedString()
    }

    static func decode(_ token: String?) throws -> Int {
        guard let token, !token.isEmpty else { return 0 }
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":"),
              let offset = Int(text[text.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " }"))),
              offset >= 0
        else { throw TrackingError.invalid("invalid page token '\(token.prefix(64))'") }
        return offset
    }

    /// One page of `items` from `token`, with the token of the next page when more remain.
    static func page<T>(_ items: [T], maxResults: Int, token: String?) throws -> ([T], String?) {
        let offset = try decode(token)
        guard offset <= items.count else { return ([], nil) }
        let end = min(items.count, offset + maxResults)
        return (Array(items[offset..<end]), end < items.count ? encode(end) : nil)
    }
}

import Foundation
import Serve

/// The JSON of MLflow's REST messages (protobuf's JSON mapping with the proto field names), for
/// the entities of the tracking store, and typed reading of request fields.
enum TrackingJSON {
    static func tags(_ tags: [String: String]) -> JSON {
        .array(tags.sorted { $0.key < $1.key }.map { .object([("key", .string($0.key)), ("value", .string($0.value))]) })
    }

    /// A metric value: protobuf's JSON writes non-finite doubles as the strings "NaN", "Infinity", "-Infinity".
    static func number(_ v: Double) -> JSON {
        if v.isNaN { return .string("NaN") }
        if v.isInfinite { return .string(v > 0 ? "Infinity" : "-Infinity") }
        return .double(v)
    }

    static func experiment(_ e: Experiment) -> JSON {
        .object([("experiment_id", .string(e.id)), ("name", .string(e.name)), ("artifact_location", .string(e.artifactLocation)),
                 ("lifecycle_stage", .string(e.lifecycleStage)), ("last_update_time", .int(Int(e.lastUpdateTime))),
                 ("creation_time", .int(Int(e.creationTime))), ("tags", tags(e.tags))])
    }

    static func runInfo(_ i: RunInfo) -> JSON {
        var pairs: [(key: String, value: JSON)] = [("run_id", .string(i.runID)), ("run_uuid", .string(i.runID)), ("run_name", .string(i.runName)),
                                                   ("experiment_id", .string(i.experimentID)), ("user_id", .string(i.userID)),
                                                   ("status", .string(i.status.rawValue))]
        if let s = i.startTime { pairs.append(("start_time", .int(Int(s)))) }
        if let e = i.endTime { pairs.append(("end_time", .int(Int(e)))) }
        pairs += [("artifact_uri", .string(i.artifactURI)), ("lifecycle_stage", .string(i.lifecycleStage))]
        return .object(pairs)
    }

    static func metric(_ m: Metric) -> JSON {
        .object([("key", .string(m.key)), ("value", number(m.value)), ("timestamp", .int(Int(m.timestamp))), ("step", .int(Int(m.step)))])
    }

    static func run(_ r: Run) -> JSON {
        .object([("info", runInfo(r.info)),
                 ("data", .object([("metrics", .array(r.metrics.map(metric))), ("params", tags(r.params)), ("tags", tags(r.tags))])),
                 ("inputs", .object([])), ("outputs", .object([]))])
    }

    static func modelVersion(_ v: ModelVersion) -> JSON {
        .object([("name", .string(v.name)), ("version", .string(String(v.version))),
                 ("creation_timestamp", .int(Int(v.creationTimestamp))), ("last_updated_timestamp", .int(Int(v.lastUpdatedTimestamp))),
                 ("user_id", .string(v.userID)), ("current_stage", .string(v.currentStage)), ("description", .string(v.description)),
                 ("source", .string(v.source)), ("run_id", .string(v.runID)), ("run_link", .string(v.runLink)),
                 ("status", .string(v.status)), ("tags", tags(v.tags)), ("aliases", .array(v.aliases.map { .string($0) }))])
    }

    static func registeredModel(_ m: RegisteredModel) -> JSON {
        .object([("name", .string(m.name)), ("creation_timestamp", .int(Int(m.creationTimestamp))),
                 ("last_updated_timestamp", .int(Int(m.lastUpdatedTimestamp))), ("description", .string(m.description)),
                 ("latest_versions", .array(m.latestVersions.map(modelVersion))), ("tags", tags(m.tags)),
                 ("aliases", .array(m.aliases.sorted { $0.key < $1.key }.map { .object([("alias", .string($0.key)), ("version", .string(String($0.value)))]) }))])
    }
}

/// The fields of one request: the JSON body's object for POST/PATCH/DELETE, the query for GET
/// (MLflow's client sends GET fields as query parameters). Every accessor names the field in its error.
struct RequestFields {
    let json: JSON?
    let query: [String: String]

    init(method: String, body: [UInt8], query: [String: String]) throws {
        self.query = query
        if method != "GET", !body.isEmpty {
            let value: JSON
            do { value = try JSON.parse(body) } catch {
                throw TrackingError.invalid("the request body is not valid JSON: \(error)")
            }
            guard case .object = value else { throw TrackingError.invalid("the request body must be a JSON object, not \(value.kind)") }
            json = value
        } else {
            json = nil
        }
    }

    func raw(_ key: String) -> JSON? {
        if let json { if let v = json[key], v != .null { return v } else { return query[key].map { .string($0) } } }
        return query[key].map { .string($0) }
    }

    func string(_ key: String) throws -> String? {
        guard let v = raw(key) else { return nil }
        switch v {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: throw TrackingError.invalid("'\(key)' must be a string, not \(v.kind)")
        }
    }

    func required(_ key: String) throws -> String {
        guard let s = try string(key) else { throw TrackingError.invalid("Missing value for required parameter '\(key)'.") }
        return s
    }

    func int64(_ key: String) throws -> Int64? {
        guard let v = raw(key) else { return nil }
        switch v {
        case .number(let n): if let i = Int64(n) { return i }; if let d = Double(n), d == d.rounded(), abs(d) < 9e18 { return Int64(d) }
        case .string(let s): if let i = Int64(s) { return i }
        default: break
        }
        throw TrackingError.invalid("'\(key)' must be an integer, got \(v.serialized().prefix(40))")
    }

    func int(_ key: String, default value: Int) throws -> Int {
        guard let n = try int64(key) else { return value }
        guard let i = Int(exactly: n) else { throw TrackingError.invalid("'\(key)' is out of range") }
        return i
    }

    func bool(_ key: String) throws -> Bool {
        guard let v = raw(key) else { return false }
        switch v {
        case .bool(let b): return b
        case .string(let s) where s.lowercased() == "true" || s.lowercased() == "false": return s.lowercased() == "true"
        default: throw TrackingError.invalid("'\(key)' must be true or false")
        }
    }

    /// A double, with protobuf's spellings of non-finite values ("NaN", "Infinity", "-Infinity").
    static func double(_ v: JSON, _ key: String) throws -> Double {
        switch v {
        case .number(let n): if let d = Double(n) { return d }
        case .string(let s):
            switch s {
            case "NaN", "nan": return .nan
            case "Infinity", "inf": return .infinity
            case "-Infinity", "-inf": return -.infinity
            default: if let d = Double(s) { return d }
            }
        default: break
        }
        throw TrackingError.invalid("'\(key)' must be a number, got \(v.serialized().prefix(40))")
    }

    func strings(_ key: String) throws -> [String] {
        guard let v = raw(key) else { return [] }
        switch v {
        case .array(let items):
            return try items.map {
                guard case .string(let s) = $0 else { throw TrackingError.invalid("'\(key)' must hold strings, not \($0.kind)") }
                return s
            }
        case .string(let s): return [s]
        default: throw TrackingError.invalid("'\(key)' must be a list of strings, not \(v.kind)")
        }
    }

    /// `[{"key": …, "value": …}]` lists (tags, params).
    func keyValues(_ key: String) throws -> [(String, String)] {
        guard let v = raw(key) else { return [] }
        guard case .array(let items) = v else { throw TrackingError.invalid("'\(key)' must be a list of {key, value} objects") }
        return try items.enumerated().map { i, item in
            guard case .object = item, case .string(let k)? = item["key"] else { throw TrackingError.invalid("'\(key)[\(i)]' needs a string 'key'") }
            switch item["value"] {
            case .string(let s)?: return (k, s)
            case .number(let n)?: return (k, n)
            case nil, .null?: return (k, "")
            case let other?: throw TrackingError.invalid("'\(key)[\(i)].value' must be a string, not \(other.kind)")
            }
        }
    }

    /// The `metrics` list of a batch.
    func metrics(_ key: String) throws -> [Metric] {
        guard let v = raw(key) else { return [] }
        guard case .array(let items) = v else { throw TrackingError.invalid("'\(key)' must be a list of metrics") }
        return try items.enumerated().map { i, item in
            let f = try RequestFields(object: item, path: "\(key)[\(i)]")
            return try f.metric(path: "\(key)[\(i)]")
        }
    }

    init(object: JSON, path: String) throws {
        guard case .object = object else { throw TrackingError.invalid("'\(path)' must be an object, not \(object.kind)") }
        json = object; query = [:]
    }

    /// A metric from `key`, `value`, `timestamp` and `step` fields (timestamp defaults to now, step to 0).
    func metric(path: String = "") throws -> Metric {
        let key = try required("key")
        guard let raw = raw("value") else { throw TrackingError.invalid("Missing value for required parameter '\(path.isEmpty ? "" : path + ".")value'.") }
        let value = try Self.double(raw, "value")
        return Metric(key: key, value: value, timestamp: try int64("timestamp") ?? nowMillis(), step: try int64("step") ?? 0)
    }
}

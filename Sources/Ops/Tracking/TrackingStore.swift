import Foundation
import GRDB
import SwiftLearnCore

/// The backend store of the tracking server: experiments, runs, parameters, metrics, tags and the
/// model registry in one SQLite database (WAL, so readers never wait for the writer; every write
/// one transaction, so concurrent clients lose nothing), and artifacts as files beside it.
///
/// The rules are MLflow's: a parameter, once logged, keeps its value; metrics keep their whole
/// history and a run shows each key's latest (largest step, then timestamp); names, keys and
/// values have MLflow's length limits; only active runs take new data.
public final class TrackingStore: Sendable {
    /// The folder that holds `tracking.sqlite` and `artifacts/`.
    public let directory: URL
    /// Where run artifacts are written: `artifacts/<experiment>/<run>/artifacts/…`.
    public let artifactRoot: URL
    let pool: DatabasePool

    /// MLflow's limits on keys and values.
    public static let maxKeyLength = 250
    /// Longest parameter value, in characters.
    public static let maxParamValueLength = 6000
    /// Longest tag value, in characters.
    public static let maxTagValueLength = 8000
    /// Most metrics in one batch (and most items in all).
    public static let maxBatchMetrics = 1000
    /// Most parameters in one batch.
    public static let maxBatchParams = 100
    /// Most tags in one batch.
    public static let maxBatchTags = 100
    /// Largest page a search may ask for.
    public static let maxResultsLimit = 50_000

    /// Opens (or creates) the store in `directory`, with the `Default` experiment (id 0).
    public init(directory: URL) throws {
        self.directory = directory
        artifactRoot = directory.appendingPathComponent("artifacts", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: artifactRoot, withIntermediateDirectories: true)
        } catch {
            throw TrackingError(.internalError, "cannot create the store folder \(directory.path): \(readableReason(error))")
        }
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            pool = try DatabasePool(path: directory.appendingPathComponent("tracking.sqlite").path, configuration: config)
            try Self.migrator.migrate(pool)
            try pool.write { db in
                if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE experiment_id = 0") == 0 {
                    let now = nowMillis()
                    try db.execute(sql: "INSERT INTO experiments VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', ?, ?)", arguments: [now, now])
                }
            }
        } catch let e as DatabaseError {
            throw TrackingError(.internalError, "cannot open the tracking store in \(directory.path): \(e.message ?? e.description)")
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, artifact_location TEXT NOT NULL,
                    lifecycle_stage TEXT NOT NULL, creation_time INTEGER NOT NULL, last_update_time INTEGER NOT NULL);
                CREATE TABLE experiment_tags (experiment_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (experiment_id, key));
                CREATE TABLE runs (run_uuid TEXT PRIMARY KEY, name TEXT NOT NULL, experiment_id INTEGER NOT NULL, user_id TEXT NOT NULL,
                    status TEXT NOT NULL, start_time INTEGER, end_time INTEGER, lifecycle_stage TEXT NOT NULL, artifact_uri TEXT NOT NULL);
                CREATE INDEX runs_by_experiment ON runs (experiment_id);
                CREATE TABLE params (run_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_uuid, key));
                CREATE TABLE tags (run_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_uuid, key));
                CREATE TABLE metrics (run_uuid TEXT NOT NULL, key TEXT NOT NULL, value REAL NOT NULL, is_nan INTEGER NOT NULL,
                    timestamp INTEGER NOT NULL, step INTEGER NOT NULL, PRIMARY KEY (run_uuid, key, timestamp, step, value, is_nan));
                CREATE TABLE latest_metrics (run_uuid TEXT NOT NULL, key TEXT NOT NULL, value REAL NOT NULL, is_nan INTEGER NOT NULL,
                    timestamp INTEGER NOT NULL, step INTEGER NOT NULL, PRIMARY KEY (run_uuid, key));
                CREATE TABLE registered_models (name TEXT PRIMARY KEY, creation_time INTEGER NOT NULL, last_updated_time INTEGER NOT NULL,
                    description TEXT NOT NULL);
                CREATE TABLE registered_model_tags (name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (name, key));
                CREATE TABLE registered_model_aliases (name TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (name, alias));
                CREATE TABLE model_versions (name TEXT NOT NULL, version INTEGER NOT NULL, creation_time INTEGER NOT NULL,
                    last_updated_time INTEGER NOT NULL, description TEXT NOT NULL, user_id TEXT NOT NULL, current_stage TEXT NOT NULL,
                    source TEXT NOT NULL, run_id TEXT NOT NULL, run_link TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (name, version));
                CREATE TABLE model_version_tags (name TEXT NOT NULL, version INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                    PRIMARY KEY (name, version, key));
                """)
        }
        return m
    }

    /// Runs `body` in a write transaction, translating SQLite's errors.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let e as DatabaseError {
            throw TrackingError(.internalError, "the tracking store failed: \(e.message ?? e.description)")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let e as DatabaseError {
            throw TrackingError(.internalError, "the tracking store failed: \(e.message ?? e.description)")
        }
    }

    // MARK: Validation

    /// A metric, parameter or tag key: 1–250 characters of letters, digits, `_ - . / :` and spaces,
    /// not a path that climbs (`..`) or starts at the root (MLflow's rule).
    static func checkKey(_ key: String, _ what: String) throws {
        guard !key.isEmpty else { throw TrackingError.invalid("\(what) key must not be empty") }
        guard key.count <= maxKeyLength else { throw TrackingError.invalid("\(what) key '\(key.prefix(40))…' is longer than \(maxKeyLength) characters") }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-./: "))
        guard key.unicodeScalars.allSatisfy({ allowed.contains($0) }) else {
            throw TrackingError.invalid("invalid \(what) key '\(key)': names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)")
        }
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.hasPrefix("/"), !parts.contains(".."), !parts.contains(".") else {
            throw TrackingError.invalid("invalid \(what) key '\(key)': it must not be an absolute path or contain '.' or '..' components")
        }
    }

    static func checkName(_ name: String, _ what: String) throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw TrackingError.invalid("\(what) name must not be empty") }
        guard name.count <= 500, !name.contains("\0") else { throw TrackingError.invalid("invalid \(what) name '\(name.prefix(40))'") }
    }

    // MARK: Experiments

    /// Creates an experiment; its artifacts go under `mlflow-artifacts:/<id>` unless `artifactLocation` is given.
    @discardableResult
    public func createExperiment(name: String, artifactLocation: String? = nil, tags: [String: String] = [:]) throws -> String {
        try Self.checkName(name, "experiment")
        for (k, v) in tags { try Self.checkKey(k, "tag"); try Self.checkTagValue(v) }
        return try write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE name = ?", arguments: [name])! > 0 {
                throw TrackingError.exists("Experiment(name=\(name)) already exists.")
            }
            let id = (try Int.fetchOne(db, sql: "SELECT MAX(experiment_id) FROM experiments") ?? 0) + 1
            let now = nowMillis()
            let location = artifactLocation.flatMap { $0.isEmpty ? nil : $0 } ?? "mlflow-artifacts:/\(id)"
            try db.execute(sql: "INSERT INTO experiments VALUES (?, ?, ?, 'active', ?, ?)", arguments: [id, name, location, now, now])
            for (k, v) in tags {
                try db.execute(sql: "INSERT INTO experiment_tags VALUES (?, ?, ?)", arguments: [id, k, v])
            }
            return String(id)
        }
    }

    static func experimentID(_ id: String) throws -> Int64 {
        guard let n = Int64(id), n >= 0 else { throw TrackingError.invalid("invalid experiment id '\(id.prefix(64))': experiment ids are non-negative integers") }
        return n
    }

    private static func experiment(_ row: Row, tags: [String: String]) -> Experiment {
        Experiment(id: String(row["experiment_id"] as Int64), name: row["name"], artifactLocation: row["artifact_location"],
                   lifecycleStage: row["lifecycle_stage"], creationTime: row["creation_time"], lastUpdateTime: row["last_update_time"],
                   tags: tags)
    }

    private static func experimentTags(_ db: Database, _ id: Int64) throws -> [String: String] {
        var tags: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM experiment_tags WHERE experiment_id = ?", arguments: [id]) {
            tags[row["key"]] = row["value"]
        }
        return tags
    }

    /// The experiment with this id (RESOURCE_DOES_NOT_EXIST when there is none).
    public func experiment(id: String) throws -> Experiment {
        let n = try Self.experimentID(id)
        return try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE experiment_id = ?", arguments: [n]) else {
                throw TrackingError.missing("No Experiment with id=\(id) exists")
            }
            return Self.experiment(row, tags: try Self.experimentTags(db, n))
        }
    }

    /// The experiment with this name (RESOURCE_DOES_NOT_EXIST when there is none).
    public func experiment(named name: String) throws -> Experiment {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE name = ?", arguments: [name]) else {
                throw TrackingError.missing("Could not find experiment with name '\(name)'")
            }
            return Self.experiment(row, tags: try Self.experimentTags(db, row["experiment_id"]))
        }
    }

    /// Experiments that pass `filter` (name, times, tags), ordered (default: newest first), one page.
    public func searchExperiments(filter: String? = nil, view: ViewType = .activeOnly, maxResults: Int = 1000,
                                  orderBy: [String] = [], pageToken: String? = nil) throws -> ([Experiment], String?) {
        guard (1...Self.maxResultsLimit).contains(maxResults) else { throw TrackingError.invalid("max_results must be between 1 and \(Self.maxResultsLimit), got \(maxResults)") }
        let parsed = try SearchFilter(filter, schema: .experiments)
        let orders = try orderBy.map { try SearchOrder($0, schema: .experiments) }
        let all: [Experiment] = try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM experiments").map { row in
                Self.experiment(row, tags: try Self.experimentTags(db, row["experiment_id"]))
            }
        }
        func lookup(_ e: Experiment, _ entity: SearchEntity, _ key: String) -> SearchValue? {
            switch (entity, key) {
            case (.tag, _): return e.tags[key].map { .string($0) }
            case (.attribute, "name"): return .string(e.name)
            case (.attribute, "experiment_id"): return .string(e.id)
            case (.attribute, "lifecycle_stage"): return .string(e.lifecycleStage)
            case (.attribute, "creation_time"): return .number(Double(e.creationTime))
            case (.attribute, "last_update_time"): return .number(Double(e.lastUpdateTime))
            default: return nil
            }
        }
        let kept = all.filter { e in view.includes(e.lifecycleStage) && parsed.matches { lookup(e, $0, $1) } }
        let sorted = SearchOrder.sort(kept, by: orders.isEmpty ? [SearchOrder(entity: .attribute, key: "creation_time", descending: true)] : orders,
                                      lookup: lookup, tieBreak: { (Int64($0.id) ?? 0) > (Int64($1.id) ?? 0) })
        return try PageToken.page(sorted, maxResults: maxResults, token: pageToken)
    }

    /// Renames an active experiment; the new name must be free.
    public func renameExperiment(id: String, newName: String) throws {
        try Self.checkName(newName, "experiment")
        let n = try Self.experimentID(id)
        try write { db in
            guard let stage = try String.fetchOne(db, sql: "SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?", arguments: [n]) else {
                throw TrackingError.missing("No Experiment with id=\(id) exists")
            }
            guard stage == "active" else { throw TrackingError(.invalidState, "Cannot rename a non-active experiment.") }
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE name = ? AND experiment_id != ?", arguments: [newName, n])! > 0 {
                throw TrackingError.exists("Experiment(name=\(newName)) already exists.")
            }
            try db.execute(sql: "UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?", arguments: [newName, nowMillis(), n])
        }
    }

    /// Marks an experiment and its runs deleted (`restore`: active again).
    public func setExperimentDeleted(id: String, _ deleted: Bool) throws {
        let n = try Self.experimentID(id)
        if deleted && n == 0 { throw TrackingError.invalid("Cannot delete the default experiment '0'.") }
        let stage = deleted ? "deleted" : "active"
        try write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE experiment_id = ?", arguments: [n])! > 0 else {
                throw TrackingError.missing("No Experiment with id=\(id) exists")
            }
            try db.execute(sql: "UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?", arguments: [stage, nowMillis(), n])
            try db.execute(sql: "UPDATE runs SET lifecycle_stage = ? WHERE experiment_id = ?", arguments: [stage, n])
        }
    }

    /// Sets a tag of an active experiment.
    public func setExperimentTag(id: String, key: String, value: String) throws {
        try Self.checkKey(key, "tag")
        try Self.checkTagValue(value)
        let n = try Self.experimentID(id)
        try write { db in
            guard let stage = try String.fetchOne(db, sql: "SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?", arguments: [n]) else {
                throw TrackingError.missing("No Experiment with id=\(id) exists")
            }
            guard stage == "active" else { throw TrackingError(.invalidState, "The experiment \(id) must be in the 'active' state.") }
            try db.execute(sql: "INSERT OR REPLACE INTO experiment_tags VALUES (?, ?, ?)", arguments: [n, key, value])
        }
    }

    static func checkTagValue(_ value: String) throws {
        guard value.count <= maxTagValueLength else { throw TrackingError.invalid("a tag value is longer than \(maxTagValueLength) characters") }
    }

    // MARK: Runs

    /// Starts a run in an active experiment. Its name is `runName`, else the `mlflow.runName` tag,
    /// else a generated one; the tag is kept equal to the name.
    public func createRun(experimentID: String, userID: String = "", runName: String? = nil, startTime: Int64? = nil,
                          tags: [String: String] = [:]) throws -> Run {
        let n = try Self.experimentID(experimentID)
        for (k, v) in tags { try Self.checkKey(k, "tag"); try Self.checkTagValue(v) }
        let runID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var name = runName.flatMap { $0.isEmpty ? nil : $0 } ?? tags["mlflow.runName"].flatMap { $0.isEmpty ? nil : $0 } ?? RunNames.make(runID)
        name = String(name.prefix(Self.maxKeyLength))
        var allTags = tags
        allTags["mlflow.runName"] = name
        let start = startTime ?? nowMillis()
        return try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT lifecycle_stage, artifact_location FROM experiments WHERE experiment_id = ?", arguments: [n]) else {
                throw TrackingError.missing("No Experiment with id=\(experimentID) exists")
            }
            guard (row["lifecycle_stage"] as String) == "active" else {
                throw TrackingError(.invalidState, "The experiment \(experimentID) must be in the 'active' state. Current state is \(row["lifecycle_stage"] as String).")
            }
            let location: String = row["artifact_location"]
            let uri = location.hasSuffix("/") ? "\(location)\(runID)/artifacts" : "\(location)/\(runID)/artifacts"
            try db.execute(sql: "INSERT INTO runs VALUES (?, ?, ?, ?, 'RUNNING', ?, NULL, 'active', ?)",
                           arguments: [runID, name, n, userID, start, uri])
            for (k, v) in allTags { try db.execute(sql: "INSERT INTO tags VALUES (?, ?, ?)", arguments: [runID, k, v]) }
            try db.execute(sql: "UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?", arguments: [nowMillis(), n])
            return try Self.loadRun(db, runID)
        }
    }

    static func runInfo(_ row: Row) -> RunInfo {
        RunInfo(runID: row["run_uuid"], runName: row["name"], experimentID: String(row["experiment_id"] as Int64), userID: row["user_id"],
                status: RunStatus(rawValue: row["status"]) ?? .running, startTime: row["start_time"], endTime: row["end_time"],
                artifactURI: row["artifact_uri"], lifecycleStage: row["lifecycle_stage"])
    }

    static func metric(_ row: Row) -> Metric {
        Metric(key: row["key"], value: (row["is_nan"] as Int64) != 0 ? .nan : row["value"], timestamp: row["timestamp"], step: row["step"])
    }

    static func loadRun(_ db: Database, _ runID: String) throws -> Run {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE run_uuid = ?", arguments: [runID]) else {
            throw TrackingError.missing("Run with id=\(runID) not found")
        }
        var run = Run(info: runInfo(row), metrics: [], params: [:], tags: [:])
        run.metrics = try Row.fetchAll(db, sql: "SELECT * FROM latest_metrics WHERE run_uuid = ? ORDER BY key", arguments: [runID]).map(metric)
        for r in try Row.fetchAll(db, sql: "SELECT key, value FROM params WHERE run_uuid = ?", arguments: [runID]) { run.params[r["key"]] = r["value"] }
        for r in try Row.fetchAll(db, sql: "SELECT key, value FROM tags WHERE run_uuid = ?", arguments: [runID]) { run.tags[r["key"]] = r["value"] }
        return run
    }

    /// How many active runs each experiment has, by experiment id (one query, for the index page).
    func activeRunCounts() throws -> [String: Int] {
        try read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT experiment_id, COUNT(*) AS n FROM runs WHERE lifecycle_stage = 'active' GROUP BY experiment_id") {
                counts[String(row["experiment_id"] as Int64)] = row["n"]
            }
            return counts
        }
    }

    /// A run with its latest metrics, parameters and tags.
    public func run(id: String) throws -> Run {
        try read { db in try Self.loadRun(db, id) }
    }

    /// Changes a run's status, end time or name.
    public func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) throws -> RunInfo {
        if let runName { guard runName.count <= Self.maxKeyLength else { throw TrackingError.invalid("run name is longer than \(Self.maxKeyLength) characters") } }
        return try write { db in
            try Self.requireActive(db, id)
            if let status { try db.execute(sql: "UPDATE runs SET status = ? WHERE run_uuid = ?", arguments: [status.rawValue, id]) }
            if let endTime { try db.execute(sql: "UPDATE runs SET end_time = ? WHERE run_uuid = ?", arguments: [endTime, id]) }
            if let runName, !runName.isEmpty {
                try db.execute(sql: "UPDATE runs SET name = ? WHERE run_uuid = ?", arguments: [runName, id])
                try db.execute(sql: "INSERT OR REPLACE INTO tags VALUES (?, 'mlflow.runName', ?)", arguments: [id, runName])
            }
            return try Self.loadRun(db, id).info
        }
    }

    /// Marks a run deleted (hidden from searches, takes no data) or active again.
    public func setRunDeleted(id: String, _ deleted: Bool) throws {
        try write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE run_uuid = ?", arguments: [id])! > 0 else {
                throw TrackingError.missing("Run with id=\(id) not found")
            }
            try db.execute(sql: "UPDATE runs SET lifecycle_stage = ? WHERE run_uuid = ?", arguments: [deleted ? "deleted" : "active", id])
        }
    }

    static func requireActive(_ db: Database, _ runID: String) throws {
        guard let stage = try String.fetchOne(db, sql: "SELECT lifecycle_stage FROM runs WHERE run_uuid = ?", arguments: [runID]) else {
            throw TrackingError.missing("Run with id=\(runID) not found")
        }
        guard stage == "active" else { throw TrackingError(.invalidState, "The run \(runID) must be in the 'active' state. Current state is \(stage).") }
    }

    /// Logs metrics, parameters and tags to an active run in one transaction (MLflow's
    /// `log-batch`; single `log-metric`, `log-parameter` and `set-tag` calls come here too).
    /// A parameter logged again with another value is refused, and nothing of the batch is kept.
    public func logBatch(runID: String, metrics: [Metric] = [], params: [(String, String)] = [], tags: [(String, String)] = []) throws {
        guard metrics.count <= Self.maxBatchMetrics, params.count <= Self.maxBatchParams, tags.count <= Self.maxBatchTags,
              metrics.count + params.count + tags.count <= Self.maxBatchMetrics
        else {
            throw TrackingError.invalid("a batch may hold at most \(Self.maxBatchMetrics) metrics, \(Self.maxBatchParams) params, \(Self.maxBatchTags) tags and \(Self.maxBatchMetrics) items in all; got \(metrics.count), \(params.count), \(tags.count)")
        }
        for m in metrics { try Self.checkKey(m.key, "metric") }
        for (k, v) in params {
            try Self.checkKey(k, "param")
            guard v.count <= Self.maxParamValueLength else { throw TrackingError.invalid("param '\(k)' has a value longer than \(Self.maxParamValueLength) characters") }
        }
        for (k, v) in tags { try Self.checkKey(k, "tag"); try Self.checkTagValue(v) }
        // Within a batch the same parameter may not appear twice with different values.
        var seen: [String: String] = [:]
        for (k, v) in params {
            if let old = seen[k], old != v { throw TrackingError.invalid("Duplicate parameter keys have been submitted: '\(k)' with values '\(old)' and '\(v)'") }
            seen[k] = v
        }
        try write { db in
            try Self.requireActive(db, runID)
            for (k, v) in params {
                if let old = try String.fetchOne(db, sql: "SELECT value FROM params WHERE run_uuid = ? AND key = ?", arguments: [runID, k]) {
                    guard old == v else {
                        throw TrackingError.invalid("Changing param values is not allowed. Param with key='\(k)' was already logged with value='\(old)' for run ID='\(runID)'. Attempted logging new value '\(v)'.")
                    }
                } else {
                    try db.execute(sql: "INSERT INTO params VALUES (?, ?, ?)", arguments: [runID, k, v])
                }
            }
            for (k, v) in tags {
                try db.execute(sql: "INSERT OR REPLACE INTO tags VALUES (?, ?, ?)", arguments: [runID, k, v])
                if k == "mlflow.runName" { try db.execute(sql: "UPDATE runs SET name = ? WHERE run_uuid = ?", arguments: [v, runID]) }
            }
            for m in metrics {
                let nan = m.value.isNaN
                try db.execute(sql: "INSERT OR IGNORE INTO metrics VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [runID, m.key, nan ? 0 : m.value, nan ? 1 : 0, m.timestamp, m.step])
                let latest = try Row.fetchOne(db, sql: "SELECT * FROM latest_metrics WHERE run_uuid = ? AND key = ?", arguments: [runID, m.key]).map(Self.metric)
                if latest == nil || m.supersedes(latest!) {
                    try db.execute(sql: "INSERT OR REPLACE INTO latest_metrics VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [runID, m.key, nan ? 0 : m.value, nan ? 1 : 0, m.timestamp, m.step])
                }
            }
        }
    }

    /// Removes a tag of an active run (RESOURCE_DOES_NOT_EXIST when it has none by that key).
    public func deleteTag(runID: String, key: String) throws {
        try write { db in
            try Self.requireActive(db, runID)
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tags WHERE run_uuid = ? AND key = ?", arguments: [runID, key])! > 0 else {
                throw TrackingError.missing("No tag with name: \(key) in run with id \(runID)")
            }
            try db.execute(sql: "DELETE FROM tags WHERE run_uuid = ? AND key = ?", arguments: [runID, key])
        }
    }

    /// Every logged value of one metric of a run, by step then timestamp.
    public func metricHistory(runID: String, key: String) throws -> [Metric] {
        try read { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE run_uuid = ?", arguments: [runID])! > 0 else {
                throw TrackingError.missing("Run with id=\(runID) not found")
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp, value",
                                    arguments: [runID, key]).map(Self.metric)
        }
    }

    /// Runs of `experimentIDs` that pass `filter`, ordered by `orderBy` (default: newest start
    /// first, then run id), one page of at most `maxResults`.
    public func searchRuns(experimentIDs: [String], filter: String? = nil, view: ViewType = .activeOnly, maxResults: Int = 1000,
                           orderBy: [String] = [], pageToken: String? = nil) throws -> ([Run], String?) {
        guard (1...Self.maxResultsLimit).contains(maxResults) else { throw TrackingError.invalid("max_results must be between 1 and \(Self.maxResultsLimit), got \(maxResults)") }
        guard experimentIDs.count <= 1000 else { throw TrackingError.invalid("a search may name at most 1000 experiments, got \(experimentIDs.count)") }
        let ids = try experimentIDs.map(Self.experimentID)
        let parsed = try SearchFilter(filter, schema: .runs)
        let orders = try orderBy.map { try SearchOrder($0, schema: .runs) }
        guard !ids.isEmpty else { return ([], nil) }
        let runs: [Run] = try read { db in
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let args = StatementArguments(ids)
            var byID: [String: Run] = [:]
            var order: [String] = []
            for row in try Row.fetchAll(db, sql: "SELECT * FROM runs WHERE experiment_id IN (\(marks))", arguments: args) {
                let info = Self.runInfo(row)
                guard view.includes(info.lifecycleStage) else { continue }
                byID[info.runID] = Run(info: info, metrics: [], params: [:], tags: [:])
                order.append(info.runID)
            }
            let join = "JOIN runs r ON r.run_uuid = x.run_uuid WHERE r.experiment_id IN (\(marks))"
            for row in try Row.fetchAll(db, sql: "SELECT x.* FROM latest_metrics x \(join) ORDER BY x.key", arguments: args) {
                byID[row["run_uuid"]]?.metrics.append(Self.metric(row))
            }
            for row in try Row.fetchAll(db, sql: "SELECT x.* FROM params x \(join)", arguments: args) { byID[row["run_uuid"]]?.params[row["key"]] = row["value"] }
            for row in try Row.fetchAll(db, sql: "SELECT x.* FROM tags x \(join)", arguments: args) { byID[row["run_uuid"]]?.tags[row["key"]] = row["value"] }
            return order.compactMap { byID[$0] }
        }
        let kept = runs.filter { run in parsed.matches { run.searchValue($0, $1) } }
        let sorted = SearchOrder.sort(kept, by: orders + [SearchOrder(entity: .attribute, key: "start_time", descending: true)],
                                      lookup: { $0.searchValue($1, $2) }, tieBreak: { $0.info.runID < $1.info.runID })
        return try PageToken.page(sorted, maxResults: maxResults, token: pageToken)
    }
}

/// Readable names for runs without one (`"quiet-heron-417"`), drawn from the run id.
enum RunNames {
    static let adjectives = ["amber", "brave", "calm", "clever", "crisp", "dapper", "eager", "gentle", "glad", "honest", "jolly",
                             "keen", "lively", "lucid", "merry", "nimble", "patient", "quiet", "rapid", "sturdy", "sunny", "tidy",
                             "vivid", "wise"]
    static let nouns = ["badger", "bison", "crane", "dolphin", "falcon", "ferret", "gecko", "heron", "ibis", "koala", "lemur",
                        "lynx", "marten", "newt", "otter", "owl", "panda", "puffin", "quail", "raven", "seal", "stork",
                        "tapir", "wren"]

    static func make(_ runID: String) -> String {
        var bits = SplitMix64(seed: UInt64(truncatingIfNeeded: runID.hashValue))
        let a = adjectives[Int(bits.next() % UInt64(adjectives.count))]
        let n = nouns[Int(bits.next() % UInt64(nouns.count))]
        return "\(a)-\(n)-\(bits.next() % 1000)"
    }
}

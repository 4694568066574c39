import Foundation
import GRDB

/// The model registry (MLflow's): registered models, their numbered versions, stages, aliases and tags.
extension TrackingStore {
    static let stages = ["None", "Staging", "Production", "Archived"]

    /// The canonical spelling of a stage, case-insensitively (`production` → `Production`).
    static func stage(_ text: String) throws -> String {
        guard let s = stages.first(where: { $0.lowercased() == text.lowercased() }) else {
            throw TrackingError.invalid("Invalid Model Version stage: \(text). Value must be one of \(stages.joined(separator: ", ")).")
        }
        return s
    }

    static func checkAlias(_ alias: String) throws {
        guard !alias.isEmpty, alias.count <= 255 else { throw TrackingError.invalid("an alias must have 1 to 255 characters") }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-"))
        guard alias.unicodeScalars.allSatisfy({ allowed.contains($0) }) else {
            throw TrackingError.invalid("Invalid alias name: '\(alias)'. Aliases may only contain alphanumerics, underscores and dashes.")
        }
        // MLflow reserves `latest` and version-like names (`v1`, `V12`).
        let lower = alias.lowercased()
        guard lower != "latest", !(lower.hasPrefix("v") && Int(lower.dropFirst()) != nil) else {
            throw TrackingError.invalid("Invalid alias name: '\(alias)'. Aliases cannot be 'latest' or of the form 'v<number>'.")
        }
    }

    private static func requireModel(_ db: Database, _ name: String) throws {
        guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM registered_models WHERE name = ?", arguments: [name])! > 0 else {
            throw TrackingError.missing("Registered Model with name=\(name) not found")
        }
    }

    private static func requireVersion(_ db: Database, _ name: String, _ version: Int) throws {
        guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM model_versions WHERE name = ? AND version = ?", arguments: [name, version])! > 0 else {
            throw TrackingError.missing("Model Version (name=\(name), version=\(version)) not found")
        }
    }

    static func loadVersion(_ db: Database, _ name: String, _ version: Int) throws -> ModelVersion {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM model_versions WHERE name = ? AND version = ?", arguments: [name, version]) else {
            throw TrackingError.missing("Model Version (name=\(name), version=\(version)) not found")
        }
        var tags: [String: String] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT key, value FROM model_version_tags WHERE name = ? AND version = ?", arguments: [name, version]) {
            tags[r["key"]] = r["value"]
        }
        let aliases = try String.fetchAll(db, sql: "SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ? ORDER BY alias", arguments: [name, version])
        return ModelVersion(name: row["name"], version: row["version"], creationTimestamp: row["creation_time"], lastUpdatedTimestamp: row["last_updated_time"],
                            userID: row["user_id"], currentStage: row["current_stage"], description: row["description"], source: row["source"],
                            runID: row["run_id"], runLink: row["run_link"], status: row["status"], tags: tags, aliases: aliases)
    }

    static func loadModel(_ db: Database, _ name: String) throws -> RegisteredModel {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM registered_models WHERE name = ?", arguments: [name]) else {
            throw TrackingError.missing("Registered Model with name=\(name) not found")
        }
        var tags: [String: String] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT key, value FROM registered_model_tags WHERE name = ?", arguments: [name]) { tags[r["key"]] = r["value"] }
        var aliases: [String: Int] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT alias, version FROM registered_model_aliases WHERE name = ?", arguments: [name]) { aliases[r["alias"]] = r["version"] }
        var latest: [ModelVersion] = []
        for stage in stages {
            if let v = try Int.fetchOne(db, sql: "SELECT MAX(version) FROM model_versions WHERE name = ? AND current_stage = ?", arguments: [name, stage]) {
                latest.append(try loadVersion(db, name, v))
            }
        }
        return RegisteredModel(name: name, creationTimestamp: row["creation_time"], lastUpdatedTimestamp: row["last_updated_time"],
                               description: row["description"], tags: tags, aliases: aliases, latestVersions: latest)
    }

    @discardableResult
    public func createRegisteredModel(name: String, description: String = "", tags: [String: String] = [:]) throws -> RegisteredModel {
        try Self.checkName(name, "registered model")
        for (k, v) in tags { try Self.checkKey(k, "tag"); try Self.checkTagValue(v) }
        return try write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM registered_models WHERE name = ?", arguments: [name])! > 0 {
                throw TrackingError.exists("Registered Model (name=\(name)) already exists.")
            }
            let now = nowMillis()
            try db.execute(sql: "INSERT INTO registered_models VALUES (?, ?, ?, ?)", arguments: [name, now, now, description])
            for (k, v) in tags { try db.execute(sql: "INSERT INTO registered_model_tags VALUES (?, ?, ?)", arguments: [name, k, v]) }
            return try Self.loadModel(db, name)
        }
    }

    /// The registered model `name`, with its aliases, tags and latest version per stage.
    public func registeredModel(name: String) throws -> RegisteredModel {
        try read { db in try Self.loadModel(db, name) }
    }

    /// Replaces a registered model's description.
    public func updateRegisteredModel(name: String, description: String) throws -> RegisteredModel {
        try write { db in
            try Self.requireModel(db, name)
            try db.execute(sql: "UPDATE registered_models SET description = ?, last_updated_time = ? WHERE name = ?", arguments: [description, nowMillis(), name])
            return try Self.loadModel(db, name)
        }
    }

    /// Renames a registered model, its versions, tags and aliases with it.
    public func renameRegisteredModel(name: String, newName: String) throws -> RegisteredModel {
        try Self.checkName(newName, "registered model")
        return try write { db in
            try Self.requireModel(db, name)
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM registered_models WHERE name = ?", arguments: [newName])! > 0 {
                throw TrackingError.exists("Registered Model (name=\(newName)) already exists.")
            }
            for table in ["registered_models", "registered_model_tags", "registered_model_aliases", "model_versions", "model_version_tags"] {
                try db.execute(sql: "UPDATE \(table) SET name = ? WHERE name = ?", arguments: [newName, name])
            }
            try db.execute(sql: "UPDATE registered_models SET last_updated_time = ? WHERE name = ?", arguments: [nowMillis(), newName])
            return try Self.loadModel(db, newName)
        }
    }

    /// Deletes a registered model with its versions, tags and aliases.
    public func deleteRegisteredModel(name: String) throws {
        try write { db in
            try Self.requireModel(db, name)
            for table in ["registered_models", "registered_model_tags", "registered_model_aliases", "model_versions", "model_version_tags"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE name = ?", arguments: [name])
            }
        }
    }

    /// Registered models that pass `filter` (name, times, tags), ordered (default: by name), one page.
    public func searchRegisteredModels(filter: String? = nil, maxResults: Int = 100, orderBy: [String] = [],
                                       pageToken: String? = nil) throws -> ([RegisteredModel], String?) {
        guard (1...Self.maxResultsLimit).contains(maxResults) else { throw TrackingError.invalid("max_results must be between 1 and \(Self.maxResultsLimit), got \(maxResults)") }
        let parsed = try SearchFilter(filter, schema: .registeredModels)
        let orders = try orderBy.map { try SearchOrder($0, schema: .registeredModels) }
        let models = try read { db in try String.fetchAll(db, sql: "SELECT name FROM registered_models").map { try Self.loadModel(db, $0) } }
        func lookup(_ m: RegisteredModel, _ entity: SearchEntity, _ key: String) -> SearchValue? {
            switch (entity, key) {
            case (.tag, _): return m.tags[key].map { .string($0) }
            case (.attribute, "name"): return .string(m.name)
            case (.attribute, "creation_timestamp"): return .number(Double(m.creationTimestamp))
            case (.attribute, "last_updated_timestamp"): return .number(Double(m.lastUpdatedTimestamp))
            default: return nil
            }
        }
        let kept = models.filter { m in parsed.matches { lookup(m, $0, $1) } }
        let sorted = SearchOrder.sort(kept, by: orders, lookup: lookup, tieBreak: { $0.name < $1.name })
        return try PageToken.page(sorted, maxResults: maxResults, token: pageToken)
    }

    /// Sets a registered model's tag, or removes it when `value` is nil.
    public func setRegisteredModelTag(name: String, key: String, value: String?) throws {
        try Self.checkKey(key, "tag")
        if let value { try Self.checkTagValue(value) }
        try write { db in
            try Self.requireModel(db, name)
            if let value {
                try db.execute(sql: "INSERT OR REPLACE INTO registered_model_tags VALUES (?, ?, ?)", arguments: [name, key, value])
            } else {
                try db.execute(sql: "DELETE FROM registered_model_tags WHERE name = ? AND key = ?", arguments: [name, key])
            }
        }
    }

    /// Adds the next version of a registered model (1, 2, …), ready at once.
    public func createModelVersion(name: String, source: String, runID: String = "", runLink: String = "", description: String = "",
                                   userID: String = "", tags: [String: String] = [:]) throws -> ModelVersion {
        guard !source.isEmpty, source.count <= 4096 else { throw TrackingError.invalid("a model version needs a source of 1 to 4096 characters") }
        for (k, v) in tags { try Self.checkKey(k, "tag"); try Self.checkTagValue(v) }
        return try write { db in
            try Self.requireModel(db, name)
            if !runID.isEmpty, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE run_uuid = ?", arguments: [runID])! == 0 {
                throw TrackingError.missing("Run with id=\(runID) not found")
            }
            let version = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM model_versions WHERE name = ?", arguments: [name]) ?? 0) + 1
            let now = nowMillis()
            try db.execute(sql: "INSERT INTO model_versions VALUES (?, ?, ?, ?, ?, ?, 'None', ?, ?, ?, 'READY')",
                           arguments: [name, version, now, now, description, userID, source, runID, runLink])
            for (k, v) in tags { try db.execute(sql: "INSERT INTO model_version_tags VALUES (?, ?, ?, ?)", arguments: [name, version, k, v]) }
            try db.execute(sql: "UPDATE registered_models SET last_updated_time = ? WHERE name = ?", arguments: [now, name])
            return try Self.loadVersion(db, name, version)
        }
    }

    /// One version of a registered model.
    public func modelVersion(name: String, version: Int) throws -> ModelVersion {
        try read { db in try Self.loadVersion(db, name, version) }
    }

    /// Replaces a version's description.
    public func updateModelVersion(name: String, version: Int, description: String) throws -> ModelVersion {
        try write { db in
            try Self.requireVersion(db, name, version)
            try db.execute(sql: "UPDATE model_versions SET description = ?, last_updated_time = ? WHERE name = ? AND version = ?",
                           arguments: [description, nowMillis(), name, version])
            return try Self.loadVersion(db, name, version)
        }
    }

    /// Moves a version to a stage; with `archiveExisting`, the other versions in that stage go to `Archived`.
    public func transitionStage(name: String, version: Int, stage: String, archiveExisting: Bool) throws -> ModelVersion {
        let target = try Self.stage(stage)
        return try write { db in
            try Self.requireVersion(db, name, version)
            let now = nowMillis()
            if archiveExisting, target == "Staging" || target == "Production" {
                try db.execute(sql: "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ? WHERE name = ? AND current_stage = ? AND version != ?",
                               arguments: [now, name, target, version])
            }
            try db.execute(sql: "UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND version = ?",
                           arguments: [target, now, name, version])
            return try Self.loadVersion(db, name, version)
        }
    }

    /// Deletes a version with its tags and the aliases that pointed at it.
    public func deleteModelVersion(name: String, version: Int) throws {
        try write { db in
            try Self.requireVersion(db, name, version)
            try db.execute(sql: "DELETE FROM model_versions WHERE name = ? AND version = ?", arguments: [name, version])
            try db.execute(sql: "DELETE FROM model_version_tags WHERE name = ? AND version = ?", arguments: [name, version])
            try db.execute(sql: "DELETE FROM registered_model_aliases WHERE name = ? AND version = ?", arguments: [name, version])
        }
    }

    /// Versions that pass `filter` (name, run id, source, stage, version number, tags), ordered
    /// (default: by name, newest version first), one page.
    public func searchModelVersions(filter: String? = nil, maxResults: Int = 10_000, orderBy: [String] = [],
                                    pageToken: String? = nil) throws -> ([ModelVersion], String?) {
        guard (1...Self.maxResultsLimit).contains(maxResults) else { throw TrackingError.invalid("max_results must be between 1 and \(Self.maxResultsLimit), got \(maxResults)") }
        let parsed = try SearchFilter(filter, schema: .modelVersions)
        let orders = try orderBy.map { try SearchOrder($0, schema: .modelVersions) }
        let versions = try read { db in
            try Row.fetchAll(db, sql: "SELECT name, version FROM model_versions").map { try Self.loadVersion(db, $0["name"], $0["version"]) }
        }
        let kept = versions.filter { v in parsed.matches { v.searchValue($0, $1) } }
        let sorted = SearchOrder.sort(kept, by: orders, lookup: { $0.searchValue($1, $2) },
                                      tieBreak: { ($0.name, -$0.version) < ($1.name, -$1.version) })
        return try PageToken.page(sorted, maxResults: maxResults, token: pageToken)
    }

    /// The latest version in each of `stages` (all stages when empty).
    public func latestVersions(name: String, stages wanted: [String]) throws -> [ModelVersion] {
        let canonical = try wanted.map(Self.stage)
        let model = try registeredModel(name: name)
        return model.latestVersions.filter { canonical.isEmpty || canonical.contains($0.currentStage) }
    }

    /// Sets a version's tag, or removes it when `value` is nil.
    public func setModelVersionTag(name: String, version: Int, key: String, value: String?) throws {
        try Self.checkKey(key, "tag")
        if let value { try Self.checkTagValue(value) }
        try write { db in
            try Self.requireVersion(db, name, version)
            if let value {
                try db.execute(sql: "INSERT OR REPLACE INTO model_version_tags VALUES (?, ?, ?, ?)", arguments: [name, version, key, value])
            } else {
                try db.execute(sql: "DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?", arguments: [name, version, key])
            }
        }
    }

    /// Points `alias` of a registered model at a version (moving it from any other).
    public func setAlias(name: String, alias: String, version: Int) throws {
        try Self.checkAlias(alias)
        try write { db in
            try Self.requireVersion(db, name, version)
            try db.execute(sql: "INSERT OR REPLACE INTO registered_model_aliases VALUES (?, ?, ?)", arguments: [name, alias, version])
        }
    }

    /// Removes an alias of a registered model (no error when it is not set).
    public func deleteAlias(name: String, alias: String) throws {
        try write { db in
            try Self.requireModel(db, name)
            try db.execute(sql: "DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?", arguments: [name, alias])
        }
    }

    /// The version an alias points at.
    public func modelVersion(name: String, alias: String) throws -> ModelVersion {
        try read { db in
            try Self.requireModel(db, name)
            guard let v = try Int.fetchOne(db, sql: "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?", arguments: [name, alias]) else {
                throw TrackingError.invalid("Registered model alias \(alias) not found.")
            }
            return try Self.loadVersion(db, name, v)
        }
    }
}

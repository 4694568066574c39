import Foundation
import GRDB
import SwiftLearnCore

/// The learner's progress: learned topics, study log, reviews and checkpoint results, in one
/// SQLite database (`progress.sqlite` under `$SWIFTLEARN_HOME`, default `~/.swiftlearn`).
///
/// - WAL journal, `synchronous=FULL`, a 10 s busy timeout: several `swiftlearn` processes may
///   write at once, and a process killed mid-write loses nothing it committed.
/// - Every public write runs in one transaction.
/// - Schema changes go through a `DatabaseMigrator` (migrations `v1` …); a database with
///   migrations this build does not know is refused rather than altered.
/// - A file that is not SQLite, is damaged, or belongs to another application is refused with
///   ``RoadmapError`` and never written to.
///
/// All dates are stored to the second (so exports round-trip exactly).
public final class ProgressStore: @unchecked Sendable {
    /// The database file.
    public let path: URL
    let pool: DatabasePool

    /// `PRAGMA application_id` of SwiftLearn progress databases ("SLRN").
    public static let applicationID: Int32 = 0x534C_524E
    /// The database file name inside the home folder.
    public static let fileName = "progress.sqlite"

    /// The home folder: `--home` if given, else `$SWIFTLEARN_HOME`, else `~/.swiftlearn`.
    public static func home(override: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let o = override, !o.isEmpty { return URL(fileURLWithPath: (o as NSString).expandingTildeInPath) }
        if let e = environment["SWIFTLEARN_HOME"], !e.isEmpty { return URL(fileURLWithPath: (e as NSString).expandingTildeInPath) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".swiftlearn")
    }

    /// Opens (creating when missing) the store in `home`.
    public convenience init(home: URL) throws {
        do {
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        } catch {
            throw RoadmapError.storage("cannot create \(home.path): \(readableReason(error))")
        }
        try self.init(path: home.appendingPathComponent(Self.fileName))
    }

    /// Opens the store in `home` only if its database exists; nil otherwise (nothing is created).
    public static func openExisting(home: URL) throws -> ProgressStore? {
        let file = home.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try ProgressStore(path: file)
    }

    /// Opens (creating when missing) the database at `path`, after checking that an existing file
    /// is a healthy SwiftLearn progress database.
    public init(path: URL) throws {
        self.path = path
        try Self.inspectExisting(path)
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        do {
            pool = try DatabasePool(path: path.path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch let e as DatabaseError {
            throw Self.translate(e, path: path)
        }
    }

    /// The schema, one migration per change; never edit a migration that has shipped.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: "PRAGMA application_id = \(ProgressStore.applicationID)")
            try db.execute(sql: """
                CREATE TABLE topic_mark (
                    topic_id TEXT PRIMARY KEY NOT NULL,
                    learned_at DATETIME NOT NULL,
                    note TEXT);
                CREATE TABLE study_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    logged_at DATETIME NOT NULL,
                    hours DOUBLE NOT NULL CHECK (hours > 0),
                    note TEXT NOT NULL,
                    topic_id TEXT);
                CREATE TABLE review (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    topic_id TEXT NOT NULL,
                    reviewed_at DATETIME NOT NULL,
                    rating INTEGER NOT NULL CHECK (rating BETWEEN 0 AND 5));
                CREATE INDEX review_topic ON review(topic_id, reviewed_at);
                CREATE TABLE checkpoint_result (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    checkpoint_id TEXT NOT NULL,
                    run_at DATETIME NOT NULL,
                    passed BOOLEAN NOT NULL,
                    score DOUBLE,
                    detail TEXT NOT NULL);
                """)
        }
        return m
    }

    /// Refuses files that are not SQLite, are damaged, belong to another application, or carry
    /// unknown migrations. Opens read-only, so nothing is written to a file that fails.
    static func inspectExisting(_ path: URL) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: path.path) else { return }
        guard let handle = FileHandle(forReadingAtPath: path.path) else {
            throw RoadmapError.notAProgressDatabase(path: path.path, reason: "cannot be read")
        }
        let header = handle.readData(ofLength: 16)
        try? handle.close()
        if header.isEmpty { return }  // an empty file is an empty database
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw RoadmapError.notAProgressDatabase(path: path.path, reason: "not a SQLite file")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        do {
            let queue = try DatabaseQueue(path: path.path, configuration: config)
            defer { try? queue.close() }
            try queue.read { db in
                let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
                if check != ["ok"] {
                    throw RoadmapError.notAProgressDatabase(path: path.path, reason: "damaged: \(check.prefix(3).joined(separator: "; "))")
                }
                let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                if appID == 0 && tables.isEmpty { return }
                if appID != applicationID {
                    let what = appID == 0 ? "tables \(tables.prefix(5).joined(separator: ", "))" : String(format: "application id 0x%08X", appID)
                    throw RoadmapError.foreignDatabase(path: path.path, reason: what)
                }
                let known = Set(migrator.migrations)
                let applied = try migrator.appliedIdentifiers(db)
                let unknown = applied.subtracting(known)
                if !unknown.isEmpty { throw RoadmapError.newerDatabase(path: path.path, migrations: unknown.sorted()) }
            }
        } catch let e as DatabaseError {
            throw translate(e, path: path)
        }
    }

    static func translate(_ e: DatabaseError, path: URL) -> RoadmapError {
        switch e.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .notAProgressDatabase(path: path.path, reason: "damaged: \(e.message ?? "\(e.resultCode)")")
        default:
            return .storage("\(path.path): \(e.message ?? "\(e.resultCode)")")
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let e as DatabaseError { throw Self.translate(e, path: path) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let e as DatabaseError { throw Self.translate(e, path: path) }
    }

    /// Dates are kept to the second.
    static func second(_ d: Date) -> Date { Date(timeIntervalSince1970: d.timeIntervalSince1970.rounded(.down)) }

    /// Closes the database (checkpointing the WAL into the main file). The store cannot be used afterwards.
    public func close() throws {
        do { try pool.close() } catch let e as DatabaseError { throw Self.translate(e, path: path) }
    }

    // MARK: writes (one transaction each)

    /// Marks a topic learned; returns false when it already was (the first date is kept).
    @discardableResult
    public func mark(_ topicID: String, at date: Date, note: String? = nil) throws -> Bool {
        try mark([topicID], at: date, note: note)[0]
    }

    /// Marks several topics learned in one transaction; for each, false when it already was.
    @discardableResult
    public func mark(_ topicIDs: [String], at date: Date, note: String? = nil) throws -> [Bool] {
        try write { db in
            try topicIDs.map { id in
                try db.execute(sql: "INSERT OR IGNORE INTO topic_mark (topic_id, learned_at, note) VALUES (?, ?, ?)",
                               arguments: [id, Self.second(date), note])
                return db.changesCount > 0
            }
        }
    }

    /// Removes a learned mark and the topic's reviews; returns false when it was not marked.
    @discardableResult
    public func unmark(_ topicID: String) throws -> Bool { try unmark([topicID])[0] }

    /// Removes several marks (and their reviews) in one transaction; for each, false when it was not marked.
    @discardableResult
    public func unmark(_ topicIDs: [String]) throws -> [Bool] {
        try write { db in
            try topicIDs.map { id in
                try db.execute(sql: "DELETE FROM topic_mark WHERE topic_id = ?", arguments: [id])
                let removed = db.changesCount > 0
                try db.execute(sql: "DELETE FROM review WHERE topic_id = ?", arguments: [id])
                return removed
            }
        }
    }

    /// Appends a study-log entry and returns it with its row id. `hours` must be positive and finite.
    @discardableResult
    public func log(hours: Double, note: String, topicID: String? = nil, at date: Date) throws -> StudyLogEntry {
        guard hours > 0, hours.isFinite, hours <= 24 * 7 else {
            throw RoadmapError.invalidValue(name: "hours", value: "\(hours)", allowed: "a positive number of hours (at most 168)")
        }
        return try write { db in
            try db.execute(sql: "INSERT INTO study_log (logged_at, hours, note, topic_id) VALUES (?, ?, ?, ?)",
                           arguments: [Self.second(date), hours, note, topicID])
            return StudyLogEntry(id: db.lastInsertedRowID, loggedAt: Self.second(date), hours: hours, note: note, topicID: topicID)
        }
    }

    /// Records a review rated 0…5.
    public func recordReview(_ topicID: String, rating: Int, at date: Date) throws {
        guard (0...5).contains(rating) else {
            throw RoadmapError.invalidValue(name: "rating", value: "\(rating)", allowed: "0 (forgot) … 5 (perfect recall)")
        }
        try write { db in
            try db.execute(sql: "INSERT INTO review (topic_id, reviewed_at, rating) VALUES (?, ?, ?)",
                           arguments: [topicID, Self.second(date), rating])
        }
    }

    /// Records a checkpoint run.
    public func recordCheckpoint(_ r: CheckpointRecord) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO checkpoint_result (checkpoint_id, run_at, passed, score, detail) VALUES (?, ?, ?, ?, ?)",
                           arguments: [r.checkpointID, Self.second(r.runAt), r.passed, r.score, r.detail])
        }
    }

    // MARK: reads

    /// Everything, read in one transaction (a consistent view even while others write).
    public func snapshot(at date: Date = Date()) throws -> ProgressSnapshot {
        try read { db in
            let marks = try Row.fetchAll(db, sql: "SELECT * FROM topic_mark ORDER BY learned_at, topic_id").map {
                TopicMark(topicID: $0["topic_id"], learnedAt: $0["learned_at"], note: $0["note"])
            }
            let log = try Row.fetchAll(db, sql: "SELECT * FROM study_log ORDER BY logged_at, id").map {
                StudyLogEntry(id: $0["id"], loggedAt: $0["logged_at"], hours: $0["hours"], note: $0["note"], topicID: $0["topic_id"])
            }
            let reviews = try Row.fetchAll(db, sql: "SELECT * FROM review ORDER BY reviewed_at, id").map {
                ReviewRecord(topicID: $0["topic_id"], reviewedAt: $0["reviewed_at"], rating: $0["rating"])
            }
            let checkpoints = try Row.fetchAll(db, sql: "SELECT * FROM checkpoint_result ORDER BY run_at, id").map {
                CheckpointRecord(checkpointID: $0["checkpoint_id"], runAt: $0["run_at"], passed: $0["passed"], score: $0["score"], detail: $0["detail"])
            }
            return ProgressSnapshot(exportedAt: Self.second(date), marks: marks, studyLog: log, reviews: reviews, checkpoints: checkpoints)
        }
    }

    /// Ids of the study-log rows (for the crash test: every id a writer reported must be present).
    public func studyLogIDs() throws -> Set<Int64> {
        try read { db in Set(try Int64.fetchAll(db, sql: "SELECT id FROM study_log")) }
    }

    /// `PRAGMA integrity_check` ("ok" when healthy).
    public func integrityCheck() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Imports a snapshot in one transaction. `replace` empties the store first; otherwise entries
    /// are merged (marks keep the earlier date; identical log, review and checkpoint rows are skipped),
    /// so importing the same export twice changes nothing.
    public func importSnapshot(_ s: ProgressSnapshot, replace: Bool) throws {
        try write { db in
            if replace {
                for table in ["topic_mark", "study_log", "review", "checkpoint_result"] { try db.execute(sql: "DELETE FROM \(table)") }
            }
            for m in s.marks {
                try db.execute(sql: """
                    INSERT INTO topic_mark (topic_id, learned_at, note) VALUES (?, ?, ?)
                    ON CONFLICT(topic_id) DO UPDATE SET learned_at = MIN(learned_at, excluded.learned_at)
                    """, arguments: [m.topicID, Self.second(m.learnedAt), m.note])
            }
            for e in s.studyLog {
                let d = Self.second(e.loggedAt)
                let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM study_log WHERE logged_at = ? AND hours = ? AND note = ? AND topic_id IS ?)",
                                               arguments: [d, e.hours, e.note, e.topicID]) ?? false
                if !exists {
                    try db.execute(sql: "INSERT INTO study_log (logged_at, hours, note, topic_id) VALUES (?, ?, ?, ?)", arguments: [d, e.hours, e.note, e.topicID])
                }
            }
            for r in s.reviews {
                let d = Self.second(r.reviewedAt)
                let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM review WHERE topic_id = ? AND reviewed_at = ? AND rating = ?)",
                                               arguments: [r.topicID, d, r.rating]) ?? false
                if !exists { try db.execute(sql: "INSERT INTO review (topic_id, reviewed_at, rating) VALUES (?, ?, ?)", arguments: [r.topicID, d, r.rating]) }
            }
            for c in s.checkpoints {
                let d = Self.second(c.runAt)
                let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM checkpoint_result WHERE checkpoint_id = ? AND run_at = ? AND passed = ? AND detail = ?)",
                                               arguments: [c.checkpointID, d, c.passed, c.detail]) ?? false
                if !exists {
                    try db.execute(sql: "INSERT INTO checkpoint_result (checkpoint_id, run_at, passed, score, detail) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [c.checkpointID, d, c.passed, c.score, c.detail])
                }
            }
        }
    }
}

import Foundation
import GRDB
import SwiftLearnCore

/// The learner's progress: learned topics, study log, reviews and checkpoint results, in one
/// SQLite database (`progress.sqlite` under `$SWIFTLEARN_HOME`, default `~/.swiftlearn`).
///
/// - WAL journal, `synchronous=FULL`, a 10 s busy timeout: several `swiftlearn` processes may
///   write at once, and a process killed mid-write loses nothing it committed.
/// - Every public write runs in one transaction, after checking its values against ``ProgressLimits``.
/// - Schema changes go through a `DatabaseMigrator` (migrations `v1` …); a database with
///   migrations this build does not know is refused rather than altered. Inspecting, opening
///   and migrating happen under ``MigrationLock`` (a `flock`), so any number of threads or
///   processes may create the same store at once.
/// - Reading never traps on stored values: rows of the wrong type or out of range (from older
///   versions or bad imports) are skipped and reported (``reading(at:)``); ``repair()`` deletes them.
/// - `readOnly: true` opens without creating, locking or migrating anything (read-only folders).
/// - A file that is not SQLite, is damaged, or belongs to another application is refused with
///   ``RoadmapError`` and never written to.
///
/// All dates are stored to the second (so exports round-trip exactly).
public final class ProgressStore: @unchecked Sendable {
    /// The database file.
    public let path: URL
    /// Whether the store was opened for reading only; writes throw ``RoadmapError/readOnly(folder:)``.
    public let isReadOnly: Bool
    let reader: any DatabaseReader
    let writer: DatabasePool?
    /// The private copy a read-only store reads when SQLite cannot read the file in place; removed on deinit.
    private let temporaryCopy: URL?

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
        let fm = FileManager.default
        if fm.fileExists(atPath: home.path) && !fm.isWritableFile(atPath: home.path) { throw RoadmapError.readOnly(folder: home.path) }
        do {
            try fm.createDirectory(at: home, withIntermediateDirectories: true)
        } catch {
            throw RoadmapError.storage("cannot create \(home.path): \(readableReason(error))")
        }
        try self.init(path: home.appendingPathComponent(Self.fileName))
    }

    /// Opens the store in `home` only if its database exists; nil otherwise (nothing is created).
    /// With `readOnly`, nothing is written either (for commands that only read).
    public static func openExisting(home: URL, readOnly: Bool = false) throws -> ProgressStore? {
        let file = home.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try ProgressStore(path: file, readOnly: readOnly)
    }

    /// Opens the database at `path` after checking that an existing file is a healthy SwiftLearn
    /// progress database. Writable (the default): creates and migrates it under ``MigrationLock``.
    /// `readOnly`: opens an existing, migrated database without writing anything.
    public init(path: URL, readOnly: Bool = false) throws {
        self.path = path
        isReadOnly = readOnly
        do {
            if readOnly {
                let source = try Self.readableLocation(path)
                temporaryCopy = source == path ? nil : source
                try Self.inspectExisting(source)
                reader = try Self.openReadOnly(source)
                writer = nil
            } else {
                temporaryCopy = nil
                let pool = try MigrationLock.withLock(for: path) {
                    try Self.inspectExisting(path)
                    return try Self.openAndMigrate(path)
                }
                reader = pool
                writer = pool
            }
        } catch let e as DatabaseError {
            throw Self.translate(e, path: path)
        }
    }

    /// A WAL connection pool on `path`, migrated to this build's schema. Call under ``MigrationLock``.
    private static func openAndMigrate(_ path: URL) throws -> DatabasePool {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path.path, configuration: config)
        try migrator.migrate(pool)
        return pool
    }

    deinit {
        if let copy = temporaryCopy { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
    }

    /// Where a read-only store reads `path`: in place, or — in a folder that cannot be written and
    /// has no WAL index (`-shm`), where SQLite cannot read a WAL database — a private copy in the
    /// temporary folder (removed on deinit).
    private static func readableLocation(_ path: URL) throws -> URL {
        let fm = FileManager.default
        guard fm.fileExists(atPath: path.path), !fm.isWritableFile(atPath: path.deletingLastPathComponent().path),
              !fm.fileExists(atPath: path.path + "-shm") else { return path }
        let folder = fm.temporaryDirectory.appendingPathComponent("swiftlearn-readonly-\(UUID().uuidString)")
        let copy = folder.appendingPathComponent(fileName)
        do {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            try fm.copyItem(at: path, to: copy)
            if fm.fileExists(atPath: path.path + "-wal") {  // commits not yet checkpointed into the main file
                try fm.copyItem(atPath: path.path + "-wal", toPath: copy.path + "-wal")
            }
            return copy
        } catch {
            try? fm.removeItem(at: folder)
            throw RoadmapError.storage("cannot read \(path.path) from a read-only folder: \(readableReason(error))")
        }
    }

    /// A read-only connection on an existing database whose migrations are all applied.
    private static func openReadOnly(_ path: URL) throws -> DatabaseQueue {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path.path, configuration: config)
        guard try queue.read({ try migrator.hasCompletedMigrations($0) }) else {
            try? queue.close()
            throw RoadmapError.storage("\(path.path) is not set up yet; run a command that writes (e.g. `swiftlearn progress mark`) first")
        }
        return queue
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
        let folder = path.deletingLastPathComponent().path
        switch e.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .notAProgressDatabase(path: path.path, reason: "damaged: \(e.message ?? "\(e.resultCode)")")
        case .SQLITE_READONLY:
            return .readOnly(folder: folder)
        case .SQLITE_CANTOPEN where !FileManager.default.isWritableFile(atPath: folder):
            return .readOnly(folder: folder)
        default:
            return .storage("\(path.path): \(e.message ?? "\(e.resultCode)")")
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        guard let writer else { throw RoadmapError.readOnly(folder: path.deletingLastPathComponent().path) }
        do { return try writer.write(body) } catch let e as DatabaseError { throw Self.translate(e, path: path) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try reader.read(body) } catch let e as DatabaseError { throw Self.translate(e, path: path) }
    }

    /// Dates are kept to the second.
    static func second(_ d: Date) -> Date { Date(timeIntervalSince1970: d.timeIntervalSince1970.rounded(.down)) }

    /// Closes the database (checkpointing the WAL into the main file). The store cannot be used afterwards.
    public func close() throws {
        do { try reader.close() } catch let e as DatabaseError { throw Self.translate(e, path: path) }
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
        for id in topicIDs { try TopicMark(topicID: id, learnedAt: date).validate(record: "mark of \(id)") }
        return try write { db in
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

    /// Appends a study-log entry and returns it with its row id; hours and date must be within ``ProgressLimits``.
    @discardableResult
    public func log(hours: Double, note: String, topicID: String? = nil, at date: Date) throws -> StudyLogEntry {
        try StudyLogEntry(loggedAt: date, hours: hours, note: note, topicID: topicID).validate(record: "study log entry '\(note.prefix(40))'")
        return try write { db in
            try db.execute(sql: "INSERT INTO study_log (logged_at, hours, note, topic_id) VALUES (?, ?, ?, ?)",
                           arguments: [Self.second(date), hours, note, topicID])
            return StudyLogEntry(id: db.lastInsertedRowID, loggedAt: Self.second(date), hours: hours, note: note, topicID: topicID)
        }
    }

    /// Records a review rated 0…5.
    public func recordReview(_ topicID: String, rating: Int, at date: Date) throws {
        try ReviewRecord(topicID: topicID, reviewedAt: date, rating: rating).validate(record: "review of \(topicID)")
        try write { db in
            try db.execute(sql: "INSERT INTO review (topic_id, reviewed_at, rating) VALUES (?, ?, ?)",
                           arguments: [topicID, Self.second(date), rating])
        }
    }

    /// Records a checkpoint run.
    public func recordCheckpoint(_ r: CheckpointRecord) throws {
        try r.validate(record: "checkpoint run of \(r.checkpointID)")
        try write { db in
            try db.execute(sql: "INSERT INTO checkpoint_result (checkpoint_id, run_at, passed, score, detail) VALUES (?, ?, ?, ?, ?)",
                           arguments: [r.checkpointID, Self.second(r.runAt), r.passed, r.score, r.detail])
        }
    }

    // MARK: reads

    /// The usable records, read in one transaction (a consistent view even while others write);
    /// unusable rows are skipped silently: use ``reading(at:)`` to learn about them.
    public func snapshot(at date: Date = Date()) throws -> ProgressSnapshot { try reading(at: date).snapshot }

    /// The usable records and the rows skipped as unusable, read in one transaction.
    public func reading(at date: Date = Date()) throws -> ProgressReading {
        try read { db in try ProgressRowReader.reading(db, at: date) }
    }

    /// Deletes every unusable row (those ``reading(at:)`` reports), finding and deleting them in one
    /// transaction; returns the rows deleted.
    @discardableResult
    public func repair() throws -> [ProgressIssue] {
        try write { db in
            let issues = try ProgressRowReader.reading(db, at: Date()).issues
            for i in issues { try db.execute(sql: "DELETE FROM \(i.table) WHERE rowid = ?", arguments: [i.rowID]) }
            return issues
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

    /// Imports a snapshot in one transaction, after checking every record (``ProgressSnapshot/validate()``;
    /// a record out of range changes nothing). `replace` empties the store first; otherwise entries
    /// are merged (marks keep the earlier date; identical log, review and checkpoint rows are skipped),
    /// so importing the same export twice changes nothing. Duplicates are found through one set of
    /// the rows already stored, so the time grows linearly with the store and the import.
    public func importSnapshot(_ s: ProgressSnapshot, replace: Bool) throws {
        try s.validate()
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
            try Self.insertMissing(db, table: "study_log", columns: ["logged_at", "hours", "note", "topic_id"], keyCount: 4, rows: s.studyLog.map {
                [Self.second($0.loggedAt).databaseValue, $0.hours.databaseValue, $0.note.databaseValue, $0.topicID.databaseValue]
            })
            try Self.insertMissing(db, table: "review", columns: ["topic_id", "reviewed_at", "rating"], keyCount: 3, rows: s.reviews.map {
                [$0.topicID.databaseValue, Self.second($0.reviewedAt).databaseValue, $0.rating.databaseValue]
            })
            try Self.insertMissing(db, table: "checkpoint_result", columns: ["checkpoint_id", "run_at", "passed", "detail", "score"], keyCount: 4, rows: s.checkpoints.map {
                [$0.checkpointID.databaseValue, Self.second($0.runAt).databaseValue, $0.passed.databaseValue, $0.detail.databaseValue, $0.score.databaseValue]
            })
        }
    }

    /// Inserts `rows` (values for `columns`) into `table`, skipping each row whose first `keyCount`
    /// values equal those of a row already there or inserted before it. One set of keys, built from
    /// the table once, replaces a query per row (which made large imports quadratic).
    private static func insertMissing(_ db: Database, table: String, columns: [String], keyCount: Int, rows: [[DatabaseValue]]) throws {
        guard !rows.isEmpty else { return }
        var seen = Set<ArraySlice<DatabaseValue>>()
        let stored = try Row.fetchCursor(db, sql: "SELECT \(columns.prefix(keyCount).joined(separator: ", ")) FROM \(table)")
        while let row = try stored.next() { seen.insert(ArraySlice(row.databaseValues)) }
        let insert = try db.cachedStatement(sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))")
        for values in rows where seen.insert(values.prefix(keyCount)).inserted {
            try insert.execute(arguments: StatementArguments(values))
        }
    }
}

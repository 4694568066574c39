import Foundation
import GRDB

/// A stored row the store cannot use: a field of the wrong type or outside ``ProgressLimits``
/// (written by an older version, a bad import, or another program). Reading skips such rows;
/// `progress doctor` lists them and `progress doctor --repair` deletes them.
public struct ProgressIssue: Sendable, Hashable, CustomStringConvertible {
    /// The table (`topic_mark`, `study_log`, `review`, `checkpoint_result`).
    public var table: String
    /// The row's SQLite `rowid` (the `id` column where the table has one).
    public var rowID: Int64
    /// The offending column.
    public var field: String
    /// The stored value, as SQLite holds it.
    public var value: String
    /// What the column must hold.
    public var allowed: String

    /// One line: table, row, field, value and what is allowed.
    public var description: String { "\(table) row \(rowID): \(field) = \(value), must be \(allowed)" }
}

/// What the store holds: the usable records, and the rows skipped because they are unusable.
public struct ProgressReading: Sendable {
    /// The usable records.
    public var snapshot: ProgressSnapshot
    /// One entry per skipped row (its first bad field).
    public var issues: [ProgressIssue]
}

/// Decodes one row field by field without trapping: every conversion checks the stored type
/// and range and throws the ``ProgressIssue`` it found instead (GRDB's `row[column]` would stop
/// the process on a value it cannot convert).
struct ProgressRowReader {
    let table: String
    let row: Row

    /// The `SELECT` that every reader's row comes from: the rowid first, as `row_id`.
    static func sql(_ table: String, orderBy: String) -> String { "SELECT rowid AS row_id, * FROM \(table) ORDER BY \(orderBy)" }

    var rowID: Int64 {
        if case .int64(let id) = (row["row_id"] as DatabaseValue).storage { return id }
        return -1
    }

    private func issue(_ column: String, _ value: DatabaseValue, _ allowed: String) -> ProgressIssue {
        ProgressIssue(table: table, rowID: rowID, field: column, value: value.description, allowed: allowed)
    }

    func text(_ column: String) throws -> String {
        let v: DatabaseValue = row[column]
        guard case .string(let s) = v.storage else { throw issue(column, v, "text") }
        return s
    }

    func optionalText(_ column: String) throws -> String? {
        let v: DatabaseValue = row[column]
        return v.isNull ? nil : try text(column)
    }

    func date(_ column: String) throws -> Date {
        let v: DatabaseValue = row[column]
        guard let d = Date.fromDatabaseValue(v), ProgressLimits.isValid(date: d) else { throw issue(column, v, ProgressLimits.datesAllowed) }
        return d
    }

    func hours(_ column: String) throws -> Double {
        let v: DatabaseValue = row[column]
        guard let h = finiteNumber(v), ProgressLimits.isValid(hours: h) else { throw issue(column, v, ProgressLimits.hoursAllowed) }
        return h
    }

    func rating(_ column: String) throws -> Int {
        let v: DatabaseValue = row[column]
        guard let r = finiteNumber(v), r == r.rounded(), r >= Double(ProgressLimits.ratings.lowerBound), r <= Double(ProgressLimits.ratings.upperBound) else {
            throw issue(column, v, ProgressLimits.ratingsAllowed)
        }
        return Int(r)
    }

    func bool(_ column: String) throws -> Bool {
        let v: DatabaseValue = row[column]
        guard case .int64(let i) = v.storage, i == 0 || i == 1 else { throw issue(column, v, "0 or 1") }
        return i == 1
    }

    func optionalScore(_ column: String) throws -> Double? {
        let v: DatabaseValue = row[column]
        if v.isNull { return nil }
        guard let s = finiteNumber(v) else { throw issue(column, v, ProgressLimits.scoreAllowed) }
        return s
    }

    /// An integer or real value as a finite Double; nil for text, blobs, NULL, ±infinity.
    private func finiteNumber(_ v: DatabaseValue) -> Double? {
        switch v.storage {
        case .int64(let i): return Double(i)
        case .double(let d) where d.isFinite: return d
        default: return nil
        }
    }

    /// Reads every row of `table` with `decode`; rows that throw a ``ProgressIssue`` are collected, not returned.
    static func readAll<T>(_ db: Database, table: String, orderBy: String, issues: inout [ProgressIssue],
                           _ decode: (ProgressRowReader) throws -> T) throws -> [T] {
        var records: [T] = []
        let rows = try Row.fetchCursor(db, sql: sql(table, orderBy: orderBy))
        while let row = try rows.next() {
            do { records.append(try decode(ProgressRowReader(table: table, row: row))) } catch let i as ProgressIssue { issues.append(i) }
        }
        return records
    }
}

extension ProgressIssue: Error {}

extension ProgressRowReader {
    /// Decodes all four tables.
    static func reading(_ db: Database, at date: Date) throws -> ProgressReading {
        var issues: [ProgressIssue] = []
        let marks = try readAll(db, table: "topic_mark", orderBy: "learned_at, topic_id", issues: &issues) {
            TopicMark(topicID: try $0.text("topic_id"), learnedAt: try $0.date("learned_at"), note: try $0.optionalText("note"))
        }
        let log = try readAll(db, table: "study_log", orderBy: "logged_at, id", issues: &issues) {
            StudyLogEntry(id: $0.rowID, loggedAt: try $0.date("logged_at"), hours: try $0.hours("hours"), note: try $0.text("note"), topicID: try $0.optionalText("topic_id"))
        }
        let reviews = try readAll(db, table: "review", orderBy: "reviewed_at, id", issues: &issues) {
            ReviewRecord(topicID: try $0.text("topic_id"), reviewedAt: try $0.date("reviewed_at"), rating: try $0.rating("rating"))
        }
        let checkpoints = try readAll(db, table: "checkpoint_result", orderBy: "run_at, id", issues: &issues) {
            CheckpointRecord(checkpointID: try $0.text("checkpoint_id"), runAt: try $0.date("run_at"), passed: try $0.bool("passed"),
                             score: try $0.optionalScore("score"), detail: try $0.text("detail"))
        }
        let snapshot = ProgressSnapshot(exportedAt: ProgressStore.second(date), marks: marks, studyLog: log, reviews: reviews, checkpoints: checkpoints)
        return ProgressReading(snapshot: snapshot, issues: issues)
    }
}

import Foundation

/// The values a progress record may hold, checked before anything is written (CLI input, imports,
/// the store's own write methods) and again when rows are read back (``ProgressRowReader``), so a
/// date or number outside these ranges can neither enter the store nor stop a command that reads it.
public enum ProgressLimits {
    /// Dates from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z: what SQLite's text dates and
    /// `yyyy-MM-dd` can hold, with room for any real study date.
    public static let dates: ClosedRange<Date> = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 253_402_300_799)
    /// How ``dates`` is stated in error messages.
    public static let datesAllowed = "a date from 1970-01-01 to 9999-12-31"
    /// Hours of one study-log entry: above 0, at most one week.
    public static let maximumHours = 168.0
    /// How the hours range is stated in error messages.
    public static let hoursAllowed = "a finite number of hours above 0 and at most 168"
    /// Review ratings (SM-2's scale).
    public static let ratings: ClosedRange<Int> = 0...5
    /// How the rating range is stated in error messages.
    public static let ratingsAllowed = "0 (forgot) … 5 (perfect recall)"
    /// How the checkpoint score's range is stated in error messages.
    public static let scoreAllowed = "a finite number, or no score"

    /// Whether `date` lies in ``dates``.
    public static func isValid(date: Date) -> Bool { dates.contains(date) }
    /// Whether `hours` is finite, above 0 and at most ``maximumHours``.
    public static func isValid(hours: Double) -> Bool { hours.isFinite && hours > 0 && hours <= maximumHours }
    /// Whether `score` is absent or finite.
    public static func isValid(score: Double?) -> Bool { score?.isFinite ?? true }

    /// Throws ``RoadmapError/invalidRecord(record:field:value:allowed:)`` unless `ok`.
    static func require(_ ok: Bool, record: String, field: String, value: @autoclosure () -> String, allowed: String) throws {
        if !ok { throw RoadmapError.invalidRecord(record: record, field: field, value: value(), allowed: allowed) }
    }

    /// An ISO-8601 rendering of a date for messages (never traps, whatever the date).
    static func describe(_ date: Date) -> String {
        guard date.timeIntervalSince1970.magnitude < 1e15 else { return "\(date.timeIntervalSince1970) s since 1970" }
        return ISO8601DateFormatter().string(from: date)
    }
}

extension TopicMark {
    /// Throws ``RoadmapError/invalidRecord(record:field:value:allowed:)`` when the date is out of range.
    func validate(record: String) throws {
        try ProgressLimits.require(ProgressLimits.isValid(date: learnedAt), record: record, field: "learnedAt",
                                   value: ProgressLimits.describe(learnedAt), allowed: ProgressLimits.datesAllowed)
    }
}

extension StudyLogEntry {
    /// Throws ``RoadmapError/invalidRecord(record:field:value:allowed:)`` when the date or hours are out of range.
    func validate(record: String) throws {
        try ProgressLimits.require(ProgressLimits.isValid(date: loggedAt), record: record, field: "loggedAt",
                                   value: ProgressLimits.describe(loggedAt), allowed: ProgressLimits.datesAllowed)
        try ProgressLimits.require(ProgressLimits.isValid(hours: hours), record: record, field: "hours", value: "\(hours)", allowed: ProgressLimits.hoursAllowed)
    }
}

extension ReviewRecord {
    /// Throws ``RoadmapError/invalidRecord(record:field:value:allowed:)`` when the date or rating is out of range.
    func validate(record: String) throws {
        try ProgressLimits.require(ProgressLimits.isValid(date: reviewedAt), record: record, field: "reviewedAt",
                                   value: ProgressLimits.describe(reviewedAt), allowed: ProgressLimits.datesAllowed)
        try ProgressLimits.require(ProgressLimits.ratings.contains(rating), record: record, field: "rating", value: "\(rating)", allowed: ProgressLimits.ratingsAllowed)
    }
}

extension CheckpointRecord {
    /// Throws ``RoadmapError/invalidRecord(record:field:value:allowed:)`` when the date or score is out of range.
    func validate(record: String) throws {
        try ProgressLimits.require(ProgressLimits.isValid(date: runAt), record: record, field: "runAt",
                                   value: ProgressLimits.describe(runAt), allowed: ProgressLimits.datesAllowed)
        try ProgressLimits.require(ProgressLimits.isValid(score: score), record: record, field: "score", value: score.map { "\($0)" } ?? "none", allowed: ProgressLimits.scoreAllowed)
    }
}

extension ProgressSnapshot {
    /// Checks every record against ``ProgressLimits``; the error names the list, index and field
    /// (`studyLog[3] ('kernels')`, field `hours`) of the first record out of range.
    public func validate() throws {
        for (i, m) in marks.enumerated() { try m.validate(record: "marks[\(i)] (\(m.topicID))") }
        for (i, e) in studyLog.enumerated() { try e.validate(record: "studyLog[\(i)] ('\(e.note.prefix(40))')") }
        for (i, r) in reviews.enumerated() { try r.validate(record: "reviews[\(i)] (\(r.topicID))") }
        for (i, c) in checkpoints.enumerated() { try c.validate(record: "checkpoints[\(i)] (\(c.checkpointID))") }
    }
}

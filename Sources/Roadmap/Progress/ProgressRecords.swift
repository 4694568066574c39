import Foundation
import SwiftLearnCore

/// A topic the learner marked as learned.
public struct TopicMark: Codable, Sendable, Hashable {
    /// Catalog topic id.
    public var topicID: String
    /// When it was marked learned.
    public var learnedAt: Date
    /// Optional note.
    public var note: String?

    /// Creates a mark.
    public init(topicID: String, learnedAt: Date, note: String? = nil) {
        self.topicID = topicID
        self.learnedAt = learnedAt
        self.note = note
    }
}

/// One entry of the study log: hours spent, a note, optionally a topic.
public struct StudyLogEntry: Codable, Sendable, Hashable {
    /// Row id in the store (nil before it is written; not exported).
    public var id: Int64?
    /// When the study happened.
    public var loggedAt: Date
    /// Hours studied, in (0, 168] (``ProgressLimits``).
    public var hours: Double
    /// What was done.
    public var note: String
    /// The topic studied, if any.
    public var topicID: String?

    /// Creates an entry.
    public init(id: Int64? = nil, loggedAt: Date, hours: Double, note: String, topicID: String? = nil) {
        self.id = id
        self.loggedAt = loggedAt
        self.hours = hours
        self.note = note
        self.topicID = topicID
    }
}

/// A spaced-review event: the learner recalled a topic and rated the recall 0–5 (SM-2's scale).
public struct ReviewRecord: Codable, Sendable, Hashable {
    /// Catalog topic id.
    public var topicID: String
    /// When the review happened.
    public var reviewedAt: Date
    /// Recall quality: 0 = blackout … 3 = recalled with effort … 5 = perfect.
    public var rating: Int

    /// Creates a review.
    public init(topicID: String, reviewedAt: Date, rating: Int) {
        self.topicID = topicID
        self.reviewedAt = reviewedAt
        self.rating = rating
    }
}

/// The outcome of one checkpoint run.
public struct CheckpointRecord: Codable, Sendable, Hashable {
    /// Checkpoint id in ``CheckpointRegistry``.
    public var checkpointID: String
    /// When it ran.
    public var runAt: Date
    /// Whether the criterion was met.
    public var passed: Bool
    /// The measured score compared with the criterion (accuracy, ARI, relative gap …).
    public var score: Double?
    /// A one-line account of the run.
    public var detail: String

    /// Creates a record.
    public init(checkpointID: String, runAt: Date, passed: Bool, score: Double?, detail: String) {
        self.checkpointID = checkpointID
        self.runAt = runAt
        self.passed = passed
        self.score = score
        self.detail = detail
    }
}

/// Everything in a progress store, as `progress export` writes it and `progress import` reads it.
public struct ProgressSnapshot: Codable, Sendable, Equatable {
    /// Always ``ProgressSnapshot/formatName``.
    public var format: String
    /// Format version (1).
    public var version: Int
    /// When the export was made.
    public var exportedAt: Date
    /// Learned topics.
    public var marks: [TopicMark]
    /// Study log.
    public var studyLog: [StudyLogEntry]
    /// Reviews.
    public var reviews: [ReviewRecord]
    /// Checkpoint runs.
    public var checkpoints: [CheckpointRecord]

    /// The `format` value of a SwiftLearn progress export.
    public static let formatName = "swiftlearn-progress"
    /// The version this build writes and reads.
    public static let currentVersion = 1

    /// Creates a snapshot.
    public init(exportedAt: Date, marks: [TopicMark], studyLog: [StudyLogEntry], reviews: [ReviewRecord], checkpoints: [CheckpointRecord]) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.exportedAt = exportedAt
        self.marks = marks
        self.studyLog = studyLog
        self.reviews = reviews
        self.checkpoints = checkpoints
    }

    /// JSON with ISO-8601 dates and sorted keys (stable, diff-friendly).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var copy = self
        copy.studyLog = copy.studyLog.map { var e = $0; e.id = nil; return e }
        return try encoder.encode(copy)
    }

    /// Decodes and validates an export: format and version, known topic ids, and every record
    /// within ``ProgressLimits`` (dates 1970–9999, hours in (0, 168], ratings 0…5, finite scores).
    /// Throws ``RoadmapError/malformedImport(_:)`` or ``RoadmapError/invalidRecord(record:field:value:allowed:)``
    /// naming the problem.
    public static func decode(_ data: Data, catalog: Curriculum = .standard) throws -> ProgressSnapshot {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let s: ProgressSnapshot
        do {
            s = try decoder.decode(ProgressSnapshot.self, from: data)
        } catch let e as DecodingError {
            throw RoadmapError.malformedImport("not a SwiftLearn progress export (\(DecodingErrorText.describe(e)))")
        } catch {
            throw RoadmapError.malformedImport("unreadable JSON (\(readableReason(error)))")
        }
        guard s.format == formatName else { throw RoadmapError.malformedImport("format is '\(s.format)', expected '\(formatName)'") }
        guard s.version == currentVersion else { throw RoadmapError.malformedImport("version \(s.version) is not supported (this build reads \(currentVersion))") }
        let topicIDs = s.marks.map(\.topicID) + s.reviews.map(\.topicID) + s.studyLog.compactMap(\.topicID)
        let unknown = Set(topicIDs.filter { catalog.topicIfPresent($0) == nil }).sorted()
        if !unknown.isEmpty { throw RoadmapError.malformedImport("unknown topic ids: \(unknown.joined(separator: ", "))") }
        try s.validate()
        if Set(s.marks.map(\.topicID)).count != s.marks.count { throw RoadmapError.malformedImport("a topic is marked twice") }
        return s
    }
}

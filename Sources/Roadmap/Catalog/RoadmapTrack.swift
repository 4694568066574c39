import Foundation

/// A stated study duration: a range of weeks (months are converted at 52/12 weeks), or open-ended.
public struct StudyDuration: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Shortest stated duration in weeks; nil for "ongoing".
    public var minWeeks: Double?
    /// Longest stated duration in weeks; nil for "ongoing".
    public var maxWeeks: Double?
    /// The duration as the roadmap states it, e.g. "2-3 months".
    public var label: String

    /// Weeks per month used to convert month ranges (52 / 12).
    public static let weeksPerMonth = 52.0 / 12.0

    /// A range in weeks.
    public static func weeks(_ low: Double, _ high: Double) -> StudyDuration {
        StudyDuration(minWeeks: low, maxWeeks: high, label: low == high ? "\(fmt(low)) weeks" : "\(fmt(low))-\(fmt(high)) weeks")
    }

    /// A range in months.
    public static func months(_ low: Double, _ high: Double) -> StudyDuration {
        StudyDuration(minWeeks: low * weeksPerMonth, maxWeeks: high * weeksPerMonth,
                      label: low == high ? "\(fmt(low)) months" : "\(fmt(low))-\(fmt(high)) months")
    }

    /// An open-ended phase.
    public static let ongoing = StudyDuration(minWeeks: nil, maxWeeks: nil, label: "ongoing")

    /// The duration as stated.
    public var description: String { label }

    private static func fmt(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}

/// One phase of a track: an ordered list of catalog topic ids with the durations the roadmap gives.
public struct TrackPhase: Codable, Sendable, Hashable {
    /// Phase title, in our words.
    public var title: String
    /// Topic ids in the track's order.
    public var topics: [String]
    /// Full-time duration when the roadmap gives one.
    public var fullTime: StudyDuration?
    /// Part-time duration when the roadmap gives one.
    public var partTime: StudyDuration?

    /// Creates a phase; `items` may name topics, whole units (`unit:<id>`) or whole phases (`phase:<id>`)
    /// of ``Curriculum/standard``; duplicates keep their first place.
    public init(_ title: String, _ items: [String], fullTime: StudyDuration? = nil, partTime: StudyDuration? = nil) {
        self.title = title
        self.topics = TrackPhase.expand(items)
        self.fullTime = fullTime
        self.partTime = partTime
    }

    static func expand(_ items: [String]) -> [String] {
        let catalog = Curriculum.standard
        var out: [String] = []
        var seen = Set<String>()
        for item in items {
            var ids = [item]
            if item.hasPrefix("unit:") {
                let u = String(item.dropFirst(5))
                ids = catalog.phases.flatMap(\.units).first { $0.id == u }?.topics.map(\.id) ?? [item]
            } else if item.hasPrefix("phase:") {
                let p = String(item.dropFirst(6))
                ids = catalog.phases.first { $0.id == p }?.topics.map(\.id) ?? [item]
            }
            for id in ids where seen.insert(id).inserted { out.append(id) }
        }
        return out
    }
}

/// A milestone or certificate level: a set of topics to have learned and a number of
/// checkpoint projects to have passed (counted over the whole catalog).
public struct TrackMilestone: Codable, Sendable, Hashable {
    /// Short id, unique within the track.
    public var id: String
    /// Title, e.g. "ML/AI Foundations".
    public var title: String
    /// Topic ids that must be marked learned.
    public var topics: [String]
    /// Distinct checkpoints that must have passed.
    public var minimumCheckpoints: Int

    /// Creates a milestone; `items` accept `unit:`/`phase:` like ``TrackPhase``.
    public init(_ id: String, _ title: String, _ items: [String], checkpoints: Int = 0) {
        self.id = id
        self.title = title
        self.topics = TrackPhase.expand(items)
        self.minimumCheckpoints = checkpoints
    }
}

/// A study track: one of the five source roadmaps, as an ordered path through the catalog.
public struct RoadmapTrack: Codable, Sendable, Hashable, Identifiable {
    /// Kebab-case id used by `--track`.
    public var id: String
    /// Our name for the track.
    public var name: String
    /// One sentence on who the track suits.
    public var summary: String
    /// Phases in order.
    public var phases: [TrackPhase]
    /// Total duration full-time, as stated.
    public var totalFullTime: StudyDuration?
    /// Total duration part-time, as stated.
    public var totalPartTime: StudyDuration?
    /// Hours per week the roadmap assumes full-time and part-time (used to convert durations to hours).
    public var fullTimeHoursPerWeek: Double
    /// Hours per week part-time.
    public var partTimeHoursPerWeek: Double
    /// Milestones (checklists) the roadmap defines.
    public var milestones: [TrackMilestone]
    /// Certificate levels in increasing order; a level counts only when every lower level is reached.
    public var levels: [TrackMilestone]

    /// Creates a track.
    public init(id: String, name: String, summary: String, phases: [TrackPhase], totalFullTime: StudyDuration?, totalPartTime: StudyDuration?,
                fullTimeHoursPerWeek: Double, partTimeHoursPerWeek: Double, milestones: [TrackMilestone], levels: [TrackMilestone]) {
        self.id = id
        self.name = name
        self.summary = summary
        self.phases = phases
        self.totalFullTime = totalFullTime
        self.totalPartTime = totalPartTime
        self.fullTimeHoursPerWeek = fullTimeHoursPerWeek
        self.partTimeHoursPerWeek = partTimeHoursPerWeek
        self.milestones = milestones
        self.levels = levels
    }

    /// Every topic id of the track in order, without duplicates.
    public var topicIDs: [String] { TrackPhase.expand(phases.flatMap(\.topics)) }

    /// The track with this id; throws with close matches when unknown.
    public static func named(_ id: String) throws -> RoadmapTrack {
        if let t = all.first(where: { $0.id == id }) { return t }
        throw RoadmapError.unknownTrack(id, suggestions: NameMatcher.suggestions(for: id, among: all.map(\.id)))
    }

    /// The default track when none is chosen: the broad six-phase journey.
    public static var defaultTrack: RoadmapTrack { all[0] }

    /// The five tracks, one per source roadmap.
    public static let all: [RoadmapTrack] = [.journey, .twentyWeeks, .expert, .zeroToHero, .mastery]
}

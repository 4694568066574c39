import Foundation

/// Turns a track, what is already learned and a weekly study budget into finish dates per phase.
///
/// Two ways to size a phase (``Basis``): the catalog's per-topic hour estimates, or the duration
/// the track's roadmap states (midpoint of its range, in hours at the roadmap's own weekly pace).
/// Either way, a topic that appears in several phases counts in the first, learned topics are not
/// planned, and phases are studied one after another at `hoursPerWeek` from `start`.
public enum StudyPlanner {
    /// How a phase's remaining hours are computed.
    public enum Basis: String, Sendable, CaseIterable {
        /// Σ estimated hours of the phase's unlearned topics.
        case topics
        /// The roadmap's stated duration (midpoint, at its full- or part-time hours per week), times
        /// the fraction of the phase's topics not yet learned; topic estimates where no duration is stated.
        case roadmap
    }

    /// The plan for one phase.
    public struct PhasePlan: Sendable, Equatable {
        /// Phase title.
        public var title: String
        /// Topics of the phase.
        public var topicCount: Int
        /// Topics already learned.
        public var learnedCount: Int
        /// Hours still to study.
        public var remainingHours: Double
        /// Weeks those hours take at the chosen pace.
        public var weeks: Double
        /// When the phase starts.
        public var start: Date
        /// When it is finished.
        public var finish: Date
        /// The roadmap's own duration for the phase at the pace closest to the chosen one, if stated.
        public var statedDuration: StudyDuration?
    }

    /// Plans every phase of `track`. Throws when `hoursPerWeek` is not a positive number.
    public static func plan(track: RoadmapTrack, catalog: Curriculum = .standard, learned: Set<String>,
                            hoursPerWeek: Double, start: Date, basis: Basis = .topics) throws -> [PhasePlan] {
        guard hoursPerWeek > 0, hoursPerWeek.isFinite, hoursPerWeek <= 24 * 7 else {
            throw RoadmapError.invalidValue(name: "hours per week", value: "\(hoursPerWeek)", allowed: "a positive number up to 168")
        }
        let partTime = hoursPerWeek < (track.fullTimeHoursPerWeek + track.partTimeHoursPerWeek) / 2
        var counted = Set<String>()
        var cursor = start
        var plans: [PhasePlan] = []
        for phase in track.phases {
            var hours = 0.0
            var owned = 0, open = 0
            for id in phase.topics where !counted.contains(id) {
                counted.insert(id)
                owned += 1
                if !learned.contains(id) { hours += try catalog.topic(id).estimatedHours; open += 1 }
            }
            let stated = partTime ? (phase.partTime ?? phase.fullTime) : phase.fullTime
            if basis == .roadmap, let d = stated, let low = d.minWeeks, let high = d.maxWeeks, owned > 0 {
                let pace = (partTime && phase.partTime != nil) ? track.partTimeHoursPerWeek : track.fullTimeHoursPerWeek
                hours = (low + high) / 2 * pace * Double(open) / Double(owned)
            }
            let weeks = hours / hoursPerWeek
            let finish = cursor.addingTimeInterval(weeks * 7 * 86_400)
            // A finish past 9999-12-31 cannot be written as a date (it printed as an empty day):
            // the pace is too slow for the plan to mean anything, and the error says so.
            guard ProgressLimits.isValid(date: finish) else {
                throw RoadmapError.invalidValue(name: "hours per week", value: "\(hoursPerWeek)",
                                                allowed: "a pace that finishes '\(phase.title)' by 9999-12-31 (it needs \(String(format: "%.3g", weeks)) weeks)")
            }
            plans.append(PhasePlan(title: phase.title, topicCount: phase.topics.count,
                                   learnedCount: phase.topics.filter { learned.contains($0) }.count,
                                   remainingHours: hours, weeks: weeks, start: cursor, finish: finish,
                                   statedDuration: stated))
            cursor = finish
        }
        return plans
    }
}

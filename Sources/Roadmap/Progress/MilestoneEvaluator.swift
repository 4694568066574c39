import Foundation

/// Milestones and certificate levels of a track, computed from learned topics and passed checkpoints.
public enum MilestoneEvaluator {
    /// How far the learner is on one milestone or level.
    public struct Status: Sendable, Equatable {
        /// The milestone.
        public var milestone: TrackMilestone
        /// Required topics already learned.
        public var learnedTopics: [String]
        /// Required topics not yet learned.
        public var missingTopics: [String]
        /// Distinct checkpoints passed (over the whole catalog).
        public var checkpointsPassed: Int
        /// True when every topic is learned and enough checkpoints passed.
        public var isReached: Bool { missingTopics.isEmpty && checkpointsPassed >= milestone.minimumCheckpoints }
        /// Completion in 0…1: topics and checkpoints weighted by count.
        public var fraction: Double {
            let need = Double(milestone.topics.count + milestone.minimumCheckpoints)
            guard need > 0 else { return 1 }
            return (Double(learnedTopics.count) + Double(Swift.min(checkpointsPassed, milestone.minimumCheckpoints))) / need
        }
    }

    /// The certificate a learner holds on a track.
    public struct Certificate: Sendable, Equatable {
        /// The track.
        public var trackID: String
        /// The highest level reached with every lower level also reached; nil when none.
        public var level: TrackMilestone?
        /// Status of every level in order.
        public var levels: [Status]
        /// The next level to work on, if any.
        public var next: Status? { levels.first { !$0.isReached } }
    }

    /// Distinct checkpoint ids that passed at least once.
    public static func passedCheckpoints(_ records: [CheckpointRecord]) -> Set<String> {
        Set(records.filter(\.passed).map(\.checkpointID))
    }

    /// The status of one milestone.
    public static func status(of m: TrackMilestone, learned: Set<String>, checkpointsPassed: Int) -> Status {
        Status(milestone: m, learnedTopics: m.topics.filter { learned.contains($0) },
               missingTopics: m.topics.filter { !learned.contains($0) }, checkpointsPassed: checkpointsPassed)
    }

    /// Every milestone of a track, in order.
    public static func milestones(_ track: RoadmapTrack, learned: Set<String>, passed: Set<String>) -> [Status] {
        track.effectiveMilestones.map { status(of: $0, learned: learned, checkpointsPassed: passed.count) }
    }

    /// The certificate level: levels are cumulative, so the first unreached level caps it.
    public static func certificate(_ track: RoadmapTrack, learned: Set<String>, passed: Set<String>) -> Certificate {
        let levels = track.effectiveLevels.map { status(of: $0, learned: learned, checkpointsPassed: passed.count) }
        var reached: TrackMilestone?
        for s in levels {
            guard s.isReached else { break }
            reached = s.milestone
        }
        return Certificate(trackID: track.id, level: reached, levels: levels)
    }
}

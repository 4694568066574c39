import Foundation
import Testing
import Roadmap

let day0 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00 UTC
func days(_ n: Double) -> Date { day0.addingTimeInterval(n * 86_400) }

@Suite struct SchedulingTests {
    @Test func ladderThenSM2() {
        var reviews: [ReviewRecord] = []
        var s = ReviewScheduler.state(learnedAt: day0, reviews: reviews)
        #expect(s.due == days(1))
        reviews.append(ReviewRecord(topicID: "t", reviewedAt: days(1), rating: 5))
        s = ReviewScheduler.state(learnedAt: day0, reviews: reviews)
        #expect(s.intervalDays == 7 && s.due == days(8) && s.repetitions == 1)
        #expect(Swift.abs(s.easiness - 2.6) < 1e-12)
        reviews.append(ReviewRecord(topicID: "t", reviewedAt: days(8), rating: 4))
        s = ReviewScheduler.state(learnedAt: day0, reviews: reviews)
        #expect(s.intervalDays == 30 && s.due == days(38))
        #expect(Swift.abs(s.easiness - 2.6) < 1e-12)  // q = 4 leaves EF unchanged
        reviews.append(ReviewRecord(topicID: "t", reviewedAt: days(38), rating: 3))
        s = ReviewScheduler.state(learnedAt: day0, reviews: reviews)
        #expect(Swift.abs(s.easiness - 2.46) < 1e-12)  // q = 3: −0.14
        #expect(s.intervalDays == 74)  // round(30 × 2.46) = 73.8 → 74
        #expect(s.due == days(38 + 74))
    }

    @Test func forgettingRestartsTheLadderAndKeepsEasiness() {
        let reviews = [ReviewRecord(topicID: "t", reviewedAt: days(1), rating: 5), ReviewRecord(topicID: "t", reviewedAt: days(8), rating: 1)]
        let s = ReviewScheduler.state(learnedAt: day0, reviews: reviews)
        #expect(s.repetitions == 0 && s.intervalDays == 1 && s.due == days(9))
        #expect(Swift.abs(s.easiness - 2.6) < 1e-12)
        let again = ReviewScheduler.state(learnedAt: day0, reviews: reviews + [ReviewRecord(topicID: "t", reviewedAt: days(9), rating: 4)])
        #expect(again.intervalDays == 7)
    }

    @Test func easinessFormulaAndFloor() {
        #expect(Swift.abs(ReviewScheduler.updatedEasiness(2.5, quality: 5) - 2.6) < 1e-12)
        #expect(Swift.abs(ReviewScheduler.updatedEasiness(2.5, quality: 4) - 2.5) < 1e-12)
        #expect(Swift.abs(ReviewScheduler.updatedEasiness(2.5, quality: 0) - 1.7) < 1e-12)
        #expect(ReviewScheduler.updatedEasiness(1.35, quality: 3) == 1.3)
        #expect(ReviewScheduler.interval(repetitions: 5, previous: 100, easiness: 1.3) == 130)
        #expect(ReviewScheduler.interval(repetitions: 3, previous: 1, easiness: 1.3) == 2)  // always grows
    }

    @Test func reviewsBeforeTheMarkAreIgnoredAndOrderDoesNotMatter() {
        let a = ReviewRecord(topicID: "t", reviewedAt: days(1), rating: 5), b = ReviewRecord(topicID: "t", reviewedAt: days(8), rating: 5)
        let old = ReviewRecord(topicID: "t", reviewedAt: days(-3), rating: 0)
        #expect(ReviewScheduler.state(learnedAt: day0, reviews: [b, old, a]) == ReviewScheduler.state(learnedAt: day0, reviews: [a, b]))
    }

    @Test func dueListsOverdueFirst() {
        let marks = [TopicMark(topicID: "pca", learnedAt: day0), TopicMark(topicID: "svm", learnedAt: days(-5)), TopicMark(topicID: "t-sne", learnedAt: days(2))]
        let due = ReviewScheduler.due(marks: marks, reviews: [], now: days(2))
        #expect(due.map(\.topicID) == ["svm", "pca"])
        #expect(due[0].daysOverdue == 6 && due[1].daysOverdue == 1)
        let afterReview = ReviewScheduler.due(marks: marks, reviews: [ReviewRecord(topicID: "svm", reviewedAt: days(2), rating: 5)], now: days(2))
        #expect(afterReview.map(\.topicID) == ["pca"])
    }
}

@Suite struct MilestoneTests {
    let track = RoadmapTrack.twentyWeeks

    @Test func levelsAreCumulative() {
        let beginner = Set(track.levels[0].topics)
        let none = MilestoneEvaluator.certificate(track, learned: beginner, passed: ["a", "b"])
        #expect(none.level == nil, "three checkpoints are required for the first level")
        #expect(none.next?.milestone.id == "beginner")
        let one = MilestoneEvaluator.certificate(track, learned: beginner, passed: ["a", "b", "c"])
        #expect(one.level?.id == "beginner")
        // The second level's topics without the first level's do not count.
        let skipped = MilestoneEvaluator.certificate(track, learned: Set(track.levels[1].topics), passed: Set((0..<20).map { "c\($0)" }))
        #expect(skipped.level == nil)
        let two = MilestoneEvaluator.certificate(track, learned: beginner.union(track.levels[1].topics), passed: Set((0..<9).map { "c\($0)" }))
        #expect(two.level?.id == "intermediate")
    }

    @Test func milestoneFractions() {
        let m = TrackMilestone("m", "M", ["pca", "svm", "k-means"], checkpoints: 1)
        let s = MilestoneEvaluator.status(of: m, learned: ["pca"], checkpointsPassed: 3)
        #expect(s.missingTopics == ["svm", "k-means"])
        #expect(Swift.abs(s.fraction - 0.5) < 1e-12)
        #expect(!s.isReached)
        #expect(MilestoneEvaluator.status(of: m, learned: ["pca", "svm", "k-means"], checkpointsPassed: 1).isReached)
        #expect(!MilestoneEvaluator.status(of: m, learned: ["pca", "svm", "k-means"], checkpointsPassed: 0).isReached)
    }

    @Test func onlyPassingRunsCount() {
        let records = [CheckpointRecord(checkpointID: "a", runAt: day0, passed: false, score: 0.5, detail: ""),
                       CheckpointRecord(checkpointID: "a", runAt: days(1), passed: true, score: 0.9, detail: ""),
                       CheckpointRecord(checkpointID: "b", runAt: day0, passed: false, score: 0.1, detail: "")]
        #expect(MilestoneEvaluator.passedCheckpoints(records) == ["a"])
    }

    @Test func tracksWithoutLevelsUsePhases() {
        #expect(RoadmapTrack.expert.effectiveLevels.count == RoadmapTrack.expert.phases.count)
        #expect(RoadmapTrack.zeroToHero.effectiveLevels.map(\.id) == ["beginner", "intermediate", "advanced"])
    }
}

@Suite struct PlannerTests {
    @Test func phasesFollowEachOther() throws {
        let track = RoadmapTrack.zeroToHero
        let catalog = Curriculum.standard
        let plans = try StudyPlanner.plan(track: track, learned: [], hoursPerWeek: 10, start: day0)
        #expect(plans.count == track.phases.count)
        let firstHours = try track.phases[0].topics.map { try catalog.topic($0).estimatedHours }.reduce(0, +)
        #expect(plans[0].remainingHours == firstHours)
        #expect(Swift.abs(plans[0].weeks - firstHours / 10) < 1e-12)
        #expect(plans[0].finish == day0.addingTimeInterval(firstHours / 10 * 7 * 86_400))
        for i in 1..<plans.count { #expect(plans[i].start == plans[i - 1].finish) }
        #expect(plans[0].statedDuration?.label == "4-6 months", "10 h/week is part-time for this track")
        let fullTime = try StudyPlanner.plan(track: track, learned: [], hoursPerWeek: 40, start: day0)
        #expect(fullTime[0].statedDuration?.label == "2-3 months")
        #expect(fullTime.last!.finish < plans.last!.finish)
    }

    @Test func roadmapBasisUsesStatedDurations() throws {
        let track = RoadmapTrack.zeroToHero  // Foundation: 4-6 months part-time at 12.5 h/week
        let plans = try StudyPlanner.plan(track: track, learned: [], hoursPerWeek: 10, start: day0, basis: .roadmap)
        let expected = 5 * StudyDuration.weeksPerMonth * 12.5
        #expect(Swift.abs(plans[0].remainingHours - expected) < 1e-9)
        let half = Set(track.phases[0].topics.prefix(3))
        let partly = try StudyPlanner.plan(track: track, learned: half, hoursPerWeek: 10, start: day0, basis: .roadmap)
        #expect(Swift.abs(partly[0].remainingHours - expected * Double(track.phases[0].topics.count - 3) / Double(track.phases[0].topics.count)) < 1e-9)
        let mastery = try StudyPlanner.plan(track: .mastery, learned: [], hoursPerWeek: 10, start: day0, basis: .roadmap)
        let topics = try StudyPlanner.plan(track: .mastery, learned: [], hoursPerWeek: 10, start: day0)
        #expect(mastery == topics, "no stated durations: topic estimates")
    }

    @Test func learnedTopicsAreNotPlanned() throws {
        let track = RoadmapTrack.zeroToHero
        let learned = Set(track.phases[0].topics)
        let plans = try StudyPlanner.plan(track: track, learned: learned, hoursPerWeek: 10, start: day0)
        #expect(plans[0].remainingHours == 0 && plans[0].finish == day0 && plans[0].learnedCount == learned.count)
    }

    @Test func topicsInTwoPhasesCountOnce() throws {
        let t = RoadmapTrack(id: "x", name: "x", summary: "x", phases: [TrackPhase("a", ["pca"]), TrackPhase("b", ["pca", "svm"])],
                             totalFullTime: nil, totalPartTime: nil, fullTimeHoursPerWeek: 35, partTimeHoursPerWeek: 15, milestones: [], levels: [])
        let plans = try StudyPlanner.plan(track: t, learned: [], hoursPerWeek: 1, start: day0)
        #expect(plans[0].remainingHours == 5 && plans[1].remainingHours == 8)
    }

    @Test func badPaceThrows() {
        for h in [0.0, -3, .nan, .infinity, 200] {
            #expect(throws: RoadmapError.self) { try StudyPlanner.plan(track: .journey, learned: [], hoursPerWeek: h, start: day0) }
        }
    }

    @Test func durationsConvertMonths() {
        #expect(StudyDuration.months(2, 3).minWeeks! == 2 * 52.0 / 12)
        #expect(StudyDuration.weeks(4, 6).label == "4-6 weeks")
        #expect(StudyDuration.ongoing.minWeeks == nil)
    }
}

@Suite struct ProgressReporterTests {
    @Test func barShowsCountRateAndTimeLeft() {
        var now = 0.0
        var written: [String] = []
        let r = ProgressReporter(total: 4, label: "demos", interactive: true, clock: { now }, write: { written.append($0) })
        now = 2
        r.advance(note: "pca")
        #expect(r.completed == 1)
        #expect(Swift.abs(r.rate - 0.5) < 1e-12)
        #expect(r.secondsLeft == 6)
        let line = r.line()
        #expect(line.contains("1/4 demos") && line.contains("0.50/s") && line.contains("~6s left"))
        #expect(written.last!.hasPrefix("\r[######"))
        r.finish()
        #expect(written.last!.hasSuffix("\r"))
    }

    @Test func quietWhenNotInteractive() {
        var written: [String] = []
        let r = ProgressReporter(total: 3, label: "x", interactive: false, write: { written.append($0) })
        r.begin("a"); r.advance(); r.advance(by: 5); r.finish()
        #expect(written.isEmpty)
        #expect(r.completed == 3)
    }

    @Test func durations() {
        #expect(ProgressReporter.duration(45) == "45s")
        #expect(ProgressReporter.duration(185) == "3m05s")
        #expect(ProgressReporter.duration(3720) == "1h02m")
    }
}

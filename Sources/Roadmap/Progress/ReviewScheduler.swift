import Foundation

/// Spaced review of learned topics.
///
/// The first three reviews follow the study guide's fixed ladder — 1 day, 1 week and 1 month
/// after the previous step — and after that the interval grows by SM-2's easiness factor:
///
/// - After a review rated `q` ∈ 0…5, if `q ≥ 3` the repetition count goes up and the easiness
///   factor becomes `EF' = max(1.3, EF + 0.1 − (5 − q)(0.08 + (5 − q)·0.02))` (EF starts at 2.5).
/// - If `q < 3` the topic was forgotten: the count restarts at 0 (next review in 1 day) and EF is
///   kept, as in SM-2.
/// - The next interval after `n` successful reviews is `ladder[n]` for `n < 3` (1, 7, 30 days), then
///   `round(previous interval × EF)` days.
///
/// Everything is a pure function of the mark date and the review history, so the schedule can be
/// recomputed at any time from the store.
public enum ReviewScheduler {
    /// Days between learning and the first review, then between the first reviews.
    public static let ladder: [Int] = [1, 7, 30]
    /// SM-2's starting easiness factor.
    public static let initialEasiness = 2.5
    /// SM-2's lowest easiness factor.
    public static let minimumEasiness = 1.3
    /// The longest interval (100 years): SM-2's growth would overflow `Int` after ~170 good
    /// reviews of one topic, and no review is useful further out.
    public static let maximumIntervalDays = 36_500

    /// The review state of one topic.
    public struct State: Sendable, Equatable {
        /// Successful reviews in a row.
        public var repetitions: Int
        /// SM-2 easiness factor.
        public var easiness: Double
        /// Days until the next review after `lastEvent`.
        public var intervalDays: Int
        /// The last event: the mark, or the latest review.
        public var lastEvent: Date
        /// When the next review is due.
        public var due: Date
    }

    /// SM-2's easiness update for a recall rated `quality` (0…5), floored at 1.3.
    public static func updatedEasiness(_ easiness: Double, quality: Int) -> Double {
        let q = Double(5 - quality)
        return Swift.max(minimumEasiness, easiness + 0.1 - q * (0.08 + q * 0.02))
    }

    /// The interval (days) after `repetitions` successful reviews, given the previous interval.
    public static func interval(repetitions: Int, previous: Int, easiness: Double) -> Int {
        if repetitions < ladder.count { return ladder[repetitions] }
        let grown = (Double(previous) * easiness).rounded()
        guard grown.isFinite, grown < Double(maximumIntervalDays) else { return maximumIntervalDays }
        return Swift.min(maximumIntervalDays, Swift.max(previous + 1, Int(grown)))
    }

    /// Replays a topic's history: learned at `learnedAt`, then `reviews` (any order; those
    /// before `learnedAt` are ignored).
    public static func state(learnedAt: Date, reviews: [ReviewRecord], calendar: Calendar = utcCalendar) -> State {
        var s = State(repetitions: 0, easiness: initialEasiness, intervalDays: ladder[0], lastEvent: learnedAt,
                      due: addDays(ladder[0], to: learnedAt, calendar))
        for r in reviews.sorted(by: { $0.reviewedAt < $1.reviewedAt }) where r.reviewedAt >= learnedAt {
            if r.rating >= 3 {
                s.easiness = updatedEasiness(s.easiness, quality: r.rating)
                s.repetitions += 1
                s.intervalDays = interval(repetitions: s.repetitions, previous: s.intervalDays, easiness: s.easiness)
            } else {
                s.repetitions = 0
                s.intervalDays = ladder[0]
            }
            s.lastEvent = r.reviewedAt
            s.due = addDays(s.intervalDays, to: r.reviewedAt, calendar)
        }
        return s
    }

    /// A topic whose review is due, with how many days overdue it is.
    public struct DueReview: Sendable, Equatable {
        /// Topic id.
        public var topicID: String
        /// Review state.
        public var state: State
        /// Whole days since it became due (0 = due today).
        public var daysOverdue: Int
    }

    /// Topics due on or before `now`, most overdue first.
    public static func due(marks: [TopicMark], reviews: [ReviewRecord], now: Date, calendar: Calendar = utcCalendar) -> [DueReview] {
        let byTopic = Dictionary(grouping: reviews, by: \.topicID)
        return marks.compactMap { m -> DueReview? in
            let s = state(learnedAt: m.learnedAt, reviews: byTopic[m.topicID] ?? [], calendar: calendar)
            guard s.due <= now else { return nil }
            let days = calendar.dateComponents([.day], from: s.due, to: now).day ?? 0
            return DueReview(topicID: m.topicID, state: s, daysOverdue: days)
        }.sorted { $0.state.due != $1.state.due ? $0.state.due < $1.state.due : $0.topicID < $1.topicID }
    }

    /// A Gregorian calendar in UTC, so schedules do not move with the machine's time zone.
    public static var utcCalendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }

    /// `date` plus `days` calendar days; `.distantFuture` if the calendar cannot represent it.
    static func addDays(_ days: Int, to date: Date, _ calendar: Calendar) -> Date {
        calendar.date(byAdding: .day, value: days, to: date) ?? .distantFuture
    }
}

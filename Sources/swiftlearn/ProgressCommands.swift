import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn progress …`: what you have learned, studied, reviewed and passed.
struct ProgressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "progress",
        abstract: "Track your progress: learned topics, study log, spaced reviews, milestones, certificate, plan, export/import.",
        subcommands: [ProgressShow.self, ProgressMark.self, ProgressUnmark.self, ProgressLog.self, ProgressReview.self, ProgressMilestones.self,
                      ProgressCertificate.self, ProgressPlan.self, ProgressExport.self, ProgressImport.self, ProgressDoctor.self, ProgressStressWrite.self],
        defaultSubcommand: ProgressShow.self)
}

struct ProgressShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Summary of your progress per phase, recent study and due reviews.")
    @OptionGroup var homeOption: HomeOption
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        let s = try homeOption.snapshot()
        let catalog = Curriculum.standard
        let learned = Set(s.marks.map(\.topicID))
        let due = ReviewScheduler.due(marks: s.marks, reviews: s.reviews, now: Date())
        let passed = MilestoneEvaluator.passedCheckpoints(s.checkpoints)
        let hours = s.studyLog.map(\.hours).reduce(0, +)
        if json {
            for p in catalog.phases {
                print(JSONLine([("type", .string("phase")), ("phase", .string(p.id)), ("topics", .int(p.topics.count)), ("learned", .int(p.topics.filter { learned.contains($0.id) }.count))]).text)
            }
            print(JSONLine([("type", .string("summary")), ("learned", .int(learned.count)), ("topics", .int(catalog.topics.count)), ("hours_logged", .double(hours)),
                            ("log_entries", .int(s.studyLog.count)), ("checkpoints_passed", .array(passed.sorted().map { .string($0) })), ("reviews_due", .int(due.count))]).text)
            return
        }
        print("\(learned.count) of \(catalog.topics.count) topics learned · \(String(format: "%.1f", hours)) h logged in \(s.studyLog.count) entries · \(passed.count) checkpoints passed · \(due.count) reviews due")
        print("(\(homeOption.url.appendingPathComponent(ProgressStore.fileName).path))\n")
        for p in catalog.phases {
            let n = p.topics.filter { learned.contains($0.id) }.count
            let bar = String(repeating: "#", count: p.topics.isEmpty ? 0 : n * 20 / p.topics.count).padding(toLength: 20, withPad: "-", startingAt: 0)
            print("\(p.title.padding(toLength: 52, withPad: " ", startingAt: 0)) [\(bar)] \(n)/\(p.topics.count)")
        }
        if !s.studyLog.isEmpty {
            print("\nRecent study:")
            for e in s.studyLog.suffix(5) { print("  \(day(e.loggedAt))  \(formatHours(e.hours))  \(e.note)\(e.topicID.map { " [\($0)]" } ?? "")") }
        }
        if !due.isEmpty { print("\nReviews due: \(due.prefix(8).map(\.topicID).joined(separator: ", "))\(due.count > 8 ? " …" : "") (`swiftlearn progress review`)") }
    }
}

/// One or more topic ids, each checked against the catalog.
struct TopicList: ParsableArguments {
    @Argument(help: "Topic ids.") var topics: [String]

    func validate() throws {
        if topics.isEmpty { throw ValidationError("give at least one topic id") }
        for t in topics { try validateTopic(t) }
    }
}

struct ProgressMark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mark", abstract: "Mark topics as learned (their spaced reviews start: 1 day, 1 week, 1 month …).")
    @OptionGroup var list: TopicList
    @Option(help: "A note kept with the mark.") var note: String?
    @OptionGroup var homeOption: HomeOption
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        let store = try homeOption.store()
        let now = Date()
        for (t, added) in zip(list.topics, try store.mark(list.topics, at: now, note: note)) {
            if json { print(JSONLine([("topic", .string(t)), ("marked", .bool(added))]).text) } else { print(added ? "✓ \(t) marked learned; first review \(day(now.addingTimeInterval(86_400)))" : "\(t) was already marked learned") }
        }
    }
}

struct ProgressUnmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unmark", abstract: "Remove learned marks (and the topics' review history).")
    @OptionGroup var list: TopicList
    @OptionGroup var homeOption: HomeOption
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        let store = try homeOption.store()
        for (t, removed) in zip(list.topics, try store.unmark(list.topics)) {
            if json { print(JSONLine([("topic", .string(t)), ("unmarked", .bool(removed))]).text) } else { print(removed ? "\(t) unmarked" : "\(t) was not marked") }
        }
    }
}

struct ProgressLog: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "Log study time: `swiftlearn progress log 1.5 \"read about SVM kernels\"`; without arguments, list the log.")
    @Argument(help: "Hours studied (positive).") var hours: Double?
    @Argument(help: "What you did.") var note: String?
    @Option(help: "The topic studied.") var topic: String?
    @Option(help: "The day (yyyy-MM-dd, default today).") var date: String?
    @OptionGroup var homeOption: HomeOption
    @Flag(help: "One JSON object per line.") var json = false

    func validate() throws {
        if let h = hours {
            guard h > 0, h.isFinite, h <= 168 else { throw ValidationError("hours must be a positive number (at most 168), got \(h)") }
            guard let n = note, !n.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("add a note: swiftlearn progress log \(h) \"what you studied\"") }
        }
        if let t = topic { try validateTopic(t) }
        if let d = date { try validateDay(d, option: "--date") }
    }

    func run() throws {
        guard let h = hours, let n = note else {
            for e in try homeOption.snapshot().studyLog {
                if json {
                    print(JSONLine([("id", .int(Int(e.id ?? 0))), ("date", .string(day(e.loggedAt))), ("hours", .double(e.hours)), ("note", .string(e.note)), ("topic", .string(e.topicID ?? ""))]).text)
                } else {
                    print("\(day(e.loggedAt))  \(formatHours(e.hours).leftPad(7))  \(e.note)\(e.topicID.map { " [\($0)]" } ?? "")")
                }
            }
            return
        }
        let entry = try homeOption.store().log(hours: h, note: n, topicID: topic, at: date.flatMap(parseDay) ?? Date())
        if json { print(JSONLine([("id", .int(Int(entry.id ?? 0))), ("date", .string(day(entry.loggedAt))), ("hours", .double(h)), ("note", .string(n))]).text) } else { print("logged \(formatHours(h)) on \(day(entry.loggedAt)): \(n)") }
    }
}

struct ProgressReview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review", abstract: "Spaced review: list topics due, or rate your recall of one (`review TOPIC --rate 0-5`).",
        discussion: "Reviews come 1 day, 1 week and 1 month after learning, then at SM-2 intervals that grow with how well you recall (5 perfect, 3 with effort, below 3 forgotten: start again at 1 day).")
    @Argument(help: "Topic reviewed.") var topic: String?
    @Option(help: "Recall quality 0 (forgot) … 5 (perfect).") var rate: Int?
    @Flag(help: "Show the whole schedule, not only what is due.") var all = false
    @OptionGroup var homeOption: HomeOption
    @Flag(help: "One JSON object per line.") var json = false

    func validate() throws {
        if let t = topic {
            try validateTopic(t)
            guard let r = rate else { throw ValidationError("rate your recall of \(t): --rate 0…5") }
            guard (0...5).contains(r) else { throw ValidationError("--rate must be 0…5, got \(r)") }
        } else if rate != nil { throw ValidationError("--rate needs a topic: swiftlearn progress review TOPIC --rate N") }
    }

    func run() throws {
        let now = Date()
        if let t = topic, let r = rate {
            let store = try homeOption.store()
            let s = try usableSnapshot(store)
            guard let mark = s.marks.first(where: { $0.topicID == t }) else {
                throw RoadmapError.invalidValue(name: "topic", value: t, allowed: "mark it learned first (swiftlearn progress mark \(t))")
            }
            try store.recordReview(t, rating: r, at: now)
            let state = ReviewScheduler.state(learnedAt: mark.learnedAt, reviews: s.reviews.filter { $0.topicID == t } + [ReviewRecord(topicID: t, reviewedAt: now, rating: r)])
            if json {
                print(JSONLine([("topic", .string(t)), ("rating", .int(r)), ("next_review", .string(day(state.due))), ("interval_days", .int(state.intervalDays)), ("easiness", .double(state.easiness))]).text)
            } else {
                print("recorded; next review of \(t) in \(state.intervalDays) days (\(day(state.due))), easiness \(String(format: "%.2f", state.easiness))")
            }
            return
        }
        let s = try homeOption.snapshot()
        let byTopic = Dictionary(grouping: s.reviews, by: \.topicID)
        let rows: [(String, ReviewScheduler.State)] = s.marks.map { ($0.topicID, ReviewScheduler.state(learnedAt: $0.learnedAt, reviews: byTopic[$0.topicID] ?? [])) }
            .filter { all || $0.1.due <= now }.sorted { $0.1.due < $1.1.due }
        if rows.isEmpty && !json { print(s.marks.isEmpty ? "Nothing learned yet: `swiftlearn progress mark <topic>` starts the schedule." : "No reviews due. (--all shows the schedule)") }
        for (t, st) in rows {
            let title = Curriculum.standard.topicIfPresent(t)?.title ?? t
            if json {
                print(JSONLine([("topic", .string(t)), ("due", .string(day(st.due))), ("overdue", .bool(st.due <= now)), ("repetitions", .int(st.repetitions)), ("interval_days", .int(st.intervalDays))]).text)
            } else {
                print("\(day(st.due))  \(t.padding(toLength: 30, withPad: " ", startingAt: 0)) \(title)  (review #\(st.repetitions + 1), interval \(st.intervalDays) d)")
            }
        }
    }
}

struct ProgressMilestones: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "milestones", abstract: "The milestones of a track and how far you are on each.")
    @OptionGroup var trackOption: TrackOption
    @OptionGroup var homeOption: HomeOption
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        let track = try trackOption.resolved()
        let s = try homeOption.existingSnapshot()
        let statuses = MilestoneEvaluator.milestones(track, learned: Set(s?.marks.map(\.topicID) ?? []), passed: MilestoneEvaluator.passedCheckpoints(s?.checkpoints ?? []))
        if !json { print("Track \(track.id): \(track.name)\n") }
        for st in statuses {
            if json {
                print(JSONLine([("milestone", .string(st.milestone.id)), ("title", .string(st.milestone.title)), ("reached", .bool(st.isReached)), ("fraction", .double(st.fraction)),
                                ("missing_topics", .array(st.missingTopics.map { .string($0) })), ("checkpoints_passed", .int(st.checkpointsPassed)), ("checkpoints_needed", .int(st.milestone.minimumCheckpoints))]).text)
            } else {
                print("\(st.isReached ? "✓" : "·") \(st.milestone.title)  \(Int((st.fraction * 100).rounded()))%")
                if !st.missingTopics.isEmpty { print("    to learn: \(st.missingTopics.prefix(10).joined(separator: ", "))\(st.missingTopics.count > 10 ? " … (\(st.missingTopics.count))" : "")") }
                if st.milestone.minimumCheckpoints > 0 { print("    checkpoints passed: \(st.checkpointsPassed)/\(st.milestone.minimumCheckpoints)") }
            }
        }
    }
}

struct ProgressCertificate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "certificate", abstract: "Your certificate level on a track (levels as the track's roadmap defines them).")
    @OptionGroup var trackOption: TrackOption
    @OptionGroup var homeOption: HomeOption
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        let track = try trackOption.resolved()
        let s = try homeOption.existingSnapshot()
        let cert = MilestoneEvaluator.certificate(track, learned: Set(s?.marks.map(\.topicID) ?? []), passed: MilestoneEvaluator.passedCheckpoints(s?.checkpoints ?? []))
        if json {
            print(JSONLine([("track", .string(track.id)), ("level", .string(cert.level?.id ?? "")), ("title", .string(cert.level?.title ?? "")),
                            ("next", .string(cert.next?.milestone.id ?? "")), ("next_missing_topics", .array((cert.next?.missingTopics ?? []).map { .string($0) }))]).text)
            return
        }
        print("Track \(track.id): \(track.name)")
        print("Level: \(cert.level?.title ?? "none yet")")
        if let next = cert.next {
            print("Next: \(next.milestone.title) — \(Int((next.fraction * 100).rounded()))%")
            if !next.missingTopics.isEmpty { print("  to learn: \(next.missingTopics.joined(separator: ", "))") }
            if next.milestone.minimumCheckpoints > 0 { print("  checkpoints passed: \(next.checkpointsPassed)/\(next.milestone.minimumCheckpoints) (`swiftlearn checkpoint --list`)") }
        }
    }
}

struct ProgressPlan: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Finish date of each phase of a track at your weekly pace.")
    @Option(help: "Hours you study per week.") var hoursPerWeek: Double
    @Option(help: "Start day (yyyy-MM-dd, default today).") var start: String?
    @Option(help: "Size phases by the catalog's topic estimates (topics) or by the roadmap's stated durations (roadmap).") var basis: String = "topics"
    @OptionGroup var trackOption: TrackOption
    @OptionGroup var homeOption: HomeOption
    @Flag(help: "One JSON object per line.") var json = false

    func validate() throws {
        guard hoursPerWeek > 0, hoursPerWeek.isFinite, hoursPerWeek <= 168 else { throw ValidationError("--hours-per-week must be a positive number up to 168, got \(hoursPerWeek)") }
        if let s = start { try validateDay(s, option: "--start") }
        if StudyPlanner.Basis(rawValue: basis) == nil { throw ValidationError("--basis is topics or roadmap, got '\(basis)'") }
    }

    func run() throws {
        let track = try trackOption.resolved()
        let learned = Set(try homeOption.existingSnapshot()?.marks.map(\.topicID) ?? [])
        let plans = try StudyPlanner.plan(track: track, learned: learned, hoursPerWeek: hoursPerWeek, start: start.flatMap(parseDay) ?? Date(),
                                            basis: StudyPlanner.Basis(rawValue: basis)!)
        if !json { print("Track \(track.id) at \(formatHours(hoursPerWeek)) per week, phases sized by \(basis == "topics" ? "the catalog's topic estimates" : "the roadmap's stated durations"):\n") }
        for (i, p) in plans.enumerated() {
            if json {
                print(JSONLine([("phase", .int(i + 1)), ("title", .string(p.title)), ("remaining_hours", .double(p.remainingHours)), ("weeks", .double(p.weeks)),
                                ("start", .string(day(p.start))), ("finish", .string(day(p.finish))), ("stated", .string(p.statedDuration?.label ?? ""))]).text)
            } else {
                print("\(i + 1). \(p.title.padding(toLength: 46, withPad: " ", startingAt: 0)) \(Int(p.remainingHours.rounded()).description.leftPad(4)) h left  \(String(format: "%5.1f", p.weeks)) weeks  → \(day(p.finish))\(p.statedDuration.map { "  (roadmap: \($0))" } ?? "")")
            }
        }
        if !json, let last = plans.last { print("\nDone by \(day(last.finish)).") }
    }
}

struct ProgressExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write all progress as JSON (to a file or standard output).")
    @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?
    @OptionGroup var homeOption: HomeOption

    func run() throws {
        let data = try homeOption.snapshot().jsonData()
        if let o = output {
            try writeFile(data, to: URL(fileURLWithPath: o))
            print("exported to \(o)")
        } else {
            FileHandle.standardOutput.write(data)
            print("")
        }
    }
}

struct ProgressImport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Read progress exported as JSON; merges by default. A malformed file changes nothing.")
    @Argument(help: "The JSON file from `progress export`.") var file: String
    @Flag(help: "Replace everything instead of merging.") var replace = false
    @OptionGroup var homeOption: HomeOption

    func run() throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw RoadmapError.malformedImport("cannot read \(file) (\(readableReason(error)))")
        }
        let snapshot: ProgressSnapshot
        do { snapshot = try ProgressSnapshot.decode(data) } catch RoadmapError.malformedImport(let m) {
            throw RoadmapError.malformedImport("\(file): \(m)")
        }
        try homeOption.store().importSnapshot(snapshot, replace: replace)
        print("imported \(snapshot.marks.count) marks, \(snapshot.studyLog.count) log entries, \(snapshot.reviews.count) reviews, \(snapshot.checkpoints.count) checkpoint results\(replace ? " (replacing)" : " (merged)")")
    }
}

struct ProgressDoctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Check the progress database: SQLite integrity, row counts, and rows no command can use.",
        discussion: "Each unusable row (a date outside 1970–9999, hours outside (0, 168], a rating outside 0–5, a value of the wrong type) is listed with its table, id, field and value; other commands skip such rows. --repair deletes them, in one transaction. Exits 1 while a problem remains.")
    @Flag(help: "Delete the unusable rows listed.") var repair = false
    @OptionGroup var homeOption: HomeOption
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        guard let store = try repair ? homeOption.existingWritableStore() : homeOption.readOnlyStore() else {
            printFields([("path", .string(homeOption.url.appendingPathComponent(ProgressStore.fileName).path)), ("database", .string("none yet"))], json: json)
            return
        }
        let check = try store.integrityCheck()
        let reading = try store.reading()
        let s = reading.snapshot
        let fields: [(String, JSONValue)] = [("path", .string(store.path.path)), ("integrity", .string(check.joined(separator: "; "))), ("marks", .int(s.marks.count)),
                                              ("log_entries", .int(s.studyLog.count)), ("reviews", .int(s.reviews.count)), ("checkpoint_results", .int(s.checkpoints.count)),
                                              ("unusable_rows", .int(reading.issues.count))]
        printFields(fields, json: json)
        for issue in reading.issues { printIssue(issue, action: "unusable") }
        var remaining = reading.issues.count
        if repair && remaining > 0 {
            if !json { print("\nrepair: deleting the \(remaining) unusable row\(remaining == 1 ? "" : "s") listed above, in one transaction") }
            let deleted = try store.repair()
            for issue in deleted { printIssue(issue, action: "deleted") }
            remaining = try store.reading().issues.count
        } else if remaining > 0 && !json {
            print("\n`swiftlearn progress doctor --repair` deletes these rows.")
        }
        if check != ["ok"] || remaining > 0 { throw ExitCode.failure }
    }

    private func printIssue(_ i: ProgressIssue, action: String) {
        if json {
            print(JSONLine([("type", .string(action)), ("table", .string(i.table)), ("id", .int(Int(i.rowID))), ("field", .string(i.field)),
                            ("value", .string(i.value)), ("allowed", .string(i.allowed))]).text)
        } else {
            print("  \(action): \(i)")
        }
    }
}

/// Hidden: writes study-log entries one transaction at a time and prints each committed id.
/// Used by `scripts/check_progress_kill.sh` to kill a real process in the middle of writing.
struct ProgressStressWrite: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stress-write", abstract: "Write log entries in a loop, printing each committed id (for crash tests).", shouldDisplay: false)
    @Option(help: "Entries to write.") var count = 1000
    @Option(help: "Note text.") var note = "stress"
    @OptionGroup var homeOption: HomeOption

    func run() throws {
        try checkRange(count, option: "--count", 0...1_000_000)
        let store = try homeOption.store()
        for i in 0..<count {
            let e = try store.log(hours: 0.25, note: "\(note) \(i)", at: Date())
            emit("committed \(e.id ?? -1)")
        }
    }
}

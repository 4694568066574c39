import ArgumentParser
import Foundation
import SwiftLearn

/// `swiftlearn roadmap`: the curriculum as a tree, with implemented and learned marks.
struct RoadmapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roadmap",
        abstract: "Show the curriculum: phases, units and topics, what SwiftLearn implements and what you have learned.",
        discussion: "Marks: I = implemented (linked code, tested), D = demo (`swiftlearn demo <id>`), C = checkpoint, ✓ = learned.")

    @OptionGroup var trackOption: TrackOption
    @Option(help: "Only this phase: a catalog phase id, or with --track the phase number.") var phase: String?
    @Option(help: "Show one topic in detail: summary, prerequisites, code, demo, checkpoints, your progress.") var topic: String?
    @Flag(help: "Print the coverage table (per phase: topics, implemented, with demos) instead of the tree.") var coverage = false
    @Flag(help: "With --coverage: GitHub Markdown.") var markdown = false
    @Flag(help: "One JSON object per line.") var json = false
    @OptionGroup var homeOption: HomeOption

    func validate() throws {
        if markdown && !coverage { throw ValidationError("--markdown goes with --coverage") }
        if let p = phase, trackOption.track == nil { _ = try asValidation { try Curriculum.standard.phase(p) } }
        if let t = topic { try validateTopic(t) }
    }

    func run() throws {
        let catalog = Curriculum.standard
        if coverage { return printCoverage(catalog) }
        let snapshot = try homeOption.existingSnapshot()
        if let id = topic { return try printTopic(catalog.topic(id), catalog: catalog, snapshot: snapshot) }
        let learned = Set(snapshot?.marks.map(\.topicID) ?? [])
        // Groups of (title, duration, topics).
        var groups: [(title: String, duration: String, topics: [CurriculumTopic])] = []
        if trackOption.track != nil {
            let track = try trackOption.resolved()
            for (i, p) in track.phases.enumerated() {
                if let want = phase, want != "\(i + 1)", want != p.title { continue }
                let d = [p.fullTime.map { "\($0) full-time" }, p.partTime.map { "\($0) part-time" }].compactMap { $0 }.joined(separator: ", ")
                groups.append(("Phase \(i + 1) · \(p.title)", d, try p.topics.map(catalog.topic)))
            }
            if groups.isEmpty { throw ValidationError("track \(track.id) has phases 1…\(track.phases.count)") }
            if !json {
                print("Track \(track.id): \(track.name) — \(track.summary)")
                let totals = [track.totalFullTime.map { "\($0) full-time" }, track.totalPartTime.map { "\($0) part-time" }].compactMap { $0 }
                if !totals.isEmpty { print("Total: \(totals.joined(separator: ", "))") }
            }
        } else {
            for (i, p) in catalog.phases.enumerated() where phase == nil || phase == p.id {
                groups.append(("Phase \(i + 1) · \(p.title)", "", p.topics))
            }
        }
        if !json { print("Marks: I implemented · D demo · C checkpoint · ✓ learned\n") }
        for g in groups {
            let s = summary(g.topics, learned: learned)
            if json {
                for t in g.topics {
                    print(JSONLine([("type", .string("topic")), ("id", .string(t.id)), ("title", .string(t.title)), ("phase", .string(g.title)),
                                    ("unit", .string(t.unitID)), ("implemented", .bool(t.isImplemented)), ("demo", .bool(t.demo != nil)),
                                    ("checkpoints", .array(t.checkpoints.map { .string($0) })), ("learned", .bool(learned.contains(t.id))),
                                    ("hours", .double(t.estimatedHours)), ("prerequisites", .array(t.prerequisites.map { .string($0) })),
                                    ("code", .array(t.implementations.map { .string($0.description) }))]).text)
                }
                print(JSONLine([("type", .string("phase")), ("phase", .string(g.title)), ("duration", .string(g.duration)), ("topics", .int(s.topics)),
                                ("implemented", .int(s.implemented)), ("demos", .int(s.demos)), ("learned", .int(s.learned)), ("hours", .double(s.hours))]).text)
                continue
            }
            print("\(g.title)\(g.duration.isEmpty ? "" : "  [\(g.duration)]")")
            print("  \(s.topics) topics · \(s.implemented) implemented · \(s.demos) demos · \(s.learned) learned · \(Int(s.hours.rounded())) h")
            var unit = ""
            for t in g.topics {
                if trackOption.track == nil && t.unitID != unit {
                    unit = t.unitID
                    let title = catalog.phases.flatMap(\.units).first { $0.id == unit }?.title ?? unit
                    print("  \(title)")
                }
                let marks = (t.isImplemented ? "I" : "·") + (t.demo != nil ? "D" : "·") + (t.checkpoints.isEmpty ? "·" : "C") + (learned.contains(t.id) ? "✓" : "·")
                print("    \(marks) \(t.id.padding(toLength: 32, withPad: " ", startingAt: 0)) \(t.title) (\(formatHours(t.estimatedHours)))")
            }
            print("")
        }
    }

    func summary(_ topics: [CurriculumTopic], learned: Set<String>) -> (topics: Int, implemented: Int, demos: Int, learned: Int, hours: Double) {
        (topics.count, topics.filter(\.isImplemented).count, topics.filter { $0.demo != nil }.count,
         topics.filter { learned.contains($0.id) }.count, topics.map(\.estimatedHours).reduce(0, +))
    }

    func printTopic(_ t: CurriculumTopic, catalog: Curriculum, snapshot: ProgressSnapshot?) throws {
        let mark = snapshot?.marks.first { $0.topicID == t.id }
        let review = mark.map { m in ReviewScheduler.state(learnedAt: m.learnedAt, reviews: snapshot?.reviews.filter { $0.topicID == t.id } ?? []) }
        let tracks = RoadmapTrack.all.filter { $0.topicIDs.contains(t.id) }.map(\.id)
        let needs = catalog.allPrerequisites(of: t.id)
        if json {
            print(JSONLine([("id", .string(t.id)), ("title", .string(t.title)), ("summary", .string(t.summary)), ("phase", .string(t.phaseID)), ("unit", .string(t.unitID)),
                            ("hours", .double(t.estimatedHours)), ("prerequisites", .array(t.prerequisites.map { .string($0) })),
                            ("code", .array(t.implementations.map { .string($0.description) })), ("demo", .string(t.demo ?? "")),
                            ("checkpoints", .array(t.checkpoints.map { .string($0) })), ("tracks", .array(tracks.map { .string($0) })),
                            ("learned", .bool(mark != nil)), ("next_review", .string(review.map { day($0.due) } ?? ""))]).text)
            return
        }
        print("\(t.title)  [\(t.id)]")
        print("  \(t.summary)")
        print("  phase: \(t.phaseID) / \(t.unitID) · about \(formatHours(t.estimatedHours)) · tracks: \(tracks.joined(separator: ", "))")
        if !t.prerequisites.isEmpty {
            let learned = Set(snapshot?.marks.map(\.topicID) ?? [])
            print("  prerequisites: \(t.prerequisites.map { learned.contains($0) ? "\($0) ✓" : $0 }.joined(separator: ", ")) (\(needs.count) topics in all)")
        }
        print("  code: \(t.implementations.isEmpty ? "not implemented yet" : t.implementations.map(\.description).joined(separator: ", "))")
        if let d = t.demo { print("  demo: swiftlearn demo \(d)") }
        for c in t.checkpoints { print("  checkpoint: swiftlearn checkpoint \(c) — \((try? CheckpointRegistry.checkpoint(c).criterion) ?? "")") }
        if let m = mark, let r = review {
            print("  learned \(day(m.learnedAt)); next review \(day(r.due)) (interval \(r.intervalDays) d)")
        } else {
            print("  not learned yet: swiftlearn progress mark \(t.id)")
        }
    }

    func printCoverage(_ catalog: Curriculum) {
        if markdown { print(catalog.coverageMarkdown()); return }
        for r in catalog.coverage() {
            if json {
                print(JSONLine([("phase", .string(r.phaseID)), ("title", .string(r.title)), ("topics", .int(r.topics)), ("implemented", .int(r.implemented)),
                                ("with_demos", .int(r.withDemos)), ("with_checkpoints", .int(r.withCheckpoints)), ("hours", .double(r.hours))]).text)
            } else {
                print("\(r.title.padding(toLength: 52, withPad: " ", startingAt: 0)) \(String(r.topics).leftPad(4)) topics \(String(r.implemented).leftPad(4)) implemented \(String(r.withDemos).leftPad(4)) demos \(String(r.withCheckpoints).leftPad(3)) checkpoints")
            }
        }
    }
}

func formatHours(_ h: Double) -> String { h == h.rounded() && h.magnitude < 1e15 ? "\(Int(h)) h" : String(format: "%.1f h", h) }

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

/// `swiftlearn demo TOPIC`: runs a topic's demo on bundled data and writes its charts.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Run a topic's demo: what it shows, the result, and SVG charts.")

    @Argument(help: "Topic id (see `swiftlearn demo --list`).") var topic: String?
    @Flag(help: "List the demos.") var list = false
    @Option(help: "Folder for the SVG charts.") var output = "swiftlearn-demos"
    @Option(help: "Seed for every random draw.") var seed: UInt64 = 0
    @Flag(help: "One JSON object per line.") var json = false

    func validate() throws {
        if list { return }
        guard let t = topic else { throw ValidationError("give a topic id, or --list") }
        try checkFolderPath(output, option: "--output")
        if let known = Curriculum.standard.topicIfPresent(t), known.demo == nil {
            throw ValidationError("topic '\(t)' (\(known.title)) has no demo yet: SwiftLearn does not implement it. `swiftlearn demo --list` shows the demos.")
        }
        _ = try asValidation { try DemoRegistry.demo(t) }
    }

    func run() throws {
        if list {
            for d in DemoRegistry.all {
                if json {
                    print(JSONLine([("id", .string(d.id)), ("title", .string(d.title)), ("quick", .bool(d.isQuick)), ("shows", .string(d.shows))]).text)
                } else {
                    print("\(d.id.padding(toLength: 28, withPad: " ", startingAt: 0)) \(d.title)")
                }
            }
            return
        }
        let demo = try DemoRegistry.demo(topic!)
        let run = DemoRegistry.run(demo, context: DemoContext(seed: seed), output: URL(fileURLWithPath: output))
        if json { print(jsonLine(run, kind: "demo")) } else { printRun(run, shows: demo.shows) }
        if !run.passed { throw ExitCode.failure }
    }
}

/// `swiftlearn checkpoint ID`: runs a checkpoint project, checks its criterion, records the result.
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Run a checkpoint project, check its criterion, and record a pass in your progress.")

    @Argument(help: "Checkpoint id (see `swiftlearn checkpoint --list`).") var id: String?
    @Flag(help: "List the checkpoints with your best result.") var list = false
    @Option(help: "Folder for the SVG charts.") var output = "swiftlearn-demos"
    @Option(help: "Seed for every random draw.") var seed: UInt64 = 0
    @Flag(help: "One JSON object per line.") var json = false
    @Flag(help: "Do not record the result.") var dryRun = false
    @OptionGroup var homeOption: HomeOption

    func validate() throws {
        if list { return }
        guard let c = id else { throw ValidationError("give a checkpoint id, or --list") }
        try checkFolderPath(output, option: "--output")
        _ = try asValidation { try CheckpointRegistry.checkpoint(c) }
    }

    func run() throws {
        if list {
            let results = try homeOption.existingSnapshot()?.checkpoints ?? []
            for c in CheckpointRegistry.all {
                let passed = results.contains { $0.checkpointID == c.id && $0.passed }
                if json {
                    print(JSONLine([("id", .string(c.id)), ("title", .string(c.title)), ("criterion", .string(c.criterion)), ("passed", .bool(passed)), ("quick", .bool(c.isQuick))]).text)
                } else {
                    print("\(passed ? "✓" : "·") \(c.id.padding(toLength: 32, withPad: " ", startingAt: 0)) \(c.title)\n      criterion: \(c.criterion)")
                }
            }
            return
        }
        let checkpoint = try CheckpointRegistry.checkpoint(id!)
        let store = dryRun ? nil : try homeOption.store()
        if !json { print("criterion: \(checkpoint.criterion)") }
        let (run, record) = CheckpointRegistry.run(checkpoint, context: DemoContext(seed: seed), output: URL(fileURLWithPath: output))
        if run.skipped == nil { try store?.recordCheckpoint(record) }     // a checkpoint that could not run records nothing
        if json { print(jsonLine(run, kind: "checkpoint")) } else {
            printRun(run, shows: nil)
            print(run.passed ? "PASSED\(store == nil ? "" : " — recorded in your progress")."
                  : run.skipped != nil ? "NOT RUN — nothing recorded." : "NOT PASSED — the criterion was not met.")
        }
        if !run.passed { throw ExitCode.failure }
    }
}

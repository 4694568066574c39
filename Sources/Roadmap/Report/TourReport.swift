import Foundation
import Plot

/// Builds the tour's HTML page: every demo with its result and charts, the coverage table,
/// and the learner's progress on a track.
public struct TourReport {
    /// Demo runs in order.
    public var runs: [(demo: Demo, run: DemoRun)]
    /// The learner's progress, when a store exists.
    public var snapshot: ProgressSnapshot?
    /// The track whose milestones are shown.
    public var track: RoadmapTrack
    /// Facts about the machine (name, value), shown at the top.
    public var machine: [(String, String)]
    /// Total wall time of the tour in seconds.
    public var seconds: Double

    /// Creates a report.
    public init(runs: [(demo: Demo, run: DemoRun)], snapshot: ProgressSnapshot?, track: RoadmapTrack, machine: [(String, String)], seconds: Double) {
        self.runs = runs
        self.snapshot = snapshot
        self.track = track
        self.machine = machine
        self.seconds = seconds
    }

    /// The page.
    public func html(catalog: Curriculum = .standard) -> HTMLReport {
        var page = HTMLReport(title: "SwiftLearn tour")
        let passed = runs.filter { $0.run.passed }.count, skipped = runs.filter { $0.run.skipped != nil }.count
        page.addParagraph("\(passed) of \(runs.count - skipped) demos passed their checks\(skipped > 0 ? " (\(skipped) skipped: they need a downloaded model)" : "") in \(ProgressReporter.duration(seconds)). Each demo runs on data bundled with SwiftLearn; re-run one with `swiftlearn demo <topic>`.")
        if !machine.isEmpty { page.addTable(headers: ["machine", ""], rows: machine.map { [$0.0, $0.1] }) }

        page.addHeading("Your progress (\(track.name))")
        if let s = snapshot {
            let learned = Set(s.marks.map(\.topicID))
            let passedCheckpoints = MilestoneEvaluator.passedCheckpoints(s.checkpoints)
            let hours = s.studyLog.map(\.hours).reduce(0, +)
            page.addParagraph("\(learned.count) topics learned, \(passedCheckpoints.count) checkpoints passed, \(String(format: "%.1f", hours)) hours logged.")
            let statuses = MilestoneEvaluator.milestones(track, learned: learned, passed: passedCheckpoints)
            page.addChart(BarChart(title: "Milestones: percent complete", yLabel: "%", categories: statuses.map { $0.milestone.title.components(separatedBy: ":").first ?? $0.milestone.id },
                                   values: statuses.map { ($0.fraction * 100).rounded() }, horizontal: true, showValues: true),
                          caption: "From `swiftlearn progress milestones --track \(track.id)`.")
            let cert = MilestoneEvaluator.certificate(track, learned: learned, passed: passedCheckpoints)
            page.addParagraph("Certificate level: \(cert.level?.title ?? "none yet")" + (cert.next.map { "; next: \($0.milestone.title)" } ?? ""))
        } else {
            page.addParagraph("No progress recorded yet. Mark what you know with `swiftlearn progress mark <topic>`.")
        }

        page.addHeading("What SwiftLearn implements")
        let coverage = catalog.coverage()
        page.addTable(headers: ["phase", "topics", "implemented", "with demos", "with checkpoints"],
                      rows: coverage.map { [$0.title, "\($0.topics)", "\($0.implemented)", "\($0.withDemos)", "\($0.withCheckpoints)"] })

        page.addHeading("Demos")
        for (demo, run) in runs {
            let topic = catalog.topicIfPresent(demo.id)
            page.addHeading("\(run.passed ? "✓" : run.skipped != nil ? "–" : "✗") \(demo.title)", level: 3)
            page.addParagraph("\(topic.map { "Topic: \($0.title) (\($0.phaseID)). " } ?? "")\(demo.shows) (\(String(format: "%.2f", run.seconds)) s)")
            if let o = run.outcome {
                page.addPreformatted(o.result)
                for fig in o.figures { page.addChart(fig.chart, caption: fig.caption) }
            } else {
                page.addPreformatted("error: \(run.error ?? "unknown")")
            }
        }
        return page
    }
}

import ArgumentParser
import Foundation
import SwiftLearn

/// `swiftlearn tour`: walks the roadmap, runs every quick demo, prints a summary and writes an
/// HTML report with the charts and the learner's progress.
struct TourCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tour",
        abstract: "Walk the implemented roadmap: run every quick demo, check its result, and write an HTML report."
    )

    @Option(help: "Seed for every random draw in the tour.") var seed: UInt64 = 0
    @Option(help: "Folder for the report (index.html and plots/).") var output = "swiftlearn-report"
    @Flag(help: "Also run the slow demos.") var all = false
    @Option(help: "Only demos whose topic id contains this text.") var filter: String?
    @Flag(help: "One JSON object per demo, then a final summary line.") var json = false
    @OptionGroup var trackOption: TrackOption
    @OptionGroup var homeOption: HomeOption

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let demos = DemoRegistry.all.filter { d in (all || d.isQuick) && (filter.map { d.id.contains($0) } ?? true) }
        if demos.isEmpty { throw ValidationError("no demo matches --filter \(filter ?? "")") }
        try checkFolderPath(output, option: "--output")
        let outputDir = URL(fileURLWithPath: output)
        let plots = outputDir.appendingPathComponent("plots")
        let catalog = Curriculum.standard
        if !json {
            print("SwiftLearn tour — \(demos.count) demos across the roadmap (\(catalog.topics.filter(\.isImplemented).count) of \(catalog.topics.count) topics implemented)\n")
            for (k, v) in SystemInfo.current.fields { print("  \(k): \(v)") }
            print("")
        }
        let progress = ProgressReporter(total: demos.count, label: "demos", interactive: !json && ProgressReporter.standardErrorIsTerminal)
        var runs: [(demo: Demo, run: DemoRun)] = []
        for demo in demos {
            progress.begin(demo.id)
            let run = DemoRegistry.run(demo, context: DemoContext(seed: seed), output: plots)
            runs.append((demo, run))
            progress.clear()
            if json { emit(jsonLine(run, kind: "demo")) } else { printRun(run, shows: nil) }
            progress.advance()
        }
        progress.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var snapshot: ProgressSnapshot?
        do { snapshot = try homeOption.existingSnapshot() } catch { FileHandle.standardError.write(Data("warning: your progress is not shown: \(error)\n".utf8)) }
        let track = try trackOption.resolved()
        let report = TourReport(runs: runs, snapshot: snapshot, track: track,
                                machine: SystemInfo.current.fields.map { ($0.0, $0.1.description) }, seconds: seconds)
        let page = try report.html().write(to: outputDir)
        let passed = runs.filter { $0.run.passed }.count
        let failed = runs.filter { $0.run.failed }.map(\.demo.id)
        let skipped = runs.filter { $0.run.skipped != nil }
        if json {
            emit(JSONLine([("final", .bool(true)), ("passed", .int(passed)), ("demos", .int(runs.count)), ("failed", .array(failed.map { .string($0) })),
                           ("skipped", .array(skipped.map { .string($0.demo.id) })), ("seconds", .double(seconds)), ("report", .string(page.path))]).text)
        } else {
            // Each reason once, after the demos it applies to (an LLM model file, the CoNLL-2003 files, …).
            var reasons: [String] = [], byReason: [String: [String]] = [:]
            for s in skipped {
                let reason = s.run.skipped ?? ""
                if byReason[reason] == nil { reasons.append(reason) }
                byReason[reason, default: []].append(s.demo.id)
            }
            let skipLine = skipped.isEmpty ? "" : " Skipped \(skipped.count): " + reasons.map { "\(byReason[$0]!.joined(separator: ", ")) — \($0)" }.joined(separator: "; ") + "."
            print("\n\(passed)/\(runs.count - skipped.count) demos passed in \(ProgressReporter.duration(seconds)).\(failed.isEmpty ? "" : " Failed: \(failed.joined(separator: ", ")).")\(skipLine)")
            print("Report: \(page.path)")
            print("Next: `swiftlearn roadmap` for the whole curriculum, `swiftlearn progress mark <topic>` to track what you learn.")
        }
        if !failed.isEmpty { throw ExitCode.failure }
    }
}

import Foundation
import Testing
import Roadmap

@Suite struct DemoTests {
    static let quickDemos = DemoRegistry.all.filter(\.isQuick).map(\.id)
    static let quickCheckpoints = CheckpointRegistry.all.filter(\.isQuick).map(\.id)

    @Test(arguments: quickDemos)
    func quickDemoRunsAndPasses(_ id: String) throws {
        let dir = temporaryHome("demo-\(id)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let demo = try DemoRegistry.demo(id)
        let run = DemoRegistry.run(demo, context: DemoContext(seed: 0), output: dir)
        let error = run.error, passed = run.passed, result = run.outcome?.result ?? ""
        #expect(error == nil, "\(id): \(error ?? "")")
        #expect(passed, "\(id): \(result)")
        #expect(!(run.outcome?.result.isEmpty ?? true))
        #expect(run.files.count == run.outcome?.figures.count)
        for file in run.files {
            let svg = try String(contentsOf: file, encoding: .utf8)
            #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"), "\(file.lastPathComponent) is not SVG")
        }
        for fig in run.outcome?.figures ?? [] { try fig.chart.validate() }
    }

    @Test(arguments: quickCheckpoints)
    func quickCheckpointPassesAndIsRecorded(_ id: String) throws {
        let home = temporaryHome("checkpoint-\(id)")
        defer { try? FileManager.default.removeItem(at: home) }
        let (run, record) = CheckpointRegistry.run(try CheckpointRegistry.checkpoint(id), output: nil, at: day0)
        let passed = run.passed, message = run.error ?? run.outcome?.result ?? ""
        #expect(passed, "\(id): \(message)")
        #expect(record.passed && record.score != nil && record.checkpointID == id)
        let store = try ProgressStore(home: home)
        try store.recordCheckpoint(record)
        #expect(MilestoneEvaluator.passedCheckpoints(try store.snapshot().checkpoints) == [id])
    }

    @Test func aFailingDemoIsReportedNotThrown() {
        struct Boom: Error {}
        let demo = Demo("x", "X", shows: "fails") { _ in throw Boom() }
        let run = DemoRegistry.run(demo, output: nil)
        #expect(!run.passed && run.error != nil && run.outcome == nil)
        let unmet = Demo("y", "Y", shows: "criterion not met") { _ in DemoOutcome(passed: false, result: "0.4 < 0.9") }
        #expect(!DemoRegistry.run(unmet, output: nil).passed)
    }

    @Test func tourReportHasEveryDemo() throws {
        let demos = DemoRegistry.all.filter { ["tensors", "autograd", "k-means"].contains($0.id) }
        let runs = demos.map { ($0, DemoRegistry.run($0, output: nil)) }
        let snapshot = ProgressSnapshot(exportedAt: day0, marks: [TopicMark(topicID: "k-means", learnedAt: day0)], studyLog: [], reviews: [], checkpoints: [])
        let html = TourReport(runs: runs, snapshot: snapshot, track: .journey, machine: [("cpus", "2")], seconds: 1.5).html().html()
        for d in demos { #expect(html.contains(d.title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "'", with: "&#39;")) || html.contains(d.id)) }
        #expect(html.contains("<svg"))
        #expect(html.contains("1 topics learned"))
    }
}

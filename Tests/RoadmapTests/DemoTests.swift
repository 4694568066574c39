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
        if run.skipped != nil {       // only a demo that needs a model this machine lacks may skip
            #expect(DemoContext().languageModel == nil, "\(id) skipped: \(run.skipped ?? "")")
            return
        }
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
        if run.skipped != nil {
            #expect(DemoContext().languageModel == nil && !record.passed, "\(id) skipped: \(run.skipped ?? "")")
            return
        }
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

/// The LLM demos and checkpoint: skipped (not failed) without a model, with a line saying how to
/// get one; the tour exits 0 and names them.
@Suite struct LanguageModelDemoTests {
    static let needModel = ["open-weight-models", "text-generation", "sampling-strategies"]

    @Test(arguments: needModel)
    func skippedWithoutAModel(_ id: String) throws {
        let run = DemoRegistry.run(try DemoRegistry.demo(id), context: DemoContext(seed: 0, languageModel: nil), output: nil)
        #expect(run.skipped == LanguageModelLocator.howToGet && !run.passed && !run.failed && run.error == nil)
    }

    @Test func languageModelsDemoRunsWithoutAModel() throws {
        let run = DemoRegistry.run(try DemoRegistry.demo("language-models"), context: DemoContext(seed: 0, languageModel: nil), output: nil)
        let result = run.outcome?.result ?? run.error ?? ""
        #expect(run.passed, "\(result)")
        #expect(result.contains("LLM row skipped: needs a GGUF language model"))
        // Order 3 bytes of context beat 1 byte, which beats none (the check that can fail).
        #expect(run.outcome?.metrics.first?.value ?? 9 < 3.5, "\(result)")
    }

    @Test func aSkippedCheckpointIsNotAPass() throws {
        let (run, record) = CheckpointRegistry.run(try CheckpointRegistry.checkpoint("llm-perplexity"),
                                                   context: DemoContext(seed: 0, languageModel: nil), output: nil, at: day0)
        #expect(run.skipped != nil && !record.passed && !run.failed)
    }

    @Test func locatorPrefersTheVariableThenTheDefaultPath() throws {
        let dir = temporaryHome("locator")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(LanguageModelLocator.find(environment: [:], folder: dir) == nil)
        #expect(LanguageModelLocator.find(environment: ["SWIFTLEARN_LLM_MODEL": "/x/m.gguf"], folder: dir)?.path == "/x/m.gguf")
        let model = dir.appendingPathComponent(LanguageModelLocator.defaultPath)
        try FileManager.default.createDirectory(at: model.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data([0]).write(to: model)
        #expect(LanguageModelLocator.find(environment: [:], folder: dir)?.path == model.path)
    }

    @Test func referencePerplexityIsTheFixtures() throws {
        let url = repositoryRoot.appendingPathComponent("Tests/LLMTests/Fixtures/smollm2_llamacpp.json")
        // The literal, parsed by Double(_:) (correctly rounded; Foundation's JSON parser is 1 ulp off here).
        let text = try String(contentsOf: url, encoding: .utf8)
        let literal = text.range(of: #""perplexity": [0-9.]+"#, options: .regularExpression).map { String(text[$0].dropFirst(14)) }
        #expect(literal.flatMap(Double.init) == CheckpointRegistry.llamaCppHeldOutPerplexity, "\(literal ?? "no perplexity")")
    }

    @Test(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built"))
    func tourSkipsWhatNeedsAModelAndPasses() throws {
        let dir = temporaryHome("tour-skip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try swiftlearn(["tour", "--filter", "text-generation", "--output", dir.appendingPathComponent("report").path],
                               input: Data(), home: dir, environment: ["SWIFTLEARN_LLM_MODEL": nil], directory: dir)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("0/0 demos passed") && r.out.contains("Skipped 1: text-generation — needs a GGUF language model: run scripts/fetch_models.sh"), "\(r.out)")
        let missing = try swiftlearn(["demo", "text-generation", "--output", dir.path], input: Data(), home: dir,
                                     environment: ["SWIFTLEARN_LLM_MODEL": dir.appendingPathComponent("none.gguf").path], directory: dir)
        #expect(missing.status == 1 && missing.out.contains("none.gguf"), "\(missing.out)\(missing.err)")
    }
}

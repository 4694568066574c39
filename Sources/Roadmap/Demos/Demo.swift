import Foundation
import Plot

/// A chart a demo or checkpoint produced, written as `<fileName>.svg`.
public struct DemoFigure {
    /// File name without extension (kebab-case).
    public var fileName: String
    /// The chart.
    public var chart: any SVGChart
    /// One line saying what to look at.
    public var caption: String

    /// Creates a figure.
    public init(_ fileName: String, _ chart: any SVGChart, caption: String) {
        self.fileName = fileName
        self.chart = chart
        self.caption = caption
    }
}

/// What a demo (or checkpoint) run found.
public struct DemoOutcome {
    /// True when the demo's own check held (for example "gradient descent matches the closed form").
    public var passed: Bool
    /// The result in a few lines of plain text.
    public var result: String
    /// Key figures, by name, for `--json` and the report.
    public var metrics: [(name: String, value: Double)]
    /// Charts.
    public var figures: [DemoFigure]
    /// Why the demo did not run, when it needs something this machine lacks (a downloaded model):
    /// a skip is neither a pass nor a failure.
    public var skipped: String?

    /// Creates an outcome.
    public init(passed: Bool, result: String, metrics: [(name: String, value: Double)] = [], figures: [DemoFigure] = []) {
        self.passed = passed
        self.result = result
        self.metrics = metrics
        self.figures = figures
    }

    /// The outcome of a demo that cannot run here, saying what it needs and how to get it.
    public static func skipped(_ reason: String) -> DemoOutcome {
        var o = DemoOutcome(passed: false, result: "skipped: \(reason)")
        o.skipped = reason
        return o
    }
}

/// Settings shared by every demo and checkpoint run.
public struct DemoContext: Sendable {
    /// Seed for every random draw (data splits, initialisations); same seed, same result.
    public var seed: UInt64
    /// The GGUF language model the LLM demos use (nil: they are skipped, saying how to get one).
    public var languageModel: URL?

    /// Creates a context; the language model is found by ``LanguageModelLocator/find()`` unless given.
    public init(seed: UInt64 = 0, languageModel: URL? = LanguageModelLocator.find()) {
        self.seed = seed
        self.languageModel = languageModel
    }

    /// The seed as the `Int` that Learn's `randomState` parameters take.
    public var randomState: Int { Int(truncatingIfNeeded: seed) }
}

/// A topic's demo: runs on bundled data, shows one idea, checks its result, and draws it.
public struct Demo {
    /// The topic id (`swiftlearn demo <id>`).
    public var id: String
    /// Title.
    public var title: String
    /// What the demo shows, in one or two sentences.
    public var shows: String
    /// True when it finishes in a few seconds (the tour and the test suite run quick demos).
    public var isQuick: Bool
    /// The demo itself.
    public var body: (DemoContext) throws -> DemoOutcome

    /// Creates a demo.
    public init(_ id: String, _ title: String, shows: String, quick: Bool = true, _ body: @escaping (DemoContext) throws -> DemoOutcome) {
        self.id = id
        self.title = title
        self.shows = shows
        self.isQuick = quick
        self.body = body
    }
}

/// The record of one demo or checkpoint run.
public struct DemoRun {
    /// Id of what ran.
    public var id: String
    /// Its title.
    public var title: String
    /// The outcome; nil when it threw.
    public var outcome: DemoOutcome?
    /// The error message when it threw.
    public var error: String?
    /// Wall-clock seconds.
    public var seconds: Double
    /// SVG files written (empty without an output folder).
    public var files: [URL]

    /// True when it ran without error and its check held.
    public var passed: Bool { (outcome?.passed ?? false) && error == nil && outcome?.skipped == nil }
    /// Why it was skipped (it needs something this machine lacks); nil when it ran.
    public var skipped: String? { error == nil ? outcome?.skipped : nil }
    /// True when it ran and failed (threw or missed its check); a skip is not a failure.
    public var failed: Bool { !passed && skipped == nil }
}

/// Every demo SwiftLearn ships, by topic id.
///
/// To add demos from another module, define `static let <family>: [Demo]` in an extension
/// (one file per family, like `DemoRegistry+Classical.swift`), append it to ``all``, and set
/// `demo: true` on the topics in the catalog; the catalog test checks both directions.
public enum DemoRegistry {
    /// All demos in catalog order.
    public static var all: [Demo] { foundations + supervised + unsupervised + evaluation + neural + generative + lmTraining + language + largeLanguageModels + retrieval + rag + agents + reinforcementLearning + deepReinforcementLearning + serving + mlops }

    /// The demo for a topic id; throws with close matches when there is none.
    public static func demo(_ id: String) throws -> Demo {
        if let d = all.first(where: { $0.id == id }) { return d }
        throw RoadmapError.unknownDemo(id, suggestions: NameMatcher.suggestions(for: id, among: all.map(\.id)))
    }

    /// Runs a demo, catching its errors, and writes its charts to `output` (when given) as
    /// `<output>/<demo id>-<figure>.svg`.
    public static func run(_ demo: Demo, context: DemoContext = DemoContext(), output: URL?) -> DemoRun {
        timedRun(id: demo.id, title: demo.title, output: output) { try demo.body(context) }
    }

    static func timedRun(id: String, title: String, output: URL?, _ body: () throws -> DemoOutcome) -> DemoRun {
        let start = DispatchTime.now().uptimeNanoseconds
        var run = DemoRun(id: id, title: title, outcome: nil, error: nil, seconds: 0, files: [])
        do {
            let outcome = try body()
            run.outcome = outcome
            if let dir = output {
                for f in outcome.figures {
                    run.files.append(try f.chart.writeSVG(to: dir.appendingPathComponent("\(id)-\(f.fileName).svg")))
                }
            }
        } catch {
            run.error = "\(error)"
        }
        run.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return run
    }
}

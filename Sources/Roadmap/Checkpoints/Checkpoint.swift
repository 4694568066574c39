import Foundation

/// A checkpoint project: runs a whole task on real data and checks a stated success criterion.
/// A pass is recorded in the progress store and counts towards milestones and certificates.
public struct Checkpoint {
    /// Kebab-case id (`swiftlearn checkpoint <id>`).
    public var id: String
    /// Title.
    public var title: String
    /// Topics it exercises (catalog ids).
    public var topicIDs: [String]
    /// The success criterion in words, with its threshold.
    public var criterion: String
    /// True when it finishes in a few seconds (the test suite runs quick ones).
    public var isQuick: Bool
    /// The project; its outcome's first metric is the score compared with the criterion.
    public var body: (DemoContext) throws -> DemoOutcome

    /// Creates a checkpoint.
    public init(_ id: String, _ title: String, topics: [String], criterion: String, quick: Bool = true,
                _ body: @escaping (DemoContext) throws -> DemoOutcome) {
        self.id = id
        self.title = title
        self.topicIDs = topics
        self.criterion = criterion
        self.isQuick = quick
        self.body = body
    }
}

/// Every checkpoint SwiftLearn ships.
///
/// To add checkpoints from another module, define `static let <family>: [Checkpoint]` in an
/// extension, append it to ``all``, and list the id in the topics' `checkpoints:` in the catalog.
public enum CheckpointRegistry {
    /// All checkpoints.
    public static var all: [Checkpoint] { classical + neural + generative + lmTraining + largeLanguageModels + rag + agents + reinforcementLearning + reinforcementLearningProjects + nlp + serving + mlops }

    /// The checkpoint with this id; throws with close matches when unknown.
    public static func checkpoint(_ id: String) throws -> Checkpoint {
        if let c = all.first(where: { $0.id == id }) { return c }
        throw RoadmapError.unknownCheckpoint(id, suggestions: NameMatcher.suggestions(for: id, among: all.map(\.id)))
    }

    /// Runs a checkpoint (errors are caught into the run), writes its charts under `output`, and
    /// returns the run with the record to store.
    public static func run(_ checkpoint: Checkpoint, context: DemoContext = DemoContext(), output: URL?, at date: Date = Date()) -> (run: DemoRun, record: CheckpointRecord) {
        let run = DemoRegistry.timedRun(id: checkpoint.id, title: checkpoint.title, output: output) { try checkpoint.body(context) }
        let detail = run.error.map { "error: \($0)" } ?? (run.outcome?.result.replacingOccurrences(of: "\n", with: "; ") ?? "")
        let record = CheckpointRecord(checkpointID: checkpoint.id, runAt: date, passed: run.passed,
                                      score: run.outcome?.metrics.first?.value, detail: detail)
        return (run, record)
    }
}

import Foundation
import Retrieval

/// Retrieval quality over the answerable questions of a QA set, by the ``GoldPassage`` rule:
/// hit@k (a relevant chunk in the top k), recall@k (relevant chunks in the top k over all relevant
/// chunks of the index), MRR@10 and nDCG@10 with binary gains.
public struct RetrievalMetrics: Sendable, Equatable, Codable {
    /// The cut-offs reported.
    public static let cutoffs = [1, 3, 5, 10]
    /// Answerable questions scored.
    public var questions = 0
    /// hit@k and recall@k for k in ``cutoffs``.
    public var hit: [Int: Double] = [:]
    /// recall@k for k in ``cutoffs``.
    public var recall: [Int: Double] = [:]
    /// Mean reciprocal rank of the first relevant chunk in the top 10.
    public var mrr = 0.0
    /// Mean nDCG@10 with binary gains.
    public var ndcg = 0.0
    /// Seconds for all the questions' retrievals.
    public var seconds = 0.0

    /// Zero metrics.
    public init() {}
}

/// Answer quality: SQuAD's exact match and token F1 against the reference answers (refused
/// answerable questions score 0), citation precision (the share of citations whose passage holds
/// the gold passage), refusals on unanswerable and answerable questions, and — with a judge model —
/// RAGAS-style faithfulness (the judge finds every statement supported by the sources) and answer
/// relevance (the judge finds that the answer addresses the question), as shares of "yes".
public struct AnswerMetrics: Sendable, Equatable, Codable {
    /// Answerable questions asked.
    public var answerable = 0
    /// Unanswerable questions asked.
    public var unanswerable = 0
    /// SQuAD exact match over the answerable questions.
    public var exactMatch = 0.0
    /// SQuAD token F1 over the answerable questions.
    public var f1 = 0.0
    /// Citations made in answers to answerable questions.
    public var citations = 0
    /// Share of those whose cited passage holds the gold passage.
    public var citationPrecision = 0.0
    /// Refused unanswerable questions / unanswerable questions.
    public var refusalRate = 0.0
    /// Refused answerable questions / answerable questions.
    public var falseRefusalRate = 0.0
    /// Judge: share of answers whose every statement the sources support (nil without a judge).
    public var faithfulness: Double?
    /// Judge: share of answers that address the question (nil without a judge).
    public var answerRelevance: Double?
    /// Wall seconds per question, retrieval and generation together.
    public var meanSecondsPerQuestion = 0.0

    /// Zero metrics.
    public init() {}
}

/// What happened to one question (for reports and `--json`).
public struct QuestionOutcome: Sendable, Equatable {
    /// The question's id.
    public var id: String
    /// 1-based rank of the first relevant passage in the top 10, if any.
    public var firstRelevantRank: Int?
    /// The answer given (answer runs only).
    public var answer: String?
    /// Whether it was refused (answer runs only).
    public var refused: Bool?
    /// Token F1 against the reference (answered answerable questions only).
    public var f1: Double?
}

/// Evaluates retrieval and answers on a QA set.
public enum RAGEvaluation {
    /// Retrieval metrics for `options` (its `k` is raised to 10, the largest cut-off).
    public static func retrieval(_ retriever: RAGRetriever, items: [QAItem], options: RetrievalOptions) async throws
        -> (RetrievalMetrics, [QuestionOutcome]) {
        var options = options
        options.k = max(options.k, RetrievalMetrics.cutoffs.last!)
        let gold = items.filter { $0.answerable && $0.passage != nil }
        guard !gold.isEmpty else { throw RAGError.invalidParameter(name: "qa", value: "\(items.count) questions", reason: "none has a source and a passage") }
        let relevantCounts = try totalRelevant(gold, in: retriever.index)
        var metrics = RetrievalMetrics()
        metrics.questions = gold.count
        var outcomes: [QuestionOutcome] = []
        let started = Date()
        var hits = [Int: Double](), recalls = [Int: Double](), mrr = 0.0, ndcg = 0.0
        for item in gold {
            let passages = try await retriever.retrieve(item.question, options: options)
            let relevant = passages.map { isRelevant($0, item) }
            let total = max(1, relevantCounts[item.id] ?? 1)
            for k in RetrievalMetrics.cutoffs {
                let found = relevant.prefix(k).filter { $0 }.count
                hits[k, default: 0] += found > 0 ? 1 : 0
                recalls[k, default: 0] += Double(min(found, total)) / Double(total)
            }
            let first = relevant.prefix(10).firstIndex(of: true)
            if let f = first { mrr += 1 / Double(f + 1) }
            var dcg = 0.0
            for (i, r) in relevant.prefix(10).enumerated() where r { dcg += 1 / log2(Double(i + 2)) }
            let ideal = (0..<min(total, 10)).reduce(0.0) { $0 + 1 / log2(Double($1 + 2)) }
            ndcg += ideal > 0 ? dcg / ideal : 0
            outcomes.append(QuestionOutcome(id: item.id, firstRelevantRank: first.map { $0 + 1 }))
        }
        metrics.seconds = Date().timeIntervalSince(started)
        let n = Double(gold.count)
        for k in RetrievalMetrics.cutoffs { metrics.hit[k] = hits[k, default: 0] / n; metrics.recall[k] = recalls[k, default: 0] / n }
        metrics.mrr = mrr / n
        metrics.ndcg = ndcg / n
        return (metrics, outcomes)
    }

    /// Whether a retrieved passage holds the question's gold passage.
    public static func isRelevant(_ p: RetrievedPassage, _ item: QAItem) -> Bool {
        guard let source = item.source, let passage = item.passage, GoldPassage.sourceMatches(p.source, source) else { return false }
        return GoldPassage.contains(p.text, passage: passage)
    }

    /// For each question, the stored chunks of its source that hold its passage (at least 1).
    static func totalRelevant(_ items: [QAItem], in index: RAGIndex) throws -> [String: Int] {
        let collection = index.collection
        var chunksBySource: [String: [Chunk]] = [:]
        let ids = try collection.documentIDs()
        var out: [String: Int] = [:]
        for item in items {
            guard let source = item.source, let passage = item.passage else { continue }
            if chunksBySource[source] == nil {
                var chunks: [Chunk] = []
                for id in ids where GoldPassage.sourceMatches(id, source) { chunks += try collection.chunks(of: id) }
                chunksBySource[source] = chunks
            }
            out[item.id] = max(1, chunksBySource[source]!.filter { GoldPassage.contains($0.text, passage: passage) }.count)
        }
        return out
    }

    /// Answer metrics: every question answered by `pipeline`; `judge` (optional) grades
    /// faithfulness and relevance. `progress` is called after each question.
    public static func answers(_ pipeline: RAGPipeline, items: [QAItem], judge: (any RAGLanguageModel)? = nil,
                               progress: (Int, QAItem, RAGAnswer) -> Void = { _, _, _ in }) async throws -> (AnswerMetrics, [QuestionOutcome]) {
        var m = AnswerMetrics()
        var outcomes: [QuestionOutcome] = []
        var em = 0.0, f1 = 0.0, correctCitations = 0, refusedUnanswerable = 0, refusedAnswerable = 0
        var faithful = 0.0, relevantAnswers = 0.0, judged = 0
        let started = Date()
        for (i, item) in items.enumerated() {
            let a = try await pipeline.answer(item.question)
            progress(i + 1, item, a)
            var outcome = QuestionOutcome(id: item.id, answer: a.answer, refused: a.refused)
            if item.answerable {
                m.answerable += 1
                if a.refused { refusedAnswerable += 1 } else if let reference = item.answer {
                    let score = tokenF1(a.plainAnswer, reference)
                    f1 += score
                    em += normalizedAnswer(a.plainAnswer) == normalizedAnswer(reference) ? 1 : 0
                    outcome.f1 = score
                    for c in a.citations {
                        m.citations += 1
                        let p = a.passages[c.n - 1]
                        if isRelevant(p, item) { correctCitations += 1 }
                    }
                }
            } else {
                m.unanswerable += 1
                if a.refused { refusedUnanswerable += 1 }
            }
            if let judge, !a.refused {
                judged += 1
                let sources = a.passages.enumerated().map { "[\($0 + 1)] \($1.text)" }.joined(separator: "\n\n")
                let f = try await judge.complete([
                    .system("You check answers against sources. Reply with yes or no only."),
                    .user("Sources:\n\(sources)\n\nAnswer: \(a.plainAnswer)\n\nIs every statement in the answer supported by the sources? Reply yes or no."),
                ], maxTokens: 3)
                let r = try await judge.complete([
                    .system("You check whether answers respond to questions. Reply with yes or no only."),
                    .user("Question: \(item.question)\n\nAnswer: \(a.plainAnswer)\n\nDoes the answer respond to the question? Reply yes or no."),
                ], maxTokens: 3)
                faithful += f.lowercased().trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("yes") ? 1 : 0
                relevantAnswers += r.lowercased().trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("yes") ? 1 : 0
            }
            outcomes.append(outcome)
        }
        if m.answerable > 0 {
            m.exactMatch = em / Double(m.answerable)
            m.f1 = f1 / Double(m.answerable)
            m.falseRefusalRate = Double(refusedAnswerable) / Double(m.answerable)
        }
        if m.unanswerable > 0 { m.refusalRate = Double(refusedUnanswerable) / Double(m.unanswerable) }
        m.citationPrecision = m.citations > 0 ? Double(correctCitations) / Double(m.citations) : 0
        if judge != nil && judged > 0 { m.faithfulness = faithful / Double(judged); m.answerRelevance = relevantAnswers / Double(judged) }
        m.meanSecondsPerQuestion = items.isEmpty ? 0 : Date().timeIntervalSince(started) / Double(items.count)
        return (m, outcomes)
    }

    /// SQuAD's answer normalization: lowercase, punctuation removed, articles removed, spaces collapsed.
    public static func normalizedAnswer(_ s: String) -> String {
        let noPunctuation = String(s.lowercased().map { $0.isPunctuation || $0.isSymbol ? " " : $0 })
        return noPunctuation.split(separator: " ").filter { !["a", "an", "the"].contains($0) }.joined(separator: " ")
    }

    /// SQuAD's token F1 between a prediction and a reference.
    public static func tokenF1(_ prediction: String, _ reference: String) -> Double {
        let p = normalizedAnswer(prediction).split(separator: " ").map(String.init)
        let r = normalizedAnswer(reference).split(separator: " ").map(String.init)
        guard !p.isEmpty, !r.isEmpty else { return p.isEmpty && r.isEmpty ? 1 : 0 }
        var counts: [String: Int] = [:]
        for t in r { counts[t, default: 0] += 1 }
        var common = 0
        for t in p where (counts[t] ?? 0) > 0 { counts[t]! -= 1; common += 1 }
        guard common > 0 else { return 0 }
        let precision = Double(common) / Double(p.count), recall = Double(common) / Double(r.count)
        return 2 * precision * recall / (precision + recall)
    }
}

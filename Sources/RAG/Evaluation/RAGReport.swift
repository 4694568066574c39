import Foundation
import Plot

/// The evaluation report page: retrieval metrics per configuration (table and bar charts) and,
/// when answers were generated, the answer metrics.
public enum RAGReport {
    /// Writes `index.html` under `directory`.
    public static func write(to directory: URL, corpus: String, retrieval: [(name: String, metrics: RetrievalMetrics)],
                             answers: (name: String, metrics: AnswerMetrics)?) throws -> URL {
        var report = HTMLReport(title: "RAG evaluation — \(corpus)")
        report.addParagraph("Retrieval is scored on the answerable questions by the gold-passage rule (the chunk comes from the question's source and holds at least 60% of its passage as one run of words).")
        let cutoffs = RetrievalMetrics.cutoffs
        report.addHeading("Retrieval")
        report.addTable(headers: ["configuration", "questions"] + cutoffs.map { "hit@\($0)" } + cutoffs.map { "recall@\($0)" } + ["MRR@10", "nDCG@10", "seconds"],
                        rows: retrieval.map { name, m in
            [name, String(m.questions)] + cutoffs.map { f(m.hit[$0]) } + cutoffs.map { f(m.recall[$0]) } + [f(m.mrr), f(m.ndcg), String(format: "%.2f", m.seconds)]
        })
        report.addChart(BarChart(title: "hit@k by configuration", yLabel: "share of questions", categories: cutoffs.map { "hit@\($0)" },
                                 series: retrieval.map { entry in (entry.name, cutoffs.map { entry.metrics.hit[$0] ?? 0 }) }))
        report.addChart(BarChart(title: "MRR@10 and nDCG@10", yLabel: "score", categories: ["MRR@10", "nDCG@10"],
                                 series: retrieval.map { ($0.name, [$0.metrics.mrr, $0.metrics.ndcg]) }))
        if let (name, m) = answers {
            report.addHeading("Answers (\(name))")
            report.addTable(headers: ["metric", "value"], rows: [
                ["answerable questions", String(m.answerable)], ["unanswerable questions", String(m.unanswerable)],
                ["exact match", f(m.exactMatch)], ["token F1", f(m.f1)], ["citations", String(m.citations)],
                ["citation precision", f(m.citationPrecision)], ["refusal on unanswerable", f(m.refusalRate)],
                ["refusal on answerable (false)", f(m.falseRefusalRate)], ["faithfulness (judge)", f(m.faithfulness)],
                ["answer relevance (judge)", f(m.answerRelevance)], ["seconds per question", String(format: "%.2f", m.meanSecondsPerQuestion)],
            ])
        }
        return try report.write(to: directory)
    }

    static func f(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "—" }
}

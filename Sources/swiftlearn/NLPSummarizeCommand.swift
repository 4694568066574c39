import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn nlp summarize`: extractive summaries by TextRank.
struct NLPSummarizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summarize",
        abstract: "Summarize text by TextRank: the best-ranked sentences, in document order.",
        discussion: """
        Sentences are linked by the words they share (summa's weight: common words over log10 of both \
        lengths; words are scikit-learn's analyzer's, English stop words removed) and ranked by networkx's \
        PageRank (damping 0.85). With --per-line each line of the input is a document summarized on its \
        own, one summary line each — ready for `swiftlearn nlp score --metric rouge1 --hypotheses …`.
        """
    )

    @Option(help: "The text to summarize (UTF-8).") var input: String
    @Option(help: "Sentences per summary.") var sentences: Int?
    @Option(help: "Share of the sentences to keep, in (0, 1] (instead of --sentences).") var ratio: Double?
    @Option(help: "PageRank damping factor.") var damping = 0.85
    @Flag(help: "Each line is a separate document; print one summary per line.") var perLine = false
    @Flag(help: "JSON: one object per document with the chosen sentences, their indices and scores.") var json = false

    func validate() throws {
        if sentences != nil && ratio != nil { throw ValidationError("give --sentences or --ratio, not both") }
        if let s = sentences, !(1...10_000).contains(s) { throw ValidationError("--sentences must be in 1…10000") }
        if let r = ratio, !(r > 0 && r <= 1) { throw ValidationError("--ratio must be in (0, 1]") }
        guard damping > 0, damping < 1 else { throw ValidationError("--damping must be in (0, 1)") }
    }

    func run() throws {
        var textRank: TextRank
        do { textRank = try TextRank() } catch let e as NLPError { throw ValidationError(e.description) }
        textRank.damping = damping
        let documents = perLine ? try NLPScoreCommand.lines(input) : [try NLPScoreCommand.lines(input).joined(separator: "\n")]
        for (d, text) in documents.enumerated() {
            let chosen = try ratio.map { try textRank.summarize(text, ratio: $0) } ?? textRank.summarize(text, sentences: sentences ?? 3)
            if json {
                print(JSONLine([("document", .int(d)), ("summary", .string(chosen.map(\.text).joined(separator: " "))),
                                ("sentences", .array(chosen.map { .int($0.index) })), ("scores", .array(chosen.map { exactJSON($0.score) }))]).text)
            } else {
                print(chosen.map(\.text).joined(separator: perLine ? " " : "\n"))
            }
        }
    }
}

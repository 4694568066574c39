import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn bench nlp`: single-threaded throughput of BPE encoding, WordPiece encoding and
/// TF-IDF `fitTransform` on the lines of a corpus. `benchmarks/compare_nlp.py` runs Hugging Face
/// `tokenizers` and scikit-learn on the same files in the same run.
struct NLPBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nlp",
        abstract: "BPE / WordPiece encode and TF-IDF fit_transform throughput (one JSON object per line with --json)."
    )

    @Option(help: "Corpus file, one text per line (default: a generated text of 20,000 lines).") var corpus: String?
    @Option(help: "Byte-level BPE tokenizer.json (default: trained here on the corpus, 8,000 ids).") var bpe: String?
    @Option(help: "WordPiece tokenizer.json or BERT vocab.txt (WordPiece is skipped without it).") var wordpiece: String?
    @Option(help: "Timed runs per measurement (the median is reported).") var runs = 5
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        try checkRange(runs, option: "--runs", 1...maximumRuns)
        let lines: [String]
        if let corpus {
            lines = try readTextFile(corpus).split(separator: "\n").map(String.init)
            guard !lines.isEmpty else { throw NLPError.fileError(path: corpus, reason: "the corpus has no lines") }
        } else {
            lines = Self.generatedCorpus(lines: 20_000)
        }
        let bytes = lines.reduce(0) { $0 + $1.utf8.count }

        func report(_ name: String, tokens: Int, seconds: Double) {
            let fields: [(String, JSONValue)] = [("name", .string(name)), ("items", .int(lines.count)), ("bytes", .int(bytes)),
                                                 ("tokens", .int(tokens)), ("seconds", .double(seconds)),
                                                 ("items_per_s", .double(Double(lines.count) / seconds)),
                                                 ("tokens_per_s", .double(Double(tokens) / seconds)),
                                                 ("mb_per_s", .double(Double(bytes) / seconds / 1e6))]
            if json { print(JSONLine(fields).text) } else {
                print("\(name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(String(format: "%9.4f s %12.0f items/s %12.0f tokens/s", seconds, Double(lines.count) / seconds, Double(tokens) / seconds))")
            }
            fflush(stdout)
        }

        let bpeTokenizer: HFTokenizer
        if let bpe { bpeTokenizer = try HFTokenizer(contentsOf: URL(fileURLWithPath: bpe)) }
        else { bpeTokenizer = HFTokenizer(try BPETokenizer.train(corpus: lines, vocabularySize: 8000)) }
        guard case .bpe(let b) = bpeTokenizer.model else { throw ValidationError("--bpe \(bpe ?? "") is not a byte-level BPE tokenizer.json") }
        var count = 0
        let tBPE = medianSeconds(runs: runs) { count = 0; for l in lines { b.encode(l) { _ in count += 1 } } }
        report("bpe_encode", tokens: count, seconds: tBPE)

        if let wordpiece {
            let url = URL(fileURLWithPath: wordpiece)
            let w = url.pathExtension == "txt" ? HFTokenizer(try WordPieceTokenizer(vocabularyFile: url)) : try HFTokenizer(contentsOf: url)
            guard case .wordPiece = w.model else { throw ValidationError("--wordpiece \(wordpiece) is not a WordPiece tokenizer") }
            w.padding = nil
            w.truncation = nil
            let tWP = medianSeconds(runs: runs) { count = 0; for l in lines { count += w.encode(l).ids.count } }
            report("wordpiece_encode", tokens: count, seconds: tWP)
        }

        var nnz = 0
        let tTfidf = try medianSecondsThrowing(runs: runs) { nnz = try TfidfVectorizer().fitTransform(lines).nonzeroCount }
        report("tfidf_fit_transform", tokens: nnz, seconds: tTfidf)

        let trainLines = Array(lines.prefix(5000))
        let tTrain = try medianSecondsThrowing(runs: max(1, runs / 2)) { _ = try BPETokenizer.train(corpus: trainLines, vocabularySize: 2000) }
        report("bpe_train_2000", tokens: 2000, seconds: tTrain)
    }

    /// `medianSeconds` for a throwing body.
    func medianSecondsThrowing(runs: Int, _ body: () throws -> Void) throws -> Double {
        var failure: Error?
        let t = medianSeconds(runs: runs) { do { try body() } catch { failure = error } }
        if let failure { throw failure }
        return t
    }

    /// Seeded word salad over English function words and Porter's test words, for a run without files.
    static func generatedCorpus(lines: Int) -> [String] {
        let words = StopWords.englishList + ["learning", "tokenizer", "vector", "matrix", "gradient", "naïve", "café", "東京", "🙂", "2024", "don't"]
        var state: UInt64 = 42
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        return (0..<lines).map { _ in (0..<(5 + next() % 25)).map { _ in words[next() % words.count] }.joined(separator: " ") }
    }
}

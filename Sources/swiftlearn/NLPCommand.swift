import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn nlp`: the classic NLP tasks, files in and `--json` out.
struct NLPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nlp",
        abstract: "Classic NLP tasks on text files: word vectors, n-gram language models, topic models, text classification, sequence labelling (CRF), extractive summaries, and scoring generated text against references.",
        subcommands: [NLPWord2VecCommand.self, NLPVectorsCommand.self, NLPNGramCommand.self, NLPTopicsCommand.self, NLPClassifyCommand.self, NLPTagCommand.self, NLPSummarizeCommand.self, NLPScoreCommand.self]
    )
}

/// `swiftlearn nlp score`: BLEU and chrF as sacrebleu computes them, ROUGE as rouge-score does.
struct NLPScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score hypotheses against references, one segment per line (BLEU and chrF equal sacrebleu's, ROUGE rouge-score's).",
        discussion: """
        BLEU and chrF are corpus scores on sacrebleu's 0–100 scale (sacrebleu's defaults: 13a tokenizer, exp smoothing, \
        chrF2). ROUGE is computed per line by rouge-score's rules (lowercased [a-z0-9] tokens, no stemming) and its \
        precision, recall and F1 are averaged over the lines; `score` is the mean F1 (0–1). Give --references once per \
        reference file: BLEU and chrF use them as sacrebleu's reference streams, ROUGE keeps the best F1 per line.
        """
    )

    @Option(help: "bleu, chrf, chrf++, rouge1 … rouge9, rougeL or rougeLsum (rougeLsum splits a line's sentences on a literal \\n).")
    var metric: String
    @Option(help: "The hypotheses (system output), one per line.") var hypotheses: String
    @Option(help: "A reference file parallel to the hypotheses; repeat for several references.") var references: [String] = []
    @Flag(help: "Lowercase before scoring (BLEU and chrF; ROUGE always lowercases).") var lowercase = false
    @Option(help: "BLEU's tokenizer: 13a, char or none.") var tokenize = "13a"
    @Option(help: "BLEU's smoothing: exp, floor, add-k or none.") var smoothMethod = "exp"
    @Option(help: "The value for floor (default 0.1) or add-k (default 1).") var smoothValue: Double?
    @Flag(help: "BLEU: leave out n-gram orders with no matches (sacrebleu's --sentence-level behaviour).") var effectiveOrder = false
    @Flag(help: "One JSON object.") var json = false

    static let maxFileBytes = 1 << 30

    func validate() throws {
        let known = ["bleu", "chrf", "chrf++"]
        if !known.contains(metric) {
            do { _ = try ROUGE.Kind(metric) } catch {
                throw ValidationError("unknown --metric '\(metric)' (bleu, chrf, chrf++, rouge1 … rouge9, rougeL, rougeLsum)")
            }
        }
        guard !references.isEmpty else { throw ValidationError("give at least one --references FILE") }
        guard references.count <= 100 else { throw ValidationError("at most 100 --references files") }
        guard BLEU.Tokenizer(rawValue: tokenize) != nil else { throw ValidationError("--tokenize must be 13a, char or none") }
        guard ["exp", "floor", "add-k", "none"].contains(smoothMethod) else { throw ValidationError("--smooth-method must be exp, floor, add-k or none") }
        if let v = smoothValue, !(v.isFinite && v >= 0) { throw ValidationError("--smooth-value must be a finite number ≥ 0") }
    }

    /// The lines of a text file (a final newline ends the last line; "\r\n" endings are accepted).
    static func lines(_ path: String) throws -> [String] {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maxFileBytes {
            throw ValidationError("\(path) is \(size) bytes; the limit is \(maxFileBytes)")
        }
        return TextLines.split(try readTextFile(path))
    }

    func run() throws {
        let hyps = try Self.lines(hypotheses)
        let streams = try references.map(Self.lines)
        for (path, s) in zip(references, streams) where s.count != hyps.count {
            throw ValidationError("\(path) has \(s.count) lines; \(hypotheses) has \(hyps.count)")
        }
        var fields: [(String, JSONValue)] = [("metric", .string(metric)), ("segments", .int(hyps.count)), ("references", .int(streams.count))]
        var text: String
        switch metric {
        case "bleu":
            let smoothing: BLEU.Smoothing
            switch smoothMethod {
            case "floor": smoothing = .floor(smoothValue ?? 0.1)
            case "add-k": smoothing = .addK(smoothValue ?? 1)
            case "none": smoothing = .none
            default: smoothing = .exp
            }
            let bleu = BLEU(lowercase: lowercase, tokenizer: BLEU.Tokenizer(rawValue: tokenize) ?? .thirteenA, smoothing: smoothing, effectiveOrder: effectiveOrder)
            let s = try bleu.corpusScore(hypotheses: hyps, references: streams)
            let signature = "nrefs:\(streams.count)|case:\(lowercase ? "lc" : "mixed")|eff:\(effectiveOrder ? "yes" : "no")|tok:\(tokenize)|smooth:\(smoothMethod)"
            fields += [("score", exactJSON(s.score)), ("counts", .array(s.counts.map { .int($0) })), ("totals", .array(s.totals.map { .int($0) })),
                       ("precisions", .array(s.precisions.map(exactJSON))), ("bp", exactJSON(s.brevityPenalty)), ("ratio", exactJSON(s.ratio)),
                       ("hyp_len", .int(s.hypothesisLength)), ("ref_len", .int(s.referenceLength)), ("signature", .string(signature))]
            text = String(format: "BLEU = %.2f %@ (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)  %@", s.score,
                          s.precisions.map { String(format: "%.1f", $0) }.joined(separator: "/"), s.brevityPenalty, s.ratio,
                          s.hypothesisLength, s.referenceLength, signature)
        case "chrf", "chrf++":
            let m = CHRF(wordOrder: metric == "chrf++" ? 2 : 0, lowercase: lowercase)
            let s = try m.corpusScore(hypotheses: hyps, references: streams)
            let signature = "nrefs:\(streams.count)|case:\(lowercase ? "lc" : "mixed")|eff:yes|nc:6|nw:\(m.wordOrder)|space:no"
            fields += [("name", .string(m.name)), ("score", exactJSON(s.score)), ("signature", .string(signature))]
            text = String(format: "%@ = %.2f  %@", m.name, s.score, signature)
        default:
            let kind = try ROUGE.Kind(metric)
            // rougeLsum's sentences: a literal \n inside a line separates them.
            let unescape = { (line: String) in kind == .lSum ? line.replacingOccurrences(of: "\\n", with: "\n") : line }
            let s = try ROUGE.corpusScore(kind, hypotheses: hyps.map(unescape), references: streams.map { $0.map(unescape) })
            let (p, r, f) = (s.precision, s.recall, s.fmeasure)
            fields += [("score", exactJSON(f)), ("precision", exactJSON(p)), ("recall", exactJSON(r)), ("fmeasure", exactJSON(f))]
            text = String(format: "%@: F1 %.4f  precision %.4f  recall %.4f  (mean over %d lines)", metric, f, p, r, hyps.count)
        }
        print(json ? JSONLine(fields).text : text)
    }
}

/// `swiftlearn nlp word2vec`: train word vectors on a corpus (gensim's `Word2Vec` and `LineSentence`).
struct NLPWord2VecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "word2vec",
        abstract: "Train word2vec (skip-gram or CBOW, negative sampling) on a corpus, one sentence per line; write the word2vec format.",
        discussion: "Settings take gensim's names and defaults: vector_size=100 window=5 min_count=5 sg=0 negative=5 ns_exponent=0.75 sample=0.001 alpha=0.025 min_alpha=0.0001 epochs=5 seed=1 cbow_mean=1 workers=2 shrink_windows=1. Lines are split on whitespace as gensim's LineSentence splits them."
    )

    @Option(help: "The corpus: UTF-8 text, one sentence per line, words separated by whitespace.") var input: String
    @Option(help: "Where to write the vectors (word2vec format).") var output: String
    @Flag(help: "Write the binary word2vec format instead of text.") var binary = false
    @Option(name: .customLong("set"), parsing: .upToNextOption, help: "A setting as key=value under gensim's name (vector_size, window, min_count, sg, negative, sample, alpha, min_alpha, epochs, seed, cbow_mean, workers, ns_exponent, shrink_windows); repeatable.")
    var settings: [String] = []
    @Flag(help: "A JSON line per epoch, then a final object with words_per_second.") var json = false

    func options() throws -> Word2VecOptions {
        var o = Word2VecOptions()
        for (k, v) in try parseSettings(settings).sorted(by: { $0.key < $1.key }) {
            do { try o.set(k, v) } catch let e as NLPError { throw ValidationError(e.description) }
        }
        return o
    }

    func validate() throws { _ = try options() }

    func run() throws {
        let o = try options()
        let sentences = try NLPScoreCommand.lines(input).map { line in line.split(whereSeparator: { $0.isWhitespace }).map(String.init) }
        let start = Date()
        let model = try Word2Vec(sentences: sentences, options: o)
        let vocabularySeconds = Date().timeIntervalSince(start)
        let report = try model.train(sentences: sentences) { epoch, seconds in
            if json { print(JSONLine([("epoch", .int(epoch)), ("seconds", .double(seconds))]).text) } else {
                print(String(format: "epoch %d/%d done, %.1f s", epoch, o.epochs, seconds))
            }
            fflush(stdout)
        }
        try model.vectors.save(word2vecFormat: output, binary: binary)
        if json {
            print(JSONLine([("words", .int(model.vectors.count)), ("vector_size", .int(o.vectorSize)), ("sg", .int(o.skipGram ? 1 : 0)),
                            ("raw_words", .int(report.rawWords)), ("effective_words", .int(report.effectiveWords)),
                            ("vocabulary_seconds", .double(vocabularySeconds)), ("train_seconds", .double(report.seconds)),
                            ("words_per_second", .double(report.wordsPerSecond)), ("effective_words_per_second", .double(report.effectiveWordsPerSecond)),
                            ("output", .string(output))]).text)
        } else {
            print(String(format: "%d words × %d dimensions (%@); %d corpus words × %d epochs in %.1f s (%.0f words/s, %.0f effective words/s) → %@",
                         model.vectors.count, o.vectorSize, o.skipGram ? "skip-gram" : "CBOW", report.rawWords / o.epochs, o.epochs, report.seconds,
                         report.wordsPerSecond, report.effectiveWordsPerSecond, output))
        }
    }
}

/// `swiftlearn nlp vectors`: query and evaluate word vectors in the word2vec format.
struct NLPVectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Nearest words, analogies and the standard evaluations of word2vec-format vectors (gensim's KeyedVectors)."
    )

    @Option(help: "The vectors (word2vec format; ours or gensim's).") var vectors: String
    @Flag(help: "The file is in the binary word2vec format.") var binary = false
    @Option(help: "Print the words nearest to this one.") var similar: String?
    @Option(help: "An analogy a:b:c — the words nearest to b − a + c.") var analogy: String?
    @Option(help: "Mikolov's analogy questions file (': section' lines, then 'a b c d').") var evaluateAnalogies: String?
    @Option(help: "A word-pair similarity file (word<TAB>word<TAB>score, '#' comments), e.g. WordSim-353.") var evaluatePairs: String?
    @Option(help: "Results per query.") var topn = 10
    @Option(help: "Only the first N (most frequent) words take part in the evaluations, as gensim's restrict_vocab.") var restrictVocab = 300_000
    @Flag(help: "One JSON object per result.") var json = false

    func validate() throws {
        guard similar != nil || analogy != nil || evaluateAnalogies != nil || evaluatePairs != nil else {
            throw ValidationError("give --similar, --analogy, --evaluate-analogies or --evaluate-pairs")
        }
        guard (1...10_000).contains(topn) else { throw ValidationError("--topn must be 1…10000") }
        guard restrictVocab >= 1 else { throw ValidationError("--restrict-vocab must be ≥ 1") }
        if let a = analogy, a.split(separator: ":").count != 3 { throw ValidationError("--analogy takes a:b:c") }
    }

    func run() throws {
        let wv = try WordVectors.load(word2vecFormat: vectors, binary: binary)
        func show(_ label: String, _ items: [(word: String, similarity: Double)]) {
            if json {
                print(JSONLine([("query", .string(label)), ("results", .array(items.map { .object([("word", .string($0.word)), ("similarity", exactJSON($0.similarity))]) }))]).text)
            } else {
                print(label + ": " + items.map { String(format: "%@ %.4f", $0.word, $0.similarity) }.joined(separator: ", "))
            }
        }
        if let w = similar { show(w, try wv.mostSimilar(positive: [w], topN: topn)) }
        if let a = analogy {
            let p = a.split(separator: ":").map(String.init)
            show("\(p[1]) - \(p[0]) + \(p[2])", try wv.mostSimilar(positive: [p[1], p[2]], negative: [p[0]], topN: topn))
        }
        if let path = evaluateAnalogies {
            let e = try wv.evaluateWordAnalogies(try readTextFile(path), restrictVocabulary: restrictVocab)
            if json {
                print(JSONLine([("evaluation", .string("analogies")), ("accuracy", exactJSON(e.accuracy)), ("correct", .int(e.correct)),
                                ("incorrect", .int(e.incorrect)), ("skipped", .int(e.skipped)),
                                ("sections", .array(e.sections.map { .object([("section", .string($0.name)), ("correct", .int($0.correct)), ("incorrect", .int($0.incorrect))]) }))]).text)
            } else {
                for s in e.sections { print(String(format: "%-32@ %5d / %5d", s.name, s.correct, s.correct + s.incorrect)) }
                print(String(format: "analogy accuracy %.4f (%d of %d questions; %d skipped, words outside the vocabulary)", e.accuracy, e.correct, e.correct + e.incorrect, e.skipped))
            }
        }
        if let path = evaluatePairs {
            let e = try wv.evaluateWordPairs(try readTextFile(path), restrictVocabulary: restrictVocab)
            if json {
                print(JSONLine([("evaluation", .string("pairs")), ("pearson", exactJSON(e.pearson)), ("spearman", exactJSON(e.spearman)),
                                ("pairs", .int(e.pairs)), ("oov_ratio", exactJSON(e.outOfVocabularyPercent))]).text)
            } else {
                print(String(format: "word pairs: Spearman %.4f, Pearson %.4f over %d pairs (%.1f%% out of vocabulary)", e.spearman, e.pearson, e.pairs, e.outOfVocabularyPercent))
            }
        }
    }
}

/// `swiftlearn nlp ngram`: an interpolated Kneser–Ney n-gram model (NLTK's `KneserNeyInterpolated`).
struct NLPNGramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ngram",
        abstract: "Fit an interpolated Kneser–Ney n-gram model on sentences (one per line) and report held-out perplexity, as NLTK's KneserNeyInterpolated."
    )

    @Option(help: "Training text: one sentence per line, words separated by whitespace.") var train: String
    @Option(help: "Held-out text in the same form (perplexity over its padded order-grams).") var test: String?
    @Option(help: "N-gram order (2–10).") var order = 3
    @Option(help: "Discount d in (0, 1) (NLTK's default 0.1).") var discount = 0.1
    @Option(help: "Words seen fewer times become <UNK> (NLTK's unk_cutoff).") var unkCutoff = 1
    @Option(help: "Also print P(word | context) for this query, written 'context words|word'.") var query: [String] = []
    @Flag(help: "One JSON object.") var json = false

    func validate() throws {
        guard (2...10).contains(order) else { throw ValidationError("--order must be 2…10") }
        guard discount.isFinite, discount > 0, discount < 1 else { throw ValidationError("--discount must be in (0, 1)") }
        guard unkCutoff >= 1 else { throw ValidationError("--unk-cutoff must be ≥ 1") }
        for q in query where !q.contains("|") { throw ValidationError("--query takes 'context words|word'") }
    }

    func run() throws {
        func sentences(_ path: String) throws -> [[String]] {
            try NLPScoreCommand.lines(path).map { $0.split(whereSeparator: { $0.isWhitespace }).map(String.init) }
        }
        let start = Date()
        let lm = try KneserNeyModel(order: order, sentences: try sentences(train), discount: discount, unkCutoff: unkCutoff)
        let fitSeconds = Date().timeIntervalSince(start)
        var fields: [(String, JSONValue)] = [("order", .int(order)), ("discount", exactJSON(discount)), ("vocabulary", .int(lm.vocabulary.count)),
                                             ("fit_seconds", .double(fitSeconds))]
        var text = ["order \(order), discount \(discount): \(lm.vocabulary.count) words in the vocabulary, fitted in \(String(format: "%.2f", fitSeconds)) s"]
        if let test {
            let held = try sentences(test)
            let grams = lm.evaluationNGrams(held)
            let entropy = try lm.entropy(of: grams)
            let perplexity = Foundation.pow(2.0, entropy)
            fields += [("test_ngrams", .int(grams.count)), ("entropy_bits", exactJSON(entropy)), ("perplexity", perplexity.isFinite ? exactJSON(perplexity) : .string("inf"))]
            text.append("held-out: \(grams.count) \(order)-grams, cross-entropy \(String(format: "%.4f", entropy)) bits, perplexity \(String(format: "%.3f", perplexity))\(perplexity.isFinite ? "" : " (a held-out word is <UNK> and <UNK> never occurred in training: raise --unk-cutoff)")")
        }
        var scored: [JSONValue] = []
        for q in query {
            let parts = q.split(separator: "|", maxSplits: 1).map(String.init)
            let context = parts[0].split(whereSeparator: { $0.isWhitespace }).map(String.init), word = parts.count > 1 ? parts[1] : ""
            let p = lm.score(word, context: context)
            scored.append(.object([("context", .string(parts[0])), ("word", .string(word)), ("probability", exactJSON(p))]))
            text.append("P(\(word) | \(parts[0])) = \(p)")
        }
        if !query.isEmpty { fields.append(("queries", .array(scored))) }
        print(json ? JSONLine(fields).text : text.joined(separator: "\n"))
    }
}

import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn nlp tag`: train a linear-chain CRF on CoNLL files, score it with seqeval's entity
/// F1, and tag new files (CRFsuite's `crfsuite learn` / `tag` with sklearn-crfsuite's tutorial features).
struct NLPTagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Train a CRF or HMM sequence labeller (NER, chunking, POS) on CoNLL files and score it as seqeval does.",
        discussion: """
        Files are CoNLL columns (one token per line, blank lines between sentences, -DOCSTART- lines skipped): the word \
        in the first column, the gold tag in --tag-column (default the last), an optional part of speech in --pos-column. \
        Features are the sklearn-crfsuite tutorial's (word, suffixes, shape, POS, neighbours). Training is CRFsuite's lbfgs \
        with an L2 penalty: --set c2=1 max_iterations=100 epsilon=1e-5 minfreq=0 possible_states=false \
        possible_transitions=false workers=<cores> (threads; results do not depend on it). The report is seqeval's (entity precision, recall, F1 per type; default mode) on --test.
        """
    )

    @Option(help: "Training sentences (CoNLL columns).") var train: String
    @Option(help: "Test sentences, scored after training.") var test: String?
    @Option(help: "Column of the gold tag (negative: from the end).") var tagColumn = -1
    @Option(help: "Column of a part-of-speech tag to use as a feature (omit for none).") var posColumn: Int?
    @Option(help: "crf (features, CRFsuite's training) or hmm (words only, NLTK's HiddenMarkovModelTagger: Lidstone γ = 0.1, Viterbi).") var model = "crf"
    @Option(name: .customLong("set"), parsing: .upToNextOption, help: "Training settings as key=value (c2, max_iterations, epsilon, minfreq, possible_states, possible_transitions, workers).") var settings: [String] = []
    @Option(help: "Tag this CoNLL file (words in the first column) after training.") var predict: String?
    @Option(help: "Where --predict writes its tokens with their predicted tags (CoNLL); default stdout.") var output: String?
    @Flag(help: "JSON lines: one per entity type, then the summary.") var json = false

    func options() throws -> LinearChainCRF.TrainingOptions {
        var o = LinearChainCRF.TrainingOptions()
        for (key, value) in try parseSettings(settings) {
            func number(_ range: ClosedRange<Double>) throws -> Double {
                guard let d = Double(value), d.isFinite, range.contains(d) else { throw ValidationError("--set \(key)=\(value): expected a number in \(range.lowerBound)…\(range.upperBound)") }
                return d
            }
            func flag() throws -> Bool {
                guard let b = ["true": true, "1": true, "false": false, "0": false][value.lowercased()] else { throw ValidationError("--set \(key)=\(value): expected true or false") }
                return b
            }
            switch key {
            case "c2": o.c2 = try number(0...1e12)
            case "max_iterations":
                let v = try number(1...1e7)
                guard v == v.rounded() else { throw ValidationError("--set max_iterations must be a whole number") }
                o.maxIterations = Int(v)
            case "epsilon": o.gradientTolerance = try number(0...1e12)
            case "minfreq": o.minFrequency = try number(0...1e12)
            case "possible_states": o.allPossibleStates = try flag()
            case "possible_transitions": o.allPossibleTransitions = try flag()
            case "workers":
                let v = try number(1...256)
                guard v == v.rounded() else { throw ValidationError("--set workers must be a whole number") }
                o.workers = Int(v)
            case "c1": throw ValidationError("--set c1: the L1 penalty (OWL-QN) is not implemented; use c2")
            default: throw ValidationError("unknown --set \(key) (c2, max_iterations, epsilon, minfreq, possible_states, possible_transitions, workers)")
            }
        }
        return o
    }

    func validate() throws {
        _ = try options()
        guard ["crf", "hmm"].contains(model) else { throw ValidationError("--model must be crf or hmm") }
        if model == "hmm" && !settings.isEmpty { throw ValidationError("--set applies to the CRF; the HMM has no settings") }
        if output != nil && predict == nil { throw ValidationError("--output needs --predict") }
    }

    /// Words, optional POS and tags of a CoNLL file's sentences.
    func read(_ path: String, tags: Bool) throws -> (items: [[CRFItem]], words: [[String]], tags: [[String]]) {
        // A word and a tag at least when tags are read; the tag and POS columns must exist.
        let needed = max(tags ? max(2, tagColumn < 0 ? -tagColumn : tagColumn + 1) : 1, (posColumn ?? 0) + 1)
        let sentences: [CoNLL.Sentence]
        do { sentences = try CoNLL.read(path, minimumColumns: needed) } catch let e as NLPError { throw ValidationError(e.description) }
        guard !sentences.isEmpty else { throw ValidationError("\(path) has no sentences") }
        let words = try CoNLL.column(sentences, 0)
        let pos = try posColumn.map { try CoNLL.column(sentences, $0) }
        let items = words.indices.map { TaggingFeatures.tutorial(words: words[$0], pos: pos?[$0]) }
        return (items, words, tags ? try CoNLL.column(sentences, tagColumn) : [])
    }

    func run() throws {
        let o = try options()
        let training = try read(train, tags: true)
        let trainStart = Date()
        let tagger: ([CRFItem], [String]) throws -> [String]
        var fields: [(String, JSONValue)] = [("model", .string(model)), ("train_sentences", .int(training.items.count))]
        var summary: String
        if model == "hmm" {
            let hmm = try HMMTagger(sentences: zip(training.words, training.tags).map { zip($0, $1).map { (word: $0, tag: $1) } })
            let seconds = Date().timeIntervalSince(trainStart)
            tagger = { _, words in hmm.tag(words) }
            fields += [("labels", .int(hmm.states.count)), ("words", .int(hmm.symbols.count)), ("train_seconds", .double(seconds))]
            summary = String(format: "HMM: %d sentences, %d tags, %d words; counted in %.2f s", training.items.count, hmm.states.count, hmm.symbols.count, seconds)
        } else {
            let (crf, report) = try LinearChainCRF.train(sequences: training.items, labels: training.tags, options: o)
            let trainSeconds = Date().timeIntervalSince(trainStart)   // feature set and L-BFGS
            tagger = { items, _ in try crf.viterbi(items).labels }
            fields += [("labels", .int(crf.labelCount)), ("features", .int(crf.featureCount)), ("iterations", .int(report.iterations)),
                       ("log_likelihood", .double(report.logLikelihood)), ("train_seconds", .double(trainSeconds))]
            summary = String(format: "CRF: %d sentences, %d labels, %d features; %d L-BFGS iterations in %.1f s, log-likelihood %.2f",
                             training.items.count, crf.labelCount, crf.featureCount, report.iterations, trainSeconds, report.logLikelihood)
        }
        if let test {
            let data = try read(test, tags: true)
            let start = Date()
            let predicted = try zip(data.items, data.words).map { try tagger($0, $1) }
            let seconds = Date().timeIntervalSince(start)
            let tokens = data.items.reduce(0) { $0 + $1.count }
            let r = SequenceLabelingMetrics.report(data.tags, predicted, digits: 4)
            let accuracy = SequenceLabelingMetrics.accuracy(data.tags, predicted)
            if json {
                for row in r.types {
                    print(JSONLine([("type", .string(row.name)), ("precision", .double(row.precision)), ("recall", .double(row.recall)),
                                    ("f1", .double(row.f1)), ("support", .int(row.support))]).text)
                }
            } else {
                print(r.text)
            }
            fields += [("test_sentences", .int(data.items.count)), ("precision", .double(r.micro.precision)), ("recall", .double(r.micro.recall)),
                       ("f1", .double(r.micro.f1)), ("token_accuracy", .double(accuracy)), ("tag_tokens_per_second", .double(Double(tokens) / max(seconds, 1e-9)))]
            summary += String(format: "\ntest: entity F1 %.4f (precision %.4f, recall %.4f), token accuracy %.4f; tagged %.0f tokens/s",
                              r.micro.f1, r.micro.precision, r.micro.recall, accuracy, Double(tokens) / max(seconds, 1e-9))
        }
        print(json ? JSONLine(fields).text : summary)
        if let predict {
            let data = try read(predict, tags: false)
            var text = ""
            for (s, items) in data.items.enumerated() {
                let labels = try tagger(items, data.words[s])
                for (w, l) in zip(data.words[s], labels) { text += "\(w) \(l)\n" }
                text += "\n"
            }
            if let output { try writeFile(Data(text.utf8), to: URL(fileURLWithPath: output)) } else { print(text, terminator: "") }
        }
    }
}

import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn nlp topics`: topic models on a file of documents — scikit-learn's
/// `LatentDirichletAllocation` and `NMF`, the `lda` package's collapsed Gibbs sampler — with
/// gensim's coherence measures.
struct NLPTopicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Fit a topic model (LDA by variational Bayes or Gibbs sampling, or NMF) to documents, one per line; print each topic's top words and coherence.",
        discussion: """
        --model lda: scikit-learn's LatentDirichletAllocation on CountVectorizer counts (--set n_components=10 \
        learning_method=batch max_iter=10 batch_size=128 doc_topic_prior=None topic_word_prior=None learning_decay=0.7 \
        learning_offset=10 evaluate_every=-1 perp_tol=0.1 mean_change_tol=0.001 max_doc_update_iter=100 total_samples=1e6 \
        random_state=None n_jobs=-1). --model nmf: scikit-learn's NMF on TfidfVectorizer weights (--set n_components=10 \
        init=None solver=cd beta_loss=frobenius tol=1e-4 max_iter=200 random_state=None alpha_W=0 alpha_H=same l1_ratio=0 \
        shuffle=false n_jobs=-1). --model gibbs: the lda package's collapsed Gibbs sampler on counts (--set n_topics=10 \
        n_iter=2000 alpha=0.1 eta=0.01 random_state=None refresh=10). With random_state set, each model's topics are its \
        reference's for the same matrix. --vectorizer takes scikit-learn's vectorizer names (stop_words=english min_df=2 \
        max_df=0.95 max_features=N ngram_range=1,1 lowercase=true binary=false; for nmf also use_idf smooth_idf \
        sublinear_tf norm). --coherence u_mass c_v c_uci c_npmi scores the top words as gensim's CoherenceModel does, over \
        the vectorizer's tokens of the same documents. documents_per_second counts documents × passes over the fitting time.
        """
    )

    enum Model: String, ExpressibleByArgument, CaseIterable { case lda, nmf, gibbs }

    @Option(help: "The documents: UTF-8 text, one document per line (empty lines are skipped).") var input: String
    @Option(help: "lda (variational Bayes), nmf (non-negative matrix factorization of TF-IDF) or gibbs (collapsed Gibbs sampling).") var model = Model.lda
    @Option(name: .customLong("set"), parsing: .upToNextOption, help: "A model setting as key=value under the reference's name (several may follow one --set).") var settings: [String] = []
    @Option(name: .customLong("vectorizer"), parsing: .upToNextOption, help: "Vectorizer settings as key=value (several may follow one --vectorizer).") var vectorizerSettings: [String] = []
    @Option(help: "Words shown per topic (and scored by --coherence).") var topWords = 10
    @Option(parsing: .upToNextOption, help: "Coherence measures to report: u_mass, c_v, c_uci, c_npmi.") var coherence: [String] = []
    @Option(help: "Sliding-window size for c_v, c_uci and c_npmi (default: gensim's, 110 for c_v and 10 for the others).") var coherenceWindow: Int?
    @Option(help: "Write each document's topic weights here as CSV (one row per document, a column per topic).") var docTopics: String?
    @Option(help: "Write the model here as JSON: vocabulary, components (topics × words) and the model's settings and fit figures.") var output: String?
    @Flag(help: "One JSON object per topic, then a final object.") var json = false

    struct Parsed {
        var lda = LDAOptions(), nmf = NMFOptions(), gibbs = GibbsLDAOptions(), vectorizer = VectorizerSettings()
        var measures: [CoherenceMeasure] = []
    }

    func parsed() throws -> Parsed {
        var p = Parsed()
        p.nmf.nComponents = 10          // a topic model's usual size; n_components=auto still asks for one per word
        do {
            for (k, value) in try parseSettings(settings).sorted(by: { $0.key < $1.key }) {
                switch model {
                case .lda: try p.lda.set(k, value)
                case .nmf: try p.nmf.set(k, value)
                case .gibbs: try p.gibbs.set(k, value)
                }
            }
            for (k, value) in try parseSettings(vectorizerSettings, option: "--vectorizer").sorted(by: { $0.key < $1.key }) { try p.vectorizer.set(k, value) }
        } catch let e as NLPError { throw ValidationError(e.description) }
        for name in coherence {
            guard let m = CoherenceMeasure(rawValue: name) else {
                throw ValidationError("unknown --coherence \(name): expected u_mass, c_v, c_uci or c_npmi")
            }
            if !p.measures.contains(m) { p.measures.append(m) }
        }
        return p
    }

    func validate() throws {
        _ = try parsed()
        guard (1...10_000).contains(topWords) else { throw ValidationError("--top-words must be in 1…10000") }
        if let w = coherenceWindow, !(1...1_000_000).contains(w) { throw ValidationError("--coherence-window must be in 1…1000000") }
    }

    /// What every model gives back for printing and saving.
    struct Fitted {
        var components: [Double], topicCount: Int, passes: Int
        var topWords: [[(word: String, weight: Double)]]
        var docTopics: () throws -> [[Double]]
        var fields: [(String, JSONValue)]
        var summary: String
    }

    func run() throws {
        let p = try parsed()
        let documents = try NLPScoreCommand.lines(input).filter { !$0.allSatisfy(\.isWhitespace) }
        guard !documents.isEmpty else { throw ValidationError("\(input) has no documents (one per line)") }
        let x: SparseMatrix, names: [String]
        if model == .nmf {
            let v = p.vectorizer.makeTfidfVectorizer()
            x = try v.fitTransform(documents); names = v.featureNames
        } else {
            let v = p.vectorizer.makeCountVectorizer()
            x = try v.fitTransform(documents); names = v.featureNames
        }
        let start = Date()
        let fitted: Fitted
        switch model {
        case .lda:
            let lda = try LatentDirichletAllocation(options: p.lda)
            try lda.fit(x)
            fitted = Fitted(components: lda.components, topicCount: lda.topicCount, passes: max(lda.iterations, 1),
                            topWords: try lda.topWords(featureNames: names, count: topWords), docTopics: { try lda.transform(x) },
                            fields: [("learning_method", .string(p.lda.learningMethod.rawValue)), ("n_iter", .int(lda.iterations)),
                                     ("perplexity", exactJSON(lda.finalPerplexity ?? .nan))],
                            summary: String(format: "training perplexity %.2f", lda.finalPerplexity ?? .nan))
        case .nmf:
            let nmf = try NMF(options: p.nmf)
            let w = try nmf.fitTransform(x)
            fitted = Fitted(components: nmf.components, topicCount: nmf.componentCount, passes: nmf.iterations,
                            topWords: try nmf.topWords(featureNames: names, count: topWords), docTopics: { w },
                            fields: [("solver", .string(p.nmf.solver.rawValue)), ("n_iter", .int(nmf.iterations)),
                                     ("reconstruction_err", exactJSON(nmf.reconstructionError))],
                            summary: String(format: "reconstruction error %.6g", nmf.reconstructionError))
        case .gibbs:
            let gibbs = try CollapsedGibbsLDA(options: p.gibbs)
            try gibbs.fit(x)
            let ll = try gibbs.logLikelihood()
            fitted = Fitted(components: gibbs.components, topicCount: gibbs.topicCount, passes: max(p.gibbs.nIter, 1),
                            topWords: try gibbs.topWords(featureNames: names, count: topWords), docTopics: { gibbs.documentTopics },
                            fields: [("n_iter", .int(p.gibbs.nIter)), ("log_likelihood", exactJSON(ll)),
                                     ("tokens", .int(Int(gibbs.topicCounts.reduce(0) { $0 + Int($1) })))],
                            summary: String(format: "log-likelihood %.1f", ll))
        }
        let seconds = Date().timeIntervalSince(start)
        let docsPerSecond = Double(x.rows * fitted.passes) / max(seconds, 1e-9)
        var scores: [(CoherenceMeasure, TopicCoherence.Result)] = []
        let coherenceStart = Date()
        if !p.measures.isEmpty {
            let analyzer = try p.vectorizer.makeCountVectorizer().buildAnalyzer()
            let texts = documents.map(analyzer)
            let topics = fitted.topWords.map { $0.map(\.word) }
            for m in p.measures {
                scores.append((m, try TopicCoherence.score(topics: topics, texts: texts, measure: m, windowSize: coherenceWindow, topN: topWords)))
            }
        }
        let coherenceSeconds = Date().timeIntervalSince(coherenceStart)
        for (t, words) in fitted.topWords.enumerated() {
            if json {
                var line: [(String, JSONValue)] = [("topic", .int(t)), ("words", .array(words.map { .string($0.word) })),
                                                   ("weights", .array(words.map { exactJSON($0.weight) }))]
                for (m, r) in scores { line.append((m.rawValue, exactJSON(r.perTopic[t]))) }
                print(JSONLine(line).text)
            } else {
                let tail = scores.map { " (\($0.0.rawValue) " + String(format: "%.4f", $0.1.perTopic[t]) + ")" }.joined()
                print("topic \(t): " + words.map(\.word).joined(separator: " ") + tail)
            }
        }
        if let path = docTopics {
            let rows = try fitted.docTopics()
            var text = (0..<fitted.topicCount).map { "topic_\($0)" }.joined(separator: ",") + "\n"
            for row in rows { text += row.map { "\($0)" }.joined(separator: ",") + "\n" }
            try writeFile(Data(text.utf8), to: URL(fileURLWithPath: path))
        }
        if let path = output {
            let f = names.count
            var text = "{\"format\": \"swiftlearn-topics\", \"model\": \"\(model.rawValue)\", \"n_components\": \(fitted.topicCount), "
            text += "\"settings\": \(JSONValue.object(settingsFields(p)).text), "
            text += "\"fit\": \(JSONValue.object(fitted.fields).text), "
            text += "\"vocabulary\": \(JSONValue.array(names.map { .string($0) }).text), \"components\": ["
            text += (0..<fitted.topicCount).map { t in "[" + fitted.components[t * f..<(t + 1) * f].map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",\n")
            text += "]}\n"
            try writeFile(Data(text.utf8), to: URL(fileURLWithPath: path))
        }
        var fields: [(String, JSONValue)] = [("model", .string(model.rawValue)), ("documents", .int(x.rows)), ("features", .int(x.columns)),
                                             ("n_components", .int(fitted.topicCount))]
        fields += fitted.fields
        fields += [("fit_seconds", .double(seconds)), ("documents_per_second", .double(docsPerSecond))]
        for (m, r) in scores { fields.append(("coherence_" + m.rawValue, exactJSON(r.coherence))) }
        if !scores.isEmpty { fields.append(("coherence_seconds", .double(coherenceSeconds))) }
        if let unknown = scores.first?.1.unknownWords, !unknown.isEmpty { fields.append(("coherence_dropped_words", .array(unknown.map { .string($0) }))) }
        if json { print(JSONLine(fields).text) } else {
            var line = String(format: "%d documents × %d words, %d topics, %d passes in %.2f s (%.0f documents/s); ",
                              x.rows, x.columns, fitted.topicCount, fitted.passes, seconds, docsPerSecond) + fitted.summary
            for (m, r) in scores { line += "; \(m.rawValue) coherence " + String(format: "%.4f", r.coherence) }
            print(line)
        }
    }

    /// The settings given, as JSON fields for the saved model.
    private func settingsFields(_ p: Parsed) -> [(String, JSONValue)] {
        (try? parseSettings(settings).sorted(by: { $0.key < $1.key }).map { ($0.key, JSONValue.string($0.value)) }) ?? []
    }
}

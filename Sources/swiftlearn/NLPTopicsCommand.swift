import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn nlp topics`: LDA topic models on a file of documents (scikit-learn's
/// `CountVectorizer` + `LatentDirichletAllocation`).
struct NLPTopicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Fit an LDA topic model (variational Bayes, batch or online) to documents, one per line; print each topic's top words.",
        discussion: """
        Counts come from a CountVectorizer (--vectorizer stop_words=english min_df=2 max_df=0.95 max_features=N \
        ngram_range=1,1 lowercase=true binary=false; scikit-learn's defaults otherwise), the model takes \
        scikit-learn's LatentDirichletAllocation names and defaults (--set n_components=10 learning_method=batch \
        max_iter=10 batch_size=128 doc_topic_prior=None topic_word_prior=None learning_decay=0.7 learning_offset=10 \
        evaluate_every=-1 perp_tol=0.1 mean_change_tol=0.001 max_doc_update_iter=100 total_samples=1e6 random_state=None n_jobs=-1). \
        With random_state set, the topics are scikit-learn's for the same counts. documents_per_second counts \
        documents × passes over the fitting time.
        """
    )

    @Option(help: "The documents: UTF-8 text, one document per line (empty lines are skipped).") var input: String
    @Option(name: .customLong("set"), parsing: .upToNextOption, help: "An LDA setting as key=value under scikit-learn's name (several may follow one --set).") var settings: [String] = []
    @Option(name: .customLong("vectorizer"), parsing: .upToNextOption, help: "CountVectorizer settings as key=value (several may follow one --vectorizer).") var vectorizerSettings: [String] = []
    @Option(help: "Words shown per topic.") var topWords = 10
    @Option(help: "Write each document's topic weights here as CSV (one row per document, a column per topic).") var docTopics: String?
    @Option(help: "Write the model here as JSON: vocabulary, components (topics × words), priors and perplexity.") var output: String?
    @Flag(help: "One JSON object per topic, then a final object.") var json = false

    func parsed() throws -> (LDAOptions, VectorizerSettings) {
        var o = LDAOptions(), v = VectorizerSettings()
        do {
            for (k, value) in try parseSettings(settings).sorted(by: { $0.key < $1.key }) { try o.set(k, value) }
            for (k, value) in try parseSettings(vectorizerSettings, option: "--vectorizer").sorted(by: { $0.key < $1.key }) { try v.set(k, value) }
        } catch let e as NLPError { throw ValidationError(e.description) }
        return (o, v)
    }

    func validate() throws {
        _ = try parsed()
        guard (1...10_000).contains(topWords) else { throw ValidationError("--top-words must be in 1…10000") }
    }

    func run() throws {
        let (o, v) = try parsed()
        let documents = try NLPScoreCommand.lines(input).filter { !$0.allSatisfy(\.isWhitespace) }
        guard !documents.isEmpty else { throw ValidationError("\(input) has no documents (one per line)") }
        let vectorizer = v.makeCountVectorizer()
        let counts = try vectorizer.fitTransform(documents)
        let lda = try LatentDirichletAllocation(options: o)
        let start = Date()
        try lda.fit(counts)
        let seconds = Date().timeIntervalSince(start)
        let passes = max(lda.iterations, 1)
        let docsPerSecond = Double(counts.rows * passes) / max(seconds, 1e-9)
        let top = try lda.topWords(featureNames: vectorizer.featureNames, count: topWords)
        for (t, words) in top.enumerated() {
            if json {
                print(JSONLine([("topic", .int(t)), ("words", .array(words.map { .string($0.word) })),
                                ("weights", .array(words.map { exactJSON($0.weight) }))]).text)
            } else {
                print("topic \(t): " + words.map(\.word).joined(separator: " "))
            }
        }
        if let path = docTopics {
            let rows = try lda.transform(counts)
            var text = (0..<lda.topicCount).map { "topic_\($0)" }.joined(separator: ",") + "\n"
            for row in rows { text += row.map { "\($0)" }.joined(separator: ",") + "\n" }
            try writeFile(Data(text.utf8), to: URL(fileURLWithPath: path))
        }
        if let path = output {
            var text = "{\"format\": \"swiftlearn-lda\", \"n_components\": \(lda.topicCount), \"doc_topic_prior\": \(lda.docTopicPrior), "
            text += "\"topic_word_prior\": \(lda.topicWordPrior), \"perplexity\": \(exactJSON(lda.finalPerplexity ?? .nan).text), "
            text += "\"vocabulary\": \(JSONValue.array(vectorizer.featureNames.map { .string($0) }).text), \"components\": ["
            let f = lda.featureCount
            text += (0..<lda.topicCount).map { t in "[" + lda.components[t * f..<(t + 1) * f].map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",\n")
            text += "]}\n"
            try writeFile(Data(text.utf8), to: URL(fileURLWithPath: path))
        }
        let fields: [(String, JSONValue)] = [
            ("documents", .int(counts.rows)), ("features", .int(counts.columns)), ("n_components", .int(lda.topicCount)),
            ("learning_method", .string(o.learningMethod.rawValue)), ("n_iter", .int(lda.iterations)),
            ("perplexity", exactJSON(lda.finalPerplexity ?? .nan)), ("fit_seconds", .double(seconds)),
            ("documents_per_second", .double(docsPerSecond)),
        ]
        if json { print(JSONLine(fields).text) } else {
            print(String(format: "%d documents × %d words, %d topics, %d passes in %.2f s (%.0f documents/s); training perplexity %.2f",
                         counts.rows, counts.columns, lda.topicCount, lda.iterations, seconds, docsPerSecond, lda.finalPerplexity ?? .nan))
        }
    }
}

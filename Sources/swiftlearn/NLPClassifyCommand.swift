import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn nlp classify`: train a text classifier on labelled lines, score it on held-out
/// lines, and label new text (scikit-learn's `TfidfVectorizer` + `LogisticRegression` or
/// `CountVectorizer` + `MultinomialNB`).
struct NLPClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Train and evaluate a text classifier (TF-IDF + logistic regression, or counts + multinomial naive Bayes) on labelled lines.",
        discussion: """
        Labelled files are tab-separated, one document per line: the label in the first column and the text in the last \
        (so `label<TAB>text` and the bundled `section<TAB>package<TAB>description` both work). Without --test, the last \
        --test-fraction of the training lines are held out. Features: --vectorizer takes scikit-learn's CountVectorizer / \
        TfidfVectorizer names (stop_words, min_df, max_df, max_features, ngram_range, lowercase, binary, use_idf, smooth_idf, \
        sublinear_tf, norm). Models: logistic-regression (--set C=1 max_iter=100 tol=0.0001, lbfgs with an L2 penalty, \
        TF-IDF features) or multinomial-nb (--set alpha=1 fit_prior=true, count features). The report is \
        scikit-learn's classification_report on the held-out lines.
        """
    )

    @Option(help: "Labelled training lines (label<TAB>…<TAB>text).") var train: String
    @Option(help: "Labelled test lines; default: the last --test-fraction of --train.") var test: String?
    @Option(help: "Share of the training lines held out when no --test is given.") var testFraction = 0.25
    @Option(help: "logistic-regression or multinomial-nb.") var model = "logistic-regression"
    @Option(name: .customLong("set"), parsing: .upToNextOption, help: "Model settings as key=value (C, max_iter, tol; alpha, fit_prior).") var settings: [String] = []
    @Option(name: .customLong("vectorizer"), parsing: .upToNextOption, help: "Vectorizer settings as key=value.") var vectorizerSettings: [String] = []
    @Option(help: "Label these lines (one text per line) after training; the labels go to --output or stdout.") var predict: String?
    @Option(help: "Where --predict writes its labels, one per line.") var output: String?
    @Flag(help: "JSON lines: one per class, then the summary.") var json = false

    enum Model { case logistic(SparseLogisticRegression), bayes(SparseMultinomialNB) }

    func parsed() throws -> (VectorizerSettings, () throws -> Model) {
        var v = VectorizerSettings()
        do {
            for (k, value) in try parseSettings(vectorizerSettings, option: "--vectorizer").sorted(by: { $0.key < $1.key }) { try v.set(k, value) }
        } catch let e as NLPError { throw ValidationError(e.description) }
        let s = try parseSettings(settings)
        func number(_ key: String, _ fallback: Double) throws -> Double {
            guard let text = s[key] else { return fallback }
            guard let d = Double(text), d.isFinite else { throw ValidationError("--set \(key)=\(text): expected a number") }
            return d
        }
        switch model {
        case "logistic-regression":
            if let bad = s.keys.first(where: { !["c", "max_iter", "tol"].contains($0) }) { throw ValidationError("--set \(bad): logistic-regression takes C, max_iter, tol") }
            let c = try number("c", 1), maxIter = try number("max_iter", 100), tol = try number("tol", 1e-4)
            guard maxIter >= 1, maxIter <= 1e6, maxIter == maxIter.rounded() else { throw ValidationError("--set max_iter must be a whole number in 1…1000000") }
            do { _ = try SparseLogisticRegression(C: c, maxIter: Int(maxIter), tol: tol) } catch let e as NLPError { throw ValidationError(e.description) }
            return (v, { .logistic(try SparseLogisticRegression(C: c, maxIter: Int(maxIter), tol: tol)) })
        case "multinomial-nb":
            if let bad = s.keys.first(where: { !["alpha", "fit_prior"].contains($0) }) { throw ValidationError("--set \(bad): multinomial-nb takes alpha, fit_prior") }
            let alpha = try number("alpha", 1)
            guard let fitPrior = ["true": true, "1": true, "false": false, "0": false][s["fit_prior"]?.lowercased() ?? "true"] else { throw ValidationError("--set fit_prior must be true or false") }
            do { _ = try SparseMultinomialNB(alpha: alpha) } catch let e as NLPError { throw ValidationError(e.description) }
            return (v, { .bayes(try SparseMultinomialNB(alpha: alpha, fitPrior: fitPrior)) })
        default:
            throw ValidationError("unknown --model '\(model)' (logistic-regression, multinomial-nb)")
        }
    }

    func validate() throws {
        _ = try parsed()
        guard testFraction > 0, testFraction < 1 else { throw ValidationError("--test-fraction must be between 0 and 1") }
        if output != nil && predict == nil { throw ValidationError("--output needs --predict") }
    }

    /// Label and text of each non-empty line: the first and the last tab-separated fields.
    static func labelled(_ path: String) throws -> [(label: String, text: String)] {
        try NLPScoreCommand.lines(path).enumerated().compactMap { i, line in
            if line.allSatisfy(\.isWhitespace) { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, !fields[0].isEmpty else { throw ValidationError("\(path):\(i + 1): expected label<TAB>text") }
            return (String(fields[0]), String(fields[fields.count - 1]))
        }
    }

    func run() throws {
        let (v, makeModel) = try parsed()
        var trainRows = try Self.labelled(train), testRows: [(label: String, text: String)]
        if let test { testRows = try Self.labelled(test) } else {
            let cut = trainRows.count - Int((Double(trainRows.count) * testFraction).rounded())
            guard cut >= 1, cut < trainRows.count else { throw ValidationError("\(train) has too few lines to hold out \(testFraction)") }
            testRows = Array(trainRows[cut...]); trainRows = Array(trainRows[..<cut])
        }
        let model = try makeModel()
        let start = Date()
        let predictTexts: ([String]) throws -> [String]
        switch model {
        case .logistic(let m):
            let vectorizer = v.makeTfidfVectorizer()
            try m.fit(try vectorizer.fitTransform(trainRows.map(\.text)), trainRows.map(\.label))
            predictTexts = { try m.predict(try vectorizer.transform($0)) }
        case .bayes(let m):
            let vectorizer = v.makeCountVectorizer()
            try m.fit(try vectorizer.fitTransform(trainRows.map(\.text)), trainRows.map(\.label))
            predictTexts = { try m.predict(try vectorizer.transform($0)) }
        }
        let trainSeconds = Date().timeIntervalSince(start)
        let predicted = try predictTexts(testRows.map(\.text))
        let names = Array(Set(trainRows.map(\.label) + testRows.map(\.label))).sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let yTrue = testRows.map { index[$0.label]! }, yPred = predicted.map { index[$0]! }
        let report = try Metrics.classificationReport(yTrue, yPred, labels: Array(names.indices), targetNames: names, digits: 4)
        let accuracy = try Metrics.accuracy(yTrue, yPred)
        if json {
            for row in report.classes {
                print(JSONLine([("class", .string(row.name)), ("precision", .double(row.precision)), ("recall", .double(row.recall)),
                                ("f1", .double(row.f1)), ("support", .int(Int(row.support)))]).text)
            }
            print(JSONLine([("model", .string(model.name)), ("train_documents", .int(trainRows.count)), ("test_documents", .int(testRows.count)),
                            ("classes", .int(names.count)), ("accuracy", .double(accuracy)), ("macro_f1", .double(report.macroAverage.f1)),
                            ("weighted_f1", .double(report.weightedAverage.f1)), ("train_seconds", .double(trainSeconds))]).text)
        } else {
            print(report.text)
            print(String(format: "%@: %d training and %d test documents, %d classes; accuracy %.4f, macro F1 %.4f; trained in %.2f s",
                         model.name, trainRows.count, testRows.count, names.count, accuracy, report.macroAverage.f1, trainSeconds))
        }
        if let path = predict {
            let texts = try NLPScoreCommand.lines(path)
            let labels = try predictTexts(texts).joined(separator: "\n") + (texts.isEmpty ? "" : "\n")
            if let output { try writeFile(Data(labels.utf8), to: URL(fileURLWithPath: output)) } else { print(labels, terminator: "") }
        }
    }
}

extension NLPClassifyCommand.Model {
    var name: String {
        switch self {
        case .logistic: return "logistic-regression"
        case .bayes: return "multinomial-nb"
        }
    }
}

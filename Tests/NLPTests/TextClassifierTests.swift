import Datasets
import Foundation
import NLP
import Testing

/// The sparse text classifiers against scikit-learn 1.9.1 on the bundled Debian package
/// descriptions (`scripts/fixtures/make_text_classifier_fixtures.py`).
@Suite struct TextClassifierTests {
    static let fixture = (try? FixtureFiles.json("text_classifiers.json")) as? [String: Any] ?? [:]

    /// The fixture's training and test rows with TF-IDF features as the script builds them.
    static func data(_ c: [String: Any]) throws -> (SparseMatrix, [String], SparseMatrix, [String]) {
        let rows = try BundledText.debianPackages.labelledDocuments()
        let trainRows: [LabelledDocument], testRows: [LabelledDocument]
        if c["name"] as? String == "sections" {
            trainRows = Array(rows[0..<700]); testRows = Array(rows[700..<900])
        } else {
            let binary = rows[0..<900].filter { $0.label == "games" || $0.label == "science" }
            trainRows = Array(binary[0..<100]); testRows = Array(binary[100...])
        }
        let vectorizer = TfidfVectorizer(minDF: .count(2), sublinearTF: true)
        let xtr = try vectorizer.fitTransform(trainRows.map(\.text)), xte = try vectorizer.transform(testRows.map(\.text))
        return (xtr, trainRows.map(\.label), xte, testRows.map(\.label))
    }

    func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
        a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }

    @Test func logisticRegressionEqualsScikitLearns() throws {
        let cases = try #require(Self.fixture["cases"] as? [[String: Any]])
        #expect(cases.count == 2)
        for c in cases {
            let (xtr, ytr, xte, _) = try Self.data(c)
            #expect(xtr.columns == c["features"] as? Int)
            #expect(abs(xtr.values.reduce(0, +) - (c["train_sum"] as! Double)) < 1e-9)
            let columns = c["columns"] as! [Int]
            for l in c["logistic"] as! [[String: Any]] {
                let C = l["C"] as! Double
                let m = try SparseLogisticRegression(C: C, maxIter: 2000, tol: 1e-10)
                try m.fit(xtr, ytr)
                #expect(m.classes == l["classes"] as? [String])
                #expect(abs(m.objectiveValue - (l["objective"] as! Double)) < 1e-10, "C=\(C): \(m.objectiveValue) vs \(l["objective"]!)")
                #expect(maxAbsDifference(m.intercepts, l["intercept"] as! [Double]) < 1e-4, "C=\(C) intercepts")
                let k = m.intercepts.count
                let coef = (0..<k).flatMap { r in columns.map { m.coefficients[r * xtr.columns + $0] } }
                #expect(maxAbsDifference(coef, (l["coef_columns"] as! [[Double]]).flatMap { $0 }) < 1e-4, "C=\(C) coefficients")
                let proba = try m.predictProbabilities(xte).flatMap { $0 }
                let expected = (l["test_proba"] as! [[Double]]).flatMap { $0 }
                #expect(maxAbsDifference(proba, expected) < 1e-5, "C=\(C) probabilities differ by \(maxAbsDifference(proba, expected))")
                // scikit-learn's defaults (tol 1e-4, 100 iterations): the same test predictions.
                let d = try SparseLogisticRegression(C: C)
                try d.fit(xtr, ytr)
                let predicted = try d.predict(xte), reference = l["default_test_predictions"] as! [String]
                let agree = zip(predicted, reference).filter { $0 == $1 }.count
                #expect(agree >= reference.count - 1, "C=\(C) default settings: \(agree) of \(reference.count) predictions agree")
            }
            for nbCase in c["nb"] as! [[String: Any]] {
                let nb = try SparseMultinomialNB(alpha: nbCase["alpha"] as! Double)
                try nb.fit(xtr, ytr)
                #expect(maxAbsDifference(nb.classLogPrior, nbCase["class_log_prior"] as! [Double]) < 1e-12)
                let k = nb.classes.count
                let flp = (0..<k).flatMap { r in columns.map { nb.featureLogProbabilities[r * xtr.columns + $0] } }
                #expect(maxAbsDifference(flp, (nbCase["feature_log_prob_columns"] as! [[Double]]).flatMap { $0 }) < 1e-10)
                let lp = try nb.predictLogProbabilities(xte).flatMap { $0 }
                #expect(maxAbsDifference(lp, (nbCase["test_log_proba"] as! [[Double]]).flatMap { $0 }) < 1e-8)
            }
        }
    }

    @Test func resultsDoNotDependOnTheThreadCount() throws {
        let c = try #require((Self.fixture["cases"] as? [[String: Any]])?.first)
        let (xtr, ytr, _, _) = try Self.data(c)
        let a = try SparseLogisticRegression(C: 10, workers: 1), b = try SparseLogisticRegression(C: 10, workers: 2)
        try a.fit(xtr, ytr); try b.fit(xtr, ytr)
        #expect(a.coefficients == b.coefficients && a.intercepts == b.intercepts)
    }

    @Test func badInputThrows() throws {
        #expect(throws: NLPError.self) { try SparseLogisticRegression(C: 0) }
        #expect(throws: NLPError.self) { try SparseLogisticRegression(maxIter: 0) }
        #expect(throws: NLPError.self) { try SparseMultinomialNB(alpha: -1) }
        let x = try SparseMatrix(rows: 2, columns: 2, rowPointers: [0, 1, 2], columnIndices: [0, 1], values: [1, 1])
        let m = try SparseLogisticRegression()
        #expect(throws: NLPError.self) { try m.predict(x) }                 // not fitted
        #expect(throws: NLPError.self) { try m.fit(x, ["a"]) }              // label count
        #expect(throws: NLPError.self) { try m.fit(x, ["a", "a"]) }         // one class
        let nan = try SparseMatrix(rows: 2, columns: 2, rowPointers: [0, 1, 2], columnIndices: [0, 1], values: [.nan, 1])
        #expect(throws: NLPError.self) { try m.fit(nan, ["a", "b"]) }
        try m.fit(x, ["a", "b"])
        #expect(try m.predict(x) == ["a", "b"])
        let wide = try SparseMatrix(rows: 1, columns: 3, rowPointers: [0, 1], columnIndices: [2], values: [1])
        #expect(throws: NLPError.self) { try m.predict(wide) }
        let wide3 = try SparseMatrix(rows: 3, columns: 6_000_000, rowPointers: [0, 1, 2, 3], columnIndices: [1, 2, 3], values: [1, 1, 1])
        #expect(throws: NLPError.self) { try SparseLogisticRegression().fit(wide3, ["a", "b", "c"]) }   // 3 × 6M weights: over the cap
        let nb = try SparseMultinomialNB()
        let wide40 = try SparseMatrix(rows: 2, columns: 40_000_000, rowPointers: [0, 1, 2], columnIndices: [1, 2], values: [1, 1])
        #expect(throws: NLPError.self) { try nb.fit(wide40, ["a", "b"]) }                                  // 2 × 40M counts: over the cap
        let negative = try SparseMatrix(rows: 2, columns: 2, rowPointers: [0, 1, 2], columnIndices: [0, 1], values: [-1, 1])
        #expect(throws: NLPError.self) { try nb.fit(negative, ["a", "b"]) }
    }
}

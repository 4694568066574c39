import Foundation
import Testing
import Learn
import Datasets

/// The README's classical-ML example, verbatim, so it cannot go stale.
@Suite struct ReadmeExampleTests {
    @Test func classicalMLExampleRuns() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString).model").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let digits = try Datasets.load(.digits)                    // bundled real data: features, labels, names
        let split = try trainTestSplit(digits.features, digits.labels, testSize: 0.25, stratify: true, randomState: 0)
        let model = Pipeline([("scale", StandardScaler()), ("svc", SVC(C: 10))])
        try model.fit(split.xTrain, split.yTrain)
        let predicted: [Int] = try model.predict(split.xTest)
        let report = try Metrics.classificationReport(split.yTest, predicted)
        let search = GridSearchCV(model, paramGrid: ["svc__C": [1, 10, 100]], cv: 5)
        try search.fit(split.xTrain, split.yTrain)                 // search.bestParams, search.bestScore
        try ModelFile.save(model, to: path)                        // any fitted estimator, as JSON

        #expect(try Metrics.accuracy(split.yTest, predicted) > 0.97)
        #expect(report.text.contains("accuracy") && report.classes.count == 10)
        #expect(search.bestScore > 0.95 && search.bestParams["svc__C"] != nil)
        let restored = try ModelFile.load(path: path).estimator as! Pipeline
        let again: [Int] = try restored.predict(split.xTest)
        #expect(again == predicted)
    }
}

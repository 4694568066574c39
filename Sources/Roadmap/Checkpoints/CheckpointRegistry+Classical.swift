import Foundation
import Learn
import Datasets
import Plot

extension CheckpointRegistry {
    /// Checkpoint projects of the classical-ML phase.
    public static let classical: [Checkpoint] = [
        Checkpoint("linear-regression-from-scratch", "Linear regression from scratch with gradient descent",
                   topics: ["linear-regression", "gradient-descent"],
                   criterion: "on standardized diabetes data, gradient descent's coefficients are within 0.1% (relative to the largest) of the closed-form least-squares solution, and its cost never increases") { _ in
            let (x, target, gd, exact, relative) = try diabetesGradientDescentVersusClosedForm()
            let monotone = zip(gd.costHistory, gd.costHistory.dropFirst()).allSatisfy { $1 <= $0 + 1e-9 * Swift.abs($0) }
            return DemoOutcome(passed: relative < 1e-3 && monotone,
                               result: "relative coefficient gap \(e(relative)) after \(gd.nIterations) steps; cost non-increasing: \(monotone); R² \(f(try gd.score(x, target), 4)) vs closed form \(f(try exact.score(x, target), 4))",
                               metrics: [("relative_gap", relative)],
                               figures: [DemoFigure("cost", LineChart(title: "Gradient descent cost (diabetes)", xLabel: "step", yLabel: "cost", series: [ChartSeries(name: "cost", y: gd.costHistory)], logY: true), caption: "Convergence of the cost.")])
        },
        Checkpoint("iris-classification", "Iris flower classification",
                   topics: ["project-iris", "logistic-regression"],
                   criterion: "a scaled logistic regression reaches a mean stratified 5-fold accuracy of at least 0.95 on iris") { ctx in
            let iris = try Datasets.load(.iris)
            let folds = try crossValScore(scaled(LogisticRegression()), iris.features, iris.labels, cv: .splitter(StratifiedKFold(nSplits: 5, shuffle: true, randomState: ctx.randomState)))
            let mean = folds.reduce(0, +) / Double(folds.count)
            return DemoOutcome(passed: mean >= 0.95, result: "5-fold accuracy \(f(mean)) (folds \(folds.map { f($0, 2) }.joined(separator: ", ")))", metrics: [("cv_accuracy", mean)])
        },
        Checkpoint("breast-cancer-logistic", "Logistic regression on breast-cancer biopsies",
                   topics: ["logistic-regression", "classification-metrics"],
                   criterion: "mean stratified 10-fold accuracy ≥ 0.96 and held-out ROC AUC ≥ 0.99 for a scaled logistic regression") { ctx in
            let cancer = try Datasets.load(.breastCancer)
            let folds = try crossValScore(scaled(LogisticRegression()), cancer.features, cancer.labels, cv: .splitter(StratifiedKFold(nSplits: 10, shuffle: true, randomState: ctx.randomState)))
            let mean = folds.reduce(0, +) / Double(folds.count)
            let s = try classificationSplit(.breastCancer, ctx)
            let model = scaled(LogisticRegression())
            try model.fit(s.xTrain, s.yTrain)
            let proba = try model.predictProbabilities(s.xTest)
            let scores = (0..<proba.rows).map { proba[$0, 1] }
            let auc = try Metrics.rocAUC(s.yTest, scores)
            let roc = try Metrics.rocCurve(s.yTest, scores)
            return DemoOutcome(passed: mean >= 0.96 && auc >= 0.99, result: "10-fold accuracy \(f(mean)); held-out ROC AUC \(f(auc, 4))",
                               metrics: [("cv_accuracy", mean), ("roc_auc", auc)],
                               figures: [DemoFigure("roc", ROCChart(title: "Held-out ROC (breast cancer)", curves: [ROCCurveData(name: "logistic", falsePositiveRate: roc.fpr, truePositiveRate: roc.tpr, auc: auc)]), caption: "ROC of the held-out quarter.")])
        },
        Checkpoint("iris-kmeans", "Clustering iris without labels",
                   topics: ["k-means"],
                   criterion: "k-means with k = 3 on the raw iris measurements agrees with the species with an adjusted Rand index of at least 0.6") { ctx in
            let iris = try Datasets.load(.iris)
            let km = KMeans(nClusters: 3, nInit: 10, randomState: ctx.randomState)
            let labels = try km.fitPredict(iris.features)
            let ari = try ClusterMetrics.adjustedRandIndex(iris.labels, labels)
            return DemoOutcome(passed: ari >= 0.6, result: "adjusted Rand index \(f(ari)); inertia \(f(km.inertia, 2))", metrics: [("ari", ari)])
        },
        Checkpoint("digits-svm", "Handwritten digits with a support vector machine",
                   topics: ["svm"],
                   criterion: "an RBF SVM on standardized 8×8 digits reaches at least 97% accuracy on a stratified 25% test split") { ctx in
            let s = try classificationSplit(.digits, ctx)
            let p = scaled(SVC())
            try p.fit(s.xTrain, s.yTrain)
            let predicted: [Int] = try p.predict(s.xTest)
            let accuracy = try Metrics.accuracy(s.yTest, predicted)
            let cm = try Metrics.confusionMatrix(s.yTest, predicted)
            let labels = (0...9).map(String.init)
            return DemoOutcome(passed: accuracy >= 0.97, result: "test accuracy \(f(accuracy)) on \(s.yTest.count) digits", metrics: [("accuracy", accuracy)],
                               figures: [DemoFigure("confusion", HeatmapChart(title: "Digits: confusion matrix (RBF SVM)", rowLabels: labels, columnLabels: labels, values: cm.map { $0.map(Double.init) }, valueDecimals: 0), caption: "Mistakes are rare and scattered.")])
        },
        Checkpoint("price-regression", "Price prediction with gradient boosting",
                   topics: ["project-price-prediction", "gradient-boosting", "regression-metrics"], criterion: "histogram gradient boosting predicts diamond prices with R² ≥ 0.97 on a 25% test split",
                   quick: false) { ctx in
            let diamonds = try Datasets.load(.diamonds)
            let split = try trainTestSplit(diamonds.features, diamonds.target, testSize: 0.25, randomState: ctx.randomState)
            let model = HistGradientBoostingRegressor(randomState: ctx.randomState)
            try model.fit(split.xTrain, split.yTrain)
            let predicted = try model.predict(split.xTest)
            let r2 = try Metrics.r2Score(split.yTest, predicted)
            let mae = try Metrics.meanAbsoluteError(split.yTest, predicted)
            let shown = Array(0..<Swift.min(1500, predicted.count))
            return DemoOutcome(passed: r2 >= 0.97, result: "R² \(f(r2, 4)), MAE $\(f(mae, 0)) on \(split.yTest.count) diamonds", metrics: [("r2", r2), ("mae", mae)],
                               figures: [DemoFigure("fit", ScatterChart(title: "Diamonds: predicted vs actual price (1,500 test stones)", xLabel: "actual ($)", yLabel: "predicted ($)", series: [ChartSeries(name: "diamonds", x: shown.map { split.yTest[$0] }, y: shown.map { predicted[$0] })], markerSize: 2), caption: "Points on the diagonal are perfect predictions.")])
        },
        Checkpoint("imbalanced-detection", "Detecting a rare class",
                   topics: ["imbalanced-data", "project-fraud-detection"],
                   criterion: "with malignant tumours cut to 10% of breast-cancer rows, a class-weighted logistic regression keeps malignant recall ≥ 0.85 and balanced accuracy ≥ 0.9 on a stratified 30% test split") { ctx in
            let (x, y) = try DemoRegistry.imbalancedCancer(ctx)
            let split = try trainTestSplit(x, y, testSize: 0.3, stratify: true, randomState: ctx.randomState)
            let m = scaled(LogisticRegression(classWeight: .balanced))
            try m.fit(split.xTrain, split.yTrain)
            let p: [Int] = try m.predict(split.xTest)
            let recall = try Metrics.recall(split.yTest, p, posLabel: 0)
            let balanced = try Metrics.balancedAccuracy(split.yTest, p)
            return DemoOutcome(passed: recall >= 0.85 && balanced >= 0.9,
                               result: "malignant recall \(f(recall)), balanced accuracy \(f(balanced)), precision \(f(try Metrics.precision(split.yTest, p, posLabel: 0))) (\(split.yTest.filter { $0 == 0 }.count) malignant in the test split)",
                               metrics: [("recall", recall), ("balanced_accuracy", balanced)])
        },
    ]
}

import Foundation
import Tensors
import Learn
import Datasets
import Plot

extension DemoRegistry {
    /// Demos for evaluation, model selection and feature work.
    public static let evaluation: [Demo] = [
        Demo("cross-validation", "Splits and k-fold cross-validation",
             shows: "One stratified split versus 10-fold cross-validation of a logistic regression on breast cancer: the spread a single split hides.") { ctx in
            let cancer = try Datasets.load(.breastCancer)
            var single: [Double] = []
            for s in 0..<10 {
                let split = try trainTestSplit(cancer.features, cancer.labels, testSize: 0.25, stratify: true, randomState: ctx.randomState + s)
                single.append(try testAccuracy(scaled(LogisticRegression()), split.xTrain, split.yTrain, split.xTest, split.yTest))
            }
            let folds = try crossValScore(scaled(LogisticRegression()), cancer.features, cancer.labels, cv: .splitter(StratifiedKFold(nSplits: 10, shuffle: true, randomState: ctx.randomState)))
            let mean = folds.reduce(0, +) / Double(folds.count)
            let sd = sqrt(folds.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(folds.count))
            return DemoOutcome(passed: mean >= 0.95,
                               result: "10 random 75/25 splits: accuracy \(f(single.min()!)) … \(f(single.max()!)); 10-fold CV: \(f(mean)) ± \(f(sd))",
                               metrics: [("cv_mean", mean), ("cv_std", sd)],
                               figures: [DemoFigure("folds", BarChart(title: "10-fold accuracy (logistic regression, breast cancer)", categories: (1...10).map { "fold \($0)" }, values: folds, showValues: false), caption: "Every sample is tested exactly once.")])
        },
        Demo("classification-metrics", "Precision, recall, F1, the confusion matrix and ROC",
             shows: "Three classifiers on breast cancer: their confusion matrices, precision/recall/F1 and ROC curves side by side.") { ctx in
            let s = try classificationSplit(.breastCancer, ctx)
            let models: [(String, any ProbabilisticClassifier)] = [("logistic", scaled(LogisticRegression())), ("naive Bayes", GaussianNB()), ("k-NN (k=15)", scaled(KNeighborsClassifier(nNeighbors: 15)))]
            var curves: [ROCCurveData] = []
            var lines: [String] = []
            var matrix: [[Int]] = []
            var minAUC = 1.0
            for (name, m) in models {
                try m.fit(s.xTrain, s.yTrain)
                let p = try m.predict(s.xTest)
                let proba = try m.predictProbabilities(s.xTest)
                let scores = (0..<proba.rows).map { proba[$0, 1] }
                let roc = try Metrics.rocCurve(s.yTest, scores)
                let auc = try Metrics.rocAUC(s.yTest, scores)
                minAUC = Swift.min(minAUC, auc)
                curves.append(ROCCurveData(name: name, falsePositiveRate: roc.fpr, truePositiveRate: roc.tpr, auc: auc))
                let prec = try Metrics.precision(s.yTest, p, posLabel: 0), rec = try Metrics.recall(s.yTest, p, posLabel: 0), f1 = try Metrics.f1(s.yTest, p, posLabel: 0)
                lines.append("\(name): accuracy \(f(try Metrics.accuracy(s.yTest, p))), malignant precision \(f(prec)) recall \(f(rec)) F1 \(f(f1)), AUC \(f(auc, 4))")
                if matrix.isEmpty { matrix = try Metrics.confusionMatrix(s.yTest, p) }
            }
            let names = s.data.classNames ?? ["0", "1"]
            return DemoOutcome(passed: minAUC >= 0.95, result: lines.joined(separator: "\n"),
                               metrics: [("min_auc", minAUC)],
                               figures: [DemoFigure("roc", ROCChart(title: "ROC curves (breast cancer test set)", curves: curves), caption: "Area under each curve = AUC."),
                                         DemoFigure("confusion", HeatmapChart(title: "Confusion matrix: logistic regression", rowLabels: names.map { "true \($0)" }, columnLabels: names.map { "predicted \($0)" }, values: matrix.map { $0.map(Double.init) }, valueDecimals: 0), caption: "Off-diagonal cells are the mistakes.")])
        },
        Demo("regression-metrics", "MSE, RMSE, MAE and R²",
             shows: "A mean baseline, linear regression and gradient boosting on the diabetes test set, under four metrics.") { ctx in
            let diabetes = try Datasets.load(.diabetes)
            let split = try trainTestSplit(diabetes.features, diabetes.target, testSize: 0.25, randomState: ctx.randomState)
            let mean = split.yTrain.reduce(0, +) / Double(split.yTrain.count)
            var rows: [(String, [Double])] = [("mean baseline", [Double](repeating: mean, count: split.yTest.count))]
            let lr = LinearRegression(); try lr.fit(split.xTrain, split.yTrain); rows.append(("linear", try lr.predict(split.xTest)))
            let gb = GradientBoostingRegressor(randomState: ctx.randomState); try gb.fit(split.xTrain, split.yTrain); rows.append(("boosting", try gb.predict(split.xTest)))
            var lines: [String] = [], r2s: [Double] = []
            for (name, p) in rows {
                let r2 = try Metrics.r2Score(split.yTest, p)
                r2s.append(r2)
                lines.append("\(name): MSE \(f(try Metrics.meanSquaredError(split.yTest, p), 0)), RMSE \(f(try Metrics.rootMeanSquaredError(split.yTest, p), 1)), MAE \(f(try Metrics.meanAbsoluteError(split.yTest, p), 1)), R² \(f(r2))")
            }
            return DemoOutcome(passed: Swift.abs(r2s[0]) < 0.05 && r2s[1] > 0.3, result: lines.joined(separator: "\n"),
                               metrics: [("r2_linear", r2s[1]), ("r2_boosting", r2s[2])],
                               figures: [DemoFigure("r2", BarChart(title: "R² on the diabetes test set", categories: rows.map(\.0), values: r2s), caption: "R² compares with always predicting the mean (R² = 0).")])
        },
        Demo("hyperparameter-tuning", "Grid search over C and gamma",
             shows: "5-fold grid search of an RBF SVM on wine over C × gamma, drawn as a heat map of mean accuracy.") { _ in
            let wine = try Datasets.load(.wine)
            let cs: [Double] = [0.01, 0.1, 1, 10, 100], gammas: [Double] = [0.001, 0.01, 0.1, 1]
            let search = GridSearchCV(scaled(SVC()), paramGrid: ["model__C": cs.map { .double($0) }, "model__gamma": gammas.map { .double($0) }], cv: 5)
            try search.fit(wine.features, wine.labels)
            let results = search.cvResults!
            var grid = [[Double]](repeating: [Double](repeating: 0, count: gammas.count), count: cs.count)
            for (i, p) in results.params.enumerated() {
                guard case .double(let c)? = p["model__C"], case .double(let g)? = p["model__gamma"],
                      let ci = cs.firstIndex(of: c), let gi = gammas.firstIndex(of: g) else { continue }
                grid[ci][gi] = results.meanTestScore[i]
            }
            return DemoOutcome(passed: search.bestScore >= 0.95,
                               result: "best: \(search.bestParams.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) with 5-fold accuracy \(f(search.bestScore)) (\(results.params.count) settings)",
                               metrics: [("best_score", search.bestScore)],
                               figures: [DemoFigure("grid", HeatmapChart(title: "RBF SVM on wine: mean 5-fold accuracy", rowLabels: cs.map { "C=\($0)" }, columnLabels: gammas.map { "γ=\($0)" }, values: grid, valueDecimals: 2), caption: "A ridge of good settings: larger C needs smaller γ.")])
        },
        Demo("feature-scaling", "Why scaling matters",
             shows: "k-NN, SVM and logistic regression on wine with raw features versus standardized, min-max and robust scaling.") { ctx in
            let s = try classificationSplit(.wine, ctx)
            let scalers: [(String, () -> (any Estimator)?)] = [("raw", { nil }), ("standard", { StandardScaler() }), ("min-max", { MinMaxScaler() }), ("robust", { RobustScaler() })]
            var series: [(name: String, values: [Double])] = []
            for (name, make) in scalers {
                var accs: [Double] = []
                for model in [KNeighborsClassifier() as any Estimator, SVC(), LogisticRegression(maxIter: 1000)] {
                    let pipe = make().map { Pipeline([("scale", $0), ("model", model)]) } ?? Pipeline([("model", model)])
                    accs.append(try testAccuracy(pipe, s.xTrain, s.yTrain, s.xTest, s.yTest))
                }
                series.append((name, accs))
            }
            let raw = series[0].values, std = series[1].values
            return DemoOutcome(passed: std[0] > raw[0] && std[1] > raw[1],
                               result: series.map { "\($0.name): k-NN \(f($0.values[0])), SVM \(f($0.values[1])), logistic \(f($0.values[2]))" }.joined(separator: "\n"),
                               metrics: [("knn_raw", raw[0]), ("knn_standard", std[0])],
                               figures: [DemoFigure("scalers", BarChart(title: "Wine test accuracy by scaling", categories: ["k-NN", "SVM", "logistic"], series: series), caption: "Distance-based models suffer most from unscaled features (proline is in the hundreds).")])
        },
        Demo("feature-engineering", "Encoding, imputation and pipelines",
             shows: "Penguins with missing values and text columns: one-hot encoding, mean imputation and a scaled logistic regression in one pipeline, scored by cross-validation.") { _ in
            let table = try Datasets.table(.penguins)
            let prep = try TabularPreparation(fitting: table, target: "species")
            let x = try prep.features(table)
            let y = try prep.labels(table)
            let numericOnly = x.columns(Array(0..<4))
            let full = try crossValScore(Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler()), ("model", LogisticRegression())]), x, y, cv: 5)
            let numeric = try crossValScore(Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler()), ("model", LogisticRegression())]), numericOnly, y, cv: 5)
            let a = full.reduce(0, +) / 5, b = numeric.reduce(0, +) / 5
            return DemoOutcome(passed: a >= 0.95,
                               result: "\(x.columns) encoded features (\(prep.encoder.outputNames.prefix(8).joined(separator: ", ")) …)\n5-fold accuracy: all features \(f(a)), first four columns only \(f(b))",
                               metrics: [("cv_all_features", a), ("cv_first_four", b)])
        },
        Demo("feature-selection", "Selecting features",
             shows: "Univariate F-test ranking and recursive feature elimination on breast cancer: accuracy with the best k of 30 features.") { ctx in
            let s = try classificationSplit(.breastCancer, ctx)
            let ks = [1, 2, 3, 5, 8, 12, 20, 30]
            var kbest: [Double] = [], rfe: [Double] = []
            for k in ks {
                kbest.append(try testAccuracy(Pipeline([("scale", StandardScaler()), ("select", SelectKBest(k: k)), ("model", LogisticRegression())]), s.xTrain, s.yTrain, s.xTest, s.yTest))
                rfe.append(try testAccuracy(Pipeline([("scale", StandardScaler()), ("select", RFE(estimator: LogisticRegression(), nFeaturesToSelect: Double(k), step: 3)), ("model", LogisticRegression())]), s.xTrain, s.yTrain, s.xTest, s.yTest))
            }
            let selector = SelectKBest(k: 5)
            _ = try selector.fitTransform(s.xTrain, target: .classes(s.yTrain))
            let chosen = selector.support.enumerated().filter(\.element).map { s.data.featureNames[$0.offset] }
            return DemoOutcome(passed: kbest[4] >= 0.9 && rfe[4] >= 0.9,
                               result: "top 5 by F-test: \(chosen.joined(separator: ", "))\naccuracy with 5 features: SelectKBest \(f(kbest[4])), RFE \(f(rfe[4])); all 30: \(f(kbest.last!))",
                               metrics: [("kbest_5", kbest[4]), ("rfe_5", rfe[4])],
                               figures: [DemoFigure("k", LineChart(title: "Accuracy vs number of selected features (breast cancer)", xLabel: "features kept", yLabel: "test accuracy", series: [ChartSeries(name: "SelectKBest", x: ks.map(Double.init), y: kbest), ChartSeries(name: "RFE", x: ks.map(Double.init), y: rfe)], showMarkers: true), caption: "A handful of features carries most of the signal.")])
        },
        Demo("imbalanced-data", "Imbalanced classes: weights and resampling",
             shows: "Breast cancer with the malignant class cut to 10% and only four weak features (texture, smoothness, symmetry, fractal dimension): plain, class-weighted, SMOTE and under-sampled logistic regression, judged by minority recall.") { ctx in
            let (full, y) = try imbalancedCancer(ctx)
            let x = full.columns([1, 4, 8, 9])
            let split = try trainTestSplit(x, y, testSize: 0.3, stratify: true, randomState: ctx.randomState)
            func evaluate(_ xt: Matrix, _ yt: [Int], weight: ClassWeight = .uniform) throws -> (Double, Double) {
                let m = scaled(LogisticRegression(classWeight: weight))
                try m.fit(xt, yt)
                let p: [Int] = try m.predict(split.xTest)
                return (try Metrics.recall(split.yTest, p, posLabel: 0), try Metrics.precision(split.yTest, p, posLabel: 0))
            }
            let plain = try evaluate(split.xTrain, split.yTrain)
            let weighted = try evaluate(split.xTrain, split.yTrain, weight: .balanced)
            let (sx, sy) = try SMOTE(randomState: ctx.randomState).fitResample(split.xTrain, split.yTrain)
            let smote = try evaluate(sx, sy)
            let (ux, uy) = try RandomUnderSampler(randomState: ctx.randomState).fitResample(split.xTrain, split.yTrain)
            let under = try evaluate(ux, uy)
            let names = ["plain", "class weights", "SMOTE", "under-sampling"]
            let all = [plain, weighted, smote, under]
            return DemoOutcome(passed: weighted.0 >= plain.0 && smote.0 >= plain.0,
                               result: "\(y.filter { $0 == 0 }.count) malignant of \(y.count)\n" + zip(names, all).map { "\($0): malignant recall \(f($1.0)), precision \(f($1.1))" }.joined(separator: "\n"),
                               metrics: [("recall_plain", plain.0), ("recall_weighted", weighted.0), ("recall_smote", smote.0)],
                               figures: [DemoFigure("recall", BarChart(title: "Minority (malignant) recall and precision", categories: names, series: [("recall", all.map(\.0)), ("precision", all.map(\.1))]), caption: "Rebalancing buys recall with some precision.")])
        },
        Demo("fairness-auditing", "Auditing a classifier across groups",
             shows: "A model predicting a penguin's sex from its measurements, audited per species: selection rates, true- and false-positive rates, and the gaps between groups.") { ctx in
            let (x, y, groups) = try penguinSexData()
            let split = try trainTestSplit(count: y.count, testSize: 0.3, stratify: y, randomState: ctx.randomState)
            let model = scaled(LogisticRegression())
            try model.fit(x.rows(split.train), split.train.map { y[$0] })
            let p: [Int] = try model.predict(x.rows(split.test))
            let yt = split.test.map { y[$0] }, gt = split.test.map { groups[$0] }
            let report = try Metrics.groupReport(yTrue: yt, yPred: p, groups: gt)
            let lines = report.groups.map { "\($0.group) (\($0.count)): selection \(f($0.selectionRate)), TPR \(f($0.truePositiveRate)), FPR \(f($0.falsePositiveRate)), accuracy \(f($0.accuracy))" }
            return DemoOutcome(passed: report.groups.count == 3 && report.disparateImpact > 0 && report.disparateImpact <= 1,
                               result: lines.joined(separator: "\n") + "\ndemographic parity difference \(f(report.demographicParityDifference)), disparate impact \(f(report.disparateImpact)), equalized odds difference \(f(report.equalizedOddsDifference ?? .nan))",
                               metrics: [("demographic_parity_difference", report.demographicParityDifference), ("disparate_impact", report.disparateImpact)],
                               figures: [DemoFigure("groups", BarChart(title: "Per-species rates (predicting 'male')", categories: report.groups.map(\.group), series: [("selection rate", report.groups.map(\.selectionRate)), ("TPR", report.groups.map(\.truePositiveRate)), ("FPR", report.groups.map(\.falsePositiveRate))]), caption: "Equal rates across groups would mean no disparity.")])
        },
    ]

    /// Breast cancer with the malignant class (label 0) reduced to about 10% of the rows.
    static func imbalancedCancer(_ ctx: DemoContext) throws -> (Matrix, [Int]) {
        let cancer = try Datasets.load(.breastCancer)
        var rng = SeededRandom(seed: ctx.seed &+ 17)
        let malignant = (0..<cancer.count).filter { cancer.labels[$0] == 0 }
        let benign = (0..<cancer.count).filter { cancer.labels[$0] == 1 }
        let keep = Int(Double(benign.count) / 9)
        let shuffled = rng.permutation(malignant.count).map { malignant[$0] }
        let rows = (Array(shuffled.prefix(keep)) + benign).sorted()
        return (cancer.features.rows(rows), rows.map { cancer.labels[$0] })
    }

    /// Penguins with a known sex: numeric measurements, 1 = male, and the species as the group.
    static func penguinSexData() throws -> (Matrix, [Int], [String]) {
        let table = try Datasets.table(.penguins)
        guard case .categorical(let sex) = try table.column("sex"), case .categorical(let species) = try table.column("species") else {
            throw RoadmapError.storage("penguins: unexpected column types")
        }
        let numeric = try ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"].map { name -> [Double] in
            guard case .numeric(let v) = try table.column(name) else { throw RoadmapError.storage("penguins: \(name) is not numeric") }
            return v
        }
        let rows = (0..<table.rowCount).filter { r in sex[r] != nil && species[r] != nil && numeric.allSatisfy { !$0[r].isNaN } }
        let x = Matrix(rows.map { r in numeric.map { $0[r] } })
        return (x, rows.map { sex[$0] == "male" ? 1 : 0 }, rows.map { species[$0]! })
    }
}

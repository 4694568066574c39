import Foundation
import Tensors
import Learn
import Datasets
import Plot

extension DemoRegistry {
    /// Demos for supervised learning (Learn's estimators on bundled real data).
    public static let supervised: [Demo] = [
        Demo("linear-regression", "Linear regression: gradient descent versus the closed form",
             shows: "Diabetes progression from 10 standardized measurements: gradient descent converges to the least-squares coefficients.") { _ in
            let (x, target, gd, exact, relative) = try diabetesGradientDescentVersusClosedForm()
            let predicted = try exact.predict(x)
            let r2 = try exact.score(x, target)
            return DemoOutcome(passed: relative < 1e-3 && gd.costHistory.last! < gd.costHistory.first!,
                               result: "cost \(f(gd.costHistory.first!, 1)) → \(f(gd.costHistory.last!, 1)) in \(gd.nIterations) steps; largest coefficient gap \(e(relative)) of the largest coefficient; R² \(f(try gd.score(x, target), 4)) vs \(f(r2, 4))",
                               metrics: [("relative_gap", relative), ("r2", r2)],
                               figures: [DemoFigure("cost", LineChart(title: "Gradient descent cost (diabetes)", xLabel: "step", yLabel: "cost", series: [ChartSeries(name: "cost", y: gd.costHistory)], logY: true), caption: "The cost flattens at the least-squares minimum."),
                                         DemoFigure("fit", ScatterChart(title: "Predicted vs actual disease progression", xLabel: "actual", yLabel: "predicted", series: [ChartSeries(name: "patients", x: target, y: predicted)]), caption: "R² ≈ 0.52: a linear model explains half the variance.")])
        },
        Demo("regularized-regression", "Ridge and lasso: coefficient paths",
             shows: "As the penalty grows, ridge shrinks every diabetes coefficient smoothly while lasso sets them to exactly zero one by one.") { _ in
            let diabetes = try Datasets.load(.diabetes)
            let x = try StandardScaler().fitTransform(diabetes.features)
            let alphas = (0..<12).map { pow(10, -2 + Double($0) * 0.4) }
            var lassoPaths = [[Double]](repeating: [], count: x.columns), ridgePaths = lassoPaths
            var zeros: [Int] = []
            for a in alphas {
                let lasso = Lasso(alpha: a)
                try lasso.fit(x, diabetes.target)
                let ridge = Ridge(alpha: a * 100)
                try ridge.fit(x, diabetes.target)
                for j in 0..<x.columns { lassoPaths[j].append(lasso.coef[j]); ridgePaths[j].append(ridge.coef[j]) }
                zeros.append(lasso.coef.filter { $0 == 0 }.count)
            }
            let logAlpha = alphas.map { log10($0) }
            let lassoSeries = (0..<x.columns).map { ChartSeries(name: diabetes.featureNames[$0], x: logAlpha, y: lassoPaths[$0]) }
            let ridgeSeries = (0..<x.columns).map { ChartSeries(name: diabetes.featureNames[$0], x: logAlpha.map { $0 + 2 }, y: ridgePaths[$0]) }
            let ok = zeros.last! > zeros.first! && ridgePaths.allSatisfy { !$0.contains(0) }
            return DemoOutcome(passed: ok, result: "lasso zero coefficients as alpha goes 0.01 → \(f(alphas.last!, 1)): \(zeros.map(String.init).joined(separator: " ")); ridge keeps all 10 non-zero",
                               metrics: [("lasso_zeros_at_max_alpha", Double(zeros.last!))],
                               figures: [DemoFigure("lasso-path", LineChart(title: "Lasso coefficient paths", xLabel: "log10 alpha", yLabel: "coefficient", series: lassoSeries), caption: "L1 drives coefficients to exactly zero."),
                                         DemoFigure("ridge-path", LineChart(title: "Ridge coefficient paths", xLabel: "log10 alpha", yLabel: "coefficient", series: ridgeSeries), caption: "L2 shrinks all coefficients smoothly.")])
        },
        Demo("logistic-regression", "Logistic regression on breast-cancer biopsies",
             shows: "A scaled logistic regression classifies 143 held-out tumours; probabilities give a ROC curve, and the log-loss measures calibration.") { ctx in
            let s = try classificationSplit(.breastCancer, ctx)
            let model = scaled(LogisticRegression())
            try model.fit(s.xTrain, s.yTrain)
            let predicted: [Int] = try model.predict(s.xTest)
            let proba = try model.predictProbabilities(s.xTest)
            let positive = (0..<proba.rows).map { proba[$0, 1] }
            let accuracy = try Metrics.accuracy(s.yTest, predicted)
            let auc = try Metrics.rocAUC(s.yTest, positive)
            let loss = try Metrics.logLoss(s.yTest, proba)
            let roc = try Metrics.rocCurve(s.yTest, positive)
            let sigmoid = stride(from: -6.0, through: 6.0, by: 0.25).map { $0 }
            return DemoOutcome(passed: accuracy >= 0.95 && auc >= 0.98,
                               result: "test accuracy \(f(accuracy)), ROC AUC \(f(auc, 4)), log-loss \(f(loss, 4)) on \(s.yTest.count) tumours",
                               metrics: [("accuracy", accuracy), ("roc_auc", auc), ("log_loss", loss)],
                               figures: [DemoFigure("roc", ROCChart(title: "ROC curve: logistic regression (breast cancer)", curves: [ROCCurveData(name: "logistic", falsePositiveRate: roc.fpr, truePositiveRate: roc.tpr, auc: auc)]), caption: "Near the top-left corner: few false alarms for nearly every true case."),
                                         DemoFigure("sigmoid", LineChart(title: "The sigmoid σ(z) = 1 / (1 + e^−z)", xLabel: "z", yLabel: "σ(z)", series: [ChartSeries(name: "σ", x: sigmoid, y: sigmoid.map { 1 / (1 + exp(-$0)) })]), caption: "Scores become probabilities.")])
        },
        Demo("decision-trees", "Decision trees: Gini versus entropy, and pruning",
             shows: "Trees on wine with both split criteria, and cost-complexity pruning trading leaves for test accuracy.") { ctx in
            let s = try classificationSplit(.wine, ctx)
            let gini = DecisionTreeClassifier(criterion: "gini", randomState: ctx.randomState)
            let entropy = DecisionTreeClassifier(criterion: "entropy", randomState: ctx.randomState)
            let giniAcc = try testAccuracy(gini, s.xTrain, s.yTrain, s.xTest, s.yTest)
            let entropyAcc = try testAccuracy(entropy, s.xTrain, s.yTrain, s.xTest, s.yTest)
            let path = try DecisionTreeClassifier(randomState: ctx.randomState).costComplexityPruningPath(s.xTrain, s.yTrain)
            var leaves: [Double] = [], accs: [Double] = [], alphas: [Double] = []
            for a in path.ccpAlphas.dropLast() {
                let t = DecisionTreeClassifier(randomState: ctx.randomState, ccpAlpha: a)
                accs.append(try testAccuracy(t, s.xTrain, s.yTrain, s.xTest, s.yTest))
                leaves.append(Double(t.leafCount))
                alphas.append(a)
            }
            let top = gini.featureImportances.enumerated().max { $0.element < $1.element }!
            return DemoOutcome(passed: giniAcc >= 0.8 && entropyAcc >= 0.8 && leaves.first! >= leaves.last!,
                               result: "wine test accuracy: Gini \(f(giniAcc)) (depth \(gini.depth), \(gini.leafCount) leaves), entropy \(f(entropyAcc)) (depth \(entropy.depth)); most important feature: \(s.data.featureNames[top.offset])\npruning path: \(alphas.count) alphas, leaves \(Int(leaves.first!)) → \(Int(leaves.last!))",
                               metrics: [("gini_accuracy", giniAcc), ("entropy_accuracy", entropyAcc)],
                               figures: [DemoFigure("pruning", LineChart(title: "Cost-complexity pruning (wine)", xLabel: "leaves", yLabel: "test accuracy", series: [ChartSeries(name: "pruned tree", x: leaves, y: accs)], showMarkers: true), caption: "A handful of leaves keeps most of the accuracy.")])
        },
        Demo("random-forests", "Random forests: bagging and feature importance",
             shows: "A 200-tree forest versus one tree on breast cancer, its out-of-bag estimate, and the features it relies on.") { ctx in
            let s = try classificationSplit(.breastCancer, ctx)
            let forest = RandomForestClassifier(nEstimators: 200, oobScore: true, randomState: ctx.randomState)
            let forestAcc = try testAccuracy(forest, s.xTrain, s.yTrain, s.xTest, s.yTest)
            let treeAcc = try testAccuracy(DecisionTreeClassifier(randomState: ctx.randomState), s.xTrain, s.yTrain, s.xTest, s.yTest)
            let order = forest.featureImportances.enumerated().sorted { $0.element > $1.element }.prefix(8)
            return DemoOutcome(passed: forestAcc >= 0.93 && forestAcc >= treeAcc - 0.02,
                               result: "test accuracy: forest \(f(forestAcc)), single tree \(f(treeAcc)); out-of-bag accuracy \(f(forest.oobScore ?? .nan))",
                               metrics: [("forest_accuracy", forestAcc), ("tree_accuracy", treeAcc), ("oob_score", forest.oobScore ?? .nan)],
                               figures: [DemoFigure("importance", BarChart(title: "Random forest: top feature importances (breast cancer)", categories: order.map { s.data.featureNames[$0.offset] }, values: order.map(\.element), horizontal: true, showValues: false), caption: "Impurity decrease averaged over 200 trees.")])
        },
        Demo("gradient-boosting", "Boosting: AdaBoost, gradient boosting and histogram boosting",
             shows: "Three boosting families on breast cancer, and how test accuracy grows with the number of boosting rounds.") { ctx in
            let s = try classificationSplit(.breastCancer, ctx)
            let ada = try testAccuracy(AdaBoostClassifier(randomState: ctx.randomState), s.xTrain, s.yTrain, s.xTest, s.yTest)
            let gb = try testAccuracy(GradientBoostingClassifier(randomState: ctx.randomState), s.xTrain, s.yTrain, s.xTest, s.yTest)
            let hgb = try testAccuracy(HistGradientBoostingClassifier(randomState: ctx.randomState), s.xTrain, s.yTrain, s.xTest, s.yTest)
            let rounds = [1, 5, 10, 25, 50, 100]
            var curve: [Double] = []
            for r in rounds { curve.append(try testAccuracy(GradientBoostingClassifier(nEstimators: r, randomState: ctx.randomState), s.xTrain, s.yTrain, s.xTest, s.yTest)) }
            return DemoOutcome(passed: [ada, gb, hgb].allSatisfy { $0 >= 0.92 },
                               result: "test accuracy: AdaBoost \(f(ada)), gradient boosting \(f(gb)), histogram gradient boosting \(f(hgb))",
                               metrics: [("adaboost", ada), ("gradient_boosting", gb), ("hist_gradient_boosting", hgb)],
                               figures: [DemoFigure("rounds", LineChart(title: "Gradient boosting: test accuracy vs rounds", xLabel: "trees", yLabel: "accuracy", series: [ChartSeries(name: "gradient boosting", x: rounds.map(Double.init), y: curve)], showMarkers: true), caption: "Each round corrects the previous ones."),
                                         DemoFigure("families", BarChart(title: "Boosting families (breast cancer test accuracy)", categories: ["AdaBoost", "gradient", "histogram"], values: [ada, gb, hgb]), caption: "All three near 95%.")])
        },
        Demo("stacking-voting", "Voting and stacking",
             shows: "Soft voting and stacking over a logistic regression, a k-NN and a forest on wine.") { ctx in
            let s = try classificationSplit(.wine, ctx)
            func members() -> [(String, any Classifier)] {
                [("logistic", scaled(LogisticRegression())), ("knn", scaled(KNeighborsClassifier())), ("forest", RandomForestClassifier(nEstimators: 50, randomState: ctx.randomState))]
            }
            var names: [String] = [], accs: [Double] = []
            for (n, m) in members() { names.append(n); accs.append(try testAccuracy(m, s.xTrain, s.yTrain, s.xTest, s.yTest)) }
            let vote = try testAccuracy(VotingClassifier(estimators: members(), voting: "soft"), s.xTrain, s.yTrain, s.xTest, s.yTest)
            let stack = try testAccuracy(StackingClassifier(estimators: members()), s.xTrain, s.yTrain, s.xTest, s.yTest)
            names += ["soft vote", "stacking"]; accs += [vote, stack]
            return DemoOutcome(passed: vote >= accs[0..<3].min()! && stack >= 0.9,
                               result: zip(names, accs).map { "\($0): \(f($1))" }.joined(separator: ", "),
                               metrics: [("voting", vote), ("stacking", stack)],
                               figures: [DemoFigure("ensembles", BarChart(title: "Wine test accuracy: members and ensembles", categories: names, values: accs), caption: "The ensembles are at least as good as their weakest member.")])
        },
        Demo("svm", "Support vector machines and kernels",
             shows: "Linear, polynomial and RBF kernels on digits; the RBF margin classifier with its support vectors.") { ctx in
            let s = try classificationSplit(.digits, ctx)
            var accs: [Double] = []
            var supports: [Int] = []
            for k in [SVMKernel.linear, .poly, .rbf] {
                let svc = SVC(kernel: k)
                accs.append(try testAccuracy(scaled(svc), s.xTrain, s.yTrain, s.xTest, s.yTest))
                supports.append(svc.support.count)
            }
            return DemoOutcome(passed: accs[2] >= 0.95,
                               result: "digits test accuracy — linear \(f(accs[0])), polynomial \(f(accs[1])), RBF \(f(accs[2])); support vectors \(supports.map(String.init).joined(separator: ", "))",
                               metrics: [("linear", accs[0]), ("poly", accs[1]), ("rbf", accs[2])],
                               figures: [DemoFigure("kernels", BarChart(title: "SVC kernels on digits (test accuracy)", categories: ["linear", "polynomial", "RBF"], values: accs), caption: "The kernel trick: non-linear boundaries at linear cost.")])
        },
        Demo("k-nearest-neighbors", "k-nearest neighbours: choosing k",
             shows: "Cross-validated accuracy on wine for k = 1…25, with and without distance weighting.") { ctx in
            let wine = try Datasets.load(.wine)
            let ks = [1, 3, 5, 7, 9, 11, 15, 19, 25]
            var uniform: [Double] = [], weighted: [Double] = []
            for k in ks {
                uniform.append(try crossValScore(scaled(KNeighborsClassifier(nNeighbors: k)), wine.features, wine.labels, cv: 5).reduce(0, +) / 5)
                weighted.append(try crossValScore(scaled(KNeighborsClassifier(nNeighbors: k, weights: .distance)), wine.features, wine.labels, cv: 5).reduce(0, +) / 5)
            }
            let best = zip(ks, uniform).max { $0.1 < $1.1 }!
            return DemoOutcome(passed: best.1 >= 0.93,
                               result: "best k = \(best.0): 5-fold accuracy \(f(best.1)); k = 1: \(f(uniform[0]))",
                               metrics: [("best_k", Double(best.0)), ("best_accuracy", best.1)],
                               figures: [DemoFigure("choosing-k", LineChart(title: "k-NN on wine: 5-fold accuracy vs k", xLabel: "k", yLabel: "accuracy", series: [ChartSeries(name: "uniform", x: ks.map(Double.init), y: uniform), ChartSeries(name: "distance-weighted", x: ks.map(Double.init), y: weighted)], showMarkers: true), caption: "Small k overfits, large k blurs the classes.")])
        },
        Demo("naive-bayes", "Naive Bayes: Gaussian, multinomial and Bernoulli",
             shows: "Gaussian NB on wine, multinomial NB on digit pixel counts, Bernoulli NB on binarized pixels.") { ctx in
            let wine = try classificationSplit(.wine, ctx)
            let digits = try classificationSplit(.digits, ctx)
            let g = try testAccuracy(GaussianNB(), wine.xTrain, wine.yTrain, wine.xTest, wine.yTest)
            let m = try testAccuracy(MultinomialNB(), digits.xTrain, digits.yTrain, digits.xTest, digits.yTest)
            let b = try testAccuracy(BernoulliNB(binarize: 4), digits.xTrain, digits.yTrain, digits.xTest, digits.yTest)
            return DemoOutcome(passed: g >= 0.9 && m >= 0.85 && b >= 0.8,
                               result: "Gaussian NB on wine \(f(g)); multinomial NB on digits \(f(m)); Bernoulli NB on binarized digits \(f(b))",
                               metrics: [("gaussian_wine", g), ("multinomial_digits", m), ("bernoulli_digits", b)],
                               figures: [DemoFigure("variants", BarChart(title: "Naive Bayes variants (test accuracy)", categories: ["Gaussian (wine)", "multinomial (digits)", "Bernoulli (digits)"], values: [g, m, b]), caption: "A strong baseline for almost no training time.")])
        },
        Demo("bias-variance", "The bias–variance trade-off",
             shows: "Polynomial fits of growing degree to one diabetes feature: training error keeps falling while cross-validated error turns back up.") { _ in
            let diabetes = try Datasets.load(.diabetes)
            let bmi = Matrix(column: diabetes.features.column(2))
            var train: [Double] = [], valid: [Double] = []
            let degrees = Array(1...10)
            for d in degrees {
                let model = Pipeline([("poly", PolynomialFeatures(degree: d, includeBias: false)), ("scale", StandardScaler()), ("model", Ridge(alpha: 1e-6))])
                try model.fit(bmi, diabetes.target)
                train.append(try Metrics.meanSquaredError(diabetes.target, try model.predict(bmi)))
                let folds = try crossValScore(model, bmi, diabetes.target, cv: .splitter(KFold(nSplits: 5, shuffle: true, randomState: 0)), scoring: try Scoring(name: "neg_mean_squared_error"))
                valid.append(-folds.reduce(0, +) / Double(folds.count))
            }
            let bestDegree = degrees[valid.firstIndex(of: valid.min()!)!]
            return DemoOutcome(passed: train.last! <= train.first! && valid.last! > valid.min()!,
                               result: "training MSE \(f(train.first!, 0)) → \(f(train.last!, 0)) (degree 1 → 10); cross-validated MSE is lowest at degree \(bestDegree) (\(f(valid.min()!, 0))) and \(f(valid.last!, 0)) at degree 10",
                               metrics: [("best_degree", Double(bestDegree))],
                               figures: [DemoFigure("curves", LineChart(title: "Polynomial degree vs error (diabetes, BMI only)", xLabel: "degree", yLabel: "MSE", series: [ChartSeries(name: "training", x: degrees.map(Double.init), y: train), ChartSeries(name: "5-fold validation", x: degrees.map(Double.init), y: valid)], logY: true, showMarkers: true), caption: "Low degree: bias. High degree: variance.")])
        },
        Demo("overfitting-underfitting", "Overfitting and underfitting: tree depth",
             shows: "Training and test accuracy of decision trees of depth 1…15 on breast cancer.") { ctx in
            let s = try classificationSplit(.breastCancer, ctx)
            var train: [Double] = [], test: [Double] = []
            let depths = Array(1...12)
            for d in depths {
                let t = DecisionTreeClassifier(maxDepth: d, randomState: ctx.randomState)
                try t.fit(s.xTrain, s.yTrain)
                train.append(try Metrics.accuracy(s.yTrain, try t.predict(s.xTrain)))
                test.append(try Metrics.accuracy(s.yTest, try t.predict(s.xTest)))
            }
            return DemoOutcome(passed: train.last! >= 0.999 && train.first! < train.last!,
                               result: "depth 1: train \(f(train[0])) test \(f(test[0])) (underfit); depth 12: train \(f(train.last!)) test \(f(test.last!)) (memorised); best test \(f(test.max()!)) at depth \(depths[test.firstIndex(of: test.max()!)!])",
                               metrics: [("best_test_accuracy", test.max()!)],
                               figures: [DemoFigure("depth", LineChart(title: "Decision tree depth vs accuracy (breast cancer)", xLabel: "max depth", yLabel: "accuracy", series: [ChartSeries(name: "training", x: depths.map(Double.init), y: train), ChartSeries(name: "test", x: depths.map(Double.init), y: test)], showMarkers: true), caption: "The gap between the curves is overfitting.")])
        },
    ]
}

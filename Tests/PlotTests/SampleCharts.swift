import Foundation
import Plot

/// Deterministic sample data (no system random generator): a small LCG and Box–Muller.
struct SampleRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }
    mutating func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    mutating func normal(mean: Double = 0, std: Double = 1) -> Double {
        let u1 = max(uniform(), 1e-12), u2 = uniform()
        return mean + std * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// One chart of each type, with realistic data, as the README screenshots and the browser check show them.
enum SampleCharts {
    static func line() -> LineChart {
        var rng = SampleRandom(seed: 1)
        let epochs = (1...60).map(Double.init)
        let train = epochs.map { 2.2 * exp(-$0 / 9) + 0.08 + 0.02 * rng.normal() }
        let valid = epochs.map { 2.2 * exp(-$0 / 10) + 0.16 + 0.002 * max(0, $0 - 35) * ($0 - 35) / 10 + 0.03 * rng.normal() }
        return LineChart(title: "Training and validation loss", xLabel: "epoch", yLabel: "cross-entropy loss",
                         series: [ChartSeries(name: "train", x: epochs, y: train),
                                  ChartSeries(name: "validation", x: epochs, y: valid)])
    }

    static func scatter() -> ScatterChart {
        var rng = SampleRandom(seed: 2)
        let centers: [(Double, Double, String)] = [(-2.5, 1.0, "cluster 0"), (1.8, 2.6, "cluster 1"), (0.6, -2.2, "cluster 2"), (3.9, -0.4, "cluster 3")]
        let series = centers.map { c -> ChartSeries in
            let xs = (0..<60).map { _ in rng.normal(mean: c.0, std: 0.7) }
            let ys = (0..<60).map { _ in rng.normal(mean: c.1, std: 0.7) }
            return ChartSeries(name: c.2, x: xs, y: ys)
        }
        return ScatterChart(title: "k-means clusters (PCA projection)", xLabel: "PC 1", yLabel: "PC 2", series: series)
    }

    static func bar() -> BarChart {
        BarChart(title: "Test accuracy by model", yLabel: "accuracy",
                 categories: ["iris", "wine", "breast cancer", "digits"],
                 series: [(name: "logistic regression", values: [0.973, 0.972, 0.958, 0.961]),
                          (name: "random forest", values: [0.953, 0.981, 0.965, 0.974]),
                          (name: "k-nearest neighbours", values: [0.960, 0.694, 0.930, 0.987])])
    }

    static func histogram() -> HistogramChart {
        var rng = SampleRandom(seed: 3)
        let values = (0..<2000).map { i in i % 3 == 0 ? rng.normal(mean: 2.5, std: 0.6) : rng.normal(mean: 0, std: 1) }
        return HistogramChart(title: "Distribution of prediction residuals", xLabel: "residual", values: values, bins: 30)
    }

    static func heatmap() -> HeatmapChart {
        HeatmapChart.confusionMatrix(title: "Confusion matrix (test set)", labels: ["setosa", "versicolor", "virginica"],
                                     counts: [[19, 0, 0], [0, 14, 2], [0, 1, 17]])
    }

    static func roc() -> ROCChart {
        var rng = SampleRandom(seed: 4)
        let labels = (0..<400).map { _ in rng.uniform() < 0.45 }
        let good = labels.map { $0 ? rng.normal(mean: 1.6, std: 1) : rng.normal(mean: 0, std: 1) }
        let weak = labels.map { $0 ? rng.normal(mean: 0.6, std: 1) : rng.normal(mean: 0, std: 1) }
        return ROCChart(title: "ROC curves (held-out set)",
                        curves: [try! ROCCurveData(name: "gradient boosting", scores: good, labels: labels),
                                 try! ROCCurveData(name: "naive Bayes", scores: weak, labels: labels)])
    }

    /// Name (as in `docs/images/chart-NAME.png`) and chart, one per type.
    static func all() -> [(name: String, chart: any SVGChart)] {
        [("line", line()), ("scatter", scatter()), ("bar", bar()), ("histogram", histogram()), ("heatmap", heatmap()), ("roc", roc())]
    }

    /// Extra charts for the report page: edge cases and variants a person should also see right.
    static func variants() -> [(name: String, chart: any SVGChart)] {
        var rng = SampleRandom(seed: 5)
        let steps = (0..<200).map { Double($0 * 50) }
        let lossLog = steps.map { 3.0 * pow(0.985, $0 / 50) + 0.002 + 0.0 * rng.uniform() }
        let digits = (0..<10).map { String($0) }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for i in 0..<10 { for j in 0..<10 { confusion[i][j] = i == j ? 160 + Int(rng.uniform() * 30) : (rng.uniform() < 0.3 ? Int(rng.uniform() * 6) : 0) } }
        let tenClasses = (0..<10).map { k -> ChartSeries in
            let angle = Double(k) / 10 * 2 * Double.pi
            return ChartSeries(name: "digit \(k)", x: (0..<30).map { _ in rng.normal(mean: 6 * cos(angle), std: 0.9) },
                               y: (0..<30).map { _ in rng.normal(mean: 6 * sin(angle), std: 0.9) })
        }
        return [
            ("line-log", LineChart(title: "Cost history (log scale)", xLabel: "iteration", yLabel: "cost",
                                   series: [ChartSeries(name: "gradient descent", x: steps, y: lossLog)], logY: true)),
            ("line-markers", LineChart(title: "Validation curve with a gap (NaN) and markers", xLabel: "C", yLabel: "score",
                                       series: [ChartSeries(name: "train", x: [0.001, 0.01, 0.1, 1, 10, 100], y: [0.62, 0.81, .nan, 0.97, 0.99, 1.0]),
                                                ChartSeries(name: "cross-validation", x: [0.001, 0.01, 0.1, 1, 10, 100], y: [0.6, 0.78, 0.91, 0.95, 0.93, 0.9])],
                                       showMarkers: true)),
            ("scatter-10", ScatterChart(title: "t-SNE of digits (10 classes)", xLabel: "t-SNE 1", yLabel: "t-SNE 2", series: tenClasses)),
            ("bar-horizontal", BarChart(title: "Feature importance", yLabel: "mean decrease in impurity",
                                        categories: ["petal length (cm)", "petal width (cm)", "sepal length (cm)", "sepal width (cm)"],
                                        values: [0.441, 0.422, 0.112, 0.025], horizontal: true)),
            ("bar-negative", BarChart(title: "Coefficients <ridge> & \"lasso\"", yLabel: "weight",
                                      categories: ["age", "sex", "bmi", "bp", "s1", "s2"],
                                      series: [(name: "ridge", values: [12.5, -180.3, 470.1, 290.6, -35.2, -8.4]),
                                               (name: "lasso", values: [0, -150.9, 520.4, 280.2, 0, 0])])),
            ("heatmap-10", HeatmapChart.confusionMatrix(title: "Digits confusion matrix", labels: digits, counts: confusion)),
            ("heatmap-normalized", HeatmapChart.confusionMatrix(title: "Normalized confusion matrix", labels: ["cat", "dog", "bird"],
                                                                counts: [[40, 8, 2], [5, 43, 2], [3, 1, 46]], normalize: true)),
            ("histogram-constant", HistogramChart(title: "Constant sample", xLabel: "value", values: [Double](repeating: 4.2, count: 12), bins: 10)),
            ("line-single", LineChart(title: "Single point", series: [ChartSeries(name: "only", x: [3], y: [7])])),
            ("scatter-large", ScatterChart(title: "Large values (SI ticks)", xLabel: "price", yLabel: "carat × 10⁻⁵",
                                           series: [ChartSeries(name: "", x: (0..<100).map { _ in 50_000 + 3_000_000 * rng.uniform() },
                                                                y: (0..<100).map { _ in 0.00001 + 0.00004 * rng.uniform() })])),
        ]
    }

    /// A report page with every chart, a table, a list and preformatted text.
    static func report() -> HTMLReport {
        var report = HTMLReport(title: "SwiftLearn Plot — sample report")
        report.addParagraph("Every chart type of the Plot module, rendered from deterministic sample data. <Text> & \"quotes\" are escaped.")
        for (name, chart) in all() {
            report.addHeading(chart.title)
            report.addChart(chart, caption: "chart-\(name)")
        }
        report.addHeading("Variants and edge cases")
        for (name, chart) in variants() { report.addChart(chart, caption: "chart-\(name)") }
        report.addHeading("Scores", level: 3)
        report.addTable(headers: ["model", "accuracy", "F1", "fit time"],
                        rows: [["logistic regression", "0.973", "0.972", "12 ms"], ["random forest", "0.953", "0.951", "140 ms"],
                               ["k-nearest neighbours", "0.960"]])
        report.addList(["seed 0", "5-fold cross-validation"])
        report.addPreformatted("Linear(in: 4, out: 16)\nReLU()\nLinear(in: 16, out: 3)   # 131 parameters")
        return report
    }
}

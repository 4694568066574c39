import Foundation
import Testing
import Plot

@Suite struct ChartTests {
    /// Every sample chart, every variant, and the error placeholders.
    static func everyChart() -> [(String, any SVGChart)] {
        SampleCharts.all() + SampleCharts.variants() + [
            ("empty-line", LineChart(title: "empty", series: [])),
            ("empty-heatmap", HeatmapChart(title: "empty", rowLabels: [], columnLabels: [], values: [])),
        ]
    }

    @Test func everyChartIsWellFormedXMLWithViewBox() {
        for (name, chart) in Self.everyChart() {
            for (w, h) in [(640, 400), (320, 240), (1200, 500), (10, 10)] {
                let svg = chart.svg(width: w, height: h)
                let doc = SVGInspector(svg)
                #expect(doc.isWellFormed, "\(name) at \(w)×\(h): \(doc.parseError ?? "")")
                #expect(doc.root?.name == "svg")
                #expect(doc.root?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
                let viewBox = "0 0 \(max(w, 160)) \(max(h, 120))"
                #expect(doc.root?.attributes["viewBox"] == viewBox, "\(name): viewBox \(doc.root?.attributes["viewBox"] ?? "none")")
                #expect(doc.count("title") == 1)
                #expect(!svg.contains("nan") && !svg.contains("inf"), "\(name): non-finite number in the SVG")
            }
        }
    }

    @Test func outputIsDeterministic() {
        for (name, chart) in Self.everyChart() {
            #expect(chart.svg() == chart.svg(), "\(name) differs between two renderings")
        }
        // A fresh chart from the same data gives the same bytes.
        #expect(SampleCharts.scatter().svg() == SampleCharts.scatter().svg())
        #expect(SampleCharts.report().html() == SampleCharts.report().html())
    }

    @Test func textIsEscaped() {
        let title = "a < b & \"c\" > 'd'"
        let charts: [any SVGChart] = [
            LineChart(title: title, xLabel: "<x>", series: [ChartSeries(name: "<&>", x: [1, 2], y: [3, 4])]),
            BarChart(title: title, categories: ["<cat>"], series: [(name: "\"s\"", values: [1])]),
            HeatmapChart(title: title, rowLabels: ["<r>"], columnLabels: ["&c"], values: [[1]]),
        ]
        for chart in charts {
            let svg = chart.svg()
            let doc = SVGInspector(svg)
            #expect(doc.isWellFormed)
            #expect(svg.contains("a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;"))
            #expect(doc.texts.contains(title))   // the parser gives the original text back
        }
        #expect(xmlEscaped("x\u{1}y\u{0B}z") == "xyz")   // characters XML 1.0 forbids are dropped
    }

    @Test func lineChartElements() {
        let chart = LineChart(title: "t", series: [ChartSeries(name: "a", x: [1, 2, 3, 4, 5], y: [1, 2, .nan, 4, 5]),
                                                  ChartSeries(name: "b", x: [1, 2, 3], y: [3, 1, 2])])
        let doc = SVGInspector(chart.svg())
        // The NaN breaks series a into two polylines; b is one.
        #expect(doc.count("polyline", cssClass: "series-line") == 3)
        #expect(doc.texts(cssClass: "legend-label") == ["a", "b"])
        #expect(doc.count(cssClass: "marker") == 0)
        let marked = SVGInspector(LineChart(title: "t", series: [ChartSeries(name: "a", y: [1, 2, 3])], showMarkers: true).svg())
        #expect(marked.count(cssClass: "marker") == 3)
        // An isolated point (NaN on both sides) is still visible as a marker.
        let isolated = SVGInspector(LineChart(title: "t", series: [ChartSeries(name: "a", y: [1, .nan, 3, .nan, 4, 5])]).svg())
        #expect(isolated.count(cssClass: "marker") == 2)
        #expect(isolated.count("polyline", cssClass: "series-line") == 1)
    }

    @Test func logAxisSkipsNonPositiveValues() throws {
        let chart = LineChart(title: "t", series: [ChartSeries(name: "a", y: [10, 1, 0, 0.1, -1, 0.01])], logY: true)
        try chart.validate()
        let doc = SVGInspector(chart.svg())
        // 10 → 1 is a line; 0.1 and 0.01 are isolated by the skipped 0 and −1, so they are markers.
        #expect(doc.count("polyline", cssClass: "series-line") == 1)
        #expect(doc.count(cssClass: "marker") == 2)
        #expect(doc.elements.filter { $0.name == "text" && $0.text == "0.01" }.count == 1)
        #expect(throws: PlotError.self) { try LineChart(title: "t", series: [ChartSeries(name: "a", y: [0, -1])], logY: true).validate() }
    }

    @Test func scatterHasOneMarkerPerFinitePoint() {
        let chart = ScatterChart(title: "t", series: [ChartSeries(name: "a", x: [1, 2, 3, .nan], y: [1, 2, 3, 4]),
                                                     ChartSeries(name: "b", x: [5, 6], y: [.infinity, 7])])
        let doc = SVGInspector(chart.svg())
        #expect(doc.count(cssClass: "marker") == 4)
        #expect(SVGInspector(SampleCharts.scatter().svg()).count(cssClass: "marker") == 240)
        // Ten classes: ten colours.
        let ten = SVGInspector(SampleCharts.variants().first { $0.name == "scatter-10" }!.chart.svg())
        let fills = Set(ten.elements.filter { $0.classes.contains("marker") }.compactMap { $0.attributes["fill"] })
        #expect(fills.count == 10)
    }

    @Test func barChartHasOneRectPerValue() {
        let chart = BarChart(title: "t", categories: ["a", "b", "c"], series: [(name: "x", values: [1, -2, 3]), (name: "y", values: [4, 5, 6])])
        let doc = SVGInspector(chart.svg())
        #expect(doc.count("rect", cssClass: "bar") == 6)
        #expect(doc.texts(cssClass: "value-label").sorted() == ["-2", "1", "3", "4", "5", "6"])
        #expect(doc.count(cssClass: "zero-line") == 1)
        let horizontal = SVGInspector(BarChart(title: "t", categories: ["a", "b"], values: [1, .nan], horizontal: true).svg())
        #expect(horizontal.count("rect", cssClass: "bar") == 1)
        #expect(horizontal.count(cssClass: "legend") == 0)
    }

    @Test func histogramCountsLikeNumPy() throws {
        // numpy.histogram([1, 2, 2, 3, 3, 3, 4], bins=3) → counts [1, 2, 4], edges [1, 2, 3, 4].
        let h = HistogramChart(title: "t", values: [1, 2, 2, 3, 3, 3, 4, .nan], bins: 3)
        let (edges, counts) = try h.histogram()
        #expect(counts == [1, 2, 4])
        #expect(edges == [1, 2, 3, 4])
        #expect(SVGInspector(h.svg()).count("rect", cssClass: "bar") == 3)
        // A constant sample: numpy's range (v − 0.5, v + 0.5).
        let constant = try HistogramChart(title: "t", values: [2, 2, 2], bins: 4).histogram()
        #expect(constant.edges.first == 1.5 && constant.edges.last == 2.5)
        #expect(constant.counts.reduce(0, +) == 3)
    }

    @Test func heatmapCellsAndContrast() {
        let chart = HeatmapChart(title: "t", rowLabels: ["a", "b"], columnLabels: ["x", "y", "z"], values: [[0, 5, 10], [2, .nan, 8]])
        let doc = SVGInspector(chart.svg())
        #expect(doc.count("rect", cssClass: "cell") == 6)
        #expect(doc.count("rect", cssClass: "missing") == 1)
        #expect(doc.texts(cssClass: "cell-value") == ["0", "5", "10", "2", "8"])
        let colors = doc.elements.filter { $0.classes.contains("cell-value") }.map { $0.attributes["fill"] ?? "" }
        #expect(colors.first == "#1a1a1a" && colors[2] == "#ffffff")   // dark text on light, white on dark
        #expect(doc.count(cssClass: "colorbar-step") == 48)
        let normalized = HeatmapChart.confusionMatrix(labels: ["a", "b"], counts: [[3, 1], [0, 4]], normalize: true)
        #expect(SVGInspector(normalized.svg()).texts(cssClass: "cell-value") == ["0.75", "0.25", "0.00", "1.00"])
    }

    @Test func rocCurveFromScoresMatchesScikitLearn() throws {
        // sklearn.metrics.roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], drop_intermediate=False):
        // fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1]; roc_auc_score = 0.75.
        let curve = try ROCCurveData(name: "m", scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true])
        #expect(curve.falsePositiveRate == [0, 0, 0.5, 0.5, 1])
        #expect(curve.truePositiveRate == [0, 0.5, 0.5, 1, 1])
        #expect(curve.auc == 0.75)
        let doc = SVGInspector(ROCChart(title: "t", curves: [curve]).svg())
        #expect(doc.count("polyline", cssClass: "roc-curve") == 1)
        #expect(doc.count(cssClass: "chance-line") == 1)
        #expect(doc.texts(cssClass: "legend-label") == ["m (AUC = 0.750)", "Chance (AUC = 0.500)"])
    }

    @Test func edgeCasesDrawWithoutErrors() throws {
        let charts: [any SVGChart] = [
            LineChart(title: "single", series: [ChartSeries(name: "a", x: [3], y: [7])]),
            LineChart(title: "constant", series: [ChartSeries(name: "a", y: [2, 2, 2])]),
            LineChart(title: "negative", series: [ChartSeries(name: "a", y: [-5, -1, -3])]),
            ScatterChart(title: "one point", series: [ChartSeries(name: "", x: [0], y: [0])]),
            BarChart(title: "all zero", categories: ["a"], values: [0]),
            HistogramChart(title: "one value", values: [1], bins: 1),
            HeatmapChart(title: "constant", rowLabels: ["a"], columnLabels: ["b"], values: [[3]]),
        ]
        for chart in charts {
            try chart.validate()
            let doc = SVGInspector(try chart.render())
            #expect(doc.isWellFormed)
            #expect(doc.count(cssClass: "chart-error") == 0)
        }
    }

    @Test func invalidDataThrowsTypedErrors() {
        #expect(throws: PlotError.emptyData("the series list")) { try LineChart(title: "t", series: []).validate() }
        #expect(throws: PlotError.mismatchedLengths(series: "s", xCount: 2, yCount: 3)) {
            try ScatterChart(title: "t", series: [ChartSeries(name: "s", x: [1, 2], y: [1, 2, 3])]).validate()
        }
        #expect(throws: PlotError.noFiniteValues("the chart")) {
            try LineChart(title: "t", series: [ChartSeries(name: "s", x: [1], y: [.nan])]).validate()
        }
        #expect(throws: PlotError.self) { try BarChart(title: "t", categories: ["a", "b"], values: [1]).validate() }
        #expect(throws: PlotError.self) { try BarChart(title: "t", categories: [], values: []).validate() }
        #expect(throws: PlotError.self) { try HistogramChart(title: "t", values: [1, 2], bins: 0).validate() }
        #expect(throws: PlotError.self) { try HistogramChart(title: "t", values: []).validate() }
        #expect(throws: PlotError.self) { try HistogramChart(title: "t", values: [.nan]).validate() }
        #expect(throws: PlotError.self) {
            try HeatmapChart(title: "t", rowLabels: ["a", "b"], columnLabels: ["x"], values: [[1], [2, 3]]).validate()
        }
        #expect(throws: PlotError.self) { try ROCChart(title: "t", curves: []).validate() }
        #expect(throws: PlotError.self) {
            try ROCChart(title: "t", curves: [ROCCurveData(name: "c", falsePositiveRate: [0, 1.5], truePositiveRate: [0, 1], auc: 0.5)]).validate()
        }
        #expect(throws: PlotError.self) { try ROCCurveData(name: "c", scores: [0.1, 0.2], labels: [true, true]) }
        #expect(throws: PlotError.self) { try SampleCharts.line().render(width: 50, height: 400) }
        // The non-throwing svg() draws the message instead of crashing.
        let placeholder = SVGInspector(LineChart(title: "t", series: []).svg())
        #expect(placeholder.isWellFormed)
        #expect(placeholder.texts(cssClass: "error-message") == ["nothing to plot: the series list is empty"])
    }
}

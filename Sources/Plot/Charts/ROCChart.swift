/// One receiver operating characteristic curve: false-positive rate against true-positive rate,
/// with its area under the curve.
public struct ROCCurveData: Equatable, Sendable {
    /// The name shown in the legend (with the AUC).
    public var name: String
    /// False-positive rates, in `[0, 1]`, one per threshold.
    public var falsePositiveRate: [Double]
    /// True-positive rates, in `[0, 1]`, one per threshold.
    public var truePositiveRate: [Double]
    /// Area under the curve (shown in the legend as `AUC = 0.912`; NaN shows `n/a`).
    public var auc: Double

    /// A curve from rates computed elsewhere (e.g. scikit-learn's `roc_curve` and `roc_auc_score`).
    public init(name: String, falsePositiveRate: [Double], truePositiveRate: [Double], auc: Double) {
        self.name = name
        self.falsePositiveRate = falsePositiveRate
        self.truePositiveRate = truePositiveRate
        self.auc = auc
    }

    /// The ROC curve of binary `scores` against `labels` (`true` = positive class), computed as
    /// scikit-learn's `roc_curve(drop_intermediate=False)`: thresholds at each distinct score, from
    /// the highest down, tied scores taken together, starting at (0, 0); AUC by the trapezoid rule.
    /// - Throws: ``PlotError`` when the lengths differ, the input is empty, a score is not finite,
    ///   or one class is missing (the rates are undefined).
    public init(name: String, scores: [Double], labels: [Bool]) throws {
        guard scores.count == labels.count else {
            throw PlotError.mismatchedLengths(series: name, xCount: scores.count, yCount: labels.count)
        }
        guard !scores.isEmpty else { throw PlotError.emptyData("the score list of '\(name)'") }
        guard scores.allSatisfy({ $0.isFinite }) else { throw PlotError.noFiniteValues("some scores of '\(name)'") }
        let positives = labels.filter { $0 }.count, negatives = labels.count - positives
        guard positives > 0 && negatives > 0 else {
            throw PlotError.invalidParameter(name: "labels", reason: "ROC needs both positive and negative examples (got \(positives) positive, \(negatives) negative)")
        }
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        var fpr: [Double] = [0], tpr: [Double] = [0]
        var tp = 0, fp = 0, k = 0
        while k < order.count {
            let threshold = scores[order[k]]
            while k < order.count && scores[order[k]] == threshold {
                if labels[order[k]] { tp += 1 } else { fp += 1 }
                k += 1
            }
            fpr.append(Double(fp) / Double(negatives)); tpr.append(Double(tp) / Double(positives))
        }
        var area = 0.0
        for i in 1..<fpr.count { area += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2 }
        self.init(name: name, falsePositiveRate: fpr, truePositiveRate: tpr, auc: area)
    }
}

/// ROC curves of one or more classifiers on a square plot with the chance diagonal, the AUC of
/// each curve in the legend.
///
/// ```swift
/// let chart = ROCChart(title: "ROC", curves: [try ROCCurveData(name: "logistic", scores: p, labels: y)])
/// ```
public struct ROCChart: SVGChart {
    /// Title drawn above the plot.
    public var title: String
    /// The curves, drawn in order.
    public var curves: [ROCCurveData]

    /// An ROC chart of `curves`.
    public init(title: String, curves: [ROCCurveData]) {
        self.title = title
        self.curves = curves
    }

    /// Throws when there is no curve, a curve is empty or has mismatched lengths, or a rate is outside `[0, 1]`.
    public func validate() throws {
        guard !curves.isEmpty else { throw PlotError.emptyData("the curve list") }
        for c in curves {
            guard c.falsePositiveRate.count == c.truePositiveRate.count else {
                throw PlotError.mismatchedLengths(series: c.name, xCount: c.falsePositiveRate.count, yCount: c.truePositiveRate.count)
            }
            guard !c.falsePositiveRate.isEmpty else { throw PlotError.emptyData("curve '\(c.name)'") }
            for rate in c.falsePositiveRate + c.truePositiveRate where !(rate >= 0 && rate <= 1) {
                throw PlotError.invalidParameter(name: "curve '\(c.name)'", reason: "rates must lie in [0, 1], found \(rate)")
            }
        }
    }

    /// The legend label of a curve: its name and AUC with three decimals.
    static func legendLabel(_ c: ROCCurveData) -> String {
        let auc = c.auc.isFinite ? PlotNumberFormat.fixed(c.auc, decimals: 3) : "n/a"
        return c.name.isEmpty ? "AUC = \(auc)" : "\(c.name) (AUC = \(auc))"
    }

    /// The chart as SVG (see ``SVGChart/svg(width:height:)``). The plot is square when the canvas
    /// is wider than tall, with the legend beside it.
    public func svg(width: Int, height: Int) -> String {
        do { try validate() } catch {
            return ChartDecor.placeholder(title: title, message: "\(error)", width: width, height: height, cssClass: "roc-chart")
        }
        let unit = AxisTicks.linear(min: 0, max: 1, targetCount: 6)
        let xSpec = AxisSpec(lower: 0, upper: 1, label: "False positive rate", fixedTicks: unit)
        let ySpec = AxisSpec(lower: 0, upper: 1, label: "True positive rate", fixedTicks: unit)
        var entries = curves.enumerated().map {
            LegendEntry(label: ROCChart.legendLabel($0.element), color: ChartPalette.color(at: $0.offset), swatch: .line(dash: nil))
        }
        entries.append(LegendEntry(label: "Chance (AUC = 0.500)", color: "#9a9a9a", swatch: .line(dash: "5 4")))
        let legend = ChartLegend(entries: entries)
        let (w, h) = ChartSize.clamped(width: width, height: height)
        let probe = XYLayout(width: w, height: h, title: title, x: xSpec, y: ySpec)
        // Square plot: give the spare width to the legend when it fits there.
        let spare = probe.frame.width - probe.frame.height
        let squareLegend = spare >= legend.outsideReserve
        func draw(_ canvas: inout SVGCanvas, _ layout: XYLayout) {
            let f = layout.frame
            canvas.line(x1: f.left, y1: f.bottom, x2: f.right, y2: f.top, stroke: "#9a9a9a", width: 1.2, cssClass: "chance-line", dash: "5 4")
            for (index, c) in curves.enumerated() {
                let points = zip(c.falsePositiveRate, c.truePositiveRate).map { layout.point($0, $1) }
                canvas.polyline(points, stroke: ChartPalette.color(at: index), width: 2.2, cssClass: "roc-curve",
                                extra: [("data-series", c.name)])
            }
        }
        if squareLegend {
            var layout = XYLayout(width: w, height: h, title: title, x: xSpec, y: ySpec, rightReserve: w - probe.frame.left - probe.frame.height)
            layout = XYLayout(width: w, height: h, title: title, x: xSpec, y: ySpec,
                              rightReserve: max(w - layout.frame.left - probe.frame.height, legend.outsideReserve))
            var canvas = SVGCanvas(width: w, height: h, title: title, cssClass: "roc-chart")
            ChartDecor.drawAxes(layout, canvas: &canvas, title: title, xLabel: xSpec.label, yLabel: ySpec.label)
            canvas.openGroup("data")
            draw(&canvas, layout)
            canvas.closeGroup()
            legend.draw(canvas: &canvas, x: layout.frame.right + 18, y: layout.frame.top + 6)
            return canvas.finished()
        }
        return XYChartRenderer.render(
            width: width, height: height, title: title, cssClass: "roc-chart", xSpec: xSpec, ySpec: ySpec, legend: legend,
            occupied: { layout in
                curves.flatMap { c in samplePolyline(zip(c.falsePositiveRate, c.truePositiveRate).map { layout.point($0, $1) }) }
                    + samplePolyline([(layout.frame.left, layout.frame.bottom), (layout.frame.right, layout.frame.top)])
            },
            body: { canvas, layout in draw(&canvas, layout) })
    }
}

/// A line chart of one or more series: training curves, cost histories, validation curves.
///
/// Each series gets a colour from ``ChartPalette/categorical`` and a legend entry (series with an
/// empty name are left out of the legend; a single unnamed series has no legend). The legend goes
/// into the plot corner with no data under it, or right of the plot when every corner is taken.
///
/// Non-finite points (and points with y ≤ 0 when `logY`) are skipped and the line breaks there; a
/// point with no drawable neighbour is drawn as a marker so it stays visible.
///
/// ```swift
/// let chart = LineChart(title: "Loss", xLabel: "epoch", yLabel: "cross-entropy",
///                       series: [ChartSeries(name: "train", y: trainLoss),
///                                ChartSeries(name: "validation", y: validLoss)], logY: true)
/// ```
public struct LineChart: SVGChart {
    /// Title drawn above the plot.
    public var title: String
    /// Label under the x axis.
    public var xLabel: String
    /// Label along the y axis.
    public var yLabel: String
    /// The series, drawn in order (later ones on top).
    public var series: [ChartSeries]
    /// Base-10 logarithmic y axis (values ≤ 0 are skipped).
    public var logY: Bool
    /// Draw a marker at every point (default `false`: lines only).
    public var showMarkers: Bool
    /// Line width in pixels (default 2).
    public var lineWidth: Double

    /// A line chart.
    /// - Parameters:
    ///   - title: chart title.
    ///   - xLabel: x-axis label (default none).
    ///   - yLabel: y-axis label (default none).
    ///   - series: one or more series; each needs as many x as y values.
    ///   - logY: logarithmic y axis (default `false`).
    ///   - showMarkers: markers at every point (default `false`).
    ///   - lineWidth: stroke width in pixels (default 2).
    public init(title: String, xLabel: String = "", yLabel: String = "", series: [ChartSeries], logY: Bool = false,
                showMarkers: Bool = false, lineWidth: Double = 2) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logY = logY
        self.showMarkers = showMarkers
        self.lineWidth = lineWidth
    }

    /// Throws when there is no series, a series is empty or has mismatched lengths, or no point is drawable.
    public func validate() throws {
        guard !series.isEmpty else { throw PlotError.emptyData("the series list") }
        for s in series { try s.check() }
        guard series.contains(where: { !$0.usablePoints(positiveY: logY).isEmpty }) else {
            throw PlotError.noFiniteValues(logY ? "the chart (log y axis: values must be > 0)" : "the chart")
        }
        guard lineWidth.isFinite, lineWidth > 0 else {
            throw PlotError.invalidParameter(name: "lineWidth", reason: "must be a positive number, got \(lineWidth)")
        }
    }

    /// The chart as SVG (see ``SVGChart/svg(width:height:)``).
    public func svg(width: Int, height: Int) -> String {
        do { try validate() } catch {
            return ChartDecor.placeholder(title: title, message: "\(error)", width: width, height: height, cssClass: "line-chart")
        }
        let all = series.flatMap { $0.usablePoints(positiveY: logY) }
        let xs = XYChartRenderer.extent(all.map { $0.0 }), ys = XYChartRenderer.extent(all.map { $0.1 })
        let xSpec = AxisSpec(lower: xs.0, upper: xs.1, label: xLabel)
        let ySpec = AxisSpec(lower: ys.0, upper: ys.1, logarithmic: logY, label: yLabel)
        let named = series.enumerated().filter { !$0.element.name.isEmpty }
        let legend: ChartLegend? = named.isEmpty ? nil : ChartLegend(entries: named.map {
            LegendEntry(label: $0.element.name, color: ChartPalette.color(at: $0.offset),
                        swatch: showMarkers ? .lineWithMarker(MarkerShape.shape(at: $0.offset)) : .line(dash: nil))
        })
        return XYChartRenderer.render(
            width: width, height: height, title: title, cssClass: "line-chart", xSpec: xSpec, ySpec: ySpec, legend: legend,
            occupied: { layout in segments(layout).flatMap { samplePolyline($0.points) } },
            body: { canvas, layout in
                for (index, s) in series.enumerated() {
                    let color = ChartPalette.color(at: index)
                    canvas.openGroup("series", [("data-series", s.name)])
                    var markers: [(Double, Double)] = []
                    for segment in segments(layout) where segment.series == index {
                        if segment.points.count == 1 { markers += segment.points; continue }
                        canvas.polyline(segment.points, stroke: color, width: lineWidth, cssClass: "series-line")
                        if showMarkers { markers += segment.points }
                    }
                    for p in markers {
                        canvas.marker(MarkerShape.shape(at: index), x: p.0, y: p.1, size: max(6, lineWidth * 3), fill: color,
                                      extra: [("stroke", "#ffffff"), ("stroke-width", "1")])
                    }
                    canvas.closeGroup()
                }
            })
    }

    /// Runs of consecutive drawable points of each series, in pixels.
    func segments(_ layout: XYLayout) -> [(series: Int, points: [(Double, Double)])] {
        var result: [(series: Int, points: [(Double, Double)])] = []
        for (index, s) in series.enumerated() {
            var current: [(Double, Double)] = []
            for i in 0..<min(s.x.count, s.y.count) {
                if isUsable(s.x[i], s.y[i], positiveY: logY) {
                    current.append(layout.point(s.x[i], s.y[i]))
                } else if !current.isEmpty {
                    result.append((index, current)); current = []
                }
            }
            if !current.isEmpty { result.append((index, current)) }
        }
        return result
    }
}

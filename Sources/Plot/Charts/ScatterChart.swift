/// A scatter chart: one colour and marker shape per series — clusters, classes in a PCA or t-SNE
/// embedding, predictions against targets.
///
/// Up to ten series get distinct colours from the colour-blind-safe ``ChartPalette/categorical``;
/// the marker shape also changes per series (circle, square, triangle, diamond, …) so classes
/// stay apart in grey scale. Markers are slightly transparent with a white rim, so dense regions
/// stay readable; they shrink for large point counts. Non-finite points are skipped.
///
/// ```swift
/// let chart = ScatterChart(title: "PCA of digits", xLabel: "PC 1", yLabel: "PC 2",
///                          series: (0..<10).map { ChartSeries(name: "\($0)", x: pc1[$0], y: pc2[$0]) })
/// ```
public struct ScatterChart: SVGChart {
    /// Title drawn above the plot.
    public var title: String
    /// Label under the x axis.
    public var xLabel: String
    /// Label along the y axis.
    public var yLabel: String
    /// The series (classes), drawn in order.
    public var series: [ChartSeries]
    /// Marker diameter in pixels; nil picks 8 px up to 500 points, then less (down to 4 px).
    public var markerSize: Double?

    /// A scatter chart.
    /// - Parameters:
    ///   - title: chart title.
    ///   - xLabel: x-axis label (default none).
    ///   - yLabel: y-axis label (default none).
    ///   - series: one series per class or cluster; each needs as many x as y values.
    ///   - markerSize: marker diameter in pixels (default: chosen from the number of points).
    public init(title: String, xLabel: String = "", yLabel: String = "", series: [ChartSeries], markerSize: Double? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.markerSize = markerSize
    }

    /// Throws when there is no series, a series is empty or has mismatched lengths, or no point is finite.
    public func validate() throws {
        guard !series.isEmpty else { throw PlotError.emptyData("the series list") }
        for s in series { try s.check() }
        guard series.contains(where: { !$0.usablePoints(positiveY: false).isEmpty }) else {
            throw PlotError.noFiniteValues("the chart")
        }
        if let size = markerSize, !(size.isFinite && size > 0) {
            throw PlotError.invalidParameter(name: "markerSize", reason: "must be a positive number, got \(size)")
        }
    }

    /// The chart as SVG (see ``SVGChart/svg(width:height:)``).
    public func svg(width: Int, height: Int) -> String {
        do { try validate() } catch {
            return ChartDecor.placeholder(title: title, message: "\(error)", width: width, height: height, cssClass: "scatter-chart")
        }
        let points = series.map { $0.usablePoints(positiveY: false) }
        let all = points.flatMap { $0 }
        let xs = XYChartRenderer.padded(XYChartRenderer.extent(all.map { $0.0 }), fraction: 0.03)
        let ys = XYChartRenderer.padded(XYChartRenderer.extent(all.map { $0.1 }), fraction: 0.03)
        let size = markerSize ?? (all.count <= 500 ? 8 : max(4, 8 - Double(all.count - 500) / 500))
        let named = series.enumerated().filter { !$0.element.name.isEmpty }
        let legend: ChartLegend? = named.isEmpty ? nil : ChartLegend(entries: named.map {
            LegendEntry(label: $0.element.name, color: ChartPalette.color(at: $0.offset), swatch: .marker(MarkerShape.shape(at: $0.offset)))
        })
        return XYChartRenderer.render(
            width: width, height: height, title: title, cssClass: "scatter-chart",
            xSpec: AxisSpec(lower: xs.0, upper: xs.1, label: xLabel), ySpec: AxisSpec(lower: ys.0, upper: ys.1, label: yLabel),
            legend: legend,
            occupied: { layout in all.map { layout.point($0.0, $0.1) } },
            body: { canvas, layout in
                for (index, seriesPoints) in points.enumerated() {
                    canvas.openGroup("series", [("data-series", series[index].name), ("fill-opacity", "0.85"),
                                                ("stroke", "#ffffff"), ("stroke-width", "0.7")])
                    let color = ChartPalette.color(at: index), shape = MarkerShape.shape(at: index)
                    for p in seriesPoints {
                        let (px, py) = layout.point(p.0, p.1)
                        canvas.marker(shape, x: px, y: py, size: size, fill: color)
                    }
                    canvas.closeGroup()
                }
            })
    }
}

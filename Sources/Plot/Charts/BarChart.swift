import Foundation

/// A bar chart: one group of bars per category, one bar per series — model scores side by side,
/// feature importances, class counts.
///
/// Bars start at zero (negative values go down, or left), the value axis has nice ticks and a
/// zero line, and each bar can carry its value as a label (left out when bars are too narrow for
/// it). Long category names are rotated (vertical bars) or given room on the left
/// (`horizontal: true`, the better choice for many or long names). A NaN or infinite value leaves
/// its bar out.
///
/// ```swift
/// let chart = BarChart(title: "Accuracy", yLabel: "accuracy", categories: ["iris", "wine"],
///                      series: [(name: "logistic", values: [0.97, 0.98]), (name: "forest", values: [0.95, 0.99])])
/// ```
public struct BarChart: SVGChart {
    /// Title drawn above the plot.
    public var title: String
    /// Label of the value axis.
    public var yLabel: String
    /// Category names, one group of bars each.
    public var categories: [String]
    /// The series: a name (legend) and one value per category.
    public var series: [(name: String, values: [Double])]
    /// Bars run left to right with categories down the side (default `false`: vertical bars).
    public var horizontal: Bool
    /// Write each value next to its bar (default `true`).
    public var showValues: Bool

    /// A grouped bar chart.
    /// - Parameters:
    ///   - title: chart title.
    ///   - yLabel: value-axis label (default none).
    ///   - categories: category names (one group each).
    ///   - series: series names and values, `values.count == categories.count`.
    ///   - horizontal: horizontal bars (default `false`).
    ///   - showValues: value labels on the bars (default `true`).
    public init(title: String, yLabel: String = "", categories: [String], series: [(name: String, values: [Double])],
                horizontal: Bool = false, showValues: Bool = true) {
        self.title = title
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
        self.horizontal = horizontal
        self.showValues = showValues
    }

    /// A single-series bar chart (no legend).
    public init(title: String, yLabel: String = "", categories: [String], values: [Double],
                horizontal: Bool = false, showValues: Bool = true) {
        self.init(title: title, yLabel: yLabel, categories: categories, series: [(name: "", values: values)],
                  horizontal: horizontal, showValues: showValues)
    }

    /// Throws when there are no categories or series, a series has the wrong number of values, or no value is finite.
    public func validate() throws {
        guard !categories.isEmpty else { throw PlotError.emptyData("the category list") }
        guard !series.isEmpty else { throw PlotError.emptyData("the series list") }
        for s in series where s.values.count != categories.count {
            throw PlotError.shapeMismatch("series '\(s.name)' has \(s.values.count) values for \(categories.count) categories")
        }
        guard series.contains(where: { $0.values.contains(where: { $0.isFinite }) }) else {
            throw PlotError.noFiniteValues("the chart")
        }
    }

    /// The chart as SVG (see ``SVGChart/svg(width:height:)``).
    public func svg(width: Int, height: Int) -> String {
        do { try validate() } catch {
            return ChartDecor.placeholder(title: title, message: "\(error)", width: width, height: height, cssClass: "bar-chart")
        }
        let (w, h) = ChartSize.clamped(width: width, height: height)
        let finite = series.flatMap { $0.values.filter { $0.isFinite } }
        var low = min(0, finite.min()!), high = max(0, finite.max()!)
        if showValues {   // headroom for the value labels beyond the longest bars
            let span = high - low
            if high > 0 { high += span * 0.05 }
            if low < 0 { low -= span * 0.05 }
        }
        let named = series.enumerated().filter { !$0.element.name.isEmpty }
        let legend: ChartLegend? = named.isEmpty ? nil : ChartLegend(entries: named.map {
            LegendEntry(label: $0.element.name, color: ChartPalette.color(at: $0.offset), swatch: .box)
        })
        var canvas = SVGCanvas(width: w, height: h, title: title, cssClass: horizontal ? "bar-chart horizontal" : "bar-chart")
        var layout = BarLayout(chart: self, width: w, height: h, low: low, high: high, rightReserve: 0)
        var placement = XYChartRenderer.LegendPlacement.none
        if let legend = legend {
            if let corner = legend.insidePosition(frame: layout.frame, occupied: layout.occupiedPixels(self)) {
                placement = .box(corner)
            } else if legend.rowWidth <= w - 32 {
                layout = BarLayout(chart: self, width: w, height: h, low: low, high: high, rightReserve: 0, topReserve: ChartLegend.rowReserve)
                placement = .row(centerX: (layout.frame.left + layout.frame.right) / 2, y: layout.frame.top - ChartLegend.rowReserve - 2)
            } else {
                layout = BarLayout(chart: self, width: w, height: h, low: low, high: high, rightReserve: legend.outsideReserve)
                placement = .box((layout.frame.right + 14, layout.frame.top))
            }
        }
        layout.drawAxes(self, canvas: &canvas)
        canvas.openGroup("data")
        for (s, entry) in series.enumerated() {
            canvas.openGroup("series", [("data-series", entry.name)])
            for (c, value) in entry.values.enumerated() where value.isFinite {
                let r = layout.barRect(category: c, series: s, value: value)
                canvas.rect(x: r.left, y: r.top, width: r.width, height: r.height, fill: ChartPalette.color(at: s), cssClass: "bar",
                            extra: [("data-value", PlotNumberFormat.compact(value, significantDigits: 6))])
            }
            canvas.closeGroup()
        }
        if showValues { layout.drawValueLabels(self, canvas: &canvas) }
        canvas.closeGroup()
        if let legend = legend { placement.draw(legend, canvas: &canvas) }
        return canvas.finished()
    }
}

/// Geometry of a bar chart: frame, value scale, category bands.
struct BarLayout {
    let frame: PlotFrame
    let scale: AxisScale
    let horizontal: Bool
    let categoryCount: Int
    let seriesCount: Int
    let categoryLabels: [String]
    let rotateLabels: Bool
    let labelSize = ChartStyle.tickSize

    init(chart: BarChart, width w: Double, height h: Double, low: Double, high: Double, rightReserve: Double,
         topReserve: Double = 0) {
        horizontal = chart.horizontal
        categoryCount = chart.categories.count
        seriesCount = chart.series.count
        let top = ChartStyle.topMargin(title: chart.title) + topReserve
        let widest = chart.categories.map { estimatedTextWidth($0, size: ChartStyle.tickSize) }.max() ?? 0
        if horizontal {
            // Categories down the left side; the value axis along the bottom.
            let maxLabel = w * 0.35
            categoryLabels = chart.categories.map { BarLayout.truncated($0, toWidth: maxLabel) }
            rotateLabels = false
            let left = 12 + min(widest, maxLabel) + 8
            let bottom = h - (8 + 18 + (chart.yLabel.isEmpty ? 0 : 22) + 4)
            var right = w - max(18, rightReserve)
            let target = max(2, Int((right - left) / 85))
            let ticks = AxisTicks.linear(min: low, max: high, targetCount: target)
            if rightReserve == 0 {
                right = min(right, w - estimatedTextWidth(ticks.labels.last ?? "", size: ChartStyle.tickSize) / 2 - 4)
            }
            frame = PlotFrame(left: left, top: top, right: max(right, left + 20), bottom: max(bottom, top + 20))
            scale = AxisScale(ticks: ticks, logarithmic: false, pixelStart: frame.left, pixelEnd: frame.right)
        } else {
            let approxBand = (w - 80 - rightReserve) / Double(chart.categories.count)
            rotateLabels = widest > approxBand - 6
            let maxLabel = h * 0.3
            categoryLabels = chart.categories.map { BarLayout.truncated($0, toWidth: maxLabel) }
            let labelDepth = rotateLabels ? min(widest, maxLabel) * 0.6 + 12 : 18
            let bottom = h - (8 + labelDepth + (chart.yLabel.isEmpty ? 0 : 0) + 4)
            let plotHeight = max(bottom - top, 20)
            let ticks = AxisTicks.linear(min: low, max: high, targetCount: max(2, Int(plotHeight / 55)))
            let widestTick = ticks.labels.map { estimatedTextWidth($0, size: ChartStyle.tickSize) }.max() ?? 0
            let left = max(10 + (chart.yLabel.isEmpty ? 0 : 22) + widestTick + 8, rotateLabels ? min(widest, maxLabel) * 0.82 : 0)
            let right = w - max(18, rightReserve)
            frame = PlotFrame(left: left, top: top, right: max(right, left + 20), bottom: max(bottom, top + 20))
            scale = AxisScale(ticks: ticks, logarithmic: false, pixelStart: frame.bottom, pixelEnd: frame.top)
        }
    }

    /// `text` cut with an ellipsis to fit `width` pixels at tick size.
    static func truncated(_ text: String, toWidth width: Double) -> String {
        guard estimatedTextWidth(text, size: ChartStyle.tickSize) > width else { return text }
        var cut = text
        while !cut.isEmpty && estimatedTextWidth(cut + "…", size: ChartStyle.tickSize) > width { cut.removeLast() }
        return cut + "…"
    }

    /// Length of the category axis in pixels, and one band's share.
    var bandLength: Double { (horizontal ? frame.height : frame.width) / Double(categoryCount) }
    /// Thickness of one bar (the group fills 80% of its band).
    var barThickness: Double { bandLength * 0.8 / Double(seriesCount) }

    /// Centre of category `c` along the category axis.
    func bandCenter(_ c: Int) -> Double {
        (horizontal ? frame.top : frame.left) + (Double(c) + 0.5) * bandLength
    }

    /// The rectangle of one bar.
    func barRect(category c: Int, series s: Int, value: Double) -> PlotFrame {
        let start = bandCenter(c) - bandLength * 0.4 + Double(s) * barThickness
        let zero = scale.position(0), end = scale.position(value)
        let inset = barThickness > 6 ? 0.5 : 0
        if horizontal {
            return PlotFrame(left: min(zero, end), top: start + inset, right: max(zero, end), bottom: start + barThickness - inset)
        }
        return PlotFrame(left: start + inset, top: min(zero, end), right: start + barThickness - inset, bottom: max(zero, end))
    }

    /// Pixels covered by bars and value labels (sampled every 5 px), for legend placement.
    func occupiedPixels(_ chart: BarChart) -> [(Double, Double)] {
        var pixels: [(Double, Double)] = []
        for (s, entry) in chart.series.enumerated() {
            for (c, value) in entry.values.enumerated() where value.isFinite {
                var r = barRect(category: c, series: s, value: value)
                // Include the value label's room beyond the bar end.
                if horizontal { if value >= 0 { r.right += 36 } else { r.left -= 36 } }
                else { if value >= 0 { r.top -= 16 } else { r.bottom += 16 } }
                var y = r.top
                while y <= r.bottom { var x = r.left; while x <= r.right { pixels.append((x, y)); x += 5 }; y += 5 }
                pixels.append((r.right, r.bottom))
            }
        }
        return pixels
    }

    /// Title, gridlines on value ticks, axes, tick and category labels, and the zero line.
    func drawAxes(_ chart: BarChart, canvas: inout SVGCanvas) {
        let f = frame
        ChartDecor.drawTitle(chart.title, canvas: &canvas, centerX: (f.left + f.right) / 2)
        canvas.openGroup("grid", [("stroke", ChartStyle.gridColor), ("stroke-width", "1")])
        for v in scale.ticks.values {
            let p = scale.position(v)
            if horizontal {
                canvas.element("line", [("x1", canvas.c(p)), ("y1", canvas.c(f.top)), ("x2", canvas.c(p)), ("y2", canvas.c(f.bottom))])
            } else {
                canvas.element("line", [("x1", canvas.c(f.left)), ("y1", canvas.c(p)), ("x2", canvas.c(f.right)), ("y2", canvas.c(p))])
            }
        }
        canvas.closeGroup()
        ChartDecor.drawAxisLines(frame: f, canvas: &canvas)
        if horizontal {
            canvas.openGroup("tick-labels x-ticks", [("fill", ChartStyle.tickColor), ("font-size", canvas.c(labelSize)), ("text-anchor", "middle")])
            for (v, label) in zip(scale.ticks.values, scale.ticks.labels) {
                let p = scale.position(v)
                canvas.line(x1: p, y1: f.bottom, x2: p, y2: f.bottom + 4, stroke: ChartStyle.axisColor)
                canvas.element("text", [("x", canvas.c(p)), ("y", canvas.c(f.bottom + 18))], text: label)
            }
            canvas.closeGroup()
            canvas.openGroup("category-labels", [("fill", ChartStyle.textColor), ("font-size", canvas.c(labelSize)), ("text-anchor", "end")])
            for (c, label) in categoryLabels.enumerated() {
                canvas.element("text", [("x", canvas.c(f.left - 7)), ("y", canvas.c(bandCenter(c) + 4))], text: label)
            }
            canvas.closeGroup()
            ChartDecor.drawAxisLabels(frame: f, canvas: &canvas, xLabel: chart.yLabel, yLabel: "")
        } else {
            ChartDecor.drawYTickLabels(scale, frame: f, canvas: &canvas)
            let anchor = rotateLabels ? "end" : "middle"
            canvas.openGroup("category-labels", [("fill", ChartStyle.textColor), ("font-size", canvas.c(labelSize)), ("text-anchor", anchor)])
            for (c, label) in categoryLabels.enumerated() {
                let x = bandCenter(c)
                if rotateLabels {
                    let y = f.bottom + 12
                    canvas.element("text", [("x", canvas.c(x + 4)), ("y", canvas.c(y)),
                                            ("transform", "rotate(-35 \(canvas.c(x + 4)) \(canvas.c(y)))")], text: label)
                } else {
                    canvas.element("text", [("x", canvas.c(x)), ("y", canvas.c(f.bottom + 18))], text: label)
                }
            }
            canvas.closeGroup()
            ChartDecor.drawAxisLabels(frame: f, canvas: &canvas, xLabel: "", yLabel: chart.yLabel)
        }
        if scale.ticks.lower < 0 {
            let z = scale.position(0)
            if horizontal {
                canvas.line(x1: z, y1: f.top, x2: z, y2: f.bottom, stroke: "#666666", cssClass: "zero-line")
            } else {
                canvas.line(x1: f.left, y1: z, x2: f.right, y2: z, stroke: "#666666", cssClass: "zero-line")
            }
        }
    }

    /// Value labels beyond each bar's end, left out when the bar is thinner than the label.
    func drawValueLabels(_ chart: BarChart, canvas: inout SVGCanvas) {
        let size = min(11, max(8, barThickness * 0.55))
        canvas.openGroup("value-labels", [("fill", ChartStyle.textColor), ("font-size", canvas.c(size))])
        for (s, entry) in chart.series.enumerated() {
            for (c, value) in entry.values.enumerated() where value.isFinite {
                let text = PlotNumberFormat.compact(value)
                let r = barRect(category: c, series: s, value: value)
                if horizontal {
                    guard barThickness >= size else { continue }
                    let x = value >= 0 ? r.right + 4 : r.left - 4
                    canvas.element("text", [("class", "value-label"), ("x", canvas.c(x)), ("y", canvas.c((r.top + r.bottom) / 2 + size * 0.35)),
                                            ("text-anchor", value >= 0 ? "start" : "end")], text: text)
                } else {
                    guard estimatedTextWidth(text, size: size) <= barThickness + 4 else { continue }
                    let y = value >= 0 ? r.top - 4 : r.bottom + size + 2
                    canvas.element("text", [("class", "value-label"), ("x", canvas.c((r.left + r.right) / 2)), ("y", canvas.c(y)),
                                            ("text-anchor", "middle")], text: text)
                }
            }
        }
        canvas.closeGroup()
    }
}

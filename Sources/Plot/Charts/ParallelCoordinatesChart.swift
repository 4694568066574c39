import Foundation

/// A parallel-coordinates chart: one vertical axis per dimension (a hyper-parameter, a metric),
/// each item (a run) a line crossing every axis at its value — how MLflow and W&B compare runs.
///
/// Each axis spans its own finite minimum to maximum (a constant axis puts every line in the
/// middle) and is labelled with its name (on two alternating rows) and both ends. A missing (NaN) value breaks the item's
/// line at that axis. Items are coloured by the palette in order and named in the legend.
///
/// ```swift
/// let chart = ParallelCoordinatesChart(title: "Runs", dimensions: ["C", "accuracy"],
///                                      items: [(name: "run 1", values: [0.1, 0.93]), (name: "run 2", values: [1, 0.97])])
/// ```
public struct ParallelCoordinatesChart: SVGChart {
    /// Title drawn above the plot.
    public var title: String
    /// The axes, left to right.
    public var dimensions: [String]
    /// The lines: a name and one value per dimension (NaN: missing).
    public var items: [(name: String, values: [Double])]

    public init(title: String, dimensions: [String], items: [(name: String, values: [Double])]) {
        self.title = title; self.dimensions = dimensions; self.items = items
    }

    /// Throws with fewer than two dimensions, no items, or an item of the wrong length.
    public func validate() throws {
        guard dimensions.count >= 2 else { throw PlotError.emptyData("two dimensions (axes)") }
        guard !items.isEmpty else { throw PlotError.emptyData("the item list") }
        for item in items where item.values.count != dimensions.count {
            throw PlotError.shapeMismatch("item '\(item.name)' has \(item.values.count) values for \(dimensions.count) dimensions")
        }
    }

    public func svg(width: Int, height: Int) -> String {
        let (w, h) = ChartSize.clamped(width: width, height: height)
        var canvas = SVGCanvas(width: w, height: h, title: title, cssClass: "parallel-coordinates-chart")
        canvas.text(title, x: w / 2, y: 22, size: 15, anchor: "middle", fill: "#222222", weight: "600", cssClass: "chart-title")
        do { try validate() } catch {
            canvas.text("\(error)", x: w / 2, y: h / 2, size: 13, anchor: "middle", cssClass: "chart-message")
            return canvas.finished()
        }
        let legendWidth = min(180.0, w * 0.25)
        let left = 50.0, right = w - legendWidth - 30, top = 48.0, bottom = h - 56
        let step = (right - left) / Double(dimensions.count - 1)
        let ranges: [(Double, Double)] = dimensions.indices.map { d in
            let finite = items.map { $0.values[d] }.filter(\.isFinite)
            return (finite.min() ?? 0, finite.max() ?? 1)
        }
        func y(_ v: Double, _ d: Int) -> Double {
            let (lo, hi) = ranges[d]
            return hi > lo ? bottom - (v - lo) / (hi - lo) * (bottom - top) : (top + bottom) / 2
        }
        canvas.openGroup("axes")
        for (d, name) in dimensions.enumerated() {
            let x = left + Double(d) * step
            canvas.line(x1: x, y1: top, x2: x, y2: bottom, stroke: "#555555", width: 1)
            // Names alternate between two rows so neighbours do not overlap.
            canvas.text(name, x: x, y: bottom + (d % 2 == 0 ? 30 : 45), size: 11, anchor: "middle", cssClass: "axis-label")
            canvas.text(PlotNumberFormat.compact(ranges[d].1), x: x, y: top - 6, size: 10, anchor: "middle", fill: "#666666", cssClass: "axis-max")
            canvas.text(PlotNumberFormat.compact(ranges[d].0), x: x, y: bottom + 14, size: 10, anchor: "middle", fill: "#666666", cssClass: "axis-min")
        }
        canvas.closeGroup()
        canvas.openGroup("series")
        for (i, item) in items.enumerated() {
            let color = ChartPalette.color(at: i)
            var segment: [(Double, Double)] = []
            func flush() {
                if segment.count > 1 { canvas.polyline(segment, stroke: color, width: 2, cssClass: "series-line", extra: [("data-name", item.name)]) }
                segment = []
            }
            for (d, v) in item.values.enumerated() {
                if v.isFinite { segment.append((left + Double(d) * step, y(v, d))) } else { flush() }
            }
            flush()
        }
        canvas.closeGroup()
        canvas.openGroup("legend")
        for (i, item) in items.prefix(20).enumerated() {
            let ly = top + Double(i) * 18
            canvas.rect(x: right + 24, y: ly - 9, width: 12, height: 12, fill: ChartPalette.color(at: i), cssClass: "legend-swatch")
            canvas.text(String(item.name.prefix(30)), x: right + 42, y: ly + 1, size: 11, cssClass: "legend-label")
        }
        canvas.closeGroup()
        return canvas.finished()
    }
}

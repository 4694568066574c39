import Foundation

/// Maps data values on one axis to pixels (linear or base-10 logarithmic), with its ticks.
struct AxisScale {
    let ticks: AxisTicks
    let logarithmic: Bool
    /// Pixel of `ticks.lower`.
    let pixelStart: Double
    /// Pixel of `ticks.upper`.
    let pixelEnd: Double

    /// The pixel coordinate of data value `v`.
    func position(_ v: Double) -> Double {
        let t: Double
        if logarithmic {
            t = (log10(v) - log10(ticks.lower)) / (log10(ticks.upper) - log10(ticks.lower))
        } else {
            t = (v - ticks.lower) / (ticks.upper - ticks.lower)
        }
        return pixelStart + t * (pixelEnd - pixelStart)
    }
}

/// What one axis of an x–y chart shows.
struct AxisSpec {
    var lower: Double
    var upper: Double
    var logarithmic = false
    var label = ""
    /// Ticks to use as they are (e.g. 0…1 for probabilities) instead of computing nice ones.
    var fixedTicks: AxisTicks? = nil
    /// The axis spans exactly `lower…upper` (ticks inside it) instead of running out to the
    /// enclosing nice ticks; for histograms, whose bars fill the data range.
    var tight = false
}

/// The plot rectangle inside the canvas, in pixels.
struct PlotFrame {
    var left: Double
    var top: Double
    var right: Double
    var bottom: Double
    var width: Double { right - left }
    var height: Double { bottom - top }
    func contains(_ p: (Double, Double)) -> Bool { p.0 >= left && p.0 <= right && p.1 >= top && p.1 <= bottom }
}

/// Font sizes and colours shared by all charts.
enum ChartStyle {
    static let titleSize = 16.0
    static let labelSize = 13.0
    static let tickSize = 11.5
    static let legendSize = 12.0
    static let titleColor = "#1a1a1a"
    static let textColor = "#333333"
    static let tickColor = "#555555"
    static let gridColor = "#e8e8e8"
    static let axisColor = "#8c8c8c"
    /// Top margin: room for the title (or a small pad without one).
    static func topMargin(title: String) -> Double { title.isEmpty ? 14 : 42 }
}

/// The layout of an x–y chart: plot frame and both scales.
struct XYLayout {
    let frame: PlotFrame
    let x: AxisScale
    let y: AxisScale

    /// Lays out a chart of `width × height` pixels: title on top, x tick labels and axis label
    /// below, y tick labels and axis label to the left, `rightReserve` pixels kept free on the
    /// right (for an outside legend or a colour bar).
    init(width: Double, height: Double, title: String, x xSpec: AxisSpec, y ySpec: AxisSpec,
         rightReserve: Double = 0, topReserve: Double = 0) {
        let top = ChartStyle.topMargin(title: title) + topReserve
        let bottomMargin: Double = 8 + 18 + (xSpec.label.isEmpty ? 0 : 22) + 4
        let bottom = height - bottomMargin
        let plotHeight = max(bottom - top, 20)
        let yTicks = XYLayout.ticks(for: ySpec, target: max(2, Int(plotHeight / 55)))
        let widestY = yTicks.labels.map { estimatedTextWidth($0, size: ChartStyle.tickSize) }.max() ?? 0
        let left = 10 + (ySpec.label.isEmpty ? 0 : 22) + widestY + 8
        var right = width - max(18, rightReserve)
        // x ticks: start from ~one label per 85 px and back off while labels would collide.
        var target = max(2, Int((right - left) / 85))
        var xTicks = XYLayout.ticks(for: xSpec, target: target)
        while target > 2 {
            let widest = xTicks.labels.map { estimatedTextWidth($0, size: ChartStyle.tickSize) }.max() ?? 0
            let spacing = (right - left) / Double(max(xTicks.values.count - 1, 1))
            if spacing >= widest + 12 || xSpec.fixedTicks != nil || xSpec.logarithmic { break }
            target -= 1
            xTicks = XYLayout.ticks(for: xSpec, target: target)
        }
        // Keep the last x label inside the canvas.
        let lastHalf = estimatedTextWidth(xTicks.labels.last ?? "", size: ChartStyle.tickSize) / 2
        if rightReserve == 0 { right = min(right, width - lastHalf - 4) }
        frame = PlotFrame(left: left, top: top, right: max(right, left + 20), bottom: max(bottom, top + 20))
        x = AxisScale(ticks: xTicks, logarithmic: xSpec.logarithmic, pixelStart: frame.left, pixelEnd: frame.right)
        y = AxisScale(ticks: yTicks, logarithmic: ySpec.logarithmic, pixelStart: frame.bottom, pixelEnd: frame.top)
    }

    static func ticks(for spec: AxisSpec, target: Int) -> AxisTicks {
        if let fixed = spec.fixedTicks { return fixed }
        let ticks = spec.logarithmic ? AxisTicks.logarithmic(min: spec.lower, max: spec.upper)
                                     : AxisTicks.linear(min: spec.lower, max: spec.upper, targetCount: target)
        guard spec.tight, spec.upper > spec.lower else { return ticks }
        let slack = (spec.upper - spec.lower) * 1e-9
        let inside = zip(ticks.values, ticks.labels).filter { $0.0 >= spec.lower - slack && $0.0 <= spec.upper + slack }
        return AxisTicks(lower: spec.lower, upper: spec.upper, step: ticks.step, values: inside.map(\.0), labels: inside.map(\.1))
    }

    /// The pixel position of a data point.
    func point(_ px: Double, _ py: Double) -> (Double, Double) { (x.position(px), y.position(py)) }
}

/// Drawing of the common chart parts: title, gridlines, axes, tick labels, axis labels.
enum ChartDecor {
    /// The title, centred over `centerX`.
    static func drawTitle(_ title: String, canvas: inout SVGCanvas, centerX: Double) {
        guard !title.isEmpty else { return }
        let size = min(ChartStyle.titleSize, (canvas.width - 16) / max(estimatedTextWidth(title, size: 1), 1))
        canvas.text(title, x: centerX, y: 27, size: size, anchor: "middle", fill: ChartStyle.titleColor,
                    weight: "600", cssClass: "title")
    }

    /// Gridlines, axis lines, ticks, tick labels, axis labels and title of an x–y chart.
    static func drawAxes(_ layout: XYLayout, canvas: inout SVGCanvas, title: String, xLabel: String,
                         yLabel: String, verticalGrid: Bool = true) {
        let f = layout.frame
        drawTitle(title, canvas: &canvas, centerX: (f.left + f.right) / 2)
        canvas.openGroup("grid", [("stroke", ChartStyle.gridColor), ("stroke-width", "1")])
        for v in layout.y.ticks.values {
            let py = layout.y.position(v)
            canvas.element("line", [("x1", canvas.c(f.left)), ("y1", canvas.c(py)), ("x2", canvas.c(f.right)), ("y2", canvas.c(py))])
        }
        if verticalGrid {
            for v in layout.x.ticks.values {
                let px = layout.x.position(v)
                canvas.element("line", [("x1", canvas.c(px)), ("y1", canvas.c(f.top)), ("x2", canvas.c(px)), ("y2", canvas.c(f.bottom))])
            }
        }
        canvas.closeGroup()
        drawAxisLines(frame: f, canvas: &canvas)
        canvas.openGroup("tick-labels x-ticks", [("fill", ChartStyle.tickColor), ("font-size", canvas.c(ChartStyle.tickSize)),
                                                 ("text-anchor", "middle")])
        for (v, label) in zip(layout.x.ticks.values, layout.x.ticks.labels) {
            let px = layout.x.position(v)
            canvas.line(x1: px, y1: f.bottom, x2: px, y2: f.bottom + 4, stroke: ChartStyle.axisColor)
            canvas.element("text", [("x", canvas.c(px)), ("y", canvas.c(f.bottom + 18))], text: label)
        }
        canvas.closeGroup()
        drawYTickLabels(layout.y, frame: f, canvas: &canvas)
        drawAxisLabels(frame: f, canvas: &canvas, xLabel: xLabel, yLabel: yLabel)
    }

    /// Left and bottom axis lines.
    static func drawAxisLines(frame f: PlotFrame, canvas: inout SVGCanvas) {
        canvas.line(x1: f.left, y1: f.bottom, x2: f.right, y2: f.bottom, stroke: ChartStyle.axisColor, cssClass: "axis x-axis")
        canvas.line(x1: f.left, y1: f.top, x2: f.left, y2: f.bottom, stroke: ChartStyle.axisColor, cssClass: "axis y-axis")
    }

    /// Tick marks and right-aligned labels left of the plot.
    static func drawYTickLabels(_ scale: AxisScale, frame f: PlotFrame, canvas: inout SVGCanvas) {
        canvas.openGroup("tick-labels y-ticks", [("fill", ChartStyle.tickColor), ("font-size", canvas.c(ChartStyle.tickSize)),
                                                 ("text-anchor", "end")])
        for (v, label) in zip(scale.ticks.values, scale.ticks.labels) {
            let py = scale.position(v)
            canvas.line(x1: f.left - 4, y1: py, x2: f.left, y2: py, stroke: ChartStyle.axisColor)
            canvas.element("text", [("x", canvas.c(f.left - 7)), ("y", canvas.c(py + 4))], text: label)
        }
        canvas.closeGroup()
    }

    /// Axis titles: x centred below the tick labels, y rotated along the left edge.
    static func drawAxisLabels(frame f: PlotFrame, canvas: inout SVGCanvas, xLabel: String, yLabel: String) {
        if !xLabel.isEmpty {
            canvas.text(xLabel, x: (f.left + f.right) / 2, y: f.bottom + 40, size: ChartStyle.labelSize,
                        anchor: "middle", fill: ChartStyle.textColor, cssClass: "axis-label x-label")
        }
        if !yLabel.isEmpty {
            canvas.text(yLabel, x: 20, y: (f.top + f.bottom) / 2, size: ChartStyle.labelSize, anchor: "middle",
                        fill: ChartStyle.textColor, rotate: -90, cssClass: "axis-label y-label")
        }
    }

    /// A chart that could not be drawn: its title and the reason, centred in a light frame.
    static func placeholder(title: String, message: String, width: Int, height: Int, cssClass: String) -> String {
        let (w, h) = ChartSize.clamped(width: width, height: height)
        var canvas = SVGCanvas(width: w, height: h, title: title, cssClass: cssClass + " chart-error")
        drawTitle(title, canvas: &canvas, centerX: w / 2)
        canvas.rect(x: 8, y: ChartStyle.topMargin(title: title), width: w - 16, height: h - ChartStyle.topMargin(title: title) - 8,
                    fill: "#fafafa", extra: [("stroke", "#dddddd")])
        canvas.text(message, x: w / 2, y: h / 2 + 8, size: 12, anchor: "middle", fill: "#a33", cssClass: "error-message")
        return canvas.finished()
    }
}

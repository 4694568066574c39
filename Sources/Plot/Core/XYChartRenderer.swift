/// Shared drawing sequence of the x–y charts (line, scatter, ROC, histogram): lay out, pick the
/// legend's place, draw axes, the data, and the legend.
enum XYChartRenderer {
    /// - Parameters:
    ///   - occupied: pixels covered by data for a given layout (the legend avoids them).
    ///   - body: draws the data for the final layout.
    static func render(width: Int, height: Int, title: String, cssClass: String, xSpec: AxisSpec, ySpec: AxisSpec,
                       legend: ChartLegend?, verticalGrid: Bool = true,
                       occupied: (XYLayout) -> [(Double, Double)],
                       body: (inout SVGCanvas, XYLayout) -> Void) -> String {
        let (w, h) = ChartSize.clamped(width: width, height: height)
        var layout = XYLayout(width: w, height: h, title: title, x: xSpec, y: ySpec)
        var placement = LegendPlacement.none
        if let legend = legend {
            // First choice: the emptiest inside corner; then a row under the title; then the right side.
            if let corner = legend.insidePosition(frame: layout.frame, occupied: occupied(layout)) {
                placement = .box(corner)
            } else if legend.rowWidth <= w - 32 {
                layout = XYLayout(width: w, height: h, title: title, x: xSpec, y: ySpec, topReserve: ChartLegend.rowReserve)
                placement = .row(centerX: (layout.frame.left + layout.frame.right) / 2, y: layout.frame.top - ChartLegend.rowReserve - 2)
            } else {
                layout = XYLayout(width: w, height: h, title: title, x: xSpec, y: ySpec, rightReserve: legend.outsideReserve)
                placement = .box((layout.frame.right + 14, layout.frame.top))
            }
        }
        var canvas = SVGCanvas(width: w, height: h, title: title, cssClass: cssClass)
        ChartDecor.drawAxes(layout, canvas: &canvas, title: title, xLabel: xSpec.label, yLabel: ySpec.label,
                            verticalGrid: verticalGrid)
        canvas.openGroup("data")
        body(&canvas, layout)
        canvas.closeGroup()
        if let legend = legend { placement.draw(legend, canvas: &canvas) }
        return canvas.finished()
    }

    /// Where a legend goes.
    enum LegendPlacement {
        case none
        case box((Double, Double))
        case row(centerX: Double, y: Double)

        func draw(_ legend: ChartLegend, canvas: inout SVGCanvas) {
            switch self {
            case .none: break
            case .box(let corner): legend.draw(canvas: &canvas, x: corner.0, y: corner.1)
            case .row(let centerX, let y): legend.drawRow(canvas: &canvas, centerX: centerX, y: y)
            }
        }
    }

    /// Smallest and largest of `values` (which must be non-empty).
    static func extent(_ values: [Double]) -> (Double, Double) {
        var low = values[0], high = values[0]
        for v in values { low = min(low, v); high = max(high, v) }
        return (low, high)
    }

    /// `[low, high]` widened by `fraction` of its span on each side (nothing for a zero span, where
    /// the tick algorithm pads), so markers on the extremes are not cut by the axes.
    static func padded(_ range: (Double, Double), fraction: Double) -> (Double, Double) {
        let span = range.1 - range.0
        return span > 0 ? (range.0 - span * fraction, range.1 + span * fraction) : range
    }
}

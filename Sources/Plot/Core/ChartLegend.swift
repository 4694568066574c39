/// Shapes for point markers; scatter charts give each class its own shape as well as its colour.
public enum MarkerShape: CaseIterable, Sendable {
    case circle, square, triangleUp, diamond, triangleDown

    /// The shape for series `index` (cycling).
    public static func shape(at index: Int) -> MarkerShape { allCases[index % allCases.count] }
}

extension SVGCanvas {
    /// One marker of about `size` pixels across, centred at (x, y).
    mutating func marker(_ shape: MarkerShape, x: Double, y: Double, size: Double, fill: String,
                         cssClass: String = "marker", extra: [(String, String)] = []) {
        let r = size / 2
        switch shape {
        case .circle:
            circle(cx: x, cy: y, r: r, fill: fill, cssClass: cssClass, extra: extra)
        case .square:
            let s = r * 0.9
            rect(x: x - s, y: y - s, width: 2 * s, height: 2 * s, fill: fill, cssClass: cssClass, extra: extra)
        case .triangleUp, .triangleDown:
            let k = r * 1.15, sign: Double = shape == .triangleUp ? 1 : -1
            let d = "M\(c(x)) \(c(y - sign * k))L\(c(x + k * 0.95)) \(c(y + sign * k * 0.65))L\(c(x - k * 0.95)) \(c(y + sign * k * 0.65))Z"
            path(d, fill: fill, cssClass: cssClass, extra: extra)
        case .diamond:
            let k = r * 1.2
            let d = "M\(c(x)) \(c(y - k))L\(c(x + k)) \(c(y))L\(c(x)) \(c(y + k))L\(c(x - k)) \(c(y))Z"
            path(d, fill: fill, cssClass: cssClass, extra: extra)
        }
    }
}

/// One legend row: a swatch and a label.
struct LegendEntry {
    enum Swatch {
        case line(dash: String?)
        case lineWithMarker(MarkerShape)
        case marker(MarkerShape)
        case box
    }
    let label: String
    let color: String
    let swatch: Swatch
}

/// A legend box: sized from its entries, placed in the emptiest corner of the plot or outside it.
struct ChartLegend {
    let entries: [LegendEntry]
    static let rowHeight = 19.0
    static let padding = 8.0
    static let swatchWidth = 22.0
    static let maxLabelLength = 32

    var labels: [String] {
        entries.map { $0.label.count > ChartLegend.maxLabelLength ? String($0.label.prefix(ChartLegend.maxLabelLength - 1)) + "…" : $0.label }
    }
    var width: Double {
        let widest = labels.map { estimatedTextWidth($0, size: ChartStyle.legendSize) }.max() ?? 0
        return 2 * ChartLegend.padding + ChartLegend.swatchWidth + 6 + widest
    }
    var height: Double { 2 * ChartLegend.padding + Double(entries.count) * ChartLegend.rowHeight - 4 }

    /// The top-left corner of the legend inside `frame`: the corner (top right, top left, bottom
    /// right, bottom left) covering the fewest `occupied` pixels; nil when every corner covers data
    /// or the legend does not fit (the caller then puts it outside, right of the plot).
    func insidePosition(frame: PlotFrame, occupied: [(Double, Double)]) -> (Double, Double)? {
        let w = width, h = height, inset = 8.0
        guard w + 2 * inset < frame.width * 0.6, h + 2 * inset < frame.height * 0.8 else { return nil }
        let corners = [(frame.right - w - inset, frame.top + inset), (frame.left + inset, frame.top + inset),
                       (frame.right - w - inset, frame.bottom - h - inset), (frame.left + inset, frame.bottom - h - inset)]
        for corner in corners {
            let box = PlotFrame(left: corner.0 - 4, top: corner.1 - 4, right: corner.0 + w + 4, bottom: corner.1 + h + 4)
            if !occupied.contains(where: box.contains) { return corner }
        }
        return nil
    }

    /// Draws the legend with its top-left corner at (x, y).
    func draw(canvas: inout SVGCanvas, x: Double, y: Double) {
        canvas.openGroup("legend")
        canvas.rect(x: x, y: y, width: width, height: height, fill: "#ffffff",
                    extra: [("fill-opacity", "0.88"), ("stroke", "#d0d0d0"), ("rx", "3")])
        for (i, (entry, label)) in zip(entries, labels).enumerated() {
            let cy = y + ChartLegend.padding + Double(i) * ChartLegend.rowHeight + 7
            let sx = x + ChartLegend.padding
            drawSwatch(entry, canvas: &canvas, x: sx, cy: cy)
            canvas.text(label, x: sx + ChartLegend.swatchWidth + 6, y: cy + 4, size: ChartStyle.legendSize,
                        fill: ChartStyle.textColor, cssClass: "legend-label")
        }
        canvas.closeGroup()
    }

    /// Width of one entry in a horizontal row (swatch, gap, label).
    func rowEntryWidth(_ label: String) -> Double {
        ChartLegend.swatchWidth + 6 + estimatedTextWidth(label, size: ChartStyle.legendSize)
    }

    /// Width of the legend laid out as one horizontal row.
    var rowWidth: Double {
        labels.map(rowEntryWidth).reduce(0, +) + Double(max(entries.count - 1, 0)) * 18
    }

    /// Height kept free between title and plot for a legend row.
    static let rowReserve = 24.0

    /// Draws the legend as one row centred on `centerX`, its text baseline near `y + 13`.
    func drawRow(canvas: inout SVGCanvas, centerX: Double, y: Double) {
        canvas.openGroup("legend legend-row")
        var x = centerX - rowWidth / 2
        let cy = y + 9
        for (entry, label) in zip(entries, labels) {
            drawSwatch(entry, canvas: &canvas, x: x, cy: cy)
            canvas.text(label, x: x + ChartLegend.swatchWidth + 6, y: cy + 4, size: ChartStyle.legendSize,
                        fill: ChartStyle.textColor, cssClass: "legend-label")
            x += rowEntryWidth(label) + 18
        }
        canvas.closeGroup()
    }

    /// The swatch of one entry, starting at `x`, centred vertically on `cy`.
    func drawSwatch(_ entry: LegendEntry, canvas: inout SVGCanvas, x sx: Double, cy: Double) {
        switch entry.swatch {
        case .line(let dash):
            canvas.line(x1: sx, y1: cy, x2: sx + ChartLegend.swatchWidth, y2: cy, stroke: entry.color, width: 2.5, dash: dash)
        case .lineWithMarker(let shape):
            canvas.line(x1: sx, y1: cy, x2: sx + ChartLegend.swatchWidth, y2: cy, stroke: entry.color, width: 2.5)
            canvas.marker(shape, x: sx + ChartLegend.swatchWidth / 2, y: cy, size: 7, fill: entry.color, cssClass: "legend-marker")
        case .marker(let shape):
            canvas.marker(shape, x: sx + ChartLegend.swatchWidth / 2, y: cy, size: 9, fill: entry.color, cssClass: "legend-marker")
        case .box:
            canvas.rect(x: sx + 4, y: cy - 6, width: 14, height: 12, fill: entry.color, extra: [("rx", "2")])
        }
    }

    /// Room to keep right of the plot for an outside legend.
    var outsideReserve: Double { width + 24 }
}

/// Pixels along a polyline, about every 4 px, for legend placement.
func samplePolyline(_ points: [(Double, Double)]) -> [(Double, Double)] {
    guard points.count > 1 else { return points }
    var samples: [(Double, Double)] = []
    for i in 1..<points.count {
        let a = points[i - 1], b = points[i]
        let length = ((b.0 - a.0) * (b.0 - a.0) + (b.1 - a.1) * (b.1 - a.1)).squareRoot()
        let steps = max(1, min(Int(length / 4), 400))
        for s in 0..<steps {
            let t = Double(s) / Double(steps)
            samples.append((a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t))
        }
    }
    samples.append(points[points.count - 1])
    return samples
}

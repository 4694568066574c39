/// A heatmap of a matrix with row and column labels — confusion matrices, correlation matrices,
/// attention weights.
///
/// Cells are coloured on a sequential scale from the smallest to the largest finite value
/// (``SequentialColorScale/blues`` by default), with a colour bar on the right. Each cell can show
/// its value in black or white, whichever contrasts more with the cell colour; values are printed
/// as integers when they all are, else with two decimals when every |value| ≤ 1, else with three
/// significant digits. NaN or infinite cells are drawn light grey without a label.
///
/// ```swift
/// let chart = HeatmapChart.confusionMatrix(labels: ["setosa", "versicolor", "virginica"],
///                                          counts: [[50, 0, 0], [0, 47, 3], [0, 2, 48]])
/// ```
public struct HeatmapChart: SVGChart {
    /// Title drawn above the plot.
    public var title: String
    /// One label per row (drawn left of the rows, top to bottom).
    public var rowLabels: [String]
    /// One label per column (drawn under the columns).
    public var columnLabels: [String]
    /// The matrix, `values[row][column]`.
    public var values: [[Double]]
    /// Write each value in its cell (left out when cells are too small).
    public var showValues: Bool
    /// Label under the column labels (e.g. "Predicted label").
    public var xLabel: String
    /// Label left of the row labels (e.g. "True label").
    public var yLabel: String
    /// The colour scale.
    public var colorScale: SequentialColorScale
    /// Fraction digits of the cell labels; nil chooses (see the type's description).
    public var valueDecimals: Int?

    /// A heatmap.
    /// - Parameters:
    ///   - title: chart title.
    ///   - rowLabels: one label per row.
    ///   - columnLabels: one label per column.
    ///   - values: `rowLabels.count` rows of `columnLabels.count` values.
    ///   - showValues: value labels in the cells (default `true`).
    ///   - xLabel: column-axis label (default none).
    ///   - yLabel: row-axis label (default none).
    ///   - colorScale: sequential colour scale (default `.blues`).
    ///   - valueDecimals: fraction digits of the cell labels (default: chosen from the values).
    public init(title: String, rowLabels: [String], columnLabels: [String], values: [[Double]], showValues: Bool = true,
                xLabel: String = "", yLabel: String = "", colorScale: SequentialColorScale = .blues, valueDecimals: Int? = nil) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.showValues = showValues
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.colorScale = colorScale
        self.valueDecimals = valueDecimals
    }

    /// A confusion-matrix heatmap: rows are true classes, columns predicted classes.
    /// - Parameters:
    ///   - title: chart title (default "Confusion matrix").
    ///   - labels: class names, in the order of the matrix rows and columns.
    ///   - counts: `counts[i][j]` = number of samples of class i predicted as class j.
    ///   - normalize: divide each row by its total (recall per class; rows with no sample stay 0).
    public static func confusionMatrix(title: String = "Confusion matrix", labels: [String], counts: [[Int]],
                                       normalize: Bool = false) -> HeatmapChart {
        let values: [[Double]] = counts.map { row in
            let total = Double(row.reduce(0, +))
            return row.map { normalize ? (total > 0 ? Double($0) / total : 0) : Double($0) }
        }
        return HeatmapChart(title: title, rowLabels: labels, columnLabels: labels, values: values,
                            xLabel: "Predicted label", yLabel: "True label", valueDecimals: normalize ? 2 : nil)
    }

    /// Throws when the matrix is empty or ragged, the labels do not match its shape, or no value is finite.
    public func validate() throws {
        guard !values.isEmpty, !(values.first?.isEmpty ?? true) else { throw PlotError.emptyData("the matrix") }
        guard rowLabels.count == values.count else {
            throw PlotError.shapeMismatch("\(rowLabels.count) row labels for a matrix of \(values.count) rows")
        }
        for (i, row) in values.enumerated() where row.count != columnLabels.count {
            throw PlotError.shapeMismatch("row \(i) has \(row.count) values for \(columnLabels.count) column labels")
        }
        guard values.contains(where: { $0.contains(where: { $0.isFinite }) }) else { throw PlotError.noFiniteValues("the matrix") }
        if let d = valueDecimals, !(0...10).contains(d) {
            throw PlotError.invalidParameter(name: "valueDecimals", reason: "must be between 0 and 10, got \(d)")
        }
    }

    /// The text of one cell value.
    func cellText(_ v: Double, allIntegers: Bool, withinUnit: Bool) -> String {
        if let d = valueDecimals { return PlotNumberFormat.fixed(v, decimals: d) }
        if allIntegers { return PlotNumberFormat.compact(v) }
        if withinUnit { return PlotNumberFormat.fixed(v, decimals: 2) }
        return PlotNumberFormat.compact(v, significantDigits: 3)
    }

    /// The chart as SVG (see ``SVGChart/svg(width:height:)``).
    public func svg(width: Int, height: Int) -> String {
        do { try validate() } catch {
            return ChartDecor.placeholder(title: title, message: "\(error)", width: width, height: height, cssClass: "heatmap-chart")
        }
        let (w, h) = ChartSize.clamped(width: width, height: height)
        let finite = values.flatMap { $0.filter { $0.isFinite } }
        let low = finite.min()!, high = finite.max()!
        let allIntegers = finite.allSatisfy { $0 == $0.rounded() && abs($0) < 1e15 }
        let withinUnit = finite.allSatisfy { abs($0) <= 1 }
        let rows = values.count, columns = columnLabels.count
        func t(_ v: Double) -> Double { high > low ? (v - low) / (high - low) : 0.5 }

        // Layout: row labels left, column labels below, colour bar right; the block is centred.
        let size = ChartStyle.tickSize
        let top = ChartStyle.topMargin(title: title)
        let rowLabelWidth = min(rowLabels.map { estimatedTextWidth($0, size: size) }.max() ?? 0, w * 0.3)
        let barTicks = AxisTicks.linear(min: low, max: high, targetCount: 5)
        let barLabelWidth = barTicks.labels.map { estimatedTextWidth($0, size: size) }.max() ?? 0
        let colorBarRoom = 14 + 14 + 6 + barLabelWidth + 10
        let left = 10 + (yLabel.isEmpty ? 0 : 22) + rowLabelWidth + 8
        let availableWidth = w - left - colorBarRoom
        let widestColumn = columnLabels.map { estimatedTextWidth($0, size: size) }.max() ?? 0
        let rotate = widestColumn > availableWidth / Double(columns) - 4
        let columnLabelDepth = rotate ? min(widestColumn, h * 0.25) * 0.72 + 14 : 20
        let bottomRoom = columnLabelDepth + (xLabel.isEmpty ? 4 : 26)
        let availableHeight = h - top - bottomRoom
        let cell = max(2, min(availableWidth / Double(columns), availableHeight / Double(rows)))
        let gridWidth = cell * Double(columns), gridHeight = cell * Double(rows)
        let gridLeft = left + max(0, (availableWidth - gridWidth) / 2)
        let frame = PlotFrame(left: gridLeft, top: top, right: gridLeft + gridWidth, bottom: top + gridHeight)

        var canvas = SVGCanvas(width: w, height: h, title: title, cssClass: "heatmap-chart")
        ChartDecor.drawTitle(title, canvas: &canvas, centerX: (frame.left + frame.right) / 2)
        canvas.openGroup("cells", [("stroke", "#ffffff"), ("stroke-width", cell > 12 ? "1" : "0")])
        for (r, row) in values.enumerated() {
            for (c, v) in row.enumerated() {
                let x = frame.left + Double(c) * cell, y = frame.top + Double(r) * cell
                let fill = v.isFinite ? colorScale.color(at: t(v)) : "#eeeeee"
                canvas.element("rect", [("class", v.isFinite ? "cell" : "cell missing"), ("x", canvas.c(x)), ("y", canvas.c(y)),
                                        ("width", canvas.c(cell)), ("height", canvas.c(cell)), ("fill", fill)])
            }
        }
        canvas.closeGroup()
        if showValues {
            let texts = values.map { $0.map { $0.isFinite ? cellText($0, allIntegers: allIntegers, withinUnit: withinUnit) : "" } }
            let longest = texts.flatMap { $0 }.map { estimatedTextWidth($0, size: 1) }.max() ?? 1
            let fontSize = min(14, cell * 0.4, (cell - 6) / max(longest, 0.1))
            if fontSize >= 7 {
                canvas.openGroup("cell-values", [("font-size", canvas.c(fontSize)), ("text-anchor", "middle")])
                for (r, row) in values.enumerated() {
                    for (c, v) in row.enumerated() where v.isFinite {
                        let x = frame.left + (Double(c) + 0.5) * cell, y = frame.top + (Double(r) + 0.5) * cell + fontSize * 0.36
                        canvas.element("text", [("class", "cell-value"), ("x", canvas.c(x)), ("y", canvas.c(y)),
                                                ("fill", colorScale.textColor(at: t(v)))], text: texts[r][c])
                    }
                }
                canvas.closeGroup()
            }
        }
        drawLabels(canvas: &canvas, frame: frame, cell: cell, rotate: rotate, columnLabelDepth: columnLabelDepth,
                   yLabelX: gridLeft - rowLabelWidth - 8 - 18)
        drawColorBar(canvas: &canvas, frame: frame, low: low, high: high, ticks: barTicks)
        return canvas.finished()
    }

    /// Row labels, column labels (rotated when long) and the axis labels.
    private func drawLabels(canvas: inout SVGCanvas, frame: PlotFrame, cell: Double, rotate: Bool, columnLabelDepth: Double,
                            yLabelX: Double) {
        let size = ChartStyle.tickSize
        let maxRowLabel = canvas.width * 0.3
        canvas.openGroup("row-labels", [("fill", ChartStyle.textColor), ("font-size", canvas.c(size)), ("text-anchor", "end")])
        for (r, label) in rowLabels.enumerated() {
            canvas.element("text", [("x", canvas.c(frame.left - 6)), ("y", canvas.c(frame.top + (Double(r) + 0.5) * cell + 4))],
                           text: BarLayout.truncated(label, toWidth: maxRowLabel))
        }
        canvas.closeGroup()
        canvas.openGroup("column-labels", [("fill", ChartStyle.textColor), ("font-size", canvas.c(size)),
                                           ("text-anchor", rotate ? "end" : "middle")])
        for (c, label) in columnLabels.enumerated() {
            let x = frame.left + (Double(c) + 0.5) * cell
            if rotate {
                let y = frame.bottom + 12
                canvas.element("text", [("x", canvas.c(x + 3)), ("y", canvas.c(y)), ("transform", "rotate(-40 \(canvas.c(x + 3)) \(canvas.c(y)))")],
                               text: BarLayout.truncated(label, toWidth: canvas.height * 0.25))
            } else {
                canvas.element("text", [("x", canvas.c(x)), ("y", canvas.c(frame.bottom + 16))], text: label)
            }
        }
        canvas.closeGroup()
        if !xLabel.isEmpty {
            canvas.text(xLabel, x: (frame.left + frame.right) / 2, y: frame.bottom + columnLabelDepth + 18, size: ChartStyle.labelSize,
                        anchor: "middle", fill: ChartStyle.textColor, cssClass: "axis-label x-label")
        }
        if !yLabel.isEmpty {
            canvas.text(yLabel, x: yLabelX, y: (frame.top + frame.bottom) / 2, size: ChartStyle.labelSize, anchor: "middle",
                        fill: ChartStyle.textColor, rotate: -90, cssClass: "axis-label y-label")
        }
    }

    /// A vertical colour bar right of the grid: 48 steps from `low` (bottom) to `high` (top), with
    /// the nice ticks that fall inside the range.
    private func drawColorBar(canvas: inout SVGCanvas, frame: PlotFrame, low: Double, high: Double, ticks: AxisTicks) {
        let x = frame.right + 14, barWidth = 14.0, steps = 48
        let top = frame.top, height = frame.height
        canvas.openGroup("colorbar")
        for i in 0..<steps {
            let t0 = Double(i) / Double(steps)
            let y = top + height * (1 - Double(i + 1) / Double(steps))
            canvas.rect(x: x, y: y, width: barWidth, height: height / Double(steps) + 0.4,
                        fill: colorScale.color(at: t0 + 0.5 / Double(steps)), cssClass: "colorbar-step")
        }
        canvas.rect(x: x, y: top, width: barWidth, height: height, fill: "none", extra: [("stroke", "#bbbbbb")])
        canvas.openGroup("tick-labels colorbar-ticks", [("fill", ChartStyle.tickColor), ("font-size", canvas.c(ChartStyle.tickSize))])
        // Ticks inside [low, high]; a constant matrix gets one label at the middle.
        let span = high - low
        let marks: [(Double, String)] = span > 0
            ? zip(ticks.values, ticks.labels).filter { $0.0 >= low - 1e-9 * span && $0.0 <= high + 1e-9 * span }
            : [(low, PlotNumberFormat.compact(low))]
        for (v, label) in marks {
            let y = top + height * (1 - (span > 0 ? (v - low) / span : 0.5))
            canvas.line(x1: x + barWidth, y1: y, x2: x + barWidth + 4, y2: y, stroke: ChartStyle.axisColor)
            canvas.element("text", [("x", canvas.c(x + barWidth + 7)), ("y", canvas.c(y + 4))], text: label)
        }
        canvas.closeGroup()
        canvas.closeGroup()
    }
}

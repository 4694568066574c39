/// One named series of (x, y) points for a ``LineChart`` or ``ScatterChart``.
///
/// `x` and `y` must have the same length (checked by the chart's `validate()`); points whose x or y
/// is NaN or infinite are skipped when drawing (a line breaks there).
public struct ChartSeries: Equatable, Sendable {
    /// The name shown in the legend (an empty name leaves the series out of the legend).
    public var name: String
    /// The x coordinates.
    public var x: [Double]
    /// The y coordinates, one per x.
    public var y: [Double]

    /// A series from its name and coordinates.
    public init(name: String, x: [Double], y: [Double]) {
        self.name = name
        self.x = x
        self.y = y
    }

    /// A series whose x values are `1, 2, …, y.count` (epochs, iterations).
    public init(name: String, y: [Double]) {
        self.init(name: name, x: (0..<y.count).map { Double($0 + 1) }, y: y)
    }
}

extension ChartSeries {
    /// Checks one series: same lengths and not empty.
    func check() throws {
        guard x.count == y.count else {
            throw PlotError.mismatchedLengths(series: name, xCount: x.count, yCount: y.count)
        }
        guard !x.isEmpty else { throw PlotError.emptyData("series '\(name)'") }
    }

    /// The points whose coordinates are both finite (and y > 0 when `positiveY`).
    func usablePoints(positiveY: Bool) -> [(Double, Double)] {
        var points: [(Double, Double)] = []
        for i in 0..<min(x.count, y.count) where isUsable(x[i], y[i], positiveY: positiveY) {
            points.append((x[i], y[i]))
        }
        return points
    }
}

/// Whether a point can be drawn: finite coordinates, and y > 0 on a log axis.
func isUsable(_ x: Double, _ y: Double, positiveY: Bool) -> Bool {
    x.isFinite && y.isFinite && (!positiveY || y > 0)
}

/// A histogram of one sample: equal-width bins between the smallest and largest value.
///
/// Binning follows NumPy's `histogram`: `bins` equal intervals over `[min, max]`, each half-open
/// `[a, b)` except the last, which includes `max`; a constant sample gets the range
/// `[v − 0.5, v + 0.5]`. NaN and infinite values are ignored. The y axis counts values per bin
/// (integer ticks), or shows a probability density with `density: true` (bar areas sum to 1).
///
/// ```swift
/// let chart = HistogramChart(title: "Residuals", xLabel: "y − ŷ", values: residuals, bins: 30)
/// ```
public struct HistogramChart: SVGChart {
    /// Title drawn above the plot.
    public var title: String
    /// Label under the x axis.
    public var xLabel: String
    /// The sample.
    public var values: [Double]
    /// Number of equal-width bins (1…10 000).
    public var bins: Int
    /// Show density (count / (n · bin width)) instead of counts.
    public var density: Bool
    /// Bar colour (default the first palette colour).
    public var color: String

    /// A histogram.
    /// - Parameters:
    ///   - title: chart title.
    ///   - xLabel: x-axis label (default none).
    ///   - values: the sample (non-finite values are ignored).
    ///   - bins: number of bins (default 20).
    ///   - density: y as probability density instead of counts (default `false`).
    ///   - color: bar colour as a CSS colour (default `ChartPalette.color(at: 0)`).
    public init(title: String, xLabel: String = "", values: [Double], bins: Int = 20, density: Bool = false,
                color: String = ChartPalette.color(at: 0)) {
        self.title = title
        self.xLabel = xLabel
        self.values = values
        self.bins = bins
        self.density = density
        self.color = color
    }

    /// Throws for an empty sample, one with no finite value, or `bins` outside 1…10 000.
    public func validate() throws {
        guard !values.isEmpty else { throw PlotError.emptyData("the value list") }
        guard bins >= 1 && bins <= 10_000 else {
            throw PlotError.invalidParameter(name: "bins", reason: "must be between 1 and 10000, got \(bins)")
        }
        guard values.contains(where: { $0.isFinite }) else { throw PlotError.noFiniteValues("the value list") }
    }

    /// Bin edges (`bins + 1` values) and the count of finite values in each bin.
    /// - Throws: as ``validate()``.
    public func histogram() throws -> (edges: [Double], counts: [Int]) {
        try validate()
        let finite = values.filter { $0.isFinite }
        var low = finite.min()!, high = finite.max()!
        if low == high { low -= 0.5; high += 0.5 }
        let width = (high - low) / Double(bins)
        let edges = (0...bins).map { $0 == bins ? high : low + Double($0) * width }
        var counts = [Int](repeating: 0, count: bins)
        for v in finite {
            var i = Int((v - low) / width)
            i = min(max(i, 0), bins - 1)
            // Correct for rounding at the edges: v must satisfy edges[i] <= v < edges[i+1].
            if i > 0 && v < edges[i] { i -= 1 } else if i < bins - 1 && v >= edges[i + 1] { i += 1 }
            counts[i] += 1
        }
        return (edges, counts)
    }

    /// The chart as SVG (see ``SVGChart/svg(width:height:)``).
    public func svg(width: Int, height: Int) -> String {
        let result: (edges: [Double], counts: [Int])
        do { result = try histogram() } catch {
            return ChartDecor.placeholder(title: title, message: "\(error)", width: width, height: height, cssClass: "histogram-chart")
        }
        let total = Double(result.counts.reduce(0, +))
        let heights = zip(result.counts, zip(result.edges, result.edges.dropFirst())).map { count, edge in
            density ? Double(count) / (total * (edge.1 - edge.0)) : Double(count)
        }
        let maxHeight = heights.max() ?? 1
        var yTicks: AxisTicks? = nil
        if !density {
            // Counts are integers: never a tick step below 1.
            var ticks = AxisTicks.linear(min: 0, max: maxHeight, targetCount: 5)
            if ticks.step < 1 { ticks = AxisTicks.linear(min: 0, max: max(maxHeight, 1), targetCount: Int(max(maxHeight, 1)) + 1) }
            yTicks = ticks
        }
        let xSpec = AxisSpec(lower: result.edges.first!, upper: result.edges.last!, label: xLabel, tight: true)
        let ySpec = AxisSpec(lower: 0, upper: maxHeight, label: density ? "density" : "count", fixedTicks: yTicks)
        return XYChartRenderer.render(
            width: width, height: height, title: title, cssClass: "histogram-chart", xSpec: xSpec, ySpec: ySpec,
            legend: nil, verticalGrid: false, occupied: { _ in [] },
            body: { canvas, layout in
                canvas.openGroup("series", [("fill", color), ("stroke", "#ffffff"), ("stroke-width", "0.8")])
                for (i, h) in heights.enumerated() where result.counts[i] > 0 {
                    let left = layout.x.position(result.edges[i]), right = layout.x.position(result.edges[i + 1])
                    let top = layout.y.position(h), bottom = layout.y.position(0)
                    canvas.element("rect", [("class", "bar"), ("x", canvas.c(left)), ("y", canvas.c(top)),
                                            ("width", canvas.c(right - left)), ("height", canvas.c(bottom - top)),
                                            ("data-count", String(result.counts[i]))])
                }
                canvas.closeGroup()
            })
    }
}

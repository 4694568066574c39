import Foundation
import SwiftLearnCore

/// A chart that draws itself as a standalone SVG document.
///
/// Every chart in this module (``LineChart``, ``ScatterChart``, ``BarChart``, ``HistogramChart``,
/// ``HeatmapChart``, ``ROCChart``) is a value type holding its data; drawing is a pure function of
/// that data and the requested size, so the same chart gives byte-identical SVG every time.
///
/// The SVG has a `viewBox` (it scales to any width on a page), `width`/`height` attributes (a
/// standalone file opens at its natural size), a `<title>` (accessible name), a system sans-serif
/// font stack, and CSS class names on its parts (`series-line`, `marker`, `bar`, `cell`, `legend`,
/// …) that tests and style sheets can select.
///
/// ```swift
/// let chart = LineChart(title: "Training loss", xLabel: "epoch", yLabel: "loss",
///                       series: [ChartSeries(name: "train", x: epochs, y: losses)])
/// try chart.validate()                         // optional: throws PlotError on unusable data
/// let svg = chart.svg()                        // 640×400
/// try chart.writeSVG(to: URL(fileURLWithPath: "loss.svg"))
/// ```
public protocol SVGChart {
    /// The chart's title, drawn above the plot and used as the SVG's `<title>`.
    var title: String { get }

    /// The chart as an SVG document of the given size in pixels.
    ///
    /// Never fails: data that cannot be drawn (see ``validate()``) gives a chart frame with a
    /// visible message instead of a crash. Sizes below 160×120 are raised to that minimum.
    func svg(width: Int, height: Int) -> String

    /// Throws the ``PlotError`` that explains why the chart's data cannot be drawn (empty input,
    /// mismatched lengths, no finite values, bad parameters); returns when it can be drawn.
    func validate() throws
}

extension SVGChart {
    /// The chart as a 640×400 SVG document.
    public func svg() -> String { svg(width: 640, height: 400) }

    /// Default: nothing to check.
    public func validate() throws {}

    /// The chart as SVG after checking its data and size: throws ``PlotError`` where ``svg(width:height:)``
    /// would draw a message instead.
    /// - Parameters:
    ///   - width: width in pixels, at least 160 (default 640).
    ///   - height: height in pixels, at least 120 (default 400).
    public func render(width: Int = 640, height: Int = 400) throws -> String {
        try ChartSize.check(width: width, height: height)
        try validate()
        return svg(width: width, height: height)
    }

    /// Writes the chart as a standalone `.svg` file (UTF-8), creating the parent directory if needed.
    /// - Throws: ``PlotError`` for unusable data or size, ``PlotError/fileError(path:reason:)`` when
    ///   the file cannot be written.
    /// - Returns: the URL written.
    @discardableResult
    public func writeSVG(to url: URL, width: Int = 640, height: Int = 400) throws -> URL {
        let text = try render(width: width, height: height)
        try FileOutput.write(text, to: url)
        return url
    }
}

/// The smallest canvas a chart draws on, and its check.
enum ChartSize {
    static let minimumWidth = 160
    static let minimumHeight = 120

    static func check(width: Int, height: Int) throws {
        guard width >= minimumWidth else {
            throw PlotError.invalidParameter(name: "width", reason: "must be at least \(minimumWidth) pixels, got \(width)")
        }
        guard height >= minimumHeight else {
            throw PlotError.invalidParameter(name: "height", reason: "must be at least \(minimumHeight) pixels, got \(height)")
        }
    }

    static func clamped(width: Int, height: Int) -> (Double, Double) {
        (Double(max(width, minimumWidth)), Double(max(height, minimumHeight)))
    }
}

/// Atomic UTF-8 file writes with typed errors.
enum FileOutput {
    static func write(_ text: String, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw PlotError.fileError(path: directory.path, reason: "cannot create directory (\(readableReason(error)))")
        }
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw PlotError.fileError(path: url.path, reason: readableReason(error))
        }
    }
}

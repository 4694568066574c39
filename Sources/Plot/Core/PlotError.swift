import Foundation

/// An error thrown by the `Plot` module: data a chart cannot draw, a bad drawing parameter, or a
/// file that could not be written.
///
/// Policy for values that are not finite: a NaN or ±infinity coordinate is *skipped* (a line chart
/// breaks its line there, a scatter chart leaves the point out, a histogram ignores the value, a
/// heatmap cell is drawn grey without a label, a bar is left out). Only when nothing finite is left
/// to draw does validation throw ``noFiniteValues(_:)``. On a logarithmic axis the same policy
/// applies to values `<= 0`.
public enum PlotError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The chart was given nothing to draw (no series, no categories, no values). The payload
    /// names what was empty.
    case emptyData(String)
    /// A series has a different number of x and y values.
    case mismatchedLengths(series: String, xCount: Int, yCount: Int)
    /// Every value of the chart (or of the named part) is NaN, infinite, or (on a log axis) `<= 0`.
    case noFiniteValues(String)
    /// Labels and values do not fit together (e.g. 3 categories but 4 bar values, ragged matrix).
    case shapeMismatch(String)
    /// A parameter is outside its allowed range (e.g. `bins: 0`, a 20×20 pixel canvas, a rate
    /// outside `[0, 1]`).
    case invalidParameter(name: String, reason: String)
    /// A file or directory could not be written.
    case fileError(path: String, reason: String)

    /// A message a person can act on.
    public var description: String {
        switch self {
        case .emptyData(let what):
            return "nothing to plot: \(what) is empty"
        case .mismatchedLengths(let series, let xCount, let yCount):
            return "series '\(series)' has \(xCount) x values but \(yCount) y values; they must have the same length"
        case .noFiniteValues(let what):
            return "nothing to plot: \(what) has no finite values (NaN and infinite values are skipped)"
        case .shapeMismatch(let message):
            return "shape mismatch: \(message)"
        case .invalidParameter(let name, let reason):
            return "invalid parameter '\(name)': \(reason)"
        case .fileError(let path, let reason):
            return "cannot write '\(path)': \(reason)"
        }
    }

    /// Same as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}

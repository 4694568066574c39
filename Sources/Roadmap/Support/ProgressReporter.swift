import Foundation

/// Progress for long work: on a terminal, a bar redrawn in place with the count, the rate and
/// the time left; elsewhere (a pipe, a file, `--json`) it prints nothing, so output stays
/// line-based and machine-readable.
///
/// ```swift
/// let progress = ProgressReporter(total: demos.count, label: "demos")
/// for d in demos { run(d); progress.advance(note: d.id) }
/// progress.finish()
/// ```
public final class ProgressReporter {
    /// Number of steps expected.
    public let total: Int
    /// What is being counted ("demos", "epochs").
    public let label: String
    /// Whether the bar is drawn (a terminal and not JSON mode).
    public let isInteractive: Bool
    /// Steps done so far.
    public private(set) var completed = 0
    private let start: Double
    private let clock: () -> Double
    private let write: (String) -> Void
    private var lastWidth = 0

    /// Creates a reporter.
    /// - Parameters:
    ///   - total: steps expected (≥ 0).
    ///   - label: unit name shown after the count.
    ///   - interactive: draw the bar; default: standard error is a terminal.
    ///   - clock: seconds from any origin (injectable for tests).
    ///   - write: where the bar goes (default standard error, so standard output stays clean).
    public init(total: Int, label: String, interactive: Bool = ProgressReporter.standardErrorIsTerminal,
                clock: @escaping () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
                write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.total = Swift.max(0, total)
        self.label = label
        self.isInteractive = interactive
        self.clock = clock
        self.write = write
        self.start = clock()
    }

    /// True when standard error is a terminal.
    public static var standardErrorIsTerminal: Bool { isatty(2) == 1 }

    /// True when standard output is a terminal.
    public static var standardOutputIsTerminal: Bool { isatty(1) == 1 }

    /// Marks `steps` more steps done and redraws the bar; `note` names the current item.
    public func advance(by steps: Int = 1, note: String = "") {
        completed = Swift.min(total, completed + steps)
        guard isInteractive else { return }
        draw(line(note: note))
    }

    /// Shows `note` as the item now running, without counting a step.
    public func begin(_ note: String) {
        guard isInteractive else { return }
        draw(line(note: note))
    }

    /// Clears the bar so normal output can continue.
    public func clear() {
        guard isInteractive, lastWidth > 0 else { return }
        write("\r" + String(repeating: " ", count: lastWidth) + "\r")
        lastWidth = 0
    }

    /// Clears the bar at the end.
    public func finish() { clear() }

    /// Steps per second so far (0 before the first step).
    public var rate: Double {
        let elapsed = clock() - start
        return elapsed > 0 ? Double(completed) / elapsed : 0
    }

    /// Estimated seconds left at the current rate (nil before the first step).
    public var secondsLeft: Double? {
        guard completed > 0, rate > 0 else { return nil }
        return Double(total - completed) / rate
    }

    /// The text of the bar: `[#######-------] 7/14 demos  1.2/s  ~6s left  name`.
    public func line(note: String = "", width: Int = 24) -> String {
        let fraction = total > 0 ? Double(completed) / Double(total) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        var text = "[\(bar)] \(completed)/\(total) \(label)"
        if completed > 0 { text += String(format: "  %.2f/s", rate) }
        if let left = secondsLeft { text += "  ~\(Self.duration(left)) left" }
        if !note.isEmpty { text += "  \(note)" }
        return text
    }

    /// Seconds as `45s`, `3m05s` or `1h02m`.
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }

    private func draw(_ text: String) {
        let pad = Swift.max(0, lastWidth - text.count)
        write("\r" + text + String(repeating: " ", count: pad))
        lastWidth = text.count
    }
}

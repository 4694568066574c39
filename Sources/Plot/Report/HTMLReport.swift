import Foundation

/// A self-contained HTML report page: headings, paragraphs, charts, tables and preformatted text.
///
/// The page is one file with inline CSS and inline SVG — no scripts, fonts, images or other
/// external resources — so it opens offline, attaches to an e-mail, and archives as it is. It is
/// readable on a phone (responsive width, charts scale with their `viewBox`, wide tables scroll)
/// and prints cleanly. All text is escaped. The output is deterministic (no timestamps), so a
/// report can be compared with `diff`.
///
/// ```swift
/// var report = HTMLReport(title: "Iris: logistic regression")
/// report.addParagraph("5-fold cross-validation, seed 0.")
/// report.addChart(lossChart, caption: "Training loss per epoch")
/// report.addTable(headers: ["metric", "value"], rows: [["accuracy", "0.973"]])
/// let url = try report.write(to: URL(fileURLWithPath: "reports/iris"))
/// ```
public struct HTMLReport {
    /// The page title (`<title>` and the top heading).
    public var title: String
    /// The body blocks in order, as HTML.
    private var blocks: [String] = []
    /// Chart size used by ``addChart(_:caption:)`` (pixels; the chart scales to the page width).
    public var chartWidth = 760
    /// Chart height used by ``addChart(_:caption:)``.
    public var chartHeight = 440

    /// An empty report with a title.
    public init(title: String) {
        self.title = title
    }

    /// Number of blocks added so far.
    public var blockCount: Int { blocks.count }

    /// Adds a heading; `level` is clamped to 1…6 (the page title is level 1, so sections use 2).
    public mutating func addHeading(_ text: String, level: Int = 2) {
        let l = min(max(level, 1), 6)
        blocks.append("<h\(l)>\(xmlEscaped(text))</h\(l)>")
    }

    /// Adds a paragraph of plain text (escaped; line breaks kept).
    public mutating func addParagraph(_ text: String) {
        let body = xmlEscaped(text).replacingOccurrences(of: "\n", with: "<br>\n")
        blocks.append("<p>\(body)</p>")
    }

    /// Adds a chart as inline SVG in a figure, with an optional caption. Data the chart cannot draw
    /// shows its error message in the figure (call `validate()` first to throw instead).
    public mutating func addChart(_ chart: any SVGChart, caption: String = "") {
        var figure = "<figure class=\"chart\">\n" + chart.svg(width: chartWidth, height: chartHeight)
        if !caption.isEmpty { figure += "<figcaption>\(xmlEscaped(caption))</figcaption>\n" }
        figure += "</figure>"
        blocks.append(figure)
    }

    /// Adds a table. Rows shorter than the header are padded with empty cells; cells that read as
    /// numbers are right-aligned.
    public mutating func addTable(headers: [String], rows: [[String]]) {
        let columns = max(headers.count, rows.map(\.count).max() ?? 0)
        var html = "<div class=\"table-wrap\"><table>\n"
        if !headers.isEmpty {
            html += "<thead><tr>"
            for i in 0..<columns { html += "<th>\(i < headers.count ? xmlEscaped(headers[i]) : "")</th>" }
            html += "</tr></thead>\n"
        }
        html += "<tbody>\n"
        for row in rows {
            html += "<tr>"
            for i in 0..<columns {
                let cell = i < row.count ? row[i] : ""
                html += HTMLReport.looksNumeric(cell) ? "<td class=\"num\">\(xmlEscaped(cell))</td>" : "<td>\(xmlEscaped(cell))</td>"
            }
            html += "</tr>\n"
        }
        html += "</tbody></table></div>"
        blocks.append(html)
    }

    /// Adds preformatted text (logs, model summaries) in a monospaced, horizontally scrolling block.
    public mutating func addPreformatted(_ text: String) {
        blocks.append("<pre>\(xmlEscaped(text))</pre>")
    }

    /// Adds a bulleted list of plain-text items.
    public mutating func addList(_ items: [String]) {
        blocks.append("<ul>\n" + items.map { "<li>\(xmlEscaped($0))</li>\n" }.joined() + "</ul>")
    }

    /// Whether a table cell reads as a number (optionally signed, with a decimal point, exponent, %, or SI suffix).
    static func looksNumeric(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return false }
        var core = trimmed
        if let last = core.last, "%kMGx×".contains(last) { core.removeLast() }
        core = core.replacingOccurrences(of: "±", with: "").replacingOccurrences(of: " ", with: "")
        return Double(core) != nil
    }

    /// The whole page as an HTML5 document.
    public func html() -> String {
        var page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="SwiftLearn Plot">
        <title>\(xmlEscaped(title))</title>
        <style>
        \(HTMLReport.styleSheet)
        </style>
        </head>
        <body>
        <main>
        <h1>\(xmlEscaped(title))</h1>

        """
        for block in blocks { page += block + "\n" }
        page += "</main>\n</body>\n</html>\n"
        return page
    }

    /// Writes the page into `directory` (created if needed) and returns the file's URL.
    /// - Parameters:
    ///   - directory: the output directory.
    ///   - fileName: a plain file name, no path separators (default `index.html`).
    /// - Throws: ``PlotError/invalidParameter(name:reason:)`` for a bad file name,
    ///   ``PlotError/fileError(path:reason:)`` when the directory or file cannot be written.
    @discardableResult
    public func write(to directory: URL, fileName: String = "index.html") throws -> URL {
        guard !fileName.isEmpty, !fileName.contains("/"), fileName != ".", fileName != ".." else {
            throw PlotError.invalidParameter(name: "fileName", reason: "must be a plain file name, got '\(fileName)'")
        }
        let url = directory.appendingPathComponent(fileName)
        try FileOutput.write(html(), to: url)
        return url
    }

    /// The inline style sheet: system fonts, readable line length, responsive charts and tables.
    static let styleSheet = """
    :root { color-scheme: light; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #f6f7f9; color: #1f2328;
      font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
    main { max-width: 980px; margin: 0 auto; padding: 24px 20px 48px; background: #ffffff; min-height: 100vh; }
    h1 { font-size: 1.9rem; line-height: 1.25; margin: 0.4em 0 0.8em; padding-bottom: 0.3em; border-bottom: 1px solid #e3e5e8; }
    h2 { font-size: 1.4rem; margin: 1.6em 0 0.5em; }
    h3 { font-size: 1.15rem; margin: 1.3em 0 0.4em; }
    h4, h5, h6 { font-size: 1rem; margin: 1.2em 0 0.4em; }
    p, ul { margin: 0.6em 0; max-width: 72ch; }
    figure.chart { margin: 1.2em 0; padding: 12px; border: 1px solid #e3e5e8; border-radius: 6px; background: #ffffff; }
    figure.chart svg { display: block; width: 100%; max-width: 100%; height: auto; margin: 0 auto; }
    figcaption { margin-top: 8px; color: #57606a; font-size: 0.92rem; text-align: center; }
    .table-wrap { overflow-x: auto; margin: 1em 0; }
    table { border-collapse: collapse; font-size: 0.95rem; min-width: 50%; }
    th, td { padding: 6px 12px; border-bottom: 1px solid #e3e5e8; text-align: left; vertical-align: top; }
    th { background: #f0f2f5; font-weight: 600; border-bottom: 2px solid #d0d7de; }
    tbody tr:nth-child(even) { background: #fafbfc; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    pre { overflow-x: auto; padding: 12px 14px; background: #f6f8fa; border: 1px solid #e3e5e8; border-radius: 6px;
      font: 0.88rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
    @media (max-width: 600px) { main { padding: 16px 12px 32px; } h1 { font-size: 1.5rem; } figure.chart { padding: 4px; } }
    @media print { body { background: #ffffff; } main { max-width: none; } figure.chart { break-inside: avoid; } }
    """
}

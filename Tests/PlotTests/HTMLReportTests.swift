import Foundation
import Testing
import Plot

@Suite struct HTMLReportTests {
    @Test func pageIsSelfContainedAndEscaped() {
        var report = HTMLReport(title: "R&D <report>")
        report.addHeading("Scores & errors", level: 9)
        report.addParagraph("line 1\nline <2>")
        report.addChart(SampleCharts.bar(), caption: "bars & more")
        report.addTable(headers: ["name", "value"], rows: [["a<b", "0.5"], ["c"]])
        report.addPreformatted("if a < b { print(\"&\") }")
        let html = report.html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<title>R&amp;D &lt;report&gt;</title>"))
        #expect(html.contains("<h6>Scores &amp; errors</h6>"))        // level clamped to 6
        #expect(html.contains("line 1<br>\nline &lt;2&gt;"))
        #expect(html.contains("<figcaption>bars &amp; more</figcaption>"))
        #expect(html.contains("<td>a&lt;b</td><td class=\"num\">0.5</td>"))
        #expect(html.contains("<tr><td>c</td><td></td></tr>"))       // short row padded
        #expect(html.contains("<pre>if a &lt; b { print(&quot;&amp;&quot;) }</pre>"))
        for external in ["<script", "<link", "src=", "href=", "@import", "url("] {
            #expect(!html.contains(external), "report refers to an external resource: \(external)")
        }
        #expect(html.components(separatedBy: "<svg ").count == 2)
        #expect(report.blockCount == 5)
    }

    @Test func writesAndReportsFileErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plot-report-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try SampleCharts.report().write(to: directory.appendingPathComponent("nested"))
        #expect(url.lastPathComponent == "index.html")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text == SampleCharts.report().html())
        #expect(throws: PlotError.self) { try HTMLReport(title: "t").write(to: directory, fileName: "a/b.html") }
        // A file where the directory should be.
        let blocker = directory.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        #expect(throws: PlotError.self) { try HTMLReport(title: "t").write(to: blocker) }
        let svgURL = try SampleCharts.roc().writeSVG(to: directory.appendingPathComponent("roc.svg"))
        #expect(SVGInspector(try String(contentsOf: svgURL, encoding: .utf8)).isWellFormed)
    }
}

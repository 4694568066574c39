import Foundation
import Testing
import Plot

/// Renders the sample charts and report. With `SWIFTLEARN_PLOT_OUTPUT=<dir>` set, writes them there
/// (`chart-NAME.svg` per chart and `report.html`) for `scripts/check_plots.py` to open in a browser.
@Suite struct PlotSamples {
    @Test func samplesValidateAndRender() throws {
        for (name, chart) in SampleCharts.all() + SampleCharts.variants() {
            try chart.validate()
            let svg = try chart.render()
            #expect(!svg.contains("chart-error"), "sample \(name) drew an error")
        }
    }

    @Test func writeSamplesWhenAsked() throws {
        guard let directory = ProcessInfo.processInfo.environment["SWIFTLEARN_PLOT_OUTPUT"], !directory.isEmpty else { return }
        let base = URL(fileURLWithPath: directory)
        for (name, chart) in SampleCharts.all() + SampleCharts.variants() {
            try chart.writeSVG(to: base.appendingPathComponent("chart-\(name).svg"))
        }
        let url = try SampleCharts.report().write(to: base, fileName: "report.html")
        #expect(FileManager.default.fileExists(atPath: url.path))
    }
}

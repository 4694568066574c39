import Foundation
import Plot

/// The tracking server's pages: `/` lists the experiments, `/compare?experiment_id=ID[&runs=a,b]`
/// compares runs — a table of their parameters (differing ones marked) and latest metrics, a
/// parallel-coordinates chart over numeric parameters and metrics, and each metric's history by
/// step, one line per run (Plot's SVG charts, checked in headless Chromium by
/// `scripts/ops/check_tracking_page.py`).
enum RunComparisonPage {
    static let maxRuns = 20
    static let maxMetricCharts = 12

    static func index(_ store: TrackingStore) throws -> String {
        let (experiments, _) = try store.searchExperiments(maxResults: 1000, orderBy: ["name"])
        let counts = try store.activeRunCounts()
        let rows = experiments.map { e -> String in
            let id = e.id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? e.id
            return "<tr><td><a href=\"/compare?experiment_id=\(id)\">\(xmlEscaped(e.name))</a></td><td>\(e.id)</td><td>\(counts[e.id] ?? 0)</td></tr>"
        }.joined(separator: "\n")
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>SwiftLearn tracking</title>
        <style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}th,td{padding:4px 12px;border-bottom:1px solid #ddd;text-align:left}</style>
        </head><body><main>
        <h1>Experiments</h1>
        <table id="experiments"><thead><tr><th>experiment</th><th>id</th><th>runs</th></tr></thead><tbody>
        \(rows)
        </tbody></table>
        <p>MLflow-compatible API at <code>/api/2.0/mlflow/</code>: point the mlflow client here with MLFLOW_TRACKING_URI.</p>
        </main></body></html>
        """
    }

    static func compare(_ store: TrackingStore, experimentID: String, runIDs: [String]?) throws -> String {
        let experiment = try store.experiment(id: experimentID)
        var (runs, _) = try store.searchRuns(experimentIDs: [experimentID], maxResults: 50_000)
        if let runIDs, !runIDs.isEmpty {
            runs = runs.filter { runIDs.contains($0.info.runID) }
            guard !runs.isEmpty else { throw TrackingError.missing("none of the runs asked for are in experiment \(experimentID)") }
        }
        let shown = Array(runs.prefix(maxRuns))
        var report = HTMLReport(title: "Runs of \(experiment.name)")
        guard !shown.isEmpty else {
            report.addParagraph("This experiment has no runs yet.")
            return report.html()
        }
        if runs.count > shown.count { report.addParagraph("The \(shown.count) newest of \(runs.count) runs (pass runs=ID,ID to choose).") }
        let paramKeys = Array(Set(shown.flatMap { $0.params.keys })).sorted()
        let metricKeys = Array(Set(shown.flatMap { $0.metrics.map(\.key) })).sorted()
        let differing = Set(paramKeys.filter { k in Set(shown.map { $0.params[k] ?? "" }).count > 1 })
        let names = shown.map { "\($0.info.runName) (\($0.info.runID.prefix(6)))" }
        report.addHeading("Parameters and latest metrics")
        let headers = ["run", "status"] + paramKeys.map { differing.contains($0) ? "\($0) *" : $0 } + metricKeys
        let rows = zip(shown, names).map { run, name -> [String] in
            [name, run.info.status.rawValue] + paramKeys.map { run.params[$0] ?? "" }
                + metricKeys.map { k in run.metrics.first { $0.key == k }.map { PlotNumberFormat.compact($0.value, significantDigits: 5) } ?? "" }
        }
        report.addTable(headers: headers, rows: rows)
        if !differing.isEmpty { report.addParagraph("* the parameter differs between the runs shown.") }
        // Numeric parameters that differ, then the metrics that differ, as parallel coordinates.
        let numericParams = paramKeys.filter { k in differing.contains(k) && shown.allSatisfy { $0.params[k].map { Double($0) != nil } ?? true } }
        let varyingMetrics = metricKeys.filter { k in Set(shown.map { run in run.metrics.first { $0.key == k }?.value ?? .nan }.map(\.bitPattern)).count > 1 }
        let dimensions = numericParams + varyingMetrics
        if dimensions.count >= 2 {
            let items = zip(shown, names).map { run, name in
                (name: name, values: numericParams.map { run.params[$0].flatMap(Double.init) ?? .nan }
                    + varyingMetrics.map { k in run.metrics.first { $0.key == k }?.value ?? .nan })
            }
            report.addChart(ParallelCoordinatesChart(title: "Parameters and metrics by run", dimensions: dimensions, items: items),
                            caption: "One line per run across the parameters and latest metrics that differ (each axis from its smallest to its largest value).")
        }
        report.addHeading("Metrics by step")
        for key in metricKeys.prefix(maxMetricCharts) {
            var series: [ChartSeries] = []
            for (run, name) in zip(shown, names) {
                let history = try store.metricHistory(runID: run.info.runID, key: key).filter { $0.value.isFinite }
                if !history.isEmpty { series.append(ChartSeries(name: name, x: history.map { Double($0.step) }, y: history.map(\.value))) }
            }
            guard !series.isEmpty else { continue }
            report.addChart(LineChart(title: key, xLabel: "step", yLabel: key, series: series, showMarkers: series.allSatisfy { $0.x.count < 30 }),
                            caption: "\(key) as logged, by step.")
        }
        if metricKeys.count > maxMetricCharts { report.addParagraph("\(metricKeys.count - maxMetricCharts) more metrics are in the table above.") }
        return report.html()
    }
}

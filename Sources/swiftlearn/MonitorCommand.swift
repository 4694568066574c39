import ArgumentParser
import Foundation
import Ops
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn monitor`: data, target and prediction drift between a reference and a current CSV.
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Detect data drift between a reference and a current CSV, as Evidently's DataDriftPreset does.",
        discussion: """
        Each column gets the test Evidently chooses by default: K-S (numerical, reference ≤ 1000 rows) or
        the normed Wasserstein distance (> 1000); χ² or a Z-test (categorical or ≤ 5 values, reference ≤ 1000)
        or the Jensen–Shannon distance (> 1000). The data set drifts when at least --drift-share of its
        columns do. With --model-file, the model's predictions on both files are compared too (prediction drift).
        """
    )

    @Option(help: "The reference CSV (the data the model was trained or validated on).") var reference: String
    @Option(help: "The current CSV (recent production data), with the same columns.") var current: String
    @Option(help: "Compare only these columns (comma-separated; default: every column of the reference).") var columns: String?
    @Option(help: "A model saved by `learn fit --save`: its predictions on both files are compared as the column 'prediction'.") var modelFile: String?
    @Option(help: "Share of drifted columns at which the data set counts as drifted.") var driftShare = 0.5
    @Option(help: "Write an HTML report here.") var report: String?
    @Flag(help: "One JSON object per column (column, test, statistic, p_value, drift, …), then a summary object.") var json = false

    func validate() throws {
        guard driftShare > 0, driftShare <= 1 else { throw ValidationError("--drift-share must be in (0, 1], got \(driftShare)") }
        if let columns, columns.split(separator: ",").isEmpty { throw ValidationError("--columns names no column") }
        if let report { try prepareOutputFile(report, option: "--report") }
    }

    func run() throws {
        var referenceTable = try readTable(reference)
        var currentTable = try readTable(current)
        var names = columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? referenceTable.header
        if let modelFile {
            let (ref, cur) = (try predictions(modelFile, referenceTable, reference), try predictions(modelFile, currentTable, current))
            referenceTable = try CSVTable(header: referenceTable.header + ["prediction"], columns: referenceTable.columns + [ref])
            currentTable = try CSVTable(header: currentTable.header + ["prediction"], columns: currentTable.columns + [cur])
            names.append("prediction")
        }
        let result: DriftReport
        do { result = try DriftMonitor.compare(reference: referenceTable, current: currentTable, columns: names, driftShare: driftShare) } catch let e as TrackingError {
            throw ValidationError(e.message)
        }
        if json {
            for c in result.columns {
                var fields: [(String, JSONValue)] = [("column", .string(c.column)), ("type", .string(c.kind.rawValue)), ("test", .string(c.test)),
                                                     ("statistic", exactJSON(c.statistic))]
                if let p = c.pValue { fields.append(("p_value", exactJSON(p))) }
                fields += [("threshold", .double(c.threshold)), ("drift", .bool(c.drift)), ("psi", exactJSON(c.psi)),
                           ("reference_count", .int(c.referenceCount)), ("current_count", .int(c.currentCount)),
                           ("reference_missing", .int(c.referenceMissing)), ("current_missing", .int(c.currentMissing)),
                           (c.kind == .numerical ? "out_of_range" : "new_category_rows", .int(c.outOfReference))]
                if !c.newCategories.isEmpty { fields.append(("new_categories", .array(c.newCategories.map(JSONValue.string)))) }
                print(JSONLine(fields).text)
            }
            print(JSONLine([("summary", .bool(true)), ("columns", .int(result.columns.count)), ("drifted_columns", .int(result.driftedColumns)),
                            ("share_of_drifted_columns", .double(result.shareOfDriftedColumns)), ("drift_share", .double(driftShare)),
                            ("dataset_drift", .bool(result.datasetDrift))]).text)
        } else {
            print("drift of \(current) against \(reference): \(result.driftedColumns) of \(result.columns.count) columns drifted — \(result.datasetDrift ? "DATASET DRIFT" : "no dataset drift") (threshold \(driftShare))")
            for c in result.columns {
                let score = c.pValue.map { String(format: "p %.4g", $0) } ?? String(format: "%.4g", c.statistic)
                var extra = c.referenceMissing + c.currentMissing > 0 ? "  missing \(c.referenceMissing)/\(c.currentMissing)" : ""
                if c.outOfReference > 0 { extra += c.kind == .numerical ? "  \(c.outOfReference) out of range" : "  new categories: \(c.newCategories.joined(separator: ", "))" }
                print("  \(c.drift ? "DRIFT" : "  ok ")  \(c.column.padding(toLength: 20, withPad: " ", startingAt: 0)) \(c.test.padding(toLength: 13, withPad: " ", startingAt: 0)) \(score)  psi \(String(format: "%.3f", c.psi))\(extra)")
            }
        }
        if let report {
            try writeFile(Data(result.html(reference: reference, current: current).utf8), to: URL(fileURLWithPath: report))
            if !json { print("report: \(report)") }
        }
    }

    /// The model's predictions on a table, as a column.
    func predictions(_ path: String, _ table: CSVTable, _ file: String) throws -> CSVColumn {
        let (estimator, prep) = try ModelFile.loadPrepared(path: path)
        let x = try naming(file) { try prep.features(table) }
        return try predictionColumn(estimator, prep, x, file: path)
    }
}

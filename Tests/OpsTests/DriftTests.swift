import Datasets
import Foundation
import Testing
import Ops

/// Drift statistics against SciPy 1.17.1 and drift verdicts against Evidently 0.7.23
/// (`scripts/fixtures/make_drift_fixtures.py`).
@Suite struct DriftTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func json(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent(name))) as! [String: Any]
    }

    static func close(_ a: Double, _ b: Double, _ tol: Double = 1e-10) -> Bool {
        a == b || abs(a - b) <= tol * max(1, abs(b))
    }

    @Test func statisticsEqualSciPys() throws {
        let f = try Self.json("drift_statistics.json")
        var worst = 0.0
        for case let c as [String: Any] in f["samples"] as! [Any] {
            let x = c["x"] as! [Double], y = c["y"] as! [Double]
            let (d, p) = DriftStatistics.ks2Sample(x, y)
            #expect(Self.close(d, c["ks_statistic"] as! Double), "D \(x.count)×\(y.count)")
            if max(x.count, y.count) <= 10_000 {
                #expect(Self.close(p, c["ks_pvalue"] as! Double), "p \(x.count)×\(y.count): \(p) vs \(c["ks_pvalue"]!)")
                worst = max(worst, abs(p - (c["ks_pvalue"] as! Double)))
            } else {
                // Past SciPy's exact limit we use the Kolmogorov limit, SciPy its finite-n kstwo.
                #expect(abs(p - (c["ks_pvalue"] as! Double)) < 0.02, "asymptotic p \(x.count)×\(y.count): \(p) vs \(c["ks_pvalue"]!)")
            }
            #expect(Self.close(DriftStatistics.wasserstein(x, y), c["wasserstein"] as! Double), "W \(x.count)×\(y.count)")
        }
        #expect(worst <= 1e-10)
        for case let c as [String: Any] in f["jensenshannon"] as! [Any] {
            #expect(Self.close(DriftStatistics.jensenShannon(c["p"] as! [Double], c["q"] as! [Double]), c["distance"] as! Double))
        }
        for case let c as [String: Any] in f["chi2_contingency"] as! [Any] {
            let r = DriftStatistics.chiSquareContingency(c["table"] as! [[Double]])
            #expect(Self.close(r.statistic, c["statistic"] as! Double) && Self.close(r.pValue, c["pvalue"] as! Double) && r.dof == c["dof"] as! Int)
        }
        for case let c as [String: Any] in f["chisquare"] as! [Any] {
            let r = DriftStatistics.chiSquareGoodnessOfFit(observed: c["observed"] as! [Double], expected: c["expected"] as! [Double])
            #expect(Self.close(r.statistic, c["statistic"] as! Double) && Self.close(r.pValue, c["pvalue"] as! Double))
        }
    }

    @Test func verdictsEqualEvidentlys() throws {
        let names = ["K-S p_value": "ks", "chi-square p_value": "chisquare", "Z-test p_value": "z",
                     "Wasserstein distance (normed)": "wasserstein", "Jensen-Shannon distance": "jensenshannon"]
        let cases = try Self.json("drift_evidently.json")["cases"] as! [String: Any]
        #expect(cases.count == 5)
        for (name, value) in cases {
            let expected = value as! [String: Any]
            let folder = Self.fixtures.appendingPathComponent("drift")
            let reference = try CSVTable.read(path: folder.appendingPathComponent("\(name)-reference.csv").path)
            let current = try CSVTable.read(path: folder.appendingPathComponent("\(name)-current.csv").path)
            let report = try DriftMonitor.compare(reference: reference, current: current)
            let columns = expected["columns"] as! [String: [String: Any]]
            #expect(Set(report.columns.map(\.column)) == Set(columns.keys), "\(name): columns")
            for c in report.columns {
                guard let e = columns[c.column] else { continue }
                #expect(c.test == names[e["test"] as! String], "\(name).\(c.column): test \(c.test) vs \(e["test"]!)")
                #expect(Self.close(c.score, e["score"] as! Double), "\(name).\(c.column): score \(c.score) vs \(e["score"]!)")
                #expect(c.drift == e["drift"] as! Bool, "\(name).\(c.column): drift")
            }
            #expect(Self.close(report.shareOfDriftedColumns, expected["share_of_drifted_columns"] as! Double), "\(name): share")
            #expect(report.datasetDrift == expected["dataset_drift"] as! Bool, "\(name): dataset drift")
        }
    }

    @Test func qualityCountsAndErrors() throws {
        let reference = try CSVTable(header: ["x", "c"], columns: [.numeric([1, 2, 3, .nan, 4, 5, 6]), .categorical(["a", "b", "a", nil, "b", "a", "b"])])
        let current = try CSVTable(header: ["x", "c"], columns: [.numeric([0, 2, 9, 3, 4, 5]), .categorical(["a", "z", "z", "b", nil, "a"])])
        let report = try DriftMonitor.compare(reference: reference, current: current)
        let x = report.columns[0], c = report.columns[1]
        #expect(x.referenceMissing == 1 && x.outOfReference == 2 && x.test == "ks")
        #expect(c.currentMissing == 1 && c.newCategories == ["z"] && c.outOfReference == 2 && c.test == "chisquare")
        #expect(throws: TrackingError.self) { try DriftMonitor.compare(reference: reference, current: current, columns: ["nope"]) }
        let empty = try CSVTable(header: ["x", "c"], columns: [.numeric([.nan, .nan]), .categorical(["a", "b"])])
        #expect(throws: TrackingError.self) { try DriftMonitor.compare(reference: reference, current: empty) }
    }
}

import Datasets
import Foundation
import Plot

/// The drift of one column between a reference and a current sample, decided as Evidently's
/// `DataDriftPreset` decides it by default (see ``DriftMonitor``), with data-quality counts beside.
public struct ColumnDrift: Sendable, Equatable {
    public enum Kind: String, Sendable { case numerical, categorical }
    /// The column's name.
    public let column: String
    /// Numerical when both samples read the column as numbers, else categorical.
    public let kind: Kind
    /// Evidently's name of the test: `ks`, `chisquare`, `z`, `wasserstein`, `jensenshannon`.
    public let test: String
    /// The test's statistic (K-S D, χ², z, normed Wasserstein distance, Jensen–Shannon distance).
    public let statistic: Double
    /// The p-value, for the K-S, χ² and Z tests.
    public let pValue: Double?
    /// What Evidently compares with the threshold: the p-value, else the distance.
    public var score: Double { pValue ?? statistic }
    /// Evidently's default threshold for the test (0.05 for p-values, 0.1 for distances).
    public let threshold: Double
    /// Whether the column drifted: p ≤ threshold for K-S, p < threshold for χ² and Z, distance ≥ threshold.
    public let drift: Bool
    /// Population stability index over the same bins (Evidently's `psi`; ≥ 0.1 is drift there).
    public let psi: Double
    /// Values compared on each side (missing and infinite values left out).
    public let referenceCount: Int
    public let currentCount: Int
    /// Missing or infinite values on each side.
    public let referenceMissing: Int
    public let currentMissing: Int
    /// Numerical: current values outside the reference's [min, max]. Categorical: current values
    /// of categories the reference never had.
    public let outOfReference: Int
    /// Categorical: the current values the reference never had, sorted.
    public let newCategories: [String]
}

/// A whole comparison: each column, and whether the data set drifted (Evidently's rule: at least
/// `driftShare` of the columns drifted).
public struct DriftReport: Sendable {
    /// Each compared column, in the order asked for.
    public let columns: [ColumnDrift]
    /// The share of drifted columns at which the data set counts as drifted.
    public let driftShare: Double
    /// How many columns drifted.
    public var driftedColumns: Int { columns.filter(\.drift).count }
    /// Drifted columns over all columns.
    public var shareOfDriftedColumns: Double { columns.isEmpty ? 0 : Double(driftedColumns) / Double(columns.count) }
    /// Whether at least `driftShare` of the columns drifted.
    public var datasetDrift: Bool { !columns.isEmpty && shareOfDriftedColumns >= driftShare }
}

/// Data drift as Evidently 0.7 (`evidently.legacy` stattests) detects it by default, column by
/// column, after dropping missing and infinite values:
///
/// | column | reference ≤ 1000 rows | reference > 1000 rows |
/// |---|---|---|
/// | numerical, > 5 distinct values | K-S p-value ≤ 0.05 | normed Wasserstein distance ≥ 0.1 |
/// | numerical ≤ 5, or categorical | χ² p-value < 0.05 (> 2 values) or Z-test p-value < 0.05 (≤ 2) | Jensen–Shannon distance ≥ 0.1 |
///
/// (distinct values counted over both samples; the Wasserstein distance is divided by the
/// reference's standard deviation, at least 0.001; χ² compares current counts with the
/// reference's shares; Jensen–Shannon bins numerical columns with more than 20 reference values
/// by NumPy's Sturges edges over both samples, else by value).
public enum DriftMonitor {
    /// Compares `columns` (default: every column of the reference) of the two tables.
    /// - Throws: `TrackingError` (INVALID_PARAMETER_VALUE) for a column missing from either table
    ///   or one with no values on a side.
    public static func compare(reference: CSVTable, current: CSVTable, columns wanted: [String]? = nil,
                               driftShare: Double = 0.5) throws -> DriftReport {
        let names = wanted ?? reference.header
        guard !names.isEmpty else { throw TrackingError.invalid("there are no columns to compare") }
        var out: [ColumnDrift] = []
        for name in names {
            guard let r = reference.header.firstIndex(of: name) else { throw TrackingError.invalid("the reference has no column '\(name)'") }
            guard let c = current.header.firstIndex(of: name) else { throw TrackingError.invalid("the current data has no column '\(name)'") }
            out.append(try column(name, reference.columns[r], current.columns[c]))
        }
        return DriftReport(columns: out, driftShare: driftShare)
    }

    /// One column: numbers stay numbers only when both samples read them as numbers.
    public static func column(_ name: String, _ reference: CSVColumn, _ current: CSVColumn) throws -> ColumnDrift {
        switch (reference, current) {
        case (.numeric(let r), .numeric(let c)):
            let rv = r.filter(\.isFinite), cv = c.filter(\.isFinite)
            try requireValues(name, rv.count, cv.count)
            return numerical(name, rv, cv, missing: (r.count - rv.count, c.count - cv.count))
        default:
            let r = strings(reference), c = strings(current)
            let rv = r.compactMap { $0 }, cv = c.compactMap { $0 }
            try requireValues(name, rv.count, cv.count)
            return categorical(name, rv, cv, missing: (r.count - rv.count, c.count - cv.count))
        }
    }

    static func requireValues(_ name: String, _ r: Int, _ c: Int) throws {
        guard r > 0, c > 0 else { throw TrackingError.invalid("column '\(name)' has no values in the \(r == 0 ? "reference" : "current") data") }
    }

    static func strings(_ column: CSVColumn) -> [String?] {
        switch column {
        case .categorical(let v): return v
        case .numeric(let v): return v.map { $0.isFinite ? text($0) : nil }
        }
    }

    /// A number as pandas would show it as a category (integers without ".0").
    static func text(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)" }

    static func numerical(_ name: String, _ r: [Double], _ c: [Double], missing: (Int, Int)) -> ColumnDrift {
        let distinct = Set(r + c).count
        let (lo, hi) = (r.min()!, r.max()!)
        let outside = c.filter { $0 < lo || $0 > hi }.count
        let referenceDistinct = Set(r).count
        let psiValue = psi(histogramShares(r, c, referenceDistinct: referenceDistinct, fillZeroes: true))
        if distinct <= 5 {
            // Few values: tested as categories, over the values' text.
            let base = categorical(name, r.map(text), c.map(text), missing: missing)
            return ColumnDrift(column: name, kind: .numerical, test: base.test, statistic: base.statistic, pValue: base.pValue,
                               threshold: base.threshold, drift: base.drift, psi: psiValue, referenceCount: r.count, currentCount: c.count,
                               referenceMissing: missing.0, currentMissing: missing.1, outOfReference: outside, newCategories: [])
        }
        if r.count <= 1000 {
            let (d, p) = DriftStatistics.ks2Sample(r, c)
            return ColumnDrift(column: name, kind: .numerical, test: "ks", statistic: d, pValue: p, threshold: 0.05, drift: p <= 0.05,
                               psi: psiValue, referenceCount: r.count, currentCount: c.count, referenceMissing: missing.0,
                               currentMissing: missing.1, outOfReference: outside, newCategories: [])
        }
        let mean = r.reduce(0, +) / Double(r.count)
        let sd = (r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(r.count)).squareRoot()
        let w = DriftStatistics.wasserstein(r, c) / max(sd, 0.001)
        return ColumnDrift(column: name, kind: .numerical, test: "wasserstein", statistic: w, pValue: nil, threshold: 0.1, drift: w >= 0.1,
                           psi: psiValue, referenceCount: r.count, currentCount: c.count, referenceMissing: missing.0,
                           currentMissing: missing.1, outOfReference: outside, newCategories: [])
    }

    static func categorical(_ name: String, _ r: [String], _ c: [String], missing: (Int, Int)) -> ColumnDrift {
        let keys = Array(Set(r).union(c)).sorted()
        let known = Set(r)
        let fresh = Array(Set(c).subtracting(known)).sorted()
        let outside = c.filter { !known.contains($0) }.count
        let (rc, cc) = (counts(r, keys), counts(c, keys))
        let psiValue = psi(shares(rc, cc, r.count, c.count, fillZeroes: true))
        func result(_ test: String, _ statistic: Double, _ p: Double?, _ threshold: Double, _ drift: Bool) -> ColumnDrift {
            ColumnDrift(column: name, kind: .categorical, test: test, statistic: statistic, pValue: p, threshold: threshold, drift: drift,
                        psi: psiValue, referenceCount: r.count, currentCount: c.count, referenceMissing: missing.0,
                        currentMissing: missing.1, outOfReference: outside, newCategories: fresh)
        }
        if r.count > 1000 {
            let (p, q) = shares(rc, cc, r.count, c.count, fillZeroes: false)
            let js = DriftStatistics.jensenShannon(p, q)
            return result("jensenshannon", js, nil, 0.1, js >= 0.1)
        }
        if keys.count > 2 {
            let scale = Double(c.count) / Double(r.count)
            let (x2, p) = DriftStatistics.chiSquareGoodnessOfFit(observed: cc, expected: rc.map { $0 * scale })
            return result("chisquare", x2, p, 0.05, p < 0.05)
        }
        if keys.count == 1 { return result("z", 0, 1, 0.05, false) }  // one value on both sides
        // Z-test on the share of everything but the first (sorted) value, as Evidently codes it.
        let (z, p) = DriftStatistics.proportionZTest(referenceHits: r.count - Int(rc[0]), referenceCount: r.count,
                                                     currentHits: c.count - Int(cc[0]), currentCount: c.count)
        return result("z", z, p, 0.05, p < 0.05)
    }

    static func counts(_ values: [String], _ keys: [String]) -> [Double] {
        var index: [String: Int] = [:]
        for (i, k) in keys.enumerated() { index[k] = i }
        var out = [Double](repeating: 0, count: keys.count)
        for v in values { out[index[v]!] += 1 }
        return out
    }

    /// Shares per bin; with `fillZeroes`, empty bins get Evidently's small value (1e-4, or the
    /// smallest share / 1e6 when that is ≤ 1e-4) so logarithms stay finite.
    static func shares(_ rc: [Double], _ cc: [Double], _ rn: Int, _ cn: Int, fillZeroes: Bool) -> ([Double], [Double]) {
        var p = rc.map { $0 / Double(rn) }, q = cc.map { $0 / Double(cn) }
        if fillZeroes {
            for k in 0..<2 {
                var v = k == 0 ? p : q
                if let smallest = v.filter({ $0 != 0 }).min() {
                    let fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001
                    v = v.map { $0 == 0 ? fill : $0 }
                }
                if k == 0 { p = v } else { q = v }
            }
        }
        return (p, q)
    }

    /// Evidently's `get_binned_data` for a numerical column: Sturges bins over both samples when
    /// the reference has more than 20 values, else one bin per value.
    static func histogramShares(_ r: [Double], _ c: [Double], referenceDistinct: Int, fillZeroes: Bool) -> ([Double], [Double]) {
        if referenceDistinct > 20 {
            let all = r + c
            let bins = Int((Foundation.log2(Double(all.count)) + 1).rounded(.up))
            let lo = all.min()!, hi = all.max()!
            return shares(histogram(r, lo, hi, bins), histogram(c, lo, hi, bins), r.count, c.count, fillZeroes: fillZeroes)
        }
        let keys = Array(Set(r).union(c)).sorted()
        var index: [Double: Int] = [:]
        for (i, k) in keys.enumerated() { index[k] = i }
        var rc = [Double](repeating: 0, count: keys.count), cc = rc
        for v in r { rc[index[v]!] += 1 }
        for v in c { cc[index[v]!] += 1 }
        return shares(rc, cc, r.count, c.count, fillZeroes: fillZeroes)
    }

    /// `np.histogram(values, np.linspace(lo, hi, bins + 1))`: equal bins, the last one closed.
    static func histogram(_ values: [Double], _ lo: Double, _ hi: Double, _ bins: Int) -> [Double] {
        var out = [Double](repeating: 0, count: bins)
        guard hi > lo else { out[0] = Double(values.count); return out }
        let step = (hi - lo) / Double(bins)
        var edges = (0...bins).map { lo + Double($0) * step }  // np.linspace: start + i·step, the end exact
        edges[bins] = hi
        let norm = Double(bins) / (hi - lo)
        for v in values where v >= lo && v <= hi {
            var k = Int((v - lo) * norm)
            if k == bins { k -= 1 }
            if v < edges[k] { k -= 1 } else if k != bins - 1, v >= edges[k + 1] { k += 1 }
            out[k] += 1
        }
        return out
    }

    /// Σ (r − c) · ln(r / c) over the bins.
    static func psi(_ pq: ([Double], [Double])) -> Double {
        zip(pq.0, pq.1).reduce(0) { $0 + ($1.0 - $1.1) * Foundation.log($1.0 / $1.1) }
    }
}

extension DriftReport {
    /// The report as a self-contained HTML page (`swiftlearn monitor --report`): the verdict, then
    /// one table row per column (test, statistic, p-value, threshold, result, PSI, quality counts).
    public func html(reference: String, current: String) -> String {
        let r = self
        let rows = r.columns.map { c -> String in
            let p = c.pValue.map { String(format: "%.4g", $0) } ?? "–"
            return "<tr class=\"\(c.drift ? "drift" : "ok")\"><td>\(xmlEscaped(c.column))</td><td>\(c.kind.rawValue)</td><td>\(c.test)</td><td>\(String(format: "%.4g", c.statistic))</td><td>\(p)</td><td>\(c.threshold)</td><td>\(c.drift ? "drift" : "no drift")</td><td>\(String(format: "%.3f", c.psi))</td><td>\(c.referenceMissing) / \(c.currentMissing)</td><td>\(c.outOfReference)\(c.newCategories.isEmpty ? "" : " (" + xmlEscaped(c.newCategories.joined(separator: ", ")) + ")")</td></tr>"
        }.joined(separator: "\n")
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Data drift report</title>
        <style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}
        tr.drift td{background:#fde2e1}.summary{font-size:1.2em;margin:1em 0}</style></head><body>
        <h1>Data drift report</h1>
        <p>reference: <code>\(xmlEscaped(reference))</code> · current: <code>\(xmlEscaped(current))</code></p>
        <p class="summary">\(r.driftedColumns) of \(r.columns.count) columns drifted (\(String(format: "%.1f", r.shareOfDriftedColumns * 100))%): <strong>\(r.datasetDrift ? "dataset drift" : "no dataset drift")</strong> at a drift share of \(r.driftShare)</p>
        <table><thead><tr><th>column</th><th>type</th><th>test</th><th>statistic</th><th>p-value</th><th>threshold</th><th>result</th><th>PSI</th><th>missing ref/cur</th><th>out of reference</th></tr></thead>
        <tbody>
        \(rows)
        </tbody></table>
        <p>Tests chosen as Evidently's DataDriftPreset chooses them by default (swiftlearn monitor).</p>
        </body></html>
        """
    }
}

import Foundation

/// Helpers shared by the preprocessing transformers (internal, prefixed to avoid clashes).
enum PrepSupport {
    /// Per-column statistics over the non-NaN entries: count, mean, population variance.
    /// Two passes (mean, then centred squares with the compensation term of scikit-learn's
    /// `_incremental_mean_and_var`), so constant columns give a variance of exactly 0.
    static func nanMeanVar(_ x: Matrix) -> (count: [Double], mean: [Double], variance: [Double]) {
        let r = x.rows, c = x.columns
        var n = [Double](repeating: 0, count: c), s = n
        x.values.withUnsafeBufferPointer { p in
            for i in 0..<r { for j in 0..<c { let v = p[i * c + j]; if !v.isNaN { n[j] += 1; s[j] += v } } }
        }
        let mean = (0..<c).map { n[$0] > 0 ? s[$0] / n[$0] : .nan }
        var sq = [Double](repeating: 0, count: c), corr = sq
        x.values.withUnsafeBufferPointer { p in
            for i in 0..<r { for j in 0..<c { let v = p[i * c + j]; if !v.isNaN { let d = v - mean[j]; sq[j] += d * d; corr[j] += d } } }
        }
        let variance = (0..<c).map { n[$0] > 0 ? (sq[$0] - corr[$0] * corr[$0] / n[$0]) / n[$0] : .nan }
        return (n, mean, variance)
    }

    /// The non-NaN values of column `j`, sorted.
    static func sortedColumn(_ x: Matrix, _ j: Int) -> [Double] {
        var v = [Double]()
        v.reserveCapacity(x.rows)
        for i in 0..<x.rows { let e = x[i, j]; if !e.isNaN { v.append(e) } }
        v.sort()
        return v
    }

    /// The q-th percentile (0…100) of sorted values with linear interpolation (NumPy's default
    /// `method="linear"`): position q/100·(n − 1) between neighbours.
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let pos = q / 100 * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        let frac = pos - Double(lo)
        // NumPy's _lerp form, exact at the end points.
        let a = sorted[lo], b = sorted[hi], d = b - a
        return frac >= 0.5 ? b - d * (1 - frac) : a + d * frac
    }

    /// Scales that would divide by (almost) zero become 1 (scikit-learn's `_handle_zeros_in_scale`).
    static func handleZeros(_ scale: [Double], constant: [Bool]? = nil) -> [Double] {
        scale.enumerated().map { j, s in (constant?[j] ?? (s < 10 * Double.ulpOfOne)) ? 1 : s }
    }

    /// Applies `f(value, column)` to every element, keeping NaN.
    static func mapColumns(_ x: Matrix, _ f: (Double, Int) -> Double) -> Matrix {
        var out = x
        let c = x.columns
        out.values.withUnsafeMutableBufferPointer { p in
            for i in 0..<x.rows { for j in 0..<c { p[i * c + j] = f(p[i * c + j], j) } }
        }
        return out
    }

    /// Inverse of the standard normal CDF (probit): Acklam's rational approximation refined by
    /// one Halley step on erfc, accurate to about 1e-15.
    static func normalQuantile(_ p: Double) -> Double {
        if p <= 0 { return -.infinity }
        if p >= 1 { return .infinity }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let q = (-2 * Foundation.log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p > 1 - 0.02425 {
            let q = (-2 * Foundation.log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        for _ in 0..<2 {
            let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
            let u = e * (2 * Double.pi).squareRoot() * Foundation.exp(x * x / 2)
            x -= u / (1 + x * u / 2)
        }
        return x
    }
}

/// A hashable key for a category value: NaN is one category, −0 equals 0.
struct PrepCategoryKey: Hashable {
    let bits: UInt64
    init(_ v: Double) { bits = v.isNaN ? Double.nan.bitPattern : (v + 0.0).bitPattern }
}

/// Sorted distinct values of column `j` with NaN last (NumPy's `np.unique`).
func prepCategories(_ x: Matrix, _ j: Int) -> [Double] {
    var seen = Set<PrepCategoryKey>(), out = [Double](), hasNaN = false
    for i in 0..<x.rows {
        let v = x[i, j]
        if v.isNaN { hasNaN = true; continue }
        if seen.insert(PrepCategoryKey(v)).inserted { out.append(v + 0.0) }
    }
    out.sort()
    if hasNaN { out.append(.nan) }
    return out
}

/// Python's `str(float)` for category names (`1.0`, `2.5`, `nan`, `1e-05`).
func prepPythonFloat(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    if v == v.rounded() && abs(v) < 1e16 { return String(format: "%.1f", v) }
    return "\(v)"
}

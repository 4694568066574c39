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

    /// The non-NaN values of column `j` (unordered).
    static func columnValues(_ x: Matrix, _ j: Int) -> [Double] {
        var v = [Double]()
        v.reserveCapacity(x.rows)
        x.values.withUnsafeBufferPointer { p in
            for i in 0..<x.rows { let e = p[i * x.columns + j]; if !e.isNaN { v.append(e) } }
        }
        return v
    }

    /// Rearranges `a[lo..<hi]` so that `a[k]` holds the value of rank k: smaller-or-equal values
    /// before it, larger-or-equal after (quickselect, Hoare partition, median-of-three pivot;
    /// O(n) on average — NumPy's `partition` does the same job).
    static func select(_ a: inout [Double], _ k: Int, _ lo0: Int, _ hi0: Int) {
        a.withUnsafeMutableBufferPointer { p in
            var lo = lo0, hi = hi0 - 1
            while hi > lo {
                let mid = lo + (hi - lo) / 2
                if p[mid] < p[lo] { p.swapAt(mid, lo) }
                if p[hi] < p[lo] { p.swapAt(hi, lo) }
                if p[hi] < p[mid] { p.swapAt(hi, mid) }
                let pivot = p[mid]
                var i = lo, j = hi
                while i <= j {
                    while p[i] < pivot { i += 1 }
                    while p[j] > pivot { j -= 1 }
                    if i <= j { p.swapAt(i, j); i += 1; j -= 1 }
                }
                if k <= j { hi = j } else if k >= i { lo = i } else { return }
            }
        }
    }

    /// The q-th percentiles (0…100) of `values` with linear interpolation (NumPy's default
    /// `method="linear"`): position q/100·(n − 1) between the two neighbouring order statistics,
    /// found by selection rather than a full sort. NaN for no values.
    static func percentiles(_ values: [Double], _ qs: [Double]) -> [Double] {
        var a = values
        let n = a.count
        guard n > 0 else { return qs.map { _ in .nan } }
        return qs.map { q in
            let pos = q / 100 * Double(n - 1)
            let lo = Int(pos.rounded(.down))
            select(&a, lo, 0, n)
            let va = a[lo]
            var vb = va
            if lo + 1 < n { select(&a, lo + 1, lo + 1, n); vb = a[lo + 1] }
            // NumPy's _lerp form, exact at the end points.
            let frac = pos - Double(lo), d = vb - va
            return frac >= 0.5 ? vb - d * (1 - frac) : va + d * frac
        }
    }

    /// Scales that would divide by (almost) zero become 1 (scikit-learn's `_handle_zeros_in_scale`).
    static func handleZeros(_ scale: [Double], constant: [Bool]? = nil) -> [Double] {
        scale.enumerated().map { j, s in (constant?[j] ?? (s < 10 * Double.ulpOfOne)) ? 1 : s }
    }

    /// Applies `f(value, column)` to every element (NaN flows through `f`). Inlined so the
    /// closure is specialized into the loop.
    @inline(__always)
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

/// Sorted distinct values of column `j` with NaN last (NumPy's `np.unique`; −0 counts as 0).
///
/// Category columns have few distinct values, so each value is looked up by binary search in
/// the sorted list found so far and inserted when new (about log k comparisons per entry); past
/// 256 distinct values it falls back to sorting the whole column and dropping repeats.
func prepCategories(_ x: Matrix, _ j: Int) -> [Double] {
    var found = [Double](), hasNaN = false, overflow = false
    x.values.withUnsafeBufferPointer { p in
        for i in 0..<x.rows {
            let v = p[i * x.columns + j] + 0.0
            if v.isNaN { hasNaN = true; continue }
            var lo = 0, hi = found.count
            while lo < hi { let m = (lo + hi) / 2; if found[m] < v { lo = m + 1 } else { hi = m } }
            if lo < found.count && found[lo] == v { continue }
            if found.count == 256 { overflow = true; break }
            found.insert(v, at: lo)
        }
    }
    if overflow {
        var v = PrepSupport.columnValues(x, j)
        hasNaN = v.count < x.rows
        v.sort()
        found = []
        for e in v where found.last != e { found.append(e + 0.0) }
    }
    if hasNaN { found.append(.nan) }
    return found
}

/// Python's `str(float)` for category names (`1.0`, `2.5`, `nan`, `1e-05`).
func prepPythonFloat(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    if v == v.rounded() && abs(v) < 1e16 { return String(format: "%.1f", v) }
    return "\(v)"
}

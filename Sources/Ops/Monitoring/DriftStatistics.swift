import Foundation
import Learn

/// The two-sample statistics drift monitoring uses, each computed as SciPy computes it (checked
/// against SciPy to 1e-10 by `scripts/fixtures/make_drift_fixtures.py`).
public enum DriftStatistics {
    /// `scipy.stats.ks_2samp(x, y)` (two-sided, `method='auto'`): the largest gap between the two
    /// empirical CDFs, and its p-value — exact (Hodges' lattice-path count, in Viehmann's
    /// numerically stable 1 − p form) when both samples have at most 10,000 values and that sum is
    /// a probability; otherwise 1 where SciPy's `kstwo` is certainly 1, else the Kolmogorov limit
    /// distribution at √(n·m/(n+m))·D (SciPy uses the finite-n `kstwo` there, so those p-values
    /// differ from SciPy's in the third digit or so).
    public static func ks2Sample(_ x: [Double], _ y: [Double]) -> (statistic: Double, pValue: Double) {
        precondition(!x.isEmpty && !y.isEmpty, "ks2Sample needs two non-empty samples")
        let a = x.sorted(), b = y.sorted()
        let n1 = a.count, n2 = b.count
        // Walk both sorted samples: at every distinct value the CDF difference after all its copies.
        var i = 0, j = 0, d = 0.0
        while i < n1 || j < n2 {
            let v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j]
            while i < n1, a[i] <= v { i += 1 }
            while j < n2, b[j] <= v { j += 1 }
            d = Swift.max(d, abs(Double(i) / Double(n1) - Double(j) / Double(n2)))
        }
        let g = gcd(n1, n2)
        if Swift.max(n1, n2) <= 10_000, let (dExact, p) = exactKSProbability(n1, n2, g: g, d: d) {
            return (dExact, p)
        }
        // SciPy's fallback, `kstwo.sf(d, round(en))`: certainly 1 when d ≤ 1/(2n) (the smallest
        // possible D of n points); otherwise the Kolmogorov limit stands in for kstwo.
        let en = Double(n1) * Double(n2) / Double(n1 + n2)
        let rounded = en.rounded(.toNearestOrEven)
        if d <= 1 / (2 * rounded) { return (d, 1) }
        return (d, kolmogorovSurvival(en.squareRoot() * d))
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// The exact two-sided p-value, or nil when it cannot be computed in floating point.
    static func exactKSProbability(_ n1: Int, _ n2: Int, g: Int, d: Double) -> (Double, Double)? {
        let lcm = Double((n1 / g) * n2)
        let h = Int((d * lcm).rounded(.toNearestOrEven))
        let dRounded = Double(h) / lcm
        if h == 0 { return (dRounded, 1) }
        let p = n1 == n2 ? probabilityOutsideSquare(n1, h) : probabilityOutsideBand(n1, n2, g: g, h: h)
        guard p.isFinite, p >= 0, p <= 1 else { return nil }
        return (dRounded, p)
    }

    /// For equal sizes n: the share of lattice paths that leave the band |x − y| < h,
    /// 2 Σ_k (−1)^(k+1) C(2n, n−kh)/C(2n, n), summed from the smallest term.
    static func probabilityOutsideSquare(_ n: Int, _ h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var term = 1.0
            for j in 0..<h { term = Double(n - k * h - j) * term / Double(n + k * h + j + 1) }
            p = term * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// For sizes m ≠ n: 1 − (share of paths from (0,0) to (m,n) that stay strictly inside
    /// |n·x − m·y| < h·g), carried as the complement column by column (only a sliding window of
    /// one column is kept).
    static func probabilityOutsideBand(_ n1: Int, _ n2: Int, g: Int, h: Int) -> Double {
        let m = Swift.max(n1, n2), n = Swift.min(n1, n2)
        let mg = m / g, ng = n / g
        var minJ = 0
        var maxJ = Swift.min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var length = maxJ - minJ
        var column = [Double](repeating: 1, count: Swift.min(2 * maxJ + 2, n + 1))
        for k in minJ..<maxJ { column[k] = 0 }
        for i in 1...m {
            let lastMin = minJ, lastLength = length
            minJ = Swift.min(Swift.max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0), n)
            maxJ = Swift.min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxJ <= minJ { return 1 }
            var value = minJ == 0 ? 0.0 : 1.0
            for jj in 0..<(maxJ - minJ) {
                let j = jj + minJ
                value = (column[jj + minJ - lastMin] * Double(i) + value * Double(j)) / Double(i + j)
                column[jj] = value
            }
            length = maxJ - minJ
            if lastLength > length {
                for k in length..<Swift.min(column.count, length + (lastLength - length)) { column[k] = 1 }
            }
        }
        return column[maxJ - minJ - 1]
    }

    /// Q(t) = 2 Σ (−1)^(k−1) e^(−2k²t²): the Kolmogorov distribution's survival function.
    static func kolmogorovSurvival(_ t: Double) -> Double {
        if t <= 0 { return 1 }
        if t < 0.2 { return 1 }  // the series converges slowly here and the answer is 1 to 1e-16
        var sum = 0.0, sign = 1.0
        for k in 1...200 {
            let term = Foundation.exp(-2 * Double(k * k) * t * t)
            sum += sign * term
            if term < 1e-18 { break }
            sign = -sign
        }
        return Swift.min(1, Swift.max(0, 2 * sum))
    }

    /// `scipy.stats.wasserstein_distance(u, v)`: the area between the two empirical CDFs.
    public static func wasserstein(_ u: [Double], _ v: [Double]) -> Double {
        precondition(!u.isEmpty && !v.isEmpty, "wasserstein needs two non-empty samples")
        let a = u.sorted(), b = v.sorted()
        let all = (a + b).sorted()
        var i = 0, j = 0, total = 0.0
        for k in 0..<(all.count - 1) {
            let x = all[k]
            while i < a.count, a[i] <= x { i += 1 }
            while j < b.count, b[j] <= x { j += 1 }
            total += abs(Double(i) / Double(a.count) - Double(j) / Double(b.count)) * (all[k + 1] - x)
        }
        return total
    }

    /// `scipy.spatial.distance.jensenshannon(p, q)` (natural log): both normalised to sum 1,
    /// √((KL(p‖m) + KL(q‖m)) / 2) with m their mean.
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count && !p.isEmpty, "jensenShannon needs two distributions over the same bins")
        let sp = p.reduce(0, +), sq = q.reduce(0, +)
        var js = 0.0
        for k in 0..<p.count {
            let a = p[k] / sp, b = q[k] / sq, m = (a + b) / 2
            if a > 0 { js += a * Foundation.log(a / m) }
            if b > 0 { js += b * Foundation.log(b / m) }
        }
        return (js / 2).squareRoot()
    }

    /// `scipy.stats.chi2_contingency(table)` with its default Yates correction when there is one
    /// degree of freedom: (statistic, p-value, degrees of freedom).
    public static func chiSquareContingency(_ table: [[Double]]) -> (statistic: Double, pValue: Double, dof: Int) {
        let rows = table.count, cols = table.first?.count ?? 0
        precondition(rows > 0 && cols > 0 && table.allSatisfy { $0.count == cols }, "chiSquareContingency needs a rectangular table")
        let rowSums = table.map { $0.reduce(0, +) }
        let colSums = (0..<cols).map { c in table.reduce(0) { $0 + $1[c] } }
        let total = rowSums.reduce(0, +)
        let dof = (rows - 1) * (cols - 1)
        if dof == 0 { return (0, 1, 0) }
        var statistic = 0.0
        for r in 0..<rows {
            for c in 0..<cols {
                let expected = rowSums[r] * colSums[c] / total
                var observed = table[r][c]
                if dof == 1 {
                    let gap = expected - observed
                    observed += Swift.min(0.5, abs(gap)) * (gap > 0 ? 1 : gap < 0 ? -1 : 0)
                }
                statistic += (observed - expected) * (observed - expected) / expected
            }
        }
        return (statistic, chiSquareSurvival(statistic, dof: Double(dof)), dof)
    }

    /// `scipy.stats.chisquare(observed, expected)`: goodness of fit with k − 1 degrees of freedom.
    public static func chiSquareGoodnessOfFit(observed: [Double], expected: [Double]) -> (statistic: Double, pValue: Double) {
        precondition(observed.count == expected.count && !observed.isEmpty, "chiSquareGoodnessOfFit needs matching counts")
        var statistic = 0.0
        for k in 0..<observed.count { statistic += (observed[k] - expected[k]) * (observed[k] - expected[k]) / expected[k] }
        return (statistic, chiSquareSurvival(statistic, dof: Double(observed.count - 1)))
    }

    /// P(χ²_dof > x).
    public static func chiSquareSurvival(_ x: Double, dof: Double) -> Double {
        guard dof > 0 else { return .nan }
        return SpecialFunctions.regularizedGammaQ(dof / 2, x / 2)
    }

    /// Evidently's two-proportion Z-test: z for the share of `first` in each sample, and the
    /// two-sided p-value 2·(1 − Φ(|z|)).
    public static func proportionZTest(referenceHits: Int, referenceCount: Int, currentHits: Int, currentCount: Int) -> (statistic: Double, pValue: Double) {
        let n1 = Double(referenceCount), n2 = Double(currentCount)
        let p1 = Double(referenceHits) / n1, p2 = Double(currentHits) / n2
        let pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        let phi = 0.5 * erfc(-abs(z) / 2.0.squareRoot())
        return (z, 2 * (1 - phi))
    }
}

import Foundation

/// The losses gradient boosting fits, on raw predictions `F` (`n × K`, row-major; K = 1 except
/// for multinomial). `y` holds class indices for the classification losses.
enum BoostingLoss: Codable, Equatable {
    /// Binary log loss on the log-odds: `log(1 + e^F) − y F`.
    case binomial
    /// Multinomial log loss on K scores: `logsumexp(F) − F_y`.
    case multinomial(Int)
    /// `(y − F)²`.
    case squared
    /// `|y − F|`.
    case absolute
    /// Huber with the transition `δ` at the `alpha` quantile of the current absolute residuals.
    case huber(Double)
    /// Pinball loss of the `alpha` quantile.
    case quantile(Double)

    var columns: Int { if case .multinomial(let k) = self { return k }; return 1 }

    /// `log(1 + e^x)` without overflow.
    @inline(__always) static func log1pexp(_ x: Double) -> Double { x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)) }
    @inline(__always) static func sigmoid(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }

    /// Softmax of each row of a `n × k` block, in place.
    static func softmax(_ f: inout [Double], columns k: Int) {
        let n = f.count / k
        for i in 0..<n {
            var m = -Double.infinity
            for c in 0..<k { m = Swift.max(m, f[i * k + c]) }
            var s = 0.0
            for c in 0..<k { let e = exp(f[i * k + c] - m); f[i * k + c] = e; s += e }
            for c in 0..<k { f[i * k + c] /= s }
        }
    }

    /// Smallest value whose cumulative weight reaches `q` of the total (scikit-learn's
    /// `_weighted_percentile`).
    static func weightedPercentile(_ v: [Double], _ w: [Double], _ q: Double) -> Double {
        guard !v.isEmpty else { return 0 }
        let order = v.indices.sorted { v[$0] < v[$1] }
        let total = w.reduce(0, +)
        var acc = 0.0
        for i in order {
            acc += w[i]
            if acc >= q * total { return v[i] }
        }
        return v[order.last!]
    }

    /// NumPy's linearly interpolated percentile (`np.percentile`), `q` in [0, 1].
    static func percentile(_ v: [Double], _ q: Double) -> Double {
        let s = v.sorted()
        guard !s.isEmpty else { return 0 }
        let pos = q * Double(s.count - 1)
        let lo = Int(pos.rounded(.down)), hi = Swift.min(lo + 1, s.count - 1)
        return s[lo] + (pos - Double(lo)) * (s[hi] - s[lo])
    }

    /// The best constant raw prediction (scikit-learn's `fit_intercept_only`).
    func initialRaw(_ y: [Double], _ w: [Double], unweighted: Bool) -> [Double] {
        let total = w.reduce(0, +)
        func median() -> Double { unweighted ? Self.percentile(y, 0.5) : Self.weightedPercentile(y, w, 0.5) }
        switch self {
        case .binomial:
            let p = Swift.min(Swift.max(zip(y, w).map { $0 * $1 }.reduce(0, +) / total, Double.ulpOfOne), 1 - Double.ulpOfOne)
            return [log(p / (1 - p))]
        case .multinomial(let k):
            var p = [Double](repeating: 0, count: k)
            for (c, wi) in zip(y, w) { p[Int(c)] += wi / total }
            let logs = p.map { log(Swift.min(Swift.max($0, Double.ulpOfOne), 1 - Double.ulpOfOne)) }
            let mean = logs.reduce(0, +) / Double(k)
            return logs.map { $0 - mean }
        case .squared: return [zip(y, w).map { $0 * $1 }.reduce(0, +) / total]
        case .absolute: return [median()]
        case .huber:
            let m = median()
            let term = zip(y, w).map { yi, wi in wi * (yi - m).sign.boostingUnit * Swift.min(0.5, abs(yi - m)) }.reduce(0, +) / total
            return [m + term]
        case .quantile(let a): return [unweighted ? Self.percentile(y, a) : Self.weightedPercentile(y, w, a)]
        }
    }

    /// Weighted mean loss over rows with positive weight (what `train_score_` records; squared
    /// error as the mean squared error).
    func loss(_ y: [Double], _ f: [Double], _ w: [Double], delta: Double) -> Double {
        var s = 0.0, tw = 0.0
        let k = columns
        for i in 0..<y.count where w[i] > 0 {
            let l: Double
            switch self {
            case .binomial: l = Self.log1pexp(f[i]) - y[i] * f[i]
            case .multinomial:
                var m = -Double.infinity
                for c in 0..<k { m = Swift.max(m, f[i * k + c]) }
                var e = 0.0
                for c in 0..<k { e += exp(f[i * k + c] - m) }
                l = m + log(e) - f[i * k + Int(y[i])]
            case .squared: l = (y[i] - f[i]) * (y[i] - f[i])
            case .absolute: l = abs(y[i] - f[i])
            case .huber:
                let d = abs(y[i] - f[i])
                l = d <= delta ? 0.5 * d * d : delta * (d - 0.5 * delta)
            case .quantile(let a):
                let d = y[i] - f[i]
                l = d >= 0 ? a * d : (a - 1) * d
            }
            s += w[i] * l; tw += w[i]
        }
        return tw > 0 ? s / tw : 0
    }

    /// Negative gradient of the loss for output column `c` (the pseudo-residuals trees fit).
    func negativeGradient(_ y: [Double], _ f: [Double], column c: Int, probabilities p: [Double]?, delta: Double) -> [Double] {
        let k = columns
        return (0..<y.count).map { i in
            switch self {
            case .binomial: return y[i] - Self.sigmoid(f[i])
            case .multinomial: return (Int(y[i]) == c ? 1 : 0) - p![i * k + c]
            case .squared: return y[i] - f[i]
            case .absolute: return y[i] - f[i] >= 0 ? (y[i] == f[i] ? 0 : 1) : -1
            case .huber:
                let d = y[i] - f[i]
                return abs(d) <= delta ? d : delta * d.sign.boostingUnit
            case .quantile(let a): return y[i] >= f[i] ? a : a - 1
            }
        }
    }

    /// Whether leaves get a loss-specific value after the tree is grown (all but squared error).
    var updatesLeaves: Bool { self != .squared }

    /// The loss-minimizing value of one leaf (a Newton step for the log losses), from its rows'
    /// targets (for multinomial: the 0/1 indicator of the column), raw predictions for the column, pseudo-residuals and weights.
    func leafValue(y: [Double], f: [Double], residual: [Double], w: [Double], delta: Double) -> Double {
        switch self {
        case .binomial, .multinomial:
            var num = 0.0, den = 0.0
            for i in 0..<y.count {
                // The residual is y − p (y: the 0/1 indicator of this column), so p = y − r.
                let p = y[i] - residual[i]
                num += w[i] * residual[i]; den += w[i] * p * (1 - p)
            }
            if case .multinomial(let k) = self { num *= Double(k - 1) / Double(k) }
            return abs(den) < 1e-150 ? 0 : num / den
        case .squared: return 0
        case .absolute: return Self.weightedPercentile(zip(y, f).map { $0 - $1 }, w, 0.5)
        case .huber:
            let d = zip(y, f).map { $0 - $1 }
            let m = Self.weightedPercentile(d, w, 0.5)
            let tw = w.reduce(0, +)
            return m + zip(d, w).map { di, wi in wi * (di - m).sign.boostingUnit * Swift.min(abs(di - m), delta) }.reduce(0, +) / tw
        case .quantile(let a): return Self.weightedPercentile(zip(y, f).map { $0 - $1 }, w, a)
        }
    }
}

extension FloatingPointSign {
    /// +1 or −1.
    var boostingUnit: Double { self == .minus ? -1 : 1 }
}

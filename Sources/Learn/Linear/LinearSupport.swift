import Foundation
import SwiftLearnCore

/// Shared pieces of the linear models: weighted centering (how an unpenalized intercept is fitted),
/// row rescaling by √weight (how sample weights enter a least-squares problem), softmax and
/// log-sum-exp, and the standard input checks.
///
/// Internal: every linear model, the discriminant analysis and naive Bayes use these.
enum LinearSupport {
    /// A least-squares problem after centering: `x − x̄` and `y − ȳ` (weighted means when weights
    /// are given), rows then multiplied by `√w`.
    ///
    /// Fitting `w` on the centered problem and setting `b = ȳ − x̄·w` gives exactly the intercept
    /// that minimizes the (weighted) squared error, with the intercept left out of any penalty.
    struct Centered {
        var x: Matrix
        var y: [Double]
        var xMean: [Double]
        var yMean: Double
    }

    /// Centers (when `fitIntercept`) and rescales by `√sampleWeight` (when given).
    static func center(_ x: Matrix, _ y: [Double], sampleWeight: [Double]?, fitIntercept: Bool) -> Centered {
        let n = x.rows, p = x.columns
        var xMean = [Double](repeating: 0, count: p)
        var yMean = 0.0
        if fitIntercept {
            let w = sampleWeight ?? [Double](repeating: 1, count: n)
            let total = w.reduce(0, +)
            x.values.withUnsafeBufferPointer { xv in
                for i in 0..<n where w[i] != 0 {
                    let wi = w[i]
                    for j in 0..<p { xMean[j] += wi * xv[i * p + j] }
                    yMean += wi * y[i]
                }
            }
            for j in 0..<p { xMean[j] /= total }
            yMean /= total
        }
        var xv = x.values
        var yv = y
        xv.withUnsafeMutableBufferPointer { buf in
            for i in 0..<n {
                let s = sampleWeight.map { $0[i].squareRoot() } ?? 1
                for j in 0..<p { buf[i * p + j] = (buf[i * p + j] - xMean[j]) * s }
                yv[i] = (yv[i] - yMean) * s
            }
        }
        return Centered(x: Matrix(rows: n, columns: p, values: xv), y: yv, xMean: xMean, yMean: yMean)
    }

    /// `ȳ − x̄·w`, the intercept that goes with coefficients fitted on centered data.
    static func intercept(_ c: Centered, coef: [Double]) -> Double {
        var s = c.yMean
        for j in 0..<coef.count { s -= c.xMean[j] * coef[j] }
        return s
    }

    /// `x·w + b` for every row.
    static func linearPredict(_ x: Matrix, coef: [Double], intercept: Double) -> [Double] {
        var out = x.dot(coef)
        for i in 0..<out.count { out[i] += intercept }
        return out
    }

    /// `predict` of a fitted linear regressor: throws when unfitted or on a wrong feature count,
    /// else `x·coef + intercept`.
    static func predictRegression(_ x: Matrix, coef: [Double], intercept: Double, model: String, caller: String) throws -> [Double] {
        guard !coef.isEmpty else { throw LearnError.notFitted(model) }
        try Check.featureCount(x, expected: coef.count, caller)
        return linearPredict(x, coef: coef, intercept: intercept)
    }

    /// `x · Wᵀ + b` for a coefficient matrix `W` (one row per output): the decision values.
    static func decision(_ x: Matrix, coef: Matrix, intercept: [Double]) -> Matrix {
        var d = Matrix.product(x, coef, transposeB: true)
        let k = coef.rows
        d.values.withUnsafeMutableBufferPointer { buf in
            for i in 0..<x.rows { for c in 0..<k { buf[i * k + c] += intercept[c] } }
        }
        return d
    }

    /// Log of Σ exp(v) without overflow (``logSumExp``, shared through SwiftLearnCore).
    @inline(__always)
    static func logSumExp(_ v: UnsafeBufferPointer<Double>) -> Double { SwiftLearnCore.logSumExp(v) }

    /// Row-wise softmax in place: each row minus its log-sum-exp (log-probabilities), then
    /// exponentiated unless `log` is true.
    static func softmaxRows(_ m: inout Matrix, log: Bool = false) {
        let k = m.columns
        m.values.withUnsafeMutableBufferPointer { buf in
            for i in 0..<m.rows {
                let row = UnsafeMutableBufferPointer(rebasing: buf[(i * k)..<((i + 1) * k)])
                let lse = logSumExp(UnsafeBufferPointer(row))
                for c in 0..<k { row[c] = log ? row[c] - lse : Foundation.exp(row[c] - lse) }
            }
        }
    }

    /// Row-wise log-softmax in place: log-probabilities from joint log-likelihoods.
    static func logSoftmaxRows(_ m: inout Matrix) { softmaxRows(&m, log: true) }

    /// The logistic function 1/(1+e^(−z)), computed without overflow for either sign.
    @inline(__always)
    static func sigmoid(_ z: Double) -> Double {
        if z >= 0 { return 1 / (1 + Foundation.exp(-z)) }
        let e = Foundation.exp(z)
        return e / (1 + e)
    }

    /// log(1 + e^z) without overflow.
    @inline(__always)
    static func log1pExp(_ z: Double) -> Double {
        z > 0 ? z + Foundation.log1p(Foundation.exp(-z)) : Foundation.log1p(Foundation.exp(z))
    }

    /// Two-class probabilities `[1 − σ(d), σ(d)]` from one decision column, else a softmax.
    static func probabilities(fromDecision d: Matrix) -> Matrix {
        if d.columns == 1 {
            var out = Matrix(rows: d.rows, columns: 2)
            for i in 0..<d.rows { let p = sigmoid(d.values[i]); out[i, 0] = 1 - p; out[i, 1] = p }
            return out
        }
        var p = d
        softmaxRows(&p)
        return p
    }

    /// Index of the largest value in each row (first wins ties, as NumPy's `argmax`); a single
    /// column means "positive when > 0".
    static func argmaxRows(_ d: Matrix) -> [Int] {
        if d.columns == 1 { return d.values.map { $0 > 0 ? 1 : 0 } }
        var out = [Int](repeating: 0, count: d.rows)
        let k = d.columns
        for i in 0..<d.rows {
            var best = 0
            for c in 1..<k where d.values[i * k + c] > d.values[i * k + best] { best = c }
            out[i] = best
        }
        return out
    }

    /// Regression input checks: finite `x`, matching finite `y`, valid weights.
    static func checkRegression(_ x: Matrix, _ y: [Double], _ sampleWeight: [Double]?, _ caller: String) throws {
        try Check.targets(x, y, caller)
        try Check.sampleWeights(sampleWeight, rows: x.rows, caller)
    }

    /// |coef| summed over the rows of a coefficient matrix (one number per feature).
    static func importances(_ coef: Matrix) -> [Double] {
        var out = [Double](repeating: 0, count: coef.columns)
        for r in 0..<coef.rows { for j in 0..<coef.columns { out[j] += abs(coef[r, j]) } }
        return out
    }

    /// Dot product of two equal-length buffers (``simdDot``, shared through SwiftLearnCore).
    @inline(__always)
    static func dot(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double { simdDot(a, b) }
}

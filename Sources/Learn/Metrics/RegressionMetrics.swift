import Foundation

extension Metrics {
    static func checkRegression(_ yTrue: [Double], _ yPred: [Double], _ w: [Double]?, _ caller: String) throws {
        try checkPair(yTrue.count, yPred.count, caller)
        try checkFinite(yTrue, caller, "yTrue")
        try checkFinite(yPred, caller, "yPred")
        try checkWeights(w, yTrue.count, caller)
    }

    /// Mean squared error (1/n) Σ (y − ŷ)² (`mean_squared_error`).
    public static func meanSquaredError(_ yTrue: [Double], _ yPred: [Double], sampleWeight: [Double]? = nil) throws -> Double {
        try checkRegression(yTrue, yPred, sampleWeight, "meanSquaredError")
        return weightedMean(zip(yTrue, yPred).map { ($0 - $1) * ($0 - $1) }, sampleWeight)
    }

    /// √MSE (`root_mean_squared_error`).
    public static func rootMeanSquaredError(_ yTrue: [Double], _ yPred: [Double], sampleWeight: [Double]? = nil) throws -> Double {
        try meanSquaredError(yTrue, yPred, sampleWeight: sampleWeight).squareRoot()
    }

    /// Mean absolute error (1/n) Σ |y − ŷ| (`mean_absolute_error`).
    public static func meanAbsoluteError(_ yTrue: [Double], _ yPred: [Double], sampleWeight: [Double]? = nil) throws -> Double {
        try checkRegression(yTrue, yPred, sampleWeight, "meanAbsoluteError")
        return weightedMean(zip(yTrue, yPred).map { abs($0 - $1) }, sampleWeight)
    }

    /// Median of |y − ŷ| (`median_absolute_error`, unweighted).
    public static func medianAbsoluteError(_ yTrue: [Double], _ yPred: [Double]) throws -> Double {
        try checkRegression(yTrue, yPred, nil, "medianAbsoluteError")
        let e = zip(yTrue, yPred).map { abs($0 - $1) }.sorted()
        let n = e.count
        return n % 2 == 1 ? e[n / 2] : (e[n / 2 - 1] + e[n / 2]) / 2
    }

    /// Mean absolute percentage error (1/n) Σ |y − ŷ| / max(|y|, ε), ε the float64 epsilon
    /// (`mean_absolute_percentage_error`; a fraction, not a percentage).
    public static func meanAbsolutePercentageError(_ yTrue: [Double], _ yPred: [Double], sampleWeight: [Double]? = nil) throws -> Double {
        try checkRegression(yTrue, yPred, sampleWeight, "meanAbsolutePercentageError")
        return weightedMean(zip(yTrue, yPred).map { abs($0 - $1) / max(abs($0), Double.ulpOfOne) }, sampleWeight)
    }

    /// Coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (`r2_score`). With constant
    /// `yTrue`: 1 for a perfect prediction, else 0 (scikit-learn's `force_finite`). Needs 2 samples.
    public static func r2Score(_ yTrue: [Double], _ yPred: [Double], sampleWeight: [Double]? = nil) throws -> Double {
        try checkRegression(yTrue, yPred, sampleWeight, "r2Score")
        if yTrue.count < 2 { throw LearnError.invalidInput("Metrics.r2Score: R² needs at least 2 samples") }
        let mean = weightedMean(yTrue, sampleWeight)
        var num = 0.0, den = 0.0
        for i in yTrue.indices {
            let w = sampleWeight?[i] ?? 1
            num += w * (yTrue[i] - yPred[i]) * (yTrue[i] - yPred[i])
            den += w * (yTrue[i] - mean) * (yTrue[i] - mean)
        }
        if den == 0 { return num == 0 ? 1 : 0 }
        return 1 - num / den
    }

    /// Explained variance 1 − Var(y − ŷ) / Var(y) (`explained_variance_score`), with the same
    /// constant-target convention as ``r2Score(_:_:sampleWeight:)``.
    public static func explainedVariance(_ yTrue: [Double], _ yPred: [Double], sampleWeight: [Double]? = nil) throws -> Double {
        try checkRegression(yTrue, yPred, sampleWeight, "explainedVariance")
        if yTrue.count < 2 { throw LearnError.invalidInput("Metrics.explainedVariance: needs at least 2 samples") }
        let diff = zip(yTrue, yPred).map { $0 - $1 }
        let md = weightedMean(diff, sampleWeight), my = weightedMean(yTrue, sampleWeight)
        let num = weightedMean(diff.map { ($0 - md) * ($0 - md) }, sampleWeight)
        let den = weightedMean(yTrue.map { ($0 - my) * ($0 - my) }, sampleWeight)
        if den == 0 { return num == 0 ? 1 : 0 }
        return 1 - num / den
    }
}

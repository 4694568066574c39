import Foundation
import Tensors

/// Ordinary least squares (scikit-learn's `LinearRegression`).
///
/// Minimizes `Σᵢ wᵢ (yᵢ − xᵢ·β − b)²`. With `fit_intercept=True` (default) the data are centered
/// first (`x − x̄`, `y − ȳ`, weighted means), β is the minimum-norm least-squares solution of the
/// centered problem (SVD, `Linalg.lstsq`, singular values below `ε·max(n, p)·σ_max` treated as
/// zero, as scikit-learn), and `b = ȳ − x̄·β`. Sample weights multiply each centered row by `√wᵢ`.
///
/// ```swift
/// let model = LinearRegression()
/// try model.fit(x, y)
/// model.coef; model.intercept
/// ```
public final class LinearRegression: SampleWeightedRegressor, FeatureImportanceProviding {
    public static let modelName = "linear-regression"

    /// Fit an intercept (default true); false forces the line through the origin.
    public var fitIntercept: Bool

    /// Coefficients, one per feature (`coef_`).
    public private(set) var coef: [Double] = []
    /// The intercept (`intercept_`); 0 when `fitIntercept` is false.
    public private(set) var intercept: Double = 0
    /// Numerical rank of the (centered) design matrix (`rank_`).
    public private(set) var rank: Int = 0
    /// Singular values of the (centered) design matrix (`singular_`).
    public private(set) var singularValues: [Double] = []

    /// An ordinary least squares model; `fitIntercept` defaults to true, as scikit-learn.
    public init(fitIntercept: Bool = true) { self.fitIntercept = fitIntercept }
    public convenience init() { self.init(fitIntercept: true) }

    public var parameters: [String: ParamValue] { ["fit_intercept": .bool(fitIntercept)] }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "fit_intercept": fitIntercept = try value.bool(name)
        default: throw unknownParameter(name)
        }
    }

    /// |coef|: how much each feature moves the prediction per unit.
    public var featureImportances: [Double] { coef.map(abs) }

    public func fit(_ x: Matrix, _ y: [Double]) throws { try fit(x, y, sampleWeight: nil) }

    /// Fits by SVD least squares on the centered, √weight-scaled data.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeight: [Double]?) throws {
        try LinearSupport.checkRegression(x, y, sampleWeight, "LinearRegression.fit")
        let c = LinearSupport.center(x, y, sampleWeight: sampleWeight, fitIntercept: fitIntercept)
        let sol = try Linalg.lstsq(c.x.values, c.y, rows: x.rows, cols: x.columns)
        coef = sol.solution
        rank = sol.rank
        singularValues = sol.singularValues
        intercept = fitIntercept ? LinearSupport.intercept(c, coef: coef) : 0
    }

    /// `x·coef + intercept`.
    public func predict(_ x: Matrix) throws -> [Double] {
        try LinearSupport.predictRegression(x, coef: coef, intercept: intercept, model: Self.modelName, caller: "LinearRegression.predict")
    }
}

/// Linear regression fitted by batch gradient descent — the textbook algorithm, for learning
/// (it has no scikit-learn counterpart; `LinearRegression` is the exact, faster solver).
///
/// The cost is half the mean squared error, `J(β, b) = (1/2n) Σᵢ (xᵢ·β + b − yᵢ)²`, with gradient
/// `∇β = (1/n) Xᵀr`, `∂b = (1/n) Σ rᵢ` where `r = Xβ + b − y`. Each iteration steps
/// `β ← β − η ∇β`, `b ← b − η ∂b` and records `J` in ``costHistory``; it stops when `J` falls by
/// less than `tol` or after `max_iter` steps. Gradient descent converges to the least-squares
/// solution when `η < 2/λ_max(XᵀX/n)`; on standardized features `η` around 0.01–0.1 works, on
/// raw features of very different scales it needs a tiny rate (standardize first).
///
/// Defaults: `learning_rate=0.01`, `max_iter=1000`, `tol=1e-6`, `fit_intercept=True`.
public final class GradientDescentRegression: Regressor, FeatureImportanceProviding {
    public static let modelName = "linear-regression-gd"

    /// Step size η (default 0.01).
    public var learningRate: Double
    /// Most gradient steps (default 1000).
    public var maxIter: Int
    /// Stop when the cost falls by less than this in one step (default 1e-6).
    public var tol: Double
    /// Fit an intercept (default true).
    public var fitIntercept: Bool

    /// Coefficients, one per feature.
    public private(set) var coef: [Double] = []
    /// The intercept.
    public private(set) var intercept: Double = 0
    /// `J` (half the mean squared error) after each step.
    public private(set) var costHistory: [Double] = []
    /// Steps taken.
    public private(set) var nIterations: Int = 0

    /// A gradient-descent regressor with the defaults above.
    public init(learningRate: Double = 0.01, maxIter: Int = 1000, tol: Double = 1e-6, fitIntercept: Bool = true) {
        self.learningRate = learningRate; self.maxIter = maxIter; self.tol = tol; self.fitIntercept = fitIntercept
    }
    public convenience init() { self.init(learningRate: 0.01) }

    public var parameters: [String: ParamValue] {
        ["learning_rate": .double(learningRate), "max_iter": .int(maxIter), "tol": .double(tol),
         "fit_intercept": .bool(fitIntercept)]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "learning_rate": learningRate = try value.double(name)
        case "max_iter": maxIter = try value.int(name, atMost: ParameterLimits.iterations)
        case "tol": tol = try value.double(name)
        case "fit_intercept": fitIntercept = try value.bool(name)
        default: throw unknownParameter(name)
        }
    }

    public var featureImportances: [Double] { coef.map(abs) }

    /// Runs batch gradient descent from β = 0, b = 0.
    public func fit(_ x: Matrix, _ y: [Double]) throws {
        try require(learningRate > 0 && learningRate.isFinite, "learning_rate", learningRate, "must be positive")
        try require(maxIter >= 1, "max_iter", maxIter, "must be at least 1")
        try require(tol >= 0, "tol", tol, "must be non-negative")
        try LinearSupport.checkRegression(x, y, nil, "GradientDescentRegression.fit")
        let n = x.rows, p = x.columns
        var beta = [Double](repeating: 0, count: p)
        var b = 0.0
        var history: [Double] = []
        var previous = Double.infinity
        var steps = 0
        for _ in 0..<maxIter {
            // Residuals r = Xβ + b − y and the cost J = Σ r² / 2n.
            var r = x.dot(beta)
            var cost = 0.0
            for i in 0..<n { r[i] += b - y[i]; cost += r[i] * r[i] }
            cost /= 2 * Double(n)
            guard cost.isFinite else {
                throw LearnError.invalidInput("GradientDescentRegression.fit: the cost diverged to \(cost); lower learning_rate or standardize the features")
            }
            if abs(previous - cost) < tol && steps > 0 { history.append(cost); break }
            history.append(cost)
            previous = cost
            // Gradient ∇β = Xᵀr / n (a transposed matrix-vector product, as GEMM), ∂b = mean r.
            let grad = Matrix.product(x, Matrix(column: r), transposeA: true).values
            for j in 0..<p { beta[j] -= learningRate * grad[j] / Double(n) }
            if fitIntercept { b -= learningRate * r.reduce(0, +) / Double(n) }
            steps += 1
        }
        coef = beta; intercept = b; costHistory = history; nIterations = steps
    }

    /// `x·coef + intercept`.
    public func predict(_ x: Matrix) throws -> [Double] {
        try LinearSupport.predictRegression(x, coef: coef, intercept: intercept, model: Self.modelName, caller: "GradientDescentRegression.predict")
    }
}

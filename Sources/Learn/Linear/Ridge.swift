import Foundation
import Tensors

/// Shared solver of the ridge models: `(XᵀX + αI) β = Xᵀy` on centered data.
enum RidgeSolver {
    /// β for one α on already centered (and √weight-scaled) data: the normal equations solved by
    /// Cholesky (the matrix is symmetric positive definite for α > 0). When there are more
    /// features than samples the equivalent dual form `β = Xᵀ (XXᵀ + αI)⁻¹ y` is smaller.
    static func solve(_ x: Matrix, _ y: [Double], alpha: Double) throws -> [Double] {
        let n = x.rows, p = x.columns
        if p > n {
            var k = Matrix.product(x, x, transposeB: true)
            for i in 0..<n { k[i, i] += alpha }
            let dual = try choleskySolve(k.values, y, n: n)
            return Matrix.product(x, Matrix(column: dual), transposeA: true).values
        }
        var g = Matrix.product(x, x, transposeA: true)
        for j in 0..<p { g[j, j] += alpha }
        let rhs = Matrix.product(x, Matrix(column: y), transposeA: true).values
        return try choleskySolve(g.values, rhs, n: p)
    }

    /// Solves `A z = b` for symmetric positive-definite `A` through `A = L Lᵀ` and two triangular
    /// solves; falls back to LU when `A` is not numerically positive definite (α = 0).
    static func choleskySolve(_ a: [Double], _ b: [Double], n: Int) throws -> [Double] {
        guard let l = try? Linalg.cholesky(a, n: n) else {
            do { return try Linalg.solve(a, b, n: n) } catch {
                throw LearnError.invalidInput("ridge: the normal equations are singular; use alpha > 0")
            }
        }
        var z = b
        for i in 0..<n {                       // L u = b
            var s = z[i]
            for k in 0..<i { s -= l[i * n + k] * z[k] }
            z[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {   // Lᵀ z = u
            var s = z[i]
            for k in (i + 1)..<max(n, i + 1) { s -= l[k * n + i] * z[k] }
            z[i] = s / l[i * n + i]
        }
        return z
    }
}

/// Linear least squares with an L2 penalty (scikit-learn's `Ridge`, dense `cholesky` solver).
///
/// Minimizes `Σᵢ wᵢ (yᵢ − xᵢ·β − b)² + α‖β‖²`; the intercept is not penalized (data are centered
/// first). Closed form: `β = (XcᵀXc + αI)⁻¹ Xcᵀyc`, `b = ȳ − x̄·β`.
/// Defaults: `alpha=1.0`, `fit_intercept=True`.
public final class Ridge: SampleWeightedRegressor, FeatureImportanceProviding {
    public static let modelName = "ridge"

    /// Penalty strength α ≥ 0 (default 1.0).
    public var alpha: Double
    /// Fit an unpenalized intercept (default true).
    public var fitIntercept: Bool

    /// Coefficients (`coef_`).
    public private(set) var coef: [Double] = []
    /// Intercept (`intercept_`).
    public private(set) var intercept: Double = 0

    /// A ridge regressor; defaults as scikit-learn.
    public init(alpha: Double = 1.0, fitIntercept: Bool = true) { self.alpha = alpha; self.fitIntercept = fitIntercept }
    public convenience init() { self.init(alpha: 1.0) }

    public var parameters: [String: ParamValue] { ["alpha": .double(alpha), "fit_intercept": .bool(fitIntercept)] }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "alpha": alpha = try value.double(name)
        case "fit_intercept": fitIntercept = try value.bool(name)
        default: throw unknownParameter(name)
        }
    }

    public var featureImportances: [Double] { coef.map(abs) }

    public func fit(_ x: Matrix, _ y: [Double]) throws { try fit(x, y, sampleWeight: nil) }

    /// Solves the penalized normal equations.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeight: [Double]?) throws {
        try require(alpha >= 0 && alpha.isFinite, "alpha", alpha, "must be a non-negative number")
        try LinearSupport.checkRegression(x, y, sampleWeight, "Ridge.fit")
        let c = LinearSupport.center(x, y, sampleWeight: sampleWeight, fitIntercept: fitIntercept)
        coef = try RidgeSolver.solve(c.x, c.y, alpha: alpha)
        intercept = fitIntercept ? LinearSupport.intercept(c, coef: coef) : 0
    }

    /// `x·coef + intercept`.
    public func predict(_ x: Matrix) throws -> [Double] {
        try LinearSupport.predictRegression(x, coef: coef, intercept: intercept, model: Self.modelName, caller: "Ridge.predict")
    }
}

/// Ridge regression that picks α by efficient leave-one-out cross-validation (scikit-learn's
/// `RidgeCV` with its default `cv=None`, generalized cross-validation).
///
/// For a linear smoother `ŷ = H y` the leave-one-out residual is `eᵢ = (yᵢ − ŷᵢ)/(1 − Hᵢᵢ)`, so
/// every α costs one pass once `XcᵀXc = V diag(s²) Vᵀ` is known: with `U = Xc V`,
/// `ŷ = U diag(1/(s²+α)) Uᵀ y` and `Hᵢᵢ = Σₖ Uᵢₖ²/(sₖ²+α) + wᵢ/Σw` (the last term is the
/// unpenalized intercept). The α with the smallest mean squared LOO error wins (first on ties), and
/// the model is refitted on all rows with it. Defaults: `alphas=(0.1, 1.0, 10.0)`, `fit_intercept=True`.
public final class RidgeCV: SampleWeightedRegressor, FeatureImportanceProviding {
    public static let modelName = "ridge-cv"

    /// Candidate penalties (default 0.1, 1, 10); all must be positive.
    public var alphas: [Double]
    /// Fit an unpenalized intercept (default true).
    public var fitIntercept: Bool

    /// The chosen α (`alpha_`).
    public private(set) var alpha: Double = 0
    /// Negative mean squared leave-one-out error of the chosen α (`best_score_`).
    public private(set) var bestScore: Double = 0
    /// Coefficients at the chosen α.
    public private(set) var coef: [Double] = []
    /// Intercept at the chosen α.
    public private(set) var intercept: Double = 0

    /// A leave-one-out ridge; defaults as scikit-learn.
    public init(alphas: [Double] = [0.1, 1.0, 10.0], fitIntercept: Bool = true) {
        self.alphas = alphas; self.fitIntercept = fitIntercept
    }
    public convenience init() { self.init(alphas: [0.1, 1.0, 10.0]) }

    public var parameters: [String: ParamValue] {
        ["alphas": .list(alphas.map { .double($0) }), "fit_intercept": .bool(fitIntercept)]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "alphas":
            switch value {
            case .list(let l): alphas = try l.map { try $0.double(name) }
            default: alphas = [try value.double(name)]
            }
        case "fit_intercept": fitIntercept = try value.bool(name)
        default: throw unknownParameter(name)
        }
    }

    public var featureImportances: [Double] { coef.map(abs) }

    public func fit(_ x: Matrix, _ y: [Double]) throws { try fit(x, y, sampleWeight: nil) }

    /// Scores every α by exact leave-one-out, then refits with the best.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeight: [Double]?) throws {
        try require(!alphas.isEmpty && alphas.allSatisfy { $0 > 0 && $0.isFinite }, "alphas", ParamValue.list(alphas.map { .double($0) }), "must be a non-empty list of positive numbers")
        try LinearSupport.checkRegression(x, y, sampleWeight, "RidgeCV.fit")
        let c = LinearSupport.center(x, y, sampleWeight: sampleWeight, fitIntercept: fitIntercept)
        let n = x.rows, p = x.columns
        // Eigen-decomposition of the Gram matrix XcᵀXc = V diag(s²) Vᵀ.
        let gram = Matrix.product(c.x, c.x, transposeA: true)
        let eig = try Linalg.eigh(gram.values, n: p)
        let s2 = eig.eigenvalues.map { max($0, 0) }
        let v = Matrix(rows: p, columns: p, values: eig.eigenvectors)
        let u = Matrix.product(c.x, v)                         // n × p
        let uty = Matrix.product(u, Matrix(column: c.y), transposeA: true).values
        // Leverage of the intercept column √w/‖√w‖.
        var hIntercept = [Double](repeating: 0, count: n)
        if fitIntercept {
            let w = sampleWeight ?? [Double](repeating: 1, count: n)
            let total = w.reduce(0, +)
            for i in 0..<n { hIntercept[i] = w[i] / total }
        }
        var bestIndex = 0
        var bestError = Double.infinity
        for (a, alpha) in alphas.enumerated() {
            var sse = 0.0
            u.values.withUnsafeBufferPointer { ub in
                for i in 0..<n {
                    var fit = 0.0, h = hIntercept[i]
                    for k in 0..<p {
                        let uik = ub[i * p + k], d = 1 / (s2[k] + alpha)
                        fit += uik * uty[k] * d
                        h += uik * uik * d
                    }
                    let e = (c.y[i] - fit) / (1 - h)
                    sse += e * e
                }
            }
            let mse = sse / Double(n)
            if mse < bestError { bestError = mse; bestIndex = a }
        }
        alpha = alphas[bestIndex]
        bestScore = -bestError
        coef = try RidgeSolver.solve(c.x, c.y, alpha: alpha)
        intercept = fitIntercept ? LinearSupport.intercept(c, coef: coef) : 0
    }

    /// `x·coef + intercept`.
    public func predict(_ x: Matrix) throws -> [Double] {
        try LinearSupport.predictRegression(x, coef: coef, intercept: intercept, model: Self.modelName, caller: "RidgeCV.predict")
    }
}

import Foundation
import Tensors
import SwiftLearnCore

/// Logistic regression (scikit-learn's `LogisticRegression`): a linear model of class
/// probabilities, `P(y = 1 | x) = σ(x·w + b)` for two classes and the softmax
/// `P(y = k | x) = e^{x·wₖ + bₖ} / Σₗ e^{x·wₗ + bₗ}` (multinomial) for more.
///
/// Fitted by minimizing `(1/S) Σᵢ sᵢ ℓᵢ + penalty/(C·S)` (see ``LogisticObjective``) where the
/// penalty is `½‖W‖²` (L2), `‖W‖₁` (L1) or `l1_ratio‖W‖₁ + ½(1 − l1_ratio)‖W‖²` (elastic net).
/// Solvers:
/// - `"lbfgs"` (default): quasi-Newton, ``LBFGSMinimizer``; L2 or no penalty.
/// - `"newton-cholesky"`: Newton's method with the exact Hessian solved by Cholesky and an
///   Armijo backtracking line search; L2 or no penalty; best for few features.
/// - `"saga"`: stochastic average gradient with a proximal step (Defazio et al. 2014); any
///   penalty, the one for L1 and elastic net. Randomized (`random_state`).
///
/// scikit-learn 1.9.1 defaults: `penalty="deprecated"` (the penalty follows `l1_ratio`: 0 → L2,
/// 1 → L1, in between → elastic net; `"l2"`, `"l1"`, `"elasticnet"`, `"None"` still accepted),
/// `C=1.0`, `l1_ratio=0.0`, `solver="lbfgs"`, `max_iter=100`, `tol=1e-4`, `fit_intercept=True`,
/// `class_weight=None`, `random_state=None`.
public final class LogisticRegression: ProbabilisticClassifier, DecisionFunctionClassifier, SampleWeightedClassifier,
    FeatureImportanceProviding {
    public static let modelName = "logistic-regression"

    /// `"deprecated"` (default: follow `l1_ratio`), `"l2"`, `"l1"`, `"elasticnet"` or `"None"`.
    public var penalty: String
    /// Inverse regularization strength C > 0 (default 1.0); smaller is stronger. `inf` = no penalty.
    public var C: Double
    /// L1 share of the penalty in [0, 1] (default 0.0).
    public var l1Ratio: Double
    /// `"lbfgs"` (default), `"newton-cholesky"` or `"saga"`.
    public var solver: String
    /// Most solver iterations (epochs for saga; default 100).
    public var maxIter: Int
    /// Stopping tolerance (default 1e-4): max |gradient| for lbfgs/newton, relative change for saga.
    public var tol: Double
    /// Fit an unpenalized intercept (default true).
    public var fitIntercept: Bool
    /// Class weights (default uniform).
    public var classWeight: ClassWeight
    /// Seed for saga's sample order.
    public var randomState: Int?

    /// Labels seen in fit (`classes_`).
    public private(set) var classes: [Int] = []
    /// Coefficients, one row per class, or one row for two classes (`coef_`).
    public private(set) var coef = Matrix(rows: 0, columns: 0)
    /// Intercepts, one per row of ``coef`` (`intercept_`).
    public private(set) var intercept: [Double] = []
    /// Solver iterations run (`n_iter_`).
    public private(set) var nIterations: Int = 0

    /// A logistic regression; defaults as scikit-learn 1.9.1.
    public init(penalty: String = "deprecated", C: Double = 1.0, l1Ratio: Double = 0.0, solver: String = "lbfgs",
                maxIter: Int = 100, tol: Double = 1e-4, fitIntercept: Bool = true, classWeight: ClassWeight = .uniform,
                randomState: Int? = nil) {
        self.penalty = penalty; self.C = C; self.l1Ratio = l1Ratio; self.solver = solver; self.maxIter = maxIter
        self.tol = tol; self.fitIntercept = fitIntercept; self.classWeight = classWeight; self.randomState = randomState
    }
    public convenience init() { self.init(penalty: "deprecated") }

    static let penalties = ["deprecated", "l2", "l1", "elasticnet", "None"]
    static let solvers = ["lbfgs", "newton-cholesky", "saga"]

    public var parameters: [String: ParamValue] {
        ["penalty": penalty == "None" ? .none : .string(penalty), "C": .double(C), "l1_ratio": .double(l1Ratio),
         "solver": .string(solver), "max_iter": .int(maxIter), "tol": .double(tol),
         "fit_intercept": .bool(fitIntercept), "class_weight": classWeight.param, "random_state": randomState.param]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "penalty": penalty = try value.choice(name, Self.penalties)
        case "C": C = try value.double(name)
        case "l1_ratio": l1Ratio = try value.optionalDouble(name) ?? 0
        case "solver": solver = try value.choice(name, Self.solvers)
        case "max_iter": maxIter = try value.int(name, atMost: ParameterLimits.iterations)
        case "tol": tol = try value.double(name)
        case "fit_intercept": fitIntercept = try value.bool(name)
        case "class_weight": classWeight = try ClassWeight(param: value, name: name)
        case "random_state": randomState = try value.randomState(name)
        default: throw unknownParameter(name)
        }
    }

    /// |coef| summed over the rows.
    public var featureImportances: [Double] { LinearSupport.importances(coef) }

    /// The (L1 share, whether any penalty) implied by `penalty`, `l1_ratio` and `C`.
    private func effectivePenalty() -> (l1Share: Double, penalized: Bool) {
        if !C.isFinite { return (0, false) }
        switch penalty {
        case "None": return (0, false)
        case "l2": return (0, true)
        case "l1": return (1, true)
        default: return (l1Ratio, true)   // "elasticnet" and "deprecated"
        }
    }

    public func fit(_ x: Matrix, _ y: [Int]) throws { try fit(x, y, sampleWeight: nil) }

    /// Minimizes the penalized loss with the chosen solver, starting from zero.
    public func fit(_ x: Matrix, _ y: [Int], sampleWeight: [Double]?) throws {
        try require(Self.penalties.contains(penalty), "penalty", penalty, "expected one of \(Self.penalties)")
        try require(Self.solvers.contains(solver), "solver", solver, "expected one of \(Self.solvers)")
        try require(C > 0, "C", C, "must be positive")
        try require(l1Ratio >= 0 && l1Ratio <= 1, "l1_ratio", l1Ratio, "must be in [0, 1]")
        try require(maxIter >= 1, "max_iter", maxIter, "must be at least 1")
        try require(tol >= 0, "tol", tol, "must be non-negative")
        let (l1Share, penalized) = effectivePenalty()
        if penalized && l1Share > 0 && solver != "saga" {
            throw LearnError.invalidParameter(name: "solver", value: solver,
                                              reason: "an L1 or elastic-net penalty needs solver='saga'")
        }
        let (labels, encoded) = try LabelSet.fitting(x, y, "LogisticRegression.fit")
        try Check.sampleWeights(sampleWeight, rows: x.rows, "LogisticRegression.fit")
        let s = classWeight.sampleWeights(classes: labels.classes, encoded: encoded, sampleWeight: sampleWeight)
        let sumW = s.reduce(0, +)
        guard sumW > 0 else { throw LearnError.invalidInput("LogisticRegression.fit: all sample weights are zero") }
        let outputs = labels.count == 2 ? 1 : labels.count
        let strength = penalized ? 1 / (C * sumW) : 0
        let objective = LogisticObjective(x: x, y: encoded, s: s, sumWeights: sumW, outputs: outputs,
                                          fitIntercept: fitIntercept, l2: strength * (1 - l1Share))
        var theta = [Double](repeating: 0, count: objective.parameterCount)
        switch solver {
        case "lbfgs":
            var lbfgs = LBFGSMinimizer()
            lbfgs.maxIterations = maxIter
            lbfgs.gradientTolerance = tol
            let r = lbfgs.minimize(theta) { objective.value($0, &$1) }
            theta = r.x; nIterations = r.iterations
        case "newton-cholesky":
            (theta, nIterations) = try LogisticSolvers.newton(objective, maxIter: maxIter, tol: tol)
        default:
            (theta, nIterations) = LogisticSolvers.saga(objective, l1: strength * l1Share, maxIter: maxIter, tol: tol,
                                                        randomState: randomState)
        }
        if theta.contains(where: { !$0.isFinite }) {
            throw LearnError.invalidInput("LogisticRegression.fit: the optimization diverged; scale the features or raise the penalty")
        }
        (coef, intercept) = objective.unpack(theta)
        classes = labels.classes
    }

    /// `x·Wᵀ + b`: one column for two classes (positive favours `classes[1]`), else one per class.
    public func decisionFunction(_ x: Matrix) throws -> Matrix {
        guard !classes.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: coef.columns, "LogisticRegression.decisionFunction")
        return LinearSupport.decision(x, coef: coef, intercept: intercept)
    }

    /// Class probabilities (columns in ``classes`` order).
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        LinearSupport.probabilities(fromDecision: try decisionFunction(x))
    }

    /// Log class probabilities, computed stably (log-sigmoid / log-softmax).
    public func predictLogProbabilities(_ x: Matrix) throws -> Matrix {
        let d = try decisionFunction(x)
        if d.columns == 1 {
            var out = Matrix(rows: d.rows, columns: 2)
            for i in 0..<d.rows {
                let z = d.values[i]
                out[i, 0] = -LinearSupport.log1pExp(z); out[i, 1] = -LinearSupport.log1pExp(-z)
            }
            return out
        }
        var l = d
        LinearSupport.logSoftmaxRows(&l)
        return l
    }

    /// The class with the largest decision value.
    public func predict(_ x: Matrix) throws -> [Int] {
        LinearSupport.argmaxRows(try decisionFunction(x)).map { classes[$0] }
    }
}

/// The second-order and stochastic solvers of ``LogisticRegression``.
enum LogisticSolvers {
    /// Newton's method: solve `H d = −g` (Cholesky) and backtrack until the Armijo condition
    /// `f(θ + t d) ≤ f(θ) + 10⁻⁴ t g·d` holds; stop when `max |g| ≤ tol`.
    ///
    /// The softmax is unchanged when the same constant is added to every class's intercept (or,
    /// without penalty, coefficient), so H is singular along those directions; the gradient is
    /// orthogonal to them, and adding `uuᵀ` (u = the normalized all-ones direction) makes H
    /// invertible without changing the step in the other directions.
    static func newton(_ obj: LogisticObjective, maxIter: Int, tol: Double) throws -> ([Double], Int) {
        let m = obj.parameterCount, st = obj.stride, k = obj.outputs
        var theta = [Double](repeating: 0, count: m)
        var g = [Double](repeating: 0, count: m)
        var f = obj.value(theta, &g)
        var iterations = 0
        while iterations < maxIter && LBFGSMinimizer.maxAbs(g) > tol {
            var h = obj.hessian(theta)
            if k > 1 {
                for j in 0..<st where (obj.fitIntercept && j == st - 1) || obj.l2 == 0 {
                    for a in 0..<k { for c in 0..<k { h[(a * st + j) * m + (c * st + j)] += 1 / Double(k) } }
                }
            }
            let minusG = g.map { -$0 }
            var d: [Double]
            if let l = try? RidgeSolver.choleskySolve(h, minusG, n: m) { d = l } else { d = minusG }
            var slope = LBFGSMinimizer.dot(g, d)
            if !(slope < 0) { d = minusG; slope = LBFGSMinimizer.dot(g, d) }
            var t = 1.0
            var gNew = g, fNew = f, candidate = theta
            while true {
                for i in 0..<m { candidate[i] = theta[i] + t * d[i] }
                fNew = obj.value(candidate, &gNew)
                if fNew <= f + 1e-4 * t * slope || t < 1e-10 { break }
                t /= 2
            }
            iterations += 1
            if !(fNew <= f) { break }   // no progress possible at machine precision
            theta = candidate; g = gNew
            let previous = f
            f = fNew
            if previous - f <= 64 * Double.ulpOfOne * max(abs(f), 1) && LBFGSMinimizer.maxAbs(g) <= tol * 10 { break }
        }
        return (theta, iterations)
    }

    /// SAGA (Defazio, Bach & Lacoste-Julien 2014) with the proximal step for the L1 part.
    ///
    /// For a linear model the gradient of sample i's loss is `gᵢ xᵢ` (gᵢ: one number per output),
    /// so SAGA stores every `gᵢ` and the running sum `Σᵢ gᵢ xᵢ`. One step on a random sample j:
    /// `θ ← θ − η[(gⱼ' − gⱼ) xⱼ + (1/n) Σᵢ gᵢ xᵢ + λ₂ θ]`, then the L1 prox
    /// `θ ← sign(θ)·max(|θ| − η λ₁, 0)` (not on intercepts). An epoch is n steps; stop when
    /// `max|Δθ| / max|θ| ≤ tol` over an epoch, as scikit-learn. Step `η = 1/(2L + min(2nλ₂, L))`
    /// from the loss's Lipschitz constant L.
    ///
    /// Here the objective is scaled per sample (Σ sᵢℓᵢ / S), so sample j's gradient is
    /// `(n sⱼ / S) ∂ℓⱼ`: the same minimizer as the batch objective.
    static func saga(_ obj: LogisticObjective, l1: Double, maxIter: Int, tol: Double, randomState: Int?) -> ([Double], Int) {
        let x = obj.x, n = x.rows, p = x.columns, k = obj.outputs, st = obj.stride
        let m = obj.parameterCount
        var theta = [Double](repeating: 0, count: m)
        var memory = [Double](repeating: 0, count: n * k)      // gᵢ per sample and output
        var sum = [Double](repeating: 0, count: m)             // Σ gᵢ [xᵢ, 1]
        var rng = SeededRandom(seed: randomState)
        var maxSq = 0.0
        for i in 0..<n { var s = 0.0; for j in 0..<p { s += x.values[i * p + j] * x.values[i * p + j] }; maxSq = max(maxSq, s) }
        let maxScale = obj.s.reduce(0, max) * Double(n) / obj.sumWeights
        let lipschitz = (k == 1 ? 0.25 : 0.5) * (maxSq + (obj.fitIntercept ? 1 : 0)) * maxScale + obj.l2
        let eta = 1 / (2 * lipschitz + min(2 * Double(n) * obj.l2, lipschitz))
        var z = [Double](repeating: 0, count: k), gNew = [Double](repeating: 0, count: k)
        var epochs = 0
        var previous = theta
        x.values.withUnsafeBufferPointer { xv in
            for _ in 0..<maxIter {
                epochs += 1
                for _ in 0..<n {
                    let i = rng.int(below: n)
                    let xi = UnsafeBufferPointer(rebasing: xv[(i * p)..<((i + 1) * p)])
                    let scale = Double(n) * obj.s[i] / obj.sumWeights
                    for c in 0..<k {
                        var v = obj.fitIntercept ? theta[c * st + p] : 0
                        for j in 0..<p { v += theta[c * st + j] * xi[j] }
                        z[c] = v
                    }
                    if k == 1 {
                        gNew[0] = scale * (LinearSupport.sigmoid(z[0]) - Double(obj.y[i]))
                    } else {
                        let lse = z.withUnsafeBufferPointer { LinearSupport.logSumExp($0) }
                        for c in 0..<k { gNew[c] = scale * (Foundation.exp(z[c] - lse) - (obj.y[i] == c ? 1 : 0)) }
                    }
                    for c in 0..<k {
                        let delta = gNew[c] - memory[i * k + c]
                        memory[i * k + c] = gNew[c]
                        let base = c * st
                        for j in 0..<p {
                            let step = delta * xi[j] + sum[base + j] / Double(n) + obj.l2 * theta[base + j]
                            sum[base + j] += delta * xi[j]
                            var t = theta[base + j] - eta * step
                            if l1 > 0 { t = t > 0 ? max(t - eta * l1, 0) : min(t + eta * l1, 0) }
                            theta[base + j] = t
                        }
                        if obj.fitIntercept {
                            theta[base + p] -= eta * (delta + sum[base + p] / Double(n))
                            sum[base + p] += delta
                        }
                    }
                }
                var change = 0.0, largest = 0.0
                for j in 0..<m { change = max(change, abs(theta[j] - previous[j])); largest = max(largest, abs(theta[j])) }
                previous = theta
                if largest > 0 && change / largest <= tol { break }
                if !largest.isFinite { break }
            }
        }
        return (theta, epochs)
    }
}

import Foundation

/// The elastic-net coordinate-descent core shared by ``Lasso`` and ``ElasticNet``.
///
/// It minimizes, on centered data, `P(β) = ½‖y − Xβ‖² + a‖β‖₁ + (b/2)‖β‖²` with
/// `a = α·l1_ratio·n` and `b = α·(1 − l1_ratio)·n` (scikit-learn's scaling of
/// `(1/2n)‖y − Xβ‖² + α·l1_ratio‖β‖₁ + ½α(1 − l1_ratio)‖β‖²`).
///
/// One coordinate update, holding the residual `r = y − Xβ`:
/// `βⱼ ← S(Xⱼ·r + βⱼ‖Xⱼ‖², a) / (‖Xⱼ‖² + b)` with the soft threshold `S(z, a) = sign(z)·max(|z| − a, 0)`.
/// After a pass whose largest change is small relative to the largest coefficient
/// (`max|Δβ| / max|β| ≤ tol`), the duality gap is computed from the dual point
/// `θ = r · min(1, a/‖Xᵀr − bβ‖∞)`; the fit stops when the gap is ≤ `tol·‖y‖²`. As in
/// scikit-learn, "gap safe" screening drops features that the gap proves are zero at the optimum.
struct ElasticNetCoordinateDescent {
    var l1: Double
    var l2: Double
    var maxIter: Int
    var tol: Double
    var random: Bool
    var positive: Bool
    var randomState: Int?

    struct Result { var coef: [Double]; var gap: Double; var iterations: Int }

    /// Runs coordinate descent from β = 0. `x` is column-major here (`xCols[j*n + i]`): each
    /// update reads one column, so columns are stored contiguously.
    func run(xCols: [Double], n: Int, p: Int, y: [Double]) -> Result {
        var w = [Double](repeating: 0, count: p)
        var r = y
        var xta = [Double](repeating: 0, count: p)
        var rng = SeededRandom(seed: randomState)
        var norm2 = [Double](repeating: 0, count: p)
        var active = Array(0..<p)
        var excluded = [Bool](repeating: false, count: p)
        let screening = l1 > 0
        var gap = 0.0
        var iterations = 0
        xCols.withUnsafeBufferPointer { X in
            for j in 0..<p {
                let col = UnsafeBufferPointer(rebasing: X[(j * n)..<((j + 1) * n)])
                norm2[j] = LinearSupport.dot(col, col)
            }
            var yy = 0.0
            for v in y { yy += v * v }
            let tolGap = tol * yy

            /// Duality gap at the current β (and Xᵀr − bβ into `xta`); returns (gap, ‖·‖∞).
            func dualGap() -> (Double, Double) {
                var w2 = 0.0, l1norm = 0.0, rr = 0.0, ry = 0.0
                for j in 0..<p { w2 += w[j] * w[j]; l1norm += abs(w[j]) }
                for i in 0..<n { rr += r[i] * r[i]; ry += r[i] * y[i] }
                var dualNorm = 0.0
                r.withUnsafeBufferPointer { rb in
                    for j in 0..<p {
                        let col = UnsafeBufferPointer(rebasing: X[(j * n)..<((j + 1) * n)])
                        xta[j] = LinearSupport.dot(col, rb) - l2 * w[j]
                        dualNorm = max(dualNorm, positive ? xta[j] : abs(xta[j]))
                    }
                }
                if l1 == 0 {
                    // Pure ridge: scikit-learn's dual "formulation B".
                    var xtr2 = 0.0
                    for j in 0..<p { let v = xta[j] + l2 * w[j]; xtr2 += v * v }
                    if l2 == 0 { return (xtr2, xtr2) }
                    return (rr + 0.5 * l2 * w2 - ry + xtr2 / (2 * l2), xtr2)
                }
                let primal = 0.5 * (rr + l2 * w2) + l1 * l1norm
                let scale = dualNorm > l1 ? l1 / dualNorm : 1
                let dual = -0.5 * scale * scale * (rr + l2 * w2) + scale * ry
                return (primal - dual, dualNorm)
            }

            /// Gap-safe screening (Ndiaye et al. 2017, eq. 11): feature j is provably zero at the
            /// optimum when (1 − |Xⱼ·θ|)/‖Xⱼ‖ > √(2·gap)/a.
            func screen(_ gap: Double, _ dualNorm: Double, first: Bool) {
                active.removeAll(keepingCapacity: true)
                for j in 0..<p {
                    if first && norm2[j] == 0 { w[j] = 0; excluded[j] = true; continue }
                    if !first && excluded[j] { continue }
                    let xjTheta = xta[j] / max(l1, dualNorm)
                    let d = (1 - abs(xjTheta)) / (norm2[j] + l2).squareRoot()
                    if d <= (2 * gap).squareRoot() / l1 {
                        active.append(j); excluded[j] = false
                    } else {
                        if w[j] != 0 {
                            let wj = w[j]
                            for i in 0..<n { r[i] += wj * X[j * n + i] }
                            w[j] = 0
                        }
                        excluded[j] = true
                    }
                }
            }

            var (g, dn) = dualGap()
            gap = g
            if gap <= tolGap { return }
            if screening { screen(gap, dn, first: true) }
            for iter in 0..<maxIter {
                iterations = iter + 1
                var wMax = 0.0, dwMax = 0.0
                let count = active.count
                r.withUnsafeMutableBufferPointer { rb in
                    for f in 0..<count {
                        let j = active[random ? rng.int(below: count) : f]
                        if norm2[j] == 0 { continue }
                        let old = w[j]
                        let col = UnsafeBufferPointer(rebasing: X[(j * n)..<((j + 1) * n)])
                        let tmp = LinearSupport.dot(col, UnsafeBufferPointer(rb)) + old * norm2[j]
                        let new: Double
                        if positive && tmp < 0 { new = 0 } else {
                            new = (tmp < 0 ? -1.0 : 1.0) * max(abs(tmp) - l1, 0) / (norm2[j] + l2)
                        }
                        w[j] = new
                        if new != old {
                            let d = old - new
                            for i in 0..<n { rb[i] += d * col[i] }
                        }
                        dwMax = max(dwMax, abs(new - old))
                        wMax = max(wMax, abs(new))
                    }
                }
                if wMax == 0 || dwMax / wMax <= tol || iter == maxIter - 1 {
                    (g, dn) = dualGap()
                    gap = g
                    if gap <= tolGap { break }
                    if screening { screen(gap, dn, first: false) }
                }
            }
        }
        return Result(coef: w, gap: gap, iterations: iterations)
    }

    /// The row-major matrix in column-major order.
    static func columnMajor(_ x: Matrix) -> [Double] {
        let n = x.rows, p = x.columns
        var out = [Double](repeating: 0, count: n * p)
        x.values.withUnsafeBufferPointer { src in
            for i in 0..<n { for j in 0..<p { out[j * n + i] = src[i * p + j] } }
        }
        return out
    }
}

/// Linear regression with L1 and L2 penalties (scikit-learn's `ElasticNet`).
///
/// Minimizes `(1/2n)‖y − Xβ − b‖² + α·l1_ratio‖β‖₁ + ½α(1 − l1_ratio)‖β‖²` by cyclic (or random)
/// coordinate descent with scikit-learn's duality-gap stopping rule; see
/// ``ElasticNetCoordinateDescent``. `l1_ratio=1` is the lasso, `0` ridge. Sample weights are
/// rescaled to sum to n, as scikit-learn. Defaults: `alpha=1.0`, `l1_ratio=0.5`,
/// `fit_intercept=True`, `max_iter=1000`, `tol=1e-4`, `selection="cyclic"`, `positive=False`.
public class ElasticNet: SampleWeightedRegressor, FeatureImportanceProviding {
    public class var modelName: String { "elastic-net" }

    /// Overall penalty strength α (default 1.0).
    public var alpha: Double
    /// Share of the L1 penalty, in [0, 1] (default 0.5; `Lasso` fixes it at 1).
    public var l1Ratio: Double
    /// Fit an unpenalized intercept (default true).
    public var fitIntercept: Bool
    /// Most passes over the features (default 1000).
    public var maxIter: Int
    /// Tolerance on the relative change and the duality gap (default 1e-4).
    public var tol: Double
    /// `"cyclic"` (default) or `"random"` feature order.
    public var selection: String
    /// Seed for `selection="random"`.
    public var randomState: Int?
    /// Constrain coefficients to be ≥ 0 (default false).
    public var positive: Bool

    /// Coefficients (`coef_`); exact zeros where the L1 penalty removed a feature.
    public private(set) var coef: [Double] = []
    /// Intercept (`intercept_`).
    public private(set) var intercept: Double = 0
    /// Passes run (`n_iter_`).
    public private(set) var nIterations: Int = 0
    /// Final duality gap of the objective above (`dual_gap_`).
    public private(set) var dualGap: Double = 0

    /// An elastic net; defaults as scikit-learn.
    public init(alpha: Double = 1.0, l1Ratio: Double = 0.5, fitIntercept: Bool = true, maxIter: Int = 1000,
                tol: Double = 1e-4, selection: String = "cyclic", randomState: Int? = nil, positive: Bool = false) {
        self.alpha = alpha; self.l1Ratio = l1Ratio; self.fitIntercept = fitIntercept; self.maxIter = maxIter
        self.tol = tol; self.selection = selection; self.randomState = randomState; self.positive = positive
    }
    public required convenience init() { self.init(alpha: 1.0) }

    public var parameters: [String: ParamValue] {
        ["alpha": .double(alpha), "l1_ratio": .double(l1Ratio), "fit_intercept": .bool(fitIntercept),
         "max_iter": .int(maxIter), "tol": .double(tol), "selection": .string(selection),
         "random_state": randomState.param, "positive": .bool(positive)]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "alpha": alpha = try value.double(name)
        case "l1_ratio": l1Ratio = try value.double(name)
        case "fit_intercept": fitIntercept = try value.bool(name)
        case "max_iter": maxIter = try value.int(name, atMost: ParameterLimits.iterations)
        case "tol": tol = try value.double(name)
        case "selection": selection = try value.choice(name, ["cyclic", "random"])
        case "random_state": randomState = try value.randomState(name)
        case "positive": positive = try value.bool(name)
        default: throw unknownParameter(name)
        }
    }

    public var featureImportances: [Double] { coef.map(abs) }

    public func fit(_ x: Matrix, _ y: [Double]) throws { try fit(x, y, sampleWeight: nil) }

    /// Centers, then runs coordinate descent.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeight: [Double]?) throws {
        let caller = "\(type(of: self)).fit"
        try require(alpha >= 0 && alpha.isFinite, "alpha", alpha, "must be a non-negative number")
        try require(l1Ratio >= 0 && l1Ratio <= 1, "l1_ratio", l1Ratio, "must be in [0, 1]")
        try require(maxIter >= 1, "max_iter", maxIter, "must be at least 1")
        try require(tol >= 0, "tol", tol, "must be non-negative")
        try require(selection == "cyclic" || selection == "random", "selection", selection, "expected cyclic or random")
        try LinearSupport.checkRegression(x, y, sampleWeight, caller)
        let n = x.rows
        // scikit-learn rescales the weights to sum to n so that α keeps its meaning.
        let sw = sampleWeight.map { w -> [Double] in let s = w.reduce(0, +); return w.map { $0 * Double(n) / s } }
        let c = LinearSupport.center(x, y, sampleWeight: sw, fitIntercept: fitIntercept)
        let solver = ElasticNetCoordinateDescent(
            l1: alpha * l1Ratio * Double(n), l2: alpha * (1 - l1Ratio) * Double(n), maxIter: maxIter, tol: tol,
            random: selection == "random", positive: positive, randomState: randomState)
        let result = solver.run(xCols: ElasticNetCoordinateDescent.columnMajor(c.x), n: n, p: x.columns, y: c.y)
        coef = result.coef
        nIterations = result.iterations
        dualGap = result.gap / Double(n)
        intercept = fitIntercept ? LinearSupport.intercept(c, coef: coef) : 0
    }

    /// `x·coef + intercept`.
    public func predict(_ x: Matrix) throws -> [Double] {
        try LinearSupport.predictRegression(x, coef: coef, intercept: intercept, model: Self.modelName, caller: "\(type(of: self)).predict")
    }
}

/// Linear regression with an L1 penalty (scikit-learn's `Lasso`): the elastic net with
/// `l1_ratio = 1`, minimizing `(1/2n)‖y − Xβ − b‖² + α‖β‖₁`. The L1 penalty sets many
/// coefficients exactly to zero (feature selection). Defaults: `alpha=1.0`, `fit_intercept=True`,
/// `max_iter=1000`, `tol=1e-4`, `selection="cyclic"`, `random_state=None`, `positive=False`.
public final class Lasso: ElasticNet {
    public override class var modelName: String { "lasso" }

    /// A lasso; defaults as scikit-learn.
    public init(alpha: Double = 1.0, fitIntercept: Bool = true, maxIter: Int = 1000, tol: Double = 1e-4,
                selection: String = "cyclic", randomState: Int? = nil, positive: Bool = false) {
        super.init(alpha: alpha, l1Ratio: 1, fitIntercept: fitIntercept, maxIter: maxIter, tol: tol,
                   selection: selection, randomState: randomState, positive: positive)
    }
    public required convenience init() { self.init(alpha: 1.0) }
    public required init(from decoder: Decoder) throws { try super.init(from: decoder) }

    public override var parameters: [String: ParamValue] {
        var p = super.parameters
        p["l1_ratio"] = nil
        return p
    }

    public override func setParameter(_ name: String, _ value: ParamValue) throws {
        if name == "l1_ratio" { throw unknownParameter(name) }
        try super.setParameter(name, value)
    }
}

import Foundation
import Tensors

/// Linear discriminant analysis (scikit-learn's `LinearDiscriminantAnalysis`): a classifier and
/// a supervised dimensionality reduction.
///
/// Model: every class is Gaussian with its own mean μₖ and one shared covariance Σ; Bayes' rule
/// then gives linear decision functions `δₖ(x) = xᵀΣ⁻¹μₖ − ½μₖᵀΣ⁻¹μₖ + log πₖ`. The projection
/// (``transform(_:)``) onto at most K − 1 directions maximizes between-class over within-class
/// variance (Fisher's criterion).
///
/// Solvers:
/// - `"svd"` (default): no covariance matrix is formed. The class-centered data, scaled by their
///   standard deviations, are whitened through an SVD (directions with singular value ≤ `tol`
///   dropped), and a second SVD of the whitened, prior-weighted class means finds the
///   discriminant directions. No shrinkage.
/// - `"lsqr"`: solves `Σ W = μᵀ` by least squares; supports shrinkage; no `transform`.
/// - `"eigen"`: the generalized eigenproblem `S_b v = λ S_w v` (between vs within scatter),
///   via Cholesky of `S_w`; supports shrinkage.
///
/// `shrinkage`: nil (empirical covariance), `.auto` (Ledoit–Wolf on standardized features) or
/// `.fixed(s)`, `Σ̂ = (1 − s)Σ + s·(tr Σ / p)·I`.
/// Defaults: `solver="svd"`, `shrinkage=None`, `priors=None` (class frequencies),
/// `n_components=None` (K − 1 or p), `tol=1e-4`.
public final class LinearDiscriminantAnalysis: ProbabilisticClassifier, DecisionFunctionClassifier, Transformer,
    FeatureImportanceProviding {
    public static let modelName = "lda"

    /// Covariance shrinkage.
    public enum Shrinkage: Codable, Equatable, Sendable {
        /// Ledoit–Wolf optimal shrinkage (`"auto"`).
        case auto
        /// A fixed intensity in [0, 1].
        case fixed(Double)
    }

    /// `"svd"` (default), `"lsqr"` or `"eigen"`.
    public var solver: String
    /// nil (default), `.auto`, or `.fixed(s)`; not with `svd`.
    public var shrinkage: Shrinkage?
    /// Class priors (nil: class frequencies).
    public var priors: [Double]?
    /// Dimensions kept by `transform` (nil: min(K − 1, p)).
    public var nComponents: Int?
    /// Singular values at most this (svd solver) count as zero (default 1e-4).
    public var tol: Double

    public private(set) var classes: [Int] = []
    /// Decision coefficients (`coef_`): one row per class, one row for two classes.
    public private(set) var coef = Matrix(rows: 0, columns: 0)
    /// Decision intercepts (`intercept_`).
    public private(set) var intercept: [Double] = []
    /// Class means (`means_`, classes × features).
    public private(set) var means = Matrix(rows: 0, columns: 0)
    /// Class priors used (`priors_`).
    public private(set) var classPriors: [Double] = []
    /// Projection directions (`scalings_`, features × directions).
    public private(set) var scalings = Matrix(rows: 0, columns: 0)
    /// Share of between-class variance per discriminant direction (`explained_variance_ratio_`).
    public private(set) var explainedVarianceRatio: [Double] = []
    /// Prior-weighted overall mean (`xbar_`, svd solver).
    public private(set) var xbar: [Double] = []
    /// Shared within-class covariance (`covariance_`; lsqr and eigen solvers).
    public private(set) var covariance = Matrix(rows: 0, columns: 0)
    /// Number of output dimensions of `transform`.
    public private(set) var maxComponents: Int = 0

    /// A linear discriminant analysis; defaults as scikit-learn.
    public init(solver: String = "svd", shrinkage: Shrinkage? = nil, priors: [Double]? = nil, nComponents: Int? = nil,
                tol: Double = 1e-4) {
        self.solver = solver; self.shrinkage = shrinkage; self.priors = priors; self.nComponents = nComponents; self.tol = tol
    }
    public convenience init() { self.init(solver: "svd") }

    public var parameters: [String: ParamValue] {
        let s: ParamValue
        switch shrinkage { case nil: s = .none; case .auto?: s = .string("auto"); case .fixed(let v)?: s = .double(v) }
        return ["solver": .string(solver), "shrinkage": s, "priors": priors.map { .list($0.map { .double($0) }) } ?? .none,
                "n_components": nComponents.param, "tol": .double(tol)]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "solver": solver = try value.choice(name, ["svd", "lsqr", "eigen"])
        case "shrinkage":
            switch value {
            case .none: shrinkage = nil
            case .string("auto"): shrinkage = .auto
            default: shrinkage = .fixed(try value.double(name))
            }
        case "priors":
            switch value {
            case .none: priors = nil
            case .list(let l): priors = try l.map { try $0.double(name) }
            default: throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected None or a list")
            }
        case "n_components": nComponents = try value.optionalInt(name)
        case "tol": tol = try value.double(name)
        default: throw unknownParameter(name)
        }
    }

    /// |coef| summed over rows.
    public var featureImportances: [Double] { LinearSupport.importances(coef) }

    /// As a transformer: needs class labels as the target.
    public func fit(_ x: Matrix, target: Target?) throws {
        guard case .classes(let y)? = target else {
            throw LearnError.invalidInput("LinearDiscriminantAnalysis.fit: needs class labels as the target")
        }
        try fit(x, y)
    }

    /// Estimates means, priors and the discriminant directions with the chosen solver.
    public func fit(_ x: Matrix, _ y: [Int]) throws {
        try require(["svd", "lsqr", "eigen"].contains(solver), "solver", solver, "expected svd, lsqr or eigen")
        if case .fixed(let s)? = shrinkage { try require(s >= 0 && s <= 1, "shrinkage", s, "must be in [0, 1]") }
        if solver == "svd", let sh = shrinkage {
            throw LearnError.invalidParameter(name: "shrinkage", value: "\(sh)", reason: "is not supported with the svd solver")
        }
        try require(tol >= 0, "tol", tol, "must be non-negative")
        let (labels, encoded) = try LabelSet.fitting(x, y, "LinearDiscriminantAnalysis.fit")
        let k = labels.count, p = x.columns, n = x.rows
        var counts = [Double](repeating: 0, count: k)
        for c in encoded { counts[c] += 1 }
        var pri: [Double]
        if let priors {
            try require(priors.count == k && priors.allSatisfy { $0 >= 0 && $0.isFinite }, "priors",
                        ParamValue.list(priors.map { .double($0) }), "needs \(k) non-negative values")
            let total = priors.reduce(0, +)
            try require(total > 0, "priors", ParamValue.list(priors.map { .double($0) }), "must not all be zero")
            pri = priors.map { $0 / total }
        } else {
            pri = counts.map { $0 / Double(n) }
        }
        let maxComp = min(k - 1, p)
        if let nc = nComponents {
            try require(nc >= 1 && nc <= maxComp, "n_components", nc, "must be in 1…min(n_features, n_classes − 1) = \(maxComp)")
        }
        maxComponents = nComponents ?? maxComp
        var mu = Matrix(rows: k, columns: p)
        for i in 0..<n { for j in 0..<p { mu[encoded[i], j] += x[i, j] } }
        for c in 0..<k { for j in 0..<p { mu[c, j] /= counts[c] } }
        classPriors = pri
        means = mu
        switch solver {
        case "svd": try solveSVD(x, encoded, k)
        case "lsqr": try solveLeastSquares(x, encoded, k)
        default: try solveEigen(x, encoded, k)
        }
        if k == 2 {
            coef = Matrix(rows: 1, columns: p, values: (0..<p).map { coef[1, $0] - coef[0, $0] })
            intercept = [intercept[1] - intercept[0]]
        }
        classes = labels.classes
    }

    // MARK: - Solvers

    private func solveSVD(_ x: Matrix, _ encoded: [Int], _ k: Int) throws {
        let n = x.rows, p = x.columns
        // 1) Class-centered data, each feature scaled by its within-class standard deviation.
        var xc = x
        for i in 0..<n { for j in 0..<p { xc[i, j] -= means[encoded[i], j] } }
        var std = [Double](repeating: 0, count: p)
        let colMean = xc.columnMeans()
        for i in 0..<n { for j in 0..<p { let d = xc[i, j] - colMean[j]; std[j] += d * d } }
        std = std.map { $0 == 0 ? 1 : ($0 / Double(n)).squareRoot() }
        let fac = (1 / Double(n)).squareRoot()
        for i in 0..<n { for j in 0..<p { xc[i, j] = fac * xc[i, j] / std[j] } }
        // 2) Whitening: within covariance = V S² Vᵀ, so scalings = V S⁻¹ (per std) map it to I.
        let svd1 = try Linalg.svd(xc.values, rows: n, cols: p, fullMatrices: false)
        let r = svd1.s.filter { $0 > tol }.count
        guard r > 0 else { throw LearnError.invalidInput("LinearDiscriminantAnalysis.fit: all within-class variances are zero") }
        var white = Matrix(rows: p, columns: r)
        for j in 0..<p { for c in 0..<r { white[j, c] = svd1.vt[c * p + j] / std[j] / svd1.s[c] } }
        // 3) Between-class: SVD of the whitened, √(n·prior/(K−1))-weighted class means.
        var xb = [Double](repeating: 0, count: p)
        for c in 0..<k { for j in 0..<p { xb[j] += classPriors[c] * means[c, j] } }
        let fac2 = k == 1 ? 1.0 : 1 / Double(k - 1)
        var centers = Matrix(rows: k, columns: p)
        for c in 0..<k {
            let w = (Double(n) * classPriors[c] * fac2).squareRoot()
            for j in 0..<p { centers[c, j] = w * (means[c, j] - xb[j]) }
        }
        let between = Matrix.product(centers, white)            // k × r
        let svd2 = try Linalg.svd(between.values, rows: k, cols: r, fullMatrices: false)
        let s2 = svd2.s
        let total = s2.reduce(0) { $0 + $1 * $1 }
        explainedVarianceRatio = Array(s2.map { total > 0 ? $0 * $0 / total : 0 }.prefix(maxComponents))
        let rank2 = s2.filter { $0 > tol * (s2.first ?? 0) }.count
        // scalings = white · V₂[:, :rank2]
        var v2 = Matrix(rows: r, columns: rank2)
        for a in 0..<r { for b in 0..<rank2 { v2[a, b] = svd2.vt[b * r + a] } }
        scalings = Matrix.product(white, v2)                     // p × rank2
        // Decision function in the projected space, mapped back to features.
        var centered = means
        for c in 0..<k { for j in 0..<p { centered[c, j] -= xb[j] } }
        let proj = Matrix.product(centered, scalings)           // k × rank2
        coef = Matrix.product(proj, scalings, transposeB: true) // k × p
        intercept = (0..<k).map { c in
            var s = 0.0
            for b in 0..<rank2 { s += proj[c, b] * proj[c, b] }
            var v = -0.5 * s + Foundation.log(classPriors[c])
            for j in 0..<p { v -= xb[j] * coef[c, j] }
            return v
        }
        xbar = xb
        covariance = Matrix(rows: 0, columns: 0)
    }

    private func solveLeastSquares(_ x: Matrix, _ encoded: [Int], _ k: Int) throws {
        let p = x.columns
        covariance = classCovariance(x, encoded, k)
        // Σ W = μᵀ by least squares (SVD), then W is p × k.
        coef = Matrix(rows: p, columns: k, values: try Self.equilibratedSolve(covariance, means.transposed)).transposed
        finishIntercept(k)
        scalings = Matrix(rows: 0, columns: 0)
        explainedVarianceRatio = []
    }

    /// Solves `Σ W = B` as `(D⁻¹ Σ D⁻¹)(D W) = D⁻¹ B` with `D = √diag(Σ)`. Unscaled features make Σ
    /// badly conditioned (breast cancer: 1.5e11) while its correlation form is not (169), so the
    /// scaled solve is accurate to ~1e-15 where a plain SVD solve loses up to cond·ε and the digits
    /// it loses depend on the BLAS kernels of the machine. The solution is the same when Σ is
    /// nonsingular; when the scaled system is rank deficient this falls back to the plain
    /// minimum-norm solve, which is what scikit-learn's `lstsq` returns.
    static func equilibratedSolve(_ sigma: Matrix, _ b: Matrix) throws -> [Double] {
        let p = sigma.rows, k = b.columns
        let d = (0..<p).map { i -> Double in
            let v = sigma[i, i]
            return v > 0 && v.isFinite ? v.squareRoot() : 1
        }
        var scaled = sigma.values, rhs = b.values
        for i in 0..<p {
            for j in 0..<p { scaled[i * p + j] /= d[i] * d[j] }
            for j in 0..<k { rhs[i * k + j] /= d[i] }
        }
        let sol = try Linalg.lstsq(scaled, rhs, rows: p, cols: p, nrhs: k)
        guard sol.rank == p else {
            return try Linalg.lstsq(sigma.values, b.values, rows: p, cols: p, nrhs: k).solution
        }
        var w = sol.solution
        for i in 0..<p { for j in 0..<k { w[i * k + j] /= d[i] } }
        return w
    }

    private func solveEigen(_ x: Matrix, _ encoded: [Int], _ k: Int) throws {
        let p = x.columns
        let sw = classCovariance(x, encoded, k)
        covariance = sw
        let st = Self.covarianceEstimate(x, shrinkage)
        var sb = st
        for i in 0..<(p * p) { sb.values[i] -= sw.values[i] }
        // Generalized symmetric problem S_b v = λ S_w v: with S_w = L Lᵀ it is the ordinary
        // problem C u = λ u, C = L⁻¹ S_b L⁻ᵀ, and v = L⁻ᵀ u (so vᵀ S_w v = 1).
        guard let l = try? Linalg.cholesky(sw.values, n: p) else {
            throw LearnError.invalidInput("LinearDiscriminantAnalysis.fit: the within-class covariance is singular; use shrinkage or the svd solver")
        }
        let linv = try Linalg.inverse(l, n: p)
        let linvM = Matrix(rows: p, columns: p, values: linv)
        let cmat = Matrix.product(Matrix.product(linvM, sb), linvM, transposeB: true)
        let eig = try Linalg.eigh(cmat.values, n: p)
        let order = (0..<p).sorted { eig.eigenvalues[$0] > eig.eigenvalues[$1] }
        let u = Matrix(rows: p, columns: p, values: eig.eigenvectors).columns(order)
        let evecs = Matrix.product(linvM, u, transposeA: true)   // L⁻ᵀ U
        let evals = order.map { eig.eigenvalues[$0] }
        let total = evals.reduce(0, +)
        explainedVarianceRatio = Array(evals.map { $0 / total }.prefix(maxComponents))
        scalings = evecs
        coef = Matrix.product(Matrix.product(means, evecs), evecs, transposeB: true)
        finishIntercept(k)
    }

    /// `−½ μₖ·wₖ + log πₖ`.
    private func finishIntercept(_ k: Int) {
        intercept = (0..<k).map { c in
            var s = 0.0
            for j in 0..<means.columns { s += means[c, j] * coef[c, j] }
            return -0.5 * s + Foundation.log(classPriors[c])
        }
        xbar = []
    }

    /// Σₖ πₖ Σ̂ₖ: the prior-weighted per-class covariance estimates.
    private func classCovariance(_ x: Matrix, _ encoded: [Int], _ k: Int) -> Matrix {
        let p = x.columns
        var out = Matrix(rows: p, columns: p)
        for c in 0..<k {
            let idx = encoded.indices.filter { encoded[$0] == c }
            let cov = Self.covarianceEstimate(x.rows(idx), shrinkage)
            for i in 0..<(p * p) { out.values[i] += classPriors[c] * cov.values[i] }
        }
        return out
    }

    /// Maximum-likelihood covariance (divided by n), optionally shrunk (scikit-learn's `_cov`).
    static func covarianceEstimate(_ x: Matrix, _ shrinkage: Shrinkage?) -> Matrix {
        let n = x.rows, p = x.columns
        var xc = x
        let m = x.columnMeans()
        for i in 0..<n { for j in 0..<p { xc[i, j] -= m[j] } }
        switch shrinkage {
        case nil:
            return scaled(Matrix.product(xc, xc, transposeA: true), 1 / Double(n))
        case .fixed(let s)?:
            return shrunk(scaled(Matrix.product(xc, xc, transposeA: true), 1 / Double(n)), s)
        case .auto?:
            // Standardize, Ledoit–Wolf, then scale back: Σ = D S D.
            var sd = [Double](repeating: 0, count: p)
            for i in 0..<n { for j in 0..<p { sd[j] += xc[i, j] * xc[i, j] } }
            sd = sd.map { let v = ($0 / Double(n)).squareRoot(); return v == 0 ? 1 : v }
            for i in 0..<n { for j in 0..<p { xc[i, j] /= sd[j] } }
            var s = ledoitWolf(xc)
            for a in 0..<p { for b in 0..<p { s[a, b] *= sd[a] * sd[b] } }
            return s
        }
    }

    private static func scaled(_ m: Matrix, _ f: Double) -> Matrix {
        var out = m
        for i in 0..<out.values.count { out.values[i] *= f }
        return out
    }

    /// `(1 − s)Σ + s·(tr Σ/p)·I`.
    private static func shrunk(_ cov: Matrix, _ s: Double) -> Matrix {
        let p = cov.rows
        var mu = 0.0
        for j in 0..<p { mu += cov[j, j] }
        mu /= Double(p)
        var out = scaled(cov, 1 - s)
        for j in 0..<p { out[j, j] += s * mu }
        return out
    }

    /// Ledoit–Wolf shrunk covariance of centered data (Ledoit & Wolf 2004): the intensity
    /// `min(β, δ)/δ` with `δ = ‖S − μI‖²_F/p` and `β = (1/(p n²)) Σᵢ ‖xᵢxᵢᵀ − S‖²_F` (as scikit-learn computes it).
    static func ledoitWolf(_ xc: Matrix) -> Matrix {
        let n = Double(xc.rows), p = xc.columns
        let emp = scaled(Matrix.product(xc, xc, transposeA: true), 1 / n)
        if p == 1 { return emp }
        var x2 = xc
        for i in 0..<x2.values.count { x2.values[i] *= x2.values[i] }
        var traceTerms = [Double](repeating: 0, count: p)
        for j in 0..<p { traceTerms[j] = emp[j, j] }
        let mu = traceTerms.reduce(0, +) / Double(p)
        let beta0 = Matrix.product(x2, x2, transposeA: true).values.reduce(0, +)
        let xtx = Matrix.product(xc, xc, transposeA: true)
        var delta0 = xtx.values.reduce(0) { $0 + $1 * $1 }
        delta0 /= n * n
        var beta = 1 / (Double(p) * n) * (beta0 / n - delta0)
        var delta = delta0 - 2 * mu * traceTerms.reduce(0, +) + Double(p) * mu * mu
        delta /= Double(p)
        beta = min(beta, delta)
        let s = beta == 0 ? 0 : beta / delta
        return shrunk(emp, s)
    }

    // MARK: - Prediction

    /// `x·Wᵀ + b`: one column for two classes, else one per class.
    public func decisionFunction(_ x: Matrix) throws -> Matrix {
        guard !classes.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: coef.columns, "LinearDiscriminantAnalysis.decisionFunction")
        return LinearSupport.decision(x, coef: coef, intercept: intercept)
    }

    /// Posterior class probabilities (sigmoid / softmax of the decision values).
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        LinearSupport.probabilities(fromDecision: try decisionFunction(x))
    }

    /// The class with the largest posterior.
    public func predict(_ x: Matrix) throws -> [Int] {
        LinearSupport.argmaxRows(try decisionFunction(x)).map { classes[$0] }
    }

    /// Projection onto the first `n_components` discriminant directions: `(x − x̄)·scalings`
    /// (svd) or `x·scalings` (eigen). Not available with `lsqr`.
    public func transform(_ x: Matrix) throws -> Matrix {
        guard !classes.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        guard solver != "lsqr", scalings.rows > 0 else {
            throw LearnError.invalidInput("LinearDiscriminantAnalysis.transform: not available with solver='lsqr' (use svd or eigen)")
        }
        try Check.featureCount(x, expected: coef.columns, "LinearDiscriminantAnalysis.transform")
        var xin = x
        if solver == "svd" { for i in 0..<x.rows { for j in 0..<x.columns { xin[i, j] -= xbar[j] } } }
        let out = Matrix.product(xin, scalings)
        let keep = min(maxComponents, scalings.columns)
        return out.columns(Array(0..<keep))
    }
}

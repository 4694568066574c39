import Foundation
import Tensors

/// Gaussian mixture model fitted by expectation–maximisation (`sklearn.mixture.GaussianMixture`).
///
/// Models the density as `p(x) = Σₖ πₖ 𝒩(x; μₖ, Σₖ)`. EM alternates the E-step (responsibilities
/// `rᵢₖ ∝ πₖ 𝒩(xᵢ; μₖ, Σₖ)`, computed in log space with log-sum-exp) and the M-step (weighted
/// means, covariances plus `reg_covar` on the diagonal, and weights), until the mean
/// log-likelihood per sample (the lower bound) changes by less than `tol`. As scikit-learn,
/// Gaussians are evaluated through the Cholesky factor of the precision matrix:
/// `log 𝒩 = −½(d log 2π + ‖(x − μ) Pₖ‖²) + Σ log diag Pₖ`, with `Σₖ⁻¹ = Pₖ Pₖᵀ`.
///
/// `covariance_type`: `"full"` (one matrix per component), `"tied"` (one shared matrix),
/// `"diag"` (one diagonal per component), `"spherical"` (one variance per component).
/// Layout of ``covariances`` and ``precisionsCholesky`` (flat, row-major): full `k·d·d`, tied
/// `d·d`, diag `k·d`, spherical `k`.
///
/// Defaults: `n_components=1, covariance_type="full", tol=1e-3, reg_covar=1e-6, max_iter=100,
/// n_init=1, init_params="kmeans", weights_init=None, means_init=None, random_state=None,
/// warm_start=False`.
public final class GaussianMixture: PredictingClusterer {
    public static let modelName = "gmm"

    /// Number of components `k` (`n_components`).
    public var nComponents: Int
    /// `"full"`, `"tied"`, `"diag"` or `"spherical"` (`covariance_type`).
    public var covarianceType: String
    /// Convergence threshold on the lower-bound gain (`tol`).
    public var tol: Double
    /// Added to covariance diagonals (`reg_covar`).
    public var regCovar: Double
    /// EM iterations per initialisation (`max_iter`).
    public var maxIter: Int
    /// Initialisations; the best lower bound is kept (`n_init`).
    public var nInit: Int
    /// `"kmeans"`, `"k-means++"`, `"random"` or `"random_from_data"` (`init_params`).
    public var initParams: String
    /// Initial weights (`weights_init`), length `k`, summing to 1.
    public var weightsInit: [Double]?
    /// Initial means (`means_init`), `k × d`.
    public var meansInit: Matrix?
    /// Seed (`random_state`).
    public var randomState: Int?
    /// Start from the last fit's parameters (`warm_start`).
    public var warmStart: Bool

    /// Mixture weights πₖ (`weights_`).
    public private(set) var weights: [Double] = []
    /// Component means, `k × d` (`means_`).
    public private(set) var means = Matrix(rows: 0, columns: 0)
    /// Covariances in the layout described above (`covariances_`).
    public private(set) var covariances: [Double] = []
    /// Cholesky factors of the precisions (upper triangular for full/tied) (`precisions_cholesky_`).
    public private(set) var precisionsCholesky: [Double] = []
    /// Whether the best run converged (`converged_`).
    public private(set) var converged = false
    /// EM iterations of the best run (`n_iter_`).
    public private(set) var nIterations = 0
    /// Mean log-likelihood of the training data under the best run (`lower_bound_`).
    public private(set) var lowerBound = -Double.infinity
    /// Hard assignment of each training sample (the last E-step's argmax).
    public private(set) var labels: [Int] = []

    /// A Gaussian mixture with scikit-learn's defaults.
    public init(nComponents: Int = 1, covarianceType: String = "full", tol: Double = 1e-3, regCovar: Double = 1e-6,
                maxIter: Int = 100, nInit: Int = 1, initParams: String = "kmeans", weightsInit: [Double]? = nil,
                meansInit: Matrix? = nil, randomState: Int? = nil, warmStart: Bool = false) {
        self.nComponents = nComponents; self.covarianceType = covarianceType; self.tol = tol; self.regCovar = regCovar
        self.maxIter = maxIter; self.nInit = nInit; self.initParams = initParams; self.weightsInit = weightsInit
        self.meansInit = meansInit; self.randomState = randomState; self.warmStart = warmStart
    }
    public convenience init() { self.init(nComponents: 1) }

    public var parameters: [String: ParamValue] {
        ["n_components": .int(nComponents), "covariance_type": .string(covarianceType), "tol": .double(tol),
         "reg_covar": .double(regCovar), "max_iter": .int(maxIter), "n_init": .int(nInit), "init_params": .string(initParams),
         "weights_init": weightsInit.map { .list($0.map { .double($0) }) } ?? .none,
         "means_init": meansInit.map { m in .list((0..<m.rows).map { .list(m.row($0).map { .double($0) }) }) } ?? .none,
         "random_state": randomState.param, "warm_start": .bool(warmStart)]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "n_components": nComponents = try value.int(name)
        case "covariance_type": covarianceType = try value.choice(name, ["full", "tied", "diag", "spherical"])
        case "tol": tol = try value.double(name)
        case "reg_covar": regCovar = try value.double(name)
        case "max_iter": maxIter = try value.int(name, atMost: ParameterLimits.iterations)
        case "n_init": nInit = try value.int(name, atMost: ParameterLimits.estimators)
        case "init_params": initParams = try value.choice(name, ["kmeans", "k-means++", "random", "random_from_data"])
        case "weights_init":
            if case .list(let l) = value { weightsInit = try l.map { try $0.double(name) } }
            else if case .none = value { weightsInit = nil }
            else { throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected a list of numbers or None") }
        case "means_init":
            if case .list(let rows) = value {
                let r: [[Double]] = try rows.map { row in
                    guard case .list(let l) = row else { throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected a list of rows") }
                    return try l.map { try $0.double(name) }
                }
                guard let c = r.first?.count, r.allSatisfy({ $0.count == c }) else {
                    throw LearnError.invalidParameter(name: name, value: value.description, reason: "rows of different lengths")
                }
                meansInit = Matrix(r)
            } else if case .none = value { meansInit = nil }
            else { throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected a list of rows or None") }
        case "random_state": randomState = try value.randomState(name)
        case "warm_start": warmStart = try value.bool(name)
        default: throw unknownParameter(name)
        }
    }

    // MARK: - Fit

    private func validate(_ x: Matrix) throws {
        try require(nComponents >= 1, "n_components", nComponents, "must be at least 1")
        try require(["full", "tied", "diag", "spherical"].contains(covarianceType), "covariance_type", covarianceType, "unknown type")
        try require(tol >= 0, "tol", tol, "must be non-negative")
        try require(regCovar >= 0, "reg_covar", regCovar, "must be non-negative")
        try require(maxIter >= 0, "max_iter", maxIter, "must be non-negative")
        try require(nInit >= 1, "n_init", nInit, "must be at least 1")
        try require(["kmeans", "k-means++", "random", "random_from_data"].contains(initParams), "init_params", initParams, "unknown init")
        try Check.features(x, "GaussianMixture.fit", minRows: 2)
        guard x.rows >= nComponents else {
            throw LearnError.invalidInput("GaussianMixture.fit: expected n_samples >= n_components but got n_components = \(nComponents), n_samples = \(x.rows)")
        }
        if let w = weightsInit {
            try require(w.count == nComponents && w.allSatisfy { $0 >= 0 && $0 <= 1 } && Swift.abs(w.reduce(0, +) - 1) < 1e-6,
                        "weights_init", w.description, "needs \(nComponents) weights in [0, 1] summing to 1")
        }
        if let m = meansInit {
            try require(m.rows == nComponents && m.columns == x.columns, "means_init", "\(m.rows)×\(m.columns)",
                        "needs shape \(nComponents)×\(x.columns)")
        }
    }

    /// Fits the mixture to the rows of `x` (EM, `n_init` times, best lower bound kept).
    public func fit(_ x: Matrix) throws {
        try validate(x)
        let resume = warmStart && !weights.isEmpty && means.columns == x.columns && means.rows == nComponents
        let runs = resume ? 1 : nInit
        var rng = SeededRandom(seed: randomState.unsupSeed)
        var best: (params: Params, iterations: Int, bound: Double, converged: Bool)?
        for _ in 0..<runs {
            var params: Params
            var bound = -Double.infinity
            if resume { params = currentParams; bound = lowerBound } else { params = try initialParameters(x, rng: &rng) }
            var iterations = 0, didConverge = false
            if maxIter > 0 {
                for it in 1...maxIter {
                    iterations = it
                    let previous = bound
                    let (meanLogProb, logResp) = GaussianMixture.eStep(x, params, type: covarianceType)
                    params = try mStep(x, logResp: logResp)
                    bound = meanLogProb
                    if Swift.abs(bound - previous) < tol { didConverge = true; break }
                }
            }
            if best == nil || bound > best!.bound { best = (params, iterations, bound, didConverge) }
        }
        currentParams = best!.params
        nIterations = best!.iterations
        lowerBound = best!.bound
        converged = best!.converged
        let (_, logResp) = GaussianMixture.eStep(x, currentParams, type: covarianceType)
        labels = GaussianMixture.argmaxRows(logResp)
    }

    /// The fitted parameters as one value.
    struct Params { var weights: [Double]; var means: Matrix; var covariances: [Double]; var precChol: [Double] }

    private var currentParams: Params {
        get { Params(weights: weights, means: means, covariances: covariances, precChol: precisionsCholesky) }
        set { weights = newValue.weights; means = newValue.means; covariances = newValue.covariances; precisionsCholesky = newValue.precChol }
    }

    /// Initial responsibilities (hard k-means labels, k-means++ or random samples, or random
    /// soft assignments), then one M-step; `weights_init`/`means_init` override.
    private func initialParameters(_ x: Matrix, rng: inout SeededRandom) throws -> Params {
        let n = x.rows, k = nComponents
        var resp = Matrix(rows: n, columns: k)
        switch initParams {
        case "kmeans":
            let km = KMeans(nClusters: k, nInit: 1, randomState: Int(truncatingIfNeeded: rng.childSeed()))
            try km.fit(x)
            for i in 0..<n { resp[i, km.labels[i]] = 1 }
        case "k-means++":
            let chosen = KMeans.plusPlus(x, k: k, norms: unsupRowSquaredNorms(x), rng: &rng).indices
            for (c, i) in chosen.enumerated() { resp[i, c] = 1 }
        case "random_from_data":
            for (c, i) in rng.sample(n, count: k).enumerated() { resp[i, c] = 1 }
        default:
            for i in 0..<n {
                var s = 0.0
                for c in 0..<k { resp[i, c] = rng.uniform(); s += resp[i, c] }
                for c in 0..<k { resp[i, c] /= s }
            }
        }
        var p = try estimate(x, resp: resp)
        if let w = weightsInit { p.weights = w }
        // As scikit-learn: covariances stay those estimated around the responsibility means.
        if let m = meansInit { p.means = m }
        return p
    }

    /// M-step from log responsibilities.
    private func mStep(_ x: Matrix, logResp: Matrix) throws -> Params {
        var resp = logResp
        for i in 0..<resp.values.count { resp.values[i] = Foundation.exp(resp.values[i]) }
        return try estimate(x, resp: resp)
    }

    /// Weights, means and covariances from responsibilities (`_estimate_gaussian_parameters`),
    /// then the precision Cholesky factors.
    private func estimate(_ x: Matrix, resp: Matrix) throws -> Params {
        let n = x.rows, d = x.columns, k = resp.columns
        var nk = [Double](repeating: 10 * Double.ulpOfOne, count: k)
        for i in 0..<n { for c in 0..<k { nk[c] += resp[i, c] } }
        var means = Matrix.product(resp, x, transposeA: true)          // k × d
        for c in 0..<k { for j in 0..<d { means[c, j] /= nk[c] } }
        var cov: [Double]
        switch covarianceType {
        case "full":
            cov = [Double](repeating: 0, count: k * d * d)
            for c in 0..<k {
                // Σ_c = Σᵢ rᵢc (xᵢ − μc)(xᵢ − μc)ᵀ / n_c, as one GEMM on √r-weighted centred rows.
                var w = Matrix(rows: n, columns: d)
                for i in 0..<n {
                    let s = resp[i, c].squareRoot()
                    for j in 0..<d { w.values[i * d + j] = s * (x.values[i * d + j] - means[c, j]) }
                }
                let s = Matrix.product(w, w, transposeA: true)
                for a in 0..<d { for b in 0..<d { cov[c * d * d + a * d + b] = s[a, b] / nk[c] } }
                for a in 0..<d { cov[c * d * d + a * d + a] += regCovar }
            }
        case "tied":
            let xx = Matrix.product(x, x, transposeA: true)
            var mm = Matrix(rows: d, columns: d)
            for c in 0..<k { for a in 0..<d { for b in 0..<d { mm[a, b] += nk[c] * means[c, a] * means[c, b] } } }
            let total = nk.reduce(0, +)
            cov = [Double](repeating: 0, count: d * d)
            for a in 0..<d { for b in 0..<d { cov[a * d + b] = (xx[a, b] - mm[a, b]) / total } }
            for a in 0..<d { cov[a * d + a] += regCovar }
        default:
            // diag: E[x²] − 2 μ E[x] + μ² per component; spherical: its mean over features.
            var x2 = x
            for i in 0..<x2.values.count { x2.values[i] *= x2.values[i] }
            let ax2 = Matrix.product(resp, x2, transposeA: true)
            let ax = Matrix.product(resp, x, transposeA: true)
            cov = [Double](repeating: 0, count: k * d)
            for c in 0..<k { for j in 0..<d {
                let m = means[c, j]
                cov[c * d + j] = ax2[c, j] / nk[c] - 2 * m * ax[c, j] / nk[c] + m * m + regCovar
            } }
            if covarianceType == "spherical" {
                cov = (0..<k).map { c in cov[(c * d)..<((c + 1) * d)].reduce(0, +) / Double(d) }
            }
        }
        let total = nk.reduce(0, +)
        return Params(weights: nk.map { $0 / total }, means: means, covariances: cov,
                      precChol: try GaussianMixture.precisionCholesky(cov, type: covarianceType, k: k, d: d))
    }

    /// Cholesky factors of the precisions: for full/tied `Pₖ = (Lₖ⁻¹)ᵀ` where `Σₖ = Lₖ Lₖᵀ`
    /// (upper triangular); `1/√σ²` for diag/spherical. Throws when a covariance is not positive definite.
    static func precisionCholesky(_ cov: [Double], type: String, k: Int, d: Int) throws -> [Double] {
        let failure = LearnError.invalidInput("GaussianMixture.fit: fitting the mixture model failed because some components have ill-defined empirical covariance (for instance caused by singleton or collapsed samples). Try to decrease the number of components, increase reg_covar, or scale the input data.")
        switch type {
        case "full", "tied":
            let count = type == "full" ? k : 1
            var out = [Double](repeating: 0, count: count * d * d)
            for c in 0..<count {
                let block = Array(cov[(c * d * d)..<((c + 1) * d * d)])
                guard let l = try? Linalg.cholesky(block, n: d), l.allSatisfy({ $0.isFinite }) else { throw failure }
                // Invert the lower-triangular L by forward substitution; store (L⁻¹)ᵀ.
                var inv = [Double](repeating: 0, count: d * d)
                for col in 0..<d {
                    for i in col..<d {
                        var s = i == col ? 1.0 : 0.0
                        for m in col..<i { s -= l[i * d + m] * inv[m * d + col] }
                        inv[i * d + col] = s / l[i * d + i]
                    }
                }
                for i in 0..<d { for j in 0..<d { out[c * d * d + j * d + i] = inv[i * d + j] } }
            }
            return out
        default:
            guard cov.allSatisfy({ $0 > 0 }) else { throw failure }
            return cov.map { 1 / $0.squareRoot() }
        }
    }

    // MARK: - E-step and densities

    /// `log πₖ + log 𝒩(xᵢ; μₖ, Σₖ)` for every sample and component (`n × k`).
    static func weightedLogProb(_ x: Matrix, _ p: Params, type: String) -> Matrix {
        let n = x.rows, d = x.columns, k = p.means.rows
        var out = Matrix(rows: n, columns: k)
        let log2pi = Foundation.log(2 * Double.pi)
        switch type {
        case "full", "tied":
            // Tied: one shared factor, so x·P is computed once.
            var shared: Matrix? = nil
            for c in 0..<k {
                let off = type == "full" ? c * d * d : 0
                let pc = Matrix(rows: d, columns: d, values: Array(p.precChol[off..<(off + d * d)]))
                var logDet = 0.0
                for j in 0..<d { logDet += Foundation.log(pc[j, j]) }
                if shared == nil || type == "full" { shared = Matrix.product(x, pc) }
                let y = shared!                              // n × d
                let mu = Matrix(rows: 1, columns: d, values: p.means.row(c))
                let my = Matrix.product(mu, pc).values
                for i in 0..<n {
                    var s = 0.0
                    for j in 0..<d { let t = y.values[i * d + j] - my[j]; s += t * t }
                    out[i, c] = -0.5 * (Double(d) * log2pi + s) + logDet + Foundation.log(p.weights[c])
                }
            }
        default:
            for c in 0..<k {
                var logDet = 0.0
                var prec = [Double](repeating: 0, count: d)
                for j in 0..<d {
                    let pc = type == "diag" ? p.precChol[c * d + j] : p.precChol[c]
                    prec[j] = pc * pc
                    logDet += Foundation.log(pc)
                }
                for i in 0..<n {
                    var s = 0.0
                    for j in 0..<d { let t = x[i, j] - p.means[c, j]; s += t * t * prec[j] }
                    out[i, c] = -0.5 * (Double(d) * log2pi + s) + logDet + Foundation.log(p.weights[c])
                }
            }
        }
        return out
    }

    /// Per-sample log-likelihood and log responsibilities.
    static func logLikelihoods(_ x: Matrix, _ p: Params, type: String) -> (perSample: [Double], logResp: Matrix) {
        var w = weightedLogProb(x, p, type: type)
        let k = w.columns
        var norm = [Double](repeating: 0, count: x.rows)
        w.values.withUnsafeMutableBufferPointer { wp in
            for i in 0..<x.rows {
                let row = UnsafeBufferPointer(rebasing: wp[(i * k)..<((i + 1) * k)])
                norm[i] = unsupLogSumExp(row)
                for c in 0..<k { wp[i * k + c] -= norm[i] }
            }
        }
        return (norm, w)
    }

    /// E-step: mean log-likelihood and log responsibilities.
    static func eStep(_ x: Matrix, _ p: Params, type: String) -> (Double, Matrix) {
        let (ll, lr) = logLikelihoods(x, p, type: type)
        return (ll.reduce(0, +) / Double(ll.count), lr)
    }

    static func argmaxRows(_ m: Matrix) -> [Int] {
        (0..<m.rows).map { i in
            var best = 0
            for c in 1..<Swift.max(m.columns, 1) where m[i, c] > m[i, best] { best = c }
            return best
        }
    }

    // MARK: - Prediction

    private func checkFitted(_ x: Matrix, _ caller: String) throws {
        guard !weights.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: means.columns, caller)
    }

    /// Most probable component of each row.
    public func predict(_ x: Matrix) throws -> [Int] {
        try checkFitted(x, "GaussianMixture.predict")
        return GaussianMixture.argmaxRows(GaussianMixture.weightedLogProb(x, currentParams, type: covarianceType))
    }

    /// Posterior probability of each component for each row (`predict_proba`), `n × k`.
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        try checkFitted(x, "GaussianMixture.predictProbabilities")
        var lr = GaussianMixture.logLikelihoods(x, currentParams, type: covarianceType).logResp
        for i in 0..<lr.values.count { lr.values[i] = Foundation.exp(lr.values[i]) }
        return lr
    }

    /// Log density `log p(x)` of each row (`score_samples`).
    public func scoreSamples(_ x: Matrix) throws -> [Double] {
        try checkFitted(x, "GaussianMixture.scoreSamples")
        return GaussianMixture.logLikelihoods(x, currentParams, type: covarianceType).perSample
    }

    /// Mean log-likelihood per row (`score`).
    public func score(_ x: Matrix) throws -> Double {
        let s = try scoreSamples(x)
        guard !s.isEmpty else { throw LearnError.invalidInput("GaussianMixture.score: no samples") }
        return s.reduce(0, +) / Double(s.count)
    }

    /// Number of free parameters of the model (`_n_parameters`).
    public var parameterCount: Int {
        let d = means.columns, k = means.rows
        let cov: Int
        switch covarianceType {
        case "full": cov = k * d * (d + 1) / 2
        case "diag": cov = k * d
        case "tied": cov = d * (d + 1) / 2
        default: cov = k
        }
        return cov + d * k + k - 1
    }

    /// Bayesian information criterion `−2 log L + p log n` (`bic`); lower is better.
    public func bic(_ x: Matrix) throws -> Double {
        try -2 * score(x) * Double(x.rows) + Double(parameterCount) * Foundation.log(Double(x.rows))
    }

    /// Akaike information criterion `−2 log L + 2p` (`aic`); lower is better.
    public func aic(_ x: Matrix) throws -> Double {
        try -2 * score(x) * Double(x.rows) + 2 * Double(parameterCount)
    }

    /// `count` random samples from the fitted mixture and the component each came from (`sample`).
    public func sample(_ count: Int, randomState: Int? = nil) throws -> (x: Matrix, components: [Int]) {
        guard !weights.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try require(count >= 1, "n_samples", count, "must be at least 1")
        var rng = SeededRandom(seed: randomState.unsupSeed)
        let d = means.columns, k = means.rows
        // Component counts ~ Multinomial(count, weights), then rows grouped by component as scikit-learn.
        var counts = [Int](repeating: 0, count: k)
        for _ in 0..<count {
            var u = rng.uniform(), c = 0
            while c < k - 1 && u >= weights[c] { u -= weights[c]; c += 1 }
            counts[c] += 1
        }
        var out = [Double](), comp = [Int]()
        for c in 0..<k where counts[c] > 0 {
            // x = μ + L z with Σ = L Lᵀ (or the diagonal standard deviations).
            var l = [Double](repeating: 0, count: d * d)
            switch covarianceType {
            case "full", "tied":
                let off = covarianceType == "full" ? c * d * d : 0
                l = try Linalg.cholesky(Array(covariances[off..<(off + d * d)]), n: d)
            case "diag": for j in 0..<d { l[j * d + j] = covariances[c * d + j].squareRoot() }
            default: for j in 0..<d { l[j * d + j] = covariances[c].squareRoot() }
            }
            for _ in 0..<counts[c] {
                let z = (0..<d).map { _ in rng.normal() }
                for a in 0..<d {
                    var s = means[c, a]
                    for b in 0...a { s += l[a * d + b] * z[b] }
                    out.append(s)
                }
                comp.append(c)
            }
        }
        return (Matrix(rows: count, columns: d, values: out), comp)
    }
}

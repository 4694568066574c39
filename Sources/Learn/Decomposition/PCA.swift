import Foundation
import Tensors

/// Principal component analysis (`sklearn.decomposition.PCA`).
///
/// Centres the data and finds the orthonormal directions of largest variance: the right singular
/// vectors of the centred data `X − μ = U S Vᵀ` (rows of `Vᵀ` are ``components``), with explained
/// variance `S² / (n − 1)`. `transform` projects `(x − μ) Vₖᵀ` (divided by `√variance` when
/// `whiten`); `inverseTransform` maps back. Signs follow scikit-learn's `svd_flip`: each
/// component's largest-magnitude entry is positive, so components match scikit-learn's exactly.
///
/// - `n_components`: nil keeps `min(n, d)`; an integer keeps that many; a fraction in (0, 1)
///   keeps the fewest components explaining more than that share of variance; `"mle"` picks the
///   dimension by Minka's maximum-likelihood rule (stored as `nComponentsMLE`).
/// - `svd_solver`: `"auto"` (as scikit-learn: `covariance_eigh` for tall data with ≤ 1000
///   features, `full` for small, `randomized` for a few components of a big matrix), `"full"`
///   (LAPACK SVD), `"covariance_eigh"` (eigendecomposition of the covariance matrix),
///   `"randomized"` (Halko et al.), `"arpack"` (computed here exactly, by the full SVD).
///
/// Defaults: `n_components=None, whiten=False, svd_solver="auto", iterated_power="auto",
/// n_oversamples=10, random_state=None`.
public final class PCA: InvertibleTransformer {
    public static let modelName = "pca"

    /// Components to keep as an integer (`n_components`); nil with ``varianceToKeep`` nil and
    /// ``nComponentsMLE`` false means all.
    public var nComponents: Int?
    /// `n_components` as a fraction of variance to keep, in (0, 1).
    public var varianceToKeep: Double?
    /// `n_components="mle"`.
    public var nComponentsMLE: Bool
    /// Scale projections to unit variance (`whiten`).
    public var whiten: Bool
    /// `"auto"`, `"full"`, `"covariance_eigh"`, `"randomized"` or `"arpack"` (`svd_solver`).
    public var svdSolver: String
    /// Power iterations for the randomized solver (`iterated_power`); nil is `"auto"`.
    public var iteratedPower: Int?
    /// Extra random directions for the randomized solver (`n_oversamples`).
    public var nOversamples: Int
    /// Seed for the randomized solver (`random_state`).
    public var randomState: Int?

    /// Principal axes, `nComponents × features`, by decreasing variance (`components_`).
    public private(set) var components = Matrix(rows: 0, columns: 0)
    /// Variance along each component (`explained_variance_`).
    public private(set) var explainedVariance: [Double] = []
    /// Share of total variance along each component (`explained_variance_ratio_`).
    public private(set) var explainedVarianceRatio: [Double] = []
    /// Singular values of the centred data (`singular_values_`).
    public private(set) var singularValues: [Double] = []
    /// Feature means (`mean_`).
    public private(set) var mean: [Double] = []
    /// Number of components kept (`n_components_`).
    public private(set) var fittedComponents = 0
    /// Mean variance of the discarded directions, the probabilistic-PCA noise (`noise_variance_`).
    public private(set) var noiseVariance = 0.0
    /// Solver actually used (`_fit_svd_solver`).
    public private(set) var fittedSolver = ""

    /// PCA with scikit-learn's defaults.
    public init(nComponents: Int? = nil, varianceToKeep: Double? = nil, nComponentsMLE: Bool = false, whiten: Bool = false,
                svdSolver: String = "auto", iteratedPower: Int? = nil, nOversamples: Int = 10, randomState: Int? = nil) {
        self.nComponents = nComponents; self.varianceToKeep = varianceToKeep; self.nComponentsMLE = nComponentsMLE
        self.whiten = whiten; self.svdSolver = svdSolver; self.iteratedPower = iteratedPower
        self.nOversamples = nOversamples; self.randomState = randomState
    }
    public convenience init() { self.init(nComponents: nil) }

    public var parameters: [String: ParamValue] {
        let nc: ParamValue = nComponentsMLE ? .string("mle") : (varianceToKeep.map { .double($0) } ?? nComponents.param)
        return ["n_components": nc, "whiten": .bool(whiten), "svd_solver": .string(svdSolver),
                "iterated_power": iteratedPower.map { .int($0) } ?? .string("auto"), "n_oversamples": .int(nOversamples),
                "random_state": randomState.param]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "n_components":
            nComponents = nil; varianceToKeep = nil; nComponentsMLE = false
            switch value {
            case .none: break
            case .string(let s) where s == "mle": nComponentsMLE = true
            case .int(let i): nComponents = i
            case .double(let d) where d > 0 && d < 1: varianceToKeep = d
            default: nComponents = try value.int(name)
            }
        case "whiten": whiten = try value.bool(name)
        case "svd_solver": svdSolver = try value.choice(name, ["auto", "full", "covariance_eigh", "randomized", "arpack"])
        case "iterated_power":
            if case .string(let s) = value, s == "auto" { iteratedPower = nil } else { iteratedPower = try value.int(name, atMost: ParameterLimits.iterations) }
        case "n_oversamples": nOversamples = try value.int(name, atMost: ParameterLimits.tableElements)
        case "random_state": randomState = try value.randomState(name)
        default: throw unknownParameter(name)
        }
    }

    /// Learns the components of `x` (the target is ignored).
    public func fit(_ x: Matrix, target: Target?) throws {
        try Check.features(x, "PCA.fit")
        let n = x.rows, d = x.columns
        let lim = Swift.min(n, d)
        try require(["auto", "full", "covariance_eigh", "randomized", "arpack"].contains(svdSolver), "svd_solver", svdSolver, "unknown solver")
        if let k = nComponents { try require(k >= 0 && k <= lim, "n_components", k, "must be between 0 and min(n_samples, n_features)=\(lim)") }
        if let v = varianceToKeep { try require(v > 0 && v < 1, "n_components", v, "a fraction must lie in (0, 1)") }
        if nComponentsMLE { try require(n >= d, "n_components", "mle", "'mle' needs n_samples >= n_features") }
        try require(nOversamples >= 1, "n_oversamples", nOversamples, "must be at least 1")
        try require((iteratedPower ?? 0) >= 0, "iterated_power", iteratedPower ?? 0, "must be non-negative")
        let requested = nComponents ?? lim
        var solver = svdSolver
        if solver == "auto" {
            if d <= 1000 && n >= 10 * d { solver = "covariance_eigh" }
            else if Swift.max(n, d) <= 500 || nComponentsMLE { solver = "full" }
            else if nComponents != nil && requested >= 1 && Double(requested) < 0.8 * Double(lim) { solver = "randomized" }
            else { solver = "full" }
        }
        if solver == "randomized" || solver == "arpack" {
            try require(nComponents != nil && requested >= 1, "n_components", parameters["n_components"]!.description,
                        "svd_solver=\(solver) needs an integer n_components")
        }
        fittedSolver = solver
        mean = x.columnMeans()
        var xc = x
        for i in 0..<n { for j in 0..<d { xc.values[i * d + j] -= mean[j] } }

        var vt: [Double], s: [Double], variance: [Double]
        var totalVariance: Double
        switch solver {
        case "covariance_eigh":
            // C = XᵀX − n μμᵀ over n − 1 (on the raw data, as scikit-learn), then eigh.
            var c = Matrix.product(x, x, transposeA: true)
            for a in 0..<d { for b in 0..<d { c[a, b] = (c[a, b] - Double(n) * mean[a] * mean[b]) / Double(n - 1) } }
            let e = try Linalg.eigh(c.values, n: d)
            variance = e.eigenvalues.reversed().map { Swift.max($0, 0) }
            vt = [Double](repeating: 0, count: d * d)
            for r in 0..<d { for j in 0..<d { vt[r * d + j] = e.eigenvectors[j * d + (d - 1 - r)] } }
            s = variance.map { ($0 * Double(n - 1)).squareRoot() }
            totalVariance = variance.reduce(0, +)
        case "randomized":
            var rng = SeededRandom(seed: randomState.unsupSeed)
            let iters = iteratedPower ?? (Double(requested) < 0.1 * Double(lim) ? 7 : 4)
            let r = try unsupRandomizedSVD(xc, k: requested, oversamples: nOversamples, powerIterations: iters, rng: &rng)
            vt = r.vt.values; s = r.s
            variance = s.map { $0 * $0 / Double(n - 1) }
            totalVariance = unsupColumnVariances(x).reduce(0, +) * Double(n) / Double(n - 1)
        default:
            let f = try Linalg.svd(xc.values, rows: n, cols: d, fullMatrices: false)
            vt = f.vt; s = f.s
            variance = s.map { $0 * $0 / Double(n - 1) }
            totalVariance = variance.reduce(0, +)
        }
        let kAll = s.count
        var none: [Double]? = nil
        unsupSVDFlipRows(&vt, k: kAll, n: d, u: &none, uRows: 0, uCols: 0)
        let ratio = variance.map { totalVariance > 0 ? $0 / totalVariance : 0 }
        var keep = Swift.min(requested, kAll)
        if nComponentsMLE {
            keep = PCA.inferDimension(variance, samples: n)
        } else if let v = varianceToKeep {
            var cum = 0.0; keep = kAll
            for (i, r) in ratio.enumerated() { cum += r; if cum > v { keep = i + 1; break } }
        }
        if keep < lim {
            if solver == "randomized" {
                noiseVariance = (totalVariance - variance.prefix(keep).reduce(0, +)) / Double(lim - keep)
            } else {
                let rest = variance[keep...]
                noiseVariance = rest.isEmpty ? 0 : rest.reduce(0, +) / Double(rest.count)
            }
        } else { noiseVariance = 0 }
        fittedComponents = keep
        components = Matrix(rows: keep, columns: d, values: Array(vt.prefix(keep * d)))
        explainedVariance = Array(variance.prefix(keep))
        explainedVarianceRatio = Array(ratio.prefix(keep))
        singularValues = Array(s.prefix(keep))
    }

    /// Minka's (2000) PPCA log-likelihood of keeping `rank` components (`_assess_dimension`).
    static func assessDimension(_ spectrum: [Double], rank: Int, samples: Int) -> Double {
        let d = spectrum.count, n = Double(samples)
        if spectrum[rank - 1] < Double.ulpOfOne { return -.infinity }
        var pu = -Double(rank) * Foundation.log(2.0)
        for i in 1...rank {
            let h = Double(d - i + 1) / 2
            pu += Foundation.lgamma(h) - Foundation.log(Double.pi) * h
        }
        let pl = -spectrum.prefix(rank).reduce(0) { $0 + Foundation.log($1) } * n / 2
        let v = Swift.max(Double.ulpOfOne, spectrum[rank...].reduce(0, +) / Double(d - rank))
        let pv = -Foundation.log(v) * n * Double(d - rank) / 2
        let m = Double(d * rank) - Double(rank) * (Double(rank) + 1) / 2
        let pp = Foundation.log(2 * Double.pi) * (m + Double(rank)) / 2
        var pa = 0.0
        var spec = spectrum
        for i in rank..<d { spec[i] = v }
        for i in 0..<rank { for j in (i + 1)..<d {
            pa += Foundation.log((spectrum[i] - spectrum[j]) * (1 / spec[j] - 1 / spec[i])) + Foundation.log(n)
        } }
        return pu + pl + pv + pp - pa / 2 - Double(rank) * Foundation.log(n) / 2
    }

    /// The rank with the largest Minka likelihood (`_infer_dimension`).
    static func inferDimension(_ spectrum: [Double], samples: Int) -> Int {
        var best = 0, bestLL = -Double.infinity
        for rank in 1..<spectrum.count {
            let ll = assessDimension(spectrum, rank: rank, samples: samples)
            if ll > bestLL { bestLL = ll; best = rank }
        }
        return best
    }

    private func checkFitted(_ columns: Int, expected: Int, _ caller: String, _ x: Matrix) throws {
        guard !mean.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: expected, caller)
    }

    /// Projection on the components: `(x − μ) Vₖᵀ`, divided by `√explainedVariance` when whitening.
    public func transform(_ x: Matrix) throws -> Matrix {
        try checkFitted(x.columns, expected: mean.count, "PCA.transform", x)
        var xc = x
        for i in 0..<x.rows { for j in 0..<x.columns { xc.values[i * x.columns + j] -= mean[j] } }
        var t = Matrix.product(xc, components, transposeB: true)
        if whiten {
            for i in 0..<t.rows { for j in 0..<t.columns { t[i, j] /= explainedVariance[j].squareRoot() } }
        }
        return t
    }

    /// Back to feature space: `z Vₖ + μ` (`z √variance` first when whitening).
    public func inverseTransform(_ x: Matrix) throws -> Matrix {
        try checkFitted(x.columns, expected: fittedComponents, "PCA.inverseTransform", x)
        var z = x
        if whiten {
            for i in 0..<z.rows { for j in 0..<z.columns { z[i, j] *= explainedVariance[j].squareRoot() } }
        }
        var out = Matrix.product(z, components)
        for i in 0..<out.rows { for j in 0..<out.columns { out[i, j] += mean[j] } }
        return out
    }
}

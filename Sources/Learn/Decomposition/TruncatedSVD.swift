import Foundation
import Tensors

/// Truncated singular value decomposition, a.k.a. latent semantic analysis
/// (`sklearn.decomposition.TruncatedSVD`).
///
/// Unlike ``PCA`` it does not centre the data: it keeps the `k` leading singular triplets of
/// `X ≈ Uₖ Sₖ Vₖᵀ`; ``components`` are the rows of `Vₖᵀ` (signs by `svd_flip`: largest entry
/// positive), `transform(x) = x Vₖ` and `inverseTransform(z) = z Vₖᵀ`. Explained variance is the
/// variance of each column of `X Vₖ`.
///
/// - `algorithm = "randomized"` (default): Halko et al.'s randomized SVD with `n_iter` power
///   iterations and `n_oversamples` extra directions — approximate, like scikit-learn's.
/// - `algorithm = "arpack"`: the leading triplets of the exact SVD (LAPACK), where scikit-learn
///   calls ARPACK; both are exact to solver precision.
///
/// Defaults: `n_components=2, algorithm="randomized", n_iter=5, n_oversamples=10, random_state=None`.
public final class TruncatedSVD: InvertibleTransformer {
    public static let modelName = "truncated-svd"

    /// Number of components `k` (`n_components`).
    public var nComponents: Int
    /// `"randomized"` or `"arpack"` (`algorithm`).
    public var algorithm: String
    /// Power iterations of the randomized solver (`n_iter`).
    public var nIter: Int
    /// Extra random directions of the randomized solver (`n_oversamples`).
    public var nOversamples: Int
    /// Seed (`random_state`).
    public var randomState: Int?

    /// Right singular vectors, `k × features` (`components_`).
    public private(set) var components = Matrix(rows: 0, columns: 0)
    /// Variance of each transformed column (`explained_variance_`).
    public private(set) var explainedVariance: [Double] = []
    /// Explained variance over the total variance of `X` (`explained_variance_ratio_`).
    public private(set) var explainedVarianceRatio: [Double] = []
    /// Leading singular values (`singular_values_`).
    public private(set) var singularValues: [Double] = []

    /// Truncated SVD with scikit-learn's defaults.
    public init(nComponents: Int = 2, algorithm: String = "randomized", nIter: Int = 5, nOversamples: Int = 10, randomState: Int? = nil) {
        self.nComponents = nComponents; self.algorithm = algorithm; self.nIter = nIter
        self.nOversamples = nOversamples; self.randomState = randomState
    }
    public convenience init() { self.init(nComponents: 2) }

    public var parameters: [String: ParamValue] {
        ["n_components": .int(nComponents), "algorithm": .string(algorithm), "n_iter": .int(nIter),
         "n_oversamples": .int(nOversamples), "random_state": randomState.param]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "n_components": nComponents = try value.int(name, atMost: ParameterLimits.tableElements)
        case "algorithm": algorithm = try value.choice(name, ["randomized", "arpack"])
        case "n_iter": nIter = try value.int(name, atMost: ParameterLimits.iterations)
        case "n_oversamples": nOversamples = try value.int(name, atMost: ParameterLimits.tableElements)
        case "random_state": randomState = try value.randomState(name)
        default: throw unknownParameter(name)
        }
    }

    /// Learns the `k` leading singular directions of `x` (the target is ignored).
    public func fit(_ x: Matrix, target: Target?) throws {
        try Check.features(x, "TruncatedSVD.fit")
        try require(["randomized", "arpack"].contains(algorithm), "algorithm", algorithm, "expected randomized or arpack")
        try require(nComponents >= 1, "n_components", nComponents, "must be at least 1")
        if algorithm == "arpack" {
            try require(nComponents < Swift.min(x.rows, x.columns), "n_components", nComponents, "arpack needs n_components < min(n_samples, n_features)")
        } else {
            try require(nComponents <= x.columns, "n_components", nComponents, "must be at most n_features=\(x.columns)")
        }
        try require(nIter >= 0, "n_iter", nIter, "must be non-negative")
        try require(nOversamples >= 1, "n_oversamples", nOversamples, "must be at least 1")
        var vt: [Double], s: [Double]
        if algorithm == "arpack" {
            let f = try Linalg.svd(x.values, rows: x.rows, cols: x.columns, fullMatrices: false)
            vt = Array(f.vt.prefix(nComponents * x.columns)); s = Array(f.s.prefix(nComponents))
        } else {
            var rng = SeededRandom(seed: randomState.unsupSeed)
            let r = try unsupRandomizedSVD(x, k: nComponents, oversamples: nOversamples, powerIterations: nIter, rng: &rng)
            vt = r.vt.values; s = r.s
        }
        let k = s.count
        var none: [Double]? = nil
        unsupSVDFlipRows(&vt, k: k, n: x.columns, u: &none, uRows: 0, uCols: 0)
        components = Matrix(rows: k, columns: x.columns, values: vt)
        singularValues = s
        let t = Matrix.product(x, components, transposeB: true)
        explainedVariance = unsupColumnVariances(t)
        let full = unsupColumnVariances(x).reduce(0, +)
        explainedVarianceRatio = explainedVariance.map { full > 0 ? $0 / full : 0 }
    }

    /// `x Vₖ`: the rows in the `k`-dimensional space.
    public func transform(_ x: Matrix) throws -> Matrix {
        guard components.rows > 0 else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: components.columns, "TruncatedSVD.transform")
        return Matrix.product(x, components, transposeB: true)
    }

    /// `z Vₖᵀ`: back to feature space (the best rank-`k` approximation of the original rows).
    public func inverseTransform(_ x: Matrix) throws -> Matrix {
        guard components.rows > 0 else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: components.rows, "TruncatedSVD.inverseTransform")
        return Matrix.product(x, components)
    }
}

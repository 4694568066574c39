import Foundation

/// Epsilon-support vector regression (scikit-learn's `SVR`, LIBSVM's ε-SVR).
///
/// Fits f(x) = Σ_i (α_i − α_i*) K(x_i, x) + b, ignoring errors smaller than ε and paying C per
/// unit beyond. The dual
///
///     min ½ (α − α*)ᵀ K (α − α*) + ε Σ (α_i + α_i*) − Σ z_i (α_i − α_i*),
///     Σ (α_i − α_i*) = 0,   0 ≤ α_i, α_i* ≤ C · sample_weight_i,
///
/// is solved by the same SMO as ``SVC`` on 2n variables (α with y = +1, α* with y = −1, both
/// using row i of the kernel). Support vectors are the samples with α_i ≠ α_i*.
///
/// Defaults (scikit-learn 1.9.1): `kernel="rbf"`, `degree=3`, `gamma="scale"`, `coef0=0`,
/// `tol=1e-3`, `C=1`, `epsilon=0.1`, `shrinking=true`, `cache_size=200`, `max_iter=-1`.
public final class SVR: SampleWeightedRegressor, SVMKernelHyperParameters {
    /// Name in model files and on the command line.
    public static let modelName = "svr"

    /// The kernel function (default `rbf`).
    public var kernel: SVMKernel
    /// Degree of the polynomial kernel.
    public var degree: Int
    /// Kernel coefficient γ of rbf, poly and sigmoid (default `scale`).
    public var gamma: SVMGamma
    /// Constant term of the polynomial and sigmoid kernels.
    public var coef0: Double
    /// Stopping tolerance on the KKT gap.
    public var tol: Double
    /// Penalty per unit of error beyond ε.
    public var C: Double
    /// Half-width of the tube inside which errors cost nothing.
    public var epsilon: Double
    /// Use LIBSVM's shrinking heuristic.
    public var shrinking: Bool
    /// Kernel cache in MB.
    public var cacheSize: Double
    /// Accepted for compatibility; nothing is printed.
    public var verbose: Bool
    /// Iteration cap; −1 for none.
    public var maxIter: Int

    /// The support vectors (`support_vectors_`).
    public private(set) var supportVectors = Matrix(rows: 0, columns: 0)
    /// Their training-row indices (`support_`).
    public private(set) var support: [Int] = []
    /// α_i − α_i* of each support vector, shape 1 × support vectors (`dual_coef_`).
    public private(set) var dualCoef = Matrix(rows: 0, columns: 0)
    /// b (`intercept_`, one value).
    public private(set) var intercept: [Double] = []
    /// The γ used (`_gamma`).
    public private(set) var fittedGamma = 0.0
    /// SMO iterations (`n_iter_`).
    public private(set) var nIterations = 0
    /// Features seen in fit (`n_features_in_`).
    public private(set) var nFeaturesIn = 0
    var supportSet: SVMSupportSet?

    /// An SVR with scikit-learn's defaults.
    public init(kernel: SVMKernel = .rbf, degree: Int = 3, gamma: SVMGamma = .scale, coef0: Double = 0, tol: Double = 1e-3,
                C: Double = 1.0, epsilon: Double = 0.1, shrinking: Bool = true, cacheSize: Double = 200,
                verbose: Bool = false, maxIter: Int = -1) {
        self.kernel = kernel; self.degree = degree; self.gamma = gamma; self.coef0 = coef0; self.tol = tol
        self.C = C; self.epsilon = epsilon; self.shrinking = shrinking; self.cacheSize = cacheSize
        self.verbose = verbose; self.maxIter = maxIter
    }

    /// scikit-learn's defaults.
    public convenience init() { self.init(kernel: .rbf) }

    /// Hyper-parameters by scikit-learn name.
    public var parameters: [String: ParamValue] {
        var p = sharedSVMParameters
        p["epsilon"] = .double(epsilon)
        return p
    }

    /// Sets a hyper-parameter by scikit-learn name.
    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if try setSharedSVMParameter(name, value) { return }
        switch name {
        case "epsilon": epsilon = try value.double(name)
        default: throw unknownParameter(name)
        }
    }

    /// w = Σ dual coefficient · support vector (`coef_`, linear kernel only; nil otherwise).
    public var coef: [Double]? {
        guard kernel == .linear, supportSet?.kernel.kind == .linear else { return nil }
        var w = [Double](repeating: 0, count: nFeaturesIn)
        for s in 0..<supportVectors.rows { for f in 0..<nFeaturesIn { w[f] += dualCoef[0, s] * supportVectors[s, f] } }
        return w
    }

    /// Fits without sample weights.
    public func fit(_ x: Matrix, _ y: [Double]) throws { try fit(x, y, sampleWeight: nil) }

    /// Fits the ε-SVR dual by SMO; `sampleWeight` multiplies C per sample (rows of weight 0 are left out).
    public func fit(_ x: Matrix, _ y: [Double], sampleWeight: [Double]?) throws {
        let caller = "SVR.fit"
        try validateSharedSVMParameters()
        try require(epsilon >= 0 && epsilon.isFinite, "epsilon", epsilon, "must be non-negative")
        try Check.targets(x, y, caller)
        try Check.sampleWeights(sampleWeight, rows: x.rows, caller)
        let kept = svmPositiveWeightRows(sampleWeight, count: x.rows)
        let kernelFunction = svmKernelFunction(for: x)
        let n = kept.count
        let rows = SVMKernelRows(x: x.rows(kept), kernel: kernelFunction, cacheBytes: svmCacheBytes)
        // Variables 0..<n are α (y = +1, linear term ε − z), n..<2n are α* (y = −1, ε + z).
        var p = [Double](repeating: 0, count: 2 * n), signs = [Double](repeating: 1, count: 2 * n)
        var upper = [Double](repeating: 0, count: 2 * n)
        for (t, r) in kept.enumerated() {
            p[t] = epsilon - y[r]; p[t + n] = epsilon + y[r]
            signs[t + n] = -1
            upper[t] = C * (sampleWeight?[r] ?? 1); upper[t + n] = upper[t]
        }
        let solver = SVMSMOSolver(base: (0..<(2 * n)).map { $0 % n }, y: signs, p: p, upperBound: upper, kernel: rows,
                                  tol: tol, shrinking: shrinking, maxIterations: maxIter)
        let rho = solver.solve()
        let alpha = solver.alpha
        var sv: [Int] = [], coefs: [Double] = []
        for (t, r) in kept.enumerated() {
            let c = alpha[t] - alpha[t + n]
            if c != 0 { sv.append(r); coefs.append(c) }
        }
        support = sv
        supportVectors = x.rows(sv)
        dualCoef = Matrix(rows: 1, columns: sv.count, values: coefs)
        intercept = [-rho]
        fittedGamma = kernelFunction.gamma
        nIterations = solver.iterations
        nFeaturesIn = x.columns
        supportSet = SVMSupportSet(kernel: kernelFunction, vectors: supportVectors)
    }

    /// f(x) = Σ dual coefficient · K(support vector, x) + b.
    public func predict(_ x: Matrix) throws -> [Double] {
        guard let supportSet else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: nFeaturesIn, "SVR.predict")
        let km = supportSet.kernelMatrix(x)
        var out = km.dot(dualCoef.values)
        for i in 0..<out.count { out[i] += intercept[0] }
        return out
    }
}

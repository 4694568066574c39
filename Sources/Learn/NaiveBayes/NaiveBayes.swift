import Foundation

/// What the three naive Bayes classifiers share: the joint log-likelihood
/// `log P(y = k) + log P(x | y = k)` per class, from which prediction (argmax), probabilities
/// (softmax, i.e. normalizing by the log-sum-exp) and log-probabilities follow stably.
enum NaiveBayesSupport {
    /// Per-class weighted counts: `(class totals, Σ weight·x per class and feature)`.
    static func counts(_ x: Matrix, _ encoded: [Int], _ w: [Double], classes: Int) -> ([Double], Matrix) {
        var classCount = [Double](repeating: 0, count: classes)
        // One-hot target times weights (n × K), then Yᵀ X by GEMM: the feature sums per class.
        var y = Matrix(rows: x.rows, columns: classes)
        for i in 0..<x.rows { y[i, encoded[i]] = w[i]; classCount[encoded[i]] += w[i] }
        return (classCount, Matrix.product(y, x, transposeA: true))
    }

    /// Log class priors: given ones (normalized), or empirical (weighted counts) when `fitPrior`,
    /// else uniform.
    static func logPriors(classCount: [Double], given: [Double]?, fitPrior: Bool, caller: String) throws -> [Double] {
        let k = classCount.count
        if let given {
            guard given.count == k else {
                throw LearnError.invalidParameter(name: "class_prior", value: "\(given)", reason: "needs one value per class (\(k))")
            }
            guard given.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw LearnError.invalidParameter(name: "class_prior", value: "\(given)", reason: "must be non-negative")
            }
            return given.map { Foundation.log($0) }
        }
        if fitPrior {
            let total = classCount.reduce(0, +)
            return classCount.map { Foundation.log($0) - Foundation.log(total) }
        }
        return [Double](repeating: -Foundation.log(Double(k)), count: k)
    }

    /// Validates labels and weights; returns the label set, encoded labels and weights.
    static func prepare(_ x: Matrix, _ y: [Int], _ sampleWeight: [Double]?, _ caller: String) throws -> (LabelSet, [Int], [Double]) {
        let (labels, encoded) = try LabelSet.fitting(x, y, caller, minClasses: 1)
        try Check.sampleWeights(sampleWeight, rows: x.rows, caller)
        return (labels, encoded, sampleWeight ?? [Double](repeating: 1, count: x.rows))
    }

    /// `jll + (x · Aᵀ)` for a feature-by-class table `a` (classes × features) plus a per-class offset.
    static func linearJLL(_ x: Matrix, _ a: Matrix, offset: [Double]) -> Matrix {
        LinearSupport.decision(x, coef: a, intercept: offset)
    }
}

/// The common face of the naive Bayes classifiers: everything follows from a joint log-likelihood.
public protocol NaiveBayesClassifier: ProbabilisticClassifier, SampleWeightedClassifier {
    /// `log P(y = k) + log P(x | y = k)` for every row and class (unnormalized log posterior).
    func jointLogLikelihood(_ x: Matrix) throws -> Matrix
}

extension NaiveBayesClassifier {
    public func fit(_ x: Matrix, _ y: [Int]) throws { try fit(x, y, sampleWeight: nil) }

    /// The class with the largest joint log-likelihood.
    public func predict(_ x: Matrix) throws -> [Int] {
        let j = try jointLogLikelihood(x)
        if j.columns == 1 { return [Int](repeating: classes[0], count: j.rows) }
        return LinearSupport.argmaxRows(j).map { classes[$0] }
    }

    /// `log P(y = k | x)`: the joint log-likelihood minus its log-sum-exp over classes.
    public func predictLogProbabilities(_ x: Matrix) throws -> Matrix {
        var j = try jointLogLikelihood(x)
        LinearSupport.logSoftmaxRows(&j)
        return j
    }

    /// `P(y = k | x)`, columns in ``Classifier/classes`` order.
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        var j = try jointLogLikelihood(x)
        LinearSupport.softmaxRows(&j)
        return j
    }
}

/// Gaussian naive Bayes (scikit-learn's `GaussianNB`): features independent given the class,
/// each normal with a per-class mean θₖⱼ and variance σ²ₖⱼ:
/// `log P(x | k) = −½ Σⱼ [log(2π σ²ₖⱼ) + (xⱼ − θₖⱼ)²/σ²ₖⱼ]`.
/// Every variance gets `var_smoothing · max_j Var(xⱼ)` added for stability.
/// Defaults: `priors=None` (class frequencies), `var_smoothing=1e-9`.
public final class GaussianNB: NaiveBayesClassifier {
    public static let modelName = "gaussian-nb"

    /// Fixed class priors (normalized to sum 1), or nil to use class frequencies.
    public var priors: [Double]?
    /// Share of the largest feature variance added to every variance (default 1e-9).
    public var varSmoothing: Double

    public private(set) var classes: [Int] = []
    /// Per-class feature means (`theta_`, classes × features).
    public private(set) var theta = Matrix(rows: 0, columns: 0)
    /// Per-class feature variances, smoothed (`var_`).
    public private(set) var variance = Matrix(rows: 0, columns: 0)
    /// Class priors (`class_prior_`).
    public private(set) var classPrior: [Double] = []
    /// Weighted number of training samples per class (`class_count_`).
    public private(set) var classCount: [Double] = []
    /// The variance added (`epsilon_`).
    public private(set) var epsilon: Double = 0

    /// A Gaussian naive Bayes; defaults as scikit-learn.
    public init(priors: [Double]? = nil, varSmoothing: Double = 1e-9) { self.priors = priors; self.varSmoothing = varSmoothing }
    public convenience init() { self.init(priors: nil) }

    public var parameters: [String: ParamValue] {
        ["priors": priors.map { .list($0.map { .double($0) }) } ?? .none, "var_smoothing": .double(varSmoothing)]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "priors":
            switch value {
            case .none: priors = nil
            case .list(let l): priors = try l.map { try $0.double(name) }
            default: throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected None or a list")
            }
        case "var_smoothing": varSmoothing = try value.double(name)
        default: throw unknownParameter(name)
        }
    }

    /// Weighted class means and variances, the variance floor, and the priors.
    public func fit(_ x: Matrix, _ y: [Int], sampleWeight: [Double]?) throws {
        try require(varSmoothing >= 0, "var_smoothing", varSmoothing, "must be non-negative")
        let (labels, encoded, w) = try NaiveBayesSupport.prepare(x, y, sampleWeight, "GaussianNB.fit")
        let k = labels.count, p = x.columns, n = x.rows
        // Variance floor from the overall (unweighted) feature variances, as scikit-learn.
        let means = x.columnMeans()
        var maxVar = 0.0
        for j in 0..<p {
            var v = 0.0
            for i in 0..<n { let d = x[i, j] - means[j]; v += d * d }
            maxVar = max(maxVar, v / Double(n))
        }
        epsilon = varSmoothing * maxVar
        let (count, sums) = NaiveBayesSupport.counts(x, encoded, w, classes: k)
        var mu = Matrix(rows: k, columns: p), va = Matrix(rows: k, columns: p)
        for c in 0..<k where count[c] > 0 { for j in 0..<p { mu[c, j] = sums[c, j] / count[c] } }
        for i in 0..<n {
            let c = encoded[i]
            for j in 0..<p { let d = x[i, j] - mu[c, j]; va[c, j] += w[i] * d * d }
        }
        for c in 0..<k { for j in 0..<p { va[c, j] = (count[c] > 0 ? va[c, j] / count[c] : 0) + epsilon } }
        if let priors {
            try require(priors.count == k, "priors", ParamValue.list(priors.map { .double($0) }), "needs one value per class (\(k))")
            try require(priors.allSatisfy { $0 >= 0 }, "priors", ParamValue.list(priors.map { .double($0) }), "must be non-negative")
            try require(abs(priors.reduce(0, +) - 1) <= 1e-8, "priors", ParamValue.list(priors.map { .double($0) }), "must sum to 1")
            classPrior = priors
        } else {
            let total = count.reduce(0, +)
            classPrior = count.map { $0 / total }
        }
        if va.values.contains(where: { $0 <= 0 }) {
            throw LearnError.invalidInput("GaussianNB.fit: a class has zero variance in every feature; raise var_smoothing")
        }
        theta = mu; variance = va; classCount = count; classes = labels.classes
    }

    /// `log πₖ − ½ Σⱼ log(2π σ²ₖⱼ) − ½ Σⱼ (xⱼ − θₖⱼ)²/σ²ₖⱼ`, expanded so the cross term is a GEMM:
    /// `Σ x²/σ² − 2 Σ x θ/σ² + Σ θ²/σ²`.
    public func jointLogLikelihood(_ x: Matrix) throws -> Matrix {
        guard !classes.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: theta.columns, "GaussianNB.predict")
        let k = classes.count, p = theta.columns, n = x.rows
        var invVar = Matrix(rows: k, columns: p), thetaOverVar = Matrix(rows: k, columns: p)
        var offset = [Double](repeating: 0, count: k)
        for c in 0..<k {
            var o = Foundation.log(classPrior[c])
            for j in 0..<p {
                let v = variance[c, j]
                invVar[c, j] = -0.5 / v
                thetaOverVar[c, j] = theta[c, j] / v
                o -= 0.5 * Foundation.log(2 * Double.pi * v) + 0.5 * theta[c, j] * theta[c, j] / v
            }
            offset[c] = o
        }
        var xsq = x
        for i in 0..<xsq.values.count { xsq.values[i] *= xsq.values[i] }
        var j = NaiveBayesSupport.linearJLL(x, thetaOverVar, offset: offset)
        let quad = Matrix.product(xsq, invVar, transposeB: true)
        for i in 0..<(n * k) { j.values[i] += quad.values[i] }
        return j
    }
}

/// Multinomial naive Bayes (scikit-learn's `MultinomialNB`) for counts or frequencies (word
/// counts, tf-idf): `log P(x | k) = Σⱼ xⱼ log θₖⱼ` with smoothed feature probabilities
/// `θₖⱼ = (Nₖⱼ + α) / (Nₖ + α p)` (Nₖⱼ: weighted sum of feature j in class k). Features must
/// be non-negative. Defaults: `alpha=1.0`, `fit_prior=True`, `class_prior=None`.
public final class MultinomialNB: NaiveBayesClassifier {
    public static let modelName = "multinomial-nb"

    /// Additive (Laplace/Lidstone) smoothing α ≥ 0 (default 1).
    public var alpha: Double
    /// Learn class priors from frequencies (default true); false = uniform.
    public var fitPrior: Bool
    /// Fixed class priors, overriding `fitPrior`.
    public var classPriorGiven: [Double]?

    public private(set) var classes: [Int] = []
    /// `log θₖⱼ` (`feature_log_prob_`, classes × features).
    public private(set) var featureLogProb = Matrix(rows: 0, columns: 0)
    /// Log class priors (`class_log_prior_`).
    public private(set) var classLogPrior: [Double] = []
    /// Weighted feature sums per class (`feature_count_`).
    public private(set) var featureCount = Matrix(rows: 0, columns: 0)
    /// Weighted samples per class (`class_count_`).
    public private(set) var classCount: [Double] = []

    /// A multinomial naive Bayes; defaults as scikit-learn.
    public init(alpha: Double = 1.0, fitPrior: Bool = true, classPrior: [Double]? = nil) {
        self.alpha = alpha; self.fitPrior = fitPrior; self.classPriorGiven = classPrior
    }
    public convenience init() { self.init(alpha: 1.0) }

    public var parameters: [String: ParamValue] { NaiveBayesParams.get(alpha, fitPrior, classPriorGiven) }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if try NaiveBayesParams.set(name, value, &alpha, &fitPrior, &classPriorGiven) { return }
        throw unknownParameter(name)
    }

    /// Counts features per class and smooths them.
    public func fit(_ x: Matrix, _ y: [Int], sampleWeight: [Double]?) throws {
        try require(alpha >= 0 && alpha.isFinite, "alpha", alpha, "must be non-negative")
        let (labels, encoded, w) = try NaiveBayesSupport.prepare(x, y, sampleWeight, "MultinomialNB.fit")
        if let k = x.values.firstIndex(where: { $0 < 0 }) {
            throw LearnError.invalidInput("MultinomialNB.fit: negative value \(x.values[k]) at row \(k / x.columns), column \(k % x.columns); features must be counts or frequencies")
        }
        let (count, fc) = NaiveBayesSupport.counts(x, encoded, w, classes: labels.count)
        let k = labels.count, p = x.columns
        var flp = Matrix(rows: k, columns: p)
        // α = 0 is raised to 1e-10 (scikit-learn's force_alpha=False rule) so that logs stay finite.
        let a = max(alpha, 1e-10)
        for c in 0..<k {
            var total = 0.0
            for j in 0..<p { total += fc[c, j] + a }
            for j in 0..<p { flp[c, j] = Foundation.log(fc[c, j] + a) - Foundation.log(total) }
        }
        classLogPrior = try NaiveBayesSupport.logPriors(classCount: count, given: classPriorGiven, fitPrior: fitPrior, caller: "MultinomialNB.fit")
        featureLogProb = flp; featureCount = fc; classCount = count; classes = labels.classes
    }

    /// `log πₖ + x · log θₖ` (one GEMM).
    public func jointLogLikelihood(_ x: Matrix) throws -> Matrix {
        guard !classes.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: featureLogProb.columns, "MultinomialNB.predict")
        if x.values.contains(where: { $0 < 0 }) {
            throw LearnError.invalidInput("MultinomialNB.predict: features must be non-negative")
        }
        return NaiveBayesSupport.linearJLL(x, featureLogProb, offset: classLogPrior)
    }
}

/// Bernoulli naive Bayes (scikit-learn's `BernoulliNB`) for binary features: each feature is
/// first binarized (`x > binarize`), then
/// `log P(x | k) = Σⱼ [xⱼ log θₖⱼ + (1 − xⱼ) log(1 − θₖⱼ)]` with `θₖⱼ = (Nₖⱼ + α)/(Nₖ + 2α)`.
/// Unlike the multinomial model, an absent feature counts as evidence.
/// Defaults: `alpha=1.0`, `binarize=0.0` (None: inputs already binary), `fit_prior=True`, `class_prior=None`.
public final class BernoulliNB: NaiveBayesClassifier {
    public static let modelName = "bernoulli-nb"

    /// Additive smoothing α ≥ 0 (default 1).
    public var alpha: Double
    /// Threshold for binarizing features (default 0.0); nil: use as given.
    public var binarize: Double?
    /// Learn class priors from frequencies (default true).
    public var fitPrior: Bool
    /// Fixed class priors.
    public var classPriorGiven: [Double]?

    public private(set) var classes: [Int] = []
    /// `log θₖⱼ` (`feature_log_prob_`).
    public private(set) var featureLogProb = Matrix(rows: 0, columns: 0)
    /// Log class priors (`class_log_prior_`).
    public private(set) var classLogPrior: [Double] = []
    /// Weighted counts of ones per class and feature (`feature_count_`).
    public private(set) var featureCount = Matrix(rows: 0, columns: 0)
    /// Weighted samples per class (`class_count_`).
    public private(set) var classCount: [Double] = []

    /// A Bernoulli naive Bayes; defaults as scikit-learn.
    public init(alpha: Double = 1.0, binarize: Double? = 0.0, fitPrior: Bool = true, classPrior: [Double]? = nil) {
        self.alpha = alpha; self.binarize = binarize; self.fitPrior = fitPrior; self.classPriorGiven = classPrior
    }
    public convenience init() { self.init(alpha: 1.0) }

    public var parameters: [String: ParamValue] {
        var p = NaiveBayesParams.get(alpha, fitPrior, classPriorGiven)
        p["binarize"] = binarize.param
        return p
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if name == "binarize" { binarize = try value.optionalDouble(name); return }
        if try NaiveBayesParams.set(name, value, &alpha, &fitPrior, &classPriorGiven) { return }
        throw unknownParameter(name)
    }

    private func binarized(_ x: Matrix) -> Matrix {
        guard let t = binarize else { return x }
        var b = x
        for i in 0..<b.values.count { b.values[i] = b.values[i] > t ? 1 : 0 }
        return b
    }

    /// Counts ones per class and feature, smooths them.
    public func fit(_ x: Matrix, _ y: [Int], sampleWeight: [Double]?) throws {
        try require(alpha >= 0 && alpha.isFinite, "alpha", alpha, "must be non-negative")
        let (labels, encoded, w) = try NaiveBayesSupport.prepare(x, y, sampleWeight, "BernoulliNB.fit")
        let xb = binarized(x)
        let (count, fc) = NaiveBayesSupport.counts(xb, encoded, w, classes: labels.count)
        let k = labels.count, p = x.columns
        var flp = Matrix(rows: k, columns: p)
        let a = max(alpha, 1e-10)
        for c in 0..<k { for j in 0..<p { flp[c, j] = Foundation.log(fc[c, j] + a) - Foundation.log(count[c] + 2 * a) } }
        classLogPrior = try NaiveBayesSupport.logPriors(classCount: count, given: classPriorGiven, fitPrior: fitPrior, caller: "BernoulliNB.fit")
        featureLogProb = flp; featureCount = fc; classCount = count; classes = labels.classes
    }

    /// `log πₖ + Σⱼ log(1 − θₖⱼ) + x · (log θₖ − log(1 − θₖ))` (one GEMM).
    public func jointLogLikelihood(_ x: Matrix) throws -> Matrix {
        guard !classes.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: featureLogProb.columns, "BernoulliNB.predict")
        let k = classes.count, p = featureLogProb.columns
        var diff = Matrix(rows: k, columns: p)
        var offset = classLogPrior
        for c in 0..<k {
            for j in 0..<p {
                let lp = featureLogProb[c, j]
                let negative = Foundation.log(-Foundation.expm1(lp))   // log(1 − θ)
                diff[c, j] = lp - negative
                offset[c] += negative
            }
        }
        return NaiveBayesSupport.linearJLL(binarized(x), diff, offset: offset)
    }
}

/// Parameter plumbing shared by the discrete naive Bayes models.
enum NaiveBayesParams {
    static func get(_ alpha: Double, _ fitPrior: Bool, _ prior: [Double]?) -> [String: ParamValue] {
        ["alpha": .double(alpha), "fit_prior": .bool(fitPrior), "class_prior": prior.map { .list($0.map { .double($0) }) } ?? .none]
    }

    /// Sets `alpha`, `fit_prior` or `class_prior`; false for any other name.
    static func set(_ name: String, _ value: ParamValue, _ alpha: inout Double, _ fitPrior: inout Bool,
                    _ prior: inout [Double]?) throws -> Bool {
        switch name {
        case "alpha": alpha = try value.double(name)
        case "fit_prior": fitPrior = try value.bool(name)
        case "class_prior":
            switch value {
            case .none: prior = nil
            case .list(let l): prior = try l.map { try $0.double(name) }
            default: throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected None or a list")
            }
        default: return false
        }
        return true
    }
}

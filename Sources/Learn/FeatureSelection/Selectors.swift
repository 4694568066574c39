import Foundation

/// Keeps the k features with the highest univariate scores (scikit-learn's `SelectKBest`).
///
/// `score_func`: `"f_classif"` (default), `"chi2"`, `"mutual_info_classif"` (class targets) or
/// `"f_regression"`, `"mutual_info_regression"` (real targets); `k` = 10 (default) or `"all"`
/// (pass `k = nil`). Needs the target: `fit(x, target:)`. Ties are broken as scikit-learn
/// does (a stable sort of the scores, the last k kept); NaN scores rank lowest. With k larger
/// than the number of features every feature is kept.
public final class SelectKBest: Transformer {
    public static let modelName = "select-k-best"
    /// The univariate test: f_classif, chi2, mutual_info_classif, f_regression or mutual_info_regression.
    public var scoreFunc: String
    /// Number of features to keep; nil keeps all (`k="all"`).
    public var k: Int?
    /// Seed for the mutual-information estimators' tie-breaking noise.
    public var randomState: Int?
    /// Score of every feature (`scores_`).
    public private(set) var scores: [Double] = []
    /// p-value of every feature (`pvalues_`); nil for mutual information.
    public private(set) var pvalues: [Double]?
    /// Which features are kept (`get_support()`).
    public private(set) var support: [Bool] = []

    static let funcs = ["f_classif", "chi2", "mutual_info_classif", "f_regression", "mutual_info_regression"]

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(scoreFunc: String = "f_classif", k: Int? = 10, randomState: Int? = nil) {
        self.scoreFunc = scoreFunc
        self.k = k
        self.randomState = randomState
    }

    public convenience init() { self.init(scoreFunc: "f_classif") }

    public var parameters: [String: ParamValue] {
        ["score_func": .string(scoreFunc), "k": k.map { .int($0) } ?? .string("all"), "random_state": randomState.param]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "score_func": scoreFunc = try value.choice(name, Self.funcs)
        case "k": if case .string("all") = value { k = nil } else { k = try value.int(name) }
        case "random_state": randomState = try value.randomState(name)
        default: throw unknownParameter(name)
        }
    }

    /// Indices of the kept features, increasing.
    public var selectedFeatures: [Int] { support.indices.filter { support[$0] } }

    /// Learns from `x` and the target, which is required.
    public func fit(_ x: Matrix, target: Target?) throws {
        try require(Self.funcs.contains(scoreFunc), "score_func", scoreFunc, "expected one of \(Self.funcs.joined(separator: ", "))")
        if let k { try require(k >= 0, "k", k, "must be non-negative or \"all\"") }
        guard let target else { throw LearnError.invalidInput("SelectKBest.fit: a target is needed (fit(x, target:))") }
        switch scoreFunc {
        case "f_regression":
            (scores, pvalues) = try fRegression(x, target.asDoubles) as FeatureScores
        case "mutual_info_regression":
            scores = try mutualInfoRegression(x, target.asDoubles, randomState: randomState); pvalues = nil
        default:
            let y = try MSDispatch.labels(target, "SelectKBest.fit")
            switch scoreFunc {
            case "chi2": (scores, pvalues) = try chi2(x, y) as FeatureScores
            case "mutual_info_classif": scores = try mutualInfoClassif(x, y, randomState: randomState); pvalues = nil
            default: (scores, pvalues) = try fClassif(x, y) as FeatureScores
            }
        }
        let p = scores.count
        let keep = min(k ?? p, p)
        let cleaned = scores.map { $0.isNaN ? -Double.greatestFiniteMagnitude : $0 }
        // Stable ascending order; the last `keep` are the best (later index wins ties).
        let order = cleaned.indices.sorted { cleaned[$0] < cleaned[$1] }
        var s = [Bool](repeating: false, count: p)
        for j in order.suffix(keep) { s[j] = true }
        support = s
    }

    /// The kept columns.
    public func transform(_ x: Matrix) throws -> Matrix {
        guard !support.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: support.count, "SelectKBest.transform")
        return x.columns(selectedFeatures)
    }
}

/// Recursive feature elimination (scikit-learn's `RFE`): fit the estimator, drop the `step`
/// least important features (``FeatureImportanceProviding/featureImportances``), repeat until
/// `n_features_to_select` remain (default: half, rounded down), then refit on those.
/// `ranking[j]` is 1 for kept features and grows with how early a feature was dropped.
///
/// `estimator` is any classifier or regressor providing feature importances; left nil, it
/// is resolved at fit through `ModelRegistry.make("logistic-regression")`. `step` ≥ 1 removes
/// that many per round, a fraction in (0, 1) that share of all features. It predicts through
/// the refitted inner estimator (annotate `predict`'s result type).
public final class RFE: Transformer, ProbabilisticClassifier, Regressor {
    public static let modelName = "rfe"
    /// The estimator ranking features (nil: logistic regression from the registry).
    public var estimator: EstimatorBox?
    /// Number (≥ 1) or fraction (< 1) of features to keep; nil for half.
    public var nFeaturesToSelect: Double?
    /// Number (≥ 1) or fraction (< 1) of features removed per round.
    public var step: Double
    /// Kept features (`support_`) and elimination ranks (`ranking_`).
    public private(set) var support: [Bool] = []
    /// Elimination rank of each feature (`ranking_`): 1 for kept features, larger for earlier drops.
    public private(set) var ranking: [Int] = []
    /// The estimator refitted on the kept features (`estimator_`).
    public private(set) var fittedEstimator: EstimatorBox?

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(estimator: (any Estimator)? = nil, nFeaturesToSelect: Double? = nil, step: Double = 1) {
        self.estimator = estimator.map { EstimatorBox($0) }
        self.nFeaturesToSelect = nFeaturesToSelect
        self.step = step
        if let estimator { ModelRegistry.register([type(of: estimator)]) }
    }

    public convenience init() { self.init(estimator: nil) }

    /// `n_features_to_select` / `step`: a positive integer or a fraction in (0, 1).
    static func checkSize(_ v: Double, _ name: String) throws {
        try require(v.isFinite && v > 0 && (v < 1 || v == v.rounded()), name, v, "must be a positive integer or a fraction in (0, 1)")
    }

    /// A count as an integer parameter, a fraction (or a value no integer holds) as a double.
    static func sizeValue(_ v: Double) -> ParamValue {
        if v >= 1, let i = Int(exactly: v) { return .int(i) }
        return .double(v)
    }

    public var parameters: [String: ParamValue] {
        var p: [String: ParamValue] = [
            "estimator": estimator.map { msEncodeEstimator($0.estimator) } ?? .none,
            "n_features_to_select": nFeaturesToSelect.map(Self.sizeValue) ?? .none,
            "step": Self.sizeValue(step),
        ]
        if let e = estimator?.estimator { for (k, v) in e.parameters { p["estimator__\(k)"] = v } }
        return p
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "estimator":
            if case .none = value { estimator = nil } else { estimator = EstimatorBox(try msDecodeEstimator(value, name)) }
        case "n_features_to_select":
            nFeaturesToSelect = try value.optionalDouble(name)
            if let f = nFeaturesToSelect { try Self.checkSize(f, name) }
        case "step":
            step = try value.double(name)
            try Self.checkSize(step, name)
        default:
            guard name.hasPrefix("estimator__"), let e = estimator?.estimator else { throw unknownParameter(name) }
            try e.setParameter(String(name.dropFirst("estimator__".count)), value)
        }
    }

    /// Indices of the kept features.
    public var selectedFeatures: [Int] { support.indices.filter { support[$0] } }

    /// The estimator given, or a default `LogisticRegression` (same module: no registry look-up
    /// that could fail).
    private func base() throws -> any Estimator {
        estimator?.estimator ?? LogisticRegression()
    }

    /// Learns from `x` and the target, which is required.
    public func fit(_ x: Matrix, target: Target?) throws {
        guard let target else { throw LearnError.invalidInput("RFE.fit: a target is needed") }
        try Check.features(x, "RFE.fit")
        try Check.lengths(x, target.count, "RFE.fit")
        let p = x.columns
        let template = try base()
        guard template is any FeatureImportanceProviding else {
            throw LearnError.invalidInput("RFE: \(type(of: template).modelName) does not provide feature importances")
        }
        let nSelect: Int
        if let f = nFeaturesToSelect {
            try Self.checkSize(f, "n_features_to_select")
            nSelect = max(1, f < 1 ? Int(f * Double(p)) : (f >= Double(p) ? p : Int(f)))
        } else { nSelect = max(1, p / 2) }
        try Self.checkSize(step, "step")
        let stepCount = step < 1 ? max(1, Int(step * Double(p))) : (step >= Double(p) ? p : Int(step))
        var sup = [Bool](repeating: true, count: p), rank = [Int](repeating: 1, count: p)
        while sup.filter({ $0 }).count > nSelect {
            let features = sup.indices.filter { sup[$0] }
            let e = MSDispatch.clone(template)
            try MSDispatch.fit(e, x.columns(features), target)
            let imp = (e as! any FeatureImportanceProviding).featureImportances
            if imp.count != features.count {
                throw LearnError.invalidInput("RFE: the estimator gave \(imp.count) importances for \(features.count) features")
            }
            let order = imp.indices.sorted { imp[$0] < imp[$1] }
            let drop = min(stepCount, features.count - nSelect)
            for t in order.prefix(drop) { sup[features[t]] = false }
            for j in 0..<p where !sup[j] { rank[j] += 1 }
        }
        let final = MSDispatch.clone(template)
        try MSDispatch.fit(final, x.columns(sup.indices.filter { sup[$0] }), target)
        support = sup
        ranking = rank
        fittedEstimator = EstimatorBox(final)
    }

    /// Fits on class labels.
    public func fit(_ x: Matrix, _ y: [Int]) throws { try fit(x, target: .classes(y)) }
    /// Fits on real targets.
    public func fit(_ x: Matrix, _ y: [Double]) throws { try fit(x, target: .values(y)) }

    private func fitted(_ x: Matrix, _ caller: String) throws -> (any Estimator, Matrix) {
        guard let e = fittedEstimator?.estimator else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: support.count, caller)
        return (e, x.columns(selectedFeatures))
    }

    /// The kept columns.
    public func transform(_ x: Matrix) throws -> Matrix { try fitted(x, "RFE.transform").1 }

    /// Class predictions (annotate the result type where both overloads apply).
    public func predict(_ x: Matrix) throws -> [Int] {
        let (e, xs) = try fitted(x, "RFE.predict")
        guard let c = e as? any Classifier else { throw LearnError.invalidInput("RFE: the inner estimator is not a classifier") }
        return try c.predict(xs)
    }

    /// Real-valued predictions (annotate the result type where both overloads apply).
    public func predict(_ x: Matrix) throws -> [Double] {
        let (e, xs) = try fitted(x, "RFE.predict")
        return try MSDispatch.predictValues(e, xs)
    }

    /// Class probabilities, columns in ``classes`` order.
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        let (e, xs) = try fitted(x, "RFE.predictProbabilities")
        guard let c = e as? any ProbabilisticClassifier else { throw LearnError.invalidInput("RFE: the inner estimator has no predictProbabilities") }
        return try c.predictProbabilities(xs)
    }

    /// The inner classifier's classes (empty for a regressor or before fit).
    public var classes: [Int] { (fittedEstimator?.estimator as? any Classifier)?.classes ?? [] }
}

import Foundation

/// Sets `random_state` on an estimator that has one.
func ensembleSeed(_ e: any Estimator, _ seed: UInt64) {
    if e.parameters["random_state"] != nil { try? e.setParameter("random_state", .int(Int(seed >> 33))) }
}

/// AdaBoost for classification with the multi-class SAMME algorithm (scikit-learn's
/// `AdaBoostClassifier`; Zhu et al. 2009).
///
/// Starting from uniform sample weights, each round fits the base estimator with the current
/// weights, measures its weighted error `err`, gives it the vote
/// `α = learning_rate · (log((1 − err)/err) + log(K − 1))`, and multiplies the weights of the rows
/// it got wrong by `e^α`. Boosting stops early on a perfect fit (that estimator alone decides) or
/// when an estimator is no better than chance (`err ≥ 1 − 1/K`). The decision function sums, per
/// class, `α` for estimators predicting it and `−α/(K−1)` otherwise, divided by `Σα`.
///
/// Defaults: `estimator=None` (a `DecisionTreeClassifier(max_depth=1)` stump),
/// `n_estimators=50, learning_rate=1.0, random_state=None`. Any ``SampleWeightedClassifier``
/// can be the base.
public final class AdaBoostClassifier: ProbabilisticClassifier, DecisionFunctionClassifier, FeatureImportanceProviding {
    public static let modelName = "adaboost"
    /// The base estimator (nil: a depth-1 decision tree).
    var estimatorBox: EstimatorBox?
    /// Boosting rounds at most (`n_estimators`).
    public var nEstimators: Int
    /// Shrinks each estimator's vote (`learning_rate`).
    public var learningRate: Double
    /// Seed passed on to the base estimators (`random_state`).
    public var randomState: Int?

    /// Fitted estimators (`estimators_`).
    var fittedBoxes: [EstimatorBox] = []
    /// Vote of each fitted estimator (`estimator_weights_`).
    public private(set) var estimatorWeights: [Double] = []
    /// Weighted training error of each fitted estimator (`estimator_errors_`).
    public private(set) var estimatorErrors: [Double] = []
    /// Labels seen in fit (`classes_`).
    public private(set) var classes: [Int] = []
    var nFeatures = 0

    public init(estimator: (any SampleWeightedClassifier)? = nil, nEstimators: Int = 50, learningRate: Double = 1.0, randomState: Int? = nil) {
        estimatorBox = estimator.map { EstimatorBox($0) }
        self.nEstimators = nEstimators; self.learningRate = learningRate; self.randomState = randomState
    }
    public convenience init() { self.init(estimator: nil) }

    /// The base estimator as set (nil: the default stump).
    public var estimator: (any SampleWeightedClassifier)? {
        get { estimatorBox?.estimator as? any SampleWeightedClassifier }
        set { estimatorBox = newValue.map { EstimatorBox($0) } }
    }

    /// The fitted estimators (`estimators_`).
    public var estimators: [any SampleWeightedClassifier] { fittedBoxes.compactMap { $0.estimator as? any SampleWeightedClassifier } }

    private var base: any SampleWeightedClassifier { estimator ?? DecisionTreeClassifier(maxDepth: 1) }

    public var parameters: [String: ParamValue] {
        var p: [String: ParamValue] = ["n_estimators": .int(nEstimators), "learning_rate": .double(learningRate),
                                       "random_state": randomState.param,
                                       "estimator": estimator.map { .string(type(of: $0).modelName) } ?? .none]
        if let e = estimator { p.merge(EnsembleNesting.parameters(of: e, prefix: "estimator")) { a, _ in a } }
        return p
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "n_estimators": nEstimators = try value.int(name, atMost: ParameterLimits.estimators)
        case "learning_rate": learningRate = try value.double(name)
        case "random_state": randomState = try value.randomState(name)
        case "estimator":
            if case .none = value { estimator = nil; return }
            guard let e = try ModelRegistry.make(try value.string(name)) as? any SampleWeightedClassifier else {
                throw LearnError.invalidParameter(name: name, value: value.description, reason: "the estimator must accept sample weights")
            }
            estimator = e
        default:
            if let e = estimator, try EnsembleNesting.set(name, value, members: [("estimator", e)]) { return }
            throw unknownParameter(name)
        }
    }

    public func fit(_ x: Matrix, _ y: [Int]) throws {
        try require(nEstimators >= 1, "n_estimators", nEstimators, "must be ≥ 1")
        try require(learningRate > 0 && learningRate.isFinite, "learning_rate", learningRate, "must be > 0")
        let (labels, encoded) = try LabelSet.fitting(x, y, "AdaBoostClassifier.fit")
        let k = Double(labels.count)
        var w = [Double](repeating: 1 / Double(x.rows), count: x.rows)
        var rng = SeededRandom(seed: treeSeed(randomState))
        var boxes: [EstimatorBox] = [], weights: [Double] = [], errors: [Double] = []
        for round in 0..<nEstimators {
            guard let e = EnsembleNesting.clone(base) as? any SampleWeightedClassifier else { break }
            ensembleSeed(e, rng.childSeed())
            try e.fit(x, y, sampleWeight: w)
            let wrong = try e.predict(x).enumerated().map { $1 != y[$0] }
            let err = zip(wrong, w).reduce(0.0) { $0 + ($1.0 ? $1.1 : 0) } / w.reduce(0, +)
            if err <= 0 { boxes.append(EstimatorBox(e)); weights.append(1); errors.append(0); break }
            if err >= 1 - 1 / k {
                if boxes.isEmpty {
                    throw LearnError.invalidInput("AdaBoostClassifier.fit: the first estimator is no better than chance (error \(err)); boosting cannot start")
                }
                break
            }
            let alpha = learningRate * (log((1 - err) / err) + log(k - 1))
            boxes.append(EstimatorBox(e)); weights.append(alpha); errors.append(err)
            if round < nEstimators - 1 {
                for i in 0..<w.count where wrong[i] && w[i] > 0 { w[i] *= exp(alpha) }
                let s = w.reduce(0, +)
                if !(s > 0) || !s.isFinite { break }
                for i in 0..<w.count { w[i] /= s }
            }
        }
        _ = encoded
        fittedBoxes = boxes; estimatorWeights = weights; estimatorErrors = errors
        classes = labels.classes; nFeatures = x.columns
    }

    /// SAMME decision function: one column (binary, positive favours `classes[1]`) or one per class.
    public func decisionFunction(_ x: Matrix) throws -> Matrix {
        guard !fittedBoxes.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: nFeatures, "AdaBoostClassifier.decisionFunction")
        let k = classes.count
        var d = [Double](repeating: 0, count: x.rows * k)
        for (e, a) in zip(estimators, estimatorWeights) {
            let p = try e.predict(x)
            for i in 0..<x.rows { for c in 0..<k { d[i * k + c] += p[i] == classes[c] ? a : -a / Double(k - 1) } }
        }
        let total = estimatorWeights.reduce(0, +)
        for i in 0..<d.count { d[i] /= total }
        if k == 2 { return Matrix(rows: x.rows, columns: 1, values: (0..<x.rows).map { d[2 * $0 + 1] - d[2 * $0] }) }
        return Matrix(rows: x.rows, columns: k, values: d)
    }

    /// Softmax of the decision function divided by `K − 1` (binary: of `[−d, d]/2`).
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        let d = try decisionFunction(x)
        var v: [Double]
        if classes.count == 2 {
            v = d.values.flatMap { [-$0 / 2, $0 / 2] }
        } else {
            v = d.values.map { $0 / Double(classes.count - 1) }
        }
        BoostingLoss.softmax(&v, columns: classes.count)
        return Matrix(rows: x.rows, columns: classes.count, values: v)
    }

    public func predict(_ x: Matrix) throws -> [Int] {
        let d = try decisionFunction(x)
        if classes.count == 2 { return d.values.map { classes[$0 > 0 ? 1 : 0] } }
        return TreeFitting.argmaxRows(d.values, columns: d.columns).map { classes[$0] }
    }

    /// Vote-weighted mean of the estimators' importances (`feature_importances_`; empty when the
    /// base estimator has none).
    public var featureImportances: [Double] { ensembleImportances(fittedBoxes, estimatorWeights, nFeatures) }
}

/// Vote-weighted average of the members' feature importances.
func ensembleImportances(_ boxes: [EstimatorBox], _ weights: [Double], _ features: Int) -> [Double] {
    var sum = [Double](repeating: 0, count: features)
    let total = weights.reduce(0, +)
    guard total > 0 else { return [] }
    for (b, w) in zip(boxes, weights) {
        guard let f = b.estimator as? any FeatureImportanceProviding else { return [] }
        let imp = f.featureImportances
        guard imp.count == features else { return [] }
        for j in 0..<features { sum[j] += w * imp[j] / total }
    }
    return sum
}

/// AdaBoost for regression with AdaBoost.R2 (scikit-learn's `AdaBoostRegressor`; Drucker 1997).
///
/// Each round draws a bootstrap sample with probabilities equal to the current weights, fits the
/// base regressor on it, scales every row's absolute error by the largest (`loss`: linear, its
/// square, or `1 − e^{−e}`), and computes the weighted mean error `ē`. With `β = ē/(1 − ē)` the
/// estimator votes `learning_rate · log(1/β)` and row weights are multiplied by
/// `β^{(1 − e_i)·learning_rate}`. Stops on a perfect fit or when `ē ≥ 0.5`. Predictions are the
/// vote-weighted median of the estimators' predictions.
///
/// Defaults: `estimator=None` (`DecisionTreeRegressor(max_depth=3)`), `n_estimators=50,
/// learning_rate=1.0, loss="linear", random_state=None`.
public final class AdaBoostRegressor: Regressor, FeatureImportanceProviding {
    public static let modelName = "adaboost-regressor"
    var estimatorBox: EstimatorBox?
    /// Boosting rounds at most (`n_estimators`).
    public var nEstimators: Int
    /// Shrinks votes and weight updates (`learning_rate`).
    public var learningRate: Double
    /// `loss`: linear, square or exponential.
    public var loss: String
    /// Seed for the weighted bootstrap and the base estimators (`random_state`).
    public var randomState: Int?

    var fittedBoxes: [EstimatorBox] = []
    /// Vote of each fitted estimator (`estimator_weights_`).
    public private(set) var estimatorWeights: [Double] = []
    /// Weighted error of each fitted estimator (`estimator_errors_`).
    public private(set) var estimatorErrors: [Double] = []
    var nFeatures = 0

    public init(estimator: (any Regressor)? = nil, nEstimators: Int = 50, learningRate: Double = 1.0, loss: String = "linear", randomState: Int? = nil) {
        estimatorBox = estimator.map { EstimatorBox($0) }
        self.nEstimators = nEstimators; self.learningRate = learningRate; self.loss = loss; self.randomState = randomState
    }
    public convenience init() { self.init(estimator: nil) }

    /// The base estimator as set (nil: a depth-3 regression tree).
    public var estimator: (any Regressor)? {
        get { estimatorBox?.estimator as? any Regressor }
        set { estimatorBox = newValue.map { EstimatorBox($0) } }
    }

    /// The fitted estimators (`estimators_`).
    public var estimators: [any Regressor] { fittedBoxes.compactMap { $0.estimator as? any Regressor } }

    public var parameters: [String: ParamValue] {
        var p: [String: ParamValue] = ["n_estimators": .int(nEstimators), "learning_rate": .double(learningRate), "loss": .string(loss),
                                       "random_state": randomState.param,
                                       "estimator": estimator.map { .string(type(of: $0).modelName) } ?? .none]
        if let e = estimator { p.merge(EnsembleNesting.parameters(of: e, prefix: "estimator")) { a, _ in a } }
        return p
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "n_estimators": nEstimators = try value.int(name, atMost: ParameterLimits.estimators)
        case "learning_rate": learningRate = try value.double(name)
        case "loss": loss = try value.choice(name, ["linear", "square", "exponential"])
        case "random_state": randomState = try value.randomState(name)
        case "estimator":
            if case .none = value { estimator = nil; return }
            guard let e = try ModelRegistry.make(try value.string(name)) as? any Regressor else {
                throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected a regressor")
            }
            estimator = e
        default:
            if let e = estimator, try EnsembleNesting.set(name, value, members: [("estimator", e)]) { return }
            throw unknownParameter(name)
        }
    }

    public func fit(_ x: Matrix, _ y: [Double]) throws {
        try require(nEstimators >= 1, "n_estimators", nEstimators, "must be ≥ 1")
        try require(learningRate > 0 && learningRate.isFinite, "learning_rate", learningRate, "must be > 0")
        try require(["linear", "square", "exponential"].contains(loss), "loss", loss, "expected linear, square or exponential")
        try Check.targets(x, y, "AdaBoostRegressor.fit")
        let n = x.rows
        var w = [Double](repeating: 1 / Double(n), count: n)
        var rng = SeededRandom(seed: treeSeed(randomState))
        let base: any Regressor = estimator ?? DecisionTreeRegressor(maxDepth: 3)
        var boxes: [EstimatorBox] = [], weights: [Double] = [], errors: [Double] = []
        for round in 0..<nEstimators {
            // Weighted bootstrap: inverse-CDF draws from the current weights.
            var cdf = [Double](repeating: 0, count: n)
            var acc = 0.0
            for i in 0..<n { acc += w[i]; cdf[i] = acc }
            let rows = (0..<n).map { _ -> Int in
                let u = rng.uniform() * acc
                var lo = 0, hi = n - 1
                while lo < hi { let m = (lo + hi) / 2; if cdf[m] <= u { lo = m + 1 } else { hi = m } }
                return lo
            }
            guard let e = EnsembleNesting.clone(base) as? any Regressor else { break }
            ensembleSeed(e, rng.childSeed())
            try e.fit(x.rows(rows), rows.map { y[$0] })
            let p = try e.predict(x)
            var err = (0..<n).map { abs(p[$0] - y[$0]) }
            let maxErr = (0..<n).filter { w[$0] > 0 }.map { err[$0] }.max() ?? 0
            if maxErr != 0 { err = err.map { $0 / maxErr } }
            if loss == "square" { err = err.map { $0 * $0 } } else if loss == "exponential" { err = err.map { 1 - exp(-$0) } }
            let meanErr = zip(w, err).reduce(0.0) { $0 + $1.0 * $1.1 }
            if meanErr <= 0 { boxes.append(EstimatorBox(e)); weights.append(1); errors.append(0); break }
            if meanErr >= 0.5 {
                if boxes.isEmpty { boxes.append(EstimatorBox(e)); weights.append(1); errors.append(meanErr) }
                break
            }
            let beta = meanErr / (1 - meanErr)
            boxes.append(EstimatorBox(e)); weights.append(learningRate * log(1 / beta)); errors.append(meanErr)
            if round < nEstimators - 1 {
                for i in 0..<n where w[i] > 0 { w[i] *= pow(beta, (1 - err[i]) * learningRate) }
                let s = w.reduce(0, +)
                if !(s > 0) || !s.isFinite { break }
                for i in 0..<n { w[i] /= s }
            }
        }
        fittedBoxes = boxes; estimatorWeights = weights; estimatorErrors = errors; nFeatures = x.columns
    }

    /// The vote-weighted median of the estimators' predictions.
    public func predict(_ x: Matrix) throws -> [Double] {
        guard !fittedBoxes.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: nFeatures, "AdaBoostRegressor.predict")
        let preds = try estimators.map { try $0.predict(x) }
        let total = estimatorWeights.reduce(0, +)
        return (0..<x.rows).map { i in
            let order = preds.indices.sorted { preds[$0][i] < preds[$1][i] }
            var acc = 0.0
            for m in order {
                acc += estimatorWeights[m]
                if acc >= 0.5 * total { return preds[m][i] }
            }
            return preds[order.last!][i]
        }
    }

    /// Vote-weighted mean of the estimators' importances (`feature_importances_`).
    public var featureImportances: [Double] { ensembleImportances(fittedBoxes, estimatorWeights, nFeatures) }
}

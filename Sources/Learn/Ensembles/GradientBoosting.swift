import Foundation

/// Settings shared by both gradient-boosting estimators (scikit-learn names in comments).
public struct GradientBoostingParameters: Equatable, Codable, Sendable {
    /// Shrinkage of every tree's contribution (`learning_rate`, default 0.1).
    public var learningRate = 0.1
    /// Boosting stages (`n_estimators`, default 100).
    public var nEstimators = 100
    /// Fraction of rows each stage's trees see, drawn without replacement (`subsample`, default 1).
    public var subsample = 1.0
    /// Tree split criterion (`criterion`: friedman_mse or squared_error).
    public var criterion = "friedman_mse"
    /// Seed (`random_state`).
    public var randomState: Int? = nil
    /// Held-out fraction for early stopping (`validation_fraction`, default 0.1).
    public var validationFraction = 0.1
    /// Stop after this many stages without validation improvement (`n_iter_no_change`; nil: never).
    public var nIterNoChange: Int? = nil
    /// Improvement smaller than this does not count (`tol`, default 1e-4).
    public var tol = 1e-4

    var parameters: [String: ParamValue] {
        ["learning_rate": .double(learningRate), "n_estimators": .int(nEstimators), "subsample": .double(subsample),
         "criterion": .string(criterion), "random_state": randomState.param, "validation_fraction": .double(validationFraction),
         "n_iter_no_change": nIterNoChange.param, "tol": .double(tol)]
    }

    mutating func set(_ name: String, _ value: ParamValue) throws -> Bool {
        switch name {
        case "learning_rate": learningRate = try value.double(name)
        case "n_estimators": nEstimators = try value.int(name, atMost: ParameterLimits.estimators)
        case "subsample": subsample = try value.double(name)
        case "criterion": criterion = try value.choice(name, ["friedman_mse", "squared_error"])
        case "random_state": randomState = try value.randomState(name)
        case "validation_fraction": validationFraction = try value.double(name)
        case "n_iter_no_change": nIterNoChange = try value.optionalInt(name)
        case "tol": tol = try value.double(name)
        default: return false
        }
        return true
    }

    func validate() throws {
        try require(learningRate >= 0 && learningRate.isFinite, "learning_rate", learningRate, "must be ≥ 0")
        try require(nEstimators >= 1, "n_estimators", nEstimators, "must be ≥ 1")
        try require(subsample > 0 && subsample <= 1, "subsample", subsample, "must be in (0, 1]")
        try require(["friedman_mse", "squared_error"].contains(criterion), "criterion", criterion, "expected friedman_mse or squared_error")
        try require(validationFraction > 0 && validationFraction < 1, "validation_fraction", validationFraction, "must be in (0, 1)")
        if let n = nIterNoChange { try require(n >= 1, "n_iter_no_change", n, "must be ≥ 1 or None") }
        try require(tol >= 0, "tol", tol, "must be ≥ 0")
    }
}

/// A fitted gradient-boosting model: the initial raw prediction and `K` regression trees per stage.
struct BoostedTrees: Codable {
    var loss: BoostingLoss = .squared
    var initial: [Double] = []
    var stages: [[TreeStructure]] = []
    var learningRate = 0.1
    var nFeatures = 0
    var trainScore: [Double] = []
    var featureImportances: [Double] = []

    /// Raw predictions `F(x) = F₀ + ν Σ_m h_m(x)` (`n × K`), optionally after each stage.
    func raw(_ x: Matrix, stages count: Int? = nil, each: (([Double]) -> Void)? = nil) -> [Double] {
        let k = loss.columns
        var f = [Double](repeating: 0, count: x.rows * k)
        for i in 0..<x.rows { for c in 0..<k { f[i * k + c] = initial[c] } }
        for stage in stages.prefix(count ?? stages.count) {
            for (c, tree) in stage.enumerated() {
                var col = [Double](repeating: 0, count: x.rows)
                tree.accumulate(x, scale: learningRate, into: &col)
                for i in 0..<x.rows { f[i * k + c] += col[i] }
            }
            each?(f)
        }
        return f
    }

    /// Fits the stages (Friedman 2001). `y`: targets, or class indices for the log losses.
    static func fit(_ x: Matrix, _ y: [Double], weights: [Double], loss: BoostingLoss, settings: GradientBoostingParameters,
                    tree: TreeParameters, unweighted: Bool, stratify: Bool) throws -> BoostedTrees {
        try settings.validate()
        var rng = SeededRandom(seed: treeSeed(settings.randomState))
        // Early stopping holds out a validation part (stratified for classifiers).
        var train = Array(0..<x.rows), valid: [Int] = []
        if settings.nIterNoChange != nil {
            (train, valid) = BoostingSplit.holdOut(y, fraction: settings.validationFraction, stratify: stratify, rng: &rng)
        }
        let xt = train.count == x.rows ? x : x.rows(train)
        let yt = train.map { y[$0] }, wt = train.map { weights[$0] }
        let n = xt.rows, k = loss.columns
        let data = TreeTrainingData(xt)
        let limits = try tree.limits(rows: n, totalWeight: wt.reduce(0, +), features: x.columns, randomSplits: false)
        var model = BoostedTrees()
        model.loss = loss; model.learningRate = settings.learningRate; model.nFeatures = x.columns
        model.initial = loss.initialRaw(yt, wt, unweighted: unweighted)
        var f = [Double](repeating: 0, count: n * k)
        for i in 0..<n { for c in 0..<k { f[i * k + c] = model.initial[c] } }
        let xv = valid.isEmpty ? nil : x.rows(valid)
        let yv = valid.map { y[$0] }, wv = valid.map { weights[$0] }
        var fv = [Double](repeating: 0, count: valid.count * k)
        for i in 0..<valid.count { for c in 0..<k { fv[i * k + c] = model.initial[c] } }
        var history = [Double](repeating: .infinity, count: settings.nIterNoChange ?? 0)
        var importance = [Double](repeating: 0, count: x.columns), usedTrees = 0
        let inBagCount = Swift.max(1, Int(settings.subsample * Double(n)))
        for m in 0..<settings.nEstimators {
            // Rows of this stage (subsample < 1: a random subset without replacement).
            var sw = wt
            if settings.subsample < 1 {
                var mask = [Bool](repeating: false, count: n)
                for i in rng.sample(n, count: inBagCount) { mask[i] = true }
                for i in 0..<n where !mask[i] { sw[i] = 0 }
            }
            var delta = 0.0
            if case .huber(let alpha) = loss {
                let inBag = (0..<n).filter { sw[$0] > 0 }
                delta = BoostingLoss.weightedPercentile(inBag.map { abs(yt[$0] - f[$0]) }, inBag.map { sw[$0] }, alpha)
            }
            var probabilities: [Double]? = nil
            if case .multinomial = loss { var p = f; BoostingLoss.softmax(&p, columns: k); probabilities = p }
            var stage: [TreeStructure] = []
            for c in 0..<k {
                let fc = k == 1 ? f : (0..<n).map { f[$0 * k + c] }
                let residual = loss.negativeGradient(yt, f, column: c, probabilities: probabilities, delta: delta)
                var t = TreeFitting.grow(data, .values(residual, criterion: settings.criterion), weights: sw, limits: limits, seed: rng.childSeed())
                t = TreePruning.prune(t, alpha: tree.ccpAlpha)
                let leaves = t.apply(xt)
                if loss.updatesLeaves {
                    let target: [Double]
                    if case .multinomial = loss { target = yt.map { Int($0) == c ? 1 : 0 } } else { target = yt }
                    var rows = [[Int]](repeating: [], count: t.nodeCount)
                    for i in 0..<n where sw[i] > 0 { rows[leaves[i]].append(i) }
                    for leaf in 0..<t.nodeCount where t.childrenLeft[leaf] == -1 && !rows[leaf].isEmpty {
                        let r = rows[leaf]
                        t.value[leaf] = loss.leafValue(y: r.map { target[$0] }, f: r.map { fc[$0] }, residual: r.map { residual[$0] },
                                                       w: r.map { sw[$0] }, delta: delta)
                    }
                }
                for i in 0..<n { f[i * k + c] += settings.learningRate * t.value[leaves[i]] }
                if t.nodeCount > 1 {
                    let d = t.impurityDecrease(features: x.columns)
                    for j in 0..<x.columns { importance[j] += d[j] }
                    usedTrees += 1
                }
                if let xv {
                    var col = [Double](repeating: 0, count: xv.rows)
                    t.accumulate(xv, scale: settings.learningRate, into: &col)
                    for i in 0..<xv.rows { fv[i * k + c] += col[i] }
                }
                stage.append(t)
            }
            model.stages.append(stage)
            model.trainScore.append(loss.loss(yt, f, sw, delta: delta))
            if settings.nIterNoChange != nil {
                let vl = loss.loss(yv, fv, wv, delta: delta)
                if history.contains(where: { vl + settings.tol < $0 }) { history[m % history.count] = vl } else { break }
            }
        }
        let total = importance.reduce(0, +)
        model.featureImportances = usedTrees > 0 && total > 0 ? importance.map { $0 / total } : importance
        return model
    }
}

/// Hold-out splits for early stopping.
enum BoostingSplit {
    /// `(train, validation)` row indices; stratified keeps each class's share (at least one
    /// validation row per class when possible).
    static func holdOut(_ y: [Double], fraction: Double, stratify: Bool, rng: inout SeededRandom) -> ([Int], [Int]) {
        let n = y.count
        guard stratify else {
            let perm = rng.permutation(n)
            let nv = Swift.max(1, Int((Double(n) * fraction).rounded(.up)))
            return (Array(perm[nv...]).sorted(), Array(perm[..<nv]).sorted())
        }
        var byClass: [Double: [Int]] = [:]
        for i in 0..<n { byClass[y[i], default: []].append(i) }
        var train: [Int] = [], valid: [Int] = []
        for key in byClass.keys.sorted() {
            var rows = byClass[key]!
            rows.shuffle(using: &rng)
            let nv = Swift.min(rows.count - 1, Swift.max(rows.count > 1 ? 1 : 0, Int((Double(rows.count) * fraction).rounded())))
            valid += rows[..<nv]; train += rows[nv...]
        }
        return (train.sorted(), valid.sorted())
    }
}

/// Gradient-boosted trees for classification (scikit-learn's `GradientBoostingClassifier`).
///
/// Starts from the log-odds (binary) or log class priors (K classes) and adds, at each of
/// `n_estimators` stages, `learning_rate ×` a depth-`max_depth` regression tree fitted to the
/// negative gradient of the log loss (`y − p`), with each leaf set to one Newton step
/// `Σ r / Σ p(1 − p)` (times `(K−1)/K` for K classes). K > 2 classes grow K trees per stage.
///
/// Defaults: `loss="log_loss", learning_rate=0.1, n_estimators=100, subsample=1.0,
/// criterion="friedman_mse", min_samples_split=2, min_samples_leaf=1, max_depth=3,
/// max_features=None, validation_fraction=0.1, n_iter_no_change=None, tol=1e-4, ccp_alpha=0`.
public final class GradientBoostingClassifier: ProbabilisticClassifier, DecisionFunctionClassifier, SampleWeightedClassifier,
    FeatureImportanceProviding, TreeParameterized {
    public static let modelName = "gradient-boosting"
    /// `loss`: only `"log_loss"`.
    public var loss: String
    /// Boosting settings (`learning_rate`, `n_estimators`, `subsample`, …).
    public var boosting: GradientBoostingParameters
    /// The trees' limits (`max_depth=3`, …).
    public var treeParameters: TreeParameters
    var model: BoostedTrees?
    /// Labels seen in fit (`classes_`).
    public private(set) var classes: [Int] = []

    public init(loss: String = "log_loss", learningRate: Double = 0.1, nEstimators: Int = 100, subsample: Double = 1.0,
                criterion: String = "friedman_mse", minSamplesSplit: TreeSampleCount = .count(2),
                minSamplesLeaf: TreeSampleCount = .count(1), minWeightFractionLeaf: Double = 0, maxDepth: Int? = 3,
                minImpurityDecrease: Double = 0, randomState: Int? = nil, maxFeatures: TreeMaxFeatures = .all,
                maxLeafNodes: Int? = nil, validationFraction: Double = 0.1, nIterNoChange: Int? = nil, tol: Double = 1e-4,
                ccpAlpha: Double = 0) {
        self.loss = loss
        boosting = GradientBoostingParameters(learningRate: learningRate, nEstimators: nEstimators, subsample: subsample, criterion: criterion,
                                              randomState: randomState, validationFraction: validationFraction, nIterNoChange: nIterNoChange, tol: tol)
        treeParameters = TreeParameters(maxDepth: maxDepth, minSamplesSplit: minSamplesSplit, minSamplesLeaf: minSamplesLeaf,
                                        minWeightFractionLeaf: minWeightFractionLeaf, maxFeatures: maxFeatures,
                                        maxLeafNodes: maxLeafNodes, minImpurityDecrease: minImpurityDecrease, ccpAlpha: ccpAlpha)
    }
    public convenience init() { self.init(loss: "log_loss") }

    public var parameters: [String: ParamValue] {
        var p = treeParameters.parameters.merging(boosting.parameters) { a, _ in a }
        p["loss"] = .string(loss)
        return p
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if try boosting.set(name, value) { return }
        if try treeParameters.set(name, value) { return }
        if name == "loss" { loss = try value.choice(name, ["log_loss"]); return }
        throw unknownParameter(name)
    }

    public func fit(_ x: Matrix, _ y: [Int]) throws { try fit(x, y, sampleWeight: nil) }

    public func fit(_ x: Matrix, _ y: [Int], sampleWeight: [Double]?) throws {
        try require(loss == "log_loss", "loss", loss, "expected log_loss")
        let (labels, encoded) = try LabelSet.fitting(x, y, "GradientBoostingClassifier.fit")
        try Check.sampleWeights(sampleWeight, rows: x.rows, "GradientBoostingClassifier.fit")
        let l: BoostingLoss = labels.count == 2 ? .binomial : .multinomial(labels.count)
        model = try BoostedTrees.fit(x, encoded.map(Double.init), weights: sampleWeight ?? [Double](repeating: 1, count: x.rows),
                                     loss: l, settings: boosting, tree: treeParameters, unweighted: sampleWeight == nil, stratify: true)
        classes = labels.classes
    }

    private func fitted(_ x: Matrix) throws -> BoostedTrees {
        guard let model else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: model.nFeatures, "GradientBoostingClassifier.predict")
        return model
    }

    /// Raw scores: the log-odds of `classes[1]` (one column) or one score per class.
    public func decisionFunction(_ x: Matrix) throws -> Matrix {
        let m = try fitted(x)
        return Matrix(rows: x.rows, columns: m.loss.columns, values: m.raw(x))
    }

    private func probabilities(_ raw: [Double], rows: Int) -> Matrix {
        if classes.count == 2 {
            var v = [Double](repeating: 0, count: rows * 2)
            for i in 0..<rows { let p = BoostingLoss.sigmoid(raw[i]); v[2 * i] = 1 - p; v[2 * i + 1] = p }
            return Matrix(rows: rows, columns: 2, values: v)
        }
        var p = raw
        BoostingLoss.softmax(&p, columns: classes.count)
        return Matrix(rows: rows, columns: classes.count, values: p)
    }

    /// Class probabilities: the sigmoid (binary) or softmax of the raw scores.
    public func predictProbabilities(_ x: Matrix) throws -> Matrix { probabilities(try fitted(x).raw(x), rows: x.rows) }

    public func predict(_ x: Matrix) throws -> [Int] {
        let p = try predictProbabilities(x)
        return TreeFitting.argmaxRows(p.values, columns: p.columns).map { classes[$0] }
    }

    /// Predicted labels after each stage (`staged_predict`).
    public func stagedPredict(_ x: Matrix) throws -> [[Int]] {
        var out: [[Int]] = []
        _ = try fitted(x).raw(x) { f in
            let p = self.probabilities(f, rows: x.rows)
            out.append(TreeFitting.argmaxRows(p.values, columns: p.columns).map { self.classes[$0] })
        }
        return out
    }

    /// Class probabilities after each stage (`staged_predict_proba`).
    public func stagedPredictProbabilities(_ x: Matrix) throws -> [Matrix] {
        var out: [Matrix] = []
        _ = try fitted(x).raw(x) { f in out.append(self.probabilities(f, rows: x.rows)) }
        return out
    }

    /// Mean log loss on the in-bag rows after each stage (`train_score_`).
    public var trainScore: [Double] { model?.trainScore ?? [] }
    /// Stages fitted (`n_estimators_`; fewer than `n_estimators` after early stopping).
    public var nEstimatorsFitted: Int { model?.stages.count ?? 0 }
    /// The trees, `K` per stage (`estimators_`).
    public var estimators: [[TreeStructure]] { model?.stages ?? [] }
    /// Impurity decrease per feature summed over all trees, normalized (`feature_importances_`).
    public var featureImportances: [Double] { model?.featureImportances ?? [] }
}

/// Gradient-boosted trees for regression (scikit-learn's `GradientBoostingRegressor`).
///
/// `F₀` is the best constant (mean, median or `alpha` quantile); each stage fits a depth-3
/// regression tree to the negative gradient of the loss and adds `learning_rate ×` its leaf
/// values, which for `absolute_error`, `huber` and `quantile` are re-set to the loss-minimizing
/// constant of the leaf's residuals `y − F`.
///
/// Defaults: `loss="squared_error", learning_rate=0.1, n_estimators=100, subsample=1.0,
/// criterion="friedman_mse", max_depth=3, alpha=0.9, validation_fraction=0.1,
/// n_iter_no_change=None, tol=1e-4`.
public final class GradientBoostingRegressor: SampleWeightedRegressor, FeatureImportanceProviding, TreeParameterized {
    public static let modelName = "gradient-boosting-regressor"
    /// `loss`: squared_error, absolute_error, huber or quantile.
    public var loss: String
    /// Quantile for `huber` and `quantile` (`alpha`, default 0.9).
    public var alpha: Double
    /// Boosting settings.
    public var boosting: GradientBoostingParameters
    /// The trees' limits.
    public var treeParameters: TreeParameters
    var model: BoostedTrees?

    static let losses = ["squared_error", "absolute_error", "huber", "quantile"]

    public init(loss: String = "squared_error", learningRate: Double = 0.1, nEstimators: Int = 100, subsample: Double = 1.0,
                criterion: String = "friedman_mse", minSamplesSplit: TreeSampleCount = .count(2),
                minSamplesLeaf: TreeSampleCount = .count(1), minWeightFractionLeaf: Double = 0, maxDepth: Int? = 3,
                minImpurityDecrease: Double = 0, randomState: Int? = nil, maxFeatures: TreeMaxFeatures = .all,
                alpha: Double = 0.9, maxLeafNodes: Int? = nil, validationFraction: Double = 0.1, nIterNoChange: Int? = nil,
                tol: Double = 1e-4, ccpAlpha: Double = 0) {
        self.loss = loss; self.alpha = alpha
        boosting = GradientBoostingParameters(learningRate: learningRate, nEstimators: nEstimators, subsample: subsample, criterion: criterion,
                                              randomState: randomState, validationFraction: validationFraction, nIterNoChange: nIterNoChange, tol: tol)
        treeParameters = TreeParameters(maxDepth: maxDepth, minSamplesSplit: minSamplesSplit, minSamplesLeaf: minSamplesLeaf,
                                        minWeightFractionLeaf: minWeightFractionLeaf, maxFeatures: maxFeatures,
                                        maxLeafNodes: maxLeafNodes, minImpurityDecrease: minImpurityDecrease, ccpAlpha: ccpAlpha)
    }
    public convenience init() { self.init(loss: "squared_error") }

    public var parameters: [String: ParamValue] {
        var p = treeParameters.parameters.merging(boosting.parameters) { a, _ in a }
        p["loss"] = .string(loss); p["alpha"] = .double(alpha)
        return p
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if try boosting.set(name, value) { return }
        if try treeParameters.set(name, value) { return }
        switch name {
        case "loss": loss = try value.choice(name, Self.losses)
        case "alpha": alpha = try value.double(name)
        default: throw unknownParameter(name)
        }
    }

    public func fit(_ x: Matrix, _ y: [Double]) throws { try fit(x, y, sampleWeight: nil) }

    public func fit(_ x: Matrix, _ y: [Double], sampleWeight: [Double]?) throws {
        try require(Self.losses.contains(loss), "loss", loss, "expected one of \(Self.losses)")
        try require(alpha > 0 && alpha < 1, "alpha", alpha, "must be in (0, 1)")
        let w = try TreeFitting.regressionInputs(x, y, sampleWeight, caller: "GradientBoostingRegressor.fit")
        let l: BoostingLoss
        switch loss {
        case "absolute_error": l = .absolute
        case "huber": l = .huber(alpha)
        case "quantile": l = .quantile(alpha)
        default: l = .squared
        }
        model = try BoostedTrees.fit(x, y, weights: w, loss: l, settings: boosting, tree: treeParameters,
                                     unweighted: sampleWeight == nil, stratify: false)
    }

    private func fitted(_ x: Matrix) throws -> BoostedTrees {
        guard let model else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: model.nFeatures, "GradientBoostingRegressor.predict")
        return model
    }

    public func predict(_ x: Matrix) throws -> [Double] { try fitted(x).raw(x) }

    /// Predictions after each stage (`staged_predict`).
    public func stagedPredict(_ x: Matrix) throws -> [[Double]] {
        var out: [[Double]] = []
        _ = try fitted(x).raw(x) { out.append($0) }
        return out
    }

    /// Mean training loss after each stage (`train_score_`; squared error as the MSE).
    public var trainScore: [Double] { model?.trainScore ?? [] }
    /// Stages fitted (`n_estimators_`).
    public var nEstimatorsFitted: Int { model?.stages.count ?? 0 }
    /// The trees, one per stage (`estimators_`).
    public var estimators: [[TreeStructure]] { model?.stages ?? [] }
    /// Impurity decrease per feature summed over all trees, normalized (`feature_importances_`).
    public var featureImportances: [Double] { model?.featureImportances ?? [] }
}

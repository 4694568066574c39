import Foundation

/// Settings shared by both histogram gradient-boosting estimators.
public struct HistGradientBoostingParameters: Equatable, Codable, Sendable {
    /// Shrinkage of each tree (`learning_rate`, default 0.1).
    public var learningRate = 0.1
    /// Boosting iterations (`max_iter`, default 100).
    public var maxIter = 100
    /// Leaves per tree (`max_leaf_nodes`, default 31; nil: unlimited).
    public var maxLeafNodes: Int? = 31
    /// Depth limit (`max_depth`, default None).
    public var maxDepth: Int? = nil
    /// Fewest rows per leaf (`min_samples_leaf`, default 20).
    public var minSamplesLeaf = 20
    /// L2 penalty λ on leaf values (`l2_regularization`, default 0).
    public var l2Regularization = 0.0
    /// Bins per feature, excluding the missing-value bin (`max_bins`, 2…255, default 255).
    public var maxBins = 255
    /// `"auto"` (on when more than 10 000 rows), `true` or `false` (`early_stopping`).
    public var earlyStopping: ParamValue = "auto"
    /// Held-out fraction for early stopping (`validation_fraction`, default 0.1).
    public var validationFraction = 0.1
    /// Stop when the last this-many iterations did not improve (`n_iter_no_change`, default 10).
    public var nIterNoChange = 10
    /// Smallest improvement that counts (`tol`, default 1e-7).
    public var tol = 1e-7
    /// Seed for binning subsamples and the validation split (`random_state`).
    public var randomState: Int? = nil

    var parameters: [String: ParamValue] {
        ["learning_rate": .double(learningRate), "max_iter": .int(maxIter), "max_leaf_nodes": maxLeafNodes.param,
         "max_depth": maxDepth.param, "min_samples_leaf": .int(minSamplesLeaf), "l2_regularization": .double(l2Regularization),
         "max_bins": .int(maxBins), "early_stopping": earlyStopping, "scoring": "loss", "validation_fraction": .double(validationFraction),
         "n_iter_no_change": .int(nIterNoChange), "tol": .double(tol), "random_state": randomState.param]
    }

    mutating func set(_ name: String, _ value: ParamValue) throws -> Bool {
        switch name {
        case "learning_rate": learningRate = try value.double(name)
        case "max_iter": maxIter = try value.int(name, atMost: ParameterLimits.estimators)
        case "max_leaf_nodes": maxLeafNodes = try value.optionalInt(name)
        case "max_depth": maxDepth = try value.optionalInt(name, atMost: ParameterLimits.depth)
        case "min_samples_leaf": minSamplesLeaf = try value.int(name)
        case "l2_regularization": l2Regularization = try value.double(name)
        case "max_bins": maxBins = try value.int(name, atMost: ParameterLimits.bins)
        case "early_stopping":
            if case .string("auto") = value { earlyStopping = value } else { earlyStopping = .bool(try value.bool(name)) }
        case "scoring": _ = try value.choice(name, ["loss"])
        case "validation_fraction": validationFraction = try value.double(name)
        case "n_iter_no_change": nIterNoChange = try value.int(name)
        case "tol": tol = try value.double(name)
        case "random_state": randomState = try value.randomState(name)
        default: return false
        }
        return true
    }

    func validate() throws {
        try require(learningRate > 0 && learningRate.isFinite, "learning_rate", learningRate, "must be > 0")
        try require(maxIter >= 1, "max_iter", maxIter, "must be ≥ 1")
        if let m = maxLeafNodes { try require(m >= 2, "max_leaf_nodes", m, "must be ≥ 2 or None") }
        if let d = maxDepth { try require(d >= 1, "max_depth", d, "must be ≥ 1 or None") }
        try require(minSamplesLeaf >= 1, "min_samples_leaf", minSamplesLeaf, "must be ≥ 1")
        try require(l2Regularization >= 0, "l2_regularization", l2Regularization, "must be ≥ 0")
        try require(maxBins >= 2 && maxBins <= 255, "max_bins", maxBins, "must be in [2, 255]")
        try require(validationFraction > 0 && validationFraction < 1, "validation_fraction", validationFraction, "must be in (0, 1)")
        try require(nIterNoChange >= 1, "n_iter_no_change", nIterNoChange, "must be ≥ 1")
        try require(tol >= 0, "tol", tol, "must be ≥ 0")
    }

    func earlyStoppingOn(rows: Int) -> Bool {
        if case .bool(let b) = earlyStopping { return b }
        return rows > 10_000
    }
}

/// A fitted histogram gradient-boosting model.
struct HistBoostedTrees: Codable {
    var loss: BoostingLoss = .squared
    var baseline: [Double] = []
    var trees: [[HistTree]] = []
    var nFeatures = 0
    var trainScore: [Double] = []
    var validationScore: [Double] = []

    /// Raw predictions (`n × K`): baseline plus every tree's leaf value.
    func raw(_ x: Matrix) -> [Double] {
        let k = loss.columns
        var f = [Double](repeating: 0, count: x.rows * k)
        x.values.withUnsafeBufferPointer { xv in
            for i in 0..<x.rows {
                let row = xv.baseAddress! + i * x.columns
                for c in 0..<k {
                    var s = baseline[c]
                    for it in trees { s += it[c].predict(row) }
                    f[i * k + c] = s
                }
            }
        }
        return f
    }

    /// Gradient `∂loss/∂F` and hessian per row for output column `c` (`p`: probabilities for
    /// the log losses).
    static func gradients(_ loss: BoostingLoss, _ y: [Double], _ f: [Double], _ p: [Double], column c: Int) -> ([Double], [Double]) {
        let n = y.count, k = loss.columns
        var g = [Double](repeating: 0, count: n), h = [Double](repeating: 1, count: n)
        for i in 0..<n {
            switch loss {
            case .binomial: let q = BoostingLoss.sigmoid(f[i]); g[i] = q - y[i]; h[i] = q * (1 - q)
            case .multinomial: let q = p[i * k + c]; g[i] = q - (Int(y[i]) == c ? 1 : 0); h[i] = q * (1 - q)
            default: g[i] = f[i] - y[i]
            }
            // scikit-learn keeps gradients and hessians as 32-bit floats; rounding the same way
            // makes near-tied splits (correlated features) break the same way.
            g[i] = Double(Float(g[i])); h[i] = Double(Float(h[i]))
        }
        return (g, h)
    }

    /// scikit-learn's score for `scoring="loss"`: minus the mean loss (half squared error).
    static func score(_ loss: BoostingLoss, _ y: [Double], _ f: [Double]) -> Double {
        let l = loss.loss(y, f, [Double](repeating: 1, count: y.count), delta: 0)
        return loss == .squared ? -0.5 * l : -l
    }

    static func fit(_ x: Matrix, _ y: [Double], loss: BoostingLoss, settings s: HistGradientBoostingParameters, stratify: Bool) throws -> HistBoostedTrees {
        try s.validate()
        var rng = SeededRandom(seed: treeSeed(s.randomState))
        let early = s.earlyStoppingOn(rows: x.rows)
        var train = Array(0..<x.rows), valid: [Int] = []
        if early { (train, valid) = BoostingSplit.holdOut(y, fraction: s.validationFraction, stratify: stratify, rng: &rng) }
        let xt = valid.isEmpty ? x : x.rows(train), yt = train.map { y[$0] }
        let xv = valid.isEmpty ? nil : x.rows(valid), yv = valid.map { y[$0] }
        let binner = HistBinner.fit(xt, maxBins: s.maxBins, rng: &rng)
        let binned = binner.transform(xt)
        let n = xt.rows, k = loss.columns
        var hasMissing = [Bool](repeating: false, count: x.columns)
        for j in 0..<x.columns { for i in 0..<n where binned[j * n + i] == UInt8(binner.missingBin) { hasMissing[j] = true; break } }
        var model = HistBoostedTrees()
        model.loss = loss; model.nFeatures = x.columns
        model.baseline = loss.initialRaw(yt, [Double](repeating: 1, count: n), unweighted: true)
        if loss == .squared { model.baseline = [yt.reduce(0, +) / Double(n)] }
        var f = [Double](repeating: 0, count: n * k), fv = [Double](repeating: 0, count: valid.count * k)
        for i in 0..<n { for c in 0..<k { f[i * k + c] = model.baseline[c] } }
        for i in 0..<valid.count { for c in 0..<k { fv[i * k + c] = model.baseline[c] } }
        var settings = HistGrowthSettings()
        settings.maxLeafNodes = s.maxLeafNodes; settings.maxDepth = s.maxDepth; settings.minSamplesLeaf = s.minSamplesLeaf
        settings.l2 = s.l2Regularization; settings.shrinkage = s.learningRate
        let grower = HistTreeGrower(binned: binned, rows: n, binner: binner, hasMissing: hasMissing, settings: settings)
        if early {
            model.trainScore.append(score(loss, yt, f)); model.validationScore.append(score(loss, yv, fv))
        }
        for _ in 0..<s.maxIter {
            var p = f
            if k > 1 { BoostingLoss.softmax(&p, columns: k) }
            var iteration: [HistTree] = []
            var updates: [[Double]] = []
            for c in 0..<k {
                let (g, h) = gradients(loss, yt, f, p, column: c)
                let (tree, rowValues) = grower.grow(gradients: g, hessians: h)
                iteration.append(tree); updates.append(rowValues)
            }
            for c in 0..<k { for i in 0..<n { f[i * k + c] += updates[c][i] } }
            model.trees.append(iteration)
            if let xv {
                xv.values.withUnsafeBufferPointer { xp in
                    for i in 0..<xv.rows { for c in 0..<k { fv[i * k + c] += iteration[c].predict(xp.baseAddress! + i * xv.columns) } }
                }
                model.trainScore.append(score(loss, yt, f)); model.validationScore.append(score(loss, yv, fv))
                // Stop when none of the last n_iter_no_change scores beat the one before them by tol.
                let scores = model.validationScore
                if scores.count > s.nIterNoChange {
                    let reference = scores[scores.count - s.nIterNoChange - 1]
                    if !scores.suffix(s.nIterNoChange).contains(where: { $0 > reference + s.tol }) { break }
                }
            }
        }
        return model
    }
}

/// Histogram-based gradient boosting for classification (scikit-learn's
/// `HistGradientBoostingClassifier`, after LightGBM).
///
/// Features are binned once into at most `max_bins` quantile bins (NaN gets its own bin, so
/// missing values are accepted and sent at each split to the side that lowered the loss in
/// training). Each iteration fits, per output, a leaf-wise tree (≤ `max_leaf_nodes` leaves,
/// ≥ `min_samples_leaf` rows per leaf) to the gradients and hessians of the log loss, using
/// per-bin histograms and the histogram subtraction trick; leaves hold the Newton step
/// `−learning_rate · G/(H + l2_regularization)`. Binary problems grow one tree per iteration,
/// K classes grow K.
///
/// Defaults: `loss="log_loss", learning_rate=0.1, max_iter=100, max_leaf_nodes=31,
/// max_depth=None, min_samples_leaf=20, l2_regularization=0, max_bins=255,
/// early_stopping="auto"` (on above 10 000 rows) `, scoring="loss", validation_fraction=0.1,
/// n_iter_no_change=10, tol=1e-7`.
public final class HistGradientBoostingClassifier: ProbabilisticClassifier, DecisionFunctionClassifier {
    public static let modelName = "hist-gradient-boosting"
    /// `loss`: only `"log_loss"`.
    public var loss: String
    /// Every other hyper-parameter (`learning_rate`, `max_iter`, …).
    public var settings: HistGradientBoostingParameters
    var model: HistBoostedTrees?
    /// Labels seen in fit (`classes_`).
    public private(set) var classes: [Int] = []

    public init(loss: String = "log_loss", learningRate: Double = 0.1, maxIter: Int = 100, maxLeafNodes: Int? = 31,
                maxDepth: Int? = nil, minSamplesLeaf: Int = 20, l2Regularization: Double = 0, maxBins: Int = 255,
                earlyStopping: ParamValue = "auto", validationFraction: Double = 0.1, nIterNoChange: Int = 10,
                tol: Double = 1e-7, randomState: Int? = nil) {
        self.loss = loss
        settings = HistGradientBoostingParameters(learningRate: learningRate, maxIter: maxIter, maxLeafNodes: maxLeafNodes, maxDepth: maxDepth,
                                                  minSamplesLeaf: minSamplesLeaf, l2Regularization: l2Regularization, maxBins: maxBins,
                                                  earlyStopping: earlyStopping, validationFraction: validationFraction,
                                                  nIterNoChange: nIterNoChange, tol: tol, randomState: randomState)
    }
    public convenience init() { self.init(loss: "log_loss") }

    public var parameters: [String: ParamValue] { settings.parameters.merging(["loss": .string(loss)]) { a, _ in a } }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if try settings.set(name, value) { return }
        if name == "loss" { loss = try value.choice(name, ["log_loss"]); return }
        throw unknownParameter(name)
    }

    /// Fits; `x` may contain NaN (missing values).
    public func fit(_ x: Matrix, _ y: [Int]) throws {
        let caller = "HistGradientBoostingClassifier.fit"
        try require(loss == "log_loss", "loss", loss, "expected log_loss")
        try Check.featuresAllowingNaN(x, caller)
        try Check.lengths(x, y.count, caller)
        let labels = LabelSet(y)
        if labels.count < 2 { throw LearnError.invalidInput("\(caller): y has \(labels.count) class; at least 2 needed") }
        let encoded = try labels.encode(y, caller)
        model = try HistBoostedTrees.fit(x, encoded.map(Double.init), loss: labels.count == 2 ? .binomial : .multinomial(labels.count),
                                         settings: settings, stratify: true)
        classes = labels.classes
    }

    private func fitted(_ x: Matrix) throws -> HistBoostedTrees {
        guard let model else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: model.nFeatures, "HistGradientBoostingClassifier.predict", allowNaN: true)
        return model
    }

    /// Raw scores: log-odds of `classes[1]` (one column) or one score per class.
    public func decisionFunction(_ x: Matrix) throws -> Matrix {
        let m = try fitted(x)
        return Matrix(rows: x.rows, columns: m.loss.columns, values: m.raw(x))
    }

    /// Class probabilities (sigmoid or softmax of the raw scores).
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        let raw = try fitted(x).raw(x)
        if classes.count == 2 {
            var v = [Double](repeating: 0, count: x.rows * 2)
            for i in 0..<x.rows { let p = BoostingLoss.sigmoid(raw[i]); v[2 * i] = 1 - p; v[2 * i + 1] = p }
            return Matrix(rows: x.rows, columns: 2, values: v)
        }
        var p = raw
        BoostingLoss.softmax(&p, columns: classes.count)
        return Matrix(rows: x.rows, columns: classes.count, values: p)
    }

    public func predict(_ x: Matrix) throws -> [Int] {
        let p = try predictProbabilities(x)
        return TreeFitting.argmaxRows(p.values, columns: p.columns).map { classes[$0] }
    }

    /// Iterations run (`n_iter_`).
    public var nIterations: Int { model?.trees.count ?? 0 }
    /// Minus the training loss before and after each iteration, with early stopping (`train_score_`).
    public var trainScore: [Double] { model?.trainScore ?? [] }
    /// Minus the validation loss likewise (`validation_score_`).
    public var validationScore: [Double] { model?.validationScore ?? [] }
}

/// Histogram-based gradient boosting for regression (scikit-learn's
/// `HistGradientBoostingRegressor`): the same trees as ``HistGradientBoostingClassifier`` fitted
/// to the squared-error gradients `F − y` (hessian 1), starting from the mean.
///
/// Defaults as for the classifier with `loss="squared_error"`.
public final class HistGradientBoostingRegressor: Regressor {
    public static let modelName = "hist-gradient-boosting-regressor"
    /// `loss`: only `"squared_error"`.
    public var loss: String
    /// Every other hyper-parameter.
    public var settings: HistGradientBoostingParameters
    var model: HistBoostedTrees?

    public init(loss: String = "squared_error", learningRate: Double = 0.1, maxIter: Int = 100, maxLeafNodes: Int? = 31,
                maxDepth: Int? = nil, minSamplesLeaf: Int = 20, l2Regularization: Double = 0, maxBins: Int = 255,
                earlyStopping: ParamValue = "auto", validationFraction: Double = 0.1, nIterNoChange: Int = 10,
                tol: Double = 1e-7, randomState: Int? = nil) {
        self.loss = loss
        settings = HistGradientBoostingParameters(learningRate: learningRate, maxIter: maxIter, maxLeafNodes: maxLeafNodes, maxDepth: maxDepth,
                                                  minSamplesLeaf: minSamplesLeaf, l2Regularization: l2Regularization, maxBins: maxBins,
                                                  earlyStopping: earlyStopping, validationFraction: validationFraction,
                                                  nIterNoChange: nIterNoChange, tol: tol, randomState: randomState)
    }
    public convenience init() { self.init(loss: "squared_error") }

    public var parameters: [String: ParamValue] { settings.parameters.merging(["loss": .string(loss)]) { a, _ in a } }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if try settings.set(name, value) { return }
        if name == "loss" { loss = try value.choice(name, ["squared_error"]); return }
        throw unknownParameter(name)
    }

    /// Fits; `x` may contain NaN (missing values).
    public func fit(_ x: Matrix, _ y: [Double]) throws {
        let caller = "HistGradientBoostingRegressor.fit"
        try require(loss == "squared_error", "loss", loss, "expected squared_error")
        try Check.featuresAllowingNaN(x, caller)
        try Check.lengths(x, y.count, caller)
        if let k = y.firstIndex(where: { !$0.isFinite }) { throw LearnError.invalidInput("\(caller): y contains \(y[k]) at index \(k)") }
        model = try HistBoostedTrees.fit(x, y, loss: .squared, settings: settings, stratify: false)
    }

    public func predict(_ x: Matrix) throws -> [Double] {
        guard let model else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: model.nFeatures, "HistGradientBoostingRegressor.predict", allowNaN: true)
        return model.raw(x)
    }

    /// Iterations run (`n_iter_`).
    public var nIterations: Int { model?.trees.count ?? 0 }
    /// Minus the training loss before and after each iteration, with early stopping (`train_score_`).
    public var trainScore: [Double] { model?.trainScore ?? [] }
    /// Minus the validation loss likewise (`validation_score_`).
    public var validationScore: [Double] { model?.validationScore ?? [] }
}

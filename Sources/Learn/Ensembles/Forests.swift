import Foundation

/// A bagged forest classifier (shared body of random forests and extra trees).
///
/// Each of `n_estimators` trees is grown to purity on a bootstrap sample (random forests) or on
/// all rows (extra trees), looking at `max_features` random features per split; the forest's
/// probabilities are the mean of the trees' leaf class proportions. With `oob_score=True`, each
/// training row is also predicted by the trees whose bootstrap left it out.
public protocol ForestClassifierModel: ProbabilisticClassifier, SampleWeightedClassifier, FeatureImportanceProviding, ForestParameterized {
    /// The fitted trees (`estimators_`).
    var estimators: [TreeStructure] { get }
    /// Out-of-bag class probabilities per training row (`oob_decision_function_`), with `oob_score=True`.
    var oobDecisionFunction: Matrix? { get }
    /// Out-of-bag accuracy (`oob_score_`), with `oob_score=True`.
    var oobScore: Double? { get }
}

/// A bagged forest regressor (shared body of random forests and extra trees): the mean of the
/// trees' predictions.
public protocol ForestRegressorModel: SampleWeightedRegressor, FeatureImportanceProviding, ForestParameterized {
    /// The fitted trees (`estimators_`).
    var estimators: [TreeStructure] { get }
    /// Out-of-bag prediction per training row (`oob_prediction_`), with `oob_score=True`.
    var oobPrediction: [Double]? { get }
    /// Out-of-bag R² (`oob_score_`), with `oob_score=True`.
    var oobScore: Double? { get }
}

/// Parameter plumbing shared by the four forests.
enum ForestPlumbing {
    static func parameters(_ forest: ForestParameters, _ tree: TreeParameters, criterion: String, extra: [String: ParamValue] = [:]) -> [String: ParamValue] {
        var p = tree.parameters.merging(forest.parameters) { a, _ in a }
        p["criterion"] = .string(criterion)
        for (k, v) in extra { p[k] = v }
        return p
    }

    /// Sets a forest or tree parameter; false when the name is neither.
    static func set(_ name: String, _ value: ParamValue, _ forest: inout ForestParameters, _ tree: inout TreeParameters) throws -> Bool {
        if try forest.set(name, value) { return true }
        return try tree.set(name, value)
    }

    static let classificationCriteria = ["gini", "entropy", "log_loss"]
    static let regressionCriteria = ["squared_error", "friedman_mse", "absolute_error"]
}

/// A random forest classifier (scikit-learn's `RandomForestClassifier`, Breiman 2001).
///
/// Defaults: `n_estimators=100, criterion="gini", max_features="sqrt", bootstrap=True,
/// oob_score=False, max_samples=None, class_weight=None` and the tree defaults (fully grown).
/// Trees are built concurrently (`n_jobs`).
public final class RandomForestClassifier: ForestClassifierModel {
    public static let modelName = "random-forest"
    /// `criterion`: gini, entropy or log_loss.
    public var criterion: String
    /// Tree growth limits (`max_depth`, `max_features`, …).
    public var treeParameters: TreeParameters
    /// Bagging settings (`n_estimators`, `bootstrap`, `oob_score`, …).
    public var forestParameters: ForestParameters
    /// `class_weight`.
    public var classWeight: ClassWeight
    var model: ForestModel?
    /// Labels seen in fit (`classes_`).
    public internal(set) var classes: [Int] = []

    public init(nEstimators: Int = 100, criterion: String = "gini", maxDepth: Int? = nil,
                minSamplesSplit: TreeSampleCount = .count(2), minSamplesLeaf: TreeSampleCount = .count(1),
                minWeightFractionLeaf: Double = 0, maxFeatures: TreeMaxFeatures = .sqrt, maxLeafNodes: Int? = nil,
                minImpurityDecrease: Double = 0, bootstrap: Bool = true, oobScore: Bool = false, nJobs: Int? = nil,
                randomState: Int? = nil, classWeight: ClassWeight = .uniform, ccpAlpha: Double = 0, maxSamples: ParamValue = .none) {
        self.criterion = criterion; self.classWeight = classWeight
        treeParameters = TreeParameters(maxDepth: maxDepth, minSamplesSplit: minSamplesSplit, minSamplesLeaf: minSamplesLeaf,
                                        minWeightFractionLeaf: minWeightFractionLeaf, maxFeatures: maxFeatures,
                                        maxLeafNodes: maxLeafNodes, minImpurityDecrease: minImpurityDecrease, ccpAlpha: ccpAlpha)
        forestParameters = ForestParameters(nEstimators: nEstimators, bootstrap: bootstrap, oobScore: oobScore, nJobs: nJobs,
                                            randomState: randomState, maxSamples: maxSamples)
    }
    public convenience init() { self.init(nEstimators: 100) }
    var randomSplits: Bool { false }
}

/// An extremely randomized trees classifier (scikit-learn's `ExtraTreesClassifier`, Geurts et al. 2006):
/// like a random forest, but each split draws one uniform threshold per examined feature between
/// the node's minimum and maximum and keeps the best of those, and trees see all rows.
///
/// Defaults: `n_estimators=100, criterion="gini", max_features="sqrt", bootstrap=False`.
public final class ExtraTreesClassifier: ForestClassifierModel {
    public static let modelName = "extra-trees"
    /// `criterion`: gini, entropy or log_loss.
    public var criterion: String
    /// Tree growth limits.
    public var treeParameters: TreeParameters
    /// Bagging settings.
    public var forestParameters: ForestParameters
    /// `class_weight`.
    public var classWeight: ClassWeight
    var model: ForestModel?
    /// Labels seen in fit (`classes_`).
    public internal(set) var classes: [Int] = []

    public init(nEstimators: Int = 100, criterion: String = "gini", maxDepth: Int? = nil,
                minSamplesSplit: TreeSampleCount = .count(2), minSamplesLeaf: TreeSampleCount = .count(1),
                minWeightFractionLeaf: Double = 0, maxFeatures: TreeMaxFeatures = .sqrt, maxLeafNodes: Int? = nil,
                minImpurityDecrease: Double = 0, bootstrap: Bool = false, oobScore: Bool = false, nJobs: Int? = nil,
                randomState: Int? = nil, classWeight: ClassWeight = .uniform, ccpAlpha: Double = 0, maxSamples: ParamValue = .none) {
        self.criterion = criterion; self.classWeight = classWeight
        treeParameters = TreeParameters(maxDepth: maxDepth, minSamplesSplit: minSamplesSplit, minSamplesLeaf: minSamplesLeaf,
                                        minWeightFractionLeaf: minWeightFractionLeaf, maxFeatures: maxFeatures,
                                        maxLeafNodes: maxLeafNodes, minImpurityDecrease: minImpurityDecrease, ccpAlpha: ccpAlpha)
        forestParameters = ForestParameters(nEstimators: nEstimators, bootstrap: bootstrap, oobScore: oobScore, nJobs: nJobs,
                                            randomState: randomState, maxSamples: maxSamples)
    }
    public convenience init() { self.init(nEstimators: 100) }
    var randomSplits: Bool { true }
}

/// A random forest regressor (scikit-learn's `RandomForestRegressor`).
///
/// Defaults: `n_estimators=100, criterion="squared_error", max_features=1.0` (all features),
/// `bootstrap=True, oob_score=False`.
public final class RandomForestRegressor: ForestRegressorModel {
    public static let modelName = "random-forest-regressor"
    /// `criterion`: squared_error, friedman_mse or absolute_error.
    public var criterion: String
    /// Tree growth limits.
    public var treeParameters: TreeParameters
    /// Bagging settings.
    public var forestParameters: ForestParameters
    var model: ForestModel?

    public init(nEstimators: Int = 100, criterion: String = "squared_error", maxDepth: Int? = nil,
                minSamplesSplit: TreeSampleCount = .count(2), minSamplesLeaf: TreeSampleCount = .count(1),
                minWeightFractionLeaf: Double = 0, maxFeatures: TreeMaxFeatures = .fraction(1.0), maxLeafNodes: Int? = nil,
                minImpurityDecrease: Double = 0, bootstrap: Bool = true, oobScore: Bool = false, nJobs: Int? = nil,
                randomState: Int? = nil, ccpAlpha: Double = 0, maxSamples: ParamValue = .none) {
        self.criterion = criterion
        treeParameters = TreeParameters(maxDepth: maxDepth, minSamplesSplit: minSamplesSplit, minSamplesLeaf: minSamplesLeaf,
                                        minWeightFractionLeaf: minWeightFractionLeaf, maxFeatures: maxFeatures,
                                        maxLeafNodes: maxLeafNodes, minImpurityDecrease: minImpurityDecrease, ccpAlpha: ccpAlpha)
        forestParameters = ForestParameters(nEstimators: nEstimators, bootstrap: bootstrap, oobScore: oobScore, nJobs: nJobs,
                                            randomState: randomState, maxSamples: maxSamples)
    }
    public convenience init() { self.init(nEstimators: 100) }
    var randomSplits: Bool { false }
}

/// An extremely randomized trees regressor (scikit-learn's `ExtraTreesRegressor`).
///
/// Defaults: `n_estimators=100, criterion="squared_error", max_features=1.0, bootstrap=False`.
public final class ExtraTreesRegressor: ForestRegressorModel {
    public static let modelName = "extra-trees-regressor"
    /// `criterion`: squared_error, friedman_mse or absolute_error.
    public var criterion: String
    /// Tree growth limits.
    public var treeParameters: TreeParameters
    /// Bagging settings.
    public var forestParameters: ForestParameters
    var model: ForestModel?

    public init(nEstimators: Int = 100, criterion: String = "squared_error", maxDepth: Int? = nil,
                minSamplesSplit: TreeSampleCount = .count(2), minSamplesLeaf: TreeSampleCount = .count(1),
                minWeightFractionLeaf: Double = 0, maxFeatures: TreeMaxFeatures = .fraction(1.0), maxLeafNodes: Int? = nil,
                minImpurityDecrease: Double = 0, bootstrap: Bool = false, oobScore: Bool = false, nJobs: Int? = nil,
                randomState: Int? = nil, ccpAlpha: Double = 0, maxSamples: ParamValue = .none) {
        self.criterion = criterion
        treeParameters = TreeParameters(maxDepth: maxDepth, minSamplesSplit: minSamplesSplit, minSamplesLeaf: minSamplesLeaf,
                                        minWeightFractionLeaf: minWeightFractionLeaf, maxFeatures: maxFeatures,
                                        maxLeafNodes: maxLeafNodes, minImpurityDecrease: minImpurityDecrease, ccpAlpha: ccpAlpha)
        forestParameters = ForestParameters(nEstimators: nEstimators, bootstrap: bootstrap, oobScore: oobScore, nJobs: nJobs,
                                            randomState: randomState, maxSamples: maxSamples)
    }
    public convenience init() { self.init(nEstimators: 100) }
    var randomSplits: Bool { true }
}

// MARK: - shared behaviour

/// The stored state the shared forest code reads and writes.
protocol ForestClassifierStorage: ForestClassifierModel {
    var criterion: String { get set }
    var classWeight: ClassWeight { get set }
    var model: ForestModel? { get set }
    var classes: [Int] { get set }
    var randomSplits: Bool { get }
}

protocol ForestRegressorStorage: ForestRegressorModel {
    var criterion: String { get set }
    var model: ForestModel? { get set }
    var randomSplits: Bool { get }
}

extension RandomForestClassifier: ForestClassifierStorage {}
extension ExtraTreesClassifier: ForestClassifierStorage {}
extension RandomForestRegressor: ForestRegressorStorage {}
extension ExtraTreesRegressor: ForestRegressorStorage {}

extension ForestClassifierStorage {
    public var parameters: [String: ParamValue] {
        ForestPlumbing.parameters(forestParameters, treeParameters, criterion: criterion, extra: ["class_weight": classWeight.param])
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if try ForestPlumbing.set(name, value, &forestParameters, &treeParameters) { return }
        switch name {
        case "criterion": criterion = try value.choice(name, ForestPlumbing.classificationCriteria)
        case "class_weight": classWeight = try ClassWeight(param: value)
        default: throw unknownParameter(name)
        }
    }

    public func fit(_ x: Matrix, _ y: [Int]) throws { try fit(x, y, sampleWeight: nil) }

    /// Fits the trees with optional per-sample weights.
    public func fit(_ x: Matrix, _ y: [Int], sampleWeight: [Double]?) throws {
        let caller = "\(Self.modelName).fit"
        try require(ForestPlumbing.classificationCriteria.contains(criterion), "criterion", criterion, "expected gini, entropy or log_loss")
        let (labels, encoded, w) = try TreeFitting.classificationInputs(x, y, sampleWeight, classWeight: classWeight, caller: caller)
        model = try ForestModel.fit(x, .classes(encoded, count: labels.count, criterion: criterion), weights: w,
                                    forest: forestParameters, tree: treeParameters, randomSplits: randomSplits, caller: caller)
        classes = labels.classes
        if let p = model?.oobPrediction {
            let pred = TreeFitting.argmaxRows(p, columns: labels.count)
            model?.oobScore = Double(zip(pred, encoded).filter { $0 == $1 }.count) / Double(y.count)
        }
    }

    /// Mean class proportions of the trees (`predict_proba`).
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        guard let model else { throw LearnError.notFitted(Self.modelName) }
        return Matrix(rows: x.rows, columns: classes.count, values: try model.predict(x, caller: "\(Self.modelName).predict"))
    }

    public func predict(_ x: Matrix) throws -> [Int] {
        let p = try predictProbabilities(x)
        return TreeFitting.argmaxRows(p.values, columns: p.columns).map { classes[$0] }
    }

    /// Mean impurity decrease per feature over the trees, normalized (`feature_importances_`).
    public var featureImportances: [Double] { model?.featureImportances ?? [] }
    /// The fitted trees (`estimators_`).
    public var estimators: [TreeStructure] { model?.trees ?? [] }
    /// Out-of-bag class probabilities per training row (`oob_decision_function_`), with `oob_score=True`.
    public var oobDecisionFunction: Matrix? {
        guard let m = model, let p = m.oobPrediction else { return nil }
        return Matrix(rows: p.count / classes.count, columns: classes.count, values: p)
    }
    /// Out-of-bag accuracy (`oob_score_`), with `oob_score=True`.
    public var oobScore: Double? { model?.oobScore }
}

extension ForestRegressorStorage {
    public var parameters: [String: ParamValue] { ForestPlumbing.parameters(forestParameters, treeParameters, criterion: criterion) }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if try ForestPlumbing.set(name, value, &forestParameters, &treeParameters) { return }
        switch name {
        case "criterion": criterion = try value.choice(name, ForestPlumbing.regressionCriteria)
        default: throw unknownParameter(name)
        }
    }

    public func fit(_ x: Matrix, _ y: [Double]) throws { try fit(x, y, sampleWeight: nil) }

    /// Fits the trees with optional per-sample weights.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeight: [Double]?) throws {
        let caller = "\(Self.modelName).fit"
        try require(ForestPlumbing.regressionCriteria.contains(criterion), "criterion", criterion, "expected squared_error, friedman_mse or absolute_error")
        let w = try TreeFitting.regressionInputs(x, y, sampleWeight, caller: caller)
        model = try ForestModel.fit(x, .values(y, criterion: criterion), weights: w, forest: forestParameters,
                                    tree: treeParameters, randomSplits: randomSplits, caller: caller)
        if let p = model?.oobPrediction { model?.oobScore = TreeFitting.r2(y, p) }
    }

    /// Mean of the trees' predictions.
    public func predict(_ x: Matrix) throws -> [Double] {
        guard let model else { throw LearnError.notFitted(Self.modelName) }
        return try model.predict(x, caller: "\(Self.modelName).predict")
    }

    /// Mean impurity decrease per feature over the trees, normalized (`feature_importances_`).
    public var featureImportances: [Double] { model?.featureImportances ?? [] }
    /// The fitted trees (`estimators_`).
    public var estimators: [TreeStructure] { model?.trees ?? [] }
    /// Out-of-bag prediction per training row (`oob_prediction_`), with `oob_score=True`.
    public var oobPrediction: [Double]? { model?.oobPrediction }
    /// Out-of-bag R² (`oob_score_`), with `oob_score=True`.
    public var oobScore: Double? { model?.oobScore }
}

import Foundation

/// A CART decision-tree classifier (scikit-learn's `DecisionTreeClassifier`).
///
/// Grows a binary tree top-down: at each node it tries every threshold between consecutive
/// distinct values of `max_features` randomly ordered features and keeps the split with the
/// largest weighted impurity decrease
/// `W_t/W · (I(t) − W_L/W_t · I(L) − W_R/W_t · I(R))`, with `I` the Gini impurity `1 − Σ p_k²` or
/// the entropy `−Σ p_k log₂ p_k`. A leaf predicts the (weighted) class proportions of its samples.
/// Growth stops at pure nodes or when `max_depth`, `min_samples_*`, `min_weight_fraction_leaf`,
/// `min_impurity_decrease` or `max_leaf_nodes` (best-first growth) say so; `ccp_alpha > 0` then
/// applies minimal cost-complexity pruning.
///
/// Defaults (scikit-learn 1.9.1): `criterion="gini", splitter="best", max_depth=None,
/// min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0, max_features=None,
/// random_state=None, max_leaf_nodes=None, min_impurity_decrease=0, class_weight=None, ccp_alpha=0`.
/// With every feature examined the tree is deterministic except for which of several equally
/// good features wins, which depends on the random feature order (as in scikit-learn).
public final class DecisionTreeClassifier: ProbabilisticClassifier, SampleWeightedClassifier, FeatureImportanceProviding, TreeParameterized {
    public static let modelName = "decision-tree"

    /// `"gini"`, `"entropy"` or `"log_loss"` (the same as entropy).
    public var criterion: String
    /// `"best"` (best threshold per feature) or `"random"` (one random threshold per feature).
    public var splitter: String
    /// Growth and pruning limits (`max_depth`, `min_samples_split`, …; see ``TreeParameters``).
    public var treeParameters: TreeParameters
    /// `class_weight`.
    public var classWeight: ClassWeight
    /// Seed for the feature order and random thresholds (`random_state`; nil: random).
    public var randomState: Int?

    /// The fitted tree (`tree_`).
    public private(set) var tree: TreeStructure?
    /// Labels seen in fit (`classes_`).
    public private(set) var classes: [Int] = []
    /// Features seen in fit (`n_features_in_`).
    public private(set) var nFeaturesIn = 0
    /// Normalized total impurity decrease per feature (`feature_importances_`).
    public private(set) var featureImportances: [Double] = []

    public init(criterion: String = "gini", splitter: String = "best", maxDepth: Int? = nil,
                minSamplesSplit: TreeSampleCount = .count(2), minSamplesLeaf: TreeSampleCount = .count(1),
                minWeightFractionLeaf: Double = 0, maxFeatures: TreeMaxFeatures = .all, randomState: Int? = nil,
                maxLeafNodes: Int? = nil, minImpurityDecrease: Double = 0, classWeight: ClassWeight = .uniform, ccpAlpha: Double = 0) {
        self.criterion = criterion; self.splitter = splitter; self.randomState = randomState; self.classWeight = classWeight
        treeParameters = TreeParameters(maxDepth: maxDepth, minSamplesSplit: minSamplesSplit, minSamplesLeaf: minSamplesLeaf,
                                        minWeightFractionLeaf: minWeightFractionLeaf, maxFeatures: maxFeatures,
                                        maxLeafNodes: maxLeafNodes, minImpurityDecrease: minImpurityDecrease, ccpAlpha: ccpAlpha)
    }

    public convenience init() { self.init(criterion: "gini") }

    public var parameters: [String: ParamValue] {
        treeParameters.parameters.merging(["criterion": .string(criterion), "splitter": .string(splitter),
                                           "class_weight": classWeight.param, "random_state": randomState.param]) { a, _ in a }
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if try treeParameters.set(name, value) { return }
        switch name {
        case "criterion": criterion = try value.choice(name, ["gini", "entropy", "log_loss"])
        case "splitter": splitter = try value.choice(name, ["best", "random"])
        case "class_weight": classWeight = try ClassWeight(param: value)
        case "random_state": randomState = try value.randomState(name)
        default: throw unknownParameter(name)
        }
    }

    /// Depth of the fitted tree (`get_depth()`).
    public var depth: Int { tree?.depth ?? 0 }
    /// Leaves of the fitted tree (`get_n_leaves()`).
    public var leafCount: Int { tree?.leafCount ?? 0 }

    public func fit(_ x: Matrix, _ y: [Int]) throws { try fit(x, y, sampleWeight: nil) }

    /// Fits with optional per-sample weights (multiplied by the class weights).
    public func fit(_ x: Matrix, _ y: [Int], sampleWeight: [Double]?) throws {
        let (labels, encoded, w) = try prepare(x, y, sampleWeight)
        let t = try TreeFitting.fit(TreeTrainingData(x), .classes(encoded, count: labels.count, criterion: criterion),
                                    weights: w, parameters: treeParameters, randomSplits: splitter == "random", seed: treeSeed(randomState))
        tree = t; classes = labels.classes; nFeaturesIn = x.columns
        featureImportances = t.featureImportances(features: x.columns)
    }

    private func prepare(_ x: Matrix, _ y: [Int], _ sampleWeight: [Double]?) throws -> (LabelSet, [Int], [Double]) {
        try require(["gini", "entropy", "log_loss"].contains(criterion), "criterion", criterion, "expected gini, entropy or log_loss")
        try require(["best", "random"].contains(splitter), "splitter", splitter, "expected best or random")
        return try TreeFitting.classificationInputs(x, y, sampleWeight, classWeight: classWeight, caller: "DecisionTreeClassifier.fit")
    }

    /// The minimal cost-complexity pruning path of the full tree on `(x, y)`
    /// (`cost_complexity_pruning_path`): effective alphas, increasing, and the total leaf
    /// impurity of the tree pruned at each.
    public func costComplexityPruningPath(_ x: Matrix, _ y: [Int], sampleWeight: [Double]? = nil) throws -> (ccpAlphas: [Double], impurities: [Double]) {
        let (labels, encoded, w) = try prepare(x, y, sampleWeight)
        var p = treeParameters; p.ccpAlpha = 0
        let t = try TreeFitting.fit(TreeTrainingData(x), .classes(encoded, count: labels.count, criterion: criterion),
                                    weights: w, parameters: p, randomSplits: splitter == "random", seed: treeSeed(randomState))
        let path = TreePruning.weakestLink(t, stopAbove: nil)
        return (path.alphas, path.impurities)
    }

    private func fitted(_ x: Matrix) throws -> TreeStructure {
        guard let tree else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: nFeaturesIn, "DecisionTreeClassifier.predict")
        return tree
    }

    /// Class proportions of the leaf each row reaches (`predict_proba`).
    public func predictProbabilities(_ x: Matrix) throws -> Matrix { try fitted(x).predictValues(x) }

    /// The most probable class of each row's leaf.
    public func predict(_ x: Matrix) throws -> [Int] {
        let p = try predictProbabilities(x)
        return TreeFitting.argmaxRows(p.values, columns: p.columns).map { classes[$0] }
    }

    /// Leaf index of each row (`apply`).
    public func apply(_ x: Matrix) throws -> [Int] { try fitted(x).apply(x) }
}

/// A CART regression tree (scikit-learn's `DecisionTreeRegressor`).
///
/// Same growth as ``DecisionTreeClassifier`` with a regression criterion:
/// `"squared_error"` (variance, leaves predict the weighted mean), `"friedman_mse"` (variance, but
/// splits ranked by Friedman's `W_L W_R/(W_L+W_R) · (ȳ_L − ȳ_R)²`), or `"absolute_error"` (mean
/// absolute deviation from the weighted median, leaves predict the median).
/// Defaults: `criterion="squared_error", splitter="best"` and the tree defaults of
/// ``TreeParameters``.
public final class DecisionTreeRegressor: SampleWeightedRegressor, FeatureImportanceProviding, TreeParameterized {
    public static let modelName = "decision-tree-regressor"

    /// `"squared_error"`, `"friedman_mse"` or `"absolute_error"`.
    public var criterion: String
    /// `"best"` or `"random"`.
    public var splitter: String
    /// Growth and pruning limits.
    public var treeParameters: TreeParameters
    /// `random_state`.
    public var randomState: Int?

    /// The fitted tree (`tree_`).
    public private(set) var tree: TreeStructure?
    /// Features seen in fit (`n_features_in_`).
    public private(set) var nFeaturesIn = 0
    /// Normalized total impurity decrease per feature (`feature_importances_`).
    public private(set) var featureImportances: [Double] = []

    public init(criterion: String = "squared_error", splitter: String = "best", maxDepth: Int? = nil,
                minSamplesSplit: TreeSampleCount = .count(2), minSamplesLeaf: TreeSampleCount = .count(1),
                minWeightFractionLeaf: Double = 0, maxFeatures: TreeMaxFeatures = .all, randomState: Int? = nil,
                maxLeafNodes: Int? = nil, minImpurityDecrease: Double = 0, ccpAlpha: Double = 0) {
        self.criterion = criterion; self.splitter = splitter; self.randomState = randomState
        treeParameters = TreeParameters(maxDepth: maxDepth, minSamplesSplit: minSamplesSplit, minSamplesLeaf: minSamplesLeaf,
                                        minWeightFractionLeaf: minWeightFractionLeaf, maxFeatures: maxFeatures,
                                        maxLeafNodes: maxLeafNodes, minImpurityDecrease: minImpurityDecrease, ccpAlpha: ccpAlpha)
    }

    public convenience init() { self.init(criterion: "squared_error") }

    static let criteria = ["squared_error", "friedman_mse", "absolute_error"]

    public var parameters: [String: ParamValue] {
        treeParameters.parameters.merging(["criterion": .string(criterion), "splitter": .string(splitter),
                                           "random_state": randomState.param]) { a, _ in a }
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if try treeParameters.set(name, value) { return }
        switch name {
        case "criterion": criterion = try value.choice(name, Self.criteria)
        case "splitter": splitter = try value.choice(name, ["best", "random"])
        case "random_state": randomState = try value.randomState(name)
        default: throw unknownParameter(name)
        }
    }

    /// Depth of the fitted tree (`get_depth()`).
    public var depth: Int { tree?.depth ?? 0 }
    /// Leaves of the fitted tree (`get_n_leaves()`).
    public var leafCount: Int { tree?.leafCount ?? 0 }

    public func fit(_ x: Matrix, _ y: [Double]) throws { try fit(x, y, sampleWeight: nil) }

    /// Fits with optional per-sample weights.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeight: [Double]?) throws {
        let t = try grow(x, y, sampleWeight, parameters: treeParameters)
        tree = t; nFeaturesIn = x.columns
        featureImportances = t.featureImportances(features: x.columns)
    }

    private func grow(_ x: Matrix, _ y: [Double], _ sampleWeight: [Double]?, parameters: TreeParameters) throws -> TreeStructure {
        try require(Self.criteria.contains(criterion), "criterion", criterion, "expected one of \(Self.criteria)")
        try require(["best", "random"].contains(splitter), "splitter", splitter, "expected best or random")
        let w = try TreeFitting.regressionInputs(x, y, sampleWeight, caller: "DecisionTreeRegressor.fit")
        return try TreeFitting.fit(TreeTrainingData(x), .values(y, criterion: criterion), weights: w, parameters: parameters,
                                   randomSplits: splitter == "random", seed: treeSeed(randomState))
    }

    /// The minimal cost-complexity pruning path (`cost_complexity_pruning_path`).
    public func costComplexityPruningPath(_ x: Matrix, _ y: [Double], sampleWeight: [Double]? = nil) throws -> (ccpAlphas: [Double], impurities: [Double]) {
        var p = treeParameters; p.ccpAlpha = 0
        let path = TreePruning.weakestLink(try grow(x, y, sampleWeight, parameters: p), stopAbove: nil)
        return (path.alphas, path.impurities)
    }

    /// The value of the leaf each row reaches.
    public func predict(_ x: Matrix) throws -> [Double] {
        guard let tree else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: nFeaturesIn, "DecisionTreeRegressor.predict")
        return tree.predictValues(x).values
    }

    /// Leaf index of each row (`apply`).
    public func apply(_ x: Matrix) throws -> [Int] {
        guard let tree else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: nFeaturesIn, "DecisionTreeRegressor.apply")
        return tree.apply(x)
    }
}

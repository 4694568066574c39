import Foundation

/// How many features a split looks at (scikit-learn's `max_features`).
public enum TreeMaxFeatures: Equatable, Codable, Sendable {
    /// All features (`None`).
    case all
    /// `max(1, ⌊√n_features⌋)` (`"sqrt"`).
    case sqrt
    /// `max(1, ⌊log₂ n_features⌋)` (`"log2"`).
    case log2
    /// A fixed count (an int).
    case count(Int)
    /// `max(1, ⌊f · n_features⌋)` (a float in (0, 1]).
    case fraction(Double)

    /// Reads `None`, `"sqrt"`, `"log2"`, an int or a float.
    public init(param value: ParamValue) throws {
        switch value {
        case .none: self = .all
        case .string("sqrt"): self = .sqrt
        case .string("log2"): self = .log2
        case .int(let k): self = .count(k)
        case .double(let f): self = .fraction(f)
        default:
            throw LearnError.invalidParameter(name: "max_features", value: value.description, reason: "expected None, sqrt, log2, an int or a float")
        }
    }

    /// As a parameter value.
    public var param: ParamValue {
        switch self {
        case .all: return .none
        case .sqrt: return "sqrt"
        case .log2: return "log2"
        case .count(let k): return .int(k)
        case .fraction(let f): return .double(f)
        }
    }

    /// The resolved count for `n` features; throws when out of range.
    func resolve(_ n: Int) throws -> Int {
        switch self {
        case .all: return n
        case .sqrt: return Swift.max(1, Int(Double(n).squareRoot()))
        case .log2: return Swift.max(1, Int(Foundation.log2(Double(n))))
        case .count(let k):
            try require(k >= 1 && k <= n, "max_features", k, "must be in [1, n_features = \(n)]")
            return k
        case .fraction(let f):
            try require(f > 0 && f <= 1, "max_features", f, "a float must be in (0, 1]")
            return Swift.max(1, Int(f * Double(n)))
        }
    }
}

/// A sample count given as an int or as a fraction of the training rows (`min_samples_split`,
/// `min_samples_leaf`).
public enum TreeSampleCount: Equatable, Codable, Sendable {
    case count(Int)
    case fraction(Double)

    init(param value: ParamValue, name: String) throws {
        switch value {
        case .int(let k): self = .count(k)
        case .double(let f): self = .fraction(f)
        default: throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected an int or a float")
        }
    }

    var param: ParamValue {
        switch self { case .count(let k): return .int(k); case .fraction(let f): return .double(f) }
    }

    /// The count for `n` rows (`⌈f · n⌉` for a fraction), checked against `minimum` for ints.
    func resolve(_ n: Int, name: String, minimum: Int) throws -> Int {
        switch self {
        case .count(let k):
            try require(k >= minimum, name, k, "an int must be ≥ \(minimum)")
            return k
        case .fraction(let f):
            try require(f > 0 && f <= 1, name, f, "a float must be in (0, 1]")
            return Swift.max(minimum, Int((f * Double(n)).rounded(.up)))
        }
    }
}

/// The growth and pruning hyper-parameters every tree shares, with scikit-learn's defaults:
/// `max_depth=None, min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0,
/// max_features=None, max_leaf_nodes=None, min_impurity_decrease=0, ccp_alpha=0`.
/// Trees, forests and gradient boosting hold one and expose it by scikit-learn's names.
public struct TreeParameters: Equatable, Codable, Sendable {
    /// Longest root-to-leaf path; nil grows until leaves are pure or too small.
    public var maxDepth: Int? = nil
    /// Fewest samples a node needs to be split.
    public var minSamplesSplit: TreeSampleCount = .count(2)
    /// Fewest samples each child must keep.
    public var minSamplesLeaf: TreeSampleCount = .count(1)
    /// Fewest total weight (fraction of all weight) each child must keep.
    public var minWeightFractionLeaf: Double = 0
    /// Features examined per split.
    public var maxFeatures: TreeMaxFeatures = .all
    /// With a value, grow best-first up to this many leaves.
    public var maxLeafNodes: Int? = nil
    /// Split only when the weighted impurity decrease reaches this.
    public var minImpurityDecrease: Double = 0
    /// Cost-complexity pruning strength (0: no pruning).
    public var ccpAlpha: Double = 0

    public init(maxDepth: Int? = nil, minSamplesSplit: TreeSampleCount = .count(2), minSamplesLeaf: TreeSampleCount = .count(1),
                minWeightFractionLeaf: Double = 0, maxFeatures: TreeMaxFeatures = .all, maxLeafNodes: Int? = nil,
                minImpurityDecrease: Double = 0, ccpAlpha: Double = 0) {
        self.maxDepth = maxDepth; self.minSamplesSplit = minSamplesSplit; self.minSamplesLeaf = minSamplesLeaf
        self.minWeightFractionLeaf = minWeightFractionLeaf; self.maxFeatures = maxFeatures; self.maxLeafNodes = maxLeafNodes
        self.minImpurityDecrease = minImpurityDecrease; self.ccpAlpha = ccpAlpha
    }

    /// The parameter names this struct answers to.
    static let names = ["max_depth", "min_samples_split", "min_samples_leaf", "min_weight_fraction_leaf",
                        "max_features", "max_leaf_nodes", "min_impurity_decrease", "ccp_alpha"]

    /// By scikit-learn name.
    var parameters: [String: ParamValue] {
        ["max_depth": maxDepth.param, "min_samples_split": minSamplesSplit.param, "min_samples_leaf": minSamplesLeaf.param,
         "min_weight_fraction_leaf": .double(minWeightFractionLeaf), "max_features": maxFeatures.param,
         "max_leaf_nodes": maxLeafNodes.param, "min_impurity_decrease": .double(minImpurityDecrease), "ccp_alpha": .double(ccpAlpha)]
    }

    /// Sets one by name; false when the name is not a tree parameter.
    mutating func set(_ name: String, _ value: ParamValue) throws -> Bool {
        switch name {
        case "max_depth": maxDepth = try value.optionalInt(name, atMost: ParameterLimits.depth)
        case "min_samples_split": minSamplesSplit = try TreeSampleCount(param: value, name: name)
        case "min_samples_leaf": minSamplesLeaf = try TreeSampleCount(param: value, name: name)
        case "min_weight_fraction_leaf": minWeightFractionLeaf = try value.double(name)
        case "max_features": maxFeatures = try TreeMaxFeatures(param: value)
        case "max_leaf_nodes": maxLeafNodes = try value.optionalInt(name)
        case "min_impurity_decrease": minImpurityDecrease = try value.double(name)
        case "ccp_alpha": ccpAlpha = try value.double(name)
        default: return false
        }
        return true
    }

    /// Validated growth limits for `n` rows of total weight `totalWeight` and `features` columns.
    func limits(rows n: Int, totalWeight: Double, features: Int, randomSplits: Bool) throws -> TreeGrowthLimits {
        if let d = maxDepth { try require(d >= 1, "max_depth", d, "must be ≥ 1 or None") }
        if let m = maxLeafNodes { try require(m >= 2, "max_leaf_nodes", m, "must be ≥ 2 or None") }
        try require(minWeightFractionLeaf >= 0 && minWeightFractionLeaf <= 0.5, "min_weight_fraction_leaf", minWeightFractionLeaf, "must be in [0, 0.5]")
        try require(minImpurityDecrease >= 0, "min_impurity_decrease", minImpurityDecrease, "must be ≥ 0")
        try require(ccpAlpha >= 0 && ccpAlpha.isFinite, "ccp_alpha", ccpAlpha, "must be ≥ 0")
        var l = TreeGrowthLimits()
        l.maxDepth = maxDepth ?? Int.max
        l.minSamplesLeaf = try minSamplesLeaf.resolve(n, name: "min_samples_leaf", minimum: 1)
        l.minSamplesSplit = Swift.max(try minSamplesSplit.resolve(n, name: "min_samples_split", minimum: 2), 2 * l.minSamplesLeaf)
        l.minWeightLeaf = minWeightFractionLeaf * totalWeight
        l.maxFeatures = try maxFeatures.resolve(features)
        l.maxLeafNodes = maxLeafNodes
        l.minImpurityDecrease = minImpurityDecrease
        l.randomSplits = randomSplits
        return l
    }
}

/// Estimators that hold ``TreeParameters`` get them by scikit-learn's names as plain properties.
public protocol TreeParameterized: AnyObject {
    /// The shared tree growth parameters.
    var treeParameters: TreeParameters { get set }
}

extension TreeParameterized {
    /// `max_depth` (default nil: unlimited).
    public var maxDepth: Int? { get { treeParameters.maxDepth } set { treeParameters.maxDepth = newValue } }
    /// `min_samples_split` (default 2).
    public var minSamplesSplit: TreeSampleCount { get { treeParameters.minSamplesSplit } set { treeParameters.minSamplesSplit = newValue } }
    /// `min_samples_leaf` (default 1).
    public var minSamplesLeaf: TreeSampleCount { get { treeParameters.minSamplesLeaf } set { treeParameters.minSamplesLeaf = newValue } }
    /// `min_weight_fraction_leaf` (default 0).
    public var minWeightFractionLeaf: Double { get { treeParameters.minWeightFractionLeaf } set { treeParameters.minWeightFractionLeaf = newValue } }
    /// `max_features`.
    public var maxFeatures: TreeMaxFeatures { get { treeParameters.maxFeatures } set { treeParameters.maxFeatures = newValue } }
    /// `max_leaf_nodes` (default nil).
    public var maxLeafNodes: Int? { get { treeParameters.maxLeafNodes } set { treeParameters.maxLeafNodes = newValue } }
    /// `min_impurity_decrease` (default 0).
    public var minImpurityDecrease: Double { get { treeParameters.minImpurityDecrease } set { treeParameters.minImpurityDecrease = newValue } }
    /// `ccp_alpha` (default 0).
    public var ccpAlpha: Double { get { treeParameters.ccpAlpha } set { treeParameters.ccpAlpha = newValue } }
}

/// Turns `random_state` into a seed (nil: a fresh random seed, like `random_state=None`).
func treeSeed(_ randomState: Int?) -> UInt64 {
    randomState.map { UInt64(bitPattern: Int64($0)) } ?? UInt64.random(in: .min ... .max)
}

import Foundation

/// The hyper-parameters every bagged forest shares (random and extremely randomized trees).
public struct ForestParameters: Equatable, Codable, Sendable {
    /// Number of trees (`n_estimators`, default 100).
    public var nEstimators = 100
    /// Fit each tree on a bootstrap sample (`bootstrap`; True for random forests, False for extra trees).
    public var bootstrap = true
    /// Score every training row with the trees that did not see it (`oob_score`, default False).
    public var oobScore = false
    /// Worker threads (`n_jobs`): None or −1 use every core, 1 builds sequentially. Results do not depend on it.
    public var nJobs: Int? = nil
    /// Seed (`random_state`; nil: random).
    public var randomState: Int? = nil
    /// Bootstrap sample size (`max_samples`): nil → n rows, an int, or a fraction of n.
    public var maxSamples: ParamValue = .none

    public init(nEstimators: Int = 100, bootstrap: Bool = true, oobScore: Bool = false, nJobs: Int? = nil,
                randomState: Int? = nil, maxSamples: ParamValue = .none) {
        self.nEstimators = nEstimators; self.bootstrap = bootstrap; self.oobScore = oobScore
        self.nJobs = nJobs; self.randomState = randomState; self.maxSamples = maxSamples
    }

    var parameters: [String: ParamValue] {
        ["n_estimators": .int(nEstimators), "bootstrap": .bool(bootstrap), "oob_score": .bool(oobScore),
         "n_jobs": nJobs.param, "random_state": randomState.param, "max_samples": maxSamples]
    }

    mutating func set(_ name: String, _ value: ParamValue) throws -> Bool {
        switch name {
        case "n_estimators": nEstimators = try value.int(name, atMost: ParameterLimits.estimators)
        case "bootstrap": bootstrap = try value.bool(name)
        case "oob_score": oobScore = try value.bool(name)
        case "n_jobs": nJobs = try value.optionalInt(name)
        case "random_state": randomState = try value.randomState(name)
        case "max_samples":
            switch value {
            case .none, .int, .double: maxSamples = value
            default: throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected None, an int or a float")
            }
        default: return false
        }
        return true
    }

    /// Rows drawn per bootstrap sample.
    func bootstrapSize(_ n: Int) throws -> Int {
        switch maxSamples {
        case .int(let k):
            try require(k >= 1 && k <= n, "max_samples", k, "must be in [1, n_samples = \(n)]")
            return k
        case .double(let f):
            try require(f > 0 && f <= 1, "max_samples", f, "a float must be in (0, 1]")
            return Swift.max(1, Int((Double(n) * f).rounded()))
        default: return n
        }
    }
}

/// Estimators holding ``ForestParameters`` expose them by scikit-learn's names.
public protocol ForestParameterized: TreeParameterized {
    var forestParameters: ForestParameters { get set }
}

extension ForestParameterized {
    /// `n_estimators`.
    public var nEstimators: Int { get { forestParameters.nEstimators } set { forestParameters.nEstimators = newValue } }
    /// `bootstrap`.
    public var bootstrap: Bool { get { forestParameters.bootstrap } set { forestParameters.bootstrap = newValue } }
    /// `oob_score`.
    public var oobScoreEnabled: Bool { get { forestParameters.oobScore } set { forestParameters.oobScore = newValue } }
    /// `n_jobs`.
    public var nJobs: Int? { get { forestParameters.nJobs } set { forestParameters.nJobs = newValue } }
    /// `random_state`.
    public var randomState: Int? { get { forestParameters.randomState } set { forestParameters.randomState = newValue } }
    /// `max_samples`.
    public var maxSamples: ParamValue { get { forestParameters.maxSamples } set { forestParameters.maxSamples = newValue } }
}

/// What a fitted forest learned, shared by the four forest estimators.
struct ForestModel: Codable {
    var trees: [TreeStructure] = []
    var nFeatures = 0
    var nOutputs = 1
    var featureImportances: [Double] = []
    /// Averaged out-of-bag predictions per training row (`rows × nOutputs`), when asked for.
    var oobPrediction: [Double]? = nil
    /// Out-of-bag accuracy or R².
    var oobScore: Double? = nil

    /// Runs `body(i)` for `count` items on `jobs` threads (nil/−1: all cores).
    static func parallel(_ count: Int, jobs: Int?, _ body: (Int) -> Void) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let workers = Swift.max(1, Swift.min(count, (jobs == nil || jobs! < 0) ? cores : jobs!))
        if workers == 1 { for i in 0..<count { body(i) }; return }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < count { body(i); i += workers }
        }
    }

    /// Fits the trees: each on a bootstrap sample (counts multiply the weights) or on all rows,
    /// built concurrently. This is the fast path; the per-tree work is `TreeFitting.grow`.
    static func fit(_ x: Matrix, _ target: TreeTarget, weights: [Double], forest: ForestParameters,
                    tree: TreeParameters, randomSplits: Bool, caller: String) throws -> ForestModel {
        try require(forest.nEstimators >= 1, "n_estimators", forest.nEstimators, "must be ≥ 1")
        try require(forest.bootstrap || !forest.oobScore, "oob_score", forest.oobScore, "needs bootstrap=True")
        let n = x.rows
        let drawn = try forest.bootstrapSize(n)
        let limits = try tree.limits(rows: n, totalWeight: weights.reduce(0, +), features: x.columns, randomSplits: randomSplits)
        let data = TreeTrainingData(x)
        var master = SeededRandom(seed: treeSeed(forest.randomState))
        let seeds = (0..<forest.nEstimators).map { _ in master.childSeed() }
        var trees = [TreeStructure](repeating: TreeStructure(), count: forest.nEstimators)
        var inBag = [[UInt16]](repeating: [], count: forest.bootstrap ? forest.nEstimators : 0)
        trees.withUnsafeMutableBufferPointer { out in
            inBag.withUnsafeMutableBufferPointer { bags in
                parallel(forest.nEstimators, jobs: forest.nJobs) { t in
                    var rng = SeededRandom(seed: seeds[t])
                    var w = weights
                    if forest.bootstrap {
                        var counts = [UInt16](repeating: 0, count: n)
                        for _ in 0..<drawn { let i = rng.int(below: n); counts[i] &+= 1 }
                        for i in 0..<n { w[i] *= Double(counts[i]) }
                        bags[t] = counts
                    }
                    let grown = TreeFitting.grow(data, target, weights: w, limits: limits, seed: rng.childSeed())
                    out[t] = TreePruning.prune(grown, alpha: tree.ccpAlpha)
                }
            }
        }
        var model = ForestModel()
        model.trees = trees; model.nFeatures = x.columns
        model.nOutputs = trees.first?.nOutputs ?? 1
        model.featureImportances = TreeFitting.averagedImportances(trees, features: x.columns)
        if forest.oobScore { model.oobPrediction = model.outOfBag(x, inBag) }
        return model
    }

    /// Mean prediction of the trees that did not see each row (zeros for rows every tree saw).
    private func outOfBag(_ x: Matrix, _ inBag: [[UInt16]]) -> [Double] {
        let k = nOutputs
        var sum = [Double](repeating: 0, count: x.rows * k)
        var count = [Int](repeating: 0, count: x.rows)
        x.values.withUnsafeBufferPointer { xv in
            for (t, tree) in trees.enumerated() {
                for i in 0..<x.rows where inBag[t][i] == 0 {
                    let leaf = tree.leaf(xv.baseAddress! + i * x.columns)
                    for c in 0..<k { sum[i * k + c] += tree.value[leaf * k + c] }
                    count[i] += 1
                }
            }
        }
        for i in 0..<x.rows where count[i] > 0 { for c in 0..<k { sum[i * k + c] /= Double(count[i]) } }
        return sum
    }

    /// Mean of the trees' leaf values (`rows × nOutputs`), trees split over the cores.
    func predict(_ x: Matrix, caller: String) throws -> [Double] {
        guard !trees.isEmpty else { throw LearnError.notFitted(caller) }
        try Check.featureCount(x, expected: nFeatures, caller)
        let k = nOutputs
        let cores = Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, trees.count))
        var partial = [[Double]](repeating: [], count: cores)
        partial.withUnsafeMutableBufferPointer { parts in
            ForestModel.parallel(cores, jobs: cores) { w in
                var acc = [Double](repeating: 0, count: x.rows * k)
                for t in stride(from: w, to: trees.count, by: cores) { trees[t].accumulate(x, scale: 1, into: &acc) }
                parts[w] = acc
            }
        }
        var out = partial[0]
        for p in partial.dropFirst() { for i in 0..<out.count { out[i] += p[i] } }
        let scale = 1 / Double(trees.count)
        return out.map { $0 * scale }
    }
}

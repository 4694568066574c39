import Foundation

/// Cross-validated results of a hyper-parameter search (scikit-learn's `cv_results_`), one
/// entry per candidate in the order tried.
public struct SearchResults: Sendable {
    /// The parameters of each candidate.
    public var params: [[String: ParamValue]]
    /// Test score of each candidate on each split (`split<k>_test_score`); NaN where a fit failed.
    public var splitTestScores: [[Double]]
    /// Mean and population standard deviation over splits.
    public var meanTestScore: [Double]
    /// Population standard deviation of the split scores.
    public var stdTestScore: [Double]
    /// 1 for the best; ties share the smaller rank; failed candidates rank last.
    public var rankTestScore: [Int]
}

/// A distribution to draw a hyper-parameter from (scikit-learn / SciPy names).
public enum ParamDistribution: Sendable {
    /// One of the values, uniformly.
    case values([ParamValue])
    /// SciPy's `uniform(loc, scale)`: uniform on [loc, loc + scale].
    case uniform(loc: Double, scale: Double)
    /// SciPy's `loguniform(a, b)`: log-uniform on [a, b].
    case logUniform(Double, Double)
    /// SciPy's `randint(low, high)`: integers low ..< high.
    case randInt(Int, Int)

    /// One draw.
    func sample(_ rng: inout SeededRandom) -> ParamValue {
        switch self {
        case .values(let v): return v[rng.int(below: v.count)]
        case .uniform(let loc, let scale): return .double(loc + scale * rng.uniform())
        case .logUniform(let a, let b): return .double(Foundation.exp(Foundation.log(a) + (Foundation.log(b) - Foundation.log(a)) * rng.uniform()))
        case .randInt(let lo, let hi): return .int(lo + rng.int(below: hi - lo))
        }
    }
}

/// Every combination of a grid, in scikit-learn's `ParameterGrid` order: keys sorted, the last
/// key varying fastest; a list of grids is concatenated.
public func parameterGrid(_ grids: [[String: [ParamValue]]]) -> [[String: ParamValue]] {
    var out = [[String: ParamValue]]()
    for grid in grids {
        let keys = grid.keys.sorted()
        if keys.contains(where: { grid[$0]!.isEmpty }) { continue }
        var combos: [[String: ParamValue]] = [[:]]
        for k in keys {
            combos = combos.flatMap { c in grid[k]!.map { v in var d = c; d[k] = v; return d } }
        }
        out += combos
    }
    return out
}

/// The engine shared by ``GridSearchCV`` and ``RandomizedSearchCV`` (scikit-learn's `BaseSearchCV`).
public class ParameterSearchCV {
    /// The estimator whose hyper-parameters are searched (never fitted itself).
    public let estimator: any Estimator
    /// The scorer; nil uses the estimator's own score (accuracy or R²).
    public var scoring: Scoring?
    /// The cross-validation folds (default 5).
    public var cv: CV
    /// Refit the best candidate on all the data (`refit=True`).
    public var refit: Bool
    /// The best candidate's parameters, mean cross-validated score and index.
    public private(set) var bestParams: [String: ParamValue] = [:]
    /// Mean cross-validated score of the best candidate (`best_score_`).
    public private(set) var bestScore: Double = .nan
    /// Index of the best candidate in ``cvResults`` (`best_index_`).
    public private(set) var bestIndex: Int = -1
    /// The best candidate refitted on all the data (nil before fit or with `refit=false`).
    public private(set) var bestEstimator: (any Estimator)?
    /// Per-candidate results.
    public private(set) var cvResults: SearchResults?

    init(estimator: any Estimator, scoring: Scoring?, cv: CV, refit: Bool) {
        self.estimator = estimator
        self.scoring = scoring
        self.cv = cv
        self.refit = refit
    }

    func candidates() throws -> [[String: ParamValue]] { [] }

    /// Runs the search on a target.
    public func fit(_ x: Matrix, _ y: Target) throws {
        try msCheckXY(x, y, "\(type(of: self)).fit")
        let cands = try candidates()
        if cands.isEmpty { throw LearnError.invalidInput("\(type(of: self)).fit: no candidate parameters") }
        // Check the names once, on a clone, so typos fail fast instead of as NaN scores.
        for c in cands { try MSDispatch.clone(estimator).setParameters(c) }
        let folds = try cv.folds(x.rows, y)
        let nf = folds.count
        var firstError: Error?
        let lock = NSLock()
        let scores = try MSDispatch.parallelMap(cands.count * nf) { k -> Double in
            let (c, f) = (k / nf, k % nf)
            let e = MSDispatch.clone(self.estimator)
            do {
                try e.setParameters(cands[c])
                let (tr, te) = folds[f]
                try MSDispatch.fit(e, x.rows(tr), MSDispatch.subset(y, tr))
                return try MSDispatch.score(e, x.rows(te), MSDispatch.subset(y, te), self.scoring)
            } catch {
                // scikit-learn's error_score=np.nan: a failed fit scores NaN.
                lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
                return .nan
            }
        }
        let split = (0..<cands.count).map { c in Array(scores[(c * nf)..<((c + 1) * nf)]) }
        let means = split.map { $0.reduce(0, +) / Double(nf) }
        let stds = zip(split, means).map { s, m in (s.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(nf)).squareRoot() }
        if means.allSatisfy({ $0.isNaN }), let firstError { throw firstError }
        let floor = (means.filter { !$0.isNaN }.min() ?? 0) - 1
        let ranked = means.map { $0.isNaN ? floor : $0 }
        let ranks = ranked.map { m in 1 + ranked.filter { $0 > m }.count }
        bestIndex = ranks.firstIndex(of: 1)!
        bestParams = cands[bestIndex]
        bestScore = means[bestIndex]
        cvResults = SearchResults(params: cands, splitTestScores: split, meanTestScore: means, stdTestScore: stds, rankTestScore: ranks)
        if refit {
            let e = MSDispatch.clone(estimator)
            try e.setParameters(bestParams)
            try MSDispatch.fit(e, x, y)
            bestEstimator = e
        } else { bestEstimator = nil }
    }

    /// Runs the search on class labels.
    public func fit(_ x: Matrix, _ y: [Int]) throws { try fit(x, .classes(y)) }
    /// Runs the search on real targets.
    public func fit(_ x: Matrix, _ y: [Double]) throws { try fit(x, .values(y)) }

    private func best() throws -> any Estimator {
        guard let b = bestEstimator else {
            throw LearnError.notFitted("\(type(of: self)) (fit with refit=true first)")
        }
        return b
    }

    /// Class predictions of the best estimator.
    public func predict(_ x: Matrix) throws -> [Int] {
        guard let c = try best() as? any Classifier else { throw LearnError.invalidInput("the best estimator is not a classifier") }
        return try c.predict(x)
    }

    /// Real-valued predictions of the best estimator.
    public func predict(_ x: Matrix) throws -> [Double] { try MSDispatch.predictValues(try best(), x) }

    /// Class probabilities of the best estimator.
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        guard let c = try best() as? any ProbabilisticClassifier else { throw LearnError.invalidInput("the best estimator has no predictProbabilities") }
        return try c.predictProbabilities(x)
    }

    /// The search's scorer (or the estimator's score) on `(x, y)` with the best estimator.
    public func score(_ x: Matrix, _ y: Target) throws -> Double { try MSDispatch.score(try best(), x, y, scoring) }
}

/// Exhaustive search over a parameter grid with cross-validation (scikit-learn's
/// `GridSearchCV`): every combination (see ``parameterGrid(_:)``) is scored on each fold of `cv`
/// (default 5: stratified for classes) with `scoring` (default: the estimator's score); the best
/// mean wins (the first on ties) and, with `refit`, is refitted on all data.
///
/// Not an ``Estimator`` itself: its hyper-parameters include an estimator and a grid, which are
/// not parameter values. Fits run in parallel.
public final class GridSearchCV: ParameterSearchCV {
    /// One grid, or several whose combinations are concatenated.
    public var paramGrid: [[String: [ParamValue]]]

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(_ estimator: any Estimator, paramGrid: [String: [ParamValue]], scoring: Scoring? = nil, cv: CV = 5, refit: Bool = true) {
        self.paramGrid = [paramGrid]
        super.init(estimator: estimator, scoring: scoring, cv: cv, refit: refit)
    }

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(_ estimator: any Estimator, paramGrids: [[String: [ParamValue]]], scoring: Scoring? = nil, cv: CV = 5, refit: Bool = true) {
        self.paramGrid = paramGrids
        super.init(estimator: estimator, scoring: scoring, cv: cv, refit: refit)
    }

    override func candidates() throws -> [[String: ParamValue]] { parameterGrid(paramGrid) }
}

/// Random search over parameter distributions (scikit-learn's `RandomizedSearchCV`,
/// `n_iter=10`). When every distribution is a list, `n_iter` distinct grid points are drawn
/// without replacement (all of them if the grid is smaller); otherwise each candidate draws each
/// parameter independently, keys in sorted order. Draws use our seeded generator.
public final class RandomizedSearchCV: ParameterSearchCV {
    /// What to draw each hyper-parameter from.
    public var paramDistributions: [String: ParamDistribution]
    /// Number of candidates drawn (`n_iter`).
    public var nIter: Int
    /// Seed of the random generator (`random_state`); nil draws one from the system.
    public var randomState: Int?

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(_ estimator: any Estimator, paramDistributions: [String: ParamDistribution], nIter: Int = 10, scoring: Scoring? = nil,
                cv: CV = 5, refit: Bool = true, randomState: Int? = nil) {
        self.paramDistributions = paramDistributions
        self.nIter = nIter
        self.randomState = randomState
        super.init(estimator: estimator, scoring: scoring, cv: cv, refit: refit)
    }

    override func candidates() throws -> [[String: ParamValue]] {
        try require(nIter >= 1, "n_iter", nIter, "must be at least 1")
        for (k, d) in paramDistributions {
            switch d {
            case .values(let v): try require(!v.isEmpty, k, "[]", "needs at least one value")
            case .uniform(_, let s): try require(s >= 0, k, s, "scale must be non-negative")
            case .logUniform(let a, let b): try require(a > 0 && b > a, k, "(\(a), \(b))", "needs 0 < a < b")
            case .randInt(let lo, let hi): try require(hi > lo, k, "(\(lo), \(hi))", "needs low < high")
            }
        }
        var rng = SeededRandom(seed: randomState)
        let lists = paramDistributions.compactMapValues { d -> [ParamValue]? in if case .values(let v) = d { return v }; return nil }
        if lists.count == paramDistributions.count {
            let grid = parameterGrid([lists])
            return rng.sample(grid.count, count: min(nIter, grid.count)).map { grid[$0] }
        }
        let keys = paramDistributions.keys.sorted()
        return (0..<nIter).map { _ in
            var d = [String: ParamValue]()
            for k in keys { d[k] = paramDistributions[k]!.sample(&rng) }
            return d
        }
    }
}

import Foundation

/// Hyper-parameters and fitted index shared by ``KNeighborsClassifier`` and ``KNeighborsRegressor``.
protocol KNeighborsHyperParameters: Estimator {
    var nNeighbors: Int { get set }
    var weights: NeighborsWeights { get set }
    var algorithm: NeighborsAlgorithm { get set }
    var leafSize: Int { get set }
    var p: Double { get set }
    var metric: NeighborsMetric { get set }
    var nJobs: Int? { get set }
    var neighborsIndex: NeighborsIndex? { get }
}

extension KNeighborsHyperParameters {
    var knnParameters: [String: ParamValue] {
        ["n_neighbors": .int(nNeighbors), "weights": .string(weights.rawValue), "algorithm": .string(algorithm.rawValue),
         "leaf_size": .int(leafSize), "p": p == p.rounded() && abs(p) < 1e15 ? .int(Int(p)) : .double(p),
         "metric": .string(metric.rawValue), "n_jobs": nJobs.param]
    }

    func knnSetParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "n_neighbors": nNeighbors = try value.int(name)
        case "weights": weights = NeighborsWeights(rawValue: try value.choice(name, NeighborsWeights.allCases.map(\.rawValue)))!
        case "algorithm": algorithm = NeighborsAlgorithm(rawValue: try value.choice(name, NeighborsAlgorithm.allCases.map(\.rawValue)))!
        case "leaf_size": leafSize = try value.int(name)
        case "p": p = try value.double(name)
        case "metric": metric = NeighborsMetric(rawValue: try value.choice(name, NeighborsMetric.allCases.map(\.rawValue)))!
        case "n_jobs": nJobs = try value.optionalInt(name)
        default: throw unknownParameter(name)
        }
    }

    /// Validates the hyper-parameters and organises `x` for queries (scikit-learn's `_fit`):
    /// `auto` uses brute force for more than 15 features, for k ≥ n/2, for cosine and for p < 1,
    /// and a k-d tree otherwise.
    func buildNeighborsIndex(_ x: Matrix) throws -> NeighborsIndex {
        try require(nNeighbors >= 1, "n_neighbors", nNeighbors, "must be a positive integer")
        try require(leafSize >= 1, "leaf_size", leafSize, "must be a positive integer")
        try require(p > 0 && !p.isNaN, "p", p, "must be positive")
        let distance = NeighborsDistance(metric: metric, p: p)
        var method = algorithm
        if method == .auto {
            if x.columns > 15 || nNeighbors >= x.rows / 2 || !distance.supportsTrees || (metric == .minkowski && p < 1) {
                method = .brute
            } else {
                method = .kdTree
            }
        }
        if method != .brute {
            try require(distance.supportsTrees, "metric", metric.rawValue, "metric '\(metric.rawValue)' is not valid for algorithm '\(method.rawValue)'; use brute")
            try require(!(metric == .minkowski && p < 1), "p", p, "p < 1 is not a metric; the trees need algorithm='brute'")
        }
        return NeighborsIndex(x, distance: distance, method: method, leafSize: leafSize)
    }

    func knnQuery(_ x: Matrix, nNeighbors k: Int? = nil) throws -> (distances: Matrix, indices: [[Int]]) {
        guard let index = neighborsIndex else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: index.data.columns, "\(Self.modelName).kneighbors")
        let k = k ?? nNeighbors
        try require(k >= 1, "n_neighbors", k, "must be a positive integer")
        if k > index.data.rows {
            // scikit-learn's check and words (at query time, not at fit).
            throw LearnError.invalidInput("\(Self.modelName).kneighbors: Expected n_neighbors <= n_samples_fit, but n_neighbors = \(k), n_samples_fit = \(index.data.rows), n_samples = \(x.rows)")
        }
        return index.query(x, k: k)
    }

    /// Per-neighbour weights for one query row: 1 (uniform), or 1/distance — with the neighbours
    /// at distance 0 taking weight 1 and the others 0 when there are any.
    func neighborWeights(_ distances: Matrix, row r: Int) -> [Double] {
        let k = distances.columns
        guard weights == .distance else { return [Double](repeating: 1, count: k) }
        let d = (0..<k).map { distances[r, $0] }
        if d.contains(0) { return d.map { $0 == 0 ? 1 : 0 } }
        return d.map { 1 / $0 }
    }
}

/// Classification by the k nearest training samples (scikit-learn's `KNeighborsClassifier`).
///
/// A query's class probabilities are the (weighted) fractions of its k nearest neighbours in each
/// class; the prediction is the most probable class (ties to the smaller label). Neighbours are
/// found by brute force (Euclidean via GEMM), a ``KDTree`` or a ``BallTree``; all give the same
/// neighbours, with equal distances ordered by training index.
///
/// Defaults (scikit-learn 1.9.1): `n_neighbors=5`, `weights="uniform"`, `algorithm="auto"`,
/// `leaf_size=30`, `p=2`, `metric="minkowski"` (Euclidean), `n_jobs=None` (accepted; queries use
/// all cores).
public final class KNeighborsClassifier: ProbabilisticClassifier, KNeighborsHyperParameters {
    /// Name in model files and on the command line.
    public static let modelName = "knn"

    /// k, the number of neighbours consulted.
    public var nNeighbors: Int
    /// `uniform` (default) or `distance` weighting of the neighbours.
    public var weights: NeighborsWeights
    /// Search method (default `auto`).
    public var algorithm: NeighborsAlgorithm
    /// Points per tree leaf.
    public var leafSize: Int
    /// Exponent of the Minkowski metric.
    public var p: Double
    /// Distance (default `minkowski` with ``p``).
    public var metric: NeighborsMetric
    /// Accepted for compatibility.
    public var nJobs: Int?

    /// Distinct labels seen in fit (`classes_`).
    public private(set) var classes: [Int] = []
    /// The method chosen (`_fit_method`): brute, kd_tree or ball_tree.
    public private(set) var fitMethod: NeighborsAlgorithm = .auto
    private(set) var neighborsIndex: NeighborsIndex?
    var encodedTargets: [Int] = []

    /// A classifier with scikit-learn's defaults.
    public init(nNeighbors: Int = 5, weights: NeighborsWeights = .uniform, algorithm: NeighborsAlgorithm = .auto,
                leafSize: Int = 30, p: Double = 2, metric: NeighborsMetric = .minkowski, nJobs: Int? = nil) {
        self.nNeighbors = nNeighbors; self.weights = weights; self.algorithm = algorithm
        self.leafSize = leafSize; self.p = p; self.metric = metric; self.nJobs = nJobs
    }

    /// scikit-learn's defaults.
    public convenience init() { self.init(nNeighbors: 5) }

    /// Hyper-parameters by scikit-learn name.
    public var parameters: [String: ParamValue] { knnParameters }

    /// Sets a hyper-parameter by scikit-learn name.
    public func setParameter(_ name: String, _ value: ParamValue) throws { try knnSetParameter(name, value) }

    /// The `nNeighbors` (default: the estimator's `n_neighbors`) nearest training rows of every
    /// row of `x`: distances, increasing along each row, and training indices (`kneighbors`).
    /// Equal distances are ordered by training index.
    public func kneighbors(_ x: Matrix, nNeighbors k: Int? = nil) throws -> (distances: Matrix, indices: [[Int]]) {
        try knnQuery(x, nNeighbors: k)
    }

    /// Stores the training set (organised for search) and its labels.
    public func fit(_ x: Matrix, _ y: [Int]) throws {
        let (labels, encoded) = try LabelSet.fitting(x, y, "KNeighborsClassifier.fit", minClasses: 1)
        let index = try buildNeighborsIndex(x)
        classes = labels.classes
        encodedTargets = encoded
        neighborsIndex = index
        fitMethod = index.method
    }

    /// Weighted class fractions among the k nearest neighbours (`predict_proba`).
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        let (dist, idx) = try kneighbors(x)
        var out = Matrix(rows: x.rows, columns: classes.count)
        for r in 0..<x.rows {
            let w = neighborWeights(dist, row: r)
            var total = 0.0
            for (t, i) in idx[r].enumerated() { out[r, encodedTargets[i]] += w[t]; total += w[t] }
            if total > 0 { for c in 0..<classes.count { out[r, c] /= total } }
        }
        return out
    }

    /// The most probable class of each row (ties to the smaller label).
    public func predict(_ x: Matrix) throws -> [Int] {
        let proba = try predictProbabilities(x)
        return (0..<x.rows).map { r in
            var best = 0
            for c in 1..<max(classes.count, 1) where proba[r, c] > proba[r, best] { best = c }
            return classes[best]
        }
    }
}

/// Regression by the k nearest training samples (scikit-learn's `KNeighborsRegressor`): the
/// prediction is the (weighted) mean of the neighbours' targets. Same search and defaults as
/// ``KNeighborsClassifier``.
public final class KNeighborsRegressor: Regressor, KNeighborsHyperParameters {
    /// Name in model files and on the command line.
    public static let modelName = "knn-regressor"

    /// k, the number of neighbours consulted.
    public var nNeighbors: Int
    /// `uniform` (default) or `distance` weighting of the neighbours.
    public var weights: NeighborsWeights
    /// Search method (default `auto`).
    public var algorithm: NeighborsAlgorithm
    /// Points per tree leaf.
    public var leafSize: Int
    /// Exponent of the Minkowski metric.
    public var p: Double
    /// Distance (default `minkowski` with ``p``).
    public var metric: NeighborsMetric
    /// Accepted for compatibility.
    public var nJobs: Int?

    /// The method chosen (`_fit_method`): brute, kd_tree or ball_tree.
    public private(set) var fitMethod: NeighborsAlgorithm = .auto
    private(set) var neighborsIndex: NeighborsIndex?
    var targets: [Double] = []

    /// A regressor with scikit-learn's defaults.
    public init(nNeighbors: Int = 5, weights: NeighborsWeights = .uniform, algorithm: NeighborsAlgorithm = .auto,
                leafSize: Int = 30, p: Double = 2, metric: NeighborsMetric = .minkowski, nJobs: Int? = nil) {
        self.nNeighbors = nNeighbors; self.weights = weights; self.algorithm = algorithm
        self.leafSize = leafSize; self.p = p; self.metric = metric; self.nJobs = nJobs
    }

    /// scikit-learn's defaults.
    public convenience init() { self.init(nNeighbors: 5) }

    /// Hyper-parameters by scikit-learn name.
    public var parameters: [String: ParamValue] { knnParameters }

    /// Sets a hyper-parameter by scikit-learn name.
    public func setParameter(_ name: String, _ value: ParamValue) throws { try knnSetParameter(name, value) }

    /// The `nNeighbors` (default: the estimator's `n_neighbors`) nearest training rows of every
    /// row of `x`: distances, increasing along each row, and training indices (`kneighbors`).
    /// Equal distances are ordered by training index.
    public func kneighbors(_ x: Matrix, nNeighbors k: Int? = nil) throws -> (distances: Matrix, indices: [[Int]]) {
        try knnQuery(x, nNeighbors: k)
    }

    /// Stores the training set (organised for search) and its targets.
    public func fit(_ x: Matrix, _ y: [Double]) throws {
        try Check.targets(x, y, "KNeighborsRegressor.fit")
        let index = try buildNeighborsIndex(x)
        targets = y
        neighborsIndex = index
        fitMethod = index.method
    }

    /// Weighted mean target of the k nearest neighbours.
    public func predict(_ x: Matrix) throws -> [Double] {
        let (dist, idx) = try kneighbors(x)
        return (0..<x.rows).map { r in
            let w = neighborWeights(dist, row: r)
            var s = 0.0, total = 0.0
            for (t, i) in idx[r].enumerated() { s += w[t] * targets[i]; total += w[t] }
            return s / total
        }
    }
}

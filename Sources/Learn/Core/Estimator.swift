/// The scikit-learn estimator contract, in Swift.
///
/// An estimator is a class (like scikit-learn's objects, it is fitted in place) whose
/// hyper-parameters are set in `init` with scikit-learn's defaults, readable and settable by
/// scikit-learn's parameter names through ``parameters`` and ``setParameter(_:_:)`` (what grid
/// search and the CLI's `--set` use), and whose learned state is readable after `fit`.
/// Estimators are `Codable`, so a fitted model can be saved and loaded (``ModelFile``).
public protocol Estimator: AnyObject, Codable {
    /// The kebab-case name used by the command line and model files (`"logistic-regression"`).
    static var modelName: String { get }
    /// An estimator with scikit-learn's default hyper-parameters.
    init()
    /// Current hyper-parameters by scikit-learn name (`get_params()`).
    var parameters: [String: ParamValue] { get }
    /// Sets one hyper-parameter by scikit-learn name (`set_params(name=value)`); throws
    /// ``LearnError/unknownParameter(estimator:name:valid:)`` or
    /// ``LearnError/invalidParameter(name:value:reason:)``.
    func setParameter(_ name: String, _ value: ParamValue) throws
    /// Checks the state just read from a model file before any use: array lengths against each
    /// other and the stated shapes, indices in range, trees acyclic, counts positive, numbers
    /// finite, classes distinct. Throws ``LearnError/corruptModel(_:)`` naming the estimator and
    /// the field, never traps. ``ModelFile`` runs it (through ``DecodedModel/validate(_:)``) on
    /// every decoded estimator, nested ones included; a model file is outside data.
    func validateDecoded() throws
}

extension Estimator {
    /// Sets several hyper-parameters.
    public func setParameters(_ values: [String: ParamValue]) throws {
        for (k, v) in values.sorted(by: { $0.key < $1.key }) { try setParameter(k, v) }
    }

    /// A new, unfitted estimator with the same hyper-parameters (`sklearn.base.clone`).
    public func cloned() -> Self {
        let copy = Self()
        // Values read from a live estimator are valid by construction.
        try! copy.setParameters(parameters)
        return copy
    }

    /// The parameter names this estimator accepts.
    public static var parameterNames: [String] { Self().parameters.keys.sorted() }

    /// The error for a name `setParameter` does not know.
    public func unknownParameter(_ name: String) -> LearnError {
        .unknownParameter(estimator: type(of: self).modelName, name: name, valid: Array(parameters.keys))
    }
}

/// The target of a supervised fit: class labels or real values. Transformers that look at the
/// target (feature selection, target-aware encoders) receive it through pipelines.
public enum Target: Sendable {
    case classes([Int])
    case values([Double])

    /// Number of targets.
    public var count: Int {
        switch self { case .classes(let c): return c.count; case .values(let v): return v.count }
    }
    /// The targets as doubles.
    public var asDoubles: [Double] {
        switch self { case .classes(let c): return c.map(Double.init); case .values(let v): return v }
    }
}

/// A classifier: `fit(x, y)` on integer labels, `predict(x)` returns labels from ``classes``.
public protocol Classifier: Estimator {
    /// Fits on samples `x` (rows) and labels `y` (any integers; they become ``classes``).
    func fit(_ x: Matrix, _ y: [Int]) throws
    /// Predicted labels.
    func predict(_ x: Matrix) throws -> [Int]
    /// Distinct labels seen in fit, increasing (`classes_`); empty before fit.
    var classes: [Int] { get }
}

/// A classifier that gives class probabilities (columns in ``Classifier/classes`` order).
public protocol ProbabilisticClassifier: Classifier {
    func predictProbabilities(_ x: Matrix) throws -> Matrix
}

/// A classifier with a real-valued decision function (`decision_function`): one column for
/// two classes (positive favours `classes[1]`), one column per class otherwise.
public protocol DecisionFunctionClassifier: Classifier {
    func decisionFunction(_ x: Matrix) throws -> Matrix
}

/// A classifier that accepts per-sample weights (what boosting and class weights need).
public protocol SampleWeightedClassifier: Classifier {
    func fit(_ x: Matrix, _ y: [Int], sampleWeight: [Double]?) throws
}

/// A regressor: `fit(x, y)` on real targets, `predict(x)` returns real values.
public protocol Regressor: Estimator {
    func fit(_ x: Matrix, _ y: [Double]) throws
    func predict(_ x: Matrix) throws -> [Double]
}

/// A regressor that accepts per-sample weights.
public protocol SampleWeightedRegressor: Regressor {
    func fit(_ x: Matrix, _ y: [Double], sampleWeight: [Double]?) throws
}

/// A transformer: learns from `x` (and the target when it needs one), then maps rows.
public protocol Transformer: Estimator {
    /// Learns the transformation. Unsupervised transformers ignore `target`; those that need one
    /// throw when it is nil.
    func fit(_ x: Matrix, target: Target?) throws
    /// Applies the learned transformation.
    func transform(_ x: Matrix) throws -> Matrix
}

/// A transformer that can map transformed rows back (`inverse_transform`).
public protocol InvertibleTransformer: Transformer {
    func inverseTransform(_ x: Matrix) throws -> Matrix
}

/// A clustering estimator: `fit(x)` assigns every row a cluster (``labels``, −1 for noise).
public protocol Clusterer: Estimator {
    func fit(_ x: Matrix) throws
    /// Cluster of each training row (`labels_`); −1 marks noise (DBSCAN).
    var labels: [Int] { get }
}

/// A clusterer that can assign new rows (k-means, Gaussian mixtures).
public protocol PredictingClusterer: Clusterer {
    func predict(_ x: Matrix) throws -> [Int]
}

extension Classifier {
    /// Mean accuracy on `(x, y)` (scikit-learn's `score`).
    public func score(_ x: Matrix, _ y: [Int]) throws -> Double {
        let p = try predict(x)
        try Check.lengths(x, y.count, "\(Self.modelName).score")
        guard !y.isEmpty else { throw LearnError.invalidInput("\(Self.modelName).score: no samples") }
        return Double(zip(p, y).filter { $0 == $1 }.count) / Double(y.count)
    }
}

extension Regressor {
    /// Coefficient of determination R² on `(x, y)` (scikit-learn's `score`).
    public func score(_ x: Matrix, _ y: [Double]) throws -> Double {
        let p = try predict(x)
        try Check.lengths(x, y.count, "\(Self.modelName).score")
        guard y.count >= 2 else { throw LearnError.invalidInput("\(Self.modelName).score: R² needs at least 2 samples") }
        let mean = y.reduce(0, +) / Double(y.count)
        var ssRes = 0.0, ssTot = 0.0
        for i in 0..<y.count { ssRes += (y[i] - p[i]) * (y[i] - p[i]); ssTot += (y[i] - mean) * (y[i] - mean) }
        if ssTot == 0 { return ssRes == 0 ? 1 : 0 }
        return 1 - ssRes / ssTot
    }
}

extension Transformer {
    /// Fits without a target.
    public func fit(_ x: Matrix) throws { try fit(x, target: nil) }
    /// `fit` then `transform` on the same rows.
    public func fitTransform(_ x: Matrix, target: Target? = nil) throws -> Matrix {
        try fit(x, target: target)
        return try transform(x)
    }
}

extension Clusterer {
    /// `fit` then the training labels.
    public func fitPredict(_ x: Matrix) throws -> [Int] {
        try fit(x)
        return labels
    }
}

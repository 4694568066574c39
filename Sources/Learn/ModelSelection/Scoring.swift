import Foundation

/// Named scorers, as scikit-learn's `scoring=` strings; greater is always better (errors are
/// negated).
public enum Scoring: String, Sendable, CaseIterable, Codable {
    case accuracy
    case balancedAccuracy = "balanced_accuracy"
    case f1Macro = "f1_macro"
    case f1Weighted = "f1_weighted"
    /// Binary ROC AUC from `decisionFunction` when the classifier has one, else from the
    /// probability of the second class.
    case rocAUC = "roc_auc"
    /// One-vs-rest macro ROC AUC from probabilities (multiclass).
    case rocAUCOvr = "roc_auc_ovr"
    case negLogLoss = "neg_log_loss"
    case r2
    case negMeanSquaredError = "neg_mean_squared_error"
    case negRootMeanSquaredError = "neg_root_mean_squared_error"
    case negMeanAbsoluteError = "neg_mean_absolute_error"

    /// Reads a scikit-learn scoring name; throws on an unknown one.
    public init(name: String) throws {
        guard let s = Scoring(rawValue: name) else {
            throw LearnError.invalidParameter(name: "scoring", value: name, reason: "expected one of \(Scoring.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = s
    }

    /// Whether this scorer needs class labels (a classifier) rather than real targets.
    public var isClassification: Bool {
        switch self {
        case .r2, .negMeanSquaredError, .negRootMeanSquaredError, .negMeanAbsoluteError: return false
        default: return true
        }
    }

    /// The score of a fitted estimator on `(x, y)`.
    public func score(_ estimator: any Estimator, _ x: Matrix, _ y: Target) throws -> Double {
        switch self {
        case .r2, .negMeanSquaredError, .negRootMeanSquaredError, .negMeanAbsoluteError:
            let p = try MSDispatch.predictValues(estimator, x)
            let t = y.asDoubles
            switch self {
            case .r2: return try Metrics.r2Score(t, p)
            case .negMeanSquaredError: return -(try Metrics.meanSquaredError(t, p))
            case .negRootMeanSquaredError: return -(try Metrics.rootMeanSquaredError(t, p))
            default: return -(try Metrics.meanAbsoluteError(t, p))
            }
        default:
            guard let c = estimator as? any Classifier else {
                throw LearnError.invalidInput("scoring \(rawValue) needs a classifier; \(type(of: estimator).modelName) is not one")
            }
            let labels = try MSDispatch.labels(y, "scoring \(rawValue)")
            switch self {
            case .accuracy: return try Metrics.accuracy(labels, try c.predict(x))
            case .balancedAccuracy: return try Metrics.balancedAccuracy(labels, try c.predict(x))
            case .f1Macro: return try Metrics.f1(labels, try c.predict(x), average: .macro)
            case .f1Weighted: return try Metrics.f1(labels, try c.predict(x), average: .weighted)
            case .negLogLoss:
                guard let p = c as? any ProbabilisticClassifier else {
                    throw LearnError.invalidInput("scoring neg_log_loss needs predictProbabilities; \(type(of: c).modelName) has none")
                }
                return -(try Metrics.logLoss(labels, try p.predictProbabilities(x), labels: c.classes))
            case .rocAUCOvr:
                guard let p = c as? any ProbabilisticClassifier else {
                    throw LearnError.invalidInput("scoring roc_auc_ovr needs predictProbabilities; \(type(of: c).modelName) has none")
                }
                return try Metrics.rocAUC(labels, probabilities: try p.predictProbabilities(x), multiClass: .ovr, labels: c.classes)
            default: // rocAUC
                guard c.classes.count == 2 else {
                    throw LearnError.invalidInput("scoring roc_auc needs a binary target; use roc_auc_ovr for \(c.classes.count) classes")
                }
                let scores: [Double]
                if let d = c as? any DecisionFunctionClassifier, let s = try? d.decisionFunction(x) { scores = s.column(0) } else if let p = c as? any ProbabilisticClassifier {
                    scores = try p.predictProbabilities(x).column(1)
                } else {
                    throw LearnError.invalidInput("scoring roc_auc needs decisionFunction or predictProbabilities")
                }
                return try Metrics.rocAUC(labels, scores, posLabel: c.classes[1])
            }
        }
    }
}

/// Fitting, predicting and scoring any estimator against a ``Target`` (internal plumbing of
/// model selection): classes go to ``Classifier``, values to ``Regressor``, and a
/// ``Transformer`` gets the target as context.
enum MSDispatch {
    /// Class labels from a target (integral values accepted).
    static func labels(_ y: Target, _ caller: String) throws -> [Int] {
        switch y {
        case .classes(let c): return c
        case .values(let v):
            guard v.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e15 }) else {
                throw LearnError.invalidInput("\(caller): class labels must be integers")
            }
            return v.map { Int($0) }
        }
    }

    static func fit(_ e: any Estimator, _ x: Matrix, _ y: Target) throws {
        if case .classes(let c) = y, let clf = e as? any Classifier { try clf.fit(x, c); return }
        if let reg = e as? any Regressor { try reg.fit(x, y.asDoubles); return }
        if let clf = e as? any Classifier { try clf.fit(x, try labels(y, "\(type(of: e).modelName).fit")); return }
        if let t = e as? any Transformer { try t.fit(x, target: y); return }
        throw LearnError.invalidInput("\(type(of: e).modelName) is neither a classifier, a regressor nor a transformer")
    }

    /// Predictions in the target's kind.
    static func predict(_ e: any Estimator, _ x: Matrix, like y: Target) throws -> Target {
        if case .classes = y, let clf = e as? any Classifier { return .classes(try clf.predict(x)) }
        if let reg = e as? any Regressor { return .values(try reg.predict(x)) }
        if let clf = e as? any Classifier { return .classes(try clf.predict(x)) }
        throw LearnError.invalidInput("\(type(of: e).modelName) cannot predict")
    }

    static func predictValues(_ e: any Estimator, _ x: Matrix) throws -> [Double] {
        if let reg = e as? any Regressor { return try reg.predict(x) }
        if let clf = e as? any Classifier { return try clf.predict(x).map(Double.init) }
        throw LearnError.invalidInput("\(type(of: e).modelName) cannot predict")
    }

    /// The estimator's own `score`: accuracy for classes, R² for values.
    static func defaultScore(_ e: any Estimator, _ x: Matrix, _ y: Target) throws -> Double {
        if case .classes = y, e is any Classifier { return try Scoring.accuracy.score(e, x, y) }
        if e is any Regressor { return try Scoring.r2.score(e, x, y) }
        return try Scoring.accuracy.score(e, x, y)
    }

    static func score(_ e: any Estimator, _ x: Matrix, _ y: Target, _ scoring: Scoring?) throws -> Double {
        if let scoring { return try scoring.score(e, x, y) }
        return try defaultScore(e, x, y)
    }

    /// A fresh copy with the same hyper-parameters (opens the existential for `cloned()`).
    static func clone(_ e: any Estimator) -> any Estimator {
        func open<E: Estimator>(_ e: E) -> any Estimator { e.cloned() }
        return open(e)
    }

    /// Subset of a target.
    static func subset(_ y: Target, _ idx: [Int]) -> Target {
        switch y {
        case .classes(let c): return .classes(idx.map { c[$0] })
        case .values(let v): return .values(idx.map { v[$0] })
        }
    }

    /// Runs `body(k)` for k in 0..<n on the available cores, collecting results or the first error.
    static func parallelMap<T>(_ n: Int, _ body: (Int) throws -> T) throws -> [T] {
        var results = [Result<T, Error>?](repeating: nil, count: n)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: n) { k in
            let r = Result { try body(k) }
            lock.lock(); results[k] = r; lock.unlock()
        }
        return try results.map { try $0!.get() }
    }
}

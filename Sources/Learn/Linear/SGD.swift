import Foundation

/// Plain stochastic gradient descent for linear models — the engine of ``SGDClassifier`` and
/// ``SGDRegressor`` (scikit-learn's `_plain_sgd`).
///
/// For each sample in a (shuffled) epoch, with prediction `p = w·x + b` and learning rate `ηₜ`:
///
///     w ← (1 − ηₜ α (1 − l1_ratio)) · w − ηₜ · cᵢ · ∂L(p, y)/∂p · x       (L2 shrink, then loss step)
///     b ← b − ηₜ · cᵢ · ∂L/∂p
///
/// then, for L1/elastic net, the cumulative L1 penalty of Tsuruoka et al. (2009) clips weights
/// towards zero. `cᵢ` is the sample × class weight. Learning rates: `optimal`
/// `ηₜ = 1/(α (t₀ + t))` (Bottou's heuristic t₀), `constant` `η₀`, `invscaling` `η₀ / t^power_t`,
/// `adaptive` `η₀` divided by 5 whenever `n_iter_no_change` epochs fail to improve.
/// Stopping: after each epoch, if the summed training loss (or, with early stopping, the
/// validation score) has not improved by `tol` for `n_iter_no_change` epochs.
/// `average`: the returned weights are the average of all iterates (averaged SGD).
struct SGDEngine {
    enum Loss: String {
        case hinge, logLoss = "log_loss", modifiedHuber = "modified_huber", squaredHinge = "squared_hinge",
             perceptron, squaredError = "squared_error", huber, epsilonInsensitive = "epsilon_insensitive"

        /// L(p, y) (y = ±1 for classification).
        func loss(_ p: Double, _ y: Double, _ eps: Double) -> Double {
            switch self {
            case .hinge: return max(0, 1 - p * y)
            case .perceptron: return max(0, -p * y)
            case .squaredHinge: let z = max(0, 1 - p * y); return z * z
            case .logLoss: return LinearSupport.log1pExp(-p * y)
            case .modifiedHuber:
                let z = p * y
                return z >= 1 ? 0 : (z >= -1 ? (1 - z) * (1 - z) : -4 * z)
            case .squaredError: return 0.5 * (p - y) * (p - y)
            case .huber: let r = abs(p - y); return r <= eps ? 0.5 * r * r : eps * r - 0.5 * eps * eps
            case .epsilonInsensitive: return max(0, abs(y - p) - eps)
            }
        }

        /// ∂L/∂p.
        func derivative(_ p: Double, _ y: Double, _ eps: Double) -> Double {
            switch self {
            case .hinge: return p * y <= 1 ? -y : 0
            case .perceptron: return p * y <= 0 ? -y : 0
            case .squaredHinge: let z = 1 - p * y; return z > 0 ? -2 * y * z : 0
            case .logLoss:
                let z = p * y
                if z > 18 { return -y * Foundation.exp(-z) }
                if z < -18 { return -y }
                return -y / (Foundation.exp(z) + 1)
            case .modifiedHuber:
                let z = p * y
                return z >= 1 ? 0 : (z >= -1 ? -2 * (1 - z) * y : -4 * y)
            case .squaredError: return p - y
            case .huber: let r = p - y; return abs(r) <= eps ? r : (r > 0 ? eps : -eps)
            case .epsilonInsensitive: return y - p > eps ? -1 : (p - y > eps ? 1 : 0)
            }
        }
    }

    var loss: Loss
    var epsilon: Double
    var alpha: Double
    var l1Ratio: Double            // 0 for l2, 1 for l1
    var fitIntercept: Bool
    var maxIter: Int
    var tol: Double?
    var shuffle: Bool
    var learningRate: String
    var eta0: Double
    var powerT: Double
    var nIterNoChange: Int
    var average: Int               // 0 = off; else start averaging after this many updates
    /// Validation rows and their scoring, for early stopping (nil: use the training loss).
    var validation: ((_ w: [Double], _ b: Double) -> Double)?

    struct Result { var coef: [Double]; var intercept: Double; var epochs: Int; var updates: Int }

    /// Fits one linear function on `(x, y)` with per-sample weights `c`.
    func run(_ x: Matrix, _ y: [Double], _ c: [Double], seed: UInt64) -> Result {
        let n = x.rows, p = x.columns
        var w = [Double](repeating: 0, count: p), b = 0.0
        var wAvg = [Double](repeating: 0, count: p), bAvg = 0.0
        var q = [Double](repeating: 0, count: p), u = 0.0            // cumulative L1 penalty state
        var rng = SeededRandom(seed: seed)
        var order = Array(0..<n)
        var t = 1.0
        // Bottou's "optimal" schedule: η = 1/(α (t₀ + t − 1)) with t₀ from a typical weight size.
        let typw = (1 / alpha.squareRoot()).squareRoot()
        let initialEta = typw / max(1, loss.derivative(-typw, 1, epsilon))
        let optimalInit = 1 / (initialEta * alpha)
        var eta = eta0
        var best = Double.infinity, bestScore = -Double.infinity
        var noImprovement = 0
        var epochs = 0
        var averaged = 0
        x.values.withUnsafeBufferPointer { xv in
            for _ in 0..<maxIter {
                epochs += 1
                if shuffle { order.shuffle(using: &rng) }
                var sumLoss = 0.0
                for i in order {
                    let xi = UnsafeBufferPointer(rebasing: xv[(i * p)..<((i + 1) * p)])
                    let pred = w.withUnsafeBufferPointer { LinearSupport.dot($0, xi) } + b
                    switch learningRate {
                    case "optimal": eta = 1 / (alpha * (optimalInit + t - 1))
                    case "invscaling": eta = eta0 / Foundation.pow(t, powerT)
                    default: break
                    }
                    sumLoss += loss.loss(pred, y[i], epsilon)
                    var g = loss.derivative(pred, y[i], epsilon)
                    g = min(max(g, -1e12), 1e12)
                    let update = -eta * g * c[i]
                    let shrink = max(0, 1 - (1 - l1Ratio) * eta * alpha)
                    if shrink != 1 { for j in 0..<p { w[j] *= shrink } }
                    if update != 0 {
                        for j in 0..<p { w[j] += update * xi[j] }
                        if fitIntercept { b += update }
                    }
                    if l1Ratio > 0 {
                        u += l1Ratio * eta * alpha
                        for j in 0..<p {
                            let z = w[j]
                            if z > 0 { w[j] = max(0, z - (u + q[j])) } else if z < 0 { w[j] = min(0, z + (u - q[j])) }
                            q[j] += w[j] - z
                        }
                    }
                    if average > 0 && Int(t) >= average {
                        averaged += 1
                        let f = 1 / Double(averaged)
                        for j in 0..<p { wAvg[j] += (w[j] - wAvg[j]) * f }
                        bAvg += (b - bAvg) * f
                    }
                    t += 1
                }
                guard let tol else { continue }
                var stop = false
                if let validation {
                    let score = average > 0 && averaged > 0 ? validation(wAvg, bAvg) : validation(w, b)
                    if score < bestScore + tol { noImprovement += 1 } else { noImprovement = 0 }
                    if score > bestScore { bestScore = score }
                } else {
                    if sumLoss > best - tol * Double(n) { noImprovement += 1 } else { noImprovement = 0 }
                    if sumLoss < best { best = sumLoss }
                }
                if noImprovement >= nIterNoChange {
                    if learningRate == "adaptive" && eta > 1e-6 { eta /= 5; noImprovement = 0 } else { stop = true }
                }
                if stop || !sumLoss.isFinite { break }
            }
        }
        if average > 0 && averaged > 0 { return Result(coef: wAvg, intercept: bAvg, epochs: epochs, updates: Int(t) - 1) }
        return Result(coef: w, intercept: b, epochs: epochs, updates: Int(t) - 1)
    }
}

/// Hyper-parameters shared by ``SGDClassifier`` and ``SGDRegressor`` (names as scikit-learn).
public struct SGDSettings: Codable, Equatable, Sendable {
    /// Loss (`loss`): hinge, log_loss, modified_huber, squared_hinge, perceptron (classifier); squared_error, huber, epsilon_insensitive (regressor).
    public var loss: String
    /// Regularization (`penalty`): l2, l1, elasticnet or None.
    public var penalty: String
    /// Regularization strength (`alpha`, default 1e-4); also sets the "optimal" learning rate.
    public var alpha: Double
    /// Elastic-net mixing (`l1_ratio`, default 0.15): 0 is pure L2, 1 pure L1.
    public var l1Ratio: Double
    /// Fit an intercept (`fit_intercept`, default true).
    public var fitIntercept: Bool
    /// Most passes over the data (`max_iter`, default 1000).
    public var maxIter: Int
    /// Stop when the epoch loss improves by less than this for `n_iter_no_change` epochs (`tol`, default 1e-3; nil runs all epochs).
    public var tol: Double?
    /// Shuffle the rows every epoch (`shuffle`, default true).
    public var shuffle: Bool
    /// Width of the insensitive zone for huber / epsilon_insensitive (`epsilon`, default 0.1).
    public var epsilon: Double
    /// Seed for shuffling and the validation split (`random_state`).
    public var randomState: Int?
    /// Step-size schedule (`learning_rate`): optimal (classifier default), constant, invscaling (regressor default), adaptive.
    public var learningRate: String
    /// Initial step size for constant/invscaling/adaptive (`eta0`, default 0.01).
    public var eta0: Double
    /// Exponent of invscaling, η = eta0 / t^power_t (`power_t`: 0.5 classifier, 0.25 regressor).
    public var powerT: Double
    /// Hold out `validation_fraction` of the rows and stop on their score (`early_stopping`, default false).
    public var earlyStopping: Bool
    /// Share of rows held out for early stopping (`validation_fraction`, default 0.1).
    public var validationFraction: Double
    /// Epochs without improvement before stopping (`n_iter_no_change`, default 5).
    public var nIterNoChange: Int
    /// 0 = off (`False`), 1 = on (`True`), n > 1 = start averaging after n updates.
    public var average: Int

    var parameters: [String: ParamValue] {
        ["loss": .string(loss), "penalty": .string(penalty), "alpha": .double(alpha), "l1_ratio": .double(l1Ratio),
         "fit_intercept": .bool(fitIntercept), "max_iter": .int(maxIter), "tol": tol.param, "shuffle": .bool(shuffle),
         "epsilon": .double(epsilon), "random_state": randomState.param, "learning_rate": .string(learningRate),
         "eta0": .double(eta0), "power_t": .double(powerT), "early_stopping": .bool(earlyStopping),
         "validation_fraction": .double(validationFraction), "n_iter_no_change": .int(nIterNoChange),
         "average": average <= 1 ? .bool(average == 1) : .int(average)]
    }

    /// Sets one shared parameter; false when the name is not one of them.
    mutating func set(_ name: String, _ value: ParamValue, losses: [String]) throws -> Bool {
        switch name {
        case "loss": loss = try value.choice(name, losses)
        case "penalty": penalty = try value.choice(name, ["l2", "l1", "elasticnet", "None"])
        case "alpha": alpha = try value.double(name)
        case "l1_ratio": l1Ratio = try value.double(name)
        case "fit_intercept": fitIntercept = try value.bool(name)
        case "max_iter": maxIter = try value.int(name, atMost: ParameterLimits.iterations)
        case "tol": tol = try value.optionalDouble(name)
        case "shuffle": shuffle = try value.bool(name)
        case "epsilon": epsilon = try value.double(name)
        case "random_state": randomState = try value.randomState(name)
        case "learning_rate": learningRate = try value.choice(name, ["optimal", "constant", "invscaling", "adaptive"])
        case "eta0": eta0 = try value.double(name)
        case "power_t": powerT = try value.double(name)
        case "early_stopping": earlyStopping = try value.bool(name)
        case "validation_fraction": validationFraction = try value.double(name)
        case "n_iter_no_change": nIterNoChange = try value.int(name)
        case "average":
            if case .bool(let b) = value { average = b ? 1 : 0 } else { average = try value.int(name) }
        default: return false
        }
        return true
    }

    /// Validates the settings as scikit-learn does and builds the engine.
    func engine(losses: [String]) throws -> SGDEngine {
        try require(losses.contains(loss), "loss", loss, "expected one of \(losses)")
        try require(["l2", "l1", "elasticnet", "None"].contains(penalty), "penalty", penalty, "expected l2, l1, elasticnet or None")
        try require(alpha >= 0 && alpha.isFinite, "alpha", alpha, "must be non-negative")
        try require(!(learningRate == "optimal" && alpha == 0), "alpha", alpha, "must be positive with learning_rate='optimal'")
        try require(l1Ratio >= 0 && l1Ratio <= 1, "l1_ratio", l1Ratio, "must be in [0, 1]")
        try require(maxIter >= 1, "max_iter", maxIter, "must be at least 1")
        try require(["optimal", "constant", "invscaling", "adaptive"].contains(learningRate), "learning_rate", learningRate, "unknown schedule")
        try require(learningRate == "optimal" || eta0 > 0, "eta0", eta0, "must be positive for this learning_rate")
        try require(epsilon >= 0, "epsilon", epsilon, "must be non-negative")
        try require(nIterNoChange >= 1, "n_iter_no_change", nIterNoChange, "must be at least 1")
        try require(validationFraction > 0 && validationFraction < 1, "validation_fraction", validationFraction, "must be in (0, 1)")
        try require(average >= 0, "average", average, "must be non-negative")
        let l1: Double = penalty == "l1" ? 1 : (penalty == "elasticnet" ? l1Ratio : 0)
        return SGDEngine(loss: SGDEngine.Loss(rawValue: loss)!, epsilon: epsilon,
                         alpha: penalty == "None" ? 0 : alpha, l1Ratio: l1, fitIntercept: fitIntercept,
                         maxIter: maxIter, tol: tol, shuffle: shuffle, learningRate: learningRate, eta0: eta0,
                         powerT: powerT, nIterNoChange: nIterNoChange, average: average, validation: nil)
    }

    /// Row indices split into (train, validation) for early stopping; stratified by `strata` when given.
    func validationSplit(_ n: Int, strata: [Int]?, rng: inout SeededRandom) -> ([Int], [Int]) {
        var groups: [[Int]] = strata.map { s in Dictionary(grouping: 0..<n, by: { s[$0] }).sorted { $0.key < $1.key }.map { $0.value } } ?? [Array(0..<n)]
        var train: [Int] = [], valid: [Int] = []
        for g in groups.indices {
            groups[g].shuffle(using: &rng)
            let k = max(1, Int((Double(groups[g].count) * validationFraction).rounded()))
            valid += groups[g].prefix(min(k, groups[g].count - 1))
            train += groups[g].dropFirst(min(k, groups[g].count - 1))
        }
        return (train.sorted(), valid.sorted())
    }
}

/// Linear classifiers fitted by stochastic gradient descent (scikit-learn's `SGDClassifier`).
///
/// The loss picks the model: `hinge` (default) a linear SVM, `log_loss` logistic regression,
/// `modified_huber` a smooth SVM with probabilities, `squared_hinge`, `perceptron`. More than two
/// classes are handled one-vs-rest (one binary problem per class, run concurrently). See
/// ``SGDEngine`` for the update rule. Randomized through the shuffling (`random_state`).
/// Defaults: `loss="hinge"`, `penalty="l2"`, `alpha=1e-4`, `l1_ratio=0.15`, `max_iter=1000`,
/// `tol=1e-3`, `shuffle=True`, `learning_rate="optimal"`, `eta0=0.01`, `power_t=0.5`,
/// `early_stopping=False`, `validation_fraction=0.1`, `n_iter_no_change=5`, `class_weight=None`,
/// `average=False`.
public final class SGDClassifier: ProbabilisticClassifier, DecisionFunctionClassifier, SampleWeightedClassifier,
    FeatureImportanceProviding {
    public static let modelName = "sgd-classifier"
    static let losses = ["hinge", "log_loss", "modified_huber", "squared_hinge", "perceptron"]

    /// All scikit-learn hyper-parameters except `class_weight`.
    public var settings: SGDSettings
    /// Class weights (default uniform).
    public var classWeight: ClassWeight

    public private(set) var classes: [Int] = []
    /// One row per class (one row for two classes) (`coef_`).
    public private(set) var coef = Matrix(rows: 0, columns: 0)
    /// Intercepts (`intercept_`).
    public private(set) var intercept: [Double] = []
    /// Epochs run (the most over the one-vs-rest problems) (`n_iter_`).
    public private(set) var nIterations: Int = 0

    /// An SGD classifier; defaults as scikit-learn.
    public init(loss: String = "hinge", penalty: String = "l2", alpha: Double = 1e-4, l1Ratio: Double = 0.15,
                fitIntercept: Bool = true, maxIter: Int = 1000, tol: Double? = 1e-3, shuffle: Bool = true,
                epsilon: Double = 0.1, randomState: Int? = nil, learningRate: String = "optimal", eta0: Double = 0.01,
                powerT: Double = 0.5, earlyStopping: Bool = false, validationFraction: Double = 0.1,
                nIterNoChange: Int = 5, classWeight: ClassWeight = .uniform, average: Int = 0) {
        settings = SGDSettings(loss: loss, penalty: penalty, alpha: alpha, l1Ratio: l1Ratio, fitIntercept: fitIntercept,
                               maxIter: maxIter, tol: tol, shuffle: shuffle, epsilon: epsilon, randomState: randomState,
                               learningRate: learningRate, eta0: eta0, powerT: powerT, earlyStopping: earlyStopping,
                               validationFraction: validationFraction, nIterNoChange: nIterNoChange, average: average)
        self.classWeight = classWeight
    }
    public convenience init() { self.init(loss: "hinge") }

    public var parameters: [String: ParamValue] {
        var p = settings.parameters
        p["class_weight"] = classWeight.param
        return p
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if name == "class_weight" { classWeight = try ClassWeight(param: value, name: name); return }
        if try settings.set(name, value, losses: Self.losses) { return }
        throw unknownParameter(name)
    }

    public var featureImportances: [Double] { LinearSupport.importances(coef) }

    public func fit(_ x: Matrix, _ y: [Int]) throws { try fit(x, y, sampleWeight: nil) }

    /// One binary SGD problem per class (one in all for two classes), concurrently.
    public func fit(_ x: Matrix, _ y: [Int], sampleWeight: [Double]?) throws {
        let base = try settings.engine(losses: Self.losses)
        let (labels, encoded) = try LabelSet.fitting(x, y, "SGDClassifier.fit")
        try Check.sampleWeights(sampleWeight, rows: x.rows, "SGDClassifier.fit")
        let cw = classWeight.classWeights(classes: labels.classes, encoded: encoded)
        var rng = SeededRandom(seed: settings.randomState)
        var trainRows = Array(0..<x.rows), validRows: [Int] = []
        if settings.earlyStopping { (trainRows, validRows) = settings.validationSplit(x.rows, strata: encoded, rng: &rng) }
        let xt = x.rows(trainRows), xv = x.rows(validRows)
        let k = labels.count, problems = k == 2 ? 1 : k
        let seeds = (0..<problems).map { _ in rng.childSeed() }
        var results = [SGDEngine.Result?](repeating: nil, count: problems)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: problems) { m in
            let positive = k == 2 ? 1 : m
            // ±1 targets; the positive class carries its class weight, the rest weigh 1 (as scikit-learn).
            let yb = trainRows.map { encoded[$0] == positive ? 1.0 : -1.0 }
            let negWeight = k == 2 ? cw[0] : 1.0
            let c = trainRows.map { i in (encoded[i] == positive ? cw[positive] : negWeight) * (sampleWeight?[i] ?? 1) }
            var engine = base
            if settings.earlyStopping {
                let truth = validRows.map { encoded[$0] == positive }
                engine.validation = { w, b in
                    let d = xv.dot(w)
                    return Double(zip(d, truth).filter { ($0.0 + b > 0) == $0.1 }.count) / Double(max(truth.count, 1))
                }
            }
            let r = engine.run(xt, yb, c, seed: seeds[m])
            lock.lock(); results[m] = r; lock.unlock()
        }
        let fitted = results.map { $0! }
        coef = Matrix(fitted.map { $0.coef })
        intercept = fitted.map { $0.intercept }
        nIterations = fitted.map(\.epochs).max() ?? 0
        if coef.values.contains(where: { !$0.isFinite }) {
            throw LearnError.invalidInput("SGDClassifier.fit: the weights diverged; scale the features or lower eta0")
        }
        classes = labels.classes
    }

    /// `x·Wᵀ + b` (one column for two classes).
    public func decisionFunction(_ x: Matrix) throws -> Matrix {
        guard !classes.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: coef.columns, "SGDClassifier.decisionFunction")
        return LinearSupport.decision(x, coef: coef, intercept: intercept)
    }

    /// The class with the largest decision value.
    public func predict(_ x: Matrix) throws -> [Int] {
        LinearSupport.argmaxRows(try decisionFunction(x)).map { classes[$0] }
    }

    /// Probabilities, only for `log_loss` (sigmoid of each one-vs-rest score, rows normalized) and
    /// `modified_huber` (`(clip(d, −1, 1) + 1)/2`, normalized); other losses throw.
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        guard settings.loss == "log_loss" || settings.loss == "modified_huber" else {
            throw LearnError.invalidParameter(name: "loss", value: settings.loss,
                                              reason: "probabilities need loss='log_loss' or 'modified_huber'")
        }
        let d = try decisionFunction(x)
        let f: (Double) -> Double = settings.loss == "log_loss" ? LinearSupport.sigmoid : { (min(max($0, -1), 1) + 1) / 2 }
        if d.columns == 1 {
            var out = Matrix(rows: d.rows, columns: 2)
            for i in 0..<d.rows { let p = f(d.values[i]); out[i, 0] = 1 - p; out[i, 1] = p }
            return out
        }
        var out = d
        let k = d.columns
        for i in 0..<d.rows {
            var s = 0.0
            for c in 0..<k { out[i, c] = f(d[i, c]); s += out[i, c] }
            for c in 0..<k { out[i, c] = s > 0 ? out[i, c] / s : 1 / Double(k) }
        }
        return out
    }
}

/// Linear regression fitted by stochastic gradient descent (scikit-learn's `SGDRegressor`).
///
/// Losses: `squared_error` (default, least squares), `huber` (squared up to ε, linear beyond:
/// robust to outliers), `epsilon_insensitive` (the SVR loss). See ``SGDEngine``. Scale the
/// features first: plain SGD on features of very different scales diverges (as scikit-learn's).
/// Defaults: `loss="squared_error"`, `penalty="l2"`, `alpha=1e-4`, `l1_ratio=0.15`,
/// `max_iter=1000`, `tol=1e-3`, `shuffle=True`, `epsilon=0.1`, `learning_rate="invscaling"`,
/// `eta0=0.01`, `power_t=0.25`, `early_stopping=False`, `n_iter_no_change=5`, `average=False`.
public final class SGDRegressor: SampleWeightedRegressor, FeatureImportanceProviding {
    public static let modelName = "sgd-regressor"
    static let losses = ["squared_error", "huber", "epsilon_insensitive"]

    /// All scikit-learn hyper-parameters.
    public var settings: SGDSettings

    /// Coefficients (`coef_`).
    public private(set) var coef: [Double] = []
    /// Intercept (`intercept_`).
    public private(set) var intercept: Double = 0
    /// Epochs run (`n_iter_`).
    public private(set) var nIterations: Int = 0

    /// An SGD regressor; defaults as scikit-learn.
    public init(loss: String = "squared_error", penalty: String = "l2", alpha: Double = 1e-4, l1Ratio: Double = 0.15,
                fitIntercept: Bool = true, maxIter: Int = 1000, tol: Double? = 1e-3, shuffle: Bool = true,
                epsilon: Double = 0.1, randomState: Int? = nil, learningRate: String = "invscaling", eta0: Double = 0.01,
                powerT: Double = 0.25, earlyStopping: Bool = false, validationFraction: Double = 0.1,
                nIterNoChange: Int = 5, average: Int = 0) {
        settings = SGDSettings(loss: loss, penalty: penalty, alpha: alpha, l1Ratio: l1Ratio, fitIntercept: fitIntercept,
                               maxIter: maxIter, tol: tol, shuffle: shuffle, epsilon: epsilon, randomState: randomState,
                               learningRate: learningRate, eta0: eta0, powerT: powerT, earlyStopping: earlyStopping,
                               validationFraction: validationFraction, nIterNoChange: nIterNoChange, average: average)
    }
    public convenience init() { self.init(loss: "squared_error") }

    public var parameters: [String: ParamValue] { settings.parameters }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if try settings.set(name, value, losses: Self.losses) { return }
        throw unknownParameter(name)
    }

    public var featureImportances: [Double] { coef.map(abs) }

    public func fit(_ x: Matrix, _ y: [Double]) throws { try fit(x, y, sampleWeight: nil) }

    /// Runs SGD on the squared/huber/ε-insensitive loss.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeight: [Double]?) throws {
        var engine = try settings.engine(losses: Self.losses)
        try LinearSupport.checkRegression(x, y, sampleWeight, "SGDRegressor.fit")
        var rng = SeededRandom(seed: settings.randomState)
        var trainRows = Array(0..<x.rows), validRows: [Int] = []
        if settings.earlyStopping { (trainRows, validRows) = settings.validationSplit(x.rows, strata: nil, rng: &rng) }
        if settings.earlyStopping {
            let xv = x.rows(validRows), yv = validRows.map { y[$0] }
            engine.validation = { w, b in
                let p = xv.dot(w)
                let mean = yv.reduce(0, +) / Double(max(yv.count, 1))
                var res = 0.0, tot = 0.0
                for i in 0..<yv.count { res += (yv[i] - p[i] - b) * (yv[i] - p[i] - b); tot += (yv[i] - mean) * (yv[i] - mean) }
                return tot > 0 ? 1 - res / tot : 0
            }
        }
        let r = engine.run(x.rows(trainRows), trainRows.map { y[$0] }, trainRows.map { sampleWeight?[$0] ?? 1 },
                           seed: rng.childSeed())
        guard r.coef.allSatisfy({ $0.isFinite }) && r.intercept.isFinite else {
            throw LearnError.invalidInput("SGDRegressor.fit: the weights diverged; scale the features or lower eta0")
        }
        coef = r.coef; intercept = r.intercept; nIterations = r.epochs
    }

    /// `x·coef + intercept`.
    public func predict(_ x: Matrix) throws -> [Double] {
        try LinearSupport.predictRegression(x, coef: coef, intercept: intercept, model: Self.modelName, caller: "SGDRegressor.predict")
    }
}

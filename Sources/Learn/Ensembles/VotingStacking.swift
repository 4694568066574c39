import Foundation

/// Named member estimators, stored type-erased for model files.
struct EnsembleMembers: Codable {
    var names: [String] = []
    var boxes: [EstimatorBox] = []

    init(_ members: [(String, any Estimator)]) { names = members.map { $0.0 }; boxes = members.map { EstimatorBox($0.1) } }

    var list: [(String, any Estimator)] { Array(zip(names, boxes.map { $0.estimator })) }

    var parameters: [String: ParamValue] {
        var p: [String: ParamValue] = [:]
        for (n, e) in list { p.merge(EnsembleNesting.parameters(of: e, prefix: n)) { a, _ in a } }
        return p
    }

    /// Fresh clones fitted by `fit`, concurrently.
    func fitClones(_ fit: @escaping (any Estimator) throws -> Void) throws -> [EstimatorBox] {
        let clones = list.map { EnsembleNesting.clone($0.1) }
        var failures = [Error?](repeating: nil, count: clones.count)
        failures.withUnsafeMutableBufferPointer { f in
            ForestModel.parallel(clones.count, jobs: nil) { i in
                do { try fit(clones[i]) } catch { f[i] = error }
            }
        }
        if let e = failures.compactMap({ $0 }).first { throw e }
        return clones.map { EstimatorBox($0) }
    }
}

/// Default classifier members when built with `init()`: a decision tree, a random forest and
/// extra trees (all with `random_state=0`).
func defaultVotingClassifiers() -> [(String, any Estimator)] {
    [("tree", DecisionTreeClassifier(randomState: 0)), ("forest", RandomForestClassifier(randomState: 0)),
     ("extra", ExtraTreesClassifier(randomState: 0))]
}

/// Default regressor members when built with `init()`.
func defaultVotingRegressors() -> [(String, any Estimator)] {
    [("tree", DecisionTreeRegressor(randomState: 0)), ("forest", RandomForestRegressor(randomState: 0)),
     ("extra", ExtraTreesRegressor(randomState: 0))]
}

/// Validated optional weights.
private func votingWeights(_ w: [Double]?, members: Int) throws -> [Double] {
    guard let w else { return [Double](repeating: 1, count: members) }
    try require(w.count == members, "weights", w.description, "needs one weight per estimator (\(members))")
    try require(w.allSatisfy { $0.isFinite && $0 >= 0 } && w.contains { $0 > 0 }, "weights", w.description, "must be non-negative, not all zero")
    return w
}

private func weightsParam(_ w: [Double]?) -> ParamValue { w.map { .list($0.map { .double($0) }) } ?? .none }

private func readWeights(_ value: ParamValue) throws -> [Double]? {
    if case .none = value { return nil }
    guard case .list(let items) = value else {
        throw LearnError.invalidParameter(name: "weights", value: value.description, reason: "expected None or a list of numbers")
    }
    return try items.map { try $0.double("weights") }
}

/// Soft or hard voting over several classifiers (scikit-learn's `VotingClassifier`).
///
/// `voting="hard"` predicts the class with the largest weighted count of member votes (the
/// smallest label on ties); `"soft"` averages the members' class probabilities with `weights`
/// and takes the most probable class. Members are cloned and fitted on the whole data.
///
/// Defaults: `voting="hard", weights=None`; ``init()`` uses a decision tree, a random forest and
/// extra trees (see ``defaultVotingClassifiers()``).
public final class VotingClassifier: ProbabilisticClassifier {
    public static let modelName = "voting"
    var members: EnsembleMembers
    /// `"hard"` or `"soft"`.
    public var voting: String
    /// One weight per member (`weights`; nil: equal).
    public var weights: [Double]?
    var fitted: [EstimatorBox] = []
    /// Labels seen in fit (`classes_`).
    public private(set) var classes: [Int] = []

    /// `estimators`: `(name, classifier)` pairs.
    public init(estimators: [(String, any Classifier)], voting: String = "hard", weights: [Double]? = nil) {
        members = EnsembleMembers(estimators.map { ($0.0, $0.1 as any Estimator) })
        self.voting = voting; self.weights = weights
    }
    public convenience init() {
        self.init(estimators: defaultVotingClassifiers().map { ($0.0, $0.1 as! any Classifier) })
    }

    /// The fitted members (`estimators_`).
    public var estimators: [any Classifier] { fitted.compactMap { $0.estimator as? any Classifier } }

    public var parameters: [String: ParamValue] {
        members.parameters.merging(["estimators": EnsembleNesting.describe(members.list), "voting": .string(voting),
                                    "weights": weightsParam(weights)]) { a, _ in a }
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "estimators": members = EnsembleMembers(try EnsembleNesting.members(value, name: name))
        case "voting": voting = try value.choice(name, ["hard", "soft"])
        case "weights": weights = try readWeights(value)
        default:
            if try EnsembleNesting.set(name, value, members: members.list) { return }
            throw unknownParameter(name)
        }
    }

    public func fit(_ x: Matrix, _ y: [Int]) throws {
        try require(["hard", "soft"].contains(voting), "voting", voting, "expected hard or soft")
        try EnsembleNesting.validateNames(members.names, "estimators")
        _ = try votingWeights(weights, members: members.names.count)
        for (n, e) in members.list {
            guard e is any Classifier else { throw LearnError.invalidParameter(name: "estimators", value: n, reason: "is not a classifier") }
            if voting == "soft" && !(e is any ProbabilisticClassifier) {
                throw LearnError.invalidParameter(name: "voting", value: "soft", reason: "\(n) has no predict_proba")
            }
        }
        let (labels, _) = try LabelSet.fitting(x, y, "VotingClassifier.fit")
        fitted = try members.fitClones { try ($0 as! any Classifier).fit(x, y) }
        classes = labels.classes
    }

    private func checkFitted() throws {
        guard !fitted.isEmpty else { throw LearnError.notFitted(Self.modelName) }
    }

    /// Weighted mean of the members' probabilities (soft voting only).
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        try checkFitted()
        guard voting == "soft" else { throw LearnError.invalidInput("VotingClassifier: predict_proba is not available when voting='hard'") }
        let w = try votingWeights(weights, members: fitted.count)
        var out = [Double](repeating: 0, count: x.rows * classes.count)
        for (e, wi) in zip(estimators, w) {
            let p = try (e as! any ProbabilisticClassifier).predictProbabilities(x)
            for i in 0..<out.count { out[i] += wi * p.values[i] }
        }
        let total = w.reduce(0, +)
        return Matrix(rows: x.rows, columns: classes.count, values: out.map { $0 / total })
    }

    public func predict(_ x: Matrix) throws -> [Int] {
        try checkFitted()
        if voting == "soft" {
            let p = try predictProbabilities(x)
            return TreeFitting.argmaxRows(p.values, columns: p.columns).map { classes[$0] }
        }
        let w = try votingWeights(weights, members: fitted.count)
        let k = classes.count
        var votes = [Double](repeating: 0, count: x.rows * k)
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        for (e, wi) in zip(estimators, w) {
            for (i, label) in try e.predict(x).enumerated() { votes[i * k + index[label]!] += wi }
        }
        return TreeFitting.argmaxRows(votes, columns: k).map { classes[$0] }
    }
}

/// Averaging over several regressors (scikit-learn's `VotingRegressor`): the `weights`-weighted
/// mean of the members' predictions. ``init()`` uses a decision tree, a random forest and extra
/// trees (see ``defaultVotingRegressors()``).
public final class VotingRegressor: Regressor {
    public static let modelName = "voting-regressor"
    var members: EnsembleMembers
    /// One weight per member (`weights`; nil: equal).
    public var weights: [Double]?
    var fitted: [EstimatorBox] = []

    /// `estimators`: `(name, regressor)` pairs.
    public init(estimators: [(String, any Regressor)], weights: [Double]? = nil) {
        members = EnsembleMembers(estimators.map { ($0.0, $0.1 as any Estimator) })
        self.weights = weights
    }
    public convenience init() { self.init(estimators: defaultVotingRegressors().map { ($0.0, $0.1 as! any Regressor) }) }

    /// The fitted members (`estimators_`).
    public var estimators: [any Regressor] { fitted.compactMap { $0.estimator as? any Regressor } }

    public var parameters: [String: ParamValue] {
        members.parameters.merging(["estimators": EnsembleNesting.describe(members.list), "weights": weightsParam(weights)]) { a, _ in a }
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "estimators": members = EnsembleMembers(try EnsembleNesting.members(value, name: name))
        case "weights": weights = try readWeights(value)
        default:
            if try EnsembleNesting.set(name, value, members: members.list) { return }
            throw unknownParameter(name)
        }
    }

    public func fit(_ x: Matrix, _ y: [Double]) throws {
        try EnsembleNesting.validateNames(members.names, "estimators")
        _ = try votingWeights(weights, members: members.names.count)
        for (n, e) in members.list where !(e is any Regressor) {
            throw LearnError.invalidParameter(name: "estimators", value: n, reason: "is not a regressor")
        }
        try Check.targets(x, y, "VotingRegressor.fit")
        fitted = try members.fitClones { try ($0 as! any Regressor).fit(x, y) }
    }

    public func predict(_ x: Matrix) throws -> [Double] {
        guard !fitted.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        let w = try votingWeights(weights, members: fitted.count)
        var out = [Double](repeating: 0, count: x.rows)
        for (e, wi) in zip(estimators, w) {
            for (i, p) in try e.predict(x).enumerated() { out[i] += wi * p }
        }
        let total = w.reduce(0, +)
        return out.map { $0 / total }
    }
}

/// Stacked generalization for classification (scikit-learn's `StackingClassifier`; Wolpert 1992).
///
/// Each member's out-of-fold predictions (stratified `cv`-fold, unshuffled: `predict_proba` when
/// the member has it, else `decision_function`, else `predict`; binary probabilities keep the
/// positive column only) become the features of a final classifier; members are then refitted on
/// all rows. `passthrough=True` appends the original features.
///
/// Defaults: `final_estimator=None` (resolved at fit time as `LogisticRegression()`),
/// `cv=5, stack_method="auto", passthrough=False`; ``init()`` members as for ``VotingClassifier``.
public final class StackingClassifier: ProbabilisticClassifier {
    public static let modelName = "stacking"
    var members: EnsembleMembers
    var finalBox: EstimatorBox?
    /// Folds for the out-of-fold predictions (`cv`, ≥ 2).
    public var cv: Int
    /// `"auto"`, `"predict_proba"`, `"decision_function"` or `"predict"` (`stack_method`).
    public var stackMethod: String
    /// Also feed the original features to the final estimator (`passthrough`).
    public var passthrough: Bool
    var fitted: [EstimatorBox] = []
    var fittedFinal: EstimatorBox?
    var methods: [String] = []
    /// Labels seen in fit (`classes_`).
    public private(set) var classes: [Int] = []

    public init(estimators: [(String, any Classifier)], finalEstimator: (any Classifier)? = nil, cv: Int = 5,
                stackMethod: String = "auto", passthrough: Bool = false) {
        members = EnsembleMembers(estimators.map { ($0.0, $0.1 as any Estimator) })
        finalBox = finalEstimator.map { EstimatorBox($0) }
        self.cv = cv; self.stackMethod = stackMethod; self.passthrough = passthrough
    }
    public convenience init() { self.init(estimators: defaultVotingClassifiers().map { ($0.0, $0.1 as! any Classifier) }) }

    /// The final estimator as set (nil: logistic regression at fit time).
    public var finalEstimator: (any Classifier)? {
        get { finalBox?.estimator as? any Classifier }
        set { finalBox = newValue.map { EstimatorBox($0) } }
    }
    /// The fitted members (`estimators_`) and final estimator (`final_estimator_`).
    public var estimators: [any Classifier] { fitted.compactMap { $0.estimator as? any Classifier } }
    public var fittedFinalEstimator: (any Classifier)? { fittedFinal?.estimator as? any Classifier }

    public var parameters: [String: ParamValue] {
        var p = members.parameters.merging(["estimators": EnsembleNesting.describe(members.list), "cv": .int(cv),
                                            "stack_method": .string(stackMethod), "passthrough": .bool(passthrough),
                                            "final_estimator": finalEstimator.map { .string(type(of: $0).modelName) } ?? .none]) { a, _ in a }
        if let f = finalEstimator { p.merge(EnsembleNesting.parameters(of: f, prefix: "final_estimator")) { a, _ in a } }
        return p
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "estimators": members = EnsembleMembers(try EnsembleNesting.members(value, name: name))
        case "cv": cv = try value.int(name, atMost: ParameterLimits.estimators)
        case "stack_method": stackMethod = try value.choice(name, ["auto", "predict_proba", "decision_function", "predict"])
        case "passthrough": passthrough = try value.bool(name)
        case "final_estimator":
            if case .none = value { finalEstimator = nil; return }
            guard let e = try ModelRegistry.make(try value.string(name)) as? any Classifier else {
                throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected a classifier")
            }
            finalEstimator = e
        default:
            if let f = finalEstimator, try EnsembleNesting.set(name, value, members: [("final_estimator", f)]) { return }
            if try EnsembleNesting.set(name, value, members: members.list) { return }
            throw unknownParameter(name)
        }
    }

    /// The method used for a member.
    private func method(for e: any Estimator) throws -> String {
        switch stackMethod {
        case "auto":
            if e is any ProbabilisticClassifier { return "predict_proba" }
            if e is any DecisionFunctionClassifier { return "decision_function" }
            return "predict"
        case "predict_proba": if e is any ProbabilisticClassifier { return stackMethod }
        case "decision_function": if e is any DecisionFunctionClassifier { return stackMethod }
        default: return "predict"
        }
        throw LearnError.invalidParameter(name: "stack_method", value: stackMethod, reason: "\(type(of: e).modelName) does not have it")
    }

    /// One member's meta-features for `x`.
    private func metaFeatures(_ e: any Classifier, _ method: String, _ x: Matrix) throws -> Matrix {
        switch method {
        case "predict_proba":
            let p = try (e as! any ProbabilisticClassifier).predictProbabilities(x)
            return p.columns == 2 ? p.columns([1]) : p
        case "decision_function": return try (e as! any DecisionFunctionClassifier).decisionFunction(x)
        default: return Matrix(column: try e.predict(x).map(Double.init))
        }
    }

    private func resolveFinal() throws -> any Classifier {
        if let f = finalEstimator { return EnsembleNesting.clone(f) as! any Classifier }
        return LogisticRegression()
    }

    public func fit(_ x: Matrix, _ y: [Int]) throws {
        try require(cv >= 2, "cv", cv, "must be ≥ 2")
        try EnsembleNesting.validateNames(members.names, "estimators")
        let (labels, _) = try LabelSet.fitting(x, y, "StackingClassifier.fit")
        let final = try resolveFinal()
        let ms = try members.list.map { (n, e) -> String in
            guard e is any Classifier else { throw LearnError.invalidParameter(name: "estimators", value: n, reason: "is not a classifier") }
            return try method(for: e)
        }
        let folds = try StratifiedKFold(nSplits: cv).split(count: x.rows, labels: y)
        // Out-of-fold meta-features, one block of columns per member.
        var blocks: [Matrix] = []
        for (m, (_, e)) in zip(ms, members.list) {
            var block: Matrix?
            for (train, test) in folds {
                if test.isEmpty { continue }
                let c = EnsembleNesting.clone(e) as! any Classifier
                try c.fit(x.rows(train), train.map { y[$0] })
                let part = try metaFeatures(c, m, x.rows(test))
                if block == nil { block = Matrix(rows: x.rows, columns: part.columns, repeating: 0) }
                guard part.columns == block!.columns else {
                    throw LearnError.invalidInput("StackingClassifier.fit: a fold lacks some class; use fewer folds (cv)")
                }
                for (r, i) in test.enumerated() { for j in 0..<part.columns { block!.values[i * part.columns + j] = part[r, j] } }
            }
            blocks.append(block!)
        }
        var meta = blocks.dropFirst().reduce(blocks[0]) { $0.appendingColumns($1) }
        if passthrough { meta = meta.appendingColumns(x) }
        try final.fit(meta, y)
        fitted = try members.fitClones { try ($0 as! any Classifier).fit(x, y) }
        fittedFinal = EstimatorBox(final); methods = ms; classes = labels.classes
    }

    private func meta(_ x: Matrix) throws -> (Matrix, any Classifier) {
        guard let final = fittedFinalEstimator else { throw LearnError.notFitted(Self.modelName) }
        var blocks: [Matrix] = []
        for (e, m) in zip(estimators, methods) { blocks.append(try metaFeatures(e, m, x)) }
        var meta = blocks.dropFirst().reduce(blocks[0]) { $0.appendingColumns($1) }
        if passthrough { meta = meta.appendingColumns(x) }
        return (meta, final)
    }

    public func predict(_ x: Matrix) throws -> [Int] {
        let (m, final) = try meta(x)
        return try final.predict(m)
    }

    /// The final estimator's probabilities.
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        let (m, final) = try meta(x)
        guard let p = final as? any ProbabilisticClassifier else {
            throw LearnError.invalidInput("StackingClassifier: the final estimator has no predict_proba")
        }
        return try p.predictProbabilities(m)
    }
}

/// Stacked generalization for regression (scikit-learn's `StackingRegressor`): the members'
/// out-of-fold predictions (`cv`-fold, unshuffled) are the features of a final regressor.
///
/// Defaults: `final_estimator=None` (`ModelRegistry.make("ridge-cv")` at fit time), `cv=5,
/// passthrough=False`; ``init()`` members as for ``VotingRegressor``.
public final class StackingRegressor: Regressor {
    public static let modelName = "stacking-regressor"
    var members: EnsembleMembers
    var finalBox: EstimatorBox?
    /// Folds (`cv`, ≥ 2).
    public var cv: Int
    /// Also feed the original features to the final estimator (`passthrough`).
    public var passthrough: Bool
    var fitted: [EstimatorBox] = []
    var fittedFinal: EstimatorBox?

    public init(estimators: [(String, any Regressor)], finalEstimator: (any Regressor)? = nil, cv: Int = 5, passthrough: Bool = false) {
        members = EnsembleMembers(estimators.map { ($0.0, $0.1 as any Estimator) })
        finalBox = finalEstimator.map { EstimatorBox($0) }
        self.cv = cv; self.passthrough = passthrough
    }
    public convenience init() { self.init(estimators: defaultVotingRegressors().map { ($0.0, $0.1 as! any Regressor) }) }

    /// The final estimator as set (nil: ridge-cv at fit time).
    public var finalEstimator: (any Regressor)? {
        get { finalBox?.estimator as? any Regressor }
        set { finalBox = newValue.map { EstimatorBox($0) } }
    }
    /// The fitted members (`estimators_`) and final estimator (`final_estimator_`).
    public var estimators: [any Regressor] { fitted.compactMap { $0.estimator as? any Regressor } }
    public var fittedFinalEstimator: (any Regressor)? { fittedFinal?.estimator as? any Regressor }

    public var parameters: [String: ParamValue] {
        var p = members.parameters.merging(["estimators": EnsembleNesting.describe(members.list), "cv": .int(cv),
                                            "passthrough": .bool(passthrough),
                                            "final_estimator": finalEstimator.map { .string(type(of: $0).modelName) } ?? .none]) { a, _ in a }
        if let f = finalEstimator { p.merge(EnsembleNesting.parameters(of: f, prefix: "final_estimator")) { a, _ in a } }
        return p
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "estimators": members = EnsembleMembers(try EnsembleNesting.members(value, name: name))
        case "cv": cv = try value.int(name, atMost: ParameterLimits.estimators)
        case "passthrough": passthrough = try value.bool(name)
        case "final_estimator":
            if case .none = value { finalEstimator = nil; return }
            guard let e = try ModelRegistry.make(try value.string(name)) as? any Regressor else {
                throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected a regressor")
            }
            finalEstimator = e
        default:
            if let f = finalEstimator, try EnsembleNesting.set(name, value, members: [("final_estimator", f)]) { return }
            if try EnsembleNesting.set(name, value, members: members.list) { return }
            throw unknownParameter(name)
        }
    }

    public func fit(_ x: Matrix, _ y: [Double]) throws {
        try require(cv >= 2, "cv", cv, "must be ≥ 2")
        try EnsembleNesting.validateNames(members.names, "estimators")
        try Check.targets(x, y, "StackingRegressor.fit")
        try require(x.rows >= cv, "cv", cv, "more folds than rows")
        let final: any Regressor
        if let f = finalEstimator { final = EnsembleNesting.clone(f) as! any Regressor } else {
            let made: any Estimator
            do { made = try ModelRegistry.make("ridge-cv") } catch {
                throw LearnError.invalidInput("StackingRegressor: the default final_estimator is ridge-cv, which is not available (\(error)); set finalEstimator")
            }
            guard let r = made as? any Regressor else { throw LearnError.invalidInput("StackingRegressor: ridge-cv is not a regressor") }
            final = r
        }
        for (n, e) in members.list where !(e is any Regressor) {
            throw LearnError.invalidParameter(name: "estimators", value: n, reason: "is not a regressor")
        }
        let folds = try KFold(nSplits: cv).split(count: x.rows)
        var meta = Matrix(rows: x.rows, columns: members.names.count, repeating: 0)
        for (j, (_, e)) in members.list.enumerated() {
            for (train, test) in folds {
                let r = EnsembleNesting.clone(e) as! any Regressor
                try r.fit(x.rows(train), train.map { y[$0] })
                for (k, p) in try r.predict(x.rows(test)).enumerated() { meta.values[test[k] * meta.columns + j] = p }
            }
        }
        if passthrough { meta = meta.appendingColumns(x) }
        try final.fit(meta, y)
        fitted = try members.fitClones { try ($0 as! any Regressor).fit(x, y) }
        fittedFinal = EstimatorBox(final)
    }

    public func predict(_ x: Matrix) throws -> [Double] {
        guard let final = fittedFinalEstimator else { throw LearnError.notFitted(Self.modelName) }
        var meta = Matrix(columns: try estimators.map { try $0.predict(x) })
        if passthrough { meta = meta.appendingColumns(x) }
        return try final.predict(meta)
    }
}

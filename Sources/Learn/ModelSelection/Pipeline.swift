import Foundation

/// A named step of a ``Pipeline``.
public struct PipelineStep: Codable {
    /// The row's label (class name or average kind).
    public var name: String
    /// The step's estimator, type-erased for coding.
    public var box: EstimatorBox
    /// The step's estimator.
    public var estimator: any Estimator { box.estimator }
    /// A step named `name`.
    public init(_ name: String, _ estimator: any Estimator) { self.name = name; box = EstimatorBox(estimator) }
}

/// A hyper-parameter set as a parameter value: `[name, value, name, value, …]` sorted by name.
func msEncodeParams(_ p: [String: ParamValue]) -> ParamValue {
    .list(p.keys.sorted().flatMap { [ParamValue.string($0), p[$0]!] })
}

func msDecodeParams(_ v: ParamValue, _ name: String) throws -> [String: ParamValue] {
    guard case .list(let l) = v, l.count % 2 == 0 else {
        throw LearnError.invalidParameter(name: name, value: v.description, reason: "expected [name, value, …]")
    }
    var d = [String: ParamValue]()
    for k in stride(from: 0, to: l.count, by: 2) { d[try l[k].string(name)] = l[k + 1] }
    return d
}

/// An estimator (model name plus hyper-parameters) as one parameter value, so that `cloned()`
/// can rebuild nested estimators through ``ModelRegistry``.
func msEncodeEstimator(_ e: any Estimator) -> ParamValue {
    .list([.string(type(of: e).modelName), msEncodeParams(e.parameters)])
}

func msDecodeEstimator(_ v: ParamValue, _ name: String) throws -> any Estimator {
    guard case .list(let l) = v, l.count == 2 else {
        throw LearnError.invalidParameter(name: name, value: v.description, reason: "expected [model name, [parameters]]")
    }
    let e = try ModelRegistry.make(try l[0].string(name))
    try e.setParameters(try msDecodeParams(l[1], name))
    return e
}

/// A chain of transformers ending in a classifier, regressor or transformer (scikit-learn's
/// `Pipeline`).
///
/// `fit` fits each transformer on the output of the previous ones (passing the target along)
/// and then the final estimator; `predict`, `predictProbabilities`, `decisionFunction`,
/// `transform` and `score` run the data through the fitted transformers and forward to the last
/// step. Hyper-parameters are exposed as `"step__param"` (`"scaler__with_mean"`), so grid search
/// tunes pipelines exactly as in scikit-learn; `"steps"` holds the whole spec, which `cloned()`
/// rebuilds through ``ModelRegistry`` (step types are registered when the pipeline is made).
///
/// Both `predict` overloads exist (labels for a classifier, values for a regressor): annotate the
/// result type (`let p: [Int] = try pipe.predict(x)`).
public final class Pipeline: ProbabilisticClassifier, DecisionFunctionClassifier, Regressor, Transformer {
    public static let modelName = "pipeline"
    /// The steps in order.
    public private(set) var steps: [PipelineStep]
    /// Step parameters set before the steps exist (while `cloned()` replays parameters).
    var pending: [String: ParamValue] = [:]

    /// A pipeline of named steps; all but the last must be ``Transformer``s. Step names must be
    /// distinct and contain no `"__"`.
    public init(_ steps: [(String, any Estimator)]) {
        self.steps = steps.map { PipelineStep($0.0, $0.1) }
        ModelRegistry.register(steps.map { type(of: $0.1) })
    }

    /// An empty pipeline (fit throws until steps are set).
    public convenience init() { self.init([]) }

    /// The step called `name`.
    public func step(_ name: String) -> (any Estimator)? { steps.first { $0.name == name }?.estimator }

    /// The last step's estimator.
    public var finalEstimator: (any Estimator)? { steps.last?.estimator }

    public var parameters: [String: ParamValue] {
        var p: [String: ParamValue] = ["steps": .list(steps.map { .list([.string($0.name), msEncodeEstimator($0.estimator)]) })]
        for s in steps { for (k, v) in s.estimator.parameters { p["\(s.name)__\(k)"] = v } }
        return p
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if name == "steps" {
            guard case .list(let l) = value else { throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected a list of steps") }
            steps = try l.map { item in
                guard case .list(let pair) = item, pair.count == 2 else {
                    throw LearnError.invalidParameter(name: name, value: item.description, reason: "expected [name, estimator]")
                }
                return PipelineStep(try pair[0].string(name), try msDecodeEstimator(pair[1], name))
            }
            let waiting = pending
            pending = [:]
            for (k, v) in waiting.sorted(by: { $0.key < $1.key }) { try setParameter(k, v) }
            return
        }
        guard let r = name.range(of: "__") else { throw unknownParameter(name) }
        let stepName = String(name[..<r.lowerBound]), param = String(name[r.upperBound...])
        if steps.isEmpty { pending[name] = value; return }
        guard let s = step(stepName) else { throw unknownParameter(name) }
        try s.setParameter(param, value)
    }

    private func validateSteps(_ caller: String) throws {
        if steps.isEmpty { throw LearnError.invalidInput("\(caller): the pipeline has no steps") }
        let names = steps.map(\.name)
        if Set(names).count != names.count { throw LearnError.invalidInput("\(caller): step names must be unique: \(names)") }
        if let bad = names.first(where: { $0.contains("__") || $0.isEmpty }) { throw LearnError.invalidInput("\(caller): bad step name '\(bad)'") }
        for s in steps.dropLast() where !(s.estimator is any Transformer) {
            throw LearnError.invalidInput("\(caller): step '\(s.name)' (\(type(of: s.estimator).modelName)) is not a transformer; only the last step may be")
        }
    }

    /// Fits and applies every step but the last.
    private func fitTransformers(_ x: Matrix, _ target: Target?) throws -> Matrix {
        try validateSteps("Pipeline.fit")
        var xt = x
        for s in steps.dropLast() {
            let t = s.estimator as! any Transformer
            try t.fit(xt, target: target)
            xt = try t.transform(xt)
        }
        return xt
    }

    /// Applies the fitted transformers (all but the last step).
    public func transformThroughSteps(_ x: Matrix) throws -> Matrix {
        guard !steps.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        var xt = x
        for s in steps.dropLast() {
            guard let t = s.estimator as? any Transformer else {
                throw LearnError.invalidInput("Pipeline: step '\(s.name)' is not a transformer")
            }
            xt = try t.transform(xt)
        }
        return xt
    }

    private func final<T>(_ type: T.Type, _ what: String) throws -> T {
        guard let last = steps.last?.estimator else { throw LearnError.notFitted(Self.modelName) }
        guard let f = last as? T else {
            throw LearnError.invalidInput("Pipeline: the final step \(Swift.type(of: last).modelName) has no \(what)")
        }
        return f
    }

    /// Fits on class labels; the final step must be a classifier.
    public func fit(_ x: Matrix, _ y: [Int]) throws {
        let xt = try fitTransformers(x, .classes(y))
        try MSDispatch.fit(steps.last!.estimator, xt, .classes(y))
    }

    /// Fits on real targets; the final step must be a regressor.
    public func fit(_ x: Matrix, _ y: [Double]) throws {
        let xt = try fitTransformers(x, .values(y))
        try MSDispatch.fit(steps.last!.estimator, xt, .values(y))
    }

    /// Fits as a transformer (the final step a transformer too).
    public func fit(_ x: Matrix, target: Target?) throws {
        let xt = try fitTransformers(x, target)
        try final((any Transformer).self, "fit(x, target:)").fit(xt, target: target)
    }

    /// Class predictions (annotate the result type where both overloads apply).
    public func predict(_ x: Matrix) throws -> [Int] {
        try final((any Classifier).self, "class predictions").predict(try transformThroughSteps(x))
    }

    /// Real-valued predictions (annotate the result type where both overloads apply).
    public func predict(_ x: Matrix) throws -> [Double] {
        try final((any Regressor).self, "real-valued predictions").predict(try transformThroughSteps(x))
    }

    /// Class probabilities, columns in ``classes`` order.
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        try final((any ProbabilisticClassifier).self, "predictProbabilities").predictProbabilities(try transformThroughSteps(x))
    }

    /// The final step's decision function on the transformed rows.
    public func decisionFunction(_ x: Matrix) throws -> Matrix {
        try final((any DecisionFunctionClassifier).self, "decisionFunction").decisionFunction(try transformThroughSteps(x))
    }

    /// Applies the learned transformation.
    public func transform(_ x: Matrix) throws -> Matrix {
        try final((any Transformer).self, "transform").transform(try transformThroughSteps(x))
    }

    /// The final classifier's classes (empty for other final steps or before fit).
    public var classes: [Int] { (steps.last?.estimator as? any Classifier)?.classes ?? [] }
}

import Foundation

// `validateDecoded()` for forests, boosting, AdaBoost, voting and stacking. Members held in an
// ``EstimatorBox`` were validated when decoded; these checks add what the ensemble relies on:
// tree shapes, member kinds, and members that agree with the ensemble's classes
// (see ``DecodedModel``).

extension DecodedCheck {
    /// A fitted forest: at least one tree, each valid for `nFeatures` features and `nOutputs` outputs.
    func forest(_ model: ForestModel, nOutputs: Int) throws {
        try atLeast(model.trees.count, 1, "the number of trees")
        try atLeast(model.nFeatures, 1, "nFeatures")
        try that(model.nOutputs == nOutputs, "nOutputs is \(model.nOutputs), expected \(nOutputs)")
        for (i, t) in model.trees.enumerated() { try tree(t, nFeatures: model.nFeatures, nOutputs: nOutputs, "tree \(i)") }
        try importances(model.featureImportances, model.nFeatures)
    }

    /// A boosting loss: known parameters and the number of score columns it implies.
    func boostingLoss(_ loss: BoostingLoss) throws {
        switch loss {
        case .multinomial(let k): try atLeast(k, 3, "the multinomial loss's class count")
        case .huber(let a): try that(a > 0 && a < 1, "the huber loss's alpha \(a) is not in (0, 1)")
        case .quantile(let a): try that(a > 0 && a < 1, "the quantile loss's alpha \(a) is not in (0, 1)")
        case .binomial, .squared, .absolute: break
        }
    }

    /// Fitted gradient boosting: `initial` and every stage have one entry per score column.
    func boosted(_ model: BoostedTrees) throws {
        try boostingLoss(model.loss)
        let k = model.loss.columns
        try atLeast(model.nFeatures, 1, "nFeatures")
        try vector(model.initial, k, "initial")
        try finite(model.learningRate, "learningRate")
        for (s, stage) in model.stages.enumerated() {
            try count(stage, k, "stage \(s)")
            for (c, t) in stage.enumerated() { try tree(t, nFeatures: model.nFeatures, nOutputs: 1, "stage \(s) tree \(c)") }
        }
        try importances(model.featureImportances, model.nFeatures)
    }

    /// Fitted histogram gradient boosting: baseline and every iteration have one entry per score
    /// column, and each tree is valid.
    func histBoosted(_ model: HistBoostedTrees) throws {
        try boostingLoss(model.loss)
        let k = model.loss.columns
        try atLeast(model.nFeatures, 1, "nFeatures")
        try vector(model.baseline, k, "baseline")
        for (s, iteration) in model.trees.enumerated() {
            try count(iteration, k, "iteration \(s)")
            for (c, t) in iteration.enumerated() { try histTree(t, nFeatures: model.nFeatures, "iteration \(s) tree \(c)") }
        }
    }

    /// A boosting loss's score columns: one for a regressor (`classes` nil) or a binary
    /// classifier, one per class otherwise.
    func lossColumns(_ columns: Int, classes: Int?) throws {
        guard let classes else { return try that(columns == 1, "a regressor's loss must have one score column") }
        try that(columns == (classes == 2 ? 1 : classes), "the loss has \(columns) score columns for \(classes) classes")
    }

    /// A histogram tree: parallel arrays, children after their parent and reached once, split
    /// features in range, finite thresholds and values.
    func histTree(_ t: HistTree, nFeatures: Int, _ field: String) throws {
        let n = t.left.count
        try atLeast(n, 1, "\(field)'s node count")
        for (name, c) in [("right", t.right.count), ("feature", t.feature.count), ("threshold", t.threshold.count),
                          ("missingGoLeft", t.missingGoLeft.count), ("value", t.value.count)] {
            try that(c == n, "\(field).\(name) has \(c) values for \(n) nodes")
        }
        try finite(t.value, "\(field).value")
        try splitNodes(left: t.left, right: t.right, feature: t.feature, threshold: t.threshold, nFeatures: nFeatures, field)
    }

    /// Fitted members of a classifier ensemble: classifiers whose classes are the ensemble's.
    func classifierMembers(_ boxes: [EstimatorBox], classes: [Int], _ field: String) throws {
        for (i, b) in boxes.enumerated() {
            guard let c = b.estimator as? any Classifier else {
                throw failure("\(field)[\(i)] (\(type(of: b.estimator).modelName)) is not a classifier")
            }
            try that(c.classes == classes, "\(field)[\(i)]'s classes \(c.classes) differ from \(classes)")
        }
    }

    /// Fitted members of a regressor ensemble: regressors.
    func regressorMembers(_ boxes: [EstimatorBox], _ field: String) throws {
        for (i, b) in boxes.enumerated() where !(b.estimator is any Regressor) {
            throw failure("\(field)[\(i)] (\(type(of: b.estimator).modelName)) is not a regressor")
        }
    }

    /// Named members: one name per estimator, names distinct.
    func members(_ m: EnsembleMembers) throws {
        try count(m.names, m.boxes.count, "estimator names")
        try that(Set(m.names).count == m.names.count, "estimator names \(m.names) are not distinct")
    }
}

extension ForestClassifierStorage {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard let model else { return try check.that(classes.isEmpty, "classes without fitted trees") }
        try check.classes(classes)
        try check.forest(model, nOutputs: classes.count)
    }
}

extension ForestRegressorStorage {
    public func validateDecoded() throws {
        guard let model else { return }
        try DecodedCheck(Self.modelName).forest(model, nOutputs: 1)
    }
}

extension GradientBoostingClassifier {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard let model else { return try check.that(classes.isEmpty, "classes without a fitted model") }
        try check.classes(classes, minimum: 2)
        try check.boosted(model)
        try check.lossColumns(model.loss.columns, classes: classes.count)
    }
}

extension GradientBoostingRegressor {
    public func validateDecoded() throws {
        guard let model else { return }
        let check = DecodedCheck(Self.modelName)
        try check.boosted(model)
        try check.lossColumns(model.loss.columns, classes: nil)
    }
}

extension HistGradientBoostingClassifier {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard let model else { return try check.that(classes.isEmpty, "classes without a fitted model") }
        try check.classes(classes, minimum: 2)
        try check.histBoosted(model)
        try check.lossColumns(model.loss.columns, classes: classes.count)
    }
}

extension HistGradientBoostingRegressor {
    public func validateDecoded() throws {
        guard let model else { return }
        let check = DecodedCheck(Self.modelName)
        try check.histBoosted(model)
        try check.lossColumns(model.loss.columns, classes: nil)
    }
}

extension AdaBoostClassifier {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        if let base = estimatorBox?.estimator {
            try check.that(base is any SampleWeightedClassifier, "estimator \(type(of: base).modelName) is not a sample-weighted classifier")
        }
        guard !fittedBoxes.isEmpty else { return try check.that(classes.isEmpty, "classes without fitted estimators") }
        try check.classes(classes, minimum: 2)
        try check.atLeast(nFeatures, 1, "nFeatures")
        try check.vector(estimatorWeights, fittedBoxes.count, "estimatorWeights")
        try check.vector(estimatorErrors, fittedBoxes.count, "estimatorErrors")
        try check.classifierMembers(fittedBoxes, classes: classes, "estimators")
    }
}

extension AdaBoostRegressor {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        if let base = estimatorBox?.estimator {
            try check.that(base is any Regressor, "estimator \(type(of: base).modelName) is not a regressor")
        }
        guard !fittedBoxes.isEmpty else { return }
        try check.atLeast(nFeatures, 1, "nFeatures")
        try check.vector(estimatorWeights, fittedBoxes.count, "estimatorWeights")
        try check.vector(estimatorErrors, fittedBoxes.count, "estimatorErrors")
        try check.regressorMembers(fittedBoxes, "estimators")
    }
}

extension VotingClassifier {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        try check.members(members)
        try check.classifierMembers(members.boxes.filter { !($0.estimator is any Classifier) }, classes: [], "estimators")
        guard !fitted.isEmpty else { return try check.that(classes.isEmpty, "classes without fitted estimators") }
        try check.classes(classes)
        try check.count(fitted, members.boxes.count, "fitted estimators")
        try check.classifierMembers(fitted, classes: classes, "fitted estimators")
        if let weights { try check.vector(weights, fitted.count, "weights") }
        if voting == "soft" {
            for (i, b) in fitted.enumerated() where !(b.estimator is any ProbabilisticClassifier) {
                throw check.failure("fitted estimators[\(i)] has no predict_proba, which voting='soft' needs")
            }
        }
    }
}

extension VotingRegressor {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        try check.members(members)
        try check.regressorMembers(members.boxes, "estimators")
        guard !fitted.isEmpty else { return }
        try check.count(fitted, members.boxes.count, "fitted estimators")
        try check.regressorMembers(fitted, "fitted estimators")
        if let weights { try check.vector(weights, fitted.count, "weights") }
    }
}

extension StackingClassifier {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        try check.members(members)
        try check.classifierMembers(members.boxes.filter { !($0.estimator is any Classifier) }, classes: [], "estimators")
        guard !fitted.isEmpty else { return try check.that(classes.isEmpty && fittedFinal == nil, "a final estimator without fitted members") }
        try check.classes(classes, minimum: 2)
        try check.count(fitted, members.boxes.count, "fitted estimators")
        try check.count(methods, fitted.count, "stack methods")
        try check.classifierMembers(fitted, classes: classes, "fitted estimators")
        for (i, (b, m)) in zip(fitted, methods).enumerated() {
            let ok: Bool
            switch m {
            case "predict_proba": ok = b.estimator is any ProbabilisticClassifier
            case "decision_function": ok = b.estimator is any DecisionFunctionClassifier
            case "predict": ok = true
            default: ok = false
            }
            try check.that(ok, "stack method '\(m)' is unknown or unavailable for fitted estimators[\(i)]")
        }
        guard let final = fittedFinal else { throw check.failure("fitted members but no fitted final estimator") }
        try check.classifierMembers([final], classes: classes, "final estimator")
    }
}

extension StackingRegressor {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        try check.members(members)
        try check.regressorMembers(members.boxes, "estimators")
        guard !fitted.isEmpty else { return try check.that(fittedFinal == nil, "a final estimator without fitted members") }
        try check.count(fitted, members.boxes.count, "fitted estimators")
        try check.regressorMembers(fitted, "fitted estimators")
        guard let final = fittedFinal else { throw check.failure("fitted members but no fitted final estimator") }
        try check.regressorMembers([final], "final estimator")
    }
}

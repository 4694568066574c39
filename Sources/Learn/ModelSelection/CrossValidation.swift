import Foundation

/// How many folds, or which splitter (scikit-learn's `cv=`).
public enum CV: Sendable, ExpressibleByIntegerLiteral {
    /// k folds: ``StratifiedKFold`` for class targets, ``KFold`` for real ones (no shuffling).
    case folds(Int)
    /// Any splitter.
    case splitter(any CrossValidator)
    /// Explicit (train, test) index lists.
    case indices([(train: [Int], test: [Int])])

    /// k stratified (classes) or plain folds.
    public init(integerLiteral value: Int) { self = .folds(value) }

    /// The folds for a target.
    public func folds(_ count: Int, _ y: Target) throws -> [(train: [Int], test: [Int])] {
        switch self {
        case .folds(let k):
            if case .classes(let c) = y { return try StratifiedKFold(nSplits: k).split(count: count, labels: c) }
            return try KFold(nSplits: k).split(count: count, labels: nil)
        case .splitter(let s):
            if case .classes(let c) = y { return try s.split(count: count, labels: c) }
            return try s.split(count: count, labels: nil)
        case .indices(let f):
            if f.isEmpty { throw LearnError.invalidInput("cv: no splits given") }
            for (tr, te) in f {
                if tr.isEmpty || te.isEmpty { throw LearnError.invalidInput("cv: every split needs training and test indices") }
                if (tr + te).contains(where: { $0 < 0 || $0 >= count }) { throw LearnError.invalidInput("cv: index out of range for \(count) samples") }
            }
            return f
        }
    }
}

/// Shared validation for the cross-validation entry points.
func msCheckXY(_ x: Matrix, _ y: Target, _ caller: String) throws {
    try Check.featuresAllowingNaN(x, caller)
    try Check.lengths(x, y.count, caller)
}

/// Scores of a cloned estimator fitted on each training fold and scored on its test fold
/// (scikit-learn's `cross_val_score`). Folds run in parallel. `scoring` nil uses the estimator's
/// own score (accuracy for classifiers, R² for regressors).
public func crossValScore(_ estimator: any Estimator, _ x: Matrix, _ y: Target, cv: CV = 5, scoring: Scoring? = nil) throws -> [Double] {
    try msCheckXY(x, y, "crossValScore")
    let folds = try cv.folds(x.rows, y)
    return try MSDispatch.parallelMap(folds.count) { k in
        let (tr, te) = folds[k]
        let e = MSDispatch.clone(estimator)
        try MSDispatch.fit(e, x.rows(tr), MSDispatch.subset(y, tr))
        return try MSDispatch.score(e, x.rows(te), MSDispatch.subset(y, te), scoring)
    }
}

/// `crossValScore` for class labels.
public func crossValScore(_ estimator: any Classifier, _ x: Matrix, _ y: [Int], cv: CV = 5, scoring: Scoring? = nil) throws -> [Double] {
    try crossValScore(estimator as any Estimator, x, .classes(y), cv: cv, scoring: scoring)
}

/// `crossValScore` for real targets.
public func crossValScore(_ estimator: any Regressor, _ x: Matrix, _ y: [Double], cv: CV = 5, scoring: Scoring? = nil) throws -> [Double] {
    try crossValScore(estimator as any Estimator, x, .values(y), cv: cv, scoring: scoring)
}

/// Out-of-fold predictions (scikit-learn's `cross_val_predict`): each sample predicted by the
/// clone that did not see it. The folds must partition the samples.
public func crossValPredict(_ estimator: any Classifier, _ x: Matrix, _ y: [Int], cv: CV = 5) throws -> [Int] {
    let t = try msCrossValPredict(estimator, x, .classes(y), cv)
    return t.map { Int($0) }
}

/// Out-of-fold predictions for a regressor.
public func crossValPredict(_ estimator: any Regressor, _ x: Matrix, _ y: [Double], cv: CV = 5) throws -> [Double] {
    try msCrossValPredict(estimator, x, .values(y), cv)
}

/// Out-of-fold class probabilities (`cross_val_predict(method="predict_proba")`), columns in the
/// sorted labels of `y`.
public func crossValPredictProbabilities(_ estimator: any ProbabilisticClassifier, _ x: Matrix, _ y: [Int], cv: CV = 5) throws -> Matrix {
    try msCheckXY(x, .classes(y), "crossValPredictProbabilities")
    let classes = Array(Set(y)).sorted()
    let folds = try cv.folds(x.rows, .classes(y))
    try msCheckPartition(folds, x.rows)
    let parts = try MSDispatch.parallelMap(folds.count) { k -> Matrix in
        let (tr, te) = folds[k]
        let e = MSDispatch.clone(estimator) as! any ProbabilisticClassifier
        try e.fit(x.rows(tr), tr.map { y[$0] })
        return try e.predictProbabilities(x.rows(te))
    }
    var out = Matrix(rows: x.rows, columns: classes.count)
    for (k, (tr, te)) in folds.enumerated() {
        let cls = Array(Set(tr.map { y[$0] })).sorted()
        for (r, i) in te.enumerated() {
            for (c, label) in cls.enumerated() { out[i, classes.firstIndex(of: label)!] = parts[k][r, c] }
        }
    }
    return out
}

func msCheckPartition(_ folds: [(train: [Int], test: [Int])], _ n: Int) throws {
    let all = folds.flatMap(\.test).sorted()
    if all != Array(0..<n) { throw LearnError.invalidInput("crossValPredict: the test folds must partition the samples") }
}

func msCrossValPredict(_ estimator: any Estimator, _ x: Matrix, _ y: Target, _ cv: CV) throws -> [Double] {
    try msCheckXY(x, y, "crossValPredict")
    let folds = try cv.folds(x.rows, y)
    try msCheckPartition(folds, x.rows)
    let parts = try MSDispatch.parallelMap(folds.count) { k -> [Double] in
        let (tr, te) = folds[k]
        let e = MSDispatch.clone(estimator)
        try MSDispatch.fit(e, x.rows(tr), MSDispatch.subset(y, tr))
        return try MSDispatch.predict(e, x.rows(te), like: y).asDoubles
    }
    var out = [Double](repeating: 0, count: x.rows)
    for (k, f) in folds.enumerated() { for (r, i) in f.test.enumerated() { out[i] = parts[k][r] } }
    return out
}

/// Train and test scores as the training set grows (scikit-learn's `learning_curve`).
///
/// For each fold, the first ⌊s·n_train⌋ training indices (fractions `s`, or absolute counts
/// when ≥ 1; default [0.1, 0.325, 0.55, 0.775, 1.0]) fit a clone, scored on that subset and on
/// the test fold. `shuffle` permutes each fold's training indices first. Returns the distinct
/// sizes used and scores indexed `[size][fold]`.
public func learningCurve(_ estimator: any Estimator, _ x: Matrix, _ y: Target, trainSizes: [Double] = [0.1, 0.325, 0.55, 0.775, 1.0],
                          cv: CV = 5, scoring: Scoring? = nil, shuffle: Bool = false, randomState: Int? = nil)
    throws -> (trainSizes: [Int], trainScores: [[Double]], testScores: [[Double]]) {
    try msCheckXY(x, y, "learningCurve")
    var folds = try cv.folds(x.rows, y)
    let nMax = folds[0].train.count
    // All values ≤ 1: fractions of the largest training fold (floored, at least 1); else counts.
    let fractions = trainSizes.allSatisfy { $0 <= 1 }
    var sizes = [Int]()
    for s in trainSizes {
        if s <= 0 || (!fractions && s != s.rounded()) {
            throw LearnError.invalidParameter(name: "train_sizes", value: "\(s)", reason: "fractions must be in (0, 1], counts positive integers")
        }
        let n = fractions ? max(1, Int(s * Double(nMax))) : Int(s)
        if n > nMax {
            throw LearnError.invalidParameter(name: "train_sizes", value: "\(s)", reason: "gives \(n) samples; at most \(nMax) are available")
        }
        sizes.append(n)
    }
    sizes = Array(Set(sizes)).sorted()
    if shuffle {
        var rng = SeededRandom(seed: randomState)
        folds = folds.map { var t = $0.train; t.shuffle(using: &rng); return (t, $0.test) }
    }
    let jobs = sizes.flatMap { s in folds.indices.map { (s, $0) } }
    let results = try MSDispatch.parallelMap(jobs.count) { k -> (Double, Double) in
        let (s, f) = jobs[k]
        let tr = Array(folds[f].train.prefix(s)), te = folds[f].test
        let e = MSDispatch.clone(estimator)
        let xt = x.rows(tr), yt = MSDispatch.subset(y, tr)
        try MSDispatch.fit(e, xt, yt)
        return (try MSDispatch.score(e, xt, yt, scoring), try MSDispatch.score(e, x.rows(te), MSDispatch.subset(y, te), scoring))
    }
    let nf = folds.count
    return (sizes, sizes.indices.map { i in (0..<nf).map { results[i * nf + $0].0 } },
            sizes.indices.map { i in (0..<nf).map { results[i * nf + $0].1 } })
}

/// Train and test scores for each value of one hyper-parameter (scikit-learn's
/// `validation_curve`), indexed `[value][fold]`.
public func validationCurve(_ estimator: any Estimator, _ x: Matrix, _ y: Target, paramName: String, paramRange: [ParamValue],
                            cv: CV = 5, scoring: Scoring? = nil) throws -> (trainScores: [[Double]], testScores: [[Double]]) {
    try msCheckXY(x, y, "validationCurve")
    let folds = try cv.folds(x.rows, y)
    let jobs = paramRange.indices.flatMap { p in folds.indices.map { (p, $0) } }
    let results = try MSDispatch.parallelMap(jobs.count) { k -> (Double, Double) in
        let (p, f) = jobs[k]
        let e = MSDispatch.clone(estimator)
        try e.setParameter(paramName, paramRange[p])
        let (tr, te) = folds[f]
        let xt = x.rows(tr), yt = MSDispatch.subset(y, tr)
        try MSDispatch.fit(e, xt, yt)
        return (try MSDispatch.score(e, xt, yt, scoring), try MSDispatch.score(e, x.rows(te), MSDispatch.subset(y, te), scoring))
    }
    let nf = folds.count
    return (paramRange.indices.map { i in (0..<nf).map { results[i * nf + $0].0 } },
            paramRange.indices.map { i in (0..<nf).map { results[i * nf + $0].1 } })
}

import Foundation

// `validateDecoded()` for discriminant analysis, naive Bayes, SVMs and nearest neighbours
// (see ``DecodedModel``).

extension DecodedCheck {
    /// Log-probabilities: ≤ 0, no NaN (−∞ allowed). A positive value makes Bernoulli NB's
    /// log(1 − eˣ) NaN.
    func logProbabilities(_ values: [Double], _ field: String) throws {
        if let k = values.firstIndex(where: { !($0 <= 0) }) {
            throw failure("\(field)[\(k)] is \(values[k]), a log-probability is needed")
        }
    }

    /// A support set matching the stored support vectors, with a finite kernel.
    func supportSet(_ s: SVMSupportSet?, vectors: Matrix) throws {
        guard let s else { throw failure("supportSet is missing for a fitted model") }
        try that(s.vectors == vectors, "supportSet.vectors differ from supportVectors")
        try vector(s.norms, vectors.rows, "supportSet.norms")
        try finite(s.kernel.gamma, "kernel gamma")
        try finite(s.kernel.coef0, "kernel coef0")
        try that(s.kernel.degree >= 0 && s.kernel.degree <= ParameterLimits.kernelDegree, "kernel degree \(s.kernel.degree) is out of range (0...\(ParameterLimits.kernelDegree))")
    }

    /// A neighbours index: finite training rows, and a k-d/ball tree whose row order is a
    /// permutation of the rows and whose nodes cover valid ranges with children after parents.
    func neighborsIndex(_ index: NeighborsIndex, _ field: String = "neighborsIndex") throws {
        try atLeast(index.data.rows, 1, "\(field)'s training row count")
        try atLeast(index.data.columns, 1, "\(field)'s feature count")
        try finite(index.data.values, "\(field).data")
        try vector(index.squaredNorms, index.data.rows, "\(field).squaredNorms")
        for core in [index.kdTree?.core, index.ballTree?.core].compactMap({ $0 }) {
            try neighborsTree(core, data: index.data, field)
        }
    }

    private func neighborsTree(_ c: NeighborsTreeCore, data: Matrix, _ field: String) throws {
        let n = data.rows, m = c.start.count
        try that(c.data == data, "\(field): the tree's data differ from the index's")
        try that(c.order.count == n && Set(c.order).count == n && c.order.allSatisfy { $0 >= 0 && $0 < n },
                 "\(field): the tree's row order is not a permutation of 0..<\(n)")
        try atLeast(m, 1, "\(field)'s tree node count")
        try that(c.end.count == m && c.left.count == m && c.right.count == m, "\(field): the tree's node arrays differ in length")
        let perNode = c.ball ? data.columns : 2 * data.columns
        try that(c.bounds.count == m * perNode, "\(field): the tree has \(c.bounds.count) bounds for \(m) nodes")
        try finite(c.bounds, "\(field).bounds")
        if c.ball { try vector(c.radius, m, "\(field).radius") }
        for i in 0..<m {
            try that(c.start[i] >= 0 && c.start[i] < c.end[i] && c.end[i] <= n, "\(field): tree node \(i)'s rows \(c.start[i])..<\(c.end[i]) are out of range (0..<\(n))")
            for (side, ch) in [("left", c.left[i]), ("right", c.right[i])] where ch != -1 {
                try that(ch > i && ch < m, "\(field): tree node \(i)'s \(side) child \(ch) is out of range (\(i + 1)..<\(m))")
            }
        }
        // The root holds every row and each split divides its node's rows between its two children
        // (else a query would find fewer neighbours than it asks for).
        try that(c.start[0] == 0 && c.end[0] == n, "\(field): the tree's root covers rows \(c.start[0])..<\(c.end[0]), not 0..<\(n)")
        for i in 0..<m where c.left[i] != -1 || c.right[i] != -1 {
            let l = c.left[i], r = c.right[i]
            try that(l != -1 && r != -1 && c.start[l] == c.start[i] && c.end[l] == c.start[r] && c.end[r] == c.end[i],
                     "\(field): tree node \(i)'s children do not split its rows \(c.start[i])..<\(c.end[i])")
        }
    }
}

extension LinearDiscriminantAnalysis {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        try check.linearClassifier(classes: classes, coef: coef, intercept: intercept)
        guard !classes.isEmpty else { return }
        let k = classes.count, p = coef.columns
        try check.matrix(means, rows: k, columns: p, "means")
        try check.probabilities(classPriors, k, "classPriors")
        if scalings.rows > 0 {
            try check.matrix(scalings, rows: p, columns: nil, "scalings")
            if solver == "svd" { try check.vector(xbar, p, "xbar") }
        }
        try check.atLeast(maxComponents, 0, "maxComponents")
    }
}

extension GaussianNB {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard !classes.isEmpty || !theta.values.isEmpty else { return }
        try check.classes(classes)
        let k = classes.count
        try check.atLeast(theta.columns, 1, "theta's column count (n_features)")
        try check.matrix(theta, rows: k, columns: nil, "theta")
        try check.matrix(variance, rows: k, columns: theta.columns, "variance")
        try check.positive(variance.values, "variance")
        try check.probabilities(classPrior, k, "classPrior")
        try check.vector(classCount, k, "classCount")
        try check.nonNegative(classCount, "classCount")
    }
}

extension DecodedCheck {
    /// Multinomial/Bernoulli naive Bayes: `k × p` feature log-probabilities and `k` log-priors.
    /// Bernoulli NB (`bernoulli`) also needs every feature probability below 1, since it scores
    /// an absent feature with log(1 − θ).
    func discreteNaiveBayes(classes: [Int], featureLogProb: Matrix, classLogPrior: [Double], featureCount: Matrix, classCount: [Double],
                            bernoulli: Bool = false) throws {
        guard !classes.isEmpty || !featureLogProb.values.isEmpty else { return }
        try self.classes(classes)
        let k = classes.count
        try atLeast(featureLogProb.columns, 1, "featureLogProb's column count (n_features)")
        try matrix(featureLogProb, rows: k, columns: nil, "featureLogProb", finite: false)
        try logProbabilities(featureLogProb.values, "featureLogProb")
        if bernoulli, let j = featureLogProb.values.firstIndex(of: 0) {
            throw failure("featureLogProb[\(j)] is 0: a feature probability of 1 makes log(1 − θ) = −∞")
        }
        try count(classLogPrior, k, "classLogPrior")
        try logProbabilities(classLogPrior, "classLogPrior")
        try matrix(featureCount, rows: k, columns: featureLogProb.columns, "featureCount")
        try nonNegative(featureCount.values, "featureCount")
        try vector(classCount, k, "classCount")
        try nonNegative(classCount, "classCount")
    }
}

extension MultinomialNB {
    public func validateDecoded() throws {
        try DecodedCheck(Self.modelName).discreteNaiveBayes(classes: classes, featureLogProb: featureLogProb, classLogPrior: classLogPrior,
                                                            featureCount: featureCount, classCount: classCount)
    }
}

extension BernoulliNB {
    public func validateDecoded() throws {
        try DecodedCheck(Self.modelName).discreteNaiveBayes(classes: classes, featureLogProb: featureLogProb, classLogPrior: classLogPrior,
                                                            featureCount: featureCount, classCount: classCount, bernoulli: true)
    }
}

extension SVC {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard supportSet != nil || !classes.isEmpty else { return }
        try check.classes(classes, minimum: 2)
        let k = classes.count, pairs = k * (k - 1) / 2
        try check.atLeast(nFeaturesIn, 1, "nFeaturesIn")
        let nsv = supportVectors.rows
        try check.matrix(supportVectors, rows: nil, columns: nFeaturesIn, "supportVectors")
        try check.supportSet(supportSet, vectors: supportVectors)
        try check.count(nSupport, k, "nSupport")
        try check.that(nSupport.allSatisfy { $0 >= 0 } && nSupport.reduce(0, +) == nsv,
                       "nSupport \(nSupport) does not add up to the \(nsv) support vectors")
        try check.count(support, nsv, "support")
        try check.that(support.allSatisfy { $0 >= 0 }, "support has a negative index")
        try check.matrix(dualCoef, rows: k - 1, columns: nsv, "dualCoef")
        try check.vector(intercept, pairs, "intercept")
        if !probA.isEmpty || !probB.isEmpty {
            try check.vector(probA, pairs, "probA")
            try check.vector(probB, pairs, "probB")
        }
    }
}

extension SVR {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard supportSet != nil || !intercept.isEmpty else { return }
        try check.atLeast(nFeaturesIn, 1, "nFeaturesIn")
        let nsv = supportVectors.rows
        try check.matrix(supportVectors, rows: nil, columns: nFeaturesIn, "supportVectors")
        try check.supportSet(supportSet, vectors: supportVectors)
        try check.count(support, nsv, "support")
        try check.that(support.allSatisfy { $0 >= 0 }, "support has a negative index")
        try check.matrix(dualCoef, rows: 1, columns: nsv, "dualCoef")
        try check.vector(intercept, 1, "intercept")
    }
}

extension KNeighborsClassifier {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard let neighborsIndex else { return try check.that(classes.isEmpty, "classes without fitted data") }
        try check.neighborsIndex(neighborsIndex)
        try check.classes(classes)
        try check.count(encodedTargets, neighborsIndex.data.rows, "encodedTargets")
        try check.indices(encodedTargets, below: classes.count, "encodedTargets")
    }
}

extension KNeighborsRegressor {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard let neighborsIndex else { return }
        try check.neighborsIndex(neighborsIndex)
        try check.vector(targets, neighborsIndex.data.rows, "targets")
    }
}

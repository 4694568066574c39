import Foundation

/// C-support vector classification (scikit-learn's `SVC`, LIBSVM's C-SVC).
///
/// For two classes with labels y_i = ±1 it solves the dual of the soft-margin SVM
///
///     min_α ½ Σ_ij α_i α_j y_i y_j K(x_i, x_j) − Σ_i α_i,   Σ_i y_i α_i = 0,   0 ≤ α_i ≤ C_i,
///
/// by SMO (``SVMSMOSolver``: LIBSVM's second-order working-set selection, shrinking and a kernel
/// cache), with C_i = C · class_weight[y_i] · sample_weight_i. The decision function is
/// f(x) = Σ_i y_i α_i K(x_i, x) + b; the samples with α_i > 0 are the support vectors.
///
/// More than two classes: one-vs-one, as LIBSVM — one binary machine per pair of classes (i, j),
/// i < j, trained on the samples of those two classes, and prediction by majority vote (ties to
/// the lower class), or with `break_ties` by the largest one-vs-rest decision value.
///
/// `probability=true` adds Platt scaling: for each pair a sigmoid P = 1 / (1 + exp(A f + B)) is
/// fitted to decision values from an internal 5-fold cross-validation, and class probabilities are
/// coupled from the pairwise ones (Wu, Lin & Weng 2004). As in scikit-learn, `predict` still uses
/// the decision function, so it may disagree with the argmax of ``predictProbabilities(_:)``.
/// (scikit-learn 1.9 deprecates `probability` in favour of `CalibratedClassifierCV`; it is kept
/// here because it is still a parameter of 1.9.1. The cross-validation folds are drawn from
/// `random_state` with this library's generator, so probabilities agree with scikit-learn's
/// closely but not digit for digit.)
///
/// Defaults (scikit-learn 1.9.1): `C=1`, `kernel="rbf"`, `degree=3`, `gamma="scale"`,
/// `coef0=0`, `shrinking=true`, `probability=false`, `tol=1e-3`, `cache_size=200` (MB),
/// `class_weight=None`, `max_iter=-1` (no limit), `decision_function_shape="ovr"`,
/// `break_ties=false`, `random_state=None`.
public final class SVC: DecisionFunctionClassifier, ProbabilisticClassifier, SampleWeightedClassifier, SVMKernelHyperParameters {
    /// Name in model files and on the command line.
    public static let modelName = "svc"

    /// Shape of ``decisionFunction(_:)`` with more than two classes.
    public enum DecisionFunctionShape: String, Codable, Sendable, CaseIterable {
        /// One column per class: votes plus a confidence in (−⅓, ⅓) (scikit-learn's default).
        case ovr
        /// One column per pair (i, j), i < j: positive favours class i (LIBSVM's raw values).
        case ovo
    }

    /// Inverse regularization strength: the bound on every α_i.
    public var C: Double
    /// The kernel function (default `rbf`).
    public var kernel: SVMKernel
    /// Degree of the polynomial kernel.
    public var degree: Int
    /// Kernel coefficient γ of rbf, poly and sigmoid (default `scale`).
    public var gamma: SVMGamma
    /// Constant term of the polynomial and sigmoid kernels.
    public var coef0: Double
    /// Use LIBSVM's shrinking heuristic.
    public var shrinking: Bool
    /// Fit Platt-scaling models (5-fold CV per pair) so that ``predictProbabilities(_:)`` works.
    public var probability: Bool
    /// Stopping tolerance on the KKT gap.
    public var tol: Double
    /// Kernel cache in MB.
    public var cacheSize: Double
    /// Multiplies C for each class (`None`, `balanced` or per label).
    public var classWeight: ClassWeight
    /// Accepted for compatibility; nothing is printed.
    public var verbose: Bool
    /// Iteration cap per binary problem; −1 for none.
    public var maxIter: Int
    /// `ovr` (default) or `ovo` columns for ``decisionFunction(_:)`` with more than two classes.
    public var decisionFunctionShape: DecisionFunctionShape
    /// With `ovr` and more than two classes, predict by the largest decision value instead of votes.
    public var breakTies: Bool
    /// Seed of the cross-validation shuffles behind `probability=true`.
    public var randomState: Int?

    /// Distinct labels seen in fit (`classes_`).
    public private(set) var classes: [Int] = []
    /// The support vectors, grouped by class (`support_vectors_`).
    public private(set) var supportVectors = Matrix(rows: 0, columns: 0)
    /// Training-row index of each support vector (`support_`).
    public private(set) var support: [Int] = []
    /// Number of support vectors per class (`n_support_`).
    public private(set) var nSupport: [Int] = []
    /// y_i α_i of each support vector in each binary problem it belongs to, shape
    /// (classes − 1) × support vectors, LIBSVM's layout (`dual_coef_`; sign flipped for two classes
    /// as scikit-learn does, so positive favours `classes[1]`).
    public private(set) var dualCoef = Matrix(rows: 0, columns: 0)
    /// Intercept of each pairwise machine (`intercept_`).
    public private(set) var intercept: [Double] = []
    /// Platt-scaling parameters A and B per pair (`probA_`, `probB_`); empty unless `probability`.
    public private(set) var probA: [Double] = []
    /// See ``probA``.
    public private(set) var probB: [Double] = []
    /// The γ used (`_gamma`).
    public private(set) var fittedGamma = 0.0
    /// SMO iterations per pair (`n_iter_`).
    public private(set) var nIterations: [Int] = []
    /// Features seen in fit (`n_features_in_`).
    public private(set) var nFeaturesIn = 0
    var supportSet: SVMSupportSet?

    /// An SVC with scikit-learn's defaults.
    public init(C: Double = 1.0, kernel: SVMKernel = .rbf, degree: Int = 3, gamma: SVMGamma = .scale, coef0: Double = 0,
                shrinking: Bool = true, probability: Bool = false, tol: Double = 1e-3, cacheSize: Double = 200,
                classWeight: ClassWeight = .uniform, verbose: Bool = false, maxIter: Int = -1,
                decisionFunctionShape: DecisionFunctionShape = .ovr, breakTies: Bool = false, randomState: Int? = nil) {
        self.C = C; self.kernel = kernel; self.degree = degree; self.gamma = gamma; self.coef0 = coef0
        self.shrinking = shrinking; self.probability = probability; self.tol = tol; self.cacheSize = cacheSize
        self.classWeight = classWeight; self.verbose = verbose; self.maxIter = maxIter
        self.decisionFunctionShape = decisionFunctionShape; self.breakTies = breakTies; self.randomState = randomState
    }

    /// scikit-learn's defaults.
    public convenience init() { self.init(C: 1.0) }

    /// Hyper-parameters by scikit-learn name.
    public var parameters: [String: ParamValue] {
        var p = sharedSVMParameters
        p["probability"] = .bool(probability)
        p["class_weight"] = classWeight.param
        p["decision_function_shape"] = .string(decisionFunctionShape.rawValue)
        p["break_ties"] = .bool(breakTies)
        p["random_state"] = randomState.param
        return p
    }

    /// Sets a hyper-parameter by scikit-learn name.
    public func setParameter(_ name: String, _ value: ParamValue) throws {
        if try setSharedSVMParameter(name, value) { return }
        switch name {
        case "probability": probability = try value.bool(name)
        case "class_weight": classWeight = try ClassWeight(param: value)
        case "decision_function_shape":
            decisionFunctionShape = DecisionFunctionShape(rawValue: try value.choice(name, DecisionFunctionShape.allCases.map(\.rawValue)))!
        case "break_ties": breakTies = try value.bool(name)
        case "random_state": randomState = try value.randomState(name)
        default: throw unknownParameter(name)
        }
    }

    /// The weight vector w of each pairwise machine (`coef_`, linear kernel only; nil otherwise or
    /// before fit): w_(i,j) = Σ over both classes' support vectors of dual coefficient · vector.
    public var coef: Matrix? {
        guard kernel == .linear, let s = supportSet, s.kernel.kind == .linear else { return nil }
        let k = classes.count, d = nFeaturesIn
        let starts = svcClassStarts()
        var out = Matrix(rows: k * (k - 1) / 2, columns: d)
        var pair = 0
        for i in 0..<k {
            for j in (i + 1)..<k {
                for (cls, row) in [(i, j - 1), (j, i)] {
                    for s in starts[cls]..<(starts[cls] + nSupport[cls]) {
                        let a = dualCoef[row, s]
                        for f in 0..<d { out[pair, f] += a * supportVectors[s, f] }
                    }
                }
                pair += 1
            }
        }
        return out
    }

    /// Fits without sample weights.
    public func fit(_ x: Matrix, _ y: [Int]) throws { try fit(x, y, sampleWeight: nil) }

    /// Fits one SMO problem per pair of classes; `sampleWeight` multiplies C per sample (rows of weight 0 are left out).
    public func fit(_ x: Matrix, _ y: [Int], sampleWeight: [Double]?) throws {
        let caller = "SVC.fit"
        try validateSharedSVMParameters()
        let (labels, encoded) = try LabelSet.fitting(x, y, caller)
        try Check.sampleWeights(sampleWeight, rows: x.rows, caller)
        let kept = svmPositiveWeightRows(sampleWeight, count: x.rows)
        let keptLabels = LabelSet(kept.map { y[$0] })
        if keptLabels.count < 2 {
            throw LearnError.invalidInput("\(caller): the samples with positive weight have \(keptLabels.count) class; at least 2 needed")
        }
        let k = labels.count
        let kernelFunction = svmKernelFunction(for: x)
        let classWeights = classWeight.classWeights(classes: labels.classes, encoded: encoded)
        // Samples of each class in training order (LIBSVM's grouping), zero-weight rows dropped.
        var members = [[Int]](repeating: [], count: k)
        for r in kept { members[encoded[r]].append(r) }
        if let empty = members.firstIndex(where: { $0.isEmpty }) {
            throw LearnError.invalidInput("\(caller): every sample of class \(labels.classes[empty]) has weight 0")
        }

        // One kernel matrix for all pairs when it fits the cache; per-pair caches otherwise.
        let trainX = x.rows(kept)
        var position = [Int](repeating: -1, count: x.rows)
        for (p, r) in kept.enumerated() { position[r] = p }
        let shared: SVMKernelRows? = Double(kept.count * kept.count * 8) <= svmCacheBytes
            ? SVMKernelRows(x: trainX, kernel: kernelFunction, cacheBytes: svmCacheBytes) : nil

        var pairs: [(Int, Int)] = []
        for i in 0..<k { for j in (i + 1)..<k { pairs.append((i, j)) } }
        var rng = SeededRandom(seed: randomState)
        let seeds = pairs.map { _ in rng.childSeed() }
        var results = [SVCPairResult?](repeating: nil, count: pairs.count)
        let settings = SVCSolveSettings(tol: tol, shrinking: shrinking, maxIter: maxIter, probability: probability)

        let solvePair = { (p: Int) -> SVCPairResult in
            let (i, j) = pairs[p]
            let rows = members[i] + members[j]
            let y = rows.map { encoded[$0] == i ? 1.0 : -1.0 }
            let upper = rows.map { r in self.C * classWeights[encoded[r]] * (sampleWeight?[r] ?? 1) }
            let kernelRows: SVMKernelRows
            let base: [Int]
            if let shared { kernelRows = shared; base = rows.map { position[$0] } } else {
                kernelRows = SVMKernelRows(x: x.rows(rows), kernel: kernelFunction, cacheBytes: self.svmCacheBytes)
                base = Array(0..<rows.count)
            }
            return svcSolvePair(kernel: kernelRows, base: base, y: y, upper: upper, settings: settings, seed: seeds[p])
        }
        // Pairs are independent: solve them concurrently when the kernel matrix is shared read-only
        // (a fully precomputed SVMKernelRows is never mutated) or each pair has its own cache.
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: pairs.count) { p in
            let r = solvePair(p)
            lock.lock(); results[p] = r; lock.unlock()
        }
        assemble(x: x, members: members, pairs: pairs, results: results.map { $0! }, kernelFunction: kernelFunction, labels: labels)
    }

    /// Builds the scikit-learn attributes from the pairwise solutions.
    private func assemble(x: Matrix, members: [[Int]], pairs: [(Int, Int)], results: [SVCPairResult],
                          kernelFunction: SVMKernelFunction, labels: LabelSet) {
        let k = labels.count
        // A sample is a support vector when its α is nonzero in any pair it belongs to.
        var isSupport = [Bool](repeating: false, count: x.rows)
        for (p, (i, j)) in pairs.enumerated() {
            for (t, r) in (members[i] + members[j]).enumerated() where results[p].alphaY[t] != 0 { isSupport[r] = true }
        }
        var svRows: [Int] = [], counts = [Int](repeating: 0, count: k)
        var column = [Int](repeating: -1, count: x.rows)
        for c in 0..<k {
            for r in members[c] where isSupport[r] { column[r] = svRows.count; svRows.append(r); counts[c] += 1 }
        }
        var dual = Matrix(rows: k - 1, columns: svRows.count)
        var icpt = [Double](repeating: 0, count: pairs.count)
        let binary = k == 2
        let sign = binary ? -1.0 : 1.0   // scikit-learn flips the binary machine so positive favours classes[1]
        for (p, (i, j)) in pairs.enumerated() {
            let rows = members[i] + members[j]
            for (t, r) in rows.enumerated() where column[r] >= 0 {
                // LIBSVM's layout: a class-i vector's coefficient against class j sits in row j − 1,
                // a class-j vector's coefficient against class i in row i.
                let row = t < members[i].count ? j - 1 : i
                dual[row, column[r]] = sign * results[p].alphaY[t]
            }
            icpt[p] = -sign * results[p].rho
        }
        classes = labels.classes
        support = svRows
        nSupport = counts
        supportVectors = x.rows(svRows)
        dualCoef = dual
        intercept = icpt
        probA = probability ? results.map { $0.probA } : []
        probB = probability ? results.map { $0.probB } : []
        fittedGamma = kernelFunction.gamma
        nIterations = results.map { $0.iterations }
        nFeaturesIn = x.columns
        supportSet = SVMSupportSet(kernel: kernelFunction, vectors: supportVectors)
    }

    private func svcClassStarts() -> [Int] {
        var starts = [0]
        for c in nSupport.dropLast() { starts.append(starts.last! + c) }
        return starts
    }

    /// Raw pairwise decision values, one column per pair (i, j) with i < j, positive favouring i
    /// (LIBSVM's convention for every pair, binary included).
    private func pairwiseDecisions(_ x: Matrix, _ caller: String) throws -> Matrix {
        guard let supportSet else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: nFeaturesIn, caller)
        let k = classes.count
        let km = supportSet.kernelMatrix(x)
        let starts = svcClassStarts()
        let nsv = supportVectors.rows
        var out = Matrix(rows: x.rows, columns: k * (k - 1) / 2)
        let flip = k == 2 ? -1.0 : 1.0
        km.values.withUnsafeBufferPointer { kp in
            dualCoef.values.withUnsafeBufferPointer { dc in
                for r in 0..<x.rows {
                    var pair = 0
                    for i in 0..<k {
                        for j in (i + 1)..<k {
                            var s = intercept[pair]
                            for v in starts[i]..<(starts[i] + nSupport[i]) { s += dc[(j - 1) * nsv + v] * kp[r * nsv + v] }
                            for v in starts[j]..<(starts[j] + nSupport[j]) { s += dc[i * nsv + v] * kp[r * nsv + v] }
                            out[r, pair] = flip * s
                            pair += 1
                        }
                    }
                }
            }
        }
        return out
    }

    /// `decision_function`: one column for two classes (positive favours `classes[1]`); with more
    /// classes, the one-vs-one values (`ovo`) or scikit-learn's one-vs-rest aggregation (`ovr`):
    /// votes + Σ confidences / (3(|Σ confidences| + 1)).
    public func decisionFunction(_ x: Matrix) throws -> Matrix {
        let d = try pairwiseDecisions(x, "SVC.decisionFunction")
        let k = classes.count
        if k == 2 { return Matrix(column: d.values.map { -$0 }) }
        if decisionFunctionShape == .ovo { return d }
        return svcOneVsRest(d, classes: k)
    }

    private func svcOneVsRest(_ d: Matrix, classes k: Int) -> Matrix {
        var out = Matrix(rows: d.rows, columns: k)
        for r in 0..<d.rows {
            var votes = [Double](repeating: 0, count: k), confidence = [Double](repeating: 0, count: k)
            var pair = 0
            for i in 0..<k {
                for j in (i + 1)..<k {
                    let v = d[r, pair]
                    confidence[i] += v; confidence[j] -= v
                    if v >= 0 { votes[i] += 1 } else { votes[j] += 1 }
                    pair += 1
                }
            }
            for c in 0..<k { out[r, c] = votes[c] + confidence[c] / (3 * (abs(confidence[c]) + 1)) }
        }
        return out
    }

    /// Predicted labels: one-vs-one majority vote (LIBSVM), or the largest one-vs-rest decision
    /// value when `break_ties` is set.
    public func predict(_ x: Matrix) throws -> [Int] {
        if breakTies && decisionFunctionShape == .ovo {
            throw LearnError.invalidParameter(name: "break_ties", value: "True", reason: "break_ties must be False when decision_function_shape is 'ovo'")
        }
        let d = try pairwiseDecisions(x, "SVC.predict")
        let k = classes.count
        if breakTies && k > 2 {
            let ovr = svcOneVsRest(d, classes: k)
            return (0..<x.rows).map { r in classes[svmArgmax((0..<k).map { ovr[r, $0] })] }
        }
        return (0..<x.rows).map { r in
            var votes = [Int](repeating: 0, count: k)
            var pair = 0
            for i in 0..<k {
                for j in (i + 1)..<k {
                    if d[r, pair] > 0 { votes[i] += 1 } else { votes[j] += 1 }
                    pair += 1
                }
            }
            return classes[svmArgmax(votes.map(Double.init))]
        }
    }

    /// Class probabilities (columns in ``classes`` order) from the Platt sigmoids of every pair,
    /// coupled by Wu, Lin & Weng's method. Needs `probability=true` at fit time.
    public func predictProbabilities(_ x: Matrix) throws -> Matrix {
        guard supportSet != nil else { throw LearnError.notFitted(Self.modelName) }
        guard !probA.isEmpty else {
            throw LearnError.invalidParameter(name: "probability", value: "False",
                                              reason: "predictProbabilities needs an SVC fitted with probability=true")
        }
        let d = try pairwiseDecisions(x, "SVC.predictProbabilities")
        let k = classes.count
        var out = Matrix(rows: x.rows, columns: k)
        let minP = 1e-7
        for r in 0..<x.rows {
            var pairwise = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
            var pair = 0
            for i in 0..<k {
                for j in (i + 1)..<k {
                    let pr = min(max(SVMProbability.sigmoid(d[r, pair], a: probA[pair], b: probB[pair]), minP), 1 - minP)
                    pairwise[i][j] = pr; pairwise[j][i] = 1 - pr
                    pair += 1
                }
            }
            let p = k == 2 ? [pairwise[0][1], pairwise[1][0]] : SVMProbability.couple(pairwise)
            for c in 0..<k { out[r, c] = p[c] }
        }
        return out
    }
}

/// Index of the first largest value.
func svmArgmax(_ v: [Double]) -> Int {
    var best = 0
    for i in 1..<v.count where v[i] > v[best] { best = i }
    return best
}

struct SVCSolveSettings {
    var tol: Double
    var shrinking: Bool
    var maxIter: Int
    var probability: Bool
}

/// One pairwise machine: y_t α_t per variable, ρ, iterations, Platt parameters.
struct SVCPairResult {
    var alphaY: [Double]
    var rho: Double
    var iterations: Int
    var probA = 0.0
    var probB = 0.0
}

/// Solves one binary C-SVC (and, when asked, its Platt scaling by 5-fold cross-validation).
func svcSolvePair(kernel: SVMKernelRows, base: [Int], y: [Double], upper: [Double],
                  settings: SVCSolveSettings, seed: UInt64) -> SVCPairResult {
    let solver = SVMSMOSolver(base: base, y: y, p: [Double](repeating: -1, count: base.count), upperBound: upper,
                              kernel: kernel, tol: settings.tol, shrinking: settings.shrinking, maxIterations: settings.maxIter)
    let rho = solver.solve()
    var result = SVCPairResult(alphaY: zip(solver.alpha, y).map { $0 * $1 }, rho: rho, iterations: solver.iterations)
    if settings.probability {
        let decisions = svcCrossValidatedDecisions(kernel: kernel, base: base, y: y, upper: upper, settings: settings, seed: seed)
        (result.probA, result.probB) = SVMProbability.fitSigmoid(decisions: decisions, positive: y.map { $0 > 0 })
    }
    return result
}

/// Decision values of every sample from a machine trained on the other four fifths (LIBSVM's
/// `svm_binary_svc_probability`), positive favouring y = +1.
private func svcCrossValidatedDecisions(kernel: SVMKernelRows, base: [Int], y: [Double], upper: [Double],
                                        settings: SVCSolveSettings, seed: UInt64) -> [Double] {
    let n = base.count, folds = 5
    var rng = SeededRandom(seed: seed)
    let perm = rng.permutation(n)
    var decisions = [Double](repeating: 0, count: n)
    for f in 0..<folds {
        let begin = f * n / folds, end = (f + 1) * n / folds
        let test = Array(perm[begin..<end])
        let train = Array(perm[..<begin]) + Array(perm[end...])
        let positives = train.filter { y[$0] > 0 }.count, negatives = train.count - positives
        if positives == 0 || negatives == 0 {
            let v: Double = positives > 0 ? 1 : (negatives > 0 ? -1 : 0)
            for t in test { decisions[t] = v }
            continue
        }
        let solver = SVMSMOSolver(base: train.map { base[$0] }, y: train.map { y[$0] },
                                  p: [Double](repeating: -1, count: train.count), upperBound: train.map { upper[$0] },
                                  kernel: kernel, tol: settings.tol, shrinking: settings.shrinking, maxIterations: settings.maxIter)
        let rho = solver.solve()
        let alpha = solver.alpha
        for t in test {
            let row = kernel.row(base[t])
            var s = -rho
            for (u, v) in train.enumerated() where alpha[u] != 0 { s += alpha[u] * y[v] * Double(row[base[v]]) }
            decisions[t] = s
        }
    }
    return decisions
}

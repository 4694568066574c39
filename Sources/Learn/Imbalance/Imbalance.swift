import Foundation

/// Weight of each class (scikit-learn's `sklearn.utils.class_weight.compute_class_weight`).
///
/// `.balanced`: n_samples / (n_classes · count(c)); every class in `classes` must occur in `y`.
/// `.custom`: the given weights, 1 for classes not listed; a listed class must be in `classes`.
/// `.uniform`: all 1.
public func computeClassWeight(_ classWeight: ClassWeight, classes: [Int], y: [Int]) throws -> [Double] {
    if classes.isEmpty { throw LearnError.invalidInput("computeClassWeight: classes is empty") }
    if Set(y).subtracting(classes).count > 0 { throw LearnError.invalidInput("computeClassWeight: classes should include all valid labels that can be in y") }
    switch classWeight {
    case .uniform: return [Double](repeating: 1, count: classes.count)
    case .balanced:
        if y.isEmpty { throw LearnError.invalidInput("computeClassWeight: y is empty") }
        var counts = [Int: Int]()
        for l in y { counts[l, default: 0] += 1 }
        if let missing = classes.first(where: { counts[$0] == nil }) {
            throw LearnError.invalidInput("computeClassWeight: classes should have valid labels that are in y (\(missing) is not)")
        }
        return classes.map { Double(y.count) / (Double(classes.count) * Double(counts[$0]!)) }
    case .custom(let d):
        if let bad = d.keys.first(where: { !classes.contains($0) }) {
            throw LearnError.invalidInput("computeClassWeight: the class_weight label \(bad) is not present in classes")
        }
        return classes.map { d[$0] ?? 1 }
    }
}

/// Per-sample weights from class weights (scikit-learn's `compute_sample_weight`): each sample
/// gets its class's weight. With `indices` (a bootstrap sample), `.balanced` weights are computed
/// on `y[indices]` and classes absent from it get weight 0.
public func computeSampleWeight(_ classWeight: ClassWeight, y: [Int], indices: [Int]? = nil) throws -> [Double] {
    if y.isEmpty { throw LearnError.invalidInput("computeSampleWeight: y is empty") }
    let classes = Array(Set(y)).sorted()
    var weightOf = [Int: Double]()
    if let indices {
        if indices.contains(where: { $0 < 0 || $0 >= y.count }) { throw LearnError.invalidInput("computeSampleWeight: index out of range") }
        let sub = indices.map { y[$0] }
        let subClasses = Array(Set(sub)).sorted()
        if case .custom(let d) = classWeight {
            for c in classes { weightOf[c] = d[c] ?? 1 }
        } else {
            let w = try computeClassWeight(classWeight, classes: subClasses, y: sub)
            for (c, wc) in zip(subClasses, w) { weightOf[c] = wc }
        }
        for c in classes where !subClasses.contains(c) { weightOf[c] = 0 }
    } else {
        let w: [Double]
        if case .custom(let d) = classWeight { w = classes.map { d[$0] ?? 1 } } else { w = try computeClassWeight(classWeight, classes: classes, y: y) }
        for (c, wc) in zip(classes, w) { weightOf[c] = wc }
    }
    return y.map { weightOf[$0]! }
}

/// Which classes a resampler changes, and to what size (imbalanced-learn's `sampling_strategy`).
public enum SamplingStrategy: Sendable, Equatable {
    /// Over-samplers: `"not majority"`; under-samplers: `"not minority"`.
    case auto
    case minority
    case majority
    case notMinority
    case notMajority
    case all
    /// Two classes only: the desired minority / majority ratio after resampling.
    case ratio(Double)
    /// The desired number of samples per listed class.
    case counts([Int: Int])
}

/// A data resampler (imbalanced-learn's samplers): returns a new data set, not a model.
/// Not an ``Estimator`` — it keeps no fitted state beyond its last target counts.
public protocol Resampler {
    /// Resamples `(x, y)`; original rows come first, then new ones (over-sampling), or the kept
    /// rows class by class (under-sampling).
    func fitResample(_ x: Matrix, _ y: [Int]) throws -> (Matrix, [Int])
}

/// Number of samples to add (over) or keep (under) for each affected class, as
/// imbalanced-learn's `check_sampling_strategy`.
func imbTargetCounts(_ y: [Int], _ s: SamplingStrategy, over: Bool, _ caller: String) throws -> [(label: Int, n: Int)] {
    var counts = [Int: Int]()
    for l in y { counts[l, default: 0] += 1 }
    let classes = counts.keys.sorted()
    if classes.count < 2 { throw LearnError.invalidInput("\(caller): needs at least 2 classes in y, got \(classes.count)") }
    let nMax = counts.values.max()!, nMin = counts.values.min()!
    // Majority / minority: the first class (sorted) with the extreme count, as NumPy's argmax.
    let majority = classes.first { counts[$0] == nMax }!, minority = classes.first { counts[$0] == nMin }!
    var chosen: [Int]
    switch s {
    case .auto: chosen = classes.filter { over ? $0 != majority : $0 != minority }
    case .minority: chosen = [minority]
    case .majority: chosen = [majority]
    case .notMinority: chosen = classes.filter { $0 != minority }
    case .notMajority: chosen = classes.filter { $0 != majority }
    case .all: chosen = classes
    case .ratio(let r):
        if classes.count != 2 { throw LearnError.invalidParameter(name: "sampling_strategy", value: "\(r)", reason: "a float is only available for binary targets") }
        try require(r > 0 && r <= 1, "sampling_strategy", r, "must be in (0, 1]")
        if over {
            let minorityClass = classes.first { $0 != majority }!
            let n = Int(Double(nMax) * r) - counts[minorityClass]!
            if n < 0 { throw LearnError.invalidParameter(name: "sampling_strategy", value: "\(r)", reason: "would remove samples; it is too small for this data") }
            return [(minorityClass, n)]
        }
        let majorityClass = classes.first { $0 != minority }!
        let n = Int(Double(nMin) / r)
        if n > counts[majorityClass]! { throw LearnError.invalidParameter(name: "sampling_strategy", value: "\(r)", reason: "would add samples; it is too large for this data") }
        return [(majorityClass, n)]
    case .counts(let d):
        return try d.keys.sorted().map { c in
            guard let have = counts[c] else { throw LearnError.invalidParameter(name: "sampling_strategy", value: "\(c)", reason: "class \(c) is not present in y") }
            let want = d[c]!
            if over {
                if want < have { throw LearnError.invalidParameter(name: "sampling_strategy", value: "\(c): \(want)", reason: "over-sampling cannot reduce class \(c) below its \(have) samples") }
                return (c, want - have)
            }
            if want > have || want < 0 { throw LearnError.invalidParameter(name: "sampling_strategy", value: "\(c): \(want)", reason: "under-sampling needs 0 ≤ count ≤ \(have) for class \(c)") }
            return (c, want)
        }
    }
    return chosen.map { ($0, over ? nMax - counts[$0]! : nMin) }
}

func imbCheck(_ x: Matrix, _ y: [Int], _ caller: String) throws {
    try Check.features(x, caller)
    try Check.lengths(x, y.count, caller)
}

/// Over-samples by drawing rows of the chosen classes at random with replacement
/// (imbalanced-learn's `RandomOverSampler`; default `sampling_strategy="auto"`: every class but
/// the majority grows to the majority's size).
public struct RandomOverSampler: Resampler {
    /// Which classes to resample and to what size.
    public var samplingStrategy: SamplingStrategy
    /// Seed of the random generator (`random_state`); nil draws one from the system.
    public var randomState: Int?

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(samplingStrategy: SamplingStrategy = .auto, randomState: Int? = nil) {
        self.samplingStrategy = samplingStrategy
        self.randomState = randomState
    }

    /// Resamples `(x, y)` as described for the type.
    public func fitResample(_ x: Matrix, _ y: [Int]) throws -> (Matrix, [Int]) {
        try imbCheck(x, y, "RandomOverSampler.fitResample")
        var rng = SeededRandom(seed: randomState)
        var idx = Array(0..<x.rows)
        for (c, n) in try imbTargetCounts(y, samplingStrategy, over: true, "RandomOverSampler") {
            let members = y.indices.filter { y[$0] == c }
            for _ in 0..<n { idx.append(members[rng.int(below: members.count)]) }
        }
        return (x.rows(idx), idx.map { y[$0] })
    }
}

/// Under-samples by keeping a random subset of the chosen classes (imbalanced-learn's
/// `RandomUnderSampler`; default `"auto"`: every class but the minority shrinks to the
/// minority's size; `replacement=False`). Output rows are grouped by class in label order.
public struct RandomUnderSampler: Resampler {
    /// Which classes to resample and to what size.
    public var samplingStrategy: SamplingStrategy
    /// Draw with replacement (`replacement`).
    public var replacement: Bool
    /// Seed of the random generator (`random_state`); nil draws one from the system.
    public var randomState: Int?

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(samplingStrategy: SamplingStrategy = .auto, replacement: Bool = false, randomState: Int? = nil) {
        self.samplingStrategy = samplingStrategy
        self.replacement = replacement
        self.randomState = randomState
    }

    /// Resamples `(x, y)` as described for the type.
    public func fitResample(_ x: Matrix, _ y: [Int]) throws -> (Matrix, [Int]) {
        try imbCheck(x, y, "RandomUnderSampler.fitResample")
        var rng = SeededRandom(seed: randomState)
        let targets = Dictionary(uniqueKeysWithValues: try imbTargetCounts(y, samplingStrategy, over: false, "RandomUnderSampler").map { ($0.label, $0.n) })
        var idx = [Int]()
        for c in Set(y).sorted() {
            let members = y.indices.filter { y[$0] == c }
            if let n = targets[c] {
                if replacement { for _ in 0..<n { idx.append(members[rng.int(below: members.count)]) } } else {
                    idx += rng.sample(members.count, count: n).map { members[$0] }
                }
            } else { idx += members }
        }
        return (x.rows(idx), idx.map { y[$0] })
    }
}

/// Synthetic Minority Over-sampling Technique (Chawla et al. 2002; imbalanced-learn's `SMOTE`,
/// `k_neighbors=5`, `sampling_strategy="auto"`).
///
/// For each class to grow, each new sample picks a random class member a and one of its
/// k nearest same-class neighbours b (Euclidean), and lies at a + u·(b − a), u ~ U[0, 1): on the
/// segment between them. The originals come first, then the synthetic rows class by class.
public struct SMOTE: Resampler {
    /// Number of same-class nearest neighbours to interpolate towards (`k_neighbors`).
    public var kNeighbors: Int
    /// Which classes to resample and to what size.
    public var samplingStrategy: SamplingStrategy
    /// Seed of the random generator (`random_state`); nil draws one from the system.
    public var randomState: Int?

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(kNeighbors: Int = 5, samplingStrategy: SamplingStrategy = .auto, randomState: Int? = nil) {
        self.kNeighbors = kNeighbors
        self.samplingStrategy = samplingStrategy
        self.randomState = randomState
    }

    /// Indices (into `members`) of each member's k nearest other members (Euclidean; ties by
    /// index). Squared distances ‖a‖² + ‖b‖² − 2 a·b come from GEMM on blocks of 256 rows, so
    /// memory stays at 256 × m; each row keeps its k best by insertion (O(m·k)).
    static func neighbours(_ x: Matrix, _ members: [Int], _ k: Int) -> [[Int]] {
        let sub = x.rows(members)
        let m = members.count
        let norms = (0..<m).map { i in (0..<sub.columns).reduce(0.0) { $0 + sub[i, $1] * sub[i, $1] } }
        var out = [[Int]](repeating: [], count: m)
        let block = 256
        for start in stride(from: 0, to: m, by: block) {
            let rows = Array(start..<min(start + block, m))
            let g = Matrix.product(sub.rows(rows), sub, transposeB: true)
            for (r, i) in rows.enumerated() {
                var bestD = [Double](repeating: .infinity, count: k), bestJ = [Int](repeating: -1, count: k)
                g.values.withUnsafeBufferPointer { p in
                    for j in 0..<m where j != i {
                        let d = norms[i] + norms[j] - 2 * p[r * m + j]
                        if d >= bestD[k - 1] { continue }
                        var t = k - 1
                        while t > 0 && bestD[t - 1] > d { bestD[t] = bestD[t - 1]; bestJ[t] = bestJ[t - 1]; t -= 1 }
                        bestD[t] = d; bestJ[t] = j
                    }
                }
                out[i] = bestJ
            }
        }
        return out
    }

    /// Resamples `(x, y)` as described for the type.
    public func fitResample(_ x: Matrix, _ y: [Int]) throws -> (Matrix, [Int]) {
        try imbCheck(x, y, "SMOTE.fitResample")
        try require(kNeighbors >= 1, "k_neighbors", kNeighbors, "must be at least 1")
        var rng = SeededRandom(seed: randomState)
        var out = x, labels = y
        for (c, n) in try imbTargetCounts(y, samplingStrategy, over: true, "SMOTE") where n > 0 {
            let members = y.indices.filter { y[$0] == c }
            if members.count <= kNeighbors {
                throw LearnError.invalidInput("SMOTE: class \(c) has \(members.count) samples; k_neighbors=\(kNeighbors) needs at least \(kNeighbors + 1)")
            }
            let nn = Self.neighbours(x, members, kNeighbors)
            var synth = [Double]()
            synth.reserveCapacity(n * x.columns)
            for _ in 0..<n {
                let r = rng.int(below: members.count * kNeighbors)
                let a = members[r / kNeighbors], b = members[nn[r / kNeighbors][r % kNeighbors]]
                let u = rng.uniform()
                for j in 0..<x.columns { synth.append(x[a, j] + u * (x[b, j] - x[a, j])) }
            }
            out = out.appendingRows(Matrix(rows: n, columns: x.columns, values: synth))
            labels += [Int](repeating: c, count: n)
        }
        return (out, labels)
    }
}

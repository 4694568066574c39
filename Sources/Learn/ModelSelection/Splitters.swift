import Foundation

/// A cross-validation strategy: a list of (train, test) index sets over `count` samples.
public protocol CrossValidator: Sendable {
    /// The folds. `labels` (class labels) is needed by stratified splitters and ignored by others.
    func split(count: Int, labels: [Int]?) throws -> [(train: [Int], test: [Int])]
}

/// K consecutive folds (scikit-learn's `KFold`): the first `n % k` folds have `n / k + 1`
/// samples, the others `n / k`; each fold is the test set once. `shuffle` permutes the samples
/// first (with `randomState`, our generator: not NumPy's stream). Train and test indices are increasing.
/// Defaults: `n_splits=5`, `shuffle=False`.
public struct KFold: CrossValidator {
    /// Number of folds or splits (`n_splits`).
    public var nSplits: Int
    /// Shuffle before splitting (`shuffle`).
    public var shuffle: Bool
    /// Seed of the random generator (`random_state`); nil draws one from the system.
    public var randomState: Int?

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(nSplits: Int = 5, shuffle: Bool = false, randomState: Int? = nil) {
        self.nSplits = nSplits
        self.shuffle = shuffle
        self.randomState = randomState
    }

    /// The (train, test) index lists over `count` samples.
    public func split(count: Int, labels: [Int]? = nil) throws -> [(train: [Int], test: [Int])] {
        try require(nSplits >= 2, "n_splits", nSplits, "k-fold cross-validation requires at least one train/test split (n_splits >= 2)")
        if nSplits > count {
            throw LearnError.invalidInput("KFold: cannot have n_splits=\(nSplits) greater than the number of samples \(count)")
        }
        var order = Array(0..<count)
        if shuffle { var rng = SeededRandom(seed: randomState); order.shuffle(using: &rng) }
        var foldOf = [Int](repeating: 0, count: count)
        var start = 0
        for f in 0..<nSplits {
            let size = count / nSplits + (f < count % nSplits ? 1 : 0)
            for p in start..<(start + size) { foldOf[order[p]] = f }
            start += size
        }
        return msFoldsFromAssignment(foldOf, nSplits)
    }
}

/// Train/test indices (increasing) from a fold number per sample.
func msFoldsFromAssignment(_ foldOf: [Int], _ k: Int) -> [(train: [Int], test: [Int])] {
    (0..<k).map { f in
        (foldOf.indices.filter { foldOf[$0] != f }, foldOf.indices.filter { foldOf[$0] == f })
    }
}

/// K folds that keep each class's proportion (scikit-learn's `StratifiedKFold`), with
/// scikit-learn's allocation: classes are ordered by first appearance, the sorted class codes are
/// dealt round-robin to the folds to decide how many samples of each class each fold gets, and
/// each class's samples fill folds 0, 1, … in data order (`shuffle=False`), so the folds equal
/// scikit-learn's exactly. With `shuffle`, each class's fold assignment is permuted (our
/// generator). Defaults: `n_splits=5`, `shuffle=False`.
public struct StratifiedKFold: CrossValidator {
    /// Number of folds or splits (`n_splits`).
    public var nSplits: Int
    /// Shuffle before splitting (`shuffle`).
    public var shuffle: Bool
    /// Seed of the random generator (`random_state`); nil draws one from the system.
    public var randomState: Int?

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(nSplits: Int = 5, shuffle: Bool = false, randomState: Int? = nil) {
        self.nSplits = nSplits
        self.shuffle = shuffle
        self.randomState = randomState
    }

    /// The (train, test) index lists over `count` samples.
    public func split(count: Int, labels: [Int]?) throws -> [(train: [Int], test: [Int])] {
        try require(nSplits >= 2, "n_splits", nSplits, "k-fold cross-validation requires at least one train/test split (n_splits >= 2)")
        guard let y = labels else { throw LearnError.invalidInput("StratifiedKFold: class labels are needed") }
        if y.count != count { throw LearnError.invalidInput("StratifiedKFold: \(y.count) labels for \(count) samples") }
        if nSplits > count {
            throw LearnError.invalidInput("StratifiedKFold: cannot have n_splits=\(nSplits) greater than the number of samples \(count)")
        }
        // Classes coded by order of first appearance.
        var code = [Int: Int](), encoded = [Int](repeating: 0, count: count)
        for (i, l) in y.enumerated() {
            if code[l] == nil { code[l] = code.count }
            encoded[i] = code[l]!
        }
        let nClasses = code.count
        var counts = [Int](repeating: 0, count: nClasses)
        for c in encoded { counts[c] += 1 }
        if counts.allSatisfy({ nSplits > $0 }) {
            throw LearnError.invalidInput("StratifiedKFold: n_splits=\(nSplits) cannot be greater than the number of members in each class")
        }
        // allocation[f][c]: how many of class c fold f tests — the sorted codes dealt round-robin.
        let sortedCodes = encoded.sorted()
        var allocation = [[Int]](repeating: [Int](repeating: 0, count: nClasses), count: nSplits)
        for (p, c) in sortedCodes.enumerated() { allocation[p % nSplits][c] += 1 }
        var rng = SeededRandom(seed: randomState)
        var foldOf = [Int](repeating: 0, count: count)
        for c in 0..<nClasses {
            var folds = [Int]()
            for f in 0..<nSplits { folds += [Int](repeating: f, count: allocation[f][c]) }
            if shuffle { folds.shuffle(using: &rng) }
            var k = 0
            for i in 0..<count where encoded[i] == c { foldOf[i] = folds[k]; k += 1 }
        }
        return msFoldsFromAssignment(foldOf, nSplits)
    }
}

/// Number of test and train samples for sizes given as fractions (< 1) or counts (≥ 1), as
/// scikit-learn's `_validate_shuffle_split`: test = ⌈f·n⌉, train = ⌊f·n⌋, the missing one the rest.
func msSplitSizes(_ n: Int, testSize: Double?, trainSize: Double?, defaultTest: Double = 0.25) throws -> (train: Int, test: Int) {
    func check(_ v: Double, _ name: String) throws {
        if v <= 0 || (v >= 1 && (v != v.rounded() || Int(v) >= n)) {
            throw LearnError.invalidParameter(name: name, value: "\(v)", reason: "should be a fraction in (0, 1) or a count in [1, \(n - 1)] for \(n) samples")
        }
    }
    let test0 = testSize ?? (trainSize == nil ? defaultTest : nil)
    if let t = test0 { try check(t, "test_size") }
    if let t = trainSize { try check(t, "train_size") }
    var nTest = test0.map { $0 < 1 ? Int(($0 * Double(n)).rounded(.up)) : Int($0) }
    var nTrain = trainSize.map { $0 < 1 ? Int(($0 * Double(n)).rounded(.down)) : Int($0) }
    if nTrain == nil { nTrain = n - nTest! }
    if nTest == nil { nTest = n - nTrain! }
    if nTrain! + nTest! > n {
        throw LearnError.invalidInput("train_size + test_size = \(nTrain! + nTest!) exceeds the \(n) samples")
    }
    if nTrain! == 0 { throw LearnError.invalidInput("with n_samples=\(n) and test_size=\(test0 ?? 0) the train set would be empty") }
    return (nTrain!, nTest!)
}

/// scikit-learn's `_approximate_mode`: split `draws` among classes proportionally to `counts`,
/// floors first, then the remaining draws to the largest remainders (ties broken at random).
func msApproximateMode(_ counts: [Int], _ draws: Int, _ rng: inout SeededRandom) -> [Int] {
    let total = Double(counts.reduce(0, +))
    let continuous = counts.map { Double($0) * Double(draws) / total }
    var floored = continuous.map { $0.rounded(.down) }
    var need = draws - Int(floored.reduce(0, +))
    let remainder = zip(continuous, floored).map { $0 - $1 }
    if need > 0 {
        for value in Set(remainder).sorted(by: >) {
            var inds = remainder.indices.filter { remainder[$0] == value }
            inds.shuffle(using: &rng)
            for i in inds.prefix(need) { floored[i] += 1 }
            need -= min(need, inds.count)
            if need == 0 { break }
        }
    }
    return floored.map { Int($0) }
}

/// Random train/test splits repeated `nSplits` times (scikit-learn's `ShuffleSplit`; default
/// `n_splits=10`, `test_size=0.1`).
public struct ShuffleSplit: CrossValidator {
    /// Number of folds or splits (`n_splits`).
    public var nSplits: Int
    /// Test share (< 1) or count (≥ 1); nil: the complement of the train size, else 0.1.
    public var testSize: Double?
    /// Train share (< 1) or count (≥ 1); nil: the complement of the test size.
    public var trainSize: Double?
    /// Seed of the random generator (`random_state`); nil draws one from the system.
    public var randomState: Int?

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(nSplits: Int = 10, testSize: Double? = nil, trainSize: Double? = nil, randomState: Int? = nil) {
        self.nSplits = nSplits
        self.testSize = testSize
        self.trainSize = trainSize
        self.randomState = randomState
    }

    /// The (train, test) index lists over `count` samples.
    public func split(count: Int, labels: [Int]? = nil) throws -> [(train: [Int], test: [Int])] {
        try require(nSplits >= 1, "n_splits", nSplits, "must be at least 1")
        let (nTrain, nTest) = try msSplitSizes(count, testSize: testSize, trainSize: trainSize, defaultTest: 0.1)
        var rng = SeededRandom(seed: randomState)
        return (0..<nSplits).map { _ in
            let p = rng.permutation(count)
            return (Array(p[nTest..<(nTest + nTrain)]), Array(p[0..<nTest]))
        }
    }
}

/// Random splits that keep class proportions (scikit-learn's `StratifiedShuffleSplit`; class
/// counts per split follow `_approximate_mode`, default `n_splits=10`, `test_size=0.1`).
public struct StratifiedShuffleSplit: CrossValidator {
    /// Number of folds or splits (`n_splits`).
    public var nSplits: Int
    /// Test share (< 1) or count (≥ 1); nil: the complement of the train size, else 0.1.
    public var testSize: Double?
    /// Train share (< 1) or count (≥ 1); nil: the complement of the test size.
    public var trainSize: Double?
    /// Seed of the random generator (`random_state`); nil draws one from the system.
    public var randomState: Int?

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(nSplits: Int = 10, testSize: Double? = nil, trainSize: Double? = nil, randomState: Int? = nil) {
        self.nSplits = nSplits
        self.testSize = testSize
        self.trainSize = trainSize
        self.randomState = randomState
    }

    /// The (train, test) index lists over `count` samples.
    public func split(count: Int, labels: [Int]?) throws -> [(train: [Int], test: [Int])] {
        guard let y = labels, y.count == count else { throw LearnError.invalidInput("StratifiedShuffleSplit: one class label per sample is needed") }
        let (nTrain, nTest) = try msSplitSizes(count, testSize: testSize, trainSize: trainSize, defaultTest: 0.1)
        var rng = SeededRandom(seed: randomState)
        return try (0..<nSplits).map { _ in try msStratifiedDraw(y, nTrain, nTest, &rng) }
    }
}

/// One stratified random (train, test) draw.
func msStratifiedDraw(_ y: [Int], _ nTrain: Int, _ nTest: Int, _ rng: inout SeededRandom) throws -> (train: [Int], test: [Int]) {
    let classes = Array(Set(y)).sorted()
    var members = [[Int]](repeating: [], count: classes.count)
    let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    for (i, l) in y.enumerated() { members[index[l]!].append(i) }
    let counts = members.map(\.count)
    if counts.min()! < 2 {
        throw LearnError.invalidInput("stratified split: the least populated class in y has only 1 member, which is too few (minimum 2)")
    }
    if nTrain < classes.count || nTest < classes.count {
        throw LearnError.invalidInput("stratified split: train and test sizes (\(nTrain), \(nTest)) should be at least the number of classes \(classes.count)")
    }
    let nI = msApproximateMode(counts, nTrain, &rng)
    let tI = msApproximateMode(zip(counts, nI).map { $0 - $1 }, nTest, &rng)
    var train = [Int](), test = [Int]()
    for c in classes.indices {
        var m = members[c]
        m.shuffle(using: &rng)
        train += m[0..<nI[c]]
        test += m[nI[c]..<(nI[c] + tI[c])]
    }
    train.shuffle(using: &rng); test.shuffle(using: &rng)
    return (train, test)
}

/// Splits `0..<count` into random train and test index sets (scikit-learn's
/// `train_test_split` on indices). Sizes: fractions (< 1) or counts; default test 25 %.
/// `stratify` keeps class proportions; `shuffle=false` takes the first rows for training and the
/// next for testing. `randomState` drives our generator (not NumPy's), so the split differs from
/// scikit-learn's for the same number; sizes and class counts agree.
public func trainTestSplit(count: Int, testSize: Double? = nil, trainSize: Double? = nil, stratify: [Int]? = nil,
                           shuffle: Bool = true, randomState: Int? = nil) throws -> (train: [Int], test: [Int]) {
    if count == 0 { throw LearnError.invalidInput("trainTestSplit: no samples") }
    let (nTrain, nTest) = try msSplitSizes(count, testSize: testSize, trainSize: trainSize)
    if !shuffle {
        if stratify != nil { throw LearnError.invalidInput("trainTestSplit: stratified splitting needs shuffle=true") }
        return (Array(0..<nTrain), Array(nTrain..<(nTrain + nTest)))
    }
    var rng = SeededRandom(seed: randomState)
    if let y = stratify {
        if y.count != count { throw LearnError.invalidInput("trainTestSplit: stratify has \(y.count) labels for \(count) samples") }
        return try msStratifiedDraw(y, nTrain, nTest, &rng)
    }
    let p = rng.permutation(count)
    return (Array(p[nTest..<(nTest + nTrain)]), Array(p[0..<nTest]))
}

/// `trainTestSplit` on a matrix and class labels (stratified by the labels when `stratify`).
public func trainTestSplit(_ x: Matrix, _ y: [Int], testSize: Double? = nil, trainSize: Double? = nil, stratify: Bool = false,
                           shuffle: Bool = true, randomState: Int? = nil) throws -> (xTrain: Matrix, xTest: Matrix, yTrain: [Int], yTest: [Int]) {
    try Check.lengths(x, y.count, "trainTestSplit")
    let s = try trainTestSplit(count: x.rows, testSize: testSize, trainSize: trainSize, stratify: stratify ? y : nil, shuffle: shuffle, randomState: randomState)
    return (x.rows(s.train), x.rows(s.test), s.train.map { y[$0] }, s.test.map { y[$0] })
}

/// `trainTestSplit` on a matrix and real targets.
public func trainTestSplit(_ x: Matrix, _ y: [Double], testSize: Double? = nil, trainSize: Double? = nil,
                           shuffle: Bool = true, randomState: Int? = nil) throws -> (xTrain: Matrix, xTest: Matrix, yTrain: [Double], yTest: [Double]) {
    try Check.lengths(x, y.count, "trainTestSplit")
    let s = try trainTestSplit(count: x.rows, testSize: testSize, trainSize: trainSize, shuffle: shuffle, randomState: randomState)
    return (x.rows(s.train), x.rows(s.test), s.train.map { y[$0] }, s.test.map { y[$0] })
}

import SwiftLearnCore

/// Input checks shared by every estimator. Each throws ``LearnError/invalidInput(_:)`` naming the
/// caller, so a user sees `"LogisticRegression.fit: x has 0 rows"` rather than a crash later.
public enum Check {
    /// `x` is non-empty and all finite.
    public static func features(_ x: Matrix, _ caller: String, minRows: Int = 1) throws {
        if x.rows < minRows {
            throw LearnError.invalidInput("\(caller): x has \(x.rows) rows, at least \(minRows) needed")
        }
        if x.columns == 0 { throw LearnError.invalidInput("\(caller): x has no columns") }
        if let k = x.values.firstIndex(where: { !$0.isFinite }) {
            throw LearnError.invalidInput("\(caller): x contains \(x.values[k]) at row \(k / x.columns), column \(k % x.columns); remove or impute non-finite values first")
        }
    }

    /// `x` as for ``features(_:_:minRows:)`` but NaN allowed (estimators that handle missing values).
    public static func featuresAllowingNaN(_ x: Matrix, _ caller: String, minRows: Int = 1) throws {
        if x.rows < minRows { throw LearnError.invalidInput("\(caller): x has \(x.rows) rows, at least \(minRows) needed") }
        if x.columns == 0 { throw LearnError.invalidInput("\(caller): x has no columns") }
        if let k = x.values.firstIndex(where: { $0.isInfinite }) {
            throw LearnError.invalidInput("\(caller): x contains \(x.values[k]) at row \(k / x.columns), column \(k % x.columns)")
        }
    }

    /// Same number of rows as targets.
    public static func lengths(_ x: Matrix, _ count: Int, _ caller: String, what: String = "y") throws {
        if x.rows != count {
            throw LearnError.invalidInput("\(caller): x has \(x.rows) rows but \(what) has \(count) values")
        }
    }

    /// A regression target: finite values, one per row.
    public static func targets(_ x: Matrix, _ y: [Double], _ caller: String) throws {
        try features(x, caller)
        try lengths(x, y.count, caller)
        if let k = y.firstIndex(where: { !$0.isFinite }) {
            throw LearnError.invalidInput("\(caller): y contains \(y[k]) at index \(k)")
        }
    }

    /// Sample weights: one non-negative finite value per row, not all zero.
    public static func sampleWeights(_ w: [Double]?, rows: Int, _ caller: String) throws {
        guard let w else { return }
        if w.count != rows { throw LearnError.invalidInput("\(caller): sampleWeight has \(w.count) values for \(rows) rows") }
        if let k = w.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw LearnError.invalidInput("\(caller): sampleWeight[\(k)] = \(w[k]) is not a finite non-negative number")
        }
        if !w.contains(where: { $0 > 0 }) { throw LearnError.invalidInput("\(caller): all sample weights are zero") }
    }

    /// At predict time: `x` has the number of features seen in fit.
    public static func featureCount(_ x: Matrix, expected: Int, _ caller: String, allowNaN: Bool = false) throws {
        if allowNaN { try featuresAllowingNaN(x, caller, minRows: 0) } else {
            if let k = x.values.firstIndex(where: { !$0.isFinite }) {
                throw LearnError.invalidInput("\(caller): x contains \(x.values[k]) at row \(k / Swift.max(x.columns, 1)), column \(k % Swift.max(x.columns, 1))")
            }
        }
        if x.columns != expected {
            throw LearnError.invalidInput("\(caller): x has \(x.columns) features but the model was fitted with \(expected)")
        }
    }
}

/// The classes of a classification target: sorted distinct labels and each sample's index into them.
///
/// scikit-learn's `classes_` with `np.unique(y, return_inverse=True)`.
public struct LabelSet: Equatable, Codable, Sendable {
    /// Distinct labels in increasing order.
    public let classes: [Int]
    private let lookup: [Int: Int]

    /// The classes present in `y`.
    public init(_ y: [Int]) {
        classes = Array(Set(y)).sorted()
        var d = [Int: Int]()
        for (k, c) in classes.enumerated() { d[c] = k }
        lookup = d
    }

    private enum CodingKeys: String, CodingKey { case classes, lookup }

    /// Decodes the classes (distinct, increasing) and rebuilds the lookup from them.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let labels = try c.decode([Int].self, forKey: .classes)
        guard zip(labels, labels.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw LearnError.corruptModel("\(DecodingErrorText.field(decoder.codingPath)): classes \(labels) are not distinct and increasing")
        }
        self.init(labels)
    }

    /// Number of classes.
    public var count: Int { classes.count }

    /// Each label's index in ``classes``; throws on a label not seen at fit time.
    public func encode(_ y: [Int], _ caller: String) throws -> [Int] {
        try y.map { label in
            guard let k = lookup[label] else {
                throw LearnError.unseenLabel("\(caller): label \(label) was not seen during fit (classes: \(classes))")
            }
            return k
        }
    }

    /// Index of one label, or nil.
    public func index(of label: Int) -> Int? { lookup[label] }

    /// Labels from class indices.
    public func decode(_ k: [Int]) -> [Int] { k.map { classes[$0] } }

    /// A classification target checked and encoded: `(labels, encoded)`. Throws when fewer than
    /// `minClasses` distinct labels are present.
    public static func fitting(_ x: Matrix, _ y: [Int], _ caller: String, minClasses: Int = 2) throws -> (LabelSet, [Int]) {
        try Check.features(x, caller)
        try Check.lengths(x, y.count, caller)
        let set = LabelSet(y)
        if set.count < minClasses {
            throw LearnError.invalidInput("\(caller): y has \(set.count) class\(set.count == 1 ? "" : "es") (\(set.classes)); at least \(minClasses) needed")
        }
        return (set, try set.encode(y, caller))
    }
}


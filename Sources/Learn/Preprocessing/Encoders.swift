import Foundation
import SwiftLearnCore

/// One column of 0/1 indicators per category of each feature (scikit-learn's `OneHotEncoder`,
/// dense output), for features that hold numeric category codes.
///
/// Categories are the sorted distinct values of each training column (`categories="auto"`;
/// NaN is a category of its own, last). Options as in scikit-learn 1.9.1:
/// - `drop`: `None` (default) keeps every column; `"first"` drops each feature's first
///   category; `"if_binary"` drops the first only for two-category features.
/// - `handle_unknown`: `"error"` (default) throws on a category not seen in fit; `"ignore"`
///   encodes it as all zeros; `"infrequent_if_exist"` maps it to the infrequent column when the
///   feature has one, else zeros.
/// - `min_frequency`: categories seen fewer times (an integer count, or a fraction of the
///   samples when below 1) are merged into one "infrequent" column placed last for that feature.
public final class OneHotEncoder: InvertibleTransformer {
    public static let modelName = "one-hot-encoder"
    /// `"None"`, `"first"` or `"if_binary"`.
    public var drop: String
    /// `"error"`, `"ignore"` or `"infrequent_if_exist"`.
    public var handleUnknown: String
    /// Minimum count (≥ 1, integral) or fraction (< 1) for a frequent category; nil: all frequent.
    public var minFrequency: Double?
    /// Sorted categories of each feature (`categories_`).
    public private(set) var categories: [[Double]] = []
    /// Per feature: index into its categories that is dropped (`drop_idx_`), nil if none.
    public private(set) var dropIndex: [Int?] = []
    /// Per feature: the categories merged as infrequent (`infrequent_categories_`).
    public private(set) var infrequentCategories: [[Double]] = []
    /// Per feature, per category: its output column within the feature's block, nil if dropped.
    var outputSlot: [[Int?]] = []
    /// Per feature: the infrequent block column, if any.
    var infrequentSlot: [Int?] = []
    /// Per feature: number of output columns.
    var blockWidth: [Int] = []

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(drop: String = "None", handleUnknown: String = "error", minFrequency: Double? = nil) {
        self.drop = drop
        self.handleUnknown = handleUnknown
        self.minFrequency = minFrequency
    }

    public convenience init() { self.init(drop: "None") }

    public var parameters: [String: ParamValue] {
        let mf: ParamValue = minFrequency.map { $0 >= 1 && $0 == $0.rounded() ? .int(Int($0)) : .double($0) } ?? .none
        return ["drop": drop == "None" ? .none : .string(drop), "handle_unknown": .string(handleUnknown), "min_frequency": mf]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "drop": drop = try value.choice(name, ["None", "first", "if_binary"])
        case "handle_unknown": handleUnknown = try value.choice(name, ["error", "ignore", "infrequent_if_exist"])
        case "min_frequency": minFrequency = try value.optionalDouble(name)
        default: throw unknownParameter(name)
        }
    }

    /// Number of output columns.
    public var outputCount: Int { blockWidth.reduce(0, +) }

    /// Learns the categories, the infrequent groups and the dropped columns.
    public func fit(_ x: Matrix, target: Target? = nil) throws {
        try require(["None", "first", "if_binary"].contains(drop), "drop", drop, "expected None, first or if_binary")
        try require(["error", "ignore", "infrequent_if_exist"].contains(handleUnknown), "handle_unknown", handleUnknown, "expected error, ignore or infrequent_if_exist")
        if let mf = minFrequency { try require(mf > 0 && (mf < 1 || mf == mf.rounded()), "min_frequency", mf, "must be an integer ≥ 1 or a fraction in (0, 1)") }
        try Check.featuresAllowingNaN(x, "OneHotEncoder.fit")
        categories = []; dropIndex = []; infrequentCategories = []; outputSlot = []; infrequentSlot = []; blockWidth = []
        for j in 0..<x.columns {
            let cats = prepCategories(x, j)
            var counts = [PrepCategoryKey: Int]()
            for i in 0..<x.rows { counts[PrepCategoryKey(x[i, j]), default: 0] += 1 }
            var infrequent = [Bool](repeating: false, count: cats.count)
            if let mf = minFrequency {
                let threshold = mf >= 1 ? mf : mf * Double(x.rows)
                infrequent = cats.map { Double(counts[PrepCategoryKey($0)]!) < threshold }
            }
            let hasInfrequent = infrequent.contains(true)
            // Output order: frequent categories in sorted order, then the infrequent column.
            var slots = [Int?](repeating: nil, count: cats.count)
            var width = 0
            for k in cats.indices where !infrequent[k] { slots[k] = width; width += 1 }
            var infSlot: Int? = nil
            if hasInfrequent { infSlot = width; width += 1; for k in cats.indices where infrequent[k] { slots[k] = infSlot } }
            // `if_binary` looks at the output width after infrequent grouping; the dropped column is
            // the one of category 0 (the infrequent column when category 0 is infrequent).
            var d: Int? = nil
            if drop == "first" || (drop == "if_binary" && width == 2) { d = 0 }
            if let d, let dropped = slots[d] {
                // Remove the dropped output column and shift the later ones.
                for k in cats.indices {
                    if let s = slots[k] { slots[k] = s == dropped ? nil : (s > dropped ? s - 1 : s) }
                }
                if let s = infSlot { infSlot = s == dropped ? nil : (s > dropped ? s - 1 : s) }
                width -= 1
            }
            categories.append(cats)
            dropIndex.append(d)
            infrequentCategories.append(cats.indices.filter { infrequent[$0] }.map { cats[$0] })
            outputSlot.append(slots)
            infrequentSlot.append(infSlot)
            blockWidth.append(width)
        }
    }

    private func checkFitted(_ x: Matrix, _ expected: Int, _ caller: String) throws {
        guard !categories.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: expected, caller, allowNaN: true)
    }

    private func categoryIndex(_ j: Int, _ v: Double) -> Int? { prepCategoryIndex(categories[j], v) }

    /// The 0/1 indicator matrix, features' blocks side by side.
    public func transform(_ x: Matrix) throws -> Matrix {
        try checkFitted(x, categories.count, "OneHotEncoder.transform")
        let width = outputCount
        var out = Matrix(rows: x.rows, columns: width)
        var offset = 0
        for j in 0..<categories.count {
            for i in 0..<x.rows {
                let v = x[i, j]
                var slot: Int?
                if let k = categoryIndex(j, v) { slot = outputSlot[j][k] } else {
                    switch handleUnknown {
                    case "error":
                        throw LearnError.unseenLabel("OneHotEncoder.transform: found unknown category \(prepPythonFloat(v)) in column \(j) during transform")
                    case "infrequent_if_exist": slot = infrequentSlot[j]
                    default: slot = nil
                    }
                }
                if let slot { out[i, offset + slot] = 1 }
            }
            offset += blockWidth[j]
        }
        return out
    }

    /// Back to category codes: the category of the 1 in each block; an all-zero block gives the
    /// dropped category (or NaN — scikit-learn's None — for an unknown); the infrequent column
    /// gives NaN (scikit-learn returns the string `"infrequent_sklearn"`).
    public func inverseTransform(_ x: Matrix) throws -> Matrix {
        try checkFitted(x, outputCount, "OneHotEncoder.inverseTransform")
        var out = Matrix(rows: x.rows, columns: categories.count)
        var offset = 0
        for j in 0..<categories.count {
            var slotToCat = [Int: Double]()
            for (k, s) in outputSlot[j].enumerated() { if let s, s != infrequentSlot[j] { slotToCat[s] = categories[j][k] } }
            for i in 0..<x.rows {
                var best = -1, bestV = 0.0
                for s in 0..<blockWidth[j] where x[i, offset + s] > bestV { bestV = x[i, offset + s]; best = s }
                if best < 0 { out[i, j] = dropIndex[j].map { categories[j][$0] } ?? .nan } else { out[i, j] = slotToCat[best] ?? .nan }
            }
            offset += blockWidth[j]
        }
        return out
    }

    /// Output column names as scikit-learn's `get_feature_names_out`: `x0_1.0`, `x0_2.0`,
    /// `x1_infrequent_sklearn`, …; `inputNames` replaces `x0`, `x1`, ….
    public func outputFeatureNames(_ inputNames: [String]? = nil) throws -> [String] {
        guard !categories.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        var names = [String]()
        for j in 0..<categories.count {
            let base = inputNames?[j] ?? "x\(j)"
            var block = [String](repeating: "", count: blockWidth[j])
            for (k, s) in outputSlot[j].enumerated() { if let s { block[s] = "\(base)_\(prepPythonFloat(categories[j][k]))" } }
            if let s = infrequentSlot[j] { block[s] = "\(base)_infrequent_sklearn" }
            names += block
        }
        return names
    }
}

/// Maps each feature's categories to the integers 0, 1, 2, … in sorted order (scikit-learn's
/// `OrdinalEncoder`). NaN in the training data stays NaN (`encoded_missing_value=np.nan`).
/// `handle_unknown="use_encoded_value"` maps unseen categories to `unknown_value` (an integer
/// not used by a category, or NaN); the default `"error"` throws.
public final class OrdinalEncoder: InvertibleTransformer {
    public static let modelName = "ordinal-encoder"
    /// `"error"` or `"use_encoded_value"`.
    public var handleUnknown: String
    /// The code for unseen categories (needed with `use_encoded_value`); NaN allowed.
    public var unknownValue: Double?
    /// Sorted categories of each feature (`categories_`), NaN last when present.
    public private(set) var categories: [[Double]] = []

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(handleUnknown: String = "error", unknownValue: Double? = nil) {
        self.handleUnknown = handleUnknown
        self.unknownValue = unknownValue
    }

    public convenience init() { self.init(handleUnknown: "error") }

    public var parameters: [String: ParamValue] {
        ["handle_unknown": .string(handleUnknown),
         "unknown_value": unknownValue.map { $0.isNaN ? .double($0) : .int(Int($0)) } ?? .none]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "handle_unknown": handleUnknown = try value.choice(name, ["error", "use_encoded_value"])
        case "unknown_value":
            if case .string(let s) = value, s.lowercased() == "nan" { unknownValue = .nan } else { unknownValue = try value.optionalDouble(name) }
        default: throw unknownParameter(name)
        }
    }

    /// Learns the transformation from `x`; the target is ignored.
    public func fit(_ x: Matrix, target: Target? = nil) throws {
        try require(["error", "use_encoded_value"].contains(handleUnknown), "handle_unknown", handleUnknown, "expected error or use_encoded_value")
        if handleUnknown == "use_encoded_value" {
            guard let u = unknownValue, u.isNaN || u == u.rounded() else {
                throw LearnError.invalidParameter(name: "unknown_value", value: unknownValue.map { "\($0)" } ?? "None",
                                                  reason: "must be an integer or NaN when handle_unknown is use_encoded_value")
            }
        } else if unknownValue != nil {
            throw LearnError.invalidParameter(name: "unknown_value", value: "\(unknownValue!)", reason: "should only be set when handle_unknown is use_encoded_value")
        }
        try Check.featuresAllowingNaN(x, "OrdinalEncoder.fit")
        categories = (0..<x.columns).map { prepCategories(x, $0) }
        if let u = unknownValue, !u.isNaN {
            for (j, c) in categories.enumerated() where u >= 0 && Int(u) < c.filter({ !$0.isNaN }).count {
                throw LearnError.invalidParameter(name: "unknown_value", value: "\(Int(u))", reason: "is one of the values already used for encoding the seen categories of feature \(j)")
            }
        }
    }

    /// Applies the learned transformation.
    public func transform(_ x: Matrix) throws -> Matrix {
        guard !categories.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: categories.count, "OrdinalEncoder.transform", allowNaN: true)
        var out = x
        let c = x.columns, useUnknown = handleUnknown == "use_encoded_value", unknown = unknownValue ?? .nan
        for j in 0..<c {
            let cats = categories[j]
            try out.values.withUnsafeMutableBufferPointer { p in
                for i in 0..<x.rows {
                    let v = p[i * c + j]
                    if let k = prepCategoryIndex(cats, v) { p[i * c + j] = v.isNaN ? .nan : Double(k) } else if useUnknown {
                        p[i * c + j] = unknown
                    } else {
                        throw LearnError.unseenLabel("OrdinalEncoder.transform: found unknown category \(prepPythonFloat(v)) in column \(j) during transform")
                    }
                }
            }
        }
        return out
    }

    /// Codes back to categories; NaN and the unknown code give NaN.
    public func inverseTransform(_ x: Matrix) throws -> Matrix {
        guard !categories.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: categories.count, "OrdinalEncoder.inverseTransform", allowNaN: true)
        return PrepSupport.mapColumns(x) { v, j in
            guard !v.isNaN, v >= 0, let k = Int(exactly: v), k < self.categories[j].count else { return .nan }
            return self.categories[j][k]
        }
    }
}

/// Encodes target labels as 0 … n_classes − 1 in sorted order (scikit-learn's `LabelEncoder`),
/// generic over any hashable, comparable label (e.g. `String`).
///
/// Not an ``Estimator``: the estimator protocols take a `Matrix`, while this works on a label
/// array, and it is generic. It is `Codable` when its labels are.
public struct LabelEncoder<Label: Hashable & Comparable> {
    /// Distinct labels in increasing order (`classes_`); empty before fit.
    public private(set) var classes: [Label] = []
    private var lookup: [Label: Int] = [:]

    /// An unfitted encoder.
    public init() {}

    /// Learns the sorted distinct labels.
    public mutating func fit(_ y: [Label]) throws {
        if y.isEmpty { throw LearnError.invalidInput("LabelEncoder.fit: y is empty") }
        classes = Array(Set(y)).sorted()
        lookup = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    }

    /// Each label's index in ``classes``; throws ``LearnError/unseenLabel(_:)`` on a new label.
    public func transform(_ y: [Label]) throws -> [Int] {
        if classes.isEmpty { throw LearnError.notFitted("LabelEncoder") }
        return try y.map { l in
            guard let k = lookup[l] else { throw LearnError.unseenLabel("LabelEncoder.transform: y contains previously unseen label \(l)") }
            return k
        }
    }

    /// `fit` then `transform`.
    public mutating func fitTransform(_ y: [Label]) throws -> [Int] {
        try fit(y)
        return try transform(y)
    }

    /// Labels from codes; throws on a code outside 0 ..< classes.count.
    public func inverseTransform(_ codes: [Int]) throws -> [Label] {
        if classes.isEmpty { throw LearnError.notFitted("LabelEncoder") }
        return try codes.map { k in
            guard k >= 0 && k < classes.count else { throw LearnError.unseenLabel("LabelEncoder.inverseTransform: y contains previously unseen label \(k)") }
            return classes[k]
        }
    }
}

extension LabelEncoder: Codable where Label: Codable {
    private enum CodingKeys: String, CodingKey { case classes }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let cls = try c.decode([Label].self, forKey: .classes)
        guard Set(cls).count == cls.count else {
            throw LearnError.corruptModel("\(DecodingErrorText.field(decoder.codingPath)): LabelEncoder classes are not distinct")
        }
        classes = cls
        lookup = Dictionary(uniqueKeysWithValues: cls.enumerated().map { ($1, $0) })
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(classes, forKey: .classes)
    }
}

extension LabelEncoder: Sendable where Label: Sendable {}

/// Index of `v` in sorted categories (NaN last), by binary search, as NumPy's `searchsorted`.
@inline(__always)
func prepCategoryIndex(_ cats: [Double], _ v: Double) -> Int? {
    cats.withUnsafeBufferPointer { c in
        let n = c.count, nanLast = n > 0 && c[n - 1].isNaN
        if v.isNaN { return nanLast ? n - 1 : nil }
        var lo = 0, hi = nanLast ? n - 1 : n
        while lo < hi { let mid = (lo + hi) / 2; if c[mid] < v { lo = mid + 1 } else { hi = mid } }
        return lo < n && c[lo] == v ? lo : nil
    }
}

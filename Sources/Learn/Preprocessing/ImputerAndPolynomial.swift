import Foundation

/// Fills missing values column by column with a statistic learned in fit (scikit-learn's
/// `SimpleImputer`).
///
/// `strategy`: `"mean"` (default), `"median"`, `"most_frequent"` (the smallest of tied modes)
/// or `"constant"` (`fill_value`, default 0). Missing means NaN (`missing_values=np.nan`) or a
/// chosen number. Columns that are entirely missing in fit are dropped from the output, as
/// scikit-learn 1.9 does for every strategy, unless `keep_empty_features=True` (then filled with
/// 0, or `fill_value` for `"constant"`). `add_indicator=True` appends one 0/1 column per feature that had missing values
/// in fit (scikit-learn's `MissingIndicator(features="missing-only")`).
public final class SimpleImputer: Transformer {
    public static let modelName = "simple-imputer"
    /// `mean`, `median`, `most_frequent` or `constant`.
    public var strategy: String
    /// The placeholder for missing values (NaN by default).
    public var missingValues: Double
    /// Value used by the `"constant"` strategy (nil: 0).
    public var fillValue: Double?
    /// Append missing-value indicator columns (`add_indicator`).
    public var addIndicator: Bool
    /// Keep columns that are entirely missing in fit (`keep_empty_features`).
    public var keepEmptyFeatures: Bool
    /// The fill value of each column (`statistics_`); NaN for an empty column that is dropped.
    public private(set) var statistics: [Double] = []
    /// Columns that had missing values in fit (the indicator's `features_`).
    public private(set) var indicatorFeatures: [Int] = []

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(strategy: String = "mean", missingValues: Double = .nan, fillValue: Double? = nil,
                addIndicator: Bool = false, keepEmptyFeatures: Bool = false) {
        self.strategy = strategy
        self.missingValues = missingValues
        self.fillValue = fillValue
        self.addIndicator = addIndicator
        self.keepEmptyFeatures = keepEmptyFeatures
    }

    public convenience init() { self.init(strategy: "mean") }

    public var parameters: [String: ParamValue] {
        ["strategy": .string(strategy), "missing_values": .double(missingValues), "fill_value": fillValue.param,
         "add_indicator": .bool(addIndicator), "keep_empty_features": .bool(keepEmptyFeatures)]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "strategy": strategy = try value.choice(name, ["mean", "median", "most_frequent", "constant"])
        case "missing_values":
            // NaN is the one non-finite marker scikit-learn accepts (`np.nan`, the default).
            switch value {
            case .string(let s) where s.lowercased() == "nan": missingValues = .nan
            case .double(let d) where d.isNaN: missingValues = .nan
            default: missingValues = try value.double(name)
            }
        case "fill_value": fillValue = try value.optionalDouble(name)
        case "add_indicator": addIndicator = try value.bool(name)
        case "keep_empty_features": keepEmptyFeatures = try value.bool(name)
        default: throw unknownParameter(name)
        }
    }

    @inline(__always) private func isMissing(_ v: Double) -> Bool { missingValues.isNaN ? v.isNaN : v == missingValues }

    private func checkInput(_ x: Matrix, _ caller: String) throws {
        if missingValues.isNaN { try Check.featuresAllowingNaN(x, caller, minRows: 0) } else {
            if let k = x.values.firstIndex(where: { !$0.isFinite }) {
                throw LearnError.invalidInput("\(caller): x contains \(x.values[k]) at row \(k / x.columns); with missing_values=\(missingValues) NaN is not allowed")
            }
        }
    }

    /// Learns the transformation from `x`; the target is ignored.
    public func fit(_ x: Matrix, target: Target? = nil) throws {
        try require(["mean", "median", "most_frequent", "constant"].contains(strategy), "strategy", strategy, "expected mean, median, most_frequent or constant")
        if x.rows == 0 { throw LearnError.invalidInput("SimpleImputer.fit: x has 0 rows") }
        if x.columns == 0 { throw LearnError.invalidInput("SimpleImputer.fit: x has no columns") }
        try checkInput(x, "SimpleImputer.fit")
        var stats = [Double](), missingCols = [Int]()
        for j in 0..<x.columns {
            var present = [Double]()
            for i in 0..<x.rows { let v = x[i, j]; if !isMissing(v) { present.append(v) } }
            if present.count < x.rows { missingCols.append(j) }
            if present.isEmpty { stats.append(keepEmptyFeatures ? (strategy == "constant" ? fillValue ?? 0 : 0) : .nan); continue }
            if strategy == "constant" { stats.append(fillValue ?? 0); continue }
            switch strategy {
            case "mean": stats.append(present.reduce(0, +) / Double(present.count))
            case "median":
                present.sort()
                let n = present.count
                stats.append(n % 2 == 1 ? present[n / 2] : (present[n / 2 - 1] + present[n / 2]) / 2)
            default:
                present.sort()
                var best = present[0], bestCount = 0, k = 0
                while k < present.count {
                    var e = k
                    while e < present.count && present[e] == present[k] { e += 1 }
                    if e - k > bestCount { bestCount = e - k; best = present[k] }
                    k = e
                }
                stats.append(best)
            }
        }
        statistics = stats
        indicatorFeatures = missingCols
    }

    /// The columns kept in the output (empty columns dropped).
    private var keptColumns: [Int] { statistics.indices.filter { !statistics[$0].isNaN } }

    /// Missing entries replaced by the column statistic, then the indicator columns if asked.
    public func transform(_ x: Matrix) throws -> Matrix {
        guard !statistics.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        if x.columns != statistics.count {
            throw LearnError.invalidInput("SimpleImputer.transform: x has \(x.columns) features but the imputer was fitted with \(statistics.count)")
        }
        try checkInput(x, "SimpleImputer.transform")
        let kept = keptColumns
        var out = Matrix(rows: x.rows, columns: kept.count + (addIndicator ? indicatorFeatures.count : 0))
        for i in 0..<x.rows {
            for (k, j) in kept.enumerated() { let v = x[i, j]; out[i, k] = isMissing(v) ? statistics[j] : v }
            if addIndicator {
                for (k, j) in indicatorFeatures.enumerated() { out[i, kept.count + k] = isMissing(x[i, j]) ? 1 : 0 }
            }
        }
        return out
    }
}

/// All monomials of the features up to a degree (scikit-learn's `PolynomialFeatures`).
///
/// For features x0, x1 and degree 2 the output is 1, x0, x1, x0², x0·x1, x1²: for each degree
/// d = min…max, the combinations with replacement of d features in lexicographic order
/// (`interaction_only=True`: distinct features only, no powers). `include_bias` adds the
/// leading column of ones. `degree` is an integer (default 2) or `[min_degree, max_degree]`.
public final class PolynomialFeatures: Transformer {
    public static let modelName = "polynomial-features"
    /// Highest total degree.
    public var degree: Int
    /// Lowest degree kept besides the bias (0 or 1 ⇒ all from 1).
    public var minDegree: Int
    /// Only products of distinct features (`interaction_only`).
    public var interactionOnly: Bool
    /// Add the column of ones (`include_bias`).
    public var includeBias: Bool
    /// Exponent of each input feature in each output column (`powers_`), one row per output.
    public private(set) var powers: [[Int]] = []
    /// The features multiplied for each output column (repeats for powers).
    var combinations: [[Int]] = []
    var nFeatures = 0

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(degree: Int = 2, minDegree: Int = 0, interactionOnly: Bool = false, includeBias: Bool = true) {
        self.degree = degree
        self.minDegree = minDegree
        self.interactionOnly = interactionOnly
        self.includeBias = includeBias
    }

    public convenience init() { self.init(degree: 2) }

    public var parameters: [String: ParamValue] {
        ["degree": minDegree == 0 ? .int(degree) : .list([.int(minDegree), .int(degree)]),
         "interaction_only": .bool(interactionOnly), "include_bias": .bool(includeBias)]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "degree":
            if case .list(let l) = value {
                guard l.count == 2 else { throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected an integer or [min_degree, max_degree]") }
                minDegree = try l[0].int(name); degree = try l[1].int(name)
            } else { degree = try value.int(name); minDegree = 0 }
        case "interaction_only": interactionOnly = try value.bool(name)
        case "include_bias": includeBias = try value.bool(name)
        default: throw unknownParameter(name)
        }
    }

    /// Number of output columns.
    public var outputCount: Int { combinations.count }

    /// Learns the transformation from `x`; the target is ignored.
    public func fit(_ x: Matrix, target: Target? = nil) throws {
        try require(degree >= 0 && minDegree >= 0 && minDegree <= degree, "degree", parameters["degree"]!,
                    "degrees must be non-negative integers with min_degree <= max_degree")
        try require(!(degree == 0 && !includeBias), "degree", degree, "degree 0 without a bias gives no features")
        try Check.features(x, "PolynomialFeatures.fit")
        let width = Self.outputWidth(features: x.columns, minDegree: minDegree, degree: degree,
                                     interactionOnly: interactionOnly, includeBias: includeBias)
        // The fitted state keeps one exponent per (output, input) pair: bound that table too.
        let table = width.flatMap { SizeArithmetic.product($0, max(1, x.columns)) }
        try require((table ?? .max) <= ParameterLimits.tableElements, "degree", parameters["degree"]!,
                    "gives \(width.map(String.init) ?? "more than \(ParameterLimits.tableElements)") output features for "
                    + "\(x.columns) input features: outputs × inputs must be at most \(ParameterLimits.tableElements)")
        nFeatures = x.columns
        var combos = [[Int]]()
        if includeBias { combos.append([]) }
        func extend(_ prefix: [Int], _ start: Int, _ left: Int) {
            if left == 0 { combos.append(prefix); return }
            for f in start..<nFeatures { extend(prefix + [f], interactionOnly ? f + 1 : f, left - 1) }
        }
        for d in max(1, minDegree)...max(1, degree) where degree >= 1 {
            if interactionOnly && d > nFeatures { break }
            extend([], 0, d)
        }
        combinations = combos
        powers = combos.map { c in
            var p = [Int](repeating: 0, count: nFeatures)
            for f in c { p[f] += 1 }
            return p
        }
    }

    /// Number of output columns for `features` inputs, or nil when it exceeds
    /// ``ParameterLimits/tableElements`` (counted without enumerating: Σ_d C(n+d−1, d) is
    /// C(n+hi, n) − C(n+lo−1, n); with interactions only, Σ_d C(n, d)).
    static func outputWidth(features n: Int, minDegree: Int, degree: Int, interactionOnly: Bool, includeBias: Bool) -> Int? {
        let limit = ParameterLimits.tableElements
        var total = includeBias ? 1 : 0
        guard degree >= 1, n >= 1 else { return total }
        let lo = max(1, minDegree), hi = degree
        if interactionOnly {
            guard lo <= n else { return total }
            for d in lo...min(hi, n) {
                guard let c = SizeArithmetic.binomial(n, d, limit: limit) else { return nil }
                total += c
                if total > limit { return nil }
            }
            return total
        }
        let (top, overflow) = n.addingReportingOverflow(hi)
        guard !overflow, let upTo = SizeArithmetic.binomial(top, n, limit: limit),
              let below = SizeArithmetic.binomial(n + lo - 1, n, limit: limit) else { return nil }
        total += upTo - below
        return total > limit ? nil : total
    }

    /// Each output column is the product of its features, multiplied left to right.
    public func transform(_ x: Matrix) throws -> Matrix {
        guard nFeatures > 0 else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: nFeatures, "PolynomialFeatures.transform")
        let width = combinations.count
        guard let cells = SizeArithmetic.product(x.rows, width), cells <= ParameterLimits.tableElements else {
            throw LearnError.invalidParameter(name: "degree", value: parameters["degree"]!.description,
                                              reason: "\(x.rows) rows × \(width) output features exceed \(ParameterLimits.tableElements) values")
        }
        var out = Matrix(rows: x.rows, columns: width)
        out.values.withUnsafeMutableBufferPointer { o in
            x.values.withUnsafeBufferPointer { p in
                for i in 0..<x.rows {
                    let base = i * nFeatures
                    for (k, c) in combinations.enumerated() {
                        var v = 1.0
                        if let first = c.first { v = p[base + first]; for f in c.dropFirst() { v *= p[base + f] } }
                        o[i * width + k] = v
                    }
                }
            }
        }
        return out
    }

    /// Output names like scikit-learn's `get_feature_names_out`: `1`, `x0`, `x0^2`, `x0 x1`.
    public func outputFeatureNames(_ inputNames: [String]? = nil) throws -> [String] {
        guard nFeatures > 0 else { throw LearnError.notFitted(Self.modelName) }
        return powers.map { p in
            let terms = p.enumerated().filter { $0.element > 0 }.map { j, e in
                let n = inputNames?[j] ?? "x\(j)"
                return e == 1 ? n : "\(n)^\(e)"
            }
            return terms.isEmpty ? "1" : terms.joined(separator: " ")
        }
    }
}

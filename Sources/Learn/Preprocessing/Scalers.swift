import Foundation

/// Standardizes features: z = (x − mean) / scale, scale the population standard deviation
/// (scikit-learn's `StandardScaler`).
///
/// NaN entries are ignored when fitting (each column's statistics use its non-missing values)
/// and stay NaN when transforming, so a scaler can run before an imputer. Columns whose variance
/// is zero (or at rounding level of the mean) get scale 1, so they map to 0 instead of ±∞.
/// Defaults: `with_mean=True`, `with_std=True`.
public final class StandardScaler: InvertibleTransformer {
    public static let modelName = "standard-scaler"
    /// Subtract the column mean.
    public var withMean: Bool
    /// Divide by the column standard deviation.
    public var withStd: Bool
    /// Column means (`mean_`); nil when neither centring nor scaling.
    public private(set) var mean: [Double]?
    /// Column population variances (`var_`); nil when `withStd` is false.
    public private(set) var variance: [Double]?
    /// Column scales (`scale_`): √variance, 1 for constant columns; nil when `withStd` is false.
    public private(set) var scale: [Double]?
    /// Non-missing samples seen per column (`n_samples_seen_`).
    public private(set) var nSamplesSeen: [Double] = []
    var nFeatures = 0

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(withMean: Bool = true, withStd: Bool = true) {
        self.withMean = withMean
        self.withStd = withStd
    }

    public convenience init() { self.init(withMean: true) }

    public var parameters: [String: ParamValue] { ["with_mean": .bool(withMean), "with_std": .bool(withStd)] }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "with_mean": withMean = try value.bool(name)
        case "with_std": withStd = try value.bool(name)
        default: throw unknownParameter(name)
        }
    }

    /// Learns column means and variances from the non-NaN entries of `x`.
    public func fit(_ x: Matrix, target: Target? = nil) throws {
        try Check.featuresAllowingNaN(x, "StandardScaler.fit")
        let (n, m, v) = PrepSupport.nanMeanVar(x)
        nSamplesSeen = n
        nFeatures = x.columns
        guard withMean || withStd else { mean = nil; variance = nil; scale = nil; return }
        mean = m
        if withStd {
            variance = v
            // Near-constant columns (variance at the rounding level of the mean) scale by 1.
            let constant = (0..<x.columns).map { j -> Bool in
                let eps = Double.ulpOfOne, nj = n[j]
                return v[j] <= nj * eps * v[j] + (nj * m[j] * eps) * (nj * m[j] * eps)
            }
            scale = PrepSupport.handleZeros(v.map { $0.squareRoot() }, constant: constant)
        } else { variance = nil; scale = nil }
    }

    private func check(_ x: Matrix, _ caller: String) throws {
        guard !nSamplesSeen.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: nFeatures, caller, allowNaN: true)
    }

    /// (x − mean) / scale, column by column; NaN stays NaN.
    public func transform(_ x: Matrix) throws -> Matrix {
        try check(x, "StandardScaler.transform")
        let m = withMean ? mean : nil, s = withStd ? scale : nil
        return PrepSupport.mapColumns(x) { v, j in
            var r = v
            if let m { r -= m[j] }
            if let s { r /= s[j] }
            return r
        }
    }

    /// z · scale + mean.
    public func inverseTransform(_ x: Matrix) throws -> Matrix {
        try check(x, "StandardScaler.inverseTransform")
        let m = withMean ? mean : nil, s = withStd ? scale : nil
        return PrepSupport.mapColumns(x) { v, j in
            var r = v
            if let s { r *= s[j] }
            if let m { r += m[j] }
            return r
        }
    }
}

/// Rescales each feature linearly to `feature_range` (default [0, 1]) using the training
/// minimum and maximum (scikit-learn's `MinMaxScaler`):
/// x' = x · scale + min, scale = (hi − lo) / (max − min), min = lo − data_min · scale.
/// Constant columns use a range of 1. `clip=True` clips transformed values to the range.
/// NaN is ignored in fit and kept in transform.
public final class MinMaxScaler: InvertibleTransformer {
    public static let modelName = "min-max-scaler"
    /// Lower end of the output range.
    public var featureRangeLow: Double
    /// Upper end of the output range.
    public var featureRangeHigh: Double
    /// Clip transformed values into the range (for data outside the training range).
    public var clip: Bool
    /// Per-column minimum (`data_min_`), maximum (`data_max_`), range (`data_range_`).
    public private(set) var dataMin: [Double] = []
    /// Per-column maximum (`data_max_`).
    public private(set) var dataMax: [Double] = []
    /// Per-column max − min (`data_range_`).
    public private(set) var dataRange: [Double] = []
    /// Per-column multiplier (`scale_`) and offset (`min_`).
    public private(set) var scale: [Double] = []
    /// Per-column offset (`min_`).
    public private(set) var min: [Double] = []

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(featureRange: (Double, Double) = (0, 1), clip: Bool = false) {
        featureRangeLow = featureRange.0
        featureRangeHigh = featureRange.1
        self.clip = clip
    }

    public convenience init() { self.init(featureRange: (0, 1)) }

    /// `feature_range` is a two-element list; `feature_range_min` / `feature_range_max` set one end.
    public var parameters: [String: ParamValue] {
        ["feature_range": .list([.double(featureRangeLow), .double(featureRangeHigh)]), "clip": .bool(clip)]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "feature_range":
            guard case .list(let l) = value, l.count == 2 else {
                throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected [min, max]")
            }
            featureRangeLow = try l[0].double(name); featureRangeHigh = try l[1].double(name)
        case "feature_range_min": featureRangeLow = try value.double(name)
        case "feature_range_max": featureRangeHigh = try value.double(name)
        case "clip": clip = try value.bool(name)
        default: throw unknownParameter(name)
        }
    }

    /// Learns the transformation from `x`; the target is ignored.
    public func fit(_ x: Matrix, target: Target? = nil) throws {
        try require(featureRangeLow < featureRangeHigh, "feature_range", "(\(featureRangeLow), \(featureRangeHigh))",
                    "minimum of desired feature range must be smaller than maximum")
        try Check.featuresAllowingNaN(x, "MinMaxScaler.fit")
        var lo = [Double](repeating: .infinity, count: x.columns), hi = [Double](repeating: -.infinity, count: x.columns)
        let c = x.columns
        x.values.withUnsafeBufferPointer { p in
            for i in 0..<x.rows {
                for j in 0..<c { let v = p[i * c + j]; if !v.isNaN { lo[j] = Swift.min(lo[j], v); hi[j] = Swift.max(hi[j], v) } }
            }
        }
        for j in 0..<x.columns where lo[j] > hi[j] { lo[j] = .nan; hi[j] = .nan }
        dataMin = lo; dataMax = hi
        dataRange = zip(hi, lo).map { $0 - $1 }
        let safe = PrepSupport.handleZeros(dataRange)
        scale = safe.map { (featureRangeHigh - featureRangeLow) / $0 }
        min = (0..<x.columns).map { featureRangeLow - lo[$0] * scale[$0] }
    }

    private func check(_ x: Matrix, _ caller: String) throws {
        guard !scale.isEmpty else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: scale.count, caller, allowNaN: true)
    }

    /// Applies the learned transformation.
    public func transform(_ x: Matrix) throws -> Matrix {
        try check(x, "MinMaxScaler.transform")
        let lo = featureRangeLow, hi = featureRangeHigh, c = clip, scale = scale, offset = min
        return PrepSupport.mapColumns(x) { v, j in
            let r = v * scale[j] + offset[j]
            return c && !r.isNaN ? Swift.min(Swift.max(r, lo), hi) : r
        }
    }

    /// Maps transformed rows back to the input space.
    public func inverseTransform(_ x: Matrix) throws -> Matrix {
        try check(x, "MinMaxScaler.inverseTransform")
        let scale = scale, offset = min
        return PrepSupport.mapColumns(x) { v, j in (v - offset[j]) / scale[j] }
    }
}

/// Scales with statistics robust to outliers (scikit-learn's `RobustScaler`):
/// x' = (x − median) / (q_hi − q_lo), the interquartile range by default (`quantile_range=(25, 75)`,
/// NumPy's linear percentile). `unit_variance=True` further divides the scale by
/// Φ⁻¹(q_hi) − Φ⁻¹(q_lo), so normal data ends with unit variance. A zero range becomes 1.
/// NaN is ignored in fit and kept in transform. Defaults: `with_centering=True`, `with_scaling=True`.
public final class RobustScaler: InvertibleTransformer {
    public static let modelName = "robust-scaler"
    /// Subtract the median (`with_centering`).
    public var withCentering: Bool
    /// Divide by the quantile range (`with_scaling`).
    public var withScaling: Bool
    /// Percentiles (0…100) whose difference is the scale.
    public var quantileRange: (Double, Double)
    /// Rescale so normal data gets unit variance (`unit_variance`).
    public var unitVariance: Bool
    /// Column medians (`center_`) and scales (`scale_`); nil when that step is off.
    public private(set) var center: [Double]?
    /// Per-column scale (`scale_`); nil when scaling is off.
    public private(set) var scale: [Double]?
    var nFeatures = 0

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(withCentering: Bool = true, withScaling: Bool = true, quantileRange: (Double, Double) = (25, 75), unitVariance: Bool = false) {
        self.withCentering = withCentering
        self.withScaling = withScaling
        self.quantileRange = quantileRange
        self.unitVariance = unitVariance
    }

    public convenience init() { self.init(withCentering: true) }

    private enum CodingKeys: String, CodingKey { case withCentering, withScaling, qLow, qHigh, unitVariance, center, scale, nFeatures }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        withCentering = try c.decode(Bool.self, forKey: .withCentering)
        withScaling = try c.decode(Bool.self, forKey: .withScaling)
        quantileRange = (try c.decode(Double.self, forKey: .qLow), try c.decode(Double.self, forKey: .qHigh))
        unitVariance = try c.decode(Bool.self, forKey: .unitVariance)
        center = try c.decodeIfPresent([Double].self, forKey: .center)
        scale = try c.decodeIfPresent([Double].self, forKey: .scale)
        nFeatures = try c.decode(Int.self, forKey: .nFeatures)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(withCentering, forKey: .withCentering); try c.encode(withScaling, forKey: .withScaling)
        try c.encode(quantileRange.0, forKey: .qLow); try c.encode(quantileRange.1, forKey: .qHigh)
        try c.encode(unitVariance, forKey: .unitVariance)
        try c.encodeIfPresent(center, forKey: .center); try c.encodeIfPresent(scale, forKey: .scale)
        try c.encode(nFeatures, forKey: .nFeatures)
    }

    public var parameters: [String: ParamValue] {
        ["with_centering": .bool(withCentering), "with_scaling": .bool(withScaling),
         "quantile_range": .list([.double(quantileRange.0), .double(quantileRange.1)]), "unit_variance": .bool(unitVariance)]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "with_centering": withCentering = try value.bool(name)
        case "with_scaling": withScaling = try value.bool(name)
        case "unit_variance": unitVariance = try value.bool(name)
        case "quantile_range":
            guard case .list(let l) = value, l.count == 2 else {
                throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected [q_min, q_max]")
            }
            quantileRange = (try l[0].double(name), try l[1].double(name))
        default: throw unknownParameter(name)
        }
    }

    /// Learns the transformation from `x`; the target is ignored.
    public func fit(_ x: Matrix, target: Target? = nil) throws {
        let (qlo, qhi) = quantileRange
        try require(0 <= qlo && qlo <= qhi && qhi <= 100, "quantile_range", "(\(qlo), \(qhi))", "must satisfy 0 <= q_min <= q_max <= 100")
        try Check.featuresAllowingNaN(x, "RobustScaler.fit")
        nFeatures = x.columns
        // Median and the two quantiles of every column, columns in parallel.
        let q = try MSDispatch.parallelMap(x.columns) { j in PrepSupport.percentiles(PrepSupport.columnValues(x, j), [50, qlo, qhi]) }
        center = withCentering ? q.map { $0[0] } : nil
        if withScaling {
            var s = PrepSupport.handleZeros(q.map { $0[2] - $0[1] })
            if unitVariance {
                let adjust = PrepSupport.normalQuantile(qhi / 100) - PrepSupport.normalQuantile(qlo / 100)
                s = s.map { $0 / adjust }
            }
            scale = s
        } else { scale = nil }
    }

    private func check(_ x: Matrix, _ caller: String) throws {
        guard nFeatures > 0 else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: nFeatures, caller, allowNaN: true)
    }

    /// Applies the learned transformation.
    public func transform(_ x: Matrix) throws -> Matrix {
        try check(x, "RobustScaler.transform")
        let c = center, s = scale
        return PrepSupport.mapColumns(x) { v, j in
            var r = v
            if let c { r -= c[j] }
            if let s { r /= s[j] }
            return r
        }
    }

    /// Maps transformed rows back to the input space.
    public func inverseTransform(_ x: Matrix) throws -> Matrix {
        try check(x, "RobustScaler.inverseTransform")
        let c = center, s = scale
        return PrepSupport.mapColumns(x) { v, j in
            var r = v
            if let s { r *= s[j] }
            if let c { r += c[j] }
            return r
        }
    }
}

/// Scales every row (sample) to unit norm (scikit-learn's `Normalizer`): x / ‖x‖ with `norm`
/// l2 (default), l1 or max (largest |x_j|). Rows of norm 0 are left unchanged. Stateless: `fit`
/// only records the feature count.
public final class Normalizer: Transformer {
    public static let modelName = "normalizer"
    /// `"l2"`, `"l1"` or `"max"`.
    public var norm: String
    var nFeatures = 0

    /// Sets the hyper-parameters; omitted ones take scikit-learn's (imbalanced-learn's) defaults.
    public init(norm: String = "l2") { self.norm = norm }

    public convenience init() { self.init(norm: "l2") }

    public var parameters: [String: ParamValue] { ["norm": .string(norm)] }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "norm": norm = try value.choice(name, ["l1", "l2", "max"])
        default: throw unknownParameter(name)
        }
    }

    /// Learns the transformation from `x`; the target is ignored.
    public func fit(_ x: Matrix, target: Target? = nil) throws {
        try require(["l1", "l2", "max"].contains(norm), "norm", norm, "expected l1, l2 or max")
        try Check.features(x, "Normalizer.fit")
        nFeatures = x.columns
    }

    /// Applies the learned transformation.
    public func transform(_ x: Matrix) throws -> Matrix {
        guard nFeatures > 0 else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: nFeatures, "Normalizer.transform")
        var out = x
        let c = x.columns, kind = norm == "l1" ? 1 : (norm == "max" ? 2 : 0)
        out.values.withUnsafeMutableBufferPointer { p in
            for i in 0..<x.rows {
                let base = i * c
                var n = 0.0
                switch kind {
                case 1: for j in 0..<c { n += abs(p[base + j]) }
                case 2: for j in 0..<c { n = Swift.max(n, abs(p[base + j])) }
                default: for j in 0..<c { n += p[base + j] * p[base + j] }; n = n.squareRoot()
                }
                if n == 0 { continue }
                for j in 0..<c { p[base + j] /= n }
            }
        }
        return out
    }
}

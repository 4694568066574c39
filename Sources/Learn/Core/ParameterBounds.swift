import Foundation

/// Upper limits on hyper-parameters that size work or memory.
///
/// `--set` values are outside data: `n_estimators=1e12` must be refused with a clear message
/// before any work, not run out of memory or time. The limits are far above any sensible use.
public enum ParameterLimits {
    /// Estimators in an ensemble, boosting iterations (`n_estimators`, `max_iter` of boosting).
    public static let estimators = 100_000
    /// Solver iterations (`max_iter`).
    public static let iterations = 100_000_000
    /// Tree depth (`max_depth`).
    public static let depth = 10_000
    /// Histogram bins (`max_bins`; stored as a byte, with one bin for missing values).
    public static let bins = 255
    /// scikit-learn's range of `random_state`: [0, 2³² − 1].
    public static let randomState = 4_294_967_295
    /// Elements of one table an estimator builds from a user's size (2³⁰ doubles, 8 GiB): e.g.
    /// PolynomialFeatures' output width, and rows × width of its output.
    public static let tableElements = 1 << 30
    /// Polynomial kernel degree (`degree` of SVC/SVR).
    public static let kernelDegree = 1000
}

/// Overflow-safe counting for sizes derived from user parameters.
enum SizeArithmetic {
    /// `a * b`, or nil when it overflows `Int`.
    static func product(_ a: Int, _ b: Int) -> Int? {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : p
    }

    /// The binomial coefficient C(n, k), or nil when it exceeds `limit` (computed along the
    /// nondecreasing sequence C(n, i), i ≤ min(k, n − k), so it stops after a few dozen steps).
    static func binomial(_ n: Int, _ k: Int, limit: Int) -> Int? {
        guard k >= 0, k <= n else { return 0 }
        let k = min(k, n - k)
        var c = 1
        for i in 0..<k {
            // c ≤ limit ≤ 2³⁰ and n − i < 2⁶³ / 2³⁰ unless n is absurd; check anyway.
            guard let next = product(c, n - i) else { return nil }
            c = next / (i + 1)
            if c > limit { return nil }
        }
        return c
    }
}

extension ParamValue {
    /// `random_state`: None or an integer in [0, 2³² − 1] (scikit-learn's range; a negative seed
    /// is refused rather than reinterpreted).
    public func randomState(_ name: String) throws -> Int? {
        guard let seed = try optionalInt(name) else { return nil }
        try require(seed >= 0 && seed <= ParameterLimits.randomState, name, seed, "must be None or an integer in [0, \(ParameterLimits.randomState)]")
        return seed
    }

    /// An integer no larger than `limit` (a size the user could set absurdly high).
    public func int(_ name: String, atMost limit: Int) throws -> Int {
        if case .double(let d) = self, d.isFinite, d > Double(limit) {
            throw LearnError.invalidParameter(name: name, value: description, reason: "must be at most \(limit)")
        }
        let v = try int(name)
        try require(v <= limit, name, v, "must be at most \(limit)")
        return v
    }

    /// An optional integer (None → nil) no larger than `limit`.
    public func optionalInt(_ name: String, atMost limit: Int) throws -> Int? {
        if case .none = self { return nil }
        return try int(name, atMost: limit)
    }
}

import Foundation

/// Density-based clustering (`sklearn.cluster.DBSCAN`).
///
/// A sample is a *core sample* when at least `min_samples` samples (itself included) lie within
/// distance `eps` of it. Clusters are the connected components of core samples (two cores are
/// linked when within `eps`), plus the non-core samples within `eps` of a core (border samples,
/// which join the first cluster that reaches them). Everything else is noise, labelled −1.
/// Clusters are numbered 0, 1, … in order of their first core sample, as scikit-learn does.
///
/// Neighbourhoods are found by brute force in row blocks (all cores): Euclidean distances by
/// the GEMM identity, with every pair near the `eps` boundary re-checked exactly, so the
/// neighbourhoods match an exact computation; other metrics directly.
///
/// Defaults: `eps=0.5, min_samples=5, metric="euclidean", p=None`.
public final class DBSCAN: Clusterer {
    public static let modelName = "dbscan"

    /// Neighbourhood radius (`eps`).
    public var eps: Double
    /// Samples (self included) a core sample needs within `eps` (`min_samples`).
    public var minSamples: Int
    /// `"euclidean"`, `"manhattan"`, `"chebyshev"`, `"cosine"` or `"minkowski"` (`metric`).
    public var metric: String
    /// Minkowski exponent (`p`); nil means 2.
    public var p: Double?

    /// Cluster of each training sample, −1 for noise (`labels_`).
    public private(set) var labels: [Int] = []
    /// Indices of the core samples, increasing (`core_sample_indices_`).
    public private(set) var coreSampleIndices: [Int] = []
    /// The core samples' rows (`components_`).
    public private(set) var components = Matrix(rows: 0, columns: 0)

    /// DBSCAN with scikit-learn's defaults.
    public init(eps: Double = 0.5, minSamples: Int = 5, metric: String = "euclidean", p: Double? = nil) {
        self.eps = eps; self.minSamples = minSamples; self.metric = metric; self.p = p
    }
    public convenience init() { self.init(eps: 0.5) }

    public var parameters: [String: ParamValue] {
        ["eps": .double(eps), "min_samples": .int(minSamples), "metric": .string(metric), "p": p.param]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "eps": eps = try value.double(name)
        case "min_samples": minSamples = try value.int(name)
        case "metric": metric = try value.choice(name, ["euclidean", "manhattan", "chebyshev", "cosine", "minkowski"])
        case "p": p = try value.optionalDouble(name)
        default: throw unknownParameter(name)
        }
    }

    /// Clusters the rows of `x`.
    public func fit(_ x: Matrix) throws {
        try require(eps > 0 && eps.isFinite, "eps", eps, "must be a positive number")
        try require(minSamples >= 1, "min_samples", minSamples, "must be at least 1")
        guard let m = UnsupMetric(rawValue: metric) else {
            throw LearnError.invalidParameter(name: "metric", value: metric, reason: "unsupported metric")
        }
        if let p { try require(p >= 1, "p", p, "must be at least 1") }
        try Check.features(x, "DBSCAN.fit")
        // Minkowski with p = 1, 2 or ∞ is one of the named metrics.
        var resolved = m
        let pv = p ?? 2
        if m == .minkowski { resolved = pv == 2 ? .euclidean : (pv == 1 ? .manhattan : (pv.isInfinite ? .chebyshev : .minkowski)) }
        let neighborhoods = DBSCAN.neighborhoods(x, eps: eps, metric: resolved, p: pv)
        let isCore = neighborhoods.map { $0.count >= minSamples }
        labels = DBSCAN.expand(neighborhoods, isCore: isCore)
        coreSampleIndices = isCore.indices.filter { isCore[$0] }
        components = x.rows(coreSampleIndices)
    }

    /// Cluster expansion (scikit-learn's `dbscan_inner`): a depth-first search from each
    /// unlabelled core sample over the neighbourhoods of core samples.
    static func expand(_ neighborhoods: [[Int]], isCore: [Bool]) -> [Int] {
        var labels = [Int](repeating: -1, count: neighborhoods.count)
        var next = 0
        var stack = [Int]()
        for start in 0..<neighborhoods.count where labels[start] == -1 && isCore[start] {
            var i = start
            while true {
                if labels[i] == -1 {
                    labels[i] = next
                    if isCore[i] { for v in neighborhoods[i] where labels[v] == -1 { stack.append(v) } }
                }
                guard let top = stack.popLast() else { break }
                i = top
            }
            next += 1
        }
        return labels
    }

    /// Every sample's neighbours within `eps` (itself included), increasing.
    /// Fast path: blocks of rows in parallel; Euclidean via GEMM plus an exact re-check near `eps`.
    static func neighborhoods(_ x: Matrix, eps: Double, metric: UnsupMetric, p: Double) -> [[Int]] {
        let n = x.rows, d = x.columns
        var out = [[Int]](repeating: [], count: n)
        let norms2 = unsupRowSquaredNorms(x)
        let norms = norms2.map { $0.squareRoot() }
        let eps2 = eps * eps
        let block = 256
        let blocks = (n + block - 1) / block
        let lock = NSLock()
        let work = { (b: Int) in
            let s = b * block, e = Swift.min(n, s + block)
            var local = [[Int]](repeating: [], count: e - s)
            x.values.withUnsafeBufferPointer { xp in
                if metric == .euclidean {
                    let xb = Matrix(rows: e - s, columns: d, values: Array(x.values[(s * d)..<(e * d)]))
                    let g = Matrix.product(xb, x, transposeB: true)
                    for r in 0..<(e - s) {
                        let i = s + r
                        for j in 0..<n {
                            let approx = norms2[i] - 2 * g.values[r * n + j] + norms2[j]
                            let slack = 1e-9 * (norms2[i] + norms2[j]) + 1e-12
                            if approx > eps2 + slack { continue }
                            if approx < eps2 - slack || unsupExactSquaredDistance(xp, i, xp, j, d) <= eps2 { local[r].append(j) }
                        }
                    }
                } else {
                    for r in 0..<(e - s) {
                        let i = s + r
                        for j in 0..<n where metric.distance(xp, i, xp, j, d, normA: norms[i], normB: norms[j], p: p) <= eps {
                            local[r].append(j)
                        }
                    }
                }
            }
            lock.lock()
            for r in 0..<(e - s) { out[s + r] = local[r] }
            lock.unlock()
        }
        if n * n * d > 2_000_000 { DispatchQueue.concurrentPerform(iterations: blocks, execute: work) }
        else { for b in 0..<blocks { work(b) } }
        return out
    }
}

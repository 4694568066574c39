import Foundation

/// k-means clustering (`sklearn.cluster.KMeans`).
///
/// Finds `k` centres minimising the inertia `Σᵢ ‖xᵢ − c_{label(i)}‖²` by alternating two steps
/// (Lloyd): assign every sample to its nearest centre, then move every centre to the mean of its
/// samples. Stops when the labels no longer change or the centres move less than `tol` times the
/// mean feature variance (squared shift summed over centres). Started `nInit` times (from
/// k-means++ or random samples) and the run with the lowest inertia is kept.
///
/// - `init = "k-means++"` (default): greedy k-means++ — each new centre is the best of
///   `2 + ⌊ln k⌋` candidates drawn with probability ∝ squared distance to the nearest chosen centre.
/// - `algorithm = "lloyd"` (default) assigns by GEMM in row blocks; `"elkan"` skips distance
///   computations with triangle-inequality bounds (same result, fewer distances on well-separated data).
///
/// Defaults: `n_clusters=8, init="k-means++", n_init="auto"` (1 for k-means++, 10 for random),
/// `max_iter=300, tol=1e-4, algorithm="lloyd", random_state=None`.
public final class KMeans: PredictingClusterer, Transformer {
    public static let modelName = "kmeans"

    /// Number of clusters `k` (`n_clusters`).
    public var nClusters: Int
    /// `"k-means++"` or `"random"` (`init`).
    public var initMethod: String
    /// Restarts (`n_init`); nil means `"auto"`.
    public var nInit: Int?
    /// Maximum Lloyd/Elkan iterations per run (`max_iter`).
    public var maxIter: Int
    /// Relative tolerance on the centre shift (`tol`).
    public var tol: Double
    /// `"lloyd"` or `"elkan"` (`algorithm`).
    public var algorithm: String
    /// Seed (`random_state`); nil draws one.
    public var randomState: Int?

    /// Cluster centres, `k × features` (`cluster_centers_`).
    public private(set) var clusterCenters = Matrix(rows: 0, columns: 0)
    /// Cluster of each training sample (`labels_`).
    public private(set) var labels: [Int] = []
    /// Sum of squared distances of samples to their centre (`inertia_`).
    public private(set) var inertia = 0.0
    /// Iterations of the best run (`n_iter_`).
    public private(set) var nIterations = 0

    /// k-means with scikit-learn's defaults.
    public init(nClusters: Int = 8, initMethod: String = "k-means++", nInit: Int? = nil, maxIter: Int = 300,
                tol: Double = 1e-4, algorithm: String = "lloyd", randomState: Int? = nil) {
        self.nClusters = nClusters; self.initMethod = initMethod; self.nInit = nInit; self.maxIter = maxIter
        self.tol = tol; self.algorithm = algorithm; self.randomState = randomState
    }
    public convenience init() { self.init(nClusters: 8) }

    public var parameters: [String: ParamValue] {
        ["n_clusters": .int(nClusters), "init": .string(initMethod), "n_init": nInit.map { .int($0) } ?? .string("auto"),
         "max_iter": .int(maxIter), "tol": .double(tol), "algorithm": .string(algorithm), "random_state": randomState.param]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "n_clusters": nClusters = try value.int(name)
        case "init": initMethod = try value.choice(name, ["k-means++", "random"])
        case "n_init":
            if case .string(let s) = value, s == "auto" { nInit = nil } else { nInit = try value.int(name) }
        case "max_iter": maxIter = try value.int(name, atMost: ParameterLimits.iterations)
        case "tol": tol = try value.double(name)
        case "algorithm": algorithm = try value.choice(name, ["lloyd", "elkan"])
        case "random_state": randomState = try value.randomState(name)
        default: throw unknownParameter(name)
        }
    }

    private func validate(_ x: Matrix) throws {
        try require(nClusters >= 1, "n_clusters", nClusters, "must be at least 1")
        try require(["k-means++", "random"].contains(initMethod), "init", initMethod, "expected k-means++ or random")
        try require((nInit ?? 1) >= 1, "n_init", nInit ?? 1, "must be at least 1")
        try require(maxIter >= 1, "max_iter", maxIter, "must be at least 1")
        try require(tol >= 0 && tol.isFinite, "tol", tol, "must be a non-negative number")
        try require(["lloyd", "elkan"].contains(algorithm), "algorithm", algorithm, "expected lloyd or elkan")
        try Check.features(x, "KMeans.fit")
        guard x.rows >= nClusters else {
            throw LearnError.invalidInput("KMeans.fit: n_samples=\(x.rows) should be >= n_clusters=\(nClusters)")
        }
    }

    /// Clusters the rows of `x`.
    public func fit(_ x: Matrix) throws {
        try validate(x)
        // Centre the data (as scikit-learn does) for precision of the GEMM distance identity.
        let mean = x.columnMeans()
        var xc = x
        for i in 0..<x.rows { for j in 0..<x.columns { xc.values[i * x.columns + j] -= mean[j] } }
        let tolAbs = unsupColumnVariances(x).reduce(0, +) / Double(x.columns) * tol
        let runs = nInit ?? (initMethod == "random" ? 10 : 1)
        var rng = SeededRandom(seed: randomState.unsupSeed)
        let norms = unsupRowSquaredNorms(xc)
        var best: KMeansRun?
        for _ in 0..<runs {
            let start = initMethod == "random"
                ? xc.rows(rng.sample(xc.rows, count: nClusters))
                : KMeans.plusPlus(xc, k: nClusters, norms: norms, rng: &rng).centers
            let run = algorithm == "elkan"
                ? KMeans.elkan(xc, norms: norms, centers: start, maxIter: maxIter, tol: tolAbs)
                : KMeans.lloyd(xc, norms: norms, centers: start, maxIter: maxIter, tol: tolAbs)
            if best == nil || run.inertia < best!.inertia { best = run }
        }
        var centers = best!.centers
        for r in 0..<centers.rows { for j in 0..<centers.columns { centers[r, j] += mean[j] } }
        clusterCenters = centers
        labels = best!.labels
        inertia = best!.inertia
        nIterations = best!.iterations
    }

    /// `Transformer` conformance: fits, ignoring the target.
    public func fit(_ x: Matrix, target: Target?) throws { try fit(x) }

    private func checkFitted(_ x: Matrix, _ caller: String) throws {
        guard clusterCenters.rows > 0 else { throw LearnError.notFitted(Self.modelName) }
        try Check.featureCount(x, expected: clusterCenters.columns, caller)
    }

    /// Index of the nearest centre for each row.
    public func predict(_ x: Matrix) throws -> [Int] {
        try checkFitted(x, "KMeans.predict")
        return KMeans.assign(x, norms: unsupRowSquaredNorms(x), centers: clusterCenters).labels
    }

    /// Euclidean distance from each row to each centre (`n × k`).
    public func transform(_ x: Matrix) throws -> Matrix {
        try checkFitted(x, "KMeans.transform")
        var d = unsupSquaredDistances(x, clusterCenters)
        for i in 0..<d.values.count { d.values[i] = d.values[i].squareRoot() }
        return d
    }

    /// Opposite of the inertia of `x` under the fitted centres (`score`).
    public func score(_ x: Matrix) throws -> Double {
        try checkFitted(x, "KMeans.score")
        return -KMeans.assign(x, norms: unsupRowSquaredNorms(x), centers: clusterCenters).inertia
    }

    /// Inertia of a k-means fit for each `k` in `ks` (the "elbow" curve), seeded with `randomState`.
    public static func elbow(_ x: Matrix, ks: [Int], randomState: Int? = 0) throws -> [Double] {
        try ks.map { k in
            let m = KMeans(nClusters: k, randomState: randomState)
            try m.fit(x)
            return m.inertia
        }
    }

    /// Silhouette score of a k-means fit for each `k` in `ks` (each `k` ≥ 2), seeded with `randomState`.
    public static func silhouetteScan(_ x: Matrix, ks: [Int], randomState: Int? = 0) throws -> [Double] {
        try ks.map { k in
            try require(k >= 2, "ks", k, "silhouette needs at least 2 clusters")
            let m = KMeans(nClusters: k, randomState: randomState)
            try m.fit(x)
            return try ClusterMetrics.silhouetteScore(x, m.labels)
        }
    }

    // MARK: - Algorithms

    /// One finished run.
    struct KMeansRun { var centers: Matrix; var labels: [Int]; var inertia: Double; var iterations: Int }

    /// Greedy k-means++ seeding: returns the centres and the chosen sample indices.
    static func plusPlus(_ x: Matrix, k: Int, norms: [Double], rng: inout SeededRandom) -> (centers: Matrix, indices: [Int]) {
        let n = x.rows
        let trials = 2 + Int(Foundation.log(Double(k)))
        var indices = [rng.int(below: n)]
        var closest = unsupSquaredDistances(x.rows(indices), x, aNorms: [norms[indices[0]]], bNorms: norms).values
        var potential = closest.reduce(0, +)
        for _ in 1..<k {
            // Candidates drawn ∝ current squared distance (searchsorted on the cumulative sum).
            var cumulative = closest
            for i in 1..<n { cumulative[i] += cumulative[i - 1] }
            var candidates = [Int]()
            for _ in 0..<trials {
                let r = rng.uniform() * potential
                var lo = 0, hi = n
                while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] <= r { lo = mid + 1 } else { hi = mid } }
                candidates.append(Swift.min(lo, n - 1))
            }
            let dc = unsupSquaredDistances(x.rows(candidates), x, aNorms: candidates.map { norms[$0] }, bNorms: norms)
            var bestPot = Double.infinity, bestT = 0
            for t in 0..<trials {
                var pot = 0.0
                for i in 0..<n { pot += Swift.min(closest[i], dc[t, i]) }
                if pot < bestPot { bestPot = pot; bestT = t }
            }
            for i in 0..<n { closest[i] = Swift.min(closest[i], dc[bestT, i]) }
            potential = bestPot
            indices.append(candidates[bestT])
        }
        return (x.rows(indices), indices)
    }

    /// Nearest centre of every row and the inertia. Fast path: GEMM in blocks of rows, blocks in parallel.
    static func assign(_ x: Matrix, norms: [Double], centers: Matrix) -> (labels: [Int], inertia: Double, distances: [Double]) {
        let n = x.rows, k = centers.rows
        let cnorms = unsupRowSquaredNorms(centers)
        var labels = [Int](repeating: 0, count: n)
        var best = [Double](repeating: 0, count: n)
        let block = 512
        let blocks = (n + block - 1) / block
        labels.withUnsafeMutableBufferPointer { lp in
            best.withUnsafeMutableBufferPointer { bp in
                let lp = lp, bp = bp
                let body = { (b: Int) in
                    let s = b * block, e = Swift.min(n, s + block)
                    let xb = Matrix(rows: e - s, columns: x.columns, values: Array(x.values[(s * x.columns)..<(e * x.columns)]))
                    let g = Matrix.product(xb, centers, transposeB: true)
                    g.values.withUnsafeBufferPointer { gp in
                        for r in 0..<(e - s) {
                            var m = Double.infinity, arg = 0
                            for c in 0..<k {
                                let v = cnorms[c] - 2 * gp[r * k + c]
                                if v < m { m = v; arg = c }
                            }
                            lp[s + r] = arg
                            bp[s + r] = Swift.max(m + norms[s + r], 0)
                        }
                    }
                }
                if n * k * x.columns > 400_000 { DispatchQueue.concurrentPerform(iterations: blocks, execute: body) }
                else { for b in 0..<blocks { body(b) } }
            }
        }
        return (labels, best.reduce(0, +), best)
    }

    /// Means of the assigned samples; an empty cluster takes the sample farthest from its
    /// centre (scikit-learn's relocation rule), which leaves its old cluster.
    static func updateCenters(_ x: Matrix, labels: inout [Int], distances: [Double], k: Int) -> Matrix {
        let d = x.columns
        var sums = Matrix(rows: k, columns: d)
        var counts = [Int](repeating: 0, count: k)
        x.values.withUnsafeBufferPointer { xp in
            sums.values.withUnsafeMutableBufferPointer { sp in
                for i in 0..<x.rows {
                    let c = labels[i]; counts[c] += 1
                    for j in 0..<d { sp[c * d + j] += xp[i * d + j] }
                }
            }
        }
        let empty = (0..<k).filter { counts[$0] == 0 }
        if !empty.isEmpty {
            let far = Array(0..<x.rows).sorted { distances[$0] > distances[$1] }.prefix(empty.count)
            for (c, i) in zip(empty, far) {
                let old = labels[i]
                guard counts[old] > 1 else { continue }
                for j in 0..<d { sums[old, j] -= x[i, j]; sums[c, j] = x[i, j] }
                counts[old] -= 1; counts[c] = 1; labels[i] = c
            }
        }
        for c in 0..<k where counts[c] > 0 { for j in 0..<d { sums[c, j] /= Double(counts[c]) } }
        return sums
    }

    private static func shift(_ a: Matrix, _ b: Matrix) -> [Double] {
        (0..<a.rows).map { r in
            var s = 0.0
            for j in 0..<a.columns { let t = a[r, j] - b[r, j]; s += t * t }
            return s.squareRoot()
        }
    }

    /// Lloyd's algorithm from `centers`.
    static func lloyd(_ x: Matrix, norms: [Double], centers start: Matrix, maxIter: Int, tol: Double) -> KMeansRun {
        var centers = start
        var oldLabels = [Int]()
        var strict = false
        var iterations = 0
        var labels = [Int]()
        for it in 0..<maxIter {
            iterations = it + 1
            let a = assign(x, norms: norms, centers: centers)
            labels = a.labels
            let newCenters = updateCenters(x, labels: &labels, distances: a.distances, k: centers.rows)
            let moved = shift(centers, newCenters).reduce(0) { $0 + $1 * $1 }
            centers = newCenters
            if labels == oldLabels { strict = true; break }
            if moved <= tol { break }
            oldLabels = labels
        }
        let final = assign(x, norms: norms, centers: centers)
        if !strict { labels = final.labels }
        return KMeansRun(centers: centers, labels: labels, inertia: final.inertia, iterations: iterations)
    }

    /// Elkan's algorithm: exact k-means that keeps an upper bound on the distance to the own
    /// centre and lower bounds to the others, and skips distances the triangle inequality rules out.
    static func elkan(_ x: Matrix, norms: [Double], centers start: Matrix, maxIter: Int, tol: Double) -> KMeansRun {
        let n = x.rows, k = start.rows, d = x.columns
        var centers = start
        func dist(_ i: Int, _ c: Int) -> Double {
            var s = 0.0
            for j in 0..<d { let t = x.values[i * d + j] - centers.values[c * d + j]; s += t * t }
            return s.squareRoot()
        }
        // Initial exact assignment and bounds.
        var lower = [Double](repeating: 0, count: n * k)
        var upper = [Double](repeating: 0, count: n)
        var labels = [Int](repeating: 0, count: n)
        for i in 0..<n {
            var bestD = Double.infinity
            for c in 0..<k { let v = dist(i, c); lower[i * k + c] = v; if v < bestD { bestD = v; labels[i] = c } }
            upper[i] = bestD
        }
        var oldLabels = [Int]()
        var strict = false, iterations = 0
        for it in 0..<maxIter {
            iterations = it + 1
            // Half distances between centres and half the distance to the nearest other centre.
            var half = [Double](repeating: 0, count: k * k)
            var s = [Double](repeating: .infinity, count: k)
            for a in 0..<k { for b in 0..<k where a != b {
                var v = 0.0
                for j in 0..<d { let t = centers[a, j] - centers[b, j]; v += t * t }
                half[a * k + b] = v.squareRoot() / 2
                s[a] = Swift.min(s[a], half[a * k + b])
            } }
            for i in 0..<n {
                var c = labels[i]
                if upper[i] <= s[c] { continue }
                var tight = false
                for j in 0..<k where j != c {
                    if upper[i] > lower[i * k + j] && upper[i] > half[c * k + j] {
                        if !tight { upper[i] = dist(i, c); lower[i * k + c] = upper[i]; tight = true }
                        if upper[i] > lower[i * k + j] || upper[i] > half[c * k + j] {
                            let v = dist(i, j)
                            lower[i * k + j] = v
                            if v < upper[i] { c = j; upper[i] = v }
                        }
                    }
                }
                labels[i] = c
            }
            let distances = upper.map { $0 * $0 }
            let newCenters = updateCenters(x, labels: &labels, distances: distances, k: k)
            let moved = shift(centers, newCenters)
            centers = newCenters
            for i in 0..<n {
                upper[i] += moved[labels[i]]
                for c in 0..<k { lower[i * k + c] = Swift.max(lower[i * k + c] - moved[c], 0) }
            }
            if labels == oldLabels { strict = true; break }
            if moved.reduce(0, { $0 + $1 * $1 }) <= tol { break }
            oldLabels = labels
        }
        let final = assign(x, norms: norms, centers: centers)
        if !strict { labels = final.labels }
        return KMeansRun(centers: centers, labels: labels, inertia: final.inertia, iterations: iterations)
    }
}

import Foundation

/// t-distributed stochastic neighbour embedding (`sklearn.manifold.TSNE`).
///
/// Embeds the rows in 2 (or 3) dimensions so that neighbours stay neighbours. Input affinities
/// are Gaussian conditional probabilities `p_{j|i} ∝ exp(−β_i ‖xᵢ − xⱼ‖²)` whose precisions
/// `β_i` are found by binary search so that each row's perplexity `2^{H(P_i)}` equals
/// `perplexity`; they are symmetrised `P = (P + Pᵀ) / Σ`. Embedding affinities are Student-t
/// `q_ij ∝ (1 + ‖yᵢ − yⱼ‖²/ν)^{−(ν+1)/2}` (ν = max(d − 1, 1)). The KL divergence
/// `KL(P‖Q)` is minimised by gradient descent with momentum (0.5 during 250 iterations of early
/// exaggeration where `P` is multiplied by `early_exaggeration`, then 0.8) and per-coordinate
/// gains (+0.2 when the gradient changes sign, ×0.8 otherwise, at least 0.01), as scikit-learn.
///
/// - `method = "barnes_hut"` (default): `P` restricted to the `3·perplexity + 1` nearest
///   neighbours; repulsive forces approximated with a quad-tree (2-D) / oct-tree (3-D), cells
///   summarised when `width² / distance² < angle²`. O(n log n) per iteration.
/// - `method = "exact"`: all pairs, O(n²) per iteration.
///
/// Like scikit-learn there is no out-of-sample `transform`: use ``fitTransform(_:)`` or read
/// ``embedding`` after `fit`. (`transform` returns the embedding only for the very rows it was
/// fitted on, which makes the generic `fitTransform` of pipelines work, and throws otherwise.)
///
/// Defaults: `n_components=2, perplexity=30, early_exaggeration=12, learning_rate="auto"`
/// (`max(n / early_exaggeration / 4, 50)`), `max_iter=1000, n_iter_without_progress=300,
/// min_grad_norm=1e-7, metric="euclidean", init="pca", method="barnes_hut", angle=0.5, random_state=None`.
public final class TSNE: Transformer {
    public static let modelName = "tsne"

    /// Embedding dimension (`n_components`); at most 3 for Barnes–Hut.
    public var nComponents: Int
    /// Effective number of neighbours (`perplexity`).
    public var perplexity: Double
    /// Factor on `P` during the first 250 iterations (`early_exaggeration`).
    public var earlyExaggeration: Double
    /// Step size (`learning_rate`); nil is `"auto"`.
    public var learningRate: Double?
    /// Total iterations (`max_iter`), at least 250.
    public var maxIter: Int
    /// Stop after this many iterations without improvement, checked every 50 (`n_iter_without_progress`).
    public var nIterWithoutProgress: Int
    /// Stop when the gradient norm falls below this (`min_grad_norm`).
    public var minGradNorm: Double
    /// Only `"euclidean"` (`metric`).
    public var metric: String
    /// `"pca"` or `"random"` (`init`).
    public var initMethod: String
    /// `"barnes_hut"` or `"exact"` (`method`).
    public var method: String
    /// Barnes–Hut accuracy trade-off θ (`angle`).
    public var angle: Double
    /// Seed (`random_state`).
    public var randomState: Int?

    /// The embedded rows, `n × n_components` (`embedding_`).
    public private(set) var embedding = Matrix(rows: 0, columns: 0)
    /// Final KL divergence (`kl_divergence_`).
    public private(set) var klDivergence = 0.0
    /// Iterations run (`n_iter_`).
    public private(set) var nIterations = 0
    /// The learning rate used (`learning_rate_`).
    public private(set) var learningRateUsed = 0.0
    private var trainingFingerprint: UInt64 = 0

    /// t-SNE with scikit-learn's defaults.
    public init(nComponents: Int = 2, perplexity: Double = 30, earlyExaggeration: Double = 12, learningRate: Double? = nil,
                maxIter: Int = 1000, nIterWithoutProgress: Int = 300, minGradNorm: Double = 1e-7, metric: String = "euclidean",
                initMethod: String = "pca", method: String = "barnes_hut", angle: Double = 0.5, randomState: Int? = nil) {
        self.nComponents = nComponents; self.perplexity = perplexity; self.earlyExaggeration = earlyExaggeration
        self.learningRate = learningRate; self.maxIter = maxIter; self.nIterWithoutProgress = nIterWithoutProgress
        self.minGradNorm = minGradNorm; self.metric = metric; self.initMethod = initMethod; self.method = method
        self.angle = angle; self.randomState = randomState
    }
    public convenience init() { self.init(nComponents: 2) }

    public var parameters: [String: ParamValue] {
        ["n_components": .int(nComponents), "perplexity": .double(perplexity), "early_exaggeration": .double(earlyExaggeration),
         "learning_rate": learningRate.map { .double($0) } ?? .string("auto"), "max_iter": .int(maxIter),
         "n_iter_without_progress": .int(nIterWithoutProgress), "min_grad_norm": .double(minGradNorm),
         "metric": .string(metric), "init": .string(initMethod), "method": .string(method), "angle": .double(angle),
         "random_state": randomState.param]
    }

    public func setParameter(_ name: String, _ value: ParamValue) throws {
        switch name {
        case "n_components": nComponents = try value.int(name, atMost: ParameterLimits.tableElements)
        case "perplexity": perplexity = try value.double(name)
        case "early_exaggeration": earlyExaggeration = try value.double(name)
        case "learning_rate":
            if case .string(let s) = value, s == "auto" { learningRate = nil } else { learningRate = try value.double(name) }
        case "max_iter": maxIter = try value.int(name, atMost: ParameterLimits.iterations)
        case "n_iter_without_progress": nIterWithoutProgress = try value.int(name)
        case "min_grad_norm": minGradNorm = try value.double(name)
        case "metric": metric = try value.choice(name, ["euclidean"])
        case "init": initMethod = try value.choice(name, ["pca", "random"])
        case "method": method = try value.choice(name, ["barnes_hut", "exact"])
        case "angle": angle = try value.double(name)
        case "random_state": randomState = try value.randomState(name)
        default: throw unknownParameter(name)
        }
    }

    /// A deterministic fingerprint of a matrix (FNV-1a over the bit patterns).
    static func fingerprint(_ x: Matrix) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for v in [UInt64(x.rows), UInt64(x.columns)] + x.values.map(\.bitPattern) { h = (h ^ v) &* 0x100_0000_01b3 }
        return h
    }

    /// Embeds the rows of `x` (the target is ignored).
    public func fit(_ x: Matrix, target: Target?) throws {
        try require(nComponents >= 1, "n_components", nComponents, "must be at least 1")
        try require(method == "exact" || method == "barnes_hut", "method", method, "expected barnes_hut or exact")
        try require(method == "exact" || nComponents < 4, "n_components", nComponents, "'n_components' should be inferior to 4 for the barnes_hut algorithm as it relies on quad-tree or oct-tree")
        try require(perplexity > 0, "perplexity", perplexity, "must be positive")
        try require(earlyExaggeration >= 1, "early_exaggeration", earlyExaggeration, "must be at least 1")
        try require((learningRate ?? 1) > 0, "learning_rate", learningRate ?? 1, "must be positive")
        try require(maxIter >= 250, "max_iter", maxIter, "should be at least 250")
        try require(angle >= 0 && angle <= 1, "angle", angle, "must lie in [0, 1]")
        try require(metric == "euclidean", "metric", metric, "only euclidean is supported")
        try require(initMethod == "pca" || initMethod == "random", "init", initMethod, "expected pca or random")
        try Check.features(x, "TSNE.fit", minRows: 2)
        let n = x.rows
        guard perplexity < Double(n) else {
            throw LearnError.invalidInput("TSNE.fit: perplexity (\(perplexity)) must be less than n_samples (\(n))")
        }
        // The embedding (n × n_components) and, for the exact method, the n × n affinities.
        let embeddingSize = SizeArithmetic.product(n, nComponents) ?? Int.max
        try require(embeddingSize <= ParameterLimits.tableElements, "n_components", nComponents,
                    "n_samples × n_components must be at most \(ParameterLimits.tableElements)")
        if method == "exact" {
            try require((SizeArithmetic.product(n, n) ?? Int.max) <= ParameterLimits.tableElements, "method", method,
                        "the exact method keeps n_samples² affinities, at most \(ParameterLimits.tableElements) (use barnes_hut)")
        }
        learningRateUsed = learningRate ?? Swift.max(Double(n) / earlyExaggeration / 4, 50)
        var rng = SeededRandom(seed: randomState.unsupSeed)

        // Input affinities.
        let p: TSNEAffinities
        if method == "exact" {
            p = TSNE.exactAffinities(x, perplexity: perplexity)
        } else {
            let k = Swift.min(n - 1, Int(3 * perplexity + 1))
            p = TSNE.neighborAffinities(x, neighbors: k, perplexity: perplexity)
        }

        // Initial embedding.
        var y: Matrix
        if initMethod == "pca" {
            let pca = PCA(nComponents: Swift.min(nComponents, Swift.min(n, x.columns)), svdSolver: "randomized",
                          randomState: Int(truncatingIfNeeded: rng.childSeed()))
            if pca.nComponents! < nComponents || pca.nComponents! < 1 {
                throw LearnError.invalidInput("TSNE.fit: init='pca' needs n_components <= n_features")
            }
            y = try pca.fitTransform(x)
            let c0 = y.column(0)
            let m = c0.reduce(0, +) / Double(n)
            let sd = (c0.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n)).squareRoot()
            let scale = sd > 0 ? 1e-4 / sd : 1
            for i in 0..<y.values.count { y.values[i] *= scale }
        } else {
            y = Matrix(rows: n, columns: nComponents)
            for i in 0..<y.values.count { y.values[i] = 1e-4 * rng.normal() }
        }

        // Gradient descent: early exaggeration, then the real objective.
        let dof = Double(Swift.max(nComponents - 1, 1))
        let objective = TSNEObjective(p: p, dof: dof, dims: nComponents, angle: angle, exact: method == "exact")
        let exploration = 250
        var params = y.values
        var state = TSNE.descend(objective, &params, exaggeration: earlyExaggeration, start: 0, maxIter: exploration,
                                 momentum: 0.5, learningRate: learningRateUsed, withoutProgress: exploration, minGradNorm: minGradNorm)
        if state.iteration < exploration || maxIter - exploration > 0 {
            state = TSNE.descend(objective, &params, exaggeration: 1, start: state.iteration + 1, maxIter: maxIter,
                                 momentum: 0.8, learningRate: learningRateUsed, withoutProgress: nIterWithoutProgress, minGradNorm: minGradNorm)
        }
        embedding = Matrix(rows: n, columns: nComponents, values: params)
        klDivergence = state.error
        nIterations = state.iteration
        trainingFingerprint = TSNE.fingerprint(x)
    }

    /// The embedding of the rows `fit` saw; throws for any other rows (t-SNE has no
    /// out-of-sample map, as in scikit-learn).
    public func transform(_ x: Matrix) throws -> Matrix {
        guard embedding.rows > 0 else { throw LearnError.notFitted(Self.modelName) }
        guard TSNE.fingerprint(x) == trainingFingerprint else {
            throw LearnError.invalidInput("TSNE.transform: t-SNE cannot embed new rows; use fitTransform on the data to embed")
        }
        return embedding
    }

    /// Fits and returns the embedding (`fit_transform`).
    public func fitTransform(_ x: Matrix) throws -> Matrix {
        try fit(x, target: nil)
        return embedding
    }

    // MARK: - Affinities

    /// Conditional probabilities of one row by binary search on β (scikit-learn's
    /// `_binary_search_perplexity`): 100 steps at most, entropy tolerance 1e-5.
    static func conditionalRow(_ d2: [Double], perplexity: Double) -> [Double] {
        let desired = Foundation.log(perplexity)
        var beta = 1.0, lo = -Double.infinity, hi = Double.infinity
        var p = [Double](repeating: 0, count: d2.count)
        for _ in 0..<100 {
            var sum = 0.0
            for j in 0..<d2.count { p[j] = Foundation.exp(-d2[j] * beta); sum += p[j] }
            if sum == 0 { sum = 1e-8 }
            var sumDP = 0.0
            for j in 0..<d2.count { p[j] /= sum; sumDP += d2[j] * p[j] }
            let diff = Foundation.log(sum) + beta * sumDP - desired
            if Swift.abs(diff) <= 1e-5 { break }
            if diff > 0 {
                lo = beta
                beta = hi == .infinity ? beta * 2 : (beta + hi) / 2
            } else {
                hi = beta
                beta = lo == -.infinity ? beta / 2 : (beta + lo) / 2
            }
        }
        return p
    }

    /// Dense joint probabilities for the exact method.
    static func exactAffinities(_ x: Matrix, perplexity: Double) -> TSNEAffinities {
        let n = x.rows
        let d2 = unsupSquaredDistances(x, x)
        var cond = [Double](repeating: 0, count: n * n)
        cond.withUnsafeMutableBufferPointer { cp in
            let cp = cp
            unsupParallelChunks(n, costPerItem: n * 50) { s, e in
                for i in s..<e {
                    var row = d2.row(i)
                    row.remove(at: i)
                    let pr = conditionalRow(row, perplexity: perplexity)
                    var k = 0
                    for j in 0..<n where j != i { cp[i * n + j] = pr[k]; k += 1 }
                }
            }
        }
        var sum = 0.0
        var joint = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { joint[i * n + j] = cond[i * n + j] + cond[j * n + i]; sum += joint[i * n + j] } }
        sum = Swift.max(sum, Double.ulpOfOne)
        for i in 0..<n { for j in 0..<n where j != i { joint[i * n + j] = Swift.max(joint[i * n + j] / sum, Double.ulpOfOne) } }
        return TSNEAffinities(n: n, dense: joint, indptr: [], indices: [], values: [])
    }

    /// Sparse joint probabilities over the `neighbors` nearest neighbours (Barnes–Hut).
    static func neighborAffinities(_ x: Matrix, neighbors k: Int, perplexity: Double) -> TSNEAffinities {
        let n = x.rows
        let norms = unsupRowSquaredNorms(x)
        var nbr = [Int](repeating: 0, count: n * k)
        var cond = [Double](repeating: 0, count: n * k)
        let block = 256
        let blocks = (n + block - 1) / block
        nbr.withUnsafeMutableBufferPointer { np in
            cond.withUnsafeMutableBufferPointer { cp in
                let np = np, cp = cp
                let work = { (b: Int) in
                    let s = b * block, e = Swift.min(n, s + block)
                    let d2 = unsupSquaredDistances(x.rows(Array(s..<e)), x, aNorms: Array(norms[s..<e]), bNorms: norms)
                    for r in 0..<(e - s) {
                        let i = s + r
                        var idx = Array(0..<n)
                        idx.remove(at: i)
                        let base = r * n
                        // k smallest distances (ties by index).
                        idx.sort { (d2.values[base + $0], $0) < (d2.values[base + $1], $1) }
                        let chosen = idx.prefix(k)
                        let dist = chosen.map { d2.values[base + $0] }
                        let pr = conditionalRow(dist, perplexity: perplexity)
                        for (t, j) in chosen.enumerated() { np[i * k + t] = j; cp[i * k + t] = pr[t] }
                    }
                }
                if n > 300 { DispatchQueue.concurrentPerform(iterations: blocks, execute: work) } else { for b in 0..<blocks { work(b) } }
            }
        }
        // P + Pᵀ as compressed rows, normalised to sum 1.
        var rows = [[Int: Double]](repeating: [:], count: n)
        for i in 0..<n {
            for t in 0..<k {
                let j = nbr[i * k + t], v = cond[i * k + t]
                rows[i][j, default: 0] += v
                rows[j][i, default: 0] += v
            }
        }
        var indptr = [0], indices = [Int](), values = [Double]()
        var total = 0.0
        for i in 0..<n {
            for (j, v) in rows[i].sorted(by: { $0.key < $1.key }) { indices.append(j); values.append(v); total += v }
            indptr.append(indices.count)
        }
        total = Swift.max(total, Double.ulpOfOne)
        for t in 0..<values.count { values[t] /= total }
        return TSNEAffinities(n: n, dense: [], indptr: indptr, indices: indices, values: values)
    }

    // MARK: - Optimisation

    /// scikit-learn's `_gradient_descent`: momentum, adaptive gains, a convergence check every 50 iterations.
    static func descend(_ objective: TSNEObjective, _ params: inout [Double], exaggeration: Double, start: Int, maxIter: Int,
                        momentum: Double, learningRate: Double, withoutProgress: Int, minGradNorm: Double) -> (error: Double, iteration: Int) {
        var update = [Double](repeating: 0, count: params.count)
        var gains = [Double](repeating: 1, count: params.count)
        var error = Double.greatestFiniteMagnitude, bestError = Double.greatestFiniteMagnitude
        var bestIter = start, i = start
        var it = start
        while it < maxIter {
            i = it
            let check = (it + 1) % 50 == 0
            var grad = [Double](repeating: 0, count: params.count)
            let e = objective.gradient(params, exaggeration: exaggeration, computeError: check || it == maxIter - 1, into: &grad)
            if let e { error = e }
            var norm = 0.0
            for t in 0..<params.count {
                if update[t] * grad[t] < 0 { gains[t] += 0.2 } else { gains[t] *= 0.8 }
                gains[t] = Swift.max(gains[t], 0.01)
                grad[t] *= gains[t]
                norm += grad[t] * grad[t]
                update[t] = momentum * update[t] - learningRate * grad[t]
                params[t] += update[t]
            }
            if check {
                if error < bestError { bestError = error; bestIter = it }
                else if it - bestIter > withoutProgress { break }
                if norm.squareRoot() <= minGradNorm { break }
            }
            it += 1
        }
        return (error, i)
    }
}

/// Joint probabilities `P`: dense `n × n` (exact) or compressed sparse rows (Barnes–Hut).
struct TSNEAffinities {
    var n: Int
    var dense: [Double]
    var indptr: [Int]
    var indices: [Int]
    var values: [Double]
}

/// The KL objective and its gradient (exact, or Barnes–Hut with a space-partitioning tree).
struct TSNEObjective {
    let p: TSNEAffinities
    let dof: Double
    let dims: Int
    let angle: Double
    let exact: Bool

    /// Writes ∂KL/∂y into `grad`; returns KL(P‖Q) when `computeError` (with `P` exaggerated).
    func gradient(_ y: [Double], exaggeration: Double, computeError: Bool, into grad: inout [Double]) -> Double? {
        exact ? exactGradient(y, exaggeration, computeError, &grad) : barnesHutGradient(y, exaggeration, computeError, &grad)
    }

    /// The Student-t kernel `(1 + d²/ν)^{−(ν+1)/2}`.
    @inline(__always) private func kernel(_ d2: Double) -> Double {
        let q = dof / (dof + d2)
        return dof == 1 ? q : Foundation.pow(q, (dof + 1) / 2)
    }

    /// Reference O(n²) gradient: `∂KL/∂yᵢ = c Σⱼ (pᵢⱼ − qᵢⱼ) wᵢⱼ (yᵢ − yⱼ)`, `c = 2(ν+1)/ν`.
    private func exactGradient(_ y: [Double], _ ex: Double, _ computeError: Bool, _ grad: inout [Double]) -> Double? {
        let n = p.n, d = dims
        var w = [Double](repeating: 0, count: n * n)
        var sumW = 0.0
        for i in 0..<n { for j in (i + 1)..<Swift.max(n, i + 1) {
            var d2 = 0.0
            for a in 0..<d { let t = y[i * d + a] - y[j * d + a]; d2 += t * t }
            let v = kernel(d2)
            w[i * n + j] = v; w[j * n + i] = v; sumW += 2 * v
        } }
        let c = 2 * (dof + 1) / dof
        var kl = 0.0
        for i in 0..<n {
            for j in 0..<n where j != i {
                let pij = p.dense[i * n + j] * ex
                let qij = Swift.max(w[i * n + j] / sumW, Double.ulpOfOne)
                if computeError && j > i { kl += 2 * pij * Foundation.log(Swift.max(pij, Double.ulpOfOne) / qij) }
                let f = (pij - qij) * w[i * n + j]
                for a in 0..<d { grad[i * d + a] += c * f * (y[i * d + a] - y[j * d + a]) }
            }
        }
        return computeError ? kl : nil
    }

    /// Barnes–Hut gradient: attractive forces over the sparse `P`, repulsive forces summarised
    /// by the tree. Fast path: the per-point repulsion runs in parallel chunks.
    private func barnesHutGradient(_ y: [Double], _ ex: Double, _ computeError: Bool, _ grad: inout [Double]) -> Double? {
        let n = p.n, d = dims
        let tree = TSNETree(points: y, count: n, dims: d)
        var neg = [Double](repeating: 0, count: n * d)
        let chunks = n > 200 ? 8 : 1
        var partial = [Double](repeating: 0, count: chunks)
        let theta2 = angle * angle
        neg.withUnsafeMutableBufferPointer { np in
            partial.withUnsafeMutableBufferPointer { pp in
                let np = np, pp = pp
                let work = { (c: Int) in
                    var sumQ = 0.0
                    var force = [Double](repeating: 0, count: d)
                    for i in (n * c / chunks)..<(n * (c + 1) / chunks) {
                        for a in 0..<d { force[a] = 0 }
                        tree.repulsion(y, i, theta2: theta2, kernel: { kernel($0) }, force: &force, sumQ: &sumQ)
                        for a in 0..<d { np[i * d + a] = force[a] }
                    }
                    pp[c] = sumQ
                }
                if chunks > 1 { DispatchQueue.concurrentPerform(iterations: chunks, execute: work) } else { work(0) }
            }
        }
        let sumQ = partial.reduce(0, +)
        let c = 2 * (dof + 1) / dof
        var kl = 0.0
        for i in 0..<n {
            for t in p.indptr[i]..<p.indptr[i + 1] {
                let j = p.indices[t], pij = p.values[t] * ex
                var d2 = 0.0
                for a in 0..<d { let v = y[i * d + a] - y[j * d + a]; d2 += v * v }
                let q = kernel(d2)
                if computeError {
                    let qij = q / sumQ
                    kl += pij * Foundation.log(Swift.max(pij, 1.1754944e-38) / Swift.max(qij, 1.1754944e-38))
                }
                for a in 0..<d { grad[i * d + a] += c * pij * q * (y[i * d + a] - y[j * d + a]) }
            }
            for a in 0..<d { grad[i * d + a] -= c * neg[i * d + a] / sumQ }
        }
        return computeError ? kl : nil
    }
}

/// A quad-tree (2-D), oct-tree (3-D) or binary tree (1-D) over the embedding, each cell holding
/// its points' count and barycentre (scikit-learn's `_QuadTree`). Points closer than 1e-6 in
/// every coordinate share a leaf.
struct TSNETree {
    private var center: [Double] = []     // barycentre, dims per cell
    private var size: [Int] = []
    private var lower: [Double] = []
    private var upper: [Double] = []
    private var width2: [Double] = []     // squared largest side
    private var children: [Int] = []      // 2^dims per cell, −1 when absent
    private var leaf: [Bool] = []
    private let dims: Int
    private let fan: Int

    init(points y: [Double], count n: Int, dims d: Int) {
        dims = d; fan = 1 << d
        var lo = [Double](repeating: .infinity, count: d), hi = [Double](repeating: -.infinity, count: d)
        for i in 0..<n { for a in 0..<d { lo[a] = Swift.min(lo[a], y[i * d + a]); hi[a] = Swift.max(hi[a], y[i * d + a]) } }
        for a in 0..<d { hi[a] = Swift.max(hi[a] * (1 + 1e-3 * (hi[a] > 0 ? 1 : (hi[a] < 0 ? -1 : 0))), hi[a] + 1e-3) }
        addCell(lo, hi)
        for i in 0..<n { insert(Array(y[(i * d)..<((i + 1) * d)])) }
    }

    private mutating func addCell(_ lo: [Double], _ hi: [Double]) {
        center.append(contentsOf: [Double](repeating: 0, count: dims))
        size.append(0)
        lower.append(contentsOf: lo); upper.append(contentsOf: hi)
        var w = 0.0
        for a in 0..<dims { w = Swift.max(w, (hi[a] - lo[a]) * (hi[a] - lo[a])) }
        width2.append(w)
        children.append(contentsOf: [Int](repeating: -1, count: fan))
        leaf.append(true)
    }

    /// Child slot of `point` in `cell` (one bit per dimension: above the cell's midpoint).
    private func slot(_ cell: Int, _ point: [Double]) -> Int {
        var s = 0
        for a in 0..<dims where point[a] >= (lower[cell * dims + a] + upper[cell * dims + a]) / 2 { s |= 1 << a }
        return s
    }

    private mutating func child(_ cell: Int, _ s: Int) -> Int {
        if children[cell * fan + s] >= 0 { return children[cell * fan + s] }
        var lo = [Double](repeating: 0, count: dims), hi = lo
        for a in 0..<dims {
            let l = lower[cell * dims + a], u = upper[cell * dims + a], m = (l + u) / 2
            if s & (1 << a) != 0 { lo[a] = m; hi[a] = u } else { lo[a] = l; hi[a] = m }
        }
        addCell(lo, hi)
        let id = size.count - 1
        children[cell * fan + s] = id
        return id
    }

    private mutating func insert(_ point: [Double]) {
        var cell = 0
        while true {
            if leaf[cell] {
                if size[cell] == 0 {
                    for a in 0..<dims { center[cell * dims + a] = point[a] }
                    size[cell] = 1
                    return
                }
                var duplicate = true
                for a in 0..<dims where Swift.abs(point[a] - center[cell * dims + a]) > 1e-6 { duplicate = false }
                if duplicate { size[cell] += 1; return }
                // Split: the resident point(s) move to a child; the cell keeps the aggregate.
                let resident = Array(center[(cell * dims)..<((cell + 1) * dims)])
                let c = child(cell, slot(cell, resident))
                for a in 0..<dims { center[c * dims + a] = resident[a] }
                size[c] = size[cell]
                leaf[cell] = false
            }
            let s = Double(size[cell])
            for a in 0..<dims { center[cell * dims + a] = (center[cell * dims + a] * s + point[a]) / (s + 1) }
            size[cell] += 1
            cell = child(cell, slot(cell, point))
        }
    }

    /// Adds the summarised repulsion on point `i`: Σ over summary cells of `size · q² · (yᵢ − centre)`
    /// into `force`, and `size · q` into `sumQ`.
    func repulsion(_ y: [Double], _ i: Int, theta2: Double, kernel: (Double) -> Double, force: inout [Double], sumQ: inout Double) {
        var stack = [0]
        var delta = [Double](repeating: 0, count: dims)
        while let cell = stack.popLast() {
            if size[cell] == 0 { continue }
            var d2 = 0.0, duplicate = true
            for a in 0..<dims {
                delta[a] = y[i * dims + a] - center[cell * dims + a]
                d2 += delta[a] * delta[a]
                if Swift.abs(delta[a]) > 1e-6 { duplicate = false }
            }
            if leaf[cell] && duplicate { continue }
            if leaf[cell] || width2[cell] / d2 < theta2 {
                let q = kernel(d2), m = Double(size[cell])
                sumQ += m * q
                let mult = m * q * q
                for a in 0..<dims { force[a] += mult * delta[a] }
            } else {
                for s in 0..<fan where children[cell * fan + s] >= 0 { stack.append(children[cell * fan + s]) }
            }
        }
    }
}

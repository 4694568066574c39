import Foundation

/// Scores and p-values of a univariate feature test.
public typealias FeatureScores = (scores: [Double], pvalues: [Double])

func fsCheck(_ x: Matrix, _ n: Int, _ caller: String) throws {
    try Check.features(x, caller)
    try Check.lengths(x, n, caller)
}

/// One-way ANOVA F statistic of each feature across the classes (scikit-learn's `f_classif`):
/// F = (SS_between / (k − 1)) / (SS_within / (n − k)), p = P(F(k − 1, n − k) > F).
/// A feature constant within every class gives F = ∞ (or NaN if constant overall).
public func fClassif(_ x: Matrix, _ y: [Int]) throws -> FeatureScores {
    try fsCheck(x, y.count, "fClassif")
    let labels = LabelSet(y)
    let code = try labels.encode(y, "fClassif")
    let k = labels.count, n = x.rows, p = x.columns
    if k < 2 { throw LearnError.invalidInput("fClassif: y needs at least 2 classes") }
    if n <= k { throw LearnError.invalidInput("fClassif: needs more samples than classes") }
    // Sums per class in row order, then totals over classes in class order: the summation
    // order of scikit-learn's f_oneway, which matters because SS_within is a difference of
    // large sums.
    var classCount = [Double](repeating: 0, count: k)
    for c in code { classCount[c] += 1 }
    var classSum = [Double](repeating: 0, count: k * p), classSq = classSum
    for i in 0..<n {
        let c = code[i]
        for j in 0..<p { let v = x[i, j]; classSum[c * p + j] += v; classSq[c * p + j] += v * v }
    }
    var sum = [Double](repeating: 0, count: p), sumSq = sum
    for c in 0..<k { for j in 0..<p { sum[j] += classSum[c * p + j]; sumSq[j] += classSq[c * p + j] } }
    var scores = [Double](), pvalues = [Double]()
    let dfb = Double(k - 1), dfw = Double(n - k)
    for j in 0..<p {
        let sqAll = sum[j] * sum[j]
        let sstot = sumSq[j] - sqAll / Double(n)
        var ssbn = 0.0
        for c in 0..<k { ssbn += classSum[c * p + j] * classSum[c * p + j] / classCount[c] }
        ssbn -= sqAll / Double(n)
        let sswn = sstot - ssbn
        let f = (ssbn / dfb) / (sswn / dfw)
        scores.append(f)
        pvalues.append(SpecialFunctions.fSurvival(f, dfb, dfw))
    }
    return (scores, pvalues)
}

/// χ² statistic of each non-negative feature against the classes (scikit-learn's `chi2`,
/// for counts or frequencies): observed = per-class feature sums, expected = class share ×
/// feature total, χ² = Σ (O − E)² / E, p = P(χ²(k − 1) > χ²).
public func chi2(_ x: Matrix, _ y: [Int]) throws -> FeatureScores {
    try fsCheck(x, y.count, "chi2")
    if x.values.contains(where: { $0 < 0 }) { throw LearnError.invalidInput("chi2: input x must be non-negative") }
    let labels = LabelSet(y)
    let code = try labels.encode(y, "chi2")
    let k = labels.count, p = x.columns
    var observed = [Double](repeating: 0, count: k * p), total = [Double](repeating: 0, count: p)
    var classCount = [Double](repeating: 0, count: k)
    for i in 0..<x.rows {
        classCount[code[i]] += 1
        for j in 0..<p { observed[code[i] * p + j] += x[i, j]; total[j] += x[i, j] }
    }
    var scores = [Double](), pvalues = [Double]()
    for j in 0..<p {
        var s = 0.0
        for c in 0..<k {
            let e = classCount[c] / Double(x.rows) * total[j]
            let d = observed[c * p + j] - e
            s += d * d / e
        }
        scores.append(s)
        pvalues.append(SpecialFunctions.chi2Survival(s, Double(k - 1)))
    }
    return (scores, pvalues)
}

/// Univariate linear-regression F statistic of each feature (scikit-learn's `f_regression`):
/// r = Pearson correlation with y, F = r² / (1 − r²) · (n − 2), p = P(F(1, n − 2) > F).
/// As scikit-learn's `force_finite=True`: a constant feature (or y) gives F = 0, p = 1; a
/// perfectly correlated one F = Double.greatestFiniteMagnitude, p = 0.
public func fRegression(_ x: Matrix, _ y: [Double]) throws -> FeatureScores {
    try Check.targets(x, y, "fRegression")
    let n = x.rows, p = x.columns
    if n < 3 { throw LearnError.invalidInput("fRegression: needs at least 3 samples") }
    let ym = y.reduce(0, +) / Double(n)
    let yc = y.map { $0 - ym }
    let yNorm = yc.map { $0 * $0 }.reduce(0, +).squareRoot()
    let means = x.columnMeans()
    var dot = [Double](repeating: 0, count: p), sq = dot
    for i in 0..<n { for j in 0..<p { let v = x[i, j]; dot[j] += yc[i] * v; sq[j] += v * v } }
    let dof = Double(n - 2)
    var scores = [Double](), pvalues = [Double]()
    for j in 0..<p {
        let xNorm = (sq[j] - Double(n) * means[j] * means[j]).squareRoot()
        let r = dot[j] / xNorm / yNorm
        let r2 = r * r
        var f = r2 / (1 - r2) * dof
        var pv = SpecialFunctions.fSurvival(f, 1, dof)
        if f.isNaN { f = 0; pv = 1 } else if f.isInfinite { f = .greatestFiniteMagnitude; pv = 0 }
        scores.append(f); pvalues.append(pv)
    }
    return (scores, pvalues)
}

/// Scales columns by their standard deviation (no centring) and adds 1e-10-scale Gaussian
/// noise, as scikit-learn does before its k-NN mutual-information estimators to break ties.
func fsScaledWithNoise(_ column: [Double], _ rng: inout SeededRandom) -> [Double] {
    let n = Double(column.count)
    let mean = column.reduce(0, +) / n
    var sd = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
    if sd == 0 { sd = 1 }
    let scaled = column.map { $0 / sd }
    let amp = 1e-10 * max(1, scaled.map(abs).reduce(0, +) / n)
    return scaled.map { $0 + amp * rng.normal() }
}

/// Number of sorted values x with |x − v| ≤ r. The test is on the computed distance, as a
/// k-d tree's radius query does (comparing x with the rounded v ± r would count the boundary
/// neighbour that `r = nextDown(d)` is meant to exclude).
func fsCountWithin(_ sorted: [Double], _ v: Double, _ r: Double) -> Int {
    let n = sorted.count
    var lo = 0, hi = n
    while lo < hi { let m = (lo + hi) / 2; if sorted[m] < v - r { lo = m + 1 } else { hi = m } }
    var start = lo
    while start > 0 && abs(sorted[start - 1] - v) <= r { start -= 1 }
    while start < n && abs(sorted[start] - v) > r { start += 1 }
    lo = start; hi = n
    while lo < hi { let m = (lo + hi) / 2; if sorted[m] <= v + r { lo = m + 1 } else { hi = m } }
    var end = lo
    while end < n && abs(sorted[end] - v) <= r { end += 1 }
    while end > start && abs(sorted[end - 1] - v) > r { end -= 1 }
    return end - start
}

/// Distance from `sorted[pos]` to its k-th nearest other value in `sorted` (1-D).
func fsKthNeighbourDistance(_ sorted: [Double], _ pos: Int, _ k: Int) -> Double {
    var l = pos - 1, r = pos + 1, d = 0.0
    let v = sorted[pos]
    for _ in 0..<k {
        let dl = l >= 0 ? v - sorted[l] : .infinity, dr = r < sorted.count ? sorted[r] - v : .infinity
        if dl <= dr { d = dl; l -= 1 } else { d = dr; r += 1 }
    }
    return d
}

/// Mutual information between one continuous feature and discrete labels (Ross 2014, the
/// estimator of scikit-learn's `_compute_mi_cd`): for each sample, d = distance to its k-th
/// neighbour among the same class, m = samples of any class within d;
/// I = ψ(n) + ⟨ψ(k)⟩ − ⟨ψ(n_class)⟩ − ⟨ψ(m)⟩, clipped at 0. Classes with one sample are dropped.
func fsMutualInfoCD(_ c: [Double], _ d: [Int], _ nNeighbors: Int) -> Double {
    var byClass = [Int: [Int]]()
    for (i, l) in d.enumerated() { byClass[l, default: []].append(i) }
    var kept = [Int](), radius = [Double](), kAll = [Double](), counts = [Double]()
    for (_, idx) in byClass where idx.count > 1 {
        let k = min(nNeighbors, idx.count - 1)
        let order = idx.sorted { c[$0] < c[$1] }
        let vals = order.map { c[$0] }
        for (pos, i) in order.enumerated() {
            kept.append(i)
            radius.append(fsKthNeighbourDistance(vals, pos, k).nextDown)
            kAll.append(Double(k)); counts.append(Double(idx.count))
        }
    }
    let n = kept.count
    if n == 0 { return 0 }
    let all = kept.map { c[$0] }.sorted()
    var sumK = 0.0, sumN = 0.0, sumM = 0.0
    for t in 0..<n {
        sumK += SpecialFunctions.digamma(kAll[t]); sumN += SpecialFunctions.digamma(counts[t])
        sumM += SpecialFunctions.digamma(Double(fsCountWithin(all, c[kept[t]], radius[t])))
    }
    let mi = SpecialFunctions.digamma(Double(n)) + (sumK - sumN - sumM) / Double(n)
    return max(0, mi)
}

/// Mutual information between two continuous variables (Kraskov et al. 2004, estimator 1, as
/// scikit-learn's `_compute_mi_cc`): with the Chebyshev (max) distance ε_i to the k-th
/// neighbour in the joint space, n_x / n_y count the samples strictly closer in each marginal;
/// I = ψ(n) + ψ(k) − ⟨ψ(n_x + 1)⟩ − ⟨ψ(n_y + 1)⟩, clipped at 0.
func fsMutualInfoCC(_ x: [Double], _ y: [Double], _ k: Int) -> Double {
    let n = x.count
    let order = x.indices.sorted { x[$0] < x[$1] }
    let xs = order.map { x[$0] }, ys = order.map { y[$0] }
    let sortedX = xs, sortedY = y.sorted()
    var sum = 0.0
    var best = [Double](repeating: 0, count: k)
    for p in 0..<n {
        // k smallest Chebyshev distances, scanning outward in x until |dx| exceeds the k-th.
        for t in 0..<k { best[t] = .infinity }
        var l = p - 1, r = p + 1
        while l >= 0 || r < n {
            let dl = l >= 0 ? xs[p] - xs[l] : .infinity, dr = r < n ? xs[r] - xs[p] : .infinity
            let useLeft = dl <= dr
            let dx = useLeft ? dl : dr
            if dx > best[k - 1] { break }
            let q = useLeft ? l : r
            let dist = max(dx, abs(ys[q] - ys[p]))
            if dist < best[k - 1] {
                var t = k - 1
                while t > 0 && best[t - 1] > dist { best[t] = best[t - 1]; t -= 1 }
                best[t] = dist
            }
            if useLeft { l -= 1 } else { r += 1 }
        }
        let radius = best[k - 1].nextDown
        let nx = Double(fsCountWithin(sortedX, xs[p], radius) - 1), ny = Double(fsCountWithin(sortedY, ys[p], radius) - 1)
        sum += SpecialFunctions.digamma(nx + 1) + SpecialFunctions.digamma(ny + 1)
    }
    let mi = SpecialFunctions.digamma(Double(n)) + SpecialFunctions.digamma(Double(k)) - sum / Double(n)
    return max(0, mi)
}

/// Mutual information between each continuous feature and the class labels (scikit-learn's
/// `mutual_info_classif`, `n_neighbors=3`): features are scaled to unit variance and jittered
/// by 1e-10-scale noise from `randomState` (our generator, so tie-breaking differs from scikit-learn's
/// draw for draw but agrees in expectation). In nats; 0 means independent.
public func mutualInfoClassif(_ x: Matrix, _ y: [Int], nNeighbors: Int = 3, randomState: Int? = nil) throws -> [Double] {
    try fsCheck(x, y.count, "mutualInfoClassif")
    try require(nNeighbors >= 1, "n_neighbors", nNeighbors, "must be at least 1")
    var rng = SeededRandom(seed: randomState)
    let cols = (0..<x.columns).map { fsScaledWithNoise(x.column($0), &rng) }
    return try MSDispatch.parallelMap(cols.count) { j in fsMutualInfoCD(cols[j], y, nNeighbors) }
}

/// Mutual information between each continuous feature and a continuous target (scikit-learn's
/// `mutual_info_regression`, `n_neighbors=3`, KSG estimator; both sides scaled and jittered).
public func mutualInfoRegression(_ x: Matrix, _ y: [Double], nNeighbors: Int = 3, randomState: Int? = nil) throws -> [Double] {
    try Check.targets(x, y, "mutualInfoRegression")
    try require(nNeighbors >= 1 && nNeighbors < x.rows, "n_neighbors", nNeighbors, "must be in [1, n_samples)")
    var rng = SeededRandom(seed: randomState)
    let cols = (0..<x.columns).map { fsScaledWithNoise(x.column($0), &rng) }
    let yy = fsScaledWithNoise(y, &rng)
    return try MSDispatch.parallelMap(cols.count) { j in fsMutualInfoCC(cols[j], yy, nNeighbors) }
}

import Foundation

/// Scores for clusterings and embeddings, as `sklearn.metrics` computes them.
///
/// Internal scores judge a clustering from the data alone (silhouette, Davies–Bouldin,
/// Calinski–Harabasz); external scores compare two labelings (adjusted Rand index, normalized
/// mutual information); ``trustworthiness(_:_:neighbors:)`` judges an embedding (t-SNE, PCA).
/// Labels are any integers; −1 (DBSCAN's noise) is treated as one more cluster, exactly as
/// scikit-learn does. Every function throws ``LearnError`` on bad input.
public enum ClusterMetrics {
    /// Labels re-encoded as 0..<k in order of the sorted distinct labels, and k.
    static func encode(_ labels: [Int]) -> ([Int], Int) {
        let set = LabelSet(labels)
        return (labels.map { set.index(of: $0)! }, set.count)
    }

    private static func checkInternal(_ x: Matrix, _ labels: [Int], _ caller: String) throws -> ([Int], Int) {
        try Check.features(x, caller)
        try Check.lengths(x, labels.count, caller, what: "labels")
        let (enc, k) = encode(labels)
        guard k >= 2 && k <= x.rows - 1 else {
            throw LearnError.invalidInput("\(caller): number of labels is \(k); valid values are 2 to n_samples - 1 (\(x.rows - 1)) inclusive")
        }
        return (enc, k)
    }

    /// The silhouette coefficient of every sample (Euclidean): `s = (b − a) / max(a, b)` where
    /// `a` is the mean distance to the other members of its cluster and `b` the smallest mean
    /// distance to the members of another cluster; 0 for a sample alone in its cluster.
    /// Needs 2 ≤ clusters ≤ n − 1. Distances are computed in row blocks (O(n) memory per block).
    public static func silhouetteSamples(_ x: Matrix, _ labels: [Int]) throws -> [Double] {
        let (enc, k) = try checkInternal(x, labels, "silhouetteSamples")
        let n = x.rows, d = x.columns
        var sizes = [Int](repeating: 0, count: k)
        for l in enc { sizes[l] += 1 }
        var out = [Double](repeating: 0, count: n)
        // Sum of distances from each sample to each cluster, computed block by block.
        let norms = unsupRowSquaredNorms(x)
        let block = 256
        let blocks = (n + block - 1) / block
        out.withUnsafeMutableBufferPointer { op in
            let outPtr = op
            DispatchQueue.concurrentPerform(iterations: blocks) { bi in
                let s = bi * block, e = Swift.min(n, s + block)
                let rows = x.rows(Array(s..<e))
                let d2 = unsupSquaredDistances(rows, x, aNorms: Array(norms[s..<e]), bNorms: norms)
                var sums = [Double](repeating: 0, count: k)
                x.values.withUnsafeBufferPointer { xp in
                    for r in 0..<(e - s) {
                        for c in 0..<k { sums[c] = 0 }
                        let i = s + r
                        for j in 0..<n {
                            // Exact distance where the GEMM identity is imprecise (near zero).
                            var v = d2.values[r * n + j]
                            if i == j { v = 0 } else if v < 1e-6 * (norms[i] + norms[j]) { v = unsupExactSquaredDistance(xp, i, xp, j, d) }
                            sums[enc[j]] += v.squareRoot()
                        }
                        let own = enc[i]
                        if sizes[own] <= 1 { outPtr[i] = 0; continue }
                        let a = sums[own] / Double(sizes[own] - 1)
                        var b = Double.infinity
                        for c in 0..<k where c != own { b = Swift.min(b, sums[c] / Double(sizes[c])) }
                        let den = Swift.max(a, b)
                        outPtr[i] = den > 0 ? (b - a) / den : 0
                    }
                }
            }
        }
        return out
    }

    /// Mean silhouette coefficient over all samples (`silhouette_score`), in [−1, 1]; higher is
    /// better separated.
    public static func silhouetteScore(_ x: Matrix, _ labels: [Int]) throws -> Double {
        let s = try silhouetteSamples(x, labels)
        return s.reduce(0, +) / Double(s.count)
    }

    /// The contingency table of two labelings (`a` classes by `b` clusters) with row and column sums.
    private static func contingency(_ a: [Int], _ b: [Int], _ caller: String) throws -> (table: [[Double]], rowSums: [Double], colSums: [Double]) {
        guard a.count == b.count else { throw LearnError.invalidInput("\(caller): labels have \(a.count) and \(b.count) values") }
        let (ea, ka) = encode(a), (eb, kb) = encode(b)
        var t = [[Double]](repeating: [Double](repeating: 0, count: kb), count: ka)
        for i in 0..<a.count { t[ea[i]][eb[i]] += 1 }
        return (t, t.map { $0.reduce(0, +) }, (0..<kb).map { j in t.reduce(0) { $0 + $1[j] } })
    }

    /// Adjusted Rand index (`adjusted_rand_score`): the Rand index corrected for chance,
    /// `2(tp·tn − fn·fp) / ((tp+fn)(fn+tn) + (tp+fp)(fp+tn))` over pairs of samples; 1 for
    /// identical partitions (up to renumbering), about 0 for random ones.
    public static func adjustedRandIndex(_ a: [Int], _ b: [Int]) throws -> Double {
        let (t, rs, cs) = try contingency(a, b, "adjustedRandIndex")
        let n = Double(a.count)
        var sumSquares = 0.0
        for row in t { for v in row { sumSquares += v * v } }
        var ck = 0.0, cn = 0.0
        for (i, row) in t.enumerated() { for (j, v) in row.enumerated() { ck += v * cs[j]; cn += v * rs[i] } }
        let tp = sumSquares - n, fp = ck - sumSquares, fn = cn - sumSquares
        let tn = n * n - fp - fn - sumSquares
        if fn == 0 && fp == 0 { return 1 }
        return 2 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
    }

    private static func entropy(_ counts: [Double]) -> Double {
        let total = counts.reduce(0, +)
        guard total > 0 else { return 1 }
        var h = 0.0
        for c in counts where c > 0 { h -= (c / total) * (Foundation.log(c) - Foundation.log(total)) }
        return h
    }

    /// Mutual information of two labelings in nats (`mutual_info_score`).
    public static func mutualInfo(_ a: [Int], _ b: [Int]) throws -> Double {
        let (t, rs, cs) = try contingency(a, b, "mutualInfo")
        if rs.count == 1 || cs.count == 1 { return 0 }
        let total = Double(a.count)
        let logSumR = Foundation.log(rs.reduce(0, +)), logSumC = Foundation.log(cs.reduce(0, +))
        var mi = 0.0
        for (i, row) in t.enumerated() {
            for (j, v) in row.enumerated() where v > 0 {
                let p = v / total
                let logOuter = -Foundation.log(rs[i] * cs[j]) + logSumR + logSumC
                var term = p * (Foundation.log(v) - Foundation.log(total)) + p * logOuter
                if Swift.abs(term) < Double.ulpOfOne { term = 0 }
                mi += term
            }
        }
        return Swift.max(mi, 0)
    }

    /// Normalized mutual information (`normalized_mutual_info_score`, arithmetic mean):
    /// `MI(a, b) / ((H(a) + H(b)) / 2)`; 1 for identical partitions.
    public static func normalizedMutualInfo(_ a: [Int], _ b: [Int]) throws -> Double {
        guard a.count == b.count else { throw LearnError.invalidInput("normalizedMutualInfo: labels have \(a.count) and \(b.count) values") }
        let ka = Set(a).count, kb = Set(b).count
        if (ka == 1 && kb == 1) || (ka == 0 && kb == 0) { return 1 }
        let mi = try mutualInfo(a, b)
        if mi == 0 { return 0 }
        let (_, rs, cs) = try contingency(a, b, "normalizedMutualInfo")
        let norm = (entropy(rs) + entropy(cs)) / 2
        return mi / Swift.max(norm, Double.ulpOfOne)
    }

    /// Per-cluster centroids of `x` under encoded labels.
    private static func centroids(_ x: Matrix, _ enc: [Int], _ k: Int) -> (Matrix, [Int]) {
        var c = Matrix(rows: k, columns: x.columns)
        var sizes = [Int](repeating: 0, count: k)
        for i in 0..<x.rows { sizes[enc[i]] += 1; for j in 0..<x.columns { c[enc[i], j] += x[i, j] } }
        for r in 0..<k { for j in 0..<x.columns { c[r, j] /= Double(sizes[r]) } }
        return (c, sizes)
    }

    /// Davies–Bouldin index (`davies_bouldin_score`): the mean over clusters of the largest
    /// `(sᵢ + sⱼ) / d(cᵢ, cⱼ)`, where `s` is the mean distance of members to their centroid; lower is better.
    public static func daviesBouldinScore(_ x: Matrix, _ labels: [Int]) throws -> Double {
        let (enc, k) = try checkInternal(x, labels, "daviesBouldinScore")
        let (c, sizes) = centroids(x, enc, k)
        var intra = [Double](repeating: 0, count: k)
        for i in 0..<x.rows {
            var s = 0.0
            for j in 0..<x.columns { let t = x[i, j] - c[enc[i], j]; s += t * t }
            intra[enc[i]] += s.squareRoot()
        }
        for r in 0..<k { intra[r] /= Double(sizes[r]) }
        var cd = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for a in 0..<k { for b in 0..<k {
            var s = 0.0
            for j in 0..<x.columns { let t = c[a, j] - c[b, j]; s += t * t }
            cd[a][b] = s.squareRoot()
        } }
        let close = { (v: Double) in Swift.abs(v) <= 1e-8 }
        if intra.allSatisfy(close) || cd.allSatisfy({ $0.allSatisfy(close) }) { return 0 }
        var total = 0.0
        for a in 0..<k {
            var best = -Double.infinity
            for b in 0..<k {
                let den = cd[a][b] == 0 ? Double.infinity : cd[a][b]
                best = Swift.max(best, (intra[a] + intra[b]) / den)
            }
            total += best
        }
        return total / Double(k)
    }

    /// Calinski–Harabasz index (`calinski_harabasz_score`): between-cluster dispersion over
    /// within-cluster dispersion, times `(n − k)/(k − 1)`; higher is better.
    public static func calinskiHarabaszScore(_ x: Matrix, _ labels: [Int]) throws -> Double {
        let (enc, k) = try checkInternal(x, labels, "calinskiHarabaszScore")
        let (c, sizes) = centroids(x, enc, k)
        let mean = x.columnMeans()
        var extra = 0.0, intra = 0.0
        for r in 0..<k { for j in 0..<x.columns { let t = c[r, j] - mean[j]; extra += Double(sizes[r]) * t * t } }
        for i in 0..<x.rows { for j in 0..<x.columns { let t = x[i, j] - c[enc[i], j]; intra += t * t } }
        if intra == 0 { return 1 }
        return extra * Double(x.rows - k) / (intra * Double(k - 1))
    }

    /// Trustworthiness of an embedding (`sklearn.manifold.trustworthiness`, Euclidean): how far
    /// the `neighbors` nearest neighbours in the embedding are from being neighbours in the
    /// original space, `1 − 2/(n k (2n − 3k − 1)) Σᵢ Σ_{j ∈ N_k^emb(i)} max(0, r(i, j) − k)`, where
    /// `r(i, j)` is the rank of `j` among `i`'s neighbours in `x`. Needs `neighbors < n/2`.
    public static func trustworthiness(_ x: Matrix, _ embedded: Matrix, neighbors: Int = 5) throws -> Double {
        try Check.features(x, "trustworthiness")
        try Check.features(embedded, "trustworthiness")
        try Check.lengths(x, embedded.rows, "trustworthiness", what: "embedded")
        let n = x.rows
        guard neighbors >= 1 && Double(neighbors) < Double(n) / 2 else {
            throw LearnError.invalidInput("trustworthiness: neighbors (\(neighbors)) should be less than n_samples / 2 (\(Double(n) / 2))")
        }
        let dx = unsupSquaredDistances(x, x), de = unsupSquaredDistances(embedded, embedded)
        var total = 0.0
        for i in 0..<n {
            // Rank (1-based, self excluded) of every sample among i's neighbours in x.
            var order = Array(0..<n).filter { $0 != i }
            order.sort { (dx[i, $0], $0) < (dx[i, $1], $1) }
            var rank = [Int](repeating: 0, count: n)
            for (r, j) in order.enumerated() { rank[j] = r + 1 }
            var emb = Array(0..<n).filter { $0 != i }
            emb.sort { (de[i, $0], $0) < (de[i, $1], $1) }
            for j in emb.prefix(neighbors) { total += Double(Swift.max(0, rank[j] - neighbors)) }
        }
        let k = Double(neighbors), nn = Double(n)
        return 1 - total * (2 / (nn * k * (2 * nn - 3 * k - 1)))
    }
}

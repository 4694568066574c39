import CSwiftLearnKernels

/// Maximal marginal relevance (Carbonell & Goldstein, 1998): picks `k` of the candidates one at
/// a time, each maximizing
///
///     λ · sim(q, d) − (1 − λ) · max_{s ∈ selected} sim(d, s)
///
/// with cosine similarity, so the result stays relevant but avoids near-duplicates.
/// λ = 1 is plain relevance order, λ = 0 pure diversity.
///
/// - Parameters:
///   - query: the query vector.
///   - candidates: candidate vectors (same dimension as the query; zero vectors score 0).
///   - lambda: trade-off in [0, 1] (default 0.5).
///   - k: how many to select (at most `candidates.count`).
/// - Returns: indices into `candidates`, in selection order.
public func maximalMarginalRelevance(query: [Float], candidates: [[Float]], lambda: Double = 0.5, k: Int) throws -> [Int] {
    try require(lambda >= 0 && lambda <= 1, "lambda", lambda, "must be in [0, 1]")
    try require(k >= 1, "k", k, "must be at least 1")
    guard !query.isEmpty else { throw RetrievalError.emptyQuery("the MMR query vector is empty") }
    for c in candidates where c.count != query.count { throw RetrievalError.dimensionMismatch(expected: query.count, got: c.count) }
    let d = query.count
    func unit(_ v: [Float]) -> [Float] {
        let n = v.withUnsafeBufferPointer { sl_vec_dot_f32($0.baseAddress!, $0.baseAddress!, d) }.squareRoot()
        return n > 0 ? v.map { $0 / n } : v
    }
    let q = unit(query)
    let units = candidates.map(unit)
    let relevance = units.map { u in Double(zip(u, q).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
    var maxSim = [Double](repeating: -.infinity, count: units.count)
    var chosen: [Int] = []
    var taken = [Bool](repeating: false, count: units.count)
    while chosen.count < min(k, units.count) {
        var best = -1
        var bestScore = -Double.infinity
        for i in units.indices where !taken[i] {
            let penalty = chosen.isEmpty ? 0 : maxSim[i]
            let s = lambda * relevance[i] - (1 - lambda) * penalty
            if s > bestScore { bestScore = s; best = i }
        }
        chosen.append(best)
        taken[best] = true
        for i in units.indices where !taken[i] {
            let sim = units[i].withUnsafeBufferPointer { a in units[best].withUnsafeBufferPointer { b in sl_vec_dot_f32(a.baseAddress!, b.baseAddress!, d) } }
            maxSim[i] = max(maxSim[i], Double(sim))
        }
    }
    return chosen
}

/// MMR re-ranking of search hits whose vectors are in `index`: returns `k` of the hits in MMR
/// order (their scores kept from the original search).
public func maximalMarginalRelevance(query: [Float], hits: [SearchHit], in index: any VectorIndex, lambda: Double = 0.5,
                                     k: Int) throws -> [SearchHit] {
    let vectors = try hits.map { try index.vector(for: $0.id) }
    return try maximalMarginalRelevance(query: query, candidates: vectors, lambda: lambda, k: k).map { hits[$0] }
}

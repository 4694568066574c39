import Foundation

/// Probability estimates for SVMs, as LIBSVM computes them.
enum SVMProbability {
    /// P(y = +1 | f) = 1 / (1 + exp(A f + B)), written to avoid overflow.
    static func sigmoid(_ f: Double, a: Double, b: Double) -> Double {
        let z = f * a + b
        return z >= 0 ? Foundation.exp(-z) / (1 + Foundation.exp(-z)) : 1 / (1 + Foundation.exp(z))
    }

    /// Platt scaling: fits A, B of ``sigmoid(_:a:b:)`` to decision values by maximum likelihood,
    /// with Platt's smoothed targets (N₊+1)/(N₊+2) and 1/(N₋+2), by Newton's method with a
    /// backtracking line search (Lin, Lin & Weng 2007, "A note on Platt's probabilistic outputs").
    static func fitSigmoid(decisions: [Double], positive: [Bool]) -> (a: Double, b: Double) {
        let prior1 = Double(positive.filter { $0 }.count), prior0 = Double(positive.count) - prior1
        let hi = (prior1 + 1) / (prior1 + 2), lo = 1 / (prior0 + 2)
        let t = positive.map { $0 ? hi : lo }
        func loss(_ a: Double, _ b: Double) -> Double {
            var f = 0.0
            for k in 0..<decisions.count {
                let z = decisions[k] * a + b
                f += z >= 0 ? t[k] * z + Foundation.log(1 + Foundation.exp(-z)) : (t[k] - 1) * z + Foundation.log(1 + Foundation.exp(z))
            }
            return f
        }
        var a = 0.0, b = Foundation.log((prior0 + 1) / (prior1 + 1))
        var fval = loss(a, b)
        for _ in 0..<100 {
            // Gradient and Hessian (plus a tiny ridge σ = 1e-12).
            var h11 = 1e-12, h22 = 1e-12, h21 = 0.0, g1 = 0.0, g2 = 0.0
            for k in 0..<decisions.count {
                let z = decisions[k] * a + b
                let pk: Double, qk: Double
                if z >= 0 { pk = Foundation.exp(-z) / (1 + Foundation.exp(-z)); qk = 1 / (1 + Foundation.exp(-z)) } else { pk = 1 / (1 + Foundation.exp(z)); qk = Foundation.exp(z) / (1 + Foundation.exp(z)) }
                let d2 = pk * qk, f = decisions[k]
                h11 += f * f * d2; h22 += d2; h21 += f * d2
                let d1 = t[k] - pk
                g1 += f * d1; g2 += d1
            }
            if abs(g1) < 1e-5 && abs(g2) < 1e-5 { break }
            let det = h11 * h22 - h21 * h21
            let da = -(h22 * g1 - h21 * g2) / det, db = -(-h21 * g1 + h11 * g2) / det
            let gd = g1 * da + g2 * db
            var step = 1.0
            while step >= 1e-10 {
                let na = a + step * da, nb = b + step * db
                let nf = loss(na, nb)
                if nf < fval + 1e-4 * step * gd { a = na; b = nb; fval = nf; break }
                step /= 2
            }
            if step < 1e-10 { break }
        }
        return (a, b)
    }

    /// Class probabilities from pairwise ones (Wu, Lin & Weng 2004, method 2): minimises
    /// Σ_i Σ_{j≠i} (r_ji p_i − r_ij p_j)² subject to Σp = 1 by a fixed-point iteration.
    /// `r[i][j]` is P(class i | class i or j).
    static func couple(_ r: [[Double]]) -> [Double] {
        let k = r.count
        var q = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for t in 0..<k {
            for j in 0..<k where j != t {
                q[t][t] += r[j][t] * r[j][t]
                q[t][j] = -r[j][t] * r[t][j]
            }
        }
        var p = [Double](repeating: 1 / Double(k), count: k)
        var qp = [Double](repeating: 0, count: k)
        let eps = 0.005 / Double(k)
        for _ in 0..<max(100, k) {
            var pqp = 0.0
            for t in 0..<k {
                qp[t] = 0
                for j in 0..<k { qp[t] += q[t][j] * p[j] }
                pqp += p[t] * qp[t]
            }
            var maxError = 0.0
            for t in 0..<k { maxError = max(maxError, abs(qp[t] - pqp)) }
            if maxError < eps { break }
            for t in 0..<k {
                let diff = (-qp[t] + pqp) / q[t][t]
                p[t] += diff
                pqp = (pqp + diff * (diff * q[t][t] + 2 * qp[t])) / (1 + diff) / (1 + diff)
                for j in 0..<k {
                    qp[j] = (qp[j] + diff * q[t][j]) / (1 + diff)
                    p[j] /= 1 + diff
                }
            }
        }
        return p
    }
}

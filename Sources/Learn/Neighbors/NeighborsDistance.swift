import Foundation

/// Distance metric of the nearest-neighbour estimators (scikit-learn's `metric`).
///
/// - `minkowski`: (Σ|a_j − b_j|^p)^(1/p) with the estimator's `p` (p = 2 is Euclidean, the default)
/// - `euclidean`: √Σ(a_j − b_j)²
/// - `manhattan`: Σ|a_j − b_j|
/// - `chebyshev`: max_j |a_j − b_j|
/// - `cosine`: 1 − a·b / (‖a‖‖b‖) (brute force only; a zero vector is at distance 1 from everything)
public enum NeighborsMetric: String, Codable, Sendable, CaseIterable {
    case minkowski, euclidean, manhattan, chebyshev, cosine
}

/// How neighbours are found (scikit-learn's `algorithm`).
public enum NeighborsAlgorithm: String, Codable, Sendable, CaseIterable {
    /// A k-d tree for up to 15 features with a tree-compatible metric, brute force otherwise.
    case auto
    /// All distances, Euclidean ones by GEMM in blocks.
    case brute
    /// ``KDTree``.
    case kdTree = "kd_tree"
    /// ``BallTree``.
    case ballTree = "ball_tree"
}

/// How neighbours' votes or values are weighted (scikit-learn's `weights`).
public enum NeighborsWeights: String, Codable, Sendable, CaseIterable {
    /// Every neighbour counts the same.
    case uniform
    /// Weight 1/distance; neighbours at distance 0, when any, take all the weight.
    case distance
}

/// A metric with its exponent fixed, computing the "reduced" distance (a monotone function of the
/// distance that is cheaper: the squared distance for Euclidean, Σ|d|^p for Minkowski) and
/// converting back.
///
/// Every exact distance in this module (brute force and both trees) goes through
/// ``reduced(_:_:_:)``, with the same summation order, so all search methods see bit-identical
/// numbers and return identical neighbours.
public struct NeighborsDistance: Codable, Equatable, Sendable {
    enum Kind: Codable, Equatable, Sendable { case euclidean, manhattan, chebyshev, minkowski(Double), cosine }
    var kind: Kind

    /// scikit-learn's effective metric: `minkowski` with p = 1, 2, ∞ becomes Manhattan, Euclidean, Chebyshev.
    init(metric: NeighborsMetric, p: Double) {
        switch metric {
        case .euclidean: kind = .euclidean
        case .manhattan: kind = .manhattan
        case .chebyshev: kind = .chebyshev
        case .cosine: kind = .cosine
        case .minkowski:
            if p == 2 { kind = .euclidean } else if p == 1 { kind = .manhattan } else if p.isInfinite { kind = .chebyshev } else { kind = .minkowski(p) }
        }
    }

    /// Reduced distance between two rows of length `d`.
    @inline(__always)
    func reduced(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
        switch kind {
        case .euclidean:
            var s = 0.0
            for j in 0..<d { let t = a[j] - b[j]; s += t * t }
            return s
        case .manhattan:
            var s = 0.0
            for j in 0..<d { s += abs(a[j] - b[j]) }
            return s
        case .chebyshev:
            var s = 0.0
            for j in 0..<d { s = max(s, abs(a[j] - b[j])) }
            return s
        case .minkowski(let p):
            var s = 0.0
            for j in 0..<d { s += Foundation.pow(abs(a[j] - b[j]), p) }
            return s
        case .cosine:
            var ab = 0.0, aa = 0.0, bb = 0.0
            for j in 0..<d { ab += a[j] * b[j]; aa += a[j] * a[j]; bb += b[j] * b[j] }
            return neighborsCosine(ab, aa.squareRoot(), bb.squareRoot())
        }
    }

    /// One coordinate's contribution to the reduced distance (|t| ≥ 0), for tree bounds; combine
    /// with ``accumulate(_:_:)``.
    @inline(__always)
    func term(_ t: Double) -> Double {
        switch kind {
        case .euclidean: return t * t
        case .manhattan, .chebyshev, .cosine: return t
        case .minkowski(let p): return Foundation.pow(t, p)
        }
    }

    @inline(__always)
    func accumulate(_ s: Double, _ term: Double) -> Double {
        if case .chebyshev = kind { return max(s, term) }
        return s + term
    }

    /// Distance from a reduced distance.
    @inline(__always)
    func distance(fromReduced r: Double) -> Double {
        switch kind {
        case .euclidean: return r.squareRoot()
        case .minkowski(let p): return Foundation.pow(r, 1 / p)
        default: return r
        }
    }

    /// Reduced distance from a distance.
    @inline(__always)
    func reduced(fromDistance r: Double) -> Double {
        switch kind {
        case .euclidean: return r * r
        case .minkowski(let p): return Foundation.pow(r, p)
        default: return r
        }
    }

    /// Whether the k-d and ball trees may use it (cosine is not a metric on raw vectors).
    var supportsTrees: Bool { kind != .cosine }
}

/// 1 − cos, as scikit-learn's `cosine_distances` (zero vectors have cosine 0), clipped to [0, 2].
@inline(__always)
func neighborsCosine(_ ab: Double, _ na: Double, _ nb: Double) -> Double {
    let c = (na > 0 && nb > 0) ? ab / (na * nb) : 0
    return min(max(1 - c, 0), 2)
}

/// The k best (reduced distance, index) pairs seen so far, kept sorted; ties go to the smaller
/// index, so the result does not depend on the order candidates arrive in.
struct NeighborsKBest {
    let k: Int
    var distances: [Double]
    var indices: [Int]

    init(k: Int) {
        self.k = k
        distances = []
        indices = []
        distances.reserveCapacity(k + 1)
        indices.reserveCapacity(k + 1)
    }

    var isFull: Bool { distances.count == k }
    /// The reduced distance a candidate must beat (∞ until full).
    var worst: Double { isFull ? distances[k - 1] : .infinity }

    @inline(__always)
    func precedes(_ d: Double, _ i: Int, _ e: Double, _ j: Int) -> Bool { d < e || (d == e && i < j) }

    /// Offers a candidate.
    @inline(__always)
    mutating func offer(_ d: Double, _ i: Int) {
        if isFull && !precedes(d, i, distances[k - 1], indices[k - 1]) { return }
        var pos = distances.count
        while pos > 0 && precedes(d, i, distances[pos - 1], indices[pos - 1]) { pos -= 1 }
        distances.insert(d, at: pos)
        indices.insert(i, at: pos)
        if distances.count > k { distances.removeLast(); indices.removeLast() }
    }
}

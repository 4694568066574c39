import Foundation
import Retrieval
import TestSupport

/// Loads a JSON fixture from Fixtures/.
func fixture(_ name: String) throws -> [String: Any] {
    guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
        throw RetrievalError.io("missing fixture \(name).json")
    }
    return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
}

/// Seeded clustered vectors: `clusters` Gaussian centres in a `latent`-dimensional space, mapped
/// to `d` dimensions by a fixed random matrix, plus small noise (like real embeddings, whose
/// intrinsic dimension is far below d).
func clusteredVectors(_ n: Int, d: Int, clusters: Int = 20, latent: Int = 12, seed: UInt64 = 1, normalize: Bool = false) -> [Float] {
    var rng = TestRNG(seed: seed)
    func gauss() -> Float {
        let u1 = max(rng.uniform(), 1e-12), u2 = rng.uniform()
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
    var proj = TestRNG(seed: 99)
    let matrix = (0..<(latent * d)).map { _ in Float(proj.uniform() * 2 - 1) }
    let centres = (0..<(clusters * latent)).map { _ in gauss() * 3 }
    var out = [Float](repeating: 0, count: n * d)
    for i in 0..<n {
        let c = rng.below(clusters)
        let z = (0..<latent).map { centres[c * latent + $0] + gauss() }
        for j in 0..<d {
            var s: Float = 0
            for l in 0..<latent { s += z[l] * matrix[l * d + j] }
            out[i * d + j] = s + 0.05 * gauss()
        }
        if normalize {
            let norm = (0..<d).reduce(Float(0)) { $0 + out[i * d + $1] * out[i * d + $1] }.squareRoot()
            for j in 0..<d { out[i * d + j] /= norm }
        }
    }
    return out
}

/// Exact top-k ids by a plain loop (the reference for every index).
func bruteForce(_ base: [Float], _ q: ArraySlice<Float>, d: Int, k: Int, metric: DistanceMetric) -> [Int64] {
    let n = base.count / d
    let q = Array(q)
    var scored: [(Double, Int64)] = []
    for i in 0..<n {
        var s = 0.0, qq = 0.0, bb = 0.0, l2 = 0.0
        for j in 0..<d {
            let a = Double(q[j]), b = Double(base[i * d + j])
            s += a * b; qq += a * a; bb += b * b; l2 += (a - b) * (a - b)
        }
        let score: Double
        switch metric {
        case .l2: score = -l2
        case .innerProduct: score = s
        case .cosine: score = s / (qq.squareRoot() * bb.squareRoot())
        }
        scored.append((score, Int64(i)))
    }
    scored.sort { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    return scored.prefix(k).map(\.1)
}

/// Mean recall@k of `found` against `truth`.
func recall(_ found: [[SearchHit]], _ truth: [[Int64]]) -> Double {
    var hit = 0, total = 0
    for (f, t) in zip(found, truth) {
        hit += Set(f.map(\.id)).intersection(t).count
        total += t.count
    }
    return Double(hit) / Double(total)
}

/// A fresh temporary directory.
func temporaryDirectory() -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("retrieval-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

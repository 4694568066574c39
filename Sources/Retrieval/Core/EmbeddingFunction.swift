import Foundation
import SwiftLearnCore

/// Turns texts into fixed-size float vectors for vector search. Collections store the `name`
/// and `dimension` and refuse to be queried with a different function.
public protocol EmbeddingFunction: Sendable {
    /// Stable name identifying the function and its settings (stored with a collection).
    var name: String { get }
    /// Length of every vector.
    var dimension: Int { get }
    /// One vector per text.
    func embed(_ texts: [String]) throws -> [[Float]]
    /// Where the function's model lives (a directory), stored with a collection so that it can be
    /// loaded again when the collection is opened; `nil` (the default) for model-free functions.
    var source: String? { get }
}

extension EmbeddingFunction {
    public var source: String? { nil }
}

/// The embedding a collection was created with, as stored in its file.
public struct StoredEmbedding: Sendable, Equatable {
    /// ``EmbeddingFunction/name``.
    public var name: String
    /// ``EmbeddingFunction/dimension``.
    public var dimension: Int
    /// ``EmbeddingFunction/source`` (`nil` for model-free functions and older collections).
    public var source: String?

    /// A stored embedding description.
    public init(name: String, dimension: Int, source: String? = nil) {
        self.name = name; self.dimension = dimension; self.source = source
    }
}

/// A deterministic, model-free embedding by *feature hashing* (Weinberger et al., 2009) — NOT a
/// neural embedding: it captures word overlap, not meaning.
///
/// Terms are the ``BM25/standardAnalyzer`` tokens (weight 1) and adjacent-word bigrams
/// (weight 0.5); each term's weight is (1 + ln tf) (sublinear TF, as scikit-learn's
/// `sublinear_tf`), added at position h mod dimension with sign from another hash bit (so
/// collisions cancel on average), h = 64-bit FNV-1a of the term's UTF-8. The vector is L2
/// normalized (a text without terms gives the zero vector). Same output on every platform.
public struct HashedFeatureEmbedding: EmbeddingFunction {
    public let dimension: Int
    public var name: String { "hashed-features-v1-d\(dimension)" }

    /// `dimension` ≥ 1 (default 384).
    public init(dimension: Int = 384) {
        ensure(dimension >= 1, "HashedFeatureEmbedding: dimension must be positive, got \(dimension)")
        self.dimension = dimension
    }

    public func embed(_ texts: [String]) throws -> [[Float]] { texts.map(embedOne) }

    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    func embedOne(_ text: String) -> [Float] {
        let tokens = BM25.standardAnalyzer(text)
        var tf: [String: (Double, Double)] = [:]
        for t in tokens { tf[t, default: (0, 1)].0 += 1 }
        if tokens.count > 1 { for i in 1..<tokens.count { tf[tokens[i - 1] + " " + tokens[i], default: (0, 0.5)].0 += 1 } }
        var v = [Double](repeating: 0, count: dimension)
        for (term, (count, weight)) in tf {
            let h = Self.fnv1a(term)
            let sign: Double = (h >> 63) == 0 ? 1 : -1
            v[Int(h % UInt64(dimension))] += sign * weight * (1 + log(count))
        }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { Float(norm > 0 ? $0 / norm : 0) }
    }
}

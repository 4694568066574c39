/// How vectors are compared. Every index reports a *score* where higher means closer:
///
/// - `cosine`: cos(q, x) = q·x / (‖q‖‖x‖) in [−1, 1]; stored vectors and queries are normalized
///   to unit length, then compared by inner product (as faiss does with `IndexFlatIP` on
///   normalized data). Zero vectors cannot be normalized and are rejected.
/// - `innerProduct`: q·x (maximum inner product search).
/// - `l2`: −‖q − x‖² (the negated squared Euclidean distance, so that larger is better; faiss
///   reports ‖q − x‖² itself — negate the score to compare).
public enum DistanceMetric: String, CaseIterable, Sendable, Codable {
    case cosine
    case innerProduct = "ip"
    case l2

    /// Parses "cosine", "ip" / "inner_product" / "dot", "l2" / "euclidean".
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "cosine", "cos": self = .cosine
        case "ip", "inner_product", "innerproduct", "dot": self = .innerProduct
        case "l2", "euclidean": self = .l2
        default: throw RetrievalError.invalidParameter(name: "metric", value: text, reason: "expected cosine, ip or l2")
        }
    }

    /// Code stored in index files.
    var code: UInt32 {
        switch self {
        case .cosine: return 1
        case .innerProduct: return 2
        case .l2: return 3
        }
    }

    init?(code: UInt32) {
        switch code {
        case 1: self = .cosine
        case 2: self = .innerProduct
        case 3: self = .l2
        default: return nil
        }
    }

    /// True when the index compares by inner product (cosine after normalization, or ip).
    var usesInnerProduct: Bool { self != .l2 }
}

/// One search result: an id and its score under the index's metric (higher is better; see
/// ``DistanceMetric``) or under BM25 / a fusion method.
public struct SearchHit: Equatable, Hashable, Sendable, Codable {
    /// The vector's or document's id.
    public var id: Int64
    /// Similarity score; higher is better.
    public var score: Double

    /// Creates a hit.
    public init(id: Int64, score: Double) {
        self.id = id
        self.score = score
    }
}

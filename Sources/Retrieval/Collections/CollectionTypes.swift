import Foundation

/// A document to add to a ``DocumentCollection``: a caller-chosen unique id, its text and
/// metadata (inherited by its chunks for filtering).
public struct CollectionDocument: Equatable, Sendable {
    /// Unique id within the collection (non-empty).
    public var id: String
    /// Full text (chunked on add).
    public var text: String
    /// Metadata used by `where` filters.
    public var metadata: Metadata

    /// Creates a document.
    public init(id: String, text: String, metadata: Metadata = [:]) {
        self.id = id
        self.text = text
        self.metadata = metadata
    }
}

/// One result of ``DocumentCollection/query(_:k:mode:where:)``: a chunk, its document and score.
public struct CollectionHit: Equatable, Sendable {
    /// The chunk's row id.
    public var chunkID: Int64
    /// The document the chunk belongs to.
    public var documentID: String
    /// The chunk's text.
    public var text: String
    /// Character offsets of the chunk in its document's text.
    public var start: Int
    /// End offset (exclusive).
    public var end: Int
    /// Score (BM25, cosine similarity, or fused score, by mode).
    public var score: Double
    /// The document's metadata.
    public var metadata: Metadata

    public init(chunkID: Int64, documentID: String, text: String, start: Int, end: Int, score: Double, metadata: Metadata = [:]) {
        self.chunkID = chunkID; self.documentID = documentID; self.text = text
        self.start = start; self.end = end; self.score = score; self.metadata = metadata
    }
}

/// Which ranking a collection query uses.
public enum SearchMode: String, Sendable, CaseIterable {
    /// BM25 (Okapi) over chunk texts.
    case bm25
    /// Cosine similarity of embeddings.
    case vector
    /// Reciprocal-rank fusion of both.
    case hybrid
}

/// Counts of one consistent snapshot of a collection.
public struct CollectionStats: Equatable, Sendable {
    /// Documents stored.
    public var documents: Int
    /// Chunks stored.
    public var chunks: Int
    /// Write generation (incremented by every committed write).
    public var generation: Int64
}

extension TextChunker.Strategy {
    /// Text form stored in a collection ("recursive:500:50", "characters:…", "tokens:…",
    /// "sentences:…"); the recursive form keeps the default separators.
    var storageText: String {
        switch self {
        case .characters(let s, let o): return "characters:\(s):\(o)"
        case .tokens(let s, let o): return "tokens:\(s):\(o)"
        case .recursive(let s, let o, _): return "recursive:\(s):\(o)"
        case .sentences(let m, let o): return "sentences:\(m):\(o)"
        }
    }

    /// Parses ``storageText`` (also the CLI's `--chunking` value).
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 3, let a = Int(parts[1]), let b = Int(parts[2]) else {
            throw RetrievalError.invalidParameter(name: "chunking", value: text, reason: "expected KIND:SIZE:OVERLAP, e.g. recursive:500:50")
        }
        switch parts[0] {
        case "characters": self = .characters(size: a, overlap: b)
        case "tokens": self = .tokens(size: a, overlap: b)
        case "recursive": self = .recursive(size: a, overlap: b)
        case "sentences": self = .sentences(maxCharacters: a, overlap: b)
        default: throw RetrievalError.invalidParameter(name: "chunking", value: text, reason: "kind must be characters, tokens, recursive or sentences")
        }
        _ = try TextChunker(self)
    }
}

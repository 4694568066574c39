import Foundation
import LLM
import Retrieval

/// A neural sentence embedding for collections and search: a `BertEncoder` (e.g.
/// all-MiniLM-L6-v2, mean pooling + L2 normalization) behind Retrieval's `EmbeddingFunction`.
/// It lives in RAG because Retrieval does not depend on LLM.
///
/// The name is `transformer-<model directory name>-d<dimension>` and the source is the model
/// directory, which a collection stores, so `CollectionStore.openWithStoredEmbedding` loads the
/// same model again.
///
/// ```swift
/// let minilm = try TransformerEmbedding(modelDirectory: URL(fileURLWithPath: "models/all-MiniLM-L6-v2"))
/// let notes = try CollectionStore().create("notes", embedding: minilm)
/// ```
public struct TransformerEmbedding: EmbeddingFunction {
    /// The encoder.
    public let encoder: BertEncoder
    /// The model directory (absolute).
    public let modelDirectory: URL

    /// Loads the model in `modelDirectory` (see `BertEncoder(directory:)` for the files and errors).
    public init(modelDirectory: URL) throws {
        self.modelDirectory = modelDirectory.standardizedFileURL
        encoder = try BertEncoder(directory: self.modelDirectory)
    }

    public var name: String { "transformer-\(modelDirectory.lastPathComponent)-d\(dimension)" }
    public var dimension: Int { encoder.dimension }
    public var source: String? { modelDirectory.path }
    public func embed(_ texts: [String]) throws -> [[Float]] { try encoder.embed(texts) }
}

extension CollectionStore {
    /// Opens collection `name` with the embedding it was created with: the hashed features, or the
    /// transformer model whose directory the collection stored (loaded again from there).
    /// - Throws: as `open(_:embedding:)`, and `LLMError` when the stored model cannot be loaded.
    public func openWithStoredEmbedding(_ name: String) throws -> DocumentCollection {
        let stored = try storedEmbedding(of: name)
        guard let source = stored.source else { return try open(name) }
        return try open(name, embedding: try TransformerEmbedding(modelDirectory: URL(fileURLWithPath: source)))
    }
}

import Foundation
import SwiftLearnCore

/// The corpus bundled with the RAG module: eight Markdown pages of ML field notes written for
/// SwiftLearn (`Sources/RAG/Corpus/handbook/`, see its README) and a question set over them
/// (24 answerable questions with gold passages, 8 the notes do not answer). The demos, the
/// checkpoint and the tests run on it, so they need no download.
public enum BundledCorpus {
    /// The folder of the handbook's Markdown files.
    public static var handbook: URL {
        get throws {
            guard let url = Bundle.module.url(forResource: "Corpus", withExtension: nil)?.appendingPathComponent("handbook"),
                  FileManager.default.fileExists(atPath: url.path) else {
                throw RAGError.unreadable(path: "Corpus/handbook", reason: "the RAG module's bundled corpus is missing from its resources")
            }
            return url
        }
    }

    /// The handbook's question set.
    public static func questions() throws -> [QAItem] {
        guard let url = Bundle.module.url(forResource: "Corpus", withExtension: nil)?.appendingPathComponent("handbook_qa.jsonl") else {
            throw RAGError.unreadable(path: "Corpus/handbook_qa.jsonl", reason: "the RAG module's bundled question set is missing")
        }
        return try QASet.load(url.path)
    }
}

/// Where the RAG demos find a sentence-embedding model: `$SWIFTLEARN_EMBEDDING_MODEL`, else
/// `models/all-MiniLM-L6-v2` under the current folder (what `scripts/fetch_models.sh` writes).
/// Without one, they use the hashed-feature embedding.
public enum EmbeddingModelLocator {
    /// The environment variable naming a model folder.
    public static let environmentVariable = "SWIFTLEARN_EMBEDDING_MODEL"
    /// The default folder, relative to the current folder.
    public static let defaultPath = "models/all-MiniLM-L6-v2"

    /// The model folder to use, or nil (hashed features then).
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment,
                            folder: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL? {
        locateModel(variable: environmentVariable, defaultPath: defaultPath, marker: "config.json", environment: environment, folder: folder)
    }
}

import Foundation

/// Test fixtures bundled with LLMTests, and the real models the slow checks use when present.
enum FixtureFiles {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!
    }

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(name)))
    }

    /// The repository root (for `models/`, written by scripts/fetch_models.sh).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// SmolLM2-135M-Instruct Q4_1: `$SWIFTLEARN_SMOLLM2`, else `models/SmolLM2-135M-Instruct.Q4_1.gguf`
    /// (scripts/fetch_models.sh puts it there); `nil` when absent — the tests that need it are skipped.
    static let smolLM2: URL? = {
        let env = ProcessInfo.processInfo.environment["SWIFTLEARN_SMOLLM2"].map { URL(fileURLWithPath: $0) }
        let local = repositoryRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")
        return [env, local].compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0.path) }
    }()

    /// all-MiniLM-L6-v2 (a sentence-transformers directory): `$SWIFTLEARN_MINILM`, else
    /// `models/all-MiniLM-L6-v2` (scripts/fetch_models.sh); `nil` when absent.
    static let miniLM: URL? = {
        let env = ProcessInfo.processInfo.environment["SWIFTLEARN_MINILM"].map { URL(fileURLWithPath: $0) }
        let local = repositoryRoot.appendingPathComponent("models/all-MiniLM-L6-v2")
        return [env, local].compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("config.json").path) }
    }()
}

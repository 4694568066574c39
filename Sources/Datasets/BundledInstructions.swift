import Foundation
import SwiftLearnCore

/// One instruction-tuning example: a user prompt and the answer the model should give.
public struct InstructionExample: Codable, Equatable, Sendable {
    /// What the user asks.
    public var prompt: String
    /// The answer to learn.
    public var completion: String

    /// Creates an example.
    public init(prompt: String, completion: String) {
        self.prompt = prompt; self.completion = completion
    }

    /// The longest prompt or completion a JSONL line may hold (characters).
    public static let maximumLength = 100_000

    /// Reads JSON Lines of `{"prompt": …, "completion": …}` (blank lines skipped).
    /// - Throws: ``CSVError/unreadable(path:reason:)`` for a file that cannot be read, and
    ///   ``CSVError/inFile(path:error:)`` wrapping ``CSVError/malformed(line:column:reason:)`` for the first bad line (not an object with
    ///   two non-empty strings, or a field over ``maximumLength`` characters).
    public static func readJSONL(_ url: URL) throws -> [InstructionExample] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw CSVError.unreadable(path: url.path, reason: readableReason(error))
        }
        var out: [InstructionExample] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let e = try? JSONDecoder().decode(InstructionExample.self, from: Data(trimmed.utf8)),
                  !e.prompt.isEmpty, !e.completion.isEmpty, e.prompt.count <= maximumLength, e.completion.count <= maximumLength else {
                throw CSVError.inFile(path: url.path, error: .malformed(line: i + 1, column: 1, reason: "expected {\"prompt\": text, \"completion\": text} with non-empty texts of at most \(maximumLength) characters"))
            }
            out.append(e)
        }
        return out
    }
}

/// Instruction sets bundled for fine-tuning (provenance, licence and checksums in `Data/SOURCES.md`).
public enum BundledInstructions: String, CaseIterable, Sendable {
    /// The sentiment of a word, answered `positive` or `negative` (VADER lexicon, MIT).
    case wordSentiment = "word_sentiment"

    /// Which half of the set.
    public enum Split: String, Sendable {
        /// The examples to train on.
        case train
        /// The held-out examples.
        case test
    }

    /// The examples of one split.
    /// - Throws: `CSVError` when the bundled file is missing or malformed.
    public func load(_ split: Split) throws -> [InstructionExample] {
        guard let url = Bundle.module.url(forResource: "Data/instructions/\(rawValue)_\(split.rawValue)", withExtension: "jsonl") else {
            throw CSVError.unreadable(path: "instructions/\(rawValue)_\(split.rawValue).jsonl", reason: "bundled resource missing")
        }
        return try InstructionExample.readJSONL(url)
    }
}

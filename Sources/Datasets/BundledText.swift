import Foundation
import SwiftLearnCore

/// Plain-text corpora bundled for language-model examples (provenance and checksums in
/// `Data/SOURCES.md`).
///
/// ```swift
/// let text = try BundledText.shakespeareTragedies.load()   // 841,797 characters
/// ```
public enum BundledText: String, CaseIterable, Sendable {
    /// Hamlet, Macbeth, Othello, King Lear, Romeo and Juliet, Julius Caesar (Project Gutenberg).
    case shakespeareTragedies = "shakespeare_tragedies"
    /// The Lee background corpus: 300 Australian news paragraphs, 59,890 words (gensim's test data).
    case leeBackground = "lee_background"

    /// The whole text.
    /// - Throws: ``CSVError/unreadable(path:reason:)`` when the resource is missing or not UTF-8.
    public func load() throws -> String {
        guard let url = Bundle.module.url(forResource: "Data/text/\(rawValue)", withExtension: "txt") else {
            throw CSVError.unreadable(path: "text/\(rawValue).txt", reason: "bundled resource missing")
        }
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw CSVError.unreadable(path: url.path, reason: readableReason(error))
        }
    }
}

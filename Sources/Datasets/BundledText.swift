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
    /// 4,800 Debian package descriptions labelled by archive section, 400 in each of 12 sections,
    /// as `section<TAB>package<TAB>description` lines (Debian 12 "bookworm"; see
    /// ``labelledDocuments()``).
    case debianPackages = "debian_packages"

    /// The file's extension: the labelled set is tab-separated.
    var fileExtension: String { self == .debianPackages ? "tsv" : "txt" }

    /// The whole text.
    /// - Throws: ``CSVError/unreadable(path:reason:)`` when the resource is missing or not UTF-8.
    public func load() throws -> String {
        guard let url = Bundle.module.url(forResource: "Data/text/\(rawValue)", withExtension: fileExtension) else {
            throw CSVError.unreadable(path: "text/\(rawValue).\(fileExtension)", reason: "bundled resource missing")
        }
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw CSVError.unreadable(path: url.path, reason: readableReason(error))
        }
    }

    /// The rows of a labelled corpus (`debianPackages`): label, name and text of each document,
    /// in file order.
    /// - Throws: ``CSVError/unreadable(path:reason:)`` for a text corpus or a malformed line.
    public func labelledDocuments() throws -> [LabelledDocument] {
        guard self == .debianPackages else { throw CSVError.unreadable(path: "text/\(rawValue).\(fileExtension)", reason: "not a labelled corpus") }
        var rows: [LabelledDocument] = []
        for (i, line) in try load().split(separator: "\n").enumerated() {
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { throw CSVError.unreadable(path: "text/\(rawValue).tsv", reason: "line \(i + 1) has \(fields.count) tab-separated fields, expected 3") }
            rows.append(LabelledDocument(label: String(fields[0]), name: String(fields[1]), text: String(fields[2])))
        }
        return rows
    }
}

/// A document with a class label (and a name, e.g. the Debian package it describes).
public struct LabelledDocument: Sendable, Equatable {
    /// The class (a Debian section), the document's name (the package) and its text.
    public var label: String, name: String, text: String
    /// A document with its label and name.
    public init(label: String, name: String, text: String) { self.label = label; self.name = name; self.text = text }
}

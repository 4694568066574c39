import Foundation
import Retrieval

/// A titled part of a document: `text[start..<end]` in Character offsets.
public struct DocumentSection: Equatable, Sendable, Codable {
    /// The heading (empty for text before the first heading).
    public var title: String
    /// Heading level, 1 (top) to 6; 0 for text before the first heading.
    public var level: Int
    /// Character offsets of the section's body (the heading line included) in the document's text.
    public var start: Int
    public var end: Int

    /// Creates a section.
    public init(title: String, level: Int, start: Int, end: Int) {
        self.title = title; self.level = level; self.start = start; self.end = end
    }
}

/// A loaded document: where it came from, its text, and its structure.
///
/// `text` is what is indexed and what every offset (chunks, citations) counts into, in
/// Characters: the file's text for plain text and Markdown; the visible text for HTML; the text
/// `pdftotext` gives for PDF; one row rendered as `column: value` lines for CSV and JSON.
public struct SourceDocument: Equatable, Sendable {
    /// A stable id: the source path, plus `#row` for one row of a table file.
    public var id: String
    /// The file it was read from.
    public var source: String
    /// The kind of file: text, markdown, html, pdf, csv, json.
    public var kind: String
    /// The document's title (HTML `<title>`, the first heading, or the file name).
    public var title: String
    /// The text.
    public var text: String
    /// Sections by heading, in order, covering the whole text.
    public var sections: [DocumentSection]
    /// Other fields (table columns, front matter) kept as metadata.
    public var metadata: Metadata

    /// Creates a document; without sections the whole text is one untitled section.
    public init(id: String, source: String, kind: String, title: String, text: String,
                sections: [DocumentSection] = [], metadata: Metadata = [:]) {
        self.id = id; self.source = source; self.kind = kind; self.title = title; self.text = text
        self.sections = sections.isEmpty ? [DocumentSection(title: "", level: 0, start: 0, end: text.count)] : sections
        self.metadata = metadata
    }

    /// The section holding Character offset `offset` (the last one starting at or before it).
    public func section(at offset: Int) -> DocumentSection? {
        sections.last { $0.start <= offset } ?? sections.first
    }
}

/// Sections from heading positions: each runs from its heading to the next heading (of any
/// level); text before the first heading is an untitled level-0 section.
public func sections(from headings: [(title: String, level: Int, start: Int)], length: Int) -> [DocumentSection] {
    var out: [DocumentSection] = []
    if let first = headings.first, first.start > 0 { out.append(DocumentSection(title: "", level: 0, start: 0, end: first.start)) }
    for (i, h) in headings.enumerated() {
        let end = i + 1 < headings.count ? headings[i + 1].start : length
        if end > h.start { out.append(DocumentSection(title: h.title, level: h.level, start: h.start, end: end)) }
    }
    return out
}

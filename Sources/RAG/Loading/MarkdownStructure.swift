import Foundation

/// The structure of a Markdown text: headings (ATX `#`…`######` and setext `===`/`---`
/// underlines) outside fenced code, and the blocks — paragraphs, fenced code, headings —
/// separated by blank lines. Offsets are Characters of the text.
public struct MarkdownStructure: Sendable {
    /// A block of the text: `start..<end`, and whether it is fenced code (kept whole when chunking).
    public struct Block: Equatable, Sendable {
        /// Character offsets of the block.
        public var start: Int
        public var end: Int
        /// A fenced code block (fences included).
        public var isCode: Bool
        /// A heading line (or a setext heading with its underline).
        public var isHeading: Bool
    }

    /// Headings with the offset of their line.
    public var headings: [(title: String, level: Int, start: Int)] = []
    /// Blocks in order.
    public var blocks: [Block] = []
    /// The text of a leading `---` YAML front-matter block's `title:` line, if any.
    public var frontMatterTitle: String?

    /// Scans `text` (never fails: anything that is not structure is paragraph text).
    public init(_ text: String) {
        let chars = Array(text)
        // Lines as Character ranges (without the line break).
        var lines: [(start: Int, end: Int)] = []
        var s = 0
        for (k, c) in chars.enumerated() where c == "\n" || c == "\r\n" {
            lines.append((s, k)); s = k + 1
        }
        if s <= chars.count { lines.append((s, chars.count)) }
        func line(_ l: (start: Int, end: Int)) -> Substring { Substring(String(chars[l.start..<l.end])) }
        func isBlank(_ l: (start: Int, end: Int)) -> Bool { chars[l.start..<l.end].allSatisfy(\.isWhitespace) }

        var index = 0
        // Front matter.
        if let first = lines.first, line(first).trimmingCharacters(in: .whitespaces) == "---" {
            var k = 1
            while k < lines.count && line(lines[k]).trimmingCharacters(in: .whitespaces) != "---" {
                let l = line(lines[k])
                if l.hasPrefix("title:") {
                    frontMatterTitle = l.dropFirst(6).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                }
                k += 1
            }
            if k < lines.count { blocks.append(Block(start: 0, end: lines[k].end, isCode: false, isHeading: false)); index = k + 1 }
        }
        var paragraph: (start: Int, end: Int)?
        func closeParagraph() {
            if let p = paragraph { blocks.append(Block(start: p.start, end: p.end, isCode: false, isHeading: false)) }
            paragraph = nil
        }
        while index < lines.count {
            let l = lines[index]
            let content = line(l)
            let trimmed = content.drop { $0 == " " }
            let indent = content.count - trimmed.count
            // Fenced code: ``` or ~~~ (3+), closed by a fence of the same character at least as long.
            if indent < 4, let fence = trimmed.first, fence == "`" || fence == "~" {
                let run = trimmed.prefix { $0 == fence }.count
                if run >= 3 {
                    closeParagraph()
                    var k = index + 1
                    while k < lines.count {
                        let t = line(lines[k]).drop { $0 == " " }
                        if t.prefix(while: { $0 == fence }).count >= run && t.drop(while: { $0 == fence }).allSatisfy(\.isWhitespace) { break }
                        k += 1
                    }
                    let end = k < lines.count ? lines[k].end : chars.count
                    blocks.append(Block(start: l.start, end: end, isCode: true, isHeading: false))
                    index = k + 1
                    continue
                }
            }
            // ATX heading.
            if indent < 4, trimmed.first == "#" {
                let level = trimmed.prefix { $0 == "#" }.count
                let rest = trimmed.dropFirst(level)
                if level <= 6, rest.isEmpty || rest.first == " " || rest.first == "\t" {
                    closeParagraph()
                    var title = rest.trimmingCharacters(in: .whitespaces)
                    while title.hasSuffix("#") { title.removeLast() }
                    headings.append((title.trimmingCharacters(in: .whitespaces), level, l.start))
                    blocks.append(Block(start: l.start, end: l.end, isCode: false, isHeading: true))
                    index += 1
                    continue
                }
            }
            // Setext heading: a paragraph line followed by === or ---.
            if let p = paragraph, !isBlank(l), indent < 4,
               trimmed.allSatisfy({ $0 == "=" || $0 == " " }) && trimmed.contains("=") || (trimmed.allSatisfy({ $0 == "-" || $0 == " " }) && trimmed.filter({ $0 == "-" }).count >= 2) {
                let titleText = String(chars[p.start..<p.end]).trimmingCharacters(in: .whitespacesAndNewlines)
                if !titleText.contains("\n") {
                    headings.append((titleText, trimmed.contains("=") ? 1 : 2, p.start))
                    blocks.append(Block(start: p.start, end: l.end, isCode: false, isHeading: true))
                    paragraph = nil
                    index += 1
                    continue
                }
            }
            if isBlank(l) { closeParagraph() } else if paragraph == nil { paragraph = l } else { paragraph!.end = l.end }
            index += 1
        }
        closeParagraph()
    }
}

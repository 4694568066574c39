import Datasets
import Foundation
import Retrieval
import SwiftLearnCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads files into ``SourceDocument``s: plain text, Markdown, HTML, CSV, JSON / JSON Lines and
/// PDF (through poppler's `pdftotext`), one file or a directory tree filtered by glob patterns.
///
/// | Extension | Documents | Text (what offsets count into) | Sections |
/// |---|---|---|---|
/// | .txt .text .rst .log (and any other with `--kind text`) | 1 | the file | one |
/// | .md .markdown | 1 | the file | ATX/setext headings outside fenced code |
/// | .html .htm .xhtml | 1 | the visible text (``HTMLText``) | h1–h6 |
/// | .pdf | 1 | `pdftotext -layout` output | one per page (form feeds) |
/// | .csv .tsv | one per row | `column: value` lines | one |
/// | .json (array of objects, or one object) .jsonl | one per object | the `text`/`content`/`body`/`page_content` field, else `key: value` lines | one |
///
/// Every file is checked before it is read: it must exist, be a regular file, and be at most
/// ``maxFileBytes``; text that is not UTF-8 is read as Windows-1252 (what browsers assume).
public struct DocumentLoader: Sendable {
    /// Glob patterns a directory's files must match (on their path relative to the directory,
    /// or their name); empty means every supported extension.
    public var include: [String]
    /// Glob patterns that exclude files and directories (hidden ones are always skipped).
    public var exclude: [String]
    /// Keep link targets in HTML text (`text <url>`).
    public var keepLinks: Bool
    /// The largest file read (bytes); larger files throw instead of being loaded.
    public var maxFileBytes: Int
    /// The largest number of files one directory walk accepts.
    public var maxFiles: Int

    /// File extensions read, by kind.
    public static let kinds: [String: String] = [
        "txt": "text", "text": "text", "rst": "text", "log": "text",
        "md": "markdown", "markdown": "markdown",
        "html": "html", "htm": "html", "xhtml": "html",
        "pdf": "pdf", "csv": "csv", "tsv": "csv", "json": "json", "jsonl": "json", "ndjson": "json",
    ]

    /// A loader with these filters and limits (64 MiB per file, 100,000 files per folder by default).
    public init(include: [String] = [], exclude: [String] = [], keepLinks: Bool = false,
                maxFileBytes: Int = 64 << 20, maxFiles: Int = 100_000) {
        self.include = include; self.exclude = exclude; self.keepLinks = keepLinks
        self.maxFileBytes = maxFileBytes; self.maxFiles = maxFiles
    }

    /// Loads files and directories (directories recursively, in path order).
    public func load(_ paths: [String]) throws -> [SourceDocument] {
        var out: [SourceDocument] = []
        for path in paths { out += try load(path) }
        return out
    }

    /// Loads one file, or every matching file under a directory.
    public func load(_ path: String) throws -> [SourceDocument] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RAGError.unreadable(path: path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else { return try loadFile(path) }
        return try files(under: path).flatMap { try loadFile($0) }
    }

    /// The files under `directory` that the patterns select, sorted.
    public func files(under directory: String) throws -> [String] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey],
                                                          options: [.skipsHiddenFiles]) else {
            throw RAGError.unreadable(path: directory, reason: "cannot list the directory")
        }
        var found: [String] = []
        let base = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in walker {
            let path = url.standardizedFileURL.path
            let relative = path.hasPrefix(base) ? String(path.dropFirst(base.count)) : url.lastPathComponent
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isDirectoryKey])
            if exclude.contains(where: { glob($0, matches: relative) || glob($0, matches: url.lastPathComponent) }) {
                if values?.isDirectory == true { walker.skipDescendants() }
                continue
            }
            guard values?.isRegularFile == true else { continue }
            let selected = include.isEmpty ? Self.kinds[url.pathExtension.lowercased()] != nil
                : include.contains { glob($0, matches: relative) || glob($0, matches: url.lastPathComponent) }
            if selected {
                found.append((directory.hasSuffix("/") ? directory : directory + "/") + relative)
                guard found.count <= maxFiles else {
                    throw RAGError.invalidParameter(name: "paths", value: directory, reason: "more than \(maxFiles) files match")
                }
            }
        }
        return found.sorted()
    }

    /// Loads one file by its extension.
    public func loadFile(_ path: String) throws -> [SourceDocument] {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard let kind = Self.kinds[ext] else { throw RAGError.unsupportedKind(path: path, kind: ext.isEmpty ? "(no extension)" : ext) }
        if kind == "pdf" { return [try pdf(path)] }
        return try documents(fromText: try readText(path), kind: kind, path: path)
    }

    /// The documents of a file's text already in memory: `kind` is text, markdown, html, csv,
    /// tsv or json (JSON Lines when `path` does not end in `.json`); `path` names the source.
    public func documents(fromText text: String, kind: String, path: String) throws -> [SourceDocument] {
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        switch kind {
        case "markdown":
            let md = MarkdownStructure(text)
            let title = md.frontMatterTitle ?? md.headings.first { $0.level == 1 }?.title ?? md.headings.first?.title ?? name
            return [SourceDocument(id: path, source: path, kind: kind, title: title, text: text,
                                   sections: sections(from: md.headings, length: text.count))]
        case "html":
            let page = HTMLText(html: text, keepLinks: keepLinks)
            let title = page.title.isEmpty ? (page.headings.first?.title ?? name) : page.title
            return [SourceDocument(id: path, source: path, kind: kind, title: title, text: page.text,
                                   sections: sections(from: page.headings, length: page.text.count))]
        case "csv", "tsv": return try csv(path, text: text, delimiter: ext == "tsv" || kind == "tsv" ? "\t" : ",")
        case "json": return try json(path, text: text, lines: ext != "json")
        default: return [SourceDocument(id: path, source: path, kind: kind, title: name, text: text)]
        }
    }

    /// The file's bytes as text (UTF-8 with a BOM skipped, else Windows-1252), size-checked first.
    func readText(_ path: String) throws -> String {
        let data = try readBytes(path)
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let s = String(validatingUTF8Bytes: bytes) { return s }
        return String(String.UnicodeScalarView(bytes.compactMap { Unicode.Scalar(Self.windows1252($0)) }))
    }

    func readBytes(_ path: String) throws -> [UInt8] {
        try checkFile(path)
        do { return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw RAGError.unreadable(path: path, reason: readableReason(error))
        }
    }

    /// Throws unless `path` is a regular file of at most ``maxFileBytes``.
    func checkFile(_ path: String) throws {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw RAGError.unreadable(path: path, reason: readableReason(error))
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else { throw RAGError.unreadable(path: path, reason: "not a regular file") }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maxFileBytes else {
            throw RAGError.unreadable(path: path, reason: "\(size) bytes is more than the \(maxFileBytes)-byte limit (maxFileBytes)")
        }
    }

    /// Windows-1252's mapping of a byte (0x80–0x9F are typographic characters, not C1 controls).
    static func windows1252(_ b: UInt8) -> UInt32 {
        let high: [UInt32] = [0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030, 0x160, 0x2039, 0x152, 0x8D, 0x17D, 0x8F,
                              0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178]
        return (0x80...0x9F).contains(b) ? high[Int(b) - 0x80] : UInt32(b)
    }

    func csv(_ path: String, text: String, delimiter: Character) throws -> [SourceDocument] {
        let records: [(line: Int, fields: [String])]
        do { records = try CSVTable.records(text, delimiter: delimiter) } catch {
            throw RAGError.malformed(path: path, reason: "\(error)")
        }
        guard let header = records.first?.fields, !header.isEmpty else { throw RAGError.malformed(path: path, reason: "no header row") }
        let name = URL(fileURLWithPath: path).lastPathComponent
        return try records.dropFirst().enumerated().compactMap { row, record in
            guard record.fields.count == header.count else {
                throw RAGError.malformed(path: path, reason: "line \(record.line) has \(record.fields.count) fields, the header has \(header.count)")
            }
            let pairs = zip(header, record.fields).filter { !$0.1.trimmingCharacters(in: .whitespaces).isEmpty }
            guard !pairs.isEmpty else { return nil }
            var metadata: Metadata = ["row": .int(Int64(row + 1))]
            for (k, v) in pairs where v.count <= 256 { metadata[k] = .string(v) }
            return SourceDocument(id: "\(path)#\(row + 1)", source: path, kind: "csv", title: "\(name) row \(row + 1)",
                                  text: pairs.map { "\($0.0): \($0.1)" }.joined(separator: "\n"), metadata: metadata)
        }
    }

    static let textFields = ["text", "content", "body", "page_content"]

    func json(_ path: String, text: String, lines: Bool) throws -> [SourceDocument] {
        var objects: [(Int, OrderedJSON)] = []
        func parse(_ s: Substring, line: Int) throws -> OrderedJSON {
            do { return try OrderedJSON.parse(Array(s.utf8)[...]) } catch let e as OrderedJSON.ParseError {
                throw RAGError.malformed(path: path, reason: "\(lines ? "line \(line): " : "")invalid JSON at byte \(e.offset): \(e.reason)")
            }
        }
        if lines {
            for (k, l) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !l.trimmingCharacters(in: .whitespaces).isEmpty {
                objects.append((k + 1, try parse(l, line: k + 1)))
            }
        } else {
            switch try parse(Substring(text), line: 1) {
            case .array(let items): objects = items.enumerated().map { ($0 + 1, $1) }
            case let one: objects = [(1, one)]
            }
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        return try objects.compactMap { n, value in
            guard case .object(let fields) = value else {
                throw RAGError.malformed(path: path, reason: "\(lines ? "line" : "item") \(n) is \(value.kind), expected an object")
            }
            var metadata: Metadata = ["row": .int(Int64(n))]
            var body: String?
            var lines: [String] = []
            for (k, v) in fields {
                let rendered: String
                switch v {
                case .string(let s): rendered = s
                case .number(let x): rendered = x; metadata[k] = Double(x).map { .double($0) } ?? .string(x)
                case .bool(let b): rendered = String(b); metadata[k] = .bool(b)
                case .null: continue
                default: rendered = v.kind
                }
                if case .string(let s) = v {
                    if body == nil, Self.textFields.contains(k.lowercased()) { body = s; continue }
                    if s.count <= 256 { metadata[k] = .string(s) }
                }
                lines.append("\(k): \(rendered)")
            }
            let text = body ?? lines.joined(separator: "\n")
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
            let title = metadata["title"].map { "\($0)" } ?? "\(name) \(n)"
            return SourceDocument(id: "\(path)#\(n)", source: path, kind: "json", title: title, text: text, metadata: metadata)
        }
    }

    /// `pdftotext -layout -enc UTF-8 FILE -`; pages (form feeds) become sections "page N".
    func pdf(_ path: String) throws -> SourceDocument {
        try checkFile(path)
        guard let tool = Self.executable("pdftotext") else { throw RAGError.toolMissing(program: "pdftotext", package: "poppler-utils") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-layout", "-enc", "UTF-8", path, "-"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { throw RAGError.unreadable(path: path, reason: "pdftotext: \(error)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RAGError.malformed(path: path, reason: "pdftotext failed (\(process.terminationStatus)): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let text = String(decoding: data, as: UTF8.self)
        var headings: [(title: String, level: Int, start: Int)] = [("page 1", 1, 0)]
        var offset = 0
        for ch in text {
            offset += 1
            if ch == "\u{0C}" { headings.append(("page \(headings.count + 1)", 1, offset)) }
        }
        if headings.last?.start == text.count && headings.count > 1 { headings.removeLast() }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return SourceDocument(id: path, source: path, kind: "pdf", title: name, text: text, sections: sections(from: headings, length: text.count))
    }

    /// The path of program `name` on `PATH`, or nil.
    public static func executable(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// Shell-style pattern matching (`*`, `?`, `[…]`; `**/` matches any number of directories).
func glob(_ pattern: String, matches path: String) -> Bool {
    if pattern.hasPrefix("**/") { return glob(String(pattern.dropFirst(3)), matches: path) || path.split(separator: "/").indices.contains { i in
        glob(String(pattern.dropFirst(3)), matches: path.split(separator: "/").dropFirst(i).joined(separator: "/"))
    } }
    return fnmatch(pattern, path, 0) == 0
}

extension String {
    /// The text of `bytes` if they are valid UTF-8, else nil.
    init?(validatingUTF8Bytes bytes: ArraySlice<UInt8>) {
        var out = String.UnicodeScalarView()
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): out.append(s)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = String(out)
    }
}

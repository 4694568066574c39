import Foundation

/// The visible text of an HTML page, with its title and headings: what a reader sees, in reading
/// order, as plain text with blank lines between blocks.
///
/// Rules (a small, forgiving scanner; never throws, never recurses, linear in the input):
/// - Only the main content is kept when the page marks it: the first element with
///   `role="main"`, else the first `<main>`, else the first `<article>`; otherwise the `<body>`.
/// - Never shown: `script`, `style`, `noscript`, `template`, `svg`, `math`, `iframe`, `object`,
///   `canvas`, `select`, `button`, elements with the `hidden` attribute or `aria-hidden="true"`,
///   and Sphinx's heading permalinks (class `headerlink`).
/// - Whitespace collapses to one space, except inside `pre`/`textarea`; block elements (`p`,
///   `div`, headings, list items, table rows, `pre`, `blockquote`, …) start on a new line, and
///   paragraph-level ones (`p`, headings, `pre`, `blockquote`, `table`, `ul`/`ol`/`dl`, `section`)
///   are separated by a blank line; table cells are separated by " | ".
/// - Entities: the XML five, `&nbsp;`, numeric (`&#8212;`, `&#x2014;`) and the common named
///   typography entities; an unknown entity stays as written.
/// - Links keep their text; with `keepLinks` the target follows in brackets: `text <url>`.
public struct HTMLText: Sendable, Equatable {
    /// The `<title>` text (empty if none).
    public var title: String
    /// The visible text.
    public var text: String
    /// Headings h1–h6 with their Character offset in `text`.
    public var headings: [(title: String, level: Int, start: Int)]

    public static func == (a: HTMLText, b: HTMLText) -> Bool {
        a.title == b.title && a.text == b.text && a.headings.map { "\($0.level) \($0.start) \($0.title)" } == b.headings.map { "\($0.level) \($0.start) \($0.title)" }
    }

    /// Extracts the text of `html`.
    public init(html: String, keepLinks: Bool = false) {
        var scanner = HTMLScanner(Array(html.unicodeScalars), keepLinks: keepLinks)
        scanner.run()
        let text = String(String.UnicodeScalarView(scanner.out))
        // Offsets were counted in scalars; convert to Characters in one pass.
        var characterOffset: [Int: Int] = [:]
        let wanted = Set(scanner.headings.map(\.start))
        var scalars = 0, characters = 0
        for ch in text {
            if wanted.contains(scalars) { characterOffset[scalars] = characters }
            scalars += ch.unicodeScalars.count
            characters += 1
        }
        if wanted.contains(scalars) { characterOffset[scalars] = characters }
        self.title = scanner.title.trimmingCharacters(in: .whitespacesAndNewlines)
        self.text = text
        self.headings = scanner.headings.compactMap { h in characterOffset[h.start].map { (h.title, h.level, $0) } }
    }
}

private struct HTMLScanner {
    let input: [Unicode.Scalar]
    let keepLinks: Bool
    var i = 0
    var out: [Unicode.Scalar] = []
    var title = ""
    var headings: [(title: String, level: Int, start: Int)] = []

    // Layout state.
    var pendingSpace = false
    var pendingBreaks = 0
    var preDepth = 0
    // Capture: with a main-content element, text is kept only inside it.
    let mainStart: Int?
    var insideMain = false
    var mainDepth = 0
    var depth = 0
    // Hidden subtrees: the depth at which hiding started.
    var hiddenDepth: Int?
    var inTitle = false
    var heading: (level: Int, start: Int, text: [Unicode.Scalar])?
    var linkTargets: [String?] = []
    var openTags: [String] = []
    var cellsInRow = 0

    static let hiddenElements: Set<String> = ["script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas", "select", "button", "head"]
    static let rawTextElements: Set<String> = ["script", "style", "textarea", "title"]
    static let voidElements: Set<String> = ["br", "img", "hr", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr", "param"]
    static let paragraphBlocks: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table", "ul", "ol", "dl", "section", "article", "main", "figure", "hr", "details"]
    static let lineBlocks: Set<String> = ["div", "li", "dt", "dd", "tr", "br", "header", "footer", "nav", "aside", "form", "fieldset", "legend", "figcaption", "caption", "summary", "thead", "tbody", "tfoot", "address"]

    init(_ input: [Unicode.Scalar], keepLinks: Bool) {
        self.input = input
        self.keepLinks = keepLinks
        mainStart = HTMLScanner.findMain(input)
    }

    /// The input offset of the main-content start tag, if the page has one.
    static func findMain(_ s: [Unicode.Scalar]) -> Int? {
        var probe = HTMLScanner(s, keepLinks: false, probing: true)
        var firstMain: Int?, firstArticle: Int?
        while let (offset, tag) = probe.nextStartTag() {
            if tag.attributes["role"]?.lowercased() == "main" { return offset }
            if tag.name == "main" && firstMain == nil { firstMain = offset }
            if tag.name == "article" && firstArticle == nil { firstArticle = offset }
        }
        return firstMain ?? firstArticle
    }

    private init(_ input: [Unicode.Scalar], keepLinks: Bool, probing: Bool) {
        self.input = input; self.keepLinks = keepLinks; mainStart = nil
    }

    struct Tag {
        var name: String
        var closing: Bool
        var selfClosing: Bool
        var attributes: [String: String]
    }

    /// The next start tag (for the main-content probe), skipping raw-text elements' bodies.
    mutating func nextStartTag() -> (Int, Tag)? {
        while i < input.count {
            if input[i] == "<" {
                let at = i
                if let tag = parseMarkup() {
                    if !tag.closing {
                        if Self.rawTextElements.contains(tag.name) && !tag.selfClosing { skipRawText(tag.name) }
                        return (at, tag)
                    }
                    continue
                }
            }
            i += 1
        }
        return nil
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\n" || c == "\t" || c == "\r" || c == "\u{0C}" }
    static func isNameChar(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "-" || c == "_" || c == ":" || c == "."
    }

    /// Parses the markup at `i` (which is "<"): a tag (returned), or a comment/doctype/processing
    /// instruction (skipped, returns nil with `i` past it). A "<" that starts no markup is left
    /// for the caller as text (returns nil with `i` unchanged).
    mutating func parseMarkup() -> Tag? {
        let start = i
        guard i + 1 < input.count else { return nil }
        let next = input[i + 1]
        if next == "!" {
            if i + 3 < input.count && input[i + 2] == "-" && input[i + 3] == "-" {
                i += 4
                while i < input.count && !(input[i] == ">" && i >= start + 6 && input[i - 1] == "-" && input[i - 2] == "-") { i += 1 }
                i = min(i + 1, input.count)
            } else {
                while i < input.count && input[i] != ">" { i += 1 }
                i = min(i + 1, input.count)
            }
            return nil
        }
        if next == "?" {
            while i < input.count && input[i] != ">" { i += 1 }
            i = min(i + 1, input.count)
            return nil
        }
        var j = i + 1
        let closing = input[j] == "/"
        if closing { j += 1 }
        guard j < input.count, (input[j] >= "a" && input[j] <= "z") || (input[j] >= "A" && input[j] <= "Z") else { return nil }
        var name = ""
        while j < input.count && Self.isNameChar(input[j]) { name.unicodeScalars.append(input[j]); j += 1 }
        var attributes: [String: String] = [:]
        var selfClosing = false
        while j < input.count && input[j] != ">" {
            if Self.isSpace(input[j]) { j += 1; continue }
            if input[j] == "/" { selfClosing = true; j += 1; continue }
            var key = ""
            while j < input.count && !Self.isSpace(input[j]) && input[j] != "=" && input[j] != ">" && input[j] != "/" {
                key.unicodeScalars.append(input[j]); j += 1
            }
            if key.isEmpty { j += 1; continue }
            while j < input.count && Self.isSpace(input[j]) { j += 1 }
            var value = ""
            if j < input.count && input[j] == "=" {
                j += 1
                while j < input.count && Self.isSpace(input[j]) { j += 1 }
                if j < input.count && (input[j] == "\"" || input[j] == "'") {
                    let quote = input[j]
                    j += 1
                    while j < input.count && input[j] != quote { value.unicodeScalars.append(input[j]); j += 1 }
                    j += 1
                } else {
                    while j < input.count && !Self.isSpace(input[j]) && input[j] != ">" { value.unicodeScalars.append(input[j]); j += 1 }
                }
            }
            attributes[key.lowercased()] = value
        }
        i = min(j + 1, input.count)
        _ = start
        return Tag(name: name.lowercased(), closing: closing, selfClosing: selfClosing, attributes: attributes)
    }

    /// Moves `i` past the end tag of raw-text element `name` (or to the end of the input).
    mutating func skipRawText(_ name: String) {
        let needle = Array(("</" + name).unicodeScalars)
        while i < input.count {
            if input[i] == "<" && i + needle.count <= input.count {
                var match = true
                for k in 0..<needle.count where Character(input[i + k]).lowercased() != Character(needle[k]).lowercased() { match = false; break }
                if match {
                    while i < input.count && input[i] != ">" { i += 1 }
                    i = min(i + 1, input.count)
                    return
                }
            }
            i += 1
        }
    }

    /// The raw text of a raw-text element's body, moving `i` past its end tag.
    mutating func rawText(_ name: String) -> [Unicode.Scalar] {
        let from = i
        skipRawText(name)
        var to = i
        // Back up over "</name ... >".
        while to > from && input[to - 1] != "<" { to -= 1 }
        return Array(input[from..<max(from, to - 1)])
    }

    var capturing: Bool { hiddenDepth == nil && (mainStart == nil || insideMain) }

    mutating func emit(_ text: [Unicode.Scalar]) {
        guard capturing else { return }
        if preDepth > 0 {
            flushBreaks()
            out += text
            heading?.text += text
            return
        }
        for c in text {
            if Self.isSpace(c) { pendingSpace = true; continue }
            flushBreaks()
            if pendingSpace, let last = out.last, last != "\n", last != " " { out.append(" "); heading?.text.append(" ") }
            pendingSpace = false
            out.append(c)
            heading?.text.append(c)
        }
    }

    mutating func flushBreaks() {
        guard pendingBreaks > 0 else { return }
        if !out.isEmpty {
            var trailing = 0
            while trailing < out.count && out[out.count - 1 - trailing] == "\n" { trailing += 1 }
            while out.last == " " { out.removeLast() }
            for _ in trailing..<max(trailing, pendingBreaks) { out.append("\n") }
        }
        pendingBreaks = 0
        pendingSpace = false
    }

    mutating func requestBreak(_ n: Int) {
        guard capturing else { return }
        pendingBreaks = max(pendingBreaks, n)
    }

    mutating func run() {
        var text: [Unicode.Scalar] = []
        func flushText(_ s: inout HTMLScanner) { if !text.isEmpty { s.emit(Self.decodeEntities(text)); text.removeAll(keepingCapacity: true) } }
        while i < input.count {
            let c = input[i]
            guard c == "<" else { text.append(c); i += 1; continue }
            let at = i
            guard let tag = parseMarkup() else {
                if i == at { text.append(c); i += 1 }
                continue
            }
            flushText(&self)
            handle(tag, at: at)
        }
        flushText(&self)
        if let h = heading { finishHeading(h) }
        while let last = out.last, HTMLScanner.isSpace(last) { out.removeLast() }
    }

    mutating func handle(_ tag: Tag, at offset: Int) {
        let name = tag.name
        if !tag.closing {
            if name == "title" && !tag.selfClosing {
                if title.isEmpty { title = String(String.UnicodeScalarView(Self.decodeEntities(rawText("title")))) } else { _ = rawText("title") }
                return
            }
            if (name == "script" || name == "style") && !tag.selfClosing { skipRawText(name); return }
            if name == "textarea" && !tag.selfClosing { let body = rawText(name); emit(Self.decodeEntities(body)); return }
            if Self.voidElements.contains(name) || tag.selfClosing {
                if name == "br" { if capturing { flushBreaks(); out.append("\n"); pendingSpace = false } }
                else if name == "hr" { requestBreak(2) }
                else if name == "img", let alt = tag.attributes["alt"], !alt.isEmpty, !Self.looksLikeFileName(alt), capturing { emit(Array(alt.unicodeScalars)) }
                return
            }
            depth += 1
            openTags.append(name)
            if offset == mainStart { insideMain = true; mainDepth = depth }
            let hides = Self.hiddenElements.contains(name) || tag.attributes["hidden"] != nil
                || tag.attributes["aria-hidden"]?.lowercased() == "true"
                || (tag.attributes["class"]?.split(separator: " ").contains("headerlink") ?? false)
            if hides && hiddenDepth == nil { hiddenDepth = depth }
            blockStart(name)
            if name == "pre" { preDepth += 1 }
            if name.count == 2, name.first == "h", let level = Int(String(name.last!)), (1...6).contains(level), capturing {
                flushBreaks()
                heading = (level, out.count, [])
            }
            if name == "a" { linkTargets.append(tag.attributes["href"]) }
            if name == "tr" { cellsInRow = 0 }
            if name == "td" || name == "th", capturing {
                if cellsInRow > 0 { emit(Array(" | ".unicodeScalars)) }
                cellsInRow += 1
            }
        } else {
            // Close up to the matching open element (forgiving: unclosed children close with it).
            guard let k = openTags.lastIndex(of: name) else { return }
            while openTags.count > k {
                let closed = openTags.removeLast()
                close(closed)
            }
        }
    }

    mutating func close(_ name: String) {
        if name == "a" {
            let href = linkTargets.popLast() ?? nil
            if keepLinks, let href, !href.isEmpty, !href.hasPrefix("#"), capturing { emit(Array(" <\(href)>".unicodeScalars)) }
        }
        if name == "pre" { preDepth = max(0, preDepth - 1) }
        if name.count == 2, name.first == "h", let level = Int(String(name.last!)), (1...6).contains(level), let h = heading, h.level == level {
            finishHeading(h)
            heading = nil
        }
        blockEnd(name)
        if hiddenDepth == depth { hiddenDepth = nil }
        if insideMain && depth == mainDepth { insideMain = false; requestBreak(2); flushBreaks() }
        depth -= 1
    }

    mutating func finishHeading(_ h: (level: Int, start: Int, text: [Unicode.Scalar])) {
        var title = String(String.UnicodeScalarView(h.text)).trimmingCharacters(in: .whitespacesAndNewlines)
        while title.hasSuffix("¶") { title.removeLast(); title = title.trimmingCharacters(in: .whitespaces) }
        if !title.isEmpty { headings.append((title, h.level, h.start)) }
    }

    /// Sphinx and many generators put the image's path in `alt`; that is not text a reader sees.
    static func looksLikeFileName(_ s: String) -> Bool {
        let lower = s.lowercased()
        return !s.contains(" ") && (s.contains("/") || [".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"].contains { lower.hasSuffix($0) })
    }

    mutating func blockStart(_ name: String) {
        if Self.paragraphBlocks.contains(name) { requestBreak(2) } else if Self.lineBlocks.contains(name) { requestBreak(1) }
    }

    mutating func blockEnd(_ name: String) {
        if Self.paragraphBlocks.contains(name) { requestBreak(2) } else if Self.lineBlocks.contains(name) { requestBreak(1) }
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ensp": " ", "emsp": " ", "thinsp": " ",
        "copy": "©", "reg": "®", "trade": "™", "mdash": "—", "ndash": "–", "hellip": "…", "lsquo": "‘", "rsquo": "’",
        "ldquo": "“", "rdquo": "”", "laquo": "«", "raquo": "»", "times": "×", "divide": "÷", "para": "¶", "sect": "§",
        "deg": "°", "plusmn": "±", "middot": "·", "bull": "•", "le": "≤", "ge": "≥", "ne": "≠", "asymp": "≈", "minus": "−",
        "rarr": "→", "larr": "←", "harr": "↔", "uarr": "↑", "darr": "↓", "infin": "∞", "sum": "∑", "prod": "∏",
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "lambda": "λ", "mu": "μ", "pi": "π",
        "sigma": "σ", "theta": "θ", "eacute": "é", "egrave": "è", "agrave": "à", "aacute": "á", "ouml": "ö", "uuml": "ü",
        "auml": "ä", "szlig": "ß", "ccedil": "ç", "ntilde": "ñ", "euro": "€", "pound": "£", "yen": "¥", "cent": "¢",
        "shy": "", "zwj": "\u{200D}", "zwnj": "\u{200C}",
    ]

    /// Replaces character references; unknown or malformed ones stay as written.
    static func decodeEntities(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard s.contains("&") else { return s }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            guard s[i] == "&" else { out.append(s[i]); i += 1; continue }
            var j = i + 1
            while j < s.count && j - i <= 32 && s[j] != ";" && (isNameChar(s[j]) || s[j] == "#") { j += 1 }
            guard j < s.count, s[j] == ";", j > i + 1 else { out.append(s[i]); i += 1; continue }
            let name = String(String.UnicodeScalarView(s[(i + 1)..<j]))
            var replacement: [Unicode.Scalar]?
            if name.hasPrefix("#") {
                let digits = name.dropFirst()
                let value = digits.hasPrefix("x") || digits.hasPrefix("X") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                if let v = value, v != 0, let scalar = Unicode.Scalar(v) { replacement = [scalar] }
            } else if let named = namedEntities[name] {
                replacement = Array(named.unicodeScalars)
            }
            if let r = replacement { out += r; i = j + 1 } else { out.append(s[i]); i += 1 }
        }
        return out
    }
}

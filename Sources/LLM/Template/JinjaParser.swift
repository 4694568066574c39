/// The syntax tree of a Jinja template (the subset chat templates use).
indirect enum JinjaExpr: Sendable {
    case literal(JinjaValue)
    case name(String)
    case attribute(JinjaExpr, String)
    case item(JinjaExpr, JinjaExpr)
    case slice(JinjaExpr, JinjaExpr?, JinjaExpr?, JinjaExpr?)
    case call(JinjaExpr, [JinjaExpr], [(String, JinjaExpr)])
    case filter(JinjaExpr, String, [JinjaExpr], [(String, JinjaExpr)])
    case test(JinjaExpr, String, [JinjaExpr], negated: Bool)
    case unary(String, JinjaExpr)
    case binary(String, JinjaExpr, JinjaExpr)
    case and(JinjaExpr, JinjaExpr)
    case or(JinjaExpr, JinjaExpr)
    case conditional(JinjaExpr, then: JinjaExpr, otherwise: JinjaExpr?)
    case list([JinjaExpr])
    case dict([(JinjaExpr, JinjaExpr)])
}

indirect enum JinjaNode: Sendable {
    case text(String)
    case output(JinjaExpr, line: Int)
    case conditional([(JinjaExpr, [JinjaNode])], otherwise: [JinjaNode], line: Int)
    case loop(targets: [String], iterable: JinjaExpr, condition: JinjaExpr?, body: [JinjaNode], otherwise: [JinjaNode], line: Int)
    case set(target: String, attribute: String?, JinjaExpr, line: Int)
    case setBlock(target: String, body: [JinjaNode], line: Int)
    case breakLoop(line: Int)
    case continueLoop(line: Int)
}

/// Splits a template into text and tags (whitespace control, `trim_blocks`, `lstrip_blocks`) and
/// parses the tags into `JinjaNode`s.
struct JinjaParser {
    enum Piece { case text(String), output(String, Int), statement(String, Int) }

    /// Deepest nesting of expressions and blocks accepted (a hostile template cannot exhaust the stack).
    static let maximumDepth = 200

    // MARK: - Tags

    static func pieces(_ source: String, trimBlocks: Bool, lstripBlocks: Bool) throws -> [Piece] {
        let s = Array(source.unicodeScalars)
        var out: [Piece] = []
        var text: [Unicode.Scalar] = []
        var i = 0, line = 1
        var stripNext = false, trimNewline = false
        // Whether the text gathered in `text` starts a source line (for lstrip_blocks).
        var textStartsLine = true
        func flushText() { if !text.isEmpty { out.append(.text(String(String.UnicodeScalarView(text)))); text.removeAll() } }
        while i < s.count {
            let isTag = s[i] == "{" && i + 1 < s.count && (s[i + 1] == "{" || s[i + 1] == "%" || s[i + 1] == "#")
            if !isTag {
                if stripNext {
                    if s[i].properties.isWhitespace {
                        if s[i] == "\n" { line += 1 }
                        if text.isEmpty { textStartsLine = s[i] == "\n" }
                        i += 1; continue
                    }
                    stripNext = false
                }
                if trimNewline { trimNewline = false; if s[i] == "\n" { line += 1; i += 1; textStartsLine = true; continue } }
                if s[i] == "\n" { line += 1 }
                text.append(s[i]); i += 1
                continue
            }
            stripNext = false; trimNewline = false
            let kind = s[i + 1], tagLine = line
            var j = i + 2
            let minusLeft = j < s.count && s[j] == "-", plusLeft = j < s.count && s[j] == "+"
            if minusLeft || plusLeft { j += 1 }
            // Whitespace before the tag: `-` strips all of it; lstrip_blocks strips spaces and tabs
            // back to the line start for block and comment tags.
            if minusLeft {
                while let last = text.last, last.properties.isWhitespace { text.removeLast() }
            } else if lstripBlocks && kind != "{" && !plusLeft {
                var k = text.count
                while k > 0, text[k - 1] == " " || text[k - 1] == "\t" { k -= 1 }
                if k == 0 ? textStartsLine : text[k - 1] == "\n" { text.removeSubrange(k...) }
            }
            // The end of the tag, outside string literals.
            let close: Unicode.Scalar = kind == "{" ? "}" : (kind == "%" ? "%" : "#")
            var quote: Unicode.Scalar? = nil
            var end = -1
            var k = j
            while k + 1 < s.count {
                let c = s[k]
                if kind != "#" {
                    if let q = quote { if c == "\\" { k += 2; continue }; if c == q { quote = nil } }
                    else if c == "'" || c == "\"" { quote = c }
                }
                if quote == nil && c == close && s[k + 1] == "}" { end = k; break }
                if c == "\n" { line += 1 }
                k += 1
            }
            guard end >= 0 else { throw LLMError.template(line: tagLine, message: "the tag opened here is never closed") }
            var bodyEnd = end
            let minusRight = bodyEnd > j && s[bodyEnd - 1] == "-"
            if minusRight || (bodyEnd > j && s[bodyEnd - 1] == "+") { bodyEnd -= 1 }
            let body = String(String.UnicodeScalarView(s[j..<max(j, bodyEnd)]))
            flushText()
            switch kind {
            case "{": out.append(.output(body, tagLine))
            case "%":
                let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed == "raw" {
                    // Everything up to {% endraw %} is text.
                    guard let r = Self.find(s, from: end + 2, endRaw: true) else { throw LLMError.template(line: tagLine, message: "{% raw %} without {% endraw %}") }
                    out.append(.text(String(String.UnicodeScalarView(s[(end + 2)..<r.start]))))
                    for c in s[(end + 2)..<r.end] where c == "\n" { line += 1 }
                    i = r.end
                    continue
                }
                out.append(.statement(trimmed, tagLine))
            default: break   // comment
            }
            i = end + 2
            textStartsLine = false
            if minusRight { stripNext = true } else if trimBlocks && kind != "{" { trimNewline = true }
        }
        flushText()
        return out
    }

    /// The range of the next `{% endraw %}` tag (with optional whitespace control) from `from`.
    static func find(_ s: [Unicode.Scalar], from: Int, endRaw: Bool) -> (start: Int, end: Int)? {
        var i = from
        while i + 1 < s.count {
            if s[i] == "{" && s[i + 1] == "%" {
                var j = i + 2
                while j < s.count, s[j] == "-" || s[j] == " " || s[j] == "\t" || s[j] == "\n" { j += 1 }
                let word = "endraw".unicodeScalars
                if j + word.count <= s.count, String(String.UnicodeScalarView(s[j..<(j + word.count)])) == "endraw" {
                    var k = j + word.count
                    while k + 1 < s.count, !(s[k] == "%" && s[k + 1] == "}") { k += 1 }
                    if k + 1 < s.count { return (i, k + 2) }
                }
            }
            i += 1
        }
        return nil
    }

    // MARK: - Statements

    var pieces: [Piece]
    var at = 0

    init(_ source: String, trimBlocks: Bool, lstripBlocks: Bool) throws {
        pieces = try Self.pieces(source, trimBlocks: trimBlocks, lstripBlocks: lstripBlocks)
    }

    /// Parses nodes until one of `terminators` (a statement's first word) or the end.
    mutating func nodes(until terminators: Set<String>, depth: Int = 0) throws -> (nodes: [JinjaNode], stop: (word: String, rest: String, line: Int)?) {
        guard depth < Self.maximumDepth else { throw LLMError.template(line: currentLine, message: "blocks nested deeper than \(Self.maximumDepth)") }
        var out: [JinjaNode] = []
        while at < pieces.count {
            let piece = pieces[at]
            at += 1
            switch piece {
            case .text(let t): out.append(.text(t))
            case .output(let src, let line): out.append(.output(try Self.expression(src, line: line), line: line))
            case .statement(let src, let line):
                let (word, rest) = Self.firstWord(src)
                if terminators.contains(word) { return (out, (word, rest, line)) }
                out.append(try statement(word, rest, line: line, depth: depth))
            }
        }
        return (out, nil)
    }

    var currentLine: Int {
        guard at > 0, at - 1 < pieces.count else { return 1 }
        switch pieces[at - 1] {
        case .output(_, let l), .statement(_, let l): return l
        case .text: return 1
        }
    }

    static func firstWord(_ s: String) -> (String, String) {
        let scalars = s.unicodeScalars
        let end = scalars.firstIndex { !($0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0)) } ?? scalars.endIndex
        return (String(scalars[scalars.startIndex..<end]), String(scalars[end...]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    mutating func statement(_ word: String, _ rest: String, line: Int, depth: Int) throws -> JinjaNode {
        switch word {
        case "if":
            var branches: [(JinjaExpr, [JinjaNode])] = []
            var condition = try Self.expression(rest, line: line)
            while true {
                let (body, stop) = try nodes(until: ["elif", "else", "endif"], depth: depth + 1)
                branches.append((condition, body))
                guard let stop else { throw LLMError.template(line: line, message: "{% if %} without {% endif %}") }
                switch stop.word {
                case "elif": condition = try Self.expression(stop.rest, line: stop.line)
                case "else":
                    let (otherwise, end) = try nodes(until: ["endif"], depth: depth + 1)
                    guard end != nil else { throw LLMError.template(line: line, message: "{% if %} without {% endif %}") }
                    return .conditional(branches, otherwise: otherwise, line: line)
                default: return .conditional(branches, otherwise: [], line: line)
                }
            }
        case "for":
            var lexer = try JinjaLexer(rest, line: line)
            var targets = [try lexer.expectName()]
            while lexer.accept(",") { targets.append(try lexer.expectName()) }
            guard lexer.acceptName("in") else { throw LLMError.template(line: line, message: "expected 'in' in {% for %}") }
            var p = JinjaExprParser(lexer: lexer, line: line)
            let iterable = try p.parse(noConditional: true)
            var condition: JinjaExpr? = nil
            if p.lexer.acceptName("if") { condition = try p.parse(noConditional: true) }
            if p.lexer.acceptName("recursive") { throw LLMError.template(line: line, message: "recursive loops are not supported") }
            try p.expectEnd()
            let (body, stop) = try nodes(until: ["else", "endfor"], depth: depth + 1)
            guard let stop else { throw LLMError.template(line: line, message: "{% for %} without {% endfor %}") }
            var otherwise: [JinjaNode] = []
            if stop.word == "else" {
                let (o, end) = try nodes(until: ["endfor"], depth: depth + 1)
                guard end != nil else { throw LLMError.template(line: line, message: "{% for %} without {% endfor %}") }
                otherwise = o
            }
            return .loop(targets: targets, iterable: iterable, condition: condition, body: body, otherwise: otherwise, line: line)
        case "set":
            var lexer = try JinjaLexer(rest, line: line)
            let target = try lexer.expectName()
            var attribute: String? = nil
            if lexer.accept(".") { attribute = try lexer.expectName() }
            if lexer.atEnd {
                guard attribute == nil else { throw LLMError.template(line: line, message: "a block {% set %} takes a plain name") }
                let (body, stop) = try nodes(until: ["endset"], depth: depth + 1)
                guard stop != nil else { throw LLMError.template(line: line, message: "{% set \(target) %} without {% endset %}") }
                return .setBlock(target: target, body: body, line: line)
            }
            guard lexer.accept("=") else { throw LLMError.template(line: line, message: "expected '=' in {% set %}") }
            var p = JinjaExprParser(lexer: lexer, line: line)
            let value = try p.parse()
            try p.expectEnd()
            return .set(target: target, attribute: attribute, value, line: line)
        case "break": return .breakLoop(line: line)
        case "continue": return .continueLoop(line: line)
        case "generation":
            // Hugging Face's marker around assistant text (for training masks): renders its body.
            let (body, stop) = try nodes(until: ["endgeneration"], depth: depth + 1)
            guard stop != nil else { throw LLMError.template(line: line, message: "{% generation %} without {% endgeneration %}") }
            return .conditional([(.literal(.bool(true)), body)], otherwise: [], line: line)
        case "":
            throw LLMError.template(line: line, message: "empty {% %} tag")
        default:
            throw LLMError.template(line: line, message: "unsupported or unexpected tag '\(word)'")
        }
    }

    static func expression(_ source: String, line: Int) throws -> JinjaExpr {
        var p = JinjaExprParser(lexer: try JinjaLexer(source, line: line), line: line)
        let e = try p.parse()
        try p.expectEnd()
        return e
    }
}

/// Tokens of a Jinja expression.
struct JinjaLexer {
    enum Token: Equatable { case name(String), string(String), int(Int), double(Double), op(String), end }

    var tokens: [Token] = []
    var at = 0
    let line: Int

    init(_ source: String, line: Int) throws {
        self.line = line
        let s = Array(source.unicodeScalars)
        var i = 0
        let ops = ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ".", ",", ":", "|"]
        func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c.isASCII && c.properties.isAlphabetic) }
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
        while i < s.count {
            let c = s[i]
            if c.properties.isWhitespace { i += 1; continue }
            if isNameStart(c) {
                var j = i
                while j < s.count, isNameStart(s[j]) || isDigit(s[j]) { j += 1 }
                tokens.append(.name(String(String.UnicodeScalarView(s[i..<j])))); i = j; continue
            }
            if isDigit(c) {
                var j = i
                while j < s.count, isDigit(s[j]) || s[j] == "_" { j += 1 }
                var isFloat = false
                if j + 1 < s.count, s[j] == ".", isDigit(s[j + 1]) {
                    isFloat = true; j += 1
                    while j < s.count, isDigit(s[j]) { j += 1 }
                }
                if j < s.count, s[j] == "e" || s[j] == "E" {
                    var k = j + 1
                    if k < s.count, s[k] == "+" || s[k] == "-" { k += 1 }
                    if k < s.count, isDigit(s[k]) { isFloat = true; j = k; while j < s.count, isDigit(s[j]) { j += 1 } }
                }
                let text = String(String.UnicodeScalarView(s[i..<j])).replacingOccurrences(of: "_", with: "")
                if isFloat {
                    guard let d = Double(text) else { throw LLMError.template(line: line, message: "bad number '\(text)'") }
                    tokens.append(.double(d))
                } else {
                    guard let v = Int(text) else { throw LLMError.template(line: line, message: "integer '\(text)' is too large") }
                    tokens.append(.int(v))
                }
                i = j; continue
            }
            if c == "'" || c == "\"" {
                var j = i + 1
                var v = String.UnicodeScalarView()
                var closed = false
                while j < s.count {
                    let d = s[j]
                    if d == c { closed = true; j += 1; break }
                    if d == "\\", j + 1 < s.count {
                        let e = s[j + 1]
                        switch e {
                        case "n": v.append("\n")
                        case "t": v.append("\t")
                        case "r": v.append("\r")
                        case "\\", "'", "\"": v.append(e)
                        default: v.append("\\"); v.append(e)
                        }
                        j += 2; continue
                    }
                    v.append(d); j += 1
                }
                guard closed else { throw LLMError.template(line: line, message: "unterminated string literal") }
                // Adjacent literals join ("a" "b" == "ab"), as in Python.
                if case .string(let prev)? = tokens.last { tokens[tokens.count - 1] = .string(prev + String(v)) } else { tokens.append(.string(String(v))) }
                i = j; continue
            }
            guard let op = ops.first(where: { o in
                let u = Array(o.unicodeScalars)
                return i + u.count <= s.count && Array(s[i..<(i + u.count)]) == u
            }) else { throw LLMError.template(line: line, message: "unexpected character '\(c)'") }
            tokens.append(.op(op)); i += op.unicodeScalars.count
        }
        tokens.append(.end)
    }

    var peek: Token { tokens[at] }
    var atEnd: Bool { peek == .end }
    func peek(_ k: Int) -> Token { at + k < tokens.count ? tokens[at + k] : .end }
    mutating func next() -> Token { let t = tokens[at]; if at < tokens.count - 1 { at += 1 }; return t }
    mutating func accept(_ op: String) -> Bool { if peek == .op(op) { at += 1; return true }; return false }
    mutating func acceptName(_ n: String) -> Bool { if peek == .name(n) { at += 1; return true }; return false }
    mutating func expectName() throws -> String {
        guard case .name(let n) = peek else { throw LLMError.template(line: line, message: "expected a name, found \(Self.describe(peek))") }
        at += 1
        return n
    }
    mutating func expect(_ op: String) throws {
        guard accept(op) else { throw LLMError.template(line: line, message: "expected '\(op)', found \(Self.describe(peek))") }
    }
    static func describe(_ t: Token) -> String {
        switch t {
        case .name(let n): return "'\(n)'"
        case .string(let s): return "string '\(s.prefix(20))'"
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .op(let o): return "'\(o)'"
        case .end: return "the end of the tag"
        }
    }
}

/// Recursive-descent parser with jinja2's precedence: conditional < or < and < not < comparison <
/// `+ -` < `~` < `* / // %` < `**` < unary minus < postfix (`.`, `[]`, calls, `|` filters, `is` tests).
struct JinjaExprParser {
    var lexer: JinjaLexer
    let line: Int
    var depth = 0

    func fail(_ m: String) -> LLMError { .template(line: line, message: m) }

    mutating func expectEnd() throws {
        guard lexer.atEnd else { throw fail("unexpected \(JinjaLexer.describe(lexer.peek))") }
    }

    mutating func nested<T>(_ body: (inout JinjaExprParser) throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth < JinjaParser.maximumDepth else { throw fail("expression nested deeper than \(JinjaParser.maximumDepth)") }
        return try body(&self)
    }

    mutating func parse(noConditional: Bool = false) throws -> JinjaExpr {
        try nested { p in
            let e = try p.parseOr()
            if noConditional { return e }
            if p.lexer.acceptName("if") {
                let condition = try p.parseOr()
                let otherwise = p.lexer.acceptName("else") ? try p.parse() : nil
                return .conditional(condition, then: e, otherwise: otherwise)
            }
            return e
        }
    }

    mutating func parseOr() throws -> JinjaExpr {
        var e = try parseAnd()
        while lexer.acceptName("or") { e = .or(e, try parseAnd()) }
        return e
    }

    mutating func parseAnd() throws -> JinjaExpr {
        var e = try parseNot()
        while lexer.acceptName("and") { e = .and(e, try parseNot()) }
        return e
    }

    mutating func parseNot() throws -> JinjaExpr {
        if lexer.acceptName("not") { return try nested { .unary("not", try $0.parseNot()) } }
        return try parseCompare()
    }

    mutating func parseCompare() throws -> JinjaExpr {
        var e = try parseMath1()
        while true {
            if case .op(let o) = lexer.peek, ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                _ = lexer.next(); e = .binary(o, e, try parseMath1())
            } else if lexer.acceptName("in") {
                e = .binary("in", e, try parseMath1())
            } else if lexer.peek == .name("not"), lexer.peek(1) == .name("in") {
                _ = lexer.next(); _ = lexer.next(); e = .unary("not", .binary("in", e, try parseMath1()))
            } else { return e }
        }
    }

    mutating func parseMath1() throws -> JinjaExpr {
        var e = try parseConcat()
        while case .op(let o) = lexer.peek, o == "+" || o == "-" { _ = lexer.next(); e = .binary(o, e, try parseConcat()) }
        return e
    }

    mutating func parseConcat() throws -> JinjaExpr {
        var e = try parseMath2()
        while lexer.accept("~") { e = .binary("~", e, try parseMath2()) }
        return e
    }

    mutating func parseMath2() throws -> JinjaExpr {
        var e = try parsePow()
        while case .op(let o) = lexer.peek, ["*", "/", "//", "%"].contains(o) { _ = lexer.next(); e = .binary(o, e, try parsePow()) }
        return e
    }

    mutating func parsePow() throws -> JinjaExpr {
        var e = try parseUnary()
        while lexer.accept("**") { e = .binary("**", e, try parseUnary()) }
        return e
    }

    mutating func parseUnary() throws -> JinjaExpr {
        if lexer.accept("-") { return try nested { .unary("-", try $0.parseUnary()) } }
        if lexer.accept("+") { return try nested { try $0.parseUnary() } }
        var e = try parsePostfix(try parsePrimary())
        // Filters and tests.
        while true {
            if lexer.accept("|") {
                let name = try lexer.expectName()
                var args: [JinjaExpr] = [], kwargs: [(String, JinjaExpr)] = []
                if lexer.peek == .op("(") { (args, kwargs) = try parseArguments() }
                e = try parsePostfix(.filter(e, name, args, kwargs))
            } else if lexer.acceptName("is") {
                let negated = lexer.acceptName("not")
                var name: String
                if case .op(let o) = lexer.peek, ["==", "!=", "<", ">", "<=", ">="].contains(o) { _ = lexer.next(); name = o }
                else if lexer.peek == .name("none") || lexer.peek == .name("None") { _ = lexer.next(); name = "none" }
                else if lexer.peek == .name("true") || lexer.peek == .name("false") { name = try lexer.expectName() }
                else { name = try lexer.expectName() }
                var args: [JinjaExpr] = []
                if lexer.peek == .op("(") { args = try parseArguments().0 }
                else if Self.startsPrimary(lexer.peek), !["and", "or", "if", "else", "is", "in", "not"].contains(where: { lexer.peek == .name($0) }) {
                    args = [try parsePostfix(try parsePrimary())]
                }
                e = .test(e, name, args, negated: negated)
            } else { return e }
        }
    }

    static func startsPrimary(_ t: JinjaLexer.Token) -> Bool {
        switch t {
        case .name, .string, .int, .double: return true
        case .op(let o): return o == "(" || o == "[" || o == "{"
        case .end: return false
        }
    }

    mutating func parsePrimary() throws -> JinjaExpr {
        switch lexer.next() {
        case .name(let n):
            switch n {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(n)
            }
        case .string(let s): return .literal(.string(s))
        case .int(let i): return .literal(.int(i))
        case .double(let d): return .literal(.double(d))
        case .op("("):
            return try nested { p in
                if p.lexer.accept(")") { return .list([]) }
                let e = try p.parse()
                if p.lexer.accept(",") {   // a tuple: read as a list
                    var items = [e]
                    while !p.lexer.accept(")") { items.append(try p.parse()); if !p.lexer.accept(",") { try p.lexer.expect(")"); break } }
                    return .list(items)
                }
                try p.lexer.expect(")")
                return e
            }
        case .op("["):
            return try nested { p in
                var items: [JinjaExpr] = []
                while !p.lexer.accept("]") {
                    items.append(try p.parse())
                    if !p.lexer.accept(",") { try p.lexer.expect("]"); break }
                }
                return .list(items)
            }
        case .op("{"):
            return try nested { p in
                var pairs: [(JinjaExpr, JinjaExpr)] = []
                while !p.lexer.accept("}") {
                    let k = try p.parse()
                    try p.lexer.expect(":")
                    pairs.append((k, try p.parse()))
                    if !p.lexer.accept(",") { try p.lexer.expect("}"); break }
                }
                return .dict(pairs)
            }
        case let t: throw fail("unexpected \(JinjaLexer.describe(t))")
        }
    }

    mutating func parsePostfix(_ base: JinjaExpr) throws -> JinjaExpr {
        var e = base
        while true {
            if lexer.accept(".") {
                switch lexer.next() {
                case .name(let n): e = .attribute(e, n)
                case .int(let i): e = .item(e, .literal(.int(i)))
                case let t: throw fail("expected an attribute name after '.', found \(JinjaLexer.describe(t))")
                }
            } else if lexer.accept("[") {
                e = try nested { p in
                    var parts: [JinjaExpr?] = [nil]
                    var isSlice = false
                    while true {
                        if p.lexer.accept("]") { break }
                        if p.lexer.accept(":") { isSlice = true; parts.append(nil); continue }
                        guard parts[parts.count - 1] == nil else { throw p.fail("expected ']'") }
                        parts[parts.count - 1] = try p.parse()
                    }
                    if isSlice {
                        guard parts.count <= 3 else { throw p.fail("a slice has at most start:stop:step") }
                        while parts.count < 3 { parts.append(nil) }
                        return .slice(e, parts[0], parts[1], parts[2])
                    }
                    guard let index = parts[0] else { throw p.fail("empty subscript") }
                    return .item(e, index)
                }
            } else if lexer.peek == .op("(") {
                let (args, kwargs) = try parseArguments()
                e = .call(e, args, kwargs)
            } else {
                return e
            }
        }
    }

    mutating func parseArguments() throws -> ([JinjaExpr], [(String, JinjaExpr)]) {
        try lexer.expect("(")
        return try nested { p in
            var args: [JinjaExpr] = [], kwargs: [(String, JinjaExpr)] = []
            while !p.lexer.accept(")") {
                if case .name(let n) = p.lexer.peek, p.lexer.peek(1) == .op("=") {
                    _ = p.lexer.next(); _ = p.lexer.next()
                    kwargs.append((n, try p.parse()))
                } else {
                    args.append(try p.parse())
                }
                if !p.lexer.accept(",") { try p.lexer.expect(")"); break }
            }
            return (args, kwargs)
        }
    }
}

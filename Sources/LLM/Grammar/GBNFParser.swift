/// A recursive-descent parser for llama.cpp's GBNF grammar format (written from its documentation,
/// `grammars/README.md`):
///
/// ```
/// root  ::= answer ("," ws answer)*      # a comment
/// answer ::= "yes" | "no" | [0-9]{1,3}
/// ws    ::= [ \t\n]*
/// ```
///
/// Rule names are letters, digits and `-`; elements are string literals (`\n \t \r \" \\ \[ \]
/// \xHH \uHHHH \UHHHHHHHH` escapes), character classes `[a-z]` and `[^…]`, `.` (any character),
/// rule references and groups `( … )`, each optionally followed by `*`, `+`, `?`, `{m}`, `{m,}` or
/// `{m,n}`. Newlines are white space anywhere (a rule ends where the next `name ::=` starts), which
/// accepts everything llama.cpp accepts. Nesting, repetition bounds and the expanded size are
/// bounded by `GrammarLimits`; every error carries its line and column.
struct GBNFParser {
    let text: [Unicode.Scalar]
    var pos = 0
    var builder = GrammarBuilder()
    /// Where each rule was first referenced (text offset), for undefined-rule errors.
    var firstUse: [Int32: Int] = [:]
    /// Where each rule was defined.
    var definedAt: [Int32: Int] = [:]

    /// Parses and compiles `source`.
    static func parse(_ source: String) throws -> Grammar {
        guard source.utf8.count <= GrammarLimits.maxTextBytes else {
            throw GrammarError.tooLarge("the text has \(source.utf8.count) bytes (at most \(GrammarLimits.maxTextBytes))")
        }
        var p = GBNFParser(text: Array(source.unicodeScalars))
        try p.grammar()
        let undefined = p.firstUse.filter { !p.builder.isDefined($0.key) }.min { $0.value < $1.value }
        if let (id, offset) = undefined {
            let (line, column) = p.lineColumn(offset)
            throw GrammarError.undefinedRule(name: p.builder.names[Int(id)], line: line, column: column)
        }
        return try p.builder.build()
    }

    // MARK: - Positions and errors

    func lineColumn(_ offset: Int) -> (Int, Int) {
        var line = 1, column = 1
        for k in 0..<min(offset, text.count) {
            if text[k] == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    func error(_ message: String, at offset: Int? = nil) -> GrammarError {
        let (line, column) = lineColumn(offset ?? pos)
        return .syntax(line: line, column: column, message: message)
    }

    var peek: Unicode.Scalar? { pos < text.count ? text[pos] : nil }

    static func isNameChar(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-"
    }

    /// Skips spaces, tabs, newlines and `#` comments.
    mutating func skipSpace() {
        while let c = peek {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                pos += 1
            } else if c == "#" {
                while let d = peek, d != "\n" { _ = d; pos += 1 }
            } else {
                return
            }
        }
    }

    /// Describes the character at `pos` for messages.
    var here: String {
        guard let c = peek else { return "the end of the grammar" }
        return c.properties.generalCategory == .control ? "U+\(String(c.value, radix: 16, uppercase: true))" : "'\(c)'"
    }

    // MARK: - Rules

    mutating func grammar() throws {
        skipSpace()
        guard pos < text.count else { throw error("empty grammar: no rules (a grammar needs at least 'root ::= …')") }
        while pos < text.count {
            let start = pos
            let name = name()
            guard !name.isEmpty else { throw error("expected a rule name, found \(here)") }
            skipSpace()
            guard consume("::=") else { throw error("expected '::=' after the rule name '\(name)', found \(here)") }
            let id = try builder.ruleID(name)
            if let previous = definedAt[id] {
                let (line, column) = lineColumn(previous)
                throw error("rule '\(name)' is defined twice (first at \(line):\(column))", at: start)
            }
            definedAt[id] = start
            skipSpace()
            let body = try alternatives(depth: 0, parent: name)
            try builder.define(id, body)
            skipSpace()
        }
    }

    mutating func name() -> String {
        var s = String.UnicodeScalarView()
        while let c = peek, Self.isNameChar(c) { s.append(c); pos += 1 }
        return String(s)
    }

    mutating func consume(_ word: String) -> Bool {
        let w = Array(word.unicodeScalars)
        guard text.count - pos >= w.count, Array(text[pos..<(pos + w.count)]) == w else { return false }
        pos += w.count
        return true
    }

    /// Whether a rule definition (`name ::=`) starts at `pos`.
    func atRuleStart() -> Bool {
        var k = pos
        while k < text.count, Self.isNameChar(text[k]) { k += 1 }
        guard k > pos else { return false }
        while k < text.count, text[k] == " " || text[k] == "\t" { k += 1 }
        return text.count - k >= 3 && text[k] == ":" && text[k + 1] == ":" && text[k + 2] == "="
    }

    mutating func alternatives(depth: Int, parent: String) throws -> [[Grammar.Element]] {
        var alts = [try sequence(depth: depth, parent: parent)]
        while peek == "|" {
            pos += 1
            alts.append(try sequence(depth: depth, parent: parent))
        }
        return alts
    }

    mutating func sequence(depth: Int, parent: String) throws -> [Grammar.Element] {
        var seq: [Grammar.Element] = []
        while true {
            skipSpace()
            guard let c = peek, c != "|", c != ")", !atRuleStart() else { return seq }
            let start = seq.count
            switch c {
            case "\"":
                try literal(into: &seq)
            case "[":
                seq.append(builder.chars(try characterClass()))
            case ".":
                pos += 1
                seq.append(builder.chars(.any))
            case "(":
                let open = pos
                pos += 1
                guard depth + 1 <= GrammarLimits.maxNesting else {
                    throw error("groups nested deeper than \(GrammarLimits.maxNesting) levels", at: open)
                }
                let body = try alternatives(depth: depth + 1, parent: parent)
                skipSpace()
                guard peek == ")" else { throw error("expected ')' to close the group opened at \(lineColumnText(open)), found \(here)") }
                pos += 1
                seq.append(.ref(try builder.generatedRule(parent: parent, body: body)))
            default:
                guard Self.isNameChar(c) else { throw error("unexpected \(here) in the rule '\(parent)'") }
                let at = pos
                let id = try builder.ruleID(name())
                if firstUse[id] == nil { firstUse[id] = at }
                seq.append(.ref(id))
            }
            try repetitions(of: &seq, from: start, parent: parent)
        }
    }

    func lineColumnText(_ offset: Int) -> String {
        let (l, c) = lineColumn(offset)
        return "\(l):\(c)"
    }

    // MARK: - Repetition

    /// Applies the postfix operators after the element(s) `seq[start...]`.
    mutating func repetitions(of seq: inout [Grammar.Element], from start: Int, parent: String) throws {
        while let c = peek, c == "*" || c == "+" || c == "?" || c == "{" {
            let (m, n): (Int, Int?)
            switch c {
            case "*": pos += 1; (m, n) = (0, nil)
            case "+": pos += 1; (m, n) = (1, nil)
            case "?": pos += 1; (m, n) = (0, 1)
            default: (m, n) = try braces()
            }
            let item = Array(seq[start...])
            seq.removeSubrange(start...)
            if item.isEmpty { continue }   // ε repeated is ε
            // One element to repeat: a literal of several characters becomes a rule first.
            let x: Grammar.Element = item.count == 1 ? item[0] : .ref(try builder.generatedRule(parent: parent, body: [item]))
            builder.elementCount += m   // counted now, so a long sequence of copies stops early
            try checkSize()
            seq.append(contentsOf: repeatElement(x, count: m))
            if let n {
                // n − m nested optional copies: R1 ::= x | ε, Rk ::= x R(k−1) | ε.
                var inner: Grammar.Element? = nil
                for _ in 0..<(n - m) {
                    let body: [[Grammar.Element]] = [[x] + (inner.map { [$0] } ?? []), []]
                    inner = .ref(try builder.generatedRule(parent: parent, body: body))
                }
                if let inner { seq.append(inner) }
            } else {
                // x*: R ::= x R | ε (the rule refers to itself, so its id comes first).
                let n = builder.generatedCount[parent, default: 0] + 1
                builder.generatedCount[parent] = n
                let id = try builder.ruleID("\(parent)_\(n)")
                try builder.define(id, [[x, .ref(id)], []])
                seq.append(.ref(id))
            }
            try checkSize()
        }
    }

    func checkSize() throws {
        guard builder.elementCount <= GrammarLimits.maxElements else {
            throw GrammarError.tooLarge("more than \(GrammarLimits.maxElements) elements after expanding repetitions")
        }
    }

    /// `{m}`, `{m,}` or `{m,n}` (spaces allowed inside).
    mutating func braces() throws -> (Int, Int?) {
        let open = pos
        pos += 1
        skipInline()
        guard let m = try number() else { throw error("expected a number after '{'") }
        skipInline()
        var n: Int? = m
        if peek == "," {
            pos += 1
            skipInline()
            n = try number()
            skipInline()
        }
        guard peek == "}" else { throw error("expected '}' to close the repetition opened at \(lineColumnText(open)), found \(here)") }
        pos += 1
        if let n, n < m { throw error("repetition {\(m),\(n)}: the maximum is below the minimum", at: open) }
        return (m, n)
    }

    mutating func skipInline() { while peek == " " || peek == "\t" { pos += 1 } }

    /// Decimal digits (nil when there are none), at most `GrammarLimits.maxRepetition`.
    mutating func number() throws -> Int? {
        let start = pos
        var v = 0
        while let c = peek, ("0"..."9").contains(c) {
            v = v * 10 + Int(c.value - 48)
            pos += 1
            if v > GrammarLimits.maxRepetition {
                throw error("repetition count above the limit of \(GrammarLimits.maxRepetition)", at: start)
            }
        }
        return pos > start ? v : nil
    }

    // MARK: - Characters

    mutating func literal(into seq: inout [Grammar.Element]) throws {
        let open = pos
        pos += 1
        while true {
            guard let c = peek else { throw error("unterminated string literal", at: open) }
            if c == "\"" { pos += 1; return }
            let v = try character()
            seq.append(builder.chars(CharacterClass(v)))
        }
    }

    mutating func characterClass() throws -> CharacterClass {
        let open = pos
        pos += 1
        var negated = false
        if peek == "^" { negated = true; pos += 1 }
        var ranges: [ClosedRange<UInt32>] = []
        while true {
            guard let c = peek else { throw error("unterminated character class", at: open) }
            if c == "]" { pos += 1; break }
            let at = pos
            let lo = try character()
            if peek == "-", pos + 1 < text.count, text[pos + 1] != "]" {
                pos += 1
                let hi = try character()
                guard lo <= hi else { throw error("character range is reversed (U+\(String(lo, radix: 16)) > U+\(String(hi, radix: 16)))", at: at) }
                ranges.append(lo...hi)
            } else {
                ranges.append(lo...lo)
            }
        }
        return CharacterClass(ranges: ranges, negated: negated)
    }

    /// One character of a literal or class, escapes decoded.
    mutating func character() throws -> UInt32 {
        guard let c = peek else { throw error("unexpected end of the grammar") }
        pos += 1
        guard c == "\\" else { return c.value }
        let at = pos - 1
        guard let e = peek else { throw error("unterminated escape", at: at) }
        pos += 1
        switch e {
        case "n": return 0x0A
        case "t": return 0x09
        case "r": return 0x0D
        case "\\", "\"", "[", "]": return e.value
        case "x": return try hex(2, at: at)
        case "u": return try hex(4, at: at)
        case "U": return try hex(8, at: at)
        default: throw error("unknown escape '\\\(e)' (known: \\n \\t \\r \\\\ \\\" \\[ \\] \\xHH \\uHHHH \\UHHHHHHHH)", at: at)
        }
    }

    mutating func hex(_ digits: Int, at: Int) throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<digits {
            guard let c = peek, let d = c.properties.isASCIIHexDigit ? UInt32(String(c), radix: 16) : nil else {
                throw error("escape needs \(digits) hexadecimal digits", at: at)
            }
            v = v << 4 | d
            pos += 1
        }
        guard v <= 0x10FFFF, !(0xD800...0xDFFF).contains(v) else {
            throw error("escape U+\(String(v, radix: 16, uppercase: true)) is not a Unicode scalar value", at: at)
        }
        return v
    }
}

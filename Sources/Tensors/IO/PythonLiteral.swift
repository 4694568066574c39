/// A value of the small subset of Python literal syntax that `.npy` headers use:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
enum PythonLiteral: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    /// Keys in source order (duplicates are rejected by the parser).
    case dict([(key: String, value: PythonLiteral)])

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.none, .none): return true
        case (.tuple(let x), .tuple(let y)), (.list(let x), .list(let y)): return x == y
        case (.dict(let x), .dict(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// A short rendering for error messages.
    var summary: String {
        switch self {
        case .string(let s): return "'\(s)'"
        case .int(let i): return String(i)
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .tuple(let t): return "(" + t.map(\.summary).joined(separator: ", ") + (t.count == 1 ? ",)" : ")")
        case .list(let l): return "[" + l.map(\.summary).joined(separator: ", ") + "]"
        case .dict(let d): return "{" + d.map { "'\($0.key)': \($0.value.summary)" }.joined(separator: ", ") + "}"
        }
    }

    /// Parses one literal that must fill `text` (surrounding whitespace allowed).
    ///
    /// - Parameter utf8: decode string contents as UTF-8 (`.npy` 3.0) instead of Latin-1.
    /// - Throws: ``TensorIOError/malformedHeader(format:reason:)`` with the position of the problem.
    static func parse(_ text: ArraySlice<UInt8>, utf8: Bool) throws -> PythonLiteral {
        var parser = Parser(bytes: Array(text), utf8: utf8)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.pos == parser.bytes.count else {
            throw parser.error("unexpected \(parser.describeCurrent()) after the header dictionary")
        }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        let utf8: Bool
        var pos = 0
        static let maxDepth = 16

        func error(_ reason: String) -> TensorIOError {
            .malformedHeader(format: ".npy", reason: reason + " (at header byte \(pos))")
        }

        func describeCurrent() -> String {
            guard pos < bytes.count else { return "end of header" }
            let b = bytes[pos]
            if b >= 0x20 && b < 0x7F { return "character '\(Character(Unicode.Scalar(b)))'" }
            return "byte 0x\(String(b, radix: 16))"
        }

        mutating func skipWhitespace() {
            while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x0A || bytes[pos] == 0x0D || bytes[pos] == 0x09 {
                pos += 1
            }
        }

        mutating func expect(_ c: UInt8) throws {
            skipWhitespace()
            guard pos < bytes.count, bytes[pos] == c else {
                throw error("expected '\(Character(Unicode.Scalar(c)))' but found \(describeCurrent())")
            }
            pos += 1
        }

        mutating func peek() -> UInt8? {
            skipWhitespace()
            return pos < bytes.count ? bytes[pos] : nil
        }

        mutating func parseValue(depth: Int) throws -> PythonLiteral {
            guard depth < Parser.maxDepth else { throw error("nesting deeper than \(Parser.maxDepth) levels") }
            guard let c = peek() else { throw error("unexpected end of header, expected a value") }
            switch c {
            case UInt8(ascii: "{"): return try parseDict(depth: depth)
            case UInt8(ascii: "("): return try parseSequence(close: UInt8(ascii: ")"), depth: depth)
            case UInt8(ascii: "["): return try parseSequence(close: UInt8(ascii: "]"), depth: depth)
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try parseInt())
            default:
                if consumeWord("True") { return .bool(true) }
                if consumeWord("False") { return .bool(false) }
                if consumeWord("None") { return .none }
                throw error("unexpected \(describeCurrent())")
            }
        }

        mutating func consumeWord(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard pos + w.count <= bytes.count, Array(bytes[pos..<(pos + w.count)]) == w else { return false }
            let end = pos + w.count
            if end < bytes.count, isIdentifierByte(bytes[end]) { return false }
            pos = end
            return true
        }

        func isIdentifierByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
        }

        mutating func parseInt() throws -> Int {
            var negative = false
            if bytes[pos] == UInt8(ascii: "-") || bytes[pos] == UInt8(ascii: "+") {
                negative = bytes[pos] == UInt8(ascii: "-")
                pos += 1
                skipWhitespace()
            }
            let start = pos
            var value = 0
            while pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 {
                let digit = Int(bytes[pos] - 0x30)
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(digit)
                guard !o1, !o2 else { throw error("integer too large") }
                value = s
                pos += 1
            }
            guard pos > start else { throw error("expected digits but found \(describeCurrent())") }
            // Python 2 wrote long integers with an `L` suffix: `(3L, 4L)`.
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "L") || bytes[pos] == UInt8(ascii: "l") { pos += 1 }
            if pos < bytes.count, isIdentifierByte(bytes[pos]) || bytes[pos] == UInt8(ascii: ".") {
                throw error("expected an integer but found \(describeCurrent())")
            }
            return negative ? -value : value
        }

        mutating func parseString() throws -> String {
            let quote = bytes[pos]
            pos += 1
            var content = [UInt8]()
            while true {
                guard pos < bytes.count else { throw error("unterminated string") }
                let b = bytes[pos]
                pos += 1
                if b == quote { break }
                if b == 0x0A { throw error("newline inside a string") }
                if b == UInt8(ascii: "\\") {
                    guard pos < bytes.count else { throw error("unterminated string") }
                    let e = bytes[pos]
                    pos += 1
                    switch e {
                    case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): content.append(e)
                    case UInt8(ascii: "n"): content.append(0x0A)
                    case UInt8(ascii: "t"): content.append(0x09)
                    default: throw error("unsupported escape sequence '\\\(Character(Unicode.Scalar(e)))' in a string")
                    }
                    continue
                }
                content.append(b)
            }
            if utf8 {
                guard let s = String(validating: content, as: UTF8.self) else { throw error("string is not valid UTF-8") }
                return s
            }
            return String(String.UnicodeScalarView(content.map { Unicode.Scalar($0) }))
        }

        mutating func parseSequence(close: UInt8, depth: Int) throws -> PythonLiteral {
            pos += 1  // opening bracket
            var items = [PythonLiteral]()
            var sawComma = false
            while true {
                guard let c = peek() else { throw error("unterminated \(close == UInt8(ascii: ")") ? "tuple" : "list")") }
                if c == close { pos += 1; break }
                if !items.isEmpty {
                    guard c == UInt8(ascii: ",") else { throw error("expected ',' or '\(Character(Unicode.Scalar(close)))' but found \(describeCurrent())") }
                    pos += 1
                    sawComma = true
                    if peek() == close { pos += 1; break }
                }
                items.append(try parseValue(depth: depth + 1))
            }
            if close == UInt8(ascii: "]") { return .list(items) }
            // `(x)` is a parenthesised value in Python, not a tuple; `(x,)` and `()` are tuples.
            if items.count == 1 && !sawComma { return items[0] }
            return .tuple(items)
        }

        mutating func parseDict(depth: Int) throws -> PythonLiteral {
            pos += 1
            var entries = [(key: String, value: PythonLiteral)]()
            while true {
                guard let c = peek() else { throw error("unterminated dictionary") }
                if c == UInt8(ascii: "}") { pos += 1; break }
                if !entries.isEmpty {
                    guard c == UInt8(ascii: ",") else { throw error("expected ',' or '}' but found \(describeCurrent())") }
                    pos += 1
                    if peek() == UInt8(ascii: "}") { pos += 1; break }
                }
                guard let q = peek(), q == UInt8(ascii: "'") || q == UInt8(ascii: "\"") else {
                    throw error("expected a string key but found \(describeCurrent())")
                }
                let key = try parseString()
                if entries.contains(where: { $0.key == key }) { throw error("duplicate key '\(key)'") }
                try expect(UInt8(ascii: ":"))
                entries.append((key, try parseValue(depth: depth + 1)))
            }
            return .dict(entries)
        }
    }
}

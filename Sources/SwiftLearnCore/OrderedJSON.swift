/// A strict JSON (RFC 8259) parser and string writer that keeps what Foundation loses.
///
/// Foundation's `JSONSerialization` loses the order of object keys and turns numbers and booleans
/// into `NSNumber`s whose kind differs between platforms; safetensors headers need the order and
/// exact unsigned 64-bit offsets, and chat templates' `tojson` the order of tools' keys, so this
/// small parser keeps objects as ordered pairs (duplicate keys refused) and numbers as their source
/// text. Nesting is bounded (64 levels).
package enum OrderedJSON: Equatable, Sendable {
    case object([(key: String, value: OrderedJSON)])
    case array([OrderedJSON])
    case string(String)
    /// The number's source text, e.g. `"128"` or `"-1.5e3"`.
    case number(String)
    case bool(Bool)
    case null

    package static func == (a: OrderedJSON, b: OrderedJSON) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let x), .array(let y)): return x == y
        case (.string(let x), .string(let y)), (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// The kind of value, for error messages.
    package var kind: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number(let n): return "the number \(n)"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// The value as a non-negative integer that fits in `UInt64`, or `nil`.
    package var unsignedInteger: UInt64? {
        guard case .number(let text) = self, !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(text)
    }

    /// Why parsing stopped, and at which byte.
    package struct ParseError: Error, Equatable {
        package let reason: String
        package let offset: Int
    }

    /// Parses `bytes` as one JSON value followed only by whitespace.
    ///
    /// - Throws: `ParseError` naming the reason and the byte offset.
    package static func parse(_ bytes: ArraySlice<UInt8>) throws -> OrderedJSON {
        var p = Parser(bytes: Array(bytes))
        p.skipWhitespace()
        let v = try p.value(depth: 0)
        p.skipWhitespace()
        guard p.pos == p.bytes.count else { throw p.error("unexpected data after the JSON value") }
        return v
    }

    private struct Parser {
        let bytes: [UInt8]
        var pos = 0
        static let maxDepth = 64

        func error(_ reason: String) -> ParseError { ParseError(reason: reason, offset: pos) }

        mutating func skipWhitespace() {
            while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x0A || bytes[pos] == 0x0D || bytes[pos] == 0x09 { pos += 1 }
        }

        mutating func value(depth: Int) throws -> OrderedJSON {
            guard depth < Parser.maxDepth else { throw error("nesting deeper than \(Parser.maxDepth) levels") }
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of header") }
            switch bytes[pos] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw error("unexpected byte 0x\(String(bytes[pos], radix: 16))")
            }
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard bytes.count - pos >= w.count, Array(bytes[pos..<(pos + w.count)]) == w else { throw error("invalid literal") }
            pos += w.count
        }

        mutating func digits() -> Int {
            let start = pos
            while pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 { pos += 1 }
            return pos - start
        }

        mutating func number() throws -> String {
            let start = pos
            if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < bytes.count else { throw error("incomplete number") }
            if bytes[pos] == UInt8(ascii: "0") {
                pos += 1
            } else if digits() == 0 {
                throw error("invalid number")
            }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
                pos += 1
                guard digits() > 0 else { throw error("invalid number") }
            }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
                pos += 1
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
                guard digits() > 0 else { throw error("invalid number") }
            }
            return String(decoding: bytes[start..<pos], as: UTF8.self)
        }

        mutating func hex4() throws -> UInt32 {
            guard bytes.count - pos >= 4 else { throw error("incomplete \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[pos]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: throw error("invalid \\u escape")
                }
                v = v << 4 | d
                pos += 1
            }
            return v
        }

        mutating func string() throws -> String {
            pos += 1  // opening quote
            var out = [UInt8]()
            while true {
                guard pos < bytes.count else { throw error("unterminated string") }
                let c = bytes[pos]
                pos += 1
                switch c {
                case UInt8(ascii: "\""):
                    guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
                    return s
                case UInt8(ascii: "\\"):
                    guard pos < bytes.count else { throw error("unterminated string") }
                    let e = bytes[pos]
                    pos += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard bytes.count - pos >= 6, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                                throw error("unpaired surrogate in \\u escape")
                            }
                            pos += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw error("unpaired surrogate in \\u escape") }
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                    default: throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
                    }
                default:
                    guard c >= 0x20 else { throw error("unescaped control character in a string") }
                    out.append(c)
                }
            }
        }

        mutating func array(depth: Int) throws -> OrderedJSON {
            pos += 1
            var items = [OrderedJSON]()
            skipWhitespace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard pos < bytes.count else { throw error("unterminated array") }
                if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
                guard bytes[pos] == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
                pos += 1
            }
        }

        mutating func object(depth: Int) throws -> OrderedJSON {
            pos += 1
            var entries = [(key: String, value: OrderedJSON)]()
            var keys = Set<String>()
            skipWhitespace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(entries) }
            while true {
                skipWhitespace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try string()
                guard keys.insert(key).inserted else { throw error("duplicate key \"\(key)\"") }
                skipWhitespace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw error("expected ':'") }
                pos += 1
                entries.append((key, try value(depth: depth + 1)))
                skipWhitespace()
                guard pos < bytes.count else { throw error("unterminated object") }
                if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(entries) }
                guard bytes[pos] == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
                pos += 1
            }
        }
    }

    /// Appends `s` as a JSON string literal, escaping as serde_json (the Rust safetensors writer)
    /// and Python's `json.dumps(ensure_ascii=False)` do.
    package static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        let hexDigits = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [0x5C, b]
            case UInt8(ascii: "\\"): out += [0x5C, b]
            case 0x08: out += Array("\\b".utf8)
            case 0x0C: out += Array("\\f".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0..<0x20: out += Array("\\u00".utf8) + [hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

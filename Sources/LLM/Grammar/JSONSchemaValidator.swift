import SwiftLearnCore

/// Checks JSON texts against a JSON schema of the subset `JSONSchemaGrammar` converts, with the
/// same reading: `additionalProperties` is false by default beside `properties` (strict mode),
/// `oneOf` needs exactly one matching branch, `integer` accepts integral numbers (`1.0`),
/// lengths count Unicode characters, and `format` date, time, date-time and uuid are checked.
/// Written independently of the grammar (its checks are plain code), so tests can hold generated
/// output against it.
public struct JSONSchemaValidator: Sendable {
    let schema: OrderedJSON

    /// Reads `schemaJSON`.
    /// - Throws: `GrammarError.schema` when it is not JSON or uses a keyword outside the subset
    ///   (the converter's check, so both accept the same schemas).
    public init(schema schemaJSON: String) throws {
        _ = try JSONSchemaGrammar.gbnf(schema: schemaJSON)
        schema = try OrderedJSON.parse(ArraySlice(schemaJSON.utf8))
    }

    /// The violations of `json` (empty: valid), each `"<JSON pointer>: <reason>"`; text that is
    /// not JSON gives one violation naming the byte.
    public func validate(json: String) -> [String] {
        let value: OrderedJSON
        do { value = try OrderedJSON.parse(ArraySlice(json.utf8)) } catch let e as OrderedJSON.ParseError {
            return ["not JSON: \(e.reason) at byte \(e.offset)"]
        } catch { return ["not JSON"] }
        var errors: [String] = []
        check(value, schema, path: "#", depth: 0, errors: &errors)
        return errors
    }

    /// Whether `json` is valid.
    public func isValid(json: String) -> Bool { validate(json: json).isEmpty }

    // MARK: - Checks

    func check(_ v: OrderedJSON, _ s: OrderedJSON, path: String, depth: Int, errors: inout [String]) {
        guard depth < 256 else { errors.append("\(path): schema references nest deeper than 256 levels"); return }
        let fields: [(key: String, value: OrderedJSON)]
        switch s {
        case .bool(let b): if !b { errors.append("\(path): the schema false matches nothing") }; return
        case .object(let f): fields = f
        default: return
        }
        func field(_ k: String) -> OrderedJSON? { fields.first { $0.key == k }?.value }
        if case .string(let ref)? = field("$ref"), let target = resolve(ref) {
            check(v, target, path: path, depth: depth + 1, errors: &errors)
        }
        if let c = field("const"), !Self.equal(v, c) { errors.append("\(path): must equal \(SchemaConverter.compact(c))") }
        if case .array(let options)? = field("enum"), !options.contains(where: { Self.equal(v, $0) }) {
            errors.append("\(path): \(SchemaConverter.compact(v)) is not one of the enum values")
        }
        for key in ["anyOf", "oneOf"] {
            guard case .array(let branches)? = field(key) else { continue }
            let passing = branches.filter { b in
                var e: [String] = []
                check(v, b, path: path, depth: depth + 1, errors: &e)
                return e.isEmpty
            }.count
            if passing == 0 { errors.append("\(path): matches no branch of \(key)") }
            if key == "oneOf" && passing > 1 { errors.append("\(path): matches \(passing) branches of oneOf") }
        }
        if let t = field("type") {
            let names: [String]
            switch t {
            case .string(let n): names = [n]
            case .array(let list): names = list.compactMap { if case .string(let n) = $0 { return n } else { return nil } }
            default: names = []
            }
            if !names.contains(where: { Self.hasType(v, $0) }) { errors.append("\(path): \(v.kind) is not of type \(names.joined(separator: "|"))") }
        }
        switch v {
        case .object(let members): checkObject(members, field, path: path, depth: depth, errors: &errors)
        case .array(let items):
            if let lo = field("minItems")?.unsignedInteger, items.count < lo { errors.append("\(path): \(items.count) items, fewer than minItems \(lo)") }
            if let hi = field("maxItems")?.unsignedInteger, items.count > hi { errors.append("\(path): \(items.count) items, more than maxItems \(hi)") }
            if let itemSchema = field("items") {
                for (k, item) in items.enumerated() { check(item, itemSchema, path: "\(path)/\(k)", depth: depth + 1, errors: &errors) }
            }
        case .string(let text):
            let n = text.unicodeScalars.count
            if let lo = field("minLength")?.unsignedInteger, n < lo { errors.append("\(path): \(n) characters, fewer than minLength \(lo)") }
            if let hi = field("maxLength")?.unsignedInteger, n > hi { errors.append("\(path): \(n) characters, more than maxLength \(hi)") }
            if case .string(let format)? = field("format"), !Self.hasFormat(Array(text.utf8), format) {
                errors.append("\(path): \(text.debugDescription) is not a \(format)")
            }
        default: break
        }
    }

    func checkObject(_ members: [(key: String, value: OrderedJSON)], _ field: (String) -> OrderedJSON?, path: String, depth: Int, errors: inout [String]) {
        var declared: [(key: String, value: OrderedJSON)] = []
        if case .object(let p)? = field("properties") { declared = p }
        if case .array(let req)? = field("required") {
            for case .string(let name) in req where !members.contains(where: { $0.key == name }) {
                errors.append("\(path): the required property '\(name)' is missing")
            }
        }
        let additional = field("additionalProperties") ?? (field("properties") != nil ? .bool(false) : .bool(true))
        for (key, value) in members {
            let sub = "\(path)/\(SchemaConverter.pointerEscape(key))"
            if let d = declared.first(where: { $0.key == key }) {
                check(value, d.value, path: sub, depth: depth + 1, errors: &errors)
            } else if case .bool(false) = additional {
                errors.append("\(path): the property '\(key)' is not allowed")
            } else {
                check(value, additional, path: sub, depth: depth + 1, errors: &errors)
            }
        }
    }

    func resolve(_ pointer: String) -> OrderedJSON? {
        if pointer == "#" { return schema }
        guard pointer.hasPrefix("#/") else { return nil }
        var target = schema
        for raw in pointer.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let part = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard case .object(let f) = target, let next = f.first(where: { $0.key == part })?.value else { return nil }
            target = next
        }
        return target
    }

    /// Whether `v` is of the JSON schema type `name`.
    static func hasType(_ v: OrderedJSON, _ name: String) -> Bool {
        switch (name, v) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): return true
        case ("integer", .number(let text)):
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return true }
            guard let d = Double(text) else { return false }
            return d.isFinite && d.rounded() == d
        default: return false
        }
    }

    /// JSON equality: numbers by value, objects regardless of key order.
    static func equal(_ a: OrderedJSON, _ b: OrderedJSON) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x == y || (Double(x) != nil && Double(x) == Double(y))
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { m in y.contains { $0.key == m.key && equal($0.value, m.value) } }
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        default: return a == b
        }
    }

    // MARK: - Formats

    /// Matches `pattern` at `at`: `d` a digit, `x` a hexadecimal digit, anything else itself.
    static func shape(_ b: [UInt8], _ at: Int, _ pattern: String) -> Bool {
        let p = Array(pattern.utf8)
        guard b.count - at >= p.count else { return false }
        for (k, c) in p.enumerated() {
            let x = b[at + k]
            switch c {
            case UInt8(ascii: "d"): if !(0x30...0x39).contains(x) { return false }
            case UInt8(ascii: "x"): if !((0x30...0x39).contains(x) || (0x41...0x46).contains(x) || (0x61...0x66).contains(x)) { return false }
            default: if x != c { return false }
            }
        }
        return true
    }

    static func number(_ b: [UInt8], _ at: Int, _ n: Int) -> Int { b[at..<(at + n)].reduce(0) { $0 * 10 + Int($1 - 0x30) } }

    /// Length of a valid date at `at` (YYYY-MM-DD, month 01–12, day 01–31), or nil.
    static func date(_ b: [UInt8], _ at: Int) -> Int? {
        guard shape(b, at, "dddd-dd-dd") else { return nil }
        let m = number(b, at + 5, 2), d = number(b, at + 8, 2)
        return (1...12).contains(m) && (1...31).contains(d) ? 10 : nil
    }

    /// Length of a valid time at `at` (HH:MM:SS, optional .fraction of 1–6 digits, Z or ±HH:MM).
    static func time(_ b: [UInt8], _ at: Int) -> Int? {
        guard shape(b, at, "dd:dd:dd"), number(b, at, 2) < 24, number(b, at + 3, 2) < 60, number(b, at + 6, 2) < 60 else { return nil }
        var k = at + 8
        if k < b.count, b[k] == UInt8(ascii: ".") {
            var digits = 0
            k += 1
            while k < b.count, (0x30...0x39).contains(b[k]) { k += 1; digits += 1 }
            guard (1...6).contains(digits) else { return nil }
        }
        guard k < b.count else { return nil }
        if b[k] == UInt8(ascii: "Z") { return k + 1 - at }
        guard b[k] == UInt8(ascii: "+") || b[k] == UInt8(ascii: "-"), shape(b, k + 1, "dd:dd"),
              number(b, k + 1, 2) < 24, number(b, k + 4, 2) < 60 else { return nil }
        return k + 6 - at
    }

    static func hasFormat(_ b: [UInt8], _ format: String) -> Bool {
        switch format {
        case "date": return date(b, 0) == b.count
        case "time": return time(b, 0) == b.count
        case "date-time":
            guard date(b, 0) != nil, b.count > 10, b[10] == UInt8(ascii: "T"), let t = time(b, 11) else { return false }
            return 11 + t == b.count
        case "uuid": return b.count == 36 && shape(b, 0, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
        default: return true
        }
    }
}

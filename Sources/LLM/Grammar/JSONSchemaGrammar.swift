import SwiftLearnCore

/// Turns a JSON schema into a GBNF grammar whose sentences are JSON texts valid under the schema,
/// in the manner of llama.cpp's `json-schema-to-grammar` (written anew here).
///
/// Supported: `type` (one name or a list) `object` (`properties` in their declared order,
/// `required`, `additionalProperties`: false by default when `properties` are given — strict
/// mode, as OpenAI's structured outputs; an object without `properties` is any object, or a map
/// whose values follow an `additionalProperties` schema), `array` (`items`, `minItems`,
/// `maxItems`), `string` (`minLength`, `maxLength`, `format` date, time, date-time, uuid),
/// `number`, `integer`, `boolean`, `null`; `enum`, `const`, `anyOf`, `oneOf` (generated as
/// `anyOf`: the grammar cannot exclude values matching two branches), `$ref` to `#`,
/// `#/$defs/…` or `#/definitions/…` (recursion allowed). `title`, `description`, `examples`,
/// `default`, `$schema`, `$id`, `$comment`, `deprecated`, `readOnly`, `writeOnly` are ignored;
/// any other keyword throws `GrammarError.schema` naming it, rather than being dropped silently.
/// Lengths and item counts above `GrammarLimits.maxRepetition` are refused.
///
/// Whitespace between tokens is llama.cpp's: nothing, one space, or a newline and up to 20
/// spaces or tabs.
public enum JSONSchemaGrammar {
    /// The GBNF text for the schema `schemaJSON`.
    /// - Throws: `GrammarError.syntax` (line:column) when the text is not JSON;
    ///   `GrammarError.schema` with the JSON pointer of the offending node; `.tooLarge`.
    public static func gbnf(schema schemaJSON: String) throws -> String {
        guard schemaJSON.utf8.count <= GrammarLimits.maxTextBytes else {
            throw GrammarError.tooLarge("the schema has \(schemaJSON.utf8.count) bytes (at most \(GrammarLimits.maxTextBytes))")
        }
        let schema: OrderedJSON
        do { schema = try OrderedJSON.parse(ArraySlice(schemaJSON.utf8)) } catch let e as OrderedJSON.ParseError {
            let before = schemaJSON.utf8.prefix(e.offset)
            let line = before.filter { $0 == 0x0A }.count + 1
            let column = String(decoding: before.reversed().prefix { $0 != 0x0A }.reversed(), as: UTF8.self).unicodeScalars.count + 1
            throw GrammarError.syntax(line: line, column: column, message: "the schema is not valid JSON: \(e.reason)")
        }
        var c = SchemaConverter(root: schema)
        let body = try c.visit(schema, path: "#", name: "root", depth: 0)
        c.add("root", body)
        return c.text()
    }

    /// The grammar for the schema `schemaJSON` (`gbnf(schema:)` parsed).
    /// - Throws: `GrammarError.schema`, or a `GrammarError` of the generated grammar (left
    ///   recursion through `$ref`, size limits).
    public static func grammar(schema schemaJSON: String) throws -> Grammar {
        try Grammar(gbnf: try gbnf(schema: schemaJSON))
    }

    /// GBNF for any JSON value (`root ::= value`), the same primitives as schemas use.
    public static var anyValueGBNF: String { SchemaConverter.primitiveText(root: "value") }

    /// GBNF for any JSON object (OpenAI's `response_format: {"type": "json_object"}`).
    public static var objectGBNF: String { SchemaConverter.primitiveText(root: "object") }

    /// The grammar of any JSON object.
    public static func jsonObject() -> Grammar {
        // The text is fixed and valid; a failure is a bug in this file.
        do { return try Grammar(gbnf: objectGBNF) } catch { preconditionFailure("built-in JSON grammar: \(error)") }
    }

    /// The grammar of any JSON value.
    public static func jsonValue() -> Grammar {
        do { return try Grammar(gbnf: anyValueGBNF) } catch { preconditionFailure("built-in JSON grammar: \(error)") }
    }
}

/// The conversion's state: rules in the order made, names in use, `$ref` targets done.
struct SchemaConverter {
    let root: OrderedJSON
    var rules: [(name: String, body: String)] = []
    var names: Set<String> = []
    var primitives: Set<String> = []
    var refRules: [String: String] = [:]
    /// Bytes of rule text so far (bounded by `GrammarLimits.maxTextBytes`).
    var size = 0

    /// Keywords that change nothing in the grammar.
    static let ignored: Set<String> = ["title", "description", "examples", "default", "$schema", "$id", "$comment",
                                       "deprecated", "readOnly", "writeOnly", "$defs", "definitions"]
    /// Keywords the converter implements.
    static let supported: Set<String> = ["type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
                                         "enum", "const", "minLength", "maxLength", "format", "anyOf", "oneOf", "$ref"]

    /// The shared primitive rules and what each one uses.
    static let primitiveRules: [(name: String, body: String, uses: [String])] = [
        ("space", #"| " " | "\n" [ \t]{0,20}"#, []),
        ("boolean", #"("true" | "false") space"#, ["space"]),
        ("null", #""null" space"#, ["space"]),
        ("integral-part", "[0] | [1-9] [0-9]{0,15}", []),
        ("decimal-part", "[0-9]{1,16}", []),
        ("integer", #"("-"? integral-part) space"#, ["integral-part", "space"]),
        ("number", #"("-"? integral-part) ("." decimal-part)? ([eE] [-+]? integral-part)? space"#, ["integral-part", "decimal-part", "space"]),
        ("char", #"[^"\\\x7F\x00-\x1F] | [\\] (["\\/bfnrt] | "u" [0-9a-fA-F]{4})"#, []),
        ("string", #""\"" char* "\"" space"#, ["char", "space"]),
        ("value", "object | array | string | number | boolean | null", ["object", "array", "string", "number", "boolean", "null"]),
        ("object", #""{" space ( string ":" space value ("," space string ":" space value)* )? "}" space"#, ["string", "value", "space"]),
        ("array", #""[" space ( value ("," space value)* )? "]" space"#, ["value", "space"]),
        ("date", #"[0-9]{4} "-" ( "0" [1-9] | "1" [0-2] ) "-" ( "0" [1-9] | [1-2] [0-9] | "3" [0-1] )"#, []),
        ("time", #"( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{1,6} )? ( "Z" | [+-] ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] )"#, []),
        ("uuid", #"[0-9a-fA-F]{8} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{12}"#, []),
    ]

    init(root: OrderedJSON) { self.root = root; names.insert("root") }

    /// GBNF of the primitives alone, with `root ::= <name>`.
    static func primitiveText(root name: String) -> String {
        var c = SchemaConverter(root: .null)
        c.use(name)
        c.add("root", name)
        return c.text()
    }

    /// Marks a primitive (and what it uses) as needed.
    mutating func use(_ name: String) {
        guard primitives.insert(name).inserted, let p = Self.primitiveRules.first(where: { $0.name == name }) else { return }
        for u in p.uses { use(u) }
    }

    mutating func add(_ name: String, _ body: String) {
        rules.append((name, body)); names.insert(name)
        size += name.utf8.count + body.utf8.count
    }

    /// A rule name from `hint` (characters outside `[a-zA-Z0-9-]` become `-`) not used yet.
    mutating func fresh(_ hint: String) -> String {
        var base = String(hint.unicodeScalars.prefix(60).map { c -> Character in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-" ? Character(c) : "-"
        })
        if base.isEmpty { base = "r" }
        var name = base, k = 1
        while names.contains(name) || Self.primitiveRules.contains(where: { $0.name == name }) {
            k += 1; name = "\(base)-\(k)"
        }
        names.insert(name)
        return name
    }

    /// The whole grammar: root first, then generated rules, then the primitives used.
    func text() -> String {
        var out = ""
        for r in rules.reversed() where r.name == "root" { out += "root ::= \(r.body)\n" }
        for r in rules where r.name != "root" { out += "\(r.name) ::= \(r.body)\n" }
        for p in Self.primitiveRules where primitives.contains(p.name) { out += "\(p.name) ::= \(p.body)\n" }
        return out
    }

    // MARK: - Schema nodes

    func fail(_ path: String, _ message: String) -> GrammarError { .schema(path: path, message: message) }

    /// The GBNF expression for `schema` at `path` (`name` names the rules made for it).
    mutating func visit(_ schema: OrderedJSON, path: String, name: String, depth: Int) throws -> String {
        guard depth <= GrammarLimits.maxNesting else { throw fail(path, "schemas nested deeper than \(GrammarLimits.maxNesting) levels") }
        guard size <= GrammarLimits.maxTextBytes else { throw GrammarError.tooLarge("the schema's grammar passes \(GrammarLimits.maxTextBytes) bytes") }
        let fields: [(key: String, value: OrderedJSON)]
        switch schema {
        case .bool(true): use("value"); return "value"
        case .bool(false): throw fail(path, "the schema false matches nothing")
        case .object(let f): fields = f
        default: throw fail(path, "a schema must be an object or a boolean, not \(schema.kind)")
        }
        var s: [String: OrderedJSON] = [:]
        for (k, v) in fields {
            if Self.ignored.contains(k) { continue }
            guard Self.supported.contains(k) else { throw fail(path, "the keyword '\(k)' is not supported") }
            s[k] = v
        }
        if let ref = s["$ref"] {
            guard s.count == 1 else { throw fail(path, "keywords beside '$ref' (\(s.keys.filter { $0 != "$ref" }.sorted().joined(separator: ", "))) are not supported") }
            return try reference(ref, path: path, depth: depth)
        }
        if let c = s["const"] {
            guard s.count == 1 || (s.count == 2 && s["type"] != nil) else { throw fail(path, "keywords beside 'const' are not supported") }
            use("space")
            return "\(Self.literal(Self.compact(c))) space"
        }
        if let e = s["enum"] {
            guard case .array(let values) = e, !values.isEmpty else { throw fail(path + "/enum", "'enum' must be a non-empty array") }
            guard s.count == 1 || (s.count == 2 && s["type"] != nil) else { throw fail(path, "keywords beside 'enum' are not supported") }
            use("space")
            return "(" + values.map { Self.literal(Self.compact($0)) }.joined(separator: " | ") + ") space"
        }
        for key in ["anyOf", "oneOf"] {
            guard let list = s[key] else { continue }
            guard s.count == 1 else { throw fail(path, "keywords beside '\(key)' are not supported") }
            guard case .array(let branches) = list, !branches.isEmpty else { throw fail(path + "/" + key, "'\(key)' must be a non-empty array") }
            var alts: [String] = []
            for (k, b) in branches.enumerated() {
                alts.append(try visit(b, path: "\(path)/\(key)/\(k)", name: "\(name)-\(k)", depth: depth + 1))
            }
            return "(" + alts.joined(separator: " | ") + ")"
        }
        var types: [String]
        switch s["type"] {
        case nil:
            if s["properties"] != nil || s["required"] != nil || s["additionalProperties"] != nil { types = ["object"] }
            else if s["items"] != nil || s["minItems"] != nil || s["maxItems"] != nil { types = ["array"] }
            else if s["minLength"] != nil || s["maxLength"] != nil || s["format"] != nil { types = ["string"] }
            else { use("value"); return "value" }
        case .string(let t)?: types = [t]
        case .array(let list)?:
            types = try list.map { v -> String in
                guard case .string(let t) = v else { throw fail(path + "/type", "'type' lists names, not \(v.kind)") }
                return t
            }
            guard !types.isEmpty else { throw fail(path + "/type", "'type' is an empty list") }
            var seen: Set<String> = []
            types = types.filter { seen.insert($0).inserted }   // a repeated name would visit the children again
        case let other?: throw fail(path + "/type", "'type' must be a name or a list of names, not \(other.kind)")
        }
        var alts: [String] = []
        for t in types {
            alts.append(try typed(t, s, path: path, name: name, depth: depth))
        }
        return alts.count == 1 ? alts[0] : "(" + alts.joined(separator: " | ") + ")"
    }

    /// One `type`'s expression.
    mutating func typed(_ type: String, _ s: [String: OrderedJSON], path: String, name: String, depth: Int) throws -> String {
        switch type {
        case "object": return try object(s, path: path, name: name, depth: depth)
        case "array": return try array(s, path: path, name: name, depth: depth)
        case "string": return try string(s, path: path, name: name)
        case "number", "integer", "boolean", "null": use(type); return type
        default: throw fail(path + "/type", "unknown type '\(type)' (known: object, array, string, number, integer, boolean, null)")
        }
    }

    /// A count keyword: a non-negative integer ≤ the repetition limit.
    func count(_ s: [String: OrderedJSON], _ key: String, path: String) throws -> Int? {
        guard let v = s[key] else { return nil }
        guard let n = v.unsignedInteger else { throw fail(path + "/" + key, "'\(key)' must be a non-negative integer, not \(v.kind)") }
        guard n <= UInt64(GrammarLimits.maxRepetition) else {
            throw fail(path + "/" + key, "'\(key)' above \(GrammarLimits.maxRepetition) is not supported")
        }
        return Int(n)
    }

    mutating func string(_ s: [String: OrderedJSON], path: String, name: String) throws -> String {
        use("space")
        if let f = s["format"] {
            guard case .string(let format) = f else { throw fail(path + "/format", "'format' must be a string") }
            guard s["minLength"] == nil && s["maxLength"] == nil else { throw fail(path, "'format' with 'minLength'/'maxLength' is not supported") }
            let body: String
            switch format {
            case "date": use("date"); body = "date"
            case "time": use("time"); body = "time"
            case "date-time": use("date"); use("time"); body = #"date "T" time"#
            case "uuid": use("uuid"); body = "uuid"
            default: throw fail(path + "/format", "the format '\(format)' is not supported (supported: date, time, date-time, uuid)")
            }
            return #""\"" "# + body + #" "\"" space"#
        }
        let lo = try count(s, "minLength", path: path) ?? 0
        let hi = try count(s, "maxLength", path: path)
        if let hi, hi < lo { throw fail(path, "'maxLength' \(hi) is below 'minLength' \(lo)") }
        use("char")
        if lo == 0 && hi == nil { use("string"); return "string" }
        let reps = hi.map { "{\(lo),\($0)}" } ?? "{\(lo),}"
        return #""\"" char"# + reps + #" "\"" space"#
    }

    mutating func array(_ s: [String: OrderedJSON], path: String, name: String, depth: Int) throws -> String {
        use("space")
        let item: String
        if let i = s["items"] {
            let body = try visit(i, path: path + "/items", name: name + "-item", depth: depth + 1)
            item = fresh(name + "-item")
            add(item, body)
        } else {
            use("value"); item = "value"
        }
        let lo = try count(s, "minItems", path: path) ?? 0
        let hi = try count(s, "maxItems", path: path)
        if let hi, hi < lo { throw fail(path, "'maxItems' \(hi) is below 'minItems' \(lo)") }
        if hi == 0 { return #""[" space "]" space"# }
        let more = hi.map { "{\(max(lo, 1) - 1),\($0 - 1)}" } ?? (lo > 1 ? "{\(lo - 1),}" : "*")
        let list = #"\#(item) ("," space \#(item))\#(more)"#
        return lo == 0 ? #""[" space ( \#(list) )? "]" space"# : #""[" space \#(list) "]" space"#
    }

    mutating func object(_ s: [String: OrderedJSON], path: String, name: String, depth: Int) throws -> String {
        use("space")
        var required: Set<String> = []
        if let r = s["required"] {
            guard case .array(let list) = r else { throw fail(path + "/required", "'required' must be an array of names") }
            for v in list {
                guard case .string(let n) = v else { throw fail(path + "/required", "'required' lists names, not \(v.kind)") }
                required.insert(n)
            }
        }
        guard let p = s["properties"] else {
            switch s["additionalProperties"] {
            case nil, .bool(true)?:
                guard required.isEmpty else { throw fail(path, "'required' without 'properties' is not supported") }
                use("object"); return "object"
            case .bool(false)?:
                guard required.isEmpty else { throw fail(path, "'required' names properties that 'additionalProperties': false forbids") }
                return #""{" space "}" space"#
            case let schema?:
                guard required.isEmpty else { throw fail(path, "'required' without 'properties' is not supported") }
                use("string")
                let value = try visit(schema, path: path + "/additionalProperties", name: name + "-value", depth: depth + 1)
                let v = fresh(name + "-value")
                add(v, value)
                return #""{" space ( string ":" space \#(v) ("," space string ":" space \#(v))* )? "}" space"#
            }
        }
        guard case .object(let props) = p else { throw fail(path + "/properties", "'properties' must be an object") }
        switch s["additionalProperties"] {
        case nil, .bool(false)?: break
        default: throw fail(path + "/additionalProperties", "'additionalProperties' other than false beside 'properties' is not supported")
        }
        for r in required.sorted() where !props.contains(where: { $0.key == r }) {
            throw fail(path + "/required", "the required property '\(r)' is not in 'properties'")
        }
        if props.isEmpty { return #""{" space "}" space"# }
        // One key-value rule per property.
        var kvs: [String] = []
        for (key, sub) in props {
            let subPath = path + "/properties/" + Self.pointerEscape(key)
            let value = try visit(sub, path: subPath, name: name + "-" + key, depth: depth + 1)
            let kv = fresh(name + "-" + key + "-kv")
            add(kv, "\(Self.literal(Self.compact(.string(key)))) space \":\" space \(value)")
            kvs.append(kv)
        }
        // From the end: `after[i]` (a property came before: each one starts with ",") and
        // `first[i]` (none yet) for properties i…n−1.
        let n = props.count
        var after = [String](repeating: "", count: n + 1), first = [String](repeating: "", count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            let isRequired = required.contains(props[i].key)
            let tail = after[i + 1]
            let a = isRequired ? #""," space \#(kvs[i])"# : #"("," space \#(kvs[i]))?"#
            after[i] = tail.isEmpty ? a : "\(a) \(tail)"
            let withThis = tail.isEmpty ? kvs[i] : "\(kvs[i]) \(tail)"
            if isRequired {
                first[i] = withThis
            } else if first[i + 1].isEmpty {
                first[i] = "(\(withThis))?"
            } else {
                first[i] = "(\(withThis) | \(first[i + 1]))"
            }
            // Name the longer pieces so the grammar stays linear in the number of properties.
            if i > 0 && !after[i].isEmpty {
                let r = fresh("\(name)-after-\(i)"); add(r, after[i]); after[i] = r
            }
            if i > 0 && !required.contains(props[i - 1].key) {   // only an optional property before uses it
                let r = fresh("\(name)-from-\(i)"); add(r, first[i]); first[i] = r
            }
        }
        return #""{" space \#(first[0]) "}" space"#
    }

    /// `$ref` to `#`, `#/$defs/…`, `#/definitions/…` (a JSON pointer into this document).
    mutating func reference(_ ref: OrderedJSON, path: String, depth: Int) throws -> String {
        guard case .string(let pointer) = ref else { throw fail(path + "/$ref", "'$ref' must be a string") }
        if let rule = refRules[pointer] { return rule }
        guard pointer == "#" || pointer.hasPrefix("#/") else {
            throw fail(path + "/$ref", "only references inside the schema (#/$defs/…) are supported, not '\(pointer)'")
        }
        var target = root
        for raw in pointer.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) where pointer != "#" {
            let part = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard case .object(let f) = target, let next = f.first(where: { $0.key == part })?.value else {
                throw fail(path + "/$ref", "'\(pointer)' does not name a schema in this document")
            }
            target = next
        }
        let rule = pointer == "#" ? "root" : fresh("ref-" + (pointer.split(separator: "/").last.map(String.init) ?? "r"))
        refRules[pointer] = rule
        if pointer != "#" {
            let body = try visit(target, path: pointer, name: rule, depth: depth + 1)
            add(rule, body)
        }
        return rule
    }

    // MARK: - Literals

    static func pointerEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// Compact JSON text of a value (keys in order, strings escaped as `json.dumps`).
    static func compact(_ v: OrderedJSON) -> String {
        var out: [UInt8] = []
        func write(_ v: OrderedJSON) {
            switch v {
            case .object(let f):
                out.append(UInt8(ascii: "{"))
                for (k, (key, value)) in f.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    OrderedJSON.appendQuoted(key, to: &out); out.append(UInt8(ascii: ":")); write(value)
                }
                out.append(UInt8(ascii: "}"))
            case .array(let a):
                out.append(UInt8(ascii: "["))
                for (k, x) in a.enumerated() { if k > 0 { out.append(UInt8(ascii: ",")) }; write(x) }
                out.append(UInt8(ascii: "]"))
            case .string(let s): OrderedJSON.appendQuoted(s, to: &out)
            case .number(let n): out += Array(n.utf8)
            case .bool(let b): out += Array((b ? "true" : "false").utf8)
            case .null: out += Array("null".utf8)
            }
        }
        write(v)
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` as a GBNF string literal.
    static func literal(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += "\\x" + (c.value < 16 ? "0" : "") + String(c.value, radix: 16, uppercase: true)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}

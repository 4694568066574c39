import Foundation

/// Operators, filters, tests, functions and methods of the Jinja subset (Python semantics).
enum JinjaBuiltins {
    /// Longest list `range()` builds.
    static let maximumRange = 100_000

    static func fail(_ line: Int, _ m: String) -> LLMError { .template(line: line, message: m) }

    static func str(_ v: JinjaValue) -> String { v.rendered }

    // MARK: - Operators

    static func binary(_ op: String, _ a: JinjaValue, _ b: JinjaValue, line: Int) throws -> JinjaValue {
        switch op {
        case "~": return .string(str(a) + str(b))
        case "==": return .bool(JinjaValue.equal(a, b))
        case "!=": return .bool(!JinjaValue.equal(a, b))
        case "in": return .bool(try contains(b, a, line: line))
        case "<", ">", "<=", ">=":
            let c: Int
            switch (a, b) {
            case (.string(let x), .string(let y)): c = x < y ? -1 : (x == y ? 0 : 1)
            default:
                guard let x = a.number, let y = b.number else {
                    throw fail(line, "'\(op)' not supported between \(a.typeName) and \(b.typeName)")
                }
                c = x < y ? -1 : (x == y ? 0 : 1)
            }
            switch op {
            case "<": return .bool(c < 0)
            case ">": return .bool(c > 0)
            case "<=": return .bool(c <= 0)
            default: return .bool(c >= 0)
            }
        case "+":
            switch (a, b) {
            case (.string(let x), .string(let y)): return .string(x + y)
            case (.list(let x), .list(let y)): return .list(x + y)
            default: break
            }
        default: break
        }
        // Arithmetic on numbers: integers stay integers where Python's do.
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case "+": let (r, o) = x.addingReportingOverflow(y); if !o { return .int(r) }
            case "-": let (r, o) = x.subtractingReportingOverflow(y); if !o { return .int(r) }
            case "*": let (r, o) = x.multipliedReportingOverflow(by: y); if !o { return .int(r) }
            case "//":
                guard y != 0 else { throw fail(line, "integer division by zero") }
                let q = x / y
                return .int((x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q)
            case "%":
                guard y != 0 else { throw fail(line, "modulo by zero") }
                let r = x % y
                return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
            case "**" where y >= 0:
                var r = 1, overflow = false
                for _ in 0..<min(y, 64) where !overflow { (r, overflow) = r.multipliedReportingOverflow(by: x) }
                if !overflow && (y <= 64 || abs(x) <= 1) { return .int(y > 64 ? (x == -1 && y % 2 == 1 ? -1 : (x == 0 ? 0 : 1)) : r) }
            default: break
            }
        }
        if op == "*", case .string(let s) = a, case .int(let n) = b {
            guard n <= JinjaTemplate.maximumOutputBytes / max(s.utf8.count, 1) else { throw fail(line, "string repetition too long") }
            return .string(String(repeating: s, count: max(n, 0)))
        }
        guard let x = a.number, let y = b.number else {
            throw fail(line, "unsupported operand types for \(op): \(a.typeName) and \(b.typeName)")
        }
        switch op {
        case "+": return .double(x + y)
        case "-": return .double(x - y)
        case "*": return .double(x * y)
        case "/":
            guard y != 0 else { throw fail(line, "division by zero") }
            return .double(x / y)
        case "//":
            guard y != 0 else { throw fail(line, "division by zero") }
            return .double((x / y).rounded(.down))
        case "%":
            guard y != 0 else { throw fail(line, "modulo by zero") }
            let r = x.truncatingRemainder(dividingBy: y)
            return .double(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        case "**": return .double(pow(x, y))
        default: throw fail(line, "unknown operator \(op)")
        }
    }

    static func contains(_ container: JinjaValue, _ item: JinjaValue, line: Int) throws -> Bool {
        switch container {
        case .list(let a): return a.contains { JinjaValue.equal($0, item) }
        case .dict(let d): if case .string(let k) = item { return d[k] != nil }; return false
        case .string(let s):
            guard case .string(let sub) = item else { throw fail(line, "'in <string>' requires a string, not \(item.typeName)") }
            return sub.isEmpty || s.contains(sub)
        case .undefined, .none: return false
        default: throw fail(line, "argument of type \(container.typeName) is not iterable")
        }
    }

    // MARK: - Filters

    static func kwarg(_ kwargs: [(String, JinjaValue)], _ name: String) -> JinjaValue? { kwargs.first { $0.0 == name }?.1 }

    static func filter(_ name: String, _ v: JinjaValue, _ args: [JinjaValue], _ kwargs: [(String, JinjaValue)], line: Int) throws -> JinjaValue {
        switch name {
        case "trim": return .string(pythonStrip(str(v), args.first.map(str)))
        case "length", "count":
            switch v {
            case .string(let s): return .int(s.count)
            case .list(let a): return .int(a.count)
            case .dict(let d): return .int(d.keys.count)
            case .undefined: return .int(0)
            default: throw fail(line, "object of type \(v.typeName) has no length")
            }
        case "upper": return .string(str(v).uppercased())
        case "lower": return .string(str(v).lowercased())
        case "capitalize": let s = str(v); return .string(s.prefix(1).uppercased() + s.dropFirst().lowercased())
        case "title": return .string(str(v).capitalized)
        case "string": return .string(str(v))
        case "safe": return v
        case "e", "escape":
            return .string(str(v).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&#34;").replacingOccurrences(of: "'", with: "&#39;"))
        case "tojson":
            var indent: Int? = nil
            if case .int(let i)? = kwarg(kwargs, "indent") ?? args.first { indent = i }
            return .string(v.json(indent: indent))
        case "int":
            switch v {
            case .int: return v
            case .double(let d): return d.isFinite ? .int(Int(d)) : .int(0)
            case .bool(let b): return .int(b ? 1 : 0)
            case .string(let s): return .int(Int(s.trimmingCharacters(in: .whitespaces)) ?? Int(Double(s) ?? 0))
            default: return .int(0)
            }
        case "float":
            switch v {
            case .string(let s): return .double(Double(s.trimmingCharacters(in: .whitespaces)) ?? 0)
            default: return .double(v.number ?? 0)
            }
        case "abs":
            switch v {
            case .int(let i): return .int(abs(i))
            case .double(let d): return .double(abs(d))
            default: throw fail(line, "bad operand for abs: \(v.typeName)")
            }
        case "default", "d":
            let fallback = args.first ?? .string("")
            let boolean = (args.count > 1 ? args[1] : kwarg(kwargs, "boolean"))?.isTruthy ?? false
            if case .undefined = v { return fallback }
            return boolean && !v.isTruthy ? fallback : v
        case "join":
            var items = try list(v, line: line)
            if let attr = kwarg(kwargs, "attribute") { items = items.map { attribute($0, str(attr)) } }
            return .string(items.map(str).joined(separator: args.first.map(str) ?? ""))
        case "first": return try list(v, line: line).first ?? .undefined
        case "last": return try list(v, line: line).last ?? .undefined
        case "list": return .list(try list(v, line: line))
        case "reverse":
            if case .string(let s) = v { return .string(String(s.reversed())) }
            return .list(try list(v, line: line).reversed())
        case "unique":
            var seen: [JinjaValue] = []
            for x in try list(v, line: line) where !seen.contains(where: { JinjaValue.equal($0, x) }) { seen.append(x) }
            return .list(seen)
        case "items":
            guard case .dict(let d) = v else { if case .undefined = v { return .list([]) }; throw fail(line, "items needs a dict") }
            return .list(d.keys.map { .list([.string($0), d[$0]!]) })
        case "dictsort":
            guard case .dict(let d) = v else { throw fail(line, "dictsort needs a dict") }
            return .list(d.keys.sorted { $0.lowercased() < $1.lowercased() }.map { .list([.string($0), d[$0]!]) })
        case "replace":
            guard args.count >= 2 else { throw fail(line, "replace needs two arguments") }
            return .string(str(v).replacingOccurrences(of: str(args[0]), with: str(args[1])))
        case "indent":
            let width: Int
            if case .int(let w)? = args.first ?? kwarg(kwargs, "width") { width = w } else { width = 4 }
            let pad = String(repeating: " ", count: max(0, min(width, 1000)))
            let first = (args.count > 1 ? args[1] : kwarg(kwargs, "first"))?.isTruthy ?? false
            let lines = str(v).components(separatedBy: "\n")
            return .string(lines.enumerated().map { k, l in (k == 0 && !first) || l.isEmpty ? l : pad + l }.joined(separator: "\n"))
        case "selectattr", "rejectattr":
            guard let attr = args.first else { throw fail(line, "\(name) needs an attribute name") }
            let keep = name == "selectattr"
            return .list(try list(v, line: line).filter { item in
                let a = attribute(item, str(attr))
                let r = args.count > 1 ? try test(str(args[1]), a, Array(args.dropFirst(2)), line: line) : a.isTruthy
                return r == keep
            })
        case "select", "reject":
            let keep = name == "select"
            return .list(try list(v, line: line).filter { item in
                let r = args.isEmpty ? item.isTruthy : try test(str(args[0]), item, Array(args.dropFirst()), line: line)
                return r == keep
            })
        case "map":
            if let attr = kwarg(kwargs, "attribute") {
                let fallback = kwarg(kwargs, "default")
                return .list(try list(v, line: line).map { x in
                    let a = attribute(x, str(attr))
                    if case .undefined = a, let fallback { return fallback }
                    return a
                })
            }
            guard let f = args.first else { throw fail(line, "map needs a filter name or attribute=") }
            return .list(try list(v, line: line).map { try filter(str(f), $0, Array(args.dropFirst()), [], line: line) })
        case "sort":
            let reverse = kwarg(kwargs, "reverse")?.isTruthy ?? false
            let attr = kwarg(kwargs, "attribute").map(str)
            let items = try list(v, line: line)
            let sorted = try items.sorted { x, y in
                let a = attr.map { attribute(x, $0) } ?? x, b = attr.map { attribute(y, $0) } ?? y
                return try binary("<", a, b, line: line).isTruthy
            }
            return .list(reverse ? sorted.reversed() : sorted)
        case "wordcount": return .int(str(v).split(whereSeparator: { $0.isWhitespace }).count)
        default: throw fail(line, "unknown filter '\(name)'")
        }
    }

    static func attribute(_ v: JinjaValue, _ path: String) -> JinjaValue {
        var cur = v
        for part in path.split(separator: ".") {
            switch cur {
            case .dict(let d): cur = d[String(part)] ?? .undefined
            case .list(let a): if let i = Int(part), i >= 0, i < a.count { cur = a[i] } else { return .undefined }
            default: return .undefined
            }
        }
        return cur
    }

    static func list(_ v: JinjaValue, line: Int) throws -> [JinjaValue] {
        switch v {
        case .list(let a): return a
        case .dict(let d): return d.keys.map { .string($0) }
        case .string(let s): return s.map { .string(String($0)) }
        case .undefined, .none: return []
        default: throw fail(line, "\(v.typeName) is not iterable")
        }
    }

    /// Python's `str.strip(chars)` (whitespace when `chars` is nil).
    static func pythonStrip(_ s: String, _ chars: String?, leading: Bool = true, trailing: Bool = true) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        func strip(_ u: Unicode.Scalar) -> Bool { set?.contains(u) ?? u.properties.isWhitespace }
        var scalars = Substring(s).unicodeScalars[...]
        if leading { while let f = scalars.first, strip(f) { scalars = scalars.dropFirst() } }
        if trailing { while let l = scalars.last, strip(l) { scalars = scalars.dropLast() } }
        return String(String.UnicodeScalarView(scalars))
    }

    // MARK: - Tests

    static func test(_ name: String, _ v: JinjaValue, _ args: [JinjaValue], line: Int) throws -> Bool {
        switch name {
        case "defined": if case .undefined = v { return false }; return true
        case "undefined": if case .undefined = v { return true }; return false
        case "none": if case .none = v { return true }; return false
        case "string": if case .string = v { return true }; return false
        case "number": switch v { case .int, .double: return true; default: return false }
        case "integer": if case .int = v { return true }; return false
        case "float": if case .double = v { return true }; return false
        case "boolean": if case .bool = v { return true }; return false
        case "true": if case .bool(true) = v { return true }; return false
        case "false": if case .bool(false) = v { return true }; return false
        case "mapping": switch v { case .dict, .namespace: return true; default: return false }
        case "sequence", "iterable": switch v { case .list, .string, .dict: return true; default: return false }
        case "callable": return false
        case "odd", "even":
            guard case .int(let i) = v else { throw fail(line, "\(name) needs an integer") }
            return (i % 2 != 0) == (name == "odd")
        case "divisibleby":
            guard case .int(let i) = v, case .int(let d)? = args.first, d != 0 else { throw fail(line, "divisibleby needs a non-zero integer") }
            return i % d == 0
        case "equalto", "eq", "==", "sameas": return JinjaValue.equal(v, args.first ?? .undefined)
        case "ne", "!=": return !JinjaValue.equal(v, args.first ?? .undefined)
        case "lt", "<", "gt", ">", "le", "<=", "ge", ">=":
            let op = ["lt": "<", "gt": ">", "le": "<=", "ge": ">="][name] ?? name
            return try binary(op, v, args.first ?? .undefined, line: line).isTruthy
        case "in": return try contains(args.first ?? .undefined, v, line: line)
        default: throw fail(line, "unknown test '\(name)'")
        }
    }

    // MARK: - Functions and methods

    static func function(_ name: String, _ args: [JinjaValue], _ kwargs: [(String, JinjaValue)], line: Int) throws -> JinjaValue {
        switch name {
        case "raise_exception":
            throw fail(line, "the template raised an error: \(args.first.map(str) ?? "")")
        case "namespace":
            var d = JinjaDict()
            if case .dict(let initial)? = args.first { for k in initial.keys { d[k] = initial[k] } }
            for (k, v) in kwargs { d[k] = v }
            return .namespace(JinjaNamespace(d))
        case "dict":
            return .dict(JinjaDict(kwargs))
        case "range":
            let ints = try args.map { a -> Int in
                guard case .int(let i) = a else { throw fail(line, "range() needs integers") }
                return i
            }
            let (start, stop, step): (Int, Int, Int)
            switch ints.count {
            case 1: (start, stop, step) = (0, ints[0], 1)
            case 2: (start, stop, step) = (ints[0], ints[1], 1)
            case 3: (start, stop, step) = (ints[0], ints[1], ints[2])
            default: throw fail(line, "range() takes 1 to 3 arguments")
            }
            guard step != 0 else { throw fail(line, "range() step cannot be zero") }
            let count = step > 0 ? (stop > start ? (stop - start - 1) / step + 1 : 0) : (start > stop ? (start - stop - 1) / -step + 1 : 0)
            guard count <= maximumRange else { throw fail(line, "range() of \(count) items (at most \(maximumRange))") }
            return .list((0..<count).map { .int(start + $0 * step) })
        case "strftime_now":
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            let format = args.first.map(str) ?? "%Y-%m-%d"
            // The strftime directives templates use, mapped to Unicode patterns.
            let map: [(String, String)] = [("%d", "dd"), ("%B", "MMMM"), ("%b", "MMM"), ("%Y", "yyyy"), ("%m", "MM"), ("%H", "HH"), ("%M", "mm"), ("%S", "ss"), ("%A", "EEEE"), ("%a", "EEE")]
            var pattern = "'" + format.replacingOccurrences(of: "'", with: "''") + "'"
            for (k, p) in map { pattern = pattern.replacingOccurrences(of: k, with: "'\(p)'") }
            f.dateFormat = pattern
            return .string(f.string(from: Date()))
        default: throw fail(line, "unknown function '\(name)'")
        }
    }

    static func method(_ base: JinjaValue, _ name: String, _ args: [JinjaValue], _ kwargs: [(String, JinjaValue)], line: Int) throws -> JinjaValue {
        switch base {
        case .string(let s):
            switch name {
            case "strip": return .string(pythonStrip(s, args.first.map(str)))
            case "lstrip": return .string(pythonStrip(s, args.first.map(str), trailing: false))
            case "rstrip": return .string(pythonStrip(s, args.first.map(str), leading: false))
            case "upper": return .string(s.uppercased())
            case "lower": return .string(s.lowercased())
            case "title", "capitalize": return try filter(name, base, [], [], line: line)
            case "startswith", "endswith":
                let options: [String]
                switch args.first {
                case .string(let p)?: options = [p]
                case .list(let ps)?: options = ps.map(str)
                default: throw fail(line, "\(name) needs a string")
                }
                return .bool(options.contains { name == "startswith" ? s.hasPrefix($0) : s.hasSuffix($0) })
            case "split":
                var sep: String? = nil
                if let first = args.first { if case .none = first {} else { sep = str(first) } }
                var maxSplit = -1
                if args.count > 1, case .int(let m) = args[1] { maxSplit = m }
                if let sep {
                    guard !sep.isEmpty else { throw fail(line, "empty separator") }
                    var parts: [String] = [], rest = Substring(s)
                    while maxSplit != 0, let r = rest.range(of: sep) {
                        parts.append(String(rest[..<r.lowerBound])); rest = rest[r.upperBound...]; maxSplit -= 1
                    }
                    parts.append(String(rest))
                    return .list(parts.map { .string($0) })
                }
                return .list(s.split(whereSeparator: { $0.isWhitespace }).map { .string(String($0)) })
            case "replace":
                guard args.count >= 2 else { throw fail(line, "replace needs two arguments") }
                return .string(s.replacingOccurrences(of: str(args[0]), with: str(args[1])))
            case "find":
                guard let sub = args.first.map(str) else { throw fail(line, "find needs an argument") }
                guard let r = s.range(of: sub) else { return .int(-1) }
                return .int(s.distance(from: s.startIndex, to: r.lowerBound))
            case "count":
                guard let sub = args.first.map(str), !sub.isEmpty else { throw fail(line, "count needs a non-empty argument") }
                return .int(s.components(separatedBy: sub).count - 1)
            case "join": return .string(try list(args.first ?? .list([]), line: line).map(str).joined(separator: s))
            case "format": throw fail(line, "str.format is not supported")
            default: break
            }
        case .dict(let d):
            switch name {
            case "items": return .list(d.keys.map { .list([.string($0), d[$0]!]) })
            case "keys": return .list(d.keys.map { .string($0) })
            case "values": return .list(d.keys.map { d[$0]! })
            case "get":
                guard case .string(let k)? = args.first else { throw fail(line, "get needs a string key") }
                return d[k] ?? (args.count > 1 ? args[1] : .none)
            default: break
            }
        case .undefined:
            throw fail(line, "cannot call .\(name)() on an undefined value")
        default: break
        }
        throw fail(line, "\(base.typeName) has no method '\(name)'")
    }
}

import Foundation

/// A Jinja template with the parts of jinja2 that chat templates use — output, `if`/`elif`/`else`,
/// `for` (with `loop.*`, an `if` filter, `else`, `break`/`continue`), `set` (also on
/// `namespace()` attributes and as a block), comments, whitespace control (`-`, `trim_blocks`,
/// `lstrip_blocks`), Python-like expressions, the common filters, tests and string/dict methods,
/// `raise_exception`, `range`, `namespace` and `strftime_now`. It renders as Hugging Face's
/// `apply_chat_template` does (jinja2 with `trim_blocks` and `lstrip_blocks`).
///
/// Anything else is refused with `LLMError.template` naming the line; rendering is bounded
/// (output size, loop lengths, expression depth), so a hostile template cannot hang or exhaust memory.
public struct JinjaTemplate: Sendable {
    let nodes: [JinjaNode]
    /// Longest output rendered, in UTF-8 bytes.
    public static let maximumOutputBytes = 64 << 20
    /// Most loop iterations in one rendering (all loops together).
    public static let maximumIterations = 1_000_000

    /// Parses `source`.
    /// - Throws: `LLMError.template` for syntax it cannot read.
    public init(_ source: String, trimBlocks: Bool = true, lstripBlocks: Bool = true) throws {
        var parser = try JinjaParser(source, trimBlocks: trimBlocks, lstripBlocks: lstripBlocks)
        let (nodes, stop) = try parser.nodes(until: [])
        if let stop { throw LLMError.template(line: stop.line, message: "unexpected '\(stop.word)'") }
        self.nodes = nodes
    }

    /// Renders with `context` as the global variables.
    /// - Throws: `LLMError.template` for a runtime error (an unknown filter, a type error, the
    ///   template's own `raise_exception`, or a bound exceeded).
    public func render(_ context: [String: JinjaValue]) throws -> String {
        var r = JinjaRenderer(scopes: [context])
        try r.render(nodes)
        return r.output
    }
}

private enum LoopSignal: Error { case breakLoop, continueLoop }

struct JinjaRenderer {
    var scopes: [[String: JinjaValue]]
    var output = ""
    var outputBytes = 0
    var iterations = 0

    mutating func emit(_ s: String) throws {
        outputBytes += s.utf8.count
        guard outputBytes <= JinjaTemplate.maximumOutputBytes else {
            throw LLMError.template(line: 0, message: "the output passed \(JinjaTemplate.maximumOutputBytes >> 20) MB")
        }
        output += s
    }

    func lookup(_ name: String) -> JinjaValue {
        for scope in scopes.reversed() { if let v = scope[name] { return v } }
        return .undefined
    }

    mutating func render(_ nodes: [JinjaNode]) throws {
        for node in nodes {
            switch node {
            case .text(let t): try emit(t)
            case .output(let e, let line): try emit(try eval(e, line: line).rendered)
            case .conditional(let branches, let otherwise, let line):
                var done = false
                for (condition, body) in branches where try eval(condition, line: line).isTruthy {
                    try render(body); done = true; break
                }
                if !done { try render(otherwise) }
            case .loop(let targets, let iterable, let condition, let body, let otherwise, let line):
                try loop(targets, iterable, condition, body, otherwise, line: line)
            case .set(let target, let attribute, let e, let line):
                let v = try eval(e, line: line)
                if let attribute {
                    guard case .namespace(let ns) = lookup(target) else {
                        throw LLMError.template(line: line, message: "cannot set '\(target).\(attribute)': '\(target)' is not a namespace")
                    }
                    ns.dict[attribute] = v
                } else {
                    scopes[scopes.count - 1][target] = v
                }
            case .setBlock(let target, let body, _):
                let saved = output, savedBytes = outputBytes
                output = ""
                try render(body)
                let captured = output
                output = saved; outputBytes = savedBytes + captured.utf8.count
                scopes[scopes.count - 1][target] = .string(captured)
            case .breakLoop: throw LoopSignal.breakLoop
            case .continueLoop: throw LoopSignal.continueLoop
            }
        }
    }

    mutating func loop(_ targets: [String], _ iterable: JinjaExpr, _ condition: JinjaExpr?, _ body: [JinjaNode],
                       _ otherwise: [JinjaNode], line: Int) throws {
        let seq = try eval(iterable, line: line)
        var items: [JinjaValue]
        switch seq {
        case .list(let a): items = a
        case .dict(let d): items = d.keys.map { .string($0) }
        case .string(let s): items = s.map { .string(String($0)) }
        case .undefined, .none: items = []
        default: throw LLMError.template(line: line, message: "cannot loop over a \(seq.typeName)")
        }
        func bind(_ item: JinjaValue, into scope: inout [String: JinjaValue]) throws {
            if targets.count == 1 { scope[targets[0]] = item; return }
            guard case .list(let parts) = item, parts.count == targets.count else {
                throw LLMError.template(line: line, message: "cannot unpack \(item.typeName) into \(targets.count) names")
            }
            for (t, v) in zip(targets, parts) { scope[t] = v }
        }
        if let condition {
            var kept: [JinjaValue] = []
            for item in items {
                var scope: [String: JinjaValue] = [:]
                try bind(item, into: &scope)
                scopes.append(scope)
                defer { scopes.removeLast() }
                if try eval(condition, line: line).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty { try render(otherwise); return }
        for (k, item) in items.enumerated() {
            iterations += 1
            guard iterations <= JinjaTemplate.maximumIterations else {
                throw LLMError.template(line: line, message: "more than \(JinjaTemplate.maximumIterations) loop iterations")
            }
            var scope: [String: JinjaValue] = [:]
            try bind(item, into: &scope)
            let n = items.count
            scope["loop"] = .dict(JinjaDict([
                ("index", .int(k + 1)), ("index0", .int(k)), ("revindex", .int(n - k)), ("revindex0", .int(n - k - 1)),
                ("first", .bool(k == 0)), ("last", .bool(k == n - 1)), ("length", .int(n)),
                ("previtem", k > 0 ? items[k - 1] : .undefined), ("nextitem", k + 1 < n ? items[k + 1] : .undefined),
            ]))
            scopes.append(scope)
            defer { scopes.removeLast() }
            do { try render(body) } catch LoopSignal.continueLoop { continue } catch LoopSignal.breakLoop { break }
        }
    }

    // MARK: - Expressions

    mutating func eval(_ e: JinjaExpr, line: Int) throws -> JinjaValue {
        func fail(_ m: String) -> LLMError { .template(line: line, message: m) }
        switch e {
        case .literal(let v): return v
        case .name(let n): return lookup(n)
        case .list(let items): return .list(try items.map { try eval($0, line: line) })
        case .dict(let pairs):
            var d = JinjaDict()
            for (k, v) in pairs {
                guard case .string(let key) = try eval(k, line: line) else { throw fail("dict keys must be strings") }
                d[key] = try eval(v, line: line)
            }
            return .dict(d)
        case .attribute(let base, let name):
            let b = try eval(base, line: line)
            if case .undefined = b { throw fail("'\(Self.describe(base))' is undefined (reading .\(name))") }
            return member(b, name)
        case .item(let base, let index):
            let b = try eval(base, line: line), i = try eval(index, line: line)
            if case .undefined = b { throw fail("'\(Self.describe(base))' is undefined (reading [\(i.pythonRepr())])") }
            return try subscriptValue(b, i, line: line)
        case .slice(let base, let lo, let hi, let step):
            return try slice(try eval(base, line: line), lo.map { try eval($0, line: line) }, hi.map { try eval($0, line: line) },
                             step.map { try eval($0, line: line) }, line: line)
        case .call(let callee, let argExprs, let kwargExprs):
            let args = try argExprs.map { try eval($0, line: line) }
            var kwargs: [(String, JinjaValue)] = []
            for (k, v) in kwargExprs { kwargs.append((k, try eval(v, line: line))) }
            if case .attribute(let base, let method) = callee {
                return try JinjaBuiltins.method(try eval(base, line: line), method, args, kwargs, line: line)
            }
            guard case .name(let fn) = callee else { throw fail("'\(Self.describe(callee))' is not callable") }
            if case .undefined = lookup(fn) { return try JinjaBuiltins.function(fn, args, kwargs, line: line) }
            throw fail("'\(fn)' is not callable")
        case .filter(let base, let name, let argExprs, let kwargExprs):
            let v = try eval(base, line: line)
            let args = try argExprs.map { try eval($0, line: line) }
            var kwargs: [(String, JinjaValue)] = []
            for (k, x) in kwargExprs { kwargs.append((k, try eval(x, line: line))) }
            return try JinjaBuiltins.filter(name, v, args, kwargs, line: line)
        case .test(let base, let name, let argExprs, let negated):
            let v = try eval(base, line: line)
            let args = try argExprs.map { try eval($0, line: line) }
            let r = try JinjaBuiltins.test(name, v, args, line: line)
            return .bool(negated ? !r : r)
        case .unary(let op, let x):
            let v = try eval(x, line: line)
            if op == "not" { return .bool(!v.isTruthy) }
            switch v {
            case .int(let i): return .int(0 &- i)
            case .double(let d): return .double(-d)
            default: throw fail("bad operand type for unary -: \(v.typeName)")
            }
        case .and(let a, let b):
            let x = try eval(a, line: line)
            return x.isTruthy ? try eval(b, line: line) : x
        case .or(let a, let b):
            let x = try eval(a, line: line)
            return x.isTruthy ? x : try eval(b, line: line)
        case .conditional(let condition, let then, let otherwise):
            if try eval(condition, line: line).isTruthy { return try eval(then, line: line) }
            return try otherwise.map { try eval($0, line: line) } ?? .undefined
        case .binary(let op, let a, let b):
            return try JinjaBuiltins.binary(op, try eval(a, line: line), try eval(b, line: line), line: line)
        }
    }

    func member(_ b: JinjaValue, _ name: String) -> JinjaValue {
        switch b {
        case .dict(let d): return d[name] ?? .undefined
        case .namespace(let ns): return ns.dict[name] ?? .undefined
        default: return .undefined
        }
    }

    func subscriptValue(_ b: JinjaValue, _ i: JinjaValue, line: Int) throws -> JinjaValue {
        switch (b, i) {
        case (.dict(let d), .string(let k)): return d[k] ?? .undefined
        case (.namespace(let ns), .string(let k)): return ns.dict[k] ?? .undefined
        case (.list(let a), .int(let k)):
            let idx = k < 0 ? a.count + k : k
            guard idx >= 0, idx < a.count else { return .undefined }
            return a[idx]
        case (.string(let s), .int(let k)):
            let chars = Array(s)
            let idx = k < 0 ? chars.count + k : k
            guard idx >= 0, idx < chars.count else { return .undefined }
            return .string(String(chars[idx]))
        default: return .undefined
        }
    }

    func slice(_ b: JinjaValue, _ lo: JinjaValue?, _ hi: JinjaValue?, _ step: JinjaValue?, line: Int) throws -> JinjaValue {
        func int(_ v: JinjaValue?) throws -> Int? {
            switch v {
            case nil, .none?, .undefined?: return nil
            case .int(let i)?: return i
            default: throw LLMError.template(line: line, message: "slice indices must be integers")
            }
        }
        let st = try int(step) ?? 1
        guard st != 0 else { throw LLMError.template(line: line, message: "slice step cannot be zero") }
        func indices(_ n: Int) throws -> [Int] {
            func clamp(_ v: Int?, _ def: Int) -> Int {
                guard var v else { return def }
                if v < 0 { v += n }
                return st > 0 ? min(max(v, 0), n) : min(max(v, -1), n - 1)
            }
            let start = clamp(try int(lo), st > 0 ? 0 : n - 1), stop = clamp(try int(hi), st > 0 ? n : -1)
            return Array(stride(from: start, to: stop, by: st))
        }
        switch b {
        case .list(let a): return .list(try indices(a.count).map { a[$0] })
        case .string(let s):
            let chars = Array(s)
            return .string(String(try indices(chars.count).map { chars[$0] }))
        default: throw LLMError.template(line: line, message: "cannot slice a \(b.typeName)")
        }
    }

    static func describe(_ e: JinjaExpr) -> String {
        switch e {
        case .name(let n): return n
        case .attribute(let b, let n): return describe(b) + "." + n
        case .item(let b, .literal(let k)): return describe(b) + "[\(k.pythonRepr())]"
        case .item(let b, _): return describe(b) + "[…]"
        default: return "expression"
        }
    }
}

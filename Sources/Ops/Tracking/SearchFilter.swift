import Foundation

/// A value a search can filter or order on: a run's metric, parameter, tag or attribute, an
/// experiment's name, a model version's run id…
public enum SearchValue: Sendable, Equatable {
    case string(String)
    case number(Double)
}

/// What a filter names before the dot: `metrics.rmse`, `params.lr`, `tags."user name"`,
/// `attributes.status` (or an attribute alone: `run_name`).
public enum SearchEntity: String, Sendable {
    case metric, param, tag, attribute
}

/// One `identifier operator value` clause of MLflow's search syntax.
public struct SearchClause: Sendable, Equatable {
    /// The comparison.
    public enum Operator: String, Sendable {
        case eq = "=", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
        case like = "LIKE", ilike = "ILIKE", isIn = "IN", notIn = "NOT IN"
    }
    /// What is compared with: a number (metrics, numeric attributes), text, or a list (`IN`).
    public enum Operand: Sendable, Equatable {
        case number(Double), string(String), list([String])
    }
    /// What the key names: a metric, parameter, tag or attribute.
    public let entity: SearchEntity
    /// The key (an attribute's canonical name).
    public let key: String
    /// The comparison.
    public let op: Operator
    /// What the value is compared with.
    public let operand: Operand

    public init(entity: SearchEntity, key: String, op: Operator, operand: Operand) {
        self.entity = entity; self.key = key; self.op = op; self.operand = operand
    }
}

/// What a kind of search accepts: its attributes (text or numeric, and their aliases) and whether
/// metrics, parameters and tags can be named.
public struct SearchSchema: Sendable {
    /// Text attributes by the names a filter may use, mapped to the canonical name.
    public let textAttributes: [String: String]
    /// Numeric attributes (times, versions) by name, mapped to the canonical name.
    public let numericAttributes: [String: String]
    /// What may be named before the dot.
    public let entities: Set<SearchEntity>
    /// Whether `tags.x != 'v'` also matches a subject without the tag: so in MLflow's registry
    /// (its client filters prompts out with `tag.\`mlflow.prompt.is_prompt\` != 'true'`), not in run search.
    public var missingTagIsUnequal = false

    /// Runs: MLflow's run attributes, metrics, params and tags.
    public static let runs = SearchSchema(
        textAttributes: ["run_id": "run_id", "run_name": "run_name", "status": "status", "user_id": "user_id",
                         "artifact_uri": "artifact_uri", "lifecycle_stage": "lifecycle_stage"],
        numericAttributes: ["start_time": "start_time", "end_time": "end_time", "created": "start_time", "Created": "start_time"],
        entities: [.metric, .param, .tag, .attribute])
    /// Experiments: name, times and tags.
    public static let experiments = SearchSchema(
        textAttributes: ["name": "name", "experiment_id": "experiment_id", "lifecycle_stage": "lifecycle_stage"],
        numericAttributes: ["creation_time": "creation_time", "last_update_time": "last_update_time"],
        entities: [.tag, .attribute])
    /// Registered models: name and tags.
    public static let registeredModels = SearchSchema(
        textAttributes: ["name": "name"],
        numericAttributes: ["creation_timestamp": "creation_timestamp", "last_updated_timestamp": "last_updated_timestamp"],
        entities: [.tag, .attribute], missingTagIsUnequal: true)
    /// Model versions: model name, version, run, source, stage and tags.
    public static let modelVersions = SearchSchema(
        textAttributes: ["name": "name", "run_id": "run_id", "source_path": "source", "source": "source",
                         "current_stage": "current_stage"],
        numericAttributes: ["version_number": "version", "version": "version",
                            "creation_timestamp": "creation_timestamp", "last_updated_timestamp": "last_updated_timestamp"],
        entities: [.tag, .attribute], missingTagIsUnequal: true)
}

/// Parses and applies MLflow's search syntax: clauses joined by `AND`, each comparing a metric
/// (`metrics.acc > 0.9`), a parameter or tag (`params.model = 'svc'`, `tags.team LIKE 'ml%'`) or an
/// attribute (`attributes.status = 'FINISHED'`, `run_id IN ('a', 'b')`, `start_time >= 1700000000000`).
/// Keys with other characters are quoted with backticks or double quotes. Errors are
/// `INVALID_PARAMETER_VALUE` naming the place and the reason.
public struct SearchFilter: Sendable {
    /// The clauses, all of which must hold.
    public let clauses: [SearchClause]
    let missingTagIsUnequal: Bool

    public init(_ text: String?, schema: SearchSchema) throws {
        missingTagIsUnequal = schema.missingTagIsUnequal
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { clauses = []; return }
        var parser = try SearchParser(text)
        var out: [SearchClause] = []
        repeat {
            out.append(try parser.clause(schema: schema))
        } while parser.takeKeyword("AND")
        guard parser.atEnd else { throw parser.error("expected AND or the end of the filter") }
        clauses = out
    }

    /// Whether `lookup` (the subject's value for an entity and key, nil when it has none) passes every clause.
    public func matches(_ lookup: (SearchEntity, String) -> SearchValue?) -> Bool {
        clauses.allSatisfy { clause in
            guard let value = lookup(clause.entity, clause.key) else {
                return missingTagIsUnequal && clause.entity == .tag && clause.op == .ne
            }
            return Self.compare(value, clause)
        }
    }

    static func compare(_ value: SearchValue, _ clause: SearchClause) -> Bool {
        switch (value, clause.operand) {
        case (.number(let v), .number(let x)):
            switch clause.op {
            case .eq: return v == x
            case .ne: return v != x
            case .lt: return v < x
            case .le: return v <= x
            case .gt: return v > x
            case .ge: return v >= x
            default: return false
            }
        case (.string(let v), .string(let x)):
            switch clause.op {
            case .eq: return v == x
            case .ne: return v != x
            case .like: return likeMatch(Array(v.unicodeScalars), Array(x.unicodeScalars))
            case .ilike: return likeMatch(Array(v.lowercased().unicodeScalars), Array(x.lowercased().unicodeScalars))
            default: return false
            }
        case (.string(let v), .list(let xs)):
            return clause.op == .isIn ? xs.contains(v) : !xs.contains(v)
        case (.number(let v), .string(let x)):
            // A numeric attribute compared with a quoted number.
            guard let n = Double(x) else { return false }
            return compare(.number(v), SearchClause(entity: clause.entity, key: clause.key, op: clause.op, operand: .number(n)))
        default:
            return false
        }
    }

    /// SQL `LIKE`: `%` any run of characters, `_` one character (iterative, linear in practice).
    static func likeMatch(_ s: [Unicode.Scalar], _ p: [Unicode.Scalar]) -> Bool {
        var i = 0, j = 0, star = -1, mark = 0
        while i < s.count {
            if j < p.count, p[j] == "_" || (p[j] != "%" && p[j] == s[i]) {
                i += 1; j += 1
            } else if j < p.count, p[j] == "%" {
                star = j; mark = i; j += 1
            } else if star >= 0 {
                j = star + 1; mark += 1; i = mark
            } else {
                return false
            }
        }
        while j < p.count, p[j] == "%" { j += 1 }
        return j == p.count
    }
}

/// `order_by` items of MLflow's search calls: `metrics.rmse DESC`, `attributes.start_time`,
/// `params.lr ASC`, `name`.
public struct SearchOrder: Sendable, Equatable {
    /// What the key names: a metric, parameter, tag or attribute.
    public let entity: SearchEntity
    /// The key (an attribute's canonical name).
    public let key: String
    /// Largest first.
    public let descending: Bool

    public init(entity: SearchEntity, key: String, descending: Bool) {
        self.entity = entity; self.key = key; self.descending = descending
    }

    public init(_ text: String, schema: SearchSchema) throws {
        var parser = try SearchParser(text)
        let (entity, key) = try parser.identifier(schema: schema)
        var descending = false
        if parser.takeKeyword("DESC") { descending = true } else { _ = parser.takeKeyword("ASC") }
        guard parser.atEnd else { throw parser.error("expected ASC, DESC or the end of the order_by item") }
        self.init(entity: entity, key: key, descending: descending)
    }

    /// Sorts `items` by the orders in turn; a subject without the value goes after those with it,
    /// whatever the direction; `tieBreak` decides what remains equal.
    public static func sort<T>(_ items: [T], by orders: [SearchOrder], lookup: (T, SearchEntity, String) -> SearchValue?,
                               tieBreak: (T, T) -> Bool) -> [T] {
        items.sorted { a, b in
            for order in orders {
                let x = lookup(a, order.entity, order.key), y = lookup(b, order.entity, order.key)
                switch (x, y) {
                case (nil, nil): continue
                case (nil, _): return false
                case (_, nil): return true
                case (let x?, let y?):
                    if let less = Self.less(x, y) { return order.descending ? !less : less }
                }
            }
            return tieBreak(a, b)
        }
    }

    /// Whether x < y (nil when equal). NaN sorts after every number.
    static func less(_ x: SearchValue, _ y: SearchValue) -> Bool? {
        switch (x, y) {
        case (.number(let a), .number(let b)):
            if a.isNaN || b.isNaN { return a.isNaN == b.isNaN ? nil : b.isNaN }
            return a == b ? nil : a < b
        case (.string(let a), .string(let b)): return a == b ? nil : a < b
        case (.number, .string): return true
        case (.string, .number): return false
        }
    }
}

/// The tokens and grammar shared by filters and `order_by` items.
struct SearchParser {
    enum Token: Equatable {
        case word(String), string(String), quoted(String), backticked(String), number(Double)
        case op(String), open, close, comma
    }
    let source: String
    var tokens: [(token: Token, offset: Int)] = []
    var index = 0

    init(_ text: String) throws {
        source = text
        let chars = Array(text.unicodeScalars)
        guard chars.count <= 65_536 else { throw TrackingError.invalid("the search expression is longer than 65536 characters") }
        var i = 0
        func fail(_ reason: String, at offset: Int) -> TrackingError {
            TrackingError.invalid("invalid search expression '\(text)': \(reason) at character \(offset)")
        }
        while i < chars.count {
            let c = chars[i]
            let start = i
            if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
            if c == "'" || c == "\"" || c == "`" {
                var s = String.UnicodeScalarView()
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == c {
                        // A doubled quote inside a string stands for the quote itself.
                        if i + 1 < chars.count, chars[i + 1] == c { s.append(c); i += 2; continue }
                        closed = true; i += 1; break
                    }
                    s.append(chars[i]); i += 1
                }
                guard closed else { throw fail("unterminated \(c) quote", at: start) }
                let value = String(s)
                tokens.append((c == "'" ? .string(value) : c == "\"" ? .quoted(value) : .backticked(value), start))
                continue
            }
            if "=!<>".unicodeScalars.contains(c) {
                var op = String(c); i += 1
                if i < chars.count, chars[i] == "=" || (c == "<" && chars[i] == ">") { op.unicodeScalars.append(chars[i]); i += 1 }
                guard op != "!" else { throw fail("'!' must be followed by '='", at: start) }
                tokens.append((.op(op == "<>" ? "!=" : op == "==" ? "=" : op), start))
                continue
            }
            if c == "(" { tokens.append((.open, start)); i += 1; continue }
            if c == ")" { tokens.append((.close, start)); i += 1; continue }
            if c == "," { tokens.append((.comma, start)); i += 1; continue }
            let isDigit = { (u: Unicode.Scalar) in u >= "0" && u <= "9" }
            if isDigit(c) || ((c == "-" || c == "+" || c == ".") && i + 1 < chars.count && (isDigit(chars[i + 1]) || chars[i + 1] == ".")) {
                var s = String.UnicodeScalarView()
                while i < chars.count, isDigit(chars[i]) || "+-.eE".unicodeScalars.contains(chars[i]) {
                    // A sign only at the start or after an exponent.
                    if (chars[i] == "+" || chars[i] == "-"), !s.isEmpty, !(s.last == "e" || s.last == "E") { break }
                    s.append(chars[i]); i += 1
                }
                guard let n = Double(String(s)), n.isFinite else { throw fail("'\(String(s))' is not a number", at: start) }
                tokens.append((.number(n), start))
                continue
            }
            let isWord = { (u: Unicode.Scalar) in
                (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || isDigit(u) || u == "_" || u == "." || u == "-" || u == "/" || u == ":"
            }
            guard isWord(c) else { throw fail("unexpected character '\(c)'", at: start) }
            var s = String.UnicodeScalarView()
            while i < chars.count, isWord(chars[i]) { s.append(chars[i]); i += 1 }
            tokens.append((.word(String(s)), start))
        }
    }

    var atEnd: Bool { index >= tokens.count }

    func error(_ reason: String) -> TrackingError {
        let place = index < tokens.count ? "at character \(tokens[index].offset)" : "at the end"
        return TrackingError.invalid("invalid search expression '\(source)': \(reason) \(place)")
    }

    mutating func takeKeyword(_ keyword: String) -> Bool {
        guard index < tokens.count, case .word(let w) = tokens[index].token, w.uppercased() == keyword else { return false }
        index += 1
        return true
    }

    static let prefixes: [String: SearchEntity] = [
        "metric": .metric, "metrics": .metric, "param": .param, "params": .param, "parameter": .param, "parameters": .param,
        "tag": .tag, "tags": .tag, "attribute": .attribute, "attributes": .attribute, "attr": .attribute, "run": .attribute,
    ]

    /// `entity.key`, `entity."quoted key"`, or an attribute alone; attribute names resolve through
    /// the schema's aliases.
    mutating func identifier(schema: SearchSchema) throws -> (SearchEntity, String) {
        guard index < tokens.count else { throw error("expected an identifier") }
        let (entity, key): (SearchEntity, String)
        switch tokens[index].token {
        case .word(let w):
            index += 1
            if let dot = w.firstIndex(of: "."), let e = Self.prefixes[w[..<dot].lowercased()] {
                let rest = String(w[w.index(after: dot)...])
                if rest.isEmpty {
                    guard index < tokens.count else { throw error("expected a key after '\(w)'") }
                    switch tokens[index].token {
                    case .quoted(let q), .backticked(let q): index += 1; (entity, key) = (e, q)
                    default: throw error("expected a key after '\(w)'")
                    }
                } else {
                    (entity, key) = (e, rest)
                }
            } else {
                (entity, key) = (.attribute, w)
            }
        case .quoted(let q), .backticked(let q):
            index += 1; (entity, key) = (.attribute, q)
        default:
            throw error("expected an identifier")
        }
        guard schema.entities.contains(entity) else {
            throw TrackingError.invalid("invalid search expression '\(source)': \(entity.rawValue)s cannot be searched here")
        }
        if entity == .attribute {
            if let a = schema.textAttributes[key] ?? schema.numericAttributes[key] { return (.attribute, a) }
            let known = (Array(schema.textAttributes.keys) + Array(schema.numericAttributes.keys)).sorted().joined(separator: ", ")
            throw TrackingError.invalid("invalid search expression '\(source)': unknown attribute '\(key)' (known: \(known))")
        }
        guard !key.isEmpty else { throw error("empty key") }
        return (entity, key)
    }

    mutating func clause(schema: SearchSchema) throws -> SearchClause {
        let (entity, key) = try identifier(schema: schema)
        let numeric = entity == .metric || (entity == .attribute && schema.numericAttributes.values.contains(key))
        guard index < tokens.count else { throw error("expected a comparison after '\(key)'") }
        var op: SearchClause.Operator
        switch tokens[index].token {
        case .op(let o):
            index += 1
            op = SearchClause.Operator(rawValue: o)!
        case .word(let w) where ["LIKE", "ILIKE", "IN", "NOT"].contains(w.uppercased()):
            index += 1
            switch w.uppercased() {
            case "LIKE": op = .like
            case "ILIKE": op = .ilike
            case "IN": op = .isIn
            default:
                guard takeKeyword("IN") else { throw error("expected IN after NOT") }
                op = .notIn
            }
        default:
            throw error("expected a comparison operator")
        }
        let operand: SearchClause.Operand
        if op == .isIn || op == .notIn {
            guard entity == .attribute, !numeric else { throw TrackingError.invalid("invalid search expression '\(source)': IN applies to text attributes only, not '\(key)'") }
            guard index < tokens.count, tokens[index].token == .open else { throw error("expected '(' after IN") }
            index += 1
            var items: [String] = []
            while true {
                guard index < tokens.count else { throw error("unterminated list") }
                switch tokens[index].token {
                case .string(let s), .quoted(let s): items.append(s); index += 1
                default: throw error("expected a quoted string in the list")
                }
                guard index < tokens.count else { throw error("unterminated list") }
                if tokens[index].token == .comma { index += 1; continue }
                guard tokens[index].token == .close else { throw error("expected ',' or ')'") }
                index += 1
                break
            }
            operand = .list(items)
        } else {
            guard index < tokens.count else { throw error("expected a value") }
            switch tokens[index].token {
            case .number(let n):
                guard numeric else { throw error("'\(key)' is compared with text: quote the value") }
                operand = .number(n)
            case .string(let s), .quoted(let s):
                if numeric {
                    // MLflow accepts a quoted number for numeric attributes, never for metrics.
                    guard entity == .attribute, let n = Double(s) else { throw error("'\(key)' is numeric: compare it with a number") }
                    operand = .number(n)
                } else {
                    operand = .string(s)
                }
            default:
                throw error("expected a value")
            }
            index += 1
            if numeric {
                guard [.eq, .ne, .lt, .le, .gt, .ge].contains(op) else { throw TrackingError.invalid("invalid search expression '\(source)': \(op.rawValue) does not apply to the numeric '\(key)'") }
            } else {
                guard [.eq, .ne, .like, .ilike].contains(op) else { throw TrackingError.invalid("invalid search expression '\(source)': \(op.rawValue) does not apply to the text '\(key)' (use =, !=, LIKE or ILIKE)") }
            }
        }
        return SearchClause(entity: entity, key: key, op: op, operand: operand)
    }
}

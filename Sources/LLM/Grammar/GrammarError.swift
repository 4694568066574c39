/// Errors of constrained decoding: a GBNF grammar that cannot be parsed or compiled, a JSON schema
/// that cannot be turned into one, or a grammar that leaves no token to generate.
///
/// Positions are 1-based; columns count Unicode characters.
public enum GrammarError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The grammar text is malformed at `line`:`column` (a bad escape, a missing `::=`, an
    /// unterminated literal, nesting or repetition beyond the limits, …).
    case syntax(line: Int, column: Int, message: String)
    /// A rule is used but never defined (`line`:`column` of its first use).
    case undefinedRule(name: String, line: Int, column: Int)
    /// The grammar has no `root` rule.
    case missingRoot
    /// A rule can reach itself without consuming a character (`a ::= a "x"`), which a top-down
    /// matcher cannot run: the cycle of rule names.
    case leftRecursion(rules: [String])
    /// The grammar or schema is larger than `GrammarLimits` allow.
    case tooLarge(String)
    /// A JSON schema cannot be turned into a grammar: `path` is the JSON pointer of the schema
    /// node (`#/properties/name`), `message` what is wrong or unsupported (naming the keyword).
    case schema(path: String, message: String)
    /// During generation the grammar allows no token and cannot end here (the model's vocabulary
    /// cannot spell what the grammar needs, or the matcher's stack limit cut every path).
    case noTokenAllowed(afterText: String)

    /// The message, for people.
    public var description: String {
        switch self {
        case .syntax(let line, let column, let message): return "\(line):\(column): \(message)"
        case .undefinedRule(let name, let line, let column): return "\(line):\(column): rule '\(name)' is not defined"
        case .missingRoot: return "1:1: the grammar has no 'root' rule"
        case .leftRecursion(let rules):
            return "left recursion: \(rules.joined(separator: " → ")) (a rule reaches itself before consuming a character)"
        case .tooLarge(let what): return "grammar too large: \(what)"
        case .schema(let path, let message): return "JSON schema at \(path): \(message)"
        case .noTokenAllowed(let text): return "the grammar allows no token after \(text.debugDescription)"
        }
    }
}

/// Bounds that keep hostile grammars and schemas from exhausting time or memory.
public enum GrammarLimits {
    /// Largest grammar text, in bytes.
    public static let maxTextBytes = 1 << 20
    /// Deepest nesting of parentheses in a rule (and of a JSON schema).
    public static let maxNesting = 64
    /// Largest bound `m`, `n` in `{m,n}`.
    public static let maxRepetition = 1000
    /// Most elements (characters classes and rule references) after repetitions are expanded.
    public static let maxElements = 200_000
    /// Most rules, the generated ones (groups, repetitions) included.
    public static let maxRules = 50_000
    /// Most live stacks the matcher keeps; paths beyond are dropped (the grammar is too ambiguous).
    public static let maxStacks = 512
    /// Deepest stack (nesting of rules still open), bounding recursion such as `a ::= "(" a ")"`.
    public static let maxStackDepth = 1024
    /// Most expansion steps for one character (rule references followed without consuming).
    public static let maxExpansionSteps = 50_000
}

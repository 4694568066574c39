/// A context-free grammar over Unicode characters, compiled for the pushdown matcher
/// (`GrammarMatcher`) that constrains generation: llama.cpp's GBNF, parsed by `init(gbnf:)`, or a
/// JSON schema turned into GBNF by `JSONSchemaGrammar`.
///
/// Rules are lists of alternatives; an alternative is a sequence of elements, each a character
/// class or a reference to a rule. Groups and repetitions are rewritten into generated rules
/// (named `parent_N`, which a user's rule name cannot be) as llama.cpp does: `x*` becomes
/// `R ::= x R | ε`, `x+` is `x x*`, `x?` is `R ::= x | ε`, and `x{m,n}` is `m` copies of `x`
/// followed by `n − m` nested optional ones. The compiled form is flat: every alternative's
/// elements followed by an end marker in one array, so a matcher position is one integer.
public struct Grammar: Sendable {
    /// One position of the flat program.
    enum Element: Equatable, Sendable {
        /// Match one character of `classes[index]`.
        case chars(Int32)
        /// Match rule `index`.
        case ref(Int32)
        /// The end of an alternative.
        case end
    }

    /// The flat program and its character classes.
    let elements: [Element]
    let classes: [CharacterClass]
    /// For each rule, the position of each alternative's first element.
    let alternatives: [[Int32]]
    /// Every rule's name, by index (generated rules included).
    public let ruleNames: [String]
    /// The `root` rule.
    let root: Int32

    /// Parses and compiles GBNF text (llama.cpp's grammar format).
    /// - Throws: `GrammarError` with the line and column of the problem: a syntax error, an
    ///   undefined rule, no `root`, left recursion, or a grammar beyond `GrammarLimits`.
    public init(gbnf text: String) throws {
        self = try GBNFParser.parse(text)
    }

    init(elements: [Element], classes: [CharacterClass], alternatives: [[Int32]], ruleNames: [String], root: Int32) {
        self.elements = elements; self.classes = classes; self.alternatives = alternatives
        self.ruleNames = ruleNames; self.root = root
    }

    /// Number of rules (generated ones included).
    public var ruleCount: Int { alternatives.count }
}

/// Collects rules while a grammar is parsed, then checks and flattens them into a `Grammar`.
struct GrammarBuilder {
    /// A rule's body before flattening: alternatives of element sequences.
    var bodies: [[[Grammar.Element]]?] = []
    var names: [String] = []
    var ids: [String: Int32] = [:]
    var classes: [CharacterClass] = []
    var classIDs: [CharacterClass: Int32] = [:]
    /// Elements in all bodies so far (the size limit).
    var elementCount = 0
    /// Generated rules per parent name (for `parent_N`).
    var generatedCount: [String: Int] = [:]

    /// The id of the rule called `name`, creating an undefined one on first use.
    mutating func ruleID(_ name: String) throws -> Int32 {
        if let id = ids[name] { return id }
        guard names.count < GrammarLimits.maxRules else { throw GrammarError.tooLarge("more than \(GrammarLimits.maxRules) rules") }
        let id = Int32(names.count)
        names.append(name); bodies.append(nil); ids[name] = id
        return id
    }

    /// A new generated rule named after `parent`, with `body`.
    mutating func generatedRule(parent: String, body: [[Grammar.Element]]) throws -> Int32 {
        let n = generatedCount[parent, default: 0] + 1
        generatedCount[parent] = n
        let id = try ruleID("\(parent)_\(n)")
        try define(id, body)
        return id
    }

    /// Sets the body of rule `id` (counting its elements against the limit).
    mutating func define(_ id: Int32, _ body: [[Grammar.Element]]) throws {
        elementCount += body.reduce(1) { $0 + $1.count + 1 }
        guard elementCount <= GrammarLimits.maxElements else {
            throw GrammarError.tooLarge("more than \(GrammarLimits.maxElements) elements after expanding repetitions")
        }
        bodies[Int(id)] = body
    }

    /// Whether rule `id` has a body.
    func isDefined(_ id: Int32) -> Bool { bodies[Int(id)] != nil }

    /// The element matching one character of `c`.
    mutating func chars(_ c: CharacterClass) -> Grammar.Element {
        if let k = classIDs[c] { return .chars(k) }
        let k = Int32(classes.count)
        classes.append(c); classIDs[c] = k
        return .chars(k)
    }

    /// Checks `root` and left recursion and flattens. (Undefined rules are the parser's check,
    /// which knows where each was used.)
    func build() throws -> Grammar {
        guard let root = ids["root"], isDefined(root) else { throw GrammarError.missingRoot }
        let bodies = self.bodies.map { $0 ?? [] }
        if let cycle = Self.leftRecursion(bodies) { throw GrammarError.leftRecursion(rules: cycle.map { names[Int($0)] }) }
        var elements: [Grammar.Element] = []
        elements.reserveCapacity(elementCount)
        var alternatives: [[Int32]] = []
        alternatives.reserveCapacity(bodies.count)
        for body in bodies {
            var starts: [Int32] = []
            for alt in body {
                starts.append(Int32(elements.count))
                elements.append(contentsOf: alt)
                elements.append(.end)
            }
            alternatives.append(starts)
        }
        return Grammar(elements: elements, classes: classes, alternatives: alternatives, ruleNames: names, root: root)
    }

    /// A cycle of rules that reach themselves without consuming a character, or nil. Linear in
    /// the grammar's size and iterative (no recursion on hostile depth).
    static func leftRecursion(_ bodies: [[[Grammar.Element]]]) -> [Int32]? {
        let n = bodies.count
        // Nullable rules by a worklist: an alternative is nullable once all its references are.
        var nullable = [Bool](repeating: false, count: n)
        var pending: [[Int]] = []          // per rule, per alternative: references not yet nullable
        var users: [[(rule: Int, alt: Int)]] = Array(repeating: [], count: n)
        var queue: [Int] = []
        for (r, body) in bodies.enumerated() {
            var counts: [Int] = []
            for (a, alt) in body.enumerated() {
                var refs = 0, hasChars = false
                for e in alt {
                    switch e {
                    case .chars: hasChars = true
                    case .ref(let t): refs += 1; users[Int(t)].append((r, a))
                    case .end: break
                    }
                }
                counts.append(hasChars ? Int.max : refs)
                if !hasChars && refs == 0 && !nullable[r] { nullable[r] = true; queue.append(r) }
            }
            pending.append(counts)
        }
        while let t = queue.popLast() {
            for (r, a) in users[t] where pending[r][a] != Int.max {
                pending[r][a] -= 1
                if pending[r][a] == 0 && !nullable[r] { nullable[r] = true; queue.append(r) }
            }
        }
        // Edges A → B when B can come first in A; then a depth-first search for a back edge.
        var edges: [[Int32]] = Array(repeating: [], count: n)
        for (r, body) in bodies.enumerated() {
            for alt in body {
                for e in alt {
                    guard case .ref(let t) = e else { break }
                    edges[r].append(t)
                    if !nullable[Int(t)] { break }
                }
            }
        }
        var color = [UInt8](repeating: 0, count: n)   // 0 new, 1 on the path, 2 done
        for start in 0..<n where color[start] == 0 {
            var path: [(rule: Int, next: Int)] = [(start, 0)]
            color[start] = 1
            while let top = path.last {
                if top.next < edges[top.rule].count {
                    path[path.count - 1].next += 1
                    let t = Int(edges[top.rule][top.next])
                    if color[t] == 1 {
                        let from = path.firstIndex { $0.rule == t }!
                        return path[from...].map { Int32($0.rule) } + [Int32(t)]
                    }
                    if color[t] == 0 { color[t] = 1; path.append((t, 0)) }
                } else {
                    color[top.rule] = 2
                    path.removeLast()
                }
            }
        }
        return nil
    }
}

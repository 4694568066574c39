/// An incremental pushdown matcher for a `Grammar` over UTF-8 bytes, as llama.cpp's grammar
/// sampler works: the state is a set of stacks of program positions (the top is the character
/// class to match next, the rest are where to return when a rule ends), advanced one code point at
/// a time. Bytes of an incomplete character are held (`PartialUTF8`) and checked against the
/// classes that could still match, so input may be split anywhere, inside characters included.
///
/// Hostile grammars stay bounded: a step follows at most `GrammarLimits.maxExpansionSteps` rule
/// references, keeps at most `GrammarLimits.maxStacks` stacks and drops stacks deeper than
/// `GrammarLimits.maxStackDepth`. Dropping only removes parses, so what is accepted is always
/// in the language; `limitReached` tells when it happened.
public struct GrammarMatcher: Sendable {
    /// The grammar being matched.
    public let grammar: Grammar
    /// Live stacks, sorted (an empty stack: the root rule is complete).
    var stacks: [[Int32]]
    /// A character in progress.
    var partial = PartialUTF8.none
    /// Whether a limit cut some parse at some step.
    public private(set) var limitReached = false

    /// The matcher at the start of `grammar`'s root rule.
    public init(_ grammar: Grammar) {
        self.grammar = grammar
        var limited = false
        stacks = Self.expand(grammar, grammar.alternatives[Int(grammar.root)].map { [$0] }, limited: &limited)
        limitReached = limited
    }

    /// Whether the input so far is a complete sentence of the grammar.
    public var canEnd: Bool { partial.isEmpty && stacks.contains { $0.isEmpty } }

    /// Whether the input is complete and nothing more can follow.
    public var isComplete: Bool { partial.isEmpty && !stacks.isEmpty && stacks.allSatisfy { $0.isEmpty } }

    /// Feeds `bytes`; on rejection returns false and leaves the matcher unchanged.
    @discardableResult
    public mutating func accept<S: Sequence>(bytes: S) -> Bool where S.Element == UInt8 {
        var copy = self
        for b in bytes {
            guard copy.accept(byte: b) else { return false }
        }
        self = copy
        return true
    }

    /// Feeds the UTF-8 bytes of `text`; on rejection returns false and leaves the matcher unchanged.
    @discardableResult
    public mutating func accept(_ text: String) -> Bool { accept(bytes: text.utf8) }

    /// Whether the whole of `text` is a sentence of the grammar (from the start).
    public static func matches(_ grammar: Grammar, _ text: String) -> Bool {
        var m = GrammarMatcher(grammar)
        return m.accept(text) && m.canEnd
    }

    /// Feeds one byte (the matcher may be left changed on rejection; `accept(bytes:)` is atomic).
    mutating func accept(byte: UInt8) -> Bool {
        switch partial.step(byte) {
        case .invalid:
            return false
        case .partial(let p):
            guard Self.mayContinue(grammar, stacks, p) else { return false }
            partial = p
            return true
        case .codePoint(let c):
            var limited = false
            let next = Self.advance(grammar, stacks, c, limited: &limited)
            if limited { limitReached = true }
            guard !next.isEmpty else { return false }
            stacks = next
            partial = .none
            return true
        }
    }

    // MARK: - The stack machine (shared with the token filter)

    /// Whether a character in progress (`p`) may still match the top of some stack.
    static func mayContinue(_ g: Grammar, _ stacks: [[Int32]], _ p: PartialUTF8) -> Bool {
        let (lo, hi) = p.codePointRange
        for s in stacks {
            guard let top = s.last, case .chars(let k) = g.elements[Int(top)] else { continue }
            if g.classes[Int(k)].mayMatch(lo, hi) { return true }
        }
        return false
    }

    /// The stacks after matching code point `c`, sorted (empty: rejected).
    static func advance(_ g: Grammar, _ stacks: [[Int32]], _ c: UInt32, limited: inout Bool) -> [[Int32]] {
        var moved: [[Int32]] = []
        for s in stacks {
            guard let top = s.last, case .chars(let k) = g.elements[Int(top)], g.classes[Int(k)].matches(c) else { continue }
            var t = s
            t[t.count - 1] = top + 1
            moved.append(t)
        }
        return moved.isEmpty ? [] : expand(g, moved, limited: &limited)
    }

    /// Every stack reachable from `starts` by entering rules and leaving finished ones without
    /// consuming a character: tops are character classes (or the stack is empty). Iterative, with
    /// duplicates removed; deterministic (work order, then sorted).
    static func expand(_ g: Grammar, _ starts: [[Int32]], limited: inout Bool) -> [[Int32]] {
        var out: [[Int32]] = [], outSet = Set<[Int32]>(), seen = Set<[Int32]>()
        var work = Array(starts.reversed())
        var steps = 0
        while let s = work.popLast() {
            steps += 1
            if steps > GrammarLimits.maxExpansionSteps { limited = true; break }
            guard seen.insert(s).inserted else { continue }
            guard let top = s.last else {
                if outSet.insert(s).inserted { out.append(s) }
                continue
            }
            switch g.elements[Int(top)] {
            case .chars:
                guard out.count < GrammarLimits.maxStacks else { limited = true; continue }
                if outSet.insert(s).inserted { out.append(s) }
            case .end:
                var t = s
                t.removeLast()
                work.append(t)
            case .ref(let r):
                var base = s
                base.removeLast()
                // Return to the next element, unless the rule ends there (a tail call: right
                // recursion such as `x*` keeps the stack flat).
                if g.elements[Int(top) + 1] != .end { base.append(top + 1) }
                guard base.count < GrammarLimits.maxStackDepth else { limited = true; continue }
                for a in g.alternatives[Int(r)].reversed() {
                    var t = base
                    t.append(a)
                    work.append(t)
                }
            }
        }
        out.sort { $0.lexicographicallyPrecedes($1) }
        return out
    }
}

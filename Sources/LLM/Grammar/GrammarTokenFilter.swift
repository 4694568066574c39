/// Which tokens of a vocabulary a grammar allows next, for constrained generation.
///
/// The matcher's stack sets are interned as states of a lazily built automaton: a transition
/// (state, code point) is computed once by `GrammarMatcher.advance` and cached, and the allowed
/// token list of each (state, character in progress) is cached too, so a step inside a JSON
/// string, say, costs one dictionary lookup after the first time. A cache miss walks the
/// vocabulary's byte trie depth-first, pruning every token under a rejected prefix.
/// Caches are cleared when they pass their bounds. Not thread-safe: one filter per generation.
final class GrammarTokenFilter {
    let grammar: Grammar
    let trie: TokenTrie
    /// Each token's bytes (empty for control tokens, which the grammar never allows).
    let tokenBytes: [[UInt8]]

    /// Interned stack sets.
    private var states: [[[Int32]]] = []
    private var stateIDs: [[[Int32]]: Int32] = [:]
    /// (state << 21 | code point) → next state, or -1.
    private var transitions: [UInt64: Int32] = [:]
    /// (state << 32 | partial.packed) → allowed token ids.
    private var allowedCache: [UInt64: [Int32]] = [:]
    /// (state << 32 | partial.packed) → whether the character in progress may still match.
    private var viableCache: [UInt64: Bool] = [:]
    /// Cache bounds.
    static let maxStates = 20_000, maxAllowedLists = 2_000

    /// The current state and character in progress; the text accepted so far.
    private var current: Int32 = 0
    private var partial = PartialUTF8.none
    private(set) var acceptedBytes: [UInt8] = []
    /// Whether a matcher limit cut parses at some step.
    private(set) var limitReached = false

    /// A filter at the start of `grammar`, over `tokenBytes` (id → raw bytes).
    init(grammar: Grammar, tokenBytes: [[UInt8]], trie: TokenTrie? = nil) {
        self.grammar = grammar
        self.tokenBytes = tokenBytes
        self.trie = trie ?? TokenTrie(tokens: tokenBytes)
        let start = GrammarMatcher(grammar)
        limitReached = start.limitReached
        current = intern(start.stacks)
    }

    private func intern(_ stacks: [[Int32]]) -> Int32 {
        if let id = stateIDs[stacks] { return id }
        let id = Int32(states.count)
        states.append(stacks); stateIDs[stacks] = id
        return id
    }

    private func next(_ state: Int32, _ c: UInt32) -> Int32 {
        let key = UInt64(UInt32(bitPattern: state)) << 21 | UInt64(c)
        if let t = transitions[key] { return t }
        var limited = false
        let stacks = GrammarMatcher.advance(grammar, states[Int(state)], c, limited: &limited)
        if limited { limitReached = true }
        let t = stacks.isEmpty ? -1 : intern(stacks)
        transitions[key] = t
        return t
    }

    private func viable(_ state: Int32, _ p: PartialUTF8) -> Bool {
        let key = UInt64(UInt32(bitPattern: state)) << 32 | UInt64(p.packed)
        if let v = viableCache[key] { return v }
        let v = GrammarMatcher.mayContinue(grammar, states[Int(state)], p)
        viableCache[key] = v
        return v
    }

    /// One byte from (state, partial): the new pair, or nil when rejected.
    private func step(_ state: Int32, _ p: PartialUTF8, _ b: UInt8) -> (Int32, PartialUTF8)? {
        switch p.step(b) {
        case .invalid: return nil
        case .partial(let q): return viable(state, q) ? (state, q) : nil
        case .codePoint(let c):
            let t = next(state, c)
            return t < 0 ? nil : (t, .none)
        }
    }

    /// Whether the text so far is a complete sentence (end-of-text may be generated).
    var canEnd: Bool { partial.isEmpty && states[Int(current)].contains { $0.isEmpty } }

    /// Whether the text is complete and nothing more can follow.
    var isComplete: Bool { partial.isEmpty && states[Int(current)].allSatisfy { $0.isEmpty } }

    /// The ids of the tokens the grammar accepts next (ascending order not guaranteed).
    func allowedTokens() -> [Int32] {
        if states.count > Self.maxStates { resetCaches() }
        if allowedCache.count > Self.maxAllowedLists { allowedCache.removeAll(keepingCapacity: true) }
        let key = UInt64(UInt32(bitPattern: current)) << 32 | UInt64(partial.packed)
        if let list = allowedCache[key] { return list }
        var result: [Int32] = []
        var work: [(node: Int32, state: Int32, partial: PartialUTF8)] = []
        let root = (node: Int32(0), state: current, partial: partial)
        work.append(root)
        while let (node, state, p) = work.popLast() {
            let n = Int(node)
            if n != 0 { result.append(contentsOf: trie.tokenIDs[Int(trie.firstToken[n])..<Int(trie.firstToken[n + 1])]) }
            for e in Int(trie.firstEdge[n])..<Int(trie.firstEdge[n + 1]) {
                if let (s, q) = step(state, p, trie.edgeBytes[e]) { work.append((trie.edgeChild[e], s, q)) }
            }
        }
        allowedCache[key] = result
        return result
    }

    /// Advances past `token`'s bytes; false (and no change) when the grammar rejects them.
    @discardableResult
    func accept(token: Int) -> Bool {
        guard token >= 0, token < tokenBytes.count, !tokenBytes[token].isEmpty else { return false }
        var state = current, p = partial
        for b in tokenBytes[token] {
            guard let (s, q) = step(state, p, b) else { return false }
            (state, p) = (s, q)
        }
        current = state; partial = p
        acceptedBytes.append(contentsOf: tokenBytes[token])
        return true
    }

    /// Sets every logit the grammar forbids to −∞; the `endIDs` stay only when the grammar can end.
    /// Returns how many tokens remain allowed.
    func mask(_ logits: inout [Float], endIDs: [Int]) -> Int {
        let allowed = allowedTokens()
        var masked = [Float](repeating: -.infinity, count: logits.count)
        var count = 0
        for id in allowed where Int(id) < logits.count { masked[Int(id)] = logits[Int(id)]; count += 1 }
        if canEnd { for id in endIDs where id >= 0 && id < logits.count { masked[id] = logits[id]; count += 1 } }
        logits = masked
        return count
    }

    /// Drops the caches, keeping the current state.
    private func resetCaches() {
        let stacks = states[Int(current)]
        states.removeAll(); stateIDs.removeAll(); transitions.removeAll()
        allowedCache.removeAll(); viableCache.removeAll()
        current = intern(stacks)
    }
}

extension GrammarTokenFilter {
    /// A filter over `tokenizer`'s vocabulary: each token's raw bytes, control tokens and the
    /// end-of-generation ids excluded (those are allowed only through `mask`'s `endIDs`).
    convenience init(grammar: Grammar, tokenizer: GGUFTokenizer) {
        var bytes = (0..<tokenizer.vocabularySize).map { tokenizer.pieceBytes($0, skipSpecial: true) }
        for id in [tokenizer.eosID, tokenizer.eotID].compactMap({ $0 }) { bytes[id] = [] }
        self.init(grammar: grammar, tokenBytes: bytes)
    }
}

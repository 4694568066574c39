import Foundation

/// The byte-pair-encoding model: a vocabulary of tokens and the ordered list of merges learned in
/// training (Sennrich et al., 2016). A word starts as a sequence of single-symbol tokens; the
/// adjacent pair with the lowest merge rank is replaced by its merged token, again and again,
/// until no adjacent pair has a merge. (Leftmost first among equal ranks, as Hugging Face.)
public struct BPEModel: Sendable {
    /// Token → id.
    public let vocabulary: [String: Int]
    /// Id → token (`""` for ids no token has).
    public let tokens: [String]
    /// Merges in rank order: `merges[r]` is applied before `merges[r + 1]`.
    public let merges: [(String, String)]
    /// The token for symbols missing from the vocabulary; `nil` drops them (Hugging Face's default).
    public let unknownToken: String?
    /// Prefix of tokens that continue a word (`nil` for byte-level BPE; `"##"` in some models).
    public let continuingSubwordPrefix: String?
    /// Suffix of tokens that end a word (`"</w>"` in the original subword-nmt models).
    public let endOfWordSuffix: String?
    /// Merge consecutive unknown symbols into one unknown token.
    public let fuseUnknown: Bool
    /// Emit a word that is itself in the vocabulary directly, without merging (Llama 3's setting).
    public let ignoreMerges: Bool

    /// How far ids may run past the vocabulary's size (unused ids between tokens).
    public static let idGapLimit = 65_536

    /// `(left id, right id)` packed into 64 bits → `(rank, merged id)`.
    let mergeTable: [UInt64: (rank: Int32, id: Int32)]

    /// Creates a model.
    /// - Throws: `NLPError.invalidTokenizerFile` when a merge uses a token missing from the
    ///   vocabulary, its result is missing, or ids are negative or repeated.
    public init(vocabulary: [String: Int], merges: [(String, String)], unknownToken: String? = nil,
                continuingSubwordPrefix: String? = nil, endOfWordSuffix: String? = nil,
                fuseUnknown: Bool = false, ignoreMerges: Bool = false) throws {
        // The id table is sized by the largest id: bound it by the vocabulary (gaps allowed, up to
        // `idGapLimit`), so a file claiming id 10^9 is refused instead of allocating gigabytes.
        let largest = vocabulary.values.max() ?? -1
        guard largest < vocabulary.count + Self.idGapLimit else {
            throw NLPError.invalidTokenizerFile("vocabulary id \(largest) is far beyond its \(vocabulary.count) tokens (ids must stay below \(vocabulary.count + Self.idGapLimit))")
        }
        var tokens = [String](repeating: "", count: largest + 1)
        for (t, id) in vocabulary {
            guard id >= 0 else { throw NLPError.invalidTokenizerFile("token '\(t)' has negative id \(id)") }
            guard tokens[id].isEmpty else { throw NLPError.invalidTokenizerFile("id \(id) is given to both '\(tokens[id])' and '\(t)'") }
            tokens[id] = t
        }
        var table: [UInt64: (rank: Int32, id: Int32)] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (a, b)) in merges.enumerated() {
            guard let ia = vocabulary[a], let ib = vocabulary[b] else {
                throw NLPError.invalidTokenizerFile("merge \(rank) ('\(a)', '\(b)') uses a token missing from the vocabulary")
            }
            let merged = a + (continuingSubwordPrefix.flatMap { b.removingSubwordPrefix($0) } ?? b)
            guard let im = vocabulary[merged] else {
                throw NLPError.invalidTokenizerFile("merge \(rank) ('\(a)', '\(b)') gives '\(merged)', missing from the vocabulary")
            }
            let key = UInt64(UInt32(ia)) << 32 | UInt64(UInt32(ib))
            table[key] = (Int32(rank), Int32(im))   // a repeated merge keeps its last rank, as Hugging Face
        }
        if let u = unknownToken, vocabulary[u] == nil {
            throw NLPError.invalidTokenizerFile("unknown token '\(u)' is not in the vocabulary")
        }
        self.vocabulary = vocabulary
        self.tokens = tokens
        self.merges = merges
        self.unknownToken = unknownToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.fuseUnknown = fuseUnknown
        self.ignoreMerges = ignoreMerges
        self.mergeTable = table
    }

    /// Applies the merges to a sequence of symbol ids in place (the reference loop: scan for the
    /// lowest-ranked adjacent pair, merge it, repeat).
    func merge(_ symbols: inout [Int32]) {
        guard symbols.count > 1 else { return }
        while true {
            var bestRank = Int32.max, bestAt = -1, bestId: Int32 = 0
            for i in 0..<(symbols.count - 1) {
                let key = UInt64(UInt32(bitPattern: symbols[i])) << 32 | UInt64(UInt32(bitPattern: symbols[i + 1]))
                if let m = mergeTable[key], m.rank < bestRank { bestRank = m.rank; bestAt = i; bestId = m.id }
            }
            if bestAt < 0 { return }
            symbols[bestAt] = bestId
            symbols.remove(at: bestAt + 1)
            if symbols.count == 1 { return }
        }
    }

    /// Token ids of one pre-tokenized word, starting from its characters (Unicode scalars), with
    /// the continuing-subword prefix and end-of-word suffix applied to the initial symbols.
    public func tokenize(word: String) -> [Int] {
        if ignoreMerges, let id = vocabulary[word] { return [id] }
        let scalars = Array(word.unicodeScalars)
        var symbols: [Int32] = []
        let unk = unknownToken.flatMap { vocabulary[$0] }
        var previousUnknown = false
        for (k, s) in scalars.enumerated() {
            var piece = String(s)
            if k > 0, let p = continuingSubwordPrefix { piece = p + piece }
            if k == scalars.count - 1, let e = endOfWordSuffix { piece += e }
            if let id = vocabulary[piece] {
                symbols.append(Int32(id)); previousUnknown = false
            } else if let unk {
                if !(fuseUnknown && previousUnknown) { symbols.append(Int32(unk)) }
                previousUnknown = true
            }
        }
        merge(&symbols)
        return symbols.map(Int.init)
    }
}

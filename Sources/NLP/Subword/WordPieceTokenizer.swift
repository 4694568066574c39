import Foundation
import SwiftLearnCore

/// BERT's WordPiece tokenizer: `BertNormalizer` clean-up and splitting, then each word is cut into
/// the longest vocabulary pieces from the left, pieces after the first carrying the `##` prefix.
/// A word with a part no piece matches, or longer than `maxInputCharactersPerWord`, becomes `[UNK]`.
///
/// ```swift
/// let wp = try WordPieceTokenizer(vocabularyFile: url)            // a BERT vocab.txt
/// wp.encode("Tokenization!")   // [CLS] token ##ization ! [SEP] → [101, 19204, 3989, 999, 102]
/// ```
public final class WordPieceTokenizer: @unchecked Sendable {
    /// Token → id.
    public let vocabulary: [String: Int]
    /// Id → token.
    public let tokens: [String]
    /// The token for words that cannot be split (default `[UNK]`).
    public let unknownToken: String
    /// Prefix of pieces that continue a word (default `##`).
    public let continuingSubwordPrefix: String
    /// Longer words (in Unicode scalars) become `unknownToken` (default 100).
    public let maxInputCharactersPerWord: Int
    /// Text clean-up before splitting.
    public let normalizer: BertNormalizer
    /// Tokens added outside the vocabulary, matched in raw text first (e.g. `[CLS]`).
    public let addedTokens: [AddedToken]
    /// Add `[CLS]` … `[SEP]` around the ids in `encode` (when both tokens exist; default `true`).
    public let addSpecialTokens: Bool

    let matcher: AddedTokenMatcher
    private let firstPieces: ByteSequenceTable
    private let nextPieces: ByteSequenceTable
    let unknownId: Int32
    let clsId: Int?, sepId: Int?

    /// Creates a tokenizer from a vocabulary list (line `i` = token with id `i`).
    /// - Throws: `NLPError.invalidTokenizerFile` for an empty vocabulary, repeated tokens or a
    ///   missing unknown token; `NLPError.invalidParameter` for a non-positive word limit.
    public init(tokens: [String], unknownToken: String = "[UNK]", continuingSubwordPrefix: String = "##",
                maxInputCharactersPerWord: Int = 100, normalizer: BertNormalizer = BertNormalizer(),
                addedTokens: [AddedToken]? = nil, addSpecialTokens: Bool = true) throws {
        guard !tokens.isEmpty else { throw NLPError.invalidTokenizerFile("the WordPiece vocabulary is empty") }
        guard maxInputCharactersPerWord > 0 else {
            throw NLPError.invalidParameter(name: "maxInputCharactersPerWord", value: "\(maxInputCharactersPerWord)", expected: "a positive integer")
        }
        var vocab: [String: Int] = [:]
        var first = ByteSequenceTable(capacity: tokens.count), next = ByteSequenceTable(capacity: tokens.count)
        for (i, t) in tokens.enumerated() {
            guard first.find(Array(t.utf8)) == nil else {
                throw NLPError.invalidTokenizerFile("token '\(t)' appears twice in the vocabulary (lines \(vocab[t].map { $0 + 1 } ?? 0) and \(i + 1))")
            }
            vocab[t] = i
            first.insert(Array(t.utf8), Int32(i))
            if let rest = t.removingSubwordPrefix(continuingSubwordPrefix), !rest.isEmpty { next.insert(Array(rest.utf8), Int32(i)) }
        }
        guard let unk = first.find(Array(unknownToken.utf8)) else {
            throw NLPError.invalidTokenizerFile("the unknown token '\(unknownToken)' is not in the vocabulary")
        }
        self.vocabulary = vocab
        self.tokens = tokens
        self.unknownToken = unknownToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharactersPerWord = maxInputCharactersPerWord
        self.normalizer = normalizer
        let specials = addedTokens ?? ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { t in
            first.find(Array(t.utf8)).map { AddedToken(content: t, id: Int($0)) }
        }
        self.addedTokens = specials
        self.addSpecialTokens = addSpecialTokens
        matcher = AddedTokenMatcher(specials)
        firstPieces = first
        nextPieces = next
        unknownId = unk
        clsId = first.find(Array("[CLS]".utf8)).map(Int.init)
        sepId = first.find(Array("[SEP]".utf8)).map(Int.init)
    }

    /// Loads a BERT `vocab.txt` (one token per line).
    /// - Throws: `NLPError.fileError` when it cannot be read, `invalidTokenizerFile` as `init(tokens:)`.
    public convenience init(vocabularyFile url: URL, normalizer: BertNormalizer = BertNormalizer(), addSpecialTokens: Bool = true) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw NLPError.fileError(path: url.path, reason: "cannot read the vocabulary (\(readableReason(error)))")
        }
        do { try self.init(vocabularyText: text, normalizer: normalizer, addSpecialTokens: addSpecialTokens) } catch NLPError.invalidTokenizerFile(let m) {
            throw NLPError.invalidTokenizerFile("\(url.path): \(m)")
        }
    }

    /// A tokenizer from the text of a BERT `vocab.txt` (line `i` = token `i`; `\r\n` endings and a
    /// final newline allowed). - Throws: as `init(tokens:)`.
    public convenience init(vocabularyText text: String, normalizer: BertNormalizer = BertNormalizer(), addSpecialTokens: Bool = true) throws {
        // Split at "\n" code points: as Characters, "\r\n" is one and a CRLF file would be one line.
        try self.init(tokens: TextLines.split(text), normalizer: normalizer, addSpecialTokens: addSpecialTokens)
    }

    // MARK: - Encoding

    /// The ids of `text`, with `[CLS]`/`[SEP]` around them when `addSpecialTokens`.
    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        if addSpecialTokens, let c = clsId { ids.append(c) }
        encodeWithoutSpecialTokens(text) { ids.append(Int($0)) }
        if addSpecialTokens, let s = sepId { ids.append(s) }
        return ids
    }

    /// The ids and token strings of `text` (with special tokens as `encode`).
    public func encodeWithTokens(_ text: String) -> (ids: [Int], tokens: [String]) {
        let ids = encode(text)
        return (ids, ids.map { tokens[$0] })
    }

    /// Calls `emit` with each id of `text`: added tokens found in the raw text, then WordPiece
    /// pieces of the normalized, pre-tokenized rest.
    public func encodeWithoutSpecialTokens(_ text: String, _ emit: (Int32) -> Void) {
        var t = text
        t.withUTF8 { buf in
            for piece in matcher.split(buf) {
                switch piece {
                case .token(let k): emit(Int32(matcher.tokens[k].id))
                case .text(let r):
                    let slice = UnsafeBufferPointer(rebasing: buf[r])
                    if slice.allSatisfy({ $0 < 0x80 }) { encodeASCII(slice, emit); continue }
                    let normalized = normalizer.normalize(String(decoding: slice, as: UTF8.self))
                    for word in BertNormalizer.preTokenize(normalized) { tokenize(word: word, emit) }
                }
            }
        }
    }

    /// WordPiece pieces of one word: greedy longest match from the left.
    public func tokenize(word: Substring, _ emit: (Int32) -> Void) {
        var w = String(word)
        let n = w.unicodeScalars.count
        w.withUTF8 { tokenize(bytes: UnsafeRawBufferPointer($0), scalarCount: n, emit) }
    }

    /// The fast path for ASCII text: clean-up, lowercasing and splitting done on bytes, with the
    /// same result as `normalizer` + `BertNormalizer.preTokenize` (no accents or CJK in ASCII).
    private func encodeASCII(_ p: UnsafeBufferPointer<UInt8>, _ emit: (Int32) -> Void) {
        var word: [UInt8] = []
        word.reserveCapacity(32)
        func flush() {
            if !word.isEmpty { word.withUnsafeBytes { tokenize(bytes: $0, scalarCount: word.count, emit) }; word.removeAll(keepingCapacity: true) }
        }
        let clean = normalizer.cleanText, lower = normalizer.lowercase
        for var b in p {
            if b < 0x20 || b == 0x7F {
                let isSpace = b == 0x09 || b == 0x0A || b == 0x0D
                if clean && !isSpace { continue }               // control character removed
                if isSpace || b == 0x0B || b == 0x0C { flush(); continue }
            }
            if b == 0x20 { flush(); continue }
            if CharacterClass.isBertPunctuation(Unicode.Scalar(b)) {
                flush()
                withUnsafeBytes(of: b) { tokenize(bytes: $0, scalarCount: 1, emit) }
                continue
            }
            if lower && b >= 0x41 && b <= 0x5A { b += 0x20 }
            word.append(b)
        }
        flush()
    }

    /// Greedy longest-match-first over the UTF-8 bytes of one word (`scalarCount` scalars).
    func tokenize(bytes p: UnsafeRawBufferPointer, scalarCount: Int, _ emit: (Int32) -> Void) {
        if scalarCount > maxInputCharactersPerWord { emit(unknownId); return }
        var pieces: [Int32] = []
        var start = 0
        while start < p.count {
            var end = p.count
            var found: Int32? = nil
            while start < end {
                let slice = UnsafeRawBufferPointer(rebasing: p[start..<end])
                if let id = start == 0 ? firstPieces.find(slice) : nextPieces.find(slice) { found = id; break }
                end -= 1
                while end > start, p[end] & 0xC0 == 0x80 { end -= 1 }
            }
            guard let id = found else { emit(unknownId); return }
            pieces.append(id)
            start = end
        }
        pieces.forEach(emit)
    }

    // MARK: - Decoding

    /// The text of `ids`: pieces joined by spaces, `##` continuations glued to the previous piece,
    /// special tokens skipped by default. With `cleanUpSpaces`, Hugging Face's clean-up runs on each
    /// piece with its leading space (so `" ."` becomes `"."`), as its WordPiece decoder does.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true, cleanUpSpaces: Bool = true) -> String {
        let special = Set(addedTokens.filter(\.special).map(\.id))
        var out = ""
        var first = true
        for id in ids where id >= 0 && id < tokens.count {
            if skipSpecialTokens && special.contains(id) { continue }
            let t = tokens[id]
            var piece: String
            if let rest = t.removingSubwordPrefix(continuingSubwordPrefix) { piece = rest }
            else { piece = first ? t : " " + t }
            if cleanUpSpaces { piece = Self.cleanUp(piece) }
            out += piece
            first = false
        }
        return out
    }

    /// Hugging Face's `cleanup` of decoded text: no space before `. ? ! ,` and English contractions.
    static func cleanUp(_ s: String) -> String {
        var r = s
        for (a, b) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                       (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            r = r.replacingOccurrences(of: a, with: b)
        }
        return r
    }
}

import Foundation

/// A GPT-2-style byte-level BPE tokenizer: text → UTF-8 bytes → GPT-2 pre-tokenization → BPE
/// merges over byte symbols → ids; and back. Any UTF-8 string round-trips exactly.
///
/// Train one with `BPETokenizer.train(corpus:vocabularySize:)`, or load Hugging Face's
/// `tokenizer.json` through `HFTokenizer`. Encoding is single-threaded and fast: a hand-written
/// pre-tokenizer, merge ranks keyed by packed id pairs, and a cache of words already encoded.
///
/// ```swift
/// let bpe = try BPETokenizer.train(corpus: lines, vocabularySize: 1000, specialTokens: ["<|endoftext|>"])
/// let ids = bpe.encode("Hello wörld 🙂")
/// bpe.decode(ids) == "Hello wörld 🙂"   // true
/// ```
public final class BPETokenizer: @unchecked Sendable {
    /// The BPE model (vocabulary of byte-level strings and merges).
    public let model: BPEModel
    /// Tokens added outside the model (special tokens), matched in raw text before encoding.
    public let addedTokens: [AddedToken]
    /// Add a space before text that does not start with one, so the first word is encoded like the
    /// others (Hugging Face's `add_prefix_space`; GPT-2 uses `false`).
    public let addPrefixSpace: Bool
    /// Isolate every `\p{N}` character before the GPT-2 pre-tokenizer runs (Hugging Face's
    /// `Digits(individual_digits=True)` step, llama.cpp's `smollm` pre-tokenizer): `" 123"` becomes
    /// `" "`, `"1"`, `"2"`, `"3"` rather than `" 123"`.
    public let splitDigits: Bool

    let matcher: AddedTokenMatcher
    /// Model id of each byte's symbol, -1 when the vocabulary lacks it.
    let byteIds: [Int32]
    private let addedById: [Int: AddedToken]
    private let lock = NSLock()
    private var cache = ByteSequenceTable(capacity: 4096)
    private var cacheStart: [Int32] = []
    private var cacheIds: [Int32] = []
    /// Words kept in the cache before it is cleared.
    public let cacheCapacity: Int

    /// Creates a tokenizer from a BPE model over byte-level symbols.
    public init(model: BPEModel, addedTokens: [AddedToken] = [], addPrefixSpace: Bool = false, splitDigits: Bool = false,
                cacheCapacity: Int = 100_000) {
        self.model = model
        self.addedTokens = addedTokens
        self.addPrefixSpace = addPrefixSpace
        self.splitDigits = splitDigits
        self.cacheCapacity = cacheCapacity
        matcher = AddedTokenMatcher(addedTokens)
        byteIds = ByteLevel.byteToCharacter.map { c in model.vocabulary[String(c)].map(Int32.init) ?? -1 }
        addedById = Dictionary(addedTokens.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Number of ids (model vocabulary and added tokens).
    public var vocabularySize: Int { max(model.tokens.count, (addedTokens.map(\.id).max() ?? -1) + 1) }

    /// The id of a token string (model token in byte-level form, or added token content).
    public func id(of token: String) -> Int? {
        addedTokens.first { $0.content == token }?.id ?? model.vocabulary[token]
    }

    /// The token string of an id (byte-level form for model tokens).
    public func token(of id: Int) -> String? {
        if let a = addedById[id] { return a.content }
        return id >= 0 && id < model.tokens.count && !model.tokens[id].isEmpty ? model.tokens[id] : nil
    }

    // MARK: - Encoding

    /// The ids of `text`.
    public func encode(_ text: String) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(text.utf8.count / 3 + 4)
        encode(text) { out.append(Int($0)) }
        return out
    }

    /// The ids and token strings of `text`.
    public func encodeWithTokens(_ text: String) -> (ids: [Int], tokens: [String]) {
        let ids = encode(text)
        return (ids, ids.map { token(of: $0) ?? "" })
    }

    /// The ids of each text.
    public func encode(batch texts: [String]) -> [[Int]] { texts.map { encode($0) } }

    /// Calls `emit` with each id of `text` (no array is built).
    public func encode(_ text: String, _ emit: (Int32) -> Void) {
        var t = text
        if addPrefixSpace, matcher.isEmpty, let first = t.utf8.first, first != 0x20 { t = " " + t }
        lock.lock()
        defer { lock.unlock() }
        t.withUTF8 { buf in
            for piece in matcher.split(buf) {
                switch piece {
                case .token(let k): emit(Int32(matcher.tokens[k].id))
                case .text(let r):
                    var slice = UnsafeBufferPointer(rebasing: buf[r])
                    if addPrefixSpace && !matcher.isEmpty && slice.first != 0x20 {
                        var spaced: [UInt8] = [0x20]
                        spaced.append(contentsOf: slice)
                        spaced.withUnsafeBufferPointer { encodeText($0, emit) }
                        continue
                    }
                    encodeText(slice, emit)
                    slice = UnsafeBufferPointer(start: nil, count: 0)
                }
            }
        }
    }

    /// Pre-tokenizes and encodes plain text (no added tokens inside).
    private func encodeText(_ p: UnsafeBufferPointer<UInt8>, _ emit: (Int32) -> Void) {
        let raw = UnsafeRawBufferPointer(p)
        guard splitDigits else {
            PreTokenizer.scan(p) { start, end in encodeWord(UnsafeRawBufferPointer(rebasing: raw[start..<end]), emit) }
            return
        }
        PreTokenizer.splitNumbers(p) { start, end, isNumber in
            if isNumber { encodeWord(UnsafeRawBufferPointer(rebasing: raw[start..<end]), emit); return }
            let piece = UnsafeBufferPointer(rebasing: p[start..<end])
            PreTokenizer.scan(piece) { s, e in encodeWord(UnsafeRawBufferPointer(rebasing: raw[(start + s)..<(start + e)]), emit) }
        }
    }

    /// Encodes one pre-token through the cache.
    @inline(__always)
    private func encodeWord(_ word: UnsafeRawBufferPointer, _ emit: (Int32) -> Void) {
        if word.count == 1 {
            let id = byteIds[Int(word[0])]
            if id >= 0 { emit(id) } else { emitUnknown(1, emit) }
            return
        }
        if let e = cache.find(word) {
            let s = Int(cacheStart[Int(e)]), t = Int(cacheStart[Int(e) + 1])
            cacheIds.withUnsafeBufferPointer { ids in for k in s..<t { emit(ids[k]) } }
            return
        }
        let ids = mergeWord(word)
        if cache.count >= cacheCapacity {
            cache.removeAll(); cacheStart.removeAll(keepingCapacity: true); cacheIds.removeAll(keepingCapacity: true)
        }
        if cacheStart.isEmpty { cacheStart.append(0) }
        cache.insert(word, Int32(cacheStart.count - 1))
        cacheIds.append(contentsOf: ids)
        cacheStart.append(Int32(cacheIds.count))
        ids.forEach(emit)
    }

    private func emitUnknown(_ count: Int, _ emit: (Int32) -> Void) {
        guard let u = model.unknownToken, let id = model.vocabulary[u] else { return }
        if model.fuseUnknown { emit(Int32(id)) } else { for _ in 0..<count { emit(Int32(id)) } }
    }

    /// BPE merges of one word's bytes (the uncached path).
    func mergeWord(_ word: UnsafeRawBufferPointer) -> [Int32] {
        if model.ignoreMerges, let id = model.vocabulary[ByteLevel.encode(word)] { return [Int32(id)] }
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        let unk = model.unknownToken.flatMap { model.vocabulary[$0] }.map(Int32.init)
        var previousUnknown = false
        for b in word {
            let id = byteIds[Int(b)]
            if id >= 0 { symbols.append(id); previousUnknown = false }
            else if let unk {
                if !(model.fuseUnknown && previousUnknown) { symbols.append(unk) }
                previousUnknown = true
            }
        }
        model.merge(&symbols)
        return symbols
    }

    // MARK: - Decoding

    /// The text of `ids`: the bytes of every token concatenated and read as UTF-8 (invalid
    /// sequences, possible when decoding a slice of ids, become U+FFFD).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        String(decoding: decodeBytes(ids, skipSpecialTokens: skipSpecialTokens), as: UTF8.self)
    }

    /// The raw bytes of `ids` (unknown ids are skipped).
    public func decodeBytes(_ ids: [Int], skipSpecialTokens: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids {
            if let a = addedById[id] {
                if !(skipSpecialTokens && a.special) { out.append(contentsOf: a.content.utf8) }
                continue
            }
            guard id >= 0, id < model.tokens.count else { continue }
            for s in model.tokens[id].unicodeScalars {
                if let b = ByteLevel.characterToByte[s] { out.append(b) } else { out.append(contentsOf: String(s).utf8) }
            }
        }
        return out
    }

    // MARK: - Training

    /// Trains a byte-level BPE tokenizer on `corpus`, as Hugging Face's `BpeTrainer` with the
    /// `ByteLevel` pre-tokenizer and its 256-character initial alphabet.
    ///
    /// - Parameters:
    ///   - corpus: training texts (e.g. lines of a file).
    ///   - vocabularySize: the target number of ids (special tokens + 256 byte symbols + merges).
    ///   - minimumFrequency: a pair seen fewer times than this is not merged (default 0).
    ///   - specialTokens: tokens that get the first ids and are matched literally in input.
    ///   - addPrefixSpace: see `addPrefixSpace` (default `false`, as GPT-2).
    /// - Throws: `NLPError.invalidParameter` when `vocabularySize` cannot hold the special tokens
    ///   and the 256 byte symbols, or `minimumFrequency` is negative; `NLPError.invalidInput` for an
    ///   empty corpus.
    public static func train(corpus: [String], vocabularySize: Int, minimumFrequency: Int = 0,
                             specialTokens: [String] = [], addPrefixSpace: Bool = false) throws -> BPETokenizer {
        let specials = specialTokens.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        guard vocabularySize >= specials.count + 256 else {
            throw NLPError.invalidParameter(name: "vocabularySize", value: "\(vocabularySize)",
                                            expected: "at least \(specials.count + 256) (\(specials.count) special tokens + 256 byte symbols)")
        }
        guard minimumFrequency >= 0 else {
            throw NLPError.invalidParameter(name: "minimumFrequency", value: "\(minimumFrequency)", expected: "a non-negative integer")
        }
        guard corpus.contains(where: { !$0.isEmpty }) else { throw NLPError.invalidInput("the training corpus is empty") }
        let added = specials.enumerated().map { AddedToken(content: $1, id: $0) }
        let matcher = AddedTokenMatcher(added)
        var wordCounts: [String: Int] = [:]
        var byteWords = ByteSequenceTable(capacity: 1 << 14)
        var byteWordCounts: [Int] = []
        for line in corpus {
            var t = line
            t.withUTF8 { buf in
                for piece in matcher.split(buf) {
                    guard case .text(let r) = piece else { continue }
                    var text = Array(buf[r])
                    if addPrefixSpace && text.first != 0x20 { text.insert(0x20, at: 0) }
                    text.withUnsafeBufferPointer { p in
                        PreTokenizer.scan(p) { s, e in
                            let w = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(p)[s..<e])
                            if let k = byteWords.find(w) { byteWordCounts[Int(k)] += 1 }
                            else { byteWords.insert(w, Int32(byteWordCounts.count)); byteWordCounts.append(1) }
                        }
                    }
                }
            }
        }
        byteWords.forEachKey { key, index in wordCounts[ByteLevel.encode(key)] = byteWordCounts[Int(index)] }
        let trainer = BPETrainer(vocabularySize: vocabularySize, minimumFrequency: minimumFrequency,
                                 specialTokens: specials, initialAlphabet: ByteLevel.alphabet)
        let (tokens, merges) = trainer.train(wordCounts: wordCounts)
        let vocabulary = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($1, $0) })
        let model = try BPEModel(vocabulary: vocabulary, merges: merges)
        return BPETokenizer(model: model, addedTokens: added, addPrefixSpace: addPrefixSpace)
    }
}

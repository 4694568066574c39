import NLP

/// The tokenizer stored in a GGUF file's `tokenizer.ggml.*` metadata, encoding text to the ids the
/// model was trained on — the same ids llama.cpp's `llama_tokenize` produces.
///
/// Supported today: `tokenizer.ggml.model = "gpt2"` (byte-level BPE) with the pre-tokenizers
/// `default`/`gpt-2` (GPT-2's pattern) and `smollm`/`starcoder`/`refact` (each number character
/// isolated first, then GPT-2's pattern); and `"llama"` (SentencePiece BPE with byte fallback:
/// Llama 2, Mistral, Gemma, Phi-3), where each run of text after the start or a control token gets
/// a leading "▁" when `tokenizer.ggml.add_space_prefix` (default true), as llama.cpp does. Control
/// and user-defined tokens (`token_type` 3 and 4), such as `<|im_start|>`, are matched in the text
/// when `parseSpecial` is true.
public final class GGUFTokenizer: @unchecked Sendable {
    /// `tokenizer.ggml.model`.
    public let model: String
    /// `tokenizer.ggml.pre`.
    public let preTokenizer: String
    /// Every token's text, by id (byte-level form for `gpt2` vocabularies).
    public let tokens: [String]
    /// Every token's type (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte).
    public let tokenTypes: [Int]
    /// Beginning- and end-of-sequence ids (`tokenizer.ggml.bos_token_id`, `eos_token_id`).
    public let bosID: Int?, eosID: Int?
    /// End-of-turn id when the file names one (`tokenizer.ggml.eot_token_id`).
    public let eotID: Int?
    /// Padding id when the file names one.
    public let paddingID: Int?
    /// Whether `encode(_:addSpecial:)` puts `bosID` first / `eosID` last.
    public let addBOS: Bool, addEOS: Bool
    /// The chat template (`tokenizer.chat_template`), when the file has one.
    public let chatTemplate: String?

    /// How text becomes ids.
    private enum Encoder {
        case byteLevel(withSpecial: BPETokenizer, plain: BPETokenizer)
        case sentencePiece(SentencePieceBPE, specials: AddedTokenMatcher, addSpacePrefix: Bool)
    }
    private let encoder: Encoder
    /// Control and user-defined token ids (the ones `decode(skipSpecial: true)` leaves out).
    private let specialIDs: Set<Int>

    /// Pre-tokenizer names read as GPT-2's pattern alone.
    public static let gpt2PreTokenizers: Set<String> = ["default", "gpt-2", "gpt2"]
    /// Pre-tokenizer names read as "isolate each number character, then GPT-2's pattern".
    public static let digitPreTokenizers: Set<String> = ["smollm", "starcoder", "refact"]

    /// Reads the tokenizer of `file`.
    /// - Throws: `LLMError.missing` when a required key is absent or mistyped;
    ///   `LLMError.unsupported` for tokenizer models and pre-tokenizers not implemented;
    ///   `LLMError.invalidGGUF` when merges, types or special ids disagree with the vocabulary.
    public init(file: GGUFFile) throws {
        let m = file.metadata, path = file.path
        model = try m.string("tokenizer.ggml.model")
        preTokenizer = try m.optionalString("tokenizer.ggml.pre") ?? "default"
        guard model == "gpt2" || model == "llama" else {
            throw LLMError.unsupported(path: path, what: "tokenizer model '\(model)' (implemented: gpt2, llama)")
        }
        guard model == "llama" || Self.gpt2PreTokenizers.contains(preTokenizer) || Self.digitPreTokenizers.contains(preTokenizer) else {
            throw LLMError.unsupported(path: path, what: "pre-tokenizer '\(preTokenizer)' (implemented: \((Self.gpt2PreTokenizers.union(Self.digitPreTokenizers)).sorted().joined(separator: ", ")))")
        }
        tokens = try m.strings("tokenizer.ggml.tokens")
        guard !tokens.isEmpty else { throw LLMError.missing(path: path, what: "tokenizer.ggml.tokens is empty") }
        let n = tokens.count
        func bad(_ key: String, _ reason: String) -> LLMError { .invalidGGUF(path: path, field: "metadata[\"\(key)\"]", offset: 0, reason: reason) }
        let types = try m.optionalInts("tokenizer.ggml.token_type") ?? [Int](repeating: 1, count: n)
        guard types.count == n else { throw bad("tokenizer.ggml.token_type", "\(types.count) types for \(n) tokens") }
        if let k = types.firstIndex(where: { !(0...6).contains($0) }) { throw bad("tokenizer.ggml.token_type", "token \(k) has unknown type \(types[k])") }
        tokenTypes = types
        func special(_ key: String) throws -> Int? {
            guard let id = try m.optionalInt(key) else { return nil }
            guard (0..<n).contains(id) else { throw bad(key, "id \(id) is outside the vocabulary (0…\(n - 1))") }
            return id
        }
        bosID = try special("tokenizer.ggml.bos_token_id")
        eosID = try special("tokenizer.ggml.eos_token_id")
        eotID = try special("tokenizer.ggml.eot_token_id")
        paddingID = try special("tokenizer.ggml.padding_token_id")
        // llama.cpp's defaults: SentencePiece vocabularies add BOS unless the file says otherwise.
        addBOS = try m.bool("tokenizer.ggml.add_bos_token", default: model == "llama") && bosID != nil
        addEOS = try m.bool("tokenizer.ggml.add_eos_token", default: false) && eosID != nil
        chatTemplate = try m.optionalString("tokenizer.chat_template")

        let specials = types.enumerated().filter { $0.element == 3 || $0.element == 4 }.map { $0.offset }
        specialIDs = Set(specials)
        let vocab = tokens
        let added = specials.filter { !vocab[$0].isEmpty }.map { AddedToken(content: vocab[$0], id: $0, special: types[$0] == 3, normalized: false) }
        if model == "llama" {
            guard let scores = try m.optionalDoubles("tokenizer.ggml.scores") else {
                throw LLMError.missing(path: path, what: "tokenizer.ggml.scores (a SentencePiece vocabulary needs its scores)")
            }
            guard scores.count == n else { throw bad("tokenizer.ggml.scores", "\(scores.count) scores for \(n) tokens") }
            let unknown = try special("tokenizer.ggml.unknown_token_id") ?? types.firstIndex(of: 2) ?? 0
            encoder = .sentencePiece(SentencePieceBPE(tokens: tokens, scores: scores.map { Float($0) }, types: types, unknownID: unknown),
                                     specials: AddedTokenMatcher(added),
                                     addSpacePrefix: try m.bool("tokenizer.ggml.add_space_prefix", default: true))
            return
        }
        var vocabulary: [String: Int] = [:]
        vocabulary.reserveCapacity(n)
        for (id, t) in tokens.enumerated() where vocabulary[t] == nil { vocabulary[t] = id }
        let mergeLines = try m.strings("tokenizer.ggml.merges")
        var merges: [(String, String)] = []
        merges.reserveCapacity(mergeLines.count)
        for (k, line) in mergeLines.enumerated() {
            // "a b": the two byte-level tokens, split at the first space after the first character
            // (byte-level tokens never contain a plain space), as llama.cpp does.
            let scalars = line.unicodeScalars
            guard !scalars.isEmpty, let space = scalars.dropFirst().firstIndex(of: " ") else {
                throw bad("tokenizer.ggml.merges", "merge \(k) '\(line)' is not two tokens separated by a space")
            }
            let left = String(scalars[scalars.startIndex..<space]), right = String(scalars[scalars.index(after: space)...])
            merges.append((left, right))
        }
        let bpe: BPEModel
        do { bpe = try BPEModel(vocabulary: vocabulary, merges: merges) } catch let e as NLPError {
            throw bad("tokenizer.ggml.merges", e.description)
        }
        let digits = Self.digitPreTokenizers.contains(preTokenizer)
        encoder = .byteLevel(withSpecial: BPETokenizer(model: bpe, addedTokens: added, splitDigits: digits),
                             plain: BPETokenizer(model: bpe, splitDigits: digits))
    }

    /// Number of ids.
    public var vocabularySize: Int { tokens.count }

    /// The ids of `text`: `addSpecial` adds BOS/EOS as the file asks; `parseSpecial` lets control
    /// tokens written in the text (`<|im_start|>`) become their ids instead of being spelled out.
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = true) -> [Int] {
        var ids: [Int] = []
        if addSpecial, addBOS, let b = bosID { ids.append(b) }
        switch encoder {
        case .byteLevel(let withSpecial, let plain):
            (parseSpecial ? withSpecial : plain).encode(text) { ids.append(Int($0)) }
        case .sentencePiece(let spm, let specials, let addSpacePrefix):
            let bytes = Array(text.utf8)
            let pieces = bytes.withUnsafeBufferPointer { parseSpecial ? specials.split($0) : [.text(0..<$0.count)] }
            var afterSpecial = true   // the start counts as "after a special token"
            for piece in pieces {
                switch piece {
                case .token(let k):
                    ids.append(specials.tokens[k].id)
                    afterSpecial = true
                case .text(let range) where !range.isEmpty:
                    let fragment = String(decoding: bytes[range], as: UTF8.self)
                    spm.encode(addSpacePrefix && afterSpecial ? " " + fragment : fragment, into: &ids)
                    afterSpecial = false
                case .text:
                    break
                }
            }
        }
        if addSpecial, addEOS, let e = eosID { ids.append(e) }
        return ids
    }

    /// The raw bytes of one token (control tokens give their text unless `skipSpecial`); empty for
    /// an id outside the vocabulary.
    public func pieceBytes(_ id: Int, skipSpecial: Bool = false) -> [UInt8] {
        guard id >= 0, id < tokens.count else { return [] }
        if specialIDs.contains(id) { return skipSpecial ? [] : Array(tokens[id].utf8) }
        guard case .sentencePiece = encoder else { return ByteLevel.decode(tokens[id]) ?? Array(tokens[id].utf8) }
        // SentencePiece: a byte token is its byte, the unknown token prints "▅" (as llama.cpp),
        // and "▁" is a space.
        if tokenTypes[id] == 6, let b = SentencePieceBPE.byteValue(tokens[id]) { return [b] }
        if tokenTypes[id] == 2 { return Array("\u{2585}".utf8) }
        var out: [UInt8] = []
        let u = Array(tokens[id].utf8)
        var i = 0
        while i < u.count {
            if i + 2 < u.count, u[i] == 0xE2, u[i + 1] == 0x96, u[i + 2] == 0x81 { out.append(0x20); i += 3 } else { out.append(u[i]); i += 1 }
        }
        return out
    }

    /// The bytes of `ids`, concatenated.
    public func decodeBytes(_ ids: [Int], skipSpecial: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids { out.append(contentsOf: pieceBytes(id, skipSpecial: skipSpecial)) }
        return out
    }

    /// The text of `ids` (invalid UTF-8, possible for a slice of ids, becomes U+FFFD).
    public func decode(_ ids: [Int], skipSpecial: Bool = false) -> String {
        String(decoding: decodeBytes(ids, skipSpecial: skipSpecial), as: UTF8.self)
    }

    /// Whether `id` ends generation (EOS or EOT).
    public func isEndOfGeneration(_ id: Int) -> Bool { id == eosID || id == eotID }
}

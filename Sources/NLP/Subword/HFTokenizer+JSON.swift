import Foundation
import SwiftLearnCore

extension HFTokenizer {
    /// Reads a Hugging Face `tokenizer.json` file.
    /// - Throws: `NLPError.fileError` when the file cannot be read; `NLPError.invalidTokenizerFile`
    ///   when it is not valid JSON, misses required fields, or uses a component this type does not
    ///   implement (named in the message).
    public convenience init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw NLPError.fileError(path: url.path, reason: "cannot read the tokenizer file (\(readableReason(error)))")
        }
        do { try self.init(jsonData: data) } catch NLPError.invalidTokenizerFile(let m) {
            throw NLPError.invalidTokenizerFile("\(url.path): \(m)")
        }
    }

    /// Parses the content of a `tokenizer.json` file. See `init(contentsOf:)`.
    public convenience init(jsonData data: Data) throws {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw NLPError.invalidTokenizerFile("not a JSON object")
        }
        let j = JSONReader(root, path: "")
        let added = try j.array("added_tokens", required: false).enumerated().map { k, o -> AddedToken in
            let t = JSONReader(o, path: "added_tokens[\(k)]")
            return AddedToken(content: try t.string("content"), id: try t.int("id"), special: try t.bool("special", default: false),
                              singleWord: try t.bool("single_word", default: false), leftStrip: try t.bool("lstrip", default: false),
                              rightStrip: try t.bool("rstrip", default: false), normalized: try t.bool("normalized", default: true))
        }
        let m = try j.object("model")
        let type = try m.string("type", default: m.has("merges") ? "BPE" : "WordPiece")
        let normalizer = try j.object("normalizer", required: false)
        let preTokenizer = try j.object("pre_tokenizer", required: false)
        let model: Model
        switch type {
        case "BPE":
            if let n = normalizer { throw NLPError.invalidTokenizerFile("normalizer '\(try n.string("type"))' is not supported with a BPE model") }
            // ByteLevel, or Sequence[Digits(individual_digits=true), ByteLevel] (SmolLM, StarCoder).
            var byteLevel = preTokenizer
            var splitDigits = false
            if let seq = preTokenizer, try seq.string("type") == "Sequence" {
                let steps = try seq.array("pretokenizers").enumerated().map { JSONReader($1, path: "pre_tokenizer.pretokenizers[\($0)]") }
                guard steps.count == 2, try steps[0].string("type") == "Digits", try steps[0].bool("individual_digits", default: false) else {
                    throw NLPError.invalidTokenizerFile("a Sequence pre-tokenizer is supported only as [Digits(individual_digits=true), ByteLevel]")
                }
                byteLevel = steps[1]
                splitDigits = true
            }
            guard let p = byteLevel, try p.string("type") == "ByteLevel" else {
                throw NLPError.invalidTokenizerFile("a BPE model needs the ByteLevel pre-tokenizer (found \(try byteLevel?.string("type") ?? "none"))")
            }
            guard try p.bool("use_regex", default: true) else { throw NLPError.invalidTokenizerFile("ByteLevel with use_regex=false is not supported") }
            if try m.bool("byte_fallback", default: false) { throw NLPError.invalidTokenizerFile("BPE byte_fallback is not supported") }
            if let d = m.double("dropout"), d > 0 { throw NLPError.invalidTokenizerFile("BPE dropout is not supported") }
            let vocab = try m.intDictionary("vocab")
            let merges = try m.merges("merges")
            let bpe = try BPEModel(vocabulary: vocab, merges: merges, unknownToken: try m.optionalString("unk_token"),
                                   continuingSubwordPrefix: try m.optionalString("continuing_subword_prefix"),
                                   endOfWordSuffix: try m.optionalString("end_of_word_suffix"),
                                   fuseUnknown: try m.bool("fuse_unk", default: false), ignoreMerges: try m.bool("ignore_merges", default: false))
            model = .bpe(BPETokenizer(model: bpe, addedTokens: added, addPrefixSpace: try p.bool("add_prefix_space", default: false),
                                     splitDigits: splitDigits))
        case "WordPiece":
            var bert = BertNormalizer(cleanText: false, handleChineseCharacters: false, stripAccents: false, lowercase: false)
            if let n = normalizer {
                guard try n.string("type") == "BertNormalizer" else { throw NLPError.invalidTokenizerFile("normalizer '\(try n.string("type"))' is not supported with WordPiece") }
                bert = BertNormalizer(cleanText: try n.bool("clean_text", default: true), handleChineseCharacters: try n.bool("handle_chinese_chars", default: true),
                                      stripAccents: try n.optionalBool("strip_accents"), lowercase: try n.bool("lowercase", default: true))
            }
            guard let p = preTokenizer, try p.string("type") == "BertPreTokenizer" else {
                throw NLPError.invalidTokenizerFile("a WordPiece model needs the BertPreTokenizer (found \(try preTokenizer?.string("type") ?? "none"))")
            }
            let vocab = try m.intDictionary("vocab")
            var tokens = [String?](repeating: nil, count: vocab.count)
            for (t, id) in vocab {
                guard id >= 0, id < tokens.count, tokens[id] == nil else {
                    throw NLPError.invalidTokenizerFile("WordPiece vocabulary ids must be 0..<\(vocab.count) without repeats ('\(t)' has \(id))")
                }
                tokens[id] = t
            }
            model = .wordPiece(try WordPieceTokenizer(tokens: tokens.map { $0! }, unknownToken: try m.string("unk_token", default: "[UNK]"),
                                                      continuingSubwordPrefix: try m.string("continuing_subword_prefix", default: "##"),
                                                      maxInputCharactersPerWord: try m.int("max_input_chars_per_word", default: 100),
                                                      normalizer: bert, addedTokens: added, addSpecialTokens: false))
        default:
            throw NLPError.invalidTokenizerFile("model type '\(type)' is not supported (BPE and WordPiece are)")
        }
        if let d = try j.object("decoder", required: false), !["ByteLevel", "WordPiece"].contains(try d.string("type")) {
            throw NLPError.invalidTokenizerFile("decoder '\(try d.string("type"))' is not supported")
        }
        self.init(model: model, postProcessor: try Self.readPostProcessor(try j.object("post_processor", required: false)),
                  truncation: try Self.readTruncation(try j.object("truncation", required: false)),
                  padding: try Self.readPadding(try j.object("padding", required: false)))
    }

    private static func readPostProcessor(_ p: JSONReader?) throws -> PostProcessor? {
        guard let p else { return nil }
        switch try p.string("type") {
        case "ByteLevel": return nil
        case "BertProcessing":
            let cls = try p.pair("cls"), sep = try p.pair("sep")
            var post = PostProcessor.bert(cls: cls.1, sep: sep.1)
            post.single = [.special(cls.0, typeId: 0), .sequence(isFirst: true, typeId: 0), .special(sep.0, typeId: 0)]
            post.pair = post.single + [.sequence(isFirst: false, typeId: 1), .special(sep.0, typeId: 1)]
            post.specialTokens = [cls.0: [cls.1], sep.0: [sep.1]]
            return post
        case "RobertaProcessing":
            let cls = try p.pair("cls"), sep = try p.pair("sep")
            let single: [TemplatePiece] = [.special(cls.0, typeId: 0), .sequence(isFirst: true, typeId: 0), .special(sep.0, typeId: 0)]
            return PostProcessor(single: single, pair: single + [.special(sep.0, typeId: 0), .sequence(isFirst: false, typeId: 0), .special(sep.0, typeId: 0)],
                                 specialTokens: [cls.0: [cls.1], sep.0: [sep.1]])
        case "TemplateProcessing":
            func template(_ key: String) throws -> [TemplatePiece] {
                try p.array(key).enumerated().map { k, o in
                    let item = JSONReader(o, path: "post_processor.\(key)[\(k)]")
                    if let s = try item.object("SpecialToken", required: false) { return .special(try s.string("id"), typeId: try s.int("type_id", default: 0)) }
                    if let s = try item.object("Sequence", required: false) { return .sequence(isFirst: try s.string("id") == "A", typeId: try s.int("type_id", default: 0)) }
                    throw NLPError.invalidTokenizerFile("post_processor.\(key)[\(k)] is neither SpecialToken nor Sequence")
                }
            }
            var specials: [String: [Int]] = [:]
            let st = try p.object("special_tokens")
            for name in st.keys {
                let o = try st.object(name)
                specials[name] = try o.array("ids").map { v in
                    guard let i = (v as? NSNumber)?.intValue else { throw NLPError.invalidTokenizerFile("post_processor.special_tokens.\(name).ids must hold integers") }
                    return i
                }
            }
            return PostProcessor(single: try template("single"), pair: try template("pair"), specialTokens: specials)
        case let other:
            throw NLPError.invalidTokenizerFile("post-processor '\(other)' is not supported")
        }
    }

    /// The longest sequence a tokenizer file may ask to pad or truncate to (2²⁰ tokens: longer
    /// than any model's context, short of an allocation that would exhaust memory).
    static let lengthLimit = 1 << 20

    private static func readTruncation(_ t: JSONReader?) throws -> Truncation? {
        guard let t else { return nil }
        let strategy = try t.string("strategy", default: "LongestFirst")
        guard strategy == "LongestFirst" else { throw NLPError.invalidTokenizerFile("truncation strategy '\(strategy)' is not supported") }
        let maxLength = try t.int("max_length")
        guard (1...Self.lengthLimit).contains(maxLength) else {
            throw NLPError.invalidTokenizerFile("truncation.max_length \(maxLength) is outside 1...\(Self.lengthLimit)")
        }
        return Truncation(maxLength: maxLength, fromLeft: try t.string("direction", default: "Right") == "Left")
    }

    private static func readPadding(_ p: JSONReader?) throws -> Padding? {
        guard let p else { return nil }
        var length: Int? = nil
        if p.object["strategy"] is [String: Any], let s = try p.object("strategy", required: false) { length = try s.int("Fixed") }
        else if try p.string("strategy", default: "BatchLongest") != "BatchLongest" {
            throw NLPError.invalidTokenizerFile("padding.strategy must be \"BatchLongest\" or {\"Fixed\": n}")
        }
        let multipleOf = try p.optionalInt("pad_to_multiple_of")
        for (name, value) in [("padding.strategy.Fixed", length), ("padding.pad_to_multiple_of", multipleOf)] {
            if let value, !(1...Self.lengthLimit).contains(value) {
                throw NLPError.invalidTokenizerFile("\(name) \(value) is outside 1...\(Self.lengthLimit)")
            }
        }
        return Padding(length: length, padId: try p.int("pad_id", default: 0), padToken: try p.string("pad_token", default: "[PAD]"),
                       padTypeId: try p.int("pad_type_id", default: 0), left: try p.string("direction", default: "Right") == "Left",
                       multipleOf: multipleOf)
    }

    // MARK: - Writing

    /// The `tokenizer.json` object of this tokenizer.
    public func jsonObject() -> [String: Any] {
        var root: [String: Any] = ["version": "1.0"]
        root["added_tokens"] = addedTokens.sorted { $0.id < $1.id }.map { t -> [String: Any] in
            ["id": t.id, "content": t.content, "single_word": t.singleWord, "lstrip": t.leftStrip, "rstrip": t.rightStrip,
             "normalized": t.normalized, "special": t.special]
        }
        switch model {
        case .bpe(let b):
            root["normalizer"] = NSNull()
            let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": b.addPrefixSpace, "trim_offsets": true, "use_regex": true]
            root["pre_tokenizer"] = b.splitDigits
                ? ["type": "Sequence", "pretokenizers": [["type": "Digits", "individual_digits": true] as [String: Any], byteLevel]] as [String: Any]
                : byteLevel
            root["decoder"] = ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true]
            root["model"] = ["type": "BPE", "dropout": NSNull(), "unk_token": b.model.unknownToken ?? NSNull(),
                             "continuing_subword_prefix": b.model.continuingSubwordPrefix ?? NSNull(),
                             "end_of_word_suffix": b.model.endOfWordSuffix ?? NSNull(), "fuse_unk": b.model.fuseUnknown,
                             "byte_fallback": false, "ignore_merges": b.model.ignoreMerges,
                             "vocab": b.model.vocabulary, "merges": b.model.merges.map { [$0.0, $0.1] }] as [String: Any]
        case .wordPiece(let w):
            let n = w.normalizer
            root["normalizer"] = ["type": "BertNormalizer", "clean_text": n.cleanText, "handle_chinese_chars": n.handleChineseCharacters,
                                  "strip_accents": n.stripAccents.map { $0 as Any } ?? NSNull(), "lowercase": n.lowercase] as [String: Any]
            root["pre_tokenizer"] = ["type": "BertPreTokenizer"]
            root["decoder"] = ["type": "WordPiece", "prefix": w.continuingSubwordPrefix, "cleanup": true] as [String: Any]
            root["model"] = ["type": "WordPiece", "unk_token": w.unknownToken, "continuing_subword_prefix": w.continuingSubwordPrefix,
                             "max_input_chars_per_word": w.maxInputCharactersPerWord, "vocab": w.vocabulary] as [String: Any]
        }
        if let post = postProcessor {
            func template(_ pieces: [TemplatePiece]) -> [[String: Any]] {
                pieces.map { p in
                    switch p {
                    case .special(let id, let t): return ["SpecialToken": ["id": id, "type_id": t] as [String: Any]]
                    case .sequence(let first, let t): return ["Sequence": ["id": first ? "A" : "B", "type_id": t] as [String: Any]]
                    }
                }
            }
            root["post_processor"] = ["type": "TemplateProcessing", "single": template(post.single), "pair": template(post.pair),
                                      "special_tokens": post.specialTokens.mapValues { ids -> [String: Any] in
                                          ["id": "", "ids": ids, "tokens": ids.map { token(of: $0) ?? "" }]
                                      }.reduce(into: [String: Any]()) { d, kv in
                                          var v = kv.value; v["id"] = kv.key; d[kv.key] = v
                                      }] as [String: Any]
        } else {
            root["post_processor"] = NSNull()
        }
        root["truncation"] = truncation.map { t -> Any in
            ["max_length": t.maxLength, "strategy": "LongestFirst", "stride": 0, "direction": t.fromLeft ? "Left" : "Right"] as [String: Any]
        } ?? NSNull()
        root["padding"] = padding.map { p -> Any in
            ["strategy": p.length.map { ["Fixed": $0] as Any } ?? "BatchLongest", "direction": p.left ? "Left" : "Right",
             "pad_to_multiple_of": p.multipleOf.map { $0 as Any } ?? NSNull(), "pad_id": p.padId, "pad_type_id": p.padTypeId,
             "pad_token": p.padToken] as [String: Any]
        } ?? NSNull()
        return root
    }

    /// The `tokenizer.json` content (UTF-8 JSON, keys sorted).
    public func jsonData() throws -> Data {
        try JSONSerialization.data(withJSONObject: jsonObject(), options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// Writes `tokenizer.json` to `url` (atomically).
    /// - Throws: `NLPError.fileError` when the file cannot be written.
    public func write(to url: URL) throws {
        do { try jsonData().write(to: url, options: .atomic) } catch {
            throw NLPError.fileError(path: url.path, reason: "cannot write the tokenizer file (\(readableReason(error)))")
        }
    }
}

/// Typed access to a parsed JSON object with error messages naming the field.
struct JSONReader {
    let object: [String: Any]
    let path: String

    init(_ any: Any, path: String) { object = any as? [String: Any] ?? [:]; self.path = path }

    var keys: [String] { Array(object.keys) }
    func has(_ k: String) -> Bool { object[k] != nil && !(object[k] is NSNull) }
    private func name(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }
    private func missing(_ k: String) -> NLPError { .invalidTokenizerFile("missing field '\(name(k))'") }
    private func wrong(_ k: String, _ what: String) -> NLPError { .invalidTokenizerFile("field '\(name(k))' must be \(what)") }

    func object(_ k: String, required: Bool = true) throws -> JSONReader? {
        guard has(k) else { if required { throw missing(k) }; return nil }
        guard object[k] is [String: Any] else { throw wrong(k, "an object") }
        return JSONReader(object[k]!, path: name(k))
    }
    func object(_ k: String) throws -> JSONReader { try object(k, required: true)! }

    func array(_ k: String, required: Bool = true) throws -> [Any] {
        guard has(k) else { if required { throw missing(k) }; return [] }
        guard let a = object[k] as? [Any] else { throw wrong(k, "an array") }
        return a
    }
    func string(_ k: String, default d: String? = nil) throws -> String {
        guard has(k) else { if let d { return d }; throw missing(k) }
        guard let s = object[k] as? String else { throw wrong(k, "a string") }
        return s
    }
    func optionalString(_ k: String) throws -> String? { has(k) ? try string(k) : nil }
    func int(_ k: String, default d: Int? = nil) throws -> Int {
        guard has(k) else { if let d { return d }; throw missing(k) }
        guard let n = object[k] as? NSNumber, Double(n.intValue) == n.doubleValue else { throw wrong(k, "an integer") }
        return n.intValue
    }
    func optionalInt(_ k: String) throws -> Int? { has(k) ? try int(k) : nil }
    func double(_ k: String) -> Double? { (object[k] as? NSNumber)?.doubleValue }
    func bool(_ k: String, default d: Bool) throws -> Bool {
        guard has(k) else { return d }
        guard let b = object[k] as? Bool else { throw wrong(k, "true or false") }
        return b
    }
    func optionalBool(_ k: String) throws -> Bool? { has(k) ? try bool(k, default: false) : nil }
    /// `[token, id]` pairs (BertProcessing's `cls`/`sep`).
    func pair(_ k: String) throws -> (String, Int) {
        guard let a = object[k] as? [Any], a.count == 2, let s = a[0] as? String, let i = (a[1] as? NSNumber)?.intValue else {
            throw wrong(k, "a [token, id] pair")
        }
        return (s, i)
    }
    func intDictionary(_ k: String) throws -> [String: Int] {
        guard let d = object[k] as? [String: Any] else { throw has(k) ? wrong(k, "an object of token ids") : missing(k) }
        var out: [String: Int] = [:]
        out.reserveCapacity(d.count)
        for (t, v) in d {
            guard let n = v as? NSNumber else { throw wrong(k, "an object of integer ids ('\(t)')") }
            out[t] = n.intValue
        }
        return out
    }
    /// Merges as `"a b"` strings (older files) or `["a", "b"]` pairs.
    func merges(_ k: String) throws -> [(String, String)] {
        try array(k).enumerated().map { i, m in
            if let s = m as? String {
                let parts = s.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw NLPError.invalidTokenizerFile("merge \(i) '\(s)' is not two tokens separated by a space") }
                return (String(parts[0]), String(parts[1]))
            }
            guard let a = m as? [Any], a.count == 2, let l = a[0] as? String, let r = a[1] as? String else {
                throw NLPError.invalidTokenizerFile("merge \(i) is neither \"a b\" nor [\"a\", \"b\"]")
            }
            return (l, r)
        }
    }
}

import Foundation

/// A tokenizer read from or written to Hugging Face's `tokenizer.json` format: a model (byte-level
/// BPE or WordPiece), its normalizer and pre-tokenizer, the post-processor that adds special
/// tokens such as `[CLS]`/`[SEP]`, added tokens, truncation and padding.
///
/// Supported components: models `BPE` (with the `ByteLevel` pre-tokenizer) and `WordPiece` (with
/// `BertNormalizer` + `BertPreTokenizer`); post-processors `TemplateProcessing`, `BertProcessing`,
/// `RobertaProcessing`, `ByteLevel`; decoders `ByteLevel`, `WordPiece`. Other components are reported as
/// `NLPError.invalidTokenizerFile` naming them, never ignored silently.
///
/// ```swift
/// let tok = try HFTokenizer(contentsOf: URL(fileURLWithPath: "tokenizer.json"))
/// let e = tok.encode("Hello world!")
/// e.ids; e.tokens; e.attentionMask
/// try tok.write(to: URL(fileURLWithPath: "copy.json"))
/// ```
public final class HFTokenizer {
    /// The subword model with its text pipeline.
    public enum Model: @unchecked Sendable {
        /// Byte-level BPE (GPT-2 style).
        case bpe(BPETokenizer)
        /// BERT WordPiece.
        case wordPiece(WordPieceTokenizer)
    }

    /// A piece of a post-processing template: a special token or one of the input sequences.
    public enum TemplatePiece: Sendable, Equatable {
        /// A special token by its name in `specialTokens`, with its type id.
        case special(String, typeId: Int)
        /// Sequence `A` (`isFirst`) or `B`, with its type id.
        case sequence(isFirst: Bool, typeId: Int)
    }

    /// Adds special tokens around the model's ids (Hugging Face's `TemplateProcessing`).
    public struct PostProcessor: Sendable, Equatable {
        /// Template for one sequence, e.g. `[CLS] $A [SEP]`.
        public var single: [TemplatePiece]
        /// Template for a pair, e.g. `[CLS] $A [SEP] $B:1 [SEP]:1`.
        public var pair: [TemplatePiece]
        /// Special token name → ids.
        public var specialTokens: [String: [Int]]

        /// BERT's `[CLS] $A [SEP]` / `[CLS] $A [SEP] $B [SEP]` template.
        public static func bert(cls: Int, sep: Int) -> PostProcessor {
            PostProcessor(single: [.special("[CLS]", typeId: 0), .sequence(isFirst: true, typeId: 0), .special("[SEP]", typeId: 0)],
                          pair: [.special("[CLS]", typeId: 0), .sequence(isFirst: true, typeId: 0), .special("[SEP]", typeId: 0),
                                 .sequence(isFirst: false, typeId: 1), .special("[SEP]", typeId: 1)],
                          specialTokens: ["[CLS]": [cls], "[SEP]": [sep]])
        }

        /// Number of ids the template adds to one sequence (or a pair).
        func addedCount(pair: Bool) -> Int {
            (pair ? self.pair : single).reduce(0) { n, p in if case .special(let s, _) = p { return n + (specialTokens[s]?.count ?? 0) }; return n }
        }
    }

    /// Cut encodings longer than `maxLength` (Hugging Face's `truncation`).
    public struct Truncation: Sendable, Equatable {
        /// The most ids an encoding keeps, special tokens included.
        public var maxLength: Int
        /// Cut from the right end (default) or the left.
        public var fromLeft: Bool = false
        /// Creates a truncation setting.
        public init(maxLength: Int, fromLeft: Bool = false) { self.maxLength = maxLength; self.fromLeft = fromLeft }
    }

    /// Pad encodings (Hugging Face's `padding`).
    public struct Padding: Sendable, Equatable {
        /// Pad to this length; `nil` pads a batch to its longest member.
        public var length: Int?
        /// Id and token used for padding.
        public var padId: Int, padToken: String, padTypeId: Int
        /// Pad on the left instead of the right.
        public var left: Bool
        /// Round the padded length up to a multiple of this.
        public var multipleOf: Int?
        /// Creates a padding setting.
        public init(length: Int?, padId: Int = 0, padToken: String = "[PAD]", padTypeId: Int = 0, left: Bool = false, multipleOf: Int? = nil) {
            self.length = length; self.padId = padId; self.padToken = padToken; self.padTypeId = padTypeId; self.left = left; self.multipleOf = multipleOf
        }
    }

    /// The result of encoding: ids with their tokens, type ids and attention mask.
    public struct Encoding: Sendable, Equatable {
        /// Token ids.
        public var ids: [Int]
        /// Token strings (byte-level form for BPE).
        public var tokens: [String]
        /// Segment id of each token (0 for the first sequence, 1 for the second).
        public var typeIds: [Int]
        /// 1 for real tokens, 0 for padding.
        public var attentionMask: [Int]
    }

    /// The model and its pipeline.
    public let model: Model
    /// The special-token template (`nil`: none).
    public var postProcessor: PostProcessor?
    /// Truncation applied by `encode` (`nil`: none).
    public var truncation: Truncation?
    /// Padding applied by `encode` (`nil`: none).
    public var padding: Padding?

    /// Creates a tokenizer from its parts.
    public init(model: Model, postProcessor: PostProcessor? = nil, truncation: Truncation? = nil, padding: Padding? = nil) {
        self.model = model
        self.postProcessor = postProcessor
        self.truncation = truncation
        self.padding = padding
    }

    /// Wraps a byte-level BPE tokenizer (no post-processing).
    public convenience init(_ bpe: BPETokenizer) { self.init(model: .bpe(bpe)) }

    /// Wraps a WordPiece tokenizer with BERT's `[CLS] $A [SEP]` template.
    public convenience init(_ wordPiece: WordPieceTokenizer) {
        let post = wordPiece.clsId.flatMap { c in wordPiece.sepId.map { PostProcessor.bert(cls: c, sep: $0) } }
        self.init(model: .wordPiece(wordPiece), postProcessor: post)
    }

    /// All added tokens.
    public var addedTokens: [AddedToken] {
        switch model {
        case .bpe(let b): return b.addedTokens
        case .wordPiece(let w): return w.addedTokens
        }
    }

    /// The token string of `id`.
    public func token(of id: Int) -> String? {
        switch model {
        case .bpe(let b): return b.token(of: id)
        case .wordPiece(let w): return id >= 0 && id < w.tokens.count ? w.tokens[id] : addedTokens.first { $0.id == id }?.content
        }
    }

    /// The id of a token string.
    public func id(of token: String) -> Int? {
        switch model {
        case .bpe(let b): return b.id(of: token)
        case .wordPiece(let w): return w.vocabulary[token] ?? addedTokens.first { $0.content == token }?.id
        }
    }

    /// Model ids of one text, without special tokens.
    func modelIds(_ text: String) -> [Int] {
        var ids: [Int] = []
        switch model {
        case .bpe(let b): b.encode(text) { ids.append(Int($0)) }
        case .wordPiece(let w): w.encodeWithoutSpecialTokens(text) { ids.append(Int($0)) }
        }
        return ids
    }

    /// Encodes `text` (and an optional second sequence `pair`), then adds special tokens,
    /// truncates and pads as configured.
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true) -> Encoding {
        var a = modelIds(text)
        var b = pair.map(modelIds)
        if let t = truncation {
            let added = addSpecialTokens ? (postProcessor?.addedCount(pair: b != nil) ?? 0) : 0
            let budget = max(0, t.maxLength - added)
            if var bb = b {
                var n1 = a.count, n2 = bb.count
                while n1 + n2 > budget { if n1 > n2 { n1 -= 1 } else { n2 -= 1 } }
                a = t.fromLeft ? Array(a.suffix(n1)) : Array(a.prefix(n1))
                bb = t.fromLeft ? Array(bb.suffix(n2)) : Array(bb.prefix(n2))
                b = bb
            } else if a.count > budget {
                a = t.fromLeft ? Array(a.suffix(budget)) : Array(a.prefix(budget))
            }
        }
        var ids: [Int] = [], types: [Int] = []
        if addSpecialTokens, let post = postProcessor {
            for piece in (b == nil ? post.single : post.pair) {
                switch piece {
                case .special(let name, let typeId):
                    let s = post.specialTokens[name] ?? []
                    ids += s; types += Array(repeating: typeId, count: s.count)
                case .sequence(let isFirst, let typeId):
                    let s = isFirst ? a : (b ?? [])
                    ids += s; types += Array(repeating: typeId, count: s.count)
                }
            }
        } else {
            ids = a + (b ?? [])
            types = Array(repeating: 0, count: a.count) + Array(repeating: 1, count: b?.count ?? 0)
        }
        var mask = Array(repeating: 1, count: ids.count)
        if let p = padding, var target = p.length ?? Optional(ids.count) {
            if let m = p.multipleOf, m > 0, target % m != 0 { target += m - target % m }
            let extra = max(0, target - ids.count)
            let pads = Array(repeating: p.padId, count: extra)
            if p.left {
                ids = pads + ids; types = Array(repeating: p.padTypeId, count: extra) + types; mask = Array(repeating: 0, count: extra) + mask
            } else {
                ids += pads; types += Array(repeating: p.padTypeId, count: extra); mask += Array(repeating: 0, count: extra)
            }
        }
        return Encoding(ids: ids, tokens: ids.map { token(of: $0) ?? "" }, typeIds: types, attentionMask: mask)
    }

    /// Encodes each text; with batch padding (`padding.length == nil`) all are padded to the longest.
    public func encode(batch texts: [String], addSpecialTokens: Bool = true) -> [Encoding] {
        var out = texts.map { encode($0, addSpecialTokens: addSpecialTokens) }
        if let p = padding, p.length == nil, let longest = out.map(\.ids.count).max() {
            let saved = padding
            padding = Padding(length: longest, padId: p.padId, padToken: p.padToken, padTypeId: p.padTypeId, left: p.left, multipleOf: p.multipleOf)
            out = texts.map { encode($0, addSpecialTokens: addSpecialTokens) }
            padding = saved
        }
        return out
    }

    /// The text of `ids` (special tokens skipped by default, as Hugging Face's `decode`).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) -> String {
        switch model {
        case .bpe(let b): return b.decode(ids, skipSpecialTokens: skipSpecialTokens)
        case .wordPiece(let w): return w.decode(ids, skipSpecialTokens: skipSpecialTokens)
        }
    }
}

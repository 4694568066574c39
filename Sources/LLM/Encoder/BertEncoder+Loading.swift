import Foundation
import NLP
import SwiftLearnCore
import Tensors

extension BertEncoder {
    /// The files of a sentence-transformers model directory that the encoder reads, by their path
    /// inside the directory.
    public static let modelFiles = ["config.json", "model.safetensors", "tokenizer.json", "vocab.txt", "tokenizer_config.json",
                                    "sentence_bert_config.json", "1_Pooling/config.json", "modules.json"]

    /// Loads a sentence-transformers model directory (as on the Hugging Face hub):
    ///
    /// - `config.json` — the BERT sizes (`BertConfiguration`);
    /// - `model.safetensors` — the weights (`BertModel` names, optionally prefixed `bert.`);
    /// - `tokenizer.json` (a WordPiece `HFTokenizer`), else `vocab.txt` with `tokenizer_config.json`'s
    ///   `do_lower_case` (default true);
    /// - optional `sentence_bert_config.json` — `max_seq_length` (256 for all-MiniLM-L6-v2; it wins
    ///   over the tokenizer file's own truncation, as in sentence-transformers), capped by the
    ///   model's positions;
    /// - optional `1_Pooling/config.json` — mean (default) or CLS pooling; optional `modules.json` —
    ///   normalization when it lists `sentence_transformers.models.Normalize` (without the file:
    ///   `normalizeByDefault`).
    ///
    /// - Throws: `LLMError.fileError` naming a missing or unreadable file (a directory that is not
    ///   there included), `LLMError.invalidModelFile` naming the file for malformed JSON, weights
    ///   that do not match `config.json`, or a tokenizer whose ids fall outside the vocabulary.
    public convenience init(directory: URL, normalizeByDefault: Bool = true) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw LLMError.fileError(path: directory.path, reason: "no such model directory")
        }
        guard isDirectory.boolValue else { throw LLMError.fileError(path: directory.path, reason: "not a directory (expected a model directory)") }
        var files: [String: Data] = [:]
        for name in Self.modelFiles {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            do { files[name] = try Data(contentsOf: url) } catch { throw LLMError.fileError(path: url.path, reason: readableReason(error)) }
        }
        try self.init(files: files, directory: directory.path, normalizeByDefault: normalizeByDefault)
    }

    /// Builds the encoder from the contents of a model directory's files (keys as in
    /// `modelFiles`; absent keys are absent files). `directory` only names the files in errors.
    /// Same checks and errors as `init(directory:)`.
    public convenience init(files: [String: Data], directory: String, normalizeByDefault: Bool = true) throws {
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        func required(_ name: String, _ why: String = "") throws -> Data {
            guard let d = files[name] else { throw LLMError.fileError(path: path(name), reason: "missing\(why)") }
            return d
        }
        let configuration = try BertConfiguration(jsonData: try required("config.json"), path: path("config.json"))
        let weights: BertWeights
        do {
            let contents = try Safetensors.decode([UInt8](try required("model.safetensors", " (the encoder reads safetensors weights only)")))
            weights = try BertWeights(contents, configuration: configuration, path: path("model.safetensors"))
        } catch let e as TensorIOError {
            throw LLMError.invalidModelFile(path: path("model.safetensors"), reason: "\(e)")
        }

        let tokenizer: HFTokenizer
        let tokenizerFile: String
        if let json = files["tokenizer.json"] {
            tokenizerFile = path("tokenizer.json")
            do { tokenizer = try HFTokenizer(jsonData: json) } catch let e as NLPError { throw Self.modelError(e, tokenizerFile) }
        } else if let vocabulary = files["vocab.txt"] {
            tokenizerFile = path("vocab.txt")
            let settings = try Self.jsonObject(files["tokenizer_config.json"], path("tokenizer_config.json"))
            let lower = settings["do_lower_case"] as? Bool ?? true
            guard let text = String(data: vocabulary, encoding: .utf8) else {
                throw LLMError.invalidModelFile(path: tokenizerFile, reason: "not UTF-8 text")
            }
            do { tokenizer = HFTokenizer(try WordPieceTokenizer(vocabularyText: text, normalizer: BertNormalizer(lowercase: lower))) } catch let e as NLPError {
                throw Self.modelError(e, tokenizerFile)
            }
        } else {
            throw LLMError.fileError(path: path("tokenizer.json"), reason: "missing (and no vocab.txt either)")
        }
        guard case .wordPiece(let wordPiece) = tokenizer.model else {
            throw LLMError.invalidModelFile(path: tokenizerFile, reason: "a BERT encoder needs a WordPiece tokenizer")
        }
        let largestID = max(wordPiece.tokens.count - 1, tokenizer.addedTokens.map(\.id).max() ?? 0)
        guard largestID < configuration.vocabularySize, tokenizer.addedTokens.allSatisfy({ $0.id >= 0 }) else {
            throw LLMError.invalidModelFile(path: tokenizerFile, reason: "the tokenizer has ids outside the model's vocab_size \(configuration.vocabularySize)")
        }
        guard let post = tokenizer.postProcessor, post.single.contains(where: { if case .sequence = $0 { return true }; return false }),
              post.specialTokens.values.allSatisfy({ $0.allSatisfy { $0 >= 0 && $0 < configuration.vocabularySize } }) else {
            throw LLMError.invalidModelFile(path: tokenizerFile, reason: "a post-processor adding [CLS]/[SEP] with ids in the vocabulary is required")
        }

        var maxLength = configuration.maxPositions
        let sbert = try Self.jsonObject(files["sentence_bert_config.json"], path("sentence_bert_config.json"))
        if let value = sbert["max_seq_length"] {
            guard let number = value as? NSNumber, !BertConfiguration.isBoolean(value), let n = Int(exactly: number.doubleValue), n >= 2 else {
                throw LLMError.invalidModelFile(path: path("sentence_bert_config.json"), reason: "max_seq_length must be an integer ≥ 2, found \(value)")
            }
            maxLength = min(n, configuration.maxPositions)
        } else if let t = tokenizer.truncation {
            maxLength = min(t.maxLength, configuration.maxPositions)
        }
        let added = post.single.reduce(0) { n, piece in if case .special(let s, _) = piece { return n + (post.specialTokens[s]?.count ?? 0) }; return n }
        guard maxLength > added else {
            throw LLMError.invalidModelFile(path: path("config.json"), reason: "\(maxLength) positions leave no room for text after the special tokens")
        }
        tokenizer.truncation = HFTokenizer.Truncation(maxLength: maxLength)
        tokenizer.padding = nil

        var pooling = Pooling.mean
        let poolingSettings = try Self.jsonObject(files["1_Pooling/config.json"], path("1_Pooling/config.json"))
        if poolingSettings["pooling_mode_cls_token"] as? Bool == true { pooling = .cls }
        for key in ["pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"]
            where poolingSettings[key] as? Bool == true {
            throw LLMError.unsupported(path: path("1_Pooling/config.json"), what: key)
        }
        var normalize = normalizeByDefault
        if let data = files["modules.json"] {
            guard let modules = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
                throw LLMError.invalidModelFile(path: path("modules.json"), reason: "not a JSON array of modules")
            }
            normalize = modules.contains { ($0["type"] as? String)?.hasSuffix("models.Normalize") == true }
        }
        self.init(configuration: configuration, weights: weights, tokenizer: tokenizer, pooling: pooling, normalize: normalize,
                  maxSequenceLength: maxLength)
    }

    /// The JSON object of an optional settings file (`[:]` when absent).
    static func jsonObject(_ data: Data?, _ path: String) throws -> [String: Any] {
        guard let data else { return [:] }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw LLMError.invalidModelFile(path: path, reason: "not a JSON object")
        }
        return object
    }

    /// An NLP error from reading a tokenizer file, as the LLM module's error naming that file.
    static func modelError(_ e: NLPError, _ path: String) -> LLMError {
        switch e {
        case .fileError(let p, let reason): return .fileError(path: p, reason: reason)
        default: return .invalidModelFile(path: path, reason: "\(e)")
        }
    }
}

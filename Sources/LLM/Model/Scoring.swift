import Foundation

/// One scored token of a text: how likely the model found it given what came before.
public struct ScoredToken: Sendable, Equatable {
    /// The token id and its natural-log probability under the model.
    public let id: Int
    public let logprob: Double
    /// The model's most likely token at that position (teacher-forced top-1).
    public let argmax: Int
    /// Tokens of left context the model saw when scoring it.
    public let context: Int
}

/// A text scored by a language model (`swiftlearn lm score`): per-token log-probabilities and
/// the perplexity exp(−mean log p) over every token but the first.
public struct TextScore: Sendable {
    /// Every token after the first, in order, each scored once.
    public let tokens: [ScoredToken]
    /// Windows evaluated (1 when the text fits the context).
    public let windows: Int

    /// Mean negative log-likelihood per scored token (nats).
    public var meanNegativeLogLikelihood: Double {
        tokens.isEmpty ? 0 : -tokens.reduce(0) { $0 + $1.logprob } / Double(tokens.count)
    }
    /// exp(mean NLL).
    public var perplexity: Double { exp(meanNegativeLogLikelihood) }
    /// Fraction of tokens that were the model's top-1 choice.
    public var topOneAccuracy: Double {
        tokens.isEmpty ? 0 : Double(tokens.filter { $0.id == $0.argmax }.count) / Double(tokens.count)
    }
}

extension LlamaModel {
    /// Scores `ids` with sliding windows of `context` tokens, as Hugging Face's perplexity recipe:
    /// windows start every `stride` tokens, and each window scores only the tokens the previous one
    /// did not, so every token after the first is scored once, with up to `context − 1` tokens
    /// before it (at least `context − stride` once the text is longer than one window).
    /// - Parameters:
    ///   - context: tokens per window (2…the model's context length).
    ///   - stride: window step (1…context − 1; `context / 2` by default).
    /// - Throws: `LLMError.invalidParameter` for fewer than 2 tokens, an id outside the vocabulary
    ///   or a window/stride out of range.
    public func score(_ ids: [Int], context: Int, stride: Int? = nil) throws -> TextScore {
        guard ids.count >= 2 else {
            throw LLMError.invalidParameter(name: "text", value: "\(ids.count) token(s)", expected: "at least 2 tokens to score")
        }
        guard context >= 2, context <= configuration.contextLength else {
            throw LLMError.invalidParameter(name: "context", value: "\(context)", expected: "2…\(configuration.contextLength) (the model's context length)")
        }
        let step = stride ?? max(1, context / 2)
        guard step >= 1, step < context else {
            throw LLMError.invalidParameter(name: "stride", value: "\(step)", expected: "1…\(context - 1) (less than the window)")
        }
        if let bad = ids.first(where: { $0 < 0 || $0 >= configuration.vocabularySize }) {
            throw LLMError.invalidParameter(name: "token", value: "\(bad)", expected: "an id in 0..<\(configuration.vocabularySize)")
        }
        let session = try makeSession(contextLength: context)
        var scored: [ScoredToken] = []
        scored.reserveCapacity(ids.count - 1)
        var windows = 0
        var begin = 0, scoredUpTo = 1        // ids[scoredUpTo...] still need a score
        while scoredUpTo < ids.count {
            let end = min(begin + context, ids.count)
            session.reset()
            windows += 1
            for position in begin..<(end - 1) {
                let logits = try session.evaluate(ids[position])
                let target = position + 1
                guard target >= scoredUpTo else { continue }
                let (lp, best) = Self.logprob(logits, of: ids[target])
                scored.append(ScoredToken(id: ids[target], logprob: lp, argmax: best, context: target - begin))
            }
            scoredUpTo = end
            begin += step
            // The next window must reach past what is scored (it always does: step < context).
        }
        return TextScore(tokens: scored, windows: windows)
    }

    /// log softmax(logits)[id] in double, and the argmax (lowest id on ties).
    public static func logprob(_ logits: [Float], of id: Int) -> (Double, Int) {
        let best = Sampler.argmax(logits), m = logits[best]
        var sum = 0.0
        for v in logits { sum += Foundation.exp(Double(v - m)) }
        return (Double(logits[id] - m) - Foundation.log(sum), best)
    }
}

/// What `swiftlearn lm info` shows about a GGUF file: its architecture, sizes, tensor types,
/// tokenizer and chat template, read from the header without loading weights.
public struct ModelSummary: Sendable {
    /// `general.architecture`, `general.name` (when present), GGUF version and file size.
    public let architecture: String, name: String?, version: Int, fileBytes: Int
    /// The decoder's shape when the architecture is one this module runs (nil otherwise).
    public let configuration: LlamaConfiguration?
    /// Parameters (elements over all tensors) and how many tensors use each ggml type.
    public let parameterCount: Int
    public let tensorTypes: [(type: String, count: Int)]
    /// Tokenizer model (`gpt2`, `llama`, …), pre-tokenizer and vocabulary size.
    public let tokenizerModel: String?, preTokenizer: String?, vocabularySize: Int?
    /// The chat template's source, when the file has one.
    public let chatTemplate: String?

    /// Reads the summary of an opened file.
    public init(file: GGUFFile) throws {
        let m = file.metadata
        architecture = try m.optionalString("general.architecture") ?? "unknown"
        name = try m.optionalString("general.name")
        version = Int(file.version)
        fileBytes = file.raw.count
        configuration = LlamaConfiguration.supportedArchitectures.contains(architecture) ? try LlamaConfiguration(file: file) : nil
        var total = 0
        var counts: [String: Int] = [:]
        for t in file.tensors {
            total = total.addingReportingOverflow(t.elementCount).partialValue
            counts[t.type.name, default: 0] += 1
        }
        parameterCount = total
        tensorTypes = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
        tokenizerModel = try m.optionalString("tokenizer.ggml.model")
        preTokenizer = try m.optionalString("tokenizer.ggml.pre")
        if case .array(let a)? = m["tokenizer.ggml.tokens"] { vocabularySize = a.count } else { vocabularySize = nil }
        chatTemplate = try m.optionalString("tokenizer.chat_template")
    }
}

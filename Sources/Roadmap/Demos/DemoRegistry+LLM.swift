import Foundation
import Learn
import Datasets
import LLM
import Plot
import SwiftLearnCore

/// Where the LLM demos and checkpoints find their GGUF model: `$SWIFTLEARN_LLM_MODEL`, else
/// `models/SmolLM2-135M-Instruct.Q4_1.gguf` under the current folder (what `scripts/fetch_models.sh`
/// writes). Without one, those demos are skipped with ``howToGet``.
public enum LanguageModelLocator {
    /// The environment variable naming a model file.
    public static let environmentVariable = "SWIFTLEARN_LLM_MODEL"
    /// The default model path, relative to the current folder.
    public static let defaultPath = "models/SmolLM2-135M-Instruct.Q4_1.gguf"
    /// What a skipped demo says.
    public static let howToGet = "needs a GGUF language model: run scripts/fetch_models.sh (SmolLM2-135M-Instruct, 98 MB, into models/) or set SWIFTLEARN_LLM_MODEL to a .gguf file"

    /// The model to use: the variable's path when set (even when missing, so a wrong path is an
    /// error rather than a silent skip), else the default path when that file exists.
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment,
                            folder: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL? {
        locateModel(variable: environmentVariable, defaultPath: defaultPath, environment: environment, folder: folder)
    }
}

/// One opened model per path, shared by the demos of a tour (opening maps the file and packs the
/// weights, which the demos need not repeat).
final class LoadedLanguageModels: @unchecked Sendable {
    static let shared = LoadedLanguageModels()
    private let lock = NSLock()
    private var cache: [String: (file: GGUFFile, generator: Generator)] = [:]

    func open(_ url: URL) throws -> (file: GGUFFile, generator: Generator) {
        lock.lock(); defer { lock.unlock() }
        if let hit = cache[url.path] { return hit }
        let file = try GGUFFile(contentsOf: url)
        let opened = (file, Generator(model: try LlamaModel(file: file), tokenizer: try GGUFTokenizer(file: file)))
        cache = [url.path: opened]            // keep one: a tour uses one model
        return opened
    }
}

extension DemoRegistry {
    /// Demos for large language models: quantisation (bundled data), and with a downloaded GGUF
    /// model, what an open-weight model file holds, text generation and sampling strategies.
    public static let largeLanguageModels: [Demo] = [
        Demo("language-models", "Language models: n-grams against a pretrained LLM",
             shows: "Byte n-gram models (orders 1–5, interpolated absolute discounting) trained on the bundled Shakespeare and scored on its last 6,000 characters in bits per byte; with a GGUF model, the LLM on the same text.") { ctx in
            let study = try LanguageModelStudy(heldOutCharacters: 6000, scoredCharacters: 1500)
            var names = study.ngramBitsPerByte.indices.map { "order \($0 + 1)" }
            var bits = study.ngramBitsPerByte
            var lines = zip(names, bits).map { "\($0): \(f($1)) bits per byte" }
            var passed = bits[2] < bits[1] && bits[1] < bits[0]
            var metrics = [("best_ngram_bits_per_byte", bits.min() ?? 0)]
            if let url = ctx.languageModel {
                let llm = try study.scoreWithLLM(url)
                names.append("LLM"); bits.append(llm.bitsPerByte)
                lines.append("\(llm.name): \(f(llm.bitsPerByte)) bits per byte (perplexity \(f(llm.perplexity, 2)) over \(llm.tokens) tokens)")
                passed = passed && llm.bitsPerByte < study.ngramBitsPerByte.min()!
                metrics.append(("llm_bits_per_byte", llm.bitsPerByte))
            } else {
                lines.append("LLM row skipped: \(LanguageModelLocator.howToGet)")
            }
            lines.append("(each model scored on the first \(study.scoredBytes) bytes of the held-out text; lower is better; 8 bits per byte is knowing nothing)")
            return DemoOutcome(passed: passed, result: lines.joined(separator: "\n"), metrics: metrics,
                               figures: [DemoFigure("bits-per-byte", BarChart(title: "Held-out bits per byte", yLabel: "bits per byte", categories: names, values: bits, showValues: true),
                                                    caption: "Longer contexts predict better until counts run out; the pretrained LLM uses far more context.")])
        },
        Demo("quantization", "Quantisation: 8, 5 and 4 bits per weight",
             shows: "A digits classifier's weights and 32,768 Gaussian weights stored in ggml's f16, q8_0, q5_1, q5_0, q4_1 and q4_0 blocks: bits per weight, reconstruction error and test accuracy.") { ctx in
            let s = try classificationSplit(.digits, ctx)
            let scaler = StandardScaler()
            let xTrain = try scaler.fitTransform(s.xTrain), xTest = try scaler.transform(s.xTest)
            let model = LogisticRegression(maxIter: 2000)
            try model.fit(xTrain, s.yTrain)
            let weights = model.coef.values.map { Float($0) }          // 10 classes × 64 pixels: 20 blocks of 32
            var rng = SplitMix64(seed: ctx.seed &+ 1)
            let gaussian = (0..<32_768).map { _ in Float(gaussianDraw(&rng)) }
            let types = ["f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0"]
            let exact = try accuracy(model, weights, xTest, s.yTest)
            var rows: [String] = ["type  bits/weight  rel. RMS error (Gaussian)  digits accuracy (float64: \(pct(exact)))"]
            var bits: [Double] = [], errors: [Double] = [], accuracies: [Double] = []
            for type in types {
                let g = try GGMLQuantizer.dequantize(try GGMLQuantizer.quantize(gaussian, as: type), as: type, count: gaussian.count)
                let w = try GGMLQuantizer.dequantize(try GGMLQuantizer.quantize(weights, as: type), as: type, count: weights.count)
                bits.append(GGMLQuantizer.bitsPerWeight(type) ?? 0)
                errors.append(relativeRMS(g, gaussian))
                accuracies.append(try accuracy(model, w, xTest, s.yTest))
                rows.append("\(type.padding(toLength: 6, withPad: " ", startingAt: 0))\(f(bits.last!, 1).padding(toLength: 13, withPad: " ", startingAt: 0))\(e(errors.last!).padding(toLength: 27, withPad: " ", startingAt: 0))\(pct(accuracies.last!))")
            }
            let fewerBitsMoreError = zip(errors, errors.dropFirst()).allSatisfy { $0 < $1 } && zip(bits, bits.dropFirst()).allSatisfy { $0 > $1 }
            return DemoOutcome(passed: fewerBitsMoreError && Swift.abs(accuracies[1] - exact) <= 0.01,
                               result: rows.joined(separator: "\n") + "\nq8_0 keeps the accuracy at 27% of float32's bytes; each block of 32 shares one float16 scale (and a minimum for the _1 types).",
                               metrics: [("q8_0_accuracy", accuracies[1]), ("q4_0_accuracy", accuracies[5]), ("q4_0_relative_rms", errors[5])],
                               figures: [DemoFigure("error", BarChart(title: "Relative RMS error on Gaussian weights", yLabel: "relative RMS error", categories: types, values: errors, showValues: true),
                                                    caption: "Each bit removed roughly doubles the error."),
                                         DemoFigure("accuracy", BarChart(title: "Digits test accuracy with quantised weights", yLabel: "accuracy", categories: ["float64"] + types, values: [exact] + accuracies, showValues: true),
                                                    caption: "A classifier tolerates coarse weights: its decisions depend on which score is largest.")])
        },
        Demo("open-weight-models", "Inside an open-weight model file",
             shows: "A GGUF file read without loading its weights: architecture, sizes, quantisation types, tokenizer and chat template, and what the KV cache costs per token.") { ctx in
            guard let url = ctx.languageModel else { return .skipped(LanguageModelLocator.howToGet) }
            let (file, generator) = try LoadedLanguageModels.shared.open(url)
            let summary = try ModelSummary(file: file)
            guard let c = summary.configuration else { throw LLMError.unsupported(path: url.path, what: "architecture \(summary.architecture)") }
            let kvBytesPerToken = 2 * c.layerCount * c.kvDimension * 2          // K and V, float16
            let bitsPerWeight = Double(summary.fileBytes * 8) / Double(summary.parameterCount)
            let template = try ChatTemplate(tokenizer: generator.tokenizer, path: url.path)
            let question = "What is a large language model?"
            let prompt = try template.render([.system("You are a helpful assistant."), .user(question)])
            let ids = generator.tokenizer.encode(prompt)
            let roundTrip = generator.tokenizer.decode(ids) == prompt || generator.tokenizer.decode(ids).hasSuffix(prompt)
            let lines = [
                "\(summary.name ?? url.lastPathComponent): \(summary.architecture), GGUF v\(summary.version), \(f(Double(summary.fileBytes) / 1e6, 1)) MB",
                "\(f(Double(summary.parameterCount) / 1e6, 1))M parameters, \(f(bitsPerWeight, 2)) bits per parameter on disk; tensor types: \(summary.tensorTypes.map { "\($0.type) ×\($0.count)" }.joined(separator: ", "))",
                "\(c.layerCount) layers, width \(c.dimension), \(c.headCount) query heads sharing \(c.kvHeadCount) key/value heads (grouped-query attention), feed-forward \(c.feedForwardDimension)",
                "context \(c.contextLength) tokens, RoPE base \(f(Double(c.ropeBase), 0)); KV cache \(kvBytesPerToken / 1024) KiB per token in float16 (\(f(Double(kvBytesPerToken * c.contextLength) / 1e6, 0)) MB for the full context)",
                "tokenizer: \(summary.tokenizerModel ?? "?") (\(summary.preTokenizer ?? "default") pre-tokenizer), \(summary.vocabularySize ?? 0) tokens",
                "chat template renders a system + user message as \(ids.count) tokens:",
                prompt.trimmingCharacters(in: .newlines),
            ]
            let bytes = summary.tensorTypes.map { t in
                Double(file.tensors.filter { $0.type.name == t.type }.map(\.byteCount).reduce(0, +)) / 1e6
            }
            return DemoOutcome(passed: prompt.contains(question) && roundTrip && bitsPerWeight > 1 && bitsPerWeight < 40,
                               result: lines.joined(separator: "\n"),
                               metrics: [("parameters", Double(summary.parameterCount)), ("bits_per_parameter", bitsPerWeight), ("kv_bytes_per_token", Double(kvBytesPerToken))],
                               figures: [DemoFigure("bytes-by-type", BarChart(title: "Megabytes by tensor type", yLabel: "MB", categories: summary.tensorTypes.map(\.type), values: bytes, showValues: true),
                                                    caption: "Where the file's bytes go.")])
        },
        Demo("text-generation", "Text generation with a pretrained LLM",
             shows: "A chat prompt through the model's template, then greedy decoding token by token: the reply, each token's log-probability, and the speed; the same prompt twice gives the same text.") { ctx in
            guard let url = ctx.languageModel else { return .skipped(LanguageModelLocator.howToGet) }
            let (_, generator) = try LoadedLanguageModels.shared.open(url)
            let template = try ChatTemplate(tokenizer: generator.tokenizer, path: url.path)
            let prompt = try template.render([.user("Name the four largest planets of the solar system.")])
            var logprobs: [Double] = [], pieces: [String] = []
            let first = try generator.generate(prompt: prompt, maxTokens: 48, sampling: .greedy, logprobs: 0) { token in
                if let lp = token.logprob { logprobs.append(Double(lp.logprob)); pieces.append(token.text) }
                return true
            }
            let second = try generator.generate(prompt: prompt, maxTokens: 48, sampling: .greedy)
            let confident = logprobs.filter { $0 > log(0.5) }.count
            return DemoOutcome(passed: !first.tokens.isEmpty && first.tokens == second.tokens,
                               result: "reply (\(first.tokens.count) tokens, \(first.finishReason.rawValue)): \(first.text.trimmingCharacters(in: .whitespacesAndNewlines))\n"
                                   + "\(confident) of \(logprobs.count) tokens had probability above 0.5; prompt \(first.promptTokens) tokens at \(f(first.promptTokensPerSecond, 0)) tokens/s, generation \(f(first.generationTokensPerSecond, 0)) tokens/s\n"
                                   + "greedy decoding is deterministic: a second run gave \(first.tokens == second.tokens ? "the same" : "DIFFERENT") tokens",
                               metrics: [("tokens", Double(first.tokens.count)), ("generation_tokens_per_second", first.generationTokensPerSecond)],
                               figures: [DemoFigure("token-logprobs", LineChart(title: "Log-probability of each generated token", xLabel: "token", yLabel: "log p",
                                                                                 series: [ChartSeries(name: "greedy", x: steps(logprobs.count), y: logprobs)]),
                                                    caption: "Dips are the places where the model hesitated between words.")])
        },
        Demo("attention", "Attention patterns of a pretrained model",
             shows: "The attention probabilities softmax(q·k/√d) of SmolLM2's heads over a sentence, recorded from its key cache: each row a query token, causal (no future keys), summing to 1; how much goes to the first token (the \"attention sink\") and to the previous token.") { ctx in
            guard let url = ctx.languageModel else { return .skipped(LanguageModelLocator.howToGet) }
            let (_, generator) = try LoadedLanguageModels.shared.open(url)
            let sentence = "The cat sat on the mat because it was tired, and then it slept."
            let ids = generator.tokenizer.encode(sentence, addSpecial: false)
            let layer = generator.model.configuration.layerCount / 2
            let session = try generator.model.makeSession(contextLength: ids.count)
            session.recordedAttentionLayer = layer
            _ = try session.evaluate(ids)
            let records = session.recordedAttention
            let heads = generator.model.configuration.headCount
            var worstSum: Float = 0, sink = 0.0, previous = 0.0, uniform = 0.0
            for r in records where r.position > 0 {
                for row in r.weights {
                    worstSum = max(worstSum, abs(row.reduce(0, +) - 1))
                    sink += Double(row[0]); previous += Double(row[r.position - 1]); uniform += 1 / Double(r.position + 1)
                }
            }
            let rows = Double((records.count - 1) * heads)
            sink /= rows; previous /= rows; uniform /= rows
            // The head that looks most at the previous token, drawn as a heatmap.
            func previousWeight(_ h: Int) -> Double {
                var total = 0.0
                for r in records where r.position > 0 { total += Double(r.weights[h][r.position - 1]) }
                return total
            }
            let head = (0..<heads).max { previousWeight($0) < previousWeight($1) } ?? 0
            let labels = ids.map { generator.tokenizer.decode([$0]).replacingOccurrences(of: " ", with: "·") }
            let matrix = records.map { r in (0..<ids.count).map { $0 <= r.position ? Double(r.weights[head][$0]) : 0 } }
            let causal = records.allSatisfy { r in r.weights.allSatisfy { $0.count == r.position + 1 } }
            return DemoOutcome(passed: causal && worstSum < 1e-4 && records.count == ids.count,
                               result: "layer \(layer) of \(generator.model.configuration.layerCount), \(heads) heads, \(ids.count) tokens\n"
                                   + "each row sums to 1 (worst |Σ−1| \(String(format: "%.1e", Double(worstSum)))), keys stop at the query's position (causal)\n"
                                   + "mean weight on the first token \(f(sink, 3)), on the previous token \(f(previous, 3)) (uniform would give \(f(uniform, 3)))\n"
                                   + "heatmap: head \(head), the one that attends most to the previous token",
                               metrics: [("first_token_weight", sink), ("previous_token_weight", previous), ("uniform_weight", uniform)],
                               figures: [DemoFigure("attention-head", HeatmapChart(title: "Layer \(layer), head \(head): attention of each token (row) to earlier ones",
                                                                                   rowLabels: labels, columnLabels: labels, values: matrix, valueDecimals: 2),
                                                    caption: "Lower triangle only: a decoder cannot look ahead. Bright first column: the attention sink.")])
        },
        Demo("sampling-strategies", "Sampling: temperature, top-k, top-p and min-p",
             shows: "One next-token distribution under three temperatures, how many candidates top-k, top-p and min-p keep, and seeded sampling: the same seed gives the same text.") { ctx in
            guard let url = ctx.languageModel else { return .skipped(LanguageModelLocator.howToGet) }
            let (_, generator) = try LoadedLanguageModels.shared.open(url)
            let prompt = "Once upon a time, in a small village by the sea, there lived a"
            let session = try generator.model.makeSession(contextLength: 256)
            let logits = try session.evaluate(generator.tokenizer.encode(prompt))
            let temperatures: [Float] = [0.5, 1.0, 1.5]
            let order = logits.indices.sorted { logits[$0] > logits[$1] }.prefix(8)
            var series: [(name: String, values: [Double])] = [], entropies: [Double] = []
            for t in temperatures {
                let p = softmax(logits.map { $0 / t })
                series.append(("T = \(f(Double(t), 1))", order.map { p[$0] }))
                entropies.append(p.reduce(0) { $1 > 0 ? $0 - $1 * log2($1) : $0 })
            }
            func kept(_ stage: Sampler.Stage, _ set: (inout SamplingParameters) -> Void) throws -> Int {
                var params = SamplingParameters(); set(&params)
                let sampler = try Sampler(params, vocabularySize: logits.count)
                return logits.withUnsafeBufferPointer { sampler.apply([stage], to: $0, history: []).ids.count }
            }
            let topK = try kept(.topK) { $0.topK = 40 }, topP = try kept(.topP) { $0.topP = 0.9 }, minP = try kept(.minP) { $0.minP = 0.05 }
            var sampling = SamplingParameters(); sampling.temperature = 0.8
            var texts: [String] = []
            for seed: UInt64 in [ctx.seed &+ 1, ctx.seed &+ 2, ctx.seed &+ 1] {
                sampling.seed = seed
                texts.append(try generator.generate(prompt: prompt, maxTokens: 16, sampling: sampling).text)
            }
            let pieces = order.map { generator.tokenizer.decode([$0]).replacingOccurrences(of: "\n", with: "⏎") }
            let entropyRises = zip(entropies, entropies.dropFirst()).allSatisfy { $0 < $1 }
            return DemoOutcome(passed: entropyRises && texts[0] == texts[2] && topK == 40,
                               result: "\"\(prompt)\" → most likely next tokens: \(pieces.map { "'\($0)'" }.joined(separator: ", "))\n"
                                   + "entropy: \(zip(temperatures, entropies).map { "T \(f(Double($0), 1)): \(f($1, 2)) bits" }.joined(separator: ", "))\n"
                                   + "candidates kept at T = 1: top-k 40 → \(topK), top-p 0.9 → \(topP), min-p 0.05 → \(minP) (of \(logits.count))\n"
                                   + "T = 0.8, seed \(ctx.seed &+ 1):\(texts[0])\nT = 0.8, seed \(ctx.seed &+ 2):\(texts[1])\nseed \(ctx.seed &+ 1) again gives \(texts[0] == texts[2] ? "the same" : "a DIFFERENT") text",
                               metrics: [("entropy_t1", entropies[1]), ("top_p_kept", Double(topP)), ("min_p_kept", Double(minP))],
                               figures: [DemoFigure("temperature", BarChart(title: "Next-token probabilities at three temperatures", yLabel: "probability",
                                                                             categories: pieces, series: series),
                                                    caption: "Low temperature sharpens the distribution; high temperature flattens it.")])
        },
    ]
}

/// Scores of the byte n-gram models and the LLM on the end of the bundled Shakespeare.
struct LanguageModelStudy {
    /// Bits per byte of the order-1…5 models on the scored bytes.
    let ngramBitsPerByte: [Double]
    /// The scored text (the start of the held-out part) and its byte count.
    let scoredText: String
    var scoredBytes: Int { scoredText.utf8.count }

    /// Trains on all but the last `heldOutCharacters` characters and scores the first
    /// `scoredCharacters` of the rest.
    init(heldOutCharacters: Int, scoredCharacters: Int) throws {
        let text = try BundledText.shakespeareTragedies.load()
        let split = text.index(text.endIndex, offsetBy: -heldOutCharacters)
        let scored = String(text[split...].prefix(scoredCharacters))
        let model = ByteNGramModel(order: 5, training: Array(text[..<split].utf8))
        scoredText = scored
        ngramBitsPerByte = (1...5).map { model.bitsPerByte(Array(scored.utf8), order: $0) }
    }

    /// The LLM's mean negative log-likelihood over the scored text's tokens, in bits per byte
    /// (total bits / bytes; the first token, which has no context, is not scored).
    func scoreWithLLM(_ url: URL) throws -> (name: String, bitsPerByte: Double, perplexity: Double, tokens: Int) {
        let (file, generator) = try LoadedLanguageModels.shared.open(url)
        let ids = generator.tokenizer.encode(scoredText, addSpecial: false, parseSpecial: false)
        let score = try generator.model.score(ids, context: min(512, generator.model.configuration.contextLength))
        let bits = score.tokens.reduce(0) { $0 - $1.logprob } / Foundation.log(2)
        let name = (try? file.metadata.optionalString("general.name")).flatMap { $0 } ?? url.lastPathComponent
        return (name, bits / Double(scoredBytes), score.perplexity, ids.count)
    }
}

/// Interpolated absolute discounting over bytes (Ney, Essen & Kneser 1994, without the
/// continuation counts of Kneser–Ney): P(c | h) = max(n(h c) − D, 0)/n(h) + D·N₁₊(h ·)/n(h) · P(c | h′),
/// where h′ drops the oldest byte, down to a uniform distribution over 256 bytes.
struct ByteNGramModel {
    let order: Int
    let discount = 0.75
    private var pairCounts: [UInt64: Int32] = [:]              // (length, context, byte)
    private var contextCounts: [UInt64: (total: Int32, distinct: Int32)] = [:]

    init(order: Int, training bytes: [UInt8]) {
        precondition((1...7).contains(order))
        self.order = order
        for i in bytes.indices {
            for n in 0..<min(order, i + 1) {                    // n bytes of context
                let h = Self.context(bytes, end: i, length: n)
                let key = Self.pair(h, bytes[i])
                let seen = pairCounts[key, default: 0]
                pairCounts[key] = seen + 1
                var c = contextCounts[h, default: (0, 0)]
                c.total += 1
                if seen == 0 { c.distinct += 1 }
                contextCounts[h] = c
            }
        }
    }

    /// Context key: its length in the top byte, then up to 7 bytes before `end`.
    static func context(_ bytes: [UInt8], end: Int, length: Int) -> UInt64 {
        var key = UInt64(length) << 56
        for k in 0..<length { key |= UInt64(bytes[end - 1 - k]) << (8 * UInt64(k)) }
        return key
    }

    static func pair(_ context: UInt64, _ byte: UInt8) -> UInt64 { context &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(byte) }

    /// P(bytes[i] | up to `order − 1` bytes before it).
    func probability(_ bytes: [UInt8], at i: Int, order: Int) -> Double {
        var p = 1.0 / 256
        for n in 0..<min(order, i + 1) {
            let h = Self.context(bytes, end: i, length: n)
            guard let c = contextCounts[h] else { break }       // longer contexts are unseen too
            let count = Double(pairCounts[Self.pair(h, bytes[i])] ?? 0), total = Double(c.total)
            p = max(count - discount, 0) / total + discount * Double(c.distinct) / total * p
        }
        return p
    }

    /// Mean bits per byte of `bytes` under the model truncated to `order`.
    func bitsPerByte(_ bytes: [UInt8], order: Int) -> Double {
        bytes.indices.reduce(0.0) { $0 - log2(probability(bytes, at: $1, order: order)) } / Double(bytes.count)
    }
}

/// A standard normal draw (Box–Muller).
func gaussianDraw(_ rng: inout SplitMix64) -> Double {
    let u = max(rng.uniform(), 1e-300), v = rng.uniform()
    return (-2 * Foundation.log(u)).squareRoot() * cos(2 * Double.pi * v)
}

/// ‖a − b‖ / ‖b‖.
func relativeRMS(_ a: [Float], _ b: [Float]) -> Double {
    let num = zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
    let den = b.reduce(0.0) { $0 + Double($1) * Double($1) }
    return (num / den).squareRoot()
}

/// Softmax in double.
func softmax(_ logits: [Float]) -> [Double] {
    let m = Double(logits.max() ?? 0)
    let e = logits.map { Foundation.exp(Double($0) - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}

/// Test accuracy of a fitted logistic regression with its coefficients replaced by `weights`
/// (row-major, classes × features).
func accuracy(_ model: LogisticRegression, _ weights: [Float], _ x: Matrix, _ y: [Int]) throws -> Double {
    let k = model.coef.rows, d = model.coef.columns
    var predicted: [Int] = []
    for r in 0..<x.rows {
        var best = 0, bestScore = -Double.infinity
        for c in 0..<k {
            var s = model.intercept[c]
            for j in 0..<d { s += Double(weights[c * d + j]) * x[r, j] }
            if s > bestScore { best = c; bestScore = s }
        }
        predicted.append(model.classes[best])
    }
    return try Metrics.accuracy(y, predicted)
}

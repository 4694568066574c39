import Datasets
import Foundation
import LLM
import LMTraining

extension CheckpointRegistry {
    /// Checkpoint projects of training transformers (the `LMTraining` module; minutes on 2 cores).
    public static let lmTraining: [Checkpoint] = [
        Checkpoint("gpt-shakespeare", "Train a character-level GPT on Shakespeare",
                   topics: ["llm-from-scratch", "gpt"], criterion: "the gpt-shakespeare-char recipe's defaults (4 layers × 4 heads × 128, context 128, 6000 AdamW steps or 14 minutes on 2 cores) reach a validation loss ≤ 1.60 nats per character, and the exported GGUF samples text through the LLM runtime",
                   quick: false) { ctx in
            let r = try GPTRecipe.shakespeareChar.run(settings: ["seed=\(ctx.seed)"], sampleLength: 300)
            let sample = r.sample ?? ""
            return DemoOutcome(passed: r.validationLoss <= 1.60 && sample.count > 200,
                               result: "validation loss \(f(r.validationLoss, 3)) nats/char after \(r.training.iterations) steps in \(f(r.training.seconds, 0)) s (\(f(r.training.tokensPerSecond, 0)) tokens/s); sample: \(String(reflecting: String(sample.prefix(120))))",
                               metrics: [("val_loss", r.validationLoss), ("tokens_per_second", r.training.tokensPerSecond)])
        },
        Checkpoint("lora-sentiment", "Fine-tune SmolLM2 with LoRA until it answers in one word",
                   topics: ["lora-qlora", "instruction-tuning", "fine-tuning-pretrained"], criterion: "swiftlearn finetune's defaults (LoRA r 8, α 16 on q_proj and v_proj, 2 epochs over 240 words of the bundled word_sentiment set) lower the held-out loss and reach an exact match of at least 90% on 100 unseen words, where the base model scores 0%",
                   quick: false) { ctx in
            guard let url = ctx.languageModel else { return .skipped(LanguageModelLocator.howToGet) }
            let file = try GGUFFile(contentsOf: url)
            let tuner = try FineTuner(model: try LlamaCausalLM.load(gguf: file), file: file)
            let train = Array(try BundledInstructions.wordSentiment.load(.train).prefix(240))
            let test = Array(try BundledInstructions.wordSentiment.load(.test).prefix(100))
            let lossBefore = try tuner.loss(test), before = try tuner.exactMatch(test).rate
            var options = FineTuneOptions(method: .lora)
            options.seed = ctx.seed
            try tuner.train(train, options: options)
            let lossAfter = try tuner.loss(test), after = try tuner.exactMatch(test).rate
            return DemoOutcome(passed: after >= 0.9 && lossAfter < lossBefore,
                               result: "held-out loss \(f(lossBefore, 3)) → \(f(lossAfter, 3)); exact match \(pct(before)) → \(pct(after)) on 100 unseen words",
                               metrics: [("exact_match", after), ("held_out_loss", lossAfter)])
        },
    ]
}

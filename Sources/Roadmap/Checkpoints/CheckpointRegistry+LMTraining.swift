import Foundation
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
    ]
}

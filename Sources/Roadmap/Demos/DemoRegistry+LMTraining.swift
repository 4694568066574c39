import Datasets
import Foundation
import LLM
import LMTraining
import Neural
import Plot
import Tensors

extension DemoRegistry {
    /// Demos for training transformers, on `Neural.GPT` and the `LMTraining` module.
    public static let lmTraining: [Demo] = [
        Demo("gpt", "A GPT cannot see the future, and learns Shakespeare's letters anyway",
             shows: "A 2-layer GPT (width 32, context 32): changing the last token of a window leaves every earlier position's logits unchanged (causal attention), the fused attention kernel equals softmax(QKᵀ/√d)·V written out, and 250 AdamW steps on the tragedies' characters take the validation loss from ln 74 ≈ 4.3 nats towards the letters' frequencies and beyond.") { ctx in
            let text = try BundledText.shakespeareTragedies.load()
            let vocabulary = CharacterVocabulary(text: text)
            let ids = try vocabulary.encode(text).map(Int64.init)
            let split = ids.count * 9 / 10
            let model = GPT(GPTConfiguration(vocabularySize: vocabulary.size, contextLength: 32, layers: 2, heads: 2, embedding: 32),
                            generator: RandomGenerator(seed: ctx.seed))
            model.eval()
            // Causality: perturb the last token; the logits of every earlier position must not move.
            let window = Array(ids[1000..<1032])
            var changed = window
            changed[31] = (changed[31] + 1) % Int64(vocabulary.characters.count)
            let a = model(Tensor(window, shape: [1, 32])).toArray(as: Float.self), b = model(Tensor(changed, shape: [1, 32])).toArray(as: Float.self)
            let earlier = 31 * vocabulary.size
            let causal = zip(a.prefix(earlier), b.prefix(earlier)).allSatisfy { $0 == $1 } && a.suffix(vocabulary.size) != b.suffix(vocabulary.size)
            // The fused kernel against the formula.
            let g = RandomGenerator(seed: ctx.seed &+ 1)
            let q = Tensor.randn([2, 3, 8, 4], dtype: .float64, generator: g), k = Tensor.randn([2, 3, 8, 4], dtype: .float64, generator: g)
            let v = Tensor.randn([2, 3, 8, 4], dtype: .float64, generator: g)
            let mask = Tensor((0..<64).map { $0 % 8 > $0 / 8 ? -Double.infinity : 0 }, shape: [8, 8])
            let written = ((q.matmul(k.transposed(-2, -1)) * 0.5 + mask).softmax(axis: -1)).matmul(v)
            let fusedError = zip(scaledDotProductAttention(q, k, v, isCausal: true).scalars, written.scalars).map { abs($0 - $1) }.max() ?? .nan
            // A short training run.
            model.train()
            var options = GPTTrainingOptions()
            options.iterations = 250; options.batchSize = 16; options.learningRate = 3e-3; options.warmupIterations = 10
            options.evaluationInterval = 25; options.evaluationIterations = 4; options.seed = ctx.seed
            let trainer = try GPTTrainer(model: model, options: options)
            let before = trainer.estimateLoss(train: Array(ids[..<split]), validation: Array(ids[split...]))
            let result = try trainer.train(train: Array(ids[..<split]), validation: Array(ids[split...]))
            let after = result.evaluations.last?.validationLoss ?? .nan
            let steps = [0.0] + result.evaluations.map { Double($0.iteration) }
            let curve = [before.validation] + result.evaluations.map(\.validationLoss)
            return DemoOutcome(passed: causal && fusedError < 1e-12 && after < before.validation - 1,
                               result: "earlier logits unchanged by a later token: \(causal ? "yes" : "NO"); fused attention vs the formula: largest difference \(String(format: "%.1e", fusedError)); validation loss \(f(before.validation, 2)) → \(f(after, 2)) nats/char in 250 steps (\(f(result.tokensPerSecond, 0)) tokens/s)",
                               metrics: [("val_loss", after), ("fused_attention_error", fusedError)],
                               figures: [DemoFigure("loss", LineChart(title: "Tiny GPT on Shakespeare: validation loss", xLabel: "step", yLabel: "nats per character",
                                                                      series: [ChartSeries(name: "validation", x: steps, y: curve)], showMarkers: true),
                                                    caption: "From uniform guessing (ln 74) through letter frequencies to common words.")])
        },
        Demo("llm-from-scratch", "Train a GPT, save it, and run it in the LLM runtime",
             shows: "The gpt-shakespeare-char recipe shrunk to 2 layers × 64 and 300 steps: the trained model is saved as a checkpoint and reloaded exactly, exported to GGUF (GPT-2 architecture, a character tokenizer) where LlamaModel computes the same logits, and sampled through the runtime.") { ctx in
            let r = try GPTRecipe.shakespeareChar.run(settings: ["n_layer=2", "n_head=4", "n_embd=64", "block_size=64", "iterations=300", "batch_size=16",
                                                                 "learning_rate=3e-3", "warmup_iters=10", "eval_interval=100", "eval_iters=4", "seed=\(ctx.seed)"],
                                                      sampleLength: 120)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlearn-demo-gpt-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            try GPTExport.save(r.model, vocabulary: r.vocabulary, to: dir)
            let (reloaded, _) = try GPTExport.load(from: dir)
            reloaded.eval()
            let prompt = try r.vocabulary.encode("Ham.\nTo be, or not to be")
            let ours = r.model(Tensor(prompt.map(Int64.init), shape: [1, prompt.count])).toArray(as: Float.self)
            let same = reloaded(Tensor(prompt.map(Int64.init), shape: [1, prompt.count])).toArray(as: Float.self) == ours
            let file = try GGUFFile(data: Data(try GPTExport.gguf(r.model, vocabulary: r.vocabulary)))
            let session = try LlamaModel(file: file, precision: .float32).makeSession()
            var worst: Float = 0
            for (i, id) in prompt.enumerated() {
                let logits = try session.evaluate(id)
                for j in 0..<logits.count { worst = max(worst, abs(logits[j] - ours[i * logits.count + j]) / (1 + abs(ours[i * logits.count + j]))) }
            }
            let sample = r.sample ?? ""
            return DemoOutcome(passed: same && worst <= 1e-4 && r.validationLoss < 2.7 && sample.count > 100,
                               result: "validation loss \(f(r.validationLoss, 2)) nats/char after 300 steps; checkpoint reloads \(same ? "exactly" : "WITH DIFFERENCES"); GGUF in LlamaModel: largest logit difference \(String(format: "%.1e", Double(worst))); sample: \(String(reflecting: String(sample.prefix(80))))",
                               metrics: [("val_loss", r.validationLoss), ("gguf_logit_difference", Double(worst))])
        },
        Demo("lora-qlora", "LoRA teaches SmolLM2 a one-word answer with 0.3% of its weights",
             shows: "Rank-8 adapters on q_proj and v_proj of SmolLM2-135M-Instruct (460,800 trainable weights against 135 million frozen ones) trained for two epochs on 128 words of the VADER lexicon: the model stops answering in sentences and says positive or negative, on 32 held-out words.",
             quick: false) { ctx in
            guard let url = ctx.languageModel else { return .skipped(LanguageModelLocator.howToGet) }
            let file = try GGUFFile(contentsOf: url)
            let tuner = try FineTuner(model: try LlamaCausalLM.load(gguf: file), file: file)
            let train = Array(try BundledInstructions.wordSentiment.load(.train).prefix(128))
            let test = Array(try BundledInstructions.wordSentiment.load(.test).prefix(32))
            let lossBefore = try tuner.loss(test), (before, answersBefore) = try tuner.exactMatch(test)
            var options = FineTuneOptions(method: .lora)
            options.epochs = 2; options.seed = ctx.seed
            try tuner.train(train, options: options)
            let lossAfter = try tuner.loss(test), (after, answersAfter) = try tuner.exactMatch(test)
            let trainable = LoRA.peftTensors(tuner.model).reduce(0) { $0 + $1.tensor.count }
            return DemoOutcome(passed: after >= 0.8 && after > before && lossAfter < lossBefore,
                               result: "held-out loss \(f(lossBefore, 2)) → \(f(lossAfter, 2)) nats/token; exact match \(pct(before)) → \(pct(after)) on 32 unseen words (\(trainable) trainable weights); \(String(reflecting: test[0].prompt)): before \(String(reflecting: answersBefore[0])), after \(String(reflecting: answersAfter[0]))",
                               metrics: [("exact_match", after), ("held_out_loss", lossAfter)])
        },
        Demo("instruction-tuning", "What an instruction example looks like to the model",
             shows: "One example of the bundled word_sentiment set rendered with SmolLM2's own chat template: the prompt's tokens are context only (loss mask −100) and only the answer and <|im_end|> are trained on; the base model's greedy answers to 8 unseen words, before any tuning, show why the set exists.") { ctx in
            guard let url = ctx.languageModel else { return .skipped(LanguageModelLocator.howToGet) }
            let file = try GGUFFile(contentsOf: url)
            let tuner = try FineTuner(model: try LlamaCausalLM.load(gguf: file), file: file)
            let example = try BundledInstructions.wordSentiment.load(.train)[0]
            let (ids, promptCount) = try tuner.encode(example, maxLength: 512)
            let trained = tuner.tokenizer.decode(Array(ids[promptCount...]))
            let test = Array(try BundledInstructions.wordSentiment.load(.test).prefix(8))
            let (rate, answers) = try tuner.exactMatch(test)
            return DemoOutcome(passed: promptCount > 10 && ids.count - promptCount >= 2 && ids.last == tuner.endOfTurn,
                               result: "\(ids.count) tokens, \(promptCount) of them prompt (masked), trained on \(String(reflecting: trained)); the untuned model's exact match on 8 unseen words \(pct(rate)), e.g. \(String(reflecting: answers.first ?? ""))",
                               metrics: [("prompt_tokens", Double(promptCount)), ("base_exact_match", rate)])
        },
        Demo("full-fine-tuning", "Full fine-tuning moves every weight, and costs memory for each",
             shows: "SmolLM2-135M-Instruct with every one of its 134.5 million weights trainable, one epoch over 64 words of the word_sentiment set (AdamW 5e-5): the held-out loss falls as with LoRA, but gradients and two AdamW moments for every weight take about 1.6 GB more than the model.",
             quick: false) { ctx in
            guard let url = ctx.languageModel else { return .skipped(LanguageModelLocator.howToGet) }
            let file = try GGUFFile(contentsOf: url)
            let tuner = try FineTuner(model: try LlamaCausalLM.load(gguf: file), file: file)
            let train = Array(try BundledInstructions.wordSentiment.load(.train).prefix(64))
            let test = Array(try BundledInstructions.wordSentiment.load(.test).prefix(32))
            let before = try tuner.loss(test)
            var options = FineTuneOptions(method: .full)
            options.epochs = 1; options.learningRate = 5e-5; options.seed = ctx.seed
            let history = try tuner.train(train, options: options)
            let after = try tuner.loss(test)
            let weights = tuner.model.parameters().reduce(0) { $0 + $1.value.count }
            let stateMB = Double(weights * 4 * 3) / 1e6   // gradient + two AdamW moments, float32
            return DemoOutcome(passed: after < before,
                               result: "held-out loss \(f(before, 3)) → \(f(after, 3)) nats/token after one epoch (\(f(history.last?.seconds ?? 0, 0)) s); \(weights) trainable weights, whose gradients and AdamW moments alone take \(f(stateMB, 0)) MB",
                               metrics: [("held_out_loss", after), ("optimizer_state_mb", stateMB)])
        },
    ]
}

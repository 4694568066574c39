import Foundation
import Neural
import Tensors

/// A toy sequence-generation task for GRPO: given a prompt, emit `length` tokens from a
/// vocabulary of `vocabulary` and be rewarded for the whole sequence — the shape of RL on a
/// language model's completions, small enough to train in seconds.
public protocol SequenceTask: Sendable {
    /// Number of distinct prompts (prompt ids are 0..<promptCount).
    var promptCount: Int { get }
    /// Tokens per answer.
    var length: Int { get }
    /// Vocabulary size.
    var vocabulary: Int { get }
    /// The reward of an answer (the only feedback: no per-token signal).
    func reward(prompt: Int, tokens: [Int]) -> Double
}

/// Write two digits whose sum is the prompt (0…18): reward 1 for a correct pair, else 0. A
/// random policy is right about 1 time in 10; the answer for 9 has ten solutions, for 0 and 18 one.
public struct DigitSumTask: SequenceTask {
    /// 19 prompts (sums 0…18), two tokens, ten digits.
    public let promptCount = 19, length = 2, vocabulary = 10
    /// The task.
    public init() {}
    /// 1 when the two digits sum to the prompt, else 0.
    public func reward(prompt: Int, tokens: [Int]) -> Double { tokens.reduce(0, +) == prompt ? 1 : 0 }
}

/// Group Relative Policy Optimization (Shao et al., 2024, DeepSeekMath), as TRL's `GRPOTrainer`
/// computes its loss: for each prompt, `group_size` answers are sampled from the current policy;
/// each answer's advantage is its reward standardised within its group (no value network);
/// every token of the answer gets that advantage in PPO's clipped ratio objective, minus β times
/// the k3 estimate of KL(π‖π_ref) to the frozen starting policy. The policy is an MLP over the
/// one-hot prompt and the one-hot tokens written so far.
public final class GRPOTrainer {
    /// Settings (TRL's names).
    public struct Settings: Sendable {
        /// Answers sampled per prompt (TRL's `num_generations`).
        public var groupSize = 8
        /// Prompts per update.
        public var promptsPerBatch = 16
        /// Adam's step size.
        public var learningRate = 3e-3
        /// Clip range ε of the ratio.
        public var epsilon = 0.2
        /// Weight β of the KL penalty to the reference policy.
        public var beta = 0.04
        /// Gradient steps per sampled batch (TRL's `num_iterations`, μ).
        public var iterations = 1
        /// Hidden layer widths.
        public var netArch = [64, 64]
        /// Defaults as above.
        public init() {}
    }

    /// The task.
    public let task: SequenceTask
    /// The settings.
    public let settings: Settings
    let policy: Sequential, reference: Sequential
    let optimizer: Adam
    var rng: NumPyGenerator
    let inputWidth: Int

    /// A fresh policy for `task`; the reference policy is a frozen copy of it.
    public init(task: SequenceTask, settings: Settings = Settings(), seed: UInt64 = 0) throws {
        guard task.promptCount >= 1, task.length >= 1, task.vocabulary >= 2,
              task.promptCount + task.length * task.vocabulary <= 1 << 16 else {
            throw RLError.invalidArgument("a sequence task needs ≥ 1 prompt, ≥ 1 token, ≥ 2 symbols, and a one-hot input under 65536")
        }
        guard settings.groupSize >= 2, settings.promptsPerBatch >= 1, settings.iterations >= 1, settings.learningRate > 0,
              settings.epsilon > 0, settings.beta >= 0, settings.netArch.allSatisfy({ $0 >= 1 && $0 <= 65_536 }) else {
            throw RLError.invalidArgument("GRPO: group size ≥ 2, ≥ 1 prompt per batch, ≥ 1 iteration, positive learning rate and ε, β ≥ 0")
        }
        inputWidth = task.promptCount + task.length * task.vocabulary
        let widths = [inputWidth] + settings.netArch + [task.vocabulary]
        guard zip(widths, widths.dropFirst()).reduce(0, { $0 + $1.0 * $1.1 }) <= DeepAgent.maxParametersPerNetwork else {
            throw RLError.invalidArgument("GRPO: the policy network would exceed \(DeepAgent.maxParametersPerNetwork) parameters")
        }
        self.task = task; self.settings = settings
        let g = RandomGenerator(seed: seed)
        policy = Networks.mlp(inputWidth, settings.netArch, activation: "tanh", output: task.vocabulary, generator: g)
        reference = Networks.mlp(inputWidth, settings.netArch, activation: "tanh", output: task.vocabulary, generator: g)
        Networks.hardUpdate(from: policy.parameters(), to: reference.parameters())
        Networks.setTrainable(reference.parameters(), false)
        optimizer = Adam(policy.parameters(), learningRate: settings.learningRate)
        rng = NumPyGenerator(seed: seed &+ 1)
    }

    /// The network input for the next token after `prefix`.
    func input(prompt: Int, prefix: [Int]) -> [Float] {
        var x = [Float](repeating: 0, count: inputWidth)
        x[prompt] = 1
        for (i, t) in prefix.enumerated() { x[task.promptCount + i * task.vocabulary + t] = 1 }
        return x
    }

    /// One answer: sampled, or greedy token by token.
    public func generate(prompt: Int, greedy: Bool = false) -> [Int] {
        var tokens: [Int] = []
        for _ in 0..<task.length {
            let logits = GradMode.withoutGrad { policy(Networks.batch([input(prompt: prompt, prefix: tokens)])) }.toArray(as: Float.self)
            tokens.append(greedy ? Distributions.argmax(logits[...]) : Distributions.sampleCategorical(logits[...], &rng))
        }
        return tokens
    }

    /// Fraction of prompts the greedy answer solves (reward ≥ `threshold`).
    public func greedyAccuracy(threshold: Double = 1) -> Double {
        Double((0..<task.promptCount).filter { task.reward(prompt: $0, tokens: generate(prompt: $0, greedy: true)) >= threshold }.count) / Double(task.promptCount)
    }

    /// One GRPO update: sample a batch of groups, then `iterations` gradient steps on it.
    /// Returns the batch's mean reward, the loss and the mean KL estimate.
    @discardableResult
    public func step() -> (meanReward: Double, loss: Double, kl: Double) {
        let g = settings.groupSize, l = task.length
        var inputs: [Float] = [], chosen: [Int] = [], advantages: [Float] = [], rewards: [Double] = []
        for _ in 0..<settings.promptsPerBatch {
            let prompt = rng.integers(0, task.promptCount)
            let answers = (0..<g).map { _ in generate(prompt: prompt) }
            let r = answers.map { task.reward(prompt: prompt, tokens: $0) }
            rewards += r
            let mean = r.reduce(0, +) / Double(g)
            let std = (r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(g - 1)).squareRoot()
            for (answer, reward) in zip(answers, r) {
                for t in 0..<l {
                    inputs += input(prompt: prompt, prefix: Array(answer[..<t]))
                    chosen.append(answer[t])
                    advantages.append(Float((reward - mean) / (std + 1e-4)))
                }
            }
        }
        let rows = chosen.count
        let x = Networks.batch(inputs, rows: rows, width: inputWidth)
        let index = Tensor(chosen.map { Int64($0) }, shape: [rows, 1])
        func logProb(_ net: Sequential) -> Tensor { net(x).logSoftmax(axis: -1).gather(axis: 1, index: index).reshaped([rows]) }
        let old = GradMode.withoutGrad { logProb(policy) }.detached()
        let ref = GradMode.withoutGrad { logProb(reference) }.detached()
        let adv = Tensor(advantages)
        var loss = 0.0, kl = 0.0
        for _ in 0..<settings.iterations {
            let logp = logProb(policy)
            let ratio = (logp - old).exp()
            let surrogate = Tensor.minimum(ratio * adv, ratio.clamp(min: 1 - settings.epsilon, max: 1 + settings.epsilon) * adv)
            // k3 estimator of KL(π‖π_ref): exp(ref − logp) − (ref − logp) − 1 ≥ 0.
            let d = ref - logp
            let klTerm = d.exp() - d - 1
            let objective = (surrogate - klTerm * settings.beta).mean()
            let lossT = -objective
            optimizer.zeroGrad()
            lossT.backward()
            optimizer.step()
            loss = lossT.item(); kl = klTerm.mean().item()
        }
        return (rewards.reduce(0, +) / Double(rewards.count), loss, kl)
    }
}

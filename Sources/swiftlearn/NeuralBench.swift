import ArgumentParser
import Foundation
import SwiftLearn

/// `swiftlearn bench neural`: training-step throughput of typical small networks and conv2d
/// forward speed, on random data with fixed seeds. `benchmarks/compare_neural.py` runs the same
/// workloads in PyTorch in the same run and prints the ratios.
///
/// Workloads (one JSON line each with `name`, `steps_per_second`, `threads`):
/// - `mlp`: MLP 784-256-128-10, batch 128, cross-entropy, Adam — forward, backward, step.
/// - `lenet`: LeNet-5 on 1×28×28, batch 64, cross-entropy, Adam.
/// - `lstm`: LSTM (input 32, hidden 128), sequence 50, batch 32, linear head on the last
///   step, MSE, Adam.
/// - `gpt`: nanoGPT-style GPT (4 layers, 4 heads, width 128, context 128, vocabulary 65), batch 16,
///   cross-entropy, AdamW (lr 1e-3, weight decay 0.1 on matrices, betas 0.9/0.99); also reports
///   `tokens_per_second` (16 × 128 tokens per step).
/// - `conv2d`: forward of a 3×3 convolution 32→64 channels on 64×32×28×28 (padding 1), with
///   `gflops` = 2·N·C_out·H·W·C_in·9 / time.
struct NeuralBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neural",
        abstract: "Training steps per second of an MLP, LeNet-5, an LSTM and a small GPT; conv2d forward GFLOP/s."
    )

    @Option(help: "Timed runs per workload (the median is reported).") var runs = 5
    @Option(help: "Training steps per timed run.") var steps = 20
    @Option(help: "Only run workloads whose name contains this text.") var filter: String?
    @Flag(help: "One JSON object per line.") var json = false

    func validate() throws {
        try checkRange(runs, option: "--runs", 1...maximumRuns)
        try checkRange(steps, option: "--steps", 1...100_000)
    }

    func run() throws {
        let g = RandomGenerator(seed: 0)
        func report(_ name: String, _ fields: [(String, JSONValue)]) {
            let all: [(String, JSONValue)] = [("name", .string(name))] + fields + [("threads", .int(CPU.count))]
            if json { print(JSONLine(all).text) } else { print(all.map { "\($0.0) \($0.1)" }.joined(separator: "  ")) }
            fflush(stdout)
        }
        func wanted(_ name: String) -> Bool { filter.map { name.contains($0) } ?? true }

        /// Times `steps` training steps of `model` on one fixed batch.
        func trainingSteps(_ name: String, _ model: Module, _ x: Tensor, _ loss: @escaping (Tensor) -> Tensor) {
            let optimizer = Adam(model.parameters(), learningRate: 1e-3)
            let seconds = medianSeconds(runs: runs) {
                for _ in 0..<steps {
                    optimizer.zeroGrad()
                    let l = loss(model(x))
                    l.backward()
                    optimizer.step()
                }
            }
            report(name, [("steps_per_second", .double(Double(steps) / seconds)), ("batch", .int(x.shape[0]))])
        }

        if wanted("mlp") {
            let model = Sequential(Linear(784, 256, generator: g), ReLU(), Linear(256, 128, generator: g), ReLU(),
                                   Linear(128, 10, generator: g))
            let x = Tensor.randn([128, 784], generator: g)
            let y = Tensor.randint(0, 10, [128], generator: g)
            trainingSteps("mlp", model, x) { crossEntropy($0, y) }
        }
        if wanted("lenet") {
            let model = LeNet5(generator: g)
            let x = Tensor.randn([64, 1, 28, 28], generator: g)
            let y = Tensor.randint(0, 10, [64], generator: g)
            trainingSteps("lenet", model, x) { crossEntropy($0, y) }
        }
        if wanted("lstm") {
            let lstm = LSTM(inputSize: 32, hiddenSize: 128, batchFirst: true, generator: g)
            let head = Linear(128, 1, generator: g)
            let model = Sequential(lstm, LastStep(), head)
            let x = Tensor.randn([32, 50, 32], generator: g)
            let y = Tensor.randn([32, 1], generator: g)
            trainingSteps("lstm", model, x) { mseLoss($0, y) }
        }
        if wanted("gpt") {
            let config = GPTConfiguration(vocabularySize: 65, contextLength: 128, layers: 4, heads: 4, embedding: 128)
            let model = GPT(config, generator: g)
            let (batch, t) = (16, config.contextLength)
            let idx = Tensor.randint(0, 65, [batch, t], generator: g), targets = Tensor.randint(0, 65, [batch, t], generator: g)
            let optimizer = AdamW(groups: model.parameterGroups(weightDecay: 0.1), learningRate: 1e-3, betas: (0.9, 0.99))
            let seconds = medianSeconds(runs: runs) {
                for _ in 0..<steps {
                    optimizer.zeroGrad()
                    model.loss(idx, targets: targets).backward()
                    optimizer.step()
                }
            }
            report("gpt", [("steps_per_second", .double(Double(steps) / seconds)),
                           ("tokens_per_second", .double(Double(steps * batch * t) / seconds)), ("batch", .int(batch))])
        }
        if wanted("conv2d") {
            let conv = Conv2d(32, 64, kernelSize: 3, padding: 1, generator: g)
            let x = Tensor.randn([64, 32, 28, 28], generator: g)
            let seconds = GradMode.withoutGrad { medianSeconds(runs: runs) { blackHole(conv(x)) } }
            let flops = 2.0 * 64 * 64 * 28 * 28 * 32 * 9
            report("conv2d", [("steps_per_second", .double(1 / seconds)), ("gflops", .double(flops / seconds / 1e9)),
                              ("batch", .int(64))])
        }
    }
}

/// Runs an LSTM on `[B, T, F]` and keeps the last step's output `[B, H]` (for Sequential).
private final class LastStep: Module {
    override func forward(_ x: Tensor) -> Tensor {
        let t = x.shape[1]
        return x.slice(axis: 1, t - 1, t).reshaped([x.shape[0], x.shape[2]])
    }
}

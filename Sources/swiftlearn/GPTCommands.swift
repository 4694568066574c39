import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

extension TrainCommand {
    /// Trains a GPT recipe: a line per loss estimate (`iter`, `train_loss`, `val_loss`, `lr`,
    /// `seconds`, `tokens_per_second`), a final object with the validation loss and the files
    /// written, the training curve, and a sample drawn through the LLM runtime.
    func runGPT(_ chosen: GPTRecipe) throws {
        let plotPath = plot == "none" ? nil : plot ?? "\(chosen.rawValue)-curves.svg"
        if let plotPath { try prepareOutputFile(plotPath, option: "--plot") }
        if let output { try prepareOutputFile(URL(fileURLWithPath: output).appendingPathComponent("config.json").path, option: "--output") }
        var settings = self.settings
        if let batchSize { settings.append("batch_size=\(batchSize)") }
        if let lr { settings.append("learning_rate=\(lr)") }
        if let iterations { settings.append("iterations=\(iterations)") }
        if let timeBudget { settings.append("time_budget=\(timeBudget)") }
        settings.append("seed=\(seed)")
        // Settings are checked before anything is trained (and before a tracked run starts).
        var config = chosen.defaultConfiguration(vocabularySize: 2), training = chosen.defaultTraining
        do { try GPTRecipe.apply(settings, to: &config, &training) } catch { throw ValidationError(readableReason(error)) }
        let tracked = try tracking.start(defaultExperiment: "train-\(chosen.rawValue)", params: [
            ("recipe", chosen.rawValue), ("n_layer", String(config.layers)), ("n_head", String(config.heads)), ("n_embd", String(config.embedding)),
            ("block_size", String(config.contextLength)), ("iterations", String(training.iterations)), ("batch_size", String(training.batchSize)),
            ("learning_rate", "\(training.learningRate)"), ("seed", String(seed))])
        try TrackedCommandRun.around(tracked) {
            let result = try chosen.run(settings: settings, trainingLimit: limit, output: output.map { URL(fileURLWithPath: $0) }) { e in
                let fields: [(String, JSONValue)] = [("iter", .int(e.iteration)), ("train_loss", .double(e.trainLoss)),
                                                     ("val_loss", .double(e.validationLoss)), ("lr", .double(e.learningRate)),
                                                     ("seconds", .double(e.seconds)), ("tokens_per_second", .double(e.tokensPerSecond))]
                tracked?.metrics([("train_loss", e.trainLoss), ("val_loss", e.validationLoss), ("lr", e.learningRate),
                                  ("tokens_per_second", e.tokensPerSecond)], step: e.iteration)
                if json { print(JSONLine(fields).text) } else { print(fields.map { "\($0.0) \($0.1)" }.joined(separator: "  ")) }
                fflush(stdout)
            }
            let t = result.training
            var final: [(String, JSONValue)] = [("final", .bool(true)), ("recipe", .string(chosen.rawValue)),
                                                ("val_loss", .double(result.validationLoss)), ("perplexity", .double(exp(result.validationLoss))),
                                                ("bits_per_char", .double(result.validationLoss / log(2))), ("iterations", .int(t.iterations)),
                                                ("seconds", .double(t.seconds)), ("tokens_per_second", .double(t.tokensPerSecond)),
                                                ("parameters", .int(result.model.configuration.parameterCount))]
            tracked?.metrics([("final_val_loss", result.validationLoss), ("train_seconds", t.seconds)], step: t.iterations)
            if !result.files.isEmpty {
                final.append(("files", .string(result.files.joined(separator: ", "))))
                for f in result.files { tracked?.artifact(f) }
            }
            if let plotPath, result.training.evaluations.count >= 1 {
                let steps = t.evaluations.map { Double($0.iteration) }
                let chart = LineChart(title: "\(chosen.rawValue): loss (nats per character)", xLabel: "step", yLabel: "loss",
                                      series: [ChartSeries(name: "train", x: steps, y: t.evaluations.map(\.trainLoss)),
                                               ChartSeries(name: "validation", x: steps, y: t.evaluations.map(\.validationLoss))],
                                      showMarkers: steps.count < 30)
                do {
                    try chart.writeSVG(to: URL(fileURLWithPath: plotPath))
                    final.append(("plot", .string(plotPath)))
                    tracked?.artifact(plotPath)
                } catch {
                    FileHandle.standardError.write(Data("warning: could not write the training-curve plot \(plotPath) (\(readableReason(error)))\n".utf8))
                }
            }
            if json {
                if let sample = result.sample { final.append(("sample", .string(sample))) }
                print(JSONLine(final).text)
            } else {
                printFields(final, json: false)
                if let sample = result.sample { print("sample (through the LLM runtime, from the exported GGUF):\n\(sample)") }
            }
        }
    }
}

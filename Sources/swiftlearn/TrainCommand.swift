import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn train --recipe NAME`: trains one of the deep-learning recipes on bundled data,
/// printing a line per epoch (`epoch`, `train_loss`, `val_loss`, `val_accuracy` or `val_rmse`,
/// `lr`, `seconds`) and a final object with `"final": true` and the test metric.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a neural-network recipe on bundled data (MNIST, digits, a sine series, Shakespeare).",
        discussion: TrainCommand.recipeList()
    )

    @Option(help: "Recipe to train: \(TrainCommand.recipeNames.joined(separator: ", ")).") var recipe: String
    @Option(help: "Passes over the training data (default: the recipe's).") var epochs: Int?
    @Option(name: .customLong("batch-size"), help: "Samples per batch (default: the recipe's).") var batchSize: Int?
    @Option(help: "Peak learning rate (default: the recipe's).") var lr: Double?
    @Option(help: "Seed of initialisation, shuffling and augmentation.") var seed: UInt64 = 0
    @Option(help: "Save the trained weights to this .safetensors file.") var save: String?
    @Option(help: "Write the training curves (train and validation loss per epoch) as an SVG chart here (default: <recipe>-curves.svg; 'none' to skip).") var plot: String?
    @Option(help: "Generative recipes: write a grid of 64 samples as PNG here (default: <recipe>-samples.png; 'none' to skip).") var samples: String?
    @Option(help: "VAE recipes: KL weight β (1: the ELBO; above 1: a β-VAE).") var beta: Double?
    @Option(help: "Generative recipes: latent size (default: 20 for VAEs, 64 for GANs).") var latent: Int?
    @Option(name: .customLong("importance-samples"), help: "VAE recipes: importance samples K of test_nll_iw on 1,000 test images (0 skips it).") var importanceSamples: Int?
    @Flag(name: .customLong("spectral-norm"), help: "GAN recipes: spectral normalisation of the discriminator.") var spectralNorm = false
    @Option(name: .customLong("quality-samples"), help: "Generative recipes: samples judged for FID, precision/recall and the Inception-style score (0 skips; default 1000).") var qualitySamples: Int?
    @Option(name: .customLong("sampling-steps"), help: "ddpm-mnist: DDIM steps when sampling (default 25).") var samplingSteps: Int?
    @Option(help: "ddpm-mnist: classifier-free guidance scale (default 2).") var guidance: Double?
    @Option(name: .customLong("samples-every"), help: "VAE and GAN recipes: also write the grid of the same 64 noise draws every N epochs, as <samples>-epoch-E.png (training progress).") var samplesEvery: Int?
    @Option(help: "Train on only the first N training samples (quick runs; GPT recipes: the first N characters).") var limit: Int?
    @Option(help: "GPT recipes: optimizer steps (default 6000).") var iterations: Int?
    @Option(name: .customLong("time-budget"), help: "GPT recipes: stop training after this many seconds, then evaluate (default 840).") var timeBudget: Double?
    @Option(name: .customLong("set"), parsing: .upToNextOption, help: "GPT recipes: nanoGPT settings as key=value (\(GPTRecipe.settingNames.joined(separator: ", "))).") var settings: [String] = []
    @Option(help: "GPT recipes: write the checkpoint (model.safetensors, config.json, vocabulary.json), model.gguf and hf/ (GPT-2 safetensors) into this directory.") var output: String?
    @Flag(help: "Print every line as a JSON object.") var json = false
    @OptionGroup var tracking: TrackingOptions

    /// "Recipes:" and a line per recipe, its name and summary.
    static func recipeList() -> String {
        var lines = ["Recipes:"]
        func add(_ name: String, _ summary: String) {
            lines.append("  " + name + String(repeating: " ", count: Swift.max(1, 15 - name.count)) + summary)
        }
        for r in Recipe.allCases { add(r.rawValue, r.summary) }
        for r in GenerativeRecipe.allCases { add(r.rawValue, r.summary) }
        for r in GPTRecipe.allCases { add(r.rawValue, r.summary) }
        return lines.joined(separator: "\n")
    }

    static var recipeNames: [String] {
        Recipe.allCases.map(\.rawValue) + GenerativeRecipe.allCases.map(\.rawValue) + GPTRecipe.allCases.map(\.rawValue)
    }

    func validate() throws {
        guard TrainCommand.recipeNames.contains(recipe) else {
            throw ValidationError("unknown recipe '\(recipe)'; valid recipes: \(TrainCommand.recipeNames.joined(separator: ", "))")
        }
        let generative = GenerativeRecipe(rawValue: recipe)
        if GPTRecipe(rawValue: recipe) != nil {
            if epochs != nil { throw ValidationError("--epochs: the GPT recipes count optimizer steps; use --iterations") }
            if save != nil { throw ValidationError("--save: the GPT recipes write a checkpoint directory; use --output DIR") }
            if let iterations, !(1...10_000_000).contains(iterations) { throw ValidationError("--iterations must be 1 to 10000000, got \(iterations)") }
            if let timeBudget, !(timeBudget > 0 && timeBudget.isFinite) { throw ValidationError("--time-budget must be a positive number of seconds, got \(timeBudget)") }
        } else if iterations != nil || timeBudget != nil || !settings.isEmpty || output != nil {
            throw ValidationError("--iterations, --time-budget, --set and --output apply to the GPT recipes (\(GPTRecipe.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if generative == nil, samples != nil || beta != nil || latent != nil || importanceSamples != nil || spectralNorm
            || qualitySamples != nil || samplingSteps != nil || guidance != nil || samplesEvery != nil {
            throw ValidationError("--samples, --samples-every, --beta, --latent, --importance-samples, --spectral-norm, --quality-samples, --sampling-steps and --guidance apply to the generative recipes (\(GenerativeRecipe.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let qualitySamples, !(0...10_000).contains(qualitySamples) || qualitySamples == 1 {
            throw ValidationError("--quality-samples must be 0 or 2 to 10000, got \(qualitySamples)")
        }
        if let samplingSteps, !(1...1000).contains(samplingSteps) { throw ValidationError("--sampling-steps must be 1 to 1000, got \(samplingSteps)") }
        if let guidance, !(guidance >= 0 && guidance <= 100) { throw ValidationError("--guidance must be 0 to 100, got \(guidance)") }
        if let samplesEvery {
            guard samplesEvery >= 1 else { throw ValidationError("--samples-every must be at least 1, got \(samplesEvery)") }
            guard samples != "none" else { throw ValidationError("--samples-every needs --samples (the per-epoch files are named after it)") }
        }
        if let beta, !(beta >= 0 && beta.isFinite) { throw ValidationError("--beta must be a non-negative number, got \(beta)") }
        if let latent, !(1...1024).contains(latent) { throw ValidationError("--latent must be 1 to 1024, got \(latent)") }
        if let importanceSamples, !(0...10_000).contains(importanceSamples) { throw ValidationError("--importance-samples must be 0 to 10000, got \(importanceSamples)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if let samples, samples != "none", !samples.lowercased().hasSuffix(".png") { throw ValidationError("--samples takes a .png file name (or 'none'), got '\(samples)'") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number, got \(lr)") }
        if let save, !save.hasSuffix(".safetensors") { throw ValidationError("--save takes a .safetensors file name, got '\(save)'") }
        if save != nil, let generative, !generative.savesSampler {
            throw ValidationError("--save: \(generative.rawValue) trains no model that samples (it reports figures and a picture)")
        }
    }

    func run() throws {
        if let generative = GenerativeRecipe(rawValue: recipe) { return try runGenerative(generative) }
        if let gpt = GPTRecipe(rawValue: recipe) { return try runGPT(gpt) }
        let chosen = try Recipe.named(recipe)
        // Where the weights go is checked (and its directory made, as --plot does) before any
        // training, so a bad path fails in a second, not after the run.
        if let save { try prepareOutputFile(save, option: "--save") }
        let plotPath = plot == "none" ? nil : plot ?? "\(chosen.rawValue)-curves.svg"
        if let plotPath { try prepareOutputFile(plotPath, option: "--plot") }
        let options = RecipeOptions(epochs: epochs, batchSize: batchSize, learningRate: lr, seed: seed,
                                    saveURL: save.map { URL(fileURLWithPath: $0) }, trainingLimit: limit)
        let metricKey = chosen.metric == .rmse ? "val_rmse" : "val_accuracy"
        let d = chosen.defaults
        let tracked = try tracking.start(defaultExperiment: "train-\(chosen.rawValue)", params: [
            ("recipe", chosen.rawValue), ("epochs", String(epochs ?? d.epochs)), ("batch_size", String(batchSize ?? d.batchSize)),
            ("learning_rate", "\(lr ?? d.learningRate)"), ("seed", String(seed))])
        try TrackedCommandRun.around(tracked) { try train(chosen, options: options, metricKey: metricKey, plotPath: plotPath, tracked: tracked) }
    }

    private func train(_ chosen: Recipe, options: RecipeOptions, metricKey: String, plotPath: String?, tracked: TrackedCommandRun?) throws {
        let result = try Recipe.run(chosen, options: options) { e in
            var fields: [(String, JSONValue)] = [("epoch", .int(e.epoch)), ("train_loss", .double(e.trainLoss)),
                                                 ("val_loss", .double(e.validationLoss))]
            if let m = e.validationMetric { fields.append((metricKey, .double(m))) }
            fields += [("lr", .double(e.learningRate)), ("seconds", .double(e.seconds))]
            var logged = [("train_loss", e.trainLoss), ("val_loss", e.validationLoss), ("lr", e.learningRate), ("epoch_seconds", e.seconds)]
            if let m = e.validationMetric { logged.append((metricKey, m)) }
            tracked?.metrics(logged, step: e.epoch)
            if json {
                print(JSONLine(fields).text)
            } else {
                print(fields.map { "\($0.0) \($0.1)" }.joined(separator: "  "))
            }
            fflush(stdout)
        }
        var final: [(String, JSONValue)] = [("final", .bool(true)), ("recipe", .string(chosen.rawValue)),
                                            (result.testMetricName, .double(result.testMetric))]
        final += result.extras.map { ($0.name, JSONValue.double($0.value)) }
        final += [("epochs", .int(result.history.count)), ("parameters", .int(result.parameterCount)),
                  ("seconds", .double(result.totalSeconds))]
        if let save { final.append(("saved", .string(save))) }
        tracked?.metrics([(result.testMetricName, result.testMetric), ("parameters", Double(result.parameterCount)),
                          ("train_seconds", result.totalSeconds)] + result.extras.map { ($0.name, $0.value) }, step: result.history.count)
        if let save { tracked?.artifact(save) }
        if let path = plotPath {
            let epochs = result.history.map { Double($0.epoch) }
            let chart = LineChart(title: "\(chosen.rawValue): loss per epoch", xLabel: "epoch", yLabel: "loss",
                                  series: [ChartSeries(name: "train", x: epochs, y: result.history.map(\.trainLoss)),
                                           ChartSeries(name: "validation", x: epochs, y: result.history.map(\.validationLoss))],
                                  showMarkers: epochs.count < 30)
            do {
                try chart.writeSVG(to: URL(fileURLWithPath: path))
                final.append(("plot", .string(path)))
                tracked?.artifact(path)
            } catch {
                FileHandle.standardError.write(Data("warning: could not write the training-curve plot \(path) (\(readableReason(error)))\n".utf8))
            }
        }
        if json {
            if let sample = result.sample { final.append(("sample", .string(sample))) }
            print(JSONLine(final).text)
        } else {
            printFields(final, json: false)
            if let sample = result.sample { print("sample:\n\(sample)") }
        }
    }
}

/// Makes the directory of `path` (with its parents) and checks that a file can be written there,
/// so a run that ends by writing `path` fails at once, with the option's name, instead of at the end.
func prepareOutputFile(_ path: String, option: String) throws {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw ValidationError("\(option) \(path) is a directory; give a file name")
    }
    do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
        throw ValidationError("\(option) \(path): cannot create the directory \(directory.path) (\(readableReason(error)))")
    }
    guard FileManager.default.isWritableFile(atPath: directory.path) else {
        throw ValidationError("\(option) \(path): the directory \(directory.path) is not writable")
    }
}

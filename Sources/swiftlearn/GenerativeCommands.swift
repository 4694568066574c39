import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

extension TrainCommand {
    /// Trains a generative recipe: a line per epoch, a final object, the sample grid as PNG.
    func runGenerative(_ chosen: GenerativeRecipe) throws {
        if let save { try prepareOutputFile(save, option: "--save") }
        let samplesPath = samples == "none" ? nil : samples ?? "\(chosen.rawValue)-samples.png"
        if let samplesPath { try prepareOutputFile(samplesPath, option: "--samples") }
        let plotPath = plot == "none" ? nil : plot ?? "\(chosen.rawValue)-curves.svg"
        if let plotPath { try prepareOutputFile(plotPath, option: "--plot") }
        let options = GenerativeOptions(epochs: epochs, batchSize: batchSize, learningRate: lr, seed: seed, trainingLimit: limit,
                                        beta: beta ?? 1, latent: latent, importanceSamples: importanceSamples ?? 100,
                                        spectralNorm: spectralNorm, qualitySamples: qualitySamples ?? 1000,
                                        samplingSteps: samplingSteps ?? 25, guidance: guidance ?? 2)
        let d = chosen.defaults
        let tracked = try tracking.start(defaultExperiment: "train-\(chosen.rawValue)", params: [
            ("recipe", chosen.rawValue), ("epochs", String(epochs ?? d.epochs)), ("batch_size", String(batchSize ?? d.batchSize)),
            ("learning_rate", "\(lr ?? d.learningRate)"), ("seed", String(seed)), ("beta", "\(beta ?? 1)")])
        try TrackedCommandRun.around(tracked) {
            let result = try GenerativeRecipe.run(chosen, options: options) { e in
                let fields: [(String, JSONValue)] = [("epoch", .int(e.epoch))] + e.figures.map { ($0.name, JSONValue.double($0.value)) }
                    + [("seconds", .double(e.seconds))]
                tracked?.metrics(e.figures.map { ($0.name, $0.value) } + [("epoch_seconds", e.seconds)], step: e.epoch)
                if let every = samplesEvery, let path = samplesPath, let picture = e.picture, e.epoch % every == 0 {
                    let file = String(path.dropLast(4)) + String(format: "-epoch-%03d.png", e.epoch)
                    do { try picture.writePNG(to: URL(fileURLWithPath: file)) } catch {
                        FileHandle.standardError.write(Data("warning: could not write \(file) (\(readableReason(error)))\n".utf8))
                    }
                }
                if json { print(JSONLine(fields).text) } else { print(fields.map { "\($0.0) \($0.1)" }.joined(separator: "  ")) }
                fflush(stdout)
            }
            var final: [(String, JSONValue)] = [("final", .bool(true)), ("recipe", .string(chosen.rawValue))]
            final += result.final.map { ($0.name, JSONValue.double($0.value)) }
            final += [("epochs", .int(result.history.count)), ("parameters", .int(result.parameterCount)),
                      ("seconds", .double(result.totalSeconds))]
            tracked?.metrics(result.final.map { ($0.name, $0.value) } + [("train_seconds", result.totalSeconds)], step: result.history.count)
            if let save {
                try result.save(to: URL(fileURLWithPath: save))
                final.append(("saved", .string(save)))
                tracked?.artifact(save)
            }
            if let samplesPath {
                try result.samples.writePNG(to: URL(fileURLWithPath: samplesPath))
                final.append(("samples", .string(samplesPath)))
                tracked?.artifact(samplesPath)
            }
            if let plotPath, let first = result.history.first {
                let epochs = result.history.map { Double($0.epoch) }
                // The first two figures of an epoch: train_loss and test_neg_elbo (VAE), d_loss and g_loss (GAN).
                let series = first.figures.prefix(2).enumerated().map { i, f in
                    ChartSeries(name: f.name, x: epochs, y: result.history.map { $0.figures[i].value })
                }
                let chart = LineChart(title: "\(chosen.rawValue): losses per epoch", xLabel: "epoch", yLabel: "loss", series: series,
                                      showMarkers: epochs.count < 30)
                do {
                    try chart.writeSVG(to: URL(fileURLWithPath: plotPath))
                    final.append(("plot", .string(plotPath)))
                } catch {
                    FileHandle.standardError.write(Data("warning: could not write the loss plot \(plotPath) (\(readableReason(error)))\n".utf8))
                }
            }
            printFields(final, json: json)
        }
    }
}

/// `swiftlearn sample --load FILE [--n 64] [--labels 3|0,1,2] [--output grid.png]`: draws images
/// from a generative model saved by `swiftlearn train --recipe vae-mnist|gan-mnist|… --save FILE`.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw a grid of samples from a saved generative model (VAE, GAN generator or diffusion U-Net).")

    @Option(help: "A model saved by `swiftlearn train --recipe vae-mnist|cvae-mnist|gan-mnist|cgan-mnist|dcgan-mnist|ddpm-mnist --save FILE`.") var load: String
    @Option(help: "Number of samples (1 to 1024).") var n: Int = 64
    @Option(help: "Conditional models: the class of every sample, or a comma-separated list repeated over the samples (default: 0…9 in turn).") var labels: String?
    @Option(help: "Tiles per row of the grid.") var columns: Int = 8
    @Option(help: "VAEs and GAN generators: instead of samples, N rows of STEPS images along straight lines between two latent draws (latent-space interpolation).") var interpolate: Int?
    @Option(help: "Where to write the grid (PNG).") var output: String = "samples.png"
    @Option(help: "Diffusion models: DDIM sampling steps (1 to 1000).") var steps: Int = 50
    @Option(help: "Diffusion models with labels: classifier-free guidance scale (1: the conditional model alone).") var guidance: Double = 2
    @Option(help: "Seed of the noise.") var seed: UInt64 = 0
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        guard (1...1000).contains(steps) else { throw ValidationError("--steps must be 1 to 1000, got \(steps)") }
        if let interpolate, !(2...64).contains(interpolate) { throw ValidationError("--interpolate must be 2 to 64 steps, got \(interpolate)") }
        guard guidance >= 0, guidance <= 100 else { throw ValidationError("--guidance must be 0 to 100, got \(guidance)") }
        guard (1...1024).contains(n) else { throw ValidationError("--n must be 1 to 1024, got \(n)") }
        guard (1...256).contains(columns) else { throw ValidationError("--columns must be 1 to 256, got \(columns)") }
        guard output.lowercased().hasSuffix(".png") else { throw ValidationError("--output takes a .png file name, got '\(output)'") }
    }

    func run() throws {
        try prepareOutputFile(output, option: "--output")
        let model = try GenerativeModelFile.load(URL(fileURLWithPath: load))
        var labelTensor: Tensor? = nil
        if model.classes > 0 {
            let choices: [Int64]
            if let labels {
                let parts = labels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let parsed = parts.compactMap { Int64($0) }
                guard !parts.isEmpty, parsed.count == parts.count, parsed.allSatisfy({ $0 >= 0 && $0 < Int64(model.classes) }) else {
                    throw ValidationError("--labels takes classes 0 to \(model.classes - 1), comma-separated; got '\(labels)'")
                }
                choices = parsed
            } else {
                choices = (0..<Int64(model.classes)).map { $0 }
            }
            labelTensor = Tensor((0..<n).map { choices[$0 % choices.count] })
        } else if labels != nil {
            throw ValidationError("--labels: this model is not conditional")
        }
        if let interpolate {
            do {
                let images = try model.interpolationImages(rows: n, steps: interpolate, labels: labelTensor, generator: RandomGenerator(seed: seed))
                try imageGrid(images, columns: interpolate).writePNG(to: URL(fileURLWithPath: output))
            } catch let e as GenerativeError {
                throw ValidationError("--interpolate: \(e.description)")
            }
            printFields([("rows", .int(n)), ("steps", .int(interpolate)), ("output", .string(output))], json: json)
            return
        }
        let images = try model.sampleImages(n, labels: labelTensor, generator: RandomGenerator(seed: seed), steps: steps, guidance: guidance)
        try imageGrid(images, columns: columns).writePNG(to: URL(fileURLWithPath: output))
        printFields([("samples", .int(n)), ("output", .string(output)), ("conditional", .bool(model.classes > 0))], json: json)
    }
}

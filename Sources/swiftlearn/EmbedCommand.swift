import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn embed`: sentence embeddings of the lines of a file with a BERT sentence encoder.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed each line of a text file with a sentence-transformers model directory (e.g. all-MiniLM-L6-v2).",
        discussion: "Writes a float32 .npy (lines × dimension) with --output; --json prints one object per line with its vector and token count."
    )

    @Option(help: "A model directory: config.json, model.safetensors, tokenizer.json or vocab.txt (scripts/fetch_models.sh puts all-MiniLM-L6-v2 in models/).")
    var model: String
    @Option(help: "A UTF-8 text file, one text per line.") var input: String
    @Option(help: "Where to write the vectors (.npy, float32).") var output: String?
    @Option(help: "Threads (0: all CPUs and the faster GEMM; N: the native GEMM and kernels on N threads).") var threads = 0
    @Flag(help: "Print one JSON object per line: {\"line\", \"tokens\", \"embedding\"}; then a summary object.") var json = false

    func run() throws {
        guard !model.isEmpty else { throw ValidationError("--model needs a path, not an empty string") }
        try checkRange(threads, option: "--threads", 0...1024)
        if let output { try prepareOutputFile(output, option: "--output") }
        var lines = try readTextFile(input).split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { throw ValidationError("--input \(input) is empty: give one text per line") }
        let encoder = try BertEncoder(directory: URL(fileURLWithPath: model))
        encoder.threads = threads
        let start = DispatchTime.now().uptimeNanoseconds
        let ids = lines.map(encoder.tokenize)
        let vectors = try encoder.embed(tokenIDs: ids)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let output {
            try writeNPY(vectors.flatMap { $0 }, rows: vectors.count, cols: encoder.dimension, to: URL(fileURLWithPath: output))
        }
        if json {
            for (k, v) in vectors.enumerated() {
                print(JSONLine([("line", .int(k + 1)), ("tokens", .int(ids[k].count)),
                                ("embedding", .raw("[" + v.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ", ") + "]"))]).text)
            }
        }
        printFields([("texts", .int(lines.count)), ("dimension", .int(encoder.dimension)), ("tokens", .int(ids.reduce(0) { $0 + $1.count })),
                     ("seconds", .double(seconds)), ("texts_per_second", .double(seconds > 0 ? Double(lines.count) / seconds : 0))]
                    + (output.map { [("output", JSONValue.string($0))] } ?? []), json: json)
    }
}

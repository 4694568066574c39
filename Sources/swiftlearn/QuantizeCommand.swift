import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn quantize`: a GGUF model's weight matrices in another ggml type (llama-quantize's
/// plain types), e.g. the float32 GPT that `train --recipe gpt-shakespeare-char` exports.
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Convert a GGUF model's weight matrices to q8_0, q5_1, q5_0, q4_1, q4_0, f16 or bf16 (as llama-quantize).",
        discussion: "Norms, vectors and position embeddings stay as they are; the blocks are ggml's reference quantizers, bit for bit. Measure the cost with `swiftlearn lm score` and the speed with `swiftlearn bench llm`."
    )

    @Option(help: "The GGUF model to convert.") var input: String
    @Option(help: "Target type: \(GGUFQuantize.fileTypes.keys.sorted().joined(separator: ", ")).") var type: String
    @Option(help: "Where to write the converted GGUF.") var output: String
    @Flag(name: .customLong("allow-requantize"), help: "Convert a model whose weights are already quantized (they are dequantized first; the errors add up).") var allowRequantize = false
    @Flag(help: "One JSON object.") var json = false

    func validate() throws {
        guard GGUFQuantize.fileTypes[type] != nil else {
            throw ValidationError("--type must be one of \(GGUFQuantize.fileTypes.keys.sorted().joined(separator: ", ")), got '\(type)'")
        }
        guard FileManager.default.fileExists(atPath: input) else { throw ValidationError("--input \(input): no such file") }
    }

    func run() throws {
        try prepareOutputFile(output, option: "--output")
        let file = try GGUFFile(contentsOf: URL(fileURLWithPath: input))
        let start = DispatchTime.now().uptimeNanoseconds
        let (bytes, report) = try GGUFQuantize.convert(file, to: type, allowRequantize: allowRequantize)
        do { try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
            throw ValidationError("--output \(output): \(readableReason(error))")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        printFields([("type", .string(type)), ("converted_tensors", .int(report.converted)), ("kept_tensors", .int(report.kept)),
                     ("tensor_bytes_before", .int(report.bytesBefore)), ("tensor_bytes_after", .int(report.bytesAfter)),
                     ("file_bytes", .int(bytes.count)), ("seconds", .double(seconds)), ("output", .string(output))], json: json)
    }
}

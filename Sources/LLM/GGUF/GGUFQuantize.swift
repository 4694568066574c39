import Foundation

/// Rewrites a GGUF model with its weight matrices in another ggml type — what llama.cpp's
/// `llama-quantize` does with a plain type (no importance matrix, no mixed k-quant recipe).
///
/// Following `llama-quantize`'s rules: matrices (two or more dimensions) whose name ends in
/// `weight` are converted, norms and other vectors stay as they are, and position embeddings
/// (`position_embd.weight`) and BERT's token types are never quantized; a matrix whose rows are not
/// a whole number of the type's blocks keeps its type. A source that is already quantized is only
/// re-quantized when asked (`allowRequantize`, llama.cpp's `--allow-requantize`): its weights are
/// dequantized first, so errors add up. The metadata is copied and `general.file_type` set to
/// llama.cpp's file type of the target.
public enum GGUFQuantize {
    /// Target types and llama.cpp's `general.file_type` (`llama_ftype`) for each.
    public static let fileTypes: [String: UInt32] = ["f32": 0, "f16": 1, "q4_0": 2, "q4_1": 3, "q8_0": 7, "q5_0": 8, "q5_1": 9, "bf16": 32]

    /// What a conversion did.
    public struct Report: Sendable, Equatable {
        /// Tensors converted, and those kept as they were.
        public var converted = 0, kept = 0
        /// Bytes of tensor data before and after.
        public var bytesBefore = 0, bytesAfter = 0
    }

    /// The GGUF bytes of `file` with its weight matrices converted to `type`.
    /// - Throws: `LLMError.invalidParameter` for a type `GGMLQuantizer` cannot write, or for an
    ///   already quantized source without `allowRequantize`; what dequantizing a tensor throws.
    public static func convert(_ file: GGUFFile, to type: String, allowRequantize: Bool = false) throws -> (bytes: [UInt8], report: Report) {
        guard let fileType = fileTypes[type], let layout = GGMLQuantizer.layout(type) else {
            throw LLMError.invalidParameter(name: "type", value: type, expected: "one of \(fileTypes.keys.sorted().joined(separator: ", "))")
        }
        let plain: Set<String> = ["f32", "f16", "bf16", "f64"]
        if !allowRequantize, let q = file.tensors.first(where: { !plain.contains($0.type.name) && $0.dimensions.count >= 2 }) {
            throw LLMError.invalidParameter(name: "input", value: "\(file.path) (\(q.name) is \(q.type.name))",
                                            expected: "a float model; re-quantizing adds the errors of both types (allow it explicitly)")
        }
        func converts(_ t: GGUFTensorInfo) -> Bool {
            t.dimensions.count >= 2 && t.name.hasSuffix("weight") && t.name != "position_embd.weight" && t.name != "token_types.weight"
                && t.dimensions[0] % layout.blockSize == 0 && t.type.name != type
        }
        let targets = file.tensors.filter(converts)
        let names = Set(targets.map(\.name))
        var writer = try GGUFWriter(copying: file, overriding: ["general.file_type": .uint32(fileType)]) { !names.contains($0.name) }
        var report = Report()
        for t in file.tensors {
            report.bytesBefore += t.byteCount
            if !names.contains(t.name) { report.kept += 1; report.bytesAfter += t.byteCount }
        }
        for t in targets {
            let values = try GGMLQuantizer.dequantize(Array(file.bytes(of: t)), as: t.type.name, count: t.elementCount)
            let bytes = try GGMLQuantizer.quantize(values, as: type)
            try writer.addTensor(name: t.name, dimensions: t.dimensions, typeID: layout.id, bytes: bytes)
            report.converted += 1
            report.bytesAfter += bytes.count
        }
        return (writer.encode(), report)
    }
}

import SwiftLearnCore

/// Errors thrown by the LLM module at its boundaries: model files (GGUF), tokenizers built from
/// their metadata, prompts and generation parameters. Each case names what was wrong and where.
public enum LLMError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A file could not be opened or read (path and reason).
    case fileError(path: String, reason: String)
    /// A GGUF file is malformed: `field` names the part (e.g. `header.magic`,
    /// `metadata["llama.block_count"]`, `tensor "blk.0.attn_q.weight".offset`), `offset` the byte
    /// position where reading stopped.
    case invalidGGUF(path: String, field: String, offset: Int, reason: String)
    /// A well-formed file needs something this runtime does not implement (an architecture,
    /// a tensor type, a tokenizer model).
    case unsupported(path: String, what: String)
    /// A required metadata key or tensor is missing or has the wrong type/shape.
    case missing(path: String, what: String)
    /// A model file other than GGUF (an encoder's `config.json`, safetensors weights, vocabulary)
    /// is malformed or does not fit the model: the file and what is wrong with it.
    case invalidModelFile(path: String, reason: String)
    /// A parameter has a value outside its domain (name, value, what is allowed).
    case invalidParameter(name: String, value: String, expected: String)
    /// A chat template (Jinja) cannot be parsed or rendered: the line in the template and why
    /// (including the message of the template's own `raise_exception`).
    case template(line: Int, message: String)

    /// The message, for people.
    public var description: String {
        switch self {
        case .fileError(let path, let reason): return "cannot read '\(path)': \(reason)"
        case .invalidGGUF(let path, let field, let offset, let reason):
            return "invalid GGUF file '\(path)': \(field) at byte \(offset): \(reason)"
        case .unsupported(let path, let what): return "'\(path)': \(what) is not supported"
        case .missing(let path, let what): return "'\(path)': \(what)"
        case .invalidModelFile(let path, let reason): return "invalid model file '\(path)': \(reason)"
        case .invalidParameter(let name, let value, let expected):
            return "invalid value \(value) for '\(name)': expected \(expected)"
        case .template(let line, let message): return "chat template, line \(line): \(message)"
        }
    }
}

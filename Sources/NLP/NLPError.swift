/// Errors thrown by the NLP module at its boundaries: files, tokenizer definitions, user text and
/// hyper-parameters. Each case carries a message a person can act on.
public enum NLPError: Error, Equatable, CustomStringConvertible {
    /// A file could not be read or written (path and reason).
    case fileError(path: String, reason: String)
    /// A tokenizer or vocabulary file was read but its content is malformed or unsupported.
    case invalidTokenizerFile(String)
    /// A hyper-parameter has a value outside its domain (name, value, what is allowed).
    case invalidParameter(name: String, value: String, expected: String)
    /// User data handed to `fit`/`transform`/`train` cannot be used (e.g. an empty corpus).
    case invalidInput(String)
    /// A model method was called before `fit` / `train`.
    case notFitted(String)

    /// The message, for people.
    public var description: String {
        switch self {
        case .fileError(let path, let reason): return "cannot access '\(path)': \(reason)"
        case .invalidTokenizerFile(let m): return "invalid tokenizer file: \(m)"
        case .invalidParameter(let name, let value, let expected):
            return "invalid value \(value) for parameter '\(name)': expected \(expected)"
        case .invalidInput(let m): return "invalid input: \(m)"
        case .notFitted(let m): return "\(m) is not fitted yet: call fit first"
        }
    }
}


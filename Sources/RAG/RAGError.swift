import Foundation

/// Errors of the RAG pipeline, each with a message a person can act on. Errors of the layers
/// below (`RetrievalError`, `LLMError`, `APIClientError`) pass through unchanged.
public enum RAGError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A file or directory that cannot be read (path, reason).
    case unreadable(path: String, reason: String)
    /// A file whose content is not what its extension says (path, reason).
    case malformed(path: String, reason: String)
    /// A file kind no loader handles (path, extension).
    case unsupportedKind(path: String, kind: String)
    /// An external program a loader needs is not installed (program, package that provides it).
    case toolMissing(program: String, package: String)
    /// A parameter outside its valid range (name, given value, what is allowed).
    case invalidParameter(name: String, value: String, reason: String)
    /// A question-and-answer file line that is not valid (file, 1-based line, reason).
    case invalidQA(path: String, line: Int, reason: String)
    /// An index that was not made by `RAGIndex` or lacks something the request needs.
    case invalidIndex(String)
    /// The model or endpoint failed or returned something unusable.
    case generation(String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "cannot read \(p): \(r)"
        case .malformed(let p, let r): return "\(p): \(r)"
        case .unsupportedKind(let p, let k): return "\(p): no loader for '\(k)' files (text, Markdown, HTML, CSV, JSON, JSON Lines, PDF)"
        case .toolMissing(let prog, let pkg): return "\(prog) is not installed (install \(pkg)); it is needed to read PDF files"
        case .invalidParameter(let n, let v, let r): return "invalid \(n) '\(v)': \(r)"
        case .invalidQA(let p, let l, let r): return "\(p) line \(l): \(r)"
        case .invalidIndex(let s): return "invalid RAG index: \(s)"
        case .generation(let s): return "generation failed: \(s)"
        }
    }

    public var errorDescription: String? { description }
}

/// Throws ``RAGError/invalidParameter(name:value:reason:)`` unless `condition` holds.
func check(_ condition: Bool, _ name: String, _ value: Any, _ reason: String) throws {
    if !condition { throw RAGError.invalidParameter(name: name, value: "\(value)", reason: reason) }
}

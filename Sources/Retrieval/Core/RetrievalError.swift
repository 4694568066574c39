import Foundation

/// Errors thrown by the Retrieval module: bad input at a boundary (queries, ids, files, parameters,
/// collections). Each case prints a message a person can act on.
public enum RetrievalError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A vector or query has `got` components where the index holds `expected`.
    case dimensionMismatch(expected: Int, got: Int)
    /// A query was empty (no vector components, no tokens, blank text); the string says which.
    case emptyQuery(String)
    /// A search or training call on an index or collection that holds nothing.
    case emptyIndex(String)
    /// An id that the index or collection does not hold.
    case unknownID(String)
    /// An id that is already present where a new one was expected.
    case duplicateID(String)
    /// A parameter outside its valid range (name, given value, what is allowed).
    case invalidParameter(name: String, value: String, reason: String)
    /// A file that is not a valid index / collection (bad magic, version, checksum, truncated).
    case corruptFile(path: String, reason: String)
    /// Reading or writing a file failed.
    case io(String)
    /// An IVF or PQ index was used before `train`.
    case notTrained(String)
    /// No collection of that name.
    case collectionNotFound(String)
    /// A collection of that name exists already.
    case collectionExists(String)
    /// A metadata filter that cannot be parsed or evaluated.
    case invalidFilter(String)
    /// The SQLite layer failed (message from GRDB / SQLite).
    case database(String)
    /// Input data that is not usable (NaN/inf in a vector, mismatched lengths).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .dimensionMismatch(let e, let g): return "dimension mismatch: the index holds \(e)-dimensional vectors, got \(g)"
        case .emptyQuery(let s): return "empty query: \(s)"
        case .emptyIndex(let s): return "empty index: \(s)"
        case .unknownID(let s): return "unknown id: \(s)"
        case .duplicateID(let s): return "duplicate id: \(s)"
        case .invalidParameter(let n, let v, let r): return "invalid parameter \(n)=\(v): \(r)"
        case .corruptFile(let p, let r): return "corrupt or unreadable file \(p): \(r)"
        case .io(let s): return "I/O error: \(s)"
        case .notTrained(let s): return "index not trained: \(s)"
        case .collectionNotFound(let s): return "no collection named '\(s)'"
        case .collectionExists(let s): return "a collection named '\(s)' exists already"
        case .invalidFilter(let s): return "invalid metadata filter: \(s)"
        case .database(let s): return "database error: \(s)"
        case .invalidInput(let s): return "invalid input: \(s)"
        }
    }

    public var errorDescription: String? { description }
}


/// Throws `invalidParameter` unless `condition` holds.
func require(_ condition: Bool, _ name: String, _ value: Any, _ reason: String) throws {
    if !condition { throw RetrievalError.invalidParameter(name: name, value: "\(value)", reason: reason) }
}

/// Everything that can go wrong when fitting or using an estimator, as a typed, thrown error.
///
/// Bad data is never a crash in `Learn`: every `fit`, `predict`, `transform` and metric checks
/// its input and throws one of these with a message that says what was wrong and where.
public enum LearnError: Error, Equatable, CustomStringConvertible {
    /// The data cannot be used: empty, NaN/inf, wrong shape, lengths that differ, …
    case invalidInput(String)
    /// A hyper-parameter has a value out of its domain.
    case invalidParameter(name: String, value: String, reason: String)
    /// A hyper-parameter name the estimator does not have.
    case unknownParameter(estimator: String, name: String, valid: [String])
    /// `predict`/`transform` before `fit`.
    case notFitted(String)
    /// A label at predict/transform time that was not seen during fit.
    case unseenLabel(String)
    /// An unknown model name (CLI, registry, model files).
    case unknownModel(name: String, valid: [String])
    /// A model file that cannot be read back.
    case corruptModel(String)

    public var description: String {
        switch self {
        case .invalidInput(let m): return m
        case .invalidParameter(let n, let v, let r): return "invalid value \(v) for parameter '\(n)': \(r)"
        case .unknownParameter(let e, let n, let valid):
            return "\(e) has no parameter '\(n)'; valid parameters: \(valid.sorted().joined(separator: ", "))"
        case .notFitted(let e): return "\(e) is not fitted yet: call fit first"
        case .unseenLabel(let m): return m
        case .unknownModel(let n, let valid): return "unknown model '\(n)'; valid models: \(valid.sorted().joined(separator: ", "))"
        case .corruptModel(let m): return "model file cannot be read: \(m)"
        }
    }
}

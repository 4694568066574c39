import Foundation

/// Checks for state read back from a model file.
///
/// A model file is outside data: a hand-edited or damaged file must never crash, hang or read out
/// of bounds. Every estimator decoded by ``ModelFile`` (through ``EstimatorBox``, so nested
/// estimators too) passes ``DecodedModel/validate(_:)``, which re-checks its hyper-parameters and
/// calls its ``Estimator/validateDecoded()``. Implementations use ``DecodedCheck`` so that every
/// failure is a ``LearnError/corruptModel(_:)`` naming the estimator and the field.
public enum DecodedModel {
    /// Validates one decoded estimator: its hyper-parameters (through the same `setParameter`
    /// checks the CLI's `--set` uses) and its fitted state (``Estimator/validateDecoded()``).
    public static func validate(_ estimator: any Estimator) throws {
        let name = type(of: estimator).modelName
        do {
            // Nested `member__param` values belong to members, which their own boxes validate.
            try type(of: estimator).init().setParameters(estimator.parameters.filter { !$0.key.contains("__") })
        } catch let error as LearnError {
            if case .corruptModel = error { throw error }
            throw LearnError.corruptModel("\(name): \(error.description)")
        }
        try estimator.validateDecoded()
    }
}

/// Structural checks for ``Estimator/validateDecoded()`` implementations: each throws
/// ``LearnError/corruptModel(_:)`` as `"<owner>: <field> …"`.
public struct DecodedCheck {
    /// The estimator (or part) being checked, named in every message.
    public let owner: String

    public init(_ owner: String) { self.owner = owner }

    /// The error for a failed check.
    public func failure(_ message: String) -> LearnError { .corruptModel("\(owner): \(message)") }

    /// Throws `message` when `condition` is false.
    public func that(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw failure(message()) }
    }

    /// `value` is at least `minimum` (counts: features, outputs, classes, components).
    public func atLeast(_ value: Int, _ minimum: Int, _ field: String) throws {
        try that(value >= minimum, "\(field) is \(value), at least \(minimum) needed")
    }

    /// A finite number.
    public func finite(_ value: Double, _ field: String) throws {
        try that(value.isFinite, "\(field) is \(value), a finite number is needed")
    }

    /// Finite numbers only.
    public func finite(_ values: [Double], _ field: String) throws {
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw failure("\(field)[\(k)] is \(values[k]), a finite number is needed")
        }
    }

    /// Values above zero (scales, variances): a zero or negative divisor is refused.
    public func positive(_ values: [Double], _ field: String) throws {
        if let k = values.firstIndex(where: { !($0 > 0) }) {
            throw failure("\(field)[\(k)] is \(values[k]), a value > 0 is needed")
        }
    }

    /// Values of zero or more (counts, priors).
    public func nonNegative(_ values: [Double], _ field: String) throws {
        if let k = values.firstIndex(where: { !($0 >= 0) }) {
            throw failure("\(field)[\(k)] is \(values[k]), a value ≥ 0 is needed")
        }
    }

    /// A probability vector: finite values ≥ 0 that sum to 1 (within 1e-6, as written by `fit`).
    public func probabilities(_ values: [Double], _ expected: Int, _ field: String) throws {
        try vector(values, expected, field)
        try nonNegative(values, field)
        let sum = values.reduce(0, +)
        try that(abs(sum - 1) <= 1e-6, "\(field) sums to \(sum), expected 1")
    }

    /// An array of `expected` elements.
    public func count<T>(_ values: [T], _ expected: Int, _ field: String) throws {
        try that(values.count == expected, "\(field) has \(values.count) values, expected \(expected)")
    }

    /// A finite array of `expected` elements.
    public func vector(_ values: [Double], _ expected: Int, _ field: String) throws {
        try count(values, expected, field)
        try finite(values, field)
    }

    /// A matrix with the given shape (nil: any) and, when `finite`, finite values. The matrix's own
    /// rows × columns = values.count is checked when it is decoded.
    public func matrix(_ m: Matrix, rows: Int?, columns: Int?, _ field: String, finite mustBeFinite: Bool = true) throws {
        if let rows { try that(m.rows == rows, "\(field) has \(m.rows) rows, expected \(rows)") }
        if let columns { try that(m.columns == columns, "\(field) has \(m.columns) columns, expected \(columns)") }
        if mustBeFinite { try finite(m.values, field) }
    }

    /// Every index in `0..<bound`.
    public func indices(_ values: [Int], below bound: Int, _ field: String) throws {
        if let k = values.firstIndex(where: { $0 < 0 || $0 >= bound }) {
            throw failure("\(field)[\(k)] = \(values[k]) is out of range (0..<\(bound))")
        }
    }

    /// Distinct class labels; at least `minimum` of them.
    public func classes(_ labels: [Int], minimum: Int = 1, _ field: String = "classes") throws {
        try atLeast(labels.count, minimum, "the number of \(field)")
        try that(Set(labels).count == labels.count, "\(field) \(labels) are not distinct")
    }

    /// One of `choices`.
    public func known(_ value: String, _ choices: [String], _ field: String) throws {
        try that(choices.contains(value), "\(field) '\(value)' is not one of \(choices.joined(separator: ", "))")
    }

    /// A nested estimator: validated as a decoded model, its errors prefixed with `field`.
    public func nested(_ estimator: any Estimator, _ field: String) throws {
        do { try DecodedModel.validate(estimator) } catch LearnError.corruptModel(let m) {
            throw failure("\(field): \(m)")
        }
    }
}

/// Readable text for a `DecodingError`: the field path and what was expected, without Swift's
/// internal type names (what ``ModelFile`` reports for a malformed file).
enum DecodingErrorText {
    /// `"field model.state.coef: expected a number"`-style text.
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let ctx):
            return "\(field(ctx.codingPath)): expected \(noun(type))"
        case .valueNotFound(let type, let ctx):
            return "\(field(ctx.codingPath)): missing value, expected \(noun(type))"
        case .keyNotFound(let key, let ctx):
            return "\(field(ctx.codingPath + [key])) is missing"
        case .dataCorrupted(let ctx):
            return ctx.codingPath.isEmpty ? "not valid JSON" : "\(field(ctx.codingPath)): invalid value"
        @unknown default:
            return "invalid contents"
        }
    }

    /// A coding path as `field a.b[2].c`.
    static func field(_ path: [CodingKey]) -> String {
        guard !path.isEmpty else { return "top level" }
        var s = ""
        for key in path {
            if let i = key.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + key.stringValue }
        }
        return "field " + s
    }

    /// "a number", "an integer", … for the types a model file holds.
    static func noun(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: return "a number"
        case is Int.Type, is UInt64.Type, is Int64.Type, is UInt.Type: return "an integer"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            let t = String(describing: type)
            if t.hasPrefix("Array") || t.hasPrefix("[") { return "a list" }
            if t.hasPrefix("Dictionary") { return "an object" }
            return "a value of another kind"
        }
    }
}

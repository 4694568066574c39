import Foundation
import SwiftLearnCore

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

/// Error measures for comparing results with reference values, shared by every test target.
///
/// A NaN anywhere counts as an infinite error. `Swift.max(err, .nan)` returns `err`, and
/// `[x, .nan].max()` returns `x`, so a check built on them passes a layer whose outputs are all NaN
/// (`err <= tol` holds for the finite `err` left over). Every measure here maps NaN to +∞ first, and
/// `worse(_:_:)` accumulates without losing it; `ErrorMeasureTests` shows each one failing on NaN.

/// `error`, or +∞ when it is NaN.
@inlinable
public func errorValue(_ error: Double) -> Double { error.isNaN ? .infinity : error }

/// The larger of two errors, NaN counting as +∞: use it to accumulate a worst case.
@inlinable
public func worse(_ a: Double, _ b: Double) -> Double { Swift.max(errorValue(a), errorValue(b)) }

/// Largest of `errors`, NaN counting as +∞ (0 for none).
public func largestError<S: Sequence>(_ errors: S) -> Double where S.Element == Double {
    errors.reduce(0.0, worse)
}

/// max |a − b| (NaN → +∞). Collections of different lengths are infinitely far apart.
public func maxAbsoluteError<A: Collection, B: Collection>(_ a: A, _ b: B) -> Double
where A.Element == Double, B.Element == Double {
    guard a.count == b.count else { return .infinity }
    return largestError(zip(a, b).lazy.map { Swift.abs($0 - $1) })
}

/// max |a − b| / (1 + |b|): relative for large reference values, absolute near zero (NaN → +∞).
public func maxScaledError<A: Collection, B: Collection>(_ a: A, _ b: B) -> Double
where A.Element == Double, B.Element == Double {
    guard a.count == b.count else { return .infinity }
    return largestError(zip(a, b).lazy.map { Swift.abs($0 - $1) / (1 + Swift.abs($1)) })
}

/// max |a − b| / max(|b|, floor) (NaN → +∞).
public func maxRelativeError<A: Collection, B: Collection>(_ a: A, _ b: B, floor: Double = 1e-8) -> Double
where A.Element == Double, B.Element == Double {
    guard a.count == b.count else { return .infinity }
    return largestError(zip(a, b).lazy.map { Swift.abs($0 - $1) / Swift.max(Swift.abs($1), floor) })
}

/// max |a − b| / max |b|: the error relative to the reference's scale (NaN → +∞).
public func maxErrorRelativeToScale<A: Collection, B: Collection>(_ a: A, _ b: B) -> Double
where A.Element == Double, B.Element == Double {
    let scale = largestError(b.lazy.map { Swift.abs($0) })
    return errorValue(maxAbsoluteError(a, b) / Swift.max(scale, .leastNormalMagnitude))
}

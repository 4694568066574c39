import Foundation

/// One `key=value` model setting as text, parsed with errors that name the key and say what it
/// takes (the topic models' `set(_:_:)`).
struct SettingText {
    let key: String, value: String

    func bad(_ expected: String) -> NLPError { .invalidParameter(name: key, value: value, expected: expected) }

    func int(_ range: ClosedRange<Int>) throws -> Int {
        guard let v = Int(value), range.contains(v) else { throw bad("an integer in \(range.lowerBound)…\(range.upperBound)") }
        return v
    }

    /// A finite number in `range`; `expected` describes it in the error (default: the range).
    func double(_ range: ClosedRange<Double>, _ expected: String? = nil) throws -> Double {
        guard let v = Double(value), v.isFinite, range.contains(v) else { throw bad(expected ?? "a number in \(range.lowerBound)…\(range.upperBound)") }
        return v
    }

    /// `random_state`: `None` (a seed from the system) or a NumPy seed in 0…2³²−1.
    func seed() throws -> UInt32? { value == "None" ? nil : UInt32(try int(0...Int(UInt32.max))) }

    /// `n_jobs`: −1 or 0 for every core, else 1…256 threads.
    func jobs() throws -> Int { let v = try int(-1...256); return v <= 0 ? ProcessInfo.processInfo.activeProcessorCount : v }
}

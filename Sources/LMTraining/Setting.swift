/// One `key=value` item of a `--set` list, with typed readers that throw
/// ``LMTrainingError/invalidOption(_:)`` naming the key.
struct Setting {
    let key: String, value: String

    init(_ item: String) throws {
        let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else { throw LMTrainingError.invalidOption("'\(item)' is not key=value") }
        key = parts[0]; value = parts[1]
    }

    func int() throws -> Int {
        guard let v = Int(value) else { throw LMTrainingError.invalidOption("\(key) takes an integer, got '\(value)'") }
        return v
    }

    func double() throws -> Double {
        guard let v = Double(value), v.isFinite else { throw LMTrainingError.invalidOption("\(key) takes a number, got '\(value)'") }
        return v
    }

    func bool() throws -> Bool {
        guard let v = Bool(value) else { throw LMTrainingError.invalidOption("\(key) takes true or false, got '\(value)'") }
        return v
    }

    func seed() throws -> UInt64 {
        guard let v = UInt64(value) else { throw LMTrainingError.invalidOption("\(key) takes a non-negative integer, got '\(value)'") }
        return v
    }
}

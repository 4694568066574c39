import Foundation

/// Nested estimators' parameters in scikit-learn's `name__param` form (`get_params(deep=True)`),
/// and named member lists as parameter values (`["tree:decision-tree", "forest:random-forest"]`).
enum EnsembleNesting {
    /// `prefix__param` for every parameter of `e`.
    static func parameters(of e: any Estimator, prefix: String) -> [String: ParamValue] {
        var p: [String: ParamValue] = [:]
        for (k, v) in e.parameters { p["\(prefix)__\(k)"] = v }
        return p
    }

    /// Sets `prefix__param` on the member called `prefix`; false when `name` has no such prefix.
    static func set(_ name: String, _ value: ParamValue, members: [(String, any Estimator)]) throws -> Bool {
        guard let range = name.range(of: "__") else { return false }
        let prefix = String(name[..<range.lowerBound]), inner = String(name[range.upperBound...])
        guard let member = members.first(where: { $0.0 == prefix }) else { return false }
        try member.1.setParameter(inner, value)
        return true
    }

    /// `["name:model-name", …]`.
    static func describe(_ members: [(String, any Estimator)]) -> ParamValue {
        .list(members.map { .string("\($0.0):\(type(of: $0.1).modelName)") })
    }

    /// Reads `["name:model-name", …]` (a bare model name is named after itself) into fresh
    /// default estimators from ``ModelRegistry``.
    static func members(_ value: ParamValue, name: String) throws -> [(String, any Estimator)] {
        guard case .list(let items) = value, !items.isEmpty else {
            throw LearnError.invalidParameter(name: name, value: value.description, reason: "expected a non-empty list of name:model")
        }
        return try items.map { item in
            let text = try item.string(name)
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            let (label, model) = parts.count == 2 ? (parts[0], parts[1]) : (text, text)
            return (label, try ModelRegistry.make(model))
        }
    }

    /// A fresh copy with the same hyper-parameters (`sklearn.base.clone`).
    static func clone(_ e: any Estimator) -> any Estimator { e.cloned() }

    /// Checks member names: non-empty, distinct, without `__`.
    static func validateNames(_ names: [String], _ param: String) throws {
        try require(!names.isEmpty, param, "[]", "needs at least one estimator")
        try require(Set(names).count == names.count, param, names.description, "names must be distinct")
        try require(!names.contains { $0.isEmpty || $0.contains("__") }, param, names.description, "names must be non-empty and contain no '__'")
    }
}

/// Cross-validation folds for stacking (written here so the family has no dependency on the
/// model-selection helpers).
enum EnsembleFolds {
    /// Test-fold index of every row: scikit-learn's `StratifiedKFold(n_splits, shuffle=False)`:
    /// each class's rows, in order, are cut into consecutive runs whose sizes follow the
    /// round-robin allocation of the sorted labels.
    static func stratified(_ y: [Int], folds k: Int) -> [Int] {
        let classes = Array(Set(y)).sorted()
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let encoded = y.map { index[$0]! }
        let sorted = encoded.sorted()
        var allocation = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: k)
        for (i, c) in sorted.enumerated() { allocation[i % k][c] += 1 }
        var fold = [Int](repeating: 0, count: y.count)
        for c in 0..<classes.count {
            var assignment: [Int] = []
            for f in 0..<k { assignment += [Int](repeating: f, count: allocation[f][c]) }
            var next = 0
            for i in 0..<y.count where encoded[i] == c { fold[i] = assignment[next]; next += 1 }
        }
        return fold
    }

    /// Test-fold index of every row: scikit-learn's `KFold(n_splits)`: consecutive blocks, the
    /// first `n mod k` one row larger.
    static func plain(_ n: Int, folds k: Int) -> [Int] {
        var fold = [Int](repeating: 0, count: n)
        var start = 0
        for f in 0..<k {
            let size = n / k + (f < n % k ? 1 : 0)
            for i in start..<(start + size) { fold[i] = f }
            start += size
        }
        return fold
    }
}

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

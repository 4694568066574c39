import APIClient
import Foundation
import Yams

/// Reads a YAML document of outside data (agent specs, evaluation suites) into a `JSONValue`.
///
/// Yams' `load(yaml:)` builds `Any` values and force-unwraps a mapping key that is not a scalar
/// (`? [a, b]: c` aborts the process), and expands aliases without bound. This walks the composed
/// node tree instead: keys must be scalars, nesting is capped at 64 levels and the expanded tree at
/// `maxNodes` nodes (a "billion laughs" document of nested aliases is refused, not expanded).
enum YAMLDocument {
    static let maxNodes = 200_000

    static func jsonValue(_ text: String, path: String) throws -> JSONValue {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw AgentError.invalidFile(path: path, reason: "not valid YAML: \(error)")
        }
        guard let root else { return .null }
        var budget = maxNodes
        return try convert(root, path: path, depth: 0, budget: &budget)
    }

    private static func convert(_ node: Node, path: String, depth: Int, budget: inout Int) throws -> JSONValue {
        func fail(_ reason: String) -> AgentError { .invalidFile(path: path, reason: reason) }
        guard depth < 64 else { throw fail("nested more than 64 levels") }
        budget -= 1
        guard budget >= 0 else { throw fail("expands to more than \(maxNodes) YAML nodes (aliases)") }
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: if let b = Bool.construct(from: scalar) { return .bool(b) }
            case .int: if let i = Int.construct(from: scalar) { return .number(Double(i)) }
            case .float: if let d = Double.construct(from: scalar), d.isFinite { return .number(d) }
            default: break
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            var out: [JSONValue] = []
            for item in sequence { out.append(try convert(item, path: path, depth: depth + 1, budget: &budget)) }
            return .array(out)
        case .mapping(let mapping):
            var out: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let k) = key else {
                    throw fail("a mapping key must be a plain value, not a list or mapping (line \((key.mark?.line).map(String.init) ?? "?"))")
                }
                out[k.string] = try convert(value, path: path, depth: depth + 1, budget: &budget)
            }
            return .object(out)
        case .alias:
            throw fail("an unresolved YAML alias")
        }
    }
}

import Tensors

/// Errors from loading weights into a ``Module``: a state dict that does not fit the module, or a
/// weights file that cannot be read.
public enum ModuleError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The state dict does not match the module: keys the module expects but the dict lacks, keys
    /// the module does not have, and keys whose shape differs (`expected` is the module's shape).
    case stateDictMismatch(missing: [String], unexpected: [String], mismatched: [ShapeMismatch])
    /// A weights file could not be read or written (missing, truncated, corrupted, not safetensors).
    case file(path: String, reason: String)

    /// One key whose tensor shape differs from the module's.
    public struct ShapeMismatch: Equatable, Sendable, CustomStringConvertible {
        /// The state-dict key, e.g. `features.0.weight`.
        public var key: String
        /// The shape the module holds.
        public var expected: [Int]
        /// The shape found in the state dict.
        public var found: [Int]
        /// Creates a record of one mismatched key.
        public init(key: String, expected: [Int], found: [Int]) { self.key = key; self.expected = expected; self.found = found }
        public var description: String { "\(key): expected shape \(expected), found \(found)" }
    }

    public var description: String {
        switch self {
        case let .stateDictMismatch(missing, unexpected, mismatched):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing keys: \(missing.joined(separator: ", "))") }
            if !unexpected.isEmpty { parts.append("unexpected keys: \(unexpected.joined(separator: ", "))") }
            if !mismatched.isEmpty { parts.append("shape mismatch: \(mismatched.map(\.description).joined(separator: "; "))") }
            return "state dict does not match the module: " + parts.joined(separator: "; ")
        case let .file(path, reason):
            return "cannot use weights file \(path): \(reason)"
        }
    }
}

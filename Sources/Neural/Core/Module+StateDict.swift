import Foundation
import Tensors

// State dicts: every parameter and persistent buffer under its PyTorch key, saved and loaded as
// safetensors, so weights move between this package and PyTorch (`safetensors.torch`).

extension Module {
    /// Parameters and persistent buffers in PyTorch's `state_dict()` order: for each module (depth
    /// first), its own parameters, then its own buffers. A tied parameter appears under every key.
    public func orderedStateDict() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        for (prefix, m) in namedModules(removingDuplicates: false) {
            let p = prefix.isEmpty ? "" : prefix + "."
            for (k, param) in m.namedDirectParameters() { out.append((p + k, param.value.detached())) }
            for (k, b) in m.namedDirectBuffers() where b.persistent { out.append((p + k, b.value)) }
        }
        return out
    }

    /// Every parameter and persistent buffer by key (PyTorch's `state_dict()`); the tensors share
    /// storage with the module (values, not live views: later updates are not reflected).
    public func stateDict() -> [String: Tensor] {
        Dictionary(orderedStateDict(), uniquingKeysWith: { a, _ in a })
    }

    /// Copies values from `state` into the module's parameters and buffers (PyTorch's
    /// `load_state_dict`). Values are converted to each parameter's dtype.
    ///
    /// - Parameter strict: when true (the default), keys the module expects but `state` lacks and
    ///   keys `state` has but the module does not are errors; when false they are ignored.
    ///   Shape mismatches are errors either way.
    /// - Throws: ``ModuleError/stateDictMismatch(missing:unexpected:mismatched:)`` listing every
    ///   offending key (nothing is changed then).
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws {
        var targets: [(String, (Tensor) -> Void, [Int])] = []   // key, write, shape
        for (prefix, m) in namedModules(removingDuplicates: false) {
            let p = prefix.isEmpty ? "" : prefix + "."
            for (k, param) in m.namedDirectParameters() {
                let dt = param.value.dtype
                targets.append((p + k, { param.value = $0.to(dt).contiguous() }, param.shape))
            }
            for (k, b) in m.namedDirectBuffers() where b.persistent {
                let dt = b.value.dtype
                targets.append((p + k, { b.value = $0.to(dt).contiguous() }, b.shape))
            }
        }
        let expected = Set(targets.map(\.0))
        let missing = targets.map(\.0).filter { state[$0] == nil }
        let unexpected = state.keys.filter { !expected.contains($0) }.sorted()
        var mismatched: [ModuleError.ShapeMismatch] = []
        for (key, _, shape) in targets {
            if let t = state[key], t.shape != shape {
                // PyTorch stores num_batches_tracked as a 0-d tensor; accept [] vs [1] only for scalars.
                if !(t.count == 1 && shape.reduce(1, *) == 1) {
                    mismatched.append(.init(key: key, expected: shape, found: t.shape))
                }
            }
        }
        if !mismatched.isEmpty || (strict && (!missing.isEmpty || !unexpected.isEmpty)) {
            throw ModuleError.stateDictMismatch(missing: strict ? missing : [], unexpected: strict ? unexpected : [],
                                                mismatched: mismatched)
        }
        for (key, write, shape) in targets {
            guard let t = state[key] else { continue }
            write(t.shape == shape ? t : t.reshaped(shape))
        }
    }

    /// Saves the state dict as a safetensors file (keys in ``orderedStateDict()`` order, metadata
    /// `format: pt` as `safetensors.torch.save_file` writes), loadable by
    /// `safetensors.torch.load_file` + `model.load_state_dict`.
    ///
    /// - Throws: ``ModuleError/file(path:reason:)`` when the file cannot be written.
    public func save(to url: URL) throws {
        var seen = Set<String>()
        let entries = orderedStateDict().filter { seen.insert($0.0).inserted }
        do {
            try Tensor.save(safetensors: entries.map { (name: $0.0, tensor: $0.1.contiguous()) }, metadata: ["format": "pt"], to: url)
        } catch {
            throw ModuleError.file(path: url.path, reason: "\(error)")
        }
    }

    /// Loads weights saved by ``save(to:)`` or by `safetensors.torch.save_file(model.state_dict())`.
    ///
    /// - Throws: ``ModuleError/file(path:reason:)`` for a missing, truncated or corrupted file;
    ///   ``ModuleError/stateDictMismatch(missing:unexpected:mismatched:)`` when its keys do not fit.
    public func load(from url: URL, strict: Bool = true) throws {
        let loaded: [(name: String, tensor: Tensor)]
        do {
            loaded = try Tensor.load(safetensors: url).tensors
        } catch {
            throw ModuleError.file(path: url.path, reason: "\(error)")
        }
        var dict: [String: Tensor] = [:]
        for (k, t) in loaded { dict[k] = t }
        try loadStateDict(dict, strict: strict)
    }
}

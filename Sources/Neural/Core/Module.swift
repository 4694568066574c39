import Foundation
import Tensors
import SwiftLearnCore

/// The base class of every neural-network layer and model (PyTorch's `nn.Module`).
///
/// A module owns ``Parameter``s (learned tensors), ``ModuleBuffer``s (state such as BatchNorm's
/// running statistics) and child modules. They are found by **reflection**: every stored property
/// whose value is a `Parameter`, `ModuleBuffer` or `Module` (optional or not), or an array of them,
/// is registered under its property name, so a model is written as a plain class:
///
/// ```swift
/// final class MLP: Module {
///     var fc1 = Linear(784, 256)
///     var fc2 = Linear(256, 10)
///     override func forward(_ x: Tensor) -> Tensor { fc2(relu(fc1(x))) }   // [B, 784] → [B, 10]
/// }
/// let model = MLP()
/// model.namedParameters().map(\.0)   // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
/// ```
///
/// Keys follow PyTorch's state-dict names: the path of property names joined by dots, Swift's
/// camelCase turned into snake_case (`runningMean` → `running_mean`, `outProj` → `out_proj`, a
/// leading underscore dropped), and array elements numbered as in `nn.ModuleList` / `nn.Sequential`
/// (`features.0.weight`). Containers whose keys are not property names override
/// ``namedChildren()`` (``Sequential``) or ``namedDirectParameters()`` (``LSTM``'s `weight_ih_l0`).
///
/// **Why a class and not a protocol over structs**: parameters are shared, mutable state — the
/// optimizer, the model and a state-dict load must all see one tensor — and PyTorch users expect to
/// replace a head (`model.fc = Linear(512, 10)`) and freeze a backbone in place. A reference type
/// with reflection gives that with no boilerplate; subclasses only declare properties and
/// ``forward(_:)``. Changes to parameter values go through one write path (``Parameter/value``).
///
/// Shape misuse (a wrong input shape) stops with a message naming the layer and both shapes, in
/// release builds too; loading weights that do not fit throws ``ModuleError``.
open class Module: CustomStringConvertible {
    /// Whether the module is in training mode (dropout active, batch norm using batch statistics).
    /// Set with ``train(_:)`` / ``eval()``; new modules start in training mode, as in PyTorch.
    public private(set) var isTraining = true

    /// Creates a module in training mode.
    public init() {}

    // MARK: - Forward

    /// The computation of a single-input module. Subclasses override it; call the module as a
    /// function (``callAsFunction(_:)``) rather than calling this directly.
    open func forward(_ x: Tensor) -> Tensor {
        fatalError("\(typeName): this module has no single-input forward(_:); call its own method")
    }

    /// Runs ``forward(_:)`` (and records the output shape when a ``summary(input:)`` is traced).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = forward(x)
        ModuleTrace.record(self, output: y)
        return y
    }

    /// A short name for messages and summaries: the class name, e.g. `Linear`.
    public var typeName: String { String(describing: type(of: self)) }

    /// A one-line description of the module's configuration, PyTorch's `extra_repr`, e.g.
    /// `in_features=784, out_features=10, bias=true`. Empty by default.
    open var extraDescription: String { "" }

    /// A tree of the module and its children, in PyTorch's `print(model)` layout.
    public var description: String { describe(indent: "") }

    private func describe(indent: String) -> String {
        let kids = namedChildren()
        let head = "\(typeName)(\(extraDescription)"
        if kids.isEmpty { return head + ")" }
        var s = head + (extraDescription.isEmpty ? "" : ", ") + "\n"
        for (name, m) in kids { s += "\(indent)  (\(name)): \(m.describe(indent: indent + "  "))\n" }
        return s + indent + ")"
    }

    // MARK: - Structure (reflection)

    /// The direct children with their keys (in declaration order). The default discovers them by
    /// reflection; containers override it.
    open func namedChildren() -> [(String, Module)] {
        var out: [(String, Module)] = []
        for (key, value) in Module.reflectedProperties(of: self) {
            if let m = value as? Module { out.append((key, m)) }
            else if let ms = value as? [Module] { for (i, m) in ms.enumerated() { out.append(("\(key).\(i)", m)) } }
        }
        return out
    }

    /// The parameters this module holds directly (not through children), with their local keys.
    /// The default discovers them by reflection; modules with computed names override it.
    open func namedDirectParameters() -> [(String, Parameter)] {
        var out: [(String, Parameter)] = []
        for (key, value) in Module.reflectedProperties(of: self) {
            if let p = value as? Parameter { out.append((key, p)) }
            else if let ps = value as? [Parameter] { for (i, p) in ps.enumerated() { out.append(("\(key).\(i)", p)) } }
        }
        return out
    }

    /// The buffers this module holds directly, with their local keys (reflection by default).
    open func namedDirectBuffers() -> [(String, ModuleBuffer)] {
        var out: [(String, ModuleBuffer)] = []
        for (key, value) in Module.reflectedProperties(of: self) {
            if let b = value as? ModuleBuffer { out.append((key, b)) }
            else if let bs = value as? [ModuleBuffer] { for (i, b) in bs.enumerated() { out.append(("\(key).\(i)", b)) } }
        }
        return out
    }

    /// The direct child modules (PyTorch's `children()`).
    public var children: [Module] { namedChildren().map(\.1) }

    /// This module and every descendant with its dotted path ("" for this module), depth first,
    /// each module once (PyTorch's `named_modules()`).
    public func namedModules() -> [(String, Module)] { namedModules(removingDuplicates: true) }

    /// The module tree walk; state dicts keep repeated modules under each of their keys, as PyTorch's do.
    func namedModules(removingDuplicates: Bool) -> [(String, Module)] {
        var out: [(String, Module)] = []
        var seen = Set<ObjectIdentifier>()
        func walk(_ m: Module, _ prefix: String) {
            guard seen.insert(ObjectIdentifier(m)).inserted || !removingDuplicates else { return }
            out.append((prefix, m))
            for (k, c) in m.namedChildren() { walk(c, prefix.isEmpty ? k : prefix + "." + k) }
        }
        walk(self, "")
        return out
    }

    /// This module and all its descendants (PyTorch's `modules()`).
    public func modules() -> [Module] { namedModules().map(\.1) }

    /// Every parameter with its full key (`features.0.weight`), each shared parameter once
    /// (PyTorch's `named_parameters()`). Build optimizer parameter groups from key prefixes.
    public func namedParameters() -> [(String, Parameter)] {
        var out: [(String, Parameter)] = []
        var seen = Set<ObjectIdentifier>()
        for (prefix, m) in namedModules() {
            for (k, p) in m.namedDirectParameters() where seen.insert(ObjectIdentifier(p)).inserted {
                out.append((prefix.isEmpty ? k : prefix + "." + k, p))
            }
        }
        return out
    }

    /// Every parameter, each shared parameter once, in ``namedParameters()`` order.
    public func parameters() -> [Parameter] { namedParameters().map(\.1) }

    /// The parameters that currently require a gradient (what an optimizer should update).
    public func trainableParameters() -> [Parameter] { parameters().filter(\.requiresGrad) }

    /// Every buffer with its full key (PyTorch's `named_buffers()`), persistent or not.
    public func namedBuffers() -> [(String, ModuleBuffer)] {
        var out: [(String, ModuleBuffer)] = []
        for (prefix, m) in namedModules() {
            for (k, b) in m.namedDirectBuffers() { out.append((prefix.isEmpty ? k : prefix + "." + k, b)) }
        }
        return out
    }

    /// Number of scalars in all parameters (shared parameters counted once); PyTorch's
    /// `sum(p.numel() for p in model.parameters())`.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Number of scalars in the parameters that require a gradient.
    public var trainableParameterCount: Int { trainableParameters().reduce(0) { $0 + $1.count } }

    /// Calls `body` on this module and every descendant, children first (PyTorch's `apply`).
    public func apply(_ body: (Module) -> Void) {
        for m in modules().reversed() { body(m) }
    }

    // MARK: - Modes

    /// Sets training mode on this module and all descendants (PyTorch's `train(mode)`).
    @discardableResult
    public func train(_ mode: Bool = true) -> Self {
        for m in modules() { m.isTraining = mode }
        return self
    }

    /// Sets evaluation mode (dropout off, batch norm uses its running statistics).
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Stops gradients to every parameter (or to those whose key starts with `prefix`), e.g. to
    /// freeze a pretrained backbone. Frozen parameters keep their values; optimizers skip them.
    public func freeze(prefix: String = "") {
        for (k, p) in namedParameters() where Module.key(k, hasPrefix: prefix) { p.requiresGrad = false }
    }

    /// Lets gradients flow again to every parameter (or to those under `prefix`).
    public func unfreeze(prefix: String = "") {
        for (k, p) in namedParameters() where Module.key(k, hasPrefix: prefix) { p.requiresGrad = true }
    }

    /// Parameters whose key starts with `prefix` (a whole path component: `fc` matches `fc.weight`,
    /// not `fc2.weight`), for parameter groups with their own learning rate.
    public func namedParameters(prefix: String) -> [(String, Parameter)] {
        namedParameters().filter { Module.key($0.0, hasPrefix: prefix) }
    }

    /// Clears the gradient of every parameter (PyTorch's `zero_grad()`).
    public func zeroGrad() { for p in parameters() { p.zeroGrad() } }

    /// Converts every parameter and floating-point buffer to `dtype` (PyTorch's `model.double()` /
    /// `model.float()`); integer buffers such as `num_batches_tracked` keep their dtype.
    @discardableResult
    public func to(_ dtype: DType) -> Self {
        ensure(dtype == .float32 || dtype == .float64, "\(typeName).to: modules compute in float32 or float64, not \(dtype)")
        for p in parameters() where p.value.dtype != dtype { p.value = p.value.to(dtype).contiguous() }
        for (_, b) in namedBuffers() where b.value.dtype.isFloatingPoint && b.value.dtype != dtype { b.value = b.value.to(dtype) }
        return self
    }

    /// The dtype of the first parameter (float32 for modules without parameters).
    public var dtype: DType { parameters().first?.value.dtype ?? .float32 }

    /// Whether `key` equals `prefix` or lies under it (`prefix.` …); "" matches everything.
    static func key(_ key: String, hasPrefix prefix: String) -> Bool {
        prefix.isEmpty || key == prefix || key.hasPrefix(prefix + ".")
    }

    // MARK: - Reflection

    /// Stored properties of `module` (its class and superclasses up to `Module`) that can hold
    /// modules, parameters or buffers, with their state-dict keys. The per-class list of relevant
    /// labels and their snake_case keys is cached, so repeated walks skip the name conversion and
    /// properties of other types (integers, configuration) after the first walk.
    static func reflectedProperties(of module: Module) -> [(String, Any)] {
        var out: [(String, Any)] = []
        var mirror: Mirror? = Mirror(reflecting: module)
        while let m = mirror, m.subjectType != Module.self {
            let layout = ReflectionCache.shared.layout(for: m)
            var index = 0
            for child in m.children {
                defer { index += 1 }
                guard let key = layout[index] else { continue }
                out.append((key, child.value))
            }
            mirror = m.superclassMirror
        }
        return out
    }
}

/// Per-class cache of which stored properties can hold modules, parameters or buffers and their
/// state-dict keys (index of the property in the class's own mirror → key).
final class ReflectionCache: @unchecked Sendable {
    static let shared = ReflectionCache()
    private let lock = NSLock()
    private var layouts: [ObjectIdentifier: [Int: String]] = [:]

    func layout(for mirror: Mirror) -> [Int: String] {
        let id = ObjectIdentifier(mirror.subjectType)
        lock.lock()
        if let l = layouts[id] { lock.unlock(); return l }
        lock.unlock()
        var l: [Int: String] = [:]
        for (i, child) in mirror.children.enumerated() {
            guard let label = child.label, ReflectionCache.canHoldState(child.value) else { continue }
            l[i] = ReflectionCache.stateKey(label)
        }
        lock.lock(); layouts[id] = l; lock.unlock()
        return l
    }

    /// Whether a property of this value's static type can hold registered state. Decided from the
    /// type, not the value, so an optional that is nil today is still registered tomorrow.
    static func canHoldState(_ value: Any) -> Bool {
        let t = type(of: value)
        if t is Module.Type || t is Parameter.Type || t is ModuleBuffer.Type { return true }
        if t is Optional<Module>.Type || t is Optional<Parameter>.Type || t is Optional<ModuleBuffer>.Type { return true }
        if value is [Module] || value is [Parameter] || value is [ModuleBuffer] { return true }
        if let o = value as? OptionalProtocol { return o.wrappedTypeHoldsState }
        return false
    }

    /// PyTorch-style key of a Swift property name: camelCase → snake_case, leading `_` dropped.
    static func stateKey(_ label: String) -> String {
        var name = Substring(label)
        while name.first == "_" { name = name.dropFirst() }
        var s = ""
        for ch in name {
            if ch.isUppercase { if !s.isEmpty && s.last != "_" { s.append("_") }; s += ch.lowercased() }
            else { s.append(ch) }
        }
        return s
    }
}

/// Lets reflection look through an optional of a concrete module type (`Linear?`) to its wrapped type.
protocol OptionalProtocol { var wrappedTypeHoldsState: Bool { get } }
extension Optional: OptionalProtocol {
    var wrappedTypeHoldsState: Bool {
        Wrapped.self is Module.Type || Wrapped.self is Parameter.Type || Wrapped.self is ModuleBuffer.Type
    }
}

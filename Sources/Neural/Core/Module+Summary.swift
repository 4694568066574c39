import Foundation
import Tensors

/// Records output shapes of modules while ``Module/summary(input:)`` runs a forward pass.
enum ModuleTrace {
    nonisolated(unsafe) static var shapes: [ObjectIdentifier: [Int]]? = nil
    static let lock = NSLock()

    @inline(__always)
    static func record(_ m: Module, output: Tensor) {
        guard shapes != nil else { return }
        lock.lock()
        if shapes?[ObjectIdentifier(m)] == nil { shapes?[ObjectIdentifier(m)] = output.shape }
        lock.unlock()
    }
}

extension Module {
    /// A readable table of the model: every module's key, type and own parameter count, with the
    /// output shape of each layer when `input` is given (one forward pass in eval mode without
    /// gradients; the training mode is restored afterwards), then the totals.
    ///
    /// ```
    /// Layer            Type        Output shape      Params
    /// fc1              Linear      [1, 256]          200,960
    /// ...
    /// Total params: 235,146 (trainable 235,146, frozen 0)
    /// ```
    public func summary(input: Tensor? = nil) -> String {
        var shapes: [ObjectIdentifier: [Int]] = [:]
        if let input {
            let modes = modules().map { ($0, $0.isTraining) }
            eval()
            ModuleTrace.lock.lock(); ModuleTrace.shapes = [:]; ModuleTrace.lock.unlock()
            _ = GradMode.withoutGrad { self(input) }
            ModuleTrace.lock.lock(); shapes = ModuleTrace.shapes ?? [:]; ModuleTrace.shapes = nil; ModuleTrace.lock.unlock()
            for (m, t) in modes { m.train(t) }
        }
        var rows: [[String]] = [["Layer", "Type", "Output shape", "Params"]]
        for (name, m) in namedModules() {
            let own = m.namedDirectParameters().reduce(0) { $0 + $1.1.count }
            let shape = shapes[ObjectIdentifier(m)].map { "\($0)" } ?? "-"
            rows.append([name.isEmpty ? "(model)" : name, m.typeName, shape, Module.grouped(own)])
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var s = ""
        for (i, r) in rows.enumerated() {
            s += (0..<4).map { c in c == 3 ? String(repeating: " ", count: widths[c] - r[c].count) + r[c]
                                             : r[c] + String(repeating: " ", count: widths[c] - r[c].count) }
                .joined(separator: "  ") + "\n"
            if i == 0 { s += String(repeating: "-", count: widths.reduce(0, +) + 6) + "\n" }
        }
        let total = parameterCount, trainable = trainableParameterCount
        s += "Total params: \(Module.grouped(total)) (trainable \(Module.grouped(trainable)), frozen \(Module.grouped(total - trainable)))\n"
        return s
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }
}

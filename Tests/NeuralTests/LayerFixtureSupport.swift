import Foundation
import Testing
import Tensors
import Neural
import TestSupport

/// The PyTorch reference values written by scripts/fixtures/make_neural_layer_fixtures.py.
enum LayerFixtures {
    static let tensors: [String: Tensor] = load("layers")

    /// The tensors of `Fixtures/<resource>.safetensors` by key.
    static func load(_ resource: String) -> [String: Tensor] {
        let url = Bundle.module.url(forResource: resource, withExtension: "safetensors", subdirectory: "Fixtures")!
        var d: [String: Tensor] = [:]
        for (k, t) in try! Tensor.load(safetensors: url).tensors { d[k] = t }
        return d
    }

    /// Tolerances: 1e-10 (absolute + relative) for float64 — far inside the 1e-6 asked for, so a
    /// fixture whose float64 run silently used rounded parameters fails — and 1e-4 relative for float32.
    static func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-10 : 1e-4 }

    /// Largest |a − b| / (1 + |b|) — relative for large values, absolute near zero; NaN is +∞.
    static func maxError(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape, "shapes \(a.shape) vs \(b.shape)")
        return maxScaledError(a.scalars, b.scalars)
    }

    /// Runs one fixture case in both dtypes. `build` makes the module (or nil for a function) in
    /// the dtype; `run` computes the outputs from the inputs. Checks outputs, input gradients,
    /// parameter gradients and buffers after the call. Returns the largest error seen per dtype.
    @discardableResult
    static func check(_ name: String, in tensors: [String: Tensor] = LayerFixtures.tensors, build: (DType) -> Module?,
                      run: (Module?, [Tensor]) -> [Tensor], sourceLocation: SourceLocation = #_sourceLocation) throws -> [DType: Double] {
        var worst: [DType: Double] = [:]
        for (tag, dt) in [("f64", DType.float64), ("f32", DType.float32)] {
            let key = "\(name)|\(tag)|"
            let module = build(dt)
            var state: [String: Tensor] = [:]
            for (k, v) in tensors where k.hasPrefix(key + "p|") { state[String(k.dropFirst(key.count + 2))] = v }
            if let module { try module.loadStateDict(state) } else { #expect(state.isEmpty, sourceLocation: sourceLocation) }
            var inputs: [Tensor] = []
            while let x = tensors[key + "in\(inputs.count)"] {
                inputs.append(x.dtype.isFloatingPoint ? x.requiringGrad() : x)
            }
            let outs = run(module, inputs)
            var loss: Tensor? = nil
            var err = 0.0
            for (i, o) in outs.enumerated() {
                let expected = try #require(tensors[key + "out\(i)"], "\(key)out\(i) missing", sourceLocation: sourceLocation)
                #expect(o.shape == expected.shape, "\(key)out\(i) shape", sourceLocation: sourceLocation)
                err = worse(err, maxError(o, expected))
                let term = (o * tensors[key + "gout\(i)"]!).sum()
                loss = loss.map { $0 + term } ?? term
            }
            #expect(outs.count == (0..<10).filter { tensors[key + "out\($0)"] != nil }.count, sourceLocation: sourceLocation)
            loss?.backward()
            for (i, x) in inputs.enumerated() where x.dtype.isFloatingPoint {
                let expected = tensors[key + "gin\(i)"]!
                err = worse(err, maxError(x.grad ?? Tensor.zeros(like: x), expected))
            }
            if let module {
                for (k, p) in module.namedParameters() {
                    let expected = try #require(tensors[key + "g|" + k], "\(key)g|\(k) missing", sourceLocation: sourceLocation)
                    err = worse(err, maxError(p.grad ?? Tensor.zeros(like: p.value), expected))
                }
                for (k, b) in module.namedBuffers() where b.persistent {
                    if let expected = tensors[key + "after|" + k] { err = worse(err, maxError(b.value.to(.float64), expected.to(.float64))) }
                }
            }
            #expect(err <= tolerance(dt), "\(name) \(tag): max error \(err)", sourceLocation: sourceLocation)
            worst[dt] = err
        }
        return worst
    }
}

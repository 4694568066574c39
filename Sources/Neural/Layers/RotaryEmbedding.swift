import Foundation
import Tensors
import SwiftLearnCore

/// How the features of a head are paired for rotary embeddings.
public enum RotaryLayout: String, Sendable {
    /// Feature i pairs with i + d/2 (GPT-NeoX, Hugging Face Llama's `rotate_half`).
    case halves
    /// Feature 2i pairs with 2i + 1 (RoFormer, GPT-J, Meta's Llama reference code).
    case interleaved
}

/// Rotates each pair of features by a position-dependent angle (one autograd node). The rotation
/// is orthogonal, so the backward pass is the same kernel with the angle negated.
private func rotate<T: FloatScalar>(_: T.Type, _ x: Tensor, _ y: Tensor, rows: Int, steps: Int, width: Int, rotary: Int,
                                    cos: [Double], sin: [Double], layout: RotaryLayout, direction: Double) {
    let px = UnsafePointer(x.raw(T.self)), py = y.raw(T.self), half = rotary / 2
    NeuralParallel.forRange(rows, cost: 4 * width) { s, e in
        for r in s..<e {
            let t = r % steps, src = px + r * width, dst = py + r * width
            for i in 0..<half {
                let a = layout == .halves ? i : 2 * i, b = layout == .halves ? i + half : 2 * i + 1
                let c = cos[t * half + i], sn = direction * sin[t * half + i]
                let xa = Double(src[a]), xb = Double(src[b])
                dst[a] = T(xa * c - xb * sn)
                dst[b] = T(xb * c + xa * sn)
            }
            if rotary < width { (dst + rotary).update(from: src + rotary, count: width - rotary) }
        }
    }
}

/// Rotary position embedding (RoPE, Su et al. 2021) of queries or keys: each pair (x_a, x_b) of the
/// first `rotaryDim` features at position p = offset + t is rotated by the angle p·θ_i,
/// θ_i = base^(−2i/rotaryDim):
/// `y_a = x_a·cos(pθ_i) − x_b·sin(pθ_i)`, `y_b = x_b·cos(pθ_i) + x_a·sin(pθ_i)`; the remaining
/// features pass through. Dot products of rotated queries and keys then depend only on the
/// relative position.
///
/// - Parameters:
///   - x: `[…, T, D]` (e.g. `[B, heads, T, headDim]`); positions run along axis −2.
///   - rotaryDim: features rotated (even, ≤ D; default D).
///   - offset: position of the first step (for a cached prefix).
/// - Returns: the shape of `x`.
public func applyRotaryEmbedding(_ x: Tensor, rotaryDim: Int? = nil, base: Double = 10000, offset: Int = 0,
                                 layout: RotaryLayout = .halves) -> Tensor {
    ensure(x.rank >= 2, "applyRotaryEmbedding: expected input […, T, D], got \(x.shape)")
    let dt = x.dtype
    ensure(dt == .float32 || dt == .float64, "applyRotaryEmbedding: expects float32 or float64, got \(dt)")
    let steps = x.shape[x.rank - 2], width = x.shape[x.rank - 1], rotary = rotaryDim ?? width
    ensure(rotary > 0 && rotary % 2 == 0 && rotary <= width, "applyRotaryEmbedding: rotary dim \(rotary) must be even, positive and at most the feature size \(width)")
    ensure(offset >= 0, "applyRotaryEmbedding: offset must be non-negative, got \(offset)")
    let half = rotary / 2
    var cosTable = [Double](repeating: 0, count: steps * half), sinTable = cosTable
    for i in 0..<half {
        let theta = Foundation.pow(base, -2 * Double(i) / Double(rotary))
        for t in 0..<steps {
            let angle = Double(offset + t) * theta
            cosTable[t * half + i] = Foundation.cos(angle); sinTable[t * half + i] = Foundation.sin(angle)
        }
    }
    let rows = x.count / Swift.max(width, 1)   // one row per position vector
    func run(_ input: Tensor, _ direction: Double) -> Tensor {
        let out = Tensor.uninitialized(input.shape, dtype: dt)
        if dt == .float32 {
            rotate(Float.self, input, out, rows: rows, steps: steps, width: width, rotary: rotary, cos: cosTable, sin: sinTable, layout: layout, direction: direction)
        } else {
            rotate(Double.self, input, out, rows: rows, steps: steps, width: width, rotary: rotary, cos: cosTable, sin: sinTable, layout: layout, direction: direction)
        }
        return out
    }
    let y = run(x.plain(dt), 1)
    guard GradMode.isEnabled, x.requiresGrad else { return y }
    return Tensor.differentiable(y, inputs: [x], name: "rotaryEmbedding") { g in [run(g.plain(dt), -1)] }
}

/// Rotary position embedding as a module (no parameters): apply it to the queries and keys of
/// each head before the attention scores. See ``applyRotaryEmbedding(_:rotaryDim:base:offset:layout:)``.
///
/// ```swift
/// let rope = RotaryEmbedding(dim: 64)
/// let q2 = rope(q), k2 = rope(k)        // [B, heads, T, 64]
/// ```
public final class RotaryEmbedding: Module {
    /// Features rotated (the head size, or less for partial rotary embeddings).
    public let dim: Int
    /// θ_i = base^(−2i/dim) (10 000).
    public let base: Double
    /// How features are paired.
    public let layout: RotaryLayout

    /// Creates the embedding.
    public init(dim: Int, base: Double = 10000, layout: RotaryLayout = .halves) {
        ensure(dim > 0 && dim % 2 == 0, "RotaryEmbedding: dim must be even and positive, got \(dim)")
        self.dim = dim; self.base = base; self.layout = layout
        super.init()
    }

    /// Rotates `x` `[…, T, D ≥ dim]` for positions `offset ..< offset + T`.
    public func callAsFunction(_ x: Tensor, offset: Int) -> Tensor {
        applyRotaryEmbedding(x, rotaryDim: dim, base: base, offset: offset, layout: layout)
    }

    /// Rotates `x` for positions `0 ..< T`.
    public override func forward(_ x: Tensor) -> Tensor { self(x, offset: 0) }

    public override var extraDescription: String { "dim=\(dim), base=\(base), layout=\(layout.rawValue)" }
}

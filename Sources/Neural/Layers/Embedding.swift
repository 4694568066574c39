import Tensors
import SwiftLearnCore

/// A lookup table of `numEmbeddings` vectors of size `embeddingDim` (PyTorch's `nn.Embedding`):
/// integer indices of any shape → their rows, `[*, embeddingDim]`.
///
/// The weight starts as N(0, 1) draws (PyTorch's default) with the `paddingIndex` row zeroed;
/// that row gets no gradient. The backward pass adds each output gradient into its row.
public final class Embedding: Module {
    /// Size of the table.
    public let numEmbeddings: Int
    /// Size of each vector.
    public let embeddingDim: Int
    /// Row that is zero and not trained (PyTorch's `padding_idx`), or nil.
    public let paddingIndex: Int?
    /// `[numEmbeddings, embeddingDim]`.
    public var weight: Parameter

    /// Creates the table (negative `paddingIndex` counts from the end, as PyTorch).
    public init(_ numEmbeddings: Int, _ embeddingDim: Int, paddingIndex: Int? = nil, dtype: DType = .float32,
                generator: RandomGenerator? = nil) {
        self.numEmbeddings = numEmbeddings; self.embeddingDim = embeddingDim
        let pad = paddingIndex.map { $0 < 0 ? $0 + numEmbeddings : $0 }
        if let pad { ensure(pad >= 0 && pad < numEmbeddings, "Embedding: padding index \(paddingIndex!) is out of range for \(numEmbeddings) rows") }
        self.paddingIndex = pad
        var w = Tensor.randn([numEmbeddings, embeddingDim], dtype: dtype, generator: generator)
        if let pad { w.assign(0, at: [.index(pad)]) }
        weight = Parameter(w)
        super.init()
    }

    /// Integer indices `[*]` → `[*, embeddingDim]`.
    public override func forward(_ indices: Tensor) -> Tensor {
        ensure(indices.dtype == .int64 || indices.dtype == .int32,
               "Embedding(\(numEmbeddings), \(embeddingDim)): expected integer indices, got dtype \(indices.dtype) with shape \(indices.shape)")
        return embedding(indices, weight: weight.value, paddingIndex: paddingIndex)
    }

    public override var extraDescription: String {
        "\(numEmbeddings), \(embeddingDim)" + (paddingIndex.map { ", padding_idx=\($0)" } ?? "")
    }
}

/// Rows of `weight` `[V, D]` at integer `indices` `[*]` → `[*, D]` (PyTorch's `F.embedding`).
/// d/dweight: each output gradient added into its row (except `paddingIndex`'s).
public func embedding(_ indices: Tensor, weight: Tensor, paddingIndex: Int? = nil) -> Tensor {
    ensure(weight.rank == 2, "embedding: weight must be [V, D], got \(weight.shape)")
    let v = weight.shape[0], d = weight.shape[1], dt = weight.dtype
    let idx = indices.toArray(as: Int64.self).map { i -> Int in
        ensure(i >= 0 && i < v, "embedding: index \(i) is out of range for a table of \(v) rows")
        return Int(i)
    }
    let ws = weight.plain(dt)
    let y = Tensor.uninitialized(indices.shape + [d], dtype: dt)
    func gather<T: FloatScalar>(_: T.Type) {
        let pw = ws.raw(T.self), py = y.raw(T.self)
        for (r, i) in idx.enumerated() { (py + r * d).update(from: pw + i * d, count: d) }
    }
    if dt == .float32 { gather(Float.self) } else { gather(Double.self) }
    guard GradMode.isEnabled, weight.requiresGrad else { return y }
    return Tensor.differentiable(y, inputs: [weight], name: "embedding") { g in
        let gs = g.plain(dt), dw = Tensor.zeros([v, d], dtype: dt)
        func scatter<T: FloatScalar>(_: T.Type) {
            let pg = gs.raw(T.self), pd = dw.raw(T.self)
            for (r, i) in idx.enumerated() where i != paddingIndex {
                let src = pg + r * d, dst = pd + i * d
                for k in 0..<d { dst[k] += src[k] }
            }
        }
        if dt == .float32 { scatter(Float.self) } else { scatter(Double.self) }
        return [dw]
    }
}

import Foundation
import Tensors
import SwiftLearnCore

/// The fixed sinusoidal position signal of "Attention Is All You Need" (§3.5), added to the input:
/// `PE[p, 2i] = sin(p / 10000^(2i/d))`, `PE[p, 2i+1] = cos(p / 10000^(2i/d))`, then dropout (as in the
/// PyTorch transformer tutorial's `PositionalEncoding`). The table is a non-persistent buffer `pe`
/// `[maxLength, dModel]` (not in state dicts); nothing is learned.
///
/// ```swift
/// let pos = SinusoidalPositionalEncoding(dModel: 128, dropout: 0.1)
/// let h = pos(tokens)       // [B, T, 128] → [B, T, 128]
/// ```
public final class SinusoidalPositionalEncoding: Module {
    /// Features per position.
    public let dModel: Int
    /// Longest sequence the table covers.
    public let maxLength: Int
    /// Whether inputs are `[B, T, d]` (default) or `[T, B, d]`.
    public let batchFirst: Bool
    /// The table `[maxLength, dModel]`.
    public var pe: ModuleBuffer
    /// Dropout after the addition.
    public var dropout: Dropout

    /// Creates the table in `dtype`.
    public init(dModel: Int, maxLength: Int = 5000, dropout: Double = 0.1, batchFirst: Bool = true, dtype: DType = .float32) {
        ensure(dModel > 0 && maxLength > 0, "SinusoidalPositionalEncoding: d_model and max length must be positive, got \(dModel), \(maxLength)")
        self.dModel = dModel; self.maxLength = maxLength; self.batchFirst = batchFirst
        var table = [Double](repeating: 0, count: maxLength * dModel)
        for i in stride(from: 0, to: dModel, by: 2) {
            let inverse = Foundation.exp(-Double(i) * Foundation.log(10000.0) / Double(dModel))
            for p in 0..<maxLength {
                let angle = Double(p) * inverse
                table[p * dModel + i] = Foundation.sin(angle)
                if i + 1 < dModel { table[p * dModel + i + 1] = Foundation.cos(angle) }
            }
        }
        pe = ModuleBuffer(Tensor(table, shape: [maxLength, dModel]).to(dtype), persistent: false)
        self.dropout = Dropout(dropout)
        super.init()
    }

    /// Adds the first T rows of the table: `[B, T, d]` (or `[T, B, d]`, or `[T, d]`) → same shape.
    public override func forward(_ x: Tensor) -> Tensor {
        let axis = x.rank == 3 && batchFirst ? 1 : 0
        ensure((x.rank == 3 || x.rank == 2) && x.shape[x.rank - 1] == dModel && x.shape[axis] <= maxLength,
               "SinusoidalPositionalEncoding(d_model=\(dModel), max_len=\(maxLength)): expected input [\(batchFirst ? "B, T" : "T, B"), \(dModel)] with T ≤ \(maxLength), got \(x.shape)")
        var table = pe.value.slice(axis: 0, 0, x.shape[axis]).to(x.dtype)
        if x.rank == 3 && !batchFirst { table = table.unsqueezed(1) }
        return dropout(x + table)
    }

    public override var extraDescription: String { "d_model=\(dModel), max_len=\(maxLength)" }
}

/// Learned absolute position embeddings (BERT, GPT-2): an ``Embedding`` of positions added to the
/// input, `y[b, t] = x[b, t] + E[offset + t]`. Key: `embedding.weight` `[maxLength, dModel]`.
///
/// ```swift
/// let pos = LearnedPositionalEmbedding(maxLength: 512, dModel: 128)
/// let h = pos(tokenEmbeddings)     // [B, T, 128] → [B, T, 128]
/// ```
public final class LearnedPositionalEmbedding: Module {
    /// The table of position vectors.
    public var embedding: Embedding
    /// Whether inputs are `[B, T, d]` (default) or `[T, B, d]`.
    public let batchFirst: Bool

    /// Creates the table (N(0, 1) entries, as ``Embedding``).
    public init(maxLength: Int, dModel: Int, batchFirst: Bool = true, dtype: DType = .float32, generator: RandomGenerator? = nil) {
        embedding = Embedding(maxLength, dModel, dtype: dtype, generator: generator)
        self.batchFirst = batchFirst
        super.init()
    }

    /// Adds the embeddings of positions `offset ..< offset + T` (an offset continues a cached prefix).
    public func callAsFunction(_ x: Tensor, offset: Int) -> Tensor {
        let axis = x.rank == 3 && batchFirst ? 1 : 0, t = x.rank >= 2 ? x.shape[axis] : 0
        ensure((x.rank == 3 || x.rank == 2) && x.shape[x.rank - 1] == embedding.embeddingDim && offset >= 0 && offset + t <= embedding.numEmbeddings,
               "LearnedPositionalEmbedding(\(embedding.numEmbeddings), \(embedding.embeddingDim)): expected input [\(batchFirst ? "B, T" : "T, B"), \(embedding.embeddingDim)] with offset + T ≤ \(embedding.numEmbeddings), got \(x.shape) at offset \(offset)")
        var table = embedding(Tensor.arange(offset, offset + t))
        if x.rank == 3 && !batchFirst { table = table.unsqueezed(1) }
        return x + table
    }

    /// Adds the embeddings of positions `0 ..< T`.
    public override func forward(_ x: Tensor) -> Tensor { self(x, offset: 0) }
}

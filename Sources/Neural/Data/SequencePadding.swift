import Tensors

/// A batch of variable-length sequences padded to a common length, with their lengths and a
/// mask of the real (non-padding) steps.
public struct PaddedSequences {
    /// The padded values: `[B, T, …]` (batch first) or `[T, B, …]`, T = the longest length.
    public let values: Tensor
    /// Each sequence's true length.
    public let lengths: [Int]
    /// `[B, T]` (or `[T, B]`) float mask of the values' dtype: 1 at real steps, 0 at padding
    /// (multiply a per-step loss by it and divide by ``totalSteps``).
    public let mask: Tensor
    /// Whether the batch axis comes first.
    public let batchFirst: Bool

    /// The lengths as an int64 tensor `[B]`.
    public var lengthsTensor: Tensor { Tensor(lengths.map(Int64.init)) }

    /// Total number of real steps (Σ lengths).
    public var totalSteps: Int { lengths.reduce(0, +) }
}

/// Pads sequences `[Lᵢ, …]` (same trailing shape and dtype) to the longest length
/// (PyTorch's `pad_sequence`, plus the lengths and mask that packed sequences carry).
///
/// ```swift
/// let batch = try padSequences([Tensor([1, 2, 3] as [Int64]), Tensor([4] as [Int64])], paddingValue: 0)
/// batch.values   // [[1, 2, 3], [4, 0, 0]]
/// batch.mask     // [[1, 1, 1], [1, 0, 0]]
/// ```
/// - Parameters:
///   - paddingValue: value of the padded steps (default 0).
///   - batchFirst: `[B, T, …]` (default) or `[T, B, …]`.
///   - length: pad (or truncate) to this length instead of the longest.
/// - Throws: ``DataLoadingError`` on an empty list, a scalar, or mismatched trailing shapes/dtypes.
public func padSequences(_ sequences: [Tensor], paddingValue: Double = 0, batchFirst: Bool = true,
                         length: Int? = nil) throws -> PaddedSequences {
    guard let first = sequences.first else { throw DataLoadingError.emptyDataset }
    guard sequences.allSatisfy({ $0.rank >= 1 }) else {
        throw DataLoadingError.invalidArgument("padSequences: every sequence needs a time axis; shapes \(sequences.map(\.shape))")
    }
    let trailing = Array(first.shape.dropFirst())
    guard sequences.allSatisfy({ Array($0.shape.dropFirst()) == trailing && $0.dtype == first.dtype }) else {
        throw DataLoadingError.invalidArgument("padSequences: sequences differ in trailing shape or dtype: \(sequences.map { "\($0.shape) \($0.dtype)" })")
    }
    let longest = sequences.map { $0.shape[0] }.max()!
    let t = length ?? longest
    guard t >= 0 else { throw DataLoadingError.invalidArgument("padSequences: length \(t) must be >= 0") }
    let lengths = sequences.map { Swift.min($0.shape[0], t) }
    let rows: [Tensor] = sequences.map { s in
        let kept = s.shape[0] > t ? s.slice(axis: 0, 0, t) : s
        let missing = t - kept.shape[0]
        guard missing > 0 else { return kept.detached() }
        let pad = Tensor.full([missing] + trailing, paddingValue, dtype: s.dtype)
        return Tensor.concat([kept.detached(), pad], axis: 0)
    }
    var values = Tensor.stack(rows, axis: 0)                                    // [B, T, …]
    let maskDType: DType = first.dtype.isFloatingPoint ? first.dtype : .float32
    var maskValues = [Double](repeating: 0, count: sequences.count * t)
    for (b, l) in lengths.enumerated() { for i in 0..<l { maskValues[b * t + i] = 1 } }
    var mask = Tensor(maskValues, shape: [sequences.count, t]).to(maskDType)
    if !batchFirst {
        values = values.transposed(0, 1).contiguous()
        mask = mask.transposed(0, 1).contiguous()
    }
    return PaddedSequences(values: values, lengths: lengths, mask: mask, batchFirst: batchFirst)
}

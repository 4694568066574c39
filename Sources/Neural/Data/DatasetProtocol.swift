import Tensors

/// A collection of samples addressed by index (PyTorch's map-style `torch.utils.data.Dataset`).
///
/// Conform with a count and a subscript; a ``DataLoader`` then batches, shuffles and prefetches.
/// (Named with the `Protocol` suffix because `Datasets.Dataset`, the tabular dataset type,
/// already owns the plain name.)
///
/// ```swift
/// struct Squares: DatasetProtocol {
///     var count: Int { 100 }
///     subscript(index: Int) -> (Tensor, Tensor) {
///         (Tensor([Float(index)]), Tensor([Float(index * index)]))
///     }
/// }
/// ```
public protocol DatasetProtocol {
    /// What one index yields (a tensor, an (input, target) pair, a token sequence …).
    associatedtype Sample
    /// Number of samples.
    var count: Int { get }
    /// The sample at `index`, for `0 ..< count`.
    subscript(index: Int) -> Sample { get }
}

/// Samples that are slices along the first axis of one or more tensors of equal length
/// (PyTorch's `TensorDataset`): sample i is `[t₀[i], t₁[i], …]`.
///
/// ```swift
/// let data = try TensorDataset(images, labels)     // [N, 1, 28, 28] and [N]
/// let (x, y) = (data[0][0], data[0][1])
/// ```
public struct TensorDataset: DatasetProtocol {
    /// The stored tensors, all with the same first dimension.
    public let tensors: [Tensor]

    /// Creates a dataset over tensors that share their first dimension.
    /// - Throws: ``DataLoadingError`` when no tensor is given, one is a scalar, or lengths differ.
    public init(_ tensors: [Tensor]) throws {
        guard let first = tensors.first else { throw DataLoadingError.invalidArgument("TensorDataset needs at least one tensor") }
        guard tensors.allSatisfy({ $0.rank >= 1 }) else {
            throw DataLoadingError.invalidArgument("TensorDataset: every tensor needs a first (sample) dimension; got shapes \(tensors.map(\.shape))")
        }
        let counts = tensors.map { $0.shape[0] }
        guard counts.allSatisfy({ $0 == first.shape[0] }) else { throw DataLoadingError.mismatchedCounts(counts) }
        self.tensors = tensors.map { $0.detached() }
    }

    /// Creates a dataset over tensors that share their first dimension.
    public init(_ tensors: Tensor...) throws { try self.init(tensors) }

    public var count: Int { tensors[0].shape[0] }

    public subscript(index: Int) -> [Tensor] { tensors.map { $0[index] } }

    /// The rows at `indices` of every tensor, gathered in one pass each (the batch a
    /// ``DataLoader`` hands out).
    public func batch(at indices: [Int]) -> [Tensor] {
        let idx = Tensor(indices.map(Int64.init))
        return tensors.map { $0.indexSelect(axis: 0, indices: idx) }
    }

    /// The samples at `indices` as a new dataset (e.g. a train/validation split).
    public func subset(_ indices: [Int]) throws -> TensorDataset {
        guard indices.allSatisfy({ $0 >= 0 && $0 < count }) else {
            throw DataLoadingError.invalidArgument("TensorDataset.subset: an index is outside 0..<\(count)")
        }
        return try TensorDataset(batch(at: indices))
    }
}

/// Errors of datasets and data loaders.
public enum DataLoadingError: Error, CustomStringConvertible, Equatable {
    /// The dataset has no samples.
    case emptyDataset
    /// The batch size is not positive.
    case invalidBatchSize(Int)
    /// Tensors of one dataset disagree on the number of samples.
    case mismatchedCounts([Int])
    /// Any other argument out of range, with an explanation.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .emptyDataset: return "the dataset is empty"
        case .invalidBatchSize(let b): return "batch size must be at least 1, got \(b)"
        case .mismatchedCounts(let c): return "tensors have different numbers of samples: \(c)"
        case .invalidArgument(let m): return m
        }
    }
}

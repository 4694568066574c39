import Foundation
import SwiftLearnCore
import Tensors

/// Batches a dataset, with a seeded shuffle per epoch and optional background prefetching
/// (PyTorch's `torch.utils.data.DataLoader`).
///
/// Iterating the loader runs one epoch: every sample appears exactly once (or, with
/// `dropLast`, every sample of the full batches), in a new order each epoch when shuffling.
/// The order of epoch e depends only on (`seed`, e), so runs are reproducible and
/// ``indices(forEpoch:)`` tells any epoch's order in advance. With `prefetch > 0` a background
/// thread assembles up to `prefetch` batches ahead of the training loop (a bounded queue), so
/// gathering and augmentation overlap with compute.
///
/// ```swift
/// let loader = try DataLoader(trainSet, batchSize: 64, shuffle: true, seed: 0, prefetch: 2)
/// for epoch in 0..<10 {
///     for batch in loader { let (x, y) = (batch[0], batch[1]); … }
/// }
/// ```
public final class DataLoader<Batch>: Sequence {
    /// Number of samples in the dataset.
    public let datasetCount: Int
    /// Samples per batch (the last one may be smaller unless ``dropLast``).
    public let batchSize: Int
    /// Whether each epoch visits the samples in a new random order.
    public let shuffle: Bool
    /// Whether a last, incomplete batch is skipped.
    public let dropLast: Bool
    /// Seed of the shuffling (and of the generator handed to ``fetch``'s transforms).
    public let seed: UInt64
    /// Batches assembled ahead on a background thread (0: assembled on the caller's thread).
    public let prefetch: Int
    /// The epoch the next iteration will run (0 at first; advanced by each `makeIterator()`).
    public var epoch = 0
    private let fetch: ([Int], RandomGenerator) -> Batch

    /// Creates a loader from a batch-assembling function.
    /// - Parameters:
    ///   - count: number of samples.
    ///   - fetch: builds the batch for the given sample indices; the generator (seeded per
    ///     epoch and batch) drives random augmentation.
    /// - Throws: ``DataLoadingError`` when `count` is 0, `batchSize` < 1, `prefetch` < 0, or
    ///   `dropLast` leaves no batch.
    public init(count: Int, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false, seed: UInt64 = 0,
                prefetch: Int = 0, fetch: @escaping ([Int], RandomGenerator) -> Batch) throws {
        guard count > 0 else { throw DataLoadingError.emptyDataset }
        guard batchSize >= 1 else { throw DataLoadingError.invalidBatchSize(batchSize) }
        guard prefetch >= 0 else { throw DataLoadingError.invalidArgument("prefetch must be >= 0, got \(prefetch)") }
        guard !dropLast || count >= batchSize else {
            throw DataLoadingError.invalidArgument("dropLast with batch size \(batchSize) leaves no batch of \(count) samples")
        }
        datasetCount = count
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.prefetch = prefetch
        self.fetch = fetch
    }

    /// Number of batches per epoch.
    public var count: Int { datasetCount / batchSize + (dropLast || datasetCount % batchSize == 0 ? 0 : 1) }

    /// The sample order of epoch `epoch`: `0..<n` without shuffling, else a permutation drawn
    /// from a generator seeded by (seed, epoch).
    public func indices(forEpoch epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<datasetCount) }
        let g = RandomGenerator(seed: DataLoaderSeeds.mix(seed, UInt64(epoch), 0x5348_5546))
        return Tensor.permutation(datasetCount, generator: g).toArray(as: Int64.self).map { Int($0) }
    }

    /// The batches of epoch `epoch`, as lists of sample indices.
    public func batchIndices(forEpoch epoch: Int) -> [[Int]] {
        let order = indices(forEpoch: epoch)
        return (0..<count).map { b in Array(order[(b * batchSize)..<(datasetCount - b * batchSize <= batchSize ? datasetCount : (b + 1) * batchSize)]) }
    }

    /// Starts the next epoch.
    public func makeIterator() -> DataLoaderIterator<Batch> {
        let e = epoch
        epoch += 1
        let batches = batchIndices(forEpoch: e)
        let fetch = self.fetch, seed = self.seed
        let make: (Int) -> Batch = { b in
            fetch(batches[b], RandomGenerator(seed: DataLoaderSeeds.mix(seed, UInt64(e), UInt64(b) &+ 1)))
        }
        return DataLoaderIterator(batchCount: batches.count, prefetch: prefetch, make: make)
    }
}

/// One epoch of a ``DataLoader``: yields its batches in order, assembling them on a background
/// thread when the loader prefetches. Dropping the iterator early stops the thread.
public final class DataLoaderIterator<Batch>: IteratorProtocol {
    private let batchCount: Int
    private let make: (Int) -> Batch
    private var position = 0
    private let queue: PrefetchQueue<Batch>?

    init(batchCount: Int, prefetch: Int, make: @escaping (Int) -> Batch) {
        self.batchCount = batchCount
        self.make = make
        if prefetch > 0 && batchCount > 0 {
            let q = PrefetchQueue<Batch>(capacity: prefetch)
            queue = q
            let thread = Thread {
                for b in 0..<batchCount {
                    if q.isCancelled { break }
                    let batch = make(b)
                    if !q.push(batch) { break }
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        } else {
            queue = nil
        }
    }

    deinit { queue?.cancel() }

    /// The next batch, or nil after the last one.
    public func next() -> Batch? {
        guard position < batchCount else { return nil }
        position += 1
        if let queue { return queue.pop() }
        return make(position - 1)
    }
}

/// A bounded first-in first-out queue between one producer thread and one consumer.
final class PrefetchQueue<Element> {
    private var items: [Element] = []
    private let capacity: Int
    private let condition = NSCondition()
    private var cancelled = false

    init(capacity: Int) { self.capacity = capacity }

    /// Whether the consumer has gone away.
    var isCancelled: Bool {
        condition.lock(); defer { condition.unlock() }
        return cancelled
    }

    /// Waits for room, then appends; false when cancelled meanwhile.
    func push(_ item: Element) -> Bool {
        condition.lock(); defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Waits for an item and removes it.
    func pop() -> Element {
        condition.lock(); defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Wakes and stops the producer.
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

/// Seed derivation for loaders: a SplitMix64-style mix of several words.
enum DataLoaderSeeds {
    static func mix(_ words: UInt64...) -> UInt64 {
        var h = SplitMix64.gamma
        for w in words {
            h ^= w &+ SplitMix64.gamma &+ (h << 6) &+ (h >> 2)
            h = SplitMix64.mix(h)
        }
        return h
    }
}

// MARK: - Convenience initializers

extension DataLoader where Batch == [Tensor] {
    /// Batches a ``TensorDataset``: each batch holds the gathered rows of every tensor.
    public convenience init(_ dataset: TensorDataset, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                            seed: UInt64 = 0, prefetch: Int = 0) throws {
        try self.init(count: dataset.count, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, seed: seed,
                      prefetch: prefetch) { indices, _ in dataset.batch(at: indices) }
    }
}

extension DataLoader {
    /// Batches any dataset with a collation function that turns a list of samples into a batch
    /// (PyTorch's `collate_fn`). The generator passed to `collate` is seeded per epoch and batch.
    public convenience init<D: DatasetProtocol>(_ dataset: D, batchSize: Int, shuffle: Bool = false,
                                                dropLast: Bool = false, seed: UInt64 = 0, prefetch: Int = 0,
                                                collate: @escaping ([D.Sample], RandomGenerator) -> Batch) throws {
        try self.init(count: dataset.count, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, seed: seed,
                      prefetch: prefetch) { indices, g in collate(indices.map { dataset[$0] }, g) }
    }

    /// Batches a dataset of (input, target) tensor pairs by stacking each along a new first axis.
    public convenience init<D: DatasetProtocol>(_ dataset: D, batchSize: Int, shuffle: Bool = false,
                                                dropLast: Bool = false, seed: UInt64 = 0, prefetch: Int = 0) throws
    where D.Sample == (Tensor, Tensor), Batch == (Tensor, Tensor) {
        try self.init(dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, seed: seed, prefetch: prefetch) {
            samples, _ in (Tensor.stack(samples.map(\.0)), Tensor.stack(samples.map(\.1)))
        }
    }
}

extension DataLoader where Batch == PaddedSequences {
    /// Batches a dataset of variable-length sequences `[Lᵢ, …]`, padding each batch to its
    /// longest sequence with `paddingValue` (lengths and mask included; see ``padSequences(_:paddingValue:batchFirst:length:)``).
    public convenience init<D: DatasetProtocol>(sequences dataset: D, batchSize: Int, shuffle: Bool = false,
                                                dropLast: Bool = false, seed: UInt64 = 0, prefetch: Int = 0,
                                                paddingValue: Double = 0, batchFirst: Bool = true) throws
    where D.Sample == Tensor {
        // Checked once here, so that collating a batch cannot fail later.
        if dataset.count > 0 {
            let first = dataset[0]
            for i in 0..<dataset.count {
                let x = dataset[i]
                guard x.rank >= 1 else { throw DataLoadingError.invalidArgument("sequence \(i) is a scalar; sequences need a time axis") }
                guard x.dtype == first.dtype, first.rank >= 1, x.shape.dropFirst() == first.shape.dropFirst() else {
                    throw DataLoadingError.invalidArgument("sequence \(i) has shape \(x.shape) and dtype \(x.dtype); sequence 0 has \(first.shape), \(first.dtype)")
                }
            }
        }
        try self.init(dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, seed: seed, prefetch: prefetch) {
            samples, _ in try! padSequences(samples, paddingValue: paddingValue, batchFirst: batchFirst)
        }
    }
}

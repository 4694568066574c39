import Foundation
import Testing
import Tensors
import Neural

@Suite struct DataTests {
    /// x[i] = [i, 2i], y[i] = i: every batch tells which samples it holds.
    static func numbered(_ n: Int) throws -> TensorDataset {
        let x = Tensor((0..<n).flatMap { [Float($0), Float(2 * $0)] }, shape: [n, 2])
        return try TensorDataset(x, Tensor((0..<n).map(Int64.init)))
    }

    @Test func everySampleOncePerEpochAndBatchesMatchRows() throws {
        let loader = try DataLoader(try Self.numbered(103), batchSize: 10, shuffle: true, seed: 7)
        #expect(loader.count == 11)
        var seenPerEpoch: [[Int]] = []
        for _ in 0..<3 {
            var seen: [Int] = []
            var sizes: [Int] = []
            for batch in loader {
                let ids = batch[1].toArray(as: Int64.self).map { Int($0) }
                #expect(batch[0].shape == [ids.count, 2])
                #expect(batch[0].toArray(as: Float.self) == ids.flatMap { [Float($0), Float(2 * $0)] })
                seen += ids
                sizes.append(ids.count)
            }
            #expect(seen.sorted() == Array(0..<103))
            #expect(sizes == Array(repeating: 10, count: 10) + [3])
            seenPerEpoch.append(seen)
        }
        #expect(seenPerEpoch[0] != seenPerEpoch[1])             // a new order each epoch
        #expect(seenPerEpoch[0] != Array(0..<103))
    }

    @Test func shuffleIsReproducibleForSeedAndEpoch() throws {
        let data = try Self.numbered(50)
        let a = try DataLoader(data, batchSize: 8, shuffle: true, seed: 3)
        let b = try DataLoader(data, batchSize: 8, shuffle: true, seed: 3)
        let c = try DataLoader(data, batchSize: 8, shuffle: true, seed: 4)
        #expect(a.indices(forEpoch: 2) == b.indices(forEpoch: 2))
        #expect(a.indices(forEpoch: 2) != c.indices(forEpoch: 2))
        b.epoch = 5
        let viaIteration = Array(b).flatMap { $0[1].toArray(as: Int64.self).map { Int($0) } }
        #expect(viaIteration == a.indices(forEpoch: 5))
        let plain = try DataLoader(data, batchSize: 8)
        #expect(plain.indices(forEpoch: 9) == Array(0..<50))
    }

    @Test func dropLastCounts() throws {
        let loader = try DataLoader(try Self.numbered(103), batchSize: 10, shuffle: true, dropLast: true, seed: 1)
        #expect(loader.count == 10)
        let batches = Array(loader)
        #expect(batches.count == 10 && batches.allSatisfy { $0[0].shape[0] == 10 })
        let ids = Set(batches.flatMap { $0[1].toArray(as: Int64.self) })
        #expect(ids.count == 100)
    }

    @Test func prefetchGivesTheSameBatchesAndStopsEarly() throws {
        let data = try Self.numbered(257)
        let direct = try DataLoader(data, batchSize: 16, shuffle: true, seed: 11)
        let ahead = try DataLoader(data, batchSize: 16, shuffle: true, seed: 11, prefetch: 3)
        for _ in 0..<2 {
            let x = Array(direct).map { $0[1].toArray(as: Int64.self) }
            let y = Array(ahead).map { $0[1].toArray(as: Int64.self) }
            #expect(x == y)
        }
        // Leaving an epoch after two batches must not hang or leak the producer.
        for (i, _) in ahead.enumerated() where i == 1 { break }
        var count = 0
        for _ in ahead { count += 1 }
        #expect(count == ahead.count)
    }

    @Test func badInputThrows() throws {
        #expect(throws: DataLoadingError.emptyDataset) {
            try DataLoader<[Tensor]>(count: 0, batchSize: 4) { _, _ in [] }
        }
        #expect(throws: DataLoadingError.invalidBatchSize(0)) { try DataLoader(try Self.numbered(5), batchSize: 0) }
        #expect(throws: DataLoadingError.self) { try DataLoader(try Self.numbered(5), batchSize: 8, dropLast: true) }
        #expect(throws: DataLoadingError.mismatchedCounts([3, 4])) { try TensorDataset(Tensor.zeros([3, 2]), Tensor.zeros([4])) }
        #expect(throws: DataLoadingError.self) { try TensorDataset([]) }
        #expect(throws: DataLoadingError.self) { try padSequences([]) }
        #expect(throws: DataLoadingError.self) { try padSequences([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])]) }
    }

    @Test func genericDatasetCollatesPairs() throws {
        struct Squares: DatasetProtocol {
            var count: Int { 7 }
            subscript(index: Int) -> (Tensor, Tensor) { (Tensor([Float(index)]), Tensor([Float(index * index)])) }
        }
        let loader = try DataLoader(Squares(), batchSize: 3)
        let batches = Array(loader)
        #expect(batches.count == 3)
        #expect(batches[1].0.shape == [3, 1])
        #expect(batches[1].1.toArray(as: Float.self) == [9, 16, 25])
    }

    @Test func padSequencesValuesLengthsMask() throws {
        let a = Tensor([1, 2, 3] as [Int64]), b = Tensor([4] as [Int64]), c = Tensor([5, 6] as [Int64])
        let batch = try padSequences([a, b, c], paddingValue: -1)
        #expect(batch.values.shape == [3, 3])
        #expect(batch.values.toArray(as: Int64.self) == [1, 2, 3, 4, -1, -1, 5, 6, -1])
        #expect(batch.lengths == [3, 1, 2] && batch.totalSteps == 6)
        #expect(batch.mask.toArray(as: Float.self) == [1, 1, 1, 1, 0, 0, 1, 1, 0])
        let timeMajor = try padSequences([Tensor.ones([2, 4]), Tensor.ones([1, 4])], batchFirst: false)
        #expect(timeMajor.values.shape == [2, 2, 4])
        #expect(timeMajor.mask.toArray(as: Float.self) == [1, 1, 1, 0])
        let cut = try padSequences([a, c], length: 2)
        #expect(cut.values.toArray(as: Int64.self) == [1, 2, 5, 6] && cut.lengths == [2, 2])
    }

    @Test func transformsAreSeededAndCorrect() {
        let image = Tensor((0..<16).map(Float.init), shape: [1, 4, 4])
        // Normalize: (x − 1) / 2.
        let norm = Normalize(mean: [1], std: [2])(image, generator: RandomGenerator(seed: 0))
        #expect(norm.toArray(as: Float.self) == (0..<16).map { (Float($0) - 1) / 2 })
        // A certain flip mirrors each row.
        let flipped = RandomHorizontalFlip(probability: 1)(image, generator: RandomGenerator(seed: 0))
        #expect(flipped.toArray(as: Float.self).prefix(4) == [3, 2, 1, 0])
        #expect(RandomHorizontalFlip(probability: 0)(image, generator: RandomGenerator(seed: 0)).toArray(as: Float.self) == image.toArray(as: Float.self))
        // Crop with padding: output is a window of the zero-padded image; same seed, same window.
        let crop = RandomCrop(size: 4, padding: 2)
        let c1 = crop(image, generator: RandomGenerator(seed: 5)), c2 = crop(image, generator: RandomGenerator(seed: 5))
        #expect(c1.toArray(as: Float.self) == c2.toArray(as: Float.self))
        #expect(c1.shape == [1, 4, 4])
        let padded = image.padded([(0, 0), (2, 2), (2, 2)]).toArray(as: Float.self)
        var windows: [[Float]] = []
        for top in 0...4 {
            for left in 0...4 {
                var window: [Float] = []
                for y in 0..<4 { for x in 0..<4 { window.append(padded[(top + y) * 8 + left + x]) } }
                windows.append(window)
            }
        }
        #expect(windows.contains(c1.toArray(as: Float.self)))
        // Many crops: every offset in 0...4 × 0...4 is possible, none outside.
        var seen = Set<[Float]>()
        let g = RandomGenerator(seed: 9)
        for _ in 0..<400 { seen.insert(crop(image, generator: g).toArray(as: Float.self)) }
        #expect(seen.count == 25)
        // Rotation by 0 degrees is the identity; by 90 degrees a 90° turn about the centre.
        #expect(RandomRotation(degrees: 0)(image, generator: RandomGenerator(seed: 1)).toArray(as: Float.self) == image.toArray(as: Float.self))
        let out = RandomRotation.rotated(image, degrees: 90).toArray(as: Float.self)
        var turned: [Float] = []
        for y in 0..<4 { for x in 0..<4 { turned.append(Float(x * 4 + (3 - y))) } }
        #expect(zip(out, turned).allSatisfy { Swift.abs($0 - $1) < 1e-4 })
        // Batches get independent draws: with p = 0.5 over 64 images, some flip and some do not.
        let batch = Tensor.zeros([64, 1, 4, 4]) + Tensor((0..<4).map(Float.init), shape: [1, 1, 1, 4])
        let flips = RandomHorizontalFlip()(batch, generator: RandomGenerator(seed: 2)).toArray(as: Float.self)
        let flippedCount = (0..<64).filter { flips[$0 * 16] == 3 }.count
        #expect(flippedCount > 16 && flippedCount < 48)
    }
}

@Suite struct DataSequenceLoaderTests {
    struct Sentences: DatasetProtocol {
        let lengths: [Int]
        var count: Int { lengths.count }
        subscript(index: Int) -> Tensor { Tensor((0..<lengths[index]).map { Int64(index * 100 + $0 + 1) }) }
    }

    @Test func sequenceLoaderPadsEachBatchToItsLongest() throws {
        let loader = try DataLoader(sequences: Sentences(lengths: [3, 1, 4, 2, 5]), batchSize: 2)
        let batches = Array(loader)
        #expect(batches.map(\.values.shape) == [[2, 3], [2, 4], [1, 5]])
        #expect(batches[0].lengths == [3, 1])
        #expect(batches[1].mask.toArray(as: Float.self) == [1, 1, 1, 1, 1, 1, 0, 0])
        #expect(batches[0].values.toArray(as: Int64.self) == [1, 2, 3, 101, 0, 0])
        struct Mixed: DatasetProtocol {
            var count: Int { 2 }
            subscript(index: Int) -> Tensor { index == 0 ? Tensor.zeros([3, 2]) : Tensor.zeros([3, 4]) }
        }
        #expect(throws: DataLoadingError.self) { try DataLoader(sequences: Mixed(), batchSize: 2) }
    }
}

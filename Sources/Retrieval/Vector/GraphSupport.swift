import Foundation

/// SplitMix64: a small seeded generator (same numbers for a seed on every platform), used for
/// HNSW levels and k-means sampling.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// A growable buffer of Int32 in manually managed memory (graph links).
final class Int32Buffer {
    private(set) var base: UnsafeMutablePointer<Int32>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Appends `n` copies of `value` and returns the offset of the first.
    func append(repeating value: Int32, count n: Int) -> Int {
        if count + n > capacity {
            let newCap = max(count + n, capacity * 2)
            let nb = UnsafeMutablePointer<Int32>.allocate(capacity: newCap)
            nb.update(from: base, count: count)
            base.deallocate()
            base = nb
            capacity = newCap
        }
        (base + count).initialize(repeating: value, count: n)
        count += n
        return count - n
    }

    var array: [Int32] { Array(UnsafeBufferPointer(start: base, count: count)) }

    convenience init(_ values: [Int32]) {
        self.init(capacity: values.count)
        let o = append(repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { if let b = $0.baseAddress { (base + o).update(from: b, count: values.count) } }
    }
}

/// Per-search visited marks: a tag per node and a current epoch, so clearing is O(1).
final class VisitedList {
    var tags: [UInt32]
    var epoch: UInt32 = 0

    init(count: Int) { tags = [UInt32](repeating: 0, count: count) }

    /// Starts a new search over `count` nodes.
    func reset(count: Int) {
        if tags.count < count { tags.append(contentsOf: repeatElement(0, count: count - tags.count + count / 2)) }
        epoch &+= 1
        if epoch == 0 {
            for i in tags.indices { tags[i] = 0 }
            epoch = 1
        }
    }
}

/// A pool of visited lists so concurrent searches each get their own.
final class VisitedPool {
    private var free: [VisitedList] = []
    private let lock = NSLock()

    func take(count: Int) -> VisitedList {
        lock.lock()
        let v = free.popLast()
        lock.unlock()
        let list = v ?? VisitedList(count: count)
        list.reset(count: count)
        return list
    }

    func give(_ v: VisitedList) {
        lock.lock()
        free.append(v)
        lock.unlock()
    }
}

/// Binary heap of (distance, node) pairs; `isMax` puts the largest distance on top.
struct DistanceHeap {
    private(set) var dist: [Float] = []
    private(set) var node: [Int32] = []
    let isMax: Bool

    init(isMax: Bool, capacity: Int) {
        self.isMax = isMax
        dist.reserveCapacity(capacity + 1)
        node.reserveCapacity(capacity + 1)
    }

    var count: Int { dist.count }
    var isEmpty: Bool { dist.isEmpty }
    var topDistance: Float { dist[0] }
    var topNode: Int32 { node[0] }

    @inline(__always) private func above(_ a: Float, _ b: Float) -> Bool { isMax ? a > b : a < b }

    mutating func push(_ d: Float, _ n: Int32) {
        dist.append(d)
        node.append(n)
        var i = dist.count - 1
        while i > 0 {
            let p = (i - 1) >> 1
            guard above(dist[i], dist[p]) else { break }
            dist.swapAt(i, p); node.swapAt(i, p); i = p
        }
    }

    mutating func pop() {
        let last = dist.count - 1
        dist.swapAt(0, last); node.swapAt(0, last)
        dist.removeLast(); node.removeLast()
        var i = 0
        let n = dist.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && above(dist[l], dist[m]) { m = l }
            if r < n && above(dist[r], dist[m]) { m = r }
            if m == i { break }
            dist.swapAt(i, m); node.swapAt(i, m); i = m
        }
    }

    /// The contents sorted by ascending distance.
    func sortedAscending() -> [(Float, Int32)] {
        zip(dist, node).sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    }
}

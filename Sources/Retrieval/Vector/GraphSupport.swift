import Foundation
import SwiftLearnCore

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

/// Binary heap of (distance, node) pairs in one array; `isMax` puts the largest distance on top.
struct DistanceHeap {
    struct Entry {
        var distance: Float
        var node: Int32
    }

    private(set) var items: [Entry] = []
    let isMax: Bool

    init(isMax: Bool, capacity: Int) {
        self.isMax = isMax
        items.reserveCapacity(capacity + 1)
    }

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    var topDistance: Float { items[0].distance }
    var topNode: Int32 { items[0].node }

    @inline(__always) private static func above(_ a: Float, _ b: Float, _ isMax: Bool) -> Bool { isMax ? a > b : a < b }

    mutating func push(_ d: Float, _ n: Int32) {
        items.append(Entry(distance: d, node: n))
        let mx = isMax
        items.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            let e = h[i]
            while i > 0 {
                let p = (i - 1) >> 1
                guard Self.above(e.distance, h[p].distance, mx) else { break }
                h[i] = h[p]
                i = p
            }
            h[i] = e
        }
    }

    mutating func pop() {
        let last = items.removeLast()
        guard !items.isEmpty else { return }
        let mx = isMax
        items.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                var c = l
                if l + 1 < n && Self.above(h[l + 1].distance, h[l].distance, mx) { c = l + 1 }
                guard Self.above(h[c].distance, last.distance, mx) else { break }
                h[i] = h[c]
                i = c
            }
            h[i] = last
        }
    }

    /// The contents sorted by ascending distance.
    func sortedAscending() -> [(Float, Int32)] {
        items.map { ($0.distance, $0.node) }.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    }
}

import Foundation

/// An open-addressing hash table from byte sequences to `Int32` values, with its keys in one
/// arena: the allocation-free lookup used on the hot paths (BPE word cache, WordPiece vocabulary).
struct ByteSequenceTable {
    private var slots: [Int32]          // entry index + 1, 0 = empty
    private var mask: Int
    private(set) var arena: [UInt8] = []
    private(set) var keyStart: [Int32] = []
    private(set) var keyLength: [Int32] = []
    private var hashes: [UInt64] = []
    private(set) var values: [Int32] = []

    init(capacity: Int = 1024) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        slots = [Int32](repeating: 0, count: n)
        mask = n - 1
    }

    var count: Int { values.count }

    @inline(__always)
    static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325 ^ UInt64(p.count)
        var i = 0
        let n = p.count
        while i + 8 <= n {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100000001b3
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0, shift: UInt64 = 0
        while i < n { tail |= UInt64(p[i]) << shift; shift += 8; i += 1 }
        h = (h ^ tail) &* 0x9E3779B97F4A7C15
        return h ^ (h >> 32)
    }

    /// The value stored for the bytes `p`, or `nil`.
    @inline(__always)
    func find(_ p: UnsafeRawBufferPointer) -> Int32? {
        let h = Self.hash(p)
        var s = Int(truncatingIfNeeded: h) & mask
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBytes { arena in
                while true {
                    let e = Int(slots[s])
                    if e == 0 { return nil }
                    let entry = e - 1
                    if hashes[entry] == h, Int(keyLength[entry]) == p.count,
                       p.count == 0 || memcmp(arena.baseAddress! + Int(keyStart[entry]), p.baseAddress!, p.count) == 0 {
                        return values[entry]
                    }
                    s = (s + 1) & mask
                }
            }
        }
    }

    /// Stores `value` for the bytes `p` (replacing an existing value).
    mutating func insert(_ p: UnsafeRawBufferPointer, _ value: Int32) {
        if let _ = find(p) { update(p, value); return }
        if (values.count + 1) * 2 > slots.count { grow() }
        let h = Self.hash(p)
        keyStart.append(Int32(arena.count))
        keyLength.append(Int32(p.count))
        arena.append(contentsOf: p)
        hashes.append(h)
        values.append(value)
        place(values.count - 1, hash: h)
    }

    /// Convenience for `insert` with an array of bytes.
    mutating func insert(_ bytes: [UInt8], _ value: Int32) {
        bytes.withUnsafeBytes { insert($0, value) }
    }

    /// Convenience for `find` with an array of bytes.
    func find(_ bytes: [UInt8]) -> Int32? { bytes.withUnsafeBytes { find($0) } }

    /// Removes every entry, keeping the capacity.
    mutating func removeAll() {
        for i in slots.indices { slots[i] = 0 }
        arena.removeAll(keepingCapacity: true)
        keyStart.removeAll(keepingCapacity: true)
        keyLength.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    private mutating func update(_ p: UnsafeRawBufferPointer, _ value: Int32) {
        let h = Self.hash(p)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = Int(slots[s]) - 1
            if hashes[entry] == h, Int(keyLength[entry]) == p.count,
               arena[Int(keyStart[entry])..<Int(keyStart[entry]) + p.count].elementsEqual(p) {
                values[entry] = value
                return
            }
            s = (s + 1) & mask
        }
    }

    private mutating func place(_ entry: Int, hash h: UInt64) {
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] != 0 { s = (s + 1) & mask }
        slots[s] = Int32(entry + 1)
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for e in 0..<values.count { place(e, hash: hashes[e]) }
    }
}

extension ByteSequenceTable {
    /// Calls `body` with every key and its value, in insertion order.
    func forEachKey(_ body: (UnsafeRawBufferPointer, Int32) -> Void) {
        arena.withUnsafeBytes { a in
            for e in 0..<count {
                body(UnsafeRawBufferPointer(rebasing: a[Int(keyStart[e])..<Int(keyStart[e] + keyLength[e])]), values[e])
            }
        }
    }
}

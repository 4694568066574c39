import Foundation

/// Little-endian binary writer for index files.
struct BinaryWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func int(_ v: Int) { i64(Int64(v)) }

    /// Appends a length-prefixed array of trivially copyable values (little-endian hosts only:
    /// x86-64 and arm64, where the in-memory layout is the file layout).
    mutating func array<T>(_ values: UnsafeBufferPointer<T>) {
        u64(UInt64(values.count))
        bytes.append(contentsOf: UnsafeRawBufferPointer(values))
    }

    mutating func array<T>(_ values: [T]) { values.withUnsafeBufferPointer { array($0) } }

    mutating func string(_ s: String) { array(Array(s.utf8)) }
}

/// Bounds-checked little-endian reader; every overrun throws `corruptFile` naming the path.
struct BinaryReader {
    let bytes: [UInt8]
    var offset: Int
    let path: String

    init(_ bytes: [UInt8], offset: Int = 0, path: String) {
        self.bytes = bytes
        self.offset = offset
        self.path = path
    }

    private mutating func take(_ n: Int) throws -> Int {
        guard n >= 0, offset <= bytes.count - n else {
            throw RetrievalError.corruptFile(path: path, reason: "truncated (needed \(n) more bytes at offset \(offset) of \(bytes.count))")
        }
        defer { offset += n }
        return offset
    }

    mutating func u8() throws -> UInt8 { bytes[try take(1)] }
    mutating func u32() throws -> UInt32 {
        let o = try take(4)
        return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
    }
    mutating func u64() throws -> UInt64 {
        let o = try take(8)
        return bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
    }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }
    mutating func f32() throws -> Float { Float(bitPattern: try u32()) }

    /// Reads an Int and checks it lies in `range`.
    mutating func int(in range: ClosedRange<Int>, _ what: String) throws -> Int {
        let v = try i64()
        guard v >= Int64(range.lowerBound), v <= Int64(range.upperBound) else {
            throw RetrievalError.corruptFile(path: path, reason: "\(what) = \(v) is out of range \(range)")
        }
        return Int(v)
    }

    mutating func array<T>(_ type: T.Type, maxCount: Int = .max) throws -> [T] {
        let n = try u64()
        guard n <= UInt64(Int.max / MemoryLayout<T>.stride), Int(n) <= maxCount else {
            throw RetrievalError.corruptFile(path: path, reason: "array length \(n) is implausible")
        }
        let count = Int(n)
        let o = try take(count * MemoryLayout<T>.stride)
        return [T](unsafeUninitializedCapacity: count) { buf, initialized in
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[o..<(o + count * MemoryLayout<T>.stride)]))
            }
            initialized = count
        }
    }

    mutating func string() throws -> String {
        let utf8 = try array(UInt8.self)
        guard let s = String(bytes: utf8, encoding: .utf8) else {
            throw RetrievalError.corruptFile(path: path, reason: "invalid UTF-8 text")
        }
        return s
    }
}

/// 64-bit checksum of a byte range: FNV-1a style mixing over 8-byte words (fast enough for
/// hundreds of MB), then the tail bytes, then a final avalanche. Detects truncation and bit flips.
func checksum64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
    let prime: UInt64 = 0x0000_0100_0000_01b3
    let words = bytes.count / 8
    var lanes: (UInt64, UInt64, UInt64, UInt64) = (h, h &+ 1, h &+ 2, h &+ 3)
    var i = 0
    while i + 4 <= words {
        lanes.0 = (lanes.0 ^ bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* prime
        lanes.1 = (lanes.1 ^ bytes.loadUnaligned(fromByteOffset: i * 8 + 8, as: UInt64.self)) &* prime
        lanes.2 = (lanes.2 ^ bytes.loadUnaligned(fromByteOffset: i * 8 + 16, as: UInt64.self)) &* prime
        lanes.3 = (lanes.3 ^ bytes.loadUnaligned(fromByteOffset: i * 8 + 24, as: UInt64.self)) &* prime
        i += 4
    }
    h = ((lanes.0 &* 31 ^ lanes.1) &* 31 ^ lanes.2) &* 31 ^ lanes.3
    for b in (i * 8)..<bytes.count { h = (h ^ UInt64(bytes[b])) &* prime }
    h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
    h = h &* 0xc4ce_b9fe_1a85_ec53; h ^= h >> 33
    return h
}

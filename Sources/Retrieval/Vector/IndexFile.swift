import Foundation
import SwiftLearnCore

/// The on-disk container of every vector index:
///
/// ```
/// magic "SLVINDEX" (8 bytes) | version u32 | kind u32 | dimension u32 | metric u32 |
/// payload length u64 | checksum u64 | payload
/// ```
///
/// all little-endian. Version 2's checksum covers the 32 header bytes before it as well as the
/// payload, so a flipped byte anywhere (e.g. the metric) is detected; version 1 (read, never
/// written) covered only the payload. `load` checks each field and the checksum before decoding,
/// so a truncated or corrupted file throws ``RetrievalError/corruptFile(path:reason:)`` instead
/// of crashing.
public enum VectorIndexFile {
    static let magic: [UInt8] = Array("SLVINDEX".utf8)
    /// Current format version.
    public static let version: UInt32 = 2
    /// The oldest version `load` still reads.
    static let oldestReadableVersion: UInt32 = 1
    static let headerSize = 8 + 4 * 4 + 8 + 8
    /// Header bytes covered by a version-2 checksum: everything before the checksum field.
    static let checkedHeaderSize = headerSize - 8

    /// The checksum stored in a file of `version`: the payload's alone (1), or header and payload (2).
    static func fileChecksum(version: UInt32, header: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> UInt64 {
        let payloadSum = checksum64(payload)
        guard version >= 2 else { return payloadSum }
        return (checksum64(header) &* 0x9E37_79B9_7F4A_7C15) ^ payloadSum
    }

    enum Kind: UInt32 {
        case flat = 1, hnsw = 2, ivfFlat = 3, ivfPQ = 4
    }

    /// Writes header + payload to `url` atomically.
    static func write(kind: Kind, dimension: Int, metric: DistanceMetric, payload: [UInt8], to url: URL) throws {
        var w = BinaryWriter()
        w.bytes.reserveCapacity(headerSize + payload.count)
        w.bytes.append(contentsOf: magic)
        w.u32(version)
        w.u32(kind.rawValue)
        w.u32(UInt32(dimension))
        w.u32(metric.code)
        w.u64(UInt64(payload.count))
        let header = w.bytes
        w.u64(header.withUnsafeBytes { h in payload.withUnsafeBytes { fileChecksum(version: version, header: h, payload: $0) } })
        w.bytes.append(contentsOf: payload)
        do { try Data(w.bytes).write(to: url, options: .atomic) } catch {
            throw RetrievalError.io("cannot write index to \(url.path): \(readableReason(error))")
        }
    }

    /// Reads and verifies the header; returns a reader positioned at the payload.
    static func open(_ url: URL) throws -> (kind: Kind, dimension: Int, metric: DistanceMetric, reader: BinaryReader) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw RetrievalError.io("cannot read index \(url.path): \(readableReason(error))")
        }
        let bytes = [UInt8](data)
        let path = url.path
        guard bytes.count >= headerSize else {
            throw RetrievalError.corruptFile(path: path, reason: "\(bytes.count) bytes is shorter than the \(headerSize)-byte header")
        }
        guard Array(bytes[0..<8]) == magic else { throw RetrievalError.corruptFile(path: path, reason: "not a SwiftLearn index (bad magic)") }
        var r = BinaryReader(bytes, offset: 8, path: path)
        let version = try r.u32()
        guard (oldestReadableVersion...Self.version).contains(version) else {
            throw RetrievalError.corruptFile(path: path, reason: "unsupported format version \(version) (this program reads \(oldestReadableVersion)...\(Self.version))")
        }
        guard let kind = Kind(rawValue: try r.u32()) else { throw RetrievalError.corruptFile(path: path, reason: "unknown index kind") }
        let dim = Int(try r.u32())
        guard RetrievalLimits.dimensions.contains(dim) else {
            throw RetrievalError.corruptFile(path: path, reason: "dimension \(dim) is outside \(RetrievalLimits.dimensions)")
        }
        guard let metric = DistanceMetric(code: try r.u32()) else { throw RetrievalError.corruptFile(path: path, reason: "unknown metric") }
        let length = try r.u64()
        let sum = try r.u64()
        guard length == UInt64(bytes.count - headerSize) else {
            throw RetrievalError.corruptFile(path: path, reason: "payload is \(bytes.count - headerSize) bytes, header says \(length) (truncated?)")
        }
        let actual = bytes.withUnsafeBytes {
            fileChecksum(version: version, header: UnsafeRawBufferPointer(rebasing: $0[..<checkedHeaderSize]),
                         payload: UnsafeRawBufferPointer(rebasing: $0[headerSize...]))
        }
        guard actual == sum else { throw RetrievalError.corruptFile(path: path, reason: "checksum mismatch (the file was modified or damaged)") }
        return (kind, dim, metric, r)
    }

    /// Loads any index written by `save(to:)`, whatever its kind.
    public static func load(from url: URL) throws -> any VectorIndex {
        var (kind, dim, metric, r) = try open(url)
        switch kind {
        case .flat: return try FlatIndex(decoding: &r, dimension: dim, metric: metric)
        case .hnsw: return try HNSWIndex(decoding: &r, dimension: dim, metric: metric)
        case .ivfFlat: return try IVFFlatIndex(decoding: &r, dimension: dim, metric: metric)
        case .ivfPQ: return try IVFPQIndex(decoding: &r, dimension: dim, metric: metric)
        }
    }

    /// Loads an index and checks it is of type `T`.
    static func load<T: VectorIndex>(_ type: T.Type, from url: URL) throws -> T {
        let index = try load(from: url)
        guard let t = index as? T else {
            throw RetrievalError.invalidInput("\(url.path) holds a \(index.kind) index, not \(T.self)")
        }
        return t
    }
}

import Foundation
import Tensors
import SwiftLearnCore

/// An array read from an IDX file, the format of MNIST (LeCun et al.): a 4-byte magic
/// `0 0 type rank`, `rank` big-endian 32-bit dimension sizes, then the values in C order,
/// big-endian.
///
/// ```swift
/// let images = try IDXArray.read(contentsOf: url)    // gzip or plain
/// images.shape                                       // [60000, 28, 28]
/// let x = images.tensor(dtype: .float32) / 255       // a [60000, 28, 28] tensor
/// ```
public struct IDXArray: Equatable, Sendable {
    /// Element types of the format (the third magic byte).
    public enum ElementType: UInt8, Sendable {
        /// Unsigned byte (MNIST images and labels).
        case uint8 = 0x08
        /// Signed byte.
        case int8 = 0x09
        /// Big-endian 16-bit integer.
        case int16 = 0x0B
        /// Big-endian 32-bit integer.
        case int32 = 0x0C
        /// Big-endian IEEE float.
        case float32 = 0x0D
        /// Big-endian IEEE double.
        case float64 = 0x0E

        /// Bytes per element.
        public var byteSize: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }
    }

    /// The element type stored in the file.
    public let elementType: ElementType
    /// Dimension sizes.
    public let shape: [Int]
    /// The values' bytes as stored (big-endian, C order), without the header.
    public var data: ArraySlice<UInt8> { bytes[headerSize...] }
    /// The whole file (header and values), kept as read: slicing it costs no copy.
    private let bytes: [UInt8]
    private let headerSize: Int

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Parses IDX bytes (already decompressed).
    /// - Throws: ``IDXError`` when the magic, element type, rank or size is wrong.
    public init(bytes: [UInt8]) throws {
        guard bytes.count >= 4 else { throw IDXError.truncated(expected: 4, got: bytes.count) }
        guard bytes[0] == 0, bytes[1] == 0 else { throw IDXError.badMagic(Array(bytes.prefix(4))) }
        guard let type = ElementType(rawValue: bytes[2]) else { throw IDXError.unknownElementType(bytes[2]) }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw IDXError.malformed("rank 0") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else { throw IDXError.truncated(expected: headerSize, got: bytes.count) }
        var shape: [Int] = []
        var count = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let size = Int(UInt32(bytes[o]) << 24 | UInt32(bytes[o + 1]) << 16 | UInt32(bytes[o + 2]) << 8 | UInt32(bytes[o + 3]))
            shape.append(size)
            let (c, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, c <= Int(Int32.max) else { throw IDXError.malformed("dimensions \(shape) are too large") }
            count = c
        }
        let expected = headerSize + count * type.byteSize
        guard bytes.count == expected else {
            if bytes.count < expected { throw IDXError.truncated(expected: expected, got: bytes.count) }
            throw IDXError.malformed("\(bytes.count - expected) bytes after the last value of a \(shape) array")
        }
        elementType = type
        self.shape = shape
        self.bytes = bytes
        self.headerSize = headerSize
    }

    /// Reads an IDX file, gzip-compressed (`.gz`, detected from the content) or plain.
    public static func read(contentsOf url: URL) throws -> IDXArray {
        let raw: [UInt8]
        do {
            raw = [UInt8](try Data(contentsOf: url, options: .alwaysMapped))
        } catch {
            throw IDXError.unreadable(path: url.path, reason: readableReason(error))
        }
        do {
            return try IDXArray(bytes: Gzip.isGzip(raw) ? Gzip.decompress(raw) : raw)
        } catch let e as TensorIOError {
            throw IDXError.corruptCompression(path: url.path, reason: e.description)
        }
    }

    /// The values as a tensor of the same shape (converted from the stored type; uint8
    /// images become 0…255 — divide by 255 for [0, 1]).
    public func tensor(dtype: DType = .float32) -> Tensor {
        if elementType == .uint8 && dtype == .float32 {  // MNIST's case, without a float64 detour
            return Tensor(Array(data).map { Float($0) }, shape: shape)
        }
        return Tensor(values, shape: shape).to(dtype)
    }

    /// The values converted to `Double` (exact for every IDX type), in C order.
    public var values: [Double] { IDXArray.decode(bytes, from: headerSize, count: count, type: elementType) }

    private static func decode(_ bytes: [UInt8], from start: Int, count: Int, type: ElementType) -> [Double] {
        guard count > 0 else { return [] }
        return bytes.withUnsafeBufferPointer { buf in
            let p = buf.baseAddress! + start
            func word(_ i: Int, _ n: Int) -> UInt64 {
                var v: UInt64 = 0
                for k in 0..<n { v = v << 8 | UInt64(p[i * n + k]) }
                return v
            }
            switch type {
            case .uint8: return (0..<count).map { Double(p[$0]) }
            case .int8: return (0..<count).map { Double(Int8(bitPattern: p[$0])) }
            case .int16: return (0..<count).map { Double(Int16(bitPattern: UInt16(word($0, 2)))) }
            case .int32: return (0..<count).map { Double(Int32(bitPattern: UInt32(word($0, 4)))) }
            case .float32: return (0..<count).map { Double(Float(bitPattern: UInt32(word($0, 4)))) }
            case .float64: return (0..<count).map { Double(bitPattern: word($0, 8)) }
            }
        }
    }
}

/// Errors reading IDX files.
public enum IDXError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The file is gzip-compressed and its compressed stream is damaged.
    case corruptCompression(path: String, reason: String)
    /// The first two bytes are not zero.
    case badMagic([UInt8])
    /// The element-type byte is not one of the format's.
    case unknownElementType(UInt8)
    /// The file ends before the header or the values do.
    case truncated(expected: Int, got: Int)
    /// Anything else that does not fit the format.
    case malformed(String)
    /// The file is valid IDX but not what the caller expected (shape, element type).
    case unexpectedContent(String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "cannot read IDX file \(p): \(r)"
        case .corruptCompression(let p, let r): return "IDX file \(p) is not valid gzip: \(r)"
        case .badMagic(let b): return "not an IDX file (magic bytes \(b.map { String($0, radix: 16) }))"
        case .unknownElementType(let t): return "IDX element type 0x\(String(t, radix: 16)) is not defined by the format"
        case .truncated(let e, let g): return "IDX file is truncated: \(g) bytes, at least \(e) needed"
        case .malformed(let m): return "malformed IDX file: \(m)"
        case .unexpectedContent(let m): return "unexpected IDX content: \(m)"
        }
    }
}

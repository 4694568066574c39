import Foundation
import SwiftLearnCore
import Tensors

/// One tensor of a GGUF file: name, shape, type and where its bytes are.
public struct GGUFTensorInfo: Equatable, Sendable {
    /// The tensor's name (`"blk.0.attn_q.weight"`).
    public let name: String
    /// ggml's dimensions, innermost first (`ne[0]` is the row length): a PyTorch `[out, in]`
    /// weight is `[in, out]` here.
    public let dimensions: [Int]
    /// The element type's layout (id, name, block size and bytes).
    public let type: GGMLTypeLayout
    /// Offset of the first byte from the start of the file.
    public let offset: Int
    /// Bytes of the tensor's data.
    public let byteCount: Int

    /// Number of elements.
    public var elementCount: Int { dimensions.reduce(1, *) }
    /// The shape in PyTorch's order (outermost first), e.g. `[out, in]` for a weight matrix.
    public var shape: [Int] { dimensions.reversed() }
}

/// A GGUF model file (format versions 2 and 3): metadata, tensor directory and the tensor bytes,
/// read through a memory mapping — opening a file reads its header and directory, not its weights.
///
/// Every count, length, offset and size in the file is checked against the file's size before it
/// is used, so a truncated or hostile file throws `LLMError.invalidGGUF` naming the field and the
/// byte offset; it never allocates more than the file could describe.
///
/// ```swift
/// let file = try GGUFFile(contentsOf: URL(fileURLWithPath: "SmolLM2-135M-Instruct.Q4_1.gguf"))
/// try file.metadata.string("general.architecture")   // "llama"
/// file.tensor(named: "token_embd.weight")?.type.name  // "q8_0"
/// ```
public final class GGUFFile: @unchecked Sendable {
    /// The path the file was read from (for messages).
    public let path: String
    /// Format version (2 or 3).
    public let version: UInt32
    /// The metadata, keys in file order.
    public let metadata: GGUFMetadata
    /// The tensor directory, in file order.
    public let tensors: [GGUFTensorInfo]
    /// Alignment of tensor data (`general.alignment`, 32 by default).
    public let alignment: Int
    /// Offset of the tensor data section.
    public let dataOffset: Int
    /// The file's bytes: a read-only memory mapping for files on disk (`storage` keeps it alive).
    public let raw: UnsafeRawBufferPointer
    private let storage: AnyObject
    private let index: [String: Int]

    /// Largest nesting of arrays inside arrays accepted.
    public static let maximumArrayDepth = 4
    /// ggml's `GGML_MAX_DIMS`.
    public static let maximumDimensions = 4
    /// ggml's `GGML_MAX_NAME`: tensor names are shorter than this many bytes.
    public static let maximumNameBytes = 64

    /// Opens and validates the GGUF file at `url` (memory-mapped: its weights are not read here).
    /// - Throws: `LLMError.fileError` when it cannot be read; `LLMError.invalidGGUF` when it is not a
    ///   well-formed GGUF file.
    public convenience init(contentsOf url: URL) throws {
        let mapped: MappedFile
        do { mapped = try MappedFile(contentsOf: url) } catch let e as TensorIOError {
            switch e {
            case .fileNotFound: throw LLMError.fileError(path: url.path, reason: "no such file or directory")
            case .unreadableFile(_, let reason): throw LLMError.fileError(path: url.path, reason: reason)
            default: throw LLMError.fileError(path: url.path, reason: e.description)
            }
        }
        try self.init(storage: mapped, raw: mapped.bytes, path: url.path)
    }

    /// Parses GGUF bytes held in memory (copied once); `path` is used in messages.
    public convenience init(data: Data, path: String = "<memory>") throws {
        let box = OwnedBytes(data)
        try self.init(storage: box, raw: UnsafeRawBufferPointer(rebasing: box.buffer[0..<box.count]), path: path)
    }

    private init(storage: AnyObject, raw: UnsafeRawBufferPointer, path: String) throws {
        self.path = path
        self.storage = storage
        self.raw = raw
        var parser = GGUFParser(raw, path: path)
        let parsed = try parser.parse()
        version = parsed.version
        metadata = parsed.metadata
        tensors = parsed.tensors
        alignment = parsed.alignment
        dataOffset = parsed.dataOffset
        index = Dictionary(parsed.tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The tensor called `name`, if the file has one.
    public func tensor(named name: String) -> GGUFTensorInfo? { index[name].map { tensors[$0] } }

    /// Calls `body` with the bytes of `tensor` (valid while this file object lives).
    public func withBytes<R>(of tensor: GGUFTensorInfo, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(bytes(of: tensor))
    }

    /// The bytes of `tensor` (valid while this file object lives; the directory was checked
    /// against the file size when it was read).
    public func bytes(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        ensure(tensor.offset >= dataOffset && tensor.byteCount <= raw.count - tensor.offset,
               "tensor '\(tensor.name)' is not a tensor of '\(path)'")
        return UnsafeRawBufferPointer(rebasing: raw[tensor.offset..<(tensor.offset + tensor.byteCount)])
    }
}

/// Bytes copied into memory this object owns (a GGUF file parsed from `Data`).
final class OwnedBytes: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    init(_ data: Data) {
        buffer = .allocate(byteCount: max(data.count, 1), alignment: 64)
        data.copyBytes(to: buffer.bindMemory(to: UInt8.self).baseAddress!, count: data.count)
        count = data.count
    }
    let count: Int
    deinit { buffer.deallocate() }
}

/// GGUF metadata: typed lookups that throw `LLMError.missing` naming the key and the file.
public struct GGUFMetadata: Equatable, Sendable {
    /// Keys in file order.
    public let keys: [String]
    /// Values by key.
    public let values: [String: GGUFValue]
    /// The file path, for messages.
    public let path: String

    /// Metadata with `keys` in file order; `path` names the file in messages.
    public init(keys: [String], values: [String: GGUFValue], path: String) {
        self.keys = keys; self.values = values; self.path = path
    }

    /// The value of `key`, if present.
    public subscript(key: String) -> GGUFValue? { values[key] }

    private func require(_ key: String) throws -> GGUFValue {
        guard let v = values[key] else { throw LLMError.missing(path: path, what: "metadata key '\(key)' is missing") }
        return v
    }

    private func wrongType(_ key: String, _ v: GGUFValue, _ expected: String) -> LLMError {
        .missing(path: path, what: "metadata '\(key)' is a \(v.type) (\(v.summary)), expected \(expected)")
    }

    /// An integer value (any integer type); `range` bounds it.
    public func int(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        let v = try require(key)
        guard let i = v.intValue else { throw wrongType(key, v, "an integer") }
        guard range.contains(i) else { throw LLMError.missing(path: path, what: "metadata '\(key)' = \(i) is outside \(range.lowerBound)…\(range.upperBound)") }
        return i
    }

    /// An integer value, or `nil` when absent.
    public func optionalInt(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int? {
        values[key] == nil ? nil : try int(key, in: range)
    }

    /// A finite number (integer or float).
    public func double(_ key: String) throws -> Double {
        let v = try require(key)
        guard let d = v.doubleValue else { throw wrongType(key, v, "a number") }
        guard d.isFinite else { throw LLMError.missing(path: path, what: "metadata '\(key)' is not finite (\(d))") }
        return d
    }

    /// A finite number, or `nil` when absent.
    public func optionalDouble(_ key: String) throws -> Double? { values[key] == nil ? nil : try double(key) }

    /// A string value.
    public func string(_ key: String) throws -> String {
        let v = try require(key)
        guard case .string(let s) = v else { throw wrongType(key, v, "a string") }
        return s
    }

    /// A string value, or `nil` when absent.
    public func optionalString(_ key: String) throws -> String? { values[key] == nil ? nil : try string(key) }

    /// A boolean value, or `defaultValue` when absent.
    public func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let v = values[key] else { return defaultValue }
        guard case .bool(let b) = v else { throw wrongType(key, v, "a boolean") }
        return b
    }

    /// An array of strings.
    public func strings(_ key: String) throws -> [String] {
        let v = try require(key)
        guard case .array(.string(let a)) = v else { throw wrongType(key, v, "an array of strings") }
        return a
    }

    /// An array of integers, or `nil` when absent.
    public func optionalInts(_ key: String) throws -> [Int]? {
        guard let v = values[key] else { return nil }
        guard case .array(let a) = v, let ints = a.intValues else { throw wrongType(key, v, "an array of integers") }
        return ints
    }

    /// An array of numbers, or `nil` when absent.
    public func optionalDoubles(_ key: String) throws -> [Double]? {
        guard let v = values[key] else { return nil }
        guard case .array(let a) = v, let ds = a.doubleValues else { throw wrongType(key, v, "an array of numbers") }
        return ds
    }
}

/// The bounds-checked GGUF reader over raw bytes.
struct GGUFParser {
    let raw: UnsafeRawBufferPointer
    let path: String
    var at = 0

    init(_ raw: UnsafeRawBufferPointer, path: String) { self.raw = raw; self.path = path }

    struct Result {
        var version: UInt32
        var metadata: GGUFMetadata
        var tensors: [GGUFTensorInfo]
        var alignment: Int
        var dataOffset: Int
    }

    func fail(_ field: String, _ reason: String, at offset: Int? = nil) -> LLMError {
        .invalidGGUF(path: path, field: field, offset: offset ?? at, reason: reason)
    }

    var remaining: Int { raw.count - at }

    mutating func take<T: FixedWidthInteger>(_: T.Type, _ field: @autoclosure () -> String) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw fail(field(), "the file ends (needs \(size) bytes, \(remaining) left)") }
        let v = T(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: T.self))
        at += size
        return v
    }

    /// A count or length (uint64) that must fit in the rest of the file at `unit` bytes each.
    mutating func count(_ field: @autoclosure () -> String, unit: Int) throws -> Int {
        let start = at
        let n = try take(UInt64.self, field())
        guard n <= UInt64(remaining / max(unit, 1)) else {
            throw fail(field(), "\(n) × \(unit) bytes do not fit in the \(remaining) bytes left in the file", at: start)
        }
        return Int(n)
    }

    mutating func string(_ field: @autoclosure () -> String) throws -> String {
        let n = try count(field(), unit: 1)
        let bytes = UnsafeRawBufferPointer(rebasing: raw[at..<(at + n)])
        guard let s = String(validating: bytes, as: UTF8.self) else { throw fail(field(), "the string is not valid UTF-8") }
        at += n
        return s
    }

    mutating func scalars<T: FixedWidthInteger>(_ n: Int, _: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        let out = [T](unsafeUninitializedCapacity: n) { buf, initialized in
            for k in 0..<n { buf[k] = T(littleEndian: raw.loadUnaligned(fromByteOffset: at + k * size, as: T.self)) }
            initialized = n
        }
        at += n * size
        return out
    }

    mutating func value(_ type: GGUFValueType, _ field: String, depth: Int) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try take(UInt8.self, field))
        case .int8: return .int8(try take(Int8.self, field))
        case .uint16: return .uint16(try take(UInt16.self, field))
        case .int16: return .int16(try take(Int16.self, field))
        case .uint32: return .uint32(try take(UInt32.self, field))
        case .int32: return .int32(try take(Int32.self, field))
        case .uint64: return .uint64(try take(UInt64.self, field))
        case .int64: return .int64(try take(Int64.self, field))
        case .float32: return .float32(Float(bitPattern: try take(UInt32.self, field)))
        case .float64: return .float64(Double(bitPattern: try take(UInt64.self, field)))
        case .bool:
            let start = at
            let b = try take(UInt8.self, field)
            guard b <= 1 else { throw fail(field, "a boolean must be 0 or 1, not \(b)", at: start) }
            return .bool(b == 1)
        case .string: return .string(try string(field))
        case .array: return .array(try array(field, depth: depth + 1))
        }
    }

    mutating func valueType(_ field: String) throws -> GGUFValueType {
        let start = at
        let raw = try take(UInt32.self, field + ".type")
        guard let t = GGUFValueType(rawValue: raw) else { throw fail(field + ".type", "unknown value type \(raw) (known: 0…12)", at: start) }
        return t
    }

    mutating func array(_ field: String, depth: Int) throws -> GGUFArray {
        guard depth <= GGUFFile.maximumArrayDepth else { throw fail(field, "arrays nested deeper than \(GGUFFile.maximumArrayDepth)") }
        let type = try valueType(field)
        let n = try count(field + ".count", unit: type.minimumSize)
        switch type {
        case .uint8: return .uint8(scalars(n, UInt8.self))
        case .int8: return .int8(scalars(n, Int8.self))
        case .uint16: return .uint16(scalars(n, UInt16.self))
        case .int16: return .int16(scalars(n, Int16.self))
        case .uint32: return .uint32(scalars(n, UInt32.self))
        case .int32: return .int32(scalars(n, Int32.self))
        case .uint64: return .uint64(scalars(n, UInt64.self))
        case .int64: return .int64(scalars(n, Int64.self))
        case .float32: return .float32(scalars(n, UInt32.self).map(Float.init(bitPattern:)))
        case .float64: return .float64(scalars(n, UInt64.self).map(Double.init(bitPattern:)))
        case .bool:
            let start = at
            let bytes = scalars(n, UInt8.self)
            if let k = bytes.firstIndex(where: { $0 > 1 }) { throw fail("\(field)[\(k)]", "a boolean must be 0 or 1, not \(bytes[k])", at: start + k) }
            return .bool(bytes.map { $0 == 1 })
        case .string:
            var out: [String] = []
            out.reserveCapacity(n)
            for k in 0..<n { out.append(try string("\(field)[\(k)]")) }
            return .string(out)
        case .array:
            var out: [GGUFArray] = []
            out.reserveCapacity(n)
            for k in 0..<n { out.append(try array("\(field)[\(k)]", depth: depth + 1)) }
            return .arrays(out)
        }
    }

    mutating func parse() throws -> Result {
        let magic = try take(UInt32.self, "header.magic")
        guard magic == 0x4655_4747 else {   // "GGUF" read as a little-endian uint32
            throw fail("header.magic", "not a GGUF file (the first 4 bytes are not \"GGUF\")", at: 0)
        }
        let version = try take(UInt32.self, "header.version")
        guard version != 1 else { throw LLMError.unsupported(path: path, what: "GGUF version 1 (32-bit counts; convert the file with a current llama.cpp)") }
        guard version == 2 || version == 3 else {
            if version.byteSwapped == 2 || version.byteSwapped == 3 {
                throw LLMError.unsupported(path: path, what: "a big-endian GGUF file")
            }
            throw fail("header.version", "unknown version \(version) (2 and 3 are read)", at: 4)
        }
        // Each tensor info takes at least 8 + 4 + 4 + 8 bytes; each key/value at least 8 + 4 + 1.
        let tensorCount = try count("header.tensor_count", unit: 24)
        let kvCount = try count("header.metadata_kv_count", unit: 13)

        var keys: [String] = []
        var values: [String: GGUFValue] = [:]
        keys.reserveCapacity(kvCount)
        for k in 0..<kvCount {
            let keyStart = at
            let key = try string("metadata[\(k)].key")
            guard values[key] == nil else { throw fail("metadata[\(k)].key", "key '\(key)' appears twice", at: keyStart) }
            let field = "metadata[\"\(key)\"]"
            let type = try valueType(field)
            values[key] = try value(type, field, depth: 0)
            keys.append(key)
        }
        let metadata = GGUFMetadata(keys: keys, values: values, path: path)

        var alignment = 32
        if let a = values["general.alignment"] {
            guard case .uint32(let v) = a, v > 0, v & (v - 1) == 0 else {
                throw fail("metadata[\"general.alignment\"]", "must be a uint32 power of two, not \(a.summary)", at: 0)
            }
            alignment = Int(v)
        }

        struct Pending { var name: String; var dims: [Int]; var type: GGMLTypeLayout; var relative: UInt64; var bytes: Int; var at: Int }
        var pending: [Pending] = []
        pending.reserveCapacity(tensorCount)
        var names = Set<String>()
        for t in 0..<tensorCount {
            let start = at
            let name = try string("tensor[\(t)].name")
            let field = "tensor \"\(name)\""
            guard name.utf8.count < GGUFFile.maximumNameBytes else {
                throw fail(field + ".name", "names must be shorter than \(GGUFFile.maximumNameBytes) bytes", at: start)
            }
            guard names.insert(name).inserted else { throw fail(field + ".name", "two tensors have this name", at: start) }
            let nd = try take(UInt32.self, field + ".n_dimensions")
            guard nd >= 1, nd <= UInt32(GGUFFile.maximumDimensions) else {
                throw fail(field + ".n_dimensions", "\(nd) dimensions (1…\(GGUFFile.maximumDimensions) allowed)", at: at - 4)
            }
            var dims: [Int] = []
            var elements = 1
            for d in 0..<Int(nd) {
                let dimStart = at
                let v = try take(UInt64.self, field + ".dimensions[\(d)]")
                guard let n = Int(exactly: v) else {
                    throw fail(field + ".dimensions[\(d)]", "dimension \(v) is too large", at: dimStart)
                }
                let (e, overflow) = elements.multipliedReportingOverflow(by: n)
                guard !overflow else { throw fail(field + ".dimensions", "the element count overflows", at: dimStart) }
                elements = e
                dims.append(n)
            }
            let typeStart = at
            let typeID = try take(UInt32.self, field + ".type")
            guard let layout = GGMLTypeLayout.of(typeID) else { throw fail(field + ".type", "unknown ggml type id \(typeID)", at: typeStart) }
            guard dims[0] % layout.blockSize == 0 else {
                throw fail(field + ".dimensions[0]", "row length \(dims[0]) is not a multiple of \(layout.name)'s block size \(layout.blockSize)", at: start)
            }
            guard let rowBytes = layout.rowBytes(dims[0]) else { throw fail(field, "the size overflows", at: start) }
            var rows = 1, bytes = rowBytes
            for n in dims.dropFirst() {
                let (r, o1) = rows.multipliedReportingOverflow(by: n)
                let (b, o2) = rowBytes.multipliedReportingOverflow(by: r)
                guard !o1, !o2 else { throw fail(field, "the size overflows", at: start) }
                rows = r; bytes = b
            }
            let offsetStart = at
            let relative = try take(UInt64.self, field + ".offset")
            guard relative % UInt64(alignment) == 0 else {
                throw fail(field + ".offset", "offset \(relative) is not a multiple of the alignment \(alignment)", at: offsetStart)
            }
            pending.append(Pending(name: name, dims: dims, type: layout, relative: relative, bytes: bytes, at: offsetStart))
        }
        // The data section starts at the next multiple of the alignment.
        let padded = (at + alignment - 1) / alignment * alignment
        guard tensorCount == 0 || padded <= raw.count else { throw fail("data", "the file ends before the tensor data", at: at) }
        let dataOffset = min(padded, raw.count)
        let dataBytes = raw.count - dataOffset
        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(pending.count)
        for p in pending {
            guard p.relative <= UInt64(dataBytes), p.bytes <= dataBytes - Int(p.relative) else {
                throw fail("tensor \"\(p.name)\".offset", "its \(p.bytes) bytes at data offset \(p.relative) run past the end of the file (\(dataBytes) data bytes)", at: p.at)
            }
            tensors.append(GGUFTensorInfo(name: p.name, dimensions: p.dims, type: p.type, offset: dataOffset + Int(p.relative), byteCount: p.bytes))
        }
        return Result(version: version, metadata: metadata, tensors: tensors, alignment: alignment, dataOffset: dataOffset)
    }
}

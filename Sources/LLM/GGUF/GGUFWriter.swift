import Foundation
import SwiftLearnCore

/// Builds a GGUF (version 3) file: metadata in insertion order, then tensors, each aligned.
///
/// ```swift
/// var w = GGUFWriter()
/// w.set("general.architecture", .string("llama"))
/// try w.addTensor(name: "output_norm.weight", dimensions: [576], typeID: 0, bytes: normBytes)
/// try w.write(to: url)
/// ```
public struct GGUFWriter: Sendable {
    private var keys: [String] = []
    private var values: [String: GGUFValue] = [:]
    private var tensors: [(name: String, dimensions: [Int], type: GGMLTypeLayout, bytes: [UInt8])] = []
    /// Alignment of tensor data (written as `general.alignment` when not 32).
    public let alignment: Int

    /// - Throws: `LLMError.invalidParameter` unless `alignment` is a power of two below 2^31.
    public init(alignment: Int = 32) throws {
        guard alignment > 0, alignment < 1 << 31, alignment & (alignment - 1) == 0 else {
            throw LLMError.invalidParameter(name: "alignment", value: "\(alignment)", expected: "a power of two below 2^31")
        }
        self.alignment = alignment
        if alignment != 32 { set("general.alignment", .uint32(UInt32(alignment))) }
    }

    /// A writer holding a copy of `file` — its metadata in order (`overriding` replaces values)
    /// and the tensors `including` keeps — to write an edited model (a longer context, fewer
    /// layers) without re-encoding anything.
    /// - Throws: what `addTensor` throws for a tensor the file itself describes wrongly.
    public init(copying file: GGUFFile, overriding: [String: GGUFValue] = [:], including: (GGUFTensorInfo) -> Bool = { _ in true }) throws {
        try self.init(alignment: file.alignment)
        for key in file.metadata.keys {
            if let value = overriding[key] ?? file.metadata[key] { set(key, value) }
        }
        for t in file.tensors where including(t) {
            try addTensor(name: t.name, dimensions: t.dimensions, typeID: t.type.id, bytes: Array(file.bytes(of: t)))
        }
    }

    /// Sets a metadata value (a key set twice keeps its first position and the last value).
    public mutating func set(_ key: String, _ value: GGUFValue) {
        if values[key] == nil { keys.append(key) }
        values[key] = value
    }

    /// Adds a tensor: `dimensions` innermost first (ggml order), `bytes` in the type's block layout.
    /// - Throws: `LLMError.invalidParameter` for an unknown type, a repeated or over-long name, a row
    ///   length that is not a whole number of blocks, or a byte count that disagrees with the shape.
    public mutating func addTensor(name: String, dimensions: [Int], typeID: UInt32, bytes: [UInt8]) throws {
        guard let layout = GGMLTypeLayout.of(typeID) else {
            throw LLMError.invalidParameter(name: "typeID", value: "\(typeID)", expected: "a ggml type id")
        }
        guard !name.isEmpty, name.utf8.count < GGUFFile.maximumNameBytes, !tensors.contains(where: { $0.name == name }) else {
            throw LLMError.invalidParameter(name: "name", value: "'\(name)'", expected: "a new tensor name of 1…\(GGUFFile.maximumNameBytes - 1) bytes")
        }
        guard (1...GGUFFile.maximumDimensions).contains(dimensions.count), dimensions.allSatisfy({ $0 >= 0 }) else {
            throw LLMError.invalidParameter(name: "dimensions", value: "\(dimensions)", expected: "1…\(GGUFFile.maximumDimensions) non-negative sizes")
        }
        guard let row = layout.rowBytes(dimensions[0]) else {
            throw LLMError.invalidParameter(name: "dimensions[0]", value: "\(dimensions[0])", expected: "a multiple of \(layout.name)'s block size \(layout.blockSize)")
        }
        let expected = dimensions.dropFirst().reduce(row, *)
        guard bytes.count == expected else {
            throw LLMError.invalidParameter(name: "bytes", value: "\(bytes.count) bytes", expected: "\(expected) bytes for \(layout.name) \(dimensions)")
        }
        tensors.append((name, dimensions, layout, bytes))
    }

    /// The file's bytes.
    public func encode() -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func put(_ s: String) { put(UInt64(s.utf8.count)); out.append(contentsOf: s.utf8) }
        func putScalar(_ v: GGUFValue) {
            switch v {
            case .uint8(let x): put(x)
            case .int8(let x): put(x)
            case .uint16(let x): put(x)
            case .int16(let x): put(x)
            case .uint32(let x): put(x)
            case .int32(let x): put(x)
            case .uint64(let x): put(x)
            case .int64(let x): put(x)
            case .float32(let x): put(x.bitPattern)
            case .float64(let x): put(x.bitPattern)
            case .bool(let b): put(UInt8(b ? 1 : 0))
            case .string(let s): put(s)
            case .array(let a): putArray(a)
            }
        }
        func putArray(_ a: GGUFArray) {
            put(a.elementType.rawValue)
            put(UInt64(a.count))
            switch a {
            case .uint8(let xs): xs.forEach { put($0) }
            case .int8(let xs): xs.forEach { put($0) }
            case .uint16(let xs): xs.forEach { put($0) }
            case .int16(let xs): xs.forEach { put($0) }
            case .uint32(let xs): xs.forEach { put($0) }
            case .int32(let xs): xs.forEach { put($0) }
            case .uint64(let xs): xs.forEach { put($0) }
            case .int64(let xs): xs.forEach { put($0) }
            case .float32(let xs): xs.forEach { put($0.bitPattern) }
            case .float64(let xs): xs.forEach { put($0.bitPattern) }
            case .bool(let xs): xs.forEach { put(UInt8($0 ? 1 : 0)) }
            case .string(let xs): xs.forEach { put($0) }
            case .arrays(let xs): xs.forEach(putArray)
            }
        }
        func pad() { while out.count % alignment != 0 { out.append(0) } }

        put(UInt32(0x4655_4747))
        put(UInt32(3))
        put(UInt64(tensors.count))
        put(UInt64(keys.count))
        for k in keys {
            let v = values[k]!   // every key in `keys` was set
            put(k)
            put(v.type.rawValue)
            putScalar(v)
        }
        var offset = 0
        for t in tensors {
            put(t.name)
            put(UInt32(t.dimensions.count))
            t.dimensions.forEach { put(UInt64($0)) }
            put(t.type.id)
            put(UInt64(offset))
            offset += (t.bytes.count + alignment - 1) / alignment * alignment
        }
        pad()
        for t in tensors {
            out.append(contentsOf: t.bytes)
            pad()
        }
        return out
    }

    /// Writes the file atomically.
    /// - Throws: `LLMError.fileError` when it cannot be written.
    public func write(to url: URL) throws {
        do { try Data(encode()).write(to: url, options: .atomic) } catch {
            throw LLMError.fileError(path: url.path, reason: readableReason(error))
        }
    }
}

import Foundation

/// Reading and writing the safetensors format (Hugging Face): an 8-byte little-endian header
/// length, a JSON header mapping tensor names to `dtype`, `shape` and `data_offsets` (plus an
/// optional `__metadata__` object of strings), then the tensors' bytes back to back.
///
/// **Supported dtypes**: `F64`, `F32`, `F16`, `BF16`, `I64`, `I32`, `BOOL`. Others (`I8`, `U8`,
/// `I16`, `U16`, `U32`, `U64`, `F8_*`, ...) are rejected with
/// ``TensorIOError/unsupportedDType(format:dtype:hint:)``.
///
/// **Reading** validates as the reference implementation does: header length at most
/// ``maxHeaderSize`` and within the file, the header a JSON object, every entry with its required
/// keys, non-negative integer shapes, `end - start == elements * size`, and data ranges that tile
/// the data buffer exactly (in offset order, no gap, no overlap, nothing left over). Unknown keys
/// inside a tensor entry are ignored, as the reference does. Tensors are returned in header order.
///
/// **Writing** produces the bytes the Python `safetensors` package produces: tensors laid out by
/// decreasing dtype size and then by name, the header listing `__metadata__` first (its keys
/// sorted) and then the tensors in layout order, compact JSON padded with spaces to a multiple of
/// 8 bytes.
///
/// ```swift
/// let w = try ArrayPayload([0.5, -1] as [Float], shape: [1, 2])
/// try Safetensors.write([("linear.weight", w)], metadata: ["format": "pt"], to: url)
/// let file = try Safetensors.read(contentsOf: url)
/// print(file["linear.weight"]?.shape ?? [], file.metadata)
/// ```
public enum Safetensors {
    /// The largest header accepted when reading, in bytes (100 MB, the reference's limit).
    public static let maxHeaderSize = 100_000_000

    /// The contents of a safetensors file.
    public struct Contents: Equatable, Sendable {
        /// The tensors in the order the header lists them.
        public var tensors: [(name: String, payload: ArrayPayload)]
        /// The string-to-string `__metadata__` of the header (empty when there is none).
        public var metadata: [String: String]

        /// Creates contents from tensors and metadata.
        public init(tensors: [(name: String, payload: ArrayPayload)], metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }

        /// The tensor called `name`, if any.
        public subscript(name: String) -> ArrayPayload? {
            tensors.first { $0.name == name }?.payload
        }

        /// The tensor names in header order.
        public var names: [String] { tensors.map(\.name) }

        /// True when both hold the same tensors in the same order and the same metadata.
        public static func == (a: Contents, b: Contents) -> Bool {
            a.metadata == b.metadata && a.tensors.count == b.tensors.count
                && zip(a.tensors, b.tensors).allSatisfy { $0.name == $1.name && $0.payload == $1.payload }
        }
    }

    // MARK: Reading

    /// Decodes a complete safetensors file held in memory.
    ///
    /// - Throws: ``TensorIOError`` — `.truncated` (fewer than 8 bytes), `.safetensorsHeaderTooLarge`,
    ///   `.safetensorsHeaderExceedsFile`, `.safetensorsInvalidJSON`,
    ///   `.safetensorsOffsetsNotContiguous`, `.safetensorsBufferSizeMismatch`, and, wrapped in
    ///   `.inEntry(name:underlying:)`, `.safetensorsMissingKey`, `.safetensorsInvalidEntry`,
    ///   `.unsupportedDType`, `.invalidShape`, `.safetensorsOffsetsOutOfBounds`, `.byteCountMismatch`.
    public static func decode(_ bytes: [UInt8]) throws -> Contents {
        guard bytes.count >= 8 else {
            throw TensorIOError.truncated(what: "safetensors header length", expected: 8, got: bytes.count)
        }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(maxHeaderSize) else {
            throw TensorIOError.safetensorsHeaderTooLarge(length: headerLength, limit: maxHeaderSize)
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw TensorIOError.safetensorsHeaderExceedsFile(length: headerLength, available: bytes.count - 8)
        }
        let dataStart = 8 + Int(headerLength)
        guard headerLength > 0, bytes[8] == UInt8(ascii: "{") else {
            throw TensorIOError.safetensorsInvalidJSON(reason: "the header must be a JSON object starting with '{'")
        }
        guard case .object(let entries) = try HeaderJSON.parseHeader(bytes[8..<dataStart]) else {
            throw TensorIOError.safetensorsInvalidJSON(reason: "the header is not a JSON object")
        }
        let bufferSize = bytes.count - dataStart

        var metadata: [String: String] = [:]
        var infos: [(name: String, dtype: DType, shape: [Int], start: UInt64, end: UInt64)] = []
        for (name, value) in entries {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else {
                    throw TensorIOError.safetensorsInvalidJSON(reason: "__metadata__ must be an object of strings, not \(value.kind)")
                }
                for (k, v) in pairs {
                    guard case .string(let s) = v else {
                        throw TensorIOError.safetensorsInvalidJSON(reason: "__metadata__ value for \"\(k)\" must be a string, not \(v.kind)")
                    }
                    metadata[k] = s
                }
                continue
            }
            do {
                let info = try parseEntry(value, bufferSize: bufferSize)
                infos.append((name, info.dtype, info.shape, info.start, info.end))
            } catch let error as TensorIOError {
                throw TensorIOError.inEntry(name: name, underlying: error)
            }
        }

        // The data ranges must tile the buffer: in offset order, each starts where the last ended.
        let ordered = infos.indices.sorted { (infos[$0].start, infos[$0].end) < (infos[$1].start, infos[$1].end) }
        var expectedStart: UInt64 = 0
        for i in ordered {
            guard infos[i].start == expectedStart else {
                throw TensorIOError.inEntry(name: infos[i].name,
                                            underlying: .safetensorsOffsetsNotContiguous(start: infos[i].start, expectedStart: expectedStart))
            }
            expectedStart = infos[i].end
        }
        guard expectedStart == UInt64(bufferSize) else {
            throw TensorIOError.safetensorsBufferSizeMismatch(dataEnd: expectedStart, bufferSize: bufferSize)
        }

        var tensors: [(name: String, payload: ArrayPayload)] = []
        tensors.reserveCapacity(infos.count)
        for info in infos {
            var data = Array(bytes[(dataStart + Int(info.start))..<(dataStart + Int(info.end))])
            if info.dtype == .bool { NPY.normalizeBools(&data) }
            do {
                tensors.append((info.name, try ArrayPayload(dtype: info.dtype, shape: info.shape, bytes: data)))
            } catch let error as TensorIOError {
                throw TensorIOError.inEntry(name: info.name, underlying: error)
            }
        }
        return Contents(tensors: tensors, metadata: metadata)
    }

    /// Reads the safetensors file at `url`.
    ///
    /// - Throws: ``TensorIOError/fileNotFound(path:)``, ``TensorIOError/unreadableFile(path:reason:)``
    ///   and everything ``decode(_:)`` throws.
    public static func read(contentsOf url: URL) throws -> Contents {
        try decode(FileBytes.read(url))
    }

    private static func parseEntry(_ value: HeaderJSON, bufferSize: Int) throws -> (dtype: DType, shape: [Int], start: UInt64, end: UInt64) {
        guard case .object(let fields) = value else {
            throw TensorIOError.safetensorsInvalidEntry(reason: "a tensor entry must be an object, not \(value.kind)")
        }
        func field(_ key: String) throws -> HeaderJSON {
            guard let v = fields.first(where: { $0.key == key })?.value else { throw TensorIOError.safetensorsMissingKey(key: key) }
            return v
        }
        guard case .string(let dtypeName) = try field("dtype") else {
            throw TensorIOError.safetensorsInvalidEntry(reason: "\"dtype\" must be a string")
        }
        let dtype = try dtypeFromName(dtypeName)
        guard case .array(let dims) = try field("shape") else {
            throw TensorIOError.safetensorsInvalidEntry(reason: "\"shape\" must be an array of non-negative integers")
        }
        var shape = [Int]()
        for d in dims {
            guard let u = d.unsignedInteger, u <= UInt64(Int.max) else {
                throw TensorIOError.invalidShape("safetensors shape entries must be non-negative integers, found \(d.kind)")
            }
            shape.append(Int(u))
        }
        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
              let start = offsets[0].unsignedInteger, let end = offsets[1].unsignedInteger else {
            throw TensorIOError.safetensorsInvalidEntry(reason: "\"data_offsets\" must be an array of two non-negative integers [start, end]")
        }
        guard start <= end, end <= UInt64(bufferSize) else {
            throw TensorIOError.safetensorsOffsetsOutOfBounds(start: start, end: end, bufferSize: bufferSize)
        }
        let expected = try ArrayPayload.byteCount(dtype: dtype, shape: shape)
        guard UInt64(expected) == end - start else {
            throw TensorIOError.byteCountMismatch(dtype: dtype, shape: shape, expected: expected, actual: Int(end - start))
        }
        return (dtype, shape, start, end)
    }

    private static func dtypeFromName(_ name: String) throws -> DType {
        if let d = DType.allCases.first(where: { $0.safetensorsName == name }) { return d }
        let hint: String
        switch name {
        case "I8", "U8", "I16", "U16", "U32", "U64":
            hint = "this integer type is not supported; convert to I32 or I64 before saving"
        case "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2":
            hint = "8-bit and smaller float types are not supported; convert to F16, BF16 or F32 before saving"
        case "C64": hint = "complex tensors are not supported"
        default: hint = "not a safetensors dtype this library knows"
        }
        throw TensorIOError.unsupportedDType(format: "safetensors", dtype: name, hint: hint)
    }

    // MARK: Writing

    /// Rank used by the reference writer to order tensors (larger dtypes first).
    private static func layoutRank(_ d: DType) -> Int {
        switch d {
        case .bool: return 0
        case .float16: return 1
        case .bfloat16: return 2
        case .int32: return 3
        case .float32: return 4
        case .float64: return 5
        case .int64: return 6
        }
    }

    /// Encodes named tensors and optional metadata as a safetensors file.
    ///
    /// - Parameters:
    ///   - tensors: Unique names (not `__metadata__`) and payloads; their order does not matter,
    ///     the layout follows the reference writer.
    ///   - metadata: The `__metadata__` strings; `nil` writes no `__metadata__` key.
    /// - Throws: ``TensorIOError/duplicateName(_:)``, ``TensorIOError/invalidName(name:reason:)``.
    public static func encode(_ tensors: [(name: String, payload: ArrayPayload)], metadata: [String: String]? = nil) throws -> [UInt8] {
        var seen = Set<String>()
        for (name, payload) in tensors {
            guard name != "__metadata__" else {
                throw TensorIOError.invalidName(name: name, reason: "reserved for the header's metadata")
            }
            guard seen.insert(name).inserted else { throw TensorIOError.duplicateName(name) }
            payload.checkInvariant("Safetensors.encode")
        }
        let ordered = tensors.sorted { a, b in
            let ra = layoutRank(a.payload.dtype), rb = layoutRank(b.payload.dtype)
            if ra != rb { return ra > rb }
            return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
        var header: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        if let metadata {
            header += Array("\"__metadata__\":{".utf8)
            for (i, key) in metadata.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if i > 0 { header.append(UInt8(ascii: ",")) }
                HeaderJSON.appendQuoted(key, to: &header)
                header.append(UInt8(ascii: ":"))
                HeaderJSON.appendQuoted(metadata[key] ?? "", to: &header)
            }
            header.append(UInt8(ascii: "}"))
            first = false
        }
        var offset = 0
        for (name, payload) in ordered {
            if !first { header.append(UInt8(ascii: ",")) }
            first = false
            HeaderJSON.appendQuoted(name, to: &header)
            let shape = payload.shape.map(String.init).joined(separator: ",")
            let end = offset + payload.bytes.count
            header += Array(":{\"dtype\":\"\(payload.dtype.safetensorsName)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}".utf8)
            offset = end
        }
        header.append(UInt8(ascii: "}"))
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)

        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + offset)
        UInt64(header.count).ioAppendLittleEndian(to: &out)
        out += header
        for (_, payload) in ordered { out += payload.bytes }
        return out
    }

    /// Writes named tensors and optional metadata to `url` as a safetensors file (atomically).
    ///
    /// - Throws: what ``encode(_:metadata:)`` throws, and ``TensorIOError/unwritableFile(path:reason:)``.
    public static func write(_ tensors: [(name: String, payload: ArrayPayload)], metadata: [String: String]? = nil, to url: URL) throws {
        try FileBytes.write(encode(tensors, metadata: metadata), to: url)
    }
}

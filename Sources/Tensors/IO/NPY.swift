import Foundation

/// Reading and writing NumPy's `.npy` format (one array per file), as `np.save` / `np.load` do.
///
/// **Reading** accepts format versions 1.0, 2.0 and 3.0, any key order in the header dictionary,
/// C or Fortran order (Fortran-order data is transposed to C order), little- and big-endian data
/// (big-endian is byte-swapped), and these dtypes:
///
/// | `.npy` descr            | ``DType``   |
/// |-------------------------|-------------|
/// | `<f4` `>f4`             | `float32`   |
/// | `<f8` `>f8`             | `float64`   |
/// | `<f2` `>f2`             | `float16`   |
/// | `<i4` `>i4`             | `int32`     |
/// | `<i8` `>i8`             | `int64`     |
/// | `|b1` `?`               | `bool` (non-zero bytes read as `1`) |
/// | `<V2` `|V2`             | `bfloat16` (NumPy has no bfloat16; this library writes it as raw 2-byte void) |
///
/// Every other dtype (`|i1`, `<i2`, `|u1`, `<u2`, `<u4`, `<u8`, complex, strings, datetimes,
/// structured and object arrays) is rejected with ``TensorIOError/unsupportedDType(format:dtype:hint:)``
/// rather than converted, so that no value changes silently; convert in NumPy first
/// (`a.astype(np.int32)`). Object arrays (`|O`) are never unpickled.
///
/// **Writing** produces exactly the bytes `np.save` produces for the same array (version 1.0,
/// header padded to 64 bytes with NumPy's spare room for growth; 2.0 only if the header would not
/// fit in 65535 bytes).
///
/// ```swift
/// let p = try ArrayPayload([1.5, 2.5] as [Double], shape: [2])
/// let bytes = NPY.encode(p)            // np.load reads this
/// let back = try NPY.decode(bytes)     // == p
/// ```
public enum NPY {
    /// The six bytes every `.npy` file starts with: `\x93NUMPY`.
    public static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// The largest number of dimensions accepted (NumPy's `NPY_MAXDIMS`).
    public static let maxDimensions = 64

    // MARK: Reading

    /// Decodes a complete `.npy` file held in memory.
    ///
    /// - Returns: The array as a little-endian, C-order payload.
    /// - Throws: ``TensorIOError`` — `.badMagic`, `.truncated` (at any point: magic, version,
    ///   header length, header, data), `.unsupportedVersion`, `.malformedHeader` (syntax, missing or
    ///   extra keys, wrong value types), `.unsupportedDType`, `.invalidShape` (negative or
    ///   overflowing), `.byteCountMismatch` (data longer than the header says).
    public static func decode(_ bytes: [UInt8]) throws -> ArrayPayload {
        let header = try parseHeader(bytes)
        let expected = try ArrayPayload.byteCount(dtype: header.dtype, shape: header.shape)
        let available = bytes.count - header.dataOffset
        guard available >= expected else {
            throw TensorIOError.truncated(what: "array data (\(header.dtype) \(header.shape))", expected: expected, got: available)
        }
        guard available == expected else {
            throw TensorIOError.byteCountMismatch(dtype: header.dtype, shape: header.shape, expected: expected, actual: available)
        }
        var data = Array(bytes[header.dataOffset...])
        if header.byteSwapped { swapBytes(&data, width: header.dtype.byteSize) }
        if header.dtype == .bool { normalizeBools(&data) }
        if header.fortranOrder && header.shape.count > 1 {
            data = fortranToC(data, shape: header.shape, width: header.dtype.byteSize)
        }
        return try ArrayPayload(dtype: header.dtype, shape: header.shape, bytes: data)
    }

    /// Reads the `.npy` file at `url`.
    ///
    /// - Throws: ``TensorIOError/fileNotFound(path:)``, ``TensorIOError/unreadableFile(path:reason:)``
    ///   and everything ``decode(_:)`` throws.
    public static func read(contentsOf url: URL) throws -> ArrayPayload {
        try decode(FileBytes.read(url))
    }

    // MARK: Writing

    /// Encodes `payload` as a `.npy` file, byte-for-byte as `np.save` would.
    ///
    /// - Precondition: `payload.bytes.count` matches its dtype and shape, and the shape has at
    ///   most ``maxDimensions`` axes (NumPy cannot load more).
    public static func encode(_ payload: ArrayPayload) -> [UInt8] {
        payload.checkInvariant("NPY.encode")
        precondition(payload.shape.count <= maxDimensions,
                     "NPY.encode: shape \(payload.shape) has \(payload.shape.count) axes; .npy files hold at most \(maxDimensions)")
        var out = headerBytes(descr: payload.dtype.numpyDescr, shape: payload.shape)
        out.append(contentsOf: payload.bytes)
        return out
    }

    /// Writes `payload` to `url` as a `.npy` file (atomically: a temporary file is renamed).
    ///
    /// - Throws: ``TensorIOError/unwritableFile(path:reason:)``.
    public static func write(_ payload: ArrayPayload, to url: URL) throws {
        try FileBytes.write(encode(payload), to: url)
    }

    // MARK: - Header

    struct Header {
        var dtype: DType
        var shape: [Int]
        var fortranOrder: Bool
        var byteSwapped: Bool
        var dataOffset: Int
    }

    static func parseHeader(_ bytes: [UInt8]) throws -> Header {
        let prefix = Array(bytes.prefix(magic.count))
        guard prefix == Array(magic.prefix(prefix.count)) else {
            throw TensorIOError.badMagic(format: ".npy", expected: magic, found: prefix)
        }
        guard bytes.count >= 8 else {
            throw TensorIOError.truncated(what: ".npy magic and version", expected: 8, got: bytes.count)
        }
        let major = bytes[6], minor = bytes[7]
        let lengthSize: Int
        switch (major, minor) {
        case (1, 0): lengthSize = 2
        case (2, 0), (3, 0): lengthSize = 4
        default:
            throw TensorIOError.unsupportedVersion(format: ".npy", version: "\(major).\(minor)")
        }
        guard bytes.count >= 8 + lengthSize else {
            throw TensorIOError.truncated(what: ".npy header length", expected: 8 + lengthSize, got: bytes.count)
        }
        var headerLength = 0
        for i in 0..<lengthSize { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let headerStart = 8 + lengthSize
        let dataOffset = headerStart + headerLength
        guard bytes.count >= dataOffset else {
            throw TensorIOError.truncated(what: ".npy header", expected: dataOffset, got: bytes.count)
        }
        let literal = try PythonLiteral.parse(bytes[headerStart..<dataOffset], utf8: major == 3)
        guard case .dict(let entries) = literal else {
            throw malformed("the header is \(literal.summary), not a dictionary")
        }
        let keys = Set(entries.map(\.key))
        for required in ["descr", "fortran_order", "shape"] where !keys.contains(required) {
            throw malformed("missing key '\(required)' (found keys: \(entries.map { "'\($0.key)'" }.joined(separator: ", ")))")
        }
        if let extra = entries.first(where: { !["descr", "fortran_order", "shape"].contains($0.key) }) {
            throw malformed("unexpected key '\(extra.key)'")
        }
        var descr: PythonLiteral = .none, fortran: PythonLiteral = .none, shapeValue: PythonLiteral = .none
        for (key, value) in entries {
            switch key {
            case "descr": descr = value
            case "fortran_order": fortran = value
            default: shapeValue = value
            }
        }
        guard case .bool(let fortranOrder) = fortran else {
            throw malformed("'fortran_order' must be True or False, not \(fortran.summary)")
        }
        guard case .tuple(let dims) = shapeValue else {
            throw malformed("'shape' must be a tuple of integers, not \(shapeValue.summary)")
        }
        guard dims.count <= maxDimensions else {
            throw malformed("'shape' has \(dims.count) dimensions; at most \(maxDimensions) are supported")
        }
        var shape = [Int]()
        for d in dims {
            guard case .int(let n) = d else {
                throw malformed("'shape' must contain only integers, found \(d.summary)")
            }
            shape.append(n)
        }
        _ = try ArrayPayload.elementCount(of: shape)  // negative extents, overflow
        let (dtype, swapped): (DType, Bool)
        switch descr {
        case .string(let s): (dtype, swapped) = try parseDescr(s)
        case .list:
            throw TensorIOError.unsupportedDType(format: ".npy", dtype: descr.summary,
                                                 hint: "structured (record) arrays are not supported; save each field as its own array")
        default:
            throw malformed("'descr' must be a dtype string such as '<f4', not \(descr.summary)")
        }
        return Header(dtype: dtype, shape: shape, fortranOrder: fortranOrder, byteSwapped: swapped, dataOffset: dataOffset)
    }

    private static func malformed(_ reason: String) -> TensorIOError {
        .malformedHeader(format: ".npy", reason: reason)
    }

    /// Maps a NumPy type string to a dtype and whether the data needs byte-swapping.
    static func parseDescr(_ descr: String) throws -> (DType, Bool) {
        var body = Substring(descr)
        var bigEndian = false
        if let first = body.first, "<>|=".contains(first) {
            bigEndian = first == ">"
            body = body.dropFirst()
        }
        let dtype: DType
        switch body {
        case "f4": dtype = .float32
        case "f8": dtype = .float64
        case "f2": dtype = .float16
        case "i4": dtype = .int32
        case "i8": dtype = .int64
        case "b1", "?": dtype = .bool
        case "V2": return (.bfloat16, false)  // raw bytes: byte order does not apply to void types
        default:
            throw TensorIOError.unsupportedDType(format: ".npy", dtype: descr, hint: unsupportedHint(body))
        }
        return (dtype, bigEndian && dtype.byteSize > 1)
    }

    private static func unsupportedHint(_ body: Substring) -> String {
        guard let kind = body.first else { return "empty dtype string" }
        switch kind {
        case "i", "u", "b":
            return "this integer width is not supported; convert in NumPy first, e.g. a.astype(np.int32) or a.astype(np.int64)"
        case "f":
            return "this float width is not supported; convert in NumPy first, e.g. a.astype(np.float64)"
        case "c": return "complex arrays are not supported; save the real and imaginary parts separately"
        case "O": return "object arrays hold pickled Python objects and are never loaded (unsafe); save a numeric array instead"
        case "U", "S", "a": return "string arrays are not supported"
        case "M", "m": return "datetime arrays are not supported; convert to int64 first"
        case "V": return "only 2-byte void (read as bfloat16) is supported"
        default: return "not a NumPy dtype this library knows"
        }
    }

    /// The header bytes `np.save` writes for an array of `descr` and `shape` (C order).
    static func headerBytes(descr: String, shape: [Int]) -> [UInt8] {
        let shapeRepr: String
        switch shape.count {
        case 0: shapeRepr = "()"
        case 1: shapeRepr = "(\(shape[0]),)"
        default: shapeRepr = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeRepr), }"
        // NumPy leaves room to grow the first axis in place: 21 digits minus those used.
        if let first = shape.first { dict += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        var text = Array(dict.utf8)
        let hlen = text.count + 1  // + the final newline
        for (version, lengthSize) in [(UInt8(1), 2), (UInt8(2), 4)] {
            let padding = 64 - ((magic.count + 2 + lengthSize + hlen) % 64)
            let total = hlen + padding
            if lengthSize == 2 && total > Int(UInt16.max) { continue }
            var out = magic + [version, 0]
            for i in 0..<lengthSize { out.append(UInt8(truncatingIfNeeded: total >> (8 * i))) }
            text.append(contentsOf: [UInt8](repeating: 0x20, count: padding))
            text.append(0x0A)
            out.append(contentsOf: text)
            return out
        }
        preconditionFailure("NPY header of \(hlen) bytes does not fit in format version 2.0")
    }

    // MARK: - Data transforms

    static func swapBytes(_ data: inout [UInt8], width: Int) {
        guard width > 1 else { return }
        data.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i + width <= p.count {
                var lo = i, hi = i + width - 1
                while lo < hi { p.swapAt(lo, hi); lo += 1; hi -= 1 }
                i += width
            }
        }
    }

    static func normalizeBools(_ data: inout [UInt8]) {
        for i in data.indices where data[i] > 1 { data[i] = 1 }
    }

    /// Reorders elements stored in Fortran (column-major) order into C (row-major) order.
    static func fortranToC(_ data: [UInt8], shape: [Int], width: Int) -> [UInt8] {
        let count = data.count / width
        guard count > 0 else { return data }
        let n = shape.count
        // Fortran strides (in elements): axis 0 varies fastest.
        var fStride = [Int](repeating: 1, count: n)
        for k in 1..<n { fStride[k] = fStride[k - 1] * shape[k - 1] }
        var out = [UInt8](repeating: 0, count: data.count)
        var index = [Int](repeating: 0, count: n)
        var src = 0
        data.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                for dst in 0..<count {
                    for b in 0..<width { d[dst * width + b] = s[src * width + b] }
                    // Advance the C-order multi-index (last axis fastest), tracking the F offset.
                    var k = n - 1
                    while k >= 0 {
                        index[k] += 1
                        src += fStride[k]
                        if index[k] < shape[k] { break }
                        src -= fStride[k] * shape[k]
                        index[k] = 0
                        k -= 1
                    }
                }
            }
        }
        return out
    }
}

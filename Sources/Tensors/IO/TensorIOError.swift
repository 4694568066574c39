/// An error reading or writing an array file (`.npy`, `.npz`, safetensors).
///
/// Every reader validates what it reads and throws one of these instead of crashing or returning
/// wrong data. The ``description`` says what was wrong, where, and usually what to do about it.
/// Errors about one member of a container file (an `.npz` entry, a safetensors tensor) come wrapped
/// in ``inEntry(name:underlying:)``; ``root`` unwraps them.
public enum TensorIOError: Error, CustomStringConvertible, Equatable, Sendable {
    // MARK: Files

    /// No file exists at `path`.
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, a directory, an I/O error).
    case unreadableFile(path: String, reason: String)
    /// The file could not be written.
    case unwritableFile(path: String, reason: String)

    // MARK: Structure shared by the formats

    /// The data ends early: `what` needed `expected` bytes but only `got` were there.
    case truncated(what: String, expected: Int, got: Int)
    /// The file does not start with the signature of `format` (`found` holds the first bytes).
    case badMagic(format: String, expected: [UInt8], found: [UInt8])
    /// A format version this reader does not know, e.g. `.npy` version `4.0`.
    case unsupportedVersion(format: String, version: String)
    /// The header of a `format` file could not be understood; `reason` says why.
    case malformedHeader(format: String, reason: String)
    /// An element type (spelled as the file spells it, e.g. `<i2`, `U8`) that has no ``DType``.
    case unsupportedDType(format: String, dtype: String, hint: String)
    /// A shape with a negative extent, or one whose size overflows a 64-bit integer.
    case invalidShape(String)
    /// The bytes present do not match the dtype and shape: `expected` bytes were needed, `actual`
    /// were given (for a file: the data after the header is longer than the header says).
    case byteCountMismatch(dtype: DType, shape: [Int], expected: Int, actual: Int)
    /// An error inside the member `name` of a container (an `.npz` entry or a safetensors tensor).
    indirect case inEntry(name: String, underlying: TensorIOError)
    /// Two arrays with the same name were given to a writer, or a container holds two entries that
    /// map to the same array name.
    case duplicateName(String)
    /// A name a writer cannot store (empty, reserved, or not representable).
    case invalidName(name: String, reason: String)

    // MARK: ZIP (.npz)

    /// A ZIP record (`structure`) at byte `offset` does not carry its signature.
    case zipBadSignature(structure: String, offset: Int, found: UInt32)
    /// The ZIP directory structures contradict each other or the file size.
    case zipMalformed(reason: String)
    /// An entry uses a compression method other than stored (0) or deflate (8).
    case zipUnsupportedCompression(entry: String, method: Int)
    /// An entry is encrypted.
    case zipEncryptedEntry(entry: String)
    /// An entry's data extends past the end of the available bytes.
    case zipTruncatedEntry(entry: String, expected: Int, got: Int)
    /// The CRC-32 of an entry's uncompressed data differs from the one recorded in the archive.
    case zipCRCMismatch(entry: String, expected: UInt32, actual: UInt32)
    /// An entry decompressed to a different number of bytes than the archive records.
    case zipSizeMismatch(entry: String, expected: Int, actual: Int)
    /// A deflate stream is corrupt (bad block type, invalid Huffman code, distance too far back,
    /// premature end, ...).
    case corruptDeflateStream(reason: String)

    // MARK: safetensors

    /// The 8-byte header length is above the reader's limit (a corrupt or hostile file).
    case safetensorsHeaderTooLarge(length: UInt64, limit: Int)
    /// The header length points past the end of the file.
    case safetensorsHeaderExceedsFile(length: UInt64, available: Int)
    /// The header is not valid JSON or not a JSON object of the expected form.
    case safetensorsInvalidJSON(reason: String)
    /// A tensor entry lacks a required key (`dtype`, `shape` or `data_offsets`).
    case safetensorsMissingKey(key: String)
    /// A tensor entry has a key of the wrong type or an unexpected key.
    case safetensorsInvalidEntry(reason: String)
    /// A tensor's `data_offsets` lie outside the data buffer or have `end < start`.
    case safetensorsOffsetsOutOfBounds(start: UInt64, end: UInt64, bufferSize: Int)
    /// Tensors' data ranges are not laid out back to back in offset order: a gap or an overlap
    /// before `start`, where the previous tensor ended at `expectedStart`.
    case safetensorsOffsetsNotContiguous(start: UInt64, expectedStart: UInt64)
    /// The tensors' data ends at `dataEnd` but the buffer after the header holds `bufferSize` bytes.
    case safetensorsBufferSizeMismatch(dataEnd: UInt64, bufferSize: Int)

    /// The innermost error, with any ``inEntry(name:underlying:)`` wrapping removed.
    public var root: TensorIOError {
        if case .inEntry(_, let inner) = self { return inner.root }
        return self
    }

    /// A message that says what is wrong and, where possible, what to do.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "No such file: \(path)"
        case .unreadableFile(let path, let reason):
            return "Cannot read \(path): \(reason)"
        case .unwritableFile(let path, let reason):
            return "Cannot write \(path): \(reason)"
        case .truncated(let what, let expected, let got):
            return "Truncated data: \(what) needs \(expected) bytes but only \(got) are present (the file was cut short or is not what it claims to be)"
        case .badMagic(let format, let expected, let found):
            return "Not a \(format) file: it should start with \(hex(expected)) but starts with \(hex(found))"
        case .unsupportedVersion(let format, let version):
            return "Unsupported \(format) format version \(version)"
        case .malformedHeader(let format, let reason):
            return "Malformed \(format) header: \(reason)"
        case .unsupportedDType(let format, let dtype, let hint):
            return "Unsupported \(format) dtype '\(dtype)'" + (hint.isEmpty ? "" : ": \(hint)")
                + ". Supported: float32, float64, float16, bfloat16, int32, int64, bool"
        case .invalidShape(let reason):
            return "Invalid shape: \(reason)"
        case .byteCountMismatch(let dtype, let shape, let expected, let actual):
            return "Byte count does not match dtype and shape: \(dtype) \(shape) needs \(expected) bytes, found \(actual)"
        case .inEntry(let name, let underlying):
            return "In '\(name)': \(underlying.description)"
        case .duplicateName(let name):
            return "Duplicate array name '\(name)'"
        case .invalidName(let name, let reason):
            return "Invalid array name '\(name)': \(reason)"
        case .zipBadSignature(let structure, let offset, let found):
            return "Corrupt ZIP archive: no \(structure) signature at offset \(offset) (found 0x\(String(found, radix: 16)))"
        case .zipMalformed(let reason):
            return "Corrupt ZIP archive: \(reason)"
        case .zipUnsupportedCompression(let entry, let method):
            return "ZIP entry '\(entry)' uses compression method \(method); only stored (0) and deflate (8) are supported (np.savez / np.savez_compressed write those)"
        case .zipEncryptedEntry(let entry):
            return "ZIP entry '\(entry)' is encrypted; encrypted archives are not supported"
        case .zipTruncatedEntry(let entry, let expected, let got):
            return "ZIP entry '\(entry)' is truncated: \(expected) bytes of data expected, \(got) present"
        case .zipCRCMismatch(let entry, let expected, let actual):
            return "ZIP entry '\(entry)' is corrupt: CRC-32 0x\(hex32(actual)) does not match the recorded 0x\(hex32(expected))"
        case .zipSizeMismatch(let entry, let expected, let actual):
            return "ZIP entry '\(entry)' is corrupt: it decompresses to \(actual) bytes, the archive records \(expected)"
        case .corruptDeflateStream(let reason):
            return "Corrupt deflate stream: \(reason)"
        case .safetensorsHeaderTooLarge(let length, let limit):
            return "safetensors header length \(length) exceeds the limit of \(limit) bytes (corrupt file, or not a safetensors file)"
        case .safetensorsHeaderExceedsFile(let length, let available):
            return "safetensors header length \(length) is larger than the \(available) bytes that follow it (truncated or not a safetensors file)"
        case .safetensorsInvalidJSON(let reason):
            return "safetensors header is not valid: \(reason)"
        case .safetensorsMissingKey(let key):
            return "safetensors tensor entry lacks the required key '\(key)'"
        case .safetensorsInvalidEntry(let reason):
            return "invalid safetensors tensor entry: \(reason)"
        case .safetensorsOffsetsOutOfBounds(let start, let end, let bufferSize):
            return "safetensors data_offsets [\(start), \(end)] lie outside the data buffer of \(bufferSize) bytes"
        case .safetensorsOffsetsNotContiguous(let start, let expectedStart):
            return "safetensors data_offsets are not contiguous: a tensor starts at \(start) but the previous one ends at \(expectedStart) (overlap or gap)"
        case .safetensorsBufferSizeMismatch(let dataEnd, let bufferSize):
            return "safetensors tensors end at byte \(dataEnd) of the data buffer but the buffer holds \(bufferSize) bytes"
        }
    }
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.isEmpty ? "(nothing)" : bytes.map { b in
        let s = String(b, radix: 16)
        return s.count == 1 ? "0" + s : s
    }.joined(separator: " ")
}

private func hex32(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, 8 - s.count)) + s
}

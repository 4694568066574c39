import Foundation

/// Reading and writing NumPy's `.npz` format: a ZIP archive of `.npy` files, one per named array,
/// as `np.savez` (stored entries) and `np.savez_compressed` (deflate entries) write it.
///
/// **Reading** returns every `.npy` member in archive order, named without the `.npy` suffix
/// (as `np.load(...).files` shows them). Members whose names do not end in `.npy` (and directory
/// entries) are not arrays and are skipped, though still CRC-checked. ZIP64 records, as NumPy writes them, are understood;
/// every member's CRC-32 and size are checked. Each array is decoded by ``NPY/decode(_:)``, so the
/// dtypes and rules listed there apply; errors inside a member come wrapped in
/// ``TensorIOError/inEntry(name:underlying:)``.
///
/// **Writing** produces a ZIP with stored entries (like `np.savez`) or, with `compressed: true`,
/// deflate-compressed entries (like `np.savez_compressed`); timestamps are fixed at 1980-01-01 so
/// the same arrays always give the same bytes.
///
/// ```swift
/// let w = try ArrayPayload([1, 2, 3] as [Float], shape: [3])
/// let b = try ArrayPayload([7] as [Int64], shape: [])
/// try NPZ.write([("weight", w), ("bias", b)], to: url, compressed: true)
/// for (name, payload) in try NPZ.read(contentsOf: url) { print(name, payload.shape) }
/// ```
public enum NPZ {
    /// Decodes a complete `.npz` archive held in memory.
    ///
    /// - Returns: The arrays in archive order, names without the `.npy` suffix.
    /// - Throws: ``TensorIOError`` — `.badMagic` (not a ZIP), `.truncated`, `.zipMalformed`,
    ///   `.zipBadSignature`, `.zipUnsupportedCompression`, `.zipEncryptedEntry`,
    ///   `.zipTruncatedEntry`, `.zipCRCMismatch`, `.zipSizeMismatch`, `.duplicateName`, and
    ///   `.inEntry(name:underlying:)` around a `.corruptDeflateStream` or any ``NPY`` error.
    public static func decode(_ bytes: [UInt8]) throws -> [(name: String, payload: ArrayPayload)] {
        let zip = try ZipReader(bytes)
        var result: [(name: String, payload: ArrayPayload)] = []
        var seen = Set<String>()
        for entry in zip.entries where !entry.name.hasSuffix("/") {
            // Every member is extracted and CRC-checked, arrays or not, so damage to any part of
            // the archive (a name included) is reported rather than silently skipping a member.
            let data = try zip.contents(of: entry)
            guard entry.name.hasSuffix(".npy") else { continue }
            let name = String(entry.name.dropLast(4))
            guard seen.insert(name).inserted else { throw TensorIOError.duplicateName(name) }
            do {
                result.append((name, try NPY.decode(data)))
            } catch let error as TensorIOError {
                throw TensorIOError.inEntry(name: name, underlying: error)
            }
        }
        return result
    }

    /// Reads the `.npz` file at `url`.
    ///
    /// - Throws: ``TensorIOError/fileNotFound(path:)``, ``TensorIOError/unreadableFile(path:reason:)``
    ///   and everything ``decode(_:)`` throws.
    public static func read(contentsOf url: URL) throws -> [(name: String, payload: ArrayPayload)] {
        try decode(FileBytes.read(url))
    }

    /// Encodes named arrays as an `.npz` archive (member `name.npy` for each, in the given order).
    ///
    /// - Parameters:
    ///   - arrays: Names (non-empty, unique) and payloads.
    ///   - compressed: Deflate each member, as `np.savez_compressed` does; default stored.
    /// - Throws: ``TensorIOError/invalidName(name:reason:)`` for an empty name,
    ///   ``TensorIOError/duplicateName(_:)`` for a repeated one.
    public static func encode(_ arrays: [(name: String, payload: ArrayPayload)], compressed: Bool = false) throws -> [UInt8] {
        var seen = Set<String>()
        for (name, _) in arrays {
            guard !name.isEmpty else { throw TensorIOError.invalidName(name: name, reason: "array names in an .npz must not be empty") }
            guard name.utf8.count <= 0xFFFF - 4 else {
                throw TensorIOError.invalidName(name: name, reason: "longer than a ZIP entry name can be")
            }
            guard seen.insert(name).inserted else { throw TensorIOError.duplicateName(name) }
        }
        var zip = ZipWriter()
        for (name, payload) in arrays {
            zip.add(name: name + ".npy", data: NPY.encode(payload), compress: compressed)
        }
        return zip.finish()
    }

    /// Writes named arrays to `url` as an `.npz` archive (atomically).
    ///
    /// - Throws: what ``encode(_:compressed:)`` throws, and ``TensorIOError/unwritableFile(path:reason:)``.
    public static func write(_ arrays: [(name: String, payload: ArrayPayload)], to url: URL, compressed: Bool = false) throws {
        try FileBytes.write(encode(arrays, compressed: compressed), to: url)
    }
}

import Foundation

/// Reader of gzip files (RFC 1952), on top of the DEFLATE decoder that NPZ uses.
///
/// Handles one gzip member with any of the optional header fields (extra, name, comment,
/// header CRC), checks the trailer's CRC-32 and length, and throws
/// ``TensorIOError`` on every malformed input (bad magic, truncation, corrupt stream, checksum
/// mismatch) — the IDX files of MNIST are read through it.
///
/// ```swift
/// let bytes = try Gzip.decompress(contentsOf: URL(fileURLWithPath: "train-images-idx3-ubyte.gz"))
/// ```
public enum Gzip {
    /// Largest output accepted (the trailer's length field is the size modulo 2³²).
    static let maximumOutput = Int(UInt32.max)

    /// Whether `bytes` start with the gzip magic number.
    public static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// Decompresses a gzip file's contents.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        guard bytes.count >= 18 else { throw TensorIOError.truncated(what: "gzip file", expected: 18, got: bytes.count) }
        guard isGzip(bytes) else {
            throw TensorIOError.badMagic(format: "gzip", expected: [0x1F, 0x8B], found: Array(bytes.prefix(2)))
        }
        guard bytes[2] == 8 else { throw TensorIOError.malformedHeader(format: "gzip", reason: "compression method \(bytes[2]) is not DEFLATE (8)") }
        let flags = bytes[3]
        guard flags & 0xE0 == 0 else { throw TensorIOError.malformedHeader(format: "gzip", reason: "reserved header flags are set") }
        var pos = 10
        func need(_ n: Int) throws {
            guard pos + n <= bytes.count - 8 else { throw TensorIOError.malformedHeader(format: "gzip", reason: "header runs past the end of the file") }
        }
        if flags & 0x04 != 0 {  // FEXTRA
            try need(2)
            let xlen = Int(bytes[pos]) | Int(bytes[pos + 1]) << 8
            pos += 2
            try need(xlen)
            pos += xlen
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
            while true {
                try need(1)
                pos += 1
                if bytes[pos - 1] == 0 { break }
            }
        }
        if flags & 0x02 != 0 {  // FHCRC
            try need(2)
            pos += 2
        }
        let n = bytes.count
        let crc = UInt32(bytes[n - 8]) | UInt32(bytes[n - 7]) << 8 | UInt32(bytes[n - 6]) << 16 | UInt32(bytes[n - 5]) << 24
        let size = Int(UInt32(bytes[n - 4]) | UInt32(bytes[n - 3]) << 8 | UInt32(bytes[n - 2]) << 16 | UInt32(bytes[n - 1]) << 24)
        let output = try Inflate.decompress(Array(bytes[pos..<(n - 8)]), outputSize: size)
        guard output.count == size else {
            throw TensorIOError.truncated(what: "gzip stream (or a file of several gzip members)", expected: size, got: output.count)
        }
        let actual = CRC32.checksum(output)
        guard actual == crc else { throw TensorIOError.zipCRCMismatch(entry: "gzip stream", expected: crc, actual: actual) }
        return output
    }

    /// Reads and decompresses the gzip file at `url`.
    public static func decompress(contentsOf url: URL) throws -> [UInt8] {
        try decompress(FileBytes.read(url))
    }
}

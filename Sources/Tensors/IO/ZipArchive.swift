/// A minimal ZIP reader and writer for `.npz` files (PKWARE APPNOTE 6.3): local file headers,
/// the central directory, the end-of-central-directory record and their ZIP64 extensions; stored
/// (method 0) and deflate (method 8) entries; CRC-32 checked on every read.
///
/// The reader trusts the central directory for sizes and offsets (NumPy writes local headers with
/// ZIP64 placeholder sizes), checks every offset against the buffer, and throws
/// ``TensorIOError`` for anything inconsistent.
struct ZipReader {
    /// One member of the archive as the central directory describes it.
    struct Entry {
        var name: String
        var rawName: [UInt8]
        var flags: UInt16
        var method: UInt16
        var crc32: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    static let localHeaderSignature: UInt32 = 0x0403_4B50
    static let centralHeaderSignature: UInt32 = 0x0201_4B50
    static let endSignature: UInt32 = 0x0605_4B50
    static let zip64EndSignature: UInt32 = 0x0606_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50

    let bytes: [UInt8]
    /// Entries in central-directory order (the order they were written).
    private(set) var entries: [Entry] = []
    /// Bytes prepended to the archive (e.g. a self-extractor stub); added to every offset.
    private var base = 0

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        let start = Array(bytes.prefix(4))
        let localSig: [UInt8] = [0x50, 0x4B, 0x03, 0x04], emptySig: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
        if start != Array(localSig.prefix(start.count)) && start != Array(emptySig.prefix(start.count)) {
            throw TensorIOError.badMagic(format: ".npz (ZIP)", expected: localSig, found: start)
        }
        try readDirectory()
    }

    // MARK: Little-endian field access with bounds checks

    private func check(_ offset: Int, _ length: Int, _ what: String) throws {
        guard offset >= 0, length >= 0, offset <= bytes.count, length <= bytes.count - offset else {
            throw TensorIOError.zipMalformed(reason: "\(what) at offset \(offset) (\(length) bytes) lies outside the \(bytes.count)-byte file")
        }
    }

    private func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
    private func u32(_ o: Int) -> UInt32 {
        UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
    }
    private func u64(_ o: Int) -> UInt64 { UInt64(u32(o)) | UInt64(u32(o + 4)) << 32 }

    /// A 64-bit size or offset as `Int`, rejecting values no file on this machine can have.
    private func int(_ v: UInt64, _ what: String) throws -> Int {
        guard v <= UInt64(Int.max / 2) else { throw TensorIOError.zipMalformed(reason: "\(what) \(v) is impossibly large") }
        return Int(v)
    }

    // MARK: Directory

    private mutating func readDirectory() throws {
        // The end record is 22 bytes plus a comment of up to 65535 bytes, at the end of the file.
        guard bytes.count >= 22 else {
            throw TensorIOError.truncated(what: "ZIP end-of-central-directory record", expected: 22, got: bytes.count)
        }
        var eocd = -1
        var o = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        while o >= lowest {
            if bytes[o] == 0x50 && u32(o) == ZipReader.endSignature && o + 22 + u16(o + 20) <= bytes.count {
                eocd = o
                break
            }
            o -= 1
        }
        guard eocd >= 0 else {
            throw TensorIOError.zipMalformed(reason: "no end-of-central-directory record (the file is truncated or not a ZIP archive)")
        }
        let disk = u16(eocd + 4), cdDisk = u16(eocd + 6)
        var entryCount = u16(eocd + 10)
        var cdSize = Int(u32(eocd + 12))
        var cdOffset = Int(u32(eocd + 16))
        var directoryEnd = eocd  // where the central directory should end

        // ZIP64: a locator right before the end record points at the ZIP64 end record.
        if eocd >= 20 && u32(eocd - 20) == ZipReader.zip64LocatorSignature {
            let recorded = try int(u64(eocd - 12), "ZIP64 end record offset")
            var record = -1
            for candidate in [recorded, eocd - 20 - 56] where candidate >= 0 && candidate + 56 <= eocd - 20 {
                if u32(candidate) == ZipReader.zip64EndSignature { record = candidate; break }
            }
            guard record >= 0 else {
                throw TensorIOError.zipBadSignature(structure: "ZIP64 end-of-central-directory record", offset: recorded,
                                                    found: recorded >= 0 && recorded + 4 <= bytes.count ? u32(recorded) : 0)
            }
            guard u32(record + 16) == 0 && u32(record + 20) == 0 else {
                throw TensorIOError.zipMalformed(reason: "multi-disk (spanned) archives are not supported")
            }
            entryCount = try int(u64(record + 32), "ZIP64 entry count")
            cdSize = try int(u64(record + 40), "ZIP64 central directory size")
            cdOffset = try int(u64(record + 48), "ZIP64 central directory offset")
            directoryEnd = record
        } else if (disk != 0 && disk != 0xFFFF) || (cdDisk != 0 && cdDisk != 0xFFFF) {
            throw TensorIOError.zipMalformed(reason: "multi-disk (spanned) archives are not supported")
        }

        let (cdEnd, o1) = cdOffset.addingReportingOverflow(cdSize)
        guard !o1, cdEnd <= directoryEnd else {
            throw TensorIOError.zipMalformed(reason: "the central directory (offset \(cdOffset), \(cdSize) bytes) overlaps its end record at \(directoryEnd)")
        }
        base = directoryEnd - cdEnd
        guard entryCount <= cdSize / 46 else {
            throw TensorIOError.zipMalformed(reason: "\(entryCount) entries cannot fit in a \(cdSize)-byte central directory")
        }

        // Read the directory until its recorded size is used up, then check the recorded count.
        var p = cdOffset + base
        let limit = directoryEnd
        entries.reserveCapacity(entryCount)
        while p < limit {
            guard p + 46 <= limit else { throw TensorIOError.zipMalformed(reason: "the central directory ends inside an entry") }
            guard u32(p) == ZipReader.centralHeaderSignature else {
                throw TensorIOError.zipBadSignature(structure: "central directory file header", offset: p, found: u32(p))
            }
            let flags = UInt16(u16(p + 8)), method = UInt16(u16(p + 10))
            let crc = u32(p + 16)
            var compressed = UInt64(u32(p + 20)), uncompressed = UInt64(u32(p + 24))
            let nameLength = u16(p + 28), extraLength = u16(p + 30), commentLength = u16(p + 32)
            var localOffset = UInt64(u32(p + 42))
            let nameStart = p + 46, extraStart = nameStart + nameLength
            let next = extraStart + extraLength + commentLength
            guard next <= limit else { throw TensorIOError.zipMalformed(reason: "a central directory entry runs past the directory end") }
            let rawName = Array(bytes[nameStart..<extraStart])
            let name = try ZipReader.decodeName(rawName, utf8: flags & 0x800 != 0)

            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF {
                // ZIP64 extended information (tag 0x0001) holds, in order, the fields that overflowed.
                var q = extraStart
                var found = false
                while q + 4 <= extraStart + extraLength {
                    let tag = u16(q), size = u16(q + 2)
                    let dataStart = q + 4
                    guard dataStart + size <= extraStart + extraLength else { break }
                    if tag == 0x0001 {
                        var r = dataStart
                        func take() throws -> UInt64 {
                            guard r + 8 <= dataStart + size else {
                                throw TensorIOError.zipMalformed(reason: "ZIP64 extra field of '\(name)' is too short")
                            }
                            defer { r += 8 }
                            return u64(r)
                        }
                        if uncompressed == 0xFFFF_FFFF { uncompressed = try take() }
                        if compressed == 0xFFFF_FFFF { compressed = try take() }
                        if localOffset == 0xFFFF_FFFF { localOffset = try take() }
                        found = true
                        break
                    }
                    q = dataStart + size
                }
                guard found else { throw TensorIOError.zipMalformed(reason: "entry '\(name)' has 32-bit placeholder sizes but no ZIP64 extra field") }
            }
            entries.append(Entry(name: name, rawName: rawName, flags: flags, method: method, crc32: crc,
                                 compressedSize: try int(compressed, "compressed size of '\(name)'"),
                                 uncompressedSize: try int(uncompressed, "size of '\(name)'"),
                                 localHeaderOffset: try int(localOffset, "offset of '\(name)'")))
            p = next
        }
        guard entries.count == entryCount else {
            throw TensorIOError.zipMalformed(reason: "the end record counts \(entryCount) entries but the central directory holds \(entries.count)")
        }
    }

    /// Decodes an entry name: UTF-8 when the archive says so (flag bit 11), else IBM code page 437.
    static func decodeName(_ raw: [UInt8], utf8: Bool) throws -> String {
        if utf8 || raw.allSatisfy({ $0 < 0x80 }) {
            guard let s = String(validating: raw, as: UTF8.self) else {
                throw TensorIOError.zipMalformed(reason: "an entry name is not valid UTF-8")
            }
            return s
        }
        let high = Array(cp437High.unicodeScalars)
        return String(String.UnicodeScalarView(raw.map { $0 < 0x80 ? Unicode.Scalar($0) : high[Int($0) - 0x80] }))
    }

    private static let cp437High = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{00A0}"

    // MARK: Extraction

    /// The uncompressed contents of `entry`, CRC-checked.
    func contents(of entry: Entry) throws -> [UInt8] {
        let name = entry.name
        guard entry.flags & 1 == 0 else { throw TensorIOError.zipEncryptedEntry(entry: name) }
        guard entry.method == 0 || entry.method == 8 else {
            throw TensorIOError.zipUnsupportedCompression(entry: name, method: Int(entry.method))
        }
        let header = entry.localHeaderOffset + base
        try check(header, 30, "local header of '\(name)'")
        guard u32(header) == ZipReader.localHeaderSignature else {
            throw TensorIOError.zipBadSignature(structure: "local file header of '\(name)'", offset: header, found: u32(header))
        }
        let nameLength = u16(header + 26), extraLength = u16(header + 28)
        try check(header + 30, nameLength, "name of '\(name)'")
        guard Array(bytes[(header + 30)..<(header + 30 + nameLength)]) == entry.rawName else {
            throw TensorIOError.zipMalformed(reason: "the local header at \(header) names a different file than the central directory entry '\(name)'")
        }
        let dataStart = header + 30 + nameLength + extraLength
        guard dataStart <= bytes.count, entry.compressedSize <= bytes.count - dataStart else {
            throw TensorIOError.zipTruncatedEntry(entry: name, expected: entry.compressedSize, got: max(0, bytes.count - dataStart))
        }
        let stored = bytes[dataStart..<(dataStart + entry.compressedSize)]
        let data: [UInt8]
        if entry.method == 0 {
            guard entry.compressedSize == entry.uncompressedSize else {
                throw TensorIOError.zipSizeMismatch(entry: name, expected: entry.uncompressedSize, actual: entry.compressedSize)
            }
            data = Array(stored)
        } else {
            // DEFLATE expands at most ~1032:1; a larger claim is corrupt (and would waste memory).
            guard entry.uncompressedSize / 1032 <= entry.compressedSize else {
                throw TensorIOError.zipMalformed(reason: "entry '\(name)' claims \(entry.uncompressedSize) bytes from \(entry.compressedSize) compressed bytes, more than deflate can produce")
            }
            do {
                data = try Inflate.decompress(Array(stored), outputSize: entry.uncompressedSize)
            } catch let error as TensorIOError {
                throw TensorIOError.inEntry(name: name, underlying: error)
            }
            guard data.count == entry.uncompressedSize else {
                throw TensorIOError.zipSizeMismatch(entry: name, expected: entry.uncompressedSize, actual: data.count)
            }
        }
        let crc = CRC32.checksum(data)
        guard crc == entry.crc32 else { throw TensorIOError.zipCRCMismatch(entry: name, expected: entry.crc32, actual: crc) }
        return data
    }
}

/// Builds a ZIP archive in memory: stored or deflated entries, ZIP64 records only where sizes or
/// offsets need them. Timestamps are fixed at 1980-01-01 00:00 so output is reproducible.
struct ZipWriter {
    private var output: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0

    /// Appends an entry.
    mutating func add(name: String, data: [UInt8], compress: Bool) {
        let rawName = Array(name.utf8)
        let crc = CRC32.checksum(data)
        let body = compress ? Deflate.compress(data) : data
        let method: UInt16 = compress ? 8 : 0
        let offset = output.count
        let big = 0xFFFF_FFFF
        let zip64Sizes = data.count >= big || body.count >= big
        let zip64Offset = offset >= big
        let flags: UInt16 = rawName.allSatisfy { $0 < 0x80 } ? 0 : 0x800
        let version: UInt16 = (zip64Sizes || zip64Offset) ? 45 : 20

        // Local file header.
        var local: [UInt8] = []
        put32(&local, ZipReader.localHeaderSignature)
        put16(&local, version); put16(&local, flags); put16(&local, method)
        put16(&local, 0); put16(&local, 0x21)  // time 00:00, date 1980-01-01
        put32(&local, crc)
        put32(&local, zip64Sizes ? UInt32(big) : UInt32(body.count))
        put32(&local, zip64Sizes ? UInt32(big) : UInt32(data.count))
        put16(&local, UInt16(rawName.count)); put16(&local, zip64Sizes ? 20 : 0)
        local += rawName
        if zip64Sizes {
            put16(&local, 1); put16(&local, 16)
            put64(&local, UInt64(data.count)); put64(&local, UInt64(body.count))
        }
        output += local
        output += body

        // Central directory header.
        var extra: [UInt8] = []
        if zip64Sizes { put64(&extra, UInt64(data.count)); put64(&extra, UInt64(body.count)) }
        if zip64Offset { put64(&extra, UInt64(offset)) }
        if !extra.isEmpty { extra = [0x01, 0x00, UInt8(extra.count), 0x00] + extra }
        var c: [UInt8] = []
        put32(&c, ZipReader.centralHeaderSignature)
        put16(&c, 3 << 8 | version)  // made by: Unix
        put16(&c, version); put16(&c, flags); put16(&c, method)
        put16(&c, 0); put16(&c, 0x21)
        put32(&c, crc)
        put32(&c, zip64Sizes ? UInt32(big) : UInt32(body.count))
        put32(&c, zip64Sizes ? UInt32(big) : UInt32(data.count))
        put16(&c, UInt16(rawName.count)); put16(&c, UInt16(extra.count)); put16(&c, 0)
        put16(&c, 0); put16(&c, 0)  // disk, internal attributes
        put32(&c, 0o100644 << 16)  // regular file, rw-r--r--
        put32(&c, zip64Offset ? UInt32(big) : UInt32(offset))
        c += rawName
        c += extra
        directory += c
        count += 1
    }

    /// The finished archive: entries, central directory, (ZIP64 records,) end record.
    mutating func finish() -> [UInt8] {
        var out = output
        let cdOffset = out.count
        out += directory
        let cdSize = directory.count
        let needs64 = count >= 0xFFFF || cdOffset >= 0xFFFF_FFFF || cdSize >= 0xFFFF_FFFF
        if needs64 {
            let recordOffset = out.count
            put32(&out, ZipReader.zip64EndSignature)
            put64(&out, 44)
            put16(&out, 3 << 8 | 45); put16(&out, 45)
            put32(&out, 0); put32(&out, 0)
            put64(&out, UInt64(count)); put64(&out, UInt64(count))
            put64(&out, UInt64(cdSize)); put64(&out, UInt64(cdOffset))
            put32(&out, ZipReader.zip64LocatorSignature)
            put32(&out, 0); put64(&out, UInt64(recordOffset)); put32(&out, 1)
        }
        put32(&out, ZipReader.endSignature)
        put16(&out, 0); put16(&out, 0)
        put16(&out, UInt16(min(count, 0xFFFF))); put16(&out, UInt16(min(count, 0xFFFF)))
        put32(&out, UInt32(min(cdSize, 0xFFFF_FFFF)))
        put32(&out, UInt32(min(cdOffset, 0xFFFF_FFFF)))
        put16(&out, 0)
        return out
    }

    private func put16(_ b: inout [UInt8], _ v: UInt16) { b.append(UInt8(v & 0xFF)); b.append(UInt8(v >> 8)) }
    private func put32(_ b: inout [UInt8], _ v: UInt32) { for i in 0..<4 { b.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    private func put64(_ b: inout [UInt8], _ v: UInt64) { for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
}

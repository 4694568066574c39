/// A DEFLATE decoder (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks.
///
/// Decoding is table driven: each Huffman code is resolved with one lookup in a table indexed by
/// the next `maxLength` bits of input (at most 2^15 entries, built once per block), and input is
/// pulled into a 64-bit bit buffer eight bytes at a time. Every read is bounds-checked and every
/// malformed construct (bad block type, over- or under-subscribed code, invalid symbol, distance
/// reaching before the output start, premature end) throws
/// ``TensorIOError/corruptDeflateStream(reason:)``; the decoder cannot loop forever, since each
/// step consumes input or produces bounded output.
enum Inflate {
    /// Decompresses a raw DEFLATE stream that is known to inflate to `outputSize` bytes.
    ///
    /// - Returns: The output; it is shorter than `outputSize` when the stream ends early (the
    ///   caller compares sizes and reports the mismatch).
    /// - Throws: ``TensorIOError/corruptDeflateStream(reason:)``, also when the stream would
    ///   produce more than `outputSize` bytes.
    static func decompress(_ input: [UInt8], outputSize: Int) throws -> [UInt8] {
        precondition(outputSize >= 0)
        return try input.withUnsafeBytes { raw in
            // One spare byte keeps the buffer non-empty (a valid base address) for empty output.
            try [UInt8](unsafeUninitializedCapacity: outputSize + 1) { buffer, initialized in
                initialized = 0
                guard let out = buffer.baseAddress else { return }
                var decoder = Decoder(input: raw, output: out, outputSize: outputSize)
                defer {
                    initialized = decoder.outPos
                    decoder.release()
                }
                try decoder.run()
            }
        }
    }

    // Length codes 257...285: base lengths and extra bits.
    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                     3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    // Distance codes 0...29: base distances and extra bits.
    static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                      257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                      8193, 12289, 16385, 24577]
    static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                       7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order in which code-length code lengths are transmitted.
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// A canonical Huffman decoding table: `entries[next maxLength bits]` = `symbol << 4 | length`,
    /// `0` for bit patterns that are not a code.
    struct Table {
        let entries: UnsafeMutablePointer<UInt32>
        var mask: UInt64 = 0

        init(capacityBits: Int) {
            entries = .allocate(capacity: 1 << capacityBits)
            entries.initialize(repeating: 0, count: 1 << capacityBits)
        }

        /// Builds the table for code `lengths` (0 = symbol unused).
        ///
        /// - Parameter allowSingleCode: accept the one incomplete code RFC 1951 allows, a single
        ///   code of length 1 (zlib's rule); otherwise the code must be complete.
        mutating func build(_ lengths: ArraySlice<UInt8>, what: String, allowSingleCode: Bool) throws {
            var count = [Int](repeating: 0, count: 16)
            for l in lengths { count[Int(l)] += 1 }
            count[0] = 0
            var maxLength = 15
            while maxLength > 0 && count[maxLength] == 0 { maxLength -= 1 }
            if maxLength == 0 {  // no codes at all: any use is an error
                mask = 0
                entries[0] = 0
                return
            }
            var left = 1
            for len in 1...15 {
                left <<= 1
                left -= count[len]
                if left < 0 { throw TensorIOError.corruptDeflateStream(reason: "over-subscribed \(what) Huffman code") }
            }
            if left > 0 && !(allowSingleCode && maxLength == 1) {
                throw TensorIOError.corruptDeflateStream(reason: "incomplete \(what) Huffman code")
            }
            var next = [Int](repeating: 0, count: 16)
            var code = 0
            for len in 1...15 {
                code = (code + count[len - 1]) << 1
                next[len] = code
            }
            let size = 1 << maxLength
            entries.update(repeating: 0, count: size)
            var symbol = 0
            for l in lengths {
                let len = Int(l)
                if len > 0 {
                    let c = next[len]
                    next[len] += 1
                    var reversed = 0
                    for b in 0..<len where (c >> b) & 1 != 0 { reversed |= 1 << (len - 1 - b) }
                    let entry = UInt32(symbol << 4 | len)
                    var i = reversed
                    while i < size { entries[i] = entry; i += 1 << len }
                }
                symbol += 1
            }
            mask = UInt64(size - 1)
        }
    }

    struct Decoder {
        let input: UnsafeRawBufferPointer
        let output: UnsafeMutablePointer<UInt8>
        let outputSize: Int
        var inPos = 0
        var bitBuffer: UInt64 = 0
        var bitCount = 0
        var outPos = 0
        var literals = Table(capacityBits: 15)
        var distances = Table(capacityBits: 15)
        var codeLengths = Table(capacityBits: 7)
        let lengthBase = Inflate.lengthBase, lengthExtra = Inflate.lengthExtra
        let distanceBase = Inflate.distanceBase, distanceExtra = Inflate.distanceExtra

        init(input: UnsafeRawBufferPointer, output: UnsafeMutablePointer<UInt8>, outputSize: Int) {
            self.input = input
            self.output = output
            self.outputSize = outputSize
        }

        func release() {
            literals.entries.deallocate()
            distances.entries.deallocate()
            codeLengths.entries.deallocate()
        }

        static func corrupt(_ reason: String) -> TensorIOError { .corruptDeflateStream(reason: reason) }

        /// Tops the bit buffer up to at least 56 bits while input lasts. Bits above `bitCount` are
        /// either zero or the true next bits of the stream, so OR-ing them in again is harmless.
        @inline(__always)
        mutating func refill() {
            if inPos + 8 <= input.count {
                let word = UInt64(littleEndian: input.loadUnaligned(fromByteOffset: inPos, as: UInt64.self))
                bitBuffer |= word << UInt64(bitCount)
                let taken = (63 - bitCount) >> 3
                inPos += taken
                bitCount += taken << 3
            } else {
                while bitCount <= 56 && inPos < input.count {
                    bitBuffer |= UInt64(input[inPos]) << UInt64(bitCount)
                    inPos += 1
                    bitCount += 8
                }
            }
        }

        @inline(__always)
        mutating func bits(_ n: Int) throws -> Int {
            if bitCount < n {
                refill()
                if bitCount < n { throw Decoder.corrupt("unexpected end of stream") }
            }
            let v = Int(truncatingIfNeeded: bitBuffer & ((1 << UInt64(n)) &- 1))
            bitBuffer >>= UInt64(n)
            bitCount -= n
            return v
        }

        @inline(__always)
        mutating func decode(_ table: Table, what: StaticString) throws -> Int {
            if bitCount < 15 { refill() }
            let entry = table.entries[Int(truncatingIfNeeded: bitBuffer & table.mask)]
            let len = Int(entry & 15)
            guard len != 0 else { throw Decoder.corrupt("invalid \(what) code") }
            guard len <= bitCount else { throw Decoder.corrupt("unexpected end of stream") }
            bitBuffer >>= UInt64(len)
            bitCount -= len
            return Int(entry >> 4)
        }

        mutating func run() throws {
            var final = false
            while !final {
                final = try bits(1) == 1
                switch try bits(2) {
                case 0: try storedBlock()
                case 1:
                    try buildFixedTables()
                    try huffmanBlock()
                case 2:
                    try readDynamicTables()
                    try huffmanBlock()
                default:
                    throw Decoder.corrupt("invalid block type 3")
                }
            }
        }

        mutating func storedBlock() throws {
            _ = try bits(bitCount & 7)  // to a byte boundary
            let len = try bits(16)
            let nlen = try bits(16)
            guard len == (~nlen & 0xFFFF) else {
                throw Decoder.corrupt("stored block length \(len) does not match its complement")
            }
            guard len <= outputSize - outPos else {
                throw Decoder.corrupt("stream inflates to more than the expected \(outputSize) bytes")
            }
            var remaining = len
            while remaining > 0 && bitCount >= 8 {
                output[outPos] = UInt8(truncatingIfNeeded: bitBuffer)
                bitBuffer >>= 8
                bitCount -= 8
                outPos += 1
                remaining -= 1
            }
            if remaining > 0 {
                // The bit buffer is empty; any bits above it are prefetched copies of the bytes
                // about to be copied directly.
                bitBuffer = 0
                guard remaining <= input.count - inPos, let base = input.baseAddress else {
                    throw Decoder.corrupt("unexpected end of stream in a stored block")
                }
                UnsafeMutableRawPointer(output + outPos).copyMemory(from: base + inPos, byteCount: remaining)
                inPos += remaining
                outPos += remaining
            }
        }

        mutating func buildFixedTables() throws {
            var lengths = [UInt8](repeating: 8, count: 288)
            for i in 144..<256 { lengths[i] = 9 }
            for i in 256..<280 { lengths[i] = 7 }
            try literals.build(lengths[...], what: "literal/length", allowSingleCode: false)
            let d = [UInt8](repeating: 5, count: 32)
            try distances.build(d[...], what: "distance", allowSingleCode: false)
        }

        mutating func readDynamicTables() throws {
            let hlit = try bits(5) + 257
            let hdist = try bits(5) + 1
            let hclen = try bits(4) + 4
            guard hlit <= 286 else { throw Decoder.corrupt("too many literal/length codes (\(hlit))") }
            guard hdist <= 30 else { throw Decoder.corrupt("too many distance codes (\(hdist))") }
            var clLengths = [UInt8](repeating: 0, count: 19)
            for i in 0..<hclen { clLengths[Inflate.codeLengthOrder[i]] = UInt8(try bits(3)) }
            try codeLengths.build(clLengths[...], what: "code length", allowSingleCode: false)
            let total = hlit + hdist
            var lengths = [UInt8](repeating: 0, count: total)
            var i = 0
            while i < total {
                let sym = try decode(codeLengths, what: "code length")
                if sym < 16 {
                    lengths[i] = UInt8(sym)
                    i += 1
                    continue
                }
                var value: UInt8 = 0
                let repeatCount: Int
                switch sym {
                case 16:
                    guard i > 0 else { throw Decoder.corrupt("repeat of a code length with no previous length") }
                    value = lengths[i - 1]
                    repeatCount = 3 + (try bits(2))
                case 17: repeatCount = 3 + (try bits(3))
                default: repeatCount = 11 + (try bits(7))
                }
                guard repeatCount <= total - i else { throw Decoder.corrupt("code lengths overflow the \(total) codes declared") }
                for _ in 0..<repeatCount { lengths[i] = value; i += 1 }
            }
            guard lengths[256] != 0 else { throw Decoder.corrupt("no end-of-block code") }
            try literals.build(lengths[0..<hlit], what: "literal/length", allowSingleCode: true)
            try distances.build(lengths[hlit..<total], what: "distance", allowSingleCode: true)
        }

        mutating func huffmanBlock() throws {
            while true {
                let sym = try decode(literals, what: "literal/length")
                if sym < 256 {
                    guard outPos < outputSize else {
                        throw Decoder.corrupt("stream inflates to more than the expected \(outputSize) bytes")
                    }
                    output[outPos] = UInt8(truncatingIfNeeded: sym)
                    outPos += 1
                    continue
                }
                if sym == 256 { return }
                let li = sym - 257
                guard li < 29 else { throw Decoder.corrupt("invalid literal/length symbol \(sym)") }
                let length = lengthBase[li] + (try bits(lengthExtra[li]))
                let ds = try decode(distances, what: "distance")
                guard ds < 30 else { throw Decoder.corrupt("invalid distance symbol \(ds)") }
                let distance = distanceBase[ds] + (try bits(distanceExtra[ds]))
                guard distance <= outPos else {
                    throw Decoder.corrupt("distance \(distance) reaches before the start of the output (at \(outPos))")
                }
                guard length <= outputSize - outPos else {
                    throw Decoder.corrupt("stream inflates to more than the expected \(outputSize) bytes")
                }
                let src = output + (outPos - distance)
                let dst = output + outPos
                if distance >= length {
                    dst.update(from: src, count: length)
                } else {
                    for k in 0..<length { dst[k] = src[k] }
                }
                outPos += length
            }
        }
    }
}

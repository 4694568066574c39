/// A DEFLATE encoder (RFC 1951) for writing compressed `.npz` files.
///
/// LZ77 with hash chains over the 32 KiB window (greedy matching, bounded chain length), then one
/// dynamic-Huffman block per 64 Ki symbols, with length-limited codes. A block whose Huffman
/// form would be larger than its raw bytes is written as stored blocks instead, so the output is
/// never much larger than the input (random float data stays about the same size).
enum Deflate {
    /// Compresses `input` into a raw DEFLATE stream (no zlib or gzip wrapper).
    static func compress(_ input: [UInt8]) -> [UInt8] {
        var encoder = Encoder(input: input)
        encoder.run()
        return encoder.writer.finish()
    }

    /// Bits written least-significant first, as DEFLATE packs them.
    struct BitWriter {
        var bytes: [UInt8] = []
        var buffer: UInt64 = 0
        var count = 0

        @inline(__always)
        mutating func write(_ value: Int, _ n: Int) {
            buffer |= UInt64(truncatingIfNeeded: value) << UInt64(count)
            count += n
            while count >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: buffer))
                buffer >>= 8
                count -= 8
            }
        }

        mutating func alignToByte() { if count > 0 { write(0, 8 - count) } }

        mutating func finish() -> [UInt8] {
            alignToByte()
            return bytes
        }
    }

    /// A Huffman code: bit length and bit-reversed code (ready to write LSB first) per symbol.
    struct Code {
        var lengths: [UInt8]
        var reversed: [Int]

        /// Builds a canonical code whose lengths are at most `limit`, for symbol frequencies `freqs`.
        /// At least two symbols get codes, so the code is always complete.
        init(freqs: [Int], limit: Int) {
            var f = freqs
            var used = f.indices.filter { f[$0] > 0 }
            var dummy = 0
            while used.count < 2 {
                while f[dummy] > 0 { dummy += 1 }
                f[dummy] = 1
                used = f.indices.filter { f[$0] > 0 }
            }
            var lengths = Code.huffmanLengths(f)
            while (lengths.max() ?? 0) > limit {
                f = f.map { $0 == 0 ? 0 : ($0 + 1) / 2 }  // flatten the distribution and retry
                lengths = Code.huffmanLengths(f)
            }
            var count = [Int](repeating: 0, count: 16)
            for l in lengths { count[Int(l)] += 1 }
            count[0] = 0
            var next = [Int](repeating: 0, count: 16)
            var code = 0
            for len in 1...15 {
                code = (code + count[len - 1]) << 1
                next[len] = code
            }
            var reversed = [Int](repeating: 0, count: f.count)
            for (s, l) in lengths.enumerated() where l > 0 {
                let len = Int(l)
                let c = next[len]
                next[len] += 1
                var r = 0
                for b in 0..<len where (c >> b) & 1 != 0 { r |= 1 << (len - 1 - b) }
                reversed[s] = r
            }
            self.lengths = lengths
            self.reversed = reversed
        }

        /// Optimal (unlimited) Huffman code lengths for the non-zero frequencies.
        static func huffmanLengths(_ f: [Int]) -> [UInt8] {
            let leaves = f.indices.filter { f[$0] > 0 }.sorted { (f[$0], $0) < (f[$1], $1) }
            let n = leaves.count
            var weight = leaves.map { f[$0] }   // nodes 0..<n leaves, n... internal
            var parent = [Int](repeating: -1, count: 2 * n)
            var i = 0, j = n  // queue fronts: leaves, internal nodes (created in weight order)
            weight.reserveCapacity(2 * n)
            func pop() -> Int {
                if i < n && (j >= weight.count || weight[i] <= weight[j]) { i += 1; return i - 1 }
                j += 1
                return j - 1
            }
            for _ in 0..<(n - 1) {
                let a = pop(), b = pop()
                parent[a] = weight.count
                parent[b] = weight.count
                weight.append(weight[a] + weight[b])
            }
            var depth = [Int](repeating: 0, count: weight.count)
            if weight.count >= 2 {
                for node in stride(from: weight.count - 2, through: 0, by: -1) { depth[node] = depth[parent[node]] + 1 }
            }
            var lengths = [UInt8](repeating: 0, count: f.count)
            for (k, s) in leaves.enumerated() { lengths[s] = UInt8(min(depth[k], 255)) }
            return lengths
        }
    }

    struct Encoder {
        let input: [UInt8]
        var writer = BitWriter()
        static let windowSize = 1 << 15
        static let maxChain = 48
        static let blockSymbols = 1 << 16

        /// `lengthSymbol[len - 3]`: the length code index (0...28) of a match length.
        let lengthSymbol: [Int]
        /// Distance code of `d - 1` for `d <= 256` at `[d - 1]`, else at `[256 + (d - 1) >> 7]`.
        let distanceSymbol: [Int]

        init(input: [UInt8]) {
            self.input = input
            var ls = [Int](repeating: 0, count: 256)
            for code in 0..<29 {
                let base = Inflate.lengthBase[code], extra = Inflate.lengthExtra[code]
                for len in base..<min(base + (1 << extra), 259) { ls[len - 3] = code }
            }
            ls[255] = 28  // length 258 has its own code
            lengthSymbol = ls
            var ds = [Int](repeating: 0, count: 512)
            for code in 0..<30 {
                let base = Inflate.distanceBase[code], extra = Inflate.distanceExtra[code]
                for d in base..<(base + (1 << extra)) {
                    if d <= 256 { ds[d - 1] = code } else { ds[256 + ((d - 1) >> 7)] = code }
                }
            }
            distanceSymbol = ds
        }

        func distanceCode(_ d: Int) -> Int { d <= 256 ? distanceSymbol[d - 1] : distanceSymbol[256 + ((d - 1) >> 7)] }

        mutating func run() {
            let n = input.count
            // Tokens: a literal byte (< 256) or a match, 1 << 31 | (length << 16) | (distance - 1).
            var tokens = [UInt32]()
            tokens.reserveCapacity(Encoder.blockSymbols)
            var head = [Int32](repeating: -1, count: 1 << 15)
            var prev = [Int32](repeating: -1, count: Encoder.windowSize)
            var blockStart = 0
            var pos = 0
            input.withUnsafeBufferPointer { inp in
                func hash(_ p: Int) -> Int {
                    (Int(inp[p]) << 10 ^ Int(inp[p + 1]) << 5 ^ Int(inp[p + 2])) & 0x7FFF
                }
                func insert(_ p: Int) {
                    guard p + 2 < n else { return }
                    let h = hash(p)
                    prev[p & (Encoder.windowSize - 1)] = head[h]
                    head[h] = Int32(p)
                }
                while pos < n {
                    var bestLength = 0, bestDistance = 0
                    if pos + 2 < n {
                        var candidate = Int(head[hash(pos)])
                        let maxLength = min(258, n - pos)
                        var chain = 0
                        while candidate >= 0 && pos - candidate <= Encoder.windowSize && chain < Encoder.maxChain {
                            if inp[candidate + bestLength] == inp[pos + bestLength] {
                                var len = 0
                                while len < maxLength && inp[candidate + len] == inp[pos + len] { len += 1 }
                                if len > bestLength {
                                    bestLength = len
                                    bestDistance = pos - candidate
                                    if len == maxLength { break }
                                }
                            }
                            let next = Int(prev[candidate & (Encoder.windowSize - 1)])
                            if next >= candidate { break }
                            candidate = next
                            chain += 1
                        }
                    }
                    if bestLength >= 3 {
                        tokens.append(1 << 31 | UInt32(bestLength) << 16 | UInt32(bestDistance - 1))
                        for p in pos..<(pos + bestLength) { insert(p) }
                        pos += bestLength
                    } else {
                        tokens.append(UInt32(inp[pos]))
                        insert(pos)
                        pos += 1
                    }
                    if tokens.count >= Encoder.blockSymbols {
                        emitBlock(tokens, raw: blockStart..<pos, final: false)
                        tokens.removeAll(keepingCapacity: true)
                        blockStart = pos
                    }
                }
            }
            emitBlock(tokens, raw: blockStart..<n, final: true)  // possibly empty: just end-of-block
        }

        mutating func emitBlock(_ tokens: [UInt32], raw: Range<Int>, final: Bool) {
            var litFreq = [Int](repeating: 0, count: 286)
            var distFreq = [Int](repeating: 0, count: 30)
            for t in tokens {
                if t & (1 << 31) == 0 {
                    litFreq[Int(t)] += 1
                } else {
                    litFreq[257 + lengthSymbol[Int((t >> 16) & 0x1FF) - 3]] += 1
                    distFreq[distanceCode(Int(t & 0xFFFF) + 1)] += 1
                }
            }
            litFreq[256] += 1
            let lit = Code(freqs: litFreq, limit: 15)
            let dist = Code(freqs: distFreq, limit: 15)

            // Run-length encode the code lengths with symbols 16 (repeat previous), 17, 18 (zeros).
            var hlit = 286
            while hlit > 257 && lit.lengths[hlit - 1] == 0 { hlit -= 1 }
            var hdist = 30
            while hdist > 1 && dist.lengths[hdist - 1] == 0 { hdist -= 1 }
            let all = Array(lit.lengths[0..<hlit]) + Array(dist.lengths[0..<hdist])
            var rle: [(symbol: Int, extra: Int)] = []
            var i = 0
            while i < all.count {
                let v = all[i]
                var run = 1
                while i + run < all.count && all[i + run] == v { run += 1 }
                var left = run
                if v == 0 {
                    while left >= 11 { let r = min(left, 138); rle.append((18, r - 11)); left -= r }
                    if left >= 3 { rle.append((17, left - 3)); left = 0 }
                } else {
                    rle.append((Int(v), 0))
                    left -= 1
                    while left >= 3 { let r = min(left, 6); rle.append((16, r - 3)); left -= r }
                }
                for _ in 0..<left { rle.append((Int(v), 0)) }
                i += run
            }
            var clFreq = [Int](repeating: 0, count: 19)
            for r in rle { clFreq[r.symbol] += 1 }
            let cl = Code(freqs: clFreq, limit: 7)
            var hclen = 19
            while hclen > 4 && cl.lengths[Inflate.codeLengthOrder[hclen - 1]] == 0 { hclen -= 1 }

            // Exact size of the dynamic block in bits, to compare with storing the bytes.
            var bitsNeeded = 3 + 5 + 5 + 4 + 3 * hclen
            for r in rle {
                bitsNeeded += Int(cl.lengths[r.symbol]) + (r.symbol == 16 ? 2 : r.symbol == 17 ? 3 : r.symbol == 18 ? 7 : 0)
            }
            for s in 0..<286 where litFreq[s] > 0 {
                bitsNeeded += litFreq[s] * Int(lit.lengths[s])
                if s > 256 { bitsNeeded += litFreq[s] * Inflate.lengthExtra[s - 257] }
            }
            for s in 0..<30 where distFreq[s] > 0 { bitsNeeded += distFreq[s] * (Int(dist.lengths[s]) + Inflate.distanceExtra[s]) }
            let storedBits = (raw.count + 5 * max(1, (raw.count + 65534) / 65535)) * 8 + 7
            if storedBits < bitsNeeded {
                writeStored(raw, final: final)
                return
            }

            writer.write(final ? 1 : 0, 1)
            writer.write(2, 2)
            writer.write(hlit - 257, 5)
            writer.write(hdist - 1, 5)
            writer.write(hclen - 4, 4)
            for k in 0..<hclen { writer.write(Int(cl.lengths[Inflate.codeLengthOrder[k]]), 3) }
            for r in rle {
                writer.write(cl.reversed[r.symbol], Int(cl.lengths[r.symbol]))
                switch r.symbol {
                case 16: writer.write(r.extra, 2)
                case 17: writer.write(r.extra, 3)
                case 18: writer.write(r.extra, 7)
                default: break
                }
            }
            for t in tokens {
                if t & (1 << 31) == 0 {
                    writer.write(lit.reversed[Int(t)], Int(lit.lengths[Int(t)]))
                } else {
                    let length = Int((t >> 16) & 0x1FF), distance = Int(t & 0xFFFF) + 1
                    let ls = lengthSymbol[length - 3]
                    writer.write(lit.reversed[257 + ls], Int(lit.lengths[257 + ls]))
                    writer.write(length - Inflate.lengthBase[ls], Inflate.lengthExtra[ls])
                    let ds = distanceCode(distance)
                    writer.write(dist.reversed[ds], Int(dist.lengths[ds]))
                    writer.write(distance - Inflate.distanceBase[ds], Inflate.distanceExtra[ds])
                }
            }
            writer.write(lit.reversed[256], Int(lit.lengths[256]))
        }

        mutating func writeStored(_ raw: Range<Int>, final: Bool) {
            var start = raw.lowerBound
            repeat {
                let len = min(65535, raw.upperBound - start)
                let last = start + len == raw.upperBound
                writer.write(final && last ? 1 : 0, 1)
                writer.write(0, 2)
                writer.alignToByte()
                writer.write(len, 16)
                writer.write(~len & 0xFFFF, 16)
                writer.bytes.append(contentsOf: input[start..<(start + len)])
                start += len
            } while start < raw.upperBound
        }
    }
}

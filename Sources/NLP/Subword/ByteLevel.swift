/// GPT-2's byte-level text handling: the reversible byte ↔ character map and the pre-tokenizer
/// that splits text into words the way GPT-2's regular expression does.
///
/// The map sends each of the 256 byte values to a printable character: the printable Latin-1
/// bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) to themselves and the others (controls, space, soft hyphen)
/// to U+0100, U+0101 … in order, so a space becomes `Ġ` and a newline `Ċ`. Any UTF-8 text is then
/// a string over a 256-character alphabet and BPE never meets an unknown symbol.
public enum ByteLevel {
    /// The character standing for each byte value.
    public static let byteToCharacter: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b) {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte each byte-level character stands for (`nil` for other characters).
    public static func byte(for character: Unicode.Scalar) -> UInt8? {
        characterToByte[character]
    }

    static let characterToByte: [Unicode.Scalar: UInt8] = {
        var d: [Unicode.Scalar: UInt8] = [:]
        for (b, c) in byteToCharacter.enumerated() { d[c] = UInt8(b) }
        return d
    }()

    /// The byte-level string of some bytes (`"Hello world"` → `"HelloĠworld"`).
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var v = String.UnicodeScalarView()
        for b in bytes { v.append(byteToCharacter[Int(b)]) }
        return String(v)
    }

    /// The bytes of a byte-level string; `nil` when it has a character outside the 256.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for s in text.unicodeScalars {
            guard let b = characterToByte[s] else { return nil }
            out.append(b)
        }
        return out
    }

    /// All 256 byte-level characters (the initial alphabet of byte-level BPE training).
    public static var alphabet: [Unicode.Scalar] { byteToCharacter }

    /// Splits UTF-8 `text` into the byte ranges GPT-2's pre-tokenizer regex would produce:
    /// ``'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+``.
    /// A hand-written scanner (no regex engine) with exactly that leftmost-first meaning.
    public static func preTokenize(_ text: String) -> [Range<Int>] {
        var t = text
        return t.withUTF8 { buf in
            var out: [Range<Int>] = []
            PreTokenizer.scan(buf) { out.append($0..<$1) }
            return out
        }
    }
}

/// The GPT-2 pre-tokenization scanner over UTF-8 bytes.
enum PreTokenizer {
    /// Character classes of the pattern.
    enum Kind: UInt8 { case letter, number, space, other }

    /// Class of each ASCII byte.
    static let asciiKind: [Kind] = (0..<128).map { b -> Kind in
        let s = Unicode.Scalar(UInt8(b))
        if (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) { return .letter }
        if b >= 0x30 && b <= 0x39 { return .number }
        if s.properties.isWhitespace { return .space }
        return .other
    }

    /// Class of a non-ASCII scalar: `\p{L}`, `\p{N}`, `\s` (White_Space) or other.
    static func kind(of s: Unicode.Scalar) -> Kind {
        let p = s.properties
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return p.isWhitespace ? .space : .other
        }
    }

    /// Decodes the scalar at `i` of valid UTF-8: its class and byte length.
    @inline(__always)
    static func classify(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Kind, Int) {
        let b0 = p[i]
        if b0 < 0x80 { return (asciiKind[Int(b0)], 1) }
        var v: UInt32, n: Int
        if b0 < 0xE0 { v = UInt32(b0 & 0x1F); n = 2 }
        else if b0 < 0xF0 { v = UInt32(b0 & 0x0F); n = 3 }
        else { v = UInt32(b0 & 0x07); n = 4 }
        for k in 1..<n { v = (v << 6) | UInt32(p[i + k] & 0x3F) }
        return (kind(of: Unicode.Scalar(v) ?? "\u{FFFD}"), n)
    }

    /// Splits valid UTF-8 `p` around every `\p{N}` scalar: calls `emit(start, end, isNumber)` for each
    /// single number character and for each run of other characters between them, in order.
    static func splitNumbers(_ p: UnsafeBufferPointer<UInt8>, _ emit: (Int, Int, Bool) -> Void) {
        var i = 0, runStart = 0
        while i < p.count {
            let (k, len) = classify(p, i)
            if k == .number {
                if runStart < i { emit(runStart, i, false) }
                emit(i, i + len, true)
                runStart = i + len
            }
            i += len
        }
        if runStart < p.count { emit(runStart, p.count, false) }
    }

    /// Calls `emit(start, end)` for every pre-token of `p` (valid UTF-8), in order.
    static func scan(_ p: UnsafeBufferPointer<UInt8>, _ emit: (Int, Int) -> Void) {
        let n = p.count
        var i = 0
        /// End of the run of class `k` starting at `j`.
        func run(_ k: Kind, from j: Int) -> Int {
            var e = j
            while e < n {
                let (c, len) = classify(p, e)
                if c != k { break }
                e += len
            }
            return e
        }
        while i < n {
            let b = p[i]
            // 's 't 're 've 'm 'll 'd
            if b == 0x27, i + 1 < n {
                let c = p[i + 1]
                if c == 0x73 || c == 0x74 || c == 0x6D || c == 0x64 { emit(i, i + 2); i += 2; continue }
                if i + 2 < n {
                    let d = p[i + 2]
                    if (c == 0x72 && d == 0x65) || (c == 0x76 && d == 0x65) || (c == 0x6C && d == 0x6C) { emit(i, i + 3); i += 3; continue }
                }
            }
            let (k, _) = classify(p, i)
            // " ?X+" for X in letter, number, other: an optional plain space then a run.
            if b == 0x20, i + 1 < n {
                let (k2, _) = classify(p, i + 1)
                if k2 != .space { let e = run(k2, from: i + 1); emit(i, e); i = e; continue }
            }
            if k != .space { let e = run(k, from: i); emit(i, e); i = e; continue }
            // \s+(?!\S) | \s+
            let e = run(.space, from: i)
            if e == n { emit(i, e); i = e; continue }
            // Followed by a non-space: give back the last whitespace character (if that leaves any).
            var last = e - 1
            while p[last] & 0xC0 == 0x80 { last -= 1 }
            if last > i { emit(i, last); i = last } else { emit(i, e); i = e }
        }
    }
}

/// Turns the bytes of generated tokens into text pieces that are safe to show as they come:
/// a UTF-8 character split across tokens is held back until it is complete (an emoji made of
/// several byte tokens never shows as replacement characters), and text that could be the start of
/// a stop string is held back until it is known not to be one.
public struct TextStream: Sendable {
    /// Generation stops before the first occurrence of any of these.
    public let stopStrings: [String]
    private var pending: [UInt8] = []   // bytes not yet decoded (an incomplete character)
    private var held = ""               // decoded text that may begin a stop string
    /// Whether a stop string was met (nothing more is emitted).
    public private(set) var stopped = false
    /// The stop string that was met.
    public private(set) var matchedStop: String?
    /// All text emitted so far.
    public private(set) var text = ""

    /// A stream that stops before any of `stopStrings` (empty strings are ignored).
    public init(stopStrings: [String] = []) { self.stopStrings = stopStrings.filter { !$0.isEmpty } }

    /// Adds a token's bytes; returns the text that can be shown now (possibly empty).
    public mutating func append(_ bytes: [UInt8]) -> String {
        guard !stopped else { return "" }
        pending.append(contentsOf: bytes)
        // Decode the longest prefix that does not end inside a character.
        let cut = Self.completePrefixLength(pending)
        held += String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeSubrange(..<cut)
        return release(final: false)
    }

    /// Ends the stream: returns whatever is still held (an incomplete character becomes U+FFFD).
    public mutating func finish() -> String {
        guard !stopped else { return "" }
        held += String(decoding: pending, as: UTF8.self)
        pending.removeAll()
        return release(final: true)
    }

    private mutating func release(final: Bool) -> String {
        for stop in stopStrings {
            if let r = held.range(of: stop) {
                let out = String(held[..<r.lowerBound])
                stopped = true; matchedStop = stop; held = ""
                text += out
                return out
            }
        }
        // Keep the longest suffix that is a proper prefix of a stop string.
        var keep = 0
        if !final {
            for stop in stopStrings {
                var n = min(stop.count - 1, held.count)
                while n > 0 && !held.hasSuffix(String(stop.prefix(n))) { n -= 1 }
                keep = max(keep, n)
            }
        }
        let splitAt = held.index(held.endIndex, offsetBy: -keep)
        let out = String(held[..<splitAt])
        held = String(held[splitAt...])
        text += out
        return out
    }

    /// Length of the longest prefix of `b` that does not stop inside a UTF-8 sequence (invalid
    /// bytes count as complete: they decode to U+FFFD).
    static func completePrefixLength(_ b: [UInt8]) -> Int {
        let n = b.count
        // Look back at most 3 bytes for the start of the last sequence.
        var k = n - 1, back = 0
        while k >= 0, back < 3, b[k] & 0xC0 == 0x80 { k -= 1; back += 1 }
        guard k >= 0 else { return n }
        let lead = b[k]
        let need: Int
        if lead < 0x80 { need = 1 } else if lead & 0xE0 == 0xC0 { need = 2 } else if lead & 0xF0 == 0xE0 { need = 3 } else if lead & 0xF8 == 0xF0 { need = 4 } else { need = 1 }
        return n - k < need ? k : n
    }
}

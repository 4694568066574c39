/// The state of a UTF-8 decoder between bytes: a token may end in the middle of a character
/// (byte-level BPE splits emoji and CJK characters), so the matcher carries the bytes seen so far.
struct PartialUTF8: Hashable, Sendable {
    /// The bits decoded so far, the continuation bytes still expected and the sequence's length.
    var value: UInt32 = 0
    var remaining: UInt8 = 0
    var length: UInt8 = 0

    /// No character in progress.
    static let none = PartialUTF8()
    var isEmpty: Bool { remaining == 0 }

    /// The smallest and largest code point the character in progress can become (bounded by the
    /// smallest code point its length may encode — a lead byte 0xE0 with zero bits can only become
    /// U+0800 or above, never an overlong ASCII character — and by U+10FFFF).
    var codePointRange: (UInt32, UInt32) {
        let shift = UInt32(remaining) * 6
        let lo = value << shift
        let least: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        return (max(lo, least), min(lo | ((1 << shift) - 1), 0x10FFFF))
    }

    /// Whether some continuation makes this prefix a valid scalar (not overlong, not a
    /// surrogate, at most U+10FFFF).
    var canComplete: Bool {
        let (lo, hi) = codePointRange
        guard lo <= hi else { return false }
        return !(length == 3 && lo >= 0xD800 && hi <= 0xDFFF)
    }

    /// A compact key (value, remaining, length) for caches.
    var packed: UInt32 { value << 4 | UInt32(remaining) << 2 | UInt32(length & 3) }

    /// What one byte does.
    enum Step: Equatable {
        /// A character is complete.
        case codePoint(UInt32)
        /// More bytes are needed.
        case partial(PartialUTF8)
        /// Not UTF-8 here (a stray continuation byte, an overlong form, a surrogate, > U+10FFFF).
        case invalid
    }

    /// Feeds `byte`.
    func step(_ byte: UInt8) -> Step {
        if remaining == 0 {
            switch byte {
            case 0x00..<0x80: return .codePoint(UInt32(byte))
            case 0xC2...0xDF: return .partial(PartialUTF8(value: UInt32(byte & 0x1F), remaining: 1, length: 2))
            case 0xE0...0xEF: return .partial(PartialUTF8(value: UInt32(byte & 0x0F), remaining: 2, length: 3))
            case 0xF0...0xF4: return .partial(PartialUTF8(value: UInt32(byte & 0x07), remaining: 3, length: 4))
            default: return .invalid
            }
        }
        guard byte & 0xC0 == 0x80 else { return .invalid }
        let v = value << 6 | UInt32(byte & 0x3F)
        if remaining > 1 {
            // A prefix no continuation can make valid (E0 80: overlong; ED A0: a surrogate; F0 80:
            // overlong; F4 90: past U+10FFFF) is invalid now, not one byte later: a grammar
            // filter that let such a token through would leave generation with no token to
            // follow it.
            let next = PartialUTF8(value: v, remaining: remaining - 1, length: length)
            return next.canComplete ? .partial(next) : .invalid
        }
        switch length {
        case 2: return .codePoint(v)
        case 3: return v >= 0x800 && !(0xD800...0xDFFF).contains(v) ? .codePoint(v) : .invalid
        default: return v >= 0x10000 && v <= 0x10FFFF ? .codePoint(v) : .invalid
        }
    }
}

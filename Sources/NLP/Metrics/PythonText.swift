/// Text as Python sees it: a sequence of Unicode code points, compared code point by code point
/// (Swift's `String ==` applies canonical equivalence; Python's does not), with Python's
/// whitespace for `str.split()` and `str.rstrip()`. The metrics that must equal `sacrebleu` and
/// `rouge-score` to the last digit work on these.
enum PythonText {
    /// `str.isspace()`: the characters Python's `split()` with no argument splits on.
    static func isSpace(_ c: UInt32) -> Bool {
        switch c {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// The code points of `s`.
    static func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

    /// `s.split()`: runs of non-whitespace.
    static func split(_ s: [UInt32]) -> [[UInt32]] {
        var out: [[UInt32]] = [], current: [UInt32] = []
        for c in s {
            if isSpace(c) {
                if !current.isEmpty { out.append(current); current.removeAll(keepingCapacity: true) }
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// `s.rstrip()`.
    static func rstrip(_ s: [UInt32]) -> [UInt32] {
        var end = s.count
        while end > 0 && isSpace(s[end - 1]) { end -= 1 }
        return Array(s[..<end])
    }

    /// `s.replace(old, new)`: every non-overlapping occurrence, left to right.
    static func replace(_ s: [UInt32], _ old: String, _ new: String) -> [UInt32] {
        let o = scalars(old), n = scalars(new)
        guard !o.isEmpty, s.count >= o.count else { return s }
        var out: [UInt32] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if i + o.count <= s.count && s[i] == o[0] && Array(s[i..<(i + o.count)]) == o {
                out += n; i += o.count
            } else {
                out.append(s[i]); i += 1
            }
        }
        return out
    }

    /// `s.lower()`: Unicode's full lowercase mapping of each code point, with the one
    /// context-dependent rule Python applies — a capital sigma after a cased letter and not before
    /// one becomes the final form ς (Swift's `lowercased()` gives σ there).
    static func lower(_ s: String) -> String {
        let u = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, c) in u.enumerated() {
            guard c.value == 0x3A3 else { out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars); continue }
            var j = i - 1
            while j >= 0 && u[j].properties.isCaseIgnorable { j -= 1 }
            var final = j >= 0 && u[j].properties.isCased
            if final && i + 1 < u.count {
                var k = i + 1
                while k < u.count && u[k].properties.isCaseIgnorable { k += 1 }
                final = k == u.count || !u[k].properties.isCased
            }
            out.append(Unicode.Scalar(final ? 0x3C2 : 0x3C3)!)
        }
        return String(out)
    }
}

/// Lines of a text file: split at "\n" code points (a Swift `Character` split would keep "\r\n"
/// as one character and never split there), a trailing "\r" removed from each line.
public enum TextLines {
    /// The lines of `text`; with `keepEmpty` empty lines stay (a final newline adds none).
    public static func split(_ text: String, keepEmpty: Bool = true) -> [String] {
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: !keepEmpty).map { scalars -> String in
            var s = String.UnicodeScalarView(scalars)
            if s.last == "\r" { s.removeLast() }
            return String(s)
        }
        if keepEmpty, lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// Character classes shared by the tokenizers, defined the way Python's `re` and `str` methods
/// define them, so that results match scikit-learn and Hugging Face exactly.
enum CharacterClass {
    /// Python's `\w` for `str` patterns: `str.isalnum()` (letters Lu/Ll/Lt/Lm/Lo and numbers
    /// Nd/Nl/No) or `_`. Combining marks are *not* word characters, as in Python.
    @inline(__always)
    static func isWord(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 {
            return (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) || v == 0x5F
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// Python's `\s` / `str.isspace()`: Unicode White_Space plus the ASCII separators 0x1C–0x1F.
    @inline(__always)
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return v == 0x20 || (v >= 0x09 && v <= 0x0D) || (v >= 0x1C && v <= 0x1F) }
        return s.properties.isWhitespace || v == 0x85
    }

    /// Unicode punctuation (general categories P*).
    @inline(__always)
    static func isUnicodePunctuation(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// BERT's punctuation test: every non-alphanumeric ASCII character (`$`, `^`, `` ` `` … count
    /// although Unicode calls them symbols) or any Unicode P* character.
    @inline(__always)
    static func isBertPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return (v >= 33 && v <= 47) || (v >= 58 && v <= 64) || (v >= 91 && v <= 96) || (v >= 123 && v <= 126) }
        return isUnicodePunctuation(s)
    }
}

extension CharacterClass {
    /// Python's `str.lower()`: full Unicode lowercasing plus the Final_Sigma rule (Σ becomes ς at
    /// the end of a word: after a cased letter and not before one, case-ignorable characters skipped).
    static func pythonLowercased(_ text: String) -> String {
        let lowered = text.lowercased()
        guard text.unicodeScalars.contains("\u{03A3}") else { return lowered }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, s) in scalars.enumerated() {
            guard s == "\u{03A3}" else { out.append(contentsOf: String(s).lowercased().unicodeScalars); continue }
            func casedNeighbour(_ indices: some Sequence<Int>) -> Bool {
                for j in indices {
                    let p = scalars[j].properties
                    if p.isCaseIgnorable { continue }
                    return p.isCased
                }
                return false
            }
            let final = casedNeighbour(stride(from: i - 1, through: 0, by: -1)) && !casedNeighbour(i + 1..<scalars.count)
            out.append(final ? "\u{03C2}" : "\u{03C3}")
        }
        return String(out)
    }
}

/// Martin Porter's suffix-stripping stemmer (Porter, 1980, "An algorithm for suffix stripping"),
/// the original algorithm as published, without later extensions.
///
/// A word is seen as `[C](VC)^m[V]`, where `C`/`V` are runs of consonants/vowels and `m` is its
/// *measure*; five steps remove or replace suffixes when the rest of the word is long enough
/// (`m > 0`, `m > 1` …). `y` is a vowel when it follows a consonant. The stemmer passes Porter's
/// published test vocabulary (`voc.txt` → `output.txt`).
///
/// ```swift
/// let s = PorterStemmer()
/// s.stem("generalizations")   // "gener"
/// s.stem("running")           // "run"
/// ```
public struct PorterStemmer: Sendable {
    /// Words of at most this many letters are returned unchanged (default 0: every word is stemmed,
    /// as in the published vocabulary and NLTK's `ORIGINAL_ALGORITHM` mode; Porter's C code used 2).
    public let minimumLength: Int
    /// Lowercase the word before stemming (default `true`; the algorithm is defined on lowercase letters).
    public let lowercase: Bool

    /// Creates a stemmer.
    public init(lowercase: Bool = true, minimumLength: Int = 0) {
        self.lowercase = lowercase
        self.minimumLength = minimumLength
    }

    /// The stem of `word`.
    public func stem(_ word: String) -> String {
        let w = lowercase ? word.lowercased() : word
        var b = Array(w.utf8)
        if b.count <= minimumLength { return w }
        Self.step1a(&b); Self.step1b(&b); Self.step1c(&b)
        Self.step2(&b); Self.step3(&b); Self.step4(&b); Self.step5(&b)
        return String(decoding: b, as: UTF8.self)
    }

    /// Same as `stem(_:)`.
    public func callAsFunction(_ word: String) -> String { stem(word) }

    /// The stems of `words`.
    public func stem(_ words: [String]) -> [String] { words.map { stem($0) } }

    // MARK: - Word shape

    /// Whether `b[i]` is a consonant (y after a consonant is a vowel).
    private static func isConsonant(_ b: [UInt8], _ i: Int) -> Bool {
        switch b[i] {
        case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"): return false
        case UInt8(ascii: "y"): return i == 0 ? true : !isConsonant(b, i - 1)
        default: return true
        }
    }

    /// The measure `m` of `b[0..<end]`: the number of vowel→consonant transitions.
    private static func measure(_ b: [UInt8], _ end: Int) -> Int {
        var m = 0, i = 0
        while i < end, isConsonant(b, i) { i += 1 }
        while i < end {
            while i < end, !isConsonant(b, i) { i += 1 }
            if i >= end { break }
            m += 1
            while i < end, isConsonant(b, i) { i += 1 }
        }
        return m
    }

    /// `*v*`: `b[0..<end]` contains a vowel.
    private static func hasVowel(_ b: [UInt8], _ end: Int) -> Bool {
        (0..<end).contains { !isConsonant(b, $0) }
    }

    /// `*d`: `b[0..<end]` ends with a double consonant.
    private static func endsDoubleConsonant(_ b: [UInt8], _ end: Int) -> Bool {
        end >= 2 && b[end - 1] == b[end - 2] && isConsonant(b, end - 1)
    }

    /// `*o`: `b[0..<end]` ends consonant–vowel–consonant, the last not w, x or y.
    private static func endsCVC(_ b: [UInt8], _ end: Int) -> Bool {
        guard end >= 3, isConsonant(b, end - 1), !isConsonant(b, end - 2), isConsonant(b, end - 3) else { return false }
        let c = b[end - 1]
        return c != UInt8(ascii: "w") && c != UInt8(ascii: "x") && c != UInt8(ascii: "y")
    }

    private static func ends(_ b: [UInt8], _ suffix: [UInt8]) -> Bool {
        b.count >= suffix.count && b[(b.count - suffix.count)...].elementsEqual(suffix)
    }

    /// Replaces `suffix` (known to be present) with `replacement`.
    private static func replace(_ b: inout [UInt8], _ suffix: [UInt8], _ replacement: [UInt8]) {
        b.removeLast(suffix.count)
        b.append(contentsOf: replacement)
    }

    /// Applies the rule of `rules` with the longest matching suffix when the stem before it has a
    /// measure above `minMeasure` (and satisfies `extra`); returns whether a suffix matched.
    @discardableResult
    private static func applyLongest(_ b: inout [UInt8], _ rules: [([UInt8], [UInt8])], minMeasure: Int,
                                     extra: (([UInt8], Int) -> Bool)? = nil) -> Bool {
        for (suffix, replacement) in rules where ends(b, suffix) {
            let stemEnd = b.count - suffix.count
            if measure(b, stemEnd) > minMeasure && (extra?(b, stemEnd) ?? true) { replace(&b, suffix, replacement) }
            return true
        }
        return false
    }

    private static func rules(_ pairs: [(String, String)]) -> [([UInt8], [UInt8])] {
        pairs.map { (Array($0.0.utf8), Array($0.1.utf8)) }.sorted { $0.0.count > $1.0.count }
    }

    // MARK: - Steps

    private static func step1a(_ b: inout [UInt8]) {
        if ends(b, Array("sses".utf8)) { b.removeLast(2) }
        else if ends(b, Array("ies".utf8)) { b.removeLast(2) }
        else if ends(b, Array("ss".utf8)) { }
        else if ends(b, Array("s".utf8)) { b.removeLast() }
    }

    private static func step1b(_ b: inout [UInt8]) {
        if ends(b, Array("eed".utf8)) {
            if measure(b, b.count - 3) > 0 { b.removeLast() }
            return
        }
        var removed = false
        for suffix in ["ed", "ing"] where ends(b, Array(suffix.utf8)) {
            if hasVowel(b, b.count - suffix.utf8.count) { b.removeLast(suffix.utf8.count); removed = true }
            break
        }
        guard removed else { return }
        if ends(b, Array("at".utf8)) || ends(b, Array("bl".utf8)) || ends(b, Array("iz".utf8)) {
            b.append(UInt8(ascii: "e"))
        } else if endsDoubleConsonant(b, b.count), ![UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "z")].contains(b[b.count - 1]) {
            b.removeLast()
        } else if measure(b, b.count) == 1 && endsCVC(b, b.count) {
            b.append(UInt8(ascii: "e"))
        }
    }

    private static func step1c(_ b: inout [UInt8]) {
        if ends(b, Array("y".utf8)) && hasVowel(b, b.count - 1) { b[b.count - 1] = UInt8(ascii: "i") }
    }

    private static let step2Rules = rules([
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
        ("abli", "able"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"),
        ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"),
        ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"),
    ])

    private static let step3Rules = rules([
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
    ])

    private static let step4Rules = rules([
        ("al", ""), ("ance", ""), ("ence", ""), ("er", ""), ("ic", ""), ("able", ""), ("ible", ""), ("ant", ""),
        ("ement", ""), ("ment", ""), ("ent", ""), ("ou", ""), ("ism", ""), ("ate", ""), ("iti", ""),
        ("ous", ""), ("ive", ""), ("ize", ""),
    ])

    private static func step2(_ b: inout [UInt8]) { applyLongest(&b, step2Rules, minMeasure: 0) }
    private static func step3(_ b: inout [UInt8]) { applyLongest(&b, step3Rules, minMeasure: 0) }

    private static func step4(_ b: inout [UInt8]) {
        // "ion" competes with the other suffixes by length; its extra condition is *S or *T.
        let ion = Array("ion".utf8)
        if ends(b, ion) && !step4Rules.contains(where: { $0.0.count > 3 && ends(b, $0.0) }) {
            let stemEnd = b.count - 3
            if measure(b, stemEnd) > 1 && stemEnd > 0 && (b[stemEnd - 1] == UInt8(ascii: "s") || b[stemEnd - 1] == UInt8(ascii: "t")) {
                b.removeLast(3)
            }
            return
        }
        applyLongest(&b, step4Rules, minMeasure: 1)
    }

    private static func step5(_ b: inout [UInt8]) {
        if b.last == UInt8(ascii: "e") {
            let m = measure(b, b.count - 1)
            if m > 1 || (m == 1 && !endsCVC(b, b.count - 1)) { b.removeLast() }
        }
        if b.count >= 2, b.last == UInt8(ascii: "l"), endsDoubleConsonant(b, b.count), measure(b, b.count) > 1 { b.removeLast() }
    }
}

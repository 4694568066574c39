/// A rule-based English lemmatizer: the dictionary form of a word for a part of speech
/// (`"running"` as a verb → `"run"`, `"children"` → `"child"`, `"better"` as an adjective → `"good"`).
///
/// Unlike a stemmer, it returns real words. It looks the word up in a table of irregular forms
/// (`EnglishIrregularForms`), then applies the suffix rules of the part of speech — plural `-s/-es/-ies`,
/// verb `-s/-ed/-ing`, comparative `-er/-est` — and repairs the stem the way English spelling
/// works: undoubling a final consonant (`stopped` → `stop`) and restoring a silent `e`
/// (`making` → `make`, `created` → `create`). Without a full lexicon (WordNet's approach) some
/// words come out wrong; add them through `exceptions`.
///
/// ```swift
/// let l = Lemmatizer()
/// l.lemmatize("mice")                 // "mouse"
/// l.lemmatize("studies", as: .verb)   // "study"
/// l.lemmatize("hoping", as: .verb)    // "hope"
/// ```
public struct Lemmatizer: Sendable {
    /// A part of speech, which decides the rules (default `.noun`, as WordNet's lemmatizer).
    public enum PartOfSpeech: String, Sendable, CaseIterable {
        /// Nouns: plural endings.
        case noun
        /// Verbs: -s, -ed, -ing and irregular forms.
        case verb
        /// Adjectives: comparatives and superlatives.
        case adjective
        /// Adverbs: irregular comparatives only.
        case adverb
    }

    /// Extra irregular forms (lowercase form → lemma), consulted first for every part of speech.
    public let exceptions: [String: String]

    /// Creates a lemmatizer with optional extra exceptions.
    public init(exceptions: [String: String] = [:]) { self.exceptions = exceptions }

    /// The lemma of `word` (lowercased) for the part of speech `pos`.
    public func lemmatize(_ word: String, as pos: PartOfSpeech = .noun) -> String {
        let w = word.lowercased()
        if let e = exceptions[w] { return e }
        let table: [String: String] = switch pos {
        case .noun: EnglishIrregularForms.nouns
        case .verb: EnglishIrregularForms.verbs
        case .adjective: EnglishIrregularForms.adjectives
        case .adverb: EnglishIrregularForms.adverbs
        }
        if let e = table[w] { return e }
        guard w.count > 2, w.allSatisfy({ $0.isLetter || $0 == "-" || $0 == "'" }) else { return w }
        switch pos {
        case .noun: return noun(w)
        case .verb: return verb(w)
        case .adjective: return adjective(w)
        case .adverb: return w
        }
    }

    /// Lemmas of several words with one part of speech.
    public func lemmatize(_ words: [String], as pos: PartOfSpeech = .noun) -> [String] { words.map { lemmatize($0, as: pos) } }

    // MARK: - Rules

    private func noun(_ w: String) -> String {
        if EnglishIrregularForms.invariantNouns.contains(w) { return w }
        if w.hasSuffix("ss") || w.hasSuffix("us") || w.hasSuffix("is") { return w }
        if w.hasSuffix("ies"), w.count > 4 { return String(w.dropLast(3)) + "y" }
        if w.hasSuffix("sses") || w.hasSuffix("shes") || w.hasSuffix("ches") || w.hasSuffix("xes") { return String(w.dropLast(2)) }
        if w.hasSuffix("zzes") { return String(w.dropLast(3)) }
        if w.hasSuffix("oes"), w.count > 4 { return String(w.dropLast(2)) }
        if w.hasSuffix("uses"), w.count > 6 { return String(w.dropLast(2)) }           // bonuses, viruses
        if w.hasSuffix("s") { return String(w.dropLast()) }
        return w
    }

    private func verb(_ w: String) -> String {
        if w.hasSuffix("ies"), w.count > 4 { return String(w.dropLast(3)) + "y" }
        if w.hasSuffix("sses") || w.hasSuffix("shes") || w.hasSuffix("ches") || w.hasSuffix("xes") || w.hasSuffix("zzes") {
            return String(w.dropLast(2))
        }
        if w.hasSuffix("ss") { return w }
        if w.hasSuffix("ied"), w.count > 4 { return String(w.dropLast(3)) + "y" }
        if w.hasSuffix("ceed") { return w }                                             // proceed, exceed
        if w.hasSuffix("eed") { return w.count > 4 ? String(w.dropLast()) : w }          // agreed → agree; need, feed stay
        if w.hasSuffix("ed"), w.count > 3 { return repairStem(String(w.dropLast(2))) }
        if w.hasSuffix("ing"), w.count > 4 {
            let stem = String(w.dropLast(3))
            if stem.hasSuffix("y") || stem.hasSuffix("ee") { return stem }               // playing, seeing
            return repairStem(stem)
        }
        if w.hasSuffix("s"), !w.hasSuffix("us"), !w.hasSuffix("is") { return String(w.dropLast()) }
        return w
    }

    private func adjective(_ w: String) -> String {
        if w.hasSuffix("iest"), w.count > 5 { return String(w.dropLast(4)) + "y" }
        if w.hasSuffix("ier"), w.count > 4 { return String(w.dropLast(3)) + "y" }
        if w.hasSuffix("est"), w.count > 5 { return repairStem(String(w.dropLast(3))) }
        if w.hasSuffix("er"), w.count > 4 { return repairStem(String(w.dropLast(2))) }
        return w
    }

    /// Repairs a stem after `-ed`, `-ing`, `-er`, `-est` was removed.
    func repairStem(_ s: String) -> String {
        let c = Array(s)
        guard c.count >= 2 else { return s }
        let last = c[c.count - 1], prev = c[c.count - 2]
        func vowel(_ ch: Character) -> Bool { "aeiou".contains(ch) }
        // A doubled final consonant was added before the suffix: stopp → stop (not ll, ss, zz, ff).
        if last == prev, !vowel(last), !"lsfz".contains(last) { return String(c.dropLast()) }
        // English words do not end in these: restore the silent e.
        let needsE: Set<String> = ["bl", "iz", "dg", "rg", "pl", "tl", "gl", "kl", "dl", "cl", "fl"]
        if last == "v" || last == "u" || (last == "c" && "naeiour".contains(prev)) { return s + "e" }
        if (last == "s" || last == "z") && prev != "s" && prev != "z" { return s + "e" }   // caused, raised, sized
        let tail = String(c.suffix(2))
        if needsE.contains(tail) { return s + "e" }
        if tail == "at", c.count >= 3, !vowel(c[c.count - 3]) { return s + "e" }            // related (not treated)
        if tail == "ng", c.count >= 4, c[c.count - 3] == "a" && "chr".contains(c[c.count - 4]) { return s + "e" }  // change, range, arrange
        // One short syllable ending consonant–vowel–consonant (not w, x, y): hop → hope.
        if c.count >= 3, !vowel(last), !"wxy".contains(last), vowel(prev), !vowel(c[c.count - 3]),
           c.filter(vowel).count == 1 {
            return s + "e"
        }
        return s
    }
}

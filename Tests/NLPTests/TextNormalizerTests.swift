import Testing
import NLP

@Suite struct TextNormalizerTests {
    @Test func unicodeForms() {
        let decomposed = "e\u{301}"
        #expect(TextNormalizer.unicodeNormalized(decomposed, form: .nfc).unicodeScalars.count == 1)
        #expect(TextNormalizer.unicodeNormalized("é", form: .nfd).unicodeScalars.count == 2)
        #expect(TextNormalizer.unicodeNormalized("ﬁ Ａ²", form: .nfkc) == "fi A2")
        #expect(TextNormalizer.unicodeNormalized("ﬁ", form: .nfc) == "ﬁ")
    }

    @Test func accentStrippingModes() {
        // scikit-learn: strip_accents_unicode / strip_accents_ascii.
        #expect(TextNormalizer.stripAccents("naïve café Ångström", mode: .unicode) == "naive cafe Angstrom")
        #expect(TextNormalizer.stripAccents("café ß 東京", mode: .ascii) == "cafe  ")
        #expect(TextNormalizer.stripAccents("café ß 東京", mode: .unicode) == "cafe ß 東京")
        #expect(TextNormalizer.stripAccents("Crème brûlée", mode: .marks) == "Creme brulee")
        #expect(TextNormalizer.stripAccents("plain", mode: .unicode) == "plain")
    }

    @Test func fullPipeline() {
        let n = TextNormalizer(form: .nfkc, lowercase: true, accents: .unicode, punctuation: .remove)
        #expect(n("Ｃafé, déjà-vu!") == "cafe dejavu")
        #expect(TextNormalizer(punctuation: .replaceWithSpace)("don't  stop\n\tnow") == "don t stop now")
        #expect(TextNormalizer(punctuation: .isolate)("Hi, you.") == "hi , you .")
        #expect(TextNormalizer(lowercase: false, collapseWhitespace: false)(" A  B ") == " A  B ")
        #expect(TextNormalizer()("ÉCOLE") == "école")
        #expect(TextNormalizer()("ΟΔΥΣΣΕΥΣ ΣΑΣ") == "οδυσσευς σας")   // final sigma, as Python's str.lower
    }
}

@Suite struct WordTokenizerTests {
    @Test func sklearnPatternKeepsRunsOfTwoOrMore() throws {
        let t = try WordTokenizer(pattern: .sklearn)
        // Python: re.findall(r"(?u)\b\w\w+\b", s)
        #expect(t.tokenize("I a1 x _y 2024 can't e-mail naïve 東京 b") == ["a1", "_y", "2024", "can", "mail", "naïve", "東京"])
    }

    @Test func otherPatterns() throws {
        #expect(WordTokenizer.standard.tokenize("Hello, world! It's 3pm.") == ["Hello", "world", "It", "s", "3pm"])
        #expect(try WordTokenizer(pattern: .wordsAndPunctuation).tokenize("Hello, world!! It's") == ["Hello", ",", "world", "!!", "It", "'", "s"])
        #expect(try WordTokenizer(pattern: .whitespace).tokenize(" a,b  c\n") == ["a,b", "c"])
        #expect(try WordTokenizer(pattern: .regex("[a-z]+")).tokenize("ab1cd") == ["ab", "cd"])
        #expect(try WordTokenizer(pattern: .regex("x([a-z])")).tokenize("xa xb yc") == ["a", "b"])
    }

    @Test func combiningMarksSplitWordsAsInPython() throws {
        // In NFD, U+0301 is not \w for Python's re, so "cafe\u{301}s" splits.
        #expect(WordTokenizer.standard.tokenize("cafe\u{301}s") == ["cafe", "s"])
    }

    @Test func normalizationStopWordsAndLength() throws {
        let t = try WordTokenizer(normalizer: TextNormalizer(accents: .unicode), stopWords: .english, minimumLength: 2)
        #expect(t.tokenize("The naïve fox is in a box") == ["naive", "fox", "box"])
        #expect(StopWords.english.count == 318)
        #expect(StopWords.english.contains("the") && !StopWords.english.contains("fox"))
        #expect(t.substrings(of: "a bc").map(String.init) == ["a", "bc"])
    }

    @Test func badPatternsThrow() {
        #expect(throws: NLPError.self) { try WordTokenizer(pattern: .regex("(unclosed")) }
        #expect(throws: NLPError.self) { try WordTokenizer(pattern: .regex("(a)(b)")) }
        #expect(throws: NLPError.self) { try WordTokenizer(minimumLength: -1) }
    }
}

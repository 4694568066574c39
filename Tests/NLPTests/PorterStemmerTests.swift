import Testing
import NLP

@Suite struct PorterStemmerTests {
    /// Martin Porter's published vocabulary and its stems (Snowball's `porter/voc.txt`, `output.txt`).
    @Test func publishedVocabulary() throws {
        let words = try FixtureFiles.lines("porter_voc.txt")
        let stems = try FixtureFiles.lines("porter_output.txt")
        #expect(words.count == 42603 && stems.count == words.count)
        let stemmer = PorterStemmer()
        var wrong: [String] = []
        for (w, expected) in zip(words, stems) where stemmer.stem(w) != expected { wrong.append("\(w)→\(stemmer.stem(w)) (want \(expected))") }
        #expect(wrong.isEmpty, "\(wrong.count) wrong, e.g. \(wrong.prefix(10))")
    }

    @Test func examplesFromThePaper() {
        let s = PorterStemmer()
        let pairs = [("caresses", "caress"), ("ponies", "poni"), ("agreed", "agre"), ("plastered", "plaster"),
                     ("motoring", "motor"), ("hopping", "hop"), ("filing", "file"), ("relational", "relat"),
                     ("generalizations", "gener"), ("adjustable", "adjust"), ("controlling", "control"), ("Running", "run")]
        for (w, e) in pairs { #expect(s.stem(w) == e, "\(w)") }
        #expect(PorterStemmer(minimumLength: 2).stem("as") == "as")
        #expect(s.stem("") == "")
    }
}

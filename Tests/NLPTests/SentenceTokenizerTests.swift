import Testing
import NLP

@Suite struct SentenceTokenizerTests {
    let t = SentenceTokenizer()

    @Test func basicTerminatorsAndQuotes() {
        #expect(t.split("Hello world. How are you? I'm fine! Thanks.") == ["Hello world.", "How are you?", "I'm fine!", "Thanks."])
        #expect(t.split("He said \"Stop.\" Then he left.") == ["He said \"Stop.\"", "Then he left."])
        #expect(t.split("Really?! Yes… I think so.") == ["Really?!", "Yes…", "I think so."])
        #expect(t.split("No terminator at the end") == ["No terminator at the end"])
        #expect(t.split("   ") == [] && t.split("") == [])
    }

    @Test func abbreviationsInitialsAndNumbers() {
        #expect(t.split("Dr. Smith arrived at 5 p.m. today. He was late! Was he?") == ["Dr. Smith arrived at 5 p.m. today.", "He was late!", "Was he?"])
        #expect(t.split("J. R. R. Tolkien wrote it. It sold well.") == ["J. R. R. Tolkien wrote it.", "It sold well."])
        #expect(t.split("Pi is 3.14 roughly. See Fig. 2 for details.") == ["Pi is 3.14 roughly.", "See Fig. 2 for details."])
        #expect(t.split("Use tools, e.g. Python or Swift. They work.") == ["Use tools, e.g. Python or Swift.", "They work."])
        #expect(t.split("He works at Acme Inc. The company is big.") == ["He works at Acme Inc.", "The company is big."])
        #expect(t.split("Wait... then what? Nothing.") == ["Wait... then what?", "Nothing."])
    }

    @Test func newlines() {
        #expect(t.split("A heading\n\nA paragraph. Two.") == ["A heading", "A paragraph.", "Two."])
        #expect(t.split("line one\nline two") == ["line one\nline two"])
        #expect(SentenceTokenizer(splitOnNewlines: true).split("line one\nline two") == ["line one", "line two"])
    }
}

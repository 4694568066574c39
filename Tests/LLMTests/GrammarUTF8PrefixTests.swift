import LLM
import Testing

/// A token may end inside a character; the matcher must refuse a prefix that no continuation can
/// make valid UTF-8 at once, or a grammar filter lets it through and generation is left with no
/// allowed token (seen serving a tool call: a random model drew such a byte inside a JSON string).
@Suite struct GrammarUTF8PrefixTests {
    static let anyString = try! Grammar(gbnf: #"root ::= "\"" [^"\\]* "\"""#)

    @Test(arguments: [[0xE0, 0x80], [0xED, 0xA0], [0xF0, 0x80], [0xF4, 0x90], [0xC0], [0xF5], [0x80]] as [[UInt8]])
    func impossiblePrefixesAreRefusedAtOnce(prefix: [UInt8]) {
        var m = GrammarMatcher(Self.anyString)
        let opened = m.accept(bytes: [UInt8(ascii: "\"")])
        let accepted = m.accept(bytes: prefix)
        #expect(opened)
        #expect(!accepted)
    }

    @Test(arguments: [[0xE0, 0xA0], [0xED, 0x9F], [0xF0, 0x90], [0xF4, 0x8F], [0xC3]] as [[UInt8]])
    func completablePrefixesAreKept(prefix: [UInt8]) {
        var m = GrammarMatcher(Self.anyString)
        let accepted = m.accept(bytes: [UInt8(ascii: "\"")] + prefix)
        #expect(accepted)
    }
}

import Foundation
import Testing
import Retrieval

@Suite struct TextChunkerTests {
    static let text = """
        Retrieval-augmented generation pairs a search engine with a language model. The retriever finds passages; \
        the generator writes the answer!

        Chunking matters. Chunks that are too long dilute the embedding; chunks that are too short lose context? \
        Overlap keeps sentences that straddle a boundary findable.

        Ünïcödé text, emoji 👩‍👩‍👧 and CJK 検索エンジン must keep their offsets.
        """

    /// Every chunk is exactly the slice of the source between its offsets.
    /// Sentence stops inside `text` that end a sentence (followed by whitespace or the end).
    static func sentenceCount(_ text: String) -> Int {
        let c = Array(text)
        return c.indices.filter { ".!?".contains(c[$0]) && ($0 + 1 == c.count || c[$0 + 1].isWhitespace) }.count
    }

    /// Checks the overlap rule of `.sentences(overlap: 1)` on consecutive chunks.
    static func expectSentenceOverlap(_ chunks: [Chunk], _ source: String) {
        let chars = Array(source)
        for (previous, chunk) in zip(chunks, chunks.dropFirst()) {
            guard sentenceCount(previous.text) >= 2 else {
                #expect(chunk.start >= previous.end, "chunk \(chunk.index) repeats a one-sentence chunk")
                continue
            }
            #expect(chunk.start > previous.start && chunk.start < previous.end, "chunk \(chunk.index) does not overlap the one before")
            guard chunk.start > previous.start && chunk.start < previous.end else { continue }
            let shared = String(chars[chunk.start..<previous.end])
            #expect(previous.text.hasSuffix(shared) && chunk.text.hasPrefix(shared))
            #expect(sentenceCount(shared) == 1 && shared.last.map { ".!?".contains($0) } == true, "overlap '\(shared)' is not one whole sentence")
            #expect(chars[chunk.start - 1].isWhitespace, "overlap starts mid-sentence")
        }
    }

    static func checkOffsets(_ chunks: [Chunk], _ source: String) {
        let chars = Array(source)
        for (i, c) in chunks.enumerated() {
            #expect(c.index == i)
            #expect(c.start >= 0 && c.start < c.end && c.end <= chars.count)
            #expect(String(chars[c.start..<c.end]) == c.text)
            #expect(String(source[c.range(in: source)]) == c.text)
        }
    }

    @Test func characterWindows() throws {
        let chunks = try TextChunker(.characters(size: 50, overlap: 10)).chunks(Self.text)
        Self.checkOffsets(chunks, Self.text)
        #expect(chunks.first!.start == 0 && chunks.last!.end == Self.text.count)
        for (a, b) in zip(chunks, chunks.dropFirst()) { #expect(b.start == a.end - 10) }
        #expect(chunks.dropLast().allSatisfy { $0.text.count == 50 })
    }

    @Test func tokenWindows() throws {
        let chunks = try TextChunker(.tokens(size: 12, overlap: 4)).chunks(Self.text)
        Self.checkOffsets(chunks, Self.text)
        #expect(chunks.count > 3)
        #expect(chunks.allSatisfy { !$0.text.first!.isWhitespace && !$0.text.last!.isWhitespace })
    }

    @Test func recursiveSplitter() throws {
        let chunks = try TextChunker(.recursive(size: 80, overlap: 20)).chunks(Self.text)
        Self.checkOffsets(chunks, Self.text)
        #expect(chunks.allSatisfy { $0.text.count <= 80 })
        // Paragraph breaks are preferred: no chunk spans the blank line between paragraphs 1 and 2.
        #expect(!chunks.contains { $0.text.contains("answer!\n\nChunking") })
        // Covers the text: every non-whitespace character is in some chunk.
        var covered = [Bool](repeating: false, count: Self.text.count)
        for c in chunks { for i in c.start..<c.end { covered[i] = true } }
        for (i, ch) in Self.text.enumerated() where !ch.isWhitespace { #expect(covered[i], "character \(i) '\(ch)' not covered") }
        // LangChain's documented behaviour: a text shorter than the size is one stripped chunk.
        #expect(try TextChunker(.recursive(size: 100)).chunks("  short text \n").map(\.text) == ["short text"])
        // With no separators left, long words are cut into characters.
        let words = try TextChunker(.recursive(size: 4, overlap: 0)).chunks("abcdefghij kl")
        #expect(words.map(\.text) == ["abcd", "efgh", "ij", "kl"])
    }

    /// Worked LangChain example (chunk_size=10, chunk_overlap=4), checked by hand against its
    /// _merge_splits: words are merged up to 10 characters, carrying ≤ 4 characters over.
    @Test func recursiveOverlapLikeLangChain() throws {
        let chunks = try TextChunker(.recursive(size: 10, overlap: 4)).chunks("aa bb cc dd ee ff")
        #expect(chunks.map(\.text) == ["aa bb cc", "cc dd ee", "ee ff"])
    }

    @Test func sentences() throws {
        let chunks = try TextChunker(.sentences(maxCharacters: 120, overlap: 1)).chunks(Self.text)
        Self.checkOffsets(chunks, Self.text)
        #expect(chunks.allSatisfy { $0.text.count <= 120 })
        #expect(chunks[0].text.hasPrefix("Retrieval-augmented") && chunks[0].text.hasSuffix("language model."))
        // overlap 1: a chunk after one of several sentences starts with that chunk's last
        // sentence (the shared stretch ends the previous chunk and is a whole sentence); after a
        // chunk of a single sentence the next starts after it (repeating it would not advance).
        #expect(chunks.count >= 3)
        Self.expectSentenceOverlap(chunks, Self.text)
        let wide = try TextChunker(.sentences(maxCharacters: 200, overlap: 1)).chunks(Self.text)
        Self.checkOffsets(wide, Self.text)
        Self.expectSentenceOverlap(wide, Self.text)
        #expect(zip(wide, wide.dropFirst()).contains { $1.start < $0.end }, "no chunk overlapped at all")
        #expect(try TextChunker(.sentences(maxCharacters: 10)).chunks("A very long sentence without a stop")
            .allSatisfy { $0.text.count <= 10 })
    }

    @Test func invalidSettingsThrow() {
        #expect(throws: RetrievalError.self) { try TextChunker(.characters(size: 0)) }
        #expect(throws: RetrievalError.self) { try TextChunker(.characters(size: 10, overlap: 10)) }
        #expect(throws: RetrievalError.self) { try TextChunker(.recursive(size: 10, overlap: -1)) }
        #expect(throws: RetrievalError.self) { try TextChunker.Strategy(parsing: "recursive:abc") }
    }

    @Test func emptyText() throws {
        for s in [TextChunker.Strategy.characters(size: 5), .tokens(size: 5), .recursive(size: 5), .sentences(maxCharacters: 5)] {
            #expect(try TextChunker(s).chunks("").isEmpty)
        }
    }
}
